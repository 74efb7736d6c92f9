//! Bucket CORS configurations: the rules as stored, their validation, and how S3 picks the
//! rule that answers a browser's request (the first whose origin, method and, for a preflight,
//! every requested header match). Pure: the S3 adapter turns a match into headers.

use serde::{Deserialize, Serialize};

/// The methods a CORS rule may allow.
const METHODS: [&str; 5] = ["GET", "PUT", "HEAD", "POST", "DELETE"];

/// Most rules one configuration holds.
pub const MAX_RULES: usize = 100;

/// One CORS rule.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct CorsRule {
    pub id: Option<String>,
    pub allowed_origins: Vec<String>,
    pub allowed_methods: Vec<String>,
    pub allowed_headers: Vec<String>,
    pub expose_headers: Vec<String>,
    pub max_age_seconds: Option<i32>,
}

/// Why PutBucketCors refuses a configuration, in S3's words.
#[derive(Debug, PartialEq, Eq)]
pub enum CorsError {
    /// `MalformedXML`: no rules, too many, or a rule without origins or methods.
    Malformed,
    /// `InvalidRequest` with this message.
    Invalid(String),
}

/// Checks a configuration as PutBucketCors does.
pub fn validate(rules: &[CorsRule]) -> Result<(), CorsError> {
    if rules.is_empty() || rules.len() > MAX_RULES {
        return Err(CorsError::Malformed);
    }
    for rule in rules {
        if rule.allowed_origins.is_empty() || rule.allowed_methods.is_empty() {
            return Err(CorsError::Malformed);
        }
        if let Some(method) = rule
            .allowed_methods
            .iter()
            .find(|m| !METHODS.contains(&m.as_str()))
        {
            return Err(CorsError::Invalid(format!(
                "Found unsupported HTTP method in CORS config. Unsupported method is {method}"
            )));
        }
        if let Some(origin) = rule
            .allowed_origins
            .iter()
            .find(|o| o.matches('*').count() > 1)
        {
            return Err(CorsError::Invalid(format!(
                "AllowedOrigin \"{origin}\" can not have more than one wildcard."
            )));
        }
        if let Some(header) = rule
            .allowed_headers
            .iter()
            .find(|h| h.matches('*').count() > 1)
        {
            return Err(CorsError::Invalid(format!(
                "AllowedHeader \"{header}\" can not have more than one wildcard."
            )));
        }
        if rule.id.as_ref().is_some_and(|id| id.len() > 255) {
            return Err(CorsError::Invalid(
                "The ID element must not be longer than 255 characters".to_owned(),
            ));
        }
    }
    Ok(())
}

/// The first rule allowing a request from `origin` with `method` that (for a preflight) asks
/// to send `headers`.
pub fn matching_rule<'a>(
    rules: &'a [CorsRule],
    origin: &str,
    method: &str,
    headers: &[&str],
) -> Option<&'a CorsRule> {
    rules.iter().find(|rule| {
        rule.allowed_origins
            .iter()
            .any(|o| wildcard_match(o, origin))
            && rule.allowed_methods.iter().any(|m| m == method)
            && headers.iter().all(|h| {
                rule.allowed_headers.iter().any(|allowed| {
                    wildcard_match(&allowed.to_ascii_lowercase(), &h.to_ascii_lowercase())
                })
            })
    })
}

/// Whether `text` matches `pattern`, where one `*` stands for any run of characters.
fn wildcard_match(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == text,
        Some((head, tail)) => {
            text.len() >= head.len() + tail.len() && text.starts_with(head) && text.ends_with(tail)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(origins: &[&str], methods: &[&str], headers: &[&str]) -> CorsRule {
        CorsRule {
            allowed_origins: origins.iter().map(ToString::to_string).collect(),
            allowed_methods: methods.iter().map(ToString::to_string).collect(),
            allowed_headers: headers.iter().map(ToString::to_string).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn the_first_rule_matching_origin_method_and_headers_answers() {
        let rules = [
            rule(&["http://*.example.com"], &["GET"], &[]),
            rule(&["*"], &["PUT"], &["x-amz-*", "Content-Type"]),
        ];
        assert_eq!(
            matching_rule(&rules, "http://a.example.com", "GET", &[]),
            Some(&rules[0])
        );
        assert_eq!(
            matching_rule(&rules, "http://example.com", "GET", &[]),
            None
        );
        assert_eq!(
            matching_rule(&rules, "https://x", "PUT", &["x-amz-date", "content-type"]),
            Some(&rules[1])
        );
        assert_eq!(
            matching_rule(&rules, "https://x", "PUT", &["authorization"]),
            None
        );
        assert_eq!(matching_rule(&rules, "https://x", "DELETE", &[]), None);
    }

    #[test]
    fn validation_follows_s3() {
        assert_eq!(validate(&[]), Err(CorsError::Malformed));
        assert!(matches!(
            validate(&[rule(&["*"], &["PATCH"], &[])]),
            Err(CorsError::Invalid(m)) if m.ends_with("Unsupported method is PATCH")
        ));
        assert!(matches!(
            validate(&[rule(&["http://*.*.com"], &["GET"], &[])]),
            Err(CorsError::Invalid(_))
        ));
        assert_eq!(validate(&[rule(&["*"], &["GET", "HEAD"], &["*"])]), Ok(()));
    }
}
