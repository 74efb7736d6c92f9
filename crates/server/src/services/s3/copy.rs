//! CopyObject, and the copy source (its lookup, authorization and conditions) UploadPartCopy
//! shares with it.

use s3s::dto::*;
use s3s::{S3Request, S3Response, S3Result, s3_error};
use strata_app::App;
use strata_s3::{Blob, BlobWriter, NewObject, StoredObject};

use super::conditions::Conditions;
use super::context::{Cx, write_conditions};
use super::errors::{from_access, from_engine};
use super::sse::{set_sse, sse_request};
use super::upload::{headers_from_input, parse_tags, sorted_metadata, write_acl};
use super::{requester, timestamp};

pub async fn copy_object(
    app: &App,
    req: S3Request<CopyObjectInput>,
) -> S3Result<S3Response<CopyObjectOutput>> {
    let (source, source_key, object) = copy_source(app, &req)?;
    let source_version = object.meta.version_header(&source.bucket);
    let target = Cx::of(app, &req)?;
    let conditions = write_conditions!(req.input);
    target.authorize_with("s3:PutObject", Some(&req.input.key), conditions)?;
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
    // The copy is encrypted as its own request and the target bucket say, whatever the
    // source's encryption.
    let encryption = target
        .encryption_for_write(&input.key, sse_request!(input))
        .await?;
    let mut headers = if replace {
        headers_from_input!(input, None)
    } else {
        let mut h = object.meta.headers.clone();
        if let Some(class) = input.storage_class {
            h.storage_class = Some(class.as_str().to_owned());
        }
        h
    };
    encryption.stamp(&mut headers);
    let writer = encryption
        .writer(app.s3.body_writer())
        .map_err(from_access)?;
    let blob = copy_bytes(&source, &object, 0, object.meta.size, writer).await?;
    let tags = match input
        .tagging_directive
        .as_ref()
        .map(s3s::dto::TaggingDirective::as_str)
    {
        Some("REPLACE") => parse_tags(input.tagging.as_deref()),
        _ => object.meta.tags.clone(),
    };
    let new = NewObject {
        owner: target
            .bucket
            .object_owner(&target.writer_account(), acl.canned),
        bucket: target.bucket.name.clone(),
        key: input.key,
        headers,
        checksums: object.meta.checksums.clone(),
        acl: acl.canned.unwrap_or_default(),
        grants: acl.grants,
        tags,
        condition: None,
        sse_kms: encryption.sse_kms(),
    };
    let meta = app.s3.put_object(new, blob).await.map_err(from_engine)?;
    let mut out = CopyObjectOutput {
        copy_source_version_id: source_version,
        version_id: meta.version_id.clone(),
        copy_object_result: Some(CopyObjectResult {
            e_tag: Some(ETag::Strong(meta.etag.clone())),
            last_modified: Some(timestamp(meta.last_modified_micros)),
            ..Default::default()
        }),
        ..Default::default()
    };
    set_sse!(out, &meta.headers, meta.sse_kms, write);
    Ok(S3Response::new(out))
}

/// A copy (CopyObject, UploadPartCopy): its source and the conditions on it.
pub(super) trait CopyRequest {
    fn copy_source(&self) -> &CopySource;
    fn expected_source_bucket_owner(&self) -> Option<&str>;
    fn source_conditions(&self) -> Conditions<'_>;
}

macro_rules! copy_requests {
    ($($input:ty),*) => {$(
        impl CopyRequest for $input {
            fn copy_source(&self) -> &CopySource {
                &self.copy_source
            }
            fn expected_source_bucket_owner(&self) -> Option<&str> {
                self.expected_source_bucket_owner.as_deref()
            }
            fn source_conditions(&self) -> Conditions<'_> {
                Conditions {
                    if_match: self.copy_source_if_match.as_ref(),
                    if_unmodified_since: self.copy_source_if_unmodified_since.as_ref(),
                    if_none_match: self.copy_source_if_none_match.as_ref(),
                    if_modified_since: self.copy_source_if_modified_since.as_ref(),
                }
            }
        }
    )*};
}

copy_requests!(CopyObjectInput, UploadPartCopyInput);

/// The source of a copy: its bucket's context (with the source's own expected owner), its key
/// and the object, read as `s3:GetObject` and checked against the copy's source conditions.
pub(super) fn copy_source<'a, T: CopyRequest>(
    app: &'a App,
    req: &S3Request<T>,
) -> S3Result<(Cx<'a>, String, StoredObject)> {
    let (bucket, key, version) = match req.input.copy_source() {
        CopySource::Bucket {
            bucket,
            key,
            version_id,
        } => (bucket, key, version_id.as_deref()),
        _ => {
            return Err(s3_error!(
                NotImplemented,
                "Copying from an access point is not supported"
            ));
        }
    };
    let expected = req.input.expected_source_bucket_owner().map(str::to_owned);
    let cx = Cx::with(app, requester(req)?.clone(), bucket, expected)?;
    let object = cx.readable(key, version, "s3:GetObject")?;
    req.input
        .source_conditions()
        .check_copy_source(&object.meta)?;
    Ok((cx, key.to_string(), object))
}

/// Copies `len` bytes of `object` from `start` into a new blob; an SSE-KMS source is
/// decrypted with its data key, from KMS as the requester of `source`'s context.
pub(super) async fn copy_bytes(
    source: &Cx<'_>,
    object: &StoredObject,
    start: u64,
    len: u64,
    mut writer: BlobWriter,
) -> S3Result<Blob> {
    let data_key = source.data_key(object.meta.sse_kms.as_ref()).await?;
    let mut reader = source
        .app
        .s3
        .read_object(object, start, len, data_key.as_ref())
        .await
        .map_err(from_engine)?;
    while let Some(chunk) = reader.next_chunk().await.map_err(from_engine)? {
        writer.write(&chunk).await.map_err(from_engine)?;
    }
    writer.finish(None).await.map_err(from_engine)
}
