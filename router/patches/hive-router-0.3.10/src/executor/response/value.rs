use crate::query_planner::ast::requires::{RequiresSelection, RequiresSelectionSetRef};
use core::fmt;
use serde::{
    de::{self, Deserializer, MapAccess, SeqAccess, Visitor},
    ser::{SerializeMap, SerializeSeq},
};
use sonic_rs::{JsonNumberTrait, Value as SonicValue, ValueRef};
use std::{
    borrow::Cow,
    fmt::Display,
    hash::{Hash, Hasher},
};
use xxhash_rust::xxh3::Xxh3;

use crate::executor::{introspection::schema::PossibleTypes, utils::consts::TYPENAME_FIELD_NAME};

#[derive(Debug, Clone, Default)]
pub enum Value<'a> {
    #[default]
    Null,
    F64(f64),
    I64(i64),
    U64(u64),
    Bool(bool),
    String(Cow<'a, str>),
    RawJson(Cow<'a, str>),
    Array(Vec<Value<'a>>),
    Object(Vec<(&'a str, Value<'a>)>),
}

impl<'a> AsRef<Value<'a>> for Value<'a> {
    fn as_ref(&self) -> &Value<'a> {
        self
    }
}

impl Hash for Value<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self {
            Value::Null => 0.hash(state),
            Value::F64(f) => f.to_bits().hash(state),
            Value::I64(i) => i.hash(state),
            Value::U64(u) => u.hash(state),
            Value::Bool(b) => b.hash(state),
            Value::String(s) => s.hash(state),
            Value::RawJson(raw) => raw.hash(state),
            Value::Array(arr) => arr.hash(state),
            Value::Object(obj) => obj.hash(state),
        }
    }
}

#[inline(always)]
pub fn key_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let (mut a, mut b) = (a, b);
    while a.len() >= 8 {
        let (head_a, rest_a) = a.split_at(8);
        let (head_b, rest_b) = b.split_at(8);
        if u64::from_ne_bytes(head_a.try_into().expect("split_at(8) yields 8 bytes"))
            != u64::from_ne_bytes(head_b.try_into().expect("split_at(8) yields 8 bytes"))
        {
            return false;
        }
        (a, b) = (rest_a, rest_b);
    }
    if a.len() >= 4 {
        let (head_a, rest_a) = a.split_at(4);
        let (head_b, rest_b) = b.split_at(4);
        if u32::from_ne_bytes(head_a.try_into().expect("split_at(4) yields 4 bytes"))
            != u32::from_ne_bytes(head_b.try_into().expect("split_at(4) yields 4 bytes"))
        {
            return false;
        }
        (a, b) = (rest_a, rest_b);
    }
    if a.len() >= 2 {
        let (head_a, rest_a) = a.split_at(2);
        let (head_b, rest_b) = b.split_at(2);
        if u16::from_ne_bytes(head_a.try_into().expect("split_at(2) yields 2 bytes"))
            != u16::from_ne_bytes(head_b.try_into().expect("split_at(2) yields 2 bytes"))
        {
            return false;
        }
        (a, b) = (rest_a, rest_b);
    }
    a.first() == b.first()
}

impl<'a> Value<'a> {
    /// Finds the position of `key` in an object's entries.
    #[inline]
    pub fn object_position(obj: &[(&str, Value<'_>)], key: &str) -> Option<usize> {
        obj.iter().position(|(k, _)| key_eq(k, key))
    }

    /// Like object_position, but scans from `cursor` first, wraps around,
    /// and moves `cursor` past the match.
    #[inline]
    pub fn object_position_from(
        obj: &[(&str, Value<'_>)],
        key: &str,
        cursor: &mut usize,
    ) -> Option<usize> {
        let start = (*cursor).min(obj.len());
        let (after, before) = (&obj[start..], &obj[..start]);
        let position = after
            .iter()
            .position(|(k, _)| key_eq(k, key))
            .map(|index| start + index)
            .or_else(|| before.iter().position(|(k, _)| key_eq(k, key)))?;
        *cursor = position + 1;
        Some(position)
    }

    #[inline]
    pub fn object_get<'b, 'v>(obj: &'b [(&str, Value<'v>)], key: &str) -> Option<&'b Value<'v>> {
        Self::object_position(obj, key).map(|index| &obj[index].1)
    }

    #[inline]
    pub fn object_get_mut<'b, 'v>(
        obj: &'b mut [(&str, Value<'v>)],
        key: &str,
    ) -> Option<&'b mut Value<'v>> {
        Self::object_position(obj, key).map(|index| &mut obj[index].1)
    }

