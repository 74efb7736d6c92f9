//! The request context of an S3 operation, resolved once at the top of each handler: the
//! application layer's [`BucketContext`] (requester, bucket, expected bucket owner) built from
//! the s3s request's typed input ([`BucketRequest`]), with every authorization it answers
//! turned into S3's error shape here, in one place ([`super::errors::from_access`]).

use std::ops::Deref;

use s3s::dto::*;
use s3s::{S3Request, S3Result};
use strata_app::s3::BucketContext;
use strata_app::s3::access::Conditions;
use strata_app::s3::sse::{SseRequest, WriteEncryption};
use strata_app::{App, Requester};
use strata_s3::{DataKey, SseKms, StoredObject};

use super::errors::from_access;
use super::requester;

/// An S3 operation on one bucket: the bucket it names and its `ExpectedBucketOwner`.
pub trait BucketRequest {
    fn bucket(&self) -> &str;
    fn expected_bucket_owner(&self) -> Option<&str>;
}

macro_rules! bucket_requests {
    ($($input:ty),* $(,)?) => {$(
        impl BucketRequest for $input {
            fn bucket(&self) -> &str {
                &self.bucket
            }
            fn expected_bucket_owner(&self) -> Option<&str> {
                self.expected_bucket_owner.as_deref()
            }
        }
    )*};
}

bucket_requests!(
    AbortMultipartUploadInput,
    CompleteMultipartUploadInput,
    CopyObjectInput,
    CreateMultipartUploadInput,
    DeleteBucketCorsInput,
    DeleteBucketEncryptionInput,
    DeleteBucketInput,
    DeleteBucketLifecycleInput,
    DeleteBucketOwnershipControlsInput,
    DeleteBucketPolicyInput,
    DeleteBucketTaggingInput,
    DeleteObjectInput,
    DeleteObjectTaggingInput,
    DeleteObjectsInput,
    DeletePublicAccessBlockInput,
    GetBucketAclInput,
    GetBucketCorsInput,
    GetBucketEncryptionInput,
    GetBucketLifecycleConfigurationInput,
    GetBucketLocationInput,
    GetBucketOwnershipControlsInput,
    GetBucketPolicyInput,
    GetBucketPolicyStatusInput,
    GetBucketTaggingInput,
    GetBucketVersioningInput,
    ListObjectVersionsInput,
    PutBucketVersioningInput,
    GetObjectAclInput,
    GetObjectAttributesInput,
    GetObjectInput,
    GetObjectTaggingInput,
    GetPublicAccessBlockInput,
    HeadBucketInput,
    HeadObjectInput,
    ListMultipartUploadsInput,
    ListObjectsInput,
    ListObjectsV2Input,
    ListPartsInput,
    PutBucketAclInput,
    PutBucketCorsInput,
    PutBucketEncryptionInput,
    PutBucketLifecycleConfigurationInput,
    PutBucketOwnershipControlsInput,
    PutBucketPolicyInput,
    PutBucketTaggingInput,
    PutObjectAclInput,
    PutObjectInput,
    PutObjectTaggingInput,
    PutPublicAccessBlockInput,
    UploadPartCopyInput,
    UploadPartInput,
);

/// A resolved [`BucketContext`] whose answers are s3s results.
pub struct Cx<'a>(BucketContext<'a>);

impl<'a> Deref for Cx<'a> {
    type Target = BucketContext<'a>;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl<'a> Cx<'a> {
    /// The context of `req` on the bucket it names (`NoSuchBucket` first), with its expected
    /// bucket owner.
    pub fn of<T: BucketRequest>(app: &'a App, req: &S3Request<T>) -> S3Result<Self> {
        let expected = req.input.expected_bucket_owner().map(str::to_owned);
        Self::with(app, requester(req)?.clone(), req.input.bucket(), expected)
    }

    /// [`Cx::of`], then `action` on the bucket authorized.
    pub fn authorized<T: BucketRequest>(
        app: &'a App,
        req: &S3Request<T>,
        action: &str,
    ) -> S3Result<Self> {
        let cx = Self::of(app, req)?;
        cx.authorize(action, None)?;
        Ok(cx)
    }

