//! The simulator behind `reallot simulate`: it plays a BitNode forward on the
//! game's formulas and runs several policies on the same timeline, so every
//! claim about the planner is a measured number.
//!
//! # Timeline
//!
//! A [`Timeline`] is an initial [`State`] (no tasks: every policy builds its own
//! table), a duration, the player's hacking level as a piecewise-linear curve,
//! and dated [`Event`]s: hosts appear (a port opener roots a group of servers, a
//! server is bought) or go, a host's RAM changes (home upgrades; a purchased
//! server's in-place upgrade keeps its scripts running), a host is drained or
//! undrained, targets appear. A drain-and-replace is a `drain`, then later one
//! event with `remove_hosts` and `add_hosts` of the same name (deleting a server
//! kills what still runs there).
//!
//! # The model
//!
//! Time moves in **fixed steps** of `step_s` game seconds (1 s by default).
//! Within a step, every chunk's work that lands by the step's end lands, in task
//! order, at the level of the step's end; then the step's events apply; then the
//! policy acts. Money is the **expected value** (hack chance × money taken), so
//! runs are deterministic.
//!
//! * **Harvest**: a chunk started at t lands its first batch one weaken time plus
//!   two spacings later, then one batch every `overlap · 4 · spacing` (its ending
//!   slot comes round once per overlap, as the planner's model has it). Each batch earns
//!   its hack threads' expected money at the current level on the prepped target:
//!   the HWGW is assumed to keep the target at minimum security and maximum money.
//!   A batch never takes a larger fraction of the money than it was sized for at
//!   launch: as the level rises, a fixed H would take more than the batch's grow
//!   threads restore (today's `harvest.js` keeps its fraction p for that reason).
//!   Above its overlap (it falls as the level rises) a task earns for the overlap
//!   only.
//! * **Till**: each chunk's round lasts one weaken time at the security when it
//!   starts and then removes `weaken_per_thread` (by the host's cores), down to the
//!   minimum. Done at the minimum.
//! * **Sow**: a round of k chunks on one host is one grow of 12k threads
//!   (`(money + t)·e^{kt}`, capped at the maximum; security rises for the threads
//!   it needed) and k weaken threads. Done at `money_tolerance` of the maximum.
//! * Stopped or moved chunks (newest first on their host) lose their work in flight;
//!   moved or added chunks start from scratch. Finished till and sow tasks free
//!   their RAM at once.
//!
//! Left out of the real game: hack failures as random draws (expected value
//! instead), hack exp (the level follows the timeline's curve, not the money
//! made), buying anything with the money (purchases are timeline events),
//! drift of a harvested target off its prepped state (misordered landings), the
//! staggering of batches within a chunk cohort, a harvest below full overlap
//! respawning a batch as soon as one lands (here it waits for its ending slot:
//! slower by the rounding of the overlap, under 1 % above an overlap of 100),
//! till and sow rounds kept in step across a task's hosts (here each host's
//! cohort runs its own rounds), cores for harvest batches, the RAM of the task
//! scripts themselves, and process start-up latency.
//!
//! # Policies
//!
//! * [`Policy::Planner`]: `reallot::plan` every `replan_s`, right after each event
//!   and right after a till or sow finishes (the batch system's `FinishedTilling`
//!   message); its actions are applied in order and the result is checked against
//!   the plan's table.
//! * [`Policy::Greedy`]: today's TaskSelector and allocator (see `greedy.rs`),
//!   one tick per step.
//! * [`Policy::GreedyEv0`]: the same without the 100 $/GB·s expected-value
//!   threshold, to show how much of the difference that threshold alone makes.

mod chart;
mod greedy;
mod world;

use std::collections::BTreeMap;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Invalid};
use crate::range::{self, Range};
use crate::state::{Host, HostKind, State, Target, Task};
use crate::Action;

pub use chart::svg;

use greedy::Greedy;
use world::World;

