//! Object operations: put (streamed to the engine, verified before commit), get and head
//! (ranges, conditions, overrides), delete, copy, list, ACLs.

use std::collections::HashMap;

use base64::Engine as _;
use futures_util::StreamExt;
use s3s::checksum::ChecksumHasher;
use s3s::dto::*;
use s3s::{S3Request, S3Response, S3Result, s3_error};
use strata_s3::{
    Blob, BlobWriter, CannedAcl, ListQuery, NewObject, ObjectHeaders, ObjectMeta, StoredObject,
};

use strata_app::App;

use super::context::Cx;
use super::errors::{acls_not_supported, from_engine};
use super::{canonical_owner, grants, requester, timestamp};

/// The largest single PUT (PutObject, UploadPart): 5 GiB.
const MAX_UPLOAD_BYTES: u64 = 5 << 30;

/// Most keys one listing page returns.
const MAX_KEYS: i32 = 1000;

/// The checksum algorithms S3 knows, by their header suffix and name.
const ALGORITHMS: [(&str, &str); 5] = [
    ("crc32", "CRC32"),
    ("crc32c", "CRC32C"),
    ("crc64nvme", "CRC64NVME"),
    ("sha1", "SHA1"),
    ("sha256", "SHA256"),
];

/// Streams `body` into `writer`, verifies Content-MD5 and the `x-amz-checksum-*` values
/// (from headers or trailers), and returns the verified blob with the checksums to store.
pub async fn receive<T>(
    req: &S3Request<T>,
    body: Option<StreamingBlob>,
    mut writer: BlobWriter,
    content_md5: Option<&str>,
    algorithm: Option<&ChecksumAlgorithm>,
) -> S3Result<(Blob, Vec<(String, String)>)> {
    // Refused from the declared length, before the body is read (or `100 Continue` sent): too
    // large, or more than the disk has room for.
    let declared = ["x-amz-decoded-content-length", "content-length"]
        .iter()
        .find_map(|name| req.headers.get(*name))
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|size| size > MAX_UPLOAD_BYTES) {
        return Err(s3_error!(
            EntityTooLarge,
            "Your proposed upload exceeds the maximum allowed size"
        ));
    }
    if let Some(size) = declared {
        writer.check_room(size).map_err(from_engine)?;
    }
    let md5 = match content_md5 {
        Some(text) => Some(
            base64::engine::general_purpose::STANDARD
                .decode(text)
                .ok()
                .filter(|b| b.len() == 16)
                .ok_or_else(|| {
                    s3_error!(InvalidDigest, "The Content-MD5 you specified was invalid.")
                })?,
        ),
        None => None,
    };
    let header = |name: &str| {
        req.headers
            .get(format!("x-amz-checksum-{name}"))
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let trailer_names: Vec<String> = req
        .headers
        .get_all("x-amz-trailer")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|v| v.trim().to_ascii_lowercase())
        .collect();
    let mut hasher = ChecksumHasher::default();
    let mut wanted = Vec::new();
    for (suffix, name) in ALGORITHMS {
        let in_trailer = trailer_names.contains(&format!("x-amz-checksum-{suffix}"));
        let by_header = header(suffix);
        let requested = algorithm.is_some_and(|a| a.as_str().eq_ignore_ascii_case(name));
        if by_header.is_none() && !in_trailer && !requested {
            continue;
        }
        match suffix {
            "crc32" => hasher.crc32 = Some(Default::default()),
            "crc32c" => hasher.crc32c = Some(Default::default()),
            "crc64nvme" => hasher.crc64nvme = Some(Default::default()),
            "sha1" => hasher.sha1 = Some(Default::default()),
            _ => hasher.sha256 = Some(Default::default()),
        }
        wanted.push((suffix, name, by_header, in_trailer));
    }
    if let Some(mut body) = body {
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|err| {
                if crate::body::timed_out(&*err) {
                    s3_error!(
                        RequestTimeout,
                        "Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed."
                    )
                } else {
                    s3_error!(
                        IncompleteBody,
                        "You did not provide the number of bytes specified by the Content-Length HTTP header."
                    )
                }
            })?;
            hasher.update(&chunk);
            writer.write(&chunk).await.map_err(from_engine)?;
        }
    }
    let blob = writer.finish(md5.as_deref()).await.map_err(from_engine)?;
    let computed = hasher.finalize();
    let mut stored = Vec::new();
    for (suffix, name, by_header, in_trailer) in wanted {
        let value = match suffix {
            "crc32" => computed.checksum_crc32.clone(),
            "crc32c" => computed.checksum_crc32c.clone(),
            "crc64nvme" => computed.checksum_crc64nvme.clone(),
            "sha1" => computed.checksum_sha1.clone(),
            _ => computed.checksum_sha256.clone(),
        }
        .unwrap_or_default();
        let trailer = in_trailer
            .then(|| {
                req.trailing_headers.as_ref().and_then(|t| {
                    t.read(|h| {
                        h.get(format!("x-amz-checksum-{suffix}"))
                            .and_then(|v| v.to_str().ok())
                            .map(str::to_owned)
                    })
                    .flatten()
                })
            })
            .flatten();
        if let Some(sent) = by_header.or(trailer)
            && sent != value
        {
            return Err(s3_error!(
                BadDigest,
                "The {name} you specified did not match the calculated checksum."
            ));
        }
        stored.push((name.to_owned(), value));
    }
    Ok((blob, stored))
}

