//! The client side shared by every benchmark: where to connect ([`Endpoint`], plain
//! `http://` or `https://` trusting `AWS_CA_BUNDLE` as the SDKs do), how to sign a request
//! as an AWS SDK would ([`Signer`]), and one keep-alive HTTP/1.1 connection that reopens
//! itself when the server closes it ([`Connection`]).
//!
//! Benchmarks own their connections one per task — a pool of exactly `--concurrency`
//! connections with no checkout cost — so no request ever waits for a connection.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::{Context, bail};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName};
use strata_sigv4::{Credentials, RequestParts, hex_sha256, sign};

/// The bench account: its id and root keys, fixed so that a server started with
/// [`bench_config`] accepts the benchmarks' signatures.
pub const BENCH_ACCOUNT: &str = "111111111111";
pub const BENCH_ACCESS_KEY: &str = "AKIABENCHROOT0000001";
pub const BENCH_SECRET_KEY: &str = "bench-root-secret-key";

/// A `strata serve --config` file declaring just the bench account.
pub fn bench_config() -> String {
    format!(
        "[[account]]\nid = \"{BENCH_ACCOUNT}\"\nroot_access_key_id = \"{BENCH_ACCESS_KEY}\"\nroot_secret_access_key = \"{BENCH_SECRET_KEY}\"\n"
    )
}

/// A server to talk to: the socket address, the `Host` header naming it, and for https://
/// the TLS client and the name the certificate must carry.
#[derive(Clone)]
pub struct Endpoint {
    pub addr: SocketAddr,
    /// `host[:port]` exactly as sent in `Host` (and signed).
    pub authority: String,
    tls: Option<(tokio_rustls::TlsConnector, ServerName<'static>)>,
}

impl Endpoint {
    /// Parses `http://host[:port]` or `https://host[:port]` (a trailing `/` is allowed) and
    /// resolves the host. https:// trusts the CA certificates in `$AWS_CA_BUNDLE`.
    pub async fn parse(url: &str) -> anyhow::Result<Self> {
        let uri: http::Uri = url
            .parse()
            .with_context(|| format!("bad endpoint URL {url:?}"))?;
        let https = match uri.scheme_str() {
            Some("http") => false,
            Some("https") => true,
            Some(other) => bail!("endpoint {url:?}: http:// or https://, not {other}://"),
            None => bail!("endpoint {url:?} needs a scheme, e.g. http://127.0.0.1:4566"),
        };
        if !matches!(uri.path(), "" | "/") || uri.query().is_some() {
            bail!("endpoint {url:?} must not have a path or query");
        }
        let authority = uri
            .authority()
            .with_context(|| format!("endpoint {url:?} has no host"))?;
        let port = authority.port_u16().unwrap_or(if https { 443 } else { 80 });
        let addr = tokio::net::lookup_host((authority.host(), port))
            .await
            .with_context(|| format!("resolving {}", authority.host()))?
            .next()
            .with_context(|| format!("{} resolves to no address", authority.host()))?;
        let tls = if https {
            let name = ServerName::try_from(authority.host().trim_matches(['[', ']']).to_owned())
                .with_context(|| format!("{} is not a TLS server name", authority.host()))?;
            Some((tls_connector()?, name))
        } else {
            None
        };
        Ok(Self {
            addr,
            authority: authority.as_str().to_owned(),
            tls,
        })
    }

    pub fn from_addr(addr: SocketAddr) -> Self {
        Self {
            addr,
            authority: addr.to_string(),
            tls: None,
        }
    }
}

/// A TLS client trusting the certificates in `$AWS_CA_BUNDLE`.
fn tls_connector() -> anyhow::Result<tokio_rustls::TlsConnector> {
    let path = std::env::var_os("AWS_CA_BUNDLE")
        .context("an https:// endpoint needs AWS_CA_BUNDLE naming the CA to trust (`strata credentials` prints it)")?;
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(&path)
        .with_context(|| format!("reading {}", std::path::Path::new(&path).display()))?
    {
        roots.add(cert?)?;
    }
    #[allow(deprecated)] // ring: see strata's own TLS set-up
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(tokio_rustls::TlsConnector::from(Arc::new(config)))
}

/// Signs POST requests to `/` with header auth (SigV4), as an SDK does: `host`,
/// `content-type` and the extra headers (e.g. `x-amz-target`) are all signed.
#[derive(Clone, Debug)]
pub struct Signer {
    pub credentials: Credentials,
    pub region: String,
    pub service: &'static str,
}

impl Signer {
    pub fn new(access_key: &str, secret_key: &str, region: &str, service: &'static str) -> Self {
        Self {
            credentials: Credentials {
                access_key_id: access_key.to_owned(),
                secret_access_key: secret_key.to_owned(),
                session_token: None,
            },
            region: region.to_owned(),
            service,
        }
    }

