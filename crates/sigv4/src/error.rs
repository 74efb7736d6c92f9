//! Why a request failed authentication, in AWS's categories.
//!
//! Each protocol spells these differently (`UnrecognizedClientException` in DynamoDB,
//! `InvalidClientTokenId` in IAM/STS, …); the server maps [`AuthFailure`] to its wire
//! code in one place per protocol. The message text here is AWS's.

/// The kind of authentication failure, as AWS distinguishes them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthFailure {
    /// No `Authorization` header and no presigned query.
    MissingAuthenticationToken,
    /// An `Authorization` header or presigned query that lacks or garbles a part.
    IncompleteSignature,
    /// Unknown access key, or a session token that does not belong to it.
    InvalidClientTokenId,
    /// The session behind a temporary key has expired.
    ExpiredToken,
    /// The signature does not match, the scope is wrong, or the request time is
    /// outside the allowed skew (presigned requests included: see `AmzDate::check_skew`).
    SignatureDoesNotMatch,
}

/// An authentication failure with AWS's message text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{failure:?}: {message}")]
pub struct AuthError {
    pub failure: AuthFailure,
    pub message: String,
}

pub(crate) const MSG_MISSING_TOKEN: &str = "Request is missing Authentication Token";
pub(crate) const MSG_INVALID_TOKEN: &str = "The security token included in the request is invalid.";
pub(crate) const MSG_EXPIRED_TOKEN: &str = "The security token included in the request is expired";
pub(crate) const MSG_SIGNATURE_MISMATCH: &str = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

impl AuthError {
    pub(crate) fn new(failure: AuthFailure, message: impl Into<String>) -> Self {
        Self {
            failure,
            message: message.into(),
        }
    }

    /// The request carries no signature at all.
    pub fn missing_authentication_token() -> Self {
        Self::new(AuthFailure::MissingAuthenticationToken, MSG_MISSING_TOKEN)
    }

    /// The access key is not known (or was deleted).
    pub fn invalid_client_token_id() -> Self {
        Self::new(AuthFailure::InvalidClientTokenId, MSG_INVALID_TOKEN)
    }

    pub(crate) fn incomplete(message: impl Into<String>) -> Self {
        Self::new(AuthFailure::IncompleteSignature, message)
    }

    pub(crate) fn mismatch(message: impl Into<String>) -> Self {
        Self::new(AuthFailure::SignatureDoesNotMatch, message)
    }
}
