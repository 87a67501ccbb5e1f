//! The simulated world: hosts, targets, the task table, the player (exp, skill
//! and money) and the game clock, and how threads that land change them.
//!
//! Every policy drives its own `World`; only who edits the task table differs.
//! Every chunk belongs to a **cohort**: chunks of one task on one host started
//! together. A till or sow cohort's round lands at `next_s`. A harvest's batches
//! land one at a time on the task's own clock (`SimTask::next_s`), spread evenly
//! over its active chunks: a chunk's first batch lands one cycle after it starts,
//! and a task of n active chunks lands one batch every `max(period / n, slot)`
//! seconds, so an income read off the run is the true rate.

use crate::error::Error;
use crate::game::{self, Batch, Server, Timing};
use crate::state::{Config, Drain, DrainMode, Host, HostKind, Player, State, Target, Task, TaskKind};
use crate::{Action, Ram, When};

use super::Finished;

/// RAM of the task scripts themselves (`till.js`, `sow.js`, `harvest.js` of the
/// user's system), by the game's static RAM rule: 1.6 GB plus each NS function
/// the script and its imports reference. Each running task holds one.
pub(crate) fn script_ram(kind: TaskKind) -> Ram {
    match kind {
        TaskKind::Till => Ram(405),
        TaskKind::Sow => Ram(730),
        TaskKind::Harvest => Ram(1145),
    }
}

/// RAM the user's memory allocator sets aside on a host for the player: 32 GB
/// of a home above 32 GB, 8 GB of a purchased server above 1 TB.
fn set_aside(host: &Host) -> Ram {
    let gb = match host.kind {
        HostKind::Home if host.max_ram > 32.0 => 32.0,
        HostKind::Purchased if host.max_ram > 1024.0 => 8.0,
        _ => 0.0,
    };
    Ram::from_gb(gb).unwrap_or(Ram::ZERO)
}

/// Chunks of one task on one host that started together.
#[derive(Clone, Debug)]
pub(crate) struct Cohort {
    pub host: usize,
    pub n: u64,
    /// Till and sow: when the round lands; harvest: when the chunks' first batch
    /// lands (from then on they are active). Infinity for chunks that hold RAM
    /// but do no work (today's till never uses chunks granted after it started).
    pub next_s: f64,
}

/// One running task.
#[derive(Clone, Debug)]
pub(crate) struct SimTask {
    pub id: String,
    pub kind: TaskKind,
    pub target: usize,
    /// A harvest's batch, sized at launch.
    pub batch: Option<Batch>,
    pub chunk: Ram,
    pub cohorts: Vec<Cohort>,
    /// A harvest's next batch landing: its last action (W2); infinity while no
    /// chunk is active.
    pub next_s: f64,
    /// Chunks the allocator may grow it to (today's system only).
    pub requested: u64,
    /// The host its script runs on.
    pub script: Option<usize>,
}

impl SimTask {
    pub fn total(&self) -> u64 {
        self.cohorts.iter().map(|c| c.n).sum()
    }

    pub fn on(&self, host: usize) -> u64 {
        self.cohorts.iter().filter(|c| c.host == host).map(|c| c.n).sum()
    }

    /// Harvest chunks whose first batch has landed by `t`.
    fn active(&self, t: f64) -> u64 {
        self.cohorts.iter().filter(|c| c.next_s <= t).map(|c| c.n).sum()
    }
}

/// Chunks that leave their host when the work they run lands (`when: lands`):
/// out of the table, still holding their RAM, each landing its batch or round.
#[derive(Clone, Debug)]
pub(crate) struct Leaving {
    pub host: usize,
    pub n: u64,
    pub chunk: Ram,
    pub target: usize,
    pub kind: TaskKind,
    pub batch: Option<Batch>,
    /// When their work lands and their RAM is free.
    pub at_s: f64,
}

/// A host; removed hosts stay in the list (marked gone) so indices never move.
#[derive(Clone, Debug)]
pub(crate) struct SimHost {
    pub host: Host,
    /// RAM for chunks and task scripts: `max_ram − reserved_ram − set-aside`.
    pub cap: Ram,
    /// RAM held by task scripts.
    pub scripts: Ram,
    pub gone: bool,
}

/// A target and its state now.
#[derive(Clone, Debug)]
pub(crate) struct SimTarget {
    pub target: Target,
    pub server: Server,
    pub base_security: f64,
}

