//! Unit tests of [`Store`] as a whole: reads, writes, snapshots, failure and group commit.

use std::{
    collections::BTreeMap,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
        mpsc,
    },
};

use crate::faults::FaultyBackend;
use crate::{Backend, FjallBackend, KvIter, KvPair, StorageError, Store};

const KS: &str = "test.items";
const OTHER: &str = "test.other";

/// An engine-style error, to check that `write` works with caller error types.
#[derive(Debug)]
enum AppError {
    #[allow(dead_code, reason = "only matched as a whole")]
    Storage(StorageError),
    Conflict,
}

impl From<StorageError> for AppError {
    fn from(err: StorageError) -> Self {
        Self::Storage(err)
    }
}

fn put_all(store: &Store, pairs: &[(&str, &str, &str)]) {
    let pairs: Vec<_> = pairs
        .iter()
        .map(|(ks, k, v)| (ks.to_string(), k.to_string(), v.to_string()))
        .collect();
    store
        .write_blocking(move |txn| {
            for (ks, k, v) in pairs {
                txn.put(&ks, k, v);
            }
            Ok::<_, StorageError>(())
        })
        .expect("write");
}

fn collect(iter: KvIter) -> Vec<(String, String)> {
    iter.map(|kv| {
        let (k, v) = kv.expect("read");
        (
            String::from_utf8(k).expect("utf8 key"),
            String::from_utf8(v).expect("utf8 value"),
        )
    })
    .collect()
}

fn get(store: &Store, ks: &str, key: &str) -> Option<String> {
    store
        .get(ks, key.as_bytes())
        .expect("get")
        .map(|v| String::from_utf8(v).expect("utf8 value"))
}

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn put_get_delete() {
    let store = Store::open_temporary().expect("open");
    assert_eq!(get(&store, KS, "a"), None);
    put_all(&store, &[(KS, "a", "1"), (OTHER, "a", "other")]);
    assert_eq!(get(&store, KS, "a").as_deref(), Some("1"));
    assert_eq!(get(&store, OTHER, "a").as_deref(), Some("other"));

    store
        .write_blocking(|txn| {
            txn.delete(KS, "a");
            txn.delete(KS, "never-existed");
            Ok::<_, StorageError>(())
        })
        .expect("delete");
    assert_eq!(get(&store, KS, "a"), None);
    assert_eq!(get(&store, OTHER, "a").as_deref(), Some("other"));
}

#[test]
fn range_and_prefix_are_ordered_and_bounded() {
    let store = Store::open_temporary().expect("open");
    put_all(
        &store,
        &[
            (KS, "b/2", "4"),
            (KS, "a/1", "1"),
            (KS, "a/3", "3"),
            (KS, "a/2", "2"),
            (KS, "c", "5"),
            (OTHER, "a/9", "x"),
        ],
    );
    let range = |r| collect(store.range(KS, r).expect("range"));
    assert_eq!(
        range(b"a/2".as_slice()..b"c".as_slice()),
        pairs(&[("a/2", "2"), ("a/3", "3"), ("b/2", "4")])
    );
    assert_eq!(
        collect(
            store
                .range(KS, b"a/2".as_slice()..=b"c".as_slice())
                .expect("range")
        )
        .len(),
        4
    );
    assert_eq!(
        collect(store.range(KS, ..b"a/2".as_slice()).expect("range")).len(),
        1
    );
    assert_eq!(
        collect(store.range::<&[u8], _>(KS, ..).expect("range")).len(),
        5
    );
    assert!(
        range(b"z".as_slice()..b"a".as_slice()).is_empty(),
        "inverted range"
    );
    assert_eq!(
        collect(store.prefix(KS, b"a/").expect("prefix")),
        pairs(&[("a/1", "1"), ("a/2", "2"), ("a/3", "3")])
    );
    assert!(collect(store.prefix("test.unused", b"").expect("prefix")).is_empty());
}

#[test]
fn snapshot_is_isolated_from_later_writes() {
    let store = Store::open_temporary().expect("open");
    put_all(&store, &[(KS, "a", "old"), (KS, "b", "old")]);
    let snapshot = store.snapshot().expect("snapshot");
    put_all(&store, &[(KS, "a", "new"), (KS, "c", "new")]);
    store
        .write_blocking(|txn| {
            txn.delete(KS, "b");
            Ok::<_, StorageError>(())
        })
        .expect("delete");

    assert_eq!(snapshot.get(KS, b"a").expect("get"), Some(b"old".to_vec()));
    assert_eq!(snapshot.get(KS, b"c").expect("get"), None);
    assert_eq!(
        collect(snapshot.prefix(KS, b"").expect("prefix")),
        pairs(&[("a", "old"), ("b", "old")])
    );
    assert_eq!(
        collect(store.prefix(KS, b"").expect("prefix")),
        pairs(&[("a", "new"), ("c", "new")])
    );
}

