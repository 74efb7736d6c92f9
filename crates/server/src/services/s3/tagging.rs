//! Object and bucket tagging.

use s3s::dto::*;
use s3s::{S3Request, S3Response, S3Result, s3_error};

use strata_app::App;
use strata_s3::tags::MAX_BUCKET_TAGS;

use super::context::Cx;
use super::errors::{from_engine, parse_version};

/// Most tags an object may carry; buckets may carry more.
const MAX_OBJECT_TAGS: usize = 10;

/// Checks a tag set against S3's limits and returns it as pairs.
fn tag_pairs(tagging: Tagging, max: usize, what: &str) -> S3Result<Vec<(String, String)>> {
    if tagging.tag_set.len() > max {
        return Err(s3_error!(
            InvalidTag,
            "{what} tags cannot be greater than {max}"
        ));
    }
    let mut pairs: Vec<(String, String)> = Vec::new();
    for tag in tagging.tag_set {
        let key = tag.key.unwrap_or_default();
        let value = tag.value.unwrap_or_default();
        if key.is_empty() || key.chars().count() > 128 {
            return Err(s3_error!(
                InvalidTag,
                "The TagKey you have provided is invalid"
            ));
        }
        if value.chars().count() > 256 {
            return Err(s3_error!(
                InvalidTag,
                "The TagValue you have provided is invalid"
            ));
        }
        if pairs.iter().any(|(k, _)| *k == key) {
            return Err(s3_error!(
                InvalidTag,
                "Cannot provide multiple Tags with the same key"
            ));
        }
        pairs.push((key, value));
    }
    Ok(pairs)
}

fn tag_set(pairs: &[(String, String)]) -> TagSet {
    pairs
        .iter()
        .map(|(k, v)| Tag {
            key: Some(k.clone()),
            value: Some(v.clone()),
        })
        .collect()
}

pub async fn get_object_tagging(
    app: &App,
    req: S3Request<GetObjectTaggingInput>,
) -> S3Result<S3Response<GetObjectTaggingOutput>> {
    let cx = Cx::of(app, &req)?;
    let input = &req.input;
    let object = cx.readable(
        &input.key,
        input.version_id.as_deref(),
        "s3:GetObjectTagging",
    )?;
    Ok(S3Response::new(GetObjectTaggingOutput {
        tag_set: tag_set(&object.meta.tags),
        version_id: object.meta.version_header(&cx.bucket),
    }))
}

pub async fn put_object_tagging(
    app: &App,
    req: S3Request<PutObjectTaggingInput>,
) -> S3Result<S3Response<PutObjectTaggingOutput>> {
    let cx = Cx::of(app, &req)?;
    let input = req.input;
    let version = input.version_id.as_deref();
    let tags = tag_pairs(input.tagging, MAX_OBJECT_TAGS, "Object")?;
    let conditions = strata_app::s3::access::request_tags(&tags);
    cx.readable_with(&input.key, version, "s3:PutObjectTagging", conditions)?;
    let meta = app
        .s3
        .update_object(
            &cx.bucket.name,
            &input.key,
            parse_version(version)?,
            move |meta| {
                meta.tags = tags;
                Ok(())
            },
        )
        .await
        .map_err(from_engine)?;
    Ok(S3Response::new(PutObjectTaggingOutput {
        version_id: meta.version_header(&cx.bucket),
    }))
}

pub async fn delete_object_tagging(
    app: &App,
    req: S3Request<DeleteObjectTaggingInput>,
) -> S3Result<S3Response<DeleteObjectTaggingOutput>> {
    let cx = Cx::of(app, &req)?;
    let input = &req.input;
    let version = input.version_id.as_deref();
    cx.readable(&input.key, version, "s3:DeleteObjectTagging")?;
    let meta = app
        .s3
        .update_object(
            &cx.bucket.name,
            &input.key,
            parse_version(version)?,
            |meta| {
                meta.tags.clear();
                Ok(())
            },
        )
        .await
        .map_err(from_engine)?;
    Ok(S3Response::with_status(
        DeleteObjectTaggingOutput {
            version_id: meta.version_header(&cx.bucket),
        },
        http::StatusCode::NO_CONTENT,
    ))
}

pub async fn get_bucket_tagging(
    app: &App,
    req: S3Request<GetBucketTaggingInput>,
) -> S3Result<S3Response<GetBucketTaggingOutput>> {
    let cx = Cx::authorized(app, &req, "s3:GetBucketTagging")?;
    if cx.bucket.tags.is_empty() {
        return Err(s3_error!(NoSuchTagSet, "The TagSet does not exist"));
    }
    Ok(S3Response::new(GetBucketTaggingOutput {
        tag_set: tag_set(&cx.bucket.tags),
    }))
}

pub async fn put_bucket_tagging(
    app: &App,
    req: S3Request<PutBucketTaggingInput>,
) -> S3Result<S3Response<PutBucketTaggingOutput>> {
    let cx = Cx::authorized(app, &req, "s3:PutBucketTagging")?;
    let input = req.input;
    // The bucket's system tags come back with the set and do not count toward the limit.
    let system = cx.bucket.tags.len() - strata_s3::tags::counted(&cx.bucket.tags);
    let tags = tag_pairs(input.tagging, MAX_BUCKET_TAGS + system, "Bucket")?;
    if let Some(refusal) = strata_s3::tags::refuse_bucket_tags(&cx.bucket.tags, &tags) {
        return Err(s3_error!(InvalidTag, "{refusal}"));
    }
    app.s3
        .update_bucket(&cx.bucket.name, move |b| {
            b.tags = tags;
            Ok(())
        })
        .await
        .map_err(from_engine)?;
    Ok(S3Response::with_status(
        PutBucketTaggingOutput {},
        http::StatusCode::NO_CONTENT,
    ))
}

pub async fn delete_bucket_tagging(
    app: &App,
    req: S3Request<DeleteBucketTaggingInput>,
) -> S3Result<S3Response<DeleteBucketTaggingOutput>> {
    let cx = Cx::of(app, &req)?;
    // S3 authorizes DeleteBucketTagging as s3:PutBucketTagging.
    cx.authorize("s3:PutBucketTagging", None)?;
    app.s3
        .update_bucket(&cx.bucket.name, |b| {
            // A requester cannot remove system tags (UNCONFIRMED for this call).
            b.tags.retain(|(k, _)| strata_s3::is_system_tag(k));
            Ok(())
        })
        .await
        .map_err(from_engine)?;
    Ok(S3Response::with_status(
        DeleteBucketTaggingOutput {},
        http::StatusCode::NO_CONTENT,
    ))
}
