//! Every input number's allowed values and every size limit, declared once.
//!
//! Three readers derive from these rows, so they cannot disagree: the checker
//! (`net` for states, `sim::check` for timelines), the parser's messages (`json`,
//! which finds a row by its JSON path in [`FIELDS`]) and the JSON Schema (each
//! wire field names its row in `#[schemars(transform = …)]`). The "allowed: …"
//! text of every message is [`Range::allowed`] of its row.

use schemars::Schema;
use serde_json::Value;

use crate::{game, Ram};

/// What a field holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Unit {
    /// A whole number.
    Int,
    /// Any finite number.
    Num,
    /// GB with at most two decimals (see [`Ram::from_gb`]).
    Ram,
}

/// One field's allowed values: `lo..=hi`, and for a few fields also a bound set
/// by a sibling field of the same object (`security` is at least `min_security`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Range {
    pub lo: f64,
    pub hi: f64,
    pub unit: Unit,
    /// The sibling this field is at least.
    pub at_least: Option<&'static str>,
    /// The sibling this field is at most.
    pub at_most: Option<&'static str>,
}

impl Range {
    const fn new(unit: Unit, lo: f64, hi: f64) -> Range {
        Range { lo, hi, unit, at_least: None, at_most: None }
    }

    const fn at_least(self, sibling: &'static str) -> Range {
        Range { at_least: Some(sibling), ..self }
    }

    const fn at_most(self, sibling: &'static str) -> Range {
        Range { at_most: Some(sibling), ..self }
    }

    /// Whether `x` is allowed, given the siblings' values (`lo` for `at_least`,
    /// `hi` for `at_most`) when the row has them.
    pub fn contains(&self, x: f64, lo: Option<f64>, hi: Option<f64>) -> bool {
        let lo = lo.filter(|_| self.at_least.is_some()).map_or(self.lo, |s| s.max(self.lo));
        let hi = hi.filter(|_| self.at_most.is_some()).map_or(self.hi, |s| s.min(self.hi));
        let whole = match self.unit {
            Unit::Int => x.fract() == 0.0,
            Unit::Num => true,
            Unit::Ram => Ram::from_gb(x).is_some(),
        };
        lo <= x && x <= hi && whole
    }

    /// What is allowed, in words: `an integer from 1 to 1000000`, `a number from
    /// min_security (3) to 100`. A sibling's value is shown when known.
    pub fn allowed(&self, lo: Option<f64>, hi: Option<f64>) -> String {
        let end = |bound: f64, sibling: Option<&str>, value: Option<f64>| match (sibling, value) {
            (Some(name), Some(v)) => format!("{name} ({})", num(v)),
            (Some(name), None) => name.to_string(),
            (None, _) => num(bound),
        };
        let (from, to) = (end(self.lo, self.at_least, lo), end(self.hi, self.at_most, hi));
        match self.unit {
            Unit::Int => format!("an integer from {from} to {to}"),
            Unit::Num => format!("a number from {from} to {to}"),
            Unit::Ram => format!("GB from {from} to {to} with at most two decimals"),
        }
    }

    /// The message for a value outside the range: `0 is out of range; allowed: …`.
    pub fn refuse(&self, x: f64, lo: Option<f64>, hi: Option<f64>) -> String {
        let what = if self.unit == Unit::Ram && Ram::from_gb(x).is_none() && (0.0..=MAX_GB).contains(&x) {
            "has more than two decimals"
        } else if self.unit == Unit::Int && x.fract() != 0.0 && x.is_finite() {
            "is not an integer"
        } else {
            "is out of range"
        };
        format!("{} {what}; allowed: {}", num(x), self.allowed(lo, hi))
    }
}

impl Range {
    /// The schema transform of a field with this row: its bounds (a sibling
    /// cannot be said in a JSON Schema) and, at the end of its description,
    /// what is allowed.
    pub fn schema(self) -> impl FnMut(&mut Schema) {
        move |schema: &mut Schema| {
            let bound = |x: f64| match self.unit {
                Unit::Int => Value::from(x as u64),
                _ => Value::from(x),
            };
            schema.insert("minimum".into(), bound(self.lo));
            schema.insert("maximum".into(), bound(self.hi));
            let said = schema.get("description").and_then(Value::as_str).unwrap_or_default();
            let text = format!("{said}\n\nAllowed: {}.", self.allowed(None, None));
            schema.insert("description".into(), text.trim_start().into());
        }
    }

