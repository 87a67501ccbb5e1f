/**
 * States from the game: `stateFromGame` reads the game's API alone,
 * `stateFromSnapshot` the memory manager's snapshot and the TaskSelector's tasks
 * of the batch system reallot was built for.
 */

import type { BitNodeMultipliers, MemorySnapshot, NS, Person, SelectorTask, Server } from './ns.js';
import type { Host, HostKind, State, Target, Task } from './types.js';

/** What both adapters take besides the game's data. */
export interface StateOptions {
    /** Hosts to empty in this cycle, killing what runs there (`drain.mode = "evict"`). */
    evict?: string[];
    /** Hosts to empty as their work lands (`drain.mode = "cordon"`): nothing in flight is lost. */
    cordon?: string[];
    /** Seconds from now by which a cordoned host must be empty (none by default). */
    cordonDeadline_s?: number;
    /** The BitNode's multipliers (`ns.getBitNodeMultipliers()`, which needs Source-File 5); all 1 when absent. */
    bitnode?: BitNodeMultipliers;
    config?: State['config'];
    policy?: State['policy'];
}

/** What `stateFromGame` also takes. */
export interface GameOptions extends StateOptions {
    /** Today's tasks (none when absent): their RAM is taken out of each host's used RAM. */
    tasks?: (Task & { chunk_ram: number })[];
    /** GB of a host not to plan on top of what its scripts use now (none by default). */
    setAside?: (server: Server) => number;
}

/**
 * Every server the player can see: the network scanned from `home`, then the
 * purchased servers it did not reach, each once, in that order.
 */
export function scanServers(ns: NS): Server[] {
    const seen = new Set<string>(['home']);
    const queue = ['home'];
    for (let i = 0; i < queue.length; i++) {
        for (const next of ns.scan(queue[i])) {
            if (!seen.has(next)) {
                seen.add(next);
                queue.push(next);
            }
        }
    }
    for (const name of ns.getPurchasedServers()) {
        if (!seen.has(name)) {
            seen.add(name);
            queue.push(name);
        }
    }
    return queue.map((name) => ns.getServer(name));
}

/**
 * A state from the game's API alone: every rooted server with RAM is a host (its
 * used RAM, less today's tasks, reserved), every rooted server with money a
 * target, and the player as `ns.getPlayer()` sees them.
 */
export function stateFromGame(ns: NS, options: GameOptions = {}): State {
    const servers = scanServers(ns);
    const tasks = options.tasks ?? [];
    const taskRam = new Map<string, number>();
    for (const t of tasks) {
        for (const [host, n] of Object.entries(t.placement)) {
            taskRam.set(host, (taskRam.get(host) ?? 0) + n * t.chunk_ram);
        }
    }
    const hosts = servers
        .filter((s) => s.hasAdminRights && s.maxRam > 0)
        .map((s) => {
            const reserved = s.ramUsed - (taskRam.get(s.hostname) ?? 0) + (options.setAside?.(s) ?? 0);
            return host(s, s.maxRam, reserved, options);
        });
    return state(ns.getPlayer(), hosts, targets(servers), tasks, options);
}

/**
 * A state from the memory manager's snapshot and the TaskSelector's tasks: the
 * snapshot's workers are the hosts; a task's chunks are its allocation's (the
 * allocation its pid owns); everything else the memory manager holds (set-aside,
 * foreign RAM, services, tasks not given) is reserved. `servers` gives cores,
 * kinds and the targets (`scanServers(ns)`).
 *
 * @throws Error when an allocation holds chunks of two sizes or a harvest task
 *   gives no hack threads.
 */
