//! IAM actions (Query protocol, `2010-05-08`): users, their access keys, roles, and
//! the inline policies of both.
//! Every action is authorized through [`crate::authorize`] first. Actions not listed
//! here are answered as AWS answers an action it does not know.

use http::StatusCode;
use jiff::Timestamp;
use strata_iam::{
    AccessKey, AccessKeyChange, AccessKeyStatus, AccountId, IamError, InlinePolicy, ManagedPolicy,
    NewRole, PolicyHolder, PolicyVersion, Principal, Role, User,
};

use crate::protocol::AwsError;
use crate::protocol::query::{Params, QueryService, invalid_action};
use crate::protocol::xml::element;
use strata_app::App;
use strata_app::Caller;
use strata_app::authz::{Denied, authorize};

/// IAM's spelling of an engine error: the one place IAM error codes are chosen.
pub fn iam_error(e: IamError) -> AwsError {
    match e {
        IamError::NoSuchEntity(m) => AwsError::new("NoSuchEntity", StatusCode::NOT_FOUND, m),
        IamError::EntityAlreadyExists(m) => {
            AwsError::new("EntityAlreadyExists", StatusCode::CONFLICT, m)
        }
        IamError::DeleteConflict(m) => AwsError::new("DeleteConflict", StatusCode::CONFLICT, m),
        IamError::LimitExceeded(m) => AwsError::new("LimitExceeded", StatusCode::CONFLICT, m),
        IamError::Validation(m) => AwsError::new("ValidationError", StatusCode::BAD_REQUEST, m),
        IamError::MalformedPolicyDocument(m) => {
            AwsError::new("MalformedPolicyDocument", StatusCode::BAD_REQUEST, m)
        }
        IamError::Storage(ref err) if err.is_unavailable() => {
            tracing::error!(error = %e, "IAM storage unavailable");
            AwsError::new(
                "ServiceUnavailable",
                StatusCode::SERVICE_UNAVAILABLE,
                "The request has failed due to a temporary failure of the server.",
            )
        }
        IamError::Storage(_) | IamError::Corrupt(_) => {
            tracing::error!(error = %e, "IAM engine failure");
            AwsError::new(
                "ServiceFailure",
                StatusCode::INTERNAL_SERVER_ERROR,
                "The request processing has failed because of an unknown error, exception or failure.",
            )
        }
    }
}

fn access_denied(message: String) -> AwsError {
    AwsError::new("AccessDenied", StatusCode::FORBIDDEN, message)
}

fn required<'a>(params: &'a Params, name: &str) -> Result<&'a str, AwsError> {
    params.get(name).ok_or_else(|| {
        AwsError::new(
            "ValidationError",
            StatusCode::BAD_REQUEST,
            format!(
                "1 validation error detected: Value null at '{}' failed to satisfy constraint: Member must not be null",
                lower_first(name)
            ),
        )
    })
}

/// IAM's model caps every policy document (`policyDocumentType`) at 131,072 characters,
/// whatever the policy grammar's own size limits say.
const MAX_POLICY_DOCUMENT_CHARS: usize = 131_072;

/// A required policy document parameter, within the model's length.
fn policy_document<'a>(params: &'a Params, name: &str) -> Result<&'a str, AwsError> {
    let document = required(params, name)?;
    if document.chars().count() > MAX_POLICY_DOCUMENT_CHARS {
        return Err(AwsError::new(
            "ValidationError",
            StatusCode::BAD_REQUEST,
            format!(
                "1 validation error detected: Value at '{}' failed to satisfy constraint: Member must have length less than or equal to {MAX_POLICY_DOCUMENT_CHARS}",
                lower_first(name)
            ),
        ));
    }
    Ok(document)
}

fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map(|c| c.to_ascii_lowercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// The user an action targets: `UserName`, or the calling user when it is omitted.
fn target_user(caller: &Caller, params: &Params) -> Result<String, AwsError> {
    if let Some(name) = params.get("UserName") {
        return Ok(name.to_owned());
    }
    match &caller.principal {
        Principal::User { user_name, .. } => Ok(user_name.clone()),
        Principal::Root { .. } | Principal::AssumedRole { .. } => Err(AwsError::new(
            "ValidationError",
            StatusCode::BAD_REQUEST,
            "Must specify userName when calling with non-User credentials",
        )),
    }
}

fn user_resource(app: &App, account: &AccountId, name: &str) -> String {
    let path = app
        .iam
        .get_user(account, name)
        .map(|u| u.path)
        .unwrap_or_else(|_| "/".to_owned());
    format!("arn:aws:iam::{account}:user{path}{name}")
}

/// IAM resources always belong to the caller's own account.
fn check(app: &App, caller: &Caller, action: &str, resource: &str) -> Result<(), AwsError> {
    let account = caller.principal.account().as_str();
    authorize(app, caller, action, resource, account, None).map_err(|denied| match denied {
        Denied::AccessDenied(message) => access_denied(message),
        Denied::Internal(e) => iam_error(e),
    })
}

pub(crate) fn role_resource(app: &App, account: &AccountId, name: &str) -> String {
    let path = app
        .iam
        .get_role(account, name)
        .map(|r| r.path)
        .unwrap_or_else(|_| "/".to_owned());
    format!("arn:aws:iam::{account}:role{path}{name}")
}

/// The user or role an inline-policy action names, with its ARN for authorization.
fn policy_holder(
    app: &App,
    account: &AccountId,
    action: &str,
    params: &Params,
) -> Result<(PolicyHolder, String), AwsError> {
    if action.contains("Role") {
        let name = required(params, "RoleName")?;
        Ok((
            PolicyHolder::Role(name.to_owned()),
            role_resource(app, account, name),
        ))
    } else {
        let name = required(params, "UserName")?;
        Ok((
            PolicyHolder::User(name.to_owned()),
            user_resource(app, account, name),
        ))
    }
}

fn holder_member(holder: &PolicyHolder) -> (&'static str, String) {
    match holder {
        PolicyHolder::User(n) => ("UserName", n.clone()),
        PolicyHolder::Role(n) => ("RoleName", n.clone()),
    }
}

/// The name as stored (IAM names are case-insensitive but keep their spelling).
fn stored_holder_name(app: &App, account: &AccountId, holder: &PolicyHolder) -> Option<String> {
    match holder {
        PolicyHolder::User(n) => app.iam.get_user(account, n).ok().map(|u| u.user_name),
        PolicyHolder::Role(n) => app.iam.get_role(account, n).ok().map(|r| r.role_name),
    }
}

fn render_role(out: &mut String, role: &Role, trust_policy: &str) {
    element(out, "Path", &role.path);
    element(out, "RoleName", &role.role_name);
    element(out, "RoleId", &role.role_id);
    element(out, "Arn", &role.arn());
    element(out, "CreateDate", &iso(role.create_date));
    element(
        out,
        "AssumeRolePolicyDocument",
        &strata_sigv4::uri_encode(trust_policy.as_bytes(), false),
    );
    if let Some(description) = &role.description {
        element(out, "Description", description);
    }
    element(
        out,
        "MaxSessionDuration",
        &role.max_session_duration.to_string(),
    );
}

fn render_policy(out: &mut String, policy: &ManagedPolicy, attachments: usize) {
    element(out, "PolicyName", &policy.policy_name);
    element(out, "PolicyId", &policy.policy_id);
    element(out, "Arn", &policy.arn());
    element(out, "Path", &policy.path);
    element(out, "DefaultVersionId", &policy.default_version_id);
    element(out, "AttachmentCount", &attachments.to_string());
    element(out, "PermissionsBoundaryUsageCount", "0");
    element(out, "IsAttachable", "true");
    if let Some(description) = &policy.description {
        element(out, "Description", description);
    }
    element(out, "CreateDate", &iso(policy.create_date));
    element(out, "UpdateDate", &iso(policy.update_date));
}

fn render_version(out: &mut String, version: &PolicyVersion, default_version_id: &str) {
    element(out, "VersionId", &version.version_id);
    element(
        out,
        "IsDefaultVersion",
        if version.version_id == default_version_id {
            "true"
        } else {
            "false"
        },
    );
    element(out, "CreateDate", &iso(version.create_date));
}

pub(crate) fn iso(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn render_user(out: &mut String, user: &User) {
    element(out, "Path", &user.path);
    element(out, "UserName", &user.user_name);
    element(out, "UserId", &user.user_id);
    element(out, "Arn", &user.arn());
    element(out, "CreateDate", &iso(user.create_date));
}

fn render_key_metadata(out: &mut String, user_name: &str, key: &AccessKey) {
    element(out, "UserName", user_name);
    element(out, "AccessKeyId", &key.access_key_id);
    element(out, "Status", key.status.as_str());
    if let Some(created) = key.create_date {
        element(out, "CreateDate", &iso(created));
    }
}

pub async fn handle(
    app: &App,
    caller: &Caller,
    action: &str,
    params: &Params,
) -> Result<Option<String>, AwsError> {
    let account = caller.principal.account().clone();
    let now = app.clock.now();
    let mut out = String::new();
    match action {
        "CreateUser" => {
            let name = required(params, "UserName")?;
            let path = params.get("Path").unwrap_or("/");
            check(
                app,
                caller,
                "iam:CreateUser",
                &format!("arn:aws:iam::{account}:user{path}{name}"),
            )?;
            let user = app
                .iam
                .create_user(
                    account,
                    name.to_owned(),
                    params.get("Path").map(str::to_owned),
                    now,
                )
                .await
                .map_err(iam_error)?;
            out.push_str("<User>");
            render_user(&mut out, &user);
            out.push_str("</User>");
        }
        "GetUser" => match params.get("UserName") {
            None if matches!(caller.principal, Principal::Root { .. }) => {
                // The root user describes itself with the account id as UserId.
                out.push_str("<User>");
                element(&mut out, "UserId", account.as_str());
                element(&mut out, "Arn", &caller.principal.arn());
                out.push_str("</User>");
            }
            _ => {
                let name = target_user(caller, params)?;
                check(
                    app,
                    caller,
                    "iam:GetUser",
                    &user_resource(app, &account, &name),
                )?;
                let user = app.iam.get_user(&account, &name).map_err(iam_error)?;
                out.push_str("<User>");
                render_user(&mut out, &user);
                out.push_str("</User>");
            }
        },
        "ListUsers" => {
            check(app, caller, "iam:ListUsers", "*")?;
            let users = app
                .iam
                .list_users(&account, params.get("PathPrefix").unwrap_or("/"))
                .map_err(iam_error)?;
            out.push_str("<IsTruncated>false</IsTruncated><Users>");
            for user in &users {
                out.push_str("<member>");
                render_user(&mut out, user);
                out.push_str("</member>");
            }
            out.push_str("</Users>");
        }
        "DeleteUser" => {
            let name = required(params, "UserName")?;
            check(
                app,
                caller,
                "iam:DeleteUser",
                &user_resource(app, &account, name),
            )?;
            app.iam
                .delete_user(account, name.to_owned())
                .await
                .map_err(iam_error)?;
            return Ok(None);
        }
        "CreateAccessKey" => {
            let name = target_user(caller, params)?;
            check(
                app,
                caller,
                "iam:CreateAccessKey",
                &user_resource(app, &account, &name),
            )?;
            let key = app
                .iam
                .create_access_key(account, name.clone(), now)
                .await
                .map_err(iam_error)?;
            // The stored spelling of the name, which may differ in case from the request's.
            let user_name = match &key.owner {
                strata_iam::AccessKeyOwner::User { user_name, .. } => user_name.as_str(),
                strata_iam::AccessKeyOwner::Root { .. } => name.as_str(),
            };
            out.push_str("<AccessKey>");
            render_key_metadata(&mut out, user_name, &key);
            element(&mut out, "SecretAccessKey", &key.secret_access_key);
            out.push_str("</AccessKey>");
        }
        "ListAccessKeys" => {
            let name = target_user(caller, params)?;
            check(
                app,
                caller,
                "iam:ListAccessKeys",
                &user_resource(app, &account, &name),
            )?;
            let user = app.iam.get_user(&account, &name).map_err(iam_error)?;
            let keys = app
                .iam
                .list_access_keys(&account, &name)
                .map_err(iam_error)?;
            element(&mut out, "UserName", &user.user_name);
            out.push_str("<AccessKeyMetadata>");
            for key in &keys {
                out.push_str("<member>");
                render_key_metadata(&mut out, &user.user_name, key);
                out.push_str("</member>");
            }
            out.push_str("</AccessKeyMetadata><IsTruncated>false</IsTruncated>");
        }
        "DeleteAccessKey" | "UpdateAccessKey" => {
            let name = target_user(caller, params)?;
            let key_id = required(params, "AccessKeyId")?.to_owned();
            let change = if action == "DeleteAccessKey" {
                AccessKeyChange::Delete
            } else {
                let status = required(params, "Status")?;
                AccessKeyChange::SetStatus(AccessKeyStatus::parse(status).ok_or_else(|| {
                    AwsError::new(
                        "ValidationError",
                        StatusCode::BAD_REQUEST,
                        format!("1 validation error detected: Value '{status}' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]"),
                    )
                })?)
            };
            check(
                app,
                caller,
                &format!("iam:{action}"),
                &user_resource(app, &account, &name),
            )?;
            app.iam
                .change_access_key(account, name, key_id, change)
                .await
                .map_err(iam_error)?;
            return Ok(None);
        }
        "PutUserPolicy" | "PutRolePolicy" => {
            let (holder, resource) = policy_holder(app, &account, action, params)?;
            let policy_name = required(params, "PolicyName")?;
            let document = policy_document(params, "PolicyDocument")?;
            check(app, caller, &format!("iam:{action}"), &resource)?;
            let policy = InlinePolicy {
                policy_name: policy_name.to_owned(),
                document: document.to_owned(),
            };
            app.iam
                .put_inline_policy(account, holder, policy)
                .await
                .map_err(iam_error)?;
            return Ok(None);
        }
        "GetUserPolicy" | "GetRolePolicy" => {
            let (holder, resource) = policy_holder(app, &account, action, params)?;
            let policy_name = required(params, "PolicyName")?;
            check(app, caller, &format!("iam:{action}"), &resource)?;
            let policy = app
                .iam
                .inline_policy(&account, &holder, policy_name)
                .map_err(iam_error)?;
            let (member, name) = holder_member(&holder);
            element(
                &mut out,
                member,
                &stored_holder_name(app, &account, &holder).unwrap_or(name),
            );
            element(&mut out, "PolicyName", &policy.policy_name);
            // IAM returns documents URL-encoded (RFC 3986); the CLI decodes them.
            element(
                &mut out,
                "PolicyDocument",
                &strata_sigv4::uri_encode(policy.document.as_bytes(), false),
            );
        }
        "ListUserPolicies" | "ListRolePolicies" => {
            let (holder, resource) = policy_holder(app, &account, action, params)?;
            check(app, caller, &format!("iam:{action}"), &resource)?;
            app.iam
                .holder_must_exist(&account, &holder)
                .map_err(iam_error)?;
            let policies = app
                .iam
                .inline_policies(&account, &holder)
                .map_err(iam_error)?;
            out.push_str("<PolicyNames>");
            for policy in &policies {
                element(&mut out, "member", &policy.policy_name);
            }
            out.push_str("</PolicyNames><IsTruncated>false</IsTruncated>");
        }
        "DeleteUserPolicy" | "DeleteRolePolicy" => {
            let (holder, resource) = policy_holder(app, &account, action, params)?;
            let policy_name = required(params, "PolicyName")?;
            check(app, caller, &format!("iam:{action}"), &resource)?;
            app.iam
                .delete_inline_policy(account, holder, policy_name.to_owned())
                .await
                .map_err(iam_error)?;
            return Ok(None);
        }
        "CreateRole" => {
            let name = required(params, "RoleName")?;
            let path = params.get("Path").unwrap_or("/");
            check(
                app,
                caller,
                "iam:CreateRole",
                &format!("arn:aws:iam::{account}:role{path}{name}"),
            )?;
            let max_session_duration = match params.get("MaxSessionDuration") {
                None => None,
                Some(text) => Some(text.parse::<i64>().map_err(|_| {
                    iam_error(IamError::Validation(format!(
                        "Value '{text}' at 'maxSessionDuration' failed to satisfy constraint: Member must be a number"
                    )))
                })?),
            };
            let role = app
                .iam
                .create_role(
                    account,
                    NewRole {
                        role_name: name.to_owned(),
                        path: params.get("Path").map(str::to_owned),
                        assume_role_policy_document: policy_document(
                            params,
                            "AssumeRolePolicyDocument",
                        )?
                        .to_owned(),
                        description: params.get("Description").map(str::to_owned),
                        max_session_duration,
                    },
                    now,
                )
                .await
                .map_err(iam_error)?;
            out.push_str("<Role>");
            render_role(&mut out, &role, &app.iam.displayed_trust_policy(&role));
            out.push_str("</Role>");
        }
        "GetRole" => {
            let name = required(params, "RoleName")?;
            check(
                app,
                caller,
                "iam:GetRole",
                &role_resource(app, &account, name),
            )?;
            let role = app.iam.get_role(&account, name).map_err(iam_error)?;
            out.push_str("<Role>");
            render_role(&mut out, &role, &app.iam.displayed_trust_policy(&role));
            out.push_str("</Role>");
        }
        "ListRoles" => {
            check(app, caller, "iam:ListRoles", "*")?;
            let roles = app
                .iam
                .list_roles(&account, params.get("PathPrefix").unwrap_or("/"))
                .map_err(iam_error)?;
            out.push_str("<IsTruncated>false</IsTruncated><Roles>");
            for role in &roles {
                out.push_str("<member>");
                render_role(&mut out, role, &app.iam.displayed_trust_policy(role));
                out.push_str("</member>");
            }
            out.push_str("</Roles>");
        }
        "UpdateAssumeRolePolicy" => {
            let name = required(params, "RoleName")?;
            let document = policy_document(params, "PolicyDocument")?;
            check(
                app,
                caller,
                "iam:UpdateAssumeRolePolicy",
                &role_resource(app, &account, name),
            )?;
            app.iam
                .update_assume_role_policy(account, name.to_owned(), document.to_owned())
                .await
                .map_err(iam_error)?;
            return Ok(None);
        }
        "DeleteRole" => {
            let name = required(params, "RoleName")?;
            check(
                app,
                caller,
                "iam:DeleteRole",
                &role_resource(app, &account, name),
            )?;
            app.iam
                .delete_role(account, name.to_owned())
                .await
                .map_err(iam_error)?;
            return Ok(None);
        }
        "CreatePolicy" => {
            let name = required(params, "PolicyName")?;
            let path = params.get("Path").unwrap_or("/");
            check(
                app,
                caller,
                "iam:CreatePolicy",
                &format!("arn:aws:iam::{account}:policy{path}{name}"),
            )?;
            let policy = app
                .iam
                .create_policy(
                    account,
                    name.to_owned(),
                    params.get("Path").map(str::to_owned),
                    policy_document(params, "PolicyDocument")?.to_owned(),
                    params.get("Description").map(str::to_owned),
                    now,
                )
                .await
                .map_err(iam_error)?;
            out.push_str("<Policy>");
            render_policy(&mut out, &policy, 0);
            out.push_str("</Policy>");
        }
        "GetPolicy" => {
            let arn = required(params, "PolicyArn")?;
            check(app, caller, "iam:GetPolicy", arn)?;
            let policy = app.iam.get_policy(&account, arn).map_err(iam_error)?;
            let attachments = app.iam.attachment_count(arn).map_err(iam_error)?;
            out.push_str("<Policy>");
            render_policy(&mut out, &policy, attachments);
            out.push_str("</Policy>");
        }
        "ListPolicies" => {
            check(app, caller, "iam:ListPolicies", "*")?;
            let only_attached = params.get("OnlyAttached") == Some("true");
            // Only customer managed policies exist in strata: Scope=AWS lists none.
            let policies = if params.get("Scope") == Some("AWS") {
                Vec::new()
            } else {
                app.iam
                    .list_policies(&account, params.get("PathPrefix").unwrap_or("/"))
                    .map_err(iam_error)?
            };
            out.push_str("<IsTruncated>false</IsTruncated><Policies>");
            for policy in &policies {
                let attachments = app.iam.attachment_count(&policy.arn()).map_err(iam_error)?;
                if only_attached && attachments == 0 {
                    continue;
                }
                out.push_str("<member>");
                render_policy(&mut out, policy, attachments);
                out.push_str("</member>");
            }
            out.push_str("</Policies>");
        }
        "GetPolicyVersion" => {
            let arn = required(params, "PolicyArn")?;
            let version_id = required(params, "VersionId")?;
            check(app, caller, "iam:GetPolicyVersion", arn)?;
            let policy = app.iam.get_policy(&account, arn).map_err(iam_error)?;
            let version = policy
                .versions
                .iter()
                .find(|v| v.version_id == version_id)
                .ok_or_else(|| {
                    iam_error(IamError::NoSuchEntity(format!(
                        "Policy {arn} version {version_id} does not exist or is not attachable."
                    )))
                })?;
            out.push_str("<PolicyVersion>");
            element(
                &mut out,
                "Document",
                &strata_sigv4::uri_encode(version.document.as_bytes(), false),
            );
            render_version(&mut out, version, &policy.default_version_id);
            out.push_str("</PolicyVersion>");
        }
        "CreatePolicyVersion" => {
            let arn = required(params, "PolicyArn")?;
            check(app, caller, "iam:CreatePolicyVersion", arn)?;
            let set_as_default = params.get("SetAsDefault") == Some("true");
            let version = app
                .iam
                .create_policy_version(
                    account,
                    arn.to_owned(),
                    policy_document(params, "PolicyDocument")?.to_owned(),
                    set_as_default,
                    now,
                )
                .await
                .map_err(iam_error)?;
            let default = if set_as_default {
                version.version_id.clone()
            } else {
                String::new()
            };
            out.push_str("<PolicyVersion>");
            render_version(&mut out, &version, &default);
            out.push_str("</PolicyVersion>");
        }
        "DeletePolicyVersion" => {
            let arn = required(params, "PolicyArn")?;
            check(app, caller, "iam:DeletePolicyVersion", arn)?;
            let version_id = required(params, "VersionId")?;
            app.iam
                .delete_policy_version(account, arn.to_owned(), version_id.to_owned())
                .await
                .map_err(iam_error)?;
            return Ok(None);
        }
        "DeletePolicy" => {
            let arn = required(params, "PolicyArn")?;
            check(app, caller, "iam:DeletePolicy", arn)?;
            app.iam
                .delete_policy(account, arn.to_owned())
                .await
                .map_err(iam_error)?;
            return Ok(None);
        }
        "AttachUserPolicy" | "AttachRolePolicy" | "DetachUserPolicy" | "DetachRolePolicy" => {
            let (holder, resource) = policy_holder(app, &account, action, params)?;
            let arn = required(params, "PolicyArn")?;
            check(app, caller, &format!("iam:{action}"), &resource)?;
            app.iam
                .set_attachment(
                    account,
                    holder,
                    arn.to_owned(),
                    action.starts_with("Attach"),
                )
                .await
                .map_err(iam_error)?;
            return Ok(None);
        }
        "ListAttachedUserPolicies" | "ListAttachedRolePolicies" => {
            let (holder, resource) = policy_holder(app, &account, action, params)?;
            check(app, caller, &format!("iam:{action}"), &resource)?;
            app.iam
                .holder_must_exist(&account, &holder)
                .map_err(iam_error)?;
            let attached = app
                .iam
                .attached_policies(&account, &holder)
                .map_err(iam_error)?;
            out.push_str("<AttachedPolicies>");
            for (name, arn) in &attached {
                out.push_str("<member>");
                element(&mut out, "PolicyName", name);
                element(&mut out, "PolicyArn", arn);
                out.push_str("</member>");
            }
            out.push_str("</AttachedPolicies><IsTruncated>false</IsTruncated>");
        }
        other => return Err(invalid_action(other, QueryService::Iam)),
    }
    Ok(Some(out))
}
