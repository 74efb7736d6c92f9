//! Access keys already read, so that authenticating a request costs a hash lookup
//! instead of a store read and a JSON decode.
//!
//! Invariant: every write to the access-key keyspace goes through [`crate::Iam`] and
//! calls [`KeyCache::invalidate`] once it is committed; a reader only fills the cache
//! if no invalidation happened since it started reading, so a stale record can never
//! be cached.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use crate::AccessKey;

/// Bound on cached keys; beyond it lookups simply go to the store.
const CAPACITY: usize = 100_000;

#[derive(Default)]
pub(crate) struct KeyCache {
    generation: AtomicU64,
    keys: RwLock<HashMap<String, Arc<AccessKey>>>,
}

impl KeyCache {
    pub(crate) fn get(&self, id: &str) -> Option<Arc<AccessKey>> {
        self.keys
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(id)
            .cloned()
    }

    /// The generation to pass to [`KeyCache::insert_if_current`], read before the store.
    pub(crate) fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    pub(crate) fn insert_if_current(&self, generation: u64, key: Arc<AccessKey>) {
        let mut keys = self
            .keys
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if self.generation.load(Ordering::Acquire) == generation && keys.len() < CAPACITY {
            keys.insert(key.access_key_id.clone(), key);
        }
    }

    pub(crate) fn invalidate(&self) {
        let mut keys = self
            .keys
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        self.generation.fetch_add(1, Ordering::AcqRel);
        keys.clear();
    }
}
