//! Parsing and validating a policy document's JSON, in AWS's check order and with AWS's
//! message texts (spec §1.1, §1.8).
//!
//! The text is read once into a `serde_json::Value` (duplicate keys rejected), then walked:
//! first a syntax pass over the whole document, so a syntax error anywhere wins over a
//! semantic one, then the kind-specific rules while building the typed statements.

use std::collections::HashSet;

use serde_json::{Map, Value};

use crate::action::ActionPattern;
use crate::condition;
use crate::document::{
    ActionBlock, Effect, PolicyDocument, PolicyKind, PrincipalBlock, ResourceBlock,
    ResourcePolicyKind, Statement, Version,
};
use crate::error::PolicyError;
use crate::json::{JsonError, parse_strict};
use crate::principal;
use crate::resource;

// IAM (`MalformedPolicyDocument`).
pub(crate) const MSG_SYNTAX: &str = "Syntax errors in policy.";
pub(crate) const MSG_VERSION_2012: &str = "Policy document must be version 2012-10-17 or greater.";
pub(crate) const MSG_NO_PRINCIPAL_ALLOWED: &str = "Policy document should not specify a principal.";
pub(crate) const MSG_NEEDS_ACTIONS: &str = "Policy statement must contain actions.";
pub(crate) const MSG_NEEDS_RESOURCES: &str = "Policy statement must contain resources.";
pub(crate) const MSG_DUPLICATE_SID: &str = "Statement IDs (SID) in a single policy must be unique.";
/// UNCONFIRMED wording; IAM documents SIDs in identity policies as alphanumeric.
pub(crate) const MSG_SID_ALPHANUMERIC: &str = "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*";
pub(crate) const MSG_TRUST_NO_PRINCIPAL: &str = "Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: The passed in policy has a statement with no principals!";
/// IAM's answer to a trust policy that is not JSON (LocalStack's snapshot recorded against AWS,
/// `test_update_assume_role_policy_errors`); identity policies get [`MSG_SYNTAX`].
pub(crate) const MSG_TRUST_INVALID_JSON: &str = "This policy contains invalid Json";
/// A trust policy's actions (LocalStack's AWS-recorded snapshot; versitygw's trust checks).
pub(crate) const MSG_TRUST_ACTIONS: &str =
    "AssumeRole policy may only specify STS AssumeRole actions.";
/// A trust policy with `Resource` (LocalStack's AWS-recorded snapshot; AWS's answers quoted in
/// external-dns#3085 and terraform#34231 have no final period).
pub(crate) const MSG_TRUST_RESOURCE: &str = "Has prohibited field Resource";
/// A trust policy with `NotResource` [PEER versitygw]; UNCONFIRMED against AWS.
pub(crate) const MSG_TRUST_NOT_RESOURCE: &str = "AssumeRole policy must not contain resources.";

// S3 (`MalformedPolicy`).
pub(crate) const MSG_S3_FIRST_BYTE: &str =
    "Policies must be valid JSON and the first byte must be '{'";
pub(crate) const MSG_S3_INVALID_JSON: &str = "This policy contains invalid Json";
/// UNCONFIRMED: S3's text for structural errors that are valid JSON.
pub(crate) const MSG_S3_SYNTAX: &str = "Invalid policy syntax.";
pub(crate) const MSG_S3_VERSION: &str = "The policy must contain a valid version string";
pub(crate) const MSG_S3_STATEMENT_EMPTY: &str = "Could not parse the policy: Statement is empty!";
/// `Missing required field <F>` (`Statement`, `Principal`; `Effect`, `Action`, `Resource`
/// by analogy, UNCONFIRMED).
pub(crate) fn msg_s3_missing(field: &str) -> String {
    format!("Missing required field {field}")
}
/// `Invalid effect: <value>`.
pub(crate) fn msg_s3_effect(value: &str) -> String {
    format!("Invalid effect: {value}")
}

const TRUST_ACTIONS: [&str; 6] = [
    "sts:assumerole",
    "sts:assumerolewithsaml",
    "sts:assumerolewithwebidentity",
    "sts:tagsession",
    "sts:setsourceidentity",
    "sts:setcontext",
];

const TOP_KEYS: [&str; 3] = ["Version", "Id", "Statement"];
const STATEMENT_KEYS: [&str; 9] = [
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];

/// Whose message texts apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dialect {
    Iam,
    S3,
}

impl Dialect {
    pub(crate) fn of(kind: PolicyKind<'_>) -> Dialect {
        match kind {
            PolicyKind::Resource(ResourcePolicyKind::S3Bucket { .. }) => Dialect::S3,
            _ => Dialect::Iam,
        }
    }

    pub(crate) fn syntax(self) -> PolicyError {
        PolicyError::new(match self {
            Dialect::Iam => MSG_SYNTAX,
            Dialect::S3 => MSG_S3_SYNTAX,
        })
    }

