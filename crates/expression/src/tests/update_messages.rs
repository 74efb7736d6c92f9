//! UpdateExpression errors at parse time, compared exactly. The cases are dynalite's
//! (test/updateItem.js), whose expectations were captured against DynamoDB.

use strata_dynamodb_item::AttributeValue;

use super::{attrs, list, map, n, ns, s, ss};
use crate::parse_update;

const PREFIX: &str = "Invalid UpdateExpression: ";

fn error_with(
    expression: &str,
    names: &[(&str, &str)],
    values: &[(&str, AttributeValue)],
) -> String {
    let mut attributes = attrs(names, values);
    match parse_update(expression, &mut attributes) {
        Ok(update) => panic!("{expression:?} was accepted: {update:?}"),
        Err(error) => error.to_string(),
    }
}

fn common_values() -> Vec<(&'static str, AttributeValue)> {
    vec![(":a", s("a")), (":b", s("a"))]
}

const COMMON_NAMES: [(&str, &str); 2] = [("#a", "a"), ("#b", "b")];

#[test]
fn empty_and_syntax() {
    assert_eq!(
        error_with("", &[], &[]),
        "Invalid UpdateExpression: The expression can not be empty;"
    );
    assert_eq!(
        error_with("SET MyStr = my Num", &[], &[]),
        "Invalid UpdateExpression: Syntax error; token: \"Num\", near: \"my Num\""
    );
}

#[test]
fn reserved_keywords() {
    for (expression, word) in [
        (" set #c = :c set abOrt = true ", "abOrt"),
        (" remove Absolute ", "Absolute"),
    ] {
        assert_eq!(
            error_with(expression, &COMMON_NAMES, &common_values()),
            format!("{PREFIX}Attribute name is a reserved keyword; reserved keyword: {word}")
        );
    }
}

#[test]
fn invalid_function() {
    assert_eq!(
        error_with(
            "set #c = if_not_exist(:c) set c = d",
            &COMMON_NAMES,
            &common_values()
        ),
        format!("{PREFIX}Invalid function name; function: if_not_exist")
    );
}

#[test]
fn sections_only_once() {
    for (expression, clause) in [
        ("set a = #c set c = :d", "SET"),
        ("remove #d set a = b remove e", "REMOVE"),
        ("add #d :e set a = b add e :f", "ADD"),
        ("delete #d :e set a = b delete #e :f", "DELETE"),
    ] {
        assert_eq!(
            error_with(expression, &COMMON_NAMES, &common_values()),
            format!(
                "{PREFIX}The \"{clause}\" section can only be used once in an update expression;"
            )
        );
    }
}

#[test]
fn undefined_names_then_values() {
    assert_eq!(
        error_with(
            "SET #c = if_not_exists(:c)",
            &COMMON_NAMES,
            &common_values()
        ),
        format!(
            "{PREFIX}An expression attribute name used in the document path is not defined; attribute name: #c"
        )
    );
    assert_eq!(
        error_with(
            "SET #a = if_not_exists(:c)",
            &COMMON_NAMES,
            &common_values()
        ),
        format!(
            "{PREFIX}An expression attribute value used in expression is not defined; attribute value: :c"
        )
    );
}

#[test]
fn overlapping_paths() {
    for (expression, one, two) in [
        (
            "set d[1] = a, d.b = a, c[1].a = a, #c = if_not_exists(a)",
            "[c, [1], a]",
            "[c]",
        ),
        ("set c.b.#c = a, c = a, #d = a", "[c, b, c]", "[c]"),
        ("set a = b remove a, #c, #d", "[a]", "[a]"),
        ("set #c[3].#d = a, #c[3] = a", "[c, [3], [3]]", "[c, [3]]"),
        ("remove c, #c.a, #d", "[c]", "[c, a]"),
        ("remove a, #c, a, #d", "[a]", "[a]"),
    ] {
        assert_eq!(
            error_with(expression, &[("#c", "c"), ("#d", "[3]")], &[]),
            format!(
                "{PREFIX}Two document paths overlap with each other; must remove or rewrite one of these paths; path one: {one}, path two: {two}"
            ),
            "{expression}"
        );
    }
}

#[test]
fn conflicting_paths() {
    for (expression, one, two) in [
        (
            "set #c[3].#d = a, #c.#d[3] = if_not_exists(a)",
            "[c, [3], [3]]",
            "[c, [3], [3]]",
        ),
        ("remove a.#c set a[1] = #d", "[a, c]", "[a, [1]]"),
    ] {
        assert_eq!(
            error_with(expression, &[("#b", "b"), ("#c", "c"), ("#d", "[3]")], &[]),
            format!(
                "{PREFIX}Two document paths conflict with each other; must remove or rewrite one of these paths; path one: {one}, path two: {two}"
            ),
            "{expression}"
        );
    }
}

