//! The legacy `Expected` parameter (conditional writes): per attribute either
//! `Value`/`Exists` or a ComparisonOperator with its arguments, combined by
//! ConditionalOperator.

use strata_dynamodb_item::AttributeValue;

use super::{ConditionalOperator, combine};
use crate::ast::{Comparator, Expr, Function, Operand};
use crate::comparison_operator::ComparisonOperator;
use crate::{ExpressionError, Path};

const INVALID: &str = "One or more parameter values were invalid: ";
const VALUE_AND_LIST: &str = "Value and AttributeValueList cannot be used together for Attribute: ";
const EXISTS_AND_OPERATOR: &str =
    "Exists and ComparisonOperator cannot be used together for Attribute: ";
const LIST_WITHOUT_OPERATOR: &str =
    "AttributeValueList can only be used with a ComparisonOperator for Attribute: ";
const VALUE_WITH_EXISTS_FALSE: &str = "Value cannot be used when Exists is false for Attribute: ";
const VALUE_OR_LIST_MISSING: &str =
    "Value or AttributeValueList must be used with ComparisonOperator: ";
const VALUE_MISSING: &str = "Value must be provided when Exists is ";

/// AWS's `ExpectedAttributeValue`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExpectedAttributeValue {
    pub value: Option<AttributeValue>,
    pub exists: Option<bool>,
    pub comparison_operator: Option<ComparisonOperator>,
    pub attribute_value_list: Option<Vec<AttributeValue>>,
}

/// Expected with its ConditionalOperator; `None` when the map is empty.
pub fn expected_condition(
    expected: &[(String, ExpectedAttributeValue)],
    operator: Option<ConditionalOperator>,
) -> Result<Option<crate::Condition>, ExpressionError> {
    super::check_names(expected.iter().map(|(name, _)| name))?;
    let mut exprs = Vec::with_capacity(expected.len());
    for (attribute, condition) in expected {
        exprs.push(one(attribute, condition)?);
    }
    Ok(combine(exprs, operator).map(crate::Condition))
}

fn one(attribute: &str, condition: &ExpectedAttributeValue) -> Result<Expr, ExpressionError> {
    let invalid = |detail: String| Err(ExpressionError::validation(format!("{INVALID}{detail}")));
    if condition.attribute_value_list.is_some() && condition.value.is_some() {
        return invalid(format!("{VALUE_AND_LIST}{attribute}"));
    }
    if let Some(operator) = condition.comparison_operator {
        if condition.exists.is_some() {
            return invalid(format!("{EXISTS_AND_OPERATOR}{attribute}"));
        }
        if !matches!(
            operator,
            ComparisonOperator::Null | ComparisonOperator::NotNull
        ) && condition.attribute_value_list.is_none()
            && condition.value.is_none()
        {
            return invalid(format!(
                "{VALUE_OR_LIST_MISSING}{} for Attribute: {attribute}",
                operator.as_str()
            ));
        }
        let values: Vec<AttributeValue> = match (&condition.attribute_value_list, &condition.value)
        {
            (Some(list), _) => list.clone(),
            (None, Some(value)) => vec![value.clone()],
            (None, None) => Vec::new(),
        };
        operator.check_arguments(&values)?;
        return Ok(operator.to_expr(attribute, &values));
    }
    if condition.attribute_value_list.is_some() {
        return invalid(format!("{LIST_WITHOUT_OPERATOR}{attribute}"));
    }
    match (condition.exists, &condition.value) {
        (Some(false), None) => Ok(Expr::Function(Function::AttributeNotExists(
            Path::attribute(attribute),
        ))),
        (Some(false), Some(_)) => invalid(format!("{VALUE_WITH_EXISTS_FALSE}{attribute}")),
        (exists, None) => invalid(format!(
            "{VALUE_MISSING}{} for Attribute: {attribute}",
            if exists.is_some() { "true" } else { "null" }
        )),
        (_, Some(value)) => Ok(Expr::Compare(
            Comparator::Eq,
            Operand::Path(Path::attribute(attribute)),
            Operand::Value(value.clone()),
        )),
    }
}
