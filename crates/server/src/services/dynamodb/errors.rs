//! The one mapping from [`DynamoDbError`] to DynamoDB's wire errors: `__type`, status,
//! message and the extra members (`Item`, `CancellationReasons`).

use http::StatusCode;
use serde_json::{Map, Value};
use strata_dynamodb::DynamoDbError;

use super::wire::item_json;
use crate::protocol::AwsError;
use crate::protocol::json::internal_failure;

const DYNAMODB: &str = "com.amazonaws.dynamodb.v20120810#";

pub fn to_aws(e: DynamoDbError) -> AwsError {
    let bad = StatusCode::BAD_REQUEST;
    match e {
        DynamoDbError::Validation(m) => {
            AwsError::new("com.amazon.coral.validate#ValidationException", bad, m)
        }
        DynamoDbError::Serialization(m) => {
            AwsError::new("com.amazon.coral.service#SerializationException", bad, m)
        }
        DynamoDbError::AccessDenied(m) => {
            AwsError::new("com.amazon.coral.service#AccessDeniedException", bad, m)
        }
        DynamoDbError::ResourceNotFound(m) => AwsError::new(
            "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",
            bad,
            m,
        ),
        DynamoDbError::ResourceInUse(m) => AwsError::new(
            "com.amazonaws.dynamodb.v20120810#ResourceInUseException",
            bad,
            m,
        ),
        DynamoDbError::LimitExceeded(m) => AwsError::new(
            "com.amazonaws.dynamodb.v20120810#LimitExceededException",
            bad,
            m,
        ),
        DynamoDbError::PolicyNotFound(m) => AwsError::new(
            "com.amazonaws.dynamodb.v20120810#PolicyNotFoundException",
            bad,
            m,
        ),
        DynamoDbError::IdempotentParameterMismatch(m) => AwsError::new(
            "com.amazonaws.dynamodb.v20120810#IdempotentParameterMismatchException",
            bad,
            m,
        ),
        DynamoDbError::ConditionalCheckFailed { ref item } => {
            let mut err = AwsError::new(
                "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",
                bad,
                e.to_string(),
            );
            if let Some(item) = item {
                err.extra.push(("Item", item_json(item)));
            }
            err
        }
        DynamoDbError::TransactionCanceled(ref reasons) => {
            let list = reasons
                .iter()
                .map(|r| {
                    let mut o = Map::new();
                    o.insert("Code".into(), r.code.into());
                    if let Some(m) = &r.message {
                        o.insert("Message".into(), m.clone().into());
                    }
                    if let Some(item) = &r.item {
                        o.insert("Item".into(), item_json(item));
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
        DynamoDbError::TableNotFound(m) => AwsError::new(
            "com.amazonaws.dynamodb.v20120810#TableNotFoundException",
            bad,
            m,
        ),
        DynamoDbError::PointInTimeRecoveryUnavailable(m) => AwsError::new(
            "com.amazonaws.dynamodb.v20120810#PointInTimeRecoveryUnavailableException",
            bad,
            m,
        ),
        DynamoDbError::InvalidExportTime(m) => AwsError::new(
            "com.amazonaws.dynamodb.v20120810#InvalidExportTimeException",
            bad,
            m,
        ),
        DynamoDbError::ExportConflict(m) => AwsError::new(
            "com.amazonaws.dynamodb.v20120810#ExportConflictException",
            bad,
            m,
        ),
        DynamoDbError::ImportConflict(m) => AwsError::new(
            "com.amazonaws.dynamodb.v20120810#ImportConflictException",
            bad,
            m,
        ),
        DynamoDbError::ImportNotFound(m) => AwsError::new(
            "com.amazonaws.dynamodb.v20120810#ImportNotFoundException",
            bad,
            m,
        ),
        DynamoDbError::InvalidRestoreTime(m) => AwsError::new(
            "com.amazonaws.dynamodb.v20120810#InvalidRestoreTimeException",
            bad,
            m,
        ),
        DynamoDbError::TableAlreadyExists(m) => AwsError::new(
            "com.amazonaws.dynamodb.v20120810#TableAlreadyExistsException",
            bad,
            m,
        ),
        DynamoDbError::ExportNotFound(m) => AwsError::new(
            "com.amazonaws.dynamodb.v20120810#ExportNotFoundException",
            bad,
            m,
        ),
        DynamoDbError::Storage(e) if e.is_unavailable() => {
            tracing::error!(error = %e, "storage unavailable");
            service_unavailable()
        }
        DynamoDbError::Storage(e) => {
            tracing::error!(error = %e, "storage failure");
            internal_server_error()
        }
        DynamoDbError::Corrupt(m) => {
            tracing::error!(error = %m, "corrupt stored data");
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

fn internal_server_error() -> AwsError {
    let mut e = internal_failure();
    e.code = "com.amazonaws.dynamodb.v20120810#InternalServerError";
    e.message = "Internal server error".to_owned();
    debug_assert!(e.code.starts_with(DYNAMODB));
    e
}

#[cfg(test)]
mod tests {
    use super::*;
    use strata_storage::StorageError;

    #[test]
    fn a_full_disk_is_service_unavailable_and_a_bug_is_internal() {
        for unavailable in [
            StorageError::NoSpace { available: 0 },
            StorageError::Poisoned,
            StorageError::from(std::io::Error::from(std::io::ErrorKind::StorageFull)),
        ] {
            let err = to_aws(DynamoDbError::Storage(unavailable));
            assert_eq!(err.status, StatusCode::SERVICE_UNAVAILABLE);
            assert_eq!(
                err.code,
                "com.amazonaws.dynamodb.v20120810#ServiceUnavailable"
            );
        }
        let err = to_aws(DynamoDbError::Storage(StorageError::BackendPanicked(
            "bug".into(),
        )));
        assert_eq!(err.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(
            err.code,
            "com.amazonaws.dynamodb.v20120810#InternalServerError"
        );
    }
}
