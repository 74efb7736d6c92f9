"""DynamoDB tables: create/describe/list/update/delete per account, indexes added to a
table with items (backfill), deletion protection, tags, Time to Live on the server
clock, DescribeLimits/DescribeEndpoints and the AWS CLI waiters."""

import datetime
import json
import re
import time

import pytest
from botocore.config import Config

from conftest import start_server

from aws_helpers import client_error, unique, wait_active, wait_until

SOURCE, DEST = "111111111111", "222222222222"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def table_arn(name, account=SOURCE):
    return f"arn:aws:dynamodb:us-east-1:{account}:table/{name}"


def create(ddb, prefix="t", hash_key=("pk", "S"), range_key=None, **extra):
    """Creates an on-demand table (unless `extra` says otherwise); returns (name, description)."""
    name = unique(prefix)
    schema = [{"AttributeName": hash_key[0], "KeyType": "HASH"}]
    defs = [{"AttributeName": hash_key[0], "AttributeType": hash_key[1]}]
    if range_key:
        schema.append({"AttributeName": range_key[0], "KeyType": "RANGE"})
        defs.append({"AttributeName": range_key[0], "AttributeType": range_key[1]})
    defs += extra.pop("more_definitions", [])
    if "ProvisionedThroughput" not in extra and "BillingMode" not in extra:
        extra["BillingMode"] = "PAY_PER_REQUEST"
    out = ddb.create_table(TableName=name, KeySchema=schema, AttributeDefinitions=defs, **extra)
    return name, out["TableDescription"]


def all_tables(ddb):
    return [n for page in ddb.get_paginator("list_tables").paginate() for n in page["TableNames"]]



def index_status(ddb, table, index):
    for gsi in ddb.describe_table(TableName=table)["Table"].get("GlobalSecondaryIndexes", []):
        if gsi["IndexName"] == index:
            return gsi["IndexStatus"]
    return None


# --- create and describe ---------------------------------------------------------------


