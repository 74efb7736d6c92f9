//! Opening a data directory from before formats were recorded (format 0): what it left in
//! progress is settled as that strata's crash recovery would have wanted, and every job the
//! migration records runs.

mod common;

use common::{
    DataDir, SOURCE, add_index, create_bucket, enable_pitr, eventually, fill, root, table,
};
use strata_app::dynamodb::import::{ImportTableInput, S3BucketSource};
use strata_app::dynamodb::restore::RestoreTableToPointInTimeInput;
use strata_app::dynamodb::{import, restore, tables};
use strata_app::jobs::JobKind;
use strata_dynamodb::Scope;
use strata_dynamodb::imports::ImportStatus;
use strata_dynamodb::schema::{Creating, IndexStatus};
use strata_storage::Store;

const SCOPE: Scope<'static> = Scope {
    account: SOURCE,
    region: common::REGION,
};

/// Deletes every key of `keyspace`.
async fn wipe(store: &Store, keyspace: &'static str) {
    let keys: Vec<Vec<u8>> = store
        .prefix(keyspace, b"")
        .expect("readable")
        .map(|row| row.expect("readable").0)
        .collect();
    store
        .write(move |txn| {
            for key in keys {
                txn.delete(keyspace, key);
            }
            Ok::<_, strata_storage::StorageError>(())
        })
        .await
        .expect("wiped");
}

#[tokio::test]
async fn a_format_0_directory_gets_its_backfills_loses_its_cut_restores_and_fails_its_imports() {
    let dir = DataDir::new();
    {
        let app = dir.open_stopped().await;
        let me = root(SOURCE);

        // An index CREATING, as a crash inside an older strata's unrecorded backfill left it.
        tables::create_table(&app, &me, table("t")).await.unwrap();
        fill(&app, "t", 300).await;
        tables::update_table(&app, &me, add_index("t", "g"))
            .await
            .unwrap();

        // A restore target CREATING, as a crash inside an older strata's restore request left it.
        enable_pitr(&app, "t").await;
        app.advance_clock(600.0).await.unwrap();
        restore::restore_table_to_point_in_time(
            &app,
            &me,
            RestoreTableToPointInTimeInput {
                source_table_name: Some("t".into()),
                target_table_name: "restored".into(),
                use_latest_restorable_time: Some(true),
                ..Default::default()
            },
        )
        .await
        .unwrap();

        // An import in progress whose table an older strata had created.
        create_bucket(&app, SOURCE, "source-bucket").await;
        import::import_table(
            &app,
            &me,
            ImportTableInput {
                s3_bucket_source: S3BucketSource {
                    s3_bucket_owner: None,
                    s3_bucket: "source-bucket".into(),
                    s3_key_prefix: None,
                },
                input_format: "DYNAMODB_JSON".into(),
                input_format_options: None,
                input_compression_type: None,
                table_creation_parameters: table("imported"),
                client_token: None,
            },
        )
        .await
        .unwrap();
        let import_table = app
            .jobs
            .recorded()
            .unwrap()
            .into_iter()
            .find_map(|(_, job)| match job {
                JobKind::Import { table, .. } => Some(table),
                _ => None,
            })
            .expect("the import's job is recorded");
        let record = &app.dynamodb.imports_in_progress().unwrap()[0];
        let mut create = *import_table;
        create.table_id = Some(record.table_id.clone());
        app.dynamodb
            .create(SCOPE, create, Some(Creating::Import))
            .await
            .unwrap();

        // Format 0: no job records, no recorded formats.
        wipe(&app.store, "app.jobs").await;
        wipe(&app.store, "storage.formats").await;
    }

    let app = dir.open().await;
    eventually(|| {
        let t = app.dynamodb.table(SCOPE, "t").unwrap();
        t.def.indexes[0].status == IndexStatus::Active
    })
    .await;
    let t = app.dynamodb.table(SCOPE, "t").unwrap();
    assert_eq!(t.index_stats(t.def.indexes[0].id).0, 300);
    assert!(
        app.dynamodb.table(SCOPE, "restored").is_err(),
        "the target of a restore a crash cut short is removed"
    );
    let imported = app.dynamodb.table(SCOPE, "imported").unwrap();
    assert!(
        imported.def.creating.is_none(),
        "a failed import's table is ACTIVE"
    );
    let record = &app.dynamodb.imports(SOURCE, common::REGION).unwrap()[0];
    assert_eq!(record.status, ImportStatus::Failed);
    eventually(|| app.jobs.recorded().unwrap().is_empty()).await;
    assert!(app.store.older_formats(&[]).unwrap().is_empty());
}

/// Opening a directory whose `s3.counts` is format 1 (no count of open uploads) counts every
/// account's uploads afresh, so the cap holds for uploads begun before the upgrade.
#[tokio::test]
async fn a_format_1_directory_gets_its_open_uploads_counted() {
    let dir = DataDir::new();
    let count_key = strata_s3::layout::open_uploads_key(SOURCE);
    {
        let app = dir.open_stopped().await;
        create_bucket(&app, SOURCE, "uploads-bucket").await;
        for key in ["a", "b"] {
            app.s3
                .create_upload(strata_s3::Upload {
                    upload_id: String::new(),
                    bucket: "uploads-bucket".into(),
                    key: key.into(),
                    initiated_micros: 0,
                    initiator: SOURCE.into(),
                    initiator_arn: format!("arn:aws:iam::{SOURCE}:root"),
                    headers: Default::default(),
                    acl: None,
                    grants: None,
                    tags: Vec::new(),
                    checksum_algorithm: None,
                    sse_kms: None,
                })
                .await
                .unwrap();
        }
        // As an older strata left it: no count, and `s3.counts` recorded as format 1.
        let key = count_key.clone();
        app.store
            .write(move |txn| {
                txn.delete(strata_s3::layout::COUNTS, key);
                strata_storage::put_formats(
                    txn,
                    &[strata_storage::RecordKind {
                        keyspace: strata_s3::layout::COUNTS,
                        format: 1,
                    }],
                );
                Ok::<_, strata_storage::StorageError>(())
            })
            .await
            .unwrap();
    }
    let app = dir.open().await;
    let count = app
        .store
        .get(strata_s3::layout::COUNTS, &count_key)
        .unwrap()
        .map(|b| u64::from_be_bytes(b.try_into().unwrap()));
    assert_eq!(count, Some(2));
}
