//! Background jobs that act for a caller after the request that started them returned:
//! exports and imports. Jobs are queued by the request handlers (which only hold the state by
//! reference) and run by one dispatcher task that [`crate::serve`] starts; jobs found in
//! progress at start-up are queued again, so a crash never leaves one hanging.

pub mod export;
mod failure;
pub mod import;

use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;

use failure::Failure;

use crate::state::ServerState;

/// A job to run.
#[derive(Clone, Debug)]
pub enum Job {
    /// The export `arn` of `account` in `region`.
    Export {
        account: String,
        region: String,
        arn: String,
    },
    /// The import `arn` of `account` in `region`.
    Import {
        account: String,
        region: String,
        arn: String,
    },
}

/// The queue between handlers and the dispatcher.
pub struct Jobs {
    queue: mpsc::UnboundedSender<Job>,
    pending: Mutex<Option<mpsc::UnboundedReceiver<Job>>>,
}

impl Default for Jobs {
    fn default() -> Self {
        let (queue, pending) = mpsc::unbounded_channel();
        Self {
            queue,
            pending: Mutex::new(Some(pending)),
        }
    }
}

impl Jobs {
    pub fn submit(&self, job: Job) {
        // The receiver lives as long as the server; a send can only fail during shutdown.
        let _ = self.queue.send(job);
    }
}

/// Starts the dispatcher (once) and queues the jobs a previous run left in progress.
pub fn start(state: Arc<ServerState>) {
    let Some(mut pending) = state
        .jobs
        .pending
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .take()
    else {
        return;
    };
    match state.dynamodb.exports_in_progress() {
        Ok(records) => {
            for record in records {
                tracing::info!(export = %record.export_arn, "resuming an export");
                state.jobs.submit(Job::Export {
                    account: record.account,
                    region: record.region,
                    arn: record.export_arn,
                });
            }
        }
        Err(err) => tracing::error!(error = %err, "cannot list the exports in progress"),
    }
    match state.dynamodb.imports_in_progress() {
        Ok(records) => {
            for record in records {
                tracing::info!(import = %record.import_arn, "resuming an import");
                state.jobs.submit(Job::Import {
                    account: record.account,
                    region: record.region,
                    arn: record.import_arn,
                });
            }
        }
        Err(err) => tracing::error!(error = %err, "cannot list the imports in progress"),
    }
    tokio::spawn(async move {
        while let Some(job) = pending.recv().await {
            let state = state.clone();
            tokio::spawn(async move {
                match job {
                    Job::Export {
                        account,
                        region,
                        arn,
                    } => export::run(&state, &account, &region, &arn).await,
                    Job::Import {
                        account,
                        region,
                        arn,
                    } => import::run(&state, &account, &region, &arn).await,
                }
            });
        }
    });
}