def test_create_hash_only_on_demand_table_and_describe_it(server):
    ddb = server.client("dynamodb")
    name, created = create(ddb)
    assert created["TableName"] == name
    assert created["TableStatus"] in ("CREATING", "ACTIVE")
    assert created["TableArn"] == table_arn(name)
    assert UUID.match(created["TableId"]), created["TableId"]
    assert created["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]
    assert created["AttributeDefinitions"] == [{"AttributeName": "pk", "AttributeType": "S"}]
    assert created["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert isinstance(created["CreationDateTime"], datetime.datetime)

    table = ddb.describe_table(TableName=name)["Table"]
    assert table["TableStatus"] == "ACTIVE"
    assert table["TableId"] == created["TableId"]
    assert table["TableArn"] == table_arn(name)
    assert table["KeySchema"] == created["KeySchema"]
    assert table["ItemCount"] == 0
    assert table["TableSizeBytes"] == 0
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert table["ProvisionedThroughput"]["ReadCapacityUnits"] == 0
    assert table["ProvisionedThroughput"]["WriteCapacityUnits"] == 0
    assert "GlobalSecondaryIndexes" not in table and "LocalSecondaryIndexes" not in table


def test_create_hash_range_provisioned_table(server):
    ddb = server.client("dynamodb")
    name, created = create(
        ddb, range_key=("sk", "N"), ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 7}
    )
    assert created["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    table = ddb.describe_table(TableName=name)["Table"]
    assert sorted((d["AttributeName"], d["AttributeType"]) for d in table["AttributeDefinitions"]) == [
        ("pk", "S"),
        ("sk", "N"),
    ]
    assert table["ProvisionedThroughput"]["ReadCapacityUnits"] == 5
    assert table["ProvisionedThroughput"]["WriteCapacityUnits"] == 7
    assert table.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED") == "PROVISIONED"


def test_create_table_with_global_and_local_secondary_indexes(server):
    ddb = server.client("dynamodb")
    name, _ = create(
        ddb,
        range_key=("sk", "S"),
        more_definitions=[
            {"AttributeName": "gpk", "AttributeType": "S"},
            {"AttributeName": "lsk", "AttributeType": "N"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-gpk",
                "KeySchema": [{"AttributeName": "gpk", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        LocalSecondaryIndexes=[
            {
                "IndexName": "by-lsk",
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "lsk", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["extra"]},
            }
        ],
    )
    table = ddb.describe_table(TableName=name)["Table"]
    [gsi] = table["GlobalSecondaryIndexes"]
    assert gsi["IndexName"] == "by-gpk"
    assert gsi["KeySchema"] == [{"AttributeName": "gpk", "KeyType": "HASH"}]
    assert gsi["Projection"] == {"ProjectionType": "ALL"}
    assert gsi["IndexStatus"] == "ACTIVE"
    assert gsi["IndexArn"] == table_arn(name) + "/index/by-gpk"
    [lsi] = table["LocalSecondaryIndexes"]
    assert lsi["IndexName"] == "by-lsk"
    assert lsi["KeySchema"][1] == {"AttributeName": "lsk", "KeyType": "RANGE"}
    assert lsi["Projection"] == {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["extra"]}
    assert lsi["IndexArn"] == table_arn(name) + "/index/by-lsk"


def test_item_count_and_size_follow_writes(server):
    ddb = server.client("dynamodb")
    name, _ = create(ddb)
    for i in range(3):
        ddb.put_item(TableName=name, Item={"pk": {"S": f"k{i}"}, "v": {"S": "x" * 10}})
    ddb.delete_item(TableName=name, Key={"pk": {"S": "k0"}})
    table = ddb.describe_table(TableName=name)["Table"]
    assert table["ItemCount"] == 2
    # Each item is at least "pk" (2) + "k1" (2) + "v" (1) + 10 bytes.
    assert table["TableSizeBytes"] >= 2 * 15


def test_index_item_counts_follow_writes(server):
    ddb = server.client("dynamodb")
    name, _ = create(
        ddb,
        range_key=("sk", "N"),
        more_definitions=[{"AttributeName": "g", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-g",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        LocalSecondaryIndexes=[
            {
                "IndexName": "lsi-g",
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "g", "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
    )
    # Only the items carrying "g" are in the (sparse) indexes.
    for i in range(5):
        item = {"pk": {"S": "p"}, "sk": {"N": str(i)}}
        if i % 2:
            item["g"] = {"S": "x"}
        ddb.put_item(TableName=name, Item=item)
    table = ddb.describe_table(TableName=name)["Table"]
    assert table["ItemCount"] == 5
    assert table["GlobalSecondaryIndexes"][0]["ItemCount"] == 2
    assert table["GlobalSecondaryIndexes"][0]["IndexSizeBytes"] > 0
    assert table["LocalSecondaryIndexes"][0]["ItemCount"] == 2


def test_duplicate_create_is_resource_in_use(server):
    ddb = server.client("dynamodb")
    name, _ = create(ddb)
    error = client_error(
        lambda: ddb.create_table(
            TableName=name,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
    )
    assert error["Error"]["Code"] == "ResourceInUseException"
    assert error["Error"]["Message"] == f"Table already exists: {name}"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400


@pytest.mark.parametrize(
    "kwargs,message",
    [
        (
            dict(
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "other", "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST",
            ),
            None,
        ),
        (
            dict(
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST",
                ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
            ),
            "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits "
            "can be specified when BillingMode is PAY_PER_REQUEST",
        ),
        (
            dict(
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                BillingMode="PROVISIONED",
            ),
            None,
        ),
        (
            dict(
                KeySchema=[{"AttributeName": "pk", "KeyType": "RANGE"}],
                AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST",
            ),
            None,
        ),
        (
            dict(
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                AttributeDefinitions=[
                    {"AttributeName": "pk", "AttributeType": "S"},
                    {"AttributeName": "unused", "AttributeType": "S"},
                ],
                BillingMode="PAY_PER_REQUEST",
            ),
            "One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match "
            "number of attributes defined in AttributeDefinitions",
        ),
        (
            dict(
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "BOOL"}],
                BillingMode="PAY_PER_REQUEST",
            ),
            None,
        ),
        # alternator's test_table.py::test_create_table_duplicate_attribute_name, run against
        # AWS; the message is AWS's as ScyllaDB's issue #13870 records it.
        (
            dict(
                KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                AttributeDefinitions=[
                    {"AttributeName": "pk", "AttributeType": "S"},
                    {"AttributeName": "pk", "AttributeType": "N"},
                ],
                BillingMode="PAY_PER_REQUEST",
            ),
            "Attribute Name is duplicated: pk",
        ),
    ],
    ids=["undefined-key-attribute", "on-demand-with-throughput", "provisioned-without-throughput", "range-only"]
    + ["unused-definition", "bad-type", "duplicated-definition"],
)
def test_invalid_create_table_is_a_validation_error(server, kwargs, message):
    ddb = server.client("dynamodb")
    name = unique("bad")
    error = client_error(lambda: ddb.create_table(TableName=name, **kwargs))
    assert error["Error"]["Code"] == "ValidationException"
    if message:
        assert error["Error"]["Message"] == message
    assert name not in all_tables(ddb)


@pytest.mark.parametrize(
    "projection,code,message",
    [
        (
            {},
            "ValidationException",
            "One or more parameter values were invalid: Unknown ProjectionType: null",
        ),
        ({"ProjectionType": "INCLUDE", "NonKeyAttributes": ["a", "b", "a"]}, "ValidationException", "Duplicate"),
        ({"ProjectionType": "INCLUDE", "NonKeyAttributes": ["a", 123]}, "SerializationException", None),
        ({"ProjectionType": "INCLUDE", "NonKeyAttributes": ["n" * 256]}, "ValidationException", "255"),
    ],
    ids=["missing-projection-type", "duplicate-non-key-attribute", "non-string-non-key-attribute"]
    + ["long-non-key-attribute"],
)
def test_invalid_index_projection_is_refused(server, projection, code, message):
    """AWS's answers in alternator's test_gsi.py::test_gsi_missing_projection_type,
    test_gsi_projection_error_duplicate and test_gsi_projection_error_nonstring_nonkeyattributes,
    and test_limits.py::test_limit_attribute_length_gsi_lsi_projection_bad, run against AWS (the
    missing type's text as dynalite records it)."""
    # boto3 would refuse the last two itself.
    ddb = server.client("dynamodb", config=Config(parameter_validation=False, retries={"max_attempts": 1}))
    name = unique("proj")
    error = client_error(
        lambda: ddb.create_table(
            TableName=name,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "x", "AttributeType": "S"},
            ],
            BillingMode="PAY_PER_REQUEST",
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "by-x",
                    "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}],
                    "Projection": projection,
                }
            ],
        )
    )
    assert error["Error"]["Code"] == code
    if message and message.startswith("One or more"):
        assert error["Error"]["Message"] == message
    elif message:
        assert message in error["Error"]["Message"]
    assert name not in all_tables(ddb)


def test_table_class(server):
    ddb = server.client("dynamodb")
    name, created = create(ddb, TableClass="STANDARD_INFREQUENT_ACCESS")
    assert created["TableClassSummary"]["TableClass"] == "STANDARD_INFREQUENT_ACCESS"
    ddb.update_table(TableName=name, TableClass="STANDARD")
    table = ddb.describe_table(TableName=name)["Table"]
    assert table.get("TableClassSummary", {}).get("TableClass", "STANDARD") == "STANDARD"


def test_describe_missing_table_is_resource_not_found(server):
    ddb = server.client("dynamodb")
    error = client_error(lambda: ddb.describe_table(TableName=unique("missing")))
    assert error["Error"]["Code"] == "ResourceNotFoundException"
    assert error["Error"]["Message"].startswith("Requested resource not found")


def test_table_can_be_named_by_its_arn(server):
    ddb = server.client("dynamodb")
    name, _ = create(ddb)
    assert ddb.describe_table(TableName=table_arn(name))["Table"]["TableName"] == name
    ddb.put_item(TableName=table_arn(name), Item={"pk": {"S": "a"}})
    assert ddb.get_item(TableName=name, Key={"pk": {"S": "a"}})["Item"] == {"pk": {"S": "a"}}


# --- listing and accounts --------------------------------------------------------------


def test_list_tables_pages_with_limit_and_exclusive_start(server):
    ddb = server.client("dynamodb")
    prefix = unique("list")
    names = []
    for i in range(5):
        name = f"{prefix}-{i}"
        ddb.create_table(
            TableName=name,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        names.append(name)

    seen, start = [], None
    while True:
        kwargs = {"Limit": 2}
        if start:
            kwargs["ExclusiveStartTableName"] = start
        page = ddb.list_tables(**kwargs)
        assert len(page["TableNames"]) <= 2
        seen += page["TableNames"]
        start = page.get("LastEvaluatedTableName")
        if not start:
            break
        assert start == page["TableNames"][-1]
    assert seen == sorted(seen)
    assert len(seen) == len(set(seen))
    assert [n for n in seen if n.startswith(prefix)] == names

    after = ddb.list_tables(ExclusiveStartTableName=names[1], Limit=3)["TableNames"]
    assert after == names[2:5]

    paginated = [n for page in ddb.get_paginator("list_tables").paginate(PaginationConfig={"PageSize": 3})
                 for n in page["TableNames"]]
    assert paginated == seen


def test_tables_are_per_account(server):
    source = server.client("dynamodb", "source")
    dest = server.client("dynamodb", "destination")
    name, _ = create(source)
    source.put_item(TableName=name, Item={"pk": {"S": "only-in-source"}})
    assert name in all_tables(source)
    assert name not in all_tables(dest)
    assert client_error(lambda: dest.describe_table(TableName=name))["Error"]["Code"] == "ResourceNotFoundException"

    # The same name is free in the other account, and is a different table.
    created = dest.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )["TableDescription"]
    assert created["TableArn"] == table_arn(name, DEST)
    assert created["TableId"] != source.describe_table(TableName=name)["Table"]["TableId"]
    assert "Item" not in dest.get_item(TableName=name, Key={"pk": {"S": "only-in-source"}})
    assert dest.describe_table(TableName=name)["Table"]["ItemCount"] == 0


# --- updates --------------------------------------------------------------------------


def test_update_table_switches_billing_mode(server):
    ddb = server.client("dynamodb")
    name, _ = create(ddb, ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})
    ddb.update_table(TableName=name, ProvisionedThroughput={"ReadCapacityUnits": 10, "WriteCapacityUnits": 3})
    table = ddb.describe_table(TableName=name)["Table"]
    assert table["ProvisionedThroughput"]["ReadCapacityUnits"] == 10
    assert table["ProvisionedThroughput"]["WriteCapacityUnits"] == 3

    updated = ddb.update_table(TableName=name, BillingMode="PAY_PER_REQUEST")["TableDescription"]
    assert updated["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    table = wait_active(ddb, name, timeout=30)
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert "LastUpdateToPayPerRequestDateTime" in table["BillingModeSummary"]


def test_update_missing_table_is_resource_not_found(server):
    ddb = server.client("dynamodb")
    error = client_error(lambda: ddb.update_table(TableName=unique("missing"), BillingMode="PAY_PER_REQUEST"))
    assert error["Error"]["Code"] == "ResourceNotFoundException"


def test_one_index_create_or_delete_per_update_table(server):
    """Two index Creates, two Deletes, or a Create and a Delete in one UpdateTable are AWS's
    LimitExceededException (alternator's test_gsi_updatetable.py::test_gsi_updatetable_errors,
    run against AWS); nothing changes."""
    ddb = server.client("dynamodb")
    name, _ = create(ddb)

    def create_index(index):
        return {
            "Create": {
                "IndexName": index,
                "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        }

    for updates in [
        [create_index("one"), create_index("two")],
        [{"Delete": {"IndexName": "one"}}, {"Delete": {"IndexName": "two"}}],
        [create_index("one"), {"Delete": {"IndexName": "two"}}],
    ]:
        error = client_error(
            lambda: ddb.update_table(
                TableName=name,
                AttributeDefinitions=[{"AttributeName": "x", "AttributeType": "N"}],
                GlobalSecondaryIndexUpdates=updates,
            )
        )
        assert error["Error"]["Code"] == "LimitExceededException"
        assert error["Error"]["Message"] == (
            "Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table"
        )
    assert "GlobalSecondaryIndexes" not in ddb.describe_table(TableName=name)["Table"]


def test_added_global_index_is_backfilled_then_deleted(server):
    ddb = server.client("dynamodb")
    name, _ = create(ddb)
    for pk, color in [("a", "red"), ("b", "blue"), ("c", "red"), ("d", None)]:
        item = {"pk": {"S": pk}}
        if color:
            item["color"] = {"S": color}
        ddb.put_item(TableName=name, Item=item)

    ddb.update_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "color", "AttributeType": "S"}],
        GlobalSecondaryIndexUpdates=[
            {
                "Create": {
                    "IndexName": "by-color",
                    "KeySchema": [{"AttributeName": "color", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "ALL"},
                }
            }
        ],
    )
    wait_until(lambda: index_status(ddb, name, "by-color") == "ACTIVE", what="index ACTIVE")

    def reds():
        out = ddb.query(
            TableName=name,
            IndexName="by-color",
            KeyConditionExpression="color = :c",
            ExpressionAttributeValues={":c": {"S": "red"}},
        )
        return sorted(i["pk"]["S"] for i in out["Items"])

    assert reds() == ["a", "c"]
    ddb.put_item(TableName=name, Item={"pk": {"S": "e"}, "color": {"S": "red"}})
    ddb.update_item(
        TableName=name,
        Key={"pk": {"S": "a"}},
        UpdateExpression="SET color = :b",
        ExpressionAttributeValues={":b": {"S": "blue"}},
    )
    assert reds() == ["c", "e"]

    # A second index with the same name is refused.
    error = client_error(
        lambda: ddb.update_table(
            TableName=name,
            AttributeDefinitions=[{"AttributeName": "color", "AttributeType": "S"}],
            GlobalSecondaryIndexUpdates=[
                {
                    "Create": {
                        "IndexName": "by-color",
                        "KeySchema": [{"AttributeName": "color", "KeyType": "HASH"}],
                        "Projection": {"ProjectionType": "ALL"},
                    }
                }
            ],
        )
    )
    assert error["Error"]["Code"] in ("ValidationException", "ResourceInUseException")

    ddb.update_table(TableName=name, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "by-color"}}])
    wait_until(lambda: index_status(ddb, name, "by-color") is None, what="index gone")
    error = client_error(reds)
    assert error["Error"]["Code"] == "ValidationException"
    assert error["Error"]["Message"] == "The table does not have the specified index: by-color"
    # The table's own items are untouched.
    assert ddb.scan(TableName=name, Select="COUNT")["Count"] == 5


