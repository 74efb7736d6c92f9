//! The one place an item changes: inside a store write closure, replace the newest
//! version of one key, keep every secondary index in step, record the version in history
//! and the change index while PITR is on, and the stream record while a stream is enabled.
//! Everything lands in the same atomic batch as the base item, so indexes, history and
//! streams never disagree with it.

use strata_dynamodb_item::{Item, item_size};
use strata_storage::WriteTxn;

use crate::catalog::Table;
use crate::error::Result;
use crate::key::encode_key;
use crate::layout;
use crate::schema::IndexStatus;
use crate::streams::{StreamRecord, ViewType};
use crate::version::Version;

/// Reads the newest version of `key` (encoded primary key) inside a write closure.
pub fn read_current(txn: &WriteTxn, table: &Table, key: &[u8]) -> Result<Option<Version>> {
    match txn.get(layout::ITEMS, &layout::item_key(table.def.id, key))? {
        Some(bytes) => Ok(Some(Version::decode(&bytes)?)),
        None => Ok(None),
    }
}

/// The encoded index key of `item` for `index`, or `None` when the item lacks one of
/// the index's key attributes (sparse index).
fn index_entry(
    table: &Table,
    index: &crate::schema::IndexDefinition,
    item: &Item,
) -> Option<(Vec<u8>, Item)> {
    let projected = index.project(&table.def.key_schema, item)?;
    let mut key = Vec::with_capacity(32);
    encode_key(&index.key_schema, item, &mut key);
    Some((key, projected))
}

/// The entry an older strata made for `item` in `index` although a key value is too long
/// for an index key (it checked presence and type only): found, it is replaced or removed
/// like any other, so no entry outlives its item.
fn indexed_before_limits(
    txn: &WriteTxn,
    table: &Table,
    index: &crate::schema::IndexDefinition,
    item: &Item,
    primary_key: &[u8],
) -> Result<Option<(Vec<u8>, Item)>> {
    let Some(projected) = index.projection_of(&table.def.key_schema, item) else {
        return Ok(None);
    };
    let mut key = Vec::with_capacity(32);
    encode_key(&index.key_schema, item, &mut key);
    let entry = layout::index_key(table.def.id, index.id, &key, primary_key);
    Ok(txn.get(layout::INDEX, &entry)?.map(|_| (key, projected)))
}

/// Write units one item write consumes in the table and in each index it touches.
#[derive(Debug, Default, Clone)]
pub struct WriteCost {
    pub table_bytes: usize,
    /// (index name, bytes written or deleted)
    pub indexes: Vec<(String, usize, bool)>,
}

/// Replaces the newest version of `key` with `new` (`None` deletes) at `stamp`.
/// `old` is what [`read_current`] returned in the same closure. The indexes kept in step and
/// whether history is kept follow the table's definition at this closure's commit
/// ([`Table::live_def`]), not the one the request saw.
pub fn apply(
    txn: &mut WriteTxn,
    table: &Table,
    key: &[u8],
    old: Option<&Version>,
    new: Option<&Item>,
    stamp: u64,
) -> Result<WriteCost> {
    apply_write(txn, table, key, old, new, stamp, false)
}

/// [`apply`] for a TTL sweep's delete of an expired item: its stream record says DynamoDB's
/// service deleted it.
pub fn apply_expiry(
    txn: &mut WriteTxn,
    table: &Table,
    key: &[u8],
    old: &Version,
    stamp: u64,
) -> Result<WriteCost> {
    apply_write(txn, table, key, Some(old), None, stamp, true)
}

