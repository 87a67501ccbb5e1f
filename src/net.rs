//! The validated network: the state checked once, at the edge, into domain types.
//!
//! Nothing past this module sees JSON or needs to re-check a number: hosts, targets
//! and tasks refer to each other by index, RAM is [`Ram`], every count is positive.
//! Validation runs section by section (sizes, player, config and policy, hosts,
//! targets, tasks and their references, capacity), each checking its numbers
//! against their rows in [`crate::range`], and lists every problem it finds.

use std::collections::{BTreeMap, HashMap};

use crate::error::{Error, Invalid};
use crate::game::{self, Server};
use crate::json;
use crate::range::{self, Range, Size};
use crate::state::{self, Config, DrainMode, Player, Policy, State, TaskKind};
use crate::Ram;

/// A host as the planner sees it.
#[derive(Clone, Debug)]
pub(crate) struct Host {
    pub name: String,
    /// `max_ram - reserved_ram`: all the RAM tasks may hold here.
    pub cap: Ram,
    /// Drained (`evict` or `cordon`): the new table holds no chunk here.
    pub drained: bool,
    /// Cordoned: a chunk whose batch or round lands within this many seconds
    /// (infinity without a `deadline_s`) leaves when it lands, the rest now.
    pub cordon: Option<f64>,
}

/// A target as the planner sees it.
#[derive(Clone, Debug)]
pub(crate) struct Target {
    pub name: String,
    pub server: Server,
    /// Harvest options the user gave instead of the formulas: (H, chunk RAM, $/s per chunk).
    pub menu: Option<Vec<(u64, Ram, f64)>>,
    /// When its batches run: from the user's weaken time, else the formula's.
    pub timing: game::Timing,
}

/// A task: one of today's, or one of a planned table.
#[derive(Clone, Debug, PartialEq)]
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

/// Parses state JSON strictly (one value, no duplicate keys, objects only as
/// objects). A syntax or type error names its JSON path.
///
/// # Errors
///
/// [`Error::Invalid`] when the text is not JSON of the `State` shape.
pub fn parse(json: &str) -> Result<State, Error> {
    json::read(json)
}

/// Checks a state and builds the network, collecting every problem found.
pub(crate) fn validate(state: &State) -> Result<Net, Error> {
    let mut v = Check::default();
    // Past a size limit nothing else is looked at: the limits are what keeps
    // the rest of the checks fast.
    sizes(&mut v, state);
    v.done()?;
    player(&mut v, &state.player);
    settings(&mut v, &state.config, &state.policy);
    let (hosts, host_index) = hosts(&mut v, &state.hosts);
    let (targets, target_index) = targets(&mut v, state);
    let tasks = tasks(
        &mut v,
        state,
        &Index { hosts: &hosts, host: host_index, targets: &targets, target: target_index },
    );
    capacity(&mut v, &hosts, &tasks);
    v.done()?;
    Ok(Net {
        player: state.player.clone(),
        hosts,
        targets,
        tasks,
        config: state.config.clone(),
        policy: state.policy.clone(),
    })
}

/// The size limits: list lengths and name lengths.
fn sizes(v: &mut Check, state: &State) {
    v.size("hosts", state.hosts.len(), &range::HOSTS);
    v.size("targets", state.targets.len(), &range::TARGETS);
    v.size("tasks", state.tasks.len(), &range::TASKS);
    if !v.problems.is_empty() {
        return;
    }
    for (i, h) in state.hosts.iter().enumerate() {
        v.size(format!("hosts[{i}].name"), h.name.chars().count(), &range::NAME);
    }
    for (i, t) in state.targets.iter().enumerate() {
        v.size(format!("targets[{i}].name"), t.name.chars().count(), &range::NAME);
        v.size(format!("targets[{i}].menu"), t.menu.as_ref().map_or(0, Vec::len), &range::MENU);
    }
    let mut entries = 0;
    for (i, t) in state.tasks.iter().enumerate() {
        v.size(format!("tasks[{i}].id"), t.id.chars().count(), &range::NAME);
        v.size(format!("tasks[{i}].target"), t.target.chars().count(), &range::NAME);
        v.size(format!("tasks[{i}].placement"), t.placement.len(), &range::PLACEMENT);
        if let Some(long) = t.placement.keys().map(|k| k.chars().count()).max() {
            v.size(
                format!("tasks[{i}].placement"),
                long,
                &Size { what: "characters in a host name", ..range::NAME },
            );
        }
        entries += t.placement.len();
    }
    v.size("tasks", entries, &range::PLACEMENTS);
}

