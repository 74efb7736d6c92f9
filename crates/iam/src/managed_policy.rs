//! Customer managed policies: named, versioned documents attached to users and roles
//! (CreatePolicy, policy versions, Attach/Detach, and the attachment lists).
//!
//! A policy keeps up to five versions inside its record; the default version is the one
//! evaluated. Attachments are indexed both ways so that listing a holder's policies and
//! refusing to delete an attached policy are single prefix reads.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use strata_policy::{PolicyDocument, PolicyKind};

use crate::names::{check_name, check_path};
use crate::{
    ATTACHMENTS, AccountId, Iam, IamError, MANAGED_POLICIES, PolicyHolder, decode, encode,
};

/// AWS keeps at most five versions of a managed policy.
pub const MAX_POLICY_VERSIONS: usize = 5;
/// AWS's size limit of one managed policy version (non-whitespace characters).
pub const MAX_MANAGED_POLICY_BYTES: usize = 6_144;

/// One version of a managed policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyVersion {
    pub version_id: String,
    pub document: String,
    pub create_date: Timestamp,
}

/// A customer managed policy as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagedPolicy {
    pub account: AccountId,
    pub path: String,
    pub policy_name: String,
    pub policy_id: String,
    pub description: Option<String>,
    pub create_date: Timestamp,
    pub update_date: Timestamp,
    pub default_version_id: String,
    pub versions: Vec<PolicyVersion>,
    /// The number `v<N>` the next version gets.
    pub next_version: u32,
    /// An AWS managed policy ([`crate::aws_managed`]), never stored: `account` is the account
    /// looking at it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub aws_managed: bool,
}

impl ManagedPolicy {
    pub fn arn(&self) -> String {
        if self.aws_managed {
            return format!(
                "{}{}{}",
                crate::aws_managed::AWS_POLICY_PREFIX,
                self.path,
                self.policy_name
            );
        }
        crate::policy_arn(&self.account, &self.path, &self.policy_name)
    }

    pub fn default_version(&self) -> Option<&PolicyVersion> {
        self.versions
            .iter()
            .find(|v| v.version_id == self.default_version_id)
    }
}

fn policy_key(account: &AccountId, name: &str) -> Vec<u8> {
    format!("{account}/{}", name.to_lowercase()).into_bytes()
}

/// `ACCOUNT/user|role/lower-case name/` in the holder→policy direction.
pub(crate) fn holder_prefix(account: &AccountId, holder: &PolicyHolder) -> Vec<u8> {
    let mut key = b"h/".to_vec();
    key.extend_from_slice(&holder.prefix(account));
    key
}

/// `p/POLICY ARN/` in the policy→holder direction.
fn policy_prefix(arn: &str) -> Vec<u8> {
    format!("p/{arn}/").into_bytes()
}

fn not_attachable(arn: &str) -> IamError {
    IamError::NoSuchEntity(format!("Policy {arn} does not exist or is not attachable."))
}

fn not_found(arn: &str) -> IamError {
    IamError::NoSuchEntity(format!("Policy {arn} was not found."))
}

/// `arn:aws:iam::ACCOUNT:policy/PATH/NAME` → (account, name), for this account only.
fn parse_arn(account: &AccountId, arn: &str) -> Option<String> {
    let rest = arn.strip_prefix(&format!("arn:aws:iam::{account}:policy/"))?;
    rest.rsplit('/')
        .next()
        .filter(|n| !n.is_empty())
        .map(str::to_owned)
}

fn check_document(document: &str) -> Result<(), IamError> {
    PolicyDocument::parse(document, PolicyKind::Identity)
        .map_err(|e| IamError::MalformedPolicyDocument(e.message))?;
    if document.chars().filter(|c| !c.is_whitespace()).count() > MAX_MANAGED_POLICY_BYTES {
        return Err(IamError::LimitExceeded(format!(
            "Cannot exceed quota for PolicySize: {MAX_MANAGED_POLICY_BYTES}"
        )));
    }
    Ok(())
}

