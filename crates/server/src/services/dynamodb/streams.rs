//! Decoding DynamoDB Streams' requests (`DynamoDBStreams_20120810`, JSON 1.0 on DynamoDB's
//! endpoint and signing name): ListStreams, DescribeStream, GetShardIterator, GetRecords,
//! with the model's constraints (spec dynamodb-streams §4, §8). The texts of these
//! violations are Coral's usual ones; that AWS words them so for Streams is UNCONFIRMED (the
//! AWS-run tests check the code and that the message names the limit).

use strata_app::dynamodb::Error;
use strata_app::dynamodb::streams::{
    DescribeStreamInput, GetRecordsInput, GetShardIteratorInput, ListStreamsInput, ShardFilter,
    ShardIteratorType,
};

use super::input::{Input, null_violation, required, string};

/// `Limit` within `min..=max`, or a violation naming `limit`.
fn limit(input: &mut Input, max: i64) -> Result<Option<usize>, Error> {
    let value = input.int("Limit")?;
    match value {
        Some(n) if n < 1 => input.violation(format!(
            "Value '{n}' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"
        )),
        Some(n) if n > max => input.violation(format!(
            "Value '{n}' at 'limit' failed to satisfy constraint: Member must have value less than or equal to {max}"
        )),
        _ => {}
    }
    Ok(value.and_then(|n| usize::try_from(n).ok()))
}

/// A required string member, or a `Member must not be null` violation.
fn required_member(input: &mut Input, field: &str, member: &str) -> Result<Option<String>, Error> {
    let value = string(input, field)?;
    if value.is_none() {
        input.violation(null_violation(member));
    }
    Ok(value)
}

/// A `ShardId` as the model bounds it (28 to 65 characters).
fn check_shard_id(input: &mut Input, member: &str, id: &str) {
    input.check_length(member, id, 28, 65);
}

pub fn list_streams(mut input: Input) -> Result<ListStreamsInput, Error> {
    let table_name = string(&input, "TableName")?;
    let limit = limit(&mut input, 100)?;
    let exclusive_start_stream_arn = string(&input, "ExclusiveStartStreamArn")?;
    input.finish()?;
    Ok(ListStreamsInput {
        table_name,
        limit,
        exclusive_start_stream_arn,
    })
}

pub fn describe_stream(mut input: Input) -> Result<DescribeStreamInput, Error> {
    let stream_arn = required_member(&mut input, "StreamArn", "streamArn")?;
    let limit = limit(&mut input, 100)?;
    let exclusive_start_shard_id = string(&input, "ExclusiveStartShardId")?;
    let shard_filter = match input.child("ShardFilter")? {
        None => None,
        Some(filter) => {
            match string(&filter, "Type")? {
                None => input.violation(null_violation("shardFilter.type")),
                Some(t) if t != "CHILD_SHARDS" => input.violation(format!(
                    "Value '{t}' at 'shardFilter.type' failed to satisfy constraint: Member must satisfy enum value set: [CHILD_SHARDS]"
                )),
                Some(_) => {}
            }
            let shard_id = string(&filter, "ShardId")?;
            match &shard_id {
                None => input.violation(null_violation("shardFilter.shardId")),
                Some(id) => check_shard_id(&mut input, "ShardFilter.ShardId", id),
            }
            shard_id.map(|shard_id| ShardFilter { shard_id })
        }
    };
    input.finish()?;
    Ok(DescribeStreamInput {
        stream_arn: required(stream_arn)?,
        limit,
        exclusive_start_shard_id,
        shard_filter,
    })
}

pub fn get_shard_iterator(mut input: Input) -> Result<GetShardIteratorInput, Error> {
    let stream_arn = required_member(&mut input, "StreamArn", "streamArn")?;
    let shard_id = required_member(&mut input, "ShardId", "shardId")?;
    if let Some(id) = &shard_id {
        check_shard_id(&mut input, "shardId", id);
    }
    let shard_iterator_type = input.enum_value(
        "ShardIteratorType",
        &ShardIteratorType::ALL,
        ShardIteratorType::as_str,
    )?;
    if !input.has("ShardIteratorType") {
        input.violation(null_violation("shardIteratorType"));
    }
    let sequence_number = string(&input, "SequenceNumber")?;
    if let Some(n) = &sequence_number {
        input.check_length("sequenceNumber", n, 21, 40);
    }
    input.finish()?;
    Ok(GetShardIteratorInput {
        stream_arn: required(stream_arn)?,
        shard_id: required(shard_id)?,
        shard_iterator_type: required(shard_iterator_type)?,
        sequence_number,
    })
}

pub fn get_records(mut input: Input) -> Result<GetRecordsInput, Error> {
    let shard_iterator = required_member(&mut input, "ShardIterator", "shardIterator")?;
    if let Some(it) = &shard_iterator {
        input.check_length("shardIterator", it, 1, 2048);
    }
    let limit = limit(&mut input, 1000)?;
    input.finish()?;
    Ok(GetRecordsInput {
        shard_iterator: required(shard_iterator)?,
        limit,
    })
}
