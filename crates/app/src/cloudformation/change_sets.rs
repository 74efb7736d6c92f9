//! Change sets and updates (spec cloudformation §3, §2.5): what a new template (or new
//! parameter values) would change, computed when the change set is created, so
//! `aws cloudformation deploy`'s waiter finds it complete at its first poll; executing it, or
//! UpdateStack, starts the update ([`super::update`]). A change set without changes FAILS
//! with "The submitted information didn't contain changes", which `deploy` reads as "up to
//! date".

use std::collections::BTreeMap;

use serde_json::Value;
use strata_cfn_template::Template;
use strata_cloudformation::{ChangeSet, Previous, Stack, StackStatus};

use super::changes::{StoredChange, changes};
use super::error::{Error, Result, not_in_enum};
use super::model::*;
use super::resources;
use super::stacks::{
    authorize, check_capabilities, check_resource_types, find, find_authorized, no_echo,
    no_reserved_tags, no_such_stack, obsolete_change_sets, parameter_values, start, template,
};
use crate::{App, Caller};

const NO_CHANGES: &str = "The submitted information didn't contain changes. Submit different information to create a change set.";

/// The stack tags a request gives, when they differ from the stack's (compared as sets: the
/// same tags in another order change nothing).
fn changed_tags(given: Option<&[Tag]>, stack: &Stack) -> Option<Vec<strata_cloudformation::Tag>> {
    let sorted = |tags: &[strata_cloudformation::Tag]| {
        let mut pairs: Vec<(String, String)> = tags
            .iter()
            .map(|t| (t.key.clone(), t.value.clone()))
            .collect();
        pairs.sort_unstable();
        pairs
    };
    given
        .map(super::stacks::tags)
        .filter(|t| sorted(t) != sorted(&stack.tags))
}

/// The template an update or change set gives: the stack's own (`UsePreviousTemplate`), or
/// the request's.
async fn new_template(
    app: &App,
    caller: &Caller,
    stack: &Stack,
    use_previous: bool,
    body: Option<&str>,
    url: Option<&str>,
) -> Result<(String, Template)> {
    if use_previous {
        return Ok((
            stack.template_body.clone(),
            Template::from_text(&stack.template_body)?,
        ));
    }
    template(app, caller, body, url).await
}

/// The statuses an update may start from (spec §2.2).
fn check_updatable(stack: &Stack) -> Result<()> {
    match stack.status {
        StackStatus::CreateComplete
        | StackStatus::UpdateComplete
        | StackStatus::UpdateFailed
        | StackStatus::UpdateRollbackComplete => Ok(()),
        other => Err(Error::Validation(format!(
            "Stack:{} is in {} state and can not be updated.",
            stack.stack_id,
            other.as_str()
        ))),
    }
}

/// Starts the update of `stack` to `text` with `values` (and `tags`, when given): the stack
/// as it was kept to roll back to, the job recorded in the same write.
#[allow(clippy::too_many_arguments)]
async fn start_update(
    app: &App,
    caller: &Caller,
    mut stack: Stack,
    text: String,
    template: &Template,
    values: BTreeMap<String, String>,
    capabilities: Vec<String>,
    change_set_id: Option<String>,
    tags: Option<Vec<strata_cloudformation::Tag>>,
) -> Result<Stack> {
    let old_tags = tags.map(|tags| std::mem::replace(&mut stack.tags, tags));
    stack.previous = Some(Box::new(Previous {
        template_body: stack.template_body.clone(),
        parameters: stack.parameters.clone(),
        no_echo: stack.no_echo.clone(),
        capabilities: stack.capabilities.clone(),
        description: stack.description.clone(),
        resources: stack.resources.clone(),
        outputs: stack.outputs.clone(),
        imports: stack.imports.clone(),
        tags: old_tags,
    }));
    // `replaced` keeps what an UPDATE_FAILED update left (old copies, replacements cut
    // short): this update's cleanup or rollback deletes them.
    stack.template_body = text;
    stack.parameters = values;
    stack.no_echo = no_echo(template);
    stack.capabilities = capabilities;
    stack.description = template.description.clone();
    if change_set_id.is_some() {
        stack.change_set_id = change_set_id;
    }
    stack.last_updated_millis = Some(app.cloudformation.now_millis());
    start(app, caller, stack, StackStatus::UpdateInProgress).await
}

