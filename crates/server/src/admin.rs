//! strata's own endpoints under `/_strata/`: health and the server clock.
//!
//! - `GET /_strata/health` → `{"status":"ok"}`
//! - `GET /_strata/clock` → `{"now":"…","offset_seconds":N}`
//! - `POST /_strata/clock` with `{"advance_seconds":N}` moves service time forward
//!   (never back) and persists the offset before answering.
//! - `POST /_strata/simulate` decides a request against the stored policies (see
//!   `strata_app::simulate`).
//!
//! They are unauthenticated: strata is a local development server, and moving its
//! clock is how tests exercise time-based behaviour.

use bytes::Bytes;
use http::{Method, StatusCode};
use http_body_util::Full;
use serde::Deserialize;

use crate::protocol::HttpResponse;
use strata_app::{AdvanceError, App};

fn json(status: StatusCode, value: serde_json::Value) -> HttpResponse {
    http::Response::builder()
        .status(status)
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(Full::new(Bytes::from(value.to_string())))
        .expect("static header names and valid values")
}

fn clock_body(app: &App) -> serde_json::Value {
    serde_json::json!({
        "now": app.clock.now().to_string(),
        "offset_seconds": app.clock.offset_seconds(),
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Advance {
    advance_seconds: f64,
}

/// Handles an admin request; returns the response and the operation name for logs.
pub async fn handle(
    app: &App,
    method: &Method,
    path: &str,
    body: &[u8],
) -> (HttpResponse, &'static str) {
    match (method, path) {
        (&Method::GET, "/_strata/health") => (
            json(StatusCode::OK, serde_json::json!({"status": "ok"})),
            "Health",
        ),
        (&Method::GET, "/_strata/clock") => (json(StatusCode::OK, clock_body(app)), "GetClock"),
        (&Method::POST, "/_strata/clock") => {
            let advance = match serde_json::from_slice::<Advance>(body) {
                Ok(a) => a,
                Err(e) => {
                    return (
                        json(
                            StatusCode::BAD_REQUEST,
                            serde_json::json!({"error": format!("expected {{\"advance_seconds\": N}}: {e}")}),
                        ),
                        "AdvanceClock",
                    );
                }
            };
            let response = match app.advance_clock(advance.advance_seconds).await {
                Ok(()) => json(StatusCode::OK, clock_body(app)),
                Err(AdvanceError::Backwards) => json(
                    StatusCode::BAD_REQUEST,
                    serde_json::json!({"error": "advance_seconds must be a finite number >= 0: the clock only moves forward"}),
                ),
                Err(AdvanceError::Storage(e)) => {
                    tracing::error!(error = %e, "could not persist the clock offset");
                    json(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        serde_json::json!({"error": e.to_string()}),
                    )
                }
            };
            (response, "AdvanceClock")
        }
        (&Method::POST, "/_strata/simulate") => {
            let result = serde_json::from_slice::<strata_app::simulate::SimulateRequest>(body)
                .map_err(|e| format!("bad simulation request: {e}"))
                .and_then(|request| strata_app::simulate::simulate(app, request));
            let response = match result {
                Ok(answer) => json(StatusCode::OK, answer),
                Err(error) => json(
                    StatusCode::BAD_REQUEST,
                    serde_json::json!({ "error": error }),
                ),
            };
            (response, "Simulate")
        }
        _ => (
            json(
                StatusCode::NOT_FOUND,
                serde_json::json!({"error": "no such strata endpoint"}),
            ),
            "Unknown",
        ),
    }
}
