//! SigV4 on arbitrary text: the `Authorization` header (with `X-Amz-Date` or an RFC 7231
//! `Date`), presigned query parameters and `X-Amz-Date` values are parsed, and whatever
//! parses is verified against a fixed secret. Then a request built from the same text is
//! signed and presigned, and the verifier must accept exactly what the signer produced.
//!
//! Input: newline-separated fields: Authorization, date, query, path, method, host,
//! request time (seconds since the epoch).

#![no_main]

use jiff::Timestamp;
use libfuzzer_sys::fuzz_target;
use strata_sigv4::{
    AmzDate, Authorization, Credentials, EMPTY_SHA256, MAX_SKEW_SECONDS, RequestParts, Secret,
    Verifier, presign, sign, uri_encode,
};

const AKID: &str = "AKIAFUZZFUZZFUZZFUZZ";
const SECRET: &str = "fuzz-secret-key";
/// Signing times: 0000-01-01T00:00:00Z to 9999-12-29T00:00:00Z in seconds since the
/// epoch. The verifier's clock is the server's wall clock, so the harness keeps it a day
/// short of jiff's last instant (9999-12-30T22:00Z), where its own ±15 min would overflow.
const YEAR_0000: i64 = -62_167_219_200;
const LAST_SIGNING_TIME: i64 = 253_402_041_600;

fn now() -> Timestamp {
    Timestamp::from_second(1_440_938_160).expect("2015-08-30T12:36:00Z is valid")
}

fn secret() -> Secret {
    Secret {
        secret_access_key: SECRET.into(),
        session_token: None,
        expiration: None,
    }
}

fn credentials() -> Credentials {
    Credentials {
        access_key_id: AKID.into(),
        secret_access_key: SECRET.into(),
        session_token: None,
    }
}

/// Parses the signature of `req` and, if it parses, verifies it at `at`.
fn check(verifier: &Verifier, req: &RequestParts<'_>, at: Timestamp) -> Option<()> {
    let auth = Authorization::from_request(req).ok()??;
    auth.scope.scope();
    verifier
        .verify(req, &auth, &secret(), EMPTY_SHA256, at, at)
        .ok()
        .map(|_| ())
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut fields = text.split('\n');
    let mut field = || fields.next().unwrap_or_default();
    let authorization = field();
    let date = field();
    let query = field();
    let path = field();
    let method = field();
    let host = field();
    let time = field();
    uri_encode(text.as_bytes(), true);
    uri_encode(text.as_bytes(), false);

    if let Ok(parsed) = AmzDate::parse(date) {
        parsed.date();
        assert_eq!(
            AmzDate::from_timestamp(parsed.timestamp()),
            parsed,
            "{date:?}"
        );
    }

    let verifier = Verifier::new();
    for date_header in ["X-Amz-Date", "Date"] {
        let headers: [(&str, &[u8]); 3] = [
            ("Authorization", authorization.as_bytes()),
            (date_header, date.as_bytes()),
            ("Host", host.as_bytes()),
        ];
        let req = RequestParts {
            method,
            path,
            query,
            headers: &headers,
        };
        check(&verifier, &req, now());
    }
    // The presigned form: no Authorization header.
    let headers: [(&str, &[u8]); 1] = [("Host", host.as_bytes())];
    let req = RequestParts {
        method,
        path,
        query,
        headers: &headers,
    };
    check(&verifier, &req, now());

    // Sign, then verify what was signed, at a request time from the input (within the
    // years X-Amz-Date can spell).
    let Some(at) = time
        .parse::<i64>()
        .ok()
        .filter(|s| (YEAR_0000..=LAST_SIGNING_TIME).contains(s))
        .and_then(|s| Timestamp::from_second(s).ok())
    else {
        return;
    };
    let base: [(&str, &[u8]); 2] = [
        ("Host", host.as_bytes()),
        ("X-Amz-Target", authorization.as_bytes()),
    ];
    let req = RequestParts {
        method,
        path,
        query,
        headers: &base,
    };
    let added = sign(&req, &credentials(), "us-east-1", "sts", at, EMPTY_SHA256);
    let mut headers: Vec<(&str, &[u8])> = base.to_vec();
    headers.extend(added.iter().map(|(n, v)| (*n, v.as_bytes())));
    let signed = RequestParts {
        headers: &headers,
        ..req
    };
    let auth = Authorization::from_request(&signed)
        .unwrap_or_else(|e| panic!("signed request does not parse: {e}"))
        .expect("signed request carries a signature");
    if let Err(e) = verifier.verify(&signed, &auth, &secret(), EMPTY_SHA256, at, at) {
        panic!("signed request does not verify: {e}");
    }

    // A query that already names X-Amz-* parameters is ambiguous; AWS refuses it too.
    if query.contains("X-Amz-") {
        return;
    }
    let expires = 1 + at.as_second().unsigned_abs() % 604_800;
    let presigned = presign(
        method,
        host,
        path,
        query,
        &credentials(),
        "us-east-1",
        "sts",
        at,
        expires,
    );
    let headers: [(&str, &[u8]); 1] = [("host", host.as_bytes())];
    let req = RequestParts {
        method,
        path,
        query: &presigned,
        headers: &headers,
    };
    let auth = Authorization::from_request(&req)
        .unwrap_or_else(|e| panic!("presigned request does not parse: {e}"))
        .expect("presigned request carries a signature");
    assert_eq!(auth.expires_seconds, Some(expires));
    // Valid from the signing time up to and including 15 minutes later, whatever its
    // X-Amz-Expires: outside S3, AWS ignores it (strata_sigv4's `AmzDate::check_skew`).
    for offset in [0, MAX_SKEW_SECONDS] {
        let Ok(real_now) = at.checked_add(jiff::SignedDuration::from_secs(offset)) else {
            continue;
        };
        if let Err(e) = verifier.verify(&req, &auth, &secret(), EMPTY_SHA256, real_now, at) {
            panic!("presigned request does not verify at +{offset}s: {e}");
        }
    }
});
