"""CloudFormation stack updates, change sets and IAM resources through the AWS CLI and boto3:
`aws cloudformation deploy` creating, re-deploying unchanged, updating in place, replacing a
table, refusing to replace a custom-named one and rolling a failed update back; change sets
(their Changes, describe/list/delete/execute, the empty change set and the errors);
UpdateStack's errors, UsePreviousValue parameters and exports in use; GetTemplateSummary and
ListImports; AWS::IAM::{Role,Policy,User,AccessKey} and the capabilities they need.

Expected values come from AWS, not from the implementation: `/work/shared/spec/cloudformation.md`
("§" below; each fact there carries its AWS source), the AWS CLI's deploy customization (awscli
1.x `customizations/cloudformation/deploy.py`) and the resource types' documentation. Where
strata differs from AWS on something it implements, the test keeps AWS's expectation and is
marked xfail(strict=True) with what strata answers instead.
"""

import json
import re
import time

import pytest

from aws_helpers import client_error, new_user, unique
from cfn_helpers import (  # noqa: F401 (stacks is a fixture)
    ASSUME_BY_LAMBDA,
    REPLACING,
    UUID,
    Stacks,
    body,
    error_of,
    stacks,
    statuses,
    table,
    table_exists,
)
from conftest import ACCOUNTS
from s3_helpers import s3_client

REGION = "us-east-1"
SOURCE = ACCOUNTS["source"][0]
EMPTY_CHANGE_SET = "The submitted information didn't contain changes. Submit different information to create a change set."


# --- helpers (the shared ones are in cfn_helpers.py) --------------------------------------------


def gsi(name, attribute):
    return {
        "IndexName": name,
        "KeySchema": [{"AttributeName": attribute, "KeyType": "HASH"}],
        "Projection": {"ProjectionType": "ALL"},
    }


def indexed_table(*indexes, **properties):
    """`table()` with a GSI per (name, attribute) pair, each attribute an S."""
    props = table(**properties)
    props["AttributeDefinitions"] = props["AttributeDefinitions"] + [
        {"AttributeName": a, "AttributeType": "S"} for _, a in indexes
    ]
    if indexes:
        props["GlobalSecondaryIndexes"] = [gsi(n, a) for n, a in indexes]
    return props


def pitr(on):
    return {"PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": on}}


def pitr_status(ddb, name):
    d = ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
    return d["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"]


def index_names(ddb, name):
    return sorted(g["IndexName"] for g in ddb.describe_table(TableName=name)["Table"].get("GlobalSecondaryIndexes", []))


_last_deploy = [0]


def deploy(server, tmp_path, name, template, *extra, check=True):
    """`aws cloudformation deploy` of `template` (written to a file); the CompletedProcess.
    The CLI names its change set `awscli-cloudformation-package-deploy-<unix seconds>` and an
    empty one stays (FAILED), as on AWS: a deploy starts in a later second than the last ended."""
    while int(time.time()) <= _last_deploy[0]:
        time.sleep(0.05)
    path = tmp_path / f"{unique('t')}.json"
    path.write_text(body(template))
    out = server.aws(
        "cloudformation", "deploy", "--template-file", str(path), "--stack-name", name, *extra, check=False
    )
    _last_deploy[0] = int(time.time())
    if check:
        assert out.returncode == 0, out.stdout + out.stderr
    return out


# --- aws cloudformation deploy ----------------------------------------------------------------