#[test]
fn failing_closure_leaves_nothing() {
    let store = Store::open_temporary().expect("open");
    put_all(&store, &[(KS, "kept", "1")]);
    let result = store.write_blocking(|txn| {
        txn.put(KS, "a", "1");
        txn.put(OTHER, "b", "2");
        txn.delete(KS, "kept");
        Err::<(), _>(AppError::Conflict)
    });
    assert!(matches!(result, Err(AppError::Conflict)));
    assert_eq!(get(&store, KS, "a"), None);
    assert_eq!(get(&store, OTHER, "b"), None);
    assert_eq!(get(&store, KS, "kept").as_deref(), Some("1"));
    assert!(!store.is_poisoned());
}

#[test]
fn invalid_write_fails_whole_closure_without_poisoning() {
    let store = Store::open_temporary().expect("open");
    let result = store.write_blocking(|txn| {
        txn.put(KS, "a", "1");
        txn.put("", "b", "2");
        Ok::<_, StorageError>(())
    });
    assert!(matches!(
        result,
        Err(StorageError::InvalidKeyspaceName { .. })
    ));
    let result = store.write_blocking(|txn| {
        txn.put(KS, vec![0; crate::MAX_KEY_LEN + 1], "1");
        Ok::<_, StorageError>(())
    });
    assert!(matches!(
        result,
        Err(StorageError::TooLong { what: "key", .. })
    ));
    let result = store.write_blocking(|txn| {
        txn.delete(KS, Vec::new());
        Ok::<_, StorageError>(())
    });
    assert!(matches!(result, Err(StorageError::EmptyKey)));
    assert_eq!(get(&store, KS, "a"), None);
    assert!(!store.is_poisoned());
    put_all(&store, &[(KS, "a", "1")]);
}

#[test]
fn closures_see_own_and_earlier_writes_in_order() {
    let store = Store::open_temporary().expect("open");
    let mut replies = Vec::new();
    for i in 0..50u32 {
        // Read-modify-write with no lock: the writer runs closures one at a time, in order.
        replies.push(store.write(move |txn| {
            let n: u32 = match txn.get(KS, b"counter")? {
                Some(v) => String::from_utf8_lossy(&v).parse().unwrap_or(0),
                None => 0,
            };
            assert_eq!(n, i, "closures run in call order");
            txn.put(KS, "counter", (n + 1).to_string());
            assert_eq!(
                txn.get(KS, b"counter")?,
                Some((n + 1).to_string().into_bytes())
            );
            txn.delete(KS, "counter");
            assert_eq!(txn.get(KS, b"counter")?, None, "own delete is visible");
            txn.put(KS, "counter", (n + 1).to_string());
            Ok::<_, StorageError>(n)
        }));
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        for (i, reply) in replies.into_iter().enumerate() {
            assert_eq!(reply.await.expect("write"), i as u32);
        }
    });
    assert_eq!(get(&store, KS, "counter").as_deref(), Some("50"));
}

#[test]
fn settle_waits_for_every_write_queued_before_it() {
    let store = Store::open_temporary().expect("open");
    for i in 0..30u32 {
        // Not awaited: dropping the future does not cancel the write.
        drop(store.write(move |txn| {
            txn.put(KS, format!("k{i}"), "v");
            Ok::<_, StorageError>(())
        }));
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    runtime.block_on(async { store.settle().await.expect("settle") });
    // Committed (made durable and acknowledged) before the settle resolved, the settle too.
    assert!(store.stats().writes_committed >= 31);
    assert_eq!(get(&store, KS, "k29").as_deref(), Some("v"));
}

#[test]
fn restart_keeps_data() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let store = Store::open(dir.path()).expect("open");
        put_all(&store, &[(KS, "a", "1"), (OTHER, "b", "2")]);
        assert!(matches!(
            Store::open(dir.path()),
            Err(StorageError::Locked { .. })
        ));
    }
    let store = Store::open(dir.path()).expect("reopen");
    assert_eq!(get(&store, KS, "a").as_deref(), Some("1"));
    assert_eq!(get(&store, OTHER, "b").as_deref(), Some("2"));
}

