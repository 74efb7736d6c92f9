//! `Action` / `NotAction` values (spec §1.3): `service:Name` or `*`, case-insensitive,
//! with `*`/`?` wildcards in the name.

use crate::error::PolicyError;
use crate::pattern::{Pattern, Syntax};
use crate::validate::Dialect;

pub(crate) const MSG_VENDOR_PREFIX: &str =
    "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.";
pub(crate) const MSG_ONE_COLON: &str = "Actions/Condition can contain only one colon.";
/// `Vendor <x> is not valid`.
pub(crate) fn msg_vendor_invalid(vendor: &str) -> String {
    format!("Vendor {vendor} is not valid")
}
pub(crate) const MSG_S3_INVALID_ACTION: &str = "Policy has invalid action";

/// One action pattern, lowercased at parse time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActionPattern(Pattern);

impl ActionPattern {
    pub(crate) fn parse(text: &str, dialect: Dialect) -> Result<ActionPattern, PolicyError> {
        if text != "*" {
            match dialect {
                Dialect::Iam => check_iam(text)?,
                Dialect::S3 => check_s3(text)?,
            }
        }
        Ok(ActionPattern(Pattern::compile(
            text,
            Syntax {
                wildcards: true,
                variables: false,
                lowercase: true,
            },
        )))
    }

    /// The action as written.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// `action_lower` must already be ASCII-lowercased (done once per request).
    pub(crate) fn matches(&self, action_lower: &str) -> bool {
        self.0.matches_without_variables(action_lower)
    }
}

fn check_iam(text: &str) -> Result<(), PolicyError> {
    let Some((vendor, _name)) = text.split_once(':') else {
        return Err(PolicyError::new(MSG_VENDOR_PREFIX));
    };
    if vendor.is_empty() {
        return Err(PolicyError::new(MSG_VENDOR_PREFIX));
    }
    if text.matches(':').count() > 1 {
        return Err(PolicyError::new(MSG_ONE_COLON));
    }
    if !vendor
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
    {
        return Err(PolicyError::new(msg_vendor_invalid(vendor)));
    }
    Ok(())
}

/// S3 accepts only S3 actions (spec §1.3). Whether the name is a real S3 action is not
/// checked (no action catalogue yet).
fn check_s3(text: &str) -> Result<(), PolicyError> {
    match text.split_once(':') {
        Some((vendor, name))
            if vendor.eq_ignore_ascii_case("s3") && !name.is_empty() && !name.contains(':') =>
        {
            Ok(())
        }
        _ => Err(PolicyError::new(MSG_S3_INVALID_ACTION)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matching_is_case_insensitive_with_wildcards() {
        let cases = [
            ("*", "s3:getobject", true),
            ("s3:*", "s3:getobject", true),
            ("S3:GetObject", "s3:getobject", true),
            ("s3:Get*", "s3:getobjectacl", true),
            ("s3:Get*", "s3:putobject", false),
            ("s3:*Object", "s3:putobject", true),
            ("s3:?etObject", "s3:getobject", true),
            ("s3:GetObject", "s3:getobjectacl", false),
            ("iam:listaccesskeys", "iam:listaccesskeys", true),
            ("dynamodb:*", "s3:getobject", false),
        ];
        for (p, a, want) in cases {
            let pattern =
                ActionPattern::parse(p, Dialect::Iam).unwrap_or_else(|e| panic!("{p}: {e}"));
            assert_eq!(pattern.matches(a), want, "{p} vs {a}");
        }
    }

    #[test]
    fn validation_messages() {
        let cases = [
            (Dialect::Iam, "GetObject", MSG_VENDOR_PREFIX.to_string()),
            (Dialect::Iam, "", MSG_VENDOR_PREFIX.to_string()),
            (Dialect::Iam, ":GetObject", MSG_VENDOR_PREFIX.to_string()),
            (Dialect::Iam, "s3:Get:Object", MSG_ONE_COLON.to_string()),
            (
                Dialect::Iam,
                "s 3:GetObject",
                "Vendor s 3 is not valid".to_string(),
            ),
            (
                Dialect::Iam,
                "s*:GetObject",
                "Vendor s* is not valid".to_string(),
            ),
            (
                Dialect::S3,
                "dynamodb:GetItem",
                MSG_S3_INVALID_ACTION.to_string(),
            ),
            (Dialect::S3, "GetObject", MSG_S3_INVALID_ACTION.to_string()),
        ];
        for (d, text, want) in cases {
            assert_eq!(
                ActionPattern::parse(text, d).map_err(|e| e.message),
                Err(want),
                "{text}"
            );
        }
        assert!(ActionPattern::parse("s3:NoSuchThing", Dialect::Iam).is_ok());
        assert!(ActionPattern::parse("S3:get*", Dialect::S3).is_ok());
    }
}
