//! `AWS::DynamoDB::Table` (spec cloudformation §5): CreateTable from the properties, then
//! UpdateContinuousBackups (PointInTimeRecoverySpecification), UpdateTimeToLive and
//! PutResourcePolicy, each as the stack's caller, or ImportTable for a table made from
//! `ImportSourceSpecification`; DeleteTable to remove it. `Ref` is the table
//! name; `Arn` and `StreamArn` are its attributes.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{
    Created, Provision, handler_error, invalid, optional_bool, optional_str, optional_u64,
    policy_document, required_str,
};
use crate::dynamodb::Error;
use crate::dynamodb::pitr::{UpdateContinuousBackupsInput, update_continuous_backups};
use crate::dynamodb::schema::{
    AttributeDefinition, CreateTableInput, KeySchemaElement, KeyType, Projection,
    ProvisionedThroughput, SecondaryIndex, SseInput, StreamInput, Tag,
};
use crate::dynamodb::settings::{
    PutResourcePolicyInput, TimeToLiveSpecification, UpdateTimeToLiveInput, put_resource_policy,
    update_time_to_live,
};
use crate::dynamodb::tables::{TableNameInput, create_table, delete_table};

/// DynamoDB's refusal as a handler message.
fn refused(err: &Error) -> String {
    let code = match err {
        Error::AccessDenied(_) => "AccessDenied",
        Error::ResourceNotFound(_) | Error::TableNotFound(_) => "NotFound",
        Error::ResourceInUse(_) | Error::TableAlreadyExists(_) => "AlreadyExists",
        Error::LimitExceeded(_) => "ServiceLimitExceeded",
        Error::Unavailable(_) | Error::Internal(_) => "ServiceInternalError",
        _ => "InvalidRequest",
    };
    handler_error(&err.to_string(), "DynamoDb", 400, code)
}

fn list<'v>(
    p: &Provision<'_>,
    properties: &'v Value,
    key: &str,
) -> Result<Option<&'v Vec<Value>>, String> {
    match properties.get(key) {
        None => Ok(None),
        Some(Value::Array(items)) => Ok(Some(items)),
        Some(_) => Err(invalid(
            p,
            &format!("#/{key}: expected type: JSONArray, found: JSONObject"),
        )),
    }
}

/// A value the engine's types read from their wire names (`HASH`, `S`, `PAY_PER_REQUEST`).
fn wire<T: serde::de::DeserializeOwned>(
    p: &Provision<'_>,
    key: &str,
    value: &str,
) -> Result<T, String> {
    serde_json::from_value(Value::String(value.to_owned()))
        .map_err(|_| invalid(p, &format!("#/{key}: {value} is not a valid enum value")))
}

fn key_schema(p: &Provision<'_>, value: &Value) -> Result<Vec<KeySchemaElement>, String> {
    let items = list(p, value, "KeySchema")?
        .ok_or_else(|| invalid(p, "#: required key [KeySchema] not found"))?;
    items
        .iter()
        .map(|item| {
            let key_type: KeyType = match required_str(p, item, "KeyType")? {
                "HASH" => KeyType::Hash,
                "RANGE" => KeyType::Range,
                other => {
                    return Err(invalid(
                        p,
                        &format!("#/KeySchema/KeyType: {other} is not a valid enum value"),
                    ));
                }
            };
            Ok(KeySchemaElement {
                attribute_name: required_str(p, item, "AttributeName")?.to_owned(),
                key_type,
            })
        })
        .collect()
}

fn throughput(value: Option<&Value>) -> Option<ProvisionedThroughput> {
    let value = value?;
    Some(ProvisionedThroughput {
        read_capacity_units: optional_u64(value.get("ReadCapacityUnits"))?,
        write_capacity_units: optional_u64(value.get("WriteCapacityUnits"))?,
    })
}

