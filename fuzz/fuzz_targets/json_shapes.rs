//! Structured states written as JSON with one shape defect, where the answer is
//! known: a key given twice in some object, some object written as an array of
//! its values, text after the value, or none of these (then with or without a
//! byte-order mark and extra whitespace). `parse` must refuse each defect with
//! one problem at exactly the path of the defect, and read a state without one
//! back unchanged; `check` must answer it cleanly.
//!
//! `cargo fuzz run json_shapes -- -max_len=1024`

#![no_main]

use std::collections::BTreeMap;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use reallot::state::{
    Config, Drain, DrainMode, Host, MenuOption, Mults, Player, Policy, Target, Task, TaskKind,
};
use reallot::{Error, State};
use serde_json::Value;

#[derive(Arbitrary, Debug)]
struct Input {
    hacking: u16,
    mults: Option<(u8, u8)>,
    hosts: Vec<(u16, u8, bool)>,
    targets: Vec<(u8, u8, Option<Vec<(u8, u16)>>)>,
    tasks: Vec<(u8, u8, Vec<(u8, u8)>)>,
    config: Option<u8>,
    defect: Defect,
}

#[derive(Arbitrary, Debug)]
enum Defect {
    None {
        bom: bool,
        spaces: u8,
    },
    /// The first key of the `n`-th object (in writing order) is written twice.
    Duplicate {
        n: u16,
    },
    /// The `n`-th object is written as an array of its values.
    Array {
        n: u16,
    },
    /// Text after the value: one of a few starts, then anything.
    Trailing {
        start: u8,
        rest: String,
    },
}

/// Names that need quoting in a path now and then (`t.1`).
fn name(prefix: &str, i: usize) -> String {
    if i % 3 == 2 {
        format!("{prefix}.{i}")
    } else {
        format!("{prefix}{i}")
    }
}

fn build(input: &Input) -> State {
    let hosts: Vec<Host> = input
        .hosts
        .iter()
        .take(8)
        .enumerate()
        .map(|(i, &(ram, reserved, drain))| Host {
            name: name("h", i),
            max_ram: f64::from(ram) / 4.0,
            reserved_ram: f64::from(reserved % 8),
            cores: 1 + u32::from(reserved % 4),
            kind: Default::default(),
            drain: drain.then_some(Drain::new(DrainMode::Evict)),
        })
        .collect();
    let targets: Vec<Target> = input
        .targets
        .iter()
        .take(6)
        .enumerate()
        .map(|(i, &(security, growth, ref menu))| Target {
            name: name("t", i),
            required_hacking: u32::from(growth),
            min_security: 1.0 + f64::from(security % 50),
            security: (security > 128).then(|| 60.0),
            base_security: (security % 3 == 0).then(|| 1.0 + f64::from(security % 99)),
            max_money: 1e6 * (1.0 + f64::from(growth)),
            money: (growth > 200).then_some(1000.0),
            growth: 1.0 + f64::from(growth),
            menu: menu.as_ref().map(|m| {
                m.iter()
                    .take(3)
                    .map(|&(h, c)| MenuOption {
                        hack_threads: 1 + u32::from(h % 8),
                        chunk_ram: f64::from(c) / 100.0,
                        chunk_income_per_s: f64::from(h),
                    })
                    .collect()
            }),
            weaken_ms: menu.as_ref().map(|_| 1000.0),
        })
        .collect();
    let tasks: Vec<Task> = input
        .tasks
        .iter()
        .take(6)
        .enumerate()
        .map(|(i, (target, kind, placement))| {
            let kind = [TaskKind::Till, TaskKind::Sow, TaskKind::Harvest][usize::from(*kind) % 3];
            let placement: BTreeMap<String, u64> = placement
                .iter()
                .take(4)
                .map(|&(h, n)| (name("h", usize::from(h % 8)), u64::from(n)))
                .collect();
            Task {
                id: format!("{}:{}", kind.name(), name("t", usize::from(*target))),
                kind,
                target: name("t", usize::from(*target)),
                hack_threads: (kind == TaskKind::Harvest).then_some(1 + u32::from(*target % 4)),
                chunk_ram: (i % 2 == 0).then_some(6.95),
                placement,
                pinned: i % 4 == 3,
            }
        })
        .collect();
    State {
        description: None,
        player: Player {
            hacking: u32::from(input.hacking),
            intelligence: 0,
            mults: input.mults.map_or_else(Mults::default, |(c, m)| Mults {
                hacking_chance: f64::from(c) / 16.0,
                hacking_money: f64::from(m) / 16.0,
                ..Mults::default()
            }),
            bitnode: Default::default(),
        },
        hosts,
        targets,
        tasks,
        config: input
            .config
            .map_or_else(Config::default, |s| Config { spacing_ms: f64::from(s), ..Config::default() }),
        policy: Policy::default(),
    }
}

