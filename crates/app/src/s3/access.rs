//! Authorization of S3 operations (spec iam-s3-authz §2.7, §3.1, §4.3), through the one
//! entry point in [`crate::authz`]. Used by the S3 adapter's handlers and by the jobs that
//! read and write S3 as their caller (exports, imports) alike.
//!
//! The bucket owner's account is the resource account, except for objects another account
//! owns in a bucket with ACLs enabled ([`authorize_object`]).

use strata_policy::{DecisionEffect, PolicyDocument, PolicyKind, ResourcePolicyKind};
use strata_s3::{Bucket, CannedAcl, ObjectMeta};

use super::{AccessError, S3Result};
use crate::authz::{
    Denial, Denied, Origin, ResourcePolicy, Target, authorize_anonymous, authorize_target,
    decide as decide_raw,
};
use crate::{App, Requester};

fn access_denied(message: impl Into<String>) -> AccessError {
    AccessError::AccessDenied(message.into())
}

/// The ARN of a bucket, or of an object in it.
pub fn resource_arn(bucket: &str, key: Option<&str>) -> String {
    match key {
        Some(key) => format!("arn:aws:s3:::{bucket}/{key}"),
        None => format!("arn:aws:s3:::{bucket}"),
    }
}

/// Decides `action` on `bucket` (or on object `key` in it) for `requester`, with the
/// bucket policy, after the `x-amz-expected-bucket-owner` check; a denial worded as S3 words
/// it for this request.
pub fn authorize(
    app: &App,
    requester: &Requester,
    action: &str,
    bucket: &Bucket,
    key: Option<&str>,
    expected_owner: Option<&str>,
) -> S3Result<()> {
    authorize_worded(
        app,
        requester,
        action,
        bucket,
        key,
        expected_owner,
        Denial::S3,
    )
}

/// [`authorize`] with the denial worded as `denial` says: a job writing on a caller's behalf
/// reports one that names the principal, action and resource ([`Denial::S3Detailed`]).
pub fn authorize_worded(
    app: &App,
    requester: &Requester,
    action: &str,
    bucket: &Bucket,
    key: Option<&str>,
    expected_owner: Option<&str>,
    denial: Denial,
) -> S3Result<()> {
    if expected_owner.is_some_and(|owner| owner != bucket.owner) {
        return Err(access_denied("Access Denied"));
    }
    if restricts_public_policy(bucket) && requester.account() != Some(bucket.owner.as_str()) {
        // RestrictPublicBuckets: a public policy grants only within the owner's account.
        return Err(access_denied("Access Denied"));
    }
    let policy = bucket_policy(bucket)?;
    let label = format!("bucket {} policy", bucket.name);
    let resource = resource_arn(&bucket.name, key);
    decide(
        app,
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
            denial,
        },
    )
}

/// Whether Block Public Access's RestrictPublicBuckets applies: the setting is on and the
/// bucket policy is public.
fn restricts_public_policy(bucket: &Bucket) -> bool {
    bucket
        .public_access_block
        .is_some_and(|b| b.restrict_public_buckets)
        && bucket
            .policy
            .as_ref()
            .is_some_and(|p| grants_public_access(&p.document))
}

/// Whether a policy grants anything to everyone: an `Allow` statement whose principal is
/// `*` and which has no condition narrowing it (AWS's notion of "public" also accepts some
/// conditions as non-public, e.g. a fixed `aws:SourceAccount`; here any condition does).
pub fn grants_public_access(text: &str) -> bool {
    let Ok(doc) = serde_json::from_str::<serde_json::Value>(text) else {
        return false;
    };
    let statements = match &doc["Statement"] {
        serde_json::Value::Array(list) => list.clone(),
        single @ serde_json::Value::Object(_) => vec![single.clone()],
        _ => return false,
    };
    let everyone = |p: &serde_json::Value| match p {
        serde_json::Value::String(s) => s == "*",
        serde_json::Value::Array(list) => list.iter().any(|v| v == "*"),
        _ => false,
    };
    statements.iter().any(|s| {
        s["Effect"] == "Allow"
            && s.get("Condition").is_none()
            && (everyone(&s["Principal"]) || everyone(&s["Principal"]["AWS"]))
    })
}

