//! What S3 refuses in a SigV4 signature before verifying it (s3s verifies what passes):
//!
//! - a presigned URL missing one of its six parameters: 400
//!   `AuthorizationQueryParametersError`;
//! - a credential scope for another service: 400 `AuthorizationHeaderMalformed` (header) or
//!   `AuthorizationQueryParametersError` (presigned), `incorrect service "sts". This endpoint
//!   belongs to "s3".` (OpenStack Swift's s3api tests of AWS's texts, minio);
//! - a scope naming no AWS region: the same codes, `the region 'bogus-region-9' is wrong;
//!   expecting 'us-east-1'` with a `<Region>` element naming the bucket's region (or the
//!   server's for requests without a bucket). A real region other than the bucket's is let
//!   through: strata serves every region at one endpoint;
//! - a presigned URL's `X-Amz-Expires` beyond a week (604,800 s), negative or not a number:
//!   403 `AuthorizationQueryParametersError` (the week's text as captured in
//!   bryanjos/aws_auth#31 and aws-cli#5464; ceph s3-tests'
//!   `test_object_raw_get_x_amz_expires_out_*` expect the 403).
//!
//! An expired URL is s3s's `AccessDenied` "Request has expired", as on S3. SigV2 presigned
//! URLs (`Expires`) have no such limit on S3.

/// The longest a SigV4 signature (and so a presigned URL) is valid.
const MAX_EXPIRES: i64 = 604_800;

