//! S3's REST protocol, adapted by s3s to the S3 engine (`strata-s3`).
//!
//! s3s parses requests (path- and virtual-hosted style), verifies SigV4 in every form S3
//! accepts (header, presigned, `STREAMING-*` chunked with or without trailers, unsigned
//! payload) against the IAM engine's keys, and renders S3's XML. Everything it hands us goes
//! through [`Adapter`], the one place that turns s3s's types into engine calls; if s3s has to
//! go, only this module changes.
//!
//! - `identity`: the s3s hooks — secret keys, session tokens, who is calling.
//! - `context`: each operation's request context, resolved once (the application layer's
//!   `BucketContext`: requester, bucket, expected owner), which answers every authorization
//!   through the one entry point with S3's layers.
//! - `cors`: bucket CORS rules, and the preflights and response headers they decide.
//! - `post_form`: browser POST uploads, read before s3s for what S3 checks first.
//! - `lifecycle`: bucket lifecycle rules and the `x-amz-expiration` they give objects.
//! - `acl`: canned ACLs and grants on the wire, and S3's rules for setting them.
//! - `buckets`, `encryption`, `objects`, `attributes`, `copy`, `listing`, `multipart`,
//!   `tagging`: the
//!   operations; `upload` what writes carry (bodies verified, ACLs, headers),
//!   `conditions` conditional reads and ranges.
//! - `errors`: engine errors and refusals in S3's codes, statuses and messages.

mod acl;
mod attributes;
mod buckets;
mod conditions;
mod context;
mod copy;
mod cors;
mod encryption;
mod errors;
mod identity;
mod lifecycle;
mod listing;
mod multipart;
pub(crate) mod objects;
mod post_form;
mod signature_limits;
mod sse;
mod tagging;
mod upload;

use std::sync::Arc;

use bytes::Bytes;
use http_body_util::BodyExt;
use hyper::body::Incoming;

use crate::body::IdleTimeout;
use s3s::service::{S3Service, S3ServiceBuilder};

use strata_app::{App, Requester, request_id};

/// The S3 operations strata serves; every other one answers s3s's `NotImplemented`.
pub struct Adapter {
    app: Arc<App>,
}

/// The s3s service over the engine, built once per listener.
pub fn service(app: Arc<App>) -> S3Service {
    let mut builder = S3ServiceBuilder::new(Adapter { app: app.clone() });
    builder.set_auth(identity::Keys { app: app.clone() });
    builder.set_access(identity::Sessions { app });
    builder.set_host(identity::Localhost);
    builder.build()
}

/// The ids one request is known by, for headers and error bodies.
#[derive(Clone, Debug)]
pub struct RequestIds {
    pub request_id: String,
    pub host_id: String,
}

