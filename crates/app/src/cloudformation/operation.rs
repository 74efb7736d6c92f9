//! A stack operation, run by the job runner until it ends as AWS would show it (spec
//! cloudformation §2.5): a create walks the resources in dependency order and either
//! completes or rolls back (deleting what it made, newest first); a delete removes every
//! resource but the retained ones, newest first.
//!
//! Every resource is created and deleted through the application layer, as the stack's
//! caller, so each step is authorized as the API call would be (spec §6); a refusal fails
//! the resource with the handler's message. Each step is saved with its events before the
//! next begins; after a crash the job starts again from the record: a resource found
//! `CREATE_IN_PROGRESS` may or may not exist, so the create fails and rolls back, and the
//! rollback's deletes tolerate what is already gone.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;
use strata_cfn_template::intrinsic::{self, Pseudo, Resources, Scope};
use strata_cfn_template::{Template, TemplateError, conditions, graph};
use strata_cloudformation::{Event, Stack, StackOutput, StackResource, StackStatus};

use super::error::{Error, Result};
use super::resources::{self, Created, Provision};
use crate::authz::ResourcePolicy;
use crate::jobs::Stop;
use crate::{App, Caller};

/// Callers may pass a service role only with `iam:PassRole` on it (spec §6).
pub fn check_pass_role(app: &App, caller: &Caller, role_arn: &str) -> Result<()> {
    let account = role_arn.split(':').nth(4).unwrap_or_default();
    crate::authz::authorize_target(
        app,
        caller,
        crate::authz::Target {
            action: "iam:PassRole",
            resource: role_arn,
            resource_account: account,
            resource_policy: None,
            context: vec![(
                "iam:PassedToService".into(),
                vec!["cloudformation.amazonaws.com".to_owned()],
            )],
            denial: crate::authz::Denial::Standard,
        },
    )
    .map_err(Into::into)
}

/// What a stack's resources resolve to while an operation runs.
pub(super) struct Made<'a> {
    pub app: &'a App,
    pub stack: &'a Stack,
}

impl Resources for Made<'_> {
    fn reference(&self, logical_id: &str) -> Option<Value> {
        self.stack
            .resources
            .get(logical_id)
            .and_then(|r| r.reference.clone())
    }

    fn attribute(&self, logical_id: &str, attribute: &str) -> Result<Value, TemplateError> {
        let resource = self.stack.resources.get(logical_id);
        resource
            .and_then(|r| r.attributes.get(attribute).cloned())
            .ok_or_else(|| {
                TemplateError::new(format!(
                    "Template error: resource {logical_id} does not support attribute type {attribute} in Fn::GetAtt"
                ))
            })
    }

    fn export(&self, name: &str) -> Option<String> {
        self.app
            .cloudformation
            .export(&self.stack.account, &self.stack.region, name)
            .ok()
            .flatten()
            .map(|e| e.value)
    }
}

/// The template of a stack and what its parameters make of it.
pub(super) struct Plan {
    pub template: Template,
    pub pseudo: Pseudo,
    pub conditions: BTreeMap<String, bool>,
    /// The resources whose condition holds, in creation order.
    pub order: Vec<String>,
}

pub(super) fn plan(stack: &Stack) -> std::result::Result<Plan, TemplateError> {
    let template = Template::from_text(&stack.template_body)?;
    let pseudo = Pseudo {
        account_id: stack.account.clone(),
        region: stack.region.clone(),
        stack_name: stack.name.clone(),
        stack_id: stack.stack_id.clone(),
        notification_arns: stack.notification_arns.clone(),
    };
    let conditions = conditions::evaluate(&template, &stack.parameters, &pseudo)?;
    let included: BTreeSet<String> = template
        .resources
        .iter()
        .filter(|(_, r)| {
            r.condition
                .as_ref()
                .is_none_or(|c| conditions.get(c) == Some(&true))
        })
        .map(|(name, _)| name.clone())
        .collect();
    let order = graph::creation_order(&template, &included)?;
    Ok(Plan {
        template,
        pseudo,
        conditions,
        order,
    })
}