/// A BitNode to play forward.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Timeline {
    /// What this timeline is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The world at time 0. Its `tasks` must be empty; `player.hacking` is
    /// replaced by the `hacking` curve when there is one.
    pub initial: State,
    /// Game seconds to play (1 to 10^7).
    pub duration_s: f64,
    /// Game seconds per simulation step and per greedy tick (0.05 to 60).
    #[serde(default = "default_step_s")]
    pub step_s: f64,
    /// Game seconds between two plans of the planner policy when nothing happens.
    #[serde(default = "default_replan_s")]
    pub replan_s: f64,
    /// Game seconds between two money samples in the report.
    #[serde(default = "default_sample_s")]
    pub sample_s: f64,
    /// The hacking level as `[seconds, level]` points, linear in between and
    /// constant after the last; the first point is at 0 s.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hacking: Vec<(f64, u32)>,
    /// Dated changes, in time order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<Event>,
}

fn default_step_s() -> f64 {
    1.0
}

fn default_replan_s() -> f64 {
    60.0
}

fn default_sample_s() -> f64 {
    60.0
}

/// Changes that happen at one time, applied in field order: removals, new hosts,
/// RAM changes, drains, undrains, new targets.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// Game seconds from the start.
    pub at_s: f64,
    /// What happens, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Hosts deleted; whatever still runs there is killed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remove_hosts: Vec<String>,
    /// Hosts rooted or bought.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub add_hosts: Vec<Host>,
    /// In-place RAM changes (home upgrades, purchased-server upgrades).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub set_ram: Vec<SetRam>,
    /// Hosts to empty (`drain: evict`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub drain: Vec<String>,
    /// Hosts whose drain ends.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub undrain: Vec<String>,
    /// Targets that become available (rooted).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub add_targets: Vec<Target>,
}

/// A host's new RAM.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SetRam {
    /// The host.
    pub host: String,
    /// Its new installed RAM in GB.
    pub max_ram: f64,
    /// Its new RAM not ours to plan, if that changes too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reserved_ram: Option<f64>,
}

/// Who decides what runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Policy {
    /// `reallot::plan` on a cadence and on events.
    Planner,
    /// Today's greedy TaskSelector (domain.md §4.2).
    Greedy,
    /// The greedy TaskSelector without its expected-value threshold.
    GreedyEv0,
}

impl Policy {
    /// Every policy, in report order.
    pub const ALL: [Policy; 3] = [Policy::Planner, Policy::Greedy, Policy::GreedyEv0];

    /// The policy's name in the report.
    pub fn name(self) -> &'static str {
        match self {
            Policy::Planner => "planner",
            Policy::Greedy => "greedy",
            Policy::GreedyEv0 => "greedy-ev0",
        }
    }
}

/// A till or sow that reached its goal.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Finished {
    /// The task's id.
    pub task: String,
    /// Game seconds when the step it finished in ended.
    pub at_s: f64,
}

/// What a simulation measured.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Report {
    /// The timeline's description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Game seconds played.
    pub duration_s: f64,
    /// Game seconds per step.
    pub step_s: f64,
    /// Per policy, by name.
    pub policies: BTreeMap<String, PolicyReport>,
    /// Money earned, planner over greedy (absent unless both ran and greedy earned).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ratio_money: Option<f64>,
}

/// What one policy did on the timeline.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PolicyReport {
    /// Dollars earned by the end.
    pub final_money: f64,
    /// Dollars per second earned over the last ten minutes (or the whole run if shorter).
    pub income_per_s_end: f64,
    /// Changes made to the task table, all kinds.
    pub actions: u64,
    /// Changes by kind: launch, grow, shrink, migrate, resize, kill.
    pub action_counts: BTreeMap<String, u64>,
    /// Calls to the planner (planner policy only).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub plan_calls: u64,
    /// GB held by tasks at the end.
    pub ram_used_end: f64,
    /// GB the live hosts have for tasks at the end.
    pub ram_total_end: f64,
    /// `[seconds, dollars earned]` every `sample_s` and at the end.
    pub samples: Vec<(f64, f64)>,
    /// Till and sow tasks that reached their goal, in order.
    pub finished: Vec<Finished>,
    /// The task table at the end.
    pub tasks_end: Vec<Task>,
    /// Wall-clock figures; they differ from run to run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timing: Option<Timing>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Wall-clock time one policy's simulation took.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Timing {
    /// The whole simulation.
    pub elapsed_ms: u64,
    /// All planner calls together.
    pub plan_ms_total: u64,
    /// The slowest planner call.
    pub plan_ms_max: u64,
}

/// Parses a timeline; a syntax or type error names its JSON path.
///
/// # Errors
///
/// [`Error::Invalid`] when the text is not JSON of the `Timeline` shape.
pub fn parse(json: &str) -> Result<Timeline, Error> {
    crate::json::read(json)
}

