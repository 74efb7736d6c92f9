//! Table-driven tests of every operator family, the missing-key rules, `IfExists`, `Null`
//! and the set qualifiers.

use serde_json::json;

use super::*;

/// Evaluates `{op: {key: values}}` against a context built from `(key, values)` pairs.
fn eval(op: &str, key: &str, values: Value, ctx: &[(&str, &[&str])]) -> bool {
    let block = json!({ op: { key: values } });
    let conditions =
        parse_block(&block, true, Dialect::Iam).unwrap_or_else(|e| panic!("{op}: {e}"));
    let mut context = Context::new();
    for (k, vs) in ctx {
        context.set(k, vs.iter().map(std::string::ToString::to_string).collect());
    }
    conditions.iter().all(|c| c.evaluate(&context))
}

const K: &str = "aws:Key";

#[test]
fn every_operator() {
    #[rustfmt::skip]
    let cases: &[(&str, Value, &[&str], bool)] = &[
        ("StringEquals", json!("abc"), &["abc"], true),
        ("StringEquals", json!("abc"), &["ABC"], false),
        ("StringEquals", json!("a*"), &["abc"], false),
        ("StringEquals", json!("a*"), &["a*"], true),
        ("StringEquals", json!(["x", "abc"]), &["abc"], true),
        ("StringNotEquals", json!("abc"), &["abc"], false),
        ("StringNotEquals", json!(["x", "y"]), &["abc"], true),
        ("StringNotEquals", json!(["x", "abc"]), &["abc"], false),
        ("StringEqualsIgnoreCase", json!("AbC"), &["aBc"], true),
        ("StringNotEqualsIgnoreCase", json!("AbC"), &["aBc"], false),
        ("StringNotEqualsIgnoreCase", json!("AbC"), &["abd"], true),
        ("StringLike", json!("home/*"), &["home/alice/x"], true),
        ("StringLike", json!("home/?"), &["home/ab"], false),
        ("StringLike", json!("Home/*"), &["home/a"], false),
        ("StringNotLike", json!(["a*", "b*"]), &["cat"], true),
        ("StringNotLike", json!(["a*", "b*"]), &["bat"], false),
        ("NumericEquals", json!("10"), &["10"], true),
        ("NumericEquals", json!(10), &["10.0"], true),
        ("NumericEquals", json!("10"), &["ten"], false),
        ("NumericNotEquals", json!("10"), &["11"], true),
        ("NumericNotEquals", json!(["10", "11"]), &["11"], false),
        ("NumericLessThan", json!("10"), &["9"], true),
        ("NumericLessThan", json!("10"), &["10"], false),
        ("NumericLessThanEquals", json!("10"), &["10"], true),
        ("NumericGreaterThan", json!("1.5"), &["2"], true),
        ("NumericGreaterThan", json!("1.5"), &["1.5"], false),
        ("NumericGreaterThanEquals", json!("-3"), &["-3"], true),
        ("DateEquals", json!("2020-01-01T00:00:00Z"), &["1577836800"], true),
        ("DateNotEquals", json!("2020-01-01T00:00:00Z"), &["2020-01-01T00:00:01Z"], true),
        ("DateLessThan", json!("2020-01-01T00:00:00Z"), &["2019-12-31T23:59:59Z"], true),
        ("DateLessThan", json!("2020-01-01T00:00:00Z"), &["2020-01-01T00:00:00Z"], false),
        ("DateLessThanEquals", json!("2020-01-01"), &["2020-01-01T00:00:00Z"], true),
        ("DateGreaterThan", json!(1577836800), &["2020-01-01T00:00:01Z"], true),
        ("DateGreaterThanEquals", json!("2020-01-01T01:00:00+01:00"), &["2020-01-01T00:00:00Z"], true),
        ("DateGreaterThan", json!("2020-01-01T00:00:00Z"), &["not a date"], false),
        ("Bool", json!("true"), &["true"], true),
        ("Bool", json!(true), &["TRUE"], true),
        ("Bool", json!(false), &["true"], false),
        ("BinaryEquals", json!("aGVsbG8="), &["aGVsbG8="], true),
        ("BinaryEquals", json!("aGVsbG8="), &["d29ybGQ="], false),
        ("IpAddress", json!("203.0.113.0/24"), &["203.0.113.9"], true),
        ("IpAddress", json!(["10.0.0.0/8", "2001:db8::/32"]), &["2001:db8::1"], true),
        ("IpAddress", json!("203.0.113.0/24"), &["198.51.100.1"], false),
        ("NotIpAddress", json!("203.0.113.0/24"), &["198.51.100.1"], true),
        ("NotIpAddress", json!("203.0.113.0/24"), &["203.0.113.1"], false),
        ("ArnEquals", json!("arn:aws:iam::111122223333:role/*"), &["arn:aws:iam::111122223333:role/R"], true),
        ("ArnLike", json!("arn:aws:s3:*:*:b"), &["arn:aws:s3:::b"], true),
        ("ArnLike", json!("arn:aws:*:us-east-1"), &["arn:aws:s3:us-east-1:1:x"], false),
        ("ArnLike", json!("arn:aws:iam::*:ROLE/*"), &["arn:aws:iam::1:role/R"], false),
        ("ArnNotEquals", json!("arn:aws:iam::1:role/A"), &["arn:aws:iam::1:role/B"], true),
        ("ArnNotLike", json!("arn:aws:iam::1:role/*"), &["arn:aws:iam::1:role/B"], false),
    ];
    for (op, values, request, want) in cases {
        assert_eq!(
            eval(op, K, values.clone(), &[(K, request)]),
            *want,
            "{op} {values} vs {request:?}"
        );
    }
}

