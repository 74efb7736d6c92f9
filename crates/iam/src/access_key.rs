//! Access keys: the id/secret pairs SigV4 signs with, and whose they are.

use serde::{Deserialize, Serialize};

use crate::account::AccountId;

/// Who an access key authenticates as.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum AccessKeyOwner {
    /// The account's root user.
    Root { account: AccountId },
}

/// A long-term access key as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessKey {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub owner: AccessKeyOwner,
}

impl AccessKey {
    pub fn root(account: AccountId, access_key_id: String, secret_access_key: String) -> Self {
        Self {
            access_key_id,
            secret_access_key,
            owner: AccessKeyOwner::Root { account },
        }
    }

    /// Checks an access key id the way IAM's model does (16–128 word characters).
    pub fn check_id(id: &str) -> Result<(), String> {
        if (16..=128).contains(&id.len())
            && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            Ok(())
        } else {
            Err(format!(
                "access key id must be 16 to 128 letters, digits or underscores, got {id:?}"
            ))
        }
    }

    /// Secrets may be any printable ASCII without spaces; AWS's are 40 characters.
    pub fn check_secret(secret: &str) -> Result<(), String> {
        if !secret.is_empty() && secret.len() <= 128 && secret.bytes().all(|b| b.is_ascii_graphic())
        {
            Ok(())
        } else {
            Err(
                "secret access key must be 1 to 128 printable ASCII characters without spaces"
                    .to_owned(),
            )
        }
    }
}
