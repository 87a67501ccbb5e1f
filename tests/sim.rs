//! The simulator against the game's formulas on small cases, every policy on the
//! shipped timelines (cut short to keep the suite fast), and the timelines
//! against their generator.

use std::process::Command;

use reallot::game;
use reallot::sim::{self, Policy, Report, Timeline};
use reallot::state::TaskKind;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

#[allow(dead_code)] // Only `timelines` and `text` are used here.
#[path = "../examples/timelines.rs"]
mod generator;

fn timeline(json: &str) -> Timeline {
    sim::parse(json).unwrap_or_else(|e| panic!("{e}"))
}

fn shipped(name: &str) -> Timeline {
    let text = std::fs::read_to_string(format!("{ROOT}/models/timelines/{name}.json")).unwrap();
    timeline(&text)
}

fn shipped_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(format!("{ROOT}/models/timelines"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn run(t: &Timeline, policies: &[Policy]) -> Report {
    sim::run(t, policies, &|_| {}).unwrap_or_else(|e| panic!("{e}"))
}

/// Money earned never goes down, the last sample is the final money, and no
/// policy earns more than its ceiling or its prep ceiling.
fn check(report: &Report) {
    for (name, p) in &report.policies {
        assert!(p.samples.windows(2).all(|w| w[0].0 < w[1].0 && w[0].1 <= w[1].1), "{name}: {:?}", p.samples);
        assert_eq!(p.samples.last().map(|s| s.1), Some(p.earned), "{name}");
        assert_eq!(p.samples.last().map(|s| s.0), Some(report.duration_s), "{name}");
        assert_eq!(p.actions, p.action_counts.values().sum::<u64>(), "{name}");
        assert!(p.ram_used_end <= p.ram_total_end, "{name}");
        assert!(
            p.earned <= p.ceiling * (1.0 + 1e-9),
            "{name}: earned {} above its ceiling {}",
            p.earned,
            p.ceiling
        );
        assert!(
            p.earned <= p.prep_ceiling * (1.0 + 1e-9),
            "{name}: earned {} above its prep ceiling {}",
            p.earned,
            p.prep_ceiling
        );
        let spent: f64 = p.purchases.iter().map(|b| b.price).sum();
        assert!((spent - p.spent).abs() <= 1e-6 * spent, "{name}: purchases add up to what was spent");
    }
}

/// A timeline text around a state: nothing for sale unless the test says so.
fn small(initial: &str, rest: &str) -> Timeline {
    timeline(&format!(
        r#"{{ "initial": {initial},
             "market": {{ "port_openers": false, "home_ram": false, "home_cores": false, "servers": false }},
             {rest} }}"#
    ))
}

/// One target, security 7 above its minimum, money at its maximum; one big host.
const TILL: &str = r#"{
    "player": { "hacking": 50 },
    "hosts": [ { "name": "home", "max_ram": 1024, "kind": "home" } ],
    "targets": [ { "name": "foodnstuff", "required_hacking": 1, "min_security": 3, "security": 10,
                   "max_money": 50000000, "growth": 5 } ]
}"#;

fn till_server() -> game::Server {
    game::Server {
        required_hacking: 1.0,
        security: 10.0,
        min_security: 3.0,
        money: 50_000_000.0,
        max_money: 50_000_000.0,
        growth: 5.0,
    }
}

