//! JSON values with shared structure: a clone is O(1), and an edit copies only the path it touches.
//!
//! Why not `serde_json::Value`: a state machine passes the same document from state to state,
//! records it in the history and in the inspector at every stage, and checks its size against the
//! 256 KiB quota each time. With an owned tree each of those is a deep copy or a full walk; here
//! every array and object is reference-counted and carries its serialized size and nesting depth,
//! computed once when it is built, so all three are O(1). Objects keep their keys in insertion
//! order, as `serde_json` with `preserve_order` does.

use std::fmt;
use std::rc::Rc;

mod map;

pub(crate) use map::distinct as distinct_keys;
pub use map::Map;

/// Object keys. Shared, because the same key appears in every copy of a document.
pub type Key = Rc<str>;

/// The deepest nesting a document may have. Jackson, which AWS uses, has the same default limit.
pub const MAX_DEPTH: u32 = 1000;

/// The most [`Value::to_json`] reserves up front (it grows past it as needed).
const CAPACITY_HINT_MAX: usize = 16 * 1024 * 1024;

/// A JSON number: an integer when the text had no fraction or exponent and fits in `i64`.
#[derive(Clone, Copy, Debug)]
pub enum Number {
    /// An integer.
    Int(i64),
    /// Any other finite number.
    Float(f64),
}

impl Number {
    /// The number as a float (exact for integers up to 2^53).
    pub fn as_f64(self) -> f64 {
        match self {
            Number::Int(i) => i as f64,
            Number::Float(f) => f,
        }
    }

    /// The number as an integer, when it is one (a float with no fraction counts) within the
    /// 64-bit range.
    pub fn as_i64(self) -> Option<i64> {
        match self {
            Number::Int(i) => Some(i),
            Number::Float(f) => whole_to_i64(f),
        }
    }

    /// A number from a float: integral values within the safe range become integers.
    pub fn from_f64(f: f64) -> Option<Number> {
        if !f.is_finite() {
            return None;
        }
        Some(Number::Float(f))
    }

    fn write(self, out: &mut String) {
        match self {
            Number::Int(i) => out.push_str(itoa::Buffer::new().format(i)),
            Number::Float(f) => out.push_str(ryu::Buffer::new().format_finite(f)),
        }
    }

    fn text_len(self) -> usize {
        match self {
            // Counted, not written: every object built at run time adds up its members' lengths.
            Number::Int(i) => {
                i.unsigned_abs().checked_ilog10().map_or(1, |d| d as usize + 1) + usize::from(i < 0)
            }
            Number::Float(f) => ryu::Buffer::new().format_finite(f).len(),
        }
    }
}

impl PartialEq for Number {
    fn eq(&self, other: &Number) -> bool {
        match (self, other) {
            (Number::Int(a), Number::Int(b)) => a == b,
            _ => self.as_f64() == other.as_f64(),
        }
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::new();
        self.write(&mut s);
        f.write_str(&s)
    }
}

/// `f` as a 64-bit integer when it is whole and within the range: from -2^63, exactly
/// representable, to below 2^63 (every double of smaller magnitude fits in an `i64`).
pub(crate) fn whole_to_i64(f: f64) -> Option<i64> {
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    (f.fract() == 0.0 && (-LIMIT..LIMIT).contains(&f)).then_some(f as i64)
}

/// `f` as an integer when it is whole and below 2^53 in magnitude, where every integer is a
/// double of its own (JavaScript's safe integers): how `JSON.parse` would read it back, and how
/// a number written as an integer in a definition is shown again.
pub(crate) fn safe_integer(f: f64) -> Option<i64> {
    (f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0).then_some(f as i64)
}

/// Size and depth of a subtree, kept in every array and object node.
#[derive(Clone, Copy, Debug, Default)]
struct Meta {
    /// Length in bytes of the compact JSON text.
    size: usize,
    /// 0 for scalars, 1 + the deepest child for containers.
    depth: u32,
}

/// An array node.
#[derive(Clone, Debug)]
pub struct ArrayNode {
    items: Vec<Value>,
    meta: Meta,
}

/// An object node.
#[derive(Clone, Debug)]
pub struct ObjectNode {
    map: Map,
    meta: Meta,
}

