//! Which key a request's `KeyId` names (spec kms-sse §1.2): a key id, key ARN, alias name or
//! alias ARN, resolved in the caller's account and region unless an ARN names another
//! account; and AWS's answers when it names none.

use strata_kms::Key;

use super::Error;
use crate::authz::kms_unknown_key_message;
use crate::{App, Caller};

/// The identifier forms an operation accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Forms {
    /// Key id, key ARN, alias name or alias ARN; another account's key by ARN
    /// (cryptographic operations and DescribeKey).
    Any,
    /// Key id or key ARN of the caller's own account (key management).
    KeyOnly,
}

/// The AWS managed keys' aliases every account lists, with no target until first use.
/// UNCONFIRMED: the exact set AWS lists in a new account; these are the common ones.
pub(crate) const AWS_MANAGED_ALIASES: [&str; 14] = [
    "alias/aws/acm",
    "alias/aws/dynamodb",
    "alias/aws/ebs",
    "alias/aws/elasticfilesystem",
    "alias/aws/es",
    "alias/aws/glue",
    "alias/aws/kinesisvideo",
    "alias/aws/lambda",
    "alias/aws/rds",
    "alias/aws/redshift",
    "alias/aws/s3",
    "alias/aws/secretsmanager",
    "alias/aws/ssm",
    "alias/aws/xray",
];

/// Whether `id` has the form of a key id: a lowercase UUID or a multi-Region `mrk-` id.
fn is_key_id(id: &str) -> bool {
    let uuid = id.len() == 36
        && id.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        });
    let mrk = id
        .strip_prefix("mrk-")
        .is_some_and(|h| h.len() == 32 && h.chars().all(|c| c.is_ascii_hexdigit()));
    uuid || mrk
}

/// The key `key_id` names for `caller`, for `action` (`kms:Encrypt`, …: the refusal of
/// another account's missing key names it).
pub(crate) async fn key(
    app: &App,
    caller: &Caller,
    key_id: &str,
    forms: Forms,
    action: &str,
) -> Result<Key, Error> {
    let region = caller.region.as_str();
    // AWS quotes a key id (`Invalid keyId 'fake-key-id'`) but not one with a slash
    // (`Invalid keyId aws/s3`, aws-cli #4507 and LocalStack's recording). UNCONFIRMED: that
    // the slash is the rule.
    let invalid = || {
        Error::NotFound(if key_id.contains('/') {
            format!("Invalid keyId {key_id}")
        } else {
            format!("Invalid keyId '{key_id}'")
        })
    };
    let (account, target) = match key_id.strip_prefix("arn:") {
        Some(_) => {
            let mut parts = key_id.splitn(6, ':');
            let (
                Some("arn"),
                Some(_partition),
                Some("kms"),
                Some(arn_region),
                Some(account),
                Some(resource),
            ) = (
                parts.next(),
                parts.next(),
                parts.next(),
                parts.next(),
                parts.next(),
                parts.next(),
            )
            else {
                return Err(invalid());
            };
            if arn_region != region {
                return Err(Error::NotFound(format!("Invalid arn {arn_region}")));
            }
            (account, resource)
        }
        None => (caller.account(), key_id),
    };
    let cross_account = account != caller.account();
    if cross_account && forms == Forms::KeyOnly {
        // UNCONFIRMED: AWS's answer to a management call naming another account's key;
        // from the caller's account the key does not exist.
        return Err(Error::NotFound(format!(
            "Key 'arn:aws:kms:{region}:{account}:key/{}' does not exist",
            target.trim_start_matches("key/")
        )));
    }
    let unknown = || Error::AccessDenied(kms_unknown_key_message(&caller.principal.arn(), action));
    let id = if let Some(name) = target.strip_prefix("alias/").map(|_| target) {
        if forms == Forms::KeyOnly {
            return Err(invalid());
        }
        match app.kms.alias(account, region, name)? {
            Some(alias) => alias.target_key_id,
            None if !cross_account && AWS_MANAGED_ALIASES.contains(&name) => {
                let service = name.trim_start_matches("alias/aws/");
                return super::service::aws_managed_key(app, account, region, service).await;
            }
            None if cross_account => return Err(unknown()),
            None => {
                return Err(Error::NotFound(format!(
                    "Alias arn:aws:kms:{region}:{account}:{name} is not found."
                )));
            }
        }
    } else {
        let id = target.strip_prefix("key/").unwrap_or(target);
        if !is_key_id(id) || (target == key_id && key_id.starts_with("key/")) {
            return Err(invalid());
        }
        id.to_owned()
    };
    match app.kms.key(account, region, &id)? {
        Some(key) => Ok(key),
        None if cross_account => Err(unknown()),
        None => Err(Error::NotFound(format!(
            "Key 'arn:aws:kms:{region}:{account}:key/{id}' does not exist"
        ))),
    }
}

/// A required `KeyId`.
pub(crate) fn required(key_id: Option<String>) -> Result<String, Error> {
    key_id.ok_or_else(|| Error::missing("keyId"))
}
