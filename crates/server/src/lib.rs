//! The HTTP edge of strata, and the only crate that knows HTTP.
//!
//! One port serves every protocol. A request flows through:
//!
//! ```text
//! listener ─► dispatch: route (admin | DynamoDB JSON | Query | S3)
//!          ─► auth (SigV4 against the IAM engine) ─► service handler ─► protocol encoder
//! ```
//!
//! - [`route`] decides the protocol from headers and the request line alone.
//! - [`auth`] is the one place requests are authenticated, [`authorize`] the one
//!   place they are authorized.
//! - [`protocol`] holds one module per wire format; each converts errors to its shape
//!   in exactly one function.
//! - [`services`] turns decoded requests into engine calls. Engines never see HTTP.
//! - [`admin`] serves strata's own `/_strata/*` endpoints (health, clock).

pub mod admin;
pub mod auth;
pub mod authorize;
mod body;
mod dispatch;
pub mod jobs;
mod listener;
pub mod protocol;
pub mod request_id;
pub mod route;
pub mod services;
pub mod simulate;
mod state;

pub use listener::serve;
pub use state::{ServerState, StateError};
