//! `Numeric*` operators: integers compare exactly, anything with a fraction or exponent as
//! `f64`. No policy variables (spec §1.5).

use std::cmp::Ordering;

use super::operator::Operator;

/// A policy or request number.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Number {
    Integer(i64),
    Decimal(f64),
}

/// `None` for anything that is not a plain decimal number (no `inf`, `NaN`, hex).
pub(crate) fn parse(raw: &str) -> Option<Number> {
    let raw = raw.trim();
    if let Ok(i) = raw.parse::<i64>() {
        return Some(Number::Integer(i));
    }
    let plain = !raw.is_empty()
        && raw
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'));
    let f = raw.parse::<f64>().ok().filter(|f| plain && f.is_finite())?;
    Some(Number::Decimal(f))
}

fn cmp(a: Number, b: Number) -> Option<Ordering> {
    match (a, b) {
        (Number::Integer(x), Number::Integer(y)) => Some(x.cmp(&y)),
        (x, y) => as_f64(x).partial_cmp(&as_f64(y)),
    }
}

fn as_f64(n: Number) -> f64 {
    match n {
        // Precision loss above 2^53 only affects integer-vs-decimal comparisons.
        Number::Integer(i) => i as f64,
        Number::Decimal(f) => f,
    }
}

/// Positive comparison of the request value against one policy value.
pub(crate) fn compare(op: Operator, policy: Number, request: Number) -> bool {
    let Some(ord) = cmp(request, policy) else {
        return false;
    };
    match op {
        Operator::NumericEquals | Operator::NumericNotEquals => ord == Ordering::Equal,
        Operator::NumericLessThan => ord == Ordering::Less,
        Operator::NumericLessThanEquals => ord != Ordering::Greater,
        Operator::NumericGreaterThan => ord == Ordering::Greater,
        Operator::NumericGreaterThanEquals => ord != Ordering::Less,
        _ => false,
    }
}
