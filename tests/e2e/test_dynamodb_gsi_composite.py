"""Global secondary indexes with multi-attribute keys (AWS, November 2025): up to four HASH
and four RANGE attributes, written, indexed, queried, paged and backfilled; and the key
length limits of every index key at write time.

Sources (recorded against AWS unless said otherwise):
- the DynamoDB Developer Guide, "Multi-attribute key schema" (GSI.html#GSI.MultiAttributeKeys),
  and the AWS Database Blog "Multi-key support for Global Secondary Index" (20 Nov 2025);
- aws-controllers-k8s/dynamodb-controller docs/api-quirks (live probes: DDB-TABLE-123..127,
  the message catalogue DDB-TABLE-442);
- paritysuite/dynamodb-conformance tests/tier1/query/multiAttributeGsiKey.test.ts;
- ScyllaDB test/alternator/test_gsi_composite_keys.py (run against DynamoDB; regexes);
- ScyllaDB test/alternator/test_gsi.py::test_gsi_limit_partition_key_len_2048 and
  test_gsi_updatetable.py (an oversized value already in the table is left out of a new
  index, which still becomes ACTIVE).
"""

import pytest

from aws_helpers import client_error, unique, wait_indexes_active

INVALID = "One or more parameter values were invalid: "


def attr(name, type_):
    return {"AttributeName": name, "AttributeType": type_}


def key(name, key_type):
    return {"AttributeName": name, "KeyType": key_type}


def create_composite(ddb, projection=None):
    """A table `p` (S) with index `idx`: HASH h1 (S), h2 (N); RANGE a (S), b (N)."""
    name = unique("gsic")
    ddb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[key("p", "HASH")],
        AttributeDefinitions=[attr("p", "S"), attr("h1", "S"), attr("h2", "N"), attr("a", "S"), attr("b", "N")],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "idx",
                "KeySchema": [key("h1", "HASH"), key("h2", "HASH"), key("a", "RANGE"), key("b", "RANGE")],
                "Projection": projection or {"ProjectionType": "ALL"},
            }
        ],
    )
    return name


def put(ddb, table, p, **attrs):
    item = {"p": {"S": p}}
    for name, value in attrs.items():
        item[name] = {"N": str(value)} if isinstance(value, int) else {"S": value}
    ddb.put_item(TableName=table, Item=item)


def query_ps(ddb, table, expression, values, **extra):
    """The `p` of each item a Query of index `idx` returns (only the values the expression
    uses are sent: DynamoDB refuses unused ones)."""
    values = {k: v for k, v in values.items() if k in expression}
    out = ddb.query(
        TableName=table,
        IndexName="idx",
        KeyConditionExpression=expression,
        ExpressionAttributeValues={k: ({"N": str(v)} if isinstance(v, int) else {"S": v}) for k, v in values.items()},
        **extra,
    )
    return [i["p"]["S"] for i in out["Items"]]


def test_describe_keeps_the_submitted_key_schema(server):
    ddb = server.client("dynamodb")
    table = create_composite(ddb)
    index = ddb.describe_table(TableName=table)["Table"]["GlobalSecondaryIndexes"][0]
    # ACK DDB-TABLE-123/125: a flat list with repeated key types, in submitted order.
    assert index["KeySchema"] == [key("h1", "HASH"), key("h2", "HASH"), key("a", "RANGE"), key("b", "RANGE")]
    assert index["IndexStatus"] == "ACTIVE"


def test_eight_attribute_key_and_hash_only_key(server):
    ddb = server.client("dynamodb")
    name = unique("gsi8")
    hashes = [key(f"h{i}", "HASH") for i in range(4)]
    ranges = [key(f"r{i}", "RANGE") for i in range(4)]
    types = ["S", "N", "B", "S"]
    ddb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[key("p", "HASH")],
        AttributeDefinitions=[attr("p", "S")]
        + [attr(f"h{i}", types[i]) for i in range(4)]
        + [attr(f"r{i}", types[3 - i]) for i in range(4)],
        GlobalSecondaryIndexes=[
            {"IndexName": "eight", "KeySchema": hashes + ranges, "Projection": {"ProjectionType": "KEYS_ONLY"}},
            {"IndexName": "two-hash", "KeySchema": hashes[:2], "Projection": {"ProjectionType": "ALL"}},
        ],
    )
    described = {i["IndexName"]: i["KeySchema"] for i in ddb.describe_table(TableName=name)["Table"]["GlobalSecondaryIndexes"]}
    assert described == {"eight": hashes + ranges, "two-hash": hashes[:2]}


