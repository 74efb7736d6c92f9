//! `Date*` operators: W3C ISO 8601 instants (full timestamps with `Z` or an offset, local
//! date-times and bare dates read as UTC) or epoch seconds. No policy variables (§1.5).

use std::cmp::Ordering;

use jiff::Timestamp;
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;

use super::operator::Operator;

/// `None` when `raw` is none of the accepted forms.
pub(crate) fn parse(raw: &str) -> Option<Timestamp> {
    let raw = raw.trim();
    let digits = raw.strip_prefix('-').unwrap_or(raw);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return Timestamp::from_second(raw.parse().ok()?).ok();
    }
    if let Ok(t) = raw.parse::<Timestamp>() {
        return Some(t);
    }
    if let Ok(dt) = raw.parse::<DateTime>() {
        return TimeZone::UTC.to_timestamp(dt).ok();
    }
    let d = raw.parse::<Date>().ok()?;
    TimeZone::UTC.to_timestamp(DateTime::from(d)).ok()
}

/// Positive comparison of the request instant against one policy instant.
pub(crate) fn compare(op: Operator, policy: Timestamp, request: Timestamp) -> bool {
    let ord = request.cmp(&policy);
    match op {
        Operator::DateEquals | Operator::DateNotEquals => ord == Ordering::Equal,
        Operator::DateLessThan => ord == Ordering::Less,
        Operator::DateLessThanEquals => ord != Ordering::Greater,
        Operator::DateGreaterThan => ord == Ordering::Greater,
        Operator::DateGreaterThanEquals => ord != Ordering::Less,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        let t = parse("2020-01-01T00:00:01Z").map(Timestamp::as_second);
        assert_eq!(t, Some(1_577_836_801));
        assert_eq!(
            parse("1577836801").map(Timestamp::as_second),
            Some(1_577_836_801)
        );
        assert_eq!(
            parse("2020-01-01").map(Timestamp::as_second),
            Some(1_577_836_800)
        );
        assert_eq!(
            parse("2020-01-01T02:00:00+02:00").map(Timestamp::as_second),
            Some(1_577_836_800)
        );
        assert_eq!(
            parse("2020-01-01T00:00:00").map(Timestamp::as_second),
            Some(1_577_836_800)
        );
        assert_eq!(parse("yesterday"), None);
        assert_eq!(parse(""), None);
        assert_eq!(parse("99999999999999999999"), None);
    }
}
