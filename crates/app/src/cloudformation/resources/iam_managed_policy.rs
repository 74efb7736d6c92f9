//! `AWS::IAM::ManagedPolicy` (spec cloudformation §5): CreatePolicy, then attached to its
//! `Roles` and `Users`, as the stack's caller. A new `PolicyDocument` is a new default
//! version (the oldest other version deleted first when IAM's five are used); a new name,
//! path or description is a new policy. Deleting detaches it and deletes its versions.
//! `Ref` is the policy's ARN.

use std::collections::BTreeMap;

use serde_json::Value;
use strata_iam::{AccountId, MAX_POLICY_VERSIONS, PolicyHolder, policy_arn};

use super::iam_role::{holders, no_groups, refused};
use super::{Created, Provision, optional_str, policy_document};
use crate::iam::Error;
use crate::iam::managed_policies::{
    AttachmentInput, CreatePolicyInput, CreatePolicyVersionInput, PolicyArnInput,
    PolicyVersionInput, attach_policy, create_policy, create_policy_version, delete_policy,
    delete_policy_version, detach_policy, get_policy, list_policy_versions,
};

pub fn requires_replacement(old: &Value, new: &Value) -> bool {
    ["ManagedPolicyName", "Path", "Description"]
        .iter()
        .any(|k| old.get(k) != new.get(k))
}

/// Detaches the policy from `holder`; one no longer attached (or gone) is detached.
async fn detach(p: &Provision<'_>, arn: &str, holder: &PolicyHolder) -> Result<(), Error> {
    match detach_policy(
        p.app,
        p.caller,
        AttachmentInput {
            holder: holder.clone(),
            policy_arn: arn.to_owned(),
        },
    )
    .await
    {
        Ok(()) | Err(Error::NoSuchEntity(_)) => Ok(()),
        Err(e) => Err(e),
    }
}

pub async fn create(p: &Provision<'_>, properties: &Value) -> Result<Created, String> {
    let name = p.name_for(properties, "ManagedPolicyName", 128, false)?;
    no_groups(properties)?;
    let holders = holders(properties);
    let created = create_policy(
        p.app,
        p.caller,
        CreatePolicyInput {
            policy_name: name,
            path: optional_str(p, properties, "Path")?.map(str::to_owned),
            policy_document: policy_document(
                p,
                properties.get("PolicyDocument"),
                "PolicyDocument",
            )?,
            description: optional_str(p, properties, "Description")?.map(str::to_owned),
        },
    )
    .await
    .map_err(|e| refused(&e))?;
    let arn = created.policy.arn;
    if let Err(reason) = attach(p, &arn, &[], &holders).await {
        // A failed resource leaves nothing behind.
        let _ = remove(p, &arn, &holders).await;
        return Err(reason);
    }
    described(p, &arn)
}

/// The policy's `Ref` and `Fn::GetAtt` values as IAM reads them now.
fn described(p: &Provision<'_>, arn: &str) -> Result<Created, String> {
    let policy = get_policy(
        p.app,
        p.caller,
        PolicyArnInput {
            policy_arn: arn.to_owned(),
        },
    )
    .map_err(|e| refused(&e))?
    .policy;
    let attributes = BTreeMap::from([
        ("PolicyArn".to_owned(), Value::String(policy.arn.clone())),
        ("PolicyId".to_owned(), Value::String(policy.policy_id)),
        (
            "DefaultVersionId".to_owned(),
            Value::String(policy.default_version_id),
        ),
        (
            "AttachmentCount".to_owned(),
            Value::from(policy.attachment_count),
        ),
        ("IsAttachable".to_owned(), Value::Bool(policy.is_attachable)),
        (
            "PermissionsBoundaryUsageCount".to_owned(),
            Value::from(policy.permissions_boundary_usage_count),
        ),
        ("CreateDate".to_owned(), Value::String(policy.create_date)),
        ("UpdateDate".to_owned(), Value::String(policy.update_date)),
    ]);
    Ok(Created {
        physical_id: policy.arn.clone(),
        reference: Value::String(policy.arn),
        attributes,
    })
}

