//! The engine's one error type. The server maps each variant to S3's code, status and
//! message; the engine only says what went wrong.

use strata_storage::StorageError;

#[derive(Debug, thiserror::Error)]
pub enum S3Error {
    /// The bucket name breaks S3's naming rules; the text says which.
    #[error("invalid bucket name: {0}")]
    InvalidBucketName(String),
    #[error("no such bucket")]
    NoSuchBucket,
    /// Another account owns the name (names are global).
    #[error("bucket name owned by another account")]
    BucketAlreadyExists,
    /// The caller's account already owns it, outside us-east-1.
    #[error("bucket already owned by you")]
    BucketAlreadyOwnedByYou,
    #[error("bucket not empty")]
    BucketNotEmpty,
    #[error("no such key")]
    NoSuchKey,
    /// A key with a NUL character written to a versioned bucket (strata keeps versions under
    /// `key` + NUL).
    #[error("NUL in a versioned key")]
    NulInVersionedKey,
    /// A well-formed version id that names no version of the key.
    #[error("no such version")]
    NoSuchVersion,
    /// A version id S3 never hands out.
    #[error("invalid version id")]
    InvalidVersionId,
    /// The version read is a delete marker: the key's current one (`named: false`, S3's 404)
    /// or the one the request named (405).
    #[error("delete marker")]
    DeleteMarker {
        /// `x-amz-version-id` of the marker.
        version_id: Option<String>,
        last_modified_micros: i64,
        named: bool,
    },
    /// A conditional write's precondition (the named header) did not hold.
    #[error("precondition {0} failed")]
    PreconditionFailed(&'static str),
    #[error("no such upload")]
    NoSuchUpload,
    /// The initiating account already has `limit` multipart uploads in progress.
    #[error("too many multipart uploads in progress")]
    TooManyOpenUploads { limit: u64 },
    /// A part named in CompleteMultipartUpload is missing or its ETag differs.
    #[error("invalid part")]
    InvalidPart,
    /// CompleteMultipartUpload's part list is not in ascending order.
    #[error("invalid part order")]
    InvalidPartOrder,
    /// A part other than the last is below the 5 MiB minimum.
    #[error("part too small")]
    EntityTooSmall,
    /// The body's MD5 is not the Content-MD5 the client sent.
    #[error("Content-MD5 mismatch")]
    BadDigest,
    /// Ownership controls were never set (or were deleted).
    #[error("ownership controls not found")]
    OwnershipControlsNotFound,
    #[error("no bucket policy")]
    NoSuchBucketPolicy,
    #[error("no public access block configuration")]
    NoSuchPublicAccessBlockConfiguration,
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("object data: {0}")]
    Io(#[from] std::io::Error),
    /// Stored metadata that does not decode: a bug or a damaged data directory.
    #[error("corrupt S3 metadata: {0}")]
    Corrupt(String),
}

impl S3Error {
    /// Whether the failure is the machine's, not a bug: the disk is full (a body or the store
    /// found no room) or the store refuses writes ([`StorageError::is_unavailable`]). The server
    /// answers it with a 503 clients retry.
    pub fn is_unavailable(&self) -> bool {
        match self {
            Self::Storage(err) => err.is_unavailable(),
            Self::Io(err) => strata_storage::is_out_of_space(err),
            _ => false,
        }
    }

    /// Whether a commit that failed may still have been applied
    /// ([`StorageError::may_have_written`]): the files it names must then stay.
    pub fn may_have_written(&self) -> bool {
        matches!(self, Self::Storage(err) if err.may_have_written())
    }
}

pub type Result<T, E = S3Error> = std::result::Result<T, E>;
