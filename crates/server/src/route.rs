//! Which protocol a request speaks, decided from the request line and headers alone
//! (the body is not read yet).
//!
//! - `/_strata/…` is strata's own admin API (never a valid S3 bucket: `_` is not
//!   allowed in bucket names);
//! - `X-Amz-Target: DynamoDB_20120810.<Operation>` is DynamoDB's JSON 1.0 protocol
//!   (`DynamoDBStreams_20120810.<Operation>` its Streams API's);
//! - `Action=` in the query, or a form-encoded POST to `/`, is the Query protocol of
//!   IAM and STS;
//! - everything else is S3's REST protocol.

use http::request::Parts;

/// DynamoDB's JSON 1.0 target prefix.
pub const DYNAMODB_TARGET_PREFIX: &str = "DynamoDB_20120810.";

/// DynamoDB Streams' JSON 1.0 target prefix (same endpoint and signing name as DynamoDB).
pub const DYNAMODB_STREAMS_TARGET_PREFIX: &str = "DynamoDBStreams_20120810.";

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    Admin,
    /// `target` is the whole `X-Amz-Target` value.
    Json {
        target: String,
    },
    Query,
    S3,
}

pub fn route(parts: &Parts) -> Route {
    if parts.uri.path().starts_with("/_strata/") {
        return Route::Admin;
    }
    if let Some(target) = parts.headers.get("x-amz-target") {
        return Route::Json {
            target: String::from_utf8_lossy(target.as_bytes()).into_owned(),
        };
    }
    let query = parts.uri.query().unwrap_or_default();
    if query.split('&').any(|p| p.starts_with("Action=")) {
        return Route::Query;
    }
    let form = parts
        .headers
        .get(http::header::CONTENT_TYPE)
        .is_some_and(|ct| {
            ct.as_bytes()
                .starts_with(b"application/x-www-form-urlencoded")
        });
    if parts.method == http::Method::POST && parts.uri.path() == "/" && form {
        return Route::Query;
    }
    Route::S3
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(method: &str, uri: &str, headers: &[(&str, &str)]) -> Parts {
        let mut b = http::Request::builder().method(method).uri(uri);
        for (n, v) in headers {
            b = b.header(*n, *v);
        }
        b.body(()).unwrap().into_parts().0
    }

    #[test]
    fn routes_by_header_and_request_line() {
        assert_eq!(route(&parts("GET", "/_strata/health", &[])), Route::Admin);
        assert_eq!(
            route(&parts(
                "POST",
                "/",
                &[("X-Amz-Target", "DynamoDB_20120810.ListTables")]
            )),
            Route::Json {
                target: "DynamoDB_20120810.ListTables".into()
            }
        );
        assert_eq!(
            route(&parts(
                "POST",
                "/",
                &[(
                    "Content-Type",
                    "application/x-www-form-urlencoded; charset=utf-8"
                )]
            )),
            Route::Query
        );
        assert_eq!(
            route(&parts(
                "GET",
                "/?Action=GetCallerIdentity&Version=2011-06-15",
                &[]
            )),
            Route::Query
        );
        assert_eq!(route(&parts("GET", "/bucket/key", &[])), Route::S3);
        assert_eq!(route(&parts("PUT", "/bucket", &[])), Route::S3);
        assert_eq!(route(&parts("GET", "/?list-type=2", &[])), Route::S3);
    }
}
