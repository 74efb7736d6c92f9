//! Authorization of S3 operations (spec iam-s3-authz §2.7, §3.1, §4.3), through the one
//! entry point in [`crate::authorize`]. Callable from anywhere in the server with a
//! [`Requester`], not only from the HTTP adapter: the export job writes as its caller.
//!
//! The bucket owner's account is the resource account. UNCONFIRMED/unsupported here: the
//! object-ACL context for objects owned by another account (buckets with ACLs enabled);
//! every object is judged by the bucket owner's policies.

use s3s::S3Result;
use strata_policy::{PolicyDocument, PolicyKind, ResourcePolicyKind};
use strata_s3::Bucket;

use super::errors::{self, access_denied};
use super::identity::Requester;
use crate::authorize::{
    Denial, Denied, Origin, ResourcePolicy, Target, authorize_anonymous, authorize_target,
};
use crate::state::ServerState;

/// The ARN of a bucket, or of an object in it.
pub fn resource_arn(bucket: &str, key: Option<&str>) -> String {
    match key {
        Some(key) => format!("arn:aws:s3:::{bucket}/{key}"),
        None => format!("arn:aws:s3:::{bucket}"),
    }
}

/// Decides `action` on `bucket` (or on object `key` in it) for `requester`, with the
/// bucket policy, after the `x-amz-expected-bucket-owner` check.
pub fn authorize(
    state: &ServerState,
    requester: &Requester,
    action: &str,
    bucket: &Bucket,
    key: Option<&str>,
    expected_owner: Option<&str>,
) -> S3Result<()> {
    if expected_owner.is_some_and(|owner| owner != bucket.owner) {
        return Err(access_denied("Access Denied"));
    }
    let policy = bucket_policy(bucket)?;
    let label = format!("bucket {} policy", bucket.name);
    let resource = resource_arn(&bucket.name, key);
    decide(
        state,
        requester,
        Target {
            action,
            resource: &resource,
            resource_account: &bucket.owner,
            resource_policy: policy.as_ref().map(|document| ResourcePolicy {
                label: &label,
                document,
                required: false,
            }),
            context: Vec::new(),
            denial: Denial::S3,
        },
    )
}

/// Decides an action on no existing bucket (ListBuckets, CreateBucket): the caller's own
/// account is the resource account and only identity policies apply.
pub fn authorize_own(
    state: &ServerState,
    requester: &Requester,
    action: &str,
    resource: &str,
) -> S3Result<()> {
    let Some(account) = requester.account() else {
        return Err(access_denied("Access Denied"));
    };
    decide(
        state,
        requester,
        Target {
            action,
            resource,
            resource_account: account,
            resource_policy: None,
            context: Vec::new(),
            denial: Denial::S3,
        },
    )
}

/// Bucket policy operations: the caller must be allowed and be in the owner's account
/// (else 405 `MethodNotAllowed`); the owner account's root always may (spec §2.7).
pub fn authorize_policy_management(
    state: &ServerState,
    requester: &Requester,
    action: &str,
    bucket: &Bucket,
    expected_owner: Option<&str>,
) -> S3Result<()> {
    if let Requester::Signed(caller) = requester
        && matches!(caller.principal, strata_iam::Principal::Root { .. })
        && caller.principal.account().as_str() == bucket.owner
        && expected_owner.is_none_or(|owner| owner == bucket.owner)
    {
        return Ok(());
    }
    authorize(state, requester, action, bucket, None, expected_owner)?;
    if requester.account() != Some(bucket.owner.as_str()) {
        return Err(s3s::s3_error!(
            MethodNotAllowed,
            "The specified method is not allowed against this resource."
        ));
    }
    Ok(())
}

fn decide(state: &ServerState, requester: &Requester, target: Target<'_>) -> S3Result<()> {
    let decided = match requester {
        Requester::Signed(caller) => authorize_target(state, caller, target),
        Requester::Anonymous { source_ip } => {
            let origin = Origin {
                source_ip: *source_ip,
                region: &state.default_region,
            };
            authorize_anonymous(state, &origin, target)
        }
    };
    decided.map_err(|denied| match denied {
        Denied::AccessDenied(message) => access_denied(message),
        Denied::Internal(err) => {
            tracing::error!(error = %err, "cannot load the policies for an S3 request");
            s3s::s3_error!(
                InternalError,
                "We encountered an internal error. Please try again."
            )
        }
    })
}

/// The bucket's policy with its principals bound to the unique ids saved with it.
fn bucket_policy(bucket: &Bucket) -> S3Result<Option<PolicyDocument>> {
    let Some(stored) = &bucket.policy else {
        return Ok(None);
    };
    let kind = PolicyKind::Resource(ResourcePolicyKind::S3Bucket {
        bucket: &bucket.name,
    });
    let corrupt = |e: strata_policy::PolicyError| {
        errors::from_engine(strata_s3::S3Error::Corrupt(format!(
            "stored bucket policy: {}",
            e.message
        )))
    };
    let mut document = PolicyDocument::parse(&stored.document, kind).map_err(corrupt)?;
    document
        .bind_principals(kind, |arn| {
            stored
                .bindings
                .iter()
                .find(|(a, _)| a == arn)
                .map(|(_, id)| id.clone())
        })
        .map_err(corrupt)?;
    Ok(Some(document))
}
