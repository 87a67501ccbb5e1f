//! HWGW batches and the three task kinds on top of the formulas: till (weaken to
//! minimum security), sow (grow to maximum money) and harvest (HWGW batches,
//! `docs/formulas.md` §15); when batches run ([`Timing`]); the harvest *menu* of
//! batch sizes for one target; and the steady-state income curve that both the
//! planner's prep valuation and the simulator's ceiling rest on.

use super::hacking::{
    exp_per_thread, grow_log, grow_threads, hack_chance, hack_exp, hack_percent, land_grow, land_hack,
    land_weaken, threads_to_grow, weaken_per_thread, weaken_threads, weaken_time_ms, Server, GROW_SECURITY,
    HACK_SECURITY,
};
use crate::state::{Config, Player, TaskKind};
use crate::Ram;

/// RAM of `hack` hack threads and `other` grow and weaken threads; saturates
/// instead of overflowing when a thread count is `u64::MAX` ("impossible").
fn threads_ram(hack: u64, other: u64) -> Ram {
    Ram(Ram::HACK.0.saturating_mul(hack).saturating_add(Ram::THREAD.0.saturating_mul(other)))
}

/// One HWGW batch (one harvest chunk) at H hack threads on a prepped target, 1 core.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Batch {
    /// Hack threads H.
    pub hack: u64,
    /// Weaken threads that cancel the hack's security.
    pub weaken1: u64,
    /// Grow threads that restore the money taken.
    pub grow: u64,
    /// Weaken threads that cancel the grow's security.
    pub weaken2: u64,
    /// RAM of all four actions together.
    pub ram: Ram,
    /// The share of the maximum money its hack takes.
    pub fraction: f64,
    /// Expected dollars one batch takes (chance included).
    pub money: f64,
}

/// What every batch against one prepped target shares, computed once.
struct Prepped {
    /// Hack percent per thread.
    percent: f64,
    /// Hack chance.
    chance: f64,
    /// Grow log per thread on one core.
    k: f64,
    /// Weaken per thread on one core.
    weaken: f64,
    /// Maximum money.
    max_money: f64,
}

impl Prepped {
    fn new(player: &Player, server: &Server) -> Prepped {
        let ideal = server.ideal();
        Prepped {
            percent: hack_percent(player, &ideal),
            chance: hack_chance(player, &ideal),
            k: grow_log(player, &ideal, 1),
            weaken: weaken_per_thread(player, 1),
            max_money: ideal.max_money,
        }
    }

    /// The batch at `hack` threads; `grow_at_least` is the grow threads of a
    /// smaller batch, if known (see [`threads_to_grow`]).
    fn batch(&self, hack: u64, grow_at_least: Option<u64>) -> Batch {
        // A hack takes a linear share of the money, at most all of it.
        let stolen = (hack as f64 * self.percent).min(1.0);
        let left = ((1.0 - stolen) * self.max_money).max(0.0);
        let grow = threads_to_grow(self.k, left, self.max_money, grow_at_least);
        // At least one weaken each, so every batch keeps the four-action shape.
        let weaken1 = weaken_threads(hack as f64 * HACK_SECURITY, self.weaken).max(1);
        let weaken2 = weaken_threads(grow as f64 * GROW_SECURITY, self.weaken).max(1);
        let other = grow.saturating_add(weaken1).saturating_add(weaken2);
        Batch {
            hack,
            weaken1,
            grow,
            weaken2,
            ram: threads_ram(hack, other),
            fraction: stolen,
            money: stolen * self.max_money * self.chance,
        }
    }
}

/// The HWGW batch at `hack_threads` hack threads against the prepped `server`,
/// with grow and weaken on 1-core hosts (every network and purchased server).
pub fn batch(player: &Player, server: &Server, hack_threads: u64) -> Batch {
    Prepped::new(player, server).batch(hack_threads, None)
}

/// Batches in flight at full overlap: a batch holds its RAM for one weaken time
/// plus two spacings, and a new one starts every four spacings. At least 1.
pub fn overlap(weaken_ms: f64, spacing_ms: f64) -> u64 {
    // The cast saturates, and sends NaN to 0.
    (((weaken_ms + 2.0 * spacing_ms) / (4.0 * spacing_ms)).ceil() as u64).max(1)
}

