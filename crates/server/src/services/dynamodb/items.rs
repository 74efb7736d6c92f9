//! Decoding PutItem, GetItem, UpdateItem and DeleteItem: members in DynamoDB's order, its
//! model checks, then one "N validation errors detected" for all of them.

use strata_app::dynamodb::Error;
use strata_app::dynamodb::items::{
    DeleteItemInput, GetItemInput, LegacyExpected, PutItemInput, UpdateItemInput,
};

use super::input::{
    Input, camel, expression_attribute_maps, item_field, null_violation, required,
    return_consumed_capacity, return_item_collection_metrics, return_old_on_failure, return_values,
    string,
};
use super::legacy;

/// The members PutItem, UpdateItem and DeleteItem share, in DynamoDB's order.
struct WriteMembers {
    table_name: Option<String>,
    /// `Item` (PutItem) or `Key`.
    target: Option<strata_dynamodb_item::Item>,
    return_consumed_capacity: strata_dynamodb::capacity::ReturnConsumedCapacity,
    return_item_collection_metrics: bool,
    return_old_on_condition_failure: bool,
    return_values: Option<strata_dynamodb::items::ReturnValues>,
}

fn write_members(input: &mut Input, target: &str) -> Result<WriteMembers, Error> {
    let table_name = input.table_name("TableName")?;
    let item = item_field(input, target)?;
    if item.is_none() {
        input.violation(null_violation(&camel(target)));
    }
    Ok(WriteMembers {
        table_name,
        target: item,
        return_consumed_capacity: return_consumed_capacity(input)?,
        return_item_collection_metrics: return_item_collection_metrics(input)?,
        return_old_on_condition_failure: return_old_on_failure(input)?,
        return_values: return_values(input)?,
    })
}

fn legacy_expected(input: &mut Input) -> Result<LegacyExpected, Error> {
    Ok(LegacyExpected {
        expected: legacy::expected(input)?,
        conditional_operator: legacy::conditional_operator(input)?,
    })
}

pub fn put_item(mut input: Input) -> Result<PutItemInput, Error> {
    let m = write_members(&mut input, "Item")?;
    let condition_expression = string(&input, "ConditionExpression")?;
    let expression_attributes = expression_attribute_maps(&input)?;
    let legacy = legacy_expected(&mut input)?;
    input.finish()?;
    Ok(PutItemInput {
        table_name: required(m.table_name)?,
        item: required(m.target)?,
        condition_expression,
        expression_attributes,
        legacy,
        return_values: m.return_values,
        return_consumed_capacity: m.return_consumed_capacity,
        return_item_collection_metrics: m.return_item_collection_metrics,
        return_old_on_condition_failure: m.return_old_on_condition_failure,
    })
}

pub fn delete_item(mut input: Input) -> Result<DeleteItemInput, Error> {
    let m = write_members(&mut input, "Key")?;
    let condition_expression = string(&input, "ConditionExpression")?;
    let expression_attributes = expression_attribute_maps(&input)?;
    let legacy = legacy_expected(&mut input)?;
    input.finish()?;
    Ok(DeleteItemInput {
        table_name: required(m.table_name)?,
        key: required(m.target)?,
        condition_expression,
        expression_attributes,
        legacy,
        return_values: m.return_values,
        return_consumed_capacity: m.return_consumed_capacity,
        return_item_collection_metrics: m.return_item_collection_metrics,
        return_old_on_condition_failure: m.return_old_on_condition_failure,
    })
}

pub fn update_item(mut input: Input) -> Result<UpdateItemInput, Error> {
    let m = write_members(&mut input, "Key")?;
    let update_expression = string(&input, "UpdateExpression")?;
    let condition_expression = string(&input, "ConditionExpression")?;
    let expression_attributes = expression_attribute_maps(&input)?;
    let attribute_updates = legacy::attribute_updates(&mut input)?;
    let legacy = legacy_expected(&mut input)?;
    input.finish()?;
    Ok(UpdateItemInput {
        table_name: required(m.table_name)?,
        key: required(m.target)?,
        update_expression,
        condition_expression,
        expression_attributes,
        attribute_updates,
        legacy,
        return_values: m.return_values,
        return_consumed_capacity: m.return_consumed_capacity,
        return_item_collection_metrics: m.return_item_collection_metrics,
        return_old_on_condition_failure: m.return_old_on_condition_failure,
    })
}

pub fn get_item(mut input: Input) -> Result<GetItemInput, Error> {
    let table_name = input.table_name("TableName")?;
    let key = item_field(&input, "Key")?;
    if key.is_none() {
        input.violation(null_violation("key"));
    }
    let return_consumed_capacity = return_consumed_capacity(&mut input)?;
    let consistent_read = input.bool("ConsistentRead")?.unwrap_or(false);
    let projection_expression = string(&input, "ProjectionExpression")?;
    let expression_attributes = expression_attribute_maps(&input)?;
    let attributes_to_get = legacy::attributes_to_get(&mut input)?;
    input.finish()?;
    Ok(GetItemInput {
        table_name: required(table_name)?,
        key: required(key)?,
        projection_expression,
        expression_attributes,
        attributes_to_get,
        consistent_read,
        return_consumed_capacity,
    })
}
