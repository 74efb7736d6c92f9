//! The client side: signing requests with header auth and presigning URLs.
//!
//! strata's tests, benchmark and demo use this to talk to a server exactly as an SDK
//! would; it shares every canonicalisation step with the verifier.

use jiff::Timestamp;

use crate::authorization::CredentialScope;
use crate::canonical::{UriEncoding, canonical_request, string_to_sign, uri_encode};
use crate::key::derive_signing_key;
use crate::time::AmzDate;
use crate::{ALGORITHM, RequestParts};

/// An access key pair, with the session token of temporary credentials.
#[derive(Clone, Debug)]
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: Option<String>,
}

/// Signs `req` with header auth. Every header in `req` is signed (it must contain
/// `host`); the returned headers (`X-Amz-Date`, `X-Amz-Security-Token` when the
/// credentials have one, and `Authorization`) must be added to the request.
pub fn sign(
    req: &RequestParts<'_>,
    credentials: &Credentials,
    region: &str,
    service: &str,
    at: Timestamp,
    payload_hash: &str,
) -> Vec<(&'static str, String)> {
    let date = AmzDate::from_timestamp(at);
    let mut added: Vec<(&'static str, String)> = vec![("X-Amz-Date", date.as_str().to_owned())];
    if let Some(token) = &credentials.session_token {
        added.push(("X-Amz-Security-Token", token.clone()));
    }
    let mut headers: Vec<(&str, &[u8])> = req.headers.to_vec();
    headers.extend(added.iter().map(|(n, v)| (*n, v.as_bytes())));
    let full = RequestParts {
        headers: &headers,
        ..*req
    };
    let mut signed: Vec<String> = headers
        .iter()
        .map(|(n, _)| n.to_ascii_lowercase())
        .collect();
    signed.sort_unstable();
    signed.dedup();
    let scope = CredentialScope {
        access_key_id: credentials.access_key_id.clone(),
        date: date.date().to_owned(),
        region: region.to_owned(),
        service: service.to_owned(),
    };
    // S3 signs the path as sent; every other service encodes it once more.
    let encoding = if service == "s3" {
        UriEncoding::Single
    } else {
        UriEncoding::Double
    };
    let creq = canonical_request(&full, &signed, payload_hash, encoding);
    let sts = string_to_sign(date.as_str(), &scope, &creq);
    let key = derive_signing_key(&credentials.secret_access_key, &scope.date, region, service);
    let authorization = format!(
        "{ALGORITHM} Credential={}/{}, SignedHeaders={}, Signature={}",
        scope.access_key_id,
        scope.scope(),
        signed.join(";"),
        key.sign(&sts)
    );
    added.push(("Authorization", authorization));
    added
}

/// Presigns a request whose only signed header is `host`: returns the full query
/// string (the given `query` plus the `X-Amz-*` parameters and the signature).
#[allow(clippy::too_many_arguments)]
pub fn presign(
    method: &str,
    host: &str,
    path: &str,
    query: &str,
    credentials: &Credentials,
    region: &str,
    service: &str,
    at: Timestamp,
    expires_seconds: u64,
) -> String {
    let date = AmzDate::from_timestamp(at);
    let scope = CredentialScope {
        access_key_id: credentials.access_key_id.clone(),
        date: date.date().to_owned(),
        region: region.to_owned(),
        service: service.to_owned(),
    };
    let mut params = vec![
        format!("X-Amz-Algorithm={ALGORITHM}"),
        format!(
            "X-Amz-Credential={}",
            uri_encode(
                format!("{}/{}", scope.access_key_id, scope.scope()).as_bytes(),
                false
            )
        ),
        format!("X-Amz-Date={}", date.as_str()),
        format!("X-Amz-Expires={expires_seconds}"),
        "X-Amz-SignedHeaders=host".to_owned(),
    ];
    if let Some(token) = &credentials.session_token {
        params.push(format!(
            "X-Amz-Security-Token={}",
            uri_encode(token.as_bytes(), false)
        ));
    }
    let mut full_query = query.to_owned();
    for p in params {
        if !full_query.is_empty() {
            full_query.push('&');
        }
        full_query.push_str(&p);
    }
    let headers: [(&str, &[u8]); 1] = [("host", host.as_bytes())];
    let req = RequestParts {
        method,
        path,
        query: &full_query,
        headers: &headers,
    };
    let creq = canonical_request(
        &req,
        &["host".to_owned()],
        crate::EMPTY_SHA256,
        UriEncoding::Double,
    );
    let sts = string_to_sign(date.as_str(), &scope, &creq);
    let key = derive_signing_key(&credentials.secret_access_key, &scope.date, region, service);
    format!("{full_query}&X-Amz-Signature={}", key.sign(&sts))
}
