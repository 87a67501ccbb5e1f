//! The behaviours users asked for, each on a shipped model (issue 3).

use std::collections::BTreeMap;

use reallot::state::{Drain, DrainMode, State, Task, TaskKind};
use reallot::{Action, Decision, Plan, SolveStatus, When};

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
        // Most of the new RAM goes to them: the exact optimum of port-opener
        // also tills a target with a fifth of it.
        let more = grown - before;
        assert!(
            more > 2.0 * launched,
            "{name}: new tasks took {launched} GB, running harvests {more} GB more"
        );
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
    state.hosts.iter_mut().find(|h| h.name == drained).unwrap().drain = Some(Drain::new(DrainMode::Evict));
    let plan = plan(&state);
    let mut moved: BTreeMap<String, u64> = BTreeMap::new();
    for a in &plan.actions {
        match a {
            Action::Migrate { task, from, to, chunks, when: When::Now } => {
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

/// A time limit too short for the model and the solver still gives a valid
/// plan no worse than today's table (contract rule 7), and says what the limit
/// cut.
#[test]
fn a_time_limit_keeps_the_incumbent() {
    for name in ["mid-game", "late-game"] {
        let mut state = model(name);
        state.policy.time_limit_ms = 1;
        let plan = plan(&state);
        assert_eq!(plan.solver.status, SolveStatus::TimeLimit, "{name}");
        let message = plan.solver.message.as_deref().unwrap_or_default();
        assert!(
            message.contains("harvest menus are coarse") || message.contains("solver"),
            "{name}: {message}"
        );
        let i = &plan.income;
        let net = i.planned_per_s + i.prep_value_per_s - i.change_cost / state.policy.horizon_s;
        assert!(net >= i.current_per_s + i.current_prep_value_per_s, "{name}: {i:?}");
    }
}

/// The drain-and-replace above, graceful: with the server cordoned, every chunk
/// still moves to the new one, but leaves when its work lands (`when: lands`),
/// nothing arrives on the cordoned host, and the change costs only the starts.
#[test]
fn a_cordon_moves_every_chunk_when_its_work_lands() {
    let mut state = model("drain-pserv");
    for h in &mut state.hosts {
        h.drain = None;
    }
    state.tasks = plan(&state).tasks;
    let cordoned = "pserv-9";
    let mut replacement = state.hosts.iter().find(|h| h.name == cordoned).unwrap().clone();
    replacement.name = "pserv-25".into();
    state.hosts.push(replacement);
    let mut evicted = state.clone();
    let drain = |s: &mut State, mode| {
        s.hosts.iter_mut().find(|h| h.name == cordoned).unwrap().drain = Some(Drain::new(mode))
    };
    drain(&mut state, DrainMode::Cordon);
    drain(&mut evicted, DrainMode::Evict);
    let (graceful, forced) = (plan(&state), plan(&evicted));
    assert!(!graceful.actions.is_empty());
    for a in &graceful.actions {
        match a {
            Action::Migrate { from, to, when: When::Lands, .. } => {
                assert_eq!((from.as_str(), to.as_str()), (cordoned, "pserv-25"), "{a:?}")
            }
            other => panic!("only graceful migrations off {cordoned} were expected, got {other:?}"),
        }
    }
    // The same table either way; the graceful one does not pay for batches in flight.
    assert_eq!(graceful.tasks, forced.tasks);
    assert!(
        graceful.income.change_cost < forced.income.change_cost,
        "{:?} vs {:?}",
        graceful.income,
        forced.income
    );
    crate::support::check_stable(&state, &graceful).unwrap();
}

/// A cordon's deadline: work that cannot land by then leaves now, as with
/// `evict`; with time enough, everything waits for its work.
#[test]
fn a_cordon_deadline_evicts_what_cannot_land_in_time() {
    let mut state = model("drain-pserv");
    let host = state.hosts.iter().position(|h| h.drain.is_some()).unwrap();
    let name = state.hosts[host].name.clone();
    let whens = |state: &State| -> Vec<When> {
        plan(state)
            .actions
            .iter()
            .filter_map(|a| match a {
                Action::Shrink { host, when, .. } if *host == name => Some(*when),
                Action::Migrate { from, when, .. } if *from == name => Some(*when),
                _ => None,
            })
            .collect()
    };
    let mut at = |deadline_s| {
        state.hosts[host].drain = Some(Drain { mode: DrainMode::Cordon, deadline_s });
        whens(&state)
    };
    let (none, short, long) = (at(None), at(Some(0.0)), at(Some(1e6)));
    assert!(!none.is_empty());
    assert!(none.iter().all(|w| *w == When::Lands), "{none:?}");
    assert!(short.iter().all(|w| *w == When::Now), "{short:?}");
    assert_eq!(long, none);
}

/// A task that runs only on a cordoned host, with no room anywhere else, winds
/// down: its chunks leave as their work lands and the task ends, never killed.
#[test]
fn a_cordoned_task_with_nowhere_to_go_winds_down() {
    let state: State = reallot::parse(
        r#"{"player": {"hacking": 50},
            "hosts": [{"name": "a", "max_ram": 64, "drain": {"mode": "cordon"}}, {"name": "b", "max_ram": 2}],
            "targets": [{"name": "n00dles", "required_hacking": 1, "min_security": 1, "max_money": 1750000, "growth": 3000}],
            "tasks": [{"id": "harvest:n00dles", "kind": "harvest", "target": "n00dles", "hack_threads": 4,
                       "chunk_ram": 12.25, "placement": {"a": 3}}]}"#,
    )
    .unwrap();
    let plan = plan(&state);
    assert!(plan.tasks.is_empty(), "{:?}", plan.tasks);
    assert_eq!(
        plan.actions,
        [Action::Shrink { task: "harvest:n00dles".into(), host: "a".into(), chunks: 3, when: When::Lands }]
    );
    crate::support::check_stable(&state, &plan).unwrap();
}
