//! The one JSON reader of the edge, for states and timelines alike.
//!
//! It is stricter than serde_json and serde's derive, which read a struct from an
//! array of its fields in order, keep the last of two equal keys and stop at the
//! end of the first value: here a text is one JSON value (a UTF-8 byte-order mark
//! before it is skipped, as RFC 8259 allows), every object has each key at most
//! once, and an object is never read from an array. Every problem names its JSON
//! path; a number of the wrong type or size is answered with its field's allowed
//! range from [`crate::range`].

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::fmt;

use serde::de::{self, DeserializeOwned, DeserializeSeed, Deserializer, Visitor};
use serde_json::error::Category;
use serde_path_to_error::Segment;

use crate::error::Error;
use crate::range::{self, Seg, Unit};

/// Parses one JSON value of type `T` from `text`, strictly (see the module).
///
/// # Errors
///
/// [`Error::Invalid`] with the one problem found, at its JSON path.
pub(crate) fn read<T: DeserializeOwned>(text: &str) -> Result<T, Error> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if text.trim().is_empty() {
        return Err(Error::at("$", "no JSON value: the text is empty"));
    }
    let de = &mut serde_json::Deserializer::from_str(text);
    let read = serde_path_to_error::deserialize(Strict::new(&mut *de)).map_err(|e| {
        // A shape error can come before a syntax error further on (a text cut
        // short right after an object that lacks a field): the syntax error is
        // the real problem, so it is the one reported.
        let syntax = e.inner().classify() == Category::Data;
        syntax.then(|| well_formed(text).err()).flatten().unwrap_or_else(|| problem(e))
    })?;
    de.end().map_err(|e| located(&[], &e))?;
    Ok(read)
}

/// Whether `text` is one well-formed JSON value; its first syntax error if not.
fn well_formed(text: &str) -> Result<(), Error> {
    let de = &mut serde_json::Deserializer::from_str(text);
    serde_path_to_error::deserialize::<_, Any>(&mut *de).map_err(problem)?;
    de.end().map_err(|e| located(&[], &e))
}

/// Any JSON value, read only to find where a syntax error is.
struct Any;

impl<'de> de::Deserialize<'de> for Any {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Any, D::Error> {
        d.deserialize_any(Any)
    }
}

