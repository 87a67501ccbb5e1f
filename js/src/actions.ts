/**
 * What to do with a plan: hand its actions, in order, to an `Executor` (the
 * batch system's TaskSelector implements one, with its own messages), or to the
 * dry-run executor that only logs them; and a short summary for a person.
 */

import type { Action, Plan, When } from './types.js';

/** The action of one kind: `ActionOf<'grow'>` is `{ op: 'grow', task, host, chunks }`. */
export type ActionOf<Op extends Action['op']> = Extract<Action, { op: Op }>;

/**
 * One method per action kind. Each is awaited before the next action starts:
 * the order is what keeps every host within its RAM. A shrink or migrate with
 * `when: 'lands'` (from a cordon) does not kill: the harvest loop stops
 * respawning those chunks on the host and lets the batch in flight land (a till
 * or sow round finish), then frees them; a migrate starts the moved chunks on
 * its `to` host at that moment.
 */
export type Executor = { [Op in Action['op']]: (action: ActionOf<Op>) => void | Promise<void> };

/** Hands every action to `executor`, in order, each finished before the next. */
export async function execute(actions: readonly Action[], executor: Executor): Promise<void> {
    for (const action of actions) {
        await (executor[action.op] as (a: Action) => void | Promise<void>)(action);
    }
}

/** An executor that does nothing but log each action as `describe` words it. */
export function dryRunExecutor(log: (line: string) => void): Executor {
    const say = (a: Action) => log(`dry run: ${describe(a)}`);
    return { launch: say, grow: say, shrink: say, migrate: say, resize: say, kill: say };
}

/** One action in a line: `migrate 5 chunks of sow:joesguns from pserv-3 to pserv-4`. */
export function describe(a: Action): string {
    switch (a.op) {
        case 'launch':
            return `launch ${a.task}${batch(a.hack_threads, a.chunk_ram)}: ${placement(a.placement)}`;
        case 'grow':
            return `grow ${a.task} by ${count(a.chunks, 'chunk')} on ${a.host}`;
        case 'shrink':
            return `shrink ${a.task} by ${count(a.chunks, 'chunk')} on ${a.host}${lands(a.when)}`;
        case 'migrate':
            return `migrate ${count(a.chunks, 'chunk')} of ${a.task} from ${a.from} to ${a.to}${lands(a.when)}`;
        case 'resize':
            return `resize ${a.task}${batch(a.hack_threads, a.chunk_ram)}: ${placement(a.placement)}`;
        case 'kill':
            return `kill ${a.task}`;
    }
}

/** A cordon's shrink or migrate waits for the chunk's work to land. */
function lands(when: When | undefined): string {
    return when === 'lands' ? ' when its work lands' : '';
}

function count(n: number, what: string): string {
    return `${n} ${what}${n === 1 ? '' : 's'}`;
}

function batch(hackThreads: number | null | undefined, chunkRam: number): string {
    const h = hackThreads == null ? '' : `H=${hackThreads}, `;
    return ` (${h}${chunkRam} GB chunks)`;
}

function placement(p: { [host: string]: number }): string {
    return Object.entries(p)
        .map(([host, n]) => `${n} on ${host}`)
        .join(', ');
}

/** A plan for a person, as `summarize` words it. */
export interface Summary {
    /** Income now → planned (and the bound no table beats), the change's cost, the decision. */
    headline: string;
    /** Why each task the actions touch got what it got: `task: why`. */
    why: string[];
}

/** A plan in a few lines (the actions are `describe`'s). */
export function summarize(plan: Plan): Summary {
    const i = plan.income;
    const touched = new Set(plan.actions.map((a) => a.task));
    return {
        headline:
            `income ${money(i.current_per_s)}/s → ${money(i.planned_per_s)}/s ` +
            `(bound ${money(i.upper_bound_per_s)}/s), change costs ${money(i.change_cost)}; ` +
            `${count(plan.actions.length, 'action')}, ${plan.solver.decision}`,
        why: plan.explain.filter((e) => touched.has(e.task)).map((e) => `${e.task}: ${e.why}`),
    };
}

/** Dollars, short: `$1.235k`. */
function money(x: number): string {
    for (const [scale, unit] of [
        [1e12, 't'],
        [1e9, 'b'],
        [1e6, 'm'],
        [1e3, 'k'],
    ] as const) {
        if (Math.abs(x) >= scale) return `$${(x / scale).toFixed(3)}${unit}`;
    }
    return `$${x.toFixed(2)}`;
}
