//! Reading the past: the version of an item as of a commit time. While PITR is on, every
//! write since it was enabled is in `dynamodb.history` (plus the version each key had
//! before its first such write); a key never written since is still its newest version.
//! PITR's API, retention and the export jobs build on this.

use strata_dynamodb_item::Item;

use crate::DynamoDb;
use crate::catalog::Table;
use crate::error::Result;
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
    /// keys deleted since. Memory stays bounded by the keys deleted since, not the table.
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
            let (key, _) = row?;
            if let Some(item) = version_as_of(&snapshot, id, &key[8..], as_of_micros)? {
                visit(item)?;
                count += 1;
            }
        }
        // Keys gone now but perhaps alive then: only history knows them.
        let mut seen: std::collections::HashSet<Vec<u8>> = std::collections::HashSet::new();
        for row in snapshot.prefix(layout::HISTORY, &prefix)? {
            let (key, _) = row?;
            let encoded = &key[8..key.len() - 8];
            if seen.contains(encoded)
                || snapshot
                    .get(layout::ITEMS, &layout::item_key(id, encoded))?
                    .is_some()
            {
                continue;
            }
            seen.insert(encoded.to_vec());
            if let Some(item) = version_as_of(&snapshot, id, encoded, as_of_micros)? {
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
            let stamp =
                u64::from_be_bytes(key[8..16].try_into().expect("change keys hold a stamp"));
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
            let stamp = u64::from_be_bytes(k[8..16].try_into().expect("change keys hold a stamp"));
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
    let start = layout::history_key(id, encoded, 0);
    let end = layout::history_key(id, encoded, as_of_micros.saturating_add(1));
    let mut newest: Option<Version> = None;
    let mut any_history = false;
    for row in snapshot.range(layout::HISTORY, start..end.clone())? {
        let (k, v) = row?;
        // Keys of other items may share the prefix only if they are longer; the stamp is
        // always the last 8 bytes of this item's history keys.
        if k.len() != 8 + encoded.len() + 8 {
            continue;
        }
        any_history = true;
        newest = Some(Version::decode(&v)?);
    }
    if any_history {
        return Ok(newest.and_then(|v| v.item));
    }
    // No history at or before the time: either nothing changed since (the newest version
    // applies if it is old enough) or the key was first written later.
    let later_history = snapshot
        .range(
            layout::HISTORY,
            end..layout::history_key(id, encoded, u64::MAX),
        )?
        .any(|row| row.is_ok_and(|(k, _)| k.len() == 8 + encoded.len() + 8));
    if later_history {
        return Ok(None);
    }
    match snapshot.get(layout::ITEMS, &layout::item_key(id, encoded))? {
        Some(bytes) => {
            let v = Version::decode(&bytes)?;
            Ok(if v.stamp <= as_of_micros {
                v.item
            } else {
                None
            })
        }
        None => Ok(None),
    }
}
