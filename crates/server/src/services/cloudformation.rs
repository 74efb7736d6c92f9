//! CloudFormation over the Query protocol (`2010-05-15`): parameters decoded into the
//! application's typed inputs (lists as `Name.member.N`), run by `strata_app::cloudformation`,
//! outputs written as the action's `…Result` XML; errors in CloudFormation's codes (spec
//! cloudformation §1).

use http::StatusCode;
use strata_app::cloudformation::model::{
    ChangeSetNameInput, CreateChangeSetInput, CreateStackInput, DeleteStackInput, ParameterInput,
    StackNameInput, Tag, UpdateStackInput,
};
use strata_app::cloudformation::{Error, change_sets, stacks};
use strata_app::{App, Caller};

use crate::protocol::AwsError;
use crate::protocol::query::{Params, QueryService, Result as Rendered, invalid_action, rendered};

impl From<Error> for AwsError {
    fn from(e: Error) -> Self {
        let (code, status) = match &e {
            Error::Validation(_) => ("ValidationError", StatusCode::BAD_REQUEST),
            Error::AlreadyExists(_) => ("AlreadyExistsException", StatusCode::BAD_REQUEST),
            Error::InsufficientCapabilities(_) => {
                ("InsufficientCapabilitiesException", StatusCode::BAD_REQUEST)
            }
            Error::ChangeSetNotFound(_) => ("ChangeSetNotFound", StatusCode::NOT_FOUND),
            Error::InvalidChangeSetStatus(_) => ("InvalidChangeSetStatus", StatusCode::BAD_REQUEST),
            Error::AccessDenied(_) => ("AccessDenied", StatusCode::FORBIDDEN),
            Error::Unavailable(_) => ("ServiceUnavailable", StatusCode::SERVICE_UNAVAILABLE),
            Error::Internal(why) => {
                tracing::error!(error = %why, "CloudFormation failed inside strata");
                ("InternalFailure", StatusCode::INTERNAL_SERVER_ERROR)
            }
        };
        AwsError::new(code, status, e.to_string())
    }
}

fn validation(message: String) -> AwsError {
    AwsError::new("ValidationError", StatusCode::BAD_REQUEST, message)
}

/// A required parameter, with the model's `1 validation error detected` text.
fn required(params: &Params, name: &str, member: &str) -> Result<String, AwsError> {
    params.get(name).map(str::to_owned).ok_or_else(|| {
        validation(format!(
            "1 validation error detected: Value null at '{member}' failed to satisfy constraint: Member must not be null"
        ))
    })
}

fn optional(params: &Params, name: &str) -> Option<String> {
    params.get(name).map(str::to_owned)
}

fn flag(params: &Params, name: &str) -> Result<Option<bool>, AwsError> {
    match params.get(name) {
        None => Ok(None),
        Some("true") => Ok(Some(true)),
        Some("false") => Ok(Some(false)),
        Some(other) => Err(validation(format!(
            "1 validation error detected: Value '{other}' at '{name}' failed to satisfy constraint: Member must be a boolean"
        ))),
    }
}

/// A stack name: `[a-zA-Z][-a-zA-Z0-9]*`, at most 128 characters, or a stack ARN.
fn stack_name(params: &Params) -> Result<String, AwsError> {
    let name = required(params, "StackName", "stackName")?;
    let valid_name = name.len() <= 128
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if !valid_name && !name.starts_with("arn:") {
        return Err(validation(format!(
            "1 validation error detected: Value '{name}' at 'stackName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*|arn:[-a-zA-Z0-9:/._+]*"
        )));
    }
    Ok(name)
}

fn parameters(params: &Params) -> Vec<ParameterInput> {
    params
        .structs("Parameters", "ParameterKey")
        .into_iter()
        .map(|i| ParameterInput {
            key: params
                .field("Parameters", i, "ParameterKey")
                .unwrap_or_default(),
            value: params.field("Parameters", i, "ParameterValue"),
            use_previous_value: params
                .field("Parameters", i, "UsePreviousValue")
                .is_some_and(|v| v == "true"),
        })
        .collect()
}

