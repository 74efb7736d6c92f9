//! Item size as DynamoDB counts it against the 400 KB limit: attribute names plus values,
//! strings and binaries by their bytes, numbers by their significant digits, and a few
//! bytes of overhead for lists, maps and booleans.
//!
//! UNCONFIRMED in detail: AWS documents the rules loosely ("approximately"); the
//! constants below follow its item-size documentation: 1 byte for BOOL and NULL, 3 bytes
//! of overhead for each list or map plus 1 byte per element.

use crate::{AttributeValue, Item};

/// DynamoDB's item size limit.
pub const MAX_ITEM_SIZE: usize = 400 * 1024;

/// The size of one value.
pub fn attribute_value_size(value: &AttributeValue) -> usize {
    match value {
        AttributeValue::S(s) => s.len(),
        AttributeValue::N(n) => n.size_bytes(),
        AttributeValue::B(b) => b.len(),
        AttributeValue::Bool(_) | AttributeValue::Null => 1,
        AttributeValue::Ss(set) => set.iter().map(String::len).sum(),
        AttributeValue::Ns(set) => set.iter().map(strata_number::Number::size_bytes).sum(),
        AttributeValue::Bs(set) => set.iter().map(Vec::len).sum(),
        AttributeValue::L(list) => {
            3 + list
                .iter()
                .map(|v| 1 + attribute_value_size(v))
                .sum::<usize>()
        }
        AttributeValue::M(map) => {
            3 + map
                .iter()
                .map(|(k, v)| 1 + k.len() + attribute_value_size(v))
                .sum::<usize>()
        }
    }
}

/// The size of an item: every attribute's name and value.
pub fn item_size(item: &Item) -> usize {
    item.iter()
        .map(|(k, v)| k.len() + attribute_value_size(v))
        .sum()
}
