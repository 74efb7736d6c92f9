//! DynamoDB through the AWS SDK for Rust: the typed model must round-trip every data
//! type, and errors must surface as the SDK's modelled error variants.

use std::collections::HashMap;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue, BillingMode, KeySchemaElement, KeyType, ReturnValue,
    ScalarAttributeType,
};
use strata_sdk_tests::{ACCESS_KEY_ID, REGION, SECRET_ACCESS_KEY, start};

fn client(endpoint: &str) -> Client {
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new(REGION))
        .credentials_provider(Credentials::new(
            ACCESS_KEY_ID,
            SECRET_ACCESS_KEY,
            None,
            None,
            "static",
        ))
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .build();
    Client::from_conf(config)
}

async fn create_table(client: &Client, name: &str) {
    client
        .create_table()
        .table_name(name)
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name("pk")
                .attribute_type(ScalarAttributeType::S)
                .build()
                .expect("complete"),
        )
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name("sk")
                .attribute_type(ScalarAttributeType::N)
                .build()
                .expect("complete"),
        )
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name("pk")
                .key_type(KeyType::Hash)
                .build()
                .expect("complete"),
        )
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name("sk")
                .key_type(KeyType::Range)
                .build()
                .expect("complete"),
        )
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await
        .expect("table created");
}

#[tokio::test]
async fn every_type_round_trips_through_the_typed_model() {
    let server = start().await;
    let client = client(&server.endpoint);
    create_table(&client, "types").await;

    let mut nested = HashMap::new();
    nested.insert(
        "inner".to_owned(),
        AttributeValue::L(vec![
            AttributeValue::Null(true),
            AttributeValue::Bool(false),
        ]),
    );
    let item: HashMap<String, AttributeValue> = [
        ("pk", AttributeValue::S("k".into())),
        (
            "sk",
            AttributeValue::N("12345678901234567890123456789012345678".into()),
        ),
        ("b", AttributeValue::B(Blob::new(vec![0u8, 1, 255]))),
        ("ss", AttributeValue::Ss(vec!["x".into(), "y".into()])),
        ("ns", AttributeValue::Ns(vec!["1.5".into(), "-2".into()])),
        ("bs", AttributeValue::Bs(vec![Blob::new(vec![9u8])])),
        ("m", AttributeValue::M(nested)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    client
        .put_item()
        .table_name("types")
        .set_item(Some(item.clone()))
        .send()
        .await
        .expect("put");

    let got = client
        .get_item()
        .table_name("types")
        .key("pk", AttributeValue::S("k".into()))
        .key(
            "sk",
            AttributeValue::N("12345678901234567890123456789012345678".into()),
        )
        .consistent_read(true)
        .send()
        .await
        .expect("get")
        .item
        .expect("found");
    assert_eq!(got, item);

    let table = client
        .describe_table()
        .table_name("types")
        .send()
        .await
        .expect("describe")
        .table
        .expect("table");
    assert_eq!(table.item_count, Some(1));
    assert_eq!(
        table.table_arn.as_deref(),
        Some("arn:aws:dynamodb:us-east-1:111111111111:table/types")
    );
}

#[tokio::test]
async fn errors_are_the_sdks_modelled_variants() {
    let server = start().await;
    let client = client(&server.endpoint);
    create_table(&client, "errs").await;

    let missing = client
        .describe_table()
        .table_name("nope")
        .send()
        .await
        .expect_err("no such table");
    match missing {
        SdkError::ServiceError(e) => assert!(e.err().is_resource_not_found_exception(), "{e:?}"),
        other => panic!("unexpected {other:?}"),
    }

    let key = |n: &str| {
        [
            ("pk".to_owned(), AttributeValue::S("c".into())),
            ("sk".to_owned(), AttributeValue::N(n.into())),
        ]
        .into_iter()
        .collect::<HashMap<_, _>>()
    };
    client
        .put_item()
        .table_name("errs")
        .set_item(Some(key("1")))
        .send()
        .await
        .expect("put");
    let failed = client
        .put_item()
        .table_name("errs")
        .set_item(Some(key("1")))
        .condition_expression("attribute_not_exists(pk)")
        .send()
        .await
        .expect_err("condition fails");
    match failed {
        SdkError::ServiceError(e) => {
            assert!(e.err().is_conditional_check_failed_exception(), "{e:?}");
        }
        other => panic!("unexpected {other:?}"),
    }

    let updated = client
        .update_item()
        .table_name("errs")
        .set_key(Some(key("1")))
        .update_expression("SET #c = if_not_exists(#c, :zero) + :one")
        .expression_attribute_names("#c", "count")
        .expression_attribute_values(":zero", AttributeValue::N("0".into()))
        .expression_attribute_values(":one", AttributeValue::N("1".into()))
        .return_values(ReturnValue::UpdatedNew)
        .send()
        .await
        .expect("update")
        .attributes
        .expect("updated attributes");
    assert_eq!(updated.get("count"), Some(&AttributeValue::N("1".into())));
}

#[tokio::test]
async fn query_pages_with_the_sdk_paginator() {
    let server = start().await;
    let client = client(&server.endpoint);
    create_table(&client, "pages").await;
    for i in 0..25 {
        client
            .put_item()
            .table_name("pages")
            .item("pk", AttributeValue::S("p".into()))
            .item("sk", AttributeValue::N(i.to_string()))
            .send()
            .await
            .expect("put");
    }
    let pages: Vec<_> = client
        .query()
        .table_name("pages")
        .key_condition_expression("pk = :p AND sk >= :from")
        .expression_attribute_values(":p", AttributeValue::S("p".into()))
        .expression_attribute_values(":from", AttributeValue::N("5".into()))
        .limit(6)
        .into_paginator()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .expect("pages");
    let sks: Vec<String> = pages
        .iter()
        .flat_map(|p| p.items().iter())
        .map(|i| match i.get("sk") {
            Some(AttributeValue::N(n)) => n.clone(),
            other => panic!("sk missing: {other:?}"),
        })
        .collect();
    assert_eq!(sks, (5..25).map(|i| i.to_string()).collect::<Vec<_>>());
    assert!(
        pages.len() >= 4,
        "limit 6 over 20 items gives at least 4 pages"
    );
}
