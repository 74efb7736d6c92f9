//! The JSON bodies of GetItem's, Query's, Scan's and (Streams) GetRecords' outputs written
//! member by member, with
//! their items through [`write_item_json`] instead of serde: byte for byte what the derived
//! `Serialize` writes (the tests below hold each equal to it), faster because items' strings
//! are copied in runs. Other outputs, and these members' other values, go through serde.
//! (Wire encoding: it lives at the protocol edge, beside the other outputs' serde encoding.)

use serde::Serialize;
use strata_dynamodb_item::{Item, write_item_json, write_items_json};

use strata_app::dynamodb::items::GetItemOutput;
use strata_app::dynamodb::read::ReadOutput;
use strata_app::dynamodb::streams::{GetRecordsOutput, Record};

/// A JSON object written member by member.
struct JsonObject<'a> {
    out: &'a mut Vec<u8>,
    empty: bool,
}

impl<'a> JsonObject<'a> {
    fn new(out: &'a mut Vec<u8>) -> Self {
        out.push(b'{');
        Self { out, empty: true }
    }

    /// Starts member `name` (an API member name: nothing to escape); its value goes next.
    fn member(&mut self, name: &str) -> &mut Vec<u8> {
        if !self.empty {
            self.out.push(b',');
        }
        self.empty = false;
        self.out.push(b'"');
        self.out.extend_from_slice(name.as_bytes());
        self.out.extend_from_slice(b"\":");
        self.out
    }

    fn item(&mut self, name: &str, item: &Item) {
        write_item_json(item, self.member(name));
    }

    fn serde<T: Serialize>(&mut self, name: &str, value: &T) -> serde_json::Result<()> {
        serde_json::to_writer(self.member(name), value)
    }

    fn end(self) {
        self.out.push(b'}');
    }
}

/// Appends GetItem's response body to `out`.
pub fn get_item(output: &GetItemOutput, out: &mut Vec<u8>) -> serde_json::Result<()> {
    let mut object = JsonObject::new(out);
    if let Some(item) = &output.item {
        object.item("Item", item);
    }
    if let Some(capacity) = &output.consumed_capacity {
        object.serde("ConsumedCapacity", capacity)?;
    }
    object.end();
    Ok(())
}

/// Appends Query's or Scan's response body to `out`.
pub fn read(output: &ReadOutput, out: &mut Vec<u8>) -> serde_json::Result<()> {
    let mut object = JsonObject::new(out);
    if let Some(items) = &output.items {
        write_items_json(items, object.member("Items"));
    }
    object.serde("Count", &output.count)?;
    object.serde("ScannedCount", &output.scanned_count)?;
    if let Some(key) = &output.last_evaluated_key {
        object.item("LastEvaluatedKey", key);
    }
    if let Some(capacity) = &output.consumed_capacity {
        object.serde("ConsumedCapacity", capacity)?;
    }
    object.end();
    Ok(())
}

/// Appends GetRecords' response body to `out`.
pub fn get_records(output: &GetRecordsOutput, out: &mut Vec<u8>) -> serde_json::Result<()> {
    let mut object = JsonObject::new(out);
    let records = object.member("Records");
    records.push(b'[');
    for (i, record) in output.records.iter().enumerate() {
        if i > 0 {
            records.push(b',');
        }
        write_record(record, records)?;
    }
    records.push(b']');
    if let Some(next) = &output.next_shard_iterator {
        object.serde("NextShardIterator", next)?;
    }
    object.end();
    Ok(())
}

fn write_record(record: &Record, out: &mut Vec<u8>) -> serde_json::Result<()> {
    let mut object = JsonObject::new(out);
    object.serde("eventID", &record.event_id)?;
    object.serde("eventName", &record.event_name)?;
    object.serde("eventVersion", &record.event_version)?;
    object.serde("eventSource", &record.event_source)?;
    object.serde("awsRegion", &record.aws_region)?;
    let body = &record.dynamodb;
    let mut dynamodb = JsonObject::new(object.member("dynamodb"));
    dynamodb.serde(
        "ApproximateCreationDateTime",
        &body.approximate_creation_date_time,
    )?;
    dynamodb.item("Keys", &body.keys);
    for (name, image) in [("NewImage", &body.new_image), ("OldImage", &body.old_image)] {
        if let Some(image) = image {
            image
                .write_json(dynamodb.member(name))
                .map_err(serde::ser::Error::custom)?;
        }
    }
    dynamodb.serde("SequenceNumber", &body.sequence_number)?;
    dynamodb.serde("SizeBytes", &body.size_bytes)?;
    dynamodb.serde("StreamViewType", &body.stream_view_type)?;
    dynamodb.end();
    if let Some(identity) = &record.user_identity {
        object.serde("userIdentity", identity)?;
    }
    object.end();
    Ok(())
}

