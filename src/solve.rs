//! Finds a good table for a model.
//!
//! The exact per-host integer program is far too slow at real sizes (see
//! `docs/solvers.md` of the design notes), so the cycle is searched:
//!
//! 1. **Today's table**, with only the changes that drains and caps force
//!    ([`baseline`]), improved by local search ([`climb`]: insert chunks with
//!    eviction and relocation, reshape a job to a neighbouring batch size, while
//!    the score rises).
//! 2. **A table from scratch** ([`scratch`]): each job's shape from the one-pool
//!    relaxation (its income curve, [`game::best_income`]), a greedy fill, and the
//!    same local search, all **without change costs**, so it is the same table
//!    whatever runs today.
//! 3. For tiny models, an **exact** search over every batch size of the grid
//!    (depth-first branch and bound over each job's shape and chunks per host,
//!    stopped by a count of placements), also without change costs.
//!    On a fresh start (nothing runs) stages 2 and 3 also run on each chunk's
//!    value net of its start cost ([`Model::net_of_starts`]): the net is then
//!    linear in the chunks, so those tables aim at the net itself, where the
//!    others trade an income that starts late for one that costs less to start.
//! 4. The best of these (today's table on a tie) is climbed once more with
//!    change costs.
//!
//! **Planning the planned table finds it again** (rule 6), by construction: the
//! cost of a change obeys the triangle inequality, so from the planned table P
//! every move and every table scores no better than it did from today's table;
//! P is a local optimum of the search from today's point of view, hence from
//! its own; and the tables from scratch and of the exact stage are the same
//! tables from either point of view, already beaten by P (those of a fresh
//! start are not made at all once P runs). Every stage is
//! bounded by work, not time: `policy.time_limit_ms` is only a guard, and a
//! solve it cuts says so.
//!
//! The bound is the smaller of two Lagrangian relaxations over **every** batch
//! size of the formulas' menu, offered or not: of the host capacities
//! ([`lagrangian_bound`]), and, on small models, of the jobs' caps with an exact
//! knapsack per small host and a branch on each job's shape ([`packing_bound`]).

use std::collections::HashMap;

use crate::game;
use crate::model::{density, Alloc, Model, Shape, Table};
use crate::{Instant, Ram};

/// How the solve went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    /// Every stage ran to its end.
    Complete,
    /// A stage ran out of time; the best table found so far was kept.
    TimeLimit,
    /// A stage failed; the best table found so far was kept.
    Error(String),
}

/// A solve's answer.
#[derive(Clone, Debug)]
pub(crate) struct Outcome {
    pub table: Table,
    /// Today's table with only the changes that drains and caps force.
    pub baseline: Table,
    /// An upper bound on [`Model::value`] of every valid table.
    pub bound: f64,
    pub status: Status,
}

/// The deadline, and how the solve went so far.
struct Guard {
    deadline: Instant,
    status: Status,
}

impl Guard {
    /// Whether the deadline has passed (noting it once).
    fn out_of_time(&mut self) -> bool {
        let out = Instant::now() >= self.deadline;
        if out && self.status == Status::Complete {
            self.status = Status::TimeLimit;
        }
        out
    }
}

/// Solves the model; `deadline` only guards against a solve that runs too long.
/// A stage that would start after it is skipped (the bound then is
/// [`quick_bound`]).
pub(crate) fn solve(model: &Model, deadline: Instant) -> Outcome {
    let free = model.free_for_plan();
    let mut guard = Guard { deadline, status: Status::Complete };
    let baseline = baseline(model, &free);
    let today = Some(&model.current);
    let (climbed, settled) = climb(model, &free, baseline.clone(), today, &mut guard);
    let mut candidates = vec![baseline.clone(), climbed];
    if !guard.out_of_time() {
        candidates.extend(from_scratch(model, &free, &mut guard));
    }
    // With nothing running, the same on the net of each start.
    if let Some(priced) = model.net_of_starts().filter(|_| !guard.out_of_time()) {
        candidates.extend(from_scratch(&priced, &free, &mut guard));
    }
    let best = best_of(model, &candidates);
    // When today's table or its climb wins and that climb settled, climbing
    // again from today's point of view would only repeat it.
    let table = if settled && best <= 1 {
        candidates.swap_remove(1)
    } else {
        climb(model, &free, candidates.swap_remove(best), today, &mut guard).0
    };
    let bound = bound(model, &free, &table, &mut guard);
    Outcome { table, baseline, bound, status: guard.status }
}

/// The table from scratch and, on a tiny model, the exact stage's.
fn from_scratch(model: &Model, free: &[Ram], guard: &mut Guard) -> Vec<Table> {
    let fresh = scratch(model, free, guard);
    let exact = exact(model, free, &fresh);
    std::iter::once(fresh).chain(exact).collect()
}

/// An upper bound on [`Model::value`] of any valid table; `table` (a good one)
/// sets the step size. Two relaxations see different things, so the smaller
/// bound is taken; the second, dearer one only runs when the first leaves more
/// than [`BOUND_SLACK`] between `table` and the bound. Out of time, it is
/// [`quick_bound`].
fn bound(model: &Model, free: &[Ram], table: &Table, guard: &mut Guard) -> f64 {
    let pinned_value = model.value(&pinned_only(model, &model.current));
    if guard.out_of_time() {
        return pinned_value + quick_bound(model, free);
    }
    let classes = host_classes(free);
    let known = model.value(table) - pinned_value;
    // Every shape a job may run: those offered, and every other batch size of
    // the formulas' menu, so that the bound holds for all of them.
    let largest = classes.last().map_or(Ram::ZERO, |c| c.0);
    let fits = |s: &Shape| s.value > 0.0 && s.chunk > Ram::ZERO && s.chunk <= largest;
    let mut shapes: Vec<(usize, &Shape)> =
        Vec::with_capacity(model.jobs.iter().map(|j| j.shapes.len() + j.bound.len()).sum());
    for (j, job) in model.jobs.iter().enumerate().filter(|(_, j)| !j.pinned) {
        shapes.extend(job.searched().iter().chain(&job.bound).filter(|s| fits(s)).map(|s| (j, s)));
    }
    let jobs = model.jobs.len();
    let mut bound = lagrangian_bound(jobs, &shapes, &classes, known, guard);
    if bound > known * (1.0 + BOUND_SLACK) && shapes.len() <= PACKING_SHAPES {
        bound = bound.min(packing_bound(jobs, &shapes, &classes, known, guard));
    }
    pinned_value + bound
}

/// The bound of a solve out of time, one look at each shape: a job with `r`
/// RAM earns at most its best income per GB times `r`, and at most what its
/// best shape earns with all the free RAM to itself; the fractional knapsack
/// of these pieces (densest first) bounds the one-pool relaxation, hence every
/// table.
fn quick_bound(model: &Model, free: &[Ram]) -> f64 {
    let total: Ram = free.iter().copied().sum();
    let mut pieces: Vec<(f64, f64)> = Vec::with_capacity(model.jobs.len()); // (density, most)
    for job in model.jobs.iter().filter(|j| !j.pinned) {
        let (mut densest, mut most) = (0.0_f64, 0.0_f64);
        for s in job.searched().iter().chain(&job.bound).filter(|s| s.value > 0.0) {
            densest = densest.max(density(s));
            most = most.max(s.value * total.fits(s.chunk).min(s.cap) as f64);
        }
        if most > 0.0 {
            pieces.push((densest, most));
        }
    }
    pieces.sort_by(|a, b| b.0.total_cmp(&a.0));
    let (mut left, mut bound) = (total.0 as f64, 0.0);
    for (densest, most) in pieces {
        let take = left.min(most / densest);
        bound += densest * take;
        left -= take;
        if left <= 0.0 {
            break;
        }
    }
    bound
}

/// The most shapes [`packing_bound`] takes on; above, its knapsacks cost more
/// than they tighten.
const PACKING_SHAPES: usize = 256;

/// The work [`lagrangian_bound`] may do, in (shape, host class) evaluations:
/// every step evaluates them all, so a model with many shapes takes fewer steps
/// (every step's bound is valid; more steps only tighten it).
const LAGRANGIAN_WORK: usize = 1_000_000;

/// A gap between a table and its bound that is not worth more work to close.
const BOUND_SLACK: f64 = 1e-3;

/// Today's table with only the changes that drains and caps force, made as cheaply
/// as possible: chunks above a cap are dropped; chunks on drained hosts move to
/// free room ([`Model::repair`]) or, when there is none, displace less valuable
/// work elsewhere when that pays; what cannot be re-homed is dropped.
fn baseline(model: &Model, free: &[Ram]) -> Table {
    let mut table = model.repair();
    let mut search = Search::new(model, Some(&model.current), free, &table);
    let mut lost: Vec<(usize, usize, u64)> = Vec::new(); // (job, shape, chunks to re-home)
    for (j, today) in model.current.iter().enumerate() {
        let Some(today) = today.as_ref().filter(|_| !model.jobs[j].pinned) else { continue };
        let kept = table[j].as_ref().map_or(0, Alloc::total);
        let wanted = today.total().min(model.shape(j, today).cap);
        if kept < wanted {
            lost.push((j, today.shape, wanted - kept));
        }
    }
    lost.sort_by(|a, b| {
        density(&model.jobs[b.0].shapes[b.1]).total_cmp(&density(&model.jobs[a.0].shapes[a.1]))
    });
    for (j, s, mut n) in lost {
        for h in 0..free.len() {
            while n > 0 {
                let before = table[j].as_ref().map_or(0, Alloc::total);
                if !search.insert(&mut table, j, s, h, n) {
                    break;
                }
                n -= table[j].as_ref().map_or(0, Alloc::total) - before;
            }
        }
    }
    table
}