impl<'de> Visitor<'de> for Any {
    type Value = Any;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Any, E> {
        Ok(Any)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Any, E> {
        Ok(Any)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Any, E> {
        Ok(Any)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Any, E> {
        Ok(Any)
    }

    fn visit_str<E>(self, _: &str) -> Result<Any, E> {
        Ok(Any)
    }

    fn visit_unit<E>(self) -> Result<Any, E> {
        Ok(Any)
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Any, A::Error> {
        while seq.next_element::<Any>()?.is_some() {}
        Ok(Any)
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Any, A::Error> {
        while map.next_entry::<Any, Any>()?.is_some() {}
        Ok(Any)
    }
}

/// The message of an object read from an array (see [`Strict`]).
const ARRAY_FOR_OBJECT: &str = "an array where an object belongs";
/// The message of a key given twice in one object.
const DUPLICATE_KEY: &str = "given twice";

/// One problem as an error: its path, and serde's message in the user's words.
fn problem(e: serde_path_to_error::Error<serde_json::Error>) -> Error {
    let mut segs: Vec<Seg> = Vec::new();
    for segment in e.path() {
        match segment {
            Segment::Seq { index } => segs.push(Seg::Index(*index)),
            Segment::Map { key: name } | Segment::Enum { variant: name } => segs.push(Seg::Key(name)),
            // A key not read yet (the text ends inside an object): the path
            // names the object. (Every map of the input is keyed by strings,
            // so an unknown segment can only come last.)
            Segment::Unknown => {}
        }
    }
    located(&segs, e.inner())
}

/// The problem `inner` at `segs`.
fn located(segs: &[Seg], inner: &serde_json::Error) -> Error {
    let at = if inner.line() == 0 {
        String::new()
    } else {
        format!(" at line {} column {}", inner.line(), inner.column())
    };
    let full = inner.to_string();
    let bare = full.strip_suffix(&at).unwrap_or(&full);
    if let Some(field) = bare.strip_prefix("missing field `").and_then(|m| m.strip_suffix('`')) {
        let segs: Vec<Seg> = segs.iter().copied().chain([Seg::Key(field)]).collect();
        return Error::at(path(&segs), format!("missing; the field is required (the object ends{at})"));
    }
    let message = match inner.classify() {
        Category::Data => data(segs, bare, &at),
        _ => syntax(bare, &at),
    };
    Error::at(path(segs), message)
}

/// A path as the user reads it: `tasks[0].placement.home`, `$` for the root.
pub(crate) fn path(segs: &[Seg]) -> String {
    let mut out = String::new();
    for seg in segs {
        match seg {
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
            Seg::Key(name) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(&key(name));
            }
        }
    }
    if out.is_empty() {
        out.push('$');
    }
    out
}

/// A name as one segment of a JSON path: as it is when it is made of letters,
/// digits, `-` and `_`, else quoted as JSON (`""`, `"I.I.I.I"`), so every path
/// reads back unambiguously.
pub(crate) fn key(name: &str) -> String {
    let plain = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if plain {
        name.to_string()
    } else {
        serde_json::Value::from(name).to_string()
    }
}

/// A syntax error, worded for a user who writes JSON.
fn syntax(bare: &str, at: &str) -> String {
    match bare {
        "number out of range" => {
            format!(
                "number out of range{at}: above 1.8e308, the largest 64-bit float; allowed: a finite number"
            )
        }
        "expected value" => format!(
            "not valid JSON: expected a value{at} (a number, string, true, false, null, object or array; \
             NaN and Infinity are not JSON)"
        ),
        "trailing characters" => {
            format!("not valid JSON: more text after the JSON value ends{at}; allowed: one JSON value")
        }
        _ => format!("not valid JSON: {bare}{at}"),
    }
}

/// A shape error (a value of the wrong type or size), worded with the field's
/// allowed range when it has one.
fn data(segs: &[Seg], bare: &str, at: &str) -> String {
    if bare == ARRAY_FOR_OBJECT {
        return format!("{ARRAY_FOR_OBJECT}{at}; allowed: an object, its fields by name");
    }
    if bare == DUPLICATE_KEY {
        return format!("{DUPLICATE_KEY}{at}; allowed: each key once in an object");
    }
    let typed = bare.strip_prefix("invalid type: ").or_else(|| bare.strip_prefix("invalid value: "));
    let Some((found, expected)) = typed.and_then(|t| t.split_once(", expected ")) else {
        return format!("{bare}{at}");
    };
    let value = json_words(found);
    match range::field(segs) {
        Some(row) => {
            let number = found.strip_prefix("integer `").or_else(|| found.strip_prefix("floating point `"));
            match number.and_then(|n| n.trim_end_matches('`').parse::<f64>().ok()) {
                // A whole number written as a float (`5.0`, `1e3`) where an
                // integer belongs: serde reads no integer from it.
                Some(x)
                    if found.starts_with("floating point")
                        && row.unit == Unit::Int
                        && row.contains(x, None, None) =>
                {
                    format!(
                        "{} is written as a fraction{at}; allowed: {}, without a point or an exponent",
                        range::num(x),
                        row.allowed(None, None)
                    )
                }
                Some(x) => {
                    // serde refused it for its type (an integer too large for
                    // u32, say): the row says what is allowed.
                    let refused = row.refuse(x, None, None);
                    let (what, allowed) = refused.split_once("; ").unwrap_or((&refused, ""));
                    format!("{what}{at}; {allowed}")
                }
                None => format!("{value} is not a number{at}; allowed: {}", row.allowed(None, None)),
            }
        }
        None => format!("{value} is not {}{at}", json_words(expected)),
    }
}

/// serde's names for values and types in JSON's words.
fn json_words(serde: &str) -> String {
    let word = match serde {
        "sequence" | "a sequence" => "an array",
        "map" | "a map" => "an object",
        "unit" | "null" => "null",
        "f64" | "a number" => "a number",
        "a string" | "a borrowed string" => "a string",
        "a boolean" => "true or false",
        "u32" => "an integer from 0 to 4294967295",
        "u64" => "an integer from 0 to 18446744073709551615",
        other => {
            if other.starts_with("struct ") {
                return "an object".to_string();
            }
            if let Some(v) = other.strip_prefix("string ") {
                return v.to_string();
            }
            for prefix in ["integer `", "floating point `", "boolean `"] {
                if let Some(v) = other.strip_prefix(prefix) {
                    return v.trim_end_matches('`').to_string();
                }
            }
            other
        }
    };
    word.to_string()
}

/// A deserializer that reads objects only from JSON objects and refuses a key
/// given twice in one object; it wraps every deserializer below it, so both
/// hold at any depth.
struct Strict<'k, 'de, D> {
    de: D,
    /// Where a map key is kept (for the duplicate check) while it is read.
    key: Option<&'k mut Option<Cow<'de, str>>>,
}

impl<D> Strict<'_, '_, D> {
    fn new(de: D) -> Self {
        Strict { de, key: None }
    }
}

/// The visitor side of [`Strict`].
struct Visit<'k, 'de, V> {
    inner: V,
    /// A struct is being read: an array is refused.
    object: bool,
    key: Option<&'k mut Option<Cow<'de, str>>>,
}

impl<V> Visit<'_, '_, V> {
    fn new(inner: V, object: bool) -> Self {
        Visit { inner, object, key: None }
    }
}

macro_rules! deserialize {
    ($($method:ident($($arg:ident: $t:ty),*))*) => {$(
        fn $method<V: Visitor<'de>>(self, $($arg: $t,)* visitor: V) -> Result<V::Value, D::Error> {
            self.de.$method($($arg,)* Visit { inner: visitor, object: false, key: self.key })
        }
    )*};
}

impl<'de, D: Deserializer<'de>> Deserializer<'de> for Strict<'_, 'de, D> {
    type Error = D::Error;

    deserialize! {
        deserialize_any() deserialize_bool() deserialize_i8() deserialize_i16() deserialize_i32()
        deserialize_i64() deserialize_i128() deserialize_u8() deserialize_u16() deserialize_u32()
        deserialize_u64() deserialize_u128() deserialize_f32() deserialize_f64() deserialize_char()
        deserialize_str() deserialize_string() deserialize_bytes() deserialize_byte_buf()
        deserialize_option() deserialize_unit() deserialize_seq() deserialize_map()
        deserialize_identifier() deserialize_ignored_any()
        deserialize_unit_struct(name: &'static str)
        deserialize_newtype_struct(name: &'static str)
        deserialize_tuple(len: usize)
        deserialize_tuple_struct(name: &'static str, len: usize)
        deserialize_enum(name: &'static str, variants: &'static [&'static str])
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, D::Error> {
        self.de.deserialize_struct(name, fields, Visit { inner: visitor, object: true, key: self.key })
    }

    fn is_human_readable(&self) -> bool {
        self.de.is_human_readable()
    }
}

macro_rules! visit {
    ($($method:ident($t:ty))*) => {$(
        fn $method<E: de::Error>(self, v: $t) -> Result<V::Value, E> {
            self.inner.$method(v)
        }
    )*};
}

impl<'de, V: Visitor<'de>> Visitor<'de> for Visit<'_, 'de, V> {
    type Value = V::Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        self.inner.expecting(f)
    }

    visit! {
        visit_bool(bool) visit_i8(i8) visit_i16(i16) visit_i32(i32) visit_i64(i64) visit_i128(i128)
        visit_u8(u8) visit_u16(u16) visit_u32(u32) visit_u64(u64) visit_u128(u128) visit_f32(f32)
        visit_f64(f64) visit_char(char) visit_bytes(&[u8]) visit_borrowed_bytes(&'de [u8])
        visit_byte_buf(Vec<u8>)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<V::Value, E> {
        if let Some(key) = self.key {
            *key = Some(Cow::Owned(v.to_string()));
        }
        self.inner.visit_str(v)
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<V::Value, E> {
        if let Some(key) = self.key {
            *key = Some(Cow::Borrowed(v));
        }
        self.inner.visit_borrowed_str(v)
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<V::Value, E> {
        if let Some(key) = self.key {
            *key = Some(Cow::Owned(v.clone()));
        }
        self.inner.visit_string(v)
    }

    fn visit_none<E: de::Error>(self) -> Result<V::Value, E> {
        self.inner.visit_none()
    }

    fn visit_unit<E: de::Error>(self) -> Result<V::Value, E> {
        self.inner.visit_unit()
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.inner.visit_some(Strict::new(d))
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<V::Value, D::Error> {
        self.inner.visit_newtype_struct(Strict::new(d))
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<V::Value, A::Error> {
        if self.object {
            return Err(de::Error::custom(ARRAY_FOR_OBJECT));
        }
        self.inner.visit_seq(Seq(seq))
    }

    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<V::Value, A::Error> {
        self.inner.visit_map(Map { map, seen: BTreeSet::new() })
    }

    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<V::Value, A::Error> {
        self.inner.visit_enum(Enum(data))
    }
}

/// A seed whose value is read strictly.
struct Seed<S>(S);

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Seed<S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
        self.0.deserialize(Strict::new(d))
    }
}

/// A key seed that keeps the key it reads.
struct KeySeed<'k, 'de, S> {
    seed: S,
    key: &'k mut Option<Cow<'de, str>>,
}

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for KeySeed<'_, 'de, S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
        self.seed.deserialize(Strict { de: d, key: Some(self.key) })
    }
}

struct Seq<A>(A);

impl<'de, A: de::SeqAccess<'de>> de::SeqAccess<'de> for Seq<A> {
    type Error = A::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, A::Error> {
        self.0.next_element_seed(Seed(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.0.size_hint()
    }
}

struct Map<'de, A> {
    map: A,
    /// The keys of this object so far (borrowed from the text unless escaped).
    seen: BTreeSet<Cow<'de, str>>,
}

impl<'de, A: de::MapAccess<'de>> de::MapAccess<'de> for Map<'de, A> {
    type Error = A::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, A::Error> {
        let mut key = None;
        let read = self.map.next_key_seed(KeySeed { seed, key: &mut key })?;
        if key.is_some_and(|key| !self.seen.insert(key)) {
            return Err(de::Error::custom(DUPLICATE_KEY));
        }
        Ok(read)
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, A::Error> {
        self.map.next_value_seed(Seed(seed))
    }

    fn size_hint(&self) -> Option<usize> {
        self.map.size_hint()
    }
}

struct Enum<A>(A);

impl<'de, A: de::EnumAccess<'de>> de::EnumAccess<'de> for Enum<A> {
    type Error = A::Error;
    type Variant = Variant<A::Variant>;

    fn variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<(S::Value, Self::Variant), A::Error> {
        self.0.variant_seed(Seed(seed)).map(|(v, variant)| (v, Variant(variant)))
    }
}

struct Variant<A>(A);

impl<'de, A: de::VariantAccess<'de>> de::VariantAccess<'de> for Variant<A> {
    type Error = A::Error;

    fn unit_variant(self) -> Result<(), A::Error> {
        self.0.unit_variant()
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, A::Error> {
        self.0.newtype_variant_seed(Seed(seed))
    }

    fn tuple_variant<V: Visitor<'de>>(self, len: usize, visitor: V) -> Result<V::Value, A::Error> {
        self.0.tuple_variant(len, Visit::new(visitor, false))
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, A::Error> {
        self.0.struct_variant(fields, Visit::new(visitor, true))
    }
}
