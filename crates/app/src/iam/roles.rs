//! IAM roles: CreateRole, GetRole, ListRoles, UpdateAssumeRolePolicy, DeleteRole.

use serde::Serialize;
use strata_iam::{NewRole, role_arn};

use super::model::{Members, RoleOut};
use super::{Result, check, role_resource};
use crate::{App, Caller};

#[derive(Clone, Debug)]
pub struct CreateRoleInput {
    pub role_name: String,
    pub path: Option<String>,
    pub assume_role_policy_document: String,
    pub description: Option<String>,
    pub max_session_duration: Option<i64>,
    pub tags: Vec<strata_iam::Tag>,
}

/// The input of GetRole and DeleteRole.
#[derive(Clone, Debug)]
pub struct RoleNameInput {
    pub role_name: String,
}

#[derive(Clone, Debug, Default)]
pub struct ListRolesInput {
    pub path_prefix: Option<String>,
}

#[derive(Clone, Debug)]
pub struct UpdateAssumeRolePolicyInput {
    pub role_name: String,
    pub policy_document: String,
}

/// CreateRole's and GetRole's output.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RoleOutput {
    pub role: RoleOut,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListRolesOutput {
    pub is_truncated: bool,
    pub roles: Members<RoleOut>,
}

pub async fn create_role(app: &App, caller: &Caller, input: CreateRoleInput) -> Result<RoleOutput> {
    let account = caller.principal.account().clone();
    let path = input.path.as_deref().unwrap_or("/");
    let arn = role_arn(&account, path, &input.role_name);
    check(app, caller, "iam:CreateRole", &arn)?;
    // Tags given at creation need the tagging action too, on the new role's ARN.
    if !input.tags.is_empty() {
        check(app, caller, "iam:TagRole", &arn)?;
    }
    let role = app
        .iam
        .create_role(
            account,
            NewRole {
                role_name: input.role_name,
                path: input.path,
                assume_role_policy_document: input.assume_role_policy_document,
                description: input.description,
                max_session_duration: input.max_session_duration,
                tags: input.tags,
            },
            app.clock.now(),
        )
        .await?;
    Ok(RoleOutput {
        role: RoleOut::new(&role, &app.iam.displayed_trust_policy(&role)).with_tags(&role.tags),
    })
}

pub fn get_role(app: &App, caller: &Caller, input: RoleNameInput) -> Result<RoleOutput> {
    let account = caller.principal.account();
    check(
        app,
        caller,
        "iam:GetRole",
        &role_resource(app, account, &input.role_name),
    )?;
    let role = app.iam.get_role(account, &input.role_name)?;
    Ok(RoleOutput {
        role: RoleOut::new(&role, &app.iam.displayed_trust_policy(&role)).with_tags(&role.tags),
    })
}

pub fn list_roles(app: &App, caller: &Caller, input: ListRolesInput) -> Result<ListRolesOutput> {
    check(app, caller, "iam:ListRoles", "*")?;
    let roles = app.iam.list_roles(
        caller.principal.account(),
        input.path_prefix.as_deref().unwrap_or("/"),
    )?;
    Ok(ListRolesOutput {
        is_truncated: false,
        roles: roles
            .iter()
            .map(|role| RoleOut::new(role, &app.iam.displayed_trust_policy(role)))
            .collect::<Vec<_>>()
            .into(),
    })
}

pub async fn update_assume_role_policy(
    app: &App,
    caller: &Caller,
    input: UpdateAssumeRolePolicyInput,
) -> Result<()> {
    let account = caller.principal.account().clone();
    check(
        app,
        caller,
        "iam:UpdateAssumeRolePolicy",
        &role_resource(app, &account, &input.role_name),
    )?;
    Ok(app
        .iam
        .update_assume_role_policy(account, input.role_name, input.policy_document)
        .await?)
}

/// UpdateRole's input.
#[derive(Clone, Debug)]
pub struct UpdateRoleInput {
    pub role_name: String,
    pub description: Option<String>,
    pub max_session_duration: Option<i64>,
}

pub async fn update_role(app: &App, caller: &Caller, input: UpdateRoleInput) -> Result<()> {
    let account = caller.principal.account().clone();
    check(
        app,
        caller,
        "iam:UpdateRole",
        &role_resource(app, &account, &input.role_name),
    )?;
    Ok(app
        .iam
        .update_role(
            account,
            input.role_name,
            input.description,
            input.max_session_duration,
        )
        .await?)
}

pub async fn delete_role(app: &App, caller: &Caller, input: RoleNameInput) -> Result<()> {
    let account = caller.principal.account().clone();
    check(
        app,
        caller,
        "iam:DeleteRole",
        &role_resource(app, &account, &input.role_name),
    )?;
    Ok(app.iam.delete_role(account, input.role_name).await?)
}
