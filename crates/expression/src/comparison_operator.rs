//! The legacy `ComparisonOperator` (of Expected, QueryFilter, ScanFilter, KeyConditions),
//! the argument checks DynamoDB applies to its `AttributeValueList`, and its meaning as a
//! condition tree. KeyConditionExpressions are checked through the same rules.

use std::cmp::Ordering;

use strata_dynamodb_item::AttributeValue;

use crate::ast::{Comparator, Expr, Function, Operand};
use crate::value::compare;
use crate::{ExpressionError, Path};

const INVALID: &str = "One or more parameter values were invalid: ";
const BETWEEN_ORDER: &str = "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ComparisonOperator {
    Eq,
    Ne,
    Le,
    Lt,
    Ge,
    Gt,
    NotNull,
    Null,
    Contains,
    NotContains,
    BeginsWith,
    In,
    Between,
}

impl ComparisonOperator {
    const ALL: [ComparisonOperator; 13] = [
        ComparisonOperator::Eq,
        ComparisonOperator::Ne,
        ComparisonOperator::Le,
        ComparisonOperator::Lt,
        ComparisonOperator::Ge,
        ComparisonOperator::Gt,
        ComparisonOperator::NotNull,
        ComparisonOperator::Null,
        ComparisonOperator::Contains,
        ComparisonOperator::NotContains,
        ComparisonOperator::BeginsWith,
        ComparisonOperator::In,
        ComparisonOperator::Between,
    ];

