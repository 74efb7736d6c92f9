//! DynamoDB Streams in the engine: which streams a table has had, and their records.
//!
//! A stream is a [`StreamDefinition`] in `dynamodb.streams`, written in the same store write
//! as the table change that enables it (CreateTable, UpdateTable) and updated by the one that
//! disables it (UpdateTable, DeleteTable). It outlives its table for 24 hours after it is
//! disabled, as AWS's do (spec dynamodb-streams §2.1).
//!
//! While a table's stream is enabled, every item write that changes the item also writes a
//! [`StreamRecord`] under `table · stamp · primary key` in `dynamodb.stream_records`, in the
//! same atomic batch as the item ([`crate::write_path`]), so a record exists exactly when
//! its write committed, survives crashes with it, and a stream is read by range reads in
//! commit order. Records are kept apart from PITR's history, whose retention and purges
//! follow other rules; they are trimmed 24 hours (plus a shard period) after their commit by
//! [`DynamoDb::trim_streams`], which the application runs periodically.
//!
//! Shards are not stored: [`shards`] computes them from the stream's lifetime and the clock.

pub mod record;
pub mod shards;

use std::ops::Bound;

use serde::{Deserialize, Serialize};
use strata_storage::{Snapshot, WriteTxn};

use crate::DynamoDb;
use crate::error::{DynamoDbError, Result};
use crate::layout;
use crate::schema::{KeySchema, ResourcePolicy, TableDefinition, stream_arn};
use crate::tables::Scope;
pub use record::{EventName, StreamRecord, ViewType};
pub use shards::{Lifetime, Position, RETENTION_MICROS, SHARD_PERIOD_MICROS, Shard};

/// One stream a table has had.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StreamDefinition {
    pub account: String,
    pub region: String,
    pub table_name: String,
    /// The storage id of the table whose records it reads.
    pub table_id: u64,
    /// `StreamLabel`: the enable time, `YYYY-MM-DDTHH:MM:SS.mmm`.
    pub label: String,
    pub view_type: String,
    pub key_schema: KeySchema,
    /// The commit stamp of the change that enabled it: every record of the stream is
    /// stamped at or after it.
    pub enabled_at: u64,
    /// The commit stamp of the change that disabled it (or deleted its table).
    pub disabled_at: Option<u64>,
    /// Its resource-based policy (PutResourcePolicy with the stream ARN), which may let
    /// another account read it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_policy: Option<ResourcePolicy>,
}

impl StreamDefinition {
    pub fn arn(&self) -> String {
        stream_arn(&self.region, &self.account, &self.table_name, &self.label)
    }

    pub fn lifetime(&self) -> Lifetime {
        Lifetime {
            salt: self.table_id ^ self.enabled_at,
            enabled_at: self.enabled_at,
            disabled_at: self.disabled_at,
        }
    }

    pub fn view(&self) -> ViewType {
        ViewType::parse(&self.view_type).unwrap_or(ViewType::KeysOnly)
    }

    /// Still listed and readable at `now`: enabled, or disabled less than 24 hours ago.
    pub fn visible_at(&self, now: u64) -> bool {
        self.disabled_at
            .is_none_or(|d| d.saturating_add(RETENTION_MICROS) > now)
    }
}

/// A record read from a shard, with its place.
#[derive(Clone, Debug)]
pub struct ShardRecord {
    pub position: Position,
    pub record: StreamRecord,
    /// Its stored size, to bound a page.
    pub stored_bytes: usize,
}

fn write_stream(txn: &mut WriteTxn, stream: &StreamDefinition) {
    txn.put(
        layout::STREAMS,
        layout::stream_key(
            &stream.account,
            &stream.region,
            &stream.table_name,
            &stream.label,
        ),
        serde_json::to_vec(stream).expect("a stream definition always serializes"),
    );
}

fn decode_stream(bytes: &[u8]) -> Result<StreamDefinition> {
    serde_json::from_slice(bytes)
        .map_err(|e| DynamoDbError::Corrupt(format!("stream definition: {e}")))
}

/// Enables a stream on `def` inside the write of the change that does it, at commit stamp
/// `stamp`: records its definition and the table's `LatestStreamLabel`.
pub(crate) fn enable(txn: &mut WriteTxn, def: &mut TableDefinition, view_type: &str, stamp: u64) {
    // A label is unique per table; two enables within a millisecond take the next one.
    let mut millis = stamp / 1000;
    let label = loop {
        let label = label_at(millis);
        let key = layout::stream_key(&def.account, &def.region, &def.name, &label);
        if !matches!(txn.get(layout::STREAMS, &key), Ok(Some(_))) {
            break label;
        }
        millis += 1;
    };
    let stream = StreamDefinition {
        account: def.account.clone(),
        region: def.region.clone(),
        table_name: def.name.clone(),
        table_id: def.id,
        label: label.clone(),
        view_type: view_type.to_owned(),
        key_schema: def.key_schema.clone(),
        enabled_at: stamp,
        disabled_at: None,
        resource_policy: None,
    };
    write_stream(txn, &stream);
    def.stream_label = Some(label);
}

