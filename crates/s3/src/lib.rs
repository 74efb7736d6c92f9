//! The S3 engine: buckets in one global namespace, each owned by one account and living in
//! one region; objects whose bytes are blob files (or inline, when small) and whose metadata
//! lives in `strata-storage`; multipart uploads.
//!
//! It never sees HTTP, XML or signatures, and it does not authorize: the server's S3 adapter
//! (and, later, the export job writing as its caller) decide who may call what, then call
//! here. Time comes from the one server [`Clock`].
//!
//! Invariants:
//! - An object's record is committed only after its bytes are durable and verified; a
//!   failed upload leaves no record and no file ([`blob`]), except when the store fails
//!   part-way through the commit: the record may then be applied, so the file stays until the
//!   next start, which removes it if no record names it.
//! - Bodies never fill the disk: one that would leave less than [`blob::KEEP_FREE`] free is
//!   refused before it is read, and none goes into the store's own reserve, so a disk filled by
//!   uploads still takes records, deletes and DynamoDB writes.
//! - Every change to a bucket's contents runs inside one store write closure that first
//!   checks the bucket still exists, so nothing is written into a deleted bucket, and the
//!   bucket's object count (which decides `BucketNotEmpty`) is exact.
//! - Blob files are removed only after the record that named them is gone.
//!
//! Map: [`buckets`] (bucket operations), [`objects`] (put, get, delete, copy sources),
//! [`versions`] (S3 Versioning: where versions live), [`list`] (ListObjects V1/V2 and
//! ListObjectVersions), [`multipart`], [`expiry`] (the lifecycle pass); bucket settings with
//! rules of their own in [`cors`] and [`lifecycle`]; records in [`model`], keys in [`layout`].

pub mod acl;
pub mod blob;
pub mod buckets;
pub mod cors;
pub mod error;
pub mod expiry;
pub mod layout;
pub mod lifecycle;
pub mod list;
pub mod model;
pub mod multipart;
pub mod name;
pub mod objects;
pub mod tags;
pub mod versions;

use std::sync::Arc;

use strata_clock::Clock;
use strata_storage::Store;

pub use blob::{Blob, BlobDir, BlobWriter, DataKey, ObjectReader};
pub use buckets::CreateBucket;
pub use error::{Result, S3Error};
pub use list::{ListQuery, ListedVersion, Listing, VersionListing, VersionQuery};
pub use model::{
    Bucket, BucketPolicy, CannedAcl, DefaultEncryption, ObjectHeaders, ObjectMeta, ObjectOwnership,
    Part, PartSummary, PublicAccessBlock, Segment, SseKms, Upload, Versioning,
};
pub use multipart::recount_open_uploads;
pub use objects::{Deleted, NewObject, StoredObject, WriteCondition};
pub use tags::is_system_tag;
pub use versions::VersionId;

/// The engine: cheap to clone, shared by every request.
#[derive(Clone)]
pub struct S3 {
    store: Store,
    clock: Clock,
    blobs: Arc<BlobDir>,
    /// Multipart uploads an account may have in progress at once.
    max_open_uploads: Arc<std::sync::atomic::AtomicU64>,
}

/// The default of [`S3::limit_open_uploads`]: far above what an application keeps open,
/// low enough that an account cannot fill the store with abandoned uploads.
pub const DEFAULT_MAX_OPEN_UPLOADS: u64 = 10_000;

impl S3 {
    pub fn new(store: Store, clock: Clock, blobs: BlobDir) -> Self {
        Self {
            store,
            clock,
            blobs: Arc::new(blobs),
            max_open_uploads: Arc::new(DEFAULT_MAX_OPEN_UPLOADS.into()),
        }
    }

    /// How many multipart uploads one account (their initiator's) may have in progress;
    /// CreateMultipartUpload beyond it is [`S3Error::TooManyOpenUploads`].
    pub fn limit_open_uploads(&self, per_account: u64) {
        self.max_open_uploads
            .store(per_account, std::sync::atomic::Ordering::Relaxed);
    }

    /// Starts writing an object body (small ones may stay inline).
    pub fn body_writer(&self) -> BlobWriter {
        self.blobs.writer(true)
    }

    /// Starts writing a multipart part (always a file).
    pub fn part_writer(&self) -> BlobWriter {
        self.blobs.writer(false)
    }

    /// Removes blob files that no object or part names: bodies whose request failed or
    /// whose server crashed between writing the file and committing its record. Call at
    /// startup, before any write (a body being uploaded has no record yet).
    pub async fn remove_unreferenced_files(&self) -> Result<usize> {
        let mut referenced = std::collections::HashSet::new();
        for keyspace in [layout::OBJECTS, layout::VERSIONS] {
            for entry in self.store.prefix(keyspace, b"")? {
                let (meta, _) = layout::decode_object(entry?.1)?;
                referenced.extend(meta.segments.into_iter().map(|s| s.blob));
            }
        }
        for entry in self.store.prefix(layout::PARTS, b"")? {
            referenced.insert(layout::decode::<Part>(&entry?.1)?.blob);
        }
        let unreferenced: Vec<String> = self
            .blobs
            .ids()?
            .into_iter()
            .filter(|id| !referenced.contains(id))
            .collect();
        let count = unreferenced.len();
        self.blobs.remove(unreferenced).await;
        Ok(count)
    }

    fn now_micros(&self) -> i64 {
        self.clock.now().as_microsecond()
    }
}

#[cfg(test)]
mod tests;
