//! Exact `+` and `-` for UpdateExpression `SET a = b + c` / `b - c` and the `ADD` action.
//!
//! DynamoDB does not round: a result outside the range fails with the overflow/underflow
//! message, and one needing more than 38 significant digits fails too
//! ([`NumberError::InexactResult`]). Work is bounded: operands are in range, so the aligned
//! digit strings are at most 125 + 167 + 2 digits long.

use std::cmp::Ordering;

use crate::{Number, NumberError};

impl Number {
    /// `self + rhs`, exactly, or DynamoDB's error when the result is not a valid Number.
    pub fn checked_add(&self, rhs: &Number) -> Result<Number, NumberError> {
        if rhs.is_zero() {
            return Ok(*self);
        }
        if self.is_zero() {
            return Ok(*rhs);
        }
        // Align both magnitudes on one digit grid: index k weighs 10^(high - k), with one
        // spare leading position for a carry.
        let lowest = |n: &Number| n.exponent() - (n.significant_digits().len() as i32 - 1);
        let low = lowest(self).min(lowest(rhs));
        let high = self.exponent().max(rhs.exponent()) + 1;
        let width = (high - low + 1) as usize;
        let place = |n: &Number| {
            let mut grid = vec![0u8; width];
            let start = (high - n.exponent()) as usize;
            grid[start..start + n.significant_digits().len()]
                .copy_from_slice(n.significant_digits());
            grid
        };
        let (a, b) = (place(self), place(rhs));
        let (negative, digits) = if self.negative == rhs.negative {
            (self.negative, add_magnitudes(&a, &b))
        } else {
            match a.cmp(&b) {
                Ordering::Equal => return Ok(Number::ZERO),
                Ordering::Greater => (self.negative, subtract_magnitudes(&a, &b)),
                Ordering::Less => (rhs.negative, subtract_magnitudes(&b, &a)),
            }
        };
        Number::from_digits(negative, &digits, i64::from(high)).map_err(|e| match e {
            NumberError::TooManyDigits => NumberError::InexactResult,
            other => other,
        })
    }

    /// `self - rhs`, exactly, or DynamoDB's error when the result is not a valid Number.
    pub fn checked_sub(&self, rhs: &Number) -> Result<Number, NumberError> {
        self.checked_add(&rhs.negated())
    }
}

/// Digit-wise sum of two equal-length big-endian grids whose first position is 0.
fn add_magnitudes(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; a.len()];
    let mut carry = 0;
    for k in (0..a.len()).rev() {
        let sum = a[k] + b[k] + carry;
        out[k] = sum % 10;
        carry = sum / 10;
    }
    out
}

/// Digit-wise `a - b` of equal-length big-endian grids, where `a > b`.
fn subtract_magnitudes(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = vec![0u8; a.len()];
    let mut borrow = 0;
    for k in (0..a.len()).rev() {
        let subtrahend = b[k] + borrow;
        if a[k] >= subtrahend {
            out[k] = a[k] - subtrahend;
            borrow = 0;
        } else {
            out[k] = a[k] + 10 - subtrahend;
            borrow = 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::{Number, NumberError};

    fn n(text: &str) -> Number {
        text.parse().unwrap()
    }

    #[test]
    fn exact_sums_and_differences() {
        let cases = [
            (
                "1",
                "10000000000000000000000",
                "10000000000000000000001",
                "-9999999999999999999999",
            ),
            (
                "10000000000000000000000",
                "1",
                "10000000000000000000001",
                "9999999999999999999999",
            ),
            ("0.1", "0.2", "0.3", "-0.1"),
            ("1.5", "-1.5", "0", "3"),
            ("-1.5", "-1.5", "-3", "0"),
            ("0", "-7", "-7", "7"),
            ("-7", "0", "-7", "-7"),
            ("99.99", "0.01", "100", "99.98"),
            ("1E-130", "1E-130", "2E-130", "0"),
            (
                "123456789012345678901234567890.12345678",
                "0.00000001",
                "123456789012345678901234567890.12345679",
                "123456789012345678901234567890.12345677",
            ),
        ];
        for (a, b, sum, difference) in cases {
            assert_eq!(n(a).checked_add(&n(b)), Ok(n(sum)), "{a} + {b}");
            assert_eq!(n(a).checked_sub(&n(b)), Ok(n(difference)), "{a} - {b}");
        }
    }

    #[test]
    fn out_of_range_results() {
        let nines = "9.9999999999999999999999999999999999999E125";
        // Alternator's test_update_expression_plus_overflow.
        assert_eq!(
            n("9e125").checked_add(&n("9e125")),
            Err(NumberError::Overflow)
        );
        assert_eq!(
            n("9e125").checked_sub(&n("-9e125")),
            Err(NumberError::Overflow)
        );
        assert_eq!(n(nines).checked_add(&n("1E88")), Err(NumberError::Overflow));
        assert_eq!(
            n(&format!("-{nines}")).checked_sub(&n("1E88")),
            Err(NumberError::Overflow)
        );
        assert_eq!(
            n("1.1E-130").checked_sub(&n("1E-130")),
            Err(NumberError::Underflow)
        );
        // Alternator's test_update_expression_plus_imprecise: 1E50 ± 1 needs 51 digits.
        assert_eq!(
            n("1e50").checked_add(&n("1")),
            Err(NumberError::InexactResult)
        );
        assert_eq!(
            n("1e50").checked_sub(&n("1")),
            Err(NumberError::InexactResult)
        );
        // 1E125 + 1E-12 needs 138 digits.
        assert_eq!(
            n("1E125").checked_add(&n("1E-12")),
            Err(NumberError::InexactResult)
        );
        // 38 nines + 1 is 1E38: one digit, fine.
        assert_eq!(
            n("99999999999999999999999999999999999999").checked_add(&n("1")),
            Ok(n("1E38"))
        );
    }
}
