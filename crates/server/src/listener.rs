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

use strata_app::App;
use strata_sigv4::Verifier;

use crate::dispatch::handle;
use crate::edge::Edge;

/// How long in-flight requests get to finish once shutdown starts.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a client may take to send a request's headers (a body's own idle timeout is
/// [`crate::body::IDLE_TIMEOUT`]); a stalled client is disconnected, not kept forever.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(20);

/// How the edge serves, beyond what the application decides.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    /// strata's own endpoints need an account root's signature on loopback too (off loopback
    /// they always do).
    pub admin_auth: bool,
}

/// [`serve_with`] the default options.
pub async fn serve(listener: TcpListener, app: Arc<App>, shutdown: impl Future<Output = ()>) {
    serve_with(listener, app, Options::default(), shutdown).await;
}

/// Serves `listener` until `shutdown` resolves, with the application's job runner started.
/// Then new connections are refused, idle keep-alive connections close, and in-flight
/// requests get `DRAIN_TIMEOUT`.
pub async fn serve_with(
    listener: TcpListener,
    app: Arc<App>,
    options: Options,
    shutdown: impl Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    app.start();
    let s3 = crate::services::s3::service(app.clone());
    let edge = Arc::new(Edge {
        app,
        verifier: Verifier::new(),
        options,
    });
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
        let edge = edge.clone();
        let s3 = s3.clone();
        let service = service_fn(move |req| {
            let edge = edge.clone();
            let s3 = s3.clone();
            // The peer address is `aws:SourceIp` for authorization.
            let mut req = req;
            req.extensions_mut().insert(peer);
            async move { Ok::<_, Infallible>(handle(edge, &s3, req).await) }
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
