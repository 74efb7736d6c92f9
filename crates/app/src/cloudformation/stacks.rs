//! The stack API: CreateStack, DeleteStack, DescribeStacks, ListStacks, DescribeStackEvents,
//! the resource listings, GetTemplate, ValidateTemplate, ListExports and
//! UpdateTerminationProtection. Each authorizes `cloudformation:<Action>` on the stack's ARN
//! (spec cloudformation §6); the operations that change resources record a stack job
//! ([`super::operation`]) in the write that starts them.

use std::collections::BTreeMap;
use std::time::Duration;

use strata_cfn_template::Template;
use strata_cfn_template::parameters::{self, Given};
use strata_cloudformation::{Stack, StackStatus};

use super::error::{Error, Result, not_in_enum};
use super::model::*;
use super::resources;
use crate::iam::model::Members;
use crate::jobs::{JobKind, Jobs};
use crate::{App, Caller};

/// How long a call that starts an operation waits for it to end before answering: the
/// waiters of the AWS CLI poll first and then sleep 30 s, so an operation done by the first
/// poll saves every deploy that wait (spec §0.1).
const SETTLE: Duration = Duration::from_secs(10);

/// `Stack with id X does not exist` (DescribeStacks and most calls naming a stack).
pub fn no_such_stack(name: &str) -> Error {
    Error::Validation(format!("Stack with id {name} does not exist"))
}

/// The ARN a call on the stack `name` is authorized against before the stack's id is known.
fn stack_pattern(caller: &Caller, name: &str) -> String {
    format!(
        "arn:aws:cloudformation:{}:{}:stack/{name}/*",
        caller.region,
        caller.account()
    )
}

pub(super) fn authorize(app: &App, caller: &Caller, action: &str, resource: &str) -> Result<()> {
    crate::authz::authorize(
        app,
        caller,
        &format!("cloudformation:{action}"),
        resource,
        caller.account(),
        None,
    )
    .map_err(Into::into)
}

/// The stack `name_or_id` names in the caller's account and region: live by name, any by id.
pub(super) fn find(app: &App, caller: &Caller, name_or_id: &str) -> Result<Option<Stack>> {
    Ok(app
        .cloudformation
        .stack(caller.account(), &caller.region, name_or_id)?)
}

/// The bucket and key a `TemplateURL` names: path-style (`https://host/bucket/key`, what
/// `aws cloudformation deploy --s3-bucket` sends, spec §0.1) or virtual-hosted
/// (`https://bucket.s3….amazonaws.com/key`).
fn template_object(url: &str) -> Result<(String, String)> {
    if let Some(rest) = url.strip_prefix("s3://") {
        let bucket = rest.split('/').next().unwrap_or_default();
        return Err(Error::Validation(format!(
            "S3 error: Domain name specified in {bucket} is not a valid S3 domain"
        )));
    }
    let unsupported = || Error::Validation("TemplateURL must be a supported URL.".to_owned());
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(unsupported)?;
    let (host, path) = rest.split_once('/').ok_or_else(unsupported)?;
    let path = path.split(['?', '#']).next().unwrap_or_default();
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    let host = host.split(':').next().unwrap_or_default();
    let (bucket, key) = match host.split_once(".s3") {
        Some((bucket, _)) if !bucket.is_empty() => (bucket.to_owned(), decode(path)),
        _ => {
            let (bucket, key) = path.split_once('/').ok_or_else(unsupported)?;
            (decode(bucket), decode(key))
        }
    };
    if bucket.is_empty() || key.is_empty() {
        return Err(unsupported());
    }
    Ok((bucket, key))
}

/// The template a request gives, parsed and checked: its text, and the template. A
/// `TemplateURL` is read from strata's S3 as the caller (CloudFormation fetches it with the
/// caller's permissions).
pub(super) async fn template(
    app: &App,
    caller: &Caller,
    template_body: Option<&str>,
    template_url: Option<&str>,
) -> Result<(String, Template)> {
    let text = match (template_body, template_url) {
        (Some(body), None) => body.to_owned(),
        (None, Some(url)) => {
            let (bucket, key) = template_object(url)?;
            // S3's own texts after `S3 error: ` (UNCONFIRMED beyond the prefix).
            let s3_error = |e: crate::s3::AccessError| {
                use crate::s3::AccessError as A;
                use strata_s3::S3Error as E;
                let text = match e {
                    A::AccessDenied(_) => "Access Denied".to_owned(),
                    A::Engine(E::NoSuchKey | E::DeleteMarker { .. }) => {
                        "The specified key does not exist.".to_owned()
                    }
                    A::Engine(E::NoSuchBucket) => "The specified bucket does not exist".to_owned(),
                    other => other.to_string(),
                };
                Error::Validation(format!("S3 error: {text}"))
            };
            let requester = crate::Requester::Signed(Box::new(caller.clone()));
            let cx = crate::s3::BucketContext::resolve(app, requester, &bucket, None)
                .map_err(s3_error)?;
            cx.authorize("s3:GetObject", Some(&key)).map_err(s3_error)?;
            let size = app
                .s3
                .get_object(&bucket, &key, None)
                .map_err(|e| s3_error(e.into()))?
                .meta
                .size;
            if size > 1_000_000 {
                return Err(Error::Validation(
                    "Template may not exceed 1000000 bytes in size.".to_owned(),
                ));
            }
            let bytes = cx.read_whole(&key).await.map_err(s3_error)?;
            return checked(String::from_utf8_lossy(&bytes).into_owned(), 1_000_000);
        }
        (Some(_), Some(_)) => {
            return Err(Error::Validation(
                "Specify exactly one of TemplateBody or TemplateUrl.".to_owned(),
            ));
        }
        (None, None) => {
            return Err(Error::Validation(
                "Either Template URL or Template Body must be specified.".to_owned(),
            ));
        }
    };
    checked(text, 51_200)
}

