//! Policy evaluation (spec §2.2–§2.4): explicit deny wins; in the resource's own account an
//! identity-based *or* a sufficiently direct resource-based allow grants; across accounts
//! both sides must allow; permissions boundaries and session policies only restrict.
//!
//! Pure: the caller gathers the policies that apply (the principal's identity policies,
//! the resource's policy, boundary, session policies) and the request context.

use crate::arn::Arn;
use crate::document::{
    ActionBlock, Effect, PolicyDocument, PrincipalBlock, ResourceBlock, Statement,
};
use crate::principal::{PrincipalMatch, best_match, not_principal_exempts};
use crate::request::{PrincipalKind, Request};
use crate::trace::{Decision, DecisionEffect, PolicyType, TraceEntry};

/// A policy with the caller's name for it, used in the trace.
#[derive(Clone, Copy, Debug)]
pub struct LabeledPolicy<'a> {
    pub label: &'a str,
    pub document: &'a PolicyDocument,
}

/// Every policy that applies to one request.
#[derive(Clone, Copy, Debug, Default)]
pub struct Policies<'a> {
    /// The user's (and its groups') or the role's inline and managed policies.
    pub identity: &'a [LabeledPolicy<'a>],
    /// The bucket policy, table policy or role trust policy.
    pub resource: Option<LabeledPolicy<'a>>,
    pub permissions_boundary: Option<LabeledPolicy<'a>>,
    /// Session policies of a role session; empty when the session has none.
    pub session: &'a [LabeledPolicy<'a>],
    /// The resource policy must allow even in the same account: role trust policies
    /// (`sts:AssumeRole`) and KMS key policies (spec §2.2).
    pub resource_policy_required: bool,
}

/// What a group of policies said.
#[derive(Default)]
struct Scan {
    denied: bool,
    /// The strongest principal match of an applicable `Allow` (`Direct` outside resource
    /// policies).
    allowed: Option<PrincipalMatch>,
}

struct Prepared<'r> {
    request: &'r Request,
    action_lower: String,
    arn: Option<Arn<'r>>,
}

/// Decides `request` against `policies`.
pub fn evaluate(request: &Request, policies: &Policies<'_>) -> Decision {
    let prepared = Prepared {
        request,
        action_lower: request.action.to_ascii_lowercase(),
        arn: Arn::parse(&request.resource),
    };
    let mut trace = Vec::new();
    let p = &prepared;
    let identity = scan(PolicyType::IdentityBased, policies.identity, p, &mut trace);
    let resource = scan(
        PolicyType::ResourceBased,
        policies.resource.as_slice(),
        p,
        &mut trace,
    );
    let boundary = scan(
        PolicyType::PermissionsBoundary,
        policies.permissions_boundary.as_slice(),
        p,
        &mut trace,
    );
    let session = scan(PolicyType::SessionPolicy, policies.session, p, &mut trace);

    if identity.denied || resource.denied || boundary.denied || session.denied {
        return Decision {
            effect: DecisionEffect::ExplicitDeny,
            trace,
        };
    }

    let principal = &request.principal;
    let is_root = principal.kind == PrincipalKind::Root;
    let boundary_ok = policies.permissions_boundary.is_none() || boundary.allowed.is_some();
    let session_ok = policies.session.is_empty() || session.allowed.is_some();
    let identity_ok = is_root || identity.allowed.is_some();
    let same_account = request
        .resource_account
        .as_deref()
        .is_none_or(|a| a == principal.account);

    let missing = |policy_type, mut trace: Vec<TraceEntry>| {
        trace.push(TraceEntry::NoAllow { policy_type });
        Decision {
            effect: DecisionEffect::ImplicitDeny,
            trace,
        }
    };
    let allow = |trace| Decision {
        effect: DecisionEffect::Allow,
        trace,
    };
    // Boundary and session policy restrict every grant except a direct resource-policy one.
    let restrictions = |trace: Vec<TraceEntry>| {
        if !boundary_ok {
            missing(PolicyType::PermissionsBoundary, trace)
        } else if !session_ok {
            missing(PolicyType::SessionPolicy, trace)
        } else {
            allow(trace)
        }
    };

    // Unsigned callers and service principals have no identity policies.
    if matches!(
        principal.kind,
        PrincipalKind::Anonymous | PrincipalKind::Service
    ) {
        return match resource.allowed {
            Some(_) => allow(trace),
            None => missing(PolicyType::ResourceBased, trace),
        };
    }

    if !same_account {
        // Trusted side (principal's account): identity, boundary, session.
        if !identity_ok {
            return missing(PolicyType::IdentityBased, trace);
        }
        // Trusting side (resource's account): its resource policy, any principal form.
        if resource.allowed.is_none() {
            return missing(PolicyType::ResourceBased, trace);
        }
        if is_root {
            return allow(trace);
        }
        return restrictions(trace);
    }

    match resource.allowed {
        Some(PrincipalMatch::Direct) => return allow(trace),
        Some(PrincipalMatch::Role) => return restrictions(trace),
        Some(PrincipalMatch::Account) if !is_root => {
            trace.push(TraceEntry::AccountPrincipalInsufficient);
        }
        Some(PrincipalMatch::Account) => {}
        None if policies.resource_policy_required => {
            return missing(PolicyType::ResourceBased, trace);
        }
        None => {}
    }
    if is_root {
        trace.push(TraceEntry::AccountRoot {
            account: principal.account.clone(),
        });
        return allow(trace);
    }
    if identity.allowed.is_none() {
        return missing(PolicyType::IdentityBased, trace);
    }
    restrictions(trace)
}

