//! Applying UpdateExpressions: values, arithmetic, lists, sets, runtime errors.

use strata_dynamodb_item::{AttributeValue, Item};

use super::{attrs, item, list, map, n, ns, s, ss};
use crate::{Path, PathElement, parse_update, project};

fn update_with(
    start: &Item,
    expression: &str,
    names: &[(&str, &str)],
    values: &[(&str, AttributeValue)],
) -> Result<Item, String> {
    let mut attributes = attrs(names, values);
    let update =
        parse_update(expression, &mut attributes).unwrap_or_else(|e| panic!("{expression}: {e}"));
    let mut updated = start.clone();
    match update.apply(&mut updated) {
        Ok(()) => Ok(updated),
        Err(error) => {
            assert_eq!(&updated, start, "a failed update leaves the item unchanged");
            Err(error.to_string())
        }
    }
}

fn update(
    start: &Item,
    expression: &str,
    values: &[(&str, AttributeValue)],
) -> Result<Item, String> {
    update_with(start, expression, &[], values)
}

#[test]
fn set_remove_add_delete_on_a_missing_item() {
    let values = [
        (":c", ss(&["a", "b"])),
        (":d", n("5")),
        (":e", ss(&["a", "b"])),
        (":f", list(vec![s("a"), n("1")])),
    ];
    let result = update(
        &Item::new(),
        "REMOVE b DELETE c :c ADD d :d, e :e SET f = :f",
        &values,
    )
    .unwrap();
    assert_eq!(
        result,
        item(vec![
            ("d", n("5")),
            ("e", ss(&["a", "b"])),
            ("f", list(vec![s("a"), n("1")]))
        ])
    );
}

#[test]
fn arithmetic_is_exact() {
    let start = item(vec![("x", n("0.1")), ("c", n("10"))]);
    let result = update(
        &start,
        "SET x = x + :y, c = c - :one",
        &[(":y", n("0.2")), (":one", n("1"))],
    )
    .unwrap();
    assert_eq!(result["x"], n("0.3"));
    assert_eq!(result["c"], n("9"));
    let big = item(vec![("x", n("1E50"))]);
    assert_eq!(
        update(&big, "SET x = x + :one", &[(":one", n("1"))]).unwrap_err(),
        "Number overflow. Attempting to store a number with magnitude larger than supported range"
    );
    let result = update(
        &Item::new(),
        "ADD n_i :a, n_f :b",
        &[(":a", n("1.2")), (":b", n("-0.5"))],
    )
    .unwrap();
    assert_eq!(result["n_i"], n("1.2"));
    assert_eq!(result["n_f"], n("-0.5"));
}

#[test]
fn values_come_from_the_old_item() {
    let start = item(vec![("myNum", n("1")), ("path1", n("6"))]);
    let result = update(
        &start,
        "SET myNum = path1 + :val, newAttr = myNum",
        &[(":val", n("1"))],
    )
    .unwrap();
    assert_eq!(result["myNum"], n("7"));
    assert_eq!(result["newAttr"], n("1"));
}

#[test]
fn if_not_exists_and_list_append() {
    let start = item(vec![("a", s("key")), ("l", list(vec![n("1")]))]);
    let values = [(":z", n("0")), (":more", list(vec![n("2"), n("3")]))];
    let result = update(
        &start,
        "SET b = if_not_exists(b, a), c = if_not_exists(c, :z), l = list_append(l, :more), m = list_append(:more, l)",
        &values,
    )
    .unwrap();
    assert_eq!(result["b"], s("key"));
    assert_eq!(result["c"], n("0"));
    assert_eq!(result["l"], list(vec![n("1"), n("2"), n("3")]));
    assert_eq!(result["m"], list(vec![n("2"), n("3"), n("1")]));
}

/// dynalite's "should update nested attributes" case, captured against DynamoDB.
#[test]
fn nested_updates_and_list_positions() {
    let key = s("k");
    let start = item(vec![
        ("a", key.clone()),
        ("b", map(vec![("a", n("1")), ("b", n("2")), ("c", n("3"))])),
        ("c", list(vec![n("1"), n("3")])),
    ]);
    let expression = "set b.c=((c[1])+(b.a)),b.a = a,c[1] = a, c[4] = b.a - b.b, c[2] = b.c add c[8] :b, c[6] :a";
    let mut attributes = attrs(&[], &[(":a", n("2")), (":b", ss(&["a"]))]);
    let update = parse_update(expression, &mut attributes).unwrap();
    let mut result = start.clone();
    update.apply(&mut result).unwrap();
    assert_eq!(
        result,
        item(vec![
            ("a", key.clone()),
            (
                "b",
                map(vec![("a", key.clone()), ("b", n("2")), ("c", n("4"))])
            ),
            (
                "c",
                list(vec![
                    n("1"),
                    key.clone(),
                    n("3"),
                    n("-1"),
                    n("2"),
                    ss(&["a"])
                ])
            ),
        ])
    );
    // ReturnValues UPDATED_NEW projects the new item by the updated paths.
    assert_eq!(
        project(&result, &update.updated_paths()),
        item(vec![
            ("b", map(vec![("a", key.clone()), ("c", n("4"))])),
            ("c", list(vec![key, n("3"), n("2")])),
        ])
    );
    assert_eq!(update.top_level_attributes(), vec!["b", "c"]);
}

