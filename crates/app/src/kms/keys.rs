//! Key lifecycle: CreateKey, DescribeKey, ListKeys, Enable/DisableKey,
//! Schedule/CancelKeyDeletion, tags and descriptions, with AWS's key-state rules (spec
//! kms-sse §2.1, §2.4).

use jiff::SignedDuration;
use strata_kms::{Key, KeyManager, KeyState, NewKey, Tag};

use super::access;
use super::policy::{check_new_policy, default_policy};
use super::resolve::{self, Forms};
use super::{
    CreateKeyInput, Empty, Error, KeyIdInput, KeyIdOutput, KeyListEntry, KeyMetadata,
    KeyMetadataOutput, ListKeysOutput, ListResourceTagsOutput, PageInput, ScheduleKeyDeletionInput,
    ScheduleKeyDeletionOutput, TagEntry, TagResourceInput, UntagResourceInput,
    UpdateKeyDescriptionInput,
};
use crate::{App, Caller};

const MAX_DESCRIPTION: usize = 8192;
const MAX_TAGS: usize = 50;
/// The longest region name a key may live in.
const MAX_REGION_LEN: usize = 64;

/// `<key ARN> is pending deletion.`: what every operation but the read-only ones answers
/// for a key pending deletion.
pub(crate) fn not_pending_deletion(key: &Key) -> Result<(), Error> {
    if key.state == KeyState::PendingDeletion {
        return Err(Error::InvalidState(format!(
            "{} is pending deletion.",
            key.arn()
        )));
    }
    Ok(())
}

/// The key-state rule of cryptographic operations (spec kms-sse §2.4).
pub(crate) fn usable(key: &Key) -> Result<(), Error> {
    match key.state {
        KeyState::Enabled => Ok(()),
        KeyState::Disabled => Err(Error::Disabled(format!("{} is disabled.", key.arn()))),
        KeyState::PendingDeletion => not_pending_deletion(key),
    }
}

fn check_description(description: &str) -> Result<(), Error> {
    if description.len() > MAX_DESCRIPTION {
        return Err(Error::constraint(
            "description",
            None,
            &format!("Member must have length less than or equal to {MAX_DESCRIPTION}"),
        ));
    }
    Ok(())
}

/// Tags as KMS checks them (LocalStack's AWS-validated snapshots, spec kms-sse §2.1).
fn check_tags(tags: &[TagEntry]) -> Result<Vec<Tag>, Error> {
    for tag in tags {
        if tag.tag_key.is_empty() || tag.tag_key.len() > 128 {
            return Err(Error::constraint(
                "tags.member.tagKey",
                None,
                "Member must have length less than or equal to 128",
            ));
        }
        if tag.tag_value.len() > 256 {
            return Err(Error::constraint(
                "tags.member.tagValue",
                None,
                "Member must have length less than or equal to 256",
            ));
        }
        if tag.tag_key.starts_with("aws:") {
            return Err(Error::Tag(
                "Tags beginning with aws: are reserved".to_owned(),
            ));
        }
    }
    for (i, tag) in tags.iter().enumerate() {
        if tags[..i].iter().any(|t| t.tag_key == tag.tag_key) {
            return Err(Error::Tag("Duplicate tag keys".to_owned()));
        }
    }
    if tags.len() > MAX_TAGS {
        return Err(Error::Tag("Too many tags".to_owned()));
    }
    Ok(tags
        .iter()
        .map(|t| Tag {
            key: t.tag_key.clone(),
            value: t.tag_value.clone(),
        })
        .collect())
}

