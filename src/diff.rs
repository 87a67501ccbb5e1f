//! Actions that turn today's table into the new one, in a safe order.
//!
//! **After every single action no host holds more than `max_ram − reserved_ram`.**
//! Actions that free RAM come first; a migration grows on the destination before it
//! shrinks the source; when no pending action fits (a cycle of moves), the first
//! move is split into its shrink (which always fits) and its grow (which waits).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::state::{Task, TaskKind};
use crate::Ram;

/// One step of a plan.
#[derive(Clone, Debug, Deserialize, Serialize, JsonSchema, PartialEq)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// Start a new task with this placement.
    Launch {
        /// The new task's id.
        task: String,
        /// Its kind.
        kind: TaskKind,
        /// Its target.
        target: String,
        /// Hack threads per batch (harvest only).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        hack_threads: Option<u32>,
        /// RAM of one chunk in GB.
        chunk_ram: f64,
        /// Chunks per host.
        placement: BTreeMap<String, u64>,
    },
    /// Add chunks of a task on one host.
    Grow {
        /// The task.
        task: String,
        /// The host.
        host: String,
        /// How many chunks.
        chunks: u64,
    },
    /// Remove chunks of a task from one host.
    Shrink {
        /// The task.
        task: String,
        /// The host.
        host: String,
        /// How many chunks.
        chunks: u64,
    },
    /// Move chunks of a task from one host to another.
    Migrate {
        /// The task.
        task: String,
        /// The host they leave.
        from: String,
        /// The host they go to.
        to: String,
        /// How many chunks.
        chunks: u64,
    },
    /// Relaunch a task with a new chunk size: its chunks are replaced by these.
    Resize {
        /// The task.
        task: String,
        /// New hack threads per batch (harvest only).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        hack_threads: Option<u32>,
        /// New RAM of one chunk in GB.
        chunk_ram: f64,
        /// The new chunks per host.
        placement: BTreeMap<String, u64>,
    },
    /// Stop a task and free all its chunks.
    Kill {
        /// The task.
        task: String,
    },
}

/// A task with RAM as [`Ram`], for ordering.
struct Held<'a> {
    task: &'a Task,
    chunk: Ram,
}

/// One pending step, with what it does to each host's RAM.
struct Step {
    action: Action,
    /// (host, RAM taken) and (host, RAM freed).
    takes: Vec<(usize, Ram)>,
    frees: Vec<(usize, Ram)>,
    /// For a migration or a resize: its two halves (shrink and grow, kill and
    /// launch), used when it must be split.
    halves: Option<(Box<Step>, Box<Step>)>,
}

/// The actions from `old` to `new` (both valid tables; `new` sorted by id), ordered
/// so that no host in `caps` (by index, with `names`) ever holds more than its cap.
pub fn actions(names: &[String], caps: &[Ram], old: &[Task], new: &[Task]) -> Vec<Action> {
    let index: BTreeMap<&str, usize> = names.iter().enumerate().map(|(i, n)| (n.as_str(), i)).collect();
    let chunk = |t: &Task| Ram::from_gb(t.chunk_ram.unwrap_or(0.0)).unwrap_or(Ram::ZERO);
    let ram_of = |t: &Task| -> Vec<(usize, Ram)> {
        t.placement.iter().map(|(h, &n)| (index[h.as_str()], chunk(t) * n)).collect()
    };
    let mut used = vec![Ram::ZERO; caps.len()];
    for t in old {
        for (h, r) in ram_of(t) {
            used[h] += r;
        }
    }
    let launch = |n: &Task| Step {
        action: Action::Launch {
            task: n.id.clone(),
            kind: n.kind,
            target: n.target.clone(),
            hack_threads: n.hack_threads,
            chunk_ram: chunk(n).gb(),
            placement: n.placement.clone(),
        },
        takes: ram_of(n),
        frees: vec![],
        halves: None,
    };
    let mut steps: Vec<Step> = Vec::new();
    let news: BTreeMap<&str, &Task> = new.iter().map(|t| (t.id.as_str(), t)).collect();
    for o in old {
        let Some(n) = news.get(o.id.as_str()) else {
            steps.push(Step {
                action: Action::Kill { task: o.id.clone() },
                takes: vec![],
                frees: ram_of(o),
                halves: None,
            });
            continue;
        };
        if o.hack_threads != n.hack_threads || chunk(o) != chunk(n) || o.kind != n.kind {
            let kill = Step {
                action: Action::Kill { task: o.id.clone() },
                takes: vec![],
                frees: ram_of(o),
                halves: None,
            };
            steps.push(Step {
                action: Action::Resize {
                    task: n.id.clone(),
                    hack_threads: n.hack_threads,
                    chunk_ram: chunk(n).gb(),
                    placement: n.placement.clone(),
                },
                takes: ram_of(n),
                frees: ram_of(o),
                halves: Some((Box::new(kill), Box::new(launch(n)))),
            });
            continue;
        }
        moves(&Held { task: o, chunk: chunk(o) }, n, &index, names, &mut steps);
    }
    let olds: BTreeMap<&str, &Task> = old.iter().map(|t| (t.id.as_str(), t)).collect();
    for n in new.iter().filter(|n| !olds.contains_key(n.id.as_str())) {
        steps.push(launch(n));
    }
    order(caps, used, steps)
}