/// When one target's batches run, from its weaken time at minimum security and
/// the spacing between landings (`docs/domain.md` §2.2).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Timing {
    /// Weaken time at minimum security, in ms.
    pub weaken_ms: f64,
    /// Milliseconds between the landings of a batch's four actions.
    pub spacing_ms: f64,
}

impl Timing {
    /// The timing of `server`'s batches by the formulas, at minimum security.
    pub fn of(player: &Player, server: &Server, config: &Config) -> Timing {
        Timing::at(player, &server.ideal(), config)
    }

    /// The timing at the server's security now (what `ns.getWeakenTime` gives).
    pub fn at(player: &Player, server: &Server, config: &Config) -> Timing {
        Timing { weaken_ms: weaken_time_ms(player, server), spacing_ms: config.spacing_ms }
    }

    /// Seconds between the landings of one batch's actions: H, W1, G and W2
    /// land one spacing apart, the batch ending with W2.
    pub fn spacing_s(&self) -> f64 {
        self.spacing_ms / 1000.0
    }

    /// Batches in flight at full overlap ([`overlap`]).
    pub fn overlap(&self) -> u64 {
        overlap(self.weaken_ms, self.spacing_ms)
    }

    /// Seconds one batch holds its RAM: from its first launch (W1) to its last
    /// landing (W2), one weaken time plus two spacings.
    pub fn cycle_s(&self) -> f64 {
        (self.weaken_ms + 2.0 * self.spacing_ms) / 1000.0
    }

    /// Seconds between the ending slots of two batches: four spacings.
    pub fn slot_s(&self) -> f64 {
        4.0 * self.spacing_ms / 1000.0
    }

    /// Seconds between two batches of one chunk: with a full overlap one batch
    /// lands every slot, so each chunk's slot comes round once every `overlap`.
    pub fn period_s(&self) -> f64 {
        self.overlap() as f64 * self.slot_s()
    }
}

/// One batch landing on `server` now; returns the dollars and the exp it earns.
///
/// The harvest keeps the share of the money it was sized for ([`Batch::fraction`]):
/// its hack threads are that share over the percent per thread at minimum
/// security now (so they fall as the skill rises). On a prepped server the batch
/// leaves it prepped, since its grow and weakens were sized for that share;
/// otherwise each action lands in turn, hack, weaken, grow, weaken, each on the
/// server as the one before left it.
pub fn land_batch(player: &Player, server: &mut Server, batch: &Batch, base_security: f64) -> (f64, f64) {
    let percent = hack_percent(player, &server.ideal());
    let hack = if percent > 0.0 { batch.fraction / percent } else { 0.0 };
    let exp = hack_exp(player, server, base_security, hack)
        + exp_per_thread(player, base_security) * (batch.grow + batch.weaken1 + batch.weaken2) as f64;
    if server.security <= server.min_security && server.money >= server.max_money {
        let money = batch.fraction.min(1.0) * server.max_money * hack_chance(player, server);
        return (money, exp);
    }
    let money = land_hack(player, server, hack);
    land_weaken(player, server, batch.weaken1 as f64, 1);
    land_grow(player, server, batch.grow, 1);
    land_weaken(player, server, batch.weaken2 as f64, 1);
    (money, exp)
}

/// The harvest option for H hack threads.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Harvest {
    /// Hack threads H of one batch.
    pub hack_threads: u64,
    /// The batch (one chunk).
    pub batch: Batch,
    /// Expected dollars per second one chunk earns at steady state.
    pub chunk_income_per_s: f64,
}

fn harvest_of(batch: Batch, period_s: f64) -> Harvest {
    Harvest { hack_threads: batch.hack, batch, chunk_income_per_s: batch.money / period_s }
}

/// The harvest option at `hack_threads` hack threads against `server` (prepped
/// first), valued at steady state.
pub fn harvest(player: &Player, server: &Server, config: &Config, hack_threads: u64) -> Harvest {
    let batch = batch(player, server, hack_threads);
    harvest_of(batch, Timing::of(player, server, config).period_s())
}

/// The most hack threads the menu considers. It only guards against a hack
/// percent so small that the menu would take minutes: the hack threads alone of
/// a larger batch need over 1.7 PB, more than any purchased server can hold.
const MENU_MAX_HACK_THREADS: u64 = 1 << 20;

