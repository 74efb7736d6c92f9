//! AWS's published SigV4 test suite (`tests/vectors`, see its README): for every case the
//! canonical request, string to sign and signature must match byte for byte, and the
//! signed request (`.sreq`) must pass the verifier.

use std::path::{Path, PathBuf};

use strata_sigv4::{
    Authorization, CredentialScope, RequestParts, Secret, UriEncoding, Verifier, canonical_request,
    derive_signing_key, hex_sha256, string_to_sign,
};

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

struct RawRequest {
    method: String,
    path: String,
    query: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// Parses the suite's `.req` format; continuation lines of a folded header become
/// further values of that header (the suite joins them with commas).
fn parse(text: &str) -> RawRequest {
    let (head, body) = text.split_once("\n\n").unwrap_or((text, ""));
    let mut lines = head.lines();
    let request_line = lines.next().expect("request line");
    let (method, rest) = request_line.split_once(' ').expect("method");
    let (target, _version) = rest.rsplit_once(' ').expect("version");
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in lines {
        if line.starts_with(' ') || line.starts_with('\t') {
            let name = headers
                .last()
                .expect("continuation follows a header")
                .0
                .clone();
            headers.push((name, line.trim().to_owned()));
        } else {
            let (name, value) = line.split_once(':').expect("header");
            headers.push((name.to_owned(), value.to_owned()));
        }
    }
    RawRequest {
        method: method.to_owned(),
        path: path.to_owned(),
        query: query.to_owned(),
        headers,
        body: body.as_bytes().to_vec(),
    }
}

fn cases() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("vectors directory")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 30, "the suite has {} cases", cases.len());
    cases
}

fn read(case: &Path, ext: &str) -> String {
    let name = case.file_name().expect("name").to_string_lossy();
    std::fs::read_to_string(case.join(format!("{name}.{ext}"))).expect("vector file")
}

fn with_parts<T>(raw: &RawRequest, f: impl FnOnce(&RequestParts<'_>) -> T) -> T {
    let headers: Vec<(&str, &[u8])> = raw
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_bytes()))
        .collect();
    f(&RequestParts {
        method: &raw.method,
        path: &raw.path,
        query: &raw.query,
        headers: &headers,
    })
}

#[test]
fn canonical_request_string_to_sign_and_signature_match_the_suite() {
    for case in cases() {
        let name = case
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let raw = parse(&read(&case, "req"));
        let authz = read(&case, "authz");
        let signed_headers: Vec<String> = authz
            .split("SignedHeaders=")
            .nth(1)
            .and_then(|s| s.split(',').next())
            .expect("SignedHeaders")
            .split(';')
            .map(str::to_owned)
            .collect();
        let creq = with_parts(&raw, |req| {
            canonical_request(
                req,
                &signed_headers,
                &hex_sha256(&raw.body),
                UriEncoding::Double,
            )
        });
        assert_eq!(creq, read(&case, "creq"), "{name}: canonical request");
        let scope = CredentialScope {
            access_key_id: "AKIDEXAMPLE".into(),
            date: "20150830".into(),
            region: "us-east-1".into(),
            service: "service".into(),
        };
        let sts = string_to_sign("20150830T123600Z", &scope, &creq);
        assert_eq!(sts, read(&case, "sts"), "{name}: string to sign");
        let signature = derive_signing_key(SECRET, "20150830", "us-east-1", "service").sign(&sts);
        assert!(
            authz.ends_with(&format!("Signature={signature}")),
            "{name}: signature"
        );
    }
}

#[test]
fn every_signed_request_of_the_suite_verifies() {
    let now: jiff::Timestamp = "2015-08-30T12:40:00Z".parse().expect("time");
    let verifier = Verifier::new();
    for case in cases() {
        let name = case
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let raw = parse(&read(&case, "sreq"));
        let token = raw
            .headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("x-amz-security-token"))
            .map(|(_, v)| v.clone());
        let secret = Secret {
            secret_access_key: SECRET.into(),
            session_token: token,
            expiration: None,
        };
        let result = with_parts(&raw, |req| {
            let auth = Authorization::from_request(req)
                .expect("parses")
                .expect("signed");
            verifier.verify(req, &auth, &secret, &hex_sha256(&raw.body), now, now)
        });
        assert!(result.is_ok(), "{name}: {result:?}");
    }
}
