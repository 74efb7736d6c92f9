//! ImportTable, DescribeImport and ListImports (spec dynamodb-export-import §6): checks in
//! AWS's order, the ClientToken rules AWS shows (§6.7), the import record, and the job
//! recorded to read the objects and fill the new table (`strata_app::jobs`).

use serde_json::{Map, Value, json};
use strata_dynamodb::DynamoDbError;
use strata_dynamodb::imports::{ImportRecord, ImportStatus};
use strata_dynamodb::tables::parse_table_arn;

use super::control::table_to_create;
use super::describe::epoch_seconds;
use super::wire::Input;
use strata_app::App;
use strata_app::Caller;
use strata_app::dynamodb::access::{Conditions, TableRef, authorize_found, authorize_resource};
use strata_app::jobs::JobKind;

type Out = Result<Value, DynamoDbError>;

const S3_BUCKET_PATTERN: &str = r"^[a-z0-9A-Z]+[\.\-\w]*[a-z0-9A-Z]+$";

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

pub async fn import_table(app: &App, caller: &Caller, mut input: Input) -> Out {
    // Shape.
    let source = input.child("S3BucketSource")?;
    if source.is_none() {
        input.violation(
            "Value null at 's3BucketSource' failed to satisfy constraint: Member must not be null"
                .into(),
        );
    }
    let (bucket, owner, prefix) = match &source {
        Some(s) => (
            s.str("S3Bucket")?.map(str::to_owned),
            s.str("S3BucketOwner")?.map(str::to_owned),
            s.str("S3KeyPrefix")?.map(str::to_owned),
        ),
        None => (None, None, None),
    };
    if source.is_some() && bucket.is_none() {
        input.violation(
            "Value null at 's3BucketSource.s3Bucket' failed to satisfy constraint: Member must not be null".into(),
        );
    }
    if let Some(b) = &bucket
        && !super::export::s3_bucket_ok(b)
    {
        input.violation(format!(
            "Value '{b}' at 's3BucketSource.s3Bucket' failed to satisfy constraint: Member must satisfy regular expression pattern: {S3_BUCKET_PATTERN}"
        ));
    }
    if let Some(o) = &owner
        && !(o.len() == 12 && o.bytes().all(|b| b.is_ascii_digit()))
    {
        input.violation(format!(
            "Value '{o}' at 's3BucketSource.s3BucketOwner' failed to satisfy constraint: Member must satisfy regular expression pattern: [0-9]{{12}}"
        ));
    }
    let format = input.enum_str("InputFormat", &["DYNAMODB_JSON", "ION", "CSV"])?;
    if format.is_none() {
        input.violation(
            "Value null at 'inputFormat' failed to satisfy constraint: Member must not be null"
                .into(),
        );
    }
    let compression = input.enum_str("InputCompressionType", &["ZSTD", "NONE", "GZIP"])?;
    let options = input.raw("InputFormatOptions").cloned();
    let csv = input
        .child("InputFormatOptions")?
        .map(|o| o.child("Csv"))
        .transpose()?
        .flatten();
    if let Some(csv) = &csv
        && let Some(d) = csv.str("Delimiter")?
        && !(d.len() == 1 && ",;:|\t ".contains(d))
    {
        input.violation(format!(
            "Value '{d}' at 'inputFormatOptions.csv.delimiter' failed to satisfy constraint: Member must satisfy regular expression pattern: [,;:|\\t ]"
        ));
    }
    let parameters = input.raw("TableCreationParameters").cloned();
    if parameters.is_none() {
        input.violation(
            "Value null at 'tableCreationParameters' failed to satisfy constraint: Member must not be null".into(),
        );
    }
    let token = input.str("ClientToken")?.map(str::to_owned);
    input.finish()?;
    let (bucket, format, parameters) = (
        bucket.expect("checked"),
        format.expect("checked"),
        parameters.expect("checked"),
    );
    if options.is_some() && format != "CSV" {
        return Err(DynamoDbError::Validation(format!(
            "Invalid Request: Unsupported InputFormatOptions for the given input format: {format}."
        )));
    }
    let Value::Object(parameter_map) = &parameters else {
        return Err(DynamoDbError::Serialization(
            "Start of structure or map found where not expected.".into(),
        ));
    };
    let account = caller.principal.account().as_str().to_owned();
    let region = caller.region.clone();
    let mut target = None;
    let create = table_to_create(Input::from_map(parameter_map.clone()), |name| {
        let table_ref = TableRef {
            account: account.clone(),
            region: region.clone(),
            name: name.to_owned(),
        };
        let found = app.dynamodb.table(table_ref.scope(), name).ok();
        authorize_found(
            app,
            caller,
            "ImportTable",
            &table_ref,
            found.as_ref(),
            None,
            Conditions::default(),
        )?;
        target = Some((table_ref, found.is_some()));
        Ok(())
    })?;
    let (table_ref, exists) = target.expect("authorized before the table was built");

    // ClientToken (spec §6.7), then the name.
    let known = match &token {
        Some(t) => app.dynamodb.import_by_token(&account, &region, t)?,
        None => None,
    };
    if let Some(known) = &known {
        if known.table_name != create.name {
            return Err(DynamoDbError::ImportConflict(
                "Import conflict: Duplicate request detected with conflicting parameters".into(),
            ));
        }
        if known.status == ImportStatus::InProgress {
            return Ok(json!({"ImportTableDescription": description(known)}));
        }
    }
    if exists {
        return Err(DynamoDbError::ResourceInUse(format!(
            "Table already exists: {}",
            create.name
        )));
    }
    if let Some(known) = known {
        return Ok(json!({"ImportTableDescription": description(&known)}));
    }

    let now = app.clock.now().as_microsecond();
    let start_ms = now.div_euclid(1000);
    let import_id = format!("{start_ms:014}-{:08x}", fastrand::u32(..));
    let table_arn = format!(
        "arn:aws:dynamodb:{}:{}:table/{}",
        table_ref.region, table_ref.account, create.name
    );
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
        client_token: token.unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
        s3_bucket: bucket,
        s3_bucket_owner: owner.unwrap_or_else(|| account.clone()),
        s3_key_prefix: prefix,
        input_format: format,
        input_format_options: options,
        input_compression_type: compression.unwrap_or_else(|| "NONE".to_owned()),
        table_creation_parameters: parameters,
        processed_size_bytes: 0,
        processed_item_count: 0,
        imported_item_count: 0,
        error_count: 0,
        failure_code: None,
        failure_message: None,
        legacy_requester: None,
    };
    let job = app.jobs.recorder(
        JobKind::Import {
            account,
            region,
            import_arn: record.import_arn.clone(),
            table: Box::new(create),
        },
        Some(caller.clone()),
    );
    let record = app.dynamodb.create_import(record, job).await?;
    app.jobs.wake();
    Ok(json!({"ImportTableDescription": description(&record)}))
}

