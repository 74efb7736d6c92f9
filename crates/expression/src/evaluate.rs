//! Evaluating a condition against an item. Evaluation never fails: an operand that does
//! not resolve (missing attribute, `size` of a number) or values of types that cannot be
//! compared make the comparison false, as in DynamoDB.

use std::borrow::Cow;
use std::cmp::Ordering;

use strata_dynamodb_item::{AttributeValue, Item};
use strata_number::Number;

use crate::ast::{Comparator, Condition, Expr, Function, Operand};
use crate::value::{begins_with, compare, contains, size, values_equal};

impl Condition {
    /// Whether `item` satisfies the condition. A missing item is an empty `Item`.
    pub fn evaluate(&self, item: &Item) -> bool {
        evaluate(&self.0, item)
    }
}

pub(crate) fn evaluate(expr: &Expr, item: &Item) -> bool {
    match expr {
        Expr::And(items) => items.iter().all(|e| evaluate(e, item)),
        Expr::Or(items) => items.iter().any(|e| evaluate(e, item)),
        Expr::Not(inner) => !evaluate(inner, item),
        Expr::Compare(comparator, left, right) => {
            let left = operand(left, item);
            let right = operand(right, item);
            match (left, right) {
                (Some(l), Some(r)) => compares(*comparator, &l, &r),
                // `a <> :v` holds when `a` is missing: nothing equals a missing value.
                _ => *comparator == Comparator::Ne,
            }
        }
        Expr::Between(value, low, high) => {
            let (Some(v), Some(lo), Some(hi)) = (
                operand(value, item),
                operand(low, item),
                operand(high, item),
            ) else {
                return false;
            };
            compare(&v, &lo).is_some_and(|o| o != Ordering::Less)
                && compare(&v, &hi).is_some_and(|o| o != Ordering::Greater)
        }
        Expr::In(value, list) => operand(value, item).is_some_and(|v| {
            list.iter()
                .any(|candidate| operand(candidate, item).is_some_and(|c| values_equal(&v, &c)))
        }),
        Expr::Function(function) => function_holds(function, item),
    }
}

fn compares(comparator: Comparator, left: &AttributeValue, right: &AttributeValue) -> bool {
    match comparator {
        Comparator::Eq => values_equal(left, right),
        Comparator::Ne => !values_equal(left, right),
        Comparator::Lt => compare(left, right) == Some(Ordering::Less),
        Comparator::Le => matches!(compare(left, right), Some(Ordering::Less | Ordering::Equal)),
        Comparator::Gt => compare(left, right) == Some(Ordering::Greater),
        Comparator::Ge => matches!(
            compare(left, right),
            Some(Ordering::Greater | Ordering::Equal)
        ),
    }
}

fn function_holds(function: &Function, item: &Item) -> bool {
    match function {
        Function::AttributeExists(path) => path.get(item).is_some(),
        Function::AttributeNotExists(path) => path.get(item).is_none(),
        Function::AttributeType(value, type_name) => {
            operand(value, item).is_some_and(|v| v.type_name() == type_name)
        }
        Function::BeginsWith(value, prefix) => {
            match (operand(value, item), operand(prefix, item)) {
                (Some(v), Some(p)) => begins_with(&v, &p),
                _ => false,
            }
        }
        Function::Contains(haystack, needle) => {
            match (operand(haystack, item), operand(needle, item)) {
                (Some(h), Some(n)) => contains(&h, &n),
                _ => false,
            }
        }
    }
}

/// The value of an operand, if it has one for this item.
pub(crate) fn operand<'a>(
    operand_: &'a Operand,
    item: &'a Item,
) -> Option<Cow<'a, AttributeValue>> {
    match operand_ {
        Operand::Path(path) => path.get(item).map(Cow::Borrowed),
        Operand::Value(value) => Some(Cow::Borrowed(value)),
        Operand::Size(inner) => {
            let value = operand(inner, item)?;
            let count = i64::try_from(size(&value)?).ok()?;
            Some(Cow::Owned(AttributeValue::N(Number::from(count))))
        }
    }
}
