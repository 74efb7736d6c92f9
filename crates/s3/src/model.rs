//! The records the engine stores: buckets, objects, multipart uploads and their parts.
//! Values are JSON (an object's inline bytes follow its JSON, see [`crate::layout`]).

use serde::{Deserialize, Serialize};

use crate::acl::Grant;

/// A bucket: one name in the global namespace, owned by one account, living in one region.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Bucket {
    pub name: String,
    /// The owning account's id.
    pub owner: String,
    pub region: String,
    /// Creation time, µs since the epoch on the server clock.
    pub created_micros: i64,
    /// `None` once DeleteBucketOwnershipControls ran: objects are then owned by their
    /// writers, as with `ObjectWriter`.
    pub ownership: Option<ObjectOwnership>,
    pub policy: Option<BucketPolicy>,
    pub public_access_block: Option<PublicAccessBlock>,
    /// The bucket's canned ACL (`private` unless set while ACLs are enabled).
    pub acl: CannedAcl,
    /// An ACL given as grants (`x-amz-grant-*`, AccessControlPolicy), in place of `acl`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grants: Option<Vec<Grant>>,
    pub tags: Vec<(String, String)>,
    /// `None` until versioning is first configured; a bucket never goes back to that.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub versioning: Option<Versioning>,
    /// The default encryption set with PutBucketEncryption; `None` is S3's default, SSE-S3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption: Option<DefaultEncryption>,
    /// The CORS rules (none: CORS is not enabled).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cors: Vec<crate::cors::CorsRule>,
    /// The lifecycle rules (none: no lifecycle configuration).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lifecycle: Vec<crate::lifecycle::LifecycleRule>,
}

/// A bucket's default encryption rule.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct DefaultEncryption {
    /// `AES256` (SSE-S3), `aws:kms` or `aws:kms:dsse`.
    pub algorithm: String,
    /// `KMSMasterKeyID` exactly as given.
    pub kms_key_id: Option<String>,
    pub bucket_key_enabled: bool,
}

impl DefaultEncryption {
    /// What every bucket has until PutBucketEncryption (and after DeleteBucketEncryption):
    /// SSE-S3, as on S3 since January 2023.
    pub fn sse_s3() -> Self {
        Self {
            algorithm: "AES256".to_owned(),
            kms_key_id: None,
            bucket_key_enabled: false,
        }
    }
}

impl Bucket {
    /// Who owns an object that account `writer` uploads with canned ACL `acl`.
    pub fn object_owner(&self, writer: &str, acl: Option<CannedAcl>) -> String {
        match self.ownership {
            Some(ObjectOwnership::BucketOwnerEnforced) => self.owner.clone(),
            Some(ObjectOwnership::BucketOwnerPreferred)
                if acl == Some(CannedAcl::BucketOwnerFullControl) =>
            {
                self.owner.clone()
            }
            _ => writer.to_owned(),
        }
    }

    /// Whether ACLs are disabled (`BucketOwnerEnforced`).
    pub fn acls_disabled(&self) -> bool {
        self.ownership == Some(ObjectOwnership::BucketOwnerEnforced)
    }

    /// The bucket's ACL as grants.
    pub fn acl_grants(&self) -> Vec<Grant> {
        self.grants
            .clone()
            .unwrap_or_else(|| self.acl.grants(&self.owner, None))
    }
}

/// A bucket's versioning state, once configured.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub enum Versioning {
    /// Every write makes a new version with its own id.
    Enabled,
    /// Writes make the `null` version, replacing the previous `null` one; other versions stay.
    Suspended,
}

impl Versioning {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "Enabled" => Some(Self::Enabled),
            "Suspended" => Some(Self::Suspended),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Enabled => "Enabled",
            Self::Suspended => "Suspended",
        }
    }
}

/// S3 Object Ownership.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub enum ObjectOwnership {
    BucketOwnerEnforced,
    BucketOwnerPreferred,
    ObjectWriter,
}

impl ObjectOwnership {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "BucketOwnerEnforced" => Some(Self::BucketOwnerEnforced),
            "BucketOwnerPreferred" => Some(Self::BucketOwnerPreferred),
            "ObjectWriter" => Some(Self::ObjectWriter),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::BucketOwnerEnforced => "BucketOwnerEnforced",
            Self::BucketOwnerPreferred => "BucketOwnerPreferred",
            Self::ObjectWriter => "ObjectWriter",
        }
    }
}

