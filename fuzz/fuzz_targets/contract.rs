//! Structured states built from arbitrary bytes: hosts of every size (powers of
//! two, odd sizes, cents, reserved RAM, cores, drains), targets from the game's
//! server table at any security and money, user menus, and a current table that
//! never overcommits a host (stale chunk sizes, pins, harvests above overlap).
//! Every plan must keep contract rules 1–5 and 7, checked here by a compact
//! checker of its own (the crate's test helpers are not reachable from here).
//!
//! `cargo fuzz run contract -- -max_len=2048`

#![no_main]

use std::collections::BTreeMap;
use std::sync::OnceLock;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use reallot::game::{self, Server};
use reallot::state::{
    Config, Drain, DrainMode, Host, HostKind, MenuOption, Player, Policy, Target, Task, TaskKind,
};
use reallot::{Action, Error, Plan, State};

const SERVERS: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/data/servers.json"));

/// A server of the game's table that has money.
struct Known {
    name: String,
    required_hacking: u32,
    min_security: f64,
    max_money: f64,
    growth: f64,
}

fn known() -> &'static [Known] {
    static KNOWN: OnceLock<Vec<Known>> = OnceLock::new();
    KNOWN.get_or_init(|| {
        let data: serde_json::Value = serde_json::from_str(SERVERS).expect("servers.json is JSON");
        let num =
            |s: &serde_json::Value, k: &str| s[k].as_f64().unwrap_or_else(|| panic!("servers.json: {k}"));
        data["servers"]
            .as_array()
            .expect("servers.json has a servers list")
            .iter()
            .filter(|s| num(s, "max_money") > 0.0)
            .map(|s| Known {
                name: s["hostname"].as_str().expect("hostname").to_string(),
                required_hacking: num(s, "required_hacking_skill") as u32,
                min_security: num(s, "min_security"),
                max_money: num(s, "max_money"),
                growth: num(s, "server_growth"),
            })
            .collect()
    })
}

#[derive(Arbitrary, Debug)]
struct Input {
    hacking: u16,
    spacing: u8,
    fraction: u8,
    min_gain: u8,
    horizon: u16,
    hosts: Vec<HostIn>,
    targets: Vec<TargetIn>,
    tasks: Vec<TaskIn>,
}

#[derive(Arbitrary, Debug)]
enum RamIn {
    /// 2^(1 + e % 20) GB.
    Pow2(u8),
    /// A whole number of GB from 2 to 2^20 + 1.
    Whole(u32),
    /// Hundredths of a GB, small.
    Cents(u16),
}

#[derive(Arbitrary, Debug)]
struct HostIn {
    ram: RamIn,
    reserved: u8,
    cores: u8,
    drain: bool,
}

#[derive(Arbitrary, Debug)]
struct TargetIn {
    pick: u8,
    security: u8,
    money: u8,
    menu: Option<Vec<(u8, u16, u16)>>,
}

#[derive(Arbitrary, Debug)]
struct TaskIn {
    target: u8,
    kind: u8,
    hack: u8,
    stale_chunk: Option<u16>,
    pinned: bool,
    odd_id: bool,
    counts: Vec<(u8, u8)>,
}

/// GB with two decimals from hundredths.
fn gb(cents: u64) -> f64 {
    cents as f64 / 100.0
}

