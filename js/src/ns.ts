/**
 * The parts of the world outside reallot that the adapters read: a subset of the
 * game's NetScript API, and the memory manager's snapshot and the TaskSelector's
 * tasks of the batch system reallot was built for. Each is declared with only the
 * fields used, so the game's own `NS` (and the batch system's types) can be
 * passed as they are.
 */

/** What the adapters read of a server (`ns.getServer`). */
export interface Server {
    hostname: string;
    hasAdminRights: boolean;
    cpuCores: number;
    ramUsed: number;
    maxRam: number;
    purchasedByPlayer: boolean;
    hackDifficulty?: number;
    minDifficulty?: number;
    moneyAvailable?: number;
    moneyMax?: number;
    requiredHackingSkill?: number;
    serverGrowth?: number;
}

/** What the adapters read of the player (`ns.getPlayer`; the game's `Person`). */
export interface Person {
    skills: { hacking: number; intelligence: number };
    mults: {
        hacking_chance: number;
        hacking_speed: number;
        hacking_money: number;
        hacking_grow: number;
    };
}

/** The BitNode multipliers that enter the hacking formulas (`ns.getBitNodeMultipliers`). */
export interface BitNodeMultipliers {
    ScriptHackMoney: number;
    ServerGrowthRate: number;
    ServerWeakenRate: number;
    /** Absent in older versions of the game, where it is 1. */
    HackingSpeedMultiplier?: number;
}

/** The NetScript functions the adapters and `rebalance.ts` call. */
export interface NS {
    getServer(host?: string): Server;
    getPlayer(): Person;
    getPurchasedServers(): string[];
    scan(host?: string): string[];
    print(...args: any[]): void;
    sleep(millis: number): Promise<true>;
    flags(schema: [string, string | number | boolean | string[]][]): {
        [key: string]: string | number | boolean | string[];
    };
}

/** One host of the memory manager (`WorkerSnapshot`); RAM in GB. */
export interface WorkerSnapshot {
    hostname: string;
    totalRam: number;
    setAsideRam: number;
    reservedRam: number;
    allocatedRam: number;
}

/** One allocation: `numChunks` chunks of `chunkSize` GB per host, owned by `pid`. */
export interface AllocationSnapshot {
    allocationId: number;
    pid: number;
    hosts: { hostname: string; chunkSize: number; numChunks: number }[];
}

/** The memory manager's answer to a `Snapshot` request (`MemoryClient.memorySnapshot`). */
export interface MemorySnapshot {
    workers: WorkerSnapshot[];
    allocations: AllocationSnapshot[];
}

/**
 * A task the TaskSelector launched (its `InProgressTask`): the task script's pid,
 * which owns the task's allocation, the target (`host`) and the phase. A harvest
 * also needs its hack threads per batch: `hackThreads`, or the hack phase of
 * `phases` (a `HarvestTask`'s `BatchLogistics`).
 */
export interface SelectorTask {
    pid: number;
    host: string;
    type: 'till' | 'sow' | 'harvest';
    hackThreads?: number;
    phases?: { script: string; threads: number }[];
    /** A pinned task is neither moved nor shrunk nor killed. */
    pinned?: boolean;
}
