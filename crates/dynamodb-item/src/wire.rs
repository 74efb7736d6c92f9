//! DynamoDB's typed JSON: `{"S": "x"}`, `{"N": "1"}`, `{"B": "<base64>"}`, `{"BOOL": true}`,
//! `{"NULL": true}`, `{"SS": [...]}`, `{"NS": [...]}`, `{"BS": [...]}`, `{"L": [...]}`,
//! `{"M": {...}}`, checked in DynamoDB's order with its messages (as recorded by dynalite's
//! tests against real DynamoDB).

use std::collections::{BTreeMap, HashSet};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::{Map, Value};
use strata_number::Number;

use crate::{AttributeValue, Item, NAME_TOO_LARGE, ValueError, name_too_large};

/// DynamoDB allows 32 levels of nested lists and maps.
pub const MAX_NESTING_DEPTH: usize = 32;

const MSG_EMPTY: &str =
    "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes";
const MSG_MANY: &str = "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes";
const MSG_NESTING: &str = "Nesting Levels have exceeded supported limits";

/// The JSON token DynamoDB names when a member has the wrong type (`STRING_VALUE`, …).
pub fn json_token_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "NULL_VALUE",
        Value::Bool(_) => "BOOLEAN_VALUE",
        Value::Number(_) => "NUMBER_VALUE",
        Value::String(_) => "STRING_VALUE",
        Value::Array(_) => "START_ARRAY",
        Value::Object(_) => "START_OBJECT",
    }
}

fn type_error(expected: &str, got: &Value) -> ValueError {
    ValueError::Serialization(format!(
        "{} cannot be converted to {expected}",
        json_token_name(got)
    ))
}

fn string(v: &Value) -> Result<&str, ValueError> {
    v.as_str().ok_or_else(|| type_error("String", v))
}

fn array(v: &Value) -> Result<&Vec<Value>, ValueError> {
    v.as_array().ok_or_else(|| type_error("List", v))
}

fn binary(v: &Value) -> Result<Vec<u8>, ValueError> {
    let text = string(v)?;
    BASE64.decode(text).map_err(|_| {
        ValueError::Serialization(
            "Base64 encoded length is expected a multiple of 4 bytes but found".to_owned(),
        )
    })
}

fn number(text: &str) -> Result<Number, ValueError> {
    Number::parse(text).map_err(|e| ValueError::Validation(e.to_string()))
}

fn duplicates(listed: &[&str], suffix: &str) -> ValueError {
    ValueError::invalid(format!(
        "Input collection [{}]{suffix} contains duplicates.",
        listed.join(", ")
    ))
}

/// Parses one attribute value. `depth` counts enclosing lists and maps.
fn value(v: &Value, depth: usize) -> Result<AttributeValue, ValueError> {
    let object = v
        .as_object()
        .ok_or_else(|| type_error("AttributeValue", v))?;
    let mut fields = object.iter();
    let (kind, inner) = match (fields.next(), fields.next()) {
        (None, _) => return Err(ValueError::Validation(MSG_EMPTY.to_owned())),
        (Some(_), Some(_)) => return Err(ValueError::Validation(MSG_MANY.to_owned())),
        (Some(pair), None) => pair,
    };
    Ok(match kind.as_str() {
        "S" => AttributeValue::S(string(inner)?.to_owned()),
        "N" => AttributeValue::N(number(string(inner)?)?),
        "B" => AttributeValue::B(binary(inner)?),
        "BOOL" => AttributeValue::Bool(
            inner
                .as_bool()
                .ok_or_else(|| type_error("Boolean", inner))?,
        ),
        "NULL" => match inner {
            Value::Bool(true) => AttributeValue::Null,
            Value::Bool(false) => {
                return Err(ValueError::invalid(
                    "Null attribute value types must have the value of true",
                ));
            }
            other => return Err(type_error("Boolean", other)),
        },
        "SS" => {
            let members: Vec<&str> = array(inner)?.iter().map(string).collect::<Result<_, _>>()?;
            if members.is_empty() {
                return Err(ValueError::invalid("An string set  may not be empty"));
            }
            if members.iter().collect::<HashSet<_>>().len() != members.len() {
                return Err(duplicates(&members, ""));
            }
            AttributeValue::Ss(members.into_iter().map(str::to_owned).collect())
        }
        "NS" => {
            let texts: Vec<&str> = array(inner)?.iter().map(string).collect::<Result<_, _>>()?;
            if texts.is_empty() {
                return Err(ValueError::invalid("An number set  may not be empty"));
            }
            let numbers: Vec<Number> = texts.iter().map(|t| number(t)).collect::<Result<_, _>>()?;
            let mut sorted = numbers.clone();
            sorted.sort();
            sorted.dedup();
            if sorted.len() != numbers.len() {
                return Err(duplicates(&texts, ""));
            }
            AttributeValue::Ns(numbers)
        }
        "BS" => {
            let texts: Vec<&str> = array(inner)?.iter().map(string).collect::<Result<_, _>>()?;
            if texts.is_empty() {
                return Err(ValueError::invalid("Binary sets should not be empty"));
            }
            let blobs: Vec<Vec<u8>> = array(inner)?.iter().map(binary).collect::<Result<_, _>>()?;
            if blobs.iter().collect::<HashSet<_>>().len() != blobs.len() {
                return Err(duplicates(&texts, "of type BS"));
            }
            AttributeValue::Bs(blobs)
        }
        "L" => {
            if depth >= MAX_NESTING_DEPTH {
                return Err(ValueError::Validation(MSG_NESTING.to_owned()));
            }
            AttributeValue::L(
                array(inner)?
                    .iter()
                    .map(|e| value(e, depth + 1))
                    .collect::<Result<_, _>>()?,
            )
        }
        "M" => {
            if depth >= MAX_NESTING_DEPTH {
                return Err(ValueError::Validation(MSG_NESTING.to_owned()));
            }
            let map = inner.as_object().ok_or_else(|| type_error("Map", inner))?;
            AttributeValue::M(map_of(map, depth + 1)?)
        }
        // DynamoDB's JSON reader ignores unknown members, which leaves the value empty.
        _ => return Err(ValueError::Validation(MSG_EMPTY.to_owned())),
    })
}

