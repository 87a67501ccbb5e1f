//! reallot re-plans, every cycle, how a Bitburner batch-hacking system spends its RAM.
//!
//! Each cycle reads a [`State`] (hosts, targets, the tasks running now, drains), writes
//! the cycle as an integer program, solves it by decomposition, and answers with a
//! [`Plan`]: the new allocation table and the [`Action`]s that reach it safely.
//!
//! ```
//! let state = reallot::parse(r#"{
//!   "player": { "hacking": 50 },
//!   "hosts": [ { "name": "home", "max_ram": 64 } ],
//!   "targets": [ { "name": "n00dles", "required_hacking": 1, "min_security": 1,
//!                  "max_money": 1750000, "growth": 3000 } ]
//! }"#)?;
//! let plan = reallot::plan(&state)?;
//! assert!(plan.income.planned_per_s > 0.0);
//! assert!(plan.actions.iter().any(|a| matches!(a, reallot::Action::Launch { .. })));
//! # Ok::<(), reallot::Error>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod advise;
mod apply;
mod builders;
mod diff;
mod error;
pub mod game;
mod json;
mod model;
mod net;
mod plan;
mod ram;
mod range;
#[cfg(feature = "cli")]
pub mod sim;
mod solve;
pub mod state;
#[cfg(feature = "wasm")]
mod wasm;

pub use advise::{advise, parse_market, Advice, Choice, First, Item, Market};
pub use apply::apply;
pub use diff::{Action, When};
pub use error::{Error, Invalid};
pub use net::parse;
pub use plan::{
    analyze, plan, plan_json, Analysis, Decision, Explain, Income, MenuEntry, Plan, SolveStatus, Solver,
    TargetAnalysis,
};
pub use ram::Ram;
pub use state::State;

/// The planner's one clock. `std::time::Instant` traps on wasm32-unknown-unknown;
/// web-time's is std's on native targets and `performance.now()` on wasm32.
pub(crate) use web_time::Instant;

/// Checks a state without planning.
///
/// # Errors
///
/// [`Error::Invalid`] listing every problem found.
pub fn check(state: &State) -> Result<(), Error> {
    net::validate(state).map(|_| ())
}

/// A document reallot reads or writes, for [`schema`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum Document {
    /// The input, a `State`.
    State,
    /// The output of `plan`, a `Plan`.
    Plan,
    /// The output of `analyze`, an `Analysis`.
    Analysis,
    /// The market `advise` reads, a `Market`.
    Market,
    /// The output of `advise`, an `Advice`.
    Advice,
}

/// The JSON Schema of a document, as `reallot schema` prints it.
pub fn schema(of: Document) -> serde_json::Value {
    let schema = match of {
        Document::State => schemars::schema_for!(State),
        Document::Plan => schemars::schema_for!(Plan),
        Document::Analysis => schemars::schema_for!(Analysis),
        Document::Market => schemars::schema_for!(Market),
        Document::Advice => schemars::schema_for!(Advice),
    };
    schema.to_value()
}

/// `value` as JSON text the way every front door prints it (the CLI, the
/// WebAssembly module): through [`serde_json::Value`], so every object's keys are
/// sorted and the same answer is the same bytes everywhere.
///
/// # Errors
///
/// [`Error::Internal`] when `value` cannot be written as JSON (a bug).
pub fn to_json(value: &impl serde::Serialize, pretty: bool) -> Result<String, Error> {
    let value = serde_json::to_value(value).map_err(|e| Error::Internal(e.to_string()))?;
    let text = if pretty { serde_json::to_string_pretty(&value) } else { serde_json::to_string(&value) };
    text.map_err(|e| Error::Internal(e.to_string()))
}

/// The README's Rust examples compile and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