/// Template text within `limit` bytes (51,200 for a body, 1 MB from a URL), parsed, its
/// resource types known.
fn checked(text: String, limit: usize) -> Result<(String, Template)> {
    if text.len() > limit {
        return Err(Error::Validation(format!(
            "1 validation error detected: Value '{text}' at 'templateBody' failed to satisfy constraint: Member must have length less than or equal to {limit}"
        )));
    }
    let template = Template::from_text(&text)?;
    let unknown: Vec<&str> = template
        .resources
        .values()
        .map(|r| r.resource_type.as_str())
        .filter(|t| !resources::supported(t))
        .collect();
    if !unknown.is_empty() {
        let mut unknown = unknown;
        unknown.sort_unstable();
        unknown.dedup();
        return Err(Error::Validation(format!(
            "Template format error: Unrecognized resource types: [{}]",
            unknown.join(", ")
        )));
    }
    Ok((text, template))
}

/// The capability a template needs, and why (spec §6: IAM resources need CAPABILITY_IAM,
/// custom-named ones CAPABILITY_NAMED_IAM).
pub(super) fn required_capability(template: &Template) -> Option<(&'static str, Vec<String>)> {
    let mut types: Vec<String> = Vec::new();
    let mut named = false;
    for resource in template.resources.values() {
        if resource.resource_type.starts_with("AWS::IAM::") {
            types.push(resource.resource_type.clone());
            // The property that names the resource itself (an AccessKey's UserName only says
            // whose key it is).
            let name = match resource.resource_type.as_str() {
                "AWS::IAM::Role" => Some("RoleName"),
                "AWS::IAM::User" => Some("UserName"),
                "AWS::IAM::Group" => Some("GroupName"),
                "AWS::IAM::ManagedPolicy" => Some("ManagedPolicyName"),
                "AWS::IAM::InstanceProfile" => Some("InstanceProfileName"),
                _ => None,
            };
            named |= name.is_some_and(|p| resource.properties.get(p).is_some());
        }
    }
    types.sort();
    types.dedup();
    if types.is_empty() {
        None
    } else if named {
        Some(("CAPABILITY_NAMED_IAM", types))
    } else {
        Some(("CAPABILITY_IAM", types))
    }
}

/// Refuses stack tags under `aws:`, which AWS keeps for itself (the text as
/// aws-quickstart/quickstart-amazon-eks#42 shows CreateStack answering).
pub(super) fn no_reserved_tags(tags: &[Tag]) -> Result<()> {
    if tags.iter().any(|t| {
        t.key
            .get(..4)
            .is_some_and(|p| p.eq_ignore_ascii_case("aws:"))
    }) {
        return Err(Error::Validation(
            "aws: prefixed tag key names are not allowed for external use.".to_owned(),
        ));
    }
    Ok(())
}

/// Refuses a template holding a type `ResourceTypes` does not allow (when given): each entry
/// a type, or a prefix ending in `*` (`AWS::*`, `AWS::S3::*`, `Custom::*`). LocalStack's
/// AWS-recorded test_update_with_resource_types has the message.
pub(super) fn check_resource_types(template: &Template, allowed: &[String]) -> Result<()> {
    if allowed.is_empty() {
        return Ok(());
    }
    let admits = |resource_type: &str| {
        allowed.iter().any(|a| match a.strip_suffix('*') {
            Some(prefix) => resource_type.starts_with(prefix),
            None => a == resource_type,
        })
    };
    match template
        .resources
        .values()
        .find(|r| !admits(&r.resource_type))
    {
        Some(resource) => Err(Error::Validation(format!(
            "Resource type {} is not allowed by parameter ResourceTypes [{}]",
            resource.resource_type,
            allowed.join(", ")
        ))),
        None => Ok(()),
    }
}

