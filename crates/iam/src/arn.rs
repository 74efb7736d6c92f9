//! The ARNs of IAM entities: `arn:aws:iam::<account>:<kind><path><name>`.

use crate::AccountId;

pub fn user_arn(account: &AccountId, path: &str, name: &str) -> String {
    format!("arn:aws:iam::{account}:user{path}{name}")
}

pub fn role_arn(account: &AccountId, path: &str, name: &str) -> String {
    format!("arn:aws:iam::{account}:role{path}{name}")
}

pub fn policy_arn(account: &AccountId, path: &str, name: &str) -> String {
    format!("arn:aws:iam::{account}:policy{path}{name}")
}