/// An operation on an existing object. When ACLs are enabled and the object belongs to
/// another account than the bucket's, S3's object context applies (spec §2.7): the bucket
/// owner's policy can only deny, the caller's own account must allow (identity policies),
/// and the object owner must grant through the object's ACL. Otherwise the bucket context
/// decides, as in [`authorize`].
pub fn authorize_object(
    app: &App,
    requester: &Requester,
    action: &str,
    bucket: &Bucket,
    object: &ObjectMeta,
    expected_owner: Option<&str>,
) -> S3Result<()> {
    if object.owner == bucket.owner || bucket.acls_disabled() {
        return authorize(
            app,
            requester,
            action,
            bucket,
            Some(&object.key),
            expected_owner,
        );
    }
    if expected_owner.is_some_and(|owner| owner != bucket.owner) {
        return Err(access_denied("Access Denied"));
    }
    let policy = bucket_policy(bucket)?;
    let label = format!("bucket {} policy", bucket.name);
    let resource = resource_arn(&bucket.name, Some(&object.key));
    let principal = match requester {
        Requester::Signed(caller) => Some(&caller.principal),
        Requester::Anonymous { .. } => None,
    };
    let origin = Origin::of_requester(requester, &app.default_region);
    let judge = |resource_account: &str, with_policy: bool| {
        decide_raw(
            app,
            principal,
            &origin,
            Target {
                action,
                resource: &resource,
                resource_account,
                resource_policy: policy.as_ref().filter(|_| with_policy).map(|document| {
                    ResourcePolicy {
                        label: &label,
                        document,
                        required: false,
                    }
                }),
                context: Vec::new(),
                denial: Denial::S3,
            },
        )
        .map(|(_, decision)| decision.effect)
        .map_err(internal)
    };
    if judge(&bucket.owner, true)? == DecisionEffect::ExplicitDeny {
        return Err(access_denied("Access Denied"));
    }
    if let Some(account) = requester.account()
        && judge(account, false)? != DecisionEffect::Allow
    {
        return Err(access_denied("Access Denied"));
    }
    if !acl_grants(requester, action, bucket, object) {
        return Err(access_denied("Access Denied"));
    }
    Ok(())
}

/// Whether an object's owner grants `action` to `requester` through the object's ACL
/// (the owner has FULL_CONTROL; the canned ACL adds the rest).
fn acl_grants(requester: &Requester, action: &str, bucket: &Bucket, object: &ObjectMeta) -> bool {
    let account = requester.account();
    if account == Some(object.owner.as_str()) {
        return true;
    }
    let read = matches!(action, "s3:GetObject" | "s3:GetObjectTagging");
    let ignore_public = bucket
        .public_access_block
        .is_some_and(|b| b.ignore_public_acls);
    let bucket_owner = account == Some(bucket.owner.as_str());
    match object.acl {
        CannedAcl::BucketOwnerFullControl => bucket_owner,
        CannedAcl::BucketOwnerRead => bucket_owner && (read || action == "s3:GetObjectAcl"),
        CannedAcl::PublicRead | CannedAcl::PublicReadWrite => read && !ignore_public,
        CannedAcl::AuthenticatedRead => read && account.is_some() && !ignore_public,
        _ => false,
    }
}

fn internal(err: strata_iam::IamError) -> AccessError {
    tracing::error!(error = %err, "cannot load the policies for an S3 request");
    AccessError::Internal(err.to_string())
}

/// Decides an action on no existing bucket (ListBuckets, CreateBucket): the caller's own
/// account is the resource account and only identity policies apply.
pub fn authorize_own(
    app: &App,
    requester: &Requester,
    action: &str,
    resource: &str,
) -> S3Result<()> {
    let Some(account) = requester.account() else {
        return Err(access_denied("Access Denied"));
    };
    decide(
        app,
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
    app: &App,
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
    authorize(app, requester, action, bucket, None, expected_owner)?;
    if requester.account() != Some(bucket.owner.as_str()) {
        return Err(AccessError::MethodNotAllowed);
    }
    Ok(())
}

fn decide(app: &App, requester: &Requester, target: Target<'_>) -> S3Result<()> {
    let decided = match requester {
        Requester::Signed(caller) => authorize_target(app, caller, target),
        Requester::Anonymous { .. } => {
            let origin = Origin::of_requester(requester, &app.default_region);
            authorize_anonymous(app, &origin, target)
        }
    };
    decided.map_err(|denied| match denied {
        Denied::AccessDenied(message) => access_denied(message),
        Denied::Internal(err) => internal(err),
    })
}

/// The bucket's policy with its principals bound to the unique ids saved with it.
pub fn bucket_policy(bucket: &Bucket) -> S3Result<Option<PolicyDocument>> {
    let Some(stored) = &bucket.policy else {
        return Ok(None);
    };
    let kind = PolicyKind::Resource(ResourcePolicyKind::S3Bucket {
        bucket: &bucket.name,
    });
    let corrupt = |e: strata_policy::PolicyError| {
        AccessError::Engine(strata_s3::S3Error::Corrupt(format!(
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