#[test]
fn add_and_delete_operand_types() {
    let cases: Vec<(&str, AttributeValue, &str, &str)> = vec![
        (
            "set b = list_append(:a, a), c = if_not_exists(a) add a.b :a",
            s("a"),
            "ADD",
            "STRING",
        ),
        ("delete a.b :a", s("a"), "DELETE", "STRING"),
        ("add a.b :a", AttributeValue::Null, "ADD", "NULL"),
        ("delete a.b :a", AttributeValue::Null, "DELETE", "NULL"),
        ("add a.b :a", AttributeValue::Bool(false), "ADD", "BOOLEAN"),
        (
            "delete a.b :a",
            AttributeValue::Bool(false),
            "DELETE",
            "BOOLEAN",
        ),
        (
            "add a.b :a",
            AttributeValue::B(b"a".to_vec()),
            "ADD",
            "BINARY",
        ),
        (
            "delete a.b :a",
            AttributeValue::B(b"a".to_vec()),
            "DELETE",
            "BINARY",
        ),
        (
            "add a.b :a",
            map(vec![("a", list(vec![n("1")]))]),
            "ADD",
            "MAP",
        ),
        (
            "delete a.b :a",
            map(vec![("a", list(vec![n("1")]))]),
            "DELETE",
            "MAP",
        ),
        ("add a.b :a", list(vec![n("1")]), "ADD", "LIST"),
        ("delete a.b :a", list(vec![n("1")]), "DELETE", "LIST"),
        ("delete a.b :a", n("1"), "DELETE", "NUMBER"),
    ];
    for (expression, value, operator, described) in cases {
        assert_eq!(
            error_with(expression, &[], &[(":a", value), (":b", s("a"))]),
            format!(
                "{PREFIX}Incorrect operand type for operator or function; operator: {operator}, operand type: {described}"
            ),
            "{expression}"
        );
    }
}

#[test]
fn function_operands() {
    assert_eq!(
        error_with("set a = if_not_exists(c)", &COMMON_NAMES, &common_values()),
        format!(
            "{PREFIX}Incorrect number of operands for operator or function; operator or function: if_not_exists, number of operands: 1"
        )
    );
    assert_eq!(
        error_with("set a = list_append(c)", &COMMON_NAMES, &common_values()),
        format!(
            "{PREFIX}Incorrect number of operands for operator or function; operator or function: list_append, number of operands: 1"
        )
    );
    for expression in [
        "set a = if_not_exists(:a, c)",
        "set a = if_not_exists(if_not_exists(a, b), c)",
    ] {
        assert_eq!(
            error_with(expression, &COMMON_NAMES, &common_values()),
            format!(
                "{PREFIX}Operator or function requires a document path; operator or function: if_not_exists"
            )
        );
    }
}

#[test]
fn function_operand_types() {
    let values = vec![
        (":a", s("a")),
        (":b", n("1")),
        (":c", AttributeValue::B(b"a".to_vec())),
        (":d", AttributeValue::Bool(false)),
        (":e", AttributeValue::Null),
        (":f", ss(&["a"])),
        (":g", ns(&["1"])),
        (":h", AttributeValue::Bs(vec![b"a".to_vec()])),
        (":i", map(vec![])),
        (":j", list(vec![])),
    ];
    for (expression, function, type_name) in [
        ("set a = list_append(:a, a)", "list_append", "S"),
        ("set a = list_append(a, :b)", "list_append", "N"),
        ("set a = list_append(:c, a)", "list_append", "B"),
        ("set a = list_append(:d, a)", "list_append", "BOOL"),
        ("set a = list_append(:e, a)", "list_append", "NULL"),
        ("set a = list_append(:f, a)", "list_append", "SS"),
        ("set a = list_append(:g, a)", "list_append", "NS"),
        ("set a = list_append(:h, a)", "list_append", "BS"),
        ("set a = list_append(:i, a)", "list_append", "M"),
        ("set a = a + :a", "+", "S"),
        ("set a = :a + :c", "+", "S"),
        ("set a = :c + a", "+", "B"),
        ("set a = a + :d", "+", "BOOL"),
        ("set a = a + :e", "+", "NULL"),
        ("set a = a + :f", "+", "SS"),
        ("set a = a + :j", "+", "L"),
        ("set a = a - :a", "-", "S"),
        ("set a = :c - a", "-", "B"),
        ("set a = a - :i", "-", "M"),
    ] {
        // Every value must be used somewhere, or the request fails for that instead; the
        // parse itself reports the type error first.
        assert_eq!(
            error_with(expression, &COMMON_NAMES, &values),
            format!(
                "{PREFIX}Incorrect operand type for operator or function; operator or function: {function}, operand type: {type_name}"
            ),
            "{expression}"
        );
    }
}

#[test]
fn unused_substitutions_after_all_expressions() {
    let mut attributes = attrs(&COMMON_NAMES, &[(":a", s("a")), (":b", s("a"))]);
    parse_update(
        "remove a set b = list_append(b, if_not_exists(a, :a))",
        &mut attributes,
    )
    .unwrap();
    crate::parse_condition("a = :b", crate::ConditionKind::Condition, &mut attributes).unwrap();
    assert_eq!(
        attributes.check_all_used().unwrap_err().to_string(),
        "Value provided in ExpressionAttributeNames unused in expressions: keys: {#a, #b}"
    );
}
