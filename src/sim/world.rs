//! The simulated world: hosts, targets, the task table, the player's money and
//! the game clock, and how threads that land change them.
//!
//! Both policies drive the same `World`; only who edits the task table differs.
//! Every chunk belongs to a **cohort**: chunks of one task on one host started
//! together. A cohort's work lands at `next_s`; killing or moving chunks drops
//! cohorts (newest first), and with them the work in flight.

use std::collections::BTreeMap;

use crate::error::Error;
use crate::game::{self, Server};
use crate::state::{Config, Drain, DrainMode, Host, Player, State, Target, Task, TaskKind};
use crate::{Action, Ram};

use super::{Event, Finished};

/// How a harvest picks its hack threads for each batch.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Hack {
    /// Till and sow: no hack threads.
    None,
    /// A fixed H, as the planner launches it, with the hack percent per thread
    /// when it was launched. Its chunk holds the grow threads that restore what H
    /// took then; as the level rises H would take more than they restore, so a
    /// batch takes at most that first fraction (as `harvest.js` keeps its p).
    Threads { threads: u64, percent: f64 },
    /// A fixed fraction p of the money, as today's `harvest.js` keeps it: each
    /// batch uses `ceil(p / percent per thread)` threads at the current level.
    Percent(f64),
}

/// Chunks of one task on one host that started together.
#[derive(Clone, Debug)]
pub(crate) struct Cohort {
    pub host: usize,
    pub n: u64,
    /// When its batch or round lands; infinity for chunks that hold RAM but do no
    /// work (today's till never uses chunks granted after it started).
    pub next_s: f64,
}

/// One running task.
#[derive(Clone, Debug)]
pub(crate) struct SimTask {
    pub id: String,
    pub kind: TaskKind,
    pub target: usize,
    pub hack: Hack,
    pub chunk: Ram,
    pub cohorts: Vec<Cohort>,
    /// Chunks the allocator may grow it to (today's system only).
    pub requested: u64,
}

impl SimTask {
    pub fn total(&self) -> u64 {
        self.cohorts.iter().map(|c| c.n).sum()
    }

    pub fn on(&self, host: usize) -> u64 {
        self.cohorts.iter().filter(|c| c.host == host).map(|c| c.n).sum()
    }
}

/// A host; removed hosts stay in the list (marked gone) so indices never move.
#[derive(Clone, Debug)]
pub(crate) struct SimHost {
    pub host: Host,
    /// `max_ram - reserved_ram`.
    pub cap: Ram,
    pub gone: bool,
}

/// Everything that changes as the game plays.
#[derive(Clone, Debug)]
pub(crate) struct World {
    /// Game time in seconds.
    pub t: f64,
    pub player: Player,
    pub config: Config,
    pub hosts: Vec<SimHost>,
    /// Targets with `security` and `money` always set.
    pub targets: Vec<Target>,
    /// The task table, in launch order (today's allocator grows in that order).
    pub tasks: Vec<SimTask>,
    /// RAM held per host.
    pub used: Vec<Ram>,
    /// Dollars earned so far (expected value: hack chance × money taken).
    pub money: f64,
    pub finished: Vec<Finished>,
    /// Counts every change a policy could react to (RAM, target state, hosts).
    pub version: u64,
}

/// `max_ram - reserved_ram` of a valid host.
fn cap_of(max_ram: f64, reserved_ram: f64) -> Ram {
    let max = Ram::from_gb(max_ram).unwrap_or(Ram::ZERO);
    max.saturating_sub(Ram::from_gb(reserved_ram).unwrap_or(Ram::ZERO))
}

/// The formulas' view of a target.
pub(crate) fn server(t: &Target) -> Server {
    Server {
        required_hacking: t.required_hacking as f64,
        security: t.security.unwrap_or(t.min_security),
        min_security: t.min_security,
        money: t.money.unwrap_or(t.max_money),
        max_money: t.max_money,
        growth: t.growth,
    }
}

/// Seconds of one harvest chunk's first batch: a weaken time plus two spacings.
pub(crate) fn cycle_s(player: &Player, s: &Server, config: &Config) -> f64 {
    (game::weaken_time_ms(player, &s.ideal()) + 2.0 * config.spacing_ms) / 1000.0
}

/// Batches in flight at full overlap, on the prepped target.
pub(crate) fn overlap(player: &Player, s: &Server, config: &Config) -> u64 {
    game::overlap(game::weaken_time_ms(player, &s.ideal()), config.spacing_ms)
}

