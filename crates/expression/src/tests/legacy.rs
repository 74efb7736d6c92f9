//! The legacy parameters: Expected, QueryFilter/ScanFilter, AttributeUpdates,
//! AttributesToGet. Messages from dynalite's suite, captured against DynamoDB.

use strata_dynamodb_item::{AttributeValue, Item};

use super::{item, list, n, ns, s, ss};
use crate::legacy::{
    AttributeAction, AttributeValueUpdate, ComparisonOperator, Condition, ConditionalOperator,
    ExpectedAttributeValue, attribute_updates, attributes_to_get, expected_condition,
    filter_condition,
};

fn expected(value: Option<AttributeValue>, exists: Option<bool>) -> ExpectedAttributeValue {
    ExpectedAttributeValue {
        value,
        exists,
        ..ExpectedAttributeValue::default()
    }
}

/// Expected entries, ConditionalOperator, and whether the condition holds.
type ExpectedCase = (
    Vec<(&'static str, ExpectedAttributeValue)>,
    Option<ConditionalOperator>,
    bool,
);

fn expected_error(entry: ExpectedAttributeValue) -> String {
    expected_condition(&[("a".to_owned(), entry)], None)
        .unwrap_err()
        .to_string()
}

#[test]
fn expected_validation() {
    assert_eq!(
        expected_error(expected(None, None)),
        "One or more parameter values were invalid: Value must be provided when Exists is null for Attribute: a"
    );
    assert_eq!(
        expected_error(expected(None, Some(true))),
        "One or more parameter values were invalid: Value must be provided when Exists is true for Attribute: a"
    );
    assert_eq!(
        expected_error(expected(Some(s("a")), Some(false))),
        "One or more parameter values were invalid: Value cannot be used when Exists is false for Attribute: a"
    );
    assert_eq!(
        expected_error(ExpectedAttributeValue {
            comparison_operator: Some(ComparisonOperator::Eq),
            exists: Some(true),
            ..ExpectedAttributeValue::default()
        }),
        "One or more parameter values were invalid: Exists and ComparisonOperator cannot be used together for Attribute: a"
    );
    assert_eq!(
        expected_error(ExpectedAttributeValue {
            value: Some(s("a")),
            attribute_value_list: Some(vec![s("a")]),
            ..ExpectedAttributeValue::default()
        }),
        "One or more parameter values were invalid: Value and AttributeValueList cannot be used together for Attribute: a"
    );
    assert_eq!(
        expected_error(ExpectedAttributeValue {
            attribute_value_list: Some(vec![s("a")]),
            ..ExpectedAttributeValue::default()
        }),
        "One or more parameter values were invalid: AttributeValueList can only be used with a ComparisonOperator for Attribute: a"
    );
    assert_eq!(
        expected_error(ExpectedAttributeValue {
            comparison_operator: Some(ComparisonOperator::Gt),
            ..ExpectedAttributeValue::default()
        }),
        "One or more parameter values were invalid: Value or AttributeValueList must be used with ComparisonOperator: GT for Attribute: a"
    );
}

#[test]
fn expected_evaluation() {
    let present = item(vec![("a", s("x")), ("n", n("5"))]);
    let cases: Vec<ExpectedCase> = vec![
        (vec![("a", expected(Some(s("x")), None))], None, true),
        (vec![("a", expected(Some(s("y")), Some(true)))], None, false),
        (vec![("zz", expected(None, Some(false)))], None, true),
        (vec![("a", expected(None, Some(false)))], None, false),
        (
            vec![
                ("a", expected(None, Some(false))),
                (
                    "n",
                    ExpectedAttributeValue {
                        comparison_operator: Some(ComparisonOperator::Gt),
                        value: Some(n("4")),
                        ..ExpectedAttributeValue::default()
                    },
                ),
            ],
            Some(ConditionalOperator::Or),
            true,
        ),
        (
            vec![(
                "n",
                ExpectedAttributeValue {
                    comparison_operator: Some(ComparisonOperator::Between),
                    attribute_value_list: Some(vec![n("1"), n("5")]),
                    ..ExpectedAttributeValue::default()
                },
            )],
            None,
            true,
        ),
        (
            vec![(
                "zz",
                ExpectedAttributeValue {
                    comparison_operator: Some(ComparisonOperator::Null),
                    ..ExpectedAttributeValue::default()
                },
            )],
            None,
            true,
        ),
    ];
    for (entries, operator, result) in cases {
        let entries: Vec<(String, ExpectedAttributeValue)> = entries
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        let condition = expected_condition(&entries, operator).unwrap().unwrap();
        assert_eq!(condition.evaluate(&present), result, "{entries:?}");
    }
    assert!(expected_condition(&[], None).unwrap().is_none());
}

fn filter(
    entries: &[(&str, ComparisonOperator, Vec<AttributeValue>)],
) -> Result<crate::Condition, String> {
    let entries: Vec<(String, Condition)> = entries
        .iter()
        .map(|(name, op, values)| {
            (
                (*name).to_owned(),
                Condition {
                    comparison_operator: *op,
                    attribute_value_list: values.clone(),
                },
            )
        })
        .collect();
    filter_condition(&entries, None)
        .map(|c| c.expect("non-empty filter"))
        .map_err(|e| e.to_string())
}

#[test]
fn filters() {
    use ComparisonOperator as Op;
    let sample = item(vec![
        ("s", s("hello")),
        ("tags", ss(&["a", "b"])),
        ("nums", ns(&["1"])),
        ("l", list(vec![n("1")])),
    ]);
    let cases: Vec<(&str, Op, Vec<AttributeValue>, bool)> = vec![
        ("s", Op::Eq, vec![s("hello")], true),
        ("s", Op::Ne, vec![s("hello")], false),
        ("zz", Op::Ne, vec![s("hello")], true),
        ("s", Op::BeginsWith, vec![s("he")], true),
        ("s", Op::Contains, vec![s("ll")], true),
        ("tags", Op::Contains, vec![s("a")], true),
        ("nums", Op::Contains, vec![n("1")], true),
        ("l", Op::Contains, vec![n("1")], true),
        ("tags", Op::NotContains, vec![s("c")], true),
        ("zz", Op::NotContains, vec![s("c")], true),
        ("s", Op::In, vec![s("x"), s("hello")], true),
        ("s", Op::NotNull, vec![], true),
        ("s", Op::Null, vec![], false),
        ("s", Op::Gt, vec![s("a")], true),
        ("tags", Op::Eq, vec![ss(&["b", "a"])], true),
    ];
    for (name, op, values, result) in cases {
        let condition = filter(&[(name, op, values)]).unwrap();
        assert_eq!(condition.evaluate(&sample), result, "{name} {op:?}");
    }
    assert_eq!(
        filter(&[("a", Op::Eq, vec![])]).unwrap_err(),
        "One or more parameter values were invalid: Invalid number of argument(s) for the EQ ComparisonOperator"
    );
    assert_eq!(
        filter(&[("a", Op::Between, vec![s("b"), s("a")])]).unwrap_err(),
        "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound"
    );
}

fn updates(
    entries: Vec<(&str, Option<AttributeAction>, Option<AttributeValue>)>,
) -> Result<crate::Update, String> {
    let entries: Vec<(String, AttributeValueUpdate)> = entries
        .into_iter()
        .map(|(name, action, value)| (name.to_owned(), AttributeValueUpdate { action, value }))
        .collect();
    attribute_updates(&entries).map_err(|e| e.to_string())
}

#[test]
fn attribute_updates_validation() {
    assert_eq!(
        updates(vec![("a", None, None)]).unwrap_err(),
        "One or more parameter values were invalid: Only DELETE action is allowed when no attribute value is specified"
    );
    for value in [
        s("1"),
        n("1"),
        AttributeValue::Null,
        AttributeValue::Bool(true),
        list(vec![]),
    ] {
        let type_name = value.type_name();
        assert_eq!(
            updates(vec![("a", Some(AttributeAction::Delete), Some(value))]).unwrap_err(),
            format!(
                "One or more parameter values were invalid: DELETE action with value is not supported for the type {type_name}"
            )
        );
    }
    for value in [
        s("1"),
        AttributeValue::B(vec![1]),
        AttributeValue::Null,
        AttributeValue::Bool(true),
    ] {
        let type_name = value.type_name();
        assert_eq!(
            updates(vec![("a", Some(AttributeAction::Add), Some(value))]).unwrap_err(),
            format!(
                "One or more parameter values were invalid: ADD action is not supported for the type {type_name}"
            )
        );
    }
}

#[test]
fn attribute_updates_apply() {
    let start = item(vec![
        ("b", ss(&["a", "b"])),
        ("c", n("1")),
        ("d", ns(&["1"])),
        ("l", list(vec![s("a")])),
        ("gone", s("x")),
    ]);
    let update = updates(vec![
        ("b", Some(AttributeAction::Add), Some(ss(&["b", "c"]))),
        ("c", Some(AttributeAction::Add), Some(n("3"))),
        ("d", Some(AttributeAction::Delete), Some(ns(&["1"]))),
        ("l", Some(AttributeAction::Add), Some(list(vec![s("b")]))),
        ("gone", Some(AttributeAction::Delete), None),
        ("new", None, Some(s("v"))),
        ("counter", Some(AttributeAction::Add), Some(n("5"))),
    ])
    .unwrap();
    let mut result = start.clone();
    update.apply(&mut result).unwrap();
    assert_eq!(
        result,
        item(vec![
            ("b", ss(&["a", "b", "c"])),
            ("c", n("4")),
            ("l", list(vec![s("a"), s("b")])),
            ("new", s("v")),
            ("counter", n("5")),
        ])
    );
    for (name, action, value) in [
        ("b", AttributeAction::Delete, ns(&["1"])),
        ("c", AttributeAction::Delete, ns(&["1"])),
        ("b", AttributeAction::Add, ns(&["1"])),
        ("d", AttributeAction::Add, n("1")),
    ] {
        let update = updates(vec![(name, Some(action), Some(value))]).unwrap();
        let mut target: Item = start.clone();
        assert_eq!(
            update.apply(&mut target).unwrap_err().to_string(),
            "Type mismatch for attribute to update"
        );
        assert_eq!(target, start);
    }
}

#[test]
fn attributes_to_get_refuses_duplicates() {
    let names = vec!["a".to_owned(), "b".to_owned(), "a".to_owned()];
    assert_eq!(
        attributes_to_get(&names).unwrap_err().to_string(),
        "One or more parameter values were invalid: Duplicate value in attribute name: a"
    );
    let projection = attributes_to_get(&names[..2]).unwrap();
    let sample = item(vec![("a", n("1")), ("c", n("3"))]);
    assert_eq!(projection.apply(&sample), item(vec![("a", n("1"))]));
}
