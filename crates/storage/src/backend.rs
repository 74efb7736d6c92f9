//! The seam between [`Store`](crate::Store) and an embedded key-value engine.
//!
//! A backend is a set of named keyspaces of ordered byte keys. It offers point reads, ordered
//! range scans, consistent snapshots, atomic multi-keyspace batches and an explicit `persist`
//! (fsync). It never decides *when* to persist: the group-commit writer does. fjall is the one
//! implementation today ([`crate::fjall_backend`]); redb is the documented fallback.

use std::{
    ops::{Bound, RangeBounds},
    path::Path,
};

use crate::StorageError;

/// Longest key any backend must accept (fjall stores key lengths as `u16`). Written keys must
/// also be non-empty (fjall asserts it).
pub const MAX_KEY_LEN: usize = u16::MAX as usize;

/// Longest value any backend must accept (fjall stores value lengths as `u32`).
pub const MAX_VALUE_LEN: usize = u32::MAX as usize;

/// A key and its value, copied out of the backend.
pub type KvPair = (Vec<u8>, Vec<u8>);

/// A streaming, ordered scan. It reads one consistent view (it never mixes two batches), owns
/// what it needs, and may be moved across threads; memory stays bounded however long it runs.
pub type KvIter = Box<dyn Iterator<Item = Result<KvPair, StorageError>> + Send>;

/// An owned key range, as handed to [`Backend::range`].
pub type KeyRange = (Bound<Vec<u8>>, Bound<Vec<u8>>);

/// One write of a [`Batch`]: `value: None` deletes the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchEntry {
    /// The keyspace written to.
    pub keyspace: String,
    /// The key.
    pub key: Vec<u8>,
    /// The new value, or `None` for a delete.
    pub value: Option<Vec<u8>>,
}

/// Writes applied all together or not at all. Holds at most one entry per (keyspace, key), with
/// names and lengths already checked, so a backend never has to pick a winner or reject input.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Batch {
    /// The writes, ordered by keyspace then key.
    pub entries: Vec<BatchEntry>,
}

impl Batch {
    /// About the bytes a journal takes to record the batch: keys and values plus a little per
    /// entry (fjall's journal entries carry a keyspace id, lengths and a type byte).
    pub fn journal_size(&self) -> u64 {
        const ENTRY_OVERHEAD: usize = 32;
        self.entries
            .iter()
            .map(|e| (ENTRY_OVERHEAD + e.key.len() + e.value.as_ref().map_or(0, Vec::len)) as u64)
            .sum()
    }
}

