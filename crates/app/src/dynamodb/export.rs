//! ExportTableToPointInTime, DescribeExport and ListExports (spec dynamodb-export-import §2):
//! AWS's checks in AWS's order with AWS's messages, the export record, and the job recorded
//! with it that writes the files as the caller ([`crate::jobs`]).

use serde::Serialize;
use serde_json::json;
use strata_dynamodb::Table;
use strata_dynamodb::exports::{ExportRecord, ExportStatus, IncrementalWindow};
use strata_dynamodb::pitr::first_restorable_second;
use strata_dynamodb::tables::parse_table_arn;

use super::access::{Conditions, TableRef, authorize_found, authorize_resource};
use super::error::{Error, Result};
use super::job_arn::{self, Refused};
use super::model::epoch_seconds;
use crate::jobs::{JobKind, Jobs};
use crate::{App, Caller};

const FIFTEEN_MINUTES: i64 = 15 * 60 * 1_000_000;
const ONE_DAY: i64 = 24 * 60 * 60 * 1_000_000;

/// `IncrementalExportSpecification` as sent; times in µs.
#[derive(Clone, Debug, Default)]
pub struct IncrementalExportSpecification {
    pub export_from_time: Option<i64>,
    pub export_to_time: Option<i64>,
    /// `NEW_IMAGE` or `NEW_AND_OLD_IMAGES`.
    pub export_view_type: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct ExportTableToPointInTimeInput {
    pub table_arn: String,
    pub s3_bucket: String,
    pub s3_bucket_owner: Option<String>,
    pub s3_prefix: Option<String>,
    pub client_token: Option<String>,
    /// `AES256` or `KMS`.
    pub s3_sse_algorithm: Option<String>,
    pub s3_sse_kms_key_id: Option<String>,
    /// `DYNAMODB_JSON` or `ION`.
    pub export_format: Option<String>,
    /// `FULL_EXPORT` or `INCREMENTAL_EXPORT`.
    pub export_type: Option<String>,
    /// µs.
    pub export_time: Option<i64>,
    pub incremental_export_specification: Option<IncrementalExportSpecification>,
}

#[derive(Clone, Debug)]
pub struct DescribeExportInput {
    pub export_arn: String,
}

#[derive(Clone, Debug, Default)]
pub struct ListExportsInput {
    pub table_arn: Option<String>,
    /// 1 to 25.
    pub max_results: Option<usize>,
    pub next_token: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct IncrementalExportSpecificationOut {
    pub export_from_time: f64,
    pub export_to_time: f64,
    pub export_view_type: String,
}

/// `ExportDescription`: members present only where AWS has them (spec §2.6).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ExportDescription {
    pub export_arn: String,
    pub export_status: &'static str,
    pub start_time: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_time: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub export_manifest: Option<String>,
    pub table_arn: String,
    pub table_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub export_time: Option<f64>,
    pub client_token: String,
    pub s3_bucket: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s3_bucket_owner: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s3_prefix: Option<String>,
    pub s3_sse_algorithm: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub s3_sse_kms_key_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_message: Option<String>,
    pub export_format: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billed_size_bytes: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_count: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub export_type: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incremental_export_specification: Option<IncrementalExportSpecificationOut>,
}

/// ExportTableToPointInTime's and DescribeExport's output.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ExportDescriptionOutput {
    pub export_description: ExportDescription,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ExportSummary {
    pub export_arn: String,
    pub export_status: &'static str,
    pub export_type: &'static str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListExportsOutput {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    pub export_summaries: Vec<ExportSummary>,
}

fn invalid_time(message: impl Into<String>) -> Error {
    Error::InvalidExportTime(message.into())
}

fn invalid_table_arn() -> Error {
    Error::invalid("tableArn is not a valid ARN")
}

pub async fn export_table_to_point_in_time(
    app: &App,
    caller: &Caller,
    input: ExportTableToPointInTimeInput,
) -> Result<ExportDescriptionOutput> {
    // The table ARN: the region is ignored (the endpoint's is used), another account's
    // table is refused.
    let table_arn = &input.table_arn;
    if !table_arn.starts_with("arn:") {
        return Err(invalid_table_arn());
    }
    if table_arn.contains("/index/") {
        return Err(Error::validation("Invalid Request: Table ARN is invalid."));
    }
    let Some((_, account, name)) = parse_table_arn(table_arn) else {
        return Err(invalid_table_arn());
    };
    if account != caller.account() {
        return Err(Error::AccessDenied("Access is denied".into()));
    }
    let table_ref = TableRef {
        account: account.to_owned(),
        region: caller.region.clone(),
        name: name.to_owned(),
    };
    let found = app.dynamodb.table(table_ref.scope(), &table_ref.name).ok();
    authorize_found(
        app,
        caller,
        "ExportTableToPointInTime",
        &table_ref,
        found.as_ref(),
        None,
        Conditions::default(),
    )?;
    let table =
        found.ok_or_else(|| Error::TableNotFound(format!("Table not found: {table_arn}")))?;

    // PITR, couplings, times.
    let spec = input.incremental_export_specification.as_ref();
    let incremental = match (input.export_type.as_deref(), spec) {
        (None, Some(_)) => {
            return Err(Error::validation(
                "Invalid Request: Export Type expected to be Incremental Export when incremental export specification is provided",
            ));
        }
        (Some("FULL_EXPORT"), Some(_)) => {
            return Err(Error::validation(
                "Invalid Request: When Export Type is Full Export , Incremental Export Specification should not be provided",
            ));
        }
        (Some("INCREMENTAL_EXPORT"), None) => {
            return Err(Error::validation(
                "Invalid Request: Incremental Export Specification expected when export type is set as Incremental Export",
            ));
        }
        (Some("INCREMENTAL_EXPORT"), Some(_)) => true,
        _ => false,
    };
    let kms_key_without_kms =
        input.s3_sse_kms_key_id.is_some() && input.s3_sse_algorithm.as_deref() != Some("KMS");
    let kms_key_error = || {
        Error::validation("Invalid Request: KMS Key Id is not supported for this encryption type")
    };
    let now = app.clock.now().as_microsecond();
    // The request as sent, for ClientToken replays (a defaulted time is not part of it).
    let sent_export_time = input.export_time.filter(|_| !incremental);
    let (from, to) = spec.map_or((None, None), |s| (s.export_from_time, s.export_to_time));
    let (export_time, window) = if incremental {
        let from = from.ok_or_else(|| {
            Error::validation(
                "Invalid Request: ExportFromTime must be provided in IncrementalExportSpecification",
            )
        })?;
        // "The table creation time" is when PITR was enabled: the start of its window.
        let enabled_at = table
            .def
            .pitr
            .map(|p| first_restorable_second(p.enabled_at_micros));
        if enabled_at.is_none_or(|earliest| from < earliest) {
            return Err(invalid_time(format!(
                "Incremental export period from time cannot be less than the table creation time : {}",
                crate::iso::seconds_from_micros(from)
            )));
        }
        let to = to.unwrap_or(now - now.rem_euclid(1_000_000));
        if to > now {
            return Err(invalid_time(format!(
                "Incremental export period to time cannot be greater than the current time : {}",
                crate::iso::seconds_from_micros(to)
            )));
        }
        if to - from < FIFTEEN_MINUTES {
            return Err(invalid_time(
                "Difference between export period from time and export period to time is less than 15 minutes",
            ));
        }
        if to - from > ONE_DAY {
            // UNCONFIRMED wording (spec §2.4).
            return Err(invalid_time(
                "Difference between export period from time and export period to time is greater than 24 hours",
            ));
        }
        if kms_key_without_kms {
            return Err(kms_key_error());
        }
        let window = IncrementalWindow {
            from_micros: from,
            to_micros: to,
            view_type: spec
                .and_then(|s| s.export_view_type.clone())
                .unwrap_or_else(|| "NEW_AND_OLD_IMAGES".to_owned()),
        };
        (None, Some(window))
    } else {
        let Some(pitr) = table.def.pitr else {
            return Err(Error::PointInTimeRecoveryUnavailable(format!(
                "Point in time recovery is not enabled for table '{}'",
                table.def.name
            )));
        };
        if kms_key_without_kms {
            return Err(kms_key_error());
        }
        let time = match input.export_time {
            None => now,
            Some(t) => {
                let (earliest, latest) = app.dynamodb.restorable_window(&pitr);
                // Within the enable's first second `earliest` (a whole second) is later than
                // now; it is still a time the window reports, and the export reads the state
                // of the snapshot it takes then, after the enable.
                if t > now.max(earliest) || t < earliest {
                    return Err(invalid_time("Export Time is invalid"));
                }
                if t > latest {
                    return Err(invalid_time(
                        "Point in Time Recovery is not available for specified export time",
                    ));
                }
                t
            }
        };
        (Some(time), None)
    };

    // The record (ClientToken replays answer the export they made).
    let start_ms = now.div_euclid(1000);
    let export_id = format!("{start_ms:014}-{:08x}", fastrand::u32(..));
    let fingerprint = json!({
        "TableArn": input.table_arn, "S3Bucket": input.s3_bucket,
        "S3BucketOwner": input.s3_bucket_owner, "S3Prefix": input.s3_prefix,
        "S3SseAlgorithm": input.s3_sse_algorithm, "S3SseKmsKeyId": input.s3_sse_kms_key_id,
        "ExportFormat": input.export_format, "ExportType": input.export_type,
        "ExportTime": sent_export_time, "From": from, "To": to,
        "View": window.as_ref().map(|w| w.view_type.clone()),
    })
    .to_string();
    let record = ExportRecord {
        account: table.def.account.clone(),
        region: table.def.region.clone(),
        export_arn: format!("{}/export/{export_id}", table.def.arn()),
        export_id,
        table_arn: table.def.arn(),
        table_name: table.def.name.clone(),
        table_id: table.def.table_id.clone(),
        table_storage_id: table.def.id,
        status: ExportStatus::InProgress,
        start_micros: start_ms * 1000,
        end_micros: None,
        export_time_micros: export_time.map(|t| if t == now { start_ms * 1000 } else { t }),
        incremental: window,
        export_type_sent: input.export_type.is_some(),
        client_token: input
            .client_token
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
        s3_bucket: input.s3_bucket,
        s3_bucket_owner: input.s3_bucket_owner,
        s3_prefix: input.s3_prefix,
        s3_sse_algorithm: input
            .s3_sse_algorithm
            .unwrap_or_else(|| "AES256".to_owned()),
        s3_sse_kms_key_id: input.s3_sse_kms_key_id,
        export_format: input
            .export_format
            .unwrap_or_else(|| "DYNAMODB_JSON".to_owned()),
        failure_code: None,
        failure_message: None,
        item_count: None,
        billed_size_bytes: None,
        export_manifest: None,
        fingerprint,
        legacy_requester: None,
    };
    let job = Jobs::recorder(JobKind::Export {
        account: record.account.clone(),
        region: record.region.clone(),
        export_arn: record.export_arn.clone(),
        caller: caller.clone(),
    });
    let record = app.dynamodb.create_export(record, job).await?;
    Ok(ExportDescriptionOutput {
        export_description: description(&record),
    })
}

fn export_type(r: &ExportRecord) -> &'static str {
    if r.incremental.is_some() {
        "INCREMENTAL_EXPORT"
    } else {
        "FULL_EXPORT"
    }
}

