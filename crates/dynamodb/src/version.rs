//! [`Version`]: one stored state of an item — its commit stamp (microseconds on the
//! server clock, strictly increasing across the whole engine) and the item, or a
//! tombstone for a delete (history only).

use strata_dynamodb_item::{Item, decode_item, encode_item};

use crate::error::DynamoDbError;

const LIVE: u8 = 1;
const TOMBSTONE: u8 = 0;

#[derive(Clone, Debug, PartialEq)]
pub struct Version {
    pub stamp: u64,
    /// `None`: the item was deleted at `stamp`.
    pub item: Option<Item>,
}

impl Version {
    pub fn encode(stamp: u64, item: Option<&Item>) -> Vec<u8> {
        let mut out = Vec::with_capacity(64);
        out.extend_from_slice(&stamp.to_be_bytes());
        match item {
            Some(item) => {
                out.push(LIVE);
                encode_item(item, &mut out);
            }
            None => out.push(TOMBSTONE),
        }
        out
    }

    pub fn decode(bytes: &[u8]) -> Result<Version, DynamoDbError> {
        let corrupt = || DynamoDbError::Corrupt("stored item version".to_owned());
        let (stamp, rest) = bytes.split_first_chunk::<8>().ok_or_else(corrupt)?;
        let (kind, body) = rest.split_first().ok_or_else(corrupt)?;
        let item = match *kind {
            LIVE => Some(decode_item(body).map_err(|e| DynamoDbError::Corrupt(e.to_string()))?),
            TOMBSTONE => None,
            _ => return Err(corrupt()),
        };
        Ok(Version {
            stamp: u64::from_be_bytes(*stamp),
            item,
        })
    }

    /// The item of a stored live version (the items and index keyspaces hold no tombstones).
    pub fn decode_item(bytes: &[u8]) -> Result<Item, DynamoDbError> {
        Version::decode(bytes)?
            .item
            .ok_or_else(|| DynamoDbError::Corrupt("tombstone outside history".to_owned()))
    }
}