/// Checks a timeline: its ranges, its initial state and every host and target
/// its events add (by the state's own rules), and that events name hosts that
/// exist at that time.
///
/// # Errors
///
/// [`Error::Invalid`] listing every problem, each with its JSON path.
pub fn check(timeline: &Timeline) -> Result<(), Error> {
    let mut v: Vec<Invalid> = Vec::new();
    let mut fail = |path: String, message: String| v.push(Invalid { path, message });
    // The rows of `crate::range`, so that these messages read as a state's do.
    let out = |x: f64, row: &Range, lo: Option<f64>, hi: Option<f64>| {
        (!row.contains(x, lo, hi)).then(|| row.refuse(x, lo, hi))
    };
    let t = timeline;
    for (name, x, row) in
        [("duration_s", t.duration_s, &range::DURATION_S), ("step_s", t.step_s, &range::STEP_S)]
    {
        if let Some(m) = out(x, row, None, None) {
            fail(name.into(), m);
        }
    }
    for (name, x) in [("replan_s", t.replan_s), ("sample_s", t.sample_s)] {
        if let Some(m) = out(x, &range::CADENCE_S, Some(t.step_s), None) {
            fail(name.into(), m);
        }
    }
    let nested = |prefix: &str, replace: &str, state: &State, fail: &mut dyn FnMut(String, String)| {
        match crate::check(state) {
            Ok(()) => Ok(()),
            Err(Error::Invalid(list)) => {
                for p in list {
                    let rest = p.path.strip_prefix(replace).unwrap_or(&p.path);
                    let dot =
                        if replace.is_empty() || rest.is_empty() || rest.starts_with('.') { "" } else { "." };
                    fail(format!("{prefix}{dot}{rest}"), p.message);
                }
                Ok(())
            }
            Err(e) => Err(e),
        }
    };
    nested("initial.", "", &t.initial, &mut fail)?;
    if !t.initial.tasks.is_empty() {
        fail(
            "initial.tasks".into(),
            "a timeline starts with no tasks (each policy builds its own table); allowed: []".into(),
        );
    }
    for (i, &(at, level)) in t.hacking.iter().enumerate() {
        let first = i == 0;
        let after = if first { -1.0 } else { t.hacking[i - 1].0 };
        if !at.is_finite() || (first && at != 0.0) || (!first && at <= after) {
            fail(
                format!("hacking[{i}][0]"),
                format!("{at} s; allowed: 0 for the first point, then strictly increasing seconds"),
            );
        }
        if let Some(m) = out(level.into(), &range::LEVEL, None, None) {
            fail(format!("hacking[{i}][1]"), m);
        }
    }
    // Replay the events' host and target names.
    let mut live: Vec<String> = t.initial.hosts.iter().map(|h| h.name.clone()).collect();
    let mut targets: Vec<String> = t.initial.targets.iter().map(|x| x.name.clone()).collect();
    let mut last = 0.0;
    for (i, e) in t.events.iter().enumerate() {
        let at = format!("events[{i}]");
        if !(e.at_s >= last && e.at_s.is_finite()) {
            fail(
                format!("{at}.at_s"),
                format!("{}; allowed: at least 0 and at least the previous event's time ({last})", e.at_s),
            );
        }
        last = e.at_s.max(last);
        let exists = |live: &[String], name: &str| live.iter().any(|n| n == name);
        for (j, name) in e.remove_hosts.iter().enumerate() {
            if !exists(&live, name) {
                fail(format!("{at}.remove_hosts[{j}]"), format!("{name:?} is not a host at this time"));
            }
            live.retain(|n| n != name);
        }
        for (j, host) in e.add_hosts.iter().enumerate() {
            if exists(&live, &host.name) {
                fail(format!("{at}.add_hosts[{j}].name"), format!("{:?} is already a host", host.name));
            }
            live.push(host.name.clone());
            let probe = State { hosts: vec![host.clone()], targets: Vec::new(), ..empty(&t.initial) };
            nested(&format!("{at}.add_hosts[{j}]"), "hosts[0]", &probe, &mut fail)?;
        }
        for (j, set) in e.set_ram.iter().enumerate() {
            if !exists(&live, &set.host) {
                fail(format!("{at}.set_ram[{j}].host"), format!("{:?} is not a host at this time", set.host));
            }
            let max = out(set.max_ram, &range::MAX_RAM, None, None);
            let reserved = set.reserved_ram.and_then(|r| {
                out(r, &range::RESERVED_RAM, None, Some(set.max_ram).filter(|_| max.is_none()))
            });
            for (field, m) in [("max_ram", max), ("reserved_ram", reserved)] {
                if let Some(m) = m {
                    fail(format!("{at}.set_ram[{j}].{field}"), m);
                }
            }
        }
        for (field, names) in [("drain", &e.drain), ("undrain", &e.undrain)] {
            for (j, name) in names.iter().enumerate() {
                if !exists(&live, name) {
                    fail(format!("{at}.{field}[{j}]"), format!("{name:?} is not a host at this time"));
                }
            }
        }
        for (j, target) in e.add_targets.iter().enumerate() {
            if targets.contains(&target.name) {
                fail(format!("{at}.add_targets[{j}].name"), format!("{:?} is already a target", target.name));
            }
            targets.push(target.name.clone());
            let probe = State {
                hosts: vec![Host {
                    name: "probe".into(),
                    max_ram: 1.0,
                    reserved_ram: 0.0,
                    cores: 1,
                    kind: HostKind::Network,
                    drain: None,
                }],
                targets: vec![target.clone()],
                ..empty(&t.initial)
            };
            nested(&format!("{at}.add_targets[{j}]"), "targets[0]", &probe, &mut fail)?;
        }
    }
    if v.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(v))
    }
}

