//! ListObjects, ListObjectsV2 and ListObjectVersions: prefixes, delimiters, paging,
//! `encoding-type=url`.

use base64::Engine as _;
use s3s::dto::*;
use s3s::{S3Request, S3Response, S3Result, s3_error};
use strata_app::App;
use strata_s3::{ListQuery, ListedVersion, ObjectMeta, VersionQuery};

use super::context::{Cx, list_conditions};
use super::errors::{from_engine, invalid_argument};
use super::{canonical_owner, timestamp};

/// Most keys one listing page returns.
const MAX_KEYS: i32 = 1000;

/// `encoding-type=url`: keys and prefixes percent-encoded (`/` kept).
pub(super) fn encoder(
    encoding: Option<&EncodingType>,
) -> S3Result<impl Fn(&str) -> String + use<>> {
    let url = match encoding.map(s3s::dto::EncodingType::as_str) {
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

/// A listing's authorization, with its condition keys (`s3:prefix`, …).
fn authorize_listing(
    cx: &Cx<'_>,
    action: &str,
    prefix: Option<&str>,
    delimiter: Option<&str>,
    max_keys: Option<i32>,
) -> S3Result<()> {
    cx.authorize_with(action, None, list_conditions(prefix, delimiter, max_keys))
}

fn common_prefixes(prefixes: &[String], encode: &impl Fn(&str) -> String) -> Vec<CommonPrefix> {
    prefixes
        .iter()
        .map(|p| CommonPrefix {
            prefix: Some(encode(p)),
        })
        .collect()
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
    let cx = Cx::of(app, &req)?;
    let input = &req.input;
    authorize_listing(
        &cx,
        "s3:ListBucket",
        input.prefix.as_deref(),
        input.delimiter.as_deref(),
        input.max_keys,
    )?;
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
        common_prefixes: Some(common_prefixes(&page.common_prefixes, &encode)),
        // Echoed only when given, and not when empty.
        delimiter: input
            .delimiter
            .as_deref()
            .filter(|d| !d.is_empty())
            .map(&encode),
        encoding_type: input.encoding_type,
        start_after: input.start_after.as_deref().map(&encode),
        request_charged: None,
    }))
}

pub async fn list_objects(
    app: &App,
    req: S3Request<ListObjectsInput>,
) -> S3Result<S3Response<ListObjectsOutput>> {
    let cx = Cx::of(app, &req)?;
    let input = &req.input;
    authorize_listing(
        &cx,
        "s3:ListBucket",
        input.prefix.as_deref(),
        input.delimiter.as_deref(),
        input.max_keys,
    )?;
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
        // V1 leaves the prefix as sent even with encoding-type=url (SDKs decode only the
        // keys, prefixes and markers of V1 listings).
        prefix: Some(query.prefix.clone()),
        marker: Some(input.marker.as_deref().map(&encode).unwrap_or_default()),
        max_keys: Some(max as i32),
        is_truncated: Some(page.is_truncated),
        contents: Some(
            page.objects
                .into_iter()
                .map(|m| listed(m, &encode, true))
                .collect(),
        ),
        common_prefixes: Some(common_prefixes(&page.common_prefixes, &encode)),
        // Echoed only when given, and not when empty.
        delimiter: input
            .delimiter
            .as_deref()
            .filter(|d| !d.is_empty())
            .map(&encode),
        next_marker,
        encoding_type: input.encoding_type,
        request_charged: None,
    }))
}

