//! CORS: Put/Get/DeleteBucketCors, the preflight (`OPTIONS`) answered from the bucket's rules
//! before any authentication (a browser sends it unsigned), and the `Access-Control-*` headers
//! on an actual request from an `Origin` a rule allows. Which rule answers is decided in
//! [`strata_s3::cors`].

use s3s::dto::*;
use s3s::{S3Request, S3Response, S3Result, s3_error};
use strata_app::App;
use strata_s3::cors::{self, CorsError, CorsRule};

use super::RequestIds;
use super::context::Cx;
use super::errors::{custom, from_engine};

pub async fn get_bucket_cors(
    app: &App,
    req: S3Request<GetBucketCorsInput>,
) -> S3Result<S3Response<GetBucketCorsOutput>> {
    let cx = Cx::authorized(app, &req, "s3:GetBucketCORS")?;
    if cx.bucket.cors.is_empty() {
        return Err(no_configuration());
    }
    let rules = cx
        .bucket
        .cors
        .iter()
        .map(|rule| CORSRule {
            id: rule.id.clone(),
            allowed_origins: rule.allowed_origins.clone(),
            allowed_methods: rule.allowed_methods.clone(),
            allowed_headers: (!rule.allowed_headers.is_empty())
                .then(|| rule.allowed_headers.clone()),
            expose_headers: (!rule.expose_headers.is_empty()).then(|| rule.expose_headers.clone()),
            max_age_seconds: rule.max_age_seconds,
        })
        .collect();
    Ok(S3Response::new(GetBucketCorsOutput {
        cors_rules: Some(rules),
    }))
}

fn no_configuration() -> s3s::S3Error {
    custom(
        "NoSuchCORSConfiguration",
        http::StatusCode::NOT_FOUND,
        "The CORS configuration does not exist",
    )
}

pub async fn put_bucket_cors(
    app: &App,
    req: S3Request<PutBucketCorsInput>,
) -> S3Result<S3Response<PutBucketCorsOutput>> {
    let cx = Cx::authorized(app, &req, "s3:PutBucketCORS")?;
    let rules: Vec<CorsRule> = req
        .input
        .cors_configuration
        .cors_rules
        .into_iter()
        .map(|rule| CorsRule {
            id: rule.id,
            allowed_origins: rule.allowed_origins,
            allowed_methods: rule.allowed_methods,
            allowed_headers: rule.allowed_headers.unwrap_or_default(),
            expose_headers: rule.expose_headers.unwrap_or_default(),
            max_age_seconds: rule.max_age_seconds,
        })
        .collect();
    cors::validate(&rules).map_err(|err| match err {
        CorsError::Malformed => s3_error!(
            MalformedXML,
            "The XML you provided was not well-formed or did not validate against our published schema"
        ),
        CorsError::Invalid(message) => s3s::S3Error::with_message(
            s3s::S3ErrorCode::InvalidRequest,
            message,
        ),
    })?;
    app.s3
        .update_bucket(&cx.bucket.name, move |b| {
            b.cors = rules;
            Ok(())
        })
        .await
        .map_err(from_engine)?;
    Ok(S3Response::new(PutBucketCorsOutput::default()))
}

/// Authorized as `s3:PutBucketCORS` (there is no delete action).
pub async fn delete_bucket_cors(
    app: &App,
    req: S3Request<DeleteBucketCorsInput>,
) -> S3Result<S3Response<DeleteBucketCorsOutput>> {
    let cx = Cx::authorized(app, &req, "s3:PutBucketCORS")?;
    app.s3
        .update_bucket(&cx.bucket.name, |b| {
            b.cors.clear();
            Ok(())
        })
        .await
        .map_err(from_engine)?;
    Ok(S3Response::with_status(
        DeleteBucketCorsOutput::default(),
        http::StatusCode::NO_CONTENT,
    ))
}

const VARY: &str = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method";

