"""DynamoDB Query and Scan: key conditions on the sort key, order, Limit and
LastEvaluatedKey paging (by hand, with boto3's paginator and the CLI), filters and
their counts, projections, Select COUNT, secondary indexes, parallel scans and the
legacy KeyConditions/QueryFilter/ScanFilter parameters."""

import json

import botocore.exceptions
import pytest

from aws_helpers import client_error, unique


def new_table(ddb, sort_type="S", **extra):
    name = unique("qs")
    defs = [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": sort_type}]
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=defs + extra.pop("more_definitions", []),
        BillingMode="PAY_PER_REQUEST",
        **extra,
    )
    return name


def fill(ddb, table, items):
    for start in range(0, len(items), 25):
        ddb.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": i}} for i in items[start:start + 25]]})


def sks(items, kind="S"):
    return [i["sk"][kind] for i in items]


@pytest.fixture
def sorted_table(ddb):
    """Partition "p" holds item#000..item#019 (odd ones have `odd`) and other#1; partition
    "q" holds one item."""
    table = new_table(ddb)
    items = [
        {"pk": {"S": "p"}, "sk": {"S": f"item#{i:03d}"}, "n": {"N": str(i)}, **({"odd": {"BOOL": True}} if i % 2 else {})}
        for i in range(20)
    ]
    items.append({"pk": {"S": "p"}, "sk": {"S": "other#1"}, "n": {"N": "100"}})
    items.append({"pk": {"S": "q"}, "sk": {"S": "item#000"}, "n": {"N": "0"}})
    fill(ddb, table, items)
    return table


def query(ddb, table, condition, values, **kwargs):
    return ddb.query(
        TableName=table, KeyConditionExpression=condition, ExpressionAttributeValues=values, **kwargs
    )


KEY_CONDITIONS = [
    ("pk = :p", {}, [f"item#{i:03d}" for i in range(20)] + ["other#1"]),
    ("pk = :p AND sk = :a", {":a": "item#007"}, ["item#007"]),
    ("pk = :p AND begins_with(sk, :a)", {":a": "item#00"}, [f"item#{i:03d}" for i in range(10)]),
    ("pk = :p AND sk BETWEEN :a AND :b", {":a": "item#005", ":b": "item#007"}, ["item#005", "item#006", "item#007"]),
    ("pk = :p AND sk < :a", {":a": "item#003"}, ["item#000", "item#001", "item#002"]),
    ("pk = :p AND sk <= :a", {":a": "item#001"}, ["item#000", "item#001"]),
    ("pk = :p AND sk > :a", {":a": "item#018"}, ["item#019", "other#1"]),
    ("pk = :p AND sk >= :a", {":a": "other"}, ["other#1"]),
    ("sk BETWEEN :a AND :b AND pk = :p", {":a": "item#018", ":b": "item#099"}, ["item#018", "item#019"]),
    ("(pk = :p) AND (begins_with(sk, :a))", {":a": "zzz"}, []),
]


@pytest.mark.parametrize("condition,values,expected", KEY_CONDITIONS, ids=[c for c, _, _ in KEY_CONDITIONS])
def test_key_conditions_on_the_sort_key(ddb, sorted_table, condition, values, expected):
    attr_values = {":p": {"S": "p"}, **{k: {"S": v} for k, v in values.items()}}
    out = query(ddb, sorted_table, condition, attr_values)
    assert sks(out["Items"]) == expected
    assert out["Count"] == len(expected)
    assert out["ScannedCount"] == len(expected)
    assert "LastEvaluatedKey" not in out


def test_query_backwards(ddb, sorted_table):
    out = query(
        ddb, sorted_table, "pk = :p AND begins_with(sk, :a)", {":p": {"S": "p"}, ":a": {"S": "item#01"}},
        ScanIndexForward=False,
    )
    assert sks(out["Items"]) == [f"item#{i:03d}" for i in range(19, 9, -1)]


