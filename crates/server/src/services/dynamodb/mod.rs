//! DynamoDB's JSON 1.0 protocol, and DynamoDB Streams' on the same endpoint
//! ([`handle_streams`]): each operation's body decoded into the application's typed
//! input (`input.rs` and one decoder module per group of operations, with DynamoDB's
//! `SerializationException` and model-constraint messages), run by `strata_app::dynamodb`,
//! and its typed output encoded; errors are rendered in `errors.rs`. Operations strata does
//! not serve answer `UnknownOperationException`, as DynamoDB answers an operation it does not
//! know.

mod backups;
mod batch;
mod errors;
mod input;
mod items;
mod json_body;
mod legacy;
mod read;
mod streams;
mod tables;
mod transact;

pub(crate) use errors::internal_server_error;
pub(crate) use input::Input;

use serde::Serialize;
use strata_app::dynamodb::{self as ops, Error};
use strata_app::{App, Caller};

use crate::protocol::AwsError;
use crate::protocol::json::unknown_operation;

/// Reads a request body, before authentication as DynamoDB does: a body that is not a
/// JSON object is a `SerializationException` whoever sends it.
pub fn parse(body: &[u8]) -> Result<Input, AwsError> {
    Input::parse(body).map_err(errors::to_aws)
}

/// Room for a typical response (a Query page of ten small items) from the start, so the
/// buffer is not grown and copied several times while items are written.
const RESPONSE_CAPACITY: usize = 4096;

fn encode<T: Serialize>(output: Result<T, Error>) -> Result<Vec<u8>, AwsError> {
    encode_with(output, |output, body| serde_json::to_writer(body, output))
}

/// [`encode`] with the output's own writer: GetItem's, Query's and Scan's write their items
/// without serde (`strata_app::dynamodb::json_body`), the same bytes faster.
fn encode_with<T>(
    output: Result<T, Error>,
    write: impl FnOnce(&T, &mut Vec<u8>) -> serde_json::Result<()>,
) -> Result<Vec<u8>, AwsError> {
    let output = output.map_err(errors::to_aws)?;
    let mut body = Vec::with_capacity(RESPONSE_CAPACITY);
    write(&output, &mut body).map_err(|e| errors::to_aws(Error::Internal(e.to_string())))?;
    Ok(body)
}