    fn pick(self, iam: impl Into<String>, s3: impl Into<String>) -> PolicyError {
        match self {
            Dialect::Iam => PolicyError::new(iam),
            Dialect::S3 => PolicyError::new(s3),
        }
    }
}

/// A string or an array of strings (spec §1.1's "string or list").
pub(crate) fn string_or_list(v: &Value) -> Option<Vec<&str>> {
    match v {
        Value::String(s) => Some(vec![s.as_str()]),
        Value::Array(items) => items.iter().map(Value::as_str).collect(),
        _ => None,
    }
}

pub(crate) fn parse_document(
    text: &str,
    kind: PolicyKind<'_>,
) -> Result<PolicyDocument, PolicyError> {
    let d = Dialect::of(kind);
    if d == Dialect::S3 && !text.trim_start().starts_with('{') {
        return Err(PolicyError::new(MSG_S3_FIRST_BYTE));
    }
    let root = match parse_strict(text) {
        Ok(v) => v,
        Err(JsonError::Invalid | JsonError::DuplicateKey) if kind == PolicyKind::Trust => {
            return Err(PolicyError::new(MSG_TRUST_INVALID_JSON));
        }
        Err(JsonError::Invalid | JsonError::DuplicateKey) => {
            return Err(d.pick(MSG_SYNTAX, MSG_S3_INVALID_JSON));
        }
    };
    let Value::Object(top) = &root else {
        return Err(d.pick(MSG_SYNTAX, MSG_S3_INVALID_JSON));
    };
    if top.keys().any(|k| !TOP_KEYS.contains(&k.as_str())) {
        return Err(d.syntax());
    }
    let version = match top.get("Version") {
        None => Version::V2008_10_17,
        Some(Value::String(v)) if v == "2012-10-17" => Version::V2012_10_17,
        Some(Value::String(v)) if v == "2008-10-17" => Version::V2008_10_17,
        Some(_) => return Err(d.pick(MSG_SYNTAX, MSG_S3_VERSION)),
    };
    let id = match top.get("Id") {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return Err(d.syntax()),
    };
    let raw_statements: Vec<&Map<String, Value>> = match top.get("Statement") {
        None => return Err(d.pick(MSG_SYNTAX, msg_s3_missing("Statement"))),
        Some(Value::Object(s)) => vec![s],
        Some(Value::Array(items)) if items.is_empty() => {
            return Err(d.pick(MSG_SYNTAX, MSG_S3_STATEMENT_EMPTY));
        }
        Some(Value::Array(items)) => items
            .iter()
            .map(Value::as_object)
            .collect::<Option<_>>()
            .ok_or_else(|| d.syntax())?,
        Some(_) => return Err(d.syntax()),
    };
    for s in &raw_statements {
        check_statement_syntax(s, d)?;
    }
    if matches!(kind, PolicyKind::Identity | PolicyKind::Session) && version != Version::V2012_10_17
    {
        // UNCONFIRMED against live AWS (moto asserts it); spec §1.8.
        return Err(PolicyError::new(MSG_VERSION_2012));
    }
    let variables = version == Version::V2012_10_17;
    let mut statements = Vec::with_capacity(raw_statements.len());
    for s in raw_statements {
        statements.push(parse_statement(s, kind, d, variables)?);
    }
    if d == Dialect::Iam {
        let mut seen = HashSet::new();
        for sid in statements.iter().filter_map(|s| s.sid.as_deref()) {
            if matches!(kind, PolicyKind::Identity | PolicyKind::Session)
                && !sid.bytes().all(|b| b.is_ascii_alphanumeric())
            {
                return Err(PolicyError::new(MSG_SID_ALPHANUMERIC));
            }
            if !seen.insert(sid) {
                return Err(PolicyError::new(MSG_DUPLICATE_SID));
            }
        }
    }
    Ok(PolicyDocument {
        version,
        id,
        statements,
    })
}

/// Keys and value types only; everything here is a plain syntax error.
fn check_statement_syntax(s: &Map<String, Value>, d: Dialect) -> Result<(), PolicyError> {
    let bad = || d.syntax();
    if s.keys().any(|k| !STATEMENT_KEYS.contains(&k.as_str())) {
        return Err(bad());
    }
    let both = |a: &str, b: &str| s.contains_key(a) && s.contains_key(b);
    if both("Principal", "NotPrincipal")
        || both("Action", "NotAction")
        || both("Resource", "NotResource")
    {
        return Err(bad());
    }
    if s.get("Sid").is_some_and(|v| !v.is_string()) {
        return Err(bad());
    }
    match s.get("Effect") {
        Some(Value::String(e)) if d == Dialect::Iam && e != "Allow" && e != "Deny" => {
            return Err(bad());
        }
        Some(Value::String(_)) | None => {}
        Some(_) => return Err(bad()),
    }
    for key in ["Action", "NotAction", "Resource", "NotResource"] {
        if s.get(key).is_some_and(|v| string_or_list(v).is_none()) {
            return Err(bad());
        }
    }
    for key in ["Principal", "NotPrincipal"] {
        if s.get(key).is_some_and(|v| !v.is_string() && !v.is_object()) {
            return Err(bad());
        }
    }
    match s.get("Condition") {
        Some(Value::Object(ops)) if ops.values().all(Value::is_object) => Ok(()),
        Some(_) => Err(bad()),
        None => Ok(()),
    }
}