    /// The wire name (`EQ`, `NOT_NULL`, …); exact case, as AWS requires.
    pub fn parse(name: &str) -> Option<ComparisonOperator> {
        Self::ALL.into_iter().find(|op| op.as_str() == name)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ComparisonOperator::Eq => "EQ",
            ComparisonOperator::Ne => "NE",
            ComparisonOperator::Le => "LE",
            ComparisonOperator::Lt => "LT",
            ComparisonOperator::Ge => "GE",
            ComparisonOperator::Gt => "GT",
            ComparisonOperator::NotNull => "NOT_NULL",
            ComparisonOperator::Null => "NULL",
            ComparisonOperator::Contains => "CONTAINS",
            ComparisonOperator::NotContains => "NOT_CONTAINS",
            ComparisonOperator::BeginsWith => "BEGINS_WITH",
            ComparisonOperator::In => "IN",
            ComparisonOperator::Between => "BETWEEN",
        }
    }

    fn takes(self, count: usize) -> bool {
        match self {
            ComparisonOperator::NotNull | ComparisonOperator::Null => count == 0,
            ComparisonOperator::In => count >= 1,
            ComparisonOperator::Between => count == 2,
            _ => count == 1,
        }
    }

    /// The value types the operator accepts. EQ and NE accept every type ("EQ is
    /// supported for all data types, including lists and maps").
    fn accepts(self, type_name: &str) -> bool {
        match self {
            ComparisonOperator::Eq | ComparisonOperator::Ne => true,
            ComparisonOperator::BeginsWith => matches!(type_name, "S" | "B"),
            ComparisonOperator::NotNull | ComparisonOperator::Null => false,
            _ => matches!(type_name, "S" | "N" | "B"),
        }
    }

    /// DynamoDB's checks of an `AttributeValueList`, in its order: the count, one type for
    /// all, a type the operator accepts, and BETWEEN bounds in order.
    pub(crate) fn check_arguments(self, values: &[AttributeValue]) -> Result<(), ExpressionError> {
        if !self.takes(values.len()) {
            return Err(ExpressionError::validation(format!(
                "{INVALID}Invalid number of argument(s) for the {} ComparisonOperator",
                self.as_str()
            )));
        }
        if let Some(first) = values.first()
            && values.iter().any(|v| v.type_name() != first.type_name())
        {
            return Err(ExpressionError::validation(format!(
                "{INVALID}AttributeValues inside AttributeValueList must be of same type"
            )));
        }
        if let Some(wrong) = values.iter().find(|v| !self.accepts(v.type_name())) {
            return Err(ExpressionError::validation(format!(
                "{INVALID}ComparisonOperator {} is not valid for {} AttributeValue type",
                self.as_str(),
                wrong.type_name()
            )));
        }
        if self == ComparisonOperator::Between
            && let [low, high] = values
            && compare(low, high) == Some(Ordering::Greater)
        {
            return Err(ExpressionError::validation(BETWEEN_ORDER));
        }
        Ok(())
    }

    /// The condition `attribute <operator> values` (arguments already checked).
    pub(crate) fn to_expr(self, attribute: &str, values: &[AttributeValue]) -> Expr {
        let path = || Operand::Path(Path::attribute(attribute));
        let value = |index: usize| {
            Operand::Value(values.get(index).cloned().unwrap_or(AttributeValue::Null))
        };
        let compare = |comparator| Expr::Compare(comparator, path(), value(0));
        match self {
            ComparisonOperator::Eq => compare(Comparator::Eq),
            ComparisonOperator::Ne => compare(Comparator::Ne),
            ComparisonOperator::Le => compare(Comparator::Le),
            ComparisonOperator::Lt => compare(Comparator::Lt),
            ComparisonOperator::Ge => compare(Comparator::Ge),
            ComparisonOperator::Gt => compare(Comparator::Gt),
            ComparisonOperator::NotNull => {
                Expr::Function(Function::AttributeExists(Path::attribute(attribute)))
            }
            ComparisonOperator::Null => {
                Expr::Function(Function::AttributeNotExists(Path::attribute(attribute)))
            }
            ComparisonOperator::Contains => Expr::Function(Function::Contains(path(), value(0))),
            ComparisonOperator::NotContains => Expr::Not(Box::new(Expr::Function(
                Function::Contains(path(), value(0)),
            ))),
            ComparisonOperator::BeginsWith => {
                Expr::Function(Function::BeginsWith(path(), value(0)))
            }
            ComparisonOperator::In => {
                Expr::In(path(), values.iter().cloned().map(Operand::Value).collect())
            }
            ComparisonOperator::Between => Expr::Between(path(), value(0), value(1)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use strata_number::Number;

    fn s(text: &str) -> AttributeValue {
        AttributeValue::S(text.to_owned())
    }

    #[test]
    fn names_round_trip() {
        for op in ComparisonOperator::ALL {
            assert_eq!(ComparisonOperator::parse(op.as_str()), Some(op));
        }
        assert_eq!(ComparisonOperator::parse("eq"), None);
    }

    #[test]
    fn argument_checks() {
        let cases: Vec<(ComparisonOperator, Vec<AttributeValue>, &str)> = vec![
            (
                ComparisonOperator::Eq,
                vec![],
                "One or more parameter values were invalid: Invalid number of argument(s) for the EQ ComparisonOperator",
            ),
            (
                ComparisonOperator::Null,
                vec![s("a")],
                "One or more parameter values were invalid: Invalid number of argument(s) for the NULL ComparisonOperator",
            ),
            (
                ComparisonOperator::Between,
                vec![s("a")],
                "One or more parameter values were invalid: Invalid number of argument(s) for the BETWEEN ComparisonOperator",
            ),
            (
                ComparisonOperator::In,
                vec![s("b"), AttributeValue::N(Number::from(1))],
                "One or more parameter values were invalid: AttributeValues inside AttributeValueList must be of same type",
            ),
            (
                ComparisonOperator::Lt,
                vec![AttributeValue::Bool(true)],
                "One or more parameter values were invalid: ComparisonOperator LT is not valid for BOOL AttributeValue type",
            ),
            (
                ComparisonOperator::Contains,
                vec![AttributeValue::Ss(vec!["a".into()])],
                "One or more parameter values were invalid: ComparisonOperator CONTAINS is not valid for SS AttributeValue type",
            ),
            (
                ComparisonOperator::BeginsWith,
                vec![AttributeValue::N(Number::from(1))],
                "One or more parameter values were invalid: ComparisonOperator BEGINS_WITH is not valid for N AttributeValue type",
            ),
            (
                ComparisonOperator::Between,
                vec![s("b"), s("a")],
                "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound",
            ),
        ];
        for (op, values, message) in cases {
            assert_eq!(
                op.check_arguments(&values).unwrap_err().to_string(),
                message
            );
        }
        assert!(
            ComparisonOperator::Eq
                .check_arguments(&[AttributeValue::Null])
                .is_ok()
        );
        assert!(
            ComparisonOperator::BeginsWith
                .check_arguments(&[AttributeValue::B(vec![1])])
                .is_ok()
        );
    }
}
