//! [`WriteTxn`]: what a write closure reads through and writes into.

use std::collections::BTreeMap;

use crate::{
    StorageError,
    backend::{
        Backend, Batch, BatchEntry, KvPair, check_key, check_keyspace_name, check_read_key,
        check_value, prefix_range,
    },
};

/// The pending writes of one closure passed to [`Store::write`](crate::Store::write).
///
/// Reads see the closure's own pending writes first, then the latest applied state — which
/// includes earlier closures of the same group that are applied but not yet fsynced. That is
/// safe because a group is acknowledged only as a whole, after its fsync, and if the fsync
/// fails every closure of the group fails.
///
/// Nothing reaches the backend unless the closure returns `Ok`; then all of it is applied as
/// one atomic batch. Writing the same key twice keeps the last write.
pub struct WriteTxn<'a> {
    backend: &'a dyn Backend,
    /// keyspace → key → new value (`None`: delete).
    pending: BTreeMap<String, BTreeMap<Vec<u8>, Option<Vec<u8>>>>,
    /// The first invalid write, reported instead of committing.
    invalid: Option<StorageError>,
}

impl<'a> WriteTxn<'a> {
    pub(crate) fn new(backend: &'a dyn Backend) -> Self {
        Self {
            backend,
            pending: BTreeMap::new(),
            invalid: None,
        }
    }

    /// The value of `key` in `keyspace`, including this closure's pending writes.
    pub fn get(&self, keyspace: &str, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
        match self.pending.get(keyspace).and_then(|keys| keys.get(key)) {
            Some(pending) => Ok(pending.clone()),
            None => {
                check_read_key(key)?;
                self.backend.get(keyspace, key)
            }
        }
    }

    /// The keys under `prefix` in `keyspace`, in order, including this closure's pending
    /// writes (a pending delete hides a stored key). Meant for the small per-entity
    /// indexes engines keep (a user's access keys), not for large scans.
    pub fn prefix_keys(&self, keyspace: &str, prefix: &[u8]) -> Result<Vec<Vec<u8>>, StorageError> {
        let mut keys = BTreeMap::new();
        for entry in self.backend.range(keyspace, prefix_range(prefix)?)? {
            keys.insert(entry?.0, ());
        }
        if let Some(pending) = self.pending.get(keyspace) {
            for (key, value) in pending.range(prefix.to_vec()..) {
                if !key.starts_with(prefix) {
                    break;
                }
                match value {
                    Some(_) => keys.insert(key.clone(), ()),
                    None => keys.remove(key),
                };
            }
        }
        Ok(keys.into_keys().collect())
    }

    /// The first pair under `prefix` in `keyspace` in key order, including this closure's
    /// pending writes (a pending delete hides a stored key). Reads stored pairs only until
    /// the first one not deleted here.
    pub fn first_in_prefix(
        &self,
        keyspace: &str,
        prefix: &[u8],
    ) -> Result<Option<KvPair>, StorageError> {
        let pending = self.pending.get(keyspace);
        let mut stored = None;
        for entry in self.backend.range(keyspace, prefix_range(prefix)?)? {
            let (key, value) = entry?;
            if pending.is_some_and(|p| p.contains_key(&key)) {
                continue;
            }
            stored = Some((key, value));
            break;
        }
        let written = pending.and_then(|p| {
            p.range(prefix.to_vec()..)
                .take_while(|(key, _)| key.starts_with(prefix))
                .find_map(|(key, value)| Some((key.clone(), value.clone()?)))
        });
        Ok(match (stored, written) {
            (Some(a), Some(b)) => Some(if a.0 <= b.0 { a } else { b }),
            (a, b) => a.or(b),
        })
    }

    /// Sets `key` in `keyspace` to `value`.
    ///
    /// An invalid keyspace name, an empty or over-long key or an over-long value does not fail
    /// here: it makes the whole closure fail with that error when it returns, with nothing
    /// written.
    pub fn put(&mut self, keyspace: &str, key: impl Into<Vec<u8>>, value: impl Into<Vec<u8>>) {
        let value = value.into();
        if let Err(err) = check_value(&value) {
            self.invalid.get_or_insert(err);
            return;
        }
        self.record(keyspace, key.into(), Some(value));
    }

    /// Deletes `key` from `keyspace` (deleting a missing key is not an error).
    pub fn delete(&mut self, keyspace: &str, key: impl Into<Vec<u8>>) {
        self.record(keyspace, key.into(), None);
    }

    /// Number of distinct keys written so far.
    pub fn len(&self) -> usize {
        self.pending.values().map(BTreeMap::len).sum()
    }

    /// Whether nothing has been written.
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    fn record(&mut self, keyspace: &str, key: Vec<u8>, value: Option<Vec<u8>>) {
        if let Err(err) = check_keyspace_name(keyspace).and_then(|()| check_key(&key)) {
            self.invalid.get_or_insert(err);
            return;
        }
        self.pending
            .entry(keyspace.to_owned())
            .or_default()
            .insert(key, value);
    }

    /// The batch to apply, or the first invalid write.
    pub(crate) fn into_batch(self) -> Result<Batch, StorageError> {
        if let Some(err) = self.invalid {
            return Err(err);
        }
        let entries = self
            .pending
            .into_iter()
            .flat_map(|(keyspace, keys)| {
                keys.into_iter().map(move |(key, value)| BatchEntry {
                    keyspace: keyspace.clone(),
                    key,
                    value,
                })
            })
            .collect();
        Ok(Batch { entries })
    }
}
