//! Managed policies: customer managed ones (CreatePolicy, GetPolicy, ListPolicies,
//! DeletePolicy, their versions) and the AWS managed ones strata knows (read-only), and
//! attaching either to users and roles.

use serde::Serialize;
use strata_iam::{PolicyHolder, policy_arn};

use super::inline_policies::{HolderInput, authorize_holder, kind};
use super::model::{Members, PolicyOut, PolicyVersionOut};
use super::{Error, Result, check};
use crate::{App, Caller};

#[derive(Clone, Debug)]
pub struct CreatePolicyInput {
    pub policy_name: String,
    pub path: Option<String>,
    pub policy_document: String,
    pub description: Option<String>,
}

/// The input of GetPolicy and DeletePolicy.
#[derive(Clone, Debug)]
pub struct PolicyArnInput {
    pub policy_arn: String,
}

#[derive(Clone, Debug, Default)]
pub struct ListPoliciesInput {
    /// `All`, `AWS` or `Local`.
    pub scope: Option<String>,
    pub only_attached: bool,
    pub path_prefix: Option<String>,
}

/// The input of GetPolicyVersion and DeletePolicyVersion.
#[derive(Clone, Debug)]
pub struct PolicyVersionInput {
    pub policy_arn: String,
    pub version_id: String,
}

#[derive(Clone, Debug)]
pub struct CreatePolicyVersionInput {
    pub policy_arn: String,
    pub policy_document: String,
    pub set_as_default: bool,
}

/// The input of Attach… and Detach…Policy.
#[derive(Clone, Debug)]
pub struct AttachmentInput {
    pub holder: PolicyHolder,
    pub policy_arn: String,
}

/// CreatePolicy's and GetPolicy's output.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyOutput {
    pub policy: PolicyOut,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListPoliciesOutput {
    pub is_truncated: bool,
    pub policies: Members<PolicyOut>,
}