@pytest.mark.parametrize(
    "schema, message",
    [
        (
            [key(f"h{i}", "HASH") for i in range(5)],
            INVALID + "The KeySchema exceeds the maximum allowed number of HASH key attributes",
        ),
        (
            [key("h0", "HASH")] + [key(f"r{i}", "RANGE") for i in range(5)],
            INVALID + "The KeySchema exceeds the maximum allowed number of RANGE key attributes",
        ),
        (
            [key("h0", "HASH"), key("r0", "RANGE"), key("h1", "HASH")],
            INVALID + "All HASH key attributes must precede RANGE key attributes in the KeySchema",
        ),
        # No "One or more parameter values were invalid" prefix: dynalite's createTable.js
        # (captured against DynamoDB) and ACK DDB-TABLE-124.
        ([key("r0", "RANGE"), key("h0", "HASH")], "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"),
        ([key("r0", "RANGE")], "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"),
    ],
    ids=["five-hash", "five-range", "hash-after-range", "range-first", "range-only"],
)
def test_key_schema_rules(server, schema, message):
    ddb = server.client("dynamodb")
    names = sorted({e["AttributeName"] for e in schema})
    error = client_error(
        lambda: ddb.create_table(
            TableName=unique("gsibad"),
            BillingMode="PAY_PER_REQUEST",
            KeySchema=[key("p", "HASH")],
            AttributeDefinitions=[attr("p", "S")] + [attr(n, "S") for n in names],
            GlobalSecondaryIndexes=[{"IndexName": "idx", "KeySchema": schema, "Projection": {"ProjectionType": "ALL"}}],
        )
    )
    assert error["Error"]["Code"] == "ValidationException"
    assert error["Error"]["Message"] == message


