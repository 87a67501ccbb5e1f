//! The input contract: what the batch system knows at the start of a cycle.
//!
//! These are wire types: they carry GB as JSON numbers and are checked once, by
//! [`crate::check`] (and every entry point), before anything else looks at them.
//! Every number's allowed range and every size limit is in the JSON Schema
//! (`reallot schema state`), from the same table the check reads.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::range;

/// Everything one rebalance cycle reads.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct State {
    /// Free text saying what this state is (scenario files use it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The player's skill and multipliers.
    pub player: Player,
    /// Servers that can run scripts. At least one.
    #[schemars(transform = range::HOSTS.schema())]
    pub hosts: Vec<Host>,
    /// Servers with money that tasks may work on.
    #[serde(default)]
    #[schemars(transform = range::TARGETS.schema())]
    pub targets: Vec<Target>,
    /// Today's allocation table: the tasks running now.
    #[serde(default)]
    #[schemars(transform = range::TASKS.schema())]
    pub tasks: Vec<Task>,
    /// How the batch system runs its batches.
    #[serde(default)]
    pub config: Config,
    /// How the planner trades income against disruption and time.
    #[serde(default)]
    pub policy: Policy,
}

/// The player as the game formulas see them.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Player {
    /// Hacking skill level.
    #[schemars(transform = range::LEVEL.schema())]
    pub hacking: u32,
    /// Intelligence skill level.
    #[serde(default)]
    #[schemars(transform = range::INTELLIGENCE.schema())]
    pub intelligence: u32,
    /// The player's hacking multipliers (augmentations).
    #[serde(default)]
    pub mults: Mults,
    /// The BitNode's multipliers.
    #[serde(default)]
    pub bitnode: BitNode,
}

impl Default for Player {
    /// A new player: skill 1, every multiplier 1.
    fn default() -> Self {
        Player { hacking: 1, intelligence: 0, mults: Mults::default(), bitnode: BitNode::default() }
    }
}

/// The player's multipliers; each defaults to 1.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Mults {
    /// Multiplies the hack chance.
    #[schemars(transform = range::MULT.schema())]
    pub hacking_chance: f64,
    /// Divides hack, grow and weaken times.
    #[schemars(transform = range::MULT.schema())]
    pub hacking_speed: f64,
    /// Multiplies the money a hack thread takes.
    #[schemars(transform = range::MULT.schema())]
    pub hacking_money: f64,
    /// Multiplies grow.
    #[schemars(transform = range::MULT.schema())]
    pub hacking_grow: f64,
    /// Multiplies the skill level that exp gives.
    #[schemars(transform = range::MULT.schema())]
    pub hacking: f64,
    /// Multiplies the exp each thread earns.
    #[schemars(transform = range::MULT.schema())]
    pub hacking_exp: f64,
}

impl Default for Mults {
    fn default() -> Self {
        Mults {
            hacking_chance: 1.0,
            hacking_speed: 1.0,
            hacking_money: 1.0,
            hacking_grow: 1.0,
            hacking: 1.0,
            hacking_exp: 1.0,
        }
    }
}

/// The BitNode multipliers that enter the hacking formulas; each defaults to 1.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct BitNode {
    /// `ScriptHackMoney`: multiplies the money a hack thread takes.
    #[schemars(transform = range::MULT.schema())]
    pub script_hack_money: f64,
    /// `HackingSpeedMultiplier`: divides hack, grow and weaken times.
    #[schemars(transform = range::MULT.schema())]
    pub hacking_speed: f64,
    /// `ServerGrowthRate`: multiplies grow.
    #[schemars(transform = range::MULT.schema())]
    pub server_growth_rate: f64,
    /// `ServerWeakenRate`: multiplies weaken.
    #[schemars(transform = range::MULT.schema())]
    pub server_weaken_rate: f64,
    /// `HackingLevelMultiplier`: multiplies the skill level that exp gives.
    #[schemars(transform = range::MULT.schema())]
    pub hacking_level: f64,
    /// `HackExpGain`: multiplies the exp each thread earns.
    #[schemars(transform = range::MULT.schema())]
    pub hack_exp_gain: f64,
}

