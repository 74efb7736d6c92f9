//! `POST /_strata/simulate`: decide a request against the policies this server has
//! stored, without performing it, and explain the decision. `strata policy simulate
//! --endpoint` calls it.
//!
//! Request: `{"principal": ARN, "action": "s3:PutObject", "resource": ARN,
//! "resource_account": "222222222222"?, "source_ip": "10.0.0.1"?, "context": {KEY: [VALUE]}?}`; the principal is an
//! account root, an IAM user or a session of an existing role. A role's trust policy is
//! used for `sts:AssumeRole` on that role; an S3 ARN brings its bucket's owner (as the
//! resource account, unless given) and bucket policy; a KMS key ARN (or alias ARN) brings
//! its key's account and key policy, which must allow even within that account.

use serde::Deserialize;
use strata_iam::{AccountId, Principal};

use crate::App;
use crate::authz::{Origin, ResourcePolicy, Target, decide};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimulateRequest {
    pub principal: String,
    pub action: String,
    pub resource: String,
    pub resource_account: Option<String>,
    pub source_ip: Option<std::net::IpAddr>,
    /// Further condition keys, e.g. `{"kms:ViaService": ["s3.us-east-1.amazonaws.com"]}`.
    #[serde(default)]
    pub context: std::collections::BTreeMap<String, Vec<String>>,
}

/// Resolves a principal ARN to the principal as the server knows it now.
fn resolve(app: &App, arn: &str) -> Result<Principal, String> {
    let unknown = || format!("{arn} is not a root, user or role-session ARN of this server");
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [_, _, service, _, account, resource] = parts[..] else {
        return Err(unknown());
    };
    let account = AccountId::parse(account).map_err(|_| unknown())?;
    match (service, resource.split_once('/')) {
        ("iam", None) if resource == "root" => Ok(Principal::Root { account }),
        ("iam", Some(("user", rest))) => {
            let name = rest.rsplit('/').next().unwrap_or(rest);
            let user = app
                .iam
                .get_user(&account, name)
                .map_err(|e| e.to_string())?;
            Ok(Principal::User {
                account,
                path: user.path,
                user_name: user.user_name,
                user_id: user.user_id,
            })
        }
        ("sts", Some(("assumed-role", rest))) => {
            let (role_name, session_name) = rest.split_once('/').ok_or_else(unknown)?;
            let role = app
                .iam
                .get_role(&account, role_name)
                .map_err(|e| e.to_string())?;
            Ok(Principal::AssumedRole {
                account,
                role_path: role.path,
                role_name: role.role_name,
                role_id: role.role_id,
                session_name: session_name.to_owned(),
                session_policy: None,
            })
        }
        _ => Err(unknown()),
    }
}

/// The KMS key a key ARN or alias ARN names, if this server has it.
fn kms_key(app: &App, arn: &str) -> Result<Option<strata_kms::Key>, String> {
    let Some(rest) = arn.strip_prefix("arn:aws:kms:") else {
        return Ok(None);
    };
    let mut parts = rest.splitn(3, ':');
    let (Some(region), Some(account), Some(resource)) = (parts.next(), parts.next(), parts.next())
    else {
        return Ok(None);
    };
    let id = match resource.strip_prefix("key/") {
        Some(id) => id.to_owned(),
        None => match app
            .kms
            .alias(account, region, resource)
            .map_err(|e| e.to_string())?
        {
            Some(alias) => alias.target_key_id,
            None => return Ok(None),
        },
    };
    app.kms.key(account, region, &id).map_err(|e| e.to_string())
}