#[test]
fn till_with_enough_threads_reaches_minimum_security_in_one_weaken_time() {
    let t = small(TILL, r#""duration_s": 300, "sample_s": 1"#);
    let player = &t.initial.player;
    let weaken_s = game::weaken_time_ms(player, &till_server()) / 1000.0;
    assert_eq!(game::till_threads(player, &till_server()), 140);
    let report = run(&t, &Policy::ALL);
    for (name, p) in &report.policies {
        let till = p.finished.iter().find(|f| f.task == "till:foodnstuff");
        let at = till.unwrap_or_else(|| panic!("{name} never finished the till: {p:?}")).at_s;
        assert!(
            at >= weaken_s && at < weaken_s + t.step_s,
            "{name}: done at {at} s, one weaken time is {weaken_s} s"
        );
    }
    // With the target ready, the planner harvests it (today's selector finds it
    // below its expected-value threshold at this level).
    let planner = &report.policies["planner"];
    assert!(planner.tasks_end.iter().any(|task| task.kind == TaskKind::Harvest), "{:?}", planner.tasks_end);
    assert!(planner.earned > 0.0);
    check(&report);
}

#[test]
fn the_prep_ceiling_waits_one_grow_time_and_counts_the_stock() {
    // A fixed level and RAM keep the ceiling's rate constant; the prep
    // ceiling's is zero until a grow at the starting security could land.
    let t = small(TILL, r#""duration_s": 600, "hacking": [[0, 50]]"#);
    let grow_s = game::grow_s(&t.initial.player, &till_server());
    let report = run(&t, &[Policy::Planner]);
    let p = &report.policies["planner"];
    let rate = p.ceiling / 600.0;
    let expected = 50_000_000.0 + rate * (600.0 - grow_s);
    assert!(grow_s > 10.0 && grow_s < 500.0, "{grow_s}");
    assert!((p.prep_ceiling - expected).abs() <= rate * t.step_s, "{} against {expected}", p.prep_ceiling);
    check(&report);
}

#[test]
fn exp_raises_the_level_by_the_formula() {
    // Only the till's 140 weaken threads land in 250 s (one round, well before
    // the second): the exp is theirs plus what the player earns otherwise.
    let t = small(TILL, r#""duration_s": 250, "exp_per_s": 3"#);
    let player = &t.initial.player;
    let report = run(&t, &[Policy::Greedy]);
    let p = &report.policies["greedy"];
    let per_thread = game::exp_per_thread(player, 9.0); // base security 3 · min_security
    let expected = game::exp_for_skill(player, 50) + 140.0 * per_thread + 3.0 * 250.0;
    assert!((p.exp_end - expected).abs() <= 1e-9 * expected, "exp {} expected {expected}", p.exp_end);
    assert_eq!(p.hacking_end, game::skill(player, expected));
    assert!(p.hacking_end > 50, "the exp is enough for a level: {}", p.hacking_end);
    // A timeline with a hacking curve fixes the level whatever the exp.
    let fixed = small(TILL, r#""duration_s": 250, "exp_per_s": 1e9, "hacking": [[0, 50]]"#);
    assert_eq!(run(&fixed, &[Policy::Greedy]).policies["greedy"].hacking_end, 50);
}

#[test]
fn a_purchase_happens_only_once_paid_for() {
    let hosts =
        r#"{ "player": { "hacking": 1 }, "hosts": [ { "name": "home", "max_ram": 8, "kind": "home" } ] }"#;
    let shop = |money: f64| {
        timeline(&format!(
            r#"{{ "initial": {hosts}, "money": {money}, "duration_s": 60,
                 "market": {{ "home_ram": false, "home_cores": false, "servers": false }} }}"#
        ))
    };
    let tor = game::TOR_PRICE;
    let (brute, ftp) = (game::PORT_OPENERS[0].1, game::PORT_OPENERS[1].1);
    for (money, bought) in [
        (tor - 1.0, vec![]),
        (tor, vec!["TOR"]),
        (tor + brute - 1.0, vec!["TOR"]),
        (tor + brute + ftp, vec!["TOR", "BruteSSH.exe", "FTPCrack.exe"]),
    ] {
        let report = run(&shop(money), &[Policy::Greedy]);
        let p = &report.policies["greedy"];
        let items: Vec<&str> = p.purchases.iter().map(|b| b.item.as_str()).collect();
        assert_eq!(items, bought, "with ${money}");
        let spent: f64 = p.purchases.iter().map(|b| b.price).sum();
        assert_eq!(p.money_end, money - spent, "money goes down by the prices");
        assert!(p.money_end >= 0.0);
    }
    // buy-servers.ts: the largest power of two whose price fits money / 25,
    // 25 of them; nothing below 16 GB.
    let servers = |money: f64| {
        timeline(&format!(
            r#"{{ "initial": {hosts}, "money": {money}, "duration_s": 5,
                 "market": {{ "port_openers": false, "home_ram": false, "home_cores": false }} }}"#
        ))
    };
    let price = |ram: u64| game::server_price(ram, 1.0, 1.0);
    let p = &run(&servers(25.0 * price(64) + 1.0), &[Policy::Greedy]).policies["greedy"];
    assert_eq!(p.purchases.len(), 25);
    assert!(
        p.purchases.iter().all(|b| b.item.ends_with(" 64 GB") && b.price == price(64)),
        "{:?}",
        p.purchases
    );
    let p = &run(&servers(25.0 * price(16) - 1.0), &[Policy::Greedy]).policies["greedy"];
    assert!(p.purchases.is_empty(), "{:?}", p.purchases);
}

