//! Writes a model copied for measuring at scale (see `State::scaled`):
//! `cargo run --release --example scale -- models/late-game.json 10 10 > x10.json`
//! copies hosts and tasks 10 times and targets 10 times.

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [path, copies, target_copies] = args.as_slice() else {
        eprintln!("usage: scale MODEL.json COPIES TARGET_COPIES");
        std::process::exit(2);
    };
    let count = |s: &str| s.parse::<usize>().unwrap_or_else(|_| panic!("{s}: not a count"));
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let state = reallot::parse(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    let scaled = state.scaled(count(copies), count(target_copies));
    println!("{}", serde_json::to_string(&scaled).expect("a state serialises"));
}
