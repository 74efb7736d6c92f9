//! IAM users and their access keys: CreateUser, GetUser, ListUsers, DeleteUser,
//! CreateAccessKey, ListAccessKeys, UpdateAccessKey, DeleteAccessKey.

use serde::Serialize;
use strata_iam::{AccessKeyChange, AccessKeyOwner, AccessKeyStatus, Principal, user_arn};

use super::model::{AccessKeyOut, Members, UserOut};
use super::{Result, authorized_user, check, user_resource};
use crate::{App, Caller};

#[derive(Clone, Debug)]
pub struct CreateUserInput {
    pub user_name: String,
    pub path: Option<String>,
    pub tags: Vec<strata_iam::Tag>,
}

/// GetUser's input: no name describes the caller.
#[derive(Clone, Debug, Default)]
pub struct GetUserInput {
    pub user_name: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct ListUsersInput {
    pub path_prefix: Option<String>,
}

#[derive(Clone, Debug)]
pub struct DeleteUserInput {
    pub user_name: String,
}

/// The input of CreateAccessKey and ListAccessKeys: no name means the calling user.
#[derive(Clone, Debug, Default)]
pub struct UserKeysInput {
    pub user_name: Option<String>,
}

#[derive(Clone, Debug)]
pub struct UpdateAccessKeyInput {
    pub user_name: Option<String>,
    pub access_key_id: String,
    pub status: AccessKeyStatus,
}

#[derive(Clone, Debug)]
pub struct DeleteAccessKeyInput {
    pub user_name: Option<String>,
    pub access_key_id: String,
}

/// CreateUser's and GetUser's output.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserOutput {
    pub user: UserOut,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListUsersOutput {
    pub is_truncated: bool,
    pub users: Members<UserOut>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateAccessKeyOutput {
    pub access_key: AccessKeyOut,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListAccessKeysOutput {
    pub user_name: String,
    pub access_key_metadata: Members<AccessKeyOut>,
    pub is_truncated: bool,
}

pub async fn create_user(app: &App, caller: &Caller, input: CreateUserInput) -> Result<UserOutput> {
    let account = caller.principal.account().clone();
    let path = input.path.as_deref().unwrap_or("/");
    let arn = user_arn(&account, path, &input.user_name);
    check(app, caller, "iam:CreateUser", &arn)?;
    // Tags given at creation need the tagging action too, on the new user's ARN.
    if !input.tags.is_empty() {
        check(app, caller, "iam:TagUser", &arn)?;
    }
    let user = app
        .iam
        .create_user(
            account,
            input.user_name,
            input.path,
            input.tags,
            app.clock.now(),
        )
        .await?;
    Ok(UserOutput {
        user: UserOut::from(&user).with_tags(&user.tags),
    })
}

pub fn get_user(app: &App, caller: &Caller, input: GetUserInput) -> Result<UserOutput> {
    let account = caller.principal.account();
    if input.user_name.is_none() && matches!(caller.principal, Principal::Root { .. }) {
        // The root user describes itself with the account id as UserId.
        return Ok(UserOutput {
            user: UserOut {
                path: None,
                user_name: None,
                user_id: account.to_string(),
                arn: caller.principal.arn(),
                create_date: None,
                tags: None,
            },
        });
    }
    let name = authorized_user(app, caller, "iam:GetUser", input.user_name)?;
    let user = app.iam.get_user(account, &name)?;
    Ok(UserOutput {
        user: UserOut::from(&user).with_tags(&user.tags),
    })
}

pub fn list_users(app: &App, caller: &Caller, input: ListUsersInput) -> Result<ListUsersOutput> {
    check(app, caller, "iam:ListUsers", "*")?;
    let users = app.iam.list_users(
        caller.principal.account(),
        input.path_prefix.as_deref().unwrap_or("/"),
    )?;
    Ok(ListUsersOutput {
        is_truncated: false,
        users: users.iter().map(UserOut::from).collect::<Vec<_>>().into(),
    })
}

pub async fn delete_user(app: &App, caller: &Caller, input: DeleteUserInput) -> Result<()> {
    let account = caller.principal.account().clone();
    check(
        app,
        caller,
        "iam:DeleteUser",
        &user_resource(app, &account, &input.user_name),
    )?;
    Ok(app.iam.delete_user(account, input.user_name).await?)
}

pub async fn create_access_key(
    app: &App,
    caller: &Caller,
    input: UserKeysInput,
) -> Result<CreateAccessKeyOutput> {
    let account = caller.principal.account().clone();
    let name = authorized_user(app, caller, "iam:CreateAccessKey", input.user_name)?;
    let key = app
        .iam
        .create_access_key(account, name.clone(), app.clock.now())
        .await?;
    // The stored spelling of the name, which may differ in case from the request's.
    let user_name = match &key.owner {
        AccessKeyOwner::User { user_name, .. } => user_name.as_str(),
        AccessKeyOwner::Root { .. } => name.as_str(),
    };
    Ok(CreateAccessKeyOutput {
        access_key: AccessKeyOut {
            secret_access_key: Some(key.secret_access_key.clone()),
            ..AccessKeyOut::metadata(user_name, &key)
        },
    })
}

pub fn list_access_keys(
    app: &App,
    caller: &Caller,
    input: UserKeysInput,
) -> Result<ListAccessKeysOutput> {
    let account = caller.principal.account();
    let name = authorized_user(app, caller, "iam:ListAccessKeys", input.user_name)?;
    let user = app.iam.get_user(account, &name)?;
    let keys = app.iam.list_access_keys(account, &name)?;
    Ok(ListAccessKeysOutput {
        access_key_metadata: keys
            .iter()
            .map(|key| AccessKeyOut::metadata(&user.user_name, key))
            .collect::<Vec<_>>()
            .into(),
        user_name: user.user_name,
        is_truncated: false,
    })
}

async fn change_access_key(
    app: &App,
    caller: &Caller,
    action: &str,
    user_name: Option<String>,
    access_key_id: String,
    change: AccessKeyChange,
) -> Result<()> {
    let account = caller.principal.account().clone();
    let name = authorized_user(app, caller, action, user_name)?;
    Ok(app
        .iam
        .change_access_key(account, name, access_key_id, change)
        .await?)
}

pub async fn update_access_key(
    app: &App,
    caller: &Caller,
    input: UpdateAccessKeyInput,
) -> Result<()> {
    change_access_key(
        app,
        caller,
        "iam:UpdateAccessKey",
        input.user_name,
        input.access_key_id,
        AccessKeyChange::SetStatus(input.status),
    )
    .await
}

pub async fn delete_access_key(
    app: &App,
    caller: &Caller,
    input: DeleteAccessKeyInput,
) -> Result<()> {
    change_access_key(
        app,
        caller,
        "iam:DeleteAccessKey",
        input.user_name,
        input.access_key_id,
        AccessKeyChange::Delete,
    )
    .await
}
