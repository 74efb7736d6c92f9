//! CloudFormation's errors at the application layer; the Query edge renders each as its code
//! and status (spec cloudformation §1).

use strata_cfn_template::TemplateError;
use strata_cloudformation::CfnError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// 400 `ValidationError`: most of CloudFormation's refusals.
    #[error("{0}")]
    Validation(String),
    /// 400 `AlreadyExistsException`.
    #[error("{0}")]
    AlreadyExists(String),
    /// 400 `InsufficientCapabilitiesException`.
    #[error("{0}")]
    InsufficientCapabilities(String),
    /// 404 `ChangeSetNotFound`.
    #[error("{0}")]
    ChangeSetNotFound(String),
    /// 400 `InvalidChangeSetStatus`.
    #[error("{0}")]
    InvalidChangeSetStatus(String),
    /// 403 `AccessDenied`.
    #[error("{0}")]
    AccessDenied(String),
    /// A failure inside strata.
    #[error("{0}")]
    Internal(String),
    /// The store refuses writes (a full disk): 503.
    #[error("{0}")]
    Unavailable(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// `value` of the enum member `member` (lowerCamelCase) is none of `allowed`: AWS's
/// constraint message.
pub fn not_in_enum(value: &str, member: &str, allowed: &[&str]) -> Error {
    Error::Validation(format!(
        "1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
        allowed.join(", ")
    ))
}

impl From<TemplateError> for Error {
    fn from(e: TemplateError) -> Self {
        Error::Validation(e.0)
    }
}

impl From<CfnError> for Error {
    fn from(e: CfnError) -> Self {
        match e {
            CfnError::Storage(s) if s.is_unavailable() => Error::Unavailable(s.to_string()),
            other => Error::Internal(other.to_string()),
        }
    }
}

impl From<crate::authz::Denied> for Error {
    fn from(d: crate::authz::Denied) -> Self {
        match d {
            crate::authz::Denied::AccessDenied(message) => Error::AccessDenied(message),
            crate::authz::Denied::Internal(e) => Error::Internal(e.to_string()),
        }
    }
}

impl From<strata_storage::StorageError> for Error {
    fn from(e: strata_storage::StorageError) -> Self {
        if e.is_unavailable() {
            Error::Unavailable(e.to_string())
        } else {
            Error::Internal(e.to_string())
        }
    }
}
