//! The one error type of this crate: a rejected policy document, with AWS's message text.
//!
//! The caller picks the wire code: IAM answers `MalformedPolicyDocument`, S3 answers
//! `MalformedPolicy` (spec §1.8). The message is exactly what AWS would put in `<Message>`.

/// A policy document that AWS would refuse to store.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct PolicyError {
    pub message: String,
}

impl PolicyError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}
