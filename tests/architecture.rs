//! Rules of the code map (ARCHITECTURE.md) that a search of the source can check.

const SRC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src");

/// Every `.rs` file under `dir`, with its text.
fn sources(dir: &std::path::Path, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push((path.display().to_string(), std::fs::read_to_string(&path).unwrap()));
        }
    }
}

/// **Only `game` computes the game**: outside `src/game/` no code holds one of
/// the game's constants or its logarithms and exponentials, or times a batch
/// from the spacing or a weaken time itself. The planner and the simulator get
/// every such fact from `game`, so they cannot compute the game differently.
#[test]
fn only_game_computes_the_game() {
    let mut files = Vec::new();
    sources(std::path::Path::new(SRC), &mut files);
    let forbidden = [
        ".ln()",
        ".exp()",
        "ln_1p",
        "powf",
        "0.002",
        "0.004",
        "534.6",
        "55_000",
        "55000",
        "32_000",
        "32000",
        "1.58",
        "/ 240",
        "* spacing_ms",
        "spacing_ms *",
        "spacing_ms /",
        "/ 1000.0",
        "* 1000.0",
    ];
    let mut found = Vec::new();
    for (path, text) in files.iter().filter(|(p, _)| !p.contains("/src/game/")) {
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for f in forbidden.iter().filter(|f| code.contains(*f)) {
                found.push(format!("{path}:{}: {f}: {}", n + 1, line.trim()));
            }
        }
    }
    assert!(found.is_empty(), "game facts outside src/game/:\n{}", found.join("\n"));
}
