//! The export job: writes a table as it was at `ExportTime` (or what changed in an
//! incremental window) to S3, in AWS's layout and formats, **as the caller** — every
//! object goes through the same S3 authorization as an HTTP PutObject would, with
//! `x-amz-expected-bucket-owner` set to `S3BucketOwner` (or the caller's own account) and
//! the canned ACL `bucket-owner-full-control` (spec dynamodb-export-import §3–5).
//!
//! Order: `_started`, the data files (gzip, streamed: items come from a snapshot scan on a
//! blocking thread through a bounded channel), `manifest-files.json` and its `.md5`,
//! `manifest-summary.json` and its `.md5`, then the record turns COMPLETED. Any refused or
//! failed write makes it FAILED with S3's error in AWS's message form; files already written
//! stay, as on AWS. Data files are one-part multipart uploads, as DynamoDB writes them. A
//! resumed job (after a crash) rewrites the same keys (data file names derive from the export
//! id, and the export reads a fixed point in history), first aborting the uploads its cut-short
//! run left open.

use std::io::Write as _;

use flate2::Compression;
use flate2::write::GzEncoder;
use strata_dynamodb::exports::{ExportRecord, ExportStatus};
use strata_dynamodb::key::partition_hash_of;
use strata_dynamodb::{DynamoDbError, Table};
use strata_dynamodb_item::{Item, item_size};
use strata_export_format::lines::{self, Change, ExportFormat, ViewType};
use strata_export_format::{ExportKeys, ManifestFile, ManifestSummary, data_file_name, md5_base64};
use strata_s3::{
    Blob, BlobWriter, Bucket, CannedAcl, NewObject, ObjectHeaders, ObjectMeta, Upload,
};
use tokio::sync::mpsc;

use super::{Failure, Stop};
use crate::s3::BucketContext;
use crate::s3::sse::{SseRequest, WriteEncryption};
use crate::{App, Caller, Requester};

/// Data files per export (AWS wrote four for small tables; any number ≥ 1 is valid).
const DATA_FILES: usize = 4;

/// Compressed bytes buffered per data file before they go to its object.
const FLUSH_BYTES: usize = 1 << 20;

/// Lines in flight between the scan and each compressor.
const CHANNEL_DEPTH: usize = 1024;

/// Compressed chunks (up to [`FLUSH_BYTES`] each) in flight to the writer: memory stays
/// bounded whatever the table size.
const COMPRESSED_DEPTH: usize = 8;

/// What a completed export reports.
struct Done {
    item_count: u64,
    billed_size_bytes: u64,
    manifest_key: String,
    end_micros: i64,
}

/// Runs the export `arn` to its end, unless it already ended: COMPLETED, or FAILED with
/// what refused it. Stopped by the machine, it is run again later from the start.
pub async fn run(
    app: &App,
    caller: &Caller,
    account: &str,
    region: &str,
    arn: &str,
) -> Result<(), Stop> {
    let Some(record) = app
        .dynamodb
        .export(account, region, arn)?
        .filter(|r| r.status == ExportStatus::InProgress)
    else {
        return Ok(());
    };
    let outcome = export(app, caller, &record).await;
    app.progress.end(arn);
    match outcome {
        Ok(done) => {
            tracing::info!(export = arn, items = done.item_count, "export completed");
            app.dynamodb
                .finish_export(&record, move |r| {
                    r.status = ExportStatus::Completed;
                    r.end_micros = Some(done.end_micros);
                    r.item_count = Some(done.item_count);
                    r.billed_size_bytes = Some(done.billed_size_bytes);
                    r.export_manifest = Some(done.manifest_key);
                })
                .await?;
        }
        Err(Failure::Unavailable(why)) => return Err(Stop::Unavailable(why)),
        Err(Failure::Reported { code, message }) => {
            tracing::info!(export = arn, code, message = %message, "export failed");
            let end = app.now_millis();
            app.dynamodb
                .finish_export(&record, move |r| {
                    r.status = ExportStatus::Failed;
                    r.end_micros = Some(end);
                    r.failure_code = Some(code.to_owned());
                    r.failure_message = Some(message);
                })
                .await?;
        }
    }
    Ok(())
}

