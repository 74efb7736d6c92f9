//! strata's own endpoints under `/_strata/`: health, the server clock, the policy
//! simulator, the recent denials, the accounts, and the web console's files.
//!
//! - `GET /_strata/health` → `{"status":"ok"}`
//! - `GET /_strata/clock` → `{"now":"…","offset_seconds":N}`
//! - `POST /_strata/clock` with `{"advance_seconds":N}` moves service time forward
//!   (never back) and persists the offset before answering.
//! - `POST /_strata/simulate` decides a request against the stored policies (see
//!   `strata_app::simulate`).
//! - `GET /_strata/denials` → `{"denials":[…]}`: the recent denials with their policy traces,
//!   newest first (`strata_app::denials`), limited like `simulate`.
//! - `GET /_strata/progress?arn=ARN` → `{"progress":{"items","bytes","files"}}` (or `null`):
//!   a running export's or import's work so far (`strata_app::progress`), for the console.
//! - `GET /_strata/accounts` → `{"region":…,"accounts":[{"id","alias",…}]}`: with each root
//!   key and secret for an unsigned caller on loopback (what the console signs with there);
//!   for a signed caller, the ids and aliases it may see, without keys.
//! - `GET /_strata/console/…`: the web console's files ([`crate::console`]), to anyone.
//!
//! Who may call them: anyone on loopback (strata is a local development server, and moving
//! its clock is how tests exercise time-based behaviour) whose request names a loopback host
//! and, from a browser, comes from a page of that host (not another site, not a DNS-rebound
//! name: [`local_page`]), unless `--admin-auth`; from
//! anywhere else, and on loopback with `--admin-auth`, every endpoint but health needs a
//! SigV4-signed request (signing name `strata`) from an account's root user, and `simulate`
//! then answers only about the signing account's principals and resources; or signed with
//! an access key the config names in `admin_access_key_ids`, and `simulate` answers about
//! every account. Who moved the clock is logged.

use bytes::Bytes;
use http::request::Parts;
use http::{Method, StatusCode};
use http_body_util::Full;
use serde::Deserialize;

use crate::auth::{AuthRejection, authenticate};
use crate::edge::Edge;
use crate::protocol::HttpResponse;
use strata_app::{AdvanceError, App};
use strata_iam::Principal;

/// The signing name strata's own endpoints accept.
pub const SIGNING_NAME: &str = "strata";

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

/// Who an admin request is from.
enum Admin {
    /// Loopback without `--admin-auth`: anyone.
    Local,
    /// The root user of this account.
    Root(String),
    /// The holder of an access key the config names as an admin key (`principal` is the
    /// key's owner's ARN).
    Operator {
        access_key_id: String,
        principal: String,
    },
}

impl Admin {
    /// The account `simulate` is limited to; `None` answers about every account.
    fn account(&self) -> Option<&str> {
        match self {
            Admin::Local | Admin::Operator { .. } => None,
            Admin::Root(account) => Some(account),
        }
    }

    fn name(&self) -> String {
        match self {
            Admin::Local => "an unsigned caller on loopback".to_owned(),
            Admin::Root(account) => format!("the root user of {account}"),
            Admin::Operator {
                access_key_id,
                principal,
            } => format!("admin key {access_key_id} of {principal}"),
        }
    }
}

/// Whether a loopback request comes from a local page, not another site through the
/// browser: its `Host` names loopback (a DNS-rebound name does not), and an `Origin`, when
/// the browser sends one, is that same host (a cross-site form or fetch is not). Other
/// requests must be signed, like any from off loopback.
fn local_page(parts: &Parts) -> bool {
    let header = |name: http::header::HeaderName| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_ascii_lowercase)
    };
    // Behind a reverse proxy every remote caller would arrive from loopback.
    if ["forwarded", "x-forwarded-for", "x-real-ip"]
        .iter()
        .any(|h| parts.headers.contains_key(*h))
    {
        return false;
    }
    let same_origin = |host: &str| {
        header(http::header::ORIGIN).is_none_or(|origin| {
            origin
                .split_once("://")
                .is_some_and(|(_, rest)| rest == host)
        })
    };
    let Some(host) = header(http::header::HOST) else {
        return header(http::header::ORIGIN).is_none();
    };
    let name = host
        .rsplit_once(':')
        .filter(|(name, port)| !name.ends_with(':') && port.bytes().all(|b| b.is_ascii_digit()))
        .map_or(host.as_str(), |(name, _)| name);
    // Not `*.localhost`: those names are virtual-hosted buckets, whose objects a browser
    // would run in their own origin.
    let loopback_name = name == "localhost"
        || name == "[::1]"
        || name
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback());
    loopback_name && same_origin(&host)
}

