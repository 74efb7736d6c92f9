"""Helpers of the CloudFormation tests: templates as Python values, a `Stacks` tracker that
creates, updates and settles stacks and deletes what is left of them, and small readers of
events and errors."""

import json
import time

import pytest

from aws_helpers import client_error, unique

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
SETTLED = ("COMPLETE", "FAILED")
# A role's trust policy admitting Lambda: what the IAM resource tests give their roles.
ASSUME_BY_LAMBDA = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def body(template):
    return template if isinstance(template, str) else json.dumps(template)


def table(**properties):
    """The properties of an on-demand table keyed by the string `pk`, plus `properties`."""
    return {
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "BillingMode": "PAY_PER_REQUEST",
        **properties,
    }


class Stacks:
    """Creates stacks with unique names in one account and deletes what is left of them at the
    end of the test."""

    def __init__(self, server, account="source", client=None):
        self.server = server
        self.account = account
        self.cfn = client or server.client("cloudformation", account)
        self.made = []

    def create(self, template, name=None, wait=True, **kwargs):
        """CreateStack; returns (name, StackId), by default once the stack settles."""
        name = name or unique("stk")
        stack_id = self.cfn.create_stack(StackName=name, TemplateBody=body(template), **kwargs)["StackId"]
        self.made.append(stack_id)
        if wait:
            self.settle(stack_id)
        return name, stack_id

    def update(self, name_or_id, template=None, **kwargs):
        """UpdateStack; returns the stack once it settles."""
        if template is not None:
            kwargs["TemplateBody"] = body(template)
        self.cfn.update_stack(StackName=name_or_id, **kwargs)
        return self.settle(name_or_id)

    def track(self, name_or_id):
        """Deletes a stack made some other way (a change set, the CLI) at the end too."""
        self.made.append(name_or_id)

    def describe(self, name_or_id):
        (stack,) = self.cfn.describe_stacks(StackName=name_or_id)["Stacks"]
        return stack

    def settle(self, name_or_id, timeout=30):
        """The stack once its status no longer ends in _IN_PROGRESS (calls that start an
        operation wait for it, so this normally returns at once)."""
        deadline = time.time() + timeout
        while True:
            stack = self.describe(name_or_id)
            if stack["StackStatus"].endswith(SETTLED):
                return stack
            assert time.time() < deadline, stack
            time.sleep(0.2)

    def delete(self, name_or_id):
        """DeleteStack; returns the stack, read by its id, once it settles."""
        stack_id = self.describe(name_or_id)["StackId"]
        self.cfn.delete_stack(StackName=name_or_id)
        return self.settle(stack_id)

    def events(self, name_or_id):
        pages = self.cfn.get_paginator("describe_stack_events").paginate(StackName=name_or_id)
        return [e for page in pages for e in page["StackEvents"]]

    def outputs(self, name_or_id):
        return {o["OutputKey"]: o["OutputValue"] for o in self.describe(name_or_id).get("Outputs", [])}

    def physical(self, name_or_id, logical):
        return self.cfn.describe_stack_resource(StackName=name_or_id, LogicalResourceId=logical)[
            "StackResourceDetail"
        ]["PhysicalResourceId"]

    def cleanup(self):
        """Best effort (the server is shared; nothing here is asserted on)."""
        for stack_id in reversed(self.made):
            for call in (
                lambda: self.cfn.update_termination_protection(StackName=stack_id, EnableTerminationProtection=False),
                lambda: self.cfn.delete_stack(StackName=stack_id),
            ):
                try:
                    call()
                except Exception:  # noqa: BLE001
                    pass


@pytest.fixture
def stacks(server):
    """A `Stacks` of the source account."""
    s = Stacks(server)
    yield s
    s.cleanup()


def error_of(call):
    """(code, message, HTTP status) of the AWS error `call` raises."""
    e = client_error(call)
    return e["Error"]["Code"], e["Error"]["Message"], e["ResponseMetadata"]["HTTPStatusCode"]


def statuses(events, logical):
    """The (status, reason) pairs of `logical`'s events, oldest first."""
    return [
        (e["ResourceStatus"], e.get("ResourceStatusReason"))
        for e in reversed(events)
        if e["LogicalResourceId"] == logical
    ]


def table_exists(ddb, name):
    try:
        ddb.describe_table(TableName=name)
        return True
    except ddb.exceptions.ResourceNotFoundException:
        return False


def bucket_exists(s3, bucket):
    try:
        s3.head_bucket(Bucket=bucket)
        return True
    except s3.exceptions.ClientError as e:
        assert e.response["Error"]["Code"] in ("404", "NoSuchBucket"), e.response
        return False


REPLACING = "Requested update requires the creation of a new physical resource; hence creating one."


def physical_from_events(events, logical):
    """The physical id `logical`'s events name (for a resource already deleted), or None when
    it failed before it had one."""
    named = (e for e in events if e["LogicalResourceId"] == logical and e["PhysicalResourceId"])
    return next((e["PhysicalResourceId"] for e in named), None)


@pytest.fixture
def taken_table(server):
    """A table made outside any stack, whose name a template then asks for."""
    ddb = server.client("dynamodb")
    name = unique("taken")
    ddb.create_table(TableName=name, **table())
    yield name
    ddb.delete_table(TableName=name)


def failing_template(taken_table):
    """A bucket, then (DependsOn) a table whose name is taken, so the table fails after the
    bucket is made."""
    return {
        "Resources": {
            "Bucket": {"Type": "AWS::S3::Bucket"},
            "Table": {"Type": "AWS::DynamoDB::Table", "DependsOn": "Bucket", "Properties": table(TableName=taken_table)},
        }
    }
