//! The crate as a Rust user calls it: `apply`, the error as JSON, `to_json`.

use reallot::state::{Task, TaskKind};
use reallot::{Action, Error, When};

use crate::support::models;

/// Today's tasks with the till and sow chunk sizes they leave out written in.
fn sized(tasks: &[Task]) -> Vec<Task> {
    let mut tasks = tasks.to_vec();
    for t in &mut tasks {
        t.chunk_ram = t.chunk_ram.or(match t.kind {
            TaskKind::Till => Some(1.75),
            TaskKind::Sow => Some(22.75),
            TaskKind::Harvest => None,
        });
    }
    tasks
}

#[test]
fn apply_reaches_every_plan_table() {
    for (name, state) in models() {
        let plan = reallot::plan(&state).unwrap();
        assert!(!plan.actions.is_empty(), "{name}: a plan without actions tests nothing");
        let reached = reallot::apply(&sized(&state.tasks), &plan.actions).unwrap();
        assert_eq!(reached, plan.tasks, "{name}");
    }
}

#[test]
fn apply_names_every_action_it_cannot_apply() {
    let till = Task::new(TaskKind::Till, "n00dles", [("home".to_string(), 2)].into());
    let actions = [
        Action::Shrink { task: "till:n00dles".into(), host: "home".into(), chunks: 3, when: When::Now },
        Action::Grow { task: "sow:n00dles".into(), host: "home".into(), chunks: 1 },
        Action::Migrate {
            task: "till:n00dles".into(),
            from: "home".into(),
            to: "pserv-0".into(),
            chunks: 1,
            when: When::Now,
        },
        Action::Launch {
            task: "till:n00dles".into(),
            kind: TaskKind::Till,
            target: "n00dles".into(),
            hack_threads: None,
            chunk_ram: 1.75,
            placement: [("home".to_string(), 1)].into(),
        },
    ];
    let Err(Error::Invalid(problems)) = reallot::apply(&[till.clone(), till], &actions) else {
        panic!("bad actions were applied");
    };
    let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(paths, ["tasks[1].id", "actions[0]", "actions[1]", "actions[3]"]);
    assert_eq!(problems[1].message, r#""till:n00dles" holds 2 chunks on "home", fewer than 3"#);
}

#[test]
fn an_error_as_json_names_kind_message_and_problems() {
    let e = reallot::check(&reallot::parse(r#"{"player":{"hacking":0},"hosts":[]}"#).unwrap()).unwrap_err();
    let json = serde_json::to_value(&e).unwrap();
    assert_eq!(json["kind"], "invalid");
    assert_eq!(json["message"], e.to_string());
    assert_eq!(json["problems"][0]["path"], "player.hacking");
    assert_eq!(json["problems"].as_array().unwrap().len(), 2);
    let internal = serde_json::to_value(Error::Internal("x".into())).unwrap();
    assert_eq!(
        internal,
        serde_json::json!({"kind": "internal", "message": "internal error: x", "problems": []})
    );
}

#[test]
fn to_json_sorts_every_object_by_key() {
    let (_, state) = &models()[0];
    let text = reallot::to_json(&reallot::plan(state).unwrap(), false).unwrap();
    assert!(text.starts_with(r#"{"actions":["#), "{}", &text[..40]);
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(text, serde_json::to_string(&value).unwrap());
}

/// A scaled state is as valid as its model, with every count multiplied and
/// every name unique, and it plans.
#[test]
fn scaled_states_are_valid_copies() {
    for (name, state) in models() {
        let scaled = state.scaled(3, 2);
        assert_eq!(scaled.hosts.len(), 3 * state.hosts.len(), "{name}");
        assert_eq!(scaled.targets.len(), 2 * state.targets.len(), "{name}");
        assert_eq!(scaled.tasks.len(), 2 * state.tasks.len(), "{name}");
        reallot::check(&scaled).unwrap_or_else(|e| panic!("{name} scaled: {e}"));
        reallot::plan(&scaled).unwrap_or_else(|e| panic!("{name} scaled does not plan: {e}"));
    }
    let (_, state) = models().into_iter().next().expect("a model");
    assert_eq!(state.scaled(1, 1), state);
}

/// The bytes of a plan do not depend on how busy the machine is: the late game
/// (default limit) and 10× the late game (a limit that does not cut) planned
/// while a busy thread spins on every core equal a plan made before them.
#[test]
fn plans_are_the_same_bytes_under_load() {
    let late = models().into_iter().find(|(name, _)| name == "late-game").expect("late-game.json").1;
    let mut x10 = late.scaled(10, 10);
    x10.policy.time_limit_ms = 60_000;
    // Everything but the measured time.
    let bytes = |state: &reallot::State| {
        let mut plan = reallot::plan(state).unwrap();
        plan.solver.elapsed_ms = None;
        serde_json::to_string(&plan).unwrap()
    };
    let quiet: Vec<String> = [&late, &x10].iter().map(|s| bytes(s)).collect();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let spinners: Vec<_> = (0..cores)
        .map(|_| {
            let stop = stop.clone();
            std::thread::spawn(move || {
                let mut x = 0u64;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
                }
            })
        })
        .collect();
    let loaded: Vec<String> = [&late, &x10].iter().map(|s| bytes(s)).collect();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    spinners.into_iter().for_each(|t| t.join().unwrap());
    assert!(quiet[0] == loaded[0], "late-game: the plan under load differs");
    assert!(quiet[1] == loaded[1], "10× late game: the plan under load differs");
}

#[test]
fn a_migration_split_in_two_keeps_its_task_and_a_task_shrunk_to_nothing_ends() {
    let till =
        Task { chunk_ram: Some(1.75), ..Task::new(TaskKind::Till, "n00dles", [("a".to_string(), 2)].into()) };
    let sow = Task {
        chunk_ram: Some(22.75),
        ..Task::new(TaskKind::Sow, "joesguns", [("b".to_string(), 1)].into())
    };
    let split = [
        Action::Shrink { task: "till:n00dles".into(), host: "a".into(), chunks: 2, when: When::Now },
        Action::Grow { task: "till:n00dles".into(), host: "b".into(), chunks: 2 },
        Action::Shrink { task: "sow:joesguns".into(), host: "b".into(), chunks: 1, when: When::Lands },
    ];
    let reached = reallot::apply(&[till.clone(), sow], &split).unwrap();
    assert_eq!(reached, [Task { placement: [("b".to_string(), 2)].into(), ..till }]);
}

/// `plan_json` is `parse` then `plan`: the same plan of every model, and the
/// parse's problems for a bad text.
#[test]
fn plan_json_parses_then_plans() {
    let strip = |mut p: reallot::Plan| {
        p.solver.elapsed_ms = None;
        serde_json::to_string(&p).unwrap()
    };
    for (name, state) in models() {
        let text = serde_json::to_string(&state).unwrap();
        let direct = strip(reallot::plan(&state).unwrap());
        assert_eq!(strip(reallot::plan_json(&text).unwrap()), direct, "{name}");
    }
    match reallot::plan_json(r#"{"player":{"hacking":0},"hosts":[],"targets":[]}"#) {
        Err(Error::Invalid(problems)) => {
            assert!(problems.iter().any(|p| p.path == "player.hacking"), "{problems:?}")
        }
        other => panic!("a bad state was planned: {other:?}"),
    }
}
