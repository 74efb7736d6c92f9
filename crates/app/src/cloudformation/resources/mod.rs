//! The resource types a stack can hold, each created and deleted through the application
//! layer as the stack's caller (spec cloudformation §5): what a handler answers is the
//! physical id, `Ref` and `Fn::GetAtt` values; a refusal is the handler's message as
//! CloudFormation reports it in the resource's event (spec §6).

mod bucket_policy;
mod bucket_rules;
mod dynamodb_table;
mod iam_managed_policy;
mod iam_role;
mod iam_user;
mod kms_key;
mod s3_bucket;
mod schema;

use std::collections::BTreeMap;

use serde_json::Value;
use strata_cloudformation::{Stack, StackResource};

use crate::{App, Caller};

pub use schema::{attributes, primary_identifier, taggable};

/// What a handler works with.
pub struct Provision<'a> {
    pub app: &'a App,
    /// Who the calls are made as.
    pub caller: &'a Caller,
    pub stack: &'a Stack,
    pub logical_id: &'a str,
    /// The name a create gives a resource the template leaves unnamed ([`planned_name`]).
    pub name: Option<&'a str>,
}

impl Provision<'_> {
    /// The resource's name: the template's `key`, else the planned one, else generated.
    pub fn name_for(
        &self,
        properties: &Value,
        key: &str,
        limit: usize,
        lowercase: bool,
    ) -> Result<String, String> {
        Ok(match optional_str(self, properties, key)? {
            Some(name) => name.to_owned(),
            None => self.name.map_or_else(
                || generated_name(self.stack, self.logical_id, limit, lowercase),
                str::to_owned,
            ),
        })
    }
}

/// How each type names what it creates: the property, the service's length limit, and
/// whether the service wants lower case. `None` for types whose id the service picks.
fn naming(resource_type: &str) -> Option<(&'static str, usize, bool)> {
    match resource_type {
        "AWS::DynamoDB::Table" => Some(("TableName", 255, false)),
        "AWS::S3::Bucket" => Some(("BucketName", 63, true)),
        "AWS::IAM::Role" => Some(("RoleName", 64, false)),
        "AWS::IAM::User" => Some(("UserName", 64, false)),
        "AWS::IAM::ManagedPolicy" => Some(("ManagedPolicyName", 128, false)),
        _ => None,
    }
}

/// The physical id a create will produce, decided before the call (spec §5.3), so one cut
/// short can be found and removed; `None` when the service picks it.
pub fn planned_name(
    resource_type: &str,
    properties: &Value,
    stack: &Stack,
    logical_id: &str,
) -> Option<String> {
    let (key, limit, lowercase) = naming(resource_type)?;
    Some(match properties.get(key).and_then(Value::as_str) {
        Some(name) => name.to_owned(),
        None => generated_name(stack, logical_id, limit, lowercase),
    })
}

/// A resource as created.
pub struct Created {
    pub physical_id: String,
    pub reference: Value,
    pub attributes: BTreeMap<String, Value>,
}

/// The types stacks can hold today.
const SUPPORTED: [&str; 10] = [
    "AWS::DynamoDB::Table",
    "AWS::S3::Bucket",
    "AWS::S3::BucketPolicy",
    "AWS::IAM::Role",
    "AWS::IAM::Policy",
    "AWS::IAM::ManagedPolicy",
    "AWS::IAM::User",
    "AWS::IAM::AccessKey",
    "AWS::KMS::Key",
    "AWS::KMS::Alias",
];

pub fn supported(resource_type: &str) -> bool {
    SUPPORTED.contains(&resource_type)
}

