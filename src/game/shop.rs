//! What money buys: the TOR router and the port openers on the darkweb, purchased
//! servers and home upgrades (`docs/formulas.md` §13, §14, §17; bitburner-src
//! `src/DarkWeb/DarkWebItems.ts`, `src/Server/ServerPurchases.ts`,
//! `src/Constants.ts`). Prices in dollars, RAM in GB (a power of two).

/// The TOR router, bought once at a tech store: it opens the darkweb.
pub const TOR_PRICE: f64 = 200_000.0;

/// The port openers on the darkweb, by price. A server whose
/// `num_open_ports_required` is n can be rooted (NUKE.exe is free) once n are owned.
pub const PORT_OPENERS: [(&str, f64); 5] = [
    ("BruteSSH.exe", 500_000.0),
    ("FTPCrack.exe", 1_500_000.0),
    ("relaySMTP.exe", 5_000_000.0),
    ("HTTPWorm.exe", 30_000_000.0),
    ("SQLInject.exe", 250_000_000.0),
];

/// The most purchased servers in BitNode 1 (`PurchasedServerLimit` scales it).
pub const SERVER_LIMIT: u32 = 25;

/// The most RAM of a purchased server in BitNode 1: 2^20 GB.
pub const SERVER_MAX_RAM: u64 = 1 << 20;

/// The most RAM of the home computer: 2^30 GB.
pub const HOME_MAX_RAM: u64 = 1 << 30;

/// The most cores of the home computer.
pub const HOME_MAX_CORES: u32 = 8;

/// The price of a purchased server of `ram` GB:
/// `ram · 55,000 · cost · softcap^max(0, log2 ram − 6)`, with the BitNode's
/// `PurchasedServerCost` and `PurchasedServerSoftcap` multipliers.
pub fn server_price(ram: u64, cost: f64, softcap: f64) -> f64 {
    let log2 = f64::from(ram.max(1).ilog2());
    ram as f64 * 55_000.0 * cost * softcap.powf((log2 - 6.0).max(0.0))
}

/// The price of doubling home RAM from `ram` GB:
/// `ram · 32,000 · 1.58^log2 ram`, times the BitNode's `HomeComputerRamCost`.
pub fn home_ram_price(ram: u64, cost: f64) -> f64 {
    ram as f64 * 32_000.0 * 1.58_f64.powf(f64::from(ram.max(1).ilog2())) * cost
}

/// The price of home's next core when it has `cores`: `10^9 · 7.5^cores`.
pub fn home_core_price(cores: u32) -> f64 {
    1e9 * 7.5_f64.powi(cores as i32)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// formulas.md §13 and §14.
    #[test]
    fn prices() {
        assert_eq!(server_price(8, 1.0, 1.0), 440_000.0);
        assert_eq!(server_price(1024, 1.0, 1.0), 56_320_000.0);
        assert_eq!(server_price(1 << 20, 1.0, 1.0), 57_671_680_000.0);
        // A softcap above 1 costs extra above 64 GB only.
        assert_eq!(server_price(64, 1.0, 2.0), server_price(64, 1.0, 1.0));
        assert_eq!(server_price(128, 1.0, 2.0), 2.0 * server_price(128, 1.0, 1.0));
        let near = |a: f64, b: f64| (a - b).abs() <= 0.01 * b;
        assert!(near(home_ram_price(8, 1.0), 1.01e6));
        assert!(near(home_ram_price(32, 1.0), 10.1e6));
        assert!(near(home_ram_price(1024, 1.0), 3.18e9));
        assert_eq!(home_core_price(1), 7.5e9);
    }
}