/// Grows, shrinks and migrations of one task that keeps its chunk size.
fn moves(old: &Held, new: &Task, index: &BTreeMap<&str, usize>, names: &[String], steps: &mut Vec<Step>) {
    let get = |t: &Task, h: &str| t.placement.get(h).copied().unwrap_or(0);
    let mut hosts: Vec<&str> =
        old.task.placement.keys().chain(new.placement.keys()).map(|s| s.as_str()).collect();
    hosts.sort_by_key(|h| index[h]);
    hosts.dedup();
    let mut less: Vec<(usize, u64)> = Vec::new();
    let mut more: Vec<(usize, u64)> = Vec::new();
    for h in hosts {
        let (a, b) = (get(old.task, h), get(new, h));
        if a > b {
            less.push((index[h], a - b));
        } else if b > a {
            more.push((index[h], b - a));
        }
    }
    let id = &new.id;
    let c = old.chunk;
    let grow = |h: usize, n: u64| Step {
        action: Action::Grow { task: id.clone(), host: names[h].clone(), chunks: n },
        takes: vec![(h, c * n)],
        frees: vec![],
        halves: None,
    };
    let shrink = |h: usize, n: u64| Step {
        action: Action::Shrink { task: id.clone(), host: names[h].clone(), chunks: n },
        takes: vec![],
        frees: vec![(h, c * n)],
        halves: None,
    };
    // Pair the losses with the gains as migrations, in host order.
    let (mut i, mut k) = (0, 0);
    while i < less.len() && k < more.len() {
        let n = less[i].1.min(more[k].1);
        let (from, to) = (less[i].0, more[k].0);
        steps.push(Step {
            action: Action::Migrate {
                task: id.clone(),
                from: names[from].clone(),
                to: names[to].clone(),
                chunks: n,
            },
            takes: vec![(to, c * n)],
            frees: vec![(from, c * n)],
            halves: Some((Box::new(shrink(from, n)), Box::new(grow(to, n)))),
        });
        less[i].1 -= n;
        more[k].1 -= n;
        i += usize::from(less[i].1 == 0);
        k += usize::from(more[k].1 == 0);
    }
    steps.extend(less[i..].iter().filter(|p| p.1 > 0).map(|&(h, n)| shrink(h, n)));
    steps.extend(more[k..].iter().filter(|p| p.1 > 0).map(|&(h, n)| grow(h, n)));
}

/// Emits steps whenever they fit, frees first.
fn order(caps: &[Ram], mut used: Vec<Ram>, mut steps: Vec<Step>) -> Vec<Action> {
    // Steps that only free RAM go first; the sort is stable, so ties keep task order.
    steps.sort_by_key(|s| !s.takes.is_empty());
    let mut out = Vec::with_capacity(steps.len());
    while !steps.is_empty() {
        let fits = |s: &Step, used: &[Ram]| {
            let mut after = used.to_vec();
            for &(h, r) in &s.frees {
                after[h] = after[h].saturating_sub(r);
            }
            s.takes.iter().all(|&(h, r)| {
                after[h] += r;
                after[h] <= caps[h]
            })
        };
        match steps.iter().position(|s| fits(s, &used)) {
            Some(i) => {
                let s = steps.remove(i);
                for &(h, r) in &s.frees {
                    used[h] = used[h].saturating_sub(r);
                }
                for &(h, r) in &s.takes {
                    used[h] += r;
                }
                out.push(s.action);
            }
            None => {
                // Every remaining step needs RAM someone else still holds: split a
                // migration into shrink and grow, or a resize into kill and launch.
                let Some(i) = steps.iter().position(|s| s.halves.is_some()) else {
                    // Unreachable for valid tables (the frees alone reach the new
                    // table); emit the rest so the caller's check reports it.
                    out.extend(steps.drain(..).map(|s| s.action));
                    break;
                };
                let (first, second) = steps.remove(i).halves.expect("checked above");
                steps.insert(0, *second);
                steps.insert(0, *first);
            }
        }
    }
    out
}
