//! The import job: reads every object under `S3KeyPrefix` **as the caller** (s3:ListBucket
//! then s3:GetObject, through S3 authorization, with `S3BucketOwner` as the expected owner),
//! decompresses it (GZIP, ZSTD or NONE), parses its records (DynamoDB JSON, Ion or CSV) and
//! loads the valid items into the new table (bulk load: thousands of items per atomic
//! batch, one committing while the next object is parsed).
//!
//! The table is created only once the bucket is known to exist and be listable, as on AWS
//! (a missing bucket fails the import and creates nothing). Record errors follow AWS's
//! counting (spec §6.5): an invalid record costs one error and reading goes on; data that
//! does not parse costs one error and ends its object. Any error makes the import FAILED with
//! `ItemValidationError` while the table keeps every valid item.

use std::collections::BTreeMap;
use std::io::Read;

use strata_dynamodb::bulk::LoadItem;
use strata_dynamodb::imports::{ImportRecord, ImportStatus};
use strata_dynamodb::schema::{Creating, ScalarType};
use strata_dynamodb::{Scope, Table};
use strata_export_format::import::{self, KeyType, RecordError, Records};
use strata_s3::ListQuery;

use strata_dynamodb::tables::CreateTable;

use super::{Failure, Stop};
use crate::dynamodb::import::CsvOptions;
use crate::s3::BucketContext;
use crate::{App, Caller, Requester};

/// Items per bulk-load batch, at most.
const LOAD_ITEMS: usize = 8192;
/// Bytes per bulk-load batch, at most (about).
const LOAD_BYTES: usize = 8 << 20;

/// What an import counted.
#[derive(Clone, Copy, Debug, Default)]
struct Counts {
    processed_size_bytes: u64,
    processed_item_count: u64,
    imported_item_count: u64,
    error_count: u64,
}

/// What an import job reads, as its record says.
pub struct Source<'a> {
    pub account: &'a str,
    pub region: &'a str,
    pub arn: &'a str,
    /// The table to create and fill.
    pub table: &'a CreateTable,
    pub csv: Option<&'a CsvOptions>,
}

/// Runs the import to its end, unless it already ended: COMPLETED, or FAILED with what
/// refused it. Stopped by the machine, it is run again later from the start. The counters
/// are recorded once, at the end: AWS reports zeros while an import runs [LIVE: ScyllaDB's
/// `test_import_in_flight`, run against AWS: every poll of a ten-minute import saw zero].
pub async fn run(app: &App, caller: &Caller, source: Source<'_>) -> Result<(), Stop> {
    let arn = source.arn;
    let Some(record) = app
        .dynamodb
        .import(source.account, source.region, arn)?
        .filter(|r| r.status == ImportStatus::InProgress)
    else {
        return Ok(());
    };
    let mut counts = Counts::default();
    let outcome = import(app, caller, &record, &source, &mut counts).await;
    app.progress.end(arn);
    let end = app.now_millis();
    let (status, failure) = match outcome {
        Ok(()) if counts.error_count == 0 => (ImportStatus::Completed, None),
        Ok(()) => (
            ImportStatus::Failed,
            Some((
                "ItemValidationError",
                "Some of the items failed validation checks and were not imported. Please check CloudWatch error logs for more details.".to_owned(),
            )),
        ),
        Err(Failure::Unavailable(why)) => return Err(Stop::Unavailable(why)),
        Err(Failure::Reported { code, message }) => (ImportStatus::Failed, Some((code, message))),
    };
    tracing::info!(
        import = arn,
        status = status.as_str(),
        imported = counts.imported_item_count,
        errors = counts.error_count,
        "import ended"
    );
    app.dynamodb
        .update_import(&record, move |r| {
            r.status = status;
            r.end_micros = Some(end);
            r.processed_size_bytes = counts.processed_size_bytes;
            r.processed_item_count = counts.processed_item_count;
            r.imported_item_count = counts.imported_item_count;
            r.error_count = counts.error_count;
            if let Some((code, message)) = failure {
                r.failure_code = Some(code.to_owned());
                r.failure_message = Some(message);
            }
        })
        .await?;
    Ok(())
}