def test_duplicate_names_and_single_attribute_keys_elsewhere(server):
    ddb = server.client("dynamodb")

    def create(**extra):
        return client_error(
            lambda: ddb.create_table(TableName=unique("gsibad"), BillingMode="PAY_PER_REQUEST", **extra)
        )

    # SCY: `same name` for [a HASH, a HASH] and [a HASH, b HASH, a RANGE].
    for schema in ([key("a", "HASH"), key("a", "HASH")], [key("a", "HASH"), key("b", "HASH"), key("a", "RANGE")]):
        error = create(
            KeySchema=[key("p", "HASH")],
            AttributeDefinitions=[attr("p", "S"), attr("a", "S"), attr("b", "S")],
            GlobalSecondaryIndexes=[{"IndexName": "idx", "KeySchema": schema, "Projection": {"ProjectionType": "ALL"}}],
        )
        assert error["Error"]["Code"] == "ValidationException"
        assert "same name" in error["Error"]["Message"]
    # ACK DDB-TABLE-123: a table's or a local index's key stays one or two elements, refused
    # by the model's length constraint.
    error = create(
        KeySchema=[key("p", "HASH"), key("q", "RANGE"), key("r", "RANGE")],
        AttributeDefinitions=[attr("p", "S"), attr("q", "S"), attr("r", "S")],
    )
    assert error["Error"]["Code"] == "ValidationException"
    assert "Member must have length less than or equal to 2" in error["Error"]["Message"]
    error = create(
        KeySchema=[key("p", "HASH"), key("q", "RANGE")],
        AttributeDefinitions=[attr("p", "S"), attr("q", "S"), attr("r", "S"), attr("s", "S")],
        LocalSecondaryIndexes=[
            {
                "IndexName": "lsi",
                "KeySchema": [key("p", "HASH"), key("r", "RANGE"), key("s", "RANGE")],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    assert error["Error"]["Code"] == "ValidationException"
    assert "Member must have length less than or equal to 2" in error["Error"]["Message"]


def test_query_equality_on_every_hash_and_a_left_prefix_of_ranges(server):
    ddb = server.client("dynamodb")
    table = create_composite(ddb)
    put(ddb, table, "p1", h1="x", h2=1, a="m", b=3)
    put(ddb, table, "p2", h1="x", h2=1, a="m", b=1)
    put(ddb, table, "p3", h1="x", h2=1, a="n", b=0)
    put(ddb, table, "p4", h1="x", h2=1, a="l", b=9)
    put(ddb, table, "p5", h1="x", h2=2, a="m", b=1)  # another partition
    put(ddb, table, "p6", h1="x", h2=1, a="m")  # no b: not in the index (sparse)

    everything = {":h": "x", ":n": 1}
    # Sorted by a, then b (N numerically), in key-schema order.
    assert query_ps(ddb, table, "h1 = :h AND h2 = :n", everything) == ["p4", "p2", "p1", "p3"]
    assert query_ps(ddb, table, "h1 = :h AND h2 = :n", everything, ScanIndexForward=False) == ["p3", "p1", "p2", "p4"]
    # Clause order is free.
    assert query_ps(ddb, table, "a = :a AND h2 = :n AND h1 = :h", {**everything, ":a": "m"}) == ["p2", "p1"]
    assert query_ps(ddb, table, "h1 = :h AND h2 = :n AND a = :a AND b > :b", {**everything, ":a": "m", ":b": 1}) == ["p1"]
    assert query_ps(ddb, table, "h1 = :h AND h2 = :n AND a BETWEEN :lo AND :hi", {**everything, ":lo": "m", ":hi": "z"}) == [
        "p2",
        "p1",
        "p3",
    ]
    assert query_ps(ddb, table, "h1 = :h AND h2 = :n AND begins_with(a, :a)", {**everything, ":a": "n"}) == ["p3"]
    # The legacy KeyConditions are accepted too (ScyllaDB PR #31448, checked against AWS).
    out = ddb.query(
        TableName=table,
        IndexName="idx",
        KeyConditions={
            "h1": {"AttributeValueList": [{"S": "x"}], "ComparisonOperator": "EQ"},
            "h2": {"AttributeValueList": [{"N": "1"}], "ComparisonOperator": "EQ"},
            "a": {"AttributeValueList": [{"S": "m"}], "ComparisonOperator": "EQ"},
        },
    )
    assert [i["p"]["S"] for i in out["Items"]] == ["p2", "p1"]


@pytest.mark.parametrize(
    "expression, message",
    [
        # paritysuite multiAttributeGsiKey.test.ts (recorded against AWS).
        (
            "h1 = :h AND h2 = :n AND b = :n",
            "RANGE key attributes a must have equality conditions specified in the query because a condition is present on key attribute b",
        ),
        (
            "h1 = :h AND h2 = :n AND a > :a AND b = :n",
            "RANGE key attributes a must have equality conditions specified in the query because a condition is present on key attribute b",
        ),
    ],
)
def test_query_range_attributes_in_order(server, expression, message):
    ddb = server.client("dynamodb")
    table = create_composite(ddb)
    error = client_error(
        lambda: query_ps(ddb, table, expression, {":h": "x", ":n": 1, ":a": "m"})
    )
    assert error["Error"]["Code"] == "ValidationException"
    assert error["Error"]["Message"] == message


@pytest.mark.parametrize("expression", ["h1 = :h", "h1 = :h AND h2 > :n", "h1 = :h AND a = :a", "h1 = :h AND h2 BETWEEN :n AND :n"])
def test_query_needs_equality_on_every_hash_attribute(server, expression):
    ddb = server.client("dynamodb")
    table = create_composite(ddb)
    error = client_error(lambda: query_ps(ddb, table, expression, {":h": "x", ":n": 1, ":a": "m"}))
    assert error["Error"]["Code"] == "ValidationException"
    # ScyllaDB test_gsi_composite_keys.py matches AWS's text with `HASH.*equality`.
    assert "HASH" in error["Error"]["Message"] and "equality" in error["Error"]["Message"]


def test_sparse_and_moving_entries(server):
    ddb = server.client("dynamodb")
    table = create_composite(ddb)
    values = {":h": "x", ":n": 1}
    put(ddb, table, "p1", h1="x", h2=1, a="m", b=1)
    assert query_ps(ddb, table, "h1 = :h AND h2 = :n", values) == ["p1"]
    for missing in ("h1", "h2", "a", "b"):
        ddb.update_item(TableName=table, Key={"p": {"S": "p1"}}, UpdateExpression=f"REMOVE {missing}")
        assert query_ps(ddb, table, "h1 = :h AND h2 = :n", values) == [], missing
        put(ddb, table, "p1", h1="x", h2=1, a="m", b=1)
        assert query_ps(ddb, table, "h1 = :h AND h2 = :n", values) == ["p1"], missing
    # A new key tuple moves the entry.
    ddb.update_item(
        TableName=table,
        Key={"p": {"S": "p1"}},
        UpdateExpression="SET h2 = :two",
        ExpressionAttributeValues={":two": {"N": "2"}},
    )
    assert query_ps(ddb, table, "h1 = :h AND h2 = :n", values) == []
    assert query_ps(ddb, table, "h1 = :h AND h2 = :n", {":h": "x", ":n": 2}) == ["p1"]


def test_type_mismatch_and_empty_values_are_refused(server):
    ddb = server.client("dynamodb")
    table = create_composite(ddb)
    error = client_error(
        lambda: ddb.put_item(TableName=table, Item={"p": {"S": "p1"}, "h2": {"S": "not a number"}})
    )
    assert error["Error"]["Code"] == "ValidationException"
    assert error["Error"]["Message"] == (
        INVALID + "Type mismatch for Index Key h2 Expected: N Actual: S IndexName: idx"
    )
    error = client_error(lambda: ddb.put_item(TableName=table, Item={"p": {"S": "p1"}, "a": {"S": ""}}))
    assert error["Error"]["Code"] == "ValidationException"
    assert "empty" in error["Error"]["Message"]
    # One bad item refuses the whole batch (ScyllaDB test_gsi_composite_batchwrite_wrong_type_rejected).
    error = client_error(
        lambda: ddb.batch_write_item(
            RequestItems={
                table: [
                    {"PutRequest": {"Item": {"p": {"S": "ok"}, "h1": {"S": "x"}}}},
                    {"PutRequest": {"Item": {"p": {"S": "bad"}, "b": {"S": "x"}}}},
                ]
            }
        )
    )
    assert error["Error"]["Code"] == "ValidationException"
    assert "Item" not in ddb.get_item(TableName=table, Key={"p": {"S": "ok"}})


def test_keys_only_projection_and_paging_keys(server):
    ddb = server.client("dynamodb")
    table = create_composite(ddb, projection={"ProjectionType": "KEYS_ONLY"})
    for i in range(3):
        put(ddb, table, f"p{i}", h1="x", h2=1, a="m", b=i, extra="not projected")
    out = ddb.query(
        TableName=table,
        IndexName="idx",
        KeyConditionExpression="h1 = :h AND h2 = :n",
        ExpressionAttributeValues={":h": {"S": "x"}, ":n": {"N": "1"}},
        Limit=2,
    )
    # KEYS_ONLY: the table key and every index key attribute.
    assert out["Items"][0] == {"p": {"S": "p0"}, "h1": {"S": "x"}, "h2": {"N": "1"}, "a": {"S": "m"}, "b": {"N": "0"}}
    # A page's LastEvaluatedKey carries the table key and every index key attribute.
    assert sorted(out["LastEvaluatedKey"]) == ["a", "b", "h1", "h2", "p"]
    rest = ddb.query(
        TableName=table,
        IndexName="idx",
        KeyConditionExpression="h1 = :h AND h2 = :n",
        ExpressionAttributeValues={":h": {"S": "x"}, ":n": {"N": "1"}},
        ExclusiveStartKey=out["LastEvaluatedKey"],
    )
    assert [i["p"]["S"] for i in rest["Items"]] == ["p2"]
    scanned = ddb.scan(TableName=table, IndexName="idx", Limit=1)
    assert sorted(scanned["LastEvaluatedKey"]) == ["a", "b", "h1", "h2", "p"]


def test_update_table_creates_a_composite_index_with_backfill(server):
    ddb = server.client("dynamodb")
    name = unique("gsiu")
    ddb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[key("p", "HASH")],
        AttributeDefinitions=[attr("p", "S")],
    )
    put(ddb, name, "p1", h1="x", h2=1, a="b")
    put(ddb, name, "p2", h1="x", h2=1, a="a")
    put(ddb, name, "p3", h1="x", a="a")  # lacks h2
    ddb.update_table(
        TableName=name,
        AttributeDefinitions=[attr("h1", "S"), attr("h2", "N"), attr("a", "S")],
        GlobalSecondaryIndexUpdates=[
            {
                "Create": {
                    "IndexName": "idx",
                    "KeySchema": [key("h1", "HASH"), key("h2", "HASH"), key("a", "RANGE")],
                    "Projection": {"ProjectionType": "ALL"},
                }
            }
        ],
    )
    index = wait_indexes_active(ddb, name)["GlobalSecondaryIndexes"][0]
    assert index["IndexStatus"] == "ACTIVE"
    assert index["KeySchema"] == [key("h1", "HASH"), key("h2", "HASH"), key("a", "RANGE")]
    assert query_ps(ddb, name, "h1 = :h AND h2 = :n", {":h": "x", ":n": 1}) == ["p2", "p1"]
    # More than four HASH attributes in an UpdateTable Create (ACK catalogue: CreateTable and
    # UpdateTable).
    error = client_error(
        lambda: ddb.update_table(
            TableName=name,
            AttributeDefinitions=[attr(f"k{i}", "S") for i in range(5)],
            GlobalSecondaryIndexUpdates=[
                {
                    "Create": {
                        "IndexName": "idx5",
                        "KeySchema": [key(f"k{i}", "HASH") for i in range(5)],
                        "Projection": {"ProjectionType": "ALL"},
                    }
                }
            ],
        )
    )
    assert error["Error"]["Message"] == INVALID + "The KeySchema exceeds the maximum allowed number of HASH key attributes"


HASH_TOO_LONG = INVALID + "Size of hashkey has exceeded the maximum size limit of2048 bytes"
RANGE_TOO_LONG = INVALID + "Aggregated size of all range keys has exceeded the size limit of 1024 bytes"


def test_index_keys_too_long_are_refused_at_write(server):
    """ScyllaDB test_gsi.py::test_gsi_limit_partition_key_len_2048 (and _sort_key_len_1024):
    DynamoDB limits index keys as it limits table keys; the refused write changes nothing."""
    ddb = server.client("dynamodb")
    name = unique("gsilen")
    ddb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[key("p", "HASH"), key("c", "RANGE")],
        AttributeDefinitions=[attr("p", "S"), attr("c", "S"), attr("x", "S"), attr("y", "S"), attr("l", "S")],
        GlobalSecondaryIndexes=[
            {"IndexName": "gsi", "KeySchema": [key("x", "HASH"), key("y", "RANGE")], "Projection": {"ProjectionType": "ALL"}}
        ],
        LocalSecondaryIndexes=[
            {"IndexName": "lsi", "KeySchema": [key("p", "HASH"), key("l", "RANGE")], "Projection": {"ProjectionType": "ALL"}}
        ],
    )
    base = {"p": {"S": "p"}, "c": {"S": "c"}}
    ddb.put_item(TableName=name, Item={**base, "x": {"S": "a" * 2048}, "y": {"S": "b" * 1024}, "l": {"S": "c" * 1024}})
    for extra, message in [
        ({"x": {"S": "a" * 2049}}, HASH_TOO_LONG),
        ({"y": {"S": "b" * 1025}}, RANGE_TOO_LONG),
        ({"l": {"S": "c" * 1025}}, RANGE_TOO_LONG),
        ({"x": {"S": "a" * 100_000}}, HASH_TOO_LONG),
    ]:
        error = client_error(lambda: ddb.put_item(TableName=name, Item={**base, **extra}))
        assert error["Error"]["Code"] == "ValidationException"
        assert error["Error"]["Message"] == message
        error = client_error(
            lambda: ddb.update_item(
                TableName=name,
                Key=base,
                UpdateExpression="SET #k = :v",
                ExpressionAttributeNames={"#k": next(iter(extra))},
                ExpressionAttributeValues={":v": next(iter(extra.values()))},
            )
        )
        assert error["Error"]["Message"] == message
    item = ddb.get_item(TableName=name, Key=base, ConsistentRead=True)["Item"]
    assert len(item["x"]["S"]) == 2048 and len(item["l"]["S"]) == 1024


def test_backfill_leaves_out_values_that_cannot_be_index_keys(server):
    """An index added over an item whose value is too long for an index key: the item is left
    out and the index becomes ACTIVE (ScyllaDB test_gsi_updatetable.py, checked on AWS)."""
    ddb = server.client("dynamodb")
    name = unique("gsibf")
    ddb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        KeySchema=[key("p", "HASH")],
        AttributeDefinitions=[attr("p", "S")],
    )
    ddb.put_item(TableName=name, Item={"p": {"S": "long"}, "x": {"S": "a" * 3000}})
    ddb.put_item(TableName=name, Item={"p": {"S": "fine"}, "x": {"S": "a"}})
    ddb.update_table(
        TableName=name,
        AttributeDefinitions=[attr("x", "S")],
        GlobalSecondaryIndexUpdates=[
            {"Create": {"IndexName": "idx", "KeySchema": [key("x", "HASH")], "Projection": {"ProjectionType": "ALL"}}}
        ],
    )
    assert wait_indexes_active(ddb, name)["GlobalSecondaryIndexes"][0]["IndexStatus"] == "ACTIVE"
    assert [i["p"]["S"] for i in ddb.scan(TableName=name, IndexName="idx")["Items"]] == ["fine"]