/// Everything that changes as the game plays.
#[derive(Clone, Debug)]
pub(crate) struct World {
    /// Game time in seconds.
    pub t: f64,
    pub player: Player,
    /// Hacking exp; it sets `player.hacking` unless the timeline fixes the level.
    pub exp: f64,
    pub config: Config,
    pub hosts: Vec<SimHost>,
    pub targets: Vec<SimTarget>,
    /// The task table, in launch order (today's allocator grows in that order).
    pub tasks: Vec<SimTask>,
    /// RAM held by chunks, per host.
    pub used: Vec<Ram>,
    /// Dollars earned by hacking so far (expected value: chance × money taken).
    pub earned: f64,
    /// Dollars on hand: earned plus the starting money, less what was bought.
    pub money: f64,
    pub finished: Vec<Finished>,
    /// Counts every change a policy could react to (RAM, target state, hosts).
    pub version: u64,
    /// Launches whose script found no room, so the task never started.
    pub failed_launches: u64,
    /// Chunks a plan asked for that found no room once new scripts had theirs.
    pub clipped_chunks: u64,
    /// Ids of this plan's launches that did not start.
    skipped: Vec<String>,
    /// Harvest batches that landed as repairs (their target off its tolerances).
    pub repairs: u64,
    /// Harvest batches that landed as HWGW.
    pub batches: u64,
    /// Harvest batches stopped in flight: their chunk was killed, moved, resized
    /// or evicted before the batch landed.
    pub lost_batches: u64,
    /// The part of `lost_batches` stopped on a host under a drain.
    pub lost_to_drains: u64,
    /// Chunks waiting for their work to land before they leave.
    pub leaving: Vec<Leaving>,
}

/// `max_ram − reserved_ram − set-aside` of a valid host.
fn cap_of(host: &Host) -> Ram {
    let max = Ram::from_gb(host.max_ram).unwrap_or(Ram::ZERO);
    let reserved = Ram::from_gb(host.reserved_ram).unwrap_or(Ram::ZERO) + set_aside(host);
    game::capacity(max, reserved).unwrap_or(Ram::ZERO)
}

impl World {
    pub fn new(initial: &State, money: f64) -> World {
        let mut w = World {
            t: 0.0,
            player: initial.player.clone(),
            exp: game::exp_for_skill(&initial.player, initial.player.hacking),
            config: initial.config.clone(),
            hosts: Vec::new(),
            targets: Vec::new(),
            tasks: Vec::new(),
            used: Vec::new(),
            earned: 0.0,
            money,
            finished: Vec::new(),
            version: 0,
            failed_launches: 0,
            clipped_chunks: 0,
            skipped: Vec::new(),
            repairs: 0,
            batches: 0,
            lost_batches: 0,
            lost_to_drains: 0,
            leaving: Vec::new(),
        };
        initial.hosts.iter().for_each(|h| w.add_host(h.clone()));
        initial.targets.iter().for_each(|t| w.add_target(t));
        w
    }

    pub fn add_host(&mut self, host: Host) {
        self.hosts.push(SimHost { cap: cap_of(&host), host, scripts: Ram::ZERO, gone: false });
        self.used.push(Ram::ZERO);
        self.version += 1;
    }

    pub fn add_target(&mut self, target: &Target) {
        let server = Server::of(target);
        let base_security = target.base_security.unwrap_or((3.0 * target.min_security).min(100.0));
        self.targets.push(SimTarget { target: target.clone(), server, base_security });
        self.version += 1;
    }

    /// The live host called `name`.
    pub fn host(&self, name: &str) -> Option<usize> {
        self.hosts.iter().position(|h| !h.gone && h.host.name == name)
    }

    pub fn task(&self, id: &str) -> Option<usize> {
        self.tasks.iter().position(|t| t.id == id)
    }

    pub fn target(&self, name: &str) -> Option<usize> {
        self.targets.iter().position(|t| t.target.name == name)
    }

    /// RAM free for chunks and scripts on a host (none on removed hosts).
    pub fn free(&self, h: usize) -> Ram {
        let host = &self.hosts[h];
        if host.gone {
            Ram::ZERO
        } else {
            host.cap.saturating_sub(self.used[h] + host.scripts)
        }
    }

    pub fn drained(&self, h: usize) -> bool {
        self.hosts[h].host.drain.is_some()
    }

    pub fn server(&self, target: usize) -> Server {
        self.targets[target].server
    }

    /// When target `ti`'s batches run, at minimum security, at today's skill.
    pub fn timing(&self, ti: usize) -> Timing {
        Timing::of(&self.player, &self.server(ti), &self.config)
    }

    /// Starts `n` chunks of task `i` on host `h`; idle chunks hold RAM and do
    /// nothing. A harvest chunk's first batch lands one cycle later; a round of
    /// till or sow lasts a weaken time at the security it starts at.
    pub fn add_chunks(&mut self, i: usize, h: usize, n: u64, idle: bool) {
        self.start_chunks(i, h, n, if idle { f64::INFINITY } else { self.t });
    }

    /// Adds `n` chunks of task `i` on host `h` that hold RAM now and start their
    /// work at `start_s` (never, if infinite).
    fn start_chunks(&mut self, i: usize, h: usize, n: u64, start_s: f64) {
        if n == 0 {
            return;
        }
        let task = &self.tasks[i];
        let first_s = match task.kind {
            TaskKind::Harvest => self.timing(task.target).cycle_s(),
            _ => game::round_s(&self.player, &self.server(task.target)),
        };
        let next_s = start_s + first_s;
        self.used[h] += task.chunk * n;
        let task = &mut self.tasks[i];
        task.cohorts.push(Cohort { host: h, n, next_s });
        if task.kind == TaskKind::Harvest {
            task.next_s = task.next_s.min(next_s);
        }
        self.version += 1;
    }