/// The canned ACL a write carries (PutObject, CopyObject, CreateMultipartUpload): parsed,
/// authorized as `s3:PutObjectAcl` when any ACL or grant is sent, and checked against the
/// bucket's ownership setting.
macro_rules! write_acl {
    ($cx:expr, $key:expr, $input:expr) => {{
        let acl = $crate::services::s3::objects::canned_acl($input.acl.as_ref())?;
        let grants_sent = $input.grant_full_control.is_some()
            || $input.grant_read.is_some()
            || $input.grant_read_acp.is_some()
            || $input.grant_write_acp.is_some();
        if acl.is_some() || grants_sent {
            $cx.authorize("s3:PutObjectAcl", Some($key))?;
        }
        $crate::services::s3::objects::check_acl(&$cx.bucket, acl, grants_sent)?;
        acl
    }};
}
pub(super) use write_acl;

/// Sets the `checksum_*` fields of an s3s output from stored `(algorithm, base64)` pairs.
macro_rules! set_checksums {
    ($out:expr, $pairs:expr) => {
        for (name, value) in $pairs {
            let value = value.clone();
            match name.as_str() {
                "CRC32" => $out.checksum_crc32 = Some(value),
                "CRC32C" => $out.checksum_crc32c = Some(value),
                "CRC64NVME" => $out.checksum_crc64nvme = Some(value),
                "SHA1" => $out.checksum_sha1 = Some(value),
                _ => $out.checksum_sha256 = Some(value),
            }
        }
    };
}
pub(super) use set_checksums;

/// The stored headers from a PutObject, CopyObject (REPLACE) or CreateMultipartUpload
/// input; SSE defaults to `AES256`, as on S3 since 2023.
macro_rules! headers_from_input {
    ($input:expr, $expires:expr) => {
        ObjectHeaders {
            content_type: $input.content_type,
            content_encoding: $crate::services::s3::objects::without_aws_chunked(
                $input.content_encoding,
            ),
            content_disposition: $input.content_disposition,
            content_language: $input.content_language,
            cache_control: $input.cache_control,
            expires: $expires,
            website_redirect_location: $input.website_redirect_location,
            metadata: sorted_metadata($input.metadata),
            server_side_encryption: $input
                .server_side_encryption
                .map(|s| s.as_str().to_owned())
                .or_else(|| Some("AES256".to_owned())),
            sse_kms_key_id: $input.ssekms_key_id,
            storage_class: $input.storage_class.map(|s| s.as_str().to_owned()),
        }
    };
}
pub(super) use headers_from_input;

/// `Content-Encoding` without the `aws-chunked` framing of the upload itself.
pub(super) fn without_aws_chunked(encoding: Option<String>) -> Option<String> {
    let rest: Vec<&str> = encoding
        .as_deref()?
        .split(',')
        .map(str::trim)
        .filter(|e| !e.is_empty() && !e.eq_ignore_ascii_case("aws-chunked"))
        .collect();
    (!rest.is_empty()).then(|| rest.join(","))
}