/// A prepped n00dles at level 1000 and more RAM than any harvest can use.
const HARVEST: &str = r#"{
    "player": { "hacking": 1000 },
    "hosts": [ { "name": "pserv-1", "max_ram": 1048576, "kind": "purchased" } ],
    "targets": [ { "name": "n00dles", "required_hacking": 1, "min_security": 1,
                   "max_money": 1750000, "growth": 3000 } ]
}"#;

#[test]
fn full_overlap_harvest_earns_its_menu_income() {
    let t = small(HARVEST, r#""duration_s": 3100, "sample_s": 1, "hacking": [[0, 1000]]"#);
    let player = &t.initial.player;
    let server = game::Server::of(&t.initial.targets[0]);
    let config = &t.initial.config;
    let timing = game::Timing::of(player, &server, config);
    let report = run(&t, &[Policy::Planner]);
    let p = &report.policies["planner"];
    let [task] = &p.tasks_end[..] else { panic!("one harvest expected: {:?}", p.tasks_end) };
    let chunks: u64 = task.placement.values().sum();
    assert_eq!(chunks, timing.overlap(), "the planner runs the harvest at full overlap");
    assert_eq!(p.action_counts.get("launch"), Some(&1), "and never changes it: {:?}", p.action_counts);
    let h = u64::from(task.hack_threads.unwrap());
    let menu = game::harvest(player, &server, config, h).chunk_income_per_s * timing.overlap() as f64;
    // Measured well after the first batches landed, over about 300 batch periods:
    // the batches of a cohort land spread out, so the rate is the true one.
    let at = |s: f64| p.samples.iter().find(|x| x.0 == s).unwrap().1;
    for (from, to) in [(100.0, 3100.0), (1000.0, 1010.0), (2000.0, 2003.0)] {
        let measured = (at(to) - at(from)) / (to - from);
        let error = (measured - menu).abs() / menu;
        assert!(
            error < 0.12,
            "{from}..{to} s: measured {measured} $/s, menu {menu} $/s ({:.3} %)",
            error * 100.0
        );
    }
    let error = ((at(3100.0) - at(100.0)) / 3000.0 - menu).abs() / menu;
    assert!(error < 0.001, "over 3000 s within 0.1 %: {error}");
    // Nothing lands before one cycle has passed.
    assert_eq!(at(timing.cycle_s().floor() - 1.0), 0.0);
    check(&report);
}

#[test]
fn greedy_restart_restarts_on_every_jump_in_ram() {
    // Hosts arrive at 600 s (doubling the RAM), 1200 s (not doubling it again)
    // and 1800 s (doubling it since the last restart); a drain at 2400 s.
    let host = |name: &str, gb: u32| format!(r#"{{ "name": "{name}", "max_ram": {gb} }}"#);
    let t = small(
        TILL,
        &format!(
            r#""duration_s": 2700, "events": [
                {{ "at_s": 600, "add_hosts": [ {} ] }},
                {{ "at_s": 1200, "add_hosts": [ {} ] }},
                {{ "at_s": 1800, "add_hosts": [ {} ] }},
                {{ "at_s": 2400, "drain": [ "a" ] }} ]"#,
            host("a", 1024),
            host("b", 512),
            host("c", 4096)
        ),
    );
    let report = run(&t, &[Policy::Greedy, Policy::GreedyRestart]);
    assert_eq!(report.policies["greedy-restart"].restarts, 3, "two jumps and the drain");
    assert_eq!(report.policies["greedy"].restarts, 1, "the drain only");
    check(&report);
}

#[test]
fn every_policy_runs_the_shipped_timelines_below_its_ceiling() {
    let names = shipped_names();
    assert_eq!(
        names,
        ["fresh-bitnode-8h", "late-game", "mid-game-cordon", "mid-game-drain", "mid-game-upgrade"]
    );
    for name in &names {
        let mut t = shipped(name);
        t.duration_s = if name.starts_with("fresh") { 3600.0 } else { 900.0 };
        let report = run(&t, &Policy::ALL);
        check(&report);
        assert_eq!(report.policies.len(), 5, "{name}");
        for (policy, p) in &report.policies {
            assert!(p.earned > 0.0, "{name}: {policy} earns");
            assert!(p.of_ceiling > 0.0 && p.of_ceiling <= 1.0, "{name}: {policy} {}", p.of_ceiling);
        }
        let planner = &report.policies["planner"];
        assert!(planner.plan_calls > 0, "{name}");
        let advised = &report.policies["planner-advise"];
        assert!(advised.money_end >= 0.0 && advised.purchases.iter().all(|p| p.price > 0.0), "{name}");
        if !name.starts_with("late") {
            assert!(!advised.purchases.is_empty(), "{name}: advise finds something worth buying");
        }
        for (other, ratio) in &report.planner_over {
            assert_eq!(*ratio, planner.earned / report.policies[other].earned, "{name}");
        }
    }
}

#[test]
fn todays_greedy_earns_within_15_minutes_of_a_fresh_bitnode() {
    let mut t = shipped("fresh-bitnode-8h");
    t.duration_s = 900.0;
    let report = run(&t, &[Policy::Greedy]);
    assert!(report.policies["greedy"].earned > 0.0);
}

/// Two purchased servers and two prepped targets at hacking 1000.
const TWO_PSERVS: &str = r#"{
    "player": { "hacking": 1000 },
    "hosts": [ { "name": "pserv-1", "max_ram": 4096, "kind": "purchased" },
               { "name": "pserv-2", "max_ram": 4096, "kind": "purchased" } ],
    "targets": [ { "name": "n00dles", "required_hacking": 1, "min_security": 1,
                   "max_money": 1750000, "growth": 3000 },
                 { "name": "joesguns", "required_hacking": 10, "min_security": 5,
                   "max_money": 62500000, "growth": 20 } ]
}"#;