def test_cli_deploy_create_noop_in_place_update_and_replacement(server, stacks, tmp_path):
    """deploy creates through a CREATE change set (REVIEW_IN_PROGRESS first, §0.1, §2.5); an
    unchanged re-deploy is "No changes to deploy" (exit 255 on CLI v1, 0 with
    --no-fail-on-empty-changeset); PITR off and a GSI added are made in place; a new TableName
    replaces the table (the new one made, the old one deleted in the cleanup phase)."""
    ddb = server.client("dynamodb")
    name, first, second = unique("deploy"), unique("dt"), unique("dt")
    stacks.track(name)

    def template(table_name, *indexes, on=True):
        return {"Resources": {"Table": {"Type": "AWS::DynamoDB::Table", "Properties": indexed_table(
            *indexes, TableName=table_name, **pitr(on))}}}

    started = time.monotonic()
    deploy(server, tmp_path, name, template(first))
    assert time.monotonic() - started < 25  # the waiters matched at their first poll (§0.1)
    stack = stacks.describe(name)
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    assert re.fullmatch(rf"arn:aws:cloudformation:{REGION}:{SOURCE}:changeSet/awscli-cloudformation-package-deploy-\d+/{UUID}",
                        stack["ChangeSetId"]), stack
    own = statuses(stacks.events(name), name)
    assert own[:2] == [("REVIEW_IN_PROGRESS", "User Initiated"), ("CREATE_IN_PROGRESS", "User Initiated")], own
    assert own[-1] == ("CREATE_COMPLETE", None)
    assert pitr_status(ddb, first) == "ENABLED"
    ddb.put_item(TableName=first, Item={"pk": {"S": "kept"}, "g": {"S": "x"}})

    # The same template again: no change set to execute.
    again = deploy(server, tmp_path, name, template(first), check=False)
    assert again.returncode == 255, again
    assert f"No changes to deploy. Stack {name} is up to date" in again.stdout + again.stderr
    quiet = deploy(server, tmp_path, name, template(first), "--no-fail-on-empty-changeset")
    assert f"No changes to deploy. Stack {name} is up to date" in quiet.stdout + quiet.stderr
    assert stacks.describe(name)["StackStatus"] == "CREATE_COMPLETE"

    # In place: PITR off, then a GSI added (§5.2).
    deploy(server, tmp_path, name, template(first, on=False))
    assert stacks.describe(name)["StackStatus"] == "UPDATE_COMPLETE"
    assert pitr_status(ddb, first) == "DISABLED"
    deploy(server, tmp_path, name, template(first, ("by-g", "g"), on=False))
    assert index_names(ddb, first) == ["by-g"]
    assert stacks.physical(name, "Table") == first
    own = [s for s, _ in statuses(stacks.events(name), name)]
    assert own[-3:] == ["UPDATE_IN_PROGRESS", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", "UPDATE_COMPLETE"], own
    assert ddb.get_item(TableName=first, Key={"pk": {"S": "kept"}})["Item"]["g"] == {"S": "x"}

    # Replacement: another TableName (§2.5, §5.2).
    deploy(server, tmp_path, name, template(second, ("by-g", "g"), on=False))
    assert stacks.describe(name)["StackStatus"] == "UPDATE_COMPLETE"
    assert stacks.physical(name, "Table") == second
    assert table_exists(ddb, second) and not table_exists(ddb, first)
    table_events = [(e["ResourceStatus"], e.get("ResourceStatusReason"), e["PhysicalResourceId"])
                    for e in reversed(stacks.events(name)) if e["LogicalResourceId"] == "Table"]
    assert ("UPDATE_IN_PROGRESS", REPLACING, second) in table_events, table_events
    tail = [(s, p) for s, _, p in table_events[table_events.index(("UPDATE_IN_PROGRESS", REPLACING, second)):]]
    assert tail[:2] == [("UPDATE_IN_PROGRESS", second), ("UPDATE_COMPLETE", second)], tail
    assert tail[-1] == ("DELETE_COMPLETE", first), tail


def test_replaced_resource_is_deleted_in_the_cleanup_phase_with_its_events(server, stacks):
    """After a replacement the old copy is deleted once the stack is
    UPDATE_COMPLETE_CLEANUP_IN_PROGRESS: DELETE_IN_PROGRESS then DELETE_COMPLETE, under its own
    physical id (§2.5)."""
    first, second = unique("rt"), unique("rt")
    name, _ = stacks.create({"Resources": {"Table": {"Type": "AWS::DynamoDB::Table", "Properties": table(TableName=first)}}})
    stack = stacks.update(name, {"Resources": {"Table": {"Type": "AWS::DynamoDB::Table", "Properties": table(TableName=second)}}})
    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    events = [(e["LogicalResourceId"], e["ResourceStatus"], e["PhysicalResourceId"]) for e in reversed(stacks.events(name))]
    cleanup = events[events.index((name, "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", stack["StackId"])):]
    assert [(l, s, p) for l, s, p in cleanup if l == "Table"] == [
        ("Table", "DELETE_IN_PROGRESS", first), ("Table", "DELETE_COMPLETE", first)], cleanup


def test_resource_removed_by_an_update_is_deleted(server, stacks):
    """A resource the new template no longer has is deleted in the cleanup phase
    (DELETE_IN_PROGRESS, DELETE_COMPLETE) and leaves the stack's resources (§2.5)."""
    s3 = s3_client(server)
    name, _ = stacks.create({"Resources": {"Kept": {"Type": "AWS::S3::Bucket"}, "Gone": {"Type": "AWS::S3::Bucket"}}})
    gone = stacks.physical(name, "Gone")
    stack = stacks.update(name, {"Resources": {"Kept": {"Type": "AWS::S3::Bucket"}}})
    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    assert [s for s, _ in statuses(stacks.events(name), "Gone")][-2:] == ["DELETE_IN_PROGRESS", "DELETE_COMPLETE"]
    listed = [r["LogicalResourceId"] for r in stacks.cfn.list_stack_resources(StackName=name)["StackResourceSummaries"]]
    assert listed == ["Kept"]
    with pytest.raises(s3.exceptions.ClientError):
        s3.head_bucket(Bucket=gone)


def test_cli_deploy_custom_named_replacement_is_refused(server, stacks, tmp_path):
    """A KeySchema change needs a replacement, impossible under the same TableName: the update
    fails with AWS's text and rolls back; the table and its items stay (§2.5, §5.3)."""
    ddb = server.client("dynamodb")
    name, table_name = unique("named"), unique("nt")
    stacks.track(name)
    deploy(server, tmp_path, name, {"Resources": {"Table": {
        "Type": "AWS::DynamoDB::Table", "Properties": table(TableName=table_name)}}})
    ddb.put_item(TableName=table_name, Item={"pk": {"S": "kept"}})
    rekeyed = {
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "BillingMode": "PAY_PER_REQUEST",
        "TableName": table_name,
    }
    out = deploy(server, tmp_path, name, {"Resources": {"Table": {"Type": "AWS::DynamoDB::Table", "Properties": rekeyed}}},
                 check=False)
    assert out.returncode == 255, out
    assert stacks.describe(name)["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    events = stacks.events(name)
    assert (
        "UPDATE_FAILED",
        "CloudFormation cannot update a stack when a custom-named resource requires replacing. "
        f"Rename {table_name} and update the stack again.",
    ) in statuses(events, "Table"), statuses(events, "Table")
    assert [s for s, _ in statuses(events, name)][-3:] == [
        "UPDATE_ROLLBACK_IN_PROGRESS", "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS", "UPDATE_ROLLBACK_COMPLETE"]
    described = ddb.describe_table(TableName=table_name)["Table"]
    assert described["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]
    assert ddb.get_item(TableName=table_name, Key={"pk": {"S": "kept"}})["Item"] == {"pk": {"S": "kept"}}


def test_two_gsis_in_one_update_fail_and_roll_back(server, stacks):
    """DynamoDB takes one GSI creation per update (§5.2): an update turning PITR off and adding
    two GSIs fails and rolls back; the table is as it was (PITR on, no index)."""
    ddb = server.client("dynamodb")
    name, stack_id = stacks.create({"Resources": {"Table": {"Type": "AWS::DynamoDB::Table", "Properties": table(**pitr(True))}}})
    table_name = stacks.physical(name, "Table")
    stack = stacks.update(name, {"Resources": {"Table": {"Type": "AWS::DynamoDB::Table", "Properties": indexed_table(
        ("by-a", "a"), ("by-b", "b"), **pitr(False))}}})
    assert stack["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    events = stacks.events(name)
    assert "UPDATE_FAILED" in [s for s, _ in statuses(events, "Table")]
    rollback = [r for st, r in statuses(events, name) if st == "UPDATE_ROLLBACK_IN_PROGRESS"]
    assert len(rollback) == 1 and "failed to update: [Table]" in (rollback[0] or ""), rollback  # (wording UNCONFIRMED, §8)
    assert index_names(ddb, table_name) == []
    assert pitr_status(ddb, table_name) == "ENABLED"
    assert stacks.physical(name, "Table") == table_name
    # The stack is usable again: a single GSI goes through.
    stack = stacks.update(name, {"Resources": {"Table": {"Type": "AWS::DynamoDB::Table", "Properties": indexed_table(
        ("by-a", "a"), **pitr(True))}}})
    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    assert index_names(ddb, table_name) == ["by-a"]


def test_update_as_a_user_without_update_table_rolls_back(server):
    """Resources are updated as the caller (§6): a user denied dynamodb:UpdateTable gets
    UPDATE_FAILED with the AccessDenied handler message and a rollback; the table is as it was."""
    _, arn, key = new_user(
        server, "source",
        {"Effect": "Allow", "Action": ["cloudformation:*", "dynamodb:*"], "Resource": "*"},
        {"Effect": "Deny", "Action": "dynamodb:UpdateTable", "Resource": "*"},
        prefix="cfn-upd",
    )
    user = Stacks(server, client=server.client(
        "cloudformation", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"]))
    ddb = server.client("dynamodb")
    try:
        name, _ = user.create({"Resources": {"Table": {"Type": "AWS::DynamoDB::Table", "Properties": table()}}})
        table_name = user.physical(name, "Table")
        stack = user.update(name, {"Resources": {"Table": {"Type": "AWS::DynamoDB::Table",
                                                            "Properties": indexed_table(("by-a", "a"))}}})
        assert stack["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
        (reason,) = [r for s, r in statuses(user.events(name), "Table") if s == "UPDATE_FAILED"]
        assert "HandlerErrorCode: AccessDenied" in reason and "dynamodb:UpdateTable" in reason, reason
        assert f"User: {arn} is not authorized to perform: dynamodb:UpdateTable" in reason, reason
        assert index_names(ddb, table_name) == []
        assert ddb.describe_table(TableName=table_name)["Table"]["TableStatus"] == "ACTIVE"
    finally:
        user.cleanup()


# --- change sets ------------------------------------------------------------------------------


def test_change_set_changes_describe_list_delete_execute(server, stacks):
    """An UPDATE change set lists its Changes: Add (no physical id), Remove, Modify in place
    (Replacement False) and Modify by replacement (Replacement True); DescribeChangeSet and
    ListChangeSets show it CREATE_COMPLETE/AVAILABLE; DeleteChangeSet removes one; executing
    another applies it and leaves it EXECUTE_COMPLETE (§3)."""
    cfn = stacks.cfn
    ddb = server.client("dynamodb")
    base = {"Resources": {
        "Kept": {"Type": "AWS::DynamoDB::Table", "Properties": table(**pitr(True))},
        "Rekeyed": {"Type": "AWS::DynamoDB::Table", "Properties": table()},
        "Gone": {"Type": "AWS::S3::Bucket"},
    }}
    name, stack_id = stacks.create(base)
    kept, rekeyed, gone = (stacks.physical(name, r) for r in ("Kept", "Rekeyed", "Gone"))
    changed = {"Resources": {
        "Kept": {"Type": "AWS::DynamoDB::Table", "Properties": table(**pitr(False))},
        "Rekeyed": {"Type": "AWS::DynamoDB::Table", "Properties": {
            "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
            "BillingMode": "PAY_PER_REQUEST",
        }},
        "Added": {"Type": "AWS::S3::Bucket"},
    }}
    made = cfn.create_change_set(StackName=name, ChangeSetName="first", TemplateBody=body(changed))
    assert made["StackId"] == stack_id
    assert re.fullmatch(rf"arn:aws:cloudformation:{REGION}:{SOURCE}:changeSet/first/{UUID}", made["Id"]), made
    other = cfn.create_change_set(StackName=name, ChangeSetName="second", TemplateBody=body(changed))["Id"]

    described = cfn.describe_change_set(ChangeSetName="first", StackName=name)
    assert (described["ChangeSetName"], described["ChangeSetId"], described["StackId"], described["StackName"]) == (
        "first", made["Id"], stack_id, name)
    assert (described["Status"], described["ExecutionStatus"]) == ("CREATE_COMPLETE", "AVAILABLE")
    # Capabilities always, Tags only when given (LocalStack's AWS-recorded snapshots).
    assert described["Capabilities"] == [] and "Tags" not in described, described
    changes = {c["ResourceChange"]["LogicalResourceId"]: c["ResourceChange"] for c in described["Changes"]}
    assert all(c["Type"] == "Resource" for c in described["Changes"])
    assert set(changes) == {"Kept", "Rekeyed", "Gone", "Added"}
    added = changes["Added"]
    assert (added["Action"], added["ResourceType"]) == ("Add", "AWS::S3::Bucket")
    assert "PhysicalResourceId" not in added and "Replacement" not in added
    assert (changes["Gone"]["Action"], changes["Gone"]["PhysicalResourceId"]) == ("Remove", gone)
    assert (changes["Kept"]["Action"], changes["Kept"]["Replacement"], changes["Kept"]["PhysicalResourceId"]) == (
        "Modify", "False", kept)
    assert "Properties" in changes["Kept"]["Scope"]
    assert [d["Target"]["Name"] for d in changes["Kept"]["Details"]] == ["PointInTimeRecoverySpecification"]
    assert (changes["Rekeyed"]["Action"], changes["Rekeyed"]["Replacement"]) == ("Modify", "True")
    recreation = {d["Target"]["Name"]: d["Target"]["RequiresRecreation"] for d in changes["Rekeyed"]["Details"]}
    assert recreation.get("KeySchema") == "Always", changes["Rekeyed"]["Details"]
    # By ARN, StackName is not needed.
    assert cfn.describe_change_set(ChangeSetName=made["Id"])["ChangeSetName"] == "first"

    summaries = {s["ChangeSetName"]: s for s in cfn.list_change_sets(StackName=name)["Summaries"]}
    assert set(summaries) == {"first", "second"}
    assert (summaries["first"]["ChangeSetId"], summaries["first"]["Status"], summaries["first"]["ExecutionStatus"]) == (
        made["Id"], "CREATE_COMPLETE", "AVAILABLE")
    assert stacks.describe(name)["StackStatus"] == "CREATE_COMPLETE"  # nothing applied yet
    cfn.delete_change_set(ChangeSetName=other)
    assert [s["ChangeSetName"] for s in cfn.list_change_sets(StackName=name)["Summaries"]] == ["first"]
    code, message, status = error_of(lambda: cfn.describe_change_set(ChangeSetName=other))
    assert (code, message, status) == ("ChangeSetNotFound", f"ChangeSet [{other}] does not exist", 404)

    cfn.execute_change_set(ChangeSetName="first", StackName=name)
    stack = stacks.settle(name)
    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    assert stack["ChangeSetId"] == made["Id"]
    assert pitr_status(ddb, kept) == "DISABLED"
    new_rekeyed = stacks.physical(name, "Rekeyed")
    assert new_rekeyed != rekeyed and not table_exists(ddb, rekeyed)
    assert ddb.describe_table(TableName=new_rekeyed)["Table"]["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    # (The removed bucket: see test_resource_removed_by_an_update_is_deleted.)
    executed = cfn.describe_change_set(ChangeSetName=made["Id"])
    assert executed["ExecutionStatus"] == "EXECUTE_COMPLETE"
    # Describable by its id, but no longer one of the stack's active change sets (ListChangeSets
    # in LocalStack's AWS-recorded test_create_change_set_update_without_parameters).
    assert cfn.list_change_sets(StackName=name)["Summaries"] == []


def test_empty_change_set_and_change_set_errors(server, stacks):
    """The change set of an unchanged template is FAILED with AWS's reason and can't be
    executed; a CREATE change set for a live stack, an unknown change set and a name without
    StackName are refused with AWS's texts (§3)."""
    cfn = stacks.cfn
    template = {"Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}}}
    name, stack_id = stacks.create(template)

    empty = cfn.create_change_set(StackName=name, ChangeSetName="empty", TemplateBody=body(template))["Id"]
    described = cfn.describe_change_set(ChangeSetName=empty)
    assert (described["Status"], described["ExecutionStatus"], described["Changes"]) == ("FAILED", "UNAVAILABLE", [])
    assert described["StatusReason"] == EMPTY_CHANGE_SET
    code, message, status = error_of(lambda: cfn.execute_change_set(ChangeSetName=empty))
    assert (code, status) == ("InvalidChangeSetStatus", 400)
    assert message == f"ChangeSet [{empty}] cannot be executed in its current status of [FAILED]"
    assert stacks.describe(name)["StackStatus"] == "CREATE_COMPLETE"

    code, message, status = error_of(lambda: cfn.create_change_set(
        StackName=name, ChangeSetName="again", ChangeSetType="CREATE", TemplateBody=body(template)))
    assert (message, status) == (f"Stack [{name}] already exists and cannot be created again with the changeSet [again].", 400)

    code, message, status = error_of(lambda: cfn.describe_change_set(ChangeSetName="nope", StackName=name))
    assert (code, message, status) == ("ChangeSetNotFound", "ChangeSet [nope] does not exist", 404)
    arn = f"arn:aws:cloudformation:{REGION}:{SOURCE}:changeSet/nope/00000000-0000-4000-8000-000000000000"
    assert error_of(lambda: cfn.delete_change_set(ChangeSetName=arn))[::2] == ("ChangeSetNotFound", 404)
    code, message, status = error_of(lambda: cfn.describe_change_set(ChangeSetName="nope"))
    assert (code, message, status) == (
        "ValidationError", "StackName must be specified if ChangeSetName is not specified as an ARN.", 400)
    code, message, status = error_of(lambda: cfn.execute_change_set(ChangeSetName="nope"))
    assert (code, message) == ("ValidationError", "StackName must be specified if ChangeSetName is not specified as an ARN.")


def test_change_sets_overtaken_by_create_stack_or_update_stack_are_obsolete(server, stacks):
    """CreateStack of a stack a CREATE change set left in REVIEW_IN_PROGRESS creates that same
    stack, and its change set is then OBSOLETE (§3, LocalStack's AWS-validated
    test_create_while_in_review); an UpdateStack beside an UPDATE change set leaves it OBSOLETE,
    "because the stack was already updated" (API reference, ChangeSetSummary.ExecutionStatus),
    and it can no longer be executed."""
    cfn = stacks.cfn
    template = {"Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}}}
    name = unique("stk")
    review = cfn.create_change_set(
        StackName=name, ChangeSetName="review", ChangeSetType="CREATE", TemplateBody=body(template))
    stacks.track(review["StackId"])
    assert stacks.describe(name)["StackStatus"] == "REVIEW_IN_PROGRESS"
    created = cfn.create_stack(StackName=name, TemplateBody=body(template))
    assert created["StackId"] == review["StackId"]
    stack = stacks.settle(review["StackId"])
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    assert stacks.physical(name, "Bucket")
    overtaken = cfn.describe_change_set(ChangeSetName=review["Id"])
    assert (overtaken["Status"], overtaken["ExecutionStatus"]) == ("CREATE_COMPLETE", "OBSOLETE")
    # A live stack is not created again.
    assert error_of(lambda: cfn.create_stack(StackName=name, TemplateBody=body(template)))[::2] == (
        "AlreadyExistsException", 400)

    changed = {"Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}, "Other": {"Type": "AWS::S3::Bucket"}}}
    pending = cfn.create_change_set(StackName=name, ChangeSetName="pending", TemplateBody=body(changed))["Id"]
    assert cfn.describe_change_set(ChangeSetName=pending)["ExecutionStatus"] == "AVAILABLE"
    assert stacks.update(name, changed)["StackStatus"] == "UPDATE_COMPLETE"
    summaries = {s["ChangeSetName"]: s for s in cfn.list_change_sets(StackName=name)["Summaries"]}
    assert summaries["pending"]["ExecutionStatus"] == "OBSOLETE"
    code, message, status = error_of(lambda: cfn.execute_change_set(ChangeSetName=pending))
    assert (code, status) == ("InvalidChangeSetStatus", 400)
    assert message == f"ChangeSet [{pending}] cannot be executed in its current status of [OBSOLETE]"


# --- UpdateStack --------------------------------------------------------------------------------


def test_update_stack_errors(server, stacks):
    """UpdateStack of the same template: "No updates are to be performed."; of a stack in
    ROLLBACK_COMPLETE (a failed create): it "can not be updated" (§2.2, §2.4)."""
    cfn = stacks.cfn
    template = {"Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}}}
    name, _ = stacks.create(template)
    assert error_of(lambda: cfn.update_stack(StackName=name, TemplateBody=body(template))) == (
        "ValidationError", "No updates are to be performed.", 400)
    assert error_of(lambda: cfn.update_stack(StackName=name, UsePreviousTemplate=True)) == (
        "ValidationError", "No updates are to be performed.", 400)

    failed, failed_id = stacks.create({"Resources": {"Bucket": {"Type": "AWS::S3::Bucket", "Properties": {
        "BucketName": {"Fn::ImportValue": unique("missing-export")}}}}})
    assert stacks.describe(failed)["StackStatus"] == "ROLLBACK_COMPLETE"
    assert error_of(lambda: cfn.update_stack(StackName=failed, TemplateBody=body(template))) == (
        "ValidationError", f"Stack:{failed_id} is in ROLLBACK_COMPLETE state and can not be updated.", 400)
    code, message, _ = error_of(lambda: cfn.create_change_set(
        StackName=failed, ChangeSetName="cs", TemplateBody=body(template)))
    assert (code, message) == ("ValidationError", f"Stack:{failed_id} is in ROLLBACK_COMPLETE state and can not be updated.")


def test_use_previous_value_parameters(server, stacks):
    """UpdateStack with UsePreviousValue keeps a parameter's value while another changes, with
    a new template or UsePreviousTemplate; the resources follow the values (§4.2)."""
    ddb = server.client("dynamodb")
    template = {
        "Parameters": {
            "Pitr": {"Type": "String", "AllowedValues": ["true", "false"]},
            "Label": {"Type": "String"},
        },
        "Conditions": {"On": {"Fn::Equals": [{"Ref": "Pitr"}, "true"]}},
        "Resources": {"Table": {"Type": "AWS::DynamoDB::Table", "Properties": table(
            PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": {"Fn::If": ["On", True, False]}})}},
        "Outputs": {"Label": {"Value": {"Ref": "Label"}}},
    }
    name, _ = stacks.create(template, Parameters=[
        {"ParameterKey": "Pitr", "ParameterValue": "true"}, {"ParameterKey": "Label", "ParameterValue": "one"}])
    table_name = stacks.physical(name, "Table")
    assert pitr_status(ddb, table_name) == "ENABLED"

    more = json.loads(json.dumps(template))
    more["Outputs"]["Table"] = {"Value": {"Ref": "Table"}}
    stack = stacks.update(name, more, Parameters=[
        {"ParameterKey": "Pitr", "UsePreviousValue": True}, {"ParameterKey": "Label", "ParameterValue": "two"}])
    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    params = {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]}
    assert params == {"Pitr": "true", "Label": "two"}
    assert stacks.outputs(name) == {"Label": "two", "Table": table_name}
    assert pitr_status(ddb, table_name) == "ENABLED"

    stack = stacks.update(name, UsePreviousTemplate=True, Parameters=[
        {"ParameterKey": "Pitr", "ParameterValue": "false"}, {"ParameterKey": "Label", "UsePreviousValue": True}])
    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    assert {p["ParameterKey"]: p["ParameterValue"] for p in stack["Parameters"]} == {"Pitr": "false", "Label": "two"}
    assert pitr_status(ddb, table_name) == "DISABLED"
    assert stacks.outputs(name) == {"Label": "two", "Table": table_name}


def test_an_export_in_use_cannot_be_changed_by_an_update(server, stacks):
    """An update changing the value of an export another stack imports rolls back with
    "Export X cannot be updated as it is in use by S"; ListImports names the importer (§4.5)."""
    export = unique("upd-exp")
    exporter_template = {
        "Parameters": {"Value": {"Type": "String"}},
        "Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}},
        "Outputs": {"Out": {"Value": {"Ref": "Value"}, "Export": {"Name": export}}},
    }
    exporter, _ = stacks.create(exporter_template, Parameters=[{"ParameterKey": "Value", "ParameterValue": "first"}])
    importer, _ = stacks.create({
        "Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}},
        "Outputs": {"Imported": {"Value": {"Fn::ImportValue": export}}},
    })
    assert stacks.outputs(importer) == {"Imported": "first"}
    assert stacks.cfn.list_imports(ExportName=export)["Imports"] == [importer]

    stack = stacks.update(exporter, UsePreviousTemplate=True, Parameters=[{"ParameterKey": "Value", "ParameterValue": "second"}])
    assert stack["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    reason = f"Export {export} cannot be updated as it is in use by {importer}"
    reasons = [r or "" for _, r in statuses(stacks.events(exporter), exporter)]
    assert any(reason in r for r in reasons), reasons
    exports = [e for page in stacks.cfn.get_paginator("list_exports").paginate() for e in page["Exports"]]
    assert [e["Value"] for e in exports if e["Name"] == export] == ["first"]
    assert {p["ParameterKey"]: p["ParameterValue"] for p in stacks.describe(exporter)["Parameters"]} == {"Value": "first"}

    # Removing the export is refused likewise ("cannot be deleted").
    stack = stacks.update(exporter, {"Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}}})
    assert stack["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    reasons = [r or "" for _, r in statuses(stacks.events(exporter), exporter)]
    assert any(f"Export {export} cannot be deleted as it is in use by {importer}" in r for r in reasons), reasons


# --- GetTemplateSummary ---------------------------------------------------------------------------


SUMMARY_TEMPLATE = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Description": "summary",
    "Metadata": {"Owner": "team"},
    "Parameters": {
        "Env": {"Type": "String", "Default": "dev", "AllowedValues": ["dev", "prod"], "Description": "where"},
        "Secret": {"Type": "String", "NoEcho": True},
    },
    "Resources": {
        "Table": {"Type": "AWS::DynamoDB::Table", "Properties": table()},
        "Bucket": {"Type": "AWS::S3::Bucket"},
        "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
        }}},
    },
}


def test_get_template_summary_by_body_and_by_stack(server, stacks):
    """GetTemplateSummary of a template body and of a stack: parameters (with their type,
    default, NoEcho, description and AllowedValues), resource types, description, version,
    the capability the IAM role needs (§4.6), the template's Metadata (as JSON text: the format
    is UNCONFIRMED) and ResourceIdentifierSummaries: per importable type, its resources and
    primary identifier (LocalStack's AWS-recorded test_get_template_summary snapshot; the
    types' schemas)."""
    cfn = stacks.cfn

    def check(summary):
        params = {p["ParameterKey"]: p for p in summary["Parameters"]}
        assert set(params) == {"Env", "Secret"}
        env = params["Env"]
        assert (env["DefaultValue"], env["ParameterType"], env["NoEcho"], env["Description"]) == ("dev", "String", False, "where")
        assert env["ParameterConstraints"] == {"AllowedValues": ["dev", "prod"]}
        assert (params["Secret"]["ParameterType"], params["Secret"]["NoEcho"]) == ("String", True)
        assert "DefaultValue" not in params["Secret"]
        assert sorted(summary["ResourceTypes"]) == ["AWS::DynamoDB::Table", "AWS::IAM::Role", "AWS::S3::Bucket"]
        assert (summary["Description"], summary["Version"]) == ("summary", "2010-09-09")
        assert summary["Capabilities"] == ["CAPABILITY_IAM"]
        assert summary["CapabilitiesReason"] == "The following resource(s) require capabilities: [AWS::IAM::Role]"
        assert json.loads(summary["Metadata"]) == {"Owner": "team"}
        assert sorted(summary["ResourceIdentifierSummaries"], key=lambda s: s["ResourceType"]) == [
            {"ResourceType": "AWS::DynamoDB::Table", "LogicalResourceIds": ["Table"], "ResourceIdentifiers": ["TableName"]},
            {"ResourceType": "AWS::IAM::Role", "LogicalResourceIds": ["Role"], "ResourceIdentifiers": ["RoleName"]},
            {"ResourceType": "AWS::S3::Bucket", "LogicalResourceIds": ["Bucket"], "ResourceIdentifiers": ["BucketName"]},
        ]

    check(cfn.get_template_summary(TemplateBody=body(SUMMARY_TEMPLATE)))
    name, stack_id = stacks.create(SUMMARY_TEMPLATE, Capabilities=["CAPABILITY_IAM"],
                                   Parameters=[{"ParameterKey": "Secret", "ParameterValue": "s3cr3t"}])
    check(cfn.get_template_summary(StackName=name))
    check(cfn.get_template_summary(StackName=stack_id))
    code, message, _ = error_of(lambda: cfn.get_template_summary(StackName=unique("nope")))
    assert code == "ValidationError" and "does not exist" in message


# --- IAM resources --------------------------------------------------------------------------------


def test_iam_role_policy_user_and_access_key(server, stacks):
    """AWS::IAM::Role (trust policy, inline Policies, ManagedPolicyArns; Ref its name, GetAtt
    Arn and RoleId), AWS::IAM::Policy on the role, AWS::IAM::User with an inline policy and
    AWS::IAM::AccessKey (Ref its id, GetAtt SecretAccessKey): all made, the key signs a call the
    user's policy allows, and deleting the stack removes them (§5.1, §5.4)."""
    iam = server.client("iam")
    managed = iam.create_policy(PolicyName=unique("cfn-managed"), PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}))["Policy"]["Arn"]
    template = {
        "Resources": {
            "Role": {"Type": "AWS::IAM::Role", "Properties": {
                "AssumeRolePolicyDocument": ASSUME_BY_LAMBDA,
                "Policies": [{"PolicyName": "inline", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}}],
                "ManagedPolicyArns": [managed],
            }},
            "Extra": {"Type": "AWS::IAM::Policy", "Properties": {
                "PolicyName": "extra",
                "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"}]},
                "Roles": [{"Ref": "Role"}],
            }},
            "User": {"Type": "AWS::IAM::User", "Properties": {
                "Policies": [{"PolicyName": "list", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Action": "dynamodb:ListTables", "Resource": "*"}]}}],
            }},
            "Key": {"Type": "AWS::IAM::AccessKey", "Properties": {"UserName": {"Ref": "User"}}},
        },
        "Outputs": {
            "RoleName": {"Value": {"Ref": "Role"}},
            "RoleArn": {"Value": {"Fn::GetAtt": ["Role", "Arn"]}},
            "RoleId": {"Value": {"Fn::GetAtt": ["Role", "RoleId"]}},
            "UserName": {"Value": {"Ref": "User"}},
            "UserArn": {"Value": {"Fn::GetAtt": ["User", "Arn"]}},
            "KeyId": {"Value": {"Ref": "Key"}},
            "Secret": {"Value": {"Fn::GetAtt": ["Key", "SecretAccessKey"]}},
        },
    }
    # CAPABILITY_IAM is all AWS needs here; strata also wants CAPABILITY_NAMED_IAM for the
    # AccessKey (see the xfail below), so both are passed (AWS accepts that too).
    name, stack_id = stacks.create(template, Capabilities=["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM"])
    assert stacks.describe(name)["StackStatus"] == "CREATE_COMPLETE"
    out = stacks.outputs(name)
    role_name = out["RoleName"]
    assert re.fullmatch(rf"{name}-Role-[A-Za-z0-9]{{12,13}}", role_name), role_name
    role = iam.get_role(RoleName=role_name)["Role"]
    assert out["RoleArn"] == role["Arn"] == f"arn:aws:iam::{SOURCE}:role/{role_name}"
    assert out["RoleId"] == role["RoleId"] and out["RoleId"].startswith("AROA")
    trust = role["AssumeRolePolicyDocument"]
    trust = json.loads(trust) if isinstance(trust, str) else trust
    assert trust["Statement"][0]["Principal"] == {"Service": "lambda.amazonaws.com"}
    assert sorted(iam.list_role_policies(RoleName=role_name)["PolicyNames"]) == ["extra", "inline"]
    attached = iam.list_attached_role_policies(RoleName=role_name)["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == [managed]
    extra = iam.get_role_policy(RoleName=role_name, PolicyName="extra")["PolicyDocument"]
    extra = json.loads(extra) if isinstance(extra, str) else extra
    assert extra["Statement"][0]["Action"] == "dynamodb:GetItem"

    user_name = out["UserName"]
    assert out["UserArn"] == iam.get_user(UserName=user_name)["User"]["Arn"] == f"arn:aws:iam::{SOURCE}:user/{user_name}"
    assert [k["AccessKeyId"] for k in iam.list_access_keys(UserName=user_name)["AccessKeyMetadata"]] == [out["KeyId"]]
    as_user = server.client("dynamodb", aws_access_key_id=out["KeyId"], aws_secret_access_key=out["Secret"])
    assert "TableNames" in as_user.list_tables()
    code, _, status = error_of(lambda: as_user.describe_table(TableName="anything"))
    assert (code, status) == ("AccessDeniedException", 400)

    stacks.cfn.delete_stack(StackName=name)
    assert stacks.settle(stack_id)["StackStatus"] == "DELETE_COMPLETE"
    assert error_of(lambda: iam.get_role(RoleName=role_name))[0] == "NoSuchEntity"
    assert error_of(lambda: iam.get_user(UserName=user_name))[0] == "NoSuchEntity"
    assert iam.get_policy(PolicyArn=managed)["Policy"]["AttachmentCount"] == 0
    iam.delete_policy(PolicyArn=managed)


def test_iam_capabilities(server, stacks):
    """IAM resources need CAPABILITY_IAM, custom-named ones CAPABILITY_NAMED_IAM, checked
    synchronously by CreateStack, UpdateStack and CreateChangeSet (§3, §6)."""
    cfn = stacks.cfn
    role = {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": ASSUME_BY_LAMBDA}}
    unnamed = {"Resources": {"Role": role}}
    role_name = unique("cfn-named")
    named = {"Resources": {"Role": {"Type": "AWS::IAM::Role", "Properties": {
        "AssumeRolePolicyDocument": ASSUME_BY_LAMBDA, "RoleName": role_name}}}}

    name = unique("caps")
    iam_needed = ("InsufficientCapabilitiesException", "Requires capabilities : [CAPABILITY_IAM]", 400)
    named_needed = ("InsufficientCapabilitiesException", "Requires capabilities : [CAPABILITY_NAMED_IAM]", 400)
    assert error_of(lambda: cfn.create_stack(StackName=name, TemplateBody=body(unnamed))) == iam_needed
    assert error_of(lambda: cfn.create_change_set(
        StackName=unique("caps-cs"), ChangeSetName="cs", ChangeSetType="CREATE", TemplateBody=body(unnamed))) == iam_needed
    assert error_of(lambda: cfn.describe_stacks(StackName=name))[1] == f"Stack with id {name} does not exist"
    assert error_of(lambda: cfn.create_stack(
        StackName=name, TemplateBody=body(named), Capabilities=["CAPABILITY_IAM"])) == named_needed

    name, _ = stacks.create(named, name=name, Capabilities=["CAPABILITY_NAMED_IAM"])
    assert stacks.describe(name)["StackStatus"] == "CREATE_COMPLETE"
    assert stacks.describe(name)["Capabilities"] == ["CAPABILITY_NAMED_IAM"]
    assert server.client("iam").get_role(RoleName=role_name)["Role"]["RoleName"] == role_name
    changed = json.loads(json.dumps(named))
    changed["Resources"]["Role"]["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] = {
        "Service": "ec2.amazonaws.com"}
    assert error_of(lambda: cfn.update_stack(StackName=name, TemplateBody=body(changed))) == named_needed
    assert error_of(lambda: cfn.create_change_set(
        StackName=name, ChangeSetName="cs", TemplateBody=body(changed), Capabilities=["CAPABILITY_IAM"])) == named_needed
    stack = stacks.update(name, changed, Capabilities=["CAPABILITY_NAMED_IAM"])
    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    trust = server.client("iam").get_role(RoleName=role_name)["Role"]["AssumeRolePolicyDocument"]
    trust = json.loads(trust) if isinstance(trust, str) else trust
    assert trust["Statement"][0]["Principal"] == {"Service": "ec2.amazonaws.com"}


def test_role_description_and_max_session_duration_update_in_place(server, stacks):
    """Description and MaxSessionDuration of AWS::IAM::Role update in place (§5.2)."""
    iam = server.client("iam")
    role = {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": ASSUME_BY_LAMBDA, "Description": "first"}}
    name, _ = stacks.create({"Resources": {"Role": role}}, Capabilities=["CAPABILITY_IAM"])
    role_name = stacks.physical(name, "Role")
    assert iam.get_role(RoleName=role_name)["Role"].get("Description") == "first"
    role["Properties"].update(Description="second", MaxSessionDuration=7200)
    stack = stacks.update(name, {"Resources": {"Role": role}}, Capabilities=["CAPABILITY_IAM"])
    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    assert stacks.physical(name, "Role") == role_name
    got = iam.get_role(RoleName=role_name)["Role"]
    assert (got.get("Description"), got["MaxSessionDuration"]) == ("second", 7200)


def test_access_key_of_a_generated_user_needs_only_capability_iam(server, stacks):
    """A user with a generated name and its access key need CAPABILITY_IAM only: the key's
    UserName names the user it belongs to, it gives no IAM resource a name (§6 [M])."""
    name, _ = stacks.create({"Resources": {
        "User": {"Type": "AWS::IAM::User"},
        "Key": {"Type": "AWS::IAM::AccessKey", "Properties": {"UserName": {"Ref": "User"}}},
    }}, Capabilities=["CAPABILITY_IAM"])
    assert stacks.describe(name)["StackStatus"] == "CREATE_COMPLETE"


def test_bucket_encryption_ownership_and_public_access_block(server, stacks):
    """AWS::S3::Bucket's BucketEncryption, OwnershipControls and PublicAccessBlockConfiguration
    are applied on create and updated in place (§5.2), read back through S3's own API."""
    s3 = server.client("s3")
    bucket = unique("cfn-enc")
    props = {
        "BucketName": bucket,
        "BucketEncryption": {"ServerSideEncryptionConfiguration": [
            {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "alias/aws/s3"},
             "BucketKeyEnabled": True}]},
        "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerPreferred"}]},
        "PublicAccessBlockConfiguration": {"BlockPublicAcls": True, "IgnorePublicAcls": True,
                                           "BlockPublicPolicy": False, "RestrictPublicBuckets": False},
    }
    name, _ = stacks.create({"Resources": {"Bucket": {"Type": "AWS::S3::Bucket", "Properties": props}}})
    assert stacks.describe(name)["StackStatus"] == "CREATE_COMPLETE"
    (rule,) = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rule["ApplyServerSideEncryptionByDefault"] == {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": "alias/aws/s3"}
    assert rule["BucketKeyEnabled"] is True
    (owner_rule,) = s3.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"]
    assert owner_rule["ObjectOwnership"] == "BucketOwnerPreferred"
    pab = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert (pab["BlockPublicAcls"], pab["BlockPublicPolicy"]) == (True, False)

    # In place: encryption dropped (back to S3's default SSE-S3), public policies blocked.
    del props["BucketEncryption"]
    props["PublicAccessBlockConfiguration"]["BlockPublicPolicy"] = True
    stack = stacks.update(name, {"Resources": {"Bucket": {"Type": "AWS::S3::Bucket", "Properties": props}}})
    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    assert stacks.physical(name, "Bucket") == bucket
    (rule,) = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]["BlockPublicPolicy"] is True


def test_a_deletion_policy_change_alone_is_an_update_and_is_kept(server, stacks):
    """Adding `DeletionPolicy: Retain` to an unchanged resource is a change (change-set Scope
    DeletionPolicy, §3): the update completes, and the stack's delete then keeps the table."""
    ddb = server.client("dynamodb")
    resource = {"Type": "AWS::DynamoDB::Table", "Properties": table()}
    name, _ = stacks.create({"Resources": {"Table": resource}})
    table_name = stacks.physical(name, "Table")
    cs = stacks.cfn.create_change_set(
        StackName=name, ChangeSetName="retain",
        TemplateBody=body({"Resources": {"Table": {**resource, "DeletionPolicy": "Retain"}}}))
    described = stacks.cfn.describe_change_set(ChangeSetName=cs["Id"])
    assert described["Status"] == "CREATE_COMPLETE", described
    (change,) = described["Changes"]
    assert change["ResourceChange"]["Action"] == "Modify"
    assert "DeletionPolicy" in change["ResourceChange"]["Scope"]
    stacks.cfn.execute_change_set(ChangeSetName=cs["Id"])
    assert stacks.settle(name)["StackStatus"] == "UPDATE_COMPLETE"
    assert stacks.delete(name)["StackStatus"] == "DELETE_COMPLETE"
    assert table_exists(ddb, table_name)
    ddb.delete_table(TableName=table_name)


def test_a_failed_update_without_rollback_stays_update_failed(server, stacks):
    """DisableRollback on UpdateStack: a failed update leaves the stack UPDATE_FAILED with what
    it did (§2.5), and the stack can be updated again."""
    template = {"Resources": {"Table": {"Type": "AWS::DynamoDB::Table", "Properties": table()}}}
    name, _ = stacks.create(template)
    two = {"Resources": {"Table": {"Type": "AWS::DynamoDB::Table", "Properties": indexed_table(("a", "ga"), ("b", "gb"))}}}
    stack = stacks.update(name, two, DisableRollback=True)
    assert stack["StackStatus"] == "UPDATE_FAILED", stack
    one = {"Resources": {"Table": {"Type": "AWS::DynamoDB::Table", "Properties": indexed_table(("a", "ga"))}}}
    assert stacks.update(name, one)["StackStatus"] == "UPDATE_COMPLETE"


def test_a_bucket_the_account_already_has_is_not_taken_over(server, stacks):
    """A template naming a bucket its account already owns fails the resource with "already
    exists" (S3 itself answers CreateBucket with success there): the bucket and its objects
    are left alone by the rollback."""
    s3 = server.client("s3")
    bucket = unique("cfn-own")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="keep", Body=b"mine")
    name, _ = stacks.create({"Resources": {"Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": bucket}}}})
    assert stacks.describe(name)["StackStatus"] == "ROLLBACK_COMPLETE"
    reasons = [r for s, r in statuses(stacks.events(name), "Bucket") if s == "CREATE_FAILED"]
    assert reasons and f"{bucket} already exists" in reasons[0], reasons
    assert s3.get_object(Bucket=bucket, Key="keep")["Body"].read() == b"mine"


def test_a_create_change_set_with_a_role_needs_pass_role_before_anything_is_made(server, stacks):
    """CreateChangeSet(CREATE) naming a RoleARN the caller may not pass is AccessDenied, and no
    REVIEW_IN_PROGRESS stack is left holding the role (spec §6)."""
    iam = server.client("iam")
    role = unique("cfn-svc")
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "cloudformation.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
    _, _, key = new_user(server, "source", {"Effect": "Allow", "Action": "cloudformation:*", "Resource": "*"})
    cfn = server.client("cloudformation", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    name = unique("cfn-cs")
    code, message, status = error_of(lambda: cfn.create_change_set(
        StackName=name, ChangeSetName="cs", ChangeSetType="CREATE", RoleARN=f"arn:aws:iam::{SOURCE}:role/{role}",
        TemplateBody=body({"Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}}})))
    assert (code, status) == ("AccessDenied", 403), message
    assert "iam:PassRole" in message
    assert error_of(lambda: stacks.cfn.describe_stacks(StackName=name))[0] == "ValidationError"


def test_a_service_role_makes_the_resources_and_must_trust_cloudformation(server, stacks):
    """A stack's RoleARN (spec §6): a user who may pass the role but not create buckets gets
    its bucket made in the role's session; a role that does not trust
    cloudformation.amazonaws.com is "invalid or cannot be assumed"."""
    iam = server.client("iam")
    trusted, untrusted = unique("cfn-svc"), unique("cfn-nosvc")
    for role, service in ((trusted, "cloudformation.amazonaws.com"), (untrusted, "ec2.amazonaws.com")):
        iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]}))
        iam.put_role_policy(RoleName=role, PolicyName="s3", PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
    _, _, key = new_user(server, "source",
                         {"Effect": "Allow", "Action": "cloudformation:*", "Resource": "*"},
                         {"Effect": "Allow", "Action": "iam:PassRole", "Resource": f"arn:aws:iam::{SOURCE}:role/*"})
    cfn = server.client("cloudformation", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    mine = Stacks(server, client=cfn)
    template = {"Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}}}
    try:
        name, _ = mine.create(template)
        assert mine.describe(name)["StackStatus"] == "ROLLBACK_COMPLETE"
        name, _ = mine.create(template, RoleARN=f"arn:aws:iam::{SOURCE}:role/{trusted}")
        stack = mine.describe(name)
        assert (stack["StackStatus"], stack["RoleARN"]) == ("CREATE_COMPLETE", f"arn:aws:iam::{SOURCE}:role/{trusted}")
        code, message, _ = error_of(lambda: cfn.create_stack(
            StackName=unique("nosvc"), TemplateBody=body(template), RoleARN=f"arn:aws:iam::{SOURCE}:role/{untrusted}"))
        assert (code, message) == ("ValidationError", f"Role arn:aws:iam::{SOURCE}:role/{untrusted} is invalid or cannot be assumed")
    finally:
        mine.cleanup()
