//! S3 Versioning: version ids, where each version of a key lives, and how a write or a delete
//! moves the versions it supersedes.
//!
//! A key's current version, when it is an object, is its record in `s3.objects` (what GET and
//! ListObjects read, exactly as in a bucket never versioned). Every other version — noncurrent
//! objects, and delete markers, current or not — is in `s3.versions` under
//! [`layout::version_key`], newest first.
//!
//! Invariants:
//! - A key with no record in `s3.objects` has no versions, or a delete marker as its newest.
//! - Versions of one key are ordered by `seq`, drawn from the bucket's counter
//!   ([`layout::sequence_key`]) inside the write that makes them; versions written before the
//!   bucket was first versioned have `seq` 0 and are the oldest.
//! - At most one version of a key is the `null` version (`version_id: None`).
//! - The bucket's object count counts every stored version and delete marker, so
//!   `BucketNotEmpty` holds until the last one is deleted.

use bytes::Bytes;
use strata_storage::{KvPair, Snapshot, WriteTxn};

use crate::layout::{self, COUNTS, OBJECTS, VERSIONS};
use crate::{ObjectMeta, Result, S3Error, Versioning};

/// The `null` version id's text.
pub const NULL: &str = "null";

/// A version id a request names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VersionId {
    /// `null`: the version of a key written while the bucket was unversioned or suspended.
    Null,
    /// A version written while versioning was enabled: its sequence number and full text.
    Id { seq: u64, text: String },
}

impl VersionId {
    /// Parses a version id as strata hands them out ([`VersionId::mint`]); any other text is
    /// `InvalidVersionId` (AWS too refuses ids it never minted).
    pub fn parse(text: &str) -> Result<Self> {
        if text == NULL {
            return Ok(Self::Null);
        }
        let minted =
            text.len() == 32 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        let seq = minted
            .then(|| u64::from_str_radix(&text[..16], 16).ok())
            .flatten()
            .ok_or(S3Error::InvalidVersionId)?;
        Ok(Self::Id {
            seq,
            text: text.to_owned(),
        })
    }

    /// A new version id for sequence number `seq`: 16 hex digits of it (so the version can
    /// be found from its id), then 16 random ones (so ids are never reused, even by a bucket
    /// recreated under the same name).
    fn mint(seq: u64) -> String {
        let random = uuid::Uuid::new_v4().as_u128() as u64;
        format!("{seq:016x}{random:016x}")
    }

    /// The id as S3 shows it.
    pub fn text(&self) -> &str {
        match self {
            Self::Null => NULL,
            Self::Id { text, .. } => text,
        }
    }

    fn names(&self, meta: &ObjectMeta) -> bool {
        match self {
            Self::Null => meta.version_id.is_none(),
            Self::Id { text, .. } => meta.version_id.as_deref() == Some(text),
        }
    }
}

/// Where a stored version is.
#[derive(Clone, Debug)]
pub(crate) enum Place {
    /// `s3.objects`: the current version.
    Current(Vec<u8>),
    /// `s3.versions`, at this key.
    Noncurrent(Vec<u8>),
}

/// A stored version and where it is.
pub(crate) struct Located {
    pub place: Place,
    pub meta: ObjectMeta,
    pub inline: Bytes,
}

/// Reads of the keyspaces versions live in, from the store or from inside a write.
pub(crate) trait Records {
    fn record(&self, keyspace: &str, key: &[u8]) -> Result<Option<Vec<u8>>>;
    /// The first pair under `prefix`.
    fn first_under(&self, keyspace: &str, prefix: &[u8]) -> Result<Option<KvPair>>;
    /// Every pair under `prefix`, in key order.
    fn all_under(&self, keyspace: &str, prefix: &[u8]) -> Result<Vec<KvPair>>;
}

impl Records for Snapshot {
    fn record(&self, keyspace: &str, key: &[u8]) -> Result<Option<Vec<u8>>> {
        Ok(self.get(keyspace, key)?)
    }

    fn first_under(&self, keyspace: &str, prefix: &[u8]) -> Result<Option<KvPair>> {
        Ok(self.prefix(keyspace, prefix)?.next().transpose()?)
    }

    fn all_under(&self, keyspace: &str, prefix: &[u8]) -> Result<Vec<KvPair>> {
        Ok(self.prefix(keyspace, prefix)?.collect::<Result<_, _>>()?)
    }
}

impl Records for WriteTxn<'_> {
    fn record(&self, keyspace: &str, key: &[u8]) -> Result<Option<Vec<u8>>> {
        Ok(self.get(keyspace, key)?)
    }

    fn first_under(&self, keyspace: &str, prefix: &[u8]) -> Result<Option<KvPair>> {
        Ok(self.first_in_prefix(keyspace, prefix)?)
    }

    fn all_under(&self, keyspace: &str, prefix: &[u8]) -> Result<Vec<KvPair>> {
        let mut out = Vec::new();
        for key in self.prefix_keys(keyspace, prefix)? {
            if let Some(value) = self.get(keyspace, &key)? {
                out.push((key, value));
            }
        }
        Ok(out)
    }
}

