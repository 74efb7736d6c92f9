//! The conditional headers of reads (If-Match, If-Unmodified-Since, If-None-Match,
//! If-Modified-Since) and byte ranges.

use s3s::S3Result;
use s3s::dto::*;
use s3s::s3_error;
use strata_s3::ObjectMeta;

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
