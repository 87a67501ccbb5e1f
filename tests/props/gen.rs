//! Random valid states for the property tests.
//!
//! Hosts: 1 to 200, RAM from 2 GB to 2^20 GB (powers of two, whole odd sizes, sizes
//! in hundredths, tiny hosts that fit no batch), reserved RAM, cores, drains. Targets:
//! the game's servers with money (`tests/data/servers.json`) at any security and
//! money, now and then with a user menu. Tables: empty, a few chunks here and there,
//! packed to the brim with poor choices, harvests above their overlap, stale chunk
//! sizes, odd ids, pins. Every table is valid: no host is overcommitted, a pinned
//! task is on no drained host and holds at most its overlap.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::LazyLock;

use proptest::prelude::*;
use reallot::game::{self, Server};
use reallot::state::{
    BitNode, Config, Drain, DrainMode, Host, HostKind, MenuOption, Mults, Player, Policy, Target, Task,
    TaskKind,
};
use reallot::State;

const SERVERS: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/servers.json"));

/// The solver's time limit in generated states: far more than any generated state
/// needs (tens of milliseconds at 200 hosts), so the solver never stops on the
/// clock. A solve cut short by time may differ between two runs, which would make
/// rule 6 flaky. (The exact stage for tiny models keeps a clock budget of its own
/// that this limit does not control.) The time limit itself has a property of its
/// own: rule 7 under a 1 ms limit.
pub const TIME_LIMIT_MS: u64 = 10_000;

/// The smallest harvest batch there is: one hack, one grow, two weakens.
pub const SMALLEST_BATCH: u64 = 170 + 3 * 175;

/// A server of the game's table that has money.
#[derive(Debug)]
pub struct Known {
    pub name: String,
    pub required_hacking: u32,
    pub min_security: f64,
    pub max_money: f64,
    pub growth: f64,
}

/// The game's servers that have money, in the table's order.
pub static KNOWN: LazyLock<Vec<Known>> = LazyLock::new(|| {
    let data: serde_json::Value = serde_json::from_str(SERVERS).expect("servers.json is JSON");
    let num = |s: &serde_json::Value, k: &str| s[k].as_f64().unwrap_or_else(|| panic!("servers.json: {k}"));
    data["servers"]
        .as_array()
        .expect("servers.json lists servers")
        .iter()
        .filter(|s| num(s, "max_money") > 0.0)
        .map(|s| Known {
            name: s["hostname"].as_str().expect("a hostname").to_string(),
            required_hacking: num(s, "required_hacking_skill") as u32,
            min_security: num(s, "min_security"),
            max_money: num(s, "max_money"),
            growth: num(s, "server_growth"),
        })
        .collect()
});

/// A generated state; prints as its JSON, so a failing case can be saved as a file.
#[derive(Clone, PartialEq)]
pub struct Case(pub State);

impl fmt::Debug for Case {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&serde_json::to_string(&self.0).map_err(|_| fmt::Error)?)
    }
}

/// How often the rarer cases appear.
#[derive(Clone, Copy, Debug)]
pub struct Mix {
    /// Chance that a host is drained.
    pub drain: f64,
    /// Chance that a task is pinned.
    pub pin: f64,
    /// Weight of an empty table against 3 for a table with tasks; `None`: always empty.
    pub empty: Option<u32>,
    /// Most hosts.
    pub hosts: usize,
    /// Most targets.
    pub targets: usize,
    /// Chance that a task's id is not `kind:target` (see [`IdStyle`]).
    pub odd_ids: f64,
}

impl Mix {
    /// A bit of everything.
    pub const ALL: Mix = Mix { drain: 0.08, pin: 0.1, empty: Some(1), hosts: 200, targets: 16, odd_ids: 0.2 };
    /// Drains on a third of the hosts.
    pub const DRAINS: Mix = Mix { drain: 0.35, ..Mix::ALL };
    /// Half of the tasks pinned.
    pub const PINS: Mix = Mix { pin: 0.5, empty: Some(0), ..Mix::ALL };
    /// No table: a fresh start, where a change costs only its start.
    pub const FRESH: Mix = Mix { empty: None, ..Mix::ALL };
    /// Nearly every id odd, most shaped like another task's.
    pub const IDS: Mix = Mix { odd_ids: 0.9, empty: Some(0), ..Mix::ALL };
    /// Small states, for properties that plan many times per case.
    pub const SMALL: Mix = Mix { hosts: 24, targets: 8, ..Mix::ALL };
}

