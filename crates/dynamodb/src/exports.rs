//! Export records: what `ExportTableToPointInTime` accepted, its status and its results.
//! The job that writes the files runs in the application layer (it writes to S3 as its
//! caller); this module keeps the records durable, answers ClientToken replays and lists them.
//!
//! Keys: `dynamodb.exports` holds `account\0region\0<ExportArn>` → [`ExportRecord`] JSON,
//! so one scope's exports list in ARN order; `dynamodb.export_tokens` holds
//! `account\0region\0<ClientToken>` → the ExportArn it created.

use serde::{Deserialize, Serialize};

use crate::DynamoDb;
use crate::error::{DynamoDbError, Result};
use crate::job_records::JobRecords;
use crate::layout;
use crate::tables::RecordJob;

static RECORDS: JobRecords = JobRecords {
    records: layout::EXPORTS,
    tokens: layout::EXPORT_TOKENS,
    what: "export",
};

/// `ExportStatus`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ExportStatus {
    #[serde(rename = "IN_PROGRESS")]
    InProgress,
    #[serde(rename = "COMPLETED")]
    Completed,
    #[serde(rename = "FAILED")]
    Failed,
}

impl ExportStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InProgress => "IN_PROGRESS",
            Self::Completed => "COMPLETED",
            Self::Failed => "FAILED",
        }
    }
}

/// An incremental export's window, µs, `[from, to)`, and view type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncrementalWindow {
    pub from_micros: i64,
    pub to_micros: i64,
    /// `NEW_IMAGE` or `NEW_AND_OLD_IMAGES`.
    pub view_type: String,
}

/// One export, as DescribeExport reports it plus what its job needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportRecord {
    pub account: String,
    pub region: String,
    pub export_arn: String,
    pub export_id: String,
    pub table_arn: String,
    pub table_name: String,
    pub table_id: String,
    /// The table's storage id, so a recreated table is never read instead.
    pub table_storage_id: u64,
    pub status: ExportStatus,
    pub start_micros: i64,
    pub end_micros: Option<i64>,
    /// FULL exports: the instant exported.
    pub export_time_micros: Option<i64>,
    pub incremental: Option<IncrementalWindow>,
    /// Whether the request named `ExportType` (the description echoes it only then).
    pub export_type_sent: bool,
    pub client_token: String,
    pub s3_bucket: String,
    pub s3_bucket_owner: Option<String>,
    pub s3_prefix: Option<String>,
    pub s3_sse_algorithm: String,
    pub s3_sse_kms_key_id: Option<String>,
    /// `DYNAMODB_JSON` or `ION`.
    pub export_format: String,
    pub failure_code: Option<String>,
    pub failure_message: Option<String>,
    pub item_count: Option<u64>,
    pub billed_size_bytes: Option<u64>,
    pub export_manifest: Option<String>,
    /// The request, normalized, for ClientToken replays.
    pub fingerprint: String,
    /// Format 0 only (before jobs kept their caller): who asked, as the server recorded a
    /// caller. Read to resume an export such a data directory left in progress; never
    /// written.
    #[serde(default, rename = "requester", skip_serializing)]
    pub legacy_requester: Option<serde_json::Value>,
}

impl DynamoDb {
    /// Records a new export, with the job that writes its files (`record_job`, in the same
    /// write), or answers a replay: the same ClientToken with the same request returns the
    /// export it created; with another request, `ExportConflict`.
    pub async fn create_export(
        &self,
        record: ExportRecord,
        record_job: RecordJob,
    ) -> Result<ExportRecord> {
        let (record, created) = self
            .store
            .write(move |txn| {
                let existing: Option<ExportRecord> =
                    RECORDS.by_token(txn, &record.account, &record.region, &record.client_token)?;
                if let Some(existing) = existing {
                    if existing.fingerprint != record.fingerprint {
                        return Err(DynamoDbError::ExportConflict(
                            "Export conflict: Duplicate request detected with conflicting parameters"
                                .into(),
                        ));
                    }
                    return Ok((existing, false));
                }
                RECORDS.insert(
                    txn,
                    &record.account,
                    &record.region,
                    &record.export_arn,
                    &record.client_token,
                    &record,
                );
                record_job(txn)?;
                Ok((record, true))
            })
            .await?;
        if created {
            self.maintenance.wake();
        }
        Ok(record)
    }

    /// The export `arn` of `account` in `region`.
    pub fn export(&self, account: &str, region: &str, arn: &str) -> Result<Option<ExportRecord>> {
        RECORDS.get(&self.store, account, region, arn)
    }

    /// The scope's exports, by ARN.
    pub fn exports(&self, account: &str, region: &str) -> Result<Vec<ExportRecord>> {
        RECORDS.list(&self.store, &layout::scope_prefix(account, region))
    }

    /// Every export still in progress (format-0 data directories resume theirs by this).
    pub fn exports_in_progress(&self) -> Result<Vec<ExportRecord>> {
        let all: Vec<ExportRecord> = RECORDS.list(&self.store, b"")?;
        Ok(all
            .into_iter()
            .filter(|r| r.status == ExportStatus::InProgress)
            .collect())
    }

    /// Moves an export to a terminal status with what `finish` sets.
    pub async fn finish_export(
        &self,
        record: &ExportRecord,
        finish: impl FnOnce(&mut ExportRecord) + Send + 'static,
    ) -> Result<ExportRecord> {
        RECORDS
            .update(
                &self.store,
                &record.account,
                &record.region,
                &record.export_arn,
                finish,
            )
            .await
    }
}