fn map_of(
    map: &Map<String, Value>,
    depth: usize,
) -> Result<BTreeMap<String, AttributeValue>, ValueError> {
    map.iter()
        .map(|(k, v)| {
            if name_too_large(k) {
                return Err(ValueError::Validation(NAME_TOO_LARGE.to_owned()));
            }
            Ok((k.clone(), value(v, depth)?))
        })
        .collect()
}

/// Parses one attribute value (`{"S": "x"}`), as in ExpressionAttributeValues.
pub fn attribute_value_from_json(v: &Value) -> Result<AttributeValue, ValueError> {
    value(v, 0)
}

/// Parses an item (`{"name": {"S": "x"}, …}`).
pub fn item_from_json(v: &Value) -> Result<Item, ValueError> {
    let map = v.as_object().ok_or_else(|| type_error("Map", v))?;
    map_of(map, 0)
}

fn value_to_json(v: &AttributeValue) -> Value {
    let (kind, inner) = match v {
        AttributeValue::S(s) => ("S", Value::String(s.clone())),
        AttributeValue::N(n) => ("N", Value::String(n.to_string())),
        AttributeValue::B(b) => ("B", Value::String(BASE64.encode(b))),
        AttributeValue::Bool(b) => ("BOOL", Value::Bool(*b)),
        AttributeValue::Null => ("NULL", Value::Bool(true)),
        AttributeValue::Ss(set) => ("SS", set.iter().map(|s| Value::String(s.clone())).collect()),
        AttributeValue::Ns(set) => (
            "NS",
            set.iter().map(|n| Value::String(n.to_string())).collect(),
        ),
        AttributeValue::Bs(set) => (
            "BS",
            set.iter()
                .map(|b| Value::String(BASE64.encode(b)))
                .collect(),
        ),
        AttributeValue::L(list) => ("L", list.iter().map(value_to_json).collect()),
        AttributeValue::M(map) => (
            "M",
            Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), value_to_json(v)))
                    .collect(),
            ),
        ),
    };
    let mut object = Map::with_capacity(1);
    object.insert(kind.to_owned(), inner);
    Value::Object(object)
}

/// DynamoDB's typed JSON, written straight to a serializer (responses encode items without
/// building a `serde_json::Value` first).
impl serde::Serialize for AttributeValue {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        struct Base64<'a>(&'a [u8]);
        impl serde::Serialize for Base64<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&BASE64.encode(self.0))
            }
        }
        // Numbers are written as their text without a `String` in between.
        struct Text<'a>(&'a strata_number::Number);
        impl serde::Serialize for Text<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self.0)
            }
        }
        struct Numbers<'a>(&'a [strata_number::Number]);
        impl serde::Serialize for Numbers<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_seq(self.0.iter().map(Text))
            }
        }
        let mut map = serializer.serialize_map(Some(1))?;
        match self {
            AttributeValue::S(s) => map.serialize_entry("S", s)?,
            AttributeValue::N(n) => map.serialize_entry("N", &Text(n))?,
            AttributeValue::B(b) => map.serialize_entry("B", &Base64(b))?,
            AttributeValue::Bool(b) => map.serialize_entry("BOOL", b)?,
            AttributeValue::Null => map.serialize_entry("NULL", &true)?,
            AttributeValue::Ss(set) => map.serialize_entry("SS", set)?,
            AttributeValue::Ns(set) => map.serialize_entry("NS", &Numbers(set))?,
            AttributeValue::Bs(set) => {
                let set: Vec<Base64<'_>> = set.iter().map(|b| Base64(b)).collect();
                map.serialize_entry("BS", &set)?;
            }
            AttributeValue::L(list) => map.serialize_entry("L", list)?,
            AttributeValue::M(m) => map.serialize_entry("M", m)?,
        }
        map.end()
    }
}

