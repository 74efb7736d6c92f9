//! KMS's JSON 1.1 protocol (`TrentService`, spec kms-sse §1.1): each operation's body
//! decoded into the application's typed input, run by `strata_app::kms`, and its typed
//! output encoded. Errors are `{"__type": <code>, "message": <text>}` with HTTP 400;
//! operations strata does not serve answer `UnknownOperationException`.

use http::StatusCode;
use serde::Serialize;
use serde::de::DeserializeOwned;
use strata_app::kms::{self, Error};
use strata_app::{App, Caller};

use crate::protocol::AwsError;
use crate::protocol::json::unknown_operation;

/// The target prefix of KMS operations.
pub const TARGET_PREFIX: &str = "TrentService.";

/// The wire shape of an application error.
pub fn to_aws(e: Error) -> AwsError {
    let status = match e {
        Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::BAD_REQUEST,
    };
    if let Error::Internal(message) = &e {
        tracing::error!(error = %message, "KMS request failed");
    }
    AwsError::new(e.code(), status, e.to_string())
}

/// A body that is not the operation's JSON object (Coral's answer).
fn serialization(e: serde_json::Error) -> AwsError {
    AwsError::new(
        "SerializationException",
        StatusCode::BAD_REQUEST,
        e.to_string(),
    )
}

fn decode<T: DeserializeOwned + Default>(body: &[u8]) -> Result<T, AwsError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body).map_err(serialization)
}

fn encode<T: Serialize>(output: Result<T, Error>) -> Result<Vec<u8>, AwsError> {
    let output = output.map_err(to_aws)?;
    serde_json::to_vec(&output).map_err(|e| to_aws(Error::Internal(e.to_string())))
}

/// Runs KMS operation `operation` with `body`; the encoded JSON response body.
pub async fn handle(
    app: &App,
    caller: &Caller,
    operation: &str,
    body: &[u8],
) -> Result<Vec<u8>, AwsError> {
    macro_rules! run {
        ($op:path) => {
            encode($op(app, caller, decode(body)?).await)
        };
    }
    match operation {
        "CreateKey" => run!(kms::create_key),
        "DescribeKey" => run!(kms::describe_key),
        "ListKeys" => run!(kms::list_keys),
        "EnableKey" => run!(kms::enable_key),
        "DisableKey" => run!(kms::disable_key),
        "ScheduleKeyDeletion" => run!(kms::schedule_key_deletion),
        "CancelKeyDeletion" => run!(kms::cancel_key_deletion),
        "UpdateKeyDescription" => run!(kms::update_key_description),
        "TagResource" => run!(kms::tag_resource),
        "UntagResource" => run!(kms::untag_resource),
        "ListResourceTags" => run!(kms::list_resource_tags),
        "GetKeyPolicy" => run!(kms::get_key_policy),
        "PutKeyPolicy" => run!(kms::put_key_policy),
        "ListKeyPolicies" => run!(kms::list_key_policies),
        "CreateAlias" => run!(kms::create_alias),
        "UpdateAlias" => run!(kms::update_alias),
        "DeleteAlias" => run!(kms::delete_alias),
        "ListAliases" => run!(kms::list_aliases),
        "Encrypt" => run!(kms::encrypt),
        "Decrypt" => run!(kms::decrypt),
        "GenerateDataKey" => run!(kms::generate_data_key),
        "GenerateDataKeyWithoutPlaintext" => run!(kms::generate_data_key_without_plaintext),
        "ReEncrypt" => run!(kms::re_encrypt),
        _ => Err(unknown_operation()),
    }
}
