//! The conditional headers of reads (If-Match, If-Unmodified-Since, If-None-Match,
//! If-Modified-Since) and byte ranges.

use strata_s3::WriteCondition;

use super::errors::{custom, with_elements};
use s3s::S3Result;
use s3s::dto::*;
use s3s::s3_error;
use strata_s3::ObjectMeta;

fn unix_seconds(t: &Timestamp) -> i64 {
    time::OffsetDateTime::from(t.clone()).unix_timestamp()
}

/// The conditional headers of a read (`If-*`) or of a copy's source
/// (`x-amz-copy-source-if-*`).
pub(super) struct Conditions<'a> {
    pub if_match: Option<&'a ETagCondition>,
    pub if_unmodified_since: Option<&'a Timestamp>,
    pub if_none_match: Option<&'a ETagCondition>,
    pub if_modified_since: Option<&'a Timestamp>,
}

macro_rules! read_conditions {
    ($($input:ty),*) => {$(
        impl<'a> From<&'a $input> for Conditions<'a> {
            fn from(input: &'a $input) -> Self {
                Conditions {
                    if_match: input.if_match.as_ref(),
                    if_unmodified_since: input.if_unmodified_since.as_ref(),
                    if_none_match: input.if_none_match.as_ref(),
                    if_modified_since: input.if_modified_since.as_ref(),
                }
            }
        }
    )*};
}

read_conditions!(GetObjectInput, HeadObjectInput);

impl Conditions<'_> {
    /// Checks them in S3's order: If-Match, If-Unmodified-Since, If-None-Match,
    /// If-Modified-Since; "not modified" is a 304.
    pub fn check(&self, meta: &ObjectMeta) -> S3Result<()> {
        let modified = meta.last_modified_micros.div_euclid(1_000_000);
        let matches =
            |c: &ETagCondition| c.is_any() || c.as_etag().is_some_and(|e| e.value() == meta.etag);
        if let Some(c) = self.if_match {
            if !matches(c) {
                return Err(precondition_failed());
            }
        } else if self
            .if_unmodified_since
            .is_some_and(|t| modified > unix_seconds(t))
        {
            return Err(precondition_failed());
        }
        if let Some(c) = self.if_none_match {
            if matches(c) {
                return Err(not_modified(meta));
            }
        } else if self
            .if_modified_since
            .is_some_and(|t| modified <= unix_seconds(t))
        {
            return Err(not_modified(meta));
        }
        Ok(())
    }

    /// [`Conditions::check`] for a copy's source: "not modified" fails the copy with 412
    /// `PreconditionFailed` (a copy has no 304).
    pub fn check_copy_source(&self, meta: &ObjectMeta) -> S3Result<()> {
        self.check(meta).map_err(|err| {
            if err.code() == &s3s::S3ErrorCode::NotModified {
                precondition_failed()
            } else {
                err
            }
        })
    }
}

/// A conditional write's headers (PutObject, CompleteMultipartUpload): `If-None-Match: *`
/// or `If-Match: <etag>`; S3 implements no other form.
pub fn write_condition(
    if_match: Option<&ETagCondition>,
    if_none_match: Option<&ETagCondition>,
) -> S3Result<Option<WriteCondition>> {
    let not_implemented = |condition: &str| {
        with_elements(
            s3_error!(
                NotImplemented,
                "A header you provided implies functionality that is not implemented"
            ),
            &[("Header", condition)],
        )
    };
    match (if_match, if_none_match) {
        (None, None) => Ok(None),
        (None, Some(c)) if c.is_any() => Ok(Some(WriteCondition::IfNoneMatch)),
        (None, Some(_)) => Err(not_implemented("If-None-Match")),
        (Some(c), None) => Ok(Some(WriteCondition::IfMatch(match c.as_etag() {
            Some(etag) => etag.value().to_owned(),
            None => "*".to_owned(),
        }))),
        (Some(_), Some(_)) => Err(not_implemented("If-Match")),
    }
}

fn precondition_failed() -> s3s::S3Error {
    s3_error!(
        PreconditionFailed,
        "At least one of the pre-conditions you specified did not hold"
    )
}

/// A 304, with the object's ETag and Last-Modified as S3 sends them.
fn not_modified(meta: &ObjectMeta) -> s3s::S3Error {
    let mut err = s3_error!(NotModified, "Not Modified");
    err.set_status_code(http::StatusCode::NOT_MODIFIED);
    let mut headers = http::HeaderMap::new();
    if let Ok(etag) = http::HeaderValue::from_str(&format!("\"{}\"", meta.etag)) {
        headers.insert(http::header::ETAG, etag);
    }
    if let Ok(modified) = http::HeaderValue::from_str(&super::http_date(meta.last_modified_micros))
    {
        headers.insert(http::header::LAST_MODIFIED, modified);
    }
    err.set_headers(headers);
    err
}

/// The bytes a read sends: its `Range`, or the part its `partNumber` names (multipart
/// objects by their parts, any other object as one part), as `(start, len, Content-Range)`.
pub(super) fn read_range(
    range: Option<&Range>,
    part_number: Option<i32>,
    meta: &ObjectMeta,
) -> S3Result<(u64, u64, Option<String>)> {
    let Some(number) = part_number else {
        return byte_range(range, meta.size);
    };
    if range.is_some() {
        return Err(s3_error!(
            InvalidRequest,
            "Cannot specify both Range header and partNumber query parameter"
        ));
    }
    let sizes: Vec<u64> = match meta.parts_count {
        Some(_) => meta.segments.iter().map(|s| s.size).collect(),
        None => vec![meta.size],
    };
    let index = usize::try_from(number)
        .ok()
        .filter(|n| (1..=sizes.len()).contains(n));
    let Some(index) = index else {
        let mut err = custom(
            "InvalidPartNumber",
            http::StatusCode::RANGE_NOT_SATISFIABLE,
            "The requested partnumber is not satisfiable",
        );
        err = with_elements(
            err,
            &[
                ("PartNumberRequested", &number.to_string()),
                ("ActualPartCount", &sizes.len().to_string()),
            ],
        );
        return Err(err);
    };
    let start: u64 = sizes[..index - 1].iter().sum();
    let len = sizes[index - 1];
    let end = (start + len).saturating_sub(1);
    Ok((
        start,
        len,
        Some(format!("bytes {start}-{end}/{}", meta.size)),
    ))
}

/// The byte range to send: `(start, len, Content-Range)`.
pub(super) fn byte_range(range: Option<&Range>, size: u64) -> S3Result<(u64, u64, Option<String>)> {
    let Some(range) = range else {
        return Ok((0, size, None));
    };
    let r = range
        .check(size)
        .map_err(|_| s3_error!(InvalidRange, "The requested range is not satisfiable"))?;
    let content_range = format!("bytes {}-{}/{size}", r.start, r.end.saturating_sub(1));
    Ok((r.start, r.end - r.start, Some(content_range)))
}
