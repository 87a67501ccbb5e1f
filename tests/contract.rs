//! DESIGN.md's contract rules on every shipped model.

use crate::support::{check_contract, check_stable, models};

#[test]
fn every_model_keeps_the_contract() {
    let mut failures = Vec::new();
    for (name, state) in models() {
        match reallot::plan(&state) {
            Ok(plan) => {
                if let Err(e) = check_contract(&state, &plan).and_then(|_| check_stable(&state, &plan)) {
                    failures.push(format!("{name}: {e}"));
                }
            }
            Err(e) => failures.push(format!("{name}: plan failed: {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
