//! Decoding PutItem, GetItem, UpdateItem and DeleteItem: members in DynamoDB's order, its
//! model checks, then one "N validation errors detected" for all of them.

use strata_app::dynamodb::Error;
use strata_app::dynamodb::items::{
    DeleteItemInput, GetItemInput, LegacyExpected, PutItemInput, UpdateItemInput, WriteMembers,
};

use super::input::{
    Input, camel, expression_attribute_maps, item_field, null_violation, required,
    return_consumed_capacity, return_item_collection_metrics, return_old_on_failure, return_values,
    string,
};
use super::legacy;

/// The members PutItem, UpdateItem and DeleteItem share, in DynamoDB's order, with the one
/// each names its item by (`Item` or `Key`); `expressions` reads what comes between them and
/// the condition (UpdateItem's update). Ends with the model's checks of all of them.
fn write_members<T>(
    mut input: Input,
    target: &str,
    expressions: impl FnOnce(&mut Input) -> Result<T, Error>,
) -> Result<(WriteMembers, strata_dynamodb_item::Item, T), Error> {
    let table_name = input.table_name("TableName")?;
    let item = item_field(&input, target)?;
    if item.is_none() {
        input.violation(null_violation(&camel(target)));
    }
    let return_consumed_capacity = return_consumed_capacity(&mut input)?;
    let return_item_collection_metrics = return_item_collection_metrics(&mut input)?;
    let return_old_on_condition_failure = return_old_on_failure(&mut input)?;
    let return_values = return_values(&mut input)?;
    let own = expressions(&mut input)?;
    let condition_expression = string(&input, "ConditionExpression")?;
    let expression_attributes = expression_attribute_maps(&input)?;
    let legacy = LegacyExpected {
        expected: legacy::expected(&mut input)?,
        conditional_operator: legacy::conditional_operator(&mut input)?,
    };
    input.finish()?;
    let write = WriteMembers {
        table_name: required(table_name)?,
        condition_expression,
        expression_attributes,
        legacy,
        return_values,
        return_consumed_capacity,
        return_item_collection_metrics,
        return_old_on_condition_failure,
    };
    Ok((write, required(item)?, own))
}

pub fn put_item(input: Input) -> Result<PutItemInput, Error> {
    let (write, item, ()) = write_members(input, "Item", |_| Ok(()))?;
    Ok(PutItemInput { write, item })
}

pub fn delete_item(input: Input) -> Result<DeleteItemInput, Error> {
    let (write, key, ()) = write_members(input, "Key", |_| Ok(()))?;
    Ok(DeleteItemInput { write, key })
}

pub fn update_item(input: Input) -> Result<UpdateItemInput, Error> {
    let (write, key, (update_expression, attribute_updates)) =
        write_members(input, "Key", |input| {
            Ok((
                string(input, "UpdateExpression")?,
                legacy::attribute_updates(input)?,
            ))
        })?;
    Ok(UpdateItemInput {
        write,
        key,
        update_expression,
        attribute_updates,
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
