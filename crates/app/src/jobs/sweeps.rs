//! The periodic passes: the TTL sweep (items whose TTL has passed on the server clock are
//! deleted through the ordinary write path), the S3 lifecycle pass (objects, versions, delete
//! markers and uploads that buckets' lifecycle rules expire on the server clock, and KMS keys
//! whose deletion window ended), the
//! collection of history no restore can need any more and the trimming of stream records no
//! shard can hold any more. Each pass reads what to do from the store, so none keeps a
//! record: a pass a crash cut short is simply done again by the next one.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::App;

/// The shortest pause between two TTL sweeps.
const MIN_SWEEP_INTERVAL: Duration = Duration::from_secs(2);

/// How often history older than each table's recovery window is collected.
const HISTORY_INTERVAL: Duration = Duration::from_secs(60);

/// Sweeps expired items forever, pausing at least [`MIN_SWEEP_INTERVAL`] between passes and
/// ten times as long as the last pass took, so large TTL tables cost at most a tenth of a
/// core.
pub async fn ttl(app: Arc<App>) {
    let mut pause = MIN_SWEEP_INTERVAL;
    loop {
        tokio::time::sleep(pause).await;
        let started = Instant::now();
        if let Err(err) = app.dynamodb.sweep_expired().await {
            tracing::warn!(error = %err, "TTL sweep failed");
        }
        pause = MIN_SWEEP_INTERVAL.max(started.elapsed() * 10);
    }
}

/// Carries out S3 lifecycle rules forever, paced as the TTL sweep is.
pub async fn lifecycle(app: Arc<App>) {
    let mut pause = MIN_SWEEP_INTERVAL;
    loop {
        tokio::time::sleep(pause).await;
        let started = Instant::now();
        if let Err(err) = app.s3.apply_lifecycle().await {
            tracing::warn!(error = %err, "S3 lifecycle pass failed");
        }
        // KMS keys whose deletion window ended read as gone already; this removes them.
        if let Err(err) = app.kms.delete_due_keys().await {
            tracing::warn!(error = %err, "KMS key deletion failed");
        }
        pause = MIN_SWEEP_INTERVAL.max(started.elapsed() * 10);
    }
}

/// Collects history that fell out of every table's PITR window, and stream records older
/// than every stream's retention, forever.
pub async fn history(app: Arc<App>) {
    loop {
        tokio::time::sleep(HISTORY_INTERVAL).await;
        if let Err(err) = app.dynamodb.collect_history().await {
            tracing::warn!(error = %err, "PITR history collection failed");
        }
        if let Err(err) = app.dynamodb.trim_streams().await {
            tracing::warn!(error = %err, "stream trimming failed");
        }
    }
}