/// Where and how the objects are written, as whom.
struct Destination<'a> {
    app: &'a App,
    requester: Requester,
    writer_account: String,
    /// The caller's ARN, as multipart uploads name their initiator.
    initiator_arn: String,
    bucket_name: String,
    expected_owner: String,
    /// `x-amz-server-side-encryption` of every write: `AES256` or `aws:kms`.
    sse_algorithm: &'static str,
    /// `S3SseKmsKeyId`, sent as S3's key-id header.
    sse_kms_key_id: Option<String>,
}

impl Destination<'_> {
    /// The bucket as it is now.
    fn bucket(&self) -> Result<BucketContext<'_>, Failure> {
        Ok(BucketContext::resolve(
            self.app,
            self.requester.clone(),
            &self.bucket_name,
            Some(self.expected_owner.clone()),
        )?)
    }

    /// The bucket as it is now, and the caller's right to write `key` into it.
    fn check(&self, key: &str) -> Result<Bucket, Failure> {
        let cx = self.bucket()?;
        for action in ["s3:PutObject", "s3:PutObjectAcl"] {
            cx.authorize_explained(action, Some(key))?;
        }
        Ok(cx.bucket)
    }

    /// The encryption of a write of `key`: for SSE-KMS, a data key from KMS as the caller,
    /// as S3 asks for one on PutObject and CreateMultipartUpload (spec kms-sse §5.2).
    async fn encryption(&self, key: &str) -> Result<WriteEncryption, Failure> {
        let request = SseRequest {
            algorithm: Some(self.sse_algorithm),
            key_id: self.sse_kms_key_id.as_deref(),
            ..SseRequest::default()
        };
        Ok(self.bucket()?.encryption_for_write(key, request).await?)
    }

    /// Commits `blob` as `key` (authorized just before).
    async fn commit(
        &self,
        key: &str,
        blob: Blob,
        encryption: &WriteEncryption,
    ) -> Result<ObjectMeta, Failure> {
        let bucket = self.check(key)?;
        let acl = CannedAcl::BucketOwnerFullControl;
        let new = NewObject {
            bucket: bucket.name.clone(),
            key: key.to_owned(),
            owner: bucket.object_owner(&self.writer_account, Some(acl)),
            headers: headers(encryption),
            checksums: Vec::new(),
            acl,
            grants: None,
            tags: Vec::new(),
            condition: None,
            sse_kms: encryption.sse_kms(),
        };
        self.app
            .s3
            .put_object(new, blob)
            .await
            .map_err(Failure::from)
    }

    /// Commits `blob` as `key` the way DynamoDB uploads data files: a multipart upload of
    /// one part (so the ETag is `<md5 of the part's md5>-1`, as in AWS's manifests). An
    /// upload that cannot complete is aborted, which needs `s3:AbortMultipartUpload`. Under
    /// SSE-KMS the part upload needs `kms:Decrypt` of the upload's data key, as UploadPart does
    /// (UNCONFIRMED that DynamoDB's exports need it: spec kms-sse §5.2 and open question 3;
    /// AWS-authored tooling asks for both).
    async fn commit_multipart(
        &self,
        key: &str,
        blob: Blob,
        encryption: &WriteEncryption,
    ) -> Result<ObjectMeta, Failure> {
        let bucket = self.check(key)?;
        let acl = CannedAcl::BucketOwnerFullControl;
        let s3 = &self.app.s3;
        let upload = s3
            .create_upload(Upload {
                upload_id: String::new(),
                bucket: bucket.name.clone(),
                key: key.to_owned(),
                initiated_micros: 0,
                initiator: self.writer_account.clone(),
                initiator_arn: self.initiator_arn.clone(),
                headers: headers(encryption),
                acl: Some(acl),
                grants: None,
                tags: Vec::new(),
                checksum_algorithm: None,
                sse_kms: encryption.sse_kms(),
            })
            .await
            .map_err(Failure::from)?;
        if let Some(sse) = &upload.sse_kms
            && let Err(refused) = self.bucket()?.data_key(sse).await
        {
            self.abort(&upload).await;
            return Err(refused.into());
        }
        let completed = async {
            let part = s3.put_part(&upload, 1, blob, Vec::new()).await?;
            let owner = bucket.object_owner(&self.writer_account, Some(acl));
            s3.complete_upload(&upload, owner, &[(1, part.etag)], Vec::new(), None)
                .await
        }
        .await;
        match completed {
            Ok(meta) => Ok(meta),
            Err(err) => {
                self.abort(&upload).await;
                Err(Failure::from(err))
            }
        }
    }

    /// Aborts `upload` if the caller may (`s3:AbortMultipartUpload`); else it stays open.
    async fn abort(&self, upload: &Upload) {
        let may_abort = self.bucket().and_then(|cx| {
            Ok(cx.authorize_explained("s3:AbortMultipartUpload", Some(&upload.key))?)
        });
        if may_abort.is_ok()
            && let Err(abort) = self.app.s3.abort_upload(upload).await
        {
            tracing::warn!(key = upload.key, error = %abort, "cannot abort an export's upload");
        }
    }

    /// Aborts the uploads of `keys` that an earlier run of this export, cut short by a
    /// crash, left open: the resumed run writes the same keys and nothing else would end
    /// them.
    async fn abort_left_open(&self, keys: &[&str]) -> Result<(), Failure> {
        let bucket = self.bucket()?.bucket;
        let uploads = self
            .app
            .s3
            .uploads_in(&bucket.name)
            .map_err(Failure::from)?;
        for upload in uploads {
            if upload.initiator_arn == self.initiator_arn && keys.contains(&upload.key.as_str()) {
                self.abort(&upload).await;
            }
        }
        Ok(())
    }

    /// Writes a small object whole.
    async fn put(&self, key: &str, bytes: &[u8]) -> Result<ObjectMeta, Failure> {
        self.check(key)?;
        let encryption = self.encryption(key).await?;
        let mut writer = encryption.writer(self.app.s3.body_writer())?;
        writer.write(bytes).await?;
        let blob = writer.finish(None).await?;
        self.commit(key, blob, &encryption).await
    }
}

