//! strata's application layer: between the protocol edge (`strata-server`, the only crate
//! that knows HTTP) and the engines (`strata-dynamodb`, `strata-s3`, `strata-iam`).
//!
//! It owns what a request means once its bytes are decoded, and what work outlives it:
//!
//! - [`caller`]: who is asking (an authenticated [`Caller`], or an anonymous S3 requester);
//! - [`authz`]: the one authorization entry point, used by request handlers and jobs alike,
//!   with S3's layers and its per-request context in [`s3`] and DynamoDB's condition keys in
//!   [`dynamodb::access`]; [`simulate`] explains a decision without acting on it;
//! - [`dynamodb`], [`iam`] (with STS), [`kms`]: each operation as a typed input, one function that runs
//!   it with AWS's rules, and a typed output;
//! - [`jobs`]: the durable job runner every piece of background work goes through;
//! - [`App`]: the engines, the one clock and the runner, shared by every request; opening it
//!   checks the format of every stored record kind and migrates older ones.
//!
//! It never sees HTTP, headers or wire bytes, and knows nothing of s3s: the edge decodes
//! requests into the types here and renders what comes back.

pub mod app;
pub mod authz;
pub mod caller;
pub mod cloudformation;
pub mod denials;
pub mod dynamodb;
pub mod iam;
pub mod iso;
pub mod jobs;
pub mod kms;
mod migrate;
pub mod progress;
pub mod request_id;
pub mod s3;
pub mod simulate;

pub use app::{AdvanceError, App, OpenError};
pub use caller::{Caller, Requester};

/// The output of operations that answer nothing: `{}` in JSON, an empty `…Result` element
/// in the Query protocol.
#[derive(Debug, Default, serde::Serialize)]
pub struct Empty {}
