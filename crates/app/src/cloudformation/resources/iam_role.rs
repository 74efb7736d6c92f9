//! `AWS::IAM::Role` and `AWS::IAM::Policy` (spec cloudformation §5): CreateRole with its
//! inline `Policies` and `ManagedPolicyArns`, PutRolePolicy/PutUserPolicy for a Policy, each
//! as the stack's caller; deleting detaches and removes inline policies first. A Role's `Ref`
//! is its name (`Arn`, `RoleId` attributes); a Policy's is a generated id (UNCONFIRMED,
//! spec §8.4).

use std::collections::BTreeMap;

use serde_json::Value;
use strata_iam::{PolicyHolder, Tag};

use super::{
    Created, Provision, generated_name, handler_error, key_values, optional_str, optional_u64,
    policy_document, required_str,
};
use crate::iam::Error;
use crate::iam::inline_policies::{
    HolderInput, NamedPolicyInput, PutPolicyInput, delete_policy, list_policies, put_policy,
};
use crate::iam::managed_policies::{
    AttachmentInput, attach_policy, detach_policy, list_attached_policies,
};
use crate::iam::roles::{
    CreateRoleInput, RoleNameInput, UpdateAssumeRolePolicyInput, create_role, delete_role,
    update_assume_role_policy,
};

/// IAM's refusal as a handler message.
pub(super) fn refused(err: &Error) -> String {
    let (status, code) = match err {
        Error::AccessDenied(_) => (403, "AccessDenied"),
        Error::NoSuchEntity(_) => (404, "NotFound"),
        Error::EntityAlreadyExists(_) => (409, "AlreadyExists"),
        Error::LimitExceeded(_) => (409, "ServiceLimitExceeded"),
        Error::Unavailable(_) | Error::Internal(_) => (500, "ServiceInternalError"),
        _ => (400, "InvalidRequest"),
    };
    handler_error(&err.to_string(), "Iam", status, code)
}

/// The template's `Tags` as IAM's.
pub(super) fn tags(p: &Provision<'_>, properties: &Value) -> Result<Vec<Tag>, String> {
    Ok(key_values(p, properties, "Tags")?
        .unwrap_or_default()
        .into_iter()
        .map(|(key, value)| Tag { key, value })
        .collect())
}

/// Brings a role's or user's tags from `old`'s to `new`'s: UntagRole/UntagUser for the
/// keys dropped, TagRole/TagUser for the rest.
pub(super) async fn retag(
    p: &Provision<'_>,
    holder: &PolicyHolder,
    old: &Value,
    new: &Value,
) -> Result<(), String> {
    use crate::iam::tags::{TagInput, UntagInput, tag, untag};
    if old.get("Tags") == new.get("Tags") {
        return Ok(());
    }
    let (before, after) = (tags(p, old).unwrap_or_default(), tags(p, new)?);
    let dropped: Vec<String> = before
        .iter()
        .filter(|b| !after.iter().any(|a| a.key.eq_ignore_ascii_case(&b.key)))
        .map(|b| b.key.clone())
        .collect();
    if !dropped.is_empty() {
        untag(
            p.app,
            p.caller,
            UntagInput {
                holder: holder.clone(),
                tag_keys: dropped,
            },
        )
        .await
        .map_err(|e| refused(&e))?;
    }
    if !after.is_empty() {
        tag(
            p.app,
            p.caller,
            TagInput {
                holder: holder.clone(),
                tags: after,
            },
        )
        .await
        .map_err(|e| refused(&e))?;
    }
    Ok(())
}

/// `Policies`: name → document.
fn inline(p: &Provision<'_>, properties: &Value) -> Result<BTreeMap<String, String>, String> {
    let Some(items) = properties.get("Policies").and_then(Value::as_array) else {
        return Ok(BTreeMap::new());
    };
    items
        .iter()
        .map(|item| {
            Ok((
                required_str(p, item, "PolicyName")?.to_owned(),
                policy_document(p, item.get("PolicyDocument"), "PolicyDocument")?,
            ))
        })
        .collect()
}

