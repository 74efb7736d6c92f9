//! [`Backend`] on fjall 3 (an LSM tree with a write-ahead journal).
//!
//! The database is opened with `manual_journal_persist`, so applying a batch only appends it to
//! the journal's in-process buffer; [`Backend::persist`] flushes that buffer and fsyncs
//! (`PersistMode::SyncAll`). Journal rotation fsyncs the old journal itself.
//!
//! Every read goes through a fjall snapshot: fjall's plain `Keyspace::get`/`range` read at
//! `SeqNo::MAX` and can observe a batch while it is being applied to the memtables, that is
//! half of it. A snapshot reads at the last *published* batch, so reads are never torn.
//!
//! fjall runs flushes and compactions on **one** background worker. With two or more
//! (its default is one per core, up to 4), fjall 3.1's worker 0 hands every compaction
//! request it receives back to the queue so that it stays free for flushes; while another
//! worker compacts, worker 0 keeps receiving and re-sending that request, spinning a whole
//! core. Profiled on a 1,000,000-item import: 22% of all samples in that loop
//! (`worker_tick`, `flume::Shared::send`); with one worker the import took 17.8 s instead of
//! 22.2–25.0 s and BatchWriteItem loading 19.8 s instead of 27.5 s (2 cores).
//!
//! **A full disk** (read in fjall 3.1.13's source): fjall never continues after a failed write.
//! - `WriteBatch::commit` appends the batch to the journal through an 8 KiB `BufWriter`
//!   (entries larger than that go straight to the file). If that fails (`ENOSPC` included) it
//!   poisons the database and returns the I/O error before touching the memtables: the batch is
//!   not visible, but a prefix of it may be in the journal file.
//! - `Database::persist` flushes that buffer and fsyncs; if that fails it poisons the database.
//!   The batches already applied stay visible to reads while their journal bytes may be partly
//!   missing.
//! - The background worker (flush, compaction, memtable or journal rotation) ends on its first
//!   error ("Worker #0 crashed"), poisoning the database; with our one worker, nothing is
//!   flushed or compacted again in that process.
//! - Poisoning is for the life of the `Database`: every later commit or persist returns
//!   `Error::Poisoned` (our [`StorageError::Poisoned`]); reads keep working. Reopening
//!   recovers: the journal is read up to the last complete batch and truncated there, so a torn
//!   batch is dropped whole, never half applied. Dropping the database first flushes what the
//!   journal buffer still holds, so a batch whose persist failed may yet be complete on disk:
//!   a failed write's outcome is unknown ([`StorageError::may_have_written`]).
//! - Journal files are created sparse (`set_len` of 64 MiB), so they reserve no space.
//!
//! So the writer refuses writes before the disk is that full ([`crate::MIN_FREE_SPACE`], read
//! with [`Backend::free_space`]), and anything that still poisons fjall needs a restart.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    sync::{Arc, PoisonError, RwLock},
};

use fjall::{Database, Keyspace, KeyspaceCreateOptions, PersistMode, Readable};

use crate::{
    StorageError,
    backend::{Backend, BackendSnapshot, Batch, KeyRange, KvIter, check_keyspace_name},
};

impl From<fjall::Error> for StorageError {
    fn from(err: fjall::Error) -> Self {
        match err {
            fjall::Error::Poisoned => Self::Poisoned,
            other => Self::backend(other),
        }
    }
}

/// A fjall database plus a cache of opened keyspace handles. Cheap to clone.
#[derive(Clone)]
pub struct FjallBackend {
    inner: Arc<Inner>,
}

struct Inner {
    db: Database,
    keyspaces: RwLock<HashMap<String, Keyspace>>,
    /// The database directory, whose file system [`Backend::free_space`] asks about.
    dir: PathBuf,
}

impl FjallBackend {
    /// Opens (creating or recovering) the database in `dir`.
    pub fn open(dir: &Path) -> Result<Self, StorageError> {
        Self::open_with(dir, false)
    }

    /// Opens a fresh database in a new temporary directory, which fjall deletes when the last
    /// handle to the database (including snapshots and iterators of this backend) is dropped.
    pub fn open_temporary() -> Result<Self, StorageError> {
        let dir = tempfile::Builder::new()
            .prefix("strata-store-")
            .tempdir()?
            .keep();
        Self::open_with(&dir, true).inspect_err(|_| {
            // Best effort: the open error is the one worth reporting.
            let _ = std::fs::remove_dir_all(&dir);
        })
    }

    fn open_with(dir: &Path, temporary: bool) -> Result<Self, StorageError> {
        let db = Database::builder(dir)
            .manual_journal_persist(true)
            .worker_threads(1)
            .temporary(temporary)
            .open()
            .map_err(|err| match err {
                fjall::Error::Locked => StorageError::Locked {
                    path: dir.to_path_buf(),
                },
                other => other.into(),
            })?;
        Ok(Self {
            inner: Arc::new(Inner {
                db,
                keyspaces: RwLock::default(),
                dir: dir.to_path_buf(),
            }),
        })
    }

    /// The handle of keyspace `name` if it exists. Reads go through here, so that reading a
    /// keyspace nothing has written yet (every one of them, on a fresh data directory) does not
    /// create it: creating one costs a few fsyncs, which made the first start ~40 ms slower.
    fn existing_keyspace(&self, name: &str) -> Result<Option<Keyspace>, StorageError> {
        if let Some(keyspace) = self.cached_keyspace(name) {
            return Ok(Some(keyspace));
        }
        check_keyspace_name(name)?;
        if self.inner.db.keyspace_exists(name) {
            self.keyspace(name).map(Some)
        } else {
            Ok(None)
        }
    }

