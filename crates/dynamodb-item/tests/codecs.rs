//! Property tests of the two item codecs: any item survives the storage encoding and the
//! wire JSON unchanged.

use std::collections::BTreeMap;

use proptest::prelude::*;
use strata_dynamodb_item::{
    AttributeValue, Item, decode_item, encode_item, item_from_json, item_to_json,
};
use strata_number::Number;

fn number() -> impl Strategy<Value = Number> {
    (any::<bool>(), 1u64..10_000_000_000, -20i32..20).prop_map(|(negative, digits, exponent)| {
        let sign = if negative { "-" } else { "" };
        Number::parse(&format!("{sign}{digits}e{exponent}")).expect("in range")
    })
}

fn scalar() -> impl Strategy<Value = AttributeValue> {
    prop_oneof![
        ".{0,12}".prop_map(AttributeValue::S),
        number().prop_map(AttributeValue::N),
        proptest::collection::vec(any::<u8>(), 0..12).prop_map(AttributeValue::B),
        any::<bool>().prop_map(AttributeValue::Bool),
        Just(AttributeValue::Null),
        proptest::collection::btree_set(".{0,6}", 1..4)
            .prop_map(|s| AttributeValue::Ss(s.into_iter().collect())),
        proptest::collection::btree_set(-1000i64..1000, 1..4).prop_map(|s| AttributeValue::Ns(
            s.into_iter()
                .map(|n| Number::parse(&n.to_string()).expect("integer"))
                .collect()
        )),
        proptest::collection::btree_set(proptest::collection::vec(any::<u8>(), 0..4), 1..4)
            .prop_map(|s| AttributeValue::Bs(s.into_iter().collect())),
    ]
}

fn value() -> impl Strategy<Value = AttributeValue> {
    scalar().prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(AttributeValue::L),
            proptest::collection::btree_map("[a-z]{1,4}", inner, 0..4).prop_map(AttributeValue::M),
        ]
    })
}

fn item() -> impl Strategy<Value = Item> {
    proptest::collection::btree_map("[a-zA-Z0-9_]{1,8}", value(), 0..6)
        .prop_map(|m: BTreeMap<String, AttributeValue>| m)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn storage_encoding_round_trips(item in item()) {
        let mut bytes = Vec::new();
        encode_item(&item, &mut bytes);
        prop_assert_eq!(decode_item(&bytes), Ok(item));
    }

    #[test]
    fn wire_json_round_trips(item in item()) {
        let json = item_to_json(&item);
        prop_assert_eq!(item_from_json(&json), Ok(item));
    }
}
