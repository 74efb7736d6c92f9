//! Members several item operations share: `ReturnValues`, `ReturnConsumedCapacity`,
//! `ReturnItemCollectionMetrics`, the expression members and their attribute maps (with
//! DynamoDB's rules on mixing them with legacy parameters), and rendering consumed
//! capacity.

use serde_json::{Map, Value, json};
use strata_dynamodb::DynamoDbError;
use strata_dynamodb::Table;
use strata_dynamodb::capacity::{ConsumedCapacity, ReturnConsumedCapacity};
use strata_dynamodb::items::ReturnValues;
use strata_dynamodb_item::Item;
use strata_expression::ExpressionAttributes;

use super::wire::{Input, expression_attributes, item_json, units};

pub fn return_values(input: &mut Input, allowed: &[&str]) -> Result<ReturnValues, DynamoDbError> {
    let value = input.enum_str(
        "ReturnValues",
        &["NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"],
    )?;
    input.finish()?;
    let Some(v) = value else {
        return Ok(ReturnValues::None);
    };
    if !allowed.contains(&v.as_str()) {
        return Err(DynamoDbError::Validation(
            "Return values set to invalid value".to_owned(),
        ));
    }
    Ok(match v.as_str() {
        "ALL_OLD" => ReturnValues::AllOld,
        "UPDATED_OLD" => ReturnValues::UpdatedOld,
        "ALL_NEW" => ReturnValues::AllNew,
        "UPDATED_NEW" => ReturnValues::UpdatedNew,
        _ => ReturnValues::None,
    })
}

pub fn return_consumed_capacity(
    input: &mut Input,
) -> Result<ReturnConsumedCapacity, DynamoDbError> {
    Ok(
        match input
            .enum_str("ReturnConsumedCapacity", &["INDEXES", "TOTAL", "NONE"])?
            .as_deref()
        {
            Some("INDEXES") => ReturnConsumedCapacity::Indexes,
            Some("TOTAL") => ReturnConsumedCapacity::Total,
            _ => ReturnConsumedCapacity::None,
        },
    )
}

/// `ReturnItemCollectionMetrics: SIZE`.
pub fn return_item_collection_metrics(input: &mut Input) -> Result<bool, DynamoDbError> {
    Ok(input
        .enum_str("ReturnItemCollectionMetrics", &["SIZE", "NONE"])?
        .as_deref()
        == Some("SIZE"))
}

/// `ReturnValuesOnConditionCheckFailure: ALL_OLD`.
pub fn return_old_on_failure(input: &mut Input) -> Result<bool, DynamoDbError> {
    Ok(input
        .enum_str("ReturnValuesOnConditionCheckFailure", &["ALL_OLD", "NONE"])?
        .as_deref()
        == Some("ALL_OLD"))
}

/// The expression attribute maps, refused when no expression member uses them and
/// when expression and legacy members are mixed (DynamoDB's messages).
pub fn expression_context(
    input: &Input,
    expressions: &[&str],
    legacy: &[&str],
) -> Result<ExpressionAttributes, DynamoDbError> {
    let used_expressions: Vec<&str> = expressions
        .iter()
        .copied()
        .filter(|e| input.has(e))
        .collect();
    let used_legacy: Vec<&str> = legacy.iter().copied().filter(|e| input.has(e)).collect();
    if !used_expressions.is_empty() && !used_legacy.is_empty() {
        return Err(DynamoDbError::Validation(format!(
            "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {{{}}} Expression parameters: {{{}}}",
            used_legacy.join(", "),
            used_expressions.join(", ")
        )));
    }
    if used_expressions.is_empty() {
        if input.has("ExpressionAttributeNames") {
            return Err(DynamoDbError::Validation(
                "ExpressionAttributeNames can only be specified when using expressions".to_owned(),
            ));
        }
        if input.has("ExpressionAttributeValues") {
            return Err(DynamoDbError::Validation(
                "ExpressionAttributeValues can only be specified when using expressions".to_owned(),
            ));
        }
    }
    expression_attributes(input)
}

fn capacity_json(c: &ConsumedCapacity, mode: ReturnConsumedCapacity) -> Value {
    let mut o = Map::new();
    o.insert("TableName".into(), c.table_name.clone().into());
    o.insert("CapacityUnits".into(), units(c.total()));
    if c.read_units > 0.0 {
        o.insert("ReadCapacityUnits".into(), units(c.read_units));
    }
    if c.write_units > 0.0 {
        o.insert("WriteCapacityUnits".into(), units(c.write_units));
    }
    if mode == ReturnConsumedCapacity::Indexes {
        let key = if c.write_units > 0.0 {
            "WriteCapacityUnits"
        } else {
            "ReadCapacityUnits"
        };
        o.insert(
            "Table".into(),
            json!({"CapacityUnits": units(c.table_units), key: units(c.table_units)}),
        );
        for (member, list) in [
            ("GlobalSecondaryIndexes", &c.global_indexes),
            ("LocalSecondaryIndexes", &c.local_indexes),
        ] {
            if !list.is_empty() {
                let map: Map<String, Value> = list
                    .iter()
                    .map(|(n, u)| {
                        (
                            n.clone(),
                            json!({"CapacityUnits": units(*u), key: units(*u)}),
                        )
                    })
                    .collect();
                o.insert(member.into(), Value::Object(map));
            }
        }
    }
    Value::Object(o)
}

/// Adds `ConsumedCapacity` (one table) to a response when asked for.
pub fn add_capacity(
    out: &mut Map<String, Value>,
    c: &ConsumedCapacity,
    mode: ReturnConsumedCapacity,
) {
    if mode != ReturnConsumedCapacity::None {
        out.insert("ConsumedCapacity".into(), capacity_json(c, mode));
    }
}

/// Adds `ConsumedCapacity` as a list (batches and transactions).
pub fn add_capacity_list(
    out: &mut Map<String, Value>,
    list: &[ConsumedCapacity],
    mode: ReturnConsumedCapacity,
) {
    if mode != ReturnConsumedCapacity::None {
        out.insert(
            "ConsumedCapacity".into(),
            Value::Array(list.iter().map(|c| capacity_json(c, mode)).collect()),
        );
    }
}

/// `ItemCollectionMetrics` for a write to a table with local secondary indexes.
pub fn item_collection_metrics(table: &Table, key: &Item) -> Option<Value> {
    let has_local = table
        .def
        .indexes
        .iter()
        .any(|i| i.kind == strata_dynamodb::schema::IndexKind::Local);
    if !has_local {
        return None;
    }
    let mut collection_key = Item::new();
    if let Some(v) = key.get(&table.def.key_schema.partition.name) {
        collection_key.insert(table.def.key_schema.partition.name.clone(), v.clone());
    }
    // UNCONFIRMED: AWS estimates the collection size coarsely; strata reports the
    // smallest bracket it reports for small collections.
    Some(
        json!({"ItemCollectionKey": item_json(&collection_key), "SizeEstimateRangeGB": [0.0, 1.0]}),
    )
}
