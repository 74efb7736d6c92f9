//! `AWS::KMS::Key` and `AWS::KMS::Alias` (spec cloudformation §5): CreateKey with its key
//! policy (KMS's default policy without one), description, usage, spec, state and tags (each
//! but usage, spec, origin and multi-region updatable in place; rotation refused, as strata's
//! KMS has none);
//! removal schedules the key's deletion (`PendingWindowInDays`, 30 by default) as AWS does.
//! A Key's `Ref` is its id (`Arn`, `KeyId` attributes); an Alias's is its name.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{
    Created, Provision, handler_error, optional_bool, optional_str, optional_u64, required_str,
};
use crate::kms::{
    AliasInput, CreateKeyInput, Error, KeyIdInput, PutKeyPolicyInput, ScheduleKeyDeletionInput,
    TagEntry, TagResourceInput, UntagResourceInput, UpdateKeyDescriptionInput,
};

fn refused(err: &Error) -> String {
    let code = match err {
        Error::AccessDenied(_) => "AccessDenied",
        Error::NotFound(_) => "NotFound",
        Error::AlreadyExists(_) => "AlreadyExists",
        _ => "InvalidRequest",
    };
    handler_error(&err.to_string(), "Kms", 400, code)
}

fn policy(properties: &Value) -> Option<String> {
    match properties.get("KeyPolicy")? {
        Value::String(text) => Some(text.clone()),
        other => Some(other.to_string()),
    }
}

/// What cannot change on a key: CloudFormation fails such an update whatever the
/// UpdateReplacePolicy says (spec §5.2), rather than replace a key data is encrypted under.
const IMMUTABLE: [&str; 4] = ["KeySpec", "KeyUsage", "Origin", "MultiRegion"];

/// A key is never replaced (see [`IMMUTABLE`]).
pub fn requires_replacement(_old: &Value, _new: &Value) -> bool {
    false
}

fn key_created(metadata: crate::kms::KeyMetadata) -> Created {
    Created {
        physical_id: metadata.key_id.clone(),
        reference: Value::String(metadata.key_id.clone()),
        attributes: BTreeMap::from([
            ("Arn".to_owned(), Value::String(metadata.arn)),
            ("KeyId".to_owned(), Value::String(metadata.key_id)),
        ]),
    }
}

/// The template's `Tags`.
fn tags(properties: &Value) -> Option<Vec<TagEntry>> {
    properties
        .get("Tags")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|t| {
                    Some(TagEntry {
                        tag_key: t.get("Key")?.as_str()?.to_owned(),
                        tag_value: t.get("Value")?.as_str()?.to_owned(),
                    })
                })
                .collect()
        })
}

/// Key rotation is not in strata's KMS: a template asking for it fails rather than get a key
/// that never rotates.
fn rotation_refused(p: &Provision<'_>, properties: &Value) -> Result<(), String> {
    if optional_bool(p, properties, "EnableKeyRotation")? == Some(true) {
        return Err(handler_error(
            "Automatic key rotation (EnableKeyRotation) is not supported by strata's KMS",
            "Kms",
            501,
            "InvalidRequest",
        ));
    }
    Ok(())
}

pub async fn create(p: &Provision<'_>, properties: &Value) -> Result<Created, String> {
    rotation_refused(p, properties)?;
    let tags = tags(properties);
    let metadata = crate::kms::create_key(
        p.app,
        p.caller,
        CreateKeyInput {
            policy: policy(properties),
            description: optional_str(p, properties, "Description")?.map(str::to_owned),
            key_usage: optional_str(p, properties, "KeyUsage")?.map(str::to_owned),
            key_spec: optional_str(p, properties, "KeySpec")?.map(str::to_owned),
            multi_region: optional_bool(p, properties, "MultiRegion")?,
            origin: optional_str(p, properties, "Origin")?.map(str::to_owned),
            bypass_policy_lockout_safety_check: optional_bool(
                p,
                properties,
                "BypassPolicyLockoutSafetyCheck",
            )?,
            tags,
            ..Default::default()
        },
    )
    .await
    .map_err(|e| refused(&e))?
    .key_metadata;
    if optional_bool(p, properties, "Enabled")? == Some(false) {
        crate::kms::disable_key(
            p.app,
            p.caller,
            KeyIdInput {
                key_id: Some(metadata.key_id.clone()),
            },
        )
        .await
        .map_err(|e| refused(&e))?;
    }
    Ok(key_created(metadata))
}

