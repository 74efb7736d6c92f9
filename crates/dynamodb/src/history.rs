//! Reading the past: the version of an item as of a commit time. While PITR is on, every
//! write since it was enabled is in `dynamodb.history` (plus the version each key had
//! before its first such write); a key never written since is still its newest version.
//! PITR's API, retention and the export jobs build on this.

use std::ops::Bound;

use strata_dynamodb_item::Item;

use crate::DynamoDb;
use crate::catalog::Table;
use crate::error::{DynamoDbError, Result};
use crate::key::{check_key, encode_key};
use crate::layout;
use crate::version::Version;
use strata_storage::Snapshot;

impl DynamoDb {
    /// The item with `key` as it was at `as_of_micros` (a commit stamp bound).
    pub fn get_item_as_of(
        &self,
        table: &Table,
        key: &Item,
        as_of_micros: u64,
    ) -> Result<Option<Item>> {
        check_key(&table.def.key_schema, key)?;
        let mut encoded = Vec::new();
        encode_key(&table.def.key_schema, key, &mut encoded);
        let snapshot = self.store.snapshot()?;
        version_as_of(&snapshot, table.def.id, &encoded, as_of_micros)
    }

    /// Every item of `table` as it was at `as_of_micros`, handed to `visit` one at a time
    /// (in no promised order) from one snapshot; returns how many. Reads the newest version
    /// of each key and, for keys written since PITR was enabled, their history — including
    /// keys deleted since. Each key costs a seek or two, never a walk through its versions,
    /// and memory stays bounded whatever the table.
    pub fn scan_as_of(
        &self,
        table: &Table,
        as_of_micros: u64,
        mut visit: impl FnMut(Item) -> Result<()>,
    ) -> Result<u64> {
        let snapshot = self.store.snapshot()?;
        let id = table.def.id;
        let prefix = layout::table_prefix(id);
        let mut count = 0;
        for row in snapshot.prefix(layout::ITEMS, &prefix)? {
            let (key, newest) = row?;
            let item = match history_as_of(&snapshot, id, &key[8..], as_of_micros)? {
                AsOf::Version(item) => item,
                AsOf::WrittenLater => None,
                AsOf::Unchanged => newest_if_old_enough(&newest, as_of_micros)?,
            };
            if let Some(item) = item {
                visit(item)?;
                count += 1;
            }
        }
        // Keys gone now but perhaps alive then: only history knows them. One seek per key,
        // each past the last version of the key before it.
        let mut from = Bound::Included(prefix.to_vec());
        loop {
            let next = snapshot
                .range(layout::HISTORY, (from, Bound::Unbounded))?
                .next()
                .transpose()?;
            let Some((key, _)) = next.filter(|(key, _)| key.starts_with(&prefix)) else {
                break;
            };
            let encoded = history_item_key(&key)?;
            from = Bound::Excluded(layout::history_key(id, encoded, u64::MAX));
            if snapshot
                .get(layout::ITEMS, &layout::item_key(id, encoded))?
                .is_some()
            {
                continue;
            }
            if let AsOf::Version(Some(item)) = history_as_of(&snapshot, id, encoded, as_of_micros)?
            {
                visit(item)?;
                count += 1;
            }
        }
        Ok(count)
    }

    /// What changed in `[from, to)` (µs): for every key written in the window, its item
    /// just before `from`, its item just before `to` and the stamp of its last write in the
    /// window, in key order. Reads the change index, not the table.
    pub fn changes_between(
        &self,
        table: &Table,
        from_micros: u64,
        to_micros: u64,
        mut visit: impl FnMut(Option<Item>, Option<Item>, u64) -> Result<()>,
    ) -> Result<u64> {
        let snapshot = self.store.snapshot()?;
        let id = table.def.id;
        let mut last_write: std::collections::BTreeMap<Vec<u8>, u64> = Default::default();
        let start = layout::change_key(id, from_micros, b"");
        let end = layout::change_key(id, to_micros, b"");
        for row in snapshot.range(layout::CHANGES, start..end)? {
            let (key, _) = row?;
            let stamp = change_stamp(&key)?;
            last_write.insert(key[16..].to_vec(), stamp);
        }
        let mut count = 0;
        for (encoded, stamp) in last_write {
            let old = version_as_of(&snapshot, id, &encoded, from_micros.saturating_sub(1))?;
            let new = version_as_of(&snapshot, id, &encoded, to_micros.saturating_sub(1))?;
            visit(old, new, stamp)?;
            count += 1;
        }
        Ok(count)
    }