/// A JSON value.
#[derive(Clone, Debug, Default)]
pub enum Value {
    /// `null`
    #[default]
    Null,
    /// `true` / `false`
    Bool(bool),
    /// A finite number.
    Number(Number),
    /// A string.
    String(Rc<str>),
    /// An array.
    Array(Rc<ArrayNode>),
    /// An object.
    Object(Rc<ObjectNode>),
}

// Sizes add up saturating: nodes share their children, so a value built at run time can describe
// more bytes than a `usize` counts (on wasm32, past 4 GiB), although it takes little memory. Any
// such value is over the payload quota and refused without being written out.
fn array_meta(items: &[Value]) -> Meta {
    container_meta(2 + items.len().saturating_sub(1), items.iter())
}

fn object_meta(map: &Map) -> Meta {
    container_meta(object_keys_len(map.keys()), map.values())
}

/// Size and depth of a container whose text without its children's is `bare` bytes long.
fn container_meta<'a>(bare: usize, children: impl Iterator<Item = &'a Value>) -> Meta {
    let mut size = bare;
    let mut depth = 0;
    for v in children {
        size = size.saturating_add(v.json_len());
        depth = depth.max(v.depth());
    }
    Meta { size, depth: depth.saturating_add(1) }
}

/// The length of an object's JSON text without its values: braces, commas, quoted keys and
/// colons (see [`Value::object_of_distinct`]).
pub(crate) fn object_keys_len<'a>(keys: impl ExactSizeIterator<Item = &'a Key>) -> usize {
    let commas = keys.len().saturating_sub(1);
    keys.fold(2 + commas, |size, k| size.saturating_add(string_json_len(k) + 1))
}

/// A container's size after one child of size `old` was replaced by one of size `new`. A saturated
/// size (see `array_meta`) does not tell the old child's share, so then it is `measured` again.
fn updated_size(size: usize, old: usize, new: usize, measured: impl FnOnce() -> usize) -> usize {
    if size == usize::MAX {
        measured()
    } else {
        size.saturating_sub(old).saturating_add(new)
    }
}

/// A container's depth after one child of depth `old` was replaced by one of depth `new`:
/// `deepest` (the deepest child now) is asked only when the replaced child may have been the
/// deepest and the new one is shallower.
fn updated_depth(depth: u32, old: u32, new: u32, deepest: impl FnOnce() -> u32) -> u32 {
    if new >= old || old.saturating_add(1) < depth {
        depth.max(new.saturating_add(1))
    } else {
        deepest().saturating_add(1)
    }
}

/// Length of a string once quoted and escaped the way [`Value::to_json`] writes it.
pub fn string_json_len(s: &str) -> usize {
    let mut extra = 0;
    for &b in s.as_bytes() {
        if b < 0x20 {
            extra += match b {
                b'\n' | b'\r' | b'\t' | 0x08 | 0x0c => 1,
                _ => 5,
            };
        } else if b == b'"' || b == b'\\' {
            extra += 1;
        }
    }
    s.len() + extra + 2
}

impl Value {
    /// An array value.
    pub fn array(items: Vec<Value>) -> Value {
        let meta = array_meta(&items);
        Value::Array(Rc::new(ArrayNode { items, meta }))
    }

    /// An object value.
    pub fn object(map: Map) -> Value {
        let meta = object_meta(&map);
        Value::Object(Rc::new(ObjectNode { map, meta }))
    }

    /// An object of members with distinct keys, given `keys_len`: the length of its JSON text
    /// without the values ([`object_keys_len`] of the keys). What a compiled template builds: its
    /// keys are known before it runs, so neither their escapes nor duplicates are looked for.
    pub(crate) fn object_of_distinct(entries: Vec<(Key, Value)>, keys_len: usize) -> Value {
        let meta = container_meta(keys_len, entries.iter().map(|(_, v)| v));
        let map = Map::from_distinct(entries);
        debug_assert_eq!(meta.size, object_meta(&map).size);
        Value::Object(Rc::new(ObjectNode { map, meta }))
    }

    /// An object from key/value pairs (later duplicates win).
    pub fn object_from<K: Into<Key>>(pairs: impl IntoIterator<Item = (K, Value)>) -> Value {
        let mut map = Map::default();
        for (k, v) in pairs {
            map.insert(k.into(), v);
        }
        Value::object(map)
    }

    /// The empty object `{}`.
    pub fn empty_object() -> Value {
        Value::object(Map::default())
    }

    /// A string value.
    pub fn string(s: impl Into<Rc<str>>) -> Value {
        Value::String(s.into())
    }

