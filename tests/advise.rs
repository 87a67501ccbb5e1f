//! `advise`: every option is worth what planning the changed state says, is
//! allowed and affordable, and the answer is the same every time.

use reallot::state::{DrainMode, Host, HostKind, Policy, State};
use reallot::{advise, game, Advice, Item, Market};

use crate::support::models;

/// Enough money for anything on the shipped models, every option listed.
fn rich() -> Market {
    Market { money: 1e12, all: true, ..Market::default() }
}

/// The value the planner gives `state`, with no hysteresis.
fn planned(state: &State) -> f64 {
    let state = State { policy: Policy { min_gain: 0.0, ..state.policy.clone() }, ..state.clone() };
    let plan = reallot::plan(&state).unwrap();
    plan.income.planned_per_s + plan.income.prep_value_per_s
}

/// The state after the purchase, written here from the item's words alone.
fn bought(state: &State, item: &Item) -> State {
    let mut s = state.clone();
    let named = |s: &mut State, name: &str| s.hosts.iter().position(|h| h.name == name).unwrap();
    let home = |s: &State| s.hosts.iter().position(|h| h.kind == HostKind::Home).unwrap();
    match item {
        Item::Server { host, ram } => {
            assert!(state.hosts.iter().all(|h| h.name != *host), "{host} is free");
            s.hosts.push(Host { kind: HostKind::Purchased, ..Host::new(host.clone(), *ram as f64) });
        }
        Item::Upgrade { host, from_ram, ram } => {
            let h = named(&mut s, host);
            assert_eq!(s.hosts[h].max_ram, *from_ram as f64);
            s.hosts[h].max_ram = *ram as f64;
        }
        Item::Replace { host, ram, .. } => {
            let h = named(&mut s, host);
            s.hosts[h] = Host {
                kind: HostKind::Purchased,
                cores: s.hosts[h].cores,
                ..Host::new(host.clone(), *ram as f64)
            };
            for t in &mut s.tasks {
                t.placement.remove(host);
            }
            s.tasks.retain(|t| !t.placement.is_empty());
        }
        Item::HomeRam { ram } => {
            let h = home(&s);
            assert_eq!(s.hosts[h].max_ram * 2.0, *ram as f64);
            s.hosts[h].max_ram = *ram as f64;
        }
        Item::HomeCore { cores } => {
            let h = home(&s);
            assert_eq!(s.hosts[h].cores + 1, *cores);
            s.hosts[h].cores = *cores;
        }
    }
    s
}

fn purchased(state: &State) -> usize {
    state.hosts.iter().filter(|h| h.kind == HostKind::Purchased).count()
}

#[test]
fn every_option_is_worth_what_planning_the_changed_state_says() {
    for (name, state) in models() {
        let advice = advise(&state, &rich()).unwrap();
        let base = planned(&state);
        assert_eq!(advice.planned_per_s, base, "{name}");
        assert!(!advice.options.is_empty(), "{name}");
        for c in &advice.options {
            let value = planned(&bought(&state, &c.item));
            assert_eq!(c.planned_per_s, value, "{name}: {:?}", c.item);
            assert_eq!(c.gain_per_s, value - base, "{name}: {:?}", c.item);
            // A replace pays back once its host is empty, and for the work it stops too.
            let (wait, stopped) = c.first.as_ref().map_or((0.0, 0.0), |f| (f.empty_in_s, f.stopped));
            let payback = (c.gain_per_s > 0.0).then(|| wait + (c.cost + stopped) / c.gain_per_s);
            assert_eq!(c.payback_s, payback, "{name}");
        }
    }
}

#[test]
fn options_are_allowed_priced_by_the_game_and_ranked_by_payback() {
    for (name, state) in models() {
        let market = rich();
        let advice = advise(&state, &market).unwrap();
        let price = |r: u64| game::server_price(r, 1.0, 1.0);
        let at_limit = purchased(&state) >= market.server_limit as usize;
        for c in &advice.options {
            let (cost, ram) = match &c.item {
                Item::Server { ram, .. } => (price(*ram), Some(*ram)),
                Item::Upgrade { from_ram, ram, .. } => {
                    assert!(ram > from_ram, "{name}");
                    (price(*ram) - price(*from_ram), Some(*ram))
                }
                Item::Replace { from_ram, ram, .. } => {
                    assert!(ram > from_ram && at_limit, "{name}");
                    (price(*ram), Some(*ram))
                }
                Item::HomeRam { ram } => (game::home_ram_price(ram / 2, 1.0), None),
                Item::HomeCore { cores } => (game::home_core_price(cores - 1), None),
            };
            assert_eq!(c.cost, cost, "{name}: {:?}", c.item);
            assert_eq!(c.affordable, cost <= advice.budget, "{name}");
            if let Some(r) = ram {
                assert!(r.is_power_of_two() && r <= game::SERVER_MAX_RAM, "{name}: {r}");
            }
            assert!(!matches!(c.item, Item::Server { .. }) || !at_limit, "{name}: no slot to buy into");
        }
        let paybacks: Vec<f64> =
            advice.options.iter().map(|c| c.payback_s.unwrap_or(f64::INFINITY)).collect();
        assert!(paybacks.windows(2).all(|w| w[0] <= w[1]), "{name}: {paybacks:?}");
    }
}

