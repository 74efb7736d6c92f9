//! What each resource type's schema admits (CloudFormation's resource type reference): its
//! properties, those strata cannot apply (refused when they would do something, never
//! dropped), and the attributes `Fn::GetAtt` may read.

use serde_json::Value;

use super::{Provision, handler_error, invalid};

/// Whether a value would do something: not null, not an empty list.
fn set(value: &Value) -> bool {
    !matches!(value, Value::Null) && value.as_array().is_none_or(|a| !a.is_empty())
}

fn truthy(value: &Value) -> bool {
    matches!(value, Value::Bool(true))
        || value
            .as_str()
            .is_some_and(|s| s.eq_ignore_ascii_case("true"))
}

/// `ContributorInsightsSpecification`: only `Enabled: true` turns something on.
fn enabled(value: &Value) -> bool {
    value.get("Enabled").is_some_and(truthy)
}

/// `AbacStatus`: `Disabled` is what a bucket has.
fn abac(value: &Value) -> bool {
    value.as_str() != Some("Disabled")
}

/// `AccelerateConfiguration`: `Suspended` is what a bucket has.
fn accelerated(value: &Value) -> bool {
    value.get("AccelerationStatus").and_then(Value::as_str) != Some("Suspended")
}

/// `OnDemandThroughput`: -1 (or nothing) is no limit, what a table has.
fn limited(value: &Value) -> bool {
    ["MaxReadRequestUnits", "MaxWriteRequestUnits"]
        .iter()
        .any(|k| {
            value.get(*k).is_some_and(|n| match n {
                Value::Number(n) => n.as_i64() != Some(-1),
                Value::String(s) => s != "-1",
                _ => true,
            })
        })
}

/// A property strata cannot apply, and when a value of it would do something.
type Unimplemented = (&'static str, fn(&Value) -> bool);

/// A type's schema: its properties, the service strata answers them with, and those of them
/// strata cannot apply.
struct Schema {
    properties: &'static [&'static str],
    service: &'static str,
    unimplemented: &'static [Unimplemented],
}

/// Settings of a DynamoDB table (and of each of its global secondary indexes) strata's
/// DynamoDB has no counterpart for.
const TABLE_UNIMPLEMENTED: &[Unimplemented] = &[
    ("ContributorInsightsSpecification", enabled),
    ("KinesisStreamSpecification", set),
    ("OnDemandThroughput", limited),
    ("WarmThroughput", set),
];