/// A consistent read view: every read sees the same set of committed batches.
pub trait BackendSnapshot: Send + Sync {
    /// The value of `key` in `keyspace` as of the snapshot.
    fn get(&self, keyspace: &str, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError>;

    /// The pairs of `keyspace` within `range`, in key order, as of the snapshot.
    fn range(&self, keyspace: &str, range: KeyRange) -> Result<KvIter, StorageError>;

    /// The pairs of `keyspace` within `range`, in reverse key order, as of the snapshot.
    fn range_rev(&self, keyspace: &str, range: KeyRange) -> Result<KvIter, StorageError>;
}

/// An embedded, ordered, multi-keyspace key-value engine.
///
/// Keyspaces are created on first use. Plain reads see the latest applied batch, persisted or
/// not, and never half of one.
pub trait Backend: Send + Sync + 'static {
    /// The latest value of `key` in `keyspace`.
    fn get(&self, keyspace: &str, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError>;

    /// The latest pairs of `keyspace` within `range`, in key order.
    fn range(&self, keyspace: &str, range: KeyRange) -> Result<KvIter, StorageError>;

    /// The latest pairs of `keyspace` within `range`, in reverse key order.
    fn range_rev(&self, keyspace: &str, range: KeyRange) -> Result<KvIter, StorageError>;

    /// A consistent view of every keyspace as of now.
    fn snapshot(&self) -> Result<Box<dyn BackendSnapshot>, StorageError>;

    /// Applies `batch` atomically and makes it visible to reads, *without* waiting for the disk.
    /// A failure here leaves the backend in an unknown state: the caller must poison itself.
    fn apply(&self, batch: Batch) -> Result<(), StorageError>;

    /// Makes every applied batch durable (fsync of data and metadata).
    fn persist(&self) -> Result<(), StorageError>;

    /// Bytes still free on the disk holding the data, or `None` when the backend cannot tell.
    /// The writer refuses writes below [`MIN_FREE_SPACE`](crate::MIN_FREE_SPACE) with it.
    fn free_space(&self) -> Option<u64>;
}

/// Bytes still free for unprivileged writers on the file system holding `path` (`statvfs`'s
/// available blocks), or `None` if the system cannot tell.
pub fn free_space(path: &Path) -> Option<u64> {
    #[cfg(unix)]
    {
        let stat = rustix::fs::statvfs(path).ok()?;
        Some(stat.f_bavail.saturating_mul(stat.f_frsize))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// Checks the keyspace names every backend must accept: 1 to 255 bytes.
pub fn check_keyspace_name(name: &str) -> Result<(), StorageError> {
    if (1..=255).contains(&name.len()) {
        Ok(())
    } else {
        Err(StorageError::InvalidKeyspaceName {
            name: name.to_owned(),
        })
    }
}

/// Checks a key to be written: not empty, at most [`MAX_KEY_LEN`] bytes.
pub fn check_key(key: &[u8]) -> Result<(), StorageError> {
    if key.is_empty() {
        return Err(StorageError::EmptyKey);
    }
    check_read_key(key)
}

/// Checks a key to be read or used as a range bound: at most [`MAX_KEY_LEN`] bytes (reading
/// the empty key is allowed and finds nothing).
pub fn check_read_key(key: &[u8]) -> Result<(), StorageError> {
    check_len("key", key.len(), MAX_KEY_LEN)
}

/// Checks a value against [`MAX_VALUE_LEN`].
pub fn check_value(value: &[u8]) -> Result<(), StorageError> {
    check_len("value", value.len(), MAX_VALUE_LEN)
}

fn check_len(what: &'static str, len: usize, max: usize) -> Result<(), StorageError> {
    if len <= max {
        Ok(())
    } else {
        Err(StorageError::TooLong { what, len, max })
    }
}

/// Copies caller range bounds into a [`KeyRange`], checking the bound keys' lengths.
pub fn owned_range<K: AsRef<[u8]>, R: RangeBounds<K>>(range: &R) -> Result<KeyRange, StorageError> {
    fn owned<K: AsRef<[u8]>>(bound: Bound<&K>) -> Result<Bound<Vec<u8>>, StorageError> {
        Ok(match bound {
            Bound::Included(key) => Bound::Included(checked(key.as_ref())?),
            Bound::Excluded(key) => Bound::Excluded(checked(key.as_ref())?),
            Bound::Unbounded => Bound::Unbounded,
        })
    }
    fn checked(key: &[u8]) -> Result<Vec<u8>, StorageError> {
        check_read_key(key)?;
        Ok(key.to_vec())
    }
    Ok((owned(range.start_bound())?, owned(range.end_bound())?))
}

/// The range of every key starting with `prefix`: from `prefix` up to (excluding) the next
/// prefix of the same length, or unbounded when `prefix` is empty or all `0xFF`.
pub fn prefix_range(prefix: &[u8]) -> Result<KeyRange, StorageError> {
    check_read_key(prefix)?;
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < u8::MAX {
            end.push(last + 1);
            return Ok((Bound::Included(prefix.to_vec()), Bound::Excluded(end)));
        }
    }
    Ok((Bound::Included(prefix.to_vec()), Bound::Unbounded))
}

/// Whether `range` cannot contain any key (start after end, or an empty half-open range).
/// Backends are not required to accept such ranges, so callers short-cut them.
pub fn is_empty_range(range: &KeyRange) -> bool {
    match range {
        (Bound::Included(start), Bound::Included(end)) => start > end,
        (Bound::Included(start) | Bound::Excluded(start), Bound::Excluded(end))
        | (Bound::Excluded(start), Bound::Included(end)) => start >= end,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_range_bounds() {
        let cases: [(&[u8], Bound<Vec<u8>>); 4] = [
            (b"ab", Bound::Excluded(b"ac".to_vec())),
            (b"a\xff", Bound::Excluded(b"b".to_vec())),
            (b"\xff\xff", Bound::Unbounded),
            (b"", Bound::Unbounded),
        ];
        for (prefix, end) in cases {
            let range = prefix_range(prefix).expect("short prefix");
            assert_eq!(range, (Bound::Included(prefix.to_vec()), end), "{prefix:?}");
        }
    }

    #[test]
    fn empty_ranges() {
        let k = |s: &str| s.as_bytes().to_vec();
        assert!(is_empty_range(&(
            Bound::Included(k("b")),
            Bound::Included(k("a"))
        )));
        assert!(is_empty_range(&(
            Bound::Included(k("a")),
            Bound::Excluded(k("a"))
        )));
        assert!(is_empty_range(&(
            Bound::Excluded(k("a")),
            Bound::Included(k("a"))
        )));
        assert!(!is_empty_range(&(
            Bound::Included(k("a")),
            Bound::Included(k("a"))
        )));
        assert!(!is_empty_range(&(
            Bound::Excluded(k("a")),
            Bound::Unbounded
        )));
    }

    #[test]
    fn limits() {
        assert!(check_keyspace_name("iam.accounts").is_ok());
        assert!(check_keyspace_name("").is_err());
        assert!(check_keyspace_name(&"x".repeat(256)).is_err());
        assert!(check_key(&vec![0; MAX_KEY_LEN]).is_ok());
        assert!(check_key(b"").is_err());
        assert!(check_read_key(b"").is_ok());
        assert!(check_key(&vec![0; MAX_KEY_LEN + 1]).is_err());
    }
}