/// The grid steps from H by `⌊H / GRID_STEP⌋` hack threads (at least 1):
/// neighbours differ by under 1.6 % in size and far less in income per GB,
/// finer than the 1.25x the menu keeps between its options, and a large H costs
/// a few hundred batches, not thousands. Sizes between grid points that a host
/// needs exactly are found by [`Harvests::largest_within`].
const GRID_STEP: u64 = 64;

/// The hack-thread counts of the grid, from 1 to `most`: every one below 128,
/// then one in every 1/64 of H (see [`GRID_STEP`]), and `most` itself.
fn grid_hack_counts(most: u64) -> impl Iterator<Item = u64> {
    std::iter::successors(Some(1), move |&h| (h < most).then(|| (h + (h / GRID_STEP).max(1)).min(most)))
}

/// A target's harvest batches, each computed when asked for: every H from 1 up
/// to `config.max_hack_fraction` of the money.
pub struct Harvests {
    prepped: Prepped,
    period: f64,
    most: u64,
}

impl Harvests {
    /// The batches against the prepped `server`; `None` when the player cannot
    /// hack it or a hack would take nothing.
    pub fn new(player: &Player, server: &Server, config: &Config) -> Option<Harvests> {
        let prepped = Prepped::new(player, server);
        if prepped.percent == 0.0
            || prepped.chance == 0.0
            || f64::from(player.hacking) < server.required_hacking
        {
            return None;
        }
        let most = (config.max_hack_fraction / prepped.percent).floor();
        // The cast saturates and sends NaN to 0.
        let most = (most as u64).clamp(1, MENU_MAX_HACK_THREADS);
        Some(Harvests { prepped, period: Timing::of(player, server, config).period_s(), most })
    }

    /// The most hack threads a batch may have.
    pub fn most(&self) -> u64 {
        self.most
    }

    /// The option at `hack` hack threads.
    pub fn at(&self, hack: u64) -> Harvest {
        harvest_of(self.prepped.batch(hack, None), self.period)
    }

    /// The options on the grid of hack counts (every H, then every 1/64 of H), by hack threads.
    pub fn grid(&self) -> Vec<Harvest> {
        self.at_counts(grid_hack_counts(self.most))
    }

    /// A few options over the same range, for a model the time limit cut
    /// short: hack counts doubling from 1, and the most. Everything built on
    /// a grid holds on this one too ([`dominating`] still bounds every H), only
    /// coarser.
    pub fn coarse_grid(&self) -> Vec<Harvest> {
        let most = self.most;
        self.at_counts(std::iter::successors(Some(1), move |&h| (h < most).then(|| (h * 2).min(most))))
    }

    /// The options at these hack counts, rising.
    fn at_counts(&self, hacks: impl Iterator<Item = u64>) -> Vec<Harvest> {
        // A larger H leaves less money, so its grow threads are at least the previous H's.
        let mut grow = None;
        hacks
            .map(|hack| {
                let option = harvest_of(self.prepped.batch(hack, grow), self.period);
                grow = Some(option.batch.grow);
                option
            })
            .collect()
    }

    /// The largest batch whose RAM is at most `ram` (a batch's RAM grows with
    /// H); `None` when not even one hack thread's fits. `grid` is
    /// [`Harvests::grid`] (or the coarse one): it brackets the answer, so only
    /// the hack counts between two of its points are searched (none below 128
    /// threads on the fine grid).
    pub fn largest_within(&self, grid: &[Harvest], ram: Ram) -> Option<Harvest> {
        let i = grid.partition_point(|o| o.batch.ram <= ram);
        let below = grid.get(i.checked_sub(1)?)?;
        let Some(above) = grid.get(i) else { return Some(*below) };
        // `lo` fits, `hi` does not; a larger H needs at least `lo`'s grow threads.
        let (mut lo, mut hi) = (below.hack_threads, above.hack_threads);
        let mut found = *below;
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            let option = harvest_of(self.prepped.batch(mid, Some(found.batch.grow)), self.period);
            if option.batch.ram <= ram {
                (lo, found) = (mid, option);
            } else {
                hi = mid;
            }
        }
        Some(found)
    }
}