/// `ExportDescription` of a record.
pub fn description(r: &ExportRecord) -> ExportDescription {
    ExportDescription {
        export_arn: r.export_arn.clone(),
        export_status: r.status.as_str(),
        start_time: epoch_seconds(r.start_micros),
        end_time: r.end_micros.map(epoch_seconds),
        export_manifest: r.export_manifest.clone(),
        table_arn: r.table_arn.clone(),
        table_id: r.table_id.clone(),
        export_time: r.export_time_micros.map(epoch_seconds),
        client_token: r.client_token.clone(),
        s3_bucket: r.s3_bucket.clone(),
        s3_bucket_owner: r.s3_bucket_owner.clone(),
        s3_prefix: r.s3_prefix.clone(),
        s3_sse_algorithm: r.s3_sse_algorithm.clone(),
        s3_sse_kms_key_id: r.s3_sse_kms_key_id.clone(),
        failure_code: r.failure_code.clone(),
        failure_message: r.failure_message.clone(),
        export_format: r.export_format.clone(),
        billed_size_bytes: r.billed_size_bytes,
        item_count: r.item_count,
        export_type: r.export_type_sent.then(|| export_type(r)),
        incremental_export_specification: r.incremental.as_ref().map(|w| {
            IncrementalExportSpecificationOut {
                export_from_time: epoch_seconds(w.from_micros),
                export_to_time: epoch_seconds(w.to_micros),
                export_view_type: w.view_type.clone(),
            }
        }),
    }
}

