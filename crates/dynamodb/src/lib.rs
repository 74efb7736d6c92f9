//! The DynamoDB engine: tables per account and region, items stored as versions stamped
//! with their commit time, secondary indexes kept atomically with their items, queries,
//! scans, batches, transactions and TTL — over `strata-storage`.
//!
//! It never sees HTTP or JSON: the server decodes requests into the typed inputs here
//! (expressions already parsed by `strata-expression`) and encodes the outputs. Time
//! comes from the one server [`Clock`]. Every item change goes through
//! [`write_path::apply`] inside a store write closure, so conditions, indexes, history
//! and the change index are decided and written atomically, in commit order.
//!
//! It never spawns work of its own: what a change leaves to do in the background (index
//! backfills, purges) is recorded with the change through a [`MaintenanceQueue`] and run by
//! the application's job runner ([`maintenance`]); the periodic TTL sweep and history
//! collection are single passes the runner calls.
//!
//! Map: [`tables`] (control plane), [`items`] (single-item operations), [`read`] (Query
//! and Scan), [`batch`], [`transact`], [`ttl`], [`history`] ("as of" reads), [`pitr`],
//! [`exports`] and [`imports`] (job records; the jobs run in the application layer),
//! [`restore`], [`maintenance`], [`streams`] (DynamoDB Streams); storage layout in [`layout`], key encoding in [`key`].

pub mod batch;
pub mod bulk;
pub mod capacity;
pub mod catalog;
pub mod error;
pub mod exports;
pub mod history;
pub mod imports;
pub mod items;
mod job_records;
pub mod key;
pub mod layout;
pub mod maintenance;
pub mod pitr;
pub mod read;
pub mod restore;
pub mod schema;
pub mod streams;
pub mod tables;
pub mod transact;
pub mod ttl;
pub mod version;
pub mod write_path;

use std::sync::Arc;

use strata_clock::Clock;
use strata_storage::Store;

pub use catalog::Table;
pub use error::{CancellationReason, DynamoDbError, Result};
pub use maintenance::{Maintenance, MaintenanceQueue};
pub use tables::{RecordJob, Scope};

/// The engine: cheap to clone, shared by every request.
#[derive(Clone)]
pub struct DynamoDb {
    store: Store,
    clock: Clock,
    catalog: Arc<catalog::Catalog>,
    /// Where changes record the background work they leave ([`maintenance`]).
    maintenance: Arc<dyn MaintenanceQueue>,
}

impl DynamoDb {
    /// Opens the engine over `store`, loading every table definition. Background work its
    /// changes leave is recorded through `maintenance`.
    pub fn open(
        store: Store,
        clock: Clock,
        maintenance: Arc<dyn MaintenanceQueue>,
    ) -> Result<Self> {
        let catalog = Arc::new(catalog::Catalog::load(store.clone())?);
        Ok(Self {
            store,
            clock,
            catalog,
            maintenance,
        })
    }
}