pub(super) fn canned_acl(acl: Option<&ObjectCannedACL>) -> S3Result<Option<CannedAcl>> {
    acl.map(|a| {
        CannedAcl::parse(a.as_str()).ok_or_else(|| s3_error!(InvalidArgument, "Invalid canned ACL"))
    })
    .transpose()
}

/// Refuses an ACL that a bucket with ACLs disabled does not accept.
pub(super) fn check_acl(
    bucket: &strata_s3::Bucket,
    acl: Option<CannedAcl>,
    grants: bool,
) -> S3Result<()> {
    if bucket.acls_disabled() && (grants || acl.is_some_and(|a| !a.allowed_when_acls_disabled())) {
        return Err(acls_not_supported());
    }
    if grants {
        return Err(s3_error!(
            NotImplemented,
            "Only canned ACLs (x-amz-acl) are supported"
        ));
    }
    Ok(())
}

pub(super) fn parse_tags(header: Option<&str>) -> Vec<(String, String)> {
    header
        .map(|h| {
            form_urlencoded::parse(h.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default()
}

pub(super) fn sorted_metadata(metadata: Option<Metadata>) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = metadata
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v))
        .collect();
    pairs.sort();
    pairs
}

pub async fn put_object(
    app: &App,
    mut req: S3Request<PutObjectInput>,
) -> S3Result<S3Response<PutObjectOutput>> {
    let cx = Cx::of(app, &req, &req.input.bucket)?;
    let key = req.input.key.clone();
    cx.authorize("s3:PutObject", Some(&key))?;
    let acl = write_acl!(cx, &key, req.input);
    if req.input.tagging.is_some() {
        cx.authorize("s3:PutObjectTagging", Some(&key))?;
    }
    let body = req.input.body.take();
    let (blob, checksums) = receive(
        &req,
        body,
        app.s3.body_writer(),
        req.input.content_md5.as_deref(),
        req.input.checksum_algorithm.as_ref(),
    )
    .await?;
    let expires = req
        .headers
        .get(http::header::EXPIRES)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let input = req.input;
    let headers = headers_from_input!(input, expires);
    let new = NewObject {
        owner: cx.bucket.object_owner(&cx.writer_account(), acl),
        bucket: cx.bucket.name.clone(),
        key,
        headers,
        checksums,
        acl: acl.unwrap_or_default(),
        tags: parse_tags(input.tagging.as_deref()),
    };
    let meta = app.s3.put_object(new, blob).await.map_err(from_engine)?;
    let mut output = PutObjectOutput {
        e_tag: Some(ETag::Strong(meta.etag.clone())),
        server_side_encryption: meta
            .headers
            .server_side_encryption
            .clone()
            .map(ServerSideEncryption::from),
        ssekms_key_id: meta.headers.sse_kms_key_id.clone(),
        size: Some(meta.size as i64),
        ..Default::default()
    };
    set_checksums!(output, &meta.checksums);
    Ok(S3Response::new(output))
}

fn unix_seconds(t: &Timestamp) -> i64 {
    time::OffsetDateTime::from(t.clone()).unix_timestamp()
}

/// The conditional headers, in S3's order: If-Match, If-Unmodified-Since, If-None-Match,
/// If-Modified-Since.
pub(super) fn check_conditions(
    meta: &ObjectMeta,
    if_match: Option<&ETagCondition>,
    if_unmodified_since: Option<&Timestamp>,
    if_none_match: Option<&ETagCondition>,
    if_modified_since: Option<&Timestamp>,
) -> S3Result<()> {
    let modified = meta.last_modified_micros.div_euclid(1_000_000);
    let matches =
        |c: &ETagCondition| c.is_any() || c.as_etag().is_some_and(|e| e.value() == meta.etag);
    let precondition_failed = || {
        s3_error!(
            PreconditionFailed,
            "At least one of the pre-conditions you specified did not hold"
        )
    };
    if let Some(c) = if_match {
        if !matches(c) {
            return Err(precondition_failed());
        }
    } else if if_unmodified_since.is_some_and(|t| modified > unix_seconds(t)) {
        return Err(precondition_failed());
    }
    if let Some(c) = if_none_match {
        if matches(c) {
            return Err(not_modified());
        }
    } else if if_modified_since.is_some_and(|t| modified <= unix_seconds(t)) {
        return Err(not_modified());
    }
    Ok(())
}

