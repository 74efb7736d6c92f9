//! Multipart uploads: create, upload parts (streamed and verified like PutObject),
//! complete, abort, list parts and uploads.

use s3s::dto::*;
use s3s::{S3Request, S3Response, S3Result, s3_error};
use strata_s3::{ObjectHeaders, ObjectMeta, S3Error as EngineError, Upload};

use strata_app::{App, Requester};

use super::conditions::write_condition;
use super::context::{Cx, write_conditions};
use super::copy::{copy_bytes, copy_source};
use super::errors::from_engine;
use super::listing::encoder;
use super::sse::{refuse_header, set_sse, sse_request};
use super::upload::{
    headers_from_input, parse_tags, receive, set_checksums, sorted_metadata, write_acl,
};
use super::{canonical_owner, timestamp};

/// S3's part numbers.
const PART_NUMBERS: std::ops::RangeInclusive<i32> = 1..=10_000;

/// The ARN a multipart upload names as its initiator.
fn initiator_arn(requester: &Requester) -> String {
    match requester {
        Requester::Signed(caller) => caller.principal.arn(),
        Requester::Anonymous { .. } => "anonymous".to_owned(),
    }
}

pub async fn create_multipart_upload(
    app: &App,
    req: S3Request<CreateMultipartUploadInput>,
) -> S3Result<S3Response<CreateMultipartUploadOutput>> {
    let cx = Cx::of(app, &req)?;
    let input = req.input;
    let conditions = write_conditions!(input);
    cx.authorize_with("s3:PutObject", Some(&input.key), conditions)?;
    let acl = write_acl!(cx, &input.key, input);
    let expires = req
        .headers
        .get(http::header::EXPIRES)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let checksum_algorithm = input
        .checksum_algorithm
        .as_ref()
        .map(|a| a.as_str().to_owned());
    let tags = parse_tags(input.tagging.as_deref());
    let key = input.key.clone();
    let encryption = cx.encryption_for_write(&key, sse_request!(input)).await?;
    let mut headers: ObjectHeaders = headers_from_input!(input, expires);
    encryption.stamp(&mut headers);
    let upload = app
        .s3
        .create_upload(Upload {
            upload_id: String::new(),
            bucket: cx.bucket.name.clone(),
            key,
            initiated_micros: 0,
            initiator: cx.writer_account(),
            initiator_arn: initiator_arn(&cx.requester),
            headers,
            acl: acl.canned,
            grants: acl.grants,
            tags,
            checksum_algorithm: checksum_algorithm.clone(),
            sse_kms: encryption.sse_kms(),
        })
        .await
        .map_err(from_engine)?;
    let abort =
        strata_s3::lifecycle::abort(&cx.bucket.lifecycle, &upload.key, upload.initiated_micros);
    let mut out = CreateMultipartUploadOutput {
        abort_date: abort.map(|(at, _)| timestamp(at)),
        abort_rule_id: abort.map(|(_, rule)| rule.to_owned()),
        bucket: Some(upload.bucket.clone()),
        key: Some(upload.key.clone()),
        upload_id: Some(upload.upload_id.clone()),
        checksum_algorithm: checksum_algorithm.map(ChecksumAlgorithm::from),
        ..Default::default()
    };
    set_sse!(out, &upload.headers, upload.sse_kms, write);
    Ok(S3Response::new(out))
}

pub async fn upload_part(
    app: &App,
    mut req: S3Request<UploadPartInput>,
) -> S3Result<S3Response<UploadPartOutput>> {
    let cx = Cx::of(app, &req)?;
    refuse_header(&req.headers)?;
    cx.authorize("s3:PutObject", Some(&req.input.key))?;
    if !PART_NUMBERS.contains(&req.input.part_number) {
        return Err(s3_error!(
            InvalidArgument,
            "Part number must be an integer between 1 and 10000, inclusive"
        ));
    }
    let upload = app
        .s3
        .upload(&cx.bucket.name, &req.input.key, &req.input.upload_id)
        .map_err(from_engine)?;
    let body = req.input.body.take();
    let algorithm = req.input.checksum_algorithm.clone().or_else(|| {
        upload
            .checksum_algorithm
            .clone()
            .map(ChecksumAlgorithm::from)
    });
    // A part of an SSE-KMS upload is encrypted under the upload's data key, which KMS
    // decrypts for the requester: UploadPart needs kms:Decrypt (spec kms-sse §4.4).
    let writer = match cx.data_key(upload.sse_kms.as_ref()).await? {
        Some(key) => app.s3.part_writer().encrypt(&key).map_err(from_engine)?,
        None => app.s3.part_writer(),
    };
    let (blob, checksums) = receive(
        &req,
        body,
        writer,
        req.input.content_md5.as_deref(),
        algorithm.as_ref(),
    )
    .await?;
    let part = app
        .s3
        .put_part(&upload, req.input.part_number as u32, blob, checksums)
        .await
        .map_err(from_engine)?;
    let mut out = UploadPartOutput {
        e_tag: Some(ETag::Strong(part.etag)),
        ..Default::default()
    };
    set_checksums!(out, &part.checksums);
    set_sse!(out, &upload.headers, upload.sse_kms);
    Ok(S3Response::new(out))
}

