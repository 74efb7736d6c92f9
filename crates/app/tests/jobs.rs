//! The durable job runner without HTTP: jobs are recorded with the change that needs them and
//! run after a restart if the previous run never did; exports write as their caller through
//! S3's authorization.

mod common;

use common::{
    DESTINATION, DataDir, SOURCE, add_index, app, create_bucket, enable_pitr, eventually, fill,
    root, table,
};
use strata_app::dynamodb::export::{DescribeExportInput, ExportTableToPointInTimeInput};
use strata_app::dynamodb::restore::RestoreTableToPointInTimeInput;
use strata_app::dynamodb::tables::TableNameInput;
use strata_app::dynamodb::{export, restore, tables};
use strata_app::jobs::JobKind;
use strata_dynamodb::Scope;
use strata_dynamodb::schema::IndexStatus;
use strata_s3::BucketPolicy;

const SCOPE: Scope<'static> = Scope {
    account: SOURCE,
    region: common::REGION,
};

#[tokio::test]
async fn an_index_backfill_recorded_before_a_restart_runs_after_it() {
    let dir = DataDir::new();
    {
        let app = dir.open_stopped().await;
        tables::create_table(&app, &root(SOURCE), table("t"))
            .await
            .unwrap();
        fill(&app, "t", 700).await;
        tables::update_table(&app, &root(SOURCE), add_index("t", "g"))
            .await
            .unwrap();
        let recorded = app.jobs.recorded().unwrap();
        assert!(
            matches!(&recorded[..], [(_, job)] if matches!(job, JobKind::DynamoDb(_))),
            "the backfill is recorded with the change: {recorded:?}"
        );
        // The "crash": the application goes away before its runner ever ran.
    }
    let app = dir.open().await;
    eventually(|| {
        let t = app.dynamodb.table(SCOPE, "t").unwrap();
        t.def.indexes[0].status == IndexStatus::Active
    })
    .await;
    let t = app.dynamodb.table(SCOPE, "t").unwrap();
    assert_eq!(t.index_stats(t.def.indexes[0].id).0, 700);
    eventually(|| app.jobs.recorded().unwrap().is_empty()).await;
}

#[tokio::test]
async fn a_restore_recorded_before_a_restart_completes_after_it() {
    let dir = DataDir::new();
    {
        let app = dir.open_stopped().await;
        let me = root(SOURCE);
        tables::create_table(&app, &me, table("src")).await.unwrap();
        fill(&app, "src", 300).await;
        enable_pitr(&app, "src").await;
        // The latest restorable time lags now by five minutes.
        app.advance_clock(600.0).await.unwrap();
        let answer = restore::restore_table_to_point_in_time(
            &app,
            &me,
            RestoreTableToPointInTimeInput {
                source_table_name: Some("src".into()),
                target_table_name: "dst".into(),
                use_latest_restorable_time: Some(true),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert!(answer.table_description.restore_summary.is_some());
        let described = tables::describe_table(
            &app,
            &me,
            TableNameInput {
                table_name: "dst".into(),
            },
        )
        .unwrap();
        assert!(
            described.table.restore_summary.is_some(),
            "CREATING until the copy ends"
        );
    }
    let app = dir.open().await;
    eventually(|| {
        app.dynamodb
            .table(SCOPE, "dst")
            .is_ok_and(|t| t.def.creating.is_none())
    })
    .await;
    assert_eq!(app.dynamodb.table(SCOPE, "dst").unwrap().item_count(), 300);
}

#[tokio::test]
async fn an_export_writes_as_its_caller_through_the_bucket_policy() {
    let app = app().await;
    let me = root(SOURCE);
    tables::create_table(&app, &me, table("orders"))
        .await
        .unwrap();
    fill(&app, "orders", 25).await;
    enable_pitr(&app, "orders").await;
    create_bucket(&app, DESTINATION, "dest-bucket").await;
    let export = |owner: Option<&str>| ExportTableToPointInTimeInput {
        table_arn: format!("arn:aws:dynamodb:us-east-1:{SOURCE}:table/orders"),
        s3_bucket: "dest-bucket".into(),
        s3_bucket_owner: owner.map(str::to_owned),
        ..Default::default()
    };
    let status = |arn: &str| {
        export::describe_export(
            &app,
            &me,
            DescribeExportInput {
                export_arn: arn.to_owned(),
            },
        )
        .unwrap()
        .export_description
    };

    // No bucket policy: the write is refused, the export FAILS with S3AccessDenied.
    let denied = export::export_table_to_point_in_time(&app, &me, export(Some(DESTINATION)))
        .await
        .unwrap()
        .export_description
        .export_arn;
    eventually(|| status(&denied).export_status != "IN_PROGRESS").await;
    let failed = status(&denied);
    assert_eq!(
        (failed.export_status, failed.failure_code.as_deref()),
        ("FAILED", Some("S3AccessDenied"))
    );

    let policy = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{SOURCE}:root"}},"Action":["s3:PutObject","s3:PutObjectAcl","s3:AbortMultipartUpload"],"Resource":"arn:aws:s3:::dest-bucket/*"}}]}}"#
    );
    app.s3
        .update_bucket("dest-bucket", move |b| {
            b.policy = Some(BucketPolicy {
                document: policy,
                bindings: Vec::new(),
            });
            Ok(())
        })
        .await
        .unwrap();
    let allowed = export::export_table_to_point_in_time(&app, &me, export(Some(DESTINATION)))
        .await
        .unwrap()
        .export_description
        .export_arn;
    eventually(|| status(&allowed).export_status != "IN_PROGRESS").await;
    let done = status(&allowed);
    assert_eq!(
        (done.export_status, done.item_count),
        ("COMPLETED", Some(25))
    );
    let manifest = done
        .export_manifest
        .expect("a completed export names its manifest");
    let object = app.s3.get_object("dest-bucket", &manifest, None).unwrap();
    assert_eq!(
        object.meta.owner, DESTINATION,
        "bucket-owner-full-control, owner enforced"
    );
}