def test_numeric_sort_keys_order_as_numbers(ddb):
    table = new_table(ddb, sort_type="N")
    numbers = ["10", "-5", "1e2", "2", "0.5", "-5.5", "99.999", "-100", "0"]
    fill(ddb, table, [{"pk": {"S": "n"}, "sk": {"N": n}} for n in numbers])
    out = query(ddb, table, "pk = :p", {":p": {"S": "n"}})
    assert sks(out["Items"], "N") == ["-100", "-5.5", "-5", "0", "0.5", "2", "10", "99.999", "100"]
    out = query(ddb, table, "pk = :p", {":p": {"S": "n"}}, ScanIndexForward=False)
    assert sks(out["Items"], "N") == ["100", "99.999", "10", "2", "0.5", "0", "-5", "-5.5", "-100"]
    out = query(
        ddb, table, "pk = :p AND sk BETWEEN :lo AND :hi", {":p": {"S": "n"}, ":lo": {"N": "-5"}, ":hi": {"N": "1E1"}}
    )
    assert sks(out["Items"], "N") == ["-5", "0", "0.5", "2", "10"]
    out = query(ddb, table, "pk = :p AND sk < :z", {":p": {"S": "n"}, ":z": {"N": "0"}})
    assert sks(out["Items"], "N") == ["-100", "-5.5", "-5"]


def test_extreme_numeric_sort_keys_order_as_numbers(ddb):
    from decimal import Decimal

    table = new_table(ddb, sort_type="N")
    numbers = [
        "1E+100", "-1", "9.9999999999999999999999999999999999999E+125", "1E-130", "0", "-1E-130",
        "12345678901234567890123456789012345678", "-9.9999999999999999999999999999999999999E+125", "1", "0.99",
    ]
    fill(ddb, table, [{"pk": {"S": "x"}, "sk": {"N": n}} for n in numbers])
    got = [Decimal(n) for n in sks(query(ddb, table, "pk = :p", {":p": {"S": "x"}})["Items"], "N")]
    assert got == sorted(Decimal(n) for n in numbers)


def test_string_sort_keys_order_by_utf8_bytes(ddb):
    table = new_table(ddb)
    # UTF-8 byte order: U+FFFD (EF BF BD) sorts before U+1F600 (F0 9F 98 80), unlike UTF-16.
    values = ["\U0001F600", "\uFFFD", "a", "Z", "\u00e9", "\u4e2d", "aa", "A"]
    fill(ddb, table, [{"pk": {"S": "u"}, "sk": {"S": v}} for v in values])
    got = sks(query(ddb, table, "pk = :p", {":p": {"S": "u"}})["Items"])
    assert got == sorted(values, key=lambda v: v.encode("utf-8"))
    assert got.index("\uFFFD") < got.index("\U0001F600")


def test_binary_sort_keys_order_as_unsigned_bytes(ddb):
    table = new_table(ddb, sort_type="B")
    values = [b"\xff", b"\x80", b"\x7f", b"\x01", b"\x01\x00", b"\x00"]
    fill(ddb, table, [{"pk": {"S": "b"}, "sk": {"B": v}} for v in values])
    out = query(ddb, table, "pk = :p", {":p": {"S": "b"}})
    assert [bytes(i["sk"]["B"]) for i in out["Items"]] == [b"\x00", b"\x01", b"\x01\x00", b"\x7f", b"\x80", b"\xff"]
    out = query(ddb, table, "pk = :p AND begins_with(sk, :b)", {":p": {"S": "b"}, ":b": {"B": b"\x01"}})
    assert [bytes(i["sk"]["B"]) for i in out["Items"]] == [b"\x01", b"\x01\x00"]


# --- paging ---------------------------------------------------------------------------


def test_query_pages_with_limit_and_last_evaluated_key(ddb):
    table = new_table(ddb, sort_type="N")
    fill(ddb, table, [{"pk": {"S": "p"}, "sk": {"N": str(i)}} for i in range(25)])
    pages, start = [], None
    while True:
        kwargs = {"Limit": 7}
        if start:
            kwargs["ExclusiveStartKey"] = start
        out = query(ddb, table, "pk = :p", {":p": {"S": "p"}}, **kwargs)
        pages.append(sks(out["Items"], "N"))
        start = out.get("LastEvaluatedKey")
        if not start:
            break
        assert start == {"pk": {"S": "p"}, "sk": out["Items"][-1]["sk"]}
    assert [len(p) for p in pages] == [7, 7, 7, 4]
    assert [int(n) for p in pages for n in p] == list(range(25))