fn player(v: &mut Check, p: &Player) {
    v.num("player.hacking", p.hacking.into(), &range::LEVEL);
    v.num("player.intelligence", p.intelligence.into(), &range::INTELLIGENCE);
    let m = &p.mults;
    let b = &p.bitnode;
    for (name, x) in [
        ("mults.hacking_chance", m.hacking_chance),
        ("mults.hacking_speed", m.hacking_speed),
        ("mults.hacking_money", m.hacking_money),
        ("mults.hacking_grow", m.hacking_grow),
        ("mults.hacking", m.hacking),
        ("mults.hacking_exp", m.hacking_exp),
        ("bitnode.script_hack_money", b.script_hack_money),
        ("bitnode.hacking_speed", b.hacking_speed),
        ("bitnode.server_growth_rate", b.server_growth_rate),
        ("bitnode.server_weaken_rate", b.server_weaken_rate),
        ("bitnode.hacking_level", b.hacking_level),
        ("bitnode.hack_exp_gain", b.hack_exp_gain),
    ] {
        v.num(&format!("player.{name}"), x, &range::MULT);
    }
}

/// `config` and `policy`.
fn settings(v: &mut Check, c: &Config, p: &Policy) {
    v.num("config.spacing_ms", c.spacing_ms, &range::SPACING_MS);
    v.num("config.max_hack_fraction", c.max_hack_fraction, &range::MAX_HACK_FRACTION);
    v.num("config.security_tolerance", c.security_tolerance, &range::SECURITY_TOLERANCE);
    v.num("config.money_tolerance", c.money_tolerance, &range::FRACTION);
    v.num("policy.time_limit_ms", p.time_limit_ms as f64, &range::TIME_LIMIT_MS);
    v.num("policy.min_gain", p.min_gain, &range::FRACTION);
    v.num("policy.horizon_s", p.horizon_s, &range::HORIZON_S);
}

fn hosts<'a>(v: &mut Check, list: &'a [state::Host]) -> (Vec<Host>, HashMap<&'a str, usize>) {
    if list.is_empty() {
        v.fail("hosts", "the list is empty; at least one host is needed to run anything");
    }
    let mut hosts = Vec::with_capacity(list.len());
    let mut index = HashMap::with_capacity(list.len());
    for (i, h) in list.iter().enumerate() {
        let at = format!("hosts[{i}]");
        v.name(&mut index, &h.name, i, &at, "hosts", "name");
        let max = v.ram(&format!("{at}.max_ram"), h.max_ram, &range::MAX_RAM, None);
        let valid_max = range::MAX_RAM.contains(h.max_ram, None, None).then_some(h.max_ram);
        let reserved = v.ram(&format!("{at}.reserved_ram"), h.reserved_ram, &range::RESERVED_RAM, valid_max);
        v.num(&format!("{at}.cores"), h.cores.into(), &range::CORES);
        let cordon = h.drain.as_ref().and_then(|d| drain(v, &at, d));
        let cap = game::capacity(max, reserved).unwrap_or(Ram::ZERO);
        hosts.push(Host { name: h.name.clone(), cap, drained: h.drain.is_some(), cordon });
    }
    (hosts, index)
}

/// A drain's deadline: for `cordon`, how long its chunks may take to land.
fn drain(v: &mut Check, at: &str, d: &state::Drain) -> Option<f64> {
    let at = format!("{at}.drain.deadline_s");
    match (d.mode, d.deadline_s) {
        (DrainMode::Evict, None) => None,
        (DrainMode::Evict, Some(s)) => {
            let s = range::num(s);
            v.fail(at, format!("{s} is given for mode \"evict\", which empties the host now; a deadline is allowed with \"cordon\" only"));
            None
        }
        (DrainMode::Cordon, None) => Some(f64::INFINITY),
        (DrainMode::Cordon, Some(s)) => {
            v.num(&at, s, &range::DEADLINE_S);
            Some(s)
        }
    }
}

