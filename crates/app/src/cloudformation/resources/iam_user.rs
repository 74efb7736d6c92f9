//! `AWS::IAM::User` and `AWS::IAM::AccessKey` (spec cloudformation §5): CreateUser with its
//! inline `Policies` and `ManagedPolicyArns`, CreateAccessKey for a user, each as the stack's
//! caller. A User's `Ref` is its name (`Arn` attribute); an AccessKey's is its id, and its
//! `SecretAccessKey` attribute the secret.

use std::collections::BTreeMap;

use serde_json::Value;
use strata_iam::PolicyHolder;

use super::iam_role::{attach, detach_all, refused, retag, tags};
use super::{Created, Provision, optional_str, required_str};
use crate::iam::Error;
use crate::iam::users::{
    CreateUserInput, DeleteAccessKeyInput, DeleteUserInput, GetUserInput, UserKeysInput,
    create_access_key, create_user, delete_access_key, delete_user, get_user,
};

pub fn requires_replacement(old: &Value, new: &Value) -> bool {
    old.get("UserName") != new.get("UserName")
}

pub async fn create(p: &Provision<'_>, properties: &Value) -> Result<Created, String> {
    let user_name = p.name_for(properties, "UserName", 64, false)?;
    let user = create_user(
        p.app,
        p.caller,
        CreateUserInput {
            user_name: user_name.clone(),
            path: optional_str(p, properties, "Path")?.map(str::to_owned),
            tags: tags(p, properties)?,
        },
    )
    .await
    .map_err(|e| refused(&e))?
    .user;
    let holder = PolicyHolder::User(user_name.clone());
    if let Err(reason) = attach(p, &holder, &Value::Null, properties).await {
        let _ = delete(p, &user_name).await;
        return Err(reason);
    }
    Ok(Created {
        physical_id: user_name.clone(),
        reference: Value::String(user_name),
        attributes: BTreeMap::from([("Arn".to_owned(), Value::String(user.arn))]),
    })
}

pub async fn update(
    p: &Provision<'_>,
    user_name: &str,
    old: &Value,
    new: &Value,
) -> Result<Created, String> {
    let holder = PolicyHolder::User(user_name.to_owned());
    attach(p, &holder, old, new).await?;
    retag(p, &holder, old, new).await?;
    let user = get_user(
        p.app,
        p.caller,
        GetUserInput {
            user_name: Some(user_name.to_owned()),
        },
    )
    .map_err(|e| refused(&e))?
    .user;
    Ok(Created {
        physical_id: user_name.to_owned(),
        reference: Value::String(user_name.to_owned()),
        attributes: BTreeMap::from([("Arn".to_owned(), Value::String(user.arn))]),
    })
}

pub async fn delete(p: &Provision<'_>, user_name: &str) -> Result<(), String> {
    let removed = async {
        detach_all(p, &PolicyHolder::User(user_name.to_owned())).await?;
        delete_user(
            p.app,
            p.caller,
            DeleteUserInput {
                user_name: user_name.to_owned(),
            },
        )
        .await
    };
    match removed.await {
        Ok(()) | Err(Error::NoSuchEntity(_)) => Ok(()),
        Err(e) => Err(refused(&e)),
    }
}

/// An access key is replaced by any change but its `Status` (spec §5.2).
pub fn key_requires_replacement(old: &Value, new: &Value) -> bool {
    ["UserName", "Serial"]
        .iter()
        .any(|k| old.get(k) != new.get(k))
}

pub async fn create_key(p: &Provision<'_>, properties: &Value) -> Result<Created, String> {
    let user_name = required_str(p, properties, "UserName")?.to_owned();
    let key = create_access_key(
        p.app,
        p.caller,
        UserKeysInput {
            user_name: Some(user_name),
        },
    )
    .await
    .map_err(|e| refused(&e))?
    .access_key;
    let secret = key.secret_access_key.unwrap_or_default();
    let created = Created {
        physical_id: key.access_key_id.clone(),
        reference: Value::String(key.access_key_id.clone()),
        attributes: BTreeMap::from([("SecretAccessKey".to_owned(), Value::String(secret))]),
    };
    // A key the template makes `Inactive` is inactive from the start.
    if properties.get("Status").and_then(Value::as_str) == Some("Inactive")
        && let Err(reason) = set_key_status(p, &key.access_key_id, properties).await
    {
        let _ = delete_key(p, &key.access_key_id, properties).await;
        return Err(reason);
    }
    Ok(created)
}

/// A new `Status`, in place.
pub async fn update_key(
    p: &Provision<'_>,
    access_key_id: &str,
    new: &Value,
) -> Result<Created, String> {
    set_key_status(p, access_key_id, new).await?;
    Ok(Created {
        physical_id: access_key_id.to_owned(),
        reference: Value::String(access_key_id.to_owned()),
        // The secret is shown once; an update keeps the value the create recorded.
        attributes: p
            .stack
            .resources
            .get(p.logical_id)
            .map(|r| r.attributes.clone())
            .unwrap_or_default(),
    })
}

/// Sets the key's `Status` as the properties give it (`Active` when absent).
async fn set_key_status(p: &Provision<'_>, access_key_id: &str, new: &Value) -> Result<(), String> {
    let status = match new.get("Status").and_then(Value::as_str) {
        Some("Inactive") => strata_iam::AccessKeyStatus::Inactive,
        _ => strata_iam::AccessKeyStatus::Active,
    };
    crate::iam::users::update_access_key(
        p.app,
        p.caller,
        crate::iam::users::UpdateAccessKeyInput {
            user_name: new
                .get("UserName")
                .and_then(Value::as_str)
                .map(str::to_owned),
            access_key_id: access_key_id.to_owned(),
            status,
        },
    )
    .await
    .map_err(|e| refused(&e))?;
    Ok(())
}

pub async fn delete_key(
    p: &Provision<'_>,
    access_key_id: &str,
    properties: &Value,
) -> Result<(), String> {
    let user_name = properties
        .get("UserName")
        .and_then(Value::as_str)
        .map(str::to_owned);
    match delete_access_key(
        p.app,
        p.caller,
        DeleteAccessKeyInput {
            user_name,
            access_key_id: access_key_id.to_owned(),
        },
    )
    .await
    {
        Ok(()) | Err(Error::NoSuchEntity(_)) => Ok(()),
        Err(e) => Err(refused(&e)),
    }
}