fn build(input: &Input) -> State {
    let player = Player {
        hacking: 1 + u32::from(input.hacking) % 3000,
        intelligence: 0,
        mults: Default::default(),
        bitnode: Default::default(),
    };
    let hosts: Vec<Host> = input
        .hosts
        .iter()
        .take(32)
        .enumerate()
        .map(|(i, h)| {
            let max = match h.ram {
                RamIn::Pow2(e) => 100u64 << (1 + u32::from(e) % 20),
                RamIn::Whole(x) => 100 * (2 + u64::from(x) % (1 << 20)),
                RamIn::Cents(c) => 175 + u64::from(c),
            };
            let reserved = if h.reserved < 160 { 0 } else { max * u64::from(h.reserved - 160) / 96 };
            Host {
                name: format!("h{i}"),
                max_ram: gb(max),
                reserved_ram: gb(reserved),
                cores: if h.cores < 200 { 1 } else { 1 + u32::from(h.cores) % 128 },
                kind: [HostKind::Home, HostKind::Network, HostKind::Purchased, HostKind::Hacknet][i % 4],
                drain: h.drain.then_some(Drain::new(DrainMode::Evict)),
            }
        })
        .collect();
    let table = known();
    let mut targets: Vec<Target> = Vec::new();
    for t in input.targets.iter().take(6) {
        let k = &table[usize::from(t.pick) % table.len()];
        if targets.iter().any(|x| x.name == k.name) {
            continue;
        }
        let security = (t.security >= 128)
            .then(|| k.min_security + (100.0 - k.min_security) * f64::from(t.security - 128) / 127.0);
        let money = (t.money >= 128).then(|| (k.max_money * f64::from(t.money - 128) / 127.0).floor());
        let menu = t.menu.as_ref().filter(|m| !m.is_empty()).map(|m| {
            m.iter()
                .take(4)
                .map(|&(h, c, v)| {
                    let h = 1 + u32::from(h) % 64;
                    MenuOption {
                        hack_threads: h,
                        chunk_ram: gb(least(TaskKind::Harvest, Some(h)) + u64::from(c)),
                        chunk_income_per_s: f64::from(v),
                    }
                })
                .collect()
        });
        targets.push(Target {
            name: k.name.clone(),
            required_hacking: k.required_hacking,
            min_security: k.min_security,
            security,
            base_security: None,
            max_money: k.max_money,
            money,
            growth: k.growth,
            menu,
            weaken_ms: None,
        });
    }
    let mut state = State {
        description: None,
        player,
        hosts,
        targets,
        tasks: Vec::new(),
        config: Config {
            spacing_ms: if input.spacing == 0 { 80.0 } else { f64::from(input.spacing) * 4.0 },
            max_hack_fraction: if input.fraction == 0 { 0.5 } else { f64::from(input.fraction) / 255.0 },
            ..Config::default()
        },
        policy: Policy {
            // Rules 1–5 and 7 hold whether or not the solver is cut short; a short
            // limit keeps the fuzzer fast and cuts a stage short now and then.
            time_limit_ms: 20,
            min_gain: f64::from(input.min_gain % 8) / 100.0,
            horizon_s: 60.0 + f64::from(input.horizon) * 100.0,
        },
    };
    if state.hosts.is_empty() || state.targets.is_empty() {
        return state;
    }
    // Today's table: never overcommitted, one task per target.
    let caps: Vec<u64> = state.hosts.iter().map(|h| cents(h.max_ram) - cents(h.reserved_ram)).collect();
    let mut free = caps.clone();
    let mut taken = vec![false; state.targets.len()];
    for (i, t) in input.tasks.iter().take(8).enumerate() {
        let ti = usize::from(t.target) % state.targets.len();
        if std::mem::replace(&mut taken[ti], true) {
            continue;
        }
        let target = &state.targets[ti];
        let kind = [TaskKind::Till, TaskKind::Sow, TaskKind::Harvest][usize::from(t.kind) % 3];
        let (hack_threads, chunk) = match kind {
            TaskKind::Till => (None, 175),
            TaskKind::Sow => (None, 2275),
            TaskKind::Harvest => match &target.menu {
                Some(m) => {
                    let o = &m[usize::from(t.hack) % m.len()];
                    (Some(o.hack_threads), cents(o.chunk_ram))
                }
                None => {
                    let h = 1 + u32::from(t.hack) % 40;
                    (Some(h), game::batch(&state.player, &server(target), u64::from(h)).ram.0)
                }
            },
        };
        let chunk = t.stale_chunk.map_or(chunk, |c| least(kind, hack_threads) + u64::from(c));
        let mut placement = BTreeMap::new();
        for &(h, n) in &t.counts {
            let h = usize::from(h) % state.hosts.len();
            if t.pinned && state.hosts[h].drain.is_some() {
                continue;
            }
            let n = u64::from(n % 16).min(free[h] / chunk);
            if n > 0 {
                free[h] -= n * chunk;
                *placement.entry(state.hosts[h].name.clone()).or_default() += n;
            }
        }
        if placement.is_empty() {
            continue;
        }
        state.tasks.push(Task {
            id: if t.odd_id { format!("job-{i}") } else { format!("{}:{}", kind.name(), target.name) },
            kind,
            target: target.name.clone(),
            hack_threads,
            chunk_ram: Some(gb(chunk)),
            placement,
            pinned: t.pinned,
        });
    }
    state
}