/// Creates a resource of `resource_type` from its resolved properties; the error is the
/// event's reason.
pub async fn create(
    provision: &Provision<'_>,
    resource_type: &str,
    properties: &Value,
) -> Result<Created, String> {
    schema::check(provision, resource_type, properties)?;
    match resource_type {
        "AWS::DynamoDB::Table" => dynamodb_table::create(provision, properties).await,
        "AWS::S3::Bucket" => s3_bucket::create(provision, properties).await,
        "AWS::S3::BucketPolicy" => bucket_policy::create(provision, properties).await,
        "AWS::IAM::Role" => iam_role::create(provision, properties).await,
        "AWS::IAM::Policy" => iam_role::create_policy(provision, properties).await,
        "AWS::IAM::ManagedPolicy" => iam_managed_policy::create(provision, properties).await,
        "AWS::IAM::User" => iam_user::create(provision, properties).await,
        "AWS::IAM::AccessKey" => iam_user::create_key(provision, properties).await,
        "AWS::KMS::Key" => kms_key::create(provision, properties).await,
        "AWS::KMS::Alias" => kms_key::create_alias(provision, properties).await,
        other => Err(format!("Unrecognized resource type {other}")),
    }
}

/// Whether changing a resource's properties from `old` to `new` needs a new physical
/// resource (spec §5.2).
pub fn requires_replacement(resource_type: &str, old: &Value, new: &Value) -> bool {
    match resource_type {
        "AWS::DynamoDB::Table" => dynamodb_table::requires_replacement(old, new),
        "AWS::S3::Bucket" => s3_bucket::requires_replacement(old, new),
        "AWS::S3::BucketPolicy" => bucket_policy::requires_replacement(old, new),
        "AWS::IAM::Role" => iam_role::requires_replacement(old, new),
        "AWS::IAM::Policy" => false,
        "AWS::IAM::ManagedPolicy" => iam_managed_policy::requires_replacement(old, new),
        "AWS::IAM::User" => iam_user::requires_replacement(old, new),
        "AWS::IAM::AccessKey" => iam_user::key_requires_replacement(old, new),
        "AWS::KMS::Key" => kms_key::requires_replacement(old, new),
        "AWS::KMS::Alias" => kms_key::alias_requires_replacement(old, new),
        _ => true,
    }
}

/// The property that names the resource, when the template may set it: a resource named
/// by the template cannot be replaced under the same name (spec §2.5).
pub fn name_property(resource_type: &str) -> Option<&'static str> {
    match resource_type {
        "AWS::DynamoDB::Table" => Some("TableName"),
        "AWS::S3::Bucket" => Some("BucketName"),
        "AWS::IAM::Role" => Some("RoleName"),
        "AWS::IAM::User" => Some("UserName"),
        "AWS::IAM::ManagedPolicy" => Some("ManagedPolicyName"),
        _ => None,
    }
}

/// Applies `new` properties to an existing resource in place, once its schema admits them.
pub async fn update(
    provision: &Provision<'_>,
    resource: &StackResource,
    new: &Value,
) -> Result<Created, String> {
    schema::check(provision, &resource.resource_type, new)?;
    restore(provision, resource, new).await
}

/// Sets an existing resource back to the properties it had: a rollback, which must not fail
/// on what its schema check would refuse today.
pub async fn restore(
    provision: &Provision<'_>,
    resource: &StackResource,
    new: &Value,
) -> Result<Created, String> {
    let physical_id = resource.physical_id.as_deref().unwrap_or_default();
    let old = &resource.properties;
    match resource.resource_type.as_str() {
        "AWS::DynamoDB::Table" => dynamodb_table::update(provision, physical_id, old, new).await,
        "AWS::S3::Bucket" => s3_bucket::update(provision, physical_id, old, new).await,
        "AWS::S3::BucketPolicy" => bucket_policy::update(provision, new).await,
        "AWS::IAM::Role" => iam_role::update(provision, physical_id, old, new).await,
        "AWS::IAM::Policy" => iam_role::update_policy(provision, physical_id, old, new).await,
        "AWS::IAM::ManagedPolicy" => {
            iam_managed_policy::update(provision, physical_id, old, new).await
        }
        "AWS::IAM::User" => iam_user::update(provision, physical_id, old, new).await,
        "AWS::IAM::AccessKey" => iam_user::update_key(provision, physical_id, new).await,
        "AWS::KMS::Key" => kms_key::update(provision, physical_id, old, new).await,
        "AWS::KMS::Alias" => kms_key::update_alias(provision, physical_id, new).await,
        other => Err(format!("Unrecognized resource type {other}")),
    }
}