def test_a_full_last_page_still_carries_last_evaluated_key(ddb):
    table = new_table(ddb, sort_type="N")
    fill(ddb, table, [{"pk": {"S": "p"}, "sk": {"N": str(i)}} for i in range(6)])
    first = query(ddb, table, "pk = :p", {":p": {"S": "p"}}, Limit=3)
    second = query(ddb, table, "pk = :p", {":p": {"S": "p"}}, Limit=3, ExclusiveStartKey=first["LastEvaluatedKey"])
    assert sks(second["Items"], "N") == ["3", "4", "5"]
    assert second["LastEvaluatedKey"] == {"pk": {"S": "p"}, "sk": {"N": "5"}}
    third = query(ddb, table, "pk = :p", {":p": {"S": "p"}}, Limit=3, ExclusiveStartKey=second["LastEvaluatedKey"])
    assert third["Items"] == [] and third["Count"] == 0
    assert "LastEvaluatedKey" not in third


def test_query_backwards_pages(ddb):
    table = new_table(ddb, sort_type="N")
    fill(ddb, table, [{"pk": {"S": "p"}, "sk": {"N": str(i)}} for i in range(10)])
    first = query(ddb, table, "pk = :p", {":p": {"S": "p"}}, Limit=4, ScanIndexForward=False)
    assert sks(first["Items"], "N") == ["9", "8", "7", "6"]
    rest = query(
        ddb, table, "pk = :p", {":p": {"S": "p"}}, ScanIndexForward=False, ExclusiveStartKey=first["LastEvaluatedKey"]
    )
    assert sks(rest["Items"], "N") == ["5", "4", "3", "2", "1", "0"]


def test_query_paginator(ddb):
    table = new_table(ddb, sort_type="N")
    fill(ddb, table, [{"pk": {"S": "p"}, "sk": {"N": str(i)}} for i in range(30)])
    fill(ddb, table, [{"pk": {"S": "other"}, "sk": {"N": str(i)}} for i in range(5)])
    pages = list(
        ddb.get_paginator("query").paginate(
            TableName=table,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": "p"}},
            PaginationConfig={"PageSize": 4},
        )
    )
    assert all(p["Count"] <= 4 for p in pages)
    assert [int(i["sk"]["N"]) for p in pages for i in p["Items"]] == list(range(30))


def test_scan_paginator_sees_every_item_once(ddb):
    table = new_table(ddb, sort_type="N")
    items = [{"pk": {"S": f"p{i % 7}"}, "sk": {"N": str(i)}} for i in range(60)]
    fill(ddb, table, items)
    seen = [
        (i["pk"]["S"], i["sk"]["N"])
        for page in ddb.get_paginator("scan").paginate(TableName=table, PaginationConfig={"PageSize": 9})
        for i in page["Items"]
    ]
    assert len(seen) == 60
    assert sorted(seen) == sorted((i["pk"]["S"], i["sk"]["N"]) for i in items)


def test_exclusive_start_key_must_match_the_schema(ddb, sorted_table):
    error = client_error(
        lambda: query(ddb, sorted_table, "pk = :p", {":p": {"S": "p"}}, ExclusiveStartKey={"pk": {"S": "p"}})
    )
    assert error["Error"]["Code"] == "ValidationException"
    assert error["Error"]["Message"].startswith("The provided starting key is invalid")


# --- filters, projections, Select -----------------------------------------------------


def test_filter_counts_matches_and_scanned_items(ddb, sorted_table):
    out = query(
        ddb, sorted_table, "pk = :p AND begins_with(sk, :a)", {":p": {"S": "p"}, ":a": {"S": "item"}, ":t": {"BOOL": True}},
        FilterExpression="odd = :t",
    )
    assert sks(out["Items"]) == [f"item#{i:03d}" for i in range(1, 20, 2)]
    assert out["Count"] == 10
    assert out["ScannedCount"] == 20

    # Limit bounds the items read, before the filter.
    out = query(
        ddb, sorted_table, "pk = :p", {":p": {"S": "p"}, ":min": {"N": "3"}},
        FilterExpression="n > :min", Limit=5,
    )
    assert sks(out["Items"]) == ["item#004"]
    assert out["Count"] == 1 and out["ScannedCount"] == 5
    assert out["LastEvaluatedKey"] == {"pk": {"S": "p"}, "sk": {"S": "item#004"}}

    out = ddb.scan(
        TableName=sorted_table,
        FilterExpression="attribute_not_exists(odd) AND n < :ten",
        ExpressionAttributeValues={":ten": {"N": "10"}},
    )
    assert out["ScannedCount"] == 22
    assert out["Count"] == 6  # 0, 2, 4, 6, 8 in "p" and 0 in "q"


