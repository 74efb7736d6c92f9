//! `strata policy simulate`: the policy engine on files, with its trace — the
//! explanation AWS never gives when an export's write is denied.

use std::path::Path;

use anyhow::{Context as _, bail};
use strata_policy::{
    Context, LabeledPolicy, Policies, PolicyDocument, PolicyKind, Request, RequestPrincipal,
    ResourcePolicyKind, access_denied_message, evaluate,
};

use crate::cli::{ResourcePolicyType, SimulateArgs};

/// Builds the caller from its ARN, as the server does from credentials.
fn principal(arn: &str, id: Option<&str>) -> anyhow::Result<RequestPrincipal> {
    if arn == "anonymous" || arn == "*" {
        return Ok(RequestPrincipal::anonymous());
    }
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [_, _, service, _, account, resource] = parts[..] else {
        bail!("--principal {arn:?} is not an ARN");
    };
    match (service, resource.split_once('/')) {
        ("iam", None) if resource == "root" => Ok(RequestPrincipal::root(account)),
        ("iam", Some(("user", rest))) => {
            let (path, name) = match rest.rsplit_once('/') {
                Some((path, name)) => (format!("/{path}/"), name),
                None => ("/".to_owned(), rest),
            };
            Ok(RequestPrincipal::user(
                account,
                &path,
                name,
                id.unwrap_or("AIDASIMULATEDUSER0001"),
            ))
        }
        ("sts", Some(("assumed-role", rest))) => {
            let Some((role, session)) = rest.split_once('/') else {
                bail!("an assumed-role ARN ends in ROLE/SESSION: {arn:?}");
            };
            Ok(RequestPrincipal::assumed_role(
                account,
                "/",
                role,
                id.unwrap_or("AROASIMULATEDROLE0001"),
                session,
            ))
        }
        _ => bail!("--principal {arn:?}: expected an account root, IAM user or assumed-role ARN"),
    }
}

fn load(path: &Path, kind: PolicyKind<'_>) -> anyhow::Result<PolicyDocument> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    PolicyDocument::parse(&text, kind)
        .map_err(|e| anyhow::anyhow!("{}: {}", path.display(), e.message))
}

fn labeled((label, document): &(String, PolicyDocument)) -> LabeledPolicy<'_> {
    LabeledPolicy { label, document }
}

pub fn simulate(args: SimulateArgs) -> anyhow::Result<()> {
    if let Some(endpoint) = &args.endpoint {
        return simulate_on_server(endpoint, &args);
    }
    let principal = principal(&args.principal, args.principal_id.as_deref())?;
    let mut context = Context::new();
    principal.add_global_keys(&mut context);
    if let Some(ip) = args.source_ip {
        context.insert("aws:SourceIp", ip.to_string());
    }
    for pair in &args.context {
        let Some((key, value)) = pair.split_once('=') else {
            bail!("--context {pair:?}: expected KEY=VALUE");
        };
        context.insert(key, value);
    }
    let resource_account = args
        .resource_account
        .clone()
        .unwrap_or_else(|| principal.account.clone());
    let bucket = args
        .resource
        .strip_prefix("arn:aws:s3:::")
        .map(|r| r.split('/').next().unwrap_or(r).to_owned())
        .unwrap_or_default();
    let identity: Vec<(String, PolicyDocument)> = args
        .identity_policies
        .iter()
        .map(|p| Ok((p.display().to_string(), load(p, PolicyKind::Identity)?)))
        .collect::<anyhow::Result<_>>()?;
    let session: Vec<(String, PolicyDocument)> = args
        .session_policies
        .iter()
        .map(|p| Ok((p.display().to_string(), load(p, PolicyKind::Session)?)))
        .collect::<anyhow::Result<_>>()?;
    let resource = match &args.resource_policy {
        None => None,
        Some(path) => {
            let kind = match args.resource_policy_type {
                ResourcePolicyType::Bucket => {
                    PolicyKind::Resource(ResourcePolicyKind::S3Bucket { bucket: &bucket })
                }
                ResourcePolicyType::Table => {
                    PolicyKind::Resource(ResourcePolicyKind::DynamoDbTable)
                }
                ResourcePolicyType::Trust => PolicyKind::Trust,
                ResourcePolicyType::Key => PolicyKind::Resource(ResourcePolicyKind::KmsKey),
            };
            Some((path.display().to_string(), load(path, kind)?))
        }
    };
    let identity: Vec<LabeledPolicy<'_>> = identity.iter().map(labeled).collect();
    let session: Vec<LabeledPolicy<'_>> = session.iter().map(labeled).collect();
    let request = Request {
        principal,
        action: args.action.clone(),
        resource: args.resource.clone(),
        resource_account: Some(resource_account),
        context,
    };
    let decision = evaluate(
        &request,
        &Policies {
            identity: &identity,
            resource: resource.as_ref().map(labeled),
            session: &session,
            resource_policy_required: matches!(
                args.resource_policy_type,
                ResourcePolicyType::Trust | ResourcePolicyType::Key
            ) && resource.is_some(),
            ..Policies::default()
        },
    );
    let trace: Vec<String> = decision.trace.iter().map(ToString::to_string).collect();
    let message = access_denied_message(&request, &decision);
    report(&format!("{:?}", decision.effect), &trace, &message)
}

/// Prints a decision; exits 2 when denied.
fn report(decision: &str, trace: &[String], message: &str) -> anyhow::Result<()> {
    println!("decision: {decision}");
    println!("trace:");
    for entry in trace {
        println!("  - {entry}");
    }
    if decision == "Allow" {
        return Ok(());
    }
    println!("AWS would answer: AccessDenied: {message}");
    std::process::exit(2);
}

/// `POST /_strata/simulate` on a running server (plain HTTP on loopback).
fn simulate_on_server(endpoint: &str, args: &SimulateArgs) -> anyhow::Result<()> {
    let body = serde_json::json!({
        "principal": args.principal,
        "action": args.action,
        "resource": args.resource,
        "resource_account": args.resource_account,
        "source_ip": args.source_ip,
    })
    .to_string();
    let (_, payload) = crate::http::Endpoint::parse(endpoint)?.send(
        "POST",
        "/_strata/simulate",
        &[("Content-Type", "application/json".to_owned())],
        body.as_bytes(),
    )?;
    let answer: serde_json::Value =
        serde_json::from_slice(&payload).context("the server's answer is not JSON")?;
    if let Some(error) = answer.get("error").and_then(|e| e.as_str()) {
        bail!("{error}");
    }
    let field = |name: &str| {
        answer
            .get(name)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_owned()
    };
    let trace: Vec<String> = answer
        .get("trace")
        .and_then(|t| t.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|e| e.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    report(&field("decision"), &trace, &field("message"))
}
