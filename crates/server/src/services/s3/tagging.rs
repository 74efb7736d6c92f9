//! Object and bucket tagging.

use s3s::dto::*;
use s3s::{S3Request, S3Response, S3Result, s3_error};

use super::access::authorize;
use super::buckets::{authorized_bucket, bucket};
use super::errors::from_engine;
use super::objects::readable;
use super::requester;
use crate::state::ServerState;

/// Most tags an object may carry; buckets may carry more.
const MAX_OBJECT_TAGS: usize = 10;
const MAX_BUCKET_TAGS: usize = 50;

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
    state: &ServerState,
    req: S3Request<GetObjectTaggingInput>,
) -> S3Result<S3Response<GetObjectTaggingOutput>> {
    let requester = requester(&req)?;
    let input = &req.input;
    let bucket = bucket(state, &input.bucket)?;
    let object = readable(
        state,
        requester,
        &bucket,
        &input.key,
        "s3:GetObjectTagging",
        input.expected_bucket_owner.as_deref(),
    )?;
    Ok(S3Response::new(GetObjectTaggingOutput {
        tag_set: tag_set(&object.meta.tags),
        version_id: None,
    }))
}

pub async fn put_object_tagging(
    state: &ServerState,
    req: S3Request<PutObjectTaggingInput>,
) -> S3Result<S3Response<PutObjectTaggingOutput>> {
    let requester = requester(&req)?.clone();
    let input = req.input;
    let bucket = bucket(state, &input.bucket)?;
    readable(
        state,
        &requester,
        &bucket,
        &input.key,
        "s3:PutObjectTagging",
        input.expected_bucket_owner.as_deref(),
    )?;
    let tags = tag_pairs(input.tagging, MAX_OBJECT_TAGS, "Object")?;
    state
        .s3
        .update_object(&bucket.name, &input.key, move |meta| {
            meta.tags = tags;
            Ok(())
        })
        .await
        .map_err(from_engine)?;
    Ok(S3Response::new(PutObjectTaggingOutput::default()))
}

pub async fn delete_object_tagging(
    state: &ServerState,
    req: S3Request<DeleteObjectTaggingInput>,
) -> S3Result<S3Response<DeleteObjectTaggingOutput>> {
    let requester = requester(&req)?;
    let input = &req.input;
    let bucket = bucket(state, &input.bucket)?;
    readable(
        state,
        requester,
        &bucket,
        &input.key,
        "s3:DeleteObjectTagging",
        input.expected_bucket_owner.as_deref(),
    )?;
    state
        .s3
        .update_object(&bucket.name, &input.key, |meta| {
            meta.tags.clear();
            Ok(())
        })
        .await
        .map_err(from_engine)?;
    Ok(S3Response::with_status(
        DeleteObjectTaggingOutput::default(),
        http::StatusCode::NO_CONTENT,
    ))
}

pub async fn get_bucket_tagging(
    state: &ServerState,
    req: S3Request<GetBucketTaggingInput>,
) -> S3Result<S3Response<GetBucketTaggingOutput>> {
    let requester = requester(&req)?;
    let bucket = authorized_bucket(
        state,
        requester,
        "s3:GetBucketTagging",
        &req.input.bucket,
        req.input.expected_bucket_owner.as_deref(),
    )?;
    if bucket.tags.is_empty() {
        return Err(s3_error!(NoSuchTagSet, "The TagSet does not exist"));
    }
    Ok(S3Response::new(GetBucketTaggingOutput {
        tag_set: tag_set(&bucket.tags),
    }))
}

pub async fn put_bucket_tagging(
    state: &ServerState,
    req: S3Request<PutBucketTaggingInput>,
) -> S3Result<S3Response<PutBucketTaggingOutput>> {
    let requester = requester(&req)?.clone();
    let input = req.input;
    let bucket = authorized_bucket(
        state,
        &requester,
        "s3:PutBucketTagging",
        &input.bucket,
        input.expected_bucket_owner.as_deref(),
    )?;
    let tags = tag_pairs(input.tagging, MAX_BUCKET_TAGS, "Bucket")?;
    state
        .s3
        .update_bucket(&bucket.name, move |b| {
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
    state: &ServerState,
    req: S3Request<DeleteBucketTaggingInput>,
) -> S3Result<S3Response<DeleteBucketTaggingOutput>> {
    let requester = requester(&req)?;
    let bucket = bucket(state, &req.input.bucket)?;
    // S3 authorizes DeleteBucketTagging as s3:PutBucketTagging.
    authorize(
        state,
        requester,
        "s3:PutBucketTagging",
        &bucket,
        None,
        req.input.expected_bucket_owner.as_deref(),
    )?;
    state
        .s3
        .update_bucket(&bucket.name, |b| {
            b.tags.clear();
            Ok(())
        })
        .await
        .map_err(from_engine)?;
    Ok(S3Response::with_status(
        DeleteBucketTaggingOutput {},
        http::StatusCode::NO_CONTENT,
    ))
}
