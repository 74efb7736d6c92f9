//! One stream record as stored in `dynamodb.stream_records` (key `table · stamp · encoded
//! primary key`): what happened to the item, its key, and the images the stream's view type
//! shows — nothing more is kept, so a `KEYS_ONLY` stream costs a key per write.
//!
//! Value: one byte (event name in the low bits, [`BY_TIME_TO_LIVE`] when a TTL sweep deleted
//! the item), then the keys, the new image and the old image, each as a 4-byte length and an
//! encoded item (length 0: absent).

use strata_dynamodb_item::{AttributeValue, Item, decode_item, encode_item};

use crate::error::{DynamoDbError, Result};
use crate::schema::KeySchema;

const INSERT: u8 = 1;
const MODIFY: u8 = 2;
const REMOVE: u8 = 3;
const BY_TIME_TO_LIVE: u8 = 0x80;

/// A record's `eventName`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventName {
    Insert,
    Modify,
    Remove,
}

impl EventName {
    pub fn as_str(self) -> &'static str {
        match self {
            EventName::Insert => "INSERT",
            EventName::Modify => "MODIFY",
            EventName::Remove => "REMOVE",
        }
    }
}

/// `StreamViewType`: which images a stream's records carry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ViewType {
    KeysOnly,
    NewImage,
    OldImage,
    NewAndOldImages,
}

impl ViewType {
    pub fn parse(text: &str) -> Option<ViewType> {
        Some(match text {
            "KEYS_ONLY" => ViewType::KeysOnly,
            "NEW_IMAGE" => ViewType::NewImage,
            "OLD_IMAGE" => ViewType::OldImage,
            "NEW_AND_OLD_IMAGES" => ViewType::NewAndOldImages,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ViewType::KeysOnly => "KEYS_ONLY",
            ViewType::NewImage => "NEW_IMAGE",
            ViewType::OldImage => "OLD_IMAGE",
            ViewType::NewAndOldImages => "NEW_AND_OLD_IMAGES",
        }
    }

    fn new_image(self) -> bool {
        matches!(self, ViewType::NewImage | ViewType::NewAndOldImages)
    }

    fn old_image(self) -> bool {
        matches!(self, ViewType::OldImage | ViewType::NewAndOldImages)
    }
}

/// A stored stream record.
#[derive(Clone, Debug, PartialEq)]
pub struct StreamRecord {
    pub event: EventName,
    /// Deleted by a TTL sweep: the record carries DynamoDB's service identity.
    pub by_time_to_live: bool,
    pub keys: Item,
    pub new_image: Option<Item>,
    pub old_image: Option<Item>,
}

impl StreamRecord {
    /// The stored record of a write from `old` to `new`, as a `view` stream shows it, encoded
    /// straight from the items (a write path step: nothing is cloned but the key); `None` when
    /// the write changed nothing (AWS writes no record then: spec dynamodb-streams §5.3).
    pub fn encode_write(
        schema: &KeySchema,
        view: ViewType,
        old: Option<&Item>,
        new: Option<&Item>,
        by_time_to_live: bool,
    ) -> Option<Vec<u8>> {
        let (event, any) = match (old, new) {
            (None, None) => return None,
            (Some(o), Some(n)) if same_item(o, n) => return None,
            (None, Some(n)) => (INSERT, n),
            (Some(_), Some(n)) => (MODIFY, n),
            (Some(o), None) => (REMOVE, o),
        };
        let new = new.filter(|_| view.new_image());
        let old = old.filter(|_| view.old_image());
        let mut out = Vec::with_capacity(64 + new.map_or(0, |_| 256) + old.map_or(0, |_| 256));
        out.push(if by_time_to_live && event == REMOVE {
            event | BY_TIME_TO_LIVE
        } else {
            event
        });
        for item in [Some(&schema.key_of(any)), new, old] {
            let at = out.len();
            out.extend_from_slice(&[0; 4]);
            if let Some(item) = item {
                encode_item(item, &mut out);
            }
            let len = u32::try_from(out.len() - at - 4).unwrap_or(u32::MAX);
            out[at..at + 4].copy_from_slice(&len.to_be_bytes());
        }
        Some(out)
    }

