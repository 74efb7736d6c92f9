//! The authenticated caller of a request, with AWS's identifiers for it.

use serde::{Deserialize, Serialize};

use crate::account::AccountId;

/// Who signed a request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Principal {
    /// An account's root user.
    Root { account: AccountId },
    /// An IAM user.
    User {
        account: AccountId,
        path: String,
        user_name: String,
        user_id: String,
    },
    /// A session of an IAM role (STS AssumeRole).
    AssumedRole {
        account: AccountId,
        role_path: String,
        role_name: String,
        /// The role's `AROA…` unique id.
        role_id: String,
        session_name: String,
        /// The session policy passed to AssumeRole, if any (already validated).
        session_policy: Option<String>,
    },
}

impl Principal {
    pub fn account(&self) -> &AccountId {
        match self {
            Principal::Root { account }
            | Principal::User { account, .. }
            | Principal::AssumedRole { account, .. } => account,
        }
    }

    /// `arn:aws:iam::ACCOUNT:root` or `arn:aws:iam::ACCOUNT:user/PATH/NAME`.
    pub fn arn(&self) -> String {
        match self {
            Principal::Root { account } => format!("arn:aws:iam::{account}:root"),
            Principal::User {
                account,
                path,
                user_name,
                ..
            } => crate::user_arn(account, path, user_name),
            Principal::AssumedRole {
                account,
                role_name,
                session_name,
                ..
            } => format!("arn:aws:sts::{account}:assumed-role/{role_name}/{session_name}"),
        }
    }

    /// `aws:userid` / GetCallerIdentity's `UserId`: the account id for root, the
    /// `AIDA…` unique id for a user, `AROA…:session` for a role session.
    pub fn user_id(&self) -> String {
        match self {
            Principal::Root { account } => account.to_string(),
            Principal::User { user_id, .. } => user_id.clone(),
            Principal::AssumedRole {
                role_id,
                session_name,
                ..
            } => format!("{role_id}:{session_name}"),
        }
    }
}