#[test]
fn a_drained_host_is_empty_after_the_planners_next_replan() {
    let base = r#""duration_s": DURATION, "events": [ { "at_s": 600, "drain": [ "pserv-1" ] } ]"#;
    let on = |r: &Report, policy: &str| -> u64 {
        r.policies[policy].tasks_end.iter().filter_map(|task| task.placement.get("pserv-1")).sum()
    };
    let before = small(TWO_PSERVS, &base.replace("DURATION", "599"));
    assert!(on(&run(&before, &[Policy::Planner]), "planner") > 0, "the planner used pserv-1");
    let at = small(TWO_PSERVS, &base.replace("DURATION", "600"));
    let report = run(&at, &[Policy::Planner, Policy::Greedy, Policy::Community]);
    for policy in ["planner", "greedy", "community"] {
        assert_eq!(on(&report, policy), 0, "{policy}");
    }
}

#[test]
fn runs_are_deterministic() {
    let mut t = shipped("fresh-bitnode-8h");
    t.duration_s = 1500.0;
    let strip = |mut r: Report| {
        for p in r.policies.values_mut() {
            p.timing = None;
        }
        serde_json::to_string(&r).unwrap()
    };
    let a = strip(run(&t, &Policy::ALL));
    assert_eq!(a, strip(run(&t, &Policy::ALL)));
}

