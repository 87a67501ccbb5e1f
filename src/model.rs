//! The economics of one cycle: what each target can run, what a chunk is worth,
//! what a change costs, and how a whole allocation table scores.
//!
//! Every target gets one **job**: the task that may run against it, in one of a few
//! **shapes** (a task kind with one chunk size). A **table** gives each job at most
//! one shape and a chunk count per host. Its score, in dollars per second, is
//!
//! ```text
//! net = Σ value(shape) · chunks  −  cost of the change / horizon_s
//! ```
//!
//! * A harvest chunk is worth the income of its batch: `money per batch / (overlap · 4 · spacing)`,
//!   so a full-overlap harvest lands one batch every `4 · spacing` ms.
//! * A till or sow chunk is worth the harvest income it brings forward (the one rule):
//!   every GB of prep still needed (till, then sow) is worth `ΔI · max(0, 1 − T / horizon_s) / P`
//!   per second, where `ΔI` is how much the network's best steady-state harvest income
//!   grows when this target joins the targets ready now (zero when RAM is already full of
//!   denser harvests), `T` the rounds until it is ready (a weaken time per phase left) and
//!   `P` the prep RAM still needed. A full-strength prep is priced as the income it adds,
//!   discounted by the wait; fewer chunks bring it forward proportionally less. There is
//!   no cap on how many targets are tilled or sown: RAM decides.
//! * Costs, in dollars: a harvest chunk stopped (killed, moved, resized) loses its batch
//!   in flight and a harvest chunk started earns nothing for one batch time, both about
//!   `value · (T_weaken + 2 · spacing)`; a till/sow chunk stopped loses its round
//!   and one started does nothing until its first round lands, both `value · T`.
//!   A till or sow that runs all its work in this round ends only with its last
//!   chunk: stopping any of its chunks loses the whole round once
//!   (`Job::whole_stop`), however many stop. Keeping a chunk costs nothing.

use crate::game::{self, Server};
use crate::net::Net;
use crate::state::TaskKind;
use crate::{Instant, Ram};

/// One way to run a job: a task kind with one chunk size.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Shape {
    pub kind: TaskKind,
    pub hack_threads: Option<u64>,
    pub chunk: Ram,
    /// Dollars per second one chunk is worth.
    pub value: f64,
    /// Most chunks worth holding: the overlap (harvest) or the work left (till, sow).
    pub cap: u64,
    /// Dollars lost per chunk started.
    pub start: f64,
    /// Dollars lost per chunk stopped.
    pub stop: f64,
}

/// Everything that may run against one target.
#[derive(Clone, Debug)]
pub(crate) struct Job {
    pub target: usize,
    /// The phase the target is in, by security and money.
    pub phase: TaskKind,
    pub shapes: Vec<Shape>,
    /// How many of `shapes` are offered whatever runs today; after them come
    /// today's task's own shape when it is not one of them, then the spares.
    pub offered: usize,
    /// Shapes from here on are spares: every other harvest of the formulas'
    /// grid, not offered (the local search never uses one) but there for the
    /// exact stage of a tiny model, where the best batch is often the one that
    /// fits the room another target leaves on a host.
    pub spare_from: usize,
    /// Whether today's own shape is one of the grid's: a spare it stands for,
    /// which the exact stage (whose shapes must not depend on today) may use.
    pub own_on_grid: bool,
    /// Every harvest shape of the formulas' menu, offered or not, for the upper
    /// bound (which must hold over all of them).
    pub bound: Vec<Shape>,
    /// The running task and the index of its shape.
    pub current: Option<(usize, usize)>,
    /// A pinned job keeps its current allocation exactly.
    pub pinned: bool,
    /// Seconds until all the running task's work in flight has landed, at most:
    /// a batch (harvest) or a round (till, sow). Zero without a task.
    pub lands_s: f64,
    /// What stopping any of today's chunks costs, once, when today's task is a
    /// till or sow that runs all its work in this round (zero otherwise): it
    /// ends only with its last chunk, so one chunk stopped puts the target off
    /// by the whole round, as all of them would.
    pub whole_stop: f64,
    /// Why the target cannot run at all, when that is not obvious.
    pub note: Option<String>,
}

