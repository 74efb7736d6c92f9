//! The `Condition` block (spec §1.5): typed values parsed at save time, and evaluation
//! against a request context.
//!
//! Every operator and every key under it is flattened into one [`Condition`]; a statement's
//! conditions are ANDed. Values for one key are ORed, except under negated operators, where
//! the request value must match none of them.

mod arn;
mod binary;
mod boolean;
mod date;
mod ip;
mod numeric;
mod operator;
mod string;

use jiff::Timestamp;
use serde_json::Value;

pub use ip::Cidr;
pub use numeric::Number;
pub use operator::{ConditionOperator, Operator, SetQualifier};

use self::operator::Family;
use crate::arn::ArnPattern;
use crate::context::Context;
use crate::error::PolicyError;
use crate::pattern::Pattern;
use crate::validate::Dialect;

/// IAM's message for a malformed date (spec §1.5, moto); also used here for malformed
/// numbers, CIDRs, base64 and `Null` values (UNCONFIRMED for those).
pub(crate) const MSG_LEGACY_PARSING: &str = "The policy failed legacy parsing";
/// IAM's message when a condition key has no `vendor:` prefix (spec §1.3).
pub(crate) const MSG_KEY_VENDOR: &str =
    "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.";
/// S3's message for a condition it cannot accept (UNCONFIRMED wording for values).
pub(crate) const MSG_S3_CONDITION_KEY: &str = "Policy has an invalid condition key";

/// One parsed policy value of a condition.
#[derive(Clone, Debug, PartialEq)]
pub enum ConditionValue {
    String(Pattern),
    Number(Number),
    Date(Timestamp),
    Bool(Pattern),
    Binary(Vec<u8>),
    Ip(Cidr),
    Arn(ArnPattern),
    Null(bool),
}

/// One operator applied to one key.
#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    pub operator: ConditionOperator,
    /// The key as written.
    pub key: String,
    key_lower: String,
    pub values: Vec<ConditionValue>,
}

/// Parses a statement's `Condition` object.
pub(crate) fn parse_block(
    block: &Value,
    variables: bool,
    dialect: Dialect,
) -> Result<Vec<Condition>, PolicyError> {
    let Value::Object(operators) = block else {
        return Err(dialect.syntax());
    };
    let mut out = Vec::new();
    for (name, keys) in operators {
        let Value::Object(keys) = keys else {
            return Err(dialect.syntax());
        };
        let Some(operator) = ConditionOperator::parse(name) else {
            // IAM ignores an unknown operator whose block is empty (spec §1.5, moto).
            if keys.is_empty() {
                continue;
            }
            return Err(dialect.syntax());
        };
        for (key, raw) in keys {
            if !key.contains(':') || key.starts_with(':') {
                return Err(match dialect {
                    Dialect::Iam => PolicyError::new(MSG_KEY_VENDOR),
                    Dialect::S3 => PolicyError::new(MSG_S3_CONDITION_KEY),
                });
            }
            let strings = condition_strings(raw).ok_or_else(|| dialect.syntax())?;
            let values = strings
                .iter()
                .map(|s| parse_value(operator.operator, s, variables))
                .collect::<Option<Vec<_>>>()
                .ok_or_else(|| match dialect {
                    Dialect::Iam => PolicyError::new(MSG_LEGACY_PARSING),
                    Dialect::S3 => PolicyError::new(MSG_S3_CONDITION_KEY),
                })?;
            out.push(Condition {
                operator,
                key: key.clone(),
                key_lower: key.to_ascii_lowercase(),
                values,
            });
        }
    }
    Ok(out)
}

