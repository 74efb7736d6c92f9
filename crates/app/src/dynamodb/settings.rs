//! A table's settings besides its schema — tags, Time to Live, its resource-based policy —
//! and the account-level DescribeLimits and DescribeEndpoints. Tags and policies address
//! tables by ARN (`ResourceArn`).

use serde::Serialize;
use strata_dynamodb::Table;
use strata_dynamodb::schema::{ResourcePolicy, TimeToLive};
use strata_policy::{PolicyDocument, PolicyKind, ResourcePolicyKind};

use super::access::{
    Conditions, authorize_found, authorize_resource, named_table, require, require_visible, resolve,
};
use super::error::{Error, Result};
use super::schema::Tag;
use super::streams;
use super::tables::TableNameInput;
use crate::{App, Caller};

/// The input of operations that name just a resource: ListTagsOfResource,
/// GetResourcePolicy, DeleteResourcePolicy.
#[derive(Clone, Debug)]
pub struct ResourceArnInput {
    pub resource_arn: String,
}

#[derive(Clone, Debug)]
pub struct TagResourceInput {
    pub resource_arn: String,
    /// At least one.
    pub tags: Vec<Tag>,
}

#[derive(Clone, Debug)]
pub struct UntagResourceInput {
    pub resource_arn: String,
    pub tag_keys: Vec<String>,
}

pub use crate::Empty;

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListTagsOfResourceOutput {
    pub tags: Vec<Tag>,
}

/// `TimeToLiveSpecification`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TimeToLiveSpecification {
    pub attribute_name: String,
    pub enabled: bool,
}

