//! IAM users and their access keys.
//!
//! User names are unique per account regardless of case, as in IAM; records are keyed
//! by the lower-cased name and keep the spelling they were created with.

use std::sync::Arc;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::ids::{generate_secret_access_key, generate_user_access_key_id, generate_user_id};
use crate::names::{check_name, check_path};
use crate::{
    ACCESS_KEYS, ATTACHMENTS, AccessKey, AccessKeyOwner, AccessKeyStatus, AccountId,
    INLINE_POLICIES, Iam, IamError, USER_KEYS, USERS, decode, encode,
};

/// AWS allows two access keys per user.
pub const MAX_ACCESS_KEYS_PER_USER: usize = 2;

/// An IAM user as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub account: AccountId,
    pub path: String,
    pub user_name: String,
    pub user_id: String,
    pub create_date: Timestamp,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<crate::Tag>,
}

impl User {
    pub fn arn(&self) -> String {
        crate::user_arn(&self.account, &self.path, &self.user_name)
    }
}

pub(crate) fn user_key(account: &AccountId, name: &str) -> Vec<u8> {
    format!("{account}/{}", name.to_lowercase()).into_bytes()
}

fn user_keys_prefix(account: &AccountId, name: &str) -> Vec<u8> {
    format!("{account}/{}/", name.to_lowercase()).into_bytes()
}

pub(crate) fn no_such_user(name: &str) -> IamError {
    IamError::NoSuchEntity(format!("The user with name {name} cannot be found."))
}

impl Iam {
    /// CreateUser.
    pub async fn create_user(
        &self,
        account: AccountId,
        user_name: String,
        path: Option<String>,
        tags: Vec<crate::Tag>,
        now: Timestamp,
    ) -> Result<User, IamError> {
        check_name(&user_name, "userName")?;
        crate::check_tags(&tags)?;
        let path = path.unwrap_or_else(|| "/".to_owned());
        check_path(&path)?;
        let user = User {
            account,
            path,
            user_name,
            user_id: generate_user_id(),
            create_date: now,
            tags,
        };
        self.store
            .write(move |txn| {
                let key = user_key(&user.account, &user.user_name);
                if txn.get(USERS, &key)?.is_some() {
                    return Err(IamError::EntityAlreadyExists(format!(
                        "User with name {} already exists.",
                        user.user_name
                    )));
                }
                txn.put(USERS, key, encode(&user)?);
                Ok(user)
            })
            .await
    }

    pub(crate) fn find_user(
        &self,
        account: &AccountId,
        user_name: &str,
    ) -> Result<Option<User>, IamError> {
        self.store
            .get(USERS, &user_key(account, user_name))?
            .map(|bytes| decode(&bytes))
            .transpose()
    }

    /// GetUser.
    pub fn get_user(&self, account: &AccountId, user_name: &str) -> Result<User, IamError> {
        self.find_user(account, user_name)?
            .ok_or_else(|| no_such_user(user_name))
    }

    /// ListUsers, ordered by name, filtered by path prefix.
    pub fn list_users(
        &self,
        account: &AccountId,
        path_prefix: &str,
    ) -> Result<Vec<User>, IamError> {
        let mut users = Vec::new();
        for entry in self.store.prefix(USERS, format!("{account}/").as_bytes())? {
            let user: User = decode(&entry?.1)?;
            if user.path.starts_with(path_prefix) {
                users.push(user);
            }
        }
        Ok(users)
    }

    /// DeleteUser: refused while the user still has access keys.
    pub async fn delete_user(&self, account: AccountId, user_name: String) -> Result<(), IamError> {
        let result = self
            .store
            .write(move |txn| {
                let key = user_key(&account, &user_name);
                if txn.get(USERS, &key)?.is_none() {
                    return Err(no_such_user(&user_name));
                }
                if !txn
                    .prefix_keys(USER_KEYS, &user_keys_prefix(&account, &user_name))?
                    .is_empty()
                {
                    return Err(IamError::DeleteConflict(
                        "Cannot delete entity, must delete access keys first.".to_owned(),
                    ));
                }
                if !txn
                    .prefix_keys(
                        INLINE_POLICIES,
                        &crate::PolicyHolder::User(user_name.clone()).prefix(&account),
                    )?
                    .is_empty()
                {
                    return Err(IamError::DeleteConflict(
                        "Cannot delete entity, must delete policies first.".to_owned(),
                    ));
                }
                if !txn
                    .prefix_keys(
                        ATTACHMENTS,
                        &crate::managed_policy::holder_prefix(
                            &account,
                            &crate::PolicyHolder::User(user_name.clone()),
                        ),
                    )?
                    .is_empty()
                {
                    return Err(IamError::DeleteConflict(
                        "Cannot delete entity, must detach all policies first.".to_owned(),
                    ));
                }
                txn.delete(USERS, key);
                Ok(())
            })
            .await;
        self.policies.invalidate();
        result
    }

    /// CreateAccessKey for a user (at most two).
    pub async fn create_access_key(
        &self,
        account: AccountId,
        user_name: String,
        now: Timestamp,
    ) -> Result<AccessKey, IamError> {
        let result = self
            .store
            .write(move |txn| {
                let user: User = match txn.get(USERS, &user_key(&account, &user_name))? {
                    Some(bytes) => decode(&bytes)?,
                    None => return Err(no_such_user(&user_name)),
                };
                let prefix = user_keys_prefix(&account, &user_name);
                if txn.prefix_keys(USER_KEYS, &prefix)?.len() >= MAX_ACCESS_KEYS_PER_USER {
                    return Err(IamError::LimitExceeded(format!(
                        "Cannot exceed quota for AccessKeysPerUser: {MAX_ACCESS_KEYS_PER_USER}"
                    )));
                }
                let key = AccessKey {
                    access_key_id: generate_user_access_key_id(),
                    secret_access_key: generate_secret_access_key(),
                    owner: AccessKeyOwner::User {
                        account,
                        user_name: user.user_name,
                        user_id: user.user_id,
                    },
                    status: AccessKeyStatus::Active,
                    create_date: Some(now),
                };
                let mut index = prefix;
                index.extend_from_slice(key.access_key_id.as_bytes());
                txn.put(USER_KEYS, index, Vec::new());
                txn.put(ACCESS_KEYS, key.access_key_id.as_bytes(), encode(&key)?);
                Ok(key)
            })
            .await;
        self.keys.invalidate();
        result
    }

