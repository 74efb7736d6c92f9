//! [`DynamoDbError`]: every way the engine fails, named by DynamoDB's error codes. Only what
//! the engine itself decides is here; the application layer adds the rest of DynamoDB's
//! errors (access, exports, imports, restores) and maps these into its own.

use strata_dynamodb_item::Item;
use strata_expression::ExpressionError;
use strata_storage::StorageError;

/// Why a transaction was cancelled, per item (`CancellationReasons`).
#[derive(Clone, Debug, PartialEq)]
pub struct CancellationReason {
    /// `None`, `ConditionalCheckFailed`, `ValidationError`, `TransactionConflict`, …
    pub code: &'static str,
    pub message: Option<String>,
    /// The item when `ReturnValuesOnConditionCheckFailure` was `ALL_OLD`.
    pub item: Option<Item>,
}

#[derive(Debug, thiserror::Error)]
pub enum DynamoDbError {
    #[error("{0}")]
    Validation(String),
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
    ExportConflict(String),
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// Stored data that does not decode: a bug or a damaged data directory.
    #[error("internal error: {0}")]
    Corrupt(String),
}

impl From<ExpressionError> for DynamoDbError {
    fn from(e: ExpressionError) -> Self {
        DynamoDbError::Validation(e.to_string())
    }
}

impl DynamoDbError {
    /// Whether the failure is the machine's (a full disk, a store refusing writes), one a
    /// later attempt may not meet.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::Storage(err) if err.is_unavailable())
    }

    pub(crate) fn validation(message: impl Into<String>) -> Self {
        DynamoDbError::Validation(message.into())
    }

    /// "One or more parameter values were invalid: …", DynamoDB's usual prefix.
    pub(crate) fn invalid(detail: impl std::fmt::Display) -> Self {
        DynamoDbError::Validation(format!(
            "One or more parameter values were invalid: {detail}"
        ))
    }

    /// `ResourceNotFoundException` for a table, in DynamoDB's words.
    pub fn table_not_found() -> Self {
        DynamoDbError::ResourceNotFound("Requested resource not found".to_owned())
    }
}

pub type Result<T, E = DynamoDbError> = std::result::Result<T, E>;
