//! Who the CLI's client commands call as, and where: `--endpoint` and `--profile`, then the
//! environment (`AWS_ENDPOINT_URL`, `AWS_ACCESS_KEY_ID`, … — what `eval "$(strata
//! credentials ACCOUNT)"` exports), then the AWS shared config and credentials files, as
//! the AWS CLI resolves them.

use std::collections::HashMap;
use std::path::PathBuf;

use anyhow::{Context, bail};
use serde_json::Value;
use strata_sigv4::{Credentials, RequestParts, hex_sha256, sign};

use crate::http::Endpoint;

/// A signed caller of one strata server.
pub struct Caller {
    pub endpoint: Endpoint,
    pub credentials: Credentials,
    pub region: String,
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// `[section]` → key → value of an AWS-style INI file (missing file: empty).
fn ini(path: PathBuf) -> HashMap<String, HashMap<String, String>> {
    let mut sections: HashMap<String, HashMap<String, String>> = HashMap::new();
    let Ok(text) = std::fs::read_to_string(path) else {
        return sections;
    };
    let mut current = String::new();
    for line in text.lines().map(str::trim) {
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            current = name.trim().to_owned();
        } else if let Some((key, value)) = line.split_once('=')
            && !line.starts_with('#')
            && !line.starts_with(';')
        {
            sections
                .entry(current.clone())
                .or_default()
                .insert(key.trim().to_owned(), value.trim().to_owned());
        }
    }
    sections
}

fn aws_file(variable: &str, name: &str) -> PathBuf {
    var(variable).map_or_else(
        || {
            PathBuf::from(var("HOME").unwrap_or_default())
                .join(".aws")
                .join(name)
        },
        PathBuf::from,
    )
}

impl Caller {
    /// Resolves the caller: a profile (given, or `AWS_PROFILE`) from the shared files,
    /// else the environment's keys.
    pub fn resolve(endpoint: Option<&str>, profile: Option<&str>) -> anyhow::Result<Self> {
        let profile = profile
            .map(str::to_owned)
            .or_else(|| var("AWS_PROFILE").filter(|_| var("AWS_ACCESS_KEY_ID").is_none()));
        let mut settings: HashMap<String, String> = HashMap::new();
        if let Some(name) = &profile {
            let config = ini(aws_file("AWS_CONFIG_FILE", "config"));
            let credentials = ini(aws_file("AWS_SHARED_CREDENTIALS_FILE", "credentials"));
            let section = if name == "default" {
                "default".to_owned()
            } else {
                format!("profile {name}")
            };
            let found_config = config.get(&section);
            let found_credentials = credentials.get(name);
            if found_config.is_none() && found_credentials.is_none() {
                bail!("the profile {name:?} is in neither ~/.aws/config nor ~/.aws/credentials");
            }
            settings.extend(found_config.cloned().unwrap_or_default());
            settings.extend(found_credentials.cloned().unwrap_or_default());
        } else {
            for (key, variable) in [
                ("aws_access_key_id", "AWS_ACCESS_KEY_ID"),
                ("aws_secret_access_key", "AWS_SECRET_ACCESS_KEY"),
                ("aws_session_token", "AWS_SESSION_TOKEN"),
            ] {
                if let Some(value) = var(variable) {
                    settings.insert(key.to_owned(), value);
                }
            }
        }
        let access_key_id = settings.remove("aws_access_key_id").context(
            "no credentials: pass --profile, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (e.g. eval \"$(strata credentials source)\")",
        )?;
        let secret_access_key = settings
            .remove("aws_secret_access_key")
            .context("the credentials have no secret access key")?;
        let region = var("AWS_REGION")
            .or_else(|| var("AWS_DEFAULT_REGION"))
            .or_else(|| settings.remove("region"))
            .unwrap_or_else(|| "us-east-1".to_owned());
        let endpoint = endpoint
            .map(str::to_owned)
            .or_else(|| var("AWS_ENDPOINT_URL"))
            .or_else(|| settings.remove("endpoint_url"))
            .unwrap_or_else(|| "http://127.0.0.1:4566".to_owned());
        Ok(Self {
            endpoint: Endpoint::parse(&endpoint)?,
            credentials: Credentials {
                access_key_id,
                secret_access_key,
                session_token: settings.remove("aws_session_token"),
            },
            region,
        })
    }

    /// A DynamoDB operation; a non-200 answer becomes `Op: ErrorType: message`.
    pub fn dynamodb(&self, op: &str, body: Value) -> anyhow::Result<Value> {
        self.json(&format!("DynamoDB_20120810.{op}"), op, body)
    }

    /// A KMS operation (JSON 1.1): the answer, or the error as `op: Code: message`.
    pub fn kms(&self, op: &str, body: Value) -> anyhow::Result<Value> {
        self.json(&format!("TrentService.{op}"), op, body)
    }

    fn json(&self, target: &str, op: &str, body: Value) -> anyhow::Result<Value> {
        let (status, answer) =
            self.endpoint
                .json_call(&self.credentials, &self.region, target, &body)?;
        if status != 200 {
            let kind = answer["__type"].as_str().unwrap_or("error");
            let kind = kind.rsplit('#').next().unwrap_or(kind);
            let message = answer["message"]
                .as_str()
                .or_else(|| answer["Message"].as_str())
                .unwrap_or("");
            bail!("{op}: {kind}: {message}");
        }
        Ok(answer)
    }