/// Only symmetric encryption keys of KMS's own key material are emulated.
fn check_kind(input: &CreateKeyInput) -> Result<(), Error> {
    const USAGES: [&str; 4] = [
        "SIGN_VERIFY",
        "ENCRYPT_DECRYPT",
        "GENERATE_VERIFY_MAC",
        "KEY_AGREEMENT",
    ];
    if let Some(usage) = &input.key_usage
        && !USAGES.contains(&usage.as_str())
    {
        return Err(Error::constraint(
            "keyUsage",
            Some(usage),
            &format!(
                "Member must satisfy enum value set: [{}]",
                USAGES.join(", ")
            ),
        ));
    }
    let spec = input
        .key_spec
        .as_deref()
        .or(input.customer_master_key_spec.as_deref())
        .unwrap_or("SYMMETRIC_DEFAULT");
    let unsupported = |what: String| {
        Err(Error::UnsupportedOperation(format!(
            "{what} is not supported by strata, which emulates symmetric encryption keys only"
        )))
    };
    if input
        .key_usage
        .as_deref()
        .is_some_and(|u| u != "ENCRYPT_DECRYPT")
    {
        return unsupported(format!(
            "KeyUsage {}",
            input.key_usage.as_deref().unwrap_or_default()
        ));
    }
    if spec != "SYMMETRIC_DEFAULT" {
        return unsupported(format!("KeySpec {spec}"));
    }
    if let Some(origin) = input.origin.as_deref().filter(|o| *o != "AWS_KMS") {
        return unsupported(format!("Origin {origin}"));
    }
    if input.multi_region == Some(true) {
        return unsupported("MultiRegion".to_owned());
    }
    Ok(())
}

pub async fn create_key(
    app: &App,
    caller: &Caller,
    input: CreateKeyInput,
) -> Result<KeyMetadataOutput, Error> {
    let description = input.description.clone().unwrap_or_default();
    check_description(&description)?;
    check_kind(&input)?;
    let tags = check_tags(input.tags.as_deref().unwrap_or_default())?;
    access::authorize_identity(app, caller, "kms:CreateKey", "*")?;
    if !tags.is_empty() {
        access::authorize_identity(app, caller, "kms:TagResource", "*")?;
    }
    let account = caller.account().to_owned();
    let region = caller.region.clone();
    // A ciphertext names its key's region in one length byte. UNCONFIRMED: AWS refuses an
    // unknown region at authentication (which strata does not yet, see issue 21).
    if region.len() > MAX_REGION_LEN {
        return Err(Error::Validation(format!("Invalid region {region}")));
    }
    let (policy, policy_bindings) = match input.policy {
        Some(policy) => {
            // The key has no id yet; key policies name their key as `*`.
            let arn = format!("arn:aws:kms:{region}:{account}:key/*");
            let bypass = input.bypass_policy_lockout_safety_check.unwrap_or(false);
            let bindings = check_new_policy(app, caller, &arn, &account, &policy, bypass)?;
            (policy, bindings)
        }
        None => (default_policy(&account), Vec::new()),
    };
    let key = app
        .kms
        .create_key(NewKey {
            account,
            region,
            description,
            manager: KeyManager::Customer,
            policy,
            policy_bindings,
            tags,
        })
        .await?;
    Ok(KeyMetadataOutput {
        key_metadata: KeyMetadata::of(&key),
    })
}

pub async fn describe_key(
    app: &App,
    caller: &Caller,
    input: KeyIdInput,
) -> Result<KeyMetadataOutput, Error> {
    let key_id = resolve::required(input.key_id)?;
    let key = resolve::key(app, caller, &key_id, Forms::Any, "kms:DescribeKey").await?;
    access::authorize(app, caller, &key, "kms:DescribeKey", None, None)?;
    Ok(KeyMetadataOutput {
        key_metadata: KeyMetadata::of(&key),
    })
}

/// `Limit` within 1..=`max`, `default` when absent.
pub(crate) fn limit(limit: Option<i64>, max: i64, default: usize) -> Result<usize, Error> {
    match limit {
        None => Ok(default),
        Some(n) if (1..=max).contains(&n) => Ok(n as usize),
        Some(n) if n < 1 => Err(Error::constraint(
            "limit",
            Some(&n.to_string()),
            "Member must have value greater than or equal to 1",
        )),
        Some(n) => Err(Error::constraint(
            "limit",
            Some(&n.to_string()),
            &format!("Member must have value less than or equal to {max}"),
        )),
    }
}