    pub fn take_entities(&mut self) -> Option<Vec<Value<'a>>> {
        self.take_entities_by_key("_entities")
    }

    pub fn take_entities_by_key(&mut self, key: &str) -> Option<Vec<Value<'a>>> {
        match self {
            Value::Object(data) => {
                if let Some(entities_idx) = Value::object_position(data, key) {
                    if let Value::Array(arr) = data.remove(entities_idx).1 {
                        return Some(arr);
                    }
                }
                None
            }
            _ => None,
        }
    }

    pub fn to_hash(
        &self,
        selections: RequiresSelectionSetRef<'_>,
        possible_types: &PossibleTypes,
    ) -> u64 {
        let mut hasher = Xxh3::new();
        self.hash_with_requires(&mut hasher, selections, possible_types);
        hasher.finish()
    }

    fn hash_with_requires<H: Hasher>(
        &self,
        state: &mut H,
        selections: RequiresSelectionSetRef<'_>,
        possible_types: &PossibleTypes,
    ) {
        if selections.is_empty() {
            self.hash(state);
            return;
        }

        match self {
            Value::Object(obj) => {
                Value::hash_object_with_requires(state, obj, selections, possible_types);
            }
            Value::Array(arr) => {
                for item in arr {
                    item.hash_with_requires(state, selections, possible_types);
                }
            }
            _ => {
                self.hash(state);
            }
        }
    }

    fn hash_object_with_requires<H: Hasher>(
        state: &mut H,
        obj: &[(&'a str, Value<'a>)],
        selections: RequiresSelectionSetRef<'_>,
        possible_types: &PossibleTypes,
    ) {
        // Read __typename at most once per object, and only when a fragment
        // needs it. Also remember when it is missing: each fragment then
        // falls back to its own type instead.
        let mut type_name = None;
        for item in selections.iter() {
            match item {
                RequiresSelection::Field {
                    name, selections, ..
                } => {
                    if let Some(idx) = Value::object_position(obj, name) {
                        let (key, value) = &obj[idx];
                        key.hash(state);
                        value.hash_with_requires(state, selections, possible_types);
                    }
                }
                RequiresSelection::InlineFragment {
                    type_condition,
                    selections,
                    ..
                } => {
                    let type_name = type_name
                        .get_or_insert_with(|| {
                            Value::object_get(obj, TYPENAME_FIELD_NAME).and_then(Value::as_str)
                        })
                        .unwrap_or(type_condition);

                    if possible_types.entity_satisfies_type_condition(type_name, type_condition) {
                        Value::hash_object_with_requires(state, obj, selections, possible_types);
                    }
                }
                RequiresSelection::FragmentSpread(_) => {
                    unreachable!("Fragment spreads should not exist in FetchNode::requires.")
                }
            }
        }
    }

    pub fn from(json: ValueRef<'a>) -> Value<'a> {
        match json {
            ValueRef::Null => Value::Null,
            ValueRef::Bool(b) => Value::Bool(b),
            ValueRef::String(s) => Value::String(s.into()),
            ValueRef::Number(num) => {
                if let Some(num) = num.as_u64() {
                    return Value::U64(num);
                }

                if let Some(num) = num.as_i64() {
                    return Value::I64(num);
                }

                // All integers are floats, so to prevent to add
                // extra dots for integer numbers, we check for f64 last.
                if let Some(num) = num.as_f64() {
                    return Value::F64(num);
                }

                Value::Null
            }
            ValueRef::Array(arr) => {
                let mut vec = Vec::with_capacity(arr.len());
                vec.extend(arr.iter().map(|v| Value::from(v.as_ref())));
                Value::Array(vec)
            }
            ValueRef::Object(obj) => {
                let mut vec = Vec::with_capacity(obj.len());
                vec.extend(obj.iter().map(|(k, v)| (k, Value::from(v.as_ref()))));
                Value::Object(vec)
            }
        }
    }

    pub fn as_object(&self) -> Option<&Vec<(&'a str, Value<'a>)>> {
        match self {
            Value::Object(obj) => Some(obj),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_raw_json(&self) -> Option<&str> {
        match self {
            Value::RawJson(raw) => Some(raw),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn is_object(&self) -> bool {
        matches!(self, Value::Object(_))
    }
}

// Our new trait with the desired methods
pub trait ValueRefExt {
    fn to_data<'a>(&'a self) -> Option<ValueRef<'a>>;
    fn to_entities<'a>(&'a self) -> Option<Vec<ValueRef<'a>>>;
}

// Implement our trait for the foreign type
impl ValueRefExt for ValueRef<'_> {
    fn to_data<'a>(&'a self) -> Option<ValueRef<'a>> {
        match self {
            ValueRef::Object(obj) => obj.get(&"data").map(|v| v.as_ref()),
            _ => None,
        }
    }

    fn to_entities<'a>(&'a self) -> Option<Vec<ValueRef<'a>>> {
        match self.to_data().unwrap() {
            ValueRef::Object(obj) => obj.get(&"_entities").and_then(|v| match v.as_ref() {
                ValueRef::Array(arr) => Some(arr.iter().map(|v| v.as_ref()).collect()),
                _ => None,
            }),
            _ => None,
        }
    }
}