    /// An S3 request (path-style), signed over its payload: the status and the body.
    pub fn s3(
        &self,
        method: &str,
        bucket: &str,
        key: &str,
        query: &str,
        body: &[u8],
    ) -> anyhow::Result<(u16, Vec<u8>)> {
        let (status, _, body) = self.s3_exchange(method, bucket, key, query, body)?;
        Ok((status, body))
    }

    /// HeadObject: the object's response headers (names lower-cased).
    pub fn s3_head(&self, bucket: &str, key: &str) -> anyhow::Result<Vec<(String, String)>> {
        let (status, headers, _) = self.s3_exchange("HEAD", bucket, key, "", b"")?;
        if status != 200 {
            bail!("HeadObject s3://{bucket}/{key}: {status}");
        }
        Ok(headers)
    }

    fn s3_exchange(
        &self,
        method: &str,
        bucket: &str,
        key: &str,
        query: &str,
        body: &[u8],
    ) -> anyhow::Result<crate::http::Exchange> {
        let mut path = format!("/{bucket}");
        if !key.is_empty() {
            path.push('/');
            path.push_str(&strata_sigv4::uri_encode(key.as_bytes(), true));
        }
        let payload = hex_sha256(body);
        let authority = self.endpoint.authority().to_owned();
        let header_list: Vec<(&str, &[u8])> = vec![
            ("host", authority.as_bytes()),
            ("x-amz-content-sha256", payload.as_bytes()),
        ];
        let parts = RequestParts {
            method,
            path: &path,
            query,
            headers: &header_list,
        };
        let mut headers = vec![("x-amz-content-sha256", payload.clone())];
        headers.extend(sign(
            &parts,
            &self.credentials,
            &self.region,
            "s3",
            jiff::Timestamp::now(),
            &payload,
        ));
        let target = if query.is_empty() {
            path
        } else {
            format!("{path}?{query}")
        };
        self.endpoint.exchange(method, &target, &headers, body)
    }

    /// GetObject; a non-200 answer is an error naming S3's code.
    pub fn s3_get(&self, bucket: &str, key: &str) -> anyhow::Result<Vec<u8>> {
        let (status, body) = self.s3("GET", bucket, key, "", b"")?;
        if status != 200 {
            bail!(
                "GetObject s3://{bucket}/{key}: {status} {}",
                xml_element(&body, "Code").unwrap_or_else(|| "error".into())
            );
        }
        Ok(body)
    }

    /// A Query-protocol call (IAM, STS): form parameters in, the XML answer out; a
    /// non-200 answer becomes `Action: Code: Message`.
    pub fn query_protocol(
        &self,
        service: &str,
        version: &str,
        action: &str,
        params: &[(&str, &str)],
    ) -> anyhow::Result<Vec<u8>> {
        let mut form = form_urlencoded::Serializer::new(String::new());
        form.append_pair("Action", action)
            .append_pair("Version", version);
        for (name, value) in params {
            form.append_pair(name, value);
        }
        let body = form.finish();
        let content_type = "application/x-www-form-urlencoded; charset=utf-8";
        let authority = self.endpoint.authority().to_owned();
        let header_list: Vec<(&str, &[u8])> = vec![
            ("host", authority.as_bytes()),
            ("content-type", content_type.as_bytes()),
        ];
        let parts = RequestParts {
            method: "POST",
            path: "/",
            query: "",
            headers: &header_list,
        };
        let mut headers = vec![("Content-Type", content_type.to_owned())];
        headers.extend(sign(
            &parts,
            &self.credentials,
            &self.region,
            service,
            jiff::Timestamp::now(),
            &hex_sha256(body.as_bytes()),
        ));
        let (status, answer) = self.endpoint.send("POST", "/", &headers, body.as_bytes())?;
        if status != 200 {
            bail!(
                "{action}: {}: {}",
                xml_element(&answer, "Code").unwrap_or_default(),
                xml_element(&answer, "Message").unwrap_or_default()
            );
        }
        Ok(answer)
    }

    /// The caller's ARN (STS GetCallerIdentity).
    pub fn arn(&self) -> anyhow::Result<String> {
        let answer = self.query_protocol("sts", "2011-06-15", "GetCallerIdentity", &[])?;
        xml_element(&answer, "Arn").context("GetCallerIdentity answered no Arn")
    }
}

/// The text of the first `<name>` element of an XML answer (values here are never escaped
/// beyond what callers print as is).
pub fn xml_element(xml: &[u8], name: &str) -> Option<String> {
    xml_elements(xml, name).into_iter().next()
}

/// The text of every `<name>` element.
pub fn xml_elements(xml: &[u8], name: &str) -> Vec<String> {
    let text = String::from_utf8_lossy(xml);
    let (open, close) = (format!("<{name}>"), format!("</{name}>"));
    text.split(&open)
        .skip(1)
        .filter_map(|rest| rest.split_once(&close).map(|(value, _)| value.to_owned()))
        .collect()
}