fn indexes(
    p: &Provision<'_>,
    properties: &Value,
    key: &str,
) -> Result<Option<Vec<SecondaryIndex>>, String> {
    let Some(items) = list(p, properties, key)? else {
        return Ok(None);
    };
    items
        .iter()
        .map(|item| {
            let projection = match item.get("Projection") {
                None => None,
                Some(projection) => Some(Projection {
                    projection_type: match optional_str(p, projection, "ProjectionType")? {
                        Some(t) => Some(wire(p, "Projection/ProjectionType", t)?),
                        None => None,
                    },
                    non_key_attributes: projection
                        .get("NonKeyAttributes")
                        .and_then(Value::as_array)
                        .map(|a| {
                            a.iter()
                                .filter_map(Value::as_str)
                                .map(str::to_owned)
                                .collect()
                        }),
                }),
            };
            Ok(SecondaryIndex {
                index_name: required_str(p, item, "IndexName")?.to_owned(),
                key_schema: key_schema(p, item)?,
                projection,
                provisioned_throughput: throughput(item.get("ProvisionedThroughput")),
            })
        })
        .collect::<Result<Vec<_>, String>>()
        .map(Some)
}

fn input(
    p: &Provision<'_>,
    properties: &Value,
    table_name: String,
) -> Result<CreateTableInput, String> {
    let attribute_definitions = list(p, properties, "AttributeDefinitions")?
        .map(|items| {
            items
                .iter()
                .map(|item| {
                    Ok(AttributeDefinition {
                        attribute_name: required_str(p, item, "AttributeName")?.to_owned(),
                        attribute_type: wire(
                            p,
                            "AttributeDefinitions/AttributeType",
                            required_str(p, item, "AttributeType")?,
                        )?,
                    })
                })
                .collect::<Result<Vec<_>, String>>()
        })
        .transpose()?
        .unwrap_or_default();
    let sse_specification = match properties.get("SSESpecification") {
        None => None,
        Some(sse) => Some(SseInput {
            enabled: optional_bool(p, sse, "SSEEnabled")?,
            sse_type: optional_str(p, sse, "SSEType")?.map(str::to_owned),
            kms_master_key_id: optional_str(p, sse, "KMSMasterKeyId")?.map(str::to_owned),
        }),
    };
    // CloudFormation's StreamSpecification has no StreamEnabled: present means enabled.
    let stream_specification = match properties.get("StreamSpecification") {
        None => None,
        Some(stream) => Some(StreamInput {
            stream_enabled: Some(true),
            stream_view_type: Some(required_str(p, stream, "StreamViewType")?.to_owned()),
        }),
    };
    let tags = list(p, properties, "Tags")?
        .map(|items| {
            items
                .iter()
                .map(|t| {
                    Ok(Tag {
                        key: required_str(p, t, "Key")?.to_owned(),
                        value: required_str(p, t, "Value")?.to_owned(),
                    })
                })
                .collect::<Result<Vec<_>, String>>()
        })
        .transpose()?;
    Ok(CreateTableInput {
        attribute_definitions,
        table_name,
        key_schema: key_schema(p, properties)?,
        billing_mode: match optional_str(p, properties, "BillingMode")? {
            Some(mode) => Some(wire(p, "BillingMode", mode)?),
            None => None,
        },
        provisioned_throughput: throughput(properties.get("ProvisionedThroughput")),
        local_secondary_indexes: indexes(p, properties, "LocalSecondaryIndexes")?,
        global_secondary_indexes: indexes(p, properties, "GlobalSecondaryIndexes")?,
        sse_specification,
        stream_specification,
        table_class: optional_str(p, properties, "TableClass")?.map(str::to_owned),
        tags: tags.filter(|t| !t.is_empty()),
        deletion_protection_enabled: optional_bool(p, properties, "DeletionProtectionEnabled")?,
    })
}