def test_filter_on_a_key_attribute_is_refused_in_query(ddb, sorted_table):
    error = client_error(
        lambda: query(
            ddb, sorted_table, "pk = :p", {":p": {"S": "p"}, ":s": {"S": "x"}}, FilterExpression="sk = :s"
        )
    )
    assert error["Error"]["Code"] == "ValidationException"
    assert error["Error"]["Message"] == (
        "Filter Expression can only contain non-primary key attributes: Primary key attribute: sk"
    )


def test_projection_expression(ddb):
    table = new_table(ddb)
    ddb.put_item(
        TableName=table,
        Item={
            "pk": {"S": "p"}, "sk": {"S": "1"}, "a": {"S": "A"}, "b": {"S": "B"},
            "m": {"M": {"x": {"N": "1"}, "y": {"N": "2"}}}, "l": {"L": [{"S": "0"}, {"S": "1"}, {"S": "2"}]},
        },
    )
    out = query(ddb, table, "pk = :p", {":p": {"S": "p"}}, ProjectionExpression="a, m.y, l[2], #missing",
                ExpressionAttributeNames={"#missing": "nope"})
    assert out["Items"] == [{"a": {"S": "A"}, "m": {"M": {"y": {"N": "2"}}}, "l": {"L": [{"S": "2"}]}}]
    out = ddb.scan(TableName=table, ProjectionExpression="sk, b")
    assert out["Items"] == [{"sk": {"S": "1"}, "b": {"S": "B"}}]


def test_select_count(ddb, sorted_table):
    out = query(ddb, sorted_table, "pk = :p", {":p": {"S": "p"}}, Select="COUNT")
    assert "Items" not in out
    assert out["Count"] == 21 and out["ScannedCount"] == 21
    out = ddb.scan(TableName=sorted_table, Select="COUNT")
    assert "Items" not in out
    assert out["Count"] == 22
    out = ddb.scan(
        TableName=sorted_table, Select="COUNT", FilterExpression="odd = :t", ExpressionAttributeValues={":t": {"BOOL": True}}
    )
    assert out["Count"] == 10 and out["ScannedCount"] == 22


def test_select_specific_attributes_without_a_projection_is_refused(ddb, sorted_table):
    error = client_error(lambda: query(ddb, sorted_table, "pk = :p", {":p": {"S": "p"}}, Select="SPECIFIC_ATTRIBUTES"))
    assert error["Error"]["Code"] == "ValidationException"


# --- indexes --------------------------------------------------------------------------


