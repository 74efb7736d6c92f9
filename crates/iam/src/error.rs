//! The IAM engine's one error type.

use strata_storage::StorageError;

#[derive(Debug, thiserror::Error)]
pub enum IamError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// A stored record no longer decodes: a bug or a damaged data directory.
    #[error("corrupt IAM record: {0}")]
    Corrupt(String),
}