/// Serves one S3 request: a CORS preflight here, anything else through s3s; ids on every
/// response, and in every error body; CORS headers for an `Origin` the bucket allows.
pub async fn handle(
    app: &App,
    service: &S3Service,
    mut req: http::Request<IdleTimeout<Incoming>>,
) -> http::Response<s3s::Body> {
    let ids = RequestIds {
        request_id: request_id::s3(),
        host_id: request_id::s3_host_id(),
    };
    req.extensions_mut().insert(ids.clone());
    let head = req.method() == http::Method::HEAD;
    let named = Named::of(&req);
    let cors_request = req
        .headers()
        .contains_key(http::header::ORIGIN)
        .then(|| req.headers().clone());
    let method = req.method().clone();
    let attributes = method == http::Method::GET
        && named.key.is_some()
        && req.uri().query().is_some_and(|q| {
            q.split('&')
                .any(|p| p == "attributes" || p == "attributes=")
        });
    // A bucket setting's PUT (or DeleteObjects' POST): `?cors`, `?lifecycle`, ….
    let bucket_subresource_write = matches!(method, http::Method::PUT | http::Method::POST)
        && named.key.is_none()
        && req.uri().query().is_some_and(|q| {
            q.split('&').any(|p| {
                let name = p.split('=').next().unwrap_or_default();
                !name.is_empty()
                    && !name.starts_with("X-Amz-")
                    && !matches!(name, "AWSAccessKeyId" | "Signature" | "Expires" | "x-id")
            })
        });
    if method == http::Method::PUT && chunked_without_length(req.headers()) {
        // S3 takes no HTTP/1.1 chunked body without a length (aws-chunked bodies say theirs).
        let mut response = errors::rendered(
            http::StatusCode::NOT_IMPLEMENTED,
            "NotImplemented",
            "A header you provided implies functionality that is not implemented",
            &[("Header", "Transfer-Encoding")],
            &ids,
        );
        with_ids(&mut response, &ids);
        return response;
    }
    let expected_region = || {
        named
            .bucket
            .as_deref()
            .and_then(|b| app.s3.bucket(b).ok())
            .map_or_else(|| app.default_region.clone(), |b| b.region)
    };
    if let Some((status, code, message, region)) =
        signature_limits::refusal(req.headers(), req.uri().query(), expected_region)
    {
        let extra: Vec<(&str, &str)> = region.iter().map(|r| ("Region", r.as_str())).collect();
        let mut response = errors::rendered(status, code, &message, &extra, &ids);
        with_ids(&mut response, &ids);
        return response;
    }
    if method == http::Method::OPTIONS {
        let mut response = cors::preflight(app, req.headers(), named.bucket.as_deref(), &ids);
        with_ids(&mut response, &ids);
        return response;
    }
    let boundary = (method == http::Method::POST && named.key.is_none())
        .then(|| req.headers().get(http::header::CONTENT_TYPE))
        .flatten()
        .and_then(|c| c.to_str().ok())
        .filter(|c| c.starts_with("multipart/form-data"))
        .and_then(|c| {
            c.split_once("boundary=")
                .map(|(_, b)| b.trim_matches('"').to_owned())
        });
    let (req, signed_form) = match boundary {
        // A browser POST upload is read whole here (s3s reads it whole too): see
        // [`post_form`].
        Some(boundary) => {
            let (mut parts, body) = req.into_parts();
            let bytes = match http_body_util::Limited::new(body, post_form::MAX_FORM_BYTES)
                .collect()
                .await
            {
                Ok(collected) => collected.to_bytes(),
                Err(_) => {
                    let mut response = errors::rendered(
                        http::StatusCode::BAD_REQUEST,
                        "EntityTooLarge",
                        "Your proposed upload exceeds the maximum allowed size",
                        &[],
                        &ids,
                    );
                    with_ids(&mut response, &ids);
                    return response;
                }
            };
            let form = post_form::PostForm::read(bytes, &boundary);
            if let Some(expiration) = &form.bad_expiration {
                let mut response = errors::rendered(
                    http::StatusCode::BAD_REQUEST,
                    "InvalidPolicyDocument",
                    &format!("Invalid Policy: Invalid 'expiration' value: '{expiration}'"),
                    &[],
                    &ids,
                );
                with_ids(&mut response, &ids);
                return response;
            }
            parts.headers.insert(
                http::header::CONTENT_LENGTH,
                http::HeaderValue::from(form.body.len()),
            );
            let signed = form.signed;
            (
                http::Request::from_parts(parts, s3s::Body::from(form.body)),
                signed,
            )
        }
        None => (req.map(s3s::Body::http_body), false),
    };
    let req = with_v2_bucket_slash(req);
    let mut response = match service.call(req).await {
        Ok(response) => response,
        Err(err) => {
            tracing::error!(error = ?err, "s3s failed to answer");
            let mut response = http::Response::new(s3s::Body::empty());
            *response.status_mut() = http::StatusCode::INTERNAL_SERVER_ERROR;
            response
        }
    };
    if response.status() == http::StatusCode::BAD_REQUEST
        && bucket_subresource_write
        && let Some(bucket) = named.bucket.as_deref()
        && matches!(app.s3.bucket(bucket), Err(strata_s3::S3Error::NoSuchBucket))
    {
        // S3 looks the bucket up before it reads a bucket setting's body; s3s reads first.
        response = errors::rendered(
            http::StatusCode::NOT_FOUND,
            "NoSuchBucket",
            "The specified bucket does not exist",
            &[("BucketName", bucket)],
            &ids,
        );
        with_ids(&mut response, &ids);
        return response;
    }
    if signed_form && response.status() == http::StatusCode::BAD_REQUEST {
        response = errors::post_policy_refusal(response, &ids).await;
    }
    if response.status() == http::StatusCode::NOT_MODIFIED {
        // 304 never has a body (s3s renders it as an error).
        let (mut parts, _) = response.into_parts();
        parts.headers.remove(http::header::CONTENT_LENGTH);
        parts.headers.remove(http::header::CONTENT_TYPE);
        response = http::Response::from_parts(parts, s3s::Body::empty());
    } else if response.status().is_client_error() || response.status().is_server_error() {
        response = with_ids_in_body(response, &ids, &named, head).await;
    }
    if attributes && response.status() == http::StatusCode::OK {
        response = attributes::unquoted_etag(response).await;
    }
    if response.headers().contains_key(listing::ORDER_HEADER) {
        response = listing::interleaved(response).await;
    }
    if let (Some(request), Some(bucket)) = (cors_request, named.bucket.as_deref()) {
        cors::decorate(app, bucket, &request, &method, &mut response);
    }
    with_ids(&mut response, &ids);
    response
}

