//! Multipart uploads: parts are blob files; completing an upload commits an object whose
//! segments are the chosen parts, in order, without copying a byte.

use md5::{Digest, Md5};

use crate::layout::{self, COUNTS, PARTS, UPLOADS};
use crate::objects::{WriteCondition, bucket_record};
use strata_storage::WriteTxn;

use crate::{Blob, ObjectMeta, Part, PartSummary, Result, S3, S3Error, Segment, Upload};

/// The smallest part S3 accepts, except for the last one.
pub const MIN_PART_SIZE: u64 = 5 * 1024 * 1024;

impl S3 {
    /// Starts an upload. The caller fills everything but the id and time.
    pub async fn create_upload(&self, mut upload: Upload) -> Result<Upload> {
        upload.upload_id = uuid::Uuid::new_v4().simple().to_string();
        upload.initiated_micros = self.now_micros();
        let record = upload.clone();
        let limit = self
            .max_open_uploads
            .load(std::sync::atomic::Ordering::Relaxed);
        self.store
            .write(move |txn| {
                bucket_record(txn, &record.bucket)?;
                let open = layout::open_uploads_key(&record.initiator);
                let count = layout::count(txn.get(COUNTS, &open)?);
                if count >= limit {
                    return Err(S3Error::TooManyOpenUploads { limit });
                }
                txn.put(COUNTS, open, (count + 1).to_be_bytes().to_vec());
                txn.put(
                    UPLOADS,
                    layout::in_bucket(&record.bucket, &record.upload_id),
                    layout::encode(&record),
                );
                Ok::<_, S3Error>(())
            })
            .await?;
        Ok(upload)
    }

    /// The upload `upload_id` of `bucket`, which must be for `key`.
    pub fn upload(&self, bucket: &str, key: &str, upload_id: &str) -> Result<Upload> {
        match self
            .store
            .get(UPLOADS, &layout::in_bucket(bucket, upload_id))?
        {
            Some(bytes) => {
                let upload: Upload = layout::decode(&bytes)?;
                if upload.key == key {
                    Ok(upload)
                } else {
                    Err(S3Error::NoSuchUpload)
                }
            }
            None => {
                self.bucket(bucket)?;
                Err(S3Error::NoSuchUpload)
            }
        }
    }

    /// Stores part `part_number`, replacing an earlier upload of the same number. If the
    /// commit fails, the part's blob is removed, unless the store failed part-way through it
    /// (the part record may then be applied; the next start removes the blob if not).
    pub async fn put_part(
        &self,
        upload: &Upload,
        part_number: u32,
        blob: Blob,
        checksums: Vec<(String, String)>,
    ) -> Result<Part> {
        let etag = blob.etag();
        let size = blob.size;
        let segments = blob.into_parts().segments;
        let Some(Segment { blob, iv, .. }) = segments.into_iter().next() else {
            return Err(S3Error::Corrupt("a part was kept inline".into()));
        };
        let part = Part {
            part_number,
            size,
            etag,
            last_modified_micros: self.now_micros(),
            blob: blob.clone(),
            checksums,
            iv,
        };
        let record = layout::encode(&part);
        let (bucket, upload_id) = (upload.bucket.clone(), upload.upload_id.clone());
        let committed = self
            .store
            .write(move |txn| {
                if txn
                    .get(UPLOADS, &layout::in_bucket(&bucket, &upload_id))?
                    .is_none()
                {
                    return Err(S3Error::NoSuchUpload);
                }
                let key = layout::part_key(&upload_id, part_number);
                let replaced = match txn.get(PARTS, &key)? {
                    Some(old) => Some(layout::decode::<Part>(&old)?.blob),
                    None => None,
                };
                txn.put(PARTS, key, record);
                Ok(replaced)
            })
            .await;
        match committed {
            Ok(replaced) => {
                self.blobs.remove(replaced).await;
                Ok(part)
            }
            Err(err) => {
                if !err.may_have_written() {
                    self.blobs.remove([blob]).await;
                }
                Err(err)
            }
        }
    }

    /// The parts uploaded so far, by number, after `after`, at most `max`.
    pub fn list_parts(&self, upload: &Upload, after: u32, max: usize) -> Result<Vec<Part>> {
        let start = layout::part_key(&upload.upload_id, after.saturating_add(1));
        let prefix = layout::in_bucket(&upload.upload_id, "");
        let mut parts = Vec::new();
        for entry in self.store.range(PARTS, start..)? {
            let (key, value) = entry?;
            if !key.starts_with(&prefix) || parts.len() > max {
                break;
            }
            parts.push(layout::decode(&value)?);
        }
        Ok(parts)
    }

    /// The uploads in progress in `bucket`, by key then initiation.
    pub fn uploads_in(&self, bucket: &str) -> Result<Vec<Upload>> {
        let mut uploads: Vec<Upload> = Vec::new();
        for entry in self.store.prefix(UPLOADS, &layout::in_bucket(bucket, ""))? {
            uploads.push(layout::decode(&entry?.1)?);
        }
        uploads.sort_by(|a, b| {
            (a.key.as_str(), a.initiated_micros).cmp(&(b.key.as_str(), b.initiated_micros))
        });
        Ok(uploads)
    }

