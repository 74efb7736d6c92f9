//! TransactWriteItems and TransactGetItems: up to 100 actions, each authorized as its
//! single-item action (`dynamodb:PutItem`, `UpdateItem`, `DeleteItem`,
//! `ConditionCheckItem`, `GetItem`) on its table, as AWS does.

use serde_json::{Map, Value, json};
use strata_dynamodb::DynamoDbError;
use strata_dynamodb::items::{Action, ItemWrite};
use strata_dynamodb::transact::{MAX_TRANSACTION_ITEMS, RequestToken, TransactGet, TransactWrite};
use strata_expression::{ConditionKind, parse_condition, parse_projection, parse_update};

use super::common::{
    add_capacity_list, expression_context, return_consumed_capacity, return_item_collection_metrics,
};
use super::wire::{Input, item_field, item_json, wrong_type};
use strata_app::App;
use strata_app::Caller;
use strata_app::dynamodb::access::{Conditions, authorize_item, resolve};

type Out = Result<Value, DynamoDbError>;

fn transact_items(input: &mut Input) -> Result<Vec<Value>, DynamoDbError> {
    let Some(list) = input.array("TransactItems")?.cloned() else {
        input.violation(super::wire::null_violation("transactItems"));
        input.finish()?;
        return Ok(Vec::new());
    };
    if list.is_empty() || list.len() > MAX_TRANSACTION_ITEMS {
        input.violation(format!(
            "Value '[...]' at 'transactItems' failed to satisfy constraint: Member must have length {}",
            if list.is_empty() {
                "greater than or equal to 1".to_owned()
            } else {
                format!("less than or equal to {MAX_TRANSACTION_ITEMS}")
            }
        ));
    }
    input.finish()?;
    Ok(list)
}

pub async fn transact_write_items(app: &App, caller: &Caller, mut input: Input) -> Out {
    let capacity = return_consumed_capacity(&mut input)?;
    let _metrics = return_item_collection_metrics(&mut input)?;
    let token = input.str("ClientRequestToken")?.map(str::to_owned);
    let list = transact_items(&mut input)?;
    let mut writes = Vec::with_capacity(list.len());
    for (n, entry) in (1..).zip(&list) {
        let Value::Object(entry) = entry else {
            return Err(wrong_type(entry, "TransactWriteItem"));
        };
        let kinds: Vec<&String> = entry.keys().filter(|k| !entry[*k].is_null()).collect();
        if kinds.len() != 1 {
            return Err(DynamoDbError::Validation(
                "TransactItems can only contain one of Check, Put, Update or Delete".to_owned(),
            ));
        }
        let kind = kinds[0].as_str();
        let Value::Object(body) = &entry[kind] else {
            return Err(wrong_type(&entry[kind], kind));
        };
        let mut op = Input::from_map(body.clone());
        let name = op.table_name("TableName")?;
        let on_failure = super::common::return_old_on_failure(&mut op)?;
        op.finish()?;
        let expressions: &[&str] = match kind {
            "Update" => &["UpdateExpression", "ConditionExpression"],
            _ => &["ConditionExpression"],
        };
        let mut attrs = expression_context(&op, expressions, &[])?;
        let update = match op.str("UpdateExpression")? {
            Some(text) if kind == "Update" => Some(parse_update(text, &mut attrs)?),
            _ => None,
        };
        let condition = match op.str("ConditionExpression")? {
            Some(text) => Some(parse_condition(text, ConditionKind::Condition, &mut attrs)?),
            None => None,
        };
        attrs.check_all_used()?;
        let (action, key, operation) = match kind {
            "Put" => {
                let item = item_field(&op, "Item")?.ok_or_else(|| {
                    DynamoDbError::Validation(super::wire::null_violation(&format!(
                        "transactItems.{n}.member.put.item"
                    )))
                })?;
                (Action::Put(item), None, "PutItem")
            }
            "Update" => {
                if update.is_none() {
                    return Err(DynamoDbError::Validation(format!(
                        "1 validation error detected: {}",
                        super::wire::null_violation(&format!(
                            "transactItems.{n}.member.update.updateExpression"
                        ))
                    )));
                }
                (
                    Action::Update(update),
                    item_field(&op, "Key")?,
                    "UpdateItem",
                )
            }
            "Delete" => (Action::Delete, item_field(&op, "Key")?, "DeleteItem"),
            "ConditionCheck" => {
                if condition.is_none() {
                    return Err(DynamoDbError::Validation(format!(
                        "1 validation error detected: {}",
                        super::wire::null_violation(&format!(
                            "transactItems.{n}.member.conditionCheck.conditionExpression"
                        ))
                    )));
                }
                (Action::Check, item_field(&op, "Key")?, "ConditionCheckItem")
            }
            other => {
                return Err(DynamoDbError::Serialization(format!(
                    "Unknown member {other} in TransactWriteItem"
                )));
            }
        };
        let table_ref = resolve(caller, &name.expect("checked by finish"))?;
        let key = match (&action, key) {
            (Action::Put(item), _) => item.clone(),
            (_, Some(key)) => key,
            _ => {
                return Err(DynamoDbError::Validation(
                    "1 validation error detected: Value null at 'key' failed to satisfy constraint: Member must not be null".to_owned(),
                ));
            }
        };
        let table = authorize_item(
            app,
            caller,
            operation,
            &table_ref,
            &key,
            Conditions::default(),
        )?;
        // A Put names its item; its key is the table's key attributes of it. Other actions
        // keep their Key as sent, so a malformed one is refused by `ItemWrite::new`.
        let key = match &action {
            Action::Put(_) => table.def.key_schema.key_of(&key),
            _ => key,
        };
        writes.push(TransactWrite {
            write: ItemWrite::new(table, key, action, condition)?,
            return_old_on_condition_failure: on_failure,
        });
    }
    let token = token.map(|token| {
        let canonical = serde_json::to_vec(&list).unwrap_or_default();
        RequestToken::new(
            caller.principal.account().as_str(),
            &caller.region,
            token,
            &canonical,
        )
    });
    let capacities = app.dynamodb.transact_write_items(writes, token).await?;
    let mut out = Map::new();
    add_capacity_list(&mut out, &capacities, capacity);
    Ok(Value::Object(out))
}