/// The economics of a network.
#[derive(Clone, Debug)]
pub(crate) struct Model {
    pub net: Net,
    pub jobs: Vec<Job>,
    /// Today's table, as given (it may break caps and drains; see [`Model::repair`]).
    pub current: Table,
    /// Targets whose harvest menu the deadline left on the coarse grid.
    pub coarse: usize,
    /// Whether the exact stage takes this model ([`Model::exact_sized`],
    /// counted once, when the model is built).
    pub exact: bool,
}

/// One job's allocation: a shape and chunks per host. Only the hosts that hold
/// a chunk are kept (by host index, ascending), so a table costs what it places,
/// not jobs × hosts, and two equal allocations are equal as values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Alloc {
    pub shape: usize,
    placed: Vec<(usize, u64)>,
}

impl Alloc {
    /// No chunk yet.
    pub fn new(shape: usize) -> Alloc {
        Alloc { shape, placed: Vec::new() }
    }

    /// Chunks on host `h`.
    pub fn get(&self, h: usize) -> u64 {
        self.placed.binary_search_by_key(&h, |p| p.0).map_or(0, |i| self.placed[i].1)
    }

    /// Sets the chunks on host `h`.
    pub fn set(&mut self, h: usize, n: u64) {
        match (self.placed.binary_search_by_key(&h, |p| p.0), n) {
            (Ok(i), 0) => _ = self.placed.remove(i),
            (Ok(i), n) => self.placed[i].1 = n,
            (Err(_), 0) => {}
            (Err(i), n) => self.placed.insert(i, (h, n)),
        }
    }

    /// The hosts that hold chunks, with their chunks, by host index.
    pub fn hosts(&self) -> impl DoubleEndedIterator<Item = (usize, u64)> + '_ {
        self.placed.iter().copied()
    }

    pub fn total(&self) -> u64 {
        self.placed.iter().map(|p| p.1).sum()
    }

    /// Chunks that `self` and `other` hold on the same hosts.
    fn common(&self, other: &Alloc) -> u64 {
        let (a, b) = (&self.placed, &other.placed);
        let (mut i, mut k, mut common) = (0, 0, 0);
        while let (Some(x), Some(y)) = (a.get(i), b.get(k)) {
            if x.0 == y.0 {
                common += x.1.min(y.1);
            }
            i += usize::from(x.0 <= y.0);
            k += usize::from(y.0 <= x.0);
        }
        common
    }
}

/// An allocation table: per job, nothing or one allocation.
pub(crate) type Table = Vec<Option<Alloc>>;

