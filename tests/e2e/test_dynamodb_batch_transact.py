"""DynamoDB batches and transactions: BatchWriteItem/BatchGetItem limits and results,
TransactWriteItems all-or-nothing with cancellation reasons, idempotency tokens, and
TransactGetItems."""

import json
import uuid

import pytest

from aws_helpers import client_error, get, key, new_table, unique


def count(ddb, table):
    return ddb.scan(TableName=table, Select="COUNT", ConsistentRead=True)["Count"]


def put(table, item):
    return {"Put": {"TableName": table, "Item": item}}


@pytest.fixture
def table(ddb):
    return new_table(ddb, "bt")


# --- BatchWriteItem / BatchGetItem ----------------------------------------------------


def test_batch_write_25_puts_then_mixed_deletes_and_puts(ddb, table):
    out = ddb.batch_write_item(
        RequestItems={table: [{"PutRequest": {"Item": {"pk": {"S": f"k{i}"}, "i": {"N": str(i)}}}} for i in range(25)]}
    )
    assert out["UnprocessedItems"] == {}
    assert count(ddb, table) == 25
    assert get(ddb, table, "k24") == {"pk": {"S": "k24"}, "i": {"N": "24"}}

    requests = [{"DeleteRequest": {"Key": key(f"k{i}")}} for i in range(10)]
    requests += [{"PutRequest": {"Item": {"pk": {"S": f"new{i}"}}}} for i in range(5)]
    requests.append({"DeleteRequest": {"Key": key("never-existed")}})
    assert ddb.batch_write_item(RequestItems={table: requests})["UnprocessedItems"] == {}
    assert count(ddb, table) == 20
    assert get(ddb, table, "k0") is None and get(ddb, table, "new4") == {"pk": {"S": "new4"}}


def test_batch_write_consumed_capacity(ddb, table):
    out = ddb.batch_write_item(
        RequestItems={table: [{"PutRequest": {"Item": key(f"k{i}")}} for i in range(4)]},
        ReturnConsumedCapacity="TOTAL",
    )
    assert out["ConsumedCapacity"][0]["TableName"] == table
    assert out["ConsumedCapacity"][0]["CapacityUnits"] == 4.0


def test_batch_get_across_two_tables(ddb):
    first, second = new_table(ddb, "bt"), new_table(ddb, "bt")
    ddb.batch_write_item(
        RequestItems={
            first: [{"PutRequest": {"Item": {"pk": {"S": f"a{i}"}, "v": {"N": str(i)}, "w": {"S": "x"}}}} for i in range(3)],
            second: [{"PutRequest": {"Item": {"pk": {"S": "b0"}, "v": {"S": "second"}}}}],
        }
    )
    out = ddb.batch_get_item(
        RequestItems={
            first: {"Keys": [key("a0"), key("a2"), key("missing")], "ProjectionExpression": "pk, v"},
            second: {"Keys": [key("b0")], "ConsistentRead": True},
        }
    )
    assert out["UnprocessedKeys"] == {}
    assert sorted(out["Responses"]) == sorted([first, second])
    assert sorted(out["Responses"][first], key=lambda i: i["pk"]["S"]) == [
        {"pk": {"S": "a0"}, "v": {"N": "0"}},
        {"pk": {"S": "a2"}, "v": {"N": "2"}},
    ]
    assert out["Responses"][second] == [{"pk": {"S": "b0"}, "v": {"S": "second"}}]


def test_batch_get_of_only_missing_keys_returns_an_empty_list(ddb, table):
    out = ddb.batch_get_item(RequestItems={table: {"Keys": [key("nope")]}})
    assert out["Responses"] == {table: []}
    assert out["UnprocessedKeys"] == {}


def test_batch_write_over_25_requests_is_refused(ddb, table):
    requests = [{"PutRequest": {"Item": key(f"k{i}")}} for i in range(26)]
    error = client_error(lambda: ddb.batch_write_item(RequestItems={table: requests}))
    assert error["Error"]["Code"] == "ValidationException"
    assert count(ddb, table) == 0


def test_batch_write_over_25_requests_across_tables_is_refused(ddb, table):
    other = new_table(ddb, "bt")
    error = client_error(
        lambda: ddb.batch_write_item(
            RequestItems={
                table: [{"PutRequest": {"Item": key(f"k{i}")}} for i in range(13)],
                other: [{"PutRequest": {"Item": key(f"k{i}")}} for i in range(13)],
            }
        )
    )
    assert error["Error"]["Code"] == "ValidationException"
    assert count(ddb, table) == 0 and count(ddb, other) == 0


