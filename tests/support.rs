//! Shared helpers: the shipped models and an independent checker of the contract.
//!
//! The checker does not trust the planner: it applies the actions itself and checks
//! every rule of DESIGN.md after every single action.

use std::collections::BTreeMap;

use reallot::state::{DrainMode, State, Task, TaskKind};
use reallot::{Action, Plan, When};

/// Every file in `models/` (not timelines), by name.
pub fn models() -> Vec<(String, State)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/models");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let state = reallot::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (p.file_stem().unwrap().to_string_lossy().into_owned(), state)
        })
        .collect()
}

/// One shipped model by name.
#[allow(dead_code)] // Used by the behaviour tests.
pub fn model(name: &str) -> State {
    models().into_iter().find(|m| m.0 == name).unwrap_or_else(|| panic!("no model {name}")).1
}

/// Hundredths of a GB, exactly.
fn ram(gb: f64) -> u64 {
    (gb * 100.0).round() as u64
}

/// The chunk RAM of a task as the state gives it (defaults for till and sow).
fn chunk(t: &Task) -> u64 {
    match (t.chunk_ram, t.kind) {
        (Some(gb), _) => ram(gb),
        (None, TaskKind::Till) => 175,
        (None, TaskKind::Sow) => 2275,
        (None, TaskKind::Harvest) => panic!("tests give harvest chunk_ram explicitly: {}", t.id),
    }
}

/// Applies one action to a table, or says why it cannot be applied.
pub fn apply(tasks: &mut BTreeMap<String, Task>, action: &Action) -> Result<(), String> {
    match action {
        Action::Launch { task, kind, target, hack_threads, chunk_ram, placement } => {
            if tasks.contains_key(task) {
                return Err(format!("launch of existing task {task}"));
            }
            let t = Task {
                id: task.clone(),
                kind: *kind,
                target: target.clone(),
                hack_threads: *hack_threads,
                chunk_ram: Some(*chunk_ram),
                placement: placement.clone(),
                pinned: false,
            };
            tasks.insert(task.clone(), t);
        }
        Action::Grow { task, host, chunks } => {
            let t = tasks.get_mut(task).ok_or(format!("grow of missing task {task}"))?;
            *t.placement.entry(host.clone()).or_default() += chunks;
        }
        Action::Shrink { task, host, chunks, .. } => {
            let t = tasks.get_mut(task).ok_or(format!("shrink of missing task {task}"))?;
            take(t, host, *chunks)?;
        }
        Action::Migrate { task, from, to, chunks, .. } => {
            let t = tasks.get_mut(task).ok_or(format!("migrate of missing task {task}"))?;
            take(t, from, *chunks)?;
            *t.placement.entry(to.clone()).or_default() += chunks;
        }
        Action::Resize { task, hack_threads, chunk_ram, placement } => {
            let t = tasks.get_mut(task).ok_or(format!("resize of missing task {task}"))?;
            t.hack_threads = *hack_threads;
            t.chunk_ram = Some(*chunk_ram);
            t.placement = placement.clone();
        }
        Action::Kill { task } => {
            tasks.remove(task).ok_or(format!("kill of missing task {task}"))?;
        }
    }
    Ok(())
}

/// What a cordoned host allows: no chunk arrives; without a deadline, every chunk
/// leaves when its work lands (no kill, resize or leaving now of a task there).
fn cordoned(
    cordons: &BTreeMap<&str, Option<f64>>,
    tasks: &BTreeMap<String, Task>,
    a: &Action,
) -> Result<(), String> {
    let arrives: Vec<&String> = match a {
        Action::Launch { placement, .. } | Action::Resize { placement, .. } => placement.keys().collect(),
        Action::Grow { host, .. } | Action::Migrate { to: host, .. } => vec![host],
        _ => vec![],
    };
    if let Some(h) = arrives.into_iter().find(|h| cordons.contains_key(h.as_str())) {
        return Err(format!("a chunk goes to cordoned {h}"));
    }
    let graceful = |h: &str| cordons.get(h).is_some_and(|d| d.is_none());
    match a {
        Action::Shrink { host: h, when: When::Now, .. }
        | Action::Migrate { from: h, when: When::Now, .. }
            if graceful(h) =>
        {
            Err(format!("chunks leave cordoned {h} before their work lands"))
        }
        Action::Kill { task } | Action::Resize { task, .. } => match tasks.get(task) {
            Some(t) if t.placement.keys().any(|h| graceful(h)) => {
                Err(format!("{task} is stopped while it runs on a cordoned host"))
            }
            _ => Ok(()),
        },
        _ => Ok(()),
    }
}

fn take(t: &mut Task, host: &str, chunks: u64) -> Result<(), String> {
    let n = t.placement.get_mut(host).ok_or(format!("{} holds nothing on {host}", t.id))?;
    *n = n.checked_sub(chunks).ok_or(format!("{} holds fewer than {chunks} chunks on {host}", t.id))?;
    if *n == 0 {
        t.placement.remove(host);
    }
    Ok(())
}

/// Every host's use in hundredths of a GB.
fn usage(tasks: &BTreeMap<String, Task>) -> BTreeMap<String, u64> {
    let mut used = BTreeMap::new();
    for t in tasks.values() {
        for (h, n) in &t.placement {
            *used.entry(h.clone()).or_default() += chunk(t) * n;
        }
    }
    used
}