/// Refuses an `Fn::GetAtt` of an attribute its resource's type does not have, before any
/// resource is made, as CloudFormation does (LocalStack's AWS-recorded
/// test_invalid_getatt_fails).
pub(super) fn check_attributes(plan: &Plan) -> std::result::Result<(), String> {
    for get_att in graph::get_atts(&plan.template) {
        let Some(resource) = plan.template.resources.get(&get_att.resource) else {
            continue;
        };
        let Some(known) = resources::attributes(&resource.resource_type) else {
            continue;
        };
        if !known.contains(&get_att.attribute.as_str()) {
            return Err(format!(
                "[Error] {}: Resource type {} does not support attribute {{{}}}.",
                get_att.path, resource.resource_type, get_att.attribute
            ));
        }
    }
    Ok(())
}

/// A resource's properties resolved against the stack as it stands.
pub(super) fn resolve(
    app: &App,
    stack: &Stack,
    plan: &Plan,
    logical_id: &str,
) -> std::result::Result<Value, String> {
    let resource = &plan.template.resources[logical_id];
    in_scope(app, stack, plan, |scope| {
        intrinsic::evaluate(scope, &resource.properties)
    })
    .map(|p| p.unwrap_or_else(|| Value::Object(Default::default())))
    .map(|p| with_stack_tags(p, &resource.resource_type, stack))
    .map_err(|e| e.0)
}

/// The stack's tags added to a resource's own, for the types CloudFormation propagates them
/// to ([`resources::taggable`]); a key the resource sets itself keeps its value.
fn with_stack_tags(mut properties: Value, resource_type: &str, stack: &Stack) -> Value {
    if stack.tags.is_empty() || !resources::taggable(resource_type) {
        return properties;
    }
    let Some(map) = properties.as_object_mut() else {
        return properties;
    };
    let tags = map
        .entry("Tags")
        .or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Array(tags) = tags {
        for tag in &stack.tags {
            let own = tags
                .iter()
                .any(|t| t.get("Key").and_then(Value::as_str) == Some(tag.key.as_str()));
            if !own {
                tags.push(serde_json::json!({ "Key": tag.key, "Value": tag.value }));
            }
        }
    }
    properties
}

/// The resource's `Metadata` resolved against the stack as it stands, if it has any.
pub(super) fn resolved_metadata(app: &App, stack: &Stack, logical_id: &str) -> Option<Value> {
    let plan = plan(stack).ok()?;
    let metadata = plan.template.resources.get(logical_id)?.metadata.as_ref()?;
    in_scope(app, stack, &plan, |scope| {
        intrinsic::evaluate(scope, metadata)
    })
    .ok()
    .flatten()
}

