//! strata's CloudFormation engine: the records of stacks per (account, region): a stack's
//! identity, status, template and parameters, its resources with their physical ids and
//! attributes, its events (newest first), its change sets, and the region's exports.
//!
//! It owns the `cfn.*` keyspaces. It never sees HTTP, and knows nothing of templates beyond
//! their text or of the resources beyond what was recorded about them: the application layer
//! (`strata_app::cloudformation`) parses templates (`strata-cfn-template`), authorizes, and
//! creates, updates and deletes the resources through the other engines, recording each step
//! here as it goes.
//!
//! Invariants:
//! - a live stack's name maps to exactly one stack id (`cfn.names`); the mapping goes when
//!   the stack reaches `DELETE_COMPLETE`, while the stack stays readable by id;
//! - an export names the stack that exports it, and is written and removed in the same store
//!   write as that stack's outputs, so `Fn::ImportValue` never reads a stale value;
//! - events are appended in the store write that changes the status they report.

mod error;
mod stack;

pub use error::CfnError;
pub use stack::{
    ChangeSet, Event, Export, Previous, Stack, StackOutput, StackResource, StackStatus, Tag,
    iso_millis,
};

use strata_clock::Clock;
use strata_storage::{RecordKind, Store};

/// `ACCOUNT/REGION/STACK UUID` → a [`Stack`].
const STACKS: &str = "cfn.stacks";
/// `ACCOUNT/REGION/STACK NAME` → the live stack's uuid.
const NAMES: &str = "cfn.names";
/// `ACCOUNT/REGION/STACK UUID/` + u64 BE sequence → an [`Event`].
const EVENTS: &str = "cfn.events";
/// `ACCOUNT/REGION/EXPORT NAME` → an [`Export`].
const EXPORTS: &str = "cfn.exports";

/// The kinds of record the engine stores ([`strata_storage::RecordKind`]).
pub const RECORD_KINDS: &[RecordKind] = &[
    RecordKind {
        keyspace: STACKS,
        format: 1,
    },
    RecordKind {
        keyspace: NAMES,
        format: 1,
    },
    RecordKind {
        keyspace: EVENTS,
        format: 1,
    },
    RecordKind {
        keyspace: EXPORTS,
        format: 1,
    },
];

pub type Result<T, E = CfnError> = std::result::Result<T, E>;

/// Records, inside the engine's write, the job that carries an operation on: a stack is never
/// left in progress without the work that finishes it.
pub type RecordJob = Box<
    dyn FnOnce(
            &mut strata_storage::WriteTxn<'_>,
        ) -> std::result::Result<(), strata_storage::StorageError>
        + Send,
>;

/// The CloudFormation engine over the shared store.
#[derive(Clone)]
pub struct CloudFormation {
    store: Store,
    clock: Clock,
}

/// The store key prefix of one (account, region).
fn scope(account: &str, region: &str) -> String {
    format!("{account}/{region}/")
}

fn encode<T: serde::Serialize>(value: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(value).map_err(|e| CfnError::Corrupt(e.to_string()))
}

fn decode<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|e| CfnError::Corrupt(e.to_string()))
}

impl CloudFormation {
    pub fn new(store: Store, clock: Clock) -> Self {
        Self { store, clock }
    }

    /// Now on the server clock, in milliseconds since the epoch (stack and event times).
    pub fn now_millis(&self) -> i64 {
        self.clock.now().as_millisecond()
    }
}

#[cfg(test)]
mod tests;