/// Seconds between two batches of one chunk once it runs: its ending slot comes
/// round once every `overlap` slots of four spacings. This is the planner's
/// model of a chunk (`model.rs`); it is at least one cycle, so a chunk never
/// has two batches in flight.
fn period_s(player: &Player, s: &Server, config: &Config) -> f64 {
    overlap(player, s, config) as f64 * 4.0 * config.spacing_ms / 1000.0
}

/// Expected dollars one batch takes at the player's current level, on the
/// prepped target (the HWGW is assumed to keep it prepped).
pub(crate) fn batch_money(player: &Player, s: &Server, hack: Hack) -> f64 {
    if f64::from(player.hacking) < s.required_hacking {
        return 0.0;
    }
    let ideal = s.ideal();
    let percent = game::hack_percent(player, &ideal);
    let taken = match hack {
        Hack::None => return 0.0,
        Hack::Threads { threads, percent: first } => threads as f64 * percent.min(first),
        Hack::Percent(p) if percent > 0.0 => (p / percent).ceil() * percent,
        Hack::Percent(_) => return 0.0,
    };
    // The same order of operations as `game::batch`.
    let stolen = taken.min(1.0);
    stolen * ideal.max_money * game::hack_chance(player, &ideal)
}

impl World {
    pub fn new(initial: &State) -> World {
        let hosts: Vec<SimHost> = initial
            .hosts
            .iter()
            .map(|h| SimHost { host: h.clone(), cap: cap_of(h.max_ram, h.reserved_ram), gone: false })
            .collect();
        let targets = initial.targets.iter().map(filled).collect();
        World {
            t: 0.0,
            player: initial.player.clone(),
            config: initial.config.clone(),
            used: vec![Ram::ZERO; hosts.len()],
            hosts,
            targets,
            tasks: Vec::new(),
            money: 0.0,
            finished: Vec::new(),
            version: 0,
        }
    }

    /// The live host called `name`.
    pub fn host(&self, name: &str) -> Option<usize> {
        self.hosts.iter().position(|h| !h.gone && h.host.name == name)
    }

    pub fn task(&self, id: &str) -> Option<usize> {
        self.tasks.iter().position(|t| t.id == id)
    }

    /// RAM free for tasks on a host (none on removed hosts).
    pub fn free(&self, h: usize) -> Ram {
        if self.hosts[h].gone {
            Ram::ZERO
        } else {
            self.hosts[h].cap.saturating_sub(self.used[h])
        }
    }

    pub fn drained(&self, h: usize) -> bool {
        self.hosts[h].host.drain.is_some()
    }

    pub fn server(&self, target: usize) -> Server {
        server(&self.targets[target])
    }

    /// Seconds until new chunks of task `i` land for the first time: one batch
    /// cycle for a harvest, one weaken time at the current security for a round of
    /// till or sow (a round's length is fixed when it starts, as in the game).
    fn first_landing_s(&self, i: usize) -> f64 {
        let task = &self.tasks[i];
        let s = self.server(task.target);
        match task.kind {
            TaskKind::Harvest => cycle_s(&self.player, &s, &self.config),
            _ => game::weaken_time_ms(&self.player, &s) / 1000.0,
        }
    }

    /// Starts `n` chunks of task `i` on host `h`; idle chunks hold RAM and do nothing.
    pub fn add_chunks(&mut self, i: usize, h: usize, n: u64, idle: bool) {
        if n == 0 {
            return;
        }
        let next_s = if idle { f64::INFINITY } else { self.t + self.first_landing_s(i) };
        self.used[h] += self.tasks[i].chunk * n;
        self.tasks[i].cohorts.push(Cohort { host: h, n, next_s });
        self.version += 1;
    }

    /// Stops `n` chunks of task `i` on host `h`, newest first (they have the least
    /// work in flight), and returns how many it stopped.
    pub fn remove_chunks(&mut self, i: usize, h: usize, n: u64) -> u64 {
        let chunk = self.tasks[i].chunk;
        let mut left = n;
        let cohorts = &mut self.tasks[i].cohorts;
        for c in cohorts.iter_mut().rev().filter(|c| c.host == h) {
            let cut = c.n.min(left);
            c.n -= cut;
            left -= cut;
            if left == 0 {
                break;
            }
        }
        cohorts.retain(|c| c.n > 0);
        let removed = n - left;
        self.used[h] = self.used[h].saturating_sub(chunk * removed);
        self.version += 1;
        removed
    }

