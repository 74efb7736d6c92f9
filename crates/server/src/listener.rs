//! Accepting connections and serving HTTP/1.1 on them, plain or over TLS, until shutdown.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::{GracefulShutdown, Watcher};
use tokio::net::TcpListener;

use strata_app::App;
use strata_sigv4::Verifier;

use crate::dispatch::handle;
use crate::edge::Edge;
use crate::overload::{ConnectionLimits, Overloaded};
use crate::transport::{self, Connection, Transport, WriteDeadline};

/// How long in-flight requests get to finish once shutdown starts.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a client may take to send a request's headers (a body's own idle timeout is
/// [`crate::body::IDLE_TIMEOUT`], a response's [`crate::transport::WriteDeadline`]); a stalled
/// client is disconnected, not kept forever.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(20);

/// How long a new connection may take to send its first byte and, for TLS, finish the
/// handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// How the edge serves, beyond what the application decides.
#[derive(Clone, Debug)]
pub struct Options {
    /// strata's own endpoints need an account root's signature on loopback too (off loopback
    /// they always do).
    pub admin_auth: bool,
    /// Access keys whose signature also opens strata's own endpoints, with `simulate`
    /// answering about every account (the config's `admin_access_key_ids`).
    pub admin_keys: Vec<String>,
    /// Serves TLS on the same port, told apart from plain HTTP by the first byte.
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// Connections served at once; up to 64 more are answered with their protocol's
    /// throttling error and closed, and any beyond closed unanswered (see `overload.rs`).
    pub max_connections: usize,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            admin_auth: false,
            admin_keys: Vec::new(),
            tls: None,
            max_connections: DEFAULT_MAX_CONNECTIONS,
        }
    }
}

/// Enough for a busy test suite, well under the usual limit of 1,024 open files.
pub const DEFAULT_MAX_CONNECTIONS: usize = 512;

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
    let limits = Arc::new(ConnectionLimits::new(options.max_connections));
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
        let Some(slot) = limits.admit() else {
            // Over even the overload allowance: closed unanswered.
            continue;
        };
        let _ = stream.set_nodelay(true);
        let edge = edge.clone();
        let s3 = s3.clone();
        let watcher = graceful.watcher();
        tokio::spawn(async move {
            let accepted = tokio::time::timeout(
                HANDSHAKE_TIMEOUT,
                transport::accept(stream, edge.options.tls.as_ref()),
            )
            .await;
            let connection = match accepted {
                Ok(Ok(Some(connection))) => connection,
                Ok(Ok(None)) => return,
                Ok(Err(e)) => {
                    tracing::debug!(%peer, error = %e, "connection failed before its first request");
                    return;
                }
                Err(_) => {
                    tracing::debug!(%peer, "no first byte or TLS handshake in time");
                    return;
                }
            };
            let overloaded = slot.overloaded();
            let result = match connection {
                Connection::Plain(stream) => {
                    let io = WriteDeadline::new(TokioIo::new(stream));
                    serve_connection(io, edge, s3, peer, Transport::Plain, overloaded, watcher)
                        .await
                }
                Connection::Tls(stream) => {
                    let io = WriteDeadline::new(TokioIo::new(stream));
                    serve_connection(io, edge, s3, peer, Transport::Tls, overloaded, watcher).await
                }
            };
            if let Err(e) = result {
                tracing::debug!(%peer, error = %e, "connection closed with an error");
            }
            drop(slot);
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

/// HTTP/1.1 on one connection; an overloaded one closes after its first response.
fn http(overloaded: bool) -> http1::Builder {
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .keep_alive(!overloaded);
    builder
}

/// Serves one connection: every request carries its peer (`aws:SourceIp`), its transport
/// (`aws:SecureTransport`) and, over the connection cap, [`Overloaded`].
async fn serve_connection<I>(
    io: I,
    edge: Arc<Edge>,
    s3: s3s::service::S3Service,
    peer: SocketAddr,
    transport: Transport,
    overloaded: bool,
    watcher: Watcher,
) -> Result<(), hyper::Error>
where
    I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
{
    let service = service_fn(move |mut req: http::Request<hyper::body::Incoming>| {
        let edge = edge.clone();
        let s3 = s3.clone();
        req.extensions_mut().insert(peer);
        req.extensions_mut().insert(transport);
        if overloaded {
            req.extensions_mut().insert(Overloaded);
        }
        async move { Ok::<_, Infallible>(handle(edge, &s3, req).await) }
    });
    watcher
        .watch(http(overloaded).serve_connection(io, service))
        .await
}
