//! Engine errors and the application layer's refusals in S3's codes, statuses and messages
//! (spec iam-s3-authz §4.2), and the few S3 errors s3s has no code for.

use http::StatusCode;
use s3s::{S3Error, S3ErrorCode, s3_error};
use strata_app::s3::AccessError;
use strata_s3::S3Error as EngineError;

/// The S3 error for an engine error.
pub fn from_engine(err: EngineError) -> S3Error {
    match err {
        EngineError::InvalidBucketName(_) => {
            s3_error!(InvalidBucketName, "The specified bucket is not valid.")
        }
        EngineError::NoSuchBucket => {
            s3_error!(NoSuchBucket, "The specified bucket does not exist")
        }
        EngineError::BucketAlreadyExists => s3_error!(
            BucketAlreadyExists,
            "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again."
        ),
        EngineError::BucketAlreadyOwnedByYou => s3_error!(
            BucketAlreadyOwnedByYou,
            "Your previous request to create the named bucket succeeded and you already own it."
        ),
        EngineError::BucketNotEmpty => {
            s3_error!(
                BucketNotEmpty,
                "The bucket you tried to delete is not empty"
            )
        }
        EngineError::NoSuchKey => s3_error!(NoSuchKey, "The specified key does not exist."),
        EngineError::PreconditionFailed(condition) => with_elements(
            s3_error!(
                PreconditionFailed,
                "At least one of the pre-conditions you specified did not hold"
            ),
            &[("Condition", condition)],
        ),
        EngineError::NoSuchVersion => {
            s3_error!(NoSuchVersion, "The specified version does not exist.")
        }
        EngineError::NulInVersionedKey => s3_error!(
            InvalidArgument,
            "Object keys with a NUL character are not supported in versioned buckets"
        ),
        EngineError::InvalidVersionId => {
            s3_error!(InvalidArgument, "Invalid version id specified")
        }
        EngineError::DeleteMarker {
            version_id,
            last_modified_micros,
            named,
        } => {
            // The current version is a delete marker (404), or the one named is (405); both
            // say so in headers.
            let mut err = if named {
                s3_error!(
                    MethodNotAllowed,
                    "The specified method is not allowed against this resource."
                )
            } else {
                s3_error!(NoSuchKey, "The specified key does not exist.")
            };
            let mut headers = http::HeaderMap::new();
            headers.insert(
                "x-amz-delete-marker",
                http::HeaderValue::from_static("true"),
            );
            if let Some(value) = version_id.and_then(|v| http::HeaderValue::from_str(&v).ok()) {
                headers.insert("x-amz-version-id", value);
            }
            if named {
                headers.insert(
                    http::header::ALLOW,
                    http::HeaderValue::from_static("DELETE"),
                );
                let modified = super::http_date(last_modified_micros);
                if let Ok(value) = http::HeaderValue::from_str(&modified) {
                    headers.insert(http::header::LAST_MODIFIED, value);
                }
            }
            err.set_headers(headers);
            err
        }
        EngineError::NoSuchUpload => s3_error!(
            NoSuchUpload,
            "The specified multipart upload does not exist. The upload ID might be invalid, or the multipart upload might have been aborted or completed."
        ),
        // S3 has no such limit (strata's protects its store); InvalidRequest is S3's code for
        // a request it will not serve as made, and SDKs do not retry it.
        EngineError::TooManyOpenUploads { limit } => s3_error!(
            InvalidRequest,
            "Your account has {limit} multipart uploads in progress, the most this server allows (strata serve --max-open-uploads). Complete or abort some first; ListMultipartUploads lists them."
        ),
        EngineError::InvalidPart => s3_error!(
            InvalidPart,
            "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag."
        ),
        EngineError::InvalidPartOrder => s3_error!(
            InvalidPartOrder,
            "The list of parts was not in ascending order. Parts must be ordered by part number."
        ),
        EngineError::EntityTooSmall => s3_error!(
            EntityTooSmall,
            "Your proposed upload is smaller than the minimum allowed object size."
        ),
        EngineError::BadDigest => s3_error!(
            BadDigest,
            "The Content-MD5 you specified did not match what we received."
        ),
        EngineError::OwnershipControlsNotFound => s3_error!(
            OwnershipControlsNotFoundError,
            "The bucket ownership controls were not found"
        ),
        EngineError::NoSuchBucketPolicy => {
            s3_error!(NoSuchBucketPolicy, "The bucket policy does not exist")
        }
        EngineError::NoSuchPublicAccessBlockConfiguration => custom(
            "NoSuchPublicAccessBlockConfiguration",
            StatusCode::NOT_FOUND,
            "The public access block configuration was not found",
        ),
        // A full disk, or a store refusing writes since a failure: not a bug, worth a retry.
        err if err.is_unavailable() => {
            tracing::error!(error = %err, "S3 storage unavailable");
            s3_error!(ServiceUnavailable, "Service is unable to handle request.")
        }
        err @ (EngineError::Storage(_) | EngineError::Io(_) | EngineError::Corrupt(_)) => {
            tracing::error!(error = %err, "S3 engine failure");
            s3_error!(
                InternalError,
                "We encountered an internal error. Please try again."
            )
        }
    }
}