pub async fn upload_part_copy(
    app: &App,
    req: S3Request<UploadPartCopyInput>,
) -> S3Result<S3Response<UploadPartCopyOutput>> {
    let (source, _, object) = copy_source(app, &req)?;
    let source_version = object.meta.version_header(&source.bucket);
    let input = &req.input;
    let target = Cx::of(app, &req)?;
    target.authorize("s3:PutObject", Some(&input.key))?;
    if !PART_NUMBERS.contains(&input.part_number) {
        return Err(s3_error!(
            InvalidArgument,
            "Part number must be an integer between 1 and 10000, inclusive"
        ));
    }
    let upload = app
        .s3
        .upload(&target.bucket.name, &input.key, &input.upload_id)
        .map_err(from_engine)?;
    let size = object.meta.size;
    let (start, len) = match input.copy_source_range.as_deref() {
        None => (0, size),
        Some(text) => {
            let invalid = || {
                s3_error!(
                    InvalidArgument,
                    "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy"
                )
            };
            let (first, last) = text
                .strip_prefix("bytes=")
                .and_then(|r| r.split_once('-'))
                .ok_or_else(invalid)?;
            let first: u64 = first.parse().map_err(|_| invalid())?;
            let last: u64 = last.parse().map_err(|_| invalid())?;
            if first > last || last >= size {
                return Err(s3_error!(
                    InvalidRange,
                    "The requested range is not satisfiable"
                ));
            }
            (first, last - first + 1)
        }
    };
    let writer = match target.data_key(upload.sse_kms.as_ref()).await? {
        Some(key) => app.s3.part_writer().encrypt(&key).map_err(from_engine)?,
        None => app.s3.part_writer(),
    };
    let blob = copy_bytes(&source, &object, start, len, writer).await?;
    let part = app
        .s3
        .put_part(&upload, input.part_number as u32, blob, Vec::new())
        .await
        .map_err(from_engine)?;
    let mut out = UploadPartCopyOutput {
        copy_part_result: Some(CopyPartResult {
            e_tag: Some(ETag::Strong(part.etag)),
            last_modified: Some(timestamp(part.last_modified_micros)),
            ..Default::default()
        }),
        copy_source_version_id: source_version,
        ..Default::default()
    };
    set_sse!(out, &upload.headers, upload.sse_kms);
    Ok(S3Response::new(out))
}

pub async fn complete_multipart_upload(
    app: &App,
    req: S3Request<CompleteMultipartUploadInput>,
) -> S3Result<S3Response<CompleteMultipartUploadOutput>> {
    let cx = Cx::of(app, &req)?;
    refuse_header(&req.headers)?;
    let input = req.input;
    cx.authorize("s3:PutObject", Some(&input.key))?;
    let upload = match app.s3.upload(&cx.bucket.name, &input.key, &input.upload_id) {
        Ok(upload) => upload,
        // Completing again (a client's retry) answers as the first time, as S3 does while the
        // object it made is the key's current one.
        Err(EngineError::NoSuchUpload) => {
            return match app.s3.get_object(&cx.bucket.name, &input.key, None) {
                Ok(done) if done.meta.upload_id.as_deref() == Some(input.upload_id.as_str()) => {
                    Ok(S3Response::new(completed(&cx, &done.meta)))
                }
                _ => Err(from_engine(EngineError::NoSuchUpload)),
            };
        }
        Err(err) => return Err(from_engine(err)),
    };
    let chosen: Vec<(u32, String)> = input
        .multipart_upload
        .and_then(|m| m.parts)
        .unwrap_or_default()
        .into_iter()
        .map(|p| {
            (
                p.part_number.unwrap_or(0).max(0) as u32,
                p.e_tag.map(s3s::dto::ETag::into_value).unwrap_or_default(),
            )
        })
        .collect();
    if chosen.is_empty() {
        return Err(s3_error!(
            MalformedXML,
            "The XML you provided was not well-formed or did not validate against our published schema"
        ));
    }
    let writer = if upload.initiator.is_empty() {
        cx.writer_account()
    } else {
        upload.initiator.clone()
    };
    let owner = cx.bucket.object_owner(&writer, upload.acl);
    let checksums = composite_checksum(app, &upload, &chosen)?;
    let condition = write_condition(input.if_match.as_ref(), input.if_none_match.as_ref())?;
    let meta = app
        .s3
        .complete_upload(&upload, owner, &chosen, checksums, condition)
        .await
        .map_err(from_engine)?;
    Ok(S3Response::new(completed(&cx, &meta)))
}

