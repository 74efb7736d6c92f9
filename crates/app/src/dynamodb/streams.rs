//! DynamoDB Streams' four operations (`DynamoDBStreams_20120810`): ListStreams,
//! DescribeStream, GetShardIterator and GetRecords, over the engine's streams
//! ([`strata_dynamodb::streams`]), with AWS's rules from spec dynamodb-streams §4.
//!
//! Authorization: `dynamodb:ListStreams` on `*`; the others on the stream ARN, in the stream's
//! account (another account's consumer needs both sides to allow). A shard iterator is
//! `<StreamArn>|1|<base64 position>`, checked by a digest so a forged or damaged one is a
//! ValidationException; it expires 15 minutes of server time after it was issued.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::Serialize;
use strata_dynamodb::Scope;
use strata_dynamodb::key::fnv1a;
use strata_dynamodb::streams::{
    Lifetime, Position, RETENTION_MICROS, Shard, ShardRecord, StreamDefinition,
};
use strata_dynamodb::tables::parse_table_arn;
use strata_dynamodb_item::{EncodedItem, Item};

use super::access::{authorize_resource, denied, stored_policy};
use super::description::key_schema;
use super::error::{Error, Result};
use super::schema::KeySchemaElement;
use crate::authz::ResourcePolicy;
use crate::{App, Caller};

/// How long an iterator stays usable (spec §4.3).
const ITERATOR_LIFETIME_MICROS: u64 = 15 * 60 * 1_000_000;

/// GetRecords' bound on a page's records, besides its `Limit` (spec §4.4).
const MAX_PAGE_BYTES: usize = 1024 * 1024;