/// Runs a simulation; the JSON answer or a message saying what was wrong. With `only`, an
/// account's root asks: the principal and the resource must both be that account's, so the
/// answer shows no other account's policies.
pub fn simulate(
    app: &App,
    request: SimulateRequest,
    only: Option<&str>,
) -> Result<serde_json::Value, String> {
    let principal = resolve(app, &request.principal)?;
    let outside = |what: &str| {
        format!(
            "simulate answers only about the signing account's own principals and resources; {what} is not in {}",
            only.unwrap_or_default()
        )
    };
    if let Some(account) = only
        && principal.account().as_str() != account
    {
        return Err(outside(&request.principal));
    }
    if request.action.eq_ignore_ascii_case("sts:AssumeRole")
        && let Some(refusal) = crate::iam::sts::root_refusal(&principal)
    {
        return Ok(serde_json::json!({
            "decision": "ExplicitDeny",
            "trace": [refusal],
            "message": refusal,
        }));
    }
    // An S3 resource: its bucket's owner and policy apply.
    let bucket = request
        .resource
        .strip_prefix("arn:aws:s3:::")
        .map(|rest| rest.split('/').next().unwrap_or(rest))
        .and_then(|name| app.s3.bucket(name).ok());
    let bucket_policy = match &bucket {
        Some(b) => crate::s3::access::bucket_policy(b).map_err(|e| e.to_string())?,
        None => None,
    };
    let resource_account = request
        .resource_account
        .clone()
        .or_else(|| bucket.as_ref().map(|b| b.owner.clone()))
        .unwrap_or_else(|| principal.account().to_string());
    // The trust policy of the role being assumed, if this is sts:AssumeRole.
    let role = if request.action.eq_ignore_ascii_case("sts:AssumeRole") {
        request
            .resource
            .strip_prefix("arn:aws:iam::")
            .and_then(|r| r.split_once(":role/"))
            .and_then(|(account, name)| {
                let account = AccountId::parse(account).ok()?;
                app.iam
                    .find_role(&account, name.rsplit('/').next()?)
                    .ok()
                    .flatten()
            })
    } else {
        None
    };
    let trust = role
        .as_ref()
        .map(strata_iam::Role::trust_policy)
        .transpose()
        .map_err(|e| e.to_string())?;
    let key = kms_key(app, &request.resource)?;
    let key_policy = key
        .as_ref()
        .map(crate::kms::access::key_policy)
        .transpose()
        .map_err(|e| e.to_string())?;
    let label = match (&role, &bucket, &key) {
        (Some(r), _, _) => format!("role {} trust policy", r.role_name),
        (None, Some(b), _) => format!("bucket {} policy", b.name),
        (None, None, Some(k)) => format!("key {} policy", k.key_id),
        (None, None, None) => String::new(),
    };
    let resource_policy = match (&trust, &bucket_policy, &key_policy) {
        (Some(document), _, _) | (None, None, Some(document)) => Some(ResourcePolicy {
            label: &label,
            document,
            required: true,
        }),
        (None, Some(document), _) => Some(ResourcePolicy {
            label: &label,
            document,
            required: false,
        }),
        (None, None, None) => None,
    };
    let resource_account = match &key {
        Some(key) if request.resource_account.is_none() => key.account.clone(),
        _ => resource_account,
    };
    let resource = key
        .as_ref()
        .map_or_else(|| request.resource.clone(), strata_kms::Key::arn);
    let mut context: Vec<(std::borrow::Cow<'static, str>, Vec<String>)> = request
        .context
        .iter()
        .map(|(k, v)| (std::borrow::Cow::Owned(k.clone()), v.clone()))
        .collect();
    if key.is_some() {
        context.push((
            std::borrow::Cow::Borrowed("kms:CallerAccount"),
            vec![principal.account().to_string()],
        ));
    }
    if let Some(account) = only
        && resource_account != account
    {
        return Err(outside(&request.resource));
    }
    let is_key = key.is_some();
    let target = Target {
        action: &request.action,
        resource: &resource,
        resource_account: &resource_account,
        resource_policy,
        context,
        denial: if is_key {
            crate::authz::Denial::Kms
        } else {
            Default::default()
        },
    };
    let origin = Origin {
        source_ip: request.source_ip,
        region: &app.default_region,
        secure_transport: false,
    };
    let (evaluated, decision) =
        decide(app, Some(&principal), &origin, target).map_err(|e| e.to_string())?;
    let message = if is_key {
        crate::authz::kms_access_denied_message(&evaluated, &decision)
    } else {
        strata_policy::access_denied_message(&evaluated, &decision)
    };
    Ok(serde_json::json!({
        "decision": format!("{:?}", decision.effect),
        "trace": decision.trace.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "message": message,
    }))
}
