//! "As of" reads seek to a key's version instead of walking its history: a counting backend
//! shows how many history entries a read touches, whatever the number of versions kept.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use strata_clock::Clock;
use strata_dynamodb::items::{Action, ItemWrite, ReturnValues};
use strata_dynamodb::schema::{BillingMode, KeyAttribute, KeySchema, ScalarType};
use strata_dynamodb::tables::{CreateTable, Scope};
use strata_dynamodb::{DynamoDb, Maintenance, MaintenanceQueue, Table};
use strata_dynamodb_item::{AttributeValue, Item};
use strata_number::Number;
use strata_storage::{
    Backend, BackendSnapshot, Batch, FjallBackend, KeyRange, KvIter, StorageError, Store, WriteTxn,
};

const SCOPE: Scope<'static> = Scope {
    account: "111111111111",
    region: "us-east-1",
};

/// Versions written to the one key whose history is read.
const VERSIONS: u64 = 300;

/// fjall, counting the pairs its scans of `dynamodb.history` hand out.
struct Counting {
    inner: FjallBackend,
    history_rows: Arc<AtomicU64>,
}

struct CountingSnapshot {
    inner: Box<dyn BackendSnapshot>,
    history_rows: Arc<AtomicU64>,
}

fn counted(keyspace: &str, iter: KvIter, rows: &Arc<AtomicU64>) -> KvIter {
    if keyspace != "dynamodb.history" {
        return iter;
    }
    let rows = rows.clone();
    Box::new(iter.inspect(move |_| {
        rows.fetch_add(1, Ordering::SeqCst);
    }))
}

impl BackendSnapshot for CountingSnapshot {
    fn get(&self, keyspace: &str, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
        self.inner.get(keyspace, key)
    }
    fn range(&self, keyspace: &str, range: KeyRange) -> Result<KvIter, StorageError> {
        Ok(counted(
            keyspace,
            self.inner.range(keyspace, range)?,
            &self.history_rows,
        ))
    }
    fn range_rev(&self, keyspace: &str, range: KeyRange) -> Result<KvIter, StorageError> {
        Ok(counted(
            keyspace,
            self.inner.range_rev(keyspace, range)?,
            &self.history_rows,
        ))
    }
}

impl Backend for Counting {
    fn get(&self, keyspace: &str, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
        self.inner.get(keyspace, key)
    }
    fn range(&self, keyspace: &str, range: KeyRange) -> Result<KvIter, StorageError> {
        Ok(counted(
            keyspace,
            self.inner.range(keyspace, range)?,
            &self.history_rows,
        ))
    }
    fn range_rev(&self, keyspace: &str, range: KeyRange) -> Result<KvIter, StorageError> {
        Ok(counted(
            keyspace,
            self.inner.range_rev(keyspace, range)?,
            &self.history_rows,
        ))
    }
    fn snapshot(&self) -> Result<Box<dyn BackendSnapshot>, StorageError> {
        Ok(Box::new(CountingSnapshot {
            inner: self.inner.snapshot()?,
            history_rows: self.history_rows.clone(),
        }))
    }
    fn apply(&self, batch: Batch) -> Result<(), StorageError> {
        self.inner.apply(batch)
    }
    fn persist(&self) -> Result<(), StorageError> {
        self.inner.persist()
    }
    fn free_space(&self) -> Option<u64> {
        self.inner.free_space()
    }
}

struct Ignored;

impl MaintenanceQueue for Ignored {
    fn push(&self, _: &mut WriteTxn<'_>, _: Maintenance) -> Result<(), StorageError> {
        Ok(())
    }
    fn wake(&self) {}
}

fn n(v: u64) -> AttributeValue {
    AttributeValue::N(Number::parse(&v.to_string()).expect("valid test number"))
}

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_owned())
}

fn key(pk: &str) -> Item {
    [("pk".to_owned(), s(pk))].into_iter().collect()
}

fn row(pk: &str, v: u64) -> Item {
    [("pk".to_owned(), s(pk)), ("v".to_owned(), n(v))]
        .into_iter()
        .collect()
}

