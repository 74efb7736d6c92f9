//! Evaluating conditions against elems.

use strata_dynamodb_item::{AttributeValue, Item};

use super::{attrs, item, list, map, n, ns, s, ss};
use crate::{ConditionKind, parse_condition};

fn sample() -> Item {
    item(vec![
        ("pk", s("user#1")),
        ("age", n("42")),
        ("name", s("Ada Lovelace")),
        ("tags", ss(&["admin", "dev"])),
        ("scores", ns(&["1", "2.5"])),
        ("bin", AttributeValue::B(vec![1, 2, 3])),
        ("active", AttributeValue::Bool(true)),
        ("nothing", AttributeValue::Null),
        (
            "elems",
            list(vec![s("a"), n("2"), map(vec![("k", s("v"))])]),
        ),
        (
            "address",
            map(vec![("city", s("Paris")), ("zip", s("75001"))]),
        ),
    ])
}

fn holds(expression: &str, values: &[(&str, AttributeValue)], item: &Item) -> bool {
    let mut attributes = attrs(&[("#n", "name")], values);
    let condition = parse_condition(expression, ConditionKind::Condition, &mut attributes)
        .unwrap_or_else(|e| panic!("{expression}: {e}"));
    condition.evaluate(item)
}

#[test]
fn table() {
    let values = vec![
        (":age", n("42.0")),
        (":young", n("18")),
        (":old", n("99")),
        (":ada", s("Ada")),
        (":name", s("Ada Lovelace")),
        (":admin", s("admin")),
        (":dev", s("dev")),
        (":paris", s("Paris")),
        (":two", n("2")),
        (":three", n("3")),
        (":S", s("S")),
        (":SS", s("SS")),
        (":M", s("M")),
        (":NULL", s("NULL")),
        (":b12", AttributeValue::B(vec![1, 2])),
        (":b23", AttributeValue::B(vec![2, 3])),
        (":tags", ss(&["dev", "admin"])),
        (":true", AttributeValue::Bool(true)),
        (":k", map(vec![("k", s("v"))])),
    ];
    let cases: &[(&str, bool)] = &[
        ("age = :age", true),
        ("age <> :age", false),
        ("age < :old AND age > :young", true),
        ("age <= :age AND age >= :age", true),
        ("age BETWEEN :young AND :old", true),
        ("age BETWEEN :young AND :young", false),
        ("age IN (:young, :age)", true),
        ("age IN (:young, :old)", false),
        ("#n = :name", true),
        ("#n > :ada", true),
        ("#n < :ada", false),
        ("age < :ada", false),
        ("age <> :ada", true),
        ("gone = :age", false),
        ("gone <> :age", true),
        ("gone < :age", false),
        ("NOT gone = :age", true),
        ("attribute_exists(address.city)", true),
        ("attribute_exists(address.country)", false),
        ("attribute_not_exists(address.country)", true),
        ("attribute_exists(elems[2].k)", true),
        ("attribute_exists(elems[3])", false),
        ("address.city = :paris", true),
        ("elems[1] = :two", true),
        ("attribute_type(#n, :S)", true),
        ("attribute_type(tags, :SS)", true),
        ("attribute_type(address, :M)", true),
        ("attribute_type(nothing, :NULL)", true),
        ("attribute_type(gone, :S)", false),
        ("begins_with(#n, :ada)", true),
        ("begins_with(bin, :b12)", true),
        ("begins_with(bin, :b23)", false),
        ("begins_with(age, :ada)", false),
        ("contains(#n, :ada)", true),
        ("contains(tags, :admin)", true),
        ("contains(tags, :two)", false),
        ("contains(scores, :two)", false),
        ("contains(elems, :two)", true),
        ("contains(elems, :k)", true),
        ("contains(bin, :b23)", true),
        ("size(#n) = :two", false),
        ("size(tags) = :two", true),
        ("size(elems) > :two", true),
        ("size(address) = :two", true),
        ("size(bin) = :three", true),
        ("size(age) = :two", false),
        ("size(gone) = :two", false),
        ("tags = :tags", true),
        ("active = :true", true),
        ("active = :true OR gone = :age", true),
        ("active = :true AND gone = :age", false),
        ("NOT (active = :true AND gone = :age)", true),
        ("age = :age AND (#n = :ada OR contains(tags, :dev))", true),
        ("pk = pk2", false),
        ("age > scores", false),
    ];
    let sample = sample();
    for (expression, expected) in cases {
        assert_eq!(
            holds(expression, &values, &sample),
            *expected,
            "{expression}"
        );
    }
}

#[test]
fn a_missing_item_is_empty() {
    let empty = Item::new();
    assert!(holds("attribute_not_exists(pk)", &[], &empty));
    assert!(!holds("attribute_exists(pk)", &[], &empty));
    assert!(!holds("pk = :v", &[(":v", s("x"))], &empty));
}

#[test]
fn size_of_strings_counts_utf8_bytes() {
    let sample = item(vec![("word", s("héllo"))]);
    assert!(holds("size(word) = :six", &[(":six", n("6"))], &sample));
}

#[test]
fn referenced_attributes() {
    let mut attributes = attrs(&[("#n", "name")], &[(":v", n("1"))]);
    let condition = parse_condition(
        "a.b = :v AND (size(#n) > :v OR attribute_exists(c[0])) AND a = :v",
        ConditionKind::Filter,
        &mut attributes,
    )
    .unwrap();
    assert_eq!(condition.top_level_attributes(), vec!["a", "name", "c"]);
}