pub async fn update_stack(
    app: &App,
    caller: &Caller,
    input: UpdateStackInput,
) -> Result<StackIdOutput> {
    let stack = find_authorized(app, caller, "UpdateStack", &input.stack_name)?;
    let mut stack = stack.ok_or_else(|| no_such_stack(&input.stack_name))?;
    check_updatable(&stack)?;
    let (text, template) = new_template(
        app,
        caller,
        &stack,
        input.use_previous_template,
        input.template_body.as_deref(),
        input.template_url.as_deref(),
    )
    .await?;
    let values = parameter_values(&template, &input.parameters, &stack.parameters)?;
    check_capabilities(&template, &input.capabilities)?;
    check_resource_types(&template, &input.resource_types)?;
    no_reserved_tags(input.tags.as_deref().unwrap_or_default())?;
    let new_tags = changed_tags(input.tags.as_deref(), &stack);
    let (found, outputs_changed) = changes(app, &stack, &text, &values, new_tags.as_deref())?;
    if found.is_empty() && !outputs_changed && new_tags.is_none() {
        return Err(Error::Validation(
            "No updates are to be performed.".to_owned(),
        ));
    }
    if let Some(role) = &input.role_arn {
        super::operation::check_pass_role(app, caller, role)?;
        super::operation::service_role_session(app, role, caller.account(), &caller.region)
            .map_err(Error::Validation)?;
        stack.role_arn = Some(role.clone());
    }
    if let Some(disable) = input.disable_rollback {
        stack.disable_rollback = disable;
    }
    stack.client_request_token = input.client_request_token.clone();
    obsolete_change_sets(&mut stack);
    let stack = start_update(
        app,
        caller,
        stack,
        text,
        &template,
        values,
        input.capabilities,
        None,
        new_tags,
    )
    .await?;
    Ok(StackIdOutput {
        stack_id: stack.stack_id,
    })
}