/// Disables `def`'s enabled stream, if it has one, inside the write of the change that does
/// it (UpdateTable, DeleteTable), at commit stamp `stamp`.
pub(crate) fn disable(txn: &mut WriteTxn, def: &TableDefinition, stamp: u64) -> Result<()> {
    let Some(label) = def.stream_label.as_deref() else {
        return Ok(());
    };
    let key = layout::stream_key(&def.account, &def.region, &def.name, label);
    let Some(bytes) = txn.get(layout::STREAMS, &key)? else {
        return Ok(());
    };
    let mut stream = decode_stream(&bytes)?;
    if stream.table_id == def.id && stream.disabled_at.is_none() {
        stream.disabled_at = Some(stamp);
        write_stream(txn, &stream);
    }
    Ok(())
}

/// A stream label for a time in epoch milliseconds.
fn label_at(millis: u64) -> String {
    i64::try_from(millis)
        .ok()
        .and_then(|m| jiff::Timestamp::from_millisecond(m).ok())
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%S%.3f").to_string())
        .unwrap_or_default()
}

/// `table · stamp`: where the records of one commit stamp start.
fn records_at(table_id: u64, stamp: u64) -> Vec<u8> {
    layout::change_key(table_id, stamp, b"")
}

fn stamp_of_record(key: &[u8]) -> Result<u64> {
    layout::change_key_stamp(key)
        .ok_or_else(|| DynamoDbError::Corrupt("stream record key".to_owned()))
}

impl DynamoDb {
    /// The streams of a scope (of one table name, when given) listed at this time, in ARN
    /// order: enabled ones and those disabled less than 24 hours ago, of tables deleted
    /// since too.
    pub fn streams(
        &self,
        scope: Scope<'_>,
        table_name: Option<&str>,
    ) -> Result<Vec<StreamDefinition>> {
        let mut prefix = layout::scope_prefix(scope.account, scope.region);
        if let Some(name) = table_name {
            prefix.extend_from_slice(name.as_bytes());
            prefix.extend_from_slice(b"/stream/");
        }
        let now = self.now_micros();
        let mut out = Vec::new();
        for row in self.store.prefix(layout::STREAMS, &prefix)? {
            let (_, value) = row?;
            let stream = decode_stream(&value)?;
            if stream.visible_at(now) {
                out.push(stream);
            }
        }
        Ok(out)
    }

    /// One stream by its table name and label, if it is still listed.
    pub fn stream(
        &self,
        scope: Scope<'_>,
        table_name: &str,
        label: &str,
    ) -> Result<Option<StreamDefinition>> {
        let key = layout::stream_key(scope.account, scope.region, table_name, label);
        let now = self.now_micros();
        Ok(match self.store.get(layout::STREAMS, &key)? {
            Some(bytes) => Some(decode_stream(&bytes)?).filter(|s| s.visible_at(now)),
            None => None,
        })
    }

    /// Sets or removes a stream's resource-based policy; `ResourceNotFound` if the stream is
    /// gone meanwhile.
    pub async fn set_stream_resource_policy(
        &self,
        stream: &StreamDefinition,
        policy: Option<ResourcePolicy>,
    ) -> Result<()> {
        let key = layout::stream_key(
            &stream.account,
            &stream.region,
            &stream.table_name,
            &stream.label,
        );
        self.store
            .write(move |txn| {
                let bytes = txn
                    .get(layout::STREAMS, &key)?
                    .ok_or_else(|| DynamoDbError::ResourceNotFound("Stream not found".into()))?;
                let mut stored = decode_stream(&bytes)?;
                stored.resource_policy = policy;
                write_stream(txn, &stored);
                Ok(())
            })
            .await
    }

    /// The server clock in µs, as stamps and shards count time.
    pub fn now_micros(&self) -> u64 {
        u64::try_from(self.clock.now().as_microsecond()).unwrap_or(0)
    }

    /// Up to `limit` records of `shard` from `from` on, no more than `max_bytes` of them
    /// (stored bytes; at least one record), from one snapshot.
    pub fn shard_records(
        &self,
        stream: &StreamDefinition,
        shard: &Shard,
        from: Position,
        limit: usize,
        max_bytes: usize,
    ) -> Result<Vec<ShardRecord>> {
        let snapshot = self.store.snapshot()?;
        let from = from.max(Position::at_stamp(shard.start));
        let mut out = Vec::new();
        let mut bytes = 0;
        read_records(
            &snapshot,
            stream.table_id,
            from,
            shard.end,
            |position, value| {
                if out.len() >= limit || (!out.is_empty() && bytes + value.len() > max_bytes) {
                    return Ok(false);
                }
                bytes += value.len();
                out.push(ShardRecord {
                    position,
                    record: StreamRecord::decode(value)?,
                    stored_bytes: value.len(),
                });
                Ok(true)
            },
        )?;
        Ok(out)
    }