/// RAM of a host in hundredths of a GB, at most 2^20 GB.
pub fn host_ram() -> impl Strategy<Value = u64> {
    prop_oneof![
        5 => (1u32..=20).prop_map(|e| 100u64 << e),
        3 => (1u32..=19, any::<u64>()).prop_map(|(e, r)| 100 * ((1u64 << e) + r % (1u64 << e))),
        1 => 200u64..=100_000,
        2 => 200u64..SMALLEST_BATCH,
    ]
}

/// One host: RAM, reserved percent, cores, drained, kind.
#[derive(Clone, Debug)]
pub struct HostSpec {
    pub ram: u64,
    pub reserved_pct: Option<u64>,
    pub cores: u32,
    pub drain: Option<Drain>,
    pub kind: u8,
}

pub fn host(mix: Mix) -> impl Strategy<Value = HostSpec> {
    (
        host_ram(),
        prop_oneof![7 => Just(None), 3 => (0u64..=100).prop_map(Some)],
        prop_oneof![8 => Just(1u32), 2 => 1u32..=128],
        (prop::bool::weighted(mix.drain), drain()).prop_map(|(on, d)| on.then_some(d)),
        0u8..4,
    )
        .prop_map(|(ram, reserved_pct, cores, drain, kind)| HostSpec {
            ram,
            reserved_pct,
            cores,
            drain,
            kind,
        })
}

/// Evict, or cordon with or without a deadline (some shorter than any batch,
/// some longer than every one).
fn drain() -> impl Strategy<Value = Drain> {
    prop_oneof![
        Just(Drain::new(DrainMode::Evict)),
        Just(Drain::new(DrainMode::Cordon)),
        prop_oneof![Just(0.0), 0.0..3000.0, Just(1e7)]
            .prop_map(|s| Drain { mode: DrainMode::Cordon, deadline_s: Some(s) }),
    ]
}

impl HostSpec {
    pub fn to_host(&self, i: usize) -> Host {
        let (kind, prefix) = match (i, self.kind) {
            (0, 0) => (HostKind::Home, "home"),
            (_, 0 | 1) => (HostKind::Purchased, "pserv"),
            (_, 2) => (HostKind::Network, "net"),
            _ => (HostKind::Hacknet, "hacknet"),
        };
        let name = if kind == HostKind::Home { "home".to_string() } else { format!("{prefix}-{i}") };
        let reserved = self.reserved_pct.map_or(0, |p| self.ram * p / 100);
        Host {
            name,
            max_ram: self.ram as f64 / 100.0,
            reserved_ram: reserved as f64 / 100.0,
            cores: self.cores,
            kind,
            drain: self.drain.clone(),
        }
    }
}

/// Where a target stands: a fraction of the way from min to 100 security, and of
/// max money; `None` is prepped on that count.
#[derive(Clone, Debug)]
pub struct TargetSpec {
    pub known: usize,
    pub security: Option<f64>,
    pub money: Option<f64>,
    pub menu: Option<UserMenu>,
}

fn fraction() -> impl Strategy<Value = Option<f64>> {
    prop_oneof![
        6 => Just(None),
        1 => Just(Some(0.0)),
        1 => (0.0f64..0.02).prop_map(Some),
        2 => (0.0f64..=1.0).prop_map(Some),
    ]
}

/// A user menu: (hack threads, chunk hundredths, $/s per chunk) per option, and
/// the weaken time it comes with.
pub type UserMenu = (Vec<(u32, u64, f64)>, Option<f64>);

fn user_menu() -> impl Strategy<Value = Option<UserMenu>> {
    prop_oneof![
        9 => Just(None),
        1 => (
            prop::collection::btree_map(1u32..=64, (100u64..=500_000, 0.0f64..1e6), 1..=4),
            prop::option::of(1_000.0f64..1e6),
        )
            // A batch holds at least its hack threads and two weaken threads.
            .prop_map(|(m, w)| Some((m.into_iter().map(|(h, (c, v))| (h, c.max(170 * u64::from(h) + 350), v)).collect(), w))),
    ]
}

