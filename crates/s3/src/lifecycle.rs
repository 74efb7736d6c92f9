//! Lifecycle configurations: the rules as stored, their validation in S3's words, which
//! objects a rule applies to and when its actions fall due. Pure; the engine's pass that
//! carries the actions out is [`crate::expiry`].
//!
//! Due dates follow S3: an action `days` after a time falls due at the first midnight UTC
//! after that time plus `days` ("rounding the resulting time to the next day's midnight").

use serde::{Deserialize, Serialize};

const DAY_MICROS: i64 = 86_400_000_000;

/// Most rules one configuration holds.
pub const MAX_RULES: usize = 1000;

/// One lifecycle rule.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct LifecycleRule {
    pub id: String,
    pub enabled: bool,
    /// The rule-level `Prefix` of the old schema, when given instead of `Filter`.
    pub prefix: Option<String>,
    pub filter: Option<Filter>,
    pub expiration: Option<Expiration>,
    pub noncurrent_expiration: Option<NoncurrentExpiration>,
    /// AbortIncompleteMultipartUpload's `DaysAfterInitiation`.
    pub abort_incomplete_days: Option<i32>,
}

/// A rule's `Filter`, in the form it was given.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub enum Filter {
    /// `<Filter/>`: every object.
    Everything,
    Prefix(String),
    Tag(String, String),
    SizeGreaterThan(i64),
    SizeLessThan(i64),
    And {
        prefix: Option<String>,
        tags: Vec<(String, String)>,
        size_greater_than: Option<i64>,
        size_less_than: Option<i64>,
    },
}

/// A rule's `Expiration` action.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub enum Expiration {
    Days(i32),
    /// At this midnight UTC (µs since the epoch).
    Date(i64),
    /// Remove a delete marker left with no versions behind it.
    ExpiredObjectDeleteMarker,
}

/// A rule's `NoncurrentVersionExpiration` action.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct NoncurrentExpiration {
    pub days: i32,
    /// Keep this many newest noncurrent versions whatever their age.
    pub newer_noncurrent_versions: Option<i32>,
}

