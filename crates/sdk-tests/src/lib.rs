//! A strata server in the test process, on a loopback port, for typed checks with the
//! AWS SDK for Rust. The SDK talks plain HTTP to it exactly as to AWS; nothing is mocked.
//!
//! The SDK crates are dev-dependencies of this crate only: `cargo build` of the server
//! never compiles them.

use std::sync::Arc;

use strata_app::App;
use strata_iam::{AccessKey, Account, AccountId, RootAccount};
use strata_storage::Store;

/// The region and the one account every test uses.
pub const REGION: &str = "us-east-1";
pub const ACCOUNT: &str = "111111111111";
pub const ACCESS_KEY_ID: &str = "AKIASDKTESTROOT00001";
pub const SECRET_ACCESS_KEY: &str = "sdk-test-root-secret";

/// A running server; it stops when the test's runtime ends.
pub struct TestServer {
    pub endpoint: String,
    pub state: Arc<App>,
}

/// Starts a server over a temporary store on `127.0.0.1:<free port>`.
pub async fn start() -> TestServer {
    let store = Store::open_temporary().expect("a temporary store opens");
    let objects = strata_s3::BlobDir::temporary().expect("a temporary object directory");
    let state = App::open(store, objects, REGION.to_owned())
        .await
        .expect("the application opens");
    let id = AccountId::parse(ACCOUNT).expect("a 12-digit account id");
    state
        .iam
        .ensure_accounts(vec![RootAccount {
            account: Account::new(id.clone(), Some("sdk".to_owned())),
            root_key: AccessKey::root(id, ACCESS_KEY_ID.to_owned(), SECRET_ACCESS_KEY.to_owned()),
        }])
        .await
        .expect("the account is created");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port is free");
    let endpoint = format!("http://{}", listener.local_addr().expect("bound"));
    let serving = Arc::clone(&state);
    tokio::spawn(strata_server::serve(
        listener,
        serving,
        std::future::pending(),
    ));
    TestServer { endpoint, state }
}
