//! The output contract: the new table, the actions, the income figures and the
//! explanation; and the two entry points that produce them, [`plan`] and [`analyze`].

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Duration;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::diff::{self, Action};
use crate::error::Error;
use crate::game;
use crate::model::{self, density, Model, Table};
use crate::net;
use crate::solve::{self, Status};
use crate::state::{State, Task, TaskKind};
use crate::{Instant, Ram};

/// One cycle's answer.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// The new allocation table, in id order, the same shape as `State::tasks`.
    pub tasks: Vec<Task>,
    /// The steps from today's table to the new one, in the order to apply them.
    pub actions: Vec<Action>,
    /// What today's and the new table earn.
    pub income: Income,
    /// Why each task got the RAM it got.
    pub explain: Vec<Explain>,
    /// How the solve went.
    pub solver: Solver,
}

/// Income figures, in dollars per second unless said otherwise.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Income {
    /// Harvest income of today's table.
    pub current_per_s: f64,
    /// What today's till and sow are worth: the harvest income they bring forward.
    pub current_prep_value_per_s: f64,
    /// Harvest income of the new table.
    pub planned_per_s: f64,
    /// What the new table's till and sow are worth: the harvest income they bring forward.
    pub prep_value_per_s: f64,
    /// One-off dollars the change costs: batches and rounds lost, first batches not yet landed.
    pub change_cost: f64,
    /// A bound no table can beat on `planned_per_s + prep_value_per_s`.
    pub upper_bound_per_s: f64,
}

/// Why one task got what it got.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Explain {
    /// The task's id.
    pub task: String,
    /// The reason, in game units.
    pub why: String,
}

/// How the solve went.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Solver {
    /// Whether every stage of the solve ran to its end.
    pub status: SolveStatus,
    /// What the plan does with today's table.
    pub decision: Decision,
    /// Why a stage stopped early, when it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Wall time of the solve. Left out of the CLI's output unless asked for, so the
    /// same state gives byte-identical output.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub elapsed_ms: Option<u64>,
}

/// Whether every stage of the solve ran to its end.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SolveStatus {
    /// Every stage ran to its end.
    Complete,
    /// A stage ran out of time and the best table found was kept.
    TimeLimit,
    /// A stage failed and the best table found was kept (`message` says why).
    Error,
}

/// What a plan does with today's table.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// A better table.
    Changed,
    /// Today's table is the best there is.
    Kept,
    /// Only what drains and caps force was changed.
    Repaired,
    /// A better table exists but gains less than `policy.min_gain`; only forced
    /// changes were made.
    BelowMinGain,
}

/// Plans one cycle.
///
/// `policy.time_limit_ms` counts from this call.
///
/// # Errors
///
/// [`Error::Invalid`] when the state is not valid; [`Error::Internal`] when the
/// plan breaks one of its own rules (a bug).
pub fn plan(state: &State) -> Result<Plan, Error> {
    plan_since(state, Instant::now())
}

/// Plans one cycle of a state given as JSON text (what the CLI and the
/// WebAssembly module do): [`crate::parse`], then [`plan`], with
/// `policy.time_limit_ms` counted from this call, the parse included.
///
/// # Errors
///
/// As [`crate::parse`] and [`plan`].
pub fn plan_json(text: &str) -> Result<Plan, Error> {
    let started = Instant::now();
    plan_since(&crate::parse(text)?, started)
}

