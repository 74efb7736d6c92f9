//! Everything a request handler may touch: the store, the engines, the one clock.

use std::sync::Arc;

use strata_clock::Clock;
use strata_dynamodb::{DynamoDb, DynamoDbError};
use strata_iam::Iam;
use strata_s3::{BlobDir, S3, S3Error};
use strata_sigv4::Verifier;
use strata_storage::{StorageError, Store};

const SERVER_META: &str = "server.meta";
const CLOCK_OFFSET_KEY: &[u8] = b"clock_offset_micros";

/// Shared, immutable-after-start server state.
pub struct ServerState {
    pub store: Store,
    pub iam: Iam,
    pub dynamodb: DynamoDb,
    pub s3: S3,
    /// Background jobs (exports) queued by handlers.
    pub jobs: crate::jobs::Jobs,
    pub clock: Clock,
    pub verifier: Verifier,
    /// The region reported where a request names none.
    pub default_region: String,
}

#[derive(Debug, thiserror::Error)]
pub enum StateError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error("stored clock offset is corrupt")]
    CorruptClock,
    #[error(transparent)]
    DynamoDb(#[from] DynamoDbError),
    #[error(transparent)]
    S3(#[from] S3Error),
}

impl ServerState {
    /// Builds the state over an opened store and the directory of S3 object files,
    /// restoring the clock offset persisted by an earlier run so that service time never
    /// goes back across restarts.
    pub fn open(
        store: Store,
        objects: BlobDir,
        default_region: String,
    ) -> Result<Arc<Self>, StateError> {
        let offset = match store.get(SERVER_META, CLOCK_OFFSET_KEY)? {
            Some(bytes) => {
                i64::from_be_bytes(bytes.try_into().map_err(|_| StateError::CorruptClock)?)
            }
            None => 0,
        };
        let clock = Clock::with_offset_micros(offset);
        Ok(Arc::new(Self {
            iam: Iam::new(store.clone()),
            dynamodb: DynamoDb::open(store.clone(), clock.clone())?,
            s3: S3::new(store.clone(), clock.clone(), objects),
            jobs: crate::jobs::Jobs::default(),
            store,
            clock,
            verifier: Verifier::new(),
            default_region,
        }))
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
                    .map(i64::from_be_bytes)
                    .unwrap_or(0);
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
