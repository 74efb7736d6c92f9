//! The authenticated caller of a request, with AWS's identifiers for it.

use crate::account::AccountId;

/// Who signed a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Principal {
    /// An account's root user.
    Root { account: AccountId },
}

impl Principal {
    pub fn account(&self) -> &AccountId {
        match self {
            Principal::Root { account } => account,
        }
    }

    /// `arn:aws:iam::ACCOUNT:root`.
    pub fn arn(&self) -> String {
        match self {
            Principal::Root { account } => format!("arn:aws:iam::{account}:root"),
        }
    }

    /// `aws:userid` / GetCallerIdentity's `UserId`: the account id for root.
    pub fn user_id(&self) -> String {
        match self {
            Principal::Root { account } => account.to_string(),
        }
    }
}
