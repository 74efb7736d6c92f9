//! The request context of an S3 operation, resolved once at the top of each handler: the
//! application layer's [`BucketContext`] (requester, bucket, `x-amz-expected-bucket-owner`)
//! built from the s3s request, with every authorization it answers turned into S3's error
//! shape here, in one place ([`super::errors::from_access`]).

use std::ops::Deref;

use s3s::{S3Request, S3Result};
use strata_app::s3::BucketContext;
use strata_app::{App, Requester};
use strata_s3::StoredObject;

use super::errors::from_access;
use super::requester;

/// The header S3's `ExpectedBucketOwner` members come from.
const EXPECTED_BUCKET_OWNER: &str = "x-amz-expected-bucket-owner";

/// A resolved [`BucketContext`] whose answers are s3s results.
pub struct Cx<'a>(BucketContext<'a>);

impl<'a> Deref for Cx<'a> {
    type Target = BucketContext<'a>;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl<'a> Cx<'a> {
    /// The context of `req` on `bucket` (`NoSuchBucket` first), with the request's own
    /// expected bucket owner.
    pub fn of<T>(app: &'a App, req: &S3Request<T>, bucket: &str) -> S3Result<Self> {
        let expected = req
            .headers
            .get(EXPECTED_BUCKET_OWNER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        Self::with(app, requester(req)?.clone(), bucket, expected)
    }

    /// [`Cx::of`], then `action` on the bucket authorized.
    pub fn authorized<T>(
        app: &'a App,
        req: &S3Request<T>,
        bucket: &str,
        action: &str,
    ) -> S3Result<Self> {
        let cx = Self::of(app, req, bucket)?;
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

    pub fn authorize_policy_management(&self, action: &str) -> S3Result<()> {
        self.0
            .authorize_policy_management(action)
            .map_err(from_access)
    }

    pub fn readable(&self, key: &str, action: &str) -> S3Result<StoredObject> {
        self.0.readable(key, action).map_err(from_access)
    }
}
