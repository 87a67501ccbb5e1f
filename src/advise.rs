//! What to buy next: every purchase the shop offers for the state's hosts,
//! each valued by **planning the changed state** (not by a rule of thumb) and
//! ranked by how soon it pays for itself.
//!
//! The options: buy a purchased server of 2^k GB (the largest the budget
//! allows and the two sizes below it; with `all`, also the two above); upgrade a purchased server in place
//! (`upgradePurchasedServer`: its scripts keep running, so no drain) to twice its
//! RAM or to the largest the budget allows, one server per size; at the server
//! limit, delete one of the smallest and buy a bigger one, which needs it empty
//! first (the plan that cordons it is given; never one a pinned task holds);
//! double home's RAM; add a home core.
//!
//! Of the smallest servers, the replace empties the one that loses least, and
//! sets its cordon's deadline so: each job's work there either lands while the
//! purchase waits (a batch, or a till or sow round, half an hour on a slow
//! target), forgoing the purchase's gain meanwhile, or stops now and loses its
//! work in flight. Its payback counts both: `empty_in_s + (cost + stopped) /
//! gain_per_s`. A purchase worth far more than the host's work empties it at
//! once; one worth nothing lets all of it land.
//! Prices come from [`crate::game`] only.
//!
//! An option's value is the plan's `planned_per_s + prep_value_per_s` with the
//! change made, against the same for the state as it is, both planned with
//! `min_gain` 0 so that the hysteresis does not hide a gain; an option the
//! budget does not cover is planned only with `all`. The planner sizes batches
//! for one core, so a home core plans to no gain: it pays back never and is
//! listed only with `all`.

use std::cmp::Ordering;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::range::{self, Range};
use crate::state::{Drain, DrainMode, Host, HostKind, State};
use crate::{game, Action, Error, Invalid, SolveStatus};

/// What the shop offers and what may be spent (`reallot advise --market FILE`);
/// every field has a default, so `{}` is a market.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Market {
    /// Dollars on hand.
    #[schemars(transform = range::START_MONEY.schema())]
    pub money: f64,
    /// The share of `money` one purchase may take (0 to 1).
    #[schemars(transform = range::FRACTION.schema())]
    pub spend: f64,
    /// Leave out options that take longer than this to pay for themselves (s).
    #[schemars(transform = range::PAYBACK_S.schema())]
    pub payback_limit_s: Option<f64>,
    /// List every option, also those the budget does not cover or that pay back
    /// too slowly.
    pub all: bool,
    /// `PurchasedServerLimit`: how many purchased servers there may be.
    #[schemars(transform = range::SERVER_LIMIT.schema())]
    pub server_limit: u32,
    /// The most RAM of a purchased server, in GB (a power of two).
    #[schemars(transform = range::SERVER_RAM.schema())]
    pub server_max_ram: u64,
    /// `PurchasedServerCost`.
    #[schemars(transform = range::MULT.schema())]
    pub server_cost: f64,
    /// `PurchasedServerSoftcap`.
    #[schemars(transform = range::SOFTCAP.schema())]
    pub server_softcap: f64,
    /// `HomeComputerRamCost`.
    #[schemars(transform = range::MULT.schema())]
    pub home_ram_cost: f64,
}

impl Default for Market {
    fn default() -> Self {
        Market {
            money: 0.0,
            spend: 1.0,
            payback_limit_s: None,
            all: false,
            server_limit: game::SERVER_LIMIT,
            server_max_ram: game::SERVER_MAX_RAM,
            server_cost: 1.0,
            server_softcap: 1.0,
            home_ram_cost: 1.0,
        }
    }
}

/// The answer of [`advise`].
#[derive(Clone, Debug, Serialize, JsonSchema, PartialEq)]
pub struct Advice {
    /// What one purchase may cost: `money · spend`.
    pub budget: f64,
    /// The planned value of the state as it is, in dollars per second.
    pub planned_per_s: f64,
    /// The options, best first: soonest payback, then largest gain.
    pub options: Vec<Choice>,
}

