//! PutItem, GetItem, UpdateItem and DeleteItem: decode with DynamoDB's checks (in its
//! order: shape, constraints, expressions, then the table), authorize with the item's
//! leading key, run in the engine, encode.

use serde_json::{Map, Value};
use strata_dynamodb::DynamoDbError;
use strata_dynamodb::items::{Action, ItemWrite, ReturnValues};
use strata_expression::{ConditionKind, parse_condition, parse_projection, parse_update};

use super::access::{Conditions, authorize_found, require, resolve};
use super::common::{
    add_capacity, expression_context, item_collection_metrics, return_consumed_capacity,
    return_item_collection_metrics, return_old_on_failure, return_values,
};
use super::legacy;
use super::wire::{Input, item_field, item_json};
use crate::auth::Caller;
use crate::state::ServerState;

type Out = Result<Value, DynamoDbError>;

fn write_response(
    output: strata_dynamodb::items::WriteOutput,
    capacity_mode: strata_dynamodb::capacity::ReturnConsumedCapacity,
    metrics: Option<Value>,
) -> Value {
    let mut out = Map::new();
    if let Some(attributes) = &output.attributes {
        out.insert("Attributes".into(), item_json(attributes));
    }
    add_capacity(&mut out, &output.capacity, capacity_mode);
    if let Some(m) = metrics {
        out.insert("ItemCollectionMetrics".into(), m);
    }
    Value::Object(out)
}

fn return_values_name(r: ReturnValues) -> Option<String> {
    let name = match r {
        ReturnValues::None => return None,
        ReturnValues::AllOld => "ALL_OLD",
        ReturnValues::UpdatedOld => "UPDATED_OLD",
        ReturnValues::AllNew => "ALL_NEW",
        ReturnValues::UpdatedNew => "UPDATED_NEW",
    };
    Some(name.to_owned())
}

pub async fn put_item(state: &ServerState, caller: &Caller, mut input: Input) -> Out {
    let name = input.table_name("TableName")?;
    let item = item_field(&input, "Item")?;
    if item.is_none() {
        input.violation(super::wire::null_violation("item"));
    }
    let capacity = return_consumed_capacity(&mut input)?;
    let metrics = return_item_collection_metrics(&mut input)?;
    let on_failure = return_old_on_failure(&mut input)?;
    let rv = return_values(&mut input, &["NONE", "ALL_OLD"])?;
    let mut attrs = expression_context(
        &input,
        &["ConditionExpression"],
        &["Expected", "ConditionalOperator"],
    )?;
    let mut condition = match input.str("ConditionExpression")? {
        Some(text) => Some(parse_condition(text, ConditionKind::Condition, &mut attrs)?),
        None => None,
    };
    attrs.check_all_used()?;
    if condition.is_none() {
        condition = legacy::expected(&input)?;
    }
    let item = item.expect("checked by finish");
    let table_ref = resolve(caller, &name.expect("checked by finish"))?;
    let mut conditions = Conditions {
        attributes: item.keys().cloned().collect(),
        return_values: return_values_name(rv),
        ..Default::default()
    };
    let found = state
        .dynamodb
        .table(table_ref.scope(), &table_ref.name)
        .ok();
    conditions.leading_key(found.as_ref(), &item);
    authorize_found(state, caller, "PutItem", &table_ref, found.as_ref(), None, conditions)?;
    let table = require(found)?;
    let key = table.def.key_schema.key_of(&item);
    let metrics = metrics
        .then(|| item_collection_metrics(&table, &key))
        .flatten();
    let write = ItemWrite::new(table, key, Action::Put(item), condition)?;
    let output = state.dynamodb.write_item(write, rv, on_failure).await?;
    Ok(write_response(output, capacity, metrics))
}

pub fn get_item(state: &ServerState, caller: &Caller, mut input: Input) -> Out {
    let name = input.table_name("TableName")?;
    let key = item_field(&input, "Key")?;
    if key.is_none() {
        input.violation(super::wire::null_violation("key"));
    }
    let capacity = return_consumed_capacity(&mut input)?;
    let consistent = input.bool("ConsistentRead")?.unwrap_or(false);
    input.finish()?;
    let mut attrs = expression_context(&input, &["ProjectionExpression"], &["AttributesToGet"])?;
    let mut projection = match input.str("ProjectionExpression")? {
        Some(text) => Some(parse_projection(text, &mut attrs)?),
        None => None,
    };
    attrs.check_all_used()?;
    if projection.is_none() {
        projection = legacy::attributes_to_get(&input)?;
    }
    let key = key.expect("checked by finish");
    let table_ref = resolve(caller, &name.expect("checked by finish"))?;
    let found = state
        .dynamodb
        .table(table_ref.scope(), &table_ref.name)
        .ok();
    let mut conditions = Conditions::default();
    conditions.leading_key(found.as_ref(), &key);
    if let Some(p) = &projection {
        conditions.attributes = p
            .top_level_attributes()
            .into_iter()
            .map(str::to_owned)
            .collect();
    }
    authorize_found(state, caller, "GetItem", &table_ref, found.as_ref(), None, conditions)?;
    let table = require(found)?;
    let got = state
        .dynamodb
        .get_item(&table, &key, projection.as_ref(), consistent)?;
    let mut out = Map::new();
    if let Some(item) = &got.item {
        out.insert("Item".into(), item_json(item));
    }
    add_capacity(&mut out, &got.capacity, capacity);
    Ok(Value::Object(out))
}

