//! Order-preserving key bytes: comparing encodings byte-wise gives numeric order, and every
//! encoding is self-delimiting, so it can be followed by more key parts.
//!
//! Format (at most [`MAX_KEY_BYTES`] bytes):
//!
//! * zero: the single byte `0x02`.
//! * positive: `0x03`, then `exponent + 130` as one byte (the exponent range −130..=125 fills
//!   0..=255 exactly), then the significant digits in pairs, most significant first, each
//!   pair `p` (0..=99, an odd last digit padded with a 0) as the byte `p + 1`, then `0x00`.
//! * negative: `0x01`, then the positive body of the magnitude (exponent byte, pair bytes
//!   and terminator) with every byte complemented (`!b`).
//!
//! Why it sorts: tags order the signs. For positives a larger exponent is a larger number;
//! with equal exponents the digit strings compare as written, the terminator `0x00` sorting
//! below every pair byte so that a proper prefix (a shorter magnitude) sorts first, and a
//! pad digit 0 sorts no higher than the real digit it stands beside. Complementing a
//! prefix-free code reverses its order, which is what negatives need.

use crate::{KeyDecodeError, MAX_SIGNIFICANT_DIGITS, MIN_EXPONENT, Number};

/// The longest encoding: tag, exponent, 19 pairs, terminator.
pub const MAX_KEY_BYTES: usize = 3 + MAX_SIGNIFICANT_DIGITS / 2;

const TAG_NEGATIVE: u8 = 0x01;
const TAG_ZERO: u8 = 0x02;
const TAG_POSITIVE: u8 = 0x03;
const TERMINATOR: u8 = 0x00;

impl Number {
    /// The order-preserving key bytes of this number.
    pub fn to_key_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(MAX_KEY_BYTES);
        self.write_key_bytes(&mut out);
        out
    }

    /// Appends the key bytes to `out` (for composite keys).
    pub fn write_key_bytes(&self, out: &mut Vec<u8>) {
        if self.is_zero() {
            out.push(TAG_ZERO);
            return;
        }
        out.push(if self.negative {
            TAG_NEGATIVE
        } else {
            TAG_POSITIVE
        });
        let body_start = out.len();
        out.push((self.exponent() - MIN_EXPONENT) as u8);
        for pair in self.significant_digits().chunks(2) {
            let value = pair[0] * 10 + pair.get(1).copied().unwrap_or(0);
            out.push(value + 1);
        }
        out.push(TERMINATOR);
        if self.negative {
            for byte in &mut out[body_start..] {
                *byte = !*byte;
            }
        }
    }

    /// Decodes exactly one encoding that spans all of `bytes`.
    pub fn from_key_bytes(bytes: &[u8]) -> Result<Number, KeyDecodeError> {
        let (number, used) = Number::decode_key_prefix(bytes)?;
        if used != bytes.len() {
            return Err(KeyDecodeError("trailing bytes after the number"));
        }
        Ok(number)
    }

    /// Decodes the encoding at the start of `bytes`, returning it and how many bytes it used.
    /// Only canonical encodings (those [`Number::to_key_bytes`] produces) are accepted.
    pub fn decode_key_prefix(bytes: &[u8]) -> Result<(Number, usize), KeyDecodeError> {
        let negative = match bytes.first() {
            None => return Err(KeyDecodeError("empty")),
            Some(&TAG_ZERO) => return Ok((Number::ZERO, 1)),
            Some(&TAG_NEGATIVE) => true,
            Some(&TAG_POSITIVE) => false,
            Some(_) => return Err(KeyDecodeError("unknown sign tag")),
        };
        let body = |k: usize| bytes.get(k).map(|&b| if negative { !b } else { b });
        let exponent_byte = body(1).ok_or(KeyDecodeError("missing exponent"))?;
        let mut digits = [0u8; MAX_SIGNIFICANT_DIGITS];
        let mut len = 0usize;
        let mut k = 2;
        loop {
            let byte = body(k).ok_or(KeyDecodeError("missing terminator"))?;
            k += 1;
            if byte == TERMINATOR {
                break;
            }
            if byte > 100 {
                return Err(KeyDecodeError("digit pair out of range"));
            }
            if len + 2 > MAX_SIGNIFICANT_DIGITS {
                return Err(KeyDecodeError("more than 38 digits"));
            }
            let value = byte - 1;
            digits[len] = value / 10;
            digits[len + 1] = value % 10;
            len += 2;
        }
        if len == 0 {
            return Err(KeyDecodeError("no digits"));
        }
        if digits[0] == 0 {
            return Err(KeyDecodeError("leading zero digit"));
        }
        if digits[len - 1] == 0 {
            // Only a single pad digit may follow the last significant digit.
            len -= 1;
            if digits[len - 1] == 0 {
                return Err(KeyDecodeError("trailing zero digit"));
            }
        }
        let exponent = i64::from(exponent_byte) + i64::from(MIN_EXPONENT);
        let number = Number::from_digits(negative, &digits[..len], exponent)
            .map_err(|_| KeyDecodeError("not a valid number"))?;
        Ok((number, k))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(text: &str) -> Vec<u8> {
        text.parse::<Number>().unwrap().to_key_bytes()
    }

    #[test]
    fn known_encodings() {
        assert_eq!(key("0"), [0x02]);
        assert_eq!(key("1"), [0x03, 130, 11, 0]);
        assert_eq!(key("12"), [0x03, 131, 13, 0]);
        assert_eq!(key("123"), [0x03, 132, 13, 31, 0]);
        assert_eq!(key("1E-130"), [0x03, 0, 11, 0]);
        assert_eq!(key("1E125"), [0x03, 255, 11, 0]);
        assert_eq!(key("-1"), [0x01, !130, !11, 0xFF]);
        let max = key("9.9999999999999999999999999999999999999E125");
        assert_eq!(max.len(), MAX_KEY_BYTES);
        assert_eq!(
            key("1.0000000000000000000000000000000000001").len(),
            MAX_KEY_BYTES
        );
    }

    #[test]
    fn refuses_non_canonical_bytes() {
        for bytes in [
            &[][..],
            &[0x00],
            &[0x04],
            &[0x03],
            &[0x03, 130],
            &[0x03, 130, 0],        // no digits
            &[0x03, 130, 11],       // no terminator
            &[0x03, 130, 1, 0],     // leading zero (pair 00)
            &[0x03, 130, 6, 0],     // leading zero (pair 05)
            &[0x03, 130, 11, 1, 0], // trailing zero pair
            &[0x03, 130, 101, 0],   // pair 100
            &[0x03, 130, 11, 0, 0], // trailing bytes
            &[0x02, 0x02],
        ] {
            assert!(Number::from_key_bytes(bytes).is_err(), "{bytes:?}");
        }
        let too_long: Vec<u8> = [0x03, 130].into_iter().chain([12; 20]).chain([0]).collect();
        assert!(Number::from_key_bytes(&too_long).is_err());
    }

    #[test]
    fn prefix_decoding_reports_length() {
        let mut bytes = key("-12.5");
        let first_len = bytes.len();
        bytes.extend(key("7"));
        let (number, used) = Number::decode_key_prefix(&bytes).unwrap();
        assert_eq!(number, "-12.5".parse().unwrap());
        assert_eq!(used, first_len);
        assert_eq!(
            Number::from_key_bytes(&bytes[used..]).unwrap(),
            Number::from(7)
        );
    }
}