    /// An integer value.
    pub fn int(i: i64) -> Value {
        Value::Number(Number::Int(i))
    }

    /// A number value from a float; `None` for NaN and infinities, which JSON cannot hold.
    pub fn float(f: f64) -> Option<Value> {
        Number::from_f64(f).map(Value::Number)
    }

    /// Length in bytes of the compact JSON text of this value. O(1) for containers.
    pub fn json_len(&self) -> usize {
        match self {
            Value::Null | Value::Bool(true) => 4,
            Value::Bool(false) => 5,
            Value::Number(n) => n.text_len(),
            Value::String(s) => string_json_len(s),
            Value::Array(a) => a.meta.size,
            Value::Object(o) => o.meta.size,
        }
    }

    /// Nesting depth: 0 for scalars. O(1).
    pub fn depth(&self) -> u32 {
        match self {
            Value::Array(a) => a.meta.depth,
            Value::Object(o) => o.meta.depth,
            _ => 0,
        }
    }

    /// The JSON type name, as error messages spell it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        }
    }

    /// `true` for `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The shared string, if this is one.
    pub fn as_rc_str(&self) -> Option<&Rc<str>> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean, if this is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number, if this is one.
    pub fn as_number(&self) -> Option<Number> {
        match self {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }

    /// The number as a float, if this is a number.
    pub fn as_f64(&self) -> Option<f64> {
        self.as_number().map(Number::as_f64)
    }

    /// The number as an integer, if this is an integral number.
    pub fn as_i64(&self) -> Option<i64> {
        self.as_number().and_then(Number::as_i64)
    }

    /// The items, if this is an array.
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(a) => Some(&a.items),
            _ => None,
        }
    }

    /// The map, if this is an object.
    pub fn as_object(&self) -> Option<&Map> {
        match self {
            Value::Object(o) => Some(&o.map),
            _ => None,
        }
    }

    /// A member of an object.
    pub fn get(&self, key: &str) -> Option<&Value> {
        // (Small objects, most of what states pass around, are scanned rather than hashed: see
        // `Map`.)
        self.as_object()?.get(key)
    }

    /// An item of an array.
    pub fn index(&self, i: usize) -> Option<&Value> {
        self.as_array().and_then(|a| a.get(i))
    }

    /// Edits the object in place (copying the node first if it is shared). The size and depth are
    /// brought up to date when the guard is dropped. `None` if this is not an object.
    pub fn as_object_mut(&mut self) -> Option<ObjectMut<'_>> {
        match self {
            Value::Object(o) => Some(ObjectMut { node: Rc::make_mut(o) }),
            _ => None,
        }
    }

    /// Edits the array in place; see [`Value::as_object_mut`].
    pub fn as_array_mut(&mut self) -> Option<ArrayMut<'_>> {
        match self {
            Value::Array(a) => Some(ArrayMut { node: Rc::make_mut(a) }),
            _ => None,
        }
    }

    /// Replaces the member `key` of an object where it stands, or appends it (copying the node
    /// first if it is shared): what `ResultPath` does at each level. Unlike an edit through
    /// [`Value::as_object_mut`], the size is brought up to date from the old and new member alone,
    /// without measuring the others again (measuring a float means formatting it). `Err(value)`
    /// if this is not an object.
    pub fn set_member(&mut self, key: Key, value: Value) -> Result<(), Value> {
        let Value::Object(o) = self else { return Err(value) };
        if Rc::get_mut(o).is_none() {
            // Shared (a state's input always is: the history holds it): copied with room for the
            // member, which is more often new than not.
            *o = Rc::new(ObjectNode { map: o.map.clone_with_room(1), meta: o.meta });
        }
        let node = Rc::make_mut(o);
        let (len, depth) = (value.json_len(), value.depth());
        let was_empty = node.map.is_empty();
        let key_len = string_json_len(&key);
        match node.map.insert(key, value) {
            Some(old) => {
                node.meta.size =
                    updated_size(node.meta.size, old.json_len(), len, || object_meta(&node.map).size);
                node.meta.depth = updated_depth(node.meta.depth, old.depth(), depth, || {
                    node.map.values().map(Value::depth).max().unwrap_or(0)
                });
            }
            None => {
                node.meta.size =
                    node.meta.size.saturating_add(key_len + 1 + usize::from(!was_empty)).saturating_add(len);
                node.meta.depth = node.meta.depth.max(depth.saturating_add(1));
            }
        }
        Ok(())
    }

    /// Replaces item `index` of an array (copying the node first if it is shared), like
    /// [`Value::set_member`]. `Err(value)` if this is not an array or has no such item.
    pub fn set_item(&mut self, index: usize, value: Value) -> Result<(), Value> {
        let Value::Array(a) = self else { return Err(value) };
        if index >= a.items.len() {
            return Err(value);
        }
        let node = Rc::make_mut(a);
        let (len, depth) = (value.json_len(), value.depth());
        let Some(slot) = node.items.get_mut(index) else { return Err(value) };
        let old = std::mem::replace(slot, value);
        node.meta.size = updated_size(node.meta.size, old.json_len(), len, || array_meta(&node.items).size);
        node.meta.depth = updated_depth(node.meta.depth, old.depth(), depth, || {
            node.items.iter().map(Value::depth).max().unwrap_or(0)
        });
        Ok(())
    }

    /// `true` when both values are the very same node (a cheap identity test).
    pub fn ptr_eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Array(a), Value::Array(b)) => Rc::ptr_eq(a, b),
            (Value::Object(a), Value::Object(b)) => Rc::ptr_eq(a, b),
            (Value::String(a), Value::String(b)) => Rc::ptr_eq(a, b),
            _ => false,
        }
    }

    /// Compact JSON text.
    pub fn to_json(&self) -> String {
        // The size is exact, but a hint only: capped, so that a value too big to write (see
        // `array_meta`) fails like any allocation would rather than on a capacity overflow.
        let mut out = String::with_capacity(self.json_len().min(CAPACITY_HINT_MAX));
        self.write_json(&mut out);
        out
    }

    /// Appends compact JSON text to `out`.
    pub fn write_json(&self, out: &mut String) {
        match self {
            Value::Null => out.push_str("null"),
            Value::Bool(true) => out.push_str("true"),
            Value::Bool(false) => out.push_str("false"),
            Value::Number(n) => n.write(out),
            Value::String(s) => write_json_string(s, out),
            Value::Array(a) => {
                out.push('[');
                for (i, v) in a.items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    v.write_json(out);
                }
                out.push(']');
            }
            Value::Object(o) => {
                out.push('{');
                for (i, (k, v)) in o.map.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_json_string(k, out);
                    out.push(':');
                    v.write_json(out);
                }
                out.push('}');
            }
        }
    }

    /// JSON text indented by two spaces, as the playground and the CLI show it.
    pub fn to_json_pretty(&self) -> String {
        let mut out = String::with_capacity(self.json_len().saturating_mul(2).min(CAPACITY_HINT_MAX));
        self.write_pretty(&mut out, 0);
        out
    }

    fn write_pretty(&self, out: &mut String, indent: usize) {
        fn newline(out: &mut String, indent: usize) {
            out.push('\n');
            for _ in 0..indent {
                out.push_str("  ");
            }
        }
        match self {
            Value::Array(a) if !a.items.is_empty() => {
                out.push('[');
                for (i, v) in a.items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    newline(out, indent + 1);
                    v.write_pretty(out, indent + 1);
                }
                newline(out, indent);
                out.push(']');
            }
            Value::Object(o) if !o.map.is_empty() => {
                out.push('{');
                for (i, (k, v)) in o.map.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    newline(out, indent + 1);
                    write_json_string(k, out);
                    out.push_str(": ");
                    v.write_pretty(out, indent + 1);
                }
                newline(out, indent);
                out.push('}');
            }
            _ => self.write_json(out),
        }
    }

    /// Converts from `serde_json`'s value (for tests and front ends that hold one).
    pub fn from_serde(v: &serde_json::Value) -> Value {
        match v {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => Value::Number(match (n.as_i64(), n.as_f64()) {
                (Some(i), _) => Number::Int(i),
                (None, Some(f)) => Number::Float(f),
                (None, None) => Number::Float(0.0),
            }),
            serde_json::Value::String(s) => Value::string(s.as_str()),
            serde_json::Value::Array(a) => Value::array(a.iter().map(Value::from_serde).collect()),
            serde_json::Value::Object(o) => {
                let mut map = Map::default();
                for (k, v) in o {
                    map.insert(Key::from(k.as_str()), Value::from_serde(v));
                }
                Value::object(map)
            }
        }
    }

    /// Converts to `serde_json`'s value.
    pub fn to_serde(&self) -> serde_json::Value {
        match self {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(Number::Int(i)) => serde_json::Value::from(*i),
            Value::Number(Number::Float(f)) => serde_json::Number::from_f64(*f)
                .map(serde_json::Value::Number)
                .unwrap_or(serde_json::Value::Null),
            Value::String(s) => serde_json::Value::String(s.to_string()),
            Value::Array(a) => serde_json::Value::Array(a.items.iter().map(Value::to_serde).collect()),
            Value::Object(o) => {
                serde_json::Value::Object(o.map.iter().map(|(k, v)| (k.to_string(), v.to_serde())).collect())
            }
        }
    }
}

