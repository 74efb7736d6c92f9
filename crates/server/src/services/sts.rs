//! STS over the Query protocol (`2011-06-15`): parameters decoded into the application's typed
//! input, run by `strata_app::iam::sts`, the output written as the action's `…Result` XML.

use strata_app::iam::error::one_validation_error;
use strata_app::iam::sts::{self, AssumeRoleInput, GetSessionTokenInput};
use strata_app::{App, Caller};

use super::iam::{number, required};
use crate::protocol::AwsError;
use crate::protocol::query::{Params, QueryService, Result as Rendered, invalid_action, rendered};

/// A session name: 2 to 64 of `[\w+=,.@-]`.
fn session_name_ok(name: &str) -> bool {
    (2..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c))
}

/// Runs an STS action for an authenticated caller; returns its rendered `<ActionResult>`.
pub async fn handle(app: &App, caller: &Caller, action: &str, params: &Params) -> Rendered {
    match action {
        "GetCallerIdentity" => {
            rendered(action, Ok::<_, AwsError>(sts::get_caller_identity(caller)))
        }
        "GetSessionToken" => {
            let input = GetSessionTokenInput {
                duration_seconds: number(params, "DurationSeconds")?,
            };
            rendered(action, sts::get_session_token(app, caller, input).await)
        }
        "AssumeRole" => {
            let role_arn = required(params, "RoleArn")?;
            let role_session_name = required(params, "RoleSessionName")?;
            if !session_name_ok(&role_session_name) {
                return Err(AwsError::from(one_validation_error(format!(
                    "Value '{role_session_name}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*"
                ))));
            }
            let external_id = params.get("ExternalId").map(str::to_owned);
            if let Some(id) = &external_id {
                check_external_id(id)?;
            }
            let input = AssumeRoleInput {
                role_arn,
                role_session_name,
                duration_seconds: number(params, "DurationSeconds")?,
                policy: params.get("Policy").map(str::to_owned),
                external_id,
            };
            rendered(action, sts::assume_role(app, caller, input).await)
        }
        other => Err(invalid_action(other, QueryService::Sts)),
    }
}

/// `ExternalId`: 2 to 1,224 characters of `[\w+=,.@:\/-]` (the STS model).
fn check_external_id(id: &str) -> Result<(), AwsError> {
    let violation = |constraint: &str| {
        Err(AwsError::from(one_validation_error(format!(
            "Value '{id}' at 'externalId' failed to satisfy constraint: {constraint}"
        ))))
    };
    let length = id.chars().count();
    if length < 2 {
        return violation("Member must have length greater than or equal to 2");
    }
    if length > 1224 {
        return violation("Member must have length less than or equal to 1224");
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || "_+=,.@:/-".contains(c);
    if !id.chars().all(allowed) {
        return violation("Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]*");
    }
    Ok(())
}
