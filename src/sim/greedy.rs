//! The baseline: today's `TaskSelector` and memory allocator, ported from
//! `docs/domain.md` §3.3–§3.4 and §4.2.
//!
//! * Each tick the allocator first grows every allocation still below its
//!   requested chunk count, in launch order, onto the hosts with the most free RAM;
//!   chunks granted to a till after it started hold RAM but never run (till never
//!   polls for growth, §3.5). A harvest whose overlap fell below its chunk count
//!   releases the excess from the hosts with the most free RAM and lowers its
//!   request by as much (§2.5).
//! * Then the selector makes **at most one launch**: the highest expected-value
//!   harvest that fits at full overlap (hack percent from
//!   `maxHackPercentForMemory`, expected value above 100 $/GB·s), else the
//!   highest-value candidate capped at the free RAM; else a sow on the lowest-level
//!   target (n00dles, then foodnstuff, first; others only while the hack level is
//!   not rising faster than 0.05 levels/s), at most two; else a till likewise.
//! * It never revisits a running task: p and the chunk size of a harvest are
//!   frozen at launch. On a drain it does what the user does today: stop every
//!   task and start the selector over; `greedy-restart` does so after every jump
//!   in RAM too (the user's workaround).
//! * A task script that finds no room fails its launch (backoff, as for any
//!   failed launch).
//!
//! Left out: launch heartbeats (a launch is known at once; the real selector waits
//! for the first heartbeat, under a second).

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use crate::game::{self, Batch};
use crate::state::{HostKind, TaskKind};
use crate::Ram;

use super::world::{script_ram, weaken_threads_for, World};

/// `expectedValueThreshold`: harvests worth less, in $ per GB·s, are not started.
const EXPECTED_VALUE_THRESHOLD: f64 = 100.0;
/// `harvestGainThreshold`: a new harvest must add this share of running profit.
const HARVEST_GAIN_THRESHOLD: f64 = 0.001;
/// A jump in RAM that `greedy-restart` starts over for: this share more RAM
/// for tasks than when it last started. Doubling earned most of the shares
/// tried (every rise, 10 %, 25 %, 50 %, doubling, fourfold) over the fresh and
/// the mid-game timelines together; restarting at every rise earned a fifth.
const RESTART_JUMP: f64 = 1.0;
/// `maxSowTargets` and `maxTillTargets`.
const MAX_PREP: usize = 2;
/// `hackLevelVelocityThreshold`, levels per second.
const VELOCITY_THRESHOLD: f64 = 0.05;
/// Level samples the velocity is taken over.
const VELOCITY_SAMPLES: usize = 5;
/// `launchFailBackoffMs` in seconds, doubled per failure up to `launchFailLimit`.
const BACKOFF_S: f64 = 2.0;
const BACKOFF_LIMIT: u32 = 5;
/// One hack, one grow and two weaken threads: the smallest harvest batch.
const MINIMAL_HARVEST: Ram = Ram(695);
/// One grow and one weaken thread: the smallest sow the fallback accepts.
const MINIMAL_SOW: Ram = Ram(350);

/// A free-RAM snapshot (`FreeRam`): hosts with free RAM, drained ones left out.
struct Mem {
    free: Vec<(usize, Ram)>,
    total: Ram,
}

impl Mem {
    fn of(w: &World) -> Mem {
        let free: Vec<(usize, Ram)> = (0..w.hosts.len())
            .filter(|&h| !w.drained(h))
            .map(|h| (h, w.free(h)))
            .filter(|f| f.1 > Ram::ZERO)
            .collect();
        let total = free.iter().map(|f| f.1).sum();
        Mem { free, total }
    }

    /// `availableBatchCount`: whole chunks that fit, one host at a time.
    fn count(&self, chunk: Ram) -> u64 {
        self.free.iter().map(|f| f.1.fits(chunk)).sum()
    }
}

