//! The Query protocol of IAM (`2010-05-08`) and STS (`2011-06-15`): form or query-string
//! parameters in, XML out (spec iam-s3-authz §5.1).

use std::collections::HashMap;

use bytes::Bytes;
use http::StatusCode;
use http_body_util::Full;
use strata_sigv4::AuthFailure;

use super::xml::{element, escape};
use super::{AwsError, HttpResponse};
use crate::auth::AuthRejection;

/// A Query service: its API version and XML namespace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueryService {
    Iam,
    Sts,
}

impl QueryService {
    pub fn version(self) -> &'static str {
        match self {
            QueryService::Iam => "2010-05-08",
            QueryService::Sts => "2011-06-15",
        }
    }

    pub fn namespace(self) -> &'static str {
        match self {
            QueryService::Iam => "https://iam.amazonaws.com/doc/2010-05-08/",
            QueryService::Sts => "https://sts.amazonaws.com/doc/2011-06-15/",
        }
    }

    /// The SigV4 signing name.
    pub fn signing_name(self) -> &'static str {
        match self {
            QueryService::Iam => "iam",
            QueryService::Sts => "sts",
        }
    }

    pub fn from_signing_name(name: &str) -> Option<Self> {
        match name {
            "iam" => Some(Self::Iam),
            "sts" => Some(Self::Sts),
            _ => None,
        }
    }

    pub fn from_version(version: &str) -> Option<Self> {
        match version {
            "2010-05-08" => Some(Self::Iam),
            "2011-06-15" => Some(Self::Sts),
            _ => None,
        }
    }
}

/// Decoded parameters of a Query request (query string and form body together;
/// the body wins on repeats, as clients never send both).
#[derive(Debug, Default)]
pub struct Params(HashMap<String, String>);

impl Params {
    pub fn parse(query: &str, form_body: &[u8]) -> Self {
        let mut map = HashMap::new();
        for source in [query.as_bytes(), form_body] {
            for (k, v) in form_urlencoded::parse(source) {
                map.insert(k.into_owned(), v.into_owned());
            }
        }
        Self(map)
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }
}

pub fn invalid_action(action: &str, service: QueryService) -> AwsError {
    AwsError::new(
        "InvalidAction",
        StatusCode::BAD_REQUEST,
        format!(
            "Could not find operation {action} for version {}",
            service.version()
        ),
    )
}

pub fn missing_action() -> AwsError {
    AwsError::new("MissingAction", StatusCode::BAD_REQUEST, "Missing Action")
}

pub fn internal_failure() -> AwsError {
    AwsError::new(
        "InternalFailure",
        StatusCode::INTERNAL_SERVER_ERROR,
        "The request processing has failed because of an unknown error, exception or failure.",
    )
}

/// A body that ends before its Content-Length (or a broken chunked body): the parameters
/// cannot be read, a client error (IAM's and STS's common `MalformedQueryString`).
pub fn incomplete_body() -> AwsError {
    AwsError::new(
        "MalformedQueryString",
        StatusCode::BAD_REQUEST,
        "The request body ended before its Content-Length.",
    )
}

pub fn request_too_large() -> AwsError {
    AwsError::new(
        "RequestEntityTooLarge",
        StatusCode::PAYLOAD_TOO_LARGE,
        "Request entity too large",
    )
}

/// IAM's and STS's spelling of an authentication failure (spec iam-s3-authz §5.4).
pub fn auth_error(rejection: &AuthRejection) -> AwsError {
    let e = match rejection {
        AuthRejection::Internal(_) => return internal_failure(),
        AuthRejection::Denied(e) => e,
    };
    let (code, status) = match e.failure {
        AuthFailure::MissingAuthenticationToken => {
            ("MissingAuthenticationToken", StatusCode::FORBIDDEN)
        }
        AuthFailure::IncompleteSignature => ("IncompleteSignature", StatusCode::BAD_REQUEST),
        AuthFailure::InvalidClientTokenId => ("InvalidClientTokenId", StatusCode::FORBIDDEN),
        AuthFailure::ExpiredToken => ("ExpiredToken", StatusCode::FORBIDDEN),
        AuthFailure::SignatureDoesNotMatch => ("SignatureDoesNotMatch", StatusCode::FORBIDDEN),
    };
    AwsError::new(code, status, e.message.clone())
}

fn response(status: StatusCode, body: String, request_id: &str) -> HttpResponse {
    http::Response::builder()
        .status(status)
        .header(http::header::CONTENT_TYPE, "text/xml")
        .header("x-amzn-RequestId", request_id)
        .body(Full::new(Bytes::from(body)))
        .expect("static header names and valid values")
}

/// What an action answers: its rendered `<ActionResult>` element (`None` for actions without
/// output), or the error.
pub type Result = std::result::Result<Option<String>, AwsError>;

/// An action's typed output as its `<ActionResult>` element: each field an element, lists as
/// `<member>` elements.
pub fn rendered<T: serde::Serialize, E: Into<AwsError>>(
    action: &str,
    output: std::result::Result<T, E>,
) -> Result {
    let output = output.map_err(Into::into)?;
    quick_xml::se::to_string_with_root(&format!("{action}Result"), &output)
        .map(Some)
        .map_err(|e| {
            tracing::error!(error = %e, action, "cannot write an output as XML");
            internal_failure()
        })
}

/// `<ActionResponse><ActionResult>…</ActionResult><ResponseMetadata>…` around an
/// already-rendered result element (`None` for actions without output).
pub fn ok(
    service: QueryService,
    action: &str,
    result: Option<&str>,
    request_id: &str,
) -> HttpResponse {
    let mut body = String::with_capacity(256 + result.map_or(0, str::len));
    for part in ["<", action, "Response xmlns=\"", service.namespace(), "\">"] {
        body.push_str(part);
    }
    if let Some(result) = result {
        body.push_str(result);
    }
    body.push_str("<ResponseMetadata>");
    element(&mut body, "RequestId", request_id);
    for part in ["</ResponseMetadata></", action, "Response>"] {
        body.push_str(part);
    }
    response(StatusCode::OK, body, request_id)
}

/// `<ErrorResponse><Error><Type>Sender|Receiver</Type><Code/><Message/></Error><RequestId/>`.
pub fn error(service: QueryService, err: &AwsError, request_id: &str) -> HttpResponse {
    let kind = if err.status.is_server_error() {
        "Receiver"
    } else {
        "Sender"
    };
    let body = format!(
        "<ErrorResponse xmlns=\"{}\"><Error><Type>{kind}</Type><Code>{}</Code><Message>{}</Message></Error><RequestId>{}</RequestId></ErrorResponse>",
        service.namespace(),
        err.code,
        escape(&err.message),
        escape(request_id)
    );
    response(err.status, body, request_id)
}
