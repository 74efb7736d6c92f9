//! An application over a temporary store with two accounts, callers to act as, and the
//! tables, items and buckets the tests build on — the application layer exercised without
//! HTTP.

#![allow(dead_code)]

use std::sync::Arc;

use strata_app::dynamodb::items::{LegacyExpected, PutItemInput, WriteMembers};
use strata_app::dynamodb::pitr::UpdateContinuousBackupsInput;
use strata_app::dynamodb::schema::{
    AttributeDefinition, CreateTableInput, KeySchemaElement, KeyType, Projection, SecondaryIndex,
};
use strata_app::dynamodb::tables::{GlobalSecondaryIndexUpdate, UpdateTableInput};
use strata_app::dynamodb::{items, pitr};
use strata_app::{App, Caller, Requester};
use strata_dynamodb::capacity::ReturnConsumedCapacity;
use strata_dynamodb::schema::{BillingMode, ProjectionType, ScalarType};
use strata_dynamodb_item::{AttributeValue, Item};
use strata_iam::{AccessKey, Account, AccountId, Principal, RootAccount};
use strata_s3::{BlobDir, CreateBucket};
use strata_storage::Store;

pub const SOURCE: &str = "111111111111";
pub const DESTINATION: &str = "222222222222";
pub const REGION: &str = "us-east-1";

/// An application with both accounts, its runner started.
pub async fn app() -> Arc<App> {
    let app = open(
        Store::open_temporary().expect("a temporary store"),
        BlobDir::temporary().expect("a temporary object directory"),
    )
    .await;
    app.start();
    app
}

/// A data directory an application can be opened on, closed (as by a crash: whatever it
/// had not run yet stays recorded) and opened on again.
pub struct DataDir(tempfile::TempDir);

impl DataDir {
    pub fn new() -> Self {
        Self(tempfile::tempdir().expect("a temporary directory"))
    }

    /// An application over this directory, its runner started.
    pub async fn open(&self) -> Arc<App> {
        let app = self.open_stopped().await;
        app.start();
        app
    }

    /// [`DataDir::open`] without starting the runner: jobs are recorded, none runs.
    pub async fn open_stopped(&self) -> Arc<App> {
        open(
            Store::open(&self.0.path().join("store")).expect("the store opens"),
            BlobDir::open(&self.0.path().join("objects")).expect("the object directory opens"),
        )
        .await
    }
}

/// An application over `store` and `objects`, its runner not started.
async fn open(store: Store, objects: BlobDir) -> Arc<App> {
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
        .create_user(
            id.clone(),
            name.to_owned(),
            None,
            Vec::new(),
            app.clock.now(),
        )
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

/// A string attribute definition.
pub fn attribute(name: &str) -> AttributeDefinition {
    AttributeDefinition {
        attribute_name: name.into(),
        attribute_type: ScalarType::S,
    }
}

/// CreateTable of an on-demand table `name` keyed by the string `pk`.
pub fn table(name: &str) -> CreateTableInput {
    CreateTableInput {
        attribute_definitions: vec![attribute("pk")],
        table_name: name.into(),
        key_schema: vec![KeySchemaElement {
            attribute_name: "pk".into(),
            key_type: KeyType::Hash,
        }],
        billing_mode: Some(BillingMode::PayPerRequest),
        ..Default::default()
    }
}

/// UpdateTable adding the keys-only index `by-<attribute>` on the string `attribute`.
pub fn add_index(table: &str, attribute_name: &str) -> UpdateTableInput {
    UpdateTableInput {
        table_name: table.into(),
        attribute_definitions: Some(vec![attribute("pk"), attribute(attribute_name)]),
        global_secondary_index_updates: vec![GlobalSecondaryIndexUpdate {
            create: Some(SecondaryIndex {
                index_name: format!("by-{attribute_name}"),
                key_schema: vec![KeySchemaElement {
                    attribute_name: attribute_name.into(),
                    key_type: KeyType::Hash,
                }],
                projection: Some(Projection {
                    projection_type: Some(ProjectionType::KeysOnly),
                    non_key_attributes: None,
                }),
                provisioned_throughput: None,
            }),
            ..Default::default()
        }],
        ..Default::default()
    }
}

/// An item of string attributes.
pub fn item(pairs: &[(&str, &str)]) -> Item {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), AttributeValue::S((*v).to_owned())))
        .collect()
}

/// PutItem of `item` into `table`, asking for the total consumed capacity.
pub fn put(table: &str, item: Item) -> PutItemInput {
    PutItemInput {
        write: WriteMembers {
            table_name: table.into(),
            condition_expression: None,
            expression_attributes: Default::default(),
            legacy: LegacyExpected::default(),
            return_values: None,
            return_consumed_capacity: ReturnConsumedCapacity::Total,
            return_item_collection_metrics: false,
            return_old_on_condition_failure: false,
        },
        item,
    }
}

/// Enables PITR on `table` of the source account.
pub async fn enable_pitr(app: &App, table: &str) {
    pitr::update_continuous_backups(
        app,
        &root(SOURCE),
        UpdateContinuousBackupsInput {
            table_name: table.into(),
            point_in_time_recovery_enabled: true,
            recovery_period_in_days: None,
        },
    )
    .await
    .expect("PITR is enabled");
}

/// Writes `n` items to `table` of the source account: `pk` = `k00000`…, `g` one of 7 values.
pub async fn fill(app: &App, table: &str, n: usize) {
    for i in 0..n {
        let pk = format!("k{i:05}");
        let g = format!("g{}", i % 7);
        items::put_item(
            app,
            &root(SOURCE),
            put(table, item(&[("pk", &pk), ("g", &g)])),
        )
        .await
        .expect("the item is written");
    }
}

/// Creates bucket `name`, owned by `owner`, in the default region.
pub async fn create_bucket(app: &App, owner: &str, name: &str) {
    app.s3
        .create_bucket(CreateBucket {
            name: name.into(),
            owner: owner.into(),
            region: REGION.into(),
            ownership: None,
            acl: None,
            grants: None,
        })
        .await
        .expect("the bucket is created");
}
