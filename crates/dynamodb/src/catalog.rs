//! The tables of every account and region: definitions persisted in `dynamodb.tables`,
//! cached in memory, plus the live per-table state the write path keeps (item count,
//! size, whether the table was deleted).
//!
//! Invariant: the live state is only mutated inside store write closures, which run one at
//! a time on the writer thread, so a write closure that checks `deleted` and the
//! DeleteTable closure that sets it are totally ordered.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use strata_storage::{Store, WriteTxn};

use crate::error::{DynamoDbError, Result};
use crate::layout;
use crate::schema::TableDefinition;

/// Counters and flags shared by every definition version of one table.
#[derive(Debug, Default)]
pub struct TableState {
    pub item_count: AtomicI64,
    pub size_bytes: AtomicI64,
    pub deleted: AtomicBool,
    /// Per secondary index (by id): item count and size of its entries.
    pub indexes: Mutex<HashMap<u32, (i64, i64)>>,
    /// The newest definition, set inside the write closure that stores it. A write closure
    /// runs after every closure queued before it, so one that reads this sees the indexes and
    /// PITR setting in force at its own commit, even when its request captured an older
    /// definition: an index added or dropped, or PITR switched, between the two.
    live: RwLock<Option<Arc<TableDefinition>>>,
}

impl TableState {
    /// Makes `def` the definition write closures see from now on (call inside the write
    /// closure that stores it).
    pub fn set_live(&self, def: Arc<TableDefinition>) {
        *self
            .live
            .write()
            .expect("live definition lock is never poisoned: no panics while held") = Some(def);
    }
}

/// A table as the engine uses it: its definition at some moment and its live state.
#[derive(Debug, Clone)]
pub struct Table {
    pub def: Arc<TableDefinition>,
    pub state: Arc<TableState>,
}

impl Table {
    /// The definition in force for a write closure running now (see [`TableState`]).
    pub fn live_def(&self) -> Arc<TableDefinition> {
        self.state
            .live
            .read()
            .expect("live definition lock is never poisoned: no panics while held")
            .clone()
            .filter(|live| live.id == self.def.id)
            .unwrap_or_else(|| self.def.clone())
    }

    pub fn item_count(&self) -> i64 {
        self.state.item_count.load(Ordering::Acquire).max(0)
    }

    pub fn size_bytes(&self) -> i64 {
        self.state.size_bytes.load(Ordering::Acquire).max(0)
    }

    /// Item count and size of one secondary index's entries.
    pub fn index_stats(&self, index: u32) -> (i64, i64) {
        let stats = self
            .state
            .indexes
            .lock()
            .expect("index stats lock is never poisoned: no panics while held");
        let (count, bytes) = stats.get(&index).copied().unwrap_or((0, 0));
        (count.max(0), bytes.max(0))
    }

    /// [`Table::apply_stats`] for one secondary index.
    pub fn apply_index_stats(&self, txn: &mut WriteTxn, index: u32, count: i64, bytes: i64) {
        if count == 0 && bytes == 0 {
            return;
        }
        let mut stats = self
            .state
            .indexes
            .lock()
            .expect("index stats lock is never poisoned: no panics while held");
        let entry = stats.entry(index).or_insert((0, 0));
        entry.0 += count;
        entry.1 += bytes;
        txn.put(
            layout::STATS,
            layout::index_prefix(self.def.id, index),
            encode_stats(*entry),
        );
    }

    /// Adds deltas inside a write closure and stages the persisted counters.
    pub fn apply_stats(&self, txn: &mut WriteTxn, count: i64, bytes: i64) {
        if count == 0 && bytes == 0 {
            return;
        }
        let count = self.state.item_count.fetch_add(count, Ordering::AcqRel) + count;
        let bytes = self.state.size_bytes.fetch_add(bytes, Ordering::AcqRel) + bytes;
        txn.put(
            layout::STATS,
            layout::table_prefix(self.def.id),
            encode_stats((count, bytes)),
        );
    }
}

fn encode_stats((count, bytes): (i64, i64)) -> Vec<u8> {
    let mut value = Vec::with_capacity(16);
    value.extend_from_slice(&count.to_be_bytes());
    value.extend_from_slice(&bytes.to_be_bytes());
    value
}

fn decode_stats(value: &[u8]) -> Option<(i64, i64)> {
    let count = i64::from_be_bytes(value.get(..8)?.try_into().ok()?);
    let bytes = i64::from_be_bytes(value.get(8..16)?.try_into().ok()?);
    Some((count, bytes))
}

type TableKey = (String, String, String);

pub struct Catalog {
    store: Store,
    tables: RwLock<HashMap<TableKey, Table>>,
    /// Last commit stamp handed out (microseconds); see [`Catalog::next_stamp`].
    last_stamp: AtomicU64,
}

fn key(account: &str, region: &str, name: &str) -> TableKey {
    (account.to_owned(), region.to_owned(), name.to_owned())
}