/// `ImportTableDescription`: counters always, the end and failure at terminal status.
pub fn description(r: &ImportRecord) -> Value {
    let mut source = Map::new();
    source.insert("S3BucketOwner".into(), r.s3_bucket_owner.clone().into());
    source.insert("S3Bucket".into(), r.s3_bucket.clone().into());
    if let Some(p) = &r.s3_key_prefix {
        source.insert("S3KeyPrefix".into(), p.clone().into());
    }
    let mut o = Map::new();
    o.insert("ImportArn".into(), r.import_arn.clone().into());
    o.insert("ImportStatus".into(), r.status.as_str().into());
    o.insert("TableArn".into(), r.table_arn.clone().into());
    o.insert("TableId".into(), r.table_id.clone().into());
    o.insert("ClientToken".into(), r.client_token.clone().into());
    o.insert("S3BucketSource".into(), Value::Object(source));
    o.insert("ErrorCount".into(), r.error_count.into());
    o.insert("CloudWatchLogGroupArn".into(), log_group(r).into());
    o.insert("InputFormat".into(), r.input_format.clone().into());
    if let Some(options) = &r.input_format_options {
        o.insert("InputFormatOptions".into(), options.clone());
    }
    o.insert(
        "InputCompressionType".into(),
        r.input_compression_type.clone().into(),
    );
    o.insert(
        "TableCreationParameters".into(),
        r.table_creation_parameters.clone(),
    );
    o.insert("StartTime".into(), epoch_seconds(r.start_micros));
    if let Some(end) = r.end_micros {
        o.insert("EndTime".into(), epoch_seconds(end));
    }
    o.insert("ProcessedSizeBytes".into(), r.processed_size_bytes.into());
    o.insert("ProcessedItemCount".into(), r.processed_item_count.into());
    o.insert("ImportedItemCount".into(), r.imported_item_count.into());
    if let Some(code) = &r.failure_code {
        o.insert("FailureCode".into(), code.clone().into());
    }
    if let Some(message) = &r.failure_message {
        o.insert("FailureMessage".into(), message.clone().into());
    }
    Value::Object(o)
}

