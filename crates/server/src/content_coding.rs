//! HTTP content codings (RFC 9110 §8.4) of DynamoDB bodies: a request body is decoded as its
//! `Content-Encoding` lists, a response is encoded as the request's `Accept-Encoding` asks.
//!
//! What DynamoDB does, from ScyllaDB's `test/alternator/test_compressed_request.py` and
//! `test_compressed_response.py` (written to pass against AWS):
//! - requests: `gzip` (several members may be concatenated) and `deflate` (a zlib stream,
//!   RFC 1950); an unknown coding, an empty or broken body answer HTTP 500
//!   `InternalServerError`; bytes after a whole gzip member that are not another member are
//!   ignored (the tests mark this a DynamoDB bug, so it is AWS's behaviour);
//! - responses: `gzip` or `deflate` as `Accept-Encoding` prefers, only for bodies of at least
//!   [`MIN_ENCODED_RESPONSE`] bytes.
//!
//! Decoding never holds more than the caller's limit of decoded bytes, whatever the ratio.
//! Both directions are CPU-bound: callers run them off the async workers.

use std::io::Read;

use bytes::Bytes;
use flate2::Compression;
use flate2::bufread::{GzDecoder, ZlibDecoder};
use flate2::write::{GzEncoder, ZlibEncoder};
use http::HeaderMap;
use http::header::{ACCEPT_ENCODING, CONTENT_ENCODING};

/// A content coding DynamoDB understands in both directions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Coding {
    Gzip,
    /// RFC 9110 §8.4.1.2: the zlib format (RFC 1950), which is what DynamoDB reads and sends
    /// (alternator's tests use Python's `zlib.compress`/`zlib.decompress`).
    Deflate,
}

/// The first bytes of a gzip member (RFC 1952 §2.3.1: ID1, ID2 and CM = deflate).
const GZIP_MEMBER: [u8; 3] = [0x1f, 0x8b, 0x08];

/// How many codings a request may stack. UNCONFIRMED what DynamoDB does with a list such as
/// `gzip, gzip`: strata decodes it as RFC 9110 §8.4 says (last applied, first removed), and
/// allows two because an SDK appends its own coding to one the caller set (botocore's
/// `compress.py`, `_set_compression_header`). Longer lists answer like an unknown coding.
const MAX_REQUEST_CODINGS: usize = 2;

/// DynamoDB compresses a response only from this size of its uncompressed body
/// (`DDB_RESPONSE_COMPRESSION_THRESHOLD` in alternator's `test_compressed_response.py`).
/// UNCONFIRMED whether a body of exactly this size is compressed; strata compresses it, as
/// alternator does.
pub const MIN_ENCODED_RESPONSE: usize = 4096;

impl Coding {
    /// Coding names are case-insensitive (RFC 9110 §8.4.1; DynamoDB honours `GZIP` in
    /// `Accept-Encoding`). `x-gzip` is not `gzip` to DynamoDB (it does not answer
    /// `Accept-Encoding: x-gzip` compressed); requests follow the same rule, UNCONFIRMED.
    fn from_name(name: &str) -> Option<Self> {
        if name.eq_ignore_ascii_case("gzip") {
            Some(Self::Gzip)
        } else if name.eq_ignore_ascii_case("deflate") {
            Some(Self::Deflate)
        } else {
            None
        }
    }

    /// The name as the `Content-Encoding` of a response.
    pub fn name(self) -> &'static str {
        match self {
            Self::Gzip => "gzip",
            Self::Deflate => "deflate",
        }
    }

    /// `body` in this coding, at zlib's default level (as alternator; DynamoDB's level is
    /// not observable beyond the size of its answers).
    pub fn encode(self, body: &[u8]) -> Vec<u8> {
        let out = Vec::with_capacity(body.len() / 2 + 64);
        let written = match self {
            Self::Gzip => {
                let mut e = GzEncoder::new(out, Compression::default());
                std::io::Write::write_all(&mut e, body).and_then(|()| e.finish())
            }
            Self::Deflate => {
                let mut e = ZlibEncoder::new(out, Compression::default());
                std::io::Write::write_all(&mut e, body).and_then(|()| e.finish())
            }
        };
        written.expect("compressing into a Vec cannot fail: writing to memory has no I/O error")
    }

    /// Decodes one layer, holding at most `limit` decoded bytes.
    fn decode(self, input: &[u8], limit: usize) -> Result<Vec<u8>, DecodeError> {
        let mut out = Vec::new();
        match self {
            Self::Gzip => {
                let mut rest = input;
                loop {
                    let mut member = GzDecoder::new(rest);
                    read_bounded(&mut member, &mut out, limit)?;
                    rest = member.into_inner();
                    // Trailing bytes that do not start another member are ignored, as
                    // DynamoDB does (alternator's `test_gzip_request_with_extra_junk` fails
                    // on AWS: the request succeeds); Java's `GZIPInputStream` behaves so.
                    if !rest.starts_with(&GZIP_MEMBER) {
                        return Ok(out);
                    }
                }
            }
            Self::Deflate => {
                // One zlib stream; what follows it is ignored. DynamoDB refuses two
                // concatenated streams (`test_deflate_request_two_deflates` is Scylla-only);
                // UNCONFIRMED how: reading only the first leaves a cut JSON document, which
                // answers `SerializationException`.
                read_bounded(&mut ZlibDecoder::new(input), &mut out, limit)?;
                Ok(out)
            }
        }
    }
}

