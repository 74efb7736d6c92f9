//! Primary keys: checked against the key schema with DynamoDB's messages, and encoded into
//! order-preserving bytes so storage order is DynamoDB's sort order (strings and binaries
//! by bytes, numbers by value) and `(partition, sort)` pairs sort by partition first.

use strata_dynamodb_item::{AttributeValue, Item};

use crate::error::{DynamoDbError, Result};
use crate::schema::{IndexDefinition, KeyAttribute, KeyLayout, KeySchema};

/// DynamoDB's limits on key sizes.
pub const MAX_PARTITION_KEY_BYTES: usize = 2048;
pub const MAX_SORT_KEY_BYTES: usize = 1024;

const MSG_SCHEMA_MISMATCH: &str = "The provided key element does not match the schema";

/// FNV-1a: a stable, non-cryptographic hash (scan segments, request fingerprints).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf29ce484222325u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x100000001b3)
    })
}

/// Appends the order-preserving encoding of a key value (S, N or B).
pub fn encode_key_value(value: &AttributeValue, out: &mut Vec<u8>) {
    match value {
        AttributeValue::S(s) => escape(s.as_bytes(), out),
        AttributeValue::B(b) => escape(b, out),
        AttributeValue::N(n) => n.write_key_bytes(out),
        // Key values are checked against the schema before encoding.
        _ => debug_assert!(false, "non-scalar key value"),
    }
}

/// `0x00` becomes `0x00 0xFF`; the end is `0x00 0x00`: prefix-free and order-preserving.
fn escape(bytes: &[u8], out: &mut Vec<u8>) {
    for &b in bytes {
        out.push(b);
        if b == 0 {
            out.push(0xFF);
        }
    }
    out.extend_from_slice(&[0, 0]);
}

/// The encoded key of `item` under `schema` (its attributes are already checked): the
/// partition part ([`encode_partition`]), then the sort values.
pub fn encode_key(schema: &KeySchema, item: &Item, out: &mut Vec<u8>) {
    encode_partition(
        schema.layout,
        schema
            .partition_attributes()
            .filter_map(|k| item.get(&k.name)),
        out,
    );
    for key in &schema.sort {
        if let Some(value) = item.get(&key.name) {
            encode_key_value(value, out);
        }
    }
}

/// Appends the partition part of a storage key: the encoded partition values, after their
/// [`partition_hash`] when the layout is hashed. Every key of a partition starts with it.
pub fn encode_partition<'a>(
    layout: KeyLayout,
    values: impl IntoIterator<Item = &'a AttributeValue>,
    out: &mut Vec<u8>,
) {
    let start = out.len();
    if layout == KeyLayout::Hashed {
        out.extend_from_slice(&[0; 4]);
    }
    let body = out.len();
    for value in values {
        encode_key_value(value, out);
    }
    if layout == KeyLayout::Hashed {
        let hash = partition_hash(&out[body..]);
        out[start..body].copy_from_slice(&hash.to_be_bytes());
    }
}

/// The hash of encoded partition values: the high 32 bits of their FNV-1a. It is part of
/// stored keys: it must never change.
pub fn partition_hash(encoded_partition: &[u8]) -> u32 {
    (fnv1a(encoded_partition) >> 32) as u32
}

/// The [`partition_hash`] of `item`'s partition values under `schema`.
pub fn partition_hash_of(schema: &KeySchema, item: &Item) -> u32 {
    let mut encoded = Vec::with_capacity(32);
    encode_partition(
        KeyLayout::Ordered,
        schema
            .partition_attributes()
            .filter_map(|k| item.get(&k.name)),
        &mut encoded,
    );
    partition_hash(&encoded)
}

/// The parallel Scan segment (of `total`) a partition hash belongs to: segments are equal
/// ranges of the 32-bit hash space, segment `s` from [`segment_start`]`(s)`.
pub fn segment_of(hash: u32, total: u32) -> u32 {
    ((u64::from(hash) * u64::from(total)) >> 32) as u32
}

/// The first hash of `segment` of `total` (`2^32` for `segment == total`).
pub fn segment_start(segment: u32, total: u32) -> u64 {
    (u64::from(segment) << 32).div_ceil(u64::from(total))
}

fn key_value_size(value: &AttributeValue) -> usize {
    match value {
        AttributeValue::S(s) => s.len(),
        AttributeValue::B(b) => b.len(),
        AttributeValue::N(n) => n.size_bytes(),
        _ => 0,
    }
}

fn is_empty_scalar(value: &AttributeValue) -> Option<&'static str> {
    match value {
        AttributeValue::S(s) if s.is_empty() => Some("string"),
        AttributeValue::B(b) if b.is_empty() => Some("binary"),
        _ => None,
    }
}

fn check_size(value: &AttributeValue, is_sort: bool) -> Result<()> {
    let size = key_value_size(value);
    if is_sort && size > MAX_SORT_KEY_BYTES {
        return Err(DynamoDbError::invalid(
            "Aggregated size of all range keys has exceeded the size limit of 1024 bytes",
        ));
    }
    if !is_sort && size > MAX_PARTITION_KEY_BYTES {
        return Err(DynamoDbError::invalid(
            "Size of hashkey has exceeded the maximum size limit of2048 bytes",
        ));
    }
    Ok(())
}

/// Each key attribute with whether it is a sort (`RANGE`) attribute.
fn with_roles(schema: &KeySchema) -> impl Iterator<Item = (&KeyAttribute, bool)> {
    schema
        .partition_attributes()
        .map(|k| (k, false))
        .chain(schema.sort.iter().map(|k| (k, true)))
}

