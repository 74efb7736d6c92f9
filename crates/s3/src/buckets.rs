//! Bucket operations: create, look up, list an account's buckets, delete, and the
//! bucket-level settings (policy, ownership controls, public access block, ACL, tags).

use crate::layout::{self, BUCKETS, COUNTS, UPLOADS};
use crate::multipart::retire_upload;
use crate::name::check_bucket_name;
use crate::{Bucket, CannedAcl, ObjectOwnership, PublicAccessBlock, Result, S3, S3Error};

/// The region where re-creating one's own bucket answers 200 instead of
/// `BucketAlreadyOwnedByYou` (S3's legacy behaviour there).
const LEGACY_REGION: &str = "us-east-1";

/// What CreateBucket asks for.
pub struct CreateBucket {
    pub name: String,
    pub owner: String,
    pub region: String,
    /// `x-amz-object-ownership`; new buckets default to `BucketOwnerEnforced`.
    pub ownership: Option<ObjectOwnership>,
    pub acl: Option<CannedAcl>,
    /// `x-amz-grant-*`, in place of `acl`.
    pub grants: Option<Vec<crate::acl::Grant>>,
}

impl S3 {
    /// Creates a bucket, or returns the caller's existing one where S3 does (us-east-1).
    pub async fn create_bucket(&self, req: CreateBucket) -> Result<Bucket> {
        check_bucket_name(&req.name)?;
        let bucket = Bucket {
            name: req.name,
            owner: req.owner,
            region: req.region,
            created_micros: self.now_micros(),
            ownership: Some(
                req.ownership
                    .unwrap_or(ObjectOwnership::BucketOwnerEnforced),
            ),
            policy: None,
            public_access_block: Some(PublicAccessBlock::ALL),
            acl: req.acl.unwrap_or_default(),
            grants: req.grants,
            tags: Vec::new(),
            versioning: None,
            encryption: None,
            cors: Vec::new(),
            lifecycle: Vec::new(),
        };
        self.store
            .write(move |txn| {
                if let Some(existing) = txn.get(BUCKETS, bucket.name.as_bytes())? {
                    let existing: Bucket = layout::decode(&existing)?;
                    return if existing.owner != bucket.owner {
                        Err(S3Error::BucketAlreadyExists)
                    } else if existing.region == LEGACY_REGION && bucket.region == LEGACY_REGION {
                        Ok(existing)
                    } else {
                        Err(S3Error::BucketAlreadyOwnedByYou)
                    };
                }
                txn.put(BUCKETS, bucket.name.as_bytes(), layout::encode(&bucket));
                Ok(bucket)
            })
            .await
    }

    /// The bucket named `name`.
    pub fn bucket(&self, name: &str) -> Result<Bucket> {
        match self.store.get(BUCKETS, name.as_bytes())? {
            Some(bytes) => layout::decode(&bytes),
            None => Err(S3Error::NoSuchBucket),
        }
    }

    /// The buckets `owner` owns, by name.
    pub fn list_buckets(&self, owner: &str) -> Result<Vec<Bucket>> {
        let mut out = Vec::new();
        for entry in self.store.prefix(BUCKETS, b"")? {
            let bucket: Bucket = layout::decode(&entry?.1)?;
            if bucket.owner == owner {
                out.push(bucket);
            }
        }
        Ok(out)
    }

    /// How many objects the bucket holds.
    pub fn object_count(&self, name: &str) -> Result<u64> {
        Ok(layout::count(self.store.get(COUNTS, name.as_bytes())?))
    }

    /// Deletes an empty bucket, aborting its multipart uploads.
    pub async fn delete_bucket(&self, name: &str) -> Result<()> {
        let name = name.to_owned();
        let removed = self
            .store
            .write(move |txn| {
                if txn.get(BUCKETS, name.as_bytes())?.is_none() {
                    return Err(S3Error::NoSuchBucket);
                }
                if layout::count(txn.get(COUNTS, name.as_bytes())?) > 0 {
                    return Err(S3Error::BucketNotEmpty);
                }
                // The uploads are listed inside the write, so one started or ended meanwhile
                // is neither left behind nor retired twice.
                let mut blobs = Vec::new();
                let prefix = layout::in_bucket(&name, "");
                for key in txn.prefix_keys(UPLOADS, &prefix)? {
                    let upload_id = String::from_utf8_lossy(&key[prefix.len()..]).into_owned();
                    blobs.extend(retire_upload(txn, &name, &upload_id)?);
                }
                txn.delete(BUCKETS, name.as_bytes());
                txn.delete(COUNTS, name.as_bytes());
                txn.delete(COUNTS, layout::sequence_key(&name));
                Ok::<_, S3Error>(blobs)
            })
            .await?;
        self.blobs.remove(removed).await;
        Ok(())
    }

    /// Changes a bucket's settings with `change`, atomically.
    pub async fn update_bucket<F>(&self, name: &str, change: F) -> Result<Bucket>
    where
        F: FnOnce(&mut Bucket) -> Result<()> + Send + 'static,
    {
        let name = name.to_owned();
        self.store
            .write(move |txn| {
                let mut bucket: Bucket = match txn.get(BUCKETS, name.as_bytes())? {
                    Some(bytes) => layout::decode(&bytes)?,
                    None => return Err(S3Error::NoSuchBucket),
                };
                change(&mut bucket)?;
                txn.put(BUCKETS, name.as_bytes(), layout::encode(&bucket));
                Ok(bucket)
            })
            .await
    }
}