/// The least RAM, in hundredths, a chunk's own threads need: one weaken (till),
/// 12 grow and 1 weaken (sow), H hack and two weakens (harvest).
fn least(kind: TaskKind, hack_threads: Option<u32>) -> u64 {
    match kind {
        TaskKind::Till => 175,
        TaskKind::Sow => 2275,
        TaskKind::Harvest => 170 * u64::from(hack_threads.unwrap_or(1)) + 350,
    }
}

/// The formulas' view of a target, as the planner builds it.
fn server(t: &Target) -> Server {
    Server {
        required_hacking: f64::from(t.required_hacking),
        security: t.security.unwrap_or(t.min_security),
        min_security: t.min_security,
        money: t.money.unwrap_or(t.max_money),
        max_money: t.max_money,
        growth: t.growth,
    }
}

fn cents(gb: f64) -> u64 {
    (gb * 100.0).round() as u64
}

/// A task as the checker tracks it: chunk size in hundredths and chunks per host.
#[derive(Clone, Debug, PartialEq)]
struct Held {
    kind: TaskKind,
    target: String,
    hack_threads: Option<u32>,
    chunk: u64,
    placement: BTreeMap<String, u64>,
}

fn held(t: &Task) -> Held {
    let chunk = match (t.chunk_ram, t.kind) {
        (Some(c), _) => cents(c),
        (None, TaskKind::Till) => 175,
        (None, TaskKind::Sow) => 2275,
        (None, TaskKind::Harvest) => unreachable!("the builder gives harvest chunk_ram"),
    };
    Held {
        kind: t.kind,
        target: t.target.clone(),
        hack_threads: t.hack_threads,
        chunk,
        placement: t.placement.clone(),
    }
}

fn take(p: &mut BTreeMap<String, u64>, host: &str, n: u64) -> Result<(), String> {
    let have = p.get_mut(host).ok_or(format!("nothing on {host}"))?;
    *have = have.checked_sub(n).ok_or(format!("fewer than {n} on {host}"))?;
    if *have == 0 {
        p.remove(host);
    }
    Ok(())
}

fn get<'a>(table: &'a mut BTreeMap<String, Held>, id: &str) -> Result<&'a mut BTreeMap<String, u64>, String> {
    table.get_mut(id).map(|h| &mut h.placement).ok_or(format!("no task {id}"))
}

fn apply(table: &mut BTreeMap<String, Held>, a: &Action) -> Result<(), String> {
    match a {
        Action::Launch { task, kind, target, hack_threads, chunk_ram, placement } => {
            let new = Held {
                kind: *kind,
                target: target.clone(),
                hack_threads: *hack_threads,
                chunk: cents(*chunk_ram),
                placement: placement.clone(),
            };
            if table.insert(task.clone(), new).is_some() {
                return Err(format!("launch of existing {task}"));
            }
        }
        Action::Grow { task, host, chunks } => *get(table, task)?.entry(host.clone()).or_default() += chunks,
        Action::Shrink { task, host, chunks, .. } => {
            take(get(table, task)?, host, *chunks)?;
            // A task whose last chunk leaves ends.
            if table.get(task).is_some_and(|t| t.placement.is_empty()) {
                table.remove(task);
            }
        }
        Action::Migrate { task, from, to, chunks, .. } => {
            let p = get(table, task)?;
            take(p, from, *chunks)?;
            *p.entry(to.clone()).or_default() += chunks;
        }
        Action::Resize { task, hack_threads, chunk_ram, placement } => {
            let t = table.get_mut(task).ok_or(format!("no task {task}"))?;
            t.hack_threads = *hack_threads;
            t.chunk = cents(*chunk_ram);
            t.placement = placement.clone();
        }
        Action::Kill { task } => {
            table.remove(task).ok_or(format!("kill of missing {task}"))?;
        }
    }
    Ok(())
}