    /// Completes an upload from the listed `(part number, ETag)` pairs; `checksums` are
    /// the object's (composite) checksums, computed by the caller from the parts'.
    pub async fn complete_upload(
        &self,
        upload: &Upload,
        owner: String,
        chosen: &[(u32, String)],
        checksums: Vec<(String, String)>,
        condition: Option<WriteCondition>,
    ) -> Result<ObjectMeta> {
        let stored = self.list_parts(upload, 0, usize::MAX - 1)?;
        if chosen.windows(2).any(|w| w[0].0 >= w[1].0) {
            return Err(S3Error::InvalidPartOrder);
        }
        let mut md5s = Md5::new();
        let mut segments = Vec::new();
        let mut parts = Vec::new();
        let mut size = 0;
        for (i, (number, etag)) in chosen.iter().enumerate() {
            let etag = etag.trim_matches('"');
            let part = stored
                .iter()
                .find(|p| p.part_number == *number && p.etag == etag)
                .ok_or(S3Error::InvalidPart)?;
            if i + 1 < chosen.len() && part.size < MIN_PART_SIZE {
                return Err(S3Error::EntityTooSmall);
            }
            md5s.update(hex::decode(&part.etag).map_err(|e| S3Error::Corrupt(e.to_string()))?);
            size += part.size;
            segments.push(Segment {
                blob: part.blob.clone(),
                size: part.size,
                iv: part.iv.clone(),
            });
            parts.push(PartSummary {
                number: part.part_number,
                size: part.size,
                checksums: part.checksums.clone(),
            });
        }
        if chosen.is_empty() {
            return Err(S3Error::InvalidPart);
        }
        let meta = ObjectMeta {
            key: upload.key.clone(),
            version_id: None,
            seq: 0,
            delete_marker: false,
            size,
            etag: format!("{}-{}", hex::encode(md5s.finalize()), chosen.len()),
            last_modified_micros: self.now_micros(),
            owner,
            headers: upload.headers.clone(),
            checksums,
            parts_count: Some(chosen.len() as u32),
            parts,
            upload_id: Some(upload.upload_id.clone()),
            segments,
            acl: upload.acl.unwrap_or_default(),
            grants: upload.grants.clone(),
            tags: upload.tags.clone(),
            sse_kms: upload.sse_kms.clone(),
            inline_iv: None,
        };
        self.commit_object(
            &upload.bucket,
            meta,
            bytes::Bytes::new(),
            Some(upload),
            condition,
        )
        .await
    }

    /// Abandons an upload and its parts.
    pub async fn abort_upload(&self, upload: &Upload) -> Result<()> {
        let (bucket, upload_id) = (upload.bucket.clone(), upload.upload_id.clone());
        let blobs = self
            .store
            .write(move |txn| retire_upload(txn, &bucket, &upload_id))
            .await?;
        self.blobs.remove(blobs).await;
        Ok(())
    }
}

/// Counts every account's open multipart uploads afresh from the upload records, inside a
/// write: the migration that brings `s3.counts` to format 2, which a directory written by an
/// older strata (which kept no count) needs.
pub fn recount_open_uploads(txn: &mut WriteTxn) -> Result<()> {
    for key in txn.prefix_keys(COUNTS, b"\x01uploads/")? {
        txn.delete(COUNTS, key);
    }
    let mut counts: std::collections::BTreeMap<String, u64> = std::collections::BTreeMap::new();
    for key in txn.prefix_keys(UPLOADS, b"")? {
        let Some(record) = txn.get(UPLOADS, &key)? else {
            continue;
        };
        let upload: Upload = layout::decode(&record)?;
        *counts.entry(upload.initiator).or_default() += 1;
    }
    for (account, count) in counts {
        txn.put(
            COUNTS,
            layout::open_uploads_key(&account),
            count.to_be_bytes().to_vec(),
        );
    }
    Ok(())
}

/// Deletes an upload's record and its parts' records, and takes the upload off its
/// initiator's count of open uploads; returns the parts' blob files.
pub(crate) fn retire_upload(
    txn: &mut WriteTxn,
    bucket: &str,
    upload_id: &str,
) -> Result<Vec<String>> {
    let key = layout::in_bucket(bucket, upload_id);
    let Some(record) = txn.get(UPLOADS, &key)? else {
        return Err(S3Error::NoSuchUpload);
    };
    match layout::decode::<Upload>(&record) {
        Ok(upload) => {
            let open = layout::open_uploads_key(&upload.initiator);
            let count = layout::count(txn.get(COUNTS, &open)?);
            if count == 0 {
                tracing::warn!(upload_id, "an open upload was not counted");
            }
            txn.put(COUNTS, open, count.saturating_sub(1).to_be_bytes().to_vec());
        }
        // A damaged record still goes; its initiator's count cannot be told.
        Err(err) => tracing::error!(upload_id, error = %err, "an upload record does not decode"),
    }
    txn.delete(UPLOADS, key);
    let mut blobs = Vec::new();
    for part in txn.prefix_keys(PARTS, &layout::in_bucket(upload_id, ""))? {
        if let Some(value) = txn.get(PARTS, &part)? {
            blobs.push(layout::decode::<Part>(&value)?.blob);
        }
        txn.delete(PARTS, part);
    }
    Ok(blobs)
}
