//! The import job: reads every object under `S3KeyPrefix` **as the caller** (s3:ListBucket
//! then s3:GetObject, through S3 authorization, with `S3BucketOwner` as the expected owner),
//! decompresses it (GZIP, ZSTD or NONE), parses its records (DynamoDB JSON, Ion or CSV) and
//! writes the valid items into the new table in batches through the normal write path.
//!
//! The table is created only once the bucket is known to exist and be listable, as on AWS
//! (a missing bucket fails the import and creates nothing). Record errors follow AWS's
//! counting (spec §6.5): an invalid record costs one error and reading goes on; data that
//! does not parse costs one error and ends its object. Any error makes the import FAILED with
//! `ItemValidationError` while the table keeps every valid item.

use std::collections::{BTreeMap, HashSet};
use std::io::Read as _;

use strata_dynamodb::imports::{ImportRecord, ImportStatus};
use strata_dynamodb::items::{Action, ItemWrite};
use strata_dynamodb::schema::ScalarType;
use strata_dynamodb::{Scope, Table};
use strata_dynamodb_item::Item;
use strata_export_format::import::{self, KeyType, RecordError, Records};
use strata_s3::ListQuery;

use super::Failure;
use crate::auth::Caller;
use crate::services::dynamodb::table_to_create;
use crate::services::s3::access::authorize_explained;
use crate::services::s3::identity::Requester;
use crate::state::ServerState;

/// Items written per batch.
const BATCH: usize = 256;

/// What an import counted.
#[derive(Clone, Copy, Debug, Default)]
struct Counts {
    processed_size_bytes: u64,
    processed_item_count: u64,
    imported_item_count: u64,
    error_count: u64,
}

/// Runs the import `arn` to its end, unless it already ended.
pub async fn run(state: &ServerState, account: &str, region: &str, arn: &str) {
    let record = match state.dynamodb.import(account, region, arn) {
        Ok(Some(record)) if record.status == ImportStatus::InProgress => record,
        Ok(_) => return,
        Err(err) => {
            tracing::error!(import = arn, error = %err, "cannot load an import");
            return;
        }
    };
    let mut counts = Counts::default();
    let outcome = import(state, &record, &mut counts).await;
    let end = {
        let now = state.clock.now().as_microsecond();
        now - now.rem_euclid(1000)
    };
    let (status, failure) = match outcome {
        Ok(()) if counts.error_count == 0 => (ImportStatus::Completed, None),
        Ok(()) => (
            ImportStatus::Failed,
            Some(Failure {
                code: "ItemValidationError",
                message: "Some of the items failed validation checks and were not imported. Please check CloudWatch error logs for more details.".to_owned(),
            }),
        ),
        Err(failure) => (ImportStatus::Failed, Some(failure)),
    };
    tracing::info!(
        import = arn,
        status = status.as_str(),
        imported = counts.imported_item_count,
        errors = counts.error_count,
        "import ended"
    );
    let result = state
        .dynamodb
        .update_import(&record, move |r| {
            r.status = status;
            r.end_micros = Some(end);
            r.processed_size_bytes = counts.processed_size_bytes;
            r.processed_item_count = counts.processed_item_count;
            r.imported_item_count = counts.imported_item_count;
            r.error_count = counts.error_count;
            if let Some(f) = failure {
                r.failure_code = Some(f.code.to_owned());
                r.failure_message = Some(f.message);
            }
        })
        .await;
    if let Err(err) = result {
        tracing::error!(import = arn, error = %err, "cannot record the end of an import");
    }
}

async fn import(
    state: &ServerState,
    record: &ImportRecord,
    counts: &mut Counts,
) -> Result<(), Failure> {
    let caller: Caller =
        serde_json::from_value(record.requester.clone()).map_err(Failure::internal)?;
    let requester = Requester::Signed(Box::new(caller));
    let expected = Some(record.s3_bucket_owner.as_str());
    let bucket = state
        .s3
        .bucket(&record.s3_bucket)
        .map_err(Failure::engine)?;
    authorize_explained(state, &requester, "s3:ListBucket", &bucket, None, expected)
        .map_err(Failure::from)?;

    let scope = Scope {
        account: &record.account,
        region: &record.region,
    };
    let serde_json::Value::Object(parameters) = &record.table_creation_parameters else {
        return Err(Failure::internal(
            "stored TableCreationParameters are not an object",
        ));
    };
    let mut create = table_to_create(
        crate::services::dynamodb::Input::from_map(parameters.clone()),
        |_| Ok(()),
    )
    .map_err(Failure::internal)?;
    create.table_id = Some(record.table_id.clone());
    let table = match state.dynamodb.table(scope, &record.table_name) {
        // A resumed import finds the table it created.
        Ok(table) if table.def.table_id == record.table_id => table,
        _ => state
            .dynamodb
            .create_table(scope, create)
            .await
            .map_err(|e| Failure {
                code: "TableAlreadyExists",
                message: e.to_string(),
            })?,
    };
    let key_types = key_types(&table);
    let format = record.input_format.clone();
    let (delimiter, header) = csv_options(record);

    let prefix = record.s3_key_prefix.clone().unwrap_or_default();
    let mut after = None;
    loop {
        let page = state
            .s3
            .list_objects(
                &bucket.name,
                &ListQuery {
                    prefix: prefix.clone(),
                    delimiter: None,
                    after: after.clone(),
                    max_keys: 1000,
                },
            )
            .map_err(Failure::internal)?;
        for object in &page.objects {
            authorize_explained(
                state,
                &requester,
                "s3:GetObject",
                &bucket,
                Some(&object.key),
                expected,
            )
            .map_err(Failure::from)?;
            if object.size == 0 {
                continue;
            }
            let Some(text) = read_object(
                state,
                &bucket.name,
                &object.key,
                &record.input_compression_type,
                counts,
            )
            .await?
            else {
                continue;
            };
            let (format, header, key_types) = (format.clone(), header.clone(), key_types.clone());
            let records: Records = tokio::task::spawn_blocking(move || match format.as_str() {
                "ION" => import::ion(&text),
                "CSV" => import::csv(&text, delimiter, header.as_deref(), &key_types),
                _ => import::dynamodb_json(&text),
            })
            .await
            .map_err(Failure::internal)?;
            write_records(state, &table, records, counts).await?;
            // Counters move while the import runs, as DescribeImport shows them.
            let now = *counts;
            state
                .dynamodb
                .update_import(record, move |r| {
                    r.processed_size_bytes = now.processed_size_bytes;
                    r.processed_item_count = now.processed_item_count;
                    r.imported_item_count = now.imported_item_count;
                    r.error_count = now.error_count;
                })
                .await
                .map_err(Failure::internal)?;
        }
        if !page.is_truncated {
            return Ok(());
        }
        after = page.last;
    }
}

