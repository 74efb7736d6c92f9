//! [`App`]: what every request handler and job may touch — the store, the engines, the one
//! clock and the job runner — built once at start-up and shared.

use std::sync::Arc;

use strata_clock::Clock;
use strata_cloudformation::CloudFormation;
use strata_dynamodb::{DynamoDb, DynamoDbError};
use strata_iam::Iam;
use strata_kms::Kms;
use strata_s3::{BlobDir, S3, S3Error};
use strata_storage::{StorageError, Store};

use crate::jobs::Jobs;

/// Small named values of the server's own: the clock offset, the next job id.
pub(crate) const SERVER_META: &str = "server.meta";
const CLOCK_OFFSET_KEY: &[u8] = b"clock_offset_micros";

/// Shared, immutable-after-start application state.
pub struct App {
    pub store: Store,
    pub iam: Iam,
    pub dynamodb: DynamoDb,
    pub s3: S3,
    pub kms: Kms,
    pub cloudformation: CloudFormation,
    /// The durable runner of every piece of background work.
    pub jobs: Arc<Jobs>,
    pub clock: Clock,
    /// The region reported where a request names none.
    pub default_region: String,
    /// The recent denials with their policy traces (in memory).
    pub denials: crate::denials::Denials,
    /// The running exports' and imports' work so far (in memory).
    pub progress: crate::progress::Progress,
}

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("stored clock offset is corrupt")]
    CorruptClock,
    #[error(transparent)]
    DynamoDb(#[from] DynamoDbError),
    #[error(transparent)]
    S3(#[from] S3Error),
}

impl App {
    /// Builds the application over an opened store and the directory of S3 object files,
    /// restoring the clock offset persisted by an earlier run so that service time never
    /// goes back across restarts, and migrating records an older strata stored
    /// (`migrate.rs`). Background work starts with [`App::start`].
    pub async fn open(
        store: Store,
        objects: BlobDir,
        default_region: String,
    ) -> Result<Arc<Self>, OpenError> {
        let kinds = crate::migrate::record_kinds();
        let older = store.older_formats(&kinds)?;
        let offset = match store.get(SERVER_META, CLOCK_OFFSET_KEY)? {
            Some(bytes) => {
                i64::from_be_bytes(bytes.try_into().map_err(|_| OpenError::CorruptClock)?)
            }
            None => 0,
        };
        let clock = Clock::with_offset_micros(offset);
        let jobs = Arc::new(Jobs::new(store.clone()));
        let app = Self {
            iam: Iam::new(store.clone()),
            dynamodb: DynamoDb::open(store.clone(), clock.clone(), jobs.clone())?,
            s3: S3::new(store.clone(), clock.clone(), objects),
            kms: Kms::new(store.clone(), clock.clone()),
            cloudformation: CloudFormation::new(store.clone(), clock.clone()),
            jobs,
            store,
            clock,
            default_region,
            denials: Default::default(),
            progress: Default::default(),
        };
        crate::migrate::migrate(&app, &older).await?;
        Ok(Arc::new(app))
    }

    /// Starts the job runner (once): the jobs a previous run left unfinished resume, and the
    /// periodic sweeps begin.
    pub fn start(self: &Arc<Self>) {
        crate::jobs::start(self.clone());
    }

    /// Now on the server clock in µs, truncated to milliseconds: AWS's precision for the
    /// times job descriptions report.
    pub fn now_millis(&self) -> i64 {
        let now = self.clock.now().as_microsecond();
        now - now.rem_euclid(1000)
    }

    /// Moves the clock forward and persists the new offset before answering.
    pub async fn advance_clock(&self, seconds: f64) -> Result<(), AdvanceError> {
        self.clock
            .advance(seconds)
            .map_err(|_| AdvanceError::Backwards)?;
        let offset = self.clock.offset_micros();
        self.store
            .write(move |txn| {
                // Concurrent advances may commit out of order; keep the largest.
                let stored = txn
                    .get(SERVER_META, CLOCK_OFFSET_KEY)?
                    .and_then(|b| <[u8; 8]>::try_from(b).ok())
                    .map_or(0, i64::from_be_bytes);
                txn.put(
                    SERVER_META,
                    CLOCK_OFFSET_KEY,
                    offset.max(stored).to_be_bytes().to_vec(),
                );
                Ok::<_, StorageError>(())
            })
            .await
            .map_err(AdvanceError::Storage)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AdvanceError {
    #[error("the clock only moves forward")]
    Backwards,
    #[error(transparent)]
    Storage(StorageError),
}