/// The index of the best-scoring table; the first wins a tie, so today's table
/// (always first) is kept unless something beats it.
fn best_of(model: &Model, candidates: &[Table]) -> usize {
    let mut best = 0;
    for (i, t) in candidates.iter().enumerate() {
        // A solver answer rounded into an invalid table is ignored, never trusted.
        if model.violation(t).is_none() && model.net_value(t) > model.net_value(&candidates[best]) + 1e-9 {
            best = i;
        }
    }
    best
}

/// The most placements the exact stage enumerates: its answer then depends on
/// the model alone, not on the clock. Tiny models finish far inside it, and
/// then the answer is the optimum over every batch size of the grid.
const EXACT_NODES: u64 = 10_000;

/// For tiny models only: the best table over every shape, spares included
/// (every batch size of the grid), by depth-first branch and bound over each
/// job's shape and its chunks per host, **without change costs** like
/// [`scratch`], so that its answer (cut by a count of placements, so no
/// optimum of anything else) is the same whatever runs today. It starts from
/// `start`'s value and says `None` when nothing beats that or the model is too
/// large for it ([`Model::exact`]).
fn exact(model: &Model, free: &[Ram], start: &Table) -> Option<Table> {
    if !model.exact {
        return None;
    }
    let largest = free.iter().copied().max().unwrap_or(Ram::ZERO);
    let mut jobs: Vec<Choice> = Vec::new();
    for (j, job) in model.jobs.iter().enumerate().filter(|(_, j)| !j.pinned) {
        // The offered shapes and the grid's, never a shape only today runs.
        let today_only = (job.spare_from > job.offered && !job.own_on_grid).then_some(job.offered);
        let mut shapes: Vec<usize> = (0..job.shapes.len())
            .filter(|&s| Some(s) != today_only)
            .filter(|&s| job.shapes[s].value > 0.0 && job.shapes[s].cap > 0 && job.shapes[s].chunk <= largest)
            .collect();
        shapes.sort_by(|&a, &b| job.shapes[b].value.total_cmp(&job.shapes[a].value).then(a.cmp(&b)));
        let most = shapes.iter().map(|&s| job.shapes[s].value * job.shapes[s].cap as f64).fold(0.0, f64::max);
        let densest = shapes.iter().map(|&s| density(&job.shapes[s])).fold(0.0, f64::max);
        if !shapes.is_empty() {
            jobs.push(Choice { job: j, shapes, most, densest });
        }
    }
    // Densest first: the bound of what is left falls fastest.
    jobs.sort_by(|a, b| b.densest.total_cmp(&a.densest).then(a.job.cmp(&b.job)));
    let pinned = pinned_only(model, start);
    let mut b = Branch {
        model,
        jobs: &jobs,
        room: free.to_vec(),
        counts: vec![vec![0; free.len()]; jobs.len()],
        best: None,
        best_value: model.value(start) - model.value(&pinned),
        table: pinned,
        nodes: 0,
    };
    b.job(0, 0.0);
    b.best
}

/// A job the exact stage places: its shapes, most valuable chunk first, the
/// most it can earn and its best income per unit of RAM.
struct Choice {
    job: usize,
    shapes: Vec<usize>,
    most: f64,
    densest: f64,
}

/// The exact stage's depth-first search: the table so far, the room it
/// leaves, and the best table found.
struct Branch<'a> {
    model: &'a Model,
    jobs: &'a [Choice],
    room: Vec<Ram>,
    /// Chunks per host of each job being placed.
    counts: Vec<Vec<u64>>,
    table: Table,
    best: Option<Table>,
    best_value: f64,
    nodes: u64,
}

impl Branch<'_> {
    /// Whether the jobs from `i` on, with the room left, could lift `value`
    /// above the best, job `i` having earned `placed` of it already: each job
    /// earns at most its densest income per unit of RAM, and at most its most,
    /// so the fractional knapsack of those pieces (already densest first)
    /// bounds them.
    fn promising(&self, i: usize, value: f64, placed: f64) -> bool {
        let mut room = self.room.iter().map(|r| r.0).sum::<u64>() as f64;
        let mut most = value;
        for (k, job) in self.jobs.iter().enumerate().skip(i) {
            let earns = if k == i { job.most - placed } else { job.most };
            let take = room.min(earns / job.densest);
            most += job.densest * take;
            room -= take;
            if room <= 0.0 {
                break;
            }
        }
        most > self.best_value * (1.0 + 1e-12) + 1e-9
    }

    /// Places the jobs from `i` on, the table so far worth `value`.
    fn job(&mut self, i: usize, value: f64) {
        if value > self.best_value * (1.0 + 1e-12) + 1e-9 {
            (self.best_value, self.best) = (value, Some(self.table.clone()));
        }
        if i == self.jobs.len() || self.nodes >= EXACT_NODES || !self.promising(i, value, 0.0) {
            return;
        }
        for k in 0..self.jobs[i].shapes.len() {
            let s = self.jobs[i].shapes[k];
            let cap = self.model.jobs[self.jobs[i].job].shapes[s].cap;
            self.host(i, s, 0, cap, value, 0.0);
        }
        self.job(i + 1, value);
    }

    /// Places chunks of job `i` in shape `s` on the hosts from `h` on, at most
    /// `left` more, then the jobs after it.
    fn host(&mut self, i: usize, s: usize, h: usize, left: u64, value: f64, placed: f64) {
        let (j, shape) = (self.jobs[i].job, &self.model.jobs[self.jobs[i].job].shapes[s]);
        // A host without room for a chunk is no choice, and no placement: a
        // host too small for any chunk leaves the search as it was.
        let h = (h..self.room.len()).find(|&x| self.room[x] >= shape.chunk).unwrap_or(self.room.len());
        self.nodes += 1;
        if self.nodes >= EXACT_NODES {
            return;
        }
        if h == self.room.len() || left == 0 {
            if self.counts[i].iter().any(|&n| n > 0) {
                let mut alloc = Alloc::new(s);
                self.counts[i].iter().enumerate().for_each(|(h, &n)| alloc.set(h, n));
                self.table[j] = Some(alloc);
                self.job(i + 1, value);
                self.table[j] = None;
            }
            return;
        }
        let (chunk, worth) = (shape.chunk, shape.value);
        for n in (0..=self.room[h].fits(chunk).min(left)).rev() {
            self.counts[i][h] = n;
            self.room[h] -= chunk * n;
            let more = worth * n as f64;
            if n == 0 || self.promising(i, value + more, placed + more) {
                self.host(i, s, h + 1, left - n, value + more, placed + more);
            }
            self.room[h] += chunk * n;
        }
        self.counts[i][h] = 0;
    }
}

/// The pinned jobs' allocations alone.
fn pinned_only(model: &Model, table: &Table) -> Table {
    table.iter().zip(&model.jobs).map(|(a, j)| if j.pinned { a.clone() } else { None }).collect()
}

/// An upper bound on the value of `jobs` jobs with the open `shapes` (each with
/// its job) on hosts of the given `classes`, by Lagrangian relaxation of the host
/// capacities. For prices `λ ≥ 0` per unit of RAM on each
/// class of hosts with equal free RAM, every job chooses its best shape and hosts
/// alone (exactly: one shape, whole chunks, at most its cap), so
/// `L(λ) = Σ λ·free + Σ_jobs best(λ)` bounds every table; subgradient steps lower it.
/// `known` is the value of a table already found, which steers the step size.
fn lagrangian_bound(
    jobs: usize,
    shapes: &[(usize, &Shape)],
    classes: &[(Ram, u64)],
    known: f64,
    guard: &mut Guard,
) -> f64 {
    let capacity: Vec<f64> = classes.iter().map(|c| c.0 .0 as f64 * c.1 as f64).collect();
    // Start from one price for all RAM: the marginal density of the one-pool
    // relaxation (every job's income curve, densest pieces first, until the RAM
    // runs out), where that relaxation's own bound is found.
    let mut pieces: Vec<game::Step> = Vec::new();
    // `shapes` come job by job; a job's curve is over its shapes of one kind and cap.
    for of_job in shapes.chunk_by(|a, b| a.0 == b.0) {
        let mut kinds: Vec<(crate::state::TaskKind, u64)> = Vec::new();
        for &(_, s) in of_job {
            if !kinds.contains(&(s.kind, s.cap)) {
                kinds.push((s.kind, s.cap));
            }
        }
        for (kind, cap) in kinds {
            let of = of_job.iter().filter(|(_, s)| s.kind == kind && s.cap == cap);
            pieces.extend(game::income_curve(of.map(|(_, s)| (s.chunk, s.value)), cap));
        }
    }
    pieces.sort_by(|a, b| (b.income / b.ram).total_cmp(&(a.income / a.ram)));
    // That relaxation's value bounds every table too: it is all the bound left
    // when the guard stops the descent before its first step.
    let (mut left, mut marginal, mut one_pool): (f64, f64, f64) = (capacity.iter().sum(), 0.0, 0.0);
    for p in &pieces {
        if left <= 0.0 {
            break;
        }
        marginal = p.income / p.ram;
        one_pool += p.income * (left / p.ram).min(1.0);
        left -= p.ram;
    }
    if left > 0.0 {
        marginal = 0.0;
    }
    let mut price: Vec<f64> = vec![marginal; classes.len()];
    let mut descent = Descent::new(known);
    let steps = (LAGRANGIAN_WORK / (shapes.len() * classes.len()).max(1)).clamp(3, 200);
    for _ in 0..steps {
        if guard.out_of_time() {
            break;
        }
        let mut order: Vec<usize> = (0..classes.len()).collect();
        order.sort_by(|&a, &b| price[a].total_cmp(&price[b]).then(a.cmp(&b)));
        let mut bound: f64 = price.iter().zip(&capacity).map(|(p, c)| p * c).sum();
        let mut job_best: Vec<(f64, Option<&Shape>)> = vec![(0.0, None); jobs];
        for &(j, shape) in shapes {
            let total = best_use(shape, classes, &order, &price, |_, _| {});
            if total > job_best[j].0 {
                job_best[j] = (total, Some(shape));
            }
        }
        let mut used = vec![0.0; classes.len()];
        for &(total, shape) in &job_best {
            bound += total;
            if let Some(shape) = shape {
                let chunk = shape.chunk.0 as f64;
                best_use(shape, classes, &order, &price, |c, n| used[c] += n as f64 * chunk);
            }
        }
        descent.record(bound);
        // The subgradient: each class's capacity minus its use.
        let slack: Vec<f64> = capacity.iter().zip(&used).map(|(c, u)| c - u).collect();
        if !descent.step(&mut price, &slack, bound) {
            break;
        }
    }
    descent.best.min(one_pool)
}