/// Runs `f` with what `plan`'s functions resolve against: the stack as it stands.
fn in_scope<T>(app: &App, stack: &Stack, plan: &Plan, f: impl FnOnce(&Scope<'_>) -> T) -> T {
    let made = Made { app, stack };
    f(&Scope {
        template: &plan.template,
        parameters: &stack.parameters,
        pseudo: &plan.pseudo,
        conditions: &plan.conditions,
        resources: &made,
    })
}

/// The stack's outputs under `plan`, resolved against the stack as it stands.
pub(super) fn resolved_outputs(
    app: &App,
    stack: &Stack,
    plan: &Plan,
) -> std::result::Result<Vec<StackOutput>, String> {
    in_scope(app, stack, plan, |scope| outputs(plan, scope))
}

/// Runs the operation the stack's status says is in progress.
pub async fn run(
    app: &App,
    caller: &Caller,
    account: &str,
    region: &str,
    stack_id: &str,
) -> Result<(), Stop> {
    let Some(stack) = app
        .cloudformation
        .stack(account, region, stack_id)
        .map_err(|e| Stop::Broken(e.to_string()))?
    else {
        return Ok(());
    };
    let outcome = match stack.status {
        StackStatus::CreateInProgress => create(app, caller, stack).await,
        StackStatus::RollbackInProgress => rollback(app, caller, stack).await,
        StackStatus::DeleteInProgress => delete(app, caller, stack).await,
        StackStatus::UpdateInProgress => super::update::update(app, caller, stack).await,
        StackStatus::UpdateCompleteCleanupInProgress => {
            super::update::cleanup(app, caller, stack).await
        }
        StackStatus::UpdateRollbackInProgress
        | StackStatus::UpdateRollbackCompleteCleanupInProgress => {
            super::update::rollback(app, caller, stack).await
        }
        _ => Ok(()),
    };
    outcome.map_err(|e| match e {
        Error::Unavailable(why) => Stop::Unavailable(why),
        other => Stop::Broken(other.to_string()),
    })
}

/// The session CloudFormation uses for the stack's resource calls: in the stack's service
/// role when it has one (for this and every later operation, spec §6), else the caller's,
/// through CloudFormation (which calls the services over TLS).
pub(super) fn acting(
    app: &App,
    caller: &Caller,
    stack: &Stack,
) -> std::result::Result<Caller, String> {
    match &stack.role_arn {
        Some(role_arn) => service_role_session(app, role_arn, &stack.account, &stack.region),
        None => Ok(caller.through_aws_service()),
    }
}

/// CloudFormation's session in `role_arn` (`…:assumed-role/<RoleName>/AWSCloudFormation`):
/// the role's trust policy must let `cloudformation.amazonaws.com` assume it, else
/// `Role <arn> is invalid or cannot be assumed` (LocalStack's AWS-recorded
/// `test_update_with_role_without_permissions`).
pub fn service_role_session(
    app: &App,
    role_arn: &str,
    stack_account: &str,
    region: &str,
) -> std::result::Result<Caller, String> {
    let invalid = || format!("Role {role_arn} is invalid or cannot be assumed");
    let (account, name) = crate::iam::sts::parse_role_arn(role_arn).ok_or_else(invalid)?;
    // A stack's service role is one of its own account's roles.
    if account.as_str() != stack_account {
        return Err(invalid());
    }
    let role = app
        .iam
        .find_role(&account, name)
        .ok()
        .flatten()
        .ok_or_else(invalid)?;
    let trust = role.trust_policy().map_err(|_| invalid())?;
    let label = format!("role {} trust policy", role.role_name);
    let trusted = crate::authz::service_allowed(
        "cloudformation.amazonaws.com",
        "sts:AssumeRole",
        &role.arn(),
        account.as_str(),
        ResourcePolicy {
            label: &label,
            document: &trust,
            required: true,
        },
    );
    if !trusted {
        return Err(invalid());
    }
    Ok(Caller {
        principal: strata_iam::Principal::AssumedRole {
            account,
            role_path: role.path.clone(),
            role_name: role.role_name.clone(),
            role_id: role.role_id.clone(),
            session_name: "AWSCloudFormation".to_owned(),
            session_policy: None,
        },
        session: true,
        source_ip: None,
        access_key_id: String::new(),
        region: region.to_owned(),
        service: "cloudformation".to_owned(),
        secure_transport: true,
    })
}

pub(super) fn resource_event(
    logical_id: &str,
    resource_type: &str,
    physical_id: &str,
    status: &str,
    reason: Option<String>,
    properties: Option<&Value>,
    now: i64,
) -> Event {
    Event {
        event_id: Event::resource_id(logical_id, status, now),
        logical_id: logical_id.to_owned(),
        physical_id: physical_id.to_owned(),
        resource_type: resource_type.to_owned(),
        timestamp_millis: now,
        status: status.to_owned(),
        reason,
        properties: properties.map(Value::to_string),
        client_request_token: None,
    }
}

/// The events of one resource with `properties`: (physical id, status, reason, time) → event.
pub(super) fn events_of<'a>(
    logical_id: &'a str,
    resource_type: &'a str,
    properties: &'a Value,
) -> impl Fn(&str, &str, Option<String>, i64) -> Event + 'a {
    move |physical, status, reason, now| {
        resource_event(
            logical_id,
            resource_type,
            physical,
            status,
            reason,
            Some(properties),
            now,
        )
    }
}

