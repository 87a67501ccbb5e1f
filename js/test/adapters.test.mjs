// The adapters build the state a person would write from the game's data.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { mockNs, network } from './game.mjs';
import { read } from './support.mjs';

const reallot = await import('../dist/reallot.js');

test('stateFromGame: every rooted server with RAM a host, with money a target', () => {
    const state = reallot.stateFromGame(mockNs({ ports: 1 }));
    const rooted = network.filter((s) => s.num_open_ports_required <= 1);
    assert.deepEqual(
        state.hosts.map((h) => h.name),
        ['home', ...rooted.filter((s) => s.max_ram_gb > 0).map((s) => s.hostname), 'pserv-0', 'pserv-1'],
    );
    assert.deepEqual(state.hosts[0], { name: 'home', max_ram: 64, reserved_ram: 4.6, cores: 2, kind: 'home' });
    assert.deepEqual(state.hosts.at(-1), { name: 'pserv-1', max_ram: 1024, reserved_ram: 0, cores: 1, kind: 'purchased' });
    assert.deepEqual(state.hosts.find((h) => h.name === 'n00dles'), {
        name: 'n00dles', max_ram: 4, reserved_ram: 0, cores: 1, kind: 'network',
    });
    assert.deepEqual(
        state.targets.map((t) => t.name),
        rooted.filter((s) => s.max_money > 0).map((s) => s.hostname),
    );
    const n00dles = network.find((s) => s.hostname === 'n00dles');
    assert.deepEqual(state.targets[0], {
        name: 'n00dles',
        required_hacking: n00dles.required_hacking_skill,
        min_security: n00dles.min_security,
        security: n00dles.base_security,
        max_money: n00dles.max_money,
        money: n00dles.starting_money,
        growth: n00dles.server_growth,
    });
    assert.deepEqual(state.player.mults, { hacking_chance: 1, hacking_speed: 1, hacking_money: 1, hacking_grow: 1 });
    assert.equal(state.player.hacking, 100);
    assert.deepEqual(state.tasks, []);
    assert.deepEqual(reallot.check(state), { valid: true });
    assert.ok(reallot.plan(state).actions.some((a) => a.op === 'launch'));
});

test('stateFromGame: cordoned hosts, with a deadline when one is given', () => {
    const drain = (options) => reallot.stateFromGame(mockNs(), options).hosts.find((h) => h.name === 'pserv-0').drain;
    assert.deepEqual(drain({ cordon: ['pserv-0'] }), { mode: 'cordon' });
    assert.deepEqual(drain({ cordon: ['pserv-0'], cordonDeadline_s: 30 }), { mode: 'cordon', deadline_s: 30 });
    assert.deepEqual(drain({ evict: ['pserv-0'], cordon: ['pserv-0'] }), { mode: 'evict' }, 'evict wins');
});

test('stateFromGame: today\'s tasks come out of used RAM; evictions, set-aside and BitNode multipliers', () => {
    const ns = mockNs();
    const till = { id: 'till:n00dles', kind: 'till', target: 'n00dles', chunk_ram: 1.75, placement: { home: 2 } };
    const state = reallot.stateFromGame(ns, {
        tasks: [till],
        evict: ['pserv-0'],
        setAside: (s) => (s.hostname === 'home' ? 32 : 0),
        bitnode: { ScriptHackMoney: 0.5, ServerGrowthRate: 2, ServerWeakenRate: 1.5 },
        policy: { time_limit_ms: 500 },
    });
    assert.equal(state.hosts[0].reserved_ram, 4.6 - 3.5 + 32);
    assert.deepEqual(state.hosts.find((h) => h.name === 'pserv-0').drain, { mode: 'evict' });
    assert.deepEqual(state.player.bitnode, {
        script_hack_money: 0.5, hacking_speed: 1, server_growth_rate: 2, server_weaken_rate: 1.5,
    });
    assert.deepEqual(state.tasks, [till]);
    assert.deepEqual(state.policy, { time_limit_ms: 500 });
    assert.deepEqual(reallot.check(state), { valid: true });
});

const snapshot = JSON.parse(read('js/test/data/snapshot.json'));
const phases = [
    { script: '/batch/w.js', threads: 1 },
    { script: '/batch/h.js', threads: 1 },
    { script: '/batch/g.js', threads: 1 },
    { script: '/batch/w.js', threads: 1 },
];
const selected = [
    { pid: 4211, host: 'n00dles', type: 'harvest', max: undefined, expectedTime: undefined, phases },
    { pid: 4300, host: 'joesguns', type: 'till', max: 3, expectedTime: 60000 },
];

test('stateFromSnapshot: workers are hosts, allocations of task pids are tasks, the rest is reserved', () => {
    const ns = mockNs();
    const state = reallot.stateFromSnapshot(snapshot, reallot.scanServers(ns), selected, ns.getPlayer(), { evict: ['pserv-0'] });
    assert.deepEqual(state.hosts, [
        // 32 set aside + 4.6 foreign + 19.75 allocated - 6.95 of the harvest
        { name: 'home', max_ram: 64, reserved_ram: 49.4, cores: 2, kind: 'home' },
        { name: 'foodnstuff', max_ram: 16, reserved_ram: 0, cores: 1, kind: 'network' },
        { name: 'n00dles', max_ram: 4, reserved_ram: 0, cores: 1, kind: 'network' },
        { name: 'pserv-0', max_ram: 2048, reserved_ram: 8, cores: 1, kind: 'purchased', drain: { mode: 'evict' } },
        { name: 'hacknet-server-0', max_ram: 32, reserved_ram: 32, cores: 1, kind: 'hacknet' },
    ]);
    assert.deepEqual(state.tasks, [
        { id: 'harvest:n00dles', kind: 'harvest', target: 'n00dles', chunk_ram: 6.95, placement: { foodnstuff: 2, home: 1 }, hack_threads: 1 },
        { id: 'till:joesguns', kind: 'till', target: 'joesguns', chunk_ram: 1.75, placement: { n00dles: 2, foodnstuff: 1 } },
    ]);
    assert.deepEqual(state.targets, reallot.stateFromGame(ns).targets);
    assert.deepEqual(reallot.check(state), { valid: true });
    const p = reallot.plan(state);
    assert.ok(!p.tasks.some((t) => t.placement['pserv-0']), 'the evicted host is empty');
});

test('stateFromSnapshot: hackThreads beats phases; a harvest with neither, or two chunk sizes, is an error', () => {
    const ns = mockNs();
    const servers = reallot.scanServers(ns);
    const given = [{ ...selected[0], hackThreads: 3 }, selected[1]];
    assert.equal(reallot.stateFromSnapshot(snapshot, servers, given, ns.getPlayer()).tasks[0].hack_threads, 3);
    const bare = [{ pid: 4211, host: 'n00dles', type: 'harvest' }];
    assert.throws(() => reallot.stateFromSnapshot(snapshot, servers, bare, ns.getPlayer()), /harvest of n00dles \(pid 4211\) gives no hack threads/);
    const mixed = structuredClone(snapshot);
    mixed.allocations[3].hosts[1].chunkSize = 22.75;
    assert.throws(() => reallot.stateFromSnapshot(mixed, servers, selected, ns.getPlayer()), /allocation 11 of pid 4300 holds chunks of 1.75 and 22.75 GB/);
});
