//! S3 at the application layer: the request context every S3 operation resolves once
//! ([`BucketContext`]: who asks, the bucket, its owner, the expected owner) and S3's
//! authorization layers ([`access`]). The S3 adapter at the edge (s3s) and the jobs that read
//! and write S3 as their caller both go through here, so a refusal is decided the same way
//! whoever asks; the adapter renders an [`AccessError`] as S3's XML error, a job as its
//! `FailureCode`.

pub mod access;

use strata_s3::{Bucket, ObjectMeta, StoredObject};

use crate::{App, Requester};

/// Why S3 refuses a request before (or instead of) the engine acting on it.
#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    /// 403 `AccessDenied`, with S3's message for this request.
    #[error("{0}")]
    AccessDenied(String),
    /// 405 `MethodNotAllowed`: bucket policy operations from outside the owner's account.
    #[error("The specified method is not allowed against this resource.")]
    MethodNotAllowed,
    /// An engine error: `NoSuchBucket`, `NoSuchKey`, a corrupt stored policy, …
    #[error(transparent)]
    Engine(#[from] strata_s3::S3Error),
    /// The policies could not be loaded.
    #[error("{0}")]
    Internal(String),
}

pub type S3Result<T> = Result<T, AccessError>;

/// One request's view of the bucket it names, resolved once: the requester, the bucket as
/// stored (its owner, policy, ownership controls) and `x-amz-expected-bucket-owner`. Every
/// authorization the request needs is asked of it, as Garage's `ReqCtx` is.
pub struct BucketContext<'a> {
    pub app: &'a App,
    pub requester: Requester,
    pub bucket: Bucket,
    pub expected_owner: Option<String>,
}

impl<'a> BucketContext<'a> {
    /// Looks the bucket up (`NoSuchBucket` comes before any authorization, as on S3).
    pub fn resolve(
        app: &'a App,
        requester: Requester,
        bucket: &str,
        expected_owner: Option<String>,
    ) -> S3Result<Self> {
        Ok(Self {
            bucket: app.s3.bucket(bucket)?,
            app,
            requester,
            expected_owner,
        })
    }

    /// [`BucketContext::resolve`], then `action` on the bucket authorized.
    pub fn authorized(
        app: &'a App,
        requester: Requester,
        bucket: &str,
        expected_owner: Option<String>,
        action: &str,
    ) -> S3Result<Self> {
        let cx = Self::resolve(app, requester, bucket, expected_owner)?;
        cx.authorize(action, None)?;
        Ok(cx)
    }

    /// `action` on the bucket (`key: None`) or on object `key` in it.
    pub fn authorize(&self, action: &str, key: Option<&str>) -> S3Result<()> {
        access::authorize(
            self.app,
            &self.requester,
            action,
            &self.bucket,
            key,
            self.expected_owner.as_deref(),
        )
    }

    /// [`BucketContext::authorize`] with a denial naming the principal, action and resource
    /// whatever the accounts: what a job acting for a caller reports.
    pub fn authorize_explained(&self, action: &str, key: Option<&str>) -> S3Result<()> {
        access::authorize_worded(
            self.app,
            &self.requester,
            action,
            &self.bucket,
            key,
            self.expected_owner.as_deref(),
            crate::authz::Denial::S3Detailed,
        )
    }

    /// `action` on an existing object (the object context of S3 for objects another account
    /// owns).
    pub fn authorize_object(&self, action: &str, object: &ObjectMeta) -> S3Result<()> {
        access::authorize_object(
            self.app,
            &self.requester,
            action,
            &self.bucket,
            object,
            self.expected_owner.as_deref(),
        )
    }

    /// Bucket policy operations: owner account only.
    pub fn authorize_policy_management(&self, action: &str) -> S3Result<()> {
        access::authorize_policy_management(
            self.app,
            &self.requester,
            action,
            &self.bucket,
            self.expected_owner.as_deref(),
        )
    }

    /// The object `key` for a read authorized as `action`, with S3's 404-or-403 rule for a
    /// missing key: `NoSuchKey` only for a caller who may list the bucket (spec §2.7).
    pub fn readable(&self, key: &str, action: &str) -> S3Result<StoredObject> {
        match self.app.s3.get_object(&self.bucket.name, key) {
            Ok(object) => {
                self.authorize_object(action, &object.meta)?;
                Ok(object)
            }
            Err(strata_s3::S3Error::NoSuchKey) => {
                self.authorize(action, Some(key))?;
                self.authorize("s3:ListBucket", None)?;
                Err(AccessError::Engine(strata_s3::S3Error::NoSuchKey))
            }
            Err(other) => Err(other.into()),
        }
    }

    /// The account a write is made by: the caller's, or the bucket owner's for anonymous
    /// writes.
    pub fn writer_account(&self) -> String {
        self.requester
            .account()
            .map_or_else(|| self.bucket.owner.clone(), str::to_owned)
    }
}
