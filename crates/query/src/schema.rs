//! The export's full schema, found by reading every record (not a sample).
//!
//! A DynamoDB JSON record is an object of *parts* (`Item`, or `Metadata`, `Keys`,
//! `OldImage`, `NewImage` in an incremental export), each an attribute map whose values are
//! type-tagged objects (`{"S": …}`, `{"M": {…}}`, `{"L": […]}`). The scan records which
//! parts, attributes and type tags ever occur, nested maps and list elements included,
//! without building values: a serde visitor that skips every scalar.
//!
//! The Arrow schema mirrors Athena's view of the same files: a column per part, a struct per
//! attribute map, a struct per attribute value with one field per type tag seen. `S`, `N`
//! and `B` are strings (as in the file: numbers exact, binaries base64), `BOOL` and `NULL`
//! booleans, sets lists of strings, `L` a list of the union of its elements' shapes.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::sync::Arc;

use datafusion::arrow::datatypes::{DataType, Field, Fields, Schema};
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

/// Every attribute name of a map, with the shape of its values.
pub type MapShape = BTreeMap<String, Shape>;

/// The union of the attribute values seen at one place.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Shape {
    /// Scalar and set tags: `S`, `N`, `B`, `BOOL`, `NULL`, `SS`, `NS`, `BS`.
    tags: BTreeSet<String>,
    /// The union of every `L` element.
    list: Option<Box<Shape>>,
    /// The union of every `M`.
    map: Option<MapShape>,
}

impl Shape {
    fn merge(&mut self, other: Shape) {
        self.tags.extend(other.tags);
        if let Some(list) = other.list {
            self.list.get_or_insert_default().merge(*list);
        }
        if let Some(map) = other.map {
            merge_maps(self.map.get_or_insert_default(), map);
        }
    }

    fn data_type(&self) -> DataType {
        let mut fields = Vec::new();
        for tag in &self.tags {
            let data_type = match tag.as_str() {
                "BOOL" | "NULL" => DataType::Boolean,
                "SS" | "NS" | "BS" => {
                    DataType::List(Arc::new(Field::new("item", DataType::Utf8, true)))
                }
                _ => DataType::Utf8,
            };
            fields.push(Field::new(tag, data_type, true));
        }
        if let Some(element) = &self.list {
            let element = Field::new("item", element.data_type(), true);
            fields.push(Field::new("L", DataType::List(Arc::new(element)), true));
        }
        if let Some(map) = &self.map {
            fields.push(Field::new("M", map_type(map), true));
        }
        DataType::Struct(Fields::from(fields))
    }
}

fn merge_maps(into: &mut MapShape, from: MapShape) {
    for (name, shape) in from {
        into.entry(name).or_default().merge(shape);
    }
}

fn map_type(map: &MapShape) -> DataType {
    DataType::Struct(Fields::from(
        map.iter()
            .map(|(name, shape)| Field::new(name, shape.data_type(), true))
            .collect::<Vec<_>>(),
    ))
}

/// The shape of a whole export: its parts and their attribute maps.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecordShape(BTreeMap<String, MapShape>);

impl RecordShape {
    /// Adds every record of `lines` (DynamoDB JSON, one record per line).
    pub fn scan(&mut self, lines: &[u8]) -> Result<(), String> {
        for (number, line) in lines.split(|b| *b == b'\n').enumerate() {
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let mut de = serde_json::Deserializer::from_slice(line);
            RecordSeed(&mut self.0)
                .deserialize(&mut de)
                .and_then(|()| de.end())
                .map_err(|e| format!("line {}: {e}", number + 1))?;
        }
        Ok(())
    }

    pub fn merge(&mut self, other: RecordShape) {
        for (part, map) in other.0 {
            merge_maps(self.0.entry(part).or_default(), map);
        }
    }

    /// The Arrow schema; parts in AWS's order (`Metadata`, `Keys`, `OldImage`,
    /// `NewImage`, `Item`), any other after them.
    pub fn schema(&self) -> Schema {
        let rank = |name: &str| {
            ["Metadata", "Keys", "OldImage", "NewImage", "Item"]
                .iter()
                .position(|p| *p == name)
                .unwrap_or(usize::MAX)
        };
        let mut parts: Vec<_> = self.0.iter().collect();
        parts.sort_by_key(|(name, _)| rank(name));
        Schema::new(
            parts
                .into_iter()
                .map(|(name, map)| Field::new(name, map_type(map), true))
                .collect::<Vec<_>>(),
        )
    }
}