/// Whether the resource named `physical_id` was made at or after `since` (ms, server clock):
/// the proof that a create cut short by a crash made it, before the rollback deletes it by
/// its planned name. A resource of that name made earlier belongs to someone else.
pub fn made_since(app: &App, stack: &Stack, target: &StackResource, since: i64) -> bool {
    let account = stack.account.as_str();
    let physical_id = target.physical_id.as_deref().unwrap_or_default();
    let resource_type = target.resource_type.as_str();
    let millis = |t: jiff::Timestamp| t.as_millisecond();
    match resource_type {
        "AWS::DynamoDB::Table" => {
            app.dynamodb
                .table(
                    strata_dynamodb::Scope {
                        account,
                        region: &stack.region,
                    },
                    physical_id,
                )
                .is_ok_and(|t| t.def.creation_micros / 1000 >= since)
                || dynamodb_table::importing(app, account, &stack.region, physical_id, since * 1000)
        }
        "AWS::S3::Bucket" => app
            .s3
            .bucket(physical_id)
            .is_ok_and(|b| b.owner == account && b.created_micros / 1000 >= since),
        "AWS::IAM::Role" | "AWS::IAM::User" | "AWS::IAM::ManagedPolicy" => {
            let Ok(iam_account) = strata_iam::AccountId::parse(account) else {
                return false;
            };
            let created = match resource_type {
                "AWS::IAM::Role" => app
                    .iam
                    .find_role(&iam_account, physical_id)
                    .ok()
                    .flatten()
                    .map(|r| r.create_date),
                "AWS::IAM::User" => app
                    .iam
                    .get_user(&iam_account, physical_id)
                    .ok()
                    .map(|u| u.create_date),
                _ => {
                    let arn = iam_managed_policy::arn_of(account, physical_id, &target.properties);
                    app.iam
                        .get_policy(&iam_account, &arn)
                        .ok()
                        .map(|p| p.create_date)
                }
            };
            created.is_some_and(|t| millis(t) >= since)
        }
        _ => false,
    }
}

/// The delete of a resource never made: nothing to do, but for an `AWS::IAM::Policy`
/// whose properties its handler refuses, which fails its delete as AWS records it.
pub fn check_delete(resource: &StackResource) -> Result<(), String> {
    match resource.resource_type.as_str() {
        "AWS::IAM::Policy" => iam_role::no_targets(&resource.properties),
        _ => Ok(()),
    }
}

/// Deletes a resource; one already gone counts as deleted.
pub async fn delete(provision: &Provision<'_>, resource: &StackResource) -> Result<(), String> {
    let physical_id = resource.physical_id.as_deref().unwrap_or_default();
    match resource.resource_type.as_str() {
        "AWS::DynamoDB::Table" => dynamodb_table::delete(provision, physical_id).await,
        "AWS::S3::Bucket" => s3_bucket::delete(provision, physical_id).await,
        "AWS::S3::BucketPolicy" => bucket_policy::delete(provision, physical_id).await,
        "AWS::IAM::Role" => iam_role::delete(provision, physical_id).await,
        "AWS::IAM::Policy" => iam_role::delete_policy_of(provision, &resource.properties).await,
        "AWS::IAM::ManagedPolicy" => {
            iam_managed_policy::delete(provision, physical_id, &resource.properties).await
        }
        "AWS::IAM::User" => iam_user::delete(provision, physical_id).await,
        "AWS::IAM::AccessKey" => {
            iam_user::delete_key(provision, physical_id, &resource.properties).await
        }
        "AWS::KMS::Key" => kms_key::delete(provision, physical_id, &resource.properties).await,
        "AWS::KMS::Alias" => kms_key::delete_alias(provision, physical_id).await,
        other => Err(format!("Unrecognized resource type {other}")),
    }
}

/// The reason of a resource a service refused: `Resource handler returned message: "…"
/// (RequestToken: …, HandlerErrorCode: …)` (spec §6).
pub fn handler_error(message: &str, service: &str, status: u16, code: &str) -> String {
    format!(
        "Resource handler returned message: \"{message} (Service: {service}, Status Code: {status}, Request ID: {})\" (RequestToken: {}, HandlerErrorCode: {code})",
        crate::request_id::query(),
        uuid::Uuid::new_v4()
    )
}

