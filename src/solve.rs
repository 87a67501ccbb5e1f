//! Finds a good table for a model: the only user of good_lp.
//!
//! The exact per-host integer program is far too slow at real sizes (see
//! `docs/solvers.md` of the design notes), so the cycle is decomposed:
//!
//! 1. **Aggregate LP** over per-shape totals `z[j,s]` (no host variables):
//!    `Σ_s z[j,s] / cap[j,s] ≤ 1` per job, `Σ chunk·z ≤ free RAM`,
//!    `z[j,s] ≤ chunks of s that fit on the hosts one by one`. Without change
//!    costs its optimum is a valid upper bound on the value of any table; with
//!    them it picks each job's shape (the one carrying most of its value).
//! 2. **Per-host LP** over the chosen shapes only: `x[j,h]` chunks, one capacity
//!    row per host, one cap row per job, and `kept[j,h] ≤ min(x[j,h], today's)`
//!    so that keeping a chunk where it runs is cheaper than moving it.
//! 3. **Round and repair**: floor, then greedily top up the RAM left, keeping
//!    chunks where they already run first, densest jobs first.
//! 4. **Improve**: the candidates (this table, today's table repaired, and today's
//!    table topped up) are scored by [`Model::net_value`]; the best one wins.
//!
//! A solver error or a time-out never fails the plan: the stage is skipped and
//! the candidates that remain still compete.

use std::time::Instant;

use good_lp::{microlp, variable, Expression, ProblemVariables, Solution, SolverModel, WithTimeLimit};

use crate::model::{density, Alloc, Model, Table};
use crate::Ram;

/// How the solve went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Status {
    /// Every stage ran to its optimum.
    Optimal,
    /// A stage ran out of time; the best table found so far was kept.
    TimeLimit,
    /// A stage failed; the best table found so far was kept.
    Error(String),
}

/// A solve's answer.
#[derive(Clone, Debug)]
pub(crate) struct Outcome {
    pub table: Table,
    pub status: Status,
    /// An upper bound on [`Model::value`] of any valid table.
    pub bound: f64,
}

/// Solves the model, giving up on LP stages once `deadline` has passed.
pub(crate) fn solve(model: &Model, deadline: Instant) -> Outcome {
    let free = model.free_for_plan();
    let current = model.current();
    let mut status = Status::Optimal;
    let mut note = |s: Status| {
        if status == Status::Optimal {
            status = s;
        }
    };
    let pinned_value: f64 = model.value(&pinned_only(model, &current));
    let bound = match aggregate(model, &free, false, deadline) {
        Ok(z) => pinned_value + z.objective,
        Err(e) => {
            note(e);
            upper_bound_by_density(model, &free) + pinned_value
        }
    };
    let mut candidates = vec![model.repair()];
    candidates.push(top_up(model, &free, candidates[0].clone()));
    match aggregate(model, &free, true, deadline).and_then(|z| per_host(model, &free, &z.choice, deadline)) {
        Ok(table) => candidates.push(top_up(model, &free, table)),
        Err(e) => note(e),
    }
    // The first best wins, so today's table is kept on a tie.
    let mut best = 0;
    for (i, t) in candidates.iter().enumerate() {
        if model.net_value(t) > model.net_value(&candidates[best]) + 1e-9 {
            best = i;
        }
    }
    let bound = bound.max(model.value(&candidates[best]));
    Outcome { table: candidates.swap_remove(best), status, bound }
}

/// The pinned jobs' allocations alone.
fn pinned_only(model: &Model, table: &Table) -> Table {
    table.iter().zip(&model.jobs).map(|(a, j)| if j.pinned { a.clone() } else { None }).collect()
}

