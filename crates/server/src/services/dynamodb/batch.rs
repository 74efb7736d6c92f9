//! BatchGetItem and BatchWriteItem: per-table request maps with DynamoDB's limits
//! (100 keys, 25 writes), each table authorized for the batch action.

use serde_json::{Map, Value};
use strata_dynamodb::DynamoDbError;
use strata_dynamodb::batch::BatchGet;
use strata_dynamodb::items::{Action, ItemWrite};
use strata_expression::parse_projection;

use super::common::{
    add_capacity_list, expression_context, return_consumed_capacity, return_item_collection_metrics,
};
use super::legacy;
use super::wire::{Input, item, item_json, wrong_type};
use strata_app::App;
use strata_app::Caller;
use strata_app::dynamodb::access::{
    Conditions, authorize_found, authorize_table, require, resolve,
};

type Out = Result<Value, DynamoDbError>;

/// Keys one BatchGetItem may request.
const MAX_BATCH_GET_KEYS: usize = 100;
/// Writes one BatchWriteItem may carry.
const MAX_BATCH_WRITES: usize = 25;

fn request_items(input: &mut Input) -> Result<Map<String, Value>, DynamoDbError> {
    let items = input.object("RequestItems")?.cloned();
    match items {
        None => {
            input.violation(super::wire::null_violation("requestItems"));
            input.finish()?;
            unreachable!("finish fails after a violation")
        }
        Some(map) if map.is_empty() => {
            input.violation(
                "Value '{}' at 'requestItems' failed to satisfy constraint: Member must have length greater than or equal to 1".to_owned(),
            );
            input.finish()?;
            unreachable!("finish fails after a violation")
        }
        Some(map) => Ok(map),
    }
}

pub fn batch_get_item(app: &App, caller: &Caller, mut input: Input) -> Out {
    let capacity = return_consumed_capacity(&mut input)?;
    let items = request_items(&mut input)?;
    input.finish()?;
    let mut requests = Vec::new();
    let mut total = 0;
    for (name, spec) in &items {
        let Value::Object(spec) = spec else {
            return Err(wrong_type(spec, "KeysAndAttributes"));
        };
        let spec = Input::from_map(spec.clone());
        let keys = spec.array("Keys")?.cloned().unwrap_or_default();
        if keys.is_empty() {
            return Err(DynamoDbError::Validation(format!(
                "1 validation error detected: Value null at 'requestItems.{name}.member.keys' failed to satisfy constraint: Member must not be null"
            )));
        }
        total += keys.len();
        if total > MAX_BATCH_GET_KEYS {
            return Err(DynamoDbError::Validation(
                "Too many items requested for the BatchGetItem call".to_owned(),
            ));
        }
        let keys = keys.iter().map(item).collect::<Result<Vec<_>, _>>()?;
        let mut attrs = expression_context(&spec, &["ProjectionExpression"], &["AttributesToGet"])?;
        let mut projection = match spec.str("ProjectionExpression")? {
            Some(text) => Some(parse_projection(text, &mut attrs)?),
            None => None,
        };
        attrs.check_all_used()?;
        if projection.is_none() {
            projection = legacy::attributes_to_get(&spec)?;
        }
        let consistent = spec.bool("ConsistentRead")?.unwrap_or(false);
        requests.push((name.clone(), keys, projection, consistent));
    }
    let mut gets = Vec::new();
    for (name, keys, projection, consistent) in requests {
        let table_ref = resolve(caller, &name)?;
        let found = app.dynamodb.table(table_ref.scope(), &table_ref.name).ok();
        let mut conditions = Conditions::default();
        for k in &keys {
            conditions.leading_key(found.as_ref(), k);
        }
        let table = require(authorize_table(
            app,
            caller,
            "BatchGetItem",
            &table_ref,
            None,
            conditions,
        )?)?;
        gets.push(BatchGet {
            table,
            keys,
            projection,
            consistent_read: consistent,
        });
    }
    let names: Vec<String> = items.keys().cloned().collect();
    let output = app.dynamodb.batch_get_item(gets)?;
    let mut responses = Map::new();
    for ((_, found), name) in output.responses.iter().zip(&names) {
        responses.insert(
            name.clone(),
            Value::Array(found.iter().map(item_json).collect()),
        );
    }
    // Unprocessed keys go back with the rest of their table's request (projection, …).
    let mut unprocessed = Map::new();
    for (keys, name) in output.unprocessed.iter().zip(&names) {
        if keys.is_empty() {
            continue;
        }
        let mut spec = items[name].as_object().cloned().unwrap_or_default();
        spec.insert(
            "Keys".into(),
            Value::Array(keys.iter().map(item_json).collect()),
        );
        unprocessed.insert(name.clone(), Value::Object(spec));
    }
    let mut out = Map::new();
    out.insert("Responses".into(), Value::Object(responses));
    out.insert("UnprocessedKeys".into(), Value::Object(unprocessed));
    add_capacity_list(&mut out, &output.capacity, capacity);
    Ok(Value::Object(out))
}

