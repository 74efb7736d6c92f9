//! DynamoDB at the application layer, without HTTP: typed inputs in, typed outputs and
//! DynamoDB's errors out, authorization on every call.

mod common;

use std::collections::BTreeMap;

use common::{SOURCE, app, item, put, root, table, user};
use strata_app::dynamodb::Error;
use strata_app::dynamodb::items::GetItemInput;
use strata_app::dynamodb::{items, tables};
use strata_dynamodb::capacity::ReturnConsumedCapacity;
use strata_dynamodb::items::ReturnValues;
use strata_dynamodb_item::Item;

fn get(table: &str, key: Item) -> GetItemInput {
    GetItemInput {
        table_name: table.into(),
        key,
        projection_expression: None,
        expression_attributes: Default::default(),
        attributes_to_get: None,
        consistent_read: true,
        return_consumed_capacity: ReturnConsumedCapacity::None,
    }
}

#[tokio::test]
async fn a_table_is_created_written_and_read_with_consumed_capacity() {
    let app = app().await;
    let me = root(SOURCE);
    let created = tables::create_table(&app, &me, table("orders"))
        .await
        .unwrap();
    assert_eq!(created.table_description.table_name, "orders");
    let written = items::put_item(&app, &me, put("orders", item(&[("pk", "a"), ("v", "1")])))
        .await
        .unwrap();
    let capacity = written.consumed_capacity.expect("TOTAL was asked for");
    assert_eq!(
        (capacity.table_name.as_str(), capacity.capacity_units),
        ("orders", 1.0)
    );
    let got = items::get_item(&app, &me, get("orders", item(&[("pk", "a")]))).unwrap();
    assert_eq!(got.item, Some(item(&[("pk", "a"), ("v", "1")])));
    let missing = items::get_item(&app, &me, get("nope", item(&[("pk", "a")])));
    assert!(
        matches!(missing, Err(Error::ResourceNotFound(_))),
        "{missing:?}"
    );
}

#[tokio::test]
async fn a_user_without_a_policy_is_denied_with_aws_words() {
    let app = app().await;
    tables::create_table(&app, &root(SOURCE), table("orders"))
        .await
        .unwrap();
    let alice = user(&app, SOURCE, "alice").await;
    let denied = items::put_item(&app, &alice, put("orders", item(&[("pk", "a")]))).await;
    let Err(Error::AccessDenied(message)) = denied else {
        panic!("expected AccessDenied, got {denied:?}");
    };
    assert_eq!(
        message,
        "User: arn:aws:iam::111111111111:user/alice is not authorized to perform: dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:111111111111:table/orders because no identity-based policy allows the dynamodb:PutItem action"
    );
}

#[tokio::test]
async fn dynamodb_rules_beyond_the_model_come_before_the_table() {
    let app = app().await;
    let me = root(SOURCE);
    let mut updated_new = put("missing", item(&[("pk", "a")]));
    updated_new.write.return_values = Some(ReturnValues::UpdatedNew);
    let refused = items::put_item(&app, &me, updated_new).await;
    assert!(
        matches!(&refused, Err(Error::Validation(m)) if m == "Return values set to invalid value"),
        "{refused:?}"
    );
    let mut mixed = put("missing", item(&[("pk", "a")]));
    mixed.write.condition_expression = Some("attribute_exists(pk)".into());
    mixed.write.legacy.expected = Some(Vec::new());
    let refused = items::put_item(&app, &me, mixed).await;
    assert!(
        matches!(&refused, Err(Error::Validation(m)) if m == "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}"),
        "{refused:?}"
    );
    let mut unused = put("missing", item(&[("pk", "a")]));
    unused.write.expression_attributes.names = Some(BTreeMap::from([("#p".into(), "pk".into())]));
    let refused = items::put_item(&app, &me, unused).await;
    assert!(
        matches!(&refused, Err(Error::Validation(m)) if m == "ExpressionAttributeNames can only be specified when using expressions"),
        "{refused:?}"
    );
}
