//! Point-in-time recovery: UpdateContinuousBackups and DescribeContinuousBackups (spec
//! dynamodb-export-import §1.1–1.3). Tables are addressed by name or ARN; a missing table is
//! `TableNotFoundException` with the name as sent.

use serde::Serialize;
use strata_dynamodb::{DynamoDbError, Table};

use super::access::{Conditions, authorize_table, resolve};
use super::error::{Error, Result};
use super::model::epoch_seconds;
use super::tables::TableNameInput;
use crate::{App, Caller};

/// The longest recovery period, and what enabling without one sets.
const MAX_RECOVERY_DAYS: u32 = 35;

#[derive(Clone, Debug)]
pub struct UpdateContinuousBackupsInput {
    pub table_name: String,
    pub point_in_time_recovery_enabled: bool,
    /// 1 to 35 days.
    pub recovery_period_in_days: Option<u32>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PointInTimeRecoveryDescription {
    pub point_in_time_recovery_status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recovery_period_in_days: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub earliest_restorable_date_time: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latest_restorable_date_time: Option<f64>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContinuousBackupsDescription {
    pub continuous_backups_status: &'static str,
    pub point_in_time_recovery_description: PointInTimeRecoveryDescription,
}

/// The output of both operations.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContinuousBackupsOutput {
    pub continuous_backups_description: ContinuousBackupsDescription,
}

fn table_not_found(name: &str) -> Error {
    Error::TableNotFound(format!("Table not found: {name}"))
}

/// Resolves and authorizes the table named by `TableName`.
fn table(app: &App, caller: &Caller, operation: &str, name: &str) -> Result<Table> {
    let table_ref = resolve(caller, name)?;
    let found = authorize_table(
        app,
        caller,
        operation,
        &table_ref,
        None,
        Conditions::default(),
    )?;
    found.ok_or_else(|| table_not_found(name))
}

/// `ContinuousBackupsDescription` of `table`.
pub fn description(app: &App, table: &Table) -> ContinuousBackupsOutput {
    let pitr = match &table.def.pitr {
        Some(pitr) => {
            let (earliest, latest) = app.dynamodb.restorable_window(pitr);
            PointInTimeRecoveryDescription {
                point_in_time_recovery_status: "ENABLED",
                recovery_period_in_days: Some(pitr.recovery_period_in_days),
                earliest_restorable_date_time: Some(epoch_seconds(earliest)),
                latest_restorable_date_time: Some(epoch_seconds(latest)),
            }
        }
        None => PointInTimeRecoveryDescription {
            point_in_time_recovery_status: "DISABLED",
            recovery_period_in_days: None,
            earliest_restorable_date_time: None,
            latest_restorable_date_time: None,
        },
    };
    ContinuousBackupsOutput {
        continuous_backups_description: ContinuousBackupsDescription {
            continuous_backups_status: "ENABLED",
            point_in_time_recovery_description: pitr,
        },
    }
}

pub fn describe_continuous_backups(
    app: &App,
    caller: &Caller,
    input: TableNameInput,
) -> Result<ContinuousBackupsOutput> {
    let table = table(app, caller, "DescribeContinuousBackups", &input.table_name)?;
    Ok(description(app, &table))
}

pub async fn update_continuous_backups(
    app: &App,
    caller: &Caller,
    input: UpdateContinuousBackupsInput,
) -> Result<ContinuousBackupsOutput> {
    let enabled = input.point_in_time_recovery_enabled;
    if !enabled && input.recovery_period_in_days.is_some() {
        return Err(Error::validation(
            "Invalid Request: Cannot specify RecoveryPeriodInDays when disabling point-in-time recovery.",
        ));
    }
    let name = &input.table_name;
    let table = table(app, caller, "UpdateContinuousBackups", name)?;
    let period = enabled.then(|| input.recovery_period_in_days.unwrap_or(MAX_RECOVERY_DAYS));
    let scope = strata_dynamodb::Scope {
        account: &table.def.account,
        region: &table.def.region,
    };
    let table = app
        .dynamodb
        .set_point_in_time_recovery(scope, &table.def.name, period)
        .await
        .map_err(|e| match e {
            DynamoDbError::ResourceNotFound(_) => table_not_found(name),
            other => other.into(),
        })?;
    Ok(description(app, &table))
}
