//! Server-side encryption of S3 objects (spec kms-sse §4): which encryption a write gets
//! (the request's headers, else the bucket's default, else SSE-S3), and for SSE-KMS the data
//! key, asked of KMS *as the requester* with `kms:ViaService=s3.<region>.amazonaws.com`, so
//! the key policy and the requester's identity policies decide as on AWS. A read of an
//! SSE-KMS object asks KMS to decrypt its data key the same way: owning the bucket or the
//! object gives no right to the key (§4.7).
//!
//! SSE-S3 (`AES256`) objects are stored as sent: S3 reports them encrypted, and strata keeps
//! no server-wide key to encrypt them with.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use strata_s3::{BlobWriter, DataKey, DefaultEncryption, SseKms};

use super::{AccessError, BucketContext, S3Result};
use crate::Requester;
use crate::kms;

/// What a write's request says about encryption (`x-amz-server-side-encryption*`).
#[derive(Clone, Copy, Debug, Default)]
pub struct SseRequest<'a> {
    pub algorithm: Option<&'a str>,
    pub key_id: Option<&'a str>,
    /// `x-amz-server-side-encryption-context`: base64 of a JSON string map.
    pub context: Option<&'a str>,
    pub bucket_key_enabled: Option<bool>,
}

/// How a write is encrypted.
pub enum WriteEncryption {
    /// SSE-S3: `AES256`.
    S3,
    /// SSE-KMS (`aws:kms`, or `aws:kms:dsse`): the object's data key and how it was made.
    Kms {
        algorithm: &'static str,
        sse: SseKms,
        data_key: DataKey,
    },
}

impl WriteEncryption {
    /// `x-amz-server-side-encryption`.
    pub fn algorithm(&self) -> &'static str {
        match self {
            Self::S3 => AES256,
            Self::Kms { algorithm, .. } => algorithm,
        }
    }

    /// The record to keep with the object or upload.
    pub fn sse_kms(&self) -> Option<SseKms> {
        match self {
            Self::S3 => None,
            Self::Kms { sse, .. } => Some(sse.clone()),
        }
    }

    /// Records the encryption in an object's or upload's stored headers.
    pub fn stamp(&self, headers: &mut strata_s3::ObjectHeaders) {
        headers.server_side_encryption = Some(self.algorithm().to_owned());
        headers.sse_kms_key_id = self.sse_kms().map(|sse| sse.key_arn);
    }

    /// `writer`, encrypting when the write is SSE-KMS.
    pub fn writer(&self, writer: BlobWriter) -> S3Result<BlobWriter> {
        match self {
            Self::S3 => Ok(writer),
            Self::Kms { data_key, .. } => Ok(writer.encrypt(data_key)?),
        }
    }
}

const AES256: &str = "AES256";
const KMS: &str = "aws:kms";
const KMS_DSSE: &str = "aws:kms:dsse";

fn invalid_argument(message: &str) -> AccessError {
    AccessError::InvalidArgument(message.to_owned())
}

/// S3's answer to SSE-KMS over an unsigned request (spec kms-sse §4.1).
pub const SIGV4_REQUIRED: &str = "Requests specifying Server Side Encryption with AWS KMS managed keys require AWS Signature Version 4.";

/// The client's encryption context header, decoded.
fn request_context(header: &str) -> S3Result<BTreeMap<String, String>> {
    const MESSAGE: &str = "The header 'x-amz-server-side-encryption-context' shall be Base64-encoded UTF-8 string holding JSON which represents a string-string map";
    let bytes = STANDARD
        .decode(header.as_bytes())
        .map_err(|_| invalid_argument(MESSAGE))?;
    serde_json::from_slice(&bytes).map_err(|_| invalid_argument(MESSAGE))
}

/// A KMS refusal as S3 passes it back (spec kms-sse §4.5): access denied with KMS's text,
/// anything else as `KMS.<code>`.
pub(crate) fn from_kms(e: kms::Error) -> AccessError {
    match e {
        kms::Error::AccessDenied(message) => AccessError::AccessDenied(message),
        kms::Error::Internal(message) => AccessError::Internal(message),
        other => AccessError::Kms {
            code: format!("KMS.{}", other.code()),
            message: other.to_string(),
        },
    }
}

