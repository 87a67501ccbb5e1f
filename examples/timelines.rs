//! Writes the shipped simulator timelines, `models/timelines/*.json`, from the
//! game's server table (`tests/data/servers.json`): `cargo run --example timelines`.
//! A test (`tests/sim.rs`) checks that the shipped files are what this writes.

use std::collections::BTreeMap;

use reallot::sim::{Market, Timeline, Unlock, Upgrade};
use reallot::state::{DrainMode, Host, HostKind, Mults, Player, State, Target};
use serde_json::Value;

const SERVERS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/servers.json");
const OUT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/models/timelines");

/// The game's network servers by the port openers they need to be rooted:
/// those with RAM as hosts, those with money as targets (at base security and
/// starting money, as every BitNode and every augmentation install leaves them).
fn servers() -> BTreeMap<u32, (Vec<Host>, Vec<Target>)> {
    let text = std::fs::read_to_string(SERVERS).expect("tests/data/servers.json");
    let data: Value = serde_json::from_str(&text).expect("servers.json is JSON");
    let mut groups: BTreeMap<u32, (Vec<Host>, Vec<Target>)> = BTreeMap::new();
    for s in data["servers"].as_array().expect("a server list") {
        let num = |k: &str| s[k].as_f64().unwrap_or_else(|| panic!("{k} of {s}"));
        let name = s["hostname"].as_str().expect("a hostname").to_string();
        let group = groups.entry(num("num_open_ports_required") as u32).or_default();
        if num("max_ram_gb") > 0.0 {
            group.0.push(host(&name, num("max_ram_gb"), HostKind::Network));
        }
        if num("max_money") > 0.0 {
            group.1.push(Target {
                name,
                required_hacking: num("required_hacking_skill") as u32,
                min_security: num("min_security"),
                security: Some(num("base_security")),
                base_security: Some(num("base_security")),
                max_money: num("max_money"),
                money: Some(num("starting_money")),
                growth: num("server_growth"),
                menu: None,
                weaken_ms: None,
            });
        }
    }
    groups
}

fn host(name: &str, max_ram: f64, kind: HostKind) -> Host {
    Host { name: name.into(), max_ram, reserved_ram: 0.0, cores: 1, kind, drain: None }
}

/// A timeline whose network is rooted up to `ports` port openers at the start,
/// the rest left to the port openers money buys.
fn timeline(
    description: &str,
    player: Player,
    home: Host,
    ports: u32,
    money: f64,
    duration_s: f64,
) -> Timeline {
    let mut initial = State {
        description: None,
        player,
        hosts: vec![home],
        targets: Vec::new(),
        tasks: Vec::new(),
        config: Default::default(),
        policy: Default::default(),
    };
    let mut network = Vec::new();
    for (need, (hosts, targets)) in servers() {
        if need <= ports {
            initial.hosts.extend(hosts);
            initial.targets.extend(targets);
        } else {
            network.push(Unlock { ports: need, hosts, targets });
        }
    }
    Timeline {
        description: Some(description.into()),
        initial,
        money,
        port_openers: ports,
        network,
        market: Market::default(),
        exp_per_s: 0.0,
        early_bitnode: false,
        duration_s,
        step_s: 1.0,
        replan_s: 60.0,
        sample_s: 60.0,
        hacking: Vec::new(),
        events: Vec::new(),
    }
}

/// Multipliers of a few rounds of augmentations.
fn augmented(hacking: f64, exp: f64, money: f64, speed: f64, chance: f64, grow: f64) -> Mults {
    Mults {
        hacking_chance: chance,
        hacking_speed: speed,
        hacking_money: money,
        hacking_grow: grow,
        hacking,
        hacking_exp: exp,
    }
}