fn targets<'a>(v: &mut Check, state: &'a State) -> (Vec<Target>, HashMap<&'a str, usize>) {
    let mut targets = Vec::with_capacity(state.targets.len());
    let mut index = HashMap::with_capacity(state.targets.len());
    for (i, t) in state.targets.iter().enumerate() {
        let at = format!("targets[{i}]");
        v.name(&mut index, &t.name, i, &at, "targets", "name");
        v.num(&format!("{at}.required_hacking"), t.required_hacking.into(), &range::REQUIRED_HACKING);
        let min_ok = v.num(&format!("{at}.min_security"), t.min_security, &range::MIN_SECURITY);
        if let Some(b) = t.base_security {
            v.num(&format!("{at}.base_security"), b, &range::MIN_SECURITY);
        }
        if let Some(s) = t.security {
            let min = min_ok.then_some(t.min_security);
            v.within(&format!("{at}.security"), s, &range::SECURITY, min, None);
        }
        let max_ok = v.num(&format!("{at}.max_money"), t.max_money, &range::MAX_MONEY);
        if let Some(m) = t.money {
            v.within(&format!("{at}.money"), m, &range::MONEY, None, max_ok.then_some(t.max_money));
        }
        v.num(&format!("{at}.growth"), t.growth, &range::GROWTH);
        if let Some(w) = t.weaken_ms {
            v.num(&format!("{at}.weaken_ms"), w, &range::WEAKEN_MS);
        }
        let menu = t.menu.as_ref().map(|menu| {
            if menu.is_empty() {
                v.fail(
                    format!("{at}.menu"),
                    "the menu is empty; give at least one option or leave `menu` out",
                );
            }
            let option = |(k, o): (usize, &state::MenuOption)| {
                let at = format!("{at}.menu[{k}]");
                v.num(&format!("{at}.hack_threads"), o.hack_threads.into(), &range::HACK_THREADS);
                let ram = v.chunk(
                    &format!("{at}.chunk_ram"),
                    o.chunk_ram,
                    TaskKind::Harvest,
                    Some(o.hack_threads.into()),
                );
                v.num(&format!("{at}.chunk_income_per_s"), o.chunk_income_per_s, &range::CHUNK_INCOME);
                (u64::from(o.hack_threads), ram, o.chunk_income_per_s)
            };
            menu.iter().enumerate().map(option).collect()
        });
        let server = Server::of(t);
        let timing = match t.weaken_ms {
            Some(weaken_ms) => game::Timing { weaken_ms, spacing_ms: state.config.spacing_ms },
            None => game::Timing::of(&state.player, &server, &state.config),
        };
        targets.push(Target { name: t.name.clone(), server, menu, timing });
    }
    (targets, index)
}

/// What a task's references are resolved against.
struct Index<'a> {
    hosts: &'a [Host],
    host: HashMap<&'a str, usize>,
    targets: &'a [Target],
    target: HashMap<&'a str, usize>,
}

