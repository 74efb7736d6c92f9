//! Stacks, their resources and events, and the region's exports: the records and the store
//! writes that change them.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{
    CfnError, CloudFormation, EVENTS, EXPORTS, NAMES, RecordJob, Result, STACKS, decode, encode,
    scope,
};

/// A stack's status, as AWS spells it (spec cloudformation §2.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum StackStatus {
    CreateInProgress,
    CreateFailed,
    CreateComplete,
    RollbackInProgress,
    RollbackFailed,
    RollbackComplete,
    DeleteInProgress,
    DeleteFailed,
    DeleteComplete,
    UpdateInProgress,
    UpdateCompleteCleanupInProgress,
    UpdateComplete,
    UpdateFailed,
    UpdateRollbackInProgress,
    UpdateRollbackFailed,
    UpdateRollbackCompleteCleanupInProgress,
    UpdateRollbackComplete,
    ReviewInProgress,
}

impl StackStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CreateInProgress => "CREATE_IN_PROGRESS",
            Self::CreateFailed => "CREATE_FAILED",
            Self::CreateComplete => "CREATE_COMPLETE",
            Self::RollbackInProgress => "ROLLBACK_IN_PROGRESS",
            Self::RollbackFailed => "ROLLBACK_FAILED",
            Self::RollbackComplete => "ROLLBACK_COMPLETE",
            Self::DeleteInProgress => "DELETE_IN_PROGRESS",
            Self::DeleteFailed => "DELETE_FAILED",
            Self::DeleteComplete => "DELETE_COMPLETE",
            Self::UpdateInProgress => "UPDATE_IN_PROGRESS",
            Self::UpdateCompleteCleanupInProgress => "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
            Self::UpdateComplete => "UPDATE_COMPLETE",
            Self::UpdateFailed => "UPDATE_FAILED",
            Self::UpdateRollbackInProgress => "UPDATE_ROLLBACK_IN_PROGRESS",
            Self::UpdateRollbackFailed => "UPDATE_ROLLBACK_FAILED",
            Self::UpdateRollbackCompleteCleanupInProgress => {
                "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS"
            }
            Self::UpdateRollbackComplete => "UPDATE_ROLLBACK_COMPLETE",
            Self::ReviewInProgress => "REVIEW_IN_PROGRESS",
        }
    }

    /// Whether an operation is running on the stack.
    pub fn in_progress(self) -> bool {
        self.as_str().ends_with("_IN_PROGRESS") && self != Self::ReviewInProgress
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

/// One resource of a stack, as last created or updated.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StackResource {
    pub logical_id: String,
    pub resource_type: String,
    /// The resource's physical id (its name or id in its service), once created.
    pub physical_id: Option<String>,
    /// The name a create in progress asked its service for (the template's, or one
    /// generated), recorded before the call: a create cut short by a crash is found and
    /// removed by it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intended_physical_id: Option<String>,
    /// While an update creates this resource's replacement: that replacement as planned
    /// (type, properties, the name asked for, when), recorded before the call, so one cut
    /// short by a crash is found and removed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replacement: Option<Box<StackResource>>,
    /// `CREATE_COMPLETE`, `UPDATE_FAILED`, `DELETE_SKIPPED`, …
    pub status: String,
    pub status_reason: Option<String>,
    pub updated_millis: i64,
    /// The properties as applied, every function resolved.
    pub properties: Value,
    /// What `Ref` yields.
    pub reference: Option<Value>,
    /// What `Fn::GetAtt` yields, by attribute name.
    pub attributes: BTreeMap<String, Value>,
}

impl StackResource {
    /// A resource about to be created: `CREATE_IN_PROGRESS` at `now`, with the name its
    /// create will ask for (`intended`) recorded before the call.
    pub fn planned(
        logical_id: &str,
        resource_type: &str,
        intended: Option<String>,
        properties: Value,
        now: i64,
    ) -> Self {
        Self {
            logical_id: logical_id.to_owned(),
            resource_type: resource_type.to_owned(),
            physical_id: None,
            intended_physical_id: intended,
            replacement: None,
            status: "CREATE_IN_PROGRESS".to_owned(),
            status_reason: None,
            updated_millis: now,
            properties,
            reference: None,
            attributes: BTreeMap::new(),
        }
    }
}

