//! One port, two transports: a connection whose first byte opens a TLS handshake record is
//! served over TLS (rustls), any other as plain HTTP. Which one a request came over is in its
//! extensions as a [`Transport`], and is `aws:SecureTransport` for authorization.

use std::io;
use std::sync::Arc;

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