fn fresh() -> Timeline {
    let mut t = timeline(
        "The first 8 hours of a new BitNode (BitNode 1 again, with Source-File 1: a 32 GB home and every \
         multiplier 1.16): hacking 1, $1,000, home with 1 core and the seven servers that need no open \
         port. The player studies Computer Science at Rothman University (1 exp/s); the policy's \
         threads earn the rest. The user's early-bitnode.ts sows and harvests n00dles. Everything else is \
         bought from the money made, by the shared rule: TOR and the port openers (each roots the next \
         group of servers, at base security and starting money), home RAM and cores, and purchased \
         servers as buy-servers.ts buys them, upgraded in place. The batch system's services hold 5.6 GB \
         of foodnstuff. Exercises scarce RAM early, undersized early harvests, sudden RAM increases and \
         targets that unlock with the level.",
        Player { mults: augmented(1.16, 1.16, 1.16, 1.16, 1.16, 1.16), ..Player::default() },
        host("home", 32.0, HostKind::Home),
        0,
        1_000.0,
        8.0 * 3600.0,
    );
    t.exp_per_s = 1.0;
    t.early_bitnode = true;
    for h in &mut t.initial.hosts {
        if h.name == "foodnstuff" {
            h.reserved_ram = 5.6;
        }
    }
    t
}

/// A BitNode a few hours after an augmentation install: skill 500, home kept
/// (2 TB, 4 cores), purchased servers gone, every port opener bought back.
fn mid_game(upgrade: Upgrade, drain: DrainMode) -> Timeline {
    let how = match (upgrade, drain) {
        (Upgrade::InPlace, _) => "upgraded in place, so today's system never has to stop",
        (Upgrade::Replace, DrainMode::Evict) => {
            "replaced: each server below the size the rule wants is drained, deleted once empty and \
             bought again bigger, one at a time (today's system stops everything for each drain)"
        }
        (Upgrade::Replace, DrainMode::Cordon) => {
            "replaced as in mid-game-drain, but each server is cordoned (`drain: cordon`) instead of \
             evicted: no new chunk goes there and each chunk leaves when its batch or round lands, so \
             the planner loses no batch in flight (today's system still stops everything)"
        }
    };
    let mut t = timeline(
        &format!(
            "Mid game, a few hours after an augmentation install: hacking 500 with the multipliers of a \
             few rounds of augmentations, $1b, home kept at 2 TB with 4 cores, every port opener owned, \
             so every server is rooted, at base security and starting money. The purchased servers were \
             lost with the install: the shared rule buys 25 of them again from the money, then makes \
             them bigger as money allows, {how}. 4 hours. Exercises a large network (69 hosts, 63 \
             targets), prepping many targets at once and RAM that keeps growing."
        ),
        Player { hacking: 500, mults: augmented(1.6, 1.5, 1.5, 1.3, 1.2, 1.2), ..Player::default() },
        Host { cores: 4, ..host("home", 2048.0, HostKind::Home) },
        5,
        1e9,
        4.0 * 3600.0,
    );
    t.market.upgrade = upgrade;
    t.market.drain = drain;
    t
}

fn late_game() -> Timeline {
    timeline(
        "Late game, after many augmentations: hacking 2,500 with strong multipliers, $50b, home of 2^20 \
         GB with 8 cores, every server rooted at base security and starting money. The shared rule buys \
         25 purchased servers (32 TB each at first) and grows them in place up to 2^20 GB: the network \
         reaches about 27 million GB. 4 hours. Exercises the planner at full scale.",
        Player { hacking: 2500, mults: augmented(3.0, 3.0, 2.5, 2.0, 1.5, 1.5), ..Player::default() },
        Host { cores: 8, ..host("home", 1_048_576.0, HostKind::Home) },
        5,
        5e10,
        4.0 * 3600.0,
    )
}

/// Every shipped timeline, by file stem.
pub fn timelines() -> Vec<(&'static str, Timeline)> {
    vec![
        ("fresh-bitnode-8h", fresh()),
        ("mid-game-drain", mid_game(Upgrade::Replace, DrainMode::Evict)),
        ("mid-game-cordon", mid_game(Upgrade::Replace, DrainMode::Cordon)),
        ("mid-game-upgrade", mid_game(Upgrade::InPlace, DrainMode::Evict)),
        ("late-game", late_game()),
    ]
}

/// A timeline as its file holds it.
pub fn text(timeline: &Timeline) -> String {
    serde_json::to_string_pretty(timeline).expect("a timeline serialises") + "\n"
}

#[allow(dead_code)] // The test includes this file for `timelines` and `text` only.
fn main() {
    for (name, t) in timelines() {
        let path = format!("{OUT}/{name}.json");
        std::fs::write(&path, text(&t)).unwrap_or_else(|e| panic!("cannot write {path}: {e}"));
        println!("wrote {path}");
    }
}
