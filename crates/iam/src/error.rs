//! The IAM engine's one error type. Each domain variant is one of IAM's error codes
//! and carries AWS's message; the server maps variants to the wire in one place.

use strata_storage::StorageError;

#[derive(Debug, thiserror::Error)]
pub enum IamError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// A stored record no longer decodes: a bug or a damaged data directory.
    #[error("corrupt IAM record: {0}")]
    Corrupt(String),
    #[error("{0}")]
    NoSuchEntity(String),
    #[error("{0}")]
    EntityAlreadyExists(String),
    #[error("{0}")]
    DeleteConflict(String),
    #[error("{0}")]
    LimitExceeded(String),
    /// A policy document that does not parse or validate; AWS's message.
    #[error("{0}")]
    MalformedPolicyDocument(String),
    /// A request IAM refuses as `InvalidInput` (duplicate tag keys).
    #[error("{0}")]
    InvalidInput(String),
    /// A parameter violates its modelled constraint (IAM's `ValidationError`).
    #[error("{0}")]
    Validation(String),
}
