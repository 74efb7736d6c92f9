//! One stream record as stored in `dynamodb.stream_records` (key `table · stamp · encoded
//! primary key`): what happened to the item, its key, and the images the stream's view type
//! shows — nothing more is kept, so a `KEYS_ONLY` stream costs a key per write.
//!
//! Value: one byte (event name in the low bits, [`BY_TIME_TO_LIVE`] when a TTL sweep deleted
//! the item), the record's `SizeBytes` (4 bytes, computed when it is written), then the keys,
//! the new image and the old image, each as a 4-byte length and an encoded item (length 0:
//! absent). Images stay encoded when read ([`EncodedItem`]): GetRecords writes them out as they
//! are stored.

use strata_dynamodb_item::{
    AttributeValue, EncodedItem, Item, decode_item, encode_item, item_size,
};

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
    /// `SizeBytes`: the sizes of the keys and of the images the record carries.
    pub size_bytes: u32,
    pub keys: Item,
    pub new_image: Option<EncodedItem>,
    pub old_image: Option<EncodedItem>,
}

impl StreamRecord {
    /// The stored record of a write from `old` to `new` (items of DynamoDB sizes
    /// `image_sizes`: old, new), as a `view` stream shows it, encoded straight from the items (a
    /// write path step: nothing is cloned but the key); `None` when the write changed nothing
    /// (AWS writes no record then: spec dynamodb-streams §5.3).
    pub fn encode_write(
        schema: &KeySchema,
        view: ViewType,
        old: Option<&Item>,
        new: Option<&Item>,
        image_sizes: [usize; 2],
        by_time_to_live: bool,
    ) -> Option<Vec<u8>> {
        let (event, any) = match (old, new) {
            (None, None) => return None,
            (Some(o), Some(n)) if same_item(o, n) => return None,
            (None, Some(n)) => (INSERT, n),
            (Some(_), Some(n)) => (MODIFY, n),
            (Some(o), None) => (REMOVE, o),
        };
        let keys = schema.key_of(any);
        let new = new.filter(|_| view.new_image());
        let old = old.filter(|_| view.old_image());
        // spec §5.4: size(Keys) + size(NewImage) + size(OldImage), of what the record carries.
        let size = item_size(&keys)
            + old.map_or(0, |_| image_sizes[0])
            + new.map_or(0, |_| image_sizes[1]);
        let mut out = Vec::with_capacity(64 + image_sizes[0] + image_sizes[1]);
        out.push(if by_time_to_live && event == REMOVE {
            event | BY_TIME_TO_LIVE
        } else {
            event
        });
        out.extend_from_slice(&u32::try_from(size).unwrap_or(u32::MAX).to_be_bytes());
        for item in [Some(&keys), new, old] {
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
        let (&kind, rest) = bytes.split_first().ok_or_else(corrupt)?;
        let event = match kind & !BY_TIME_TO_LIVE {
            INSERT => EventName::Insert,
            MODIFY => EventName::Modify,
            REMOVE => EventName::Remove,
            _ => return Err(corrupt()),
        };
        let (size, mut rest) = rest.split_first_chunk::<4>().ok_or_else(corrupt)?;
        let mut parts: [Option<&[u8]>; 3] = [None; 3];
        for part in &mut parts {
            let (len, tail) = rest.split_first_chunk::<4>().ok_or_else(corrupt)?;
            let len = u32::from_be_bytes(*len) as usize;
            let body = tail.get(..len).ok_or_else(corrupt)?;
            rest = &tail[len..];
            *part = (len > 0).then_some(body);
        }
        let [keys, new_image, old_image] = parts;
        let keys = decode_item(keys.ok_or_else(corrupt)?)
            .map_err(|e| DynamoDbError::Corrupt(e.to_string()))?;
        let encoded = |b: Option<&[u8]>| b.map(|b| EncodedItem::from_bytes(b.to_vec()));
        Ok(StreamRecord {
            event,
            by_time_to_live: kind & BY_TIME_TO_LIVE != 0,
            size_bytes: u32::from_be_bytes(*size),
            keys,
            new_image: encoded(new_image),
            old_image: encoded(old_image),
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
        let sizes = [old.map_or(0, item_size), new.map_or(0, item_size)];
        StreamRecord::encode_write(&schema(), view, old, new, sizes, by_time_to_live)
            .map(|bytes| StreamRecord::decode(&bytes).unwrap())
    }

    fn encoded(item: &Item) -> EncodedItem {
        let mut bytes = Vec::new();
        encode_item(item, &mut bytes);
        EncodedItem::from_bytes(bytes)
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
                size_bytes: (item_size(&key) + item_size(&old) + item_size(&new)) as u32,
                keys: key.clone(),
                new_image: Some(encoded(&new)),
                old_image: Some(encoded(&old)),
            }
        );
        let keys_only = record(ViewType::KeysOnly, None, Some(&new), false).unwrap();
        assert_eq!(keys_only.event, EventName::Insert);
        assert!(keys_only.new_image.is_none() && keys_only.old_image.is_none());
        assert_eq!(keys_only.size_bytes as usize, item_size(&key));
        let ttl = record(ViewType::OldImage, Some(&old), None, true).unwrap();
        assert_eq!((ttl.event, ttl.by_time_to_live), (EventName::Remove, true));
        assert_eq!(ttl.old_image, Some(encoded(&old)));
        // Only a delete is a TTL delete.
        assert!(
            !record(ViewType::NewImage, Some(&old), Some(&new), true)
                .unwrap()
                .by_time_to_live
        );
        assert!(StreamRecord::decode(&[9]).is_err());
        assert!(StreamRecord::decode(&[]).is_err());
        assert!(StreamRecord::decode(&[1, 0, 0, 0, 9]).is_err());
        assert!(StreamRecord::decode(&[1, 0, 0, 0, 0, 0, 0, 0, 9]).is_err());
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