    /// Stops `n` chunks of task `i` on host `h`, newest first (they have the least
    /// work in flight), and returns how many it stopped. Their work in flight is
    /// lost; a harvest's batch caught between its hack and its grow leaves the
    /// target short of money and above minimum security ([`World::interrupt`]).
    pub fn remove_chunks(&mut self, i: usize, h: usize, n: u64) -> u64 {
        let t = self.t;
        let task = &self.tasks[i];
        let (active_before, chunk) = (task.active(t), task.chunk);
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
        if self.tasks[i].kind == TaskKind::Harvest {
            self.lose(h, removed);
        }
        let active_removed = active_before - self.tasks[i].active(t);
        self.interrupt(i, active_removed, active_before);
        self.used[h] = self.used[h].saturating_sub(chunk * removed);
        self.version += 1;
        removed
    }

    /// Stops a whole task and frees its RAM and its script's.
    pub fn remove_task(&mut self, i: usize) {
        let active = self.tasks[i].active(self.t);
        self.interrupt(i, active, active);
        let task = self.tasks.remove(i);
        for c in &task.cohorts {
            if task.kind == TaskKind::Harvest {
                self.lose(c.host, c.n);
            }
            self.used[c.host] = self.used[c.host].saturating_sub(task.chunk * c.n);
        }
        if let Some(h) = task.script {
            self.hosts[h].scripts = self.hosts[h].scripts.saturating_sub(script_ram(task.kind));
        }
        self.version += 1;
    }

    /// `stopped` of a harvest's `active` chunks stop now. The next batch to land
    /// is in flight on one of the active chunks; if its hack has landed but its
    /// grow has not (it lands in the two spacings before the grow, which is one
    /// spacing before the batch's end), the hack's take and, before the first
    /// weaken lands, its security stay, in the expected share `stopped / active`.
    fn interrupt(&mut self, i: usize, stopped: u64, active: u64) {
        let task = &self.tasks[i];
        let Some(batch) = task.batch.filter(|_| stopped > 0 && active > 0) else { return };
        let d = self.timing(task.target).spacing_s();
        let (hack_at, weaken1_at, grow_at) = (task.next_s - 3.0 * d, task.next_s - 2.0 * d, task.next_s - d);
        if !(hack_at <= self.t && self.t < grow_at) {
            return;
        }
        let share = stopped as f64 / active as f64;
        let ti = task.target;
        let percent = game::hack_percent(&self.player, &self.server(ti).ideal());
        let hack = if percent > 0.0 { batch.fraction / percent * share } else { 0.0 };
        let target = &mut self.targets[ti];
        self.exp += game::hack_exp(&self.player, &target.server, target.base_security, hack);
        let taken = game::land_hack(&self.player, &mut target.server, hack);
        if self.t >= weaken1_at {
            game::land_weaken(&self.player, &mut target.server, batch.weaken1 as f64 * share, 1);
        }
        self.earned += taken;
        self.money += taken;
    }

    /// Adds an empty task and returns its index.
    pub fn new_task(
        &mut self,
        id: String,
        kind: TaskKind,
        target: usize,
        batch: Option<Batch>,
        chunk: Ram,
    ) -> usize {
        self.tasks.push(SimTask {
            id,
            kind,
            target,
            batch,
            chunk,
            cohorts: Vec::new(),
            next_s: f64::INFINITY,
            requested: 0,
            script: None,
        });
        self.tasks.len() - 1
    }

    /// Starts task `i`'s script where the user's allocator puts a long-running
    /// script: the network host with the most free RAM, then purchased servers,
    /// home last (drained hosts never). Says whether it found room.
    pub fn start_script(&mut self, i: usize) -> bool {
        let ram = script_ram(self.tasks[i].kind);
        let rank = |h: &SimHost| match h.host.kind {
            HostKind::Home => 2,
            HostKind::Purchased => 1,
            _ => 0,
        };
        let best = (0..self.hosts.len())
            .filter(|&h| !self.drained(h) && self.free(h) >= ram)
            .min_by_key(|&h| (rank(&self.hosts[h]), std::cmp::Reverse(self.free(h)), h));
        let Some(h) = best else { return false };
        self.hosts[h].scripts += ram;
        self.tasks[i].script = Some(h);
        true
    }

    /// Forgets the launches of the last plan that did not start.
    pub fn new_plan(&mut self) {
        self.skipped.clear();
    }

