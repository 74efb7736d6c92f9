//! [`Error`]: every way an IAM or STS action fails, named by their error codes. The engine's
//! errors map into it here; the protocol edge renders each variant (code, status, the
//! Query protocol's `Sender`/`Receiver`) in one place.

use strata_iam::IamError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{0}")]
    NoSuchEntity(String),
    #[error("{0}")]
    EntityAlreadyExists(String),
    #[error("{0}")]
    DeleteConflict(String),
    #[error("{0}")]
    LimitExceeded(String),
    /// `InvalidInput` (duplicate tag keys).
    #[error("{0}")]
    InvalidInput(String),
    /// A parameter violates its modelled constraint (`ValidationError`).
    #[error("{0}")]
    Validation(String),
    #[error("{0}")]
    MalformedPolicyDocument(String),
    #[error("{0}")]
    AccessDenied(String),
    /// The store refuses writes (a full disk): 503, worth a retry.
    #[error("{0}")]
    Unavailable(String),
    /// A bug or damaged stored data: 500.
    #[error("{0}")]
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<IamError> for Error {
    fn from(e: IamError) -> Self {
        match e {
            IamError::NoSuchEntity(m) => Error::NoSuchEntity(m),
            IamError::EntityAlreadyExists(m) => Error::EntityAlreadyExists(m),
            IamError::DeleteConflict(m) => Error::DeleteConflict(m),
            IamError::LimitExceeded(m) => Error::LimitExceeded(m),
            IamError::Validation(m) => Error::Validation(m),
            IamError::InvalidInput(m) => Error::InvalidInput(m),
            IamError::MalformedPolicyDocument(m) => Error::MalformedPolicyDocument(m),
            IamError::Storage(ref err) if err.is_unavailable() => Error::Unavailable(e.to_string()),
            IamError::Storage(_) | IamError::Corrupt(_) => Error::Internal(e.to_string()),
        }
    }
}

/// `1 validation error detected: …` for one member.
pub fn one_validation_error(detail: impl std::fmt::Display) -> Error {
    Error::Validation(format!("1 validation error detected: {detail}"))
}
