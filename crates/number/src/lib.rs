//! DynamoDB's Number type (`"N"` attribute values), exact and without floating point.
//!
//! This crate owns the wire grammar and range rules of a Number, its canonical text (what
//! DynamoDB returns), numeric ordering, the exact `+`/`-` of UpdateExpressions and `ADD`,
//! the order-preserving key bytes sort keys are stored under, and the item-size charge.
//! It is pure: no I/O, no JSON, no HTTP. Callers are the DynamoDB wire layer (parse at the
//! edge, render on the way out), the expression evaluator (arithmetic, comparisons) and the
//! storage layer (key bytes, item size). Mapping a [`NumberError`] to a
//! `ValidationException` is the wire layer's job; the message text lives here.

mod arithmetic;
mod display;
mod error;
mod key;
mod order;
mod parse;
mod size;

pub use error::{
    INEXACT_RESULT_MESSAGE, KeyDecodeError, NOT_A_NUMBER_PREFIX, NumberError, OVERFLOW_MESSAGE,
    TOO_MANY_DIGITS_MESSAGE, UNDERFLOW_MESSAGE,
};
pub use key::MAX_KEY_BYTES;

/// At most this many significant digits (leading and trailing zeros do not count).
pub const MAX_SIGNIFICANT_DIGITS: usize = 38;
/// Smallest allowed exponent of the first significant digit: 1E-130.
pub const MIN_EXPONENT: i32 = -130;
/// Largest allowed exponent of the first significant digit: 9.99…9E+125.
pub const MAX_EXPONENT: i32 = 125;

/// A valid DynamoDB number, held canonically: sign, significant digits (no leading or
/// trailing zeros) and the exponent of the first digit, so the value is
/// `d0.d1d2… × 10^exponent`.
///
/// Because the form is canonical, derived `Eq`/`Hash` are numeric (`1.0 == 1`, `-0 == 0`).
/// Zero has no digits, is never negative and has exponent 0; unused digit slots are 0.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Number {
    negative: bool,
    len: u8,
    exponent: i16,
    digits: [u8; MAX_SIGNIFICANT_DIGITS],
}

impl Number {
    pub const ZERO: Number = Number {
        negative: false,
        len: 0,
        exponent: 0,
        digits: [0; MAX_SIGNIFICANT_DIGITS],
    };

    /// Build from digit values (0..=9) where `digits[k]` weighs `10^(first_exponent - k)`.
    /// Leading and trailing zeros are allowed and trimmed; the range is checked before the
    /// digit count.
    pub(crate) fn from_digits(
        negative: bool,
        digits: &[u8],
        first_exponent: i64,
    ) -> Result<Number, NumberError> {
        let Some(first) = digits.iter().position(|&d| d != 0) else {
            return Ok(Number::ZERO);
        };
        let last = digits.iter().rposition(|&d| d != 0).unwrap_or(first);
        let exponent = first_exponent.saturating_sub(first as i64);
        // UNCONFIRMED: when a value is both out of range and over 38 digits, AWS's choice
        // of message is unknown; we report the range error first.
        if exponent > i64::from(MAX_EXPONENT) {
            return Err(NumberError::Overflow);
        }
        if exponent < i64::from(MIN_EXPONENT) {
            return Err(NumberError::Underflow);
        }
        let significant = &digits[first..=last];
        if significant.len() > MAX_SIGNIFICANT_DIGITS {
            return Err(NumberError::TooManyDigits);
        }
        let mut out = Number {
            negative,
            len: significant.len() as u8,
            exponent: exponent as i16,
            digits: [0; MAX_SIGNIFICANT_DIGITS],
        };
        out.digits[..significant.len()].copy_from_slice(significant);
        Ok(out)
    }

    pub fn is_zero(&self) -> bool {
        self.len == 0
    }

    pub fn is_negative(&self) -> bool {
        self.negative
    }

    /// The significant digits as values 0..=9, most significant first (empty for zero).
    pub fn significant_digits(&self) -> &[u8] {
        &self.digits[..usize::from(self.len)]
    }

    /// The exponent of the first significant digit (0 for zero), in
    /// `MIN_EXPONENT..=MAX_EXPONENT`.
    pub fn exponent(&self) -> i32 {
        i32::from(self.exponent)
    }

    /// The same magnitude with the opposite sign (zero stays zero).
    pub fn negated(&self) -> Number {
        let mut out = *self;
        out.negative = !self.is_zero() && !self.negative;
        out
    }
}

impl Default for Number {
    fn default() -> Self {
        Number::ZERO
    }
}

impl std::fmt::Debug for Number {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Number({self})")
    }
}

impl From<i64> for Number {
    fn from(value: i64) -> Self {
        let digits: Vec<u8> = value
            .unsigned_abs()
            .to_string()
            .bytes()
            .map(|b| b - b'0')
            .collect();
        let first_exponent = digits.len() as i64 - 1;
        Number::from_digits(value < 0, &digits, first_exponent)
            .expect("an i64 has at most 19 digits and magnitude below 1E19")
    }
}
