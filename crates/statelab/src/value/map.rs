//! The map inside a JSON object: its members in insertion order, in one vector, with a hash index
//! only once it has more than [`INDEXED_FROM`] members.
//!
//! Why not `IndexMap` (which this replaced): almost every object a state machine passes around
//! has a handful of members, and `ResultPath` copies the object it writes into (the state's input
//! is shared with the history). An `IndexMap` is two allocations, a vector and a hash table, and
//! its copy grows both (and rehashes) as soon as a member is added; here a small object is one
//! vector, copied and searched with no hashing at all. Under callgrind the `parallel` workload
//! spent two fifths of its instructions in `ResultPath`, most of them copying and growing
//! `IndexMap`s.

use std::collections::HashMap;
use std::fmt;

use super::{Key, Value};

/// Objects with more members than this also keep a hash index of their keys; smaller ones are
/// searched by a scan (comparing a few keys, length first, is cheaper than hashing one).
const INDEXED_FROM: usize = 8;

type Index = HashMap<Key, usize, foldhash::fast::FixedState>;

/// An insertion-ordered map from keys to values, with the parts of `IndexMap`'s interface that
/// Statelab uses.
#[derive(Clone, Default)]
pub struct Map {
    entries: Vec<(Key, Value)>,
    /// Position of each key in `entries`, kept while there are more than [`INDEXED_FROM`].
    index: Option<Box<Index>>,
}

impl Map {
    /// An empty map.
    pub fn new() -> Map {
        Map::default()
    }

    /// An empty map with room for `n` members.
    pub fn with_capacity(n: usize) -> Map {
        Map { entries: Vec::with_capacity(n), index: None }
    }

    /// A copy with room for `extra` more members, so that adding them does not grow it right
    /// after it was made (what `ResultPath` does to a state's input).
    pub fn clone_with_room(&self, extra: usize) -> Map {
        let mut entries = Vec::with_capacity(self.entries.len().saturating_add(extra));
        entries.extend(self.entries.iter().cloned());
        Map { entries, index: self.index.clone() }
    }

    /// A map of members whose keys the caller knows to be distinct (a compiled template's): no
    /// key is searched for, as [`insert`](Self::insert) would.
    pub(crate) fn from_distinct(entries: Vec<(Key, Value)>) -> Map {
        debug_assert!(distinct(entries.iter().map(|(k, _)| k)), "keys not distinct");
        let index = (entries.len() > INDEXED_FROM).then(|| index_of(&entries, 0));
        Map { entries, index }
    }

    /// The number of members.
    #[inline]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// `true` when there are no members.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    #[inline]
    fn position(&self, key: &str) -> Option<usize> {
        match &self.index {
            None => self.entries.iter().position(|(k, _)| k.as_ref() == key),
            Some(index) => indexed(index, key),
        }
    }

    /// The value of `key`.
    #[inline]
    pub fn get(&self, key: &str) -> Option<&Value> {
        match &self.index {
            None => self.entries.iter().find(|(k, _)| k.as_ref() == key).map(|(_, v)| v),
            Some(index) => self.entries.get(indexed(index, key)?).map(|(_, v)| v),
        }
    }

    /// The key as stored, and its value.
    pub fn get_key_value(&self, key: &str) -> Option<(&Key, &Value)> {
        let i = self.position(key)?;
        self.entries.get(i).map(|(k, v)| (k, v))
    }

    /// The value of `key`, to edit.
    #[inline]
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        let i = self.position(key)?;
        self.entries.get_mut(i).map(|(_, v)| v)
    }

    /// The member at `index` in insertion order, its value to edit.
    pub fn get_index_mut(&mut self, index: usize) -> Option<(&Key, &mut Value)> {
        self.entries.get_mut(index).map(|(k, v)| (&*k, v))
    }

    /// `true` when `key` is a member.
    #[inline]
    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_some()
    }

    /// Sets `key` to `value`: in its place when it is a member (returning the old value), at the
    /// end otherwise.
    pub fn insert(&mut self, key: Key, value: Value) -> Option<Value> {
        if let Some(slot) = self.position(&key).and_then(|i| self.entries.get_mut(i)) {
            return Some(std::mem::replace(&mut slot.1, value));
        }
        let at = self.entries.len();
        match &mut self.index {
            Some(index) => {
                index.insert(key.clone(), at);
            }
            None if at >= INDEXED_FROM => {
                let mut index = index_of(&self.entries, 1);
                index.insert(key.clone(), at);
                self.index = Some(index);
            }
            None => {}
        }
        self.entries.push((key, value));
        None
    }

    /// Removes `key`, keeping the order of the others (O(n), like `IndexMap::shift_remove`).
    pub fn shift_remove(&mut self, key: &str) -> Option<Value> {
        let i = self.position(key)?;
        if i >= self.entries.len() {
            return None;
        }
        let (_, v) = self.entries.remove(i);
        if let Some(index) = &mut self.index {
            index.remove(key);
            for ((k, _), pos) in self.entries.iter().skip(i).zip(i..) {
                index.insert(k.clone(), pos);
            }
        }
        Some(v)
    }

    /// The members in order.
    #[inline]
    pub fn iter(&self) -> Iter<'_> {
        Iter(self.entries.iter())
    }

    /// The keys in order.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &Key> + ExactSizeIterator {
        self.entries.iter().map(|(k, _)| k)
    }

    /// The values in order.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &Value> + ExactSizeIterator {
        self.entries.iter().map(|(_, v)| v)
    }

    /// The values in order, to edit.
    pub fn values_mut(&mut self) -> impl DoubleEndedIterator<Item = &mut Value> + ExactSizeIterator {
        self.entries.iter_mut().map(|(_, v)| v)
    }
}