/// Rules 1–5 and 7 of DESIGN.md.
fn check(state: &State, plan: &Plan) -> Result<(), String> {
    let caps: BTreeMap<&str, u64> =
        state.hosts.iter().map(|h| (h.name.as_str(), cents(h.max_ram) - cents(h.reserved_ram))).collect();
    let mut table: BTreeMap<String, Held> = state.tasks.iter().map(|t| (t.id.clone(), held(t))).collect();
    for (i, a) in plan.actions.iter().enumerate() {
        apply(&mut table, a).map_err(|e| format!("rule 1: action {i} {a:?}: {e}"))?;
        let mut used: BTreeMap<&str, u64> = BTreeMap::new();
        for t in table.values() {
            for (h, n) in &t.placement {
                *used.entry(h.as_str()).or_default() += t.chunk * n;
            }
        }
        for (h, u) in used {
            let cap = caps.get(h).ok_or(format!("action {i} uses unknown host {h}"))?;
            if u > *cap {
                return Err(format!("rule 2: after action {i} {a:?} {h} holds {u} of {cap}"));
            }
        }
    }
    let planned: BTreeMap<String, Held> = plan.tasks.iter().map(|t| (t.id.clone(), held(t))).collect();
    if table != planned {
        return Err(format!("rule 1: the actions give {table:?}, the plan says {planned:?}"));
    }
    for h in state.hosts.iter().filter(|h| h.drain.is_some()) {
        if let Some((id, _)) = table.iter().find(|(_, t)| t.placement.contains_key(&h.name)) {
            return Err(format!("rule 3: drained {} still holds {id}", h.name));
        }
    }
    for t in state.tasks.iter().filter(|t| t.pinned) {
        if planned.get(&t.id) != Some(&held(t)) {
            return Err(format!("rule 4: pinned {} changed", t.id));
        }
    }
    let analysis = reallot::analyze(state).map_err(|e| format!("analyze: {e}"))?;
    for (id, t) in &planned {
        let total: u64 = t.placement.values().sum();
        if total == 0 || t.placement.values().any(|&n| n == 0) {
            return Err(format!("{id} holds an empty placement"));
        }
        let pinned = state.tasks.iter().any(|s| &s.id == id && s.pinned);
        if t.kind == TaskKind::Harvest && !pinned {
            let overlap =
                analysis.targets.iter().find(|a| a.name == t.target).ok_or("unknown target")?.overlap;
            if total > overlap {
                return Err(format!("rule 5: {id} holds {total} batches, overlap {overlap}"));
            }
        }
    }
    let i = &plan.income;
    if state.hosts.iter().all(|h| h.drain.is_none()) {
        let net = i.planned_per_s + i.prep_value_per_s - i.change_cost / state.policy.horizon_s;
        let today = i.current_per_s + i.current_prep_value_per_s;
        if net < today - 1e-6 * today.abs() {
            return Err(format!("rule 7: net {net} below today's {today}"));
        }
    }
    Ok(())
}

fuzz_target!(|input: Input| {
    let state = build(&input);
    match reallot::plan(&state) {
        Ok(plan) => {
            if let Err(e) = check(&state, &plan) {
                panic!("{e}\nstate: {}", serde_json::to_string(&state).unwrap());
            }
        }
        // The builder may make a state the contract rejects (no hosts, no targets
        // left, a pinned harvest above its overlap); that must be a clean error.
        Err(Error::Invalid(problems)) => assert!(problems.iter().all(|p| !p.path.is_empty())),
        Err(e) => panic!("{e}\nstate: {}", serde_json::to_string(&state).unwrap()),
    }
});