impl BucketContext<'_> {
    /// The encryption of a write of `key` (authorized already): the request's, else the
    /// bucket's default; for SSE-KMS a new data key for the object, from KMS as the requester.
    pub async fn encryption_for_write(
        &self,
        key: &str,
        request: SseRequest<'_>,
    ) -> S3Result<WriteEncryption> {
        if let Some(algorithm) = request.algorithm
            && ![AES256, KMS, KMS_DSSE].contains(&algorithm)
        {
            return Err(invalid_argument(
                "The encryption method specified is not supported",
            ));
        }
        let kms_requested = request.algorithm.is_some_and(|a| a != AES256);
        if !kms_requested && (request.key_id.is_some() || request.context.is_some()) {
            return Err(invalid_argument(
                "Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms",
            ));
        }
        let default = self
            .bucket
            .encryption
            .clone()
            .unwrap_or_else(DefaultEncryption::sse_s3);
        // A request's own algorithm beats the bucket's default (spec kms-sse §4.2 rule 1); a
        // request's `aws:kms` without a key id means the `aws/s3` key, not the default's key
        // (the S3 model's text for x-amz-server-side-encryption-aws-kms-key-id; UNCONFIRMED by
        // a recording).
        let (algorithm, key_id, bucket_key) = match request.algorithm {
            Some(AES256) => return Ok(WriteEncryption::S3),
            Some(algorithm) => (
                algorithm,
                request.key_id.map(str::to_owned),
                request.bucket_key_enabled.unwrap_or(false),
            ),
            None if default.algorithm == AES256 => return Ok(WriteEncryption::S3),
            None => (
                default.algorithm.as_str(),
                default.kms_key_id.clone(),
                request
                    .bucket_key_enabled
                    .unwrap_or(default.bucket_key_enabled),
            ),
        };
        let algorithm = if algorithm == KMS_DSSE { KMS_DSSE } else { KMS };
        let Requester::Signed(caller) = &self.requester else {
            return Err(invalid_argument(SIGV4_REQUIRED));
        };
        // The context S3 sends KMS: the object's ARN, or the bucket's under an S3 Bucket Key,
        // with the client's pairs added (spec kms-sse §4.3). Each object still gets its own
        // data key: strata does not cache bucket-level keys, so only the context and the
        // `x-amz-server-side-encryption-bucket-key-enabled` answer show the Bucket Key.
        let mut context = match request.context {
            Some(header) => request_context(header)?,
            None => BTreeMap::new(),
        };
        let arn = if bucket_key {
            format!("arn:aws:s3:::{}", self.bucket.name)
        } else {
            format!("arn:aws:s3:::{}/{key}", self.bucket.name)
        };
        context.insert("aws:s3:arn".to_owned(), arn);
        let data_key = kms::service::generate_data_key(
            self.app,
            caller,
            key_id.as_deref(),
            &context,
            "s3",
            &self.bucket.region,
        )
        .await
        .map_err(from_kms)?;
        Ok(WriteEncryption::Kms {
            algorithm,
            sse: SseKms {
                key_arn: data_key.key_arn,
                data_key: STANDARD.encode(&data_key.ciphertext),
                context,
                request_context: request.context.map(str::to_owned),
                bucket_key_enabled: bucket_key,
            },
            data_key: data_key.plaintext,
        })
    }

    /// The data key of an SSE-KMS object or upload, decrypted by KMS for the requester.
    pub async fn data_key(&self, sse: &SseKms) -> S3Result<DataKey> {
        let Requester::Signed(caller) = &self.requester else {
            return Err(invalid_argument(SIGV4_REQUIRED));
        };
        let ciphertext = STANDARD
            .decode(sse.data_key.as_bytes())
            .map_err(|_| AccessError::Internal("a stored data key is not base64".into()))?;
        kms::service::decrypt_data_key(
            self.app,
            caller,
            &ciphertext,
            &sse.context,
            "s3",
            &self.bucket.region,
        )
        .await
        .map_err(from_kms)
    }
}
