//! strata's IAM/STS engine: accounts, their principals and the credentials that
//! authenticate them.
//!
//! It owns the `iam.*` keyspaces of the store and never sees HTTP: the server asks
//! it who an access key belongs to ([`Iam::access_key`]) and what an account is;
//! the STS and IAM wire protocols are the server's business.
//!
//! Today an account has a root principal with one root access key; IAM users,
//! roles and STS sessions build on the same records.

mod access_key;
mod account;
mod arn;
mod aws_managed;
mod error;
mod identity_policies;
mod ids;
mod inline_policy;
mod key_cache;
mod managed_policy;
mod names;
mod principal;
mod role;
mod session;
mod tags;
mod user;

pub use access_key::{AccessKey, AccessKeyOwner, AccessKeyStatus};
pub use account::{Account, AccountId};
pub use arn::{policy_arn, role_arn, user_arn};
pub use aws_managed::aws_managed_policies;
pub use error::IamError;
pub use identity_policies::NamedPolicy;
pub use ids::{generate_root_access_key_id, generate_secret_access_key};
pub use inline_policy::{InlinePolicy, PolicyHolder};
pub use managed_policy::{MAX_POLICY_VERSIONS, ManagedPolicy, PolicyVersion};
pub use names::check_name;
pub use principal::Principal;
pub use role::{
    MAX_MAX_SESSION_DURATION, MIN_MAX_SESSION_DURATION, NewRole, PrincipalBinding, Role,
};
pub use session::{Session, SessionDuration};
pub use tags::{MAX_TAGS, Tag, check_tags};
pub use user::{AccessKeyChange, MAX_ACCESS_KEYS_PER_USER, User};

use std::sync::Arc;

use identity_policies::PolicyCache;
use key_cache::KeyCache;
use strata_storage::{RecordKind, Store};

const ACCOUNTS: &str = "iam.accounts";
const ACCESS_KEYS: &str = "iam.access_keys";
const USERS: &str = "iam.users";
const SESSIONS: &str = "iam.sessions";
const ROLES: &str = "iam.roles";
/// `ACCOUNT/user|role/lower-case name/POLICY NAME` → an inline policy.
const INLINE_POLICIES: &str = "iam.inline_policies";
/// `ACCOUNT/lower-case policy name` → a customer managed policy.
const MANAGED_POLICIES: &str = "iam.managed_policies";
/// `h/ACCOUNT/user|role/name/POLICY ARN` → policy name, and `p/POLICY ARN/ACCOUNT/user|role/name/` → empty.
const ATTACHMENTS: &str = "iam.attachments";
/// `ACCOUNT/lower-case user name/ACCESS_KEY_ID` → empty: a user's keys.
const USER_KEYS: &str = "iam.user_keys";

/// The kinds of record the engine stores, with the format its code writes
/// ([`strata_storage::RecordKind`]). Format 1 is the first recorded one.
pub const RECORD_KINDS: &[RecordKind] = &[
    RecordKind {
        keyspace: ACCOUNTS,
        format: 1,
    },
    RecordKind {
        keyspace: ACCESS_KEYS,
        format: 1,
    },
    RecordKind {
        keyspace: USERS,
        format: 1,
    },
    RecordKind {
        keyspace: SESSIONS,
        format: 1,
    },
    RecordKind {
        keyspace: ROLES,
        format: 1,
    },
    RecordKind {
        keyspace: INLINE_POLICIES,
        format: 1,
    },
    RecordKind {
        keyspace: MANAGED_POLICIES,
        format: 1,
    },
    RecordKind {
        keyspace: ATTACHMENTS,
        format: 1,
    },
    RecordKind {
        keyspace: USER_KEYS,
        format: 1,
    },
];

/// An account together with its root access key, as configured or generated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RootAccount {
    pub account: Account,
    pub root_key: AccessKey,
}

/// The IAM engine over the shared store.
#[derive(Clone)]
pub struct Iam {
    store: Store,
    keys: Arc<KeyCache>,
    policies: Arc<PolicyCache>,
}