/// Builds the model of a valid network. It cannot fail: every input problem was
/// found by `net::validate`. Past `deadline`, each target left gets its harvest
/// menu from the coarse grid ([`game::Harvests::coarse_grid`]): a model at
/// every size limit takes longer than the whole time limit otherwise.
pub(crate) fn build(net: Net, deadline: Option<Instant>) -> Model {
    let open_ram: Ram = net.hosts.iter().filter(|h| !h.drained).map(|h| h.cap).sum();
    let largest = net.hosts.iter().filter(|h| !h.drained).map(|h| h.cap).max().unwrap_or(Ram::ZERO);
    let horizon = net.policy.horizon_s;
    // Pass 1: every target's harvest menu, as if it were prepped, for these hosts.
    let mut hosts: Vec<Ram> = net.hosts.iter().filter(|h| !h.drained).map(|h| h.cap).collect();
    hosts.sort_unstable();
    hosts.dedup();
    let mut late = false;
    let menus: Vec<Menu> = net
        .targets
        .iter()
        .map(|t| {
            late = late || deadline.is_some_and(|d| Instant::now() >= d);
            menu(&net, t, &hosts, !late)
        })
        .collect();
    let coarse = menus.iter().filter(|m| m.coarse).count();
    let phases: Vec<TaskKind> = net.targets.iter().map(|t| game::phase(&net.config, &t.server)).collect();
    // Steady-state income of the targets that can be harvested now, and with each
    // target that still needs prep added: the difference is what prepping it is worth.
    let ready: Vec<usize> = (0..net.targets.len()).filter(|&t| phases[t] == TaskKind::Harvest).collect();
    let curve = |t: usize| {
        let m: &Menu = &menus[t];
        game::income_curve(m.all.iter().map(|o| (o.1, o.2)), m.timing.overlap())
    };
    let pool = game::Pool::new(ready.iter().flat_map(|&t| curve(t)).collect());
    let base = pool.income(open_ram.0 as f64);
    // Each target's task (`net` allows one), found once rather than per target.
    let mut task_of: Vec<Option<usize>> = vec![None; net.targets.len()];
    for (i, t) in net.tasks.iter().enumerate().rev() {
        task_of[t.target] = Some(i);
    }
    let mut jobs = Vec::new();
    for (ti, target) in net.targets.iter().enumerate() {
        let s = target.server;
        let phase = phases[ti];
        let m = &menus[ti];
        let harvest = |h: u64, chunk: Ram, value: f64| harvest_shape(m, h, chunk, value);
        let prep = |kind: TaskKind| {
            let gain = if phase == TaskKind::Harvest { 0.0 } else { pool.with(&curve(ti), open_ram) - base };
            let (round_s, prep_ram) = prep_left(&net, &s, kind);
            let (chunk, work) = match kind {
                TaskKind::Till => (game::TILL_CHUNK, game::till_threads(&net.player, &s)),
                _ => (game::SOW_CHUNK, game::sow_chunks(&net.player, &s)),
            };
            // The income is brought forward by the prep; a longer wait is worth
            // less but never nothing (the BitNode goes on past the horizon).
            let discount = horizon / (horizon + round_s);
            let value =
                if work == 0 { 0.0 } else { gain * discount * chunk.0 as f64 / prep_ram.0.max(1) as f64 };
            let round = game::round_s(&net.player, &s);
            Shape {
                kind,
                hack_threads: None,
                chunk,
                value,
                cap: work,
                start: value * round,
                stop: value * round,
            }
        };
        let mut shapes: Vec<Shape> = match phase {
            TaskKind::Harvest => {
                m.options.iter().filter(|o| o.1 <= largest).map(|&(h, r, v)| harvest(h, r, v)).collect()
            }
            kind => vec![prep(kind)],
        };
        let offered = shapes.len();
        let mut current = None;
        let mut pinned = false;
        let mut lands_s = 0.0;
        let mut whole_stop = 0.0;
        if let Some((task_i, task)) = task_of[ti].map(|i| (i, &net.tasks[i])) {
            lands_s = match task.kind {
                TaskKind::Harvest => m.timing.cycle_s(),
                _ => game::round_s(&net.player, &s),
            };

            let own = match task.kind {
                TaskKind::Harvest => {
                    let h = task.hack_threads.unwrap_or(1);
                    let value = match &target.menu {
                        Some(menu) => menu.iter().find(|o| o.0 == h).map_or(0.0, |o| o.2),
                        None if m.hackable => {
                            // A batch sized at an older level holds fewer grow threads
                            // than it now needs; it earns at most in proportion.
                            let fresh = game::harvest(&net.player, &s, &net.config, h);
                            let fit = (task.chunk.0 as f64 / fresh.batch.ram.0 as f64).min(1.0);
                            fresh.chunk_income_per_s * fit
                        }
                        None => 0.0,
                    };
                    harvest(h, task.chunk, value)
                }
                kind => Shape { chunk: task.chunk, ..prep(kind) },
            };
            let shape = match shapes.iter().position(|o| same_shape(o, &own)) {
                Some(i) => i,
                None => {
                    shapes.push(own);
                    shapes.len() - 1
                }
            };
            // Chunks that leave a cordon when they land are not counted: the
            // plan's own table has none of them, and must price the rest alike.
            let sh = &shapes[shape];
            let stays = |&&(h, _): &&(usize, u64)| !lands_in_time(&net.hosts[h], lands_s);
            let running: u64 = task.placement.iter().filter(stays).map(|p| p.1).sum();
            if sh.kind != TaskKind::Harvest && sh.cap > 0 && running >= sh.cap {
                whole_stop = sh.stop * sh.cap as f64;
            }
            current = Some((task_i, shape));
            pinned = task.pinned;
        }
        let bound: Vec<Shape> = match phase {
            TaskKind::Harvest => {
                m.bound.iter().filter(|o| o.0 <= largest).map(|&(r, v)| harvest(0, r, v)).collect()
            }
            _ => Vec::new(),
        };
        let note = match m.options.iter().map(|o| o.1).min() {
            Some(smallest) if shapes.is_empty() && phase == TaskKind::Harvest => Some(format!(
                "not started: its smallest batch needs {smallest}, more than any host has for tasks (largest: {largest})"
            )),
            _ => None,
        };
        if shapes.is_empty() && current.is_none() && note.is_none() {
            continue;
        }
        let spare_from = shapes.len();
        jobs.push(Job {
            target: ti,
            phase,
            shapes,
            offered,
            spare_from,
            own_on_grid: false,
            bound,
            current,
            pinned,
            lands_s,
            whole_stop,
            note,
        });
    }
    let current = jobs
        .iter()
        .map(|job| {
            job.current.map(|(task, shape)| {
                let mut alloc = Alloc::new(shape);
                for &(h, n) in &net.tasks[task].placement {
                    alloc.set(h, n);
                }
                alloc
            })
        })
        .collect();
    let mut model = Model { net, jobs, current, coarse, exact: false };
    model.exact = model.exact_sized();
    if model.exact {
        for job in model.jobs.iter_mut().filter(|j| j.phase == TaskKind::Harvest) {
            if model.net.targets[job.target].menu.is_none() {
                add_spares(job, &menus[job.target], largest);
            }
        }
    }
    model
}

