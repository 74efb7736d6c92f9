//! Bucket lifecycle configurations: Put/Get/DeleteBucketLifecycleConfiguration, between s3s's
//! types and the engine's rules ([`strata_s3::lifecycle`]), and the `x-amz-expiration` an object
//! a rule will expire answers with. The engine's lifecycle pass carries the rules out.

use base64::Engine as _;
use s3s::dto::*;
use s3s::{S3Request, S3Response, S3Result, s3_error};
use strata_app::App;
use strata_s3::lifecycle::{
    self, Expiration, Filter, LifecycleError, LifecycleRule, NoncurrentExpiration,
};
use strata_s3::{Bucket, ObjectMeta};

use super::context::Cx;
use super::errors::{custom, from_engine, with_elements};
use super::{http_date, timestamp};

pub async fn get_bucket_lifecycle_configuration(
    app: &App,
    req: S3Request<GetBucketLifecycleConfigurationInput>,
) -> S3Result<S3Response<GetBucketLifecycleConfigurationOutput>> {
    let cx = Cx::authorized(app, &req, "s3:GetLifecycleConfiguration")?;
    if cx.bucket.lifecycle.is_empty() {
        return Err(custom(
            "NoSuchLifecycleConfiguration",
            http::StatusCode::NOT_FOUND,
            "The lifecycle configuration does not exist",
        ));
    }
    Ok(S3Response::new(GetBucketLifecycleConfigurationOutput {
        rules: Some(cx.bucket.lifecycle.iter().map(to_wire).collect()),
        transition_default_minimum_object_size: Some(
            TransitionDefaultMinimumObjectSize::from_static(
                TransitionDefaultMinimumObjectSize::ALL_STORAGE_CLASSES_128K,
            ),
        ),
    }))
}

pub async fn put_bucket_lifecycle_configuration(
    app: &App,
    req: S3Request<PutBucketLifecycleConfigurationInput>,
) -> S3Result<S3Response<PutBucketLifecycleConfigurationOutput>> {
    let cx = Cx::authorized(app, &req, "s3:PutLifecycleConfiguration")?;
    let malformed = || {
        s3_error!(
            MalformedXML,
            "The XML you provided was not well-formed or did not validate against our published schema"
        )
    };
    let configuration = req.input.lifecycle_configuration.ok_or_else(malformed)?;
    let rules = configuration
        .rules
        .into_iter()
        .map(from_wire)
        .collect::<S3Result<Vec<_>>>()?;
    lifecycle::validate(&rules).map_err(|err| match err {
        LifecycleError::Malformed => malformed(),
        LifecycleError::InvalidArgument(message) => {
            let err = s3s::S3Error::with_message(s3s::S3ErrorCode::InvalidArgument, message);
            match message.contains("'Date'") {
                true => with_elements(err, &[("ArgumentName", "Date")]),
                false => err,
            }
        }
        LifecycleError::InvalidRequest(message) => {
            s3s::S3Error::with_message(s3s::S3ErrorCode::InvalidRequest, message)
        }
    })?;
    app.s3
        .update_bucket(&cx.bucket.name, move |b| {
            b.lifecycle = rules;
            Ok(())
        })
        .await
        .map_err(from_engine)?;
    Ok(S3Response::new(PutBucketLifecycleConfigurationOutput {
        transition_default_minimum_object_size: Some(
            TransitionDefaultMinimumObjectSize::from_static(
                TransitionDefaultMinimumObjectSize::ALL_STORAGE_CLASSES_128K,
            ),
        ),
    }))
}

/// Authorized as `s3:PutLifecycleConfiguration` (there is no delete action).
pub async fn delete_bucket_lifecycle(
    app: &App,
    req: S3Request<DeleteBucketLifecycleInput>,
) -> S3Result<S3Response<DeleteBucketLifecycleOutput>> {
    let cx = Cx::authorized(app, &req, "s3:PutLifecycleConfiguration")?;
    app.s3
        .update_bucket(&cx.bucket.name, |b| {
            b.lifecycle.clear();
            Ok(())
        })
        .await
        .map_err(from_engine)?;
    Ok(S3Response::with_status(
        DeleteBucketLifecycleOutput::default(),
        http::StatusCode::NO_CONTENT,
    ))
}

/// `x-amz-expiration` for the current version `meta` of `bucket`, when a rule will expire it.
pub fn expiration_header(bucket: &Bucket, meta: &ObjectMeta) -> Option<String> {
    let (at, rule) = lifecycle::expiration(
        &bucket.lifecycle,
        &meta.key,
        &meta.tags,
        meta.size,
        meta.last_modified_micros,
    )?;
    Some(format!(
        "expiry-date=\"{}\", rule-id=\"{rule}\"",
        http_date(at)
    ))
}

