//! What a write (PutObject, UploadPart, CopyObject, CreateMultipartUpload) carries: the body
//! streamed to a blob and verified (Content-MD5, `x-amz-checksum-*` from headers or
//! trailers), its canned ACL, stored headers, metadata and tags.

use base64::Engine as _;
use futures_util::StreamExt;
use s3s::checksum::ChecksumHasher;
use s3s::dto::*;
use s3s::{S3Request, S3Result, s3_error};
use strata_s3::{Blob, BlobWriter};

use super::errors::from_engine;

/// The largest single PUT (PutObject, UploadPart): 5 GiB.
const MAX_UPLOAD_BYTES: u64 = 5 << 30;

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

/// The ACL a write carries (PutObject, CopyObject, CreateMultipartUpload): a canned ACL or
/// grants, authorized as `s3:PutObjectAcl` when sent, and checked against the bucket's
/// settings ([`super::acl::requested`]).
macro_rules! write_acl {
    ($cx:expr, $key:expr, $input:expr) => {{
        let change = $crate::services::s3::acl::requested(
            $cx.app,
            $crate::services::s3::acl::AclSettings::of(&$cx.bucket),
            $crate::services::s3::acl::canned_text($input.acl.as_ref()),
            $crate::services::s3::acl::grant_headers!($input),
            None,
            false,
        )?;
        if change.is_set() {
            $cx.authorize("s3:PutObjectAcl", Some($key))?;
        }
        change
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
        ::strata_s3::ObjectHeaders {
            content_type: $input.content_type,
            content_encoding: $crate::services::s3::upload::without_aws_chunked(
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

/// The tags of an `x-amz-tagging` header, by key (as S3 lists them back).
pub(super) fn parse_tags(header: Option<&str>) -> Vec<(String, String)> {
    let mut tags: Vec<(String, String)> = header
        .map(|h| {
            form_urlencoded::parse(h.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect()
        })
        .unwrap_or_default();
    tags.sort();
    tags
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