pub async fn create_change_set(
    app: &App,
    caller: &Caller,
    input: CreateChangeSetInput,
) -> Result<CreateChangeSetOutput> {
    let creating = match input.change_set_type.as_deref() {
        None | Some("UPDATE") => false,
        Some("CREATE") => true,
        Some(other) => {
            return Err(not_in_enum(
                other,
                "changeSetType",
                &["IMPORT", "UPDATE", "CREATE"],
            ));
        }
    };
    match input.on_stack_failure.as_deref() {
        None | Some("ROLLBACK" | "DO_NOTHING") => {}
        Some("DELETE") if creating => {}
        Some("DELETE") => {
            // UNCONFIRMED text: AWS documents DELETE for CREATE change sets only.
            return Err(Error::Validation(
                "OnStackFailure DELETE is only valid for change sets of type CREATE".to_owned(),
            ));
        }
        Some(other) => {
            return Err(not_in_enum(
                other,
                "onStackFailure",
                &["DO_NOTHING", "ROLLBACK", "DELETE"],
            ));
        }
    }
    let existing = find_authorized(app, caller, "CreateChangeSet", &input.stack_name)?;
    match (&existing, creating) {
        (Some(stack), true) if stack.status != StackStatus::ReviewInProgress => {
            return Err(Error::Validation(format!(
                "Stack [{}] already exists and cannot be created again with the changeSet [{}].",
                input.stack_name, input.change_set_name
            )));
        }
        (Some(stack), false) => check_updatable(stack)?,
        (None, false) => {
            return Err(Error::Validation(format!(
                "Stack [{}] does not exist",
                input.stack_name
            )));
        }
        _ => {}
    }
    if existing
        .as_ref()
        .is_some_and(|s| name_taken(s, &input.change_set_name))
    {
        return Err(Error::AlreadyExists(format!(
            "ChangeSet [{}] already exists",
            input.change_set_name
        )));
    }
    // Everything is checked before a CREATE change set makes its REVIEW_IN_PROGRESS stack.
    let (text, template) = match &existing {
        Some(stack) => {
            new_template(
                app,
                caller,
                stack,
                input.use_previous_template && !creating,
                input.template_body.as_deref(),
                input.template_url.as_deref(),
            )
            .await?
        }
        None => {
            template(
                app,
                caller,
                input.template_body.as_deref(),
                input.template_url.as_deref(),
            )
            .await?
        }
    };
    let previous = existing
        .as_ref()
        .map(|s| s.parameters.clone())
        .unwrap_or_default();
    let values = parameter_values(&template, &input.parameters, &previous)?;
    check_capabilities(&template, &input.capabilities)?;
    check_resource_types(&template, &input.resource_types)?;
    no_reserved_tags(input.tags.as_deref().unwrap_or_default())?;
    if let Some(role) = &input.role_arn {
        super::operation::check_pass_role(app, caller, role)?;
        super::operation::service_role_session(app, role, caller.account(), &caller.region)
            .map_err(Error::Validation)?;
    }
    let stack = match existing {
        Some(stack) => stack,
        None => review_stack(app, caller, &input).await?,
    };
    let change_set_tags = input.tags.as_deref().map(super::stacks::tags);
    let (found, outputs_changed) = changes(
        app,
        &stack,
        &text,
        &values,
        changed_tags(input.tags.as_deref(), &stack).as_deref(),
    )?;
    let empty = found.is_empty() && !outputs_changed && !creating;
    let id = format!(
        "arn:aws:cloudformation:{}:{}:changeSet/{}/{}",
        stack.region,
        stack.account,
        input.change_set_name,
        uuid::Uuid::new_v4()
    );
    let change_set = ChangeSet {
        id: id.clone(),
        name: input.change_set_name.clone(),
        description: input.description.clone(),
        change_set_type: if creating { "CREATE" } else { "UPDATE" }.to_owned(),
        status: if empty { "FAILED" } else { "CREATE_COMPLETE" }.to_owned(),
        status_reason: empty.then(|| NO_CHANGES.to_owned()),
        execution_status: if empty { "UNAVAILABLE" } else { "AVAILABLE" }.to_owned(),
        creation_millis: app.cloudformation.now_millis(),
        template_body: text,
        parameters: values,
        capabilities: input.capabilities.clone(),
        tags: change_set_tags,
        role_arn: input.role_arn.clone(),
        notification_arns: input.notification_arns.clone(),
        changes: found
            .into_iter()
            .map(|c| serde_json::to_value(c).unwrap_or(Value::Null))
            .collect(),
        on_stack_failure: input.on_stack_failure.clone(),
    };
    let name = input.change_set_name.clone();
    let stack_name = input.stack_name.clone();
    let (read_template, read_parameters) = (stack.template_body.clone(), stack.parameters.clone());
    let mut change_set = change_set;
    let stack = app
        .cloudformation
        .edit_stack(&stack, move |stack| {
            // Judged again on the stack as stored: a call racing this one.
            if stack.status == StackStatus::DeleteComplete {
                return Err(no_such_stack(&stack.stack_id));
            }
            if creating && stack.status != StackStatus::ReviewInProgress {
                return Err(Error::Validation(format!(
                    "Stack [{stack_name}] already exists and cannot be created again with the changeSet [{name}]."
                )));
            }
            if name_taken(stack, &name) {
                return Err(Error::AlreadyExists(format!(
                    "ChangeSet [{name}] already exists"
                )));
            }
            // An executed change set of the name stays describable by its id.
            if let Some(executed) = stack.change_sets.remove(&name) {
                stack.change_sets.insert(executed.id.clone(), executed);
            }
            // Computed against a stack an update has changed since: obsolete at once.
            if !creating
                && change_set.execution_status == "AVAILABLE"
                && (stack.template_body != read_template || stack.parameters != read_parameters)
            {
                change_set.execution_status = "OBSOLETE".to_owned();
            }
            stack.change_sets.insert(name, change_set);
            Ok(Vec::new())
        })
        .await?;
    Ok(CreateChangeSetOutput {
        id,
        stack_id: stack.stack_id,
    })
}

