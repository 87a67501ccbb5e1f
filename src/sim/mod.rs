//! The simulator behind `reallot simulate`: it plays a BitNode forward on the
//! game's formulas and runs several policies on the same timeline, so every
//! claim about the planner is a measured number.
//!
//! # Timeline
//!
//! A [`Timeline`] is an initial [`State`] (no tasks: every policy builds its own
//! table), the money and port openers owned at the start, the rest of the
//! `network` (servers rooted once enough port openers are owned), what the
//! `market` sells, a duration, and dated [`Event`]s for what money cannot buy
//! (drains, hosts and targets that simply appear). The hacking level is set by
//! exp: the policy's own threads, plus `exp_per_s` from anything else the player
//! does (studying); a `hacking` curve fixes it instead (for tests).
//!
//! # The model
//!
//! Time moves in **fixed steps** of `step_s` game seconds (1 s by default).
//! Within a step every batch and round that lands by the step's end lands (see
//! `world.rs`), then the level follows the exp, then the step's events apply,
//! then the shop is visited (`market.rs`: one buying rule for every policy), then
//! the policy acts. Money is the **expected value** (hack chance × money taken),
//! so runs are deterministic.
//!
//! * **Harvest**: each batch lands its four actions on the target as the game
//!   does ([`crate::game::land_batch`]): on a prepped target a batch leaves it
//!   prepped. A batch stopped between its hack and its grow leaves the target
//!   short of money and above minimum security; outside the tolerances the
//!   harvest runs repair batches (no money) until the target is back, as the
//!   user's `harvest.js` does. A harvest keeps the share of the money it was sized
//!   for as the level rises.
//! * **Till** and **sow**: rounds of weaken (and 12 grow per sow chunk, merged per
//!   host) that land on the target, one weaken time after they start.
//! * Task scripts hold their own RAM (`till.js` 4.05 GB, `sow.js` 7.30 GB,
//!   `harvest.js` 11.45 GB), placed as the user's allocator places long-running
//!   scripts; a task whose script finds no room does not start.
//! * Exp: every landed thread earns the target's exp (a failed hack a quarter).
//!
//! Left out of the real game: hack failures as random draws (expected value
//! instead), process start-up latency, cores for harvest batches, and a batch
//! landing out of order when its target's security changed while it ran.
//!
//! # Policies
//!
//! * [`Policy::Planner`]: `reallot::plan` every `replan_s`, right after each event
//!   and purchase, and right after a till or sow finishes; its actions are
//!   applied in order and checked against the plan's table.
//! * [`Policy::Greedy`]: today's TaskSelector and allocator (`greedy.rs`); it stops
//!   everything and starts over around a drain, as the user does.
//! * [`Policy::GreedyRestart`]: the same, also started over after every jump in
//!   RAM: the user's workaround.
//! * [`Policy::Community`]: a greedy manager modelled on `daemon.js`
//!   (`community.rs`).
//! * [`Policy::PlannerAdvise`]: the planner, which also buys home RAM and
//!   servers by what [`crate::advise`] ranks first (port openers by the shared
//!   rule), so that the advice's worth is money: this row against `planner`.
//!
//! # The ceiling
//!
//! Per policy, the money it could have made if every target it had rooted were
//! prepped for free and nothing cost anything to change: the integral over the
//! run of the steady-state bound ([`crate::game::best_income`]) of its RAM and
//! level at each step. No policy can earn more.
//!
//! The **prep ceiling** also counts the time a prep takes: money beyond what a
//! target holds when it appears needs a grow on it, and no grow lands sooner
//! than a grow time at the security it appeared with and the highest level so
//! far. So it is every target's starting money plus the same integral over
//! only the targets a grow could have landed on by then (those that appear
//! prepped from the start). No policy can earn more either; against it, the
//! late game's first half hour of prep costs a policy only what it costs all.

mod chart;
mod community;
mod greedy;
mod market;
mod world;

use std::collections::BTreeMap;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Invalid};
use crate::game::{self, Step};
use crate::range::{self, Range};
use crate::state::{Drain, DrainMode, Host, HostKind, Player, State, Target, Task, TaskKind};
use crate::{Action, Ram};

