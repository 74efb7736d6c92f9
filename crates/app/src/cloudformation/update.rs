//! A stack update, run by the job runner (spec cloudformation §2.5): the new template's
//! resources in dependency order, each created, updated in place or replaced as its type
//! decides ([`resources::requires_replacement`]); then the cleanup, which deletes what the
//! new template dropped and what was replaced. A failure rolls back to the stack as it was
//! ([`Stack::previous`], kept for the update's whole life): resources the update made are
//! deleted, updated ones set back, replaced ones restored.
//!
//! Each step is saved before the next; a restart runs the phase its status names again,
//! which skips what is already done (a resource whose properties already are the new ones).

use std::collections::BTreeSet;

use strata_cloudformation::{Stack, StackResource, StackStatus};

use super::error::Result;
use super::operation::{
    Plan, acting, check_attributes, create_one, delete_one, deletion_order, events_of, imports,
    made, plan, resolve, resolved_outputs, resource_event, save,
};
use super::resources::{self, Provision};
use crate::{App, Caller};

const REPLACING: &str =
    "Requested update requires the creation of a new physical resource; hence creating one.";

pub async fn update(app: &App, caller: &Caller, mut stack: Stack) -> Result<()> {
    let acting = match acting(app, caller, &stack) {
        Ok(acting) => acting,
        Err(reason) => return fail(app, caller, stack, Vec::new(), format!("{reason}. ")).await,
    };
    let plan = match plan(&stack) {
        Ok(plan) => plan,
        Err(e) => return fail(app, caller, stack, Vec::new(), e.0).await,
    };
    if let Err(reason) = check_attributes(&plan) {
        return fail(app, caller, stack, Vec::new(), reason).await;
    }
    for logical_id in &plan.order {
        let definition = &plan.template.resources[logical_id];
        let resource_type = definition.resource_type.as_str();
        let now = app.cloudformation.now_millis();
        let properties = match resolve(app, &stack, &plan, logical_id) {
            Ok(p) => p,
            Err(reason) => return fail(app, caller, stack, Vec::new(), format!("{reason} ")).await,
        };
        let event = events_of(logical_id, resource_type, &properties);
        let existing = stack
            .resources
            .get(logical_id)
            .filter(|r| r.physical_id.is_some() && r.status != "DELETE_COMPLETE")
            .cloned();
        if stack
            .resources
            .get(logical_id)
            .is_some_and(|r| r.physical_id.is_none() && r.status == "CREATE_IN_PROGRESS")
        {
            // A create this update began, cut short by a crash: the rollback removes it by
            // its recorded name.
            return cancelled(app, caller, stack, logical_id, "CREATE_FAILED").await;
        }
        if stack
            .resources
            .get(logical_id)
            .is_some_and(|r| r.replacement.is_some())
        {
            // A replacement this update began, cut short by a crash: the rollback removes it
            // by its recorded name.
            return cancelled(app, caller, stack, logical_id, "UPDATE_FAILED").await;
        }
        let Some(existing) = existing else {
            // New to the stack: created.
            let (saved, refused) =
                create_one(app, &acting, stack, logical_id, resource_type, &properties).await?;
            stack = saved;
            if let Some(reason) = refused {
                return fail(app, caller, stack, vec![logical_id.clone()], reason).await;
            }
            continue;
        };
        if existing.resource_type == resource_type && existing.properties == properties {
            continue;
        }
        let physical = existing.physical_id.clone().unwrap_or_default();
        let replace = existing.resource_type != resource_type
            || resources::requires_replacement(resource_type, &existing.properties, &properties);
        if replace {
            // A resource the template names keeps its name only by not being replaced.
            if let Some(key) = resources::name_property(resource_type)
                && properties.get(key).is_some()
                && properties.get(key) == existing.properties.get(key)
            {
                let reason = format!(
                    "CloudFormation cannot update a stack when a custom-named resource requires replacing. Rename {physical} and update the stack again."
                );
                let event = event(&physical, "UPDATE_FAILED", Some(reason.clone()), now);
                stack = save(app, stack, vec![event]).await?;
                return fail(app, caller, stack, vec![logical_id.clone()], reason).await;
            }
            let started = event(&physical, "UPDATE_IN_PROGRESS", None, now);
            let planned = resources::planned_name(resource_type, &properties, &stack, logical_id);
            let entry = stack.resources.get_mut(logical_id).expect("existing");
            entry.replacement = Some(Box::new(StackResource::planned(
                logical_id,
                resource_type,
                planned.clone(),
                properties.clone(),
                now,
            )));
            stack = save(app, stack, vec![started]).await?;
            let provision = Provision {
                app,
                caller: &acting,
                stack: &stack,
                logical_id,
                name: planned.as_deref(),
            };
            let outcome = resources::create(&provision, resource_type, &properties).await;
            let now = app.cloudformation.now_millis();
            let entry = stack.resources.get_mut(logical_id).expect("existing");
            entry.replacement = None;
            match outcome {
                Ok(created) => {
                    let new_physical = created.physical_id.clone();
                    stack.replaced.push(existing.clone());
                    let entry = stack.resources.get_mut(logical_id).expect("existing");
                    entry.resource_type = resource_type.to_owned();
                    entry.properties = properties.clone();
                    made(entry, created, "UPDATE_COMPLETE", now);
                    let events = vec![
                        event(
                            &new_physical,
                            "UPDATE_IN_PROGRESS",
                            Some(REPLACING.to_owned()),
                            now,
                        ),
                        event(&new_physical, "UPDATE_COMPLETE", None, now),
                    ];
                    stack = save(app, stack, events).await?;
                }
                Err(reason) => {
                    let event = event(&physical, "UPDATE_FAILED", Some(reason.clone()), now);
                    stack = save(app, stack, vec![event]).await?;
                    return fail(app, caller, stack, vec![logical_id.clone()], reason).await;
                }
            }
            continue;
        }
        let started = event(&physical, "UPDATE_IN_PROGRESS", None, now);
        stack = save(app, stack, vec![started]).await?;
        let provision = Provision {
            app,
            caller: &acting,
            stack: &stack,
            logical_id,
            name: None,
        };
        let outcome = resources::update(&provision, &existing, &properties).await;
        let now = app.cloudformation.now_millis();
        match outcome {
            Ok(updated) => {
                let entry = stack.resources.get_mut(logical_id).expect("existing");
                entry.properties = properties.clone();
                made(entry, updated, "UPDATE_COMPLETE", now);
                let event = event(&physical, "UPDATE_COMPLETE", None, now);
                stack = save(app, stack, vec![event]).await?;
            }
            Err(reason) => {
                // The handler may have applied part of it: the rollback sets back from the
                // properties attempted.
                let entry = stack.resources.get_mut(logical_id).expect("existing");
                entry.properties = properties.clone();
                entry.status = "UPDATE_FAILED".to_owned();
                entry.status_reason = Some(reason.clone());
                let event = event(&physical, "UPDATE_FAILED", Some(reason.clone()), now);
                stack = save(app, stack, vec![event]).await?;
                return fail(app, caller, stack, vec![logical_id.clone()], reason).await;
            }
        }
    }
    let outputs = match resolved_outputs(app, &stack, &plan) {
        Ok(outputs) => outputs,
        Err(reason) => return fail(app, caller, stack, Vec::new(), reason).await,
    };
    if let Some(reason) = exports_changed_in_use(app, &stack, &outputs)? {
        return fail(app, caller, stack, Vec::new(), reason).await;
    }
    stack.outputs = outputs;
    stack.imports = imports(app, &stack, &plan);
    stack.status = StackStatus::UpdateCompleteCleanupInProgress;
    stack.status_reason = None;
    let now = app.cloudformation.now_millis();
    let event = stack.event(StackStatus::UpdateCompleteCleanupInProgress, None, now);
    let stack = match app
        .cloudformation
        .save_stack(stack.clone(), vec![event])
        .await
    {
        Ok(stack) => stack,
        Err(strata_cloudformation::CfnError::ExportInUse { name, stack_name }) => {
            let reason =
                format!("Export with name {name} is already exported by stack {stack_name}");
            // The outputs go back with the stack: the rollback's own save must not meet the
            // same conflict.
            if let Some(previous) = &stack.previous {
                stack.outputs = previous.outputs.clone();
            }
            return fail(app, caller, stack, Vec::new(), reason).await;
        }
        Err(e) => return Err(e.into()),
    };
    cleanup(app, caller, stack).await
}

