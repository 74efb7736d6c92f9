//! DynamoDB's wire grammar for a Number: `[+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?`.
//!
//! Observed against DynamoDB (ScyllaDB Alternator's `test_invalid_numbers`, dynoxide #109):
//! accepted `3`, `-7.1234`, `-17e5`, `-17.4E37`, `+3`, `.123`, `0001.23`, `1e+5`, `0e1000`;
//! refused `NaN`, `Infinity`, `-Infinity`, `dog`, `" 1"`, `"1 "`.
//! UNCONFIRMED: `5.` (digits then a bare point) is accepted, as Java's `BigDecimal` does;
//! an exponent too large for any int is saturated (so `0e99999999999` is zero and
//! `1e99999999999` overflows) rather than refused as text.

use std::str::FromStr;

use crate::{Number, NumberError};

/// Exponents are saturated here; far beyond any input length, so saturation never changes
/// which of overflow/underflow/zero results.
const EXPONENT_CAP: i64 = 1_000_000_000_000;

impl FromStr for Number {
    type Err = NumberError;

    fn from_str(text: &str) -> Result<Number, NumberError> {
        parse(text)
    }
}

impl Number {
    /// Parse DynamoDB's wire text (the string inside `{"N": "…"}`).
    pub fn parse(text: &str) -> Result<Number, NumberError> {
        parse(text)
    }
}

