//! The KMS engine's one error type. AWS's codes and texts are the application layer's:
//! the engine only says what went wrong with its own records.

use strata_storage::StorageError;

#[derive(Debug, thiserror::Error)]
pub enum KmsError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// A stored record no longer decodes: a bug or a damaged data directory.
    #[error("corrupt KMS record: {0}")]
    Corrupt(String),
    /// No key with this id in this account and region.
    #[error("no such key")]
    NoSuchKey,
    /// No alias with this name in this account and region.
    #[error("no such alias")]
    NoSuchAlias,
    /// The alias name is taken in this account and region.
    #[error("alias exists")]
    AliasExists,
    /// The system's random source failed.
    #[error("no randomness: {0}")]
    Random(String),
}