def test_deleting_a_missing_index_is_resource_not_found(server):
    ddb = server.client("dynamodb")
    name, _ = create(ddb)
    error = client_error(
        lambda: ddb.update_table(TableName=name, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "nope"}}])
    )
    assert error["Error"]["Code"] == "ResourceNotFoundException"


# --- deletion -------------------------------------------------------------------------


def test_delete_table_then_everything_is_not_found(server):
    ddb = server.client("dynamodb")
    name, _ = create(ddb)
    ddb.put_item(TableName=name, Item={"pk": {"S": "x"}})
    deleted = ddb.delete_table(TableName=name)["TableDescription"]
    assert deleted["TableName"] == name
    assert deleted["TableStatus"] == "DELETING"
    for call in (
        lambda: ddb.describe_table(TableName=name),
        lambda: ddb.get_item(TableName=name, Key={"pk": {"S": "x"}}),
        lambda: ddb.put_item(TableName=name, Item={"pk": {"S": "y"}}),
        lambda: ddb.delete_table(TableName=name),
    ):
        assert client_error(call)["Error"]["Code"] == "ResourceNotFoundException"
    assert name not in all_tables(ddb)

    # The name can be reused, and the new table starts empty.
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    assert "Item" not in ddb.get_item(TableName=name, Key={"pk": {"S": "x"}})


