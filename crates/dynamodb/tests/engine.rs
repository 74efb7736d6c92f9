//! The engine end to end over a temporary store: versions and "as of" reads, the change
//! index, index maintenance, conditions, transactions, TTL, and restart durability.

use std::sync::{Arc, Mutex};
use strata_clock::Clock;
use strata_dynamodb::items::{Action, ItemWrite, ReturnValues};
use strata_dynamodb::read::{QueryInput, ReadOptions, ScanInput};

use strata_dynamodb::layout;
use strata_dynamodb::schema::{
    BillingMode, Creating, IndexKind, IndexStatus, KeyAttribute, KeyLayout, KeySchema, Projection,
    ProjectionType, ScalarType,
};
use strata_dynamodb::tables::{CreateTable, NewIndex, Scope};
use strata_dynamodb::transact::TransactWrite;
use strata_dynamodb::version::Version;
use strata_dynamodb::{DynamoDb, DynamoDbError, Maintenance, MaintenanceQueue, Table};
use strata_dynamodb_item::{AttributeValue, Item};
use strata_expression::{
    ConditionKind, ExpressionAttributes, parse_condition, parse_key_conditions, parse_update,
};
use strata_number::Number;
use strata_storage::{StorageError, Store, WriteTxn};

const SCOPE: Scope<'static> = Scope {
    account: "111111111111",
    region: "us-east-1",
};

fn s(v: &str) -> AttributeValue {
    AttributeValue::S(v.to_owned())
}

fn n(v: &str) -> AttributeValue {
    AttributeValue::N(Number::parse(v).expect("valid test number"))
}

fn item(pairs: &[(&str, AttributeValue)]) -> Item {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.clone()))
        .collect()
}

fn attr(name: &str, t: ScalarType) -> KeyAttribute {
    KeyAttribute {
        name: name.to_owned(),
        attribute_type: t,
    }
}

