//! The embedded durable store every strata engine sits on.
//!
//! Owns one data directory (or a temporary one for `--in-memory`): named keyspaces of ordered
//! byte keys, stored by fjall 3 behind the small [`Backend`] trait. It knows nothing of
//! DynamoDB, S3 or IAM: engines encode their own keys and values and call [`Store`]. It never
//! sees HTTP and never reads the clock. Callers: the engine crates (IAM/STS, DynamoDB, S3
//! metadata) and the server's startup, which opens it (`--in-memory` → [`Store::open_temporary`]).
//!
//! Invariants:
//!
//! - **Acknowledged ⇒ durable.** A [`Store::write`] resolves `Ok` only after its batch and every
//!   batch before it are fsynced (`PersistMode::SyncAll`). `tests/crash.rs` SIGKILLs a writing
//!   process and checks every acknowledged write survives.
//! - **Single writer, arrival order.** One thread runs write closures one at a time, in the
//!   order they were queued; a closure reads the effects of every closure before it. So a
//!   read-modify-write inside a closure needs no locks and no retries.
//! - **Atomic batches.** A closure's writes, across any keyspaces, are applied all together or
//!   not at all; a closure that returns `Err` (or panics) leaves nothing. Reads never see half a
//!   batch.
//! - **Group commit.** Writes queued while an fsync runs are committed together under the next
//!   one (at most [`MAX_GROUP`]), so durability does not cost throughput.
//! - **Reads may run ahead of acknowledgement.** A batch is visible to [`Store::get`], ranges and
//!   snapshots as soon as it is applied, shortly *before* its fsync completes and its writer is
//!   acknowledged. A reader can therefore observe a write that a crash in that window would
//!   lose. If the fsync fails instead, the store is poisoned; the group's writes then stay
//!   visible to reads in this process although their writers got an error.
//! - **Poisoning.** Any backend failure on the write path fails the whole group and poisons the
//!   store: every later write returns [`StorageError::Poisoned`]; reads keep working. Restart
//!   (reopen) to recover from the journal.
//! - **A full disk refuses, it does not poison.** While the disk has less than
//!   [`MIN_FREE_SPACE`] free, writes are refused with [`StorageError::NoSpace`] before their
//!   closure runs; the store stays usable and writes succeed again once space is freed or added.
//!   Only a batch larger than that reserve, a write racing another process for the last bytes,
//!   or fjall's background flush or compaction finding the disk full still poisons it
//!   ([`FjallBackend`] says what fjall does then).

mod backend;
mod error;
#[cfg(any(test, feature = "faults"))]
pub mod faults;
mod fjall_backend;
mod format;
mod store;
mod txn;
mod writer;

pub use backend::{
    Backend, BackendSnapshot, Batch, BatchEntry, KeyRange, KvIter, KvPair, MAX_KEY_LEN,
    MAX_VALUE_LEN, check_key, check_keyspace_name, check_read_key, check_value, free_space,
};
pub use error::{StorageError, is_out_of_space};
pub use fjall_backend::FjallBackend;
pub use format::{RecordKind, put_formats};
pub use store::{Snapshot, Store};
pub use txn::WriteTxn;
pub use writer::{MAX_GROUP, MIN_FREE_SPACE, StoreStats};

#[cfg(test)]
mod tests;
