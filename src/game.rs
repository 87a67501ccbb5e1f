//! The game's hacking formulas, and the economics of till, sow and harvest built on them.
//!
//! The formulas follow `src/Hacking.ts`, `src/Server/formulas/grow.ts` and
//! `src/Server/ServerHelpers.ts` of bitburner-src (restated in
//! `docs/formulas.md` §4–§8). Each product is written in the game's order of
//! operations, so a result is bit-identical to the game's wherever no `exp`,
//! `ln` or `pow` is involved (those differ from V8's by an ulp at most).
//!
//! On top of them sit the three task kinds: till (weaken to minimum security),
//! sow (grow to maximum money) and harvest (HWGW batches, §15), and the harvest
//! *menu*: the few batch sizes worth offering the planner for one target.

use crate::state::{Config, Player};
use crate::Ram;

/// A target server as the formulas see it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Server {
    /// Hacking skill needed to hack it (R).
    pub required_hacking: f64,
    /// Current security (s).
    pub security: f64,
    /// Minimum security.
    pub min_security: f64,
    /// Money available now, in dollars.
    pub money: f64,
    /// Maximum money, in dollars.
    pub max_money: f64,
    /// The server's growth parameter (g).
    pub growth: f64,
}

impl Server {
    /// The same server prepped: security at minimum, money at maximum.
    pub fn ideal(&self) -> Server {
        Server { security: self.min_security, money: self.max_money, ..*self }
    }
}

/// Security a hack thread adds (`ServerFortifyAmount`).
const HACK_SECURITY: f64 = 0.002;
/// Security a grow thread adds (twice `ServerFortifyAmount`).
const GROW_SECURITY: f64 = 0.004;
/// Security a weaken thread removes on one core (`ServerWeakenAmount`).
const WEAKEN_AMOUNT: f64 = 0.05;

/// The intelligence bonus `int(I, 1)`. The weight is 1 for every hacking
/// formula, and `1 * x` is exact, so the weight is left out.
fn intelligence_bonus(intelligence: u32) -> f64 {
    1.0 + f64::from(intelligence).powf(0.8) / 600.0
}

/// The grow and weaken bonus of the cores of the host that runs them.
pub fn core_bonus(cores: u32) -> f64 {
    1.0 + (f64::from(cores) - 1.0) / 16.0
}

/// The chance that a hack succeeds at the server's current security
/// (`calculateHackingChance`).
///
/// It is 0 at security 100 or more. It does **not** check the player's skill
/// against the required skill: the game blocks such a hack elsewhere, and the
/// formula alone stays positive while R < 1.75 S.
pub fn hack_chance(player: &Player, server: &Server) -> f64 {
    if server.security >= 100.0 {
        return 0.0;
    }
    let difficulty = (100.0 - server.security) / 100.0;
    // Newer game versions clamp the skill term to 1 so that skill 0 cannot divide by 0.
    let skill = (1.75 * f64::from(player.hacking)).max(1.0);
    let skill_chance = (skill - server.required_hacking) / skill;
    let chance =
        skill_chance * difficulty * player.mults.hacking_chance * intelligence_bonus(player.intelligence);
    chance.clamp(0.0, 1.0)
}

/// The fraction of the money available that one hack thread takes
/// (`calculatePercentMoneyHacked`); 0 at security 100 or when the skill is below
/// the required skill.
pub fn hack_percent(player: &Player, server: &Server) -> f64 {
    if server.security >= 100.0 {
        return 0.0;
    }
    let skill = f64::from(player.hacking);
    let difficulty = (100.0 - server.security) / 100.0;
    let skill_mult = (skill - (server.required_hacking - 1.0)) / skill;
    let percent =
        difficulty * skill_mult * player.mults.hacking_money * player.bitnode.script_hack_money / 240.0;
    percent.clamp(0.0, 1.0)
}

/// Hack time in seconds (`calculateHackingTime`); the millisecond functions
/// scale this, as `formulas.hacking.*Time` does.
fn hack_time_s(player: &Player, server: &Server) -> f64 {
    let difficulty = server.required_hacking * server.security;
    let skill_factor = (2.5 * difficulty + 500.0) / (f64::from(player.hacking) + 50.0);
    let speed =
        player.mults.hacking_speed * player.bitnode.hacking_speed * intelligence_bonus(player.intelligence);
    5.0 * skill_factor / speed
}