/// One purchase and what it is worth.
#[derive(Clone, Debug, Serialize, JsonSchema, PartialEq)]
pub struct Choice {
    /// What to buy.
    pub item: Item,
    /// Dollars.
    pub cost: f64,
    /// The planned value with the purchase made, in dollars per second.
    pub planned_per_s: f64,
    /// `planned_per_s` above the state's as it is.
    pub gain_per_s: f64,
    /// `cost / gain_per_s`, in seconds; absent when it gains nothing. A
    /// replace adds the wait for its host to empty and the work it stops.
    pub payback_s: Option<f64>,
    /// Whether `cost` is within the budget.
    pub affordable: bool,
    /// What must happen before the purchase: the host's drain, with the actions
    /// of the plan that cordons it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first: Option<First>,
    /// The status of the plan of the changed state: `time_limit` when its
    /// solve was cut short, so the figure may be low.
    pub status: SolveStatus,
}

/// A purchase.
#[derive(Clone, Debug, Serialize, JsonSchema, PartialEq, Eq, PartialOrd, Ord)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Item {
    /// `purchaseServer(host, ram)`.
    Server {
        /// The name to buy it as: the first free `pserv-N`.
        host: String,
        /// GB.
        ram: u64,
    },
    /// `upgradePurchasedServer(host, ram)`: in place, its scripts keep running.
    Upgrade {
        /// The server.
        host: String,
        /// Its RAM today, in GB.
        from_ram: u64,
        /// GB.
        ram: u64,
    },
    /// `deleteServer(host)` once it is empty, then `purchaseServer(host, ram)`.
    Replace {
        /// The server.
        host: String,
        /// Its RAM today, in GB.
        from_ram: u64,
        /// GB.
        ram: u64,
    },
    /// Home's next RAM doubling.
    HomeRam {
        /// GB after the upgrade.
        ram: u64,
    },
    /// Home's next core.
    HomeCore {
        /// Cores after the upgrade.
        cores: u32,
    },
}

/// What must happen before a purchase.
#[derive(Clone, Debug, Serialize, JsonSchema, PartialEq)]
pub struct First {
    /// The host to empty.
    pub host: String,
    /// How: `cordon`; what lands by `deadline_s` finishes first.
    pub mode: DrainMode,
    /// The cordon's `deadline_s`: the work there that cannot land by then
    /// stops now, because waiting for it would forgo more of the purchase's
    /// gain than the work is worth. Absent: all work lands.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deadline_s: Option<f64>,
    /// At most this many seconds until the host is empty: the deadline, or
    /// without one the longest batch or round there.
    pub empty_in_s: f64,
    /// Dollars of work in flight the cordon stops: what cannot land by the deadline.
    pub stopped: f64,
    /// The actions of the plan with the host cordoned; once they have all
    /// landed, the host is empty.
    pub actions: Vec<Action>,
}

/// Every purchase the market offers for `state`, valued and ranked.
///
/// # Errors
///
/// [`Error::Invalid`] when the state or the market is not valid, each problem
/// at its JSON path (`market.spend`, …); [`Error::Internal`] as [`crate::plan`].
pub fn advise(state: &State, market: &Market) -> Result<Advice, Error> {
    crate::check(state)?;
    check(market)?;
    let unhurried =
        State { policy: crate::state::Policy { min_gain: 0.0, ..state.policy.clone() }, ..state.clone() };
    let base = value(&crate::plan(&unhurried)?);
    let budget = market.money * market.spend;
    let mut options = Vec::new();
    for (item, cost) in offers(state, market, budget) {
        let affordable = cost <= budget;
        if !market.all && !affordable {
            continue;
        }
        let mut plan = crate::plan(&changed(&unhurried, &item))?;
        let mut item = item;
        let mut emptying = Emptying::NOW;
        if let Item::Replace { host, from_ram, ram } = &item {
            let gain_per_s = value(&plan) - base;
            let model = crate::model::build(crate::net::validate(state)?, None);
            let (best, how) = cheapest_to_empty(state, *from_ram, &model, gain_per_s)
                .unwrap_or((host.clone(), Emptying::NOW));
            if best != *host {
                item = Item::Replace { host: best, from_ram: *from_ram, ram: *ram };
                plan = crate::plan(&changed(&unhurried, &item))?;
            }
            emptying = how;
        }
        let planned_per_s = value(&plan);
        let gain_per_s = planned_per_s - base;
        let payback_s = (gain_per_s > 0.0).then(|| emptying.wait_s + (cost + emptying.lost) / gain_per_s);
        let slow = payback_s.is_none_or(|p| market.payback_limit_s.is_some_and(|limit| p > limit));
        if !market.all && (!affordable || slow) {
            continue;
        }
        let first = match &item {
            // With the user's own policy: the actions they would carry out.
            Item::Replace { host, .. } => Some(cordon(state, host, &emptying)?),
            _ => None,
        };
        let status = plan.solver.status;
        options.push(Choice { item, cost, planned_per_s, gain_per_s, payback_s, affordable, first, status });
    }
    options.sort_by(rank);
    Ok(Advice { budget, planned_per_s: base, options })
}

