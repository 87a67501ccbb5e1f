//! Planning time on the scenario models in `models/`.
//!
//! Run with `cargo bench --bench plan`. Groups:
//!
//! - `plan/<model>`: [`reallot::plan`] on every `models/*.json`, parsed once beforehand;
//! - `analyze/late-game`: [`reallot::analyze`] on the late-game model;
//! - `parse_check/late-game`: [`reallot::parse`] then [`reallot::check`] on the
//!   late-game file's text;
//! - `parse_check/at-limits`: the same on a generated state at every size limit
//!   (10,000 hosts, 10,000 targets, 1,000 tasks, 100,000 placement entries);
//! - `scale/x10`, `scale/x30`, `scale/t5000`: [`reallot::plan`] on the late
//!   game copied 10 and 30 times, and with 5,040 targets (`State::scaled`),
//!   uncut; `scale/x30-guarded` and `scale/at-limits-guarded`: copied 30 times,
//!   and the state at every size limit, with the default time limit.
//!
//! See `BENCHMARKS.md` for the results and the targets.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};

const MODELS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/models");
const LATE_GAME: &str = "late-game";

/// Every `.json` file directly in `models/` (no subfolders), sorted by path, as
/// (file stem, text).
fn models() -> Vec<(String, String)> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(MODELS)
        .unwrap_or_else(|e| panic!("cannot read {MODELS}: {e}"))
        .map(|entry| entry.unwrap_or_else(|e| panic!("cannot read an entry of {MODELS}: {e}")).path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no models/*.json found in {MODELS}");
    paths
        .into_iter()
        .map(|p| {
            let stem = p.file_stem().expect("a file has a stem").to_string_lossy().into_owned();
            let text =
                std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()));
            (stem, text)
        })
        .collect()
}

fn late_game_text() -> String {
    let path = format!("{MODELS}/{LATE_GAME}.json");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

fn bench_plan(c: &mut Criterion) {
    let mut group = c.benchmark_group("plan");
    group.measurement_time(Duration::from_secs(5)).sample_size(30);
    for (stem, text) in models() {
        let state = reallot::parse(&text).unwrap_or_else(|e| panic!("models/{stem}.json: {e}"));
        // Fail loudly, outside the timed loop, if a model does not plan at all.
        reallot::plan(&state).unwrap_or_else(|e| panic!("models/{stem}.json does not plan: {e}"));
        group.bench_with_input(BenchmarkId::from_parameter(&stem), &state, |b, state| {
            b.iter(|| reallot::plan(black_box(state)).expect("plan"));
        });
    }
    group.finish();
}

fn bench_analyze(c: &mut Criterion) {
    let text = late_game_text();
    let state = reallot::parse(&text).unwrap_or_else(|e| panic!("models/{LATE_GAME}.json: {e}"));
    reallot::analyze(&state).unwrap_or_else(|e| panic!("models/{LATE_GAME}.json does not analyze: {e}"));
    let mut group = c.benchmark_group("analyze");
    group.measurement_time(Duration::from_secs(5)).sample_size(30);
    group.bench_with_input(BenchmarkId::from_parameter(LATE_GAME), &state, |b, state| {
        b.iter(|| reallot::analyze(black_box(state)).expect("analyze"));
    });
    group.finish();
}

/// A valid state at every size limit: 10,000 hosts of 64 GB, 10,000 targets and
/// 1,000 till tasks of 100 chunks each, task `i` on hosts `100 i` to `100 i + 99`
/// (round the list), as JSON.
fn at_limits_text() -> String {
    let hosts: Vec<String> = (0..10_000).map(|i| format!(r#"{{"name":"pserv-{i}","max_ram":64}}"#)).collect();
    let targets: Vec<String> = (0..10_000)
        .map(|i| {
            format!(r#"{{"name":"t{i}","required_hacking":1,"min_security":1,"security":5,"max_money":1e6,"growth":10}}"#)
        })
        .collect();
    let tasks: Vec<String> = (0..1_000)
        .map(|i| {
            let placement: Vec<String> =
                (0..100).map(|h| format!(r#""pserv-{}":1"#, (i * 100 + h) % 10_000)).collect();
            format!(
                r#"{{"id":"till:t{i}","kind":"till","target":"t{i}","placement":{{{}}}}}"#,
                placement.join(",")
            )
        })
        .collect();
    format!(
        r#"{{"player":{{"hacking":50}},"hosts":[{}],"targets":[{}],"tasks":[{}]}}"#,
        hosts.join(","),
        targets.join(","),
        tasks.join(",")
    )
}

fn bench_parse_check(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse_check");
    group.measurement_time(Duration::from_secs(5)).sample_size(30);
    for (name, text) in [(LATE_GAME, late_game_text()), ("at-limits", at_limits_text())] {
        let state = reallot::parse(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        reallot::check(&state).unwrap_or_else(|e| panic!("{name} is not valid: {e}"));
        group.bench_with_input(BenchmarkId::from_parameter(name), text.as_str(), |b, text| {
            b.iter(|| {
                let state = reallot::parse(black_box(text)).expect("parse");
                reallot::check(&state).expect("check");
                state
            });
        });
    }
    group.finish();
}

/// The late game copied (`State::scaled`): 10× and 30× hosts, targets and
/// tasks, and 80× the targets alone (5,040), with a time limit that does not
/// cut, so what is timed is the whole search; and with the default limit 30×
/// and the state at every size limit, where what is timed is the guard.
fn bench_scale(c: &mut Criterion) {
    let text = late_game_text();
    let late = reallot::parse(&text).unwrap_or_else(|e| panic!("models/{LATE_GAME}.json: {e}"));
    let mut group = c.benchmark_group("scale");
    group.measurement_time(Duration::from_secs(20)).sample_size(10);
    let default = reallot::state::Policy::default().time_limit_ms;
    let limits = reallot::parse(&at_limits_text()).expect("the state at the limits parses");
    for (name, copies, target_copies, limit) in [
        ("x10", 10, 10, 60_000),
        ("t5000", 1, 80, 60_000),
        ("x30", 30, 30, 60_000),
        ("x30-guarded", 30, 30, default),
        ("at-limits-guarded", 0, 0, default),
    ] {
        let mut state = if copies == 0 { limits.clone() } else { late.scaled(copies, target_copies) };
        state.policy.time_limit_ms = limit;
        reallot::plan(&state).unwrap_or_else(|e| panic!("{name} does not plan: {e}"));
        group.bench_with_input(BenchmarkId::from_parameter(name), &state, |b, state| {
            b.iter(|| reallot::plan(black_box(state)).expect("plan"));
        });
    }
    group.finish();
}

criterion_group!(benches, bench_plan, bench_analyze, bench_parse_check, bench_scale);
criterion_main!(benches);