pub async fn batch_write_item(app: &App, caller: &Caller, mut input: Input) -> Out {
    let capacity = return_consumed_capacity(&mut input)?;
    let _metrics = return_item_collection_metrics(&mut input)?;
    let items = request_items(&mut input)?;
    input.finish()?;
    let count: usize = items
        .values()
        .map(|v| v.as_array().map_or(0, Vec::len))
        .sum();
    if count > MAX_BATCH_WRITES {
        return Err(DynamoDbError::Validation(format!(
            "1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to {MAX_BATCH_WRITES}, Member must have length greater than or equal to 1]"
        )));
    }
    let mut decoded = Vec::new();
    for (name, list) in &items {
        let Value::Array(list) = list else {
            return Err(wrong_type(list, "List"));
        };
        if list.is_empty() {
            return Err(DynamoDbError::Validation(
                "1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have length greater than or equal to 1]".to_owned(),
            ));
        }
        for request in list {
            let Value::Object(request) = request else {
                return Err(wrong_type(request, "WriteRequest"));
            };
            let r = Input::from_map(request.clone());
            let put = r.child("PutRequest")?;
            let delete = r.child("DeleteRequest")?;
            let write = match (put, delete) {
                (Some(put), None) => {
                    let Some(v) = put.raw("Item") else {
                        return Err(DynamoDbError::Validation(
                            "1 validation error detected: Value null at 'requestItems.1.member.putRequest.item' failed to satisfy constraint: Member must not be null".to_owned(),
                        ));
                    };
                    Action::Put(item(v)?)
                }
                (None, Some(delete)) => {
                    let Some(v) = delete.raw("Key") else {
                        return Err(DynamoDbError::Validation(
                            "1 validation error detected: Value null at 'requestItems.1.member.deleteRequest.key' failed to satisfy constraint: Member must not be null".to_owned(),
                        ));
                    };
                    decoded.push((name.clone(), Action::Delete, Some(item(v)?)));
                    continue;
                }
                _ => {
                    return Err(DynamoDbError::Validation(
                        "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes".to_owned(),
                    ));
                }
            };
            decoded.push((name.clone(), write, None));
        }
    }
    // Authorize each table once, with every partition key its writes touch
    // (dynamodb:LeadingKeys) and the attributes of its puts (dynamodb:Attributes).
    let mut tables: Vec<(String, Option<strata_dynamodb::Table>, Conditions)> = Vec::new();
    for (name, action, key) in &decoded {
        if !tables.iter().any(|(n, _, _)| n == name) {
            let table_ref = resolve(caller, name)?;
            let found = app.dynamodb.table(table_ref.scope(), &table_ref.name).ok();
            tables.push((name.clone(), found, Conditions::default()));
        }
        let (_, found, conditions) = tables
            .iter_mut()
            .find(|(n, _, _)| n == name)
            .expect("inserted above");
        let target = match (action, key) {
            (Action::Put(item), _) => item,
            (_, Some(key)) => key,
            _ => continue,
        };
        conditions.leading_key(found.as_ref(), target);
        if let Action::Put(item) = action {
            for attribute in item.keys() {
                if !conditions.attributes.contains(attribute) {
                    conditions.attributes.push(attribute.clone());
                }
            }
        }
    }
    let mut resolved = Vec::with_capacity(tables.len());
    for (name, found, conditions) in tables {
        let table_ref = resolve(caller, &name)?;
        authorize_found(
            app,
            caller,
            "BatchWriteItem",
            &table_ref,
            found.as_ref(),
            None,
            conditions,
        )?;
        resolved.push((name, require(found)?));
    }
    let mut writes = Vec::with_capacity(decoded.len());
    for (name, action, key) in decoded {
        let table = resolved
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, t)| t.clone())
            .expect("every table was resolved above");
        let key = match (&action, key) {
            (Action::Put(item), _) => table.def.key_schema.key_of(item),
            (_, Some(key)) => key,
            _ => strata_dynamodb_item::Item::new(),
        };
        writes.push(ItemWrite::new(table, key, action, None)?);
    }
    let capacities = app.dynamodb.batch_write_item(writes).await?;
    let mut out = Map::new();
    out.insert("UnprocessedItems".into(), Value::Object(Map::new()));
    add_capacity_list(&mut out, &capacities, capacity);
    Ok(Value::Object(out))
}
