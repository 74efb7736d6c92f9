//! ExportTableToPointInTime, DescribeExport and ListExports (spec dynamodb-export-import
//! §2): validation in AWS's order with AWS's messages, the export record, and the job
//! recorded to write the files (`strata_app::jobs`).

use serde_json::{Map, Value, json};
use strata_dynamodb::exports::{ExportRecord, ExportStatus, IncrementalWindow};
use strata_dynamodb::tables::parse_table_arn;
use strata_dynamodb::{DynamoDbError, Table};

use super::describe::{epoch_seconds, iso_seconds};
use super::wire::Input;
use strata_app::App;
use strata_app::Caller;
use strata_app::dynamodb::access::{Conditions, TableRef, authorize_found, authorize_resource};
use strata_app::jobs::JobKind;

type Out = Result<Value, DynamoDbError>;

const S3_BUCKET_PATTERN: &str = r"^[a-z0-9A-Z]+[\.\-\w]*[a-z0-9A-Z]+$";
const FIFTEEN_MINUTES: i64 = 15 * 60 * 1_000_000;
const ONE_DAY: i64 = 24 * 60 * 60 * 1_000_000;

fn invalid_time(message: impl Into<String>) -> DynamoDbError {
    DynamoDbError::InvalidExportTime(message.into())
}

