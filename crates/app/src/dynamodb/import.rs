//! ImportTable, DescribeImport and ListImports (spec dynamodb-export-import §6): checks in
//! AWS's order, the ClientToken rules AWS shows (§6.7), the import record, and the job
//! recorded with it that reads the objects as the caller and fills the new table
//! ([`crate::jobs`]).

use serde::{Deserialize, Serialize};
use strata_dynamodb::imports::{ImportRecord, ImportStatus};

use super::access::{Conditions, TableRef, authorize_found, authorize_resource};
use super::error::{Error, Result};
use super::job_arn::{self, Refused};
use super::model::epoch_seconds;
use super::schema::{CreateTableInput, table_to_create};
use crate::jobs::{JobKind, Jobs};
use crate::{App, Caller};

/// `S3BucketSource`.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct S3BucketSource {
    /// Filled with the caller's account when not sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s3_bucket_owner: Option<String>,
    pub s3_bucket: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s3_key_prefix: Option<String>,
}

/// `CsvOptions`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CsvOptions {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub header_list: Option<Vec<String>>,
}

/// `InputFormatOptions`, echoed by DescribeImport as sent.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct InputFormatOptions {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub csv: Option<CsvOptions>,
}

#[derive(Clone, Debug, Default)]
pub struct ImportTableInput {
    pub s3_bucket_source: S3BucketSource,
    /// `DYNAMODB_JSON`, `ION` or `CSV`.
    pub input_format: String,
    pub input_format_options: Option<InputFormatOptions>,
    /// `GZIP`, `ZSTD` or `NONE`.
    pub input_compression_type: Option<String>,
    pub table_creation_parameters: CreateTableInput,
    pub client_token: Option<String>,
}

#[derive(Clone, Debug)]
pub struct DescribeImportInput {
    pub import_arn: String,
}

#[derive(Clone, Debug, Default)]
pub struct ListImportsInput {
    pub table_arn: Option<String>,
    /// 1 to 25.
    pub page_size: Option<usize>,
    pub next_token: Option<String>,
}

/// `ImportTableDescription` as AWS shows it [LIVE: ScyllaDB's `test_import.py`, measured
/// against AWS, findings 9 and 10]: the three item counters always, and zero until the import
/// ends (AWS does not publish progress); `ProcessedSizeBytes` only once something was read;
/// `EndTime` and the failure only at terminal status.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ImportTableDescription {
    pub import_arn: String,
    pub import_status: &'static str,
    pub table_arn: String,
    pub table_id: String,
    pub client_token: String,
    pub s3_bucket_source: S3BucketSource,
    pub error_count: u64,
    pub cloud_watch_log_group_arn: String,
    pub input_format: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_format_options: Option<serde_json::Value>,
    pub input_compression_type: String,
    pub table_creation_parameters: serde_json::Value,
    pub start_time: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_time: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub processed_size_bytes: Option<u64>,
    pub processed_item_count: u64,
    pub imported_item_count: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_message: Option<String>,
}

