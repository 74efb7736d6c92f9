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
    #[error("no such upload")]
    NoSuchUpload,
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

pub type Result<T, E = S3Error> = std::result::Result<T, E>;
