//! Parsing the SigV4 `Authorization` header and the presigned query parameters.
//!
//! Both forms carry the same facts (credential scope, signed headers, signature,
//! request time); [`Authorization`] holds them once parsed, whichever form they came in.

use crate::canonical::{percent_decode, query_pairs};
use crate::error::AuthError;
use crate::time::AmzDate;
use crate::{ALGORITHM, RequestParts};

/// The longest `X-Amz-Expires` a presigned request may carry (seven days). Outside S3 the
/// value is only checked, never used: such a URL lasts 15 minutes (`AmzDate::check_skew`).
const MAX_EXPIRES_SECONDS: u64 = 604_800;

/// `AKID/YYYYMMDD/region/service/aws4_request`, split.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CredentialScope {
    pub access_key_id: String,
    pub date: String,
    pub region: String,
    pub service: String,
}

impl CredentialScope {
    /// The scope as it appears in the string to sign: `date/region/service/aws4_request`.
    pub fn scope(&self) -> String {
        let mut out = String::with_capacity(64);
        self.write_scope(&mut out);
        out
    }

    pub(crate) fn write_scope(&self, out: &mut String) {
        for part in [
            self.date.as_str(),
            "/",
            &self.region,
            "/",
            &self.service,
            "/aws4_request",
        ] {
            out.push_str(part);
        }
    }

    fn parse(credential: &str) -> Result<Self, AuthError> {
        let parts: Vec<&str> = credential.split('/').collect();
        if parts.len() != 5 {
            return Err(AuthError::incomplete(format!(
                "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '{credential}'"
            )));
        }
        if parts[4] != "aws4_request" {
            return Err(AuthError::mismatch(format!(
                "Credential should be scoped with a valid terminator: 'aws4_request', not '{}'.",
                parts[4]
            )));
        }
        if parts[2].is_empty() {
            return Err(AuthError::mismatch(
                "Credential should be scoped to a valid region, not ''. ",
            ));
        }
        Ok(Self {
            access_key_id: parts[0].to_owned(),
            date: parts[1].to_owned(),
            region: parts[2].to_owned(),
            service: parts[3].to_owned(),
        })
    }
}

/// A parsed SigV4 signature, from the header or from a presigned query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authorization {
    pub scope: CredentialScope,
    /// Lower-case header names, in the order the client listed them.
    pub signed_headers: Vec<String>,
    /// Lower-case hex, as sent.
    pub signature: String,
    /// `X-Amz-Date` (or `Date`) of the request.
    pub date: AmzDate,
    /// `X-Amz-Security-Token`, if the request carries one.
    pub session_token: Option<String>,
    /// `X-Amz-Expires` of a presigned request; `None` for header auth. Checked for range,
    /// not used to judge the request's time (see `AmzDate::check_skew`).
    pub expires_seconds: Option<u64>,
}

impl Authorization {
    /// Finds and parses the signature of a request. `Ok(None)` means the request
    /// carries no SigV4 signature at all (AWS's "missing authentication token").
    pub fn from_request(req: &RequestParts<'_>) -> Result<Option<Self>, AuthError> {
        if let Some(header) = sigv4_header(req) {
            return Self::from_header(req, header).map(Some);
        }
        if query_pairs(req.query).any(|(k, _)| k == "X-Amz-Algorithm") {
            return Self::from_query(req).map(Some);
        }
        Ok(None)
    }