pub fn targets(most: usize) -> impl Strategy<Value = Vec<TargetSpec>> {
    let all: Vec<usize> = (0..KNOWN.len()).collect();
    let most = most.min(all.len());
    prop_oneof![
        3 => prop::sample::subsequence(all.clone(), 1..=4.min(most)),
        2 => prop::sample::subsequence(all, 1..=most),
    ]
    .prop_flat_map(|picked| {
        let n = picked.len();
        (Just(picked), prop::collection::vec((fraction(), fraction(), user_menu()), n))
    })
    .prop_map(|(picked, specs)| {
        picked
            .into_iter()
            .zip(specs)
            .map(|(known, (security, money, menu))| TargetSpec { known, security, money, menu })
            .collect()
    })
}

impl TargetSpec {
    pub fn to_target(&self) -> Target {
        let k = &KNOWN[self.known];
        Target {
            name: k.name.clone(),
            required_hacking: k.required_hacking,
            min_security: k.min_security,
            security: self.security.map(|f| (k.min_security + f * (100.0 - k.min_security)).min(100.0)),
            base_security: None,
            max_money: k.max_money,
            money: self.money.map(|f| (k.max_money * (1.0 - f)).floor()),
            growth: k.growth,
            menu: self.menu.as_ref().map(|(m, _)| {
                m.iter()
                    .map(|&(h, c, v)| MenuOption {
                        hack_threads: h,
                        chunk_ram: c as f64 / 100.0,
                        chunk_income_per_s: v,
                    })
                    .collect()
            }),
            weaken_ms: self.menu.as_ref().and_then(|m| m.1),
        }
    }
}

fn player() -> impl Strategy<Value = Player> {
    (
        prop_oneof![1u32..=60, 60u32..=600, 600u32..=3000],
        prop_oneof![
            8 => Just(Mults::default()),
            2 => (0.5f64..3.0, 0.5f64..3.0, 0.5f64..3.0, 0.5f64..3.0).prop_map(|(c, s, m, g)| Mults {
                hacking_chance: c,
                hacking_speed: s,
                hacking_money: m,
                hacking_grow: g,
                ..Mults::default()
            }),
        ],
        prop_oneof![
            9 => Just(BitNode::default()),
            1 => (0.2f64..2.0, 0.5f64..2.0, 0.5f64..2.0, 0.5f64..2.0).prop_map(|(m, s, g, w)| BitNode {
                script_hack_money: m,
                hacking_speed: s,
                server_growth_rate: g,
                server_weaken_rate: w,
                ..BitNode::default()
            }),
        ],
    )
        .prop_map(|(hacking, mults, bitnode)| Player { hacking, intelligence: 0, mults, bitnode })
}

fn config() -> impl Strategy<Value = Config> {
    (
        prop_oneof![8 => Just(80.0), 2 => (20u32..=400).prop_map(f64::from)],
        prop_oneof![8 => Just(0.5), 2 => (5u32..=100).prop_map(|p| f64::from(p) / 100.0)],
    )
        .prop_map(|(spacing_ms, max_hack_fraction)| Config {
            spacing_ms,
            max_hack_fraction,
            ..Config::default()
        })
}

fn policy() -> impl Strategy<Value = Policy> {
    (
        prop_oneof![6 => Just(0.01), 3 => Just(0.0), 1 => Just(0.2)],
        prop_oneof![7 => Just(3600.0), 3 => (60u32..=1_000_000).prop_map(f64::from)],
    )
        .prop_map(|(min_gain, horizon_s)| Policy { time_limit_ms: TIME_LIMIT_MS, min_gain, horizon_s })
}

/// How a task's chunks are spread.
#[derive(Clone, Copy, Debug)]
pub enum Fill {
    /// The given counts on the given hosts, as far as they fit.
    Few,
    /// As many as fit, host after host from the first given one, up to the work or overlap.
    Pack,
    /// A harvest above its overlap (unpinned only; the planner must trim it).
    Over,
}

/// One task of today's table, before it is fitted to the hosts' room.
#[derive(Clone, Debug)]
pub struct TaskSpec {
    pub target: usize,
    /// 0–6: the target's phase; 7 till, 8 sow, 9 harvest whatever the phase.
    pub kind: u8,
    pub option: usize,
    pub pinned: bool,
    /// A chunk size that is not the formulas' (a batch from an older cycle): this
    /// many hundredths above the least the chunk's threads need, less 100.
    pub stale: Option<u64>,
    pub id: IdStyle,
    pub fill: Fill,
    pub hosts: Vec<(usize, u64)>,
}

