//! The durable job runner: every piece of background work runs here, and nowhere else.
//!
//! A job is a [`JobKind`] recorded in the `app.jobs` keyspace, written **in the same store write as
//! the change that needs it**: an export's record and its job, a restore's new CREATING table
//! and its job, an index added by UpdateTable and its backfill (the engine records that through
//! [`MaintenanceQueue`]). So a crash can never leave a change without the work that completes
//! it. The runner runs every recorded job — at start-up those a previous run left — and
//! removes the record when the job has ended. A job stopped by the machine (a full disk) is
//! retried after a growing pause; one stopped by anything else (a corrupt record) is logged
//! and stays recorded, to run again at the next start. Every job is idempotent: resumed after a crash part-way it
//! starts again from what its record and the store say, and ends as AWS would show it
//! (an export COMPLETED or FAILED, a restore ACTIVE or gone, an index ACTIVE).
//!
//! The periodic passes — the TTL sweep and the collection of history that fell out of the
//! PITR windows (`sweeps.rs`) — need no record: each pass reads what to do from the store.

mod export;
mod failure;
mod import;
mod restore;
mod sweeps;

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use strata_dynamodb::tables::CreateTable;
use strata_dynamodb::{DynamoDbError, Maintenance, MaintenanceQueue, RecordJob};
use strata_storage::{RecordKind, StorageError, Store, WriteTxn};
use tokio::sync::Notify;

use crate::app::SERVER_META;
use crate::dynamodb::import::CsvOptions;
use crate::{App, Caller};

pub use failure::Failure;

/// Job records: big-endian `u64` id → [`JobKind`] JSON. A change to `JobKind` — or to the
/// engine types it holds, [`CreateTable`] and [`Maintenance`] — is a new format of this kind.
const JOBS: &str = "app.jobs";
/// The next job id, in [`SERVER_META`].
const NEXT_ID: &[u8] = b"next_job_id";

/// The record kinds this module stores.
pub const RECORD_KINDS: &[RecordKind] = &[RecordKind {
    keyspace: JOBS,
    format: 1,
}];

/// The longest pause before a failed job is tried again.
const MAX_RETRY_DELAY: Duration = Duration::from_secs(60);

/// A recorded job: what it does, and for whom when it acts for a caller.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum JobKind {
    /// Write the files of the export `export_arn` (its record says what and where) as
    /// `caller`: its S3 writes are authorized as the caller's.
    Export {
        account: String,
        region: String,
        export_arn: String,
        caller: Caller,
    },
    /// Read the objects of the import `import_arn`, as `caller`, into a new table created
    /// from `table` (`csv`: the CSV options of a CSV import).
    Import {
        account: String,
        region: String,
        import_arn: String,
        caller: Caller,
        table: Box<CreateTable>,
        csv: Option<CsvOptions>,
    },
    /// Fill the restore target `target` (CREATING) with `source`'s items as of `as_of_micros`.
    Restore {
        account: String,
        region: String,
        target: String,
        source: SourceTable,
        as_of_micros: u64,
    },
    /// Work a DynamoDB change left behind: a backfill or a purge.
    DynamoDb(Maintenance),
    /// Carry the operation in progress on the stack `stack_id` (its status says which) to
    /// its end, as `caller`.
    Stack {
        account: String,
        region: String,
        stack_id: String,
        caller: Caller,
    },
}

/// The table a restore copies, pinned to its storage id (a table recreated under the same
/// name since is not it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceTable {
    pub account: String,
    pub region: String,
    pub name: String,
    pub storage_id: u64,
}

/// Why a job stopped before its end; it stays recorded.
#[derive(Debug)]
pub enum Stop {
    /// The machine's (a full disk, a store refusing writes): tried again after a pause.
    Unavailable(String),
    /// Anything else (a corrupt record): not tried again before the next start.
    Broken(String),
}

impl From<DynamoDbError> for Stop {
    fn from(err: DynamoDbError) -> Self {
        if err.is_unavailable() {
            Stop::Unavailable(err.to_string())
        } else {
            Stop::Broken(err.to_string())
        }
    }
}

impl From<StorageError> for Stop {
    fn from(err: StorageError) -> Self {
        if err.is_unavailable() {
            Stop::Unavailable(err.to_string())
        } else {
            Stop::Broken(err.to_string())
        }
    }
}

/// The job records and the runner's state.
pub struct Jobs {
    store: Store,
    wake: Notify,
    /// Jobs running now, so one is never run twice at once.
    running: Mutex<HashSet<u64>>,
    started: AtomicBool,
}

impl Jobs {
    pub fn new(store: Store) -> Self {
        Self {
            store,
            wake: Notify::new(),
            running: Mutex::new(HashSet::new()),
            started: AtomicBool::new(false),
        }
    }

