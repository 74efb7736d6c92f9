//! Inline policies embedded in an IAM user or role (Put/Get/List/Delete User- and
//! RolePolicy).
//!
//! Documents are validated with the policy language when saved, so every stored one
//! parses; the text is kept exactly as sent, as IAM returns it.

use serde::{Deserialize, Serialize};

use crate::names::check_name;
use crate::{AccountId, INLINE_POLICIES, Iam, IamError, ROLES, USERS, decode, encode};

/// The identity an inline policy is embedded in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PolicyHolder {
    User(String),
    Role(String),
}

impl PolicyHolder {
    fn kind(&self) -> &'static str {
        match self {
            PolicyHolder::User(_) => "user",
            PolicyHolder::Role(_) => "role",
        }
    }

    fn name(&self) -> &str {
        match self {
            PolicyHolder::User(n) | PolicyHolder::Role(n) => n,
        }
    }

    /// AWS's aggregate limit on a holder's inline policies (non-whitespace characters).
    pub fn max_inline_bytes(&self) -> usize {
        match self {
            PolicyHolder::User(_) => 2_048,
            PolicyHolder::Role(_) => 10_240,
        }
    }

    fn record_key(&self, account: &AccountId) -> (&'static str, Vec<u8>) {
        let keyspace = match self {
            PolicyHolder::User(_) => USERS,
            PolicyHolder::Role(_) => ROLES,
        };
        (
            keyspace,
            format!("{account}/{}", self.name().to_lowercase()).into_bytes(),
        )
    }

    pub(crate) fn prefix(&self, account: &AccountId) -> Vec<u8> {
        format!("{account}/{}/{}/", self.kind(), self.name().to_lowercase()).into_bytes()
    }

    fn policy_key(&self, account: &AccountId, policy_name: &str) -> Vec<u8> {
        let mut key = self.prefix(account);
        key.extend_from_slice(policy_name.as_bytes());
        key
    }

    fn not_found(&self) -> IamError {
        IamError::NoSuchEntity(format!(
            "The {} with name {} cannot be found.",
            self.kind(),
            self.name()
        ))
    }

    fn policy_not_found(&self, policy_name: &str) -> IamError {
        IamError::NoSuchEntity(format!(
            "The {} policy with name {policy_name} cannot be found.",
            self.kind()
        ))
    }
}

/// One inline policy as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InlinePolicy {
    pub policy_name: String,
    pub document: String,
}

fn size(document: &str) -> usize {
    document.chars().filter(|c| !c.is_whitespace()).count()
}

impl Iam {
    /// Put{User,Role}Policy: creates or replaces an inline policy.
    pub async fn put_inline_policy(
        &self,
        account: AccountId,
        holder: PolicyHolder,
        policy: InlinePolicy,
    ) -> Result<(), IamError> {
        check_name(&policy.policy_name, "policyName")?;
        // Parsed once here, at save time; a document that fails is never stored.
        strata_policy::PolicyDocument::parse(&policy.document, strata_policy::PolicyKind::Identity)
            .map_err(|e| IamError::MalformedPolicyDocument(e.message))?;
        let result = self
            .store
            .write(move |txn| {
                let (keyspace, key) = holder.record_key(&account);
                if txn.get(keyspace, &key)?.is_none() {
                    return Err(holder.not_found());
                }
                let mut total = size(&policy.document);
                for key in txn.prefix_keys(INLINE_POLICIES, &holder.prefix(&account))? {
                    if let Some(bytes) = txn.get(INLINE_POLICIES, &key)? {
                        let other: InlinePolicy = decode(&bytes)?;
                        if other.policy_name != policy.policy_name {
                            total += size(&other.document);
                        }
                    }
                }
                if total > holder.max_inline_bytes() {
                    return Err(IamError::LimitExceeded(format!(
                        "Maximum policy size of {} bytes exceeded for {} {}",
                        holder.max_inline_bytes(),
                        holder.kind(),
                        holder.name()
                    )));
                }
                txn.put(
                    INLINE_POLICIES,
                    holder.policy_key(&account, &policy.policy_name),
                    encode(&policy)?,
                );
                Ok(())
            })
            .await;
        self.policies.invalidate();
        result
    }

