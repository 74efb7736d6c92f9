//! An application over a temporary store with two accounts, and callers to act as — the
//! application layer exercised without HTTP.

#![allow(dead_code)]

use std::sync::Arc;

use strata_app::{App, Caller, Requester};
use strata_iam::{AccessKey, Account, AccountId, Principal, RootAccount};
use strata_s3::BlobDir;
use strata_storage::Store;

pub const SOURCE: &str = "111111111111";
pub const DESTINATION: &str = "222222222222";
pub const REGION: &str = "us-east-1";

/// An application with both accounts, its runner started.
pub async fn app() -> Arc<App> {
    open(
        Store::open_temporary().expect("a temporary store"),
        BlobDir::temporary().expect("a temporary object directory"),
    )
    .await
}

/// An application over `store` and `objects` (to reopen them, as after a restart), its
/// runner started.
pub async fn open(store: Store, objects: BlobDir) -> Arc<App> {
    let app = open_stopped(store, objects).await;
    app.start();
    app
}

/// [`open`] without starting the runner: jobs are recorded, none runs.
pub async fn open_stopped(store: Store, objects: BlobDir) -> Arc<App> {
    let app = App::open(store, objects, REGION.to_owned())
        .await
        .expect("the application opens");
    let accounts = [SOURCE, DESTINATION]
        .into_iter()
        .map(|id| {
            let account = AccountId::parse(id).expect("12 digits");
            RootAccount {
                account: Account::new(account.clone(), None),
                root_key: AccessKey::root(
                    account,
                    format!("AKIAROOT{id}"),
                    format!("secret-of-{id}"),
                ),
            }
        })
        .collect();
    app.iam
        .ensure_accounts(accounts)
        .await
        .expect("the accounts are created");
    app
}

/// The root user of `account`, calling in the default region.
pub fn root(account: &str) -> Caller {
    caller(Principal::Root {
        account: AccountId::parse(account).expect("12 digits"),
    })
}

/// A caller with `principal`'s identity.
pub fn caller(principal: Principal) -> Caller {
    Caller {
        principal,
        session: false,
        source_ip: None,
        access_key_id: "AKIATEST".to_owned(),
        region: REGION.to_owned(),
        service: "dynamodb".to_owned(),
        secure_transport: false,
    }
}

/// The IAM user `name` of `account` (created) as a caller.
pub async fn user(app: &App, account: &str, name: &str) -> Caller {
    let id = AccountId::parse(account).expect("12 digits");
    let user = app
        .iam
        .create_user(id.clone(), name.to_owned(), None, app.clock.now())
        .await
        .expect("the user is created");
    caller(Principal::User {
        account: id,
        path: user.path,
        user_name: user.user_name,
        user_id: user.user_id,
    })
}

pub fn signed(caller: &Caller) -> Requester {
    Requester::Signed(Box::new(caller.clone()))
}

/// Polls `check` until it is true (jobs run in the background), for up to 20 s.
pub async fn eventually(mut check: impl FnMut() -> bool) {
    for _ in 0..2000 {
        if check() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("the condition did not hold within 20 s");
}
