//! The one authorization entry point: every engine call made for a caller asks here
//! first, with the action and resource ARN AWS would evaluate (spec iam-s3-authz §3).
//!
//! It gathers what applies — the caller's identity policies from the IAM engine, the
//! request context (`aws:*` global keys on the server clock) — and hands them to the
//! policy engine (`strata-policy`), which decides and explains. A denial is logged
//! with its trace at `info`, so "why was this denied?" is one `grep` away.

use std::borrow::Cow;
use strata_iam::{IamError, Principal};
use strata_policy::{
    Context, LabeledPolicy, Policies, Request, RequestPrincipal, access_denied_message, evaluate,
    s3_access_denied_message,
};

use crate::{App, Caller, Requester};

/// Why a request may not proceed.
#[derive(Debug)]
pub enum Denied {
    /// AWS's AccessDenied message for this request.
    AccessDenied(String),
    /// The policies could not be loaded.
    Internal(IamError),
}

fn request_principal(principal: &Principal) -> RequestPrincipal {
    match principal {
        Principal::Root { account } => RequestPrincipal::root(account.as_str()),
        Principal::User {
            account,
            path,
            user_name,
            user_id,
        } => RequestPrincipal::user(account.as_str(), path, user_name, user_id),
        Principal::AssumedRole {
            account,
            role_path,
            role_name,
            role_id,
            session_name,
            ..
        } => RequestPrincipal::assumed_role(
            account.as_str(),
            role_path,
            role_name,
            role_id,
            session_name,
        ),
    }
}

fn labeled(policy: &strata_iam::NamedPolicy) -> LabeledPolicy<'_> {
    LabeledPolicy {
        label: &policy.label,
        document: &policy.document,
    }
}

/// The resource-based policy of the resource a request touches: a role's trust
/// policy, later bucket and table policies.
pub struct ResourcePolicy<'a> {
    pub label: &'a str,
    pub document: &'a strata_policy::PolicyDocument,
    /// The resource policy must allow even within one account (role trust policies).
    pub required: bool,
}

/// Decides whether `caller` may perform `action` (`service:Action`) on `resource`,
/// owned by `resource_account`, whose resource policy (if any) is `resource_policy`.
pub fn authorize(
    app: &App,
    caller: &Caller,
    action: &str,
    resource: &str,
    resource_account: &str,
    resource_policy: Option<ResourcePolicy<'_>>,
) -> Result<(), Denied> {
    authorize_target(
        app,
        caller,
        Target {
            action,
            resource,
            resource_account,
            resource_policy,
            context: Vec::new(),
            denial: Denial::Standard,
        },
    )
}

/// [`authorize`] with service-specific condition keys (`dynamodb:LeadingKeys`, …).
pub fn authorize_target(app: &App, caller: &Caller, target: Target<'_>) -> Result<(), Denied> {
    let (action, resource) = (target.action, target.resource);
    // The root user acting on its own account's resource, with no resource policy that
    // could deny: nothing else can (root has no identity or session policies and strata has
    // no SCPs), so the answer is Allow without building a request context — the hot path of
    // single-account use. `decide` (and so the simulator) still explains it in full.
    if let Principal::Root { account } = &caller.principal
        && account.as_str() == target.resource_account
        && target.resource_policy.is_none()
    {
        tracing::debug!(target: "strata::authz", principal = %account, action, resource, "allowed: root of the owning account");
        return Ok(());
    }
    judge(app, Some(&caller.principal), &Origin::of(caller), target)
}

/// Whether the AWS service principal `service` (`cloudformation.amazonaws.com`) may perform
/// `action` on a resource by its resource policy alone (a role's trust policy when a service
/// assumes it): service principals have no identity policies.
pub fn service_allowed(
    service: &str,
    action: &str,
    resource: &str,
    resource_account: &str,
    policy: ResourcePolicy<'_>,
) -> bool {
    let request = Request {
        principal: RequestPrincipal::service(service),
        action: action.to_owned(),
        resource: resource.to_owned(),
        resource_account: Some(resource_account.to_owned()),
        context: Context::new(),
    };
    let decision = evaluate(
        &request,
        &Policies {
            resource: Some(LabeledPolicy {
                label: policy.label,
                document: policy.document,
            }),
            resource_policy_required: policy.required,
            ..Policies::default()
        },
    );
    decision.is_allowed()
}

