/**
 * An example game script: every minute it reads the game, plans, and prints what
 * it would do. A dry run: it changes nothing. Copy `reallot.js` and
 * `rebalance.js` next to each other in the game and `run rebalance.js`
 * (`--once` plans a single cycle, `--interval 30` every 30 s).
 *
 * To act on a plan, replace `dryRunExecutor` with an `Executor` that sends the
 * batch system's own messages, and build the state with `stateFromSnapshot` from
 * the memory manager's snapshot and the TaskSelector's tasks, so the plan knows
 * what runs now.
 */

import { dryRunExecutor, execute, plan, ReallotError, stateFromGame, summarize } from './reallot.js';
import type { NS } from './reallot.js';

export async function main(ns: NS): Promise<void> {
    const flags = ns.flags([
        ['once', false],
        ['interval', 60],
    ]);
    const log = (line: string) => ns.print(line);
    for (;;) {
        try {
            const p = plan(stateFromGame(ns));
            const { headline, why } = summarize(p);
            log(headline);
            await execute(p.actions, dryRunExecutor(log));
            why.forEach(log);
        } catch (e) {
            if (!(e instanceof ReallotError)) throw e;
            log(`ERROR reallot: ${e.message}`);
        }
        if (flags.once) return;
        await ns.sleep(Number(flags.interval) * 1000);
    }
}