fn not_modified() -> s3s::S3Error {
    let mut err = s3_error!(NotModified, "Not Modified");
    err.set_status_code(http::StatusCode::NOT_MODIFIED);
    err
}

/// The byte range to send: `(start, len, Content-Range)`.
fn byte_range(range: Option<&Range>, size: u64) -> S3Result<(u64, u64, Option<String>)> {
    let Some(range) = range else {
        return Ok((0, size, None));
    };
    let r = range
        .check(size)
        .map_err(|_| s3_error!(InvalidRange, "The requested range is not satisfiable"))?;
    let content_range = format!("bytes {}-{}/{size}", r.start, r.end.saturating_sub(1));
    Ok((r.start, r.end - r.start, Some(content_range)))
}

macro_rules! object_headers {
    ($out:ident, $meta:expr, $input:expr) => {{
        let meta: &ObjectMeta = $meta;
        let h = &meta.headers;
        $out.e_tag = Some(ETag::Strong(meta.etag.clone()));
        $out.last_modified = Some(timestamp(meta.last_modified_micros));
        $out.accept_ranges = Some("bytes".to_owned());
        $out.content_type = $input
            .response_content_type
            .clone()
            .or_else(|| h.content_type.clone())
            .or_else(|| Some("binary/octet-stream".to_owned()));
        $out.content_encoding = $input
            .response_content_encoding
            .clone()
            .or_else(|| h.content_encoding.clone());
        $out.content_disposition = $input
            .response_content_disposition
            .clone()
            .or_else(|| h.content_disposition.clone());
        $out.content_language = $input
            .response_content_language
            .clone()
            .or_else(|| h.content_language.clone());
        $out.cache_control = $input
            .response_cache_control
            .clone()
            .or_else(|| h.cache_control.clone());
        $out.website_redirect_location = h.website_redirect_location.clone();
        if !h.metadata.is_empty() {
            $out.metadata = Some(h.metadata.iter().cloned().collect::<HashMap<_, _>>());
        }
        $out.server_side_encryption = h
            .server_side_encryption
            .clone()
            .map(ServerSideEncryption::from);
        $out.ssekms_key_id = h.sse_kms_key_id.clone();
        $out.storage_class = h
            .storage_class
            .clone()
            .filter(|c| c != "STANDARD")
            .map(StorageClass::from);
        $out.parts_count = meta.parts_count.map(|n| n as i32);
        // A checksum covers the whole object: none for a range.
        if $input
            .checksum_mode
            .as_ref()
            .is_some_and(|m| m.as_str() == "ENABLED")
            && $input.range.is_none()
        {
            if let Some((_, value)) = meta.checksums.first() {
                $out.checksum_type = Some(ChecksumType::from_static(if value.contains('-') {
                    ChecksumType::COMPOSITE
                } else {
                    ChecksumType::FULL_OBJECT
                }));
            }
            set_checksums!($out, &meta.checksums);
        }
    }};
}

pub async fn get_object(
    app: &App,
    req: S3Request<GetObjectInput>,
) -> S3Result<S3Response<GetObjectOutput>> {
    let cx = Cx::of(app, &req, &req.input.bucket)?;
    let input = &req.input;
    let object = cx.readable(&input.key, "s3:GetObject")?;
    let meta = &object.meta;
    check_conditions(
        meta,
        input.if_match.as_ref(),
        input.if_unmodified_since.as_ref(),
        input.if_none_match.as_ref(),
        input.if_modified_since.as_ref(),
    )?;
    let (start, len, content_range) = byte_range(input.range.as_ref(), meta.size)?;
    let reader = app
        .s3
        .read_object(&object, start, len)
        .await
        .map_err(from_engine)?;
    let stream = futures_util::stream::unfold(reader, |mut reader| async move {
        match reader.next_chunk().await {
            Ok(Some(chunk)) => Some((Ok(chunk), reader)),
            Ok(None) => None,
            Err(err) => Some((Err(std::io::Error::other(err.to_string())), reader)),
        }
    });
    let mut out = GetObjectOutput {
        body: Some(StreamingBlob::wrap(stream)),
        content_length: Some(len as i64),
        content_range: content_range.clone(),
        ..Default::default()
    };
    object_headers!(out, meta, input);
    out.tag_count = (!meta.tags.is_empty()).then_some(meta.tags.len() as i32);
    let status = if content_range.is_some() {
        http::StatusCode::PARTIAL_CONTENT
    } else {
        http::StatusCode::OK
    };
    let mut response = S3Response::with_status(out, status);
    if let Some(expires) = &meta.headers.expires {
        let value = input.response_expires.as_ref().map_or_else(
            || expires.clone(),
            |t| {
                let mut buf = Vec::new();
                let _ = t.format(TimestampFormat::HttpDate, &mut buf);
                String::from_utf8_lossy(&buf).into_owned()
            },
        );
        if let Ok(value) = http::HeaderValue::from_str(&value) {
            response.headers.insert(http::header::EXPIRES, value);
        }
    }
    Ok(response)
}

