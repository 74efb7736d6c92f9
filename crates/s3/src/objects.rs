//! Object operations: commit a written body as an object (a new version in a versioned
//! bucket), read one back (any version), delete (a delete marker, or a version for good).

use bytes::Bytes;
use strata_storage::WriteTxn;

use crate::layout::{self, BUCKETS, OBJECTS, VERSIONS};
use crate::multipart::retire_upload;
use crate::versions::{self, Place, VersionId, adjust_count};
use crate::{
    Blob, Bucket, CannedAcl, ObjectHeaders, ObjectMeta, ObjectReader, Result, S3, S3Error, Upload,
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
    /// Grants given instead of a canned ACL.
    pub grants: Option<Vec<crate::acl::Grant>>,
    pub tags: Vec<(String, String)>,
    /// A conditional write's precondition, checked inside the commit.
    pub condition: Option<WriteCondition>,
    /// SSE-KMS: how the body (written by an encrypting writer) is encrypted.
    pub sse_kms: Option<crate::SseKms>,
}

/// S3's conditional writes: a precondition on the key's current object, checked atomically
/// with the write that replaces it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WriteCondition {
    /// `If-None-Match: *`: only if the key has no current object.
    IfNoneMatch,
    /// `If-Match`: only if the current object has this ETag (`*`: any).
    IfMatch(String),
}

impl WriteCondition {
    fn check(&self, current: Option<&ObjectMeta>) -> Result<()> {
        match (self, current) {
            (Self::IfNoneMatch, Some(_)) => Err(S3Error::PreconditionFailed("If-None-Match")),
            (Self::IfMatch(_), None) => Err(S3Error::NoSuchKey),
            (Self::IfMatch(etag), Some(meta)) if etag != "*" && *etag != meta.etag => {
                Err(S3Error::PreconditionFailed("If-Match"))
            }
            _ => Ok(()),
        }
    }
}

/// What a DeleteObject did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Deleted {
    /// `x-amz-version-id`: the delete marker made, or the version named.
    pub version_id: Option<String>,
    /// `x-amz-delete-marker`: a delete marker was made, or the version removed was one.
    pub delete_marker: bool,
}

impl S3 {
    /// Commits `blob` as object `new.key`, replacing any object there.
    pub async fn put_object(&self, new: NewObject, blob: Blob) -> Result<ObjectMeta> {
        let etag = blob.etag();
        let size = blob.size;
        let crate::blob::Placed {
            inline,
            inline_iv,
            segments,
        } = blob.into_parts();
        let meta = ObjectMeta {
            key: new.key,
            version_id: None,
            seq: 0,
            delete_marker: false,
            size,
            etag,
            last_modified_micros: self.now_micros(),
            owner: new.owner,
            headers: new.headers,
            checksums: new.checksums,
            parts_count: None,
            parts: Vec::new(),
            upload_id: None,
            segments,
            acl: new.acl,
            grants: new.grants,
            tags: new.tags,
            sse_kms: new.sse_kms,
            inline_iv,
        };
        self.commit_object(&new.bucket, meta, inline, None, new.condition)
            .await
    }

