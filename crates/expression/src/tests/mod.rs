//! Tests across the crate's parts, through the public entry points: AWS's messages
//! compared exactly (cases from dynalite's suite, captured against DynamoDB), evaluation,
//! updates, projections, the legacy parameters, and that no input makes the parser panic.

mod condition_messages;
mod evaluation;
mod fuzz;
mod key_conditions;
mod legacy;
mod limits;
mod projection;
mod update_apply;
mod update_messages;

use std::collections::BTreeMap;

use strata_dynamodb_item::{AttributeValue, Item};
use strata_number::Number;

use crate::ExpressionAttributes;

pub(crate) fn s(text: &str) -> AttributeValue {
    AttributeValue::S(text.to_owned())
}

pub(crate) fn n(text: &str) -> AttributeValue {
    AttributeValue::N(Number::parse(text).expect("test numbers are valid"))
}

pub(crate) fn ss(members: &[&str]) -> AttributeValue {
    AttributeValue::Ss(members.iter().map(|m| (*m).to_owned()).collect())
}

pub(crate) fn ns(members: &[&str]) -> AttributeValue {
    AttributeValue::Ns(
        members
            .iter()
            .map(|m| Number::parse(m).expect("test numbers are valid"))
            .collect(),
    )
}

pub(crate) fn list(items: Vec<AttributeValue>) -> AttributeValue {
    AttributeValue::L(items)
}

pub(crate) fn map(pairs: Vec<(&str, AttributeValue)>) -> AttributeValue {
    AttributeValue::M(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
}

pub(crate) fn item(pairs: Vec<(&str, AttributeValue)>) -> Item {
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

/// Substitutions: names only if any given, values only if any given.
pub(crate) fn attrs(
    names: &[(&str, &str)],
    values: &[(&str, AttributeValue)],
) -> ExpressionAttributes {
    let names: Option<BTreeMap<String, String>> = (!names.is_empty()).then(|| {
        names
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    });
    let values: Option<BTreeMap<String, AttributeValue>> = (!values.is_empty()).then(|| {
        values
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    });
    ExpressionAttributes::new(names, values)
}