/// [`authorize_target`] for an unsigned request (S3 only): judged by the resource policy's
/// statements for `Principal: "*"` alone.
pub fn authorize_anonymous(
    app: &App,
    origin: &Origin<'_>,
    target: Target<'_>,
) -> Result<(), Denied> {
    judge(app, None, origin, target)
}

fn judge(
    app: &App,
    principal: Option<&Principal>,
    origin: &Origin<'_>,
    target: Target<'_>,
) -> Result<(), Denied> {
    let (action, resource, denial) = (target.action, target.resource, target.denial);
    let (request, decision) = decide(app, principal, origin, target).map_err(Denied::Internal)?;
    // Field values are only evaluated when the level is enabled, so an allowed
    // request pays nothing for its trace unless debug logging is on.
    let trace = || {
        decision
            .trace
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ")
    };
    if decision.is_allowed() {
        tracing::debug!(target: "strata::authz", principal = %request.principal.arn, action, resource, trace = %trace(), "allowed");
        return Ok(());
    }
    tracing::info!(target: "strata::authz", principal = %request.principal.arn, action, resource, trace = %trace(), "denied");
    let message = match denial {
        Denial::Standard => access_denied_message(&request, &decision),
        Denial::S3 if request.resource_account.as_deref() == Some(&request.principal.account) => {
            s3_access_denied_message(&request, &decision)
        }
        Denial::S3 => "Access Denied".to_owned(),
        Denial::S3Detailed => s3_access_denied_message(&request, &decision),
        Denial::Kms => kms_access_denied_message(&request, &decision),
    };
    app.denials.record(crate::denials::Denial {
        at: app.clock.now().to_string(),
        principal: request.principal.arn.clone(),
        principal_account: request.principal.account.clone(),
        resource_account: request.resource_account.clone().unwrap_or_default(),
        action: action.to_owned(),
        resource: resource.to_owned(),
        message: message.clone(),
        trace: decision.trace.iter().map(ToString::to_string).collect(),
    });
    Err(Denied::AccessDenied(message))
}

/// What a request is about.
pub struct Target<'a> {
    pub action: &'a str,
    pub resource: &'a str,
    pub resource_account: &'a str,
    pub resource_policy: Option<ResourcePolicy<'a>>,
    /// Service-specific condition keys and their values.
    pub context: Vec<(Cow<'static, str>, Vec<String>)>,
    /// How a denial is worded.
    pub denial: Denial,
}

/// The wording of an `AccessDenied` message, which differs between services.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Denial {
    /// IAM, STS and DynamoDB: `User: … is not authorized to perform: …`.
    #[default]
    Standard,
    /// S3: the same with the resource ARN quoted within one account; a plain
    /// `Access Denied` across accounts and for anonymous callers (spec §4.5).
    S3,
    /// S3's quoted form whatever the accounts: what an export's failure message quotes.
    S3Detailed,
    /// KMS: the standard form, except that a key of another account whose key policy does
    /// not let the caller in is not confirmed to exist (spec kms-sse §3.5).
    Kms,
}

/// KMS's AccessDeniedException text. Across accounts a refusal by the key policy reads as
/// AWS words it for a key that may not exist; a missing identity-based allow, and every
/// refusal within the key's account, in the standard form. UNCONFIRMED (spec kms-sse §3.5,
/// open question 5): the precedence between the texts; strata names the key-policy side
/// first, as the spec suggests.
pub(crate) fn kms_access_denied_message(
    request: &Request,
    decision: &strata_policy::Decision,
) -> String {
    let cross_account = request.resource_account.as_deref() != Some(&request.principal.account);
    let key_policy = Some(strata_policy::PolicyType::ResourceBased);
    let key_policy_allows = decision.trace.iter().any(|entry| {
        matches!(entry, strata_policy::TraceEntry::Statement { policy_type, effect: strata_policy::Effect::Allow, .. } if Some(*policy_type) == key_policy)
    });
    if cross_account && (!key_policy_allows || decision.denying_policy_type() == key_policy) {
        return kms_unknown_key_message(&request.principal.arn, &request.action);
    }
    access_denied_message(request, decision)
}