/// The object's bytes, decompressed and as text; `None` (one error counted) when they are
/// not what the compression type says or not UTF-8.
async fn read_object(
    state: &ServerState,
    bucket: &str,
    key: &str,
    compression: &str,
    counts: &mut Counts,
) -> Result<Option<String>, Failure> {
    let object = state
        .s3
        .get_object(bucket, key)
        .map_err(Failure::internal)?;
    let mut reader = state
        .s3
        .read_object(&object, 0, object.meta.size)
        .await
        .map_err(Failure::internal)?;
    let mut bytes = Vec::with_capacity(object.meta.size as usize);
    while let Some(chunk) = reader.next_chunk().await.map_err(Failure::internal)? {
        bytes.extend_from_slice(&chunk);
    }
    let decompressed = match compression {
        "GZIP" => {
            let mut out = Vec::new();
            flate2::read::MultiGzDecoder::new(bytes.as_slice())
                .read_to_end(&mut out)
                .map(|_| out)
        }
        "ZSTD" => zstd::decode_all(bytes.as_slice()),
        _ => Ok(bytes),
    };
    let Ok(decompressed) = decompressed else {
        counts.error_count += 1;
        return Ok(None);
    };
    counts.processed_size_bytes += decompressed.len() as u64;
    match String::from_utf8(decompressed) {
        Ok(text) => Ok(Some(text)),
        Err(_) => {
            counts.error_count += 1;
            Ok(None)
        }
    }
}

async fn write_records(
    state: &ServerState,
    table: &Table,
    records: Records,
    counts: &mut Counts,
) -> Result<(), Failure> {
    let schema = &table.def.key_schema;
    let mut batch = Vec::with_capacity(BATCH);
    let mut keys_in_batch: HashSet<Vec<u8>> = HashSet::new();
    for record in records {
        counts.processed_item_count += 1;
        let item: Item = match record {
            Ok(item) => item,
            Err(RecordError::Invalid(_) | RecordError::Unparseable(_)) => {
                counts.error_count += 1;
                continue;
            }
        };
        let key = schema.key_of(&item);
        let write = match ItemWrite::new(table.clone(), key, Action::Put(item), None) {
            Ok(write) => write,
            Err(_) => {
                counts.error_count += 1;
                continue;
            }
        };
        // Duplicate keys: the last one wins, as on AWS; one batch may not hold both.
        if !keys_in_batch.insert(write.encoded_key.clone()) || batch.len() == BATCH {
            flush(state, &mut batch, counts).await?;
            keys_in_batch.clear();
            keys_in_batch.insert(write.encoded_key.clone());
        }
        batch.push(write);
    }
    flush(state, &mut batch, counts).await
}

async fn flush(
    state: &ServerState,
    batch: &mut Vec<ItemWrite>,
    counts: &mut Counts,
) -> Result<(), Failure> {
    if batch.is_empty() {
        return Ok(());
    }
    let writes = std::mem::take(batch);
    let n = writes.len() as u64;
    state
        .dynamodb
        .batch_write_item(writes)
        .await
        .map_err(Failure::internal)?;
    counts.imported_item_count += n;
    Ok(())
}

/// The declared types of the table's and its indexes' key attributes (CSV typing).
fn key_types(table: &Table) -> BTreeMap<String, KeyType> {
    table
        .def
        .attribute_definitions
        .iter()
        .map(|d| {
            let t = match d.attribute_type {
                ScalarType::S => KeyType::S,
                ScalarType::N => KeyType::N,
                ScalarType::B => KeyType::B,
            };
            (d.name.clone(), t)
        })
        .collect()
}

fn csv_options(record: &ImportRecord) -> (u8, Option<Vec<String>>) {
    let csv = record
        .input_format_options
        .as_ref()
        .and_then(|o| o.get("Csv"));
    let delimiter = csv
        .and_then(|c| c.get("Delimiter"))
        .and_then(|d| d.as_str())
        .and_then(|d| d.bytes().next())
        .unwrap_or(b',');
    let header = csv
        .and_then(|c| c.get("HeaderList"))
        .and_then(|h| h.as_array())
        .map(|list| {
            list.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        });
    (delimiter, header)
}