pub async fn update(
    p: &Provision<'_>,
    key_id: &str,
    old: &Value,
    new: &Value,
) -> Result<Created, String> {
    if let Some(name) = IMMUTABLE.iter().find(|k| old.get(**k) != new.get(**k)) {
        return Err(handler_error(
            &format!("{name} of a KMS key cannot be updated"),
            "Kms",
            400,
            "NotUpdatable",
        ));
    }
    rotation_refused(p, new)?;
    let key = || Some(key_id.to_owned());
    if old.get("KeyPolicy") != new.get("KeyPolicy")
        && let Some(document) = policy(new)
    {
        crate::kms::put_key_policy(
            p.app,
            p.caller,
            PutKeyPolicyInput {
                key_id: key(),
                policy_name: Some("default".to_owned()),
                policy: Some(document),
                bypass_policy_lockout_safety_check: optional_bool(
                    p,
                    new,
                    "BypassPolicyLockoutSafetyCheck",
                )?,
            },
        )
        .await
        .map_err(|e| refused(&e))?;
    }
    if old.get("Description") != new.get("Description") {
        crate::kms::update_key_description(
            p.app,
            p.caller,
            UpdateKeyDescriptionInput {
                key_id: key(),
                description: Some(
                    optional_str(p, new, "Description")?
                        .unwrap_or_default()
                        .to_owned(),
                ),
            },
        )
        .await
        .map_err(|e| refused(&e))?;
    }
    if old.get("Enabled") != new.get("Enabled") {
        let input = KeyIdInput { key_id: key() };
        let done = if optional_bool(p, new, "Enabled")?.unwrap_or(true) {
            crate::kms::enable_key(p.app, p.caller, input).await
        } else {
            crate::kms::disable_key(p.app, p.caller, input).await
        };
        done.map_err(|e| refused(&e))?;
    }
    if old.get("Tags") != new.get("Tags") {
        let (before, after) = (tags(old).unwrap_or_default(), tags(new).unwrap_or_default());
        let dropped: Vec<String> = before
            .iter()
            .filter(|b| !after.iter().any(|a| a.tag_key == b.tag_key))
            .map(|b| b.tag_key.clone())
            .collect();
        if !dropped.is_empty() {
            crate::kms::untag_resource(
                p.app,
                p.caller,
                UntagResourceInput {
                    key_id: key(),
                    tag_keys: Some(dropped),
                },
            )
            .await
            .map_err(|e| refused(&e))?;
        }
        if !after.is_empty() {
            crate::kms::tag_resource(
                p.app,
                p.caller,
                TagResourceInput {
                    key_id: key(),
                    tags: Some(after),
                },
            )
            .await
            .map_err(|e| refused(&e))?;
        }
    }
    let metadata = crate::kms::describe_key(p.app, p.caller, KeyIdInput { key_id: key() })
        .await
        .map_err(|e| refused(&e))?
        .key_metadata;
    Ok(key_created(metadata))
}

/// Schedules the key's deletion after `PendingWindowInDays`; a key already gone or already
/// pending deletion counts as deleted.
pub async fn delete(p: &Provision<'_>, key_id: &str, properties: &Value) -> Result<(), String> {
    let window = optional_u64(properties.get("PendingWindowInDays")).map(|d| d as i64);
    match crate::kms::schedule_key_deletion(
        p.app,
        p.caller,
        ScheduleKeyDeletionInput {
            key_id: Some(key_id.to_owned()),
            pending_window_in_days: window,
        },
    )
    .await
    {
        Ok(_) | Err(Error::NotFound(_) | Error::InvalidState(_)) => Ok(()),
        Err(e) => Err(refused(&e)),
    }
}

pub fn alias_requires_replacement(old: &Value, new: &Value) -> bool {
    old.get("AliasName") != new.get("AliasName")
}

fn alias_created(name: &str) -> Created {
    Created {
        physical_id: name.to_owned(),
        reference: Value::String(name.to_owned()),
        attributes: BTreeMap::new(),
    }
}

pub async fn create_alias(p: &Provision<'_>, properties: &Value) -> Result<Created, String> {
    let name = required_str(p, properties, "AliasName")?.to_owned();
    crate::kms::create_alias(
        p.app,
        p.caller,
        AliasInput {
            alias_name: Some(name.clone()),
            target_key_id: Some(required_str(p, properties, "TargetKeyId")?.to_owned()),
        },
    )
    .await
    .map_err(|e| refused(&e))?;
    Ok(alias_created(&name))
}

pub async fn update_alias(p: &Provision<'_>, name: &str, new: &Value) -> Result<Created, String> {
    crate::kms::update_alias(
        p.app,
        p.caller,
        AliasInput {
            alias_name: Some(name.to_owned()),
            target_key_id: Some(required_str(p, new, "TargetKeyId")?.to_owned()),
        },
    )
    .await
    .map_err(|e| refused(&e))?;
    Ok(alias_created(name))
}

pub async fn delete_alias(p: &Provision<'_>, name: &str) -> Result<(), String> {
    match crate::kms::delete_alias(
        p.app,
        p.caller,
        AliasInput {
            alias_name: Some(name.to_owned()),
            target_key_id: None,
        },
    )
    .await
    {
        Ok(_) | Err(Error::NotFound(_)) => Ok(()),
        Err(e) => Err(refused(&e)),
    }
}