/// A harvest shape of a target's menu: its overlap as the cap, a batch time
/// of its income lost to a start or a stop.
fn harvest_shape(m: &Menu, h: u64, chunk: Ram, value: f64) -> Shape {
    Shape {
        kind: TaskKind::Harvest,
        hack_threads: Some(h),
        chunk,
        value,
        cap: m.timing.overlap(),
        start: value * m.timing.cycle_s(),
        stop: value * m.timing.cycle_s(),
    }
}

/// The rest of the formulas' grid for the exact stage (a user's menu is
/// offered whole already), only on a model it takes: elsewhere no one reads
/// them, and at 10× the late game they were 100,000 shapes. The offered
/// options come by hack threads, so a binary search finds them; the grid's
/// own are unique, so only today's own shape is left to compare.
fn add_spares(job: &mut Job, m: &Menu, largest: Ram) {
    let shapes = &mut job.shapes;
    for &(h, r, v) in m.all.iter().filter(|o| o.1 <= largest) {
        let spare = harvest_shape(m, h, r, v);
        if shapes[..job.offered].binary_search_by_key(&Some(h), |o| o.hack_threads).is_ok() {
            continue;
        }
        match shapes[job.offered..job.spare_from].iter().any(|o| same_shape(o, &spare)) {
            true => job.own_on_grid = true,
            false => shapes.push(spare),
        }
    }
}

/// The largest model the exact stage takes on, in (offered shape, host) pairs
/// where a chunk fits ([`Model::exact_sized`]): beyond a few hosts its
/// enumeration cannot finish. On 2026-12-04, counting today's shapes too, 30
/// left 5 of the oracle's 3,528 states short of the best and 100 none.
const EXACT_MAX_CELLS: usize = 100;

/// A target's harvest options as if it were prepped.
struct Menu {
    hackable: bool,
    timing: game::Timing,
    /// The grid of options: (hack threads, chunk RAM, dollars per second per
    /// chunk), by hack threads (the formulas' [`game::options`], or the user's).
    all: Vec<(u64, Ram, f64)>,
    /// The options offered to the solver (see [`offered`]).
    options: Vec<(u64, Ram, f64)>,
    /// Options that dominate every batch size, for the bound ([`game::dominating`]).
    bound: Vec<(Ram, f64)>,
    /// Whether the options come from the coarse grid.
    coarse: bool,
}

/// A target's menu, from the fine grid or the coarse one.
fn menu(net: &Net, target: &crate::net::Target, hosts: &[Ram], fine: bool) -> Menu {
    let ideal = target.server.ideal();
    let hackable = net.player.hacking as f64 >= ideal.required_hacking;
    let as_tuple = |o: &game::Harvest| (o.hack_threads, o.batch.ram, o.chunk_income_per_s);
    let (all, options, bound, coarse) = match (&target.menu, hackable) {
        (_, false) => (Vec::new(), Vec::new(), Vec::new(), false),
        (Some(m), true) => (m.clone(), m.clone(), m.iter().map(|o| (o.1, o.2)).collect(), false),
        (None, true) => match game::Harvests::new(&net.player, &ideal, &net.config) {
            None => (Vec::new(), Vec::new(), Vec::new(), false),
            Some(harvests) => {
                let grid = if fine { harvests.grid() } else { harvests.coarse_grid() };
                let options = offered(&harvests, &grid, hosts).iter().map(as_tuple).collect();
                (grid.iter().map(as_tuple).collect(), options, game::dominating(&grid), !fine)
            }
        },
    };
    Menu { hackable, timing: target.timing, all, options, bound, coarse }
}

