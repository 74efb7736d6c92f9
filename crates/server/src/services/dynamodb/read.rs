//! Query and Scan: decode (expressions or their legacy forms, Select, paging), authorize
//! on the table or `/index/NAME`, read a page in the engine, encode.

use serde_json::{Map, Value};
use strata_dynamodb::DynamoDbError;
use strata_dynamodb::read::{Page, QueryInput, ReadOptions, ScanInput, Select};
use strata_expression::{ConditionKind, parse_condition, parse_key_conditions, parse_projection};

use super::access::{Conditions, authorize_table, require, resolve};
use super::common::{add_capacity, expression_context, return_consumed_capacity};
use super::legacy;
use super::wire::{Input, item_field, item_json};
use crate::auth::Caller;
use crate::state::ServerState;

type Out = Result<Value, DynamoDbError>;

const SELECTS: [&str; 4] = [
    "ALL_ATTRIBUTES",
    "ALL_PROJECTED_ATTRIBUTES",
    "SPECIFIC_ATTRIBUTES",
    "COUNT",
];

/// The members Query and Scan share, decoded; the filter is parsed by the caller
/// because its legacy form differs (QueryFilter vs ScanFilter).
struct Common {
    table: String,
    index: Option<String>,
    select: Option<String>,
    limit: Option<usize>,
    consistent: bool,
    exclusive_start_key: Option<strata_dynamodb_item::Item>,
    capacity: strata_dynamodb::capacity::ReturnConsumedCapacity,
}

fn common(input: &mut Input) -> Result<Common, DynamoDbError> {
    let table = input.table_name("TableName")?;
    let index = input.str("IndexName")?.map(str::to_owned);
    if let Some(i) = &index {
        super::wire::check_name(input, "IndexName", &i.clone(), 3);
    }
    let select = input.enum_str("Select", &SELECTS)?;
    let limit = input.int("Limit")?;
    if let Some(l) = limit
        && l < 1
    {
        input.violation(format!(
                "Value '{l}' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"
            ));
    }
    let capacity = return_consumed_capacity(input)?;
    let consistent = input.bool("ConsistentRead")?.unwrap_or(false);
    let exclusive_start_key = item_field(input, "ExclusiveStartKey")?;
    input.finish()?;
    Ok(Common {
        table: table.expect("checked by finish"),
        index,
        select,
        limit: limit.map(|l| l as usize),
        consistent,
        exclusive_start_key,
        capacity,
    })
}

fn select(
    c: &Common,
    has_projection: bool,
    legacy_projection: bool,
) -> Result<Select, DynamoDbError> {
    let member = if legacy_projection {
        "AttributesToGet"
    } else {
        "ProjectionExpression"
    };
    match c.select.as_deref() {
        None if has_projection => Ok(Select::SpecificAttributes),
        None if c.index.is_some() => Ok(Select::AllProjectedAttributes),
        None => Ok(Select::AllAttributes),
        Some("SPECIFIC_ATTRIBUTES") if !has_projection => Err(DynamoDbError::Validation(
            "One or more parameter values were invalid: Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES".to_owned(),
        )),
        Some("SPECIFIC_ATTRIBUTES") => Ok(Select::SpecificAttributes),
        Some(other) if has_projection => Err(DynamoDbError::Validation(format!(
            "One or more parameter values were invalid: Cannot specify the {member} when choosing to get {other}"
        ))),
        Some("ALL_PROJECTED_ATTRIBUTES") if c.index.is_none() => Err(DynamoDbError::Validation(
            "One or more parameter values were invalid: Select type ALL_PROJECTED_ATTRIBUTES is not supported for a table scan or query, only for an index".to_owned(),
        )),
        Some("ALL_PROJECTED_ATTRIBUTES") => Ok(Select::AllProjectedAttributes),
        Some("COUNT") => Ok(Select::Count),
        Some(_) => Ok(Select::AllAttributes),
    }
}

fn page_json(
    page: &Page,
    capacity: strata_dynamodb::capacity::ReturnConsumedCapacity,
    count_only: bool,
) -> Value {
    let mut out = Map::new();
    if !count_only {
        out.insert(
            "Items".into(),
            Value::Array(page.items.iter().map(item_json).collect()),
        );
    }
    out.insert("Count".into(), page.count.into());
    out.insert("ScannedCount".into(), page.scanned_count.into());
    if let Some(key) = &page.last_evaluated_key {
        out.insert("LastEvaluatedKey".into(), item_json(key));
    }
    add_capacity(&mut out, &page.capacity, capacity);
    Value::Object(out)
}