fn create(name: &str, with_gsi: bool) -> CreateTable {
    let mut indexes = Vec::new();
    let mut definitions = vec![attr("pk", ScalarType::S), attr("sk", ScalarType::N)];
    if with_gsi {
        definitions.push(attr("g", ScalarType::S));
        indexes.push(NewIndex {
            name: "by_g".to_owned(),
            kind: IndexKind::Global,
            key_schema: KeySchema::simple(attr("g", ScalarType::S), None),
            projection: Projection {
                projection_type: ProjectionType::All,
                non_key_attributes: Vec::new(),
            },
            provisioned_throughput: None,
        });
    }
    CreateTable {
        name: name.to_owned(),
        key_schema: KeySchema::simple(attr("pk", ScalarType::S), Some(attr("sk", ScalarType::N))),
        attribute_definitions: definitions,
        indexes,
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

async fn put(db: &DynamoDb, table: &Table, it: Item) -> Result<(), DynamoDbError> {
    let key = table.def.key_schema.key_of(&it);
    let write = ItemWrite::new(table.clone(), key, Action::Put(it), None)?;
    db.write_item(write, ReturnValues::None, false)
        .await
        .map(|_| ())
}

/// The maintenance changes record, kept in memory for the test to run.
#[derive(Default)]
struct Recorded(Mutex<Vec<Maintenance>>);

impl Recorded {
    fn take(&self) -> Vec<Maintenance> {
        std::mem::take(&mut *self.0.lock().expect("not poisoned"))
    }
}

impl MaintenanceQueue for Recorded {
    fn push(&self, _: &mut WriteTxn<'_>, work: Maintenance) -> Result<(), StorageError> {
        self.0.lock().expect("not poisoned").push(work);
        Ok(())
    }

    fn wake(&self) {}
}

fn open(store: Store, clock: Clock) -> DynamoDb {
    DynamoDb::open(store, clock, Arc::new(Recorded::default())).expect("engine opens")
}

fn engine_with_queue() -> (DynamoDb, Arc<Recorded>, Clock) {
    let clock = Clock::new();
    let queue = Arc::new(Recorded::default());
    let db = DynamoDb::open(
        Store::open_temporary().expect("temporary store"),
        clock.clone(),
        queue.clone(),
    )
    .expect("engine opens");
    (db, queue, clock)
}

fn engine() -> (DynamoDb, Clock) {
    let (db, _, clock) = engine_with_queue();
    (db, clock)
}

#[tokio::test]
async fn newest_version_wins_and_index_follows() {
    let (db, _) = engine();
    let table = db
        .create_table(SCOPE, create("t", true))
        .await
        .expect("created");
    put(
        &db,
        &table,
        item(&[("pk", s("a")), ("sk", n("1")), ("g", s("x"))]),
    )
    .await
    .expect("put");
    put(
        &db,
        &table,
        item(&[("pk", s("a")), ("sk", n("1")), ("g", s("y"))]),
    )
    .await
    .expect("put");
    let key = item(&[("pk", s("a")), ("sk", n("1"))]);
    let got = db
        .get_item(&table, &key, None, true)
        .expect("get")
        .item
        .expect("found");
    assert_eq!(got.get("g"), Some(&s("y")));

    let table = db.table(SCOPE, "t").expect("exists");
    assert_eq!(table.item_count(), 1);
    let query = |g: &str| {
        let mut attrs =
            ExpressionAttributes::new(None, Some([(":g".to_owned(), s(g))].into_iter().collect()));
        let kc = parse_key_conditions("g = :g", &mut attrs).expect("parses");
        db.query(
            &table,
            QueryInput {
                key_conditions: kc,
                forward: true,
                options: ReadOptions {
                    index: Some("by_g".to_owned()),
                    ..Default::default()
                },
            },
        )
        .expect("query")
    };
    assert_eq!(query("x").count, 0, "the old index entry is gone");
    assert_eq!(query("y").count, 1);
}

#[tokio::test]
async fn history_answers_as_of_reads_while_pitr_is_on() {
    let (db, clock) = engine();
    let table = db
        .create_table(SCOPE, create("h", false))
        .await
        .expect("created");
    let key = item(&[("pk", s("k")), ("sk", n("0"))]);
    put(
        &db,
        &table,
        item(&[("pk", s("k")), ("sk", n("0")), ("v", n("1"))]),
    )
    .await
    .expect("put");
    let before_pitr = clock.now().as_microsecond() as u64;
    clock.advance(1.0).expect("forward");
    db.set_point_in_time_recovery(SCOPE, "h", Some(35))
        .await
        .expect("pitr on");
    let table = db.table(SCOPE, "h").expect("exists");
    clock.advance(1.0).expect("forward");
    put(
        &db,
        &table,
        item(&[("pk", s("k")), ("sk", n("0")), ("v", n("2"))]),
    )
    .await
    .expect("put");
    let after_second = clock.now().as_microsecond() as u64;
    clock.advance(1.0).expect("forward");
    let write = ItemWrite::new(table.clone(), key.clone(), Action::Delete, None).expect("valid");
    db.write_item(write, ReturnValues::None, false)
        .await
        .expect("delete");
    let after_delete = clock.now().as_microsecond() as u64 + 1_000_000;

    let v = |t| {
        db.get_item_as_of(&table, &key, t)
            .expect("read")
            .and_then(|i| i.get("v").cloned())
    };
    assert_eq!(
        v(before_pitr),
        Some(n("1")),
        "the version from before PITR was kept"
    );
    assert_eq!(v(after_second), Some(n("2")));
    assert_eq!(v(after_delete), None, "deleted");
    assert_eq!(v(0), None, "before it existed");

    let changes = db.changed_keys(&table, 0, u64::MAX).expect("changes");
    assert_eq!(
        changes.len(),
        2,
        "two writes while PITR was on: {changes:?}"
    );
    assert!(changes[0].0 < changes[1].0);
}

#[tokio::test]
async fn scans_as_of_a_time_see_deleted_and_old_versions_and_gc_keeps_the_window() {
    let (db, clock) = engine();
    db.create_table(SCOPE, create("g", false))
        .await
        .expect("created");
    db.set_point_in_time_recovery(SCOPE, "g", Some(1))
        .await
        .expect("pitr on");
    let table = db.table(SCOPE, "g").expect("exists");
    let row = |k: &str, v: &str| item(&[("pk", s(k)), ("sk", n("0")), ("v", n(v))]);
    for k in ["a", "b", "c"] {
        put(&db, &table, row(k, "1")).await.expect("put");
    }
    clock.advance(1.0).expect("forward");
    let t = clock.now().as_microsecond() as u64;
    clock.advance(1.0).expect("forward");
    put(&db, &table, row("a", "2")).await.expect("update");
    put(&db, &table, row("d", "1")).await.expect("new");
    let key = item(&[("pk", s("b")), ("sk", n("0"))]);
    let write = ItemWrite::new(table.clone(), key, Action::Delete, None).expect("valid");
    db.write_item(write, ReturnValues::None, false)
        .await
        .expect("delete");
    let as_of = |t: u64| {
        let mut seen = Vec::new();
        db.scan_as_of(&table, t, |it| {
            let pk = match &it["pk"] {
                AttributeValue::S(pk) => pk.clone(),
                _ => unreachable!(),
            };
            seen.push((pk, it["v"].clone()));
            Ok(())
        })
        .expect("scan");
        seen.sort_by(|x, y| x.0.cmp(&y.0));
        seen
    };
    let then = as_of(t);
    assert_eq!(
        then,
        vec![
            ("a".into(), n("1")),
            ("b".into(), n("1")),
            ("c".into(), n("1"))
        ],
        "the deleted item is there, the new one is not, the updated one is old"
    );
    let mut changed = Vec::new();
    db.changes_between(&table, t, u64::MAX, |old, new, _| {
        changed.push((old.is_some(), new.is_some()));
        Ok(())
    })
    .expect("changes");
    changed.sort();
    assert_eq!(changed, vec![(false, true), (true, false), (true, true)]);

    // Two days on, a 1-day window: the versions before it go, but each key keeps the
    // newest one before it, so "as of" the window's start still answers.
    clock.advance(2.0 * 86_400.0).expect("forward");
    let removed = db.collect_history().await.expect("gc");
    assert!(removed > 0, "old versions were collected");
    let now = clock.now().as_microsecond() as u64;
    assert_eq!(
        as_of(now),
        vec![
            ("a".into(), n("2")),
            ("c".into(), n("1")),
            ("d".into(), n("1"))
        ]
    );
}

#[tokio::test]
async fn conditions_and_updates_run_inside_the_writer() {
    let (db, _) = engine();
    let table = db
        .create_table(SCOPE, create("c", false))
        .await
        .expect("created");
    let key = item(&[("pk", s("n")), ("sk", n("1"))]);
    let mut handles = Vec::new();
    for _ in 0..50 {
        let db = db.clone();
        let table = table.clone();
        let key = key.clone();
        handles.push(tokio::spawn(async move {
            let mut attrs = ExpressionAttributes::new(
                None,
                Some([(":one".to_owned(), n("1"))].into_iter().collect()),
            );
            let update = parse_update("ADD hits :one", &mut attrs).expect("parses");
            let write =
                ItemWrite::new(table, key, Action::Update(Some(update)), None).expect("valid");
            db.write_item(write, ReturnValues::None, false)
                .await
                .expect("update");
        }));
    }
    for h in handles {
        h.await.expect("task");
    }
    let got = db
        .get_item(&table, &key, None, true)
        .expect("get")
        .item
        .expect("found");
    assert_eq!(got.get("hits"), Some(&n("50")));

    let mut attrs = ExpressionAttributes::new(
        None,
        Some([(":v".to_owned(), n("49"))].into_iter().collect()),
    );
    let condition =
        parse_condition("hits = :v", ConditionKind::Condition, &mut attrs).expect("parses");
    let write =
        ItemWrite::new(table.clone(), key.clone(), Action::Delete, Some(condition)).expect("valid");
    match db.write_item(write, ReturnValues::None, true).await {
        Err(DynamoDbError::ConditionalCheckFailed { item: Some(old) }) => {
            assert_eq!(old.get("hits"), Some(&n("50")));
        }
        other => panic!("expected a failed condition, got {other:?}"),
    }
}

#[tokio::test]
async fn a_cancelled_transaction_writes_nothing() {
    let (db, _) = engine();
    let table = db
        .create_table(SCOPE, create("x", false))
        .await
        .expect("created");
    put(&db, &table, item(&[("pk", s("a")), ("sk", n("1"))]))
        .await
        .expect("put");
    let mut attrs = ExpressionAttributes::new(None, None);
    let fails = parse_condition(
        "attribute_not_exists(pk)",
        ConditionKind::Condition,
        &mut attrs,
    )
    .expect("parses");
    let writes = vec![
        TransactWrite {
            write: ItemWrite::new(
                table.clone(),
                item(&[("pk", s("b")), ("sk", n("1"))]),
                Action::Put(item(&[("pk", s("b")), ("sk", n("1"))])),
                None,
            )
            .expect("valid"),
            return_old_on_condition_failure: false,
        },
        TransactWrite {
            write: ItemWrite::new(
                table.clone(),
                item(&[("pk", s("a")), ("sk", n("1"))]),
                Action::Check,
                Some(fails),
            )
            .expect("valid"),
            return_old_on_condition_failure: false,
        },
    ];
    match db.transact_write_items(writes, None).await {
        Err(DynamoDbError::TransactionCanceled(reasons)) => {
            let codes: Vec<_> = reasons.iter().map(|r| r.code).collect();
            assert_eq!(codes, ["None", "ConditionalCheckFailed"]);
        }
        other => panic!("expected cancellation, got {other:?}"),
    }
    let b = item(&[("pk", s("b")), ("sk", n("1"))]);
    assert!(
        db.get_item(&table, &b, None, true)
            .expect("get")
            .item
            .is_none()
    );
}

/// Every item is in exactly one segment, a partition's items all in the same one, and a
/// segment's pages resume inside it: with hashed keys (each segment one storage range) and
/// with a table from before them (each segment filtered from the whole range).
#[tokio::test]
async fn scan_segments_partition_the_table_and_pages_resume() {
    for layout in [KeyLayout::Hashed, KeyLayout::Ordered] {
        let (db, _) = engine();
        let mut definition = create("s", false);
        definition.key_schema.layout = layout;
        let table = db.create_table(SCOPE, definition).await.expect("created");
        for i in 0..100 {
            put(
                &db,
                &table,
                item(&[
                    ("pk", s(&format!("p{}", i % 13))),
                    ("sk", n(&i.to_string())),
                ]),
            )
            .await
            .expect("put");
        }
        let mut segment_of_partition = std::collections::HashMap::new();
        let mut seen = std::collections::HashSet::new();
        for segment in 0..4 {
            let mut start = None;
            loop {
                let page = db
                    .scan(
                        &table,
                        ScanInput {
                            segment: Some((segment, 4)),
                            options: ReadOptions {
                                limit: Some(7),
                                exclusive_start_key: start.take(),
                                ..Default::default()
                            },
                        },
                    )
                    .expect("scan");
                for it in &page.items {
                    assert!(
                        seen.insert(format!("{:?}", it["sk"])),
                        "{layout:?}: seen twice"
                    );
                    let partition = format!("{:?}", it["pk"]);
                    assert_eq!(
                        *segment_of_partition.entry(partition).or_insert(segment),
                        segment,
                        "{layout:?}: a partition in two segments"
                    );
                }
                match page.last_evaluated_key {
                    Some(k) => start = Some(k),
                    None => break,
                }
            }
        }
        assert_eq!(seen.len(), 100, "{layout:?}");
        let used: std::collections::HashSet<_> = segment_of_partition.values().collect();
        assert!(
            used.len() > 1,
            "{layout:?}: 13 partitions all in one segment"
        );
    }
}

#[tokio::test]
async fn writes_survive_a_reopen() {
    let dir = tempfile::tempdir().expect("temp dir");
    let clock = Clock::new();
    {
        let db = open(Store::open(dir.path()).expect("store"), clock.clone());
        let table = db
            .create_table(SCOPE, create("d", false))
            .await
            .expect("created");
        put(
            &db,
            &table,
            item(&[("pk", s("a")), ("sk", n("1")), ("x", s("kept"))]),
        )
        .await
        .expect("put");
    }
    let db = open(Store::open(dir.path()).expect("store"), clock);
    let table = db.table(SCOPE, "d").expect("table survives");
    assert_eq!(table.item_count(), 1);
    let got = db
        .get_item(&table, &item(&[("pk", s("a")), ("sk", n("1"))]), None, true)
        .expect("get")
        .item
        .expect("item survives");
    assert_eq!(got.get("x"), Some(&s("kept")));
}

#[tokio::test]
async fn creating_tables_stay_creating_until_finished_and_cannot_be_deleted() {
    let (db, _) = engine();
    db.create(SCOPE, create("imported", false), Some(Creating::Import))
        .await
        .expect("created");
    let done = db
        .create(SCOPE, create("done", false), Some(Creating::Import))
        .await
        .expect("created");
    db.finish_creating(&done).await.expect("active");
    assert!(
        db.table(SCOPE, "done")
            .expect("table")
            .def
            .creating
            .is_none()
    );
    assert!(matches!(
        db.delete_table(SCOPE, "imported").await,
        Err(DynamoDbError::ResourceInUse(_))
    ));
}

#[tokio::test]
async fn changes_record_their_maintenance_and_running_it_twice_changes_nothing() {
    let (db, queue, _) = engine_with_queue();
    let table = db
        .create_table(SCOPE, create("m", false))
        .await
        .expect("created");
    for i in 0..1200 {
        put(
            &db,
            &table,
            item(&[("pk", s(&format!("k{i}"))), ("sk", n("1")), ("g", s("x"))]),
        )
        .await
        .expect("put");
    }
    let update = strata_dynamodb::tables::UpdateTable {
        attribute_definitions: vec![KeyAttribute {
            name: "g".into(),
            attribute_type: ScalarType::S,
        }],
        create_indexes: vec![NewIndex {
            name: "by-g".into(),
            kind: IndexKind::Global,
            key_schema: KeySchema::simple(
                KeyAttribute {
                    name: "g".into(),
                    attribute_type: ScalarType::S,
                },
                None,
            ),
            projection: Projection {
                projection_type: ProjectionType::KeysOnly,
                non_key_attributes: Vec::new(),
            },
            provisioned_throughput: None,
        }],
        ..Default::default()
    };
    let updated = db.update_table(SCOPE, "m", update).await.expect("updated");
    let index = updated.def.index("by-g").expect("index").clone();
    assert_eq!(index.status, IndexStatus::Creating);
    // Until its backfill has run, the index cannot be read.
    let refused = db
        .scan(
            &updated,
            ScanInput {
                options: ReadOptions {
                    index: Some("by-g".into()),
                    select: strata_dynamodb::read::Select::AllProjectedAttributes,
                    ..Default::default()
                },
                ..Default::default()
            },
        )
        .expect_err("a backfilling index is not read");
    assert!(
        matches!(&refused, DynamoDbError::Validation(m)
            if m == "Cannot read from backfilling global secondary index: by-g"),
        "{refused:?}"
    );
    let recorded = queue.take();
    assert_eq!(
        recorded,
        [Maintenance::Backfill {
            account: SCOPE.account.into(),
            region: SCOPE.region.into(),
            table_name: "m".into(),
            table_id: updated.def.id,
            index_id: index.id,
        }]
    );
    // Twice, as after a crash in the middle of the first run: the same index.
    for _ in 0..2 {
        db.run_maintenance(&recorded[0]).await.expect("backfill");
        let table = db.table(SCOPE, "m").expect("table");
        let index = table.def.index("by-g").expect("index");
        assert_eq!(index.status, IndexStatus::Active);
        assert_eq!(table.index_stats(index.id).0, 1200);
    }

    db.set_point_in_time_recovery(SCOPE, "m", Some(1))
        .await
        .expect("enabled");
    assert!(queue.take().is_empty());
    let table = db.table(SCOPE, "m").expect("table");
    put(&db, &table, item(&[("pk", s("k0")), ("sk", n("1"))]))
        .await
        .expect("put");
    db.set_point_in_time_recovery(SCOPE, "m", None)
        .await
        .expect("disabled");
    let [Maintenance::PurgeHistory { table_id, .. }] = queue.take()[..] else {
        panic!("disabling PITR records its history purge");
    };
    assert_eq!(table_id, table.def.id);
    assert!(
        db.table(SCOPE, "m")
            .expect("table")
            .def
            .history_purge_before
            .is_some()
    );
    // Enabling again before the purge ran completes it first.
    db.set_point_in_time_recovery(SCOPE, "m", Some(1))
        .await
        .expect("enabled again");
    assert!(
        db.table(SCOPE, "m")
            .expect("table")
            .def
            .history_purge_before
            .is_none()
    );
    // Disabled again, the purge job itself clears the marker once done.
    db.set_point_in_time_recovery(SCOPE, "m", None)
        .await
        .expect("disabled again");
    let purge = queue.take();
    assert!(matches!(purge[..], [Maintenance::PurgeHistory { .. }]));
    db.run_maintenance(&purge[0]).await.expect("purged");
    assert!(
        db.table(SCOPE, "m")
            .expect("table")
            .def
            .history_purge_before
            .is_none()
    );

    let mut delete_index = strata_dynamodb::tables::UpdateTable::default();
    delete_index.delete_indexes.push("by-g".into());
    db.update_table(SCOPE, "m", delete_index)
        .await
        .expect("index deleted");
    assert_eq!(
        queue.take(),
        [Maintenance::PurgeIndex {
            table_id: table.def.id,
            index_id: index.id,
        }]
    );
    db.delete_table(SCOPE, "m").await.expect("deleted");
    let purge = queue.take();
    assert_eq!(
        purge,
        [Maintenance::PurgeTable {
            table_id: table.def.id
        }]
    );
    db.run_maintenance(&purge[0]).await.expect("purged");
    db.run_maintenance(&purge[0]).await.expect("purged again");
}

/// An older strata indexed a value too long for an index key (it checked presence and type
/// only). Such an entry still goes when its item is deleted, so no entry outlives its item.
#[tokio::test]
async fn an_entry_indexed_before_key_limits_goes_with_its_item() {
    let store = Store::open_temporary().expect("temporary store");
    let db = open(store.clone(), Clock::new());
    let table = db
        .create_table(SCOPE, create("old", true))
        .await
        .expect("created");
    let long = item(&[("pk", s("a")), ("sk", n("1")), ("g", s(&"x".repeat(3000)))]);
    // What the older strata wrote for it: the item and its index entry.
    let (id, index) = (table.def.id, &table.def.indexes[0]);
    let mut primary = Vec::new();
    strata_dynamodb::key::encode_key(&table.def.key_schema, &long, &mut primary);
    let mut index_key = Vec::new();
    strata_dynamodb::key::encode_key(&index.key_schema, &long, &mut index_key);
    let entry = layout::index_key(id, index.id, &index_key, &primary);
    let (item_key, version) = (
        layout::item_key(id, &primary),
        Version::encode(1, Some(&long)),
    );
    let written = entry.clone();
    store
        .write(move |txn| {
            txn.put(layout::ITEMS, item_key, version.clone());
            txn.put(layout::INDEX, written, version);
            Ok::<_, StorageError>(())
        })
        .await
        .expect("written");
    let key = item(&[("pk", s("a")), ("sk", n("1"))]);
    let write = ItemWrite::new(table.clone(), key, Action::Delete, None).expect("valid");
    db.write_item(write, ReturnValues::None, false)
        .await
        .expect("deleted");
    assert!(
        store
            .get(layout::INDEX, &entry)
            .expect("readable")
            .is_none(),
        "the index entry outlived its item"
    );
}

/// Deleting an item that is not there changes nothing, in history either: an as-of reader
/// or a change feed sees no write.
#[tokio::test]
async fn deleting_a_missing_item_records_no_change() {
    let (db, clock) = engine();
    db.create_table(SCOPE, create("nochange", false))
        .await
        .expect("created");
    db.set_point_in_time_recovery(SCOPE, "nochange", Some(35))
        .await
        .expect("pitr on");
    let table = db.table(SCOPE, "nochange").expect("exists");
    let since = clock.now().as_microsecond() as u64;
    let key = item(&[("pk", s("ghost")), ("sk", n("0"))]);
    let write = ItemWrite::new(table.clone(), key, Action::Delete, None).expect("valid");
    db.write_item(write, ReturnValues::None, false)
        .await
        .expect("deleted");
    let mut changes = 0;
    db.changes_between(&table, since, u64::MAX, |_, _, _| {
        changes += 1;
        Ok(())
    })
    .expect("changes");
    assert_eq!(changes, 0);
}
