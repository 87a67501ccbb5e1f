//! The one integration-test binary.

mod advise;
mod architecture;
mod behaviours;
mod brute;
mod cli;
mod contract;
mod game_vectors;
mod library;
mod oracle;
mod props;
mod ranges;
mod schema;
mod sim;
mod support;