fn log_group(r: &ImportRecord) -> String {
    format!(
        "arn:aws:logs:{}:{}:log-group:/aws-dynamodb/imports:*",
        r.region, r.account
    )
}

fn parse_import_arn(arn: &str) -> Option<(&str, &str, &str)> {
    let (table_arn, id) = arn.rsplit_once("/import/")?;
    let (digits, suffix) = id.split_once('-')?;
    if digits.len() != 14 || !digits.bytes().all(|b| b.is_ascii_digit()) || suffix.len() != 8 {
        return None;
    }
    parse_table_arn(table_arn)
}

pub fn describe_import(app: &App, caller: &Caller, mut input: Input) -> Out {
    let arn = input.required_str("ImportArn")?;
    input.finish()?;
    let arn = arn.expect("checked by finish");
    let Some((region, account, _)) = parse_import_arn(&arn) else {
        return Err(DynamoDbError::Validation("Invalid Import ARN".into()));
    };
    if account != caller.principal.account().as_str() {
        return Err(DynamoDbError::AccessDenied("Access is denied".into()));
    }
    // DescribeImport is authorized on the import's own ARN (spec iam-s3-authz §3.2).
    authorize_resource(app, caller, "DescribeImport", &arn)?;
    let record = app
        .dynamodb
        .import(account, region, &arn)?
        .filter(|_| region == caller.region)
        .ok_or_else(|| DynamoDbError::ImportNotFound(format!("Import not found: {arn}")))?;
    Ok(json!({"ImportTableDescription": description(&record)}))
}

pub fn list_imports(app: &App, caller: &Caller, mut input: Input) -> Out {
    let table_arn = input.str("TableArn")?.map(str::to_owned);
    let size = input.int("PageSize")?;
    if let Some(n) = size
        && !(1..=25).contains(&n)
    {
        input.violation(format!(
            "Value '{n}' at 'pageSize' failed to satisfy constraint: Member must have value {}",
            if n < 1 {
                "greater than or equal to 1"
            } else {
                "less than or equal to 25"
            }
        ));
    }
    let token = input.str("NextToken")?.map(str::to_owned);
    input.finish()?;
    let account = caller.principal.account().as_str();
    authorize_resource(app, caller, "ListImports", "*")?;
    let after = match &token {
        Some(t) => Some(token_position(t).ok_or_else(|| {
            DynamoDbError::Validation(format!(
                "Invalid Request: Provided nextToken is invalid: {t}"
            ))
        })?),
        None => None,
    };
    let mut records: Vec<ImportRecord> = app
        .dynamodb
        .imports(account, &caller.region)?
        .into_iter()
        .filter(|r| table_arn.as_ref().is_none_or(|t| *t == r.table_arn))
        .filter(|r| {
            after
                .as_ref()
                .is_none_or(|(start, arn)| (r.start_micros, &r.import_arn) < (*start, arn))
        })
        .collect();
    // Newest first (spec §6.8), across tables.
    records.sort_by(|a, b| (b.start_micros, &b.import_arn).cmp(&(a.start_micros, &a.import_arn)));
    let page = size.unwrap_or(10) as usize;
    let more = records.len() > page;
    let summaries: Vec<Value> = records
        .iter()
        .take(page)
        .map(|r| {
            let mut s = Map::new();
            s.insert("ImportArn".into(), r.import_arn.clone().into());
            s.insert("ImportStatus".into(), r.status.as_str().into());
            s.insert("TableArn".into(), r.table_arn.clone().into());
            let mut source = Map::new();
            source.insert("S3BucketOwner".into(), r.s3_bucket_owner.clone().into());
            source.insert("S3Bucket".into(), r.s3_bucket.clone().into());
            if let Some(p) = &r.s3_key_prefix {
                source.insert("S3KeyPrefix".into(), p.clone().into());
            }
            s.insert("S3BucketSource".into(), Value::Object(source));
            s.insert("CloudWatchLogGroupArn".into(), log_group(r).into());
            s.insert("InputFormat".into(), r.input_format.clone().into());
            s.insert("StartTime".into(), epoch_seconds(r.start_micros));
            if let Some(end) = r.end_micros {
                s.insert("EndTime".into(), epoch_seconds(end));
            }
            Value::Object(s)
        })
        .collect();
    let mut out = Map::new();
    out.insert("ImportSummaryList".into(), Value::Array(summaries));
    if more && let Some(last) = records.get(page - 1) {
        out.insert("NextToken".into(), next_token(last).into());
    }
    Ok(Value::Object(out))
}
