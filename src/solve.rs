//! Finds a good table for a model: the only user of microlp.
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
//! 3. For tiny models, an **exact** per-host MILP (microlp's branch and bound,
//!    warm-started from the table from scratch, stopped by a node count), also
//!    without change costs.
//! 4. The best of these (today's table on a tie) is climbed once more with
//!    change costs.
//!
//! **Planning the planned table finds it again** (rule 6), by construction: the
//! cost of a change obeys the triangle inequality, so from the planned table P
//! every move and every table scores no better than it did from today's table;
//! P is a local optimum of the search from today's point of view, hence from
//! its own; and the tables from scratch and of the exact stage are the same
//! tables from either point of view, already beaten by P. Every stage is
//! bounded by work, not time: `policy.time_limit_ms` is only a guard, and a
//! solve it cuts says so.
//!
//! The bound is the smaller of two Lagrangian relaxations over **every** batch
//! size of the formulas' menu, offered or not: of the host capacities
//! ([`lagrangian_bound`]), and, on small models, of the jobs' caps with an exact
//! knapsack per small host and a branch on each job's shape ([`packing_bound`]).

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
pub(crate) fn solve(model: &Model, deadline: Instant) -> Outcome {
    let free = model.free_for_plan();
    let mut guard = Guard { deadline, status: Status::Complete };
    let baseline = baseline(model, &free);
    let today = Some(&model.current);
    let kept = climb(model, &free, baseline.clone(), today, &mut guard);
    let fresh = scratch(model, &free, &mut guard);
    let exact = exact(model, &free, &fresh, &mut guard);
    let mut candidates = vec![baseline.clone(), kept, fresh];
    candidates.extend(exact);
    let best = best_of(model, &candidates);
    let table = climb(model, &free, candidates.swap_remove(best), today, &mut guard);
    Outcome { table, baseline, status: guard.status }
}

