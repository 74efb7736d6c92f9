//! STS actions (Query protocol, `2011-06-15`).

use http::StatusCode;
use strata_iam::{Principal, SessionDuration};

use crate::auth::Caller;
use crate::protocol::AwsError;
use crate::protocol::query::{Params, QueryService, invalid_action};
use crate::protocol::xml::element;
use crate::services::iam::{iam_error, iso};
use crate::state::ServerState;

/// Runs an STS action for an authenticated caller; returns the rendered
/// `<ActionResult>` body.
pub async fn handle(
    state: &ServerState,
    caller: &Caller,
    action: &str,
    params: &Params,
) -> Result<Option<String>, AwsError> {
    match action {
        "GetCallerIdentity" => Ok(Some(get_caller_identity(caller))),
        "GetSessionToken" => get_session_token(state, caller, params).await.map(Some),
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
    state: &ServerState,
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
    let requested = match params.get("DurationSeconds") {
        None => None,
        Some(text) => Some(text.parse::<i64>().map_err(|_| {
            AwsError::new(
                "ValidationError",
                StatusCode::BAD_REQUEST,
                format!("Value '{text}' at 'durationSeconds' failed to satisfy constraint: Member must be a number"),
            )
        })?),
    };
    let root = matches!(caller.principal, Principal::Root { .. });
    let duration = SessionDuration::for_session_token(requested, root).map_err(iam_error)?;
    let session = state
        .iam
        .create_session(caller.principal.clone(), duration, state.clock.now())
        .await
        .map_err(iam_error)?;
    let mut out = String::from("<Credentials>");
    element(&mut out, "AccessKeyId", &session.access_key_id);
    element(&mut out, "SecretAccessKey", &session.secret_access_key);
    element(&mut out, "SessionToken", &session.session_token);
    element(&mut out, "Expiration", &iso(session.expiration));
    out.push_str("</Credentials>");
    Ok(out)
}
