//! Who is calling: the s3s hooks that look up secret keys (s3s then verifies the
//! signature), check session tokens (which s3s does not), and record the caller for the
//! operation; and the virtual-host parser. The access hook also refuses an XML body longer
//! than s3s will read, before s3s tries to.

use std::net::SocketAddr;
use std::sync::Arc;

use s3s::access::{S3Access, S3AccessContext};
use s3s::auth::{S3Auth, SecretKey};
use s3s::host::{S3Host, VirtualHost};
use s3s::{S3Result, s3_error};
use strata_sigv4::{Authorization, RequestParts};

use strata_app::{App, Caller, Requester};

use crate::transport::Transport;

/// Secret keys for s3s's signature check: long-term and session keys alike.
pub struct Keys {
    pub app: Arc<App>,
}

#[async_trait::async_trait]
impl S3Auth for Keys {
    async fn get_secret_key(&self, access_key: &str) -> S3Result<SecretKey> {
        match self.app.iam.authenticate(access_key) {
            Ok(Some(found)) => Ok(SecretKey::from(found.secret.secret_access_key)),
            Ok(None) => Err(s3_error!(
                InvalidAccessKeyId,
                "The AWS Access Key Id you provided does not exist in our records."
            )),
            Err(err) => Err(s3_error!(InternalError, "{err}")),
        }
    }
}

/// Runs after the signature is verified (or for unsigned requests): checks a session
/// key's token and expiry and records the [`Requester`] for the operation.
pub struct Sessions {
    pub app: Arc<App>,
}

/// s3s's `xml_max_body_size` (its default, which strata keeps).
const XML_MAX_BODY: u64 = 20 << 20;

/// The operations whose body s3s streams to the handler instead of reading it whole.
const STREAMED_BODIES: [&str; 3] = ["PutObject", "UploadPart", "PostObject"];

/// s3s reads any other operation's body whole, up to [`XML_MAX_BODY`], but answers a longer
/// one with 500 InternalError (its size check misses `http_body_util`'s `LengthLimitError`);
/// S3 answers 400 MaxMessageLengthExceeded, so a declared length over the limit is refused
/// here, before s3s reads a byte.
fn check_xml_body_length(cx: &S3AccessContext<'_>) -> S3Result<()> {
    let declared = cx
        .headers()
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > XML_MAX_BODY)
        && !STREAMED_BODIES.contains(&cx.s3_op().name())
    {
        return Err(s3_error!(
            MaxMessageLengthExceeded,
            "Your request was too big."
        ));
    }
    Ok(())
}

#[async_trait::async_trait]
impl S3Access for Sessions {
    async fn check(&self, cx: &mut S3AccessContext<'_>) -> S3Result<()> {
        check_xml_body_length(cx)?;
        let source_ip = cx
            .extensions_mut()
            .get::<SocketAddr>()
            .map(std::net::SocketAddr::ip);
        let secure_transport = Transport::is_secure(cx.extensions_mut());
        let Some(credentials) = cx.credentials() else {
            cx.extensions_mut().insert(Requester::Anonymous {
                source_ip,
                secure_transport,
            });
            return Ok(());
        };
        let access_key = credentials.access_key.clone();
        let found = self
            .app
            .iam
            .authenticate(&access_key)
            .map_err(|err| s3_error!(InternalError, "{err}"))?
            .ok_or_else(|| {
                s3_error!(
                    InvalidAccessKeyId,
                    "The AWS Access Key Id you provided does not exist in our records."
                )
            })?;
        let headers: Vec<(&str, &[u8])> = cx
            .headers()
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_bytes()))
            .collect();
        let parts = RequestParts {
            method: cx.method().as_str(),
            path: cx.uri().path(),
            query: cx.uri().query().unwrap_or_default(),
            headers: &headers,
        };
        if let Some(expected) = &found.secret.session_token {
            let sent = parts
                .header("x-amz-security-token")
                .map(str::to_owned)
                .or_else(|| {
                    form_urlencoded::parse(parts.query.as_bytes())
                        .find(|(k, _)| k == "X-Amz-Security-Token")
                        .map(|(_, v)| v.into_owned())
                });
            match sent {
                // A session's key without its token is not a key S3 knows
                // (MathieuLoutre/grunt-aws-s3#38 quotes AWS's answer).
                None => {
                    return Err(s3_error!(
                        InvalidAccessKeyId,
                        "The AWS Access Key Id you provided does not exist in our records."
                    ));
                }
                Some(sent) if sent != *expected => {
                    return Err(s3_error!(
                        InvalidToken,
                        "The provided token is malformed or otherwise invalid."
                    ));
                }
                Some(_) => {}
            }
            if found
                .secret
                .expiration
                .is_some_and(|expiry| self.app.clock.now() >= expiry)
            {
                return Err(s3_error!(ExpiredToken, "The provided token has expired."));
            }
        }
        let region = Authorization::from_request(&parts)
            .ok()
            .flatten()
            .map_or_else(|| self.app.default_region.clone(), |a| a.scope.region);
        let caller = Caller {
            principal: found.principal,
            session: found.session,
            source_ip,
            access_key_id: access_key,
            region,
            service: "s3".to_owned(),
            secure_transport,
        };
        cx.extensions_mut()
            .insert(Requester::Signed(Box::new(caller)));
        Ok(())
    }
}

/// Virtual-hosted–style addressing on `localhost`: `BUCKET.localhost` and
/// `BUCKET.s3.localhost` (any port); every other host is path-style.
pub struct Localhost;

impl S3Host for Localhost {
    fn parse_host_header<'a>(&'a self, host: &'a str) -> S3Result<VirtualHost<'a>> {
        Ok(match virtual_host_bucket(host) {
            Some(bucket) => VirtualHost::new(host).with_bucket(bucket),
            None => VirtualHost::new(host),
        })
    }
}

/// The bucket a `Host` of the form `BUCKET.localhost` or `BUCKET.s3.localhost` names.
pub fn virtual_host_bucket(host: &str) -> Option<&str> {
    let name = host.rsplit_once(':').map_or(host, |(name, port)| {
        if port.bytes().all(|b| b.is_ascii_digit()) {
            name
        } else {
            host
        }
    });
    [".s3.localhost", ".localhost"]
        .into_iter()
        .find_map(|suffix| {
            name.strip_suffix(suffix)
                .filter(|bucket| !bucket.is_empty() && *bucket != "s3")
        })
}