/// ImportTable's and DescribeImport's output.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ImportTableOutput {
    pub import_table_description: ImportTableDescription,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ImportSummary {
    pub import_arn: String,
    pub import_status: &'static str,
    pub table_arn: String,
    pub s3_bucket_source: S3BucketSource,
    pub cloud_watch_log_group_arn: String,
    pub input_format: String,
    pub start_time: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_time: Option<f64>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListImportsOutput {
    pub import_summary_list: Vec<ImportSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

/// ListImports' NextToken: where the last page ended (start time and ARN), as at least 112
/// lowercase hex characters in a multiple of 16 (botocore checks both client-side).
fn next_token(r: &ImportRecord) -> String {
    let mut token = hex::encode(format!("{}|{}", r.start_micros, r.import_arn));
    while token.len() < 112 || !token.len().is_multiple_of(16) {
        token.push_str("00");
    }
    token
}

/// The (start time, ARN) a NextToken names.
fn token_position(token: &str) -> Option<(i64, String)> {
    let mut bytes = hex::decode(token).ok()?;
    while bytes.last() == Some(&0) {
        bytes.pop();
    }
    let text = String::from_utf8(bytes).ok()?;
    let (start, arn) = text.split_once('|')?;
    arn.contains("/import/")
        .then(|| Some((start.parse().ok()?, arn.to_owned())))
        .flatten()
}

pub async fn import_table(
    app: &App,
    caller: &Caller,
    input: ImportTableInput,
) -> Result<ImportTableOutput> {
    if input.input_format_options.is_some() && input.input_format != "CSV" {
        return Err(Error::Validation(format!(
            "Invalid Request: Unsupported InputFormatOptions for the given input format: {}.",
            input.input_format
        )));
    }
    let account = caller.account().to_owned();
    let region = caller.region.clone();
    let parameters = &input.table_creation_parameters;
    let table_ref = TableRef {
        account: account.clone(),
        region: region.clone(),
        name: parameters.table_name.clone(),
    };
    let found = app.dynamodb.table(table_ref.scope(), &table_ref.name).ok();
    authorize_found(
        app,
        caller,
        "ImportTable",
        &table_ref,
        found.as_ref(),
        None,
        Conditions::default(),
    )?;
    let exists = found.is_some();
    let create = table_to_create(parameters)?;

    // ClientToken (spec §6.7), then the name.
    let known = match &input.client_token {
        Some(t) => app.dynamodb.import_by_token(&account, &region, t)?,
        None => None,
    };
    if let Some(known) = &known {
        if known.table_name != create.name {
            return Err(Error::ImportConflict(
                "Import conflict: Duplicate request detected with conflicting parameters".into(),
            ));
        }
        if known.status == ImportStatus::InProgress {
            return Ok(ImportTableOutput {
                import_table_description: description(known),
            });
        }
    }
    if exists {
        return Err(Error::ResourceInUse(format!(
            "Table already exists: {}",
            create.name
        )));
    }
    if let Some(known) = known {
        return Ok(ImportTableOutput {
            import_table_description: description(&known),
        });
    }

    let now = app.clock.now().as_microsecond();
    let start_ms = now.div_euclid(1000);
    let import_id = format!("{start_ms:014}-{:08x}", fastrand::u32(..));
    let table_arn = table_ref.arn();
    let source = input.s3_bucket_source;
    let record = ImportRecord {
        account: account.clone(),
        region: region.clone(),
        import_arn: format!("{table_arn}/import/{import_id}"),
        table_arn,
        table_name: create.name.clone(),
        table_id: uuid::Uuid::new_v4().to_string(),
        status: ImportStatus::InProgress,
        start_micros: start_ms * 1000,
        end_micros: None,
        client_token: input
            .client_token
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
        s3_bucket: source.s3_bucket,
        s3_bucket_owner: source.s3_bucket_owner.unwrap_or_else(|| account.clone()),
        s3_key_prefix: source.s3_key_prefix,
        input_format: input.input_format,
        input_format_options: input.input_format_options.as_ref().map(echo).transpose()?,
        input_compression_type: input
            .input_compression_type
            .unwrap_or_else(|| "NONE".to_owned()),
        table_creation_parameters: echo(parameters)?,
        processed_size_bytes: 0,
        processed_item_count: 0,
        imported_item_count: 0,
        error_count: 0,
        failure_code: None,
        failure_message: None,
        legacy_requester: None,
    };
    let job = Jobs::recorder(JobKind::Import {
        account,
        region,
        import_arn: record.import_arn.clone(),
        caller: caller.clone(),
        table: Box::new(create),
        csv: input.input_format_options.and_then(|o| o.csv),
    });
    let record = app.dynamodb.create_import(record, job).await?;
    Ok(ImportTableOutput {
        import_table_description: description(&record),
    })
}

/// A member of the request as DescribeImport echoes it, kept with the record.
fn echo<T: Serialize>(member: &T) -> Result<serde_json::Value> {
    serde_json::to_value(member).map_err(|e| Error::Internal(e.to_string()))
}

fn log_group(r: &ImportRecord) -> String {
    format!(
        "arn:aws:logs:{}:{}:log-group:/aws-dynamodb/imports:*",
        r.region, r.account
    )
}

fn source(r: &ImportRecord) -> S3BucketSource {
    S3BucketSource {
        s3_bucket_owner: Some(r.s3_bucket_owner.clone()),
        s3_bucket: r.s3_bucket.clone(),
        s3_key_prefix: r.s3_key_prefix.clone(),
    }
}

/// `ImportTableDescription` of a record.
pub fn description(r: &ImportRecord) -> ImportTableDescription {
    ImportTableDescription {
        import_arn: r.import_arn.clone(),
        import_status: r.status.as_str(),
        table_arn: r.table_arn.clone(),
        table_id: r.table_id.clone(),
        client_token: r.client_token.clone(),
        s3_bucket_source: source(r),
        error_count: r.error_count,
        cloud_watch_log_group_arn: log_group(r),
        input_format: r.input_format.clone(),
        input_format_options: r.input_format_options.clone(),
        input_compression_type: r.input_compression_type.clone(),
        table_creation_parameters: r.table_creation_parameters.clone(),
        start_time: epoch_seconds(r.start_micros),
        end_time: r.end_micros.map(epoch_seconds),
        processed_size_bytes: (r.processed_size_bytes > 0).then_some(r.processed_size_bytes),
        processed_item_count: r.processed_item_count,
        imported_item_count: r.imported_item_count,
        failure_code: r.failure_code.clone(),
        failure_message: r.failure_message.clone(),
    }
}

pub fn describe_import(
    app: &App,
    caller: &Caller,
    input: DescribeImportInput,
) -> Result<ImportTableOutput> {
    let arn = &input.import_arn;
    let (account, region) = (caller.account(), caller.region.as_str());
    let not_found = || Error::ImportNotFound(format!("Import not found: {arn}"));
    job_arn::check(arn, "import", account, region).map_err(|refused| match refused {
        Refused::Invalid => Error::validation("Invalid Import ARN"),
        Refused::AccessDenied => Error::AccessDenied(job_arn::ACCESS_DENIED.into()),
        // UNCONFIRMED message (spec §6.8); the code is AWS's.
        Refused::OtherRegion => not_found(),
    })?;
    // DescribeImport is authorized on the import's own ARN (spec iam-s3-authz §3.2).
    authorize_resource(app, caller, "DescribeImport", arn)?;
    let record = app
        .dynamodb
        .import(account, region, arn)?
        .ok_or_else(not_found)?;
    Ok(ImportTableOutput {
        import_table_description: description(&record),
    })
}

pub fn list_imports(
    app: &App,
    caller: &Caller,
    input: ListImportsInput,
) -> Result<ListImportsOutput> {
    authorize_resource(app, caller, "ListImports", "*")?;
    let after = match &input.next_token {
        Some(t) => Some(token_position(t).ok_or_else(|| {
            Error::Validation(format!(
                "Invalid Request: Provided nextToken is invalid: {t}"
            ))
        })?),
        None => None,
    };
    let mut records: Vec<ImportRecord> = app
        .dynamodb
        .imports(caller.account(), &caller.region)?
        .into_iter()
        .filter(|r| input.table_arn.as_ref().is_none_or(|t| *t == r.table_arn))
        .filter(|r| {
            after
                .as_ref()
                .is_none_or(|(start, arn)| (r.start_micros, &r.import_arn) < (*start, arn))
        })
        .collect();
    // Newest first (spec §6.8), across tables.
    records.sort_by(|a, b| (b.start_micros, &b.import_arn).cmp(&(a.start_micros, &a.import_arn)));
    let page = input.page_size.unwrap_or(10);
    let next_token = (records.len() > page)
        .then(|| records.get(page.saturating_sub(1)))
        .flatten()
        .map(next_token);
    Ok(ListImportsOutput {
        import_summary_list: records
            .iter()
            .take(page)
            .map(|r| ImportSummary {
                import_arn: r.import_arn.clone(),
                import_status: r.status.as_str(),
                table_arn: r.table_arn.clone(),
                s3_bucket_source: source(r),
                cloud_watch_log_group_arn: log_group(r),
                input_format: r.input_format.clone(),
                start_time: epoch_seconds(r.start_micros),
                end_time: r.end_micros.map(epoch_seconds),
            })
            .collect(),
        next_token,
    })
}
