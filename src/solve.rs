//! Finds a good table for a model: the only user of good_lp and microlp.
//!
//! The exact per-host integer program is far too slow at real sizes (see
//! `docs/solvers.md` of the design notes), so the cycle is decomposed:
//!
//! 1. **Aggregate LP** over per-shape totals `z[j,s]` (no host variables):
//!    `Σ_s z[j,s] / cap[j,s] ≤ 1` per job, `Σ chunk·z ≤ free RAM`,
//!    `z[j,s] ≤ chunks of s that fit on the hosts one by one`, net of change costs.
//!    Each job takes the one shape that earns most with the RAM the LP gave it.
//! 2. **Greedy fill**: densest jobs first, each keeps today's chunks where they run,
//!    then takes the host where its chunks fit most tightly.
//! 3. **Local search** ([`improve`]): insert chunks with eviction and relocation,
//!    and reshape a job to a neighbouring batch size, while the score rises.
//! 4. **Exact** per-host MILP, for tiny models only: microlp's branch and bound,
//!    warm-started, stopped by a node count.
//!
//! Today's table with only the forced changes ([`baseline`]) and that table topped
//! up compete with the result; the best [`Model::net_value`] wins, today's table on
//! a tie. A per-host LP after stage 1 was measured too: slower (100 ms on the
//! late-game model) and no better than stages 2–3, so it is gone. The bound is
//! the smaller of two Lagrangian relaxations: of the host capacities
//! ([`lagrangian_bound`]), and of the jobs' caps with an exact knapsack per small
//! host and a branch on each job's shape ([`packing_bound`]).
//!
//! A solver error or a time-out never fails the plan: the stage is skipped and
//! the candidates that remain still compete.

use good_lp::{variable, Expression, ProblemVariables, Solution, SolverModel, WithTimeLimit};

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

/// Solves the model, giving up on LP stages once `deadline` has passed.
pub(crate) fn solve(model: &Model, deadline: Instant) -> Outcome {
    let free = model.free_for_plan();
    let current = &model.current;
    let mut status = Status::Complete;
    let mut note = |s: Status| {
        if status == Status::Complete {
            status = s;
        }
    };
    let baseline = baseline(model, &free);
    let grown = top_up(model, &free, baseline.clone());
    let mut candidates = vec![baseline.clone(), grown];
    match aggregate(model, &free, deadline) {
        Ok(choice) => {
            // Each job starts from its chosen shape with no chunks; the fill keeps
            // today's chunks where they run, then the local search places the rest.
            let seed: Table = choice
                .iter()
                .enumerate()
                .map(|(j, s)| match model.jobs[j].pinned {
                    true => current[j].clone(),
                    false => s.map(|s| Alloc { shape: s, count: vec![0; free.len()] }),
                })
                .collect();
            let mut table = top_up(model, &free, seed);
            improve(model, &free, &mut table, deadline);
            candidates.push(table);
        }
        Err(e) => note(e),
    }
    let best = best_of(model, &candidates);
    if let Some(exact) = exact(model, &free, &candidates[best], deadline) {
        match exact {
            Ok(table) => candidates.push(table),
            Err(e) => note(e),
        }
    }
    let best = best_of(model, &candidates);
    Outcome { table: candidates.swap_remove(best), baseline, status }
}

/// An upper bound on [`Model::value`] of any valid table; `table` (a good one)
/// sets the step size. Two relaxations see different things, so the smaller
/// bound is taken; the second, dearer one only runs when the first leaves more
/// than [`BOUND_SLACK`] between `table` and the bound.
pub(crate) fn bound(model: &Model, table: &Table) -> f64 {
    let free = model.free_for_plan();
    let pinned_value = model.value(&pinned_only(model, &model.current));
    let known = model.value(table) - pinned_value;
    let shapes: Vec<(usize, &Shape)> =
        open_shapes(model, &free).map(|(j, s, _)| (j, &model.jobs[j].shapes[s])).collect();
    let classes = host_classes(&free);
    let jobs = model.jobs.len();
    let mut bound = lagrangian_bound(jobs, &shapes, &classes, known);
    if bound > known * (1.0 + BOUND_SLACK) {
        bound = bound.min(packing_bound(jobs, &shapes, &classes, known));
    }
    pinned_value + bound
}

/// A gap between a table and its bound that is not worth more work to close.
const BOUND_SLACK: f64 = 1e-3;