/// A name as one segment of a path, as reallot writes it.
fn key(name: &str) -> String {
    let plain = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if plain {
        name.to_string()
    } else {
        Value::from(name).to_string()
    }
}

/// Writes JSON with the defect, if any, and keeps the path of the defect.
struct Writer {
    out: String,
    /// Objects written so far.
    objects: usize,
    defect_at: Option<(bool, usize)>,
    found: Option<String>,
}

impl Writer {
    fn value(&mut self, v: &Value, path: &str) {
        match v {
            Value::Object(map) => {
                let n = self.objects;
                self.objects += 1;
                match self.defect_at {
                    Some((true, at)) if at == n => {
                        // Every value, in key order, as an array.
                        self.found = Some(path.to_string());
                        self.out.push('[');
                        for (i, (k, x)) in map.iter().enumerate() {
                            if i > 0 {
                                self.out.push(',');
                            }
                            self.value(x, &join(path, k));
                        }
                        self.out.push(']');
                    }
                    _ => {
                        self.out.push('{');
                        let twice = matches!(self.defect_at, Some((false, at)) if at == n) && !map.is_empty();
                        if let Some((k, x)) = map.iter().next().filter(|_| twice) {
                            self.found = Some(join(path, k));
                            self.out.push_str(&Value::from(k.as_str()).to_string());
                            self.out.push(':');
                            self.value(x, &join(path, k));
                            self.out.push(',');
                        }
                        for (i, (k, x)) in map.iter().enumerate() {
                            if i > 0 {
                                self.out.push(',');
                            }
                            self.out.push_str(&Value::from(k.as_str()).to_string());
                            self.out.push(':');
                            self.value(x, &join(path, k));
                        }
                        self.out.push('}');
                    }
                }
            }
            Value::Array(items) => {
                self.out.push('[');
                for (i, x) in items.iter().enumerate() {
                    if i > 0 {
                        self.out.push(',');
                    }
                    self.value(x, &format!("{path}[{i}]"));
                }
                self.out.push(']');
            }
            other => self.out.push_str(&other.to_string()),
        }
    }
}

fn join(path: &str, k: &str) -> String {
    if path.is_empty() {
        key(k)
    } else {
        format!("{path}.{}", key(k))
    }
}

/// How many objects `v` holds, itself included.
fn objects(v: &Value) -> usize {
    match v {
        Value::Object(map) => 1 + map.values().map(objects).sum::<usize>(),
        Value::Array(items) => items.iter().map(objects).sum(),
        _ => 0,
    }
}

fuzz_target!(|input: Input| {
    let state = build(&input);
    let value = serde_json::to_value(&state).expect("a state is JSON");
    let count = objects(&value);
    let defect_at = match input.defect {
        Defect::Duplicate { n } => Some((false, usize::from(n) % count)),
        Defect::Array { n } => Some((true, usize::from(n) % count)),
        _ => None,
    };
    let mut w = Writer { out: String::new(), objects: 0, defect_at, found: None };
    w.value(&value, "");
    let mut text = w.out;
    let expected = match &input.defect {
        Defect::None { bom, spaces } => {
            let pad = " \n\t\r".repeat(usize::from(spaces % 4));
            text = format!("{}{pad}{text}{pad}", if *bom { "\u{feff}" } else { "" });
            None
        }
        Defect::Trailing { start, rest } => {
            let starts = [",", "]", "}", "x", "{", "0", "\"", "null", "\u{feff}"];
            text = format!("{text} {}{rest}", starts[usize::from(*start) % starts.len()]);
            Some("$".to_string())
        }
        // An empty object has no key to write twice: then there is no defect.
        Defect::Duplicate { .. } | Defect::Array { .. } => {
            w.found.map(|p| if p.is_empty() { "$".to_string() } else { p })
        }
    };
    match (reallot::parse(&text), expected) {
        (Ok(read), None) => {
            assert!(read == state, "the state changed on its way through JSON: {text}");
            match reallot::check(&read) {
                Ok(()) | Err(Error::Invalid(_)) => {}
                Err(e) => panic!("check: {e}\n{text}"),
            }
        }
        (Err(e), None) => panic!("a state without a defect was refused: {e}\n{text}"),
        (Ok(_), Some(at)) => panic!("a defect at {at} was accepted: {text}"),
        (Err(Error::Invalid(problems)), Some(at)) => {
            assert_eq!(problems.len(), 1, "{problems:?}");
            assert_eq!(problems[0].path, at, "{problems:?}\n{text}");
        }
        (Err(e), Some(_)) => panic!("{e}\n{text}"),
    }
});