/// S3's canned ACLs.
#[derive(Clone, Copy, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub enum CannedAcl {
    #[default]
    Private,
    PublicRead,
    PublicReadWrite,
    AuthenticatedRead,
    AwsExecRead,
    BucketOwnerRead,
    BucketOwnerFullControl,
    LogDeliveryWrite,
}

impl CannedAcl {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "private" => Self::Private,
            "public-read" => Self::PublicRead,
            "public-read-write" => Self::PublicReadWrite,
            "authenticated-read" => Self::AuthenticatedRead,
            "aws-exec-read" => Self::AwsExecRead,
            "bucket-owner-read" => Self::BucketOwnerRead,
            "bucket-owner-full-control" => Self::BucketOwnerFullControl,
            "log-delivery-write" => Self::LogDeliveryWrite,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Private => "private",
            Self::PublicRead => "public-read",
            Self::PublicReadWrite => "public-read-write",
            Self::AuthenticatedRead => "authenticated-read",
            Self::AwsExecRead => "aws-exec-read",
            Self::BucketOwnerRead => "bucket-owner-read",
            Self::BucketOwnerFullControl => "bucket-owner-full-control",
            Self::LogDeliveryWrite => "log-delivery-write",
        }
    }

    /// Whether this ACL is accepted while ACLs are disabled: it grants nothing beyond
    /// what the bucket owner has anyway.
    pub fn allowed_when_acls_disabled(self) -> bool {
        matches!(self, Self::Private | Self::BucketOwnerFullControl)
    }
}

/// A bucket policy as saved: the document the owner sent and, for each role or user ARN
/// in its principals, the unique id it was bound to at save time.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct BucketPolicy {
    pub document: String,
    pub bindings: Vec<(String, String)>,
}

/// The four Block Public Access settings.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct PublicAccessBlock {
    pub block_public_acls: bool,
    pub ignore_public_acls: bool,
    pub block_public_policy: bool,
    pub restrict_public_buckets: bool,
}

impl PublicAccessBlock {
    /// What new buckets get (all four on, as on AWS since April 2023).
    pub const ALL: Self = Self {
        block_public_acls: true,
        ignore_public_acls: true,
        block_public_policy: true,
        restrict_public_buckets: true,
    };
}

/// The headers a client sets on an object and gets back on GET/HEAD.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct ObjectHeaders {
    pub content_type: Option<String>,
    pub content_encoding: Option<String>,
    pub content_disposition: Option<String>,
    pub content_language: Option<String>,
    pub cache_control: Option<String>,
    pub expires: Option<String>,
    pub website_redirect_location: Option<String>,
    /// `x-amz-meta-*`, names lowercased, in the order sent.
    pub metadata: Vec<(String, String)>,
    /// `x-amz-server-side-encryption` (`AES256`, `aws:kms`, …), stored and echoed.
    pub server_side_encryption: Option<String>,
    pub sse_kms_key_id: Option<String>,
    pub storage_class: Option<String>,
}

/// One stretch of an object's bytes in a blob file.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Segment {
    pub blob: String,
    pub size: u64,
    /// The AES-CTR IV (hex) of a blob encrypted at rest under the object's data key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iv: Option<String>,
}

/// How an SSE-KMS object (or multipart upload) is encrypted: the KMS key, the data key as
/// KMS encrypted it, and the encryption context it was made under (replayed to decrypt).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct SseKms {
    pub key_arn: String,
    /// The KMS ciphertext of the data key, base64.
    pub data_key: String,
    pub context: std::collections::BTreeMap<String, String>,
    /// The context the client added (`x-amz-server-side-encryption-context`), echoed on
    /// writes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_context: Option<String>,
    pub bucket_key_enabled: bool,
}

