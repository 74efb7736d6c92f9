//! Checking a parsed condition (ConditionExpression, FilterExpression,
//! KeyConditionExpression) and building its evaluated tree.
//!
//! Precedence of problems, highest first: redundant parentheses, too many operators, too
//! deep a path, an unknown function, a function used where it is not allowed, a reserved
//! word; then the first atomic condition (comparison, BETWEEN, IN, function) with a
//! problem, whose own precedence is: undefined name or value, wrong operand count,
//! non-distinct operands, wrong operand type.

use strata_dynamodb_item::AttributeValue;

use super::{PathSlots, first_error, note, resolve_path};
use crate::ast::{Comparator, Expr, Function, Operand};
use crate::error::{
    INVALID_FUNCTION, MISUSED_FUNCTION, NEEDS_PATH, NOT_DISTINCT, NOT_IN_CONDITION, OPERAND_COUNT,
    OPERAND_TYPE, REDUNDANT_PARENTHESES, TOO_MANY_IN_OPERANDS, TOO_MANY_OPERATORS, UNDEFINED_VALUE,
    path_for_message,
};
use crate::parser::raw::{RawCondition, RawFunction, RawOperand};
use crate::value::{compare, render};
use crate::{ExpressionAttributes, Path};

/// At most this many operators and functions in one expression.
pub(crate) const MAX_OPERATORS: usize = 300;
/// The error of an expression with more than [`MAX_OPERATORS`]: AWS stops counting at the
/// first operator over the limit, so it reports 301 however many there are (alternator's
/// `test_limits.py::test_deeply_nested_expression_2`: 909 operators, "operator count: 301").
pub(crate) fn too_many_operators(operators: usize) -> Option<String> {
    (operators > MAX_OPERATORS).then(|| format!("{TOO_MANY_OPERATORS}{}", MAX_OPERATORS + 1))
}

/// At most this many operands in the list of an IN.
pub(crate) const MAX_IN_OPERANDS: usize = 100;

/// The type names `attribute_type` accepts.
const TYPE_NAMES: [&str; 10] = ["S", "N", "B", "NULL", "SS", "BOOL", "L", "BS", "NS", "M"];
/// UNCONFIRMED order: AWS prints the sets below in an order that has varied between
/// captures; these are the orders dynalite recorded.
const ANY_TYPE: &str = "{NS,SS,L,BS,N,M,B,BOOL,NULL,S}";
const VALID_TYPES: &str = "{B,NULL,SS,BOOL,L,BS,N,NS,S,M}";
const INVALID_TYPE_NAME: &str = "Invalid attribute type name found; type: ";
const BETWEEN_TYPES: &str =
    "The BETWEEN operator requires same data type for lower and upper bounds; ";
const BETWEEN_ORDER: &str =
    "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; ";

/// The number of operands of a condition's function; `None` for a name that is not one.
pub(crate) fn condition_function_arity(name: &str) -> Option<usize> {
    match name {
        "attribute_exists" | "attribute_not_exists" | "size" => Some(1),
        "attribute_type" | "begins_with" | "contains" => Some(2),
        _ => None,
    }
}

/// Checks a parsed condition. `order_values`: whether an order comparison refuses a
/// `:value` that is not a scalar here (a ConditionExpression or FilterExpression); a
/// KeyConditionExpression's legacy form reports that with the comparison operator instead.
pub(crate) fn check_condition(
    condition: &RawCondition,
    redundant_parens: bool,
    order_values: bool,
    attributes: &mut ExpressionAttributes,
) -> Result<Expr, String> {
    let mut checker = Checker {
        order_values,
        attributes,
        unknown_function: None,
        misused_function: None,
        reserved: None,
        too_deep: None,
        condition: None,
        current: Current::default(),
        operators: 0,
    };
    let expr = checker.condition(condition);
    let redundant = redundant_parens.then(|| REDUNDANT_PARENTHESES.to_owned());
    let too_many = too_many_operators(checker.operators);
    if let Some(message) = first_error(&[
        &redundant,
        &too_many,
        &checker.too_deep,
        &checker.unknown_function,
        &checker.misused_function,
        &checker.reserved,
        &checker.condition,
    ]) {
        return Err(message);
    }
    // Every way of not building a tree notes a problem; this is a safety net.
    expr.ok_or_else(|| format!("{MISUSED_FUNCTION}unknown"))
}