/// The schema of a type strata has.
fn schema(resource_type: &str) -> Option<Schema> {
    Some(match resource_type {
        "AWS::DynamoDB::Table" => Schema {
            properties: &[
                "AttributeDefinitions",
                "BillingMode",
                "ContributorInsightsSpecification",
                "DeletionProtectionEnabled",
                "GlobalSecondaryIndexes",
                "ImportSourceSpecification",
                "KeySchema",
                "KinesisStreamSpecification",
                "LocalSecondaryIndexes",
                "OnDemandThroughput",
                "PointInTimeRecoverySpecification",
                "ProvisionedThroughput",
                "ResourcePolicy",
                "SSESpecification",
                "StreamSpecification",
                "TableClass",
                "TableName",
                "Tags",
                "TimeToLiveSpecification",
                "WarmThroughput",
            ],
            service: "DynamoDB",
            unimplemented: TABLE_UNIMPLEMENTED,
        },
        "AWS::S3::Bucket" => Schema {
            properties: &[
                "AbacStatus",
                "AccelerateConfiguration",
                "AccessControl",
                "AnalyticsConfigurations",
                "BucketEncryption",
                "BucketName",
                "CorsConfiguration",
                "IntelligentTieringConfigurations",
                "InventoryConfigurations",
                "LifecycleConfiguration",
                "LoggingConfiguration",
                "MetadataConfiguration",
                "MetadataTableConfiguration",
                "MetricsConfigurations",
                "NotificationConfiguration",
                "ObjectLockConfiguration",
                "ObjectLockEnabled",
                "OwnershipControls",
                "PublicAccessBlockConfiguration",
                "ReplicationConfiguration",
                "Tags",
                "VersioningConfiguration",
                "WebsiteConfiguration",
            ],
            service: "S3",
            unimplemented: &[
                ("AbacStatus", abac),
                ("AccelerateConfiguration", accelerated),
                ("AnalyticsConfigurations", set),
                ("IntelligentTieringConfigurations", set),
                ("InventoryConfigurations", set),
                ("LoggingConfiguration", set),
                ("MetadataConfiguration", set),
                ("MetadataTableConfiguration", set),
                ("MetricsConfigurations", set),
                ("NotificationConfiguration", set),
                ("ObjectLockConfiguration", set),
                ("ObjectLockEnabled", truthy),
                ("ReplicationConfiguration", set),
                ("WebsiteConfiguration", set),
            ],
        },
        "AWS::S3::BucketPolicy" => Schema {
            properties: &["Bucket", "PolicyDocument"],
            service: "S3",
            unimplemented: &[],
        },
        "AWS::IAM::Role" => Schema {
            properties: &[
                "AssumeRolePolicyDocument",
                "Description",
                "ManagedPolicyArns",
                "MaxSessionDuration",
                "Path",
                "PermissionsBoundary",
                "Policies",
                "RoleName",
                "Tags",
            ],
            service: "IAM",
            unimplemented: &[("PermissionsBoundary", set)],
        },
        "AWS::IAM::User" => Schema {
            properties: &[
                "Groups",
                "LoginProfile",
                "ManagedPolicyArns",
                "Path",
                "PermissionsBoundary",
                "Policies",
                "Tags",
                "UserName",
            ],
            service: "IAM",
            unimplemented: &[
                ("PermissionsBoundary", set),
                ("Groups", set),
                ("LoginProfile", set),
            ],
        },
        "AWS::IAM::Policy" => Schema {
            properties: &["Groups", "PolicyDocument", "PolicyName", "Roles", "Users"],
            service: "IAM",
            unimplemented: &[],
        },
        "AWS::IAM::ManagedPolicy" => Schema {
            properties: &[
                "Description",
                "Groups",
                "ManagedPolicyName",
                "Path",
                "PolicyDocument",
                "Roles",
                "Users",
            ],
            service: "IAM",
            unimplemented: &[],
        },
        "AWS::IAM::AccessKey" => Schema {
            properties: &["Serial", "Status", "UserName"],
            service: "IAM",
            unimplemented: &[],
        },
        "AWS::KMS::Key" => Schema {
            properties: &[
                "BypassPolicyLockoutSafetyCheck",
                "Description",
                "EnableKeyRotation",
                "Enabled",
                "KeyPolicy",
                "KeySpec",
                "KeyUsage",
                "MultiRegion",
                "Origin",
                "PendingWindowInDays",
                "RotationPeriodInDays",
                "Tags",
            ],
            service: "KMS",
            unimplemented: &[("RotationPeriodInDays", set)],
        },
        "AWS::KMS::Alias" => Schema {
            properties: &["AliasName", "TargetKeyId"],
            service: "KMS",
            unimplemented: &[],
        },
        _ => return None,
    })
}

/// The attributes `Fn::GetAtt` may read of a type ("Return values" of CloudFormation's
/// resource type reference); `None` for a type strata does not have.
pub fn attributes(resource_type: &str) -> Option<&'static [&'static str]> {
    Some(match resource_type {
        "AWS::DynamoDB::Table" => &["Arn", "StreamArn"],
        "AWS::S3::Bucket" => &[
            "Arn",
            "DomainName",
            "DualStackDomainName",
            "RegionalDomainName",
            "WebsiteURL",
        ],
        "AWS::S3::BucketPolicy" | "AWS::KMS::Alias" => &[],
        "AWS::IAM::Role" => &["Arn", "RoleId"],
        "AWS::IAM::User" => &["Arn"],
        "AWS::IAM::Policy" => &["Id"],
        "AWS::IAM::ManagedPolicy" => &[
            "AttachmentCount",
            "CreateDate",
            "DefaultVersionId",
            "IsAttachable",
            "PermissionsBoundaryUsageCount",
            "PolicyArn",
            "PolicyId",
            "UpdateDate",
        ],
        "AWS::IAM::AccessKey" => &["SecretAccessKey"],
        "AWS::KMS::Key" => &["Arn", "KeyId"],
        _ => return None,
    })
}