/// Runs a DynamoDB operation; returns the encoded JSON response body.
pub async fn handle(
    app: &App,
    caller: &Caller,
    operation: &str,
    input: Input,
) -> Result<Vec<u8>, AwsError> {
    // Decodes the body with `$decode`, then runs `$op` (awaited when `async`; its output
    // written by `json_body::$write` when `body = $write`).
    macro_rules! run {
        ($decode:path, $op:path) => {
            encode(
                $decode(input)
                    .map_err(errors::to_aws)
                    .map(|input| $op(app, caller, input))?,
            )
        };
        ($decode:path, $op:path, body = $write:ident) => {
            encode_with(
                $decode(input)
                    .map_err(errors::to_aws)
                    .map(|input| $op(app, caller, input))?,
                json_body::$write,
            )
        };
        ($decode:path, $op:path, async) => {
            match $decode(input) {
                Ok(input) => encode($op(app, caller, input).await),
                Err(e) => Err(errors::to_aws(e)),
            }
        };
    }
    match operation {
        "CreateTable" => run!(tables::create_table, ops::tables::create_table, async),
        "DescribeTable" => run!(tables::table_name, ops::tables::describe_table),
        "ListTables" => run!(tables::list_tables, ops::tables::list_tables),
        "UpdateTable" => run!(tables::update_table, ops::tables::update_table, async),
        "DeleteTable" => run!(tables::table_name, ops::tables::delete_table, async),
        "TagResource" => run!(tables::tag_resource, ops::settings::tag_resource, async),
        "UntagResource" => run!(tables::untag_resource, ops::settings::untag_resource, async),
        "ListTagsOfResource" => run!(tables::resource, ops::settings::list_tags_of_resource),
        "UpdateTimeToLive" => run!(
            tables::update_time_to_live,
            ops::settings::update_time_to_live,
            async
        ),
        "DescribeTimeToLive" => run!(tables::table_name, ops::settings::describe_time_to_live),
        "DescribeLimits" => encode(ops::settings::describe_limits(app, caller)),
        "DescribeEndpoints" => encode(Ok(ops::settings::describe_endpoints(caller))),
        "PutResourcePolicy" => run!(
            tables::put_resource_policy,
            ops::settings::put_resource_policy,
            async
        ),
        "GetResourcePolicy" => run!(tables::resource, ops::settings::get_resource_policy),
        "DeleteResourcePolicy" => run!(
            tables::resource,
            ops::settings::delete_resource_policy,
            async
        ),
        "UpdateContinuousBackups" => run!(
            backups::update_continuous_backups,
            ops::pitr::update_continuous_backups,
            async
        ),
        "DescribeContinuousBackups" => run!(
            tables::backups_table_name,
            ops::pitr::describe_continuous_backups
        ),
        "ExportTableToPointInTime" => run!(
            backups::export_table_to_point_in_time,
            ops::export::export_table_to_point_in_time,
            async
        ),
        "DescribeExport" => run!(backups::describe_export, ops::export::describe_export),
        "ListExports" => run!(backups::list_exports, ops::export::list_exports),
        "ImportTable" => run!(backups::import_table, ops::import::import_table, async),
        "DescribeImport" => run!(backups::describe_import, ops::import::describe_import),
        "ListImports" => run!(backups::list_imports, ops::import::list_imports),
        "RestoreTableToPointInTime" => run!(
            backups::restore_table_to_point_in_time,
            ops::restore::restore_table_to_point_in_time,
            async
        ),
        "PutItem" => run!(items::put_item, ops::items::put_item, async),
        "GetItem" => run!(items::get_item, ops::items::get_item, body = get_item),
        "UpdateItem" => run!(items::update_item, ops::items::update_item, async),
        "DeleteItem" => run!(items::delete_item, ops::items::delete_item, async),
        "Query" => run!(read::query, ops::read::query, body = read),
        "Scan" => run!(read::scan, ops::read::scan, body = read),
        "BatchGetItem" => run!(batch::batch_get_item, ops::batch::batch_get_item),
        "BatchWriteItem" => run!(batch::batch_write_item, ops::batch::batch_write_item, async),
        "TransactWriteItems" => run!(
            transact::transact_write_items,
            ops::transact::transact_write_items,
            async
        ),
        "TransactGetItems" => run!(
            transact::transact_get_items,
            ops::transact::transact_get_items
        ),
        _ => Err(unknown_operation()),
    }
}

/// Runs a DynamoDB Streams operation; returns the encoded JSON response body.
pub async fn handle_streams(
    app: &App,
    caller: &Caller,
    operation: &str,
    input: Input,
) -> Result<Vec<u8>, AwsError> {
    macro_rules! run {
        ($decode:path, $op:path) => {
            match $decode(input) {
                Ok(input) => encode($op(app, caller, input).await),
                Err(e) => Err(errors::to_aws(e)),
            }
        };
    }
    match operation {
        "ListStreams" => run!(streams::list_streams, ops::streams::list_streams),
        "DescribeStream" => run!(streams::describe_stream, ops::streams::describe_stream),
        "GetShardIterator" => run!(
            streams::get_shard_iterator,
            ops::streams::get_shard_iterator
        ),
        "GetRecords" => match streams::get_records(input) {
            Ok(input) => encode_with(
                ops::streams::get_records(app, caller, input).await,
                json_body::get_records,
            ),
            Err(e) => Err(errors::to_aws(e)),
        },
        _ => Err(unknown_operation()),
    }
}
