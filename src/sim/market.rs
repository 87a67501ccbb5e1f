//! What money buys in a simulated BitNode, and the one rule that buys it for every
//! policy, so that a policy that earns more owns more RAM sooner and nothing else
//! differs.
//!
//! # The buying rule
//!
//! Every `every_s` game seconds (10 s by default, the cadence of the user's
//! `upgrade-ram.ts`), in this order, each as often as the money on hand allows:
//!
//! 1. **Port openers**: the TOR router, then the port openers cheapest first
//!    (`docs/formulas.md` §17). Each one roots the servers of the timeline's
//!    `network` that need that many open ports: their RAM and money join.
//! 2. **Home**: the next RAM doubling, then the next core (`upgrade-ram.ts`).
//! 3. **Purchased servers**, as the user's `buy-servers.ts` with its defaults
//!    (`docs/domain.md` §5): the largest power-of-two RAM `r` of at least
//!    `min_ram` whose price fits `money · spend / limit`; buy the missing servers
//!    (`pserv-1`, …) at `r`; then make every server below `r` bigger, smallest
//!    first: in place (`upgrade: in_place`, scripts keep running) or, with
//!    `upgrade: replace`, by draining it (`drain`: `evict` by default, or
//!    `cordon`), and once it is empty deleting it and buying it again at `r`,
//!    one server at a time.

use serde::{Deserialize, Serialize};

use crate::advise::Item;
use crate::game;
use crate::state::{Drain, DrainMode, Host, HostKind, State};

use super::world::World;
use super::Unlock;

/// How many purchases an advised policy makes at one look at the shop: each
/// one plans every option again, so a look stays a handful of plans.
const ADVISED_PER_LOOK: usize = 4;

/// Game seconds between two calls of `advise`: the server service asks once a
/// minute (at the shared rule's `every_s` it would plan every option six times
/// as often).
const ADVISED_EVERY_S: f64 = 60.0;

/// What the timeline offers for sale, and how the shared buying rule spends.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Market {
    /// Buy the TOR router and the port openers.
    pub port_openers: bool,
    /// Buy home RAM upgrades.
    pub home_ram: bool,
    /// Buy home cores.
    pub home_cores: bool,
    /// Buy and upgrade purchased servers.
    pub servers: bool,
    /// How a purchased server is made bigger.
    pub upgrade: Upgrade,
    /// With `upgrade: replace`, how the server is emptied first.
    pub drain: DrainMode,
    /// `buy-servers.ts --spend`: the share of the money one round of servers may take (0 to 1).
    pub spend: f64,
    /// `buy-servers.ts --min`: the smallest server to buy, in GB (a power of two).
    pub min_ram: u64,
    /// Game seconds between two looks at the shop (1 to 3600).
    pub every_s: f64,
    /// `PurchasedServerLimit`: how many purchased servers there may be.
    pub server_limit: u32,
    /// The most RAM of a purchased server, in GB (a power of two).
    pub server_max_ram: u64,
    /// `PurchasedServerCost`.
    pub server_cost: f64,
    /// `PurchasedServerSoftcap`.
    pub server_softcap: f64,
    /// `HomeComputerRamCost`.
    pub home_ram_cost: f64,
}

impl Default for Market {
    fn default() -> Self {
        Market {
            port_openers: true,
            home_ram: true,
            home_cores: true,
            servers: true,
            upgrade: Upgrade::InPlace,
            drain: DrainMode::Evict,
            spend: 1.0,
            min_ram: 16,
            every_s: 10.0,
            server_limit: game::SERVER_LIMIT,
            server_max_ram: game::SERVER_MAX_RAM,
            server_cost: 1.0,
            server_softcap: 1.0,
            home_ram_cost: 1.0,
        }
    }
}

impl Market {
    /// The price of a purchased server of `ram` GB in this BitNode.
    fn server_price(&self, ram: u64) -> f64 {
        game::server_price(ram, self.server_cost, self.server_softcap)
    }