impl Iam {
    pub fn new(store: Store) -> Self {
        Self {
            store,
            keys: Arc::default(),
            policies: Arc::default(),
        }
    }

    /// Makes the store hold exactly these accounts' root keys: creates missing
    /// accounts and replaces a root key that differs. Accounts already stored but not
    /// listed are kept (their resources live on), so a config can grow over time.
    ///
    /// When every account is already stored as wanted (each start after the first), no write
    /// is queued at all, so a server also starts, and serves reads, on a disk too full to take
    /// writes.
    pub async fn ensure_accounts(&self, wanted: Vec<RootAccount>) -> Result<(), IamError> {
        let stored = self.root_accounts()?;
        if wanted.iter().all(|root| {
            stored.contains(&RootAccount {
                account: stored_account(root),
                root_key: root.root_key.clone(),
            })
        }) {
            return Ok(());
        }
        let result = self
            .store
            .write(move |txn| {
                for root in &wanted {
                    let id = root.account.id.as_str().as_bytes();
                    let stored: Option<Account> = match txn.get(ACCOUNTS, id)? {
                        Some(bytes) => Some(decode(&bytes)?),
                        None => None,
                    };
                    if let Some(old) = &stored
                        && let Some(old_key) = &old.root_access_key_id
                        && old_key != &root.root_key.access_key_id
                    {
                        txn.delete(ACCESS_KEYS, old_key.as_bytes());
                    }
                    txn.put(ACCOUNTS, id, encode(&stored_account(root))?);
                    txn.put(
                        ACCESS_KEYS,
                        root.root_key.access_key_id.as_bytes(),
                        encode(&root.root_key)?,
                    );
                }
                Ok::<_, IamError>(())
            })
            .await;
        self.keys.invalidate();
        result
    }

    /// Every account with its root key, ordered by account id.
    pub fn root_accounts(&self) -> Result<Vec<RootAccount>, IamError> {
        let mut out = Vec::new();
        for entry in self.store.prefix(ACCOUNTS, b"")? {
            let (_, bytes) = entry?;
            let account: Account = decode(&bytes)?;
            let Some(key_id) = &account.root_access_key_id else {
                continue;
            };
            if let Some(root_key) = self.access_key(key_id)? {
                out.push(RootAccount {
                    account,
                    root_key: (*root_key).clone(),
                });
            }
        }
        Ok(out)
    }

    pub fn account(&self, id: &AccountId) -> Result<Option<Account>, IamError> {
        self.store
            .get(ACCOUNTS, id.as_str().as_bytes())?
            .map(|bytes| decode(&bytes))
            .transpose()
    }

    /// The access key record for an id, if it exists.
    pub fn access_key(&self, access_key_id: &str) -> Result<Option<Arc<AccessKey>>, IamError> {
        if let Some(key) = self.keys.get(access_key_id) {
            return Ok(Some(key));
        }
        let generation = self.keys.generation();
        let Some(bytes) = self.store.get(ACCESS_KEYS, access_key_id.as_bytes())? else {
            return Ok(None);
        };
        let key: Arc<AccessKey> = Arc::new(decode(&bytes)?);
        self.keys.insert_if_current(generation, key.clone());
        Ok(Some(key))
    }

    /// What the SigV4 verifier needs for an access key, and who signs with it:
    /// long-term keys (`AKIA…`) and temporary session keys (`ASIA…`) alike.
    pub fn authenticate(&self, access_key_id: &str) -> Result<Option<Authenticated>, IamError> {
        if access_key_id.starts_with(session::SESSION_KEY_PREFIX) {
            return self.authenticate_session(access_key_id);
        }
        let Some(key) = self.access_key(access_key_id)? else {
            return Ok(None);
        };
        if key.status != AccessKeyStatus::Active {
            return Ok(None);
        }
        let principal = match &key.owner {
            AccessKeyOwner::Root { account } => Principal::Root {
                account: account.clone(),
            },
            AccessKeyOwner::User {
                account, user_name, ..
            } => {
                // The user record holds the current path; a key whose user is gone is
                // unknown, as on AWS.
                let Some(user) = self.find_user(account, user_name)? else {
                    return Ok(None);
                };
                Principal::User {
                    account: account.clone(),
                    path: user.path,
                    user_name: user.user_name,
                    user_id: user.user_id,
                }
            }
        };
        Ok(Some(Authenticated {
            secret: strata_sigv4::Secret {
                secret_access_key: key.secret_access_key.clone(),
                session_token: None,
                expiration: None,
            },
            principal,
            session: false,
        }))
    }
}

