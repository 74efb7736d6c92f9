//! Authorization of S3 operations (spec iam-s3-authz §2.7, §3.1, §4.3), through the one
//! entry point in [`crate::authz`]. Used by the S3 adapter's handlers and by the jobs that
//! read and write S3 as their caller (exports, imports) alike.
//!
//! The bucket owner's account is the resource account, except for objects another account
//! owns in a bucket with ACLs enabled ([`BucketContext::authorize_object`]).

use std::borrow::Cow;
use strata_policy::{DecisionEffect, PolicyDocument, PolicyKind, ResourcePolicyKind};
use strata_s3::acl::{Grantee, Group};
use strata_s3::{Bucket, ObjectMeta};

use super::{AccessError, BucketContext, S3Result};
use crate::authz::{
    Denial, Denied, Origin, ResourcePolicy, Target, authorize_anonymous, authorize_target,
    decide as decide_raw,
};
use crate::{App, Requester};

fn access_denied(message: impl Into<String>) -> AccessError {
    AccessError::AccessDenied(message.into())
}

/// S3 condition keys of a request and their values.
pub type Conditions = Vec<(Cow<'static, str>, Vec<String>)>;

/// `s3:ExistingObjectTag/<key>` for each tag of an existing object.
fn existing_tags(object: &ObjectMeta) -> Conditions {
    object
        .tags
        .iter()
        .map(|(k, v)| {
            (
                Cow::Owned(format!("s3:ExistingObjectTag/{k}")),
                vec![v.clone()],
            )
        })
        .collect()
}

/// `s3:RequestObjectTag/<key>` for each tag a write sets, and `s3:RequestObjectTagKeys`.
pub fn request_tags(tags: &[(String, String)]) -> Conditions {
    let mut out: Conditions = tags
        .iter()
        .map(|(k, v)| {
            (
                Cow::Owned(format!("s3:RequestObjectTag/{k}")),
                vec![v.clone()],
            )
        })
        .collect();
    if !tags.is_empty() {
        out.push((
            Cow::Borrowed("s3:RequestObjectTagKeys"),
            tags.iter().map(|(k, _)| k.clone()).collect(),
        ));
    }
    out
}

/// The ARN of a bucket, or of an object in it.
pub fn resource_arn(bucket: &str, key: Option<&str>) -> String {
    match key {
        Some(key) => format!("arn:aws:s3:::{bucket}/{key}"),
        None => format!("arn:aws:s3:::{bucket}"),
    }
}

/// The action a request naming an object version needs instead of `action`
/// (`s3:GetObject` → `s3:GetObjectVersion`, …); actions without a version form are kept.
pub fn version_action(action: &str) -> &str {
    match action {
        "s3:GetObject" => "s3:GetObjectVersion",
        "s3:DeleteObject" => "s3:DeleteObjectVersion",
        "s3:GetObjectAcl" => "s3:GetObjectVersionAcl",
        "s3:PutObjectAcl" => "s3:PutObjectVersionAcl",
        "s3:GetObjectTagging" => "s3:GetObjectVersionTagging",
        "s3:PutObjectTagging" => "s3:PutObjectVersionTagging",
        "s3:DeleteObjectTagging" => "s3:DeleteObjectVersionTagging",
        "s3:GetObjectAttributes" => "s3:GetObjectVersionAttributes",
        other => other,
    }
}

impl BucketContext<'_> {
    /// `x-amz-expected-bucket-owner`: when sent, it must be the bucket owner's account.
    pub fn check_expected_owner(&self) -> S3Result<()> {
        match &self.expected_owner {
            Some(owner) if *owner != self.bucket.owner => Err(access_denied("Access Denied")),
            _ => Ok(()),
        }
    }

    /// Decides `action` on the bucket (`key: None`) or on object `key` in it, with the
    /// bucket policy, after the expected owner's check; a denial worded as S3 words it for
    /// this request.
    pub fn authorize(&self, action: &str, key: Option<&str>) -> S3Result<()> {
        self.authorize_as(action, key, None, Vec::new(), Denial::S3)
    }

    /// [`BucketContext::authorize`] with the request's S3 condition keys (`s3:prefix`,
    /// `s3:x-amz-server-side-encryption`, `s3:RequestObjectTag/…`, …).
    pub fn authorize_with(
        &self,
        action: &str,
        key: Option<&str>,
        context: Conditions,
    ) -> S3Result<()> {
        self.authorize_as(action, key, None, context, Denial::S3)
    }

    /// [`BucketContext::authorize`] with a denial naming the principal, action and resource
    /// whatever the accounts: what a job acting for a caller reports.
    pub fn authorize_explained(&self, action: &str, key: Option<&str>) -> S3Result<()> {
        self.authorize_as(action, key, None, Vec::new(), Denial::S3Detailed)
    }

    /// Decides with the bucket policy and, when ACLs are enabled, the bucket's ACL and
    /// `object`'s, as the statements they amount to ([`acl_statements`]).
    fn authorize_as(
        &self,
        action: &str,
        key: Option<&str>,
        object: Option<&ObjectMeta>,
        mut context: Conditions,
        denial: Denial,
    ) -> S3Result<()> {
        context.extend(object.map(existing_tags).unwrap_or_default());
        self.check_expected_owner()?;
        let bucket = &self.bucket;
        if restricts_public_policy(bucket)
            && self.requester.account() != Some(bucket.owner.as_str())
        {
            // RestrictPublicBuckets: a public policy grants only within the owner's account.
            return Err(access_denied("Access Denied"));
        }
        let acl = acl_statements(bucket, object, &self.requester);
        let policy = match acl.is_empty() {
            true => bucket_policy(bucket)?,
            false => Some(policy_with(bucket, acl)?),
        };
        let label = match object.is_some() && !bucket.acls_disabled() {
            true => format!("bucket {} policy and ACLs", bucket.name),
            false => format!("bucket {} policy", bucket.name),
        };
        let resource = resource_arn(&bucket.name, key);
        decide(
            self.app,
            &self.requester,
            Target {
                action,
                resource: &resource,
                resource_account: &bucket.owner,
                resource_policy: policy.as_ref().map(|document| ResourcePolicy {
                    label: &label,
                    document,
                    required: false,
                }),
                context,
                denial,
            },
        )
    }

    /// `action` on an existing object. When ACLs are enabled and the object belongs to
    /// another account than the bucket's, S3's object context applies (spec §2.7): the bucket
    /// owner's policy can only deny, the caller's own account must allow (identity policies),
    /// and the object owner must grant through the object's ACL. Otherwise the bucket context
    /// decides, as in [`BucketContext::authorize`].
    pub fn authorize_object(&self, action: &str, object: &ObjectMeta) -> S3Result<()> {
        self.authorize_object_with(action, object, Vec::new())
    }

    /// [`BucketContext::authorize_object`] with the request's S3 condition keys.
    pub fn authorize_object_with(
        &self,
        action: &str,
        object: &ObjectMeta,
        conditions: Conditions,
    ) -> S3Result<()> {
        let (app, requester, bucket) = (self.app, &self.requester, &self.bucket);
        if object.owner == bucket.owner || bucket.acls_disabled() {
            return self.authorize_as(
                action,
                Some(&object.key),
                Some(object),
                conditions,
                Denial::S3,
            );
        }
        self.check_expected_owner()?;
        let policy = bucket_policy(bucket)?;
        let label = format!("bucket {} policy", bucket.name);
        // The key literally: `$`, `*` and `?` are policy syntax.
        let key = object
            .key
            .replace('$', "${$}")
            .replace('*', "${*}")
            .replace('?', "${?}");
        let resource = resource_arn(&bucket.name, Some(&key));
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
                    context: existing_tags(object)
                        .into_iter()
                        .chain(conditions.iter().cloned())
                        .collect(),
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

    /// Bucket policy operations: the caller must be allowed and be in the owner's account
    /// (else 405 `MethodNotAllowed`); the owner account's root always may (spec §2.7).
    pub fn authorize_policy_management(&self, action: &str) -> S3Result<()> {
        let owner = self.bucket.owner.as_str();
        if let Requester::Signed(caller) = &self.requester
            && matches!(caller.principal, strata_iam::Principal::Root { .. })
            && caller.principal.account().as_str() == owner
            && self.check_expected_owner().is_ok()
        {
            return Ok(());
        }
        self.authorize(action, None)?;
        if self.requester.account() != Some(owner) {
            return Err(AccessError::MethodNotAllowed);
        }
        Ok(())
    }
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

/// Whether an object's owner grants `action` to `requester` through the object's ACL (its
/// owner always may).
fn acl_grants(requester: &Requester, action: &str, bucket: &Bucket, object: &ObjectMeta) -> bool {
    let account = requester.account();
    if account == Some(object.owner.as_str()) {
        return true;
    }
    let ignore_public = bucket
        .public_access_block
        .is_some_and(|b| b.ignore_public_acls);
    object.acl_grants(&bucket.owner).iter().any(|grant| {
        let to_requester = match &grant.grantee {
            Grantee::Account(id) => account == Some(id.as_str()),
            Grantee::Group(Group::AllUsers) => !ignore_public,
            Grantee::Group(Group::AuthenticatedUsers) => !ignore_public && account.is_some(),
            Grantee::Group(Group::LogDelivery) => false,
        };
        to_requester
            && grant
                .permission
                .expanded()
                .iter()
                .any(|p| p.object_actions().contains(&action))
    })
}

/// The grants of the bucket's ACL and (for a request on it) `object`'s ACL as bucket policy
/// statements, for `requester`: none while ACLs are disabled; none to the bucket owner's own
/// account (its users need identity policies, as with a policy naming the account); public
/// grants left out under IgnorePublicAcls, AuthenticatedUsers only for a signed caller.
fn acl_statements(
    bucket: &Bucket,
    object: Option<&ObjectMeta>,
    requester: &Requester,
) -> Vec<serde_json::Value> {
    if bucket.acls_disabled() {
        return Vec::new();
    }
    let ignore_public = bucket
        .public_access_block
        .is_some_and(|b| b.ignore_public_acls);
    let principal = |grantee: &Grantee| match grantee {
        Grantee::Account(id) if *id == bucket.owner => None,
        Grantee::Account(id) => {
            Some(serde_json::json!({ "AWS": format!("arn:aws:iam::{id}:root") }))
        }
        Grantee::Group(Group::AllUsers) if !ignore_public => Some(serde_json::json!("*")),
        Grantee::Group(Group::AuthenticatedUsers)
            if !ignore_public && requester.account().is_some() =>
        {
            Some(serde_json::json!("*"))
        }
        Grantee::Group(_) => None,
    };
    let mut statements = Vec::new();
    let mut add = |sid: String, who: serde_json::Value, actions: &[&str], resource: String| {
        if !actions.is_empty() {
            let sid = format!("{sid}{}", statements.len() + 1);
            statements.push(serde_json::json!({
                "Sid": sid,
                "Effect": "Allow",
                "Principal": who,
                "Action": actions,
                "Resource": resource,
            }));
        }
    };
    for grant in bucket.acl_grants() {
        let Some(who) = principal(&grant.grantee) else {
            continue;
        };
        for permission in grant.permission.expanded() {
            let (actions, on_objects) = permission.bucket_actions();
            let resource = match on_objects {
                true => resource_arn(&bucket.name, Some("*")),
                false => resource_arn(&bucket.name, None),
            };
            let sid = format!("BucketAcl{}", permission.as_str().replace('_', ""));
            add(sid, who.clone(), actions, resource);
        }
    }
    if let Some(object) = object {
        for grant in object.acl_grants(&bucket.owner) {
            let Some(who) = principal(&grant.grantee) else {
                continue;
            };
            for permission in grant.permission.expanded() {
                let resource = resource_arn(&bucket.name, Some(&object.key));
                let sid = format!("ObjectAcl{}", permission.as_str().replace('_', ""));
                add(sid, who.clone(), permission.object_actions(), resource);
            }
        }
    }
    statements
}

/// The bucket policy (or an empty one) with `extra` statements added, parsed and bound as
/// [`bucket_policy`] does.
fn policy_with(bucket: &Bucket, extra: Vec<serde_json::Value>) -> S3Result<PolicyDocument> {
    let mut document: serde_json::Value = match &bucket.policy {
        Some(stored) => serde_json::from_str(&stored.document).map_err(|e| {
            AccessError::Engine(strata_s3::S3Error::Corrupt(format!(
                "stored bucket policy: {e}"
            )))
        })?,
        None => serde_json::json!({ "Version": "2012-10-17", "Statement": [] }),
    };
    let statements = match document["Statement"].take() {
        serde_json::Value::Array(list) => list,
        serde_json::Value::Null => Vec::new(),
        single => vec![single],
    };
    document["Statement"] = serde_json::Value::Array(statements.into_iter().chain(extra).collect());
    parse_bound(bucket, &document.to_string())
}

fn internal(err: strata_iam::IamError) -> AccessError {
    tracing::error!(error = %err, "cannot load the policies for an S3 request");
    AccessError::Internal(err.to_string())
}

/// Decides an action on no existing bucket (ListBuckets, CreateBucket): the caller's own
/// account is the resource account and only identity policies apply. Returns that account
/// (anonymous requesters are refused).
pub fn authorize_own<'r>(
    app: &App,
    requester: &'r Requester,
    action: &str,
    resource: &str,
) -> S3Result<&'r str> {
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
    )?;
    Ok(account)
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
    match &bucket.policy {
        Some(stored) => parse_bound(bucket, &stored.document).map(Some),
        None => Ok(None),
    }
}

/// A policy `text` for `bucket`, its principals bound to the unique ids saved with the
/// bucket's policy.
fn parse_bound(bucket: &Bucket, text: &str) -> S3Result<PolicyDocument> {
    let bindings = bucket
        .policy
        .as_ref()
        .map(|p| p.bindings.as_slice())
        .unwrap_or_default();
    let kind = PolicyKind::Resource(ResourcePolicyKind::S3Bucket {
        bucket: &bucket.name,
    });
    let corrupt = |e: strata_policy::PolicyError| {
        AccessError::Engine(strata_s3::S3Error::Corrupt(format!(
            "stored bucket policy: {}",
            e.message
        )))
    };
    let mut document = PolicyDocument::parse(text, kind).map_err(corrupt)?;
    document
        .bind_principals(kind, |arn| {
            bindings
                .iter()
                .find(|(a, _)| a == arn)
                .map(|(_, id)| id.clone())
        })
        .map_err(corrupt)?;
    Ok(document)
}