/// Answers a preflight `OPTIONS` on `bucket` from its CORS rules. Refusals are 403
/// `AccessForbidden` naming the method asked about and whether the bucket or its rules said
/// no (S3's `ResourceType`).
pub fn preflight(
    app: &App,
    headers: &http::HeaderMap,
    bucket: Option<&str>,
    ids: &RequestIds,
) -> http::Response<s3s::Body> {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let Some(origin) = text("origin") else {
        return error_response(
            http::StatusCode::BAD_REQUEST,
            "BadRequest",
            "Insufficient information. Origin request header needed.",
            None,
            ids,
        );
    };
    let method = text("access-control-request-method");
    let forbidden = |message: &str, resource: &str| {
        error_response(
            http::StatusCode::FORBIDDEN,
            "AccessForbidden",
            &format!("CORSResponse: {message}"),
            Some((method.unwrap_or("OPTIONS"), resource)),
            ids,
        )
    };
    let Some(bucket) = bucket.and_then(|b| app.s3.bucket(b).ok()) else {
        return forbidden("Bucket not found", "BUCKET");
    };
    if bucket.cors.is_empty() {
        return forbidden("CORS is not enabled for this bucket.", "BUCKET");
    }
    let Some(method) = method.filter(|m| matches!(*m, "GET" | "PUT" | "HEAD" | "POST" | "DELETE"))
    else {
        return error_response(
            http::StatusCode::BAD_REQUEST,
            "BadRequest",
            &format!(
                "Invalid Access-Control-Request-Method: {}",
                method.unwrap_or_default()
            ),
            None,
            ids,
        );
    };
    let requested = requested_headers(headers);
    let Some(rule) = cors::matching_rule(&bucket.cors, origin, method, &requested) else {
        return forbidden(NOT_ALLOWED, "OBJECT");
    };
    let mut response = http::Response::new(s3s::Body::empty());
    let out = response.headers_mut();
    allow(out, rule, origin);
    if !requested.is_empty() {
        insert(
            out,
            "access-control-allow-headers",
            &requested.join(", ").to_ascii_lowercase(),
        );
    }
    response
}

const NOT_ALLOWED: &str = "This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.";

/// `Access-Control-Request-Headers`, split.
fn requested_headers(headers: &http::HeaderMap) -> Vec<&str> {
    headers
        .get("access-control-request-headers")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .collect()
}

/// Adds the `Access-Control-*` headers of the rule allowing an actual request from `origin`
/// to `response`, when `bucket` has one. The request is judged as a preflight would be when it
/// carries `Access-Control-Request-Method` or `-Headers` (S3 does so).
pub fn decorate(
    app: &App,
    bucket: &str,
    request: &http::HeaderMap,
    method: &http::Method,
    response: &mut http::Response<s3s::Body>,
) {
    let Some(origin) = request
        .get(http::header::ORIGIN)
        .and_then(|o| o.to_str().ok())
    else {
        return;
    };
    let Ok(bucket) = app.s3.bucket(bucket) else {
        return;
    };
    let method = request
        .get("access-control-request-method")
        .and_then(|m| m.to_str().ok())
        .unwrap_or(method.as_str());
    let requested = requested_headers(request);
    if let Some(rule) = cors::matching_rule(&bucket.cors, origin, method, &requested) {
        allow(response.headers_mut(), rule, origin);
    }
}

fn allow(out: &mut http::HeaderMap, rule: &CorsRule, origin: &str) {
    let any = rule.allowed_origins.iter().any(|o| o == "*");
    insert(
        out,
        "access-control-allow-origin",
        if any { "*" } else { origin },
    );
    insert(
        out,
        "access-control-allow-methods",
        &rule.allowed_methods.join(", "),
    );
    if !rule.expose_headers.is_empty() {
        insert(
            out,
            "access-control-expose-headers",
            &rule.expose_headers.join(", "),
        );
    }
    if let Some(age) = rule.max_age_seconds {
        insert(out, "access-control-max-age", &age.to_string());
    }
    if !any {
        insert(out, "access-control-allow-credentials", "true");
    }
    insert(out, "vary", VARY);
}

fn insert(out: &mut http::HeaderMap, name: &'static str, value: &str) {
    if let Ok(value) = http::HeaderValue::from_str(value) {
        out.insert(name, value);
    }
}

fn error_response(
    status: http::StatusCode,
    code: &str,
    message: &str,
    refused: Option<(&str, &str)>,
    ids: &RequestIds,
) -> http::Response<s3s::Body> {
    let extra: &[(&str, &str)] = match refused {
        Some((method, resource)) => &[("Method", method), ("ResourceType", resource)],
        None => &[],
    };
    super::errors::rendered(status, code, message, extra, ids)
}
