//! Object operations: put (streamed to the engine, verified before commit), get and head
//! (ranges, conditions, overrides), delete, ACLs. Copies are in [`super::copy`], listings in
//! [`super::listing`].

use std::collections::HashMap;

use s3s::dto::*;
use s3s::{S3Request, S3Response, S3Result, s3_error};
use strata_app::App;
use strata_app::s3::access::{request_tags, version_action};
use strata_s3::{Deleted, NewObject, S3Error as EngineError, VersionId};

use super::acl;
use super::conditions::{Conditions, read_range, write_condition};
use super::context::{Cx, write_conditions};
use super::errors::{from_access, from_engine, parse_version};
use super::lifecycle::expiration_header;
use super::sse::{refuse_header, set_sse, sse_request};
use super::upload::{
    headers_from_input, parse_tags, receive, set_checksums, sorted_metadata, write_acl,
};
use super::{canonical_owner, timestamp};

pub async fn put_object(
    app: &App,
    mut req: S3Request<PutObjectInput>,
) -> S3Result<S3Response<PutObjectOutput>> {
    let cx = Cx::of(app, &req)?;
    let key = req.input.key.clone();
    let input = &req.input;
    let conditions = write_conditions!(input);
    cx.authorize_with("s3:PutObject", Some(&key), conditions)?;
    let acl = write_acl!(cx, &key, req.input);
    if req.input.tagging.is_some() {
        let tags = request_tags(&parse_tags(req.input.tagging.as_deref()));
        cx.authorize_with("s3:PutObjectTagging", Some(&key), tags)?;
    }
    let condition = write_condition(
        req.input.if_match.as_ref(),
        req.input.if_none_match.as_ref(),
    )?;
    let encryption = cx
        .encryption_for_write(&key, sse_request!(req.input))
        .await?;
    let writer = encryption
        .writer(app.s3.body_writer())
        .map_err(from_access)?;
    let body = req.input.body.take();
    let (blob, checksums) = receive(
        &req,
        body,
        writer,
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
    let mut headers = headers_from_input!(input, expires);
    encryption.stamp(&mut headers);
    let new = NewObject {
        owner: cx.bucket.object_owner(&cx.writer_account(), acl.canned),
        bucket: cx.bucket.name.clone(),
        key,
        headers,
        checksums,
        acl: acl.canned.unwrap_or_default(),
        grants: acl.grants,
        tags: parse_tags(input.tagging.as_deref()),
        condition,
        sse_kms: encryption.sse_kms(),
    };
    let meta = app.s3.put_object(new, blob).await.map_err(from_engine)?;
    let mut output = PutObjectOutput {
        e_tag: Some(ETag::Strong(meta.etag.clone())),
        size: Some(meta.size as i64),
        version_id: meta.version_id.clone(),
        expiration: expiration_header(&cx.bucket, &meta),
        ..Default::default()
    };
    set_checksums!(output, &meta.checksums);
    set_sse!(output, &meta.headers, meta.sse_kms, write);
    Ok(S3Response::new(output))
}

macro_rules! object_headers {
    ($out:ident, $meta:expr, $input:expr, $bucket:expr) => {{
        let meta: &strata_s3::ObjectMeta = $meta;
        let h = &meta.headers;
        $out.version_id = meta.version_header($bucket);
        if $input.version_id.is_none() {
            $out.expiration = expiration_header($bucket, meta);
        }
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
        set_sse!($out, h, meta.sse_kms);
        $out.storage_class = h
            .storage_class
            .clone()
            .filter(|c| c != "STANDARD")
            .map(StorageClass::from);
        // x-amz-mp-parts-count: only for a read of one part of a multipart object.
        $out.parts_count = $input.part_number.and(meta.parts_count).map(|n| n as i32);
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
    let cx = Cx::of(app, &req)?;
    refuse_header(&req.headers)?;
    let input = &req.input;
    let object = cx.readable(&input.key, input.version_id.as_deref(), "s3:GetObject")?;
    let meta = &object.meta;
    Conditions::from(input).check(meta)?;
    let (start, len, content_range) = read_range(input.range.as_ref(), input.part_number, meta)?;
    let data_key = cx.data_key(meta.sse_kms.as_ref()).await?;
    let reader = app
        .s3
        .read_object(&object, start, len, data_key.as_ref())
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
    object_headers!(out, meta, input, &cx.bucket);
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
    let cx = Cx::of(app, &req)?;
    refuse_header(&req.headers)?;
    let input = &req.input;
    let object = cx.readable(&input.key, input.version_id.as_deref(), "s3:GetObject")?;
    let meta = &object.meta;
    Conditions::from(input).check(meta)?;
    let (_, len, content_range) = read_range(input.range.as_ref(), input.part_number, meta)?;
    let mut out = HeadObjectOutput {
        content_length: Some(len as i64),
        content_range: content_range.clone(),
        ..Default::default()
    };
    object_headers!(out, meta, input, &cx.bucket);
    let mut response = S3Response::new(out);
    if content_range.is_some() {
        response.status = Some(http::StatusCode::PARTIAL_CONTENT);
    }
    if !meta.tags.is_empty() {
        response.headers.insert(
            "x-amz-tagging-count",
            http::HeaderValue::from(meta.tags.len()),
        );
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
    let cx = Cx::of(app, &req)?;
    let input = &req.input;
    let deleted = delete_one(&cx, &input.key, input.version_id.as_deref()).await?;
    Ok(S3Response::with_status(
        DeleteObjectOutput {
            delete_marker: deleted.delete_marker.then_some(true),
            version_id: deleted.version_id,
            ..Default::default()
        },
        http::StatusCode::NO_CONTENT,
    ))
}

/// One DeleteObject (alone or in a DeleteObjects): authorized as `s3:DeleteObject`, or
/// `s3:DeleteObjectVersion` when it names a version.
async fn delete_one(cx: &Cx<'_>, key: &str, version: Option<&str>) -> S3Result<Deleted> {
    let version = parse_version(version)?;
    let action = match version {
        Some(_) => version_action("s3:DeleteObject"),
        None => "s3:DeleteObject",
    };
    cx.authorize(action, Some(key))?;
    cx.app
        .s3
        .delete_object(&cx.bucket.name, key, version, &cx.writer_account())
        .await
        .map_err(from_engine)
}

pub async fn delete_objects(
    app: &App,
    req: S3Request<DeleteObjectsInput>,
) -> S3Result<S3Response<DeleteObjectsOutput>> {
    let cx = Cx::of(app, &req)?;
    cx.check_expected_owner()?;
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
        let version = object.version_id.as_deref();
        // An id S3 never minted is a per-key NoSuchVersion here, not InvalidArgument.
        let outcome = match version.map(VersionId::parse) {
            Some(Err(_)) => Err(from_engine(EngineError::NoSuchVersion)),
            _ => delete_one(&cx, key, version).await,
        };
        match outcome {
            Ok(_) if quiet => {}
            Ok(done) => deleted.push(DeletedObject {
                key: Some(key.clone()),
                delete_marker: done.delete_marker.then_some(true),
                // A marker made (no version named) is reported by its id.
                delete_marker_version_id: done
                    .delete_marker
                    .then(|| done.version_id.clone())
                    .flatten(),
                version_id: version.map(str::to_owned),
            }),
            Err(err) => errors.push(Error {
                code: Some(err.code().as_str().to_owned()),
                key: Some(key.clone()),
                message: err.message().map(str::to_owned),
                version_id: version.map(str::to_owned),
            }),
        }
    }
    Ok(S3Response::new(DeleteObjectsOutput {
        deleted: Some(deleted),
        errors: Some(errors),
        request_charged: None,
    }))
}

pub async fn get_object_acl(
    app: &App,
    req: S3Request<GetObjectAclInput>,
) -> S3Result<S3Response<GetObjectAclOutput>> {
    let cx = Cx::of(app, &req)?;
    let input = &req.input;
    let object = cx.readable(&input.key, input.version_id.as_deref(), "s3:GetObjectAcl")?;
    let meta = object.meta;
    Ok(S3Response::new(GetObjectAclOutput {
        grants: Some(acl::to_wire(&meta.acl_grants(&cx.bucket.owner))),
        owner: Some(canonical_owner(&meta.owner)),
        request_charged: None,
    }))
}

pub async fn put_object_acl(
    app: &App,
    req: S3Request<PutObjectAclInput>,
) -> S3Result<S3Response<PutObjectAclOutput>> {
    let cx = Cx::of(app, &req)?;
    let input = &req.input;
    let version = input.version_id.as_deref();
    cx.readable(&input.key, version, "s3:PutObjectAcl")?;
    let mut headers = acl::grant_headers!(input);
    headers.write = input.grant_write.as_deref();
    let change = acl::requested(
        app,
        acl::AclSettings::of(&cx.bucket),
        acl::canned_text(input.acl.as_ref()),
        headers,
        input.access_control_policy.as_ref(),
        true,
    )?;
    app.s3
        .update_object(
            &cx.bucket.name,
            &input.key,
            parse_version(version)?,
            move |meta| {
                meta.acl = change.canned.unwrap_or_default();
                meta.grants = change.grants;
                Ok(())
            },
        )
        .await
        .map_err(from_engine)?;
    Ok(S3Response::new(PutObjectAclOutput::default()))
}
