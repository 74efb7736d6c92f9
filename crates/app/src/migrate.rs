//! Every kind of record strata stores, with its format, and the migrations from older ones
//! (`strata_storage::RecordKind`): run at open, before anything is served.
//!
//! Format 1 is the first recorded format. From 0 (a data directory from before formats were
//! recorded) the stored forms are the same, but for one thing: jobs did not keep their caller
//! in a job record, exports and imports kept it in their own record. An export such a
//! directory left in progress resumes with the caller its record kept; an import fails, as
//! its table's definition was kept only in the request's wire form.

use strata_dynamodb::imports::ImportStatus;
use strata_storage::RecordKind;

use crate::app::SERVER_META;
use crate::jobs::{JobKind, JobRecord, Jobs};
use crate::{App, Caller, OpenError};

/// Every kind of record the application and its engines store.
pub fn record_kinds() -> Vec<RecordKind> {
    [
        strata_dynamodb::layout::RECORD_KINDS,
        strata_s3::layout::RECORD_KINDS,
        strata_iam::RECORD_KINDS,
        crate::jobs::RECORD_KINDS,
        &[RecordKind {
            keyspace: SERVER_META,
            format: 1,
        }],
    ]
    .concat()
}

/// Brings `older` (kinds with their stored format) to the current formats and records them.
pub async fn migrate(app: &App, older: &[(RecordKind, u16)]) -> Result<(), OpenError> {
    if older.is_empty() {
        return Ok(());
    }
    let jobs_kind = crate::jobs::RECORD_KINDS[0].keyspace;
    if older
        .iter()
        .any(|(kind, stored)| kind.keyspace == jobs_kind && *stored == 0)
    {
        resume_format_0_jobs(app).await?;
    }
    let kinds: Vec<RecordKind> = older.iter().map(|(kind, _)| *kind).collect();
    app.store.record_formats(&kinds).await?;
    Ok(())
}

/// Exports and imports a format-0 data directory left in progress.
async fn resume_format_0_jobs(app: &App) -> Result<(), OpenError> {
    for export in app.dynamodb.exports_in_progress()? {
        let caller = export
            .legacy_requester
            .clone()
            .and_then(|value| serde_json::from_value::<Caller>(value).ok());
        let job = JobRecord {
            kind: JobKind::Export {
                account: export.account.clone(),
                region: export.region.clone(),
                export_arn: export.export_arn.clone(),
            },
            caller,
            created_micros: export.start_micros,
        };
        tracing::info!(export = %export.export_arn, "resuming an export an older strata started");
        app.store
            .write(move |txn| Jobs::record(txn, &job).map(|_| ()))
            .await?;
    }
    for import in app.dynamodb.imports_in_progress()? {
        tracing::warn!(import = %import.import_arn, "failing an import an older strata left in progress");
        let end = app.clock.now().as_microsecond();
        app.dynamodb
            .update_import(&import, move |r| {
                r.status = ImportStatus::Failed;
                r.end_micros = Some(end - end.rem_euclid(1000));
                r.failure_code = Some("UNKNOWN".to_owned());
                r.failure_message = Some(
                    "The import was interrupted by an upgrade of strata; start it again."
                        .to_owned(),
                );
            })
            .await?;
    }
    Ok(())
}