def indexed_table(ddb):
    table = new_table(
        ddb,
        more_definitions=[
            {"AttributeName": "gpk", "AttributeType": "S"},
            {"AttributeName": "gsk", "AttributeType": "N"},
            {"AttributeName": "lsk", "AttributeType": "S"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "gsi",
                "KeySchema": [
                    {"AttributeName": "gpk", "KeyType": "HASH"},
                    {"AttributeName": "gsk", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["info"]},
            }
        ],
        LocalSecondaryIndexes=[
            {
                "IndexName": "lsi",
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "lsk", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
    )
    items = [
        {"pk": {"S": "a"}, "sk": {"S": "1"}, "gpk": {"S": "g"}, "gsk": {"N": "30"}, "lsk": {"S": "z"},
         "info": {"S": "i1"}, "secret": {"S": "s1"}},
        {"pk": {"S": "a"}, "sk": {"S": "2"}, "gpk": {"S": "g"}, "gsk": {"N": "-1"}, "lsk": {"S": "b"},
         "info": {"S": "i2"}, "secret": {"S": "s2"}},
        {"pk": {"S": "b"}, "sk": {"S": "1"}, "gpk": {"S": "g"}, "gsk": {"N": "7"}, "info": {"S": "i3"}},
        # Not in the GSI (no gsk) — sparse index.
        {"pk": {"S": "a"}, "sk": {"S": "3"}, "gpk": {"S": "g"}, "lsk": {"S": "m"}},
    ]
    fill(ddb, table, items)
    return table


def test_query_global_secondary_index(ddb):
    table = indexed_table(ddb)
    out = ddb.query(
        TableName=table, IndexName="gsi", KeyConditionExpression="gpk = :g", ExpressionAttributeValues={":g": {"S": "g"}}
    )
    assert [i["gsk"]["N"] for i in out["Items"]] == ["-1", "7", "30"]
    # INCLUDE projects the table and index keys plus "info", never "secret".
    assert out["Items"][0] == {
        "pk": {"S": "a"}, "sk": {"S": "2"}, "gpk": {"S": "g"}, "gsk": {"N": "-1"}, "info": {"S": "i2"}
    }
    out = ddb.query(
        TableName=table,
        IndexName="gsi",
        KeyConditionExpression="gpk = :g AND gsk > :z",
        ExpressionAttributeValues={":g": {"S": "g"}, ":z": {"N": "0"}},
        ScanIndexForward=False,
        Limit=1,
    )
    assert [i["gsk"]["N"] for i in out["Items"]] == ["30"]
    assert out["LastEvaluatedKey"] == {"pk": {"S": "a"}, "sk": {"S": "1"}, "gpk": {"S": "g"}, "gsk": {"N": "30"}}
    assert ddb.scan(TableName=table, IndexName="gsi", Select="COUNT")["Count"] == 3


def test_global_index_follows_updates_and_deletes(ddb):
    table = indexed_table(ddb)
    ddb.update_item(
        TableName=table, Key={"pk": {"S": "a"}, "sk": {"S": "1"}}, UpdateExpression="SET gpk = :h",
        ExpressionAttributeValues={":h": {"S": "h"}},
    )
    ddb.delete_item(TableName=table, Key={"pk": {"S": "b"}, "sk": {"S": "1"}})
    out = ddb.query(
        TableName=table, IndexName="gsi", KeyConditionExpression="gpk = :g", ExpressionAttributeValues={":g": {"S": "g"}}
    )
    assert [i["gsk"]["N"] for i in out["Items"]] == ["-1"]
    out = ddb.query(
        TableName=table, IndexName="gsi", KeyConditionExpression="gpk = :g", ExpressionAttributeValues={":g": {"S": "h"}}
    )
    assert [i["sk"]["S"] for i in out["Items"]] == ["1"]


def test_consistent_read_on_a_global_index_is_refused(ddb):
    table = indexed_table(ddb)
    error = client_error(
        lambda: ddb.query(
            TableName=table, IndexName="gsi", KeyConditionExpression="gpk = :g",
            ExpressionAttributeValues={":g": {"S": "g"}}, ConsistentRead=True,
        )
    )
    assert error["Error"]["Code"] == "ValidationException"
    assert error["Error"]["Message"] == "Consistent reads are not supported on global secondary indexes"


def test_query_local_secondary_index(ddb):
    table = indexed_table(ddb)
    out = ddb.query(
        TableName=table, IndexName="lsi", KeyConditionExpression="pk = :a", ExpressionAttributeValues={":a": {"S": "a"}}
    )
    # Ordered by lsk; KEYS_ONLY projects table and index keys.
    assert out["Items"] == [
        {"pk": {"S": "a"}, "sk": {"S": "2"}, "lsk": {"S": "b"}},
        {"pk": {"S": "a"}, "sk": {"S": "3"}, "lsk": {"S": "m"}},
        {"pk": {"S": "a"}, "sk": {"S": "1"}, "lsk": {"S": "z"}},
    ]
    # A local index may fetch the other attributes from the table.
    out = ddb.query(
        TableName=table, IndexName="lsi", KeyConditionExpression="pk = :a AND lsk > :m",
        ExpressionAttributeValues={":a": {"S": "a"}, ":m": {"S": "m"}}, Select="ALL_ATTRIBUTES",
    )
    assert [i.get("secret") for i in out["Items"]] == [{"S": "s1"}]


def test_local_index_fetches_unprojected_specific_attributes(ddb):
    """Asking a KEYS_ONLY local index for an attribute it does not project answers it from the
    table (alternator's test_lsi.py::test_lsi_get_not_projected_attribute, run against AWS)."""
    table = indexed_table(ddb)
    out = ddb.query(
        TableName=table, IndexName="lsi", KeyConditionExpression="pk = :a AND lsk < :m",
        ExpressionAttributeValues={":a": {"S": "a"}, ":m": {"S": "m"}}, ProjectionExpression="secret, lsk",
    )
    assert out["Items"] == [{"secret": {"S": "s2"}, "lsk": {"S": "b"}}]
    out = ddb.query(
        TableName=table, IndexName="lsi", Select="SPECIFIC_ATTRIBUTES", AttributesToGet=["info"],
        KeyConditions={"pk": {"AttributeValueList": [{"S": "a"}], "ComparisonOperator": "EQ"}},
    )
    assert out["Items"] == [{"info": {"S": "i2"}}, {}, {"info": {"S": "i1"}}]


def test_all_attributes_from_a_partial_global_index_is_refused(ddb):
    table = indexed_table(ddb)
    error = client_error(
        lambda: ddb.query(
            TableName=table, IndexName="gsi", KeyConditionExpression="gpk = :g",
            ExpressionAttributeValues={":g": {"S": "g"}}, Select="ALL_ATTRIBUTES",
        )
    )
    assert error["Error"]["Code"] == "ValidationException"
    assert error["Error"]["Message"] == (
        "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for global "
        "secondary index gsi because its projection type is not ALL"
    )


def test_key_condition_missing_the_partition_key_names_it(ddb, sorted_table):
    error = client_error(lambda: query(ddb, sorted_table, "sk = :s", {":s": {"S": "x"}}))
    assert error["Error"]["Code"] == "ValidationException"
    assert error["Error"]["Message"] == "Query condition missed key schema element: pk"


def test_query_unknown_index(ddb, sorted_table):
    error = client_error(
        lambda: query(ddb, sorted_table, "pk = :p", {":p": {"S": "p"}}, IndexName="nope")
    )
    assert error["Error"]["Code"] == "ValidationException"
    assert error["Error"]["Message"] == "The table does not have the specified index: nope"


# --- scans ----------------------------------------------------------------------------


def test_parallel_scan_covers_every_item_exactly_once(ddb):
    table = new_table(ddb, sort_type="N")
    items = [{"pk": {"S": f"user-{i}"}, "sk": {"N": str(i % 3)}} for i in range(120)]
    fill(ddb, table, items)
    seen, non_empty = [], 0
    for segment in range(4):
        got, start = [], None
        while True:
            kwargs = {"Segment": segment, "TotalSegments": 4, "Limit": 10}
            if start:
                kwargs["ExclusiveStartKey"] = start
            out = ddb.scan(TableName=table, **kwargs)
            got += [(i["pk"]["S"], i["sk"]["N"]) for i in out["Items"]]
            start = out.get("LastEvaluatedKey")
            if not start:
                break
        non_empty += bool(got)
        seen += got
    assert sorted(seen) == sorted((i["pk"]["S"], i["sk"]["N"]) for i in items)
    assert non_empty >= 2  # 120 distinct partition keys spread over the segments


@pytest.mark.parametrize("segment,total", [(4, 4), (0, 0), (1, None), (None, 2)])
def test_invalid_segments_are_refused(ddb, sorted_table, segment, total):
    kwargs = {}
    if segment is not None:
        kwargs["Segment"] = segment
    if total is not None:
        kwargs["TotalSegments"] = total
    try:
        error = client_error(lambda: ddb.scan(TableName=sorted_table, **kwargs))
    except botocore.exceptions.ParamValidationError:
        return  # boto3 refused it before sending (TotalSegments minimum is 1)
    assert error["Error"]["Code"] == "ValidationException"


# --- legacy parameters ----------------------------------------------------------------


def test_legacy_key_conditions_and_query_filter(ddb, sorted_table):
    out = ddb.query(
        TableName=sorted_table,
        KeyConditions={
            "pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "p"}]},
            "sk": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"S": "item#00"}]},
        },
        QueryFilter={"n": {"ComparisonOperator": "GE", "AttributeValueList": [{"N": "7"}]}},
    )
    assert sks(out["Items"]) == ["item#007", "item#008", "item#009"]
    assert out["ScannedCount"] == 10

    out = ddb.query(
        TableName=sorted_table,
        KeyConditions={
            "pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "p"}]},
            "sk": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"S": "item#010"}, {"S": "item#013"}]},
        },
        QueryFilter={
            "odd": {"ComparisonOperator": "NULL"},
            "n": {"ComparisonOperator": "IN", "AttributeValueList": [{"N": "10"}, {"N": "11"}, {"N": "12"}]},
        },
        ConditionalOperator="AND",
        AttributesToGet=["sk"],
    )
    assert out["Items"] == [{"sk": {"S": "item#010"}}, {"sk": {"S": "item#012"}}]