impl Default for BitNode {
    fn default() -> Self {
        BitNode {
            script_hack_money: 1.0,
            hacking_speed: 1.0,
            server_growth_rate: 1.0,
            server_weaken_rate: 1.0,
            hacking_level: 1.0,
            hack_exp_gain: 1.0,
        }
    }
}

/// A server that runs scripts.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Host {
    /// Hostname, unique.
    #[schemars(transform = range::NAME.schema())]
    pub name: String,
    /// Installed RAM in GB.
    #[schemars(transform = range::MAX_RAM.schema())]
    pub max_ram: f64,
    /// RAM in GB that is not ours to plan: set-aside, foreign processes, services.
    #[serde(default)]
    #[schemars(transform = range::RESERVED_RAM.schema())]
    pub reserved_ram: f64,
    /// CPU cores.
    #[serde(default = "one")]
    #[schemars(transform = range::CORES.schema())]
    pub cores: u32,
    /// What kind of server this is.
    #[serde(default)]
    pub kind: HostKind,
    /// A request to empty this host.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drain: Option<Drain>,
}

fn one() -> u32 {
    1
}

/// What kind of server a host is.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum HostKind {
    /// The player's home computer.
    Home,
    /// A rooted server of the game's network.
    #[default]
    Network,
    /// A purchased (cloud) server.
    Purchased,
    /// A hacknet server.
    Hacknet,
}

/// A request to empty a host.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Drain {
    /// How to empty it.
    pub mode: DrainMode,
    /// `cordon` only: seconds from now by which the host must be empty. A chunk
    /// whose batch or round may still be running then leaves now instead, as with
    /// `evict`. Without it every chunk waits for its own batch or round.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(transform = range::DEADLINE_S.schema())]
    pub deadline_s: Option<f64>,
}

/// How a drained host is emptied.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum DrainMode {
    /// Every chunk leaves the host in this cycle: high-value chunks move, the
    /// lowest-value work is killed.
    Evict,
    /// No new chunk goes to the host, and each chunk there leaves when the batch
    /// (harvest) or round (till, sow) it is running lands, so nothing in flight is
    /// lost: its actions say `"when": "lands"`. Chunks that leave so cost
    /// nothing to stop, and a task with chunks there is wound down (a new task
    /// takes its place) rather than resized, so the table can differ from
    /// `evict`'s.
    Cordon,
}

/// A server with money.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// Hostname, unique among targets.
    #[schemars(transform = range::NAME.schema())]
    pub name: String,
    /// Hacking skill needed to hack it.
    #[schemars(transform = range::REQUIRED_HACKING.schema())]
    pub required_hacking: u32,
    /// Minimum security.
    #[schemars(transform = range::MIN_SECURITY.schema())]
    pub min_security: f64,
    /// Current security; defaults to `min_security`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(transform = range::SECURITY.schema())]
    pub security: Option<f64>,
    /// The security it started at, which sets the exp a thread earns against it;
    /// defaults to `3 · min_security`, the game's own relation (the minimum is a
    /// third of it, rounded), at most 100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(transform = range::MIN_SECURITY.schema())]
    pub base_security: Option<f64>,
    /// Maximum money in dollars.
    #[schemars(transform = range::MAX_MONEY.schema())]
    pub max_money: f64,
    /// Current money; defaults to `max_money`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(transform = range::MONEY.schema())]
    pub money: Option<f64>,
    /// The server's growth parameter.
    #[schemars(transform = range::GROWTH.schema())]
    pub growth: f64,
    /// Harvest options given by the user instead of the game formulas.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(transform = range::MENU.schema())]
    pub menu: Option<Vec<MenuOption>>,
    /// Weaken time at minimum security, overriding the formula (for a user menu).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(transform = range::WEAKEN_MS.schema())]
    pub weaken_ms: Option<f64>,
}

/// One harvest option: one HWGW batch shape and what it earns.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MenuOption {
    /// Hack threads H of one batch.
    #[schemars(transform = range::HACK_THREADS.schema())]
    pub hack_threads: u32,
    /// RAM of one batch (one chunk) in GB: at least its hack threads and two
    /// weaken threads (see [`Task::chunk_ram`]).
    #[schemars(transform = range::CHUNK_RAM.schema())]
    pub chunk_ram: f64,
    /// Expected dollars per second one chunk earns in steady state.
    #[schemars(transform = range::CHUNK_INCOME.schema())]
    pub chunk_income_per_s: f64,
}