fn tags(params: &Params) -> Vec<Tag> {
    params
        .key_values("Tags")
        .into_iter()
        .map(|(key, value)| Tag { key, value })
        .collect()
}

/// A change set name: `[a-zA-Z][-a-zA-Z0-9]*`, or a change set ARN.
fn change_set_name(params: &Params) -> Result<String, AwsError> {
    let name = required(params, "ChangeSetName", "changeSetName")?;
    let valid_name = name.len() <= 128
        && name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if !valid_name && !name.starts_with("arn:") {
        return Err(validation(format!(
            "1 validation error detected: Value '{name}' at 'changeSetName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*|arn:[-a-zA-Z0-9:/]*"
        )));
    }
    Ok(name)
}

fn change_set_input(params: &Params) -> Result<ChangeSetNameInput, AwsError> {
    Ok(ChangeSetNameInput {
        change_set_name: change_set_name(params)?,
        stack_name: optional(params, "StackName"),
        disable_rollback: flag(params, "DisableRollback")?,
        client_request_token: optional(params, "ClientRequestToken"),
    })
}

fn create_stack_input(params: &Params) -> Result<CreateStackInput, AwsError> {
    let parameters = parameters(params);
    let tags = tags(params);
    Ok(CreateStackInput {
        client_request_token: optional(params, "ClientRequestToken"),
        stack_name: stack_name(params)?,
        template_body: optional(params, "TemplateBody"),
        template_url: optional(params, "TemplateURL"),
        parameters,
        capabilities: params.members("Capabilities"),
        resource_types: params.members("ResourceTypes"),
        disable_rollback: flag(params, "DisableRollback")?,
        on_failure: optional(params, "OnFailure"),
        timeout_in_minutes: params.get("TimeoutInMinutes").and_then(|t| t.parse().ok()),
        tags,
        role_arn: optional(params, "RoleARN"),
        notification_arns: params.members("NotificationARNs"),
        enable_termination_protection: flag(params, "EnableTerminationProtection")?,
    })
}

fn name_input(params: &Params) -> StackNameInput {
    StackNameInput {
        stack_name: optional(params, "StackName"),
    }
}

