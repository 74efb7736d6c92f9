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
        let start = layout::history_key(table.def.id, &encoded, 0);
        let end = layout::history_key(table.def.id, &encoded, as_of_micros.saturating_add(1));
        let mut newest: Option<Version> = None;
        let mut any_history = false;
        for row in snapshot.range(layout::HISTORY, start..end.clone())? {
            let (k, v) = row?;
            // Keys of other items may share the prefix only if they are longer; the stamp
            // is always the last 8 bytes of this item's history keys.
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
                end..layout::history_key(table.def.id, &encoded, u64::MAX),
            )?
            .next()
            .is_some();
        if later_history {
            return Ok(None);
        }
        match snapshot.get(layout::ITEMS, &layout::item_key(table.def.id, &encoded))? {
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