/// Reads a market from JSON text; problems are at `market.…` paths.
///
/// # Errors
///
/// [`Error::Invalid`] when the text is not a market.
pub fn parse_market(text: &str) -> Result<Market, Error> {
    crate::json::read(text).map_err(|e| match e {
        Error::Invalid(problems) => Error::Invalid(
            problems
                .into_iter()
                .map(|p| Invalid { path: format!("market{}", under(&p.path)), ..p })
                .collect(),
        ),
        other => other,
    })
}

/// A path below `market` (a market is an object): `.spend`, or nothing for the
/// root (`$`).
fn under(path: &str) -> String {
    match path {
        "$" | "" => String::new(),
        p => format!(".{p}"),
    }
}

/// The plan's value: harvest income and what its till and sow bring forward.
fn value(plan: &crate::Plan) -> f64 {
    plan.income.planned_per_s + plan.income.prep_value_per_s
}

/// Best first: soonest payback (no payback last), then largest gain, then the item.
fn rank(a: &Choice, b: &Choice) -> Ordering {
    let payback = |c: &Choice| c.payback_s.unwrap_or(f64::INFINITY);
    payback(a)
        .total_cmp(&payback(b))
        .then(b.gain_per_s.total_cmp(&a.gain_per_s))
        .then_with(|| a.item.cmp(&b.item))
}

/// Every purchase to value, with its price. Unaffordable ones are offered too
/// (`advise` drops them unless `market.all`): the two sizes above the budget's.
fn offers(state: &State, market: &Market, budget: f64) -> Vec<(Item, f64)> {
    let price = |ram: u64| game::server_price(ram, market.server_cost, market.server_softcap);
    let sizes = || {
        std::iter::successors(Some(1u64), |r| r.checked_mul(2)).take_while(|&r| r <= market.server_max_ram)
    };
    // The largest size whose price (above `from`'s) the budget covers.
    let largest = |from: f64| sizes().filter(|&r| price(r) - from <= budget).last();
    let mut out = Vec::new();
    let owned: Vec<&Host> = state.hosts.iter().filter(|h| h.kind == HostKind::Purchased).collect();
    if (owned.len() as u32) < market.server_limit {
        let free = |n: &String| state.hosts.iter().all(|h| h.name != *n);
        let host = (0u32..).map(|n| format!("pserv-{n}")).find(free).unwrap_or_default();
        let anchor = largest(0.0).unwrap_or(1);
        for ram in sizes().filter(|&r| r >= anchor / 4 && r <= anchor * 4) {
            out.push((Item::Server { host: host.clone(), ram }, price(ram)));
        }
    }
    let ram_of = |h: &Host| h.max_ram as u64;
    let mut classes: Vec<&Host> = owned.clone();
    classes.sort_by(|a, b| (ram_of(a), &a.name).cmp(&(ram_of(b), &b.name)));
    classes.dedup_by_key(|h| ram_of(h));
    for h in &classes {
        let from = ram_of(h);
        let mut to = vec![from * 2];
        to.extend(largest(price(from)));
        to.sort_unstable();
        to.dedup();
        for ram in to.into_iter().filter(|&r| r > from && r <= market.server_max_ram) {
            out.push((Item::Upgrade { host: h.name.clone(), from_ram: from, ram }, price(ram) - price(from)));
        }
    }
    if owned.len() as u32 >= market.server_limit {
        // The smallest servers; which one is chosen once the gain is known (`cheapest_to_empty`).
        let smallest = classes.first().map(|h| ram_of(h));
        if let Some(h) = owned.iter().find(|h| smallest.is_some_and(|r| replaceable(state, h, r))) {
            let from = ram_of(h);
            let ram = largest(0.0).filter(|&r| r > from).unwrap_or(from * 2);
            if ram <= market.server_max_ram {
                out.push((Item::Replace { host: h.name.clone(), from_ram: from, ram }, price(ram)));
            }
        }
    }
    if let Some(home) = state.hosts.iter().find(|h| h.kind == HostKind::Home) {
        let ram = ram_of(home);
        if ram < game::HOME_MAX_RAM {
            out.push((Item::HomeRam { ram: ram * 2 }, game::home_ram_price(ram, market.home_ram_cost)));
        }
        if home.cores < game::HOME_MAX_CORES {
            out.push((Item::HomeCore { cores: home.cores + 1 }, game::home_core_price(home.cores)));
        }
    }
    out
}

