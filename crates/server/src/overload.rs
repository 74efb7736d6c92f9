//! The cap on concurrent connections, seen from outside as AWS shows throttling. A
//! connection over the cap is served one request, answered with its protocol's throttling
//! error (S3 `503 SlowDown`, DynamoDB and KMS `ThrottlingException`, IAM and STS
//! `Throttling`: codes the SDKs back off on and retry), and closed. Past a further allowance
//! connections are closed unanswered, so a flood cannot hold unbounded sockets and tasks.

use std::sync::Arc;

use bytes::Bytes;
use http::StatusCode;
use http::request::Parts;
use http_body_util::Full;
use strata_app::request_id;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::protocol::query::{self, Params, QueryService};
use crate::protocol::{AwsError, HttpResponse, json};
use crate::route::Route;
use crate::services;

/// Connections over the cap that are still answered (once) rather than closed unanswered.
const OVERLOAD_ALLOWANCE: usize = 64;

/// Marks every request of a connection accepted over the cap.
#[derive(Clone, Copy, Debug)]
pub struct Overloaded;

/// The served connections and the answered-overloaded ones.
pub struct ConnectionLimits {
    served: Arc<Semaphore>,
    overloaded: Arc<Semaphore>,
}

/// A connection's place, held for its life.
pub struct Slot {
    _permit: OwnedSemaphorePermit,
    overloaded: bool,
}

impl Slot {
    pub fn overloaded(&self) -> bool {
        self.overloaded
    }
}

impl ConnectionLimits {
    pub fn new(max_connections: usize) -> Self {
        Self {
            served: Arc::new(Semaphore::new(
                max_connections.clamp(1, Semaphore::MAX_PERMITS),
            )),
            overloaded: Arc::new(Semaphore::new(OVERLOAD_ALLOWANCE)),
        }
    }

    /// A place for a new connection, or `None` when even the overload allowance is used up.
    pub fn admit(&self) -> Option<Slot> {
        if let Ok(permit) = Arc::clone(&self.served).try_acquire_owned() {
            return Some(Slot {
                _permit: permit,
                overloaded: false,
            });
        }
        let permit = Arc::clone(&self.overloaded).try_acquire_owned().ok()?;
        tracing::debug!("connection cap reached: a new connection is answered with throttling");
        Some(Slot {
            _permit: permit,
            overloaded: true,
        })
    }
}

/// The throttling answer to a request on an overloaded connection, in its protocol's shape.
pub fn response(route: &Route, parts: &Parts) -> (HttpResponse, &'static str) {
    let response = match route {
        Route::Admin => http::Response::builder()
            .status(StatusCode::SERVICE_UNAVAILABLE)
            .header(http::header::CONTENT_TYPE, "application/json")
            .body(Full::new(Bytes::from_static(
                br#"{"error":"too many connections; retry later"}"#,
            )))
            .expect("static header names and valid values"),
        Route::Json { target } if target.starts_with(services::kms::TARGET_PREFIX) => {
            let err = AwsError::new(
                "ThrottlingException",
                StatusCode::BAD_REQUEST,
                "Rate exceeded",
            );
            let (status, body) = json::body(Err(err));
            json::response_1_1(status, body, &request_id::query())
        }
        Route::Json { .. } => {
            let err = AwsError::new(
                "com.amazonaws.dynamodb.v20120810#ThrottlingException",
                StatusCode::BAD_REQUEST,
                "Rate of requests exceeds the allowed throughput.",
            );
            let (status, body) = json::body(Err(err));
            json::response(status, body, None, &request_id::dynamodb())
        }
        Route::Query => {
            // Only the query string is read: the body of an overloaded request is not.
            let service = Params::parse(parts.uri.query().unwrap_or_default(), b"")
                .get("Version")
                .and_then(QueryService::from_version)
                .unwrap_or(QueryService::Sts);
            let err = AwsError::new("Throttling", StatusCode::BAD_REQUEST, "Rate exceeded");
            query::error(
                service,
                query::Format::of(&parts.headers),
                &err,
                &request_id::query(),
            )
        }
        Route::S3 => {
            let id = request_id::s3();
            http::Response::builder()
                .status(StatusCode::SERVICE_UNAVAILABLE)
                .header(http::header::CONTENT_TYPE, "application/xml")
                .header("x-amz-request-id", id.as_str())
                .body(Full::new(Bytes::from(format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message><RequestId>{id}</RequestId></Error>"
                ))))
                .expect("static header names and valid values")
        }
    };
    (response, "Throttled")
}