/// Chunks per host for which [`offered`] keeps the largest batch that fits.
const PER_HOST: u64 = 4;

/// The options offered to the solver: the thinned envelope of income per GB
/// ([`game::thin`]), and, for each size of host, the largest batch of which 1
/// to [`PER_HOST`] fit on it. On small hosts, or with a binding overlap, the
/// best batch is often off the envelope (one 55.75 GB batch per 64 GB host earns
/// more than the envelope's 45.30 GB one); with many batches per host the
/// envelope is all that matters.
fn offered(harvests: &game::Harvests, grid: &[game::Harvest], hosts: &[Ram]) -> Vec<game::Harvest> {
    let mut options = game::thin(grid);
    let Some(&largest) = grid.last() else { return options };
    for &room in hosts {
        for n in 1..=PER_HOST {
            let limit = Ram(room.0 / n);
            // The largest batch of all is in already (the envelope keeps it).
            if limit < largest.batch.ram {
                options.extend(harvests.largest_within(grid, limit));
            }
        }
    }
    options.sort_by_key(|o| o.hack_threads);
    options.dedup_by_key(|o| o.hack_threads);
    options
}

/// Time until a target in prep can be harvested, and all the prep RAM it still
/// needs (till, then sow from its money at minimum security), for the prep rule.
fn prep_left(net: &Net, s: &Server, kind: TaskKind) -> (f64, Ram) {
    let p = &net.player;
    let tilled = Server { security: s.min_security, ..*s };
    let sow = game::SOW_CHUNK * game::sow_chunks(p, &tilled);
    let sow_s = if sow > Ram::ZERO { game::round_s(p, &tilled) } else { 0.0 };
    match kind {
        TaskKind::Till => (game::round_s(p, s) + sow_s, game::TILL_CHUNK * game::till_threads(p, s) + sow),
        _ => (game::round_s(p, s), game::SOW_CHUNK * game::sow_chunks(p, s)),
    }
}

fn same_shape(a: &Shape, b: &Shape) -> bool {
    a.kind == b.kind && a.hack_threads == b.hack_threads && a.chunk == b.chunk
}

impl Job {
    /// Every shape but the spares: what the local search and the bounds see
    /// (the bounds cover the spares through [`Job::bound`]).
    pub fn searched(&self) -> &[Shape] {
        &self.shapes[..self.spare_from]
    }
}

impl Model {
    /// Whether the exact stage takes this model: at most [`EXACT_MAX_CELLS`]
    /// (offered shape, host) pairs where a chunk fits, counted on the free RAM
    /// of the plan (offered: the count must not depend on today's shapes).
    fn exact_sized(&self) -> bool {
        let mut free: Vec<Ram> = self.free_for_plan().into_iter().filter(|&f| f > Ram::ZERO).collect();
        free.sort_unstable();
        let mut cells = 0;
        for job in self.jobs.iter().filter(|j| !j.pinned) {
            for shape in job.shapes[..job.offered].iter().filter(|s| s.value > 0.0 && s.cap > 0) {
                cells += free.len() - free.partition_point(|&f| f < shape.chunk);
                if cells > EXACT_MAX_CELLS {
                    return false;
                }
            }
        }
        true
    }

    /// With nothing running, what a table nets is linear in its chunks: each
    /// costs its start once. This is the model whose values are that net per
    /// chunk (`value − start / horizon`, none below zero) and whose changes
    /// cost nothing, so that a search without change costs on it maximises
    /// the net of a fresh start. `None` when something runs.
    pub fn net_of_starts(&self) -> Option<Model> {
        if self.current.iter().any(Option::is_some) {
            return None;
        }
        let horizon = self.net.policy.horizon_s;
        let mut priced = self.clone();
        for shape in priced.jobs.iter_mut().flat_map(|j| &mut j.shapes) {
            shape.value = (shape.value - shape.start / horizon).max(0.0);
            (shape.start, shape.stop) = (0.0, 0.0);
        }
        Some(priced)
    }

    /// The shape of a job's allocation.
    pub fn shape(&self, job: usize, alloc: &Alloc) -> &Shape {
        &self.jobs[job].shapes[alloc.shape]
    }

    /// Gross value in dollars per second: harvest income plus till/sow value.
    pub fn value(&self, table: &Table) -> f64 {
        self.sum(table, |_| true)
    }