/// Sets `entry` to what a handler made.
pub(super) fn made(entry: &mut StackResource, created: Created, status: &str, now: i64) {
    entry.physical_id = Some(created.physical_id);
    entry.reference = Some(created.reference);
    entry.attributes = created.attributes;
    entry.status = status.to_owned();
    entry.status_reason = None;
    entry.updated_millis = now;
}

/// Creates the resource `logical_id` new to the stack, as `acting`: recorded
/// `CREATE_IN_PROGRESS` with its planned name before the call (a create cut short is found by
/// it), then `CREATE_COMPLETE` or `CREATE_FAILED`. Returns the stack as saved, and why the
/// create was refused. A failed create keeps its planned name: should the handler's own
/// cleanup have failed, the rollback deletes what it made (only if made since it began).
pub(super) async fn create_one(
    app: &App,
    acting: &Caller,
    mut stack: Stack,
    logical_id: &str,
    resource_type: &str,
    properties: &Value,
) -> Result<(Stack, Option<String>)> {
    let event = events_of(logical_id, resource_type, properties);
    let now = app.cloudformation.now_millis();
    let planned = resources::planned_name(resource_type, properties, &stack, logical_id);
    stack.resources.insert(
        logical_id.to_owned(),
        StackResource::planned(
            logical_id,
            resource_type,
            planned.clone(),
            properties.clone(),
            now,
        ),
    );
    stack = save(app, stack, vec![event("", "CREATE_IN_PROGRESS", None, now)]).await?;
    let provision = Provision {
        app,
        caller: acting,
        stack: &stack,
        logical_id,
        name: planned.as_deref(),
    };
    let outcome = resources::create(&provision, resource_type, properties).await;
    let now = app.cloudformation.now_millis();
    let entry = stack.resources.get_mut(logical_id).expect("inserted above");
    let (events, refused) = match outcome {
        Ok(created) => {
            let physical = created.physical_id.clone();
            made(entry, created, "CREATE_COMPLETE", now);
            let initiated = Some("Resource creation Initiated".to_owned());
            (
                vec![
                    event(&physical, "CREATE_IN_PROGRESS", initiated, now),
                    event(&physical, "CREATE_COMPLETE", None, now),
                ],
                None,
            )
        }
        Err(reason) => {
            entry.status = "CREATE_FAILED".to_owned();
            entry.status_reason = Some(reason.clone());
            (
                vec![event("", "CREATE_FAILED", Some(reason.clone()), now)],
                Some(reason),
            )
        }
    };
    Ok((save(app, stack, events).await?, refused))
}

pub(super) async fn save(app: &App, stack: Stack, events: Vec<Event>) -> Result<Stack> {
    Ok(app.cloudformation.save_stack(stack, events).await?)
}