/// Attaches the policy to the holders in `after` but not `before`, and detaches it from
/// those only in `before`.
async fn attach(
    p: &Provision<'_>,
    arn: &str,
    before: &[PolicyHolder],
    after: &[PolicyHolder],
) -> Result<(), String> {
    for holder in after.iter().filter(|h| !before.contains(h)) {
        attach_policy(
            p.app,
            p.caller,
            AttachmentInput {
                holder: holder.clone(),
                policy_arn: arn.to_owned(),
            },
        )
        .await
        .map_err(|e| refused(&e))?;
    }
    for holder in before.iter().filter(|h| !after.contains(h)) {
        detach(p, arn, holder).await.map_err(|e| refused(&e))?;
    }
    Ok(())
}

pub async fn update(
    p: &Provision<'_>,
    arn: &str,
    old: &Value,
    new: &Value,
) -> Result<Created, String> {
    no_groups(new)?;
    let before = holders(old);
    let after = holders(new);
    if old.get("PolicyDocument") != new.get("PolicyDocument") {
        let document = policy_document(p, new.get("PolicyDocument"), "PolicyDocument")?;
        make_room(p, arn).await.map_err(|e| refused(&e))?;
        create_policy_version(
            p.app,
            p.caller,
            CreatePolicyVersionInput {
                policy_arn: arn.to_owned(),
                policy_document: document,
                set_as_default: true,
            },
        )
        .await
        .map_err(|e| refused(&e))?;
    }
    attach(p, arn, &before, &after).await?;
    described(p, arn)
}

/// Deletes the oldest non-default version when the policy has IAM's most.
async fn make_room(p: &Provision<'_>, arn: &str) -> Result<(), Error> {
    let versions = versions(p, arn)?;
    if versions.len() + 1 < MAX_POLICY_VERSIONS {
        return Ok(());
    }
    if let Some(oldest) = versions.last() {
        delete_policy_version(
            p.app,
            p.caller,
            PolicyVersionInput {
                policy_arn: arn.to_owned(),
                version_id: oldest.clone(),
            },
        )
        .await?;
    }
    Ok(())
}

/// The policy's non-default versions, newest first.
fn versions(p: &Provision<'_>, arn: &str) -> Result<Vec<String>, Error> {
    Ok(list_policy_versions(
        p.app,
        p.caller,
        PolicyArnInput {
            policy_arn: arn.to_owned(),
        },
    )?
    .versions
    .member
    .into_iter()
    .filter(|v| !v.is_default_version)
    .map(|v| v.version_id)
    .collect())
}

/// Detaches the policy from `holders`, deletes its other versions, then the policy.
async fn remove(p: &Provision<'_>, arn: &str, holders: &[PolicyHolder]) -> Result<(), Error> {
    for holder in holders {
        detach(p, arn, holder).await?;
    }
    for version_id in versions(p, arn)? {
        delete_policy_version(
            p.app,
            p.caller,
            PolicyVersionInput {
                policy_arn: arn.to_owned(),
                version_id,
            },
        )
        .await?;
    }
    delete_policy(
        p.app,
        p.caller,
        PolicyArnInput {
            policy_arn: arn.to_owned(),
        },
    )
    .await
}

/// The policy's ARN from its physical id, which is the ARN, or, for a create cut short, the
/// planned name.
pub fn arn_of(account: &str, physical_id: &str, properties: &Value) -> String {
    if physical_id.starts_with("arn:") {
        return physical_id.to_owned();
    }
    let path = properties
        .get("Path")
        .and_then(Value::as_str)
        .unwrap_or("/");
    match AccountId::parse(account) {
        Ok(account) => policy_arn(&account, path, physical_id),
        Err(_) => physical_id.to_owned(),
    }
}

pub async fn delete(
    p: &Provision<'_>,
    physical_id: &str,
    properties: &Value,
) -> Result<(), String> {
    let arn = arn_of(&p.stack.account, physical_id, properties);
    let holders = holders(properties);
    match remove(p, &arn, &holders).await {
        Ok(()) | Err(Error::NoSuchEntity(_)) => Ok(()),
        Err(e) => Err(refused(&e)),
    }
}