/// `Export X cannot be updated/deleted as it is in use by S` for an export another stack
/// imports that the new outputs change or drop (spec §4.5).
fn exports_changed_in_use(
    app: &App,
    stack: &Stack,
    outputs: &[strata_cloudformation::StackOutput],
) -> Result<Option<String>> {
    let others = app.cloudformation.stacks(&stack.account, &stack.region)?;
    for old in stack.outputs.iter().filter(|o| o.export_name.is_some()) {
        let name = old.export_name.as_deref().unwrap_or_default();
        let users: Vec<&str> = others
            .iter()
            .filter(|s| s.stack_id != stack.stack_id && s.status != StackStatus::DeleteComplete)
            .filter(|s| s.imports.iter().any(|i| i == name))
            .map(|s| s.name.as_str())
            .collect();
        if users.is_empty() {
            continue;
        }
        let kept = outputs
            .iter()
            .find(|o| o.export_name.as_deref() == Some(name));
        let verb = match kept {
            None => "deleted",
            Some(o) if o.value != old.value => "updated",
            Some(_) => continue,
        };
        return Ok(Some(format!(
            "Export {name} cannot be {verb} as it is in use by {}",
            users.join(" and ")
        )));
    }
    Ok(None)
}

/// Deletes the resources the new template dropped (retained ones only leave the stack) and
/// those the update replaced; then UPDATE_COMPLETE.
pub async fn cleanup(app: &App, caller: &Caller, mut stack: Stack) -> Result<()> {
    // A cleanup and a rollback go on as the caller if the service role is gone, so the
    // stack is never left in progress (UNCONFIRMED what AWS does then).
    let acting = acting(app, caller, &stack).unwrap_or_else(|_| caller.through_aws_service());
    let plan: Option<Plan> = plan(&stack).ok();
    let kept: BTreeSet<String> = plan
        .as_ref()
        .map(|p| p.order.iter().cloned().collect())
        .unwrap_or_default();
    let template = plan.as_ref().map(|p| &p.template);
    let previous = stack.previous.clone();
    for logical_id in deletion_order(&stack) {
        if kept.contains(&logical_id) {
            continue;
        }
        let Some(resource) = stack.resources.get(&logical_id).cloned() else {
            continue;
        };
        let retained = previous
            .as_ref()
            .and_then(|p| strata_cfn_template::Template::from_text(&p.template_body).ok())
            .and_then(|t| {
                t.resources
                    .get(&logical_id)
                    .map(strata_cfn_template::Resource::retained_on_delete)
            })
            .unwrap_or(false);
        // A cleanup failure does not fail the update (AWS reports it and completes).
        let (saved, _) = delete_one(app, Ok(&acting), stack, &resource, retained).await?;
        stack = saved;
        stack.resources.remove(&logical_id);
        stack = save(app, stack, Vec::new()).await?;
    }
    while let Some(old) = stack.replaced.last().cloned() {
        let retains = template
            .and_then(|t| t.resources.get(&old.logical_id))
            .is_some_and(|r| r.update_replace_policy == "Retain");
        let (saved, _) = delete_one(app, Ok(&acting), stack, &old, retains).await?;
        stack = saved;
        stack.replaced.pop();
        stack = save(app, stack, Vec::new()).await?;
    }
    let now = app.cloudformation.now_millis();
    stack.status = StackStatus::UpdateComplete;
    stack.status_reason = None;
    stack.previous = None;
    let event = stack.event(StackStatus::UpdateComplete, None, now);
    save(app, stack, vec![event]).await?;
    Ok(())
}