/// The caller of an admin endpoint, or the status and reason that refuse it.
fn admin(edge: &Edge, parts: &Parts, body: &[u8]) -> Result<Admin, (StatusCode, String)> {
    let loopback = parts
        .extensions
        .get::<std::net::SocketAddr>()
        .is_some_and(|peer| peer.ip().to_canonical().is_loopback());
    if loopback && !edge.options.admin_auth && local_page(parts) {
        return Ok(Admin::Local);
    }
    let refused = |why: String| (StatusCode::FORBIDDEN, why);
    match authenticate(edge, parts, body, &[SIGNING_NAME]) {
        Ok(caller)
            if !caller.session && edge.options.admin_keys.contains(&caller.access_key_id) =>
        {
            Ok(Admin::Operator {
                principal: caller.principal.arn(),
                access_key_id: caller.access_key_id,
            })
        }
        Ok(caller) => match caller.principal {
            Principal::Root { account } if !caller.session => Ok(Admin::Root(account.to_string())),
            other => Err(refused(format!(
                "strata's own endpoints answer an account's root user only (or an admin key the config names), not {}",
                other.arn()
            ))),
        },
        Err(AuthRejection::Denied(e)) => Err(refused(format!(
            "strata's own endpoints need a request signed (SigV4, signing name `{SIGNING_NAME}`) by an account's root user: {}",
            e.message
        ))),
        Err(AuthRejection::Internal(e)) => Err((StatusCode::INTERNAL_SERVER_ERROR, e)),
    }
}

/// The recent denials the caller may see, narrowed to `?account=ID` when asked. An account's
/// root sees the denials of its principals and on its resources, but a trace only when both
/// sides are its own: a trace names the other account's policies, which AWS tells neither.
fn denials(app: &App, caller: &Admin, query: &str) -> serde_json::Value {
    let asked = query
        .split('&')
        .find_map(|p| p.strip_prefix("account="))
        .filter(|a| !a.is_empty());
    let mut denials = app.denials.recent(caller.account().or(asked));
    if let Some(asked) = asked {
        denials.retain(|d| d.principal_account == asked || d.resource_account == asked);
    }
    if let Some(account) = caller.account() {
        for d in &mut denials {
            let own = d.principal_account == account
                && (d.resource_account.is_empty() || d.resource_account == account);
            if !own {
                d.trace = vec![
                    "(the trace names another account's policies: ask on loopback or with an admin key)"
                        .to_owned(),
                ];
            }
        }
    }
    serde_json::json!({ "denials": denials })
}

/// The accounts the caller may see; their root keys only for an unsigned caller on loopback.
fn accounts(app: &App, caller: &Admin) -> HttpResponse {
    let roots = match app.iam.root_accounts() {
        Ok(roots) => roots,
        Err(e) => {
            tracing::error!(error = %e, "cannot read the accounts");
            return json(
                StatusCode::INTERNAL_SERVER_ERROR,
                serde_json::json!({"error": e.to_string()}),
            );
        }
    };
    let accounts: Vec<serde_json::Value> = roots
        .iter()
        .filter(|r| caller.account().is_none_or(|a| a == r.account.id.as_str()))
        .map(|r| {
            let mut account = serde_json::json!({
                "id": r.account.id.to_string(),
                "alias": r.account.alias,
            });
            if matches!(caller, Admin::Local) {
                account["access_key_id"] = r.root_key.access_key_id.clone().into();
                account["secret_access_key"] = r.root_key.secret_access_key.clone().into();
            }
            account
        })
        .collect();
    let mut response = json(
        StatusCode::OK,
        serde_json::json!({ "region": app.default_region, "accounts": accounts }),
    );
    response.headers_mut().insert(
        http::header::CACHE_CONTROL,
        http::HeaderValue::from_static("no-store"),
    );
    response
}

/// Handles an admin request; returns the response and the operation name for logs.
pub async fn handle(edge: &Edge, parts: &Parts, body: &[u8]) -> (HttpResponse, &'static str) {
    let app = &edge.app;
    let (method, path) = (&parts.method, parts.uri.path());
    let query = parts.uri.query().unwrap_or_default();
    if method == Method::GET && crate::console::is_console(path) {
        return (crate::console::serve(path), "Console");
    }
    if !(method == Method::GET && path == "/_strata/health") {
        let caller = match admin(edge, parts, body) {
            Ok(caller) => caller,
            Err((status, why)) => {
                return (json(status, serde_json::json!({ "error": why })), "Refused");
            }
        };
        return answer(app, method, (path, query), body, &caller).await;
    }
    answer(app, method, (path, query), body, &Admin::Local).await
}

async fn answer(
    app: &App,
    method: &Method,
    (path, query): (&str, &str),
    body: &[u8],
    caller: &Admin,
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
                Ok(()) => {
                    tracing::info!(
                        target: "strata::admin",
                        by = %caller.name(),
                        seconds = advance.advance_seconds,
                        now = %app.clock.now(),
                        "server clock moved"
                    );
                    json(StatusCode::OK, clock_body(app))
                }
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
        (&Method::GET, "/_strata/denials") => {
            (json(StatusCode::OK, denials(app, caller, query)), "Denials")
        }
        (&Method::GET, "/_strata/accounts") => (accounts(app, caller), "Accounts"),
        (&Method::GET, "/_strata/progress") => {
            let params = crate::protocol::query::Params::parse(query, b"");
            let arn = params.get("arn").unwrap_or_default();
            // An account's root sees its own jobs only (the ARN names the table's account).
            let visible = caller
                .account()
                .is_none_or(|a| arn.split(':').nth(4) == Some(a));
            let progress = visible.then(|| app.progress.get(arn)).flatten();
            (
                json(StatusCode::OK, serde_json::json!({ "progress": progress })),
                "Progress",
            )
        }
        (&Method::POST, "/_strata/simulate") => {
            let result = serde_json::from_slice::<strata_app::simulate::SimulateRequest>(body)
                .map_err(|e| format!("bad simulation request: {e}"))
                .and_then(|request| strata_app::simulate::simulate(app, request, caller.account()));
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