/// A properties error, as CloudFormation's schema validation words it.
pub fn invalid(provision: &Provision<'_>, detail: &str) -> String {
    format!(
        "Properties validation failed for resource {} with message: {detail}",
        provision.logical_id
    )
}

/// A required string property.
pub fn required_str<'v>(
    provision: &Provision<'_>,
    properties: &'v Value,
    key: &str,
) -> Result<&'v str, String> {
    match properties.get(key) {
        Some(Value::String(s)) => Ok(s),
        Some(other) => Err(invalid(
            provision,
            &format!("#/{key}: expected type: String, found: {}", kind(other)),
        )),
        None => Err(invalid(
            provision,
            &format!("#: required key [{key}] not found"),
        )),
    }
}

/// A policy document as the template writes it: an object, or its JSON text.
pub fn policy_document(
    p: &Provision<'_>,
    value: Option<&Value>,
    key: &str,
) -> Result<String, String> {
    match value {
        Some(Value::String(text)) => Ok(text.clone()),
        Some(object @ Value::Object(_)) => Ok(object.to_string()),
        _ => Err(invalid(p, &format!("#: required key [{key}] not found"))),
    }
}

/// An optional string property.
pub fn optional_str<'v>(
    provision: &Provision<'_>,
    properties: &'v Value,
    key: &str,
) -> Result<Option<&'v str>, String> {
    match properties.get(key) {
        None => Ok(None),
        Some(_) => required_str(provision, properties, key).map(Some),
    }
}

/// An optional boolean property (`true`, or the text `"true"`, as templates write them).
pub fn optional_bool(
    provision: &Provision<'_>,
    properties: &Value,
    key: &str,
) -> Result<Option<bool>, String> {
    match properties.get(key) {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
        Some(other) => Err(invalid(
            provision,
            &format!("#/{key}: expected type: Boolean, found: {}", kind(other)),
        )),
    }
}

/// A list of `{Key, Value}` objects (`Tags`, `TagFilters`), `None` when absent.
pub fn key_values(
    provision: &Provision<'_>,
    properties: &Value,
    key: &str,
) -> Result<Option<Vec<(String, String)>>, String> {
    match properties.get(key) {
        None => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|t| {
                Ok((
                    required_str(provision, t, "Key")?.to_owned(),
                    required_str(provision, t, "Value")?.to_owned(),
                ))
            })
            .collect::<Result<_, String>>()
            .map(Some),
        Some(other) => Err(invalid(
            provision,
            &format!("#/{key}: expected type: JSONArray, found: {}", kind(other)),
        )),
    }
}

/// An optional integer property (a number, or its text).
pub fn optional_u64(value: Option<&Value>) -> Option<u64> {
    match value? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "Null",
        Value::Bool(_) => "Boolean",
        Value::Number(_) => "Number",
        Value::String(_) => "String",
        Value::Array(_) => "JSONArray",
        Value::Object(_) => "JSONObject",
    }
}

/// A name CloudFormation generates for a resource the template leaves unnamed:
/// `<stack>-<logical id>-<random>` within the service's `limit`, trimmed as AWS trims
/// (spec §5.3; UNCONFIRMED officially), all lower-case where the service needs it.
pub fn generated_name(stack: &Stack, logical_id: &str, limit: usize, lowercase: bool) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let suffix: String = (0..12)
        .map(|_| ALPHABET[fastrand::usize(..ALPHABET.len())] as char)
        .collect();
    let (mut stack_part, mut logical_part) = (stack.name.clone(), logical_id.to_owned());
    // `-` + the suffix, and one `-` between the parts.
    let room = limit.saturating_sub(suffix.len() + 2);
    if stack_part.len() + logical_part.len() > room {
        let logical_room = room / 2;
        let stack_room = room - logical_room;
        stack_part.truncate(stack_room.min(stack_part.len()));
        logical_part.truncate(logical_room.min(logical_part.len()));
    }
    let name = format!("{stack_part}-{logical_part}-{suffix}");
    if lowercase { name.to_lowercase() } else { name }
}