/// The state with the purchase made.
fn changed(state: &State, item: &Item) -> State {
    let mut s = state.clone();
    let host = |s: &mut State, name: &str| s.hosts.iter_mut().position(|h| h.name == name);
    match item {
        Item::Server { host, ram } => {
            s.hosts.push(Host { kind: HostKind::Purchased, ..Host::new(host.clone(), *ram as f64) });
        }
        Item::Upgrade { host: name, ram, .. } => {
            if let Some(h) = host(&mut s, name) {
                s.hosts[h].max_ram = *ram as f64;
            }
        }
        Item::Replace { host: name, ram, .. } => {
            if let Some(h) = host(&mut s, name) {
                s.hosts[h] =
                    Host { max_ram: *ram as f64, reserved_ram: 0.0, drain: None, ..s.hosts[h].clone() };
            }
            // A deleted server's scripts are gone.
            s.tasks.iter_mut().for_each(|t| {
                t.placement.remove(name);
            });
            s.tasks.retain(|t| !t.placement.is_empty());
        }
        Item::HomeRam { ram } => {
            if let Some(h) = s.hosts.iter_mut().find(|h| h.kind == HostKind::Home) {
                h.max_ram = *ram as f64;
            }
        }
        Item::HomeCore { cores } => {
            if let Some(h) = s.hosts.iter_mut().find(|h| h.kind == HostKind::Home) {
                h.cores = *cores;
            }
        }
    }
    s
}

/// The plan that empties `host` gracefully: its actions, with it cordoned.
fn cordon(state: &State, host: &str, how: &Emptying) -> Result<First, Error> {
    let mut s = state.clone();
    let deadline_s = how.deadline_s;
    if let Some(h) = s.hosts.iter_mut().find(|h| h.name == host) {
        h.drain = Some(Drain { mode: DrainMode::Cordon, deadline_s });
    }
    let actions = crate::plan(&s)?.actions;
    let (empty_in_s, stopped) = (how.wait_s, how.lost);
    Ok(First { host: host.to_string(), mode: DrainMode::Cordon, deadline_s, empty_in_s, stopped, actions })
}

/// A purchased server of `ram` GB that no pinned task holds.
fn replaceable(state: &State, h: &Host, ram: u64) -> bool {
    let pinned = state.tasks.iter().any(|t| t.pinned && t.placement.contains_key(&h.name));
    h.kind == HostKind::Purchased && h.max_ram as u64 == ram && !pinned
}

/// How a cordoned host empties: the deadline, how long it takes, and the
/// dollars of work it stops.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Emptying {
    deadline_s: Option<f64>,
    wait_s: f64,
    lost: f64,
}

impl Emptying {
    const NOW: Emptying = Emptying { deadline_s: None, wait_s: 0.0, lost: 0.0 };

    /// What it costs a purchase that gains `gain` dollars per second once the
    /// host is empty: the gain forgone while it empties, and the work stopped.
    fn loss(&self, gain: f64) -> f64 {
        gain * self.wait_s + self.lost
    }
}

/// Which server of `ram` GB to replace, and how to empty it, for a purchase
/// that gains `gain_per_s` once made: the one that loses least.
fn cheapest_to_empty(
    state: &State,
    ram: u64,
    model: &crate::model::Model,
    gain_per_s: f64,
) -> Option<(String, Emptying)> {
    let gain = gain_per_s.max(0.0);
    let mut best: Option<(String, Emptying)> = None;
    for host in state.hosts.iter().filter(|h| replaceable(state, h, ram)) {
        let Some(h) = model.net.hosts.iter().position(|n| n.name == host.name) else { continue };
        let how = emptying(model, h, gain);
        if best.as_ref().is_none_or(|(_, b)| how.loss(gain) < b.loss(gain)) {
            best = Some((host.name.clone(), how));
        }
    }
    best
}