pub async fn head_object(
    app: &App,
    req: S3Request<HeadObjectInput>,
) -> S3Result<S3Response<HeadObjectOutput>> {
    let cx = Cx::of(app, &req, &req.input.bucket)?;
    let input = &req.input;
    let object = cx.readable(&input.key, "s3:GetObject")?;
    let meta = &object.meta;
    check_conditions(
        meta,
        input.if_match.as_ref(),
        input.if_unmodified_since.as_ref(),
        input.if_none_match.as_ref(),
        input.if_modified_since.as_ref(),
    )?;
    let (_, len, content_range) = byte_range(input.range.as_ref(), meta.size)?;
    let mut out = HeadObjectOutput {
        content_length: Some(len as i64),
        content_range: content_range.clone(),
        ..Default::default()
    };
    object_headers!(out, meta, input);
    let mut response = S3Response::new(out);
    if content_range.is_some() {
        response.status = Some(http::StatusCode::PARTIAL_CONTENT);
    }
    if let Some(expires) = meta
        .headers
        .expires
        .as_deref()
        .and_then(|e| http::HeaderValue::from_str(e).ok())
    {
        response.headers.insert(http::header::EXPIRES, expires);
    }
    Ok(response)
}

pub async fn delete_object(
    app: &App,
    req: S3Request<DeleteObjectInput>,
) -> S3Result<S3Response<DeleteObjectOutput>> {
    let cx = Cx::of(app, &req, &req.input.bucket)?;
    cx.authorize("s3:DeleteObject", Some(&req.input.key))?;
    app.s3
        .delete_object(&cx.bucket.name, &req.input.key)
        .await
        .map_err(from_engine)?;
    Ok(S3Response::with_status(
        DeleteObjectOutput::default(),
        http::StatusCode::NO_CONTENT,
    ))
}

pub async fn delete_objects(
    app: &App,
    req: S3Request<DeleteObjectsInput>,
) -> S3Result<S3Response<DeleteObjectsOutput>> {
    let cx = Cx::of(app, &req, &req.input.bucket)?;
    if cx
        .expected_owner
        .as_ref()
        .is_some_and(|o| *o != cx.bucket.owner)
    {
        return Err(super::errors::access_denied("Access Denied"));
    }
    let objects = &req.input.delete.objects;
    if objects.len() > 1000 {
        return Err(s3_error!(
            MalformedXML,
            "The XML you provided was not well-formed or did not validate against our published schema"
        ));
    }
    let quiet = req.input.delete.quiet.unwrap_or(false);
    let (mut deleted, mut errors) = (Vec::new(), Vec::new());
    for object in objects {
        let key = &object.key;
        let outcome = match cx.authorize("s3:DeleteObject", Some(key)) {
            Ok(()) => app
                .s3
                .delete_object(&cx.bucket.name, key)
                .await
                .map_err(from_engine),
            Err(err) => Err(err),
        };
        match outcome {
            Ok(()) if quiet => {}
            Ok(()) => deleted.push(DeletedObject {
                key: Some(key.clone()),
                ..Default::default()
            }),
            Err(err) => errors.push(Error {
                code: Some(err.code().as_str().to_owned()),
                key: Some(key.clone()),
                message: err.message().map(str::to_owned),
                version_id: None,
            }),
        }
    }
    Ok(S3Response::new(DeleteObjectsOutput {
        deleted: Some(deleted),
        errors: Some(errors),
        request_charged: None,
    }))
}