/// A resolved output.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StackOutput {
    pub key: String,
    pub value: String,
    pub description: Option<String>,
    pub export_name: Option<String>,
}

/// One entry of DescribeStackEvents.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub event_id: String,
    pub logical_id: String,
    pub physical_id: String,
    pub resource_type: String,
    pub timestamp_millis: i64,
    pub status: String,
    pub reason: Option<String>,
    /// The resource's properties as a JSON string, for resource events.
    pub properties: Option<String>,
    /// The `ClientRequestToken` of the call whose operation made the event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_request_token: Option<String>,
}

/// The resource type of a stack's own events.
const STACK_TYPE: &str = "AWS::CloudFormation::Stack";

impl Event {
    /// A resource event's id as AWS forms it: `<LogicalId>-<STATUS>-<time>`.
    pub fn resource_id(logical_id: &str, status: &str, millis: i64) -> String {
        format!("{logical_id}-{status}-{}", iso_millis(millis))
    }
}

/// A time as CloudFormation writes it: ISO 8601 UTC with milliseconds.
pub fn iso_millis(millis: i64) -> String {
    jiff::Timestamp::from_millisecond(millis)
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ").to_string())
        .unwrap_or_default()
}

/// A value exported by a stack's output.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Export {
    pub name: String,
    pub value: String,
    pub stack_id: String,
    pub stack_name: String,
}

/// A change set of a stack: the template and parameters it would apply, and what it found.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChangeSet {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    /// `CREATE` or `UPDATE`.
    pub change_set_type: String,
    pub status: String,
    pub status_reason: Option<String>,
    pub execution_status: String,
    pub creation_millis: i64,
    pub template_body: String,
    pub parameters: BTreeMap<String, String>,
    pub capabilities: Vec<String>,
    /// The stack tags it sets, when the request gave some (none keeps the stack's).
    #[serde(default)]
    pub tags: Option<Vec<Tag>>,
    pub role_arn: Option<String>,
    pub notification_arns: Vec<String>,
    /// DescribeChangeSet's `Changes`, as rendered.
    pub changes: Vec<Value>,
    /// `OnStackFailure` (ROLLBACK, DO_NOTHING or, for a CREATE change set, DELETE).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_stack_failure: Option<String>,
}

/// A stack as it was before the update in progress.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Previous {
    pub template_body: String,
    pub parameters: BTreeMap<String, String>,
    pub no_echo: Vec<String>,
    pub capabilities: Vec<String>,
    pub description: Option<String>,
    pub resources: BTreeMap<String, StackResource>,
    pub outputs: Vec<StackOutput>,
    pub imports: Vec<String>,
    /// The stack's tags, when the update changes them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<Tag>>,
}

/// A stack: identity, status, what it was made from, and what it made.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stack {
    /// `arn:aws:cloudformation:REGION:ACCOUNT:stack/NAME/UUID`.
    pub stack_id: String,
    pub uuid: String,
    pub name: String,
    pub account: String,
    pub region: String,
    pub status: StackStatus,
    pub status_reason: Option<String>,
    pub description: Option<String>,
    pub template_body: String,
    /// Every parameter's value as text.
    pub parameters: BTreeMap<String, String>,
    /// Parameters declared `NoEcho`, shown as `****`.
    pub no_echo: Vec<String>,
    pub capabilities: Vec<String>,
    pub tags: Vec<Tag>,
    pub role_arn: Option<String>,
    pub notification_arns: Vec<String>,
    pub disable_rollback: bool,
    /// `OnFailure=DELETE`, until the create completes: a failed create deletes the stack.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub delete_on_failure: bool,
    pub termination_protection: bool,
    pub timeout_in_minutes: Option<u32>,
    pub creation_millis: i64,
    pub last_updated_millis: Option<i64>,
    pub deletion_millis: Option<i64>,
    pub outputs: Vec<StackOutput>,
    pub resources: BTreeMap<String, StackResource>,
    /// The change set that last changed the stack.
    pub change_set_id: Option<String>,
    /// The stack's change sets, by name.
    pub change_sets: BTreeMap<String, ChangeSet>,
    /// While an update runs: the stack as it was, to roll back to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous: Option<Box<Previous>>,
    /// While an update runs: resources it replaced, deleted when it completes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replaced: Vec<StackResource>,
    /// The export names the stack's template imports (`Fn::ImportValue`), as last resolved:
    /// an export in use cannot be removed.
    #[serde(default)]
    pub imports: Vec<String>,
    /// The `ClientRequestToken` of the call that started the operation under way (or the
    /// last one): every event the operation makes carries it (DescribeStackEvents API
    /// reference).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_request_token: Option<String>,
    /// DeleteStack's `RetainResources` (or, with `FORCE_DELETE_STACK`, the resources that
    /// failed to delete): a delete of a `DELETE_FAILED` stack skips them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retain_resources: Vec<String>,
    /// The sequence number of the next event.
    pub next_event: u64,
    /// Counts the stack's writes: an API call that starts an operation from a stack it read
    /// is refused if the stack was written since ([`CloudFormation::start_operation`]).
    #[serde(default)]
    pub revision: u64,
    /// The time of the newest event: each event is later than the one before, so a
    /// resource's events (whose ids carry their time) never share an id.
    #[serde(default)]
    pub last_event_millis: i64,
}