/// A version id a request names, parsed (`InvalidArgument` for one S3 never hands out).
pub fn parse_version(version: Option<&str>) -> Result<Option<strata_s3::VersionId>, S3Error> {
    version
        .map(strata_s3::VersionId::parse)
        .transpose()
        .map_err(from_engine)
}

/// An S3 error with a code s3s does not know.
pub fn custom(code: &'static str, status: StatusCode, message: &str) -> S3Error {
    let mut err = S3Error::with_message(S3ErrorCode::Custom(code.into()), message.to_owned());
    err.set_status_code(status);
    err
}

/// The internal header that carries an error's extra `<Error>` elements from the handler to
/// the renderer ([`super::with_ids_in_body`]), which removes it; one `Name=percent-encoded
/// value` per header.
pub const ELEMENT_HEADER: &str = "x-strata-error-element";

/// `err` with extra elements S3 puts in its `<Error>` (`ArgumentName`, `ArgumentValue`, …).
pub fn with_elements(mut err: S3Error, elements: &[(&str, &str)]) -> S3Error {
    let mut headers = err.headers().cloned().unwrap_or_default();
    for (name, value) in elements {
        let encoded =
            percent_encoding::utf8_percent_encode(value, percent_encoding::NON_ALPHANUMERIC);
        if let Ok(value) = http::HeaderValue::from_str(&format!("{name}={encoded}")) {
            headers.append(ELEMENT_HEADER, value);
        }
    }
    err.set_headers(headers);
    err
}

/// `InvalidArgument` with the argument S3 names.
pub fn invalid_argument(message: &str, name: &str, value: &str) -> S3Error {
    with_elements(
        S3Error::with_message(S3ErrorCode::InvalidArgument, message.to_owned()),
        &[("ArgumentName", name), ("ArgumentValue", value)],
    )
}

