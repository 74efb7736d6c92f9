//! The web console's files, served under `/_strata/console/`: one page and its script and
//! style, embedded in the binary (no build step). The page calls strata's own APIs from the
//! browser, signed with SigV4 like any SDK's request, so it can do nothing a client could
//! not; on loopback it asks `GET /_strata/accounts` for the configured accounts' keys,
//! elsewhere it asks the user for an access key.
//!
//! `STRATA_CONSOLE_DIR`, when set, serves the files from that directory instead (for
//! working on the console without rebuilding).

use bytes::Bytes;
use http::StatusCode;
use http_body_util::Full;

use crate::protocol::HttpResponse;

/// The path the console lives under.
pub const PREFIX: &str = "/_strata/console/";

/// Each file: its name under [`PREFIX`], its content type, its embedded bytes.
const FILES: [(&str, &str, &str); 4] = [
    (
        "",
        "text/html; charset=utf-8",
        include_str!("../console/index.html"),
    ),
    (
        "console.js",
        "text/javascript; charset=utf-8",
        include_str!("../console/console.js"),
    ),
    (
        "sigv4.js",
        "text/javascript; charset=utf-8",
        include_str!("../console/sigv4.js"),
    ),
    (
        "console.css",
        "text/css; charset=utf-8",
        include_str!("../console/console.css"),
    ),
];

/// Whether `path` is the console's (served to anyone: the files hold no secrets).
pub fn is_console(path: &str) -> bool {
    path == "/_strata/console" || path.starts_with(PREFIX)
}

/// The file at `path`, or a redirect to the console's root, or 404.
pub fn serve(path: &str) -> HttpResponse {
    let Some(name) = path.strip_prefix(PREFIX) else {
        return http::Response::builder()
            .status(StatusCode::MOVED_PERMANENTLY)
            .header(http::header::LOCATION, PREFIX)
            .body(Full::new(Bytes::new()))
            .expect("static header names and valid values");
    };
    let name = if name == "index.html" { "" } else { name };
    let Some((_, content_type, embedded)) = FILES.iter().find(|(n, _, _)| *n == name) else {
        return http::Response::builder()
            .status(StatusCode::NOT_FOUND)
            .header(http::header::CONTENT_TYPE, "text/plain; charset=utf-8")
            .body(Full::new(Bytes::from_static(b"no such console file\n")))
            .expect("static header names and valid values");
    };
    let body = match std::env::var_os("STRATA_CONSOLE_DIR") {
        Some(dir) => {
            let file = if name.is_empty() { "index.html" } else { name };
            std::fs::read(std::path::Path::new(&dir).join(file))
                .map_or_else(|_| Bytes::from_static(embedded.as_bytes()), Bytes::from)
        }
        None => Bytes::from_static(embedded.as_bytes()),
    };
    http::Response::builder()
        .status(StatusCode::OK)
        .header(http::header::CONTENT_TYPE, *content_type)
        .header(http::header::CACHE_CONTROL, "no-cache")
        .header("x-content-type-options", "nosniff")
        .header(
            "content-security-policy",
            "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
        )
        .body(Full::new(body))
        .expect("static header names and valid values")
}