    /// What `advise` is told: this shop's limits and prices, and `money`.
    fn offer(&self, money: f64) -> crate::Market {
        crate::Market {
            money,
            spend: self.spend,
            server_limit: self.server_limit,
            server_max_ram: self.server_max_ram,
            server_cost: self.server_cost,
            server_softcap: self.server_softcap,
            home_ram_cost: self.home_ram_cost,
            ..crate::Market::default()
        }
    }
}

/// How the buying rule makes a purchased server bigger.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Upgrade {
    /// `upgradePurchasedServer`: it grows in place; its scripts keep running.
    #[default]
    InPlace,
    /// Drain it, delete it once empty, buy it again bigger.
    Replace,
}

/// One thing bought.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Purchase {
    /// Game seconds.
    pub at_s: f64,
    /// What: `TOR`, a program's name, `home RAM 64 GB`, `home core 2`, `pserv-3 256 GB`.
    pub item: String,
    /// Dollars.
    pub price: f64,
}

/// What one look at the shop changed, for the policies.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Changes {
    /// Hosts were added or got more RAM.
    pub more_ram: bool,
    /// A host was drained.
    pub drained: bool,
    /// Anything at all.
    pub any: bool,
}

/// One policy's shop: what it owns and what it is waiting for.
#[derive(Clone, Debug)]
pub(crate) struct Shop {
    tor: bool,
    openers: u32,
    /// Network groups already rooted.
    rooted: Vec<bool>,
    next_look_s: f64,
    /// When an advised policy next asks `advise`.
    next_advice_s: f64,
    /// The purchased server being emptied for replacement, and its new RAM.
    replacing: Option<(String, u64)>,
    pub purchases: Vec<Purchase>,
    pub spent: f64,
    /// Options `advise` valued by a plan the time limit cut.
    pub cut_plans: u64,
}

impl Shop {
    /// A shop owning `openers` port openers (and TOR with any), with the groups
    /// of `network` those root already rooted in `w`.
    pub fn new(w: &mut World, network: &[Unlock], openers: u32) -> Shop {
        let mut shop = Shop {
            tor: openers > 0,
            openers,
            rooted: vec![false; network.len()],
            next_look_s: 0.0,
            next_advice_s: 0.0,
            replacing: None,
            purchases: Vec::new(),
            spent: 0.0,
            cut_plans: 0,
        };
        shop.root(w, network);
        shop
    }

    fn buy(&mut self, w: &mut World, item: String, price: f64) {
        w.money -= price;
        self.spent += price;
        self.purchases.push(Purchase { at_s: w.t, item, price });
    }

    /// Roots every network group the port openers owned allow; says whether any.
    fn root(&mut self, w: &mut World, network: &[Unlock]) -> bool {
        let mut any = false;
        for (group, rooted) in network.iter().zip(&mut self.rooted) {
            if !*rooted && group.ports <= self.openers {
                group.hosts.iter().for_each(|h| w.add_host(h.clone()));
                group.targets.iter().for_each(|t| w.add_target(t));
                *rooted = true;
                any = true;
            }
        }
        any
    }

    /// Looks at the shop if it is time, and buys by the rule; or, with
    /// `advised` (the state's base, as the planner reads the world), buys home
    /// and servers by what [`crate::advise`] ranks first.
    pub fn look(
        &mut self,
        w: &mut World,
        market: &Market,
        network: &[Unlock],
        advised: Option<&State>,
    ) -> Changes {
        let mut changes = Changes::default();
        if w.t < self.next_look_s {
            return changes;
        }
        self.next_look_s = w.t + market.every_s;
        if market.port_openers {
            changes.more_ram |= self.openers(w, network);
        }
        if let Some(base) = advised {
            let (more, drained) = self.advised(w, market, base);
            changes.more_ram |= more;
            changes.drained |= drained;
            changes.any = changes.more_ram || changes.drained;
            return changes;
        }
        changes.more_ram |= self.home(w, market);
        if market.servers {
            let (more, drained) = self.servers(w, market);
            changes.more_ram |= more;
            changes.drained |= drained;
        }
        changes.any = changes.more_ram || changes.drained;
        changes
    }