fn completed(cx: &Cx<'_>, meta: &ObjectMeta) -> CompleteMultipartUploadOutput {
    let mut out = CompleteMultipartUploadOutput {
        bucket: Some(cx.bucket.name.clone()),
        key: Some(meta.key.clone()),
        e_tag: Some(ETag::Strong(meta.etag.clone())),
        location: Some(format!("/{}/{}", cx.bucket.name, meta.key)),
        version_id: meta.version_id.clone(),
        ..Default::default()
    };
    set_sse!(out, &meta.headers, meta.sse_kms);
    out
}

/// The object's checksum when the upload asked for one: S3's composite form, the checksum
/// of the parts' binary checksums followed by `-N` (none for CRC64NVME, which S3 computes
/// over the whole object, or when a part lacks it).
fn composite_checksum(
    app: &App,
    upload: &Upload,
    chosen: &[(u32, String)],
) -> S3Result<Vec<(String, String)>> {
    use base64::Engine as _;
    let Some(algorithm) = upload.checksum_algorithm.as_deref() else {
        return Ok(Vec::new());
    };
    let algorithm = algorithm.to_ascii_uppercase();
    let mut hasher = s3s::checksum::ChecksumHasher::default();
    match algorithm.as_str() {
        "CRC32" => hasher.crc32 = Some(Default::default()),
        "CRC32C" => hasher.crc32c = Some(Default::default()),
        "SHA1" => hasher.sha1 = Some(Default::default()),
        "SHA256" => hasher.sha256 = Some(Default::default()),
        _ => return Ok(Vec::new()),
    }
    let parts = app.s3.list_parts(upload, 0, 10_000).map_err(from_engine)?;
    for (number, _) in chosen {
        let Some(raw) = parts
            .iter()
            .find(|p| p.part_number == *number)
            .and_then(|p| p.checksums.iter().find(|(name, _)| *name == algorithm))
            .and_then(|(_, value)| base64::engine::general_purpose::STANDARD.decode(value).ok())
        else {
            return Ok(Vec::new());
        };
        hasher.update(&raw);
    }
    let sums = hasher.finalize();
    let value = sums
        .checksum_crc32
        .or(sums.checksum_crc32c)
        .or(sums.checksum_sha1)
        .or(sums.checksum_sha256)
        .unwrap_or_default();
    Ok(vec![(algorithm, format!("{value}-{}", chosen.len()))])
}

pub async fn abort_multipart_upload(
    app: &App,
    req: S3Request<AbortMultipartUploadInput>,
) -> S3Result<S3Response<AbortMultipartUploadOutput>> {
    let cx = Cx::of(app, &req)?;
    let input = &req.input;
    cx.authorize("s3:AbortMultipartUpload", Some(&input.key))?;
    let upload = app
        .s3
        .upload(&cx.bucket.name, &input.key, &input.upload_id)
        .map_err(from_engine)?;
    app.s3.abort_upload(&upload).await.map_err(from_engine)?;
    Ok(S3Response::with_status(
        AbortMultipartUploadOutput::default(),
        http::StatusCode::NO_CONTENT,
    ))
}