    /// ListAccessKeys of a user.
    pub fn list_access_keys(
        &self,
        account: &AccountId,
        user_name: &str,
    ) -> Result<Vec<Arc<AccessKey>>, IamError> {
        let user = self.get_user(account, user_name)?;
        let mut keys = Vec::new();
        for entry in self
            .store
            .prefix(USER_KEYS, &user_keys_prefix(account, &user.user_name))?
        {
            let (index, _) = entry?;
            let id = String::from_utf8_lossy(
                &index[index.iter().rposition(|b| *b == b'/').map_or(0, |p| p + 1)..],
            )
            .into_owned();
            if let Some(key) = self.access_key(&id)? {
                keys.push(key);
            }
        }
        Ok(keys)
    }

    /// DeleteAccessKey (`delete: true`) or UpdateAccessKey (`status`).
    pub async fn change_access_key(
        &self,
        account: AccountId,
        user_name: String,
        access_key_id: String,
        change: AccessKeyChange,
    ) -> Result<(), IamError> {
        let result = self
            .store
            .write(move |txn| {
                if txn.get(USERS, &user_key(&account, &user_name))?.is_none() {
                    return Err(no_such_user(&user_name));
                }
                let mut index = user_keys_prefix(&account, &user_name);
                index.extend_from_slice(access_key_id.as_bytes());
                let not_found = || {
                    IamError::NoSuchEntity(format!(
                        "The Access Key with id {access_key_id} cannot be found"
                    ))
                };
                if txn.get(USER_KEYS, &index)?.is_none() {
                    return Err(not_found());
                }
                let mut key: AccessKey = match txn.get(ACCESS_KEYS, access_key_id.as_bytes())? {
                    Some(bytes) => decode(&bytes)?,
                    None => return Err(not_found()),
                };
                match change {
                    AccessKeyChange::Delete => {
                        txn.delete(USER_KEYS, index);
                        txn.delete(ACCESS_KEYS, access_key_id.as_bytes());
                    }
                    AccessKeyChange::SetStatus(status) => {
                        key.status = status;
                        txn.put(ACCESS_KEYS, access_key_id.as_bytes(), encode(&key)?);
                    }
                }
                Ok(())
            })
            .await;
        self.keys.invalidate();
        result
    }
}

/// What [`Iam::change_access_key`] does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccessKeyChange {
    Delete,
    SetStatus(AccessKeyStatus),
}

#[cfg(test)]
mod tests {
    use super::*;
    use strata_storage::Store;

    fn account() -> AccountId {
        AccountId::parse("111111111111").unwrap()
    }

    #[tokio::test]
    async fn user_lifecycle_with_keys() {
        let iam = Iam::new(Store::open_temporary().unwrap());
        let now = Timestamp::now();
        let user = iam
            .create_user(account(), "Alice".into(), None, Vec::new(), now)
            .await
            .unwrap();
        assert!(user.user_id.starts_with("AIDA") && user.user_id.len() == 21);
        assert_eq!(user.arn(), "arn:aws:iam::111111111111:user/Alice");
        let dup = iam
            .create_user(account(), "alice".into(), None, Vec::new(), now)
            .await
            .unwrap_err();
        assert!(matches!(dup, IamError::EntityAlreadyExists(_)));

        let k1 = iam
            .create_access_key(account(), "alice".into(), now)
            .await
            .unwrap();
        let _k2 = iam
            .create_access_key(account(), "Alice".into(), now)
            .await
            .unwrap();
        let third = iam
            .create_access_key(account(), "Alice".into(), now)
            .await
            .unwrap_err();
        assert!(matches!(third, IamError::LimitExceeded(_)));
        let principal = iam
            .authenticate(&k1.access_key_id)
            .unwrap()
            .unwrap()
            .principal;
        assert_eq!(principal.arn(), "arn:aws:iam::111111111111:user/Alice");
        assert_eq!(principal.user_id(), user.user_id);

        let conflict = iam
            .delete_user(account(), "Alice".into())
            .await
            .unwrap_err();
        assert!(matches!(conflict, IamError::DeleteConflict(_)));

        iam.change_access_key(
            account(),
            "Alice".into(),
            k1.access_key_id.clone(),
            AccessKeyChange::SetStatus(AccessKeyStatus::Inactive),
        )
        .await
        .unwrap();
        assert!(iam.authenticate(&k1.access_key_id).unwrap().is_none());
        for key in iam.list_access_keys(&account(), "Alice").unwrap() {
            iam.change_access_key(
                account(),
                "Alice".into(),
                key.access_key_id.clone(),
                AccessKeyChange::Delete,
            )
            .await
            .unwrap();
        }
        assert!(
            iam.list_access_keys(&account(), "Alice")
                .unwrap()
                .is_empty()
        );
        iam.delete_user(account(), "Alice".into()).await.unwrap();
        assert!(matches!(
            iam.get_user(&account(), "Alice"),
            Err(IamError::NoSuchEntity(_))
        ));
    }
}