impl Iam {
    /// CreatePolicy.
    pub async fn create_policy(
        &self,
        account: AccountId,
        policy_name: String,
        path: Option<String>,
        document: String,
        description: Option<String>,
        now: Timestamp,
    ) -> Result<ManagedPolicy, IamError> {
        check_name(&policy_name, "policyName")?;
        let path = path.unwrap_or_else(|| "/".to_owned());
        check_path(&path)?;
        check_document(&document)?;
        let policy = ManagedPolicy {
            account,
            path,
            policy_name,
            policy_id: crate::ids::generate_policy_id(),
            description,
            create_date: now,
            update_date: now,
            default_version_id: "v1".to_owned(),
            versions: vec![PolicyVersion {
                version_id: "v1".to_owned(),
                document,
                create_date: now,
            }],
            next_version: 2,
            aws_managed: false,
        };
        self.store
            .write(move |txn| {
                let key = policy_key(&policy.account, &policy.policy_name);
                if txn.get(MANAGED_POLICIES, &key)?.is_some() {
                    return Err(IamError::EntityAlreadyExists(format!(
                        "A policy called {} already exists. Duplicate names are not allowed.",
                        policy.policy_name
                    )));
                }
                txn.put(MANAGED_POLICIES, key, encode(&policy)?);
                Ok(policy)
            })
            .await
    }

    /// The policy an ARN names: an AWS managed one, or one of `account`'s own.
    pub fn get_policy(&self, account: &AccountId, arn: &str) -> Result<ManagedPolicy, IamError> {
        if crate::aws_managed::is_aws_managed(arn) {
            return crate::aws_managed::aws_managed_policy(account, arn)
                .ok_or_else(|| not_found(arn));
        }
        self.customer_policy(account, arn)
    }

    /// The policy an ARN names among `account`'s own: the only ones a caller may change.
    fn customer_policy(&self, account: &AccountId, arn: &str) -> Result<ManagedPolicy, IamError> {
        let name = parse_arn(account, arn).ok_or_else(|| not_found(arn))?;
        let policy: Option<ManagedPolicy> = self
            .store
            .get(MANAGED_POLICIES, &policy_key(account, &name))?
            .map(|b| decode(&b))
            .transpose()?;
        policy
            .filter(|p| p.arn() == arn)
            .ok_or_else(|| not_found(arn))
    }

    /// How many of `account`'s users and roles a policy is attached to (an AWS managed
    /// policy is attached in many accounts; each counts its own).
    pub fn attachment_count(&self, account: &AccountId, arn: &str) -> Result<usize, IamError> {
        let mut prefix = policy_prefix(arn);
        prefix.extend_from_slice(format!("{account}/").as_bytes());
        Ok(self.store.prefix(ATTACHMENTS, &prefix)?.count())
    }

    /// ListPolicies (Scope=Local).
    pub fn list_policies(
        &self,
        account: &AccountId,
        path_prefix: &str,
    ) -> Result<Vec<ManagedPolicy>, IamError> {
        let mut out = Vec::new();
        for entry in self
            .store
            .prefix(MANAGED_POLICIES, format!("{account}/").as_bytes())?
        {
            let policy: ManagedPolicy = decode(&entry?.1)?;
            if policy.path.starts_with(path_prefix) {
                out.push(policy);
            }
        }
        Ok(out)
    }

    /// CreatePolicyVersion.
    pub async fn create_policy_version(
        &self,
        account: AccountId,
        arn: String,
        document: String,
        set_as_default: bool,
        now: Timestamp,
    ) -> Result<PolicyVersion, IamError> {
        check_document(&document)?;
        let current = self.customer_policy(&account, &arn)?;
        let result = self
            .store
            .write(move |txn| {
                let key = policy_key(&account, &current.policy_name);
                let mut policy: ManagedPolicy = match txn.get(MANAGED_POLICIES, &key)? {
                    Some(bytes) => decode(&bytes)?,
                    None => return Err(not_found(&arn)),
                };
                if policy.versions.len() >= MAX_POLICY_VERSIONS {
                    return Err(IamError::LimitExceeded(
                        "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.".to_owned(),
                    ));
                }
                let version = PolicyVersion {
                    version_id: format!("v{}", policy.next_version),
                    document,
                    create_date: now,
                };
                policy.next_version += 1;
                if set_as_default {
                    policy.default_version_id = version.version_id.clone();
                }
                policy.update_date = now;
                policy.versions.push(version.clone());
                txn.put(MANAGED_POLICIES, key, encode(&policy)?);
                Ok(version)
            })
            .await;
        self.policies.invalidate();
        result
    }