    pub fn decode(bytes: &[u8]) -> Result<StreamRecord> {
        let corrupt = || DynamoDbError::Corrupt("stored stream record".to_owned());
        let (&kind, mut rest) = bytes.split_first().ok_or_else(corrupt)?;
        let event = match kind & !BY_TIME_TO_LIVE {
            INSERT => EventName::Insert,
            MODIFY => EventName::Modify,
            REMOVE => EventName::Remove,
            _ => return Err(corrupt()),
        };
        let mut items = [None, None, None];
        for slot in &mut items {
            let (len, tail) = rest.split_first_chunk::<4>().ok_or_else(corrupt)?;
            let len = u32::from_be_bytes(*len) as usize;
            let body = tail.get(..len).ok_or_else(corrupt)?;
            rest = &tail[len..];
            if len > 0 {
                *slot = Some(decode_item(body).map_err(|e| DynamoDbError::Corrupt(e.to_string()))?);
            }
        }
        let [keys, new_image, old_image] = items;
        Ok(StreamRecord {
            event,
            by_time_to_live: kind & BY_TIME_TO_LIVE != 0,
            keys: keys.ok_or_else(corrupt)?,
            new_image,
            old_image,
        })
    }
}

/// Whether two items hold the same values by meaning: numbers by value (as [`Item`]'s own
/// equality does) and sets whatever their order.
pub fn same_item(a: &Item, b: &Item) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|((na, va), (nb, vb))| na == nb && same_value(va, vb))
}

fn same_value(a: &AttributeValue, b: &AttributeValue) -> bool {
    fn same_set<T: PartialEq>(a: &[T], b: &[T]) -> bool {
        // Sets never hold duplicates, so equal lengths and inclusion one way suffice.
        a.len() == b.len() && a.iter().all(|x| b.contains(x))
    }
    match (a, b) {
        (AttributeValue::Ss(a), AttributeValue::Ss(b)) => same_set(a, b),
        (AttributeValue::Ns(a), AttributeValue::Ns(b)) => same_set(a, b),
        (AttributeValue::Bs(a), AttributeValue::Bs(b)) => same_set(a, b),
        (AttributeValue::L(a), AttributeValue::L(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same_value(x, y))
        }
        (AttributeValue::M(a), AttributeValue::M(b)) => same_item(a, b),
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{KeyAttribute, ScalarType};

    fn item(pairs: &[(&str, AttributeValue)]) -> Item {
        pairs
            .iter()
            .map(|(n, v)| ((*n).to_owned(), v.clone()))
            .collect()
    }

    fn schema() -> KeySchema {
        KeySchema::simple(
            KeyAttribute {
                name: "p".into(),
                attribute_type: ScalarType::S,
            },
            None,
        )
    }

    fn record(
        view: ViewType,
        old: Option<&Item>,
        new: Option<&Item>,
        by_time_to_live: bool,
    ) -> Option<StreamRecord> {
        StreamRecord::encode_write(&schema(), view, old, new, by_time_to_live)
            .map(|bytes| StreamRecord::decode(&bytes).unwrap())
    }

    #[test]
    fn records_follow_the_view_type() {
        let old = item(&[
            ("p", AttributeValue::S("k".into())),
            ("a", AttributeValue::Bool(true)),
        ]);
        let new = item(&[
            ("p", AttributeValue::S("k".into())),
            ("a", AttributeValue::Null),
        ]);
        let key = item(&[("p", AttributeValue::S("k".into()))]);
        let r = record(ViewType::NewAndOldImages, Some(&old), Some(&new), false).unwrap();
        assert_eq!(
            r,
            StreamRecord {
                event: EventName::Modify,
                by_time_to_live: false,
                keys: key.clone(),
                new_image: Some(new.clone()),
                old_image: Some(old.clone()),
            }
        );
        let keys_only = record(ViewType::KeysOnly, None, Some(&new), false).unwrap();
        assert_eq!(keys_only.event, EventName::Insert);
        assert!(keys_only.new_image.is_none() && keys_only.old_image.is_none());
        let ttl = record(ViewType::OldImage, Some(&old), None, true).unwrap();
        assert_eq!((ttl.event, ttl.by_time_to_live), (EventName::Remove, true));
        assert_eq!(ttl.old_image, Some(old.clone()));
        // Only a delete is a TTL delete.
        assert!(
            !record(ViewType::NewImage, Some(&old), Some(&new), true)
                .unwrap()
                .by_time_to_live
        );
        assert!(StreamRecord::decode(&[9]).is_err());
        assert!(StreamRecord::decode(&[]).is_err());
        assert!(StreamRecord::decode(&[1, 0, 0, 0, 9]).is_err());
    }

    #[test]
    fn writes_that_change_nothing_make_no_record() {
        let a = item(&[
            ("p", AttributeValue::S("k".into())),
            ("s", AttributeValue::Ss(vec!["x".into(), "y".into()])),
        ]);
        let b = item(&[
            ("p", AttributeValue::S("k".into())),
            ("s", AttributeValue::Ss(vec!["y".into(), "x".into()])),
        ]);
        assert!(record(ViewType::KeysOnly, Some(&a), Some(&b), false).is_none());
        assert!(record(ViewType::KeysOnly, None, None, false).is_none());
        let c = item(&[
            ("p", AttributeValue::S("k".into())),
            ("s", AttributeValue::Ss(vec!["x".into(), "z".into()])),
        ]);
        assert!(record(ViewType::KeysOnly, Some(&a), Some(&c), false).is_some());
    }
}
