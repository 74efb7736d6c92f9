//! The one place a request is authenticated: SigV4 against the IAM engine's keys.
//!
//! Returns the [`Caller`] or the failure in AWS's categories; each protocol module turns
//! the failure into its own error code.

use http::request::Parts;
use strata_sigv4::{AuthError, Authorization, RequestParts, check_request_time, hex_sha256};

use strata_app::Caller;

use crate::edge::Edge;
use crate::transport::Transport;

/// Why authentication did not produce a caller.
#[derive(Debug)]
pub enum AuthRejection {
    Denied(AuthError),
    /// The key store failed; the request cannot be judged.
    Internal(String),
}

impl From<AuthError> for AuthRejection {
    fn from(e: AuthError) -> Self {
        Self::Denied(e)
    }
}

/// Authenticates a request whose whole body has been read, before anything else looks at
/// that body (AWS answers an unsigned or stale request with its authentication error even
/// when the body is also malformed). `services` lists the signing names this endpoint
/// accepts; the first is named in the scope error.
pub(crate) fn authenticate(
    edge: &Edge,
    parts: &Parts,
    body: &[u8],
    services: &[&str],
) -> Result<Caller, AuthRejection> {
    let headers: Vec<(&str, &[u8])> = parts
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_bytes()))
        .collect();
    let req = RequestParts {
        method: parts.method.as_str(),
        path: parts.uri.path(),
        query: parts.uri.query().unwrap_or_default(),
        headers: &headers,
    };
    // AWS judges the request time first, before the key or the rest of the signature.
    check_request_time(&req, edge.app.clock.real_now())?;
    let auth =
        Authorization::from_request(&req)?.ok_or_else(AuthError::missing_authentication_token)?;
    let found = edge
        .app
        .iam
        .authenticate(&auth.scope.access_key_id)
        .map_err(|e| AuthRejection::Internal(e.to_string()))?
        .ok_or_else(AuthError::invalid_client_token_id)?;
    if !services.contains(&auth.scope.service.as_str()) {
        return Err(AuthRejection::Denied(AuthError {
            failure: strata_sigv4::AuthFailure::SignatureDoesNotMatch,
            message: format!(
                "Credential should be scoped to correct service: '{}'. ",
                services.first().copied().unwrap_or_default()
            ),
        }));
    }
    // A scope naming no AWS region is refused as AWS refuses one it does not serve.
    if !strata_sigv4::is_region_name(&auth.scope.region) {
        return Err(AuthRejection::Denied(AuthError {
            failure: strata_sigv4::AuthFailure::SignatureDoesNotMatch,
            message: "Credential should be scoped to a valid region. ".to_owned(),
        }));
    }
    let verified = edge.verifier.verify(
        &req,
        &auth,
        &found.secret,
        &hex_sha256(body),
        edge.app.clock.real_now(),
        edge.app.clock.now(),
    )?;
    Ok(Caller {
        principal: found.principal,
        session: found.session,
        source_ip: parts
            .extensions
            .get::<std::net::SocketAddr>()
            .map(std::net::SocketAddr::ip),
        access_key_id: verified.access_key_id,
        region: verified.region,
        service: verified.service,
        secure_transport: Transport::is_secure(&parts.extensions),
    })
}
