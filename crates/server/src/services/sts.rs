//! STS actions (Query protocol, `2011-06-15`).

use crate::auth::Caller;
use crate::protocol::AwsError;
use crate::protocol::query::{Params, QueryService, invalid_action};
use crate::protocol::xml::element;

/// Runs an STS action for an authenticated caller; returns the rendered
/// `<ActionResult>` body.
pub fn handle(caller: &Caller, action: &str, _params: &Params) -> Result<Option<String>, AwsError> {
    match action {
        "GetCallerIdentity" => Ok(Some(get_caller_identity(caller))),
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