pub fn query(state: &ServerState, caller: &Caller, mut input: Input) -> Out {
    let c = common(&mut input)?;
    let forward = input.bool("ScanIndexForward")?.unwrap_or(true);
    let mut attrs = expression_context(
        &input,
        &[
            "KeyConditionExpression",
            "FilterExpression",
            "ProjectionExpression",
        ],
        &[
            "KeyConditions",
            "QueryFilter",
            "AttributesToGet",
            "ConditionalOperator",
        ],
    )?;
    let key_condition = match input.str("KeyConditionExpression")? {
        Some(text) => Some(parse_key_conditions(text, &mut attrs)?),
        None => None,
    };
    let filter = match input.str("FilterExpression")? {
        Some(text) => Some(parse_condition(text, ConditionKind::Filter, &mut attrs)?),
        None => None,
    };
    let projection = match input.str("ProjectionExpression")? {
        Some(text) => Some(parse_projection(text, &mut attrs)?),
        None => None,
    };
    attrs.check_all_used()?;
    let key_condition = match key_condition {
        Some(k) => k,
        None => legacy::key_conditions(&input)?.ok_or_else(|| {
            DynamoDbError::Validation(
                "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.".to_owned(),
            )
        })?,
    };
    let filter = match filter {
        Some(f) => Some(f),
        None => legacy::filter(&input, "QueryFilter")?,
    };
    let legacy_projection = projection.is_none() && input.has("AttributesToGet");
    let projection = match projection {
        Some(p) => Some(p),
        None => legacy::attributes_to_get(&input)?,
    };
    let select = select(&c, projection.is_some(), legacy_projection)?;
    let table_ref = resolve(caller, &c.table)?;
    let mut conditions = Conditions {
        select: c.select.clone(),
        ..Default::default()
    };
    // dynamodb:LeadingKeys: the values compared with `=` (the partition key's, once
    // matched to the schema; a sort key compared with `=` adds a value AWS would not).
    for entry in key_condition.entries() {
        if entry.operator == strata_expression::ComparisonOperator::Eq {
            for v in &entry.values {
                match v {
                    strata_dynamodb_item::AttributeValue::S(s) => {
                        conditions.leading_keys.push(s.clone())
                    }
                    strata_dynamodb_item::AttributeValue::N(n) => {
                        conditions.leading_keys.push(n.to_string())
                    }
                    _ => {}
                }
            }
        }
    }
    if let Some(p) = &projection {
        conditions.attributes = p
            .top_level_attributes()
            .into_iter()
            .map(str::to_owned)
            .collect();
    }
    let found = authorize_table(
        state,
        caller,
        "Query",
        &table_ref,
        c.index.as_deref(),
        conditions,
    )?;
    let table = require(found)?;
    let page = state.dynamodb.query(
        &table,
        QueryInput {
            key_conditions: key_condition,
            forward,
            options: ReadOptions {
                index: c.index.clone(),
                filter,
                projection,
                select,
                limit: c.limit,
                exclusive_start_key: c.exclusive_start_key.clone(),
                consistent_read: c.consistent,
            },
        },
    )?;
    Ok(page_json(&page, c.capacity, select == Select::Count))
}

pub fn scan(state: &ServerState, caller: &Caller, mut input: Input) -> Out {
    let c = common(&mut input)?;
    let segment = input.int("Segment")?;
    let total = input.int("TotalSegments")?;
    if let Some(t) = total
        && !(1..=1_000_000).contains(&t)
    {
        input.violation(format!(
                "Value '{t}' at 'totalSegments' failed to satisfy constraint: Member must have value {}",
                if t < 1 { "greater than or equal to 1" } else { "less than or equal to 1000000" }
            ));
    }
    if let Some(s) = segment
        && s < 0
    {
        input.violation(format!(
                "Value '{s}' at 'segment' failed to satisfy constraint: Member must have value greater than or equal to 0"
            ));
    }
    input.finish()?;
    let segment = match (segment, total) {
        (None, None) => None,
        (Some(_), None) => {
            return Err(DynamoDbError::Validation(
                "The TotalSegments parameter is required but was not present in the request when parameter Segment is present".to_owned(),
            ));
        }
        (None, Some(_)) => {
            return Err(DynamoDbError::Validation(
                "The Segment parameter is required but was not present in the request when parameter TotalSegments is present".to_owned(),
            ));
        }
        (Some(s), Some(t)) if s >= t => {
            return Err(DynamoDbError::Validation(format!(
                "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: {s} is not less than TotalSegments: {t}"
            )));
        }
        (Some(s), Some(t)) => Some((s as u32, t as u32)),
    };
    let mut attrs = expression_context(
        &input,
        &["FilterExpression", "ProjectionExpression"],
        &["ScanFilter", "AttributesToGet", "ConditionalOperator"],
    )?;
    let filter = match input.str("FilterExpression")? {
        Some(text) => Some(parse_condition(text, ConditionKind::Filter, &mut attrs)?),
        None => None,
    };
    let projection = match input.str("ProjectionExpression")? {
        Some(text) => Some(parse_projection(text, &mut attrs)?),
        None => None,
    };
    attrs.check_all_used()?;
    let filter = match filter {
        Some(f) => Some(f),
        None => legacy::filter(&input, "ScanFilter")?,
    };
    let legacy_projection = projection.is_none() && input.has("AttributesToGet");
    let projection = match projection {
        Some(p) => Some(p),
        None => legacy::attributes_to_get(&input)?,
    };
    let select = select(&c, projection.is_some(), legacy_projection)?;
    let table_ref = resolve(caller, &c.table)?;
    let mut conditions = Conditions {
        select: c.select.clone(),
        ..Default::default()
    };
    if let Some(p) = &projection {
        conditions.attributes = p
            .top_level_attributes()
            .into_iter()
            .map(str::to_owned)
            .collect();
    }
    let found = authorize_table(
        state,
        caller,
        "Scan",
        &table_ref,
        c.index.as_deref(),
        conditions,
    )?;
    let table = require(found)?;
    let page = state.dynamodb.scan(
        &table,
        ScanInput {
            segment,
            options: ReadOptions {
                index: c.index.clone(),
                filter,
                projection,
                select,
                limit: c.limit,
                exclusive_start_key: c.exclusive_start_key.clone(),
                consistent_read: c.consistent,
            },
        },
    )?;
    Ok(page_json(&page, c.capacity, select == Select::Count))
}