/// `calculateBatchLogistics` at one hack percent.
#[derive(Clone, Copy)]
struct Logistics {
    hack: u64,
    ram: Ram,
    overlap: u64,
}

/// A harvest candidate with `expectedValueForMemory`'s numbers.
struct Candidate {
    target: usize,
    percent: f64,
    profit: f64,
    value: f64,
    required: Ram,
    log: Logistics,
}

/// Where the allocator looks first.
#[derive(Clone, Copy, PartialEq)]
enum Order {
    /// Non-home hosts by free RAM, largest first, then home (harvest).
    Default,
    /// Home first, then the rest by free RAM (till and sow are `coreDependent`).
    HomeFirst,
    /// Every host by free RAM, largest first (growth).
    ByFree,
}

/// The selector's state.
pub(crate) struct Greedy {
    /// Started over after every jump in RAM (`greedy-restart`).
    pub restarts: bool,
    /// RAM for tasks when it last started.
    started_with: Ram,
    /// Times it was started over.
    pub restarted: u64,
    /// n00dles, when the user's `early-bitnode.ts` harvests it whatever its
    /// expected value.
    exempt: Option<usize>,
    pending_till: Vec<usize>,
    pending_sow: Vec<usize>,
    pending_harvest: Vec<usize>,
    tilling: BTreeSet<usize>,
    sowing: BTreeSet<usize>,
    /// Running harvests and the hack percent each launched with.
    harvesting: BTreeMap<usize, f64>,
    /// Per target: failures in a row and when it may be tried again.
    failures: BTreeMap<usize, (u32, f64)>,
    history: VecDeque<(f64, u32)>,
    /// What the last look saw: world version, level and velocity gate, and when.
    seen: Option<(u64, u32, bool)>,
    seen_at: f64,
    /// Batches by (target, hack threads) at `cache_level`.
    cache: HashMap<(usize, u64), Batch>,
    cache_level: u32,
    /// Actions by kind.
    pub counts: BTreeMap<String, u64>,
}

impl Greedy {
    /// A selector knowing every target; `restarts` after every jump in RAM;
    /// `early_bitnode` when the user's early-game script harvests n00dles.
    pub fn new(restarts: bool, early_bitnode: bool, w: &World) -> Greedy {
        let mut g = Greedy {
            restarts,
            started_with: w.ram().1,
            restarted: 0,
            exempt: early_bitnode.then(|| w.target("n00dles")).flatten(),
            pending_till: Vec::new(),
            pending_sow: Vec::new(),
            pending_harvest: Vec::new(),
            tilling: BTreeSet::new(),
            sowing: BTreeSet::new(),
            harvesting: BTreeMap::new(),
            failures: BTreeMap::new(),
            history: VecDeque::new(),
            seen: None,
            seen_at: 0.0,
            cache: HashMap::new(),
            cache_level: 0,
            counts: BTreeMap::new(),
        };
        for ti in 0..w.targets.len() {
            g.push_target(w, ti);
        }
        g
    }

    fn count(&mut self, op: &str, n: u64) {
        *self.counts.entry(op.to_string()).or_default() += n;
    }

    /// `pushTarget`: (re)queues a target by its security and money.
    pub fn push_target(&mut self, w: &World, ti: usize) {
        self.pending_till.retain(|&t| t != ti);
        self.pending_sow.retain(|&t| t != ti);
        self.pending_harvest.retain(|&t| t != ti);
        self.tilling.remove(&ti);
        self.sowing.remove(&ti);
        self.harvesting.remove(&ti);
        match game::phase(&w.config, &w.server(ti)) {
            TaskKind::Till => self.pending_till.push(ti),
            TaskKind::Sow => self.pending_sow.push(ti),
            TaskKind::Harvest => self.pending_harvest.push(ti),
        }
    }

    /// Whether RAM has jumped since the selector last started: by at least
    /// [`RESTART_JUMP`] of what it had then.
    pub fn jumped(&self, w: &World) -> bool {
        w.ram().1 .0 as f64 >= self.started_with.0 as f64 * (1.0 + RESTART_JUMP)
    }