/// What `shape` earns at these class prices in [`lagrangian_bound`]'s
/// relaxation, telling `take` how many chunks it puts in each class. Its profit
/// per chunk falls as a class's price rises, so it takes the classes in `order`
/// (cheapest first) while they pay, as many chunks as fit, up to its cap.
fn best_use(
    shape: &Shape,
    classes: &[(Ram, u64)],
    order: &[usize],
    price: &[f64],
    mut take: impl FnMut(usize, u64),
) -> f64 {
    let chunk = shape.chunk.0 as f64;
    let (mut left, mut total) = (shape.cap, 0.0);
    for &c in order {
        let profit = shape.value - price[c] * chunk;
        if profit <= 0.0 || left == 0 {
            break;
        }
        let n = (classes[c].0.fits(shape.chunk) * classes[c].1).min(left);
        total += profit * n as f64;
        left -= n;
        take(c, n);
    }
    total
}

/// Subgradient descent on Lagrangian prices, for both bounds: it keeps the best
/// bound seen, halves its step after ten steps without a better one, and steps
/// towards `known`, the value of a table already found (Polyak's step).
struct Descent {
    best: f64,
    theta: f64,
    stale: u32,
    known: f64,
}

impl Descent {
    fn new(known: f64) -> Descent {
        Descent { best: f64::INFINITY, theta: 1.0, stale: 0, known }
    }

    /// Takes the bound at the current prices; says whether it is the best yet.
    fn record(&mut self, bound: f64) -> bool {
        if bound < self.best * (1.0 - 1e-6) {
            (self.best, self.stale) = (bound, 0);
            return true;
        }
        self.stale += 1;
        if self.stale >= 10 {
            (self.theta, self.stale) = (self.theta / 2.0, 0);
        }
        false
    }

    /// Moves `price` against `slack`, each priced row's room left at these prices
    /// (a price at 0 with room left cannot fall); says whether a step could still
    /// lower the bound.
    fn step(&self, price: &mut [f64], slack: &[f64], bound: f64) -> bool {
        let moving = |p: f64, g: f64| if p <= 0.0 && g > 0.0 { 0.0 } else { g };
        let norm: f64 = price.iter().zip(slack).map(|(&p, &g)| moving(p, g).powi(2)).sum();
        if norm == 0.0 || self.best <= self.known * (1.0 + 1e-9) {
            return false;
        }
        let step = self.theta * (bound - self.known).max(1e-12 * bound.abs()) / norm;
        for (p, g) in price.iter_mut().zip(slack) {
            *p = (*p - step * g).max(0.0);
        }
        true
    }
}

/// Hosts grouped by equal free RAM (hosts with no room left out), smallest first:
/// the bounds treat the hosts of one class alike.
fn host_classes(free: &[Ram]) -> Vec<(Ram, u64)> {
    let mut sorted: Vec<Ram> = free.iter().copied().filter(|f| *f > Ram::ZERO).collect();
    sorted.sort_unstable();
    sorted.chunk_by(|a, b| a == b).map(|c| (c[0], c.len() as u64)).collect()
}

/// How many chunks of `chunk` fit on the hosts of `classes`, each host alone.
fn fits_on(classes: &[(Ram, u64)], chunk: Ram) -> u64 {
    classes.iter().map(|&(f, n)| f.fits(chunk).saturating_mul(n)).fold(0, u64::saturating_add)
}

/// The largest host, in units of the chunks' greatest common divisor, whose
/// knapsack [`packing_bound`] solves exactly; larger hosts get the fractional
/// knapsack, which is nearly exact once a host holds many chunks.
const KNAPSACK_UNITS: u64 = 4096;

/// The work [`packing_bound`] may do, in knapsack steps (one shape tried at one
/// size): about 10 ms. A budget of work, not time, keeps the bound the same from
/// run to run.
const PACKING_WORK: u64 = 10_000_000;

/// An upper bound like [`lagrangian_bound`]'s that sees what that one cannot:
/// RAM left over on a small host when batches do not divide it.
///
/// The relaxation: each host packs its own RAM alone, whole chunks on a small
/// host (an exact knapsack), a fraction on a large one. A job's chunks over all
/// hosts and shapes fill at most its cap, `Σ_s chunks_s / cap_s ≤ 1`; that row is
/// priced by `μ_j ≥ 0`, each chunk then worth `value − μ_j / cap`, so
/// `L(μ) = Σ μ + Σ_hosts knapsack(μ)` bounds every table (subgradient steps
/// lower it). Alone, this lets a job mix batch sizes across hosts, so it
/// branches on the shape of each job that has several, most valuable first,
/// depth first, and returns the largest bound over the branches (a branch not
/// explored once [`PACKING_WORK`] is spent counts with its own bound). `known`
/// is the value of a table already found.
fn packing_bound(
    jobs: usize,
    shapes: &[(usize, &Shape)],
    classes: &[(Ram, u64)],
    known: f64,
    guard: &mut Guard,
) -> f64 {
    if shapes.is_empty() {
        return 0.0;
    }
    let unit = shapes.iter().fold(0, |g, (_, s)| gcd(g, s.chunk.0)).max(1);
    let small = classes.iter().filter(|c| c.0 .0 / unit <= KNAPSACK_UNITS).count();
    let packing = Packing {
        weight: shapes.iter().map(|(_, s)| (s.chunk.0 / unit) as usize).collect(),
        units: classes[..small].last().map_or(0, |c| (c.0 .0 / unit) as usize),
        unit,
        small,
        classes,
        shapes,
    };
    // Jobs with a choice of shapes, the one worth most when alone first.
    let mut branch: Vec<(f64, usize)> = (0..jobs)
        .filter_map(|j| {
            let of_j = || packing.shapes.iter().filter(move |s| s.0 == j);
            let alone = of_j().map(|(_, s)| s.value * s.cap as f64).fold(0.0, f64::max);
            (of_j().count() > 1).then_some((alone, j))
        })
        .collect();
    branch.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let all = vec![true; packing.shapes.len()];
    let mut price = vec![0.0; jobs];
    let mut work = PACKING_WORK;
    let root = packing.relax(&all, &mut price, known, &mut work);
    // Depth-first: (depth, shapes allowed, prices, bound).
    let mut open = vec![(0, all, price, root)];
    let (mut best, mut unexplored) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
    while let Some((depth, allowed, price, bound)) = open.pop() {
        if bound <= best {
            continue;
        }
        let Some(&(_, j)) = branch.get(depth) else {
            best = bound;
            continue;
        };
        if work == 0 || guard.out_of_time() {
            unexplored = unexplored.max(bound);
            continue;
        }
        let mut children = Vec::new();
        for (i, _) in packing.shapes.iter().enumerate().filter(|(i, s)| s.0 == j && allowed[*i]) {
            let mut only: Vec<bool> = allowed.clone();
            for (k, s) in packing.shapes.iter().enumerate() {
                only[k] &= s.0 != j || k == i;
            }
            let mut p = price.clone();
            let b = packing.relax(&only, &mut p, known.max(best), &mut work);
            children.push((depth + 1, only, p, b));
        }
        // The most promising child is explored first.
        children.sort_by(|a, b| a.3.total_cmp(&b.3));
        open.extend(children);
    }
    best.max(unexplored).max(0.0)
}

/// The data of [`packing_bound`]'s relaxation.
struct Packing<'a> {
    /// The open shapes, each with its job.
    shapes: &'a [(usize, &'a Shape)],
    /// Chunk sizes in units of `unit` hundredths of a GB.
    weight: Vec<usize>,
    unit: u64,
    /// Host classes, smallest first; the first `small` get the exact knapsack, up
    /// to `units` units.
    classes: &'a [(Ram, u64)],
    small: usize,
    units: usize,
}