#[test]
fn panicking_closure_writes_nothing_and_writer_survives() {
    let store = Store::open_temporary().expect("open");
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        store.write_blocking(|txn| {
            txn.put(KS, "a", "1");
            panic!("closure bug");
            #[allow(unreachable_code)]
            Ok::<_, StorageError>(())
        })
    }));
    assert!(caught.is_err(), "panic resumes in the caller");
    assert_eq!(get(&store, KS, "a"), None);
    put_all(&store, &[(KS, "b", "1")]);
    assert_eq!(get(&store, KS, "b").as_deref(), Some("1"));
}

#[test]
fn group_commit_under_concurrent_load() {
    const TASKS: usize = 64;
    const PER_TASK: usize = 20;
    let store = Store::open_temporary().expect("open");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .build()
        .expect("runtime");

    // Hold the writer inside one closure until every task has queued its first write, so at
    // least one group is guaranteed to hold many writes whatever the machine's speed.
    let (release, gate) = mpsc::channel::<()>();
    let gate_write = store.write(move |_txn| {
        gate.recv().map_err(|_| StorageError::WriterStopped)?;
        Ok::<_, StorageError>(())
    });

    runtime.block_on(async {
        let (queued_tx, mut queued_rx) = tokio::sync::mpsc::unbounded_channel();
        let mut tasks = Vec::new();
        for t in 0..TASKS {
            let store = store.clone();
            let queued_tx = queued_tx.clone();
            tasks.push(tokio::spawn(async move {
                for i in 0..PER_TASK {
                    let key = format!("{t:03}/{i:03}");
                    let value = format!("value of {key}");
                    let reply = store.write(move |txn| {
                        txn.put(KS, key, value);
                        Ok::<_, StorageError>(())
                    });
                    if i == 0 {
                        let _ = queued_tx.send(());
                    }
                    reply.await.expect("write");
                    // Acknowledged ⇒ visible.
                    let key = format!("{t:03}/{i:03}");
                    assert_eq!(
                        store.get(KS, key.as_bytes()).expect("get"),
                        Some(format!("value of {key}").into_bytes())
                    );
                }
            }));
        }
        for _ in 0..TASKS {
            queued_rx.recv().await.expect("task queued");
        }
        release.send(()).expect("gate open");
        gate_write.await.expect("gate write");
        for task in tasks {
            task.await.expect("task");
        }
    });

    assert_eq!(
        collect(store.prefix(KS, b"").expect("prefix")).len(),
        TASKS * PER_TASK
    );
    let stats = store.stats();
    assert_eq!(stats.writes_committed, (TASKS * PER_TASK + 1) as u64);
    assert!(
        stats.groups_committed < stats.writes_committed,
        "groups formed: {stats:?}"
    );
    // The gate's group may take some first writes before blocking; the next takes the rest.
    assert!(stats.largest_group > (TASKS / 2) as u64, "{stats:?}");
}

/// Holds the writer inside a closure of its own group while `queue` queues writes, then lets
/// it go, so the queued writes are grouped after it; returns their results in order.
fn after_one_gate<F: std::future::Future>(
    store: &Store,
    queue: impl FnOnce() -> Vec<F>,
) -> Vec<F::Output> {
    let (started_tx, started) = mpsc::channel::<()>();
    let (release, gate) = mpsc::channel::<()>();
    let gate_write = store.write(move |_txn| {
        started_tx
            .send(())
            .map_err(|_| StorageError::WriterStopped)?;
        gate.recv().map_err(|_| StorageError::WriterStopped)?;
        Ok::<_, StorageError>(())
    });
    started.recv().expect("gate closure running");
    let writes = queue();
    release.send(()).expect("gate open");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        // The gate wrote nothing; it fails only if the writer grouped it with the writes.
        let _ = gate_write.await;
        let mut results = Vec::new();
        for write in writes {
            results.push(write.await);
        }
        results
    })
}

