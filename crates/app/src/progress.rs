//! What the running export and import jobs have done so far, for the console's live view
//! (`GET /_strata/progress`): DescribeExport and DescribeImport report their counts only once
//! a job ends, as on AWS. In memory: a job's entry goes when it ends, and a restart resumes
//! the job from its start, counting again.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use serde::Serialize;

/// One job's work so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct JobProgress {
    /// Items written (an export's finished data files) or imported.
    pub items: u64,
    /// Bytes written (an export's compressed data) or read (an import's source objects).
    pub bytes: u64,
    /// Data files written or source objects read.
    pub files: u64,
}

/// The running jobs' progress, by export or import ARN.
#[derive(Default)]
pub struct Progress {
    running: Mutex<HashMap<String, JobProgress>>,
}

impl Progress {
    pub fn update(&self, arn: &str, change: impl FnOnce(&mut JobProgress)) {
        let mut running = self.running.lock().unwrap_or_else(PoisonError::into_inner);
        change(running.entry(arn.to_owned()).or_default());
    }

    pub fn get(&self, arn: &str) -> Option<JobProgress> {
        let running = self.running.lock().unwrap_or_else(PoisonError::into_inner);
        running.get(arn).copied()
    }

    /// The job ended (or stopped): its entry goes.
    pub fn end(&self, arn: &str) {
        let mut running = self.running.lock().unwrap_or_else(PoisonError::into_inner);
        running.remove(arn);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_until_the_end() {
        let progress = Progress::default();
        assert_eq!(progress.get("a"), None);
        progress.update("a", |p| p.bytes += 10);
        progress.update("a", |p| {
            p.items += 3;
            p.files += 1;
        });
        assert_eq!(
            progress.get("a"),
            Some(JobProgress {
                items: 3,
                bytes: 10,
                files: 1
            })
        );
        progress.end("a");
        assert_eq!(progress.get("a"), None);
    }
}
