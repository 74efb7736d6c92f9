//! KeyConditionExpression and KeyConditions: shape errors (no schema needed) and the
//! schema errors of `for_schema`. Cases from dynalite's test/query.js, captured against
//! DynamoDB (its test tables: hash `a` (S); range `a`, `b` (S)).

use strata_dynamodb_item::AttributeValue;

use super::{attrs, n, s};
use crate::legacy::{self, ComparisonOperator};
use crate::{KeyCondition, KeyConditions, SortKeyCondition, parse_key_conditions};

/// Substitutions for one case.
type Values = [(&'static str, AttributeValue)];

fn conditions(
    expression: &str,
    values: &[(&str, AttributeValue)],
) -> Result<KeyConditions, String> {
    let mut attributes = attrs(&[], values);
    parse_key_conditions(expression, &mut attributes).map_err(|e| e.to_string())
}

fn error(expression: &str, values: &[(&str, AttributeValue)]) -> String {
    match conditions(expression, values) {
        Ok(parsed) => panic!("{expression:?} was accepted: {parsed:?}"),
        Err(message) => message,
    }
}

#[test]
fn parse_level_errors_carry_the_prefix() {
    assert_eq!(
        error("", &[]),
        "Invalid KeyConditionExpression: The expression can not be empty;"
    );
    for expression in ["things are not gonna be ok", "a > 4", "(size(a))[0] > a"] {
        assert!(
            error(expression, &[]).starts_with("Invalid KeyConditionExpression: Syntax error; ")
        );
    }
    assert!(error("attribute_type(a, b)", &[]).starts_with(
        "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: attribute_type, operand type:"
    ));
    assert_eq!(
        error("a between :b and :a", &[(":a", s("a")), (":b", n("1"))]),
        "Invalid KeyConditionExpression: The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: AttributeValue: {N:1}, upper bound operand: AttributeValue: {S:a}"
    );
    assert_eq!(
        error("a between :b and :a", &[(":a", s("a")), (":b", s("b"))]),
        "Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {S:b}, upper bound operand: AttributeValue: {S:a}"
    );
}

#[test]
fn shape_errors() {
    let one = [(":a", s("1")), (":b", s("1"))];
    let type_s = [(":a", s("S"))];
    let cases: Vec<(&str, &Values, &str)> = vec![
        (
            "attribute_type(a, :a)",
            &type_s,
            "Invalid operator used in KeyConditionExpression: attribute_type",
        ),
        (
            "a > b and size(b) > c or a > c",
            &[],
            "Invalid operator used in KeyConditionExpression: OR",
        ),
        (
            "a in (b, size(c), d)",
            &[],
            "Invalid operator used in KeyConditionExpression: IN",
        ),
        (
            "attribute_exists(a)",
            &[],
            "Invalid operator used in KeyConditionExpression: attribute_exists",
        ),
        (
            "attribute_not_exists(a)",
            &[],
            "Invalid operator used in KeyConditionExpression: attribute_not_exists",
        ),
        (
            "contains(a.d, b)",
            &[],
            "Invalid operator used in KeyConditionExpression: contains",
        ),
        (
            "not a > b",
            &[],
            "Invalid operator used in KeyConditionExpression: NOT",
        ),
        (
            "a <> b",
            &[],
            "Invalid operator used in KeyConditionExpression: <>",
        ),
        (
            ":a between size(b) and size(a) and b > :b",
            &one,
            "Invalid condition in KeyConditionExpression: BETWEEN operator must have the key attribute as its first operand",
        ),
        (
            "begins_with(:a, b) and a > :b",
            &one,
            "Invalid condition in KeyConditionExpression: begins_with operator must have the key attribute as its first operand",
        ),
        (
            "size(b) > a AND a.b > b AND b > c",
            &[],
            "KeyConditionExpressions cannot contain nested operations",
        ),
        (
            "a > size(b.d)",
            &[],
            "KeyConditionExpressions cannot contain nested operations",
        ),
        (
            "a between size(b) and size(a)",
            &[],
            "KeyConditionExpressions cannot contain nested operations",
        ),
        (
            "b > a.b",
            &[],
            "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition",
        ),
        (
            "b between c[1] and d",
            &[],
            "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition",
        ),
        (
            "a between b and size(a)",
            &[],
            "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition",
        ),
        (
            "begins_with(a, b)",
            &[],
            "Invalid condition in KeyConditionExpression: Multiple attribute names used in one condition",
        ),
        (
            "b.d > a AND c.d > e.f",
            &[],
            "KeyConditionExpressions cannot have conditions on nested attributes",
        ),
        (
            "a.d > c",
            &[],
            "KeyConditionExpressions cannot have conditions on nested attributes",
        ),
        (
            "b[0] > a",
            &[],
            "KeyConditionExpressions cannot have conditions on nested attributes",
        ),
    ];
    for (expression, values, message) in cases {
        assert_eq!(error(expression, values), message, "{expression}");
    }
    let numbers = [(":a", n("1")), (":b", n("1"))];
    for expression in [":b > :a AND a < :b", ":a > b AND :a < :b"] {
        assert_eq!(
            error(expression, &numbers),
            "Invalid condition in KeyConditionExpression: No key attribute specified"
        );
    }
    for expression in [
        "b > :a AND b < :a and c = :a and d = :a",
        "(a > :a and b > :a) and (b > :a and c > :a)",
    ] {
        assert_eq!(
            error(expression, &[(":a", n("1"))]),
            "KeyConditionExpressions must only contain one condition per key"
        );
    }
    // More than two conditions: refused against a one- or two-attribute key (a key with
    // multi-attribute index keys takes up to eight), more than eight always.
    for expression in [
        ":a = a and b = :a and :a = c",
        "(a > :a and b > :a) and (c > :a and d > :a) and (e > :a and f > :a)",
    ] {
        assert_eq!(
            schema_error(expression, &[(":a", s("a"))], ("a", "S"), Some(("b", "S"))),
            "Conditions can be of length 1 or 2 only"
        );
    }
    assert_eq!(
        error(
            "a = :a and b = :a and c = :a and d = :a and e = :a and f = :a and g = :a and h = :a and i = :a",
            &[(":a", s("a"))]
        ),
        "Conditions can be of length 1 or 2 only"
    );
    assert_eq!(
        error("a < :a", &[(":a", AttributeValue::Bool(true))]),
        "One or more parameter values were invalid: ComparisonOperator LT is not valid for BOOL AttributeValue type"
    );
}

fn schema_error(
    expression: &str,
    values: &[(&str, AttributeValue)],
    hash: (&str, &str),
    range: Option<(&str, &str)>,
) -> String {
    let parsed = conditions(expression, values).unwrap_or_else(|e| panic!("{expression}: {e}"));
    parsed
        .for_schema(&[hash], range.as_slice())
        .unwrap_err()
        .to_string()
}

#[test]
fn schema_errors() {
    let hash = ("a", "S");
    let range = Some(("b", "S"));
    let one = [(":a", s("1"))];
    for expression in [
        "a > :a",
        "a < :a",
        ":a <= a",
        ":a >= a",
        "begins_with(a, :a)",
        "a between :a and :a",
        "a = :a AND b = :a",
        "y = :a and z = :a",
    ] {
        assert_eq!(
            schema_error(expression, &one, hash, None),
            "Query key condition not supported",
            "{expression}"
        );
    }
    assert_eq!(
        schema_error(":a > a", &[(":a", n("1"))], hash, None),
        "One or more parameter values were invalid: Condition parameter type does not match schema type"
    );
    assert_eq!(
        schema_error(
            "z between :a and :b",
            &[(":a", n("1")), (":b", n("1"))],
            hash,
            range
        ),
        "Query condition missed key schema element: a"
    );
    assert_eq!(
        schema_error(
            "a = :a and c = :b",
            &[(":a", s("b")), (":b", n("1"))],
            hash,
            range
        ),
        "Query condition missed key schema element: b"
    );
    let legacy_conditions = legacy::key_conditions(&[
        (
            "a".to_owned(),
            legacy::Condition {
                comparison_operator: ComparisonOperator::Contains,
                attribute_value_list: vec![s("a")],
            },
        ),
        (
            "b".to_owned(),
            legacy::Condition {
                comparison_operator: ComparisonOperator::Null,
                attribute_value_list: vec![],
            },
        ),
    ])
    .unwrap();
    assert_eq!(
        legacy_conditions
            .for_schema(&[hash], range.as_slice())
            .unwrap_err()
            .to_string(),
        "Attempted conditional constraint is not an indexable operation"
    );
}

#[test]
fn matched_to_the_schema() {
    let values = [(":p", s("pk")), (":lo", n("1")), (":hi", n("5"))];
    let parsed = conditions("sk BETWEEN :lo AND :hi AND pk = :p", &values).unwrap();
    let condition = parsed.for_schema(&[("pk", "S")], &[("sk", "N")]).unwrap();
    assert_eq!(
        condition,
        KeyCondition {
            partition: vec![("pk".to_owned(), s("pk"))],
            sort: vec![("sk".to_owned(), SortKeyCondition::Between(n("1"), n("5")))],
        }
    );
    let (_, sort) = &condition.sort[0];
    assert!(sort.matches(&n("3")) && sort.matches(&n("5")) && !sort.matches(&n("6")));

    // `:v < sk` is `sk > :v`.
    let parsed = conditions("pk = :p AND :lo < sk", &values).unwrap();
    let condition = parsed.for_schema(&[("pk", "S")], &[("sk", "N")]).unwrap();
    assert_eq!(condition.sort[0].1, SortKeyCondition::Gt(n("1")));

    let parsed = conditions(
        "begins_with(sk, :s) AND pk = :p",
        &[(":p", s("pk")), (":s", s("ab"))],
    )
    .unwrap();
    let condition = parsed.for_schema(&[("pk", "S")], &[("sk", "S")]).unwrap();
    assert_eq!(condition.partition, [("pk".to_owned(), s("pk"))]);
    let sort = &condition.sort[0].1;
    assert!(sort.matches(&s("abc")) && !sort.matches(&s("b")));
}

/// A multi-attribute index key: every partition attribute with `=`, a leading run of the
/// sort attributes, only the last of them other than `=`. Texts from paritysuite's
/// dynamodb-conformance `multiAttributeGsiKey` tests (recorded against AWS); clause order is
/// free.
#[test]
fn composite_keys() {
    let partition = [("h1", "S"), ("h2", "N")];
    let sort = [("a", "S"), ("b", "N"), ("c", "S"), ("d", "S")];
    let values = [(":h", s("x")), (":n", n("1")), (":s", s("y"))];
    let matched = |expression: &str| {
        conditions(expression, &values)
            .and_then(|c| c.for_schema(&partition, &sort).map_err(|e| e.to_string()))
    };
    let condition = matched("b > :n AND h2 = :n AND a = :s AND h1 = :h").unwrap();
    assert_eq!(
        condition,
        KeyCondition {
            partition: vec![("h1".to_owned(), s("x")), ("h2".to_owned(), n("1"))],
            sort: vec![
                ("a".to_owned(), SortKeyCondition::Eq(s("y"))),
                ("b".to_owned(), SortKeyCondition::Gt(n("1"))),
            ],
        }
    );
    assert!(matched("h1 = :h AND h2 = :n").unwrap().sort.is_empty());
    assert!(matched("h1 = :h AND h2 = :n AND begins_with(a, :s)").is_ok());
    assert_eq!(
        matched("h1 = :h AND h2 = :n AND a = :s AND c = :s").unwrap_err(),
        "RANGE key attributes b must have equality conditions specified in the query because a condition is present on key attribute c"
    );
    assert_eq!(
        matched("h1 = :h AND h2 = :n AND a = :s AND b > :n AND c = :s").unwrap_err(),
        "RANGE key attributes b must have equality conditions specified in the query because a condition is present on key attribute c"
    );
    assert_eq!(
        matched("h1 = :h AND h2 = :n AND b = :n").unwrap_err(),
        "RANGE key attributes a must have equality conditions specified in the query because a condition is present on key attribute b"
    );
    assert!(
        matched("h1 = :h AND a = :s")
            .unwrap_err()
            .starts_with("HASH key attributes h2")
    );
    assert!(
        matched("h1 = :h AND h2 > :n")
            .unwrap_err()
            .starts_with("HASH key attributes h2")
    );
    assert_eq!(
        matched("h1 = :n AND h2 = :n").unwrap_err(),
        "One or more parameter values were invalid: Condition parameter type does not match schema type"
    );
}