async fn import(
    app: &App,
    caller: &Caller,
    record: &ImportRecord,
    source: &Source<'_>,
    counts: &mut Counts,
) -> Result<(), Failure> {
    let mut create = source.table.clone();
    let requester = Requester::Signed(Box::new(caller.through_aws_service()));
    let bucket = BucketContext::resolve(
        app,
        requester,
        &record.s3_bucket,
        Some(record.s3_bucket_owner.clone()),
    )?;
    bucket.authorize_explained("s3:ListBucket", None)?;
    readable_source(app, &bucket, record).await?;

    let scope = Scope {
        account: &record.account,
        region: &record.region,
    };
    create.table_id = Some(record.table_id.clone());
    let table = match app.dynamodb.table(scope, &record.table_name) {
        // A resumed import finds the table it created.
        Ok(table) if table.def.table_id == record.table_id => table,
        _ => app
            .dynamodb
            .create(scope, create, Some(Creating::Import))
            .await
            .map_err(|e| Failure::reported("TableAlreadyExists", e.to_string()))?,
    };
    let key_types = key_types(&table);
    let format = record.input_format.clone();
    let (delimiter, header) = csv_options(source.csv);

    let mut loader = Loader::new(table.clone());
    // Whatever ends the reading, the batch in flight commits and counts.
    let outcome: Result<(), Failure> = async {
        let prefix = record.s3_key_prefix.clone().unwrap_or_default();
        let mut after = None;
        loop {
            let page = app.s3.list_objects(
                &bucket.bucket.name,
                &ListQuery {
                    prefix: prefix.clone(),
                    delimiter: None,
                    after: after.clone(),
                    max_keys: 1000,
                },
            )?;
            for object in &page.objects {
                bucket.authorize_explained("s3:GetObject", Some(&object.key))?;
                if object.size == 0 {
                    continue;
                }
                let bytes = bucket.read_whole(&object.key).await?;
                let (compression, format, header, key_types) = (
                    record.input_compression_type.clone(),
                    format.clone(),
                    header.clone(),
                    key_types.clone(),
                );
                // The object is decompressed and parsed on a blocking thread, a few MB at a
                // time, while the records before load.
                let (tx, mut rx) = tokio::sync::mpsc::channel(2);
                let producer = tokio::task::spawn_blocking(move || {
                    parse_object(
                        &bytes,
                        &compression,
                        &format,
                        delimiter,
                        header,
                        &key_types,
                        &tx,
                    )
                });
                while let Some(records) = rx.recv().await {
                    loader.add(app, records, counts).await?;
                }
                let read = producer.await.map_err(Failure::internal)?;
                counts.processed_size_bytes += read.size;
                app.progress.update(&record.import_arn, |p| {
                    p.bytes = counts.processed_size_bytes;
                    p.items = counts.imported_item_count;
                    p.files += 1;
                });
                if read.undecodable {
                    counts.error_count += 1;
                }
            }
            if !page.is_truncated {
                return Ok(());
            }
            after = page.last;
        }
    }
    .await;
    let finished = loader.finish(app, counts).await;
    // Whatever the outcome, the table keeps the valid items and turns ACTIVE (spec §6.4).
    let active = app
        .dynamodb
        .finish_creating(&table)
        .await
        .map_err(Failure::from);
    outcome.and(finished).and(active)
}

/// Whether the caller may read the first object under the prefix, its SSE-KMS data key
/// included: a source the caller cannot read fails the import before its table is created
/// (spec kms-sse §5.5: missing KMS rights are a configuration error; UNCONFIRMED that AWS
/// creates no table then, as it creates none for an unreadable bucket).
async fn readable_source(
    app: &App,
    bucket: &BucketContext<'_>,
    record: &ImportRecord,
) -> Result<(), Failure> {
    let mut after = None;
    let first = loop {
        let page = app.s3.list_objects(
            &bucket.bucket.name,
            &ListQuery {
                prefix: record.s3_key_prefix.clone().unwrap_or_default(),
                delimiter: None,
                after: after.clone(),
                max_keys: 1000,
            },
        )?;
        if let Some(first) = page.objects.into_iter().find(|o| o.size > 0) {
            break first;
        }
        if !page.is_truncated {
            return Ok(());
        }
        after = page.last;
    };
    bucket.authorize_explained("s3:GetObject", Some(&first.key))?;
    let object = app.s3.get_object(&bucket.bucket.name, &first.key, None)?;
    if let Some(sse) = &object.meta.sse_kms {
        bucket.data_key(sse).await?;
    }
    Ok(())
}

/// What reading one object found besides its records.
struct ObjectRead {
    /// Bytes decompressed.
    size: u64,
    /// The data is not what its compression type says, or not UTF-8: one error.
    undecodable: bool,
}

/// Counts the bytes a reader hands out.
struct Counting<R> {
    inner: R,
    count: u64,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        Ok(n)
    }
}