/// Runs a CloudFormation action for an authenticated caller.
pub async fn handle(app: &App, caller: &Caller, action: &str, params: &Params) -> Rendered {
    match action {
        "CreateStack" => {
            let input = create_stack_input(params)?;
            rendered(action, stacks::create_stack(app, caller, input).await)
        }
        "DeleteStack" => {
            let input = DeleteStackInput {
                stack_name: stack_name(params)?,
                retain_resources: params.members("RetainResources"),
                deletion_mode: optional(params, "DeletionMode"),
                client_request_token: optional(params, "ClientRequestToken"),
            };
            stacks::delete_stack(app, caller, input).await?;
            Ok(None)
        }
        "DescribeStacks" => rendered(
            action,
            stacks::describe_stacks(app, caller, name_input(params)),
        ),
        "ListStacks" => {
            let filter = params.members("StackStatusFilter");
            rendered(action, stacks::list_stacks(app, caller, &filter))
        }
        "DescribeStackEvents" => rendered(
            action,
            stacks::describe_stack_events(
                app,
                caller,
                StackNameInput {
                    stack_name: Some(stack_name(params)?),
                },
            ),
        ),
        "DescribeStackResources" => rendered(
            action,
            stacks::describe_stack_resources(
                app,
                caller,
                optional(params, "StackName"),
                optional(params, "LogicalResourceId"),
                optional(params, "PhysicalResourceId"),
            ),
        ),
        "DescribeStackResource" => {
            let name = stack_name(params)?;
            let logical = required(params, "LogicalResourceId", "logicalResourceId")?;
            rendered(
                action,
                stacks::describe_stack_resource(app, caller, name, logical),
            )
        }
        "ListStackResources" => {
            let input = StackNameInput {
                stack_name: Some(stack_name(params)?),
            };
            rendered(action, stacks::list_stack_resources(app, caller, input))
        }
        "GetTemplate" => rendered(
            action,
            stacks::get_template(
                app,
                caller,
                optional(params, "StackName"),
                optional(params, "ChangeSetName"),
                optional(params, "TemplateStage"),
            ),
        ),
        "ValidateTemplate" => rendered(
            action,
            stacks::validate_template(
                app,
                caller,
                optional(params, "TemplateBody"),
                optional(params, "TemplateURL"),
            )
            .await,
        ),
        "ListExports" => rendered(action, stacks::list_exports(app, caller)),
        "UpdateTerminationProtection" => {
            let name = stack_name(params)?;
            let enable = flag(params, "EnableTerminationProtection")?.ok_or_else(|| {
                validation("1 validation error detected: Value null at 'enableTerminationProtection' failed to satisfy constraint: Member must not be null".to_owned())
            })?;
            rendered(
                action,
                stacks::update_termination_protection(app, caller, name, enable).await,
            )
        }
        "UpdateStack" => {
            let input = UpdateStackInput {
                client_request_token: optional(params, "ClientRequestToken"),
                stack_name: stack_name(params)?,
                template_body: optional(params, "TemplateBody"),
                template_url: optional(params, "TemplateURL"),
                use_previous_template: flag(params, "UsePreviousTemplate")?.unwrap_or(false),
                parameters: parameters(params),
                capabilities: params.members("Capabilities"),
                resource_types: params.members("ResourceTypes"),
                // `Tags=` (an empty list) removes them all; no Tags keeps them.
                tags: (params.get("Tags.member.1.Key").is_some() || params.get("Tags").is_some())
                    .then(|| tags(params)),
                disable_rollback: flag(params, "DisableRollback")?,
                role_arn: optional(params, "RoleARN"),
            };
            rendered(action, change_sets::update_stack(app, caller, input).await)
        }
        "CreateChangeSet" => {
            let input = CreateChangeSetInput {
                stack_name: stack_name(params)?,
                change_set_name: change_set_name(params)?,
                change_set_type: optional(params, "ChangeSetType"),
                template_body: optional(params, "TemplateBody"),
                template_url: optional(params, "TemplateURL"),
                use_previous_template: flag(params, "UsePreviousTemplate")?.unwrap_or(false),
                parameters: parameters(params),
                capabilities: params.members("Capabilities"),
                resource_types: params.members("ResourceTypes"),
                tags: (params.get("Tags.member.1.Key").is_some() || params.get("Tags").is_some())
                    .then(|| tags(params)),
                role_arn: optional(params, "RoleARN"),
                notification_arns: params.members("NotificationARNs"),
                description: optional(params, "Description"),
                on_stack_failure: optional(params, "OnStackFailure"),
            };
            rendered(
                action,
                change_sets::create_change_set(app, caller, input).await,
            )
        }
        "DescribeChangeSet" => {
            let input = change_set_input(params)?;
            rendered(action, change_sets::describe_change_set(app, caller, input))
        }
        "ExecuteChangeSet" => {
            let input = change_set_input(params)?;
            change_sets::execute_change_set(app, caller, input).await?;
            rendered(
                action,
                Ok::<_, AwsError>(strata_app::cloudformation::model::Empty {}),
            )
        }
        "DeleteChangeSet" => {
            let input = change_set_input(params)?;
            change_sets::delete_change_set(app, caller, input).await?;
            rendered(
                action,
                Ok::<_, AwsError>(strata_app::cloudformation::model::Empty {}),
            )
        }
        "ListChangeSets" => {
            let name = stack_name(params)?;
            rendered(action, change_sets::list_change_sets(app, caller, name))
        }
        "GetTemplateSummary" => rendered(
            action,
            change_sets::get_template_summary(
                app,
                caller,
                optional(params, "StackName"),
                optional(params, "TemplateBody"),
                optional(params, "TemplateURL"),
            )
            .await,
        ),
        "ListImports" => {
            let name = required(params, "ExportName", "exportName")?;
            rendered(action, stacks::list_imports(app, caller, name))
        }
        other => Err(invalid_action(other, QueryService::CloudFormation)),
    }
}
