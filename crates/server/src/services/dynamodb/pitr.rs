//! Point-in-time recovery: UpdateContinuousBackups and DescribeContinuousBackups (spec
//! dynamodb-export-import §1.1–1.3). Tables are addressed by name or ARN; a missing table is
//! `TableNotFoundException` with the name as sent.

use serde_json::{Value, json};
use strata_dynamodb::{DynamoDbError, Table};

use super::describe::epoch_seconds;
use super::wire::Input;
use strata_app::App;
use strata_app::Caller;
use strata_app::dynamodb::access::Conditions;
use strata_app::dynamodb::access::{authorize_table, resolve};

type Out = Result<Value, DynamoDbError>;

/// The longest recovery period, and what enabling without one sets.
const MAX_RECOVERY_DAYS: i64 = 35;

fn table_not_found(name: &str) -> DynamoDbError {
    DynamoDbError::TableNotFound(format!("Table not found: {name}"))
}

/// Resolves and authorizes the table named by `TableName`.
fn table(app: &App, caller: &Caller, operation: &str, name: &str) -> Result<Table, DynamoDbError> {
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
pub fn description(app: &App, table: &Table) -> Value {
    let pitr = match &table.def.pitr {
        Some(pitr) => {
            let (earliest, latest) = app.dynamodb.restorable_window(pitr);
            json!({
                "PointInTimeRecoveryStatus": "ENABLED",
                "RecoveryPeriodInDays": pitr.recovery_period_in_days,
                "EarliestRestorableDateTime": epoch_seconds(earliest),
                "LatestRestorableDateTime": epoch_seconds(latest),
            })
        }
        None => json!({"PointInTimeRecoveryStatus": "DISABLED"}),
    };
    json!({"ContinuousBackupsDescription": {
        "ContinuousBackupsStatus": "ENABLED",
        "PointInTimeRecoveryDescription": pitr,
    }})
}

pub fn describe_continuous_backups(app: &App, caller: &Caller, mut input: Input) -> Out {
    let name = input.required_str("TableName")?;
    input.finish()?;
    let name = name.expect("checked by finish");
    let table = table(app, caller, "DescribeContinuousBackups", &name)?;
    Ok(description(app, &table))
}

pub async fn update_continuous_backups(app: &App, caller: &Caller, mut input: Input) -> Out {
    let name = input.required_str("TableName")?;
    let spec = input.child("PointInTimeRecoverySpecification")?;
    if spec.is_none() {
        input.violation(
            "Value null at 'pointInTimeRecoverySpecification' failed to satisfy constraint: Member must not be null"
                .to_owned(),
        );
    }
    let (enabled, days) = match &spec {
        Some(spec) => (
            spec.bool("PointInTimeRecoveryEnabled")?,
            spec.int("RecoveryPeriodInDays")?,
        ),
        None => (None, None),
    };
    if spec.is_some() && enabled.is_none() {
        input.violation(
            "Value null at 'pointInTimeRecoverySpecification.pointInTimeRecoveryEnabled' failed to satisfy constraint: Member must not be null"
                .to_owned(),
        );
    }
    if let Some(d) = days {
        if d > MAX_RECOVERY_DAYS {
            input.violation(format!(
                "Value '{d}' at 'pointInTimeRecoverySpecification.recoveryPeriodInDays' failed to satisfy constraint: Member must have value less than or equal to 35"
            ));
        } else if d < 1 {
            input.violation(format!(
                "Value '{d}' at 'pointInTimeRecoverySpecification.recoveryPeriodInDays' failed to satisfy constraint: Member must have value greater than or equal to 1"
            ));
        }
    }
    input.finish()?;
    let name = name.expect("checked by finish");
    let enabled = enabled.expect("checked by finish");
    if !enabled && days.is_some() {
        return Err(DynamoDbError::Validation(
            "Invalid Request: Cannot specify RecoveryPeriodInDays when disabling point-in-time recovery."
                .to_owned(),
        ));
    }
    let table = table(app, caller, "UpdateContinuousBackups", &name)?;
    let period = enabled.then(|| days.unwrap_or(MAX_RECOVERY_DAYS) as u32);
    let scope = strata_dynamodb::Scope {
        account: &table.def.account,
        region: &table.def.region,
    };
    let table = app
        .dynamodb
        .set_point_in_time_recovery(scope, &table.def.name, period)
        .await
        .map_err(|e| match e {
            DynamoDbError::ResourceNotFound(_) => table_not_found(&name),
            other => other,
        })?;
    Ok(description(app, &table))
}
