//! Key-policy authorization (spec kms-sse §3.2): every operation on a key is judged by the
//! one authorization entry point with the key policy as a resource policy that must allow
//! even within the key's account — directly, or by naming the account so that its IAM
//! policies count — and, across accounts, with the caller's identity policies as well.
//! Explicit denies anywhere win. The KMS condition keys (§3.3) are added here.

use std::borrow::Cow;

use strata_kms::{EncryptionContext, Key};
use strata_policy::{PolicyDocument, PolicyKind, ResourcePolicyKind};

use super::Error;
use crate::authz::{self, Denial, Denied, ResourcePolicy, Target};
use crate::{App, Caller};

pub(crate) const KIND: PolicyKind<'static> = PolicyKind::Resource(ResourcePolicyKind::KmsKey);

/// The AWS service a request reaches KMS through (`kms:ViaService`), when a service calls
/// KMS for its caller.
#[derive(Clone, Copy, Debug)]
pub struct Via<'a> {
    /// `s3`, `dynamodb`.
    pub service: &'a str,
}

/// The key policy with its principals bound to the unique ids saved with it.
pub fn key_policy(key: &Key) -> Result<PolicyDocument, Error> {
    let corrupt = |e: strata_policy::PolicyError| {
        Error::Internal(format!(
            "stored key policy of {}: {}",
            key.key_id, e.message
        ))
    };
    let mut document = PolicyDocument::parse(&key.policy, KIND).map_err(corrupt)?;
    document
        .bind_principals(KIND, |arn| {
            key.policy_bindings
                .iter()
                .find(|(a, _)| a == arn)
                .map(|(_, id)| id.clone())
        })
        .map_err(corrupt)?;
    Ok(document)
}

/// The KMS condition keys of a request on `key`.
pub(crate) fn context(
    caller: &Caller,
    via: Option<Via<'_>>,
    encryption_context: Option<&EncryptionContext>,
) -> Vec<(Cow<'static, str>, Vec<String>)> {
    let mut keys: Vec<(Cow<'static, str>, Vec<String>)> = vec![(
        Cow::Borrowed("kms:CallerAccount"),
        vec![caller.account().to_owned()],
    )];
    if let Some(via) = via {
        keys.push((
            Cow::Borrowed("kms:ViaService"),
            vec![format!("{}.{}.amazonaws.com", via.service, caller.region)],
        ));
    }
    if let Some(ec) = encryption_context {
        for (k, v) in ec {
            keys.push((
                Cow::Owned(format!("kms:EncryptionContext:{k}")),
                vec![v.clone()],
            ));
        }
        if !ec.is_empty() {
            keys.push((
                Cow::Borrowed("kms:EncryptionContextKeys"),
                ec.keys().cloned().collect(),
            ));
        }
    }
    keys
}

/// Whether `caller` may perform `action` (`kms:Encrypt`) on `key`.
pub fn authorize(
    app: &App,
    caller: &Caller,
    key: &Key,
    action: &str,
    via: Option<Via<'_>>,
    encryption_context: Option<&EncryptionContext>,
) -> Result<(), Error> {
    let document = key_policy(key)?;
    let target = KeyTarget {
        arn: &key.arn(),
        account: &key.account,
        policy: &document,
    };
    authorize_with_policy(app, caller, target, action, via, encryption_context)
}

/// A key as authorization sees it.
pub(crate) struct KeyTarget<'a> {
    pub arn: &'a str,
    pub account: &'a str,
    pub policy: &'a PolicyDocument,
}

/// [`authorize`] against a key policy not (yet) stored: PutKeyPolicy's lockout check.
pub(crate) fn authorize_with_policy(
    app: &App,
    caller: &Caller,
    key: KeyTarget<'_>,
    action: &str,
    via: Option<Via<'_>>,
    encryption_context: Option<&EncryptionContext>,
) -> Result<(), Error> {
    authz::authorize_target(
        app,
        caller,
        Target {
            action,
            resource: key.arn,
            resource_account: key.account,
            resource_policy: Some(ResourcePolicy {
                label: "key policy",
                document: key.policy,
                required: true,
            }),
            context: context(caller, via, encryption_context),
            denial: Denial::Kms,
        },
    )
    .map_err(denied)
}

/// An operation authorized by IAM alone (CreateKey, ListKeys, ListAliases, the alias side
/// of alias operations), on `resource` in the caller's account.
pub(crate) fn authorize_identity(
    app: &App,
    caller: &Caller,
    action: &str,
    resource: &str,
) -> Result<(), Error> {
    authz::authorize(app, caller, action, resource, caller.account(), None).map_err(denied)
}

fn denied(denied: Denied) -> Error {
    match denied {
        Denied::AccessDenied(message) => Error::AccessDenied(message),
        Denied::Internal(e) => Error::Internal(e.to_string()),
    }
}