/// Writes `s` as a quoted JSON string, escaping as `serde_json` does.
pub fn write_json_string(s: &str, out: &mut String) {
    out.push('"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let esc: Option<&str> = match b {
            b'"' => Some("\\\""),
            b'\\' => Some("\\\\"),
            b'\n' => Some("\\n"),
            b'\r' => Some("\\r"),
            b'\t' => Some("\\t"),
            0x08 => Some("\\b"),
            0x0c => Some("\\f"),
            0..=0x1f => None,
            _ => continue,
        };
        out.push_str(&s[start..i]);
        match esc {
            Some(e) => out.push_str(e),
            None => {
                // Control characters are below 0x20: two hex digits.
                out.push_str("\\u00");
                out.push(char::from_digit(u32::from(b >> 4), 16).unwrap_or('0'));
                out.push(char::from_digit(u32::from(b & 0xf), 16).unwrap_or('0'));
            }
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Number(a), Value::Number(b)) => a == b,
            (Value::String(a), Value::String(b)) => a == b,
            (Value::Array(a), Value::Array(b)) => Rc::ptr_eq(a, b) || a.items == b.items,
            (Value::Object(a), Value::Object(b)) => {
                Rc::ptr_eq(a, b)
                    || (a.map.len() == b.map.len()
                        && a.map.iter().all(|(k, v)| b.map.get(k).is_some_and(|w| v == w)))
            }
            _ => false,
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_json())
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::int(i)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::string(s)
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::string(s)
    }
}