/// The cordon of host `h` that loses least for a purchase gaining `gain`
/// dollars per second once the host is empty. Each job's chunks there either
/// land (a batch, or a till or sow round: on a slow target half an hour) while
/// the purchase waits, or stop now and lose their work in flight (what the
/// model charges for taking them off); the deadline is the wait that loses
/// least. A purchase that gains far more than the host earns so empties it at
/// once.
fn emptying(model: &crate::model::Model, h: usize, gain: f64) -> Emptying {
    // (seconds until it lands, dollars lost if stopped now) per job there.
    let work: Vec<(f64, f64)> = (model.current.iter().enumerate())
        .filter_map(|(j, a)| {
            let mut rest = a.clone().filter(|a| a.get(h) > 0)?;
            rest.set(h, 0);
            let rest = (rest.total() > 0).then_some(rest);
            Some((model.jobs[j].lands_s, model.job_cost(j, rest.as_ref())))
        })
        .collect();
    let last = work.iter().map(|w| w.0).fold(0.0, f64::max);
    let wait = |t: f64| Emptying {
        deadline_s: (t < last).then_some(t),
        wait_s: t,
        lost: work.iter().filter(|w| w.0 > t).map(|w| w.1).sum(),
    };
    let waits = std::iter::once(0.0).chain(work.iter().map(|w| w.0)).map(wait);
    // On a tie, the later: nothing stops that need not.
    let order = |a: &Emptying, b: &Emptying| {
        a.loss(gain).total_cmp(&b.loss(gain)).then(b.wait_s.total_cmp(&a.wait_s))
    };
    waits.min_by(order).unwrap_or(Emptying::NOW)
}

/// Checks every field of `market` against its row.
fn check(m: &Market) -> Result<(), Error> {
    let mut problems = Vec::new();
    let rows: [(&str, f64, &Range); 7] = [
        ("money", m.money, &range::START_MONEY),
        ("spend", m.spend, &range::FRACTION),
        ("server_limit", f64::from(m.server_limit), &range::SERVER_LIMIT),
        ("server_max_ram", m.server_max_ram as f64, &range::SERVER_RAM),
        ("server_cost", m.server_cost, &range::MULT),
        ("server_softcap", m.server_softcap, &range::SOFTCAP),
        ("home_ram_cost", m.home_ram_cost, &range::MULT),
    ];
    let payback = m.payback_limit_s.map(|p| ("payback_limit_s", p, &range::PAYBACK_S));
    for (field, x, row) in rows.into_iter().chain(payback) {
        if !row.contains(x, None, None) {
            problems.push(Invalid { path: format!("market.{field}"), message: row.refuse(x, None, None) });
        }
    }
    if m.server_max_ram > 0 && !m.server_max_ram.is_power_of_two() {
        let message = format!("{} is not a power of two; a server's RAM is 2^k GB", m.server_max_ram);
        problems.push(Invalid { path: "market.server_max_ram".into(), message });
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(problems))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The mid-game model.
    fn mid_game() -> crate::model::Model {
        let state = crate::parse(include_str!("../models/mid-game.json")).unwrap();
        crate::model::build(crate::net::validate(&state).unwrap(), None)
    }

    #[test]
    fn a_cordon_lets_all_work_land_when_the_purchase_gains_nothing_and_stops_it_when_it_gains_much() {
        let model = mid_game();
        let (mut held, mut costly) = (0, 0);
        for h in 0..model.net.hosts.len() {
            let idle = emptying(&model, h, 0.0);
            assert_eq!(
                (idle.deadline_s, idle.lost),
                (None, 0.0),
                "host {h}: nothing to gain, nothing stopped"
            );
            let rush = emptying(&model, h, 1e300);
            if idle.wait_s > 0.0 {
                held += 1;
                assert_eq!(
                    (rush.deadline_s, rush.wait_s),
                    (Some(0.0), 0.0),
                    "host {h}: everything stops now"
                );
                costly += usize::from(rush.lost > 0.0);
            }
            // In between, the deadline is the best of waiting for each job's work.
            let gain = idle.lost.max(rush.lost) / idle.wait_s.max(1.0);
            let mid = emptying(&model, h, gain);
            assert!(mid.loss(gain) <= idle.loss(gain).min(rush.loss(gain)), "host {h}");
        }
        assert!(held > 10 && costly > 10, "most hosts hold work ({held}) worth something ({costly})");
    }
}
