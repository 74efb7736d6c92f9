//! The IAM policy language for strata: parsing and validating policy documents once, when
//! they are saved, and evaluating requests against them.
//!
//! This crate owns the grammar (spec §1: `Principal`, `Action`, `Resource`, `Condition`,
//! policy variables, size limits, AWS's validation messages) and the decision logic (spec
//! §2: explicit deny, same- and cross-account rules, principal matching by ARN and unique
//! id, boundaries and session policies), with a trace that says why.
//!
//! Pure: no I/O, no clock (the current time arrives as `aws:CurrentTime`/`aws:EpochTime` in
//! the [`Context`]), no HTTP. IAM and S3 call [`PolicyDocument::parse`] when a policy is
//! stored and map [`PolicyError`] to their wire code; the authorization layer builds a
//! [`Request`], gathers [`Policies`] and calls [`evaluate`].

mod action;
mod arn;
mod condition;
mod context;
mod document;
mod error;
mod evaluate;
mod json;
pub mod limits;
mod message;
mod pattern;
mod principal;
mod request;
mod resource;
mod trace;
mod validate;
mod variables;

pub use action::ActionPattern;
pub use arn::{Arn, ArnPattern};
pub use condition::{
    Cidr, Condition, ConditionOperator, ConditionValue, Number, Operator, SetQualifier,
};
pub use context::Context;
pub use document::{
    ActionBlock, Effect, PolicyDocument, PolicyKind, PrincipalBlock, ResourceBlock,
    ResourcePolicyKind, Statement, Version,
};
pub use error::PolicyError;
pub use evaluate::{LabeledPolicy, Policies, evaluate};
pub use message::{access_denied_message, s3_access_denied_message};
pub use pattern::Pattern;
pub use principal::{Principal, PrincipalMatch};
pub use request::{PrincipalKind, Request, RequestPrincipal};
pub use trace::{Decision, DecisionEffect, PolicyType, TraceEntry};
pub use variables::Variable;
