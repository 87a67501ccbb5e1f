//! The JSON Schema (`reallot schema state`) and the checker read one range
//! table. On values at the edges of every range the schema states, and on
//! random values inside and outside them, the two agree:
//!
//! * what the schema refuses, the checker refuses, at that path, with the
//!   schema's own "allowed" text;
//! * what the schema accepts and the checker refuses is refused with a message
//!   from the same table, for what a JSON Schema cannot say: a bound set by a
//!   sibling (`security` at least `min_security`, a chunk at least its threads'
//!   RAM) or RAM with more than two decimals.

use proptest::prelude::*;
use reallot::{Error, State};
use serde_json::{json, Value};

/// One number of the schema with a range, at one place of a base state.
#[derive(Clone, Debug)]
struct Leaf {
    /// JSON pointer into the base state.
    pointer: String,
    /// The path as reallot writes it: `hosts[0].max_ram`.
    path: String,
    lo: f64,
    hi: f64,
    integer: bool,
    /// RAM: GB with at most two decimals.
    ram: bool,
    /// The schema's "Allowed: …" text.
    allowed: String,
}

/// A state with every field that has a range, and no tasks (so that no host's
/// RAM is needed by a chunk).
fn without_tasks() -> Value {
    json!({
        "player": { "hacking": 50, "intelligence": 0,
                    "mults": { "hacking_chance": 1, "hacking_speed": 1, "hacking_money": 1, "hacking_grow": 1 },
                    "bitnode": { "script_hack_money": 1, "hacking_speed": 1, "server_growth_rate": 1,
                                 "server_weaken_rate": 1 } },
        "hosts": [ { "name": "a", "max_ram": 1_099_511_627_776u64, "reserved_ram": 0, "cores": 1 } ],
        "targets": [ { "name": "t", "required_hacking": 1, "min_security": 1, "security": 1, "max_money": 1e18,
                       "money": 0, "growth": 10, "weaken_ms": 1000,
                       "menu": [ { "hack_threads": 1, "chunk_ram": 1_099_511_627_776u64, "chunk_income_per_s": 1 } ] } ],
        "config": { "spacing_ms": 80, "max_hack_fraction": 0.5, "security_tolerance": 1, "money_tolerance": 0.99 },
        "policy": { "time_limit_ms": 200, "min_gain": 0.01, "horizon_s": 3600 }
    })
}

/// Two tasks, each alone on a host of 2^40 GB, so that every count and chunk
/// size in range fits.
fn with_tasks() -> Value {
    json!({
        "player": { "hacking": 50 },
        "hosts": [ { "name": "a", "max_ram": 1_099_511_627_776u64 }, { "name": "b", "max_ram": 1_099_511_627_776u64 } ],
        "targets": [ { "name": "t", "required_hacking": 1, "min_security": 1, "security": 5, "max_money": 1e6, "growth": 10 },
                     { "name": "u", "required_hacking": 1, "min_security": 1, "max_money": 1e6, "growth": 10 } ],
        "tasks": [ { "id": "till:t", "kind": "till", "target": "t", "chunk_ram": 1.75, "placement": { "a": 1 } },
                   { "id": "harvest:u", "kind": "harvest", "target": "u", "hack_threads": 1, "chunk_ram": 6.95,
                     "placement": { "b": 1 } } ]
    })
}

fn schema() -> Value {
    serde_json::to_value(schemars::schema_for!(State)).expect("the schema is JSON")
}

/// The schema node `node` stands for (`$ref`s followed).
fn resolve<'a>(root: &'a Value, node: &'a Value) -> &'a Value {
    match node["$ref"].as_str().and_then(|r| r.strip_prefix('#')) {
        Some(pointer) => resolve(root, root.pointer(pointer).expect("a $ref into the schema")),
        None => node,
    }
}

/// Every number of `instance` whose schema node has a range.
fn leaves(root: &Value, node: &Value, instance: &Value, pointer: &str, path: &str, out: &mut Vec<Leaf>) {
    let node = resolve(root, node);
    match instance {
        Value::Object(map) => {
            for (key, value) in map {
                let sub = node["properties"].get(key).unwrap_or(&node["additionalProperties"]);
                let path = if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                leaves(root, sub, value, &format!("{pointer}/{key}"), &path, out);
            }
        }
        Value::Array(items) => {
            for (i, value) in items.iter().enumerate() {
                leaves(root, &node["items"], value, &format!("{pointer}/{i}"), &format!("{path}[{i}]"), out);
            }
        }
        Value::Number(_) if node.get("minimum").is_some() => {
            let description = node["description"].as_str().unwrap_or_default();
            let allowed =
                description.split("Allowed: ").nth(1).unwrap_or_else(|| panic!("{path}: no allowed text"));
            out.push(Leaf {
                pointer: pointer.to_string(),
                path: path.to_string(),
                lo: node["minimum"].as_f64().expect("a number"),
                hi: node["maximum"].as_f64().unwrap_or_else(|| panic!("{path}: a minimum but no maximum")),
                integer: node["type"].to_string().contains("integer"),
                ram: allowed.contains("two decimals"),
                allowed: allowed.trim_end_matches('.').to_string(),
            });
        }
        _ => {}
    }
}

