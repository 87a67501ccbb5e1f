//! reallot re-plans, every cycle, how a Bitburner batch-hacking system spends its RAM.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod game;
mod ram;
pub mod state;

pub use ram::Ram;
