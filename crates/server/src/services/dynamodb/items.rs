//! PutItem, GetItem, UpdateItem and DeleteItem: decode with DynamoDB's checks (in its
//! order: shape, constraints, expressions, then the table), authorize with the item's
//! leading key, run in the engine, encode.

use serde_json::{Map, Value};
use strata_dynamodb::capacity::ReturnConsumedCapacity;
use strata_dynamodb::items::{Action, ItemWrite, ReturnValues};
use strata_dynamodb::{DynamoDbError, Table};
use strata_dynamodb_item::Item;
use strata_expression::{
    Condition, ConditionKind, ExpressionAttributes, parse_condition, parse_projection, parse_update,
};

use super::common::{
    add_capacity, expression_context, item_collection_metrics, return_consumed_capacity,
    return_item_collection_metrics, return_old_on_failure, return_values,
};
use super::legacy;
use super::wire::{Input, item_field, item_json};
use strata_app::App;
use strata_app::Caller;
use strata_app::dynamodb::access::{Conditions, authorize_item, resolve};

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

/// The members PutItem, UpdateItem and DeleteItem share, decoded in DynamoDB's order.
struct WriteRequest {
    table: String,
    /// `Item` (PutItem) or `Key`.
    target: Item,
    capacity: ReturnConsumedCapacity,
    metrics: bool,
    on_failure: bool,
    return_values: ReturnValues,
}

fn write_request(
    input: &mut Input,
    target: &str,
    allowed_return_values: &[&str],
) -> Result<WriteRequest, DynamoDbError> {
    let name = input.table_name("TableName")?;
    let item = item_field(input, target)?;
    if item.is_none() {
        input.violation(super::wire::null_violation(&super::wire::camel(target)));
    }
    let capacity = return_consumed_capacity(input)?;
    let metrics = return_item_collection_metrics(input)?;
    let on_failure = return_old_on_failure(input)?;
    let return_values = return_values(input, allowed_return_values)?;
    Ok(WriteRequest {
        table: name.expect("checked by finish"),
        target: item.expect("checked by finish"),
        capacity,
        metrics,
        on_failure,
        return_values,
    })
}

/// `ConditionExpression`, or its legacy form `Expected`.
fn condition(
    input: &Input,
    attrs: &mut ExpressionAttributes,
) -> Result<Option<Condition>, DynamoDbError> {
    match input.str("ConditionExpression")? {
        Some(text) => Ok(Some(parse_condition(
            text,
            ConditionKind::Condition,
            attrs,
        )?)),
        None => Ok(None),
    }
}

/// Authorizes and runs one item write; `action` builds the key and the change once the
/// table is known.
async fn run_write(
    app: &App,
    caller: &Caller,
    operation: &str,
    request: WriteRequest,
    mut conditions: Conditions,
    condition: Option<Condition>,
    action: impl FnOnce(&Table, Item) -> (Item, Action),
) -> Out {
    let table_ref = resolve(caller, &request.table)?;
    conditions.return_values = return_values_name(request.return_values);
    let table = authorize_item(
        app,
        caller,
        operation,
        &table_ref,
        &request.target,
        conditions,
    )?;
    let (key, action) = action(&table, request.target);
    let metrics = request
        .metrics
        .then(|| item_collection_metrics(&table, &key))
        .flatten();
    let write = ItemWrite::new(table, key, action, condition)?;
    let output = app
        .dynamodb
        .write_item(write, request.return_values, request.on_failure)
        .await?;
    Ok(write_response(output, request.capacity, metrics))
}

/// The condition of PutItem and DeleteItem, their only expression: `ConditionExpression`
/// (its attribute maps fully used) or the legacy `Expected`.
fn condition_only(input: &Input) -> Result<Option<Condition>, DynamoDbError> {
    let mut attrs = expression_context(
        input,
        &["ConditionExpression"],
        &["Expected", "ConditionalOperator"],
    )?;
    let condition = condition(input, &mut attrs)?;
    attrs.check_all_used()?;
    match condition {
        Some(c) => Ok(Some(c)),
        None => legacy::expected(input),
    }
}

fn attribute_names(names: Vec<&str>) -> Vec<String> {
    names.into_iter().map(str::to_owned).collect()
}

pub async fn put_item(app: &App, caller: &Caller, mut input: Input) -> Out {
    let request = write_request(&mut input, "Item", &["NONE", "ALL_OLD"])?;
    let condition = condition_only(&input)?;
    let conditions = Conditions {
        attributes: request.target.keys().cloned().collect(),
        ..Default::default()
    };
    run_write(
        app,
        caller,
        "PutItem",
        request,
        conditions,
        condition,
        |table, item| (table.def.key_schema.key_of(&item), Action::Put(item)),
    )
    .await
}

pub async fn update_item(app: &App, caller: &Caller, mut input: Input) -> Out {
    let request = write_request(
        &mut input,
        "Key",
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
    let mut condition = condition(&input, &mut attrs)?;
    attrs.check_all_used()?;
    if update.is_none() {
        update = legacy::attribute_updates(&input)?;
    }
    if condition.is_none() {
        condition = legacy::expected(&input)?;
    }
    let conditions = Conditions {
        attributes: update
            .as_ref()
            .map(|u| attribute_names(u.top_level_attributes()))
            .unwrap_or_default(),
        ..Default::default()
    };
    run_write(
        app,
        caller,
        "UpdateItem",
        request,
        conditions,
        condition,
        |_, key| (key, Action::Update(update)),
    )
    .await
}

pub async fn delete_item(app: &App, caller: &Caller, mut input: Input) -> Out {
    let request = write_request(&mut input, "Key", &["NONE", "ALL_OLD"])?;
    let condition = condition_only(&input)?;
    run_write(
        app,
        caller,
        "DeleteItem",
        request,
        Conditions::default(),
        condition,
        |_, key| (key, Action::Delete),
    )
    .await
}

pub fn get_item(app: &App, caller: &Caller, mut input: Input) -> Out {
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
    let mut conditions = Conditions::default();
    if let Some(p) = &projection {
        conditions.attributes = attribute_names(p.top_level_attributes());
    }
    let table = authorize_item(app, caller, "GetItem", &table_ref, &key, conditions)?;
    let got = app
        .dynamodb
        .get_item(&table, &key, projection.as_ref(), consistent)?;
    let mut out = Map::new();
    if let Some(item) = &got.item {
        out.insert("Item".into(), item_json(item));
    }
    add_capacity(&mut out, &got.capacity, capacity);
    Ok(Value::Object(out))
}