/// Runs every statement of `policies`, recording each that applies.
fn scan(
    policy_type: PolicyType,
    policies: &[LabeledPolicy<'_>],
    p: &Prepared<'_>,
    trace: &mut Vec<TraceEntry>,
) -> Scan {
    let mut out = Scan::default();
    let check_principal = policy_type == PolicyType::ResourceBased;
    for policy in policies {
        for (index, statement) in policy.document.statements.iter().enumerate() {
            let Some(principal) = applies(statement, p, check_principal) else {
                continue;
            };
            match statement.effect {
                Effect::Deny => out.denied = true,
                Effect::Allow => out.allowed = out.allowed.max(Some(principal)),
            }
            trace.push(TraceEntry::Statement {
                policy_type,
                policy: policy.label.to_owned(),
                statement: statement.sid.clone().unwrap_or_else(|| format!("#{index}")),
                effect: statement.effect,
                principal: check_principal.then_some(principal),
            });
        }
    }
    out
}

/// Whether `statement` applies to the request; with the principal match level (always
/// `Direct` when principals are not checked or `NotPrincipal` applies).
fn applies(
    statement: &Statement,
    p: &Prepared<'_>,
    check_principal: bool,
) -> Option<PrincipalMatch> {
    let action = p.action_lower.as_str();
    let action_hit = match &statement.action {
        ActionBlock::Action(list) => list.iter().any(|a| a.matches(action)),
        ActionBlock::NotAction(list) => !list.iter().any(|a| a.matches(action)),
    };
    if !action_hit {
        return None;
    }
    let request = p.request;
    let resource = request.resource.as_str();
    let context = &request.context;
    let resource_hit = match &statement.resource {
        None => true,
        Some(ResourceBlock::Resource(list)) => list
            .iter()
            .any(|r| r.matches(resource, p.arn.as_ref(), context)),
        Some(ResourceBlock::NotResource(list)) => !list
            .iter()
            .any(|r| r.matches(resource, p.arn.as_ref(), context)),
    };
    if !resource_hit {
        return None;
    }
    let level = match (&statement.principal, check_principal) {
        (Some(PrincipalBlock::Principal(list)), true) => best_match(list, &request.principal)?,
        (Some(PrincipalBlock::NotPrincipal(list)), true) => {
            if not_principal_exempts(list, &request.principal) {
                return None;
            }
            PrincipalMatch::Direct
        }
        // A resource policy statement without a principal applies to no one.
        (None, true) => return None,
        (_, false) => PrincipalMatch::Direct,
    };
    statement
        .conditions
        .iter()
        .all(|c| c.evaluate(context))
        .then_some(level)
}

#[cfg(test)]
mod tests;