/// The stored headers of an export's object: its encryption.
fn headers(encryption: &WriteEncryption) -> ObjectHeaders {
    let mut headers = ObjectHeaders::default();
    encryption.stamp(&mut headers);
    headers
}

/// One gzip data file being streamed to its object.
struct DataFile {
    key: String,
    blob: BlobWriter,
    encryption: WriteEncryption,
    items: u64,
}

impl DataFile {
    async fn finish(self, destination: &Destination<'_>) -> Result<ManifestFile, Failure> {
        let blob = self.blob.finish(None).await?;
        let md5 = {
            use base64::Engine as _;
            base64::engine::general_purpose::STANDARD.encode(blob.md5)
        };
        let meta = destination
            .commit_multipart(&self.key, blob, &self.encryption)
            .await?;
        Ok(ManifestFile {
            item_count: self.items,
            md5_checksum: md5,
            etag: meta.etag,
            data_file_s3_key: self.key,
        })
    }
}

/// What a compressor thread hands the writer.
enum Compressed {
    /// Gzip bytes of data file `.0`.
    Bytes(usize, Vec<u8>),
    /// Data file `.0` is complete with `.1` items.
    Done(usize, u64),
}

/// One thread per data file gzips its lines, so compression uses every core while the
/// scan formats lines on its own thread; compressed chunks go back to the writer.
fn spawn_compressors(
    compressed: &mpsc::Sender<Compressed>,
) -> (
    Vec<std::sync::mpsc::SyncSender<String>>,
    Vec<tokio::task::JoinHandle<()>>,
) {
    let mut senders = Vec::with_capacity(DATA_FILES);
    let mut threads = Vec::with_capacity(DATA_FILES);
    for index in 0..DATA_FILES {
        let (lines, received) = std::sync::mpsc::sync_channel::<String>(CHANNEL_DEPTH);
        let out = compressed.clone();
        senders.push(lines);
        threads.push(tokio::task::spawn_blocking(move || {
            let mut encoder =
                GzEncoder::new(Vec::with_capacity(FLUSH_BYTES * 2), Compression::default());
            let mut items = 0;
            for line in received {
                // Writing into a Vec cannot fail.
                let _ = encoder.write_all(line.as_bytes());
                items += 1;
                if encoder.get_ref().len() >= FLUSH_BYTES {
                    let chunk =
                        std::mem::replace(encoder.get_mut(), Vec::with_capacity(FLUSH_BYTES * 2));
                    if out.blocking_send(Compressed::Bytes(index, chunk)).is_err() {
                        return;
                    }
                }
            }
            let rest = encoder.finish().unwrap_or_default();
            let _ = out.blocking_send(Compressed::Bytes(index, rest));
            let _ = out.blocking_send(Compressed::Done(index, items));
        }));
    }
    (senders, threads)
}

