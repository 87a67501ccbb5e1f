// The module against the native CLI: the same answers, byte for byte, and the
// same problems for bad input.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { cli, jsonFiles, read, unhurried } from './support.mjs';

const reallot = await import('../dist/reallot.js');

test('the module loads and exports the whole interface', () => {
    for (const name of ['plan', 'check', 'analyze', 'advise', 'schema', 'stateFromGame', 'stateFromSnapshot', 'scanServers',
        'execute', 'dryRunExecutor', 'describe', 'summarize']) {
        assert.equal(typeof reallot[name], 'function', name);
    }
    assert.equal(typeof reallot.json.plan, 'function');
    assert.equal(typeof reallot.ReallotError, 'function');
});

test('a cordon: work on the host leaves when it lands, none of it is killed and nothing arrives', () => {
    const state = JSON.parse(read('models/drain-pserv.json'));
    const host = state.hosts.find((h) => h.drain);
    host.drain = { mode: 'cordon' };
    const actions = reallot.plan(state).actions;
    const leaves = actions.filter((a) => (a.op === 'shrink' && a.host === host.name) || (a.op === 'migrate' && a.from === host.name));
    assert.ok(leaves.length > 0 && leaves.every((a) => a.when === 'lands'), JSON.stringify(actions));
    const arrives = (a) => (a.op === 'grow' && a.host === host.name) || (a.op === 'migrate' && a.to === host.name);
    const there = new Set(state.tasks.filter((t) => t.placement[host.name]).map((t) => t.id));
    const killsThere = (a) => (a.op === 'kill' || a.op === 'resize') && there.has(a.task);
    assert.ok(!actions.some((a) => killsThere(a) || arrives(a)), JSON.stringify(actions));
});

for (const file of jsonFiles('models')) {
    test(`plan and analyze ${file}: the CLI's bytes`, () => {
        const state = unhurried(file);
        const native = cli(['plan'], state);
        assert.equal(native.status, 0, native.stderr);
        assert.equal(JSON.parse(native.stdout).solver.status, 'complete');
        assert.equal(reallot.json.plan(state) + '\n', native.stdout);
        // As objects too: the state goes in as JSON.stringify writes it.
        assert.deepEqual(reallot.plan(JSON.parse(state)), JSON.parse(native.stdout));
        assert.equal(reallot.json.analyze(state) + '\n', cli(['analyze'], state).stdout);
    });
}

test('plan --timing: elapsed_ms only when asked', () => {
    const state = read('models/fresh-bitnode.json');
    assert.equal(reallot.plan(state).solver.elapsed_ms, undefined);
    assert.equal(typeof reallot.plan(state, { timing: true }).solver.elapsed_ms, 'number');
});

for (const file of jsonFiles('tests/bad')) {
    test(`bad state ${file}: the CLI's problems`, () => {
        const native = cli(['check', file]);
        assert.equal(native.status, 2);
        for (const f of [reallot.json.check, reallot.json.plan, reallot.json.analyze]) {
            assert.throws(
                () => f(read(file)),
                (e) => {
                    assert.ok(e instanceof reallot.ReallotError);
                    assert.equal(e.kind, 'invalid');
                    assert.equal(`reallot: ${e.message}\n`, native.stderr);
                    assert.deepEqual(
                        e.problems.map((p) => `\n  ${p.path}: ${p.message}`).join(''),
                        native.stderr.slice('reallot: invalid input:'.length, -1),
                    );
                    return true;
                },
            );
        }
    });
}

test('a bad state object: the problems of the same JSON text', () => {
    const state = JSON.parse(read('tests/bad/many-problems.json'));
    const native = cli(['check', 'tests/bad/many-problems.json']);
    assert.throws(() => reallot.check(state), (e) => {
        assert.deepEqual(e.problems.map((p) => p.path), native.stderr.split('\n').slice(1, -1).map((l) => l.trim().split(': ')[0]));
        return true;
    });
    assert.deepEqual(reallot.check(JSON.parse(read('models/mid-game.json'))), { valid: true });
});

test('advise: the CLI\'s bytes on a model, with a market or the defaults; a bad market names its field', () => {
    const file = 'models/port-opener.json';
    const market = { money: 3e9, spend: 0.5 };
    const native = cli(['advise', file, '--market', '-'], JSON.stringify(market));
    assert.equal(native.status, 0, native.stderr);
    assert.equal(reallot.json.advise(read(file), JSON.stringify(market)) + '\n', native.stdout);
    const advice = reallot.advise(JSON.parse(read(file)), market);
    assert.equal(advice.budget, 1.5e9);
    assert.ok(advice.options.length > 0 && advice.options.every((c) => c.affordable));
    assert.equal(reallot.json.advise(read(file)) + '\n', cli(['advise', file]).stdout);
    assert.throws(() => reallot.advise(read(file), { spend: 2 }),
        (e) => e.kind === 'invalid' && e.problems[0].path === 'market.spend');
});

test('schema: the CLI\'s, for every document', () => {
    for (const doc of ['state', 'plan', 'analysis', 'market', 'advice']) {
        assert.equal(reallot.json.schema(doc) + '\n', cli(['schema', doc]).stdout);
        assert.deepEqual(reallot.schema(doc), JSON.parse(cli(['schema', doc]).stdout));
    }
    assert.throws(() => reallot.schema('nope'), (e) => e.kind === 'invalid' && e.problems[0].path === '$');
});