/// A create or replacement of `logical_id` cut short by a crash: the resource's
/// `CREATE_FAILED` or `UPDATE_FAILED` event, then the update fails.
async fn cancelled(
    app: &App,
    caller: &Caller,
    mut stack: Stack,
    logical_id: &str,
    status: &str,
) -> Result<()> {
    let reason = if status == "CREATE_FAILED" {
        "Resource creation cancelled"
    } else {
        "Resource update cancelled"
    };
    let now = app.cloudformation.now_millis();
    let resource = &stack.resources[logical_id];
    let event = resource_event(
        logical_id,
        &resource.resource_type,
        resource.physical_id.as_deref().unwrap_or_default(),
        status,
        Some(reason.to_owned()),
        None,
        now,
    );
    if let Some(entry) = stack.resources.get_mut(logical_id) {
        entry.status = status.to_owned();
        entry.status_reason = Some(reason.to_owned());
    }
    stack = save(app, stack, vec![event]).await?;
    fail(
        app,
        caller,
        stack,
        vec![logical_id.to_owned()],
        reason.to_owned(),
    )
    .await
}

/// An update that cannot go on: rolled back (spec §2.5).
async fn fail(
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
        // UNCONFIRMED (spec §8.1): the stack reason of a failed update; a resource new to the
        // stack failed to be created, as CloudFormation words it on a failed stack create.
        let created = failed.iter().all(|id| {
            stack
                .resources
                .get(id)
                .is_some_and(|r| r.status == "CREATE_FAILED")
        });
        format!(
            "The following resource(s) failed to {}: [{}]. ",
            if created { "create" } else { "update" },
            failed.join(", ")
        )
    };
    if stack.disable_rollback {
        // DisableRollback: the stack stays UPDATE_FAILED with what the update did (spec §2.5).
        // A replacement cut short is left for the next update's cleanup or rollback.
        let pending: Vec<StackResource> = stack
            .resources
            .values_mut()
            .filter_map(|r| r.replacement.take().map(|b| *b))
            .collect();
        stack.replaced.extend(pending);
        stack.status = StackStatus::UpdateFailed;
        stack.status_reason = Some(reason.clone());
        let event = stack.event(StackStatus::UpdateFailed, Some(reason), now);
        save(app, stack, vec![event]).await?;
        return Ok(());
    }
    stack.status = StackStatus::UpdateRollbackInProgress;
    stack.status_reason = Some(reason.clone());
    let event = stack.event(StackStatus::UpdateRollbackInProgress, Some(reason), now);
    let stack = save(app, stack, vec![event]).await?;
    rollback(app, caller, stack).await
}

