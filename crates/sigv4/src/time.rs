//! Request times: the ISO 8601 basic format SigV4 uses (`20150830T123600Z`) and the
//! 15-minute rule, which AWS applies before anything else about a signature.

use jiff::Timestamp;

use crate::RequestParts;
use crate::canonical::{percent_decode, query_pairs};
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

    /// AWS's time rule for every request it verifies here, header-signed or presigned: the
    /// request time must be within 15 minutes of `now`.
    ///
    /// A presigned request's `X-Amz-Expires` does not extend or shorten that: outside S3,
    /// AWS ignores it and a presigned URL lasts about 15 minutes from `X-Amz-Date` (AWS's
    /// aws-sdk-go#2224, "All other AWS services will use a fixed request signature expiration
    /// of about 15 minutes", answering aws-sdk-go#2167 about STS; aws-iam-authenticator signs
    /// EKS tokens with 60 s and relies on STS accepting them for 15 minutes).
    /// UNCONFIRMED: that a stale presigned URL gets the same "Signature expired" answer as a
    /// stale header-signed request.
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

/// Judges the time of a signed request before anything else about its signature.
///
/// AWS does this first: before the access key is looked up, before the rest of the
/// `Authorization` header is parsed and before the signature is checked. ScyllaDB's
/// alternator suite, run against DynamoDB (`test/alternator/test_authorization.py`,
/// `test_expired_signature` and `test_signature_too_futuristic`), sends an unknown key, a
/// scope of `alternator/2/3/4/aws4_request`, no commas between the header's parts and
/// `Signature=123`, dated 2017 or 3020: AWS answers `InvalidSignatureException` "Signature
/// expired" / "Signature not yet current", not an unknown key or an incomplete signature.
///
/// A request whose time is missing or unreadable passes here; parsing reports it.
pub fn check_request_time(req: &RequestParts<'_>, real_now: Timestamp) -> Result<(), AuthError> {
    let date = if crate::authorization::sigv4_header(req).is_some() {
        // The header parser reads `X-Amz-Date` when present, else `Date`.
        req.header("x-amz-date")
            .or_else(|| req.header("date"))
            .and_then(|d| AmzDate::parse_header(d).ok())
    } else {
        let param = |name: &str| {
            query_pairs(req.query)
                .find(|(k, _)| *k == name)
                .map(|(_, v)| percent_decode(v))
        };
        param("X-Amz-Algorithm")
            .and(param("X-Amz-Date"))
            .and_then(|d| AmzDate::parse(&d).ok())
    };
    date.map_or(Ok(()), |date| date.check_skew(real_now))
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
    use crate::AuthFailure;

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

    fn request<'a>(headers: &'a [(&'a str, &'a [u8])], query: &'a str) -> RequestParts<'a> {
        RequestParts {
            method: "POST",
            path: "/",
            query,
            headers,
        }
    }

    #[test]
    fn request_time_is_judged_before_the_rest_of_the_signature() {
        // alternator test_authorization.py (run against DynamoDB): a header with an unknown
        // key, a bad scope, no commas and a 2017 or 3020 date is judged by its date alone.
        let now: Timestamp = "2026-11-28T03:00:00Z".parse().unwrap();
        let garbled: &[u8] =
            b"AWS4-HMAC-SHA256 Credential=alternator/2/3/4/aws4_request SignedHeaders=x-amz-date;host Signature=123";
        for (date, start) in [
            (
                &b"20170101T010101Z"[..],
                "Signature expired: 20170101T010101Z is now earlier than 20261128T024500Z (20261128T030000Z - 15 min.)",
            ),
            (
                &b"30200101T010101Z"[..],
                "Signature not yet current: 30200101T010101Z is still later than 20261128T031500Z (20261128T030000Z + 15 min.)",
            ),
        ] {
            let headers: [(&str, &[u8]); 2] = [("Authorization", garbled), ("X-Amz-Date", date)];
            let err = check_request_time(&request(&headers, ""), now).unwrap_err();
            assert_eq!(err.failure, AuthFailure::SignatureDoesNotMatch);
            assert_eq!(err.message, start);
        }
        // A current, missing or unreadable date is left to the parser.
        for date in [&b"20261128T030000Z"[..], b"yesterday"] {
            let headers: [(&str, &[u8]); 2] = [("Authorization", garbled), ("X-Amz-Date", date)];
            assert!(check_request_time(&request(&headers, ""), now).is_ok());
        }
        let headers: [(&str, &[u8]); 1] = [("Authorization", garbled)];
        assert!(check_request_time(&request(&headers, ""), now).is_ok());
        // Unsigned requests are not judged here.
        let headers: [(&str, &[u8]); 1] = [("X-Amz-Date", b"20170101T010101Z")];
        assert!(check_request_time(&request(&headers, ""), now).is_ok());
    }

    #[test]
    fn presigned_requests_last_fifteen_minutes_whatever_they_say() {
        let now: Timestamp = "2026-11-28T03:00:00Z".parse().unwrap();
        let q = |date: &str, expires: &str| {
            format!(
                "Action=GetCallerIdentity&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=nobody%2F2%2F3%2F4%2Faws4_request&X-Amz-Date={date}&X-Amz-Expires={expires}&X-Amz-SignedHeaders=host&X-Amz-Signature=00"
            )
        };
        // An EKS token: X-Amz-Expires=60, used 14 minutes later.
        assert!(check_request_time(&request(&[], &q("20261128T024600Z", "60")), now).is_ok());
        let err =
            check_request_time(&request(&[], &q("20261128T024459Z", "604800")), now).unwrap_err();
        assert!(
            err.message.starts_with("Signature expired"),
            "{}",
            err.message
        );
        let err = check_request_time(&request(&[], &q("20261128T031501Z", "60")), now).unwrap_err();
        assert!(err.message.starts_with("Signature not yet current"));
        // Without X-Amz-Algorithm the query is not a signature.
        let unsigned = q("20161128T025858Z", "60").replace("X-Amz-Algorithm", "Algorithm");
        assert!(check_request_time(&request(&[], &unsigned), now).is_ok());
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
