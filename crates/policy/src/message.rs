//! AWS's access-denied message texts (spec §3.2, §4.5).
//!
//! `User: <arn> is not authorized to perform: <action> on resource: <resource> because no
//! <policy type> allows the <action> action`, or `… with an explicit deny in a(n) <policy
//! type>`. For a role session `<arn>` is the assumed-role session ARN.

use crate::request::Request;
use crate::trace::{Decision, DecisionEffect, PolicyType};

/// The DynamoDB/IAM/STS form (resource unquoted). Empty for an allowed request.
pub fn access_denied_message(request: &Request, decision: &Decision) -> String {
    render(request, decision, false)
}

/// S3's same-account form, which quotes the resource ARN (spec §4.5). Cross-account S3
/// requests answer the plain `Access Denied` instead; that choice is the caller's.
pub fn s3_access_denied_message(request: &Request, decision: &Decision) -> String {
    render(request, decision, true)
}

fn render(request: &Request, decision: &Decision, quote: bool) -> String {
    let action = &request.action;
    let resource = if quote {
        format!("\"{}\"", request.resource)
    } else {
        request.resource.clone()
    };
    let head = format!(
        "User: {} is not authorized to perform: {action} on resource: {resource}",
        request.principal.arn
    );
    let policy_type = decision
        .denying_policy_type()
        .unwrap_or(PolicyType::IdentityBased);
    match decision.effect {
        DecisionEffect::Allow => String::new(),
        DecisionEffect::ExplicitDeny => format!(
            "{head} with an explicit deny in {} {}",
            policy_type.article(),
            policy_type.as_aws_str()
        ),
        DecisionEffect::ImplicitDeny => format!(
            "{head} because no {} allows the {action} action",
            policy_type.as_aws_str()
        ),
    }
}
