//! The TLS certificate `serve` presents on its port, next to plain HTTP.
//!
//! By default strata is its own certificate authority: at first start it makes a local CA
//! (`tls/ca.pem`, its key `tls/ca-key.pem`) in the data directory and keeps it, so a client
//! told to trust `ca.pem` (`AWS_CA_BUNDLE`) keeps trusting the server across restarts. The
//! server certificate (`tls/server.pem`, `tls/server-key.pem`) is issued afresh at every
//! start for localhost, 127.0.0.1, ::1, `*.localhost` and `*.s3.localhost` (virtual-hosted
//! buckets) and the names given with `--tls-name`. With `--tls-cert`/`--tls-key` strata presents the
//! operator's own chain and makes nothing.
//!
//! Files are written whole (temporary file, then rename) under the data directory's umask
//! (0600); an `--in-memory` server keeps them in a temporary directory removed at exit.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose,
};
use rustls::ServerConfig;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use time::{Duration, OffsetDateTime};

/// The directory under the data directory holding the CA and the server certificate.
pub const DIR: &str = "tls";

/// The local CA's certificate: what clients trust (`AWS_CA_BUNDLE`).
pub const CA_FILE: &str = "ca.pem";

/// The names every generated server certificate covers. OpenSSL (so Python, curl and the
/// AWS CLI) refuses a wildcard over a single label, so `*.localhost` serves rustls-based
/// clients and `*.s3.localhost` everyone: virtual-hosted buckets over TLS are
/// `BUCKET.s3.localhost`.
const LOCAL_NAMES: [&str; 5] = [
    "localhost",
    "*.localhost",
    "*.s3.localhost",
    "127.0.0.1",
    "::1",
];

/// How long the local CA is valid from its creation.
const CA_VALIDITY: Duration = Duration::days(3650);

/// How long a server certificate is valid from the start that issued it (the longest
/// validity browsers accept).
const SERVER_VALIDITY: Duration = Duration::days(397);

/// What the port presents, and the CA bundle clients trust it with (`None` for the
/// operator's own chain: its CA is theirs to know).
pub struct Tls {
    pub config: Arc<ServerConfig>,
    pub ca_bundle: Option<PathBuf>,
}

/// The operator's own chain and key (`--tls-cert`, `--tls-key`).
pub fn own(cert: &Path, key: &Path) -> anyhow::Result<Tls> {
    let chain = CertificateDer::pem_file_iter(cert)
        .and_then(Iterator::collect::<Result<Vec<_>, _>>)
        .with_context(|| format!("cannot read certificates from {}", cert.display()))?;
    anyhow::ensure!(!chain.is_empty(), "{} holds no certificate", cert.display());
    let key = PrivateKeyDer::from_pem_file(key)
        .with_context(|| format!("cannot read a private key from {}", key.display()))?;
    Ok(Tls {
        config: server_config(chain, key)?,
        ca_bundle: None,
    })
}

/// The local CA in `dir` (made on first use) and a server certificate it issues now for the
/// local names and `names`.
pub fn local(dir: &Path, names: &[String]) -> anyhow::Result<Tls> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let ca_path = dir.join(CA_FILE);
    let ca_key_path = dir.join("ca-key.pem");
    let ca_key = if ca_path.exists() && ca_key_path.exists() {
        let pem = std::fs::read_to_string(&ca_key_path)
            .with_context(|| format!("cannot read {}", ca_key_path.display()))?;
        KeyPair::from_pem(&pem).with_context(|| format!("{} is damaged", ca_key_path.display()))?
    } else {
        let key = KeyPair::generate()?;
        let now = OffsetDateTime::now_utc();
        let mut params = ca_params();
        params.not_before = now - Duration::days(1);
        params.not_after = now + CA_VALIDITY;
        let cert = params.self_signed(&key)?;
        crate::data_dir::write_private(&ca_key_path, key.serialize_pem().as_bytes())?;
        crate::data_dir::write_private(&ca_path, cert.pem().as_bytes())?;
        tracing::info!(ca = %ca_path.display(), "made a local certificate authority");
        key
    };
    let issuer = Issuer::new(ca_params(), ca_key);
    let server_key = KeyPair::generate()?;
    let server = server_params(names)?.signed_by(&server_key, &issuer)?;
    crate::data_dir::write_private(
        &dir.join("server-key.pem"),
        server_key.serialize_pem().as_bytes(),
    )?;
    crate::data_dir::write_private(&dir.join("server.pem"), server.pem().as_bytes())?;
    let key = PrivateKeyDer::try_from(server_key.serialize_der())
        .map_err(|e| anyhow::anyhow!("the generated server key: {e}"))?;
    Ok(Tls {
        config: server_config(vec![server.der().clone()], key)?,
        ca_bundle: Some(ca_path),
    })
}