def test_batch_write_duplicate_keys_are_refused(ddb, table):
    error = client_error(
        lambda: ddb.batch_write_item(
            RequestItems={
                table: [
                    {"PutRequest": {"Item": {"pk": {"S": "dup"}, "v": {"N": "1"}}}},
                    {"PutRequest": {"Item": key("fine")}},
                    {"DeleteRequest": {"Key": key("dup")}},
                ]
            }
        )
    )
    assert error["Error"]["Code"] == "ValidationException"
    assert error["Error"]["Message"] == "Provided list of item keys contains duplicates"
    assert count(ddb, table) == 0


def test_batch_get_beyond_16_mb_returns_unprocessed_keys(ddb, table):
    # 45 items of ~390 KB are ~17 MB: more than one BatchGetItem may return.
    blob = "x" * 390_000
    for i in range(45):
        ddb.put_item(TableName=table, Item={"pk": {"S": f"big{i}"}, "d": {"S": blob}})
    keys = [key(f"big{i}") for i in range(45)]
    out = ddb.batch_get_item(RequestItems={table: {"Keys": keys, "ProjectionExpression": "pk, d"}})
    first = out["Responses"][table]
    rest = out["UnprocessedKeys"][table]
    assert len(first) < 45 and len(first) + len(rest["Keys"]) == 45
    assert rest["ProjectionExpression"] == "pk, d"
    out = ddb.batch_get_item(RequestItems=out["UnprocessedKeys"])
    assert out["UnprocessedKeys"] == {}
    got = {i["pk"]["S"] for i in first + out["Responses"][table]}
    assert got == {f"big{i}" for i in range(45)}


def test_batch_get_duplicate_keys_are_refused(ddb, table):
    error = client_error(lambda: ddb.batch_get_item(RequestItems={table: {"Keys": [key("a"), key("a")]}}))
    assert error["Error"]["Code"] == "ValidationException"
    assert error["Error"]["Message"] == "Provided list of item keys contains duplicates"


def test_batch_get_over_100_keys_is_refused(ddb, table):
    error = client_error(
        lambda: ddb.batch_get_item(RequestItems={table: {"Keys": [key(f"k{i}") for i in range(101)]}})
    )
    assert error["Error"]["Code"] == "ValidationException"
    assert error["Error"]["Message"] == "Too many items requested for the BatchGetItem call"


def test_batch_write_with_one_invalid_item_writes_nothing(ddb, table):
    error = client_error(
        lambda: ddb.batch_write_item(
            RequestItems={table: [{"PutRequest": {"Item": key("good")}}, {"PutRequest": {"Item": {"nokey": {"S": "x"}}}}]}
        )
    )
    assert error["Error"]["Code"] == "ValidationException"
    assert get(ddb, table, "good") is None


def test_batch_write_to_a_missing_table(ddb, table):
    error = client_error(
        lambda: ddb.batch_write_item(
            RequestItems={
                table: [{"PutRequest": {"Item": key("good")}}],
                unique("missing"): [{"PutRequest": {"Item": key("x")}}],
            }
        )
    )
    assert error["Error"]["Code"] == "ResourceNotFoundException"
    assert get(ddb, table, "good") is None


def test_cli_batch_write_and_get(server, tmp_path):
    ddb = server.client("dynamodb")
    table = new_table(ddb, "bt")
    request = {table: [{"PutRequest": {"Item": {"pk": {"S": f"c{i}"}, "n": {"N": str(i)}}}} for i in range(5)]}
    path = tmp_path / "write.json"
    path.write_text(json.dumps(request))
    out = json.loads(server.aws("dynamodb", "batch-write-item", "--request-items", f"file://{path}").stdout)
    assert out["UnprocessedItems"] == {}
    got = json.loads(
        server.aws(
            "dynamodb", "batch-get-item", "--request-items", json.dumps({table: {"Keys": [key("c3"), key("c4")]}})
        ).stdout
    )
    assert sorted(i["n"]["N"] for i in got["Responses"][table]) == ["3", "4"]


# --- TransactWriteItems ---------------------------------------------------------------