/// The empty REVIEW_IN_PROGRESS stack a CREATE change set makes (spec §3).
async fn review_stack(app: &App, caller: &Caller, input: &CreateChangeSetInput) -> Result<Stack> {
    let now = app.cloudformation.now_millis();
    let mut stack = Stack::new(
        caller.account(),
        &caller.region,
        &input.stack_name,
        StackStatus::ReviewInProgress,
        now,
    );
    stack.notification_arns = input.notification_arns.clone();
    let event = stack.event(
        StackStatus::ReviewInProgress,
        Some("User Initiated".to_owned()),
        now,
    );
    app.cloudformation
        .create_stack(stack, vec![event], Box::new(|_| Ok(())))
        .await
        .map_err(|e| match e {
            strata_cloudformation::CfnError::NameInUse => {
                Error::AlreadyExists(format!("Stack [{}] already exists", input.stack_name))
            }
            other => other.into(),
        })
}

/// Whether the stack has a change set of `name` not yet executed (an executed one frees its
/// name, and stays describable by its id).
fn name_taken(stack: &Stack, name: &str) -> bool {
    stack
        .change_sets
        .get(name)
        .is_some_and(|c| !c.execution_status.starts_with("EXECUTE_"))
}

/// The stack and change set a call names (by ARN alone, or by name with its stack).
pub(super) fn named(
    app: &App,
    caller: &Caller,
    input: &ChangeSetNameInput,
    action: &str,
) -> Result<(Stack, ChangeSet)> {
    let name = &input.change_set_name;
    let not_found = || Error::ChangeSetNotFound(format!("ChangeSet [{name}] does not exist"));
    let stack = if name.starts_with("arn:") {
        app.cloudformation
            .stacks(caller.account(), &caller.region)?
            .into_iter()
            .find(|s| s.change_sets.values().any(|c| &c.id == name))
            .ok_or_else(not_found)?
    } else {
        let stack_name = input.stack_name.as_deref().ok_or_else(|| {
            Error::Validation(
                "StackName must be specified if ChangeSetName is not specified as an ARN."
                    .to_owned(),
            )
        })?;
        find(app, caller, stack_name)?
            .ok_or_else(|| Error::Validation(format!("Stack [{stack_name}] does not exist")))?
    };
    authorize(app, caller, action, &stack.stack_id)?;
    let change_set = stack
        .change_sets
        .get(name)
        .or_else(|| stack.change_sets.values().find(|c| &c.id == name))
        .cloned()
        .ok_or_else(not_found)?;
    Ok((stack, change_set))
}

pub fn describe_change_set(
    app: &App,
    caller: &Caller,
    input: ChangeSetNameInput,
) -> Result<DescribeChangeSetOutput> {
    let (stack, cs) = named(app, caller, &input, "DescribeChangeSet")?;
    let no_echo = Template::from_text(&cs.template_body)
        .map(|t| {
            t.parameters
                .into_iter()
                .filter(|(_, d)| d.no_echo)
                .map(|(k, _)| k)
                .collect::<Vec<_>>()
        })
        .unwrap_or_default();
    let parameters: Vec<Parameter> = cs
        .parameters
        .iter()
        .map(|(k, v)| Parameter {
            parameter_key: k.clone(),
            parameter_value: if no_echo.contains(k) {
                "****".to_owned()
            } else {
                v.clone()
            },
        })
        .collect();
    let changes: Vec<Change> = cs
        .changes
        .iter()
        .filter_map(|v| serde_json::from_value::<StoredChange>(v.clone()).ok())
        .map(StoredChange::rendered)
        .collect();
    Ok(DescribeChangeSetOutput {
        change_set_name: cs.name,
        change_set_id: cs.id,
        stack_id: stack.stack_id,
        stack_name: stack.name,
        description: cs.description,
        parameters: (!parameters.is_empty()).then(|| parameters.into()),
        creation_time: timestamp(cs.creation_millis),
        execution_status: cs.execution_status,
        status: cs.status,
        status_reason: cs.status_reason,
        notification_arns: cs.notification_arns.into(),
        rollback_configuration: Empty {},
        capabilities: cs.capabilities.into(),
        tags: cs.tags.filter(|t| !t.is_empty()).map(|tags| {
            tags.into_iter()
                .map(|t| Tag {
                    key: t.key,
                    value: t.value,
                })
                .collect::<Vec<_>>()
                .into()
        }),
        changes: changes.into(),
        include_nested_stacks: false,
        on_stack_failure: cs.on_stack_failure,
    })
}