/// GetPolicyVersion's and CreatePolicyVersion's output.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyVersionOutput {
    pub policy_version: PolicyVersionOut,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AttachedPolicy {
    pub policy_name: String,
    pub policy_arn: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListAttachedPoliciesOutput {
    pub attached_policies: Members<AttachedPolicy>,
    pub is_truncated: bool,
}

pub async fn create_policy(
    app: &App,
    caller: &Caller,
    input: CreatePolicyInput,
) -> Result<PolicyOutput> {
    let account = caller.principal.account().clone();
    let path = input.path.as_deref().unwrap_or("/");
    check(
        app,
        caller,
        "iam:CreatePolicy",
        &policy_arn(&account, path, &input.policy_name),
    )?;
    let policy = app
        .iam
        .create_policy(
            account,
            input.policy_name,
            input.path,
            input.policy_document,
            input.description,
            app.clock.now(),
        )
        .await?;
    Ok(PolicyOutput {
        policy: PolicyOut::new(&policy, 0),
    })
}

pub fn get_policy(app: &App, caller: &Caller, input: PolicyArnInput) -> Result<PolicyOutput> {
    let arn = &input.policy_arn;
    check(app, caller, "iam:GetPolicy", arn)?;
    let policy = app.iam.get_policy(caller.principal.account(), arn)?;
    let attachments = app.iam.attachment_count(caller.principal.account(), arn)?;
    Ok(PolicyOutput {
        policy: PolicyOut::new(&policy, attachments),
    })
}

pub fn list_policies(
    app: &App,
    caller: &Caller,
    input: ListPoliciesInput,
) -> Result<ListPoliciesOutput> {
    check(app, caller, "iam:ListPolicies", "*")?;
    let account = caller.principal.account();
    let path_prefix = input.path_prefix.as_deref().unwrap_or("/");
    // Scope All (the default) lists the AWS managed policies first, then the account's own.
    let scope = input.scope.as_deref().unwrap_or("All");
    if !["All", "AWS", "Local"].contains(&scope) {
        return Err(super::error::one_validation_error(format!(
            "Value '{scope}' at 'scope' failed to satisfy constraint: Member must satisfy enum value set: [All, AWS, Local]"
        )));
    }
    let mut policies = Vec::new();
    if scope != "Local" {
        policies.extend(
            strata_iam::aws_managed_policies(account)
                .into_iter()
                .filter(|p| p.path.starts_with(path_prefix)),
        );
    }
    if scope != "AWS" {
        policies.extend(app.iam.list_policies(account, path_prefix)?);
    }
    let mut listed = Vec::with_capacity(policies.len());
    for policy in &policies {
        let attachments = app.iam.attachment_count(account, &policy.arn())?;
        if input.only_attached && attachments == 0 {
            continue;
        }
        // ListPolicies leaves Description out (IAM API reference, Policy.Description).
        listed.push(PolicyOut {
            description: None,
            ..PolicyOut::new(policy, attachments)
        });
    }
    Ok(ListPoliciesOutput {
        is_truncated: false,
        policies: listed.into(),
    })
}

pub fn get_policy_version(
    app: &App,
    caller: &Caller,
    input: PolicyVersionInput,
) -> Result<PolicyVersionOutput> {
    let (arn, version_id) = (&input.policy_arn, &input.version_id);
    check(app, caller, "iam:GetPolicyVersion", arn)?;
    let policy = app.iam.get_policy(caller.principal.account(), arn)?;
    let version = policy
        .versions
        .iter()
        .find(|v| v.version_id == *version_id)
        .ok_or_else(|| {
            Error::NoSuchEntity(format!(
                "Policy {arn} version {version_id} does not exist or is not attachable."
            ))
        })?;
    Ok(PolicyVersionOutput {
        policy_version: PolicyVersionOut::new(version, &policy.default_version_id, true),
    })
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListPolicyVersionsOutput {
    pub versions: Members<PolicyVersionOut>,
    pub is_truncated: bool,
}

/// ListPolicyVersions: newest first, as IAM lists them.
pub fn list_policy_versions(
    app: &App,
    caller: &Caller,
    input: PolicyArnInput,
) -> Result<ListPolicyVersionsOutput> {
    let arn = &input.policy_arn;
    check(app, caller, "iam:ListPolicyVersions", arn)?;
    let policy = app.iam.get_policy(caller.principal.account(), arn)?;
    Ok(ListPolicyVersionsOutput {
        versions: policy
            .versions
            .iter()
            .rev()
            .map(|v| PolicyVersionOut::new(v, &policy.default_version_id, false))
            .collect::<Vec<_>>()
            .into(),
        is_truncated: false,
    })
}

pub async fn create_policy_version(
    app: &App,
    caller: &Caller,
    input: CreatePolicyVersionInput,
) -> Result<PolicyVersionOutput> {
    check(app, caller, "iam:CreatePolicyVersion", &input.policy_arn)?;
    let version = app
        .iam
        .create_policy_version(
            caller.principal.account().clone(),
            input.policy_arn,
            input.policy_document,
            input.set_as_default,
            app.clock.now(),
        )
        .await?;
    let default = if input.set_as_default {
        version.version_id.clone()
    } else {
        String::new()
    };
    Ok(PolicyVersionOutput {
        policy_version: PolicyVersionOut::new(&version, &default, false),
    })
}

pub async fn delete_policy_version(
    app: &App,
    caller: &Caller,
    input: PolicyVersionInput,
) -> Result<()> {
    check(app, caller, "iam:DeletePolicyVersion", &input.policy_arn)?;
    Ok(app
        .iam
        .delete_policy_version(
            caller.principal.account().clone(),
            input.policy_arn,
            input.version_id,
        )
        .await?)
}

pub async fn delete_policy(app: &App, caller: &Caller, input: PolicyArnInput) -> Result<()> {
    check(app, caller, "iam:DeletePolicy", &input.policy_arn)?;
    Ok(app
        .iam
        .delete_policy(caller.principal.account().clone(), input.policy_arn)
        .await?)
}

async fn set_attachment(
    app: &App,
    caller: &Caller,
    attach: bool,
    input: AttachmentInput,
) -> Result<()> {
    let verb = if attach { "Attach" } else { "Detach" };
    let action = format!("iam:{verb}{}Policy", kind(&input.holder));
    authorize_holder(app, caller, &action, &input.holder)?;
    Ok(app
        .iam
        .set_attachment(
            caller.principal.account().clone(),
            input.holder,
            input.policy_arn,
            attach,
        )
        .await?)
}

/// AttachUserPolicy and AttachRolePolicy.
pub async fn attach_policy(app: &App, caller: &Caller, input: AttachmentInput) -> Result<()> {
    set_attachment(app, caller, true, input).await
}

/// DetachUserPolicy and DetachRolePolicy.
pub async fn detach_policy(app: &App, caller: &Caller, input: AttachmentInput) -> Result<()> {
    set_attachment(app, caller, false, input).await
}

/// ListAttachedUserPolicies and ListAttachedRolePolicies.
pub fn list_attached_policies(
    app: &App,
    caller: &Caller,
    input: HolderInput,
) -> Result<ListAttachedPoliciesOutput> {
    let account = caller.principal.account();
    let action = format!("iam:ListAttached{}Policies", kind(&input.holder));
    authorize_holder(app, caller, &action, &input.holder)?;
    app.iam.holder_must_exist(account, &input.holder)?;
    let attached = app.iam.attached_policies(account, &input.holder)?;
    Ok(ListAttachedPoliciesOutput {
        attached_policies: attached
            .into_iter()
            .map(|(policy_name, policy_arn)| AttachedPolicy {
                policy_name,
                policy_arn,
            })
            .collect::<Vec<_>>()
            .into(),
        is_truncated: false,
    })
}