/// [`plan`] with the time limit counted from `started`.
fn plan_since(state: &State, started: Instant) -> Result<Plan, Error> {
    let net = net::validate(state)?;
    // Eighths of the limit: the model takes the fine grid until three, the
    // solve stops at seven, leaving the rest for the bound, the diff and the
    // explanation (about 20 ms of 200 at every size limit).
    let limit_ms = net.policy.time_limit_ms;
    let at = |eighths: u64| started + Duration::from_micros(limit_ms * 1000 * eighths / 8);
    let model = model::build(net, Some(at(3)));
    let deadline = at(7);
    let outcome = solve::solve(&model, deadline);
    let (decision, table) = decide(&model, &outcome);
    let status = outcome.status;
    let baseline = outcome.baseline;
    if let Some(why) = model.violation(&table) {
        return Err(Error::Internal(format!("the plan breaks a rule: {why}")));
    }
    let new = table_tasks(&model, &table);
    let job_of: HashMap<usize, usize> =
        model.jobs.iter().enumerate().map(|(j, job)| (job.target, j)).collect();
    let lands =
        |t: &net::Task, h: usize| job_of.get(&t.target).is_some_and(|&j| model.leaves_when_landed(j, h));
    let actions = diff::actions(&model.net, &by_id(model.net.tasks.clone()), &new, &lands)?;
    let tasks: Vec<Task> = new.iter().map(|t| net::wire(&model.net, t)).collect();
    let (value, planned) = (model.value(&table), model.income(&table));
    let (today_value, today) = (model.value(&model.current), model.income(&model.current));
    let coarse = (model.coarse > 0).then(|| {
        let targets = model.net.targets.len();
        format!("the model ran out of time: {} of {targets} targets' harvest menus are coarse", model.coarse)
    });
    let (status, solve) = match status {
        Status::Complete if coarse.is_some() => (SolveStatus::TimeLimit, None),
        Status::Complete => (SolveStatus::Complete, None),
        Status::TimeLimit => (SolveStatus::TimeLimit, Some("a solver stage ran out of time".to_string())),
        Status::Error(e) => (SolveStatus::Error, Some(e)),
    };
    let message = match (coarse, solve) {
        (Some(model), Some(solve)) => Some(format!("{model}; {solve}")),
        (model, solve) => model.or(solve),
    };
    Ok(Plan {
        explain: explain(&model, &table, &baseline, &tasks),
        tasks,
        actions,
        income: Income {
            current_per_s: today,
            current_prep_value_per_s: today_value - today,
            planned_per_s: planned,
            prep_value_per_s: value - planned,
            change_cost: model.cost(&table),
            upper_bound_per_s: outcome.bound.max(value),
        },
        solver: Solver { status, decision, message, elapsed_ms: Some(started.elapsed().as_millis() as u64) },
    })
}

/// Whether the solve's table is worth the change, and the table to take: the
/// solve's, or the baseline (today's table with only forced changes).
fn decide(model: &Model, outcome: &solve::Outcome) -> (Decision, Table) {
    let baseline = &outcome.baseline;
    let gain = model.net_value(&outcome.table) - model.net_value(baseline);
    let decision = if worth_it(model, baseline, &outcome.table) && outcome.table != *baseline {
        Decision::Changed
    } else if gain > 0.0 && outcome.table != *baseline {
        Decision::BelowMinGain
    } else if *baseline == model.current {
        Decision::Kept
    } else {
        Decision::Repaired
    };
    let table = if decision == Decision::Changed { outcome.table.clone() } else { baseline.clone() };
    (decision, table)
}

/// Whether `table` gains at least `policy.min_gain` of the baseline's income over
/// the baseline: relative to what remains after the forced changes, since income
/// on a drained host is going away whatever the plan does.
fn worth_it(model: &Model, baseline: &Table, table: &Table) -> bool {
    let gain = model.net_value(table) - model.net_value(baseline);
    gain > 0.0 && gain >= model.net.policy.min_gain * model.income(baseline)
}

/// Tasks in id order.
fn by_id(mut tasks: Vec<net::Task>) -> Vec<net::Task> {
    tasks.sort_by(|a, b| a.id.cmp(&b.id));
    tasks
}

/// The table as tasks, in id order. A job that keeps its kind keeps its task's
/// id; a new task is called `kind:target`, or `kind:target#2`, `#3`, … when
/// that is the id of any task today (whatever its target: an id is only a
/// name) or of another new one, so that no action can reach the wrong task.
fn table_tasks(model: &Model, table: &Table) -> Vec<net::Task> {
    let net = &model.net;
    let mut taken: HashSet<String> = net.tasks.iter().map(|t| t.id.clone()).collect();
    let mut tasks = Vec::new();
    for (j, alloc) in table.iter().enumerate() {
        let Some(a) = alloc else { continue };
        let job = &model.jobs[j];
        let shape = model.shape(j, a);
        // A task keeps its id through a resize, unless it must wind down instead.
        let kept = |&(t, s): &(usize, usize)| {
            net.tasks[t].kind == shape.kind && (s == a.shape || !model.winds_down(j))
        };
        let old = job.current.filter(kept).map(|(t, _)| &net.tasks[t]);
        let id = match old {
            Some(t) => t.id.clone(),
            None => {
                let base = format!("{}:{}", shape.kind.name(), net.targets[job.target].name);
                let (mut id, mut k) = (base.clone(), 1);
                while taken.contains(&id) {
                    k += 1;
                    id = format!("{base}#{k}");
                }
                taken.insert(id.clone());
                id
            }
        };
        tasks.push(net::Task {
            id,
            kind: shape.kind,
            target: job.target,
            hack_threads: shape.hack_threads,
            chunk: shape.chunk,
            placement: a.hosts().collect(),
            pinned: old.is_some_and(|t| t.pinned),
        });
    }
    by_id(tasks)
}

