//! Point-in-time recovery as a retention rule on history: while enabled, every write
//! also lands in `dynamodb.history` and `dynamodb.changes` (see [`crate::write_path`]).
//! This module switches it and answers what the window is; disabling drops the table's
//! history in the background.

use crate::DynamoDb;
use crate::catalog::Table;
use crate::error::{DynamoDbError, Result};
use crate::layout;
use crate::schema::PointInTimeRecovery;
use crate::tables::Scope;
use strata_storage::Store;

impl DynamoDb {
    /// Enables PITR with a recovery period (days), or disables it (`None`).
    /// Re-enabling keeps the original `enabled_at` only while it stays enabled.
    pub async fn set_point_in_time_recovery(
        &self,
        scope: Scope<'_>,
        name: &str,
        recovery_period_in_days: Option<u32>,
    ) -> Result<Table> {
        let now = self.clock.now().as_microsecond();
        let disabling = recovery_period_in_days.is_none();
        let (table, was_enabled) = self
            .change_definition(scope, name, move |def| {
                let was_enabled = def.pitr.is_some();
                def.pitr = match (def.pitr, recovery_period_in_days) {
                    (_, None) => None,
                    (Some(current), Some(days)) => Some(PointInTimeRecovery {
                        recovery_period_in_days: days,
                        ..current
                    }),
                    (None, Some(days)) => Some(PointInTimeRecovery {
                        enabled_at_micros: now,
                        recovery_period_in_days: days,
                    }),
                };
                Ok(was_enabled)
            })
            .await?;
        if disabling && was_enabled {
            // History is only kept while enabled; what was kept goes now. Only versions
            // stamped before now: a re-enable racing the purge keeps its new history.
            self.spawn_purge_history(table.def.id, now as u64);
        }
        Ok(table)
    }

    /// The restorable window of a table with PITR on, in µs: `Earliest` is when PITR was
    /// enabled, or the start of the recovery period once it has run that long; `Latest`
    /// lags now by five minutes but never precedes `Earliest` (spec §1.3).
    pub fn restorable_window(&self, pitr: &PointInTimeRecovery) -> (i64, i64) {
        const LAG_MICROS: i64 = 5 * 60 * 1_000_000;
        let now = self.clock.now().as_microsecond();
        let period = i64::from(pitr.recovery_period_in_days) * 86_400 * 1_000_000;
        let earliest = pitr.enabled_at_micros.max(now - period);
        // Whole seconds, as AWS reports them.
        let earliest = earliest - earliest.rem_euclid(1_000_000);
        (earliest, earliest.max(now - LAG_MICROS))
    }
}

impl DynamoDb {
    /// Deletes a table's history and change index entries stamped before `before`, in
    /// background batches.
    fn spawn_purge_history(&self, table_id: u64, before: u64) {
        let store = self.store.clone();
        tokio::spawn(async move {
            if let Err(err) = purge_history(&store, table_id, before).await {
                tracing::error!(error = %err, "purging PITR history failed");
            }
        });
    }
}

async fn purge_history(store: &Store, table_id: u64, before: u64) -> Result<()> {
    const BATCH: usize = 1024;
    let prefix = layout::table_prefix(table_id).to_vec();
    // History keys end with their stamp; walk them all once, deleting the old ones.
    let mut from = prefix.clone();
    loop {
        let mut doomed = Vec::new();
        let mut last = None;
        for row in store.range(layout::HISTORY, from.clone()..)?.take(BATCH) {
            let (key, _) = row?;
            if !key.starts_with(&prefix) {
                break;
            }
            let stamp = u64::from_be_bytes(key[key.len() - 8..].try_into().expect("8 bytes"));
            if stamp < before {
                doomed.push(key.clone());
            }
            last = Some(key);
        }
        let Some(mut last) = last else { break };
        last.push(0);
        from = last;
        if !doomed.is_empty() {
            store
                .write(move |txn| {
                    for key in doomed {
                        txn.delete(layout::HISTORY, key);
                    }
                    Ok::<_, DynamoDbError>(())
                })
                .await?;
        }
    }
    // Change keys begin with their stamp: one range.
    loop {
        let end = layout::change_key(table_id, before, b"");
        let keys: Vec<Vec<u8>> = store
            .range(layout::CHANGES, prefix.clone()..end)?
            .take(BATCH)
            .map(|row| row.map(|(k, _)| k))
            .collect::<std::result::Result<_, _>>()?;
        if keys.is_empty() {
            return Ok(());
        }
        store
            .write(move |txn| {
                for key in keys {
                    txn.delete(layout::CHANGES, key);
                }
                Ok::<_, DynamoDbError>(())
            })
            .await?;
    }
}