def test_legacy_scan_filter(ddb, sorted_table):
    out = ddb.scan(
        TableName=sorted_table,
        ScanFilter={
            "n": {"ComparisonOperator": "LT", "AttributeValueList": [{"N": "3"}]},
            "sk": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"S": "item"}]},
        },
    )
    assert sorted((i["pk"]["S"], i["sk"]["S"]) for i in out["Items"]) == [
        ("p", "item#000"), ("p", "item#001"), ("p", "item#002"), ("q", "item#000"),
    ]
    out = ddb.scan(
        TableName=sorted_table,
        ScanFilter={
            "n": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "18"}]},
            "odd": {"ComparisonOperator": "NOT_NULL"},
        },
        ConditionalOperator="OR",
        Select="COUNT",
    )
    # n > 18: item#019 and other#1; or odd: 10 items, item#019 among them.
    assert out["Count"] == 11


# --- errors ---------------------------------------------------------------------------


def test_query_without_a_key_condition(ddb, sorted_table):
    error = client_error(lambda: ddb.query(TableName=sorted_table))
    assert error["Error"]["Code"] == "ValidationException"
    assert error["Error"]["Message"] == (
        "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request."
    )


BAD_KEY_CONDITIONS = [
    ("sk = :s", {":s": {"S": "x"}}),  # no partition key
    ("pk = :p AND n = :n", {":p": {"S": "p"}, ":n": {"N": "1"}}),  # not a key attribute
    ("n = :n", {":n": {"N": "1"}}),
    ("pk < :p", {":p": {"S": "p"}}),  # partition key needs =
    ("begins_with(pk, :p)", {":p": {"S": "p"}}),
    ("pk = :p OR sk = :s", {":p": {"S": "p"}, ":s": {"S": "x"}}),
    ("pk = :p AND sk = :s AND sk = :s", {":p": {"S": "p"}, ":s": {"S": "x"}}),
    ("pk = :p AND contains(sk, :s)", {":p": {"S": "p"}, ":s": {"S": "x"}}),
    ("pk = :p AND sk <> :s", {":p": {"S": "p"}, ":s": {"S": "x"}}),
    ("pk = :n", {":n": {"N": "1"}}),  # wrong type for the key
]