/// A refusal: the HTTP status, S3's error code, its message and the region S3 names, if any.
pub(super) type Refusal = (http::StatusCode, &'static str, String, Option<String>);

/// Why S3 refuses the request's signature before verifying it, if it does; `expected_region`
/// is the region the request should have been signed for.
pub(super) fn refusal(
    headers: &http::HeaderMap,
    query: Option<&str>,
    expected_region: impl FnOnce() -> String,
) -> Option<Refusal> {
    incomplete_refusal(query)
        .or_else(|| scope_refusal(headers, query, expected_region))
        .or_else(|| expires_refusal(query))
}

/// The parameters a SigV4 presigned URL must all carry.
const PRESIGNED_PARAMETERS: [&str; 6] = [
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Signature",
    "X-Amz-Date",
    "X-Amz-SignedHeaders",
    "X-Amz-Expires",
];

/// A URL carrying some of a presigned URL's parameters but not all: 400
/// `AuthorizationQueryParametersError` (an S3 answer recorded in the Ayvri API PHP client;
/// minio's `ErrInvalidQueryParams`). A URL with none of them is an unsigned request.
fn incomplete_refusal(query: Option<&str>) -> Option<Refusal> {
    let present: Vec<String> = form_urlencoded::parse(query?.as_bytes())
        .map(|(name, _)| name.into_owned())
        .filter(|name| PRESIGNED_PARAMETERS.contains(&name.as_str()))
        .collect();
    let signing = ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature"];
    if !present.iter().any(|name| signing.contains(&name.as_str()))
        || PRESIGNED_PARAMETERS
            .iter()
            .all(|name| present.iter().any(|p| p == name))
    {
        return None;
    }
    Some((
        http::StatusCode::BAD_REQUEST,
        "AuthorizationQueryParametersError",
        "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.".to_owned(),
        None,
    ))
}

/// A credential scope naming another service than `s3`, or no AWS region.
fn scope_refusal(
    headers: &http::HeaderMap,
    query: Option<&str>,
    expected_region: impl FnOnce() -> String,
) -> Option<Refusal> {
    let header = headers
        .get(http::header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .filter(|h| h.starts_with("AWS4-HMAC-SHA256"))
        .and_then(|h| h.split_once("Credential="))
        .map(|(_, rest)| rest.split([',', ' ']).next().unwrap_or_default().to_owned());
    let (credential, code, prefix) = match header {
        Some(credential) => (
            credential,
            "AuthorizationHeaderMalformed",
            "The authorization header is malformed",
        ),
        None => (
            form_urlencoded::parse(query?.as_bytes())
                .find(|(k, _)| k == "X-Amz-Credential")?
                .1
                .into_owned(),
            "AuthorizationQueryParametersError",
            "Error parsing the X-Amz-Credential parameter",
        ),
    };
    let parts: Vec<&str> = credential.split('/').collect();
    let [_, _, region, service, _] = parts[..] else {
        return None;
    };
    if service != "s3" {
        return Some((
            http::StatusCode::BAD_REQUEST,
            code,
            format!("{prefix}; incorrect service \"{service}\". This endpoint belongs to \"s3\"."),
            None,
        ));
    }
    if !strata_sigv4::is_region_name(region) {
        let expected = expected_region();
        return Some((
            http::StatusCode::BAD_REQUEST,
            code,
            format!("{prefix}; the region '{region}' is wrong; expecting '{expected}'"),
            Some(expected),
        ));
    }
    None
}

/// Why S3 refuses the URL's `X-Amz-Expires`, if it does.
fn expires_refusal(query: Option<&str>) -> Option<Refusal> {
    let query = query?;
    let mut sigv4 = false;
    let mut expires = None;
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        match name.as_ref() {
            "X-Amz-Algorithm" => sigv4 = true,
            "X-Amz-Expires" => expires = Some(value.into_owned()),
            _ => {}
        }
    }
    let expires = expires.filter(|_| sigv4)?;
    const CODE: &str = "AuthorizationQueryParametersError";
    let message = match expires.parse::<i64>() {
        Err(_) => "X-Amz-Expires should be a number".to_owned(),
        Ok(n) if n < 0 => "X-Amz-Expires must be non-negative".to_owned(),
        Ok(n) if n > MAX_EXPIRES => format!(
            "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than {MAX_EXPIRES} seconds"
        ),
        Ok(_) => return None,
    };
    Some((http::StatusCode::FORBIDDEN, CODE, message, None))
}

#[cfg(test)]
mod tests {
    use super::{expires_refusal as refusal, scope_refusal};

    #[test]
    fn expires_beyond_a_week_negative_or_not_a_number_is_refused() {
        let q =
            |e: &str| format!("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires={e}&X-Amz-Date=x");
        assert!(refusal(Some(&q("604800"))).is_none());
        assert!(refusal(Some(&q("1"))).is_none());
        assert!(
            refusal(Some(&q("604801")))
                .unwrap()
                .2
                .contains("less than a week")
        );
        assert!(refusal(Some(&q("4294967295"))).is_some());
        assert_eq!(
            refusal(Some(&q("-7"))).unwrap().2,
            "X-Amz-Expires must be non-negative"
        );
        assert!(refusal(Some(&q("soon"))).is_some());
        // SigV2's Expires, and no presigning at all, are not this check's.
        assert!(refusal(Some("AWSAccessKeyId=a&Expires=99999999999&Signature=s")).is_none());
        assert!(refusal(None).is_none());
        assert!(refusal(Some("X-Amz-Expires=999999999")).is_none());
    }

    #[test]
    fn a_presigned_url_missing_a_parameter_is_refused() {
        let whole = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=c&X-Amz-Date=d&X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=s";
        assert!(super::incomplete_refusal(Some(whole)).is_none());
        assert!(super::incomplete_refusal(Some("prefix=a&list-type=2")).is_none());
        let unsigned = whole.replace("&X-Amz-Signature=s", "");
        let (status, code, message, _) = super::incomplete_refusal(Some(&unsigned)).unwrap();
        assert_eq!(status, http::StatusCode::BAD_REQUEST);
        assert_eq!(code, "AuthorizationQueryParametersError");
        assert!(message.starts_with("Query-string authentication version 4 requires"));
        assert!(super::incomplete_refusal(Some("X-Amz-Signature=s")).is_some());
    }

    #[test]
    fn a_scope_for_another_service_is_refused() {
        let mut headers = http::HeaderMap::new();
        headers.insert(
            http::header::AUTHORIZATION,
            http::HeaderValue::from_static(
                "AWS4-HMAC-SHA256 Credential=AKIA/20261206/us-east-1/sts/aws4_request, SignedHeaders=host, Signature=00",
            ),
        );
        let east = || "us-east-1".to_owned();
        let (status, code, message, _) = scope_refusal(&headers, None, east).unwrap();
        assert_eq!(status, http::StatusCode::BAD_REQUEST);
        assert_eq!(code, "AuthorizationHeaderMalformed");
        assert_eq!(
            message,
            "The authorization header is malformed; incorrect service \"sts\". This endpoint belongs to \"s3\"."
        );
        let presigned = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIA%2F20261206%2Fus-east-1%2Fdynamodb%2Faws4_request";
        let (_, code, message, _) =
            scope_refusal(&http::HeaderMap::new(), Some(presigned), east).unwrap();
        assert_eq!(code, "AuthorizationQueryParametersError");
        assert!(message.starts_with(
            "Error parsing the X-Amz-Credential parameter; incorrect service \"dynamodb\""
        ));
        let s3 = "X-Amz-Credential=AKIA%2F20261206%2Fus-east-1%2Fs3%2Faws4_request";
        assert!(scope_refusal(&http::HeaderMap::new(), Some(s3), east).is_none());
        let bogus = "X-Amz-Credential=AKIA%2F20261206%2Fbogus-region-9%2Fs3%2Faws4_request";
        let (_, _, message, region) =
            scope_refusal(&http::HeaderMap::new(), Some(bogus), east).unwrap();
        assert_eq!(
            message,
            "Error parsing the X-Amz-Credential parameter; the region 'bogus-region-9' is wrong; expecting 'us-east-1'"
        );
        assert_eq!(region.as_deref(), Some("us-east-1"));
    }
}
