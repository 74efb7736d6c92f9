//! S3's REST error shape. S3 itself is served by a later layer; until then every S3
//! request is answered `NotImplemented`, in S3's own XML.

use bytes::Bytes;
use http::StatusCode;
use http_body_util::Full;

use super::xml::element;
use super::{AwsError, HttpResponse};

pub fn not_implemented() -> AwsError {
    AwsError::new(
        "NotImplemented",
        StatusCode::NOT_IMPLEMENTED,
        "A header you provided implies functionality that is not implemented",
    )
}

/// `<Error><Code/><Message/><RequestId/><HostId/></Error>` with S3's id headers.
pub fn error(err: &AwsError, request_id: &str, host_id: &str) -> HttpResponse {
    let mut body = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>");
    element(&mut body, "Code", err.code);
    element(&mut body, "Message", &err.message);
    element(&mut body, "RequestId", request_id);
    element(&mut body, "HostId", host_id);
    body.push_str("</Error>");
    http::Response::builder()
        .status(err.status)
        .header(http::header::CONTENT_TYPE, "application/xml")
        .header("x-amz-request-id", request_id)
        .header("x-amz-id-2", host_id)
        .body(Full::new(Bytes::from(body)))
        .expect("static header names and valid values")
}