pub(super) fn s3_bucket_ok(name: &str) -> bool {
    let bytes = name.as_bytes();
    let edge = |b: u8| b.is_ascii_alphanumeric();
    bytes.len() >= 2
        && edge(bytes[0])
        && edge(bytes[bytes.len() - 1])
        && bytes
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

pub async fn export_table_to_point_in_time(app: &App, caller: &Caller, mut input: Input) -> Out {
    // 1. Shape.
    let table_arn = input.required_str("TableArn")?;
    let bucket = input.required_str("S3Bucket")?;
    if let Some(b) = &bucket
        && (!s3_bucket_ok(b) || b.len() > 255)
    {
        input.violation(format!(
            "Value '{b}' at 's3Bucket' failed to satisfy constraint: Member must satisfy regular expression pattern: {S3_BUCKET_PATTERN}"
        ));
    }
    let owner = input.str("S3BucketOwner")?.map(str::to_owned);
    if let Some(o) = &owner
        && !(o.len() == 12 && o.bytes().all(|b| b.is_ascii_digit()))
    {
        input.violation(format!(
            "Value '{o}' at 's3BucketOwner' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9]{{12}}"
        ));
    }
    let prefix = input.str("S3Prefix")?.map(str::to_owned);
    if prefix.as_deref() == Some("") {
        input.violation(
            "Value '' at 's3Prefix' failed to satisfy constraint: Member must have length greater than or equal to 1"
                .to_owned(),
        );
    }
    let token = input.str("ClientToken")?.map(str::to_owned);
    if let Some(t) = &token
        && (t.is_empty() || t.contains('$'))
    {
        input.violation(format!(
            "Value '{t}' at 'clientToken' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[^\\$]+$"
        ));
    }
    let sse = input.enum_str("S3SseAlgorithm", &["AES256", "KMS"])?;
    let kms_key = input.str("S3SseKmsKeyId")?.map(str::to_owned);
    let format = input.enum_str("ExportFormat", &["ION", "DYNAMODB_JSON"])?;
    let export_type = input.enum_str("ExportType", &["FULL_EXPORT", "INCREMENTAL_EXPORT"])?;
    let export_time = input.timestamp("ExportTime")?;
    let spec = input.child("IncrementalExportSpecification")?;
    let (from, to, view) = match &spec {
        Some(spec) => {
            let view = spec.str("ExportViewType")?.map(str::to_owned);
            if let Some(v) = &view
                && !matches!(v.as_str(), "NEW_IMAGE" | "NEW_AND_OLD_IMAGES")
            {
                input.violation(format!(
                    "Value '{v}' at 'incrementalExportSpecification.exportViewType' failed to satisfy constraint: Member must satisfy enum value set: [NEW_IMAGE, NEW_AND_OLD_IMAGES]"
                ));
            }
            (
                spec.timestamp("ExportFromTime")?,
                spec.timestamp("ExportToTime")?,
                view,
            )
        }
        None => (None, None, None),
    };
    input.finish()?;
    let table_arn = table_arn.expect("checked by finish");
    let bucket = bucket.expect("checked by finish");

    // 2. The table ARN: the region is ignored (the endpoint's is used), another account's
    // table is refused.
    if !table_arn.starts_with("arn:") {
        return Err(DynamoDbError::Validation(
            "One or more parameter values were invalid: tableArn is not a valid ARN".into(),
        ));
    }
    if table_arn.contains("/index/") {
        return Err(DynamoDbError::Validation(
            "Invalid Request: Table ARN is invalid.".into(),
        ));
    }
    let Some((_, account, name)) = parse_table_arn(&table_arn) else {
        return Err(DynamoDbError::Validation(
            "One or more parameter values were invalid: tableArn is not a valid ARN".into(),
        ));
    };
    if account != caller.principal.account().as_str() {
        return Err(DynamoDbError::AccessDenied("Access is denied".into()));
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
    // 4. The table.
    let table = found
        .ok_or_else(|| DynamoDbError::TableNotFound(format!("Table not found: {table_arn}")))?;

    // 5–7. PITR, couplings, times.
    let incremental = match (export_type.as_deref(), &spec) {
        (None, Some(_)) => {
            return Err(DynamoDbError::Validation(
                "Invalid Request: Export Type expected to be Incremental Export when incremental export specification is provided".into(),
            ));
        }
        (Some("FULL_EXPORT"), Some(_)) => {
            return Err(DynamoDbError::Validation(
                "Invalid Request: When Export Type is Full Export , Incremental Export Specification should not be provided".into(),
            ));
        }
        (Some("INCREMENTAL_EXPORT"), None) => {
            return Err(DynamoDbError::Validation(
                "Invalid Request: Incremental Export Specification expected when export type is set as Incremental Export".into(),
            ));
        }
        (Some("INCREMENTAL_EXPORT"), Some(_)) => true,
        _ => false,
    };
    let now = app.clock.now().as_microsecond();
    // The request as sent, for ClientToken replays (a defaulted time is not part of it).
    let sent_export_time = export_time.filter(|_| !incremental);
    let (export_time, window) = if incremental {
        let from = from.ok_or_else(|| {
            DynamoDbError::Validation(
                "Invalid Request: ExportFromTime must be provided in IncrementalExportSpecification"
                    .into(),
            )
        })?;
        let enabled_at = table.def.pitr.map(|p| p.enabled_at_micros);
        if enabled_at.is_none_or(|enabled| from < enabled - enabled.rem_euclid(1_000_000)) {
            return Err(invalid_time(format!(
                "Incremental export period from time cannot be less than the table creation time : {}",
                iso_seconds(from)
            )));
        }
        let to = to.unwrap_or(now - now.rem_euclid(1_000_000));
        if to > now {
            return Err(invalid_time(format!(
                "Incremental export period to time cannot be greater than the current time : {}",
                iso_seconds(to)
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
        let window = IncrementalWindow {
            from_micros: from,
            to_micros: to,
            view_type: view.unwrap_or_else(|| "NEW_AND_OLD_IMAGES".to_owned()),
        };
        (None, Some(window))
    } else {
        let Some(pitr) = table.def.pitr else {
            return Err(DynamoDbError::PointInTimeRecoveryUnavailable(format!(
                "Point in time recovery is not enabled for table '{}'",
                table.def.name
            )));
        };
        if kms_key.is_some() && sse.as_deref() != Some("KMS") {
            return Err(DynamoDbError::Validation(
                "Invalid Request: KMS Key Id is not supported for this encryption type".into(),
            ));
        }
        let time = match export_time {
            None => now,
            Some(t) => {
                let (earliest, latest) = app.dynamodb.restorable_window(&pitr);
                if t > now || t < earliest {
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
    if incremental && kms_key.is_some() && sse.as_deref() != Some("KMS") {
        return Err(DynamoDbError::Validation(
            "Invalid Request: KMS Key Id is not supported for this encryption type".into(),
        ));
    }

    // 9. The record (ClientToken replays answer the export they made).
    let start_ms = now.div_euclid(1000);
    let export_id = format!("{start_ms:014}-{:08x}", fastrand::u32(..));
    let fingerprint = json!({
        "TableArn": table_arn, "S3Bucket": bucket, "S3BucketOwner": owner, "S3Prefix": prefix,
        "S3SseAlgorithm": sse, "S3SseKmsKeyId": kms_key, "ExportFormat": format,
        "ExportType": export_type, "ExportTime": sent_export_time,
        "From": from, "To": to, "View": window.as_ref().map(|w| w.view_type.clone()),
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
        export_type_sent: export_type.is_some(),
        client_token: token.unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
        s3_bucket: bucket,
        s3_bucket_owner: owner,
        s3_prefix: prefix,
        s3_sse_algorithm: sse.unwrap_or_else(|| "AES256".to_owned()),
        s3_sse_kms_key_id: kms_key,
        export_format: format.unwrap_or_else(|| "DYNAMODB_JSON".to_owned()),
        failure_code: None,
        failure_message: None,
        item_count: None,
        billed_size_bytes: None,
        export_manifest: None,
        fingerprint,
        legacy_requester: None,
    };
    let job = app.jobs.recorder(
        JobKind::Export {
            account: record.account.clone(),
            region: record.region.clone(),
            export_arn: record.export_arn.clone(),
        },
        Some(caller.clone()),
    );
    let (record, created) = app.dynamodb.create_export(record, job).await?;
    if created {
        app.jobs.wake();
    }
    Ok(json!({"ExportDescription": description(&record)}))
}

/// `ExportDescription`: members present only where AWS has them (spec §2.6).
pub fn description(r: &ExportRecord) -> Value {
    let mut o = Map::new();
    o.insert("ExportArn".into(), r.export_arn.clone().into());
    o.insert("ExportStatus".into(), r.status.as_str().into());
    o.insert("StartTime".into(), epoch_seconds(r.start_micros));
    if let Some(end) = r.end_micros {
        o.insert("EndTime".into(), epoch_seconds(end));
    }
    if let Some(manifest) = &r.export_manifest {
        o.insert("ExportManifest".into(), manifest.clone().into());
    }
    o.insert("TableArn".into(), r.table_arn.clone().into());
    o.insert("TableId".into(), r.table_id.clone().into());
    if let Some(t) = r.export_time_micros {
        o.insert("ExportTime".into(), epoch_seconds(t));
    }
    o.insert("ClientToken".into(), r.client_token.clone().into());
    o.insert("S3Bucket".into(), r.s3_bucket.clone().into());
    if let Some(owner) = &r.s3_bucket_owner {
        o.insert("S3BucketOwner".into(), owner.clone().into());
    }
    if let Some(prefix) = &r.s3_prefix {
        o.insert("S3Prefix".into(), prefix.clone().into());
    }
    o.insert("S3SseAlgorithm".into(), r.s3_sse_algorithm.clone().into());
    if let Some(key) = &r.s3_sse_kms_key_id {
        o.insert("S3SseKmsKeyId".into(), key.clone().into());
    }
    if let Some(code) = &r.failure_code {
        o.insert("FailureCode".into(), code.clone().into());
    }
    if let Some(message) = &r.failure_message {
        o.insert("FailureMessage".into(), message.clone().into());
    }
    o.insert("ExportFormat".into(), r.export_format.clone().into());
    if let Some(n) = r.billed_size_bytes {
        o.insert("BilledSizeBytes".into(), n.into());
    }
    if let Some(n) = r.item_count {
        o.insert("ItemCount".into(), n.into());
    }
    if r.export_type_sent {
        o.insert("ExportType".into(), export_type(r).into());
    }
    if let Some(w) = &r.incremental {
        o.insert(
            "IncrementalExportSpecification".into(),
            json!({
                "ExportFromTime": epoch_seconds(w.from_micros),
                "ExportToTime": epoch_seconds(w.to_micros),
                "ExportViewType": w.view_type,
            }),
        );
    }
    Value::Object(o)
}

fn export_type(r: &ExportRecord) -> &'static str {
    if r.incremental.is_some() {
        "INCREMENTAL_EXPORT"
    } else {
        "FULL_EXPORT"
    }
}

/// `…:table/NAME/export/ID` → (region, account, table name).
fn parse_export_arn(arn: &str) -> Option<(&str, &str, &str)> {
    let (table_arn, id) = arn.rsplit_once("/export/")?;
    let (digits, suffix) = id.split_once('-')?;
    if digits.len() != 14
        || !digits.bytes().all(|b| b.is_ascii_digit())
        || suffix.len() != 8
        || !suffix.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return None;
    }
    parse_table_arn(table_arn)
}

/// Authorizes `operation` on the export's table (or, for ListExports, `*`).
fn authorize_on(
    app: &App,
    caller: &Caller,
    operation: &str,
    table_ref: &TableRef,
    found: Option<&Table>,
) -> Result<(), DynamoDbError> {
    authorize_found(
        app,
        caller,
        operation,
        table_ref,
        found,
        None,
        Conditions::default(),
    )
}

pub fn describe_export(app: &App, caller: &Caller, mut input: Input) -> Out {
    let arn = input.required_str("ExportArn")?;
    if let Some(a) = &arn
        && !(37..=1024).contains(&a.len())
    {
        input.violation(format!(
            "Value '{a}' at 'exportArn' failed to satisfy constraint: Member must have length {}",
            if a.len() < 37 {
                "greater than or equal to 37"
            } else {
                "less than or equal to 1024"
            }
        ));
    }
    input.finish()?;
    let arn = arn.expect("checked by finish");
    let Some((region, account, _)) = parse_export_arn(&arn).filter(|_| arn.starts_with("arn:"))
    else {
        return Err(DynamoDbError::Validation("Invalid Export ARN".into()));
    };
    if account != caller.principal.account().as_str() {
        return Err(DynamoDbError::AccessDenied("Access is denied".into()));
    }
    if region != caller.region {
        return Err(DynamoDbError::ExportNotFound(
            "Export not found: Invalid export arn".into(),
        ));
    }
    // DescribeExport is authorized on the export's own ARN (spec iam-s3-authz §3.2).
    authorize_resource(app, caller, "DescribeExport", &arn)?;
    let record = app.dynamodb.export(account, region, &arn)?.ok_or_else(|| {
        DynamoDbError::ExportNotFound(format!("Export not found: Export not found: {arn}"))
    })?;
    Ok(json!({"ExportDescription": description(&record)}))
}

pub fn list_exports(app: &App, caller: &Caller, mut input: Input) -> Out {
    let table_arn = input.str("TableArn")?.map(str::to_owned);
    let max = input.int("MaxResults")?;
    if let Some(m) = max
        && !(1..=25).contains(&m)
    {
        input.violation(format!(
            "Value '{m}' at 'maxResults' failed to satisfy constraint: Member must have value {}",
            if m < 1 {
                "greater than or equal to 1"
            } else {
                "less than or equal to 25"
            }
        ));
    }
    let token = input.str("NextToken")?.map(str::to_owned);
    input.finish()?;
    let account = caller.principal.account().as_str();
    let region = caller.region.as_str();
    // ListExports is authorized on the table when filtered, else on `*`.
    let filter = match &table_arn {
        Some(arn) => {
            let (_, arn_account, name) = parse_table_arn(arn).ok_or_else(|| {
                DynamoDbError::Validation(
                    "One or more parameter values were invalid: tableArn is not a valid ARN".into(),
                )
            })?;
            let table_ref = TableRef {
                account: arn_account.to_owned(),
                region: region.to_owned(),
                name: name.to_owned(),
            };
            let found = app.dynamodb.table(table_ref.scope(), name).ok();
            authorize_on(app, caller, "ListExports", &table_ref, found.as_ref())?;
            // Exports of a deleted (or deleted and recreated) table are not listed.
            Some(found.map(|t| t.def.id))
        }
        None => {
            authorize_resource(app, caller, "ListExports", "*")?;
            None
        }
    };
    let after = match &token {
        Some(t) => Some(
            hex::decode(t)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .filter(|s| s.starts_with("arn:"))
                .ok_or_else(|| {
                    DynamoDbError::Validation(format!(
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
        .collect();
    records.sort_by(|a, b| b.export_arn.cmp(&a.export_arn));
    let records: Vec<ExportRecord> = records
        .into_iter()
        .filter(|r| after.as_ref().is_none_or(|a| r.export_arn < *a))
        .collect();
    let page = max.unwrap_or(10) as usize;
    let more = records.len() > page;
    let summaries: Vec<Value> = records
        .iter()
        .take(page)
        .map(|r| {
            json!({
                "ExportArn": r.export_arn,
                "ExportStatus": r.status.as_str(),
                "ExportType": export_type(r),
            })
        })
        .collect();
    let mut out = Map::new();
    if more && let Some(last) = records.get(page - 1) {
        out.insert("NextToken".into(), hex::encode(&last.export_arn).into());
    }
    out.insert("ExportSummaries".into(), Value::Array(summaries));
    Ok(Value::Object(out))
}