impl From<Vec<Value>> for Value {
    fn from(items: Vec<Value>) -> Value {
        Value::array(items)
    }
}

impl From<Map> for Value {
    fn from(map: Map) -> Value {
        Value::object(map)
    }
}

/// A write guard over an object node; recomputes size and depth when dropped.
pub struct ObjectMut<'a> {
    node: &'a mut ObjectNode,
}

impl std::ops::Deref for ObjectMut<'_> {
    type Target = Map;
    fn deref(&self) -> &Map {
        &self.node.map
    }
}

impl std::ops::DerefMut for ObjectMut<'_> {
    fn deref_mut(&mut self) -> &mut Map {
        &mut self.node.map
    }
}

impl Drop for ObjectMut<'_> {
    fn drop(&mut self) {
        self.node.meta = object_meta(&self.node.map);
    }
}

/// A write guard over an array node; recomputes size and depth when dropped.
pub struct ArrayMut<'a> {
    node: &'a mut ArrayNode,
}

impl std::ops::Deref for ArrayMut<'_> {
    type Target = Vec<Value>;
    fn deref(&self) -> &Vec<Value> {
        &self.node.items
    }
}

impl std::ops::DerefMut for ArrayMut<'_> {
    fn deref_mut(&mut self) -> &mut Vec<Value> {
        &mut self.node.items
    }
}

impl Drop for ArrayMut<'_> {
    fn drop(&mut self) {
        self.node.meta = array_meta(&self.node.items);
    }
}

impl serde::Serialize for Value {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match self {
            Value::Null => s.serialize_unit(),
            Value::Bool(b) => s.serialize_bool(*b),
            Value::Number(Number::Int(i)) => s.serialize_i64(*i),
            Value::Number(Number::Float(f)) => s.serialize_f64(*f),
            Value::String(v) => s.serialize_str(v),
            Value::Array(a) => {
                let mut seq = s.serialize_seq(Some(a.items.len()))?;
                for v in &a.items {
                    seq.serialize_element(v)?;
                }
                seq.end()
            }
            Value::Object(o) => {
                let mut map = s.serialize_map(Some(o.map.len()))?;
                for (k, v) in &o.map {
                    map.serialize_entry(&**k, v)?;
                }
                map.end()
            }
        }
    }
}

