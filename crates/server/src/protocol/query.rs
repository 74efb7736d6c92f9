//! The Query protocol of IAM (`2010-05-08`), STS (`2011-06-15`) and CloudFormation
//! (`2010-05-15`): form or query-string
//! parameters in, XML out (spec iam-s3-authz §5.1) — or JSON when the request's `Accept` asks
//! for it, as aws-iam-authenticator's EKS token verifier does for GetCallerIdentity.

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
    CloudFormation,
}

impl QueryService {
    pub fn version(self) -> &'static str {
        match self {
            QueryService::Iam => "2010-05-08",
            QueryService::Sts => "2011-06-15",
            QueryService::CloudFormation => "2010-05-15",
        }
    }

    pub fn namespace(self) -> &'static str {
        match self {
            QueryService::Iam => "https://iam.amazonaws.com/doc/2010-05-08/",
            QueryService::Sts => "https://sts.amazonaws.com/doc/2011-06-15/",
            QueryService::CloudFormation => "http://cloudformation.amazonaws.com/doc/2010-05-15/",
        }
    }

    /// The SigV4 signing name.
    pub fn signing_name(self) -> &'static str {
        match self {
            QueryService::Iam => "iam",
            QueryService::Sts => "sts",
            QueryService::CloudFormation => "cloudformation",
        }
    }

    pub fn from_signing_name(name: &str) -> Option<Self> {
        match name {
            "iam" => Some(Self::Iam),
            "sts" => Some(Self::Sts),
            "cloudformation" => Some(Self::CloudFormation),
            _ => None,
        }
    }

    pub fn from_version(version: &str) -> Option<Self> {
        match version {
            "2010-05-08" => Some(Self::Iam),
            "2011-06-15" => Some(Self::Sts),
            "2010-05-15" => Some(Self::CloudFormation),
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

    /// `Name.member.1`, `Name.member.2`, … (an empty list arrives as a bare `Name=`).
    pub fn members(&self, name: &str) -> Vec<String> {
        (1..)
            .map_while(|i| self.get(&format!("{name}.member.{i}")).map(str::to_owned))
            .collect()
    }

    /// The N of each `Name.member.N.Key` present, from 1 until one is missing.
    pub fn structs(&self, name: &str, key: &str) -> Vec<usize> {
        (1..)
            .take_while(|i| self.get(&format!("{name}.member.{i}.{key}")).is_some())
            .collect()
    }

    /// `Name.member.N.Key` and `.Value` of each member (tags).
    pub fn key_values(&self, name: &str) -> Vec<(String, String)> {
        self.structs(name, "Key")
            .into_iter()
            .map(|i| {
                let key = self.field(name, i, "Key").unwrap_or_default();
                (key, self.field(name, i, "Value").unwrap_or_default())
            })
            .collect()
    }

    /// `Name.member.N.Field`.
    pub fn field(&self, name: &str, i: usize, field: &str) -> Option<String> {
        self.get(&format!("{name}.member.{i}.{field}"))
            .map(str::to_owned)
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

/// The form of a Query response: XML, or JSON when the request's `Accept` names
/// `application/json` (STS and IAM answer either; aws-iam-authenticator's EKS verifier asks
/// for JSON and reads `GetCallerIdentityResponse.GetCallerIdentityResult`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Xml,
    Json,
}

impl Format {
    pub fn of(headers: &http::HeaderMap) -> Format {
        let json = headers
            .get_all(http::header::ACCEPT)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .any(|media| {
                let mut parts = media.split(';');
                let is_json = parts
                    .next()
                    .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"));
                // `q=0` refuses the type (RFC 9110 §12.4.2).
                let refused = parts.any(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .and_then(|q| q.trim().parse::<f32>().ok())
                        .is_some_and(|q| q == 0.0)
                });
                is_json && !refused
            });
        if json { Format::Json } else { Format::Xml }
    }

    fn content_type(self) -> &'static str {
        match self {
            Format::Xml => "text/xml",
            Format::Json => "application/json",
        }
    }
}

fn response(format: Format, status: StatusCode, body: String, request_id: &str) -> HttpResponse {
    http::Response::builder()
        .status(status)
        .header(http::header::CONTENT_TYPE, format.content_type())
        .header("x-amzn-RequestId", request_id)
        .body(Full::new(Bytes::from(body)))
        .expect("static header names and valid values")
}

/// An action's result, as it is written once the response's format is known.
enum Written {
    /// The `<ActionResult>` element.
    Xml(String),
    /// The `ActionResult` member's value.
    Json(serde_json::Value),
}

/// An action's typed output, written in the response's format.
pub struct Output(Box<dyn FnOnce(Format) -> std::result::Result<Written, AwsError> + Send>);

/// What an action answers: its output (`None` for actions without output), or the error.
pub type Result = std::result::Result<Option<Output>, AwsError>;

/// An action's typed output: as XML its `<ActionResult>` element, each field an element,
/// lists as `<member>` elements; as JSON the same fields, lists as arrays.
pub fn rendered<T: serde::Serialize + Send + 'static, E: Into<AwsError>>(
    action: &str,
    output: std::result::Result<T, E>,
) -> Result {
    let output = output.map_err(Into::into)?;
    let action = action.to_owned();
    Ok(Some(Output(Box::new(move |format| {
        let written = match format {
            Format::Xml => quick_xml::se::to_string_with_root(&format!("{action}Result"), &output)
                .map(Written::Xml)
                .map_err(|e| e.to_string()),
            Format::Json => serde_json::to_value(&output)
                .map(|v| Written::Json(lists_as_arrays(v)))
                .map_err(|e| e.to_string()),
        };
        written.map_err(|error| {
            tracing::error!(%error, action, ?format, "cannot write an output");
            internal_failure()
        })
    }))))
}