    /// Plays the game forward to `to`: every batch and round that lands by then
    /// lands, in task order, at the skill level at the step's start; then the
    /// exp earned sets the level (unless `fixed`). Till and sow tasks that reach
    /// their goal end and free their RAM; their targets are returned.
    pub fn advance(&mut self, to: f64, exp_per_s: f64, fixed: Option<u32>) -> Vec<usize> {
        self.exp += exp_per_s * (to - self.t);
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
        self.land_leaving();
        self.rehome_scripts();
        let level = fixed.unwrap_or_else(|| game::skill(&self.player, self.exp));
        if level != self.player.hacking {
            self.player.hacking = level;
            self.version += 1;
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

    /// A harvest's batches that land by now, one at a time on its own clock.
    /// Within the tolerances a batch is the task's HWGW; outside them, as the
    /// user's `harvest.js` does, the chunk runs a repair batch instead (weaken,
    /// grow, weaken, within the chunk's RAM) that takes no money.
    fn land_harvest(&mut self, i: usize) {
        let Some(batch) = self.tasks[i].batch else { return };
        let ti = self.tasks[i].target;
        let timing = self.timing(ti);
        while self.tasks[i].next_s <= self.t {
            let task = &self.tasks[i];
            let at = task.next_s;
            let active = task.active(at);
            if active == 0 {
                // Nothing has started landing yet: wait for the first chunk.
                let first =
                    task.cohorts.iter().map(|c| c.next_s).filter(|&s| s > at).fold(f64::INFINITY, f64::min);
                self.tasks[i].next_s = first;
                continue;
            }
            let chunk = task.chunk;
            self.land_batch(ti, &batch, chunk);
            self.tasks[i].next_s = at + (timing.period_s() / active as f64).max(timing.slot_s());
        }
    }

    /// One harvest batch of a chunk of `chunk` RAM lands on target `ti`: HWGW
    /// within the tolerances, a repair batch outside them.
    fn land_batch(&mut self, ti: usize, batch: &Batch, chunk: Ram) {
        let target = &mut self.targets[ti];
        let (money, exp) = if game::phase(&self.config, &target.server) == TaskKind::Harvest {
            self.batches += 1;
            game::land_batch(&self.player, &mut target.server, batch, target.base_security)
        } else {
            self.repairs += 1;
            (0.0, repair(&self.player, &mut target.server, chunk, target.base_security))
        };
        self.earned += money;
        self.money += money;
        self.exp += exp;
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
            self.land_round(ti, kind, n, cores);
            landed = true;
            let round = game::round_s(&self.player, &self.targets[ti].server);
            // The next round starts when this one landed, not at the end of the step.
            self.tasks[i].cohorts[k].next_s += round;
        }
        landed
    }

    /// One round of `n` till or sow chunks on a host of `cores` lands on target `ti`.
    fn land_round(&mut self, ti: usize, kind: TaskKind, n: u64, cores: u32) {
        let target = &mut self.targets[ti];
        let threads = match kind {
            TaskKind::Till => n,
            _ => {
                // A sow round of n chunks merged on one host: 12·n grow threads
                // in one process, then n weaken threads.
                game::land_grow(&self.player, &mut target.server, n * game::SOW_GROW_PER_CHUNK, cores);
                n * (game::SOW_GROW_PER_CHUNK + 1)
            }
        };
        game::land_weaken(&self.player, &mut target.server, n as f64, cores);
        self.exp += game::exp_per_thread(&self.player, target.base_security) * threads as f64;
        self.version += 1;
    }

    /// Lets `n` chunks of task `i` on host `h` leave when their work lands
    /// (newest first) and returns when the last of them will: a till or sow
    /// chunk when its round lands; a harvest chunk when its batch in flight
    /// lands, at a uniform point of its cycle (half a cycle away), or its first
    /// batch's landing if that is later. They leave the table now.
    pub fn release_chunks(&mut self, i: usize, h: usize, n: u64) -> f64 {
        let (t, task) = (self.t, &self.tasks[i]);
        let half_cycle = self.timing(task.target).cycle_s() / 2.0;
        let (chunk, target, kind, batch) = (task.chunk, task.target, task.kind, task.batch);
        let mut left = n;
        let mut last = t;
        let cohorts = &mut self.tasks[i].cohorts;
        for c in cohorts.iter_mut().rev().filter(|c| c.host == h) {
            let cut = c.n.min(left);
            let at_s = match kind {
                TaskKind::Harvest => c.next_s.max(t + half_cycle),
                // Idle chunks (no round) do no work and leave now.
                _ if c.next_s.is_infinite() => t,
                _ => c.next_s,
            };
            self.leaving.push(Leaving { host: h, n: cut, chunk, target, kind, batch, at_s });
            last = last.max(at_s);
            c.n -= cut;
            left -= cut;
            if left == 0 {
                break;
            }
        }
        cohorts.retain(|c| c.n > 0);
        self.version += 1;
        last
    }

    /// The leaving chunks whose work lands by now land it and free their RAM.
    fn land_leaving(&mut self) {
        let (done, wait): (Vec<Leaving>, Vec<Leaving>) =
            std::mem::take(&mut self.leaving).into_iter().partition(|l| l.at_s <= self.t);
        self.leaving = wait;
        for l in done {
            match l.batch {
                Some(batch) => (0..l.n).for_each(|_| self.land_batch(l.target, &batch, l.chunk)),
                None => self.land_round(l.target, l.kind, l.n, self.hosts[l.host].host.cores),
            }
            self.used[l.host] = self.used[l.host].saturating_sub(l.chunk * l.n);
            self.version += 1;
        }
    }

    /// RAM that leaving chunks still hold on host `h`.
    pub fn leaving_ram(&self, h: usize) -> Ram {
        self.leaving.iter().filter(|l| l.host == h).map(|l| l.chunk * l.n).sum()
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

    /// The home computer's index, while there is one.
    pub fn home(&self) -> Option<usize> {
        (0..self.hosts.len()).find(|&h| !self.hosts[h].gone && self.hosts[h].host.kind == HostKind::Home)
    }

    /// Counts `n` harvest batches on host `h` stopped before they landed.
    fn lose(&mut self, h: usize, n: u64) {
        self.lost_batches += n;
        if self.hosts[h].host.drain.is_some() {
            self.lost_to_drains += n;
        }
    }

    /// Removes a host: whatever runs there is stopped.
    pub fn remove_host(&mut self, h: usize) {
        self.evict(h, Ram::ZERO);
        let (gone, kept): (Vec<Leaving>, Vec<Leaving>) =
            std::mem::take(&mut self.leaving).into_iter().partition(|l| l.host == h);
        self.leaving = kept;
        self.lose(h, gone.iter().filter(|l| l.kind == TaskKind::Harvest).map(|l| l.n).sum());
        self.used[h] = self.used[h].saturating_sub(gone.iter().map(|l| l.chunk * l.n).sum());
        self.hosts[h].gone = true;
        self.version += 1;
    }

    /// A host's new installed RAM (an in-place upgrade keeps its scripts
    /// running); chunks above its new capacity are stopped.
    pub fn set_ram(&mut self, h: usize, max_ram: f64, reserved_ram: Option<f64>) {
        let host = &mut self.hosts[h];
        host.host.max_ram = max_ram;
        if let Some(r) = reserved_ram {
            host.host.reserved_ram = r;
        }
        host.cap = cap_of(&host.host);
        let keep = host.cap.saturating_sub(host.scripts);
        self.evict(h, keep);
        self.version += 1;
    }

    /// Asks for a host to be emptied (`Some(drain)`), or ends the request; the
    /// task scripts there move (see [`World::rehome_scripts`]).
    pub fn set_drain(&mut self, h: usize, drain: Option<Drain>) {
        self.hosts[h].host.drain = drain;
        self.rehome_scripts();
        self.version += 1;
    }

    /// Starts the task scripts on drained hosts again where the allocator puts
    /// them now: the batch system's own move, which no plan sees. A script that
    /// finds no room stops its task on an evicted host; on a cordoned one it
    /// stays until room frees (a cordon stops nothing), so the host empties
    /// only once it has moved.
    fn rehome_scripts(&mut self) {
        let mut i = 0;
        while i < self.tasks.len() {
            let Some(h) = self.tasks[i].script.filter(|&h| self.drained(h)) else {
                i += 1;
                continue;
            };
            let ram = script_ram(self.tasks[i].kind);
            self.hosts[h].scripts = self.hosts[h].scripts.saturating_sub(ram);
            self.tasks[i].script = None;
            if !self.start_script(i) {
                if self.hosts[h].host.drain.as_ref().is_some_and(|d| d.mode == DrainMode::Cordon) {
                    self.hosts[h].scripts += ram;
                    self.tasks[i].script = Some(h);
                    i += 1;
                } else {
                    self.remove_task(i);
                }
                continue;
            }
            self.version += 1;
            i += 1;
        }
    }

    /// Stops chunks on host `h`, newest tasks first, until they hold at most
    /// `keep`; the scripts there go with their tasks.
    fn evict(&mut self, h: usize, keep: Ram) {
        for i in (0..self.tasks.len()).rev() {
            if self.tasks[i].script == Some(h) && keep == Ram::ZERO {
                self.remove_task(i);
                continue;
            }
            if self.used[h] <= keep {
                continue;
            }
            let chunk = self.tasks[i].chunk;
            let over = self.used[h].0 - keep.0;
            let n = over.div_ceil(chunk.0.max(1)).min(self.tasks[i].on(h));
            self.remove_chunks(i, h, n);
        }
        self.drop_empty();
    }

    /// Removes tasks that hold no chunks.
    pub fn drop_empty(&mut self) {
        while let Some(i) = self.tasks.iter().position(|t| t.cohorts.is_empty()) {
            self.remove_task(i);
        }
    }

    /// The hack threads a harvest's batches use now: it keeps the share of the
    /// money it was sized for, so they fall as the skill rises (at least 1).
    fn hack_threads_now(&self, ti: usize, batch: &Batch) -> u32 {
        let percent = game::hack_percent(&self.player, &self.server(ti).ideal());
        if percent <= 0.0 {
            return batch.hack as u32;
        }
        // A fraction sized at this skill gives back its own thread count.
        ((batch.fraction / percent - 1e-9).ceil().max(1.0)) as u32
    }

    /// The task table in the wire shape, in id order; a harvest's hack threads
    /// are those its batches use now.
    pub fn table(&self) -> Vec<Task> {
        let mut tasks: Vec<Task> = self
            .tasks
            .iter()
            .map(|t| {
                let mut placement = std::collections::BTreeMap::new();
                for c in &t.cohorts {
                    *placement.entry(self.hosts[c.host].host.name.clone()).or_default() += c.n;
                }
                Task {
                    id: t.id.clone(),
                    kind: t.kind,
                    target: self.targets[t.target].target.name.clone(),
                    hack_threads: t.batch.map(|b| self.hack_threads_now(t.target, &b)),
                    chunk_ram: Some(t.chunk.gb()),
                    placement,
                    pinned: false,
                }
            })
            .collect();
        tasks.sort_by(|a, b| a.id.cmp(&b.id));
        tasks
    }

    /// The world as the planner's input: live hosts (what is set aside and the
    /// task scripts count as reserved), every target as it is now, the task
    /// table; config and policy from the timeline.
    pub fn state(&self, base: &State) -> State {
        let hosts = self
            .hosts
            .iter()
            .enumerate()
            .filter(|(_, h)| !h.gone)
            .map(|(i, h)| {
                let max = Ram::from_gb(h.host.max_ram).unwrap_or(Ram::ZERO);
                // Chunks waiting for their work to land are no task's any more.
                let reserved = max.saturating_sub(h.cap) + h.scripts + self.leaving_ram(i);
                Host { reserved_ram: reserved.gb(), ..h.host.clone() }
            })
            .collect();
        let targets = self
            .targets
            .iter()
            .map(|t| Target {
                security: Some(t.server.security),
                money: Some(t.server.money),
                base_security: Some(t.base_security),
                ..t.target.clone()
            })
            .collect();
        State {
            description: None,
            player: self.player.clone(),
            hosts,
            targets,
            tasks: self.table(),
            config: self.config.clone(),
            policy: base.policy.clone(),
        }
    }

    /// Applies one of the planner's actions to the table.
    ///
    /// Strictly (`fit` false), as the contract reads: every chunk goes where the
    /// action says. For real (`fit` true), a new task's script starts first and
    /// takes its RAM where the user's allocator puts long-running scripts; a task
    /// whose script finds no room does not start (later actions on it are
    /// skipped), and chunks that no longer fit are not started
    /// (`failed_launches`, `clipped_chunks`).
    ///
    /// # Errors
    ///
    /// [`Error::Internal`] when the action names a task or host that is not
    /// there, or (strictly) would overfill a host: the plan broke its contract.
    pub fn apply_action(&mut self, action: &Action, fit: bool) -> Result<(), Error> {
        let now = self.t;
        let bad =
            move |what: String| Error::Internal(format!("at {now} s the plan's action {action:?}: {what}"));
        let host = |w: &World, name: &str| w.host(name).ok_or_else(|| bad(format!("no host {name}")));
        let chunk = |gb: f64| Ram::from_gb(gb).ok_or_else(|| bad(format!("chunk of {gb} GB")));
        let batch = |w: &World, kind: TaskKind, ti: usize, h: Option<u32>| match (kind, h) {
            (TaskKind::Harvest, Some(h)) => Some(game::batch(&w.player, &w.server(ti), u64::from(h))),
            _ => None,
        };
        // The task an action names; when fitting, one that did not start is skipped.
        let task = |w: &World, id: &str| match w.task(id) {
            Some(i) => Ok(Some(i)),
            None if fit && w.skipped.iter().any(|s| s == id) => Ok(None),
            None => Err(bad(format!("no task {id}"))),
        };
        let mut placed: Vec<(usize, usize, u64, f64)> = Vec::new(); // (task, host, chunks, start)
        match action {
            Action::Launch { task: id, kind, target, hack_threads, chunk_ram, placement } => {
                if self.task(id).is_some() {
                    return Err(bad("the task exists".into()));
                }
                let ti = self.target(target).ok_or_else(|| bad(format!("no target {target}")))?;
                let b = batch(self, *kind, ti, *hack_threads);
                let i = self.new_task(id.clone(), *kind, ti, b, chunk(*chunk_ram)?);
                if fit && !self.start_script(i) {
                    self.remove_task(i);
                    self.failed_launches += 1;
                    self.skipped.push(id.clone());
                    return Ok(());
                }
                for (name, &n) in placement {
                    placed.push((i, host(self, name)?, n, self.t));
                }
            }
            Action::Grow { task: id, host: name, chunks } => {
                if let Some(i) = task(self, id)? {
                    placed.push((i, host(self, name)?, *chunks, self.t));
                }
            }
            Action::Shrink { task: id, host: name, chunks, when } => {
                if let Some(i) = task(self, id)? {
                    let h = host(self, name)?;
                    if self.tasks[i].on(h) < *chunks && !fit {
                        return Err(bad("fewer chunks there".into()));
                    }
                    match when {
                        When::Now => _ = self.remove_chunks(i, h, *chunks),
                        When::Lands => _ = self.release_chunks(i, h, *chunks),
                    }
                }
            }
            Action::Migrate { task: id, from, to, chunks, when } => {
                if let Some(i) = task(self, id)? {
                    let (f, h) = (host(self, from)?, host(self, to)?);
                    let moving = self.tasks[i].on(f).min(*chunks);
                    if moving != *chunks && !fit {
                        return Err(bad("fewer chunks there".into()));
                    }
                    // Gracefully, the moved chunks start on `to` once the last of
                    // their work on `from` has landed.
                    let start_s = match when {
                        When::Now => {
                            self.remove_chunks(i, f, moving);
                            self.t
                        }
                        When::Lands => self.release_chunks(i, f, moving),
                    };
                    placed.push((i, h, moving, start_s));
                }
            }
            Action::Resize { task: id, hack_threads, chunk_ram, placement } => {
                if let Some(i) = task(self, id)? {
                    let hosts: Vec<usize> = self.tasks[i].cohorts.iter().map(|c| c.host).collect();
                    for h in hosts {
                        let n = self.tasks[i].on(h);
                        self.remove_chunks(i, h, n);
                    }
                    let (kind, ti) = (self.tasks[i].kind, self.tasks[i].target);
                    self.tasks[i].batch = batch(self, kind, ti, *hack_threads);
                    self.tasks[i].chunk = chunk(*chunk_ram)?;
                    self.tasks[i].next_s = f64::INFINITY;
                    for (name, &n) in placement {
                        placed.push((i, host(self, name)?, n, self.t));
                    }
                }
            }
            Action::Kill { task: id } => {
                if let Some(i) = task(self, id)? {
                    self.remove_task(i);
                }
            }
        }
        for (i, h, n, start_s) in placed {
            let fits = if fit { self.free(h).fits(self.tasks[i].chunk).min(n) } else { n };
            self.clipped_chunks += n - fits;
            self.start_chunks(i, h, fits, start_s);
            if self.used[h] + self.hosts[h].scripts > self.hosts[h].cap {
                return Err(bad(format!("{} would hold {}", self.hosts[h].host.name, self.used[h])));
            }
        }
        // When fitting, a task left with no chunk stops and later actions on it
        // are skipped. Strictly, it waits for the plan's end (`drop_empty`): a
        // migration split in two leaves it empty between its halves.
        if fit {
            let empty = self.tasks.iter().filter(|t| t.cohorts.is_empty()).map(|t| t.id.clone());
            self.skipped.extend(empty.collect::<Vec<_>>());
            self.drop_empty();
        }
        Ok(())
    }

    /// RAM held by chunks and scripts, and RAM all live hosts have for them.
    pub fn ram(&self) -> (Ram, Ram) {
        let live = self.hosts.iter().zip(&self.used).filter(|(h, _)| !h.gone);
        live.fold((Ram::ZERO, Ram::ZERO), |(used, total), (h, &u)| (used + u + h.scripts, total + h.cap))
    }
}

/// Weaken threads for `security` points as the user's scripts count them
/// (`calculateWeakenThreads`): 20 per point, rounded up, and one spare.
pub(crate) fn weaken_threads_for(security: f64) -> u64 {
    ((security * 20.0).ceil().max(0.0) as u64).saturating_add(1)
}

/// The user's repair batch (`calculateRebalanceBatchLogistics`) within one
/// chunk's RAM: weaken threads for the security above minimum (one spare), then
/// as many grow threads toward maximum money as fit with the weaken threads
/// they need; every thread on one core. Lands them and returns the exp.
fn repair(player: &Player, server: &mut Server, ram: Ram, base_security: f64) -> f64 {
    let threads = ram.fits(Ram::THREAD);
    let weaken1 = weaken_threads_for(server.security - server.min_security).min(threads);
    let left = threads - weaken1;
    // Grow threads g need their own weaken threads too, within what is left.
    let needs = |g: u64| g + weaken_threads_for(game::grow_security(g));
    let wanted = game::grow_threads(player, &server.ideal(), server.money, server.max_money, 1);
    let mut grow = wanted.min(left.saturating_sub(1) * 25 / 27);
    while grow < wanted && needs(grow + 1) <= left {
        grow += 1;
    }
    while grow > 0 && needs(grow) > left {
        grow -= 1;
    }
    let weaken2 = if grow > 0 { weaken_threads_for(game::grow_security(grow)) } else { 0 };
    game::land_weaken(player, server, weaken1 as f64, 1);
    game::land_grow(player, server, grow, 1);
    game::land_weaken(player, server, weaken2 as f64, 1);
    game::exp_per_thread(player, base_security) * (weaken1 + grow + weaken2) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A prepped n00dles at level 1000 and one host with room for a full harvest.
    fn world() -> World {
        let state = crate::parse(
            r#"{ "player": { "hacking": 1000 },
                 "hosts": [ { "name": "pserv-1", "max_ram": 65536, "kind": "purchased" } ],
                 "targets": [ { "name": "n00dles", "required_hacking": 1, "min_security": 1,
                                "max_money": 1750000, "growth": 3000 } ] }"#,
        )
        .unwrap();
        World::new(&state, 0.0)
    }

    /// A full-overlap harvest of H = 40 that has run long enough to be steady.
    fn harvesting() -> (World, usize, Batch) {
        let mut w = world();
        let batch = game::batch(&w.player, &w.server(0), 40);
        let i = w.new_task("harvest:n00dles".into(), TaskKind::Harvest, 0, Some(batch), batch.ram);
        let overlap = w.timing(0).overlap();
        w.add_chunks(i, 0, overlap, false);
        w.advance(200.0, 0.0, Some(1000));
        assert_eq!(w.server(0), w.server(0).ideal(), "a harvest keeps its target prepped");
        (w, i, batch)
    }

    #[test]
    fn a_batch_stopped_between_its_hack_and_its_grow_damages_the_target() {
        let (mut w, i, batch) = harvesting();
        let d = w.timing(0).spacing_s();
        // Just after the next batch's hack landed (three spacings before its end),
        // before its first weaken (two spacings before).
        let next = w.tasks[i].next_s;
        w.advance(next - 2.5 * d, 0.0, Some(1000));
        let ideal = w.server(0).ideal();
        let chance = game::hack_chance(&w.player, &ideal);
        let earned = w.earned;
        w.remove_task(i);
        let hurt = w.server(0);
        let taken = chance * batch.fraction * ideal.max_money;
        assert!((ideal.max_money - hurt.money - taken).abs() < 1e-6 * taken, "{hurt:?}");
        assert!(hurt.security > ideal.security, "its hack's security stays: {hurt:?}");
        assert!((w.earned - earned - taken).abs() < 1e-6 * taken, "the hack's money was taken");

        // The next batches earn less: the harvest first repairs the target.
        let j = w.new_task("harvest:n00dles".into(), TaskKind::Harvest, 0, Some(batch), batch.ram);
        w.add_chunks(j, 0, 10, false);
        let start = w.earned;
        w.advance(w.t + w.timing(0).cycle_s() + 1.0, 0.0, Some(1000));
        let first = w.earned - start;
        assert!(first < 10.0 * batch.money, "earned {first}, a healthy first round {}", 10.0 * batch.money);
        assert_eq!(w.server(0), ideal, "and then it is prepped again");
    }

    #[test]
    fn a_batch_stopped_after_its_grow_leaves_the_target_prepped() {
        let (w, i, _) = harvesting();
        let d = w.timing(0).spacing_s();
        let next = w.tasks[i].next_s;
        // Half a spacing before the batch ends its grow has landed (one spacing
        // before the end); a whole slot before, its hack has not.
        for at in [next - 0.5 * d, next - 3.5 * d] {
            let mut v = w.clone();
            v.advance(at, 0.0, Some(1000));
            v.remove_task(i);
            assert_eq!(v.server(0), v.server(0).ideal(), "stopped at {at}");
        }
    }

    #[test]
    fn a_task_script_holds_its_ram_where_the_allocator_puts_it() {
        let mut w = world();
        let before = w.free(0);
        let i = w.new_task("till:n00dles".into(), TaskKind::Till, 0, None, game::TILL_CHUNK);
        assert!(w.start_script(i));
        assert_eq!(w.free(0), before - script_ram(TaskKind::Till));
        w.remove_task(0);
        assert_eq!(w.free(0), before, "and frees it when the task stops");
    }

    #[test]
    fn a_cordon_keeps_a_script_that_finds_no_room_until_room_frees() {
        let (mut w, i, _) = harvesting();
        assert!(w.start_script(i));
        let mut evicted = w.clone();
        evicted.set_drain(0, Some(Drain::new(DrainMode::Evict)));
        assert!(evicted.tasks.is_empty(), "an evict stops a task whose script finds no room");
        w.set_drain(0, Some(Drain::new(DrainMode::Cordon)));
        assert_eq!(w.tasks[i].script, Some(0), "a cordon stops nothing");
        let lost = w.lost_batches;
        w.add_host(Host { kind: HostKind::Purchased, ..Host::new("pserv-2", 64.0) });
        w.advance(w.t + 1.0, 0.0, Some(1000));
        assert_eq!(w.tasks[i].script, Some(1), "the script moves once there is room");
        assert_eq!(w.hosts[0].scripts, Ram::ZERO);
        assert_eq!(w.lost_batches, lost);
    }
}