/// Options that together dominate every H, from the grid: between two grid
/// points any batch needs at least the smaller one's RAM and earns at most the
/// larger one's income, so (smaller RAM, larger income) bounds them all. An
/// upper bound over these holds over the whole menu.
pub fn dominating(grid: &[Harvest]) -> Vec<(Ram, f64)> {
    grid.iter()
        .enumerate()
        .map(|(i, o)| match grid.get(i + 1) {
            Some(next) if next.hack_threads > o.hack_threads + 1 => (o.batch.ram, next.chunk_income_per_s),
            _ => (o.batch.ram, o.chunk_income_per_s),
        })
        .collect()
}

/// The harvest options on the grid for `server`, sorted by hack threads (see
/// [`Harvests::grid`]). Empty when the player cannot hack the server or a hack
/// would take nothing.
pub fn options(player: &Player, server: &Server, config: &Config) -> Vec<Harvest> {
    Harvests::new(player, server, config).map_or_else(Vec::new, |h| h.grid())
}

/// The harvest options worth offering for `server`, sorted by hack threads.
///
/// Of [`options`], an option survives only if its income per GB is strictly
/// higher than that of every larger option (otherwise a larger batch is better
/// on both counts) or of every smaller one (it is the best batch for a host too
/// small for larger ones). That envelope is then thinned so consecutive chunk
/// sizes differ by at least 1.25x, always keeping the smallest, the densest and
/// the largest batch.
pub fn menu(player: &Player, server: &Server, config: &Config) -> Vec<Harvest> {
    thin(&options(player, server, config))
}

/// [`menu`]'s choice from a target's options (sorted by hack threads).
pub fn thin(options: &[Harvest]) -> Vec<Harvest> {
    let per_gb: Vec<f64> = options.iter().map(|o| o.chunk_income_per_s / o.batch.ram.gb()).collect();

    // The upper envelope: an option is kept when its income per GB beats every
    // larger one (it earns more per GB when RAM is scarce) or every smaller one (it
    // is the best batch for hosts that cannot hold anything larger).
    let mut keep = vec![false; options.len()];
    let mut best = f64::NEG_INFINITY;
    for (i, &d) in per_gb.iter().enumerate().rev() {
        keep[i] = d > best;
        best = best.max(d);
    }
    best = f64::NEG_INFINITY;
    for (i, &d) in per_gb.iter().enumerate() {
        keep[i] |= d > best;
        best = best.max(d);
    }
    let peak = per_gb.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let envelope: Vec<usize> = (0..options.len()).filter(|&i| keep[i]).collect();

    // Thin it: a chunk within 25% of the last kept one adds little choice. The
    // smallest, the densest and the largest always stay.
    let mut kept: Vec<Harvest> = Vec::new();
    for (n, &i) in envelope.iter().enumerate() {
        let ram = options[i].batch.ram;
        let is_last = n + 1 == envelope.len();
        let big_enough =
            kept.last().is_none_or(|l| ram.0.saturating_mul(4) >= l.batch.ram.0.saturating_mul(5));
        if big_enough || is_last || per_gb[i] == peak {
            kept.push(options[i]);
        }
    }
    kept
}

/// One piece of a target's steady-state income curve: `ram` more hundredths of
/// a GB earn `income` more dollars per second.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Step {
    /// RAM of the piece, in hundredths of a GB.
    pub ram: f64,
    /// Dollars per second it adds.
    pub income: f64,
}

/// The upper concave envelope of what one target earns at steady state with any
/// amount of RAM, from its harvest options (chunk RAM and dollars per second per
/// chunk), each at up to `overlap` chunks: a task of `n` chunks of one option lies
/// on the segment from nothing to that option's full overlap, so every
/// allocation's (RAM, income) lies on or under the envelope. Its pieces, densest
/// first (it is concave, so that is also their order along the curve).
pub fn income_curve(options: impl IntoIterator<Item = (Ram, f64)>, overlap: u64) -> Vec<Step> {
    let mut points: Vec<(f64, f64)> = options
        .into_iter()
        .map(|(ram, income)| (ram.0 as f64 * overlap as f64, income * overlap as f64))
        .filter(|p| p.0 > 0.0 && p.1 > 0.0)
        .collect();
    points.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.total_cmp(&a.1)));
    // Andrew's monotone chain from the origin, keeping only rising pieces.
    let mut hull: Vec<(f64, f64)> = vec![(0.0, 0.0)];
    for p in points {
        if p.1 <= hull.last().map_or(0.0, |h| h.1) {
            continue;
        }
        while hull.len() >= 2 {
            let (a, b) = (hull[hull.len() - 2], hull[hull.len() - 1]);
            // Drop b when it lies on or under the segment from a to p.
            if (b.0 - a.0) * (p.1 - a.1) - (b.1 - a.1) * (p.0 - a.0) >= 0.0 {
                hull.pop();
            } else {
                break;
            }
        }
        hull.push(p);
    }
    hull.windows(2).map(|w| Step { ram: w[1].0 - w[0].0, income: w[1].1 - w[0].1 }).collect()
}

