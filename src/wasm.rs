//! The WebAssembly front door, which `js/` wraps for scripts inside the game.
//!
//! JSON text in, JSON text out: a state is read by [`crate::parse`], so a bad
//! one gets the CLI's problems, paths and all; an answer is written by
//! [`crate::to_json`], so it is the CLI's output byte for byte. An error is
//! thrown as the JSON text of [`Error`] (`{kind, message, problems}`).

use wasm_bindgen::prelude::wasm_bindgen;

use crate::{Document, Error};

/// `reallot plan`: the plan of a state; `solver.elapsed_ms` only when `timing`.
#[wasm_bindgen]
pub fn plan(state: &str, timing: bool) -> Result<String, String> {
    answer(crate::plan_json(state).and_then(|mut plan| {
        if !timing {
            plan.solver.elapsed_ms = None;
        }
        crate::to_json(&plan, false)
    }))
}

/// `reallot analyze`: the economics of every target.
#[wasm_bindgen]
pub fn analyze(state: &str) -> Result<String, String> {
    answer(crate::parse(state).and_then(|s| crate::analyze(&s)).and_then(|a| crate::to_json(&a, false)))
}

/// `reallot advise`: every purchase the market (JSON text; `""` for the
/// defaults) offers, valued by planning the changed state.
#[wasm_bindgen]
pub fn advise(state: &str, market: &str) -> Result<String, String> {
    let market = if market.is_empty() { Ok(crate::Market::default()) } else { crate::parse_market(market) };
    answer(
        crate::parse(state)
            .and_then(|s| market.and_then(|m| crate::advise(&s, &m)))
            .and_then(|a| crate::to_json(&a, false)),
    )
}

/// `reallot check`: `{"valid":true}`, or the problems.
#[wasm_bindgen]
pub fn check(state: &str) -> Result<String, String> {
    answer(crate::parse(state).and_then(|s| crate::check(&s)).map(|()| r#"{"valid":true}"#.to_string()))
}

/// `reallot schema`: the JSON Schema of `state`, `plan`, `analysis`, `market` or `advice`.
#[wasm_bindgen]
pub fn schema(which: &str) -> Result<String, String> {
    let of = match which {
        "state" => Document::State,
        "plan" => Document::Plan,
        "analysis" => Document::Analysis,
        "market" => Document::Market,
        "advice" => Document::Advice,
        other => {
            let message = format!(
                "{other:?} is not a document; allowed: \"state\", \"plan\", \"analysis\", \"market\" or \"advice\""
            );
            return answer(Err(Error::at("$", message)));
        }
    };
    answer(crate::to_json(&crate::schema(of), false))
}

/// The error as the JSON text the JavaScript side turns into a `ReallotError`.
fn answer(result: Result<String, Error>) -> Result<String, String> {
    result.map_err(|e| serde_json::to_string(&e).unwrap_or_else(|_| e.to_string()))
}
