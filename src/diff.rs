//! Actions that turn today's table into the new one, in a safe order.
//!
//! **After every single action no host holds more than `max_ram − reserved_ram`.**
//! Actions that free RAM come first; a migration grows on the destination before it
//! shrinks the source; when no pending action fits (a cycle of moves), the first
//! move is split into its shrink (which always fits) and its grow (which waits).

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::net::{placement_names, Net, Task};
use crate::state::TaskKind;
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
    /// Remove chunks of a task from one host. A task whose last chunk leaves ends.
    Shrink {
        /// The task.
        task: String,
        /// The host.
        host: String,
        /// How many chunks.
        chunks: u64,
        /// When they leave (a cordoned host's chunks leave when their work lands).
        #[serde(default, skip_serializing_if = "When::is_now")]
        when: When,
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
        /// When they leave `from` (`to`'s RAM is taken now either way).
        #[serde(default, skip_serializing_if = "When::is_now")]
        when: When,
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

/// When chunks leave a host.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum When {
    /// Now: the work they run is stopped (a batch in flight is lost).
    #[default]
    Now,
    /// When the batch (harvest) or round (till, sow) each one runs lands: it is
    /// not started again on this host (for a migration: it starts on `to`
    /// instead). Until then it holds its RAM here.
    Lands,
}

