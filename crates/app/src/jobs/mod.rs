//! The durable job runner: every piece of background work runs here, and nowhere else.
//!
//! A job is a [`JobRecord`] in the `app.jobs` keyspace, written **in the same store write as
//! the change that needs it**: an export's record and its job, a restore's new CREATING table
//! and its job, an index added by UpdateTable and its backfill (the engine records that through
//! [`MaintenanceQueue`]). So a crash can never leave a change without the work that completes
//! it. The runner runs every recorded job — at start-up those a previous run left — and
//! removes the record when the job has ended; a job that fails for a reason that may pass (a
//! full disk) is retried later. Every job is idempotent: resumed after a crash part-way it
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
use strata_clock::Clock;
use strata_dynamodb::tables::CreateTable;
use strata_dynamodb::{Maintenance, MaintenanceQueue, RecordJob};
use strata_storage::{RecordKind, StorageError, Store, WriteTxn};
use tokio::sync::Notify;

use crate::dynamodb::import::CsvOptions;
use crate::{App, Caller};

pub use failure::Failure;

/// Job records: big-endian `u64` id → [`JobRecord`] JSON.
const JOBS: &str = "app.jobs";
/// Where the next job id is kept.
const META: &str = "server.meta";
const NEXT_ID: &[u8] = b"next_job_id";

/// The record kinds this module stores.
pub const RECORD_KINDS: &[RecordKind] = &[RecordKind {
    keyspace: JOBS,
    format: 1,
}];

/// The longest pause before a failed job is tried again.
const MAX_RETRY_DELAY: Duration = Duration::from_secs(60);

/// What a job does.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum JobKind {
    /// Write the files of the export `export_arn` (its record says what and where).
    Export {
        account: String,
        region: String,
        export_arn: String,
    },
    /// Read the objects of the import `import_arn` into a new table created from `table`
    /// (`csv`: the CSV options of a CSV import).
    Import {
        account: String,
        region: String,
        import_arn: String,
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

/// One recorded job.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct JobRecord {
    pub kind: JobKind,
    /// Who the job acts for: its S3 reads and writes are authorized as this caller.
    pub caller: Option<Caller>,
    /// When it was recorded, on the server clock (µs).
    pub created_micros: i64,
}

/// Why a job did not end and will be tried again.
#[derive(Debug)]
pub struct Retry(pub String);

impl<E: std::fmt::Display> From<E> for Retry {
    fn from(err: E) -> Self {
        Retry(err.to_string())
    }
}

/// The job records and the runner's state.
pub struct Jobs {
    store: Store,
    clock: Clock,
    wake: Notify,
    /// Jobs running now, so one is never run twice at once.
    running: Mutex<HashSet<u64>>,
    started: AtomicBool,
}

impl Jobs {
    pub fn new(store: Store, clock: Clock) -> Self {
        Self {
            store,
            clock,
            wake: Notify::new(),
            running: Mutex::new(HashSet::new()),
            started: AtomicBool::new(false),
        }
    }

    /// Writes `job` inside `txn`; it runs once the write is durable and the runner is woken
    /// ([`Jobs::wake`]).
    pub fn record(txn: &mut WriteTxn<'_>, job: &JobRecord) -> Result<u64, StorageError> {
        let id = txn
            .get(META, NEXT_ID)?
            .and_then(|b| <[u8; 8]>::try_from(b).ok())
            .map_or(1, u64::from_be_bytes);
        txn.put(META, NEXT_ID, (id + 1).to_be_bytes().to_vec());
        let bytes = serde_json::to_vec(job).map_err(StorageError::backend)?;
        txn.put(JOBS, id.to_be_bytes().to_vec(), bytes);
        Ok(id)
    }

    /// An engine's hook that records `kind`, for `caller`, in the engine's own write.
    pub fn recorder(&self, kind: JobKind, caller: Option<Caller>) -> RecordJob {
        let job = JobRecord {
            kind,
            caller,
            created_micros: self.clock.now().as_microsecond(),
        };
        Box::new(move |txn| Self::record(txn, &job).map(|_| ()))
    }

    /// Tells the runner new jobs are recorded.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    /// Every recorded job, oldest first.
    pub fn recorded(&self) -> Result<Vec<(u64, JobRecord)>, StorageError> {
        self.store
            .prefix(JOBS, b"")?
            .map(|row| {
                let (key, value) = row?;
                let id = <[u8; 8]>::try_from(key.as_slice())
                    .map(u64::from_be_bytes)
                    .map_err(|_| StorageError::backend(std::io::Error::other("job key")))?;
                let job = serde_json::from_slice(&value).map_err(StorageError::backend)?;
                Ok((id, job))
            })
            .collect()
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
        let job = JobRecord {
            kind: JobKind::DynamoDb(work),
            caller: None,
            created_micros: self.clock.now().as_microsecond(),
        };
        Self::record(txn, &job).map(|_| ())
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

/// Runs one job until it ends, retrying with a growing pause while it fails for a reason
/// that may pass.
async fn run_one(app: Arc<App>, id: u64, job: JobRecord) {
    let mut delay = Duration::from_secs(1);
    loop {
        let ended = match run(&app, &job).await {
            Ok(()) => app.jobs.remove(id).await.map_err(Retry::from),
            Err(retry) => Err(retry),
        };
        match ended {
            Ok(()) => break,
            Err(Retry(why)) => {
                tracing::warn!(job = id, kind = ?job.kind, error = %why, retry_in = ?delay, "a job failed; it will be tried again");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(MAX_RETRY_DELAY);
            }
        }
    }
    app.jobs.release(id);
}

async fn run(app: &App, job: &JobRecord) -> Result<(), Retry> {
    match &job.kind {
        JobKind::Export {
            account,
            region,
            export_arn,
        } => export::run(app, job.caller.as_ref(), account, region, export_arn).await,
        JobKind::Import {
            account,
            region,
            import_arn,
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
            import::run(app, job.caller.as_ref(), source).await
        }
        JobKind::Restore {
            account,
            region,
            target,
            source,
            as_of_micros,
        } => restore::run(app, account, region, target, source, *as_of_micros).await,
        JobKind::DynamoDb(work) => Ok(app.dynamodb.run_maintenance(work).await?),
    }
}