/// Checks the key attributes of an item being written (PutItem): present, of the
/// schema's type, not empty, within the size limits.
pub fn check_item_key(schema: &KeySchema, item: &Item) -> Result<()> {
    for (key, is_sort) in with_roles(schema) {
        let Some(value) = item.get(&key.name) else {
            return Err(DynamoDbError::invalid(format!(
                "Missing the key {} in the item",
                key.name
            )));
        };
        if !key.attribute_type.matches(value) {
            return Err(DynamoDbError::invalid(format!(
                "Type mismatch for key {} expected: {} actual: {}",
                key.name,
                key.attribute_type.name(),
                value.type_name()
            )));
        }
        if let Some(kind) = is_empty_scalar(value) {
            return Err(DynamoDbError::validation(format!(
                "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty {kind} value. Key: {}",
                key.name
            )));
        }
        check_size(value, is_sort)?;
    }
    Ok(())
}

/// Checks a `Key` parameter (GetItem, DeleteItem, UpdateItem, batch and transaction
/// keys): exactly the schema's attributes, each of the right type.
pub fn check_key(schema: &KeySchema, key: &Item) -> Result<()> {
    let expected = schema.attributes().count();
    if key.len() != expected {
        return Err(DynamoDbError::validation(MSG_SCHEMA_MISMATCH));
    }
    for (attr, is_sort) in with_roles(schema) {
        let value = key
            .get(&attr.name)
            .ok_or_else(|| DynamoDbError::validation(MSG_SCHEMA_MISMATCH))?;
        if !attr.attribute_type.matches(value) {
            return Err(DynamoDbError::validation(MSG_SCHEMA_MISMATCH));
        }
        if let Some(kind) = is_empty_scalar(value) {
            return Err(DynamoDbError::validation(format!(
                "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty {kind} value. Key: {}",
                attr.name
            )));
        }
        check_size(value, is_sort)?;
    }
    Ok(())
}

/// Checks the index key attributes an item carries: an item may lack them (it is then
/// not in the index) but may not hold them with the wrong type, empty, or longer than a
/// key may be (DynamoDB refuses such a write as it refuses a too-long table key).
pub fn check_index_keys(indexes: &[IndexDefinition], item: &Item) -> Result<()> {
    for index in indexes {
        for (key, is_sort) in with_roles(&index.key_schema) {
            let Some(value) = item.get(&key.name) else {
                continue;
            };
            if !key.attribute_type.matches(value) {
                return Err(DynamoDbError::invalid(format!(
                    "Type mismatch for Index Key {} Expected: {} Actual: {} IndexName: {}",
                    key.name,
                    key.attribute_type.name(),
                    value.type_name(),
                    index.name
                )));
            }
            if let Some(kind) = is_empty_scalar(value) {
                return Err(DynamoDbError::validation(format!(
                    "One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty {kind} value. IndexName: {}, IndexKey: {}",
                    index.name, key.name
                )));
            }
            check_size(value, is_sort)?;
        }
    }
    Ok(())
}

/// Whether `item` can be stored under `index`'s key: every key attribute present, of its
/// type, not empty and within the size limits. A backfill leaves out the items that
/// cannot (written before the index existed, they were never checked against it).
pub fn fits_index(index: &IndexDefinition, item: &Item) -> bool {
    check_index_keys(std::slice::from_ref(index), item).is_ok()
        && index
            .key_schema
            .attributes()
            .all(|k| item.contains_key(&k.name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use strata_number::Number;

    fn enc(v: AttributeValue) -> Vec<u8> {
        let mut out = Vec::new();
        encode_key_value(&v, &mut out);
        out
    }

    /// Each hash is in exactly one segment, segment `s` being `[start(s), start(s + 1))`.
    #[test]
    fn segments_split_the_hash_space() {
        for total in [1u32, 2, 3, 7, 1000, 1_000_000] {
            assert_eq!(segment_start(0, total), 0);
            assert_eq!(segment_start(total, total), 1 << 32);
            for hash in [0u32, 1, 0x7FFF_FFFF, 0x8000_0000, 0xDEAD_BEEF, u32::MAX] {
                let s = segment_of(hash, total);
                assert!(s < total);
                assert!(segment_start(s, total) <= u64::from(hash), "{hash} {total}");
                assert!(
                    u64::from(hash) < segment_start(s + 1, total),
                    "{hash} {total}"
                );
            }
        }
    }

    #[test]
    fn encoding_preserves_order() {
        let strings = ["", "\0", "\0\0", "a", "a\0", "a\0b", "ab", "b"];
        for pair in strings.windows(2) {
            assert!(
                enc(AttributeValue::S(pair[0].into())) < enc(AttributeValue::S(pair[1].into())),
                "{pair:?}"
            );
        }
        let numbers = ["-1e10", "-2", "-1.5", "0", "1e-130", "1", "1.5", "10"];
        for pair in numbers.windows(2) {
            let a = AttributeValue::N(Number::parse(pair[0]).expect("valid"));
            let b = AttributeValue::N(Number::parse(pair[1]).expect("valid"));
            assert!(enc(a) < enc(b), "{pair:?}");
        }
        // A longer partition key never interleaves with a shorter one's sort keys.
        let mut short = enc(AttributeValue::S("a".into()));
        short.extend(enc(AttributeValue::S("zzz".into())));
        let long = enc(AttributeValue::S("a\u{1}".into()));
        assert!(short < long);
    }
}