/// Appends `items` as a JSON array of [`write_item_json`]'s objects.
pub fn write_items_json(items: &[Item], out: &mut Vec<u8>) {
    write_array(items, out, write_item_json);
}

/// Appends `item` as DynamoDB's typed JSON: byte for byte what its `Serialize` writes with
/// `serde_json` (a property test holds them equal), for responses that carry items. A string
/// is checked in one vectorized pass and copied whole, where `serde_json` looks at each byte
/// alone: items' strings were most of a Query's encoding time.
pub fn write_item_json(item: &Item, out: &mut Vec<u8>) {
    out.push(b'{');
    for (i, (name, value)) in item.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_json_string(name, out);
        out.push(b':');
        write_value_json(value, out);
    }
    out.push(b'}');
}

fn write_value_json(value: &AttributeValue, out: &mut Vec<u8>) {
    out.extend_from_slice(b"{\"");
    out.extend_from_slice(value.type_name().as_bytes());
    out.extend_from_slice(b"\":");
    match value {
        AttributeValue::S(s) => write_json_string(s, out),
        AttributeValue::N(n) => write_number(n, out),
        AttributeValue::B(b) => write_base64(b, out),
        AttributeValue::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        AttributeValue::Null => out.extend_from_slice(b"true"),
        AttributeValue::Ss(set) => write_array(set, out, |s, out| write_json_string(s, out)),
        AttributeValue::Ns(set) => write_array(set, out, write_number),
        AttributeValue::Bs(set) => write_array(set, out, |b, out| write_base64(b, out)),
        AttributeValue::L(list) => write_array(list, out, write_value_json),
        AttributeValue::M(map) => write_item_json(map, out),
    }
    out.push(b'}');
}

fn write_array<T>(values: &[T], out: &mut Vec<u8>, write: impl Fn(&T, &mut Vec<u8>)) {
    out.push(b'[');
    for (i, value) in values.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write(value, out);
    }
    out.push(b']');
}

/// A number's text needs no escaping: digits, `-` and `.`.
pub(crate) fn write_number(n: &Number, out: &mut Vec<u8>) {
    use std::io::Write as _;
    write!(out, "\"{n}\"").expect("writing to a Vec<u8> does not fail");
}

pub(crate) fn write_base64(bytes: &[u8], out: &mut Vec<u8>) {
    out.push(b'"');
    out.extend_from_slice(BASE64.encode(bytes).as_bytes());
    out.push(b'"');
}

/// What JSON requires escaped in a string: the quote, the backslash and control characters.
fn needs_escape(byte: u8) -> bool {
    byte < 0x20 || byte == b'"' || byte == b'\\'
}

/// A JSON string with `serde_json`'s escapes: `\"`, `\\`, the five short control escapes, and
/// `\u00xx` (lower-case hex) for the other control characters; nothing else.
pub(crate) fn write_json_string(s: &str, out: &mut Vec<u8>) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    // One pass without an early exit, which the compiler vectorizes: most strings need no
    // escape and are copied whole.
    if !bytes.iter().fold(false, |any, &b| any | needs_escape(b)) {
        out.extend_from_slice(bytes);
        out.push(b'"');
        return;
    }
    let mut copied = 0;
    for (at, &byte) in bytes.iter().enumerate() {
        if !needs_escape(byte) {
            continue;
        }
        out.extend_from_slice(&bytes[copied..at]);
        copied = at + 1;
        match byte {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0x08 => out.extend_from_slice(b"\\b"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            0x0c => out.extend_from_slice(b"\\f"),
            b'\r' => out.extend_from_slice(b"\\r"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(byte >> 4)]);
                out.push(HEX[usize::from(byte & 0x0f)]);
            }
        }
    }
    out.extend_from_slice(&bytes[copied..]);
    out.push(b'"');
}

