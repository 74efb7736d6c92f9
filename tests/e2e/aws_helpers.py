"""Small helpers the end-to-end tests share: the error an AWS call raises, unique names,
DynamoDB tables keyed by a string `pk`, their items, batch writes, scans and the wait for a
table to turn ACTIVE."""

import uuid

import botocore.exceptions
import pytest


def client_error(call):
    """Runs `call`, which must fail with an AWS error; returns botocore's parsed response."""
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call()
    return info.value.response


def unique(prefix):
    """A resource name no other test uses."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def new_table(ddb, prefix="t", range_key=None, **extra):
    """An on-demand table keyed by the string `pk` (and `range_key`, a (name, type) pair);
    `more_definitions` adds attribute definitions for indexes given in `extra`."""
    name = unique(prefix)
    schema = [{"AttributeName": "pk", "KeyType": "HASH"}]
    defs = [{"AttributeName": "pk", "AttributeType": "S"}]
    if range_key:
        schema.append({"AttributeName": range_key[0], "KeyType": "RANGE"})
        defs.append({"AttributeName": range_key[0], "AttributeType": range_key[1]})
    defs += extra.pop("more_definitions", [])
    ddb.create_table(
        TableName=name, KeySchema=schema, AttributeDefinitions=defs, BillingMode="PAY_PER_REQUEST", **extra
    )
    return name


def key(pk):
    return {"pk": {"S": pk}}


def get(ddb, table, pk, **kwargs):
    """The item under `pk`, read consistently, or None."""
    return ddb.get_item(TableName=table, Key=key(pk), ConsistentRead=True, **kwargs).get("Item")


def batch_write(ddb, table, puts=(), deletes=()):
    """Writes `puts` (items) and deletes `deletes` (pk values) through BatchWriteItem, 25 a
    request, resending UnprocessedItems until every one is written."""
    requests = [{"PutRequest": {"Item": item}} for item in puts]
    requests += [{"DeleteRequest": {"Key": key(pk)}} for pk in deletes]
    for start in range(0, len(requests), 25):
        pending = {table: requests[start : start + 25]}
        while pending:
            pending = ddb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or None


def scan_all(ddb, table, **kwargs):
    """Every item a Scan of `table` (with `kwargs`: ConsistentRead, IndexName, ...) returns,
    across all its pages."""
    pages = ddb.get_paginator("scan").paginate(TableName=table, **kwargs)
    return [item for page in pages for item in page["Items"]]


def wait_active(ddb, table, timeout=60.0):
    """Waits for `table` to turn ACTIVE (after a create, restore or update) with boto3's own
    `table_exists` waiter, as a client of AWS does; returns its description."""
    delay = 0.1
    ddb.get_waiter("table_exists").wait(
        TableName=table, WaiterConfig={"Delay": delay, "MaxAttempts": int(timeout / delay)}
    )
    return ddb.describe_table(TableName=table)["Table"]