/// One page of `items` after `marker` (the last item's name of the page before).
pub(crate) fn page<T>(
    items: Vec<T>,
    name: impl Fn(&T) -> &str,
    marker: Option<&str>,
    limit: usize,
) -> Result<(Vec<T>, Option<String>), Error> {
    let start = match marker {
        None => 0,
        Some(m) => {
            let at = items
                .iter()
                .position(|i| name(i) > m)
                .unwrap_or(items.len());
            if !items.iter().any(|i| name(i) == m) && !m.is_empty() && at == 0 && !items.is_empty()
            {
                return Err(Error::InvalidMarker("Invalid marker".to_owned()));
            }
            at
        }
    };
    let mut rest: Vec<T> = items.into_iter().skip(start).collect();
    let next = (rest.len() > limit).then(|| {
        rest.truncate(limit);
        rest.last().map(|i| name(i).to_owned()).unwrap_or_default()
    });
    Ok((rest, next))
}

pub async fn list_keys(
    app: &App,
    caller: &Caller,
    input: PageInput,
) -> Result<ListKeysOutput, Error> {
    let limit = limit(input.limit, 1000, 100)?;
    access::authorize_identity(app, caller, "kms:ListKeys", "*")?;
    let keys = app.kms.keys(caller.account(), &caller.region)?;
    let (keys, next_marker) = page(keys, |k| k.key_id.as_str(), input.marker.as_deref(), limit)?;
    Ok(ListKeysOutput {
        keys: keys
            .iter()
            .map(|k| KeyListEntry {
                key_id: k.key_id.clone(),
                key_arn: k.arn(),
            })
            .collect(),
        truncated: next_marker.is_some(),
        next_marker,
    })
}

/// A key of the caller's account named by id or ARN, authorized for `action`.
pub(crate) async fn own_key(
    app: &App,
    caller: &Caller,
    key_id: Option<String>,
    action: &str,
) -> Result<Key, Error> {
    let key_id = resolve::required(key_id)?;
    let key = resolve::key(app, caller, &key_id, Forms::KeyOnly, action).await?;
    access::authorize(app, caller, &key, action, None, None)?;
    Ok(key)
}

/// Applies `change` to `key` in one write, re-checking the key-state rule `rule` there.
async fn change_key(
    app: &App,
    key: &Key,
    rule: fn(&Key) -> Result<(), Error>,
    change: impl FnOnce(&mut Key) + Send + 'static,
) -> Result<Key, Error> {
    app.kms
        .update_key(&key.account, &key.region, &key.key_id, move |k| {
            rule(k)?;
            change(k);
            Ok::<_, Error>(k.clone())
        })
        .await
}

pub async fn enable_key(app: &App, caller: &Caller, input: KeyIdInput) -> Result<Empty, Error> {
    let key = own_key(app, caller, input.key_id, "kms:EnableKey").await?;
    change_key(app, &key, not_pending_deletion, |k| {
        k.state = KeyState::Enabled;
    })
    .await?;
    Ok(Empty {})
}

pub async fn disable_key(app: &App, caller: &Caller, input: KeyIdInput) -> Result<Empty, Error> {
    let key = own_key(app, caller, input.key_id, "kms:DisableKey").await?;
    change_key(app, &key, not_pending_deletion, |k| {
        k.state = KeyState::Disabled;
    })
    .await?;
    Ok(Empty {})
}

