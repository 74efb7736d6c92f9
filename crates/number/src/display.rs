//! Canonical text: what DynamoDB returns for a stored Number.
//!
//! DynamoDB answers in plain decimal notation with no exponent, no `+`, no leading or
//! trailing zeros and no `-0` (`1E+3` → `1000`, `0.50` → `0.5`, `+1e2` → `100`; dynoxide #109
//! records these against DynamoDB). Large and tiny magnitudes are written out in full.

use std::fmt;

use crate::Number;

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_zero() {
            return f.write_str("0");
        }
        let mut text = String::with_capacity(136);
        if self.negative {
            text.push('-');
        }
        let digits = self.significant_digits();
        let digit = |d: &u8| char::from(b'0' + d);
        let exponent = self.exponent();
        if exponent >= 0 {
            let integer_len = exponent as usize + 1;
            for k in 0..integer_len {
                text.push(digits.get(k).map_or('0', digit));
            }
            if digits.len() > integer_len {
                text.push('.');
                text.extend(digits[integer_len..].iter().map(digit));
            }
        } else {
            text.push_str("0.");
            for _ in 0..(-exponent - 1) {
                text.push('0');
            }
            text.extend(digits.iter().map(digit));
        }
        f.write_str(&text)
    }
}