/// The initial state's player, config and policy with nothing else.
fn empty(initial: &State) -> State {
    State {
        description: None,
        player: initial.player.clone(),
        hosts: Vec::new(),
        targets: Vec::new(),
        tasks: Vec::new(),
        config: initial.config.clone(),
        policy: initial.policy.clone(),
    }
}

/// The hacking level at `t` seconds.
fn level_at(timeline: &Timeline, t: f64) -> u32 {
    let curve = &timeline.hacking;
    let Some(&(_, first)) = curve.first() else { return timeline.initial.player.hacking };
    let mut level = f64::from(first);
    for w in curve.windows(2) {
        let ((t0, l0), (t1, l1)) = (w[0], w[1]);
        if t >= t1 {
            level = f64::from(l1);
        } else if t >= t0 {
            level = f64::from(l0) + (f64::from(l1) - f64::from(l0)) * (t - t0) / (t1 - t0);
        }
    }
    (level.floor() as u32).max(1)
}

/// Plays the timeline once per policy (in parallel) and reports.
/// `progress` is told how many game seconds each simulation has played since it
/// last heard, a minute of game time at a time or more.
///
/// # Errors
///
/// [`Error::Invalid`] when the timeline is not valid; [`Error::Internal`] when
/// the planner fails or breaks its contract during the run.
pub fn run(
    timeline: &Timeline,
    policies: &[Policy],
    progress: &(dyn Fn(f64) + Sync),
) -> Result<Report, Error> {
    check(timeline)?;
    let mut policies = policies.to_vec();
    policies.sort();
    policies.dedup();
    let results: Vec<Result<PolicyReport, Error>> = std::thread::scope(|scope| {
        let handles: Vec<_> =
            policies.iter().map(|&p| scope.spawn(move || simulate(timeline, p, progress))).collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err(Error::Internal("a simulation panicked".into()))))
            .collect()
    });
    let mut reports = BTreeMap::new();
    for (p, r) in policies.iter().zip(results) {
        reports.insert(p.name().to_string(), r?);
    }
    let money = |name: &str| reports.get(name).map(|r: &PolicyReport| r.final_money);
    let ratio_money = match (money("planner"), money("greedy")) {
        (Some(a), Some(b)) if b > 0.0 => Some(a / b),
        _ => None,
    };
    Ok(Report {
        description: timeline.description.clone(),
        duration_s: timeline.duration_s,
        step_s: timeline.step_s,
        policies: reports,
        ratio_money,
    })
}

/// Game seconds over which `income_per_s_end` is measured.
const END_WINDOW_S: f64 = 600.0;