@pytest.mark.parametrize("condition,values", BAD_KEY_CONDITIONS, ids=[c for c, _ in BAD_KEY_CONDITIONS])
def test_invalid_key_conditions_are_refused(ddb, sorted_table, condition, values):
    error = client_error(lambda: query(ddb, sorted_table, condition, values))
    assert error["Error"]["Code"] == "ValidationException"


def test_query_missing_table(ddb):
    error = client_error(lambda: query(ddb, unique("none"), "pk = :p", {":p": {"S": "p"}}))
    assert error["Error"]["Code"] == "ResourceNotFoundException"


# --- the CLI --------------------------------------------------------------------------


def test_cli_query_and_scan_follow_pages(server):
    ddb = server.client("dynamodb")
    table = new_table(ddb, sort_type="N")
    fill(ddb, table, [{"pk": {"S": "p"}, "sk": {"N": str(i)}} for i in range(17)])
    out = json.loads(
        server.aws(
            "dynamodb", "query", "--table-name", table, "--key-condition-expression", "pk = :p",
            "--expression-attribute-values", json.dumps({":p": {"S": "p"}}), "--page-size", "5",
        ).stdout
    )
    assert out["Count"] == 17
    assert [int(i["sk"]["N"]) for i in out["Items"]] == list(range(17))
    out = json.loads(server.aws("dynamodb", "scan", "--table-name", table, "--select", "COUNT", "--page-size", "4").stdout)
    assert out["Count"] == 17 and out["ScannedCount"] == 17