pub async fn copy_object(
    app: &App,
    req: S3Request<CopyObjectInput>,
) -> S3Result<S3Response<CopyObjectOutput>> {
    let (source_bucket, source_key) = copy_source(&req.input.copy_source)?;
    let (source_bucket, source_key) = (source_bucket.to_owned(), source_key.to_owned());
    let (source, object) = copy_source_object(app, &req, &source_bucket, &source_key)?;
    let input = &req.input;
    check_copy_conditions(
        &object.meta,
        input.copy_source_if_match.as_ref(),
        input.copy_source_if_unmodified_since.as_ref(),
        input.copy_source_if_none_match.as_ref(),
        input.copy_source_if_modified_since.as_ref(),
    )?;
    let target = Cx::of(app, &req, &input.bucket)?;
    target.authorize("s3:PutObject", Some(&input.key))?;
    let input = req.input;
    let acl = write_acl!(target, &input.key, input);
    let replace = input
        .metadata_directive
        .as_ref()
        .is_some_and(|d| d.as_str() == "REPLACE");
    if !replace
        && source.bucket.name == target.bucket.name
        && source_key == input.key
        && input.storage_class.is_none()
        && input.server_side_encryption.is_none()
        && input.website_redirect_location.is_none()
    {
        return Err(s3_error!(
            InvalidRequest,
            "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes."
        ));
    }
    let headers = if replace {
        headers_from_input!(input, None)
    } else {
        let mut h = object.meta.headers.clone();
        if let Some(class) = input.storage_class {
            h.storage_class = Some(class.as_str().to_owned());
        }
        h
    };
    let blob = copy_bytes(app, &object, 0, object.meta.size, app.s3.body_writer()).await?;
    let tags = match input.tagging_directive.as_ref().map(|d| d.as_str()) {
        Some("REPLACE") => parse_tags(input.tagging.as_deref()),
        _ => object.meta.tags.clone(),
    };
    let new = NewObject {
        owner: target.bucket.object_owner(&target.writer_account(), acl),
        bucket: target.bucket.name.clone(),
        key: input.key,
        headers,
        checksums: object.meta.checksums.clone(),
        acl: acl.unwrap_or_default(),
        tags,
    };
    let meta = app.s3.put_object(new, blob).await.map_err(from_engine)?;
    Ok(S3Response::new(CopyObjectOutput {
        copy_object_result: Some(CopyObjectResult {
            e_tag: Some(ETag::Strong(meta.etag.clone())),
            last_modified: Some(timestamp(meta.last_modified_micros)),
            ..Default::default()
        }),
        server_side_encryption: meta
            .headers
            .server_side_encryption
            .clone()
            .map(ServerSideEncryption::from),
        ..Default::default()
    }))
}

/// The bucket and key of `x-amz-copy-source` (no versions, no access points).
pub(super) fn copy_source(source: &CopySource) -> S3Result<(&str, &str)> {
    match source {
        CopySource::Bucket {
            bucket,
            key,
            version_id: None,
        } => Ok((bucket, key)),
        CopySource::Bucket { .. } => Err(s3_error!(
            NotImplemented,
            "Object versions are not supported"
        )),
        _ => Err(s3_error!(
            NotImplemented,
            "Copying from an access point is not supported"
        )),
    }
}

/// The source of a copy (CopyObject, UploadPartCopy): its bucket's context, with the source's
/// own expected owner (`x-amz-source-expected-bucket-owner`), and the object, read as
/// `s3:GetObject`.
pub(super) fn copy_source_object<'a, T>(
    app: &'a App,
    req: &S3Request<T>,
    bucket: &str,
    key: &str,
) -> S3Result<(Cx<'a>, StoredObject)> {
    let expected = req
        .headers
        .get("x-amz-source-expected-bucket-owner")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let cx = Cx::with(app, requester(req)?.clone(), bucket, expected)?;
    let object = cx.readable(key, "s3:GetObject")?;
    Ok((cx, object))
}