/// Writes an item back as DynamoDB's typed JSON.
pub fn item_to_json(item: &Item) -> Value {
    Value::Object(
        item.iter()
            .map(|(k, v)| (k.clone(), value_to_json(v)))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn err(v: Value) -> String {
        value(&v, 0).unwrap_err().to_string()
    }

    fn fast_json(item: &Item) -> String {
        let mut out = Vec::new();
        write_item_json(item, &mut out);
        String::from_utf8(out).expect("JSON is UTF-8")
    }

    #[test]
    fn fast_writer_escapes_as_serde_json_does() {
        let mut text = String::from("plain ");
        for c in (0u8..0x20)
            .map(char::from)
            .chain(['"', '\\', '/', '\u{7f}', 'é', '😀'])
        {
            text.push(c);
            text.push_str("0123456789abcde");
        }
        let item: Item = [("k\"\n".to_owned(), AttributeValue::S(text))].into();
        assert_eq!(fast_json(&item), serde_json::to_string(&item).unwrap());
    }

    proptest::proptest! {
        #[test]
        fn fast_writer_writes_what_serialize_writes(item in crate::strategies::item()) {
            proptest::prop_assert_eq!(fast_json(&item), serde_json::to_string(&item).unwrap());
        }
    }

    #[test]
    fn round_trips_every_type() {
        let item = json!({
            "s": {"S": "x"}, "n": {"N": "1.5"}, "b": {"B": "Yg=="}, "t": {"BOOL": true},
            "z": {"NULL": true}, "ss": {"SS": ["a", "b"]}, "ns": {"NS": ["1", "2"]},
            "bs": {"BS": ["Yg==", "Yw=="]}, "l": {"L": [{"S": "x"}, {"N": "0"}]},
            "m": {"M": {"k": {"S": "v"}}}
        });
        let parsed = item_from_json(&item).unwrap();
        assert_eq!(item_to_json(&parsed), item);
        assert_eq!(serde_json::to_value(&parsed).unwrap(), item);
    }

    #[test]
    fn dynamodb_messages() {
        let invalid = "One or more parameter values were invalid: ";
        for (v, message) in [
            (json!({}), MSG_EMPTY.to_owned()),
            (json!({"S": "a", "N": "1"}), MSG_MANY.to_owned()),
            (
                json!({"NULL": false}),
                format!("{invalid}Null attribute value types must have the value of true"),
            ),
            (
                json!({"SS": []}),
                format!("{invalid}An string set  may not be empty"),
            ),
            (
                json!({"NS": []}),
                format!("{invalid}An number set  may not be empty"),
            ),
            (
                json!({"BS": []}),
                format!("{invalid}Binary sets should not be empty"),
            ),
            (
                json!({"SS": ["a", "a"]}),
                format!("{invalid}Input collection [a, a] contains duplicates."),
            ),
            (
                json!({"BS": ["Yg==", "Yg=="]}),
                format!("{invalid}Input collection [Yg==, Yg==]of type BS contains duplicates."),
            ),
            (
                json!({"NS": ["1", "1.0"]}),
                format!("{invalid}Input collection [1, 1.0] contains duplicates."),
            ),
        ] {
            assert_eq!(err(v), message);
        }
        assert!(matches!(
            value(&json!({"S": 5}), 0),
            Err(ValueError::Serialization(_))
        ));
        assert!(matches!(
            value(&json!("x"), 0),
            Err(ValueError::Serialization(_))
        ));
    }

    #[test]
    fn nesting_is_limited_to_32_levels() {
        let mut v = json!({"S": "leaf"});
        for _ in 0..32 {
            v = json!({"L": [v]});
        }
        assert!(value(&v, 0).is_ok());
        let too_deep = json!({"L": [v]});
        assert_eq!(value(&too_deep, 0).unwrap_err().to_string(), MSG_NESTING);
    }

    #[test]
    fn names_are_limited_to_65535_bytes() {
        let longest = "n".repeat(65_535);
        assert!(item_from_json(&json!({ longest.clone(): {"S": "x"} })).is_ok());
        let too_long = format!("{longest}n");
        for v in [
            json!({ too_long.clone(): {"S": "x"} }),
            json!({"m": {"M": { too_long.clone(): {"S": "x"} }}}),
        ] {
            assert_eq!(item_from_json(&v).unwrap_err().to_string(), NAME_TOO_LARGE);
        }
    }

    #[test]
    fn sizes_count_names_and_values() {
        let item = item_from_json(
            &json!({"ab": {"S": "xyz"}, "t": {"BOOL": false}, "l": {"L": [{"S": "q"}]}}),
        )
        .unwrap();
        // "ab"+"xyz" = 5, "t"+1 = 2, "l" + 3 + (1 + 1) = 6
        assert_eq!(crate::item_size(&item), 13);
    }
}