/// Why PutBucketLifecycleConfiguration refuses a configuration, in S3's words.
#[derive(Debug, PartialEq, Eq)]
pub enum LifecycleError {
    /// `MalformedXML`.
    Malformed,
    /// `InvalidArgument` with this message.
    InvalidArgument(&'static str),
    /// `InvalidRequest` with this message.
    InvalidRequest(&'static str),
}

/// Checks a configuration as PutBucketLifecycleConfiguration does.
pub fn validate(rules: &[LifecycleRule]) -> Result<(), LifecycleError> {
    use LifecycleError::*;
    if rules.is_empty() || rules.len() > MAX_RULES {
        return Err(Malformed);
    }
    for (i, rule) in rules.iter().enumerate() {
        if rule.id.len() > 255 {
            return Err(InvalidArgument(
                "ID length should not exceed allowed limit of 255",
            ));
        }
        if rules[..i].iter().any(|r| r.id == rule.id) {
            return Err(InvalidArgument(
                "Rule ID must be unique. Found same ID for more than one rule",
            ));
        }
        if rule.prefix.is_some() == rule.filter.is_some() {
            return Err(Malformed);
        }
        if let Some(Filter::And { tags, .. }) = &rule.filter
            && tags
                .iter()
                .enumerate()
                .any(|(i, (k, _))| tags[..i].iter().any(|(o, _)| o == k))
        {
            return Err(InvalidRequest("Duplicate Tag Keys are not allowed."));
        }
        if rule.expiration.is_none()
            && rule.noncurrent_expiration.is_none()
            && rule.abort_incomplete_days.is_none()
        {
            return Err(InvalidRequest(
                "At least one action needs to be specified in a rule",
            ));
        }
        match rule.expiration {
            Some(Expiration::Days(days)) if days <= 0 => {
                return Err(InvalidArgument(
                    "'Days' for Expiration action must be a positive integer",
                ));
            }
            Some(Expiration::Date(at)) if at.rem_euclid(DAY_MICROS) != 0 => {
                return Err(InvalidArgument("'Date' must be at midnight GMT"));
            }
            _ => {}
        }
        if let Some(noncurrent) = rule.noncurrent_expiration {
            if noncurrent.days <= 0 {
                return Err(InvalidArgument(
                    "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer",
                ));
            }
            if noncurrent
                .newer_noncurrent_versions
                .is_some_and(|n| !(1..=100).contains(&n))
            {
                return Err(InvalidArgument(
                    "'NewerNoncurrentVersions' for NoncurrentVersionExpiration action must be a positive integer",
                ));
            }
        }
        if rule.abort_incomplete_days.is_some_and(|d| d <= 0) {
            return Err(InvalidArgument(
                "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer",
            ));
        }
        let matcher = rule.matcher();
        let tagged = matcher.tag.is_some() || matcher.tags.is_some_and(|t| !t.is_empty());
        if tagged && rule.abort_incomplete_days.is_some() {
            return Err(InvalidRequest(
                "AbortIncompleteMultipartUpload cannot be specified with Tags.",
            ));
        }
        if tagged && rule.expiration == Some(Expiration::ExpiredObjectDeleteMarker) {
            return Err(InvalidRequest(
                "ExpiredObjectDeleteMarker cannot be specified with Tags.",
            ));
        }
    }
    Ok(())
}

/// What a rule's filter asks of an object, whatever form it was given in.
#[derive(Clone, Copy, Default)]
struct Matcher<'a> {
    prefix: &'a str,
    tags: Option<&'a [(String, String)]>,
    tag: Option<(&'a str, &'a str)>,
    size_greater_than: Option<i64>,
    size_less_than: Option<i64>,
}

impl LifecycleRule {
    fn matcher(&self) -> Matcher<'_> {
        let mut m = Matcher {
            prefix: self.prefix.as_deref().unwrap_or_default(),
            ..Default::default()
        };
        match &self.filter {
            None | Some(Filter::Everything) => {}
            Some(Filter::Prefix(p)) => m.prefix = p,
            Some(Filter::Tag(k, v)) => m.tag = Some((k, v)),
            Some(Filter::SizeGreaterThan(n)) => m.size_greater_than = Some(*n),
            Some(Filter::SizeLessThan(n)) => m.size_less_than = Some(*n),
            Some(Filter::And {
                prefix,
                tags,
                size_greater_than,
                size_less_than,
            }) => {
                m.prefix = prefix.as_deref().unwrap_or_default();
                m.tags = Some(tags);
                m.size_greater_than = *size_greater_than;
                m.size_less_than = *size_less_than;
            }
        }
        m
    }

    /// Whether this enabled rule applies to an object `key` with `tags` and `size` (for a
    /// delete marker or an upload, which have neither, only the prefix counts, and a rule
    /// asking for tags or sizes never applies).
    pub fn applies(&self, key: &str, object: Option<(&[(String, String)], u64)>) -> bool {
        let m = self.matcher();
        if !self.enabled || !key.starts_with(m.prefix) {
            return false;
        }
        let asks_more = m.tag.is_some()
            || m.tags.is_some_and(|t| !t.is_empty())
            || m.size_greater_than.is_some()
            || m.size_less_than.is_some();
        let Some((tags, size)) = object else {
            return !asks_more;
        };
        let has = |k: &str, v: &str| tags.iter().any(|(tk, tv)| tk == k && tv == v);
        m.tag.is_none_or(|(k, v)| has(k, v))
            && m.tags.is_none_or(|all| all.iter().all(|(k, v)| has(k, v)))
            && m.size_greater_than.is_none_or(|n| size as i64 > n)
            && m.size_less_than.is_none_or(|n| (size as i64) < n)
    }

    /// When this rule's Expiration expires a current version written at `created` (µs).
    pub fn expires_at(&self, created: i64) -> Option<i64> {
        match self.expiration? {
            Expiration::Days(days) => Some(due(created, days)),
            Expiration::Date(at) => Some(at),
            Expiration::ExpiredObjectDeleteMarker => None,
        }
    }
}

/// A fresh id for a rule given without one (a UUID; S3 shows such ids base64-encoded).
pub fn unnamed_rule_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// When an upload of `key` started at `initiated` is aborted, and by which rule: the first
/// enabled rule with AbortIncompleteMultipartUpload whose prefix matches.
pub fn abort<'a>(rules: &'a [LifecycleRule], key: &str, initiated: i64) -> Option<(i64, &'a str)> {
    rules.iter().find_map(|r| {
        let days = r.abort_incomplete_days?;
        r.applies(key, None)
            .then(|| (due(initiated, days), r.id.as_str()))
    })
}

