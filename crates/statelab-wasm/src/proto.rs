//! Whether a value to hand to JS has a member named `__proto__` anywhere.
//!
//! serde-wasm-bindgen builds a JS object by assigning its members, and assigning `__proto__`
//! sets the object's prototype instead: the key vanished from the output, and its members showed
//! through as inherited properties. `JSON.parse` keeps it as an own property, so [`crate::error::to_js`]
//! takes that way for such data. Finding out is one walk of the value through serde, which reads
//! map keys and skips everything else (no text is written, no string escaped, and a history
//! event's payload, which serializes as text to format, is not formatted).

use std::fmt;

use serde::ser::{self, Serialize};

/// `true` when `v` serializes a map with the key `__proto__`, at any depth.
pub fn has_proto_key<T: Serialize + ?Sized>(v: &T) -> bool {
    matches!(v.serialize(Finder { key: false }), Err(Stop::Found))
}

/// Why the walk stopped early.
#[derive(Debug)]
enum Stop {
    /// A `__proto__` key.
    Found,
    /// The value itself failed to serialize (a serializer to JS would fail too).
    Failed,
}

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Stop::Found => "a __proto__ key",
            Stop::Failed => "not serializable",
        })
    }
}

impl std::error::Error for Stop {}

impl ser::Error for Stop {
    fn custom<M: fmt::Display>(_: M) -> Stop {
        Stop::Failed
    }
}

/// The walker; `key` is set while a map key is serialized.
#[derive(Clone, Copy)]
struct Finder {
    key: bool,
}

const DEEPER: Finder = Finder { key: false };

macro_rules! skip {
    ($($method:ident($ty:ty)),* $(,)?) => {
        $(fn $method(self, _: $ty) -> Result<(), Stop> { Ok(()) })*
    };
}

impl ser::Serializer for Finder {
    type Ok = ();
    type Error = Stop;
    type SerializeSeq = Finder;
    type SerializeTuple = Finder;
    type SerializeTupleStruct = Finder;
    type SerializeTupleVariant = Finder;
    type SerializeMap = Finder;
    type SerializeStruct = Finder;
    type SerializeStructVariant = Finder;

    skip!(
        serialize_bool(bool),
        serialize_i8(i8),
        serialize_i16(i16),
        serialize_i32(i32),
        serialize_i64(i64),
        serialize_i128(i128),
        serialize_u8(u8),
        serialize_u16(u16),
        serialize_u32(u32),
        serialize_u64(u64),
        serialize_u128(u128),
        serialize_f32(f32),
        serialize_f64(f64),
        serialize_char(char),
        serialize_bytes(&[u8]),
        serialize_unit_struct(&'static str),
    );

    fn serialize_str(self, s: &str) -> Result<(), Stop> {
        if self.key && s == "__proto__" {
            return Err(Stop::Found);
        }
        Ok(())
    }

    /// Text to format (a history event's payload) is formatted only as a key.
    fn collect_str<T: fmt::Display + ?Sized>(self, v: &T) -> Result<(), Stop> {
        if self.key {
            return self.serialize_str(&v.to_string());
        }
        Ok(())
    }

    fn serialize_none(self) -> Result<(), Stop> {
        Ok(())
    }

    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<(), Stop> {
        v.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), Stop> {
        Ok(())
    }

    fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> Result<(), Stop> {
        Ok(())
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, v: &T) -> Result<(), Stop> {
        v.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        v: &T,
    ) -> Result<(), Stop> {
        v.serialize(DEEPER)
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Finder, Stop> {
        Ok(DEEPER)
    }

    fn serialize_tuple(self, _: usize) -> Result<Finder, Stop> {
        Ok(DEEPER)
    }

    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Finder, Stop> {
        Ok(DEEPER)
    }

    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Finder, Stop> {
        Ok(DEEPER)
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Finder, Stop> {
        Ok(DEEPER)
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Finder, Stop> {
        Ok(DEEPER)
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Finder, Stop> {
        Ok(DEEPER)
    }
}

/// The compound serializers whose elements are values, walked one level deeper.
macro_rules! walk_values {
    ($($compound:ident :: $method:ident),* $(,)?) => {$(
        impl ser::$compound for Finder {
            type Ok = ();
            type Error = Stop;
            fn $method<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Stop> {
                v.serialize(DEEPER)
            }
            fn end(self) -> Result<(), Stop> {
                Ok(())
            }
        }
    )*};
}

walk_values!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field,
);

// A struct's and a variant's field names are Rust's own, never "__proto__": only their values
// are walked.
macro_rules! walk_fields {
    ($($compound:ident),*) => {$(
        impl ser::$compound for Finder {
            type Ok = ();
            type Error = Stop;
            fn serialize_field<T: Serialize + ?Sized>(&mut self, _: &'static str, v: &T) -> Result<(), Stop> {
                v.serialize(DEEPER)
            }
            fn end(self) -> Result<(), Stop> {
                Ok(())
            }
        }
    )*};
}

walk_fields!(SerializeStruct, SerializeStructVariant);

impl ser::SerializeMap for Finder {
    type Ok = ();
    type Error = Stop;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, k: &T) -> Result<(), Stop> {
        k.serialize(Finder { key: true })
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Stop> {
        v.serialize(DEEPER)
    }
    fn end(self) -> Result<(), Stop> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn finds_the_key_at_any_depth_and_nowhere_else() {
        let data = |text: &str| statelab::json::parse(text).unwrap();
        assert!(has_proto_key(&data(r#"{"__proto__": 1}"#)));
        assert!(has_proto_key(&data(r#"[1, {"a": [{"__proto__": {}}]}]"#)));
        // A value, or a key that only contains it, is not the key.
        assert!(!has_proto_key(&data(r#"{"a": "__proto__", "__proto__x": 1, "x__proto__": [null]}"#)));
        assert!(!has_proto_key(&data(r#"{"a": "{\"__proto__\": 1}"}"#)));
        // Maps that are not JSON values: variables, by name.
        let vars: BTreeMap<&str, u32> = [("__proto__", 1)].into();
        assert!(has_proto_key(&Some(vars)));
    }
}