fn task(mix: Mix) -> impl Strategy<Value = TaskSpec> {
    (
        (any::<prop::sample::Index>(), 0u8..10, 0usize..8, prop::bool::weighted(mix.pin)),
        prop_oneof![9 => Just(None), 1 => (100u64..=20_000).prop_map(Some)],
        id_style(mix),
        prop_oneof![5 => Just(Fill::Few), 4 => Just(Fill::Pack), 1 => Just(Fill::Over)],
        prop::collection::vec((0usize..200, 1u64..=40), 1..=6),
    )
        .prop_map(|((target, kind, option, pinned), stale, id, fill, hosts)| TaskSpec {
            target: target.index(usize::MAX),
            kind,
            option,
            pinned,
            stale,
            id,
            fill,
            hosts,
        })
}

/// How a task of today's table is named. An id is only a name: the planner must
/// cope with any, above all with ones shaped like the ids it gives new tasks.
#[derive(Clone, Debug)]
pub enum IdStyle {
    /// `kind:target`, as the planner names a new task.
    Own,
    /// `job-{i}`.
    Plain,
    /// What the planner would call a new task of this kind (0–2) on this target
    /// of the state, with a `#2` or `#3` suffix when the last is 2 or 3: the id
    /// of one target's task shaped like another's (`till:joesguns#2` for a sow
    /// on foodnstuff).
    Shaped(u8, prop::sample::Index, u8),
}

fn id_style(mix: Mix) -> impl Strategy<Value = IdStyle> {
    let odd = (mix.odd_ids * 1000.0) as u32;
    prop_oneof![
        1000 - odd => Just(IdStyle::Own),
        odd.div_ceil(3) => Just(IdStyle::Plain),
        odd - odd.div_ceil(3) => (0u8..3, any::<prop::sample::Index>(), 0u8..4).prop_map(|(k, t, n)| IdStyle::Shaped(k, t, n)),
    ]
}

/// The base of a state (hosts, targets, player, config, policy) and today's table.
pub fn state(mix: Mix) -> impl Strategy<Value = Case> {
    let hosts = prop_oneof![6 => 1usize..=6, 3 => 7usize..=40, 1 => 41usize..=200]
        .prop_map(move |n| n.min(mix.hosts))
        .prop_flat_map(move |n| prop::collection::vec(host(mix), n));
    let tasks = match mix.empty {
        None => Just(Vec::new()).boxed(),
        Some(w) => prop_oneof![
            w => Just(Vec::new()),
            3 => prop::collection::vec(task(mix), 1..=mix.targets),
        ]
        .boxed(),
    };
    (hosts, targets(mix.targets), player(), config(), policy(), tasks).prop_map(
        |(hosts, targets, player, config, policy, tasks)| {
            let base = State {
                description: None,
                player,
                hosts: hosts.iter().enumerate().map(|(i, h)| h.to_host(i)).collect(),
                targets: targets.iter().map(TargetSpec::to_target).collect(),
                tasks: Vec::new(),
                config,
                policy,
            };
            Case(with_tasks(base, &tasks))
        },
    )
}

/// The id of task `i` in the style asked for, or `job-{i}` when that is taken.
fn task_id(state: &State, style: &IdStyle, kind: TaskKind, target: &str, i: usize) -> String {
    let id = match style {
        IdStyle::Own => format!("{}:{target}", kind.name()),
        IdStyle::Plain => format!("job-{i}"),
        IdStyle::Shaped(k, t, n) => {
            let kind = [TaskKind::Till, TaskKind::Sow, TaskKind::Harvest][usize::from(*k)];
            let other = &state.targets[t.index(state.targets.len())].name;
            let suffix = if *n >= 2 { format!("#{n}") } else { String::new() };
            format!("{}:{other}{suffix}", kind.name())
        }
    };
    if state.tasks.iter().any(|t| t.id == id) {
        format!("job-{i}")
    } else {
        id
    }
}

/// What the table builder needs to know about one target.
struct Facts {
    phase: TaskKind,
    overlap: u64,
    work: [u64; 2],
    /// (hack threads, chunk hundredths) of the harvest options.
    options: Vec<(u32, u64)>,
}

fn cents(gb: f64) -> u64 {
    (gb * 100.0).round() as u64
}

