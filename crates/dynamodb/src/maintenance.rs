//! Work a control-plane change leaves behind — filling a new index, purging a deleted table's
//! or index's entries, dropping history when PITR is disabled — and the engine's side of
//! running it.
//!
//! The engine never runs such work on its own. A change records its [`Maintenance`] through
//! the [`MaintenanceQueue`] it was opened with, **inside the store write that makes the work
//! necessary** (the definition that adds a CREATING index also records its backfill), so a
//! crash can never leave the change without the work that completes it. The application's
//! job runner keeps the records and calls [`DynamoDb::run_maintenance`] for each, again after
//! a restart. Every piece of work is idempotent: run twice, or resumed after a crash part-way,
//! it ends in the same state.

use std::sync::atomic::Ordering;

use serde::{Deserialize, Serialize};
use strata_dynamodb_item::item_size;
use strata_storage::{StorageError, Store, WriteTxn};

use crate::DynamoDb;
use crate::catalog::Table;
use crate::error::{DynamoDbError, Result};
use crate::layout;
use crate::schema::{Creating, IndexDefinition, IndexStatus};
use crate::tables::Scope;
use crate::version::Version;

/// Rows deleted or backfilled per write batch: small enough never to hold up item writes
/// for long.
const BATCH: usize = 512;

/// One piece of background work on the engine's data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Maintenance {
    /// Fill index `index_id` of table `table_id` (named `table_name` in its scope) from the
    /// table's items, then mark it ACTIVE.
    Backfill {
        account: String,
        region: String,
        table_name: String,
        table_id: u64,
        index_id: u32,
    },
    /// Delete the entries and counters of an index no longer in its table's definition.
    PurgeIndex { table_id: u64, index_id: u32 },
    /// Delete everything a deleted table left: items, index entries, history, changes,
    /// counters.
    PurgeTable { table_id: u64 },
    /// Delete a table's history and change index entries stamped before `before` (PITR was
    /// disabled at `before`; history is kept only while it is enabled).
    PurgeHistory { table_id: u64, before: u64 },
}

/// Where the engine records the work its changes leave behind (the application's job
/// runner).
pub trait MaintenanceQueue: Send + Sync {
    /// Records `work` inside `txn`, the write that makes it necessary.
    fn push(&self, txn: &mut WriteTxn<'_>, work: Maintenance) -> Result<(), StorageError>;

    /// Called once a write that pushed work is durable: the runner may start it.
    fn wake(&self);
}

impl DynamoDb {
    /// Runs `work` to its end. Safe to run again after a crash cut it short.
    pub async fn run_maintenance(&self, work: &Maintenance) -> Result<()> {
        match work {
            Maintenance::Backfill {
                account,
                region,
                table_name,
                table_id,
                index_id,
            } => {
                let scope = Scope { account, region };
                self.backfill(scope, table_name, *table_id, *index_id).await
            }
            Maintenance::PurgeIndex { table_id, index_id } => {
                let prefix = layout::index_prefix(*table_id, *index_id);
                purge_prefix(&self.store, &prefix, &[layout::INDEX, layout::STATS]).await
            }
            Maintenance::PurgeTable { table_id } => {
                let prefix = layout::table_prefix(*table_id);
                purge_prefix(
                    &self.store,
                    &prefix,
                    &[
                        layout::ITEMS,
                        layout::INDEX,
                        layout::HISTORY,
                        layout::CHANGES,
                        layout::STATS,
                    ],
                )
                .await
            }
            Maintenance::PurgeHistory { table_id, before } => {
                purge_history(&self.store, *table_id, *before).await?;
                self.history_purged(*table_id, *before).await
            }
        }
    }