#[test]
fn missing_key_rules() {
    #[rustfmt::skip]
    let cases: &[(&str, bool)] = &[
        ("StringEquals", false),
        ("StringLike", false),
        ("NumericLessThan", false),
        ("DateGreaterThan", false),
        ("Bool", false),
        ("IpAddress", false),
        ("ArnLike", false),
        ("BinaryEquals", false),
        ("StringNotEquals", true),
        ("StringNotLike", true),
        ("NumericNotEquals", true),
        ("DateNotEquals", true),
        ("NotIpAddress", true),
        ("ArnNotLike", true),
        ("StringEqualsIfExists", true),
        ("NumericLessThanIfExists", true),
        ("BoolIfExists", true),
        ("ForAllValues:StringEquals", true),
        ("ForAnyValue:StringEquals", false),
        ("ForAllValues:StringNotEquals", true),
        ("ForAnyValue:StringNotEquals", false),
    ];
    for (op, want) in cases {
        let value = if op.contains("Ip") {
            json!("10.0.0.0/8")
        } else if op.contains("Binary") {
            json!("AA==")
        } else {
            json!("1")
        };
        assert_eq!(
            eval(op, K, value.clone(), &[]),
            *want,
            "{op} with key absent"
        );
        assert_eq!(
            eval(op, K, value.clone(), &[(K, &[])]),
            *want,
            "{op} with empty set"
        );
    }
}

#[test]
fn if_exists_uses_base_operator_when_present() {
    assert!(eval("StringEqualsIfExists", K, json!("a"), &[(K, &["a"])]));
    assert!(!eval("StringEqualsIfExists", K, json!("a"), &[(K, &["b"])]));
    assert!(!eval(
        "StringNotEqualsIfExists",
        K,
        json!("a"),
        &[(K, &["a"])]
    ));
}

#[test]
fn null_operator() {
    assert!(eval("Null", K, json!("true"), &[]));
    assert!(!eval("Null", K, json!("true"), &[(K, &["x"])]));
    assert!(eval("Null", K, json!(false), &[(K, &["x"])]));
    assert!(!eval("Null", K, json!("false"), &[]));
    assert!(eval("Null", K, json!("true"), &[(K, &[])]));
}