    /// The schema transform of a map whose every value has this row.
    pub fn each_value(self) -> impl FnMut(&mut Schema) {
        move |schema: &mut Schema| {
            if let Some(values) =
                schema.get_mut("additionalProperties").and_then(|v| <&mut Schema>::try_from(v).ok())
            {
                self.schema()(values);
            }
        }
    }
}

/// The largest RAM amount, 2^40 GB.
pub(crate) const MAX_GB: f64 = 1_099_511_627_776.0;

// The rows of a state.

/// `player.hacking`, and a timeline's hacking levels.
pub(crate) const LEVEL: Range = Range::new(Unit::Int, 1.0, 1e6);
/// `player.intelligence`.
pub(crate) const INTELLIGENCE: Range = Range::new(Unit::Int, 0.0, 1e6);
/// Every multiplier of `player.mults` and `player.bitnode`.
pub(crate) const MULT: Range = Range::new(Unit::Num, 1e-6, 1e6);
/// `hosts[].max_ram`.
pub(crate) const MAX_RAM: Range = Range::new(Unit::Ram, 0.0, MAX_GB);
/// `hosts[].reserved_ram`.
pub(crate) const RESERVED_RAM: Range = MAX_RAM.at_most("max_ram");
/// `hosts[].drain.deadline_s`.
pub(crate) const DEADLINE_S: Range = Range::new(Unit::Num, 0.0, 1e7);
/// `hosts[].cores`.
pub(crate) const CORES: Range = Range::new(Unit::Int, 1.0, 128.0);
/// `targets[].required_hacking`.
pub(crate) const REQUIRED_HACKING: Range = Range::new(Unit::Int, 0.0, 1e6);
/// `targets[].min_security`.
pub(crate) const MIN_SECURITY: Range = Range::new(Unit::Num, 1.0, 100.0);
/// `targets[].security`.
pub(crate) const SECURITY: Range = MIN_SECURITY.at_least("min_security");
/// `targets[].max_money`.
pub(crate) const MAX_MONEY: Range = Range::new(Unit::Num, 1.0, 1e18);
/// `targets[].money`.
pub(crate) const MONEY: Range = Range::new(Unit::Num, 0.0, 1e18).at_most("max_money");
/// `targets[].growth`.
pub(crate) const GROWTH: Range = Range::new(Unit::Num, 1.0, 1e6);
/// `targets[].weaken_ms`.
pub(crate) const WEAKEN_MS: Range = Range::new(Unit::Num, 1.0, 1e10);
/// Hack threads of a menu option or a harvest task.
pub(crate) const HACK_THREADS: Range = Range::new(Unit::Int, 1.0, 1e9);
/// RAM of one chunk (a menu option's or a task's): at least what its own
/// threads need (`net` says how much that is for each kind).
pub(crate) const CHUNK_RAM: Range = Range::new(Unit::Ram, 0.01, MAX_GB).at_least("its threads' RAM");
/// `targets[].menu[].chunk_income_per_s`.
pub(crate) const CHUNK_INCOME: Range = Range::new(Unit::Num, 0.0, 1e18);
/// The chunk count of one placement entry.
pub(crate) const CHUNKS: Range = Range::new(Unit::Int, 1.0, 1e9);
/// `config.spacing_ms`.
pub(crate) const SPACING_MS: Range = Range::new(Unit::Num, 1.0, 1e4);
/// `config.max_hack_fraction`.
pub(crate) const MAX_HACK_FRACTION: Range = Range::new(Unit::Num, 1e-6, 1.0);
/// `config.security_tolerance`.
pub(crate) const SECURITY_TOLERANCE: Range = Range::new(Unit::Num, 0.0, 100.0);
/// `config.money_tolerance` and `policy.min_gain`.
pub(crate) const FRACTION: Range = Range::new(Unit::Num, 0.0, 1.0);
/// `policy.time_limit_ms`.
pub(crate) const TIME_LIMIT_MS: Range = Range::new(Unit::Int, 1.0, 6e4);
/// `policy.horizon_s`.
pub(crate) const HORIZON_S: Range = Range::new(Unit::Num, 60.0, 1e7);

// The rows of a timeline (`sim`).