/// ISO-8601 UTC with exactly three fractional digits, as manifests write times.
fn iso_millis(micros: i64) -> String {
    let ts = jiff::Timestamp::from_microsecond(micros).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    ts.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

async fn export(app: &App, caller: &Caller, record: &ExportRecord) -> Result<Done, Failure> {
    let writer_account = caller.principal.account().to_string();
    let initiator_arn = caller.principal.arn();
    let destination = Destination {
        initiator_arn,
        app,
        expected_owner: record
            .s3_bucket_owner
            .clone()
            .unwrap_or_else(|| writer_account.clone()),
        writer_account,
        requester: Requester::Signed(Box::new(caller.through_aws_service())),
        bucket_name: record.s3_bucket.clone(),
        sse_algorithm: match record.s3_sse_algorithm.as_str() {
            "KMS" => "aws:kms",
            _ => "AES256",
        },
        sse_kms_key_id: record.s3_sse_kms_key_id.clone(),
    };
    let scope = strata_dynamodb::Scope {
        account: &record.account,
        region: &record.region,
    };
    let table = app
        .dynamodb
        .table_with_id(scope, &record.table_name, record.table_storage_id)
        .ok_or_else(|| {
            Failure::reported("UNKNOWN", format!("Table not found: {}", record.table_arn))
        })?;
    let format = ExportFormat::parse(&record.export_format).unwrap_or(ExportFormat::DynamoDbJson);
    let keys = ExportKeys::new(
        record.s3_prefix.as_deref(),
        &record.export_id,
        record.incremental.is_some(),
    );

    destination.put(&keys.started(), b"").await?;

    let mut files = Vec::with_capacity(DATA_FILES);
    for index in 0..DATA_FILES {
        let key = keys.data_file(&data_file_name(
            &record.export_id,
            index,
            format.extension(),
        ));
        destination.check(&key)?;
        let encryption = destination.encryption(&key).await?;
        files.push(DataFile {
            blob: encryption.writer(app.s3.part_writer())?,
            key,
            encryption,
            items: 0,
        });
    }

    let data_keys: Vec<&str> = files.iter().map(|f| f.key.as_str()).collect();
    destination.abort_left_open(&data_keys).await?;

    let (compressed, mut received) = mpsc::channel::<Compressed>(COMPRESSED_DEPTH);
    let (lines, compressors) = spawn_compressors(&compressed);
    drop(compressed);
    let scan = spawn_scan(app, table, record, format, lines);
    while let Some(chunk) = received.recv().await {
        match chunk {
            Compressed::Bytes(index, bytes) => {
                files[index].blob.write(&bytes).await?;
                app.progress
                    .update(&record.export_arn, |p| p.bytes += bytes.len() as u64);
            }
            Compressed::Done(index, items) => {
                files[index].items = items;
                app.progress.update(&record.export_arn, |p| {
                    p.items += items;
                    p.files += 1;
                });
            }
        }
    }
    for compressor in compressors {
        compressor.await.map_err(Failure::internal)?;
    }
    let scanned_bytes = scan.await.map_err(Failure::internal)??;

    let mut manifest_files = String::new();
    let mut item_count = 0;
    for file in files {
        let entry = file.finish(&destination).await?;
        item_count += entry.item_count;
        manifest_files.push_str(&entry.line());
    }
    destination
        .put(&keys.manifest_files(), manifest_files.as_bytes())
        .await?;
    destination
        .put(
            &keys.manifest_files_md5(),
            md5_base64(manifest_files.as_bytes()).as_bytes(),
        )
        .await?;

    let end_micros = app.now_millis();
    let incremental = record.incremental.as_ref();
    let billed_size_bytes = if incremental.is_some() {
        scanned_bytes.max(10_000_000)
    } else {
        scanned_bytes
    };
    let summary = ManifestSummary {
        version: if incremental.is_some() {
            ManifestSummary::INCREMENTAL_VERSION
        } else {
            ManifestSummary::FULL_VERSION
        },
        export_arn: record.export_arn.clone(),
        start_time: iso_millis(record.start_micros),
        end_time: iso_millis(end_micros),
        table_arn: record.table_arn.clone(),
        table_id: record.table_id.clone(),
        export_time: record.export_time_micros.map(iso_millis),
        export_from_time: incremental.map(|w| iso_millis(w.from_micros)),
        export_to_time: incremental.map(|w| iso_millis(w.to_micros)),
        s3_bucket: record.s3_bucket.clone(),
        s3_prefix: record.s3_prefix.clone(),
        s3_sse_algorithm: record.s3_sse_algorithm.clone(),
        s3_sse_kms_key_id: record.s3_sse_kms_key_id.clone(),
        manifest_files_s3_key: keys.manifest_files(),
        billed_size_bytes,
        item_count,
        output_format: format.as_str(),
        output_view: incremental
            .and_then(|w| ViewType::parse(&w.view_type))
            .map(ViewType::as_str),
        export_type: incremental.map(|_| "INCREMENTAL_EXPORT"),
    };
    let summary = summary.to_json();
    destination
        .put(&keys.manifest_summary(), summary.as_bytes())
        .await?;
    destination
        .put(
            &keys.manifest_summary_md5(),
            md5_base64(summary.as_bytes()).as_bytes(),
        )
        .await?;
    Ok(Done {
        item_count,
        billed_size_bytes,
        manifest_key: keys.manifest_summary(),
        end_micros,
    })
}

/// Reads what the export contains on a blocking thread, formatting each line and handing
/// it to its file's compressor (chosen by a hash of the partition key); returns the bytes
/// read. Dropping the senders at the end tells the compressors the input is complete.
fn spawn_scan(
    app: &App,
    table: Table,
    record: &ExportRecord,
    format: ExportFormat,
    lines: Vec<std::sync::mpsc::SyncSender<String>>,
) -> tokio::task::JoinHandle<Result<u64, DynamoDbError>> {
    let dynamodb = app.dynamodb.clone();
    let export_time = record.export_time_micros;
    let incremental = record.incremental.clone();
    tokio::task::spawn_blocking(move || {
        // A partition's items go to one file, chosen by the partition's hash.
        let file_of =
            |item: &Item| (partition_hash_of(&table.def.key_schema, item) as usize) % DATA_FILES;
        let send = |index: usize, line: String| {
            lines[index]
                .send(line)
                .map_err(|_| DynamoDbError::Corrupt("the export's writer stopped".into()))
        };
        let mut bytes = 0u64;
        match (incremental, export_time) {
            (Some(window), _) => {
                let view = ViewType::parse(&window.view_type).unwrap_or(ViewType::NewAndOldImages);
                dynamodb.changes_between(
                    &table,
                    window.from_micros as u64,
                    window.to_micros as u64,
                    |old, new, stamp| {
                        let Some(any) = new.as_ref().or(old.as_ref()) else {
                            return Ok(());
                        };
                        let keys = table.def.key_schema.key_of(any);
                        let change = Change {
                            keys: &keys,
                            old: old.as_ref(),
                            new: new.as_ref(),
                            write_micros: stamp,
                        };
                        if let Some(line) = lines::change_line(format, view, &change) {
                            bytes += line.len() as u64;
                            send(file_of(&keys), line)?;
                        }
                        Ok(())
                    },
                )?;
            }
            (None, Some(time)) => {
                dynamodb.scan_as_of(&table, time as u64, |item| {
                    bytes += item_size(&item) as u64;
                    send(file_of(&item), lines::item_line(format, &item))
                })?;
            }
            (None, None) => {
                return Err(DynamoDbError::Corrupt(
                    "a full export without an export time".into(),
                ));
            }
        }
        Ok(bytes)
    })
}