/// Decompresses and parses one object, sending its records to `tx` as they come
/// (DynamoDB JSON streamed a few MB at a time; Ion and CSV whole).
fn parse_object(
    bytes: &[u8],
    compression: &str,
    format: &str,
    delimiter: u8,
    header: Option<Vec<String>>,
    key_types: &BTreeMap<String, KeyType>,
    tx: &tokio::sync::mpsc::Sender<Records>,
) -> ObjectRead {
    let decoder: Box<dyn Read> = match compression {
        "GZIP" => Box::new(flate2::read::MultiGzDecoder::new(bytes)),
        "ZSTD" => match zstd::stream::read::Decoder::with_buffer(bytes) {
            Ok(decoder) => Box::new(decoder),
            Err(_) => {
                return ObjectRead {
                    size: 0,
                    undecodable: true,
                };
            }
        },
        _ => Box::new(bytes),
    };
    let mut reader = Counting {
        inner: decoder,
        count: 0,
    };
    if format != "ION" && format != "CSV" {
        let mut stream = import::DynamoDbJsonStream::new(&mut reader);
        let undecodable = loop {
            match stream.next_chunk() {
                Ok(Some(records)) => {
                    if tx.blocking_send(records).is_err() {
                        break false; // the import stopped
                    }
                }
                Ok(None) => break false,
                Err(_) => break true,
            }
        };
        drop(stream);
        return ObjectRead {
            size: reader.count,
            undecodable,
        };
    }
    let mut text = Vec::new();
    if reader.read_to_end(&mut text).is_err() {
        return ObjectRead {
            size: 0,
            undecodable: true,
        };
    }
    let size = text.len() as u64;
    let Ok(text) = String::from_utf8(text) else {
        return ObjectRead {
            size,
            undecodable: true,
        };
    };
    let records = match format {
        "ION" => import::ion(&text),
        _ => import::csv(&text, delimiter, header.as_deref(), key_types),
    };
    let _ = tx.blocking_send(records);
    ObjectRead {
        size,
        undecodable: false,
    }
}

/// Loads an import's valid items into its table with [`DynamoDb::bulk_load`]: batches of
/// up to [`LOAD_ITEMS`] items or [`LOAD_BYTES`] bytes, one batch committing while the next
/// records are read and parsed.
struct Loader {
    table: Table,
    batch: Vec<LoadItem>,
    bytes: usize,
    /// The batch being committed, and its item count.
    in_flight: Option<(u64, tokio::task::JoinHandle<strata_dynamodb::Result<()>>)>,
}

impl Loader {
    fn new(table: Table) -> Self {
        Self {
            table,
            batch: Vec::new(),
            bytes: 0,
            in_flight: None,
        }
    }

    /// Counts `records` and queues the valid ones.
    async fn add(
        &mut self,
        app: &App,
        records: Records,
        counts: &mut Counts,
    ) -> Result<(), Failure> {
        for record in records {
            counts.processed_item_count += 1;
            let load = match record.map(|item| LoadItem::new(&self.table, item)) {
                Ok(Ok(load)) => load,
                Ok(Err(_)) | Err(RecordError::Invalid(_) | RecordError::Unparseable(_)) => {
                    counts.error_count += 1;
                    continue;
                }
            };
            self.bytes += load.size();
            self.batch.push(load);
            if self.batch.len() == LOAD_ITEMS || self.bytes >= LOAD_BYTES {
                self.send(app, counts).await?;
            }
        }
        Ok(())
    }

    /// Waits for the batch in flight, then starts committing the queued one.
    async fn send(&mut self, app: &App, counts: &mut Counts) -> Result<(), Failure> {
        self.wait(counts).await?;
        if self.batch.is_empty() {
            return Ok(());
        }
        let batch = std::mem::take(&mut self.batch);
        self.bytes = 0;
        let (engine, table) = (app.dynamodb.clone(), self.table.clone());
        let n = batch.len() as u64;
        self.in_flight = Some((
            n,
            tokio::spawn(async move { engine.bulk_load(&table, batch).await }),
        ));
        Ok(())
    }

    async fn wait(&mut self, counts: &mut Counts) -> Result<(), Failure> {
        if let Some((n, handle)) = self.in_flight.take() {
            handle.await.map_err(Failure::internal)??;
            counts.imported_item_count += n;
        }
        Ok(())
    }

    /// Commits everything queued.
    async fn finish(&mut self, app: &App, counts: &mut Counts) -> Result<(), Failure> {
        self.send(app, counts).await?;
        self.wait(counts).await
    }
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

fn csv_options(csv: Option<&CsvOptions>) -> (u8, Option<Vec<String>>) {
    let delimiter = csv
        .and_then(|c| c.delimiter.as_deref())
        .and_then(|d| d.bytes().next())
        .unwrap_or(b',');
    (delimiter, csv.and_then(|c| c.header_list.clone()))
}
