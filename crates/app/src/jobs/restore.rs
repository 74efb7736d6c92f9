//! The restore job: fills a RestoreTableToPointInTime target (CREATING since the request)
//! with its source's items as of the restore time, then turns it ACTIVE. Run again after a
//! crash it copies the same items again. A restore that cannot complete — its source deleted
//! (or recreated) meanwhile, or an error that is not the machine's — removes its target: a
//! restore never leaves a partial table (spec dynamodb-export-import §1.4).

use strata_dynamodb::Scope;
use strata_dynamodb::schema::Creating;

use super::{SourceTable, Stop};
use crate::App;

pub async fn run(
    app: &App,
    account: &str,
    region: &str,
    target: &str,
    source: &SourceTable,
    as_of_micros: u64,
) -> Result<(), Stop> {
    let scope = Scope { account, region };
    let Some(table) = app
        .dynamodb
        .table(scope, target)
        .ok()
        .filter(|t| matches!(t.def.creating, Some(Creating::Restore { .. })))
    else {
        // Already restored (the job ended but its record was not yet removed), or gone.
        return Ok(());
    };
    let source_scope = Scope {
        account: &source.account,
        region: &source.region,
    };
    let found = app
        .dynamodb
        .table_with_id(source_scope, &source.name, source.storage_id);
    let outcome = match &found {
        Some(source) => app
            .dynamodb
            .fill_restore_target(source, as_of_micros, &table)
            .await
            .map(Some),
        None => Ok(None),
    };
    match outcome {
        Ok(Some(copied)) => {
            tracing::info!(target = %table.def.arn(), items = copied, "table restored");
            Ok(())
        }
        Ok(None) => {
            tracing::warn!(target = %table.def.arn(), source = %source.name, "the source of a restore is gone; the restore is abandoned");
            Ok(app.dynamodb.abandon_restore(&table).await?)
        }
        Err(err) if err.is_unavailable() => Err(Stop::from(err)),
        Err(err) => {
            tracing::error!(target = %table.def.arn(), error = %err, "a restore failed; its table is removed");
            Ok(app.dynamodb.abandon_restore(&table).await?)
        }
    }
}
