//! PutItem, GetItem, UpdateItem and DeleteItem. Inputs arrive decoded and checked against
//! DynamoDB's model; here come the rest of its checks in its order (expressions and their
//! legacy forms, return values), authorization with the item's leading key, and the engine.

use serde::Serialize;
use strata_dynamodb::Table;
use strata_dynamodb::capacity::ReturnConsumedCapacity;
use strata_dynamodb::items::{Action, ItemWrite, ReturnValues, WriteOutput};
use strata_dynamodb_item::Item;
use strata_expression::legacy::{
    self, AttributeValueUpdate, ConditionalOperator, ExpectedAttributeValue,
};
use strata_expression::{
    Condition, ConditionKind, ExpressionAttributes, Projection, parse_condition, parse_projection,
    parse_update,
};

use super::access::{Conditions, authorize_items, resolve};
use super::error::Result;
use super::model::{
    ConsumedCapacity, ExpressionAttributeMaps, ItemCollectionMetrics, conditional_operator,
    return_values,
};
use crate::{App, Caller};

/// `Expected` with `ConditionalOperator`: the legacy form of a `ConditionExpression`.
#[derive(Clone, Debug, Default)]
pub struct LegacyExpected {
    pub expected: Option<Vec<(String, ExpectedAttributeValue)>>,
    pub conditional_operator: Option<ConditionalOperator>,
}

/// What PutItem, UpdateItem and DeleteItem share: the table, the condition (an expression or
/// its legacy form) and what to return.
#[derive(Clone, Debug)]
pub struct WriteMembers {
    pub table_name: String,
    pub condition_expression: Option<String>,
    pub expression_attributes: ExpressionAttributeMaps,
    pub legacy: LegacyExpected,
    pub return_values: Option<ReturnValues>,
    pub return_consumed_capacity: ReturnConsumedCapacity,
    /// `ReturnItemCollectionMetrics: SIZE`.
    pub return_item_collection_metrics: bool,
    /// `ReturnValuesOnConditionCheckFailure: ALL_OLD`.
    pub return_old_on_condition_failure: bool,
}

/// PutItem's input.
#[derive(Clone, Debug)]
pub struct PutItemInput {
    pub write: WriteMembers,
    pub item: Item,
}

/// DeleteItem's input.
#[derive(Clone, Debug)]
pub struct DeleteItemInput {
    pub write: WriteMembers,
    pub key: Item,
}

/// UpdateItem's input.
#[derive(Clone, Debug)]
pub struct UpdateItemInput {
    pub write: WriteMembers,
    pub key: Item,
    pub update_expression: Option<String>,
    pub attribute_updates: Option<Vec<(String, AttributeValueUpdate)>>,
}

/// GetItem's input.
#[derive(Clone, Debug)]
pub struct GetItemInput {
    pub table_name: String,
    pub key: Item,
    pub projection_expression: Option<String>,
    pub expression_attributes: ExpressionAttributeMaps,
    pub attributes_to_get: Option<Vec<String>>,
    pub consistent_read: bool,
    pub return_consumed_capacity: ReturnConsumedCapacity,
}

/// PutItem's, UpdateItem's and DeleteItem's output.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct WriteItemOutput {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Item>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consumed_capacity: Option<ConsumedCapacity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_collection_metrics: Option<ItemCollectionMetrics>,
}

/// GetItem's output.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetItemOutput {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item: Option<Item>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consumed_capacity: Option<ConsumedCapacity>,
}

/// What a single-item write's response needs besides the engine's answer.
struct WriteRequest {
    table_name: String,
    /// `Item` (PutItem) or `Key`.
    target: Item,
    return_values: ReturnValues,
    return_consumed_capacity: ReturnConsumedCapacity,
    return_item_collection_metrics: bool,
    return_old_on_condition_failure: bool,
}

impl WriteRequest {
    fn new(write: WriteMembers, target: Item, return_values: ReturnValues) -> Self {
        Self {
            table_name: write.table_name,
            target,
            return_values,
            return_consumed_capacity: write.return_consumed_capacity,
            return_item_collection_metrics: write.return_item_collection_metrics,
            return_old_on_condition_failure: write.return_old_on_condition_failure,
        }
    }
}

/// `ConditionExpression` (its attribute maps fully used), or its legacy form `Expected`: the
/// one expression of PutItem and DeleteItem.
fn condition(write: &WriteMembers) -> Result<Option<Condition>> {
    let expression = write.condition_expression.as_deref();
    let mut attrs = write.expression_attributes.for_expressions(
        &[("ConditionExpression", expression.is_some())],
        &legacy_members(&write.legacy),
    )?;
    legacy_conditional_operator(&write.legacy)?;
    let condition = parse_condition_expression(expression, &mut attrs)?;
    attrs.check_all_used()?;
    match condition {
        Some(c) => Ok(Some(c)),
        None => expected_condition(&write.legacy),
    }
}

fn legacy_conditional_operator(legacy: &LegacyExpected) -> Result<()> {
    conditional_operator(legacy.conditional_operator, legacy.expected.as_deref())
}

