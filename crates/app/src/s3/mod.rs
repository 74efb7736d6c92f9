//! S3 at the application layer: the request context every S3 operation resolves once
//! ([`BucketContext`]: who asks, the bucket, its owner, the expected owner) and S3's
//! authorization layers ([`access`]). The S3 adapter at the edge (s3s) and the jobs that read
//! and write S3 as their caller both go through here, so a refusal is decided the same way
//! whoever asks; the adapter renders an [`AccessError`] as S3's XML error, a job as its
//! `FailureCode`.

pub mod access;
pub mod sse;

use strata_policy::{PolicyDocument, PolicyError, PolicyKind, ResourcePolicyKind};
use strata_s3::{Bucket, BucketPolicy, S3Error, StoredObject, VersionId};

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
    /// 400 `MalformedPolicy`: a bucket policy that does not parse or names no existing
    /// principal.
    #[error("{0}")]
    MalformedPolicy(String),
    /// 400 `InvalidArgument`: an encryption header S3 refuses.
    #[error("{0}")]
    InvalidArgument(String),
    /// 400 with S3's code for a KMS refusal other than access, `KMS.<KMS code>` (spec
    /// kms-sse §4.5).
    #[error("{message}")]
    Kms { code: String, message: String },
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

    /// Version `version` of object `key` (its current version when `None`) for a read
    /// authorized as `action` (its `…Version…` form when a version is named,
    /// [`access::version_action`]), with S3's 404-or-403 rule for a missing key or version:
    /// the 404 only for a caller who may list the bucket (spec §2.7).
    pub fn readable(
        &self,
        key: &str,
        version: Option<&str>,
        action: &str,
    ) -> S3Result<StoredObject> {
        self.readable_with(key, version, action, Vec::new())
    }

    /// [`BucketContext::readable`] with the request's S3 condition keys.
    pub fn readable_with(
        &self,
        key: &str,
        version: Option<&str>,
        action: &str,
        conditions: access::Conditions,
    ) -> S3Result<StoredObject> {
        let version = version.map(VersionId::parse).transpose()?;
        let action = match version {
            Some(_) => access::version_action(action),
            None => action,
        };
        match self
            .app
            .s3
            .get_object(&self.bucket.name, key, version.as_ref())
        {
            Ok(object) => {
                self.authorize_object_with(action, &object.meta, conditions)?;
                Ok(object)
            }
            // Only reading the object itself (or its attributes) answers a current delete
            // marker with a 404; its tags and ACL answer as if the marker were named (405).
            Err(S3Error::DeleteMarker {
                version_id,
                last_modified_micros,
                named: false,
            }) if !matches!(action, "s3:GetObject" | "s3:GetObjectAttributes") => {
                self.authorize(action, Some(key))?;
                Err(AccessError::Engine(S3Error::DeleteMarker {
                    version_id,
                    last_modified_micros,
                    named: true,
                }))
            }
            Err(
                missing @ (S3Error::NoSuchKey
                | S3Error::NoSuchVersion
                | S3Error::DeleteMarker { named: false, .. }),
            ) => {
                self.authorize(action, Some(key))?;
                self.authorize("s3:ListBucket", None)?;
                Err(AccessError::Engine(missing))
            }
            Err(marker @ S3Error::DeleteMarker { .. }) => {
                self.authorize(action, Some(key))?;
                Err(AccessError::Engine(marker))
            }
            Err(other) => Err(other.into()),
        }
    }

    /// PutBucketPolicy, once authorized: the document parsed, its user and role principals
    /// bound to the unique ids of the entities they name now, Block Public Access's
    /// BlockPublicPolicy applied.
    pub async fn put_policy(&self, text: String) -> S3Result<()> {
        let kind = PolicyKind::Resource(ResourcePolicyKind::S3Bucket {
            bucket: &self.bucket.name,
        });
        let malformed = |e: PolicyError| AccessError::MalformedPolicy(e.message);
        let mut document = PolicyDocument::parse(&text, kind).map_err(malformed)?;
        let bindings = self
            .app
            .iam
            .bind_new_principals(&mut document, kind)
            .map_err(malformed)?;
        if self
            .bucket
            .public_access_block
            .is_some_and(|b| b.block_public_policy)
            && access::grants_public_access(&text)
        {
            return Err(AccessError::AccessDenied(
                "User is not authorized to perform this action because public policies are blocked by the BlockPublicPolicy block public access setting.".to_owned(),
            ));
        }
        let policy = BucketPolicy {
            document: text,
            bindings,
        };
        self.app
            .s3
            .update_bucket(&self.bucket.name, move |b| {
                b.policy = Some(policy);
                Ok(())
            })
            .await?;
        Ok(())
    }

    /// GetBucketPolicy, once authorized: the saved document, each principal whose entity
    /// was deleted or recreated since shown as the unique id it is bound to, as AWS does.
    pub fn displayed_policy(&self) -> S3Result<String> {
        let policy = self
            .bucket
            .policy
            .as_ref()
            .ok_or(AccessError::Engine(strata_s3::S3Error::NoSuchBucketPolicy))?;
        Ok(self.app.iam.displayed_policy(
            &policy.document,
            policy
                .bindings
                .iter()
                .map(|(a, id)| (a.as_str(), id.as_str())),
        ))
    }

    /// The current version of `key`, whole, as the requester reads it (an SSE-KMS object's
    /// data key from KMS as the requester, spec kms-sse §5.5); authorization is the caller's.
    pub async fn read_whole(&self, key: &str) -> S3Result<Vec<u8>> {
        let object = self.app.s3.get_object(&self.bucket.name, key, None)?;
        let data_key = match &object.meta.sse_kms {
            Some(sse) => Some(self.data_key(sse).await?),
            None => None,
        };
        let mut reader = self
            .app
            .s3
            .read_object(&object, 0, object.meta.size, data_key.as_ref())
            .await?;
        let mut bytes = Vec::with_capacity(object.meta.size as usize);
        while let Some(chunk) = reader.next_chunk().await? {
            bytes.extend_from_slice(&chunk);
        }
        Ok(bytes)
    }

    /// The account a write is made by: the caller's, or the bucket owner's for anonymous
    /// writes.
    pub fn writer_account(&self) -> String {
        self.requester
            .account()
            .map_or_else(|| self.bucket.owner.clone(), str::to_owned)
    }
}
