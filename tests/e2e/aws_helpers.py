"""Small helpers the end-to-end tests share: the error an AWS call raises, unique names,
DynamoDB tables keyed by a string `pk`, their items, batch writes, scans and the wait for a
table to turn ACTIVE, and an IAM user that may assume roles."""

import json
import time
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


def wait_indexes_active(ddb, table, timeout=60.0):
    """Waits until every global secondary index of `table` is ACTIVE (a backfill ended), as a
    client polls DescribeTable; returns the description."""
    deadline = time.monotonic() + timeout
    while True:
        description = ddb.describe_table(TableName=table)["Table"]
        statuses = [i["IndexStatus"] for i in description.get("GlobalSecondaryIndexes", [])]
        if all(s == "ACTIVE" for s in statuses) or time.monotonic() > deadline:
            return description
        time.sleep(0.1)


def policy(*statements):
    """A policy document (JSON text) holding `statements`."""
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def new_user(server, account="source", *statements, prefix="user"):
    """An IAM user of `account` with `statements` as its inline policy ("p") and an access key;
    returns (name, ARN, the key as IAM returned it)."""
    iam = server.client("iam", account)
    name = unique(prefix)
    arn = iam.create_user(UserName=name)["User"]["Arn"]
    if statements:
        iam.put_user_policy(UserName=name, PolicyName="p", PolicyDocument=policy(*statements))
    return name, arn, iam.create_access_key(UserName=name)["AccessKey"]


def role_assumer(server, account="source", prefix="assumer"):
    """An IAM user of `account` whose own policy allows sts:AssumeRole, with an access key.
    AWS refuses AssumeRole to an account's root user (AccessDenied, "Roles may not be assumed by
    root accounts."), so the tests assume roles as such a user; a trust policy naming the
    account (`arn:aws:iam::ACCOUNT:root`) admits it. Returns (the user's ARN, an STS client
    signing with its key)."""
    iam = server.client("iam", account)
    name = unique(prefix)
    user = iam.create_user(UserName=name)["User"]
    iam.put_user_policy(
        UserName=name,
        PolicyName="assume",
        PolicyDocument=json.dumps(
            {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}
        ),
    )
    key = iam.create_access_key(UserName=name)["AccessKey"]
    sts = server.client(
        "sts", account, aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"]
    )
    return user["Arn"], sts


def wait_until(predicate, timeout=30.0, what="condition"):
    """Polls `predicate` until it returns something true (returned), or fails after `timeout`
    seconds."""
    deadline = time.time() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def wait_export(ddb, arn, timeout=30):
    """Polls DescribeExport until the export leaves IN_PROGRESS; returns its description."""
    deadline = time.time() + timeout
    while True:
        description = ddb.describe_export(ExportArn=arn)["ExportDescription"]
        if description["ExportStatus"] != "IN_PROGRESS":
            return description
        assert time.time() < deadline, f"export still IN_PROGRESS after {timeout} s: {arn}"
        time.sleep(0.1)


def wait_import(ddb, arn, timeout=30):
    """Polls DescribeImport until the import leaves IN_PROGRESS; returns its description."""
    deadline = time.time() + timeout
    while True:
        description = ddb.describe_import(ImportArn=arn)["ImportTableDescription"]
        if description["ImportStatus"] != "IN_PROGRESS":
            return description
        assert time.time() < deadline, f"import still IN_PROGRESS after {timeout} s: {arn}"
        time.sleep(0.1)


def export_id(arn):
    """The export id at the end of an export ARN."""
    return arn.rsplit("/export/", 1)[1]


def pitr_table(ddb, name, items=()):
    """Creates table `name` (string key `pk`, on demand) with point-in-time recovery on and
    `items` in it; returns the name."""
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    ddb.update_continuous_backups(
        TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )
    for item in items:
        ddb.put_item(TableName=name, Item=item)
    return name