pub use chart::svg;
pub use market::{Market, Purchase, Upgrade};

use greedy::Greedy;
use market::Shop;
use world::World;

/// A BitNode to play forward.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Timeline {
    /// What this timeline is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The world at time 0: the hosts and targets rooted then. Its `tasks` must be
    /// empty; `player.hacking` is the level at the start.
    pub initial: State,
    /// Dollars on hand at the start.
    #[serde(default)]
    pub money: f64,
    /// Port openers owned at the start (0 to 5; with any, TOR too).
    #[serde(default)]
    pub port_openers: u32,
    /// Servers rooted once enough port openers are owned.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub network: Vec<Unlock>,
    /// What money may buy, and how the shared rule buys it.
    #[serde(default)]
    pub market: Market,
    /// Exp per second the player earns outside the policy's threads (0 to 10^9),
    /// for example 1 while studying Computer Science at Rothman University.
    #[serde(default)]
    pub exp_per_s: f64,
    /// The user's `early-bitnode.ts` runs at the start: today's system sows
    /// n00dles and harvests it whatever its expected value (the greedy policies;
    /// the planner and the community manager need no such help).
    #[serde(default, skip_serializing_if = "is_false")]
    pub early_bitnode: bool,
    /// Game seconds to play (1 to 10^7).
    pub duration_s: f64,
    /// Game seconds per simulation step and per greedy tick (0.05 to 60).
    #[serde(default = "default_step_s")]
    pub step_s: f64,
    /// Game seconds between two plans of the planner policy (and two cycles of
    /// the community policy) when nothing happens.
    #[serde(default = "default_replan_s")]
    pub replan_s: f64,
    /// Game seconds between two money samples in the report.
    #[serde(default = "default_sample_s")]
    pub sample_s: f64,
    /// Fixes the hacking level instead of exp: `[seconds, level]` points, linear
    /// in between and constant after the last; the first point is at 0 s.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hacking: Vec<(f64, u32)>,
    /// Dated changes that money does not buy, in time order.
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

/// Servers rooted once `ports` port openers are owned: their hosts and targets.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Unlock {
    /// Port openers needed (1 to 5).
    pub ports: u32,
    /// Servers that can run scripts.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hosts: Vec<Host>,
    /// Servers with money.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<Target>,
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
    /// Hosts that appear.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub add_hosts: Vec<Host>,
    /// In-place RAM changes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub set_ram: Vec<SetRam>,
    /// Hosts to empty now (`drain: evict`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub drain: Vec<String>,
    /// Hosts to empty as their work lands (`drain: cordon`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cordon: Vec<String>,
    /// Hosts whose drain ends.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub undrain: Vec<String>,
    /// Targets that appear.
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
    /// Today's greedy TaskSelector (`docs/domain.md` §4.2).
    Greedy,
    /// Today's greedy, stopped and started over after every jump in RAM.
    GreedyRestart,
    /// A greedy manager modelled on alainbryden's `daemon.js`.
    Community,
    /// The planner, buying home and servers by what `reallot::advise` ranks
    /// first instead of by the shared rule.
    PlannerAdvise,
}

impl Policy {
    /// Every policy, in report order.
    pub const ALL: [Policy; 5] =
        [Policy::Planner, Policy::Greedy, Policy::GreedyRestart, Policy::Community, Policy::PlannerAdvise];