#[test]
fn without_all_only_what_the_budget_covers_and_pays_back_in_time() {
    for (name, state) in models() {
        let market = Market { money: 5e8, spend: 0.5, payback_limit_s: Some(3600.0), ..Market::default() };
        let advice = advise(&state, &market).unwrap();
        assert_eq!(advice.budget, 2.5e8);
        for c in &advice.options {
            assert!(c.affordable && c.cost <= 2.5e8, "{name}: {:?}", c.item);
            assert!(c.payback_s.is_some_and(|p| p <= 3600.0), "{name}: {:?}", c.item);
        }
        let listed = advise(&state, &Market { all: true, ..market.clone() }).unwrap().options;
        let kept: Vec<_> =
            listed.into_iter().filter(|c| c.affordable && c.payback_s.is_some_and(|p| p <= 3600.0)).collect();
        assert_eq!(advice.options, kept, "{name}");
    }
}

#[test]
fn at_the_server_limit_the_smallest_is_replaced_after_a_cordon_that_empties_it() {
    let state = crate::support::model("mid-game");
    assert_eq!(purchased(&state), game::SERVER_LIMIT as usize);
    let advice = advise(&state, &rich()).unwrap();
    assert!(advice.options.iter().all(|c| !matches!(c.item, Item::Server { .. })));
    let replace = advice.options.iter().find(|c| matches!(c.item, Item::Replace { .. })).expect("a replace");
    let Item::Replace { host, from_ram, .. } = &replace.item else { unreachable!() };
    let smallest =
        state.hosts.iter().filter(|h| h.kind == HostKind::Purchased).map(|h| h.max_ram as u64).min();
    assert_eq!(Some(*from_ram), smallest);
    let first = replace.first.as_ref().expect("a drain first");
    assert_eq!((&first.host, first.mode), (host, DrainMode::Cordon));
    assert!(state.tasks.iter().any(|t| t.placement.contains_key(host)), "{host} holds work today");
    let after = reallot::apply(&state.tasks, &first.actions).unwrap();
    assert!(after.iter().all(|t| !t.placement.contains_key(host)), "the cordon empties {host}");
    assert!(advice
        .options
        .iter()
        .filter(|c| !matches!(c.item, Item::Replace { .. }))
        .all(|c| c.first.is_none()));
}

#[test]
fn the_same_state_and_market_give_the_same_advice() {
    let state = crate::support::model("port-opener");
    let text = |a: Advice| reallot::to_json(&a, false).unwrap();
    let market = Market { money: 3e9, ..Market::default() };
    assert_eq!(text(advise(&state, &market).unwrap()), text(advise(&state, &market).unwrap()));
}

#[test]
fn a_bad_market_names_each_field() {
    let state = crate::support::model("port-opener");
    let bad = Market { spend: 2.0, server_max_ram: 1000, money: -1.0, ..Market::default() };
    let reallot::Error::Invalid(problems) = advise(&state, &bad).unwrap_err() else { panic!("not invalid") };
    let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(paths, ["market.money", "market.spend", "market.server_max_ram"]);
    assert!(problems[2].message.contains("1000 is not a power of two"), "{}", problems[2].message);
    let reallot::Error::Invalid(parsed) = reallot::parse_market(r#"{"spend": "all"}"#).unwrap_err() else {
        panic!("not invalid")
    };
    assert_eq!(parsed[0].path, "market.spend");
}

/// The replaced server, if any, in `advice`.
fn replaced(advice: &Advice) -> Option<String> {
    advice.options.iter().find_map(|c| match &c.item {
        Item::Replace { host, .. } => Some(host.clone()),
        _ => None,
    })
}

#[test]
fn a_server_a_pinned_task_holds_is_not_offered_for_replacement() {
    let mut state = crate::support::model("mid-game");
    let smallest = |s: &State| {
        s.hosts.iter().filter(|h| h.kind == HostKind::Purchased).map(|h| h.max_ram as u64).min().unwrap()
    };
    let ram = smallest(&state);
    let mut seen = Vec::new();
    // Pin the work on each server chosen until none of the smallest is left.
    while let Some(host) = replaced(&advise(&state, &rich()).unwrap()) {
        let h = state.hosts.iter().find(|h| h.name == host).unwrap();
        assert_eq!(h.max_ram as u64, ram, "{host} is one of the smallest");
        assert!(!seen.contains(&host), "{host} is held by a pinned task");
        state.tasks.iter_mut().filter(|t| t.placement.contains_key(&host)).for_each(|t| t.pinned = true);
        seen.push(host);
    }
    let free = state.hosts.iter().filter(|h| h.kind == HostKind::Purchased && h.max_ram as u64 == ram);
    let pinned = |name: &String| state.tasks.iter().any(|t| t.pinned && t.placement.contains_key(name));
    assert!(free.clone().all(|h| pinned(&h.name)), "every server of {ram} GB is held");
    assert!(!seen.is_empty());
}