#[derive(Clone, Debug, Default)]
pub struct ListStreamsInput {
    pub table_name: Option<String>,
    pub limit: Option<usize>,
    pub exclusive_start_stream_arn: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListStreamsOutput {
    pub streams: Vec<StreamSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_evaluated_stream_arn: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct StreamSummary {
    pub stream_arn: String,
    pub table_name: String,
    pub stream_label: String,
}

/// `ShardFilter` (only `CHILD_SHARDS` exists; the edge checks the type).
#[derive(Clone, Debug)]
pub struct ShardFilter {
    pub shard_id: String,
}

#[derive(Clone, Debug, Default)]
pub struct DescribeStreamInput {
    pub stream_arn: String,
    pub limit: Option<usize>,
    pub exclusive_start_shard_id: Option<String>,
    pub shard_filter: Option<ShardFilter>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeStreamOutput {
    pub stream_description: StreamDescription,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct StreamDescription {
    pub stream_arn: String,
    pub stream_label: String,
    pub stream_status: &'static str,
    pub stream_view_type: String,
    /// Epoch seconds with milliseconds.
    pub creation_request_date_time: f64,
    pub table_name: String,
    pub key_schema: Vec<KeySchemaElement>,
    pub shards: Vec<ShardDescription>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_evaluated_shard_id: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ShardDescription {
    pub shard_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_shard_id: Option<String>,
    pub sequence_number_range: SequenceNumberRange,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SequenceNumberRange {
    pub starting_sequence_number: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ending_sequence_number: Option<String>,
}

/// `ShardIteratorType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShardIteratorType {
    TrimHorizon,
    Latest,
    AtSequenceNumber,
    AfterSequenceNumber,
}

impl ShardIteratorType {
    pub const ALL: [ShardIteratorType; 4] = [
        ShardIteratorType::TrimHorizon,
        ShardIteratorType::Latest,
        ShardIteratorType::AtSequenceNumber,
        ShardIteratorType::AfterSequenceNumber,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ShardIteratorType::TrimHorizon => "TRIM_HORIZON",
            ShardIteratorType::Latest => "LATEST",
            ShardIteratorType::AtSequenceNumber => "AT_SEQUENCE_NUMBER",
            ShardIteratorType::AfterSequenceNumber => "AFTER_SEQUENCE_NUMBER",
        }
    }
}

#[derive(Clone, Debug)]
pub struct GetShardIteratorInput {
    pub stream_arn: String,
    pub shard_id: String,
    pub shard_iterator_type: ShardIteratorType,
    pub sequence_number: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetShardIteratorOutput {
    pub shard_iterator: String,
}

#[derive(Clone, Debug)]
pub struct GetRecordsInput {
    pub shard_iterator: String,
    pub limit: Option<usize>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetRecordsOutput {
    pub records: Vec<Record>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_shard_iterator: Option<String>,
}

/// One record as GetRecords sends it (spec §5.1; these members are camelCase on the wire).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Record {
    #[serde(rename = "eventID")]
    pub event_id: String,
    pub event_name: &'static str,
    pub event_version: &'static str,
    pub event_source: &'static str,
    pub aws_region: String,
    pub dynamodb: StreamRecordOut,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_identity: Option<Identity>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct StreamRecordOut {
    /// Whole epoch seconds of the commit.
    pub approximate_creation_date_time: u64,
    pub keys: Item,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_image: Option<EncodedItem>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_image: Option<EncodedItem>,
    pub sequence_number: String,
    pub size_bytes: u32,
    pub stream_view_type: &'static str,
}

/// `userIdentity` of a TTL delete: DynamoDB's service (PascalCase on this wire).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Identity {
    #[serde(rename = "Type")]
    pub kind: &'static str,
    pub principal_id: &'static str,
}

pub async fn list_streams(
    app: &App,
    caller: &Caller,
    input: ListStreamsInput,
) -> Result<ListStreamsOutput> {
    authorize_resource(app, caller, "ListStreams", "*")?;
    if let Some(arn) = &input.exclusive_start_stream_arn
        && StreamArn::parse(arn).is_none()
    {
        return Err(Error::Validation(format!(
            "Invalid ExclusiveStartStreamArn: {arn}"
        )));
    }
    let account = caller.principal.account().as_str();
    let scope = Scope {
        account,
        region: &caller.region,
    };
    let limit = input.limit.unwrap_or(100);
    let mut streams = app
        .dynamodb
        .streams(scope, input.table_name.as_deref())?
        .into_iter()
        // Streams come in ARN order; a page resumes after the cookie's ARN (spec §4.1).
        .filter(|s| {
            input
                .exclusive_start_stream_arn
                .as_ref()
                .is_none_or(|after| s.arn() > *after)
        })
        .peekable();
    let mut out = Vec::new();
    while out.len() < limit
        && let Some(s) = streams.next()
    {
        out.push(StreamSummary {
            stream_arn: s.arn(),
            table_name: s.table_name,
            stream_label: s.label,
        });
    }
    let last_evaluated_stream_arn = match streams.peek() {
        Some(_) => out.last().map(|s| s.stream_arn.clone()),
        None => None,
    };
    Ok(ListStreamsOutput {
        streams: out,
        last_evaluated_stream_arn,
    })
}

pub async fn describe_stream(
    app: &App,
    caller: &Caller,
    input: DescribeStreamInput,
) -> Result<DescribeStreamOutput> {
    let stream = authorized_stream(app, caller, "DescribeStream", &input.stream_arn)?;
    let lifetime = stream.lifetime();
    let mut shards = lifetime.shards(app.dynamodb.now_micros());
    if shards.iter().any(|s| s.closed) {
        // A closed shard's EndingSequenceNumber counts every write stamped before its end,
        // committed or not yet when it closed.
        app.dynamodb.settle_writes().await?;
        shards = lifetime.shards(app.dynamodb.now_micros());
    }
    let mut described = Vec::new();
    for shard in &shards {
        described.push(describe_shard(app, &stream, &lifetime, shard)?);
    }
    if let Some(filter) = &input.shard_filter {
        described.retain(|s| s.parent_shard_id.as_deref() == Some(filter.shard_id.as_str()));
    }
    if let Some(after) = &input.exclusive_start_shard_id {
        described.retain(|s| s.shard_id.as_str() > after.as_str());
    }
    let limit = input.limit.unwrap_or(100);
    let last_evaluated_shard_id =
        (described.len() > limit).then(|| described[limit - 1].shard_id.clone());
    described.truncate(limit);
    Ok(DescribeStreamOutput {
        stream_description: StreamDescription {
            stream_arn: stream.arn(),
            stream_label: stream.label.clone(),
            stream_status: if stream.disabled_at.is_some() {
                "DISABLED"
            } else {
                "ENABLED"
            },
            stream_view_type: stream.view_type.clone(),
            creation_request_date_time: (stream.enabled_at / 1000) as f64 / 1000.0,
            table_name: stream.table_name.clone(),
            key_schema: key_schema(&stream.key_schema),
            shards: described,
            last_evaluated_shard_id,
        },
    })
}

fn describe_shard(
    app: &App,
    stream: &StreamDefinition,
    lifetime: &Lifetime,
    shard: &Shard,
) -> Result<ShardDescription> {
    let start = Position::at_stamp(shard.start);
    let ending = if shard.closed {
        let last = app.dynamodb.last_record(stream, shard)?.unwrap_or(start);
        Some(last.sequence_number().to_string())
    } else {
        None
    };
    Ok(ShardDescription {
        shard_id: lifetime.shard_id(shard.index),
        parent_shard_id: shard
            .index
            .checked_sub(1)
            .map(|parent| lifetime.shard_id(parent)),
        sequence_number_range: SequenceNumberRange {
            starting_sequence_number: start.sequence_number().to_string(),
            ending_sequence_number: ending,
        },
    })
}

pub async fn get_shard_iterator(
    app: &App,
    caller: &Caller,
    input: GetShardIteratorInput,
) -> Result<GetShardIteratorOutput> {
    use ShardIteratorType::*;
    let sequence = match (input.shard_iterator_type, &input.sequence_number) {
        (AtSequenceNumber | AfterSequenceNumber, None) => {
            return Err(Error::Validation(format!(
                "Must specify a sequence number with shard iterator type {}",
                input.shard_iterator_type.as_str()
            )));
        }
        (TrimHorizon | Latest, Some(_)) => {
            return Err(Error::Validation(format!(
                "Cannot specify a sequence number with shard iterator type {}",
                input.shard_iterator_type.as_str()
            )));
        }
        (_, Some(n)) => Some(
            Position::parse_sequence_number(n)
                .ok_or_else(|| Error::Validation(format!("Invalid SequenceNumber: {n}")))?,
        ),
        (_, None) => None,
    };
    let stream = authorized_stream(app, caller, "GetShardIterator", &input.stream_arn)?;
    let lifetime = stream.lifetime();
    let now = app.dynamodb.now_micros();
    let shard = lifetime
        .shard_index(&input.shard_id, now)
        .map(|k| lifetime.shard(k, now))
        .filter(|s| s.end > now.saturating_sub(RETENTION_MICROS))
        .ok_or_else(|| {
            Error::ResourceNotFound("Requested resource not found: Shard does not exist".into())
        })?;
    let position = match (input.shard_iterator_type, sequence) {
        (AtSequenceNumber, Some(p)) => p,
        (AfterSequenceNumber, Some(p)) => p.next(),
        (Latest, _) => {
            if shard.closed {
                app.dynamodb.settle_writes().await?;
            }
            let last = app.dynamodb.last_record(&stream, &shard)?;
            // A position after a record only once that record is durable.
            app.dynamodb.settle_writes().await?;
            last.map_or(Position::at_stamp(shard.start), Position::next)
        }
        _ => Position::at_stamp(shard.start.max(now.saturating_sub(RETENTION_MICROS))),
    };
    // A sequence number older than the trim point is refused, whatever lies after it (the
    // model's TrimmedDataAccessException); the other types start at readable records.
    if sequence.is_some_and(|p| p.stamp < now.saturating_sub(RETENTION_MICROS)) {
        return Err(trimmed());
    }
    Ok(GetShardIteratorOutput {
        shard_iterator: Iterator {
            shard: shard.index,
            position,
            issued_at: now,
        }
        .encode(&stream.arn()),
    })
}

pub async fn get_records(
    app: &App,
    caller: &Caller,
    input: GetRecordsInput,
) -> Result<GetRecordsOutput> {
    let (arn, iterator) = Iterator::decode(&input.shard_iterator)
        .ok_or_else(|| Error::Validation("Invalid ShardIterator".into()))?;
    let stream = authorized_stream(app, caller, "GetRecords", &arn)?;
    let now = app.dynamodb.now_micros();
    if now > iterator.issued_at.saturating_add(ITERATOR_LIFETIME_MICROS) {
        return Err(Error::ExpiredIterator("Shard iterator has expired".into()));
    }
    let lifetime = stream.lifetime();
    let shard = lifetime.shard(iterator.shard, now);
    if shard.closed {
        // Every write stamped before the shard's end commits before it is read to its end,
        // however the clock moved meanwhile.
        app.dynamodb.settle_writes().await?;
    }
    let from = untrimmed(app, &stream, iterator.position, now)?;
    let limit = input.limit.unwrap_or(1000);
    let page = app
        .dynamodb
        .shard_records(&stream, &shard, from, limit, MAX_PAGE_BYTES)?;
    let next = page.last().map_or(from, |r| r.position.next());
    let exhausted = shard.closed && !app.dynamodb.has_records_between(&stream, next, shard.end)?;
    if !page.is_empty() {
        // Reads see a group's writes before its fsync: answer only once they are durable, so a
        // record returned once is returned again after a crash.
        app.dynamodb.settle_writes().await?;
    }
    let arn_text = stream.arn();
    let stream_seed = fnv1a(arn_text.as_bytes());
    let records = page
        .into_iter()
        .map(|r| record(&stream, stream_seed, r))
        .collect();
    Ok(GetRecordsOutput {
        records,
        next_shard_iterator: (!exhausted).then(|| {
            Iterator {
                shard: shard.index,
                position: next,
                issued_at: now,
            }
            .encode(&arn_text)
        }),
    })
}

/// `position`, or the trim horizon if only records nobody can read any more lie between:
/// TrimmedDataAccessException when a record there was trimmed.
fn untrimmed(
    app: &App,
    stream: &StreamDefinition,
    position: Position,
    now: u64,
) -> Result<Position> {
    let horizon = now.saturating_sub(RETENTION_MICROS);
    if position.stamp >= horizon {
        return Ok(position);
    }
    if app
        .dynamodb
        .has_records_between(stream, position, horizon)?
    {
        return Err(trimmed());
    }
    Ok(Position::at_stamp(horizon))
}

fn trimmed() -> Error {
    Error::TrimmedDataAccess("The data you are trying to access has been trimmed".into())
}

fn record(stream: &StreamDefinition, stream_seed: u64, r: ShardRecord) -> Record {
    let sequence_number = r.position.sequence_number().to_string();
    let event_id = event_id(stream_seed, &sequence_number);
    let record = r.record;
    Record {
        event_id,
        event_name: record.event.as_str(),
        event_version: "1.1",
        event_source: "aws:dynamodb",
        aws_region: stream.region.clone(),
        dynamodb: StreamRecordOut {
            approximate_creation_date_time: r.position.stamp / 1_000_000,
            keys: record.keys,
            new_image: record.new_image,
            old_image: record.old_image,
            sequence_number,
            size_bytes: record.size_bytes,
            stream_view_type: stream.view().as_str(),
        },
        user_identity: record.by_time_to_live.then_some(Identity {
            kind: "Service",
            principal_id: "dynamodb.amazonaws.com",
        }),
    }
}

/// A record's `eventID`: 32 hex digits (spec §1), the same whenever the record is read —
/// two FNV-1a hashes of its sequence number, seeded by its stream (`stream_seed`: the hash of
/// the stream ARN).
fn event_id(stream_seed: u64, sequence_number: &str) -> String {
    let mut bytes = [0u8; 64];
    let n = sequence_number.len().min(48);
    bytes[..8].copy_from_slice(&stream_seed.to_be_bytes());
    bytes[8..8 + n].copy_from_slice(&sequence_number.as_bytes()[..n]);
    let low = fnv1a(&bytes[..8 + n]);
    bytes[8 + n..16 + n].copy_from_slice(&low.to_be_bytes());
    let high = fnv1a(&bytes[..16 + n]);
    format!("{high:016x}{low:016x}")
}

/// A stream ARN's parts: `arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label>`.
#[derive(Clone, Debug, PartialEq, Eq)]
struct StreamArn {
    region: String,
    account: String,
    table_name: String,
    label: String,
}

impl StreamArn {
    /// A table ARN ([`parse_table_arn`]'s rules), `/stream/`, a label.
    fn parse(arn: &str) -> Option<StreamArn> {
        let (table, label) = arn.split_once("/stream/")?;
        let (region, account, table_name) = parse_table_arn(table)?;
        (!label.is_empty() && !label.contains('/')).then(|| StreamArn {
            region: region.to_owned(),
            account: account.to_owned(),
            table_name: table_name.to_owned(),
            label: label.to_owned(),
        })
    }
}

/// Whether a `ResourceArn` names a stream (PutResourcePolicy and its kin take both).
pub fn is_stream_arn(arn: &str) -> bool {
    arn.starts_with("arn:") && arn.contains("/stream/")
}

/// Resolves a `StreamArn` and authorizes `operation` on it, with the stream's resource-based
/// policy: ValidationException when it is not a stream ARN, the denial, then
/// ResourceNotFoundException when no such stream is listed (spec §4.2).
pub(crate) fn authorized_stream(
    app: &App,
    caller: &Caller,
    operation: &str,
    arn: &str,
) -> Result<StreamDefinition> {
    let parsed = StreamArn::parse(arn)
        .ok_or_else(|| Error::Validation(format!("Invalid StreamArn: {arn}")))?;
    let scope = Scope {
        account: &parsed.account,
        region: &parsed.region,
    };
    let found = app
        .dynamodb
        .stream(scope, &parsed.table_name, &parsed.label)?;
    let policy = found
        .as_ref()
        .and_then(|s| s.resource_policy.as_ref())
        .map(stored_policy)
        .transpose()?;
    let label = format!("stream {arn} resource policy");
    crate::authz::authorize(
        app,
        caller,
        &format!("dynamodb:{operation}"),
        arn,
        &parsed.account,
        policy.as_ref().map(|document| ResourcePolicy {
            label: &label,
            document,
            required: false,
        }),
    )
    .map_err(denied)?;
    found.ok_or_else(|| {
        Error::ResourceNotFound(format!(
            "Requested resource not found: Stream: {arn} not found"
        ))
    })
}

/// A shard iterator's content: the shard, the next record's place and when it was issued.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Iterator {
    shard: u32,
    position: Position,
    issued_at: u64,
}

impl Iterator {
    const VERSION: &'static str = "1";

    /// `<StreamArn>|1|<base64>`, as AWS's look (spec §1).
    fn encode(&self, arn: &str) -> String {
        let mut payload = Vec::with_capacity(32);
        payload.extend_from_slice(&self.shard.to_be_bytes());
        payload.extend_from_slice(&self.position.stamp.to_be_bytes());
        payload.extend_from_slice(&self.position.rank.to_be_bytes());
        payload.extend_from_slice(&self.issued_at.to_be_bytes());
        let digest = Self::digest(arn, &payload);
        payload.extend_from_slice(&digest.to_be_bytes());
        format!("{arn}|{}|{}", Self::VERSION, BASE64.encode(payload))
    }

    fn decode(text: &str) -> Option<(String, Iterator)> {
        let (rest, encoded) = text.rsplit_once('|')?;
        let (arn, version) = rest.rsplit_once('|')?;
        if version != Self::VERSION {
            return None;
        }
        let payload = BASE64.decode(encoded).ok()?;
        let (body, digest) = payload.split_last_chunk::<8>()?;
        if body.len() != 24 || u64::from_be_bytes(*digest) != Self::digest(arn, body) {
            return None;
        }
        let u32_at = |i: usize| u32::from_be_bytes(body[i..i + 4].try_into().expect("4 bytes"));
        let u64_at = |i: usize| u64::from_be_bytes(body[i..i + 8].try_into().expect("8 bytes"));
        Some((
            arn.to_owned(),
            Iterator {
                shard: u32_at(0),
                position: Position {
                    stamp: u64_at(4),
                    rank: u32_at(12),
                },
                issued_at: u64_at(16),
            },
        ))
    }

    /// Tells an iterator strata issued from a damaged or forged one (not a secret).
    fn digest(arn: &str, body: &[u8]) -> u64 {
        let mut bytes = Vec::with_capacity(arn.len() + body.len());
        bytes.extend_from_slice(arn.as_bytes());
        bytes.extend_from_slice(body);
        fnv1a(&bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_arns_parse_strictly() {
        let arn = "arn:aws:dynamodb:us-east-1:111111111111:table/t/stream/2026-01-01T00:00:00.000";
        let parsed = StreamArn::parse(arn).unwrap();
        assert_eq!(parsed.table_name, "t");
        assert_eq!(parsed.label, "2026-01-01T00:00:00.000");
        for bad in [
            "",
            "dog",
            "arn:aws:dynamodb:us-east-1:111111111111:table/t",
            "arn:aws:dynamodb:us-east-1:1111:table/t/stream/x",
            "arn:aws:dynamodb:us-east-1:111111111111:table//stream/x",
            "arn:aws:dynamodb:us-east-1:111111111111:table/t/stream/",
        ] {
            assert_eq!(StreamArn::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn iterators_round_trip_and_refuse_damage() {
        let arn = "arn:aws:dynamodb:us-east-1:111111111111:table/t/stream/2026-01-01T00:00:00.000";
        let it = Iterator {
            shard: 3,
            position: Position {
                stamp: 1_700_000_000_000_000,
                rank: 2,
            },
            issued_at: 1_700_000_000_000_123,
        };
        let text = it.encode(arn);
        assert!(text.starts_with(arn) && text.len() <= 2048);
        assert_eq!(Iterator::decode(&text), Some((arn.to_owned(), it)));
        let mut damaged = text.clone();
        damaged.pop();
        damaged.push('A');
        assert_eq!(Iterator::decode(&damaged), None);
        let other = text.replacen("table/t/", "table/u/", 1);
        assert_eq!(Iterator::decode(&other), None);
        assert_eq!(Iterator::decode("garbage"), None);
        assert_eq!(Iterator::decode("a|1|!!!"), None);
    }
}