/// Checks contract rules 1–5 and 7 for `plan` of `state`; rule 6 is [`check_stable`].
pub fn check_contract(state: &State, plan: &Plan) -> Result<(), String> {
    let caps: BTreeMap<&str, u64> =
        state.hosts.iter().map(|h| (h.name.as_str(), ram(h.max_ram) - ram(h.reserved_ram))).collect();
    let mut tasks: BTreeMap<String, Task> = state
        .tasks
        .iter()
        .map(|t| {
            let mut t = t.clone();
            t.chunk_ram = Some(chunk(&t) as f64 / 100.0);
            (t.id.clone(), t)
        })
        .collect();
    let pinned: Vec<Task> = tasks.values().filter(|t| t.pinned).cloned().collect();
    let cordons: BTreeMap<&str, Option<f64>> = state
        .hosts
        .iter()
        .filter_map(|h| {
            h.drain.as_ref().filter(|d| d.mode == DrainMode::Cordon).map(|d| (h.name.as_str(), d.deadline_s))
        })
        .collect();
    // RAM of chunks that leave only when their work lands: held until the last action.
    let mut landing: BTreeMap<String, u64> = BTreeMap::new();
    for (i, a) in plan.actions.iter().enumerate() {
        cordoned(&cordons, &tasks, a).map_err(|e| format!("rule 3: action {i} ({a:?}): {e}"))?;
        if let Action::Shrink { task, host: from, chunks, when: When::Lands }
        | Action::Migrate { task, from, chunks, when: When::Lands, .. } = a
        {
            let t = &tasks.get(task).ok_or(format!("rule 1: action {i} on missing task {task}"))?;
            *landing.entry(from.clone()).or_default() += chunk(t) * chunks;
        }
        apply(&mut tasks, a).map_err(|e| format!("rule 1: action {i} ({a:?}): {e}"))?;
        let mut used = usage(&tasks);
        landing.iter().for_each(|(h, r)| *used.entry(h.clone()).or_default() += r);
        for (h, u) in used {
            let cap = caps.get(h.as_str()).ok_or(format!("action {i} uses unknown host {h}"))?;
            if u > *cap {
                return Err(format!("rule 2: after action {i} ({a:?}) {h} holds {u} of {cap} hundredths"));
            }
        }
    }
    // Rule 1: the actions reach the plan's table exactly; a task shrunk to
    // nothing has ended.
    tasks.retain(|_, t| !t.placement.is_empty());
    let planned: BTreeMap<String, Task> = plan.tasks.iter().map(|t| (t.id.clone(), t.clone())).collect();
    if tasks != planned {
        return Err(format!(
            "rule 1: applying the actions gives\n{tasks:#?}\nbut the plan says\n{planned:#?}"
        ));
    }
    if plan.tasks.windows(2).any(|w| w[0].id >= w[1].id) {
        return Err("plan.tasks are not in id order".into());
    }
    // Rule 3: evicted hosts are empty.
    for h in state.hosts.iter().filter(|h| h.drain.is_some()) {
        if let Some(t) = plan.tasks.iter().find(|t| t.placement.contains_key(&h.name)) {
            return Err(format!("rule 3: {} still holds chunks of {}", h.name, t.id));
        }
    }
    // Rule 4: pinned tasks are exactly as they were.
    for p in &pinned {
        if planned.get(&p.id) != Some(p) {
            return Err(format!("rule 4: pinned task {} changed", p.id));
        }
    }
    // Rule 5: harvests within overlap; every task has chunks.
    let analysis = reallot::analyze(state).map_err(|e| e.to_string())?;
    for t in &plan.tasks {
        let total: u64 = t.placement.values().sum();
        if total == 0 || t.placement.values().any(|&n| n == 0) {
            return Err(format!("{} has an empty placement entry", t.id));
        }
        if t.kind == TaskKind::Harvest {
            let overlap = analysis.targets.iter().find(|a| a.name == t.target).unwrap().overlap;
            if total > overlap && !t.pinned {
                return Err(format!("rule 5: {} holds {total} batches, above its overlap {overlap}", t.id));
            }
        }
    }
    // Rule 7: net of the change's cost, never below keeping today's table (when
    // today's table is itself valid: no drains).
    let i = &plan.income;
    if i.planned_per_s + i.prep_value_per_s > i.upper_bound_per_s * (1.0 + 1e-9) {
        return Err(format!("the plan's value is above its own upper bound: {i:?}"));
    }
    if state.hosts.iter().all(|h| h.drain.is_none()) {
        let net = i.planned_per_s + i.prep_value_per_s - i.change_cost / state.policy.horizon_s;
        let today = i.current_per_s + i.current_prep_value_per_s;
        if net < today - 1e-6 * today.abs() {
            return Err(format!("rule 7: net {net} is below today's value {today}"));
        }
    }
    Ok(())
}

/// Rule 6: the same state gives the same plan; planning the plan's table gives no actions.
pub fn check_stable(state: &State, plan: &Plan) -> Result<(), String> {
    let again = reallot::plan(state).map_err(|e| e.to_string())?;
    let strip = |p: &Plan| {
        let mut p = p.clone();
        p.solver.elapsed_ms = None;
        serde_json::to_string(&p).unwrap()
    };
    if strip(&again) != strip(plan) {
        return Err("rule 6: the same state planned twice gives different output".into());
    }
    let mut next = state.clone();
    next.tasks = plan.tasks.clone();
    let replan = reallot::plan(&next).map_err(|e| e.to_string())?;
    if !replan.actions.is_empty() {
        return Err(format!("rule 6: planning the plan's own table gives actions: {:?}", replan.actions));
    }
    Ok(())
}
