//! A backend for tests that fails on demand: fjall with switches that make `persist` fail as
//! under a full disk, or panic as a backend bug would, and a free-space reading to report
//! instead of the disk's. Built for this crate's tests and, with the `faults` feature, for the
//! tests of the engines above it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::backend::{Backend, BackendSnapshot, Batch, KeyRange, KvIter};
use crate::{FjallBackend, StorageError};

/// fjall whose `persist` fails (`ErrorKind::StorageFull`) while `fail` is set: the batch is
/// applied, and what reaches the journal is unknown, as when the disk fills under a commit.
pub struct FaultyBackend {
    inner: FjallBackend,
    /// Set: `persist` fails.
    pub fail: Arc<AtomicBool>,
    /// Set: `persist` panics.
    pub panic: Arc<AtomicBool>,
    /// Reported by `free_space`; `u64::MAX` asks fjall.
    pub free: Arc<AtomicU64>,
}

impl FaultyBackend {
    /// `inner` with every switch off.
    pub fn new(inner: FjallBackend) -> Self {
        Self {
            inner,
            fail: Arc::default(),
            panic: Arc::default(),
            free: Arc::new(AtomicU64::new(u64::MAX)),
        }
    }
}

impl Backend for FaultyBackend {
    fn get(&self, keyspace: &str, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
        self.inner.get(keyspace, key)
    }
    fn range(&self, keyspace: &str, range: KeyRange) -> Result<KvIter, StorageError> {
        self.inner.range(keyspace, range)
    }
    fn range_rev(&self, keyspace: &str, range: KeyRange) -> Result<KvIter, StorageError> {
        self.inner.range_rev(keyspace, range)
    }
    fn snapshot(&self) -> Result<Box<dyn BackendSnapshot>, StorageError> {
        self.inner.snapshot()
    }
    fn apply(&self, batch: Batch) -> Result<(), StorageError> {
        self.inner.apply(batch)
    }
    fn persist(&self) -> Result<(), StorageError> {
        if self.fail.load(Ordering::SeqCst) {
            return Err(std::io::Error::from(std::io::ErrorKind::StorageFull).into());
        }
        assert!(!self.panic.load(Ordering::SeqCst), "injected backend panic");
        self.inner.persist()
    }
    fn free_space(&self) -> Option<u64> {
        match self.free.load(Ordering::SeqCst) {
            u64::MAX => self.inner.free_space(),
            free => Some(free),
        }
    }
}
