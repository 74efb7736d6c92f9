"""CloudFormation (AWS Query, signing name `cloudformation`) through boto3 and the AWS CLI:
stacks of DynamoDB tables, S3 buckets and bucket policies created, described and deleted; the
template language (JSON and YAML short tags, parameters, mappings, conditions, intrinsic
functions, pseudo parameters, outputs, exports and imports); events, failures and rollback;
termination protection; authorization of the call and of every resource as the caller; a
bucket policy made by a stack in one account letting the other account write (the seed).

Expected values come from AWS, not from the implementation: `/work/shared/spec/cloudformation.md`
("§" below; each fact there carries its AWS source), LocalStack's AWS-validated snapshots
(`tests/aws/services/cloudformation/api/test_{stacks,templates}.snapshot.json`, "LS"), the
botocore model ("[M]") and the resource types' documentation. Where the spec marks a text
UNCONFIRMED, only the error code is checked.
"""

import json
import re
import time

import pytest

from aws_helpers import client_error, new_user, unique, wait_export
from cfn_helpers import (  # noqa: F401 (stacks and taken_table are fixtures)
    failing_template,
    physical_from_events,
    taken_table,
    UUID,
    Stacks,
    body,
    bucket_exists,
    error_of,
    stacks,
    statuses,
    table,
    table_exists,
)
from conftest import ACCOUNTS, start_server
from s3_helpers import s3_client

REGION = "us-east-1"
SOURCE = ACCOUNTS["source"][0]
DEST = ACCOUNTS["destination"][0]
ISO_MS = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"


# --- helpers --------------------------------------------------------------------------


def stack_arn_re(name, account=SOURCE):
    """A StackId: `arn:aws:cloudformation:<region>:<acct>:stack/<StackName>/<uuid>` (§2.1)."""
    return re.compile(rf"^arn:aws:cloudformation:{REGION}:{account}:stack/{re.escape(name)}/{UUID}$")


@pytest.fixture
def dest_stacks(server):
    s = Stacks(server, "destination")
    yield s
    s.cleanup()


def stack_statuses(events, name):
    return [s for s, _ in statuses(events, name)]



# The stack event of a failed create whose resource Table failed (§2.5).
ROLLBACK_TABLE = (
    "ROLLBACK_IN_PROGRESS",
    "The following resource(s) failed to create: [Table]. Rollback requested by user.",
)


TWO_RESOURCES = {
    "Description": "two resources",
    "Resources": {
        "Bucket": {"Type": "AWS::S3::Bucket"},
        "Table": {"Type": "AWS::DynamoDB::Table", "Properties": table()},
    },
    "Outputs": {
        "TableName": {"Value": {"Ref": "Table"}, "Description": "the table"},
        "BucketName": {"Value": {"Ref": "Bucket"}},
    },
}


# --- lifecycle through the AWS CLI ----------------------------------------------------------


def test_cli_create_wait_describe_delete_and_reuse_name(server, tmp_path):
    """create-stack, the CLI waiters (which must match at their first poll, §0.1 design rule,
    as their delay is 30 s), describe-stacks, the resources really existing, delete-stack, the
    deleted stack readable by StackId only and its name reusable (§2.1, §2.2)."""
    name = unique("cli")
    template = tmp_path / "t.json"
    template.write_text(json.dumps(TWO_RESOURCES))
    cfn = server.client("cloudformation")
    try:
        created = json.loads(
            server.aws(
                "cloudformation", "create-stack", "--stack-name", name, "--template-body", f"file://{template}"
            ).stdout
        )
        stack_id = created["StackId"]
        assert stack_arn_re(name).match(stack_id), stack_id
        started = time.monotonic()
        server.aws("cloudformation", "wait", "stack-create-complete", "--stack-name", name)
        assert time.monotonic() - started < 20

        (stack,) = json.loads(server.aws("cloudformation", "describe-stacks", "--stack-name", name).stdout)["Stacks"]
        # §2.3 Stack shape, LS test_stack_lifecycle.
        assert stack["StackId"] == stack_id
        assert stack["StackName"] == name
        assert stack["StackStatus"] == "CREATE_COMPLETE"
        assert stack["Description"] == "two resources"
        assert stack["DisableRollback"] is False
        assert stack["EnableTerminationProtection"] is False
        assert stack["NotificationARNs"] == []
        assert stack["DriftInformation"] == {"StackDriftStatus": "NOT_CHECKED"}
        assert stack["RollbackConfiguration"] == {}
        assert "DeletionTime" not in stack
        outputs = {o["OutputKey"]: o for o in stack["Outputs"]}
        assert outputs["TableName"]["Description"] == "the table"
        table_name, bucket = outputs["TableName"]["OutputValue"], outputs["BucketName"]["OutputValue"]
        # Generated names: <stack>-<logical>-<random>, S3 wholly lower case (§5.3).
        assert re.fullmatch(rf"{name}-Table-[A-Za-z0-9]{{12,13}}", table_name), table_name
        assert re.fullmatch(rf"{name}-bucket-[a-z0-9]{{12,13}}", bucket), bucket

        ddb, s3 = server.client("dynamodb"), s3_client(server)
        assert ddb.describe_table(TableName=table_name)["Table"]["TableStatus"] == "ACTIVE"
        assert bucket_exists(s3, bucket)

        server.aws("cloudformation", "delete-stack", "--stack-name", name)
        started = time.monotonic()
        # StackDeleteComplete succeeds on DELETE_COMPLETE or on ValidationError (§0.2).
        server.aws("cloudformation", "wait", "stack-delete-complete", "--stack-name", stack_id)
        assert time.monotonic() - started < 20
        assert not table_exists(ddb, table_name)
        assert not bucket_exists(s3, bucket)

        # By name: gone (§2.2, LS test_stack_lifecycle); by id: DELETE_COMPLETE with DeletionTime.
        code, message, status = error_of(lambda: cfn.describe_stacks(StackName=name))
        assert (code, message, status) == ("ValidationError", f"Stack with id {name} does not exist", 400)
        cli = server.aws("cloudformation", "describe-stacks", "--stack-name", name, check=False)
        assert cli.returncode != 0 and f"Stack with id {name} does not exist" in cli.stderr, cli
        (gone,) = cfn.describe_stacks(StackName=stack_id)["Stacks"]
        assert gone["StackStatus"] == "DELETE_COMPLETE"
        assert "DeletionTime" in gone
        # Events and the template of a deleted stack stay readable by its id [M].
        assert cfn.describe_stack_events(StackName=stack_id)["StackEvents"][0]["ResourceStatus"] == "DELETE_COMPLETE"
        assert cfn.get_template(StackName=stack_id)["TemplateBody"] == TWO_RESOURCES

        # The name is reusable, with a new StackId (§2.1, LS test_name_conflicts).
        again = cfn.create_stack(StackName=name, TemplateBody=json.dumps(TWO_RESOURCES))["StackId"]
        assert again != stack_id and stack_arn_re(name).match(again)
        server.aws("cloudformation", "wait", "stack-create-complete", "--stack-name", name)
        cfn.delete_stack(StackName=name)
        server.aws("cloudformation", "wait", "stack-delete-complete", "--stack-name", again)
    finally:
        cfn.delete_stack(StackName=name)