/// Problems of the atomic condition being checked.
#[derive(Default)]
struct Current {
    name_value: Option<String>,
    operand_count: Option<String>,
    distinct: Option<String>,
    function: Option<String>,
}

struct Checker<'a> {
    order_values: bool,
    attributes: &'a mut ExpressionAttributes,
    unknown_function: Option<String>,
    misused_function: Option<String>,
    reserved: Option<String>,
    too_deep: Option<String>,
    /// The reported problem of the first atomic condition that had one.
    condition: Option<String>,
    current: Current,
    operators: usize,
}

/// A checked operand and what the checks of its context need to know about it.
struct Checked {
    operand: Option<Operand>,
    path: Option<Path>,
    is_path: bool,
    /// The type of a `:value` operand.
    value: Option<AttributeValue>,
    /// The type a value or function produces, as far as known before evaluation.
    result_type: Option<&'static str>,
    function: Option<String>,
}

/// What a function call turned into.
enum Call {
    Size(Operand),
    Condition(Function),
}

impl Checker<'_> {
    fn condition(&mut self, raw: &RawCondition) -> Option<Expr> {
        crate::stack::deeper(|| self.condition_here(raw))
    }

    fn condition_here(&mut self, raw: &RawCondition) -> Option<Expr> {
        match raw {
            RawCondition::Or(items) => {
                self.operators += items.len().saturating_sub(1);
                let parts: Vec<Option<Expr>> = items.iter().map(|c| self.condition(c)).collect();
                parts.into_iter().collect::<Option<Vec<_>>>().map(Expr::Or)
            }
            RawCondition::And(items) => {
                self.operators += items.len().saturating_sub(1);
                let parts: Vec<Option<Expr>> = items.iter().map(|c| self.condition(c)).collect();
                parts.into_iter().collect::<Option<Vec<_>>>().map(Expr::And)
            }
            RawCondition::Not(inner) => {
                self.operators += 1;
                self.condition(inner).map(|e| Expr::Not(Box::new(e)))
            }
            atomic => {
                self.current = Current::default();
                let expr = self.atomic(atomic);
                let current = std::mem::take(&mut self.current);
                if self.condition.is_none() {
                    self.condition = first_error(&[
                        &current.name_value,
                        &current.operand_count,
                        &current.distinct,
                        &current.function,
                    ]);
                }
                expr
            }
        }
    }

    fn atomic(&mut self, raw: &RawCondition) -> Option<Expr> {
        match raw {
            RawCondition::Compare(comparator, left, right) => {
                self.operators += 1;
                let left = self.operand(left);
                let right = self.operand(right);
                self.misuse(&[&left, &right]);
                self.distinct(comparator.symbol(), &left, &right);
                if !matches!(comparator, Comparator::Eq | Comparator::Ne) {
                    self.ordered(comparator.symbol(), &[&left, &right]);
                }
                Some(Expr::Compare(*comparator, left.operand?, right.operand?))
            }
            RawCondition::Between(value, low, high) => {
                self.operators += 1;
                let value = self.operand(value);
                let low = self.operand(low);
                let high = self.operand(high);
                self.misuse(&[&value, &low, &high]);
                self.ordered("BETWEEN", &[&value, &low, &high]);
                self.between_bounds(&low, &high);
                Some(Expr::Between(value.operand?, low.operand?, high.operand?))
            }
            RawCondition::In(value, list) => {
                self.operators += 1;
                let value = self.operand(value);
                let list: Vec<Checked> = list.iter().map(|o| self.operand(o)).collect();
                let mut all = vec![&value];
                all.extend(list.iter());
                self.misuse(&all);
                if list.len() > MAX_IN_OPERANDS {
                    note(&mut self.current.operand_count, || {
                        format!("{TOO_MANY_IN_OPERANDS}{}", list.len())
                    });
                }
                let list: Option<Vec<Operand>> = list.into_iter().map(|c| c.operand).collect();
                Some(Expr::In(value.operand?, list?))
            }
            RawCondition::Function(function) => {
                if function.name == "size" {
                    note(&mut self.misused_function, || {
                        format!("{MISUSED_FUNCTION}size")
                    });
                }
                match self.function(function).0 {
                    Some(Call::Condition(function)) => Some(Expr::Function(function)),
                    _ => None,
                }
            }
            RawCondition::Or(_) | RawCondition::And(_) | RawCondition::Not(_) => {
                self.condition(raw)
            }
        }
    }

    fn operand(&mut self, raw: &RawOperand) -> Checked {
        crate::stack::deeper(|| self.operand_here(raw))
    }

    fn operand_here(&mut self, raw: &RawOperand) -> Checked {
        match raw {
            RawOperand::Path(raw_path) => {
                let path = resolve_path(
                    raw_path,
                    self.attributes,
                    PathSlots {
                        reserved: &mut self.reserved,
                        undefined_name: &mut self.current.name_value,
                        too_deep: &mut self.too_deep,
                    },
                );
                Checked {
                    operand: path.clone().map(Operand::Path),
                    path,
                    is_path: true,
                    value: None,
                    result_type: None,
                    function: None,
                }
            }
            RawOperand::Value(key) => {
                let value = self.attributes.value(key);
                if value.is_none() {
                    note(&mut self.current.name_value, || {
                        format!("{UNDEFINED_VALUE}{key}")
                    });
                }
                Checked {
                    operand: value.clone().map(Operand::Value),
                    path: None,
                    is_path: false,
                    result_type: value.as_ref().map(AttributeValue::type_name),
                    value,
                    function: None,
                }
            }
            RawOperand::Function(function) => {
                let (call, result_type) = self.function(function);
                Checked {
                    operand: match call {
                        Some(Call::Size(operand)) => Some(operand),
                        _ => None,
                    },
                    path: None,
                    is_path: false,
                    value: None,
                    result_type,
                    function: Some(function.name.clone()),
                }
            }
        }
    }

    /// Functions other than `size` may not be operands.
    fn misuse(&mut self, operands: &[&Checked]) {
        for checked in operands {
            if let Some(name) = checked.function.as_deref().filter(|name| *name != "size") {
                note(&mut self.misused_function, || {
                    format!("{MISUSED_FUNCTION}{name}")
                });
            }
        }
    }

    /// Order comparisons (`<`, `<=`, `>`, `>=`, BETWEEN) take strings, numbers and binaries: a
    /// `:value` of another type is refused, while an item attribute of another type only makes
    /// the comparison false (alternator's test_condition_expression.py::test_update_condition_lt
    /// and test_update_condition_between, run against AWS; the wording is strata's usual
    /// operand-type message, UNCONFIRMED for these operators).
    fn ordered(&mut self, operator: &str, operands: &[&Checked]) {
        if !self.order_values {
            return;
        }
        let wrong = operands.iter().find_map(|c| {
            c.value
                .as_ref()
                .map(AttributeValue::type_name)
                .filter(|t| !matches!(*t, "S" | "N" | "B"))
        });
        if let Some(found) = wrong {
            note(&mut self.current.function, || {
                format!("{OPERAND_TYPE}{operator}, operand type: {found}")
            });
        }
    }

    fn distinct(&mut self, operator: &str, first: &Checked, second: &Checked) {
        if let (Some(a), Some(b)) = (&first.path, &second.path)
            && a == b
        {
            note(&mut self.current.distinct, || {
                format!(
                    "{NOT_DISTINCT}{operator}, first operand: {}",
                    path_for_message(a)
                )
            });
        }
    }

    fn between_bounds(&mut self, low: &Checked, high: &Checked) {
        let (Some(lo), Some(hi)) = (&low.value, &high.value) else {
            return;
        };
        let bounds = format!(
            "lower bound operand: AttributeValue: {}, upper bound operand: AttributeValue: {}",
            render(lo),
            render(hi)
        );
        if lo.type_name() != hi.type_name() {
            note(&mut self.current.function, || {
                format!("{BETWEEN_TYPES}{bounds}")
            });
        } else if compare(lo, hi) == Some(std::cmp::Ordering::Greater) {
            note(&mut self.current.function, || {
                format!("{BETWEEN_ORDER}{bounds}")
            });
        }
    }

    /// Check a function call; returns what it became and the type it produces.
    fn function(&mut self, raw: &RawFunction) -> (Option<Call>, Option<&'static str>) {
        self.operators += 1;
        let args: Vec<Checked> = raw.args.iter().map(|a| self.operand(a)).collect();
        self.misuse(&args.iter().collect::<Vec<_>>());
        let name = raw.name.as_str();
        let arity = match condition_function_arity(name) {
            Some(arity) => arity,
            // UpdateExpression's functions are known but refused here (alternator's
            // test_condition_expression.py::test_update_condition_other_funcs, run against AWS,
            // matches "ValidationException.*not allowed").
            None if matches!(name, "if_not_exists" | "list_append") => {
                note(&mut self.misused_function, || {
                    format!("{NOT_IN_CONDITION}{name}")
                });
                return (None, None);
            }
            None => {
                note(&mut self.unknown_function, || {
                    format!("{INVALID_FUNCTION}{name}")
                });
                return (None, None);
            }
        };
        if args.len() != arity {
            note(&mut self.current.operand_count, || {
                format!("{OPERAND_COUNT}{name}, number of operands: {}", args.len())
            });
            return (None, None);
        }
        if arity == 2 {
            self.distinct(name, &args[0], &args[1]);
        }
        let type_error = |found: &str| format!("{OPERAND_TYPE}{name}, operand type: {found}");
        let mut args = args.into_iter();
        let (first, second) = (args.next(), args.next());
        let Some(first) = first else {
            return (None, None);
        };
        match (name, second) {
            ("attribute_exists" | "attribute_not_exists", _) => {
                if !first.is_path {
                    note(&mut self.current.function, || format!("{NEEDS_PATH}{name}"));
                    return (None, None);
                }
                let path = first.path.map(|path| {
                    if name == "attribute_exists" {
                        Call::Condition(Function::AttributeExists(path))
                    } else {
                        Call::Condition(Function::AttributeNotExists(path))
                    }
                });
                (path, None)
            }
            ("size", _) => {
                if let Some(found) = first
                    .result_type
                    .filter(|t| matches!(*t, "N" | "BOOL" | "NULL"))
                {
                    note(&mut self.current.function, || type_error(found));
                    return (None, None);
                }
                (
                    first
                        .operand
                        .map(|o| Call::Size(Operand::Size(Box::new(o)))),
                    Some("N"),
                )
            }
            ("begins_with", Some(second)) => {
                let wrong = [&first, &second]
                    .into_iter()
                    .find_map(|arg| arg.result_type.filter(|t| !matches!(*t, "S" | "B")));
                if let Some(found) = wrong {
                    note(&mut self.current.function, || type_error(found));
                    return (None, None);
                }
                let call = first
                    .operand
                    .zip(second.operand)
                    .map(|(a, b)| Call::Condition(Function::BeginsWith(a, b)));
                (call, Some("BOOL"))
            }
            ("attribute_type", Some(second)) => {
                let type_name = match (&second.value, second.result_type) {
                    (Some(AttributeValue::S(type_name)), _) => type_name.clone(),
                    (_, found) => {
                        let found = found.unwrap_or(ANY_TYPE);
                        note(&mut self.current.function, || type_error(found));
                        return (None, None);
                    }
                };
                if !TYPE_NAMES.contains(&type_name.as_str()) {
                    note(&mut self.current.function, || {
                        format!("{INVALID_TYPE_NAME}{type_name}, valid types: {VALID_TYPES}")
                    });
                    return (None, None);
                }
                let call = first
                    .operand
                    .map(|a| Call::Condition(Function::AttributeType(a, type_name)));
                (call, Some("BOOL"))
            }
            ("contains", Some(second)) => {
                let call = first
                    .operand
                    .zip(second.operand)
                    .map(|(a, b)| Call::Condition(Function::Contains(a, b)));
                (call, Some("BOOL"))
            }
            _ => (None, None),
        }
    }
}