    fn openers(&mut self, w: &mut World, network: &[Unlock]) -> bool {
        if !self.tor && w.money >= game::TOR_PRICE {
            self.buy(w, "TOR".into(), game::TOR_PRICE);
            self.tor = true;
        }
        while self.tor {
            let Some(&(name, price)) = game::PORT_OPENERS.get(self.openers as usize) else { break };
            if w.money < price {
                break;
            }
            self.buy(w, name.into(), price);
            self.openers += 1;
        }
        self.root(w, network)
    }

    fn home(&mut self, w: &mut World, market: &Market) -> bool {
        let Some(h) = w.home() else { return false };
        let mut more = false;
        while market.home_ram && (w.hosts[h].host.max_ram as u64) < game::HOME_MAX_RAM {
            let ram = w.hosts[h].host.max_ram as u64;
            let price = game::home_ram_price(ram, market.home_ram_cost);
            if w.money < price {
                break;
            }
            self.buy(w, format!("home RAM {} GB", ram * 2), price);
            w.set_ram(h, (ram * 2) as f64, None);
            more = true;
        }
        while market.home_cores && w.hosts[h].host.cores < game::HOME_MAX_CORES {
            let cores = w.hosts[h].host.cores;
            let price = game::home_core_price(cores);
            if w.money < price {
                break;
            }
            self.buy(w, format!("home core {}", cores + 1), price);
            w.hosts[h].host.cores += 1;
            w.version += 1;
        }
        more
    }

    /// `buy-servers.ts`; says whether RAM was added and whether a host was drained.
    fn servers(&mut self, w: &mut World, market: &Market) -> (bool, bool) {
        let price = |ram: u64| market.server_price(ram);
        let budget = w.money * market.spend / f64::from(market.server_limit.max(1));
        let mut sizes =
            std::iter::successors(Some(market.min_ram.max(1).next_power_of_two()), |r| r.checked_mul(2));
        let Some(ram) =
            sizes.by_ref().take_while(|&r| r <= market.server_max_ram && price(r) <= budget).last()
        else {
            return (self.replace(w, &price), false);
        };
        let owned = |w: &World| -> Vec<usize> {
            (0..w.hosts.len())
                .filter(|&h| !w.hosts[h].gone && w.hosts[h].host.kind == HostKind::Purchased)
                .collect()
        };
        let mut more = false;
        let mut count = owned(w).len() as u32;
        let mut n = 1;
        while count < market.server_limit && w.money >= price(ram) {
            while w.host(&format!("pserv-{n}")).is_some() {
                n += 1;
            }
            let name = format!("pserv-{n}");
            self.buy(w, format!("{name} {ram} GB"), price(ram));
            w.add_host(Host {
                name,
                max_ram: ram as f64,
                reserved_ram: 0.0,
                cores: 1,
                kind: HostKind::Purchased,
                drain: None,
            });
            count += 1;
            more = true;
        }
        let mut smaller: Vec<usize> =
            owned(w).into_iter().filter(|&h| (w.hosts[h].host.max_ram as u64) < ram).collect();
        smaller.sort_by(|&a, &b| {
            let key = |h: usize| (w.hosts[h].host.max_ram as u64, w.hosts[h].host.name.clone());
            key(a).cmp(&key(b))
        });
        let mut drained = false;
        match market.upgrade {
            Upgrade::InPlace => {
                for h in smaller {
                    let old = w.hosts[h].host.max_ram as u64;
                    let cost = price(ram) - price(old);
                    if w.money < cost {
                        break;
                    }
                    self.buy(w, format!("{} {ram} GB", w.hosts[h].host.name), cost);
                    w.set_ram(h, ram as f64, None);
                    more = true;
                }
            }
            Upgrade::Replace => {
                if let (None, Some(&h)) = (&self.replacing, smaller.first()) {
                    self.replacing = Some((w.hosts[h].host.name.clone(), ram));
                    w.set_drain(h, Some(Drain::new(market.drain)));
                    drained = true;
                }
                more |= self.replace(w, &price);
            }
        }
        (more, drained)
    }