    /// A signed `POST /` carrying `body`, signed now.
    pub fn post(
        &self,
        endpoint: &Endpoint,
        content_type: &str,
        extra_headers: &[(&str, &str)],
        body: Bytes,
    ) -> http::Request<Full<Bytes>> {
        let mut headers: Vec<(&str, &str)> = vec![("content-type", content_type)];
        headers.extend_from_slice(extra_headers);
        let hash = hex_sha256(&body);
        self.request(endpoint, "POST", "/", &headers, body, &hash)
    }

    /// A signed request with header auth: `host` and `headers` are signed, the body is
    /// described by `payload_hash` (its hex SHA-256, or `UNSIGNED-PAYLOAD` for S3).
    pub fn request(
        &self,
        endpoint: &Endpoint,
        method: &str,
        path: &str,
        extra_headers: &[(&str, &str)],
        body: Bytes,
        payload_hash: &str,
    ) -> http::Request<Full<Bytes>> {
        let mut headers: Vec<(&str, &[u8])> = vec![("host", endpoint.authority.as_bytes())];
        headers.extend(extra_headers.iter().map(|(n, v)| (*n, v.as_bytes())));
        let parts = RequestParts {
            method,
            path,
            query: "",
            headers: &headers,
        };
        let added = sign(
            &parts,
            &self.credentials,
            &self.region,
            self.service,
            jiff::Timestamp::now(),
            payload_hash,
        );
        let mut builder = http::Request::builder().method(method).uri(path);
        for (name, value) in headers {
            builder = builder.header(name, value);
        }
        for (name, value) in added {
            builder = builder.header(name, value);
        }
        builder.body(Full::new(body)).expect("valid request")
    }
}

/// Opens one HTTP/1.1 connection (TCP_NODELAY, TLS for https://) and drives it on a
/// spawned task.
pub async fn connect(endpoint: &Endpoint) -> anyhow::Result<SendRequest<Full<Bytes>>> {
    let addr = endpoint.addr;
    let stream = tokio::net::TcpStream::connect(addr)
        .await
        .with_context(|| format!("connecting to {addr}"))?;
    stream.set_nodelay(true)?;
    let sender = match &endpoint.tls {
        None => {
            let (sender, conn) =
                hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await?;
            tokio::spawn(conn);
            sender
        }
        Some((connector, name)) => {
            let stream = connector
                .connect(name.clone(), stream)
                .await
                .with_context(|| format!("TLS handshake with {addr}"))?;
            let (sender, conn) =
                hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await?;
            tokio::spawn(conn);
            sender
        }
    };
    Ok(sender)
}

/// One keep-alive connection that reconnects when the server has closed it.
pub struct Connection {
    endpoint: Endpoint,
    sender: Option<SendRequest<Full<Bytes>>>,
    /// How many times the connection was (re)opened after the first.
    pub reconnects: u64,
}

impl Connection {
    pub async fn open(endpoint: &Endpoint) -> anyhow::Result<Self> {
        Ok(Self {
            endpoint: endpoint.clone(),
            sender: Some(connect(endpoint).await?),
            reconnects: 0,
        })
    }

    async fn reconnect(&mut self) -> anyhow::Result<SendRequest<Full<Bytes>>> {
        self.reconnects += 1;
        connect(&self.endpoint).await
    }

    /// Sends `request` and reads the whole response. A transport error drops the
    /// connection; the next call opens a new one.
    pub async fn send(
        &mut self,
        request: http::Request<Full<Bytes>>,
    ) -> anyhow::Result<(http::StatusCode, Bytes)> {
        let mut sender = self.ready().await?;
        let response = sender.send_request(request).await?;
        let status = response.status();
        let body = response.into_body().collect().await?.to_bytes();
        self.sender = Some(sender);
        Ok((status, body))
    }

    /// Sends `request` and reads the response body without keeping it (large objects);
    /// returns the status and the body's length.
    pub async fn send_counting(
        &mut self,
        request: http::Request<Full<Bytes>>,
    ) -> anyhow::Result<(http::StatusCode, u64)> {
        let mut sender = self.ready().await?;
        let response = sender.send_request(request).await?;
        let status = response.status();
        let mut body = response.into_body();
        let mut length = 0;
        while let Some(frame) = body.frame().await {
            if let Some(data) = frame?.data_ref() {
                length += data.len() as u64;
            }
        }
        self.sender = Some(sender);
        Ok((status, length))
    }

    async fn ready(&mut self) -> anyhow::Result<SendRequest<Full<Bytes>>> {
        Ok(match self.sender.take() {
            Some(mut sender) => match sender.ready().await {
                Ok(()) => sender,
                Err(_) => self.reconnect().await?,
            },
            None => self.reconnect().await?,
        })
    }
}
