//! Accounts: a 12-digit id, an optional alias, and the id of the root access key.

use serde::{Deserialize, Serialize};

/// A 12-digit AWS account id.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AccountId(String);

impl AccountId {
    /// Accepts exactly 12 ASCII digits.
    pub fn parse(id: &str) -> Result<Self, String> {
        if id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(id.to_owned()))
        } else {
            Err(format!("account id must be 12 digits, got {id:?}"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for AccountId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for AccountId {
    type Error = String;
    fn try_from(value: String) -> Result<Self, String> {
        Self::parse(&value)
    }
}

impl From<AccountId> for String {
    fn from(id: AccountId) -> String {
        id.0
    }
}

/// An account as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: AccountId,
    pub alias: Option<String>,
    pub root_access_key_id: Option<String>,
}

impl Account {
    pub fn new(id: AccountId, alias: Option<String>) -> Self {
        Self {
            id,
            alias,
            root_access_key_id: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_ids_are_twelve_digits() {
        assert!(AccountId::parse("111111111111").is_ok());
        for bad in [
            "",
            "11111111111",
            "1111111111111",
            "11111111111a",
            "１１１１１１１１１１１１",
        ] {
            assert!(AccountId::parse(bad).is_err(), "{bad}");
        }
    }
}