def test_deletion_protection_blocks_delete(server):
    ddb = server.client("dynamodb")
    name, created = create(ddb, DeletionProtectionEnabled=True)
    assert created["DeletionProtectionEnabled"] is True
    assert ddb.describe_table(TableName=name)["Table"]["DeletionProtectionEnabled"] is True
    error = client_error(lambda: ddb.delete_table(TableName=name))
    assert error["Error"]["Code"] == "ValidationException"
    assert error["Error"]["Message"] == (
        "Resource cannot be deleted as it is currently protected against deletion. "
        "Disable deletion protection first."
    )
    assert ddb.describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE"

    ddb.update_table(TableName=name, DeletionProtectionEnabled=False)
    assert ddb.describe_table(TableName=name)["Table"]["DeletionProtectionEnabled"] is False
    ddb.delete_table(TableName=name)
    assert client_error(lambda: ddb.describe_table(TableName=name))["Error"]["Code"] == "ResourceNotFoundException"


# --- tags -----------------------------------------------------------------------------


def test_tags_are_added_listed_and_removed(server):
    ddb = server.client("dynamodb")
    name, _ = create(ddb, Tags=[{"Key": "team", "Value": "storage"}])
    arn = table_arn(name)

    def tags():
        return {t["Key"]: t["Value"] for t in ddb.list_tags_of_resource(ResourceArn=arn)["Tags"]}

    assert tags() == {"team": "storage"}
    ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "test"}, {"Key": "team", "Value": "db"}])
    assert tags() == {"team": "db", "env": "test"}
    ddb.untag_resource(ResourceArn=arn, TagKeys=["team", "not-there"])
    assert tags() == {"env": "test"}
    ddb.untag_resource(ResourceArn=arn, TagKeys=["env"])
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == []


def test_tag_keys_with_the_aws_prefix_are_refused(server):
    ddb = server.client("dynamodb")
    name, _ = create(ddb)
    error = client_error(lambda: ddb.tag_resource(ResourceArn=table_arn(name), Tags=[{"Key": "aws:mine", "Value": "v"}]))
    assert error["Error"]["Code"] == "ValidationException"
    assert ddb.list_tags_of_resource(ResourceArn=table_arn(name))["Tags"] == []


def test_at_most_50_tags_per_table(server):
    ddb = server.client("dynamodb")
    name, _ = create(ddb)
    arn = table_arn(name)
    ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(50)])
    assert len(ddb.list_tags_of_resource(ResourceArn=arn)["Tags"]) == 50
    # Overwriting an existing key does not add a tag.
    ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "k0", "Value": "w"}])
    error = client_error(lambda: ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "k50", "Value": "v"}]))
    assert error["Error"]["Code"] in ("LimitExceededException", "ValidationException")
    tags = {t["Key"]: t["Value"] for t in ddb.list_tags_of_resource(ResourceArn=arn)["Tags"]}
    assert len(tags) == 50 and tags["k0"] == "w" and "k50" not in tags


def test_tagging_a_missing_table_is_resource_not_found(server):
    ddb = server.client("dynamodb")
    arn = table_arn(unique("missing"))
    error = client_error(lambda: ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "a", "Value": "b"}]))
    assert error["Error"]["Code"] == "ResourceNotFoundException"
    assert client_error(lambda: ddb.list_tags_of_resource(ResourceArn=arn))["Error"]["Code"] in (
        "ResourceNotFoundException",
        "AccessDeniedException",
    )