/// The first midnight UTC after `from` plus `days` (µs).
pub fn due(from: i64, days: i32) -> i64 {
    let at = from.saturating_add(i64::from(days).saturating_mul(DAY_MICROS));
    (at.div_euclid(DAY_MICROS) + 1).saturating_mul(DAY_MICROS)
}

/// The `x-amz-expiration` of a current object: the earliest expiry any enabled rule gives
/// it, and that rule's id.
pub fn expiration<'a>(
    rules: &'a [LifecycleRule],
    key: &str,
    tags: &[(String, String)],
    size: u64,
    created: i64,
) -> Option<(i64, &'a str)> {
    rules
        .iter()
        .filter(|r| r.applies(key, Some((tags, size))))
        .filter_map(|r| Some((r.expires_at(created)?, r.id.as_str())))
        .min_by_key(|(at, _)| *at)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(filter: Option<Filter>, expiration: Expiration) -> LifecycleRule {
        LifecycleRule {
            id: "r".into(),
            enabled: true,
            filter: filter.or(Some(Filter::Everything)),
            expiration: Some(expiration),
            ..Default::default()
        }
    }

    #[test]
    fn due_dates_round_up_to_the_next_midnight() {
        // S3's example: created 2014-01-15 10:30 UTC, 3 days → 2014-01-19 00:00 UTC.
        let created = 1_389_781_800_000_000;
        assert_eq!(due(created, 3), 1_390_089_600_000_000);
    }

    #[test]
    fn filters_match_prefix_tags_and_sizes() {
        let tags = vec![
            ("a".to_owned(), "1".to_owned()),
            ("b".to_owned(), "2".to_owned()),
        ];
        let by_prefix = rule(Some(Filter::Prefix("logs/".into())), Expiration::Days(1));
        assert!(by_prefix.applies("logs/x", Some((&tags, 5))));
        assert!(!by_prefix.applies("data/x", Some((&tags, 5))));
        assert!(by_prefix.applies("logs/x", None));
        let by_tag = rule(
            Some(Filter::Tag("a".into(), "1".into())),
            Expiration::Days(1),
        );
        assert!(by_tag.applies("k", Some((&tags, 5))));
        assert!(!by_tag.applies("k", Some((&[], 5))));
        assert!(!by_tag.applies("k", None));
        let and = rule(
            Some(Filter::And {
                prefix: Some("k".into()),
                tags: tags.clone(),
                size_greater_than: Some(4),
                size_less_than: Some(10),
            }),
            Expiration::Days(1),
        );
        assert!(and.applies("k1", Some((&tags, 5))));
        assert!(!and.applies("k1", Some((&tags, 10))));
        assert!(!and.applies("k1", Some((&tags[..1], 5))));
    }

    #[test]
    fn a_single_tag_filter_counts_as_tags() {
        // S3 refuses these actions with any tag filter, `<Tag>` alone as well as `<And>`.
        let tag = Some(Filter::Tag("a".into(), "1".into()));
        let mut abort = rule(tag.clone(), Expiration::Days(1));
        abort.abort_incomplete_days = Some(1);
        assert_eq!(
            validate(&[abort]),
            Err(LifecycleError::InvalidRequest(
                "AbortIncompleteMultipartUpload cannot be specified with Tags."
            ))
        );
        assert_eq!(
            validate(&[rule(tag, Expiration::ExpiredObjectDeleteMarker)]),
            Err(LifecycleError::InvalidRequest(
                "ExpiredObjectDeleteMarker cannot be specified with Tags."
            ))
        );
    }

    #[test]
    fn validation_follows_s3() {
        let ok = rule(None, Expiration::Days(1));
        assert_eq!(validate(std::slice::from_ref(&ok)), Ok(()));
        assert_eq!(validate(&[]), Err(LifecycleError::Malformed));
        assert!(matches!(
            validate(&[ok.clone(), ok.clone()]),
            Err(LifecycleError::InvalidArgument(m)) if m.starts_with("Rule ID must be unique")
        ));
        assert!(matches!(
            validate(&[rule(None, Expiration::Days(0))]),
            Err(LifecycleError::InvalidArgument(_))
        ));
        assert!(matches!(
            validate(&[rule(None, Expiration::Date(DAY_MICROS + 1))]),
            Err(LifecycleError::InvalidArgument(
                "'Date' must be at midnight GMT"
            ))
        ));
    }
}
