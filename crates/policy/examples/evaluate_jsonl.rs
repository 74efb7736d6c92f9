//! Reads one authorization case per line on stdin and prints strata's decision per line on
//! stdout; the Rust half of the differential test in `tests/differential/` (which compares
//! against `@cloud-copilot/iam-simulate`).
//!
//! Input line:
//! `{"identity": [docText…], "resource": docText|null, "resource_kind": {"s3_bucket": "b"} | "dynamodb_table" | "kms_key",
//!   "request": {"principal": {"kind": "root"|"user"|"assumed_role", "account": "…", "path": "/",
//!   "name": "…", "id": "AIDA…/AROA…", "session": "…"}, "action": "…", "resource": "…",
//!   "resource_account": "…"|null, "context": {"key": ["value", …]}}}`
//!
//! Output line: `{"decision": "Allow"|"ExplicitDeny"|"ImplicitDeny"}`, or `{"error": "…"}`
//! when a policy does not parse or the line is malformed. The principal's global keys
//! (`aws:PrincipalArn`, `aws:userid`, …) come from [`RequestPrincipal::add_global_keys`];
//! `context` adds the rest.

use std::io::{self, BufRead, BufWriter, Write};

use serde_json::{Value, json};
use strata_policy::{
    Context, DecisionEffect, LabeledPolicy, Policies, PolicyDocument, PolicyKind, Request,
    RequestPrincipal, ResourcePolicyKind, evaluate,
};

fn main() -> io::Result<()> {
    let stdin = io::stdin();
    let mut out = BufWriter::new(io::stdout().lock());
    for line in stdin.lock().lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let answer = match decide(&line) {
            Ok(effect) => json!({ "decision": effect }),
            Err(e) => json!({ "error": e }),
        };
        writeln!(out, "{answer}")?;
    }
    out.flush()
}

fn decide(line: &str) -> Result<&'static str, String> {
    let case: Value = serde_json::from_str(line).map_err(|e| format!("bad input line: {e}"))?;
    let str_field = |v: &Value, k: &str| -> Result<String, String> {
        v.get(k)
            .and_then(Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| format!("missing string field {k}"))
    };

    let identity = case
        .get("identity")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .map(|d| {
            let text = d.as_str().ok_or("identity entries must be strings")?;
            PolicyDocument::parse(text, PolicyKind::Identity)
                .map_err(|e| format!("identity policy rejected: {e}"))
        })
        .collect::<Result<Vec<_>, String>>()?;

    let bucket;
    let resource_kind = match case.get("resource_kind") {
        Some(Value::String(s)) if s == "dynamodb_table" => ResourcePolicyKind::DynamoDbTable,
        Some(Value::String(s)) if s == "kms_key" => ResourcePolicyKind::KmsKey,
        Some(Value::Object(m)) if m.contains_key("s3_bucket") => {
            bucket = str_field(&case["resource_kind"], "s3_bucket")?;
            ResourcePolicyKind::S3Bucket { bucket: &bucket }
        }
        None | Some(Value::Null) => ResourcePolicyKind::DynamoDbTable,
        Some(other) => return Err(format!("unknown resource_kind {other}")),
    };
    let resource = match case.get("resource") {
        Some(Value::String(text)) => Some(
            PolicyDocument::parse(text, PolicyKind::Resource(resource_kind))
                .map_err(|e| format!("resource policy rejected: {e}"))?,
        ),
        None | Some(Value::Null) => None,
        Some(_) => return Err("resource must be a string or null".into()),
    };

    let req = case.get("request").ok_or("missing request")?;
    let p = req.get("principal").ok_or("missing request.principal")?;
    let account = str_field(p, "account")?;
    let path = p.get("path").and_then(Value::as_str).unwrap_or("/");
    let principal = match str_field(p, "kind")?.as_str() {
        "root" => RequestPrincipal::root(&account),
        "user" => {
            RequestPrincipal::user(&account, path, &str_field(p, "name")?, &str_field(p, "id")?)
        }
        "assumed_role" => RequestPrincipal::assumed_role(
            &account,
            path,
            &str_field(p, "name")?,
            &str_field(p, "id")?,
            &str_field(p, "session")?,
        ),
        other => return Err(format!("unknown principal kind {other}")),
    };
    let mut context = Context::new();
    principal.add_global_keys(&mut context);
    if let Some(map) = req.get("context").and_then(Value::as_object) {
        for (key, values) in map {
            let values = match values {
                Value::Array(list) => list
                    .iter()
                    .map(|v| {
                        v.as_str()
                            .map(str::to_owned)
                            .ok_or("context values must be strings")
                    })
                    .collect::<Result<Vec<_>, _>>()?,
                Value::String(s) => vec![s.clone()],
                _ => return Err(format!("context key {key}: expected string or list")),
            };
            context.set(key, values);
        }
    }
    let request = Request {
        principal,
        action: str_field(req, "action")?,
        resource: str_field(req, "resource")?,
        resource_account: req
            .get("resource_account")
            .and_then(Value::as_str)
            .map(str::to_owned),
        context,
    };

    let labeled: Vec<LabeledPolicy<'_>> = identity
        .iter()
        .map(|document| LabeledPolicy {
            label: "identity",
            document,
        })
        .collect();
    let policies = Policies {
        identity: &labeled,
        resource: resource.as_ref().map(|document| LabeledPolicy {
            label: "resource",
            document,
        }),
        // A KMS key policy must allow even within the key's account.
        resource_policy_required: resource_kind == ResourcePolicyKind::KmsKey,
        ..Policies::default()
    };
    Ok(match evaluate(&request, &policies).effect {
        DecisionEffect::Allow => "Allow",
        DecisionEffect::ExplicitDeny => "ExplicitDeny",
        DecisionEffect::ImplicitDeny => "ImplicitDeny",
    })
}