pub async fn create(p: &Provision<'_>, properties: &Value) -> Result<Created, String> {
    let table_name = p.name_for(properties, "TableName", 255, false)?;
    if let Some(source) = properties.get("ImportSourceSpecification") {
        return imported(p, properties, source, table_name).await;
    }
    let input = input(p, properties, table_name.clone())?;
    let created = create_table(p.app, p.caller, input)
        .await
        .map_err(|e| refused(&e))?;
    let description = created.table_description;
    // The settings CreateTable does not take; a refusal removes the table again, so a failed
    // resource leaves nothing behind.
    if let Err(reason) = settings(p, properties, &table_name).await {
        let _ = delete_table(
            p.app,
            p.caller,
            TableNameInput {
                table_name: table_name.clone(),
            },
        )
        .await;
        return Err(reason);
    }
    let mut attributes = BTreeMap::new();
    attributes.insert(
        "Arn".to_owned(),
        Value::String(description.table_arn.clone()),
    );
    if let Some(stream) = &description.latest_stream_arn {
        attributes.insert("StreamArn".to_owned(), Value::String(stream.clone()));
    }
    Ok(Created {
        physical_id: table_name.clone(),
        reference: Value::String(table_name),
        attributes,
    })
}

/// The properties ImportTable's `TableCreationParameters` take; the others are applied once
/// the import ends, as an update from these.
const IMPORTED: [&str; 7] = [
    "TableName",
    "AttributeDefinitions",
    "KeySchema",
    "BillingMode",
    "ProvisionedThroughput",
    "SSESpecification",
    "GlobalSecondaryIndexes",
];