impl Catalog {
    /// Loads every table definition and its counters.
    pub fn load(store: Store) -> Result<Self> {
        let mut tables = HashMap::new();
        for entry in store.prefix(layout::TABLES, b"")? {
            let (_, value) = entry?;
            let def: TableDefinition = serde_json::from_slice(&value)
                .map_err(|e| DynamoDbError::Corrupt(format!("table definition: {e}")))?;
            let state = TableState::default();
            for entry in store.prefix(layout::STATS, &layout::table_prefix(def.id))? {
                let (k, v) = entry?;
                let Some((count, bytes)) = decode_stats(&v) else {
                    continue;
                };
                match k.get(8..12) {
                    None => {
                        state.item_count.store(count, Ordering::Release);
                        state.size_bytes.store(bytes, Ordering::Release);
                    }
                    Some(index) => {
                        let index = u32::from_be_bytes(index.try_into().expect("4 bytes"));
                        state
                            .indexes
                            .lock()
                            .expect("index stats lock is never poisoned: no panics while held")
                            .insert(index, (count, bytes));
                    }
                }
            }
            tables.insert(
                key(&def.account, &def.region, &def.name),
                Table {
                    def: Arc::new(def),
                    state: Arc::new(state),
                },
            );
        }
        let last_stamp = store
            .get(layout::META, layout::LAST_STAMP)?
            .and_then(|b| <[u8; 8]>::try_from(b).ok())
            .map_or(0, u64::from_be_bytes);
        Ok(Self {
            store,
            tables: RwLock::new(tables),
            last_stamp: AtomicU64::new(last_stamp),
        })
    }

    pub fn get(&self, account: &str, region: &str, name: &str) -> Option<Table> {
        self.tables
            .read()
            .expect("catalog lock is never poisoned: no panics while held")
            .get(&key(account, region, name))
            .cloned()
    }

    /// The table or DynamoDB's `ResourceNotFoundException`.
    pub fn require(&self, account: &str, region: &str, name: &str) -> Result<Table> {
        self.get(account, region, name)
            .ok_or_else(DynamoDbError::table_not_found)
    }

    /// Names of the tables of one account and region, sorted.
    pub fn names(&self, account: &str, region: &str) -> Vec<String> {
        let mut names: Vec<String> = self
            .tables
            .read()
            .expect("catalog lock is never poisoned: no panics while held")
            .keys()
            .filter(|(a, r, _)| a == account && r == region)
            .map(|(_, _, n)| n.clone())
            .collect();
        names.sort();
        names
    }

    /// Every live table (for background work such as TTL).
    pub fn all(&self) -> Vec<Table> {
        self.tables
            .read()
            .expect("catalog lock is never poisoned: no panics while held")
            .values()
            .cloned()
            .collect()
    }

    /// Re-reads one definition from the store after a control-plane write was
    /// acknowledged; the store is the truth, so racing updates settle on the latest.
    pub fn refresh(&self, account: &str, region: &str, name: &str) -> Result<Option<Table>> {
        let stored = self
            .store
            .get(layout::TABLES, &layout::table_key(account, region, name))?;
        let mut tables = self
            .tables
            .write()
            .expect("catalog lock is never poisoned: no panics while held");
        let k = key(account, region, name);
        match stored {
            None => {
                tables.remove(&k);
                Ok(None)
            }
            Some(bytes) => {
                let def: TableDefinition = serde_json::from_slice(&bytes)
                    .map_err(|e| DynamoDbError::Corrupt(format!("table definition: {e}")))?;
                let state = match tables.get(&k) {
                    Some(t) if t.def.id == def.id => t.state.clone(),
                    _ => Arc::new(TableState::default()),
                };
                let table = Table {
                    def: Arc::new(def),
                    state,
                };
                tables.insert(k, table.clone());
                Ok(Some(table))
            }
        }
    }

    /// Installs a newly created table's state before its definition is acknowledged, so
    /// the first writes find it.
    pub fn insert(&self, table: Table) {
        let k = key(&table.def.account, &table.def.region, &table.def.name);
        self.tables
            .write()
            .expect("catalog lock is never poisoned: no panics while held")
            .insert(k, table);
    }

    pub fn remove(&self, account: &str, region: &str, name: &str) {
        self.tables
            .write()
            .expect("catalog lock is never poisoned: no panics while held")
            .remove(&key(account, region, name));
    }

    /// The next commit stamp: service time in microseconds, strictly after every stamp
    /// handed out before (also across restarts: the last one is persisted with each
    /// batch). Call only inside a write closure, so stamps follow commit order.
    pub fn next_stamp(&self, txn: &mut WriteTxn, now_micros: i64) -> u64 {
        let now = u64::try_from(now_micros).unwrap_or(0);
        let last = self.last_stamp.load(Ordering::Acquire);
        let stamp = now.max(last + 1);
        self.last_stamp.store(stamp, Ordering::Release);
        txn.put(
            layout::META,
            layout::LAST_STAMP,
            stamp.to_be_bytes().to_vec(),
        );
        stamp
    }
}
