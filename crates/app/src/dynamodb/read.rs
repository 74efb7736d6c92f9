//! Query and Scan: expressions or their legacy forms, `Select`, paging; authorized on the
//! table or `/index/NAME` with `dynamodb:LeadingKeys`, `dynamodb:Attributes` and
//! `dynamodb:Select`; one page read in the engine.

use serde::Serialize;
use strata_dynamodb::capacity::ReturnConsumedCapacity;
use strata_dynamodb::read::{self, Page, ReadOptions, Select};
use strata_dynamodb_item::Item;
use strata_expression::legacy::{self, ConditionalOperator};
use strata_expression::{
    ComparisonOperator, Condition, ConditionKind, ExpressionAttributes, KeyConditions, Projection,
    parse_condition, parse_key_conditions, parse_projection,
};

use super::access::{Conditions, authorize_found, require, resolve};
use super::error::{Error, Result};
use super::model::{ConsumedCapacity, ExpressionAttributeMaps, conditional_operator};
use crate::{App, Caller};

/// The members Query and Scan share.
#[derive(Clone, Debug, Default)]
pub struct ReadMembers {
    pub table_name: String,
    pub index_name: Option<String>,
    pub select: Option<Select>,
    pub limit: Option<usize>,
    pub consistent_read: bool,
    pub exclusive_start_key: Option<Item>,
    pub return_consumed_capacity: ReturnConsumedCapacity,
    pub filter_expression: Option<String>,
    pub projection_expression: Option<String>,
    pub expression_attributes: ExpressionAttributeMaps,
    /// `QueryFilter` or `ScanFilter`.
    pub legacy_filter: Option<Vec<(String, legacy::Condition)>>,
    pub attributes_to_get: Option<Vec<String>>,
    pub conditional_operator: Option<ConditionalOperator>,
}

/// Query's input.
#[derive(Clone, Debug, Default)]
pub struct QueryInput {
    pub read: ReadMembers,
    pub scan_index_forward: bool,
    pub key_condition_expression: Option<String>,
    pub key_conditions: Option<Vec<(String, legacy::Condition)>>,
}

/// Scan's input.
#[derive(Clone, Debug, Default)]
pub struct ScanInput {
    pub read: ReadMembers,
    pub segment: Option<u64>,
    /// 1 to 1,000,000.
    pub total_segments: Option<u64>,
}

/// Query's and Scan's output.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ReadOutput {
    /// Absent for `Select: COUNT`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub items: Option<Vec<Item>>,
    pub count: usize,
    pub scanned_count: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_evaluated_key: Option<Item>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consumed_capacity: Option<ConsumedCapacity>,
}

fn select(m: &ReadMembers, has_projection: bool, legacy_projection: bool) -> Result<Select> {
    let member = if legacy_projection {
        "AttributesToGet"
    } else {
        "ProjectionExpression"
    };
    match m.select {
        None if has_projection => Ok(Select::SpecificAttributes),
        None if m.index_name.is_some() => Ok(Select::AllProjectedAttributes),
        None => Ok(Select::AllAttributes),
        Some(Select::SpecificAttributes) if !has_projection => Err(Error::invalid(
            "Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES",
        )),
        Some(Select::SpecificAttributes) => Ok(Select::SpecificAttributes),
        Some(other) if has_projection => Err(Error::invalid(format!(
            "Cannot specify the {member} when choosing to get {}",
            other.name()
        ))),
        Some(Select::AllProjectedAttributes) if m.index_name.is_none() => Err(Error::invalid(
            "Select type ALL_PROJECTED_ATTRIBUTES is not supported for a table scan or query, only for an index",
        )),
        Some(other) => Ok(other),
    }
}

fn output(page: Page, mode: ReturnConsumedCapacity, count_only: bool) -> ReadOutput {
    ReadOutput {
        consumed_capacity: ConsumedCapacity::reported(&page.capacity, mode),
        items: (!count_only).then_some(page.items),
        count: page.count,
        scanned_count: page.scanned_count,
        last_evaluated_key: page.last_evaluated_key,
    }
}