impl Packing<'_> {
    /// The Lagrangian bound with only the `allowed` shapes, from `price` (which it
    /// leaves at the best prices found). Each step spends `work`; the first step
    /// runs even when none is left.
    fn relax(&self, allowed: &[bool], price: &mut [f64], known: f64, work: &mut u64) -> f64 {
        let shapes = self.shapes;
        let mut descent = Descent::new(known);
        let mut best_price = price.to_vec();
        // most[c]: the most a host with c units earns; took[c]: the shape of its last chunk.
        let mut most = vec![0.0; self.units + 1];
        let mut took: Vec<Option<usize>> = vec![None; self.units + 1];
        for _ in 0..100 {
            let worth: Vec<f64> = shapes
                .iter()
                .zip(allowed)
                .map(|(&(j, s), &ok)| if ok { s.value - price[j] / s.cap as f64 } else { 0.0 })
                .collect();
            let items: Vec<usize> = (0..shapes.len()).filter(|&i| worth[i] > 0.0).collect();
            // Charged for every shape too, so a network of large hosts only
            // (no knapsack) still pays for its steps.
            let steps = (shapes.len() + items.len() * (self.units + self.classes.len())) as u64;
            if descent.best < f64::INFINITY && *work < steps {
                *work = 0;
                break;
            }
            *work = work.saturating_sub(steps);
            let mut bound: f64 = price.iter().sum();
            // Chunks of each shape over all hosts, for the subgradient.
            let mut used = vec![0.0; shapes.len()];
            // One unbounded knapsack up to the largest small host serves them all.
            for c in 1..=self.units {
                (most[c], took[c]) = (most[c - 1], None);
                for &i in &items {
                    let w = self.weight[i];
                    if w <= c && most[c - w] + worth[i] > most[c] {
                        (most[c], took[c]) = (most[c - w] + worth[i], Some(i));
                    }
                }
            }
            for &(ram, hosts) in &self.classes[..self.small] {
                let mut c = (ram.0 / self.unit) as usize;
                bound += most[c] * hosts as f64;
                while c > 0 {
                    match took[c] {
                        Some(i) => {
                            used[i] += hosts as f64;
                            c -= self.weight[i];
                        }
                        None => c -= 1,
                    }
                }
            }
            // Large hosts: the fractional knapsack, densest first, each shape at
            // most its cap per host.
            let mut order = items;
            order.sort_by(|&a, &b| {
                (worth[b] / self.weight[b] as f64).total_cmp(&(worth[a] / self.weight[a] as f64))
            });
            for &(ram, hosts) in &self.classes[self.small..] {
                let mut left = ram.0 as f64;
                for &i in &order {
                    let chunk = shapes[i].1.chunk.0 as f64;
                    let n = (left / chunk).min(shapes[i].1.cap as f64);
                    bound += worth[i] * n * hosts as f64;
                    used[i] += n * hosts as f64;
                    left -= n * chunk;
                    if left <= 0.0 {
                        break;
                    }
                }
            }
            if descent.record(bound) {
                best_price.copy_from_slice(price);
            }
            // The subgradient: each job's row, 1 minus the share of its cap taken.
            let mut slack = vec![1.0; price.len()];
            for (i, &(j, s)) in shapes.iter().enumerate() {
                slack[j] -= used[i] / s.cap as f64;
            }
            if !descent.step(price, &slack, bound) {
                break;
            }
        }
        price.copy_from_slice(&best_price);
        descent.best
    }
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// The smallest rise in score a move must make: a thousandth of the most one
/// chunk of an offered shape earns. The same from every point of view (so a
/// table where no move helps from today's view is one where none helps from its
/// own; see the module documentation): today's own shapes are left out, because
/// the plan's table need not hold them (a harvest whose host was evicted set a
/// floor that hid a till, which planning the plan then launched). Smaller steps
/// mostly churn: at a billionth, the late-game model took 34 reshape sweeps
/// instead of 6 and ended 0.3 % lower.
fn threshold(model: &Model) -> f64 {
    let offered = model.jobs.iter().flat_map(|job| &job.shapes[..job.offered]);
    1e-3 * offered.map(|s| s.value).fold(0.0, f64::max).max(1e-12)
}

/// The table from scratch, the same whatever runs today: each job's shape from
/// the one-pool relaxation (the shapes its income curve takes with all the free
/// RAM, rounded to the one that earns most with that RAM), filled greedily and
/// climbed, all without change costs.
fn scratch(model: &Model, free: &[Ram], guard: &mut Guard) -> Table {
    let total: Ram = free.iter().copied().sum();
    let mut steps = Vec::new();
    let mut owner = Vec::new();
    for (j, job) in model.jobs.iter().enumerate().filter(|(_, j)| !j.pinned) {
        // The offered shapes by kind: a job's curve is over the shapes of one kind.
        for kind in
            [crate::state::TaskKind::Till, crate::state::TaskKind::Sow, crate::state::TaskKind::Harvest]
        {
            let shapes: Vec<&Shape> =
                job.shapes[..job.offered].iter().filter(|s| s.kind == kind && s.value > 0.0).collect();
            let Some(cap) = shapes.first().map(|s| s.cap) else { continue };
            for step in game::income_curve(shapes.iter().map(|s| (s.chunk, s.value)), cap) {
                steps.push(step);
                owner.push(j);
            }
        }
    }
    // The RAM each job gets in the relaxation: its pieces, densest first.
    let mut order: Vec<usize> = (0..steps.len()).collect();
    order.sort_by(|&a, &b| {
        (steps[b].income / steps[b].ram).total_cmp(&(steps[a].income / steps[a].ram)).then(a.cmp(&b))
    });
    let mut budget = vec![0.0; model.jobs.len()];
    let mut left = total.0 as f64;
    for i in order {
        let take = steps[i].ram.min(left);
        budget[owner[i]] += take;
        left -= take;
        if left <= 0.0 {
            break;
        }
    }
    let classes = host_classes(free);
    let seed: Table = model
        .jobs
        .iter()
        .enumerate()
        .map(|(j, job)| {
            if job.pinned {
                return model.current[j].clone();
            }
            if budget[j] <= 0.0 {
                return None;
            }
            let earns = |s: &Shape| {
                let fit = fits_on(&classes, s.chunk).min(s.cap);
                s.value * (budget[j] / s.chunk.0.max(1) as f64).floor().min(fit as f64)
            };
            let earned: Vec<f64> = job.shapes[..job.offered].iter().map(earns).collect();
            (0..job.offered)
                .filter(|&s| earned[s] > 0.0)
                .max_by(|&a, &b| earned[a].total_cmp(&earned[b]).then(b.cmp(&a)))
                .map(Alloc::new)
        })
        .collect();
    let mut table = seed;
    Search::new(model, None, free, &table).fill(&mut table);
    // A seeded job the fill found no room for runs nothing.
    for a in table.iter_mut().filter(|a| a.as_ref().is_some_and(|a| a.total() == 0)) {
        *a = None;
    }
    climb(model, free, table, None, guard).0
}

/// The largest model, in hosts × jobs that may run an offered shape (a count
/// blind to today's tasks), on which a reshape's trial
/// inserts the job with evictions; above it the trial only takes the room
/// there is. An evicting trial tries every host's residents, and the trials
/// of one sweep cost hosts × jobs each: at 10× the late game (435,000 cells)
/// evicting trials took a plan from 0.14 to 0.37 s and 30× from 0.67 to 8.5 s,
/// for value ÷ bound 99.46 → 99.50 % and 99.35 → 99.53 %. The simulator's
/// timelines (at most about 6,000 cells) stay below it: with trials that do
/// not evict they earned 1 to 12 % less.
const EVICTING_TRIALS_MAX_CELLS: usize = 20_000;

/// The most sweeps [`climb`] makes; it stops earlier, at a local optimum.
const CLIMB_PASSES: usize = 256;