    /// The user's restart: every task stops, the selector starts over.
    pub fn restart(&mut self, w: &mut World) {
        let n = w.tasks.len() as u64;
        while !w.tasks.is_empty() {
            w.remove_task(0);
        }
        self.count("kill", n);
        let (counts, restarted) = (std::mem::take(&mut self.counts), self.restarted + 1);
        *self = Greedy { counts, restarted, ..Greedy::new(self.restarts, self.exempt.is_some(), w) };
    }

    /// One selector tick after the allocator's growth pass.
    pub fn tick(&mut self, w: &mut World) {
        if self.cache_level != w.player.hacking {
            self.cache.clear();
            self.cache_level = w.player.hacking;
        }
        self.grow(w);
        self.shrink_harvests(w);
        self.history.push_back((w.t, w.player.hacking));
        if self.history.len() > VELOCITY_SAMPLES {
            self.history.pop_front();
        }
        let velocity = match (self.history.front(), self.history.back()) {
            (Some(a), Some(b)) if b.0 > a.0 => (f64::from(b.1) - f64::from(a.1)) / (b.0 - a.0),
            _ => 0.0,
        };
        let gate = velocity.abs() <= VELOCITY_THRESHOLD;
        // The decision depends only on what `seen` holds and on backoffs, so an
        // unchanged world since the last look gives the same (empty) answer.
        let woke = self.failures.values().any(|f| f.1 > self.seen_at && f.1 <= w.t);
        let now = Some((w.version, w.player.hacking, gate));
        if now == self.seen && !woke {
            return;
        }
        self.launch_pending(w, gate);
        self.seen = Some((w.version, w.player.hacking, gate));
        self.seen_at = w.t;
    }

    /// Host order for a new allocation or a growth pass.
    fn order(w: &World, order: Order) -> Vec<usize> {
        let mut hosts: Vec<usize> =
            (0..w.hosts.len()).filter(|&h| !w.hosts[h].gone && !w.drained(h)).collect();
        let home = |h: usize| w.hosts[h].host.kind == HostKind::Home;
        hosts.sort_by(|&a, &b| {
            let rank = |h: usize| match order {
                Order::Default => u8::from(home(h)),
                Order::HomeFirst => u8::from(!home(h)),
                Order::ByFree => 0,
            };
            rank(a).cmp(&rank(b)).then(w.free(b).cmp(&w.free(a))).then(a.cmp(&b))
        });
        hosts
    }

    /// Places up to `n` chunks of task `i`, whole chunks per host in `order`;
    /// returns how many it placed.
    fn place(w: &mut World, i: usize, n: u64, order: Order, idle: bool) -> u64 {
        let chunk = w.tasks[i].chunk;
        let mut left = n;
        for h in Self::order(w, order) {
            let k = w.free(h).fits(chunk).min(left);
            w.add_chunks(i, h, k, idle);
            left -= k;
            if left == 0 {
                break;
            }
        }
        n - left
    }

    /// The allocator's growth pass (`growAllocations`).
    fn grow(&mut self, w: &mut World) {
        for i in 0..w.tasks.len() {
            let missing = w.tasks[i].requested.saturating_sub(w.tasks[i].total());
            if missing == 0 || Mem::of(w).total == Ram::ZERO {
                continue;
            }
            let idle = w.tasks[i].kind == TaskKind::Till;
            let placed = Self::place(w, i, missing, Order::ByFree, idle);
            if placed > 0 {
                self.count("grow", 1);
            }
        }
    }

