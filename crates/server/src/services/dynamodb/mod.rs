//! DynamoDB operations over the JSON 1.0 protocol: one module per group of operations,
//! all decoding with [`wire`], authorizing through [`access`] and mapping engine errors in
//! [`errors`]. Operations strata does not serve answer `UnknownOperationException`, as
//! DynamoDB answers an operation it does not know.

mod access;
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

pub(crate) use control::table_to_create;
pub(crate) use wire::Input;

use crate::auth::Caller;
use crate::protocol::AwsError;
use crate::protocol::json::unknown_operation;
use crate::state::ServerState;

/// Reads a request body, before authentication as DynamoDB does: a body that is not a
/// JSON object is a `SerializationException` whoever sends it.
pub fn parse(body: &[u8]) -> Result<Input, AwsError> {
    Input::parse(body).map_err(errors::to_aws)
}

/// Runs a DynamoDB operation; returns the encoded JSON response body.
pub async fn handle(
    state: &ServerState,
    caller: &Caller,
    operation: &str,
    input: wire::Input,
) -> Result<Vec<u8>, AwsError> {
    let result = match operation {
        "CreateTable" => control::create_table(state, caller, input).await,
        "DescribeTable" => control::describe_table(state, caller, input),
        "ListTables" => control::list_tables(state, caller, input),
        "UpdateTable" => control::update_table(state, caller, input).await,
        "DeleteTable" => control::delete_table(state, caller, input).await,
        "TagResource" => control::tag_resource(state, caller, input).await,
        "UntagResource" => control::untag_resource(state, caller, input).await,
        "ListTagsOfResource" => control::list_tags_of_resource(state, caller, input),
        "UpdateTimeToLive" => control::update_time_to_live(state, caller, input).await,
        "DescribeTimeToLive" => control::describe_time_to_live(state, caller, input),
        "DescribeLimits" => control::describe_limits(state, caller),
        "DescribeEndpoints" => control::describe_endpoints(caller),
        "PutResourcePolicy" => control::put_resource_policy(state, caller, input).await,
        "GetResourcePolicy" => control::get_resource_policy(state, caller, input),
        "DeleteResourcePolicy" => control::delete_resource_policy(state, caller, input).await,
        "UpdateContinuousBackups" => pitr::update_continuous_backups(state, caller, input).await,
        "DescribeContinuousBackups" => pitr::describe_continuous_backups(state, caller, input),
        "ExportTableToPointInTime" => {
            export::export_table_to_point_in_time(state, caller, input).await
        }
        "DescribeExport" => export::describe_export(state, caller, input),
        "ListExports" => export::list_exports(state, caller, input),
        "ImportTable" => import::import_table(state, caller, input).await,
        "DescribeImport" => import::describe_import(state, caller, input),
        "ListImports" => import::list_imports(state, caller, input),
        "RestoreTableToPointInTime" => {
            restore::restore_table_to_point_in_time(state, caller, input).await
        }
        "PutItem" => items::put_item(state, caller, input).await,
        "GetItem" => items::get_item(state, caller, input),
        "UpdateItem" => items::update_item(state, caller, input).await,
        "DeleteItem" => items::delete_item(state, caller, input).await,
        "Query" => read::query(state, caller, input),
        "Scan" => read::scan(state, caller, input),
        "BatchGetItem" => batch::batch_get_item(state, caller, input),
        "BatchWriteItem" => batch::batch_write_item(state, caller, input).await,
        "TransactWriteItems" => transact::transact_write_items(state, caller, input).await,
        "TransactGetItems" => transact::transact_get_items(state, caller, input),
        _ => return Err(unknown_operation()),
    };
    match result {
        Ok(value) => Ok(serde_json::to_vec(&value).expect("JSON values always serialize")),
        Err(e) => Err(errors::to_aws(e)),
    }
}