async fn create(app: &App, caller: &Caller, mut stack: Stack) -> Result<()> {
    let acting = match acting(app, caller, &stack) {
        Ok(acting) => acting,
        Err(reason) => {
            return fail_create(app, caller, stack, Vec::new(), reason).await;
        }
    };
    let plan = match plan(&stack) {
        Ok(plan) => plan,
        Err(e) => return fail_create(app, caller, stack, Vec::new(), e.0).await,
    };
    if let Err(reason) = check_attributes(&plan) {
        return fail_create(app, caller, stack, Vec::new(), reason).await;
    }
    for logical_id in &plan.order {
        let resource = &plan.template.resources[logical_id];
        match stack.resources.get(logical_id).map(|r| r.status.as_str()) {
            Some("CREATE_COMPLETE") => continue,
            Some(_) => {
                // Cut short by a crash: it may exist or not; the rollback deletes it by the
                // name recorded before the call.
                let reason = "Resource creation cancelled".to_owned();
                let now = app.cloudformation.now_millis();
                if let Some(entry) = stack.resources.get_mut(logical_id) {
                    entry.status = "CREATE_FAILED".to_owned();
                    entry.status_reason = Some(reason.clone());
                }
                let event = resource_event(
                    logical_id,
                    &resource.resource_type,
                    "",
                    "CREATE_FAILED",
                    Some(reason.clone()),
                    None,
                    now,
                );
                stack = save(app, stack, vec![event]).await?;
                return fail_create(app, caller, stack, vec![logical_id.clone()], reason).await;
            }
            None => {}
        }
        // A template error met while resolving (a missing export, a bad attribute) fails
        // the stack itself, before the resource starts (spec §2.5).
        let properties = match resolve(app, &stack, &plan, logical_id) {
            Ok(p) => p,
            Err(reason) => {
                return fail_create(app, caller, stack, Vec::new(), reason).await;
            }
        };
        let (saved, refused) = create_one(
            app,
            &acting,
            stack,
            logical_id,
            &resource.resource_type,
            &properties,
        )
        .await?;
        stack = saved;
        if let Some(reason) = refused {
            return fail_create(app, caller, stack, vec![logical_id.clone()], reason).await;
        }
    }
    // Outputs, and the exports and imports they bring.
    let outputs = resolved_outputs(app, &stack, &plan);
    let outputs = match outputs {
        Ok(outputs) => outputs,
        Err(reason) => return fail_create(app, caller, stack, Vec::new(), reason).await,
    };
    stack.outputs = outputs;
    stack.imports = imports(app, &stack, &plan);
    stack.status = StackStatus::CreateComplete;
    stack.status_reason = None;
    let now = app.cloudformation.now_millis();
    let done = stack.event(StackStatus::CreateComplete, None, now);
    let complete = Stack {
        delete_on_failure: false,
        ..stack.clone()
    };
    match app.cloudformation.save_stack(complete, vec![done]).await {
        Ok(_) => Ok(()),
        Err(strata_cloudformation::CfnError::ExportInUse { name, stack_name }) => {
            stack.outputs.clear();
            stack.status = StackStatus::CreateInProgress;
            let reason =
                format!("Export with name {name} is already exported by stack {stack_name}");
            fail_create(app, caller, stack, Vec::new(), reason).await
        }
        Err(e) => Err(e.into()),
    }
}

/// The outputs whose condition holds, resolved; an error is the stack's failure reason.
pub(super) fn outputs(
    plan: &Plan,
    scope: &Scope<'_>,
) -> std::result::Result<Vec<StackOutput>, String> {
    let mut out = Vec::new();
    for (key, output) in &plan.template.outputs {
        if output
            .condition
            .as_ref()
            .is_some_and(|c| plan.conditions.get(c) != Some(&true))
        {
            continue;
        }
        let text = |v: Option<Value>| match v {
            Some(Value::String(s)) => s,
            Some(Value::Array(items)) => items
                .iter()
                .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
                .collect::<Vec<_>>()
                .join(","),
            Some(other) => other.to_string(),
            None => String::new(),
        };
        let value = intrinsic::evaluate(scope, &output.value)
            .map_err(|e| format!("[Error] /Outputs/{key}/Value: {}", e.0))?;
        let export_name = match &output.export_name {
            Some(name) => {
                Some(text(intrinsic::evaluate(scope, name).map_err(|e| {
                    format!("[Error] /Outputs/{key}/Export/Name: {}", e.0)
                })?))
            }
            None => None,
        };
        out.push(StackOutput {
            key: key.clone(),
            value: text(value),
            description: output.description.clone(),
            export_name,
        });
    }
    Ok(out)
}

