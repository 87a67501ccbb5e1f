// A mock `ns` that serves the game's servers from tests/data/servers.json.

import { read } from './support.mjs';

const data = JSON.parse(read('tests/data/servers.json'));

/** The game data's network servers. */
export const network = data.servers;

/**
 * A mock `ns`: home (64 GB, 2 cores, 4.6 GB used by the script itself), the
 * network with the servers of at most `ports` ports rooted, and `pservs`
 * purchased servers of 1 TB. The scan links home to every network server and
 * leaves the purchased ones out, for `getPurchasedServers` to find.
 */
export function mockNs({ ports = 1, pservs = 2, hacking = 100, flags = {} } = {}) {
    const servers = new Map();
    const add = (s) => servers.set(s.hostname, s);
    add({ hostname: 'home', hasAdminRights: true, cpuCores: 2, ramUsed: 4.6, maxRam: 64, purchasedByPlayer: true, moneyMax: 0 });
    for (const s of network) {
        add({
            hostname: s.hostname,
            hasAdminRights: s.num_open_ports_required <= ports,
            cpuCores: s.cpu_cores,
            ramUsed: 0,
            maxRam: s.max_ram_gb,
            purchasedByPlayer: false,
            hackDifficulty: s.base_security,
            minDifficulty: s.min_security,
            moneyAvailable: s.starting_money,
            moneyMax: s.max_money,
            requiredHackingSkill: s.required_hacking_skill,
            serverGrowth: s.server_growth,
        });
    }
    const purchased = Array.from({ length: pservs }, (_, i) => `pserv-${i}`);
    for (const hostname of purchased) {
        add({ hostname, hasAdminRights: true, cpuCores: 1, ramUsed: 0, maxRam: 1024, purchasedByPlayer: true, moneyMax: 0 });
    }
    const printed = [];
    return {
        printed,
        getServer: (host = 'home') => ({ ...servers.get(host) }),
        getPlayer: () => ({
            skills: { hacking, intelligence: 0 },
            mults: { hacking_chance: 1, hacking_speed: 1, hacking_money: 1, hacking_grow: 1 },
        }),
        getPurchasedServers: () => [...purchased],
        scan: (host = 'home') => (host === 'home' ? network.map((s) => s.hostname) : ['home']),
        print: (...args) => printed.push(args.join(' ')),
        sleep: async () => true,
        flags: (schema) => ({ ...Object.fromEntries(schema), ...flags }),
    };
}
