//! The one mapping from the application's DynamoDB [`Error`] to DynamoDB's wire errors:
//! `__type`, status, message and the extra members (`Item`, `CancellationReasons`).

use http::StatusCode;
use serde_json::{Map, Value};
use strata_app::dynamodb::Error;
use strata_dynamodb_item::item_to_json;

use crate::protocol::AwsError;
use crate::protocol::json::internal_failure;

const DYNAMODB: &str = "com.amazonaws.dynamodb.v20120810#";

pub fn to_aws(e: Error) -> AwsError {
    let bad = StatusCode::BAD_REQUEST;
    match e {
        Error::Validation(m) => {
            AwsError::new("com.amazon.coral.validate#ValidationException", bad, m)
        }
        Error::Serialization(m) => {
            AwsError::new("com.amazon.coral.service#SerializationException", bad, m)
        }
        Error::AccessDenied(m) => {
            AwsError::new("com.amazon.coral.service#AccessDeniedException", bad, m)
        }
        Error::ResourceNotFound(m) => AwsError::new(
            "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",
            bad,
            m,
        ),
        Error::ResourceInUse(m) => AwsError::new(
            "com.amazonaws.dynamodb.v20120810#ResourceInUseException",
            bad,
            m,
        ),
        Error::LimitExceeded(m) => AwsError::new(
            "com.amazonaws.dynamodb.v20120810#LimitExceededException",
            bad,
            m,
        ),
        Error::PolicyNotFound(m) => AwsError::new(
            "com.amazonaws.dynamodb.v20120810#PolicyNotFoundException",
            bad,
            m,
        ),
        Error::IdempotentParameterMismatch(m) => AwsError::new(
            "com.amazonaws.dynamodb.v20120810#IdempotentParameterMismatchException",
            bad,
            m,
        ),
        Error::ConditionalCheckFailed { ref item } => {
            let mut err = AwsError::new(
                "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",
                bad,
                e.to_string(),
            );
            if let Some(item) = item {
                err.extra.push(("Item", item_to_json(item)));
            }
            err
        }
        Error::TransactionCanceled(ref reasons) => {
            let list = reasons
                .iter()
                .map(|r| {
                    let mut o = Map::new();
                    o.insert("Code".into(), r.code.into());
                    if let Some(m) = &r.message {
                        o.insert("Message".into(), m.clone().into());
                    }
                    if let Some(item) = &r.item {
                        o.insert("Item".into(), item_to_json(item));
                    }
                    Value::Object(o)
                })
                .collect();
            let mut err = AwsError::new(
                "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
                bad,
                e.to_string(),
            );
            err.extra.push(("CancellationReasons", Value::Array(list)));
            err
        }
        Error::TableNotFound(m) => AwsError::new(
            "com.amazonaws.dynamodb.v20120810#TableNotFoundException",
            bad,
            m,
        ),
        Error::PointInTimeRecoveryUnavailable(m) => AwsError::new(
            "com.amazonaws.dynamodb.v20120810#PointInTimeRecoveryUnavailableException",
            bad,
            m,
        ),
        Error::InvalidExportTime(m) => AwsError::new(
            "com.amazonaws.dynamodb.v20120810#InvalidExportTimeException",
            bad,
            m,
        ),
        Error::ExportConflict(m) => AwsError::new(
            "com.amazonaws.dynamodb.v20120810#ExportConflictException",
            bad,
            m,
        ),
        Error::ImportConflict(m) => AwsError::new(
            "com.amazonaws.dynamodb.v20120810#ImportConflictException",
            bad,
            m,
        ),
        Error::ImportNotFound(m) => AwsError::new(
            "com.amazonaws.dynamodb.v20120810#ImportNotFoundException",
            bad,
            m,
        ),
        Error::InvalidRestoreTime(m) => AwsError::new(
            "com.amazonaws.dynamodb.v20120810#InvalidRestoreTimeException",
            bad,
            m,
        ),
        Error::TableAlreadyExists(m) => AwsError::new(
            "com.amazonaws.dynamodb.v20120810#TableAlreadyExistsException",
            bad,
            m,
        ),
        Error::ExpiredIterator(m) => AwsError::new(
            "com.amazonaws.dynamodb.v20120810#ExpiredIteratorException",
            bad,
            m,
        ),
        Error::TrimmedDataAccess(m) => AwsError::new(
            "com.amazonaws.dynamodb.v20120810#TrimmedDataAccessException",
            bad,
            m,
        ),
        Error::ExportNotFound(m) => AwsError::new(
            "com.amazonaws.dynamodb.v20120810#ExportNotFoundException",
            bad,
            m,
        ),
        Error::Unavailable(e) => {
            tracing::error!(error = %e, "storage unavailable");
            service_unavailable()
        }
        Error::Internal(m) => {
            tracing::error!(error = %m, "internal failure");
            internal_server_error()
        }
    }
}

/// A full disk, or a store refusing writes since a failure: not a bug, and worth a retry.
/// UNCONFIRMED: DynamoDB documents the 503 and its message; the `__type` is the one AWS's own
/// SDK tests use.
fn service_unavailable() -> AwsError {
    AwsError::new(
        "com.amazonaws.dynamodb.v20120810#ServiceUnavailable",
        StatusCode::SERVICE_UNAVAILABLE,
        "DynamoDB is currently unavailable. (This should be a temporary state.)",
    )
}

/// DynamoDB's own 500, which it also answers to a request body it cannot decompress
/// (`crate::content_coding`).
pub(crate) fn internal_server_error() -> AwsError {
    let mut e = internal_failure();
    e.code = "com.amazonaws.dynamodb.v20120810#InternalServerError";
    e.message = "Internal server error".to_owned();
    debug_assert!(e.code.starts_with(DYNAMODB));
    e
}

#[cfg(test)]
mod tests {
    use super::*;
    use strata_dynamodb::DynamoDbError;
    use strata_storage::StorageError;

    #[test]
    fn a_full_disk_is_service_unavailable_and_a_bug_is_internal() {
        for unavailable in [
            StorageError::NoSpace { available: 0 },
            StorageError::Poisoned,
            StorageError::from(std::io::Error::from(std::io::ErrorKind::StorageFull)),
        ] {
            let err = to_aws(DynamoDbError::Storage(unavailable).into());
            assert_eq!(err.status, StatusCode::SERVICE_UNAVAILABLE);
            assert_eq!(
                err.code,
                "com.amazonaws.dynamodb.v20120810#ServiceUnavailable"
            );
        }
        let err =
            to_aws(DynamoDbError::Storage(StorageError::BackendPanicked("bug".into())).into());
        assert_eq!(err.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            err.code,
            "com.amazonaws.dynamodb.v20120810#InternalServerError"
        );
    }
}
