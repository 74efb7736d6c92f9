//! FilterExpression / ConditionExpression errors, compared exactly. The cases are
//! dynalite's (test/scan.js), whose expectations were captured against DynamoDB.

use strata_dynamodb_item::AttributeValue;

use super::{attrs, n, s, ss};
use crate::{ConditionKind, parse_condition};

fn error_with(
    expression: &str,
    names: &[(&str, &str)],
    values: &[(&str, AttributeValue)],
) -> String {
    let mut attributes = attrs(names, values);
    match parse_condition(expression, ConditionKind::Filter, &mut attributes) {
        Ok(condition) => panic!("{expression:?} was accepted: {condition:?}"),
        Err(error) => error.to_string(),
    }
}

fn error(expression: &str) -> String {
    error_with(expression, &[], &[])
}

const PREFIX: &str = "Invalid FilterExpression: ";

#[test]
fn empty_and_too_long() {
    assert_eq!(
        error(""),
        "Invalid FilterExpression: The expression can not be empty;"
    );
    let mut attributes = attrs(&[], &[]);
    assert_eq!(
        parse_condition("", ConditionKind::Condition, &mut attributes)
            .unwrap_err()
            .to_string(),
        "Invalid ConditionExpression: The expression can not be empty;"
    );
    let long = format!("a = b{}", " ".repeat(4092));
    assert_eq!(
        error(&long),
        "Invalid FilterExpression: Expression size has exceeded the maximum allowed size; expression size: 4097"
    );
}

#[test]
fn redundant_parentheses() {
    for expression in [
        "a=a and a > ((views))",
        "(a)between(((b.c)).d)and(c)",
        "a > whatever((:things), ((a)))",
        "a=a AND ((a=a AND a=a)) AND a=a",
        "a=a OR ((a=a OR a=a)) OR a=a",
        "a=a AND ((a=a AND (a=a AND a=a)))",
        "a=a OR ((a=a OR (a=a OR a=a)))",
    ] {
        assert_eq!(
            error(expression),
            format!("{PREFIX}The expression has redundant parentheses;"),
            "{expression}"
        );
    }
}

#[test]
fn invalid_function_names() {
    for (expression, function) in [
        ("a=a and whatever((:things)) > a", "whatever"),
        ("attRIbute_exIsts((views), #a)", "attRIbute_exIsts"),
    ] {
        assert_eq!(
            error(expression),
            format!("{PREFIX}Invalid function name; function: {function}")
        );
    }
}

#[test]
fn functions_used_incorrectly() {
    for (expression, function) in [
        (
            "a=a and attribute_exists((views), (#a)) > b",
            "attribute_exists",
        ),
        ("attribute_not_exists(things) > b", "attribute_not_exists"),
        ("attribute_type(things, :a) > b", "attribute_type"),
        ("begins_with(things, a) > b", "begins_with"),
        ("contains(:things, c) > b", "contains"),
        ("size(contains(a, b)) > a", "contains"),
        ("size(things)", "size"),
        (
            "a between b and attribute_exists(things)",
            "attribute_exists",
        ),
        ("a in (b, attribute_exists(things))", "attribute_exists"),
    ] {
        assert_eq!(
            error(expression),
            format!(
                "{PREFIX}The function is not allowed to be used this way in an expression; function: {function}"
            ),
            "{expression}"
        );
    }
}

#[test]
fn reserved_keywords() {
    for (expression, word) in [
        ("attribute_exists(views, #a)", "views"),
        (":a < abOrT", "abOrT"),
        ("status = :v", "status"),
        ("a.#b.Name = :v", "Name"),
    ] {
        assert_eq!(
            error(expression),
            format!("{PREFIX}Attribute name is a reserved keyword; reserved keyword: {word}")
        );
    }
}

#[test]
fn undefined_names_and_values() {
    for (expression, name) in [
        (
            "attribute_exists(#Pictures.RearView, :a) and a=a",
            "#Pictures",
        ),
        ("begins_with(Pictures.#RearView)", "#RearView"),
        ("(#P between :lo and :hi) and (#PC in (:cat1, :cat2))", "#P"),
        ("#4g > a", "#4g"),
        ("#_ > a", "#_"),
        ("(a)between(b.c[45].#d)and(:a)", "#d"),
    ] {
        assert_eq!(
            error(expression),
            format!(
                "{PREFIX}An expression attribute name used in the document path is not defined; attribute name: {name}"
            )
        );
    }
    for (expression, value) in [
        ("begins_with(:hello, #a, #b)", ":hello"),
        (":a < :b", ":a"),
        (":_ > a", ":_"),
    ] {
        assert_eq!(
            error(expression),
            format!(
                "{PREFIX}An expression attribute value used in expression is not defined; attribute value: {value}"
            )
        );
    }
}

