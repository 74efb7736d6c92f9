//! Whole requests through a real in-process server: DynamoDB JSON bodies for every
//! operation, KMS JSON 1.1 bodies, and IAM/STS Query-protocol forms, signed with SigV4 as the account's root, so
//! they pass authentication and reach the handlers (parsing, validation, expressions,
//! policies, the engines and their store). The server runs once per process, in memory; its
//! state carries over between inputs, as a long-lived server's does.
//!
//! Input: one control byte choosing the operation (see [`target`]), then the request body.
//!
//! Asserts beyond "no panic": every request is answered within the time limit, never with
//! a 5xx (a body the server cannot use is the client's error, 4xx), and DynamoDB errors are
//! JSON with a `__type`.

#![no_main]

use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::sync::OnceLock;
use std::time::Duration;

use libfuzzer_sys::fuzz_target;
use strata_iam::{AccessKey, Account, AccountId, RootAccount};
use strata_s3::BlobDir;
use strata_app::App;
use strata_sigv4::{Credentials, RequestParts, hex_sha256, sign};
use strata_storage::Store;

const ACCOUNT: &str = "111111111111";
const ACCESS_KEY: &str = "AKIAFUZZROOT00000001";
const SECRET_KEY: &str = "fuzz-root-secret-key";
const REGION: &str = "us-east-1";

/// The DynamoDB operations fuzzed (X-Amz-Target `DynamoDB_20120810.<name>`).
const DYNAMODB: &[&str] = &[
    "CreateTable",
    "PutItem",
    "GetItem",
    "UpdateItem",
    "DeleteItem",
    "Query",
    "Scan",
    "BatchWriteItem",
    "BatchGetItem",
    "TransactWriteItems",
    "TransactGetItems",
    "ExecuteStatement",
    "DescribeTable",
    "UpdateTable",
    "DeleteTable",
    "ListTables",
    "UpdateTimeToLive",
    "UpdateContinuousBackups",
    "RestoreTableToPointInTime",
    "ExportTableToPointInTime",
    "ImportTable",
    "PutResourcePolicy",
    "TagResource",
    "ListExports",
];

/// The KMS operations fuzzed (X-Amz-Target `TrentService.<name>`).
const KMS: &[&str] = &[
    "CreateKey",
    "DescribeKey",
    "ListKeys",
    "Encrypt",
    "Decrypt",
    "GenerateDataKey",
    "ReEncrypt",
    "PutKeyPolicy",
    "CreateAlias",
    "ListAliases",
    "ScheduleKeyDeletion",
    "TagResource",
];

/// Where each control byte sends the body.
enum Target {
    DynamoDb(&'static str),
    Query(&'static str),
    Kms(&'static str),
}

/// DynamoDB's operations first, then IAM and STS, then KMS's (so the seeds of the first
/// three keep their control bytes).
fn target(control: u8) -> Target {
    let n = DYNAMODB.len() as u8;
    let k = KMS.len() as u8;
    match control % (n + 2 + k) {
        i if i < n => Target::DynamoDb(DYNAMODB[i as usize]),
        i if i == n => Target::Query("iam"),
        i if i == n + 1 => Target::Query("sts"),
        i => Target::Kms(KMS[(i - n - 2) as usize]),
    }
}

/// Starts the server once: in memory, the fuzz account, on a loopback port.
fn server() -> SocketAddr {
    static ADDR: OnceLock<SocketAddr> = OnceLock::new();
    *ADDR.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("a runtime");
            runtime.block_on(async move {
                let store = Store::open_temporary().expect("a temporary store");
                let objects = BlobDir::temporary().expect("a temporary object directory");
                let state = App::open(store, objects, REGION.to_owned())
                    .await
                    .expect("the application opens");
                let id = AccountId::parse(ACCOUNT).expect("a 12-digit id");
                state
                    .iam
                    .ensure_accounts(vec![RootAccount {
                        account: Account::new(id.clone(), None),
                        root_key: AccessKey::root(id, ACCESS_KEY.to_owned(), SECRET_KEY.to_owned()),
                    }])
                    .await
                    .expect("the fuzz account");
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .expect("a loopback port");
                tx.send(listener.local_addr().expect("an address"))
                    .expect("the fuzzer waits");
                strata_server::serve(listener, state, std::future::pending()).await;
            });
        });
        rx.recv().expect("the server starts")
    })
}

/// Sends one signed `POST /` and returns the status and body.
fn post(addr: SocketAddr, service: &str, extra: &[(&str, &str)], body: &[u8]) -> (u16, Vec<u8>) {
    let host = addr.to_string();
    let length = body.len().to_string();
    let mut headers: Vec<(&str, &[u8])> = vec![
        ("host", host.as_bytes()),
        ("content-length", length.as_bytes()),
    ];
    headers.extend(extra.iter().map(|(n, v)| (*n, v.as_bytes())));
    let parts = RequestParts {
        method: "POST",
        path: "/",
        query: "",
        headers: &headers,
    };
    let credentials = Credentials {
        access_key_id: ACCESS_KEY.to_owned(),
        secret_access_key: SECRET_KEY.to_owned(),
        session_token: None,
    };
    let signed = sign(
        &parts,
        &credentials,
        REGION,
        service,
        jiff::Timestamp::now(),
        &hex_sha256(body),
    );
    let mut request = b"POST / HTTP/1.1\r\nconnection: close\r\n".to_vec();
    for (name, value) in headers
        .iter()
        .map(|(n, v)| (*n, *v))
        .chain(signed.iter().map(|(n, v)| (*n, v.as_bytes())))
    {
        request.extend_from_slice(name.as_bytes());
        request.extend_from_slice(b": ");
        request.extend_from_slice(value);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"\r\n");
    request.extend_from_slice(body);

    let mut stream = TcpStream::connect(addr).expect("the server accepts");
    stream
        .set_read_timeout(Some(Duration::from_secs(8)))
        .expect("a timeout");
    stream.write_all(&request).expect("the server reads");
    let mut response = Vec::new();
    stream
        .read_to_end(&mut response)
        .expect("the server answers in time and closes");
    let head_end = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a complete response head");
    let status_line = std::str::from_utf8(&response[..head_end]).expect("an ASCII head");
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status code");
    (status, response[head_end + 4..].to_vec())
}

fuzz_target!(|data: &[u8]| {
    let Some((&control, body)) = data.split_first() else {
        return;
    };
    let addr = server();
    let json = |service: &str, prefix: &str, content_type: &str, operation: &str| {
        let target = format!("{prefix}.{operation}");
        let (status, response) = post(
            addr,
            service,
            &[("content-type", content_type), ("x-amz-target", &target)],
            body,
        );
        assert!(
            status < 500,
            "{operation} answered {status}: {}",
            String::from_utf8_lossy(&response)
        );
        if status != 200 {
            let error: serde_json::Value =
                serde_json::from_slice(&response).expect("a JSON error body");
            assert!(error.get("__type").is_some(), "{error}");
        }
    };
    match target(control) {
        Target::DynamoDb(operation) => json(
            "dynamodb",
            "DynamoDB_20120810",
            "application/x-amz-json-1.0",
            operation,
        ),
        Target::Kms(operation) => json(
            "kms",
            "TrentService",
            "application/x-amz-json-1.1",
            operation,
        ),
        Target::Query(service) => {
            let (status, response) = post(
                addr,
                service,
                &[(
                    "content-type",
                    "application/x-www-form-urlencoded; charset=utf-8",
                )],
                body,
            );
            assert!(
                status < 500,
                "{service} answered {status}: {}",
                String::from_utf8_lossy(&response)
            );
        }
    }
});