/// Every leaf of both base states, with the state it belongs to: task fields
/// in the state with tasks, every other field in the one without.
fn all_leaves() -> Vec<(Value, Leaf)> {
    let schema = schema();
    let mut out = Vec::new();
    for (base, tasks) in [(without_tasks(), false), (with_tasks(), true)] {
        let mut found = Vec::new();
        leaves(&schema, &schema, &base, "", "", &mut found);
        out.extend(
            found.into_iter().filter(|l| l.path.starts_with("tasks") == tasks).map(|l| (base.clone(), l)),
        );
    }
    out
}

/// The "allowed" text of a message, sibling values left out: `a number from
/// min_security (3) to 100` reads `a number from min_security to 100`.
fn allowed_text(message: &str) -> Option<(String, bool)> {
    let rest = message.split("allowed: ").nth(1)?;
    let mut text = String::new();
    let mut depth = 0;
    for c in rest.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ if depth == 0 => text.push(c),
            _ => {}
        }
    }
    let sibling = text.len() < rest.len();
    Some((text.replace("  ", " "), sibling))
}

/// The schema and the checker on `value` at `leaf` of `base`.
fn agree(
    validator: &jsonschema::Validator,
    texts: &[String],
    base: &Value,
    leaf: &Leaf,
    value: Value,
) -> Result<(), String> {
    let mut state = base.clone();
    *state.pointer_mut(&leaf.pointer).expect("the leaf is in its base") = value.clone();
    let schema_ok = validator.is_valid(&state);
    let checked = reallot::parse(&state.to_string()).and_then(|s| reallot::check(&s));
    let problems = match (schema_ok, checked) {
        (_, Ok(())) if schema_ok => return Ok(()),
        (_, Ok(())) => {
            return Err(format!("{}: {value}: the schema refuses it, the checker accepts it", leaf.path))
        }
        (_, Err(Error::Invalid(problems))) => problems,
        (_, Err(e)) => return Err(format!("{}: {value}: {e}", leaf.path)),
    };
    let known = |text: &str| texts.iter().any(|t| text.starts_with(t.as_str()));
    if !schema_ok {
        let here = problems.iter().find(|p| p.path == leaf.path);
        let text = here.and_then(|p| allowed_text(&p.message)).map(|t| t.0);
        return match text {
            Some(text) if text.starts_with(&leaf.allowed) => Ok(()),
            _ => Err(format!(
                "{}: {value}: refused without the schema's text {:?}: {problems:?}",
                leaf.path, leaf.allowed
            )),
        };
    }
    for p in &problems {
        let Some((text, sibling)) = allowed_text(&p.message) else {
            return Err(format!(
                "{}: {value}: the schema accepts it, the checker refuses it with no range: {p}",
                leaf.path
            ));
        };
        let precision = p.message.contains("more than two decimals");
        if !known(&text) || !(sibling || precision) {
            return Err(format!(
                "{}: {value}: the schema accepts it, the checker refuses it: {p}",
                leaf.path
            ));
        }
    }
    Ok(())
}

/// Values at and just past a leaf's edges, and past its type.
fn edges(leaf: &Leaf) -> Vec<Value> {
    let step = if leaf.integer {
        1.0
    } else if leaf.ram {
        0.01
    } else {
        f64::max(1e-9, 1e-9 * leaf.hi.abs().max(leaf.lo.abs()))
    };
    let number =
        |x: f64| if leaf.integer && x.fract() == 0.0 && x.abs() < 9e15 { json!(x as i64) } else { json!(x) };
    let mut out: Vec<Value> =
        [leaf.lo, leaf.hi, leaf.lo - step, leaf.hi + step].into_iter().map(number).collect();
    if leaf.integer {
        out.extend([json!(-1), json!(4_294_967_296u64), json!(u64::MAX), json!(leaf.hi - 0.5)]);
    }
    if leaf.ram {
        out.push(json!(leaf.lo + 0.005));
    }
    out
}

fn setup() -> (jsonschema::Validator, Vec<String>, Vec<(Value, Leaf)>) {
    let schema = schema();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let leaves = all_leaves();
    let texts = leaves.iter().map(|l| l.1.allowed.clone()).collect();
    (validator, texts, leaves)
}

#[test]
fn schema_and_checker_agree_at_every_edge() {
    let (validator, texts, leaves) = setup();
    // Every row of the table has a field in the base states.
    assert!(
        leaves.len() >= 30,
        "only {} leaves: {:?}",
        leaves.len(),
        leaves.iter().map(|l| &l.1.path).collect::<Vec<_>>()
    );
    let mut failures = Vec::new();
    for (base, leaf) in &leaves {
        for value in edges(leaf) {
            failures.extend(agree(&validator, &texts, base, leaf, value).err());
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Random values in and around each range: inside, just outside, far outside.
    #[test]
    fn schema_and_checker_agree_on_random_values(pick in any::<prop::sample::Index>(), u in 0.0f64..1.0, how in 0u8..5) {
        let (validator, texts, leaves) = setup();
        let (base, leaf) = &leaves[pick.index(leaves.len())];
        let span = leaf.hi - leaf.lo;
        let x = match how {
            0 | 1 => leaf.lo + u * span,
            2 => leaf.lo - u * span.max(1.0),
            3 => leaf.hi + u * span.max(1.0),
            _ => leaf.lo + u * span.min(1.0) * 1e-3,
        };
        let x = if leaf.integer { x.round() } else if leaf.ram && how != 4 { (x * 100.0).round() / 100.0 } else { x };
        let value = if leaf.integer { json!(x as i64) } else { json!(x) };
        agree(&validator, &texts, base, leaf, value).map_err(TestCaseError::fail)?;
    }
}