#[test]
fn operand_counts() {
    for (expression, function, count) in [
        ("attribute_exists(things, a) and a=a", "attribute_exists", 2),
        ("attribute_not_exists(things, b)", "attribute_not_exists", 2),
        ("attribute_type(things)", "attribute_type", 1),
        ("begins_with(things)", "begins_with", 1),
        ("begins_with(things, size(a), b)", "begins_with", 3),
        ("contains(things)", "contains", 1),
        ("size(things, a) > b", "size", 2),
    ] {
        assert_eq!(
            error(expression),
            format!(
                "{PREFIX}Incorrect number of operands for operator or function; operator or function: {function}, number of operands: {count}"
            )
        );
    }
}

#[test]
fn operand_types() {
    let b = AttributeValue::B(b"a".to_vec());
    let cases: Vec<(&str, &str, AttributeValue)> = vec![
        (
            "attribute_type(a, size(a)) and a=a and a=:a",
            "attribute_type",
            n("1"),
        ),
        ("attribute_type(a, :a)", "attribute_type", n("1")),
        ("attribute_type(a, :a)", "attribute_type", b.clone()),
        (
            "attribute_type(a, :a)",
            "attribute_type",
            AttributeValue::Bool(true),
        ),
        (
            "attribute_type(a, :a)",
            "attribute_type",
            AttributeValue::Null,
        ),
        (
            "attribute_type(a, :a)",
            "attribute_type",
            AttributeValue::L(vec![]),
        ),
        ("attribute_type(a, :a)", "attribute_type", ss(&["1"])),
        ("begins_with(a, size(a)) and a=:a", "begins_with", n("1")),
        ("begins_with(a, :a)", "begins_with", n("1")),
        ("begins_with(a, :a)", "begins_with", AttributeValue::Null),
        ("begins_with(a, :a)", "begins_with", ss(&["1"])),
        (
            "begins_with(:a, a)",
            "begins_with",
            AttributeValue::Bool(true),
        ),
        ("size(size(a)) > :a", "size", n("1")),
        ("attribute_not_exists(size(:a))", "size", n("1")),
        ("size(:a) > a", "size", AttributeValue::Bool(true)),
        ("size(:a) > a", "size", AttributeValue::Null),
    ];
    for (expression, function, value) in cases {
        let type_name = value.type_name();
        assert_eq!(
            error_with(expression, &[], &[(":a", value)]),
            format!(
                "{PREFIX}Incorrect operand type for operator or function; operator or function: {function}, operand type: {type_name}"
            ),
            "{expression}"
        );
    }
    assert_eq!(
        error("attribute_type(a, b)"),
        format!(
            "{PREFIX}Incorrect operand type for operator or function; operator or function: attribute_type, operand type: {{NS,SS,L,BS,N,M,B,BOOL,NULL,S}}"
        )
    );
    assert_eq!(
        error_with("attribute_type(a, :a)", &[], &[(":a", s("1"))]),
        format!(
            "{PREFIX}Invalid attribute type name found; type: 1, valid types: {{B,NULL,SS,BOOL,L,BS,N,NS,S,M}}"
        )
    );
}

#[test]
fn functions_that_need_a_path() {
    for (expression, function) in [
        ("attribute_exists(:a) and a=a", "attribute_exists"),
        ("attribute_not_exists(size(:a))", "attribute_not_exists"),
    ] {
        assert_eq!(
            error_with(expression, &[], &[(":a", s("1"))]),
            format!(
                "{PREFIX}Operator or function requires a document path; operator or function: {function}"
            )
        );
    }
}