# --- Time to Live ---------------------------------------------------------------------


def test_time_to_live_is_described_and_updated(server):
    ddb = server.client("dynamodb")
    name, _ = create(ddb)
    described = ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    assert described["TimeToLiveStatus"] == "DISABLED"
    assert "AttributeName" not in described

    spec = ddb.update_time_to_live(
        TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"}
    )["TimeToLiveSpecification"]
    assert spec == {"Enabled": True, "AttributeName": "expires"}
    described = ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    assert described["TimeToLiveStatus"] in ("ENABLING", "ENABLED")
    assert described["AttributeName"] == "expires"

    # Enabling twice is refused.
    error = client_error(
        lambda: ddb.update_time_to_live(
            TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"}
        )
    )
    assert error["Error"]["Code"] == "ValidationException"

    ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": False, "AttributeName": "expires"})
    assert ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]["TimeToLiveStatus"] in (
        "DISABLING",
        "DISABLED",
    )


def test_time_to_live_on_missing_table_is_resource_not_found(server):
    ddb = server.client("dynamodb")
    error = client_error(lambda: ddb.describe_time_to_live(TableName=unique("missing")))
    assert error["Error"]["Code"] == "ResourceNotFoundException"


def server_epoch(s):
    now = json.loads(s.get("/_strata/clock"))["now"]
    return int(datetime.datetime.fromisoformat(now.replace("Z", "+00:00")).timestamp())


