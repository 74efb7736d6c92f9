//! Point-in-time recovery as a retention rule on history: while enabled, every write
//! also lands in `dynamodb.history` and `dynamodb.changes` (see [`crate::write_path`]).
//! This module switches it and answers what the window is; disabling drops the table's
//! history in the background ([`Maintenance::PurgeHistory`], recorded with the change), and
//! [`DynamoDb::collect_history`] drops what fell out of each window (the application runs it
//! periodically).

use crate::DynamoDb;
use crate::catalog::Table;
use crate::error::Result;
use crate::history::history_item_key;
use crate::layout;
use crate::maintenance::{Maintenance, delete_keys, purge_history};
use crate::schema::PointInTimeRecovery;
use crate::tables::Scope;

impl DynamoDb {
    /// Enables PITR with a recovery period (days), or disables it (`None`).
    /// Re-enabling keeps the original `enabled_at` only while it stays enabled.
    pub async fn set_point_in_time_recovery(
        &self,
        scope: Scope<'_>,
        name: &str,
        recovery_period_in_days: Option<u32>,
    ) -> Result<Table> {
        let disabling = recovery_period_in_days.is_none();
        loop {
            // The history of an earlier PITR period must be gone before a new one starts: a
            // key deleted while PITR was off would otherwise be found "as of" a later time.
            let pending = self
                .catalog
                .get(scope.account, scope.region, name)
                .and_then(|t| t.def.history_purge_before.map(|before| (t.def.id, before)));
            if !disabling && let Some((table_id, before)) = pending {
                purge_history(&self.store, table_id, before).await?;
            }
            let purged = pending.map(|(_, before)| before);
            let (table, settled) = self
                .change_definition(scope, name, move |def, cx| {
                    if !disabling && def.pitr.is_none() {
                        if def.history_purge_before != purged {
                            // Disabled again (or recreated) since the purge above: purge anew.
                            return Ok(false);
                        }
                        def.history_purge_before = None;
                    }
                    // The switch's cut-off is a stamp of this very write: item writes committed
                    // before it are stamped before it and see the old setting, those after it
                    // after it and see the new one (a time read before the change was queued
                    // would let a write in flight fall on the wrong side).
                    if disabling && def.pitr.is_some() {
                        // History is only kept while enabled; what was kept goes now.
                        let cutoff = cx.stamp();
                        def.history_purge_before = Some(cutoff);
                        cx.push(Maintenance::PurgeHistory {
                            table_id: def.id,
                            before: cutoff,
                        });
                    }
                    def.pitr = match (def.pitr, recovery_period_in_days) {
                        (_, None) => None,
                        (Some(current), Some(days)) => Some(PointInTimeRecovery {
                            recovery_period_in_days: days,
                            ..current
                        }),
                        (None, Some(days)) => Some(PointInTimeRecovery {
                            enabled_at_micros: i64::try_from(cx.stamp()).unwrap_or(i64::MAX),
                            recovery_period_in_days: days,
                        }),
                    };
                    Ok(true)
                })
                .await?;
            if settled {
                return Ok(table);
            }
        }
    }

    /// The restorable window of a table with PITR on, in µs: `Earliest` is when PITR was
    /// enabled, or the start of the recovery period once it has run that long; `Latest`
    /// lags now by five minutes but never precedes `Earliest` (spec §1.3).
    pub fn restorable_window(&self, pitr: &PointInTimeRecovery) -> (i64, i64) {
        const LAG_MICROS: i64 = 5 * 60 * 1_000_000;
        let now = self.clock.now().as_microsecond();
        let period = i64::from(pitr.recovery_period_in_days) * 86_400 * 1_000_000;
        let earliest = first_restorable_second(pitr.enabled_at_micros.max(now - period));
        (earliest, earliest.max(now - LAG_MICROS))
    }
}

/// The first whole second at or after `micros`. AWS reports `EarliestRestorableDateTime` in
/// whole seconds (spec §1.3) and boto3 sends timestamps back as whole seconds, so the window
/// starts on one; rounding *up* keeps it from preceding the enable's commit (before which a
/// key overwritten while PITR was off has lost the version it had then). AWS truncates the
/// enable instant instead; it keeps what it needs to answer that earlier second, we do not.
pub fn first_restorable_second(micros: i64) -> i64 {
    micros.div_euclid(1_000_000) * 1_000_000
        + if micros.rem_euclid(1_000_000) == 0 {
            0
        } else {
            1_000_000
        }
}

impl DynamoDb {
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

    /// One walk through the table's history in key order (a key's versions are adjacent,
    /// oldest first): of each key's versions at or before `earliest`, all but the newest go.
    async fn collect_table_history(&self, id: u64, earliest: u64) -> Result<u64> {
        const BATCH: usize = 1024;
        let prefix = layout::table_prefix(id).to_vec();
        let mut doomed: Vec<Vec<u8>> = Vec::new();
        let mut removed = 0;
        // The newest version at or before `earliest` seen so far of the current key.
        let mut kept: Option<Vec<u8>> = None;
        for row in self.store.prefix(layout::HISTORY, &prefix)? {
            let (key, _) = row?;
            let encoded = history_item_key(&key)?;
            let same_key = kept
                .as_deref()
                .is_some_and(|k| history_item_key(k).is_ok_and(|e| e == encoded));
            if !same_key {
                kept = None;
            }
            let stamp = u64::from_be_bytes(
                key[key.len() - 8..]
                    .try_into()
                    .expect("history keys end in an 8-byte stamp"),
            );
            if stamp > earliest {
                continue;
            }
            if let Some(older) = kept.replace(key) {
                doomed.push(older);
            }
            if doomed.len() >= BATCH {
                removed +=
                    delete_keys(&self.store, layout::HISTORY, std::mem::take(&mut doomed)).await?;
            }
        }
        removed += delete_keys(&self.store, layout::HISTORY, doomed).await?;
        let end = layout::change_key(id, earliest, b"");
        let changes: Vec<Vec<u8>> = self
            .store
            .range(layout::CHANGES, prefix..end)?
            .filter_map(|row| row.ok().map(|(k, _)| k))
            .collect();
        for chunk in changes.chunks(BATCH) {
            removed += delete_keys(&self.store, layout::CHANGES, chunk.to_vec()).await?;
        }
        Ok(removed)
    }
}

#[cfg(test)]
mod tests {
    use super::first_restorable_second;

    #[test]
    fn the_window_starts_on_the_first_whole_second_not_before_the_enable() {
        for (enabled, earliest) in [
            (1_576_622_404_000_000, 1_576_622_404_000_000),
            (1_576_622_404_000_001, 1_576_622_405_000_000),
            (1_576_622_404_999_999, 1_576_622_405_000_000),
            (0, 0),
            (-1, 0),
        ] {
            assert_eq!(first_restorable_second(enabled), earliest, "{enabled}");
        }
    }
}