def test_transact_write_put_update_delete_condition_check(ddb, table):
    ddb.put_item(TableName=table, Item={"pk": {"S": "upd"}, "n": {"N": "1"}})
    ddb.put_item(TableName=table, Item={"pk": {"S": "del"}})
    ddb.put_item(TableName=table, Item={"pk": {"S": "chk"}, "ok": {"BOOL": True}})
    out = ddb.transact_write_items(
        TransactItems=[
            put(table, {"pk": {"S": "new"}, "v": {"S": "x"}}),
            {
                "Update": {
                    "TableName": table,
                    "Key": key("upd"),
                    "UpdateExpression": "SET n = n + :one",
                    "ConditionExpression": "n = :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}},
                }
            },
            {"Delete": {"TableName": table, "Key": key("del"), "ConditionExpression": "attribute_exists(pk)"}},
            {
                "ConditionCheck": {
                    "TableName": table,
                    "Key": key("chk"),
                    "ConditionExpression": "ok = :t",
                    "ExpressionAttributeValues": {":t": {"BOOL": True}},
                }
            },
        ]
    )
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert get(ddb, table, "new") == {"pk": {"S": "new"}, "v": {"S": "x"}}
    assert get(ddb, table, "upd")["n"] == {"N": "2"}
    assert get(ddb, table, "del") is None
    assert get(ddb, table, "chk") == {"pk": {"S": "chk"}, "ok": {"BOOL": True}}


def test_failed_condition_check_cancels_the_whole_transaction(ddb, table):
    ddb.put_item(TableName=table, Item={"pk": {"S": "upd"}, "n": {"N": "1"}})
    ddb.put_item(TableName=table, Item={"pk": {"S": "chk"}, "ok": {"BOOL": False}})
    error = client_error(
        lambda: ddb.transact_write_items(
            TransactItems=[
                put(table, {"pk": {"S": "new"}}),
                {
                    "ConditionCheck": {
                        "TableName": table,
                        "Key": key("chk"),
                        "ConditionExpression": "ok = :t",
                        "ExpressionAttributeValues": {":t": {"BOOL": True}},
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                    }
                },
                {
                    "Update": {
                        "TableName": table,
                        "Key": key("upd"),
                        "UpdateExpression": "SET n = :nine",
                        "ExpressionAttributeValues": {":nine": {"N": "9"}},
                    }
                },
            ]
        )
    )
    assert error["Error"]["Code"] == "TransactionCanceledException"
    assert error["Error"]["Message"] == (
        "Transaction cancelled, please refer cancellation reasons for specific reasons "
        "[None, ConditionalCheckFailed, None]"
    )
    reasons = error["CancellationReasons"]
    assert [r["Code"] for r in reasons] == ["None", "ConditionalCheckFailed", "None"]
    assert reasons[1]["Message"] == "The conditional request failed"
    assert reasons[1]["Item"] == {"pk": {"S": "chk"}, "ok": {"BOOL": False}}
    assert "Item" not in reasons[0]
    # Nothing was applied.
    assert get(ddb, table, "new") is None
    assert get(ddb, table, "upd")["n"] == {"N": "1"}


def test_several_failed_conditions_are_all_reported(ddb, table):
    ddb.put_item(TableName=table, Item={"pk": {"S": "exists"}})
    error = client_error(
        lambda: ddb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": table, "Item": key("exists"), "ConditionExpression": "attribute_not_exists(pk)"}},
                {"Delete": {"TableName": table, "Key": key("absent"), "ConditionExpression": "attribute_exists(pk)"}},
                put(table, key("fine")),
            ]
        )
    )
    assert error["Error"]["Code"] == "TransactionCanceledException"
    assert [r["Code"] for r in error["CancellationReasons"]] == ["ConditionalCheckFailed", "ConditionalCheckFailed", "None"]
    assert get(ddb, table, "fine") is None


def test_transaction_across_two_tables(ddb, table):
    other = new_table(ddb, "bt")
    ddb.put_item(TableName=table, Item={"pk": {"S": "acct"}, "balance": {"N": "100"}})
    ddb.transact_write_items(
        TransactItems=[
            {
                "Update": {
                    "TableName": table,
                    "Key": key("acct"),
                    "UpdateExpression": "SET balance = balance - :amt",
                    "ConditionExpression": "balance >= :amt",
                    "ExpressionAttributeValues": {":amt": {"N": "30"}},
                }
            },
            put(other, {"pk": {"S": "ledger-1"}, "amount": {"N": "30"}}),
        ]
    )
    assert get(ddb, table, "acct")["balance"] == {"N": "70"}
    assert get(ddb, other, "ledger-1")["amount"] == {"N": "30"}


def test_transaction_may_not_touch_one_item_twice(ddb, table):
    error = client_error(
        lambda: ddb.transact_write_items(
            TransactItems=[put(table, {"pk": {"S": "same"}, "v": {"N": "1"}}), {"Delete": {"TableName": table, "Key": key("same")}}]
        )
    )
    assert error["Error"]["Code"] == "ValidationException"
    assert error["Error"]["Message"] == "Transaction request cannot include multiple operations on one item"
    assert get(ddb, table, "same") is None