/// The result of looking up an access key.
#[derive(Clone, Debug)]
pub struct Authenticated {
    /// What the request must be signed with (and, for sessions, carry).
    pub secret: strata_sigv4::Secret,
    pub principal: Principal,
    /// Whether these are temporary (STS) credentials.
    pub session: bool,
}

/// A root account's record as stored: the account, naming its root key.
fn stored_account(root: &RootAccount) -> Account {
    let mut account = root.account.clone();
    account.root_access_key_id = Some(root.root_key.access_key_id.clone());
    account
}

fn encode<T: serde::Serialize>(value: &T) -> Result<Vec<u8>, IamError> {
    serde_json::to_vec(value).map_err(|e| IamError::Corrupt(e.to_string()))
}

fn decode<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, IamError> {
    serde_json::from_slice(bytes).map_err(|e| IamError::Corrupt(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(id: &str, alias: &str, key: &str) -> RootAccount {
        let id = AccountId::parse(id).unwrap();
        RootAccount {
            account: Account::new(id.clone(), Some(alias.to_owned())),
            root_key: AccessKey::root(id, key.to_owned(), format!("{key}-secret")),
        }
    }

    #[tokio::test]
    async fn ensure_accounts_is_idempotent_and_replaces_root_keys() {
        let store = Store::open_temporary().unwrap();
        let iam = Iam::new(store);
        iam.ensure_accounts(vec![root("111111111111", "source", "AKIAOLD0000000000001")])
            .await
            .unwrap();
        // Cached now; replacing the key must evict it.
        assert!(iam.authenticate("AKIAOLD0000000000001").unwrap().is_some());
        iam.ensure_accounts(vec![
            root("111111111111", "source", "AKIANEW0000000000001"),
            root("222222222222", "destination", "AKIANEW0000000000002"),
        ])
        .await
        .unwrap();
        let all = iam.root_accounts().unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].root_key.access_key_id, "AKIANEW0000000000001");
        assert!(iam.authenticate("AKIAOLD0000000000001").unwrap().is_none());
        let found = iam.authenticate("AKIANEW0000000000002").unwrap().unwrap();
        assert_eq!(
            found.secret.secret_access_key,
            "AKIANEW0000000000002-secret"
        );
        assert_eq!(found.principal.arn(), "arn:aws:iam::222222222222:root");
        assert_eq!(found.principal.user_id(), "222222222222");
    }

    #[tokio::test]
    async fn ensure_accounts_writes_nothing_when_nothing_changed() {
        let store = Store::open_temporary().unwrap();
        let iam = Iam::new(store.clone());
        let wanted = vec![
            root("111111111111", "source", "AKIASAME000000000001"),
            root("222222222222", "destination", "AKIASAME000000000002"),
        ];
        iam.ensure_accounts(wanted.clone()).await.unwrap();
        let writes = store.stats().writes_committed;
        // A restart with the same config (also on a disk too full for writes).
        iam.ensure_accounts(wanted.clone()).await.unwrap();
        iam.ensure_accounts(wanted[..1].to_vec()).await.unwrap();
        assert_eq!(store.stats().writes_committed, writes);
        // A changed alias is a change.
        iam.ensure_accounts(vec![root(
            "111111111111",
            "renamed",
            "AKIASAME000000000001",
        )])
        .await
        .unwrap();
        assert_eq!(store.stats().writes_committed, writes + 1);
    }
}
