//! Query and Scan: decode (expressions or their legacy forms, Select, paging), authorize
//! on the table or `/index/NAME`, read a page in the engine, encode.

use serde_json::{Map, Value};
use strata_dynamodb::DynamoDbError;
use strata_dynamodb::read::{Page, QueryInput, ReadOptions, ScanInput, Select};
use strata_dynamodb_item::AttributeValue;
use strata_expression::{
    ComparisonOperator, Condition, ConditionKind, ExpressionAttributes, Projection,
    parse_condition, parse_key_conditions, parse_projection,
};

use super::common::{add_capacity, expression_context, return_consumed_capacity};
use super::legacy;
use super::wire::{Input, item_field, item_json};
use strata_app::App;
use strata_app::Caller;
use strata_app::dynamodb::access::{Conditions, authorize_table, require, resolve};

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

/// FilterExpression and ProjectionExpression (or their legacy forms), parsed after any key
/// condition with the same attribute maps, then `Select`.
fn filter_and_projection(
    input: &Input,
    mut attrs: ExpressionAttributes,
    c: &Common,
    legacy_filter: &str,
) -> Result<(Option<Condition>, Option<Projection>, Select), DynamoDbError> {
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
        None => legacy::filter(input, legacy_filter)?,
    };
    let legacy_projection = projection.is_none() && input.has("AttributesToGet");
    let projection = match projection {
        Some(p) => Some(p),
        None => legacy::attributes_to_get(input)?,
    };
    let select = select(c, projection.is_some(), legacy_projection)?;
    Ok((filter, projection, select))
}

/// Authorizes a read on the table or index with its condition keys.
fn authorize_read(
    app: &App,
    caller: &Caller,
    operation: &str,
    c: &Common,
    projection: Option<&Projection>,
    leading_keys: Vec<String>,
) -> Result<strata_dynamodb::Table, DynamoDbError> {
    let table_ref = resolve(caller, &c.table)?;
    let conditions = Conditions {
        select: c.select.clone(),
        leading_keys,
        attributes: projection
            .map(|p| {
                p.top_level_attributes()
                    .into_iter()
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default(),
        ..Default::default()
    };
    require(authorize_table(
        app,
        caller,
        operation,
        &table_ref,
        c.index.as_deref(),
        conditions,
    )?)
}

fn options(
    c: Common,
    filter: Option<Condition>,
    projection: Option<Projection>,
    select: Select,
) -> ReadOptions {
    ReadOptions {
        index: c.index,
        filter,
        projection,
        select,
        limit: c.limit,
        exclusive_start_key: c.exclusive_start_key,
        consistent_read: c.consistent,
    }
}

pub fn query(app: &App, caller: &Caller, mut input: Input) -> Out {
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
    let (filter, projection, select) = filter_and_projection(&input, attrs, &c, "QueryFilter")?;
    let key_conditions = match key_condition {
        Some(k) => k,
        None => legacy::key_conditions(&input)?.ok_or_else(|| {
            DynamoDbError::Validation(
                "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.".to_owned(),
            )
        })?,
    };
    // dynamodb:LeadingKeys: the values compared with `=` (the partition key's, once
    // matched to the schema; a sort key compared with `=` adds a value AWS would not).
    let leading_keys = key_conditions
        .entries()
        .iter()
        .filter(|e| e.operator == ComparisonOperator::Eq)
        .flat_map(|e| &e.values)
        .filter_map(|v| match v {
            AttributeValue::S(s) => Some(s.clone()),
            AttributeValue::N(n) => Some(n.to_string()),
            _ => None,
        })
        .collect();
    let table = authorize_read(app, caller, "Query", &c, projection.as_ref(), leading_keys)?;
    let capacity = c.capacity;
    let page = app.dynamodb.query(
        &table,
        QueryInput {
            key_conditions,
            forward,
            options: options(c, filter, projection, select),
        },
    )?;
    Ok(page_json(&page, capacity, select == Select::Count))
}

/// `Segment` and `TotalSegments` of a parallel scan, checked as DynamoDB does.
fn segment(input: &mut Input) -> Result<Option<(u32, u32)>, DynamoDbError> {
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
    Ok(match (segment, total) {
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
    })
}

pub fn scan(app: &App, caller: &Caller, mut input: Input) -> Out {
    let c = common(&mut input)?;
    let segment = segment(&mut input)?;
    let attrs = expression_context(
        &input,
        &["FilterExpression", "ProjectionExpression"],
        &["ScanFilter", "AttributesToGet", "ConditionalOperator"],
    )?;
    let (filter, projection, select) = filter_and_projection(&input, attrs, &c, "ScanFilter")?;
    let table = authorize_read(app, caller, "Scan", &c, projection.as_ref(), Vec::new())?;
    let capacity = c.capacity;
    let page = app.dynamodb.scan(
        &table,
        ScanInput {
            segment,
            options: options(c, filter, projection, select),
        },
    )?;
    Ok(page_json(&page, capacity, select == Select::Count))
}