/// Today's table from its specs, fitted to the hosts' room.
pub fn with_tasks(mut state: State, specs: &[TaskSpec]) -> State {
    if specs.is_empty() || state.targets.is_empty() {
        return state;
    }
    let Ok(analysis) = reallot::analyze(&state) else { return state };
    let facts: Vec<Facts> = analysis
        .targets
        .iter()
        .zip(&state.targets)
        .map(|(a, t)| {
            let mut options: Vec<(u32, u64)> =
                a.menu.iter().map(|m| (m.hack_threads as u32, cents(m.chunk_ram))).collect();
            if options.is_empty() {
                // No menu (the player cannot hack it): a harvest may still be running.
                let server = Server {
                    required_hacking: f64::from(t.required_hacking),
                    security: t.min_security,
                    min_security: t.min_security,
                    money: t.max_money,
                    max_money: t.max_money,
                    growth: t.growth,
                };
                options =
                    (1..=3).map(|h| (h, game::batch(&state.player, &server, u64::from(h)).ram.0)).collect();
            }
            Facts { phase: a.phase, overlap: a.overlap, work: [a.till_threads, a.sow_chunks], options }
        })
        .collect();
    let caps: Vec<u64> = state.hosts.iter().map(|h| cents(h.max_ram) - cents(h.reserved_ram)).collect();
    let mut free = caps.clone();
    let mut taken = vec![false; state.targets.len()];
    for (i, spec) in specs.iter().enumerate() {
        let ti = spec.target % state.targets.len();
        if std::mem::replace(&mut taken[ti], true) {
            continue;
        }
        let f = &facts[ti];
        let kind = match spec.kind {
            0..=6 => f.phase,
            7 => TaskKind::Till,
            8 => TaskKind::Sow,
            _ => TaskKind::Harvest,
        };
        let (hack_threads, mut chunk, work) = match kind {
            TaskKind::Till => (None, 175, f.work[0].max(1)),
            TaskKind::Sow => (None, 2275, f.work[1].max(1)),
            TaskKind::Harvest => {
                let (h, c) = f.options[spec.option % f.options.len()];
                (Some(h), c, f.overlap)
            }
        };
        let least = match (kind, hack_threads) {
            (TaskKind::Till, _) => 175,
            (TaskKind::Sow, _) => 2275,
            (TaskKind::Harvest, h) => 170 * u64::from(h.unwrap_or(1)) + 350,
        };
        chunk = spec.stale.map_or(chunk, |s| least + s - 100);
        if chunk == 0 || chunk > 1 << 40 {
            continue;
        }
        let limit = match (spec.fill, spec.pinned) {
            // A pinned harvest above its overlap is bad input; keep within it.
            (_, true) if kind == TaskKind::Harvest => work,
            (Fill::Over, _) if kind == TaskKind::Harvest => work + 1 + spec.hosts[0].1 % 5,
            (Fill::Over, _) => work * 2,
            _ => work.max(spec.hosts.iter().map(|h| h.1).sum()),
        };
        let mut placement: BTreeMap<String, u64> = BTreeMap::new();
        let mut put = |h: usize, want: u64, placed: &mut u64| {
            if spec.pinned && state.hosts[h].drain.is_some() {
                return;
            }
            let n = want.min(free[h] / chunk).min(limit - *placed);
            if n > 0 {
                free[h] -= n * chunk;
                *placed += n;
                *placement.entry(state.hosts[h].name.clone()).or_default() += n;
            }
        };
        let mut placed = 0;
        let hosts = state.hosts.len();
        match spec.fill {
            Fill::Few => {
                for &(h, n) in &spec.hosts {
                    put(h % hosts, n, &mut placed);
                }
            }
            Fill::Pack | Fill::Over => {
                let start = spec.hosts[0].0 % hosts;
                for k in 0..hosts {
                    put((start + k) % hosts, u64::MAX, &mut placed);
                }
            }
        }
        if placement.is_empty() {
            continue;
        }
        let target = state.targets[ti].name.clone();
        state.tasks.push(Task {
            id: task_id(&state, &spec.id, kind, &target, i),
            kind,
            target,
            hack_threads,
            // Till and sow sometimes leave their chunk size to the default.
            chunk_ram: (kind == TaskKind::Harvest || spec.stale.is_some() || i % 2 == 0)
                .then_some(chunk as f64 / 100.0),
            placement,
            pinned: spec.pinned,
        });
    }
    state
}
