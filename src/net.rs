//! The validated network: the state checked once, at the edge, into domain types.
//!
//! Nothing past this module sees JSON or needs to re-check a number: hosts, targets
//! and tasks refer to each other by index, RAM is [`Ram`], every count is positive.

use std::collections::{BTreeMap, HashMap};

use serde_path_to_error::Segment;

use crate::error::{Error, Invalid};
use crate::game::{self, Server};
use crate::state::{Config, DrainMode, Player, Policy, State, TaskKind};
use crate::Ram;

/// A host as the planner sees it.
#[derive(Clone, Debug)]
pub(crate) struct Host {
    pub name: String,
    /// `max_ram - reserved_ram`: all the RAM tasks may hold here.
    pub cap: Ram,
    /// Every chunk must leave this host in this cycle.
    pub evict: bool,
}

/// A target as the planner sees it.
#[derive(Clone, Debug)]
pub(crate) struct Target {
    pub name: String,
    pub server: Server,
    /// Harvest options the user gave instead of the formulas: (H, chunk RAM, $/s per chunk).
    pub menu: Option<Vec<(u64, Ram, f64)>>,
    pub weaken_ms: Option<f64>,
}

/// A running task.
#[derive(Clone, Debug)]
pub(crate) struct Task {
    pub id: String,
    pub kind: TaskKind,
    pub target: usize,
    pub hack_threads: Option<u64>,
    pub chunk: Ram,
    /// Chunks per host index; every count positive, host indices ascending.
    pub placement: Vec<(usize, u64)>,
    pub pinned: bool,
}

/// A valid state.
#[derive(Clone, Debug)]
pub(crate) struct Net {
    pub player: Player,
    pub hosts: Vec<Host>,
    pub targets: Vec<Target>,
    pub tasks: Vec<Task>,
    pub config: Config,
    pub policy: Policy,
}

/// Parses state JSON. A syntax or type error names its JSON path.
///
/// # Errors
///
/// [`Error::Invalid`] when the text is not JSON of the `State` shape.
pub fn parse(json: &str) -> Result<State, Error> {
    from_json(json)
}

/// Parses JSON of any input shape (a state, a timeline); an error names its JSON
/// path, the value and what is allowed.
pub(crate) fn from_json<T: serde::de::DeserializeOwned>(json: &str) -> Result<T, Error> {
    let de = &mut serde_json::Deserializer::from_str(json);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let mut path = String::new();
        for segment in e.path() {
            match segment {
                Segment::Seq { index } => path.push_str(&format!("[{index}]")),
                Segment::Map { key: name } | Segment::Enum { variant: name } => {
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(&key(name));
                }
                // A key not read yet (the text ends inside an object): the path
                // names the object. (Every map of the state is keyed by strings,
                // so an unknown segment can only come last.)
                Segment::Unknown => {}
            }
        }
        if path.is_empty() {
            path.push('$');
        }
        let (path, message) = parse_problem(path, &e.into_inner());
        Error::at(path, message)
    })
}

/// A name as one segment of a JSON path: as it is when it is made of letters,
/// digits, `-` and `_`, else quoted as JSON (`""`, `"I.I.I.I"`), so every path
/// reads back unambiguously.
fn key(name: &str) -> String {
    let plain = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if plain {
        name.to_string()
    } else {
        serde_json::Value::from(name).to_string()
    }
}

/// Words a serde_json error for a user who writes JSON, not Rust: the path of a
/// missing field names the field, Rust type names become JSON ranges, and the
/// position (line and column) is kept.
fn parse_problem(path: String, inner: &serde_json::Error) -> (String, String) {
    let full = inner.to_string();
    let at = if inner.line() == 0 {
        String::new()
    } else {
        format!(" at line {} column {}", inner.line(), inner.column())
    };
    let bare = full.strip_suffix(&at).unwrap_or(&full);
    let missing = bare.strip_prefix("missing field `").and_then(|m| m.strip_suffix('`'));
    match (inner.classify(), missing) {
        (serde_json::error::Category::Data, Some(field)) => {
            let path = if path == "$" { field.to_string() } else { format!("{path}.{field}") };
            (path, format!("missing; the field is required (the object ends{at})"))
        }
        (serde_json::error::Category::Data, None) => {
            let msg = bare
                .replace("expected f64", "expected a number")
                .replace("expected u32", "expected an integer from 0 to 4294967295")
                .replace("expected u64", "expected an integer from 0 to 18446744073709551615");
            (path, format!("{msg}{at}"))
        }
        _ if bare == "number out of range" => (
            path,
            format!(
                "number out of range{at}: above 1.8e308, the largest 64-bit float; allowed: a finite number"
            ),
        ),
        _ if bare == "expected value" => (
            path,
            format!(
                "not valid JSON: expected a value{at} (a number, string, true, false, null, object or \
                 array; NaN and Infinity are not JSON)"
            ),
        ),
        _ => (path, format!("not valid JSON: {bare}{at}")),
    }
}

