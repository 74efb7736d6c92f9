//! Accepting connections and serving HTTP/1.1 on them until shutdown.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;

use crate::dispatch::handle;
use crate::state::ServerState;

/// How long in-flight requests get to finish once shutdown starts.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a client may take to send a request's headers (a body's own idle timeout is
/// [`crate::body::IDLE_TIMEOUT`]); a stalled client is disconnected, not kept forever.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(20);

/// Serves `listener` until `shutdown` resolves. Then new connections are refused,
/// idle keep-alive connections close, and in-flight requests get [`DRAIN_TIMEOUT`].
pub async fn serve(
    listener: TcpListener,
    state: Arc<ServerState>,
    shutdown: impl Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    state.dynamodb.spawn_ttl_sweeper();
    state.dynamodb.spawn_history_gc();
    match state.dynamodb.abandon_interrupted_restores().await {
        Ok(removed) => {
            for table in removed {
                tracing::warn!(table = %table.def.arn(), "removed the table of a restore a crash cut short");
            }
        }
        Err(err) => {
            tracing::error!(error = %err, "cannot remove the tables of interrupted restores")
        }
    }
    crate::jobs::start(state.clone());
    let s3 = crate::services::s3::service(state.clone());
    let graceful = GracefulShutdown::new();
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Running out of file descriptors is transient; keep serving.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let state = state.clone();
        let s3 = s3.clone();
        let service = service_fn(move |req| {
            let state = state.clone();
            let s3 = s3.clone();
            // The peer address is `aws:SourceIp` for authorization.
            let mut req = req;
            req.extensions_mut().insert(peer);
            async move { Ok::<_, Infallible>(handle(state, &s3, req).await) }
        });
        let connection = graceful.watch(
            http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT)
                .serve_connection(TokioIo::new(stream), service),
        );
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(%peer, error = %e, "connection closed with an error");
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(DRAIN_TIMEOUT, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("shutdown: some requests did not finish in time");
    }
}