/// Whether the type's schema is `taggable`, so the stack's tags reach its resources
/// (cfn-lint's copies of the registry schemas).
pub fn taggable(resource_type: &str) -> bool {
    matches!(
        resource_type,
        "AWS::DynamoDB::Table"
            | "AWS::S3::Bucket"
            | "AWS::IAM::Role"
            | "AWS::IAM::User"
            | "AWS::KMS::Key"
    )
}

/// The property that identifies a resource of an importable type (its schema's
/// `primaryIdentifier`); `None` for a type that cannot be imported.
pub fn primary_identifier(resource_type: &str) -> Option<&'static str> {
    Some(match resource_type {
        "AWS::DynamoDB::Table" => "TableName",
        "AWS::S3::Bucket" => "BucketName",
        "AWS::S3::BucketPolicy" => "Bucket",
        "AWS::IAM::Role" => "RoleName",
        "AWS::IAM::User" => "UserName",
        "AWS::IAM::ManagedPolicy" => "PolicyArn",
        "AWS::KMS::Key" => "KeyId",
        "AWS::KMS::Alias" => "AliasName",
        _ => return None,
    })
}

/// Refuses a property the type's schema does not have, as CloudFormation's schema validation
/// words it, and one strata cannot apply where it would do something, rather than create
/// the resource without it.
pub(super) fn check(
    p: &Provision<'_>,
    resource_type: &str,
    properties: &Value,
) -> Result<(), String> {
    let Some(schema) = schema(resource_type) else {
        return Ok(());
    };
    let Some(set) = properties.as_object() else {
        return Ok(());
    };
    if let Some(extra) = set
        .keys()
        .find(|k| !schema.properties.contains(&k.as_str()))
    {
        return Err(invalid(
            p,
            &format!("#: extraneous key [{extra}] is not permitted"),
        ));
    }
    unsupported(properties, schema.unimplemented, schema.service)?;
    if resource_type == "AWS::DynamoDB::Table" {
        for index in properties
            .get("GlobalSecondaryIndexes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            unsupported(index, TABLE_UNIMPLEMENTED, schema.service)?;
        }
    }
    Ok(())
}

/// Refuses the first of `unimplemented` that `properties` sets to something that would act:
/// strata's `service` has no counterpart for it.
fn unsupported(
    properties: &Value,
    unimplemented: &[Unimplemented],
    service: &str,
) -> Result<(), String> {
    match unimplemented
        .iter()
        .find(|(key, acts)| properties.get(*key).is_some_and(|v| set(v) && acts(v)))
    {
        Some((key, _)) => Err(handler_error(
            &format!("{key} is not supported by strata's {service}"),
            // As the handler's message names the service.
            match service {
                "IAM" => "Iam",
                "KMS" => "Kms",
                "DynamoDB" => "DynamoDb",
                other => other,
            },
            501,
            "InvalidRequest",
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_supported_type_has_a_schema_and_attributes() {
        for resource_type in super::super::SUPPORTED {
            assert!(schema(resource_type).is_some(), "{resource_type}");
            assert!(attributes(resource_type).is_some(), "{resource_type}");
        }
    }

    #[test]
    fn settings_that_do_nothing_are_not_refused() {
        assert!(!enabled(&serde_json::json!({"Enabled": false})));
        assert!(enabled(&serde_json::json!({"Enabled": "true"})));
        assert!(!abac(&serde_json::json!("Disabled")));
        assert!(!accelerated(
            &serde_json::json!({"AccelerationStatus": "Suspended"})
        ));
        assert!(!limited(
            &serde_json::json!({"MaxReadRequestUnits": -1, "MaxWriteRequestUnits": "-1"})
        ));
        assert!(limited(&serde_json::json!({"MaxReadRequestUnits": 10})));
        assert!(!truthy(&serde_json::json!(false)));
    }
}
