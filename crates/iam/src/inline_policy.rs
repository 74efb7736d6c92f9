//! Inline policies embedded in an IAM user (PutUserPolicy and friends).
//!
//! The engine stores the document text exactly as sent; callers validate it with the
//! policy language crate before saving, so every stored document parses.

use serde::{Deserialize, Serialize};

use crate::names::check_name;
use crate::{AccountId, Iam, IamError, USER_POLICIES, USERS, decode, encode};

/// AWS's limit on the size of all inline policies of one user (characters, without
/// whitespace); strata applies it to the document as sent. UNCONFIRMED whitespace rule.
pub const MAX_USER_INLINE_POLICY_BYTES: usize = 2_048;

/// One inline policy as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InlinePolicy {
    pub policy_name: String,
    pub document: String,
}

pub(crate) fn user_policies_prefix(account: &AccountId, user_name: &str) -> Vec<u8> {
    format!("{account}/{}/", user_name.to_lowercase()).into_bytes()
}

fn policy_key(account: &AccountId, user_name: &str, policy_name: &str) -> Vec<u8> {
    let mut key = user_policies_prefix(account, user_name);
    key.extend_from_slice(policy_name.as_bytes());
    key
}

fn no_such_user(name: &str) -> IamError {
    IamError::NoSuchEntity(format!("The user with name {name} cannot be found."))
}

impl Iam {
    /// PutUserPolicy: creates or replaces an inline policy.
    pub async fn put_user_policy(
        &self,
        account: AccountId,
        user_name: String,
        policy: InlinePolicy,
    ) -> Result<(), IamError> {
        check_name(&policy.policy_name, "policyName")?;
        // Parsed once here, at save time; a document that fails is never stored.
        strata_policy::PolicyDocument::parse(&policy.document, strata_policy::PolicyKind::Identity)
            .map_err(|e| IamError::MalformedPolicyDocument(e.message))?;
        let document_size: usize = policy
            .document
            .chars()
            .filter(|c| !c.is_whitespace())
            .count();
        let result = self
            .store
            .write(move |txn| {
                if txn.get(USERS, &format!("{account}/{}", user_name.to_lowercase()).into_bytes())?.is_none() {
                    return Err(no_such_user(&user_name));
                }
                let mut total = document_size;
                for key in txn.prefix_keys(USER_POLICIES, &user_policies_prefix(&account, &user_name))? {
                    if let Some(bytes) = txn.get(USER_POLICIES, &key)? {
                        let other: InlinePolicy = decode(&bytes)?;
                        if other.policy_name != policy.policy_name {
                            total += other.document.chars().filter(|c| !c.is_whitespace()).count();
                        }
                    }
                }
                if total > MAX_USER_INLINE_POLICY_BYTES {
                    return Err(IamError::LimitExceeded(format!(
                        "Maximum policy size of {MAX_USER_INLINE_POLICY_BYTES} bytes exceeded for user {user_name}"
                    )));
                }
                txn.put(USER_POLICIES, policy_key(&account, &user_name, &policy.policy_name), encode(&policy)?);
                Ok(())
            })
            .await;
        self.policies.invalidate();
        result
    }

    /// The inline policies of a user, ordered by name.
    pub fn user_policies(
        &self,
        account: &AccountId,
        user_name: &str,
    ) -> Result<Vec<InlinePolicy>, IamError> {
        let mut out = Vec::new();
        for entry in self
            .store
            .prefix(USER_POLICIES, &user_policies_prefix(account, user_name))?
        {
            out.push(decode(&entry?.1)?);
        }
        Ok(out)
    }

    /// GetUserPolicy.
    pub fn user_policy(
        &self,
        account: &AccountId,
        user_name: &str,
        policy_name: &str,
    ) -> Result<InlinePolicy, IamError> {
        self.get_user(account, user_name)?;
        self.store
            .get(USER_POLICIES, &policy_key(account, user_name, policy_name))?
            .map(|bytes| decode(&bytes))
            .transpose()?
            .ok_or_else(|| {
                IamError::NoSuchEntity(format!(
                    "The user policy with name {policy_name} cannot be found."
                ))
            })
    }

    /// DeleteUserPolicy.
    pub async fn delete_user_policy(
        &self,
        account: AccountId,
        user_name: String,
        policy_name: String,
    ) -> Result<(), IamError> {
        let result = self
            .store
            .write(move |txn| {
                if txn
                    .get(
                        USERS,
                        &format!("{account}/{}", user_name.to_lowercase()).into_bytes(),
                    )?
                    .is_none()
                {
                    return Err(no_such_user(&user_name));
                }
                let key = policy_key(&account, &user_name, &policy_name);
                if txn.get(USER_POLICIES, &key)?.is_none() {
                    return Err(IamError::NoSuchEntity(format!(
                        "The user policy with name {policy_name} cannot be found."
                    )));
                }
                txn.delete(USER_POLICIES, key);
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

    impl Iam {
        fn authenticate_user_principal(&self, account: &AccountId, name: &str) -> Principal {
            let user = self.get_user(account, name).unwrap();
            Principal::User {
                account: account.clone(),
                path: user.path,
                user_name: user.user_name,
                user_id: user.user_id,
            }
        }
    }

    #[tokio::test]
    async fn put_get_list_delete_and_delete_user_conflict() {
        let iam = Iam::new(strata_storage::Store::open_temporary().unwrap());
        let account = AccountId::parse("111111111111").unwrap();
        iam.create_user(account.clone(), "frank".into(), None, Timestamp::now())
            .await
            .unwrap();
        let policy = |name: &str, document: &str| InlinePolicy {
            policy_name: name.into(),
            document: document.into(),
        };
        let doc = |action: &str| {
            format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"{action}","Resource":"*"}}]}}"#
            )
        };
        let put = |name: &str, document: String| {
            iam.put_user_policy(account.clone(), "frank".into(), policy(name, &document))
        };
        put("b", doc("s3:*")).await.unwrap();
        put("a", doc("iam:*")).await.unwrap();
        let frank = iam.authenticate_user_principal(&account, "Frank");
        assert_eq!(iam.identity_policies(&frank).unwrap().len(), 2);
        put("b", doc("sts:*")).await.unwrap();
        assert!(matches!(
            put("c", "{}".into()).await,
            Err(IamError::MalformedPolicyDocument(_))
        ));
        let names: Vec<String> = iam
            .user_policies(&account, "frank")
            .unwrap()
            .into_iter()
            .map(|p| p.policy_name)
            .collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(
            iam.user_policy(&account, "frank", "b").unwrap().document,
            doc("sts:*")
        );
        let big = doc(&format!("s3:{}", "x".repeat(MAX_USER_INLINE_POLICY_BYTES)));
        assert!(matches!(
            put("c", big).await,
            Err(IamError::LimitExceeded(_))
        ));
        assert!(matches!(
            iam.delete_user(account.clone(), "frank".into()).await,
            Err(IamError::DeleteConflict(_))
        ));
        for name in ["a", "b"] {
            iam.delete_user_policy(account.clone(), "frank".into(), name.into())
                .await
                .unwrap();
        }
        assert!(iam.identity_policies(&frank).unwrap().is_empty());
        assert!(matches!(
            iam.user_policy(&account, "frank", "a"),
            Err(IamError::NoSuchEntity(_))
        ));
        iam.delete_user(account, "frank".into()).await.unwrap();
    }
}