pub fn list_change_sets(
    app: &App,
    caller: &Caller,
    stack_name: String,
) -> Result<ListChangeSetsOutput> {
    let stack = find(app, caller, &stack_name)?;
    let resource = stack
        .as_ref()
        .map_or_else(|| "*".to_owned(), |s| s.stack_id.clone());
    authorize(app, caller, "ListChangeSets", &resource)?;
    let stack =
        stack.ok_or_else(|| Error::Validation(format!("Stack [{stack_name}] does not exist")))?;
    // The stack's active change sets: an executed one stays describable by its id but is no
    // longer listed (LocalStack's AWS-recorded test_create_change_set_update_without_parameters).
    let summaries: Vec<ChangeSetSummary> = stack
        .change_sets
        .values()
        .filter(|c| !c.execution_status.starts_with("EXECUTE_"))
        .map(|c| ChangeSetSummary {
            stack_id: stack.stack_id.clone(),
            stack_name: stack.name.clone(),
            change_set_id: c.id.clone(),
            change_set_name: c.name.clone(),
            execution_status: c.execution_status.clone(),
            status: c.status.clone(),
            status_reason: c.status_reason.clone(),
            creation_time: timestamp(c.creation_millis),
            description: c.description.clone(),
            include_nested_stacks: false,
        })
        .collect();
    Ok(ListChangeSetsOutput {
        summaries: summaries.into(),
    })
}

pub async fn delete_change_set(
    app: &App,
    caller: &Caller,
    input: ChangeSetNameInput,
) -> Result<()> {
    let (stack, cs) = named(app, caller, &input, "DeleteChangeSet")?;
    if cs.execution_status == "EXECUTE_IN_PROGRESS" {
        return Err(Error::InvalidChangeSetStatus(format!(
            "Cannot delete ChangeSet in status {}",
            cs.execution_status
        )));
    }
    app.cloudformation
        .edit_stack(&stack, move |stack| {
            stack.change_sets.remove(&cs.name);
            Ok::<_, Error>(Vec::new())
        })
        .await?;
    Ok(())
}

pub async fn execute_change_set(
    app: &App,
    caller: &Caller,
    input: ChangeSetNameInput,
) -> Result<()> {
    let (mut stack, cs) = named(app, caller, &input, "ExecuteChangeSet")?;
    if cs.status != "CREATE_COMPLETE" || cs.execution_status != "AVAILABLE" {
        return Err(Error::InvalidChangeSetStatus(format!(
            "ChangeSet [{}] cannot be executed in its current status of [{}]",
            cs.id,
            if cs.status == "CREATE_COMPLETE" {
                &cs.execution_status
            } else {
                &cs.status
            }
        )));
    }
    stack.client_request_token = input.client_request_token.clone();
    // Executing a change set ends the stack's others (spec §3).
    let mut executed = cs.clone();
    executed.execution_status = "EXECUTE_COMPLETE".to_owned();
    stack.change_sets.clear();
    stack.change_sets.insert(executed.name.clone(), executed);
    match (&cs.on_stack_failure, input.disable_rollback) {
        (Some(_), Some(_)) => {
            // UNCONFIRMED text; AWS documents the two as exclusive.
            return Err(Error::Validation(
                "You cannot specify both OnStackFailure and DisableRollback.".to_owned(),
            ));
        }
        (Some(on_failure), None) => {
            stack.disable_rollback = on_failure == "DO_NOTHING";
            stack.delete_on_failure = on_failure == "DELETE";
        }
        (None, Some(disable)) => stack.disable_rollback = disable,
        (None, None) => {}
    }
    let template = Template::from_text(&cs.template_body)?;
    if cs.change_set_type == "CREATE" && stack.status != StackStatus::ReviewInProgress {
        // Created already (by CreateStack, racing this change set).
        return Err(Error::InvalidChangeSetStatus(format!(
            "ChangeSet [{}] cannot be executed in its current status of [OBSOLETE]",
            cs.id
        )));
    }
    if cs.change_set_type == "CREATE" {
        stack.template_body = cs.template_body.clone();
        stack.parameters = cs.parameters.clone();
        stack.no_echo = no_echo(&template);
        stack.capabilities = cs.capabilities.clone();
        stack.tags = cs.tags.clone().unwrap_or_default();
        stack.description = template.description.clone();
        stack.change_set_id = Some(cs.id.clone());
        // A stack a change set creates shows when it was executed (LocalStack's AWS-recorded
        // test_stack_lifecycle).
        stack.last_updated_millis = Some(app.cloudformation.now_millis());
        // The change set's service role, checked when it was created, is the stack's from
        // now on (spec §6).
        stack.role_arn = cs.role_arn.clone();
        start(app, caller, stack, StackStatus::CreateInProgress).await?;
        return Ok(());
    }
    check_updatable(&stack)?;
    if cs.role_arn.is_some() {
        stack.role_arn = cs.role_arn.clone();
    }
    start_update(
        app,
        caller,
        stack,
        cs.template_body.clone(),
        &template,
        cs.parameters.clone(),
        cs.capabilities.clone(),
        Some(cs.id.clone()),
        cs.tags.clone(),
    )
    .await?;
    Ok(())
}