    /// What a data directory written before formats were recorded (format 0) left unfinished
    /// of the engine's work, made right: the target of a restore a crash cut short is removed
    /// (restores ran inside their request then, so none was acknowledged), and a backfill is
    /// returned for every CREATING index (backfills were not recorded then), for the caller to
    /// record.
    pub async fn format_0_leftovers(&self) -> Result<Vec<Maintenance>> {
        let mut backfills = Vec::new();
        for table in self.catalog.all() {
            if matches!(table.def.creating, Some(Creating::Restore { .. })) {
                tracing::warn!(table = %table.def.arn(), "removing the table of a restore a crash cut short");
                self.abandon_restore(&table).await?;
                continue;
            }
            for index in &table.def.indexes {
                if index.status == IndexStatus::Creating {
                    backfills.push(Maintenance::Backfill {
                        account: table.def.account.clone(),
                        region: table.def.region.clone(),
                        table_name: table.def.name.clone(),
                        table_id: table.def.id,
                        index_id: index.id,
                    });
                }
            }
        }
        Ok(backfills)
    }

    /// Clears the table's `history_purge_before` once the purge it names is done (unless PITR
    /// was enabled and disabled again since, naming a new one).
    async fn history_purged(&self, table_id: u64, before: u64) -> Result<()> {
        let Some(table) = self
            .catalog
            .all()
            .into_iter()
            .find(|t| t.def.id == table_id)
        else {
            return Ok(());
        };
        let cleared = self
            .change_table(&table, move |def| {
                if def.history_purge_before == Some(before) {
                    def.history_purge_before = None;
                }
                Ok(())
            })
            .await;
        match cleared {
            // Deleted meanwhile: its purge covers the history too.
            Err(DynamoDbError::ResourceNotFound(_)) => Ok(()),
            other => other,
        }
    }

