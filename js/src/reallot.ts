/**
 * reallot for scripts inside the game: the planner compiled to WebAssembly,
 * embedded in this one ES module, with adapters from the game and an executor
 * interface for the actions.
 *
 * ```ts
 * import { plan, stateFromGame } from './reallot.js';
 * const p = plan(stateFromGame(ns));
 * ```
 */

import wasm from '../pkg/reallot_bg.wasm';
import init, * as core from '../pkg/reallot.js';
import type { Advice, Analysis, Market, Plan, State } from './types.js';

// Compiled asynchronously: browsers refuse to compile a large module synchronously
// on the main thread, and the game runs scripts there.
await init({ module_or_path: wasm });

export type * from './types.js';
export type * from './ns.js';
export * from './adapters.js';
export * from './actions.js';

/** One problem with the input: where in the JSON, and what is wrong and allowed. */
export interface Problem {
    path: string;
    message: string;
}

/**
 * What every function here throws when reallot cannot answer: `invalid` input,
 * with every problem the CLI would print, or an `internal` error (a bug in
 * reallot: please report it with the input). The message is the CLI's.
 */
export class ReallotError extends Error {
    constructor(
        readonly kind: 'invalid' | 'internal',
        message: string,
        readonly problems: Problem[],
    ) {
        super(message);
        this.name = 'ReallotError';
    }
}

/** Options of `plan`. */
export interface PlanOptions {
    /** Include the solve's wall time, `solver.elapsed_ms` (the output then differs from run to run). */
    timing?: boolean;
}

/** The name of a document reallot reads or writes (`Document` is any of them). */
export type DocumentName = 'state' | 'plan' | 'analysis' | 'market' | 'advice';

/** Runs one export of the WebAssembly module, turning a thrown error text into a `ReallotError`. */
function call(f: () => string): string {
    try {
        return f();
    } catch (e) {
        if (typeof e !== 'string') throw e;
        const { kind, message, problems } = JSON.parse(e) as ReallotError;
        throw new ReallotError(kind, message, problems);
    }
}

/**
 * The JSON text front door: a state as text in, exactly the text the CLI prints
 * out (less its final newline). A state in text gets the CLI's line and column
 * in its problems.
 */
export const json = {
    plan: (state: string, options: PlanOptions = {}): string => call(() => core.plan(state, options.timing ?? false)),
    analyze: (state: string): string => call(() => core.analyze(state)),
    check: (state: string): string => call(() => core.check(state)),
    advise: (state: string, market = ''): string => call(() => core.advise(state, market)),
    schema: (of: DocumentName): string => call(() => core.schema(of)),
};

function text(state: State | string): string {
    return typeof state === 'string' ? state : JSON.stringify(state);
}

/** Plans one cycle: the new table, the actions in order, the income, the explanation. */
export function plan(state: State | string, options: PlanOptions = {}): Plan {
    return JSON.parse(json.plan(text(state), options));
}

/** Per target: phase, hack chance, times, overlap, till/sow work and the harvest menu. */
export function analyze(state: State | string): Analysis {
    return JSON.parse(json.analyze(text(state)));
}

/**
 * What to buy or upgrade next: every purchase the market offers (money, spend
 * share, payback limit, server limit, prices; the defaults with no money when
 * absent), valued by planning the changed state, best payback first.
 */
export function advise(state: State | string, market: Market | string = ''): Advice {
    return JSON.parse(json.advise(text(state), typeof market === 'string' ? market : JSON.stringify(market)));
}

/** Checks a state without planning: `{ valid: true }`, or throws its problems. */
export function check(state: State | string): { valid: true } {
    return JSON.parse(json.check(text(state)));
}

/** The JSON Schema of a document, as `reallot schema` prints it. */
export function schema(of: DocumentName): object {
    return JSON.parse(json.schema(of));
}