/// How long a hack takes, in ms, at the server's current security.
pub fn hack_time_ms(player: &Player, server: &Server) -> f64 {
    hack_time_s(player, server) * 1000.0
}

/// How long a grow takes, in ms: 3.2 hack times.
pub fn grow_time_ms(player: &Player, server: &Server) -> f64 {
    3.2 * hack_time_s(player, server) * 1000.0
}

/// How long a weaken takes, in ms: 4 hack times.
pub fn weaken_time_ms(player: &Player, server: &Server) -> f64 {
    4.0 * hack_time_s(player, server) * 1000.0
}

/// The growth log k of one grow thread on a host with `cores` cores
/// (`calculateServerGrowthLog` with one thread): t threads multiply money by
/// `exp(k * t)`. Growth 0 gives negative infinity (the server cannot grow).
pub fn grow_log(player: &Player, server: &Server, cores: u32) -> f64 {
    if server.growth == 0.0 {
        return f64::NEG_INFINITY;
    }
    // Below security 0.03 / 0.0035 the per-thread growth stops improving.
    let security_log = (0.03 / server.security).ln_1p().min(0.0035_f64.ln_1p());
    let growth = server.growth / 100.0 * player.bitnode.server_growth_rate;
    security_log * growth * player.mults.hacking_grow * core_bonus(cores)
}

/// The grow threads needed to take the server's money from `from` to `to`
/// (`numCycleForGrowthCorrected`): the smallest integer t with
/// `to <= (from + t) * exp(k * t)`, after clamping `from` to at least 0 and
/// `to` to at most `max_money`. It is 0 when `to <= from`, and `u64::MAX` when
/// the server cannot grow (k not positive, or not even `u64::MAX` threads do).
pub fn grow_threads(player: &Player, server: &Server, from: f64, to: f64, cores: u32) -> u64 {
    let k = grow_log(player, server, cores);
    threads_to_grow(k, from.max(0.0), to.min(server.max_money), None)
}

/// [`grow_threads`] for a known k; `from` and `to` are already clamped.
///
/// `at_least` is the answer for a larger `from` (same k and `to`), if known:
/// this answer is then no smaller, which saves the menu most of its work.
/// Otherwise the search starts from Newton's estimate.
fn threads_to_grow(k: f64, from: f64, to: f64, at_least: Option<u64>) -> u64 {
    // A NaN target needs no threads, as in the game.
    if to.is_nan() || to <= from {
        return 0;
    }
    if k.is_nan() || k <= 0.0 {
        return u64::MAX;
    }
    // The game's inequality, evaluated the way the game evaluates it. It is
    // monotone in t, and false at t = 0 because to > from.
    let reaches = |t: u64| {
        let t = t as f64;
        to <= (from + t) * (k * t).exp()
    };
    match at_least {
        Some(lower) => smallest_reaching(lower, lower.saturating_sub(1), reaches),
        None => smallest_reaching(newton_guess(k, from, to), 0, reaches),
    }
}

/// Newton's method on `ln((from + x) / to) + k x = 0` from the game's starting
/// point; the ceiling of the root is nearly always the answer. The iteration
/// count is capped, and a non-finite result falls back to 1, because the exact
/// search that follows corrects any guess.
fn newton_guess(k: f64, from: f64, to: f64) -> u64 {
    let mut x = (to - from) / (1.0 + (to * (1.0 / 16.0) + from * (15.0 / 16.0)) * k);
    for _ in 0..100 {
        let ox = from + x;
        let next = (x - ox * (ox / to).ln()) / (1.0 + ox * k);
        let step = next - x;
        x = next;
        // Once a step is at most 1 the remaining steps sum to less than 1.
        if step.is_nan() || step.abs() <= 1.0 {
            break;
        }
    }
    if x.is_finite() && x > 0.0 {
        x.ceil() as u64
    } else {
        1
    }
}

