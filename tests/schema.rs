//! The JSON Schemas that `reallot schema state|plan` prints, checked with an
//! independent validator (the `jsonschema` crate): every shipped model and every
//! `tests/hard/` file is a valid state, every plan the binary prints is a valid plan,
//! and shape errors of the catalogue are rejected by the schema too.

use std::path::Path;
use std::process::Command;

use serde_json::Value;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Runs the binary in the crate root and returns its standard output as JSON.
fn reallot_json(args: &[&str]) -> Value {
    let out = Command::new(env!("CARGO_BIN_EXE_reallot"))
        .args(args)
        .current_dir(ROOT)
        .output()
        .expect("the reallot binary runs");
    assert_eq!(out.status.code(), Some(0), "reallot {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("reallot {args:?} printed no JSON: {e}"))
}

fn validator(which: &str) -> jsonschema::Validator {
    let schema = reallot_json(&["schema", which]);
    jsonschema::validator_for(&schema)
        .unwrap_or_else(|e| panic!("`reallot schema {which}` does not compile: {e}"))
}

/// The `.json` files of a directory under the crate root, as relative paths, sorted.
fn json_files(dir: &str) -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(Path::new(ROOT).join(dir))
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .map(|e| e.expect("a directory entry").file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".json"))
        .map(|name| format!("{dir}/{name}"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no JSON files in {dir}");
    files
}

fn read_json(file: &str) -> Value {
    let text = std::fs::read_to_string(Path::new(ROOT).join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file} is not JSON: {e}"))
}

/// Every schema error of `instance`, one line each: `file: /instance/path: message`.
fn errors(validator: &jsonschema::Validator, file: &str, instance: &Value) -> Vec<String> {
    validator.iter_errors(instance).map(|e| format!("{file}: {}: {e}", e.instance_path())).collect()
}

#[test]
fn every_model_is_a_valid_state() {
    let state = validator("state");
    let mut failures = Vec::new();
    for file in json_files("models").into_iter().chain(json_files("tests/hard")) {
        failures.extend(errors(&state, &file, &read_json(&file)));
    }
    assert!(failures.is_empty(), "the state schema rejects valid input:\n{}", failures.join("\n"));
}

#[test]
fn shape_errors_are_rejected_by_the_schema() {
    let state = validator("state");
    // (catalogue file, the instance path of the schema error)
    for (name, path) in [
        ("unknown-field-top", ""),
        ("unknown-field-host", "/hosts/1"),
        ("wrong-type-max-ram", "/hosts/0/max_ram"),
        ("missing-player-hacking", "/player"),
        ("missing-target-max-money", "/targets/1"),
        ("unknown-drain-mode", "/hosts/0/drain"),
        ("player-hacking-negative", "/player/hacking"),
    ] {
        let file = format!("tests/bad/{name}.json");
        let found = errors(&state, &file, &read_json(&file));
        assert!(!found.is_empty(), "the state schema accepts {file}");
        let at: Vec<String> =
            state.iter_errors(&read_json(&file)).map(|e| e.instance_path().to_string()).collect();
        assert!(
            at.iter().any(|p| p == path),
            "{file}: expected an error at {path:?}, got:\n{}",
            found.join("\n")
        );
    }
}

#[test]
fn every_plan_is_a_valid_plan() {
    let plan = validator("plan");
    let mut failures = Vec::new();
    for file in json_files("models").into_iter().chain(json_files("tests/hard")) {
        failures.extend(errors(&plan, &file, &reallot_json(&["plan", &file])));
    }
    assert!(failures.is_empty(), "the plan schema rejects the binary's own plans:\n{}", failures.join("\n"));
}

#[test]
fn every_analysis_is_a_valid_analysis() {
    let analysis = validator("analysis");
    let mut failures = Vec::new();
    for file in json_files("models") {
        failures.extend(errors(&analysis, &file, &reallot_json(&["analyze", &file])));
    }
    assert!(
        failures.is_empty(),
        "the analysis schema rejects the binary's own output:\n{}",
        failures.join("\n")
    );
}