/// The most that the income curves' pieces earn together with `ram`: densest
/// first, the last in part. Each curve is concave, so its pieces are taken in
/// their own order and the answer is the best of the relaxation in which RAM is
/// one pool, not hosts.
pub fn best_income(steps: Vec<Step>, ram: Ram) -> f64 {
    Pool::new(steps).income(ram.0 as f64)
}

/// Income curves' pieces sorted densest first, with running totals, to answer
/// [`best_income`] for any RAM, and with one more curve, in logarithmic time.
#[derive(Clone, Debug, Default)]
pub struct Pool {
    /// Densities, falling.
    density: Vec<f64>,
    /// RAM and income of the pieces before each (one more entry than pieces).
    ram: Vec<f64>,
    income: Vec<f64>,
}

impl Pool {
    /// The pool of these pieces.
    pub fn new(mut steps: Vec<Step>) -> Pool {
        steps.retain(|s| s.ram > 0.0);
        steps.sort_by(|a, b| (b.income / b.ram).total_cmp(&(a.income / a.ram)));
        let mut pool = Pool { density: Vec::new(), ram: vec![0.0], income: vec![0.0] };
        for s in steps {
            pool.density.push(s.income / s.ram);
            pool.ram.push(pool.ram.last().unwrap_or(&0.0) + s.ram);
            pool.income.push(pool.income.last().unwrap_or(&0.0) + s.income);
        }
        pool
    }

    /// What the pieces earn with `ram` hundredths of a GB.
    pub fn income(&self, ram: f64) -> f64 {
        if ram <= 0.0 {
            return 0.0;
        }
        // The pieces wholly taken, then part of the next.
        let whole = self.ram.partition_point(|&r| r <= ram) - 1;
        let part = self.density.get(whole).map_or(0.0, |d| d * (ram - self.ram[whole]));
        self.income[whole] + part
    }

    /// RAM of the pieces denser than `density`.
    fn denser(&self, density: f64) -> f64 {
        self.ram[self.density.partition_point(|&d| d > density)]
    }

    /// What the pieces and one more concave `curve` (its pieces densest first)
    /// earn together with `ram`: the curve's share `x` of the RAM is where its
    /// density meets the pool's, inside one of its pieces or at an end of one.
    pub fn with(&self, curve: &[Step], ram: Ram) -> f64 {
        let ram = ram.0 as f64;
        let (mut best, mut x, mut earned) = (self.income(ram), 0.0, 0.0);
        for s in curve {
            let d = s.income / s.ram;
            let meet = (ram - self.denser(d)).clamp(x, (x + s.ram).min(ram));
            best = best.max(earned + d * (meet - x) + self.income(ram - meet));
            x += s.ram;
            earned += s.income;
            if x > ram {
                break;
            }
            best = best.max(earned + self.income(ram - x));
        }
        best
    }
}

/// The phase a target is in: till while security is above its minimum by more
/// than the tolerance, then sow while money is below the tolerance, then harvest
/// (the batch system's `TaskSelector.pushTarget`, `docs/domain.md` §1.1).
pub fn phase(config: &Config, server: &Server) -> TaskKind {
    if server.security > server.min_security + config.security_tolerance {
        TaskKind::Till
    } else if server.money < config.money_tolerance * server.max_money {
        TaskKind::Sow
    } else {
        TaskKind::Harvest
    }
}

/// One till chunk: one weaken thread.
pub const TILL_CHUNK: Ram = Ram::THREAD;

/// One sow chunk: 12 grow threads and the weaken thread that cancels them
/// (12 * 0.004 = 0.048 <= 0.05).
pub const SOW_CHUNK: Ram = Ram(2275);

/// The least RAM a harvest batch of `hack_threads` holds: its hack threads and
/// the two weaken threads every batch has (its grow threads may be none, when
/// the hack takes nothing). A chunk below this cannot hold its own threads.
pub fn least_batch(hack_threads: u64) -> Ram {
    threads_ram(hack_threads, 2)
}