/// How often history older than each table's recovery window is collected.
const HISTORY_GC_INTERVAL: std::time::Duration = std::time::Duration::from_secs(60);

impl DynamoDb {
    /// Collects, in the background and forever, the history no restore can need.
    pub fn spawn_history_gc(&self) {
        let engine = self.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(HISTORY_GC_INTERVAL).await;
                if let Err(err) = engine.collect_history().await {
                    tracing::warn!(error = %err, "PITR history collection failed");
                }
            }
        });
    }

    /// One pass: for every table with PITR on, deletes the versions older than its
    /// `EarliestRestorableDateTime` except each key's newest one before it (the state at
    /// that instant), and the change index entries before it. Returns how many entries went.
    pub async fn collect_history(&self) -> Result<u64> {
        let mut removed = 0;
        for table in self.catalog.all() {
            let Some(pitr) = table.def.pitr else { continue };
            let (earliest, _) = self.restorable_window(&pitr);
            let earliest = earliest.max(0) as u64;
            removed += self.collect_table_history(table.def.id, earliest).await?;
        }
        Ok(removed)
    }

    async fn collect_table_history(&self, id: u64, earliest: u64) -> Result<u64> {
        const BATCH: usize = 1024;
        let prefix = layout::table_prefix(id).to_vec();
        let mut doomed: Vec<Vec<u8>> = Vec::new();
        let mut done: std::collections::HashSet<Vec<u8>> = std::collections::HashSet::new();
        let mut removed = 0;
        for row in self.store.prefix(layout::HISTORY, &prefix)? {
            let (key, _) = row?;
            let encoded = key[8..key.len() - 8].to_vec();
            if done.contains(&encoded) {
                continue;
            }
            // This key's versions up to `earliest`, oldest first; all but the last go.
            let start = layout::history_key(id, &encoded, 0);
            let end = layout::history_key(id, &encoded, earliest.saturating_add(1));
            let old: Vec<Vec<u8>> = self
                .store
                .range(layout::HISTORY, start..end)?
                .filter_map(|row| row.ok().map(|(k, _)| k))
                .filter(|k| k.len() == 8 + encoded.len() + 8)
                .collect();
            if old.len() > 1 {
                doomed.extend(old[..old.len() - 1].iter().cloned());
            }
            done.insert(encoded);
            if doomed.len() >= BATCH {
                removed += self
                    .delete_keys(layout::HISTORY, std::mem::take(&mut doomed))
                    .await?;
            }
        }
        removed += self.delete_keys(layout::HISTORY, doomed).await?;
        let end = layout::change_key(id, earliest, b"");
        let changes: Vec<Vec<u8>> = self
            .store
            .range(layout::CHANGES, prefix..end)?
            .filter_map(|row| row.ok().map(|(k, _)| k))
            .collect();
        for chunk in changes.chunks(BATCH) {
            removed += self.delete_keys(layout::CHANGES, chunk.to_vec()).await?;
        }
        Ok(removed)
    }

    async fn delete_keys(&self, keyspace: &'static str, keys: Vec<Vec<u8>>) -> Result<u64> {
        let n = keys.len() as u64;
        if n == 0 {
            return Ok(0);
        }
        self.store
            .write(move |txn| {
                for key in keys {
                    txn.delete(keyspace, key);
                }
                Ok::<_, DynamoDbError>(())
            })
            .await?;
        Ok(n)
    }
}