    /// Fills a new index from the table in batches, then marks it ACTIVE. Item writes made
    /// meanwhile maintain the index themselves (it is in the definition already). Nothing to
    /// do if the table or the index is gone, or the index is ACTIVE already.
    async fn backfill(
        &self,
        scope: Scope<'_>,
        name: &str,
        table_id: u64,
        index_id: u32,
    ) -> Result<()> {
        // Barrier: item writes queued before the catalog showed the new index (and so not
        // maintaining it) are applied before the scan below starts; later ones maintain it.
        self.store.write(|_| Ok::<_, DynamoDbError>(())).await?;
        let prefix = layout::table_prefix(table_id).to_vec();
        let end = layout::table_prefix(table_id + 1).to_vec();
        let mut after: Option<Vec<u8>> = None;
        loop {
            let Some(table) = self.table_with_id(scope, name, table_id) else {
                return Ok(());
            };
            // The live definition, not the catalog's: the write that added the index may have
            // committed (and woken this job) before the catalog was refreshed.
            let Some(index) = creating_index(&table, index_id) else {
                return Ok(());
            };
            let keys: Vec<Vec<u8>> = {
                let start = match &after {
                    Some(k) => std::ops::Bound::Excluded(k.clone()),
                    None => std::ops::Bound::Included(prefix.clone()),
                };
                self.store
                    .range(
                        layout::ITEMS,
                        (start, std::ops::Bound::Excluded(end.clone())),
                    )?
                    .take(BATCH)
                    .map(|kv| kv.map(|(k, _)| k))
                    .collect::<std::result::Result<_, _>>()?
            };
            let Some(last) = keys.last().cloned() else {
                break;
            };
            let t = table.clone();
            self.store
                .write(move |txn| {
                    // The index (or its table) may have been deleted since it was read above,
                    // and its entries purged already: write none for it.
                    if creating_index(&t, index_id).is_none() {
                        return Ok(());
                    }
                    for key in keys {
                        let Some(bytes) = txn.get(layout::ITEMS, &key)? else {
                            continue;
                        };
                        let version = Version::decode(&bytes)?;
                        let Some(item) = version.item.as_ref() else {
                            continue;
                        };
                        if let Some(projected) = index.project(&t.def.key_schema, item) {
                            let mut index_key = Vec::new();
                            crate::key::encode_key(&index.key_schema, item, &mut index_key);
                            let entry =
                                layout::index_key(table_id, index_id, &index_key, &key[8..]);
                            // A write since the index was added maintained (and counted) it;
                            // so did an earlier run of this backfill cut short by a crash.
                            if txn.get(layout::INDEX, &entry)?.is_some() {
                                continue;
                            }
                            t.apply_index_stats(txn, index_id, 1, item_size(&projected) as i64);
                            txn.put(
                                layout::INDEX,
                                entry,
                                Version::encode(version.stamp, Some(&projected)),
                            );
                        }
                    }
                    Ok::<_, DynamoDbError>(())
                })
                .await?;
            after = Some(last);
        }
        let activated = self
            .change_definition(scope, name, move |def, _| {
                if def.id == table_id
                    && let Some(index) = def.indexes.iter_mut().find(|i| i.id == index_id)
                {
                    index.status = IndexStatus::Active;
                }
                Ok(())
            })
            .await;
        match activated {
            // The table went while the last batch was written: nothing left to mark.
            Err(DynamoDbError::ResourceNotFound(_)) => Ok(()),
            other => other.map(|_| ()),
        }
    }
}

/// Index `index_id` of `table` if the live definition still has it CREATING and the table
/// is not deleted.
fn creating_index(table: &Table, index_id: u32) -> Option<IndexDefinition> {
    if table.state.deleted.load(Ordering::Acquire) {
        return None;
    }
    table
        .live_def()
        .indexes
        .iter()
        .find(|i| i.id == index_id && i.status == IndexStatus::Creating)
        .cloned()
}

/// Deletes everything under `prefix` in `keyspaces`, in batches.
async fn purge_prefix(store: &Store, prefix: &[u8], keyspaces: &[&'static str]) -> Result<()> {
    for &keyspace in keyspaces {
        loop {
            let keys: Vec<Vec<u8>> = store
                .prefix(keyspace, prefix)?
                .take(BATCH)
                .map(|kv| kv.map(|(k, _)| k))
                .collect::<std::result::Result<_, _>>()?;
            if delete_keys(store, keyspace, keys).await? == 0 {
                break;
            }
        }
    }
    Ok(())
}

/// Deletes a table's history and change index entries stamped before `before`, in batches.
pub(crate) async fn purge_history(store: &Store, table_id: u64, before: u64) -> Result<()> {
    let prefix = layout::table_prefix(table_id).to_vec();
    // History keys end with their stamp: walk them all once, deleting the old ones.
    let mut from = prefix.clone();
    loop {
        let mut doomed = Vec::new();
        let mut last = None;
        for row in store.range(layout::HISTORY, from.clone()..)?.take(BATCH) {
            let (key, _) = row?;
            if !key.starts_with(&prefix) {
                break;
            }
            let stamp = key
                .len()
                .checked_sub(8)
                .and_then(|at| key.get(at..))
                .and_then(|tail| <[u8; 8]>::try_from(tail).ok())
                .map(u64::from_be_bytes)
                .ok_or_else(|| DynamoDbError::Corrupt("history key without a stamp".into()))?;
            if stamp < before {
                doomed.push(key.clone());
            }
            last = Some(key);
        }
        let Some(mut last) = last else { break };
        last.push(0);
        from = last;
        delete_keys(store, layout::HISTORY, doomed).await?;
    }
    // Change keys begin with their stamp: one range.
    loop {
        let end = layout::change_key(table_id, before, b"");
        let keys: Vec<Vec<u8>> = store
            .range(layout::CHANGES, prefix.clone()..end)?
            .take(BATCH)
            .map(|row| row.map(|(k, _)| k))
            .collect::<std::result::Result<_, _>>()?;
        if delete_keys(store, layout::CHANGES, keys).await? == 0 {
            return Ok(());
        }
    }
}

/// Deletes `keys` from `keyspace` in one write; returns how many.
pub(crate) async fn delete_keys(
    store: &Store,
    keyspace: &'static str,
    keys: Vec<Vec<u8>>,
) -> Result<u64> {
    let n = keys.len() as u64;
    if n == 0 {
        return Ok(0);
    }
    store
        .write(move |txn| {
            for key in keys {
                txn.delete(keyspace, key);
            }
            Ok::<_, DynamoDbError>(())
        })
        .await?;
    Ok(n)
}