/// The CA's subject and powers; the issuer of every server certificate is rebuilt from
/// these and the stored key, so they must not change between versions.
fn ca_params() -> CertificateParams {
    let mut params = CertificateParams::default();
    let mut name = DistinguishedName::new();
    name.push(DnType::OrganizationName, "strata");
    name.push(DnType::CommonName, "strata local CA");
    params.distinguished_name = name;
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params
}

fn server_params(names: &[String]) -> anyhow::Result<CertificateParams> {
    let mut all: Vec<String> = LOCAL_NAMES.iter().map(|n| (*n).to_owned()).collect();
    for name in names {
        // A wildcard only as a whole first label (`*.example.test`).
        let labels = name.strip_prefix("*.").unwrap_or(name);
        let dns = !labels.is_empty()
            && labels
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.'));
        anyhow::ensure!(
            dns || name.parse::<std::net::IpAddr>().is_ok(),
            "--tls-name {name:?} is neither a DNS name nor an IP address"
        );
        if !all.contains(name) {
            all.push(name.clone());
        }
    }
    let mut params = CertificateParams::new(all.clone())
        .with_context(|| format!("--tls-name: not a DNS name or IP address among {all:?}"))?;
    let mut subject = DistinguishedName::new();
    subject.push(DnType::OrganizationName, "strata");
    subject.push(DnType::CommonName, "localhost");
    params.distinguished_name = subject;
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.use_authority_key_identifier_extension = true;
    let now = OffsetDateTime::now_utc();
    params.not_before = now - Duration::days(1);
    params.not_after = now + SERVER_VALIDITY;
    Ok(params)
}

/// rustls with ring: TLS 1.2 and 1.3, HTTP/1.1 offered by ALPN.
fn server_config(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> anyhow::Result<Arc<ServerConfig>> {
    // ring rather than aws-lc-rs keeps the build free of a C toolchain beyond `cc`; rustls
    // deprecates ring's provider only for its lack of post-quantum key exchange, which a
    // local endpoint does not need.
    #[allow(deprecated)]
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .context("the certificate does not match its key")?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// `path` made absolute (for `AWS_CA_BUNDLE`, read from any directory).
pub fn absolute(path: &Path) -> String {
    path.canonicalize()
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ca_is_made_once_and_issues_for_the_names_given() {
        let dir = tempfile::tempdir().unwrap();
        let first = local(dir.path(), &[]).unwrap();
        let ca = std::fs::read(dir.path().join(CA_FILE)).unwrap();
        let second = local(dir.path(), &["strata.internal".to_owned()]).unwrap();
        assert_eq!(std::fs::read(dir.path().join(CA_FILE)).unwrap(), ca);
        assert_eq!(first.ca_bundle, second.ca_bundle);
        let server = std::fs::read_to_string(dir.path().join("server.pem")).unwrap();
        assert!(server.starts_with("-----BEGIN CERTIFICATE-----"));
        assert!(local(dir.path(), &["not a name".to_owned()]).is_err());
        assert!(local(dir.path(), &["a*b".to_owned()]).is_err());
        assert!(local(dir.path(), &["*.strata.test".to_owned()]).is_ok());
    }
}
