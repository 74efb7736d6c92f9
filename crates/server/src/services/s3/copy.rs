//! CopyObject, and the copy-source lookup and conditions UploadPartCopy shares with it.

use s3s::dto::*;
use s3s::{S3Request, S3Response, S3Result, s3_error};
use strata_app::App;
use strata_s3::{Blob, BlobWriter, NewObject, ObjectMeta, StoredObject};

use super::conditions::check_conditions;
use super::context::Cx;
use super::errors::from_engine;
use super::upload::{headers_from_input, parse_tags, sorted_metadata, write_acl};
use super::{requester, timestamp};

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
    let tags = match input
        .tagging_directive
        .as_ref()
        .map(s3s::dto::TaggingDirective::as_str)
    {
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
