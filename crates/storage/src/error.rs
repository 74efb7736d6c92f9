//! The one error type of the storage layer.
//!
//! It is `Clone` because a failed group commit hands the same failure to every write of the
//! group; backend errors are therefore kept behind an `Arc`.

use std::{path::PathBuf, sync::Arc};

/// Everything that can go wrong in `strata-storage`.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StorageError {
    /// Another process (or another `Store` in this process) holds the data directory.
    #[error("data directory {} is already open in another store", path.display())]
    Locked {
        /// The directory that could not be locked.
        path: PathBuf,
    },

    /// A keyspace name the backend cannot store (see [`crate::check_keyspace_name`]).
    #[error("invalid keyspace name {name:?}: must be 1 to 255 bytes")]
    InvalidKeyspaceName {
        /// The rejected name.
        name: String,
    },

    /// A key or value longer than the backend accepts (see [`crate::MAX_KEY_LEN`]).
    #[error("{what} of {len} bytes is longer than the maximum of {max} bytes")]
    TooLong {
        /// `"key"` or `"value"`.
        what: &'static str,
        /// Its length.
        len: usize,
        /// The limit it broke.
        max: usize,
    },

    /// A write to the empty key (backends reserve it).
    #[error("keys written must not be empty")]
    EmptyKey,

    /// An earlier write or fsync failed, so the on-disk state is unknown: the store refuses every
    /// further write until the process restarts and recovers from the journal.
    #[error("store is poisoned by an earlier failed write or fsync; restart to recover")]
    Poisoned,

    /// The writer thread is gone (the store is shutting down, or the thread could not start).
    #[error("storage writer thread has stopped")]
    WriterStopped,

    /// The backend panicked while applying or persisting a batch (a bug in it, or an input it
    /// should have rejected); the store is poisoned.
    #[error("storage backend panicked: {0}")]
    BackendPanicked(String),

    /// Any other failure reported by the backend or the file system.
    #[error("storage backend failed: {0}")]
    Backend(Arc<dyn std::error::Error + Send + Sync>),
}

impl StorageError {
    /// Wraps a backend or I/O failure.
    pub fn backend(err: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Backend(Arc::new(err))
    }
}

impl From<std::io::Error> for StorageError {
    fn from(err: std::io::Error) -> Self {
        Self::backend(err)
    }
}
