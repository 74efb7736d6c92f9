//! An `AWS::S3::Bucket`'s `LifecycleConfiguration` and `CorsConfiguration`, from the
//! template's shape to S3's rules, checked as PutBucketLifecycleConfiguration and
//! PutBucketCors check them. A lifecycle rule's filter is what its properties name: one
//! condition alone, several under `And`, none an empty prefix (how CloudFormation's handler
//! builds it is UNCONFIRMED; GetBucketLifecycleConfiguration shows the result).

use serde_json::Value;
use strata_s3::cors::{self, CorsError, CorsRule};
use strata_s3::lifecycle::{
    self, Expiration, Filter, LifecycleError, LifecycleRule, NoncurrentExpiration,
};

use super::{
    Provision, handler_error, invalid, key_values, optional_bool, optional_str, required_str,
};

/// S3's refusal of a configuration, as the handler reports it.
fn refused(message: &str) -> String {
    handler_error(message, "S3", 400, "InvalidRequest")
}

/// An integer property: a number, or its text (templates write both).
fn integer(p: &Provision<'_>, object: &Value, key: &str) -> Result<Option<i64>, String> {
    match object.get(key) {
        None => Ok(None),
        Some(Value::Number(n)) if n.is_i64() => Ok(n.as_i64()),
        Some(Value::String(s)) if s.parse::<i64>().is_ok() => Ok(s.parse().ok()),
        Some(_) => Err(invalid(
            p,
            &format!("#/{key}: expected type: Integer, found: String"),
        )),
    }
}

fn day_count(p: &Provision<'_>, object: &Value, key: &str) -> Result<Option<i32>, String> {
    integer(p, object, key)?
        .map(|n| i32::try_from(n).map_err(|_| invalid(p, &format!("#/{key}: out of range"))))
        .transpose()
}

fn strings(p: &Provision<'_>, object: &Value, key: &str) -> Result<Vec<String>, String> {
    match object.get(key) {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| invalid(p, &format!("#/{key}: expected type: String")))
            })
            .collect(),
        Some(_) => Err(invalid(
            p,
            &format!("#/{key}: expected type: JSONArray, found: JSONObject"),
        )),
    }
}

/// `ExpirationDate` (ISO 8601, a date or a time) in µs since the epoch.
fn date_micros(p: &Provision<'_>, text: &str) -> Result<i64, String> {
    if let Ok(at) = text.parse::<jiff::Timestamp>() {
        return Ok(at.as_microsecond());
    }
    format!("{text}T00:00:00Z")
        .parse::<jiff::Timestamp>()
        .ok()
        .map(jiff::Timestamp::as_microsecond)
        .ok_or_else(|| invalid(p, "#/ExpirationDate: string is not a valid date-time"))
}

/// The rules of `LifecycleConfiguration`, `None` when the template has none. A rule without
/// an `Id` has an empty one here; S3 names it when the rules are put.
pub fn lifecycle_rules(
    p: &Provision<'_>,
    properties: &Value,
) -> Result<Option<Vec<LifecycleRule>>, String> {
    let Some(configuration) = properties.get("LifecycleConfiguration") else {
        return Ok(None);
    };
    let Some(rules) = configuration.get("Rules").and_then(Value::as_array) else {
        return Err(invalid(
            p,
            "#/LifecycleConfiguration: required key [Rules] not found",
        ));
    };
    let rules = rules
        .iter()
        .map(|rule| lifecycle_rule(p, rule))
        .collect::<Result<Vec<_>, String>>()?;
    lifecycle::validate(&rules).map_err(|e| {
        refused(match e {
            LifecycleError::Malformed => {
                "The XML you provided was not well-formed or did not validate against our published schema"
            }
            LifecycleError::InvalidArgument(m) | LifecycleError::InvalidRequest(m) => m,
        })
    })?;
    Ok(Some(rules))
}