/// The export names the stack imports: every `Fn::ImportValue` actually resolved in the
/// resources whose condition holds and the outputs (an untaken `Fn::If` branch imports
/// nothing), computed names (`!Sub`, a parameter) included.
pub(super) fn imports(app: &App, stack: &Stack, plan: &Plan) -> Vec<String> {
    /// The stack's resources, noting each export looked up.
    struct Recording<'a> {
        made: Made<'a>,
        names: std::cell::RefCell<Vec<String>>,
    }
    impl Resources for Recording<'_> {
        fn reference(&self, logical_id: &str) -> Option<Value> {
            self.made.reference(logical_id)
        }
        fn attribute(&self, logical_id: &str, attribute: &str) -> Result<Value, TemplateError> {
            self.made.attribute(logical_id, attribute)
        }
        fn export(&self, name: &str) -> Option<String> {
            self.names.borrow_mut().push(name.to_owned());
            self.made.export(name)
        }
    }
    let recording = Recording {
        made: Made { app, stack },
        names: Default::default(),
    };
    let scope = Scope {
        template: &plan.template,
        parameters: &stack.parameters,
        pseudo: &plan.pseudo,
        conditions: &plan.conditions,
        resources: &recording,
    };
    for logical_id in &plan.order {
        let _ = intrinsic::evaluate(&scope, &plan.template.resources[logical_id].properties);
    }
    let _ = outputs(plan, &scope);
    let mut names = recording.names.into_inner();
    names.sort();
    names.dedup();
    names
}

/// A create that cannot go on: rolled back (or left CREATE_FAILED with DisableRollback).
async fn fail_create(
    app: &App,
    caller: &Caller,
    mut stack: Stack,
    failed: Vec<String>,
    reason: String,
) -> Result<()> {
    let now = app.cloudformation.now_millis();
    let reason = if failed.is_empty() {
        reason
    } else {
        format!(
            "The following resource(s) failed to create: [{}]. ",
            failed.join(", ")
        )
    };
    if stack.disable_rollback {
        stack.status = StackStatus::CreateFailed;
        stack.status_reason = Some(reason.clone());
        let event = stack.event(StackStatus::CreateFailed, Some(reason), now);
        save(app, stack, vec![event]).await?;
        return Ok(());
    }
    if stack.delete_on_failure {
        let reason = then(&reason, "Delete requested by user.");
        stack.status = StackStatus::DeleteInProgress;
        stack.status_reason = Some(reason.clone());
        let event = stack.event(StackStatus::DeleteInProgress, Some(reason), now);
        let stack = save(app, stack, vec![event]).await?;
        return delete(app, caller, stack).await;
    }
    let reason = then(&reason, "Rollback requested by user.");
    stack.status = StackStatus::RollbackInProgress;
    stack.status_reason = Some(reason.clone());
    let event = stack.event(StackStatus::RollbackInProgress, Some(reason), now);
    let stack = save(app, stack, vec![event]).await?;
    rollback(app, caller, stack).await
}

/// The stack's resources that exist, newest first (the reverse of creation order).
/// Those the template no longer declares (an update dropped them) come first.
pub(super) fn deletion_order(stack: &Stack) -> Vec<String> {
    let Ok(template) = Template::from_text(&stack.template_body) else {
        return stack.resources.keys().rev().cloned().collect();
    };
    let (declared, dropped): (BTreeSet<String>, Vec<String>) = {
        let (declared, dropped): (Vec<String>, Vec<String>) = stack
            .resources
            .keys()
            .cloned()
            .partition(|k| template.resources.contains_key(k));
        (declared.into_iter().collect(), dropped)
    };
    let order = graph::creation_order(&template, &declared)
        .unwrap_or_else(|_| declared.iter().cloned().collect());
    dropped.into_iter().chain(order.into_iter().rev()).collect()
}