impl Stack {
    /// A new stack named `name` in `status` at `now`, with a fresh id and nothing else yet.
    pub fn new(account: &str, region: &str, name: &str, status: StackStatus, now: i64) -> Self {
        let uuid = uuid::Uuid::new_v4().to_string();
        Self {
            stack_id: Self::arn(region, account, name, &uuid),
            uuid,
            name: name.to_owned(),
            account: account.to_owned(),
            region: region.to_owned(),
            status,
            status_reason: Some("User Initiated".to_owned()),
            description: None,
            template_body: String::new(),
            parameters: BTreeMap::new(),
            no_echo: Vec::new(),
            capabilities: Vec::new(),
            tags: Vec::new(),
            role_arn: None,
            notification_arns: Vec::new(),
            disable_rollback: false,
            delete_on_failure: false,
            termination_protection: false,
            timeout_in_minutes: None,
            creation_millis: now,
            last_updated_millis: None,
            deletion_millis: None,
            outputs: Vec::new(),
            resources: BTreeMap::new(),
            change_set_id: None,
            change_sets: BTreeMap::new(),
            previous: None,
            replaced: Vec::new(),
            imports: Vec::new(),
            client_request_token: None,
            retain_resources: Vec::new(),
            next_event: 0,
            revision: 0,
            last_event_millis: 0,
        }
    }

    /// A stack's id from its parts.
    pub fn arn(region: &str, account: &str, name: &str, uuid: &str) -> String {
        format!("arn:aws:cloudformation:{region}:{account}:stack/{name}/{uuid}")
    }

    /// The event of the stack itself reaching `status`.
    pub fn event(&self, status: StackStatus, reason: Option<String>, now: i64) -> Event {
        Event {
            event_id: uuid::Uuid::new_v4().to_string(),
            logical_id: self.name.clone(),
            physical_id: self.stack_id.clone(),
            resource_type: STACK_TYPE.to_owned(),
            timestamp_millis: now,
            status: status.as_str().to_owned(),
            reason,
            properties: None,
            client_request_token: None,
        }
    }
}

fn stack_key(account: &str, region: &str, uuid: &str) -> Vec<u8> {
    format!("{}{uuid}", scope(account, region)).into_bytes()
}

fn name_key(account: &str, region: &str, name: &str) -> Vec<u8> {
    format!("{}{name}", scope(account, region)).into_bytes()
}

fn event_key(stack: &Stack, seq: u64) -> Vec<u8> {
    let mut key = format!("{}{}/", scope(&stack.account, &stack.region), stack.uuid).into_bytes();
    key.extend_from_slice(&seq.to_be_bytes());
    key
}

fn export_key(account: &str, region: &str, name: &str) -> Vec<u8> {
    format!("{}{name}", scope(account, region)).into_bytes()
}

impl CloudFormation {
    /// Records a new stack under its name, with its first events and the job that runs its
    /// operation (`then`, in the same write). Fails if a live stack has the name.
    pub async fn create_stack(
        &self,
        stack: Stack,
        events: Vec<Event>,
        then: RecordJob,
    ) -> Result<Stack> {
        self.store
            .write(move |txn| {
                let name = name_key(&stack.account, &stack.region, &stack.name);
                if txn.get(NAMES, &name)?.is_some() {
                    return Err(CfnError::NameInUse);
                }
                txn.put(NAMES, name, stack.uuid.as_bytes().to_vec());
                let stack = write_stack(txn, stack, events)?;
                then(txn)?;
                Ok(stack)
            })
            .await
    }

