//! STS: GetCallerIdentity, GetSessionToken and AssumeRole (spec iam-s3-authz §3.3).

use serde::Serialize;
use strata_iam::{AccountId, IamError, Principal, Session, SessionDuration};
use strata_policy::{PolicyDocument, PolicyKind};

use super::{Error, Result};
use std::borrow::Cow;

use crate::authz::{Denial, Denied, ResourcePolicy, Target, authorize_target};
use crate::{App, Caller};

#[derive(Clone, Debug, Default)]
pub struct GetSessionTokenInput {
    pub duration_seconds: Option<i64>,
}

#[derive(Clone, Debug)]
pub struct AssumeRoleInput {
    pub role_arn: String,
    pub role_session_name: String,
    pub duration_seconds: Option<i64>,
    /// A session policy.
    pub policy: Option<String>,
    /// `ExternalId`: the `sts:ExternalId` condition key of the trust policy's evaluation.
    pub external_id: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetCallerIdentityOutput {
    pub arn: String,
    pub user_id: String,
    pub account: String,
}

/// `Credentials` of a new session.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: String,
    pub expiration: String,
}

impl From<&Session> for Credentials {
    fn from(session: &Session) -> Self {
        Self {
            access_key_id: session.access_key_id.clone(),
            secret_access_key: session.secret_access_key.clone(),
            session_token: session.session_token.clone(),
            expiration: crate::iso::seconds(session.expiration),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetSessionTokenOutput {
    pub credentials: Credentials,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AssumedRoleUser {
    pub assumed_role_id: String,
    pub arn: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AssumeRoleOutput {
    pub credentials: Credentials,
    pub assumed_role_user: AssumedRoleUser,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub packed_policy_size: Option<usize>,
}

/// Never denied, not even by an explicit Deny (spec iam-s3-authz §3.3).
pub fn get_caller_identity(caller: &Caller) -> GetCallerIdentityOutput {
    GetCallerIdentityOutput {
        arn: caller.principal.arn(),
        user_id: caller.principal.user_id(),
        account: caller.account().to_owned(),
    }
}

/// Temporary credentials for the calling user or root. Needs no permission
/// (spec iam-s3-authz §3.3) but cannot be called with session credentials.
pub async fn get_session_token(
    app: &App,
    caller: &Caller,
    input: GetSessionTokenInput,
) -> Result<GetSessionTokenOutput> {
    if caller.session {
        return Err(Error::AccessDenied(
            "Cannot call GetSessionToken with session credentials".to_owned(),
        ));
    }
    let root = matches!(caller.principal, Principal::Root { .. });
    let duration = SessionDuration::for_session_token(input.duration_seconds, root)?;
    let session = app
        .iam
        .create_session(caller.principal.clone(), duration, app.clock.now())
        .await?;
    Ok(GetSessionTokenOutput {
        credentials: Credentials::from(&session),
    })
}

/// `arn:aws:iam::ACCOUNT:role/PATH/NAME` → (account, name).
pub(crate) fn parse_role_arn(arn: &str) -> Option<(AccountId, &str)> {
    let rest = arn.strip_prefix("arn:aws:iam::")?;
    let (account, resource) = rest.split_once(':')?;
    let name = resource.strip_prefix("role/")?.rsplit('/').next()?;
    Some((AccountId::parse(account).ok()?, name))
}

/// AWS's answer to an account root calling AssumeRole: `AccessDenied` (403), seen in
/// AWS's answers quoted in kubeflow/testing#961 (`aws sts assume-role` as
/// `arn:aws:iam::…:root`), double-break/spapi-php#45 and cloudposse's
/// terraform-aws-vpc-peering-multi-account#106.
pub const ROOT_MAY_NOT_ASSUME_ROLES: &str = "Roles may not be assumed by root accounts.";

/// Why `principal` may not assume any role, whatever the trust policy says: an account's
/// root user (same or another account; long-term keys or a GetSessionToken session alike).
pub fn root_refusal(principal: &Principal) -> Option<&'static str> {
    matches!(principal, Principal::Root { .. }).then_some(ROOT_MAY_NOT_ASSUME_ROLES)
}

/// AssumeRole: the role's trust policy must allow the caller (always, even in the same
/// account), and so must the caller's identity policies unless the trust policy names the
/// caller directly (spec iam-s3-authz §3.3, decided by the policy engine).
pub async fn assume_role(
    app: &App,
    caller: &Caller,
    input: AssumeRoleInput,
) -> Result<AssumeRoleOutput> {
    // UNCONFIRMED: the check's place before the role is looked up.
    if let Some(refusal) = root_refusal(&caller.principal) {
        return Err(Error::AccessDenied(refusal.to_owned()));
    }
    let role_arn = &input.role_arn;
    let not_authorized = || {
        Error::AccessDenied(format!(
            "User: {} is not authorized to perform: sts:AssumeRole on resource: {role_arn}",
            caller.principal.arn()
        ))
    };
    let Some((role_account, role_name)) = parse_role_arn(role_arn) else {
        return Err(Error::Validation(format!("{role_arn} is invalid")));
    };
    // A role that does not exist is indistinguishable from one that does not trust the
    // caller, as on AWS.
    let role = app
        .iam
        .find_role(&role_account, role_name)?
        .ok_or_else(not_authorized)?;
    let trust = role.trust_policy()?;
    let label = format!("role {} trust policy", role.role_name);
    let role_arn_text = role.arn();
    authorize_target(
        app,
        caller,
        Target {
            action: "sts:AssumeRole",
            resource: &role_arn_text,
            resource_account: role_account.as_str(),
            resource_policy: Some(ResourcePolicy {
                label: &label,
                document: &trust,
                required: true,
            }),
            context: input
                .external_id
                .iter()
                .map(|id| (Cow::Borrowed("sts:ExternalId"), vec![id.clone()]))
                .collect(),
            denial: Denial::Standard,
        },
    )
    .map_err(|e| match e {
        Denied::AccessDenied(_) => not_authorized(),
        Denied::Internal(e) => e.into(),
    })?;
    let chained = matches!(caller.principal, Principal::AssumedRole { .. });
    let duration = SessionDuration::for_assume_role(
        input.duration_seconds,
        role.max_session_duration,
        chained,
    )?;
    if let Some(text) = &input.policy {
        PolicyDocument::parse(text, PolicyKind::Session)
            .map_err(|e| Error::from(IamError::MalformedPolicyDocument(e.message)))?;
    }
    let packed_policy_size = input.policy.as_ref().map(|p| {
        // UNCONFIRMED: AWS's packing is opaque; report the share of the 2,048-character
        // session-policy budget the (whitespace-free) document uses.
        let used = p.chars().filter(|c| !c.is_whitespace()).count();
        (used * 100).div_ceil(2_048)
    });
    let principal = Principal::AssumedRole {
        account: role_account,
        role_path: role.path.clone(),
        role_name: role.role_name.clone(),
        role_id: role.role_id.clone(),
        session_name: input.role_session_name,
        session_policy: input.policy,
    };
    let assumed_role_user = AssumedRoleUser {
        assumed_role_id: principal.user_id(),
        arn: principal.arn(),
    };
    let session = app
        .iam
        .create_session(principal, duration, app.clock.now())
        .await?;
    Ok(AssumeRoleOutput {
        credentials: Credentials::from(&session),
        assumed_role_user,
        packed_policy_size,
    })
}