fn tasks(v: &mut Check, state: &State, index: &Index) -> Vec<Task> {
    let mut tasks = Vec::with_capacity(state.tasks.len());
    let mut ids = HashMap::with_capacity(state.tasks.len());
    let mut target_task: HashMap<usize, usize> = HashMap::new();
    for (i, t) in state.tasks.iter().enumerate() {
        let at = format!("tasks[{i}]");
        v.name(&mut ids, &t.id, i, &at, "tasks", "id");
        let target = index.target.get(t.target.as_str()).copied();
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
        let hack_threads = hack_threads(v, &at, t);
        let chunk = match (t.chunk_ram, t.kind, target, hack_threads) {
            (Some(gb), kind, _, h) => v.chunk(&format!("{at}.chunk_ram"), gb, kind, h),
            (None, TaskKind::Till, ..) => game::TILL_CHUNK,
            (None, TaskKind::Sow, ..) => game::SOW_CHUNK,
            (None, TaskKind::Harvest, Some(ti), Some(h)) if h >= 1 => {
                default_harvest_chunk(&state.player, &index.targets[ti], h)
            }
            (None, TaskKind::Harvest, ..) => Ram::ZERO,
        };
        let placement = placement(v, &at, t, chunk, index);
        references(v, &at, t, target, &placement, index);
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
    tasks
}

/// A task's hack threads: a harvest has them, a till or sow does not.
fn hack_threads(v: &mut Check, at: &str, t: &state::Task) -> Option<u64> {
    match (t.kind, t.hack_threads) {
        (TaskKind::Harvest, None) => {
            v.fail(
                format!("{at}.hack_threads"),
                format!(
                    "missing; a harvest task needs hack_threads ({})",
                    range::HACK_THREADS.allowed(None, None)
                ),
            );
            None
        }
        (TaskKind::Harvest, Some(h)) => {
            v.num(&format!("{at}.hack_threads"), h.into(), &range::HACK_THREADS);
            Some(h.into())
        }
        (kind, Some(h)) => {
            v.fail(
                format!("{at}.hack_threads"),
                format!("{h} given for a {} task; only harvest tasks have hack_threads", kind.name()),
            );
            None
        }
        (_, None) => None,
    }
}

/// A task's chunks per host index, each count in range and each chunk fitting its host.
fn placement(v: &mut Check, at: &str, t: &state::Task, chunk: Ram, index: &Index) -> Vec<(usize, u64)> {
    if t.placement.is_empty() {
        v.fail(
            format!("{at}.placement"),
            "empty; a running task holds at least one chunk (drop the task instead)",
        );
    }
    let mut placement = Vec::with_capacity(t.placement.len());
    for (host, &n) in &t.placement {
        // The path is written only for a problem: a placement may have thousands of entries.
        let at = || format!("{at}.placement.{}", json::key(host));
        let Some(&hi) = index.host.get(host.as_str()) else {
            v.fail(at(), format!("{host:?} is not a host; allowed: a name listed in `hosts`"));
            continue;
        };
        if !range::CHUNKS.contains(n as f64, None, None) {
            v.fail(at(), range::CHUNKS.refuse(n as f64, None, None));
            continue;
        }
        let cap = index.hosts[hi].cap;
        if chunk == Ram::ZERO {
            // Refused already (as the chunk's RAM); nothing to fit.
        } else if chunk > cap {
            v.fail(at(), format!("a chunk of {chunk} does not fit on {host:?}, which has {cap} for tasks"));
        } else if n > cap.fits(chunk) {
            // Checked before multiplying, so absurd counts cannot overflow.
            v.fail(
                at(),
                format!(
                    "{n} chunks of {chunk} do not fit on {host:?}, which has {cap} for tasks (at most {})",
                    cap.fits(chunk)
                ),
            );
            continue;
        }
        placement.push((hi, n));
    }
    placement.sort_unstable();
    placement
}

/// What a pinned task may not do: hold chunks on a drained host, or hold a
/// harvest above its overlap (it could not shrink to fit it).
fn references(
    v: &mut Check,
    at: &str,
    t: &state::Task,
    target: Option<usize>,
    placement: &[(usize, u64)],
    index: &Index,
) {
    if !t.pinned {
        return;
    }
    for &(hi, _) in placement {
        if index.hosts[hi].drained {
            v.fail(
                format!("{at}.pinned"),
                format!(
                    "the task is pinned but holds chunks on {:?}, which is drained ({}); unpin it or stop the drain",
                    index.hosts[hi].name,
                    if index.hosts[hi].cordon.is_some() { "cordon" } else { "evict" }
                ),
            );
        }
    }
    let held: u64 = placement.iter().map(|p| p.1).sum();
    if let (TaskKind::Harvest, Some(ti)) = (t.kind, target) {
        let overlap = index.targets[ti].timing.overlap();
        if held > overlap {
            v.fail(
                format!("{at}.pinned"),
                format!("the harvest is pinned but holds {held} chunks, above its overlap {overlap}; unpin it so it can shrink"),
            );
        }
    }
}

/// No host holds more than `max_ram - reserved_ram`. The sums are in `u128`:
/// no count of tasks and chunks can wrap them.
fn capacity(v: &mut Check, hosts: &[Host], tasks: &[Task]) {
    let mut used = vec![0u128; hosts.len()];
    for t in tasks {
        for &(h, n) in &t.placement {
            used[h] += u128::from(t.chunk.0) * u128::from(n);
        }
    }
    for (hi, h) in hosts.iter().enumerate() {
        if used[hi] > u128::from(h.cap.0) {
            let holders: Vec<&str> = tasks
                .iter()
                .filter(|t| t.placement.iter().any(|&(x, _)| x == hi))
                .map(|t| t.id.as_str())
                .collect();
            v.fail(
                format!("hosts[{hi}]"),
                format!(
                    "{:?} is overcommitted: tasks {} hold {}.{:02} GB, but max_ram - reserved_ram is {}",
                    h.name,
                    holders.join(", "),
                    used[hi] / 100,
                    used[hi] % 100,
                    h.cap
                ),
            );
        }
    }
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

    /// Every problem so far, if any.
    fn done(&mut self) -> Result<(), Error> {
        if self.problems.is_empty() {
            Ok(())
        } else {
            Err(Error::Invalid(std::mem::take(&mut self.problems)))
        }
    }

    fn size(&mut self, path: impl Into<String>, n: usize, size: &Size) {
        if let Some(message) = size.above(n) {
            self.fail(path, message);
        }
    }

    /// A name (or id) at `{at}.{field}` of `list[i]`: not empty, and not taken.
    fn name<'a>(
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

    /// `x` against its row; whether it is allowed.
    fn num(&mut self, path: &str, x: f64, row: &Range) -> bool {
        self.within(path, x, row, None, None)
    }

    /// `x` against its row and the values of the siblings that bound it.
    fn within(&mut self, path: &str, x: f64, row: &Range, lo: Option<f64>, hi: Option<f64>) -> bool {
        let ok = row.contains(x, lo, hi);
        if !ok {
            self.fail(path, row.refuse(x, lo, hi));
        }
        ok
    }

    /// A RAM amount against its row (and its sibling upper bound); zero when refused.
    fn ram(&mut self, path: &str, gb: f64, row: &Range, hi: Option<f64>) -> Ram {
        match self.within(path, gb, row, None, hi).then(|| Ram::from_gb(gb)).flatten() {
            Some(r) => r,
            None => Ram::ZERO,
        }
    }

    /// The RAM of one chunk of `kind` (a harvest's with `hack` threads): in its
    /// row, and at least what the chunk's own threads need. A chunk larger than
    /// that is allowed (a batch sized at an older level, a script's own RAM): it
    /// holds all its RAM and does its threads' work.
    fn chunk(&mut self, path: &str, gb: f64, kind: TaskKind, hack: Option<u64>) -> Ram {
        let least = match (kind, hack) {
            (TaskKind::Till, _) => Some((game::TILL_CHUNK, "one weaken thread".to_string())),
            (TaskKind::Sow, _) => {
                Some((game::SOW_CHUNK, "12 grow threads and one weaken thread".to_string()))
            }
            (TaskKind::Harvest, Some(h)) => {
                let s = if h == 1 { "" } else { "s" };
                Some((
                    game::least_batch(h),
                    format!("{h} hack thread{s} and the two weaken threads every batch has"),
                ))
            }
            (TaskKind::Harvest, None) => None,
        };
        let lo = least.as_ref().map(|l| l.0.gb());
        // A harvest without hack threads (refused already) has no threads' RAM to show.
        let row = &Range { at_least: lo.and(range::CHUNK_RAM.at_least), ..range::CHUNK_RAM };
        if row.contains(gb, lo, None) {
            return Ram::from_gb(gb).unwrap_or(Ram::ZERO);
        }
        let mut message = row.refuse(gb, lo, None);
        if let Some((_, threads)) = least.filter(|l| Ram::from_gb(gb).is_some_and(|r| r < l.0)) {
            message.push_str(&format!("; its threads: {threads}"));
        }
        self.fail(path, message);
        Ram::ZERO
    }
}

/// Chunks per host name, the wire shape of a placement.
pub(crate) fn placement_names(net: &Net, placement: &[(usize, u64)]) -> BTreeMap<String, u64> {
    placement.iter().map(|&(h, n)| (net.hosts[h].name.clone(), n)).collect()
}

/// A task in its wire shape, every default filled in.
pub(crate) fn wire(net: &Net, t: &Task) -> state::Task {
    state::Task {
        id: t.id.clone(),
        kind: t.kind,
        target: net.targets[t.target].name.clone(),
        // Every count of a valid net is in its range, far inside u32.
        hack_threads: t.hack_threads.map(|h| h as u32),
        chunk_ram: Some(t.chunk.gb()),
        placement: placement_names(net, &t.placement),
        pinned: t.pinned,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The input, past the size limits (which refuse it first): 167,773
    /// tasks of one 2^40 GB chunk on one 2^40 GB host hold 18,446,836,432,686,284,800
    /// hundredths, just above 2^64, which a `u64` sum wraps to less than the host.
    #[test]
    fn the_capacity_sum_cannot_wrap() {
        let cap = Ram::from_gb(range::MAX_GB).expect("2^40 GB");
        let hosts = vec![Host { name: "home".into(), cap, drained: false, cordon: None }];
        let task = |i: usize| Task {
            id: format!("till:t{i}"),
            kind: TaskKind::Till,
            target: i,
            hack_threads: None,
            chunk: cap,
            placement: vec![(0, 1)],
            pinned: false,
        };
        let tasks: Vec<Task> = (0..167_773).map(task).collect();
        let mut v = Check::default();
        capacity(&mut v, &hosts, &tasks);
        assert_eq!(v.problems.len(), 1, "{:?}", v.problems.first());
        assert!(v.problems[0].message.contains("hold 184468364326862848.00 GB"), "{}", v.problems[0].message);
    }
}