    /// Saves an operation's progress: the stack with new events, and its exports as its
    /// outputs name them. What API calls change beside a running operation (termination
    /// protection, change sets) is kept as stored, and events never reuse a sequence number.
    /// Fails with [`CfnError::ExportInUse`] if another stack exports one of the names.
    pub async fn save_stack(&self, mut stack: Stack, events: Vec<Event>) -> Result<Stack> {
        self.store
            .write(move |txn| {
                if let Some(stored) = stored(txn, &stack)? {
                    stack.termination_protection = stored.termination_protection;
                    stack.change_sets = stored.change_sets;
                }
                write_stack(txn, stack, events)
            })
            .await
    }

    /// An API call's change to the stack as stored (`edit` returns the events it adds, or
    /// why the call is refused, judged on the stack as stored), in one write, so it neither
    /// loses nor undoes an operation's progress saved meanwhile.
    pub async fn edit_stack<F, E>(&self, stack: &Stack, edit: F) -> Result<Stack, E>
    where
        F: FnOnce(&mut Stack) -> Result<Vec<Event>, E> + Send + 'static,
        E: From<CfnError> + From<strata_storage::StorageError> + Send + 'static,
    {
        let key = stack_key(&stack.account, &stack.region, &stack.uuid);
        self.store
            .write(move |txn| {
                let mut stack: Stack = match txn.get(STACKS, &key)? {
                    Some(bytes) => decode(&bytes)?,
                    None => return Err(CfnError::NoSuchStack.into()),
                };
                let events = edit(&mut stack)?;
                Ok(write_stack(txn, stack, events)?)
            })
            .await
    }

    /// Saves the stack an API call starts an operation on, with its events, recording the job
    /// that runs the operation in the same write. Refused with [`CfnError::InProgress`] when the stored stack already has an operation
    /// running (two calls racing), so one stack never has two jobs, and with
    /// [`CfnError::Changed`] when it was written since `stack` was read, so a stale copy never
    /// overwrites another operation's work.
    pub async fn start_operation(
        &self,
        stack: Stack,
        events: Vec<Event>,
        then: RecordJob,
    ) -> Result<Stack> {
        self.store
            .write(move |txn| {
                if let Some(stored) = stored(txn, &stack)? {
                    if stored.status.in_progress() {
                        return Err(CfnError::InProgress(stored.status.as_str()));
                    }
                    if stored.revision != stack.revision {
                        return Err(CfnError::Changed(stored.status.as_str()));
                    }
                }
                let stack = write_stack(txn, stack, events)?;
                then(txn)?;
                Ok(stack)
            })
            .await
    }

    /// The live stack named `name`, or any stack (deleted too) by its id.
    pub fn stack(&self, account: &str, region: &str, name_or_id: &str) -> Result<Option<Stack>> {
        let uuid = match name_or_id.strip_prefix("arn:") {
            Some(_) => {
                let prefix = format!("arn:aws:cloudformation:{region}:{account}:stack/");
                match name_or_id
                    .strip_prefix(&prefix)
                    .and_then(|rest| rest.split_once('/'))
                {
                    Some((_, uuid)) => uuid.to_owned(),
                    None => return Ok(None),
                }
            }
            None => match self
                .store
                .get(NAMES, &name_key(account, region, name_or_id))?
            {
                Some(uuid) => String::from_utf8_lossy(&uuid).into_owned(),
                None => return Ok(None),
            },
        };
        match self.store.get(STACKS, &stack_key(account, region, &uuid))? {
            Some(bytes) => decode(&bytes).map(Some),
            None => Ok(None),
        }
    }

    /// Every stack of the account and region, deleted ones too, newest first.
    pub fn stacks(&self, account: &str, region: &str) -> Result<Vec<Stack>> {
        let mut out: Vec<Stack> = Vec::new();
        for entry in self
            .store
            .prefix(STACKS, scope(account, region).as_bytes())?
        {
            out.push(decode(&entry?.1)?);
        }
        out.sort_by_key(|s| std::cmp::Reverse(s.creation_millis));
        Ok(out)
    }