/// Version `version` of `key`, wherever it is.
pub(crate) fn locate(
    records: &impl Records,
    bucket: &str,
    key: &str,
    version: &VersionId,
) -> Result<Option<Located>> {
    let current_key = layout::in_bucket(bucket, key);
    if let Some(bytes) = records.record(OBJECTS, &current_key)? {
        let (meta, inline) = layout::decode_object(bytes)?;
        if version.names(&meta) {
            return Ok(Some(Located {
                place: Place::Current(current_key),
                meta,
                inline,
            }));
        }
    }
    let candidates = match version {
        VersionId::Id { seq, .. } => {
            let at = layout::version_key(bucket, key, *seq);
            records
                .record(VERSIONS, &at)?
                .map(|value| vec![(at, value)])
                .unwrap_or_default()
        }
        // At most one null version; finding it walks the key's versions.
        VersionId::Null => {
            let prefix = layout::versions_of(bucket, key);
            let mut own = records.all_under(VERSIONS, &prefix)?;
            own.retain(|(at, _)| at.len() == prefix.len() + 8);
            own
        }
    };
    for (at, value) in candidates {
        let (meta, inline) = layout::decode_object(value)?;
        if version.names(&meta) {
            return Ok(Some(Located {
                place: Place::Noncurrent(at),
                meta,
                inline,
            }));
        }
    }
    Ok(None)
}

/// The newest version of `key` kept in `s3.versions`.
pub(crate) fn newest_noncurrent(
    records: &impl Records,
    bucket: &str,
    key: &str,
) -> Result<Option<(Vec<u8>, ObjectMeta, Bytes)>> {
    let prefix = layout::versions_of(bucket, key);
    match records.first_under(VERSIONS, &prefix)? {
        Some((at, value)) if at.len() == prefix.len() + 8 => {
            let (meta, inline) = layout::decode_object(value)?;
            Ok(Some((at, meta, inline)))
        }
        _ => Ok(None),
    }
}

/// The next version sequence number of `bucket`.
pub(crate) fn next_seq(txn: &mut WriteTxn, bucket: &str) -> Result<u64> {
    let key = layout::sequence_key(bucket);
    let seq = layout::count(txn.get(COUNTS, &key)?) + 1;
    txn.put(COUNTS, key, seq.to_be_bytes().to_vec());
    Ok(seq)
}

/// Stamps `meta` as the newest version of its key in a bucket with `versioning`: its
/// sequence number and version id.
pub(crate) fn stamp(
    txn: &mut WriteTxn,
    bucket: &str,
    versioning: Option<Versioning>,
    meta: &mut ObjectMeta,
) -> Result<()> {
    if versioning.is_some() && meta.key.contains('\0') {
        // A NUL would make the key's versions share a prefix with another key's.
        return Err(S3Error::NulInVersionedKey);
    }
    meta.seq = match versioning {
        Some(_) => next_seq(txn, bucket)?,
        None => 0,
    };
    meta.version_id = (versioning == Some(Versioning::Enabled)).then(|| VersionId::mint(meta.seq));
    Ok(())
}

/// Makes room for a new newest version of `key`: the current object moves to the noncurrent
/// versions, or, when it (or a noncurrent version) is the `null` version and the new one is
/// too, is removed. Returns the removed versions' blob files.
pub(crate) fn supersede(
    txn: &mut WriteTxn,
    bucket: &str,
    key: &str,
    versioning: Option<Versioning>,
) -> Result<Vec<String>> {
    let mut unused = Vec::new();
    let current_key = layout::in_bucket(bucket, key);
    if let Some(bytes) = txn.get(OBJECTS, &current_key)? {
        let (meta, inline) = layout::decode_object(bytes)?;
        txn.delete(OBJECTS, current_key);
        if versioning == Some(Versioning::Enabled) || meta.version_id.is_some() {
            let at = layout::version_key(bucket, key, meta.seq);
            txn.put(VERSIONS, at, layout::encode_object(&meta, &inline));
        } else {
            unused.extend(meta.segments.into_iter().map(|s| s.blob));
            adjust_count(txn, bucket, -1)?;
        }
    }
    if versioning == Some(Versioning::Suspended)
        && let Some(null) = locate(&*txn, bucket, key, &VersionId::Null)?
    {
        unused.extend(remove(txn, bucket, null)?);
    }
    Ok(unused)
}

/// Deletes a stored version for good; returns its blob files.
pub(crate) fn remove(txn: &mut WriteTxn, bucket: &str, found: Located) -> Result<Vec<String>> {
    match found.place {
        Place::Current(at) => txn.delete(OBJECTS, at),
        Place::Noncurrent(at) => txn.delete(VERSIONS, at),
    }
    adjust_count(txn, bucket, -1)?;
    Ok(found.meta.segments.into_iter().map(|s| s.blob).collect())
}

/// Keeps the first invariant after a version of `key` was removed: with no current object,
/// the newest noncurrent version becomes current if it is an object.
pub(crate) fn promote(txn: &mut WriteTxn, bucket: &str, key: &str) -> Result<()> {
    let current_key = layout::in_bucket(bucket, key);
    if txn.get(OBJECTS, &current_key)?.is_some() {
        return Ok(());
    }
    if let Some((at, meta, inline)) = newest_noncurrent(&*txn, bucket, key)?
        && !meta.delete_marker
    {
        txn.delete(VERSIONS, at);
        txn.put(OBJECTS, current_key, layout::encode_object(&meta, &inline));
    }
    Ok(())
}

/// Counts versions in or out of a bucket's object count.
pub(crate) fn adjust_count(txn: &mut WriteTxn, bucket: &str, delta: i64) -> Result<()> {
    let count = layout::count(txn.get(COUNTS, bucket.as_bytes())?);
    let count = count.saturating_add_signed(delta);
    txn.put(COUNTS, bucket.as_bytes(), count.to_be_bytes().to_vec());
    Ok(())
}