pub async fn update_item(state: &ServerState, caller: &Caller, mut input: Input) -> Out {
    let name = input.table_name("TableName")?;
    let key = item_field(&input, "Key")?;
    if key.is_none() {
        input.violation(super::wire::null_violation("key"));
    }
    let capacity = return_consumed_capacity(&mut input)?;
    let metrics = return_item_collection_metrics(&mut input)?;
    let on_failure = return_old_on_failure(&mut input)?;
    let rv = return_values(
        &mut input,
        &["NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"],
    )?;
    let mut attrs = expression_context(
        &input,
        &["UpdateExpression", "ConditionExpression"],
        &["AttributeUpdates", "Expected", "ConditionalOperator"],
    )?;
    let mut update = match input.str("UpdateExpression")? {
        Some(text) => Some(parse_update(text, &mut attrs)?),
        None => None,
    };
    let mut condition = match input.str("ConditionExpression")? {
        Some(text) => Some(parse_condition(text, ConditionKind::Condition, &mut attrs)?),
        None => None,
    };
    attrs.check_all_used()?;
    if update.is_none() {
        update = legacy::attribute_updates(&input)?;
    }
    if condition.is_none() {
        condition = legacy::expected(&input)?;
    }
    let key = key.expect("checked by finish");
    let table_ref = resolve(caller, &name.expect("checked by finish"))?;
    let found = state
        .dynamodb
        .table(table_ref.scope(), &table_ref.name)
        .ok();
    let mut conditions = Conditions {
        return_values: return_values_name(rv),
        ..Default::default()
    };
    conditions.leading_key(found.as_ref(), &key);
    if let Some(u) = &update {
        conditions.attributes = u
            .top_level_attributes()
            .into_iter()
            .map(str::to_owned)
            .collect();
    }
    authorize_found(state, caller, "UpdateItem", &table_ref, found.as_ref(), None, conditions)?;
    let table = require(found)?;
    let metrics = metrics
        .then(|| item_collection_metrics(&table, &key))
        .flatten();
    let write = ItemWrite::new(table, key.clone(), Action::Update(update), condition)?;
    let output = state.dynamodb.write_item(write, rv, on_failure).await?;
    Ok(write_response(output, capacity, metrics))
}

pub async fn delete_item(state: &ServerState, caller: &Caller, mut input: Input) -> Out {
    let name = input.table_name("TableName")?;
    let key = item_field(&input, "Key")?;
    if key.is_none() {
        input.violation(super::wire::null_violation("key"));
    }
    let capacity = return_consumed_capacity(&mut input)?;
    let metrics = return_item_collection_metrics(&mut input)?;
    let on_failure = return_old_on_failure(&mut input)?;
    let rv = return_values(&mut input, &["NONE", "ALL_OLD"])?;
    let mut attrs = expression_context(
        &input,
        &["ConditionExpression"],
        &["Expected", "ConditionalOperator"],
    )?;
    let mut condition = match input.str("ConditionExpression")? {
        Some(text) => Some(parse_condition(text, ConditionKind::Condition, &mut attrs)?),
        None => None,
    };
    attrs.check_all_used()?;
    if condition.is_none() {
        condition = legacy::expected(&input)?;
    }
    let key = key.expect("checked by finish");
    let table_ref = resolve(caller, &name.expect("checked by finish"))?;
    let found = state
        .dynamodb
        .table(table_ref.scope(), &table_ref.name)
        .ok();
    let mut conditions = Conditions {
        return_values: return_values_name(rv),
        ..Default::default()
    };
    conditions.leading_key(found.as_ref(), &key);
    authorize_found(state, caller, "DeleteItem", &table_ref, found.as_ref(), None, conditions)?;
    let table = require(found)?;
    let metrics = metrics
        .then(|| item_collection_metrics(&table, &key))
        .flatten();
    let write = ItemWrite::new(table, key, Action::Delete, condition)?;
    let output = state.dynamodb.write_item(write, rv, on_failure).await?;
    Ok(write_response(output, capacity, metrics))
}