/// One policy on the timeline.
fn simulate(
    timeline: &Timeline,
    policy: Policy,
    progress: &(dyn Fn(f64) + Sync),
) -> Result<PolicyReport, Error> {
    let started = Instant::now();
    let mut w = World::new(&timeline.initial);
    w.player.hacking = level_at(timeline, 0.0);
    let mut greedy = match policy {
        Policy::Planner => None,
        Policy::Greedy => Some(Greedy::new(greedy::EXPECTED_VALUE_THRESHOLD, &w)),
        Policy::GreedyEv0 => Some(Greedy::new(0.0, &w)),
    };
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    let (mut plan_calls, mut plan_ms_total, mut plan_ms_max) = (0, 0, 0);
    let mut next_plan = 0.0;
    let mut next_sample = 0.0;
    let mut samples = Vec::new();
    let mut events = timeline.events.iter().peekable();
    let step = timeline.step_s;
    let steps = (timeline.duration_s / step).ceil() as u64;
    let mut reported = 0.0;
    for k in 0..=steps {
        let t = (k as f64 * step).min(timeline.duration_s);
        let mut happened = false;
        if k > 0 {
            w.player.hacking = level_at(timeline, t);
            let done = w.advance(t);
            happened = !done.is_empty();
            if let Some(g) = greedy.as_mut() {
                for ti in done {
                    g.push_target(&w, ti);
                }
            }
        }
        while let Some(e) = events.next_if(|e| e.at_s <= t) {
            let first_new = w.targets.len();
            w.apply_event(e);
            happened = true;
            if let Some(g) = greedy.as_mut() {
                if e.drain.is_empty() {
                    for ti in first_new..w.targets.len() {
                        g.push_target(&w, ti);
                    }
                } else {
                    g.restart(&mut w);
                }
            }
        }
        match greedy.as_mut() {
            Some(g) => g.tick(&mut w),
            None if happened || t >= next_plan => {
                let t0 = Instant::now();
                replan(&mut w, &timeline.initial, &mut counts)?;
                let ms = t0.elapsed().as_millis() as u64;
                plan_calls += 1;
                plan_ms_total += ms;
                plan_ms_max = plan_ms_max.max(ms);
                next_plan = t + timeline.replan_s;
            }
            None => {}
        }
        if t >= next_sample || k == steps {
            samples.push((t, w.money));
            while next_sample <= t {
                next_sample += timeline.sample_s;
            }
        }
        if t - reported >= 60.0 || k == steps {
            progress(t - reported);
            reported = t;
        }
    }
    if let Some(g) = greedy {
        counts = g.counts;
    }
    let end = timeline.duration_s;
    let from =
        samples.iter().rev().find(|s| s.0 <= end - END_WINDOW_S.min(end)).copied().unwrap_or((0.0, 0.0));
    let income_per_s_end = if end > from.0 { (w.money - from.1) / (end - from.0) } else { 0.0 };
    let (used, total) = w.ram();
    Ok(PolicyReport {
        final_money: w.money,
        income_per_s_end,
        actions: counts.values().sum(),
        action_counts: counts,
        plan_calls,
        ram_used_end: used.gb(),
        ram_total_end: total.gb(),
        samples,
        finished: w.finished.clone(),
        tasks_end: w.table(),
        timing: Some(Timing { elapsed_ms: started.elapsed().as_millis() as u64, plan_ms_total, plan_ms_max }),
    })
}

/// Plans the world as it is and applies the plan's actions.
fn replan(w: &mut World, base: &State, counts: &mut BTreeMap<String, u64>) -> Result<(), Error> {
    let state = w.state(base);
    let plan =
        crate::plan(&state).map_err(|e| Error::Internal(format!("the planner failed at {} s: {e}", w.t)))?;
    for action in &plan.actions {
        w.apply_action(action)?;
        let op = match action {
            Action::Launch { .. } => "launch",
            Action::Grow { .. } => "grow",
            Action::Shrink { .. } => "shrink",
            Action::Migrate { .. } => "migrate",
            Action::Resize { .. } => "resize",
            Action::Kill { .. } => "kill",
        };
        *counts.entry(op.to_string()).or_default() += 1;
    }
    let table = w.table();
    if table != plan.tasks {
        return Err(Error::Internal(format!(
            "at {} s the plan's actions do not give the plan's table:\n{table:?}\nversus\n{:?}",
            w.t, plan.tasks
        )));
    }
    Ok(())
}
