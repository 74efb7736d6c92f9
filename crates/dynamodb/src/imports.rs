//! Import records: what `ImportTable` accepted, its counters and its outcome. The job that
//! reads S3 and writes the table runs in the application layer (it reads as its caller).
//!
//! Keys: `dynamodb.imports` holds `account\0region\0<ImportArn>` → [`ImportRecord`] JSON;
//! `dynamodb.import_tokens` holds `account\0region\0<ClientToken>` → the ImportArn.

use serde::{Deserialize, Serialize};

use crate::DynamoDb;
use crate::error::{DynamoDbError, Result};
use crate::job_records::{JobRecords, scoped};
use crate::layout;
use crate::tables::RecordJob;

static RECORDS: JobRecords = JobRecords {
    records: layout::IMPORTS,
    tokens: layout::IMPORT_TOKENS,
    what: "import",
};

/// `ImportStatus` (CANCELLING and CANCELLED exist on AWS but nothing produces them).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ImportStatus {
    #[serde(rename = "IN_PROGRESS")]
    InProgress,
    #[serde(rename = "COMPLETED")]
    Completed,
    #[serde(rename = "FAILED")]
    Failed,
}

impl ImportStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InProgress => "IN_PROGRESS",
            Self::Completed => "COMPLETED",
            Self::Failed => "FAILED",
        }
    }
}

/// One import, as DescribeImport reports it plus what its job needs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ImportRecord {
    pub account: String,
    pub region: String,
    pub import_arn: String,
    pub table_arn: String,
    pub table_name: String,
    /// The TableId the table gets (reported before it exists).
    pub table_id: String,
    pub status: ImportStatus,
    pub start_micros: i64,
    pub end_micros: Option<i64>,
    pub client_token: String,
    pub s3_bucket: String,
    /// Filled with the caller's account when not sent.
    pub s3_bucket_owner: String,
    pub s3_key_prefix: Option<String>,
    pub input_format: String,
    /// Echoed verbatim when sent.
    pub input_format_options: Option<serde_json::Value>,
    pub input_compression_type: String,
    /// Echoed verbatim.
    pub table_creation_parameters: serde_json::Value,
    pub processed_size_bytes: u64,
    pub processed_item_count: u64,
    pub imported_item_count: u64,
    pub error_count: u64,
    pub failure_code: Option<String>,
    pub failure_message: Option<String>,
    /// Format 0 only (before jobs kept their caller): who asked, as the server recorded a
    /// caller. Read to resume an import such a data directory left in progress; never
    /// written.
    #[serde(default, rename = "requester", skip_serializing)]
    pub legacy_requester: Option<serde_json::Value>,
}

impl DynamoDb {
    /// The import a ClientToken started in this scope, if any.
    pub fn import_by_token(
        &self,
        account: &str,
        region: &str,
        token: &str,
    ) -> Result<Option<ImportRecord>> {
        let Some(arn) = self
            .store
            .get(RECORDS.tokens, &scoped(account, region, token))?
        else {
            return Ok(None);
        };
        self.import(account, region, &String::from_utf8_lossy(&arn))
    }

    /// Records a new import under its ClientToken, with the job that runs it (`record_job`,
    /// in the same write).
    pub async fn create_import(
        &self,
        record: ImportRecord,
        record_job: RecordJob,
    ) -> Result<ImportRecord> {
        let record = self
            .store
            .write(move |txn| {
                RECORDS.insert(
                    txn,
                    &record.account,
                    &record.region,
                    &record.import_arn,
                    &record.client_token,
                    &record,
                );
                record_job(txn)?;
                Ok::<_, DynamoDbError>(record)
            })
            .await?;
        self.maintenance.wake();
        Ok(record)
    }

    pub fn import(&self, account: &str, region: &str, arn: &str) -> Result<Option<ImportRecord>> {
        RECORDS.get(&self.store, account, region, arn)
    }

    /// The scope's imports, by ARN.
    pub fn imports(&self, account: &str, region: &str) -> Result<Vec<ImportRecord>> {
        RECORDS.list(&self.store, &layout::scope_prefix(account, region))
    }

    /// Every import still in progress (format-0 data directories resume theirs by this).
    pub fn imports_in_progress(&self) -> Result<Vec<ImportRecord>> {
        let all: Vec<ImportRecord> = RECORDS.list(&self.store, b"")?;
        Ok(all
            .into_iter()
            .filter(|r| r.status == ImportStatus::InProgress)
            .collect())
    }

    /// Applies `change` to the stored record.
    pub async fn update_import(
        &self,
        record: &ImportRecord,
        change: impl FnOnce(&mut ImportRecord) + Send + 'static,
    ) -> Result<ImportRecord> {
        RECORDS
            .update(
                &self.store,
                &record.account,
                &record.region,
                &record.import_arn,
                change,
            )
            .await
    }
}