    /// Harvest income in dollars per second.
    pub fn income(&self, table: &Table) -> f64 {
        self.sum(table, |s| s.kind == TaskKind::Harvest)
    }

    fn sum(&self, table: &Table, keep: impl Fn(&Shape) -> bool) -> f64 {
        let kept =
            table.iter().enumerate().filter(|(j, a)| a.as_ref().is_some_and(|a| keep(self.shape(*j, a))));
        kept.map(|(j, a)| self.job_value(j, a.as_ref())).fold(0.0, |a, b| a + b)
    }

    /// The one-off cost in dollars of turning today's table into `table`.
    pub fn cost(&self, table: &Table) -> f64 {
        table.iter().enumerate().map(|(j, new)| self.job_cost(j, new.as_ref())).sum()
    }

    /// The one-off cost in dollars of giving job `j` the allocation `new`: a start
    /// for each chunk it adds, a stop for each of today's it loses. A chunk kept
    /// is one on the same host in the same shape. Chunks that leave a cordoned
    /// host when their work lands lose nothing, nor do chunks above the cap,
    /// which earn nothing: the chunks lost are counted after both, in a resize
    /// as in a shrink, so that no route through another table costs less than
    /// going straight (the triangle inequality that rule 6 rests on).
    pub fn job_cost(&self, j: usize, new: Option<&Alloc>) -> f64 {
        let kept = self.kept(j, new);
        let start = new.map_or(0.0, |n| self.shape(j, n).start * (n.total() - kept) as f64);
        let lost = self.beyond_free(j, kept).max(0) as u64;
        let stop = match (self.current[j].as_ref(), self.jobs[j].whole_stop) {
            (None, _) => 0.0,
            (Some(_), whole) if whole > 0.0 => {
                if lost > 0 {
                    whole
                } else {
                    0.0
                }
            }
            (Some(o), _) => self.shape(j, o).stop * lost as f64,
        };
        start + stop
    }

    /// Today's chunks of job `j` that `new` keeps: on the same hosts, in the same shape.
    fn kept(&self, j: usize, new: Option<&Alloc>) -> u64 {
        match (self.current[j].as_ref(), new) {
            (Some(o), Some(n)) if o.shape == n.shape => o.common(n),
            _ => 0,
        }
    }

    /// Today's chunks of job `j` that `new` stops, less those free to go
    /// ([`Model::free_losses`]); negative while some of those are left.
    pub fn stopped(&self, j: usize, new: Option<&Alloc>) -> i64 {
        self.beyond_free(j, self.kept(j, new))
    }

    /// [`Model::stopped`] when `kept` of today's chunks stay.
    fn beyond_free(&self, j: usize, kept: u64) -> i64 {
        self.current[j].as_ref().map_or(0, |o| (o.total() - kept) as i64 - self.free_losses(j) as i64)
    }

    /// How many of today's chunks of job `j` may go at no cost: those that
    /// leave a cordoned host when their work lands, and those above the cap.
    pub fn free_losses(&self, j: usize) -> u64 {
        self.current[j].as_ref().map_or(0, |o| {
            let landed: u64 = o.hosts().filter(|&(h, _)| self.leaves_when_landed(j, h)).map(|p| p.1).sum();
            landed + o.total().saturating_sub(self.shape(j, o).cap)
        })
    }

    /// Whether job `j`'s chunks on host `h` leave it when their work lands
    /// (a cordon whose deadline they meet) rather than now.
    pub fn leaves_when_landed(&self, j: usize, h: usize) -> bool {
        self.jobs[j].current.is_some() && lands_in_time(&self.net.hosts[h], self.jobs[j].lands_s)
    }

    /// Whether today's task of job `j` has chunks that leave a host when their
    /// work lands: then it cannot be relaunched (a resize stops every batch it
    /// runs), only wound down while a new task takes its place.
    pub fn winds_down(&self, j: usize) -> bool {
        self.current[j].as_ref().is_some_and(|o| o.hosts().any(|(h, _)| self.leaves_when_landed(j, h)))
    }

    /// What job `j`'s allocation `alloc` earns, in dollars per second.
    pub fn job_value(&self, j: usize, alloc: Option<&Alloc>) -> f64 {
        alloc.map_or(0.0, |a| self.shape(j, a).value * a.total().min(self.shape(j, a).cap) as f64)
    }