def test_events_of_create_and_delete(stacks):
    """DescribeStackEvents newest first; the stack's own events and each resource's
    CREATE_IN_PROGRESS (no physical id) / "Resource creation Initiated" / CREATE_COMPLETE;
    on delete the reverse (§2.5, LS test_list_events_after_deployment)."""
    name, stack_id = stacks.create(TWO_RESOURCES)
    events = stacks.events(name)
    times = [e["Timestamp"] for e in events]
    assert times == sorted(times, reverse=True), "newest first"
    assert events[0]["LogicalResourceId"] == name and events[0]["ResourceStatus"] == "CREATE_COMPLETE"

    for e in events:
        assert e["StackId"] == stack_id and e["StackName"] == name
        if e["LogicalResourceId"] == name:
            assert e["PhysicalResourceId"] == stack_id
            assert e["ResourceType"] == "AWS::CloudFormation::Stack"
            assert re.fullmatch(UUID, e["EventId"]), e
        else:
            assert re.fullmatch(rf"{e['LogicalResourceId']}-{e['ResourceStatus']}-{ISO_MS}", e["EventId"]), e
            # ResourceProperties, when there are properties, is a JSON string (§2.5).
            assert isinstance(e.get("ResourceProperties", ""), str)

    assert statuses(events, name) == [("CREATE_IN_PROGRESS", "User Initiated"), ("CREATE_COMPLETE", None)]
    table_name = stacks.physical(name, "Table")
    table_events = [e for e in reversed(events) if e["LogicalResourceId"] == "Table"]
    assert [(e["ResourceStatus"], e.get("ResourceStatusReason"), e["PhysicalResourceId"]) for e in table_events] == [
        ("CREATE_IN_PROGRESS", None, ""),
        ("CREATE_IN_PROGRESS", "Resource creation Initiated", table_name),
        ("CREATE_COMPLETE", None, table_name),
    ]
    assert all(e["ResourceType"] == "AWS::DynamoDB::Table" for e in table_events)
    assert all(json.loads(e["ResourceProperties"]) == table() for e in table_events)
    assert [s for s, _ in statuses(events, "Bucket")] == ["CREATE_IN_PROGRESS", "CREATE_IN_PROGRESS", "CREATE_COMPLETE"]

    stacks.delete(name)
    events = stacks.events(stack_id)
    assert stack_statuses(events, name) == [
        "CREATE_IN_PROGRESS",
        "CREATE_COMPLETE",
        "DELETE_IN_PROGRESS",
        "DELETE_COMPLETE",
    ]
    assert ("DELETE_IN_PROGRESS", "User Initiated") in statuses(events, name)
    for logical in ("Table", "Bucket"):
        assert [s for s, _ in statuses(events, logical)][-2:] == ["DELETE_IN_PROGRESS", "DELETE_COMPLETE"]


def test_resource_descriptions(stacks):
    """DescribeStackResource, DescribeStackResources by StackName or by PhysicalResourceId,
    ListStackResources (§2.2, §2.3, [M])."""
    name, stack_id = stacks.create(TWO_RESOURCES)
    cfn = stacks.cfn
    detail = cfn.describe_stack_resource(StackName=name, LogicalResourceId="Table")["StackResourceDetail"]
    table_name = stacks.outputs(name)["TableName"]
    assert detail["StackId"] == stack_id and detail["StackName"] == name
    assert detail["LogicalResourceId"] == "Table"
    assert detail["PhysicalResourceId"] == table_name
    assert detail["ResourceType"] == "AWS::DynamoDB::Table"
    assert detail["ResourceStatus"] == "CREATE_COMPLETE"
    assert "LastUpdatedTimestamp" in detail
    assert detail["DriftInformation"]["StackResourceDriftStatus"] == "NOT_CHECKED"

    code, message, _ = error_of(lambda: cfn.describe_stack_resource(StackName=name, LogicalResourceId="Nope"))
    assert (code, message) == ("ValidationError", f"Resource Nope does not exist for stack {name}")

    by_name = cfn.describe_stack_resources(StackName=name)["StackResources"]
    assert sorted((r["LogicalResourceId"], r["ResourceType"], r["ResourceStatus"]) for r in by_name) == [
        ("Bucket", "AWS::S3::Bucket", "CREATE_COMPLETE"),
        ("Table", "AWS::DynamoDB::Table", "CREATE_COMPLETE"),
    ]
    assert all(r["StackId"] == stack_id and r["StackName"] == name and "Timestamp" in r for r in by_name)
    # By a physical id alone: every resource of the stack that owns it [M].
    by_physical = cfn.describe_stack_resources(PhysicalResourceId=table_name)["StackResources"]
    assert sorted(r["LogicalResourceId"] for r in by_physical) == ["Bucket", "Table"]
    assert all(r["StackId"] == stack_id for r in by_physical)
    # Both at once is an error (§2.2).
    code, _, status = error_of(lambda: cfn.describe_stack_resources(StackName=name, PhysicalResourceId=table_name))
    assert (code, status) == ("ValidationError", 400)

    summaries = cfn.list_stack_resources(StackName=stack_id)["StackResourceSummaries"]
    assert {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in summaries} == {
        "Table": table_name,
        "Bucket": stacks.outputs(name)["BucketName"],
    }
    assert all(r["ResourceStatus"] == "CREATE_COMPLETE" and "LastUpdatedTimestamp" in r for r in summaries)


def test_get_template_returns_the_original_text(stacks, server):
    """GetTemplate returns the text as sent: botocore decodes JSON itself, YAML comes back
    verbatim (§1, §4.1, LS test_get_template[yaml|json])."""
    yaml_text = (
        "# a comment kept as written\n"
        "Resources:\n  Bucket:\n    Type: AWS::S3::Bucket\n"
        "Outputs:\n  Name:\n    Value: !Ref Bucket\n"
    )
    name, _ = stacks.create(yaml_text)
    got = stacks.cfn.get_template(StackName=name)
    assert got["TemplateBody"] == yaml_text
    assert got["StagesAvailable"] == ["Original", "Processed"]
    assert stacks.cfn.get_template(StackName=name, TemplateStage="Original")["TemplateBody"] == yaml_text

    json_name, _ = stacks.create(TWO_RESOURCES)
    assert stacks.cfn.get_template(StackName=json_name)["TemplateBody"] == TWO_RESOURCES
    cli = json.loads(server.aws("cloudformation", "get-template", "--stack-name", json_name).stdout)
    assert cli["TemplateBody"] == TWO_RESOURCES


def test_list_stacks_with_status_filter(stacks):
    """ListStacks: summaries of live and deleted stacks, StackStatusFilter ([M] ListStacks)."""
    live, live_id = stacks.create(TWO_RESOURCES)
    dead, dead_id = stacks.create({"Resources": {"B": {"Type": "AWS::S3::Bucket"}}})
    stacks.delete(dead)

    def summaries(**kwargs):
        pages = stacks.cfn.get_paginator("list_stacks").paginate(**kwargs)
        return {s["StackId"]: s for page in pages for s in page["StackSummaries"]}

    every = summaries()
    assert every[live_id]["StackName"] == live
    assert every[live_id]["StackStatus"] == "CREATE_COMPLETE"
    assert every[live_id]["TemplateDescription"] == "two resources"
    assert "CreationTime" in every[live_id]
    assert every[dead_id]["StackStatus"] == "DELETE_COMPLETE" and "DeletionTime" in every[dead_id]
    # DescribeStacks without a name: every stack of the account but the deleted ones ([M]
    # DeleteStack: "Deleted stacks don't show up in the DescribeStacks operation").
    pages = stacks.cfn.get_paginator("describe_stacks").paginate()
    described = {s["StackId"] for page in pages for s in page["Stacks"]}
    assert live_id in described and dead_id not in described
    complete = summaries(StackStatusFilter=["CREATE_COMPLETE"])
    assert live_id in complete and dead_id not in complete
    deleted = summaries(StackStatusFilter=["DELETE_COMPLETE"])
    assert dead_id in deleted and live_id not in deleted


def test_stacks_belong_to_their_account(stacks, server):
    """Stack names are per account and region (§2.1): the other account sees no such stack and
    may use the same name."""
    name, stack_id = stacks.create({"Resources": {"B": {"Type": "AWS::S3::Bucket"}}})
    dest = Stacks(server, "destination")
    try:
        code, message, _ = error_of(lambda: dest.cfn.describe_stacks(StackName=name))
        assert (code, message) == ("ValidationError", f"Stack with id {name} does not exist")
        _, dest_id = dest.create({"Resources": {"B": {"Type": "AWS::S3::Bucket"}}}, name=name)
        assert stack_arn_re(name, DEST).match(dest_id)
        assert stacks.describe(name)["StackId"] == stack_id
    finally:
        dest.cleanup()


