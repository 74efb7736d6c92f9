//! DynamoDB operations (JSON 1.0). None is served yet: every operation is answered
//! `UnknownOperationException`, as DynamoDB answers an operation it does not know.

use crate::auth::Caller;
use crate::protocol::AwsError;
use crate::protocol::json::unknown_operation;

/// Runs a DynamoDB operation; returns the encoded JSON response body.
pub async fn handle(_caller: &Caller, _operation: &str, _body: &[u8]) -> Result<Vec<u8>, AwsError> {
    Err(unknown_operation())
}