    /// The score: value minus the change's cost spread over the horizon.
    pub fn net_value(&self, table: &Table) -> f64 {
        self.value(table) - self.cost(table) / self.net.policy.horizon_s
    }

    /// RAM each host has for jobs that are not pinned.
    pub fn free_for_plan(&self) -> Vec<Ram> {
        let mut free: Vec<Ram> =
            self.net.hosts.iter().map(|h| if h.drained { Ram::ZERO } else { h.cap }).collect();
        for job in self.jobs.iter().filter(|j| j.pinned) {
            let (task, _) = job.current.expect("a pinned job has a task");
            for &(h, n) in &self.net.tasks[task].placement {
                free[h] = free[h].saturating_sub(self.net.tasks[task].chunk * n);
            }
        }
        free
    }

    /// RAM each host has left of `free` (see [`Model::free_for_plan`]) after the
    /// jobs of `table` that are not pinned.
    pub fn room(&self, free: &[Ram], table: &Table) -> Vec<Ram> {
        let mut room = free.to_vec();
        for (j, a) in table.iter().enumerate() {
            if let Some(a) = a.as_ref().filter(|_| !self.jobs[j].pinned) {
                let chunk = self.shape(j, a).chunk;
                for (h, n) in a.hosts() {
                    room[h] = room[h].saturating_sub(chunk * n);
                }
            }
        }
        room
    }

    /// Why `table` breaks a rule, if it does: capacity, caps, drains or pins.
    pub fn violation(&self, table: &Table) -> Option<String> {
        let mut used = vec![Ram::ZERO; self.net.hosts.len()];
        let current = &self.current;
        for (j, alloc) in table.iter().enumerate() {
            let job = &self.jobs[j];
            if job.pinned && *alloc != current[j] {
                return Some(format!("pinned job {} changed", self.net.targets[job.target].name));
            }
            let Some(a) = alloc else { continue };
            let s = self.shape(j, a);
            if a.total() > s.cap && !job.pinned {
                return Some(format!(
                    "{} holds {} chunks above its cap {}",
                    self.net.targets[job.target].name,
                    a.total(),
                    s.cap
                ));
            }
            if a.total() == 0 {
                return Some(format!("{} holds an empty allocation", self.net.targets[job.target].name));
            }
            for (h, n) in a.hosts() {
                if self.net.hosts[h].drained {
                    return Some(format!(
                        "{} holds chunks on drained {}",
                        self.net.targets[job.target].name, self.net.hosts[h].name
                    ));
                }
                used[h] += s.chunk * n;
            }
        }
        self.net
            .hosts
            .iter()
            .zip(&used)
            .find(|(h, u)| **u > h.cap)
            .map(|(h, u)| format!("{} holds {u}, above its {}", h.name, h.cap))
    }

    /// Today's table made valid with the least change: chunks above a cap are
    /// dropped, and chunks on drained hosts move to free room or, when there is
    /// none, are dropped, least valuable first.
    pub fn repair(&self) -> Table {
        let mut table = self.current.clone();
        let mut free = self.room(&self.free_for_plan(), &table);
        // Evicted chunks, most valuable per GB first, find room elsewhere.
        let mut order: Vec<usize> =
            (0..table.len()).filter(|&j| table[j].is_some() && !self.jobs[j].pinned).collect();
        order.sort_by(|&a, &b| {
            let da = density(self.shape(a, table[a].as_ref().unwrap()));
            let db = density(self.shape(b, table[b].as_ref().unwrap()));
            db.total_cmp(&da).then(a.cmp(&b))
        });
        for j in order {
            let alloc = table[j].as_mut().unwrap();
            let s = &self.jobs[j].shapes[alloc.shape];
            // Trim above the cap, taking from drained hosts first.
            let mut excess = alloc.total().saturating_sub(s.cap);
            let hosts: Vec<usize> = alloc.hosts().rev().map(|p| p.0).collect();
            for &h in hosts.iter().filter(|&&h| self.net.hosts[h].drained).chain(hosts.iter()) {
                let cut = excess.min(alloc.get(h));
                alloc.set(h, alloc.get(h) - cut);
                excess -= cut;
            }
            let evicted: Vec<usize> =
                alloc.hosts().map(|p| p.0).filter(|&h| self.net.hosts[h].drained).collect();
            for h in evicted {
                let mut moving = alloc.get(h);
                alloc.set(h, 0);
                for (to, room) in free.iter_mut().enumerate() {
                    let n = room.fits(s.chunk).min(moving);
                    if n > 0 {
                        *room -= s.chunk * n;
                        alloc.set(to, alloc.get(to) + n);
                        moving -= n;
                    }
                }
            }
            if alloc.total() == 0 {
                table[j] = None;
            }
        }
        table
    }
}

