//! Point-in-time recovery as a retention rule on history: while enabled, every write
//! also lands in `dynamodb.history` and `dynamodb.changes` (see [`crate::write_path`]).
//! This module switches it; the API operations, the window's garbage collection and
//! dropping history on disable come with the PITR work.

use crate::DynamoDb;
use crate::catalog::Table;
use crate::error::Result;
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
        let now = self.clock.now().as_microsecond();
        self.change_definition(scope, name, move |def| {
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
            Ok(())
        })
        .await
        .map(|(table, ())| table)
    }
}
