//! The pre-expression request parameters, turned into the same trees as expressions:
//! `Expected` + `ConditionalOperator` and `QueryFilter`/`ScanFilter` into a [`Condition`],
//! `KeyConditions` into [`KeyConditions`], `AttributeUpdates` into an [`Update`] and
//! `AttributesToGet` into a [`Projection`].
//!
//! Inputs are typed (the engine parses the JSON); maps are slices of pairs so their order
//! is the order the client sent, which decides which error is reported first.
//!
//! [`Condition`]: crate::Condition
//! [`KeyConditions`]: crate::KeyConditions
//! [`Update`]: crate::Update
//! [`Projection`]: crate::Projection

mod attribute_updates;
mod condition;
mod expected;

pub use attribute_updates::{AttributeAction, AttributeValueUpdate, attribute_updates};
pub use condition::{Condition, filter_condition, key_conditions};
pub use expected::{ExpectedAttributeValue, expected_condition};

pub use crate::comparison_operator::ComparisonOperator;

use strata_dynamodb_item::{NAME_TOO_LARGE, name_too_large};

use crate::ast::Expr;
use crate::projection::Projection;
use crate::{ExpressionError, Path};

const DUPLICATE_ATTRIBUTE: &str =
    "One or more parameter values were invalid: Duplicate value in attribute name: ";

/// How the conditions of Expected, QueryFilter or ScanFilter combine.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ConditionalOperator {
    #[default]
    And,
    Or,
}

impl ConditionalOperator {
    /// The wire name: `AND` or `OR`.
    pub fn parse(name: &str) -> Option<ConditionalOperator> {
        match name {
            "AND" => Some(ConditionalOperator::And),
            "OR" => Some(ConditionalOperator::Or),
            _ => None,
        }
    }
}

/// Combine per-attribute conditions; `None` when there are none.
fn combine(mut exprs: Vec<Expr>, operator: Option<ConditionalOperator>) -> Option<Expr> {
    match exprs.len() {
        0 => None,
        1 => exprs.pop(),
        _ => Some(match operator.unwrap_or_default() {
            ConditionalOperator::And => Expr::And(exprs),
            ConditionalOperator::Or => Expr::Or(exprs),
        }),
    }
}

/// The names of a legacy parameter (AttributesToGet, AttributeUpdates, Expected, QueryFilter,
/// ScanFilter) are the model's `AttributeName`: at most 65,535 bytes.
fn check_names<'a>(names: impl IntoIterator<Item = &'a String>) -> Result<(), ExpressionError> {
    if names.into_iter().any(|name| name_too_large(name)) {
        return Err(ExpressionError::validation(NAME_TOO_LARGE));
    }
    Ok(())
}

/// AttributesToGet: top-level attributes, each at most once.
pub fn attributes_to_get(names: &[String]) -> Result<Projection, ExpressionError> {
    check_names(names)?;
    for (index, name) in names.iter().enumerate() {
        if names[..index].contains(name) {
            return Err(ExpressionError::validation(format!(
                "{DUPLICATE_ATTRIBUTE}{name}"
            )));
        }
    }
    Ok(Projection {
        paths: names.iter().map(Path::attribute).collect(),
    })
}