pub(super) fn strings(properties: &Value, key: &str) -> Vec<String> {
    properties
        .get(key)
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

pub fn requires_replacement(old: &Value, new: &Value) -> bool {
    ["RoleName", "Path"]
        .iter()
        .any(|k| old.get(k) != new.get(k))
}

pub async fn create(p: &Provision<'_>, properties: &Value) -> Result<Created, String> {
    let role_name = p.name_for(properties, "RoleName", 64, false)?;
    let created = create_role(
        p.app,
        p.caller,
        CreateRoleInput {
            role_name: role_name.clone(),
            path: optional_str(p, properties, "Path")?.map(str::to_owned),
            assume_role_policy_document: policy_document(
                p,
                properties.get("AssumeRolePolicyDocument"),
                "AssumeRolePolicyDocument",
            )?,
            description: optional_str(p, properties, "Description")?.map(str::to_owned),
            max_session_duration: optional_u64(properties.get("MaxSessionDuration"))
                .map(|d| d as i64),
            tags: tags(p, properties)?,
        },
    )
    .await
    .map_err(|e| refused(&e))?;
    let holder = PolicyHolder::Role(role_name.clone());
    if let Err(reason) = attach(p, &holder, &Value::Null, properties).await {
        let _ = remove(p, &role_name).await;
        return Err(reason);
    }
    let role = created.role;
    Ok(Created {
        physical_id: role_name.clone(),
        reference: Value::String(role_name),
        attributes: BTreeMap::from([
            ("Arn".to_owned(), Value::String(role.arn)),
            ("RoleId".to_owned(), Value::String(role.role_id)),
        ]),
    })
}

/// Brings a role's or user's inline and managed policies from `old`'s to `new`'s.
pub(super) async fn attach(
    p: &Provision<'_>,
    holder: &PolicyHolder,
    old: &Value,
    new: &Value,
) -> Result<(), String> {
    let holder = || holder.clone();
    let (before, after) = (inline(p, old).unwrap_or_default(), inline(p, new)?);
    for (name, policy_document) in &after {
        if before.get(name) != Some(policy_document) {
            put_policy(
                p.app,
                p.caller,
                PutPolicyInput {
                    holder: holder(),
                    policy_name: name.clone(),
                    policy_document: policy_document.clone(),
                },
            )
            .await
            .map_err(|e| refused(&e))?;
        }
    }
    for name in before.keys().filter(|n| !after.contains_key(*n)) {
        delete_policy(
            p.app,
            p.caller,
            NamedPolicyInput {
                holder: holder(),
                policy_name: name.clone(),
            },
        )
        .await
        .map_err(|e| refused(&e))?;
    }
    let (before, after) = (
        strings(old, "ManagedPolicyArns"),
        strings(new, "ManagedPolicyArns"),
    );
    for arn in after.iter().filter(|a| !before.contains(a)) {
        attach_policy(
            p.app,
            p.caller,
            AttachmentInput {
                holder: holder(),
                policy_arn: arn.clone(),
            },
        )
        .await
        .map_err(|e| refused(&e))?;
    }
    for arn in before.iter().filter(|a| !after.contains(a)) {
        detach_policy(
            p.app,
            p.caller,
            AttachmentInput {
                holder: holder(),
                policy_arn: arn.clone(),
            },
        )
        .await
        .map_err(|e| refused(&e))?;
    }
    Ok(())
}

/// Detaches and deletes the role's policies, then the role.
async fn remove(p: &Provision<'_>, role_name: &str) -> Result<(), Error> {
    detach_all(p, &PolicyHolder::Role(role_name.to_owned())).await?;
    delete_role(
        p.app,
        p.caller,
        RoleNameInput {
            role_name: role_name.to_owned(),
        },
    )
    .await
}

/// Detaches a role's or user's managed policies and deletes its inline ones.
pub(super) async fn detach_all(p: &Provision<'_>, holder: &PolicyHolder) -> Result<(), Error> {
    let holder = || holder.clone();
    for attached in list_attached_policies(p.app, p.caller, HolderInput { holder: holder() })?
        .attached_policies
        .member
    {
        detach_policy(
            p.app,
            p.caller,
            AttachmentInput {
                holder: holder(),
                policy_arn: attached.policy_arn,
            },
        )
        .await?;
    }
    for name in list_policies(p.app, p.caller, HolderInput { holder: holder() })?
        .policy_names
        .member
    {
        delete_policy(
            p.app,
            p.caller,
            NamedPolicyInput {
                holder: holder(),
                policy_name: name,
            },
        )
        .await?;
    }
    Ok(())
}

pub async fn update(
    p: &Provision<'_>,
    role_name: &str,
    old: &Value,
    new: &Value,
) -> Result<Created, String> {
    if old.get("AssumeRolePolicyDocument") != new.get("AssumeRolePolicyDocument") {
        update_assume_role_policy(
            p.app,
            p.caller,
            UpdateAssumeRolePolicyInput {
                role_name: role_name.to_owned(),
                policy_document: policy_document(
                    p,
                    new.get("AssumeRolePolicyDocument"),
                    "AssumeRolePolicyDocument",
                )?,
            },
        )
        .await
        .map_err(|e| refused(&e))?;
    }
    if old.get("Description") != new.get("Description")
        || old.get("MaxSessionDuration") != new.get("MaxSessionDuration")
    {
        crate::iam::roles::update_role(
            p.app,
            p.caller,
            crate::iam::roles::UpdateRoleInput {
                role_name: role_name.to_owned(),
                description: Some(
                    optional_str(p, new, "Description")?
                        .unwrap_or_default()
                        .to_owned(),
                ),
                max_session_duration: Some(
                    optional_u64(new.get("MaxSessionDuration")).map_or(3_600, |d| d as i64),
                ),
            },
        )
        .await
        .map_err(|e| refused(&e))?;
    }
    let holder = PolicyHolder::Role(role_name.to_owned());
    attach(p, &holder, old, new).await?;
    retag(p, &holder, old, new).await?;
    let role = crate::iam::roles::get_role(
        p.app,
        p.caller,
        RoleNameInput {
            role_name: role_name.to_owned(),
        },
    )
    .map_err(|e| refused(&e))?
    .role;
    Ok(Created {
        physical_id: role_name.to_owned(),
        reference: Value::String(role_name.to_owned()),
        attributes: BTreeMap::from([
            ("Arn".to_owned(), Value::String(role.arn)),
            ("RoleId".to_owned(), Value::String(role.role_id)),
        ]),
    })
}

pub async fn delete(p: &Provision<'_>, role_name: &str) -> Result<(), String> {
    match remove(p, role_name).await {
        Ok(()) | Err(Error::NoSuchEntity(_)) => Ok(()),
        Err(e) => Err(refused(&e)),
    }
}

/// The holders an `AWS::IAM::Policy` puts its document on (or a ManagedPolicy is attached
/// to), once [`no_groups`] has passed: its `Roles` and `Users`. Unchecked, what a delete
/// takes back from.
pub(super) fn holders(properties: &Value) -> Vec<PolicyHolder> {
    strings(properties, "Roles")
        .into_iter()
        .map(PolicyHolder::Role)
        .chain(
            strings(properties, "Users")
                .into_iter()
                .map(PolicyHolder::User),
        )
        .collect()
}

/// IAM groups do not exist in strata: a template naming one fails as IAM fails for a missing
/// group.
pub(super) fn no_groups(properties: &Value) -> Result<(), String> {
    match strings(properties, "Groups").first() {
        Some(group) => Err(handler_error(
            &format!("The group with name {group} cannot be found."),
            "Iam",
            404,
            "NotFound",
        )),
        None => Ok(()),
    }
}

/// An `AWS::IAM::Policy`'s holders, of which it needs one.
fn policy_holders(properties: &Value) -> Result<Vec<PolicyHolder>, String> {
    no_targets(properties)?;
    no_groups(properties)?;
    Ok(holders(properties))
}

/// Refuses an `AWS::IAM::Policy` naming no group, role or user. Its delete is refused too, so
/// a stack holding such a policy fails to roll back, as AWS records it (LocalStack's
/// AWS-validated test_blocked_stack_deletion); the message is UNCONFIRMED.
pub(super) fn no_targets(properties: &Value) -> Result<(), String> {
    if ["Groups", "Roles", "Users"]
        .iter()
        .all(|key| strings(properties, key).is_empty())
    {
        return Err("At least one of [Groups,Roles,Users] must be non-empty.".to_owned());
    }
    Ok(())
}

pub async fn create_policy(p: &Provision<'_>, properties: &Value) -> Result<Created, String> {
    let name = required_str(p, properties, "PolicyName")?.to_owned();
    let policy_document = policy_document(p, properties.get("PolicyDocument"), "PolicyDocument")?;
    for holder in policy_holders(properties)? {
        put_policy(
            p.app,
            p.caller,
            PutPolicyInput {
                holder,
                policy_name: name.clone(),
                policy_document: policy_document.clone(),
            },
        )
        .await
        .map_err(|e| refused(&e))?;
    }
    // The physical id names the policy and its holders, so a delete can find them.
    let id = generated_name(p.stack, p.logical_id, 64, false);
    Ok(Created {
        physical_id: id.clone(),
        reference: Value::String(id.clone()),
        attributes: BTreeMap::from([("Id".to_owned(), Value::String(id))]),
    })
}

pub async fn update_policy(
    p: &Provision<'_>,
    physical_id: &str,
    old: &Value,
    new: &Value,
) -> Result<Created, String> {
    // The new properties are checked before the old policy goes.
    policy_holders(new)?;
    required_str(p, new, "PolicyName")?;
    policy_document(p, new.get("PolicyDocument"), "PolicyDocument")?;
    delete_policy_of(p, old).await?;
    let created = create_policy(p, new).await?;
    Ok(Created {
        physical_id: physical_id.to_owned(),
        reference: Value::String(physical_id.to_owned()),
        attributes: created
            .attributes
            .into_keys()
            .map(|k| (k, Value::String(physical_id.to_owned())))
            .collect(),
    })
}

pub async fn delete_policy_of(p: &Provision<'_>, properties: &Value) -> Result<(), String> {
    let Some(name) = properties.get("PolicyName").and_then(Value::as_str) else {
        return Ok(());
    };
    for holder in holders(properties) {
        match delete_policy(
            p.app,
            p.caller,
            NamedPolicyInput {
                holder,
                policy_name: name.to_owned(),
            },
        )
        .await
        {
            Ok(()) | Err(Error::NoSuchEntity(_)) => {}
            Err(e) => return Err(refused(&e)),
        }
    }
    Ok(())
}
