//! Format versions of what is stored, one per [`RecordKind`] (a keyspace and the one kind of
//! record it holds), kept in the `storage.formats` keyspace.
//!
//! An engine declares the kinds it stores with the format its code writes. At open, the
//! application asks [`Store::older_formats`] which kinds the data directory holds in an older
//! format (0: written before formats were recorded), migrates them, then records the current
//! formats with [`Store::record_formats`] (or [`put_formats`], inside the write that completes
//! the migration). A kind stored in a *newer* format than the code
//! knows is refused ([`StorageError::NewerFormat`]): this build cannot read it.

use crate::{StorageError, Store, WriteTxn};

/// The keyspace formats are recorded in: keyspace name → format, big-endian `u16`.
const FORMATS: &str = "storage.formats";

/// One kind of stored record: the keyspace that holds it and the format the code writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecordKind {
    pub keyspace: &'static str,
    /// Starts at 1 and grows by one with every change to the record's stored form.
    pub format: u16,
}

impl Store {
    /// The kinds of `kinds` stored in an older format than their `format`, with the stored one
    /// (0 when none was recorded). Fails on a kind stored in a newer format.
    pub fn older_formats(
        &self,
        kinds: &[RecordKind],
    ) -> Result<Vec<(RecordKind, u16)>, StorageError> {
        let mut older = Vec::new();
        for &kind in kinds {
            let stored = match self.get(FORMATS, kind.keyspace.as_bytes())? {
                None => 0,
                Some(bytes) => <[u8; 2]>::try_from(bytes.as_slice())
                    .map(u16::from_be_bytes)
                    .map_err(|_| StorageError::CorruptFormat {
                        keyspace: kind.keyspace,
                    })?,
            };
            if stored > kind.format {
                return Err(StorageError::NewerFormat {
                    keyspace: kind.keyspace,
                    stored,
                    known: kind.format,
                });
            }
            if stored < kind.format {
                older.push((kind, stored));
            }
        }
        Ok(older)
    }

    /// Records `kinds` as stored in their current format (after any migration), in one write.
    pub async fn record_formats(&self, kinds: &[RecordKind]) -> Result<(), StorageError> {
        if kinds.is_empty() {
            return Ok(());
        }
        let kinds = kinds.to_vec();
        self.write(move |txn| {
            put_formats(txn, &kinds);
            Ok::<_, StorageError>(())
        })
        .await
    }
}

/// Records `kinds` as stored in their current format inside `txn`: the write that completes
/// their migration.
pub fn put_formats(txn: &mut WriteTxn<'_>, kinds: &[RecordKind]) {
    for kind in kinds {
        txn.put(
            FORMATS,
            kind.keyspace.as_bytes(),
            kind.format.to_be_bytes().to_vec(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ITEMS: RecordKind = RecordKind {
        keyspace: "test.items",
        format: 2,
    };

    #[tokio::test]
    async fn older_formats_are_reported_until_recorded_and_newer_ones_refused() {
        let store = Store::open_temporary().expect("store");
        assert_eq!(store.older_formats(&[ITEMS]).expect("read"), [(ITEMS, 0)]);
        store.record_formats(&[ITEMS]).await.expect("recorded");
        assert!(store.older_formats(&[ITEMS]).expect("read").is_empty());
        let older_code = RecordKind {
            keyspace: "test.items",
            format: 1,
        };
        assert!(matches!(
            store.older_formats(&[older_code]),
            Err(StorageError::NewerFormat {
                stored: 2,
                known: 1,
                ..
            })
        ));
    }
}
