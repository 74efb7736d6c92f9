//! ProjectionExpression: parsing errors and what a projection returns.

use super::{attrs, item, list, map, n, s};
use crate::parse_projection;

fn error(expression: &str, names: &[(&str, &str)]) -> String {
    let mut attributes = attrs(names, &[]);
    parse_projection(expression, &mut attributes)
        .unwrap_err()
        .to_string()
}

#[test]
fn errors() {
    assert_eq!(
        error("", &[]),
        "Invalid ProjectionExpression: The expression can not be empty;"
    );
    assert_eq!(
        error("a, status", &[]),
        "Invalid ProjectionExpression: Attribute name is a reserved keyword; reserved keyword: status"
    );
    assert_eq!(
        error("a, #b", &[]),
        "Invalid ProjectionExpression: An expression attribute name used in the document path is not defined; attribute name: #b"
    );
    assert_eq!(
        error("a, a.b", &[]),
        "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [a], path two: [a, b]"
    );
    assert_eq!(
        error("a.b, #a[0]", &[("#a", "a")]),
        "Invalid ProjectionExpression: Two document paths conflict with each other; must remove or rewrite one of these paths; path one: [a, b], path two: [a, [0]]"
    );
    assert_eq!(
        error("l[a]", &[]),
        "Invalid ProjectionExpression: Syntax error; token: \"a\", near: \"[a]\""
    );
}

#[test]
fn projecting() {
    let sample = item(vec![
        ("a", n("1")),
        (
            "m",
            map(vec![
                ("x", n("1")),
                ("y", n("2")),
                ("z", map(vec![("deep", s("d"))])),
            ]),
        ),
        ("l", list(vec![s("l0"), s("l1"), s("l2"), s("l3")])),
    ]);
    let mut attributes = attrs(&[("#m", "m")], &[]);
    let projection = parse_projection(
        "a, #m.y, m.z.deep, m.nope, l[3], l[1], l[9], gone",
        &mut attributes,
    )
    .unwrap();
    assert_eq!(projection.paths().len(), 8);
    assert_eq!(
        projection.apply(&sample),
        item(vec![
            ("a", n("1")),
            (
                "m",
                map(vec![("y", n("2")), ("z", map(vec![("deep", s("d"))]))])
            ),
            ("l", list(vec![s("l1"), s("l3")])),
        ])
    );
    let mut attributes = attrs(&[], &[]);
    let projection = parse_projection("m.nope, a.b", &mut attributes).unwrap();
    assert!(projection.apply(&sample).is_empty());
}