pub async fn list_parts(
    app: &App,
    req: S3Request<ListPartsInput>,
) -> S3Result<S3Response<ListPartsOutput>> {
    let cx = Cx::of(app, &req)?;
    let input = &req.input;
    cx.authorize("s3:ListMultipartUploadParts", Some(&input.key))?;
    let upload = app
        .s3
        .upload(&cx.bucket.name, &input.key, &input.upload_id)
        .map_err(from_engine)?;
    let max = input.max_parts.unwrap_or(1000).clamp(0, 1000) as usize;
    let marker = input.part_number_marker.unwrap_or(0).max(0) as u32;
    let mut parts = app
        .s3
        .list_parts(&upload, marker, max)
        .map_err(from_engine)?;
    let truncated = parts.len() > max;
    parts.truncate(max);
    let next = parts.last().map(|p| p.part_number as i32);
    let owner = canonical_owner(&upload.initiator);
    Ok(S3Response::new(ListPartsOutput {
        bucket: Some(cx.bucket.name.clone()),
        key: Some(upload.key.clone()),
        upload_id: Some(upload.upload_id.clone()),
        initiator: Some(Initiator {
            id: Some(upload.initiator_arn.clone()),
            display_name: None,
        }),
        owner: Some(owner),
        is_truncated: Some(truncated),
        max_parts: Some(max as i32),
        part_number_marker: input.part_number_marker,
        next_part_number_marker: if truncated { next } else { None },
        storage_class: Some(StorageClass::from_static(StorageClass::STANDARD)),
        checksum_algorithm: upload
            .checksum_algorithm
            .clone()
            .map(ChecksumAlgorithm::from),
        parts: Some(
            parts
                .into_iter()
                .map(|p| {
                    let mut part = Part {
                        e_tag: Some(ETag::Strong(p.etag)),
                        last_modified: Some(timestamp(p.last_modified_micros)),
                        part_number: Some(p.part_number as i32),
                        size: Some(p.size as i64),
                        ..Default::default()
                    };
                    set_checksums!(part, &p.checksums);
                    part
                })
                .collect(),
        ),
        ..Default::default()
    }))
}

pub async fn list_multipart_uploads(
    app: &App,
    req: S3Request<ListMultipartUploadsInput>,
) -> S3Result<S3Response<ListMultipartUploadsOutput>> {
    let cx = Cx::authorized(app, &req, "s3:ListBucketMultipartUploads")?;
    let input = req.input;
    let encode = encoder(input.encoding_type.as_ref())?;
    let prefix = input.prefix.clone().unwrap_or_default();
    let max = input.max_uploads.unwrap_or(1000).clamp(0, 1000) as usize;
    let key_marker = input.key_marker.clone().unwrap_or_default();
    let id_marker = input.upload_id_marker.clone().unwrap_or_default();
    let mut uploads: Vec<Upload> = app
        .s3
        .uploads_in(&cx.bucket.name)
        .map_err(from_engine)?
        .into_iter()
        .filter(|u| u.key.starts_with(&prefix))
        .filter(|u| {
            key_marker.is_empty()
                || u.key > key_marker
                || (u.key == key_marker && !id_marker.is_empty() && u.upload_id > id_marker)
        })
        .collect();
    let truncated = uploads.len() > max;
    uploads.truncate(max);
    let (next_key, next_id) = match uploads.last() {
        Some(last) if truncated => (Some(encode(&last.key)), Some(last.upload_id.clone())),
        _ => (None, None),
    };
    Ok(S3Response::new(ListMultipartUploadsOutput {
        bucket: Some(cx.bucket.name.clone()),
        prefix: Some(encode(&prefix)),
        key_marker: Some(encode(&key_marker)),
        upload_id_marker: Some(id_marker),
        max_uploads: Some(max as i32),
        is_truncated: Some(truncated),
        next_key_marker: next_key,
        next_upload_id_marker: next_id,
        encoding_type: input.encoding_type,
        uploads: Some(
            uploads
                .into_iter()
                .map(|u| MultipartUpload {
                    initiated: Some(timestamp(u.initiated_micros)),
                    initiator: Some(Initiator {
                        id: Some(u.initiator_arn.clone()),
                        display_name: None,
                    }),
                    owner: Some(canonical_owner(&u.initiator)),
                    key: Some(encode(&u.key)),
                    storage_class: Some(StorageClass::from_static(StorageClass::STANDARD)),
                    upload_id: Some(u.upload_id),
                    checksum_algorithm: u.checksum_algorithm.map(ChecksumAlgorithm::from),
                    ..Default::default()
                })
                .collect(),
        ),
        ..Default::default()
    }))
}
