//! Aliases: Create/Update/Delete/ListAliases (spec kms-sse §2.2). IAM judges the alias ARN,
//! the key policy the key; the target must be a key of the caller's account.

use super::access;
use super::keys::{limit, not_pending_deletion, page};
use super::resolve::{self, AWS_MANAGED_ALIASES, Forms};
use super::{AliasInput, AliasListEntry, Empty, Error, ListAliasesOutput, PageInput};
use crate::{App, Caller};

const PREFIX: &str = "alias/";
const RESERVED: &str = "alias/aws/";

fn check_name(name: Option<String>) -> Result<String, Error> {
    let name = name.ok_or_else(|| Error::missing("aliasName"))?;
    if name.is_empty() || name.len() > 256 {
        return Err(Error::constraint(
            "aliasName",
            Some(&name),
            "Member must have length less than or equal to 256",
        ));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '/' | '_' | '-'))
    {
        return Err(Error::constraint(
            "aliasName",
            Some(&name),
            "Member must satisfy regular expression pattern: ^[a-zA-Z0-9:/_-]+$",
        ));
    }
    if !name.starts_with(PREFIX) {
        return Err(Error::Validation(
            "Alias must start with the prefix \"alias/\". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html".to_owned(),
        ));
    }
    Ok(name)
}

/// Names under `alias/aws/` belong to AWS managed keys. UNCONFIRMED: AWS's text (moto answers
/// NotAuthorizedException with none).
fn check_not_reserved(name: &str) -> Result<(), Error> {
    if name.starts_with(RESERVED) {
        return Err(Error::NotAuthorized(
            "alias/aws/ is reserved for AWS managed keys".to_owned(),
        ));
    }
    Ok(())
}

fn alias_arn(caller: &Caller, name: &str) -> String {
    format!("arn:aws:kms:{}:{}:{name}", caller.region, caller.account())
}

/// The key an alias is to point at, authorized for `action` on the key's side.
async fn target(
    app: &App,
    caller: &Caller,
    key_id: Option<String>,
    action: &str,
) -> Result<strata_kms::Key, Error> {
    let key_id = key_id.ok_or_else(|| Error::missing("targetKeyId"))?;
    let key = resolve::key(app, caller, &key_id, Forms::KeyOnly, action).await?;
    access::authorize(app, caller, &key, action, None, None)?;
    not_pending_deletion(&key)?;
    Ok(key)
}

pub async fn create_alias(app: &App, caller: &Caller, input: AliasInput) -> Result<Empty, Error> {
    let name = check_name(input.alias_name)?;
    check_not_reserved(&name)?;
    access::authorize_identity(app, caller, "kms:CreateAlias", &alias_arn(caller, &name))?;
    let key = target(app, caller, input.target_key_id, "kms:CreateAlias").await?;
    match app
        .kms
        .create_alias(caller.account(), &caller.region, &name, &key.key_id)
        .await
    {
        Err(strata_kms::KmsError::AliasExists) => Err(Error::AlreadyExists(format!(
            "An alias with the name {} already exists",
            alias_arn(caller, &name)
        ))),
        other => Ok(other.map(|()| Empty {})?),
    }
}

fn not_found(caller: &Caller, name: &str) -> Error {
    Error::NotFound(format!("Alias {} is not found.", alias_arn(caller, name)))
}

pub async fn update_alias(app: &App, caller: &Caller, input: AliasInput) -> Result<Empty, Error> {
    let name = check_name(input.alias_name)?;
    check_not_reserved(&name)?;
    access::authorize_identity(app, caller, "kms:UpdateAlias", &alias_arn(caller, &name))?;
    let current = app
        .kms
        .alias(caller.account(), &caller.region, &name)?
        .ok_or_else(|| not_found(caller, &name))?;
    if let Some(old) = app
        .kms
        .key(caller.account(), &caller.region, &current.target_key_id)?
    {
        access::authorize(app, caller, &old, "kms:UpdateAlias", None, None)?;
    }
    let key = target(app, caller, input.target_key_id, "kms:UpdateAlias").await?;
    app.kms
        .update_alias(caller.account(), &caller.region, &name, &key.key_id)
        .await?;
    Ok(Empty {})
}

pub async fn delete_alias(app: &App, caller: &Caller, input: AliasInput) -> Result<Empty, Error> {
    let name = check_name(input.alias_name)?;
    check_not_reserved(&name)?;
    access::authorize_identity(app, caller, "kms:DeleteAlias", &alias_arn(caller, &name))?;
    let alias = app
        .kms
        .alias(caller.account(), &caller.region, &name)?
        .ok_or_else(|| not_found(caller, &name))?;
    // DeleteAlias works in every key state (spec kms-sse §2.2).
    if let Some(key) = app
        .kms
        .key(caller.account(), &caller.region, &alias.target_key_id)?
    {
        access::authorize(app, caller, &key, "kms:DeleteAlias", None, None)?;
    }
    match app
        .kms
        .delete_alias(caller.account(), &caller.region, &name)
        .await
    {
        Err(strata_kms::KmsError::NoSuchAlias) => Err(not_found(caller, &name)),
        other => Ok(other.map(|()| Empty {})?),
    }
}

pub async fn list_aliases(
    app: &App,
    caller: &Caller,
    input: PageInput,
) -> Result<ListAliasesOutput, Error> {
    let limit = limit(input.limit, 100, 50)?;
    access::authorize_identity(app, caller, "kms:ListAliases", "*")?;
    let (account, region) = (caller.account(), caller.region.as_str());
    let stored = app.kms.aliases(account, region)?;
    let filter = match input.key_id {
        Some(key_id) => Some(
            resolve::key(app, caller, &key_id, Forms::KeyOnly, "kms:ListAliases")
                .await?
                .key_id,
        ),
        None => None,
    };
    let mut entries: Vec<AliasListEntry> = stored
        .iter()
        .filter(|a| filter.as_ref().is_none_or(|id| &a.target_key_id == id))
        .map(|a| AliasListEntry::of(a, account, region))
        .collect();
    // AWS managed keys' aliases are listed before their key exists, with no target.
    if filter.is_none() {
        for name in AWS_MANAGED_ALIASES {
            if !stored.iter().any(|a| a.name == name) {
                entries.push(AliasListEntry {
                    alias_name: name.to_owned(),
                    alias_arn: format!("arn:aws:kms:{region}:{account}:{name}"),
                    target_key_id: None,
                    creation_date: None,
                    last_updated_date: None,
                });
            }
        }
        entries.sort_by(|a, b| a.alias_name.cmp(&b.alias_name));
    }
    let (aliases, next_marker) = page(
        entries,
        |a| a.alias_name.as_str(),
        input.marker.as_deref(),
        limit,
    )?;
    Ok(ListAliasesOutput {
        aliases,
        truncated: next_marker.is_some(),
        next_marker,
    })
}