#[derive(Clone, Debug)]
pub struct UpdateTimeToLiveInput {
    pub table_name: String,
    pub time_to_live_specification: TimeToLiveSpecification,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateTimeToLiveOutput {
    pub time_to_live_specification: TimeToLiveSpecification,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TimeToLiveDescription {
    pub time_to_live_status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attribute_name: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeTimeToLiveOutput {
    pub time_to_live_description: TimeToLiveDescription,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeLimitsOutput {
    pub account_max_read_capacity_units: u64,
    pub account_max_write_capacity_units: u64,
    pub table_max_read_capacity_units: u64,
    pub table_max_write_capacity_units: u64,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Endpoint {
    pub address: String,
    pub cache_period_in_minutes: u64,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeEndpointsOutput {
    pub endpoints: Vec<Endpoint>,
}

#[derive(Clone, Debug)]
pub struct PutResourcePolicyInput {
    pub resource_arn: String,
    pub policy: String,
    pub expected_revision_id: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct RevisionOutput {
    pub revision_id: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetResourcePolicyOutput {
    pub policy: String,
    pub revision_id: String,
}

/// Resolves and authorizes a `ResourceArn` member (tags, resource policies).
fn by_arn(app: &App, caller: &Caller, arn: &str, operation: &str) -> Result<Table> {
    let invalid = || {
        Error::Validation(format!(
            "Invalid TableArn: Invalid ResourceArn provided as input {arn}"
        ))
    };
    let table_ref = resolve(caller, arn).map_err(|_| invalid())?;
    if !arn.starts_with("arn:") {
        return Err(invalid());
    }
    let found = app.dynamodb.table_by_arn(arn);
    authorize_found(
        app,
        caller,
        operation,
        &table_ref,
        found.as_ref().ok(),
        None,
        Conditions::default(),
    )?;
    Ok(found?)
}

pub async fn tag_resource(app: &App, caller: &Caller, input: TagResourceInput) -> Result<Empty> {
    let table = by_arn(app, caller, &input.resource_arn, "TagResource")?;
    let tags = input.tags.into_iter().map(|t| (t.key, t.value)).collect();
    app.dynamodb.tag_resource(&table, tags).await?;
    Ok(Empty {})
}

pub async fn untag_resource(
    app: &App,
    caller: &Caller,
    input: UntagResourceInput,
) -> Result<Empty> {
    let table = by_arn(app, caller, &input.resource_arn, "UntagResource")?;
    app.dynamodb.untag_resource(&table, input.tag_keys).await?;
    Ok(Empty {})
}

pub fn list_tags_of_resource(
    app: &App,
    caller: &Caller,
    input: ResourceArnInput,
) -> Result<ListTagsOfResourceOutput> {
    let table = by_arn(app, caller, &input.resource_arn, "ListTagsOfResource")?;
    Ok(ListTagsOfResourceOutput {
        tags: table
            .def
            .tags
            .iter()
            .map(|(key, value)| Tag {
                key: key.clone(),
                value: value.clone(),
            })
            .collect(),
    })
}

pub async fn update_time_to_live(
    app: &App,
    caller: &Caller,
    input: UpdateTimeToLiveInput,
) -> Result<UpdateTimeToLiveOutput> {
    let (table_ref, found) = named_table(app, caller, &input.table_name, "UpdateTimeToLive")?;
    require(found)?;
    let spec = input.time_to_live_specification;
    let set = app
        .dynamodb
        .update_time_to_live(
            table_ref.scope(),
            &table_ref.name,
            TimeToLive {
                attribute_name: spec.attribute_name,
                enabled: spec.enabled,
            },
        )
        .await?;
    Ok(UpdateTimeToLiveOutput {
        time_to_live_specification: TimeToLiveSpecification {
            attribute_name: set.attribute_name,
            enabled: set.enabled,
        },
    })
}

pub fn describe_time_to_live(
    app: &App,
    caller: &Caller,
    input: TableNameInput,
) -> Result<DescribeTimeToLiveOutput> {
    let (_, found) = named_table(app, caller, &input.table_name, "DescribeTimeToLive")?;
    let table = require_visible(found)?;
    let description = match table.def.ttl.as_ref().filter(|t| t.enabled) {
        Some(ttl) => TimeToLiveDescription {
            time_to_live_status: "ENABLED",
            attribute_name: Some(ttl.attribute_name.clone()),
        },
        None => TimeToLiveDescription {
            time_to_live_status: "DISABLED",
            attribute_name: None,
        },
    };
    Ok(DescribeTimeToLiveOutput {
        time_to_live_description: description,
    })
}

pub fn describe_limits(app: &App, caller: &Caller) -> Result<DescribeLimitsOutput> {
    authorize_resource(app, caller, "DescribeLimits", "*")?;
    Ok(DescribeLimitsOutput {
        account_max_read_capacity_units: 80_000,
        account_max_write_capacity_units: 80_000,
        table_max_read_capacity_units: 40_000,
        table_max_write_capacity_units: 40_000,
    })
}

pub fn describe_endpoints(caller: &Caller) -> DescribeEndpointsOutput {
    DescribeEndpointsOutput {
        endpoints: vec![Endpoint {
            address: format!("dynamodb.{}.amazonaws.com", caller.region),
            cache_period_in_minutes: 1440,
        }],
    }
}

fn policy_not_found(arn: &str) -> Error {
    Error::PolicyNotFound(format!(
        "Resource-based policy not found for the provided ResourceArn: {arn}"
    ))
}

pub async fn put_resource_policy(
    app: &App,
    caller: &Caller,
    input: PutResourcePolicyInput,
) -> Result<RevisionOutput> {
    if streams::is_stream_arn(&input.resource_arn) {
        let stream =
            streams::authorized_stream(app, caller, "PutResourcePolicy", &input.resource_arn)?;
        let stored = new_policy(
            app,
            &input,
            stream.resource_policy.as_ref(),
            &stream.arn(),
            &NOT_STREAM_ACTIONS,
        )?;
        let revision_id = stored.revision_id.clone();
        app.dynamodb
            .set_stream_resource_policy(&stream, Some(stored))
            .await?;
        return Ok(RevisionOutput { revision_id });
    }
    let table = by_arn(app, caller, &input.resource_arn, "PutResourcePolicy")?;
    // Stream actions belong in the stream's own policy (spec dynamodb-streams §7).
    let stored = new_policy(
        app,
        &input,
        table.def.resource_policy.as_ref(),
        &table.def.arn(),
        &STREAM_ACTIONS,
    )?;
    let revision_id = stored.revision_id.clone();
    app.dynamodb
        .set_resource_policy(&table, Some(stored))
        .await?;
    Ok(RevisionOutput { revision_id })
}

/// The policy PutResourcePolicy saves in place of `current` on the resource `arn`: validated
/// (naming none of the `refused` actions), its principals bound to their unique ids, under a
/// new revision, if `ExpectedRevisionId` (when sent) is the current one.
fn new_policy(
    app: &App,
    input: &PutResourcePolicyInput,
    current: Option<&ResourcePolicy>,
    arn: &str,
    refused: &[&str],
) -> Result<ResourcePolicy> {
    let kind = PolicyKind::Resource(ResourcePolicyKind::DynamoDbTable);
    let invalid = |e: strata_policy::PolicyError| {
        Error::Validation(format!("Invalid policy document: {}", e.message))
    };
    let mut document = PolicyDocument::parse(&input.policy, kind).map_err(invalid)?;
    refuse_actions(&document, refused)?;
    let bindings = app
        .iam
        .bind_new_principals(&mut document, kind)
        .map_err(invalid)?;
    if let Some(expected) = &input.expected_revision_id
        && current.map(|p| p.revision_id.as_str()) != Some(expected.as_str())
    {
        return Err(Error::PolicyNotFound(format!(
            "A policy with the given revision ID {expected} does not exist for the provided ResourceArn: {arn}"
        )));
    }
    Ok(ResourcePolicy {
        document: input.policy.clone(),
        revision_id: app.clock.now().as_microsecond().to_string(),
        bindings,
    })
}

/// The DynamoDB Streams actions a table policy may not name, in the order AWS's message
/// lists them (aws-cdk#32230 quotes it for a policy naming all four in another order).
const STREAM_ACTIONS: [&str; 4] = [
    "dynamodb:GetRecords",
    "dynamodb:GetShardIterator",
    "dynamodb:DescribeStream",
    "dynamodb:ListStreams",
];

/// A stream policy may not name `dynamodb:ListStreams`, which has no resource (AWS's answer in
/// aws-controllers-k8s/dynamodb-controller#176).
const NOT_STREAM_ACTIONS: [&str; 1] = ["dynamodb:ListStreams"];

/// Refuses a policy that names any of `invalid` (exactly, ignoring case) in an `Action`, with
/// AWS's message listing them.
fn refuse_actions(document: &PolicyDocument, invalid: &[&str]) -> Result<()> {
    let named: Vec<&str> = document
        .statements
        .iter()
        .filter_map(|s| match &s.action {
            strata_policy::ActionBlock::Action(actions) => Some(actions),
            strata_policy::ActionBlock::NotAction(_) => None,
        })
        .flatten()
        .map(strata_policy::ActionPattern::as_str)
        .collect();
    let found: Vec<String> = invalid
        .iter()
        .filter(|a| named.iter().any(|n| n.eq_ignore_ascii_case(a)))
        .map(|a| format!("\"{a}\""))
        .collect();
    if found.is_empty() {
        return Ok(());
    }
    Err(Error::invalid(format!(
        "Invalid policy document: The following action names are invalid: {}",
        found.join(", ")
    )))
}

pub fn get_resource_policy(
    app: &App,
    caller: &Caller,
    input: ResourceArnInput,
) -> Result<GetResourcePolicyOutput> {
    let (policy, arn) = if streams::is_stream_arn(&input.resource_arn) {
        let stream =
            streams::authorized_stream(app, caller, "GetResourcePolicy", &input.resource_arn)?;
        (stream.resource_policy.clone(), stream.arn())
    } else {
        let table = by_arn(app, caller, &input.resource_arn, "GetResourcePolicy")?;
        (table.def.resource_policy.clone(), table.def.arn())
    };
    match policy {
        Some(p) => Ok(GetResourcePolicyOutput {
            policy: p.document,
            revision_id: p.revision_id,
        }),
        None => Err(policy_not_found(&arn)),
    }
}

pub async fn delete_resource_policy(
    app: &App,
    caller: &Caller,
    input: ResourceArnInput,
) -> Result<RevisionOutput> {
    if streams::is_stream_arn(&input.resource_arn) {
        let stream =
            streams::authorized_stream(app, caller, "DeleteResourcePolicy", &input.resource_arn)?;
        let Some(current) = stream.resource_policy.clone() else {
            return Err(policy_not_found(&stream.arn()));
        };
        app.dynamodb
            .set_stream_resource_policy(&stream, None)
            .await?;
        return Ok(RevisionOutput {
            revision_id: current.revision_id,
        });
    }
    let table = by_arn(app, caller, &input.resource_arn, "DeleteResourcePolicy")?;
    let Some(current) = table.def.resource_policy.clone() else {
        return Err(policy_not_found(&table.def.arn()));
    };
    app.dynamodb.set_resource_policy(&table, None).await?;
    Ok(RevisionOutput {
        revision_id: current.revision_id,
    })
}