/// The JSON form of a list: the `<member>` wrapper the XML form needs becomes the array.
/// (UNCONFIRMED beyond GetCallerIdentity: that AWS's JSON lists are plain arrays and its
/// timestamps the XML form's ISO strings.)
fn lists_as_arrays(value: serde_json::Value) -> serde_json::Value {
    use serde_json::Value;
    match value {
        Value::Object(mut map) => {
            if map.len() == 1
                && let Some(Value::Array(_)) = map.get("member")
                && let Some(Value::Array(items)) = map.remove("member")
            {
                return Value::Array(items.into_iter().map(lists_as_arrays).collect());
            }
            Value::Object(
                map.into_iter()
                    .map(|(k, v)| (k, lists_as_arrays(v)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.into_iter().map(lists_as_arrays).collect()),
        other => other,
    }
}

/// `<ActionResponse><ActionResult>…</ActionResult><ResponseMetadata>…` (or its JSON form)
/// around the action's output.
pub fn ok(
    service: QueryService,
    format: Format,
    action: &str,
    output: Option<Output>,
    request_id: &str,
) -> HttpResponse {
    let written = match output.map(|write| (write.0)(format)).transpose() {
        Ok(written) => written,
        Err(e) => return error(service, format, &e, request_id),
    };
    if format == Format::Json {
        let mut response_member = serde_json::Map::new();
        if let Some(Written::Json(result)) = written {
            response_member.insert(format!("{action}Result"), result);
        }
        response_member.insert(
            "ResponseMetadata".into(),
            serde_json::json!({ "RequestId": request_id }),
        );
        let body = serde_json::json!({ format!("{action}Response"): response_member });
        return response(format, StatusCode::OK, body.to_string(), request_id);
    }
    let result = match &written {
        Some(Written::Xml(xml)) => xml.as_str(),
        _ => "",
    };
    let mut body = String::with_capacity(256 + result.len());
    for part in ["<", action, "Response xmlns=\"", service.namespace(), "\">"] {
        body.push_str(part);
    }
    body.push_str(result);
    body.push_str("<ResponseMetadata>");
    element(&mut body, "RequestId", request_id);
    for part in ["</ResponseMetadata></", action, "Response>"] {
        body.push_str(part);
    }
    response(format, StatusCode::OK, body, request_id)
}

/// `<ErrorResponse><Error><Type>Sender|Receiver</Type><Code/><Message/></Error><RequestId/>`,
/// or as JSON `{"Error": {"Type", "Code", "Message"}, "RequestId"}` (UNCONFIRMED: the JSON
/// error's shape, by analogy with the XML one).
pub fn error(
    service: QueryService,
    format: Format,
    err: &AwsError,
    request_id: &str,
) -> HttpResponse {
    let kind = if err.status.is_server_error() {
        "Receiver"
    } else {
        "Sender"
    };
    let body = match format {
        Format::Json => serde_json::json!({
            "Error": {"Type": kind, "Code": err.code, "Message": err.message},
            "RequestId": request_id,
        })
        .to_string(),
        Format::Xml => format!(
            "<ErrorResponse xmlns=\"{}\"><Error><Type>{kind}</Type><Code>{}</Code><Message>{}</Message></Error><RequestId>{}</RequestId></ErrorResponse>",
            service.namespace(),
            err.code,
            escape(&err.message),
            escape(request_id)
        ),
    };
    response(format, err.status, body, request_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_lists_are_arrays_and_the_envelope_is_the_xml_one() {
        let output = serde_json::json!({
            "Users": {"member": [{"UserName": "a", "Tags": {"member": []}}]},
            "IsTruncated": false,
        });
        let Ok(Some(written)) = rendered("ListUsers", Ok::<_, AwsError>(output)) else {
            panic!("an output");
        };
        let answer = ok(
            QueryService::Iam,
            Format::Json,
            "ListUsers",
            Some(written),
            "rid",
        );
        assert_eq!(answer.headers()["content-type"], "application/json");
        let (_, body) = answer.into_parts();
        let body = futures_util::FutureExt::now_or_never(http_body_util::BodyExt::collect(body))
            .expect("a full body is ready")
            .expect("infallible")
            .to_bytes();
        let value: serde_json::Value = serde_json::from_slice(&body).expect("JSON");
        assert_eq!(
            value,
            serde_json::json!({"ListUsersResponse": {
                "ListUsersResult": {"Users": [{"UserName": "a", "Tags": []}], "IsTruncated": false},
                "ResponseMetadata": {"RequestId": "rid"},
            }})
        );
    }

    #[test]
    fn accept_names_json_among_other_types() {
        let mut headers = http::HeaderMap::new();
        assert_eq!(Format::of(&headers), Format::Xml);
        headers.insert(
            http::header::ACCEPT,
            "text/html, Application/JSON; q=0.9".parse().unwrap(),
        );
        assert_eq!(Format::of(&headers), Format::Json);
    }
}
