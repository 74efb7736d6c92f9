//! CloudFormation's template language, as the stack operations need it: a template's text
//! parsed once (JSON, or YAML with the short-form tags, [`parse`]), its sections checked with
//! AWS's `Template format error` messages ([`Template`]), the parameter values a stack
//! operation gives checked against their declarations ([`parameters`]), its conditions
//! evaluated ([`conditions`]), intrinsic functions resolved against what the stack knows
//! ([`intrinsic`]), and the resources put in dependency order ([`graph`]).
//!
//! Pure: no I/O, no clock, no knowledge of any resource type beyond its name. The
//! application layer (`strata-app`'s `cloudformation` module) drives a stack operation with
//! it; the wire facts are in `spec/cloudformation.md` §4.

pub mod conditions;
mod error;
pub mod graph;
pub mod intrinsic;
pub mod parameters;
mod parse;
mod template;

pub use error::TemplateError;
pub use parse::parse;
pub use template::{Output, Resource, Template};

/// A template value: JSON, with intrinsic functions as one-key objects (`{"Ref": …}`,
/// `{"Fn::GetAtt": […]}`), whichever form the template was written in.
pub type Value = serde_json::Value;
