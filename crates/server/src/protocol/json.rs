//! The JSON protocols: DynamoDB's JSON 1.0 (`X-Amz-Target` operations, `__type` errors,
//! `x-amzn-RequestId` and `x-amz-crc32` on every response) and KMS's JSON 1.1 (the same
//! without the CRC32).

use bytes::Bytes;
use http::StatusCode;
use http::header::{
    CONTENT_ENCODING, CONTENT_TYPE as CONTENT_TYPE_HEADER, HeaderName, HeaderValue,
};
use http_body_util::Full;
use strata_sigv4::AuthFailure;

use super::{AwsError, HttpResponse};
use crate::auth::AuthRejection;
use crate::content_coding::Coding;

pub const CONTENT_TYPE: &str = "application/x-amz-json-1.0";

/// JSON 1.1 (KMS).
pub const CONTENT_TYPE_1_1: &str = "application/x-amz-json-1.1";

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
        AuthFailure::SignatureDoesNotMatch => "com.amazon.coral.service#InvalidSignatureException",
    };
    debug_assert!(code.starts_with(COMMON));
    AwsError::new(code, StatusCode::BAD_REQUEST, e.message.clone())
}

/// A response carrying `body` as sent: in `coding` when there is one, and with the CRC32 of
/// the bytes on the wire, compressed or not (the AWS SDK for Go v2's DynamoDB customizations,
/// `service/dynamodb/internal/customizations/doc.go`: "the checksum is of the gzipped response
/// content").
pub fn response(
    status: StatusCode,
    body: Vec<u8>,
    coding: Option<Coding>,
    request_id: &str,
) -> HttpResponse {
    let crc = crc32fast::hash(&body);
    let mut response = http::Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE_HEADER, HeaderValue::from_static(CONTENT_TYPE));
    // Names are lower-case on the wire, as hyper writes every header name.
    headers.insert(
        HeaderName::from_static("x-amzn-requestid"),
        HeaderValue::from_str(request_id).expect("request ids are visible ASCII"),
    );
    headers.insert(
        HeaderName::from_static("x-amz-crc32"),
        HeaderValue::from(crc),
    );
    if let Some(coding) = coding {
        headers.insert(CONTENT_ENCODING, HeaderValue::from_static(coding.name()));
    }
    response
}

/// A JSON 1.1 response (KMS): no CRC32 header, no compression.
pub fn response_1_1(status: StatusCode, body: Vec<u8>, request_id: &str) -> HttpResponse {
    let mut response = http::Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE_HEADER,
        HeaderValue::from_static(CONTENT_TYPE_1_1),
    );
    headers.insert(
        HeaderName::from_static("x-amzn-requestid"),
        HeaderValue::from_str(request_id).expect("request ids are visible ASCII"),
    );
    response
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

/// An operation's outcome as a status and an uncompressed JSON body.
pub fn body(outcome: Result<Vec<u8>, AwsError>) -> (StatusCode, Vec<u8>) {
    match outcome {
        Ok(body) => (StatusCode::OK, body),
        Err(err) => (err.status, error_body(&err)),
    }
}

/// `{"__type": "...", "message": "..."}`; the message is left out when empty, as
/// DynamoDB does for `UnknownOperationException`. A few errors spell the member `Message`
/// (spec dynamodb-export-import §7.3).
fn error_body(err: &AwsError) -> Vec<u8> {
    let mut body = serde_json::Map::new();
    body.insert("__type".into(), err.code.into());
    if !err.message.is_empty() {
        body.insert(message_member(err.code).into(), err.message.clone().into());
    }
    for (name, value) in &err.extra {
        body.insert((*name).into(), value.clone());
    }
    serde_json::to_vec(&body).expect("a map of strings always serializes")
}