def test_transaction_over_100_actions_is_refused(ddb, table):
    error = client_error(
        lambda: ddb.transact_write_items(TransactItems=[put(table, key(f"k{i}")) for i in range(101)])
    )
    assert error["Error"]["Code"] == "ValidationException"
    assert count(ddb, table) == 0


def test_transaction_with_100_actions_is_accepted(ddb, table):
    ddb.transact_write_items(TransactItems=[put(table, key(f"k{i}")) for i in range(100)])
    assert count(ddb, table) == 100


def test_transaction_on_a_missing_table(ddb, table):
    error = client_error(
        lambda: ddb.transact_write_items(TransactItems=[put(table, key("a")), put(unique("missing"), key("b"))])
    )
    assert error["Error"]["Code"] == "ResourceNotFoundException"
    assert get(ddb, table, "a") is None


def test_client_request_token_makes_a_transaction_idempotent(ddb, table):
    token = uuid.uuid4().hex
    request = dict(
        TransactItems=[
            {
                "Update": {
                    "TableName": table,
                    "Key": key("counter"),
                    "UpdateExpression": "ADD n :one",
                    "ExpressionAttributeValues": {":one": {"N": "1"}},
                }
            }
        ],
        ClientRequestToken=token,
    )
    ddb.transact_write_items(**request)
    ddb.transact_write_items(**request)
    assert get(ddb, table, "counter")["n"] == {"N": "1"}

    # The same token with different parameters is refused.
    changed = json.loads(json.dumps(request))
    changed["TransactItems"][0]["Update"]["ExpressionAttributeValues"][":one"] = {"N": "5"}
    error = client_error(lambda: ddb.transact_write_items(**changed))
    assert error["Error"]["Code"] == "IdempotentParameterMismatchException"
    assert get(ddb, table, "counter")["n"] == {"N": "1"}

    # A new token applies again.
    ddb.transact_write_items(**{**request, "ClientRequestToken": uuid.uuid4().hex})
    assert get(ddb, table, "counter")["n"] == {"N": "2"}


def test_boto3_sends_a_token_of_its_own(ddb, table):
    # Without an explicit token, every call is a separate transaction.
    for _ in range(3):
        ddb.transact_write_items(
            TransactItems=[
                {
                    "Update": {
                        "TableName": table,
                        "Key": key("counter"),
                        "UpdateExpression": "ADD n :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}},
                    }
                }
            ]
        )
    assert get(ddb, table, "counter")["n"] == {"N": "3"}


# --- TransactGetItems -----------------------------------------------------------------


def test_transact_get_items(ddb, table):
    other = new_table(ddb, "bt")
    ddb.put_item(TableName=table, Item={"pk": {"S": "a"}, "x": {"N": "1"}, "y": {"N": "2"}})
    ddb.put_item(TableName=other, Item={"pk": {"S": "b"}, "z": {"S": "zz"}})
    out = ddb.transact_get_items(
        TransactItems=[
            {"Get": {"TableName": table, "Key": key("a"), "ProjectionExpression": "y"}},
            {"Get": {"TableName": other, "Key": key("b")}},
            {"Get": {"TableName": table, "Key": key("missing")}},
        ]
    )
    assert out["Responses"] == [
        {"Item": {"y": {"N": "2"}}},
        {"Item": {"pk": {"S": "b"}, "z": {"S": "zz"}}},
        {},
    ]


def test_transact_get_items_on_a_missing_table(ddb):
    error = client_error(
        lambda: ddb.transact_get_items(TransactItems=[{"Get": {"TableName": unique("none"), "Key": key("a")}}])
    )
    assert error["Error"]["Code"] == "ResourceNotFoundException"


def test_client_request_token_expires_after_ten_minutes(workdir):
    from conftest import start_server

    s = start_server(workdir / unique("token"))
    try:
        ddb = s.client("dynamodb")
        table = new_table(ddb, "bt")
        request = dict(
            TransactItems=[
                {
                    "Update": {
                        "TableName": table,
                        "Key": key("counter"),
                        "UpdateExpression": "ADD n :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}},
                    }
                }
            ],
            # A uuid4 is 36 characters, the model's longest ClientRequestToken.
            ClientRequestToken=str(uuid.uuid4()),
        )
        ddb.transact_write_items(**request)
        s.advance_clock(300)
        ddb.transact_write_items(**request)
        assert get(ddb, table, "counter")["n"] == {"N": "1"}
        s.advance_clock(660)
        ddb.transact_write_items(**request)
        assert get(ddb, table, "counter")["n"] == {"N": "2"}
    finally:
        s.stop()
