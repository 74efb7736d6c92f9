//! Wire formats, one module each. Every module owns the mapping from failures to its
//! own error codes and the rendering of its error shape; nothing else builds them.

pub mod json;
pub mod query;
pub mod xml;

use bytes::Bytes;
use http::StatusCode;
use http_body_util::Full;

/// What every handler answers with.
pub type HttpResponse = http::Response<Full<Bytes>>;

/// An AWS error before it is rendered: the code as the protocol spells it, the HTTP
/// status and AWS's message text.
#[derive(Clone, Debug, PartialEq)]
pub struct AwsError {
    pub code: &'static str,
    pub status: StatusCode,
    pub message: String,
    /// Extra members of a JSON error body (DynamoDB's `Item`, `CancellationReasons`).
    pub extra: Vec<(&'static str, serde_json::Value)>,
}

impl AwsError {
    pub fn new(code: &'static str, status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            code,
            status,
            message: message.into(),
            extra: Vec::new(),
        }
    }
}
