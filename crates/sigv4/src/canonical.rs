//! The canonical request and the string to sign (SigV4 tasks 1 and 2).
//!
//! These are the only functions that turn a request into the bytes that get signed;
//! the verifier and the client signer both call them.

use sha2::{Digest, Sha256};

use crate::RequestParts;
use crate::authorization::CredentialScope;

/// How the path becomes the canonical URI.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UriEncoding {
    /// Every AWS service but S3: the path is normalised (dot segments removed) and
    /// URI-encoded once more, so an already-encoded path is encoded twice.
    Double,
    /// S3: the path is used as sent, with no normalisation or second encoding.
    Single,
}

/// URI-encodes bytes the SigV4 way: unreserved characters stay, everything else
/// becomes `%XX` with upper-case hex. `/` stays when `keep_slash`.
pub fn uri_encode(input: &[u8], keep_slash: bool) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(input.len());
    for &b in input {
        if b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'_' | b'.' | b'~')
            || (keep_slash && b == b'/')
        {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 15)] as char);
        }
    }
    out
}

/// Decodes `%XX` escapes (only those: `+` stays `+`, as SigV4 requires). Malformed
/// escapes are kept literally.
pub(crate) fn percent_decode_bytes(input: &str) -> Vec<u8> {
    let b = input.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = |c: u8| (c as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

/// [`percent_decode_bytes`] as a string (lossy for invalid UTF-8).
pub(crate) fn percent_decode(input: &str) -> String {
    String::from_utf8_lossy(&percent_decode_bytes(input)).into_owned()
}

/// Raw `name=value` pairs of a query string, still encoded; a pair without `=` has
/// an empty value.
pub(crate) fn query_pairs(query: &str) -> impl Iterator<Item = (&str, &str)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| p.split_once('=').unwrap_or((p, "")))
}

/// The canonical query string: every parameter decoded, re-encoded strictly and
/// sorted by name then value. `X-Amz-Signature` is left out (presigned requests).
pub fn canonical_query(query: &str) -> String {
    let mut pairs: Vec<(String, String)> = query_pairs(query)
        .filter(|(k, _)| *k != "X-Amz-Signature")
        .map(|(k, v)| {
            (
                uri_encode(&percent_decode_bytes(k), false),
                uri_encode(&percent_decode_bytes(v), false),
            )
        })
        .collect();
    pairs.sort_unstable();
    let mut out = String::with_capacity(query.len() + 8);
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        out.push_str(v);
    }
    out
}

/// The canonical URI of a path as sent.
pub fn canonical_uri(path: &str, encoding: UriEncoding) -> String {
    match encoding {
        UriEncoding::Single if path.is_empty() => "/".to_owned(),
        UriEncoding::Single => uri_encode(&percent_decode_bytes(path), true),
        UriEncoding::Double if path == "/" => "/".to_owned(),
        UriEncoding::Double => {
            let normalized = remove_dot_segments(path);
            uri_encode(normalized.as_bytes(), true)
        }
    }
}

/// RFC 3986 §5.2.4 plus collapsed empty segments, as AWS's signers normalise
/// non-S3 paths (AWS test suite `normalize-path/*`: `//example//` → `/example/`).
/// The result always starts with `/`; a trailing slash is kept.
fn remove_dot_segments(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    let segments: Vec<&str> = path.split('/').collect();
    let last = segments.len().saturating_sub(1);
    let mut trailing_slash = false;
    for (i, seg) in segments.iter().enumerate() {
        match *seg {
            "." => trailing_slash = i == last,
            ".." => {
                out.pop();
                trailing_slash = i == last;
            }
            "" => trailing_slash = i == last && i > 0,
            s => {
                out.push(s);
                trailing_slash = false;
            }
        }
    }
    let mut result = String::with_capacity(path.len() + 1);
    for seg in &out {
        result.push('/');
        result.push_str(seg);
    }
    if trailing_slash || result.is_empty() {
        result.push('/');
    }
    result
}