fn legacy_members(legacy: &LegacyExpected) -> [(&'static str, bool); 2] {
    [
        ("Expected", legacy.expected.is_some()),
        ("ConditionalOperator", legacy.conditional_operator.is_some()),
    ]
}

fn parse_condition_expression(
    text: Option<&str>,
    attrs: &mut ExpressionAttributes,
) -> Result<Option<Condition>> {
    Ok(text
        .map(|text| parse_condition(text, ConditionKind::Condition, attrs))
        .transpose()?)
}

/// `Expected` (+ `ConditionalOperator`) as a condition.
fn expected_condition(legacy: &LegacyExpected) -> Result<Option<Condition>> {
    match &legacy.expected {
        None => Ok(None),
        Some(expected) => Ok(legacy::expected_condition(
            expected,
            legacy.conditional_operator,
        )?),
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
) -> Result<WriteItemOutput> {
    let table_ref = resolve(caller, &request.table_name)?;
    conditions.return_values = (request.return_values != ReturnValues::None)
        .then(|| request.return_values.name().to_owned());
    let table = authorize_items(
        app,
        caller,
        operation,
        &table_ref,
        [&request.target],
        conditions,
    )?;
    let (key, action) = action(&table, request.target);
    let metrics = request
        .return_item_collection_metrics
        .then(|| ItemCollectionMetrics::of(&table, &key))
        .flatten();
    let write = ItemWrite::new(table, key, action, condition)?;
    let WriteOutput {
        attributes,
        capacity,
    } = app
        .dynamodb
        .write_item(
            write,
            request.return_values,
            request.return_old_on_condition_failure,
        )
        .await?;
    Ok(WriteItemOutput {
        attributes,
        consumed_capacity: ConsumedCapacity::reported(&capacity, request.return_consumed_capacity),
        item_collection_metrics: metrics,
    })
}

fn attribute_names(names: Vec<&str>) -> Vec<String> {
    names.into_iter().map(str::to_owned).collect()
}

const PUT_OR_DELETE_RETURN_VALUES: [ReturnValues; 2] = [ReturnValues::None, ReturnValues::AllOld];

pub async fn put_item(app: &App, caller: &Caller, input: PutItemInput) -> Result<WriteItemOutput> {
    let return_values = return_values(input.write.return_values, &PUT_OR_DELETE_RETURN_VALUES)?;
    let condition = condition(&input.write)?;
    let conditions = Conditions {
        attributes: input.item.keys().cloned().collect(),
        ..Default::default()
    };
    let request = WriteRequest::new(input.write, input.item, return_values);
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

pub async fn update_item(
    app: &App,
    caller: &Caller,
    input: UpdateItemInput,
) -> Result<WriteItemOutput> {
    let write = input.write;
    let return_values = return_values(
        write.return_values,
        &[
            ReturnValues::None,
            ReturnValues::AllOld,
            ReturnValues::UpdatedOld,
            ReturnValues::AllNew,
            ReturnValues::UpdatedNew,
        ],
    )?;
    let [expected, operator] = legacy_members(&write.legacy);
    let mut attrs = write.expression_attributes.for_expressions(
        &[
            ("UpdateExpression", input.update_expression.is_some()),
            ("ConditionExpression", write.condition_expression.is_some()),
        ],
        &[
            ("AttributeUpdates", input.attribute_updates.is_some()),
            expected,
            operator,
        ],
    )?;
    legacy_conditional_operator(&write.legacy)?;
    let mut update = input
        .update_expression
        .as_deref()
        .map(|text| parse_update(text, &mut attrs))
        .transpose()?;
    let mut condition =
        parse_condition_expression(write.condition_expression.as_deref(), &mut attrs)?;
    attrs.check_all_used()?;
    if update.is_none()
        && let Some(updates) = &input.attribute_updates
    {
        update = Some(legacy::attribute_updates(updates)?);
    }
    if condition.is_none() {
        condition = expected_condition(&write.legacy)?;
    }
    let conditions = Conditions {
        attributes: update
            .as_ref()
            .map(|u| attribute_names(u.top_level_attributes()))
            .unwrap_or_default(),
        ..Default::default()
    };
    let request = WriteRequest::new(write, input.key, return_values);
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

pub async fn delete_item(
    app: &App,
    caller: &Caller,
    input: DeleteItemInput,
) -> Result<WriteItemOutput> {
    let return_values = return_values(input.write.return_values, &PUT_OR_DELETE_RETURN_VALUES)?;
    let condition = condition(&input.write)?;
    let request = WriteRequest::new(input.write, input.key, return_values);
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

/// `ProjectionExpression` (its attribute maps fully used), or its legacy form
/// `AttributesToGet`.
pub(super) fn projection(
    expression: Option<&str>,
    maps: &ExpressionAttributeMaps,
    attributes_to_get: Option<&[String]>,
) -> Result<Option<Projection>> {
    let mut attrs = maps.for_expressions(
        &[("ProjectionExpression", expression.is_some())],
        &[("AttributesToGet", attributes_to_get.is_some())],
    )?;
    let projection = expression
        .map(|text| parse_projection(text, &mut attrs))
        .transpose()?;
    attrs.check_all_used()?;
    match (projection, attributes_to_get) {
        (Some(p), _) => Ok(Some(p)),
        (None, Some(names)) => Ok(Some(legacy::attributes_to_get(names)?)),
        (None, None) => Ok(None),
    }
}

pub fn get_item(app: &App, caller: &Caller, input: GetItemInput) -> Result<GetItemOutput> {
    let projection = projection(
        input.projection_expression.as_deref(),
        &input.expression_attributes,
        input.attributes_to_get.as_deref(),
    )?;
    let table_ref = resolve(caller, &input.table_name)?;
    let mut conditions = Conditions::default();
    if let Some(p) = &projection {
        conditions.attributes = attribute_names(p.top_level_attributes());
    }
    let table = authorize_items(app, caller, "GetItem", &table_ref, [&input.key], conditions)?;
    let got = app.dynamodb.get_item(
        &table,
        &input.key,
        projection.as_ref(),
        input.consistent_read,
    )?;
    Ok(GetItemOutput {
        item: got.item,
        consumed_capacity: ConsumedCapacity::reported(
            &got.capacity,
            input.return_consumed_capacity,
        ),
    })
}