/// The resource to delete: as created, or, for a create cut short, as it was to be named
/// (deleting what may not exist is not an error).
pub(super) fn deletable(resource: &StackResource) -> Option<StackResource> {
    let id = resource
        .physical_id
        .clone()
        .or_else(|| resource.intended_physical_id.clone())?;
    Some(StackResource {
        physical_id: Some(id),
        ..resource.clone()
    })
}

/// Deletes one resource as `acting` (or skips a retained one): `DELETE_IN_PROGRESS` saved
/// before the call, then `DELETE_COMPLETE` or `DELETE_FAILED` (`DELETE_SKIPPED` alone when
/// retained), the stack's entry for it (if it still names it) set to match. Returns the
/// stack as saved, and why the delete was refused.
pub(super) async fn delete_one(
    app: &App,
    acting: std::result::Result<&Caller, &str>,
    mut stack: Stack,
    resource: &StackResource,
    retained: bool,
) -> Result<(Stack, Option<String>)> {
    let target = deletable(resource);
    let physical = target
        .as_ref()
        .and_then(|t| t.physical_id.clone())
        .unwrap_or_default();
    let (id, kind) = (
        resource.logical_id.as_str(),
        resource.resource_type.as_str(),
    );
    let mut events = Vec::new();
    let outcome = if retained {
        Ok(())
    } else {
        let now = app.cloudformation.now_millis();
        let started = resource_event(
            id,
            kind,
            &physical,
            "DELETE_IN_PROGRESS",
            None,
            Some(&resource.properties),
            now,
        );
        stack = save(app, stack, vec![started]).await?;
        // A create cut short by a crash names its resource by the planned name only: it is
        // deleted only if it was made since that create began (else it is someone else's).
        let unproven = resource.physical_id.is_none()
            && target
                .as_ref()
                .is_some_and(|t| !resources::made_since(app, &stack, t, resource.updated_millis));
        match (&target, acting) {
            (None, _) => resources::check_delete(resource),
            (Some(_), _) if unproven => Ok(()),
            (Some(target), Ok(acting)) => {
                let provision = Provision {
                    app,
                    caller: acting,
                    stack: &stack,
                    logical_id: id,
                    name: None,
                };
                resources::delete(&provision, target).await
            }
            (Some(_), Err(reason)) => Err(reason.to_owned()),
        }
    };
    let now = app.cloudformation.now_millis();
    let (status, reason) = match (&outcome, retained) {
        (_, true) => ("DELETE_SKIPPED", None),
        (Ok(()), false) => ("DELETE_COMPLETE", None),
        (Err(reason), false) => ("DELETE_FAILED", Some(reason.clone())),
    };
    // Delete events carry the resource's properties as its create events do.
    events.push(resource_event(
        id,
        kind,
        &physical,
        status,
        reason.clone(),
        Some(&resource.properties),
        now,
    ));
    if let Some(entry) = stack.resources.get_mut(id)
        && entry.physical_id == resource.physical_id
    {
        entry.status = status.to_owned();
        entry.status_reason = reason.clone();
        entry.updated_millis = now;
    }
    Ok((save(app, stack, events).await?, reason))
}

/// Why a stack's resources are being deleted, which decides what `DeletionPolicy` keeps
/// (spec §2.7).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Deleting {
    /// DeleteStack: `Retain` and `RetainExceptOnCreate` keep the resource.
    Stack,
    /// The rollback of a failed create: only `Retain` keeps it; `RetainExceptOnCreate`
    /// exists to delete what a failed create made.
    CreateRollback,
}

