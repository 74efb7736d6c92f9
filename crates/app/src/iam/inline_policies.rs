//! The inline policies of users and roles: Put, Get, List and Delete User/Role policy. Each
//! action is authorized on the user's or role's ARN as its own action (`iam:PutUserPolicy`,
//! `iam:GetRolePolicy`, …).

use serde::Serialize;
use strata_iam::{AccountId, InlinePolicy, PolicyHolder};

use super::model::Members;
use super::{Result, check, role_resource, url_encoded, user_resource};
use crate::{App, Caller};

#[derive(Clone, Debug)]
pub struct PutPolicyInput {
    pub holder: PolicyHolder,
    pub policy_name: String,
    pub policy_document: String,
}

/// The input of Get… and Delete…Policy.
#[derive(Clone, Debug)]
pub struct NamedPolicyInput {
    pub holder: PolicyHolder,
    pub policy_name: String,
}

/// The input of List…Policies (and ListAttached…Policies).
#[derive(Clone, Debug)]
pub struct HolderInput {
    pub holder: PolicyHolder,
}

/// GetUserPolicy's and GetRolePolicy's output (`UserName` or `RoleName`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetPolicyOutput {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_name: Option<String>,
    pub policy_name: String,
    /// URL-encoded, as IAM returns documents.
    pub policy_document: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListPoliciesOutput {
    pub policy_names: Members<String>,
    pub is_truncated: bool,
}

/// The ARN an action on `holder` is authorized on.
pub(super) fn holder_resource(app: &App, account: &AccountId, holder: &PolicyHolder) -> String {
    match holder {
        PolicyHolder::User(name) => user_resource(app, account, name),
        PolicyHolder::Role(name) => role_resource(app, account, name),
    }
}

/// `User` or `Role`, as the actions' names spell it.
pub(super) fn kind(holder: &PolicyHolder) -> &'static str {
    match holder {
        PolicyHolder::User(_) => "User",
        PolicyHolder::Role(_) => "Role",
    }
}

/// Authorizes `action` on the user or role `holder`.
pub(super) fn authorize_holder(
    app: &App,
    caller: &Caller,
    action: &str,
    holder: &PolicyHolder,
) -> Result<()> {
    let resource = holder_resource(app, caller.principal.account(), holder);
    check(app, caller, action, &resource)
}

/// PutUserPolicy and PutRolePolicy.
pub async fn put_policy(app: &App, caller: &Caller, input: PutPolicyInput) -> Result<()> {
    let action = format!("iam:Put{}Policy", kind(&input.holder));
    authorize_holder(app, caller, &action, &input.holder)?;
    let policy = InlinePolicy {
        policy_name: input.policy_name,
        document: input.policy_document,
    };
    Ok(app
        .iam
        .put_inline_policy(caller.principal.account().clone(), input.holder, policy)
        .await?)
}

/// GetUserPolicy and GetRolePolicy.
pub fn get_policy(app: &App, caller: &Caller, input: NamedPolicyInput) -> Result<GetPolicyOutput> {
    let action = format!("iam:Get{}Policy", kind(&input.holder));
    authorize_holder(app, caller, &action, &input.holder)?;
    let account = caller.principal.account();
    let policy = app
        .iam
        .inline_policy(account, &input.holder, &input.policy_name)?;
    // The name as stored (IAM names are case-insensitive but keep their spelling).
    let (user_name, role_name) = match &input.holder {
        PolicyHolder::User(n) => (
            Some(
                app.iam
                    .get_user(account, n)
                    .map_or(n.clone(), |u| u.user_name),
            ),
            None,
        ),
        PolicyHolder::Role(n) => (
            None,
            Some(
                app.iam
                    .get_role(account, n)
                    .map_or(n.clone(), |r| r.role_name),
            ),
        ),
    };
    Ok(GetPolicyOutput {
        user_name,
        role_name,
        policy_document: url_encoded(&policy.document),
        policy_name: policy.policy_name,
    })
}

/// ListUserPolicies and ListRolePolicies.
pub fn list_policies(app: &App, caller: &Caller, input: HolderInput) -> Result<ListPoliciesOutput> {
    let action = format!("iam:List{}Policies", kind(&input.holder));
    authorize_holder(app, caller, &action, &input.holder)?;
    let account = caller.principal.account();
    app.iam.holder_must_exist(account, &input.holder)?;
    let policies = app.iam.inline_policies(account, &input.holder)?;
    Ok(ListPoliciesOutput {
        policy_names: policies
            .into_iter()
            .map(|p| p.policy_name)
            .collect::<Vec<_>>()
            .into(),
        is_truncated: false,
    })
}

/// DeleteUserPolicy and DeleteRolePolicy.
pub async fn delete_policy(app: &App, caller: &Caller, input: NamedPolicyInput) -> Result<()> {
    let action = format!("iam:Delete{}Policy", kind(&input.holder));
    authorize_holder(app, caller, &action, &input.holder)?;
    Ok(app
        .iam
        .delete_inline_policy(
            caller.principal.account().clone(),
            input.holder,
            input.policy_name,
        )
        .await?)
}