/// Appends what `decoder` yields to `out`, failing once `out` would pass `limit`.
fn read_bounded(decoder: impl Read, out: &mut Vec<u8>, limit: usize) -> Result<(), DecodeError> {
    let room = limit.saturating_sub(out.len()) as u64;
    decoder
        .take(room + 1)
        .read_to_end(out)
        .map_err(|_| DecodeError::Undecodable)?;
    if out.len() > limit {
        return Err(DecodeError::TooLarge);
    }
    Ok(())
}

/// Why a request body could not be decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// A coding DynamoDB does not know, or too many of them.
    Unsupported,
    /// Not a valid stream of its coding: empty, truncated, corrupt.
    Undecodable,
    /// More decoded bytes than the request limit.
    TooLarge,
}

/// The codings a request's body carries, in the order they were applied (every
/// `Content-Encoding` line, comma-separated lists included); empty when it has none.
/// `identity` and empty list elements stand for no coding (RFC 9110 §5.6.1, §12.5.3).
pub fn request_codings(headers: &HeaderMap) -> Result<Vec<Coding>, DecodeError> {
    let mut codings = Vec::new();
    for line in headers.get_all(CONTENT_ENCODING) {
        let line = line.to_str().map_err(|_| DecodeError::Unsupported)?;
        for name in line.split(',').map(str::trim) {
            if name.is_empty() || name.eq_ignore_ascii_case("identity") {
                continue;
            }
            codings.push(Coding::from_name(name).ok_or(DecodeError::Unsupported)?);
        }
    }
    if codings.len() > MAX_REQUEST_CODINGS {
        return Err(DecodeError::Unsupported);
    }
    Ok(codings)
}

/// `body` with `codings` removed, last applied first; no layer may yield more than `limit`
/// bytes.
pub fn decode(codings: &[Coding], body: Bytes, limit: usize) -> Result<Bytes, DecodeError> {
    codings.iter().rev().try_fold(body, |body, coding| {
        coding.decode(&body, limit).map(Bytes::from)
    })
}

/// The coding the response to a request with these headers may use, if its body turns out
/// at least [`MIN_ENCODED_RESPONSE`] long. DynamoDB reads only the last `Accept-Encoding`
/// line (alternator's `test_compressed_response_accept_encodings`, on repeated headers).
pub fn response_coding(headers: &HeaderMap) -> Option<Coding> {
    let value = headers.get_all(ACCEPT_ENCODING).iter().next_back()?;
    negotiate(value.to_str().ok()?)
}

/// What an `Accept-Encoding` element can name, as indexes of the quality table.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Offer {
    Gzip = 0,
    Deflate = 1,
    Any = 2,
    Identity = 3,
}

impl Offer {
    fn from_name(name: &str) -> Option<Self> {
        match Coding::from_name(name) {
            Some(Coding::Gzip) => Some(Self::Gzip),
            Some(Coding::Deflate) => Some(Self::Deflate),
            None if name == "*" => Some(Self::Any),
            None if name.eq_ignore_ascii_case("identity") => Some(Self::Identity),
            None => None,
        }
    }
}