#[test]
fn failed_persist_fails_the_group_and_poisons_the_store() {
    let backend = FaultyBackend::new(FjallBackend::open_temporary().expect("open"));
    let fail = backend.fail.clone();
    let store = Store::with_backend(Arc::new(backend)).expect("store");
    put_all(&store, &[(KS, "before", "1")]);

    fail.store(true, Ordering::SeqCst);
    let results = after_one_gate(&store, || {
        (0..10)
            .map(|i| {
                store.write(move |txn| {
                    txn.put(KS, format!("k{i}"), "v");
                    Ok::<_, StorageError>(())
                })
            })
            .collect()
    });
    // The first failing group gets the fsync error; any later group (if the writer split the
    // ten) is refused as poisoned.
    assert!(
        matches!(results[0], Err(StorageError::Backend(_))),
        "{results:?}"
    );
    for result in &results {
        assert!(
            matches!(
                result,
                Err(StorageError::Backend(_) | StorageError::Poisoned)
            ),
            "{result:?}"
        );
    }
    assert!(store.is_poisoned());
    let after = store.write_blocking(|txn| {
        txn.put(KS, "after", "1");
        Ok::<_, StorageError>(())
    });
    assert!(matches!(after, Err(StorageError::Poisoned)));
    // Reads keep working.
    assert_eq!(get(&store, KS, "before").as_deref(), Some("1"));
    assert_eq!(get(&store, KS, "after"), None);
}

#[test]
fn backend_panic_poisons_instead_of_killing_the_writer() {
    let backend = FaultyBackend::new(FjallBackend::open_temporary().expect("open"));
    let panic = backend.panic.clone();
    panic.store(true, Ordering::SeqCst);
    let store = Store::with_backend(Arc::new(backend)).expect("store");
    let result = store.write_blocking(|txn| {
        txn.put(KS, "a", "1");
        Ok::<_, StorageError>(())
    });
    assert!(
        matches!(&result, Err(StorageError::BackendPanicked(m)) if m == "injected backend panic"),
        "{result:?}"
    );
    panic.store(false, Ordering::SeqCst);
    let after = store.write_blocking(|_txn| Ok::<_, StorageError>(()));
    assert!(matches!(after, Err(StorageError::Poisoned)), "{after:?}");
}

#[test]
fn a_nearly_full_disk_refuses_writes_without_running_them_or_poisoning() {
    let backend = FaultyBackend::new(FjallBackend::open_temporary().expect("open"));
    let free = backend.free.clone();
    let store = Store::with_backend(Arc::new(backend)).expect("store");
    put_all(&store, &[(KS, "before", "1")]);

    free.store(crate::MIN_FREE_SPACE - 1, Ordering::SeqCst);
    let ran = Arc::new(AtomicBool::new(false));
    let refused = store.write_blocking({
        let ran = ran.clone();
        move |txn| {
            ran.store(true, Ordering::SeqCst);
            txn.put(KS, "refused", "1");
            Ok::<_, StorageError>(())
        }
    });
    let Err(err) = refused else {
        panic!("a write on a nearly full disk succeeded");
    };
    assert!(
        matches!(err, StorageError::NoSpace { available } if available == crate::MIN_FREE_SPACE - 1),
        "{err:?}"
    );
    assert!(err.is_unavailable() && !err.may_have_written());
    assert!(!ran.load(Ordering::SeqCst), "the closure ran");
    assert!(!store.is_poisoned());
    assert_eq!(get(&store, KS, "refused"), None);

    // Space comes back: writes succeed again, without reopening anything.
    free.store(u64::MAX, Ordering::SeqCst);
    put_all(&store, &[(KS, "after", "1")]);
    assert_eq!(get(&store, KS, "before").as_deref(), Some("1"));
    assert_eq!(get(&store, KS, "after").as_deref(), Some("1"));
}

#[test]
fn a_group_stops_taking_writes_once_its_batches_would_eat_the_reserve() {
    let backend = FaultyBackend::new(FjallBackend::open_temporary().expect("open"));
    backend
        .free
        .store(crate::MIN_FREE_SPACE + 500, Ordering::SeqCst);
    let store = Store::with_backend(Arc::new(backend)).expect("store");
    // The three writes queued behind the gate form the next group together.
    let results = after_one_gate(&store, || {
        (0..3)
            .map(|i| {
                store.write(move |txn| {
                    txn.put(KS, format!("k{i}"), vec![b'x'; 1000]);
                    Ok::<_, StorageError>(())
                })
            })
            .collect()
    });
    // The first runs with the disk above the reserve; its 1 KB leave it below, so the group
    // refuses the others.
    assert!(results[0].is_ok(), "{results:?}");
    for result in &results[1..] {
        assert!(
            matches!(result, Err(StorageError::NoSpace { .. })),
            "{results:?}"
        );
    }
    assert!(!store.is_poisoned());
}