/// Collapses runs of spaces and trims, as SigV4's `Trimall`.
fn trim_all(value: &str, out: &mut String) {
    let value = value.trim_matches([' ', '\t']);
    if !value.contains('\t') && !value.contains("  ") {
        out.push_str(value);
        return;
    }
    let mut space = false;
    for c in value.chars() {
        if c == ' ' || c == '\t' {
            space = true;
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.push(c);
    }
}

/// The canonical request for `req`, covering `signed_headers` (lower case).
///
/// Header values that are not UTF-8 are read lossily; such a request cannot have been
/// signed by any AWS SDK, so the result is only ever a mismatch.
pub fn canonical_request(
    req: &RequestParts<'_>,
    signed_headers: &[String],
    payload_hash: &str,
    encoding: UriEncoding,
) -> String {
    let mut out = String::with_capacity(256);
    out.push_str(req.method);
    out.push('\n');
    out.push_str(&canonical_uri(req.path, encoding));
    out.push('\n');
    out.push_str(&canonical_query(req.query));
    out.push('\n');
    let mut sorted: Vec<&String> = signed_headers.iter().collect();
    sorted.sort_unstable();
    sorted.dedup();
    for name in &sorted {
        out.push_str(name);
        out.push(':');
        for (i, value) in req.header_values(name).enumerate() {
            if i > 0 {
                out.push(',');
            }
            match std::str::from_utf8(value) {
                Ok(text) => trim_all(text, &mut out),
                Err(_) => trim_all(&String::from_utf8_lossy(value), &mut out),
            }
        }
        out.push('\n');
    }
    out.push('\n');
    for (i, name) in sorted.iter().enumerate() {
        if i > 0 {
            out.push(';');
        }
        out.push_str(name);
    }
    out.push('\n');
    out.push_str(payload_hash);
    out
}

/// Lower-case hex SHA-256.
pub fn hex_sha256(data: &[u8]) -> String {
    lower_hex(&Sha256::digest(data))
}

/// Lower-case hex of bytes (a table lookup; `hex::encode` goes through chars).
pub(crate) fn lower_hex(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = vec![0u8; bytes.len() * 2];
    for (pair, b) in out.chunks_exact_mut(2).zip(bytes) {
        pair[0] = HEX[usize::from(b >> 4)];
        pair[1] = HEX[usize::from(b & 15)];
    }
    String::from_utf8(out).expect("hex digits are ASCII")
}

/// `AWS4-HMAC-SHA256\n<date>\n<scope>\n<hex sha256(canonical request)>`.
pub fn string_to_sign(amz_date: &str, scope: &CredentialScope, canonical_request: &str) -> String {
    let hash = hex_sha256(canonical_request.as_bytes());
    let mut out = String::with_capacity(160);
    for part in [crate::ALGORITHM, "\n", amz_date, "\n"] {
        out.push_str(part);
    }
    scope.write_scope(&mut out);
    out.push('\n');
    out.push_str(&hash);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_like_aws() {
        assert_eq!(uri_encode(b"a b+c/~d", false), "a%20b%2Bc%2F~d");
        assert_eq!(uri_encode("ሴ".as_bytes(), true), "%E1%88%B4");
    }

    #[test]
    fn decoding_keeps_plus_and_bad_escapes() {
        assert_eq!(percent_decode("a+b%2Fc%zz%4"), "a+b/c%zz%4");
        assert_eq!(percent_decode("%"), "%");
        assert_eq!(percent_decode("%4"), "%4");
    }

    #[test]
    fn query_is_sorted_and_reencoded() {
        assert_eq!(canonical_query("b=2&a=%7e&a=1&c"), "a=1&a=~&b=2&c=");
        assert_eq!(canonical_query("X-Amz-Signature=ff&x=1"), "x=1");
    }

    #[test]
    fn dot_segments() {
        assert_eq!(remove_dot_segments("/"), "/");
        assert_eq!(remove_dot_segments(""), "/");
        assert_eq!(remove_dot_segments("/example/.."), "/");
        assert_eq!(remove_dot_segments("/example1/example2/../.."), "/");
        assert_eq!(remove_dot_segments("/./"), "/");
        assert_eq!(remove_dot_segments("/a/./b/"), "/a/b/");
        assert_eq!(remove_dot_segments("//example//"), "/example/");
        assert_eq!(remove_dot_segments("//"), "/");
        assert_eq!(remove_dot_segments("/./example"), "/example");
    }

    #[test]
    fn double_encoding_for_non_s3() {
        assert_eq!(canonical_uri("/a%20b", UriEncoding::Double), "/a%2520b");
        assert_eq!(canonical_uri("/a%20b", UriEncoding::Single), "/a%20b");
    }
}