impl When {
    fn is_now(&self) -> bool {
        *self == When::Now
    }
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

/// The actions from `old` to `new` (both valid tables of `net`, in id order),
/// ordered so that no host ever holds more than its cap. `lands(task, host)`
/// says that the task's chunks leave that host only when their work lands:
/// they free nothing while the actions run, and a task with such chunks is
/// wound down by shrinks instead of killed (a kill would stop them too).
///
/// # Errors
///
/// [`Error::Internal`] when no order keeps every host within its cap (a bug: the
/// frees alone always reach a valid table).
pub(crate) fn actions(
    net: &Net,
    old: &[Task],
    new: &[Task],
    lands: &dyn Fn(&Task, usize) -> bool,
) -> Result<Vec<Action>, Error> {
    let ram_of =
        |t: &Task| -> Vec<(usize, Ram)> { t.placement.iter().map(|&(h, n)| (h, t.chunk * n)).collect() };
    let mut used = vec![Ram::ZERO; net.hosts.len()];
    for t in old {
        for (h, r) in ram_of(t) {
            used[h] += r;
        }
    }
    let kill = |o: &Task| Step {
        action: Action::Kill { task: o.id.clone() },
        takes: vec![],
        frees: ram_of(o),
        halves: None,
    };
    let launch = |n: &Task| Step {
        action: Action::Launch {
            task: n.id.clone(),
            kind: n.kind,
            target: net.targets[n.target].name.clone(),
            hack_threads: n.hack_threads.map(|h| h as u32),
            chunk_ram: n.chunk.gb(),
            placement: placement_names(net, &n.placement),
        },
        takes: ram_of(n),
        frees: vec![],
        halves: None,
    };
    let mut steps: Vec<Step> = Vec::new();
    let news: BTreeMap<&str, &Task> = new.iter().map(|t| (t.id.as_str(), t)).collect();
    for o in old {
        let Some(n) = news.get(o.id.as_str()) else {
            if o.placement.iter().any(|&(h, _)| lands(o, h)) {
                let none = Task { placement: Vec::new(), ..o.clone() };
                moves(net, o, &none, lands, &mut steps);
            } else {
                steps.push(kill(o));
            }
            continue;
        };
        if o.hack_threads != n.hack_threads || o.chunk != n.chunk || o.kind != n.kind {
            steps.push(Step {
                action: Action::Resize {
                    task: n.id.clone(),
                    hack_threads: n.hack_threads.map(|h| h as u32),
                    chunk_ram: n.chunk.gb(),
                    placement: placement_names(net, &n.placement),
                },
                takes: ram_of(n),
                frees: ram_of(o),
                halves: Some((Box::new(kill(o)), Box::new(launch(n)))),
            });
            continue;
        }
        moves(net, o, n, lands, &mut steps);
    }
    let olds: BTreeMap<&str, &Task> = old.iter().map(|t| (t.id.as_str(), t)).collect();
    for n in new.iter().filter(|n| !olds.contains_key(n.id.as_str())) {
        steps.push(launch(n));
    }
    let caps: Vec<Ram> = net.hosts.iter().map(|h| h.cap).collect();
    order(&caps, used, steps)
}

/// Grows, shrinks and migrations of one task that keeps its chunk size.
fn moves(net: &Net, old: &Task, new: &Task, lands: &dyn Fn(&Task, usize) -> bool, steps: &mut Vec<Step>) {
    // Both placements are in host order: walk them side by side.
    let mut less: Vec<(usize, u64)> = Vec::new();
    let mut more: Vec<(usize, u64)> = Vec::new();
    let (mut a, mut b) = (old.placement.iter().peekable(), new.placement.iter().peekable());
    loop {
        let (h, was, is) = match (a.peek(), b.peek()) {
            (None, None) => break,
            (Some(&&(h, n)), None) => (h, n, 0),
            (None, Some(&&(h, n))) => (h, 0, n),
            (Some(&&(h, n)), Some(&&(g, m))) => match h.cmp(&g) {
                std::cmp::Ordering::Less => (h, n, 0),
                std::cmp::Ordering::Greater => (g, 0, m),
                std::cmp::Ordering::Equal => (h, n, m),
            },
        };
        if was > 0 {
            a.next();
        }
        if is > 0 {
            b.next();
        }
        if was > is {
            less.push((h, was - is));
        } else if is > was {
            more.push((h, is - was));
        }
    }
    let id = &new.id;
    let c = old.chunk;
    let name = |h: usize| net.hosts[h].name.clone();
    let grow = |h: usize, n: u64| Step {
        action: Action::Grow { task: id.clone(), host: name(h), chunks: n },
        takes: vec![(h, c * n)],
        frees: vec![],
        halves: None,
    };
    let when = |h: usize| if lands(old, h) { When::Lands } else { When::Now };
    // RAM that is let go of only when the work lands is not free while the actions run.
    let frees = |h: usize, n: u64| if lands(old, h) { vec![] } else { vec![(h, c * n)] };
    let shrink = |h: usize, n: u64| Step {
        action: Action::Shrink { task: id.clone(), host: name(h), chunks: n, when: when(h) },
        takes: vec![],
        frees: frees(h, n),
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
                from: name(from),
                to: name(to),
                chunks: n,
                when: when(from),
            },
            takes: vec![(to, c * n)],
            frees: frees(from, n),
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
fn order(caps: &[Ram], mut used: Vec<Ram>, mut steps: Vec<Step>) -> Result<Vec<Action>, Error> {
    // Steps that only free RAM go first; the sort is stable, so ties keep task order.
    steps.sort_by_key(|s| !s.takes.is_empty());
    // A queue: the step taken is nearly always the first.
    let mut steps = std::collections::VecDeque::from(steps);
    let mut out = Vec::with_capacity(steps.len());
    while !steps.is_empty() {
        // Each host a step takes RAM on holds, after its frees, all it takes there.
        let fits = |s: &Step, used: &[Ram]| {
            let on =
                |list: &[(usize, Ram)], h: usize| list.iter().filter(|e| e.0 == h).map(|e| e.1).sum::<Ram>();
            s.takes.iter().all(|&(h, _)| used[h].saturating_sub(on(&s.frees, h)) + on(&s.takes, h) <= caps[h])
        };
        match steps.iter().position(|s| fits(s, &used)) {
            Some(i) => {
                let s = steps.remove(i).expect("a step at the position found");
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
                let Some((first, second)) =
                    steps.iter().position(|s| s.halves.is_some()).and_then(|i| steps.remove(i)?.halves)
                else {
                    // Unreachable for valid tables: the frees alone reach the new table.
                    return Err(Error::Internal(format!(
                        "no safe order for the actions left: {:?}",
                        steps.iter().map(|s| &s.action).collect::<Vec<_>>()
                    )));
                };
                steps.push_front(*second);
                steps.push_front(*first);
            }
        }
    }
    Ok(out)
}