    fn from_header(req: &RequestParts<'_>, header: &str) -> Result<Self, AuthError> {
        let header = header.trim();
        // The parts are looked for before the algorithm is judged: dynalite's AWS-run
        // connection tests get the list of missing parts for `Authorization: AWS4-`.
        let (algorithm, rest) = match header.strip_prefix(ALGORITHM) {
            Some(rest) => (ALGORITHM, rest),
            None => header
                .split_once(char::is_whitespace)
                .unwrap_or((header, "")),
        };
        let (mut credential, mut signed_headers, mut signature) = (None, None, None);
        for part in rest.split(',') {
            let part = part.trim();
            let Some((name, value)) = part.split_once('=') else {
                if part.is_empty() {
                    continue;
                }
                return Err(AuthError::incomplete(format!(
                    "'{part}' not a valid key=value pair (missing equal-sign) in Authorization header: '{header}'."
                )));
            };
            match name {
                "Credential" => credential = Some(value),
                "SignedHeaders" => signed_headers = Some(value),
                "Signature" => signature = Some(value),
                _ => {}
            }
        }
        let date = req.header("x-amz-date").or_else(|| req.header("date"));
        let mut missing = String::new();
        for (present, what) in [
            (
                credential.is_some(),
                "Authorization header requires 'Credential' parameter. ",
            ),
            (
                signature.is_some(),
                "Authorization header requires 'Signature' parameter. ",
            ),
            (
                signed_headers.is_some(),
                "Authorization header requires 'SignedHeaders' parameter. ",
            ),
            (
                date.is_some(),
                "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ",
            ),
        ] {
            if !present {
                missing.push_str(what);
            }
        }
        let (Some(credential), Some(signed_headers), Some(signature), Some(date)) =
            (credential, signed_headers, signature, date)
        else {
            return Err(AuthError::incomplete(format!(
                "{missing}Authorization={header}"
            )));
        };
        if algorithm != ALGORITHM {
            return Err(AuthError::incomplete(format!(
                "Unsupported AWS 'algorithm': '{algorithm}'"
            )));
        }
        Ok(Self {
            scope: CredentialScope::parse(credential)?,
            signed_headers: split_signed_headers(signed_headers),
            signature: signature.to_owned(),
            date: AmzDate::parse_header(date)?,
            session_token: req.header("x-amz-security-token").map(str::to_owned),
            expires_seconds: None,
        })
    }

    fn from_query(req: &RequestParts<'_>) -> Result<Self, AuthError> {
        let get = |name: &str| {
            query_pairs(req.query)
                .find(|(k, _)| *k == name)
                .map(|(_, v)| percent_decode(v))
        };
        let algorithm = get("X-Amz-Algorithm");
        let credential = get("X-Amz-Credential");
        let signed_headers = get("X-Amz-SignedHeaders");
        let signature = get("X-Amz-Signature");
        let date = get("X-Amz-Date");
        let expires = get("X-Amz-Expires");
        let session_token = get("X-Amz-Security-Token");
        if algorithm.as_deref() != Some(ALGORITHM) {
            return Err(AuthError::incomplete(format!(
                "Unsupported AWS 'algorithm': '{}'",
                algorithm.unwrap_or_default()
            )));
        }
        let (Some(credential), Some(signed_headers), Some(signature), Some(date), Some(expires)) =
            (credential, signed_headers, signature, date, expires)
        else {
            return Err(AuthError::incomplete(
                "AWS query-string parameters must include 'X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-Date', 'X-Amz-SignedHeaders', 'X-Amz-Expires'. Re-examine the query-string parameters.",
            ));
        };
        let expires_seconds = expires
            .parse::<u64>()
            .ok()
            .filter(|s| (1..=MAX_EXPIRES_SECONDS).contains(s))
            .ok_or_else(|| {
                AuthError::incomplete(format!(
                    "X-Amz-Expires must be a number of seconds between 1 and 604800, not '{expires}'."
                ))
            })?;
        Ok(Self {
            scope: CredentialScope::parse(&credential)?,
            signed_headers: split_signed_headers(&signed_headers),
            signature,
            date: AmzDate::parse(&date)?,
            session_token,
            expires_seconds: Some(expires_seconds),
        })
    }
}

/// The `Authorization` header if it is a SigV4 one (`AWS4-…`). Any other value is no
/// signature at all: dynalite's AWS-run connection tests get
/// `MissingAuthenticationTokenException` from DynamoDB for `Authorization: AWS4`.
pub(crate) fn sigv4_header<'a>(req: &RequestParts<'a>) -> Option<&'a str> {
    req.header("authorization")
        .filter(|h| h.trim_start().starts_with("AWS4-"))
}

