//! GetObjectAttributes: an object's ETag, checksum, parts, storage class and size, as the
//! `x-amz-object-attributes` header asks, without its body.

use s3s::dto::*;
use s3s::{S3Request, S3Response, S3Result, s3_error};
use strata_app::App;
use strata_app::s3::access::version_action;

use super::context::Cx;
use super::errors::from_access;
use super::timestamp;

/// Most parts one answer lists.
const MAX_PARTS: i32 = 1000;

pub async fn get_object_attributes(
    app: &App,
    req: S3Request<GetObjectAttributesInput>,
) -> S3Result<S3Response<GetObjectAttributesOutput>> {
    let cx = Cx::of(app, &req)?;
    let input = &req.input;
    let version = input.version_id.as_deref();
    // Both actions are needed (their version forms for a version).
    let object = cx.readable(&input.key, version, "s3:GetObjectAttributes")?;
    let get = match version {
        Some(_) => version_action("s3:GetObject"),
        None => "s3:GetObject",
    };
    cx.authorize_object(get, &object.meta)
        .map_err(from_access)?;
    let meta = &object.meta;
    // One header, comma-separated (s3s may hand it over whole).
    let names: Vec<&str> = input
        .object_attributes
        .iter()
        .flat_map(|a| a.as_str().split(','))
        .map(str::trim)
        .collect();
    let asked = |name: &str| names.contains(&name);
    if names.is_empty()
        || names.iter().any(|a| {
            !matches!(
                *a,
                "ETag" | "Checksum" | "ObjectParts" | "StorageClass" | "ObjectSize"
            )
        })
    {
        return Err(s3_error!(
            InvalidArgument,
            "Invalid attribute name specified."
        ));
    }
    let mut out = GetObjectAttributesOutput {
        last_modified: Some(timestamp(meta.last_modified_micros)),
        version_id: meta.version_header(&cx.bucket),
        ..Default::default()
    };
    if asked("ETag") {
        out.e_tag = Some(ETag::Strong(meta.etag.clone()));
    }
    if asked("ObjectSize") {
        out.object_size = Some(meta.size as i64);
    }
    if asked("StorageClass") {
        out.storage_class = Some(StorageClass::from(
            meta.headers
                .storage_class
                .clone()
                .unwrap_or_else(|| "STANDARD".to_owned()),
        ));
    }
    if asked("Checksum") && !meta.checksums.is_empty() {
        let mut checksum = Checksum {
            checksum_type: Some(ChecksumType::from_static(
                if meta.checksums.iter().any(|(_, v)| v.contains('-')) {
                    ChecksumType::COMPOSITE
                } else {
                    ChecksumType::FULL_OBJECT
                },
            )),
            ..Default::default()
        };
        for (name, value) in &meta.checksums {
            // A composite checksum is shown without its `-N` suffix.
            let value = value.split('-').next().unwrap_or_default().to_owned();
            match name.as_str() {
                "CRC32" => checksum.checksum_crc32 = Some(value),
                "CRC32C" => checksum.checksum_crc32c = Some(value),
                "CRC64NVME" => checksum.checksum_crc64nvme = Some(value),
                "SHA1" => checksum.checksum_sha1 = Some(value),
                _ => checksum.checksum_sha256 = Some(value),
            }
        }
        out.checksum = Some(checksum);
    }
    if asked("ObjectParts")
        && let Some(total) = meta.parts_count
    {
        let marker = input.part_number_marker.unwrap_or(0);
        let max = input.max_parts.unwrap_or(MAX_PARTS).clamp(0, MAX_PARTS);
        let after: Vec<_> = meta
            .parts
            .iter()
            .filter(|p| i64::from(p.number) > i64::from(marker))
            .collect();
        let page: Vec<_> = after.iter().take(max as usize).collect();
        let truncated = after.len() > page.len();
        // Parts (and their paging) only for objects uploaded with checksums, as on S3; else
        // just how many.
        if meta.checksums.is_empty() {
            out.object_parts = Some(GetObjectAttributesParts {
                total_parts_count: Some(total as i32),
                ..Default::default()
            });
            return Ok(S3Response::new(out));
        }
        out.object_parts = Some(GetObjectAttributesParts {
            total_parts_count: Some(total as i32),
            part_number_marker: Some(marker),
            next_part_number_marker: page.last().map(|p| p.number as i32),
            max_parts: Some(max),
            is_truncated: Some(truncated),
            parts: Some(
                page.iter()
                    .map(|p| {
                        let mut part = ObjectPart {
                            part_number: Some(p.number as i32),
                            size: Some(p.size as i64),
                            ..Default::default()
                        };
                        for (name, value) in &p.checksums {
                            let value = Some(value.clone());
                            match name.as_str() {
                                "CRC32" => part.checksum_crc32 = value,
                                "CRC32C" => part.checksum_crc32c = value,
                                "CRC64NVME" => part.checksum_crc64nvme = value,
                                "SHA1" => part.checksum_sha1 = value,
                                _ => part.checksum_sha256 = value,
                            }
                        }
                        part
                    })
                    .collect(),
            ),
        });
    }
    Ok(S3Response::new(out))
}

/// GetObjectAttributes shows the ETag without quotes (the one place S3 does); s3s always
/// quotes it, so the rendered body is corrected here.
pub async fn unquoted_etag(response: http::Response<s3s::Body>) -> http::Response<s3s::Body> {
    use http_body_util::BodyExt;
    let (mut parts, body) = response.into_parts();
    let Ok(collected) = body.collect().await else {
        return http::Response::from_parts(parts, s3s::Body::empty());
    };
    let text = String::from_utf8_lossy(&collected.to_bytes()).into_owned();
    let text = match text.split_once("<ETag>\"") {
        Some((head, rest)) => match rest.split_once("\"</ETag>") {
            Some((etag, tail)) => format!("{head}<ETag>{etag}</ETag>{tail}"),
            None => text,
        },
        None => text,
    };
    parts.headers.remove(http::header::CONTENT_LENGTH);
    http::Response::from_parts(parts, s3s::Body::from(text))
}