/// A key read without allocating when the input allows.
enum Key<'de> {
    Borrowed(&'de str),
    Owned(String),
}

impl Key<'_> {
    fn as_str(&self) -> &str {
        match self {
            Key::Borrowed(s) => s,
            Key::Owned(s) => s,
        }
    }
}

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key::Borrowed(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key::Owned(v.to_owned()))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// `entry` without allocating a key already present.
fn entry<'m, V: Default>(map: &'m mut BTreeMap<String, V>, key: &str) -> &'m mut V {
    if !map.contains_key(key) {
        map.insert(key.to_owned(), V::default());
    }
    map.get_mut(key).expect("inserted")
}

struct RecordSeed<'a>(&'a mut BTreeMap<String, MapShape>);

impl<'de> DeserializeSeed<'de> for RecordSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for RecordSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a record object such as {\"Item\": {...}}")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<(), A::Error> {
        while let Some(part) = access.next_key::<Key>()? {
            access.next_value_seed(AttributesSeed(entry(self.0, part.as_str())))?;
        }
        Ok(())
    }
}

struct AttributesSeed<'a>(&'a mut MapShape);

impl<'de> DeserializeSeed<'de> for AttributesSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for AttributesSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an attribute map")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<(), A::Error> {
        while let Some(name) = access.next_key::<Key>()? {
            access.next_value_seed(ValueSeed(entry(self.0, name.as_str())))?;
        }
        Ok(())
    }
}

struct ValueSeed<'a>(&'a mut Shape);

impl<'de> DeserializeSeed<'de> for ValueSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ValueSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a type-tagged attribute value such as {\"S\": \"x\"}")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<(), A::Error> {
        while let Some(tag) = access.next_key::<Key>()? {
            match tag.as_str() {
                "L" => access.next_value_seed(ListSeed(self.0.list.get_or_insert_default()))?,
                "M" => {
                    access.next_value_seed(AttributesSeed(self.0.map.get_or_insert_default()))?;
                }
                tag @ ("S" | "N" | "B" | "BOOL" | "NULL" | "SS" | "NS" | "BS") => {
                    if !self.0.tags.contains(tag) {
                        self.0.tags.insert(tag.to_owned());
                    }
                    access.next_value::<IgnoredAny>()?;
                }
                other => {
                    return Err(serde::de::Error::custom(format!(
                        "{other:?} is not a DynamoDB type"
                    )));
                }
            }
        }
        Ok(())
    }
}

struct ListSeed<'a>(&'a mut Shape);

impl<'de> DeserializeSeed<'de> for ListSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ListSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of attribute values")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut access: A) -> Result<(), A::Error> {
        while access.next_element_seed(ValueSeed(&mut *self.0))?.is_some() {}
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_record_counts_not_a_sample() {
        let mut lines = String::new();
        for i in 0..5000 {
            lines.push_str(&format!("{{\"Item\":{{\"pk\":{{\"S\":\"k{i}\"}}}}}}\n"));
        }
        lines.push_str(r#"{"Item":{"pk":{"S":"late"},"tags":{"SS":["a"]},"doc":{"M":{"n":{"N":"1"},"l":{"L":[{"S":"x"},{"M":{"deep":{"BOOL":true}}}]}}}}}"#);
        let mut shape = RecordShape::default();
        shape.scan(lines.as_bytes()).unwrap();
        let schema = shape.schema();
        let item = schema.field_with_name("Item").unwrap();
        let DataType::Struct(attributes) = item.data_type() else {
            panic!("Item is a struct")
        };
        let names: Vec<_> = attributes.iter().map(|f| f.name().as_str()).collect();
        assert_eq!(names, ["doc", "pk", "tags"]);
        let doc = format!("{:?}", attributes[0].data_type());
        assert!(doc.contains("\"deep\""), "{doc}");
    }

    #[test]
    fn incremental_parts_come_in_aws_order() {
        let mut shape = RecordShape::default();
        shape
            .scan(br#"{"Metadata":{"WriteTimestampMicros":{"N":"1"}},"Keys":{"pk":{"S":"a"}},"NewImage":{"pk":{"S":"a"}},"OldImage":{"pk":{"S":"a"}}}"#)
            .unwrap();
        let names: Vec<_> = shape
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        assert_eq!(names, ["Metadata", "Keys", "OldImage", "NewImage"]);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        for bad in [
            &b"{"[..],
            b"[1]",
            b"{\"Item\":{\"a\":{\"X\":1}}}",
            b"{\"Item\":3}",
        ] {
            assert!(RecordShape::default().scan(bad).is_err());
        }
    }
}