    /// Stops a whole task.
    pub fn remove_task(&mut self, i: usize) {
        let task = self.tasks.remove(i);
        for c in &task.cohorts {
            self.used[c.host] = self.used[c.host].saturating_sub(task.chunk * c.n);
        }
        self.version += 1;
    }

    /// Adds an empty task and returns its index.
    pub fn new_task(&mut self, id: String, kind: TaskKind, target: usize, hack: Hack, chunk: Ram) -> usize {
        self.tasks.push(SimTask { id, kind, target, hack, chunk, cohorts: Vec::new(), requested: 0 });
        self.tasks.len() - 1
    }

    /// Plays the game forward to `to`: every cohort whose work lands by then
    /// lands, in task order, at the player's level at `to`. Till and sow tasks that
    /// reach their goal end and free their RAM; their targets are returned.
    pub fn advance(&mut self, to: f64) -> Vec<usize> {
        self.t = to;
        let mut done = Vec::new();
        for i in 0..self.tasks.len() {
            match self.tasks[i].kind {
                TaskKind::Harvest => self.land_harvest(i),
                kind => {
                    if self.land_prep(i) && self.prep_done(kind, self.tasks[i].target) {
                        done.push(i);
                    }
                }
            }
        }
        let mut targets = Vec::new();
        for &i in done.iter().rev() {
            let task = &self.tasks[i];
            self.finished.push(Finished { task: task.id.clone(), at_s: self.t });
            targets.push(task.target);
            self.remove_task(i);
        }
        targets.reverse();
        targets
    }

    /// Harvest landings: each lands one batch of expected money. A task holding
    /// more chunks than its overlap (the level rose, weaken time fell) earns for
    /// the overlap only, spread over all its chunks.
    fn land_harvest(&mut self, i: usize) {
        let task = &self.tasks[i];
        let s = self.server(task.target);
        if !task.cohorts.iter().any(|c| c.next_s <= self.t) {
            return;
        }
        let per_batch = batch_money(&self.player, &s, task.hack);
        let overlap = overlap(&self.player, &s, &self.config);
        let share = (overlap as f64 / task.total().max(1) as f64).min(1.0);
        let period = period_s(&self.player, &s, &self.config);
        let mut earned = 0.0;
        for c in &mut self.tasks[i].cohorts {
            while c.next_s <= self.t {
                earned += c.n as f64 * share * per_batch;
                c.next_s += period;
            }
        }
        self.money += earned;
    }

    /// Till and sow landings: each cohort's round lands and the next starts.
    /// Returns whether any landed.
    fn land_prep(&mut self, i: usize) -> bool {
        let mut landed = false;
        for k in 0..self.tasks[i].cohorts.len() {
            let task = &self.tasks[i];
            let c = &task.cohorts[k];
            if c.next_s > self.t {
                continue;
            }
            let (ti, kind, n, cores) = (task.target, task.kind, c.n, self.hosts[c.host].host.cores);
            match kind {
                TaskKind::Till => self.weaken(ti, n, cores),
                _ => self.sow_round(ti, n, cores),
            }
            landed = true;
            self.version += 1;
            let round = game::weaken_time_ms(&self.player, &self.server(ti)) / 1000.0;
            // The next round starts when this one landed, not at the end of the step.
            self.tasks[i].cohorts[k].next_s += round;
        }
        landed
    }

    /// `n` weaken threads on a host with `cores` cores land on a target.
    fn weaken(&mut self, ti: usize, n: u64, cores: u32) {
        let t = &mut self.targets[ti];
        let s = t.security.unwrap_or(t.min_security);
        let cut = n as f64 * game::weaken_per_thread(&self.player, cores);
        // `game::till_threads` treats a billionth of a point as float noise; so
        // does the clamp here, or the threads it counts would leave 1e-15 behind.
        let after = if s - cut <= t.min_security + 1e-9 { t.min_security } else { s - cut };
        t.security = Some(after.min(100.0));
    }