#[test]
fn set_qualifiers() {
    let allowed = json!(["a", "b"]);
    #[rustfmt::skip]
    let cases: &[(&str, &[&str], bool)] = &[
        ("ForAllValues:StringEquals", &["a"], true),
        ("ForAllValues:StringEquals", &["a", "b"], true),
        ("ForAllValues:StringEquals", &["a", "c"], false),
        ("ForAnyValue:StringEquals", &["c", "a"], true),
        ("ForAnyValue:StringEquals", &["c", "d"], false),
        ("ForAllValues:StringNotEquals", &["c", "d"], true),
        ("ForAllValues:StringNotEquals", &["c", "a"], false),
        ("ForAnyValue:StringNotEquals", &["c", "a"], true),
        ("ForAnyValue:StringNotEquals", &["a", "b"], false),
        // Single-valued operator on a multivalued key never matches.
        ("StringEquals", &["a", "b"], false),
        ("StringNotEquals", &["c", "d"], false),
    ];
    for (op, request, want) in cases {
        assert_eq!(
            eval(op, K, allowed.clone(), &[(K, request)]),
            *want,
            "{op} {request:?}"
        );
    }
}

#[test]
fn keys_are_case_insensitive_and_blocks_and() {
    let block = json!({
        "StringEquals": { "AWS:SourceVPC": "vpc-1", "s3:Prefix": "home/" },
        "IpAddress": { "aws:sourceip": "10.0.0.0/8" }
    });
    let conditions = parse_block(&block, true, Dialect::Iam).unwrap_or_default();
    assert_eq!(conditions.len(), 3);
    let mut ctx = Context::new()
        .with("aws:SourceVpc", "vpc-1")
        .with("S3:prefix", "home/")
        .with("aws:SourceIp", "10.1.1.1");
    assert!(conditions.iter().all(|c| c.evaluate(&ctx)));
    ctx.set("aws:sourceip", vec!["11.0.0.1".into()]);
    assert!(!conditions.iter().all(|c| c.evaluate(&ctx)));
}

#[test]
fn variables_in_condition_values() {
    let ctx: &[(&str, &[&str])] = &[("aws:username", &["alice"]), (K, &["home/alice/x"])];
    assert!(eval("StringLike", K, json!("home/${aws:username}/*"), ctx));
    assert!(!eval("StringLike", K, json!("home/${aws:userid}/*"), ctx));
    // A variable that resolves to nothing: positive operators fail, negated ones match.
    assert!(eval("StringNotLike", K, json!("home/${aws:userid}/*"), ctx));
    assert!(eval(
        "StringLike",
        K,
        json!("home/${aws:userid, 'alice'}/*"),
        ctx
    ));
    // Without variable support (2008-10-17) the text is literal.
    let block = json!({"StringEquals": {K: "${aws:username}"}});
    let c = parse_block(&block, false, Dialect::Iam).unwrap_or_default();
    let lit = Context::new()
        .with(K, "${aws:username}")
        .with("aws:username", "alice");
    assert!(c.iter().all(|c| c.evaluate(&lit)));
}

#[test]
fn parse_errors() {
    #[rustfmt::skip]
    let cases: &[(Value, &str)] = &[
        (json!("x"), "Syntax errors in policy."),
        (json!({"StringEquals": "x"}), "Syntax errors in policy."),
        (json!({"Bogus": {"aws:a": "x"}}), "Syntax errors in policy."),
        (json!({"StringEquals": {"aws:a": {"x": 1}}}), "Syntax errors in policy."),
        (json!({"StringEquals": {"aws:a": [["x"]]}}), "Syntax errors in policy."),
        (json!({"StringEquals": {"nokey": "x"}}), MSG_KEY_VENDOR),
        (json!({"DateLessThan": {"aws:CurrentTime": "soon"}}), MSG_LEGACY_PARSING),
        (json!({"NumericLessThan": {"s3:max-keys": "ten"}}), MSG_LEGACY_PARSING),
        (json!({"IpAddress": {"aws:SourceIp": "10.0.0.0/40"}}), MSG_LEGACY_PARSING),
        (json!({"Null": {"aws:a": "maybe"}}), MSG_LEGACY_PARSING),
    ];
    for (block, want) in cases {
        let got = parse_block(block, true, Dialect::Iam)
            .map(|_| ())
            .map_err(|e| e.message);
        assert_eq!(got, Err(want.to_string()), "{block}");
    }
    // An unknown operator with an empty block is accepted and ignored.
    assert_eq!(
        parse_block(&json!({"Bogus": {}}), true, Dialect::Iam).map(|c| c.len()),
        Ok(0)
    );
}