/// Grow threads in one sow chunk.
pub const SOW_GROW_PER_CHUNK: u64 = 12;

/// Weaken threads (1 core) that bring the server to its minimum security.
pub fn till_threads(player: &Player, server: &Server) -> u64 {
    weaken_threads(server.security - server.min_security, weaken_per_thread(player, 1))
}

/// Sow chunks (1 core) that grow the server's money to its maximum.
pub fn sow_chunks(player: &Player, server: &Server) -> u64 {
    grow_threads(player, server, server.money, server.max_money, 1).div_ceil(SOW_GROW_PER_CHUNK)
}

#[cfg(test)]
mod tests {
    use super::super::hacking::hack_time_ms;
    use super::*;

    fn player(hacking: u32) -> Player {
        Player { hacking, ..Player::default() }
    }

    /// A prepped server.
    fn server(required_hacking: f64, min_security: f64, max_money: f64, growth: f64) -> Server {
        Server { required_hacking, security: min_security, min_security, money: max_money, max_money, growth }
    }

    fn n00dles() -> Server {
        server(1.0, 1.0, 1_750_000.0, 3000.0)
    }

    fn close(a: f64, b: f64, tolerance: f64) -> bool {
        (a - b).abs() <= tolerance
    }

    /// formulas.md §16: S = 500, f = 0.10, H = floor(0.10 / p).
    #[test]
    fn hwgw_table() {
        // name, server, T_H (s), P_hack, p, k, H, G, W1, W2, batch RAM (hundredths of a GB)
        #[rustfmt::skip]
        let table = [
            ("n00dles", n00dles(), 4.568182, 0.988869, 0.00412500, 0.1048166776, 24, 1, 1, 1, 4605),
            ("joesguns", server(10.0, 5.0, 62_500_000.0, 20.0), 5.681818, 0.939143, 0.00388708, 0.0006987779, 25, 147, 1, 12, 32250),
            ("phantasy", server(100.0, 7.0, 600_000_000.0, 35.0), 20.454545, 0.823714, 0.00310775, 0.0012228612, 32, 86, 2, 7, 22065),
            ("omega-net", server(200.0, 10.0, 1_625_000_000.0, 35.0), 50.0, 0.694286, 0.00225750, 0.0010484281, 44, 100, 2, 8, 26730),
            ("the-hub", server(300.0, 13.0, 4_375_000_000.0, 50.0), 93.181818, 0.571714, 0.00145725, 0.0011525168, 68, 91, 3, 8, 29410),
        ];
        let player = player(500);
        for (name, s, t_hack, chance, p, k, h, g, w1, w2, ram) in table {
            assert!(close(hack_time_ms(&player, &s) / 1000.0, t_hack, 5e-7), "{name} T_H");
            assert!(close(hack_chance(&player, &s), chance, 5e-7), "{name} chance");
            assert!(close(hack_percent(&player, &s), p, 5e-9), "{name} p");
            assert!(close(grow_log(&player, &s, 1), k, 5e-11), "{name} k");
            let hack = (0.10 / hack_percent(&player, &s)).floor() as u64;
            let b = batch(&player, &s, hack);
            let got = (b.hack, b.grow, b.weaken1, b.weaken2, b.ram);
            assert_eq!(got, (h, g, w1, w2, Ram(ram)), "{name}");
            let money = hack as f64 * hack_percent(&player, &s) * s.max_money * hack_chance(&player, &s);
            assert!(close(b.money, money, 1e-6 * money), "{name} money");
        }
    }

    /// domain.md §2.2, at the 80 ms spacing.
    #[test]
    fn overlap_examples() {
        assert_eq!(overlap(20_000.0, 80.0), 63);
        assert_eq!(overlap(60_000.0, 80.0), 188);
        assert_eq!(overlap(300_000.0, 80.0), 938);
        assert_eq!(overlap(900_000.0, 80.0), 2813);
        assert_eq!(overlap(0.0, 80.0), 1);
        assert_eq!(overlap(f64::NAN, 80.0), 1);
    }