#[test]
fn list_indexes_name_old_positions() {
    let start = item(vec![("l", list(vec![s("a"), s("b"), s("c"), s("d")]))]);
    assert_eq!(
        update(&start, "REMOVE l[1]", &[]).unwrap()["l"],
        list(vec![s("a"), s("c"), s("d")])
    );
    assert_eq!(
        update(&start, "REMOVE l[0], l[1]", &[]).unwrap()["l"],
        list(vec![s("c"), s("d")])
    );
    assert_eq!(
        update(&start, "REMOVE l[10]", &[]).unwrap()["l"],
        start["l"]
    );
    let x = [(":x", s("x"))];
    assert_eq!(
        update(&start, "SET l[10] = :x", &x).unwrap()["l"],
        list(vec![s("a"), s("b"), s("c"), s("d"), s("x")])
    );
    assert_eq!(
        update(&start, "SET l[1] = :x REMOVE l[0]", &x).unwrap()["l"],
        list(vec![s("x"), s("c"), s("d")])
    );
    let empty = item(vec![("l", list(vec![]))]);
    assert_eq!(
        update(&empty, "SET l[0] = :x", &x).unwrap()["l"],
        list(vec![s("x")])
    );
}

#[test]
fn sets() {
    let start = item(vec![("s", ss(&["a", "b"])), ("n", ns(&["1", "2", "3"]))]);
    let result = update(
        &start,
        "ADD s :s DELETE n :n",
        &[(":s", ss(&["b", "c"])), (":n", ns(&["1", "4"]))],
    )
    .unwrap();
    assert_eq!(result["s"], ss(&["a", "b", "c"]));
    assert_eq!(result["n"], ns(&["2", "3"]));
    let result = update(&start, "DELETE n :n", &[(":n", ns(&["3", "2", "1"]))]).unwrap();
    assert!(!result.contains_key("n"), "an emptied set is removed");
    assert_eq!(
        update(&start, "ADD s :n", &[(":n", ns(&["1"]))]).unwrap_err(),
        "An operand in the update expression has an incorrect data type"
    );
}

#[test]
fn runtime_errors() {
    let start = item(vec![
        ("a", s("key")),
        ("b", map(vec![("a", ss(&["1"]))])),
        ("c", n("1")),
        ("d", ns(&["1"])),
        ("m", map(vec![("1", s("a"))])),
        ("l", list(vec![s("a"), s("b")])),
    ]);
    let type_cases: &[(&str, AttributeValue)] = &[
        ("delete d :a", ss(&["1"])),
        ("delete b :a", ns(&["1"])),
        ("delete b.a :a", ns(&["1"])),
        ("delete c :a", ns(&["1"])),
        ("add b :a", ns(&["1"])),
        ("add d :a", n("1")),
        ("set e = a + :a", n("1")),
        ("set e = b - :a", n("1")),
        ("set e = list_append(d, if_not_exists(f, :a))", list(vec![])),
    ];
    for (expression, value) in type_cases {
        assert_eq!(
            update(&start, expression, &[(":a", value.clone())]).unwrap_err(),
            "An operand in the update expression has an incorrect data type",
            "{expression}"
        );
    }
    for expression in ["set c2 = zz", "set e = list_append(zz, l)"] {
        assert_eq!(
            update(&start, expression, &[]).unwrap_err(),
            "The provided expression refers to an attribute that does not exist in the item"
        );
    }
    let value = [(":a", ss(&["a"]))];
    for expression in [
        "set a.x = :a",
        "set a[1] = :a",
        "set y.x = :a",
        "set y[1] = :a",
        "set m[1] = :a",
        "set l.#1 = :a",
        "remove a.x",
        "remove y.x",
        "remove y[1]",
        "remove m[1]",
        "delete y.x :a",
        "add y[1] :a",
        "set l[5].x = :a",
    ] {
        assert_eq!(
            update_with(&start, expression, &[("#1", "1")], &value).unwrap_err(),
            "The document path provided in the update expression is invalid for update",
            "{expression}"
        );
    }
    assert_eq!(
        update(&Item::new(), "set b.a = :a", &value).unwrap_err(),
        "The document path provided in the update expression is invalid for update"
    );
    // Removing a missing attribute, or a missing key of a map, is fine.
    assert!(update(&start, "remove zz, m.zz", &[]).is_ok());
}

#[test]
fn names_are_literal_steps() {
    let start = item(vec![("a.b", n("1")), ("a", map(vec![("b", n("2"))]))]);
    let result = update_with(&start, "SET #ab = :v", &[("#ab", "a.b")], &[(":v", n("9"))]).unwrap();
    assert_eq!(result["a.b"], n("9"));
    assert_eq!(result["a"], map(vec![("b", n("2"))]));
    let path = Path(vec![
        PathElement::Attribute("a".into()),
        PathElement::Attribute("b".into()),
    ]);
    assert_eq!(path.get(&result), Some(&n("2")));
}
