//! Every kind of record strata stores, with its format, and the migrations from older ones
//! (`strata_storage::RecordKind`): run at open, before anything is served.
//!
//! Format 1 is the first recorded format. From 0 (a data directory from before formats were
//! recorded) the stored forms are the same, but work in progress was kept differently:
//! - jobs did not keep their caller in a job record, exports and imports kept it in their own
//!   record. An export left in progress resumes with the caller its record kept; an import
//!   fails (its table's definition was kept only in the request's wire form) and its table, if
//!   it was created, turns ACTIVE with what it holds, as a failed import's table does;
//! - backfills and restores were not recorded: every CREATING index gets its backfill, and the
//!   target of a restore a crash cut short is removed (the engine's
//!   `DynamoDb::format_0_leftovers`).
//!
//! The jobs this records and the new formats are written together, so a crash part-way runs
//! the migration again from the start and records each job once.
//!
//! S3's counts went from format 1 to 2 with each account's count of open multipart uploads,
//! counted afresh from the upload records in the write that records the new format.
//!
//! DynamoDB table definitions went from format 1 to 2 with multi-attribute index keys and
//! key layouts: a format-1 definition reads as a one-attribute key of the ordered layout, so
//! nothing is rewritten; recording format 2 keeps older stratas off the directory.

use strata_dynamodb::imports::{ImportRecord, ImportStatus};
use strata_dynamodb::schema::Creating;
use strata_dynamodb::{DynamoDbError, Scope};
use strata_storage::{RecordKind, StorageError};

use crate::app::SERVER_META;
use crate::jobs::{JobKind, Jobs};
use crate::{App, Caller, OpenError};

/// Every kind of record the application and its engines store.
pub fn record_kinds() -> Vec<RecordKind> {
    [
        strata_dynamodb::layout::RECORD_KINDS,
        strata_s3::layout::RECORD_KINDS,
        strata_iam::RECORD_KINDS,
        strata_kms::RECORD_KINDS,
        strata_cloudformation::RECORD_KINDS,
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
    let jobs = if older
        .iter()
        .any(|(kind, stored)| kind.keyspace == jobs_kind && *stored == 0)
    {
        format_0_jobs(app).await?
    } else {
        Vec::new()
    };
    let kinds: Vec<RecordKind> = older.iter().map(|(kind, _)| *kind).collect();
    let recount_uploads = older
        .iter()
        .any(|(kind, stored)| kind.keyspace == strata_s3::layout::COUNTS && *stored < 2);
    app.store
        .write(move |txn| {
            for job in &jobs {
                Jobs::record(txn, job)?;
            }
            if recount_uploads {
                strata_s3::recount_open_uploads(txn).map_err(|e| match e {
                    strata_s3::S3Error::Storage(e) => e,
                    other => StorageError::backend(std::io::Error::other(other.to_string())),
                })?;
            }
            strata_storage::put_formats(txn, &kinds);
            Ok::<_, StorageError>(())
        })
        .await?;
    Ok(())
}

/// Settles what a format-0 data directory left in progress; returns the jobs to record.
async fn format_0_jobs(app: &App) -> Result<Vec<JobKind>, OpenError> {
    let mut jobs = Vec::new();
    for export in app.dynamodb.exports_in_progress()? {
        let Some(caller) = export
            .legacy_requester
            .clone()
            .and_then(|value| serde_json::from_value::<Caller>(value).ok())
        else {
            tracing::warn!(export = %export.export_arn, "failing an export an older strata left in progress without its caller");
            let end = app.now_millis();
            app.dynamodb
                .finish_export(&export, move |r| {
                    r.status = strata_dynamodb::exports::ExportStatus::Failed;
                    r.end_micros = Some(end);
                    r.failure_code = Some("UNKNOWN".to_owned());
                    r.failure_message = Some("Internal error".to_owned());
                })
                .await?;
            continue;
        };
        tracing::info!(export = %export.export_arn, "resuming an export an older strata started");
        jobs.push(JobKind::Export {
            account: export.account,
            region: export.region,
            export_arn: export.export_arn,
            caller,
        });
    }
    for import in app.dynamodb.imports_in_progress()? {
        fail_format_0_import(app, &import).await?;
    }
    jobs.extend(
        app.dynamodb
            .format_0_leftovers()
            .await?
            .into_iter()
            .map(JobKind::DynamoDb),
    );
    Ok(jobs)
}

/// Fails an import a format-0 data directory left in progress; its table, if created, keeps
/// what it holds and turns ACTIVE.
async fn fail_format_0_import(app: &App, import: &ImportRecord) -> Result<(), DynamoDbError> {
    tracing::warn!(import = %import.import_arn, "failing an import an older strata left in progress");
    let scope = Scope {
        account: &import.account,
        region: &import.region,
    };
    if let Ok(table) = app.dynamodb.table(scope, &import.table_name)
        && table.def.table_id == import.table_id
        && matches!(table.def.creating, Some(Creating::Import))
    {
        app.dynamodb.finish_creating(&table).await?;
    }
    let end = app.now_millis();
    app.dynamodb
        .update_import(import, move |r| {
            r.status = ImportStatus::Failed;
            r.end_micros = Some(end);
            r.failure_code = Some("UNKNOWN".to_owned());
            r.failure_message = Some(
                "The import was interrupted by an upgrade of strata; start it again.".to_owned(),
            );
        })
        .await?;
    Ok(())
}
