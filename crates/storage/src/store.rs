//! [`Store`], the handle engines hold, and its read-only [`Snapshot`].

use std::{future::Future, ops::RangeBounds, path::Path, sync::Arc};

use crate::{
    StorageError, WriteTxn,
    backend::{
        Backend, BackendSnapshot, KeyRange, KvIter, check_read_key, is_empty_range, owned_range,
        prefix_range,
    },
    fjall_backend::FjallBackend,
    writer::{StoreStats, Writer, unwrap_outcome},
};

/// The embedded durable store. Cheap to clone: clones share one backend and one writer thread,
/// which stops (after finishing queued writes) when the last clone is dropped.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    backend: Arc<dyn Backend>,
    writer: Writer,
}

impl Store {
    /// Opens (creating or recovering) the store in `dir`. Only one store may have `dir` open at
    /// a time, in any process: a second open fails with [`StorageError::Locked`].
    pub fn open(dir: &Path) -> Result<Self, StorageError> {
        Self::with_backend(Arc::new(FjallBackend::open(dir)?))
    }

    /// Opens an empty store in a new temporary directory, deleted when the last handle (and
    /// the last snapshot or iterator) is dropped. Same code path as [`Store::open`]: this is
    /// what `--in-memory` runs on.
    pub fn open_temporary() -> Result<Self, StorageError> {
        Self::with_backend(Arc::new(FjallBackend::open_temporary()?))
    }

    /// A store on any backend (tests use this to inject failures).
    pub fn with_backend(backend: Arc<dyn Backend>) -> Result<Self, StorageError> {
        let writer = Writer::spawn(backend.clone())?;
        Ok(Self {
            inner: Arc::new(Inner { backend, writer }),
        })
    }

    /// The latest value of `key` in `keyspace`.
    pub fn get(&self, keyspace: &str, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
        check_read_key(key)?;
        self.inner.backend.get(keyspace, key)
    }

    /// The latest pairs of `keyspace` within `range`, in key order, streamed from one
    /// consistent view. E.g. `store.range("ks", b"a".as_slice()..b"m".as_slice())`.
    pub fn range<K: AsRef<[u8]>, R: RangeBounds<K>>(
        &self,
        keyspace: &str,
        range: R,
    ) -> Result<KvIter, StorageError> {
        scan(owned_range(&range)?, |range| {
            self.inner.backend.range(keyspace, range)
        })
    }

    /// [`Store::range`] in reverse key order (DynamoDB's `ScanIndexForward: false`).
    pub fn range_rev<K: AsRef<[u8]>, R: RangeBounds<K>>(
        &self,
        keyspace: &str,
        range: R,
    ) -> Result<KvIter, StorageError> {
        scan(owned_range(&range)?, |range| {
            self.inner.backend.range_rev(keyspace, range)
        })
    }

    /// The latest pairs of `keyspace` whose key starts with `prefix`, in key order.
    pub fn prefix(&self, keyspace: &str, prefix: &[u8]) -> Result<KvIter, StorageError> {
        self.inner.backend.range(keyspace, prefix_range(prefix)?)
    }

    /// A consistent view of every keyspace as of now, for reads that must agree with each
    /// other (an export, a multi-key read). Keep it short-lived: it pins old versions.
    pub fn snapshot(&self) -> Result<Snapshot, StorageError> {
        Ok(Snapshot {
            inner: self.inner.backend.snapshot()?,
        })
    }

    /// Resolves once every write queued before it is durable (an empty write through the
    /// writer: its group's fsync, or the earlier groups' acknowledgements, come first). Reads
    /// see a group's writes before its fsync; a read that must only answer what survives a
    /// crash reads, then settles.
    pub fn settle(&self) -> impl Future<Output = Result<(), StorageError>> + Send + 'static {
        self.write(|_| Ok::<_, StorageError>(()))
    }

    /// Runs `f` on the writer thread, after every write queued before it, and resolves once its
    /// writes are durable.
    ///
    /// `f` is queued when `write` is called, not when the future is first polled, so calls
    /// made one after another commit in that order. Dropping the future does not cancel the
    /// write. If `f` returns `Err` nothing it wrote is kept and the error is returned after the
    /// group's fsync; if it panics, the panic resumes here. Keep `f` short and free of I/O: it
    /// holds up every write behind it.
    pub fn write<T, E, F>(&self, f: F) -> impl Future<Output = Result<T, E>> + Send + 'static
    where
        F: FnOnce(&mut WriteTxn) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StorageError> + Send + 'static,
    {
        let queued = self.inner.writer.submit(f);
        async move {
            let reply = queued?.await;
            unwrap_outcome(reply)
        }
    }

    /// [`Store::write`] for callers outside an async runtime (the CLI), blocking the thread.
    ///
    /// # Panics
    ///
    /// If called from within an async runtime (tokio refuses to block its workers); use
    /// [`Store::write`] there. Also resumes a panic of `f`.
    pub fn write_blocking<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut WriteTxn) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StorageError> + Send + 'static,
    {
        let queued = self.inner.writer.submit(f)?;
        unwrap_outcome(queued.blocking_recv())
    }

    /// Counters of the group-commit writer.
    pub fn stats(&self) -> StoreStats {
        self.inner.writer.stats()
    }

    /// Whether a failed write or fsync has made the store refuse all further writes.
    pub fn is_poisoned(&self) -> bool {
        self.inner.writer.is_poisoned()
    }
}

/// A consistent read view of every keyspace, from [`Store::snapshot`].
pub struct Snapshot {
    inner: Box<dyn BackendSnapshot>,
}

impl Snapshot {
    /// The value of `key` in `keyspace` as of the snapshot.
    pub fn get(&self, keyspace: &str, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
        check_read_key(key)?;
        self.inner.get(keyspace, key)
    }

    /// The pairs of `keyspace` within `range`, in key order, as of the snapshot.
    pub fn range<K: AsRef<[u8]>, R: RangeBounds<K>>(
        &self,
        keyspace: &str,
        range: R,
    ) -> Result<KvIter, StorageError> {
        scan(owned_range(&range)?, |range| {
            self.inner.range(keyspace, range)
        })
    }

    /// [`Snapshot::range`] in reverse key order: the newest of a run of stamped keys first
    /// (an "as of" read seeks straight to it).
    pub fn range_rev<K: AsRef<[u8]>, R: RangeBounds<K>>(
        &self,
        keyspace: &str,
        range: R,
    ) -> Result<KvIter, StorageError> {
        scan(owned_range(&range)?, |range| {
            self.inner.range_rev(keyspace, range)
        })
    }

    /// The pairs of `keyspace` whose key starts with `prefix`, as of the snapshot.
    pub fn prefix(&self, keyspace: &str, prefix: &[u8]) -> Result<KvIter, StorageError> {
        self.inner.range(keyspace, prefix_range(prefix)?)
    }
}

/// Reads `range` with `read`, short-cutting ranges that cannot hold a key (backends are not
/// required to accept an inverted range).
fn scan(
    range: KeyRange,
    read: impl FnOnce(KeyRange) -> Result<KvIter, StorageError>,
) -> Result<KvIter, StorageError> {
    if is_empty_range(&range) {
        return Ok(Box::new(std::iter::empty()));
    }
    read(range)
}