/// An upper bound on [`Model::value`] of any valid table; `table` (a good one)
/// sets the step size. Two relaxations see different things, so the smaller
/// bound is taken; the second, dearer one only runs when the first leaves more
/// than [`BOUND_SLACK`] between `table` and the bound.
pub(crate) fn bound(model: &Model, table: &Table) -> f64 {
    let free = model.free_for_plan();
    let pinned_value = model.value(&pinned_only(model, &model.current));
    let known = model.value(table) - pinned_value;
    // Every shape a job may run: those offered, and every other batch size of
    // the formulas' menu, so that the bound holds for all of them.
    let fits = |s: &Shape| s.value > 0.0 && free.iter().any(|f| f.fits(s.chunk) > 0);
    let shapes: Vec<(usize, &Shape)> = (0..model.jobs.len())
        .filter(|&j| !model.jobs[j].pinned)
        .flat_map(|j| model.jobs[j].shapes.iter().chain(&model.jobs[j].bound).map(move |s| (j, s)))
        .filter(|(_, s)| fits(s))
        .collect();
    let classes = host_classes(&free);
    let jobs = model.jobs.len();
    let mut bound = lagrangian_bound(jobs, &shapes, &classes, known);
    if bound > known * (1.0 + BOUND_SLACK) && shapes.len() <= PACKING_SHAPES {
        bound = bound.min(packing_bound(jobs, &shapes, &classes, known));
    }
    pinned_value + bound
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

/// The most integer variables the exact stage takes on: microlp's branch and bound
/// has no cuts, so it is only dependable on tiny models.
const EXACT_MAX_COLUMNS: usize = 30;

/// The most branch-and-bound nodes of the exact stage: its answer then depends on
/// the model alone, not on the clock. A whole plan of
/// `tests/regressions/exact-stage-one-host.json` (two solves) takes about 20 ms.
const EXACT_NODES: u64 = 500;

/// For tiny models only: the exact per-host integer program over every shape,
/// warm-started from `start`, **without change costs** like [`scratch`], so
/// that its answer (cut by a node count, so no optimum of anything else) is the
/// same whatever runs today. `None` when the model is too large for it.
fn exact(model: &Model, free: &[Ram], start: &Table, guard: &mut Guard) -> Option<Table> {
    let scale = value_scale(model);
    let shapes: Vec<(usize, usize, u64)> = open_shapes(model, free).collect();
    let cells: usize = shapes
        .iter()
        .map(|&(j, s, _)| free.iter().filter(|f| f.fits(model.jobs[j].shapes[s].chunk) > 0).count())
        .sum();
    if cells > EXACT_MAX_COLUMNS {
        return None;
    }
    let mut lp = Lp::default();
    let mut x: Vec<(usize, usize, usize, usize)> = Vec::new(); // (job, shape, host, column)
    let mut choose: Vec<Vec<usize>> = vec![Vec::new(); model.jobs.len()];
    for &(j, s, _) in &shapes {
        let shape = &model.jobs[j].shapes[s];
        let held = start[j].as_ref().filter(|a| a.shape == s);
        let y = lp.integer(0.0, 1.0, f64::from(u8::from(held.is_some())));
        choose[j].push(y);
        let mut cap_row = vec![(y, -(shape.cap as f64))];
        for (h, f) in free.iter().enumerate() {
            let most = f.fits(shape.chunk).min(shape.cap);
            if most == 0 {
                continue;
            }
            let warm = held.map_or(0, |a| a.count[h]) as f64;
            let c = lp.integer(shape.value / scale, most as f64, warm);
            cap_row.push((c, 1.0));
            x.push((j, s, h, c));
        }
        lp.row(cap_row, 0.0);
    }
    for ys in choose.into_iter().filter(|ys| ys.len() > 1) {
        lp.row(ys.into_iter().map(|y| (y, 1.0)).collect(), 1.0);
    }
    for (h, f) in free.iter().enumerate() {
        let row: Vec<(usize, f64)> = x
            .iter()
            .filter(|c| c.2 == h)
            .map(|&(j, s, _, c)| (c, model.jobs[j].shapes[s].chunk.gb()))
            .collect();
        if !row.is_empty() {
            lp.row(row, f.gb());
        }
    }
    // With no whole solution found the table is the pinned jobs alone, which
    // loses to every other candidate.
    match lp.solve_whole(EXACT_NODES, guard.deadline) {
        Ok(solved) => {
            let mut table = pinned_only(model, &model.current);
            for &(j, s, h, c) in &x {
                let n = solved.as_ref().map_or(0.0, |v| v[c]).round() as u64;
                if n > 0 {
                    table[j].get_or_insert_with(|| Alloc { shape: s, count: vec![0; free.len()] }).count
                        [h] += n;
                }
            }
            Some(table)
        }
        Err(e) => {
            if guard.status == Status::Complete {
                guard.status = e;
            }
            None
        }
    }
}

/// The pinned jobs' allocations alone.
fn pinned_only(model: &Model, table: &Table) -> Table {
    table.iter().zip(&model.jobs).map(|(a, j)| if j.pinned { a.clone() } else { None }).collect()
}

/// Jobs and shapes the planner may change: not pinned, with room somewhere.
fn open_shapes<'a>(model: &'a Model, free: &'a [Ram]) -> impl Iterator<Item = (usize, usize, u64)> + 'a {
    model.jobs.iter().enumerate().filter(|(_, j)| !j.pinned).flat_map(move |(j, job)| {
        job.shapes.iter().enumerate().filter_map(move |(s, shape)| {
            let fit: u64 = free.iter().map(|f| f.fits(shape.chunk)).sum();
            let most = fit.min(shape.cap);
            (most > 0 && shape.value > 0.0).then_some((j, s, most))
        })
    })
}

/// An upper bound on the value of `jobs` jobs with the open `shapes` (each with
/// its job) on hosts of the given `classes`, by Lagrangian relaxation of the host
/// capacities. For prices `λ ≥ 0` per unit of RAM on each
/// class of hosts with equal free RAM, every job chooses its best shape and hosts
/// alone (exactly: one shape, whole chunks, at most its cap), so
/// `L(λ) = Σ λ·free + Σ_jobs best(λ)` bounds every table; subgradient steps lower it.
/// `known` is the value of a table already found, which steers the step size.
fn lagrangian_bound(jobs: usize, shapes: &[(usize, &Shape)], classes: &[(Ram, u64)], known: f64) -> f64 {
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
    let mut left: f64 = capacity.iter().sum();
    let mut marginal = 0.0;
    for p in &pieces {
        if left <= 0.0 {
            break;
        }
        marginal = p.income / p.ram;
        left -= p.ram;
    }
    if left > 0.0 {
        marginal = 0.0;
    }
    let mut price: Vec<f64> = vec![marginal; classes.len()];
    let mut descent = Descent::new(known);
    let steps = (LAGRANGIAN_WORK / (shapes.len() * classes.len()).max(1)).clamp(3, 200);
    for _ in 0..steps {
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
    descent.best
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
    let mut classes: Vec<(Ram, u64)> = Vec::new();
    for &f in free.iter().filter(|f| **f > Ram::ZERO) {
        match classes.iter_mut().find(|c| c.0 == f) {
            Some(c) => c.1 += 1,
            None => classes.push((f, 1)),
        }
    }
    classes.sort();
    classes
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
fn packing_bound(jobs: usize, shapes: &[(usize, &Shape)], classes: &[(Ram, u64)], known: f64) -> f64 {
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
        if work == 0 {
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

/// The smallest rise in score a move must make, the same from every point of
/// view (so a table where no move helps from today's view is one where none
/// helps from its own; see the module documentation).
fn threshold(model: &Model) -> f64 {
    1e-9 * value_scale(model)
}

/// Fills the RAM a table leaves free, densest jobs first: each job first takes
/// back chunks where `today`'s table runs them (no start cost), then the host
/// where its chunks fit most tightly. With no `today`, change costs are ignored.
fn top_up(model: &Model, free: &[Ram], table: Table, today: Option<&Table>) -> Table {
    let room = model.room(free, &table);
    fill(model, table, room, today)
}

/// [`top_up`] given the RAM each host has left (`model.room` of the table).
fn fill(model: &Model, mut table: Table, mut room: Vec<Ram>, today: Option<&Table>) -> Table {
    let horizon = model.net.policy.horizon_s;
    let worth = |shape: &Shape| shape.value - if today.is_some() { shape.start / horizon } else { 0.0 };
    // Jobs with no allocation yet may start with their densest shape that fits.
    let mut order: Vec<(usize, usize)> = Vec::new();
    for (j, job) in model.jobs.iter().enumerate().filter(|(_, j)| !j.pinned) {
        let shape = match &table[j] {
            Some(a) => Some(a.shape),
            None => (0..job.offered)
                .filter(|&s| job.shapes[s].value > 0.0 && job.shapes[s].cap > 0)
                .filter(|&s| room.iter().any(|r| r.fits(job.shapes[s].chunk) > 0))
                .max_by(|&a, &b| density(&job.shapes[a]).total_cmp(&density(&job.shapes[b])).then(b.cmp(&a))),
        };
        if let Some(s) = shape {
            order.push((j, s));
        }
    }
    let per_unit = |j: usize, s: usize| {
        let shape = &model.jobs[j].shapes[s];
        worth(shape) / shape.chunk.0.max(1) as f64
    };
    order.sort_by(|a, b| per_unit(b.0, b.1).total_cmp(&per_unit(a.0, a.1)).then(a.0.cmp(&b.0)));
    for (j, s) in order {
        let shape = &model.jobs[j].shapes[s];
        if worth(shape) <= 0.0 {
            continue;
        }
        let alloc = table[j].get_or_insert_with(|| Alloc { shape: s, count: vec![0; room.len()] });
        let mut left = shape.cap.saturating_sub(alloc.total());
        if let Some(was) = today.and_then(|t| t[j].as_ref()).filter(|a| a.shape == s) {
            for ((r, held), &was) in room.iter_mut().zip(alloc.count.iter_mut()).zip(&was.count) {
                let n = was.saturating_sub(*held).min(r.fits(shape.chunk)).min(left);
                *held += n;
                *r -= shape.chunk * n;
                left -= n;
            }
        }
        while left > 0 {
            let Some(h) = (0..room.len()).filter(|&h| room[h] >= shape.chunk).min_by_key(|&h| (room[h], h))
            else {
                break;
            };
            let n = room[h].fits(shape.chunk).min(left);
            alloc.count[h] += n;
            room[h] -= shape.chunk * n;
            left -= n;
        }
        if alloc.total() == 0 {
            table[j] = None;
        }
    }
    table
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
    let seed: Table = model
        .jobs
        .iter()
        .enumerate()
        .map(|(j, job)| {
            if job.pinned {
                return model.current[j].clone();
            }
            let fit = |s: &Shape| free.iter().map(|f| f.fits(s.chunk)).sum::<u64>().min(s.cap);
            let earns =
                |s: &Shape| s.value * (budget[j] / s.chunk.0.max(1) as f64).floor().min(fit(s) as f64);
            (0..job.offered)
                .filter(|&s| budget[j] > 0.0 && earns(&job.shapes[s]) > 0.0)
                .max_by(|&a, &b| earns(&job.shapes[a]).total_cmp(&earns(&job.shapes[b])).then(b.cmp(&a)))
                .map(|s| Alloc { shape: s, count: vec![0; free.len()] })
        })
        .collect();
    let table = top_up(model, free, seed, None);
    climb(model, free, table, None, guard)
}

/// The shape of job `j` that earns most on a host with `free` RAM alone (at
/// most its cap): what a job not running yet tries there first.
fn best_on(model: &Model, j: usize, free: Ram) -> Option<usize> {
    let shapes = &model.jobs[j].shapes[..model.jobs[j].offered];
    let earns = |s: &Shape| s.value * free.fits(s.chunk).min(s.cap) as f64;
    (0..shapes.len())
        .filter(|&s| earns(&shapes[s]) > 0.0)
        .max_by(|&a, &b| earns(&shapes[a]).total_cmp(&earns(&shapes[b])).then(b.cmp(&a)))
}

/// The densest shape of job `j` whose chunk fits in `room`.
fn densest_within(model: &Model, j: usize, room: Ram) -> Option<usize> {
    let shapes = &model.jobs[j].shapes[..model.jobs[j].offered];
    (0..shapes.len())
        .filter(|&s| shapes[s].value > 0.0 && shapes[s].cap > 0 && shapes[s].chunk <= room)
        .max_by(|&a, &b| density(&shapes[a]).total_cmp(&density(&shapes[b])).then(b.cmp(&a)))
}

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
/// made depends on the point of view.
fn climb(model: &Model, free: &[Ram], mut table: Table, today: Option<&Table>, guard: &mut Guard) -> Table {
    let mut search = Search::new(model, today, free, &table);
    let open: Vec<usize> = (0..model.jobs.len()).filter(|&j| !model.jobs[j].pinned).collect();
    let mut passes = 0;
    // Insert sweeps until one changes nothing, then a reshape sweep (dearer);
    // done when that changes nothing either: a local optimum of both moves.
    loop {
        loop {
            passes += 1;
            if passes > CLIMB_PASSES {
                if guard.status == Status::Complete {
                    guard.status =
                        Status::Error(format!("the local search did not settle in {CLIMB_PASSES} passes"));
                }
                return table;
            }
            let mut changed = false;
            for (h, &on) in free.iter().enumerate() {
                for &j in &open {
                    let shapes = match &table[j] {
                        Some(a) => [Some(a.shape), None],
                        // A job not running tries the shape best for the host alone,
                        // and the densest that fits in what is left there.
                        None => [best_on(model, j, on), densest_within(model, j, search.room[h])],
                    };
                    changed |=
                        shapes.into_iter().flatten().any(|s| search.insert(&mut table, j, s, h, u64::MAX));
                }
            }
            if guard.out_of_time() {
                return table;
            }
            if !changed {
                break;
            }
        }
        let mut reshaped = false;
        for &j in &open {
            reshaped |= search.reshape(&mut table, j);
        }
        if !reshaped || guard.out_of_time() {
            return table;
        }
    }
}

/// What the local search moves need to score a change incrementally.
struct Search<'a> {
    model: &'a Model,
    /// The point of view: today's table, or none (no change costs).
    today: Option<&'a Table>,
    free: &'a [Ram],
    /// RAM left on each host by the table being improved.
    room: Vec<Ram>,
    threshold: f64,
    /// Per host, the jobs with chunks there that are not pinned, by income per
    /// GB, least first; `None` once the host's chunks changed.
    residents: Vec<Option<Vec<(f64, usize)>>>,
}

impl<'a> Search<'a> {
    fn new(model: &'a Model, today: Option<&'a Table>, free: &'a [Ram], table: &Table) -> Search<'a> {
        let room = model.room(free, table);
        Search { model, today, free, room, threshold: threshold(model), residents: vec![None; free.len()] }
    }

    /// The jobs with chunks on host `h` (not pinned), least income per GB first.
    fn residents(&mut self, table: &Table, h: usize) -> &[(f64, usize)] {
        let model = self.model;
        self.residents[h].get_or_insert_with(|| {
            let mut on: Vec<(f64, usize)> = (0..model.jobs.len())
                .filter(|&k| !model.jobs[k].pinned)
                .filter_map(|k| {
                    table[k].as_ref().filter(|a| a.count[h] > 0).map(|a| (density(model.shape(k, a)), k))
                })
                .collect();
            on.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            on
        })
    }

    /// Net change of the score, per second, from one more (`up`) or one fewer chunk
    /// of job `j` in shape `s` on host `h`, where the table now holds `held` of them.
    fn delta(&self, j: usize, s: usize, h: usize, held: u64, up: bool) -> f64 {
        let shape = &self.model.jobs[j].shapes[s];
        let value = if up { shape.value } else { -shape.value };
        let Some(today) = self.today else { return value };
        let was = today[j].as_ref().filter(|a| a.shape == s).map_or(0, |a| a.count[h]);
        // A chunk that today's table runs there costs nothing to keep and `stop` to lose.
        let cost = match (up, held < was, held <= was) {
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
        let held_total = table[j].as_ref().map_or(0, Alloc::total);
        let count = |table: &Table, k: usize, x: usize| table[k].as_ref().map_or(0, |a| a.count[x]);
        if shape.cap <= held_total || shape.chunk > self.free[h] {
            return false;
        }
        let gain = self.delta(j, s, h, count(table, j, h), true);
        if gain <= 0.0 {
            return false;
        }
        if self.room[h] >= shape.chunk {
            return self.add(table, j, s, h, most);
        }
        // Chunks of `j` go in one at a time, each evicting the chunks on `h` that
        // earn less per GB than `j`'s, least first, until it fits; an evicted
        // chunk moves to the tightest other host with room when that pays. They
        // go in while each raises the score.
        let mine = density(shape);
        let mut could = self.room[h];
        let victims: Vec<(f64, usize)> = self
            .residents(table, h)
            .iter()
            .take_while(|v| v.0 < mine)
            .filter(|v| v.1 != j)
            .copied()
            .collect();
        for &(_, k) in &victims {
            let a = table[k].as_ref().unwrap();
            could += model.shape(k, a).chunk * a.count[h];
        }
        if could < shape.chunk {
            return false;
        }
        let mut room = self.room.clone();
        room[h] = Ram::ZERO;
        let mut space = self.room[h];
        let mut evicted: Vec<usize> = Vec::new(); // a job per chunk
        let mut moved: Vec<(usize, usize)> = Vec::new(); // (job, host) per chunk
        let mut arrived: std::collections::BTreeMap<(usize, usize), u64> = Default::default();
        let (mut next, mut left) = (0, victims.first().map_or(0, |v| count(table, v.1, h)));
        let (mut added, mut net) = (0, 0.0);
        let held = count(table, j, h);
        while held_total + added < shape.cap && added < most {
            let mut step = self.delta(j, s, h, held + added, true);
            if step <= 0.0 {
                break;
            }
            let undo = (evicted.len(), moved.len(), space);
            while space < shape.chunk && next < victims.len() {
                let k = victims[next].1;
                let a = table[k].as_ref().unwrap();
                let chunk = model.shape(k, a).chunk;
                step += self.delta(k, a.shape, h, left, false);
                space += chunk;
                evicted.push(k);
                if let Some(x) = (0..room.len()).filter(|&x| room[x] >= chunk).min_by_key(|&x| (room[x], x)) {
                    let there = count(table, k, x) + arrived.get(&(k, x)).copied().unwrap_or(0);
                    let d = self.delta(k, a.shape, x, there, true);
                    if d > 0.0 {
                        step += d;
                        room[x] -= chunk;
                        *arrived.entry((k, x)).or_default() += 1;
                        moved.push((k, x));
                    }
                }
                left -= 1;
                if left == 0 {
                    next += 1;
                    left = victims.get(next).map_or(0, |v| count(table, v.1, h));
                }
            }
            if space < shape.chunk || step <= 0.0 {
                // This chunk does not pay (or fit): take its evictions back.
                for &(k, x) in &moved[undo.1..] {
                    room[x] += model.shape(k, table[k].as_ref().unwrap()).chunk;
                    *arrived.get_mut(&(k, x)).unwrap() -= 1;
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
            return false;
        }
        for &k in &evicted {
            table[k].as_mut().unwrap().count[h] -= 1;
        }
        for &(k, x) in &moved {
            table[k].as_mut().unwrap().count[x] += 1;
        }
        table[j].get_or_insert_with(|| Alloc { shape: s, count: vec![0; self.free.len()] }).count[h] += added;
        for a in table.iter_mut() {
            if a.as_ref().is_some_and(|a| a.total() == 0) {
                *a = None;
            }
        }
        room[h] = space;
        self.room = room;
        self.residents[h] = None;
        for &(_, x) in &moved {
            self.residents[x] = None;
        }
        true
    }

    /// Chunks of job `j` in shape `s` that today's table runs on host `h`.
    fn was(&self, j: usize, s: usize, h: usize) -> u64 {
        self.today.and_then(|t| t[j].as_ref()).filter(|a| a.shape == s).map_or(0, |a| a.count[h])
    }

    /// Adds chunks of job `j` in shape `s` on host `h`, where there is room for
    /// one at least: as many as fit, the cap allows and raise the score; says
    /// whether it added any.
    fn add(&mut self, table: &mut Table, j: usize, s: usize, h: usize, most: u64) -> bool {
        let shape = &self.model.jobs[j].shapes[s];
        let held = table[j].as_ref().map_or(0, |a| a.count[h]);
        let total = table[j].as_ref().map_or(0, Alloc::total);
        let room = self.room[h].fits(shape.chunk).min(shape.cap - total).min(most);
        let was = self.was(j, s, h);
        // The deltas are constant up to today's count there, then constant again
        // (and smaller): take each run whole while it pays.
        let (mut n, mut net) = (0, 0.0);
        while n < room {
            let d = self.delta(j, s, h, held + n, true);
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
        table[j].get_or_insert_with(|| Alloc { shape: s, count: vec![0; self.free.len()] }).count[h] += n;
        self.room[h] -= shape.chunk * n;
        self.residents[h] = None;
        true
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
        // A job's part of the score; a trial is scored by the jobs it changes.
        let part = |k: usize, a: Option<&Alloc>| {
            let cost =
                if self.today.is_some() { model.job_cost(k, a) / model.net.policy.horizon_s } else { 0.0 };
            model.job_value(k, a) - cost
        };
        let mut improved = false;
        // Climb one way while each step scores higher; try the other way only if
        // the first step fails.
        let own = sizes.get(at) == Some(&a.shape);
        for step in [-1isize, 1] {
            let mut i = if own || step < 0 { at as isize + step } else { at as isize };
            while let Some(&s) = usize::try_from(i).ok().and_then(|i| sizes.get(i)) {
                let mut trial = table.clone();
                let mut room = self.room.clone();
                if let Some(a) = trial[j].take() {
                    let chunk = model.shape(j, &a).chunk;
                    room.iter_mut().zip(&a.count).for_each(|(r, &n)| *r += chunk * n);
                }
                let mut refill = Search { room, ..Search::new(model, None, self.free, &trial) };
                for h in 0..self.free.len() {
                    refill.insert(&mut trial, j, s, h, u64::MAX);
                }
                let trial = fill(model, trial, refill.room, None);
                let value: f64 = (0..trial.len())
                    .filter(|&k| trial[k] != table[k])
                    .map(|k| part(k, trial[k].as_ref()) - part(k, table[k].as_ref()))
                    .sum();
                if value <= self.threshold {
                    break;
                }
                *table = trial;
                self.room = model.room(self.free, table);
                self.residents.iter_mut().for_each(|r| *r = None);
                improved = true;
                i += step;
            }
            if improved {
                return true;
            }
        }
        false
    }
}

/// Divides every value so the largest is about 1: microlp wants coefficients of
/// similar size, and incomes span nine orders of magnitude.
fn value_scale(model: &Model) -> f64 {
    model.jobs.iter().flat_map(|j| &j.shapes).map(|s| s.value).fold(0.0, f64::max).max(1e-12)
}

/// A small MILP in column form, solved with microlp.
#[derive(Default)]
struct Lp {
    /// (objective coefficient, upper bound); every column is `≥ 0`.
    columns: Vec<(f64, f64)>,
    /// Columns that must take whole values, with their warm-start value.
    integers: Vec<(usize, f64)>,
    /// (coefficients, right-hand side) of `Σ ≤ rhs`.
    rows: Vec<(Vec<(usize, f64)>, f64)>,
}

impl Lp {
    fn column(&mut self, objective: f64, upper: f64) -> usize {
        self.columns.push((objective, upper));
        self.columns.len() - 1
    }

    /// An integer column, with its value in the warm start.
    fn integer(&mut self, objective: f64, upper: f64, start: f64) -> usize {
        let c = self.column(objective, upper);
        self.integers.push((c, start));
        c
    }

    fn row(&mut self, coefficients: Vec<(usize, f64)>, rhs: f64) {
        self.rows.push((coefficients, rhs));
    }

    /// Maximises with the integer columns whole, by microlp's branch and bound,
    /// warm-started. It stops after `nodes` nodes with the best whole solution
    /// found, so its answer depends on the model alone, never on how busy the
    /// machine is.
    fn solve_whole(&self, nodes: u64, deadline: Instant) -> Result<Option<Vec<f64>>, Status> {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(Status::TimeLimit);
        }
        let mut problem = microlp::Problem::new(microlp::OptimizationDirection::Maximize);
        let mut start = vec![None; self.columns.len()];
        for &(c, value) in &self.integers {
            start[c] = Some(value);
        }
        let vars: Vec<microlp::Variable> = self
            .columns
            .iter()
            .zip(&start)
            .map(|(&(objective, upper), start)| match start {
                // microlp keeps integer bounds in i32.
                Some(_) => problem.add_integer_var(objective, (0, upper.min(f64::from(i32::MAX)) as i32)),
                None => problem.add_var(objective, (0.0, upper)),
            })
            .collect();
        for (coefficients, rhs) in &self.rows {
            let mut e = microlp::LinearExpr::empty();
            for &(c, a) in coefficients {
                e.add(vars[c], a);
            }
            problem.add_constraint(e, microlp::ComparisonOp::Le, *rhs);
        }
        let mut options = microlp::SolveOptions::default();
        options.node_limit = Some(nodes);
        options.time_limit = Some(left);
        options.warm_start = Some(self.integers.iter().map(|&(c, value)| (vars[c], value)).collect());
        match problem.solve_with(options) {
            Ok(outcome) if outcome.termination_reason() == microlp::TerminationReason::TimeLimit => {
                Err(Status::TimeLimit)
            }
            Ok(outcome) => Ok(outcome.solution().map(|s| vars.iter().map(|&v| s.var_value(v)).collect())),
            Err(microlp::Error::Infeasible) => Ok(None),
            Err(e) => Err(Status::Error(e.to_string())),
        }
    }
}