fn create(name: &str) -> CreateTable {
    let pk = KeyAttribute {
        name: "pk".to_owned(),
        attribute_type: ScalarType::S,
    };
    // Through serde: the key schema's shape is changing (multi-attribute GSI keys) while a
    // `{partition, sort: null}` document stays a table key of one attribute.
    let key_schema: KeySchema =
        serde_json::from_value(serde_json::json!({"partition": pk, "sort": null}))
            .expect("a one-attribute key schema");
    CreateTable {
        name: name.to_owned(),
        key_schema,
        attribute_definitions: vec![pk],
        indexes: Vec::new(),
        billing_mode: BillingMode::PayPerRequest,
        provisioned_throughput: None,
        sse: None,
        stream: None,
        table_class: None,
        tags: Vec::new(),
        deletion_protection: false,
        table_id: None,
    }
}

async fn write(db: &DynamoDb, table: &Table, pk: &str, action: Action) {
    let write = ItemWrite::new(table.clone(), key(pk), action, None).expect("valid write");
    db.write_item(write, ReturnValues::None, false)
        .await
        .expect("written");
}

fn micros(clock: &Clock) -> u64 {
    clock.now().as_microsecond() as u64
}

#[tokio::test]
async fn an_as_of_read_seeks_to_its_version_whatever_the_history() {
    let rows = Arc::new(AtomicU64::new(0));
    let backend = Counting {
        inner: FjallBackend::open_temporary().expect("temporary store"),
        history_rows: rows.clone(),
    };
    let store = Store::with_backend(Arc::new(backend)).expect("store");
    let clock = Clock::new();
    let db = DynamoDb::open(store, clock.clone(), Arc::new(Ignored)).expect("engine opens");
    db.create_table(SCOPE, create("seek"))
        .await
        .expect("created");
    db.set_point_in_time_recovery(SCOPE, "seek", Some(35))
        .await
        .expect("pitr on");
    let table = db.table(SCOPE, "seek").expect("exists");

    // `hot` gets VERSIONS versions (then is deleted); `gone` a few, then is deleted too.
    let before_any = micros(&clock);
    let mut after = Vec::new();
    for v in 0..VERSIONS {
        clock.advance(0.001).expect("forward");
        write(&db, &table, "hot", Action::Put(row("hot", v))).await;
        after.push(micros(&clock));
    }
    for v in 0..3 {
        clock.advance(0.001).expect("forward");
        write(&db, &table, "gone", Action::Put(row("gone", v))).await;
    }
    // Read once the last put is committed and before the clock moves on: the delete below is
    // stamped at least a millisecond later, however long its commit takes (a time taken
    // after the delete, less a millisecond, could still fall after it on a loaded machine).
    let gone_last_put = micros(&clock);
    clock.advance(0.001).expect("forward");
    write(&db, &table, "gone", Action::Delete).await;
    clock.advance(0.001).expect("forward");
    write(&db, &table, "hot", Action::Delete).await;
    let all_deleted = micros(&clock);

    let read = |pk: &str, t: u64| {
        rows.store(0, Ordering::SeqCst);
        let item = db
            .get_item_as_of(&table, &key(pk), t)
            .expect("read")
            .map(|i| i["v"].clone());
        (item, rows.load(Ordering::SeqCst))
    };
    for (t, expected) in [
        (after[0], Some(n(0))),
        (after[VERSIONS as usize / 2], Some(n(VERSIONS / 2))),
        (after[VERSIONS as usize - 1], Some(n(VERSIONS - 1))),
        (all_deleted, None),
        (before_any, None),
    ] {
        let (item, visited) = read("hot", t);
        assert_eq!(item, expected, "as of {t}");
        assert!(
            visited <= 2,
            "as of {t}: {visited} history entries read for one of {VERSIONS} versions"
        );
    }

    // A scan as of a time visits each key's history by seeks too, deleted keys included.
    rows.store(0, Ordering::SeqCst);
    let mut seen = Vec::new();
    db.scan_as_of(&table, gone_last_put, |item| {
        seen.push((item["pk"].clone(), item["v"].clone()));
        Ok(())
    })
    .expect("scan");
    seen.sort_by_key(|(pk, _)| format!("{pk:?}"));
    assert_eq!(
        seen,
        vec![(s("gone"), n(2)), (s("hot"), n(VERSIONS - 1))],
        "both keys, each at its last version before the time"
    );
    let visited = rows.load(Ordering::SeqCst);
    assert!(
        visited <= 8,
        "{visited} history entries read for two keys of {} versions",
        VERSIONS + 5
    );
}