    /// A stack's events, newest first.
    pub fn events(&self, stack: &Stack) -> Result<Vec<Event>> {
        let prefix = format!("{}{}/", scope(&stack.account, &stack.region), stack.uuid);
        let mut out: Vec<Event> = Vec::new();
        for entry in self.store.prefix(EVENTS, prefix.as_bytes())? {
            out.push(decode(&entry?.1)?);
        }
        out.reverse();
        Ok(out)
    }

    /// The exports of an account and region, by name.
    pub fn exports(&self, account: &str, region: &str) -> Result<Vec<Export>> {
        let mut out = Vec::new();
        for entry in self
            .store
            .prefix(EXPORTS, scope(account, region).as_bytes())?
        {
            out.push(decode(&entry?.1)?);
        }
        Ok(out)
    }

    /// One export.
    pub fn export(&self, account: &str, region: &str, name: &str) -> Result<Option<Export>> {
        match self
            .store
            .get(EXPORTS, &export_key(account, region, name))?
        {
            Some(bytes) => decode(&bytes).map(Some),
            None => Ok(None),
        }
    }
}

/// Writes `stack` and `events`, frees its name once it is deleted, and makes the exports
/// match its outputs.
/// The stack as stored, if it is.
fn stored(txn: &mut strata_storage::WriteTxn, stack: &Stack) -> Result<Option<Stack>> {
    let key = stack_key(&stack.account, &stack.region, &stack.uuid);
    txn.get(STACKS, &key)?
        .map(|bytes| decode(&bytes))
        .transpose()
}

fn write_stack(
    txn: &mut strata_storage::WriteTxn,
    mut stack: Stack,
    events: Vec<Event>,
) -> Result<Stack> {
    // Whatever copy is saved, the stored counters only move forward.
    if let Some(stored) = stored(txn, &stack)? {
        stack.revision = stored.revision;
        stack.next_event = stack.next_event.max(stored.next_event);
        stack.last_event_millis = stack.last_event_millis.max(stored.last_event_millis);
    }
    stack.revision += 1;
    for mut event in events {
        if event.client_request_token.is_none() {
            event.client_request_token = stack.client_request_token.clone();
        }
        if event.timestamp_millis <= stack.last_event_millis {
            event.timestamp_millis = stack.last_event_millis + 1;
            if event.resource_type != STACK_TYPE {
                event.event_id =
                    Event::resource_id(&event.logical_id, &event.status, event.timestamp_millis);
            }
        }
        stack.last_event_millis = event.timestamp_millis;
        txn.put(EVENTS, event_key(&stack, stack.next_event), encode(&event)?);
        stack.next_event += 1;
    }
    let exported: BTreeMap<&str, &str> = if stack.status == StackStatus::DeleteComplete {
        BTreeMap::new()
    } else {
        stack
            .outputs
            .iter()
            .filter_map(|o| o.export_name.as_deref().map(|n| (n, o.value.as_str())))
            .collect()
    };
    let prefix = scope(&stack.account, &stack.region);
    for key in txn.prefix_keys(EXPORTS, prefix.as_bytes())? {
        let Some(bytes) = txn.get(EXPORTS, &key)? else {
            continue;
        };
        let export: Export = decode(&bytes)?;
        if export.stack_id == stack.stack_id && !exported.contains_key(export.name.as_str()) {
            txn.delete(EXPORTS, key);
        }
    }
    for (name, value) in exported {
        let key = export_key(&stack.account, &stack.region, name);
        if let Some(bytes) = txn.get(EXPORTS, &key)? {
            let other: Export = decode(&bytes)?;
            if other.stack_id != stack.stack_id {
                return Err(CfnError::ExportInUse {
                    name: name.to_owned(),
                    stack_name: other.stack_name,
                });
            }
        }
        let export = Export {
            name: name.to_owned(),
            value: value.to_owned(),
            stack_id: stack.stack_id.clone(),
            stack_name: stack.name.clone(),
        };
        txn.put(EXPORTS, key, encode(&export)?);
    }
    if stack.status == StackStatus::DeleteComplete {
        let name = name_key(&stack.account, &stack.region, &stack.name);
        if txn.get(NAMES, &name)?.as_deref() == Some(stack.uuid.as_bytes()) {
            txn.delete(NAMES, name);
        }
    }
    txn.put(
        STACKS,
        stack_key(&stack.account, &stack.region, &stack.uuid),
        encode(&stack)?,
    );
    Ok(stack)
}