    /// DeletePolicyVersion: never the default version.
    pub async fn delete_policy_version(
        &self,
        account: AccountId,
        arn: String,
        version_id: String,
    ) -> Result<(), IamError> {
        let current = self.customer_policy(&account, &arn)?;
        self.store
            .write(move |txn| {
                let key = policy_key(&account, &current.policy_name);
                let mut policy: ManagedPolicy = match txn.get(MANAGED_POLICIES, &key)? {
                    Some(bytes) => decode(&bytes)?,
                    None => return Err(not_found(&arn)),
                };
                if policy.default_version_id == version_id {
                    return Err(IamError::DeleteConflict(
                        "Cannot delete the default version of a policy.".to_owned(),
                    ));
                }
                let before = policy.versions.len();
                policy.versions.retain(|v| v.version_id != version_id);
                if policy.versions.len() == before {
                    return Err(IamError::NoSuchEntity(format!(
                        "Policy {arn} version {version_id} does not exist or is not deletable."
                    )));
                }
                txn.put(MANAGED_POLICIES, key, encode(&policy)?);
                Ok(())
            })
            .await
    }

    /// DeletePolicy: refused while attached or while non-default versions remain.
    pub async fn delete_policy(&self, account: AccountId, arn: String) -> Result<(), IamError> {
        let current = self.customer_policy(&account, &arn)?;
        self.store
            .write(move |txn| {
                let mut attached = policy_prefix(&arn);
                attached.extend_from_slice(format!("{account}/").as_bytes());
                if !txn.prefix_keys(ATTACHMENTS, &attached)?.is_empty() {
                    return Err(IamError::DeleteConflict("Cannot delete a policy attached to entities.".to_owned()));
                }
                let key = policy_key(&account, &current.policy_name);
                let policy: ManagedPolicy = match txn.get(MANAGED_POLICIES, &key)? {
                    Some(bytes) => decode(&bytes)?,
                    None => return Err(not_found(&arn)),
                };
                if policy.versions.len() > 1 {
                    return Err(IamError::DeleteConflict(
                        "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.".to_owned(),
                    ));
                }
                txn.delete(MANAGED_POLICIES, key);
                Ok(())
            })
            .await
    }

    /// Attach{User,Role}Policy (`attach`) or Detach{User,Role}Policy.
    pub async fn set_attachment(
        &self,
        account: AccountId,
        holder: PolicyHolder,
        arn: String,
        attach: bool,
    ) -> Result<(), IamError> {
        let policy_name = match self.get_policy(&account, &arn) {
            Ok(policy) => policy.policy_name,
            // A detach needs only the attachment: an AWS managed policy strata no longer
            // knows can still be detached, so its holder can be deleted.
            Err(_) if !attach => String::new(),
            Err(_) => return Err(not_attachable(&arn)),
        };
        self.holder_must_exist(&account, &holder)?;
        let result = self
            .store
            .write(move |txn| {
                let mut forward = holder_prefix(&account, &holder);
                forward.extend_from_slice(arn.as_bytes());
                let mut backward = policy_prefix(&arn);
                backward.extend_from_slice(&holder.prefix(&account));
                if attach {
                    txn.put(ATTACHMENTS, forward, policy_name.into_bytes());
                    txn.put(ATTACHMENTS, backward, Vec::new());
                } else {
                    if txn.get(ATTACHMENTS, &forward)?.is_none() {
                        return Err(IamError::NoSuchEntity(format!(
                            "Policy {arn} was not found."
                        )));
                    }
                    txn.delete(ATTACHMENTS, forward);
                    txn.delete(ATTACHMENTS, backward);
                }
                Ok(())
            })
            .await;
        self.policies.invalidate();
        result
    }

    /// The managed policies attached to a user or role: (name, ARN).
    pub fn attached_policies(
        &self,
        account: &AccountId,
        holder: &PolicyHolder,
    ) -> Result<Vec<(String, String)>, IamError> {
        let prefix = holder_prefix(account, holder);
        let mut out = Vec::new();
        for entry in self.store.prefix(ATTACHMENTS, &prefix)? {
            let (key, name) = entry?;
            let arn = String::from_utf8_lossy(&key[prefix.len()..]).into_owned();
            out.push((String::from_utf8_lossy(&name).into_owned(), arn));
        }
        Ok(out)
    }

    /// `NoSuchEntity` unless the user or role exists.
    pub fn holder_must_exist(
        &self,
        account: &AccountId,
        holder: &PolicyHolder,
    ) -> Result<(), IamError> {
        match holder {
            PolicyHolder::User(name) => self.get_user(account, name).map(|_| ()),
            PolicyHolder::Role(name) => self.get_role(account, name).map(|_| ()),
        }
    }
}