/// `duration_s`.
pub(crate) const DURATION_S: Range = Range::new(Unit::Num, 1.0, 1e7);
/// `step_s`.
pub(crate) const STEP_S: Range = Range::new(Unit::Num, 0.05, 60.0);
/// `replan_s` and `sample_s`.
pub(crate) const CADENCE_S: Range = Range::new(Unit::Num, 1.0, 1e7).at_least("step_s");
/// `money`: dollars on hand at the start.
pub(crate) const START_MONEY: Range = Range::new(Unit::Num, 0.0, 1e30);
/// `exp_per_s`.
pub(crate) const EXP_PER_S: Range = Range::new(Unit::Num, 0.0, 1e9);
/// `port_openers`, and a `network` group's `ports`.
pub(crate) const PORT_OPENERS: Range = Range::new(Unit::Int, 0.0, 5.0);
/// `market.every_s`.
pub(crate) const EVERY_S: Range = Range::new(Unit::Num, 1.0, 3600.0);
/// `market.server_limit`.
pub(crate) const SERVER_LIMIT: Range = Range::new(Unit::Int, 1.0, 1000.0);
/// `market.server_softcap`.
pub(crate) const SOFTCAP: Range = Range::new(Unit::Num, 1.0, 10.0);

// The rows of `advise`'s market (with `money`, `spend` and the rows above).

/// `market.payback_limit_s`.
pub(crate) const PAYBACK_S: Range = Range::new(Unit::Num, 1.0, 1e12);
/// `market.server_max_ram`, in GB (a power of two as well).
pub(crate) const SERVER_RAM: Range = Range::new(Unit::Int, 1.0, game::SERVER_MAX_RAM as f64);

/// Every row by its JSON path, for the parser's messages: `[]` is any index,
/// `*` any key. A timeline's paths are here too; its nested state, hosts and
/// targets are found through [`MOUNTS`].
pub(crate) const FIELDS: &[(&str, &Range)] = &[
    ("player.hacking", &LEVEL),
    ("player.intelligence", &INTELLIGENCE),
    ("player.mults.*", &MULT),
    ("player.bitnode.*", &MULT),
    ("hosts[].max_ram", &MAX_RAM),
    ("hosts[].reserved_ram", &RESERVED_RAM),
    ("hosts[].cores", &CORES),
    ("hosts[].drain.deadline_s", &DEADLINE_S),
    ("targets[].required_hacking", &REQUIRED_HACKING),
    ("targets[].min_security", &MIN_SECURITY),
    ("targets[].security", &SECURITY),
    ("targets[].base_security", &MIN_SECURITY),
    ("targets[].max_money", &MAX_MONEY),
    ("targets[].money", &MONEY),
    ("targets[].growth", &GROWTH),
    ("targets[].weaken_ms", &WEAKEN_MS),
    ("targets[].menu[].hack_threads", &HACK_THREADS),
    ("targets[].menu[].chunk_ram", &CHUNK_RAM),
    ("targets[].menu[].chunk_income_per_s", &CHUNK_INCOME),
    ("tasks[].hack_threads", &HACK_THREADS),
    ("tasks[].chunk_ram", &CHUNK_RAM),
    ("tasks[].placement.*", &CHUNKS),
    ("config.spacing_ms", &SPACING_MS),
    ("config.max_hack_fraction", &MAX_HACK_FRACTION),
    ("config.security_tolerance", &SECURITY_TOLERANCE),
    ("config.money_tolerance", &FRACTION),
    ("policy.time_limit_ms", &TIME_LIMIT_MS),
    ("policy.min_gain", &FRACTION),
    ("policy.horizon_s", &HORIZON_S),
    ("duration_s", &DURATION_S),
    ("step_s", &STEP_S),
    ("replan_s", &CADENCE_S),
    ("sample_s", &CADENCE_S),
    ("hacking[][1]", &LEVEL),
    ("money", &START_MONEY),
    ("exp_per_s", &EXP_PER_S),
    ("port_openers", &PORT_OPENERS),
    ("network[].ports", &PORT_OPENERS),
    ("market.spend", &FRACTION),
    ("market.every_s", &EVERY_S),
    ("market.server_limit", &SERVER_LIMIT),
    ("market.server_cost", &MULT),
    ("market.server_softcap", &SOFTCAP),
    ("market.home_ram_cost", &MULT),
    ("events[].set_ram[].max_ram", &MAX_RAM),
    ("events[].set_ram[].reserved_ram", &RESERVED_RAM),
];

/// Where a timeline holds state objects: (its path, the same object's path in a state).
const MOUNTS: &[(&str, &str)] = &[
    ("initial", ""),
    ("events[].add_hosts[]", "hosts[]"),
    ("events[].add_targets[]", "targets[]"),
    ("network[].hosts[]", "hosts[]"),
    ("network[].targets[]", "targets[]"),
];

/// One step of a JSON path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