/// A number as the user would write it: huge and tiny ones in exponent form
/// (`1e30`, not thirty-one digits).
fn num(x: f64) -> String {
    if x != 0.0 && x.is_finite() && !(1e-6..1e16).contains(&x.abs()) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// Checks a state and builds the network, collecting every problem found.
pub(crate) fn validate(state: &State) -> Result<Net, Error> {
    let mut v = Check::default();
    let p = &state.player;
    v.range("player.hacking", p.hacking as f64, 1.0, 1e6, "an integer from 1 to 1000000");
    v.range("player.intelligence", p.intelligence as f64, 0.0, 1e6, "an integer from 0 to 1000000");
    for (name, x) in [
        ("hacking_chance", p.mults.hacking_chance),
        ("hacking_speed", p.mults.hacking_speed),
        ("hacking_money", p.mults.hacking_money),
        ("hacking_grow", p.mults.hacking_grow),
        ("hacking", p.mults.hacking),
        ("hacking_exp", p.mults.hacking_exp),
    ] {
        v.range(&format!("player.mults.{name}"), x, 1e-6, 1e6, "a number from 0.000001 to 1000000");
    }
    for (name, x) in [
        ("script_hack_money", p.bitnode.script_hack_money),
        ("hacking_speed", p.bitnode.hacking_speed),
        ("server_growth_rate", p.bitnode.server_growth_rate),
        ("server_weaken_rate", p.bitnode.server_weaken_rate),
        ("hacking_level", p.bitnode.hacking_level),
        ("hack_exp_gain", p.bitnode.hack_exp_gain),
    ] {
        v.range(&format!("player.bitnode.{name}"), x, 1e-6, 1e6, "a number from 0.000001 to 1000000");
    }
    let c = &state.config;
    v.range("config.spacing_ms", c.spacing_ms, 1.0, 10_000.0, "a number from 1 to 10000");
    v.range("config.max_hack_fraction", c.max_hack_fraction, 1e-6, 1.0, "a number above 0, at most 1");
    v.range("config.security_tolerance", c.security_tolerance, 0.0, 100.0, "a number from 0 to 100");
    v.range("config.money_tolerance", c.money_tolerance, 0.0, 1.0, "a number from 0 to 1");
    let pol = &state.policy;
    v.range("policy.time_limit_ms", pol.time_limit_ms as f64, 1.0, 60_000.0, "an integer from 1 to 60000");
    v.range("policy.min_gain", pol.min_gain, 0.0, 1.0, "a number from 0 to 1");
    v.range("policy.horizon_s", pol.horizon_s, 60.0, 1e7, "a number from 60 to 10000000");

    if state.hosts.is_empty() {
        v.fail("hosts", "the list is empty; at least one host is needed to run anything");
    }
    let mut hosts = Vec::with_capacity(state.hosts.len());
    let mut host_index: HashMap<&str, usize> = HashMap::new();
    for (i, h) in state.hosts.iter().enumerate() {
        let at = format!("hosts[{i}]");
        v.unique(&mut host_index, &h.name, i, &at, "hosts", "name");
        let max = v.ram(&format!("{at}.max_ram"), h.max_ram);
        let reserved = v.ram(&format!("{at}.reserved_ram"), h.reserved_ram);
        if reserved > max {
            v.fail(
                format!("{at}.reserved_ram"),
                format!(
                    "{} is more than max_ram {}; allowed: 0 to max_ram",
                    num(h.reserved_ram),
                    num(h.max_ram)
                ),
            );
        }
        v.range(&format!("{at}.cores"), h.cores as f64, 1.0, 128.0, "an integer from 1 to 128");
        let evict = matches!(h.drain.as_ref().map(|d| d.mode), Some(DrainMode::Evict));
        let cap = game::capacity(max, reserved).unwrap_or(Ram::ZERO);
        hosts.push(Host { name: h.name.clone(), cap, evict });
    }

    let mut targets = Vec::with_capacity(state.targets.len());
    let mut target_index: HashMap<&str, usize> = HashMap::new();
    for (i, t) in state.targets.iter().enumerate() {
        let at = format!("targets[{i}]");
        v.unique(&mut target_index, &t.name, i, &at, "targets", "name");
        v.range(
            &format!("{at}.required_hacking"),
            t.required_hacking as f64,
            0.0,
            1e6,
            "an integer from 0 to 1000000",
        );
        v.range(&format!("{at}.min_security"), t.min_security, 1.0, 100.0, "a number from 1 to 100");
        if let Some(b) = t.base_security {
            v.range(&format!("{at}.base_security"), b, 1.0, 100.0, "a number from 1 to 100");
        }
        if let Some(s) = t.security {
            v.range(
                &format!("{at}.security"),
                s,
                t.min_security.clamp(1.0, 100.0),
                100.0,
                &format!("a number from min_security ({}) to 100", num(t.min_security)),
            );
        }
        v.range(&format!("{at}.max_money"), t.max_money, 1.0, 1e18, "a number from 1 to 1e18");
        if let Some(m) = t.money {
            v.range(
                &format!("{at}.money"),
                m,
                0.0,
                t.max_money.max(0.0),
                &format!("a number from 0 to max_money ({})", num(t.max_money)),
            );
        }
        v.range(&format!("{at}.growth"), t.growth, 1.0, 1e6, "a number from 1 to 1000000");
        if let Some(w) = t.weaken_ms {
            v.range(&format!("{at}.weaken_ms"), w, 1.0, 1e10, "a number from 1 to 1e10");
        }
        let menu = t.menu.as_ref().map(|menu| {
            if menu.is_empty() {
                v.fail(
                    format!("{at}.menu"),
                    "the menu is empty; give at least one option or leave `menu` out",
                );
            }
            menu.iter()
                .enumerate()
                .map(|(k, o)| {
                    let at = format!("{at}.menu[{k}]");
                    v.range(
                        &format!("{at}.hack_threads"),
                        o.hack_threads as f64,
                        1.0,
                        1e9,
                        "an integer from 1 to 1000000000",
                    );
                    let ram = v.ram(&format!("{at}.chunk_ram"), o.chunk_ram);
                    if ram == Ram::ZERO {
                        v.fail(
                            format!("{at}.chunk_ram"),
                            "0 is not allowed; a chunk holds at least one thread (more than 0)",
                        );
                    }
                    v.range(
                        &format!("{at}.chunk_income_per_s"),
                        o.chunk_income_per_s,
                        0.0,
                        1e18,
                        "a number from 0 to 1e18",
                    );
                    (o.hack_threads as u64, ram, o.chunk_income_per_s)
                })
                .collect()
        });
        targets.push(Target { name: t.name.clone(), server: Server::of(t), menu, weaken_ms: t.weaken_ms });
    }

    let mut tasks = Vec::with_capacity(state.tasks.len());
    let mut task_index: HashMap<&str, usize> = HashMap::new();
    let mut target_task: HashMap<usize, usize> = HashMap::new();
    let mut used = vec![Ram::ZERO; hosts.len()];
    for (i, t) in state.tasks.iter().enumerate() {
        let at = format!("tasks[{i}]");
        v.unique(&mut task_index, &t.id, i, &at, "tasks", "id");
        let target = target_index.get(t.target.as_str()).copied();
        match target {
            None => v.fail(
                format!("{at}.target"),
                format!("{:?} is not a target; allowed: a name listed in `targets`", t.target),
            ),
            Some(ti) => {
                if let Some(j) = target_task.insert(ti, i) {
                    v.fail(
                        format!("{at}.target"),
                        format!(
                            "{:?} already has a task (tasks[{j}]); allowed: one task per target",
                            t.target
                        ),
                    );
                }
            }
        }
        let hack_threads = match (t.kind, t.hack_threads) {
            (TaskKind::Harvest, None) => {
                v.fail(
                    format!("{at}.hack_threads"),
                    "missing; a harvest task needs hack_threads (an integer from 1)",
                );
                None
            }
            (TaskKind::Harvest, Some(h)) => {
                v.range(&format!("{at}.hack_threads"), h as f64, 1.0, 1e9, "an integer from 1 to 1000000000");
                Some(h as u64)
            }
            (kind, Some(h)) => {
                v.fail(
                    format!("{at}.hack_threads"),
                    format!("{h} given for a {} task; only harvest tasks have hack_threads", kind.name()),
                );
                None
            }
            (_, None) => None,
        };
        let chunk = match (t.chunk_ram, t.kind) {
            (Some(gb), _) => {
                let r = v.ram(&format!("{at}.chunk_ram"), gb);
                if r == Ram::ZERO {
                    v.fail(
                        format!("{at}.chunk_ram"),
                        "0 is not allowed; a chunk holds at least one thread (more than 0)",
                    );
                }
                r
            }
            (None, TaskKind::Till) => game::TILL_CHUNK,
            (None, TaskKind::Sow) => game::SOW_CHUNK,
            (None, TaskKind::Harvest) => match (target, hack_threads) {
                (Some(ti), Some(h)) if h >= 1 => default_harvest_chunk(&state.player, &targets[ti], h),
                _ => Ram::ZERO,
            },
        };
        if t.placement.is_empty() {
            v.fail(
                format!("{at}.placement"),
                "empty; a running task holds at least one chunk (drop the task instead)",
            );
        }
        let mut placement = Vec::with_capacity(t.placement.len());
        for (host, &n) in &t.placement {
            let at = format!("{at}.placement.{}", key(host));
            let Some(&hi) = host_index.get(host.as_str()) else {
                v.fail(at, format!("{host:?} is not a host; allowed: a name listed in `hosts`"));
                continue;
            };
            if n == 0 || n > 1_000_000_000 {
                v.fail(&at, format!("{n} chunks; allowed: an integer from 1 to 1000000000"));
                continue;
            }
            let cap = hosts[hi].cap;
            if chunk > cap {
                v.fail(
                    &at,
                    format!("a chunk of {chunk} does not fit on {host:?}, which has {cap} for tasks"),
                );
            } else if n > cap.fits(chunk) {
                // Checked before multiplying, so absurd counts cannot overflow.
                v.fail(
                    &at,
                    format!("{n} chunks of {chunk} do not fit on {host:?}, which has {cap} for tasks (at most {})", cap.fits(chunk)),
                );
                continue;
            }
            used[hi] += chunk * n;
            placement.push((hi, n));
        }
        placement.sort_unstable();
        if t.pinned {
            for &(hi, _) in &placement {
                if hosts[hi].evict {
                    v.fail(
                        format!("{at}.pinned"),
                        format!("the task is pinned but holds chunks on {:?}, which is drained (evict); unpin it or stop the drain", hosts[hi].name),
                    );
                }
            }
        }
        tasks.push(Task {
            id: t.id.clone(),
            kind: t.kind,
            target: target.unwrap_or(0),
            hack_threads,
            chunk,
            placement,
            pinned: t.pinned,
        });
    }
    for (hi, h) in hosts.iter().enumerate() {
        if used[hi] > h.cap {
            let holders: Vec<&str> = tasks
                .iter()
                .filter(|t| t.placement.iter().any(|&(x, _)| x == hi))
                .map(|t| t.id.as_str())
                .collect();
            v.fail(
                format!("hosts[{hi}]"),
                format!(
                    "{:?} is overcommitted: tasks {} hold {}, but max_ram - reserved_ram is {}",
                    h.name,
                    holders.join(", "),
                    used[hi],
                    h.cap
                ),
            );
        }
    }
    if !v.problems.is_empty() {
        return Err(Error::Invalid(v.problems));
    }
    Ok(Net {
        player: state.player.clone(),
        hosts,
        targets,
        tasks,
        config: state.config.clone(),
        policy: state.policy.clone(),
    })
}

/// The chunk RAM of a harvest task that did not say: its batch at H, from the
/// user's menu when there is one, else from the formulas.
fn default_harvest_chunk(player: &Player, target: &Target, h: u64) -> Ram {
    if let Some(menu) = &target.menu {
        if let Some(&(_, ram, _)) = menu.iter().find(|o| o.0 == h) {
            return ram;
        }
    }
    game::batch(player, &target.server, h).ram
}

/// Collects problems; helpers check one field each.
#[derive(Default)]
struct Check {
    problems: Vec<Invalid>,
}

impl Check {
    fn fail(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.problems.push(Invalid { path: path.into(), message: message.into() });
    }

    /// A name (or id) at `{at}.{field}` of `list[i]`: not empty, and not taken.
    fn unique<'a>(
        &mut self,
        index: &mut HashMap<&'a str, usize>,
        name: &'a str,
        i: usize,
        at: &str,
        list: &str,
        field: &str,
    ) {
        if name.is_empty() {
            self.fail(format!("{at}.{field}"), "\"\" is empty; allowed: one character or more");
        }
        if let Some(j) = index.insert(name, i) {
            self.fail(
                format!("{at}.{field}"),
                format!("{name:?} is already the {field} of {list}[{j}]; {field}s must be unique"),
            );
        }
    }

    fn range(&mut self, path: &str, x: f64, lo: f64, hi: f64, allowed: &str) {
        if !(lo <= x && x <= hi) {
            self.fail(path, format!("{} is out of range; allowed: {allowed}", num(x)));
        }
    }

    fn ram(&mut self, path: &str, gb: f64) -> Ram {
        Ram::from_gb(gb).unwrap_or_else(|| {
            self.fail(
                path,
                format!(
                    "{} is not a RAM amount; allowed: 0 to 2^40 GB (1099511627776) with at most two decimals",
                    num(gb)
                ),
            );
            Ram::ZERO
        })
    }
}

/// Chunks per host name, the wire shape of a placement.
pub(crate) fn placement_names(net: &Net, placement: &[(usize, u64)]) -> BTreeMap<String, u64> {
    placement.iter().map(|&(h, n)| (net.hosts[h].name.clone(), n)).collect()
}
