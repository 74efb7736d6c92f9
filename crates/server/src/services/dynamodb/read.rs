//! Decoding Query and Scan.

use strata_app::dynamodb::Error;
use strata_app::dynamodb::read::{QueryInput, ReadMembers, ScanInput};
use strata_dynamodb::read::Select;

use super::input::{
    Input, check_name, expression_attribute_maps, item_field, required, return_consumed_capacity,
    string,
};
use super::legacy;

/// The members Query and Scan share; `filter` names the legacy filter (`QueryFilter` or
/// `ScanFilter`). The table name is checked by the caller's `finish`.
fn read_members(input: &mut Input, filter: &str) -> Result<(Option<String>, ReadMembers), Error> {
    let table_name = input.table_name("TableName")?;
    let index_name = string(input, "IndexName")?;
    if let Some(i) = &index_name {
        check_name(input, "IndexName", i, 3);
    }
    let select = input.enum_value("Select", &Select::ALL, Select::name)?;
    let limit = input.int("Limit")?;
    if let Some(l) = limit
        && l < 1
    {
        input.violation(format!(
            "Value '{l}' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"
        ));
    }
    let return_consumed_capacity = return_consumed_capacity(input)?;
    let consistent_read = input.bool("ConsistentRead")?.unwrap_or(false);
    let exclusive_start_key = item_field(input, "ExclusiveStartKey")?;
    let filter_expression = string(input, "FilterExpression")?;
    let projection_expression = string(input, "ProjectionExpression")?;
    let expression_attributes = expression_attribute_maps(input)?;
    let legacy_filter = legacy::conditions(input, filter)?;
    let attributes_to_get = legacy::attributes_to_get(input)?;
    let conditional_operator = legacy::conditional_operator(input)?;
    Ok((
        table_name,
        ReadMembers {
            table_name: String::new(),
            index_name,
            select,
            limit: limit.and_then(|l| usize::try_from(l).ok()),
            consistent_read,
            exclusive_start_key,
            return_consumed_capacity,
            filter_expression,
            projection_expression,
            expression_attributes,
            legacy_filter,
            attributes_to_get,
            conditional_operator,
        },
    ))
}

pub fn query(mut input: Input) -> Result<QueryInput, Error> {
    let (table_name, mut read) = read_members(&mut input, "QueryFilter")?;
    let scan_index_forward = input.bool("ScanIndexForward")?.unwrap_or(true);
    let key_condition_expression = string(&input, "KeyConditionExpression")?;
    let key_conditions = legacy::conditions(&mut input, "KeyConditions")?;
    input.finish()?;
    read.table_name = required(table_name)?;
    Ok(QueryInput {
        read,
        scan_index_forward,
        key_condition_expression,
        key_conditions,
    })
}

pub fn scan(mut input: Input) -> Result<ScanInput, Error> {
    let (table_name, mut read) = read_members(&mut input, "ScanFilter")?;
    let segment = input.int("Segment")?;
    let total = input.int("TotalSegments")?;
    if let Some(t) = total
        && !(1..=1_000_000).contains(&t)
    {
        input.violation(format!(
            "Value '{t}' at 'totalSegments' failed to satisfy constraint: Member must have value {}",
            if t < 1 {
                "greater than or equal to 1"
            } else {
                "less than or equal to 1000000"
            }
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
    read.table_name = required(table_name)?;
    Ok(ScanInput {
        read,
        segment: segment.and_then(|s| u64::try_from(s).ok()),
        total_segments: total.and_then(|t| u64::try_from(t).ok()),
    })
}