/// A condition value: string, number or boolean, or a list of those (spec §1.1).
fn condition_strings(raw: &Value) -> Option<Vec<String>> {
    fn scalar(v: &Value) -> Option<String> {
        match v {
            Value::String(s) => Some(s.clone()),
            Value::Bool(b) => Some(b.to_string()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }
    match raw {
        Value::Array(items) => items.iter().map(scalar).collect(),
        other => scalar(other).map(|s| vec![s]),
    }
}

fn parse_value(op: Operator, raw: &str, variables: bool) -> Option<ConditionValue> {
    Some(match op.family() {
        Family::String => ConditionValue::String(string::compile(op, raw, variables)),
        Family::Numeric => ConditionValue::Number(numeric::parse(raw)?),
        Family::Date => ConditionValue::Date(date::parse(raw)?),
        Family::Bool => ConditionValue::Bool(boolean::compile(raw, variables)),
        Family::Binary => ConditionValue::Binary(binary::decode_base64(raw)?),
        Family::Ip => ConditionValue::Ip(Cidr::parse(raw)?),
        Family::Arn => ConditionValue::Arn(arn::compile(raw, variables)),
        Family::Null => ConditionValue::Null(match raw.to_ascii_lowercase().as_str() {
            "true" => true,
            "false" => false,
            _ => return None,
        }),
    })
}

/// A request value prepared once for the operator's family.
enum Prepared<'a> {
    Text(&'a str),
    Number(Number),
    Date(Timestamp),
    Binary(Vec<u8>),
    Ip(std::net::IpAddr),
}

impl Condition {
    /// Evaluates against `context` (spec §1.5's missing-key, `IfExists` and set rules).
    pub fn evaluate(&self, context: &Context) -> bool {
        let op = self.operator;
        let values = context.get_lower(&self.key_lower).filter(|v| !v.is_empty());
        if op.operator == Operator::Null {
            // `"true"` asks for absence, `"false"` for presence; several values are ORed.
            let absent = values.is_none();
            return self
                .values
                .iter()
                .any(|v| matches!(v, ConditionValue::Null(want) if *want == absent));
        }
        match (op.qualifier, values) {
            (Some(SetQualifier::ForAllValues), None) => true,
            (Some(SetQualifier::ForAnyValue), None) => false,
            (Some(SetQualifier::ForAllValues), Some(vs)) => {
                vs.iter().all(|v| self.matches_one(v, context))
            }
            (Some(SetQualifier::ForAnyValue), Some(vs)) => {
                vs.iter().any(|v| self.matches_one(v, context))
            }
            (None, None) => op.if_exists || op.operator.is_negated(),
            (None, Some([v])) => self.matches_one(v, context),
            // A single-valued operator on a multivalued key does not match (spec §1.5,
            // iam-simulate); UNCONFIRMED for negated operators, treated the same.
            (None, Some(_)) => false,
        }
    }

    /// One request value against the policy values: any matches (positive operators) or
    /// none matches (negated). A request value of the wrong type fails either way.
    fn matches_one(&self, request: &str, context: &Context) -> bool {
        let op = self.operator.operator;
        let prepared = match op.family() {
            Family::Numeric => numeric::parse(request).map(Prepared::Number),
            Family::Date => date::parse(request).map(Prepared::Date),
            Family::Binary => binary::decode_base64(request).map(Prepared::Binary),
            Family::Ip => request.trim().parse().ok().map(Prepared::Ip),
            _ => Some(Prepared::Text(request)),
        };
        let Some(prepared) = prepared else {
            return false;
        };
        let any = self.values.iter().any(|v| match (v, &prepared) {
            (ConditionValue::String(p), Prepared::Text(t)) => string::matches(op, p, t, context),
            (ConditionValue::Bool(p), Prepared::Text(t)) => boolean::matches(p, t, context),
            (ConditionValue::Arn(p), Prepared::Text(t)) => arn::matches(p, t, context),
            (ConditionValue::Number(p), Prepared::Number(r)) => numeric::compare(op, *p, *r),
            (ConditionValue::Date(p), Prepared::Date(r)) => date::compare(op, *p, *r),
            (ConditionValue::Binary(p), Prepared::Binary(r)) => p == r,
            (ConditionValue::Ip(c), Prepared::Ip(ip)) => c.contains(*ip),
            _ => false,
        });
        any != op.is_negated()
    }
}

#[cfg(test)]
mod tests;