    /// The inline policies of a user or role, ordered by name.
    pub fn inline_policies(
        &self,
        account: &AccountId,
        holder: &PolicyHolder,
    ) -> Result<Vec<InlinePolicy>, IamError> {
        let mut out = Vec::new();
        for entry in self
            .store
            .prefix(INLINE_POLICIES, &holder.prefix(account))?
        {
            out.push(decode(&entry?.1)?);
        }
        Ok(out)
    }

    /// Get{User,Role}Policy.
    pub fn inline_policy(
        &self,
        account: &AccountId,
        holder: &PolicyHolder,
        policy_name: &str,
    ) -> Result<InlinePolicy, IamError> {
        let (keyspace, key) = holder.record_key(account);
        if self.store.get(keyspace, &key)?.is_none() {
            return Err(holder.not_found());
        }
        self.store
            .get(INLINE_POLICIES, &holder.policy_key(account, policy_name))?
            .map(|bytes| decode(&bytes))
            .transpose()?
            .ok_or_else(|| holder.policy_not_found(policy_name))
    }

    /// Delete{User,Role}Policy.
    pub async fn delete_inline_policy(
        &self,
        account: AccountId,
        holder: PolicyHolder,
        policy_name: String,
    ) -> Result<(), IamError> {
        let result = self
            .store
            .write(move |txn| {
                let (keyspace, key) = holder.record_key(&account);
                if txn.get(keyspace, &key)?.is_none() {
                    return Err(holder.not_found());
                }
                let key = holder.policy_key(&account, &policy_name);
                if txn.get(INLINE_POLICIES, &key)?.is_none() {
                    return Err(holder.policy_not_found(&policy_name));
                }
                txn.delete(INLINE_POLICIES, key);
                Ok(())
            })
            .await;
        self.policies.invalidate();
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Principal;
    use jiff::Timestamp;

    #[tokio::test]
    async fn put_get_list_delete_and_delete_user_conflict() {
        let iam = Iam::new(strata_storage::Store::open_temporary().unwrap());
        let account = AccountId::parse("111111111111").unwrap();
        let user = iam
            .create_user(
                account.clone(),
                "frank".into(),
                None,
                Vec::new(),
                Timestamp::now(),
            )
            .await
            .unwrap();
        let frank = PolicyHolder::User("Frank".into());
        let policy = |name: &str, document: String| InlinePolicy {
            policy_name: name.into(),
            document,
        };
        let doc = |action: &str| {
            format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"{action}","Resource":"*"}}]}}"#
            )
        };
        let put = |name: &str, document: String| {
            iam.put_inline_policy(account.clone(), frank.clone(), policy(name, document))
        };
        put("b", doc("s3:*")).await.unwrap();
        put("a", doc("iam:*")).await.unwrap();
        let principal = Principal::User {
            account: account.clone(),
            path: user.path.clone(),
            user_name: user.user_name.clone(),
            user_id: user.user_id.clone(),
        };
        assert_eq!(iam.identity_policies(&principal).unwrap().len(), 2);
        put("b", doc("sts:*")).await.unwrap();
        assert!(matches!(
            put("c", "{}".into()).await,
            Err(IamError::MalformedPolicyDocument(_))
        ));
        let names: Vec<String> = iam
            .inline_policies(&account, &frank)
            .unwrap()
            .into_iter()
            .map(|p| p.policy_name)
            .collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(
            iam.inline_policy(&account, &frank, "b").unwrap().document,
            doc("sts:*")
        );
        let big = doc(&format!("s3:{}", "x".repeat(2_048)));
        assert!(matches!(
            put("c", big).await,
            Err(IamError::LimitExceeded(_))
        ));
        assert!(matches!(
            iam.delete_user(account.clone(), "frank".into()).await,
            Err(IamError::DeleteConflict(_))
        ));
        for name in ["a", "b"] {
            iam.delete_inline_policy(account.clone(), frank.clone(), name.into())
                .await
                .unwrap();
        }
        assert!(iam.identity_policies(&principal).unwrap().is_empty());
        assert!(matches!(
            iam.inline_policy(&account, &frank, "a"),
            Err(IamError::NoSuchEntity(_))
        ));
        iam.delete_user(account.clone(), "frank".into())
            .await
            .unwrap();
        let err = iam.inline_policy(&account, &frank, "a").unwrap_err();
        assert_eq!(err.to_string(), "The user with name Frank cannot be found.");
    }
}