/// A table made by ImportTable from `ImportSourceSpecification`, as the stack's caller: the
/// resource waits for the import to end, as CloudFormation's handler does (spec §5.5), then
/// applies the rest of its properties.
async fn imported(
    p: &Provision<'_>,
    properties: &Value,
    source: &Value,
    table_name: String,
) -> Result<Created, String> {
    use crate::dynamodb::import::{
        CsvOptions, ImportTableInput, InputFormatOptions, S3BucketSource, import_table,
    };
    use strata_dynamodb::imports::ImportStatus;
    if properties.get("LocalSecondaryIndexes").is_some() {
        return Err(invalid(
            p,
            "#: LocalSecondaryIndexes cannot be used with ImportSourceSpecification",
        ));
    }
    let created: serde_json::Map<String, Value> = IMPORTED
        .iter()
        .filter_map(|k| Some(((*k).to_owned(), properties.get(*k)?.clone())))
        .collect();
    let created = Value::Object(created);
    let bucket = source.get("S3BucketSource").ok_or_else(|| {
        invalid(
            p,
            "#/ImportSourceSpecification: required key [S3BucketSource] not found",
        )
    })?;
    let csv = match source.get("InputFormatOptions").and_then(|o| o.get("Csv")) {
        None => None,
        Some(csv) => Some(CsvOptions {
            delimiter: optional_str(p, csv, "Delimiter")?.map(str::to_owned),
            header_list: list(p, csv, "HeaderList")?.map(|items| {
                items
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            }),
        }),
    };
    let started = import_table(
        p.app,
        p.caller,
        ImportTableInput {
            s3_bucket_source: S3BucketSource {
                s3_bucket_owner: optional_str(p, bucket, "S3BucketOwner")?.map(str::to_owned),
                s3_bucket: required_str(p, bucket, "S3Bucket")?.to_owned(),
                s3_key_prefix: optional_str(p, bucket, "S3KeyPrefix")?.map(str::to_owned),
            },
            input_format: required_str(p, source, "InputFormat")?.to_owned(),
            input_format_options: csv.map(|csv| InputFormatOptions { csv: Some(csv) }),
            input_compression_type: optional_str(p, source, "InputCompressionType")?
                .map(str::to_owned),
            table_creation_parameters: input(p, &created, table_name.clone())?,
            client_token: None,
        },
    )
    .await
    .map_err(|e| refused(&e))?;
    let arn = started.import_table_description.import_arn;
    let (account, region) = (p.caller.account(), p.caller.region.as_str());
    let record = loop {
        match p.app.dynamodb.import(account, region, &arn) {
            Ok(Some(r)) if r.status == ImportStatus::InProgress => {
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            Ok(Some(r)) => break r,
            Ok(None) => {
                return Err(handler_error(
                    "The import is gone",
                    "DynamoDb",
                    500,
                    "ServiceInternalError",
                ));
            }
            Err(e) => return Err(refused(&Error::from(e))),
        }
    };
    let applied = match record.status {
        ImportStatus::Completed => update(p, &table_name, &created, properties).await,
        _ => Err(handler_error(
            &format!(
                "Import failed: {}: {}",
                record.failure_code.unwrap_or_default(),
                record.failure_message.unwrap_or_default()
            ),
            "DynamoDb",
            400,
            "InvalidRequest",
        )),
    };
    if applied.is_err() {
        // A failed resource leaves nothing behind.
        let _ = delete(p, &table_name).await;
    }
    applied
}

async fn settings(p: &Provision<'_>, properties: &Value, table_name: &str) -> Result<(), String> {
    if let Some(pitr) = properties.get("PointInTimeRecoverySpecification") {
        let enabled = optional_bool(p, pitr, "PointInTimeRecoveryEnabled")?.unwrap_or(false);
        if enabled {
            let days = optional_u64(pitr.get("RecoveryPeriodInDays")).map(|d| d as u32);
            update_continuous_backups(
                p.app,
                p.caller,
                UpdateContinuousBackupsInput {
                    table_name: table_name.to_owned(),
                    point_in_time_recovery_enabled: true,
                    recovery_period_in_days: days,
                },
            )
            .await
            .map_err(|e| refused(&e))?;
        }
    }
    if let Some(ttl) = properties.get("TimeToLiveSpecification") {
        let enabled = optional_bool(p, ttl, "Enabled")?.unwrap_or(false);
        if enabled {
            update_time_to_live(
                p.app,
                p.caller,
                UpdateTimeToLiveInput {
                    table_name: table_name.to_owned(),
                    time_to_live_specification: TimeToLiveSpecification {
                        attribute_name: required_str(p, ttl, "AttributeName")?.to_owned(),
                        enabled: true,
                    },
                },
            )
            .await
            .map_err(|e| refused(&e))?;
        }
    }
    if properties.get("ResourcePolicy").is_some() {
        let arn = format!(
            "arn:aws:dynamodb:{}:{}:table/{table_name}",
            p.caller.region,
            p.caller.account()
        );
        settings_policy(p, properties, &arn).await?;
    }
    Ok(())
}

/// Whether an import into the table named `table_name` is running, started at or after
/// `since` (µs).
pub fn importing(
    app: &crate::App,
    account: &str,
    region: &str,
    table_name: &str,
    since: i64,
) -> bool {
    use strata_dynamodb::imports::ImportStatus;
    app.dynamodb.imports(account, region).is_ok_and(|all| {
        all.iter().any(|r| {
            r.table_name == table_name
                && r.status == ImportStatus::InProgress
                && r.start_micros >= since
        })
    })
}

pub async fn delete(p: &Provision<'_>, physical_id: &str) -> Result<(), String> {
    // An import still filling the table (an operation resumed after a crash) ends first, as
    // DynamoDB refuses to delete a table being created.
    // Not forever: an import that never ends leaves DeleteTable to refuse, and the delete
    // fails visibly.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(600);
    while importing(p.app, p.caller.account(), &p.caller.region, physical_id, 0)
        && tokio::time::Instant::now() < deadline
    {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    match delete_table(
        p.app,
        p.caller,
        TableNameInput {
            table_name: physical_id.to_owned(),
        },
    )
    .await
    {
        Ok(_) | Err(Error::ResourceNotFound(_)) => Ok(()),
        Err(e) => Err(refused(&e)),
    }
}

/// The properties a change of which needs a new table (spec §5.2).
const REPLACING: [&str; 4] = [
    "TableName",
    "KeySchema",
    "LocalSecondaryIndexes",
    "ImportSourceSpecification",
];

pub fn requires_replacement(old: &Value, new: &Value) -> bool {
    // Editing an attribute both define (its type) needs a new table too; adding one (for a
    // new index) does not.
    let definitions = |v: &Value| -> BTreeMap<String, Value> {
        v.get("AttributeDefinitions")
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(|d| {
                        Some((
                            d.get("AttributeName")?.as_str()?.to_owned(),
                            d.get("AttributeType")?.clone(),
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let (before, after) = (definitions(old), definitions(new));
    let edited = before
        .iter()
        .any(|(name, kind)| after.get(name).is_some_and(|k| k != kind));
    edited || REPLACING.iter().any(|k| old.get(k) != new.get(k))
}

/// The table's `Ref` and attributes as DescribeTable shows them now.
fn described(p: &Provision<'_>, table_name: &str) -> Result<Created, String> {
    let table = crate::dynamodb::tables::describe_table(
        p.app,
        p.caller,
        TableNameInput {
            table_name: table_name.to_owned(),
        },
    )
    .map_err(|e| refused(&e))?
    .table;
    let mut attributes = BTreeMap::new();
    attributes.insert("Arn".to_owned(), Value::String(table.table_arn.clone()));
    if let Some(stream) = &table.latest_stream_arn {
        attributes.insert("StreamArn".to_owned(), Value::String(stream.clone()));
    }
    Ok(Created {
        physical_id: table_name.to_owned(),
        reference: Value::String(table_name.to_owned()),
        attributes,
    })
}

/// Index name → the index's definition, of `GlobalSecondaryIndexes`.
fn gsis(value: &Value) -> BTreeMap<String, &Value> {
    value
        .get("GlobalSecondaryIndexes")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|i| Some((i.get("IndexName")?.as_str()?.to_owned(), i)))
                .collect()
        })
        .unwrap_or_default()
}

/// Applies the changed properties in place, each with its own call as CloudFormation's
/// handler makes them (spec §5.4): UpdateTable (billing, throughput, deletion protection,
/// class, stream, a GSI's throughput, one GSI added or removed), UpdateContinuousBackups,
/// UpdateTimeToLive, Put/DeleteResourcePolicy, Tag/UntagResource.
pub async fn update(
    p: &Provision<'_>,
    table_name: &str,
    old: &Value,
    new: &Value,
) -> Result<Created, String> {
    use crate::dynamodb::tables::{GlobalSecondaryIndexUpdate, UpdateTableInput, update_table};
    let changed = |k: &str| old.get(k) != new.get(k);
    let base = || UpdateTableInput {
        table_name: table_name.to_owned(),
        ..Default::default()
    };
    let mut settings = base();
    let mut any = false;
    if changed("BillingMode") || changed("ProvisionedThroughput") {
        settings.billing_mode = Some(match optional_str(p, new, "BillingMode")? {
            Some(mode) => wire(p, "BillingMode", mode)?,
            None => wire(p, "BillingMode", "PROVISIONED")?,
        });
        settings.provisioned_throughput = throughput(new.get("ProvisionedThroughput"));
        any = true;
    }
    if changed("DeletionProtectionEnabled") {
        settings.deletion_protection_enabled =
            Some(optional_bool(p, new, "DeletionProtectionEnabled")?.unwrap_or(false));
        any = true;
    }
    if changed("TableClass") {
        settings.table_class = Some(
            optional_str(p, new, "TableClass")?
                .unwrap_or("STANDARD")
                .to_owned(),
        );
        any = true;
    }
    if any {
        update_table(p.app, p.caller, settings)
            .await
            .map_err(|e| refused(&e))?;
    }
    if changed("StreamSpecification") {
        // A new view type needs the stream off first, as DynamoDB requires.
        if old.get("StreamSpecification").is_some() {
            let mut off = base();
            off.stream_specification = Some(StreamInput {
                stream_enabled: Some(false),
                stream_view_type: None,
            });
            update_table(p.app, p.caller, off)
                .await
                .map_err(|e| refused(&e))?;
        }
        if let Some(stream) = new.get("StreamSpecification") {
            let mut on = base();
            on.stream_specification = Some(StreamInput {
                stream_enabled: Some(true),
                stream_view_type: Some(required_str(p, stream, "StreamViewType")?.to_owned()),
            });
            update_table(p.app, p.caller, on)
                .await
                .map_err(|e| refused(&e))?;
        }
    }
    if changed("GlobalSecondaryIndexes") {
        // Against the table as it is (a rollback after a partial update starts from there).
        let live: Vec<String> = crate::dynamodb::tables::describe_table(
            p.app,
            p.caller,
            TableNameInput {
                table_name: table_name.to_owned(),
            },
        )
        .map_err(|e| refused(&e))?
        .table
        .global_secondary_indexes
        .into_iter()
        .map(|i| i.index_name)
        .collect();
        let (before, after) = (gsis(old), gsis(new));
        let added: Vec<&String> = after.keys().filter(|k| !live.contains(k)).collect();
        let removed: Vec<&String> = live.iter().filter(|k| !after.contains_key(*k)).collect();
        let altered = after.iter().any(|(k, v)| {
            before.get(k).is_some_and(|b| {
                b.get("KeySchema") != v.get("KeySchema")
                    || b.get("Projection") != v.get("Projection")
            })
        });
        if added.len() + removed.len() > 1 || altered {
            // DynamoDB changes one index at a time; CloudFormation does not sequence them.
            return Err(handler_error(
                "Cannot perform more than one GSI creation or deletion in a single update",
                "DynamoDb",
                400,
                "InvalidRequest",
            ));
        }
        // A kept index's throughput changes in place, all in one UpdateTable.
        let throughput_updates: Vec<GlobalSecondaryIndexUpdate> = after
            .iter()
            .filter(|(k, v)| {
                live.contains(k)
                    && before.get(*k).is_some_and(|b| {
                        b.get("ProvisionedThroughput") != v.get("ProvisionedThroughput")
                    })
            })
            .map(|(k, v)| GlobalSecondaryIndexUpdate {
                update: Some((k.clone(), throughput(v.get("ProvisionedThroughput")))),
                ..Default::default()
            })
            .collect();
        if !throughput_updates.is_empty() {
            let mut updates = base();
            updates.global_secondary_index_updates = throughput_updates;
            update_table(p.app, p.caller, updates)
                .await
                .map_err(|e| refused(&e))?;
        }
        let mut one = base();
        if let Some(name) = added.first() {
            let index = indexes(p, new, "GlobalSecondaryIndexes")?
                .unwrap_or_default()
                .into_iter()
                .find(|i| &i.index_name == *name);
            one.attribute_definitions =
                Some(input(p, new, table_name.to_owned())?.attribute_definitions);
            one.global_secondary_index_updates = vec![GlobalSecondaryIndexUpdate {
                create: index,
                ..Default::default()
            }];
        } else if let Some(name) = removed.first() {
            one.global_secondary_index_updates = vec![GlobalSecondaryIndexUpdate {
                delete: Some((*name).clone()),
                ..Default::default()
            }];
        }
        if !one.global_secondary_index_updates.is_empty() {
            update_table(p.app, p.caller, one)
                .await
                .map_err(|e| refused(&e))?;
        }
    }
    if changed("PointInTimeRecoverySpecification") {
        let pitr = new.get("PointInTimeRecoverySpecification");
        let enabled = match pitr {
            Some(pitr) => optional_bool(p, pitr, "PointInTimeRecoveryEnabled")?.unwrap_or(false),
            None => false,
        };
        let days =
            pitr.and_then(|pitr| optional_u64(pitr.get("RecoveryPeriodInDays")).map(|d| d as u32));
        update_continuous_backups(
            p.app,
            p.caller,
            UpdateContinuousBackupsInput {
                table_name: table_name.to_owned(),
                point_in_time_recovery_enabled: enabled,
                recovery_period_in_days: if enabled { days } else { None },
            },
        )
        .await
        .map_err(|e| refused(&e))?;
    }
    if changed("TimeToLiveSpecification") {
        let ttl = |v: &Value| -> Result<Option<String>, String> {
            match v.get("TimeToLiveSpecification") {
                Some(t) if optional_bool(p, t, "Enabled")?.unwrap_or(false) => {
                    Ok(Some(required_str(p, t, "AttributeName")?.to_owned()))
                }
                _ => Ok(None),
            }
        };
        let (before, after) = (ttl(old)?, ttl(new)?);
        let set = |attribute_name: String, enabled: bool| UpdateTimeToLiveInput {
            table_name: table_name.to_owned(),
            time_to_live_specification: TimeToLiveSpecification {
                attribute_name,
                enabled,
            },
        };
        if let Some(attribute) = before.clone().filter(|b| Some(b) != after.as_ref()) {
            update_time_to_live(p.app, p.caller, set(attribute, false))
                .await
                .map_err(|e| refused(&e))?;
        }
        if let Some(attribute) = after.filter(|a| Some(a) != before.as_ref()) {
            update_time_to_live(p.app, p.caller, set(attribute, true))
                .await
                .map_err(|e| refused(&e))?;
        }
    }
    if changed("Tags") {
        use crate::dynamodb::settings::{
            TagResourceInput, UntagResourceInput, tag_resource, untag_resource,
        };
        let arn = format!(
            "arn:aws:dynamodb:{}:{}:table/{table_name}",
            p.caller.region,
            p.caller.account()
        );
        let tags = |v: &Value| -> Vec<(String, String)> {
            v.get("Tags")
                .and_then(Value::as_array)
                .map(|items| {
                    items
                        .iter()
                        .filter_map(|t| {
                            Some((
                                t.get("Key")?.as_str()?.to_owned(),
                                t.get("Value")?.as_str()?.to_owned(),
                            ))
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        let (before, after) = (tags(old), tags(new));
        let dropped: Vec<String> = before
            .iter()
            .filter(|(k, _)| !after.iter().any(|(a, _)| a == k))
            .map(|(k, _)| k.clone())
            .collect();
        if !dropped.is_empty() {
            untag_resource(
                p.app,
                p.caller,
                UntagResourceInput {
                    resource_arn: arn.clone(),
                    tag_keys: dropped,
                },
            )
            .await
            .map_err(|e| refused(&e))?;
        }
        if !after.is_empty() {
            let tags = after
                .into_iter()
                .map(|(key, value)| Tag { key, value })
                .collect();
            tag_resource(
                p.app,
                p.caller,
                TagResourceInput {
                    resource_arn: arn,
                    tags,
                },
            )
            .await
            .map_err(|e| refused(&e))?;
        }
    }
    if changed("ResourcePolicy") {
        let arn = format!(
            "arn:aws:dynamodb:{}:{}:table/{table_name}",
            p.caller.region,
            p.caller.account()
        );
        match new.get("ResourcePolicy") {
            Some(_) => settings_policy(p, new, &arn).await?,
            None => {
                crate::dynamodb::settings::delete_resource_policy(
                    p.app,
                    p.caller,
                    crate::dynamodb::settings::ResourceArnInput { resource_arn: arn },
                )
                .await
                .map_err(|e| refused(&e))?;
            }
        }
    }
    described(p, table_name)
}

async fn settings_policy(p: &Provision<'_>, properties: &Value, arn: &str) -> Result<(), String> {
    let document = policy_document(
        p,
        properties
            .get("ResourcePolicy")
            .and_then(|r| r.get("PolicyDocument")),
        "PolicyDocument",
    )?;
    put_resource_policy(
        p.app,
        p.caller,
        PutResourcePolicyInput {
            resource_arn: arn.to_owned(),
            policy: document,
            expected_revision_id: None,
        },
    )
    .await
    .map_err(|e| refused(&e))?;
    Ok(())
}
