//! RestoreTableToPointInTime (spec dynamodb-export-import §1.4): a new table holding the
//! source's items as of a second in its PITR window. Checks run in AWS's order (source and
//! its PITR, time, target). The answer comes at once: the target reads `CREATING`, with a
//! `RestoreSummary`, while the restore's job copies the items ([`crate::jobs`]); it then
//! turns ACTIVE or, if the restore cannot complete, is removed.

use strata_dynamodb::DynamoDb;
use strata_dynamodb::schema::{BillingMode, IndexKind};
use strata_dynamodb::tables::{Scope, parse_table_arn};

use super::access::{Conditions, TableRef, authorize_found};
use super::description::{RestoreSummary, TableStatus, table_description};
use super::error::{Error, Result};
use super::schema::ProvisionedThroughput;
use super::tables::TableDescriptionOutput;
use crate::jobs::{JobKind, Jobs, SourceTable};
use crate::{App, Caller};

#[derive(Clone, Debug, Default)]
pub struct RestoreTableToPointInTimeInput {
    pub source_table_arn: Option<String>,
    pub source_table_name: Option<String>,
    pub target_table_name: String,
    pub use_latest_restorable_time: Option<bool>,
    /// µs.
    pub restore_date_time: Option<i64>,
    pub billing_mode_override: Option<BillingMode>,
    pub provisioned_throughput_override: Option<ProvisionedThroughput>,
    /// The names of the indexes to keep (`None`: all of them).
    pub global_secondary_index_override: Option<Vec<String>>,
    pub local_secondary_index_override: Option<Vec<String>>,
}

pub async fn restore_table_to_point_in_time(
    app: &App,
    caller: &Caller,
    input: RestoreTableToPointInTimeInput,
) -> Result<TableDescriptionOutput> {
    let target = &input.target_table_name;
    let source_ref = match (&input.source_table_arn, &input.source_table_name) {
        (Some(_), Some(_)) => {
            return Err(Error::validation(
                "Must provide exactly one of: sourceTableArn, sourceTableName",
            ));
        }
        (None, None) => {
            return Err(Error::validation(
                "The parameter 'TableName' is required but was not present in the request",
            ));
        }
        (Some(arn), None) => {
            let Some((region, account, name)) = parse_table_arn(arn) else {
                return Err(Error::invalid("sourceTableArn is not a valid ARN"));
            };
            if account != caller.account() {
                return Err(Error::validation(
                    "This action is only supported by accounts that match the resource owner’s account.",
                ));
            }
            TableRef {
                account: account.to_owned(),
                region: region.to_owned(),
                name: name.to_owned(),
            }
        }
        (None, Some(name)) => TableRef {
            account: caller.account().to_owned(),
            region: caller.region.clone(),
            name: name.clone(),
        },
    };
    match (input.use_latest_restorable_time, input.restore_date_time) {
        (Some(true), Some(_)) => {
            return Err(Error::validation(
                "Invalid Request: Both RestoreDateTime and UseLatestRestorableTime cannot be set for point-in-time restore request. Please specify only one of them.",
            ));
        }
        (Some(true), None) | (_, Some(_)) => {}
        _ => {
            return Err(Error::validation(
                "Invalid Request: Either one of RestoreDateTime or UseLatestRestorableTime must be specified, but not both",
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
        Error::TableNotFound(match &input.source_table_name {
            Some(name) => format!("Table not found: {name}"),
            None => "Table not found".to_owned(),
        })
    })?;

    // PITR.
    let Some(pitr) = source.def.pitr else {
        return Err(Error::PointInTimeRecoveryUnavailable(format!(
            "Point in time recovery is not enabled for table '{}'",
            source.def.name
        )));
    };
    // Time.
    let (earliest, latest) = app.dynamodb.restorable_window(&pitr);
    let as_of = match input.restore_date_time {
        Some(t) => {
            if t < earliest || t > latest {
                return Err(Error::InvalidRestoreTime(format!(
                    "RestoreDateTime '{}' must be within EarliestRestorableDateTime '{}' and LatestRestorableDateTime '{}'",
                    crate::iso::seconds_from_micros(t),
                    crate::iso::seconds_from_micros(earliest),
                    crate::iso::seconds_from_micros(latest)
                )));
            }
            t
        }
        None => latest,
    };
    // Target.
    let scope = Scope {
        account: caller.account(),
        region: &caller.region,
    };
    let target_ref = TableRef {
        account: scope.account.to_owned(),
        region: scope.region.to_owned(),
        name: target.clone(),
    };
    let existing = app.dynamodb.table(scope, target).ok();
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
        return Err(Error::TableAlreadyExists(format!(
            "Table already exists: {target}"
        )));
    }

    let mut definition = DynamoDb::restore_definition(&source, target);
    for (kind, names) in [
        (IndexKind::Global, &input.global_secondary_index_override),
        (IndexKind::Local, &input.local_secondary_index_override),
    ] {
        let Some(names) = names else { continue };
        for name in names {
            if !definition
                .indexes
                .iter()
                .any(|i| i.kind == kind && &i.name == name)
            {
                return Err(Error::Validation(format!(
                    "Invalid Request: Index {name} does not match a secondary index that existed in the source table and cannot be created during the restore operation"
                )));
            }
        }
        definition
            .indexes
            .retain(|i| i.kind != kind || names.contains(&i.name));
    }
    let billing = input.billing_mode_override;
    if let Some(mode) = billing {
        definition.billing_mode = mode;
    }
    match (
        definition.billing_mode,
        input.provisioned_throughput_override,
    ) {
        (BillingMode::PayPerRequest, Some(_)) => {
            return Err(Error::validation(
                "Invalid Request: Cannot override ProvisionedThroughput unless BillingMode is PROVISIONED",
            ));
        }
        (BillingMode::Provisioned, Some(pt)) => definition.provisioned_throughput = Some(pt.into()),
        (BillingMode::Provisioned, None)
            if billing == Some(BillingMode::Provisioned)
                && source.def.billing_mode != BillingMode::Provisioned =>
        {
            return Err(Error::validation(
                "Invalid Request: Must override ProvisionedThroughput if BillingMode is overridden to PROVISIONED",
            ));
        }
        (BillingMode::PayPerRequest, None) => definition.provisioned_throughput = None,
        _ => {}
    }
    let job = Jobs::recorder(JobKind::Restore {
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
    });
    let table = app
        .dynamodb
        .create_restore_target(scope, &source, definition, as_of as u64, job)
        .await?;
    // The first answer: CREATING, nothing counted yet, and where it comes from.
    let mut description = table_description(&table, TableStatus::Creating);
    description.item_count = 0;
    description.table_size_bytes = 0;
    description.restore_summary = Some(RestoreSummary::new(&source.def.arn(), as_of));
    Ok(TableDescriptionOutput {
        table_description: description,
    })
}
