//! DynamoDB's expression limits: 4 KB of text, 300 operators, and nesting as deep as fits in
//! 4 KB answered with AWS's messages rather than a crash or a syntax error. The cases are
//! alternator's `test_limits.py` (run against AWS); each runs on a thread with a tokio
//! worker's 2 MB stack, where the server parses expressions.

use super::{attrs, item, n};
use crate::{ConditionKind, parse_condition, parse_update};

/// `expression` as a ConditionExpression with `:v` defined: the error, or `None` when it
/// parses and evaluates. Runs on a 2 MB stack.
fn condition(expression: String) -> Option<String> {
    std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || {
            let mut attributes = attrs(&[], &[(":v", n("1"))]);
            match parse_condition(&expression, ConditionKind::Condition, &mut attributes) {
                Ok(parsed) => {
                    parsed.evaluate(&item(vec![("a", n("1")), ("b", n("2"))]));
                    None
                }
                Err(e) => Some(e.to_string()),
            }
        })
        .expect("a thread starts")
        .join()
        .expect("parsing never overflows the stack")
}

const PREFIX: &str = "Invalid ConditionExpression: ";

#[test]
fn nesting_within_300_operators_is_accepted() {
    // test_deeply_nested_expression_2: 149 levels, 299 operators; AWS accepts it.
    let expression = format!("a<b {}{}", "or (a<b ".repeat(149), ")".repeat(149));
    assert_eq!(condition(expression), None);
}

#[test]
fn too_many_operators_are_counted_to_301() {
    // test_deeply_nested_expression_2: 454 levels, 909 operators, within 4 KB.
    let expression = format!("a<b {}{}", "or (a<b ".repeat(454), ")".repeat(454));
    assert!(expression.len() < 4096);
    let too_many =
        format!("{PREFIX}The expression contains too many operators; operator count: 301");
    assert_eq!(condition(expression).as_deref(), Some(too_many.as_str()));
    // test_deeply_nested_expression_4: 1,000 NOTs (AWS refuses it; its text is UNCONFIRMED).
    let expression = format!("{}a<b", "not ".repeat(1000));
    assert_eq!(condition(expression).as_deref(), Some(too_many.as_str()));
}

#[test]
fn deep_parentheses_are_redundant() {
    // test_deeply_nested_expression_3: AWS says "The expression has redundant parentheses".
    let expression = format!("{}a<b{}", "(".repeat(2046), ")".repeat(2046));
    assert_eq!(
        condition(expression).as_deref(),
        Some("Invalid ConditionExpression: The expression has redundant parentheses;")
    );
}

#[test]
fn deep_function_calls_are_refused_cleanly() {
    // test_deeply_nested_expression_5: AWS answers "Invalid function name; function: f";
    // strata counts function calls as operators and reports that first (UNCONFIRMED).
    let expression = format!("a < {}b{}", "f(".repeat(1355), ")".repeat(1355));
    assert!(condition(expression).is_some_and(|e| e.starts_with(PREFIX)));
    let expression = format!("a < {}b{}", "size(".repeat(680), ")".repeat(680));
    assert!(condition(expression).is_some_and(|e| e.starts_with(PREFIX)));
    // test_deeply_nested_expression_1: 4,096 open parentheses.
    assert!(condition("(".repeat(4096)).is_some_and(|e| e.starts_with(PREFIX)));
}

#[test]
fn deep_update_operands_are_refused_cleanly() {
    let expression = format!(
        "SET a = {}b{}",
        "list_append(".repeat(300),
        ", :v)".repeat(300)
    );
    let refused = std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || parse_update(&expression, &mut attrs(&[], &[(":v", n("1"))])).is_err())
        .expect("a thread starts")
        .join()
        .expect("parsing never overflows the stack");
    assert!(refused);
}