pub fn transact_get_items(app: &App, caller: &Caller, mut input: Input) -> Out {
    let capacity = return_consumed_capacity(&mut input)?;
    let list = transact_items(&mut input)?;
    let mut gets = Vec::with_capacity(list.len());
    for (n, entry) in (1..).zip(&list) {
        let Some(Value::Object(body)) = entry.get("Get") else {
            return Err(DynamoDbError::Validation(format!(
                "1 validation error detected: {}",
                super::wire::null_violation(&format!("transactItems.{n}.member.get"))
            )));
        };
        let mut op = Input::from_map(body.clone());
        let name = op.table_name("TableName")?;
        let key = item_field(&op, "Key")?;
        if key.is_none() {
            op.violation(super::wire::null_violation(&format!(
                "transactItems.{n}.member.get.key"
            )));
        }
        op.finish()?;
        let mut attrs = expression_context(&op, &["ProjectionExpression"], &[])?;
        let projection = match op.str("ProjectionExpression")? {
            Some(text) => Some(parse_projection(text, &mut attrs)?),
            None => None,
        };
        attrs.check_all_used()?;
        let key = key.expect("checked by finish");
        let table_ref = resolve(caller, &name.expect("checked by finish"))?;
        let table = authorize_item(
            app,
            caller,
            "GetItem",
            &table_ref,
            &key,
            Conditions::default(),
        )?;
        gets.push(TransactGet {
            table,
            key,
            projection,
        });
    }
    let (items, capacities) = app.dynamodb.transact_get_items(gets)?;
    let responses: Vec<Value> = items
        .iter()
        .map(|i| match i {
            Some(item) => json!({"Item": item_json(item)}),
            None => json!({}),
        })
        .collect();
    let mut out = Map::new();
    out.insert("Responses".into(), Value::Array(responses));
    add_capacity_list(&mut out, &capacities, capacity);
    Ok(Value::Object(out))
}