impl<'de> serde::Deserialize<'de> for Value {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Value;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON value")
            }
            fn visit_unit<E>(self) -> Result<Value, E> {
                Ok(Value::Null)
            }
            fn visit_none<E>(self) -> Result<Value, E> {
                Ok(Value::Null)
            }
            fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
                serde::Deserialize::deserialize(d)
            }
            fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
                Ok(Value::Bool(b))
            }
            fn visit_i64<E>(self, i: i64) -> Result<Value, E> {
                Ok(Value::int(i))
            }
            fn visit_u64<E>(self, u: u64) -> Result<Value, E> {
                Ok(match i64::try_from(u) {
                    Ok(i) => Value::int(i),
                    Err(_) => Value::Number(Number::Float(u as f64)),
                })
            }
            fn visit_f64<E: serde::de::Error>(self, f: f64) -> Result<Value, E> {
                Value::float(f).ok_or_else(|| E::custom("JSON numbers must be finite"))
            }
            fn visit_str<E>(self, s: &str) -> Result<Value, E> {
                Ok(Value::string(s))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
                let mut items = Vec::new();
                while let Some(v) = seq.next_element()? {
                    items.push(v);
                }
                Ok(Value::array(items))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut m: A) -> Result<Value, A::Error> {
                let mut map = Map::default();
                while let Some((k, v)) = m.next_entry::<String, Value>()? {
                    map.insert(Key::from(k), v);
                }
                Ok(Value::object(map))
            }
        }
        d.deserialize_any(V)
    }
}