    #[test]
    fn weaken_counts_ignore_float_noise() {
        let player = player(500);
        let mut s = n00dles();
        s.security = 1.1;
        assert_eq!(till_threads(&player, &s), 2);
        s.security = 1.1001;
        assert_eq!(till_threads(&player, &s), 3);
        s.security = 1.0;
        assert_eq!(till_threads(&player, &s), 0);
        s.security = 0.5;
        assert_eq!(till_threads(&player, &s), 0);
        // 25 hack threads need exactly one weaken, 26 need two.
        let p = Prepped::new(&player, &n00dles());
        assert_eq!(p.batch(25, None).weaken1, 1);
        assert_eq!(p.batch(26, None).weaken1, 2);
    }

    #[test]
    fn sow_chunks_round_up() {
        let player = player(500);
        let mut s = server(10.0, 5.0, 62_500_000.0, 20.0);
        assert_eq!(sow_chunks(&player, &s), 0);
        s.money = 56_426_432.29166667;
        assert_eq!(grow_threads(&player, &s, s.money, s.max_money, 1), 147);
        assert_eq!(sow_chunks(&player, &s), 13);
    }

    #[test]
    fn menu_for_a_beginner() {
        let menu = menu(&player(1), &n00dles(), &Config::default());
        assert!(!menu.is_empty());
        assert!(menu.windows(2).all(|w| w[0].hack_threads < w[1].hack_threads));
        let blocked = server(2.0, 1.0, 1e6, 100.0);
        assert!(super::menu(&player(1), &blocked, &Config::default()).is_empty());
    }

    fn per_gb(h: &Harvest) -> f64 {
        h.chunk_income_per_s / h.batch.ram.gb()
    }

    /// The menu against a direct computation from `harvest` for every H.
    #[test]
    fn menu_is_the_thinned_envelope() {
        let config = Config::default();
        for (s, skill) in [
            (n00dles(), 1),
            (n00dles(), 3000),
            (server(300.0, 13.0, 4_375_000_000.0, 50.0), 300),
            (server(200.0, 10.0, 1_625_000_000.0, 35.0), 2500),
            (server(1.0, 40.0, 1e9, 1.0), 2000),
        ] {
            let player = player(skill);
            let menu = menu(&player, &s, &config);
            let most = (config.max_hack_fraction / hack_percent(&player, &s.ideal())).floor() as u64;
            let every: Vec<Harvest> = (1..=most.max(1)).map(|h| harvest(&player, &s, &config, h)).collect();
            let all: Vec<Harvest> = grid_hack_counts(most.max(1)).map(|h| every[h as usize - 1]).collect();
            assert!(most < 8192 || all.len() < every.len() / 2, "skill {skill}: the grid steps above 8,191");
            // The grid misses nothing worth having: its densest batch is within
            // 0.025 % of the densest of all.
            let densest = |hs: &[Harvest]| hs.iter().map(per_gb).fold(f64::NEG_INFINITY, f64::max);
            assert!(densest(&all) >= densest(&every) * (1.0 - 2.5e-4), "skill {skill} {s:?}");
            let envelope: Vec<&Harvest> = all
                .iter()
                .enumerate()
                .filter(|(i, h)| {
                    all[i + 1..].iter().all(|other| per_gb(h) > per_gb(other))
                        || all[..*i].iter().all(|other| per_gb(h) > per_gb(other))
                })
                .map(|(_, h)| h)
                .collect();
            let peak = all.iter().map(per_gb).fold(f64::NEG_INFINITY, f64::max);
            let mut expected: Vec<Harvest> = Vec::new();
            for (i, h) in envelope.iter().enumerate() {
                let big_enough = expected.last().is_none_or(|l| h.batch.ram.0 * 4 >= l.batch.ram.0 * 5);
                if big_enough || i + 1 == envelope.len() || per_gb(h) == peak {
                    expected.push(**h);
                }
            }
            assert_eq!(menu, expected, "skill {skill} {s:?}");
            assert_eq!(menu.first().map(|h| h.hack_threads), Some(1));
            assert!(menu.iter().any(|h| per_gb(h) == peak), "the densest batch is on the menu");
            assert_eq!(menu.last().map(|h| h.hack_threads), Some(most.max(1)));
        }
    }