    /// Buys what `advise` ranks first, again while it offers something (at most
    /// [`ADVISED_PER_LOOK`] times); says whether RAM was added and whether a
    /// host was drained. Only what the market sells is taken: upgrades in place
    /// with `upgrade: in_place`, a replace with `upgrade: replace`.
    fn advised(&mut self, w: &mut World, market: &Market, base: &State) -> (bool, bool) {
        let price = |ram: u64| market.server_price(ram);
        let (mut more, mut drained) = (self.replace(w, &price), false);
        if w.t < self.next_advice_s {
            return (more, drained);
        }
        self.next_advice_s = w.t + ADVISED_EVERY_S;
        for _ in 0..ADVISED_PER_LOOK {
            let Ok(advice) = crate::advise(&w.state(base), &market.offer(w.money)) else { break };
            let cut = advice.options.iter().filter(|c| c.status == crate::SolveStatus::TimeLimit).count();
            self.cut_plans += cut as u64;
            let sold = |item: &Item| match item {
                Item::Server { .. } | Item::Upgrade { .. } | Item::Replace { .. } if !market.servers => false,
                Item::Upgrade { .. } => market.upgrade == Upgrade::InPlace,
                Item::Replace { .. } => market.upgrade == Upgrade::Replace && self.replacing.is_none(),
                Item::HomeRam { .. } => market.home_ram,
                Item::HomeCore { .. } => market.home_cores,
                Item::Server { .. } => true,
            };
            let Some(choice) = advice.options.into_iter().find(|c| sold(&c.item)) else { break };
            match choice.item {
                Item::Server { host, ram } => {
                    self.buy(w, format!("{host} {ram} GB"), choice.cost);
                    w.add_host(Host { kind: HostKind::Purchased, ..Host::new(host, ram as f64) });
                }
                Item::Upgrade { host, ram, .. } => {
                    let Some(h) = w.host(&host) else { break };
                    self.buy(w, format!("{host} {ram} GB"), choice.cost);
                    w.set_ram(h, ram as f64, None);
                }
                Item::Replace { host, ram, .. } => {
                    let Some(h) = w.host(&host) else { break };
                    self.replacing = Some((host, ram));
                    // A cordon as the advice has it, with its deadline.
                    let deadline_s = choice.first.and_then(|f| f.deadline_s);
                    let deadline_s = deadline_s.filter(|_| market.drain == DrainMode::Cordon);
                    w.set_drain(h, Some(Drain { mode: market.drain, deadline_s }));
                    drained = true;
                    // Bought once the host is empty.
                    continue;
                }
                Item::HomeRam { ram } => {
                    let Some(h) = w.home() else { break };
                    self.buy(w, format!("home RAM {ram} GB"), choice.cost);
                    w.set_ram(h, ram as f64, None);
                }
                Item::HomeCore { cores } => {
                    let Some(h) = w.home() else { break };
                    self.buy(w, format!("home core {cores}"), choice.cost);
                    w.hosts[h].host.cores = cores;
                    w.version += 1;
                    continue;
                }
            }
            more = true;
        }
        (more, drained)
    }

    /// Deletes and buys again the server being replaced, once it is empty and
    /// the new one is affordable; says whether it did.
    fn replace(&mut self, w: &mut World, price: &dyn Fn(u64) -> f64) -> bool {
        let Some((name, ram)) = self.replacing.clone() else { return false };
        let Some(h) = w.host(&name) else {
            self.replacing = None;
            return false;
        };
        let empty = w.used[h] == crate::Ram::ZERO && w.hosts[h].scripts == crate::Ram::ZERO;
        if !empty || w.money < price(ram) {
            return false;
        }
        w.remove_host(h);
        self.buy(w, format!("{name} {ram} GB (replaced)"), price(ram));
        let host = Host { max_ram: ram as f64, drain: None, ..w.hosts[h].host.clone() };
        w.add_host(host);
        self.replacing = None;
        true
    }
}