/// The index of a map's members, with room for `extra` more.
fn index_of(entries: &[(Key, Value)], extra: usize) -> Box<Index> {
    let mut index = Index::with_capacity_and_hasher(entries.len() + extra, Default::default());
    index.extend(entries.iter().enumerate().map(|(i, (k, _))| (k.clone(), i)));
    Box::new(index)
}

/// `true` when no two of `keys` are equal.
pub(crate) fn distinct<'a>(keys: impl ExactSizeIterator<Item = &'a Key> + Clone) -> bool {
    if keys.len() <= INDEXED_FROM {
        keys.clone().enumerate().all(|(i, k)| keys.clone().skip(i + 1).all(|o| o != k))
    } else {
        let mut seen = std::collections::HashSet::with_capacity(keys.len());
        keys.into_iter().all(|k| seen.insert(k))
    }
}

/// A key's position in a big map. Kept out of line, so that the scan of a small map is inlined
/// where a path looks a member up (under callgrind, `choice` took a tenth more instructions
/// while the whole of `position` was a call).
#[inline(never)]
fn indexed(index: &Index, key: &str) -> Option<usize> {
    index.get(key).copied()
}

/// The members of a [`Map`] in order, as `(&key, &value)`.
#[derive(Clone, Debug)]
pub struct Iter<'a>(std::slice::Iter<'a, (Key, Value)>);

impl<'a> Iterator for Iter<'a> {
    type Item = (&'a Key, &'a Value);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        self.0.next().map(|(k, v)| (k, v))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.0.size_hint()
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.0.next_back().map(|(k, v)| (k, v))
    }
}

impl ExactSizeIterator for Iter<'_> {}

impl<'a> IntoIterator for &'a Map {
    type Item = (&'a Key, &'a Value);
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

impl IntoIterator for Map {
    type Item = (Key, Value);
    type IntoIter = std::vec::IntoIter<(Key, Value)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl Extend<(Key, Value)> for Map {
    fn extend<I: IntoIterator<Item = (Key, Value)>>(&mut self, members: I) {
        let members = members.into_iter();
        self.entries.reserve(members.size_hint().0);
        for (k, v) in members {
            self.insert(k, v);
        }
    }
}

impl FromIterator<(Key, Value)> for Map {
    fn from_iter<I: IntoIterator<Item = (Key, Value)>>(members: I) -> Map {
        let mut map = Map::new();
        map.extend(members);
        map
    }
}

/// Equal when the same keys have equal values, in any order (as `IndexMap`'s equality).
impl PartialEq for Map {
    fn eq(&self, other: &Map) -> bool {
        self.len() == other.len() && self.iter().all(|(k, v)| other.get(k) == Some(v))
    }
}

impl fmt::Debug for Map {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(i: usize) -> Key {
        Key::from(format!("k{i}"))
    }

    #[test]
    fn small_and_indexed_maps_agree() {
        // Past INDEXED_FROM members the index takes over; lookups, replacements and removals must
        // answer the same on both sides of it.
        for n in [0, 1, 7, 8, 9, 40] {
            let mut m = Map::new();
            for i in 0..n {
                assert_eq!(m.insert(key(i), Value::int(i as i64)), None);
            }
            assert_eq!(m.len(), n);
            for i in 0..n {
                assert_eq!(m.get(&key(i)), Some(&Value::int(i as i64)), "n={n} get k{i}");
            }
            assert_eq!(m.get("missing"), None);
            if n > 2 {
                assert_eq!(m.insert(key(1), Value::Bool(true)), Some(Value::int(1)));
                assert_eq!(m.keys().nth(1), Some(&key(1)), "a replaced member keeps its place");
                if let Some((k, v)) = m.get_index_mut(2) {
                    assert_eq!(k, &key(2));
                    *v = Value::int(-2);
                }
                assert_eq!(m.get(&key(2)), Some(&Value::int(-2)));
                m.insert(key(2), Value::int(2));
                assert_eq!(m.shift_remove(&key(0)), Some(Value::int(0)));
                assert_eq!(m.keys().next(), Some(&key(1)));
                for i in 1..n {
                    assert!(m.contains_key(&key(i)), "n={n} after removal k{i}");
                    let want = if i == 1 { Value::Bool(true) } else { Value::int(i as i64) };
                    assert_eq!(m.get(&key(i)), Some(&want));
                }
                assert!(!m.contains_key(&key(0)));
                m.insert(key(0), Value::Null);
                assert_eq!(m.keys().last(), Some(&key(0)), "a new member goes last");
                assert_eq!(m.get(&key(0)), Some(&Value::Null));
            }
        }
    }

    #[test]
    fn equality_ignores_order() {
        let a: Map = [(key(1), Value::int(1)), (key(2), Value::int(2))].into_iter().collect();
        let b: Map = [(key(2), Value::int(2)), (key(1), Value::int(1))].into_iter().collect();
        assert_eq!(a, b);
        let c: Map = [(key(1), Value::int(1))].into_iter().collect();
        assert_ne!(a, c);
    }
}
