//! Arbitrary bytes as state JSON: parse, check, analyze and plan must each answer
//! `Ok` or a clean `Error::Invalid` naming at least one JSON path. A panic, an
//! `Error::Internal` or an invalid error without a path is a finding.
//!
//! Seed it with the shipped states so most inputs get past the parser:
//! `cargo fuzz run state_bytes corpus/state_bytes ../models ../tests/bad ../tests/hard -- -dict=state.dict`.

#![no_main]

use libfuzzer_sys::fuzz_target;
use reallot::Error;

/// The solver's budget while fuzzing: an input may ask for up to a minute, which
/// would only slow the fuzzer down. A few milliseconds also cut the LP stages
/// short now and then, so the time-limit paths are fuzzed too.
const TIME_LIMIT_MS: u64 = 5;

fn clean<T>(what: &str, r: Result<T, Error>) -> Option<T> {
    match r {
        Ok(x) => Some(x),
        Err(Error::Invalid(problems)) => {
            assert!(!problems.is_empty(), "{what}: Error::Invalid with no problem listed");
            for p in &problems {
                // An empty JSON key once gave an empty path (`tests/regressions/bad-empty-key*.json`).
                let full = !p.path.is_empty() && !p.path.ends_with('.');
                assert!(full, "{what}: a problem without a full path: {p:?}");
                assert!(!p.message.is_empty(), "{what}: a problem without a message: {p:?}");
            }
            None
        }
        Err(e @ Error::Internal(_)) => panic!("{what}: {e}"),
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Some(mut state) = clean("parse", reallot::parse(text)) else { return };
    // What parses writes back as JSON that parses to the same state.
    let written = serde_json::to_string(&state).expect("a state serialises");
    match reallot::parse(&written) {
        Ok(again) => assert!(again == state, "the state changes through its own JSON: {written}"),
        Err(e) => panic!("the state's own JSON does not parse: {e}\n{written}"),
    }
    state.policy.time_limit_ms = state.policy.time_limit_ms.min(TIME_LIMIT_MS);
    let checked = clean("check", reallot::check(&state)).is_some();
    let analysis = clean("analyze", reallot::analyze(&state));
    let plan = clean("plan", reallot::plan(&state));
    // The three entry points agree on whether the state is valid.
    assert_eq!(checked, analysis.is_some(), "check and analyze disagree");
    assert_eq!(checked, plan.is_some(), "check and plan disagree");
    if let Some(plan) = plan {
        // The answer is always serialisable, and every planned task names a known host.
        serde_json::to_string(&plan).expect("a plan serialises");
        for t in &plan.tasks {
            for h in t.placement.keys() {
                assert!(state.hosts.iter().any(|x| &x.name == h), "{} placed on unknown host {h}", t.id);
            }
        }
    }
});
