//! The CLI's one HTTP client: a request to a strata server on plain HTTP, one connection
//! per request, optionally SigV4-signed with the caller's credentials from the environment
//! (what `eval "$(strata credentials ACCOUNT)"` exports).

use std::io::{Read, Write};

use anyhow::{Context, bail};
use strata_sigv4::{Credentials, RequestParts, hex_sha256, sign};

/// A response: the status, the headers (names lower-cased) and the body.
pub type Exchange = (u16, Vec<(String, String)>, Vec<u8>);

/// A strata endpoint, `http://host:port`.
pub struct Endpoint {
    authority: String,
}

impl Endpoint {
    pub fn parse(url: &str) -> anyhow::Result<Self> {
        let authority = url
            .strip_prefix("http://")
            .context("the endpoint must be an http:// URL of a strata server")?
            .trim_end_matches('/');
        Ok(Self {
            authority: authority.to_owned(),
        })
    }

    /// `host[:port]`.
    pub fn authority(&self) -> &str {
        &self.authority
    }

    /// Sends a request; returns the status and the body.
    pub fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, String)],
        body: &[u8],
    ) -> anyhow::Result<(u16, Vec<u8>)> {
        let (status, _, payload) = self.exchange(method, path, headers, body)?;
        Ok((status, payload))
    }

    /// [`Endpoint::send`], with the response's headers.
    pub fn exchange(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, String)],
        body: &[u8],
    ) -> anyhow::Result<Exchange> {
        let mut stream = std::net::TcpStream::connect(&self.authority)
            .with_context(|| format!("cannot reach strata at http://{}", self.authority))?;
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Length: {}\r\nConnection: close\r\n",
            self.authority,
            body.len()
        );
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str("\r\n");
        stream.write_all(head.as_bytes())?;
        stream.write_all(body)?;
        let mut response = Vec::new();
        stream.read_to_end(&mut response)?;
        let split = response
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .context("malformed HTTP response")?;
        let status_line = String::from_utf8_lossy(&response[..split]);
        let status: u16 = status_line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .context("malformed HTTP status line")?;
        let fields: Vec<(String, String)> = status_line
            .lines()
            .skip(1)
            .filter_map(|line| line.split_once(':'))
            .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
            .collect();
        let mut payload = response[split + 4..].to_vec();
        let chunked = fields
            .iter()
            .any(|(n, v)| n == "transfer-encoding" && v.eq_ignore_ascii_case("chunked"));
        if chunked {
            payload = dechunk(&payload)?;
        }
        Ok((status, fields, payload))
    }

    /// A JSON 1.0 call signed for `service` (`dynamodb`) with the environment's keys.
    pub fn json_call(
        &self,
        credentials: &Credentials,
        region: &str,
        target: &str,
        body: &serde_json::Value,
    ) -> anyhow::Result<(u16, serde_json::Value)> {
        let body = body.to_string();
        // KMS speaks JSON 1.1 under its own signing name; DynamoDB (and Streams) JSON 1.0.
        let (service, content_type) = if target.starts_with("TrentService.") {
            ("kms", "application/x-amz-json-1.1")
        } else {
            ("dynamodb", "application/x-amz-json-1.0")
        };
        let header_list: Vec<(&str, &[u8])> = vec![
            ("host", self.authority.as_bytes()),
            ("content-type", content_type.as_bytes()),
            ("x-amz-target", target.as_bytes()),
        ];
        let parts = RequestParts {
            method: "POST",
            path: "/",
            query: "",
            headers: &header_list,
        };
        let added = sign(
            &parts,
            credentials,
            region,
            service,
            jiff::Timestamp::now(),
            &hex_sha256(body.as_bytes()),
        );
        let mut headers = vec![
            ("Content-Type", content_type.to_owned()),
            ("X-Amz-Target", target.to_owned()),
        ];
        headers.extend(added);
        let (status, payload) = self.send("POST", "/", &headers, body.as_bytes())?;
        let value = serde_json::from_slice(&payload).unwrap_or(serde_json::Value::Null);
        Ok((status, value))
    }
}

fn dechunk(mut body: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let end = body
            .windows(2)
            .position(|w| w == b"\r\n")
            .context("malformed chunk")?;
        let size = usize::from_str_radix(String::from_utf8_lossy(&body[..end]).trim(), 16)
            .context("malformed chunk size")?;
        body = &body[end + 2..];
        if size == 0 {
            return Ok(out);
        }
        if body.len() < size + 2 {
            bail!("truncated chunk");
        }
        out.extend_from_slice(&body[..size]);
        body = &body[size + 2..];
    }
}