    /// The handle of keyspace `name`, creating the keyspace on first use (by a write).
    fn keyspace(&self, name: &str) -> Result<Keyspace, StorageError> {
        if let Some(keyspace) = self.cached_keyspace(name) {
            return Ok(keyspace);
        }
        // Checked here because fjall panics on an invalid name.
        check_keyspace_name(name)?;
        let keyspace = self
            .inner
            .db
            .keyspace(name, KeyspaceCreateOptions::default)?;
        self.inner
            .keyspaces
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(name.to_owned(), keyspace.clone());
        Ok(keyspace)
    }

    /// The handle of keyspace `name` if this process has opened it before.
    fn cached_keyspace(&self, name: &str) -> Option<Keyspace> {
        self.inner
            .keyspaces
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(name)
            .cloned()
    }

    fn fjall_snapshot(&self) -> FjallSnapshot {
        FjallSnapshot {
            snapshot: self.inner.db.snapshot(),
            backend: self.clone(),
        }
    }
}

impl Backend for FjallBackend {
    fn get(&self, keyspace: &str, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
        self.fjall_snapshot().get(keyspace, key)
    }

    fn range(&self, keyspace: &str, range: KeyRange) -> Result<KvIter, StorageError> {
        self.fjall_snapshot().range(keyspace, range)
    }

    fn range_rev(&self, keyspace: &str, range: KeyRange) -> Result<KvIter, StorageError> {
        self.fjall_snapshot().range_rev(keyspace, range)
    }

    fn snapshot(&self) -> Result<Box<dyn BackendSnapshot>, StorageError> {
        Ok(Box::new(self.fjall_snapshot()))
    }

    fn apply(&self, batch: Batch) -> Result<(), StorageError> {
        let mut fjall_batch = self.inner.db.batch();
        for entry in batch.entries {
            let keyspace = self.keyspace(&entry.keyspace)?;
            match entry.value {
                Some(value) => fjall_batch.insert(&keyspace, entry.key, value),
                None => fjall_batch.remove(&keyspace, entry.key),
            }
        }
        Ok(fjall_batch.commit()?)
    }

    fn persist(&self) -> Result<(), StorageError> {
        Ok(self.inner.db.persist(PersistMode::SyncAll)?)
    }

    fn free_space(&self) -> Option<u64> {
        crate::free_space(&self.inner.dir)
    }
}

/// A fjall snapshot; holds the backend so a temporary database outlives it.
struct FjallSnapshot {
    snapshot: fjall::Snapshot,
    backend: FjallBackend,
}

impl BackendSnapshot for FjallSnapshot {
    fn get(&self, keyspace: &str, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
        let Some(keyspace) = self.backend.existing_keyspace(keyspace)? else {
            return Ok(None);
        };
        Ok(self
            .snapshot
            .get(&keyspace, key)?
            .map(|value| value.to_vec()))
    }

    fn range(&self, keyspace: &str, range: KeyRange) -> Result<KvIter, StorageError> {
        self.iter(keyspace, range, false)
    }

    fn range_rev(&self, keyspace: &str, range: KeyRange) -> Result<KvIter, StorageError> {
        self.iter(keyspace, range, true)
    }
}

impl FjallSnapshot {
    /// `range` of `keyspace` in either direction; nothing when the keyspace does not exist
    /// (a keyspace created after this snapshot holds nothing as of it either).
    fn iter(&self, keyspace: &str, range: KeyRange, reverse: bool) -> Result<KvIter, StorageError> {
        let Some(keyspace) = self.backend.existing_keyspace(keyspace)? else {
            return Ok(Box::new(std::iter::empty()));
        };
        Ok(Box::new(FjallIter {
            iter: self.snapshot.range(&keyspace, range),
            reverse,
            _backend: self.backend.clone(),
        }))
    }
}

/// A fjall iterator copying pairs out; holds the backend so a temporary database outlives it.
struct FjallIter {
    iter: fjall::Iter,
    /// Walk from the end of the range.
    reverse: bool,
    _backend: FjallBackend,
}

impl Iterator for FjallIter {
    type Item = Result<(Vec<u8>, Vec<u8>), StorageError>;

    fn next(&mut self) -> Option<Self::Item> {
        let guard = if self.reverse {
            self.iter.next_back()?
        } else {
            self.iter.next()?
        };
        Some(
            guard
                .into_inner()
                .map(|(key, value)| (key.to_vec(), value.to_vec()))
                .map_err(StorageError::from),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{Backend, BatchEntry};

    #[test]
    fn reads_do_not_create_keyspaces_and_writes_do() {
        let backend = FjallBackend::open_temporary().unwrap();
        assert_eq!(backend.get("never", b"k").unwrap(), None);
        let all = (std::ops::Bound::Unbounded, std::ops::Bound::Unbounded);
        assert_eq!(backend.range("never", all.clone()).unwrap().count(), 0);
        assert_eq!(backend.range_rev("never", all).unwrap().count(), 0);
        let snapshot = backend.snapshot().unwrap();
        assert!(!backend.inner.db.keyspace_exists("never"));

        backend
            .apply(Batch {
                entries: vec![BatchEntry {
                    keyspace: "never".to_owned(),
                    key: b"k".to_vec(),
                    value: Some(b"v".to_vec()),
                }],
            })
            .unwrap();
        assert!(backend.inner.db.keyspace_exists("never"));
        assert_eq!(backend.get("never", b"k").unwrap(), Some(b"v".to_vec()));
        // A snapshot taken before the keyspace existed still sees nothing in it.
        assert_eq!(snapshot.get("never", b"k").unwrap(), None);
    }
}