    /// The context on `bucket` with another expected owner (a copy's source bucket).
    pub fn with(
        app: &'a App,
        requester: Requester,
        bucket: &str,
        expected_owner: Option<String>,
    ) -> S3Result<Self> {
        BucketContext::resolve(app, requester, bucket, expected_owner)
            .map(Self)
            .map_err(from_access)
    }

    pub fn authorize(&self, action: &str, key: Option<&str>) -> S3Result<()> {
        self.0.authorize(action, key).map_err(from_access)
    }

    pub fn authorize_with(
        &self,
        action: &str,
        key: Option<&str>,
        conditions: Conditions,
    ) -> S3Result<()> {
        self.0
            .authorize_with(action, key, conditions)
            .map_err(from_access)
    }

    pub fn authorize_policy_management(&self, action: &str) -> S3Result<()> {
        self.0
            .authorize_policy_management(action)
            .map_err(from_access)
    }

    /// The expected bucket owner's check alone (for operations whose own authorizations
    /// come later, per key).
    pub fn check_expected_owner(&self) -> S3Result<()> {
        self.0.check_expected_owner().map_err(from_access)
    }

    /// The encryption of a write of `key` ([`BucketContext::encryption_for_write`]).
    pub async fn encryption_for_write(
        &self,
        key: &str,
        request: SseRequest<'_>,
    ) -> S3Result<WriteEncryption> {
        self.0
            .encryption_for_write(key, request)
            .await
            .map_err(from_access)
    }

    /// The data key of an SSE-KMS object or upload (`None` for the others), from KMS as the
    /// requester.
    pub async fn data_key(&self, sse: Option<&SseKms>) -> S3Result<Option<DataKey>> {
        match sse {
            Some(sse) => Ok(Some(self.0.data_key(sse).await.map_err(from_access)?)),
            None => Ok(None),
        }
    }

    pub fn readable(
        &self,
        key: &str,
        version: Option<&str>,
        action: &str,
    ) -> S3Result<StoredObject> {
        self.0.readable(key, version, action).map_err(from_access)
    }

    pub fn readable_with(
        &self,
        key: &str,
        version: Option<&str>,
        action: &str,
        conditions: Conditions,
    ) -> S3Result<StoredObject> {
        self.0
            .readable_with(key, version, action, conditions)
            .map_err(from_access)
    }
}

/// The condition keys of a listing: `s3:prefix`, `s3:delimiter`, `s3:max-keys`.
pub fn list_conditions(
    prefix: Option<&str>,
    delimiter: Option<&str>,
    max_keys: Option<i32>,
) -> Conditions {
    let mut out: Conditions = Vec::new();
    out.push((
        "s3:prefix".into(),
        vec![prefix.unwrap_or_default().to_owned()],
    ));
    if let Some(delimiter) = delimiter {
        out.push(("s3:delimiter".into(), vec![delimiter.to_owned()]));
    }
    if let Some(max) = max_keys {
        out.push(("s3:max-keys".into(), vec![max.to_string()]));
    }
    out
}

/// The condition keys of a write (PutObject, CopyObject, CreateMultipartUpload):
/// `s3:x-amz-server-side-encryption(-aws-kms-key-id)`, `s3:x-amz-acl` and the request's
/// object tags.
macro_rules! write_conditions {
    ($input:expr) => {{
        let input = &$input;
        let mut out = strata_app::s3::access::request_tags(
            &$crate::services::s3::upload::parse_tags(input.tagging.as_deref()),
        );
        if let Some(sse) = &input.server_side_encryption {
            out.push((
                "s3:x-amz-server-side-encryption".into(),
                vec![sse.as_str().to_owned()],
            ));
        }
        if let Some(key_id) = &input.ssekms_key_id {
            out.push((
                "s3:x-amz-server-side-encryption-aws-kms-key-id".into(),
                vec![key_id.clone()],
            ));
        }
        if let Some(acl) = &input.acl {
            out.push(("s3:x-amz-acl".into(), vec![acl.as_str().to_owned()]));
        }
        out
    }};
}
pub(super) use write_conditions;
