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

mod diff;
mod error;
pub mod game;
mod json;
mod model;
mod net;
mod plan;
mod ram;
mod range;
pub mod sim;
mod solve;
pub mod state;

pub use diff::Action;
pub use error::{Error, Invalid};
pub use net::parse;
pub use plan::{
    analyze, plan, Analysis, Decision, Explain, Income, MenuEntry, Plan, SolveStatus, Solver, TargetAnalysis,
};
pub use ram::Ram;
pub use state::State;

/// Checks a state without planning.
///
/// # Errors
///
/// [`Error::Invalid`] listing every problem found.
pub fn check(state: &State) -> Result<(), Error> {
    net::validate(state).map(|_| ())
}

/// The README's Rust examples compile and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