impl Display for Value<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::Null => write!(f, "null"),
            Value::Bool(b) => write!(f, "{}", b),
            Value::String(s) => write!(f, "\"{}\"", s),
            Value::RawJson(raw) => write!(f, "{}", raw),
            Value::F64(n) => write!(f, "{}", n),
            Value::U64(n) => write!(f, "{}", n),
            Value::I64(n) => write!(f, "{}", n),
            Value::Array(arr) => {
                write!(f, "[")?;
                for (i, v) in arr.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{}", v)?;
                }
                write!(f, "]")
            }
            Value::Object(obj) => {
                write!(f, "{{")?;
                for (i, (k, v)) in obj.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "\"{}\": {}", k, v)?;
                }
                write!(f, "}}")
            }
        }
    }
}

/// Holds the children of every object and array that's still being read, so each one gets
/// allocated once, at its final length. sonic doesn't give a length up front, and growing
/// from empty means regrows plus up to 2x unused capacity on every container.
#[derive(Default)]
pub struct DeserializeScratch<'de> {
    elements: Vec<Value<'de>>,
    entries: Vec<(&'de str, Value<'de>)>,
}

impl<'de> DeserializeScratch<'de> {
    #[inline]
    pub(crate) fn elements_start(&self) -> usize {
        self.elements.len()
    }

    #[inline]
    pub(crate) fn push_element(&mut self, value: Value<'de>) {
        self.elements.push(value);
    }

    /// Everything pushed since `start`, as an exactly sized array.
    #[inline]
    pub(crate) fn finish_array(&mut self, start: usize) -> Value<'de> {
        Value::Array(self.elements.drain(start..).collect())
    }

    #[inline]
    pub(crate) fn entries_start(&self) -> usize {
        self.entries.len()
    }

    #[inline]
    pub(crate) fn push_entry(&mut self, key: &'de str, value: Value<'de>) {
        self.entries.push((key, value));
    }

    /// Everything pushed since `start`, as an exactly sized object.
    #[inline]
    pub(crate) fn finish_object(&mut self, start: usize) -> Value<'de> {
        Value::Object(self.entries.drain(start..).collect())
    }
}

/// Deserializes a `Value`, sharing one scratch across the whole tree.
pub struct ScratchSeed<'s, 'de>(pub &'s mut DeserializeScratch<'de>);

impl<'de> de::DeserializeSeed<'de> for ScratchSeed<'_, 'de> {
    type Value = Value<'de>;

    fn deserialize<D>(self, deserializer: D) -> Result<Self::Value, D::Error>
    where
        D: Deserializer<'de>,
    {
        deserializer.deserialize_any(ValueVisitor { scratch: self.0 })
    }
}

struct ValueVisitor<'s, 'de> {
    scratch: &'s mut DeserializeScratch<'de>,
}

impl<'de> de::Deserialize<'de> for Value<'de> {
    fn deserialize<D>(deserializer: D) -> Result<Self, D::Error>
    where
        D: Deserializer<'de>,
    {
        de::DeserializeSeed::deserialize(
            ScratchSeed(&mut DeserializeScratch::default()),
            deserializer,
        )
    }
}