fn apply_write(
    txn: &mut WriteTxn,
    table: &Table,
    key: &[u8],
    old: Option<&Version>,
    new: Option<&Item>,
    stamp: u64,
    by_time_to_live: bool,
) -> Result<WriteCost> {
    let old_item = old.and_then(|v| v.item.as_ref());
    if old_item.is_none() && new.is_none() {
        // Deleting what is not there changes nothing: no history, no change record.
        return Ok(WriteCost::default());
    }
    let live = table.live_def();
    let def = &*live;
    let item_key = layout::item_key(def.id, key);
    let old_size = old_item.map_or(0, item_size);
    let new_size = new.map_or(0, item_size);
    match new {
        Some(item) => txn.put(layout::ITEMS, item_key, Version::encode(stamp, Some(item))),
        None => txn.delete(layout::ITEMS, item_key),
    }

    let mut cost = WriteCost {
        table_bytes: old_size.max(new_size),
        indexes: Vec::new(),
    };
    for index in &def.indexes {
        let mut before = match old_item {
            Some(i) => {
                index_entry(table, index, i).or(indexed_before_limits(txn, table, index, i, key)?)
            }
            None => None,
        };
        if index.status == IndexStatus::Creating
            && let Some((old_key, _)) = &before
            && txn
                .get(
                    layout::INDEX,
                    &layout::index_key(def.id, index.id, old_key, key),
                )?
                .is_none()
        {
            // The backfill has not reached this item yet: its entry is not there to replace
            // (nor counted); the backfill will find this write's entry and skip it.
            before = None;
        }
        let after = new.and_then(|i| index_entry(table, index, i));
        if before.is_none() && after.is_none() {
            continue;
        }
        let mut touched = 0;
        let size = |entry: &Option<(Vec<u8>, Item)>| {
            entry.as_ref().map_or(0, |(_, p)| item_size(p) as i64)
        };
        table.apply_index_stats(
            txn,
            index.id,
            i64::from(after.is_some()) - i64::from(before.is_some()),
            size(&after) - size(&before),
        );
        if let Some((old_key, projected)) = &before {
            let unchanged = after
                .as_ref()
                .is_some_and(|(k, p)| k == old_key && p == projected);
            if unchanged {
                continue;
            }
            if after.as_ref().is_none_or(|(k, _)| k != old_key) {
                txn.delete(
                    layout::INDEX,
                    layout::index_key(def.id, index.id, old_key, key),
                );
            }
            touched = touched.max(item_size(projected));
        }
        if let Some((new_key, projected)) = &after {
            txn.put(
                layout::INDEX,
                layout::index_key(def.id, index.id, new_key, key),
                Version::encode(stamp, Some(projected)),
            );
            touched = touched.max(item_size(projected));
        }
        cost.indexes.push((
            index.name.clone(),
            touched,
            index.kind == crate::schema::IndexKind::Global,
        ));
    }

    if let Some(pitr) = def.pitr {
        // A version written before PITR was enabled is not in history yet: keep it as the
        // state before this write, so "as of" reads between the two see it.
        if let Some(old) = old
            && (old.stamp as i64) < pitr.enabled_at_micros
        {
            txn.put(
                layout::HISTORY,
                layout::history_key(def.id, key, old.stamp),
                Version::encode(old.stamp, old.item.as_ref()),
            );
        }
        txn.put(
            layout::HISTORY,
            layout::history_key(def.id, key, stamp),
            Version::encode(stamp, new),
        );
        txn.put(
            layout::CHANGES,
            layout::change_key(def.id, stamp, key),
            Vec::new(),
        );
    }

    if let Some(view) = def
        .stream
        .as_ref()
        .filter(|s| s.stream_enabled)
        .and_then(|s| s.stream_view_type.as_deref())
        .and_then(ViewType::parse)
        && let Some(record) = StreamRecord::encode_write(
            &def.key_schema,
            view,
            old_item,
            new,
            [old_size, new_size],
            by_time_to_live,
        )
    {
        txn.put(
            layout::STREAM_RECORDS,
            layout::change_key(def.id, stamp, key),
            record,
        );
    }

    let count_delta = i64::from(new.is_some()) - i64::from(old_item.is_some());
    table.apply_stats(txn, count_delta, new_size as i64 - old_size as i64);
    Ok(cost)
}