    /// The policy's name in the report.
    pub fn name(self) -> &'static str {
        match self {
            Policy::Planner => "planner",
            Policy::Greedy => "greedy",
            Policy::GreedyRestart => "greedy-restart",
            Policy::Community => "community",
            Policy::PlannerAdvise => "planner-advise",
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
    /// Money earned, the planner's over each other policy's (when both ran and
    /// the other earned).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub planner_over: BTreeMap<String, f64>,
    /// The timeline's events, for the chart: `[seconds, note]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<(f64, String)>,
}

/// What one policy did on the timeline.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PolicyReport {
    /// Dollars earned by hacking by the end.
    pub earned: f64,
    /// What no policy could have earned more than with this policy's RAM and
    /// level over time (see the module documentation).
    pub ceiling: f64,
    /// `earned / ceiling`.
    pub of_ceiling: f64,
    /// The ceiling when no money but a target's starting stock can be taken
    /// from it before its first grow could land (see the module
    /// documentation): what no policy could have earned more than once the
    /// time a prep takes is counted.
    pub prep_ceiling: f64,
    /// Dollars earned by 1, 2, 4 and 8 hours of game time (those the run reaches).
    pub earned_by_hour: BTreeMap<String, f64>,
    /// Dollars per second earned over the last ten minutes (or the whole run if shorter).
    pub income_per_s_end: f64,
    /// Dollars spent on purchases.
    pub spent: f64,
    /// Dollars on hand at the end.
    pub money_end: f64,
    /// The hacking level at the end.
    pub hacking_end: u32,
    /// Hacking exp at the end.
    pub exp_end: f64,
    /// Changes made to the task table, all kinds.
    pub actions: u64,
    /// Changes by kind: launch, grow, shrink, migrate, resize, kill.
    pub action_counts: BTreeMap<String, u64>,
    /// Tasks whose script found no room to start.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub failed_launches: u64,
    /// Chunks a plan asked for that found no room once new scripts had theirs.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub clipped_chunks: u64,
    /// Harvest batches that landed as HWGW.
    pub batches: u64,
    /// Harvest batches stopped in flight (their chunk killed, moved, resized or
    /// evicted before the batch landed): each one's money is lost.
    pub lost_batches: u64,
    /// The part of `lost_batches` stopped on a host under a drain: what a
    /// drain cost in flight (`evict` loses them; `cordon` without a deadline
    /// loses none).
    pub lost_to_drains: u64,
    /// Harvest batches that landed as repairs, earning nothing, because their
    /// target was off its tolerances (after a kill between a hack and its grow).
    pub repairs: u64,
    /// Times today's selector was stopped and started over (greedy policies).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub restarts: u64,
    /// Calls to the planner (planner policy only).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub plan_calls: u64,
    /// Plans (and options `advise` valued) whose solve `policy.time_limit_ms`
    /// cut short: with any, the run depends on the machine and its load, and
    /// another run may differ.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub cut_plans: u64,
    /// GB held by tasks and their scripts at the end.
    pub ram_used_end: f64,
    /// GB the live hosts have for tasks at the end.
    pub ram_total_end: f64,
    /// `[seconds, dollars earned]` every `sample_s` and at the end.
    pub samples: Vec<(f64, f64)>,
    /// `[seconds, the ceiling so far]` at the same times.
    pub ceiling_samples: Vec<(f64, f64)>,
    /// What the shared buying rule bought, in order.
    pub purchases: Vec<Purchase>,
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

fn is_false(b: &bool) -> bool {
    !*b
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
/// its network and events add (by the state's own rules), that names are unique,
/// and that events name hosts that exist at that time.
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
    for (name, x, row) in [
        ("duration_s", t.duration_s, &range::DURATION_S),
        ("step_s", t.step_s, &range::STEP_S),
        ("money", t.money, &range::START_MONEY),
        ("exp_per_s", t.exp_per_s, &range::EXP_PER_S),
        ("port_openers", f64::from(t.port_openers), &range::PORT_OPENERS),
        ("market.spend", t.market.spend, &range::FRACTION),
        ("market.every_s", t.market.every_s, &range::EVERY_S),
        ("market.server_limit", f64::from(t.market.server_limit), &range::SERVER_LIMIT),
        ("market.server_cost", t.market.server_cost, &range::MULT),
        ("market.server_softcap", t.market.server_softcap, &range::SOFTCAP),
        ("market.home_ram_cost", t.market.home_ram_cost, &range::MULT),
    ] {
        if let Some(m) = out(x, row, None, None) {
            fail(name.into(), m);
        }
    }
    for (name, x) in [("replan_s", t.replan_s), ("sample_s", t.sample_s)] {
        if let Some(m) = out(x, &range::CADENCE_S, Some(t.step_s), None) {
            fail(name.into(), m);
        }
    }
    for (name, x) in
        [("market.min_ram", t.market.min_ram), ("market.server_max_ram", t.market.server_max_ram)]
    {
        if !x.is_power_of_two() || x > game::SERVER_MAX_RAM {
            fail(name.into(), format!("{x} GB; allowed: a power of two from 1 to {}", game::SERVER_MAX_RAM));
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
    // Every host and target name, from the start, the network and the events.
    let mut live: Vec<String> = t.initial.hosts.iter().map(|h| h.name.clone()).collect();
    let mut targets: Vec<String> = t.initial.targets.iter().map(|x| x.name.clone()).collect();
    let add_host = |live: &mut Vec<String>, host: &Host, at: String, fail: &mut dyn FnMut(String, String)| {
        if live.contains(&host.name) {
            fail(format!("{at}.name"), format!("{:?} is already a host", host.name));
        }
        live.push(host.name.clone());
        let probe = State { hosts: vec![host.clone()], targets: Vec::new(), ..empty(&t.initial) };
        nested(&at, "hosts[0]", &probe, fail)
    };
    let add_target =
        |targets: &mut Vec<String>, target: &Target, at: String, fail: &mut dyn FnMut(String, String)| {
            if targets.contains(&target.name) {
                fail(format!("{at}.name"), format!("{:?} is already a target", target.name));
            }
            targets.push(target.name.clone());
            let probe =
                State { hosts: vec![probe_host()], targets: vec![target.clone()], ..empty(&t.initial) };
            nested(&at, "targets[0]", &probe, fail)
        };
    for (g, group) in t.network.iter().enumerate() {
        if !(1..=5).contains(&group.ports) {
            fail(format!("network[{g}].ports"), format!("{}; allowed: 1 to 5", group.ports));
        }
        for (j, host) in group.hosts.iter().enumerate() {
            add_host(&mut live, host, format!("network[{g}].hosts[{j}]"), &mut fail)?;
            if host.kind == HostKind::Purchased || host.kind == HostKind::Home {
                fail(
                    format!("network[{g}].hosts[{j}].kind"),
                    "the network holds network servers only".into(),
                );
            }
        }
        for (j, target) in group.targets.iter().enumerate() {
            add_target(&mut targets, target, format!("network[{g}].targets[{j}]"), &mut fail)?;
        }
    }
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
            add_host(&mut live, host, format!("{at}.add_hosts[{j}]"), &mut fail)?;
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
        for (field, names) in [("drain", &e.drain), ("cordon", &e.cordon), ("undrain", &e.undrain)] {
            for (j, name) in names.iter().enumerate() {
                if !exists(&live, name) {
                    fail(format!("{at}.{field}[{j}]"), format!("{name:?} is not a host at this time"));
                }
            }
        }
        for (j, target) in e.add_targets.iter().enumerate() {
            add_target(&mut targets, target, format!("{at}.add_targets[{j}]"), &mut fail)?;
        }
    }
    if v.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(v))
    }
}