impl<'de> Visitor<'de> for ValueVisitor<'_, 'de> {
    type Value = Value<'de>;

    fn expecting(&self, formatter: &mut fmt::Formatter) -> fmt::Result {
        formatter.write_str("any valid JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Self::Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Self::Value, E> {
        Ok(Value::I64(value))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Self::Value, E> {
        Ok(Value::U64(value))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Self::Value, E> {
        Ok(Value::F64(value))
    }

    // This is the zero-copy part. We borrow the string slice directly from the input.
    fn visit_borrowed_str<E>(self, value: &'de str) -> Result<Self::Value, E>
    where
        E: de::Error,
    {
        Ok(Value::String(value.into()))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E>
    where
        E: de::Error,
    {
        Ok(Value::String(v.to_owned().into()))
    }

    fn visit_string<E>(self, value: String) -> Result<Self::Value, E>
    where
        E: de::Error,
    {
        Ok(Value::String(value.into()))
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A>(self, mut seq: A) -> Result<Self::Value, A::Error>
    where
        A: SeqAccess<'de>,
    {
        let start = self.scratch.elements_start();
        while let Some(elem) = seq.next_element_seed(ScratchSeed(&mut *self.scratch))? {
            self.scratch.push_element(elem);
        }
        Ok(self.scratch.finish_array(start))
    }

    fn visit_map<M>(self, mut map: M) -> Result<Self::Value, M::Error>
    where
        M: MapAccess<'de>,
    {
        let start = self.scratch.entries_start();
        while let Some(key) = map.next_key::<&'de str>()? {
            let value = map.next_value_seed(ScratchSeed(&mut *self.scratch))?;
            self.scratch.push_entry(key, value);
        }
        Ok(self.scratch.finish_object(start))
    }
}

impl serde::Serialize for Value<'_> {
    fn serialize<S>(&self, serializer: S) -> Result<S::Ok, S::Error>
    where
        S: serde::Serializer,
    {
        match self {
            Value::Null => serializer.serialize_unit(),
            Value::Bool(b) => serializer.serialize_bool(*b),
            Value::I64(n) => serializer.serialize_i64(*n),
            Value::U64(n) => serializer.serialize_u64(*n),
            Value::F64(n) => serializer.serialize_f64(*n),
            Value::String(s) => serializer.serialize_str(s),
            Value::RawJson(raw) => {
                let value: sonic_rs::LazyValue =
                    sonic_rs::from_str(raw).map_err(serde::ser::Error::custom)?;
                value.serialize(serializer)
            }
            Value::Array(arr) => {
                let mut seq = serializer.serialize_seq(Some(arr.len()))?;
                for v in arr {
                    seq.serialize_element(v)?;
                }
                seq.end()
            }
            Value::Object(obj) => {
                let mut map = serializer.serialize_map(Some(obj.len()))?;
                for (k, v) in obj {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

impl From<&Value<'_>> for SonicValue {
    fn from(value: &Value) -> Self {
        match value {
            Value::Null => SonicValue::new_null(),
            Value::Bool(b) => (*b).into(),
            Value::F64(f) => match SonicValue::new_f64(*f) {
                Some(num) => num,
                None => SonicValue::new_null(),
            },
            Value::I64(n) => (*n).into(),
            Value::U64(n) => (*n).into(),
            Value::RawJson(raw) => {
                sonic_rs::from_str(raw).unwrap_or_else(|_| SonicValue::new_null())
            }
            Value::Array(l) => {
                let mut array_value = SonicValue::new_array_with(l.len());

                for val in l.iter() {
                    array_value.append_value(val.into());
                }

                array_value
            }
            Value::Object(o) => {
                let mut object_value = SonicValue::new_object_with(o.len());

                for (k, v) in o.iter() {
                    object_value.insert(k, v.into());
                }

                object_value
            }
            Value::String(s) => SonicValue::from(s.as_ref()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Value;
    use serde::Deserialize;
    use std::borrow::Cow;

    fn object<'a>(keys: &[&'a str]) -> Vec<(&'a str, Value<'a>)> {
        keys.iter().map(|key| (*key, Value::Null)).collect()
    }

    #[test]
    fn keeps_keys_in_input_order() {
        let bytes = br#"{"b": 1, "a": 2, "c": 3}"#;
        let mut deserializer = sonic_rs::Deserializer::from_slice(bytes);
        let value = Value::deserialize(&mut deserializer).unwrap();

        let keys: Vec<_> = value.as_object().unwrap().iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, ["b", "a", "c"]);
    }

    #[test]
    fn deserialized_containers_are_exactly_sized() {
        fn assert_exact(value: &Value) {
            match value {
                Value::Array(arr) => {
                    assert_eq!(arr.capacity(), arr.len());
                    arr.iter().for_each(assert_exact);
                }
                Value::Object(obj) => {
                    assert_eq!(obj.capacity(), obj.len());
                    obj.iter().for_each(|(_, v)| assert_exact(v));
                }
                _ => {}
            }
        }

        let bytes = br#"{"a":[1,2,3,4,5],"b":{"c":1,"d":[{"e":1},{}],"f":[]},"g":1,"h":2,"i":3}"#;
        let mut deserializer = sonic_rs::Deserializer::from_slice(bytes);
        let value = Value::deserialize(&mut deserializer).unwrap();

        assert_exact(&value);
        assert_eq!(
            sonic_rs::to_string(&value).unwrap(),
            std::str::from_utf8(bytes).unwrap()
        );
    }

    #[test]
    fn object_position_from_advances_the_cursor_past_each_match() {
        let obj = object(&["id", "name", "price"]);
        let mut cursor = 0;

        assert_eq!(
            Value::object_position_from(&obj, "id", &mut cursor),
            Some(0)
        );
        assert_eq!(
            Value::object_position_from(&obj, "name", &mut cursor),
            Some(1)
        );
        assert_eq!(
            Value::object_position_from(&obj, "price", &mut cursor),
            Some(2)
        );
        assert_eq!(cursor, 3);
    }

    #[test]
    fn object_position_from_wraps_around_for_keys_before_the_cursor() {
        let obj = object(&["id", "name", "price"]);
        let mut cursor = 2;

        assert_eq!(
            Value::object_position_from(&obj, "id", &mut cursor),
            Some(0)
        );
        assert_eq!(cursor, 1);
    }

    #[test]
    fn object_position_from_leaves_the_cursor_on_a_miss() {
        let obj = object(&["id", "name"]);
        let mut cursor = 1;

        assert_eq!(
            Value::object_position_from(&obj, "missing", &mut cursor),
            None
        );
        assert_eq!(cursor, 1);

        let mut past_the_end = 5;
        assert_eq!(
            Value::object_position_from(&obj, "name", &mut past_the_end),
            Some(1)
        );
    }

    #[test]
    fn deserializes_escaped_string_as_owned() {
        let bytes = br#"{"message": "hello\nworld"}"#;
        let mut deserializer = sonic_rs::Deserializer::from_slice(bytes);

        let value = Value::deserialize(&mut deserializer).unwrap();

        let obj = match value {
            Value::Object(obj) => obj,
            _ => panic!("Expected Value::Object"),
        };

        let message_value = &obj.iter().find(|(k, _)| *k == "message").unwrap().1;

        match message_value {
            Value::String(value) => {
                assert_eq!(value, "hello\nworld");
                assert!(
                    matches!(value, Cow::Owned(_)),
                    "Expected Cow::Owned for escaped string"
                );
            }
            _ => panic!("Expected Value::String"),
        }
    }

    #[test]
    fn deserializes_simple_string_as_borrowed() {
        let bytes = br#"{"message": "hello world"}"#;
        let mut deserializer = sonic_rs::Deserializer::from_slice(bytes);
        let value = Value::deserialize(&mut deserializer).unwrap();

        let obj = match value {
            Value::Object(obj) => obj,
            _ => panic!("Expected Value::Object"),
        };

        let message_value = &obj.iter().find(|(k, _)| *k == "message").unwrap().1;

        match message_value {
            Value::String(value) => {
                assert_eq!(value, "hello world");
                assert!(
                    matches!(value, Cow::Borrowed(_)),
                    "Expected Cow::Borrowed for simple string"
                );
            }
            _ => panic!("Expected Value::String"),
        }
    }
}