#[test]
fn the_shipped_timelines_are_what_the_generator_writes() {
    let generated = generator::timelines();
    let mut names: Vec<String> = generated.iter().map(|g| g.0.to_string()).collect();
    names.sort();
    assert_eq!(names, shipped_names());
    for (name, t) in generated {
        let file = std::fs::read_to_string(format!("{ROOT}/models/timelines/{name}.json")).unwrap();
        assert!(file == generator::text(&t), "{name}: run `cargo run --example timelines`");
        sim::check(&t).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn bad_timelines_name_their_json_paths() {
    let paths = |json: &str| -> Vec<String> {
        let t = match sim::parse(json) {
            Ok(t) => t,
            Err(reallot::Error::Invalid(list)) => return list.into_iter().map(|p| p.path).collect(),
            Err(e) => panic!("{e}"),
        };
        match sim::check(&t) {
            Err(reallot::Error::Invalid(list)) => list.into_iter().map(|p| p.path).collect(),
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(
        paths(r#"{ "initial": { "player": { "hacking": 1 }, "hosts": [] }, "duration_s": "x" }"#),
        ["duration_s"]
    );
    assert_eq!(
        paths(r#"{ "initial": { "player": { "hacking": 1 }, "hosts": [] }, "duration": 1 }"#),
        ["duration"]
    );
    let bad = r#"{
      "initial": { "player": { "hacking": 1 }, "hosts": [ { "name": "home", "max_ram": 8.001 } ] },
      "duration_s": 0, "step_s": 1, "money": -1, "port_openers": 6,
      "market": { "min_ram": 3, "spend": 2 },
      "network": [ { "ports": 0, "hosts": [ { "name": "home", "max_ram": 8 } ] } ],
      "hacking": [ [0, 1], [0, 5], [10, 0] ],
      "events": [
        { "at_s": 5, "drain": [ "pserv-0" ], "add_hosts": [ { "name": "x", "max_ram": 8 } ] },
        { "at_s": 4, "set_ram": [ { "host": "home", "max_ram": 4, "reserved_ram": 8 } ],
          "add_targets": [ { "name": "n00dles", "required_hacking": 1, "min_security": 0,
                             "max_money": 1, "growth": 1 } ] }
      ]
    }"#;
    assert_eq!(
        paths(bad),
        [
            "duration_s",
            "money",
            "port_openers",
            "market.spend",
            "market.min_ram",
            "initial.hosts[0].max_ram",
            "hacking[1][0]",
            "hacking[2][1]",
            "network[0].ports",
            "network[0].hosts[0].name",
            "events[0].drain[0]",
            "events[1].at_s",
            "events[1].set_ram[0].reserved_ram",
            "events[1].add_targets[0].min_security",
        ]
    );
}

#[test]
fn the_cli_reports_and_draws() {
    let svg = std::env::temp_dir().join(format!("reallot-sim-{}.svg", std::process::id()));
    let out = Command::new(env!("CARGO_BIN_EXE_reallot"))
        .args(["simulate", &format!("{ROOT}/models/timelines/fresh-bitnode-8h.json"), "--duration-s", "1800"])
        .args(["--policy", "planner,greedy"])
        .arg("--svg")
        .arg(&svg)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let report: Report = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report.policies.keys().collect::<Vec<_>>(), ["greedy", "planner"]);
    assert!(report.policies.values().all(|p| p.timing.is_none()), "timing only with --timing");
    let chart = std::fs::read_to_string(&svg).unwrap();
    std::fs::remove_file(&svg).unwrap();
    assert!(chart.contains("<svg") && chart.contains("planner") && chart.contains("greedy"));
    assert!(chart.contains("log scale") && chart.contains("linear scale"), "both panels");

    let bad = Command::new(env!("CARGO_BIN_EXE_reallot"))
        .args(["simulate", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().unwrap().write_all(br#"{ "initial": {}, "duration_s": 10 }"#)?;
            child.wait_with_output()
        })
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("initial.player"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
}

#[test]
fn a_cordoned_host_loses_no_batch_and_is_empty_once_its_work_lands() {
    let at = |mode: &str, duration: f64| {
        let rest =
            format!(r#""duration_s": {duration}, "events": [ {{ "at_s": 600, "{mode}": [ "pserv-1" ] }} ]"#);
        run(&small(TWO_PSERVS, &rest), &[Policy::Planner]).policies.remove("planner").unwrap()
    };
    let on = |p: &sim::PolicyReport| -> u64 {
        p.tasks_end.iter().filter_map(|t| t.placement.get("pserv-1")).sum()
    };
    let (evicted, cordoned) = (at("drain", 1200.0), at("cordon", 1200.0));
    assert!(evicted.lost_to_drains > 0, "evict kills batches in flight");
    assert_eq!(cordoned.lost_to_drains, 0, "cordon lets every batch land");
    assert_eq!(on(&cordoned), 0);
    assert!(on(&at("cordon", 599.0)) > 0, "pserv-1 held work when it was cordoned");
}