/// A host that makes a state valid around a target being checked.
fn probe_host() -> Host {
    Host {
        name: "probe".into(),
        max_ram: 1.0,
        reserved_ram: 0.0,
        cores: 1,
        kind: HostKind::Network,
        drain: None,
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

/// The level the timeline's `hacking` curve fixes at `t` seconds, if it has one.
fn fixed_level(timeline: &Timeline, t: f64) -> Option<u32> {
    let curve = &timeline.hacking;
    let &(_, first) = curve.first()?;
    let mut level = f64::from(first);
    for w in curve.windows(2) {
        let ((t0, l0), (t1, l1)) = (w[0], w[1]);
        if t >= t1 {
            level = f64::from(l1);
        } else if t >= t0 {
            level = f64::from(l0) + (f64::from(l1) - f64::from(l0)) * (t - t0) / (t1 - t0);
        }
    }
    Some((level.floor() as u32).max(1))
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
    let mut planner_over = BTreeMap::new();
    if let Some(planner) = reports.get(Policy::Planner.name()) {
        for (name, r) in reports.iter().filter(|(n, r)| *n != Policy::Planner.name() && r.earned > 0.0) {
            planner_over.insert(name.clone(), planner.earned / r.earned);
        }
    }
    let events = timeline
        .events
        .iter()
        .filter(|e| e.at_s <= timeline.duration_s)
        .map(|e| (e.at_s, e.note.clone().unwrap_or_else(|| "event".into())))
        .collect();
    Ok(Report {
        description: timeline.description.clone(),
        duration_s: timeline.duration_s,
        step_s: timeline.step_s,
        policies: reports,
        planner_over,
        events,
    })
}

/// Game seconds over which `income_per_s_end` is measured.
const END_WINDOW_S: f64 = 600.0;

/// Who acts for a policy.
enum Actor {
    Planner,
    Greedy(Box<Greedy>),
    Community,
}

/// One policy on the timeline.
fn simulate(
    timeline: &Timeline,
    policy: Policy,
    progress: &(dyn Fn(f64) + Sync),
) -> Result<PolicyReport, Error> {
    let started = Instant::now();
    let mut w = World::new(&timeline.initial, timeline.money);
    if let Some(level) = fixed_level(timeline, 0.0) {
        w.player.hacking = level;
    }
    let mut shop = Shop::new(&mut w, &timeline.network, timeline.port_openers);
    let mut actor = match policy {
        Policy::Planner | Policy::PlannerAdvise => Actor::Planner,
        Policy::Greedy => Actor::Greedy(Box::new(Greedy::new(false, timeline.early_bitnode, &w))),
        Policy::GreedyRestart => Actor::Greedy(Box::new(Greedy::new(true, timeline.early_bitnode, &w))),
        Policy::Community => Actor::Community,
    };
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    let (mut plan_calls, mut plan_ms_total, mut plan_ms_max) = (0, 0, 0);
    let mut cut_plans = 0;
    let mut ceiling = Ceiling::default();
    let (mut ceiling_total, mut rate) = (0.0, 0.0);
    let (mut prep_total, mut prep_rate) = (0.0, 0.0);
    let mut next_plan = 0.0;
    let mut next_sample = 0.0;
    let mut samples = Vec::new();
    let mut ceiling_samples = Vec::new();
    let mut events = timeline.events.iter().peekable();
    let step = timeline.step_s;
    let steps = (timeline.duration_s / step).ceil() as u64;
    let mut reported = 0.0;
    for k in 0..=steps {
        let t = (k as f64 * step).min(timeline.duration_s);
        let mut done = Vec::new();
        if k > 0 {
            ceiling_total += rate * (t - w.t);
            prep_total += prep_rate * (t - w.t);
            done = w.advance(t, timeline.exp_per_s, fixed_level(timeline, t));
        }
        let (mut more_ram, mut drained, mut happened) = (false, false, !done.is_empty());
        while let Some(e) = events.next_if(|e| e.at_s <= t) {
            let (more, drain) = apply_event(&mut w, e);
            more_ram |= more;
            drained |= drain;
            happened = true;
        }
        let advised = (policy == Policy::PlannerAdvise).then_some(&timeline.initial);
        let bought = shop.look(&mut w, &timeline.market, &timeline.network, advised);
        more_ram |= bought.more_ram;
        drained |= bought.drained;
        happened |= bought.any;
        match &mut actor {
            Actor::Greedy(g) => {
                for &ti in &done {
                    g.push_target(&w, ti);
                }
                if drained || (more_ram && g.restarts && g.jumped(&w)) {
                    g.restart(&mut w);
                }
                g.tick(&mut w);
            }
            Actor::Planner if happened || t >= next_plan => {
                let t0 = Instant::now();
                cut_plans += u64::from(replan(&mut w, &timeline.initial, &mut counts)?);
                let ms = t0.elapsed().as_millis() as u64;
                plan_calls += 1;
                plan_ms_total += ms;
                plan_ms_max = plan_ms_max.max(ms);
                next_plan = t + timeline.replan_s;
            }
            Actor::Community if happened || t >= next_plan => {
                community::cycle(&mut w, &mut counts);
                next_plan = t + timeline.replan_s;
            }
            _ => {}
        }
        (rate, prep_rate) = ceiling.rates(&w);
        if t >= next_sample || k == steps {
            samples.push((t, w.earned));
            ceiling_samples.push((t, ceiling_total));
            while next_sample <= t {
                next_sample += timeline.sample_s;
            }
        }
        if t - reported >= 60.0 || k == steps {
            progress(t - reported);
            reported = t;
        }
    }
    let mut restarts = 0;
    if let Actor::Greedy(g) = actor {
        counts = g.counts;
        restarts = g.restarted;
    }
    let end = timeline.duration_s;
    let from =
        samples.iter().rev().find(|s| s.0 <= end - END_WINDOW_S.min(end)).copied().unwrap_or((0.0, 0.0));
    let income_per_s_end = if end > from.0 { (w.earned - from.1) / (end - from.0) } else { 0.0 };
    let earned_by_hour = [1u32, 2, 4, 8]
        .into_iter()
        .filter(|&h| f64::from(h) * 3600.0 <= end)
        .filter_map(|h| {
            let at = f64::from(h) * 3600.0;
            samples.iter().find(|s| s.0 >= at).map(|s| (format!("{h}h"), s.1))
        })
        .collect();
    let (used, total) = w.ram();
    Ok(PolicyReport {
        earned: w.earned,
        ceiling: ceiling_total,
        of_ceiling: if ceiling_total > 0.0 { w.earned / ceiling_total } else { 0.0 },
        prep_ceiling: ceiling.stock() + prep_total,
        earned_by_hour,
        income_per_s_end,
        spent: shop.spent,
        money_end: w.money,
        hacking_end: w.player.hacking,
        exp_end: w.exp,
        actions: counts.values().sum(),
        action_counts: counts,
        failed_launches: w.failed_launches,
        clipped_chunks: w.clipped_chunks,
        batches: w.batches,
        lost_batches: w.lost_batches,
        lost_to_drains: w.lost_to_drains,
        repairs: w.repairs,
        restarts,
        plan_calls,
        cut_plans: cut_plans + shop.cut_plans,
        ram_used_end: used.gb(),
        ram_total_end: total.gb(),
        samples,
        ceiling_samples,
        purchases: shop.purchases,
        finished: w.finished.clone(),
        tasks_end: w.table(),
        timing: Some(Timing { elapsed_ms: started.elapsed().as_millis() as u64, plan_ms_total, plan_ms_max }),
    })
}

/// Applies one scripted event in a fixed order: removals, new hosts, RAM
/// changes, drains, undrains, new targets. Says whether RAM was added and
/// whether a host was drained.
fn apply_event(w: &mut World, e: &Event) -> (bool, bool) {
    for name in &e.remove_hosts {
        if let Some(h) = w.host(name) {
            w.remove_host(h);
        }
    }
    e.add_hosts.iter().for_each(|h| w.add_host(h.clone()));
    let mut more = !e.add_hosts.is_empty();
    for set in &e.set_ram {
        if let Some(h) = w.host(&set.host) {
            more |= set.max_ram > w.hosts[h].host.max_ram;
            w.set_ram(h, set.max_ram, set.reserved_ram);
        }
    }
    let modes =
        [(&e.drain, Some(DrainMode::Evict)), (&e.cordon, Some(DrainMode::Cordon)), (&e.undrain, None)];
    for (names, drain) in modes {
        for name in names {
            if let Some(h) = w.host(name) {
                w.set_drain(h, drain.map(Drain::new));
            }
        }
    }
    e.add_targets.iter().for_each(|t| w.add_target(t));
    (more, !e.drain.is_empty() || !e.cordon.is_empty())
}

/// Plans the world as it is and applies the plan's actions: first strictly, on a
/// copy, to check the contract (the actions give the plan's table); then for
/// real, where each new task's script takes its RAM first. Says whether the
/// time limit cut the plan's solve.
fn replan(w: &mut World, base: &State, counts: &mut BTreeMap<String, u64>) -> Result<bool, Error> {
    let state = w.state(base);
    let plan =
        crate::plan(&state).map_err(|e| Error::Internal(format!("the planner failed at {} s: {e}", w.t)))?;
    let mut strict = w.clone();
    for action in &plan.actions {
        strict.apply_action(action, false)?;
    }
    strict.drop_empty();
    let table = strict.table();
    if table != plan.tasks {
        return Err(Error::Internal(format!(
            "at {} s the plan's actions do not give the plan's table:\n{table:?}\nversus\n{:?}",
            w.t, plan.tasks
        )));
    }
    w.new_plan();
    for action in &plan.actions {
        w.apply_action(action, true)?;
        *counts.entry(op_name(action).to_string()).or_default() += 1;
    }
    Ok(plan.solver.status == crate::SolveStatus::TimeLimit)
}

/// An action's kind, as the report counts it.
pub(crate) fn op_name(action: &Action) -> &'static str {
    match action {
        Action::Launch { .. } => "launch",
        Action::Grow { .. } => "grow",
        Action::Shrink { .. } => "shrink",
        Action::Migrate { .. } => "migrate",
        Action::Resize { .. } => "resize",
        Action::Kill { .. } => "kill",
    }
}

/// The ceilings' rates at one moment, cached: they change only with the level,
/// the RAM and the targets (and, for the prep ceiling, the targets a grow could
/// have landed on).
#[derive(Default)]
struct Ceiling {
    /// (level, RAM, targets, targets past their first grow) of the cached rates.
    key: Option<(u32, Ram, usize, usize)>,
    /// The ceiling's rate and the prep ceiling's.
    rates: (f64, f64),
    /// Per target, its income curve at `level`.
    curves: Vec<Vec<Step>>,
    level: u32,
    /// Per target: when it appeared, as what, and whether a grow on it could
    /// have landed since.
    seen: Vec<(f64, game::Server, bool)>,
    /// The highest level so far: no grow launched by now ran faster than at it.
    top: u32,
}

impl Ceiling {
    /// The money the targets held when they appeared, all of it.
    fn stock(&self) -> f64 {
        self.seen.iter().map(|s| s.1.money).sum()
    }

    /// Dollars per second no table can beat in `w` now: every target prepped,
    /// all of the hosts' RAM in one pool ([`game::best_income`]); and the same
    /// over only the targets on which a grow could have landed by now, at the
    /// highest level so far and their security when they appeared (before it,
    /// no money but the stock they started with can be taken from them).
    fn rates(&mut self, w: &World) -> (f64, f64) {
        self.top = self.top.max(w.player.hacking);
        for t in &w.targets[self.seen.len()..] {
            let prepped = game::phase(&w.config, &t.server) == TaskKind::Harvest;
            self.seen.push((w.t, t.server, prepped));
        }
        let fastest = Player { hacking: self.top, ..w.player.clone() };
        for (at_s, server, grown) in self.seen.iter_mut().filter(|s| !s.2) {
            *grown = w.t - *at_s >= game::grow_s(&fastest, server);
        }
        let total = w.hosts.iter().filter(|h| !h.gone).map(|h| h.cap).sum();
        let grown = self.seen.iter().filter(|s| s.2).count();
        let key = Some((w.player.hacking, total, w.targets.len(), grown));
        if key == self.key {
            return self.rates;
        }
        if self.level != w.player.hacking {
            self.curves.clear();
            self.level = w.player.hacking;
        }
        for t in &w.targets[self.curves.len()..] {
            let timing = game::Timing::of(&w.player, &t.server, &w.config);
            let options = game::options(&w.player, &t.server.ideal(), &w.config);
            self.curves.push(game::income_curve(
                options.iter().map(|o| (o.batch.ram, o.chunk_income_per_s)),
                timing.overlap(),
            ));
        }
        let ready =
            self.curves.iter().zip(&self.seen).filter(|(_, s)| s.2).flat_map(|(c, _)| c.iter().copied());
        self.key = key;
        self.rates =
            (game::best_income(self.curves.concat(), total), game::best_income(ready.collect(), total));
        self.rates
    }
}
