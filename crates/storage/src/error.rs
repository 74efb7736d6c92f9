//! The one error type of the storage layer.
//!
//! It is `Clone` because a failed group commit hands the same failure to every write of the
//! group; backend errors are therefore kept behind an `Arc`.
//!
//! Callers sort failures with [`StorageError::is_unavailable`] (the machine's: a full disk, or
//! a store refusing writes since a failure; answered "service unavailable") and
//! [`StorageError::may_have_written`] (a write that failed part-way may still be applied).

use std::{io, path::PathBuf, sync::Arc};

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

    /// The disk holding the store has less than [`crate::MIN_FREE_SPACE`] free. The write was
    /// refused before its closure ran, so nothing was written and the store is not poisoned:
    /// writes succeed again once space is freed or added.
    #[error(
        "the disk is nearly full: {available} bytes free, writes need at least {} bytes free",
        crate::MIN_FREE_SPACE
    )]
    NoSpace {
        /// The free bytes the writer found.
        available: u64,
    },

    /// The writer thread is gone (the store is shutting down, or the thread could not start).
    #[error("storage writer thread has stopped")]
    WriterStopped,

    /// The backend panicked while applying or persisting a batch (a bug in it, or an input it
    /// should have rejected); the store is poisoned.
    #[error("storage backend panicked: {0}")]
    BackendPanicked(String),

    /// A kind of record is stored in a newer format than this build knows (a data directory
    /// written by a newer strata).
    #[error(
        "{keyspace} is stored in format {stored}, newer than the format {known} this strata knows; run a newer strata on this data directory"
    )]
    NewerFormat {
        keyspace: &'static str,
        stored: u16,
        known: u16,
    },

    /// The recorded format of a kind of record is not a format number.
    #[error("the recorded format of {keyspace} is corrupt")]
    CorruptFormat { keyspace: &'static str },

    /// Any other failure reported by the backend or the file system.
    #[error("storage backend failed: {0}")]
    Backend(Arc<dyn std::error::Error + Send + Sync>),
}

impl StorageError {
    /// Wraps a backend or I/O failure.
    pub fn backend(err: impl std::error::Error + Send + Sync + 'static) -> Self {
        Self::Backend(Arc::new(err))
    }

    /// Whether the failure is the machine's, not a bug: the disk is full (or the quota spent),
    /// or the store refuses writes since such a failure. Services answer it with their "service
    /// unavailable" error (HTTP 503), which clients retry later.
    pub fn is_unavailable(&self) -> bool {
        match self {
            Self::NoSpace { .. } | Self::Poisoned => true,
            Self::Backend(err) => {
                let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(&**err);
                while let Some(err) = cause {
                    if err.downcast_ref::<io::Error>().is_some_and(is_out_of_space) {
                        return true;
                    }
                    cause = err.source();
                }
                false
            }
            _ => false,
        }
    }

    /// Whether a write that failed with this error may nonetheless have been applied, visible
    /// now and possibly after a restart: the backend failed while applying or persisting its
    /// group, after part of it may have reached the journal. Refusals (`Poisoned`, `NoSpace`,
    /// an invalid write, a stopped writer) wrote nothing.
    pub fn may_have_written(&self) -> bool {
        matches!(self, Self::Backend(_) | Self::BackendPanicked(_))
    }
}

/// Whether an I/O error says the disk is full or the quota spent (`ENOSPC`, `EDQUOT`).
pub fn is_out_of_space(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded
    )
}

impl From<io::Error> for StorageError {
    fn from(err: io::Error) -> Self {
        Self::backend(err)
    }
}