/// The smallest t > `short` with `reaches(t)`, given that `reaches(short)` is
/// false and `reaches` is monotone; `u64::MAX` if no t reaches. It gallops
/// outward from `guess` to bracket the answer, then bisects, so a good guess
/// costs one or two evaluations and a bad one at most a few hundred.
fn smallest_reaching(guess: u64, short: u64, reaches: impl Fn(u64) -> bool) -> u64 {
    let guess = guess.max(short.saturating_add(1));
    // Invariant once bracketed: `lo` does not reach, `hi` does.
    let (mut lo, mut hi);
    let mut step: u64 = 1;
    if reaches(guess) {
        hi = guess;
        lo = guess - 1;
        while lo > short && reaches(lo) {
            hi = lo;
            step = step.saturating_mul(2);
            lo = hi.saturating_sub(step).max(short);
        }
    } else {
        lo = guess;
        loop {
            if lo == u64::MAX {
                return u64::MAX;
            }
            hi = lo.saturating_add(step);
            if reaches(hi) {
                break;
            }
            lo = hi;
            step = step.saturating_mul(2);
        }
    }
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if reaches(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    hi
}

/// Security one weaken thread removes on a host with `cores` cores.
pub fn weaken_per_thread(player: &Player, cores: u32) -> f64 {
    WEAKEN_AMOUNT * core_bonus(cores) * player.bitnode.server_weaken_rate
}

/// Weaken threads that remove `security` points at `per_thread` each.
///
/// The quotient carries float noise: security 1.1 over a minimum of 1 is
/// 0.10000000000000009 above it, which over 0.05 comes out as
/// 2.0000000000000018 and would cost a third thread. A shortfall of a
/// billionth of the quotient is therefore treated as noise; the security it
/// might leave behind is far below anything the game can notice.
fn weaken_threads(security: f64, per_thread: f64) -> u64 {
    let exact = security / per_thread;
    // The cast saturates: NaN and negative give 0, infinity gives u64::MAX.
    (exact - 1e-9 * exact.max(1.0)).ceil() as u64
}

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

/// Seconds between two batches of one chunk: with `overlap` chunks, one batch
/// lands every four spacings, so each chunk lands one every `overlap` of those.
fn chunk_period_s(player: &Player, server: &Server, config: &Config) -> f64 {
    let spacing = config.spacing_ms;
    let overlap = overlap(weaken_time_ms(player, &server.ideal()), spacing);
    overlap as f64 * 4.0 * spacing / 1000.0
}

fn harvest_of(batch: Batch, period_s: f64) -> Harvest {
    Harvest { hack_threads: batch.hack, batch, chunk_income_per_s: batch.money / period_s }
}

/// The harvest option at `hack_threads` hack threads against `server` (prepped
/// first), valued at steady state.
pub fn harvest(player: &Player, server: &Server, config: &Config, hack_threads: u64) -> Harvest {
    let batch = batch(player, server, hack_threads);
    harvest_of(batch, chunk_period_s(player, server, config))
}

/// The most hack threads the menu considers. It only guards against a hack
/// percent so small that the menu would take minutes: the hack threads alone of
/// a larger batch need over 1.7 PB, more than any purchased server can hold.
const MENU_MAX_HACK_THREADS: u64 = 1 << 20;

/// The menu steps from H by `⌊H / MENU_STEP⌋` hack threads (at least 1):
/// neighbours then differ by under 0.025 % in size and in income per GB, far
/// finer than the 1.25x the menu keeps between its options, and a tiny hack
/// percent costs thousands of batches, not a million.
const MENU_STEP: u64 = 4096;

/// The hack-thread counts the menu considers, from 1 to `most`: every one below
/// 8,192, then one in every 1/4,096 of H (see [`MENU_STEP`]), and `most` itself.
fn menu_hack_counts(most: u64) -> impl Iterator<Item = u64> {
    std::iter::successors(Some(1), move |&h| (h < most).then(|| (h + (h / MENU_STEP).max(1)).min(most)))
}

/// The harvest options worth offering for `server`, sorted by hack threads.
///
/// Every H from 1 up to `config.max_hack_fraction` of the money is considered
/// (above 8,191 hack threads, one in every 1/4,096 of H); an option survives only
/// if its income per GB is strictly higher than that of every larger option
/// (otherwise a larger batch is better on both counts) or of every smaller one
/// (it is the best batch for a host too small for larger ones). That envelope is
/// then thinned so consecutive chunk sizes differ by at least 1.25x, always
/// keeping the smallest, the densest and the largest batch.
/// Empty when the player cannot hack the server or a hack would take nothing.
pub fn menu(player: &Player, server: &Server, config: &Config) -> Vec<Harvest> {
    let prepped = Prepped::new(player, server);
    if prepped.percent == 0.0 || prepped.chance == 0.0 || f64::from(player.hacking) < server.required_hacking
    {
        return Vec::new();
    }
    let most = (config.max_hack_fraction / prepped.percent).floor();
    // The cast saturates and sends NaN to 0.
    let most = (most as u64).clamp(1, MENU_MAX_HACK_THREADS);
    let period = chunk_period_s(player, server, config);

    // Every option, as (hack threads, RAM, income per GB). A larger H leaves
    // less money, so its grow threads are at least the previous H's.
    let mut options = Vec::new();
    let mut grow = None;
    for hack in menu_hack_counts(most) {
        let option = harvest_of(prepped.batch(hack, grow), period);
        grow = Some(option.batch.grow);
        options.push((hack, option.batch.ram, option.chunk_income_per_s / option.batch.ram.gb()));
    }

    // The upper envelope: an option is kept when its income per GB beats every
    // larger one (it earns more per GB when RAM is scarce) or every smaller one (it
    // is the best batch for hosts that cannot hold anything larger).
    let mut keep = vec![false; options.len()];
    let mut best = f64::NEG_INFINITY;
    for (i, o) in options.iter().enumerate().rev() {
        keep[i] = o.2 > best;
        best = best.max(o.2);
    }
    best = f64::NEG_INFINITY;
    for (i, o) in options.iter().enumerate() {
        keep[i] |= o.2 > best;
        best = best.max(o.2);
    }
    let peak = options.iter().map(|o| o.2).fold(f64::NEG_INFINITY, f64::max);
    let envelope: Vec<&(u64, Ram, f64)> =
        options.iter().zip(&keep).filter(|(_, &k)| k).map(|(o, _)| o).collect();

    // Thin it: a chunk within 25% of the last kept one adds little choice. The
    // smallest, the densest and the largest always stay.
    let mut kept: Vec<u64> = Vec::new();
    let mut last_ram = Ram::ZERO;
    for (i, &&(hack, ram, per_gb)) in envelope.iter().enumerate() {
        let is_last = i + 1 == envelope.len();
        let big_enough = ram.0.saturating_mul(4) >= last_ram.0.saturating_mul(5);
        if kept.is_empty() || is_last || per_gb == peak || big_enough {
            kept.push(hack);
            last_ram = ram;
        }
    }
    kept.into_iter().map(|hack| harvest_of(prepped.batch(hack, None), period)).collect()
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
    use super::*;

    fn player(hacking: u32) -> Player {
        Player { hacking, intelligence: 0, mults: Default::default(), bitnode: Default::default() }
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
    fn grow_threads_is_total() {
        let player = player(500);
        let s = n00dles();
        let t = grow_threads(&player, &s, 0.0, s.max_money, 1);
        let k = grow_log(&player, &s, 1);
        let reaches = |t: u64| s.max_money <= t as f64 * (k * t as f64).exp();
        assert!(reaches(t) && !reaches(t - 1));
        for &(from, to) in &[
            (0.0, 1e300),
            (-5.0, 1.0),
            (f64::NAN, 1e6),
            (0.0, f64::NAN),
            (0.0, f64::INFINITY),
            (f64::NEG_INFINITY, 1.0),
            (1e6, 1.0),
        ] {
            grow_threads(&player, &s, from, to, 1);
        }
        let huge = Server { max_money: f64::INFINITY, ..s };
        assert!(grow_threads(&player, &huge, 0.0, f64::INFINITY, 1) > 0);
        let flat = Server { growth: 0.0, ..s };
        assert_eq!(grow_threads(&player, &flat, 0.0, s.max_money, 1), u64::MAX);
        let slow = Server { growth: 1.0, security: 99.0, ..s };
        for cores in [1, 8, 128] {
            for from in [0.0, 1.0, 1e3, 1e6] {
                let to = slow.max_money;
                let k = grow_log(&player, &slow, cores);
                let t = grow_threads(&player, &slow, from, to, cores);
                let reaches = |t: u64| to <= (from + t as f64) * (k * t as f64).exp();
                assert!(reaches(t) && !reaches(t - 1), "from {from} cores {cores}");
            }
        }
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
            let all: Vec<Harvest> = menu_hack_counts(most.max(1)).map(|h| every[h as usize - 1]).collect();
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
}