    /// Keys changed in `(from, to]` (commit stamps), in commit order, from the change index.
    pub fn changed_keys(
        &self,
        table: &Table,
        from_micros: u64,
        to_micros: u64,
    ) -> Result<Vec<(u64, Vec<u8>)>> {
        let start = layout::change_key(table.def.id, from_micros.saturating_add(1), b"");
        let end = layout::change_key(table.def.id, to_micros.saturating_add(1), b"");
        let mut out = Vec::new();
        for row in self.store.range(layout::CHANGES, start..end)? {
            let (k, _) = row?;
            let stamp = change_stamp(&k)?;
            out.push((stamp, k[16..].to_vec()));
        }
        Ok(out)
    }
}

/// The item under encoded key `encoded` of table `id` as of `as_of_micros`: the newest
/// history entry at or before it; without history, the newest version if it is that old.
fn version_as_of(
    snapshot: &Snapshot,
    id: u64,
    encoded: &[u8],
    as_of_micros: u64,
) -> Result<Option<Item>> {
    match history_as_of(snapshot, id, encoded, as_of_micros)? {
        AsOf::Version(item) => Ok(item),
        AsOf::WrittenLater => Ok(None),
        AsOf::Unchanged => match snapshot.get(layout::ITEMS, &layout::item_key(id, encoded))? {
            Some(newest) => newest_if_old_enough(&newest, as_of_micros),
            None => Ok(None),
        },
    }
}

/// What a key's history says about it at a time.
enum AsOf {
    /// Its newest history entry at or before the time: the item, or `None` if deleted.
    Version(Option<Item>),
    /// No entry at or before the time but one after: the key did not exist then (its first
    /// write since PITR was enabled recorded the version before it, so none existed).
    WrittenLater,
    /// No history at all: nothing changed since PITR was enabled.
    Unchanged,
}

/// Reads a key's history at `as_of_micros` by seeking, not walking: history keys end in
/// their big-endian stamp, so the newest entry at or before the time is the first one a
/// reverse scan from `key · (time + 1)` meets, and "written later" is the first one a forward
/// scan from there meets. Each visits one entry (encoded keys are prefix-free, so no other
/// key's entries sit between; the length check only guards that).
fn history_as_of(snapshot: &Snapshot, id: u64, encoded: &[u8], as_of_micros: u64) -> Result<AsOf> {
    let own = |k: &[u8]| k.len() == 8 + encoded.len() + 8;
    let start = layout::history_key(id, encoded, 0);
    let end = layout::history_key(id, encoded, as_of_micros.saturating_add(1));
    for row in snapshot.range_rev(layout::HISTORY, start..end.clone())? {
        let (k, v) = row?;
        if own(&k) {
            return Ok(AsOf::Version(Version::decode(&v)?.item));
        }
    }
    let last = layout::history_key(id, encoded, u64::MAX);
    for row in snapshot.range(layout::HISTORY, end..=last)? {
        let (k, _) = row?;
        if own(&k) {
            return Ok(AsOf::WrittenLater);
        }
    }
    Ok(AsOf::Unchanged)
}

/// The item of a stored newest version, if it was written at or before `as_of_micros`.
fn newest_if_old_enough(newest: &[u8], as_of_micros: u64) -> Result<Option<Item>> {
    let v = Version::decode(newest)?;
    Ok(if v.stamp <= as_of_micros {
        v.item
    } else {
        None
    })
}

/// The commit stamp of a change-index key (`table · stamp · key`).
fn change_stamp(key: &[u8]) -> Result<u64> {
    layout::change_key_stamp(key)
        .ok_or_else(|| DynamoDbError::Corrupt("change index key without a stamp".to_owned()))
}

/// The encoded primary key inside a history key (`table · key · stamp`).
pub(crate) fn history_item_key(key: &[u8]) -> Result<&[u8]> {
    key.get(8..key.len().saturating_sub(8))
        .ok_or_else(|| DynamoDbError::Corrupt("history key without a stamp".to_owned()))
}
