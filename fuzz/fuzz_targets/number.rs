//! DynamoDB numbers: parsing arbitrary text, the canonical text and key bytes round trips,
//! numeric order against key-byte order, exact `+`/`-` on pairs, and decoding arbitrary
//! key bytes. Input: up to two numbers separated by `|`; the raw bytes are also decoded as
//! key bytes.

#![no_main]

use std::cmp::Ordering;

use libfuzzer_sys::fuzz_target;
use strata_number::{MAX_KEY_BYTES, Number};

/// Checks one number on its own and returns it.
fn single(text: &str) -> Option<Number> {
    let number = Number::parse(text).ok()?;
    let canonical = number.to_string();
    assert_eq!(
        Number::parse(&canonical),
        Ok(number),
        "{text:?} -> {canonical:?}"
    );
    let key = number.to_key_bytes();
    assert!(key.len() <= MAX_KEY_BYTES, "{text:?}");
    assert_eq!(Number::from_key_bytes(&key), Ok(number), "{text:?}");
    assert!(number.size_bytes() <= 22, "{text:?}");
    assert_eq!(number.negated().negated(), number);
    Some(number)
}

fn pair(a: Number, b: Number) {
    let order = a.cmp(&b);
    assert_eq!(order, a.to_key_bytes().cmp(&b.to_key_bytes()), "{a} vs {b}");
    assert_eq!(order == Ordering::Equal, a == b, "{a} vs {b}");
    assert_eq!(order, b.cmp(&a).reverse(), "{a} vs {b}");

    let sum = a.checked_add(&b);
    assert_eq!(sum, b.checked_add(&a), "{a} + {b}");
    if let Ok(sum) = sum {
        // Exact arithmetic: undoing an exact sum gives back an operand that is valid.
        assert_eq!(sum.checked_sub(&b), Ok(a), "{a} + {b} = {sum}");
        assert_eq!(sum.checked_sub(&a), Ok(b), "{a} + {b} = {sum}");
        if !b.is_zero() {
            let expected = if b.is_negative() {
                Ordering::Less
            } else {
                Ordering::Greater
            };
            assert_eq!(sum.cmp(&a), expected, "{a} + {b} = {sum}");
        }
    }
    let difference = a.checked_sub(&b);
    assert_eq!(
        difference.map(|d| d.negated()),
        b.checked_sub(&a),
        "{a} - {b}"
    );
}

fuzz_target!(|data: &[u8]| {
    if let Ok((number, used)) = Number::decode_key_prefix(data) {
        // Only canonical encodings decode.
        assert_eq!(number.to_key_bytes(), data[..used], "{data:?}");
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut parts = text.splitn(2, '|');
    let a = parts.next().and_then(single);
    let b = parts.next().and_then(single);
    if let (Some(a), Some(b)) = (a, b) {
        pair(a, b);
        pair(a, a);
        pair(a, a.negated());
    }
});
