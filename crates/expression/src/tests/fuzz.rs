//! No input makes a parser panic, and whatever parses can be evaluated and applied
//! without panicking.

use proptest::prelude::*;

use super::{attrs, item, list, map, n, s, ss};
use crate::{ConditionKind, parse_condition, parse_key_conditions, parse_projection, parse_update};

const TOKENS: &[&str] = &[
    "a",
    "b",
    "l",
    "m",
    "#n",
    "#m",
    ":v",
    ":w",
    ":l",
    ":s",
    "0",
    "1",
    "5",
    "(",
    ")",
    "[",
    "]",
    ",",
    ".",
    "+",
    "-",
    "=",
    "<>",
    "<",
    "<=",
    ">",
    ">=",
    "AND",
    "OR",
    "NOT",
    "BETWEEN",
    "IN",
    "SET",
    "REMOVE",
    "ADD",
    "DELETE",
    "size",
    "contains",
    "begins_with",
    "attribute_exists",
    "attribute_not_exists",
    "attribute_type",
    "if_not_exists",
    "list_append",
    "status",
    " ",
    "\"",
    "ü",
    "#",
    ":",
];

fn exercise(text: &str) {
    let values = [
        (":v", n("1")),
        (":w", s("x")),
        (":l", list(vec![n("2")])),
        (":s", ss(&["q"])),
    ];
    let names = [("#n", "a"), ("#m", "l")];
    let sample = item(vec![
        ("a", n("3")),
        ("b", s("x")),
        ("l", list(vec![n("1"), map(vec![("a", n("1"))])])),
        ("m", map(vec![("a", ss(&["q", "r"]))])),
    ]);
    for kind in [ConditionKind::Condition, ConditionKind::Filter] {
        if let Ok(condition) = parse_condition(text, kind, &mut attrs(&names, &values)) {
            condition.evaluate(&sample);
        }
    }
    if let Ok(keys) = parse_key_conditions(text, &mut attrs(&names, &values)) {
        let _ = keys.for_schema(&[("a", "N")], &[("b", "S")]);
        let _ = keys.for_schema(&[("a", "N"), ("c", "S")], &[("b", "S"), ("d", "N")]);
    }
    if let Ok(projection) = parse_projection(text, &mut attrs(&names, &values)) {
        projection.apply(&sample);
    }
    if let Ok(update) = parse_update(text, &mut attrs(&names, &values)) {
        let mut target = sample.clone();
        let _ = update.apply(&mut target);
        update.updated_paths();
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_strings(text in "\\PC{0,80}") {
        exercise(&text);
    }

    #[test]
    fn token_soups(tokens in prop::collection::vec(prop::sample::select(TOKENS), 0..40)) {
        exercise(&tokens.join(" "));
        exercise(&tokens.concat());
    }
}

#[test]
fn pathological_inputs() {
    for text in [
        "(".repeat(4000),
        format!("{}a=:v{}", "(".repeat(2000), ")".repeat(2000)),
        "NOT ".repeat(1000),
        "a.".repeat(2000),
        "a[99999999999999999999999]".to_owned(),
        "SET a = ((((((((((((((((((((((((((((((((b))))))))))))))))))))))))))))))))".to_owned(),
        format!("SET a = {}b{}", "(".repeat(3000), ")".repeat(3000)),
        "x".repeat(5000),
    ] {
        exercise(&text);
    }
}