pub fn describe_export(
    app: &App,
    caller: &Caller,
    input: DescribeExportInput,
) -> Result<ExportDescriptionOutput> {
    let arn = &input.export_arn;
    let (account, region) = (caller.account(), caller.region.as_str());
    job_arn::check(arn, "export", account, region).map_err(|refused| match refused {
        Refused::Invalid => Error::validation("Invalid Export ARN"),
        Refused::AccessDenied => Error::AccessDenied(job_arn::ACCESS_DENIED.into()),
        Refused::OtherRegion => {
            Error::ExportNotFound("Export not found: Invalid export arn".into())
        }
    })?;
    // DescribeExport is authorized on the export's own ARN (spec iam-s3-authz §3.2).
    authorize_resource(app, caller, "DescribeExport", arn)?;
    let record = app.dynamodb.export(account, region, arn)?.ok_or_else(|| {
        Error::ExportNotFound(format!("Export not found: Export not found: {arn}"))
    })?;
    Ok(ExportDescriptionOutput {
        export_description: description(&record),
    })
}

/// Authorizes ListExports on the table it filters by.
fn authorize_on(
    app: &App,
    caller: &Caller,
    table_ref: &TableRef,
    found: Option<&Table>,
) -> Result<()> {
    authorize_found(
        app,
        caller,
        "ListExports",
        table_ref,
        found,
        None,
        Conditions::default(),
    )
}

