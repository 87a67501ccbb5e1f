//! The game formulas against the 1,500 reference vectors in
//! `tests/data/game_vectors.json` (a copy of the design notes' `shared/data/`), which
//! the game's own TypeScript produced.

use reallot::game::{self, Server};
use reallot::state::{BitNode, Mults, Player};
use serde_json::Value;

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/game_vectors.json");

fn num(v: &Value, path: &str) -> f64 {
    v.pointer(path).and_then(Value::as_f64).unwrap_or_else(|| panic!("missing number {path}"))
}

fn int(v: &Value, path: &str) -> u64 {
    v.pointer(path).and_then(Value::as_u64).unwrap_or_else(|| panic!("missing integer {path}"))
}

fn small(v: &Value, path: &str) -> u32 {
    u32::try_from(int(v, path)).unwrap_or_else(|_| panic!("{path} does not fit in u32"))
}

fn player(case: &Value) -> Player {
    Player {
        hacking: small(case, "/player/hacking"),
        intelligence: small(case, "/player/intelligence"),
        mults: Mults {
            hacking_chance: num(case, "/player/mults/hacking_chance"),
            hacking_speed: num(case, "/player/mults/hacking_speed"),
            hacking_money: num(case, "/player/mults/hacking_money"),
            hacking_grow: num(case, "/player/mults/hacking_grow"),
            ..Mults::default()
        },
        bitnode: BitNode {
            script_hack_money: num(case, "/bitnode_mults/ScriptHackMoney"),
            hacking_speed: num(case, "/bitnode_mults/HackingSpeedMultiplier"),
            server_growth_rate: num(case, "/bitnode_mults/ServerGrowthRate"),
            server_weaken_rate: num(case, "/bitnode_mults/ServerWeakenRate"),
            ..BitNode::default()
        },
    }
}

fn server(case: &Value) -> Server {
    Server {
        required_hacking: num(case, "/server/required_hacking_skill"),
        security: num(case, "/server/hack_difficulty"),
        min_security: num(case, "/server/min_difficulty"),
        money: num(case, "/server/money_available"),
        max_money: num(case, "/server/money_max"),
        growth: num(case, "/server/server_growth"),
    }
}

/// Equal within 1e-9 relative, or both within 1e-15 of zero. The game's `exp`
/// and `pow` (V8) may differ from Rust's (libm) in the last bit.
fn near(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-9 * a.abs().max(b.abs()) || (a.abs() <= 1e-15 && b.abs() <= 1e-15)
}

#[test]
fn formulas_match_the_game() {
    let text = std::fs::read_to_string(VECTORS).unwrap_or_else(|e| panic!("reading {VECTORS}: {e}"));
    let vectors: Value = serde_json::from_str(&text).expect("game_vectors.json is JSON");
    let cases = vectors["cases"].as_array().expect("a cases array");
    assert_eq!(cases.len(), 1500);

    let mut failures = Vec::new();
    let mut failed_cases = 0;
    for case in cases {
        let before = failures.len();
        let id = int(case, "/id");
        let player = player(case);
        let server = server(case);
        let cores = small(case, "/host_cores");
        let threads = int(case, "/grow_threads") as f64;
        let expected = |field: &str| num(case, &format!("/expected/{field}"));
        let mut check = |field: &str, got: f64, ok: fn(f64, f64) -> bool| {
            let want = expected(field);
            if !ok(got, want) {
                failures.push(format!("case {id} {field}: got {got:e}, expected {want:e}"));
            }
        };
        let ms = |a: f64, b: f64| (a - b).abs() <= 1e-6;

        let k = game::grow_log(&player, &server, cores);
        let multiplier = (k * threads).exp();
        check("hack_chance", game::hack_chance(&player, &server), near);
        check("hack_percent_per_thread", game::hack_percent(&player, &server), near);
        check("hack_time_ms", game::hack_time_ms(&player, &server), ms);
        check("grow_time_ms", game::grow_time_ms(&player, &server), ms);
        check("weaken_time_ms", game::weaken_time_ms(&player, &server), ms);
        check("grow_log_per_thread", k, near);
        check("grow_log_for_threads", k * threads, near);
        check("grow_multiplier", multiplier, near);
        check("grow_money_after", ((server.money + threads) * multiplier).min(server.max_money), near);
        check("core_bonus", game::core_bonus(cores), near);
        check("weaken_per_thread", game::weaken_per_thread(&player, cores), near);

        let got = game::grow_threads(&player, &server, server.money, server.max_money, cores);
        let want = int(case, "/expected/grow_threads_to_max");
        if got != want {
            failures.push(format!("case {id} grow_threads_to_max: got {got}, expected {want}"));
        }
        if failures.len() > before {
            failed_cases += 1;
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches in {failed_cases} of {} cases:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