#[test]
fn errors_say_whether_the_disk_is_full_and_whether_a_write_may_have_landed() {
    let enospc = || std::io::Error::from_raw_os_error(28);
    // Directly, and wrapped in fjall's error as the backend hands it over.
    assert!(StorageError::from(enospc()).is_unavailable());
    assert!(StorageError::from(fjall::Error::Io(enospc())).is_unavailable());
    assert!(StorageError::Poisoned.is_unavailable());
    assert!(!StorageError::from(std::io::Error::other("bad sector")).is_unavailable());
    assert!(!StorageError::BackendPanicked("bug".into()).is_unavailable());

    assert!(StorageError::from(enospc()).may_have_written());
    assert!(StorageError::BackendPanicked("bug".into()).may_have_written());
    assert!(!StorageError::Poisoned.may_have_written());
    assert!(!StorageError::NoSpace { available: 0 }.may_have_written());
}

#[test]
fn fjall_reports_the_free_space_of_its_disk() {
    let backend = FjallBackend::open_temporary().expect("open");
    let free = backend.free_space();
    assert!(
        cfg!(not(unix)) || free.is_some_and(|free| free > 0),
        "{free:?}"
    );
}

#[test]
fn kv_pairs_are_plain_bytes() {
    let store = Store::open_temporary().expect("open");
    store
        .write_blocking(|txn| {
            txn.put(KS, vec![0u8, 255], vec![1u8, 2, 3]);
            txn.put(KS, vec![7u8], Vec::new());
            Ok::<_, StorageError>(())
        })
        .expect("write");
    let all: Vec<KvPair> = store
        .prefix(KS, b"")
        .expect("prefix")
        .collect::<Result<_, _>>()
        .expect("read");
    let expected: BTreeMap<Vec<u8>, Vec<u8>> =
        [(vec![7], vec![]), (vec![0, 255], vec![1, 2, 3])].into();
    assert_eq!(all, expected.into_iter().collect::<Vec<_>>());
}

#[test]
fn txn_prefix_keys_merge_pending_writes() {
    let store = Store::open_temporary().expect("open");
    put_all(&store, &[(KS, "a/1", ""), (KS, "a/2", ""), (KS, "b/1", "")]);
    let keys = store
        .write_blocking(|txn| {
            txn.delete(KS, "a/1");
            txn.put(KS, "a/3", "");
            txn.put(OTHER, "a/4", "");
            txn.prefix_keys(KS, b"a/")
        })
        .expect("write");
    assert_eq!(keys, [b"a/2".to_vec(), b"a/3".to_vec()]);
}

#[test]
fn txn_first_in_prefix_sees_pending_writes() {
    let store = Store::open_temporary().expect("open");
    put_all(
        &store,
        &[(KS, "a/2", "two"), (KS, "a/3", "three"), (KS, "b/1", "")],
    );
    let firsts = store
        .write_blocking(|txn| {
            let stored = txn.first_in_prefix(KS, b"a/")?;
            txn.delete(KS, "a/2");
            let after_delete = txn.first_in_prefix(KS, b"a/")?;
            txn.put(KS, "a/1", "one");
            let after_put = txn.first_in_prefix(KS, b"a/")?;
            txn.delete(KS, "a/1");
            txn.delete(KS, "a/3");
            let none = txn.first_in_prefix(KS, b"a/")?;
            Ok::<_, StorageError>([stored, after_delete, after_put, none])
        })
        .expect("write");
    let pair = |k: &str, v: &str| Some((k.as_bytes().to_vec(), v.as_bytes().to_vec()));
    assert_eq!(
        firsts,
        [
            pair("a/2", "two"),
            pair("a/3", "three"),
            pair("a/1", "one"),
            None
        ]
    );
}

#[test]
fn range_rev_walks_backwards_within_bounds() {
    let store = Store::open_temporary().expect("open");
    store
        .write_blocking(|txn| {
            for k in [b"a", b"b", b"c", b"d"] {
                txn.put("ks", k.to_vec(), k.to_vec());
            }
            Ok::<_, StorageError>(())
        })
        .expect("write");
    let keys: Vec<Vec<u8>> = store
        .range_rev("ks", b"b".as_slice()..b"d".as_slice())
        .expect("range")
        .map(|kv| kv.expect("read").0)
        .collect();
    assert_eq!(keys, vec![b"c".to_vec(), b"b".to_vec()]);
}
