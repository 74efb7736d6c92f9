//! DynamoDB expressions from arbitrary text: every parser (condition, filter, key
//! condition, projection, update) either refuses the text or yields a tree that can be
//! checked, evaluated and applied to a small fixed item without panicking. The same
//! fixture as `crates/expression/src/tests/fuzz.rs`.

#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use strata_dynamodb_item::{AttributeValue, Item};
use strata_expression::{
    ConditionKind, ExpressionAttributes, parse_condition, parse_key_conditions, parse_projection,
    parse_update,
};
use strata_number::Number;

fn number(text: &str) -> Number {
    Number::parse(text).expect("fixture numbers are valid")
}

fn n(text: &str) -> AttributeValue {
    AttributeValue::N(number(text))
}

fn s(text: &str) -> AttributeValue {
    AttributeValue::S(text.to_owned())
}

fn attributes() -> ExpressionAttributes {
    let names = [("#n", "a"), ("#m", "l"), ("#k", "pk")]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    let values: BTreeMap<String, AttributeValue> = [
        (":v", n("1")),
        (":w", s("x")),
        (":l", AttributeValue::L(vec![n("2")])),
        (":s", AttributeValue::Ss(vec!["q".into()])),
        (":b", AttributeValue::B(vec![0, 1])),
        (":t", AttributeValue::Bool(true)),
        (":z", AttributeValue::Null),
        (":ns", AttributeValue::Ns(vec![number("1"), number("-2.5")])),
        (":m", AttributeValue::M([("a".to_owned(), n("9"))].into())),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    ExpressionAttributes::new(Some(names), Some(values))
}

fn sample() -> Item {
    let map = |pairs: Vec<(&str, AttributeValue)>| -> BTreeMap<String, AttributeValue> {
        pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
    };
    map(vec![
        ("pk", s("p")),
        ("a", n("3")),
        ("b", s("x")),
        (
            "l",
            AttributeValue::L(vec![n("1"), AttributeValue::M(map(vec![("a", n("1"))]))]),
        ),
        (
            "m",
            AttributeValue::M(map(vec![(
                "a",
                AttributeValue::Ss(vec!["q".into(), "r".into()]),
            )])),
        ),
        ("ns", AttributeValue::Ns(vec![number("1"), number("7")])),
        ("bs", AttributeValue::Bs(vec![vec![1], vec![2, 3]])),
        ("t", AttributeValue::Bool(false)),
        ("z", AttributeValue::Null),
    ])
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let item = sample();
    for kind in [ConditionKind::Condition, ConditionKind::Filter] {
        let mut attrs = attributes();
        if let Ok(condition) = parse_condition(text, kind, &mut attrs) {
            condition.evaluate(&item);
            condition.evaluate(&Item::new());
            condition.top_level_attributes();
            let _ = attrs.check_all_used();
        }
    }
    if let Ok(keys) = parse_key_conditions(text, &mut attributes()) {
        // Single-attribute keys, and a multi-attribute one (up to four of each).
        let schemas: [(&[(&str, &str)], &[(&str, &str)]); 4] = [
            (&[("a", "N")], &[("b", "S")]),
            (&[("pk", "S")], &[("a", "N")]),
            (&[("pk", "S")], &[]),
            (&[("pk", "S"), ("a", "N")], &[("b", "S"), ("c", "N")]),
        ];
        for (partition, sort) in schemas {
            if let Ok(key) = keys.for_schema(partition, sort) {
                for (name, condition) in &key.sort {
                    if let Some(value) = item.get(name) {
                        condition.matches(value);
                    }
                }
            }
        }
    }
    if let Ok(projection) = parse_projection(text, &mut attributes()) {
        let projected = projection.apply(&item);
        // A projection only ever keeps attributes the item has.
        assert!(projected.keys().all(|k| item.contains_key(k)), "{text:?}");
        projection.top_level_attributes();
    }
    if let Ok(update) = parse_update(text, &mut attributes()) {
        for start in [item.clone(), Item::new()] {
            let mut target = start;
            let _ = update.apply(&mut target);
        }
        update.updated_paths();
        update.top_level_attributes();
    }
});
