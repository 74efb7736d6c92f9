//! IAM over the Query protocol (`2010-05-08`): each action's parameters decoded into the
//! application's typed input, run by `strata_app::iam`, and its typed output written as the
//! action's `…Result` XML. Actions not listed here are answered as AWS answers an action it
//! does not know.

use strata_app::iam::inline_policies::{HolderInput, NamedPolicyInput, PutPolicyInput};
use strata_app::iam::managed_policies::{
    AttachmentInput, CreatePolicyInput, CreatePolicyVersionInput, ListPoliciesInput,
    PolicyArnInput, PolicyVersionInput,
};
use strata_app::iam::roles::{
    CreateRoleInput, ListRolesInput, RoleNameInput, UpdateAssumeRolePolicyInput, UpdateRoleInput,
};
use strata_app::iam::tags::{self as iam_tags, TagInput, UntagInput};
use strata_app::iam::users::{
    CreateUserInput, DeleteAccessKeyInput, DeleteUserInput, GetUserInput, ListUsersInput,
    UpdateAccessKeyInput, UserKeysInput,
};
use strata_app::iam::{self as ops, Error, inline_policies, managed_policies, roles, users};
use strata_app::{App, Caller};
use strata_iam::{AccessKeyStatus, PolicyHolder, Tag};

use crate::protocol::AwsError;
use crate::protocol::query::{Params, QueryService, Result as Rendered, invalid_action, rendered};

/// IAM's model caps every policy document (`policyDocumentType`) at 131,072 characters,
/// whatever the policy grammar's own size limits say.
const MAX_POLICY_DOCUMENT_CHARS: usize = 131_072;

fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map(|c| c.to_ascii_lowercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// A `UserName` or `RoleName` parameter, checked against the model's pattern and length
/// before anything looks it up: an ARN given as a name is a ValidationError, as on IAM.
fn entity_name(params: &Params, name: &str) -> Result<Option<String>, AwsError> {
    let Some(value) = optional(params, name) else {
        return Ok(None);
    };
    strata_iam::check_name(&value, &lower_first(name))
        .map_err(|e| AwsError::from(Error::from(e)))?;
    Ok(Some(value))
}

/// A required `UserName` or `RoleName` ([`entity_name`]).
fn required_name(params: &Params, name: &str) -> Result<String, AwsError> {
    match entity_name(params, name)? {
        Some(value) => Ok(value),
        None => required(params, name),
    }
}

/// A required parameter.
pub(super) fn required(params: &Params, name: &str) -> Result<String, AwsError> {
    params.get(name).map(str::to_owned).ok_or_else(|| {
        AwsError::from(ops::error::one_validation_error(format!(
            "Value null at '{}' failed to satisfy constraint: Member must not be null",
            lower_first(name)
        )))
    })
}

fn optional(params: &Params, name: &str) -> Option<String> {
    params.get(name).map(str::to_owned)
}

/// A required policy document parameter, within the model's length.
fn policy_document(params: &Params, name: &str) -> Result<String, AwsError> {
    let document = required(params, name)?;
    if document.chars().count() > MAX_POLICY_DOCUMENT_CHARS {
        return Err(AwsError::from(ops::error::one_validation_error(format!(
            "Value at '{}' failed to satisfy constraint: Member must have length less than or equal to {MAX_POLICY_DOCUMENT_CHARS}",
            lower_first(name)
        ))));
    }
    Ok(document)
}

/// A number parameter.
pub(super) fn number(params: &Params, name: &str) -> Result<Option<i64>, AwsError> {
    params
        .get(name)
        .map(|text| {
            text.parse::<i64>().map_err(|_| {
                AwsError::from(Error::Validation(format!(
                    "Value '{text}' at '{}' failed to satisfy constraint: Member must be a number",
                    lower_first(name)
                )))
            })
        })
        .transpose()
}

/// `Tags.member.N.Key/Value`.
fn tags(params: &Params) -> Vec<Tag> {
    params
        .key_values("Tags")
        .into_iter()
        .map(|(key, value)| Tag { key, value })
        .collect()
}

/// The user or role an inline-policy or attachment action names.
fn holder(params: &Params, action: &str) -> Result<PolicyHolder, AwsError> {
    if action.contains("Role") {
        Ok(PolicyHolder::Role(required_name(params, "RoleName")?))
    } else {
        Ok(PolicyHolder::User(required_name(params, "UserName")?))
    }
}

/// Runs an IAM action for an authenticated caller; returns its rendered `<ActionResult>`.
pub async fn handle(app: &App, caller: &Caller, action: &str, params: &Params) -> Rendered {
    match action {
        "CreateUser" => {
            let input = CreateUserInput {
                user_name: required_name(params, "UserName")?,
                path: optional(params, "Path"),
                tags: tags(params),
            };
            rendered(action, users::create_user(app, caller, input).await)
        }
        "GetUser" => {
            let input = GetUserInput {
                user_name: entity_name(params, "UserName")?,
            };
            rendered(action, users::get_user(app, caller, input))
        }
        "ListUsers" => {
            let input = ListUsersInput {
                path_prefix: optional(params, "PathPrefix"),
            };
            rendered(action, users::list_users(app, caller, input))
        }
        "DeleteUser" => {
            let input = DeleteUserInput {
                user_name: required_name(params, "UserName")?,
            };
            empty(users::delete_user(app, caller, input).await)
        }
        "CreateAccessKey" => {
            let input = UserKeysInput {
                user_name: entity_name(params, "UserName")?,
            };
            rendered(action, users::create_access_key(app, caller, input).await)
        }
        "ListAccessKeys" => {
            let input = UserKeysInput {
                user_name: entity_name(params, "UserName")?,
            };
            rendered(action, users::list_access_keys(app, caller, input))
        }
        "UpdateAccessKey" => {
            let access_key_id = required(params, "AccessKeyId")?;
            let status = required(params, "Status")?;
            let status = AccessKeyStatus::parse(&status).ok_or_else(|| {
                AwsError::from(ops::error::one_validation_error(format!(
                    "Value '{status}' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]"
                )))
            })?;
            let input = UpdateAccessKeyInput {
                user_name: entity_name(params, "UserName")?,
                access_key_id,
                status,
            };
            empty(users::update_access_key(app, caller, input).await)
        }
        "DeleteAccessKey" => {
            let input = DeleteAccessKeyInput {
                user_name: entity_name(params, "UserName")?,
                access_key_id: required(params, "AccessKeyId")?,
            };
            empty(users::delete_access_key(app, caller, input).await)
        }
        "PutUserPolicy" | "PutRolePolicy" => {
            let input = PutPolicyInput {
                holder: holder(params, action)?,
                policy_name: required(params, "PolicyName")?,
                policy_document: policy_document(params, "PolicyDocument")?,
            };
            empty(inline_policies::put_policy(app, caller, input).await)
        }
        "GetUserPolicy" | "GetRolePolicy" => {
            let input = NamedPolicyInput {
                holder: holder(params, action)?,
                policy_name: required(params, "PolicyName")?,
            };
            rendered(action, inline_policies::get_policy(app, caller, input))
        }
        "ListUserPolicies" | "ListRolePolicies" => {
            let input = HolderInput {
                holder: holder(params, action)?,
            };
            rendered(action, inline_policies::list_policies(app, caller, input))
        }
        "DeleteUserPolicy" | "DeleteRolePolicy" => {
            let input = NamedPolicyInput {
                holder: holder(params, action)?,
                policy_name: required(params, "PolicyName")?,
            };
            empty(inline_policies::delete_policy(app, caller, input).await)
        }
        "CreateRole" => {
            let input = CreateRoleInput {
                role_name: required_name(params, "RoleName")?,
                path: optional(params, "Path"),
                max_session_duration: number(params, "MaxSessionDuration")?,
                assume_role_policy_document: policy_document(params, "AssumeRolePolicyDocument")?,
                description: optional(params, "Description"),
                tags: tags(params),
            };
            rendered(action, roles::create_role(app, caller, input).await)
        }
        "GetRole" => {
            let input = RoleNameInput {
                role_name: required_name(params, "RoleName")?,
            };
            rendered(action, roles::get_role(app, caller, input))
        }
        "ListRoles" => {
            let input = ListRolesInput {
                path_prefix: optional(params, "PathPrefix"),
            };
            rendered(action, roles::list_roles(app, caller, input))
        }
        "UpdateAssumeRolePolicy" => {
            let input = UpdateAssumeRolePolicyInput {
                role_name: required_name(params, "RoleName")?,
                policy_document: policy_document(params, "PolicyDocument")?,
            };
            empty(roles::update_assume_role_policy(app, caller, input).await)
        }
        "UpdateRole" => {
            let input = UpdateRoleInput {
                role_name: required_name(params, "RoleName")?,
                description: optional(params, "Description"),
                max_session_duration: number(params, "MaxSessionDuration")?,
            };
            // UpdateRole answers an empty `UpdateRoleResult` (its output has a result wrapper).
            rendered(
                action,
                roles::update_role(app, caller, input)
                    .await
                    .map(|()| strata_app::Empty {}),
            )
        }
        "DeleteRole" => {
            let input = RoleNameInput {
                role_name: required_name(params, "RoleName")?,
            };
            empty(roles::delete_role(app, caller, input).await)
        }
        "CreatePolicy" => {
            let input = CreatePolicyInput {
                policy_name: required(params, "PolicyName")?,
                path: optional(params, "Path"),
                policy_document: policy_document(params, "PolicyDocument")?,
                description: optional(params, "Description"),
            };
            rendered(
                action,
                managed_policies::create_policy(app, caller, input).await,
            )
        }
        "GetPolicy" => {
            let input = PolicyArnInput {
                policy_arn: required(params, "PolicyArn")?,
            };
            rendered(action, managed_policies::get_policy(app, caller, input))
        }
        "ListPolicies" => {
            let input = ListPoliciesInput {
                scope: optional(params, "Scope"),
                only_attached: params.get("OnlyAttached") == Some("true"),
                path_prefix: optional(params, "PathPrefix"),
            };
            rendered(action, managed_policies::list_policies(app, caller, input))
        }
        "GetPolicyVersion" => {
            let input = PolicyVersionInput {
                policy_arn: required(params, "PolicyArn")?,
                version_id: required(params, "VersionId")?,
            };
            rendered(
                action,
                managed_policies::get_policy_version(app, caller, input),
            )
        }
        "ListPolicyVersions" => {
            let input = PolicyArnInput {
                policy_arn: required(params, "PolicyArn")?,
            };
            rendered(
                action,
                managed_policies::list_policy_versions(app, caller, input),
            )
        }
        "CreatePolicyVersion" => {
            let input = CreatePolicyVersionInput {
                policy_arn: required(params, "PolicyArn")?,
                policy_document: policy_document(params, "PolicyDocument")?,
                set_as_default: params.get("SetAsDefault") == Some("true"),
            };
            rendered(
                action,
                managed_policies::create_policy_version(app, caller, input).await,
            )
        }
        "DeletePolicyVersion" => {
            let input = PolicyVersionInput {
                policy_arn: required(params, "PolicyArn")?,
                version_id: required(params, "VersionId")?,
            };
            empty(managed_policies::delete_policy_version(app, caller, input).await)
        }
        "DeletePolicy" => {
            let input = PolicyArnInput {
                policy_arn: required(params, "PolicyArn")?,
            };
            empty(managed_policies::delete_policy(app, caller, input).await)
        }
        "AttachUserPolicy" | "AttachRolePolicy" => {
            let input = AttachmentInput {
                holder: holder(params, action)?,
                policy_arn: required(params, "PolicyArn")?,
            };
            empty(managed_policies::attach_policy(app, caller, input).await)
        }
        "DetachUserPolicy" | "DetachRolePolicy" => {
            let input = AttachmentInput {
                holder: holder(params, action)?,
                policy_arn: required(params, "PolicyArn")?,
            };
            empty(managed_policies::detach_policy(app, caller, input).await)
        }
        "TagUser" | "TagRole" => {
            let input = TagInput {
                holder: holder(params, action)?,
                tags: tags(params),
            };
            empty(iam_tags::tag(app, caller, input).await)
        }
        "UntagUser" | "UntagRole" => {
            let input = UntagInput {
                holder: holder(params, action)?,
                tag_keys: params.members("TagKeys"),
            };
            empty(iam_tags::untag(app, caller, input).await)
        }
        "ListUserTags" | "ListRoleTags" => {
            let input = HolderInput {
                holder: holder(params, action)?,
            };
            rendered(action, iam_tags::list_tags(app, caller, input))
        }
        "ListAttachedUserPolicies" | "ListAttachedRolePolicies" => {
            let input = HolderInput {
                holder: holder(params, action)?,
            };
            rendered(
                action,
                managed_policies::list_attached_policies(app, caller, input),
            )
        }
        other => Err(invalid_action(other, QueryService::Iam)),
    }
}

/// An action without output.
pub(super) fn empty(done: Result<(), Error>) -> Rendered {
    done.map(|()| None).map_err(AwsError::from)
}

/// IAM's and STS's spelling of an application error: the one place their codes and
/// statuses are chosen.
impl From<Error> for AwsError {
    fn from(e: Error) -> Self {
        use http::StatusCode;
        match e {
            Error::NoSuchEntity(m) => AwsError::new("NoSuchEntity", StatusCode::NOT_FOUND, m),
            Error::EntityAlreadyExists(m) => {
                AwsError::new("EntityAlreadyExists", StatusCode::CONFLICT, m)
            }
            Error::DeleteConflict(m) => AwsError::new("DeleteConflict", StatusCode::CONFLICT, m),
            Error::LimitExceeded(m) => AwsError::new("LimitExceeded", StatusCode::CONFLICT, m),
            Error::Validation(m) => AwsError::new("ValidationError", StatusCode::BAD_REQUEST, m),
            Error::InvalidInput(m) => AwsError::new("InvalidInput", StatusCode::BAD_REQUEST, m),
            Error::MalformedPolicyDocument(m) => {
                AwsError::new("MalformedPolicyDocument", StatusCode::BAD_REQUEST, m)
            }
            Error::AccessDenied(m) => AwsError::new("AccessDenied", StatusCode::FORBIDDEN, m),
            Error::Unavailable(m) => {
                tracing::error!(error = %m, "IAM storage unavailable");
                AwsError::new(
                    "ServiceUnavailable",
                    StatusCode::SERVICE_UNAVAILABLE,
                    "The request has failed due to a temporary failure of the server.",
                )
            }
            Error::Internal(m) => {
                tracing::error!(error = %m, "IAM engine failure");
                AwsError::new(
                    "ServiceFailure",
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "The request processing has failed because of an unknown error, exception or failure.",
                )
            }
        }
    }
}
