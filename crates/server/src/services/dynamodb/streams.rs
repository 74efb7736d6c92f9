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

use super::input::{Input, enum_violation, null_violation, required, string};

/// `Limit`: 1 to `max`.
fn limit(input: &mut Input, max: i64) -> Result<Option<usize>, Error> {
    Ok(input
        .int_within("Limit", 1, max)?
        .and_then(|n| usize::try_from(n).ok()))
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
    let stream_arn = input.required_str("StreamArn")?;
    let limit = limit(&mut input, 100)?;
    let exclusive_start_shard_id = string(&input, "ExclusiveStartShardId")?;
    let shard_filter = match input.child("ShardFilter")? {
        None => None,
        Some(filter) => {
            match string(&filter, "Type")? {
                None => input.violation(null_violation("shardFilter.type")),
                Some(t) if t != "CHILD_SHARDS" => {
                    input.violation(enum_violation(&t, "shardFilter.type", &["CHILD_SHARDS"]));
                }
                Some(_) => {}
            }
            let shard_id = string(&filter, "ShardId")?;
            match &shard_id {
                None => input.violation(null_violation("shardFilter.shardId")),
                Some(id) => input.check_length("ShardFilter.ShardId", id, 28, 65),
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
    let stream_arn = input.required_str("StreamArn")?;
    let shard_id = input.required_str("ShardId")?;
    if let Some(id) = &shard_id {
        input.check_length("shardId", id, 28, 65);
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
    let shard_iterator = input.required_str("ShardIterator")?;
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