/// Stage 1's answer.
struct Aggregate {
    objective: f64,
    /// Per job, the chosen shape, if any.
    choice: Vec<Option<usize>>,
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

/// Stage 1: the aggregate LP, with or without change costs.
fn aggregate(model: &Model, free: &[Ram], with_costs: bool, deadline: Instant) -> Result<Aggregate, Status> {
    let cols: Vec<(usize, usize, u64)> = open_shapes(model, free).collect();
    let scale = value_scale(model);
    let horizon = model.net.policy.horizon_s;
    let mut lp = Lp::default();
    for &(j, s, most) in &cols {
        let shape = &model.jobs[j].shapes[s];
        let mut value = shape.value;
        if with_costs && model.jobs[j].current.map(|c| c.1) != Some(s) {
            value -= shape.start / horizon;
        }
        lp.column(value / scale, most as f64);
    }
    let total: Ram = free.iter().copied().sum();
    lp.row(
        cols.iter().enumerate().map(|(c, &(j, s, _))| (c, gb(model.jobs[j].shapes[s].chunk))).collect(),
        gb(total),
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
    let mut choice = vec![None; model.jobs.len()];
    let mut best = vec![0.0; model.jobs.len()];
    for (c, &(j, s, _)) in cols.iter().enumerate() {
        let carried = z[c] * model.jobs[j].shapes[s].value;
        if z[c] > 1e-6 && carried > best[j] {
            best[j] = carried;
            choice[j] = Some(s);
        }
    }
    // A job the LP left out still gets its densest shape, in case rounding frees room.
    for &(j, s, _) in &cols {
        let better = match choice[j] {
            None => true,
            Some(_) if best[j] > 0.0 => false,
            Some(c) => density(&model.jobs[j].shapes[s]) > density(&model.jobs[j].shapes[c]),
        };
        if better {
            choice[j] = Some(s);
        }
    }
    let objective = z.iter().zip(&cols).map(|(v, &(j, s, _))| v * model.jobs[j].shapes[s].value).sum();
    Ok(Aggregate { objective, choice })
}

/// A bound that needs no solver: all free RAM at the best density there is.
fn upper_bound_by_density(model: &Model, free: &[Ram]) -> f64 {
    let total: Ram = free.iter().copied().sum();
    let best =
        open_shapes(model, free).map(|(j, s, _)| density(&model.jobs[j].shapes[s])).fold(0.0, f64::max);
    best * total.0 as f64
}

/// Stage 2: the per-host LP over the chosen shapes, floored to whole chunks.
fn per_host(
    model: &Model,
    free: &[Ram],
    choice: &[Option<usize>],
    deadline: Instant,
) -> Result<Table, Status> {
    let scale = value_scale(model);
    let horizon = model.net.policy.horizon_s;
    let current = model.current();
    let mut lp = Lp::default();
    // (job, host, column of x, column of kept)
    let mut cells: Vec<(usize, usize, usize, Option<usize>)> = Vec::new();
    for (j, s) in choice.iter().enumerate() {
        let Some(s) = *s else { continue };
        let shape = &model.jobs[j].shapes[s];
        let today = current[j].as_ref().filter(|a| a.shape == s);
        for (h, f) in free.iter().enumerate() {
            let most = f.fits(shape.chunk).min(shape.cap);
            if most == 0 {
                continue;
            }
            let x = lp.column((shape.value - shape.start / horizon) / scale, most as f64);
            let kept = today.map(|a| a.count[h]).filter(|&e| e > 0).map(|e| {
                let k = lp.column((shape.start + shape.stop) / horizon / scale, e.min(most) as f64);
                lp.row(vec![(k, 1.0), (x, -1.0)], 0.0);
                k
            });
            cells.push((j, h, x, kept));
        }
    }
    for (h, f) in free.iter().enumerate() {
        let row: Vec<(usize, f64)> = cells
            .iter()
            .filter(|c| c.1 == h)
            .map(|c| (c.2, gb(model.jobs[c.0].shapes[choice[c.0].unwrap()].chunk)))
            .collect();
        if !row.is_empty() {
            lp.row(row, gb(*f));
        }
    }
    for (j, s) in choice.iter().enumerate() {
        let Some(s) = *s else { continue };
        let row: Vec<(usize, f64)> = cells.iter().filter(|c| c.0 == j).map(|c| (c.2, 1.0)).collect();
        if !row.is_empty() {
            lp.row(row, model.jobs[j].shapes[s].cap as f64);
        }
    }
    let x = lp.solve(deadline)?;
    let mut table: Table = pinned_only(model, &current);
    for &(j, h, col, _) in &cells {
        let n = (x[col] + 1e-6).floor() as u64;
        if n > 0 {
            let alloc = table[j]
                .get_or_insert_with(|| Alloc { shape: choice[j].unwrap(), count: vec![0; free.len()] });
            alloc.count[h] += n;
        }
    }
    Ok(table)
}

/// Fills the RAM a table leaves free, densest jobs first: each job first takes
/// back chunks where today's table runs them (no start cost), then the host
/// where its chunks fit most tightly.
pub(crate) fn top_up(model: &Model, free: &[Ram], mut table: Table) -> Table {
    let current = model.current();
    let mut room = free.to_vec();
    for (j, a) in table.iter().enumerate() {
        if let Some(a) = a.as_ref().filter(|_| !model.jobs[j].pinned) {
            let chunk = model.shape(j, a).chunk;
            for (h, &n) in a.count.iter().enumerate() {
                room[h] = room[h].saturating_sub(chunk * n);
            }
        }
    }
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
            for h in 0..room.len() {
                let n =
                    today.count[h].saturating_sub(alloc.count[h]).min(room[h].fits(shape.chunk)).min(left);
                alloc.count[h] += n;
                room[h] -= shape.chunk * n;
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

fn gb(r: Ram) -> f64 {
    r.gb()
}

/// Divides every value so the largest is about 1: microlp wants coefficients of
/// similar size, and incomes span nine orders of magnitude.
fn value_scale(model: &Model) -> f64 {
    model.jobs.iter().flat_map(|j| &j.shapes).map(|s| s.value).fold(0.0, f64::max).max(1e-12)
}

/// A small LP in column form, solved with microlp through good_lp.
#[derive(Default)]
struct Lp {
    /// (objective coefficient, upper bound); every column is `≥ 0`.
    columns: Vec<(f64, f64)>,
    /// (coefficients, right-hand side) of `Σ ≤ rhs`.
    rows: Vec<(Vec<(usize, f64)>, f64)>,
}

impl Lp {
    fn column(&mut self, objective: f64, upper: f64) -> usize {
        self.columns.push((objective, upper));
        self.columns.len() - 1
    }

    fn row(&mut self, coefficients: Vec<(usize, f64)>, rhs: f64) {
        self.rows.push((coefficients, rhs));
    }

    /// Maximises; the column values, or why not.
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
            self.columns.iter().map(|&(_, ub)| vars.add(variable().min(0.0).max(ub))).collect();
        let mut objective = Expression::with_capacity(cols.len());
        for (&(c, _), &v) in self.columns.iter().zip(&cols) {
            objective.add_mul(c, v);
        }
        let mut problem = vars.maximise(objective).using(microlp).with_time_limit(left);
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
}
