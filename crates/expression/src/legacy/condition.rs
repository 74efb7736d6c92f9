//! The legacy `Condition` of QueryFilter, ScanFilter and KeyConditions: a
//! ComparisonOperator and its AttributeValueList.

use strata_dynamodb_item::AttributeValue;

use super::{ConditionalOperator, combine};
use crate::ExpressionError;
use crate::comparison_operator::ComparisonOperator;
use crate::key_condition::{KeyConditionEntry, KeyConditions};

/// AWS's `Condition` type: `{ComparisonOperator, AttributeValueList}` (an absent list is
/// empty).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Condition {
    pub comparison_operator: ComparisonOperator,
    pub attribute_value_list: Vec<AttributeValue>,
}

/// QueryFilter or ScanFilter with its ConditionalOperator; `None` when the map is empty.
pub fn filter_condition(
    filter: &[(String, Condition)],
    operator: Option<ConditionalOperator>,
) -> Result<Option<crate::Condition>, ExpressionError> {
    super::check_names(filter.iter().map(|(name, _)| name))?;
    let mut exprs = Vec::with_capacity(filter.len());
    for (attribute, condition) in filter {
        condition
            .comparison_operator
            .check_arguments(&condition.attribute_value_list)?;
        exprs.push(
            condition
                .comparison_operator
                .to_expr(attribute, &condition.attribute_value_list),
        );
    }
    Ok(combine(exprs, operator).map(crate::Condition))
}

/// KeyConditions, before the key schema is known.
pub fn key_conditions(
    conditions: &[(String, Condition)],
) -> Result<KeyConditions, ExpressionError> {
    KeyConditions::new(
        conditions
            .iter()
            .map(|(attribute, condition)| KeyConditionEntry {
                attribute: attribute.clone(),
                operator: condition.comparison_operator,
                values: condition.attribute_value_list.clone(),
            })
            .collect(),
    )
}
