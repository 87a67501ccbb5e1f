//! The game, in one place: its hacking formulas (chance, percent, times, grow,
//! weaken, what an action does when it lands, exp and skill), the HWGW batches
//! and task kinds built on them ([`Batch`], [`Timing`], the harvest [`menu`], the
//! steady-state [`income_curve`]), and what money buys ([`server_price`] and the
//! rest). The planner (`model`, `analyze`) and the simulator call these and
//! nothing else for any fact of the game, so a simulated BitNode and a plan
//! compute it the same way.

mod batch;
mod hacking;
mod shop;

pub use batch::*;
pub use hacking::*;
pub use shop::*;

use crate::state::Target;
use crate::Ram;

impl Server {
    /// A target of the state as the formulas see it: security and money default
    /// to the minimum and the maximum (a prepped target).
    pub fn of(target: &Target) -> Server {
        Server {
            required_hacking: f64::from(target.required_hacking),
            security: target.security.unwrap_or(target.min_security),
            min_security: target.min_security,
            money: target.money.unwrap_or(target.max_money),
            max_money: target.max_money,
            growth: target.growth,
        }
    }
}

/// The RAM tasks may hold on a host: its installed RAM less what is not ours to
/// plan (set-aside, services, foreign scripts). None when `reserved` is more.
pub fn capacity(max_ram: Ram, reserved: Ram) -> Option<Ram> {
    max_ram.0.checked_sub(reserved.0).map(Ram)
}