/// The `x-amz-copy-source-if-*` conditions of CopyObject and UploadPartCopy: those of
/// [`check_conditions`], except that a source "not modified" fails the copy with 412
/// `PreconditionFailed` (a copy has no 304).
pub(super) fn check_copy_conditions(
    meta: &ObjectMeta,
    if_match: Option<&ETagCondition>,
    if_unmodified_since: Option<&Timestamp>,
    if_none_match: Option<&ETagCondition>,
    if_modified_since: Option<&Timestamp>,
) -> S3Result<()> {
    check_conditions(
        meta,
        if_match,
        if_unmodified_since,
        if_none_match,
        if_modified_since,
    )
    .map_err(|err| {
        if err.code() == &s3s::S3ErrorCode::NotModified {
            s3_error!(
                PreconditionFailed,
                "At least one of the pre-conditions you specified did not hold"
            )
        } else {
            err
        }
    })
}

/// Copies `len` bytes of `object` from `start` into a new blob.
pub(super) async fn copy_bytes(
    app: &App,
    object: &StoredObject,
    start: u64,
    len: u64,
    mut writer: BlobWriter,
) -> S3Result<Blob> {
    let mut reader = app
        .s3
        .read_object(object, start, len)
        .await
        .map_err(from_engine)?;
    while let Some(chunk) = reader.next_chunk().await.map_err(from_engine)? {
        writer.write(&chunk).await.map_err(from_engine)?;
    }
    writer.finish(None).await.map_err(from_engine)
}

/// `encoding-type=url`: keys and prefixes percent-encoded (`/` kept).
pub(super) fn encoder(
    encoding: Option<&EncodingType>,
) -> S3Result<impl Fn(&str) -> String + use<>> {
    let url = match encoding.map(|e| e.as_str()) {
        None => false,
        Some("url") => true,
        Some(_) => {
            return Err(s3_error!(
                InvalidArgument,
                "Invalid Encoding Method specified in Request"
            ));
        }
    };
    Ok(move |s: &str| {
        if url {
            const SET: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
                .remove(b'/')
                .remove(b'-')
                .remove(b'_')
                .remove(b'.')
                .remove(b'~');
            percent_encoding::utf8_percent_encode(s, SET).to_string()
        } else {
            s.to_owned()
        }
    })
}

fn max_keys(max: Option<i32>) -> S3Result<usize> {
    match max {
        Some(n) if n < 0 => Err(s3_error!(InvalidArgument, "maxKeys should be non-negative")),
        Some(n) => Ok(n.min(MAX_KEYS) as usize),
        None => Ok(MAX_KEYS as usize),
    }
}

fn listed(meta: ObjectMeta, encode: &impl Fn(&str) -> String, owner: bool) -> Object {
    Object {
        e_tag: Some(ETag::Strong(meta.etag)),
        key: Some(encode(&meta.key)),
        last_modified: Some(timestamp(meta.last_modified_micros)),
        owner: owner.then(|| canonical_owner(&meta.owner)),
        size: Some(meta.size as i64),
        storage_class: Some(ObjectStorageClass::from(
            meta.headers
                .storage_class
                .unwrap_or_else(|| "STANDARD".to_owned()),
        )),
        checksum_algorithm: (!meta.checksums.is_empty()).then(|| {
            meta.checksums
                .iter()
                .map(|(name, _)| ChecksumAlgorithm::from(name.clone()))
                .collect()
        }),
        ..Default::default()
    }
}

pub async fn list_objects_v2(
    app: &App,
    req: S3Request<ListObjectsV2Input>,
) -> S3Result<S3Response<ListObjectsV2Output>> {
    let cx = Cx::authorized(app, &req, &req.input.bucket, "s3:ListBucket")?;
    let input = req.input;
    let encode = encoder(input.encoding_type.as_ref())?;
    let after = match &input.continuation_token {
        Some(token) => Some(
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(token)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(|| {
                    s3_error!(
                        InvalidArgument,
                        "The continuation token provided is incorrect"
                    )
                })?,
        ),
        None => input.start_after.clone(),
    };
    let max = max_keys(input.max_keys)?;
    let query = ListQuery {
        prefix: input.prefix.clone().unwrap_or_default(),
        delimiter: input.delimiter.clone(),
        after,
        max_keys: max,
    };
    let page = app
        .s3
        .list_objects(&cx.bucket.name, &query)
        .map_err(from_engine)?;
    let fetch_owner = input.fetch_owner.unwrap_or(false);
    let key_count = (page.objects.len() + page.common_prefixes.len()) as i32;
    let next = page
        .is_truncated
        .then(|| page.last.clone())
        .flatten()
        .map(|last| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(last));
    Ok(S3Response::new(ListObjectsV2Output {
        name: Some(cx.bucket.name.clone()),
        prefix: Some(encode(&query.prefix)),
        max_keys: Some(max as i32),
        key_count: Some(key_count),
        continuation_token: input.continuation_token,
        is_truncated: Some(page.is_truncated),
        next_continuation_token: next,
        contents: Some(
            page.objects
                .into_iter()
                .map(|m| listed(m, &encode, fetch_owner))
                .collect(),
        ),
        common_prefixes: Some(
            page.common_prefixes
                .iter()
                .map(|p| CommonPrefix {
                    prefix: Some(encode(p)),
                })
                .collect(),
        ),
        delimiter: input.delimiter.as_deref().map(&encode),
        encoding_type: input.encoding_type,
        start_after: input.start_after.as_deref().map(&encode),
        request_charged: None,
    }))
}