    /// Writes `job` inside `txn`; it runs once the write is durable and the runner is woken
    /// ([`Jobs::wake`]).
    pub fn record(txn: &mut WriteTxn<'_>, job: &JobKind) -> Result<(), StorageError> {
        let id = match txn.get(SERVER_META, NEXT_ID)? {
            None => 1,
            Some(bytes) => <[u8; 8]>::try_from(bytes)
                .map(u64::from_be_bytes)
                .map_err(|_| StorageError::backend(std::io::Error::other("corrupt next job id")))?,
        };
        txn.put(SERVER_META, NEXT_ID, (id + 1).to_be_bytes().to_vec());
        let bytes = serde_json::to_vec(job).map_err(StorageError::backend)?;
        txn.put(JOBS, id.to_be_bytes().to_vec(), bytes);
        Ok(())
    }

    /// The engine's hook that records `job` in the engine's own write (which then wakes the
    /// runner).
    pub fn recorder(job: JobKind) -> RecordJob {
        Box::new(move |txn| Self::record(txn, &job))
    }

    /// Tells the runner new jobs are recorded.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Every recorded job, oldest first. A record that does not decode is logged and left
    /// alone: it does not hold up the others.
    pub fn recorded(&self) -> Result<Vec<(u64, JobKind)>, StorageError> {
        let mut jobs = Vec::new();
        for row in self.store.prefix(JOBS, b"")? {
            let (key, value) = row?;
            let decoded = <[u8; 8]>::try_from(key.as_slice())
                .map_err(|_| "its key is not a job id".to_owned())
                .and_then(|id| {
                    let job = serde_json::from_slice(&value).map_err(|e| e.to_string())?;
                    Ok((u64::from_be_bytes(id), job))
                });
            match decoded {
                Ok(job) => jobs.push(job),
                Err(err) => {
                    tracing::error!(key = ?key, error = %err, "a job record does not decode; it is not run");
                }
            }
        }
        Ok(jobs)
    }

    fn claim(&self, id: u64) -> bool {
        self.running
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id)
    }

    fn release(&self, id: u64) {
        self.running
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&id);
    }

    async fn remove(&self, id: u64) -> Result<(), StorageError> {
        self.store
            .write(move |txn| {
                txn.delete(JOBS, id.to_be_bytes().to_vec());
                Ok::<_, StorageError>(())
            })
            .await
    }
}

impl MaintenanceQueue for Jobs {
    fn push(&self, txn: &mut WriteTxn<'_>, work: Maintenance) -> Result<(), StorageError> {
        Self::record(txn, &JobKind::DynamoDb(work))
    }

    fn wake(&self) {
        Jobs::wake(self);
    }
}

/// Starts the runner (once): recorded jobs run, new ones run as they are recorded, and the
/// periodic sweeps begin.
pub fn start(app: Arc<App>) {
    if app.jobs.started.swap(true, Ordering::AcqRel) {
        return;
    }
    tokio::spawn(run_recorded(app.clone()));
    tokio::spawn(sweeps::ttl(app.clone()));
    tokio::spawn(sweeps::lifecycle(app.clone()));
    tokio::spawn(sweeps::history(app));
}

async fn run_recorded(app: Arc<App>) {
    loop {
        match app.jobs.recorded() {
            Ok(jobs) => {
                for (id, job) in jobs {
                    if app.jobs.claim(id) {
                        tokio::spawn(run_one(app.clone(), id, job));
                    }
                }
            }
            Err(err) => tracing::error!(error = %err, "cannot read the recorded jobs"),
        }
        app.jobs.wake.notified().await;
    }
}

/// Runs one job until it ends, retrying with a growing pause while the machine stops it.
async fn run_one(app: Arc<App>, id: u64, job: JobKind) {
    let mut delay = Duration::from_secs(1);
    loop {
        let ended = match run(&app, &job).await {
            Ok(()) => app.jobs.remove(id).await.map_err(Stop::from),
            Err(stop) => Err(stop),
        };
        match ended {
            Ok(()) => break,
            Err(Stop::Unavailable(why)) => {
                tracing::warn!(job = id, kind = ?job, error = %why, retry_in = ?delay, "a job stopped; it will be tried again");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(MAX_RETRY_DELAY);
            }
            Err(Stop::Broken(why)) => {
                // Not released: it stays recorded and runs again at the next start only.
                tracing::error!(job = id, kind = ?job, error = %why, "a job failed; it stays recorded until the next start");
                return;
            }
        }
    }
    app.jobs.release(id);
}

async fn run(app: &App, job: &JobKind) -> Result<(), Stop> {
    match job {
        JobKind::Export {
            account,
            region,
            export_arn,
            caller,
        } => export::run(app, caller, account, region, export_arn).await,
        JobKind::Import {
            account,
            region,
            import_arn,
            caller,
            table,
            csv,
        } => {
            let source = import::Source {
                account,
                region,
                arn: import_arn,
                table,
                csv: csv.as_ref(),
            };
            import::run(app, caller, source).await
        }
        JobKind::Restore {
            account,
            region,
            target,
            source,
            as_of_micros,
        } => restore::run(app, account, region, target, source, *as_of_micros).await,
        JobKind::DynamoDb(work) => Ok(app.dynamodb.run_maintenance(work).await?),
        JobKind::Stack {
            account,
            region,
            stack_id,
            caller,
        } => crate::cloudformation::operation::run(app, caller, account, region, stack_id).await,
    }
}