    /// A harvest above its new overlap releases the excess (`releaseChunks`).
    fn shrink_harvests(&mut self, w: &mut World) {
        for i in 0..w.tasks.len() {
            let ti = w.tasks[i].target;
            let Some(&p) = self.harvesting.get(&ti).filter(|_| w.tasks[i].kind == TaskKind::Harvest) else {
                continue;
            };
            let limit = self.logistics(w, ti, p).overlap.min(w.tasks[i].requested);
            let mut excess = w.tasks[i].total().saturating_sub(limit);
            if excess == 0 {
                continue;
            }
            w.tasks[i].requested -= excess;
            let mut hosts: Vec<usize> = w.tasks[i].cohorts.iter().map(|c| c.host).collect();
            hosts.sort_by(|&a, &b| w.free(b).cmp(&w.free(a)).then(a.cmp(&b)));
            hosts.dedup();
            for h in hosts {
                let n = w.tasks[i].on(h).min(excess);
                excess -= w.remove_chunks(i, h, n);
            }
            self.count("shrink", 1);
        }
    }

    fn batch(&mut self, w: &World, ti: usize, hack: u64) -> Batch {
        *self.cache.entry((ti, hack)).or_insert_with(|| game::batch(&w.player, &w.server(ti), hack))
    }

    /// Hack percent per thread on the prepped target.
    fn per_thread(w: &World, ti: usize) -> f64 {
        game::hack_percent(&w.player, &w.server(ti).ideal())
    }

    /// `calculateBatchLogistics`: H = ceil(p / percent per thread); the overlap
    /// from the weaken time at the target's current security.
    fn logistics(&mut self, w: &World, ti: usize, p: f64) -> Logistics {
        let per = Self::per_thread(w, ti);
        let hack = if per > 0.0 { ((p / per).ceil() as u64).max(1) } else { 1 };
        let ram = self.batch(w, ti, hack).ram;
        Logistics { hack, ram, overlap: game::Timing::at(&w.player, &w.server(ti), &w.config).overlap() }
    }

    fn fits_full(mem: &Mem, log: &Logistics) -> bool {
        mem.count(log.ram) >= log.overlap && mem.total >= log.ram * log.overlap
    }

    /// `maxHackPercentForMemory`: 0 when not one minimal batch fits, the one-thread
    /// percent when its full overlap does not fit, else the largest percent (16
    /// bisection steps up to `max_hack_fraction`) whose full overlap fits.
    fn max_percent(&mut self, w: &World, ti: usize, mem: &Mem) -> f64 {
        let min = Self::per_thread(w, ti);
        if min <= 0.0 {
            return 0.0;
        }
        let log = self.logistics(w, ti, min);
        if mem.count(log.ram) == 0 || mem.total < log.ram {
            return 0.0;
        }
        if !Self::fits_full(mem, &log) {
            return min;
        }
        let (mut low, mut high) = (min, w.config.max_hack_fraction);
        for _ in 0..16 {
            let mid = (low + high) / 2.0;
            let log = self.logistics(w, ti, mid);
            if Self::fits_full(mem, &log) {
                low = mid;
            } else {
                high = mid;
            }
        }
        low
    }

    /// `expectedValueForMemory`: (profit $/s, value $/GB·s, RAM) of the batches
    /// that fit, up to the overlap.
    fn expected(&mut self, w: &World, ti: usize, mem: &Mem, p: f64) -> (f64, f64, Ram, Logistics) {
        let log = self.logistics(w, ti, p);
        let count = log.overlap.min(mem.count(log.ram));
        if count == 0 {
            return (0.0, 0.0, Ram::ZERO, log);
        }
        // `harvestProfit`: one batch's expected money every ending slot.
        let full = self.batch(w, ti, log.hack).money / w.timing(ti).slot_s();
        let profit = full * count as f64 / log.overlap as f64;
        let required = log.ram * count;
        (profit, profit / required.gb(), required, log)
    }

    fn backed_off(&self, ti: usize, now: f64) -> bool {
        self.failures.get(&ti).is_some_and(|f| f.1 > now)
    }