def test_stacks_survive_a_restart(fresh_data_dir):
    """A stack, its events, outputs and exports are kept in the data directory: after a
    restart the stack is described as before and its delete removes its resources."""
    first = start_server(fresh_data_dir)
    try:
        s = Stacks(first)
        export = unique("restart")
        outputs = {**TWO_RESOURCES["Outputs"], "X": {"Value": "v", "Export": {"Name": export}}}
        template = {**TWO_RESOURCES, "Outputs": outputs}
        name, stack_id = s.create(template)
        before = s.describe(name)
        events_before = s.events(name)
    finally:
        first.stop()
    second = start_server(fresh_data_dir)
    try:
        s = Stacks(second)
        assert s.describe(name) == before
        assert s.events(name) == events_before
        assert [e for e in s.cfn.list_exports()["Exports"] if e["Name"] == export] == [
            {"ExportingStackId": stack_id, "Name": export, "Value": "v"}
        ]
        table_name = s.outputs(name)["TableName"]
        assert table_exists(second.client("dynamodb"), table_name)
        assert s.delete(name)["StackStatus"] == "DELETE_COMPLETE"
        assert not table_exists(second.client("dynamodb"), table_name)
    finally:
        second.stop()


# --- errors of the stack API ---------------------------------------------------------------


def test_not_found_and_conflict_errors(stacks, server):
    """The lookups' texts (§2.2): DescribeStacks / DescribeStackEvents of an unknown stack,
    DeleteStack of an unknown stack (200, no-op), CreateStack over a live name, a bad name
    (§2.1, LS test_stack_name_creation)."""
    cfn = stacks.cfn
    missing = unique("missing")
    assert error_of(lambda: cfn.describe_stacks(StackName=missing)) == (
        "ValidationError",
        f"Stack with id {missing} does not exist",
        400,
    )
    assert error_of(lambda: cfn.describe_stack_events(StackName=missing)) == (
        "ValidationError",
        f"Stack [{missing}] does not exist",
        400,
    )
    assert cfn.delete_stack(StackName=missing)["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert server.aws("cloudformation", "delete-stack", "--stack-name", missing).returncode == 0

    name, _ = stacks.create({"Resources": {"B": {"Type": "AWS::S3::Bucket"}}})
    assert error_of(lambda: cfn.create_stack(StackName=name, TemplateBody=json.dumps(TWO_RESOURCES))) == (
        "AlreadyExistsException",
        f"Stack [{name}] already exists",
        400,
    )

    bad = "1-starts-with-a-digit"
    assert error_of(lambda: cfn.create_stack(StackName=bad, TemplateBody=json.dumps(TWO_RESOURCES))) == (
        "ValidationError",
        f"1 validation error detected: Value '{bad}' at 'stackName' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [a-zA-Z][-a-zA-Z0-9]*|arn:[-a-zA-Z0-9:/._+]*",
        400,
    )


def test_termination_protection(stacks, server):
    """EnableTerminationProtection blocks DeleteStack with its text, the stack unchanged;
    UpdateTerminationProtection answers the StackId and lifts it (§2.6, LS
    test_update_termination_protection)."""
    name, stack_id = stacks.create(TWO_RESOURCES, EnableTerminationProtection=True)
    assert stacks.describe(name)["EnableTerminationProtection"] is True
    assert error_of(lambda: stacks.cfn.delete_stack(StackName=name)) == (
        "ValidationError",
        f"Stack [{name}] cannot be deleted while TerminationProtection is enabled",
        400,
    )
    assert stacks.describe(name)["StackStatus"] == "CREATE_COMPLETE"
    assert stack_statuses(stacks.events(name), name) == ["CREATE_IN_PROGRESS", "CREATE_COMPLETE"]

    answer = json.loads(
        server.aws(
            "cloudformation",
            "update-termination-protection",
            "--stack-name",
            name,
            "--no-enable-termination-protection",
        ).stdout
    )
    assert answer == {"StackId": stack_id}
    assert stacks.describe(name)["EnableTerminationProtection"] is False
    answer = stacks.cfn.update_termination_protection(StackName=name, EnableTerminationProtection=True)
    assert answer["StackId"] == stack_id
    assert stacks.describe(stack_id)["EnableTerminationProtection"] is True
    stacks.cfn.update_termination_protection(StackName=name, EnableTerminationProtection=False)
    assert stacks.delete(name)["StackStatus"] == "DELETE_COMPLETE"


# --- template errors ------------------------------------------------------------------------


BAD_TEMPLATES = [
    # §4.1: any type outside the supported ones, synchronously.
    (
        {"Resources": {"T": {"Type": "AWS::SNS::Topic"}, "B": {"Type": "AWS::S3::Bucket"}}},
        "Template format error: Unrecognized resource types: [AWS::SNS::Topic]",
    ),
    # §4.1, LS test_get_template_summary_no_resources.
    ({"Outputs": {"A": {"Value": "x"}}}, "Template format error: At least one Resources member must be defined."),
    # §4.1, LS test_validate_invalid_json_template_should_fail (AWS's recorded message).
    pytest.param(
        '{"this is invalid JSON"="bobbins"}',
        "Template format error: JSON not well-formed. (line 1, column 25)",
    ),
    # §4.1; AWS may append the position, so only the text up to it is fixed.
    (
        "Resources:\n  B: [unclosed\n",
        re.compile(r"Template format error: YAML not well-formed\.( \(line \d+, column \d+\))?"),
    ),
    # §4.1, LS test_validations (test_resources_blocks, test_invalid_output_structure).
    (
        {"Resources": {"A": {"Properties": {}}}},
        "Template format error: [/Resources/A] Every Resources object must contain a Type member.",
    ),
    ({"Resources": {"A": {"Type": "AWS::S3::Bucket", "Invalid": 1}}}, "Invalid template resource property 'Invalid'"),
    (
        {"Resources": {"A": {"Type": "AWS::S3::Bucket"}}, "Outputs": {"MyOutput": {"Description": "no value"}}},
        "Template format error: Every Outputs member must contain a Value object",
    ),
    (
        {"Resources": {"A": {"Type": "AWS::S3::Bucket"}}, "Outputs": {"MyOutput": {"Value": None}}},
        "[/Outputs/MyOutput/Value] 'null' values are not allowed in templates",
    ),
    # §4.1 [GH:aws-cloudformation/cfn-lint#1295].
    (
        {"Resources": {"A-b": {"Type": "AWS::S3::Bucket"}}},
        "Template format error: Resource name A-b is non alphanumeric.",
    ),
    # §4.1.
    (
        {"Parameters": {"P": {"Default": "x"}}, "Resources": {"A": {"Type": "AWS::S3::Bucket"}}},
        "Template format error: Every Parameters object must contain a Type member.",
    ),
    # §4.4, LS test_useful_error_when_invalid_ref.
    (
        {"Resources": {"B": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": {"Ref": "Nowhere"}}}}},
        "Template format error: Unresolved resource dependencies [Nowhere] in the Resources block of the template",
    ),
    # §2.7, LS test_depends_on_with_missing_reference.
    (
        {"Resources": {"B": {"Type": "AWS::S3::Bucket", "DependsOn": "Ghost"}}},
        "Template format error: Unresolved resource dependencies [Ghost] in the Resources block of the template",
    ),
]


BAD_TEMPLATE_IDS = [
    "type", "no-resources", "json", "yaml", "no-type", "bad-key", "output-no-value", "output-null",
    "non-alphanumeric", "parameter-no-type", "ref", "depends-on",
]


@pytest.mark.parametrize("template,message", BAD_TEMPLATES, ids=BAD_TEMPLATE_IDS)
def test_template_errors_are_synchronous(stacks, template, message):
    """Template errors answer CreateStack and ValidateTemplate with a ValidationError; no stack
    is left behind (§4.1)."""

    def check(call):
        code, got, status = error_of(call)
        assert (code, status) == ("ValidationError", 400)
        assert message.fullmatch(got) if isinstance(message, re.Pattern) else got == message, got

    name = unique("bad")
    check(lambda: stacks.cfn.create_stack(StackName=name, TemplateBody=body(template)))
    check(lambda: stacks.cfn.validate_template(TemplateBody=body(template)))
    assert error_of(lambda: stacks.cfn.describe_stacks(StackName=name))[1] == f"Stack with id {name} does not exist"
    assert error_of(lambda: stacks.cfn.describe_stacks(StackName=name))[1] == f"Stack with id {name} does not exist"


def test_circular_dependency(stacks):
    """A cycle through Ref / DependsOn: `Circular dependency between resources: [A, B]` (§4.4;
    the `Template format error: ` prefix is UNCONFIRMED, so only the rest is checked)."""
    template = {
        "Resources": {
            "A": {"Type": "AWS::S3::Bucket", "Properties": {"Tags": [{"Key": "k", "Value": {"Ref": "B"}}]}},
            "B": {"Type": "AWS::S3::Bucket", "DependsOn": "A"},
        }
    }
    code, message, _ = error_of(lambda: stacks.cfn.create_stack(StackName=unique("cyc"), TemplateBody=body(template)))
    assert code == "ValidationError"
    assert message.endswith("Circular dependency between resources: [A, B]"), message


def test_validate_template(stacks, server):
    """ValidateTemplate: Parameters with their Description, DefaultValue and NoEcho, and the
    template's Description (§4.6, LS test_validate_template)."""
    template = (
        "Description: validated\n"
        "Parameters:\n"
        "  Env:\n    Type: String\n    Default: dev\n    Description: the environment\n"
        "  Secret:\n    Type: String\n    NoEcho: true\n"
        "Resources:\n  B:\n    Type: AWS::S3::Bucket\n"
    )
    answer = stacks.cfn.validate_template(TemplateBody=template)
    assert answer["Description"] == "validated"
    assert sorted(answer["Parameters"], key=lambda p: p["ParameterKey"]) == [
        {"ParameterKey": "Env", "DefaultValue": "dev", "NoEcho": False, "Description": "the environment"},
        {"ParameterKey": "Secret", "NoEcho": True},
    ]
    cli = json.loads(server.aws("cloudformation", "validate-template", "--template-body", template).stdout)
    assert cli["Description"] == "validated"


# --- the template language --------------------------------------------------------------------


LANGUAGE_YAML = """\
AWSTemplateFormatVersion: '2010-09-09'
Description: intrinsic functions with short tags
Parameters:
  Env:
    Type: String
    AllowedValues: [dev, prod]
    Default: dev
  Size:
    Type: Number
    Default: 5
    MinValue: 1
    MaxValue: 10
  Names:
    Type: CommaDelimitedList
    Default: 'alpha, beta,gamma'
  Ports:
    Type: List<Number>
    Default: '80,443'
Mappings:
  EnvMap:
    dev:
      Suffix: development
    prod:
      Suffix: production
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsDev: !Not [!Condition IsProd]
  DevAndSmall: !And [!Condition IsDev, !Equals [!Ref Size, '5']]
  ProdOrBig: !Or [!Condition IsProd, !Equals [!Ref Size, '10']]
Resources:
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      Tags:
        - Key: env
          Value: !FindInMap [EnvMap, !Ref Env, Suffix]
        - !If [IsProd, {Key: maybe, Value: prod-only}, !Ref 'AWS::NoValue']
  ProdTable:
    Type: AWS::DynamoDB::Table
    Condition: IsProd
    Properties:
      AttributeDefinitions: [{AttributeName: pk, AttributeType: S}]
      KeySchema: [{AttributeName: pk, KeyType: HASH}]
      BillingMode: PAY_PER_REQUEST
Outputs:
  Sub:
    Value: !Sub '${AWS::StackName}/${Env}/${Bucket}/${!Literal}'
  SubVars:
    Value: !Sub
      - '${First}-${Size}'
      - First: !Select [0, !Ref Names]
  Join:
    Value: !Join ['|', !Ref Names]
  Ports:
    Value: !Join [',', !Ref Ports]
  Split:
    Value: !Select [1, !Split ['/', 'a/b/c']]
  Arn:
    Value: !GetAtt Bucket.Arn
  Domain:
    Value: !GetAtt [Bucket, DomainName]
  Regional:
    Value: !GetAtt Bucket.RegionalDomainName
  DualStack:
    Value: !GetAtt Bucket.DualStackDomainName
  Base64:
    Value: !Base64 hello
  AZ:
    Value: !Select [0, !GetAZs '']
  Cidr:
    Value: !Join [' ', !Cidr ['10.0.0.0/16', 3, 8]]
  Pseudo:
    Value: !Join [' ', [!Ref 'AWS::AccountId', !Ref 'AWS::Region', !Ref 'AWS::Partition', !Ref 'AWS::URLSuffix']]
  StackId:
    Value: !Ref 'AWS::StackId'
  Flags:
    Value: !Join [',', [!If [DevAndSmall, dev-small, other], !If [ProdOrBig, prod-or-big, neither]]]
  ProdOnly:
    Condition: IsProd
    Value: !Ref ProdTable
"""


def test_yaml_short_tags_intrinsics_and_pseudo_parameters(stacks, server):
    """Every short tag, mappings, conditions, list parameters and pseudo parameters, checked in
    the stack's outputs and on the bucket (§4.2, §4.3, §4.4, §5.1)."""
    name, stack_id = stacks.create(LANGUAGE_YAML)
    stack = stacks.describe(name)
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack
    out = stacks.outputs(name)
    bucket = stacks.physical(name, "Bucket")
    assert out["Sub"] == f"{name}/dev/{bucket}/${{Literal}}"
    assert out["SubVars"] == "alpha-5"
    assert out["Join"] == "alpha|beta|gamma"  # CommaDelimitedList items are trimmed (§4.2)
    assert out["Ports"] == "80,443"
    assert out["Split"] == "b"
    assert out["Arn"] == f"arn:aws:s3:::{bucket}"
    assert out["Domain"] == f"{bucket}.s3.amazonaws.com"
    assert out["Regional"] == f"{bucket}.s3.{REGION}.amazonaws.com"
    assert out["DualStack"] == f"{bucket}.s3.dualstack.{REGION}.amazonaws.com"
    assert out["Base64"] == "aGVsbG8="
    assert out["AZ"].startswith(REGION)  # the AZ names are UNCONFIRMED (§4.4)
    assert out["Cidr"] == "10.0.0.0/24 10.0.1.0/24 10.0.2.0/24"
    assert out["Pseudo"] == f"{SOURCE} {REGION} aws amazonaws.com"
    assert out["StackId"] == stack_id
    assert out["Flags"] == "dev-small,neither"
    # A false Condition: no resource, no output (§4.4).
    assert "ProdOnly" not in out
    summaries = stacks.cfn.list_stack_resources(StackName=name)["StackResourceSummaries"]
    assert [r["LogicalResourceId"] for r in summaries] == ["Bucket"]
    assert {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]} == {
        "Env": "dev",
        "Size": "5",
        "Names": "alpha, beta,gamma",
        "Ports": "80,443",
    }
    # AWS::NoValue removed the second tag (§4.3).
    tags = s3_client(server).get_bucket_tagging(Bucket=bucket)["TagSet"]
    assert {"Key": "env", "Value": "development"} in tags
    assert "maybe" not in [t["Key"] for t in tags]

    # The other branch: Env=prod creates the conditional table and its output.
    prod, _ = stacks.create(LANGUAGE_YAML, Parameters=[{"ParameterKey": "Env", "ParameterValue": "prod"}])
    out = stacks.outputs(prod)
    assert out["ProdOnly"] == stacks.physical(prod, "ProdTable")
    assert out["Flags"] == "other,prod-or-big"
    assert server.client("dynamodb").describe_table(TableName=out["ProdOnly"])["Table"]["TableStatus"] == "ACTIVE"
    tags = s3_client(server).get_bucket_tagging(Bucket=stacks.physical(prod, "Bucket"))["TagSet"]
    assert {"Key": "maybe", "Value": "prod-only"} in tags and {"Key": "env", "Value": "production"} in tags


def test_bucket_website_url_in_us_east_1(stacks):
    """GetAtt WebsiteURL: `http://<b>.s3-website-<r>.amazonaws.com` in the regions older than
    2014, us-east-1 among them (§5.1; S3 website endpoints, e.g. the SDK's
    `http://example-bucket.s3-website-us-east-1.amazonaws.com/`)."""
    name, _ = stacks.create(
        {
            "Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}},
            "Outputs": {"Website": {"Value": {"Fn::GetAtt": ["Bucket", "WebsiteURL"]}}},
        }
    )
    bucket = stacks.physical(name, "Bucket")
    assert stacks.outputs(name)["Website"] == f"http://{bucket}.s3-website-{REGION}.amazonaws.com"


def test_no_echo_parameter_is_masked(stacks, server):
    """NoEcho parameters read `****` in DescribeStacks (§2.3, LS test_no_echo_parameter); the
    resource gets the real value, and outputs are not masked (§2.3). Through the CLI's
    `--parameters` shorthand."""
    template = {
        "Parameters": {"Secret": {"Type": "String", "NoEcho": True}, "Plain": {"Type": "String"}},
        "Resources": {
            "Table": {
                "Type": "AWS::DynamoDB::Table",
                "Properties": table(Tags=[{"Key": "secret", "Value": {"Ref": "Secret"}}]),
            }
        },
        "Outputs": {"Echo": {"Value": {"Fn::Join": ["-", [{"Ref": "Secret"}, {"Ref": "Plain"}]]}}},
    }
    name = unique("noecho")
    created = server.aws(
        "cloudformation", "create-stack", "--stack-name", name, "--template-body", json.dumps(template),
        "--parameters", "ParameterKey=Secret,ParameterValue=hunter2", "ParameterKey=Plain,ParameterValue=visible",
    )
    stacks.made.append(json.loads(created.stdout)["StackId"])
    server.aws("cloudformation", "wait", "stack-create-complete", "--stack-name", name)
    (stack,) = json.loads(server.aws("cloudformation", "describe-stacks", "--stack-name", name).stdout)["Stacks"]
    params = {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}
    assert params == {"Secret": "****", "Plain": "visible"}
    assert stack["Outputs"] == [{"OutputKey": "Echo", "OutputValue": "hunter2-visible"}]
    ddb = server.client("dynamodb")
    arn = ddb.describe_table(TableName=stacks.physical(name, "Table"))["Table"]["TableArn"]
    assert {"Key": "secret", "Value": "hunter2"} in ddb.list_tags_of_resource(ResourceArn=arn)["Tags"]


PARAMETER_TEMPLATE = {
    "Parameters": {
        "Env": {"Type": "String", "AllowedValues": ["dev", "prod"]},
        "Count": {"Type": "Number", "Default": "3", "MinValue": 1, "MaxValue": 5},
        "Code": {"Type": "String", "Default": "ab", "AllowedPattern": "[a-z]+", "MinLength": 2},
    },
    "Resources": {"B": {"Type": "AWS::S3::Bucket"}},
}


@pytest.mark.parametrize(
    "parameters,message",
    [
        # §4.2 [GH:openedx-unsupported/configuration#1993].
        ({}, "Parameters: [Env] must have values"),
        # §4.2 [GH:aws-amplify/amplify-cli#6224].
        ({"Env": "test"}, "Parameter 'Env' must be one of AllowedValues"),
        # §4.2 [LS test_invalid_parameter_type].
        ({"Env": "dev", "Count": "three"}, "Parameter 'Count' must be a number."),
        # §4.2 [GH:buildkite/elastic-ci-stack-for-aws#2].
        ({"Env": "dev", "Extra": "x"}, "Parameters: [Extra] do not exist in the template"),
        # AllowedPattern / MinLength / MaxValue: wording UNCONFIRMED (§4.2, §8.1), code only.
        ({"Env": "dev", "Code": "AB1"}, None),
        ({"Env": "dev", "Code": "a"}, None),
        ({"Env": "dev", "Count": "9"}, None),
    ],
    ids=["missing", "allowed-values", "number", "unknown", "pattern", "min-length", "max-value"],
)
def test_parameter_errors(stacks, parameters, message):
    name = unique("param")
    params = [{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()]
    code, got, status = error_of(
        lambda: stacks.cfn.create_stack(StackName=name, TemplateBody=body(PARAMETER_TEMPLATE), Parameters=params)
    )
    assert (code, status) == ("ValidationError", 400)
    if message is not None:
        assert got == message
    assert error_of(lambda: stacks.cfn.describe_stacks(StackName=name))[0] == "ValidationError"


def test_depends_on_orders_creation_and_deletion(stacks):
    """DependsOn (string or list) and Ref make dependencies: a resource starts after those it
    depends on complete, and is deleted before them (§2.5, §2.7)."""
    template = {
        "Resources": {
            "First": {"Type": "AWS::S3::Bucket"},
            "Second": {"Type": "AWS::DynamoDB::Table", "DependsOn": "First", "Properties": table()},
            "Third": {
                "Type": "AWS::S3::Bucket",
                "DependsOn": ["Second"],
                "Properties": {"Tags": [{"Key": "first", "Value": {"Ref": "First"}}]},
            },
        }
    }
    name, stack_id = stacks.create(template)
    stacks.delete(name)
    order = [(e["LogicalResourceId"], e["ResourceStatus"]) for e in reversed(stacks.events(stack_id))]

    def at(logical, status):
        return order.index((logical, status))

    assert at("First", "CREATE_COMPLETE") < at("Second", "CREATE_IN_PROGRESS")
    assert at("Second", "CREATE_COMPLETE") < at("Third", "CREATE_IN_PROGRESS")
    assert at("Third", "DELETE_COMPLETE") < at("Second", "DELETE_IN_PROGRESS")
    assert at("Second", "DELETE_COMPLETE") < at("First", "DELETE_IN_PROGRESS")


# --- resource types ---------------------------------------------------------------------------


def test_dynamodb_table_properties(stacks, server):
    """AWS::DynamoDB::Table with every property in scope, read back through DynamoDB; Ref is the
    name, GetAtt Arn / StreamArn (§5.1, §5.2, §5.4)."""
    table_name = unique("cfn-table")
    template = {
        "Resources": {
            "Table": {
                "Type": "AWS::DynamoDB::Table",
                "Properties": {
                    "TableName": table_name,
                    "AttributeDefinitions": [
                        {"AttributeName": "pk", "AttributeType": "S"},
                        {"AttributeName": "sk", "AttributeType": "N"},
                        {"AttributeName": "gpk", "AttributeType": "S"},
                        {"AttributeName": "lsk", "AttributeType": "S"},
                    ],
                    "KeySchema": [
                        {"AttributeName": "pk", "KeyType": "HASH"},
                        {"AttributeName": "sk", "KeyType": "RANGE"},
                    ],
                    "BillingMode": "PROVISIONED",
                    "ProvisionedThroughput": {"ReadCapacityUnits": 4, "WriteCapacityUnits": 2},
                    "GlobalSecondaryIndexes": [
                        {
                            "IndexName": "by-gpk",
                            "KeySchema": [{"AttributeName": "gpk", "KeyType": "HASH"}],
                            "Projection": {"ProjectionType": "KEYS_ONLY"},
                            "ProvisionedThroughput": {"ReadCapacityUnits": 3, "WriteCapacityUnits": 1},
                        }
                    ],
                    "LocalSecondaryIndexes": [
                        {
                            "IndexName": "by-lsk",
                            "KeySchema": [
                                {"AttributeName": "pk", "KeyType": "HASH"},
                                {"AttributeName": "lsk", "KeyType": "RANGE"},
                            ],
                            "Projection": {"ProjectionType": "ALL"},
                        }
                    ],
                    "StreamSpecification": {"StreamViewType": "NEW_AND_OLD_IMAGES"},
                    "SSESpecification": {"SSEEnabled": True},
                    "TableClass": "STANDARD_INFREQUENT_ACCESS",
                    "Tags": [{"Key": "team", "Value": "data"}],
                    "DeletionProtectionEnabled": True,
                    "PointInTimeRecoverySpecification": {
                        "PointInTimeRecoveryEnabled": True,
                        "RecoveryPeriodInDays": 7,
                    },
                    "TimeToLiveSpecification": {"AttributeName": "expires", "Enabled": True},
                    "ResourcePolicy": {
                        "PolicyDocument": {
                            "Version": "2012-10-17",
                            "Statement": [
                                {
                                    "Effect": "Allow",
                                    "Principal": {"AWS": f"arn:aws:iam::{DEST}:root"},
                                    "Action": "dynamodb:GetItem",
                                    "Resource": {
                                        "Fn::Sub": "arn:${AWS::Partition}:dynamodb:${AWS::Region}:"
                                        "${AWS::AccountId}:table/" + table_name
                                    },
                                }
                            ],
                        }
                    },
                },
            }
        },
        "Outputs": {
            "Ref": {"Value": {"Ref": "Table"}},
            "Arn": {"Value": {"Fn::GetAtt": ["Table", "Arn"]}},
            "StreamArn": {"Value": {"Fn::GetAtt": ["Table", "StreamArn"]}},
        },
    }
    name, _ = stacks.create(template)
    assert stacks.describe(name)["StackStatus"] == "CREATE_COMPLETE"
    ddb = server.client("dynamodb")
    try:
        out = stacks.outputs(name)
        arn = f"arn:aws:dynamodb:{REGION}:{SOURCE}:table/{table_name}"
        assert out["Ref"] == table_name == stacks.physical(name, "Table")
        assert out["Arn"] == arn
        described = ddb.describe_table(TableName=table_name)["Table"]
        assert described["TableStatus"] == "ACTIVE"
        assert out["StreamArn"] == described["LatestStreamArn"]
        assert out["StreamArn"].startswith(f"{arn}/stream/")
        assert described["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
        assert described["ProvisionedThroughput"]["ReadCapacityUnits"] == 4
        assert described["ProvisionedThroughput"]["WriteCapacityUnits"] == 2
        (gsi,) = described["GlobalSecondaryIndexes"]
        assert gsi["IndexName"] == "by-gpk" and gsi["Projection"] == {"ProjectionType": "KEYS_ONLY"}
        assert gsi["ProvisionedThroughput"]["ReadCapacityUnits"] == 3
        (lsi,) = described["LocalSecondaryIndexes"]
        assert lsi["IndexName"] == "by-lsk" and lsi["Projection"] == {"ProjectionType": "ALL"}
        assert described["SSEDescription"]["Status"] == "ENABLED"
        assert described["SSEDescription"]["SSEType"] == "KMS"
        assert described["TableClassSummary"]["TableClass"] == "STANDARD_INFREQUENT_ACCESS"
        assert described["DeletionProtectionEnabled"] is True
        pitr = ddb.describe_continuous_backups(TableName=table_name)["ContinuousBackupsDescription"][
            "PointInTimeRecoveryDescription"
        ]
        assert pitr["PointInTimeRecoveryStatus"] == "ENABLED"
        assert pitr["RecoveryPeriodInDays"] == 7
        assert ddb.describe_time_to_live(TableName=table_name)["TimeToLiveDescription"] == {
            "TimeToLiveStatus": "ENABLED",
            "AttributeName": "expires",
        }
        assert {"Key": "team", "Value": "data"} in ddb.list_tags_of_resource(ResourceArn=arn)["Tags"]
        stored = json.loads(ddb.get_resource_policy(ResourceArn=arn)["Policy"])
        assert stored["Statement"][0]["Action"] == "dynamodb:GetItem"
        # The resource policy works: the other account may read.
        ddb.put_item(TableName=table_name, Item={"pk": {"S": "a"}, "sk": {"N": "1"}})
        dest = server.client("dynamodb", "destination")
        assert dest.get_item(TableName=arn, Key={"pk": {"S": "a"}, "sk": {"N": "1"}})["Item"]["pk"] == {"S": "a"}
    finally:
        ddb.update_table(TableName=table_name, DeletionProtectionEnabled=False)
    assert stacks.delete(name)["StackStatus"] == "DELETE_COMPLETE"
    assert not table_exists(ddb, table_name)


def test_s3_bucket_and_policies(stacks, server):
    """AWS::S3::Bucket with BucketName, VersioningConfiguration and Tags; a generated name is
    lower case even for an upper-case stack name (§5.3); AWS::S3::BucketPolicy with the policy
    as an object and as a string (§5.4)."""
    named = unique("cfn-bucket")
    statement = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{DEST}:root"},
        "Action": "s3:GetObject",
    }
    template = {
        "Resources": {
            "Named": {
                "Type": "AWS::S3::Bucket",
                "Properties": {
                    "BucketName": named,
                    "VersioningConfiguration": {"Status": "Enabled"},
                    "Tags": [{"Key": "owner", "Value": "cfn"}],
                },
            },
            "Generated": {"Type": "AWS::S3::Bucket"},
            "NamedPolicy": {
                "Type": "AWS::S3::BucketPolicy",
                "Properties": {
                    "Bucket": {"Ref": "Named"},
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [{**statement, "Resource": {"Fn::Sub": "${Named.Arn}/*"}}],
                    },
                },
            },
            "GeneratedPolicy": {
                "Type": "AWS::S3::BucketPolicy",
                "Properties": {
                    "Bucket": {"Ref": "Generated"},
                    "PolicyDocument": {
                        "Fn::Sub": json.dumps(
                            {
                                "Version": "2012-10-17",
                                "Statement": [{**statement, "Resource": "arn:aws:s3:::${Generated}/*"}],
                            }
                        )
                    },
                },
            },
        },
        "Outputs": {"Generated": {"Value": {"Ref": "Generated"}}},
    }
    name, _ = stacks.create(template, name=unique("MixedCase"))
    assert stacks.describe(name)["StackStatus"] == "CREATE_COMPLETE"
    generated = stacks.outputs(name)["Generated"]
    assert re.fullmatch(rf"{name.lower()}-generated-[a-z0-9]{{12,13}}", generated), generated
    assert stacks.physical(name, "Named") == named

    s3 = s3_client(server)
    assert s3.get_bucket_versioning(Bucket=named)["Status"] == "Enabled"
    assert {"Key": "owner", "Value": "cfn"} in s3.get_bucket_tagging(Bucket=named)["TagSet"]
    for bucket in (named, generated):
        stored = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
        (st,) = stored["Statement"]
        assert st["Action"] == "s3:GetObject"
        assert st["Resource"] == f"arn:aws:s3:::{bucket}/*"
    # The policies take effect: the other account reads an object.
    s3.put_object(Bucket=generated, Key="k", Body=b"v")
    assert s3_client(server, "destination").get_object(Bucket=generated, Key="k")["Body"].read() == b"v"
    s3.delete_object(Bucket=generated, Key="k")

    assert stacks.delete(name)["StackStatus"] == "DELETE_COMPLETE"
    assert not bucket_exists(s3, named) and not bucket_exists(s3, generated)


def test_deletion_policy_retain(stacks, server):
    """DeletionPolicy Retain: DELETE_SKIPPED, the resource survives the stack (§2.5, §2.7, LS
    test_deletion_policy_with_retain)."""
    template = {
        "Resources": {
            "Kept": {"Type": "AWS::S3::Bucket", "DeletionPolicy": "Retain"},
            "KeptTable": {"Type": "AWS::DynamoDB::Table", "DeletionPolicy": "Retain", "Properties": table()},
            "Gone": {"Type": "AWS::S3::Bucket", "DeletionPolicy": "Delete"},
        }
    }
    name, stack_id = stacks.create(template)
    kept, kept_table, gone = (stacks.physical(name, r) for r in ("Kept", "KeptTable", "Gone"))
    s3, ddb = s3_client(server), server.client("dynamodb")
    try:
        assert stacks.delete(name)["StackStatus"] == "DELETE_COMPLETE"
        events = stacks.events(stack_id)
        assert statuses(events, "Kept")[-1][0] == "DELETE_SKIPPED"
        assert statuses(events, "KeptTable")[-1][0] == "DELETE_SKIPPED"
        assert statuses(events, "Gone")[-1][0] == "DELETE_COMPLETE"
        assert bucket_exists(s3, kept) and table_exists(ddb, kept_table)
        assert not bucket_exists(s3, gone)
    finally:
        s3.delete_bucket(Bucket=kept)
        ddb.delete_table(TableName=kept_table)


# --- outputs, exports, imports -----------------------------------------------------------------


def test_exports_and_imports_between_stacks(stacks):
    """An export is listed, imported by another stack, and blocks the exporter's delete while
    in use: DeleteStack answers 200, the stack keeps its status with the reason (§2.6, §4.5)."""
    export = unique("exp")
    exporter, exporter_id = stacks.create(
        {
            "Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}},
            "Outputs": {"Name": {"Value": {"Ref": "Bucket"}, "Export": {"Name": export}}},
        }
    )
    bucket = stacks.physical(exporter, "Bucket")
    exports = stacks.cfn.get_paginator("list_exports").paginate()
    listed = [e for page in exports for e in page["Exports"] if e["Name"] == export]
    assert listed == [{"ExportingStackId": exporter_id, "Name": export, "Value": bucket}]
    (output,) = stacks.describe(exporter)["Outputs"]
    assert output == {"OutputKey": "Name", "OutputValue": bucket, "ExportName": export}

    importer, _ = stacks.create(
        "Resources:\n"
        "  Policy:\n"
        "    Type: AWS::S3::BucketPolicy\n"
        "    Properties:\n"
        f"      Bucket: !ImportValue {export}\n"
        "      PolicyDocument:\n"
        "        Version: '2012-10-17'\n"
        "        Statement:\n"
        "          - Effect: Deny\n"
        "            Principal: '*'\n"
        "            Action: s3:DeleteObject\n"
        "            Resource: !Sub\n"
        "              - 'arn:aws:s3:::${B}/*'\n"
        f"              - B: !ImportValue {export}\n"
        "Outputs:\n"
        "  Imported:\n"
        f"    Value: !ImportValue {export}\n"
    )
    assert stacks.outputs(importer) == {"Imported": bucket}
    assert stacks.physical(importer, "Policy")  # created on the exporter's bucket

    assert stacks.cfn.delete_stack(StackName=exporter)["ResponseMetadata"]["HTTPStatusCode"] == 200
    stack = stacks.settle(exporter)
    reason = f"Export {export} cannot be deleted as it is in use by {importer}"
    assert (stack["StackStatus"], stack.get("StackStatusReason")) == ("CREATE_COMPLETE", reason)
    assert statuses(stacks.events(exporter), exporter)[-2:] == [
        ("DELETE_IN_PROGRESS", "User Initiated"),
        ("CREATE_COMPLETE", reason),
    ]
    assert bucket_exists(s3_client(stacks.server), bucket)

    assert stacks.delete(importer)["StackStatus"] == "DELETE_COMPLETE"
    assert stacks.delete(exporter)["StackStatus"] == "DELETE_COMPLETE"
    exports = stacks.cfn.get_paginator("list_exports").paginate()
    assert export not in [e["Name"] for page in exports for e in page["Exports"]]


def test_import_of_a_missing_export_rolls_back(stacks):
    """Fn::ImportValue of no export fails the stack at execution and rolls back: `No export
    named X found. Rollback requested by user.` (§2.5, §4.4)."""
    missing = unique("no-such-export")
    name, _ = stacks.create(
        {
            "Resources": {
                "B": {
                    "Type": "AWS::S3::Bucket",
                    "Properties": {"Tags": [{"Key": "k", "Value": {"Fn::ImportValue": missing}}]},
                }
            }
        }
    )
    assert stacks.describe(name)["StackStatus"] == "ROLLBACK_COMPLETE"
    assert (
        "ROLLBACK_IN_PROGRESS",
        f"No export named {missing} found. Rollback requested by user.",
    ) in statuses(stacks.events(name), name)


# --- failures and rollback ----------------------------------------------------------------------


# A resource failure's reason (§2.5, §6 [GH:aws-samples/amazon-mwaa-examples#63]).
HANDLER_MESSAGE = re.compile(
    r'^Resource handler returned message: "(?P<message>.*)" '
    rf"\(RequestToken: {UUID}, HandlerErrorCode: (?P<code>\w+)\)$",
    re.S,
)


def test_failed_resource_rolls_back(stacks, server, taken_table):
    """A resource failing with its service's error: CREATE_FAILED with the handler message,
    ROLLBACK_IN_PROGRESS naming it, the created bucket deleted, ROLLBACK_COMPLETE with
    DeletionTime; the CLI waiter fails; the stack can then only be deleted (§2.4, §2.5, §5.3,
    LS test_blocked_stack_deletion)."""
    name, stack_id = stacks.create(failing_template(taken_table))
    stack = stacks.describe(name)
    assert stack["StackStatus"] == "ROLLBACK_COMPLETE"
    assert "DeletionTime" in stack
    events = stacks.events(name)
    failed = [r for s, r in statuses(events, "Table") if s == "CREATE_FAILED"]
    assert len(failed) == 1, statuses(events, "Table")
    match = HANDLER_MESSAGE.match(failed[0])
    assert match, failed[0]
    # A custom name taken: the handler's AlreadyExists (§5.3; cloudformation-cli HandlerErrorCode).
    assert match["code"] == "AlreadyExists", failed[0]
    assert taken_table in match["message"]
    assert statuses(events, name) == [
        ("CREATE_IN_PROGRESS", "User Initiated"),
        ROLLBACK_TABLE,
        ("ROLLBACK_COMPLETE", None),
    ]
    assert [s for s, _ in statuses(events, "Bucket")] == [
        "CREATE_IN_PROGRESS",
        "CREATE_IN_PROGRESS",
        "CREATE_COMPLETE",
        "DELETE_IN_PROGRESS",
        "DELETE_COMPLETE",
    ]
    assert not bucket_exists(s3_client(server), physical_from_events(events, "Bucket"))
    assert table_exists(server.client("dynamodb"), taken_table)  # the other table is untouched

    # StackCreateComplete fails on ROLLBACK_COMPLETE (§0.2).
    cli = server.aws("cloudformation", "wait", "stack-create-complete", "--stack-name", name, check=False)
    assert cli.returncode == 255 and "terminal failure state" in cli.stderr, cli
    # The name is still taken until the failed stack is deleted (§2.4).
    assert error_of(lambda: stacks.cfn.create_stack(StackName=name, TemplateBody=body(TWO_RESOURCES)))[0] == (
        "AlreadyExistsException"
    )
    assert stacks.delete(name)["StackStatus"] == "DELETE_COMPLETE"
    assert error_of(lambda: stacks.cfn.describe_stacks(StackName=name))[1] == f"Stack with id {name} does not exist"


@pytest.mark.parametrize("option", ["DisableRollback", "OnFailure=DO_NOTHING"])
def test_failure_without_rollback_keeps_resources(stacks, server, taken_table, option):
    """DisableRollback=true = OnFailure=DO_NOTHING: the stack stays CREATE_FAILED, what was
    created is kept until the stack is deleted (§2.5)."""
    kwargs = {"DisableRollback": True} if option == "DisableRollback" else {"OnFailure": "DO_NOTHING"}
    name, _ = stacks.create(failing_template(taken_table), **kwargs)
    stack = stacks.describe(name)
    assert stack["StackStatus"] == "CREATE_FAILED"
    assert stack["DisableRollback"] is True
    described = stacks.cfn.describe_stack_resources(StackName=name)["StackResources"]
    resources = {r["LogicalResourceId"]: r for r in described}
    assert resources["Bucket"]["ResourceStatus"] == "CREATE_COMPLETE"
    assert resources["Table"]["ResourceStatus"] == "CREATE_FAILED"
    bucket = resources["Bucket"]["PhysicalResourceId"]
    s3 = s3_client(server)
    assert bucket_exists(s3, bucket)
    assert "ROLLBACK_IN_PROGRESS" not in stack_statuses(stacks.events(name), name)
    assert stacks.delete(name)["StackStatus"] == "DELETE_COMPLETE"
    assert not bucket_exists(s3, bucket)


def test_on_failure_with_disable_rollback_is_refused(stacks):
    """OnFailure and DisableRollback together are an error ([M] CreateStack; text not checked)."""
    code, _, status = error_of(
        lambda: stacks.cfn.create_stack(
            StackName=unique("both"), TemplateBody=body(TWO_RESOURCES), OnFailure="ROLLBACK", DisableRollback=True
        )
    )
    assert (code, status) == ("ValidationError", 400)


# --- authorization ----------------------------------------------------------------------------


def user_stacks(server, *statements):
    name, arn, key = new_user(server, "source", *statements, prefix="cfn-user")
    cfn = server.client(
        "cloudformation", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"]
    )
    return arn, Stacks(server, client=cfn)


def test_create_stack_needs_cloudformation_permission(server):
    """CreateStack is authorized as cloudformation:CreateStack on the stack ARN; denial is 403
    AccessDenied with AWS's text (§6, GH:aws/aws-sam-cli#5567)."""
    arn, user = user_stacks(server, {"Effect": "Allow", "Action": "cloudformation:DescribeStacks", "Resource": "*"})
    name = unique("denied")
    code, message, status = error_of(lambda: user.cfn.create_stack(StackName=name, TemplateBody=body(TWO_RESOURCES)))
    assert (code, status) == ("AccessDenied", 403)
    assert message == (
        f"User: {arn} is not authorized to perform: cloudformation:CreateStack on resource: "
        f"arn:aws:cloudformation:{REGION}:{SOURCE}:stack/{name}/* because no identity-based policy allows "
        "the cloudformation:CreateStack action"
    )
    assert error_of(lambda: user.cfn.describe_stacks(StackName=name))[0] == "ValidationError"


def test_resources_are_created_as_the_caller(server):
    """Each resource is made with the caller's own rights (§6): allowed cloudformation:* but not
    dynamodb:CreateTable, the table fails with the AccessDenied handler message and the stack
    rolls back; with DynamoDB allowed too, the same template succeeds."""
    cfn_only = {"Effect": "Allow", "Action": "cloudformation:*", "Resource": "*"}
    s3_all = {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}
    template = {
        "Resources": {
            "Bucket": {"Type": "AWS::S3::Bucket"},
            "Table": {"Type": "AWS::DynamoDB::Table", "DependsOn": "Bucket", "Properties": table()},
        }
    }
    arn, user = user_stacks(server, cfn_only, s3_all)
    try:
        name, _ = user.create(template)
        assert user.describe(name)["StackStatus"] == "ROLLBACK_COMPLETE"
        events = user.events(name)
        (reason,) = [r for s, r in statuses(events, "Table") if s == "CREATE_FAILED"]
        match = HANDLER_MESSAGE.match(reason)
        assert match and match["code"] == "AccessDenied", reason
        assert re.fullmatch(
            rf"User: {re.escape(arn)} is not authorized to perform: dynamodb:CreateTable on resource: "
            rf"arn:aws:dynamodb:{REGION}:{SOURCE}:table/{re.escape(name)}-Table-[A-Za-z0-9]+ because no "
            r"identity-based policy allows the dynamodb:CreateTable action \(Service: [\w ]+, Status Code: 400, "
            r"Request ID: [\w-]+\)",
            match["message"],
        ), match["message"]
        assert ROLLBACK_TABLE in statuses(events, name)
        assert [s for s, _ in statuses(events, "Bucket")][-2:] == ["DELETE_IN_PROGRESS", "DELETE_COMPLETE"]
    finally:
        user.cleanup()

    _, allowed = user_stacks(server, cfn_only, s3_all, {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"})
    try:
        name, _ = allowed.create(template)
        assert allowed.describe(name)["StackStatus"] == "CREATE_COMPLETE"
        assert table_exists(server.client("dynamodb"), allowed.physical(name, "Table"))
    finally:
        allowed.cleanup()


def test_bucket_policy_resource_needs_put_bucket_policy(server):
    """A user who may create buckets but not set their policy: the BucketPolicy resource fails
    with AccessDenied as the caller (§6) and the bucket is rolled back."""
    arn, user = user_stacks(
        server,
        {"Effect": "Allow", "Action": "cloudformation:*", "Resource": "*"},
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:PutBucketPolicy", "Resource": "*"},
    )
    template = {
        "Resources": {
            "Bucket": {"Type": "AWS::S3::Bucket"},
            "Policy": {
                "Type": "AWS::S3::BucketPolicy",
                "Properties": {
                    "Bucket": {"Ref": "Bucket"},
                    "PolicyDocument": {
                        "Version": "2012-10-17",
                        "Statement": [
                            {
                                "Effect": "Deny",
                                "Principal": "*",
                                "Action": "s3:DeleteObject",
                                "Resource": {"Fn::Sub": "${Bucket.Arn}/*"},
                            }
                        ],
                    },
                },
            },
        }
    }
    try:
        name, _ = user.create(template)
        assert user.describe(name)["StackStatus"] == "ROLLBACK_COMPLETE"
        events = user.events(name)
        (reason,) = [r for s, r in statuses(events, "Policy") if s == "CREATE_FAILED"]
        match = HANDLER_MESSAGE.match(reason)
        assert match and match["code"] == "AccessDenied", reason
        assert f"User: {arn} is not authorized to perform: s3:PutBucketPolicy" in match["message"]
        assert not bucket_exists(s3_client(server), physical_from_events(events, "Bucket"))
    finally:
        user.cleanup()


# --- across accounts: the seed's destination stack -----------------------------------------------


def test_seed_destination_stack_lets_the_source_export(stacks, dest_stacks, server):
    """The seed with stacks: the destination account's stack makes the bucket, a second stack
    (importing its name) the bucket policy naming the source account. Before the policy the
    source may not write; with it a PutObject and a DynamoDB export with S3BucketOwner (from a
    PITR table the source's own stack made) land there; deleting the policy stack closes the
    bucket again (§6; README "The seed")."""
    export = unique("seed-bucket")
    dest_stacks.create(
        {
            "Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}},
            "Outputs": {"Bucket": {"Value": {"Ref": "Bucket"}, "Export": {"Name": export}}},
        }
    )
    (bucket,) = dest_stacks.outputs(dest_stacks.made[-1]).values()
    policy_yaml = f"""\
Resources:
  Policy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !ImportValue {export}
      PolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal:
              AWS: arn:aws:iam::{SOURCE}:root
            Action: [s3:PutObject, s3:PutObjectAcl, s3:AbortMultipartUpload]
            Resource: !Sub
              - arn:aws:s3:::${{Name}}/*
              - Name: !ImportValue {export}
"""
    source_s3, dest_s3 = s3_client(server), s3_client(server, "destination")
    assert error_of(lambda: source_s3.put_object(Bucket=bucket, Key="early", Body=b"x"))[0] == "AccessDenied"

    policy_stack, _ = dest_stacks.create(policy_yaml)
    assert dest_stacks.describe(policy_stack)["StackStatus"] == "CREATE_COMPLETE"
    source_s3.put_object(Bucket=bucket, Key="hello", Body=b"from the source")
    assert dest_s3.get_object(Bucket=bucket, Key="hello")["Body"].read() == b"from the source"

    # The source's table, with PITR, from its own stack; exported into the other account's bucket.
    table_stack, _ = stacks.create(
        {
            "Resources": {
                "Orders": {
                    "Type": "AWS::DynamoDB::Table",
                    "Properties": table(PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}),
                }
            },
            "Outputs": {"Arn": {"Value": {"Fn::GetAtt": ["Orders", "Arn"]}}},
        }
    )
    table_arn = stacks.outputs(table_stack)["Arn"]
    ddb = server.client("dynamodb")
    ddb.put_item(TableName=table_arn, Item={"pk": {"S": "order-1"}, "total": {"N": "42"}})
    export_arn = ddb.export_table_to_point_in_time(TableArn=table_arn, S3Bucket=bucket, S3BucketOwner=DEST)[
        "ExportDescription"
    ]["ExportArn"]
    assert wait_export(ddb, export_arn)["ExportStatus"] == "COMPLETED"
    keys = [o["Key"] for o in dest_s3.list_objects_v2(Bucket=bucket, Prefix="AWSDynamoDB/")["Contents"]]
    assert any(k.endswith("manifest-summary.json") for k in keys), keys

    # Without the policy stack the source is shut out again.
    assert dest_stacks.delete(policy_stack)["StackStatus"] == "DELETE_COMPLETE"
    assert error_of(lambda: source_s3.put_object(Bucket=bucket, Key="late", Body=b"x"))[0] == "AccessDenied"

    # Empty the bucket so that its stack's delete succeeds.
    for page in dest_s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for o in page.get("Contents", []):
            dest_s3.delete_object(Bucket=bucket, Key=o["Key"])
