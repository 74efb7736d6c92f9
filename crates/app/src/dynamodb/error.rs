//! [`Error`]: every way a DynamoDB operation fails, named by DynamoDB's error codes. The
//! engine's errors map into it here ([`From<DynamoDbError>`]); the protocol edge renders each
//! variant as its `__type`, status and message in one place.

use strata_dynamodb::{CancellationReason, DynamoDbError};
use strata_dynamodb_item::Item;
use strata_expression::ExpressionError;
use strata_storage::StorageError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    Validation(String),
    /// The request body's JSON does not have the shape of the operation's input.
    #[error("{0}")]
    Serialization(String),
    #[error("{0}")]
    AccessDenied(String),
    #[error("{0}")]
    ResourceNotFound(String),
    #[error("{0}")]
    ResourceInUse(String),
    #[error("{0}")]
    LimitExceeded(String),
    #[error("The conditional request failed")]
    ConditionalCheckFailed {
        /// The item when `ReturnValuesOnConditionCheckFailure` was `ALL_OLD`.
        item: Option<Item>,
    },
    #[error("Transaction cancelled, please refer cancellation reasons for specific reasons [{}]", .0.iter().map(|r| r.code).collect::<Vec<_>>().join(", "))]
    TransactionCanceled(Vec<CancellationReason>),
    #[error("{0}")]
    IdempotentParameterMismatch(String),
    #[error("{0}")]
    PolicyNotFound(String),
    /// `TableNotFoundException` (continuous backups and exports say this, not
    /// ResourceNotFound).
    #[error("{0}")]
    TableNotFound(String),
    #[error("{0}")]
    PointInTimeRecoveryUnavailable(String),
    #[error("{0}")]
    InvalidExportTime(String),
    #[error("{0}")]
    ExportConflict(String),
    #[error("{0}")]
    ExportNotFound(String),
    #[error("{0}")]
    InvalidRestoreTime(String),
    #[error("{0}")]
    ImportConflict(String),
    #[error("{0}")]
    ImportNotFound(String),
    #[error("{0}")]
    TableAlreadyExists(String),
    /// A Streams shard iterator older than 15 minutes.
    #[error("{0}")]
    ExpiredIterator(String),
    /// A Streams read from before the trim horizon.
    #[error("{0}")]
    TrimmedDataAccess(String),
    /// The store refuses writes (a full disk): 503, worth a retry.
    #[error(transparent)]
    Unavailable(StorageError),
    /// A bug or damaged stored data: 500.
    #[error("internal error: {0}")]
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// "One or more parameter values were invalid: …", DynamoDB's usual prefix.
    pub fn invalid(detail: impl std::fmt::Display) -> Self {
        Error::Validation(format!(
            "One or more parameter values were invalid: {detail}"
        ))
    }

    pub fn validation(message: impl Into<String>) -> Self {
        Error::Validation(message.into())
    }
}

impl From<DynamoDbError> for Error {
    fn from(e: DynamoDbError) -> Self {
        match e {
            DynamoDbError::Validation(m) => Error::Validation(m),
            DynamoDbError::ResourceNotFound(m) => Error::ResourceNotFound(m),
            DynamoDbError::ResourceInUse(m) => Error::ResourceInUse(m),
            DynamoDbError::LimitExceeded(m) => Error::LimitExceeded(m),
            DynamoDbError::ConditionalCheckFailed { item } => {
                Error::ConditionalCheckFailed { item }
            }
            DynamoDbError::TransactionCanceled(reasons) => Error::TransactionCanceled(reasons),
            DynamoDbError::IdempotentParameterMismatch(m) => Error::IdempotentParameterMismatch(m),
            DynamoDbError::ExportConflict(m) => Error::ExportConflict(m),
            DynamoDbError::Storage(e) if e.is_unavailable() => Error::Unavailable(e),
            DynamoDbError::Storage(e) => Error::Internal(e.to_string()),
            DynamoDbError::Corrupt(m) => Error::Internal(m),
        }
    }
}

impl From<ExpressionError> for Error {
    fn from(e: ExpressionError) -> Self {
        Error::Validation(e.to_string())
    }
}

impl From<StorageError> for Error {
    fn from(e: StorageError) -> Self {
        DynamoDbError::Storage(e).into()
    }
}