fn parse(text: &str) -> Result<Number, NumberError> {
    let not_a_number = || NumberError::NotANumber(text.to_owned());
    let bytes = text.as_bytes();
    let mut i = 0;
    let negative = match bytes.first() {
        Some(b'-') => {
            i = 1;
            true
        }
        Some(b'+') => {
            i = 1;
            false
        }
        _ => false,
    };
    let integer_start = i;
    while bytes.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    let integer = &bytes[integer_start..i];
    let mut fraction: &[u8] = &[];
    if bytes.get(i) == Some(&b'.') {
        i += 1;
        let fraction_start = i;
        while bytes.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        fraction = &bytes[fraction_start..i];
    }
    if integer.is_empty() && fraction.is_empty() {
        return Err(not_a_number());
    }
    let mut exponent: i64 = 0;
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        i += 1;
        let exponent_negative = match bytes.get(i) {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        let exponent_start = i;
        while let Some(d) = bytes.get(i).filter(|b| b.is_ascii_digit()) {
            exponent = (exponent * 10 + i64::from(d - b'0')).min(EXPONENT_CAP);
            i += 1;
        }
        if i == exponent_start {
            return Err(not_a_number());
        }
        if exponent_negative {
            exponent = -exponent;
        }
    }
    if i != bytes.len() {
        return Err(not_a_number());
    }
    let digits: Vec<u8> = integer.iter().chain(fraction).map(|b| b - b'0').collect();
    let first_exponent = (integer.len() as i64 - 1).saturating_add(exponent);
    Number::from_digits(negative, &digits, first_exponent)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> String {
        match text.parse::<Number>() {
            Ok(n) => n.to_string(),
            Err(e) => panic!("{text:?} refused: {e}"),
        }
    }

    fn err(text: &str) -> NumberError {
        match text.parse::<Number>() {
            Ok(n) => panic!("{text:?} accepted as {n}"),
            Err(e) => e,
        }
    }

    const NINES_38: &str = "99999999999999999999999999999999999999";

    #[test]
    fn accepted_forms_and_their_canonical_text() {
        let cases = [
            ("0", "0"),
            ("-0", "0"),
            ("+0", "0"),
            ("0.000", "0"),
            ("0e1000", "0"),
            ("-0e-1000", "0"),
            ("3", "3"),
            ("+3", "3"),
            ("+5", "5"),
            ("+1.5", "1.5"),
            ("+1e2", "100"),
            ("1e+2", "100"),
            ("1.5E+3", "1500"),
            ("-7", "-7"),
            ("-7.1234", "-7.1234"),
            ("-17e5", "-1700000"),
            ("-17.4E37", "-174000000000000000000000000000000000000"),
            (".123", "0.123"),
            ("5.", "5"),
            ("0001.23", "1.23"),
            ("00.100", "0.1"),
            ("0.50", "0.5"),
            ("1E+3", "1000"),
            ("123.45", "123.45"),
            ("-0.5", "-0.5"),
            ("1e-3", "0.001"),
            ("12.5e-1", "1.25"),
            ("1000e-3", "1"),
        ];
        for (text, canonical) in cases {
            assert_eq!(ok(text), canonical, "{text}");
        }
    }

    #[test]
    fn refused_text() {
        for text in [
            "",
            "-",
            "+",
            ".",
            "-.",
            "e5",
            ".e5",
            "1e",
            "1e+",
            "1e-",
            "NaN",
            "-NaN",
            "Infinity",
            "-Infinity",
            "dog",
            "-dog",
            " 1",
            "1 ",
            "1 .5",
            "1.2.3",
            "1+2",
            "+-1",
            "--1",
            "1e5.5",
            "1e5e5",
            "0x10",
            "１",
            "1_000",
            "1,5",
            "\u{0}",
        ] {
            assert_eq!(
                err(text),
                NumberError::NotANumber(text.to_owned()),
                "{text:?}"
            );
        }
    }

    #[test]
    fn boundaries() {
        assert_eq!(ok("1E-130"), format!("0.{}1", "0".repeat(129)));
        assert_eq!(ok("-1E-130"), format!("-0.{}1", "0".repeat(129)));
        let max = format!("9.{}E+125", &NINES_38[1..]);
        assert_eq!(ok(&max), format!("{NINES_38}{}", "0".repeat(88)));
        assert_eq!(
            ok(&format!("-{max}")),
            format!("-{NINES_38}{}", "0".repeat(88))
        );
        assert_eq!(ok("1E125"), format!("1{}", "0".repeat(125)));
        assert_eq!(err("1E+126"), NumberError::Overflow);
        assert_eq!(err("-1E+126"), NumberError::Overflow);
        assert_eq!(err("11e125"), NumberError::Overflow);
        assert_eq!(err("1E-131"), NumberError::Underflow);
        assert_eq!(err("-1E-131"), NumberError::Underflow);
        assert_eq!(err("0.9e-130"), NumberError::Underflow);
        assert_eq!(err("1e99999999999999999999"), NumberError::Overflow);
        assert_eq!(err("1e-99999999999999999999"), NumberError::Underflow);
    }

    #[test]
    fn significant_digit_limit() {
        // Alternator's test_number_precision_allowed / _not_allowed values.
        for text in [
            "3.1415926535897932384626433832795028841",
            "314159265358979323846.26433832795028841",
            "31415926535897932384626433832795028841e30",
            NINES_38,
            "110111111111111110000000000000000000000",
            "0.000000000012345678901234567890123456789012345678",
        ] {
            ok(text);
        }
        for text in [
            "3.14159265358979323846264338327950288419",
            "314159265358979323846.264338327950288419",
            "314159265358979323846264338327950288419e30",
            "999999999999999999999999999999999999999",
            "-1.00000000000000000000000000000000000001",
        ] {
            assert_eq!(err(text), NumberError::TooManyDigits, "{text}");
        }
        // Leading and trailing zeros do not count.
        ok(&format!("000000{NINES_38}000000.000000"));
    }

    #[test]
    fn long_inputs_are_fine() {
        assert_eq!(
            ok(&format!("0.{}1", "0".repeat(100))),
            format!("0.{}1", "0".repeat(100))
        );
        assert_eq!(ok(&format!("{}1", "0".repeat(100_000))), "1");
        assert_eq!(err(&format!("1{}", "0".repeat(200))), NumberError::Overflow);
    }
}
