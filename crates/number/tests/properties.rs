//! Property tests: key bytes sort like numbers and round-trip, text round-trips, and
//! `+`/`-`/ordering agree with `bigdecimal` as an exact oracle. Nothing panics on any input.

use std::str::FromStr;

use bigdecimal::BigDecimal;
use proptest::prelude::*;
use strata_number::{MAX_EXPONENT, MIN_EXPONENT, Number, NumberError};

/// Valid numbers, biased towards overlapping magnitudes (so sums interact), the range
/// boundaries and the 38-digit limit.
fn number() -> impl Strategy<Value = Number> {
    let exponent = prop_oneof![
        MIN_EXPONENT..=MAX_EXPONENT,
        -6i32..=6,
        prop::sample::select(vec![
            MIN_EXPONENT,
            MIN_EXPONENT + 1,
            MAX_EXPONENT - 1,
            MAX_EXPONENT
        ]),
    ];
    let digits = prop_oneof![
        prop::collection::vec(0u8..=9, 1..=38),
        prop::collection::vec(0u8..=9, 36..=38),
        prop::collection::vec(prop::sample::select(vec![0u8, 9]), 1..=38),
    ];
    let nonzero =
        (any::<bool>(), 1u8..=9, digits, exponent).prop_map(|(negative, lead, rest, exponent)| {
            let mut text = String::new();
            if negative {
                text.push('-');
            }
            text.push(char::from(b'0' + lead));
            text.push('.');
            // The first digit counts towards the 38.
            text.extend(rest.iter().take(37).map(|d| char::from(b'0' + d)));
            text.push_str(&format!("E{exponent}"));
            Number::from_str(&text).unwrap_or_else(|e| panic!("{text}: {e}"))
        });
    prop_oneof![1 => Just(Number::ZERO), 30 => nonzero]
}

fn oracle(n: &Number) -> BigDecimal {
    BigDecimal::from_str(&n.to_string()).expect("canonical text is valid BigDecimal text")
}

/// What DynamoDB's rules say about an exact result.
fn expected(exact: &BigDecimal) -> Result<BigDecimal, NumberError> {
    if bigdecimal::Zero::is_zero(exact) {
        return Ok(exact.clone());
    }
    let (integer, scale) = exact.normalized().as_bigint_and_exponent();
    let digits = integer.magnitude().to_string().len() as i64;
    let exponent = digits - 1 - scale;
    if exponent > i64::from(MAX_EXPONENT) {
        Err(NumberError::Overflow)
    } else if exponent < i64::from(MIN_EXPONENT) {
        Err(NumberError::Underflow)
    } else if digits > 38 {
        Err(NumberError::InexactResult)
    } else {
        Ok(exact.clone())
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn key_order_is_numeric_order(a in number(), b in number()) {
        prop_assert_eq!(a.to_key_bytes().cmp(&b.to_key_bytes()), a.cmp(&b));
    }

    #[test]
    fn key_bytes_round_trip(a in number(), suffix in prop::collection::vec(any::<u8>(), 0..4)) {
        let bytes = a.to_key_bytes();
        prop_assert!(bytes.len() <= strata_number::MAX_KEY_BYTES);
        prop_assert_eq!(Number::from_key_bytes(&bytes), Ok(a));
        let mut longer = bytes.clone();
        longer.extend(&suffix);
        prop_assert_eq!(Number::decode_key_prefix(&longer), Ok((a, bytes.len())));
    }

    #[test]
    fn text_round_trips(a in number()) {
        let text = a.to_string();
        prop_assert_eq!(Number::from_str(&text), Ok(a));
        prop_assert_eq!(oracle(&a).normalized(), BigDecimal::from_str(&text).unwrap().normalized());
    }

    #[test]
    fn order_agrees_with_oracle(a in number(), b in number()) {
        prop_assert_eq!(a.cmp(&b), oracle(&a).cmp(&oracle(&b)));
        prop_assert_eq!(a == b, oracle(&a) == oracle(&b));
    }

    #[test]
    fn add_and_sub_agree_with_oracle(a in number(), b in number()) {
        let to_oracle = |r: Result<Number, NumberError>| r.map(|n| oracle(&n));
        prop_assert_eq!(to_oracle(a.checked_add(&b)), expected(&(oracle(&a) + oracle(&b))));
        prop_assert_eq!(to_oracle(a.checked_sub(&b)), expected(&(oracle(&a) - oracle(&b))));
    }

    #[test]
    fn random_text_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        let text = String::from_utf8_lossy(&bytes);
        if let Ok(n) = Number::from_str(&text) {
            prop_assert_eq!(Number::from_str(&n.to_string()), Ok(n));
        }
    }

    #[test]
    fn number_like_text_never_panics_and_agrees_with_oracle(text in "[-+]?[0-9.]{0,45}([eE][-+]?[0-9]{0,4})?") {
        match Number::from_str(&text) {
            Ok(n) => {
                prop_assert_eq!(Number::from_str(&n.to_string()), Ok(n));
                // Every accepted text is a number BigDecimal reads as the same value.
                let exact = BigDecimal::from_str(&text).unwrap();
                prop_assert_eq!(oracle(&n), exact);
            }
            Err(NumberError::NotANumber(t)) => prop_assert_eq!(t, text),
            Err(e) => {
                let exact = BigDecimal::from_str(&text).unwrap();
                let err = expected(&exact).unwrap_err();
                // Parse reports the digit limit with its own message.
                let err = if err == NumberError::InexactResult { NumberError::TooManyDigits } else { err };
                prop_assert_eq!(e, err);
            }
        }
    }

    #[test]
    fn random_key_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..24)) {
        if let Ok(n) = Number::from_key_bytes(&bytes) {
            prop_assert_eq!(n.to_key_bytes(), bytes);
        }
    }

    #[test]
    fn corrupted_key_bytes_never_panic(a in number(), at in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let mut bytes = a.to_key_bytes();
        let i = at.index(bytes.len());
        bytes[i] = byte;
        if let Ok(n) = Number::from_key_bytes(&bytes) {
            prop_assert_eq!(n.to_key_bytes(), bytes);
        }
    }

    #[test]
    fn size_is_bounded(a in number()) {
        let size = a.size_bytes();
        let digits = a.significant_digits().len();
        prop_assert!((1..=22).contains(&size));
        if !a.is_zero() {
            // Within one pair of AWS's "(significant digits / 2) + 1" (+1 for negatives).
            let documented = digits.div_ceil(2) + 1 + usize::from(a.is_negative());
            prop_assert!(size == documented || size == documented + 1, "{a}: {size} vs {documented}");
        }
    }
}