    /// A sow round of `n` chunks merged on one host: 12·n grow threads, then n
    /// weaken threads. Grow adds security for the threads it needed only (§7).
    fn sow_round(&mut self, ti: usize, n: u64, cores: u32) {
        let s = self.server(ti);
        let threads = n * game::SOW_GROW_PER_CHUNK;
        let k = game::grow_log(&self.player, &s, cores);
        let grown = ((s.money + threads as f64) * (k * threads as f64).exp()).min(s.max_money);
        let needed = game::grow_threads(&self.player, &s, s.money, grown, cores).min(threads);
        let t = &mut self.targets[ti];
        t.money = Some(grown.max(s.money));
        t.security = Some((s.security + 0.004 * needed as f64).min(100.0));
        self.weaken(ti, n, cores);
    }

    /// Whether a till (security at minimum) or sow (money within the tolerance of
    /// its maximum) has reached its goal.
    pub fn prep_done(&self, kind: TaskKind, ti: usize) -> bool {
        let s = self.server(ti);
        match kind {
            TaskKind::Till => s.security <= s.min_security,
            TaskKind::Sow => s.money >= self.config.money_tolerance * s.max_money,
            TaskKind::Harvest => false,
        }
    }

    /// Applies one event's changes in a fixed order: removals, new hosts, RAM
    /// changes, drains, undrains, new targets. Chunks on a removed host, or above
    /// a host's new capacity, are stopped.
    pub fn apply_event(&mut self, e: &Event) {
        for name in &e.remove_hosts {
            if let Some(h) = self.host(name) {
                self.evict(h, Ram::ZERO);
                self.hosts[h].gone = true;
            }
        }
        for host in &e.add_hosts {
            self.hosts.push(SimHost {
                host: host.clone(),
                cap: cap_of(host.max_ram, host.reserved_ram),
                gone: false,
            });
            self.used.push(Ram::ZERO);
        }
        for set in &e.set_ram {
            if let Some(h) = self.host(&set.host) {
                let host = &mut self.hosts[h];
                host.host.max_ram = set.max_ram;
                if let Some(r) = set.reserved_ram {
                    host.host.reserved_ram = r;
                }
                host.cap = cap_of(host.host.max_ram, host.host.reserved_ram);
                let cap = host.cap;
                self.evict(h, cap);
            }
        }
        for name in &e.drain {
            if let Some(h) = self.host(name) {
                self.hosts[h].host.drain = Some(Drain { mode: DrainMode::Evict });
            }
        }
        for name in &e.undrain {
            if let Some(h) = self.host(name) {
                self.hosts[h].host.drain = None;
            }
        }
        self.targets.extend(e.add_targets.iter().map(filled));
        self.version += 1;
    }

    /// Stops chunks on host `h`, newest tasks first, until it holds at most `keep`.
    fn evict(&mut self, h: usize, keep: Ram) {
        for i in (0..self.tasks.len()).rev() {
            if self.used[h] <= keep {
                break;
            }
            let chunk = self.tasks[i].chunk;
            let over = self.used[h].0 - keep.0;
            let n = over.div_ceil(chunk.0.max(1)).min(self.tasks[i].on(h));
            self.remove_chunks(i, h, n);
        }
        self.tasks.retain(|t| !t.cohorts.is_empty());
    }

    /// The task table in the wire shape, in id order.
    pub fn table(&self) -> Vec<Task> {
        let mut tasks: Vec<Task> = self
            .tasks
            .iter()
            .map(|t| {
                let mut placement: BTreeMap<String, u64> = BTreeMap::new();
                for c in &t.cohorts {
                    *placement.entry(self.hosts[c.host].host.name.clone()).or_default() += c.n;
                }
                Task {
                    id: t.id.clone(),
                    kind: t.kind,
                    target: self.targets[t.target].name.clone(),
                    hack_threads: match t.hack {
                        Hack::Threads { threads, .. } => Some(threads as u32),
                        _ => None,
                    },
                    chunk_ram: Some(t.chunk.gb()),
                    placement,
                    pinned: false,
                }
            })
            .collect();
        tasks.sort_by(|a, b| a.id.cmp(&b.id));
        tasks
    }

    /// The world as the planner's input: live hosts, every target as it is now,
    /// the task table; player, config and policy from the timeline.
    pub fn state(&self, base: &State) -> State {
        State {
            description: None,
            player: self.player.clone(),
            hosts: self.hosts.iter().filter(|h| !h.gone).map(|h| h.host.clone()).collect(),
            targets: self.targets.clone(),
            tasks: self.table(),
            config: self.config.clone(),
            policy: base.policy.clone(),
        }
    }