pub async fn schedule_key_deletion(
    app: &App,
    caller: &Caller,
    input: ScheduleKeyDeletionInput,
) -> Result<ScheduleKeyDeletionOutput, Error> {
    let days = input.pending_window_in_days.unwrap_or(30);
    // The model allows 1..365; KMS enforces 7..30 (spec kms-sse §2.4).
    if !(7..=30).contains(&days) {
        return Err(Error::Validation(
            "PendingWindowInDays must be between 7 and 30".to_owned(),
        ));
    }
    let key = own_key(app, caller, input.key_id, "kms:ScheduleKeyDeletion").await?;
    let deletion = app.kms.now() + SignedDuration::from_hours(24 * days);
    let key = change_key(app, &key, not_pending_deletion, move |k| {
        k.state = KeyState::PendingDeletion;
        k.deletion_date = Some(deletion);
        k.pending_window_days = Some(days as u32);
    })
    .await?;
    Ok(ScheduleKeyDeletionOutput {
        key_id: key.arn(),
        deletion_date: KeyMetadata::of(&key).deletion_date.unwrap_or_default(),
        key_state: KeyState::PendingDeletion.as_str(),
        pending_window_in_days: days as u32,
    })
}

fn pending_deletion(key: &Key) -> Result<(), Error> {
    if key.state != KeyState::PendingDeletion {
        return Err(Error::InvalidState(format!(
            "{} is not pending deletion.",
            key.arn()
        )));
    }
    Ok(())
}

pub async fn cancel_key_deletion(
    app: &App,
    caller: &Caller,
    input: KeyIdInput,
) -> Result<KeyIdOutput, Error> {
    let key = own_key(app, caller, input.key_id, "kms:CancelKeyDeletion").await?;
    // A cancelled deletion leaves the key Disabled (spec kms-sse §2.4).
    let key = change_key(app, &key, pending_deletion, |k| {
        k.state = KeyState::Disabled;
        k.deletion_date = None;
        k.pending_window_days = None;
    })
    .await?;
    Ok(KeyIdOutput { key_id: key.arn() })
}

pub async fn update_key_description(
    app: &App,
    caller: &Caller,
    input: UpdateKeyDescriptionInput,
) -> Result<Empty, Error> {
    let description = input
        .description
        .ok_or_else(|| Error::missing("description"))?;
    check_description(&description)?;
    let key = own_key(app, caller, input.key_id, "kms:UpdateKeyDescription").await?;
    change_key(app, &key, not_pending_deletion, move |k| {
        k.description = description;
    })
    .await?;
    Ok(Empty {})
}

pub async fn tag_resource(
    app: &App,
    caller: &Caller,
    input: TagResourceInput,
) -> Result<Empty, Error> {
    let tags = check_tags(&input.tags.ok_or_else(|| Error::missing("tags"))?)?;
    let key = own_key(app, caller, input.key_id, "kms:TagResource").await?;
    // Merged inside the write, so concurrent tag changes do not overwrite each other.
    app.kms
        .update_key(&key.account, &key.region, &key.key_id, move |k| {
            not_pending_deletion(k)?;
            for tag in tags {
                match k.tags.iter_mut().find(|t| t.key == tag.key) {
                    Some(existing) => existing.value = tag.value,
                    None => k.tags.push(tag),
                }
            }
            if k.tags.len() > MAX_TAGS {
                return Err(Error::Tag("Too many tags".to_owned()));
            }
            Ok(())
        })
        .await?;
    Ok(Empty {})
}

pub async fn untag_resource(
    app: &App,
    caller: &Caller,
    input: UntagResourceInput,
) -> Result<Empty, Error> {
    let keys = input.tag_keys.ok_or_else(|| Error::missing("tagKeys"))?;
    let key = own_key(app, caller, input.key_id, "kms:UntagResource").await?;
    change_key(app, &key, not_pending_deletion, move |k| {
        k.tags.retain(|t| !keys.contains(&t.key));
    })
    .await?;
    Ok(Empty {})
}

pub async fn list_resource_tags(
    app: &App,
    caller: &Caller,
    input: PageInput,
) -> Result<ListResourceTagsOutput, Error> {
    let key = own_key(app, caller, input.key_id, "kms:ListResourceTags").await?;
    Ok(ListResourceTagsOutput {
        tags: key
            .tags
            .iter()
            .map(|t| TagEntry {
                tag_key: t.key.clone(),
                tag_value: t.value.clone(),
            })
            .collect(),
        truncated: false,
    })
}