/// One task: till, sow or harvest against one target, holding chunks on hosts.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Task {
    /// Unique id, for example `harvest:n00dles`. Only a name: the planner reads
    /// nothing from it, and names new tasks so that they never take an id in use.
    #[schemars(transform = range::NAME.schema())]
    pub id: String,
    /// Which lifecycle phase the task works.
    pub kind: TaskKind,
    /// The target's name.
    #[schemars(transform = range::NAME.schema())]
    pub target: String,
    /// Hack threads per batch (harvest only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(transform = range::HACK_THREADS.schema())]
    pub hack_threads: Option<u32>,
    /// RAM of one chunk in GB; defaults to the kind's size (1.75 till, 22.75 sow, the
    /// batch RAM of `hack_threads` for harvest). A chunk holds at least its own
    /// threads: 1.75 GB for a till (one weaken), 22.75 GB for a sow (12 grow and 1
    /// weaken), `1.70 · hack_threads + 3.50` GB for a harvest (its hack threads and
    /// the two weakens every batch has). A larger chunk is valid (a batch sized at an
    /// older level, a script's own RAM): it holds all its RAM and does its threads'
    /// work, so the planner resizes it when that RAM is worth more elsewhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(transform = range::CHUNK_RAM.schema())]
    pub chunk_ram: Option<f64>,
    /// Chunks per host, each host at most once.
    #[schemars(transform = range::CHUNKS.each_value(), transform = range::PLACEMENT.schema())]
    pub placement: BTreeMap<String, u64>,
    /// A pinned task is neither moved nor shrunk nor killed.
    #[serde(default, skip_serializing_if = "is_false")]
    pub pinned: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// The three lifecycle phases.
#[derive(Clone, Copy, Debug, Deserialize, Serialize, JsonSchema, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "snake_case")]
pub enum TaskKind {
    /// Weaken security down to the minimum; one chunk is one weaken thread.
    Till,
    /// Grow money up to the maximum; one chunk is 12 grow and 1 weaken threads.
    Sow,
    /// HWGW batches forever; one chunk is one batch.
    Harvest,
}

impl TaskKind {
    /// The lowercase name used in task ids.
    pub fn name(self) -> &'static str {
        match self {
            TaskKind::Till => "till",
            TaskKind::Sow => "sow",
            TaskKind::Harvest => "harvest",
        }
    }
}

/// How the batch system runs batches.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Milliseconds between the landings of a batch's four actions.
    #[schemars(transform = range::SPACING_MS.schema())]
    pub spacing_ms: f64,
    /// Largest fraction of max money one batch may take.
    #[schemars(transform = range::MAX_HACK_FRACTION.schema())]
    pub max_hack_fraction: f64,
    /// A target whose security is above minimum by more than this is tilled first.
    #[schemars(transform = range::SECURITY_TOLERANCE.schema())]
    pub security_tolerance: f64,
    /// A target whose money is below this fraction of its maximum is sown first.
    #[schemars(transform = range::FRACTION.schema())]
    pub money_tolerance: f64,
}

impl Default for Config {
    fn default() -> Self {
        Config { spacing_ms: 80.0, max_hack_fraction: 0.5, security_tolerance: 1.0, money_tolerance: 0.99 }
    }
}

/// How the planner trades income against disruption and time.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Policy {
    /// Wall-clock budget of a plan in milliseconds, counted from the call
    /// (`plan_json`, the CLI and the WebAssembly module: from before the
    /// parse); past it the plan keeps the best table found and says so.
    #[schemars(transform = range::TIME_LIMIT_MS.schema())]
    pub time_limit_ms: u64,
    /// A change whose net gain is below this fraction of current income is not made.
    #[schemars(transform = range::FRACTION.schema())]
    pub min_gain: f64,
    /// Seconds of game time the planner looks ahead: one-off costs of a change are
    /// spread over it, and till/sow are valued by the harvest income they bring
    /// forward within it.
    #[schemars(transform = range::HORIZON_S.schema())]
    pub horizon_s: f64,
}

impl Default for Policy {
    fn default() -> Self {
        Policy { time_limit_ms: 200, min_gain: 0.03, horizon_s: 3600.0 }
    }
}
