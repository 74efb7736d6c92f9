//! Why a job failed, in the words its description reports (`FailureCode`,
//! `FailureMessage`): S3 errors in the AWS SDK for Java's exception text, as DynamoDB's
//! exports and imports show them.

use crate::request_id;
use crate::s3::AccessError;

/// A job's `FailureCode` and `FailureMessage`.
#[derive(Debug)]
pub struct Failure {
    pub code: &'static str,
    pub message: String,
}

impl Failure {
    /// An S3 error as an export or import reports it.
    pub fn s3(code: &'static str, s3_code: &str, status: u16, message: &str) -> Self {
        Failure {
            code,
            message: format!(
                "{message} (Service: Amazon S3; Status Code: {status}; Error Code: {s3_code}; Request ID: {}; S3 Extended Request ID: {}; Proxy: null)",
                request_id::s3(),
                request_id::s3_host_id()
            ),
        }
    }

    /// A failure inside strata: logged, reported as `UNKNOWN`.
    pub fn internal(err: impl std::fmt::Display) -> Self {
        tracing::error!(error = %err, "a job failed inside strata");
        Failure {
            code: "UNKNOWN",
            message: "Internal error".to_owned(),
        }
    }

    /// An S3 engine error (a missing bucket; anything else is internal).
    pub fn engine(err: strata_s3::S3Error) -> Self {
        match err {
            strata_s3::S3Error::NoSuchBucket => Failure::s3(
                "S3NoSuchBucket",
                "NoSuchBucket",
                404,
                "The specified bucket does not exist",
            ),
            other => Failure::internal(other),
        }
    }
}

/// A refusal from S3's authorization.
impl From<AccessError> for Failure {
    fn from(err: AccessError) -> Self {
        match err {
            AccessError::AccessDenied(message) => {
                Failure::s3("S3AccessDenied", "AccessDenied", 403, &message)
            }
            AccessError::Engine(err) => Failure::engine(err),
            AccessError::MethodNotAllowed => Failure::s3(
                "UNKNOWN",
                "MethodNotAllowed",
                405,
                &AccessError::MethodNotAllowed.to_string(),
            ),
            AccessError::Internal(err) => Failure::internal(err),
        }
    }
}