    fn fail(&mut self, ti: usize, now: f64) {
        let n = (self.failures.get(&ti).map_or(0, |f| f.0) + 1).min(BACKOFF_LIMIT);
        self.failures.insert(ti, (n, now + BACKOFF_S * f64::from(1u32 << (n - 1))));
    }

    /// `launchPendingTasks`: at most one launch.
    fn launch_pending(&mut self, w: &mut World, gate: bool) {
        let mem = Mem::of(w);
        if self.launch_harvest(w, &mem) {
            return;
        }
        if self.sowing.len() < MAX_PREP && self.launch_prep(w, &mem, TaskKind::Sow, gate) {
            return;
        }
        if self.tilling.len() < MAX_PREP {
            self.launch_prep(w, &mem, TaskKind::Till, gate);
        }
    }

    fn launch_harvest(&mut self, w: &mut World, mem: &Mem) -> bool {
        // Running harvests' profit at today's free RAM, as the selector computes it.
        let running: Vec<(usize, f64)> = self.harvesting.iter().map(|(&t, &p)| (t, p)).collect();
        let total_profit: f64 = running.iter().map(|&(t, p)| self.expected(w, t, mem, p).0).sum();
        let mut candidates: Vec<Candidate> = Vec::new();
        for ti in self.pending_harvest.clone() {
            if f64::from(w.player.hacking) < w.server(ti).required_hacking {
                continue;
            }
            let percent = self.max_percent(w, ti, mem);
            let log = self.logistics(w, ti, percent);
            if percent == 0.0 || mem.count(log.ram) < 1 {
                continue;
            }
            let (profit, value, required, log) = self.expected(w, ti, mem, percent);
            if value <= EXPECTED_VALUE_THRESHOLD && self.exempt != Some(ti) {
                continue;
            }
            candidates.push(Candidate { target: ti, percent, profit, value, required, log });
        }
        candidates.sort_by(|a, b| b.value.total_cmp(&a.value));
        if total_profit > 0.0 {
            candidates.retain(|c| c.profit >= total_profit * HARVEST_GAIN_THRESHOLD);
        }
        let mut fallback: Option<&Candidate> = None;
        for c in &candidates {
            if self.backed_off(c.target, w.t) {
                continue;
            }
            if script_ram(TaskKind::Harvest) + c.required <= mem.total
                && mem.count(c.log.ram) >= c.log.overlap
            {
                return self.start_harvest(w, c, c.log.overlap);
            }
            if fallback.is_none_or(|f| f.value < c.value) {
                fallback = Some(c);
            }
        }
        let Some(c) = fallback else { return false };
        let minimal = self.logistics(w, c.target, Self::per_thread(w, c.target));
        if mem.total > MINIMAL_HARVEST && mem.count(minimal.ram) >= 1 {
            // `--max-ram` = all free RAM: the batch count it asks for.
            let limit = c.log.overlap.min(mem.total.fits(c.log.ram));
            return self.start_harvest(w, c, limit);
        }
        false
    }

    /// Starts new task `i`'s script, then up to `n` chunks; a launch that gets no
    /// room for either fails and backs off.
    fn start(&mut self, w: &mut World, i: usize, n: u64, order: Order, ti: usize) -> bool {
        let script = w.start_script(i);
        if !script || Self::place(w, i, n, order, false) == 0 {
            w.remove_task(i);
            self.fail(ti, w.t);
            w.failed_launches += u64::from(!script);
            return false;
        }
        true
    }

    /// Starts `harvest.js`: it asks for `limit` chunks of its batch and takes what fits.
    fn start_harvest(&mut self, w: &mut World, c: &Candidate, limit: u64) -> bool {
        let id = format!("harvest:{}", w.targets[c.target].target.name);
        let batch = self.batch(w, c.target, c.log.hack);
        let i = w.new_task(id, TaskKind::Harvest, c.target, Some(batch), c.log.ram);
        w.tasks[i].requested = limit;
        if !self.start(w, i, limit, Order::Default, c.target) {
            return false;
        }
        self.pending_harvest.retain(|&t| t != c.target);
        self.harvesting.insert(c.target, c.percent);
        self.count("launch", 1);
        true
    }

