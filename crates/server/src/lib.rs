//! The HTTP edge of strata, and the only crate that knows HTTP.
//!
//! One port serves every protocol. A request flows through:
//!
//! ```text
//! listener (plain or TLS, told apart by the first byte: [`transport`])
//!          ─► dispatch: route (admin | DynamoDB JSON | Query | S3)
//!          ─► auth (SigV4 against the IAM engine) ─► decode ─► application layer
//!          ─► encode in the protocol's shape
//! ```
//!
//! - [`route`] decides the protocol from headers and the request line alone.
//! - [`auth`] is the one place requests are authenticated; what a request may do is decided
//!   by the application layer (`strata-app`), which every handler calls.
//! - [`protocol`] holds one module per wire format; each converts errors to its shape
//!   in exactly one function.
//! - [`services`] turns decoded requests into application calls; only its S3 adapter knows
//!   s3s.
//! - [`content_coding`] decompresses DynamoDB request bodies and compresses its responses
//!   (`Content-Encoding`, `Accept-Encoding`).
//! - [`admin`] serves strata's own `/_strata/*` endpoints (health, clock, simulate).
//! - `request_head` holds DynamoDB's limit on a request's head (request line and headers).

pub mod admin;
pub mod auth;
mod body;
mod console;
pub mod content_coding;
mod dispatch;
mod edge;
mod listener;
mod overload;
pub mod protocol;
mod request_head;
pub mod route;
pub mod services;
pub mod transport;

pub use listener::{DEFAULT_MAX_CONNECTIONS, Options, serve, serve_with};