pub async fn get_template_summary(
    app: &App,
    caller: &Caller,
    stack_name: Option<String>,
    template_body: Option<String>,
    template_url: Option<String>,
) -> Result<GetTemplateSummaryOutput> {
    let template = match stack_name {
        Some(name) => {
            let stack = find(app, caller, &name)?;
            let resource = stack
                .as_ref()
                .map_or_else(|| "*".to_owned(), |s| s.stack_id.clone());
            authorize(app, caller, "GetTemplateSummary", &resource)?;
            let stack = stack.ok_or_else(|| no_such_stack(&name))?;
            if stack.status == StackStatus::ReviewInProgress {
                return Err(Error::Validation(
                    "GetTemplateSummary cannot be called on REVIEW_IN_PROGRESS stacks.".to_owned(),
                ));
            }
            Template::from_text(&stack.template_body)?
        }
        None => {
            authorize(app, caller, "GetTemplateSummary", "*")?;
            template(
                app,
                caller,
                template_body.as_deref(),
                template_url.as_deref(),
            )
            .await?
            .1
        }
    };
    let mut resource_types: Vec<String> = template
        .resources
        .values()
        .map(|r| r.resource_type.clone())
        .collect();
    resource_types.sort();
    resource_types.dedup();
    let capability = super::stacks::required_capability(&template);
    Ok(GetTemplateSummaryOutput {
        parameters: template
            .parameters
            .iter()
            .map(|(k, d)| ParameterDeclaration {
                parameter_key: k.clone(),
                default_value: d.default.clone(),
                parameter_type: d.parameter_type.clone(),
                no_echo: d.no_echo,
                description: d.description.clone(),
                parameter_constraints: ParameterConstraints {
                    allowed_values: (!d.allowed_values.is_empty())
                        .then(|| d.allowed_values.clone().into()),
                },
            })
            .collect::<Vec<_>>()
            .into(),
        description: template.description.clone(),
        capabilities: capability
            .as_ref()
            .map(|(c, _)| vec![(*c).to_owned()].into()),
        capabilities_reason: capability.map(|(_, types)| {
            format!(
                "The following resource(s) require capabilities: [{}]",
                types.join(", ")
            )
        }),
        resource_types: resource_types.into(),
        version: "2010-09-09",
        metadata: template.metadata.as_ref().map(Value::to_string),
        resource_identifier_summaries: identifier_summaries(&template).into(),
    })
}

/// GetTemplateSummary's `ResourceIdentifierSummaries`: the template's resources of each type
/// that can be imported, with the properties naming one (the resource schema's primary
/// identifier).
fn identifier_summaries(template: &Template) -> Vec<ResourceIdentifierSummary> {
    let mut by_type: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (logical_id, resource) in &template.resources {
        by_type
            .entry(resource.resource_type.as_str())
            .or_default()
            .push(logical_id.clone());
    }
    by_type
        .into_iter()
        .filter_map(|(resource_type, ids)| {
            let identifiers = resources::primary_identifier(resource_type)?;
            Some(ResourceIdentifierSummary {
                resource_type: resource_type.to_owned(),
                logical_resource_ids: ids.into(),
                resource_identifiers: vec![identifiers.to_owned()].into(),
            })
        })
        .collect()
}
