//! The identity policies of a principal, parsed and cached for evaluation.
//!
//! Documents are validated when saved; here they are parsed once more after a restart
//! and then kept, so a request never parses JSON. Invariant: every write to a user's
//! policies calls [`PolicyCache::invalidate`] once committed, and a reader only fills
//! the cache if no invalidation happened since it started reading.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use strata_policy::{PolicyDocument, PolicyKind};

use crate::{Iam, IamError, PolicyHolder, Principal};

/// One identity policy with the label the trace shows for it.
#[derive(Debug)]
pub struct NamedPolicy {
    pub label: String,
    pub document: PolicyDocument,
}

const CAPACITY: usize = 10_000;

#[derive(Default)]
pub(crate) struct PolicyCache {
    generation: AtomicU64,
    by_principal: RwLock<HashMap<String, Arc<Vec<NamedPolicy>>>>,
}

impl PolicyCache {
    pub(crate) fn invalidate(&self) {
        let mut map = self
            .by_principal
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        self.generation.fetch_add(1, Ordering::AcqRel);
        map.clear();
    }
}

impl PolicyCache {
    fn get(&self, key: &str) -> Option<Arc<Vec<NamedPolicy>>> {
        self.by_principal
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(key)
            .cloned()
    }

    fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    fn insert_if_current(&self, generation: u64, key: String, policies: Arc<Vec<NamedPolicy>>) {
        let mut map = self
            .by_principal
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if self.generation.load(Ordering::Acquire) == generation && map.len() < CAPACITY {
            map.insert(key, policies);
        }
    }
}

impl Iam {
    /// The identity-based policies that apply to `principal`: a user's or the
    /// session's role's inline policies; none for root, whose own-account access needs
    /// no policy. A session whose role was deleted (or deleted and recreated, with a
    /// new id) has none.
    pub fn identity_policies(
        &self,
        principal: &Principal,
    ) -> Result<Arc<Vec<NamedPolicy>>, IamError> {
        let (account, holder, role_id) = match principal {
            Principal::Root { .. } => return Ok(Arc::default()),
            Principal::User {
                account, user_name, ..
            } => (account, PolicyHolder::User(user_name.clone()), None),
            Principal::AssumedRole {
                account,
                role_name,
                role_id,
                ..
            } => (
                account,
                PolicyHolder::Role(role_name.clone()),
                Some(role_id),
            ),
        };
        let cache_key = format!(
            "{account}/{}",
            String::from_utf8_lossy(&holder.prefix(account))
        );
        let cache_key = match role_id {
            Some(id) => format!("{cache_key}{id}"),
            None => cache_key,
        };
        if let Some(found) = self.policies.get(&cache_key) {
            return Ok(found);
        }
        let generation = self.policies.generation();
        if let (Some(role_id), PolicyHolder::Role(name)) = (role_id, &holder)
            && self
                .find_role(account, name)?
                .is_none_or(|role| &role.role_id != role_id)
        {
            return Ok(Arc::default());
        }
        let mut parsed = Vec::new();
        for policy in self.inline_policies(account, &holder)? {
            let document =
                PolicyDocument::parse(&policy.document, PolicyKind::Identity).map_err(|e| {
                    IamError::Corrupt(format!(
                        "stored policy {} no longer parses: {}",
                        policy.policy_name, e.message
                    ))
                })?;
            let label = match &holder {
                PolicyHolder::User(name) => {
                    format!("user {name} inline policy {}", policy.policy_name)
                }
                PolicyHolder::Role(name) => {
                    format!("role {name} inline policy {}", policy.policy_name)
                }
            };
            parsed.push(NamedPolicy { label, document });
        }
        for (name, arn) in self.attached_policies(account, &holder)? {
            // An attachment whose policy is gone grants nothing (DeletePolicy refuses
            // attached policies, so this only guards against damaged data).
            let Ok(policy) = self.get_policy(account, &arn) else {
                continue;
            };
            let Some(version) = policy.default_version() else {
                continue;
            };
            let document =
                PolicyDocument::parse(&version.document, PolicyKind::Identity).map_err(|e| {
                    IamError::Corrupt(format!(
                        "stored policy {arn} no longer parses: {}",
                        e.message
                    ))
                })?;
            parsed.push(NamedPolicy {
                label: format!("managed policy {name} ({})", version.version_id),
                document,
            });
        }
        let parsed = Arc::new(parsed);
        self.policies
            .insert_if_current(generation, cache_key, parsed.clone());
        Ok(parsed)
    }

    /// The session policy of a role session, parsed once and cached.
    pub fn session_policies(
        &self,
        principal: &Principal,
    ) -> Result<Arc<Vec<NamedPolicy>>, IamError> {
        let Principal::AssumedRole {
            session_policy: Some(text),
            session_name,
            ..
        } = principal
        else {
            return Ok(Arc::default());
        };
        let cache_key = format!("session\0{text}");
        if let Some(found) = self.policies.get(&cache_key) {
            return Ok(found);
        }
        let generation = self.policies.generation();
        let document = PolicyDocument::parse(text, PolicyKind::Session).map_err(|e| {
            IamError::Corrupt(format!("session policy no longer parses: {}", e.message))
        })?;
        let parsed = Arc::new(vec![NamedPolicy {
            label: format!("session {session_name} session policy"),
            document,
        }]);
        self.policies
            .insert_if_current(generation, cache_key, parsed.clone());
        Ok(parsed)
    }
}