fn lifecycle_rule(p: &Provision<'_>, rule: &Value) -> Result<LifecycleRule, String> {
    let transitions = [
        "Transitions",
        "Transition",
        "NoncurrentVersionTransitions",
        "NoncurrentVersionTransition",
    ];
    if transitions.iter().any(|k| rule.get(k).is_some()) {
        return Err(handler_error(
            "Lifecycle transitions to other storage classes are not supported",
            "S3",
            501,
            "NotImplemented",
        ));
    }
    let enabled = match required_str(p, rule, "Status")? {
        "Enabled" => true,
        "Disabled" => false,
        _ => {
            return Err(invalid(
                p,
                "#/LifecycleConfiguration/Rules/Status: Enabled or Disabled",
            ));
        }
    };
    let expiration = match (
        day_count(p, rule, "ExpirationInDays")?,
        optional_str(p, rule, "ExpirationDate")?,
        optional_bool(p, rule, "ExpiredObjectDeleteMarker")?,
    ) {
        (None, None, None | Some(false)) => None,
        (Some(days), None, None | Some(false)) => Some(Expiration::Days(days)),
        (None, Some(date), None | Some(false)) => Some(Expiration::Date(date_micros(p, date)?)),
        (None, None, Some(true)) => Some(Expiration::ExpiredObjectDeleteMarker),
        _ => {
            return Err(refused(
                "ExpiredObjectDeleteMarker cannot be specified with Days or Date in a Lifecycle Expiration Policy.",
            ));
        }
    };
    let noncurrent = rule.get("NoncurrentVersionExpiration");
    let noncurrent_expiration = match (
        noncurrent,
        day_count(p, rule, "NoncurrentVersionExpirationInDays")?,
    ) {
        (Some(n), _) => Some(NoncurrentExpiration {
            days: day_count(p, n, "NoncurrentDays")?.ok_or_else(|| {
                invalid(
                    p,
                    "#/NoncurrentVersionExpiration: required key [NoncurrentDays] not found",
                )
            })?,
            newer_noncurrent_versions: day_count(p, n, "NewerNoncurrentVersions")?,
        }),
        (None, Some(days)) => Some(NoncurrentExpiration {
            days,
            newer_noncurrent_versions: None,
        }),
        (None, None) => None,
    };
    let abort_incomplete_days = match rule.get("AbortIncompleteMultipartUpload") {
        None => None,
        Some(a) => Some(day_count(p, a, "DaysAfterInitiation")?.ok_or_else(|| {
            invalid(
                p,
                "#/AbortIncompleteMultipartUpload: required key [DaysAfterInitiation] not found",
            )
        })?),
    };
    Ok(LifecycleRule {
        id: optional_str(p, rule, "Id")?.unwrap_or_default().to_owned(),
        enabled,
        prefix: None,
        filter: Some(filter(p, rule)?),
        expiration,
        noncurrent_expiration,
        abort_incomplete_days,
    })
}

fn filter(p: &Provision<'_>, rule: &Value) -> Result<Filter, String> {
    let prefix = optional_str(p, rule, "Prefix")?.map(str::to_owned);
    let tags = key_values(p, rule, "TagFilters")?.unwrap_or_default();
    let greater = integer(p, rule, "ObjectSizeGreaterThan")?;
    let less = integer(p, rule, "ObjectSizeLessThan")?;
    let conditions = usize::from(prefix.is_some())
        + tags.len()
        + usize::from(greater.is_some())
        + usize::from(less.is_some());
    Ok(match conditions {
        0 => Filter::Prefix(String::new()),
        1 if prefix.is_some() => Filter::Prefix(prefix.unwrap_or_default()),
        1 if greater.is_some() => Filter::SizeGreaterThan(greater.unwrap_or_default()),
        1 if less.is_some() => Filter::SizeLessThan(less.unwrap_or_default()),
        1 => {
            let (key, value) = tags.into_iter().next().unwrap_or_default();
            Filter::Tag(key, value)
        }
        _ => Filter::And {
            prefix,
            tags,
            size_greater_than: greater,
            size_less_than: less,
        },
    })
}

/// Names the rules the template left unnamed, as S3 does when they are put.
pub fn name_rules(rules: &mut [LifecycleRule]) {
    use base64::Engine as _;
    for rule in rules.iter_mut().filter(|r| r.id.is_empty()) {
        rule.id = base64::engine::general_purpose::STANDARD.encode(lifecycle::unnamed_rule_id());
    }
}

/// The rules of `CorsConfiguration`, `None` when the template has none.
pub fn cors_rules(p: &Provision<'_>, properties: &Value) -> Result<Option<Vec<CorsRule>>, String> {
    let Some(configuration) = properties.get("CorsConfiguration") else {
        return Ok(None);
    };
    let Some(rules) = configuration.get("CorsRules").and_then(Value::as_array) else {
        return Err(invalid(
            p,
            "#/CorsConfiguration: required key [CorsRules] not found",
        ));
    };
    // The resource's schema allows S3's five methods only, so another fails the
    // template's property check before S3 is called.
    for (i, rule) in rules.iter().enumerate() {
        for (j, method) in strings(p, rule, "AllowedMethods")?.iter().enumerate() {
            if !["GET", "PUT", "HEAD", "POST", "DELETE"].contains(&method.as_str()) {
                return Err(invalid(
                    p,
                    &format!(
                        "#/CorsConfiguration/CorsRules/{i}/AllowedMethods/{j}: {method} is not a valid enum value"
                    ),
                ));
            }
        }
    }
    let rules = rules
        .iter()
        .map(|rule| {
            Ok(CorsRule {
                id: optional_str(p, rule, "Id")?.map(str::to_owned),
                allowed_origins: strings(p, rule, "AllowedOrigins")?,
                allowed_methods: strings(p, rule, "AllowedMethods")?,
                allowed_headers: strings(p, rule, "AllowedHeaders")?,
                expose_headers: strings(p, rule, "ExposedHeaders")?,
                max_age_seconds: day_count(p, rule, "MaxAge")?,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    cors::validate(&rules).map_err(|e| match e {
        CorsError::Malformed => refused(
            "The XML you provided was not well-formed or did not validate against our published schema",
        ),
        CorsError::Invalid(message) => refused(&message),
    })?;
    Ok(Some(rules))
}
