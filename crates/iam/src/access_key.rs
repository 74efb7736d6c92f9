//! Access keys: the id/secret pairs SigV4 signs with, and whose they are.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::account::AccountId;

/// Who an access key authenticates as.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum AccessKeyOwner {
    /// The account's root user.
    Root { account: AccountId },
    /// An IAM user of the account.
    User {
        account: AccountId,
        user_name: String,
        user_id: String,
    },
}

/// `Active` keys authenticate; `Inactive` ones are refused as if unknown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum AccessKeyStatus {
    #[default]
    Active,
    Inactive,
}

impl AccessKeyStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "Active",
            Self::Inactive => "Inactive",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        match value {
            "Active" => Some(Self::Active),
            "Inactive" => Some(Self::Inactive),
            _ => None,
        }
    }
}

/// A long-term access key as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessKey {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub owner: AccessKeyOwner,
    #[serde(default)]
    pub status: AccessKeyStatus,
    #[serde(default)]
    pub create_date: Option<Timestamp>,
}

impl AccessKey {
    pub fn root(account: AccountId, access_key_id: String, secret_access_key: String) -> Self {
        Self {
            access_key_id,
            secret_access_key,
            owner: AccessKeyOwner::Root { account },
            status: AccessKeyStatus::Active,
            create_date: None,
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
