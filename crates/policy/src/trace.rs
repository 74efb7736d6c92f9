//! The outcome of an evaluation and the trail that explains it: which policy and statement
//! matched, how the principal was named, or which kind of policy failed to allow.

use std::fmt;

use crate::document::Effect;
use crate::principal::PrincipalMatch;

/// The kinds of policy AWS names in access-denied messages (spec §4.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicyType {
    IdentityBased,
    ResourceBased,
    PermissionsBoundary,
    SessionPolicy,
}

impl PolicyType {
    /// `identity-based policy`, `resource-based policy`, …
    pub fn as_aws_str(self) -> &'static str {
        match self {
            PolicyType::IdentityBased => "identity-based policy",
            PolicyType::ResourceBased => "resource-based policy",
            PolicyType::PermissionsBoundary => "permissions boundary",
            PolicyType::SessionPolicy => "session policy",
        }
    }

    /// The indefinite article AWS puts before the name.
    pub fn article(self) -> &'static str {
        match self {
            PolicyType::IdentityBased => "an",
            _ => "a",
        }
    }
}

/// Allow, or one of the two kinds of deny.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecisionEffect {
    Allow,
    ExplicitDeny,
    ImplicitDeny,
}

/// One step of the explanation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TraceEntry {
    /// A statement matched the request (action, resource, principal and conditions).
    Statement {
        policy_type: PolicyType,
        /// The caller's label, e.g. `identity: user/alice inline policy s3-write`.
        policy: String,
        /// The `Sid`, or `#<index>` (0-based) when there is none.
        statement: String,
        effect: Effect,
        /// How a resource policy's `Principal` named the caller (`None` elsewhere).
        principal: Option<PrincipalMatch>,
    },
    /// The root user acting in its own account needs no identity policy.
    AccountRoot { account: String },
    /// A resource policy allowed only via the account principal, which is not enough in the
    /// same account (spec §2.2).
    AccountPrincipalInsufficient,
    /// Nothing of this kind allowed the request.
    NoAllow { policy_type: PolicyType },
}

/// The answer to one (principal, action, resource) question.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    pub effect: DecisionEffect,
    pub trace: Vec<TraceEntry>,
}

impl Decision {
    pub fn is_allowed(&self) -> bool {
        self.effect == DecisionEffect::Allow
    }

    /// The kind of policy that denied: the first matching `Deny`, or the kind that failed to
    /// allow. `None` when allowed.
    pub fn denying_policy_type(&self) -> Option<PolicyType> {
        match self.effect {
            DecisionEffect::Allow => None,
            DecisionEffect::ExplicitDeny => self.trace.iter().find_map(|t| match t {
                TraceEntry::Statement {
                    policy_type,
                    effect: Effect::Deny,
                    ..
                } => Some(*policy_type),
                _ => None,
            }),
            DecisionEffect::ImplicitDeny => self.trace.iter().find_map(|t| match t {
                TraceEntry::NoAllow { policy_type } => Some(*policy_type),
                _ => None,
            }),
        }
    }
}

impl fmt::Display for TraceEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TraceEntry::Statement {
                policy,
                statement,
                effect,
                principal,
                ..
            } => {
                write!(f, "{effect:?} by {policy}, statement {statement}")?;
                match principal {
                    Some(PrincipalMatch::Direct) => write!(f, " (principal named directly)"),
                    Some(PrincipalMatch::Role) => write!(f, " (principal's role named)"),
                    Some(PrincipalMatch::Account) => write!(f, " (principal's account named)"),
                    None => Ok(()),
                }
            }
            TraceEntry::AccountRoot { account } => {
                write!(
                    f,
                    "allowed: root user of account {account}, the resource owner"
                )
            }
            TraceEntry::AccountPrincipalInsufficient => write!(
                f,
                "resource-based policy names only the account; same-account access also needs an identity-based allow"
            ),
            TraceEntry::NoAllow { policy_type } => {
                write!(f, "no {} allows the action", policy_type.as_aws_str())
            }
        }
    }
}
