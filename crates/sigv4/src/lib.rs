//! AWS Signature Version 4 for strata's JSON (DynamoDB) and Query (IAM, STS) protocols.
//!
//! This crate is pure: no I/O, no HTTP types, no clock of its own. The server hands it
//! the parts of a request it received ([`RequestParts`]), the SHA-256 of the body, the
//! current real time and a way to look up a secret by access key id; it answers with a
//! [`Verified`] identity or an [`AuthError`] that says which of AWS's failure kinds
//! happened. Mapping a failure kind to a protocol's error code is the server's job.
//!
//! The same canonicalisation drives the client-side [`sign`] functions used by tests,
//! the benchmark and the demo, so signer and verifier cannot drift apart; they are
//! checked against AWS's published test suite (`tests/vectors`) and botocore.
//!
//! S3 is not verified here: S3's streaming and presigned variants are handled by the
//! S3 protocol adapter.

mod authorization;
mod canonical;
mod error;
mod key;
mod region;
mod sign;
mod time;
mod verify;

pub use authorization::{Authorization, CredentialScope};
pub use canonical::{UriEncoding, canonical_request, hex_sha256, string_to_sign, uri_encode};
pub use error::{AuthError, AuthFailure};
pub use key::{SigningKey, SigningKeyCache, derive_signing_key};
pub use region::is_region_name;
pub use sign::{Credentials, presign, sign};
pub use time::{AmzDate, MAX_SKEW_SECONDS, check_request_time};
pub use verify::{Secret, Verified, Verifier};

/// The only algorithm AWS accepts for SigV4 (SigV4a is not served).
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// The payload hash of a request whose body is not signed (S3, and some presigners).
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// SHA-256 of the empty string, the payload hash of a body-less request.
pub const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// The parts of a received request that SigV4 covers.
///
/// `path` and `query` are exactly as they appeared on the request line (still
/// percent-encoded); header names may be in any case and may repeat.
#[derive(Clone, Copy, Debug)]
pub struct RequestParts<'a> {
    pub method: &'a str,
    pub path: &'a str,
    pub query: &'a str,
    pub headers: &'a [(&'a str, &'a [u8])],
}

impl<'a> RequestParts<'a> {
    /// All values of a header, in order, by case-insensitive name.
    pub fn header_values<'n>(&self, name: &'n str) -> impl Iterator<Item = &'a [u8]> + use<'a, 'n> {
        let headers: &'a [(&'a str, &'a [u8])] = self.headers;
        headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| *v)
    }

    /// The first value of a header as UTF-8, if present and valid.
    pub fn header(&self, name: &str) -> Option<&'a str> {
        self.header_values(name)
            .next()
            .and_then(|v| std::str::from_utf8(v).ok())
    }
}