fn from_wire(rule: s3s::dto::LifecycleRule) -> S3Result<LifecycleRule> {
    let malformed = || {
        s3_error!(
            MalformedXML,
            "The XML you provided was not well-formed or did not validate against our published schema"
        )
    };
    for transition in rule.transitions.iter().flatten() {
        if let Some(date) = &transition.date
            && micros(date.clone()).rem_euclid(86_400_000_000) != 0
        {
            return Err(with_elements(
                s3s::S3Error::with_message(
                    s3s::S3ErrorCode::InvalidArgument,
                    "'Date' must be at midnight GMT",
                ),
                &[("ArgumentName", "Date")],
            ));
        }
    }
    if rule.transitions.as_ref().is_some_and(|t| !t.is_empty())
        || rule
            .noncurrent_version_transitions
            .as_ref()
            .is_some_and(|t| !t.is_empty())
    {
        return Err(s3_error!(
            NotImplemented,
            "Lifecycle transitions to other storage classes are not supported"
        ));
    }
    let enabled = match rule.status.as_str() {
        "Enabled" => true,
        "Disabled" => false,
        _ => return Err(malformed()),
    };
    let expiration = match rule.expiration {
        None => None,
        Some(e) => Some(match (e.days, e.date, e.expired_object_delete_marker) {
            (Some(days), None, None) => Expiration::Days(days),
            (None, Some(date), None) => Expiration::Date(micros(date)),
            (None, None, Some(true)) => Expiration::ExpiredObjectDeleteMarker,
            _ => return Err(malformed()),
        }),
    };
    if rule.filter.is_none() && rule.prefix.is_none() {
        return Err(malformed());
    }
    let filter = match rule.filter {
        None => None,
        Some(f) => Some(filter_from_wire(f).ok_or_else(malformed)?),
    };
    let noncurrent_expiration = match rule.noncurrent_version_expiration {
        None => None,
        Some(n) => Some(NoncurrentExpiration {
            days: n.noncurrent_days.ok_or_else(malformed)?,
            newer_noncurrent_versions: n.newer_noncurrent_versions,
        }),
    };
    let abort_incomplete_days = match rule.abort_incomplete_multipart_upload {
        None => None,
        Some(a) => Some(a.days_after_initiation.ok_or_else(malformed)?),
    };
    Ok(LifecycleRule {
        // S3 names a rule given without an ID.
        id: rule.id.unwrap_or_else(|| {
            base64::engine::general_purpose::STANDARD.encode(lifecycle::unnamed_rule_id())
        }),
        enabled,
        prefix: rule.prefix,
        filter,
        expiration,
        noncurrent_expiration,
        abort_incomplete_days,
    })
}

/// A filter of exactly one form (an empty `<Filter/>` is the empty prefix).
fn filter_from_wire(f: LifecycleRuleFilter) -> Option<Filter> {
    let tag = |t: Tag| Some((t.key?, t.value?));
    Some(
        match (
            f.prefix,
            f.tag,
            f.object_size_greater_than,
            f.object_size_less_than,
            f.and,
        ) {
            (None, None, None, None, None) => Filter::Everything,
            (Some(p), None, None, None, None) => Filter::Prefix(p),
            (None, Some(t), None, None, None) => {
                let (k, v) = tag(t)?;
                Filter::Tag(k, v)
            }
            (None, None, Some(n), None, None) => Filter::SizeGreaterThan(n),
            (None, None, None, Some(n), None) => Filter::SizeLessThan(n),
            (None, None, None, None, Some(and)) => Filter::And {
                prefix: and.prefix,
                tags: and
                    .tags
                    .unwrap_or_default()
                    .into_iter()
                    .map(tag)
                    .collect::<Option<_>>()?,
                size_greater_than: and.object_size_greater_than,
                size_less_than: and.object_size_less_than,
            },
            _ => return None,
        },
    )
}

fn to_wire(rule: &LifecycleRule) -> s3s::dto::LifecycleRule {
    let tag = |(k, v): &(String, String)| Tag {
        key: Some(k.clone()),
        value: Some(v.clone()),
    };
    s3s::dto::LifecycleRule {
        id: Some(rule.id.clone()),
        status: ExpirationStatus::from_static(if rule.enabled {
            ExpirationStatus::ENABLED
        } else {
            ExpirationStatus::DISABLED
        }),
        prefix: rule.prefix.clone(),
        filter: rule.filter.as_ref().map(|f| match f {
            Filter::Everything => LifecycleRuleFilter::default(),
            Filter::Prefix(p) => LifecycleRuleFilter {
                prefix: Some(p.clone()),
                ..Default::default()
            },
            Filter::Tag(k, v) => LifecycleRuleFilter {
                tag: Some(tag(&(k.clone(), v.clone()))),
                ..Default::default()
            },
            Filter::SizeGreaterThan(n) => LifecycleRuleFilter {
                object_size_greater_than: Some(*n),
                ..Default::default()
            },
            Filter::SizeLessThan(n) => LifecycleRuleFilter {
                object_size_less_than: Some(*n),
                ..Default::default()
            },
            Filter::And {
                prefix,
                tags,
                size_greater_than,
                size_less_than,
            } => LifecycleRuleFilter {
                and: Some(LifecycleRuleAndOperator {
                    prefix: prefix.clone(),
                    tags: (!tags.is_empty()).then(|| tags.iter().map(tag).collect()),
                    object_size_greater_than: *size_greater_than,
                    object_size_less_than: *size_less_than,
                }),
                ..Default::default()
            },
        }),
        expiration: rule.expiration.map(|e| match e {
            Expiration::Days(days) => LifecycleExpiration {
                days: Some(days),
                ..Default::default()
            },
            Expiration::Date(at) => LifecycleExpiration {
                date: Some(timestamp(at)),
                ..Default::default()
            },
            Expiration::ExpiredObjectDeleteMarker => LifecycleExpiration {
                expired_object_delete_marker: Some(true),
                ..Default::default()
            },
        }),
        noncurrent_version_expiration: rule.noncurrent_expiration.map(|n| {
            NoncurrentVersionExpiration {
                noncurrent_days: Some(n.days),
                newer_noncurrent_versions: n.newer_noncurrent_versions,
            }
        }),
        abort_incomplete_multipart_upload: rule.abort_incomplete_days.map(|days| {
            AbortIncompleteMultipartUpload {
                days_after_initiation: Some(days),
            }
        }),
        transitions: None,
        noncurrent_version_transitions: None,
    }
}

fn micros(at: Timestamp) -> i64 {
    let at: time::OffsetDateTime = at.into();
    (at.unix_timestamp_nanos() / 1000) as i64
}