/// Today's table with only the changes that drains and caps force, made as cheaply
/// as possible: chunks above a cap are dropped; chunks on drained hosts move to
/// free room ([`Model::repair`]) or, when there is none, displace less valuable
/// work elsewhere when that pays; what cannot be re-homed is dropped.
fn baseline(model: &Model, free: &[Ram]) -> Table {
    let mut table = model.repair();
    let mut search = Search { model, current: &model.current, free, room: model.room(free, &table) };
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

/// Stage 4, for tiny models only: the exact per-host integer program over every
/// shape, warm-started from `start`. `None` when the model is too large for it.
fn exact(model: &Model, free: &[Ram], start: &Table, deadline: Instant) -> Option<Result<Table, Status>> {
    let current = &model.current;
    let horizon = model.net.policy.horizon_s;
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
            let c = lp.integer((shape.value - shape.start / horizon) / scale, most as f64, warm);
            cap_row.push((c, 1.0));
            x.push((j, s, h, c));
            // Keeping today's chunks saves their start and stop costs.
            let today = current[j].as_ref().filter(|a| a.shape == s).map_or(0, |a| a.count[h]);
            if today > 0 {
                let k = lp.column((shape.start + shape.stop) / horizon / scale, today as f64);
                lp.row(vec![(k, 1.0), (c, -1.0)], 0.0);
            }
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
    Some(lp.solve_whole(EXACT_NODES, deadline).map(|solved| {
        let mut table = pinned_only(model, current);
        for &(j, s, h, c) in &x {
            let n = solved.as_ref().map_or(0.0, |v| v[c]).round() as u64;
            if n > 0 {
                table[j].get_or_insert_with(|| Alloc { shape: s, count: vec![0; free.len()] }).count[h] += n;
            }
        }
        table
    }))
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

/// Stage 1: the aggregate LP, net of change costs; per job, the shape to run.
fn aggregate(model: &Model, free: &[Ram], deadline: Instant) -> Result<Vec<Option<usize>>, Status> {
    let cols: Vec<(usize, usize, u64)> = open_shapes(model, free).collect();
    let scale = value_scale(model);
    let horizon = model.net.policy.horizon_s;
    let mut lp = Lp::default();
    for &(j, s, most) in &cols {
        let shape = &model.jobs[j].shapes[s];
        let mut value = shape.value;
        if model.jobs[j].current.map(|c| c.1) != Some(s) {
            value -= shape.start / horizon;
        }
        lp.column(value / scale, most as f64);
    }
    let total: Ram = free.iter().copied().sum();
    lp.row(
        cols.iter().enumerate().map(|(c, &(j, s, _))| (c, model.jobs[j].shapes[s].chunk.gb())).collect(),
        total.gb(),
    );
    for (j, job) in model.jobs.iter().enumerate() {
        let row: Vec<(usize, f64)> = cols
            .iter()
            .enumerate()
            .filter(|(_, c)| c.0 == j)
            .map(|(c, &(_, s, _))| (c, 1.0 / job.shapes[s].cap as f64))
            .collect();
        if row.len() > 1 {
            lp.row(row, 1.0);
        }
    }
    let z = lp.solve(deadline)?;
    // The LP may split a job's RAM over several shapes; a job runs one. Choose the
    // shape that earns most with the RAM the LP gave the job (within its cap and
    // what fits), or, for a job the LP left out, its densest shape in case
    // rounding frees room.
    let mut budget = vec![0.0; model.jobs.len()];
    for (c, &(j, s, _)) in cols.iter().enumerate() {
        budget[j] += z[c] * model.jobs[j].shapes[s].chunk.0 as f64;
    }
    let mut choice: Vec<Option<usize>> = vec![None; model.jobs.len()];
    let mut best = vec![f64::NEG_INFINITY; model.jobs.len()];
    for &(j, s, most) in &cols {
        let shape = &model.jobs[j].shapes[s];
        let score = if budget[j] > 0.0 {
            shape.value * (budget[j] / shape.chunk.0 as f64).floor().min(most as f64).max(1.0)
        } else {
            density(shape)
        };
        if score > best[j] {
            best[j] = score;
            choice[j] = Some(s);
        }
    }
    Ok(choice)
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
    let mut price = vec![0.0; classes.len()];
    let mut descent = Descent::new(known);
    let mut order: Vec<(f64, usize)> = Vec::with_capacity(classes.len());
    for _ in 0..200 {
        let mut bound: f64 = price.iter().zip(&capacity).map(|(p, c)| p * c).sum();
        let mut used = vec![0.0; classes.len()];
        let mut job_best: Vec<(f64, Vec<(usize, f64)>)> = vec![(0.0, Vec::new()); jobs];
        for &(j, shape) in shapes {
            let chunk = shape.chunk.0 as f64;
            order.clear();
            order.extend(
                classes
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| c.0.fits(shape.chunk) > 0)
                    .map(|(c, _)| (shape.value - price[c] * chunk, c))
                    .filter(|p| p.0 > 0.0),
            );
            order.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            let mut left = shape.cap;
            let mut total = 0.0;
            let mut use_: Vec<(usize, f64)> = Vec::new();
            for &(profit, c) in &order {
                let n = (classes[c].0.fits(shape.chunk) * classes[c].1).min(left);
                total += profit * n as f64;
                use_.push((c, n as f64 * chunk));
                left -= n;
                if left == 0 {
                    break;
                }
            }
            if total > job_best[j].0 {
                job_best[j] = (total, use_);
            }
        }
        for (total, use_) in &job_best {
            bound += total;
            for &(c, r) in use_ {
                used[c] += r;
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

/// Fills the RAM a table leaves free, densest jobs first: each job first takes
/// back chunks where today's table runs them (no start cost), then the host
/// where its chunks fit most tightly.
pub(crate) fn top_up(model: &Model, free: &[Ram], mut table: Table) -> Table {
    let current = &model.current;
    let mut room = model.room(free, &table);
    let horizon = model.net.policy.horizon_s;
    // Jobs with no allocation yet may start with their densest shape that fits.
    let mut order: Vec<(usize, usize)> = Vec::new();
    for (j, job) in model.jobs.iter().enumerate().filter(|(_, j)| !j.pinned) {
        let shape = match &table[j] {
            Some(a) => Some(a.shape),
            None => (0..job.shapes.len())
                .filter(|&s| job.shapes[s].value > 0.0 && job.shapes[s].cap > 0)
                .filter(|&s| room.iter().any(|r| r.fits(job.shapes[s].chunk) > 0))
                .max_by(|&a, &b| density(&job.shapes[a]).total_cmp(&density(&job.shapes[b])).then(b.cmp(&a))),
        };
        if let Some(s) = shape {
            order.push((j, s));
        }
    }
    let worth = |j: usize, s: usize| {
        let shape = &model.jobs[j].shapes[s];
        (shape.value - shape.start / horizon) / shape.chunk.0.max(1) as f64
    };
    order.sort_by(|a, b| worth(b.0, b.1).total_cmp(&worth(a.0, a.1)).then(a.0.cmp(&b.0)));
    for (j, s) in order {
        let shape = &model.jobs[j].shapes[s];
        if shape.value - shape.start / horizon <= 0.0 {
            continue;
        }
        let alloc = table[j].get_or_insert_with(|| Alloc { shape: s, count: vec![0; room.len()] });
        let today = current[j].as_ref().filter(|a| a.shape == s);
        let mut left = shape.cap.saturating_sub(alloc.total());
        if let Some(today) = today {
            for ((r, held), &was) in room.iter_mut().zip(alloc.count.iter_mut()).zip(&today.count) {
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

/// Local search until no move helps or time runs out, with two moves:
///
/// * **insert**: add one chunk of a job on a host, evicting the chunks of other jobs
///   there that lose least, when that raises [`Model::net_value`]. This repairs
///   what flooring the LP loses (a knapsack that wants one fewer small chunk to fit
///   a large one).
/// * **reshape**: switch one job to the next smaller or larger batch size, refill
///   the RAM greedily, and keep the result when the whole table scores higher.
fn improve(model: &Model, free: &[Ram], table: &mut Table, deadline: Instant) {
    let mut search = Search { model, current: &model.current, free, room: model.room(free, table) };
    for _ in 0..20 {
        let mut changed = false;
        for h in 0..free.len() {
            for j in (0..model.jobs.len()).filter(|&j| !model.jobs[j].pinned) {
                let shapes: Vec<usize> = match &table[j] {
                    Some(a) => vec![a.shape],
                    None => (0..model.jobs[j].shapes.len()).collect(),
                };
                changed |= shapes.into_iter().any(|s| search.insert(table, j, s, h, u64::MAX));
            }
            if Instant::now() >= deadline {
                return;
            }
        }
        for j in (0..model.jobs.len()).filter(|&j| !model.jobs[j].pinned) {
            changed |= search.reshape(table, j);
            if Instant::now() >= deadline {
                return;
            }
        }
        if !changed {
            return;
        }
    }
}

/// What the local search moves need to score a change incrementally.
struct Search<'a> {
    model: &'a Model,
    current: &'a Table,
    free: &'a [Ram],
    /// RAM left on each host by the table being improved.
    room: Vec<Ram>,
}

impl Search<'_> {
    /// Net change of the score, per second, from one more (`up`) or one fewer chunk
    /// of job `j` in shape `s` on host `h`, where the table now holds `held` of them.
    fn delta(&self, j: usize, s: usize, h: usize, held: u64, up: bool) -> f64 {
        let shape = &self.model.jobs[j].shapes[s];
        let today = self.current[j].as_ref().filter(|a| a.shape == s).map_or(0, |a| a.count[h]);
        // A chunk that today's table runs there costs nothing to keep and `stop` to lose.
        let cost = match (up, held < today, held <= today) {
            (true, true, _) => -shape.stop,
            (true, false, _) => shape.start,
            (false, _, true) => shape.stop,
            (false, _, false) => -shape.start,
        };
        let value = if up { shape.value } else { -shape.value };
        value - cost / self.model.net.policy.horizon_s
    }

    /// Adds chunks of job `j` in shape `s` on host `h` if that raises the score,
    /// evicting other jobs' cheapest chunks there when room is short (they move to
    /// other hosts when that pays); says whether it did.
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
        // Evict the cheapest chunks on `h` until one chunk of `j` fits.
        let mut space = self.room[h];
        let mut net = gain;
        let mut evicted: Vec<(usize, usize)> = Vec::new(); // (job, shape), one per chunk
        if space < shape.chunk {
            let mut victims: Vec<(f64, usize)> = (0..model.jobs.len())
                .filter(|&k| k != j && !model.jobs[k].pinned)
                .filter_map(|k| table[k].as_ref().filter(|a| a.count[h] > 0).map(|a| (k, a)))
                .map(|(k, a)| {
                    (-self.delta(k, a.shape, h, a.count[h], false) / model.shape(k, a).chunk.0 as f64, k)
                })
                .collect();
            victims.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            for &(_, k) in &victims {
                let a = table[k].as_ref().unwrap();
                let mut left = a.count[h];
                while space < shape.chunk && left > 0 {
                    net += self.delta(k, a.shape, h, left, false);
                    space += model.shape(k, a).chunk;
                    left -= 1;
                    evicted.push((k, a.shape));
                }
                if space >= shape.chunk {
                    break;
                }
            }
            if space < shape.chunk {
                return false;
            }
        }
        // Evicted chunks move to the best other host with room, if moving pays.
        let mut room = self.room.clone();
        room[h] = Ram::ZERO;
        let mut moved: Vec<(usize, usize, usize)> = Vec::new(); // (job, shape, host)
        for &(k, a) in &evicted {
            let chunk = model.jobs[k].shapes[a].chunk;
            let best = (0..room.len())
                .filter(|&x| room[x] >= chunk)
                .map(|x| {
                    let held =
                        count(table, k, x) + moved.iter().filter(|m| m.0 == k && m.2 == x).count() as u64;
                    (self.delta(k, a, x, held, true), x)
                })
                .max_by(|p, q| p.0.total_cmp(&q.0).then(q.1.cmp(&p.1)));
            if let Some((d, x)) = best.filter(|b| b.0 > 0.0) {
                net += d;
                room[x] -= chunk;
                moved.push((k, a, x));
            }
        }
        // The first chunk goes in; more follow while the room and the cap allow.
        let mut added = 1;
        space -= shape.chunk;
        while space >= shape.chunk && held_total + added < shape.cap && added < most {
            let d = self.delta(j, s, h, count(table, j, h) + added, true);
            if d <= 0.0 {
                break;
            }
            net += d;
            space -= shape.chunk;
            added += 1;
        }
        if net <= 1e-9 * gain {
            return false;
        }
        let empty = || Alloc { shape: 0, count: vec![0; self.free.len()] };
        for &(k, _) in &evicted {
            table[k].as_mut().unwrap().count[h] -= 1;
        }
        for &(k, a, x) in &moved {
            table[k].get_or_insert_with(|| Alloc { shape: a, ..empty() }).count[x] += 1;
        }
        table[j].get_or_insert_with(|| Alloc { shape: s, ..empty() }).count[h] += added;
        for a in table.iter_mut() {
            if a.as_ref().is_some_and(|a| a.total() == 0) {
                *a = None;
            }
        }
        room[h] = space;
        self.room = room;
        true
    }

    /// Switches job `j` to a neighbouring shape of its kind if the refilled table
    /// scores higher; says whether it did.
    fn reshape(&mut self, table: &mut Table, j: usize) -> bool {
        let model = self.model;
        let Some(a) = &table[j] else { return false };
        let job = &model.jobs[j];
        let kind = job.shapes[a.shape].kind;
        // Shapes of the same kind, by chunk size: try the neighbours of the current one.
        let mut sizes: Vec<usize> = (0..job.shapes.len()).filter(|&s| job.shapes[s].kind == kind).collect();
        sizes.sort_by_key(|&s| (job.shapes[s].chunk, s));
        let at = sizes.iter().position(|&s| s == a.shape).unwrap_or(0);
        let mut best = model.net_value(table);
        let saved = self.room.clone();
        let mut improved = false;
        // Climb one way while each step scores higher; try the other way only if
        // the first step fails.
        for step in [-1isize, 1] {
            let mut i = at as isize + step;
            while let Some(&s) = usize::try_from(i).ok().and_then(|i| sizes.get(i)) {
                let mut trial = table.clone();
                trial[j] = None;
                self.room = model.room(self.free, &trial);
                for h in 0..self.free.len() {
                    self.insert(&mut trial, j, s, h, u64::MAX);
                }
                let trial = top_up(model, self.free, trial);
                let value = model.net_value(&trial);
                if value <= best + 1e-9 * best.abs() {
                    break;
                }
                best = value;
                *table = trial;
                improved = true;
                i += step;
            }
            if improved {
                self.room = model.room(self.free, table);
                return true;
            }
        }
        self.room = saved;
        false
    }
}

/// Divides every value so the largest is about 1: microlp wants coefficients of
/// similar size, and incomes span nine orders of magnitude.
fn value_scale(model: &Model) -> f64 {
    model.jobs.iter().flat_map(|j| &j.shapes).map(|s| s.value).fold(0.0, f64::max).max(1e-12)
}

/// A small LP (or MILP) in column form, solved with microlp through good_lp.
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

    /// Maximises with every column continuous; the column values, or why not.
    fn solve(&self, deadline: Instant) -> Result<Vec<f64>, Status> {
        if self.columns.is_empty() {
            return Ok(Vec::new());
        }
        let left = deadline.saturating_duration_since(Instant::now()).as_secs_f64();
        if left <= 0.0 {
            return Err(Status::TimeLimit);
        }
        let mut vars = ProblemVariables::new();
        let cols: Vec<_> =
            self.columns.iter().map(|&(_, upper)| vars.add(variable().min(0.0).max(upper))).collect();
        let mut objective = Expression::with_capacity(cols.len());
        for (&(c, _), &v) in self.columns.iter().zip(&cols) {
            objective.add_mul(c, v);
        }
        let mut problem = vars.maximise(objective).using(good_lp::microlp).with_time_limit(left);
        for (coefficients, rhs) in &self.rows {
            let mut e = Expression::with_capacity(coefficients.len());
            for &(c, a) in coefficients {
                e.add_mul(a, cols[c]);
            }
            problem.add_constraint(e.leq(*rhs));
        }
        let solution = problem.solve().map_err(|e| match e {
            good_lp::ResolutionError::Other(m) if m.contains("Time limit") => Status::TimeLimit,
            e => Status::Error(e.to_string()),
        })?;
        Ok(cols.iter().map(|&v| solution.value(v)).collect())
    }

    /// Maximises with the integer columns whole, by microlp's branch and bound,
    /// warm-started. It stops after `nodes` nodes with the best whole solution
    /// found, so its answer depends on the model alone, never on how busy the
    /// machine is. (good_lp passes on a time limit only, hence microlp directly.)
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
