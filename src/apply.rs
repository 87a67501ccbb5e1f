//! What each action does to a table: the contract's rule 1 as a function.

use std::collections::BTreeMap;

use crate::diff::Action;
use crate::error::{Error, Invalid};
use crate::state::Task;

/// Applies `actions` in order to `tasks` and returns the table they reach, in id
/// order. For a plan of a state whose tasks give their `chunk_ram`, applying
/// `plan.actions` to `state.tasks` gives exactly `plan.tasks` (a task that leaves
/// its `chunk_ram` out keeps it left out until a resize sets it). A task left
/// with no chunk after the last action has ended (a migration split into a
/// shrink and a later grow may empty it in between); a shrink or migration that waits for its work to
/// land (`when: lands`) changes the table like any other, since the table is
/// what runs once every such chunk has landed.
///
/// # Errors
///
/// [`Error::Invalid`] listing every action that cannot be applied (`actions[i]`:
/// a launch of a task that exists, a step on a task that does not, a shrink or
/// migration of more chunks than the host holds), each skipped; or a duplicate
/// id in `tasks` (`tasks[i].id`).
pub fn apply(tasks: &[Task], actions: &[Action]) -> Result<Vec<Task>, Error> {
    let mut problems = Vec::new();
    let mut table: BTreeMap<String, Task> = BTreeMap::new();
    for (i, t) in tasks.iter().enumerate() {
        if table.insert(t.id.clone(), t.clone()).is_some() {
            problems.push(Invalid {
                path: format!("tasks[{i}].id"),
                message: format!("{:?} is a duplicate", t.id),
            });
        }
    }
    for (i, action) in actions.iter().enumerate() {
        if let Err(message) = step(&mut table, action) {
            problems.push(Invalid { path: format!("actions[{i}]"), message });
        }
    }
    // A task shrunk to nothing has ended; only at the end, since a migration
    // split in two leaves its task empty between its halves.
    table.retain(|_, t| !t.placement.is_empty());
    if problems.is_empty() {
        Ok(table.into_values().collect())
    } else {
        Err(Error::Invalid(problems))
    }
}

/// One action; on error the table is unchanged.
fn step(table: &mut BTreeMap<String, Task>, action: &Action) -> Result<(), String> {
    match action {
        Action::Launch { task, kind, target, hack_threads, chunk_ram, placement } => {
            if table.contains_key(task) {
                return Err(format!("launch of {task:?}, which already runs"));
            }
            let t = Task {
                id: task.clone(),
                kind: *kind,
                target: target.clone(),
                hack_threads: *hack_threads,
                chunk_ram: Some(*chunk_ram),
                placement: placement.clone(),
                pinned: false,
            };
            table.insert(task.clone(), t);
        }
        Action::Grow { task, host, chunks } => {
            *running(table, task)?.placement.entry(host.clone()).or_default() += chunks;
        }
        Action::Shrink { task, host, chunks, .. } => {
            let t = running(table, task)?;
            take(t, host, *chunks)?;
        }
        Action::Migrate { task, from, to, chunks, .. } => {
            let t = running(table, task)?;
            take(t, from, *chunks)?;
            *t.placement.entry(to.clone()).or_default() += chunks;
        }
        Action::Resize { task, hack_threads, chunk_ram, placement } => {
            let t = running(table, task)?;
            t.hack_threads = *hack_threads;
            t.chunk_ram = Some(*chunk_ram);
            t.placement = placement.clone();
        }
        Action::Kill { task } => {
            running(table, task)?;
            table.remove(task);
        }
    }
    Ok(())
}

/// The running task `id`, or why there is none.
fn running<'a>(table: &'a mut BTreeMap<String, Task>, id: &str) -> Result<&'a mut Task, String> {
    table.get_mut(id).ok_or_else(|| format!("no task {id:?} runs"))
}

/// Removes `chunks` of `t` from `host`, or says why it cannot.
fn take(t: &mut Task, host: &str, chunks: u64) -> Result<(), String> {
    let held = t.placement.get(host).copied().unwrap_or(0);
    let left = held
        .checked_sub(chunks)
        .ok_or_else(|| format!("{:?} holds {held} chunks on {host:?}, fewer than {chunks}", t.id))?;
    if left == 0 {
        t.placement.remove(host);
    } else {
        t.placement.insert(host.to_string(), left);
    }
    Ok(())
}