/// Whether work that lands within `lands_s` leaves `host` when it lands: the
/// host is cordoned with a deadline it meets.
fn lands_in_time(host: &crate::net::Host, lands_s: f64) -> bool {
    host.cordon.is_some_and(|deadline| lands_s <= deadline)
}

/// Dollars per second per hundredth of a GB.
pub(crate) fn density(s: &Shape) -> f64 {
    s.value / s.chunk.0.max(1) as f64
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::state::{Host, Player, State, Target, Task};

    /// foodnstuff at 10 security above its minimum, tilled by `chunks` weaken
    /// threads on each of two hosts, and the model of it.
    fn tilled(chunks: u64) -> Model {
        let mut state = State::new(Player::new(100));
        state.hosts = vec![Host::new("a", 1024.0), Host::new("b", 1024.0)];
        state.targets = vec![Target { security: Some(13.0), ..Target::new("foodnstuff", 1, 3.0, 5e7, 5.0) }];
        let placement = BTreeMap::from([("a".to_string(), chunks), ("b".to_string(), chunks)]);
        state.tasks = vec![Task::new(TaskKind::Till, "foodnstuff", placement)];
        build(crate::net::validate(&state).unwrap(), None)
    }

    /// Today's till with `left` of its chunks on host 0 and all on host 1.
    fn cost_with(model: &Model, left: u64) -> f64 {
        let mut alloc = model.current[0].clone().unwrap();
        alloc.set(0, left);
        model.job_cost(0, Some(&alloc))
    }

    /// Past its deadline the model takes the coarse grid for every target
    /// that has a grid (not one with the user's menu, nor one beyond the
    /// player's level), with fewer options and the same kinds of job.
    #[test]
    fn past_the_deadline_every_grid_is_coarse() {
        let mut state = State::new(Player::new(100));
        state.hosts = vec![Host::new("a", 1024.0)];
        let menu = crate::state::MenuOption { hack_threads: 1, chunk_ram: 10.0, chunk_income_per_s: 5.0 };
        state.targets = vec![
            Target::new("foodnstuff", 1, 3.0, 5e7, 5.0),
            Target::new("joesguns", 10, 5.0, 6.25e7, 20.0),
            Target { menu: Some(vec![menu]), ..Target::new("n00dles", 1, 1.0, 1.75e6, 3000.0) },
            Target::new("the-hub", 300, 13.0, 4.375e9, 50.0),
        ];
        let net = crate::net::validate(&state).unwrap();
        let (fine, coarse) = (build(net.clone(), None), build(net, Some(Instant::now())));
        assert_eq!((fine.coarse, coarse.coarse), (0, 2));
        assert_eq!(fine.jobs.len(), coarse.jobs.len());
        for (f, c) in fine.jobs.iter().zip(&coarse.jobs).take(2) {
            assert!(c.bound.len() < f.bound.len(), "{} against {}", c.bound.len(), f.bound.len());
        }
    }

    #[test]
    fn one_chunk_of_a_till_that_ends_this_round_costs_its_whole_round_to_stop() {
        let work = tilled(1).jobs[0].shapes[0].cap;
        let full = tilled(work.div_ceil(2));
        let whole = full.jobs[0].whole_stop;
        assert!(whole > 0.0, "{work} threads of work, {} held", full.current[0].as_ref().unwrap().total());
        let held = full.current[0].as_ref().unwrap().get(0);
        assert_eq!(cost_with(&full, held - 1), whole, "one chunk stopped");
        assert_eq!(cost_with(&full, 0), whole, "a host's chunks stopped");
        assert_eq!(full.job_cost(0, None), whole, "all stopped");
        // A till that needs more rounds anyway loses in proportion.
        let part = tilled(work / 4);
        assert_eq!(part.jobs[0].whole_stop, 0.0);
        let one = cost_with(&part, work / 4 - 1);
        assert!(one > 0.0 && (cost_with(&part, 0) - one * (work / 4) as f64).abs() < 1e-6 * one);
    }
}