fn split_signed_headers(value: &str) -> Vec<String> {
    value
        .split(';')
        .filter(|h| !h.is_empty())
        .map(str::to_ascii_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts<'a>(headers: &'a [(&'a str, &'a [u8])], query: &'a str) -> RequestParts<'a> {
        RequestParts {
            method: "POST",
            path: "/",
            query,
            headers,
        }
    }

    #[test]
    fn parses_header_form() {
        let headers: &[(&str, &[u8])] = &[
            ("Authorization", b"AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature=abcd"),
            ("X-Amz-Date", b"20150830T123600Z"),
        ];
        let auth = Authorization::from_request(&parts(headers, ""))
            .unwrap()
            .unwrap();
        assert_eq!(auth.scope.access_key_id, "AKID");
        assert_eq!(auth.scope.service, "sts");
        assert_eq!(auth.signed_headers, ["host", "x-amz-date"]);
        assert_eq!(auth.signature, "abcd");
        assert_eq!(auth.expires_seconds, None);
    }

    #[test]
    fn lists_every_missing_part() {
        let headers: &[(&str, &[u8])] = &[(
            "Authorization",
            b"AWS4-HMAC-SHA256 Credential=a/b/c/d/aws4_request",
        )];
        let err = Authorization::from_request(&parts(headers, "")).unwrap_err();
        assert_eq!(err.failure, crate::AuthFailure::IncompleteSignature);
        assert!(err.message.contains("requires 'Signature'"));
        assert!(err.message.contains("requires 'SignedHeaders'"));
        assert!(err.message.contains("'X-Amz-Date' or a 'Date'"));
        assert!(!err.message.contains("requires 'Credential'"));
    }

    #[test]
    fn rejects_bad_credential_shapes() {
        for (credential, needle) in [
            ("AKID/20150830/us-east-1/sts", "exactly 5"),
            (
                "AKID/20150830/us-east-1/sts/aws5_request",
                "valid terminator",
            ),
            ("AKID/20150830//sts/aws4_request", "valid region"),
        ] {
            let header = format!(
                "AWS4-HMAC-SHA256 Credential={credential}, SignedHeaders=host, Signature=00"
            );
            let headers: &[(&str, &[u8])] = &[
                ("Authorization", header.as_bytes()),
                ("X-Amz-Date", b"20150830T123600Z"),
            ];
            let err = Authorization::from_request(&parts(headers, "")).unwrap_err();
            assert!(
                err.message.contains(needle),
                "{credential}: {}",
                err.message
            );
        }
    }

    #[test]
    fn parses_presigned_query() {
        let q = "Action=GetCallerIdentity&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20150830%2Fus-east-1%2Fsts%2Faws4_request&X-Amz-Date=20150830T123600Z&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=ff";
        let auth = Authorization::from_request(&parts(&[], q))
            .unwrap()
            .unwrap();
        assert_eq!(auth.scope.region, "us-east-1");
        assert_eq!(auth.expires_seconds, Some(60));
    }

    #[test]
    fn no_signature_is_not_an_error_here() {
        assert_eq!(
            Authorization::from_request(&parts(&[], "Action=X")).unwrap(),
            None
        );
    }

    #[test]
    fn only_aws4_headers_are_signatures() {
        // dynalite's AWS-run test/connection.js: `AWS4` is a missing token, `AWS4-` an
        // incomplete signature listing every missing part.
        for header in [&b"AWS4"[..], b"AWS AKID:sig", b"Bearer x"] {
            let headers: &[(&str, &[u8])] = &[("Authorization", header)];
            assert_eq!(
                Authorization::from_request(&parts(headers, "")).unwrap(),
                None
            );
        }
        let headers: &[(&str, &[u8])] = &[("Authorization", b"AWS4-")];
        let err = Authorization::from_request(&parts(headers, "")).unwrap_err();
        assert_eq!(err.failure, crate::AuthFailure::IncompleteSignature);
        assert_eq!(
            err.message,
            "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=AWS4-"
        );
    }

    #[test]
    fn unknown_algorithm_is_incomplete() {
        let headers: &[(&str, &[u8])] = &[
            ("Authorization", b"AWS4-HMAC-SHA512 Credential=a/b/c/d/aws4_request, SignedHeaders=host, Signature=00"),
            ("X-Amz-Date", b"20150830T123600Z"),
        ];
        let err = Authorization::from_request(&parts(headers, "")).unwrap_err();
        assert_eq!(err.failure, crate::AuthFailure::IncompleteSignature);
        assert_eq!(
            err.message,
            "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'"
        );
    }
}