def test_global_index_pages_through_equal_index_keys(ddb):
    # Many items share one index key: paging must order them by the table key and
    # neither skip nor repeat any.
    table = new_table(
        ddb,
        more_definitions=[{"AttributeName": "g", "AttributeType": "S"}, {"AttributeName": "gs", "AttributeType": "N"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "gsi",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}, {"AttributeName": "gs", "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
    )
    items = [
        {"pk": {"S": f"p{i % 4}"}, "sk": {"S": f"s{i:02d}"}, "g": {"S": "same"}, "gs": {"N": str(i % 3)}}
        for i in range(30)
    ]
    fill(ddb, table, items)
    seen, start, pages = [], None, 0
    while True:
        kwargs = {"Limit": 4}
        if start:
            kwargs["ExclusiveStartKey"] = start
        out = ddb.query(
            TableName=table, IndexName="gsi", KeyConditionExpression="g = :g",
            ExpressionAttributeValues={":g": {"S": "same"}}, **kwargs,
        )
        seen += [(i["gs"]["N"], i["pk"]["S"], i["sk"]["S"]) for i in out["Items"]]
        pages += 1
        start = out.get("LastEvaluatedKey")
        if not start:
            break
    assert pages >= 8
    assert len(seen) == 30 and len(set(seen)) == 30
    assert [gs for gs, _, _ in seen] == sorted(gs for gs, _, _ in seen)


def test_key_condition_with_name_placeholders(ddb, sorted_table):
    out = ddb.query(
        TableName=sorted_table,
        KeyConditionExpression="#k = :p AND begins_with(#s, :a)",
        ExpressionAttributeNames={"#k": "pk", "#s": "sk"},
        ExpressionAttributeValues={":p": {"S": "p"}, ":a": {"S": "other"}},
    )
    assert sks(out["Items"]) == ["other#1"]


def test_scan_resumes_after_the_last_key_was_deleted(ddb):
    table = new_table(ddb, sort_type="N")
    fill(ddb, table, [{"pk": {"S": f"p{i}"}, "sk": {"N": "0"}} for i in range(20)])
    first = ddb.scan(TableName=table, Limit=8)
    last = first["LastEvaluatedKey"]
    ddb.delete_item(TableName=table, Key=last)
    rest, start = [], last
    while start:
        out = ddb.scan(TableName=table, ExclusiveStartKey=start, Limit=5)
        rest += out["Items"]
        start = out.get("LastEvaluatedKey")
    assert len(first["Items"]) + len(rest) == 20
    assert {i["pk"]["S"] for i in first["Items"]}.isdisjoint({i["pk"]["S"] for i in rest})


def test_query_consumed_capacity_counts_bytes_read(ddb):
    table = new_table(ddb, sort_type="N")
    # Ten items of about 1 KB: 10 KB read is three 4 KB units, halved for eventual consistency.
    fill(ddb, table, [{"pk": {"S": "p"}, "sk": {"N": str(i)}, "d": {"S": "x" * 1000}} for i in range(10)])
    out = query(ddb, table, "pk = :p", {":p": {"S": "p"}}, ReturnConsumedCapacity="TOTAL")
    assert out["ConsumedCapacity"]["CapacityUnits"] == 1.5
    out = query(ddb, table, "pk = :p", {":p": {"S": "p"}}, ReturnConsumedCapacity="TOTAL", ConsistentRead=True)
    assert out["ConsumedCapacity"]["CapacityUnits"] == 3.0


def test_exclusive_start_key_outside_the_key_condition_is_refused(ddb, sorted_table):
    error = client_error(
        lambda: query(ddb, sorted_table, "pk = :p", {":p": {"S": "p"}},
                      ExclusiveStartKey={"pk": {"S": "q"}, "sk": {"S": "item#000"}})
    )
    assert error["Error"]["Code"] == "ValidationException"
    assert error["Error"]["Message"] == (
        "The provided starting key is outside query boundaries based on provided conditions"
    )
    error = client_error(
        lambda: query(ddb, sorted_table, "pk = :p AND begins_with(sk, :a)", {":p": {"S": "p"}, ":a": {"S": "item"}},
                      ExclusiveStartKey={"pk": {"S": "p"}, "sk": {"S": "other#1"}})
    )
    assert error["Error"]["Code"] == "ValidationException"
    assert error["Error"]["Message"] == "The provided starting key does not match the range key predicate"
