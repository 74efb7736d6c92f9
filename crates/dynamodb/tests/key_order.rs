//! Storage order is DynamoDB's sort order: the encoded `(partition, sort)` keys compare as
//! the values do — strings and binaries by bytes, numbers by value, partition first.

use std::cmp::Ordering;

use proptest::prelude::*;
use strata_dynamodb::key::encode_key_value;
use strata_dynamodb_item::AttributeValue;
use strata_number::Number;

fn enc(values: &[&AttributeValue]) -> Vec<u8> {
    let mut out = Vec::new();
    for v in values {
        encode_key_value(v, &mut out);
    }
    out
}

fn number() -> impl Strategy<Value = Number> {
    (any::<bool>(), 1u64..1_000_000_000_000, -130i32..100).prop_map(
        |(negative, digits, exponent)| {
            let sign = if negative { "-" } else { "" };
            Number::parse(&format!("{sign}{digits}e{exponent}")).unwrap_or(Number::ZERO)
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn binary_pairs_sort_partition_first(
        a in proptest::collection::vec(any::<u8>(), 0..6),
        b in proptest::collection::vec(any::<u8>(), 0..6),
        x in proptest::collection::vec(any::<u8>(), 0..6),
        y in proptest::collection::vec(any::<u8>(), 0..6),
    ) {
        let (pa, pb) = (AttributeValue::B(a.clone()), AttributeValue::B(b.clone()));
        let (sx, sy) = (AttributeValue::B(x.clone()), AttributeValue::B(y.clone()));
        let expected = a.cmp(&b).then(x.cmp(&y));
        prop_assert_eq!(enc(&[&pa, &sx]).cmp(&enc(&[&pb, &sy])), expected);
    }

    #[test]
    fn numbers_sort_by_value(a in number(), b in number()) {
        let (x, y) = (AttributeValue::N(a), AttributeValue::N(b));
        prop_assert_eq!(enc(&[&x]).cmp(&enc(&[&y])), a.cmp(&b));
    }

    #[test]
    fn strings_sort_by_utf8_bytes(a in ".{0,8}", b in ".{0,8}") {
        let expected: Ordering = a.as_bytes().cmp(b.as_bytes());
        let (x, y) = (AttributeValue::S(a), AttributeValue::S(b));
        prop_assert_eq!(enc(&[&x]).cmp(&enc(&[&y])), expected);
    }
}