    /// Both grids span every H and their dominating options bound each one:
    /// no more RAM, no less income, than the batch at any H between two points.
    #[test]
    fn dominating_options_bound_every_batch_on_either_grid() {
        let config = Config::default();
        for (s, skill) in
            [(n00dles(), 1), (n00dles(), 3000), (server(300.0, 13.0, 4_375_000_000.0, 50.0), 300)]
        {
            let p = player(skill);
            let harvests = Harvests::new(&p, &s, &config).expect("hackable");
            for grid in [harvests.grid(), harvests.coarse_grid()] {
                assert_eq!(grid.first().map(|o| o.hack_threads), Some(1));
                assert_eq!(grid.last().map(|o| o.hack_threads), Some(harvests.most()));
                let bound = dominating(&grid);
                for h in 1..=harvests.most() {
                    let i = grid.partition_point(|o| o.hack_threads <= h) - 1;
                    let at = harvests.at(h);
                    assert!(bound[i].0 <= at.batch.ram, "skill {skill} H={h}: RAM");
                    assert!(bound[i].1 >= at.chunk_income_per_s, "skill {skill} H={h}: income");
                }
            }
            assert!(harvests.coarse_grid().len() <= 64 - harvests.most().leading_zeros() as usize + 1);
        }
    }

    /// The income curve lies on or above every allocation of one target, and
    /// passes through the best ones.
    #[test]
    fn income_curve_bounds_every_allocation() {
        let config = Config::default();
        for (s, skill) in [(n00dles(), 50), (server(10.0, 5.0, 62_500_000.0, 20.0), 300)] {
            let p = player(skill);
            let options = options(&p, &s, &config);
            let overlap = Timing::of(&p, &s, &config).overlap();
            let curve = income_curve(options.iter().map(|o| (o.batch.ram, o.chunk_income_per_s)), overlap);
            assert!(curve.windows(2).all(|w| w[0].income / w[0].ram >= w[1].income / w[1].ram), "concave");
            for o in options.iter().step_by(7) {
                for n in [1, overlap / 3, overlap] {
                    let ram = o.batch.ram * n;
                    let bound = best_income(curve.clone(), ram);
                    let income = o.chunk_income_per_s * n as f64;
                    assert!(
                        bound >= income * (1.0 - 1e-12),
                        "H={} n={n}: {bound} < {income}",
                        o.hack_threads
                    );
                }
            }
            let best = options.iter().map(|o| o.chunk_income_per_s * overlap as f64).fold(0.0, f64::max);
            assert!((best_income(curve.clone(), Ram(u64::MAX / 4)) - best).abs() <= 1e-9 * best);
        }
    }

    #[test]
    fn timing() {
        let t = Timing { weaken_ms: 20_000.0, spacing_ms: 80.0 };
        assert_eq!(t.overlap(), 63);
        assert_eq!(t.cycle_s(), 20.16);
        assert_eq!(t.slot_s(), 0.32);
        assert!((t.period_s() - 63.0 * 0.32).abs() < 1e-12);
        assert!(t.period_s() >= t.cycle_s(), "a chunk never has two batches in flight");
    }

    /// A pool with one more curve earns what the merged pieces earn.
    #[test]
    fn pool_with_one_more_curve() {
        let config = Config::default();
        let p = player(400);
        let curves: Vec<Vec<Step>> = [
            server(1.0, 1.0, 1_750_000.0, 3000.0),
            server(10.0, 5.0, 62_500_000.0, 20.0),
            server(100.0, 7.0, 600_000_000.0, 35.0),
            server(200.0, 10.0, 1_625_000_000.0, 35.0),
        ]
        .iter()
        .map(|s| {
            let overlap = Timing::of(&p, s, &config).overlap();
            income_curve(options(&p, s, &config).iter().map(|o| (o.batch.ram, o.chunk_income_per_s)), overlap)
        })
        .collect();
        for extra in 0..curves.len() {
            let rest: Vec<Step> =
                curves.iter().enumerate().filter(|(i, _)| *i != extra).flat_map(|c| c.1.clone()).collect();
            let pool = Pool::new(rest.clone());
            for gb in [0, 1, 100, 10_000, 100_000, 1_000_000, 100_000_000] {
                let ram = Ram(gb * 100);
                let merged = best_income(rest.iter().chain(&curves[extra]).copied().collect(), ram);
                let with = pool.with(&curves[extra], ram);
                assert!((merged - with).abs() <= 1e-9 * merged.max(1.0), "{extra} {gb} GB: {merged} {with}");
                assert!(
                    (pool.income(ram.0 as f64) - best_income(rest.clone(), ram)).abs()
                        <= 1e-9 * merged.max(1.0)
                );
            }
        }
    }
}
