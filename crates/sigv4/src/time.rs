//! Request times: the ISO 8601 basic format SigV4 uses (`20150830T123600Z`), and the
//! 15-minute skew rule.

use jiff::Timestamp;

use crate::error::AuthError;

/// AWS rejects requests whose time is more than 15 minutes from the server's.
pub const MAX_SKEW_SECONDS: i64 = 15 * 60;

/// A request time as SigV4 writes it, kept with its parsed instant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AmzDate {
    text: String,
    at: Timestamp,
}

impl AmzDate {
    /// Parses `YYYYMMDDTHHMMSSZ`.
    pub fn parse(text: &str) -> Result<Self, AuthError> {
        let at = parse_basic(text).ok_or_else(|| {
            AuthError::incomplete(format!(
                "Date must be in ISO-8601 'basic format'. Got '{text}'. See http://en.wikipedia.org/wiki/ISO_8601"
            ))
        })?;
        Ok(Self {
            text: text.to_owned(),
            at,
        })
    }

    /// Parses `X-Amz-Date`, falling back to an RFC 7231 `Date` header value.
    pub(crate) fn parse_header(text: &str) -> Result<Self, AuthError> {
        if let Ok(date) = Self::parse(text) {
            return Ok(date);
        }
        let at = jiff::fmt::rfc2822::parse(text)
            .map(|zoned| zoned.timestamp())
            .map_err(|_| {
                AuthError::incomplete(format!(
                    "Date must be in ISO-8601 'basic format'. Got '{text}'. See http://en.wikipedia.org/wiki/ISO_8601"
                ))
            })?;
        Ok(Self::from_timestamp(at))
    }

    /// Formats an instant (whole seconds) the way SigV4 writes it.
    pub fn from_timestamp(at: Timestamp) -> Self {
        let text = at.strftime("%Y%m%dT%H%M%SZ").to_string();
        let at = Timestamp::from_second(at.as_second())
            .expect("whole seconds of a valid timestamp are valid");
        Self { text, at }
    }

    /// `YYYYMMDDTHHMMSSZ`.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// `YYYYMMDD`, the date of the credential scope.
    pub fn date(&self) -> &str {
        &self.text[..8]
    }

    pub fn timestamp(&self) -> Timestamp {
        self.at
    }

    /// AWS's skew check: the request time must be within 15 minutes of `now`.
    pub(crate) fn check_skew(&self, now: Timestamp) -> Result<(), AuthError> {
        let skew = jiff::SignedDuration::from_secs(MAX_SKEW_SECONDS);
        let earliest = now - skew;
        let latest = now + skew;
        let fmt = |t: Timestamp| AmzDate::from_timestamp(t).text;
        if self.at < earliest {
            return Err(AuthError::mismatch(format!(
                "Signature expired: {} is now earlier than {} ({} - 15 min.)",
                self.text,
                fmt(earliest),
                fmt(now)
            )));
        }
        if self.at > latest {
            return Err(AuthError::mismatch(format!(
                "Signature not yet current: {} is still later than {} ({} + 15 min.)",
                self.text,
                fmt(latest),
                fmt(now)
            )));
        }
        Ok(())
    }
}

fn parse_basic(text: &str) -> Option<Timestamp> {
    let b = text.as_bytes();
    // The digit ranges below are byte ranges; non-ASCII text would slice inside a char.
    if b.len() != 16 || !b.is_ascii() || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let digits = |r: std::ops::Range<usize>| -> Option<i64> {
        let s = &text[r];
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse().ok())
            .flatten()
    };
    let dt = jiff::civil::DateTime::new(
        i16::try_from(digits(0..4)?).ok()?,
        i8::try_from(digits(4..6)?).ok()?,
        i8::try_from(digits(6..8)?).ok()?,
        i8::try_from(digits(9..11)?).ok()?,
        i8::try_from(digits(11..13)?).ok()?,
        i8::try_from(digits(13..15)?).ok()?,
        0,
    )
    .ok()?;
    jiff::tz::TimeZone::UTC.to_timestamp(dt).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_basic_format() {
        let d = AmzDate::parse("20150830T123600Z").unwrap();
        assert_eq!(d.date(), "20150830");
        assert_eq!(AmzDate::from_timestamp(d.timestamp()), d);
    }

    #[test]
    fn rejects_garbage_without_panicking() {
        for bad in [
            "",
            "2015",
            "20151330T123600Z",
            "20150230T123600Z",
            "2015083OT123600Z",
            "20150830T256000Z",
            "２０１５０８３０T123600Z",
            // Found by fuzz/ (sigv4): 16 bytes with 'T' and 'Z' in place but multi-byte
            // characters among the digits sliced inside a char and panicked.
            "2\u{307}\u{49e}m01T0*0004Z",
        ] {
            assert!(AmzDate::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn accepts_http_date_header() {
        let d = AmzDate::parse_header("Sun, 30 Aug 2015 12:36:00 GMT").unwrap();
        assert_eq!(d.as_str(), "20150830T123600Z");
    }

    #[test]
    fn skew_is_fifteen_minutes_both_ways() {
        let d = AmzDate::parse("20150830T123600Z").unwrap();
        let at = d.timestamp();
        assert!(
            d.check_skew(at + jiff::SignedDuration::from_secs(900))
                .is_ok()
        );
        let late = d
            .check_skew(at + jiff::SignedDuration::from_secs(901))
            .unwrap_err();
        assert!(late.message.starts_with(
            "Signature expired: 20150830T123600Z is now earlier than 20150830T123601Z"
        ));
        let early = d
            .check_skew(at - jiff::SignedDuration::from_secs(901))
            .unwrap_err();
        assert!(early.message.starts_with("Signature not yet current"));
    }
}