/// One version of an object's metadata, or a delete marker. Its bytes are either inline
/// (small objects, stored right after this record) or the concatenation of `segments`.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct ObjectMeta {
    pub key: String,
    /// The version id; `None` is the `null` version (every object of a bucket never
    /// versioned, and those written while versioning is suspended).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    /// Orders the versions of one key, newer higher; 0 for a version written while the
    /// bucket had never been versioned.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub seq: u64,
    /// A delete marker: no bytes, no headers; `owner` is the account that deleted.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub delete_marker: bool,
    pub size: u64,
    /// The ETag without quotes: hex MD5, or `md5-of-md5s-N` for multipart objects.
    pub etag: String,
    pub last_modified_micros: i64,
    /// The owning account's id.
    pub owner: String,
    pub headers: ObjectHeaders,
    /// Additional checksums the client sent and the body matched: (`CRC32`, base64).
    pub checksums: Vec<(String, String)>,
    /// For multipart objects, how many parts.
    pub parts_count: Option<u32>,
    /// For multipart objects, the parts it was completed from (GetObjectAttributes).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<PartSummary>,
    /// For multipart objects, the upload completed into it (a retried completion answers
    /// with this object).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upload_id: Option<String>,
    pub segments: Vec<Segment>,
    pub acl: CannedAcl,
    /// An ACL given as grants, in place of `acl`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grants: Option<Vec<Grant>>,
    pub tags: Vec<(String, String)>,
    /// SSE-KMS: its bytes are encrypted at rest under this data key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sse_kms: Option<SseKms>,
    /// The AES-CTR IV (hex) of encrypted bytes kept inline.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inline_iv: Option<String>,
}

impl ObjectMeta {
    /// A delete marker for `key`, made by account `deleter` at `now` (µs).
    pub fn delete_marker(key: String, deleter: String, now: i64) -> Self {
        Self {
            key,
            version_id: None,
            seq: 0,
            delete_marker: true,
            size: 0,
            etag: String::new(),
            last_modified_micros: now,
            owner: deleter,
            headers: ObjectHeaders::default(),
            checksums: Vec::new(),
            parts_count: None,
            parts: Vec::new(),
            upload_id: None,
            segments: Vec::new(),
            acl: CannedAcl::Private,
            grants: None,
            tags: Vec::new(),
            sse_kms: None,
            inline_iv: None,
        }
    }

    /// The object's ACL as grants, in a bucket `bucket_owner` owns.
    pub fn acl_grants(&self, bucket_owner: &str) -> Vec<Grant> {
        self.grants.clone().unwrap_or_else(|| {
            self.acl.grants(
                &self.owner,
                (self.owner != bucket_owner).then_some(bucket_owner),
            )
        })
    }

    /// The `x-amz-version-id` S3 answers when this version is read from `bucket`: none in a
    /// bucket never versioned, else its id or `null`. (A write answers only the id an
    /// enabled bucket gave it: `version_id`.)
    pub fn version_header(&self, bucket: &Bucket) -> Option<String> {
        bucket
            .versioning
            .is_some()
            .then(|| self.version_text().to_owned())
    }

    /// The version id as listed: its id or `null`.
    pub fn version_text(&self) -> &str {
        self.version_id.as_deref().unwrap_or(crate::versions::NULL)
    }
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// One part of a completed multipart object.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct PartSummary {
    pub number: u32,
    pub size: u64,
    pub checksums: Vec<(String, String)>,
}

/// A multipart upload in progress.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Upload {
    pub upload_id: String,
    pub bucket: String,
    pub key: String,
    pub initiated_micros: i64,
    /// The account that started it (owner of the object unless the bucket decides).
    pub initiator: String,
    /// The initiating principal's ARN, reported by ListParts/ListMultipartUploads.
    pub initiator_arn: String,
    pub headers: ObjectHeaders,
    pub acl: Option<CannedAcl>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grants: Option<Vec<Grant>>,
    pub tags: Vec<(String, String)>,
    pub checksum_algorithm: Option<String>,
    /// SSE-KMS: the data key its parts are encrypted under.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sse_kms: Option<SseKms>,
}

/// An uploaded part.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Part {
    pub part_number: u32,
    pub size: u64,
    /// Hex MD5 of the part, without quotes.
    pub etag: String,
    pub last_modified_micros: i64,
    pub blob: String,
    pub checksums: Vec<(String, String)>,
    /// The IV of a part encrypted at rest (hex).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iv: Option<String>,
}