#[cfg(test)]
mod tests {
    use strata_dynamodb::capacity::{ConsumedCapacity as Units, ReturnConsumedCapacity};
    use strata_dynamodb_item::AttributeValue;

    use super::*;
    use strata_app::dynamodb::model::ConsumedCapacity;

    fn item(n: usize) -> Item {
        [
            ("pk".to_owned(), AttributeValue::S(format!("p\"{n}"))),
            ("payload".to_owned(), AttributeValue::S("x\n".repeat(n))),
        ]
        .into()
    }

    fn capacity() -> Option<ConsumedCapacity> {
        let units = Units {
            table_name: "t".into(),
            read_units: 0.5,
            table_units: 0.5,
            global_indexes: vec![("g".into(), 0.5)],
            ..Default::default()
        };
        ConsumedCapacity::reported(&units, ReturnConsumedCapacity::Indexes)
    }

    fn fast<T>(output: &T, write: fn(&T, &mut Vec<u8>) -> serde_json::Result<()>) -> String {
        let mut out = Vec::new();
        write(output, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn get_item_bodies_are_what_serde_writes() {
        for (item, consumed_capacity) in [
            (None, None),
            (Some(item(3)), None),
            (None, capacity()),
            (Some(item(20)), capacity()),
        ] {
            let output = GetItemOutput {
                item,
                consumed_capacity,
            };
            let expected = serde_json::to_string(&output).unwrap();
            assert_eq!(fast(&output, get_item), expected);
        }
    }

    #[test]
    fn read_bodies_are_what_serde_writes() {
        for (items, last_evaluated_key, consumed_capacity) in [
            (None, None, None),
            (Some(vec![]), None, None),
            (
                Some(vec![item(1), item(2), item(40)]),
                Some(item(0)),
                capacity(),
            ),
            (None, Some(item(5)), capacity()),
        ] {
            let output = ReadOutput {
                items,
                count: 3,
                scanned_count: 7,
                last_evaluated_key,
                consumed_capacity,
            };
            let expected = serde_json::to_string(&output).unwrap();
            assert_eq!(fast(&output, read), expected);
        }
    }

    fn encoded(item: &Item) -> strata_dynamodb_item::EncodedItem {
        let mut bytes = Vec::new();
        strata_dynamodb_item::encode_item(item, &mut bytes);
        strata_dynamodb_item::EncodedItem::from_bytes(bytes)
    }

    #[test]
    fn get_records_bodies_are_what_serde_writes() {
        use strata_app::dynamodb::streams::{Identity, StreamRecordOut};
        let record = |n: usize, new: bool, old: bool, ttl: bool| Record {
            event_id: format!("{n:032x}"),
            event_name: "MODIFY",
            event_version: "1.1",
            event_source: "aws:dynamodb",
            aws_region: "us-east-1".into(),
            dynamodb: StreamRecordOut {
                approximate_creation_date_time: 1_700_000_000 + n as u64,
                keys: item(0),
                new_image: new.then(|| encoded(&item(n))),
                old_image: old.then(|| encoded(&item(n + 1))),
                sequence_number: format!("1{n:023}"),
                size_bytes: n as u32 * 10,
                stream_view_type: "NEW_AND_OLD_IMAGES",
            },
            user_identity: ttl.then_some(Identity {
                kind: "Service",
                principal_id: "dynamodb.amazonaws.com",
            }),
        };
        for (records, next_shard_iterator) in [
            (vec![], None),
            (vec![], Some("arn|1|AAAA".to_owned())),
            (
                vec![
                    record(1, true, false, false),
                    record(2, true, true, false),
                    record(3, false, true, true),
                    record(4, false, false, false),
                ],
                Some("arn|1|AAAA".to_owned()),
            ),
        ] {
            let output = GetRecordsOutput {
                records,
                next_shard_iterator,
            };
            let expected = serde_json::to_string(&output).unwrap();
            assert_eq!(fast(&output, get_records), expected);
        }
    }
}