/// ListObjectVersions: on any bucket (in one never versioned every object is its `null`
/// version), versions and delete markers by key, newest first.
pub async fn list_object_versions(
    app: &App,
    req: S3Request<ListObjectVersionsInput>,
) -> S3Result<S3Response<ListObjectVersionsOutput>> {
    let cx = Cx::of(app, &req)?;
    let input = &req.input;
    authorize_listing(
        &cx,
        "s3:ListBucketVersions",
        input.prefix.as_deref(),
        input.delimiter.as_deref(),
        input.max_keys,
    )?;
    let input = req.input;
    let encode = encoder(input.encoding_type.as_ref())?;
    if input
        .version_id_marker
        .as_deref()
        .is_some_and(|v| !v.is_empty())
        && input.key_marker.as_deref().is_none_or(str::is_empty)
    {
        return Err(invalid_argument(
            "A version-id marker cannot be specified without a key marker.",
            "version-id-marker",
            input.version_id_marker.as_deref().unwrap_or_default(),
        ));
    }
    let max = max_keys(input.max_keys)?;
    let query = VersionQuery {
        prefix: input.prefix.clone().unwrap_or_default(),
        delimiter: input.delimiter.clone(),
        key_marker: input.key_marker.clone(),
        version_id_marker: input.version_id_marker.clone(),
        max_keys: max,
    };
    let page = app
        .s3
        .list_versions(&cx.bucket.name, &query)
        .map_err(from_engine)?;
    let (mut versions, mut markers) = (Vec::new(), Vec::new());
    let order: String = page
        .versions
        .iter()
        .map(|v| if v.meta.delete_marker { 'M' } else { 'V' })
        .collect();
    for ListedVersion { meta, is_latest } in page.versions {
        let version_id = Some(meta.version_text().to_owned());
        if meta.delete_marker {
            markers.push(DeleteMarkerEntry {
                is_latest: Some(is_latest),
                key: Some(encode(&meta.key)),
                last_modified: Some(timestamp(meta.last_modified_micros)),
                owner: Some(canonical_owner(&meta.owner)),
                version_id,
            });
            continue;
        }
        let object = listed(meta, &encode, true);
        versions.push(ObjectVersion {
            checksum_algorithm: object.checksum_algorithm,
            e_tag: object.e_tag,
            is_latest: Some(is_latest),
            key: object.key,
            last_modified: object.last_modified,
            owner: object.owner,
            size: object.size,
            storage_class: Some(ObjectVersionStorageClass::from(
                object
                    .storage_class
                    .map_or_else(|| "STANDARD".to_owned(), |c| c.as_str().to_owned()),
            )),
            version_id,
            ..Default::default()
        });
    }
    let mut response = S3Response::new(ListObjectVersionsOutput {
        name: Some(cx.bucket.name.clone()),
        prefix: Some(encode(&query.prefix)),
        key_marker: Some(input.key_marker.as_deref().map(&encode).unwrap_or_default()),
        version_id_marker: Some(input.version_id_marker.clone().unwrap_or_default()),
        max_keys: Some(max as i32),
        is_truncated: Some(page.is_truncated),
        next_key_marker: page.next_key_marker.as_deref().map(&encode),
        next_version_id_marker: page.next_version_id_marker,
        versions: Some(versions),
        delete_markers: Some(markers),
        common_prefixes: Some(common_prefixes(&page.common_prefixes, &encode)),
        // Echoed only when given, and not when empty.
        delimiter: input
            .delimiter
            .as_deref()
            .filter(|d| !d.is_empty())
            .map(&encode),
        encoding_type: input.encoding_type,
        request_charged: None,
    });
    if let Ok(order) = http::HeaderValue::from_str(&order) {
        response.headers.insert(ORDER_HEADER, order);
    }
    Ok(response)
}

/// The internal header telling [`interleaved`] the order of a page's versions (`V`) and delete
/// markers (`M`).
pub const ORDER_HEADER: &str = "x-strata-version-order";

/// ListObjectVersions' body with its `<Version>` and `<DeleteMarker>` elements in listing order,
/// as S3 writes them (s3s writes all markers, then all versions); the order header removed.
pub async fn interleaved(response: http::Response<s3s::Body>) -> http::Response<s3s::Body> {
    use http_body_util::BodyExt;
    let (mut parts, body) = response.into_parts();
    let order = parts.headers.remove(ORDER_HEADER);
    let order = order
        .as_ref()
        .and_then(|o| o.to_str().ok())
        .unwrap_or_default();
    let Ok(collected) = body.collect().await else {
        return http::Response::from_parts(parts, s3s::Body::empty());
    };
    let text = String::from_utf8_lossy(&collected.to_bytes()).into_owned();
    let (mut rest, mut markers, mut versions) = (String::new(), Vec::new(), Vec::new());
    let mut at = 0;
    let mut insert_at = None;
    while let Some((start, open, close)) = next_entry(&text[at..]) {
        let start = at + start;
        let end = match text[start..].find(close) {
            Some(end) => start + end + close.len(),
            None => break,
        };
        rest.push_str(&text[at..start]);
        insert_at.get_or_insert(rest.len());
        let element = text[start..end].to_owned();
        match open {
            "<DeleteMarker>" => markers.push(element),
            _ => versions.push(element),
        }
        at = end;
    }
    rest.push_str(&text[at..]);
    let (mut markers, mut versions) = (markers.into_iter(), versions.into_iter());
    let mut entries = String::new();
    for kind in order.chars() {
        let next = match kind {
            'M' => markers.next(),
            _ => versions.next(),
        };
        entries.extend(next);
    }
    entries.extend(markers.chain(versions));
    if let Some(at) = insert_at {
        rest.insert_str(at, &entries);
    }
    parts.headers.remove(http::header::CONTENT_LENGTH);
    http::Response::from_parts(parts, s3s::Body::from(rest))
}

/// The next `<Version>` or `<DeleteMarker>` element of `text`: where it starts, its opening
/// and its closing tag.
fn next_entry(text: &str) -> Option<(usize, &'static str, &'static str)> {
    let version = text
        .find("<Version>")
        .map(|i| (i, "<Version>", "</Version>"));
    let marker = text
        .find("<DeleteMarker>")
        .map(|i| (i, "<DeleteMarker>", "</DeleteMarker>"));
    match (version, marker) {
        (Some(v), Some(m)) => Some(if v.0 < m.0 { v } else { m }),
        (v, m) => v.or(m),
    }
}