pub fn list_exports(
    app: &App,
    caller: &Caller,
    input: ListExportsInput,
) -> Result<ListExportsOutput> {
    let account = caller.account();
    let region = caller.region.as_str();
    // ListExports is authorized on the table when filtered, else on `*`.
    let filter = match &input.table_arn {
        Some(arn) => {
            let (_, arn_account, name) = parse_table_arn(arn).ok_or_else(invalid_table_arn)?;
            let table_ref = TableRef {
                account: arn_account.to_owned(),
                region: region.to_owned(),
                name: name.to_owned(),
            };
            let found = app.dynamodb.table(table_ref.scope(), name).ok();
            authorize_on(app, caller, &table_ref, found.as_ref())?;
            // Exports of a deleted (or deleted and recreated) table are not listed.
            Some(found.map(|t| t.def.id))
        }
        None => {
            authorize_resource(app, caller, "ListExports", "*")?;
            None
        }
    };
    let after = match &input.next_token {
        Some(t) => Some(
            hex::decode(t)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .filter(|s| s.starts_with("arn:"))
                .ok_or_else(|| {
                    Error::Validation(format!(
                        "Invalid Request: Provided nextToken is invalid: {t}"
                    ))
                })?,
        ),
        None => None,
    };
    let mut records: Vec<ExportRecord> = app
        .dynamodb
        .exports(account, region)?
        .into_iter()
        .filter(|r| match &filter {
            Some(id) => Some(r.table_storage_id) == *id,
            None => true,
        })
        .filter(|r| after.as_ref().is_none_or(|a| r.export_arn < *a))
        .collect();
    records.sort_by(|a, b| b.export_arn.cmp(&a.export_arn));
    let page = input.max_results.unwrap_or(10);
    let next_token = (records.len() > page)
        .then(|| records.get(page.saturating_sub(1)))
        .flatten()
        .map(|last| hex::encode(&last.export_arn));
    Ok(ListExportsOutput {
        next_token,
        export_summaries: records
            .iter()
            .take(page)
            .map(|r| ExportSummary {
                export_arn: r.export_arn.clone(),
                export_status: r.status.as_str(),
                export_type: export_type(r),
            })
            .collect(),
    })
}
