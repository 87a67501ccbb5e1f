// Executors get the actions in order; the dry run and the example script only log.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { mockNs } from './game.mjs';
import { unhurried } from './support.mjs';

const reallot = await import('../dist/reallot.js');
const { main } = await import('../dist/rebalance.js');

const plan = reallot.plan(unhurried('models/drain-pserv.json'));
// The late game's plan uses five of the six action kinds.
const varied = reallot.plan(unhurried('models/late-game.json'));

test('execute hands every action to its kind\'s method, in order, each awaited', async () => {
    const seen = [];
    const executor = {};
    for (const op of ['launch', 'grow', 'shrink', 'migrate', 'resize', 'kill']) {
        executor[op] = async (a) => {
            assert.equal(a.op, op);
            await new Promise((resolve) => setTimeout(resolve, seen.length % 2));
            seen.push(a);
        };
    }
    await reallot.execute(varied.actions, executor);
    assert.deepEqual(seen, varied.actions);
    assert.ok(new Set(varied.actions.map((a) => a.op)).size >= 4, 'the model exercises most action kinds');
});

test('describe words every action kind; the dry run logs them and changes nothing', async () => {
    const lines = [];
    await reallot.execute(plan.actions, reallot.dryRunExecutor((l) => lines.push(l)));
    assert.equal(lines.length, plan.actions.length);
    assert.deepEqual(lines, plan.actions.map((a) => `dry run: ${reallot.describe(a)}`));
    assert.equal(reallot.describe({ op: 'migrate', task: 'sow:joesguns', from: 'pserv-3', to: 'pserv-4', chunks: 5 }),
        'migrate 5 chunks of sow:joesguns from pserv-3 to pserv-4');
    assert.equal(reallot.describe({ op: 'grow', task: 'till:a', host: 'home', chunks: 1 }), 'grow till:a by 1 chunk on home');
    assert.equal(reallot.describe({ op: 'shrink', task: 'harvest:a', host: 'pserv-3', chunks: 2, when: 'lands' }),
        'shrink harvest:a by 2 chunks on pserv-3 when its work lands');
    assert.equal(reallot.describe({ op: 'launch', task: 'harvest:a', kind: 'harvest', target: 'a', hack_threads: 2,
        chunk_ram: 10.4, placement: { home: 1, 'pserv-0': 3 } }), 'launch harvest:a (H=2, 10.4 GB chunks): 1 on home, 3 on pserv-0');
    assert.equal(reallot.describe({ op: 'kill', task: 'till:a' }), 'kill till:a');
});

test('summarize: income now → planned, the bound, and why for each task the actions touch', () => {
    const { headline, why } = reallot.summarize(plan);
    assert.match(headline, /^income \$24\.659m\/s → \$38\.\d{3}m\/s \(bound \$38\.\d{3}m\/s\), change costs \$\d+\.\d{3}b; \d+ actions, changed$/);
    const touched = new Set(plan.actions.map((a) => a.task));
    assert.equal(why.length, touched.size);
    assert.ok(why.every((line) => touched.has(line.split(': ')[0])));
});

test('rebalance.js plans the mock game once and prints a dry run', async () => {
    const ns = mockNs({ flags: { once: true } });
    await main(ns);
    const state = reallot.stateFromGame(mockNs());
    const p = reallot.plan(state);
    assert.ok(p.actions.length > 0);
    assert.equal(ns.printed[0], reallot.summarize(p).headline);
    assert.deepEqual(ns.printed.slice(1, 1 + p.actions.length), p.actions.map((a) => `dry run: ${reallot.describe(a)}`));
    assert.deepEqual(ns.printed.slice(1 + p.actions.length), reallot.summarize(p).why);
});

test('rebalance.js prints reallot\'s problems instead of stopping', async () => {
    const ns = mockNs({ flags: { once: true }, hacking: 0 });
    await main(ns);
    assert.deepEqual(ns.printed, [
        'ERROR reallot: invalid input:\n  player.hacking: 0 is out of range; allowed: an integer from 1 to 1000000',
    ]);
});
