//! States built in code: a constructor with the required fields for each input
//! type, and `Default`s equal to what JSON leaves out, so the rest is written
//! with struct update syntax.
//!
//! ```
//! use reallot::state::{Host, Player, Target, Task, TaskKind};
//! use reallot::State;
//!
//! let state = State {
//!     hosts: vec![Host { reserved_ram: 8.0, ..Host::new("home", 64.0) }, Host::new("n00dles", 4.0)],
//!     targets: vec![Target::new("n00dles", 1, 1.0, 1_750_000.0, 3000.0)],
//!     tasks: vec![Task::new(TaskKind::Till, "n00dles", [("n00dles".to_string(), 2)].into())],
//!     ..State::new(Player::new(50))
//! };
//! assert_eq!(state, reallot::parse(r#"{
//!   "player": { "hacking": 50 },
//!   "hosts": [ { "name": "home", "max_ram": 64, "reserved_ram": 8 }, { "name": "n00dles", "max_ram": 4 } ],
//!   "targets": [ { "name": "n00dles", "required_hacking": 1, "min_security": 1,
//!                  "max_money": 1750000, "growth": 3000 } ],
//!   "tasks": [ { "id": "till:n00dles", "kind": "till", "target": "n00dles", "placement": { "n00dles": 2 } } ]
//! }"#)?);
//! assert!(reallot::plan(&state).is_ok());
//! # Ok::<(), reallot::Error>(())
//! ```

use std::collections::BTreeMap;

use crate::state::{Drain, DrainMode, Host, HostKind, Player, State, Target, Task, TaskKind};

impl State {
    /// A state with this player and nothing else: no hosts (add at least one),
    /// targets or tasks, the default config and policy.
    pub fn new(player: Player) -> State {
        State {
            description: None,
            player,
            hosts: Vec::new(),
            targets: Vec::new(),
            tasks: Vec::new(),
            config: Default::default(),
            policy: Default::default(),
        }
    }
}

impl Player {
    /// A player at this hacking level, with every multiplier at 1.
    pub fn new(hacking: u32) -> Player {
        Player { hacking, intelligence: 0, mults: Default::default(), bitnode: Default::default() }
    }
}

impl Host {
    /// A network host with this RAM, nothing reserved, one core, no drain.
    pub fn new(name: impl Into<String>, max_ram: f64) -> Host {
        Host { name: name.into(), max_ram, reserved_ram: 0.0, cores: 1, kind: HostKind::Network, drain: None }
    }
}

impl Drain {
    /// A drain of this mode without a deadline.
    pub fn new(mode: DrainMode) -> Drain {
        Drain { mode, deadline_s: None }
    }
}

impl Target {
    /// A prepped target (security at its minimum, money at its maximum) that uses
    /// the game's formulas.
    pub fn new(
        name: impl Into<String>,
        required_hacking: u32,
        min_security: f64,
        max_money: f64,
        growth: f64,
    ) -> Target {
        Target {
            name: name.into(),
            required_hacking,
            min_security,
            security: None,
            base_security: None,
            max_money,
            money: None,
            growth,
            menu: None,
            weaken_ms: None,
        }
    }
}

impl Task {
    /// A task called `kind:target` with the kind's chunk size, not pinned. A
    /// harvest also needs `hack_threads`.
    pub fn new(kind: TaskKind, target: impl Into<String>, placement: BTreeMap<String, u64>) -> Task {
        let target = target.into();
        Task {
            id: format!("{}:{target}", kind.name()),
            kind,
            target,
            hack_threads: None,
            chunk_ram: None,
            placement,
            pinned: false,
        }
    }
}

impl State {
    /// This state `copies` times over, for measuring at scale: copy k ≥ 1 of every
    /// host, target and task is named `name~k` (a home copy is a network host);
    /// targets are copied `target_copies` times, and task copy k works target copy
    /// k on host copy k (tasks are copied the smaller number of times, one task
    /// per target), so every copy is as valid as the original. Both counts are at
    /// least 1 (1 and 1 give the state back).
    pub fn scaled(&self, copies: usize, target_copies: usize) -> State {
        let name = |base: &str, k: usize| if k == 0 { base.to_string() } else { format!("{base}~{k}") };
        let hosts = (0..copies.max(1))
            .flat_map(|k| {
                self.hosts.iter().map(move |h| Host {
                    name: name(&h.name, k),
                    kind: if k > 0 && h.kind == HostKind::Home { HostKind::Network } else { h.kind },
                    ..h.clone()
                })
            })
            .collect();
        let targets = (0..target_copies.max(1))
            .flat_map(|k| self.targets.iter().map(move |t| Target { name: name(&t.name, k), ..t.clone() }))
            .collect();
        let tasks = (0..copies.max(1).min(target_copies.max(1)))
            .flat_map(|k| {
                self.tasks.iter().map(move |t| Task {
                    id: name(&t.id, k),
                    target: name(&t.target, k),
                    placement: t.placement.iter().map(|(host, &n)| (name(host, k), n)).collect(),
                    ..t.clone()
                })
            })
            .collect();
        State { hosts, targets, tasks, ..self.clone() }
    }
}