fn parse_statement(
    s: &Map<String, Value>,
    kind: PolicyKind<'_>,
    d: Dialect,
    variables: bool,
) -> Result<Statement, PolicyError> {
    let sid = s.get("Sid").and_then(Value::as_str).map(str::to_owned);
    let effect = match s.get("Effect").and_then(Value::as_str) {
        Some("Allow") => Effect::Allow,
        Some("Deny") => Effect::Deny,
        Some(other) => return Err(d.pick(MSG_SYNTAX, msg_s3_effect(other))),
        None => return Err(d.pick(MSG_SYNTAX, msg_s3_missing("Effect"))),
    };

    // Principal presence rules by document kind.
    let principal_raw = match (s.get("Principal"), s.get("NotPrincipal")) {
        (Some(p), _) => Some((p, false)),
        (None, Some(p)) => Some((p, true)),
        (None, None) => None,
    };
    match (kind, principal_raw) {
        (PolicyKind::Identity | PolicyKind::Session, Some(_)) => {
            return Err(PolicyError::new(MSG_NO_PRINCIPAL_ALLOWED));
        }
        (PolicyKind::Trust, None) => return Err(PolicyError::new(MSG_TRUST_NO_PRINCIPAL)),
        // UNCONFIRMED: IAM's text for NotPrincipal in a trust policy.
        (PolicyKind::Trust, Some((_, true))) => return Err(d.syntax()),
        (PolicyKind::Resource(_), None) => {
            return Err(PolicyError::new(msg_s3_missing("Principal")));
        }
        _ => {}
    }

    // Actions.
    let (action_raw, not_action) = match (s.get("Action"), s.get("NotAction")) {
        (Some(a), _) => (string_or_list(a), false),
        (None, Some(a)) => (string_or_list(a), true),
        (None, None) => (None, false),
    };
    let action_raw = action_raw.filter(|a| !a.is_empty());
    let Some(action_raw) = action_raw else {
        return Err(d.pick(MSG_NEEDS_ACTIONS, msg_s3_missing("Action")));
    };
    let actions = action_raw
        .iter()
        .map(|a| ActionPattern::parse(a, d))
        .collect::<Result<Vec<_>, _>>()?;
    if kind == PolicyKind::Trust {
        let allowed = actions
            .iter()
            .all(|a| TRUST_ACTIONS.iter().any(|t| a.matches(t)));
        if not_action || !allowed {
            return Err(PolicyError::new(MSG_TRUST_ACTIONS));
        }
    }
    let action = if not_action {
        ActionBlock::NotAction(actions)
    } else {
        ActionBlock::Action(actions)
    };

    // Resources.
    let resource = match (kind, s.get("Resource"), s.get("NotResource")) {
        (PolicyKind::Trust, Some(_), _) => {
            return Err(PolicyError::new(MSG_TRUST_RESOURCE));
        }
        (PolicyKind::Trust, None, Some(_)) => {
            return Err(PolicyError::new(MSG_TRUST_NOT_RESOURCE));
        }
        (PolicyKind::Trust, None, None) => None,
        (_, r, nr) => {
            let (raw, not) = match (r, nr) {
                (Some(r), _) => (string_or_list(r), false),
                (None, Some(r)) => (string_or_list(r), true),
                (None, None) => (None, false),
            };
            let Some(raw) = raw.filter(|r| !r.is_empty()) else {
                return Err(d.pick(MSG_NEEDS_RESOURCES, msg_s3_missing("Resource")));
            };
            for r in &raw {
                match kind {
                    PolicyKind::Resource(ResourcePolicyKind::S3Bucket { bucket }) => {
                        resource::check_bucket(r, bucket)?;
                    }
                    _ => resource::check_iam(r)?,
                }
            }
            let patterns = raw
                .iter()
                .map(|r| resource::compile(r, variables))
                .collect();
            Some(if not {
                ResourceBlock::NotResource(patterns)
            } else {
                ResourceBlock::Resource(patterns)
            })
        }
    };

    let principal = match principal_raw {
        None => None,
        Some((raw, not)) => {
            let list = principal::parse_block(raw, d)?;
            Some(if not {
                PrincipalBlock::NotPrincipal(list)
            } else {
                PrincipalBlock::Principal(list)
            })
        }
    };

    let conditions = match s.get("Condition") {
        Some(block) => condition::parse_block(block, variables, d)?,
        None => Vec::new(),
    };

    Ok(Statement {
        sid,
        effect,
        principal,
        action,
        resource,
        conditions,
    })
}

#[cfg(test)]
mod tests;