/// An S3 error rendered outside s3s (answers given before s3s sees the request): `<Error>`
/// with the code, message, `extra` elements and the request's ids.
pub fn rendered(
    status: StatusCode,
    code: &str,
    message: &str,
    extra: &[(&str, &str)],
    ids: &super::RequestIds,
) -> http::Response<s3s::Body> {
    use crate::protocol::xml::element;
    let mut body = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>");
    element(&mut body, "Code", code);
    element(&mut body, "Message", message);
    for (name, value) in extra {
        element(&mut body, name, value);
    }
    element(&mut body, "RequestId", &ids.request_id);
    element(&mut body, "HostId", &ids.host_id);
    body.push_str("</Error>");
    let mut response = http::Response::new(s3s::Body::from(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/xml"),
    );
    response
}

/// A browser POST upload whose policy condition failed: s3s answers 400
/// `InvalidPolicyDocument`, S3 403 `AccessDenied` "Invalid according to Policy: Policy
/// Condition failed: [...]" (400 stays for policies that are malformed).
pub async fn post_policy_refusal(
    response: http::Response<s3s::Body>,
    ids: &super::RequestIds,
) -> http::Response<s3s::Body> {
    use http_body_util::BodyExt;
    let (parts, body) = response.into_parts();
    let Ok(collected) = body.collect().await else {
        return http::Response::from_parts(parts, s3s::Body::empty());
    };
    let bytes = collected.to_bytes();
    let text = String::from_utf8_lossy(&bytes);
    let quoted = |s: &str| s.split('\'').nth(1).map(str::to_owned);
    let condition = if text.contains("<Code>InvalidPolicyDocument</Code>") {
        let message = text
            .split_once("<Message>")
            .and_then(|(_, rest)| rest.split_once("</Message>"))
            .map_or(String::new(), |(m, _)| m.replace("&apos;", "'"));
        if let Some(rest) = message.strip_prefix("Policy condition '") {
            // "Policy condition '<op>' for field '<f>' failed: expected [prefix ]'<v>', …"
            let op = rest.split('\'').next().unwrap_or_default().to_owned();
            let field = rest.split('\'').nth(2).unwrap_or_default().to_owned();
            let value = rest.split('\'').nth(4).unwrap_or_default().to_owned();
            Some(format!("[\"{op}\", \"${field}\", \"{value}\"]"))
        } else if message.starts_with("Bucket in form field") {
            quoted(&message).map(|bucket| format!("[\"eq\", \"$bucket\", \"{bucket}\"]"))
        } else {
            None
        }
    } else {
        None
    };
    match condition {
        Some(condition) => rendered(
            StatusCode::FORBIDDEN,
            "AccessDenied",
            &format!("Invalid according to Policy: Policy Condition failed: {condition}"),
            &[],
            ids,
        ),
        None => http::Response::from_parts(parts, s3s::Body::from(bytes)),
    }
}

/// An application-layer refusal in S3's shape.
pub fn from_access(err: AccessError) -> S3Error {
    match err {
        AccessError::AccessDenied(message) => access_denied(message),
        AccessError::MethodNotAllowed => s3_error!(
            MethodNotAllowed,
            "The specified method is not allowed against this resource."
        ),
        AccessError::Engine(err) => from_engine(err),
        AccessError::MalformedPolicy(message) => {
            S3Error::with_message(S3ErrorCode::MalformedPolicy, message)
        }
        AccessError::InvalidArgument(message) => {
            S3Error::with_message(S3ErrorCode::InvalidArgument, message)
        }
        // KMS's own error, as `KMS.<KMS code>` with 400 (spec kms-sse §4.5).
        AccessError::Kms { code, message } => {
            let mut err = S3Error::with_message(S3ErrorCode::Custom(code.into()), message);
            err.set_status_code(http::StatusCode::BAD_REQUEST);
            err
        }
        AccessError::Internal(_) => s3_error!(
            InternalError,
            "We encountered an internal error. Please try again."
        ),
    }
}

pub fn access_denied(message: impl Into<String>) -> S3Error {
    S3Error::with_message(S3ErrorCode::AccessDenied, message.into())
}

pub fn acls_not_supported() -> S3Error {
    s3_error!(
        AccessControlListNotSupported,
        "The bucket does not allow ACLs"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use strata_storage::StorageError;

    fn answer(err: EngineError) -> (String, Option<StatusCode>) {
        let err = from_engine(err);
        (err.code().as_str().to_owned(), err.status_code())
    }

    #[test]
    fn a_full_disk_is_service_unavailable_and_a_bug_is_internal() {
        let unavailable = (
            "ServiceUnavailable".to_owned(),
            Some(StatusCode::SERVICE_UNAVAILABLE),
        );
        let enospc = || std::io::Error::from(std::io::ErrorKind::StorageFull);
        assert_eq!(answer(EngineError::Io(enospc())), unavailable);
        assert_eq!(
            answer(EngineError::Storage(StorageError::NoSpace { available: 0 })),
            unavailable
        );
        assert_eq!(
            answer(EngineError::Storage(StorageError::Poisoned)),
            unavailable
        );
        assert_eq!(
            answer(EngineError::Storage(StorageError::from(enospc()))),
            unavailable
        );
        let internal = (
            "InternalError".to_owned(),
            Some(StatusCode::INTERNAL_SERVER_ERROR),
        );
        assert_eq!(
            answer(EngineError::Io(std::io::Error::other("bad sector"))),
            internal
        );
        assert_eq!(answer(EngineError::Corrupt("bad".into())), internal);
    }
}
