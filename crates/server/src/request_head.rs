//! A request's head (request line and header fields) as it came over the wire, and the
//! limit DynamoDB's front end puts on it.
//!
//! DynamoDB answers a head of more than 16 KB with a bare "400 Bad Request", before it looks
//! at the signature or the operation (ScyllaDB issue #23438, from requests sent to DynamoDB;
//! alternator's test_manual_requests.py, scylladb PR #23442, sends a 17,000-byte URL path
//! and expects 400 without an InvalidSignatureException). UNCONFIRMED: the body of that
//! answer (strata sends none) and exactly which bytes count against the 16 KB (strata counts
//! the request line and every `name: value` line with their line ends). Heads beyond hyper's
//! buffer (about 400 KB) are refused by hyper itself, with 431.

use http::request::Parts;

/// The largest DynamoDB request head, in bytes.
pub const MAX_DYNAMODB_HEAD_BYTES: usize = 16 * 1024;

/// The size of `parts`' head as HTTP/1.1 sends it.
pub fn head_size(parts: &Parts) -> usize {
    let target = parts.uri.path_and_query().map_or(1, |p| p.as_str().len());
    // "METHOD target HTTP/1.1\r\n"
    let request_line = parts.method.as_str().len() + 1 + target + 1 + "HTTP/1.1\r\n".len();
    let fields: usize = parts
        .headers
        .iter()
        .map(|(name, value)| name.as_str().len() + ": ".len() + value.len() + "\r\n".len())
        .sum();
    request_line + fields + "\r\n".len()
}

/// DynamoDB's answer to a head over [`MAX_DYNAMODB_HEAD_BYTES`]: 400 with no body.
pub fn too_large() -> crate::protocol::HttpResponse {
    http::Response::builder()
        .status(http::StatusCode::BAD_REQUEST)
        .body(http_body_util::Full::new(bytes::Bytes::new()))
        .expect("a status and an empty body are a valid response")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(uri: &str, headers: &[(&str, &str)]) -> Parts {
        let mut b = http::Request::builder().method("POST").uri(uri);
        for (n, v) in headers {
            b = b.header(*n, *v);
        }
        b.body(()).expect("valid test request").into_parts().0
    }

    #[test]
    fn counts_the_request_line_and_every_field() {
        // "POST / HTTP/1.1\r\n" + "host: h\r\n" + "\r\n"
        assert_eq!(head_size(&parts("/", &[("host", "h")])), 17 + 9 + 2);
        let long = "x".repeat(MAX_DYNAMODB_HEAD_BYTES);
        assert!(head_size(&parts(&format!("/{long}"), &[])) > MAX_DYNAMODB_HEAD_BYTES);
        assert!(head_size(&parts("/", &[("x-junk", &long)])) > MAX_DYNAMODB_HEAD_BYTES);
    }
}
