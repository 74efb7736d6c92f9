"""Small helpers the end-to-end tests share: the error an AWS call raises, unique names,
DynamoDB tables keyed by a string `pk` and their items."""

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
