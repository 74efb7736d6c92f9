//! STS actions (Query protocol, `2011-06-15`).

use http::StatusCode;
use strata_iam::{AccountId, IamError, Principal, Session, SessionDuration};
use strata_policy::{PolicyDocument, PolicyKind};

use crate::protocol::AwsError;
use crate::protocol::query::{Params, QueryService, invalid_action};
use crate::protocol::xml::element;
use crate::services::iam::{iam_error, iso};
use strata_app::App;
use strata_app::Caller;
use strata_app::authz::{Denied, ResourcePolicy, authorize};

/// Runs an STS action for an authenticated caller; returns the rendered
/// `<ActionResult>` body.
pub async fn handle(
    app: &App,
    caller: &Caller,
    action: &str,
    params: &Params,
) -> Result<Option<String>, AwsError> {
    match action {
        "GetCallerIdentity" => Ok(Some(get_caller_identity(caller))),
        "GetSessionToken" => get_session_token(app, caller, params).await.map(Some),
        "AssumeRole" => assume_role(app, caller, params).await.map(Some),
        other => Err(invalid_action(other, QueryService::Sts)),
    }
}

/// Never denied, not even by an explicit Deny (spec iam-s3-authz §3.3).
fn get_caller_identity(caller: &Caller) -> String {
    let mut out = String::new();
    element(&mut out, "Arn", &caller.principal.arn());
    element(&mut out, "UserId", &caller.principal.user_id());
    element(&mut out, "Account", caller.principal.account().as_str());
    out
}

/// Temporary credentials for the calling user or root. Needs no permission
/// (spec iam-s3-authz §3.3) but cannot be called with session credentials.
async fn get_session_token(
    app: &App,
    caller: &Caller,
    params: &Params,
) -> Result<String, AwsError> {
    if caller.session {
        return Err(AwsError::new(
            "AccessDenied",
            StatusCode::FORBIDDEN,
            "Cannot call GetSessionToken with session credentials",
        ));
    }
    let requested = duration_seconds(params)?;
    let root = matches!(caller.principal, Principal::Root { .. });
    let duration = SessionDuration::for_session_token(requested, root).map_err(iam_error)?;
    let session = app
        .iam
        .create_session(caller.principal.clone(), duration, app.clock.now())
        .await
        .map_err(iam_error)?;
    let mut out = String::new();
    render_credentials(&mut out, &session);
    Ok(out)
}

/// `<Credentials>` of a new session.
fn render_credentials(out: &mut String, session: &Session) {
    out.push_str("<Credentials>");
    element(out, "AccessKeyId", &session.access_key_id);
    element(out, "SecretAccessKey", &session.secret_access_key);
    element(out, "SessionToken", &session.session_token);
    element(out, "Expiration", &iso(session.expiration));
    out.push_str("</Credentials>");
}

/// `DurationSeconds`, if given.
fn duration_seconds(params: &Params) -> Result<Option<i64>, AwsError> {
    params
        .get("DurationSeconds")
        .map(|text| {
            text.parse::<i64>().map_err(|_| {
                validation(format!(
                    "Value '{text}' at 'durationSeconds' failed to satisfy constraint: Member must be a number"
                ))
            })
        })
        .transpose()
}

fn validation(message: String) -> AwsError {
    AwsError::new("ValidationError", StatusCode::BAD_REQUEST, message)
}

fn required<'a>(params: &'a Params, name: &str, member: &str) -> Result<&'a str, AwsError> {
    params.get(name).ok_or_else(|| {
        validation(format!(
            "1 validation error detected: Value null at '{member}' failed to satisfy constraint: Member must not be null"
        ))
    })
}

/// `arn:aws:iam::ACCOUNT:role/PATH/NAME` → (account, name).
fn parse_role_arn(arn: &str) -> Option<(AccountId, &str)> {
    let rest = arn.strip_prefix("arn:aws:iam::")?;
    let (account, resource) = rest.split_once(':')?;
    let name = resource.strip_prefix("role/")?.rsplit('/').next()?;
    Some((AccountId::parse(account).ok()?, name))
}

/// AssumeRole: the role's trust policy must allow the caller (always, even in the
/// same account), and so must the caller's identity policies unless the trust policy
/// names the caller directly (spec iam-s3-authz §3.3, decided by the policy engine).
async fn assume_role(app: &App, caller: &Caller, params: &Params) -> Result<String, AwsError> {
    let role_arn = required(params, "RoleArn", "roleArn")?;
    let session_name = required(params, "RoleSessionName", "roleSessionName")?;
    let name_ok = (2..=64).contains(&session_name.len())
        && session_name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c));
    if !name_ok {
        return Err(validation(format!(
            "1 validation error detected: Value '{session_name}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*"
        )));
    }
    let denied = |message: String| AwsError::new("AccessDenied", StatusCode::FORBIDDEN, message);
    let not_authorized = || {
        denied(format!(
            "User: {} is not authorized to perform: sts:AssumeRole on resource: {role_arn}",
            caller.principal.arn()
        ))
    };
    let Some((role_account, role_name)) = parse_role_arn(role_arn) else {
        return Err(validation(format!("{role_arn} is invalid")));
    };
    // A role that does not exist is indistinguishable from one that does not trust
    // the caller, as on AWS.
    let role = app
        .iam
        .find_role(&role_account, role_name)
        .map_err(iam_error)?
        .ok_or_else(not_authorized)?;
    let trust = role.trust_policy().map_err(iam_error)?;
    let label = format!("role {} trust policy", role.role_name);
    authorize(
        app,
        caller,
        "sts:AssumeRole",
        &role.arn(),
        role_account.as_str(),
        Some(ResourcePolicy {
            label: &label,
            document: &trust,
            required: true,
        }),
    )
    .map_err(|e| match e {
        Denied::AccessDenied(_) => not_authorized(),
        Denied::Internal(e) => iam_error(e),
    })?;
    let requested = duration_seconds(params)?;
    let chained = matches!(caller.principal, Principal::AssumedRole { .. });
    let duration = SessionDuration::for_assume_role(requested, role.max_session_duration, chained)
        .map_err(iam_error)?;
    let session_policy = match params.get("Policy") {
        None => None,
        Some(text) => {
            PolicyDocument::parse(text, PolicyKind::Session)
                .map_err(|e| iam_error(IamError::MalformedPolicyDocument(e.message)))?;
            Some(text.to_owned())
        }
    };
    let packed_size = session_policy.as_ref().map(|p| {
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
        session_name: session_name.to_owned(),
        session_policy,
    };
    let assumed_role_id = principal.user_id();
    let assumed_arn = principal.arn();
    let session = app
        .iam
        .create_session(principal, duration, app.clock.now())
        .await
        .map_err(iam_error)?;
    let mut out = String::new();
    render_credentials(&mut out, &session);
    out.push_str("<AssumedRoleUser>");
    element(&mut out, "AssumedRoleId", &assumed_role_id);
    element(&mut out, "Arn", &assumed_arn);
    out.push_str("</AssumedRoleUser>");
    if let Some(size) = packed_size {
        element(&mut out, "PackedPolicySize", &size.to_string());
    }
    Ok(out)
}
