//! Proptest strategies for attribute values and items of every type (feature `strategies`),
//! shared by the property tests of the crates that read and write items.

use std::collections::BTreeMap;

use proptest::prelude::*;
use strata_number::Number;

use crate::{AttributeValue, Item};

pub fn number() -> impl Strategy<Value = Number> {
    (any::<bool>(), 1u64..10_000_000_000, -20i32..20).prop_map(|(negative, digits, exponent)| {
        let sign = if negative { "-" } else { "" };
        Number::parse(&format!("{sign}{digits}e{exponent}")).expect("in range")
    })
}

pub fn scalar() -> impl Strategy<Value = AttributeValue> {
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

pub fn value() -> impl Strategy<Value = AttributeValue> {
    scalar().prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(AttributeValue::L),
            proptest::collection::btree_map("[a-z]{1,4}", inner, 0..4).prop_map(AttributeValue::M),
        ]
    })
}

pub fn item() -> impl Strategy<Value = Item> {
    proptest::collection::btree_map("[a-zA-Z0-9_]{1,8}", value(), 0..6)
        .prop_map(|m: BTreeMap<String, AttributeValue>| m)
}