/// Members by name, each with whether the request sent it.
type Sent<'a> = Vec<(&'a str, bool)>;

/// The expression and legacy members of a read, for DynamoDB's mixing rules, in the order
/// its message lists them (projection, filter, then key; ExtendDB's tests run against AWS).
fn members<'a>(
    m: &ReadMembers,
    key_condition: Option<(&'a str, bool)>,
    legacy_key: Option<(&'a str, bool)>,
    legacy_filter: &'a str,
) -> (Sent<'a>, Sent<'a>) {
    let expressions = [
        ("ProjectionExpression", m.projection_expression.is_some()),
        ("FilterExpression", m.filter_expression.is_some()),
    ]
    .into_iter()
    .chain(key_condition)
    .collect();
    let legacy = [
        ("AttributesToGet", m.attributes_to_get.is_some()),
        (legacy_filter, m.legacy_filter.is_some()),
        ("ConditionalOperator", m.conditional_operator.is_some()),
    ]
    .into_iter()
    .chain(legacy_key)
    .collect();
    (expressions, legacy)
}

/// FilterExpression and ProjectionExpression (or their legacy forms), parsed after any key
/// condition with the same attribute maps, then `Select`.
fn filter_and_projection(
    m: &ReadMembers,
    mut attrs: ExpressionAttributes,
) -> Result<(Option<Condition>, Option<Projection>, Select)> {
    let filter = m
        .filter_expression
        .as_deref()
        .map(|text| parse_condition(text, ConditionKind::Filter, &mut attrs))
        .transpose()?;
    let projection = m
        .projection_expression
        .as_deref()
        .map(|text| parse_projection(text, &mut attrs))
        .transpose()?;
    attrs.check_all_used()?;
    let filter = match (filter, &m.legacy_filter) {
        (Some(f), _) => Some(f),
        (None, Some(list)) => legacy::filter_condition(list, m.conditional_operator)?,
        (None, None) => None,
    };
    let legacy_projection = projection.is_none() && m.attributes_to_get.is_some();
    let projection = match (projection, &m.attributes_to_get) {
        (Some(p), _) => Some(p),
        (None, Some(names)) => Some(legacy::attributes_to_get(names)?),
        (None, None) => None,
    };
    let select = select(m, projection.is_some(), legacy_projection)?;
    Ok((filter, projection, select))
}

/// Authorizes a read on the table or index with its condition keys.
fn authorize_read(
    app: &App,
    caller: &Caller,
    operation: &str,
    m: &ReadMembers,
    projection: Option<&Projection>,
    key_conditions: Option<&KeyConditions>,
) -> Result<strata_dynamodb::Table> {
    let table_ref = resolve(caller, &m.table_name)?;
    let found = app.dynamodb.table(table_ref.scope(), &table_ref.name).ok();
    let mut conditions = Conditions {
        select: m.select.map(|s| s.name().to_owned()),
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
    // dynamodb:LeadingKeys: the partition key values a Query names, of the table or of the
    // index it queries (not a sort key's, even compared with `=`; every partition attribute's
    // of a multi-attribute index key).
    let partition: Vec<String> = found
        .as_ref()
        .and_then(|t| match m.index_name.as_deref() {
            Some(index) => t.def.index(index).map(|i| &i.key_schema),
            None => Some(&t.def.key_schema),
        })
        .map(|schema| {
            schema
                .partition_attributes()
                .map(|k| k.name.clone())
                .collect()
        })
        .unwrap_or_default();
    if let Some(key_conditions) = key_conditions {
        for entry in key_conditions.entries() {
            if partition.contains(&entry.attribute) && entry.operator == ComparisonOperator::Eq {
                entry
                    .values
                    .iter()
                    .for_each(|v| conditions.leading_value(v));
            }
        }
    }
    authorize_found(
        app,
        caller,
        operation,
        &table_ref,
        found.as_ref(),
        m.index_name.as_deref(),
        conditions,
    )?;
    require(found)
}

fn options(
    m: ReadMembers,
    filter: Option<Condition>,
    projection: Option<Projection>,
    select: Select,
) -> ReadOptions {
    ReadOptions {
        index: m.index_name,
        filter,
        projection,
        select,
        limit: m.limit,
        exclusive_start_key: m.exclusive_start_key,
        consistent_read: m.consistent_read,
    }
}

pub fn query(app: &App, caller: &Caller, input: QueryInput) -> Result<ReadOutput> {
    let m = input.read;
    let (expressions, legacy) = members(
        &m,
        Some((
            "KeyConditionExpression",
            input.key_condition_expression.is_some(),
        )),
        // KeyConditions goes with FilterExpression and ProjectionExpression: DynamoDB counts
        // it as a non-expression parameter only beside a KeyConditionExpression (dynalite's
        // AWS-checked rule; alternator's test_query.py::test_query_select pairs it with
        // ProjectionExpression).
        Some((
            "KeyConditions",
            input.key_conditions.is_some() && input.key_condition_expression.is_some(),
        )),
        "QueryFilter",
    );
    let mut attrs = m
        .expression_attributes
        .for_expressions(&expressions, &legacy)?;
    conditional_operator(m.conditional_operator, m.legacy_filter.as_deref())?;
    let key_condition = input
        .key_condition_expression
        .as_deref()
        .map(|text| parse_key_conditions(text, &mut attrs))
        .transpose()?;
    let (filter, projection, select) = filter_and_projection(&m, attrs)?;
    let key_conditions = match (key_condition, &input.key_conditions) {
        (Some(k), _) => k,
        (None, Some(list)) => legacy::key_conditions(list)?,
        (None, None) => {
            return Err(Error::validation(
                "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.",
            ));
        }
    };
    let table = authorize_read(
        app,
        caller,
        "Query",
        &m,
        projection.as_ref(),
        Some(&key_conditions),
    )?;
    let mode = m.return_consumed_capacity;
    let page = app.dynamodb.query(
        &table,
        read::QueryInput {
            key_conditions,
            forward: input.scan_index_forward,
            options: options(m, filter, projection, select),
        },
    )?;
    Ok(output(page, mode, select == Select::Count))
}

/// `Segment` and `TotalSegments` of a parallel scan, with DynamoDB's rules on them.
fn segment(segment: Option<u64>, total: Option<u64>) -> Result<Option<(u32, u32)>> {
    match (segment, total) {
        (None, None) => Ok(None),
        (Some(_), None) => Err(Error::validation(
            "The TotalSegments parameter is required but was not present in the request when parameter Segment is present",
        )),
        (None, Some(_)) => Err(Error::validation(
            "The Segment parameter is required but was not present in the request when parameter TotalSegments is present",
        )),
        (Some(s), Some(t)) if s >= t => Err(Error::Validation(format!(
            "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: {s} is not less than TotalSegments: {t}"
        ))),
        (Some(s), Some(t)) => match (u32::try_from(s), u32::try_from(t)) {
            (Ok(s), Ok(t)) => Ok(Some((s, t))),
            _ => Err(Error::Internal(
                "TotalSegments beyond its model's range".into(),
            )),
        },
    }
}

pub fn scan(app: &App, caller: &Caller, input: ScanInput) -> Result<ReadOutput> {
    let segment = segment(input.segment, input.total_segments)?;
    let m = input.read;
    let (expressions, legacy) = members(&m, None, None, "ScanFilter");
    let attrs = m
        .expression_attributes
        .for_expressions(&expressions, &legacy)?;
    conditional_operator(m.conditional_operator, m.legacy_filter.as_deref())?;
    let (filter, projection, select) = filter_and_projection(&m, attrs)?;
    let table = authorize_read(app, caller, "Scan", &m, projection.as_ref(), None)?;
    let mode = m.return_consumed_capacity;
    let page = app.dynamodb.scan(
        &table,
        read::ScanInput {
            segment,
            options: options(m, filter, projection, select),
        },
    )?;
    Ok(output(page, mode, select == Select::Count))
}