/// Builds a [`Value`] from JSON-like syntax, for tests: `json!({"a": [1, "x", null]})`.
#[macro_export]
macro_rules! json {
    ($($t:tt)+) => {
        $crate::value::Value::from_serde(&::serde_json::json!($($t)+))
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A whole float is an integer up to the 64-bit bounds exactly, as the intrinsics' range
    /// check has it (as_i64 stopped at 9.2e18, so 9.22e18 was an integer to one and not the
    /// other).
    #[test]
    fn whole_floats_are_integers_within_the_64_bit_range() {
        assert_eq!(Number::Float(9.22e18).as_i64(), Some(9_220_000_000_000_000_000));
        assert_eq!(Number::Float(-9_223_372_036_854_775_808.0).as_i64(), Some(i64::MIN));
        assert_eq!(Number::Float(9_223_372_036_854_775_808.0).as_i64(), None);
        assert_eq!(Number::Float(2.5).as_i64(), None);
        assert_eq!(Number::Float(-3.0).as_i64(), Some(-3));
    }

    /// Known difference (README, JSONata): a number below 10^-5 is written with an exponent, as
    /// ryu writes it, where JavaScript writes `0.0000015` down to 10^-6 (the same JSON number).
    #[test]
    fn small_numbers_are_written_with_an_exponent() {
        assert_eq!(Value::float(1.5e-6).map(|v| v.to_json()).as_deref(), Some("1.5e-6"));
        assert_eq!(Value::float(0.00015).map(|v| v.to_json()).as_deref(), Some("0.00015"));
    }

    #[test]
    fn size_matches_text() {
        let v = json!({"a": [1, 2.5, "x\"y\n", null, true, false], "b": {"c": {}}, "d": []});
        assert_eq!(v.json_len(), v.to_json().len());
        assert_eq!(v.depth(), 3);
        let s = Value::string("\u{1}é");
        assert_eq!(s.json_len(), s.to_json().len());
        // Integer lengths are counted from the digits, not written out: every boundary.
        let mut ints = vec![0, i64::MIN, i64::MAX, i64::MIN + 1];
        for p in 0..19 {
            let t = 10_i64.pow(p);
            ints.extend([t - 1, t, t + 1, -t + 1, -t, -t - 1]);
        }
        for i in ints {
            let v = Value::int(i);
            assert_eq!(v.json_len(), v.to_json().len(), "{i}");
        }
    }

    #[test]
    fn edits_copy_only_what_is_shared() {
        let inner = json!({"big": [1, 2, 3]});
        let mut outer = Value::object_from([("x", inner.clone())]);
        let before = outer.clone();
        if let Some(mut m) = outer.as_object_mut() {
            m.insert("y".into(), Value::int(1));
        }
        assert_eq!(before.to_json(), r#"{"x":{"big":[1,2,3]}}"#);
        assert_eq!(outer.to_json(), r#"{"x":{"big":[1,2,3]},"y":1}"#);
        assert_eq!(outer.json_len(), outer.to_json().len());
        assert!(outer.get("x").is_some_and(|x| x.ptr_eq(&inner)));
    }

    /// `set_member` and `set_item` keep size and depth right without measuring the other members:
    /// checked against a full measure after every kind of edit.
    #[test]
    fn member_edits_keep_size_and_depth() {
        let check = |v: &Value| {
            let full = match v {
                Value::Object(o) => object_meta(&o.map),
                Value::Array(a) => array_meta(&a.items),
                _ => Meta::default(),
            };
            assert_eq!((v.json_len(), v.depth()), (full.size, full.depth), "{v}");
            assert_eq!(v.json_len(), v.to_json().len());
        };
        let mut v = json!({"a": {"deep": [[1]]}, "b": 2.5});
        let shared = v.clone();
        v.set_member("c".into(), json!("x\"y")).unwrap();
        check(&v);
        v.set_member("a".into(), Value::int(7)).unwrap(); // the deepest member becomes a scalar
        check(&v);
        assert_eq!(v.to_json(), r#"{"a":7,"b":2.5,"c":"x\"y"}"#);
        v.set_member("b".into(), json!([[[{}]]])).unwrap();
        check(&v);
        let mut e = Value::empty_object();
        e.set_member("k".into(), Value::Null).unwrap();
        check(&e);
        let mut a = json!([1, [2, [3]], "s"]);
        a.set_item(1, Value::Bool(false)).unwrap();
        check(&a);
        a.set_item(0, json!({"x": [1]})).unwrap();
        check(&a);
        assert!(a.set_item(3, Value::Null).is_err());
        assert!(Value::int(1).set_member("k".into(), Value::Null).is_err());
        // The shared original is untouched.
        assert_eq!(shared.to_json(), r#"{"a":{"deep":[[1]]},"b":2.5}"#);
    }

    /// A value that describes more bytes than a `usize` counts (shared halves, doubled 70 times)
    /// keeps a saturated size through edits, and an edit that removes it measures again.
    #[test]
    fn member_edits_saturate() {
        let mut big = Value::int(1);
        for _ in 0..70 {
            big = Value::array(vec![big.clone(), big.clone()]);
        }
        assert_eq!(big.json_len(), usize::MAX);
        let mut o = Value::empty_object();
        o.set_member("a".into(), big.clone()).unwrap();
        o.set_member("b".into(), Value::int(2)).unwrap();
        assert_eq!(o.json_len(), usize::MAX);
        o.set_member("a".into(), Value::int(1)).unwrap();
        assert_eq!(o.json_len(), r#"{"a":1,"b":2}"#.len());
        let mut a = Value::array(vec![big, Value::Null]);
        a.set_item(1, Value::int(3)).unwrap();
        assert_eq!(a.json_len(), usize::MAX);
        a.set_item(0, Value::int(4)).unwrap();
        assert_eq!(a.json_len(), "[4,3]".len());
    }

    #[test]
    fn numbers_compare_by_value() {
        assert_eq!(Value::int(1), Value::float(1.0).unwrap_or_default());
        assert_ne!(Value::int(1), Value::string("1"));
        assert_eq!(Value::float(0.1).unwrap_or_default().to_json(), "0.1");
        assert_eq!(Value::float(1.0).unwrap_or_default().to_json(), "1.0");
    }

    #[test]
    fn pretty_printing() {
        let v = json!({"a": [1, {}], "b": []});
        assert_eq!(v.to_json_pretty(), "{\n  \"a\": [\n    1,\n    {}\n  ],\n  \"b\": []\n}");
    }
}

#[cfg(test)]
mod deep_tests {
    use super::*;

    /// Values as deep as the parser allows can be compared, printed and dropped on a test thread's
    /// stack (2 MiB, debug build): the recursion in those is bounded by [`MAX_DEPTH`].
    #[test]
    fn deepest_values_are_safe() {
        let mut v = Value::Null;
        for _ in 0..MAX_DEPTH {
            v = Value::array(vec![v]);
        }
        assert_eq!(v.depth(), MAX_DEPTH);
        let w = v.clone();
        assert!(v == w);
        assert_eq!(v.to_json().len(), v.json_len());
        drop(v);
        drop(w);
    }
}