    /// The sow or till step: the lowest-level candidates, full size if it fits on
    /// one host, else the first capped at the free RAM.
    fn launch_prep(&mut self, w: &mut World, mem: &Mem, kind: TaskKind, gate: bool) -> bool {
        let (pending, active) = match kind {
            TaskKind::Sow => (&self.pending_sow, self.sowing.len()),
            _ => (&self.pending_till, self.tilling.len()),
        };
        let named = |n: &str| pending.iter().copied().find(|&t| w.targets[t].target.name == n);
        let mut candidates: Vec<usize> = match (named("n00dles"), named("foodnstuff")) {
            (Some(t), _) | (None, Some(t)) => vec![t],
            _ if gate => pending.clone(),
            _ => Vec::new(),
        };
        candidates.sort_by_key(|&t| w.targets[t].target.required_hacking);
        candidates.truncate(MAX_PREP - active);
        let mut fallback = None;
        for &ti in &candidates {
            if self.backed_off(ti, w.t) {
                continue;
            }
            let (threads, ram) = Self::prep_size(w, ti, kind);
            if script_ram(kind).0.saturating_add(ram.0) <= mem.total.0 && mem.count(ram) >= 1 {
                return self.start_prep(w, ti, kind, threads);
            }
            fallback = fallback.or(Some(ti));
        }
        let Some(ti) = fallback else { return false };
        let minimal = if kind == TaskKind::Sow { MINIMAL_SOW } else { Ram::THREAD };
        let threads = mem.total.fits(Ram::THREAD);
        if mem.total > script_ram(kind) + minimal && mem.count(minimal) >= 1 && threads > 0 {
            return self.start_prep(w, ti, kind, threads);
        }
        false
    }

    /// The selector's size of a full prep: threads and their RAM. Till: the
    /// weaken threads to minimum security. Sow (`calculateSowThreads`): the grow
    /// threads `growthAnalyze` gives at the current security, plus one weaken
    /// per 12.5 of them plus one.
    fn prep_size(w: &World, ti: usize, kind: TaskKind) -> (u64, Ram) {
        let s = w.server(ti);
        let threads = match kind {
            TaskKind::Till => game::till_threads(&w.player, &s),
            _ => {
                let grow = game::grow_threads_for(&w.player, &s, s.max_money / s.money, 1);
                if !grow.is_finite() || grow > 1e12 {
                    return (u64::MAX, Ram(u64::MAX));
                }
                let grow = grow.ceil().max(0.0) as u64;
                grow + weaken_threads_for(game::grow_security(grow))
            }
        };
        (threads, Ram::THREAD * threads.min(u64::MAX / Ram::THREAD.0))
    }

    /// Starts `till.js` (`threads` weaken chunks) or `sow.js` (it asks for all the
    /// 22.75 GB chunks its work needs, whatever the selector computed).
    fn start_prep(&mut self, w: &mut World, ti: usize, kind: TaskKind, threads: u64) -> bool {
        let (chunk, want) = match kind {
            TaskKind::Sow => (game::SOW_CHUNK, game::sow_chunks(&w.player, &w.server(ti))),
            _ => (game::TILL_CHUNK, threads),
        };
        let id = format!("{}:{}", kind.name(), w.targets[ti].target.name);
        let i = w.new_task(id, kind, ti, None, chunk);
        w.tasks[i].requested = want;
        if !self.start(w, i, want, Order::HomeFirst, ti) {
            return false;
        }
        match kind {
            TaskKind::Sow => {
                self.pending_sow.retain(|&t| t != ti);
                self.sowing.insert(ti);
            }
            _ => {
                self.pending_till.retain(|&t| t != ti);
                self.tilling.insert(ti);
            }
        }
        self.count("launch", 1);
        true
    }
}
