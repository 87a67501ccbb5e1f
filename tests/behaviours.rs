//! The behaviours users asked for, each on a shipped model (issue 3).

use std::collections::BTreeMap;

use reallot::state::{Drain, DrainMode, State, Task, TaskKind};
use reallot::{Action, Decision, Plan, SolveStatus};

use crate::support::{check_contract, model};

fn plan(state: &State) -> Plan {
    let plan = reallot::plan(state).unwrap();
    check_contract(state, &plan).unwrap();
    plan
}

/// RAM held by a task, in GB.
fn ram(t: &Task) -> f64 {
    t.chunk_ram.unwrap_or(match t.kind {
        TaskKind::Till => 1.75,
        _ => 22.75,
    }) * t.placement.values().sum::<u64>() as f64
}

/// After a RAM jump the RAM goes first to growing or resizing the harvests that
/// already run (the undersized early ones), not to starting new work.
#[test]
fn a_ram_jump_grows_the_running_harvests_first() {
    for name in ["port-opener", "first-pservs"] {
        let state = model(name);
        let plan = plan(&state);
        let running: Vec<&str> =
            state.tasks.iter().filter(|t| t.kind == TaskKind::Harvest).map(|t| t.id.as_str()).collect();
        let before: f64 = state.tasks.iter().filter(|t| running.contains(&t.id.as_str())).map(ram).sum();
        let grown: f64 = plan.tasks.iter().filter(|t| running.contains(&t.id.as_str())).map(ram).sum();
        let launched: f64 =
            plan.tasks.iter().filter(|t| !state.tasks.iter().any(|o| o.id == t.id)).map(ram).sum();
        assert!(grown > 2.0 * before, "{name}: running harvests hold {grown} GB, were {before} GB");
        assert!(grown > 5.0 * launched, "{name}: new tasks took {launched} GB, running harvests {grown} GB");
        let i = &plan.income;
        assert!(i.planned_per_s > 3.0 * i.current_per_s, "{name}: income {i:?}");
        // Some running harvest was grown to a bigger batch or more batches.
        let bigger = plan.tasks.iter().any(|t| {
            state.tasks.iter().any(|o| {
                o.id == t.id
                    && (t.hack_threads > o.hack_threads
                        || t.placement.values().sum::<u64>() > o.placement.values().sum::<u64>())
            })
        });
        assert!(bigger, "{name}: no running harvest grew");
    }
}

/// Late game: RAM moves from the cheap early targets to the rich ones.
#[test]
fn late_game_moves_ram_from_cheap_targets_to_rich_ones() {
    let state = model("late-game");
    let plan = plan(&state);
    let cheap = ["n00dles", "foodnstuff", "sigma-cosmetics", "joesguns", "nectar-net", "hong-fang-tea"];
    let held = |tasks: &[Task]| -> f64 {
        tasks.iter().filter(|t| cheap.contains(&t.target.as_str())).map(ram).sum()
    };
    let (before, after) = (held(&state.tasks), held(&plan.tasks));
    assert!(before > 0.0, "the model runs cheap targets");
    assert!(after < 0.5 * before, "cheap targets held {before} GB and still hold {after} GB");
    let shrunk_or_killed = plan.actions.iter().any(|a| match a {
        Action::Kill { task } | Action::Shrink { task, .. } | Action::Resize { task, .. } => {
            state.tasks.iter().any(|t| &t.id == task && cheap.contains(&t.target.as_str()))
        }
        _ => false,
    });
    assert!(shrunk_or_killed);
    // With RAM to spare the plan may use more of it at a lower income per GB;
    // what must rise is the income itself.
    assert!(plan.income.planned_per_s > plan.income.current_per_s);
}

