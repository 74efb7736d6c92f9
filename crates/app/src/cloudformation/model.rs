//! CloudFormation's typed inputs and outputs. Outputs serialize as the Query protocol's
//! `…Result` elements (PascalCase members, lists as `<member>`s; spec cloudformation §1, §2.3).

use serde::Serialize;

use crate::iam::model::Members;

/// A parameter value as a request gives it.
#[derive(Clone, Debug, Default)]
pub struct ParameterInput {
    pub key: String,
    pub value: Option<String>,
    pub use_previous_value: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Tag {
    pub key: String,
    pub value: String,
}

/// CreateStack's input (UpdateStack's and CreateChangeSet's share most of it).
#[derive(Clone, Debug, Default)]
pub struct CreateStackInput {
    pub stack_name: String,
    pub template_body: Option<String>,
    pub template_url: Option<String>,
    pub parameters: Vec<ParameterInput>,
    pub capabilities: Vec<String>,
    /// `ResourceTypes`: the types the template may hold (none: any).
    pub resource_types: Vec<String>,
    pub disable_rollback: Option<bool>,
    /// `ROLLBACK`, `DO_NOTHING` or `DELETE`.
    pub on_failure: Option<String>,
    pub timeout_in_minutes: Option<u32>,
    pub tags: Vec<Tag>,
    pub role_arn: Option<String>,
    pub notification_arns: Vec<String>,
    pub enable_termination_protection: Option<bool>,
    /// `ClientRequestToken`: carried by every event of the operation the call starts.
    pub client_request_token: Option<String>,
}

/// The input of calls that name a stack (DescribeStacks, DeleteStack, …).
#[derive(Clone, Debug, Default)]
pub struct StackNameInput {
    pub stack_name: Option<String>,
}

/// DeleteStack's input.
#[derive(Debug, Default)]
pub struct DeleteStackInput {
    pub stack_name: String,
    /// Logical ids kept rather than deleted, for a stack in `DELETE_FAILED`.
    pub retain_resources: Vec<String>,
    /// `STANDARD` (the default) or `FORCE_DELETE_STACK`.
    pub deletion_mode: Option<String>,
    /// `ClientRequestToken`: carried by every event of the operation the call starts.
    pub client_request_token: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct StackIdOutput {
    pub stack_id: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Parameter {
    pub parameter_key: String,
    pub parameter_value: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Output {
    pub output_key: String,
    pub output_value: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub export_name: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct StackDriftInformation {
    pub stack_drift_status: &'static str,
}

pub use crate::Empty;

/// `Stack` (spec §2.3).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct StackDescription {
    pub stack_id: String,
    pub stack_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change_set_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Members<Parameter>>,
    pub creation_time: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deletion_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_updated_time: Option<String>,
    pub rollback_configuration: Empty,
    pub stack_status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stack_status_reason: Option<String>,
    pub disable_rollback: bool,
    #[serde(rename = "NotificationARNs")]
    pub notification_arns: Members<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_in_minutes: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capabilities: Option<Members<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outputs: Option<Members<Output>>,
    #[serde(rename = "RoleARN", skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    pub tags: Members<Tag>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enable_termination_protection: Option<bool>,
    pub drift_information: StackDriftInformation,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeStacksOutput {
    pub stacks: Members<StackDescription>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct StackSummary {
    pub stack_id: String,
    pub stack_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template_description: Option<String>,
    pub creation_time: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_updated_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deletion_time: Option<String>,
    pub stack_status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stack_status_reason: Option<String>,
    pub drift_information: StackDriftInformation,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListStacksOutput {
    pub stack_summaries: Members<StackSummary>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct StackEvent {
    pub stack_id: String,
    pub event_id: String,
    pub stack_name: String,
    pub logical_resource_id: String,
    pub physical_resource_id: String,
    pub resource_type: String,
    pub timestamp: String,
    pub resource_status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_status_reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_properties: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_request_token: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeStackEventsOutput {
    pub stack_events: Members<StackEvent>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResourceDriftInformation {
    pub stack_resource_drift_status: &'static str,
}

/// `StackResource` (DescribeStackResources) and `StackResourceDetail` (DescribeStackResource).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct StackResourceDescription {
    pub stack_name: String,
    pub stack_id: String,
    pub logical_resource_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub physical_resource_id: Option<String>,
    pub resource_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_updated_timestamp: Option<String>,
    pub resource_status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_status_reason: Option<String>,
    /// DescribeStackResource's: the template's `Metadata` for it, resolved, as JSON text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<String>,
    pub drift_information: ResourceDriftInformation,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeStackResourcesOutput {
    pub stack_resources: Members<StackResourceDescription>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeStackResourceOutput {
    pub stack_resource_detail: StackResourceDescription,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct StackResourceSummary {
    pub logical_resource_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub physical_resource_id: Option<String>,
    pub resource_type: String,
    pub last_updated_timestamp: String,
    pub resource_status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource_status_reason: Option<String>,
    pub drift_information: ResourceDriftInformation,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListStackResourcesOutput {
    pub stack_resource_summaries: Members<StackResourceSummary>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetTemplateOutput {
    pub template_body: String,
    pub stages_available: Members<&'static str>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct TemplateParameter {
    pub parameter_key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_value: Option<String>,
    pub no_echo: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ValidateTemplateOutput {
    pub parameters: Members<TemplateParameter>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capabilities: Option<Members<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capabilities_reason: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ExportSummary {
    pub exporting_stack_id: String,
    pub name: String,
    pub value: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListExportsOutput {
    pub exports: Members<ExportSummary>,
}

/// A timestamp as CloudFormation writes one: `2024-05-01T12:34:56.789Z`.
pub use strata_cloudformation::iso_millis as timestamp;

/// UpdateStack's input.
#[derive(Clone, Debug, Default)]
pub struct UpdateStackInput {
    pub stack_name: String,
    pub template_body: Option<String>,
    pub template_url: Option<String>,
    pub use_previous_template: bool,
    pub parameters: Vec<ParameterInput>,
    pub capabilities: Vec<String>,
    /// `ResourceTypes`: the types the template may hold (none: any).
    pub resource_types: Vec<String>,
    pub tags: Option<Vec<Tag>>,
    pub disable_rollback: Option<bool>,
    /// A new service role for this and later operations.
    pub role_arn: Option<String>,
    /// `ClientRequestToken`: carried by every event of the operation the call starts.
    pub client_request_token: Option<String>,
}

/// CreateChangeSet's input.
#[derive(Clone, Debug, Default)]
pub struct CreateChangeSetInput {
    pub stack_name: String,
    pub change_set_name: String,
    /// `CREATE` or `UPDATE` (the default).
    pub change_set_type: Option<String>,
    pub template_body: Option<String>,
    pub template_url: Option<String>,
    pub use_previous_template: bool,
    pub parameters: Vec<ParameterInput>,
    pub capabilities: Vec<String>,
    /// `ResourceTypes`: the types the template may hold (none: any).
    pub resource_types: Vec<String>,
    /// `Tags=` (an empty list) removes them all; none keeps the stack's.
    pub tags: Option<Vec<Tag>>,
    pub role_arn: Option<String>,
    pub notification_arns: Vec<String>,
    pub description: Option<String>,
    /// `ROLLBACK`, `DO_NOTHING` or `DELETE` (CREATE change sets only).
    pub on_stack_failure: Option<String>,
}

/// The input of calls naming a change set.
#[derive(Clone, Debug, Default)]
pub struct ChangeSetNameInput {
    pub change_set_name: String,
    pub stack_name: Option<String>,
    pub disable_rollback: Option<bool>,
    /// `ClientRequestToken`: carried by every event of the operation the call starts.
    pub client_request_token: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateChangeSetOutput {
    pub id: String,
    pub stack_id: String,
}

/// DescribeChangeSet's output (spec §3).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeChangeSetOutput {
    pub change_set_name: String,
    pub change_set_id: String,
    pub stack_id: String,
    pub stack_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameters: Option<Members<Parameter>>,
    pub creation_time: String,
    pub execution_status: String,
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_reason: Option<String>,
    #[serde(rename = "NotificationARNs")]
    pub notification_arns: Members<String>,
    pub rollback_configuration: Empty,
    /// Always present, empty when none were acknowledged; `Tags` only when there are some, as
    /// AWS answers (LocalStack's AWS-recorded snapshots of DescribeChangeSet).
    pub capabilities: Members<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<Members<Tag>>,
    pub changes: Members<Change>,
    pub include_nested_stacks: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_stack_failure: Option<String>,
}

/// One of DescribeChangeSet's `Changes`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Change {
    #[serde(rename = "Type")]
    pub change_type: &'static str,
    pub resource_change: ResourceChange,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResourceChange {
    pub action: String,
    pub logical_resource_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub physical_resource_id: Option<String>,
    pub resource_type: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replacement: Option<String>,
    pub scope: Members<String>,
    pub details: Members<ResourceChangeDetail>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResourceChangeDetail {
    pub target: ResourceTargetDefinition,
    pub evaluation: String,
    pub change_source: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub causing_entity: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResourceTargetDefinition {
    pub attribute: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub requires_recreation: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ChangeSetSummary {
    pub stack_id: String,
    pub stack_name: String,
    pub change_set_id: String,
    pub change_set_name: String,
    pub execution_status: String,
    pub status: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_reason: Option<String>,
    pub creation_time: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub include_nested_stacks: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListChangeSetsOutput {
    pub summaries: Members<ChangeSetSummary>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ParameterConstraints {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_values: Option<Members<String>>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ParameterDeclaration {
    pub parameter_key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_value: Option<String>,
    pub parameter_type: String,
    pub no_echo: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    pub parameter_constraints: ParameterConstraints,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct GetTemplateSummaryOutput {
    pub parameters: Members<ParameterDeclaration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capabilities: Option<Members<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capabilities_reason: Option<String>,
    pub resource_types: Members<String>,
    pub version: &'static str,
    /// The template's `Metadata`, as JSON text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<String>,
    /// Per importable type, the template's resources of it and the properties that identify
    /// one.
    pub resource_identifier_summaries: Members<ResourceIdentifierSummary>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResourceIdentifierSummary {
    pub resource_type: String,
    pub logical_resource_ids: Members<String>,
    pub resource_identifiers: Members<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ListImportsOutput {
    pub imports: Members<String>,
}
