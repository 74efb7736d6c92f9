//! The pre-expression parameters older SDK mappers still send — `Expected`,
//! `AttributeUpdates`, `AttributesToGet`, `KeyConditions`, `QueryFilter`, `ScanFilter` and
//! `ConditionalOperator` — decoded from JSON into `strata_expression::legacy`'s typed forms,
//! with DynamoDB's model checks recorded as violations. The application turns them into the
//! trees the expressions build.

use serde_json::{Map, Value};
use strata_app::dynamodb::Error;
use strata_dynamodb_item::AttributeValue;
use strata_expression::legacy::{
    self, AttributeAction, AttributeValueUpdate, ComparisonOperator, ConditionalOperator,
    ExpectedAttributeValue,
};

use super::input::{
    Input, attribute_value, camel, enum_violation, null_violation, strings, wrong_type,
};

const OPERATORS: &[&str] = &[
    "IN",
    "NULL",
    "BETWEEN",
    "LT",
    "NOT_CONTAINS",
    "EQ",
    "GT",
    "NOT_NULL",
    "NE",
    "LE",
    "BEGINS_WITH",
    "GE",
    "CONTAINS",
];

/// A `ComparisonOperator`, or a violation recorded on `input`.
fn operator(input: &mut Input, name: &str, member: &str) -> Option<ComparisonOperator> {
    let operator = ComparisonOperator::parse(name);
    if operator.is_none() {
        input.violation(enum_violation(name, member, OPERATORS));
    }
    operator
}

/// `ConditionalOperator`.
pub fn conditional_operator(input: &mut Input) -> Result<Option<ConditionalOperator>, Error> {
    let Some(name) = input.str("ConditionalOperator")?.map(str::to_owned) else {
        return Ok(None);
    };
    let operator = ConditionalOperator::parse(&name);
    if operator.is_none() {
        input.violation(enum_violation(&name, "conditionalOperator", &["OR", "AND"]));
    }
    Ok(operator)
}

fn value_list(entry: &Input) -> Result<Option<Vec<AttributeValue>>, Error> {
    entry
        .array("AttributeValueList")?
        .map(|list| list.iter().map(attribute_value).collect())
        .transpose()
}

/// Each entry of a map member as its own input, in the order of the map.
fn entries(map: &Map<String, Value>, shape: &str) -> Result<Vec<(String, Input)>, Error> {
    map.iter()
        .map(|(name, v)| match v {
            Value::Object(o) => Ok((name.clone(), Input::from_map(o.clone()))),
            other => Err(wrong_type(other, shape)),
        })
        .collect()
}

/// `QueryFilter`, `ScanFilter` or `KeyConditions`.
pub fn conditions(
    input: &mut Input,
    member: &str,
) -> Result<Option<Vec<(String, legacy::Condition)>>, Error> {
    let Some(map) = input.object(member)?.cloned() else {
        return Ok(None);
    };
    let mut out = Vec::new();
    for (attribute, entry) in entries(&map, "Condition")? {
        let field = format!("{}.{attribute}.member.comparisonOperator", camel(member));
        let Some(name) = entry.str("ComparisonOperator")? else {
            input.violation(null_violation(&field));
            continue;
        };
        let values = value_list(&entry)?.unwrap_or_default();
        if let Some(comparison_operator) = operator(input, name, &field) {
            out.push((
                attribute,
                legacy::Condition {
                    comparison_operator,
                    attribute_value_list: values,
                },
            ));
        }
    }
    Ok(Some(out))
}

/// `Expected`.
pub fn expected(input: &mut Input) -> Result<Option<Vec<(String, ExpectedAttributeValue)>>, Error> {
    let Some(map) = input.object("Expected")?.cloned() else {
        return Ok(None);
    };
    let mut expected = Vec::new();
    for (attribute, entry) in entries(&map, "ExpectedAttributeValue")? {
        let field = format!("expected.{attribute}.member.comparisonOperator");
        let value = entry.raw("Value").map(attribute_value).transpose()?;
        let exists = entry.bool("Exists")?;
        let comparison_operator = match entry.str("ComparisonOperator")? {
            Some(name) => match operator(input, name, &field) {
                Some(operator) => Some(operator),
                None => continue,
            },
            None => None,
        };
        expected.push((
            attribute,
            ExpectedAttributeValue {
                value,
                exists,
                comparison_operator,
                attribute_value_list: value_list(&entry)?,
            },
        ));
    }
    Ok(Some(expected))
}

/// `AttributesToGet`: at least one name.
pub fn attributes_to_get(input: &mut Input) -> Result<Option<Vec<String>>, Error> {
    let names = strings(input, "AttributesToGet")?;
    if names.as_ref().is_some_and(Vec::is_empty) {
        input.violation(
            "Value '[]' at 'attributesToGet' failed to satisfy constraint: Member must have length greater than or equal to 1".to_owned(),
        );
    }
    Ok(names)
}

/// `AttributeUpdates`.
pub fn attribute_updates(
    input: &mut Input,
) -> Result<Option<Vec<(String, AttributeValueUpdate)>>, Error> {
    let Some(map) = input.object("AttributeUpdates")?.cloned() else {
        return Ok(None);
    };
    let mut updates = Vec::new();
    for (attribute, entry) in entries(&map, "AttributeValueUpdate")? {
        let action = match entry.str("Action")? {
            None => None,
            Some(name) => {
                let action = AttributeAction::parse(name);
                if action.is_none() {
                    input.violation(enum_violation(
                        name,
                        &format!("attributeUpdates.{attribute}.member.action"),
                        &["ADD", "PUT", "DELETE"],
                    ));
                    continue;
                }
                action
            }
        };
        updates.push((
            attribute,
            AttributeValueUpdate {
                action,
                value: entry.raw("Value").map(attribute_value).transpose()?,
            },
        ));
    }
    Ok(Some(updates))
}