/// The coding DynamoDB picks for an `Accept-Encoding` value. Its rules are those alternator's
/// `response_compressor::find_compression` implements and its
/// `test_compressed_response_accept_encodings` checks against AWS: unknown names and
/// malformed elements are skipped; the highest quality wins, the earlier on a tie; a quality
/// is the first well-formed `q=` parameter, clamped to 0..=1, 1 when there is none; `q=0`
/// refuses a coding; `identity` is never preferred to a coding; `*` stands for the first
/// coding the value does not name, else for the best one it does.
fn negotiate(accept: &str) -> Option<Coding> {
    // `identity` is acceptable but below every positive quality, and its own elements are
    // ignored (`gzip;q=0.5,identity;q=0.8` answers gzip on AWS).
    let mut quality: [Option<f32>; 4] = [None, None, None, Some(f32::MIN_POSITIVE)];
    let q = |quality: &[Option<f32>; 4], offer: Offer| quality[offer as usize].unwrap_or(0.0);
    let mut selected = Offer::Identity;
    for element in accept.split(',') {
        let mut params = element.split(';');
        let Some(offer) = params.next().and_then(|name| Offer::from_name(name.trim())) else {
            continue;
        };
        let seen = quality[offer as usize];
        if seen.is_some_and(|q| q != 0.0) {
            continue;
        }
        quality[offer as usize] = Some(params.find_map(quality_value).or(seen).unwrap_or(1.0));
        let better = if selected == Offer::Any {
            q(&quality, offer) >= q(&quality, selected)
        } else {
            q(&quality, offer) > q(&quality, selected)
        };
        if better {
            selected = offer;
        }
    }
    if selected == Offer::Any {
        selected = Offer::Identity;
        for offer in [Offer::Gzip, Offer::Deflate] {
            if quality[offer as usize].is_none() {
                selected = offer;
                break;
            }
            if q(&quality, offer) > q(&quality, selected) {
                selected = offer;
            }
        }
    }
    match selected {
        Offer::Gzip => Some(Coding::Gzip),
        Offer::Deflate => Some(Coding::Deflate),
        Offer::Any | Offer::Identity => None,
    }
}