def test_expired_items_disappear_when_the_server_clock_passes_them(workdir):
    # Its own server: moving the clock must not disturb the other tests.
    s = start_server(workdir / unique("ttl"))
    try:
        ddb = s.client("dynamodb")
        name, _ = create(
            ddb,
            more_definitions=[{"AttributeName": "g", "AttributeType": "S"}],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "by-g",
                    "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "KEYS_ONLY"},
                }
            ],
        )
        ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
        now = server_epoch(s)
        items = {
            "soon": {"N": str(now + 600)},
            "later": {"N": str(now + 86400)},
            "text": {"S": str(now - 10)},  # not a Number: never expires
            "ancient": {"N": str(now - 6 * 366 * 86400)},  # over five years old: ignored by TTL
            "none": None,
        }
        for pk, exp in items.items():
            item = {"pk": {"S": pk}, "g": {"S": "all"}}
            if exp:
                item["exp"] = exp
            ddb.put_item(TableName=name, Item=item)

        def present(pk):
            return "Item" in ddb.get_item(TableName=name, Key={"pk": {"S": pk}}, ConsistentRead=True)

        def in_index():
            out = ddb.query(
                TableName=name, IndexName="by-g", KeyConditionExpression="g = :g",
                ExpressionAttributeValues={":g": {"S": "all"}},
            )
            return sorted(i["pk"]["S"] for i in out["Items"])

        time.sleep(2.5)  # one sweep at least: nothing has expired yet
        assert all(present(pk) for pk in items)

        s.advance_clock(3600)
        wait_until(lambda: not present("soon"), timeout=10, what="expired item deleted")
        assert present("later") and present("text") and present("ancient") and present("none")
        assert in_index() == ["ancient", "later", "none", "text"]
        assert ddb.describe_table(TableName=name)["Table"]["ItemCount"] == 4
    finally:
        s.stop()


# --- account-level operations and the CLI ---------------------------------------------


def test_describe_limits(server):
    limits = server.client("dynamodb").describe_limits()
    assert limits["AccountMaxReadCapacityUnits"] == 80000
    assert limits["AccountMaxWriteCapacityUnits"] == 80000
    assert limits["TableMaxReadCapacityUnits"] == 40000
    assert limits["TableMaxWriteCapacityUnits"] == 40000


def test_describe_endpoints(server):
    endpoints = server.client("dynamodb").describe_endpoints()["Endpoints"]
    assert len(endpoints) == 1
    assert endpoints[0]["CachePeriodInMinutes"] == 1440
    assert endpoints[0]["Address"]


def test_cli_create_wait_describe_and_delete(server):
    name = unique("cli")
    server.aws(
        "dynamodb", "create-table", "--table-name", name,
        "--attribute-definitions", "AttributeName=id,AttributeType=S", "AttributeName=ts,AttributeType=N",
        "--key-schema", "AttributeName=id,KeyType=HASH", "AttributeName=ts,KeyType=RANGE",
        "--billing-mode", "PAY_PER_REQUEST",
    )
    waited = server.aws("dynamodb", "wait", "table-exists", "--table-name", name)
    assert waited.returncode == 0
    table = json.loads(server.aws("dynamodb", "describe-table", "--table-name", name).stdout)["Table"]
    assert table["TableStatus"] == "ACTIVE"
    assert table["TableArn"] == table_arn(name)
    assert table["KeySchema"][1] == {"AttributeName": "ts", "KeyType": "RANGE"}
    listed = json.loads(server.aws("dynamodb", "list-tables").stdout)["TableNames"]
    assert name in listed

    server.aws("dynamodb", "delete-table", "--table-name", name)
    assert server.aws("dynamodb", "wait", "table-not-exists", "--table-name", name).returncode == 0
    missing = server.aws("dynamodb", "describe-table", "--table-name", name, check=False)
    assert missing.returncode != 0 and "ResourceNotFoundException" in missing.stderr


