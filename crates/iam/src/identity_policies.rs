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

use crate::{Iam, IamError, Principal};

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
        let mut map = self.by_principal.write().unwrap_or_else(|e| e.into_inner());
        self.generation.fetch_add(1, Ordering::AcqRel);
        map.clear();
    }
}

impl Iam {
    /// The identity-based policies that apply to `principal` (none for root, whose
    /// own-account access needs no policy).
    pub fn identity_policies(
        &self,
        principal: &Principal,
    ) -> Result<Arc<Vec<NamedPolicy>>, IamError> {
        let (account, user_name) = match principal {
            Principal::Root { .. } => return Ok(Arc::default()),
            Principal::User {
                account, user_name, ..
            } => (account, user_name),
        };
        let cache_key = format!("{account}/{}", user_name.to_lowercase());
        if let Some(found) = self
            .policies
            .by_principal
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(&cache_key)
        {
            return Ok(found.clone());
        }
        let generation = self.policies.generation.load(Ordering::Acquire);
        let mut parsed = Vec::new();
        for policy in self.user_policies(account, user_name)? {
            let document =
                PolicyDocument::parse(&policy.document, PolicyKind::Identity).map_err(|e| {
                    IamError::Corrupt(format!(
                        "stored policy {} no longer parses: {}",
                        policy.policy_name, e.message
                    ))
                })?;
            parsed.push(NamedPolicy {
                label: format!("user {user_name} inline policy {}", policy.policy_name),
                document,
            });
        }
        let parsed = Arc::new(parsed);
        let mut map = self
            .policies
            .by_principal
            .write()
            .unwrap_or_else(|e| e.into_inner());
        if self.policies.generation.load(Ordering::Acquire) == generation && map.len() < CAPACITY {
            map.insert(cache_key, parsed.clone());
        }
        Ok(parsed)
    }
}