/// The row of the field at `path`, if it has one.
pub(crate) fn field(path: &[Seg]) -> Option<&'static Range> {
    // The rows below the state object at `mount`, found at `path` below it.
    let find = |mount: &str, path: &[Seg]| {
        let here = |p: &str| below(mount, p).is_some_and(|p| matches(p, path).is_some_and(<[Seg]>::is_empty));
        FIELDS.iter().find(|(p, _)| here(p)).map(|f| f.1)
    };
    find("", path).or_else(|| MOUNTS.iter().find_map(|&(from, to)| find(to, matches(from, path)?)))
}

/// `pattern` below `mount`: `.cores` of `hosts[].cores` below `hosts[]`, or
/// `None` when `pattern` is elsewhere.
fn below<'p>(mount: &str, pattern: &'p str) -> Option<&'p str> {
    if mount.is_empty() {
        return Some(pattern);
    }
    pattern.strip_prefix(mount).and_then(|rest| rest.strip_prefix('.'))
}

/// Whether `path` starts with `pattern`; the rest of the path when it does.
fn matches<'p, 'a>(pattern: &str, path: &'p [Seg<'a>]) -> Option<&'p [Seg<'a>]> {
    let mut rest = path;
    for part in pattern.split('.').filter(|p| !p.is_empty()) {
        // `name`, then one `[]` or `[n]` per index: `hacking[][1]`.
        let mut pieces = part.split('[');
        let name = pieces.next().unwrap_or_default();
        let (first, tail) = rest.split_first()?;
        match (name, first) {
            ("*", Seg::Key(_)) => {}
            (name, Seg::Key(key)) if name == *key => {}
            _ => return None,
        }
        rest = tail;
        for index in pieces.map(|i| i.trim_end_matches(']')) {
            let (first, tail) = rest.split_first()?;
            match first {
                Seg::Index(i) if index.is_empty() || index.parse() == Ok(*i) => rest = tail,
                _ => return None,
            }
        }
    }
    Some(rest)
}

/// A number as the user would write it: huge and tiny ones in exponent form
/// (`1e30`, not thirty-one digits).
pub(crate) fn num(x: f64) -> String {
    if x != 0.0 && x.is_finite() && !(1e-6..1e16).contains(&x.abs()) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

// Size limits: far above any real game (a few hundred hosts, about seventy
// targets), low enough that checking a state stays in milliseconds and that no
// sum of RAM can wrap (10,000 hosts of 2^40 GB are 1.1e18 hundredths, below 2^64).

/// How many items a list (or characters a name) may have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Size {
    pub min: usize,
    pub max: usize,
    /// What is counted, plural: `hosts`.
    pub what: &'static str,
}

/// `hosts`.
pub(crate) const HOSTS: Size = Size { min: 1, max: 10_000, what: "hosts" };
/// `targets`.
pub(crate) const TARGETS: Size = Size { min: 0, max: 10_000, what: "targets" };
/// `tasks` (one per target, so never more than targets).
pub(crate) const TASKS: Size = Size { min: 0, max: 10_000, what: "tasks" };
/// `targets[].menu`.
pub(crate) const MENU: Size = Size { min: 1, max: 1_000, what: "options" };
/// `tasks[].placement`: at least one entry, at most one per host.
pub(crate) const PLACEMENT: Size = Size { min: 1, max: HOSTS.max, what: "entries" };
/// The placement entries of all tasks together.
pub(crate) const PLACEMENTS: Size = Size { min: 0, max: 100_000, what: "placement entries in all tasks" };
/// Host and target names and task ids, in characters.
pub(crate) const NAME: Size = Size { min: 1, max: 255, what: "characters" };

impl Size {
    /// The message for `n` above the limit, if it is.
    pub fn above(&self, n: usize) -> Option<String> {
        (n > self.max)
            .then(|| format!("{n} {}; allowed: at most {} (reallot's size limit)", self.what, self.max))
    }
}

impl Size {
    /// The schema transform of a list, map or string with this limit.
    pub fn schema(self) -> impl FnMut(&mut Schema) {
        move |schema: &mut Schema| {
            let types = schema.get("type").map(Value::to_string).unwrap_or_default();
            let counted = if types.contains("array") {
                "Items"
            } else if types.contains("object") {
                "Properties"
            } else {
                "Length"
            };
            if self.min > 0 {
                schema.insert(format!("min{counted}"), self.min.into());
            }
            schema.insert(format!("max{counted}"), self.max.into());
        }
    }
}
