//! Object operations: commit a written body as an object, read one back, delete.

use bytes::Bytes;
use strata_storage::WriteTxn;

use crate::layout::{self, BUCKETS, COUNTS, OBJECTS};
use crate::multipart::retire_upload;
use crate::{
    Blob, CannedAcl, ObjectHeaders, ObjectMeta, ObjectReader, Result, S3, S3Error, Upload,
};

/// An object's record and, for small objects, its bytes.
#[derive(Clone, Debug)]
pub struct StoredObject {
    pub meta: ObjectMeta,
    pub inline: Bytes,
}

/// What PutObject (or a copy) stores besides the body.
#[derive(Clone, Debug, Default)]
pub struct NewObject {
    pub bucket: String,
    pub key: String,
    /// The owning account, as the bucket's ownership setting decided.
    pub owner: String,
    pub headers: ObjectHeaders,
    pub checksums: Vec<(String, String)>,
    pub acl: CannedAcl,
    pub tags: Vec<(String, String)>,
}

impl S3 {
    /// Commits `blob` as object `new.key`, replacing any object there.
    pub async fn put_object(&self, new: NewObject, blob: Blob) -> Result<ObjectMeta> {
        let etag = blob.etag();
        let size = blob.size;
        let (inline, segments) = blob.into_parts();
        let meta = ObjectMeta {
            key: new.key,
            size,
            etag,
            last_modified_micros: self.now_micros(),
            owner: new.owner,
            headers: new.headers,
            checksums: new.checksums,
            parts_count: None,
            segments,
            acl: new.acl,
            tags: new.tags,
        };
        self.commit_object(&new.bucket, meta, inline, None).await
    }

    /// Writes an object record, then removes the blobs of the object it replaced. When
    /// completing a multipart `upload`, the upload and its part records go in the same
    /// commit and the parts left out of the object are removed with the replaced blobs; a
    /// failed plain put removes its own new blob instead, unless the store failed part-way
    /// through the commit: the record may then be applied, and its blob stays (the next start
    /// removes it if the record did not survive).
    pub(crate) async fn commit_object(
        &self,
        bucket: &str,
        meta: ObjectMeta,
        inline: Bytes,
        upload: Option<&Upload>,
    ) -> Result<ObjectMeta> {
        let bucket = bucket.to_owned();
        let own: Vec<String> = meta.segments.iter().map(|s| s.blob.clone()).collect();
        let kept = own.clone();
        let record = layout::encode_object(&meta, &inline);
        let key = layout::in_bucket(&bucket, &meta.key);
        let upload_id = upload.map(|u| u.upload_id.clone());
        let committed = self
            .store
            .write(move |txn| {
                require_bucket(txn, &bucket)?;
                let mut unused = match &upload_id {
                    Some(id) => retire_upload(txn, &bucket, id)?,
                    None => Vec::new(),
                };
                unused.retain(|blob| !kept.contains(blob));
                if let Some(old) = remove_record(txn, &bucket, &key)? {
                    unused.extend(old.segments.into_iter().map(|s| s.blob));
                }
                txn.put(OBJECTS, key, record);
                adjust_count(txn, &bucket, 1)?;
                Ok::<_, S3Error>(unused)
            })
            .await;
        match committed {
            Ok(unused) => {
                self.blobs.remove(unused).await;
                Ok(meta)
            }
            Err(err) => {
                if upload.is_none() && !err.may_have_written() {
                    self.blobs.remove(own).await;
                }
                Err(err)
            }
        }
    }

    /// The object at `key` (`NoSuchBucket` before `NoSuchKey`).
    pub fn get_object(&self, bucket: &str, key: &str) -> Result<StoredObject> {
        match self.store.get(OBJECTS, &layout::in_bucket(bucket, key))? {
            Some(bytes) => {
                let (meta, inline) = layout::decode_object(bytes)?;
                Ok(StoredObject { meta, inline })
            }
            None => {
                self.bucket(bucket)?;
                Err(S3Error::NoSuchKey)
            }
        }
    }

    /// Reads `len` bytes of `object` from `start`.
    pub async fn read_object(
        &self,
        object: &StoredObject,
        start: u64,
        len: u64,
    ) -> Result<ObjectReader> {
        self.blobs
            .reader(object.inline.clone(), &object.meta.segments, start, len)
            .await
    }

    /// Deletes the object at `key`; deleting a missing key succeeds, as on S3.
    pub async fn delete_object(&self, bucket: &str, key: &str) -> Result<()> {
        let bucket = bucket.to_owned();
        let key = layout::in_bucket(&bucket, key);
        let unused = self
            .store
            .write(move |txn| {
                require_bucket(txn, &bucket)?;
                let removed = remove_record(txn, &bucket, &key)?;
                Ok::<_, S3Error>(removed.map(|old| old.segments))
            })
            .await?;
        if let Some(segments) = unused {
            self.blobs
                .remove(segments.into_iter().map(|s| s.blob))
                .await;
        }
        Ok(())
    }

    /// Replaces an object's canned ACL and/or tags in place.
    pub async fn update_object<F>(&self, bucket: &str, key: &str, change: F) -> Result<ObjectMeta>
    where
        F: FnOnce(&mut ObjectMeta) -> Result<()> + Send + 'static,
    {
        let bucket = bucket.to_owned();
        let key = layout::in_bucket(&bucket, key);
        self.store
            .write(move |txn| {
                require_bucket(txn, &bucket)?;
                let Some(bytes) = txn.get(OBJECTS, &key)? else {
                    return Err(S3Error::NoSuchKey);
                };
                let (mut meta, inline) = layout::decode_object(bytes)?;
                change(&mut meta)?;
                txn.put(OBJECTS, key, layout::encode_object(&meta, &inline));
                Ok(meta)
            })
            .await
    }
}

pub(crate) fn require_bucket(txn: &WriteTxn, bucket: &str) -> Result<()> {
    match txn.get(BUCKETS, bucket.as_bytes())? {
        Some(_) => Ok(()),
        None => Err(S3Error::NoSuchBucket),
    }
}

/// Deletes the record at `key` (if any) and counts it out; returns what was there.
fn remove_record(txn: &mut WriteTxn, bucket: &str, key: &[u8]) -> Result<Option<ObjectMeta>> {
    let Some(bytes) = txn.get(OBJECTS, key)? else {
        return Ok(None);
    };
    let (old, _) = layout::decode_object(bytes)?;
    txn.delete(OBJECTS, key.to_vec());
    adjust_count(txn, bucket, -1)?;
    Ok(Some(old))
}

fn adjust_count(txn: &mut WriteTxn, bucket: &str, delta: i64) -> Result<()> {
    let count = layout::count(txn.get(COUNTS, bucket.as_bytes())?);
    let count = count.saturating_add_signed(delta);
    txn.put(COUNTS, bucket.as_bytes(), count.to_be_bytes().to_vec());
    Ok(())
}
