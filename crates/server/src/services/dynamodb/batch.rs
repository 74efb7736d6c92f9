//! Decoding BatchGetItem and BatchWriteItem: `RequestItems` with DynamoDB's model limits.

use serde_json::{Map, Value};
use strata_app::dynamodb::Error;
use strata_app::dynamodb::batch::{
    BatchGetItemInput, BatchWriteItemInput, KeysAndAttributes, WriteRequest,
};

use super::input::{
    Input, expression_attribute_maps, item, null_violation, one_validation_error,
    return_consumed_capacity, return_item_collection_metrics, string, wrong_type,
};
use super::legacy;

/// Writes one BatchWriteItem may carry.
const MAX_BATCH_WRITES: usize = 25;

fn request_items(input: &mut Input) -> Result<Map<String, Value>, Error> {
    match input.object("RequestItems")?.cloned() {
        None => {
            input.violation(null_violation("requestItems"));
            input.finish()?;
            Ok(Map::new())
        }
        Some(map) if map.is_empty() => {
            input.violation(
                "Value '{}' at 'requestItems' failed to satisfy constraint: Member must have length greater than or equal to 1".to_owned(),
            );
            input.finish()?;
            Ok(map)
        }
        Some(map) => Ok(map),
    }
}

pub fn batch_get_item(mut input: Input) -> Result<BatchGetItemInput, Error> {
    let return_consumed_capacity = return_consumed_capacity(&mut input)?;
    let items = request_items(&mut input)?;
    input.finish()?;
    let mut request_items = Vec::with_capacity(items.len());
    for (name, spec) in items {
        let Value::Object(spec) = &spec else {
            return Err(wrong_type(&spec, "KeysAndAttributes"));
        };
        let mut spec = Input::from_map(spec.clone());
        let keys = spec.array("Keys")?.cloned().unwrap_or_default();
        if keys.is_empty() {
            return Err(one_validation_error(&null_violation(&format!(
                "requestItems.{name}.member.keys"
            ))));
        }
        let keys = keys.iter().map(item).collect::<Result<Vec<_>, _>>()?;
        let projection_expression = string(&spec, "ProjectionExpression")?;
        let expression_attributes = expression_attribute_maps(&spec)?;
        let attributes_to_get = legacy::attributes_to_get(&mut spec)?;
        let consistent_read = spec.bool("ConsistentRead")?;
        spec.finish()?;
        request_items.push((
            name,
            KeysAndAttributes {
                keys,
                projection_expression,
                expression_attributes,
                attributes_to_get,
                consistent_read,
            },
        ));
    }
    Ok(BatchGetItemInput {
        request_items,
        return_consumed_capacity,
    })
}

pub fn batch_write_item(mut input: Input) -> Result<BatchWriteItemInput, Error> {
    let return_consumed_capacity = return_consumed_capacity(&mut input)?;
    // Accepted and checked; strata has no item collection metrics to report for batches.
    let _metrics = return_item_collection_metrics(&mut input)?;
    let items = request_items(&mut input)?;
    input.finish()?;
    let limits = format!(
        "1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to {MAX_BATCH_WRITES}, Member must have length greater than or equal to 1]"
    );
    let count: usize = items
        .values()
        .map(|v| v.as_array().map_or(0, Vec::len))
        .sum();
    if count > MAX_BATCH_WRITES {
        return Err(Error::Validation(limits));
    }
    let mut request_items = Vec::with_capacity(items.len());
    for (name, list) in items {
        let Value::Array(list) = &list else {
            return Err(wrong_type(&list, "List"));
        };
        if list.is_empty() {
            return Err(Error::Validation(limits));
        }
        let mut requests = Vec::with_capacity(list.len());
        for request in list {
            let Value::Object(request) = request else {
                return Err(wrong_type(request, "WriteRequest"));
            };
            let r = Input::from_map(request.clone());
            let put = r.child("PutRequest")?;
            let delete = r.child("DeleteRequest")?;
            requests.push(match (put, delete) {
                (Some(put), None) => {
                    let Some(v) = put.raw("Item") else {
                        return Err(one_validation_error(&null_violation(
                            "requestItems.1.member.putRequest.item",
                        )));
                    };
                    WriteRequest::Put { item: item(v)? }
                }
                (None, Some(delete)) => {
                    let Some(v) = delete.raw("Key") else {
                        return Err(one_validation_error(&null_violation(
                            "requestItems.1.member.deleteRequest.key",
                        )));
                    };
                    WriteRequest::Delete { key: item(v)? }
                }
                _ => {
                    return Err(Error::validation(
                        "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes",
                    ));
                }
            });
        }
        request_items.push((name, requests));
    }
    Ok(BatchWriteItemInput {
        request_items,
        return_consumed_capacity,
    })
}
