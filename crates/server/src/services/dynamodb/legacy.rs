//! The pre-expression parameters older SDK mappers still send — `Expected`,
//! `AttributeUpdates`, `AttributesToGet`, `KeyConditions`, `QueryFilter`, `ScanFilter`
//! with `ConditionalOperator` — decoded from JSON into `strata_expression::legacy`'s typed
//! forms, which check them with DynamoDB's messages and build the same trees the
//! expressions do.

use serde_json::{Map, Value};
use strata_dynamodb::DynamoDbError;
use strata_dynamodb_item::AttributeValue;
use strata_expression::legacy::{
    self, AttributeAction, AttributeValueUpdate, ComparisonOperator, ConditionalOperator,
    ExpectedAttributeValue,
};
use strata_expression::{Condition, KeyConditions, Projection, Update};

use super::wire::{Input, attribute_value, camel, wrong_type};

fn enum_violation(value: &str, member: &str, allowed: &str) -> DynamoDbError {
    DynamoDbError::Validation(format!(
        "1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: Member must satisfy enum value set: [{allowed}]"
    ))
}

const OPERATORS: &str =
    "IN, NULL, BETWEEN, LT, NOT_CONTAINS, EQ, GT, NOT_NULL, NE, LE, BEGINS_WITH, GE, CONTAINS";

fn operator(name: &str, member: &str) -> Result<ComparisonOperator, DynamoDbError> {
    ComparisonOperator::parse(name).ok_or_else(|| enum_violation(name, member, OPERATORS))
}

fn conditional_operator(input: &Input) -> Result<Option<ConditionalOperator>, DynamoDbError> {
    match input.str("ConditionalOperator")? {
        None => Ok(None),
        Some(name) => ConditionalOperator::parse(name)
            .map(Some)
            .ok_or_else(|| enum_violation(name, "conditionalOperator", "OR, AND")),
    }
}

fn value_list(entry: &Input) -> Result<Option<Vec<AttributeValue>>, DynamoDbError> {
    entry
        .array("AttributeValueList")?
        .map(|list| list.iter().map(attribute_value).collect())
        .transpose()
}

/// Each entry of a map member as its own input, in the order of the map.
fn entries(map: &Map<String, Value>, shape: &str) -> Result<Vec<(String, Input)>, DynamoDbError> {
    map.iter()
        .map(|(name, v)| match v {
            Value::Object(o) => Ok((name.clone(), Input::from_map(o.clone()))),
            other => Err(wrong_type(other, shape)),
        })
        .collect()
}

/// `QueryFilter`/`ScanFilter`/`KeyConditions` entries.
fn conditions(
    map: &Map<String, Value>,
    member: &str,
) -> Result<Vec<(String, legacy::Condition)>, DynamoDbError> {
    let mut out = Vec::new();
    for (attribute, entry) in entries(map, "Condition")? {
        let field = format!("{}.{attribute}.member.comparisonOperator", camel(member));
        let Some(name) = entry.str("ComparisonOperator")? else {
            return Err(DynamoDbError::Validation(format!(
                "1 validation error detected: Value null at '{field}' failed to satisfy constraint: Member must not be null"
            )));
        };
        out.push((
            attribute,
            legacy::Condition {
                comparison_operator: operator(name, &field)?,
                attribute_value_list: value_list(&entry)?.unwrap_or_default(),
            },
        ));
    }
    Ok(out)
}

/// `Expected` (+ `ConditionalOperator`) as a condition.
pub fn expected(input: &Input) -> Result<Option<Condition>, DynamoDbError> {
    let Some(map) = input.object("Expected")? else {
        return Ok(None);
    };
    let mut expected = Vec::new();
    for (attribute, entry) in entries(map, "ExpectedAttributeValue")? {
        let field = format!("expected.{attribute}.member.comparisonOperator");
        expected.push((
            attribute,
            ExpectedAttributeValue {
                value: entry.raw("Value").map(attribute_value).transpose()?,
                exists: entry.bool("Exists")?,
                comparison_operator: entry
                    .str("ComparisonOperator")?
                    .map(|n| operator(n, &field))
                    .transpose()?,
                attribute_value_list: value_list(&entry)?,
            },
        ));
    }
    Ok(legacy::expected_condition(
        &expected,
        conditional_operator(input)?,
    )?)
}

/// `QueryFilter` / `ScanFilter` (+ `ConditionalOperator`) as a filter.
pub fn filter(input: &Input, member: &str) -> Result<Option<Condition>, DynamoDbError> {
    let Some(map) = input.object(member)? else {
        return Ok(None);
    };
    let list = conditions(map, member)?;
    Ok(legacy::filter_condition(
        &list,
        conditional_operator(input)?,
    )?)
}

/// `KeyConditions`, matched to the key schema later by the engine.
pub fn key_conditions(input: &Input) -> Result<Option<KeyConditions>, DynamoDbError> {
    let Some(map) = input.object("KeyConditions")? else {
        return Ok(None);
    };
    let list = conditions(map, "KeyConditions")?;
    Ok(Some(legacy::key_conditions(&list)?))
}

/// `AttributesToGet` as a projection.
pub fn attributes_to_get(input: &Input) -> Result<Option<Projection>, DynamoDbError> {
    let Some(list) = input.array("AttributesToGet")? else {
        return Ok(None);
    };
    let names = list
        .iter()
        .map(|v| match v {
            Value::String(s) => Ok(s.clone()),
            other => Err(wrong_type(other, "String")),
        })
        .collect::<Result<Vec<_>, _>>()?;
    if names.is_empty() {
        return Err(DynamoDbError::Validation(
            "1 validation error detected: Value '[]' at 'attributesToGet' failed to satisfy constraint: Member must have length greater than or equal to 1".to_owned(),
        ));
    }
    Ok(Some(legacy::attributes_to_get(&names)?))
}

/// `AttributeUpdates` as an update.
pub fn attribute_updates(input: &Input) -> Result<Option<Update>, DynamoDbError> {
    let Some(map) = input.object("AttributeUpdates")? else {
        return Ok(None);
    };
    let mut updates = Vec::new();
    for (attribute, entry) in entries(map, "AttributeValueUpdate")? {
        let action = match entry.str("Action")? {
            None => None,
            Some(name) => Some(AttributeAction::parse(name).ok_or_else(|| {
                enum_violation(
                    name,
                    &format!("attributeUpdates.{attribute}.member.action"),
                    "ADD, PUT, DELETE",
                )
            })?),
        };
        updates.push((
            attribute,
            AttributeValueUpdate {
                action,
                value: entry.raw("Value").map(attribute_value).transpose()?,
            },
        ));
    }
    Ok(Some(legacy::attribute_updates(&updates)?))
}
