//! The game's hacking formulas: chance, percent, times, grow, weaken, what each
//! action does to a server when it lands, and the exp that sets the skill level.
//!
//! The formulas follow `src/Hacking.ts`, `src/Server/formulas/grow.ts`,
//! `src/Server/ServerHelpers.ts` and `src/PersonObjects/formulas/skill.ts` of
//! bitburner-src (restated in `docs/formulas.md` §3–§10). Each product is written in
//! the game's order of operations, so a result is bit-identical to the game's
//! wherever no `exp`, `ln` or `pow` is involved (those differ from V8's by an ulp
//! at most).

use crate::state::Player;

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
pub(crate) const HACK_SECURITY: f64 = 0.002;
/// Security a grow thread adds (twice `ServerFortifyAmount`).
pub(crate) const GROW_SECURITY: f64 = 0.004;
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

/// A grow, in seconds, at the server's security now: no money beyond what a
/// server holds can be taken from it sooner.
pub fn grow_s(player: &Player, server: &Server) -> f64 {
    grow_time_ms(player, server) / 1000.0
}

/// One round of till or sow, in seconds: a weaken time at the server's
/// security now (a round's length is fixed when it starts, as in the game).
pub fn round_s(player: &Player, server: &Server) -> f64 {
    weaken_time_ms(player, server) / 1000.0
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

/// Grow threads that multiply money by `mult`, fractional, ignoring the $1 each
/// thread adds (`numCycleForGrowth`, what `ns.growthAnalyze` answers).
pub fn grow_threads_for(player: &Player, server: &Server, mult: f64, cores: u32) -> f64 {
    mult.ln() / grow_log(player, server, cores)
}

/// Security that `threads` grow threads add (`ns.growthAnalyzeSecurity`).
pub fn grow_security(threads: u64) -> f64 {
    GROW_SECURITY * threads as f64
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
pub(crate) fn threads_to_grow(k: f64, from: f64, to: f64, at_least: Option<u64>) -> u64 {
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
        // `from · exp(k t) >= to` reaches, so its root is an upper bound, and
        // with `from` in the millions and `t` in the thousands it is nearly
        // always the answer or one above it.
        Some(lower) => {
            let root = ((to / from).ln() / k).ceil();
            let guess = if root.is_finite() && root >= 1.0 { (root as u64).max(lower) } else { lower };
            smallest_reaching(guess, lower.saturating_sub(1), reaches)
        }
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
pub(crate) fn weaken_threads(security: f64, per_thread: f64) -> u64 {
    let exact = security / per_thread;
    // The cast saturates: NaN and negative give 0, infinity gives u64::MAX.
    (exact - 1e-9 * exact.max(1.0)).ceil() as u64
}

/// Raises security by `amount`, to at most 100 (`Server.fortify`).
fn fortify(server: &mut Server, amount: f64) {
    server.security = (server.security + amount).min(100.0);
}

/// The expected effect of `threads` hack threads landing on `server` now, as the
/// game's `hack` does on success, weighted by the chance: they take a linear share
/// of the money available (at most all of it) and raise security for at most the
/// threads that empty it. Returns the dollars taken. The thread count may be
/// fractional: an expected count, such as a share of a batch.
pub fn land_hack(player: &Player, server: &mut Server, threads: f64) -> f64 {
    let percent = hack_percent(player, server);
    if percent <= 0.0 || threads <= 0.0 {
        return 0.0;
    }
    let chance = hack_chance(player, server);
    let taken = (percent * threads).min(1.0) * server.money * chance;
    server.money -= taken;
    fortify(server, chance * HACK_SECURITY * threads.min((1.0 / percent).ceil()));
    taken
}

/// `threads` grow threads on a host with `cores` cores landing on `server` now
/// (`processSingleServerGrowth`): money becomes `(money + t)·e^{kt}`, at most the
/// maximum, and security rises for the threads that growth needed.
pub fn land_grow(player: &Player, server: &mut Server, threads: u64, cores: u32) {
    if threads == 0 {
        return;
    }
    let before = server.money;
    let t = threads as f64;
    let grown = ((before + t) * (grow_log(player, server, cores) * t).exp()).min(server.max_money);
    server.money = grown.max(before);
    let needed = grow_threads(player, server, before, server.money, cores).min(threads);
    fortify(server, GROW_SECURITY * needed as f64);
}

/// `threads` weaken threads on a host with `cores` cores landing on `server` now:
/// security falls by their weaken amount, to the minimum at the least. The count
/// may be fractional, like [`land_hack`]'s.
pub fn land_weaken(player: &Player, server: &mut Server, threads: f64, cores: u32) {
    let after = server.security - threads * weaken_per_thread(player, cores);
    // [`till_threads`] counts a billionth of a point as float noise; so does the
    // clamp, or the threads it counts would leave 1e-15 behind.
    server.security =
        if after <= server.min_security + 1e-9 { server.min_security } else { after.min(100.0) };
}

/// Hacking exp one thread earns when it lands on a target of this base security
/// (`calculateHackingExpGain`): grow and weaken always, hack in full on success
/// and a quarter on failure (see [`hack_exp`]). Zero when the base security is 0.
pub fn exp_per_thread(player: &Player, base_security: f64) -> f64 {
    if base_security <= 0.0 {
        return 0.0;
    }
    (3.0 + 0.3 * base_security) * player.mults.hacking_exp * player.bitnode.hack_exp_gain
}

/// Expected exp of `threads` hack threads landing on `server`: a success earns
/// the full exp, a failure a quarter.
pub fn hack_exp(player: &Player, server: &Server, base_security: f64, threads: f64) -> f64 {
    let chance = hack_chance(player, server);
    exp_per_thread(player, base_security) * threads * (chance + (1.0 - chance) / 4.0)
}

/// The skill multiplier: the player's and the BitNode's.
fn skill_mult(player: &Player) -> f64 {
    player.mults.hacking * player.bitnode.hacking_level
}

/// The hacking skill that `exp` gives (`calculateSkill`), at least 1.
pub fn skill(player: &Player, exp: f64) -> u32 {
    let level = (skill_mult(player) * (32.0 * (exp + 534.6).ln() - 200.0)).floor();
    // The cast saturates and sends NaN to 0.
    (level as u32).max(1)
}

/// The least exp with which [`skill`] reaches `level` (0 for level 1 and below).
pub fn exp_for_skill(player: &Player, level: u32) -> f64 {
    let mut exp = (((f64::from(level) / skill_mult(player)) + 200.0) / 32.0).exp() - 534.6;
    exp = exp.max(0.0);
    // The inverse rounds; step up past the last ulps so that the floor lands on `level`.
    for _ in 0..64 {
        if skill(player, exp) >= level {
            break;
        }
        exp = exp * (1.0 + 1e-15) + 1e-12;
    }
    exp
}

#[cfg(test)]
mod tests {
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

    /// formulas.md §3: the skill from exp and back.
    #[test]
    fn skill_and_exp() {
        let p = player(1);
        assert_eq!(skill(&p, 0.0), 1);
        for level in [1, 2, 10, 50, 250, 1000, 3000] {
            let exp = exp_for_skill(&p, level);
            assert_eq!(skill(&p, exp), level, "level {level}");
            assert!(level == 1 || skill(&p, exp * (1.0 - 1e-9)) < level, "the least exp for {level}");
        }
        // A skill multiplier of 2 doubles the level for the same exp (less the floor).
        let strong =
            Player { mults: crate::state::Mults { hacking: 2.0, ..Default::default() }, ..p.clone() };
        assert_eq!(skill(&strong, exp_for_skill(&p, 500)), 1000);
        // 3 + 0.3 × base security per thread; a failed hack earns a quarter.
        assert_eq!(exp_per_thread(&p, 10.0), 6.0);
        assert_eq!(exp_per_thread(&p, 0.0), 0.0);
        let hard = Server { security: 99.0, ..n00dles() };
        let chance = hack_chance(&p, &hard);
        assert!((hack_exp(&p, &hard, 10.0, 4.0) - 6.0 * 4.0 * (chance + (1.0 - chance) / 4.0)).abs() < 1e-12);
    }

    /// What landing actions do to a server (§5, §7, §8).
    #[test]
    fn landings() {
        let p = player(500);
        let mut s = n00dles();
        let (chance, percent) = (hack_chance(&p, &s), hack_percent(&p, &s));
        let taken = land_hack(&p, &mut s, 10.0);
        assert!((taken - 10.0 * percent * s.max_money * chance).abs() < 1e-6);
        assert!((s.money - (s.max_money - taken)).abs() < 1e-6);
        assert!((s.security - (1.0 + chance * 0.002 * 10.0)).abs() < 1e-12);
        land_weaken(&p, &mut s, 1.0, 1);
        assert_eq!(s.security, s.min_security, "a surplus weaken stops at the minimum");
        land_grow(&p, &mut s, 1000, 1);
        assert_eq!(s.money, s.max_money, "grow stops at the maximum");
        let needed = grow_threads(&p, &n00dles(), n00dles().max_money - taken, n00dles().max_money, 1);
        assert!((s.security - (1.0 + 0.004 * needed as f64)).abs() < 1e-12, "only the threads needed count");
        // An empty server still grows: each thread adds a dollar first.
        let mut empty = Server { money: 0.0, ..n00dles() };
        land_grow(&p, &mut empty, 10, 1);
        assert!(empty.money > 10.0);
    }
}
