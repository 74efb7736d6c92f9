//! Who is asking. The edge authenticates a request (SigV4 against the IAM engine's keys) and
//! hands the application a [`Caller`]; S3 also serves unsigned requests, so its handlers and
//! jobs act for a [`Requester`]. A job stores the caller it acts for and, resumed after a
//! crash, acts for it again.

use serde::{Deserialize, Serialize};
use strata_iam::Principal;

/// An authenticated caller.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Caller {
    pub principal: Principal,
    /// Whether the request was signed with temporary (STS) credentials.
    pub session: bool,
    /// The address the request came from (`aws:SourceIp`).
    pub source_ip: Option<std::net::IpAddr>,
    pub access_key_id: String,
    /// The region of the credential scope: the region the request is served in.
    pub region: String,
    /// The service of the credential scope (`dynamodb`, `sts`, `iam`, `s3`, …).
    pub service: String,
    /// Whether the request came over TLS (`aws:SecureTransport`).
    #[serde(default)]
    pub secure_transport: bool,
}

impl Caller {
    /// The calling account's id.
    pub fn account(&self) -> &str {
        self.principal.account().as_str()
    }

    /// This caller as an AWS service acting for it: DynamoDB's export and import jobs call
    /// S3 (and KMS through S3) over TLS, whatever transport started the job, so their requests
    /// are `aws:SecureTransport` true.
    pub fn through_aws_service(&self) -> Self {
        Self {
            secure_transport: true,
            ..self.clone()
        }
    }
}

/// Who an S3 operation runs for.
#[derive(Clone, Debug)]
pub enum Requester {
    Signed(Box<Caller>),
    /// An unsigned request, judged by `Principal: "*"` statements only.
    Anonymous {
        source_ip: Option<std::net::IpAddr>,
        secure_transport: bool,
    },
}

impl Requester {
    /// The calling account, if signed.
    pub fn account(&self) -> Option<&str> {
        match self {
            Self::Signed(caller) => Some(caller.account()),
            Self::Anonymous { .. } => None,
        }
    }
}
