//! DynamoDB's JSON 1.0 protocol: `X-Amz-Target` operations, `__type` errors,
//! `x-amzn-RequestId` and `x-amz-crc32` on every response.

use bytes::Bytes;
use http::StatusCode;
use http_body_util::Full;
use strata_sigv4::AuthFailure;

use super::{AwsError, HttpResponse};
use crate::auth::AuthRejection;

pub const CONTENT_TYPE: &str = "application/x-amz-json-1.0";

const COMMON: &str = "com.amazon.coral.service#";

/// An operation strata does not serve (yet), or no operation at all.
pub fn unknown_operation() -> AwsError {
    AwsError::new(
        "com.amazon.coral.service#UnknownOperationException",
        StatusCode::BAD_REQUEST,
        "",
    )
}

pub fn internal_failure() -> AwsError {
    AwsError::new(
        "com.amazon.coral.service#InternalFailure",
        StatusCode::INTERNAL_SERVER_ERROR,
        "The request processing has failed because of an unknown error, exception or failure.",
    )
}

/// A body that ends before its Content-Length (or a broken chunked body): to DynamoDB that
/// is JSON cut short, the bare `SerializationException` — a client error, never a 5xx the
/// SDKs would retry.
pub fn incomplete_body() -> AwsError {
    AwsError::new(
        "com.amazon.coral.service#SerializationException",
        StatusCode::BAD_REQUEST,
        "",
    )
}

pub fn request_too_large() -> AwsError {
    AwsError::new(
        "com.amazon.coral.service#RequestEntityTooLarge",
        StatusCode::PAYLOAD_TOO_LARGE,
        "Request entity too large",
    )
}

/// DynamoDB's spelling of an authentication failure (spec iam-s3-authz §5.4).
pub fn auth_error(rejection: &AuthRejection) -> AwsError {
    let e = match rejection {
        AuthRejection::Internal(_) => return internal_failure(),
        AuthRejection::Denied(e) => e,
    };
    let code = match e.failure {
        AuthFailure::MissingAuthenticationToken => {
            "com.amazon.coral.service#MissingAuthenticationTokenException"
        }
        AuthFailure::IncompleteSignature => "com.amazon.coral.service#IncompleteSignatureException",
        AuthFailure::InvalidClientTokenId => "com.amazon.coral.service#UnrecognizedClientException",
        AuthFailure::ExpiredToken => "com.amazon.coral.service#ExpiredTokenException",
        // UNCONFIRMED: DynamoDB has no modelled code for an expired presigned URL
        // (SDKs never presign DynamoDB); it is a signature failure like skew.
        AuthFailure::SignatureDoesNotMatch | AuthFailure::RequestExpired => {
            "com.amazon.coral.service#InvalidSignatureException"
        }
    };
    debug_assert!(code.starts_with(COMMON));
    AwsError::new(code, StatusCode::BAD_REQUEST, e.message.clone())
}

fn response(status: StatusCode, body: Vec<u8>, request_id: &str) -> HttpResponse {
    let crc = crc32fast::hash(&body);
    http::Response::builder()
        .status(status)
        .header(http::header::CONTENT_TYPE, CONTENT_TYPE)
        .header("x-amzn-RequestId", request_id)
        .header("x-amz-crc32", crc.to_string())
        .body(Full::new(Bytes::from(body)))
        .expect("static header names and valid values")
}

/// The error body's message member: `Message` for the errors whose model (or AWS's
/// observed answers) capitalise it, `message` for the rest.
fn message_member(code: &str) -> &'static str {
    const CAPITALISED: [&str; 4] = [
        "#AccessDeniedException",
        "#TransactionCanceledException",
        "#TransactionInProgressException",
        "#IdempotentParameterMismatchException",
    ];
    if CAPITALISED.iter().any(|suffix| code.ends_with(suffix)) {
        "Message"
    } else {
        "message"
    }
}

/// A successful response with an already-encoded JSON body.
pub fn ok(body: Vec<u8>, request_id: &str) -> HttpResponse {
    response(StatusCode::OK, body, request_id)
}

/// `{"__type": "...", "message": "..."}`; the message is left out when empty, as
/// DynamoDB does for `UnknownOperationException`. A few errors spell the member `Message`
/// (spec dynamodb-export-import §7.3).
pub fn error(err: &AwsError, request_id: &str) -> HttpResponse {
    let mut body = serde_json::Map::new();
    body.insert("__type".into(), err.code.into());
    if !err.message.is_empty() {
        body.insert(message_member(err.code).into(), err.message.clone().into());
    }
    for (name, value) in &err.extra {
        body.insert((*name).into(), value.clone());
    }
    let bytes = serde_json::to_vec(&body).expect("a map of strings always serializes");
    response(err.status, bytes, request_id)
}
