//! Crash test: acknowledged writes survive SIGKILL.
//!
//! The parent test re-executes this test binary as a child running only `crash_child`, with the
//! data directory in `STRATA_CRASH_CHILD`. The child runs many concurrent writers and prints
//! `ack <key>` only after a write's future resolved. The parent kills it (SIGKILL) at a random
//! moment, reopens the store and checks every acknowledged key, then starts the next cycle on
//! the same directory. `STRATA_CRASH_CYCLES` sets the number of cycles (default 5).
//!
//! Each write puts the key into two keyspaces in one closure, so recovery is also checked for
//! atomicity: a key is in both keyspaces or in neither, acknowledged or not.
//!
//! Limit: SIGKILL keeps the OS page cache, so this proves an acknowledged write had left the
//! process (fjall's journal buffer was flushed) and that recovery is consistent; it cannot prove
//! the fsync reached the device. That needs power-loss emulation (e.g. a fault-injecting FS).

use std::{
    collections::BTreeSet,
    io::{BufRead, BufReader, Write},
    path::Path,
    process::{Command, Stdio},
    sync::mpsc,
    thread,
    time::{Duration, Instant},
};

use strata_storage::{StorageError, Store};

const CHILD_ENV: &str = "STRATA_CRASH_CHILD";
const CYCLE_ENV: &str = "STRATA_CRASH_CYCLE";
const CYCLES_ENV: &str = "STRATA_CRASH_CYCLES";
const ITEMS: &str = "crash.items";
const INDEX: &str = "crash.index";
const WRITERS: usize = 32;
/// A child left behind by a dead parent stops by itself after this long.
const CHILD_LIFETIME: Duration = Duration::from_secs(30);

/// The value written for `key`: derived from it, long enough to span journal blocks.
fn value_for(key: &str) -> Vec<u8> {
    format!("value:{key}:").repeat(8).into_bytes()
}

/// Runs only as the child process; a no-op in an ordinary test run.
#[test]
fn crash_child() {
    let Some(dir) = std::env::var_os(CHILD_ENV) else {
        return;
    };
    let cycle = std::env::var(CYCLE_ENV).expect("parent sets the cycle");
    let store = Store::open(Path::new(&dir)).expect("child opens the store");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_time()
        .build()
        .expect("runtime");
    let out = std::io::stdout();
    writeln!(out.lock(), "ready").expect("stdout");
    runtime.block_on(async {
        let started = Instant::now();
        let mut tasks = Vec::new();
        for writer in 0..WRITERS {
            let store = store.clone();
            let cycle = cycle.clone();
            tasks.push(tokio::spawn(async move {
                for seq in 0.. {
                    if started.elapsed() > CHILD_LIFETIME {
                        return;
                    }
                    let key = format!("c{cycle}/w{writer:02}/{seq:06}");
                    let (k, value) = (key.clone(), value_for(&key));
                    store
                        .write(move |txn| {
                            txn.put(ITEMS, k.clone(), value);
                            txn.put(INDEX, k, b"1".to_vec());
                            Ok::<_, StorageError>(())
                        })
                        .await
                        .expect("child write");
                    let mut out = std::io::stdout().lock();
                    // A closed pipe means the parent is gone: stop.
                    if writeln!(out, "ack {key}")
                        .and_then(|()| out.flush())
                        .is_err()
                    {
                        return;
                    }
                }
            }));
        }
        for task in tasks {
            let _ = task.await;
        }
    });
}

#[test]
fn acknowledged_writes_survive_sigkill() {
    if std::env::var_os(CHILD_ENV).is_some() {
        return;
    }
    let cycles: usize = std::env::var(CYCLES_ENV)
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(5);
    let dir = tempfile::tempdir().expect("tempdir");
    let exe = std::env::current_exe().expect("test binary path");
    let mut acked = BTreeSet::new();

    for cycle in 0..cycles {
        let mut child = Command::new(&exe)
            .args(["--exact", "crash_child", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, dir.path())
            .env(CYCLE_ENV, cycle.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn child");
        let stdout = child.stdout.take().expect("piped stdout");
        let (lines_tx, lines) = mpsc::channel();
        let reader = thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if lines_tx.send(line).is_err() {
                    break;
                }
            }
        });

        // Start the clock once the store is open, so each kill lands among writes. (libtest
        // prints "test crash_child ... " without a newline just before, hence `ends_with`.)
        let ready = lines.iter().any(|line| line.ends_with("ready"));
        assert!(ready, "child exited before opening the store");
        thread::sleep(Duration::from_millis(fastrand::u64(20..=300)));
        child.kill().expect("SIGKILL child");
        child.wait().expect("reap child");
        reader.join().expect("stdout reader");

        let before = acked.len();
        acked.extend(
            lines
                .try_iter()
                .filter_map(|line| line.strip_prefix("ack ").map(str::to_owned)),
        );
        let new_acks = acked.len() - before;

        let store = Store::open(dir.path()).expect("reopen after crash");
        for key in &acked {
            assert_eq!(
                store.get(ITEMS, key.as_bytes()).expect("get"),
                Some(value_for(key)),
                "acknowledged key {key} lost or wrong after crash in cycle {cycle}"
            );
        }
        let items: Vec<_> = keys(&store, ITEMS);
        let index: Vec<_> = keys(&store, INDEX);
        assert_eq!(
            items, index,
            "a batch was torn by the crash in cycle {cycle}"
        );
        eprintln!(
            "crash cycle {cycle}: {new_acks} new acks, {} keys on disk ({} unacknowledged)",
            items.len(),
            items.len() - acked.len()
        );
    }
    assert!(!acked.is_empty(), "no write was ever acknowledged");
}

fn keys(store: &Store, keyspace: &str) -> Vec<Vec<u8>> {
    store
        .prefix(keyspace, b"")
        .expect("scan")
        .map(|kv| kv.expect("read").0)
        .collect()
}
