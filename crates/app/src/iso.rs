//! Instants as AWS prints them: ISO 8601 in UTC with a `Z`, to the second.

use jiff::Timestamp;

/// `yyyy-MM-ddTHH:mm:ssZ` (as IAM, STS and condition keys print dates, and time errors
/// instants).
pub fn seconds(t: Timestamp) -> String {
    Timestamp::from_second(t.as_second())
        .unwrap_or(t)
        .to_string()
}

/// [`seconds`] of a time in µs since the epoch.
pub fn seconds_from_micros(micros: i64) -> String {
    Timestamp::from_second(micros.div_euclid(1_000_000))
        .map(|t| t.to_string())
        .unwrap_or_default()
}