#[test]
fn operands_must_be_distinct() {
    for (expression, operator, path) in [
        ("a = a AND #a = b AND :views > a", "=", "[a]"),
        ("#a <> a", "<>", "[a]"),
        ("a > #a", ">", "[a]"),
        ("((a=a) OR (a=a))", "=", "[a]"),
        ("((a=a) AND (a=a))", "=", "[a]"),
        (
            "contains(ab.bc[1].a, ab.bc[1].#a)",
            "contains",
            "[ab, bc, [1], a]",
        ),
        (
            "attribute_type(ab.bc[1].#a, ab.bc[1].a)",
            "attribute_type",
            "[ab, bc, [1], a]",
        ),
        (
            "begins_with(ab.bc[1].a, ab.bc[1].#a)",
            "begins_with",
            "[ab, bc, [1], a]",
        ),
    ] {
        assert_eq!(
            error_with(expression, &[("#a", "a")], &[]),
            format!(
                "{PREFIX}The first operand must be distinct from the remaining operands for this operator or function; operator: {operator}, first operand: {path}"
            ),
            "{expression}"
        );
    }
}

#[test]
fn between_bounds() {
    let values = [(":a", s("a")), (":b", n("1")), (":c", s("b"))];
    assert_eq!(
        error_with("x between :b and :a", &[], &values),
        format!(
            "{PREFIX}The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {{N:1}}, upper bound operand: AttributeValue: {{S:a}}"
        )
    );
    assert_eq!(
        error_with("x between :c and :a", &[], &values),
        format!(
            "{PREFIX}The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {{S:b}}, upper bound operand: AttributeValue: {{S:a}}"
        )
    );
}

#[test]
fn limits() {
    let operands: Vec<String> = (0..101).map(|_| ":v".to_owned()).collect();
    let expression = format!("a IN ({})", operands.join(","));
    assert_eq!(
        error_with(&expression, &[], &[(":v", s("x"))]),
        format!(
            "{PREFIX}The IN operator is provided with too many operands; number of operands: 101"
        )
    );
    let conditions: Vec<&str> = (0..151).map(|_| "a=:v").collect();
    let expression = conditions.join(" AND ");
    assert_eq!(
        error_with(&expression, &[], &[(":v", s("x"))]),
        format!("{PREFIX}The expression contains too many operators; operator count: 301")
    );
    let deep = (0..33).map(|_| "a").collect::<Vec<_>>().join(".");
    assert_eq!(
        error_with(&format!("{deep} = :v"), &[], &[(":v", s("x"))]),
        format!("{PREFIX}The document path has too many nesting levels; nesting levels: 33")
    );
}

#[test]
fn valid_conditions_parse() {
    let values = [(":a", s("a")), (":n", n("1")), (":t", s("SS"))];
    for expression in [
        "a = :a",
        "NOT a = :a",
        "a <> :a AND (b < :n OR c >= :n)",
        "a BETWEEN :a AND :a",
        "a IN (:a, :n)",
        "attribute_exists(a.b[0]) AND attribute_not_exists(#x)",
        "attribute_type(a, :t)",
        "begins_with(a, :a) and contains(b, :n) and size(c) > :n",
        "(a)between(b.c[4].#x)and(:a)",
        "(a = :a)",
        "not (a = :a) or not b = :a",
        "a = :a AnD b = :a oR c = :a",
    ] {
        let mut attributes = attrs(&[("#x", "x")], &values);
        assert!(
            parse_condition(expression, ConditionKind::Condition, &mut attributes).is_ok(),
            "{expression}"
        );
    }
}

/// alternator's test_condition_expression.py (run against AWS): an order comparison with a
/// `:value` that is not a string, number or binary is refused; UpdateExpression's functions
/// are "not allowed" in a condition.
#[test]
fn order_operands_and_update_functions() {
    for (expression, operator) in [
        ("a < :a", "<"),
        (":a <= a", "<="),
        ("a BETWEEN :a AND :a", "BETWEEN"),
    ] {
        assert_eq!(
            error_with(expression, &[], &[(":a", AttributeValue::L(vec![]))]),
            format!(
                "{PREFIX}Incorrect operand type for operator or function; operator or function: {operator}, operand type: L"
            ),
            "{expression}"
        );
    }
    assert!(
        parse_condition(
            "a = :a",
            ConditionKind::Filter,
            &mut attrs(&[], &[(":a", AttributeValue::L(vec![]))])
        )
        .is_ok()
    );
    for function in ["if_not_exists", "list_append"] {
        assert_eq!(
            error(&format!("{function}(a, a) = b")),
            format!(
                "{PREFIX}The function is not allowed in a condition expression; function: {function}"
            )
        );
    }
}