/// Deletes every resource the stack holds but the retained ones, newest first; returns those
/// that could not be deleted.
async fn delete_resources(
    app: &App,
    caller: &Caller,
    stack: &mut Stack,
    deleting: Deleting,
) -> Result<Vec<String>> {
    // Without its service role the stack cannot delete anything (spec §6).
    let acting = acting(app, caller, stack);
    let retained: BTreeSet<String> = Template::from_text(&stack.template_body)
        .map(|t| {
            t.resources
                .iter()
                .filter(|(_, r)| match deleting {
                    Deleting::Stack => r.retained_on_delete(),
                    Deleting::CreateRollback => r.deletion_policy == "Retain",
                })
                .map(|(k, _)| k.clone())
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
        .into_iter()
        .chain(stack.retain_resources.iter().cloned())
        .collect();
    let mut failed = Vec::new();
    for logical_id in deletion_order(stack) {
        let Some(resource) = stack.resources.get(&logical_id).cloned() else {
            continue;
        };
        if matches!(
            resource.status.as_str(),
            "DELETE_COMPLETE" | "DELETE_SKIPPED"
        ) {
            continue;
        }
        let (saved, refused) = delete_one(
            app,
            acting.as_ref().map_err(String::as_str),
            stack.clone(),
            &resource,
            retained.contains(&logical_id),
        )
        .await?;
        *stack = saved;
        if refused.is_some() {
            failed.push(logical_id);
        }
    }
    Ok(failed)
}

async fn rollback(app: &App, caller: &Caller, mut stack: Stack) -> Result<()> {
    let failed = delete_resources(app, caller, &mut stack, Deleting::CreateRollback).await?;
    let now = app.cloudformation.now_millis();
    let (status, reason) = if failed.is_empty() {
        (StackStatus::RollbackComplete, None)
    } else {
        (
            StackStatus::RollbackFailed,
            Some(format!(
                "The following resource(s) failed to delete: [{}]. ",
                failed.join(", ")
            )),
        )
    };
    stack.status = status;
    stack.status_reason = reason.clone();
    stack.outputs.clear();
    // Failed or not, the rollback deleted the stack's resources (LocalStack's AWS-recorded
    // test_blocked_stack_deletion: ROLLBACK_FAILED carries DeletionTime).
    stack.deletion_millis = Some(now);
    let event = stack.event(status, reason, now);
    save(app, stack, vec![event]).await?;
    Ok(())
}

/// Deletes the stack: on DeleteStack, or after a failed create with `OnFailure=DELETE`,
/// which deletes as a rollback does.
async fn delete(app: &App, caller: &Caller, mut stack: Stack) -> Result<()> {
    let deleting = if stack.delete_on_failure {
        Deleting::CreateRollback
    } else {
        Deleting::Stack
    };
    let failed = delete_resources(app, caller, &mut stack, deleting).await?;
    let now = app.cloudformation.now_millis();
    if failed.is_empty() {
        stack.status = StackStatus::DeleteComplete;
        stack.status_reason = None;
        stack.deletion_millis = Some(now);
        stack.outputs.clear();
        let event = stack.event(StackStatus::DeleteComplete, None, now);
        save(app, stack, vec![event]).await?;
    } else {
        let reason = format!(
            "The following resource(s) failed to delete: [{}]. ",
            failed.join(", ")
        );
        stack.status = StackStatus::DeleteFailed;
        stack.status_reason = Some(reason.clone());
        stack.deletion_millis = Some(now);
        let event = stack.event(StackStatus::DeleteFailed, Some(reason), now);
        save(app, stack, vec![event]).await?;
    }
    Ok(())
}

/// `reason` followed by `next` as one sentence after another: `…[X]. Rollback requested by
/// user.`, `Export … by stack S. Rollback requested by user.`
pub(super) fn then(reason: &str, next: &str) -> String {
    let reason = reason.trim_end();
    if reason.is_empty() {
        next.to_owned()
    } else if reason.ends_with('.') {
        format!("{reason} {next}")
    } else {
        format!("{reason}. {next}")
    }
}