pub async fn list_objects(
    app: &App,
    req: S3Request<ListObjectsInput>,
) -> S3Result<S3Response<ListObjectsOutput>> {
    let cx = Cx::authorized(app, &req, &req.input.bucket, "s3:ListBucket")?;
    let input = req.input;
    let encode = encoder(input.encoding_type.as_ref())?;
    let max = max_keys(input.max_keys)?;
    let query = ListQuery {
        prefix: input.prefix.clone().unwrap_or_default(),
        delimiter: input.delimiter.clone(),
        after: input.marker.clone().filter(|m| !m.is_empty()),
        max_keys: max,
    };
    let page = app
        .s3
        .list_objects(&cx.bucket.name, &query)
        .map_err(from_engine)?;
    // S3 returns NextMarker only when a delimiter was given.
    let next_marker = (page.is_truncated && input.delimiter.is_some())
        .then(|| page.last.as_deref().map(&encode))
        .flatten();
    Ok(S3Response::new(ListObjectsOutput {
        name: Some(cx.bucket.name.clone()),
        prefix: Some(encode(&query.prefix)),
        marker: Some(input.marker.as_deref().map(&encode).unwrap_or_default()),
        max_keys: Some(max as i32),
        is_truncated: Some(page.is_truncated),
        contents: Some(
            page.objects
                .into_iter()
                .map(|m| listed(m, &encode, true))
                .collect(),
        ),
        common_prefixes: Some(
            page.common_prefixes
                .iter()
                .map(|p| CommonPrefix {
                    prefix: Some(encode(p)),
                })
                .collect(),
        ),
        delimiter: input.delimiter.as_deref().map(&encode),
        next_marker,
        encoding_type: input.encoding_type,
        request_charged: None,
    }))
}

pub async fn get_object_acl(
    app: &App,
    req: S3Request<GetObjectAclInput>,
) -> S3Result<S3Response<GetObjectAclOutput>> {
    let cx = Cx::of(app, &req, &req.input.bucket)?;
    let object = cx.readable(&req.input.key, "s3:GetObjectAcl")?;
    let meta = object.meta;
    let bucket_owner = (meta.owner != cx.bucket.owner).then_some(cx.bucket.owner.as_str());
    Ok(S3Response::new(GetObjectAclOutput {
        grants: Some(grants(&meta.owner, bucket_owner, meta.acl)),
        owner: Some(canonical_owner(&meta.owner)),
        request_charged: None,
    }))
}

pub async fn put_object_acl(
    app: &App,
    req: S3Request<PutObjectAclInput>,
) -> S3Result<S3Response<PutObjectAclOutput>> {
    let cx = Cx::of(app, &req, &req.input.bucket)?;
    let input = &req.input;
    cx.readable(&input.key, "s3:PutObjectAcl")?;
    let acl = canned_acl(input.acl.as_ref())?;
    let grants_sent = input.access_control_policy.is_some()
        || input.grant_full_control.is_some()
        || input.grant_read.is_some()
        || input.grant_read_acp.is_some()
        || input.grant_write.is_some()
        || input.grant_write_acp.is_some();
    check_acl(&cx.bucket, acl, grants_sent)?;
    let acl = acl.unwrap_or_default();
    app.s3
        .update_object(&cx.bucket.name, &input.key, move |meta| {
            meta.acl = acl;
            Ok(())
        })
        .await
        .map_err(from_engine)?;
    Ok(S3Response::new(PutObjectAclOutput::default()))
}
