//! The typed policy document (spec §1.1): what a saved policy is after parsing, and the
//! kinds of documents AWS validates differently.

use crate::action::ActionPattern;
use crate::arn::ArnPattern;
use crate::condition::Condition;
use crate::error::PolicyError;
use crate::principal::{MSG_S3_INVALID_PRINCIPAL, Principal, msg_iam_invalid_principal};
use crate::validate::{self, Dialect};

/// Which document is being saved; the rules and message texts differ (spec §1.8).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PolicyKind<'a> {
    /// User/group/role inline or managed policy: no `Principal`, needs `Resource`.
    Identity,
    /// A resource-based policy: needs `Principal`.
    Resource(ResourcePolicyKind<'a>),
    /// A role trust policy: needs `Principal`, forbids `Resource`.
    Trust,
    /// An STS session policy: validated like an identity policy.
    Session,
}

/// Which service's resource policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResourcePolicyKind<'a> {
    /// An S3 bucket policy for the named bucket (S3's messages, `MalformedPolicy`).
    S3Bucket { bucket: &'a str },
    /// A DynamoDB table/stream resource policy (IAM's rules and messages; UNCONFIRMED).
    DynamoDbTable,
    /// A KMS key policy (IAM's grammar; KMS reports violations as
    /// `MalformedPolicyDocumentException`). Key policies must allow even within the key's
    /// account ([`crate::Policies::resource_policy_required`]).
    KmsKey,
}

/// `Version`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    /// `2008-10-17`, also the meaning of an absent `Version`: no policy variables.
    V2008_10_17,
    /// `2012-10-17`.
    V2012_10_17,
}

/// `Effect`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
}

/// `Principal` or `NotPrincipal`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PrincipalBlock {
    Principal(Vec<Principal>),
    NotPrincipal(Vec<Principal>),
}

/// `Action` or `NotAction`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ActionBlock {
    Action(Vec<ActionPattern>),
    NotAction(Vec<ActionPattern>),
}

/// `Resource` or `NotResource`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResourceBlock {
    Resource(Vec<ArnPattern>),
    NotResource(Vec<ArnPattern>),
}

/// One statement.
#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    pub sid: Option<String>,
    pub effect: Effect,
    pub principal: Option<PrincipalBlock>,
    pub action: ActionBlock,
    /// `None` only in trust policies.
    pub resource: Option<ResourceBlock>,
    /// All operators × keys, ANDed.
    pub conditions: Vec<Condition>,
}

/// A parsed, validated policy document.
#[derive(Clone, Debug, PartialEq)]
pub struct PolicyDocument {
    pub version: Version,
    pub id: Option<String>,
    pub statements: Vec<Statement>,
}

impl PolicyDocument {
    /// Parses and validates `text` as a document of `kind`. Size and character-set limits
    /// are separate ([`crate::limits`]); the caller applies them first.
    pub fn parse(text: &str, kind: PolicyKind<'_>) -> Result<PolicyDocument, PolicyError> {
        validate::parse_document(text, kind)
    }

    /// Binds user and role ARN principals to their unique ids, as IAM and S3 do when a
    /// resource or trust policy is saved (spec §2.5). `resolve` returns the `AIDA…`/`AROA…`
    /// id of an existing entity; an unknown entity rejects the document.
    pub fn bind_principals(
        &mut self,
        kind: PolicyKind<'_>,
        mut resolve: impl FnMut(&str) -> Option<String>,
    ) -> Result<(), PolicyError> {
        let dialect = Dialect::of(kind);
        for statement in &mut self.statements {
            let Some(PrincipalBlock::Principal(list) | PrincipalBlock::NotPrincipal(list)) =
                &mut statement.principal
            else {
                continue;
            };
            for entry in list.iter_mut() {
                if let Principal::User(arn) | Principal::Role(arn) = entry {
                    let Some(id) = resolve(arn) else {
                        return Err(match dialect {
                            Dialect::Iam => PolicyError::new(msg_iam_invalid_principal("AWS", arn)),
                            Dialect::S3 => PolicyError::new(MSG_S3_INVALID_PRINCIPAL),
                        });
                    };
                    *entry = Principal::UniqueId(id);
                }
            }
        }
        Ok(())
    }
}