    /// Applies one of the planner's actions to the table.
    ///
    /// # Errors
    ///
    /// [`Error::Internal`] when the action names a task or host that is not
    /// there, or would overfill a host: the plan broke its contract.
    pub fn apply_action(&mut self, action: &Action) -> Result<(), Error> {
        let now = self.t;
        let bad =
            move |what: String| Error::Internal(format!("at {now} s the plan's action {action:?}: {what}"));
        let host = |w: &World, name: &str| w.host(name).ok_or_else(|| bad(format!("no host {name}")));
        let task = |w: &World, id: &str| w.task(id).ok_or_else(|| bad(format!("no task {id}")));
        let chunk = |gb: f64| Ram::from_gb(gb).ok_or_else(|| bad(format!("chunk of {gb} GB")));
        let percent = |w: &World, ti: usize| game::hack_percent(&w.player, &w.server(ti).ideal());
        let hack = |kind: TaskKind, h: Option<u32>, percent: f64| match (kind, h) {
            (TaskKind::Harvest, Some(h)) => Hack::Threads { threads: u64::from(h), percent },
            _ => Hack::None,
        };
        let mut touched: Vec<usize> = Vec::new();
        match action {
            Action::Launch { task: id, kind, target, hack_threads, chunk_ram, placement } => {
                if self.task(id).is_some() {
                    return Err(bad("the task exists".into()));
                }
                let ti = self
                    .targets
                    .iter()
                    .position(|t| &t.name == target)
                    .ok_or_else(|| bad(format!("no target {target}")))?;
                let h = hack(*kind, *hack_threads, percent(self, ti));
                let i = self.new_task(id.clone(), *kind, ti, h, chunk(*chunk_ram)?);
                for (name, &n) in placement {
                    let h = host(self, name)?;
                    self.add_chunks(i, h, n, false);
                    touched.push(h);
                }
            }
            Action::Grow { task: id, host: name, chunks } => {
                let (i, h) = (task(self, id)?, host(self, name)?);
                self.add_chunks(i, h, *chunks, false);
                touched.push(h);
            }
            Action::Shrink { task: id, host: name, chunks } => {
                let (i, h) = (task(self, id)?, host(self, name)?);
                if self.remove_chunks(i, h, *chunks) != *chunks {
                    return Err(bad("fewer chunks there".into()));
                }
            }
            Action::Migrate { task: id, from, to, chunks } => {
                let (i, f, h) = (task(self, id)?, host(self, from)?, host(self, to)?);
                if self.remove_chunks(i, f, *chunks) != *chunks {
                    return Err(bad("fewer chunks there".into()));
                }
                self.add_chunks(i, h, *chunks, false);
                touched.push(h);
            }
            Action::Resize { task: id, hack_threads, chunk_ram, placement } => {
                let i = task(self, id)?;
                let hosts: Vec<usize> = self.tasks[i].cohorts.iter().map(|c| c.host).collect();
                for h in hosts {
                    let n = self.tasks[i].on(h);
                    self.remove_chunks(i, h, n);
                }
                let p = percent(self, self.tasks[i].target);
                self.tasks[i].hack = hack(self.tasks[i].kind, *hack_threads, p);
                self.tasks[i].chunk = chunk(*chunk_ram)?;
                for (name, &n) in placement {
                    let h = host(self, name)?;
                    self.add_chunks(i, h, n, false);
                    touched.push(h);
                }
            }
            Action::Kill { task: id } => {
                let i = task(self, id)?;
                self.remove_task(i);
            }
        }
        self.tasks.retain(|t| !t.cohorts.is_empty());
        match touched.into_iter().find(|&h| self.used[h] > self.hosts[h].cap) {
            Some(h) => Err(bad(format!("{} would hold {}", self.hosts[h].host.name, self.used[h]))),
            None => Ok(()),
        }
    }

    /// RAM held by all tasks and RAM all live hosts have for tasks.
    pub fn ram(&self) -> (Ram, Ram) {
        let used = self.used.iter().copied().sum();
        let total = self.hosts.iter().filter(|h| !h.gone).map(|h| h.cap).sum();
        (used, total)
    }
}

/// A target with its current security and money written out.
fn filled(t: &Target) -> Target {
    let mut t = t.clone();
    t.security = Some(t.security.unwrap_or(t.min_security));
    t.money = Some(t.money.unwrap_or(t.max_money));
    t
}
