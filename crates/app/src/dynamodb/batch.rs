//! BatchGetItem and BatchWriteItem: per-table requests with DynamoDB's limits (100 keys, 25
//! writes), each table authorized once for the batch action with every partition key its
//! requests touch.

use std::collections::BTreeMap;

use serde::Serialize;
use strata_dynamodb::batch::BatchGet;
use strata_dynamodb::capacity::ReturnConsumedCapacity;
use strata_dynamodb::items::{Action, ItemWrite};
use strata_dynamodb_item::Item;

use super::access::{Conditions, authorize_items, resolve};
use super::error::{Error, Result};
use super::items::projection;
use super::model::{ConsumedCapacity, ExpressionAttributeMaps};
use crate::{App, Caller};

/// Keys one BatchGetItem may request.
const MAX_BATCH_GET_KEYS: usize = 100;

/// `KeysAndAttributes`: what BatchGetItem reads from one table; echoed with the keys left
/// unread in `UnprocessedKeys`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct KeysAndAttributes {
    pub keys: Vec<Item>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub projection_expression: Option<String>,
    #[serde(flatten)]
    pub expression_attributes: ExpressionAttributeMaps,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attributes_to_get: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consistent_read: Option<bool>,
}

/// BatchGetItem's input: `RequestItems` in the order sent.
#[derive(Clone, Debug)]
pub struct BatchGetItemInput {
    pub request_items: Vec<(String, KeysAndAttributes)>,
    pub return_consumed_capacity: ReturnConsumedCapacity,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct BatchGetItemOutput {
    pub responses: BTreeMap<String, Vec<Item>>,
    pub unprocessed_keys: BTreeMap<String, KeysAndAttributes>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consumed_capacity: Option<Vec<ConsumedCapacity>>,
}

/// One `WriteRequest`.
#[derive(Clone, Debug)]
pub enum WriteRequest {
    Put { item: Item },
    Delete { key: Item },
}

/// BatchWriteItem's input: `RequestItems` in the order sent.
#[derive(Clone, Debug)]
pub struct BatchWriteItemInput {
    pub request_items: Vec<(String, Vec<WriteRequest>)>,
    pub return_consumed_capacity: ReturnConsumedCapacity,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct BatchWriteItemOutput {
    pub unprocessed_items: NoUnprocessedItems,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consumed_capacity: Option<Vec<ConsumedCapacity>>,
}

/// `UnprocessedItems` of a BatchWriteItem: always `{}`, as strata writes every request of a
/// batch (in one atomic group) or fails it.
#[derive(Debug, Default)]
pub struct NoUnprocessedItems;

impl Serialize for NoUnprocessedItems {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        serializer.serialize_map(Some(0))?.end()
    }
}

pub fn batch_get_item(
    app: &App,
    caller: &Caller,
    input: BatchGetItemInput,
) -> Result<BatchGetItemOutput> {
    let mut requests = Vec::new();
    let mut total = 0;
    for (name, spec) in &input.request_items {
        total += spec.keys.len();
        if total > MAX_BATCH_GET_KEYS {
            return Err(Error::validation(
                "Too many items requested for the BatchGetItem call",
            ));
        }
        let projection = projection(
            spec.projection_expression.as_deref(),
            &spec.expression_attributes,
            spec.attributes_to_get.as_deref(),
        )?;
        requests.push((name, projection));
    }
    let mut gets = Vec::new();
    for ((name, projection), (_, spec)) in requests.into_iter().zip(&input.request_items) {
        let table_ref = resolve(caller, name)?;
        let table = authorize_items(
            app,
            caller,
            "BatchGetItem",
            &table_ref,
            &spec.keys,
            Conditions::default(),
        )?;
        gets.push(BatchGet {
            table,
            keys: spec.keys.clone(),
            projection,
            consistent_read: spec.consistent_read.unwrap_or(false),
        });
    }
    let output = app.dynamodb.batch_get_item(gets)?;
    let mut responses = BTreeMap::new();
    for ((_, found), (name, _)) in output.responses.into_iter().zip(&input.request_items) {
        responses.insert(name.clone(), found);
    }
    // Unprocessed keys go back with the rest of their table's request (projection, …).
    let mut unprocessed_keys = BTreeMap::new();
    for (keys, (name, spec)) in output.unprocessed.into_iter().zip(input.request_items) {
        if !keys.is_empty() {
            unprocessed_keys.insert(name, KeysAndAttributes { keys, ..spec });
        }
    }
    Ok(BatchGetItemOutput {
        responses,
        unprocessed_keys,
        consumed_capacity: ConsumedCapacity::reported_list(
            &output.capacity,
            input.return_consumed_capacity,
        ),
    })
}

pub async fn batch_write_item(
    app: &App,
    caller: &Caller,
    input: BatchWriteItemInput,
) -> Result<BatchWriteItemOutput> {
    // Authorize each table once, with every partition key its writes touch
    // (dynamodb:LeadingKeys) and the attributes of its puts (dynamodb:Attributes).
    let table_refs = input
        .request_items
        .iter()
        .map(|(name, _)| resolve(caller, name))
        .collect::<Result<Vec<_>>>()?;
    let mut resolved = Vec::with_capacity(table_refs.len());
    for (table_ref, (_, requests)) in table_refs.iter().zip(&input.request_items) {
        let mut conditions = Conditions::default();
        for request in requests {
            if let WriteRequest::Put { item } = request {
                for attribute in item.keys() {
                    if !conditions.attributes.contains(attribute) {
                        conditions.attributes.push(attribute.clone());
                    }
                }
            }
        }
        let targets = requests.iter().map(|request| match request {
            WriteRequest::Put { item } => item,
            WriteRequest::Delete { key } => key,
        });
        resolved.push(authorize_items(
            app,
            caller,
            "BatchWriteItem",
            table_ref,
            targets,
            conditions,
        )?);
    }
    let mut writes = Vec::new();
    for (table, (_, requests)) in resolved.into_iter().zip(input.request_items) {
        for request in requests {
            let (key, action) = match request {
                WriteRequest::Put { item } => {
                    (table.def.key_schema.key_of(&item), Action::Put(item))
                }
                WriteRequest::Delete { key } => (key, Action::Delete),
            };
            writes.push(ItemWrite::new(table.clone(), key, action, None)?);
        }
    }
    let capacities = app.dynamodb.batch_write_item(writes).await?;
    Ok(BatchWriteItemOutput {
        unprocessed_items: NoUnprocessedItems,
        consumed_capacity: ConsumedCapacity::reported_list(
            &capacities,
            input.return_consumed_capacity,
        ),
    })
}
