//! One port, two transports: a connection whose first byte opens a TLS handshake record is
//! served over TLS (rustls), any other as plain HTTP. Which one a request came over is in its
//! extensions as a [`Transport`], and is `aws:SecureTransport` for authorization.
//!
//! Either way the connection's writes have a deadline ([`WriteDeadline`]): a client that
//! stops reading its response is disconnected, so it cannot hold a place under the
//! connection cap forever.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::time::{Instant, Sleep};

use tokio::net::TcpStream;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

/// How a request reached strata.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    Plain,
    Tls,
}

impl Transport {
    /// `aws:SecureTransport` of a request with these extensions (none: plain).
    pub fn is_secure(extensions: &http::Extensions) -> bool {
        extensions.get::<Transport>() == Some(&Transport::Tls)
    }
}

/// The first byte of every TLS connection: the content type of a handshake record
/// (RFC 8446 §5.1). No HTTP/1 request line starts with it.
const HANDSHAKE_RECORD: u8 = 0x16;

/// A connection, once its transport is known.
pub enum Connection {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

/// How long a write may wait for the client to read.
const WRITE_IDLE_TIMEOUT: Duration = Duration::from_secs(60);

/// A connection whose writes fail once the client has read nothing for
/// [`WRITE_IDLE_TIMEOUT`] (a slow reader that keeps reading is never cut off).
pub struct WriteDeadline<I> {
    inner: I,
    deadline: Pin<Box<Sleep>>,
    waiting: bool,
}

impl<I> WriteDeadline<I> {
    pub fn new(inner: I) -> Self {
        Self {
            inner,
            deadline: Box::pin(tokio::time::sleep(WRITE_IDLE_TIMEOUT)),
            waiting: false,
        }
    }

    /// Maps a write's poll: progress clears the deadline, the first wait arms it, and a wait
    /// past it is an error.
    fn watch<T>(&mut self, cx: &mut Context<'_>, poll: Poll<io::Result<T>>) -> Poll<io::Result<T>> {
        match poll {
            Poll::Ready(result) => {
                self.waiting = false;
                Poll::Ready(result)
            }
            Poll::Pending => {
                if !self.waiting {
                    self.waiting = true;
                    self.deadline
                        .as_mut()
                        .reset(Instant::now() + WRITE_IDLE_TIMEOUT);
                }
                match self.deadline.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "the client read nothing of its response for too long",
                    ))),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }
}

impl<I: hyper::rt::Read + Unpin> hyper::rt::Read for WriteDeadline<I> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl<I: hyper::rt::Write + Unpin> hyper::rt::Write for WriteDeadline<I> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.inner).poll_write(cx, buf);
        this.watch(cx, poll)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        this.watch(cx, poll)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let poll = Pin::new(&mut this.inner).poll_flush(cx);
        this.watch(cx, poll)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

/// Tells TLS from plain HTTP by the connection's first byte, without consuming it, and
/// completes the TLS handshake. `None` when the client closed before sending anything.
/// Without a TLS configuration, every connection is served as plain HTTP (a TLS client then
/// gets hyper's answer to a malformed request line).
pub async fn accept(
    stream: TcpStream,
    tls: Option<&Arc<rustls::ServerConfig>>,
) -> io::Result<Option<Connection>> {
    let Some(config) = tls else {
        return Ok(Some(Connection::Plain(stream)));
    };
    let mut first = [0u8; 1];
    if stream.peek(&mut first).await? == 0 {
        return Ok(None);
    }
    if first[0] != HANDSHAKE_RECORD {
        return Ok(Some(Connection::Plain(stream)));
    }
    let tls = TlsAcceptor::from(Arc::clone(config)).accept(stream).await?;
    Ok(Some(Connection::Tls(Box::new(tls))))
}