/// Drain and replace, the server-buying service's use: a purchased server is
/// drained while an empty replacement arrives. Starting from a table that is
/// already the planner's own best, every chunk on the drained server moves to the
/// new one, nothing is killed, and nothing unrelated moves.
#[test]
fn a_drain_and_replace_migrates_every_chunk_and_nothing_else() {
    let mut state = model("drain-pserv");
    for h in &mut state.hosts {
        h.drain = None;
    }
    state.tasks = plan(&state).tasks;
    let drained = "pserv-9";
    let on_drained: BTreeMap<String, u64> =
        state.tasks.iter().filter_map(|t| t.placement.get(drained).map(|&n| (t.id.clone(), n))).collect();
    assert!(!on_drained.is_empty(), "the best table uses {drained}");
    let mut replacement = state.hosts.iter().find(|h| h.name == drained).unwrap().clone();
    replacement.name = "pserv-25".into();
    state.hosts.push(replacement);
    state.hosts.iter_mut().find(|h| h.name == drained).unwrap().drain =
        Some(Drain { mode: DrainMode::Evict });
    let plan = plan(&state);
    let mut moved: BTreeMap<String, u64> = BTreeMap::new();
    for a in &plan.actions {
        match a {
            Action::Migrate { task, from, to, chunks } => {
                assert_eq!((from.as_str(), to.as_str()), (drained, "pserv-25"), "{a:?}");
                *moved.entry(task.clone()).or_default() += chunks;
            }
            other => panic!("only migrations off {drained} were expected, got {other:?}"),
        }
    }
    assert_eq!(moved, on_drained);
}

/// A drain with no room anywhere else kills the least valuable work first: the
/// shipped drain model empties pserv-3, and its high-value harvest keeps running.
#[test]
fn a_drain_empties_the_host_and_keeps_the_valuable_harvest() {
    let state = model("drain-pserv");
    let plan = plan(&state);
    assert!(plan.tasks.iter().all(|t| !t.placement.contains_key("pserv-3")));
    assert!(plan.tasks.iter().any(|t| t.target == "omega-net"), "the omega-net harvest was killed");
    for e in plan.explain.iter().filter(|e| !plan.tasks.iter().any(|t| t.id == e.task)) {
        assert!(e.why.starts_with("killed"), "{e:?}");
    }
}

/// Planning the plan's own table, or a table that is already the best, gives no
/// actions; the same state gives byte-identical output.
#[test]
fn an_optimal_table_is_left_alone() {
    for name in ["fresh-bitnode", "mid-game", "late-game"] {
        let mut state = model(name);
        let first = plan(&state);
        state.tasks = first.tasks.clone();
        let again = plan(&state);
        assert!(again.actions.is_empty(), "{name}: {:?}", again.actions);
        assert_eq!(again.solver.decision, Decision::Kept);
        let text = |p: &Plan| {
            let mut p = p.clone();
            p.solver.elapsed_ms = None;
            serde_json::to_string(&p).unwrap()
        };
        assert_eq!(text(&again), text(&reallot::plan(&state).unwrap()));
    }
}

/// `policy.min_gain` is a hysteresis: a gain below it is not worth a change.
#[test]
fn a_small_gain_below_min_gain_changes_nothing() {
    let mut state = model("mid-game");
    let best = plan(&state);
    let gain = best.income.planned_per_s / best.income.current_per_s - 1.0;
    assert!(gain > 0.05, "the model has room to improve ({gain})");
    state.policy.min_gain = (gain * 2.0).min(1.0);
    let lazy = plan(&state);
    assert!(lazy.actions.is_empty(), "{:?}", lazy.actions);
    assert_eq!(lazy.solver.decision, Decision::BelowMinGain);
}

/// A time limit too short for the solver still gives a valid plan no worse than
/// today's table (contract rule 7), and says that the limit was hit.
#[test]
fn a_time_limit_keeps_the_incumbent() {
    for name in ["mid-game", "late-game"] {
        let mut state = model(name);
        state.policy.time_limit_ms = 1;
        let plan = plan(&state);
        assert_eq!(plan.solver.status, SolveStatus::TimeLimit, "{name}");
        let i = &plan.income;
        let net = i.planned_per_s + i.prep_value_per_s - i.change_cost / state.policy.horizon_s;
        assert!(net >= i.current_per_s + i.current_prep_value_per_s, "{name}: {i:?}");
    }
}
