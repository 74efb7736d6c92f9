//! KMS's errors as the application decides them; the edge renders each as
//! `{"__type": <code>, "message": <text>}` with HTTP 400 (spec kms-sse §1.1), and S3 as
//! `KMS.<code>` ([`Error::code`]).

use strata_kms::KmsError;
use strata_storage::StorageError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    AlreadyExists(String),
    /// Crypto on a disabled key: `<key ARN> is disabled.`
    #[error("{0}")]
    Disabled(String),
    #[error("{0}")]
    InvalidState(String),
    #[error("{0}")]
    AccessDenied(String),
    /// No message, as AWS sends none.
    #[error("")]
    InvalidCiphertext,
    #[error("{0}")]
    IncorrectKey(String),
    #[error("{0}")]
    Validation(String),
    #[error("{0}")]
    MalformedPolicyDocument(String),
    #[error("{0}")]
    Tag(String),
    #[error("{0}")]
    InvalidMarker(String),
    #[error("{0}")]
    NotAuthorized(String),
    #[error("{0}")]
    UnsupportedOperation(String),
    #[error("{0}")]
    Internal(String),
}

impl Error {
    /// KMS's error code (`__type`).
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound(_) => "NotFoundException",
            Self::AlreadyExists(_) => "AlreadyExistsException",
            Self::Disabled(_) => "DisabledException",
            Self::InvalidState(_) => "KMSInvalidStateException",
            Self::AccessDenied(_) => "AccessDeniedException",
            Self::InvalidCiphertext => "InvalidCiphertextException",
            Self::IncorrectKey(_) => "IncorrectKeyException",
            Self::Validation(_) => "ValidationException",
            Self::MalformedPolicyDocument(_) => "MalformedPolicyDocumentException",
            Self::Tag(_) => "TagException",
            Self::InvalidMarker(_) => "InvalidMarkerException",
            Self::NotAuthorized(_) => "NotAuthorizedException",
            Self::UnsupportedOperation(_) => "UnsupportedOperationException",
            Self::Internal(_) => "KMSInternalException",
        }
    }

    /// `1 validation error detected: Value at '<member>' failed to satisfy constraint:
    /// <constraint>` (Coral's wording, spec kms-sse §2.5).
    pub fn constraint(member: &str, value: Option<&str>, constraint: &str) -> Self {
        let value = match value {
            Some(v) => format!("Value '{v}' at"),
            None => "Value at".to_owned(),
        };
        Self::Validation(format!(
            "1 validation error detected: {value} '{member}' failed to satisfy constraint: {constraint}"
        ))
    }

    /// A required member left out.
    pub fn missing(member: &str) -> Self {
        Self::Validation(format!(
            "1 validation error detected: Value null at '{member}' failed to satisfy constraint: Member must not be null"
        ))
    }
}

impl From<KmsError> for Error {
    fn from(e: KmsError) -> Self {
        match e {
            // A key or alias that went between the lookup and the write.
            KmsError::NoSuchKey | KmsError::NoSuchAlias => Self::NotFound(e.to_string()),
            KmsError::AliasExists => Self::AlreadyExists(e.to_string()),
            other => Self::Internal(other.to_string()),
        }
    }
}

impl From<StorageError> for Error {
    fn from(e: StorageError) -> Self {
        Self::Internal(e.to_string())
    }
}

impl From<strata_iam::IamError> for Error {
    fn from(e: strata_iam::IamError) -> Self {
        Self::Internal(e.to_string())
    }
}