pub(super) fn check_capabilities(template: &Template, given: &[String]) -> Result<()> {
    let Some((needed, _)) = required_capability(template) else {
        return Ok(());
    };
    let has = |c: &str| given.iter().any(|g| g == c);
    let enough =
        has("CAPABILITY_NAMED_IAM") || (needed == "CAPABILITY_IAM" && has("CAPABILITY_IAM"));
    if enough {
        Ok(())
    } else {
        Err(Error::InsufficientCapabilities(format!(
            "Requires capabilities : [{needed}]"
        )))
    }
}

/// The values of the template's parameters from a request's (and the previous ones).
pub(super) fn parameter_values(
    template: &Template,
    given: &[ParameterInput],
    previous: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>> {
    let mut map = BTreeMap::new();
    for p in given {
        if p.use_previous_value && p.value.is_some() {
            return Err(Error::Validation(format!(
                "Invalid input for parameter key {}. Cannot specify usePreviousValue as true and non empty value for a parameter",
                p.key
            )));
        }
        let value = if p.use_previous_value {
            Given::Previous
        } else {
            Given::Value(p.value.clone().unwrap_or_default())
        };
        map.insert(p.key.clone(), value);
    }
    Ok(parameters::resolve(&template.parameters, &map, previous)?)
}

/// The parameters a template declares `NoEcho`.
pub(super) fn no_echo(template: &Template) -> Vec<String> {
    template
        .parameters
        .iter()
        .filter(|(_, d)| d.no_echo)
        .map(|(k, _)| k.clone())
        .collect()
}

pub(super) fn tags(tags: &[Tag]) -> Vec<strata_cloudformation::Tag> {
    tags.iter()
        .map(|t| strata_cloudformation::Tag {
            key: t.key.clone(),
            value: t.value.clone(),
        })
        .collect()
}

/// Waits (at most [`SETTLE`]) for the operation on the stack to end.
pub(super) async fn settle(app: &App, account: &str, region: &str, stack_id: &str) {
    let deadline = tokio::time::Instant::now() + SETTLE;
    while tokio::time::Instant::now() < deadline {
        match app.cloudformation.stack(account, region, stack_id) {
            Ok(Some(stack)) if stack.status.in_progress() => {}
            _ => return,
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

pub async fn create_stack(
    app: &App,
    caller: &Caller,
    input: CreateStackInput,
) -> Result<StackIdOutput> {
    authorize(
        app,
        caller,
        "CreateStack",
        &stack_pattern(caller, &input.stack_name),
    )?;
    let (text, template) = template(
        app,
        caller,
        input.template_body.as_deref(),
        input.template_url.as_deref(),
    )
    .await?;
    let values = parameter_values(&template, &input.parameters, &BTreeMap::new())?;
    check_capabilities(&template, &input.capabilities)?;
    check_resource_types(&template, &input.resource_types)?;
    no_reserved_tags(&input.tags)?;
    if let Some(other) = input
        .on_failure
        .as_deref()
        .filter(|f| !["DO_NOTHING", "ROLLBACK", "DELETE"].contains(f))
    {
        return Err(not_in_enum(
            other,
            "onFailure",
            &["DO_NOTHING", "ROLLBACK", "DELETE"],
        ));
    }
    let disable_rollback = match (&input.on_failure, input.disable_rollback) {
        (Some(_), Some(_)) => {
            return Err(Error::Validation(
                "You cannot specify both OnFailure and DisableRollback.".to_owned(),
            ));
        }
        (Some(on_failure), None) => on_failure == "DO_NOTHING",
        (None, disable) => disable.unwrap_or(false),
    };
    if let Some(role) = &input.role_arn {
        super::operation::check_pass_role(app, caller, role)?;
        super::operation::service_role_session(app, role, caller.account(), &caller.region)
            .map_err(Error::Validation)?;
    }
    // A stack a CREATE change set left in review is created in place, as CreateStack does on
    // AWS; its change sets are then obsolete (spec §3).
    let in_review = match find(app, caller, &input.stack_name)? {
        Some(stack) if stack.status == StackStatus::ReviewInProgress => Some(stack),
        // A retry of the call that made it (ClientRequestToken, CreateStack API reference).
        Some(stack)
            if input.client_request_token.is_some()
                && stack.client_request_token == input.client_request_token =>
        {
            return Ok(StackIdOutput {
                stack_id: stack.stack_id,
            });
        }
        Some(_) => {
            return Err(Error::AlreadyExists(format!(
                "Stack [{}] already exists",
                input.stack_name
            )));
        }
        None => None,
    };
    let now = app.cloudformation.now_millis();
    let reviewed = in_review.is_some();
    let mut stack = in_review.unwrap_or_else(|| {
        Stack::new(
            caller.account(),
            &caller.region,
            &input.stack_name,
            StackStatus::CreateInProgress,
            now,
        )
    });
    stack.description = template.description.clone();
    stack.template_body = text;
    stack.parameters = values;
    stack.no_echo = no_echo(&template);
    stack.capabilities = input.capabilities.clone();
    stack.tags = tags(&input.tags);
    stack.role_arn = input.role_arn.clone();
    stack.notification_arns = input.notification_arns.clone();
    stack.disable_rollback = disable_rollback;
    stack.delete_on_failure = input.on_failure.as_deref() == Some("DELETE");
    stack.termination_protection = input.enable_termination_protection.unwrap_or(false);
    stack.timeout_in_minutes = input.timeout_in_minutes;
    stack.client_request_token = input.client_request_token.clone();
    if reviewed {
        obsolete_change_sets(&mut stack);
        let stack = start(app, caller, stack, StackStatus::CreateInProgress).await?;
        return Ok(StackIdOutput {
            stack_id: stack.stack_id,
        });
    }
    let event = stack.event(
        StackStatus::CreateInProgress,
        Some("User Initiated".to_owned()),
        now,
    );
    let job = job(&stack, caller);
    let stack = app
        .cloudformation
        .create_stack(stack, vec![event], Jobs::recorder(job))
        .await
        .map_err(|e| match e {
            strata_cloudformation::CfnError::NameInUse => {
                Error::AlreadyExists(format!("Stack [{}] already exists", input.stack_name))
            }
            other => other.into(),
        })?;
    app.jobs.wake();
    settle(app, &stack.account, &stack.region, &stack.stack_id).await;
    Ok(StackIdOutput {
        stack_id: stack.stack_id,
    })
}

/// Marks the change sets still awaiting execution obsolete: the stack they were computed
/// against is changing without them.
pub(super) fn obsolete_change_sets(stack: &mut Stack) {
    for change_set in stack.change_sets.values_mut() {
        if change_set.execution_status == "AVAILABLE" {
            change_set.execution_status = "OBSOLETE".to_owned();
        }
    }
}

/// The job that carries a stack's operation on, acting as `caller` (or, with a service role,
/// as that role: [`super::operation`]).
pub(super) fn job(stack: &Stack, caller: &Caller) -> JobKind {
    JobKind::Stack {
        account: stack.account.clone(),
        region: stack.region.clone(),
        stack_id: stack.stack_id.clone(),
        caller: caller.clone(),
    }
}

pub async fn delete_stack(app: &App, caller: &Caller, input: DeleteStackInput) -> Result<()> {
    let force = match input.deletion_mode.as_deref() {
        None | Some("STANDARD") => false,
        Some("FORCE_DELETE_STACK") => true,
        Some(other) => {
            return Err(not_in_enum(
                other,
                "deletionMode",
                &["STANDARD", "FORCE_DELETE_STACK"],
            ));
        }
    };
    let name = input.stack_name;
    let Some(mut stack) = find(app, caller, &name)? else {
        authorize(app, caller, "DeleteStack", &stack_pattern(caller, &name))?;
        // Deleting a stack that does not exist succeeds and does nothing (spec §2.2).
        return Ok(());
    };
    authorize(app, caller, "DeleteStack", &stack.stack_id)?;
    match stack.status {
        StackStatus::DeleteComplete | StackStatus::DeleteInProgress => return Ok(()),
        status if status.in_progress() => {
            return Err(Error::Validation(format!(
                "Stack [{}] cannot be deleted while in status {}",
                stack.name,
                status.as_str()
            )));
        }
        _ => {}
    }
    if stack.termination_protection {
        return Err(Error::Validation(format!(
            "Stack [{}] cannot be deleted while TerminationProtection is enabled",
            stack.name
        )));
    }
    stack.retain_resources = retained_on_delete(&stack, input.retain_resources, force)?;
    stack.client_request_token = input.client_request_token;
    let token = stack.client_request_token.clone();
    let now = app.cloudformation.now_millis();
    if let Some(reason) = exports_in_use(app, &stack)? {
        // The call succeeds; the stack reports why nothing was deleted (spec §2.6).
        let name = stack.name.clone();
        app.cloudformation
            .edit_stack(&stack, move |stack| {
                if stack.status.in_progress() {
                    return Err(Error::Validation(format!(
                        "Stack [{name}] cannot be deleted while in status {}",
                        stack.status.as_str()
                    )));
                }
                stack.client_request_token = token;
                let started = stack.event(
                    StackStatus::DeleteInProgress,
                    Some("User Initiated".to_owned()),
                    now,
                );
                let back = stack.event(stack.status, Some(reason.clone()), now);
                stack.status_reason = Some(reason);
                Ok(vec![started, back])
            })
            .await?;
        return Ok(());
    }
    start(app, caller, stack, StackStatus::DeleteInProgress).await?;
    Ok(())
}

/// What a delete of `stack` keeps: DeleteStack's `RetainResources`, or with
/// `FORCE_DELETE_STACK` every resource that failed to delete; either only for a stack in
/// `DELETE_FAILED` (DeleteStack API reference).
fn retained_on_delete(stack: &Stack, retain: Vec<String>, force: bool) -> Result<Vec<String>> {
    let failed = stack.status == StackStatus::DeleteFailed;
    if force && !failed {
        return Err(Error::Validation(format!(
            "Invalid operation on stack [{}]. You can activate DeletionMode FORCE_DELETE_STACK in a delete stack operation only when the stack is in the DELETE_FAILED state.",
            stack.stack_id
        )));
    }
    if !retain.is_empty() && !failed {
        return Err(Error::Validation(format!(
            "Invalid operation on stack [{}]. When you delete a stack, specify which resources to retain only when the stack is in the DELETE_FAILED state.",
            stack.stack_id
        )));
    }
    // A resource already deleted, or none of the stack's (UNCONFIRMED for the latter).
    let invalid = |id: &String| {
        stack
            .resources
            .get(id)
            .is_none_or(|r| r.status == "DELETE_COMPLETE")
    };
    if retain.iter().any(invalid) {
        return Err(Error::Validation(
            "The specified resources to retain must be in a valid state. Do not specify resources that are in the DELETE_COMPLETE state.".to_owned(),
        ));
    }
    let mut retained = retain;
    if force {
        retained.extend(
            stack
                .resources
                .iter()
                .filter(|(_, r)| r.status == "DELETE_FAILED")
                .map(|(id, _)| id.clone()),
        );
    }
    Ok(retained)
}

/// `Export X cannot be deleted as it is in use by S[ and T]`, when another live stack imports
/// one of the stack's exports.
pub(super) fn exports_in_use(app: &App, stack: &Stack) -> Result<Option<String>> {
    let exports: Vec<&str> = stack
        .outputs
        .iter()
        .filter_map(|o| o.export_name.as_deref())
        .collect();
    if exports.is_empty() {
        return Ok(None);
    }
    let others = app.cloudformation.stacks(&stack.account, &stack.region)?;
    for export in exports {
        let users: Vec<&str> = others
            .iter()
            .filter(|s| s.stack_id != stack.stack_id && s.status != StackStatus::DeleteComplete)
            .filter(|s| s.imports.iter().any(|i| i == export))
            .map(|s| s.name.as_str())
            .collect();
        if !users.is_empty() {
            return Ok(Some(format!(
                "Export {export} cannot be deleted as it is in use by {}",
                users.join(" and ")
            )));
        }
    }
    Ok(None)
}

fn description(stack: &Stack) -> StackDescription {
    let parameters: Vec<Parameter> = stack
        .parameters
        .iter()
        .map(|(k, v)| Parameter {
            parameter_key: k.clone(),
            parameter_value: if stack.no_echo.contains(k) {
                "****".to_owned()
            } else {
                v.clone()
            },
        })
        .collect();
    let outputs: Vec<super::model::Output> = if stack.status.in_progress() {
        Vec::new()
    } else {
        stack
            .outputs
            .iter()
            .map(|o| super::model::Output {
                output_key: o.key.clone(),
                output_value: o.value.clone(),
                description: o.description.clone(),
                export_name: o.export_name.clone(),
            })
            .collect()
    };
    StackDescription {
        stack_id: stack.stack_id.clone(),
        stack_name: stack.name.clone(),
        change_set_id: stack.change_set_id.clone(),
        description: stack.description.clone(),
        parameters: (!parameters.is_empty()).then(|| parameters.into()),
        creation_time: timestamp(stack.creation_millis),
        deletion_time: stack.deletion_millis.map(timestamp),
        last_updated_time: stack.last_updated_millis.map(timestamp),
        rollback_configuration: Empty {},
        stack_status: stack.status.as_str(),
        stack_status_reason: stack.status_reason.clone(),
        disable_rollback: stack.disable_rollback,
        notification_arns: stack.notification_arns.clone().into(),
        timeout_in_minutes: stack.timeout_in_minutes,
        capabilities: (!stack.capabilities.is_empty()).then(|| stack.capabilities.clone().into()),
        outputs: (!outputs.is_empty()).then(|| outputs.into()),
        role_arn: stack.role_arn.clone(),
        tags: stack
            .tags
            .iter()
            .map(|t| Tag {
                key: t.key.clone(),
                value: t.value.clone(),
            })
            .collect::<Vec<_>>()
            .into(),
        // A deleted stack has none (LocalStack's AWS-recorded snapshots of deleted stacks).
        enable_termination_protection: (stack.status != StackStatus::DeleteComplete)
            .then_some(stack.termination_protection),
        drift_information: StackDriftInformation {
            stack_drift_status: "NOT_CHECKED",
        },
    }
}

pub fn describe_stacks(
    app: &App,
    caller: &Caller,
    input: StackNameInput,
) -> Result<DescribeStacksOutput> {
    let stacks = match &input.stack_name {
        Some(name) => {
            let stack = find(app, caller, name)?;
            let resource = stack
                .as_ref()
                .map_or_else(|| stack_pattern(caller, name), |s| s.stack_id.clone());
            authorize(app, caller, "DescribeStacks", &resource)?;
            vec![stack.ok_or_else(|| no_such_stack(name))?]
        }
        None => {
            authorize(app, caller, "DescribeStacks", "*")?;
            app.cloudformation
                .stacks(caller.account(), &caller.region)?
                .into_iter()
                .filter(|s| s.status != StackStatus::DeleteComplete)
                .collect()
        }
    };
    Ok(DescribeStacksOutput {
        stacks: stacks.iter().map(description).collect::<Vec<_>>().into(),
    })
}

pub fn list_stacks(
    app: &App,
    caller: &Caller,
    status_filter: &[String],
) -> Result<ListStacksOutput> {
    authorize(app, caller, "ListStacks", "*")?;
    let summaries: Vec<StackSummary> = app
        .cloudformation
        .stacks(caller.account(), &caller.region)?
        .into_iter()
        .filter(|s| {
            status_filter.is_empty() || status_filter.iter().any(|f| f == s.status.as_str())
        })
        .map(|s| StackSummary {
            stack_id: s.stack_id.clone(),
            stack_name: s.name.clone(),
            template_description: s.description.clone(),
            creation_time: timestamp(s.creation_millis),
            last_updated_time: s.last_updated_millis.map(timestamp),
            deletion_time: s.deletion_millis.map(timestamp),
            stack_status: s.status.as_str(),
            stack_status_reason: s.status_reason.clone(),
            drift_information: StackDriftInformation {
                stack_drift_status: "NOT_CHECKED",
            },
        })
        .collect();
    Ok(ListStacksOutput {
        stack_summaries: summaries.into(),
    })
}

/// The stack a read call names, authorized; `missing` words its absence.
pub(super) fn named(
    app: &App,
    caller: &Caller,
    action: &str,
    name: &str,
    missing: impl FnOnce(&str) -> Error,
) -> Result<Stack> {
    find_authorized(app, caller, action, name)?.ok_or_else(|| missing(name))
}

/// The stack `name` names, if any, once `action` is authorized on it (on its ARN, or the
/// pattern of the name before the stack exists).
pub(super) fn find_authorized(
    app: &App,
    caller: &Caller,
    action: &str,
    name: &str,
) -> Result<Option<Stack>> {
    let stack = find(app, caller, name)?;
    let resource = stack
        .as_ref()
        .map_or_else(|| stack_pattern(caller, name), |s| s.stack_id.clone());
    authorize(app, caller, action, &resource)?;
    Ok(stack)
}

/// Starts the operation `status` names on an existing stack, as `caller`: the stack saved
/// with its "User Initiated" event and, in the same write, the job that carries the
/// operation on; then a moment's wait for it to end ([`settle`]).
pub(super) async fn start(
    app: &App,
    caller: &Caller,
    mut stack: Stack,
    status: StackStatus,
) -> Result<Stack> {
    let now = app.cloudformation.now_millis();
    stack.status = status;
    stack.status_reason = Some("User Initiated".to_owned());
    let event = stack.event(status, Some("User Initiated".to_owned()), now);
    let job = job(&stack, caller);
    let stack_id = stack.stack_id.clone();
    let stack = app
        .cloudformation
        .start_operation(stack, vec![event], Jobs::recorder(job))
        .await
        .map_err(|e| match e {
            // Another call's operation started (or ran) since the stack was read.
            strata_cloudformation::CfnError::InProgress(status)
            | strata_cloudformation::CfnError::Changed(status) => Error::Validation(format!(
                "Stack:{stack_id} is in {status} state and can not be updated."
            )),
            other => other.into(),
        })?;
    app.jobs.wake();
    settle(app, &stack.account, &stack.region, &stack.stack_id).await;
    Ok(stack)
}

pub fn describe_stack_events(
    app: &App,
    caller: &Caller,
    input: StackNameInput,
) -> Result<DescribeStackEventsOutput> {
    let name = input.stack_name.unwrap_or_default();
    let stack = named(app, caller, "DescribeStackEvents", &name, |n| {
        Error::Validation(format!("Stack [{n}] does not exist"))
    })?;
    let events = app
        .cloudformation
        .events(&stack)?
        .into_iter()
        .map(|e| StackEvent {
            stack_id: stack.stack_id.clone(),
            event_id: e.event_id,
            stack_name: stack.name.clone(),
            logical_resource_id: e.logical_id,
            physical_resource_id: e.physical_id,
            resource_type: e.resource_type,
            timestamp: timestamp(e.timestamp_millis),
            resource_status: e.status,
            resource_status_reason: e.reason,
            resource_properties: e.properties,
            client_request_token: e.client_request_token,
        })
        .collect::<Vec<_>>();
    Ok(DescribeStackEventsOutput {
        stack_events: events.into(),
    })
}

fn resource_description(
    stack: &Stack,
    r: &strata_cloudformation::StackResource,
    detail: bool,
) -> StackResourceDescription {
    StackResourceDescription {
        stack_name: stack.name.clone(),
        stack_id: stack.stack_id.clone(),
        logical_resource_id: r.logical_id.clone(),
        physical_resource_id: r.physical_id.clone(),
        resource_type: r.resource_type.clone(),
        timestamp: (!detail).then(|| timestamp(r.updated_millis)),
        last_updated_timestamp: detail.then(|| timestamp(r.updated_millis)),
        resource_status: r.status.clone(),
        resource_status_reason: r.status_reason.clone(),
        metadata: None,
        drift_information: ResourceDriftInformation {
            stack_resource_drift_status: "NOT_CHECKED",
        },
    }
}

/// DescribeStackResources by stack name, or by a resource's physical id (its stack found).
pub fn describe_stack_resources(
    app: &App,
    caller: &Caller,
    stack_name: Option<String>,
    logical_id: Option<String>,
    physical_id: Option<String>,
) -> Result<DescribeStackResourcesOutput> {
    let stack = match (stack_name, physical_id.as_deref()) {
        (Some(_), Some(_)) => {
            return Err(Error::Validation(
                "Cannot specify both StackName and PhysicalResourceId".to_owned(),
            ));
        }
        (Some(name), None) => named(app, caller, "DescribeStackResources", &name, no_such_stack)?,
        (None, Some(physical)) => {
            authorize(app, caller, "DescribeStackResources", "*")?;
            app.cloudformation
                .stacks(caller.account(), &caller.region)?
                .into_iter()
                .filter(|s| s.status != StackStatus::DeleteComplete)
                .find(|s| {
                    s.resources
                        .values()
                        .any(|r| r.physical_id.as_deref() == Some(physical))
                })
                .ok_or_else(|| Error::Validation(format!("Stack for {physical} does not exist")))?
        }
        (None, None) => {
            return Err(Error::Validation(
                "Either StackName or PhysicalResourceId must be specified".to_owned(),
            ));
        }
    };
    let resources: Vec<StackResourceDescription> = stack
        .resources
        .values()
        .filter(|r| logical_id.as_ref().is_none_or(|l| *l == r.logical_id))
        .map(|r| resource_description(&stack, r, false))
        .collect();
    Ok(DescribeStackResourcesOutput {
        stack_resources: resources.into(),
    })
}

pub fn describe_stack_resource(
    app: &App,
    caller: &Caller,
    stack_name: String,
    logical_id: String,
) -> Result<DescribeStackResourceOutput> {
    // This action words a missing stack its own way (LocalStack's AWS-recorded
    // test_describe_non_existent_stack).
    let stack = named(app, caller, "DescribeStackResource", &stack_name, |n| {
        Error::Validation(format!("Stack '{n}' does not exist"))
    })?;
    let resource = stack.resources.get(&logical_id).ok_or_else(|| {
        Error::Validation(format!(
            "Resource {logical_id} does not exist for stack {stack_name}"
        ))
    })?;
    let mut detail = resource_description(&stack, resource, true);
    detail.metadata = super::operation::resolved_metadata(app, &stack, &logical_id)
        .map(|metadata| metadata.to_string());
    Ok(DescribeStackResourceOutput {
        stack_resource_detail: detail,
    })
}

pub fn list_stack_resources(
    app: &App,
    caller: &Caller,
    input: StackNameInput,
) -> Result<ListStackResourcesOutput> {
    let name = input.stack_name.unwrap_or_default();
    let stack = named(app, caller, "ListStackResources", &name, no_such_stack)?;
    let summaries: Vec<StackResourceSummary> = stack
        .resources
        .values()
        .map(|r| StackResourceSummary {
            logical_resource_id: r.logical_id.clone(),
            physical_resource_id: r.physical_id.clone(),
            resource_type: r.resource_type.clone(),
            last_updated_timestamp: timestamp(r.updated_millis),
            resource_status: r.status.clone(),
            resource_status_reason: r.status_reason.clone(),
            drift_information: ResourceDriftInformation {
                stack_resource_drift_status: "NOT_CHECKED",
            },
        })
        .collect();
    Ok(ListStackResourcesOutput {
        stack_resource_summaries: summaries.into(),
    })
}

/// A stack's template, or with `ChangeSetName` (an ARN, or a name with its stack) the
/// change set's. Both `TemplateStage`s are the template: strata has no transforms.
pub fn get_template(
    app: &App,
    caller: &Caller,
    stack_name: Option<String>,
    change_set_name: Option<String>,
    template_stage: Option<String>,
) -> Result<GetTemplateOutput> {
    if let Some(stage) = template_stage.filter(|s| s != "Original" && s != "Processed") {
        return Err(not_in_enum(
            &stage,
            "templateStage",
            &["Original", "Processed"],
        ));
    }
    let template_body = match (change_set_name, stack_name) {
        (Some(change_set_name), stack_name)
            if change_set_name.starts_with("arn:") || stack_name.is_some() =>
        {
            let input = ChangeSetNameInput {
                change_set_name,
                stack_name,
                disable_rollback: None,
                client_request_token: None,
            };
            super::change_sets::named(app, caller, &input, "GetTemplate")?
                .1
                .template_body
        }
        (_, Some(name)) => named(app, caller, "GetTemplate", &name, no_such_stack)?.template_body,
        // LocalStack's AWS-recorded test_get_template_missing_resources_change_set.
        (_, None) => {
            return Err(Error::Validation(
                "StackName is a required parameter.".to_owned(),
            ));
        }
    };
    Ok(GetTemplateOutput {
        template_body,
        stages_available: vec!["Original", "Processed"].into(),
    })
}

pub async fn validate_template(
    app: &App,
    caller: &Caller,
    template_body: Option<String>,
    template_url: Option<String>,
) -> Result<ValidateTemplateOutput> {
    authorize(app, caller, "ValidateTemplate", "*")?;
    let (_, template) = template(
        app,
        caller,
        template_body.as_deref(),
        template_url.as_deref(),
    )
    .await?;
    let capability = required_capability(&template);
    Ok(ValidateTemplateOutput {
        parameters: template
            .parameters
            .iter()
            .map(|(k, d)| TemplateParameter {
                parameter_key: k.clone(),
                default_value: d.default.clone(),
                no_echo: d.no_echo,
                description: d.description.clone(),
            })
            .collect::<Vec<_>>()
            .into(),
        description: template.description.clone(),
        capabilities: capability
            .as_ref()
            .map(|(c, _)| Members::from(vec![(*c).to_owned()])),
        capabilities_reason: capability.map(|(_, types)| {
            format!(
                "The following resource(s) require capabilities: [{}]",
                types.join(", ")
            )
        }),
    })
}

pub fn list_exports(app: &App, caller: &Caller) -> Result<ListExportsOutput> {
    authorize(app, caller, "ListExports", "*")?;
    let exports: Vec<ExportSummary> = app
        .cloudformation
        .exports(caller.account(), &caller.region)?
        .into_iter()
        .map(|e| ExportSummary {
            exporting_stack_id: e.stack_id,
            name: e.name,
            value: e.value,
        })
        .collect();
    Ok(ListExportsOutput {
        exports: exports.into(),
    })
}

pub async fn update_termination_protection(
    app: &App,
    caller: &Caller,
    stack_name: String,
    enable: bool,
) -> Result<StackIdOutput> {
    let stack = named(
        app,
        caller,
        "UpdateTerminationProtection",
        &stack_name,
        no_such_stack,
    )?;
    let stack = app
        .cloudformation
        .edit_stack(&stack, move |stack| {
            // Any status but the deleting ones [M UpdateTerminationProtection]; the texts
            // are those of a deleted stack and of a stack that cannot be updated.
            match stack.status {
                StackStatus::DeleteComplete => return Err(no_such_stack(&stack.stack_id)),
                StackStatus::DeleteInProgress => {
                    return Err(Error::Validation(format!(
                        "Stack:{} is in DELETE_IN_PROGRESS state and can not be updated.",
                        stack.stack_id
                    )));
                }
                _ => {}
            }
            stack.termination_protection = enable;
            Ok(Vec::new())
        })
        .await?;
    Ok(StackIdOutput {
        stack_id: stack.stack_id,
    })
}

pub fn list_imports(app: &App, caller: &Caller, export_name: String) -> Result<ListImportsOutput> {
    authorize(app, caller, "ListImports", "*")?;
    let importers: Vec<String> = app
        .cloudformation
        .stacks(caller.account(), &caller.region)?
        .into_iter()
        .filter(|s| s.status != StackStatus::DeleteComplete && s.imports.contains(&export_name))
        .map(|s| s.name)
        .collect();
    if importers.is_empty() {
        return Err(Error::Validation(format!(
            "Export '{export_name}' is not imported by any stack."
        )));
    }
    Ok(ListImportsOutput {
        imports: importers.into(),
    })
}