/// One line per task of the new table and per task it stops.
fn explain(model: &Model, table: &Table, baseline: &Table, tasks: &[Task]) -> Vec<Explain> {
    let net = &model.net;
    let current = &model.current;
    let mut out = Vec::new();
    // Each host's jobs and their RAM there, the most room left on a host and
    // each target's task id, found once: the explanation costs about what the
    // table holds.
    let mut holders: Vec<Vec<(usize, Ram)>> = vec![Vec::new(); net.hosts.len()];
    for (j, a) in table.iter().enumerate().filter_map(|(j, a)| Some((j, a.as_ref()?))) {
        let chunk = model.shape(j, a).chunk;
        a.hosts().for_each(|(h, n)| holders[h].push((j, chunk * n)));
    }
    let room = |h: usize, host: &net::Host| match host.drained {
        true => Ram::ZERO,
        false => host.cap.saturating_sub(holders[h].iter().map(|e| e.1).sum()),
    };
    let most_room = net.hosts.iter().enumerate().map(|(h, host)| room(h, host)).max().unwrap_or(Ram::ZERO);
    let id_of: HashMap<&str, &str> = tasks.iter().map(|t| (t.target.as_str(), t.id.as_str())).collect();
    for (j, job) in model.jobs.iter().enumerate() {
        let target = &net.targets[job.target].name;
        let old_task = job.current.map(|(t, _)| &net.tasks[t]);
        match &table[j] {
            Some(a) => {
                let s = model.shape(j, a);
                let id = id_of.get(target.as_str()).map(|id| id.to_string()).unwrap_or_default();
                let n = a.total();
                let worth = format!("{} per GB·s", money(density(s) * 100.0));
                let what = match s.kind {
                    TaskKind::Harvest => format!(
                        "harvest with H={} ({} batches): {n} of {} batches, {worth}",
                        s.hack_threads.unwrap_or(0),
                        s.chunk,
                        s.cap
                    ),
                    kind => format!(
                        "{} {n} of {} chunks of {} left, {worth} as the harvest it brings forward",
                        kind.name(),
                        s.cap,
                        s.chunk
                    ),
                };
                let limit = if job.pinned {
                    "pinned".to_string()
                } else if n >= s.cap {
                    match s.kind {
                        TaskKind::Harvest => "limited by overlap".to_string(),
                        _ => "limited by work left".to_string(),
                    }
                } else if most_room < s.chunk {
                    let fit = net.hosts.iter().filter(|h| !h.drained && h.cap >= s.chunk).count();
                    format!("limited by RAM: no host has {} free ({fit} hosts could hold one)", s.chunk)
                } else {
                    "limited by its start cost: more chunks would not repay it within the horizon".to_string()
                };
                // A task that gave up RAM says to whom.
                let before: Vec<(usize, Ram)> = old_task
                    .map_or(Vec::new(), |t| t.placement.iter().map(|&(h, n)| (h, t.chunk * n)).collect());
                let lost: Vec<usize> =
                    before.iter().filter(|&&(h, r)| s.chunk * a.get(h) < r).map(|&(h, _)| h).collect();
                let gave = before.iter().map(|b| b.1).sum::<Ram>().saturating_sub(s.chunk * n);
                let shrunk = if gave > Ram::ZERO {
                    format!("; gave up {gave}{}", successors(model, &holders, j, lost))
                } else {
                    String::new()
                };
                out.push(Explain { task: id, why: format!("{what}; {limit}{shrunk}") });
            }
            None => {
                let Some(old) = old_task else {
                    if let Some(note) = &job.note {
                        out.push(Explain { task: format!("harvest:{target}"), why: note.clone() });
                    }
                    continue;
                };
                let drained = old.placement.iter().any(|&(h, _)| net.hosts[h].drained);
                let why = if drained && current[j].is_some() && baseline[j].is_none() {
                    "killed: its host is drained and no other host had room for it".to_string()
                } else {
                    let s = &job.shapes[job.current.unwrap().1];
                    if s.cap == 0 || s.value <= 0.0 {
                        format!("killed: it is worth nothing now ({} phase)", job.phase.name())
                    } else {
                        format!(
                            "killed: {} per GB·s, less than the work that took its RAM{}",
                            money(density(s) * 100.0),
                            successors(model, &holders, j, old.placement.iter().map(|p| p.0))
                        )
                    }
                };
                out.push(Explain { task: old.id.clone(), why });
            }
        }
    }
    out.sort_by(|a, b| a.task.cmp(&b.task));
    out
}