/// KMS's refusal of a key in another account that does not exist or does not let the
/// caller in (the two are not told apart, spec kms-sse §3.5).
pub fn kms_unknown_key_message(principal_arn: &str, action: &str) -> String {
    format!(
        "User: {principal_arn} is not authorized to perform: {action} on this resource because the resource does not exist in this Region, no resource-based policies allow access, or a resource-based policy explicitly denies access"
    )
}

/// Where a request came from, for the context keys.
pub struct Origin<'a> {
    pub source_ip: Option<std::net::IpAddr>,
    pub region: &'a str,
    /// `aws:SecureTransport`.
    pub secure_transport: bool,
}

impl<'a> Origin<'a> {
    pub fn of(caller: &'a Caller) -> Self {
        Self {
            source_ip: caller.source_ip,
            region: &caller.region,
            secure_transport: caller.secure_transport,
        }
    }

    /// An S3 requester's origin; an unsigned request names no region, so the server's
    /// default stands in.
    pub fn of_requester(requester: &'a Requester, default_region: &'a str) -> Self {
        match requester {
            Requester::Signed(caller) => Self::of(caller),
            Requester::Anonymous {
                source_ip,
                secure_transport,
            } => Self {
                source_ip: *source_ip,
                region: default_region,
                secure_transport: *secure_transport,
            },
        }
    }
}

/// Evaluates a request by `caller` against everything that applies, without acting
/// on the outcome: [`authorize`] and the simulator both call this.
pub fn decide(
    app: &App,
    caller: Option<&Principal>,
    origin: &Origin<'_>,
    target: Target<'_>,
) -> Result<(Request, strata_policy::Decision), IamError> {
    let principal = caller.map_or_else(RequestPrincipal::anonymous, request_principal);
    let now = app.clock.now();
    let mut context = Context::new();
    principal.add_global_keys(&mut context);
    context.insert("aws:CurrentTime", crate::iso::seconds(now));
    context.insert("aws:EpochTime", now.as_second().to_string());
    context.insert(
        "aws:SecureTransport",
        if origin.secure_transport {
            "true"
        } else {
            "false"
        },
    );
    context.insert("aws:RequestedRegion", origin.region.to_owned());
    if let Some(ip) = origin.source_ip {
        context.insert("aws:SourceIp", ip.to_string());
    }
    context.insert("aws:ResourceAccount", target.resource_account);
    for (key, values) in &target.context {
        context.set(key, values.clone());
    }
    let request = Request {
        principal,
        action: target.action.to_owned(),
        resource: target.resource.to_owned(),
        resource_account: Some(target.resource_account.to_owned()),
        context,
    };
    let (identity, session) = match caller {
        Some(caller) => (
            app.iam.identity_policies(caller)?,
            app.iam.session_policies(caller)?,
        ),
        None => (Default::default(), Default::default()),
    };
    let identity: Vec<LabeledPolicy<'_>> = identity.iter().map(labeled).collect();
    let session: Vec<LabeledPolicy<'_>> = session.iter().map(labeled).collect();
    let decision = evaluate(
        &request,
        &Policies {
            identity: &identity,
            resource: target.resource_policy.as_ref().map(|p| LabeledPolicy {
                label: p.label,
                document: p.document,
            }),
            session: &session,
            resource_policy_required: target.resource_policy.as_ref().is_some_and(|p| p.required),
            ..Policies::default()
        },
    );
    Ok((request, decision))
}
