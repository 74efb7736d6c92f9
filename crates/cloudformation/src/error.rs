//! The CloudFormation engine's one error type. AWS's codes and texts are the application
//! layer's: the engine only says what went wrong with its own records.

use strata_storage::StorageError;

#[derive(Debug, thiserror::Error)]
pub enum CfnError {
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// A stored record no longer decodes: a bug or a damaged data directory.
    #[error("corrupt CloudFormation record: {0}")]
    Corrupt(String),
    /// A live stack already has this name in this account and region.
    #[error("stack name in use")]
    NameInUse,
    /// No stack with this name (live) or id.
    #[error("no such stack")]
    NoSuchStack,
    /// The stack already has an operation running (its status).
    #[error("stack operation in progress: {0}")]
    InProgress(&'static str),
    /// The stack was written since the copy being saved was read (its status now).
    #[error("stack changed meanwhile: {0}")]
    Changed(&'static str),
    /// Another stack exports this name.
    #[error("export {name} exported by {stack_name}")]
    ExportInUse { name: String, stack_name: String },
}
