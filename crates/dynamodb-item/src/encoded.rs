//! [`EncodedItem`]: an item kept in its stored binary form until it is written out, for
//! responses that only pass stored items through (a stream record's images): its JSON is
//! written straight from the bytes ([`write_encoded_item_json`]), never building the item.

use crate::Item;
use crate::binary::{DecodeError, decode_item, write_encoded_item_json};

/// The bytes of one item as [`crate::encode_item`] wrote them (not checked until used: bytes
/// that are not an item are an error when written or decoded, never a panic).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncodedItem(Vec<u8>);

impl EncodedItem {
    pub fn from_bytes(bytes: Vec<u8>) -> EncodedItem {
        EncodedItem(bytes)
    }

    pub fn decode(&self) -> Result<Item, DecodeError> {
        decode_item(&self.0)
    }

    /// Appends the item's typed JSON, as [`crate::write_item_json`] writes the decoded item.
    pub fn write_json(&self, out: &mut Vec<u8>) -> Result<(), DecodeError> {
        write_encoded_item_json(&self.0, out)
    }
}

/// Serializes as the decoded item does.
impl serde::Serialize for EncodedItem {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.decode()
            .map_err(serde::ser::Error::custom)?
            .serialize(serializer)
    }
}
