//! AWS managed policies: `arn:aws:iam::aws:policy/…`, the same in every account and
//! read-only. strata carries a catalog of the common ones (`aws_managed_policies.json`:
//! each default version's document, id and dates as AWS publishes them, with where each was
//! taken from), so roles and users can attach them and be granted exactly what they grant on
//! AWS. Only the default version is known: a policy's older versions are not listed.

use std::sync::LazyLock;

use jiff::Timestamp;
use serde::Deserialize;

use crate::{AccountId, ManagedPolicy, PolicyVersion};

/// The ARN prefix of every AWS managed policy.
pub const AWS_POLICY_PREFIX: &str = "arn:aws:iam::aws:policy";

/// One catalog entry, as AWS's managed policy reference gives it.
#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Entry {
    policy_name: String,
    path: String,
    policy_id: String,
    description: Option<String>,
    create_date: Timestamp,
    update_date: Timestamp,
    default_version_id: String,
    /// The default version's document, as text in AWS's key order.
    document: String,
}

static CATALOG: LazyLock<Vec<Entry>> = LazyLock::new(|| {
    let entries: Vec<Entry> = serde_json::from_str(include_str!("aws_managed_policies.json"))
        .expect("the embedded catalog is valid JSON (checked by a test)");
    entries
});

impl Entry {
    /// The policy as `account` sees it.
    fn policy(&self, account: &AccountId) -> ManagedPolicy {
        let version = PolicyVersion {
            version_id: self.default_version_id.clone(),
            document: self.document.clone(),
            create_date: self.update_date,
        };
        ManagedPolicy {
            account: account.clone(),
            path: self.path.clone(),
            policy_name: self.policy_name.clone(),
            policy_id: self.policy_id.clone(),
            description: self.description.clone(),
            create_date: self.create_date,
            update_date: self.update_date,
            default_version_id: self.default_version_id.clone(),
            versions: vec![version],
            next_version: 0,
            aws_managed: true,
        }
    }
}

/// Whether `arn` names an AWS managed policy (known to strata or not).
pub(crate) fn is_aws_managed(arn: &str) -> bool {
    arn.starts_with(AWS_POLICY_PREFIX) && arn[AWS_POLICY_PREFIX.len()..].starts_with('/')
}

/// The AWS managed policy `arn` names, as `account` sees it.
pub(crate) fn aws_managed_policy(account: &AccountId, arn: &str) -> Option<ManagedPolicy> {
    let rest = arn.strip_prefix(AWS_POLICY_PREFIX)?;
    CATALOG
        .iter()
        .find(|e| rest.strip_prefix(e.path.as_str()) == Some(e.policy_name.as_str()))
        .map(|e| e.policy(account))
}

/// Every AWS managed policy strata knows, as `account` sees them, by name.
pub fn aws_managed_policies(account: &AccountId) -> Vec<ManagedPolicy> {
    let mut all: Vec<ManagedPolicy> = CATALOG.iter().map(|e| e.policy(account)).collect();
    all.sort_by(|a, b| a.policy_name.cmp(&b.policy_name));
    all
}

#[cfg(test)]
mod tests {
    use strata_policy::{PolicyDocument, PolicyKind};

    use super::*;

    #[test]
    fn every_catalog_document_parses_as_an_identity_policy() {
        let account = AccountId::parse("111111111111").unwrap();
        let all = aws_managed_policies(&account);
        assert!(!all.is_empty());
        for policy in &all {
            let arn = policy.arn();
            assert!(is_aws_managed(&arn), "{arn}");
            assert_eq!(aws_managed_policy(&account, &arn).as_ref(), Some(policy));
            let document = &policy.default_version().expect("default version").document;
            PolicyDocument::parse(document, PolicyKind::Identity)
                .unwrap_or_else(|e| panic!("{arn}: {}", e.message));
        }
        assert!(
            aws_managed_policy(&account, "arn:aws:iam::aws:policy/AdministratorAccess").is_some()
        );
    }
}
