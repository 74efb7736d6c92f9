//! CloudFormation at the application layer: the stack API ([`stacks`]) with AWS's checks and
//! messages, authorization of every call as `cloudformation:<Action>`, and the stack
//! operations ([`operation`]) the job runner carries out, creating and deleting each resource
//! through the other services' application layer as the stack's caller ([`resources`]).
//!
//! Templates are parsed and resolved by `strata-cfn-template`; stacks, events and exports
//! are kept by the `strata-cloudformation` engine.

pub mod change_sets;
mod changes;
mod error;
pub mod model;
pub mod operation;
mod resources;
pub mod stacks;
mod update;

pub use error::{Error, Result};
