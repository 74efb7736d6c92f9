//! DynamoDB operations over the JSON 1.0 protocol: one module per group of operations,
//! all decoding with [`wire`], authorizing through [`access`] and mapping engine errors in
//! [`errors`]. Operations strata does not serve answer `UnknownOperationException`, as
//! DynamoDB answers an operation it does not know.

mod batch;
mod common;
mod control;
mod describe;
mod errors;
mod export;
mod import;
mod items;
mod legacy;
mod pitr;
mod read;
mod restore;
mod transact;
mod wire;

pub(crate) use wire::Input;

use crate::protocol::AwsError;
use crate::protocol::json::unknown_operation;
use strata_app::App;
use strata_app::Caller;

/// Reads a request body, before authentication as DynamoDB does: a body that is not a
/// JSON object is a `SerializationException` whoever sends it.
pub fn parse(body: &[u8]) -> Result<Input, AwsError> {
    Input::parse(body).map_err(errors::to_aws)
}

/// Runs a DynamoDB operation; returns the encoded JSON response body.
pub async fn handle(
    app: &App,
    caller: &Caller,
    operation: &str,
    input: wire::Input,
) -> Result<Vec<u8>, AwsError> {
    let result = match operation {
        "CreateTable" => control::create_table(app, caller, input).await,
        "DescribeTable" => control::describe_table(app, caller, input),
        "ListTables" => control::list_tables(app, caller, input),
        "UpdateTable" => control::update_table(app, caller, input).await,
        "DeleteTable" => control::delete_table(app, caller, input).await,
        "TagResource" => control::tag_resource(app, caller, input).await,
        "UntagResource" => control::untag_resource(app, caller, input).await,
        "ListTagsOfResource" => control::list_tags_of_resource(app, caller, input),
        "UpdateTimeToLive" => control::update_time_to_live(app, caller, input).await,
        "DescribeTimeToLive" => control::describe_time_to_live(app, caller, input),
        "DescribeLimits" => control::describe_limits(app, caller),
        "DescribeEndpoints" => control::describe_endpoints(caller),
        "PutResourcePolicy" => control::put_resource_policy(app, caller, input).await,
        "GetResourcePolicy" => control::get_resource_policy(app, caller, input),
        "DeleteResourcePolicy" => control::delete_resource_policy(app, caller, input).await,
        "UpdateContinuousBackups" => pitr::update_continuous_backups(app, caller, input).await,
        "DescribeContinuousBackups" => pitr::describe_continuous_backups(app, caller, input),
        "ExportTableToPointInTime" => {
            export::export_table_to_point_in_time(app, caller, input).await
        }
        "DescribeExport" => export::describe_export(app, caller, input),
        "ListExports" => export::list_exports(app, caller, input),
        "ImportTable" => import::import_table(app, caller, input).await,
        "DescribeImport" => import::describe_import(app, caller, input),
        "ListImports" => import::list_imports(app, caller, input),
        "RestoreTableToPointInTime" => {
            restore::restore_table_to_point_in_time(app, caller, input).await
        }
        "PutItem" => items::put_item(app, caller, input).await,
        "GetItem" => items::get_item(app, caller, input),
        "UpdateItem" => items::update_item(app, caller, input).await,
        "DeleteItem" => items::delete_item(app, caller, input).await,
        "Query" => read::query(app, caller, input),
        "Scan" => read::scan(app, caller, input),
        "BatchGetItem" => batch::batch_get_item(app, caller, input),
        "BatchWriteItem" => batch::batch_write_item(app, caller, input).await,
        "TransactWriteItems" => transact::transact_write_items(app, caller, input).await,
        "TransactGetItems" => transact::transact_get_items(app, caller, input),
        _ => return Err(unknown_operation()),
    };
    match result {
        Ok(value) => Ok(serde_json::to_vec(&value).expect("JSON values always serialize")),
        Err(e) => Err(errors::to_aws(e)),
    }
}
