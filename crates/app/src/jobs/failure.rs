//! Why a job's work stopped short: a failure its description reports (`FailureCode`,
//! `FailureMessage`; S3 errors in the AWS SDK for Java's exception text, as DynamoDB's exports
//! and imports show them), or the machine's, which the runner retries.

use strata_dynamodb::DynamoDbError;
use strata_s3::S3Error;

use crate::request_id;
use crate::s3::AccessError;

/// How an export's or an import's work stopped short.
#[derive(Debug)]
pub enum Failure {
    /// The job ends FAILED with this `FailureCode` and `FailureMessage`.
    Reported { code: &'static str, message: String },
    /// The machine's (a full disk, a store refusing writes): the job stops, stays recorded
    /// and is run again later, from the start.
    Unavailable(String),
}

impl Failure {
    /// A failure the job reports with `code`.
    pub fn reported(code: &'static str, message: impl Into<String>) -> Self {
        Failure::Reported {
            code,
            message: message.into(),
        }
    }

    /// An S3 error as an export or import reports it.
    pub fn s3(code: &'static str, s3_code: &str, status: u16, message: &str) -> Self {
        Failure::reported(
            code,
            format!(
                "{message} (Service: Amazon S3; Status Code: {status}; Error Code: {s3_code}; Request ID: {}; S3 Extended Request ID: {}; Proxy: null)",
                request_id::s3(),
                request_id::s3_host_id()
            ),
        )
    }

    /// A failure inside strata: logged, reported as `UNKNOWN`.
    pub fn internal(err: impl std::fmt::Display) -> Self {
        tracing::error!(error = %err, "a job failed inside strata");
        Failure::reported("UNKNOWN", "Internal error")
    }
}

/// An S3 engine error: a missing bucket is reported, the machine's retried, anything else
/// internal.
impl From<S3Error> for Failure {
    fn from(err: S3Error) -> Self {
        match err {
            S3Error::NoSuchBucket => Failure::s3(
                "S3NoSuchBucket",
                "NoSuchBucket",
                404,
                "The specified bucket does not exist",
            ),
            S3Error::TooManyOpenUploads { limit } => Failure::s3(
                "S3InvalidRequest",
                "InvalidRequest",
                400,
                &format!(
                    "The exporting account has {limit} multipart uploads in progress, the most this server allows (strata serve --max-open-uploads)"
                ),
            ),
            err if err.is_unavailable() => Failure::Unavailable(err.to_string()),
            other => Failure::internal(other),
        }
    }
}

/// A DynamoDB engine error: the machine's retried, anything else internal.
impl From<DynamoDbError> for Failure {
    fn from(err: DynamoDbError) -> Self {
        if err.is_unavailable() {
            Failure::Unavailable(err.to_string())
        } else {
            Failure::internal(err)
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
            AccessError::Engine(err) => err.into(),
            AccessError::MethodNotAllowed => Failure::s3(
                "UNKNOWN",
                "MethodNotAllowed",
                405,
                &AccessError::MethodNotAllowed.to_string(),
            ),
            // KMS.X is reported as KmsX, the leading KMS of X dropped (`KMS.NotFoundException`
            // → `KmsNotFoundException`, as recorded; the others follow, UNCONFIRMED: spec
            // kms-sse §5.3).
            AccessError::Kms { code, message } => {
                Failure::s3(kms_failure_code(&code), &code, 400, &message)
            }
            AccessError::InvalidArgument(message) => {
                Failure::s3("UNKNOWN", "InvalidArgument", 400, &message)
            }
            AccessError::MalformedPolicy(err) | AccessError::Internal(err) => {
                Failure::internal(err)
            }
        }
    }
}

/// The `FailureCode` of a job stopped by S3's KMS error `code` (`KMS.NotFoundException`).
fn kms_failure_code(code: &str) -> &'static str {
    match code {
        "KMS.NotFoundException" => "KmsNotFoundException",
        "KMS.DisabledException" => "KmsDisabledException",
        "KMS.KMSInvalidStateException" => "KmsInvalidStateException",
        "KMS.InvalidKeyUsageException" => "KmsInvalidKeyUsageException",
        "KMS.InvalidCiphertextException" => "KmsInvalidCiphertextException",
        _ => "UNKNOWN",
    }
}