    /// Whether `shard` holds a record at or after `from` and before stamp `before`.
    pub fn has_records_between(
        &self,
        stream: &StreamDefinition,
        from: Position,
        before: u64,
    ) -> Result<bool> {
        let snapshot = self.store.snapshot()?;
        let mut found = false;
        read_records(&snapshot, stream.table_id, from, before, |_, _| {
            found = true;
            Ok(false)
        })?;
        Ok(found)
    }

    /// The place of the last record of `shard`, if it has one.
    pub fn last_record(
        &self,
        stream: &StreamDefinition,
        shard: &Shard,
    ) -> Result<Option<Position>> {
        let snapshot = self.store.snapshot()?;
        let id = stream.table_id;
        let last = snapshot
            .range_rev(
                layout::STREAM_RECORDS,
                records_at(id, shard.start)..records_at(id, shard.end),
            )?
            .next()
            .transpose()?;
        let Some((key, _)) = last else {
            return Ok(None);
        };
        let stamp = stamp_of_record(&key)?;
        let same_stamp = snapshot
            .range(
                layout::STREAM_RECORDS,
                records_at(id, stamp)..records_at(id, stamp.saturating_add(1)),
            )?
            .count();
        Ok(Some(Position {
            stamp,
            rank: u32::try_from(same_stamp.saturating_sub(1)).unwrap_or(u32::MAX),
        }))
    }

    /// Returns once every write queued before it is durable: a read after it sees every
    /// record stamped before now (a shard that just closed is read whole), and what a read
    /// before it saw survives a crash (reads see a group's writes before its fsync).
    pub async fn settle_writes(&self) -> Result<()> {
        Ok(self.store.settle().await?)
    }

    /// Drops the records no listed shard can hold any more (older than the retention plus a
    /// shard period), and the streams disabled more than 24 hours ago once theirs are gone.
    /// Returns how many records went.
    pub async fn trim_streams(&self) -> Result<u64> {
        const BATCH: usize = 1024;
        let now = self.now_micros();
        let horizon = now.saturating_sub(RETENTION_MICROS + SHARD_PERIOD_MICROS);
        let mut removed = 0;
        let mut gone_streams = Vec::new();
        for row in self.store.range::<&[u8], _>(layout::STREAMS, ..)? {
            let (key, value) = row?;
            let stream = decode_stream(&value)?;
            let end = stream.disabled_at.map_or(horizon, |d| d.min(horizon));
            let doomed: Vec<Vec<u8>> = self
                .store
                .range(
                    layout::STREAM_RECORDS,
                    records_at(stream.table_id, stream.enabled_at)
                        ..records_at(stream.table_id, end.max(stream.enabled_at)),
                )?
                .map(|row| row.map(|(k, _)| k))
                .collect::<std::result::Result<_, _>>()?;
            for chunk in doomed.chunks(BATCH) {
                let chunk = chunk.to_vec();
                removed += chunk.len() as u64;
                self.store
                    .write(move |txn| {
                        for key in chunk {
                            txn.delete(layout::STREAM_RECORDS, key);
                        }
                        Ok::<_, DynamoDbError>(())
                    })
                    .await?;
            }
            if stream.disabled_at.is_some_and(|d| d <= horizon) {
                gone_streams.push(key);
            }
        }
        if !gone_streams.is_empty() {
            self.store
                .write(move |txn| {
                    for key in gone_streams {
                        txn.delete(layout::STREAMS, key);
                    }
                    Ok::<_, DynamoDbError>(())
                })
                .await?;
        }
        Ok(removed)
    }
}

/// Calls `visit` with each record of table `table_id` from `from` up to stamp `before`, in
/// commit order, until it returns `false`.
fn read_records(
    snapshot: &Snapshot,
    table_id: u64,
    from: Position,
    before: u64,
    mut visit: impl FnMut(Position, &[u8]) -> Result<bool>,
) -> Result<()> {
    if from.stamp >= before {
        return Ok(());
    }
    let start = Bound::Included(records_at(table_id, from.stamp));
    let end = Bound::Excluded(records_at(table_id, before));
    let mut current = (u64::MAX, 0u32);
    for row in snapshot.range(layout::STREAM_RECORDS, (start, end))? {
        let (key, value) = row?;
        let stamp = stamp_of_record(&key)?;
        let rank = if stamp == current.0 { current.1 + 1 } else { 0 };
        current = (stamp, rank);
        let position = Position { stamp, rank };
        if position < from {
            continue;
        }
        if !visit(position, &value)? {
            break;
        }
    }
    Ok(())
}