export function stateFromSnapshot(
    snapshot: MemorySnapshot,
    servers: Server[],
    tasks: SelectorTask[],
    player: Person,
    options: StateOptions = {},
): State {
    const byPid = new Map(tasks.map((t) => [t.pid, t]));
    const taskRam = new Map<string, number>();
    const table: Task[] = [];
    for (const a of snapshot.allocations) {
        const t = byPid.get(a.pid);
        // Entries the allocation released keep their host with 0 chunks.
        const held = a.hosts.filter((h) => h.numChunks > 0);
        if (t === undefined || held.length === 0) continue;
        const sizes = new Set(held.map((h) => h.chunkSize));
        if (sizes.size > 1) {
            throw new Error(`allocation ${a.allocationId} of pid ${a.pid} holds chunks of ${[...sizes].join(' and ')} GB; a task has one chunk size`);
        }
        const placement: Record<string, number> = {};
        for (const h of held) {
            placement[h.hostname] = (placement[h.hostname] ?? 0) + h.numChunks;
            taskRam.set(h.hostname, (taskRam.get(h.hostname) ?? 0) + h.numChunks * h.chunkSize);
        }
        const task: Task = {
            id: `${t.type}:${t.host}`,
            kind: t.type,
            target: t.host,
            chunk_ram: gb(held[0].chunkSize),
            placement,
        };
        if (t.type === 'harvest') task.hack_threads = hackThreads(t);
        if (t.pinned) task.pinned = true;
        table.push(task);
    }
    const byName = new Map(servers.map((s) => [s.hostname, s]));
    const hosts = snapshot.workers.map((w) => {
        const held = w.setAsideRam + w.reservedRam + w.allocatedRam - (taskRam.get(w.hostname) ?? 0);
        const s = byName.get(w.hostname);
        return host(s ?? { hostname: w.hostname, cpuCores: 1, purchasedByPlayer: false }, w.totalRam, held, options);
    });
    return state(player, hosts, targets(servers), table, options);
}

/** The hack threads of a harvest task. */
function hackThreads(t: SelectorTask): number {
    const threads = t.hackThreads ?? t.phases?.find((p) => /(^|\/)h\.[jt]s$/.test(p.script))?.threads;
    if (threads === undefined) {
        throw new Error(`harvest of ${t.host} (pid ${t.pid}) gives no hack threads: set hackThreads or phases`);
    }
    return threads;
}

function host(
    s: Pick<Server, 'hostname' | 'cpuCores' | 'purchasedByPlayer'>,
    maxRam: number,
    reserved: number,
    options: StateOptions,
): Host {
    const h: Host = {
        name: s.hostname,
        max_ram: gb(maxRam),
        reserved_ram: gb(Math.min(Math.max(reserved, 0), maxRam)),
        cores: s.cpuCores,
        kind: kind(s),
    };
    if (options.evict?.includes(s.hostname)) h.drain = { mode: 'evict' };
    else if (options.cordon?.includes(s.hostname)) {
        h.drain = { mode: 'cordon' };
        if (options.cordonDeadline_s !== undefined) h.drain.deadline_s = options.cordonDeadline_s;
    }
    return h;
}

/** The game's hosts: `home`, `hacknet-server-N` (and -node-N), purchased, the rest. */
function kind(s: Pick<Server, 'hostname' | 'purchasedByPlayer'>): HostKind {
    if (s.hostname === 'home') return 'home';
    if (s.hostname.startsWith('hacknet-')) return 'hacknet';
    return s.purchasedByPlayer ? 'purchased' : 'network';
}

/** Every rooted server with money, as its state is now. */
function targets(servers: Server[]): Target[] {
    return servers
        .filter((s) => s.hasAdminRights && !s.purchasedByPlayer && (s.moneyMax ?? 0) > 0)
        .map((s) => ({
            name: s.hostname,
            required_hacking: s.requiredHackingSkill ?? 1,
            min_security: s.minDifficulty ?? 1,
            security: s.hackDifficulty ?? s.minDifficulty ?? 1,
            max_money: s.moneyMax ?? 0,
            money: s.moneyAvailable ?? 0,
            growth: s.serverGrowth ?? 1,
        }));
}

function state(player: Person, hosts: Host[], targets: Target[], tasks: Task[], options: StateOptions): State {
    const b = options.bitnode;
    const s: State = {
        player: {
            hacking: player.skills.hacking,
            intelligence: player.skills.intelligence,
            mults: {
                hacking_chance: player.mults.hacking_chance,
                hacking_speed: player.mults.hacking_speed,
                hacking_money: player.mults.hacking_money,
                hacking_grow: player.mults.hacking_grow,
            },
            bitnode: b && {
                script_hack_money: b.ScriptHackMoney,
                hacking_speed: b.HackingSpeedMultiplier ?? 1,
                server_growth_rate: b.ServerGrowthRate,
                server_weaken_rate: b.ServerWeakenRate,
            },
        },
        // An empty list is the planner's to refuse (a problem at `hosts`), not a type error here.
        hosts: hosts as State["hosts"],
        targets,
        tasks,
    };
    if (options.config) s.config = options.config;
    if (options.policy) s.policy = options.policy;
    return s;
}

/**
 * GB rounded to hundredths, reallot's unit: sums of the memory manager's amounts
 * carry float noise (12.350000000000001).
 */
function gb(x: number): number {
    return Math.round(x * 100) / 100;
}
