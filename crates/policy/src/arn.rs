//! ARNs split into their six segments, and ARN patterns matched segment by segment
//! (spec §1.4 and the `Arn*` condition operators of §1.5).
//!
//! `arn:partition:service:region:account:resource` is split on the first five colons; the
//! resource segment may itself contain `:` and `/`. A wildcard never crosses a segment
//! boundary, except inside the resource segment where `*` matches any run. Matching is
//! case-sensitive.

use crate::context::Context;
use crate::pattern::{Pattern, Syntax};

/// A request-side ARN, borrowed and split.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Arn<'a> {
    pub partition: &'a str,
    pub service: &'a str,
    pub region: &'a str,
    pub account: &'a str,
    pub resource: &'a str,
}

impl<'a> Arn<'a> {
    /// `None` unless `text` starts with `arn:` and has at least five colons.
    pub fn parse(text: &'a str) -> Option<Arn<'a>> {
        let mut parts = text.splitn(6, ':');
        if parts.next()? != "arn" {
            return None;
        }
        Some(Arn {
            partition: parts.next()?,
            service: parts.next()?,
            region: parts.next()?,
            account: parts.next()?,
            resource: parts.next()?,
        })
    }
}

/// A policy-side ARN pattern: each segment compiled on its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArnPattern {
    source: String,
    shape: Shape,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Shape {
    /// Six segments (`arn` + five), each matched separately.
    Segments(Box<[Pattern; 5]>),
    /// Not ARN-shaped (e.g. `*`): matched as one string.
    Whole(Pattern),
    /// Starts with `arn:` but has fewer than six segments: matches nothing.
    Nothing,
}

impl ArnPattern {
    /// Compiles `text`. `prefix_variables`: whether `${…}` is recognised in the first five
    /// segments (condition values) or only in the resource segment (`Resource`, §1.4).
    pub(crate) fn compile(text: &str, variables: bool, prefix_variables: bool) -> ArnPattern {
        let seg = |s: &str, vars: bool| {
            Pattern::compile(
                s,
                Syntax {
                    wildcards: true,
                    variables: vars,
                    lowercase: false,
                },
            )
        };
        let shape = match Arn::parse(text) {
            Some(a) if text != "*" => Shape::Segments(Box::new([
                seg(a.partition, variables && prefix_variables),
                seg(a.service, variables && prefix_variables),
                seg(a.region, variables && prefix_variables),
                seg(a.account, variables && prefix_variables),
                seg(a.resource, variables),
            ])),
            _ if text.starts_with("arn:") => Shape::Nothing,
            _ => Shape::Whole(seg(text, variables)),
        };
        ArnPattern {
            source: text.to_owned(),
            shape,
        }
    }

    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Whether this pattern matches `text` (`arn` pre-split when it is an ARN).
    pub(crate) fn matches(&self, text: &str, arn: Option<&Arn<'_>>, context: &Context) -> bool {
        match (&self.shape, arn) {
            (Shape::Whole(p), _) => p.matches(text, context, false),
            (Shape::Segments(s), Some(a)) => {
                s[1].matches(a.service, context, false)
                    && s[4].matches(a.resource, context, false)
                    && s[3].matches(a.account, context, false)
                    && s[2].matches(a.region, context, false)
                    && s[0].matches(a.partition, context, false)
            }
            (Shape::Segments(_), None) | (Shape::Nothing, _) => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, text: &str) -> bool {
        let ctx = Context::new().with("aws:username", "alice");
        ArnPattern::compile(pattern, true, false).matches(text, Arn::parse(text).as_ref(), &ctx)
    }

    #[test]
    fn segment_matching() {
        let cases = [
            ("*", "arn:aws:s3:::b/k", true),
            ("*", "*", true),
            ("arn:aws:s3:::b/*/test/*", "arn:aws:s3:::b/1/2/test/x", true),
            ("arn:aws:s3:::b/*/test/*", "arn:aws:s3:::b//test/x", true),
            ("arn:aws:s3:::b/*/test/*", "arn:aws:s3:::b/test/x", false),
            ("arn:aws:s3:::b/*", "arn:aws:s3:::b", false),
            ("arn:aws:s3:::B/*", "arn:aws:s3:::b/x", false),
            ("arn:aws:s3:::*", "arn:aws:s3:::b/x", true),
            // `*` in the region segment does not swallow the account's colon.
            (
                "arn:aws:dynamodb:*:111122223333:table/T",
                "arn:aws:dynamodb:us-east-1:111122223333:table/T",
                true,
            ),
            (
                "arn:aws:dynamodb:*:1111:table/T",
                "arn:aws:dynamodb:us-east-1:2222:table/T",
                false,
            ),
            (
                "arn:aws:dynamodb:*",
                "arn:aws:dynamodb:us-east-1:2222:table/T",
                false,
            ),
            (
                "arn:aws:dynamodb:us-?ast-1:*:table/*",
                "arn:aws:dynamodb:us-east-1:2222:table/T/index/I",
                true,
            ),
            (
                "arn:aws:s3:::home/${aws:username}/*",
                "arn:aws:s3:::home/alice/x",
                true,
            ),
            (
                "arn:aws:s3:::home/${aws:username}/*",
                "arn:aws:s3:::home/bob/x",
                false,
            ),
            ("arn:aws:s3:::b/x", "*", false),
            ("arn:aws:iam::1:user/a:b", "arn:aws:iam::1:user/a:b", true),
        ];
        for (p, t, want) in cases {
            assert_eq!(m(p, t), want, "{p} vs {t}");
        }
    }
}