/// A resource as it was before the update, which the rollback's update just set back: its
/// status that last step's, as DescribeStackResources shows it.
fn set_back(old: &StackResource, time: i64) -> StackResource {
    StackResource {
        status: "UPDATE_COMPLETE".to_owned(),
        status_reason: None,
        updated_millis: time,
        ..old.clone()
    }
}

/// Back to the stack as it was: what the update made is deleted, what it changed set back,
/// what it replaced restored; then UPDATE_ROLLBACK_COMPLETE (UPDATE_ROLLBACK_FAILED if a
/// step is refused).
pub async fn rollback(app: &App, caller: &Caller, mut stack: Stack) -> Result<()> {
    let acting = acting(app, caller, &stack).unwrap_or_else(|_| caller.through_aws_service());
    let Some(previous) = stack.previous.clone() else {
        // Nothing to roll back to: the update never began.
        stack.status = StackStatus::UpdateRollbackComplete;
        let now = app.cloudformation.now_millis();
        let event = stack.event(StackStatus::UpdateRollbackComplete, None, now);
        save(app, stack, vec![event]).await?;
        return Ok(());
    };
    let mut failed = Vec::new();
    if stack.status == StackStatus::UpdateRollbackInProgress {
        // Set back what the update changed, with the old template. From here `replaced`
        // holds the update's replacements, deleted in the rollback's cleanup.
        let current = stack.clone();
        // `replaced` held what the update replaced, which is set back below; what it holds
        // from here is deleted. Dropping the old copies (not clearing) keeps a re-run after a
        // crash from forgetting replacements already recorded.
        stack.replaced.retain(|r| {
            previous
                .resources
                .get(&r.logical_id)
                .is_none_or(|old| old.physical_id != r.physical_id)
        });
        stack.template_body = previous.template_body.clone();
        stack.parameters = previous.parameters.clone();
        for (logical_id, old) in &previous.resources {
            let Some(now_resource) = current.resources.get(logical_id) else {
                continue;
            };
            let time = app.cloudformation.now_millis();
            let physical = old.physical_id.clone().unwrap_or_default();
            if let Some(replacement) = &now_resource.replacement {
                // A replacement cut short by a crash: removed by its planned name in the
                // cleanup below, if it was made.
                stack.replaced.push((**replacement).clone());
                stack.resources.insert(logical_id.clone(), old.clone());
                stack = save(app, stack, Vec::new()).await?;
                continue;
            }
            if now_resource.physical_id != old.physical_id {
                // Replaced: the old one still exists (cleanup never ran); the new one goes
                // in the cleanup below.
                if now_resource.physical_id.is_some() {
                    stack.replaced.push(now_resource.clone());
                }
                stack
                    .resources
                    .insert(logical_id.clone(), set_back(old, time));
                let event = resource_event(
                    logical_id,
                    &old.resource_type,
                    &physical,
                    "UPDATE_COMPLETE",
                    None,
                    None,
                    time,
                );
                stack = save(app, stack, vec![event]).await?;
                continue;
            }
            if now_resource.properties == old.properties {
                continue;
            }
            let started = resource_event(
                logical_id,
                &old.resource_type,
                &physical,
                "UPDATE_IN_PROGRESS",
                None,
                None,
                time,
            );
            stack = save(app, stack, vec![started]).await?;
            let provision = Provision {
                app,
                caller: &acting,
                stack: &stack,
                logical_id,
                name: None,
            };
            let outcome = resources::restore(&provision, now_resource, &old.properties).await;
            let time = app.cloudformation.now_millis();
            let event = match outcome {
                Ok(_) => {
                    stack
                        .resources
                        .insert(logical_id.clone(), set_back(old, time));
                    resource_event(
                        logical_id,
                        &old.resource_type,
                        &physical,
                        "UPDATE_COMPLETE",
                        None,
                        None,
                        time,
                    )
                }
                Err(reason) => {
                    failed.push(logical_id.clone());
                    resource_event(
                        logical_id,
                        &old.resource_type,
                        &physical,
                        "UPDATE_FAILED",
                        Some(reason),
                        None,
                        time,
                    )
                }
            };
            stack = save(app, stack, vec![event]).await?;
        }
        let status = StackStatus::UpdateRollbackCompleteCleanupInProgress;
        stack.status = status;
        stack.status_reason = None;
        let time = app.cloudformation.now_millis();
        let event = stack.event(status, None, time);
        stack = save(app, stack, vec![event]).await?;
    }
    // Cleanup: the resources the update created, and the replacements it made.
    let made: Vec<String> = deletion_order(&stack)
        .into_iter()
        .filter(|l| !previous.resources.contains_key(l))
        .collect();
    let doomed: Vec<StackResource> = made
        .iter()
        .filter_map(|l| stack.resources.get(l).cloned())
        .collect();
    for resource in doomed {
        let (saved, refused) = delete_one(app, Ok(&acting), stack, &resource, false).await?;
        stack = saved;
        if refused.is_some() {
            failed.push(resource.logical_id.clone());
        }
        stack.resources.remove(&resource.logical_id);
        stack = save(app, stack, Vec::new()).await?;
    }
    // Each replacement leaves `replaced` only once deleted, so a crash forgets none.
    while let Some(resource) = stack.replaced.last().cloned() {
        let (saved, refused) = delete_one(app, Ok(&acting), stack, &resource, false).await?;
        stack = saved;
        if refused.is_some() {
            failed.push(resource.logical_id.clone());
        }
        stack.replaced.pop();
        stack = save(app, stack, Vec::new()).await?;
    }
    let time = app.cloudformation.now_millis();
    stack.template_body = previous.template_body.clone();
    stack.parameters = previous.parameters.clone();
    stack.no_echo = previous.no_echo.clone();
    stack.capabilities = previous.capabilities.clone();
    stack.description = previous.description.clone();
    stack.outputs = previous.outputs.clone();
    stack.imports = previous.imports.clone();
    if let Some(tags) = &previous.tags {
        stack.tags = tags.clone();
    }
    let (status, reason) = if failed.is_empty() {
        (StackStatus::UpdateRollbackComplete, None)
    } else {
        (
            StackStatus::UpdateRollbackFailed,
            Some(format!(
                "The following resource(s) failed to roll back: [{}]. ",
                failed.join(", ")
            )),
        )
    };
    stack.status = status;
    stack.status_reason = reason.clone();
    if status == StackStatus::UpdateRollbackComplete {
        stack.previous = None;
    }
    let event = stack.event(status, reason, time);
    save(app, stack, vec![event]).await?;
    Ok(())
}