/// " (now used against a, b)": the other jobs of the new table that hold the most
/// RAM on these hosts; `on` holds each host's jobs and their RAM there.
fn successors(
    model: &Model,
    on: &[Vec<(usize, Ram)>],
    except: usize,
    hosts: impl IntoIterator<Item = usize>,
) -> String {
    let mut held: BTreeMap<usize, Ram> = BTreeMap::new();
    for (j, ram) in hosts.into_iter().flat_map(|h| &on[h]).filter(|(j, _)| *j != except) {
        *held.entry(*j).or_insert(Ram::ZERO) += *ram;
    }
    let mut holders: Vec<(Ram, &str)> = held
        .into_iter()
        .map(|(j, ram)| (ram, model.net.targets[model.jobs[j].target].name.as_str()))
        .collect();
    holders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    let names: Vec<&str> = holders.iter().take(3).map(|h| h.1).collect();
    if names.is_empty() {
        String::new()
    } else {
        format!(" (now used against {})", names.join(", "))
    }
}

/// Dollars, short: `$1.23k`.
fn money(x: f64) -> String {
    let (v, unit) = [(1e12, "t"), (1e9, "b"), (1e6, "m"), (1e3, "k")]
        .into_iter()
        .find(|&(s, _)| x.abs() >= s)
        .map_or((x, ""), |(s, u)| (x / s, u));
    format!("${v:.3}{unit}")
}

/// Per target: the game's view of it now and its harvest menu.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Analysis {
    /// One entry per target, in input order.
    pub targets: Vec<TargetAnalysis>,
}

/// The economics of one target.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TargetAnalysis {
    /// The target's name.
    pub name: String,
    /// `till`, `sow` or `harvest`, from its security and money.
    pub phase: TaskKind,
    /// Whether the player's skill is enough to hack it.
    pub hackable: bool,
    /// Hack chance at its current security.
    pub chance: f64,
    /// Hack, grow and weaken times at its current security.
    pub hack_ms: f64,
    /// See `hack_ms`.
    pub grow_ms: f64,
    /// See `hack_ms`.
    pub weaken_ms: f64,
    /// Most batches in flight at once, from the weaken time at minimum security.
    pub overlap: u64,
    /// Weaken threads needed to reach minimum security.
    pub till_threads: u64,
    /// Sow chunks (12 grow + 1 weaken) needed to reach maximum money.
    pub sow_chunks: u64,
    /// Harvest options on the upper envelope of income per GB, by hack threads.
    pub menu: Vec<MenuEntry>,
}

/// One harvest option.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MenuEntry {
    /// Hack threads H.
    pub hack_threads: u64,
    /// Grow threads G (absent for a user menu).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grow_threads: Option<u64>,
    /// Weaken threads W1 + W2 (absent for a user menu).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weaken_threads: Option<u64>,
    /// RAM of one batch in GB.
    pub chunk_ram: f64,
    /// Dollars per second one chunk earns.
    pub chunk_income_per_s: f64,
    /// Dollars per second per GB.
    pub income_per_gb_s: f64,
    /// Dollars per second at full overlap.
    pub full_income_per_s: f64,
}

/// Computes the economics of every target.
///
/// # Errors
///
/// [`Error::Invalid`] when the state is not valid.
pub fn analyze(state: &State) -> Result<Analysis, Error> {
    let model = model::build(net::validate(state)?, None);
    let net = &model.net;
    let p = &net.player;
    let targets = net
        .targets
        .iter()
        .map(|t| {
            let s = &t.server;
            let overlap = t.timing.overlap();
            let hackable = p.hacking as f64 >= s.required_hacking;
            let entry = |h: u64, grow: Option<u64>, weaken: Option<u64>, ram: Ram, income: f64| MenuEntry {
                hack_threads: h,
                grow_threads: grow,
                weaken_threads: weaken,
                chunk_ram: ram.gb(),
                chunk_income_per_s: income,
                income_per_gb_s: income / ram.gb().max(0.01),
                full_income_per_s: income * overlap as f64,
            };
            let menu = match (&t.menu, hackable) {
                (_, false) => Vec::new(),
                (Some(m), true) => m.iter().map(|&(h, ram, v)| entry(h, None, None, ram, v)).collect(),
                (None, true) => game::menu(p, s, &net.config)
                    .iter()
                    .map(|o| {
                        let b = o.batch;
                        entry(
                            o.hack_threads,
                            Some(b.grow),
                            Some(b.weaken1 + b.weaken2),
                            b.ram,
                            o.chunk_income_per_s,
                        )
                    })
                    .collect(),
            };
            TargetAnalysis {
                name: t.name.clone(),
                phase: game::phase(&net.config, s),
                hackable,
                chance: game::hack_chance(p, s),
                hack_ms: game::hack_time_ms(p, s),
                grow_ms: game::grow_time_ms(p, s),
                weaken_ms: game::weaken_time_ms(p, s),
                overlap,
                till_threads: game::till_threads(p, s),
                sow_chunks: game::sow_chunks(p, s),
                menu,
            }
        })
        .collect();
    Ok(Analysis { targets })
}