/// `Transfer-Encoding: chunked` with neither `Content-Length` nor
/// `x-amz-decoded-content-length`.
fn chunked_without_length(headers: &http::HeaderMap) -> bool {
    headers
        .get(http::header::TRANSFER_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"))
        && !headers.contains_key(http::header::CONTENT_LENGTH)
        && !headers.contains_key("x-amz-decoded-content-length")
}

/// A SigV2 request on a bucket addressed path-style as `/bucket`, readdressed `/bucket/`:
/// SigV2 signs a bucket's resource as `/bucket/` (botocore's HmacV1Auth and S3's own rule),
/// while s3s signs the path as sent.
fn with_v2_bucket_slash(mut req: http::Request<s3s::Body>) -> http::Request<s3s::Body> {
    let v2 = req
        .headers()
        .get(http::header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .is_some_and(|h| h.starts_with("AWS "))
        || req
            .uri()
            .query()
            .is_some_and(|q| q.split('&').any(|p| p.starts_with("AWSAccessKeyId=")));
    let path = req.uri().path();
    let bucket_only = path.len() > 1 && !path[1..].contains('/');
    let virtual_host = req
        .headers()
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .and_then(identity::virtual_host_bucket)
        .is_some();
    if !v2 || !bucket_only || virtual_host {
        return req;
    }
    let target = match req.uri().query() {
        Some(query) => format!("{path}/?{query}"),
        None => format!("{path}/"),
    };
    let mut parts = req.uri().clone().into_parts();
    if let Ok(path_and_query) = target.parse() {
        parts.path_and_query = Some(path_and_query);
        if let Ok(uri) = http::Uri::from_parts(parts) {
            *req.uri_mut() = uri;
        }
    }
    req
}

fn with_ids(response: &mut http::Response<s3s::Body>, ids: &RequestIds) {
    let headers = response.headers_mut();
    for (name, value) in [
        ("x-amz-request-id", &ids.request_id),
        ("x-amz-id-2", &ids.host_id),
    ] {
        headers.insert(
            name,
            http::HeaderValue::from_str(value).expect("ids are ASCII"),
        );
    }
}

/// The access key a request is signed with (header or presigned), before any check.
pub fn access_key_of<B>(req: &http::Request<B>) -> Option<String> {
    let credential = req
        .headers()
        .get(http::header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.split_once("Credential="))
        .map(|(_, rest)| rest.to_owned())
        .or_else(|| {
            form_urlencoded::parse(req.uri().query().unwrap_or_default().as_bytes())
                .find(|(k, _)| k == "X-Amz-Credential")
                .map(|(_, v)| v.into_owned())
        })?;
    credential
        .split('/')
        .next()
        .filter(|k| !k.is_empty())
        .map(str::to_owned)
}

/// The bucket and key a request names (path-style or `BUCKET.localhost`), for the
/// `<BucketName>` and `<Key>` elements of some errors.
struct Named {
    bucket: Option<String>,
    key: Option<String>,
    /// The access key of the signature (header or presigned).
    access_key: Option<String>,
    /// The `versionId` query parameter.
    version_id: Option<String>,
    method: http::Method,
}

impl Named {
    fn of<B>(req: &http::Request<B>) -> Self {
        let host = req
            .headers()
            .get(http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or_default();
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8_lossy()
                .into_owned()
        };
        let path = req.uri().path().trim_start_matches('/');
        let virtual_bucket = identity::virtual_host_bucket(host);
        let (bucket, key) = match virtual_bucket {
            Some(bucket) => (Some(bucket.to_owned()), Some(path)),
            None => match path.split_once('/') {
                Some((bucket, key)) => (Some(decode(bucket)), Some(key)),
                None => ((!path.is_empty()).then(|| decode(path)), None),
            },
        };
        let query = |name: &str| {
            form_urlencoded::parse(req.uri().query().unwrap_or_default().as_bytes())
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
        };
        Self {
            bucket,
            key: key.filter(|k| !k.is_empty()).map(decode),
            access_key: access_key_of(req),
            version_id: query("versionId"),
            method: req.method().clone(),
        }
    }

    /// The extra elements an error with `code` and `message` carries, as XML; `delete_marker`
    /// when the response says it is about one.
    fn element(&self, code: &str, message: &str, delete_marker: bool) -> Option<String> {
        let mut out = String::new();
        let mut add =
            |name: &str, value: &str| crate::protocol::xml::element(&mut out, name, value);
        match code {
            "NoSuchVersion" => {
                add("Key", self.key.as_deref()?);
                add("VersionId", self.version_id.as_deref()?);
                return Some(out);
            }
            "InvalidArgument" if message == "Invalid version id specified" => {
                add("ArgumentName", "versionId");
                add("ArgumentValue", self.version_id.as_deref()?);
                return Some(out);
            }
            "MethodNotAllowed" if delete_marker => {
                add("Method", self.method.as_str());
                add("ResourceType", "DeleteMarker");
                return Some(out);
            }
            _ => {}
        }
        let (name, value) = match code {
            "NoSuchBucket"
            | "NoSuchBucketPolicy"
            | "BucketAlreadyOwnedByYou"
            | "BucketAlreadyExists"
            | "BucketNotEmpty"
            | "NoSuchCORSConfiguration"
            | "NoSuchLifecycleConfiguration"
            | "OwnershipControlsNotFoundError"
            | "NoSuchTagSet"
            | "InvalidBucketName" => ("BucketName", self.bucket.as_deref()?),
            "InvalidAccessKeyId" | "SignatureDoesNotMatch" => {
                ("AWSAccessKeyId", self.access_key.as_deref()?)
            }
            "NoSuchKey" => ("Key", self.key.as_deref()?),
            "KeyTooLongError" => {
                let size = self.key.as_deref()?.len().to_string();
                let mut out = String::new();
                crate::protocol::xml::element(&mut out, "Size", &size);
                crate::protocol::xml::element(&mut out, "MaxSizeAllowed", "1024");
                return Some(out);
            }
            _ => return None,
        };
        let mut out = String::new();
        crate::protocol::xml::element(&mut out, name, value);
        Some(out)
    }
}

/// Adds `<RequestId>` and `<HostId>` to an `<Error>` body that lacks them (s3s renders its
/// own errors without them), and the bucket name or key some codes carry.
async fn with_ids_in_body(
    response: http::Response<s3s::Body>,
    ids: &RequestIds,
    named: &Named,
    head: bool,
) -> http::Response<s3s::Body> {
    let (mut parts, body) = response.into_parts();
    let elements: Vec<(String, String)> = parts
        .headers
        .get_all(errors::ELEMENT_HEADER)
        .iter()
        .filter_map(|v| v.to_str().ok()?.split_once('='))
        .map(|(name, value)| {
            let value = percent_encoding::percent_decode_str(value).decode_utf8_lossy();
            (name.to_owned(), value.into_owned())
        })
        .collect();
    parts.headers.remove(errors::ELEMENT_HEADER);
    if head {
        return http::Response::from_parts(parts, s3s::Body::empty());
    }
    let Ok(collected) = body.collect().await else {
        return http::Response::from_parts(parts, s3s::Body::empty());
    };
    let bytes = collected.to_bytes();
    let text = String::from_utf8_lossy(&bytes);
    let body = match text.rfind("</Error>") {
        Some(end) if !text.contains("<RequestId>") => {
            let mut out = String::with_capacity(text.len() + 96);
            out.push_str(&text[..end]);
            if !text.contains("<Message>")
                && let Some(message) = default_message(&text)
            {
                out.push_str("<Message>");
                out.push_str(message);
                out.push_str("</Message>");
            }
            let delete_marker = parts.headers.contains_key("x-amz-delete-marker");
            let message = text
                .split_once("<Message>")
                .and_then(|(_, rest)| rest.split_once("</Message>"))
                .map_or("", |(m, _)| m);
            for (name, value) in &elements {
                crate::protocol::xml::element(&mut out, name, value);
            }
            if let Some(element) =
                error_code(&text).and_then(|code| named.element(code, message, delete_marker))
            {
                out.push_str(&element);
            }
            out.push_str("<RequestId>");
            out.push_str(&ids.request_id);
            out.push_str("</RequestId><HostId>");
            out.push_str(&ids.host_id);
            out.push_str("</HostId></Error>");
            Bytes::from(out)
        }
        _ => bytes,
    };
    parts.headers.remove(http::header::CONTENT_LENGTH);
    http::Response::from_parts(parts, s3s::Body::from(body))
}

/// The `<Code>` of an error body.
fn error_code(body: &str) -> Option<&str> {
    Some(body.split_once("<Code>")?.1.split_once("</Code>")?.0)
}

/// S3's message for an error s3s rendered without one (its authentication errors).
fn default_message(body: &str) -> Option<&'static str> {
    Some(match error_code(body)? {
        "SignatureDoesNotMatch" => {
            "The request signature we calculated does not match the signature you provided. Check your key and signing method."
        }
        "InvalidAccessKeyId" => "The AWS Access Key Id you provided does not exist in our records.",
        "AccessDenied" => "Access Denied",
        "InvalidBucketName" => "The specified bucket is not valid.",
        "RequestTimeTooSkewed" => {
            "The difference between the request time and the current time is too large."
        }
        "AuthorizationHeaderMalformed" => "The authorization header is malformed.",
        "MissingSecurityHeader" => "Your request is missing a required header.",
        "XAmzContentSHA256Mismatch" => {
            "The provided 'x-amz-content-sha256' header does not match what was computed."
        }
        "MalformedXML" => {
            "The XML you provided was not well-formed or did not validate against our published schema"
        }
        "KeyTooLongError" => "Your key is too long",
        "InvalidURI" => "Couldn't parse the specified URI.",
        "MaxMessageLengthExceeded" => "Your request was too big.",
        _ => return None,
    })
}

/// Who an operation runs for, as [`identity::Sessions`] recorded it.
fn requester<T>(req: &s3s::S3Request<T>) -> s3s::S3Result<&Requester> {
    req.extensions
        .get::<Requester>()
        .ok_or_else(|| s3s::s3_error!(InternalError, "the request was not authenticated"))
}

/// A time on the server clock (µs since the epoch) as s3s's timestamp.
fn timestamp(micros: i64) -> s3s::dto::Timestamp {
    // Clamped to the last instant of year 9999, the latest s3s can render.
    const LAST: i64 = 253_402_300_799_999_999;
    let time =
        std::time::UNIX_EPOCH + std::time::Duration::from_micros(micros.clamp(0, LAST) as u64);
    s3s::dto::Timestamp::from(time)
}

/// A time on the server clock as an HTTP date (`Last-Modified` outside s3s's outputs).
fn http_date(micros: i64) -> String {
    let mut out = Vec::new();
    let _ = timestamp(micros).format(s3s::dto::TimestampFormat::HttpDate, &mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// An account's canonical user id: 64 hex characters, stable per account.
fn canonical_id(account: &str) -> String {
    strata_sigv4::hex_sha256(format!("strata canonical user {account}").as_bytes())
}

fn canonical_owner(account: &str) -> s3s::dto::Owner {
    s3s::dto::Owner {
        display_name: None,
        id: Some(canonical_id(account)),
    }
}

macro_rules! delegate {
    ($($module:ident :: $op:ident($input:ident) -> $output:ident;)*) => {
        #[async_trait::async_trait]
        impl s3s::S3 for Adapter {
            $(
                async fn $op(
                    &self,
                    req: s3s::S3Request<s3s::dto::$input>,
                ) -> s3s::S3Result<s3s::S3Response<s3s::dto::$output>> {
                    $module::$op(&self.app, req).await
                }
            )*
        }
    };
}

delegate! {
    buckets::create_bucket(CreateBucketInput) -> CreateBucketOutput;
    buckets::head_bucket(HeadBucketInput) -> HeadBucketOutput;
    buckets::list_buckets(ListBucketsInput) -> ListBucketsOutput;
    buckets::delete_bucket(DeleteBucketInput) -> DeleteBucketOutput;
    buckets::get_bucket_location(GetBucketLocationInput) -> GetBucketLocationOutput;
    buckets::put_bucket_policy(PutBucketPolicyInput) -> PutBucketPolicyOutput;
    buckets::get_bucket_policy(GetBucketPolicyInput) -> GetBucketPolicyOutput;
    buckets::delete_bucket_policy(DeleteBucketPolicyInput) -> DeleteBucketPolicyOutput;
    buckets::get_bucket_policy_status(GetBucketPolicyStatusInput) -> GetBucketPolicyStatusOutput;
    buckets::put_bucket_ownership_controls(PutBucketOwnershipControlsInput) -> PutBucketOwnershipControlsOutput;
    buckets::get_bucket_ownership_controls(GetBucketOwnershipControlsInput) -> GetBucketOwnershipControlsOutput;
    buckets::delete_bucket_ownership_controls(DeleteBucketOwnershipControlsInput) -> DeleteBucketOwnershipControlsOutput;
    buckets::put_public_access_block(PutPublicAccessBlockInput) -> PutPublicAccessBlockOutput;
    buckets::get_public_access_block(GetPublicAccessBlockInput) -> GetPublicAccessBlockOutput;
    buckets::delete_public_access_block(DeletePublicAccessBlockInput) -> DeletePublicAccessBlockOutput;
    buckets::get_bucket_acl(GetBucketAclInput) -> GetBucketAclOutput;
    buckets::put_bucket_acl(PutBucketAclInput) -> PutBucketAclOutput;
    buckets::get_bucket_versioning(GetBucketVersioningInput) -> GetBucketVersioningOutput;
    buckets::put_bucket_versioning(PutBucketVersioningInput) -> PutBucketVersioningOutput;
    cors::get_bucket_cors(GetBucketCorsInput) -> GetBucketCorsOutput;
    cors::put_bucket_cors(PutBucketCorsInput) -> PutBucketCorsOutput;
    cors::delete_bucket_cors(DeleteBucketCorsInput) -> DeleteBucketCorsOutput;
    lifecycle::get_bucket_lifecycle_configuration(GetBucketLifecycleConfigurationInput) -> GetBucketLifecycleConfigurationOutput;
    lifecycle::put_bucket_lifecycle_configuration(PutBucketLifecycleConfigurationInput) -> PutBucketLifecycleConfigurationOutput;
    lifecycle::delete_bucket_lifecycle(DeleteBucketLifecycleInput) -> DeleteBucketLifecycleOutput;
    encryption::get_bucket_encryption(GetBucketEncryptionInput) -> GetBucketEncryptionOutput;
    encryption::put_bucket_encryption(PutBucketEncryptionInput) -> PutBucketEncryptionOutput;
    encryption::delete_bucket_encryption(DeleteBucketEncryptionInput) -> DeleteBucketEncryptionOutput;
    objects::put_object(PutObjectInput) -> PutObjectOutput;
    objects::get_object(GetObjectInput) -> GetObjectOutput;
    objects::head_object(HeadObjectInput) -> HeadObjectOutput;
    attributes::get_object_attributes(GetObjectAttributesInput) -> GetObjectAttributesOutput;
    objects::delete_object(DeleteObjectInput) -> DeleteObjectOutput;
    objects::delete_objects(DeleteObjectsInput) -> DeleteObjectsOutput;
    copy::copy_object(CopyObjectInput) -> CopyObjectOutput;
    listing::list_objects(ListObjectsInput) -> ListObjectsOutput;
    listing::list_objects_v2(ListObjectsV2Input) -> ListObjectsV2Output;
    listing::list_object_versions(ListObjectVersionsInput) -> ListObjectVersionsOutput;
    objects::get_object_acl(GetObjectAclInput) -> GetObjectAclOutput;
    objects::put_object_acl(PutObjectAclInput) -> PutObjectAclOutput;
    tagging::get_object_tagging(GetObjectTaggingInput) -> GetObjectTaggingOutput;
    tagging::put_object_tagging(PutObjectTaggingInput) -> PutObjectTaggingOutput;
    tagging::delete_object_tagging(DeleteObjectTaggingInput) -> DeleteObjectTaggingOutput;
    tagging::get_bucket_tagging(GetBucketTaggingInput) -> GetBucketTaggingOutput;
    tagging::put_bucket_tagging(PutBucketTaggingInput) -> PutBucketTaggingOutput;
    tagging::delete_bucket_tagging(DeleteBucketTaggingInput) -> DeleteBucketTaggingOutput;
    multipart::create_multipart_upload(CreateMultipartUploadInput) -> CreateMultipartUploadOutput;
    multipart::upload_part(UploadPartInput) -> UploadPartOutput;
    multipart::upload_part_copy(UploadPartCopyInput) -> UploadPartCopyOutput;
    multipart::complete_multipart_upload(CompleteMultipartUploadInput) -> CompleteMultipartUploadOutput;
    multipart::abort_multipart_upload(AbortMultipartUploadInput) -> AbortMultipartUploadOutput;
    multipart::list_parts(ListPartsInput) -> ListPartsOutput;
    multipart::list_multipart_uploads(ListMultipartUploadsInput) -> ListMultipartUploadsOutput;
}