/// The value of a `q=` parameter (spaces allowed around `=`), clamped to 0..=1; `None` when
/// the parameter is something else or its number is malformed.
fn quality_value(param: &str) -> Option<f32> {
    let param = param.trim_start();
    let rest = param
        .strip_prefix('q')
        .or_else(|| param.strip_prefix('Q'))?;
    let number = rest.trim_start().strip_prefix('=')?.trim();
    if number.starts_with('+') {
        return None;
    }
    let value: f32 = number.parse().ok()?;
    Some(value.clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    const LIMIT: usize = 1 << 20;

    fn headers(name: http::HeaderName, values: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(name.clone(), HeaderValue::from_str(v).unwrap());
        }
        h
    }

    fn decode_one(coding: Coding, body: &[u8]) -> Result<Vec<u8>, DecodeError> {
        decode(&[coding], Bytes::copy_from_slice(body), LIMIT).map(|b| b.to_vec())
    }

    #[test]
    fn gzip_and_deflate_round_trip() {
        for coding in [Coding::Gzip, Coding::Deflate] {
            let body = br#"{"TableName":"t"}"#.repeat(100);
            let encoded = coding.encode(&body);
            assert!(encoded.len() < body.len());
            assert_eq!(decode_one(coding, &encoded).unwrap(), body);
        }
    }

    #[test]
    fn concatenated_gzip_members_are_one_body() {
        let mut two = Coding::Gzip.encode(b"{\"Table");
        two.extend(Coding::Gzip.encode(b"Name\":\"t\"}"));
        assert_eq!(
            decode_one(Coding::Gzip, &two).unwrap(),
            b"{\"TableName\":\"t\"}"
        );
    }

    #[test]
    fn junk_after_a_gzip_member_is_ignored_but_a_broken_member_is_not() {
        let mut junk = Coding::Gzip.encode(b"{}");
        junk.extend(b"junk");
        assert_eq!(decode_one(Coding::Gzip, &junk).unwrap(), b"{}");

        let mut broken = Coding::Gzip.encode(b"{}");
        broken.extend(&GZIP_MEMBER);
        assert_eq!(
            decode_one(Coding::Gzip, &broken),
            Err(DecodeError::Undecodable)
        );
    }

    #[test]
    fn empty_truncated_and_plain_bodies_are_undecodable() {
        for coding in [Coding::Gzip, Coding::Deflate] {
            let whole = coding.encode(b"{\"TableName\":\"t\"}");
            for bad in [
                &b""[..],
                &whole[..whole.len() - 1],
                &b"{\"TableName\":\"t\"}"[..],
            ] {
                assert_eq!(decode_one(coding, bad), Err(DecodeError::Undecodable));
            }
        }
        let mut corrupt = Coding::Gzip.encode(b"{\"TableName\":\"t\"}");
        let crc = corrupt.len() - 8;
        corrupt[crc] ^= 1;
        assert_eq!(
            decode_one(Coding::Gzip, &corrupt),
            Err(DecodeError::Undecodable)
        );
    }

    #[test]
    fn a_bomb_stops_at_the_limit() {
        let bomb = Coding::Gzip.encode(&vec![b' '; 4 * LIMIT]);
        assert!(bomb.len() < LIMIT / 100);
        assert_eq!(decode_one(Coding::Gzip, &bomb), Err(DecodeError::TooLarge));
        let exact = Coding::Deflate.encode(&vec![b' '; LIMIT]);
        assert_eq!(decode_one(Coding::Deflate, &exact).unwrap().len(), LIMIT);
    }

    #[test]
    fn stacked_codings_are_removed_last_first() {
        let body = b"{\"TableName\":\"t\"}";
        let twice = Coding::Deflate.encode(&Coding::Gzip.encode(body));
        let h = headers(CONTENT_ENCODING, &["gzip, deflate"]);
        let codings = request_codings(&h).unwrap();
        assert_eq!(codings, [Coding::Gzip, Coding::Deflate]);
        assert_eq!(
            decode(&codings, Bytes::from(twice), LIMIT).unwrap(),
            &body[..]
        );
    }

    #[test]
    fn request_codings_from_headers() {
        let parse = |values: &[&str]| request_codings(&headers(CONTENT_ENCODING, values));
        assert_eq!(parse(&[]), Ok(vec![]));
        assert_eq!(parse(&[""]), Ok(vec![]));
        assert_eq!(parse(&["identity"]), Ok(vec![]));
        assert_eq!(parse(&["GZip"]), Ok(vec![Coding::Gzip]));
        assert_eq!(parse(&["deflate"]), Ok(vec![Coding::Deflate]));
        assert_eq!(parse(&["gzip", "gzip"]), Ok(vec![Coding::Gzip; 2]));
        assert_eq!(parse(&["gzip,gzip,gzip"]), Err(DecodeError::Unsupported));
        for unknown in ["garbage", "br", "x-gzip", "zstd", "gzip, br"] {
            assert_eq!(
                parse(&[unknown]),
                Err(DecodeError::Unsupported),
                "{unknown}"
            );
        }
    }

    /// alternator's `test_compressed_response_accept_encodings`, which passes against AWS.
    #[test]
    fn accept_encoding_as_dynamodb_reads_it() {
        use Coding::{Deflate, Gzip};
        let cases: &[(&str, Option<Coding>)] = &[
            ("gzip", Some(Gzip)),
            ("deflate", Some(Deflate)),
            ("identity", None),
            ("", None),
            ("br", None),
            ("zstd", None),
            ("compress", None),
            ("x-gzip", None),
            ("gzip, deflate", Some(Gzip)),
            ("br, identity, deflate, gzip", Some(Deflate)),
            ("GZIP, identity", Some(Gzip)),
            ("dog, gzip ,, cat", Some(Gzip)),
            ("gzip;q=0.8, deflate;q=0.5", Some(Gzip)),
            (
                "br, gzip;q=0, deflate; q = 0.5 , identity;q=0",
                Some(Deflate),
            ),
            ("*", Some(Gzip)),
            ("*, deflate;q=0.5", Some(Gzip)),
            ("*, deflate", Some(Deflate)),
            ("*, identity", Some(Gzip)),
            ("*, gzip;q=0.5", Some(Deflate)),
            ("gzip ;q=0", None),
            ("identity;q=0", None),
            ("*;q=0", None),
            ("*;q=0.5,identity", Some(Gzip)),
            ("gzip;q=0.5,identity;q=0.8", Some(Gzip)),
            ("br;q=0.8,identity;q=0.5,*;q=0", None),
            ("\"gzip\"", None),
            ("gzip br", None),
            ("gzip:q=1", None),
            ("deflate;q=0.5, gzip;q=31", Some(Gzip)),
            ("gzip;q=31,deflate;q=51", Some(Gzip)),
            ("deflate;q=0.5, gzip;q=0.2", Some(Deflate)),
            ("deflate;q=0.5, gzip;q=1;q=0.2", Some(Gzip)),
            ("deflate;q=0.5,gzip;q=0.", Some(Deflate)),
            ("deflate;q=0.5,gzip;q=0.x", Some(Gzip)),
            ("deflate;q=-0.5,gzip;q=0.2", Some(Gzip)),
            ("gzip;nq=1;q=0 ", None),
            ("gzip;q=0, gzip;q=1, gzip;q=0", Some(Gzip)),
            ("br,identity;q=0.5,gzip;q=0.0001", Some(Gzip)),
        ];
        for (accept, expected) in cases {
            assert_eq!(negotiate(accept), *expected, "Accept-Encoding: {accept}");
        }
    }

    #[test]
    fn only_the_last_accept_encoding_line_counts() {
        let h = headers(ACCEPT_ENCODING, &["identity", "gzip"]);
        assert_eq!(response_coding(&h), Some(Coding::Gzip));
        let h = headers(ACCEPT_ENCODING, &["gzip", "identity"]);
        assert_eq!(response_coding(&h), None);
    }
}