    /// Writes an object record as the key's newest version (its id decided by the bucket's
    /// versioning at commit), then removes the blobs of the version it replaced, if any. When
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
        condition: Option<WriteCondition>,
    ) -> Result<ObjectMeta> {
        let bucket = bucket.to_owned();
        let own: Vec<String> = meta.segments.iter().map(|s| s.blob.clone()).collect();
        let kept = own.clone();
        let upload_id = upload.map(|u| u.upload_id.clone());
        let committed = self
            .store
            .write(move |txn| {
                let mut meta = meta;
                let versioning = bucket_record(txn, &bucket)?.versioning;
                if let Some(condition) = &condition {
                    let current = match txn.get(OBJECTS, &layout::in_bucket(&bucket, &meta.key))? {
                        Some(bytes) => Some(layout::decode_object(bytes)?.0),
                        None => None,
                    };
                    condition.check(current.as_ref())?;
                }
                let mut unused = match &upload_id {
                    Some(id) => retire_upload(txn, &bucket, id)?,
                    None => Vec::new(),
                };
                unused.retain(|blob| !kept.contains(blob));
                versions::stamp(txn, &bucket, versioning, &mut meta)?;
                unused.extend(versions::supersede(txn, &bucket, &meta.key, versioning)?);
                let key = layout::in_bucket(&bucket, &meta.key);
                txn.put(OBJECTS, key, layout::encode_object(&meta, &inline));
                adjust_count(txn, &bucket, 1)?;
                Ok::<_, S3Error>((meta, unused))
            })
            .await;
        match committed {
            Ok((meta, unused)) => {
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

    /// Version `version` of `key`, or its current version (`NoSuchBucket` first). A delete
    /// marker answers [`S3Error::DeleteMarker`]: when it is the current version, or when
    /// named.
    pub fn get_object(
        &self,
        bucket: &str,
        key: &str,
        version: Option<&VersionId>,
    ) -> Result<StoredObject> {
        let Some(version) = version else {
            if let Some(bytes) = self.store.get(OBJECTS, &layout::in_bucket(bucket, key))? {
                let (meta, inline) = layout::decode_object(bytes)?;
                return Ok(StoredObject { meta, inline });
            }
            let bucket = self.bucket(bucket)?;
            // One view of both keyspaces: a version moving between them is seen once.
            let view = self.store.snapshot()?;
            if let Some(bytes) = view.get(OBJECTS, &layout::in_bucket(&bucket.name, key))? {
                let (meta, inline) = layout::decode_object(bytes)?;
                return Ok(StoredObject { meta, inline });
            }
            return match versions::newest_noncurrent(&view, &bucket.name, key)? {
                Some((_, marker, _)) if marker.delete_marker => Err(S3Error::DeleteMarker {
                    version_id: marker.version_header(&bucket),
                    last_modified_micros: marker.last_modified_micros,
                    named: false,
                }),
                _ => Err(S3Error::NoSuchKey),
            };
        };
        match versions::locate(&self.store.snapshot()?, bucket, key, version)? {
            Some(found) if found.meta.delete_marker => Err(S3Error::DeleteMarker {
                version_id: Some(version.text().to_owned()),
                last_modified_micros: found.meta.last_modified_micros,
                named: true,
            }),
            Some(found) => Ok(StoredObject {
                meta: found.meta,
                inline: found.inline,
            }),
            None => {
                self.bucket(bucket)?;
                Err(S3Error::NoSuchVersion)
            }
        }
    }

    /// Reads `len` bytes of `object` from `start`; `key` is its data key when it is
    /// encrypted at rest (SSE-KMS).
    pub async fn read_object(
        &self,
        object: &StoredObject,
        start: u64,
        len: u64,
        key: Option<&crate::DataKey>,
    ) -> Result<ObjectReader> {
        self.blobs
            .reader(
                object.inline.clone(),
                object.meta.inline_iv.as_deref(),
                &object.meta.segments,
                start,
                len,
                key,
            )
            .await
    }

    /// DeleteObject: without `version`, removes the key's object (never versioned), or makes
    /// a delete marker owned by `deleter` its newest version; with one, deletes that version
    /// for good. A missing key, or a version already deleted, succeeds, as on S3.
    pub async fn delete_object(
        &self,
        bucket: &str,
        key: &str,
        version: Option<VersionId>,
        deleter: &str,
    ) -> Result<Deleted> {
        let (bucket, key, deleter) = (bucket.to_owned(), key.to_owned(), deleter.to_owned());
        let now = self.now_micros();
        let (deleted, unused) = self
            .store
            .write(move |txn| delete_in(txn, &bucket, &key, version, deleter, now))
            .await?;
        self.blobs.remove(unused).await;
        Ok(deleted)
    }

    /// Changes version `version` of an object (the current one when `None`) in place: its
    /// canned ACL or tags.
    pub async fn update_object<F>(
        &self,
        bucket: &str,
        key: &str,
        version: Option<VersionId>,
        change: F,
    ) -> Result<ObjectMeta>
    where
        F: FnOnce(&mut ObjectMeta) -> Result<()> + Send + 'static,
    {
        let (bucket, key) = (bucket.to_owned(), key.to_owned());
        self.store
            .write(move |txn| {
                bucket_record(txn, &bucket)?;
                let found = match &version {
                    Some(version) => versions::locate(&*txn, &bucket, &key, version)?,
                    None => {
                        let at = layout::in_bucket(&bucket, &key);
                        match txn.get(OBJECTS, &at)? {
                            Some(bytes) => {
                                let (meta, inline) = layout::decode_object(bytes)?;
                                Some(versions::Located {
                                    place: Place::Current(at),
                                    meta,
                                    inline,
                                })
                            }
                            None => None,
                        }
                    }
                };
                let Some(mut found) = found else {
                    return Err(match version {
                        Some(_) => S3Error::NoSuchVersion,
                        None => S3Error::NoSuchKey,
                    });
                };
                if found.meta.delete_marker {
                    return Err(S3Error::DeleteMarker {
                        version_id: Some(found.meta.version_text().to_owned()),
                        last_modified_micros: found.meta.last_modified_micros,
                        named: true,
                    });
                }
                change(&mut found.meta)?;
                let record = layout::encode_object(&found.meta, &found.inline);
                match found.place {
                    Place::Current(at) => txn.put(OBJECTS, at, record),
                    Place::Noncurrent(at) => txn.put(VERSIONS, at, record),
                }
                Ok(found.meta)
            })
            .await
    }
}

/// [`S3::delete_object`] inside a write, at `now`; returns the blob files to remove once it
/// is committed.
pub(crate) fn delete_in(
    txn: &mut WriteTxn,
    bucket: &str,
    key: &str,
    version: Option<VersionId>,
    deleter: String,
    now: i64,
) -> Result<(Deleted, Vec<String>)> {
    let found = bucket_record(txn, bucket)?;
    let Some(version) = version else {
        let Some(versioning) = found.versioning else {
            let unused = match versions::locate(&*txn, bucket, key, &VersionId::Null)? {
                Some(old) => versions::remove(txn, bucket, old)?,
                None => Vec::new(),
            };
            return Ok((Deleted::default(), unused));
        };
        let mut marker = ObjectMeta::delete_marker(key.to_owned(), deleter, now);
        versions::stamp(txn, bucket, Some(versioning), &mut marker)?;
        let unused = versions::supersede(txn, bucket, key, Some(versioning))?;
        let at = layout::version_key(bucket, key, marker.seq);
        txn.put(VERSIONS, at, layout::encode_object(&marker, &[]));
        adjust_count(txn, bucket, 1)?;
        let deleted = Deleted {
            version_id: Some(marker.version_text().to_owned()),
            delete_marker: true,
        };
        return Ok((deleted, unused));
    };
    let mut deleted = Deleted {
        version_id: Some(version.text().to_owned()),
        delete_marker: false,
    };
    let Some(old) = versions::locate(&*txn, bucket, key, &version)? else {
        return Ok((deleted, Vec::new()));
    };
    deleted.delete_marker = old.meta.delete_marker;
    let unused = versions::remove(txn, bucket, old)?;
    versions::promote(txn, bucket, key)?;
    Ok((deleted, unused))
}

/// The bucket a write goes into, read inside it (`NoSuchBucket` once deleted).
pub(crate) fn bucket_record(txn: &WriteTxn, bucket: &str) -> Result<Bucket> {
    match txn.get(BUCKETS, bucket.as_bytes())? {
        Some(bytes) => layout::decode(&bytes),
        None => Err(S3Error::NoSuchBucket),
    }
}
