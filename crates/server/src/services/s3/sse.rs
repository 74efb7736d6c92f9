//! The SSE headers of S3 requests and responses (spec kms-sse §4.1): a write's
//! `x-amz-server-side-encryption*` headers into the application's [`SseRequest`], and an
//! object's (or upload's) encryption back into the response: the algorithm, the KMS key's
//! ARN, `bucket-key-enabled` only when true, and on writes the client's context.

/// Refuses `x-amz-server-side-encryption` on a request that does not write an object
/// (GetObject, HeadObject, UploadPart, CompleteMultipartUpload): S3 answers 400
/// InvalidArgument (s3cmd #276, ClickHouse #64570 captures; the GetObject documentation).
pub(super) fn refuse_header(headers: &http::HeaderMap) -> s3s::S3Result<()> {
    if headers.contains_key("x-amz-server-side-encryption") {
        return Err(s3s::s3_error!(
            InvalidArgument,
            "x-amz-server-side-encryption header is not supported for this operation."
        ));
    }
    Ok(())
}

/// The [`strata_app::s3::sse::SseRequest`] of a write's s3s input.
macro_rules! sse_request {
    ($input:expr) => {
        ::strata_app::s3::sse::SseRequest {
            algorithm: $input.server_side_encryption.as_ref().map(|s| s.as_str()),
            key_id: $input.ssekms_key_id.as_deref(),
            context: $input.ssekms_encryption_context.as_deref(),
            bucket_key_enabled: $input.bucket_key_enabled,
        }
    };
}
pub(super) use sse_request;

/// Sets an output's encryption fields from an object's or upload's headers and SSE-KMS
/// record; `write` adds the client's encryption context, which only writes echo.
macro_rules! set_sse {
    ($out:expr, $headers:expr, $sse_kms:expr, write) => {{
        set_sse!($out, $headers, $sse_kms);
        $out.ssekms_encryption_context = $sse_kms
            .as_ref()
            .and_then(|s: &::strata_s3::SseKms| s.request_context.clone());
    }};
    ($out:expr, $headers:expr, $sse_kms:expr) => {{
        let headers: &::strata_s3::ObjectHeaders = $headers;
        $out.server_side_encryption = headers
            .server_side_encryption
            .clone()
            .map(::s3s::dto::ServerSideEncryption::from);
        $out.ssekms_key_id = headers.sse_kms_key_id.clone();
        $out.bucket_key_enabled = $sse_kms
            .as_ref()
            .is_some_and(|s: &::strata_s3::SseKms| s.bucket_key_enabled)
            .then_some(true);
    }};
}
pub(super) use set_sse;
