//! `cargo bench -p strata-sigv4`: time to parse and verify a signed STS request with a
//! cached signing key (the per-request cost on the server).

use std::hint::black_box;
use std::time::Instant;

use strata_sigv4::{Authorization, Credentials, RequestParts, Secret, Verifier, hex_sha256, sign};

fn main() {
    let body = b"Action=GetCallerIdentity&Version=2011-06-15";
    let base: Vec<(&str, &[u8])> = vec![
        ("host", b"127.0.0.1:4566"),
        ("content-type", b"application/x-www-form-urlencoded; charset=utf-8"),
        ("user-agent", b"aws-cli/1.45.11 md/Botocore#1.43.11 ua/2.1 os/linux#6.18 md/arch#x86_64 lang/python#3.11.7"),
        ("content-length", b"43"),
    ];
    let now = jiff::Timestamp::now();
    let credentials = Credentials {
        access_key_id: "AKIASOURCEROOT000001".into(),
        secret_access_key: "source-root-secret-key".into(),
        session_token: None,
    };
    let req = RequestParts {
        method: "POST",
        path: "/",
        query: "",
        headers: &base,
    };
    let added = sign(
        &req,
        &credentials,
        "us-east-1",
        "sts",
        now,
        &hex_sha256(body),
    );
    let mut headers = base.clone();
    headers.extend(added.iter().map(|(n, v)| (*n, v.as_bytes())));
    let req = RequestParts {
        headers: &headers,
        ..req
    };
    let secret = Secret {
        secret_access_key: credentials.secret_access_key.clone(),
        session_token: None,
        expiration: None,
    };
    let verifier = Verifier::new();
    let iterations = 200_000;
    for _ in 0..2 {
        let started = Instant::now();
        for _ in 0..iterations {
            let auth = Authorization::from_request(black_box(&req))
                .expect("the benchmark request parses")
                .expect("the benchmark request is signed");
            let v = verifier.verify(&req, &auth, &secret, &hex_sha256(black_box(body)), now, now);
            black_box(v.expect("the benchmark signature verifies"));
        }
        let per = started.elapsed().as_secs_f64() * 1e9 / iterations as f64;
        println!("parse + verify (cached key): {per:.0} ns");
    }
}
