//! RestoreTableToPointInTime (spec dynamodb-export-import §1.4): a new table holding the
//! source's items as of a second in its PITR window. Checks run in AWS's order (shape,
//! source and its PITR, time, target). The answer comes at once: the target reads
//! `CREATING`, with a `RestoreSummary`, while the restore's job copies the items
//! (`strata_app::jobs`); it then turns ACTIVE, or, if the restore cannot complete, is removed.

use serde_json::{Value, json};
use strata_app::jobs::{JobKind, SourceTable};
use strata_dynamodb::schema::{BillingMode, IndexKind, ProvisionedThroughput};
use strata_dynamodb::tables::{Scope, parse_table_arn};
use strata_dynamodb::{DynamoDb, DynamoDbError, Table};

use super::describe::{iso_seconds, restore_summary, table_description};
use super::wire::{Input, check_name};
use strata_app::App;
use strata_app::Caller;
use strata_app::dynamodb::access::{Conditions, TableRef, authorize_found};

type Out = Result<Value, DynamoDbError>;

fn index_names(list: Option<&Vec<Value>>) -> Option<Vec<String>> {
    list.map(|l| {
        l.iter()
            .filter_map(|i| {
                i.get("IndexName")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            })
            .collect()
    })
}

pub async fn restore_table_to_point_in_time(app: &App, caller: &Caller, mut input: Input) -> Out {
    // 1. Shape.
    let source_arn = input.str("SourceTableArn")?.map(str::to_owned);
    let source_name = input.str("SourceTableName")?.map(str::to_owned);
    let target = input.required_str("TargetTableName")?;
    if let Some(t) = &target {
        check_name(&mut input, "TargetTableName", t, 3);
    }
    let use_latest = input.bool("UseLatestRestorableTime")?;
    let restore_time = input.timestamp("RestoreDateTime")?;
    let billing = match input
        .enum_str("BillingModeOverride", &["PROVISIONED", "PAY_PER_REQUEST"])?
        .as_deref()
    {
        Some("PAY_PER_REQUEST") => Some(BillingMode::PayPerRequest),
        Some("PROVISIONED") => Some(BillingMode::Provisioned),
        _ => None,
    };
    let throughput = match input.child("ProvisionedThroughputOverride")? {
        Some(pt) => match (pt.int("ReadCapacityUnits")?, pt.int("WriteCapacityUnits")?) {
            (Some(r), Some(w)) if r >= 1 && w >= 1 => Some(ProvisionedThroughput {
                read_capacity_units: r as u64,
                write_capacity_units: w as u64,
            }),
            _ => {
                input.violation(
                    "Value null at 'provisionedThroughputOverride' failed to satisfy constraint: Member must have read and write capacity units of at least 1"
                        .to_owned(),
                );
                None
            }
        },
        None => None,
    };
    let gsi_override = index_names(input.array("GlobalSecondaryIndexOverride")?);
    let lsi_override = index_names(input.array("LocalSecondaryIndexOverride")?);
    input.finish()?;
    let target = target.expect("checked by finish");
    if target.starts_with("arn:") {
        return Err(DynamoDbError::Validation(format!(
            "1 validation error detected: Value '{target}' at 'targetTableName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
        )));
    }
    let source_ref = match (&source_arn, &source_name) {
        (Some(_), Some(_)) => {
            return Err(DynamoDbError::Validation(
                "Must provide exactly one of: sourceTableArn, sourceTableName".into(),
            ));
        }
        (None, None) => {
            return Err(DynamoDbError::Validation(
                "The parameter 'TableName' is required but was not present in the request".into(),
            ));
        }
        (Some(arn), None) => {
            let Some((region, account, name)) = parse_table_arn(arn) else {
                return Err(DynamoDbError::Validation(
                    "One or more parameter values were invalid: sourceTableArn is not a valid ARN"
                        .into(),
                ));
            };
            if account != caller.principal.account().as_str() {
                return Err(DynamoDbError::Validation(
                    "This action is only supported by accounts that match the resource owner’s account."
                        .into(),
                ));
            }
            TableRef {
                account: account.to_owned(),
                region: region.to_owned(),
                name: name.to_owned(),
            }
        }
        (None, Some(name)) => TableRef {
            account: caller.principal.account().as_str().to_owned(),
            region: caller.region.clone(),
            name: name.clone(),
        },
    };
    match (use_latest, restore_time) {
        (Some(true), Some(_)) => {
            return Err(DynamoDbError::Validation(
                "Invalid Request: Both RestoreDateTime and UseLatestRestorableTime cannot be set for point-in-time restore request. Please specify only one of them."
                    .into(),
            ));
        }
        (Some(true), None) | (_, Some(_)) => {}
        _ => {
            return Err(DynamoDbError::Validation(
                "Invalid Request: Either one of RestoreDateTime or UseLatestRestorableTime must be specified, but not both"
                    .into(),
            ));
        }
    }
    let found = app
        .dynamodb
        .table(source_ref.scope(), &source_ref.name)
        .ok();
    authorize_found(
        app,
        caller,
        "RestoreTableToPointInTime",
        &source_ref,
        found.as_ref(),
        None,
        Conditions::default(),
    )?;
    let source = found.ok_or_else(|| {
        DynamoDbError::TableNotFound(match &source_name {
            Some(name) => format!("Table not found: {name}"),
            None => "Table not found".to_owned(),
        })
    })?;

    // 2. PITR.
    let Some(pitr) = source.def.pitr else {
        return Err(DynamoDbError::PointInTimeRecoveryUnavailable(format!(
            "Point in time recovery is not enabled for table '{}'",
            source.def.name
        )));
    };
    // 3. Time.
    let (earliest, latest) = app.dynamodb.restorable_window(&pitr);
    let as_of = match restore_time {
        Some(t) => {
            if t < earliest || t > latest {
                return Err(DynamoDbError::InvalidRestoreTime(format!(
                    "RestoreDateTime '{}' must be within EarliestRestorableDateTime '{}' and LatestRestorableDateTime '{}'",
                    iso_seconds(t),
                    iso_seconds(earliest),
                    iso_seconds(latest)
                )));
            }
            t
        }
        None => latest,
    };
    // 4. Target.
    let scope = Scope {
        account: caller.principal.account().as_str(),
        region: &caller.region,
    };
    let target_ref = TableRef {
        account: scope.account.to_owned(),
        region: scope.region.to_owned(),
        name: target.clone(),
    };
    let existing = app.dynamodb.table(scope, &target).ok();
    // The target needs the restore plus the reads and writes it implies (spec iam-s3-authz
    // §3.2).
    for operation in [
        "RestoreTableToPointInTime",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "GetItem",
        "Query",
        "Scan",
        "BatchWriteItem",
    ] {
        authorize_found(
            app,
            caller,
            operation,
            &target_ref,
            existing.as_ref(),
            None,
            Conditions::default(),
        )?;
    }
    if existing.is_some() {
        return Err(DynamoDbError::TableAlreadyExists(format!(
            "Table already exists: {target}"
        )));
    }

    let mut definition = DynamoDb::restore_definition(&source, &target);
    for (kind, names) in [
        (IndexKind::Global, &gsi_override),
        (IndexKind::Local, &lsi_override),
    ] {
        let Some(names) = names else { continue };
        for name in names {
            if !definition
                .indexes
                .iter()
                .any(|i| i.kind == kind && &i.name == name)
            {
                return Err(DynamoDbError::Validation(format!(
                    "Invalid Request: Index {name} does not match a secondary index that existed in the source table and cannot be created during the restore operation"
                )));
            }
        }
        definition
            .indexes
            .retain(|i| i.kind != kind || names.contains(&i.name));
    }
    if let Some(mode) = billing {
        definition.billing_mode = mode;
    }
    match (definition.billing_mode, throughput) {
        (BillingMode::PayPerRequest, Some(_)) => {
            return Err(DynamoDbError::Validation(
                "Invalid Request: Cannot override ProvisionedThroughput unless BillingMode is PROVISIONED"
                    .into(),
            ));
        }
        (BillingMode::Provisioned, Some(pt)) => definition.provisioned_throughput = Some(pt),
        (BillingMode::Provisioned, None)
            if billing == Some(BillingMode::Provisioned)
                && source.def.billing_mode != BillingMode::Provisioned =>
        {
            return Err(DynamoDbError::Validation(
                "Invalid Request: Must override ProvisionedThroughput if BillingMode is overridden to PROVISIONED"
                    .into(),
            ));
        }
        (BillingMode::PayPerRequest, None) => definition.provisioned_throughput = None,
        _ => {}
    }
    let job = app.jobs.recorder(
        JobKind::Restore {
            account: scope.account.to_owned(),
            region: scope.region.to_owned(),
            target: target.clone(),
            source: SourceTable {
                account: source.def.account.clone(),
                region: source.def.region.clone(),
                name: source.def.name.clone(),
                storage_id: source.def.id,
            },
            as_of_micros: as_of as u64,
        },
        Some(caller.clone()),
    );
    let table = app
        .dynamodb
        .create_restore_target(scope, &source, definition, as_of as u64, job)
        .await?;
    app.jobs.wake();
    Ok(json!({"TableDescription": restored_description(&table, &source, as_of)}))
}

/// The first answer: CREATING, nothing counted yet, and where it came from.
fn restored_description(table: &Table, source: &Table, as_of: i64) -> Value {
    let mut description = table_description(table, "CREATING");
    if let Some(o) = description.as_object_mut() {
        o.insert("ItemCount".into(), 0.into());
        o.insert("TableSizeBytes".into(), 0.into());
        o.insert(
            "RestoreSummary".into(),
            restore_summary(&source.def.arn(), as_of),
        );
    }
    description
}
