//! The bytes a Number counts towards DynamoDB's 400 KB item size (and capacity units).
//!
//! AWS documents "approximately (number of significant digits / 2) + 1 bytes" (Developer
//! Guide, item sizes). UNCONFIRMED model: the value is stored as base-100 digits aligned on
//! the decimal point (like Oracle NUMBER), plus one exponent byte, plus one byte for a
//! negative sign. This reproduces AWS's worked examples (27 → 2, −27 → 3, 461 → 3) and the
//! rule dynoxide (PR #195) measured against DynamoDB — one byte, plus ⌈integer significant
//! digits / 2⌉, plus ⌈fraction significant digits / 2⌉, plus one if negative; 1.5 → 3 — but neither source
//! settles zeros inside a digit pair boundary (e.g. 1001000 → 4 here); zero is 1 byte.

use crate::Number;

impl Number {
    /// Size in bytes for item-size accounting (the attribute name is counted by the caller).
    pub fn size_bytes(&self) -> usize {
        if self.is_zero() {
            return 1;
        }
        let first = i64::from(self.exponent);
        let last = first - (self.significant_digits().len() as i64 - 1);
        let pairs = first.div_euclid(2) - last.div_euclid(2) + 1;
        1 + pairs as usize + usize::from(self.negative)
    }
}

#[cfg(test)]
mod tests {
    use crate::Number;

    #[test]
    fn sizes() {
        let cases = [
            ("0", 1),
            ("1", 2),
            ("27", 2),
            ("-27", 3),
            ("461", 3),
            ("1000", 2),
            ("1E125", 2),
            ("1E-130", 2),
            ("1.5", 3),
            ("15", 2),
            ("0.05", 2),
            ("0.5", 2),
            ("0.123", 3),
            ("1786461547", 6),
            ("1001000", 4),
            ("99999999999999999999999999999999999999", 20),
            ("9.9999999999999999999999999999999999999", 21),
            ("-9.9999999999999999999999999999999999999", 22),
        ];
        for (text, size) in cases {
            assert_eq!(text.parse::<Number>().unwrap().size_bytes(), size, "{text}");
        }
    }
}