/// Local search until no move raises the score (from `today`'s point of view,
/// or with no change costs) or the guard stops it, with two moves:
///
/// * **insert**: add chunks of a job on a host, evicting there the chunks of
///   other jobs that earn least per GB, when that raises the score. This repairs
///   what a greedy fill loses (a knapsack that wants one fewer small chunk to fit
///   a large one).
/// * **reshape**: switch one job to the next smaller or larger shape of its kind,
///   refill the RAM greedily, and keep the result when the score is higher.
///
/// Which chunks a move touches depends on the table alone; only whether it is
/// made depends on the point of view. Says whether it settled (a round that
/// tried every move made none) rather than stopping at the guard or the pass
/// limit.
fn climb(
    model: &Model,
    free: &[Ram],
    mut table: Table,
    today: Option<&Table>,
    guard: &mut Guard,
) -> (Table, bool) {
    if guard.out_of_time() {
        return (table, false);
    }
    let mut search = Search::new(model, today, free, &table);
    let open: Vec<usize> = (0..model.jobs.len()).filter(|&j| !model.jobs[j].pinned).collect();
    let mut passes = 0;
    // A move is a function of the table: one that failed need not be tried
    // again until another move changes the table. `failed` holds, per job,
    // the search's change count when its reshape last failed; the last insert
    // made, if none since, is where a sweep can stop.
    let mut failed: Vec<Option<u64>> = vec![None; model.jobs.len()];
    let mut last_insert: Option<(usize, usize)> = None;
    // Nor, mostly, until a change near it: while `verify` is false a sweep
    // passes an insert whose host and job have not changed since every
    // insert on that host last failed (`clean`), and a reshape whose job and
    // its hosts have not changed since it last failed. That is a guess (an
    // insert also depends on the other hosts an eviction may move to), so
    // the climb ends only after a round that tries every move finds none.
    let mut clean: Vec<Option<u64>> = vec![None; free.len()];
    let mut verify = false;
    // Insert sweeps until one changes nothing, then a reshape sweep (dearer);
    // done when a round that tries every move changes nothing: a local
    // optimum of both moves.
    loop {
        let mut moved = false;
        loop {
            passes += 1;
            if passes > CLIMB_PASSES {
                if guard.status == Status::Complete {
                    guard.status =
                        Status::Error(format!("the local search did not settle in {CLIMB_PASSES} passes"));
                }
                return (table, false);
            }
            let mut changed = false;
            // Most jobs sit at their cap: a host visits the others, listed
            // anew after a change (which may take a job below its cap).
            let (mut jobs, mut listed) = (Vec::new(), None);
            'sweep: for (h, &on) in free.iter().enumerate() {
                if guard.out_of_time() {
                    return (table, false);
                }
                let visit = search.clock;
                if listed != Some(visit) {
                    jobs.clear();
                    jobs.extend(open.iter().filter(|&&j| search.totals[j] < search.caps[j]));
                    listed = Some(visit);
                }
                let mut at = 0;
                while let Some(&j) = jobs.get(at) {
                    at += 1;
                    // Every insert after the last one made failed at this table.
                    if !changed && last_insert.is_some_and(|last| (h, j) > last) {
                        break 'sweep;
                    }
                    let unchanged = |c: u64| !verify && search.host_at[h] <= c && search.job_at[j] <= c;
                    if search.totals[j] >= search.caps[j] || clean[h].is_some_and(unchanged) {
                        continue; // at its cap (no insert adds a chunk), or failed here since
                    }
                    let shapes = match &table[j] {
                        Some(a) => [Some(a.shape), None],
                        None if !search.could_enter(j, h) => continue,
                        // A job not running tries the shape best for the host alone,
                        // and the densest that fits in what is left there.
                        None => [search.best_on(j, on), search.densest_within(j, search.room[h])],
                    };
                    if shapes.into_iter().flatten().any(|s| search.insert(&mut table, j, s, h, u64::MAX)) {
                        (changed, last_insert) = (true, Some((h, j)));
                        if listed.is_some() {
                            // The rest of this host's visit takes every open job after `j`.
                            jobs.clear();
                            jobs.extend(open.iter().filter(|&&k| k > j));
                            (at, listed) = (0, None);
                        }
                    }
                }
                // The jobs left off the list end the sweep as they would on it.
                if !changed && last_insert.is_some_and(|last| open.last().is_some_and(|&j| (h, j) > last)) {
                    break 'sweep;
                }
                if search.clock == visit {
                    clean[h] = Some(visit);
                }
            }
            if guard.out_of_time() {
                return (table, false);
            }
            if !changed {
                break;
            }
            moved = true;
        }
        for &j in &open {
            if guard.out_of_time() {
                return (table, false);
            }
            let unchanged = |c: u64| {
                search.clock == c
                    || !verify
                        && search.job_at[j] <= c
                        && table[j].as_ref().is_some_and(|a| a.hosts().all(|(h, _)| search.host_at[h] <= c))
            };
            if failed[j].is_some_and(unchanged) {
                continue;
            }
            if search.reshape(&mut table, j) {
                (moved, last_insert) = (true, None);
            } else {
                failed[j] = Some(search.clock);
            }
        }
        if !moved && verify {
            return (table, true);
        }
        verify = !moved;
        if verify {
            // A sweep skipped some inserts after the last one made, not tried
            // them at this table: the round that checks must try them all.
            last_insert = None;
        }
        if guard.out_of_time() {
            return (table, false);
        }
    }
}

/// What the local search moves need to score a change incrementally, and to
/// take a trial back.
struct Search<'a> {
    model: &'a Model,
    /// The point of view: today's table, or none (no change costs).
    today: Option<&'a Table>,
    free: &'a [Ram],
    /// RAM left on each host by the table being improved.
    room: Vec<Ram>,
    /// The hosts by room left, then index, sorted: the first at or above a chunk
    /// is the tightest host it fits on. A sorted list, not a tree: a change of
    /// room rotates only the hosts between its two rooms, and finding the
    /// tightest is a binary search of contiguous memory (measured faster at 10×
    /// and 30× the late game).
    by_room: Vec<(Ram, usize)>,
    /// Chunks of each job in the table.
    totals: Vec<u64>,
    /// Per job that stops at its whole round's cost (`Job::whole_stop`),
    /// [`Model::stopped`] for the table: the chunk that takes it past zero
    /// costs the round, the rest nothing.
    stopped: Vec<i64>,
    /// The cap of each job's shape in the table (none running: no cap), so
    /// that a sweep passes the jobs at their cap by two numbers side by side.
    caps: Vec<u64>,
    /// Per job, its offered shapes that earn, densest first.
    densest: Vec<Vec<usize>>,
    /// The jobs not pinned that have such a shape, by its income per unit of
    /// RAM, most first (then by job): the order a fill takes new jobs in.
    newcomers: Vec<(f64, usize)>,
    /// The smallest chunk of each newcomer and of all after it.
    newcomers_smallest: Vec<Ram>,
    /// Per job, those shapes each smaller than every denser one, with their
    /// chunks: the chunks fall along the list, and the densest shape that fits
    /// in some room is the first here that does.
    within: Vec<Vec<(Ram, usize)>>,
    /// Per job, the income per GB of its densest such shape (none: -∞).
    top: Vec<f64>,
    /// [`Search::best_on`]'s answers, by job and free RAM.
    best_on: HashMap<(usize, Ram), Option<usize>>,
    threshold: f64,
    /// Per host, the jobs with chunks there that are not pinned, by income per
    /// GB then job, least first.
    residents: Vec<Vec<(f64, usize)>>,
    /// While a trial runs, what takes it back.
    trial: Option<Trial>,
    /// The jobs the running trial saved.
    saved: Vec<bool>,
    /// The hosts whose room a roll-back has put back so far.
    touched: Vec<bool>,
    /// Counts the changes made (a trial's only once it is kept), so that a
    /// move that failed can wait for a change near it: `host_at` and `job_at`
    /// hold the count at each host's and job's last change.
    clock: u64,
    host_at: Vec<u64>,
    job_at: Vec<u64>,
    /// Whether a reshape's trial inserts with evictions ([`EVICTING_TRIALS_MAX_CELLS`]).
    evicting_trials: bool,
    scratch: Scratch,
    /// Per job, the income per GB of its shape in the table (none running,
    /// or pinned: -∞), so that a fill orders the running jobs by one array.
    per_gb: Vec<f64>,
    /// A fill's list of running jobs, kept to be reused.
    running: Vec<(f64, usize)>,
}

/// The lists an insert builds, kept between inserts so that a sweep of
/// inserts allocates nothing.
#[derive(Default)]
struct Scratch {
    /// A job per chunk evicted.
    evicted: Vec<usize>,
    /// (job, host) per evicted chunk that moves.
    moved: Vec<(usize, usize)>,
    /// The room the moves leave, per host.
    taken: Vec<(usize, Ram)>,
    /// Per chunk size, its [`Search::first_fit`].
    fits: Vec<(Ram, usize)>,
}

impl Scratch {
    /// The lists emptied, their room kept.
    fn emptied(mut self) -> Scratch {
        self.evicted.clear();
        self.moved.clear();
        self.taken.clear();
        self.fits.clear();
        self
    }
}

/// What a trial changed, to score it and to take it back.
#[derive(Default)]
struct Trial {
    /// Each job's allocation before its first change.
    jobs: Vec<(usize, Option<Alloc>)>,
    /// Every change, in order: a host's room before it changed, or chunks of a
    /// job (with its shape) added and removed on a host.
    undo: Vec<Undo>,
}

enum Undo {
    Room(usize, Ram),
    Chunks { job: usize, shape: usize, host: usize, added: u64, removed: u64 },
}