def test_invalid_table_names_are_refused(server):
    ddb = server.client("dynamodb")
    error = client_error(
        lambda: ddb.create_table(
            TableName="bad name!",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
    )
    assert error["Error"]["Code"] == "ValidationException"
    assert "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+" in error["Error"]["Message"]


def test_list_tables_limit_above_100_is_refused(server):
    error = client_error(lambda: server.client("dynamodb").list_tables(Limit=101))
    assert error["Error"]["Code"] == "ValidationException"


def test_tables_items_indexes_and_settings_survive_a_restart(workdir):
    data_dir = workdir / unique("restart")
    s = start_server(data_dir)
    try:
        ddb = s.client("dynamodb")
        name, created = create(
            ddb,
            range_key=("sk", "N"),
            more_definitions=[{"AttributeName": "g", "AttributeType": "S"}],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "by-g",
                    "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
            Tags=[{"Key": "k", "Value": "v"}],
            DeletionProtectionEnabled=True,
        )
        for i in range(5):
            ddb.put_item(TableName=name, Item={"pk": {"S": "p"}, "sk": {"N": str(i)}, "g": {"S": f"g{i % 2}"}})
        ddb.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
        arn = table_arn(name)
        document = json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{DEST}:root"},
                           "Action": "dynamodb:GetItem", "Resource": arn}],
        })
        ddb.put_resource_policy(ResourceArn=arn, Policy=document)
    finally:
        s.stop()

    s = start_server(data_dir)
    try:
        ddb = s.client("dynamodb")
        table = ddb.describe_table(TableName=name)["Table"]
        assert table["TableId"] == created["TableId"]
        assert table["ItemCount"] == 5
        assert table["DeletionProtectionEnabled"] is True
        assert table["GlobalSecondaryIndexes"][0]["IndexStatus"] == "ACTIVE"
        out = ddb.query(
            TableName=name, IndexName="by-g", KeyConditionExpression="g = :g", ExpressionAttributeValues={":g": {"S": "g0"}}
        )
        assert sorted(i["sk"]["N"] for i in out["Items"]) == ["0", "2", "4"]
        assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == [{"Key": "k", "Value": "v"}]
        assert ddb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]["AttributeName"] == "exp"
        assert json.loads(ddb.get_resource_policy(ResourceArn=arn)["Policy"]) == json.loads(document)
        dest = s.client("dynamodb", "destination")
        got = dest.get_item(TableName=arn, Key={"pk": {"S": "p"}, "sk": {"N": "3"}})["Item"]
        assert got["g"] == {"S": "g1"}
    finally:
        s.stop()


def test_sse_by_kms_without_a_key_uses_the_aws_managed_dynamodb_key(server):
    """SSESpecification {Enabled, SSEType KMS} without a key: the table is encrypted under the
    account's AWS managed key `alias/aws/dynamodb`, made on first use, and SSEDescription names
    that key's ARN (a `key/<uuid>` ARN, as AWS answers: DynamoDB's developer guide, "AWS managed
    key"; LocalStack's AWS-recorded test_table_with_ttl_and_sse gives a KMS key ARN)."""
    ddb, kms = server.client("dynamodb"), server.client("kms")
    _, table = create(ddb, SSESpecification={"Enabled": True, "SSEType": "KMS"})
    sse = table["SSEDescription"]
    assert (sse["Status"], sse["SSEType"]) == ("ENABLED", "KMS")
    arn = sse["KMSMasterKeyArn"]
    match = re.fullmatch(r"arn:aws:kms:us-east-1:111111111111:key/(.+)", arn)
    assert match and UUID.match(match.group(1)), arn
    assert kms.describe_key(KeyId=arn)["KeyMetadata"]["KeyManager"] == "AWS"
    aliases = {a["AliasName"]: a.get("TargetKeyId") for a in kms.list_aliases()["Aliases"]}
    assert aliases.get("alias/aws/dynamodb") == match.group(1)
    # A second table uses the same key.
    _, other = create(ddb, SSESpecification={"Enabled": True})
    assert other["SSEDescription"]["KMSMasterKeyArn"] == arn