impl<'a> Search<'a> {
    fn new(model: &'a Model, today: Option<&'a Table>, free: &'a [Ram], table: &Table) -> Search<'a> {
        let room = model.room(free, table);
        let mut residents = vec![Vec::new(); free.len()];
        let held = table.iter().enumerate().filter_map(|(k, a)| Some((k, a.as_ref()?)));
        for (k, a) in held.filter(|&(k, _)| !model.jobs[k].pinned) {
            let d = density(model.shape(k, a));
            a.hosts().for_each(|(h, _)| residents[h].push((d, k)));
        }
        for on in &mut residents {
            on.sort_by(by_density);
        }
        let densest: Vec<Vec<usize>> = model
            .jobs
            .iter()
            .map(|job| {
                let mut shapes: Vec<usize> = (0..job.offered)
                    .filter(|&s| job.shapes[s].value > 0.0 && job.shapes[s].cap > 0)
                    .collect();
                shapes.sort_by(|&a, &b| {
                    density(&job.shapes[b]).total_cmp(&density(&job.shapes[a])).then(a.cmp(&b))
                });
                shapes
            })
            .collect();
        let top: Vec<f64> = (0..model.jobs.len())
            .map(|j| densest[j].first().map_or(f64::NEG_INFINITY, |&s| density(&model.jobs[j].shapes[s])))
            .collect();
        let mut newcomers: Vec<(f64, usize)> = (0..model.jobs.len())
            .filter(|&j| !model.jobs[j].pinned && !densest[j].is_empty())
            .map(|j| (top[j], j))
            .collect();
        newcomers.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let within: Vec<Vec<(Ram, usize)>> = (0..model.jobs.len())
            .map(|j| {
                let mut steps: Vec<(Ram, usize)> = Vec::new();
                for &s in &densest[j] {
                    let chunk = model.jobs[j].shapes[s].chunk;
                    if steps.last().is_none_or(|&(c, _)| chunk < c) {
                        steps.push((chunk, s));
                    }
                }
                steps
            })
            .collect();
        let mut newcomers_smallest = vec![Ram(u64::MAX); newcomers.len()];
        let mut least = Ram(u64::MAX);
        for (i, &(_, j)) in newcomers.iter().enumerate().rev() {
            least = least.min(smallest(&within, j));
            newcomers_smallest[i] = least;
        }
        let evicting_trials = free.len() * newcomers.len() <= EVICTING_TRIALS_MAX_CELLS;
        Search {
            newcomers_smallest,
            within,
            top,
            densest,
            newcomers,
            best_on: HashMap::new(),
            model,
            today,
            free,
            by_room: {
                let mut by_room: Vec<(Ram, usize)> = room.iter().enumerate().map(|(h, &r)| (r, h)).collect();
                by_room.sort_unstable();
                by_room
            },
            room,
            totals: table.iter().map(|a| a.as_ref().map_or(0, Alloc::total)).collect(),
            stopped: (0..table.len())
                .map(|k| match today.is_some() && model.jobs[k].whole_stop > 0.0 {
                    true => model.stopped(k, table[k].as_ref()),
                    false => 0,
                })
                .collect(),
            caps: (0..table.len()).map(|k| cap_of(model, table, k)).collect(),
            per_gb: (0..table.len()).map(|k| per_gb_of(model, table, k)).collect(),
            running: Vec::new(),
            threshold: threshold(model),
            residents,
            trial: None,
            saved: vec![false; table.len()],
            touched: vec![false; free.len()],
            clock: 0,
            host_at: vec![0; free.len()],
            job_at: vec![0; table.len()],
            evicting_trials,
            scratch: Scratch::default(),
        }
    }

    fn set_room(&mut self, h: usize, room: Ram) {
        match &mut self.trial {
            Some(trial) => trial.undo.push(Undo::Room(h, self.room[h])),
            None => {
                self.clock += 1;
                self.stamp(h, None);
            }
        }
        self.resort(h, self.room[h], room);
        self.room[h] = room;
    }

    /// Moves host `h` in [`Search::by_room`] from room `from` to room `to`.
    fn resort(&mut self, h: usize, from: Ram, to: Ram) {
        let list = &mut self.by_room;
        let at = list.binary_search(&(from, h)).expect("the hosts by room follow the rooms");
        let goes = list.partition_point(|&e| e < (to, h));
        if goes > at {
            list[at..goes].rotate_left(1);
            list[goes - 1] = (to, h);
        } else {
            list[goes..=at].rotate_right(1);
            list[goes] = (to, h);
        }
    }

    /// The host with the least room that holds `chunk` (the lowest on a tie),
    /// other than `except`.
    fn tightest(&self, chunk: Ram, except: Option<usize>) -> Option<usize> {
        self.tightest_with(self.first_fit(chunk), chunk, except, &[])
    }

    /// Where the hosts with room for `chunk` begin in [`Search::by_room`].
    fn first_fit(&self, chunk: Ram) -> usize {
        self.by_room.partition_point(|&(room, _)| room < chunk)
    }

    /// [`Search::tightest`] as if each host of `taken` had only the room given
    /// there: an insert's moves are only tried, so they take their room here
    /// and move the hosts in [`Search::by_room`] only once the insert is made;
    /// `first` is [`Search::first_fit`] of `chunk`.
    fn tightest_with(
        &self,
        first: usize,
        chunk: Ram,
        except: Option<usize>,
        taken: &[(usize, Ram)],
    ) -> Option<usize> {
        let outside = |h: usize| Some(h) != except && taken.iter().all(|t| t.0 != h);
        let untouched = self.by_room[first..].iter().copied().find(|&(_, h)| outside(h));
        let touched =
            taken.iter().filter(|t| Some(t.0) != except && t.1 >= chunk).map(|&(h, r)| (r, h)).min();
        untouched.into_iter().chain(touched).min().map(|(_, h)| h)
    }

    /// The shape of job `j` that earns most on a host with `free` RAM alone (at
    /// most its cap): what a job not running yet tries there first.
    fn best_on(&mut self, j: usize, free: Ram) -> Option<usize> {
        let shapes = &self.model.jobs[j].shapes;
        let densest = &self.densest[j];
        *self.best_on.entry((j, free)).or_insert_with(|| {
            let earns = |s: usize| shapes[s].value * free.fits(shapes[s].chunk).min(shapes[s].cap) as f64;
            densest
                .iter()
                .copied()
                .filter(|&s| earns(s) > 0.0)
                .max_by(|&a, &b| earns(a).total_cmp(&earns(b)).then(b.cmp(&a)))
        })
    }

    /// The densest shape of job `j` whose chunk fits in `room`.
    fn densest_within(&self, j: usize, room: Ram) -> Option<usize> {
        let steps = &self.within[j];
        steps.get(steps.partition_point(|&(chunk, _)| chunk > room)).map(|&(_, s)| s)
    }

    /// Whether job `j`, not running, could go on host `h`: a chunk of it fits
    /// in the room there, or some resident earns less per GB than its densest
    /// shape (an insert evicts only such chunks).
    fn could_enter(&self, j: usize, h: usize) -> bool {
        self.room[h] >= smallest(&self.within, j)
            || self.residents[h].first().is_some_and(|v| v.0 < self.top[j])
    }

    /// Changes job `k`'s chunks on host `h` (in shape `s` when it has none) by
    /// `added` minus `removed`; the room is the caller's to change.
    fn change(&mut self, table: &mut Table, k: usize, s: usize, h: usize, added: u64, removed: u64) {
        match &mut self.trial {
            Some(trial) => {
                if !self.saved[k] {
                    self.saved[k] = true;
                    trial.jobs.push((k, table[k].clone()));
                }
                trial.undo.push(Undo::Chunks { job: k, shape: s, host: h, added, removed });
            }
            None => {
                self.clock += 1;
                self.stamp(h, Some(k));
            }
        }
        self.apply(table, k, s, h, added, removed);
    }

    /// Marks host `h`, and job `k` if any, as changed at the current count.
    fn stamp(&mut self, h: usize, k: Option<usize>) {
        self.host_at[h] = self.clock;
        if let Some(k) = k {
            self.job_at[k] = self.clock;
        }
    }

    /// [`Search::change`] without a trace: what it and a roll-back share.
    fn apply(&mut self, table: &mut Table, k: usize, s: usize, h: usize, added: u64, removed: u64) {
        let alloc = table[k].get_or_insert_with(|| Alloc::new(s));
        let (before, shape) = (alloc.get(h), alloc.shape);
        let after = before + added - removed;
        alloc.set(h, after);
        if self.model.jobs[k].whole_stop > 0.0 {
            let was = self.was(k, shape, h);
            self.stopped[k] += before.min(was) as i64 - after.min(was) as i64;
        }
        self.totals[k] = self.totals[k] + added - removed;
        if self.totals[k] == 0 {
            table[k] = None;
        }
        self.caps[k] = cap_of(self.model, table, k);
        self.per_gb[k] = per_gb_of(self.model, table, k);
        if self.model.jobs[k].pinned || (before > 0) == (after > 0) {
            return;
        }
        let entry = (density(&self.model.jobs[k].shapes[shape]), k);
        let on = &mut self.residents[h];
        match on.binary_search_by(|e| by_density(e, &entry)) {
            Ok(i) if after == 0 => _ = on.remove(i),
            Err(i) if after > 0 => on.insert(i, entry),
            _ => unreachable!("the residents follow the table"),
        }
    }

    /// Takes back every change since the trial began.
    fn roll_back(&mut self, table: &mut Table) {
        let trial = self.trial.take().expect("a trial runs");
        // The rooms go back first to last; the hosts by room are mended once
        // per host at the end, however often the trial changed its room.
        let mut keys: Vec<(Ram, usize)> = Vec::new();
        for undo in trial.undo.into_iter().rev() {
            match undo {
                Undo::Room(h, room) => {
                    if !self.touched[h] {
                        self.touched[h] = true;
                        keys.push((self.room[h], h));
                    }
                    self.room[h] = room;
                }
                Undo::Chunks { job, shape, host, added, removed } => {
                    self.apply(table, job, shape, host, removed, added)
                }
            }
        }
        for key in keys {
            let h = key.1;
            self.touched[h] = false;
            self.resort(h, key.0, self.room[h]);
        }
        for (k, _) in trial.jobs {
            self.saved[k] = false;
        }
    }

    /// Net change of the score, per second, from one more (`up`) or one fewer chunk
    /// of job `j` in shape `s` on host `h`, where the table now holds `held` of
    /// them and the move has already taken `gone` of today's chunks of `j`.
    fn delta(&self, j: usize, s: usize, h: usize, held: u64, up: bool, gone: u64) -> f64 {
        self.delta_was(j, s, held, self.was(j, s, h), up, gone)
    }

    /// [`Search::delta`] where today's table runs `was` chunks of `j` in shape
    /// `s` on the host: an insert looks that up once per job and host, not once
    /// per chunk.
    fn delta_was(&self, j: usize, s: usize, held: u64, was: u64, up: bool, gone: u64) -> f64 {
        let shape = &self.model.jobs[j].shapes[s];
        let value = if up { shape.value } else { -shape.value };
        if self.today.is_none() {
            return value;
        }
        let whole = self.model.jobs[j].whole_stop;
        // A chunk that today's table runs there costs nothing to keep and `stop`
        // to lose; for a prep that stops at its whole round, the first one lost
        // costs the round and the rest nothing (nor does one brought back, to
        // stay on the safe side of the table's true cost).
        let cost = match (up, held < was, held <= was) {
            (true, true, _) if whole > 0.0 => 0.0,
            (false, _, true) if whole > 0.0 => {
                if self.stopped[j] + gone as i64 == 0 {
                    whole
                } else {
                    0.0
                }
            }
            (true, true, _) => -shape.stop,
            (true, false, _) => shape.start,
            (false, _, true) => shape.stop,
            (false, _, false) => -shape.start,
        };
        value - cost / self.model.net.policy.horizon_s
    }

    /// Adds chunks of job `j` in shape `s` on host `h` if that raises the score,
    /// evicting other jobs' chunks that earn least per GB there when room is short
    /// (each moves to the tightest other host with room when that pays); says
    /// whether it did.
    fn insert(&mut self, table: &mut Table, j: usize, s: usize, h: usize, most: u64) -> bool {
        let model = self.model;
        let shape = &model.jobs[j].shapes[s];
        let held_total = self.totals[j];
        let count = |table: &Table, k: usize, x: usize| table[k].as_ref().map_or(0, |a| a.get(x));
        if shape.cap <= held_total || shape.chunk > self.free[h] {
            return false;
        }
        if self.room[h] >= shape.chunk {
            return self.add(table, j, s, h, most);
        }
        let mine = density(shape);
        // Most inserts of a sweep end here, before any look at today's table.
        if self.residents[h].first().is_none_or(|v| v.0 >= mine) {
            return false; // nothing there earns less per GB
        }
        let first = self.delta(j, s, h, count(table, j, h), true, 0);
        if first <= 0.0 {
            return false;
        }
        // Chunks of `j` go in one at a time, each evicting the chunks on `h` that
        // earn less per GB than `j`'s, least first, until it fits; an evicted
        // chunk moves to the tightest other host with room when that pays. They
        // go in while each raises the score. A move takes its room in `taken`,
        // which the next move sees; the hosts' rooms change only once the
        // insert is made, so a failed one costs no re-sorting.
        // The residents that earn less per GB (sorted, so a prefix), but `j`.
        let residents = &self.residents[h];
        let victims = &residents[..residents.partition_point(|v| v.0 < mine)];
        let after = |i: usize| victims[i..].iter().position(|v| v.1 != j).map_or(victims.len(), |p| i + p);
        let chunk_of = |k: usize| model.shape(k, table[k].as_ref().unwrap()).chunk;
        let chunks = shape.cap - held_total;
        let others = victims.iter().filter(|v| v.1 != j).map(|v| v.1);
        if !self.may_pay(table, h, others, shape.chunk, first, chunks.min(most)) {
            return false; // most of those that evict (at 10× the late game 48,000 of 58,000)
        }
        let mut space = self.room[h];
        let Scratch { mut evicted, mut moved, mut taken, mut fits } = std::mem::take(&mut self.scratch);
        // The victim being evicted (each job's chunks go in one run): its index,
        // chunks left on `h`, chunks evicted, and today's chunks on `h`.
        let mut next = after(0);
        let victim = |next: usize| {
            victims.get(next).map_or((0, 0), |v| (count(table, v.1, h), self.was_in(table, v.1, h)))
        };
        let ((mut left, mut was_h), mut gone) = (victim(next), 0);
        // The last host a victim's chunks moved to: (job, host, chunks held there, today's there).
        let mut to: Option<(usize, usize, u64, u64)> = None;
        let (mut added, mut net) = (0, 0.0);
        let (held, was_j) = (count(table, j, h), self.was(j, s, h));
        while held_total + added < shape.cap && added < most {
            let mut step = self.delta_was(j, s, held + added, was_j, true, 0);
            if step <= 0.0 {
                break;
            }
            let undo = (evicted.len(), moved.len(), space);
            while space < shape.chunk && next < victims.len() {
                let k = victims[next].1;
                let (ks, chunk) = (table[k].as_ref().unwrap().shape, chunk_of(k));
                // Only a whole-round stop depends on the chunks this insert took already.
                let gone_k = if model.jobs[k].whole_stop > 0.0 { gone } else { 0 };
                step += self.delta_was(k, ks, left, was_h, false, gone_k);
                space += chunk;
                evicted.push(k);
                gone += 1;
                // A victim's chunks go to the tightest host while it has room
                // (a chunk moved there leaves it tighter still). Otherwise: the
                // hosts by room stay as they are while an insert is tried, so
                // where a chunk size fits is looked up once.
                let room = |x: usize| taken.iter().find(|t| t.0 == x).map_or(self.room[x], |t| t.1);
                let x = match to.filter(|t| t.0 == k && room(t.1) >= chunk) {
                    Some(t) => Some(t.1),
                    None => {
                        let first = match fits.iter().find(|f| f.0 == chunk) {
                            Some(&(_, first)) => first,
                            None => {
                                let first = self.first_fit(chunk);
                                fits.push((chunk, first));
                                first
                            }
                        };
                        self.tightest_with(first, chunk, Some(h), &taken)
                    }
                };
                if let Some(x) = x {
                    // Only a change cost depends on the chunks held there.
                    let (held, was_x) = match to {
                        Some((tk, tx, held, was_x)) if (tk, tx) == (k, x) => (held, was_x),
                        _ => match self.today {
                            Some(_) => (
                                count(table, k, x) + moved.iter().filter(|&&m| m == (k, x)).count() as u64,
                                self.was(k, ks, x),
                            ),
                            None => (0, 0),
                        },
                    };
                    to = Some((k, x, held, was_x));
                    let d = self.delta_was(k, ks, held, was_x, true, 0);
                    if d > 0.0 {
                        step += d;
                        match taken.iter_mut().find(|t| t.0 == x) {
                            Some(t) => t.1 -= chunk,
                            None => taken.push((x, self.room[x] - chunk)),
                        }
                        moved.push((k, x));
                        if self.today.is_some() {
                            to = Some((k, x, held + 1, was_x));
                        }
                    }
                }
                left -= 1;
                if left == 0 {
                    next = after(next + 1);
                    ((left, was_h), gone) = (victim(next), 0);
                }
            }
            if space < shape.chunk || step <= 0.0 {
                // This chunk does not pay (or fit): take its evictions back
                // (the insert ends here, so the victim's counts need no undo).
                for &(k, x) in &moved[undo.1..] {
                    if let Some(t) = taken.iter_mut().find(|t| t.0 == x) {
                        t.1 += chunk_of(k);
                    }
                }
                evicted.truncate(undo.0);
                moved.truncate(undo.1);
                space = undo.2;
                break;
            }
            net += step;
            space -= shape.chunk;
            added += 1;
        }
        if added == 0 || net <= self.threshold {
            self.scratch = Scratch { evicted, moved, taken, fits }.emptied();
            return false;
        }
        for &(x, room) in &taken {
            if room != self.room[x] {
                self.set_room(x, room);
            }
        }
        // Arrivals first, so that a job evicted to the last chunk keeps its
        // allocation; a run of chunks of one job to one host is one change.
        for run in moved.chunk_by(|a, b| a == b) {
            let (k, x) = run[0];
            let ks = table[k].as_ref().unwrap().shape;
            self.change(table, k, ks, x, run.len() as u64, 0);
        }
        for run in evicted.chunk_by(|a, b| a == b) {
            let k = run[0];
            let ks = table[k].as_ref().unwrap().shape;
            self.change(table, k, ks, h, 0, run.len() as u64);
        }
        self.change(table, j, s, h, added, 0);
        self.set_room(h, space);
        self.scratch = Scratch { evicted, moved, taken, fits }.emptied();
        true
    }

    /// Whether inserting up to `most` chunks of `chunk` on host `h`, evicting
    /// the `victims` (jobs) there, may beat the threshold: a bound, so that an
    /// insert it rules out would fail. Evicting every victim gives at most its
    /// room and the change costs it saves, evicted and moved: a start and a
    /// stop, or only the start for a job that stops at its whole round (its
    /// move back costs nothing), none without costs; no value is negative.
    /// Each chunk inserted adds at most what the `first` does. The margin is
    /// far above the sums' rounding.
    fn may_pay(
        &self,
        table: &Table,
        h: usize,
        victims: impl Iterator<Item = usize>,
        chunk: Ram,
        first: f64,
        most: u64,
    ) -> bool {
        let model = self.model;
        let (mut room, mut saves, mut size) = (self.room[h], 0.0, 0.0);
        for k in victims {
            let a = table[k].as_ref().expect("a resident runs");
            let (victim, n) = (model.shape(k, a), a.get(h));
            let saved = match self.today {
                Some(_) if model.jobs[k].whole_stop > 0.0 => victim.start / model.net.policy.horizon_s,
                Some(_) => (victim.start + victim.stop) / model.net.policy.horizon_s,
                None => 0.0,
            };
            room += victim.chunk * n;
            saves += saved * n as f64;
            size += (2.0 * victim.value + saved) * n as f64;
        }
        let chunks = room.fits(chunk).min(most);
        let gained = first * chunks as f64 + saves;
        chunks > 0 && gained + 1e-8 * (size + gained.abs()) > self.threshold
    }

    /// Chunks of job `j` in shape `s` that today's table runs on host `h`.
    fn was(&self, j: usize, s: usize, h: usize) -> u64 {
        self.today.and_then(|t| t[j].as_ref()).filter(|a| a.shape == s).map_or(0, |a| a.get(h))
    }

    /// [`Search::was`] of job `k`'s shape in `table`.
    fn was_in(&self, table: &Table, k: usize, h: usize) -> u64 {
        table[k].as_ref().map_or(0, |a| self.was(k, a.shape, h))
    }

    /// Adds chunks of job `j` in shape `s` on host `h`, where there is room for
    /// one at least: as many as fit, the cap allows and raise the score; says
    /// whether it added any.
    fn add(&mut self, table: &mut Table, j: usize, s: usize, h: usize, most: u64) -> bool {
        let shape = &self.model.jobs[j].shapes[s];
        let held = table[j].as_ref().map_or(0, |a| a.get(h));
        let room = self.room[h].fits(shape.chunk).min(shape.cap - self.totals[j]).min(most);
        let was = self.was(j, s, h);
        // The deltas are constant up to today's count there, then constant again
        // (and smaller): take each run whole while it pays.
        let (mut n, mut net) = (0, 0.0);
        while n < room {
            let d = self.delta(j, s, h, held + n, true, 0);
            if d <= 0.0 {
                break;
            }
            let end = if held + n < was { room.min(was - held) } else { room };
            net += d * (end - n) as f64;
            n = end;
        }
        if n == 0 || net <= self.threshold {
            return false;
        }
        self.change(table, j, s, h, n, 0);
        self.set_room(h, self.room[h] - shape.chunk * n);
        true
    }

    /// Fills the RAM the table leaves, without change costs, densest jobs first:
    /// each on the host where its chunks fit most tightly. A job with no
    /// allocation yet takes its turn by its densest shape (so that order is
    /// the same all search long) and runs the densest that fits.
    fn fill(&mut self, table: &mut Table) {
        let model = self.model;
        // The running jobs that earn and are below their cap, densest first.
        let mut running = std::mem::take(&mut self.running);
        running.clear();
        let open = |j: &usize| self.per_gb[*j] > 0.0 && self.totals[*j] < self.caps[*j];
        running.extend((0..table.len()).filter(open).map(|j| (self.per_gb[j], j)));
        running.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let (mut r, mut n) = (0, 0);
        let newcomers = std::mem::take(&mut self.newcomers);
        // The most room on any host, which only a placement lowers.
        let mut most = self.by_room.last().map_or(Ram::ZERO, |r| r.0);
        while r < running.len() || n < newcomers.len() {
            if self.newcomers_smallest.get(n).is_some_and(|&least| least > most) {
                n = newcomers.len(); // no chunk of a later newcomer fits anywhere
                continue;
            }
            let newcomer = newcomers.get(n).filter(|c| running.get(r).is_none_or(|e| c.0 > e.0));
            let (j, s) = match newcomer {
                Some(&(_, j)) => {
                    n += 1;
                    if table[j].is_some() || smallest(&self.within, j) > most {
                        continue;
                    }
                    match self.densest_within(j, most) {
                        Some(s) => (j, s),
                        None => continue,
                    }
                }
                None => {
                    r += 1;
                    let j = running[r - 1].1;
                    (j, table[j].as_ref().expect("a running job").shape)
                }
            };
            let shape = &model.jobs[j].shapes[s];
            if shape.chunk > most {
                continue; // no host has room for a chunk
            }
            let mut left = shape.cap.saturating_sub(self.totals[j]);
            while left > 0 {
                let Some(h) = self.tightest(shape.chunk, None) else { break };
                let n = self.room[h].fits(shape.chunk).min(left);
                self.change(table, j, s, h, n, 0);
                self.set_room(h, self.room[h] - shape.chunk * n);
                left -= n;
            }
            most = self.by_room.last().map_or(Ram::ZERO, |r| r.0);
        }
        self.newcomers = newcomers;
        self.running = running;
    }

    /// Switches job `j` to a neighbouring shape of its kind if the refilled table
    /// scores higher; says whether it did. The refill ignores change costs, so
    /// the table tried depends on the table alone.
    fn reshape(&mut self, table: &mut Table, j: usize) -> bool {
        let model = self.model;
        let Some(a) = &table[j] else { return false };
        let job = &model.jobs[j];
        // Shapes of the job's kind (its phase's, when it runs another kind), by
        // chunk size: try the neighbours of the current one.
        let offered = &job.shapes[..job.offered];
        let kind =
            if offered.iter().any(|s| s.kind == job.phase) { job.phase } else { job.shapes[a.shape].kind };
        // The offered shapes and the current one: the same list whatever runs today.
        let mut sizes: Vec<usize> = (0..job.offered).filter(|&s| job.shapes[s].kind == kind).collect();
        if a.shape >= job.offered && job.shapes[a.shape].kind == kind {
            sizes.push(a.shape);
        }
        sizes.sort_by_key(|&s| (job.shapes[s].chunk, s));
        let chunk = job.shapes[a.shape].chunk;
        let at = match sizes.iter().position(|&s| s == a.shape) {
            Some(at) => at,
            // Another kind: its neighbours are the sizes around its chunk.
            None => sizes.partition_point(|&s| job.shapes[s].chunk < chunk),
        };
        let own = sizes.get(at) == Some(&a.shape);
        let mut improved = false;
        // Climb one way while each step scores higher; try the other way only if
        // the first step fails.
        for step in [-1isize, 1] {
            let mut i = if own || step < 0 { at as isize + step } else { at as isize };
            while let Some(&s) = usize::try_from(i).ok().and_then(|i| sizes.get(i)) {
                if !self.try_shape(table, j, s) {
                    break;
                }
                improved = true;
                i += step;
            }
            if improved {
                return true;
            }
        }
        false
    }

    /// Job `j` in shape `s`, inserted on every host (with evictions on a model
    /// of at most [`EVICTING_TRIALS_MAX_CELLS`]) and the table refilled, all
    /// without change costs; kept if that scores higher, taken back if not.
    fn try_shape(&mut self, table: &mut Table, j: usize, s: usize) -> bool {
        let model = self.model;
        self.trial = Some(Trial::default());
        let today = self.today.take();
        if let Some(a) = table[j].clone() {
            let chunk = model.shape(j, &a).chunk;
            for (h, n) in a.hosts() {
                self.change(table, j, a.shape, h, 0, n);
                self.set_room(h, self.room[h] + chunk * n);
            }
        }
        let shape = &model.jobs[j].shapes[s];
        if self.evicting_trials {
            for h in 0..self.free.len() {
                if self.totals[j] >= shape.cap {
                    break; // every later insert would stop at the cap
                }
                self.insert(table, j, s, h, u64::MAX);
            }
        } else {
            // The hosts with room for a chunk, by index: an add changes only
            // its own host's room.
            let mut hosts: Vec<usize> =
                self.by_room[self.first_fit(shape.chunk)..].iter().map(|e| e.1).collect();
            hosts.sort_unstable();
            for h in hosts {
                if self.totals[j] >= shape.cap {
                    break;
                }
                self.add(table, j, s, h, u64::MAX);
            }
        }
        self.fill(table);
        self.today = today;
        // A job's part of the score; the trial is scored by the jobs it changed.
        let part = |k: usize, a: Option<&Alloc>| {
            let cost = if today.is_some() { model.job_cost(k, a) / model.net.policy.horizon_s } else { 0.0 };
            model.job_value(k, a) - cost
        };
        let trial = self.trial.as_mut().expect("a trial runs");
        trial.jobs.sort_by_key(|(k, _)| *k);
        let value: f64 = trial
            .jobs
            .iter()
            .filter(|(k, was)| table[*k] != *was)
            .map(|(k, was)| part(*k, table[*k].as_ref()) - part(*k, was.as_ref()))
            .sum();
        if value <= self.threshold {
            self.roll_back(table);
            return false;
        }
        let trial = self.trial.take().expect("a trial runs");
        self.clock += 1;
        for undo in trial.undo {
            match undo {
                Undo::Room(h, _) => self.stamp(h, None),
                Undo::Chunks { job, host, .. } => self.stamp(host, Some(job)),
            }
        }
        for (k, _) in trial.jobs {
            self.saved[k] = false;
        }
        true
    }
}

/// The smallest chunk of job `j`'s shapes in [`Search::within`] (none: no size).
fn smallest(within: &[Vec<(Ram, usize)>], j: usize) -> Ram {
    within[j].last().map_or(Ram(u64::MAX), |&(chunk, _)| chunk)
}

/// The cap of job `k`'s shape in `table` (none running: no cap).
fn cap_of(model: &Model, table: &Table, k: usize) -> u64 {
    table[k].as_ref().map_or(u64::MAX, |a| model.shape(k, a).cap)
}

/// The income per GB of job `k`'s shape in `table` (none running, or pinned: -∞).
fn per_gb_of(model: &Model, table: &Table, k: usize) -> f64 {
    match &table[k] {
        Some(a) if !model.jobs[k].pinned => density(model.shape(k, a)),
        _ => f64::NEG_INFINITY,
    }
}

/// Residents in order: by income per GB, then job.
fn by_density(a: &(f64, usize), b: &(f64, usize)) -> std::cmp::Ordering {
    a.0.total_cmp(&b.0).then(a.1.cmp(&b.1))
}
