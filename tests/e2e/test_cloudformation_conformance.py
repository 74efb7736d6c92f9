"""CloudFormation points where strata must answer as AWS does: an IAM access key created
Inactive; AWS::IAM::Policy without targets or naming a missing group; unknown and unsupported
resource properties refused; a failed rollback and DeleteStack with RetainResources; delete
events carrying ResourceProperties; resource Metadata in DescribeStackResource; a deleted
stack's description; the errors of DescribeStackResource, GetTemplate (change sets),
CreateStack (a Resources member not an object) and DescribeStackEvents without StackName;
reasons ending in "Rollback requested by user."; LastUpdatedTime of a stack created by a
change set; the reason of an update rolled back because a new resource failed to create.

Expected values come from AWS, not from the implementation: `/work/shared/spec/cloudformation.md`
("§" below; each fact there carries its AWS source), LocalStack's AWS-validated snapshots
(`tests/aws/services/cloudformation/api/test_*.snapshot.json` and
`tests/aws/services/cloudformation/resources/test_iam.py`, "LS"), the botocore model ("[M]")
and the CloudFormation API reference.
"""

import json

import botocore.config
import pytest

from aws_helpers import client_error, unique
from cfn_helpers import (  # noqa: F401 (stacks and taken_table are fixtures)
    ASSUME_BY_LAMBDA,
    body,
    bucket_exists,
    error_of,
    stacks,
    statuses,
    table,
    table_exists,
    taken_table,
)
from conftest import ACCOUNTS
from s3_helpers import s3_client

SOURCE = ACCOUNTS["source"][0]
IAM = ["CAPABILITY_IAM"]
ALLOW_LIST = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}


def reasons(events, logical, status):
    """The reasons of `logical`'s events in `status`, oldest first."""
    return [r for s, r in statuses(events, logical) if s == status]


# --- IAM resources ------------------------------------------------------------------------------


def test_access_key_created_inactive(server, stacks):
    """AWS::IAM::AccessKey with Status Inactive is Inactive from its creation (LS
    resources/test_iam.py::test_iam_user_access_key, snapshot "access_key_updated")."""
    name, _ = stacks.create({"Resources": {
        "User": {"Type": "AWS::IAM::User"},
        "Key": {"Type": "AWS::IAM::AccessKey", "Properties": {"UserName": {"Ref": "User"}, "Status": "Inactive"}},
    }}, Capabilities=IAM)
    assert stacks.describe(name)["StackStatus"] == "CREATE_COMPLETE"
    keys = server.client("iam").list_access_keys(UserName=stacks.physical(name, "User"))["AccessKeyMetadata"]
    assert [(k["AccessKeyId"], k["Status"]) for k in keys] == [(stacks.physical(name, "Key"), "Inactive")]


def test_policy_without_targets_fails_its_rollback_and_is_deleted_with_retain(stacks):
    """AWS::IAM::Policy with no Groups, Roles or Users fails; the rollback's delete of it fails
    too: ROLLBACK_FAILED "The following resource(s) failed to delete: [BrokenPolicy]. "; a
    DeleteStack ends DELETE_FAILED (with DeletionTime), one retaining BrokenPolicy ends
    DELETE_COMPLETE with BrokenPolicy DELETE_SKIPPED (§2.5, LS test_stacks.py::
    test_blocked_stack_deletion snapshot)."""
    name, stack_id = stacks.create({"Resources": {"BrokenPolicy": {"Type": "AWS::IAM::Policy", "Properties": {
        "PolicyName": unique("broken"), "PolicyDocument": ALLOW_LIST}}}}, Capabilities=IAM)
    events = stacks.events(name)
    failed = reasons(events, "BrokenPolicy", "CREATE_FAILED")
    assert len(failed) == 1 and "At least one of [Groups,Roles,Users] must be non-empty." in (failed[0] or ""), (
        statuses(events, "BrokenPolicy"))
    stack = stacks.describe(name)
    assert (stack["StackStatus"], stack.get("StackStatusReason")) == (
        "ROLLBACK_FAILED", "The following resource(s) failed to delete: [BrokenPolicy]. ")

    stacks.cfn.delete_stack(StackName=stack_id)
    stack = stacks.settle(stack_id)
    assert stack["StackStatus"] == "DELETE_FAILED" and "DeletionTime" in stack, stack

    stacks.cfn.delete_stack(StackName=stack_id, RetainResources=["BrokenPolicy"])
    assert stacks.settle(stack_id)["StackStatus"] == "DELETE_COMPLETE"
    newest = [(e["LogicalResourceId"], e["ResourceStatus"]) for e in stacks.events(stack_id)[:3]]
    assert newest == [(name, "DELETE_COMPLETE"), ("BrokenPolicy", "DELETE_SKIPPED"), (name, "DELETE_IN_PROGRESS")]


def test_policy_naming_a_missing_group_fails(stacks):
    """AWS::IAM::Policy whose Groups names a group that does not exist fails with IAM's
    NoSuchEntity text, and the stack rolls back (§2.5, IAM PutGroupPolicy NoSuchEntity)."""
    group = unique("some-missing-group")
    name, _ = stacks.create({"Resources": {
        "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": ASSUME_BY_LAMBDA}},
        "Policy": {"Type": "AWS::IAM::Policy", "Properties": {
            "PolicyName": "p", "PolicyDocument": ALLOW_LIST, "Roles": [{"Ref": "Role"}], "Groups": [group]}},
    }}, Capabilities=IAM)
    events = stacks.events(name)
    failed = reasons(events, "Policy", "CREATE_FAILED")
    assert len(failed) == 1 and f"The group with name {group} cannot be found." in (failed[0] or ""), (
        statuses(events, "Policy"))
    assert stacks.describe(name)["StackStatus"] == "ROLLBACK_COMPLETE"


# --- properties ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "resource_type, properties, reason",
    [
        ("AWS::S3::Bucket", {"Foo": "bar"}, None),
        ("AWS::DynamoDB::Table", table(Foo="bar"), None),
        ("AWS::IAM::Role", {"AssumeRolePolicyDocument": ASSUME_BY_LAMBDA, "Foo": "bar"}, None),
        ("AWS::S3::Bucket", {"WebsiteConfiguration": {"IndexDocument": "index.html"}}, "WebsiteConfiguration"),
    ],
    ids=["bucket-extraneous", "table-extraneous", "role-extraneous", "bucket-website-unsupported"],
)
def test_unknown_or_unsupported_property_fails_the_resource(stacks, resource_type, properties, reason):
    """A property the type's schema does not have fails the resource: "Properties validation
    failed for resource <L> with message: #: extraneous key [Foo] is not permitted" (resource
    schema validation, additionalProperties false), and the stack rolls back. A real property
    strata does not implement (WebsiteConfiguration) is refused the same way, never dropped."""
    reason = reason or "Properties validation failed for resource Thing with message: #: extraneous key [Foo] is not permitted"
    name, _ = stacks.create({"Resources": {"Thing": {"Type": resource_type, "Properties": properties}}},
                            Capabilities=IAM)
    events = stacks.events(name)
    failed = reasons(events, "Thing", "CREATE_FAILED")
    assert len(failed) == 1 and reason in (failed[0] or ""), statuses(events, "Thing")
    assert stacks.describe(name)["StackStatus"] == "ROLLBACK_COMPLETE"


# --- delete -------------------------------------------------------------------------------------


def test_retain_resources_of_a_delete_failed_stack(server, stacks):
    """RetainResources only for a DELETE_FAILED stack (§2.5 [M]; AWS's text, as AWS CLI
    wrappers match it): a non-empty bucket fails the delete ("The following resource(s) failed
    to delete: [B]. "); a logical id the stack lacks is refused; retaining B, the delete
    completes, B DELETE_SKIPPED and kept, the table gone."""
    name, stack_id = stacks.create({"Resources": {
        "B": {"Type": "AWS::S3::Bucket"}, "T": {"Type": "AWS::DynamoDB::Table", "Properties": table()}}})
    assert error_of(lambda: stacks.cfn.delete_stack(StackName=name, RetainResources=["B"])) == (
        "ValidationError",
        f"Invalid operation on stack [{stack_id}]. When you delete a stack, specify which resources to retain "
        "only when the stack is in the DELETE_FAILED state.",
        400,
    )
    assert stacks.describe(name)["StackStatus"] == "CREATE_COMPLETE"

    bucket, table_name = stacks.physical(name, "B"), stacks.physical(name, "T")
    s3 = s3_client(server)
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    try:
        stack = stacks.delete(name)
        assert (stack["StackStatus"], stack.get("StackStatusReason")) == (
            "DELETE_FAILED", "The following resource(s) failed to delete: [B]. ")
        code, message, _ = error_of(lambda: stacks.cfn.delete_stack(StackName=stack_id, RetainResources=["Nope"]))
        assert (code, message) == ("ValidationError", "The specified resources to retain must be in a valid state. "
                                   "Do not specify resources that are in the DELETE_COMPLETE state.")
        stacks.cfn.delete_stack(StackName=stack_id, RetainResources=["B"])
        assert stacks.settle(stack_id)["StackStatus"] == "DELETE_COMPLETE"
        assert statuses(stacks.events(stack_id), "B")[-1][0] == "DELETE_SKIPPED"
        assert bucket_exists(s3, bucket)
        assert not table_exists(server.client("dynamodb"), table_name)
    finally:
        s3.delete_object(Bucket=bucket, Key="k")
        s3.delete_bucket(Bucket=bucket)


def test_force_delete_of_a_delete_failed_stack(server, stacks):
    """DeletionMode FORCE_DELETE_STACK: refused outside DELETE_FAILED with AWS's text (seen in
    awslabs/eks-perf-tests#517); on a DELETE_FAILED stack the resources that failed to delete are
    kept (DELETE_SKIPPED) and the stack is DELETE_COMPLETE (DeleteStack API reference)."""
    name, stack_id = stacks.create({"Resources": {"B": {"Type": "AWS::S3::Bucket"}}})
    assert error_of(lambda: stacks.cfn.delete_stack(StackName=name, DeletionMode="FORCE_DELETE_STACK")) == (
        "ValidationError",
        f"Invalid operation on stack [{stack_id}]. You can activate DeletionMode FORCE_DELETE_STACK in a "
        "delete stack operation only when the stack is in the DELETE_FAILED state.",
        400,
    )
    bucket = stacks.physical(name, "B")
    s3 = s3_client(server)
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    try:
        assert stacks.delete(name)["StackStatus"] == "DELETE_FAILED"
        stacks.cfn.delete_stack(StackName=stack_id, DeletionMode="FORCE_DELETE_STACK")
        assert stacks.settle(stack_id)["StackStatus"] == "DELETE_COMPLETE"
        assert statuses(stacks.events(stack_id), "B")[-1][0] == "DELETE_SKIPPED"
        assert bucket_exists(s3, bucket)
    finally:
        s3.delete_object(Bucket=bucket, Key="k")
        s3.delete_bucket(Bucket=bucket)


def test_unknown_attribute_fails_before_any_resource_is_made(stacks):
    """An `Fn::GetAtt` of an attribute the type lacks fails the create before anything is made:
    only stack events, the reason "[Error] /Outputs/<Key>/Value/Fn::GetAtt: Resource type <Type>
    does not support attribute {<Name>}. Rollback requested by user." (LS
    engine/test_attributes.py::test_invalid_getatt_fails snapshot)."""
    name, stack_id = stacks.create({
        "Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}},
        "Outputs": {"InvalidOutput": {"Value": {"Fn::GetAtt": ["Bucket", "Invalid"]}}},
    })
    assert stacks.describe(stack_id)["StackStatus"] == "ROLLBACK_COMPLETE"
    events = stacks.events(stack_id)
    assert statuses(events, "Bucket") == []
    rolling = [e for e in events if e["LogicalResourceId"] == name and e["ResourceStatus"] == "ROLLBACK_IN_PROGRESS"]
    assert [e["ResourceStatusReason"] for e in rolling] == [
        "[Error] /Outputs/InvalidOutput/Value/Fn::GetAtt: Resource type AWS::S3::Bucket does not support "
        "attribute {Invalid}. Rollback requested by user."
    ]


def test_delete_events_carry_resource_properties(stacks):
    """A resource's DELETE_IN_PROGRESS and DELETE_COMPLETE events carry ResourceProperties, as
    its create events do (LS test_stacks.py::test_stack_deploy_order snapshot)."""
    tags = [{"Key": "team", "Value": "blue"}]
    name, stack_id = stacks.create({"Resources": {"Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"Tags": tags}}}})
    assert stacks.delete(name)["StackStatus"] == "DELETE_COMPLETE"
    deletes = [e for e in stacks.events(stack_id)
               if e["LogicalResourceId"] == "Bucket" and e["ResourceStatus"].startswith("DELETE_")]
    assert sorted(e["ResourceStatus"] for e in deletes) == ["DELETE_COMPLETE", "DELETE_IN_PROGRESS"]
    for e in deletes:
        assert "ResourceProperties" in e, e
        assert json.loads(e["ResourceProperties"])["Tags"] == tags, e


def test_deleted_stack_description(stacks):
    """DescribeStacks of a deleted stack (by StackId) has DeletionTime and no
    EnableTerminationProtection (LS test_stack_lifecycle "deleted", test_name_conflicts
    "stack_id_desc")."""
    name, stack_id = stacks.create({"Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}}})
    stack = stacks.delete(name)
    assert stack["StackStatus"] == "DELETE_COMPLETE"
    assert "DeletionTime" in stack and "EnableTerminationProtection" not in stack, stack


# --- descriptions and errors --------------------------------------------------------------------


def test_stack_resource_detail_carries_resolved_metadata(stacks):
    """StackResourceDetail.Metadata is the resource's template Metadata, resolved, even from a
    NoEcho parameter (LS test_stacks.py::test_no_echo_parameter snapshot
    describe_stack_resource_details_LocalBucket)."""
    name, _ = stacks.create({
        "Parameters": {"SecretParameter": {"Type": "String", "NoEcho": True}},
        "Resources": {"LocalBucket": {"Type": "AWS::S3::Bucket",
                                      "Metadata": {"SensitiveData": {"Ref": "SecretParameter"}}}},
    }, Parameters=[{"ParameterKey": "SecretParameter", "ParameterValue": "SecretValue"}])
    detail = stacks.cfn.describe_stack_resource(StackName=name, LogicalResourceId="LocalBucket")["StackResourceDetail"]
    assert "Metadata" in detail, detail
    assert json.loads(detail["Metadata"]) == {"SensitiveData": "SecretValue"}


def test_describe_stack_resource_of_a_missing_stack(stacks):
    """LS test_resources.snapshot.json test_describe_non_existent_stack."""
    assert error_of(lambda: stacks.cfn.describe_stack_resource(StackName="not-a-valid-stack", LogicalResourceId="x")) == (
        "ValidationError", "Stack 'not-a-valid-stack' does not exist", 400)


def test_get_template_of_change_sets(stacks):
    """GetTemplate with ChangeSetName: a change set ARN that does not exist is 404
    ChangeSetNotFound "ChangeSet [<arn>] does not exist" (LS test_templates.snapshot.json
    test_get_template_missing_resources_change_set_id); an existing UPDATE change set gives
    its own template (API reference GetTemplate, ChangeSetName)."""
    arn = f"arn:aws:cloudformation:us-east-1:{SOURCE}:changeSet/nope/00000000-0000-4000-8000-000000000000"
    assert error_of(lambda: stacks.cfn.get_template(ChangeSetName=arn)) == (
        "ChangeSetNotFound", f"ChangeSet [{arn}] does not exist", 404)

    first = {"Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}}}
    changed = {"Resources": {**first["Resources"], "Table": {"Type": "AWS::DynamoDB::Table", "Properties": table()}}}
    name, _ = stacks.create(first)
    stacks.cfn.create_change_set(StackName=name, ChangeSetName="cs", TemplateBody=body(changed))
    assert stacks.cfn.get_template(StackName=name, ChangeSetName="cs")["TemplateBody"] == changed
    assert stacks.cfn.get_template(StackName=name)["TemplateBody"] == first


def test_resources_member_not_an_object(stacks):
    """LS test_stacks.py::test_linting_error_during_creation snapshot."""
    assert error_of(lambda: stacks.cfn.create_stack(StackName=unique("lint"), TemplateBody='{"Resources": ""}')) == (
        "ValidationError", "Template format error: Any Resources member must be an object.", 400)


def test_describe_stack_events_without_stack_name(server):
    """StackName is required [M]; without it: "1 validation error detected: Value null at
    'stackName' failed to satisfy constraint: Member must not be null" (LS test_stacks.py::
    test_describe_stack_events_errors snapshot)."""
    cfn = server.client("cloudformation", config=botocore.config.Config(
        parameter_validation=False, retries={"max_attempts": 1}))
    assert error_of(lambda: cfn.describe_stack_events()) == (
        "ValidationError",
        "1 validation error detected: Value null at 'stackName' failed to satisfy constraint: Member must not be null",
        400,
    )


# --- reasons and times --------------------------------------------------------------------------


def test_export_already_exported_reason(stacks):
    """A second stack exporting a taken export name rolls back; its reason ends ". Rollback
    requested by user." (§2.5: execution-time errors then " Rollback requested by user.")."""
    export = unique("exp")
    outputs = {"Outputs": {"Name": {"Value": {"Ref": "Bucket"}, "Export": {"Name": export}}}}
    template = {"Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}}, **outputs}
    exporter, _ = stacks.create(template)
    name, _ = stacks.create(template)
    assert stacks.describe(name)["StackStatus"] == "ROLLBACK_COMPLETE"
    rollback = reasons(stacks.events(name), name, "ROLLBACK_IN_PROGRESS")
    assert len(rollback) == 1, rollback
    assert rollback[0].endswith(". Rollback requested by user."), rollback
    assert f"Export with name {export} is already exported by stack {exporter}" in rollback[0], rollback


def test_stack_created_by_a_change_set_has_last_updated_time(stacks):
    """A stack created through CreateChangeSet(CREATE) + ExecuteChangeSet has LastUpdatedTime
    once CREATE_COMPLETE (LS test_stacks.snapshot.json test_stack_lifecycle "creation")."""
    name = unique("cs-made")
    stacks.track(name)
    cs = stacks.cfn.create_change_set(StackName=name, ChangeSetName="create", ChangeSetType="CREATE",
                                      TemplateBody=body({"Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}}}))
    stacks.cfn.execute_change_set(ChangeSetName=cs["Id"])
    stack = stacks.settle(name)
    assert stack["StackStatus"] == "CREATE_COMPLETE"
    assert "LastUpdatedTime" in stack, stack


def test_update_adding_a_failing_resource_names_it_failed_to_create(stacks, taken_table):
    """An update whose new resource fails: UPDATE_ROLLBACK_IN_PROGRESS "The following
    resource(s) failed to create: [Bad]. " (§2.5: failed to create for a resource the update
    adds)."""
    first = {"Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}}}
    name, _ = stacks.create(first)
    bad = {"Type": "AWS::DynamoDB::Table", "Properties": table(TableName=taken_table)}
    stack = stacks.update(name, {"Resources": {**first["Resources"], "Bad": bad}})
    assert stack["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE"
    assert reasons(stacks.events(name), name, "UPDATE_ROLLBACK_IN_PROGRESS") == [
        "The following resource(s) failed to create: [Bad]. "]


def test_resources_an_update_rollback_set_back_show_update_complete(stacks, taken_table):
    """After UPDATE_ROLLBACK_COMPLETE, a resource the rollback updated back shows its last
    operation, UPDATE_COMPLETE (as its rollback event says), not its original CREATE_COMPLETE
    (DescribeStackResources reports each resource's current status)."""
    tagged = {"Type": "AWS::S3::Bucket", "Properties": {"Tags": [{"Key": "v", "Value": "1"}]}}
    name, _ = stacks.create({"Resources": {"Bucket": tagged}})
    retagged = {"Type": "AWS::S3::Bucket", "Properties": {"Tags": [{"Key": "v", "Value": "2"}]}}
    bad = {"Type": "AWS::DynamoDB::Table", "DependsOn": "Bucket", "Properties": table(TableName=taken_table)}
    assert stacks.update(name, {"Resources": {"Bucket": retagged, "Bad": bad}})["StackStatus"] == (
        "UPDATE_ROLLBACK_COMPLETE")
    assert statuses(stacks.events(name), "Bucket")[-1][0] == "UPDATE_COMPLETE"
    (bucket,) = stacks.cfn.describe_stack_resources(StackName=name)["StackResources"]
    assert (bucket["LogicalResourceId"], bucket["ResourceStatus"]) == ("Bucket", "UPDATE_COMPLETE")


def test_resource_types_parameter_limits_the_template(stacks):
    """ResourceTypes: a template holding another type is refused with "Resource type <T> is not
    allowed by parameter ResourceTypes [<list>]", on UpdateStack before "No updates are to be
    performed." (LocalStack's AWS-recorded test_update_with_resource_types); a matching prefix
    admits it."""
    template = {"Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}}}
    cfn = stacks.cfn
    assert error_of(lambda: cfn.create_stack(
        StackName=unique("stk"), TemplateBody=body(template), ResourceTypes=["AWS::EC2::*"])) == (
        "ValidationError", "Resource type AWS::S3::Bucket is not allowed by parameter ResourceTypes [AWS::EC2::*]", 400)
    name, _ = stacks.create(template, ResourceTypes=["AWS::S3::*"])
    assert stacks.describe(name)["StackStatus"] == "CREATE_COMPLETE"
    assert error_of(lambda: cfn.update_stack(StackName=name, TemplateBody=body(template), ResourceTypes=["AWS::EC2:*"])) == (
        "ValidationError", "Resource type AWS::S3::Bucket is not allowed by parameter ResourceTypes [AWS::EC2:*]", 400)


def test_get_template_stage(stacks):
    """GetTemplate's TemplateStage: Original and Processed give the template (strata has no
    transforms to process); another value is refused with the enum message."""
    template = {"Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}}}
    name, _ = stacks.create(template)
    for stage in ("Original", "Processed"):
        # boto3 parses a JSON TemplateBody.
        assert stacks.cfn.get_template(StackName=name, TemplateStage=stage)["TemplateBody"] == template
    code, message, status = error_of(lambda: stacks.cfn.get_template(StackName=name, TemplateStage="Bogus"))
    assert (code, status) == ("ValidationError", 400)
    assert message == ("1 validation error detected: Value 'Bogus' at 'templateStage' failed to satisfy constraint: "
                       "Member must satisfy enum value set: [Original, Processed]")


def test_change_set_details_name_what_caused_each_change(stacks):
    """A change set's Details say why each resource changes (API reference,
    ResourceChangeDetail; LocalStack's AWS-recorded TestChangeSetDiff snapshots): a property
    moved only by a parameter's new value gives a Static ParameterReference detail naming the
    parameter and a Dynamic DirectModification one (test_dynamic_change); a resource reading an
    attribute of a modified resource is listed with a Dynamic ResourceAttribute detail naming
    `Resource.Attribute` (test_static_change); one referring to a replaced resource, with a
    Dynamic ResourceReference detail naming it."""
    cfn = stacks.cfn

    def template(key):
        return {
            "Parameters": {"Value": {"Type": "String"}},
            "Resources": {
                "First": {"Type": "AWS::S3::Bucket", "Properties": {"Tags": [{"Key": "v", "Value": {"Ref": "Value"}}]}},
                "Second": {"Type": "AWS::S3::Bucket", "Properties": {
                    "Tags": [{"Key": "arn", "Value": {"Fn::GetAtt": ["First", "Arn"]}}]}},
                "Table": {"Type": "AWS::DynamoDB::Table", "Properties": {
                    "AttributeDefinitions": [{"AttributeName": key, "AttributeType": "S"}],
                    "KeySchema": [{"AttributeName": key, "KeyType": "HASH"}],
                    "BillingMode": "PAY_PER_REQUEST"}},
                "Third": {"Type": "AWS::S3::Bucket", "Properties": {"Tags": [{"Key": "t", "Value": {"Ref": "Table"}}]}},
            },
        }

    def changes(change_set):
        described = cfn.describe_change_set(ChangeSetName=change_set)
        return {c["ResourceChange"]["LogicalResourceId"]: c["ResourceChange"] for c in described["Changes"]}

    def tags_target(recreation="Never"):
        return {"Attribute": "Properties", "Name": "Tags", "RequiresRecreation": recreation}

    name, _ = stacks.create(template("pk"), Parameters=[{"ParameterKey": "Value", "ParameterValue": "a"}])
    by_parameter = cfn.create_change_set(StackName=name, ChangeSetName="by-parameter", TemplateBody=body(template("pk")),
                                         Parameters=[{"ParameterKey": "Value", "ParameterValue": "b"}])["Id"]
    found = changes(by_parameter)
    assert set(found) == {"First", "Second"}, found
    assert (found["First"]["Action"], found["First"]["Replacement"], found["First"]["Scope"]) == (
        "Modify", "False", ["Properties"])
    assert found["First"]["Details"] == [
        {"Target": tags_target(), "Evaluation": "Static", "ChangeSource": "ParameterReference", "CausingEntity": "Value"},
        {"Target": tags_target(), "Evaluation": "Dynamic", "ChangeSource": "DirectModification"},
    ]
    assert (found["Second"]["Action"], found["Second"]["Replacement"]) == ("Modify", "False")
    assert found["Second"]["Details"] == [
        {"Target": tags_target(), "Evaluation": "Dynamic", "ChangeSource": "ResourceAttribute", "CausingEntity": "First.Arn"},
    ]

    rekeyed = cfn.create_change_set(StackName=name, ChangeSetName="rekeyed", TemplateBody=body(template("id")),
                                    Parameters=[{"ParameterKey": "Value", "UsePreviousValue": True}])["Id"]
    found = changes(rekeyed)
    assert set(found) == {"Table", "Third"}, found
    assert (found["Table"]["Replacement"], found["Third"]["Replacement"]) == ("True", "False")
    assert found["Third"]["Details"] == [
        {"Target": tags_target(), "Evaluation": "Dynamic", "ChangeSource": "ResourceReference", "CausingEntity": "Table"},
    ]


# --- updates, change sets and settings that do nothing ------------------------------------------


def policy_stack(**policy):
    """A role and an AWS::IAM::Policy named `p` attached to it, plus `policy` properties."""
    return {"Resources": {
        "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": ASSUME_BY_LAMBDA}},
        "Policy": {"Type": "AWS::IAM::Policy", "Properties": {
            "PolicyName": "p", "PolicyDocument": ALLOW_LIST, "Roles": [{"Ref": "Role"}], **policy}},
    }}


@pytest.mark.parametrize(
    "change, reason",
    [({"Roles": []}, "At least one of [Groups,Roles,Users] must be non-empty."),
     ({"Groups": ["missing-group"]}, "The group with name missing-group cannot be found.")],
    ids=["no-targets", "missing-group"],
)
def test_failed_policy_update_rolls_back_keeping_the_policy(server, stacks, change, reason):
    """An update of an AWS::IAM::Policy that IAM refuses (no Groups/Roles/Users, §2.5; a group
    that does not exist, IAM PutGroupPolicy NoSuchEntity) fails the update before the old policy
    is touched: UPDATE_ROLLBACK_COMPLETE and the role keeps its inline policy."""
    name, _ = stacks.create(policy_stack(), Capabilities=IAM)
    stack = stacks.update(name, policy_stack(**change), Capabilities=IAM)
    events = stacks.events(name)
    failed = reasons(events, "Policy", "UPDATE_FAILED")
    assert len(failed) == 1 and reason in (failed[0] or ""), statuses(events, "Policy")
    assert stack["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE", stack
    role = stacks.physical(name, "Role")
    assert server.client("iam").list_role_policies(RoleName=role)["PolicyNames"] == ["p"]


def test_change_set_name_reused_after_execution(stacks):
    """An executed change set's name may be used again (AWS accepts it: elias5000/clouds-aws#9);
    the executed one stays EXECUTE_COMPLETE by its ARN, the name now means the new one, and
    ListChangeSets lists only the active one (API reference ListChangeSets)."""
    cfn = stacks.cfn
    bucket = {"Bucket": {"Type": "AWS::S3::Bucket"}}
    name, _ = stacks.create({"Resources": bucket})
    with_table = {"Resources": {**bucket, "Table": {"Type": "AWS::DynamoDB::Table", "Properties": table()}}}
    first = cfn.create_change_set(StackName=name, ChangeSetName="cs", TemplateBody=body(with_table))["Id"]
    cfn.execute_change_set(ChangeSetName=first)
    assert stacks.settle(name)["StackStatus"] == "UPDATE_COMPLETE"
    second = cfn.create_change_set(StackName=name, ChangeSetName="cs", TemplateBody=body({"Resources": bucket}))["Id"]
    assert second != first
    assert cfn.describe_change_set(ChangeSetName=first)["ExecutionStatus"] == "EXECUTE_COMPLETE"
    by_name = cfn.describe_change_set(ChangeSetName="cs", StackName=name)
    assert (by_name["ChangeSetId"], by_name["ExecutionStatus"]) == (second, "AVAILABLE")
    assert [s["ChangeSetId"] for s in cfn.list_change_sets(StackName=name)["Summaries"]] == [second]


def test_unresolvable_property_reason_ends_rollback_requested(stacks):
    """A property that cannot be resolved at create time (Fn::Select index out of range) rolls
    the stack back; the reason ends ". Rollback requested by user." with one space and no " ."
    (§2.5: the error, then " Rollback requested by user."; LS test_invalid_getatt_fails)."""
    tags = [{"Key": "k", "Value": {"Fn::Select": ["5", ["a"]]}}]
    name, _ = stacks.create({"Resources": {"Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"Tags": tags}}}})
    assert stacks.describe(name)["StackStatus"] == "ROLLBACK_COMPLETE"
    rollback = reasons(stacks.events(name), name, "ROLLBACK_IN_PROGRESS")
    assert len(rollback) == 1, rollback
    assert rollback[0].endswith(". Rollback requested by user.") and " . " not in rollback[0], rollback


def test_delete_stack_with_unknown_deletion_mode(stacks):
    """DeletionMode is an enum [M] checked before the stack is looked up: "BOGUS" on a stack
    that does not exist is a ValidationError naming 'deletionMode'."""
    code, message, status = error_of(lambda: stacks.cfn.delete_stack(StackName=unique("absent"), DeletionMode="BOGUS"))
    assert (code, status) == ("ValidationError", 400) and "deletionMode" in message, message


@pytest.mark.parametrize(
    "resource_type, properties",
    [("AWS::DynamoDB::Table", table(ContributorInsightsSpecification={"Enabled": False})),
     ("AWS::S3::Bucket", {"AccelerateConfiguration": {"AccelerationStatus": "Suspended"}}),
     ("AWS::S3::Bucket", {"ObjectLockEnabled": False})],
    ids=["table-contributor-insights-off", "bucket-acceleration-suspended", "bucket-object-lock-off"],
)
def test_settings_that_do_nothing_deploy(stacks, resource_type, properties):
    """A setting at its off value is not refused (CDK emits ContributorInsightsSpecification
    {Enabled: false} for contributorInsightsEnabled: false)."""
    name, _ = stacks.create({"Resources": {"Thing": {"Type": resource_type, "Properties": properties}}})
    assert stacks.describe(name)["StackStatus"] == "CREATE_COMPLETE", statuses(stacks.events(name), "Thing")


GSI_ATTRIBUTES = [{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "gk", "AttributeType": "S"}]


@pytest.mark.parametrize(
    "resource_type, properties, reason",
    [("AWS::DynamoDB::Table", table(ContributorInsightsSpecification={"Enabled": True}),
      "ContributorInsightsSpecification is not supported by strata's DynamoDB"),
     ("AWS::DynamoDB::Table", table(AttributeDefinitions=GSI_ATTRIBUTES, GlobalSecondaryIndexes=[{
         "IndexName": "g", "KeySchema": [{"AttributeName": "gk", "KeyType": "HASH"}],
         "Projection": {"ProjectionType": "ALL"}, "ContributorInsightsSpecification": {"Enabled": True}}]),
      "ContributorInsightsSpecification is not supported by strata's DynamoDB"),
     ("AWS::S3::Bucket", {"ObjectLockEnabled": True}, "ObjectLockEnabled is not supported by strata's S3")],
    ids=["table-contributor-insights-on", "gsi-contributor-insights-on", "bucket-object-lock-on"],
)
def test_settings_strata_lacks_fail_the_resource(stacks, resource_type, properties, reason):
    """A setting strata does not implement, turned on, fails the resource rather than being
    dropped, and the stack rolls back."""
    name, _ = stacks.create({"Resources": {"Thing": {"Type": resource_type, "Properties": properties}}})
    events = stacks.events(name)
    failed = reasons(events, "Thing", "CREATE_FAILED")
    assert len(failed) == 1 and reason in (failed[0] or ""), statuses(events, "Thing")
    assert stacks.describe(name)["StackStatus"] == "ROLLBACK_COMPLETE"


def test_force_delete_keeps_retained_resources_too(server, stacks):
    """FORCE_DELETE_STACK with RetainResources on a DELETE_FAILED stack (DeleteStack API
    reference): the resource that failed (B) and the one retained (C, emptied since, so it could
    now be deleted) are both DELETE_SKIPPED and kept; the stack is DELETE_COMPLETE."""
    name, stack_id = stacks.create({"Resources": {"B": {"Type": "AWS::S3::Bucket"}, "C": {"Type": "AWS::S3::Bucket"}}})
    buckets = [stacks.physical(name, "B"), stacks.physical(name, "C")]
    s3 = s3_client(server)
    for bucket in buckets:
        s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    try:
        assert stacks.delete(name)["StackStatus"] == "DELETE_FAILED"
        s3.delete_object(Bucket=buckets[1], Key="k")
        stacks.cfn.delete_stack(StackName=stack_id, DeletionMode="FORCE_DELETE_STACK", RetainResources=["C"])
        assert stacks.settle(stack_id)["StackStatus"] == "DELETE_COMPLETE"
        events = stacks.events(stack_id)
        assert [statuses(events, logical)[-1][0] for logical in ("B", "C")] == ["DELETE_SKIPPED", "DELETE_SKIPPED"]
        assert [bucket_exists(s3, bucket) for bucket in buckets] == [True, True]
    finally:
        for bucket in buckets:
            if bucket_exists(s3, bucket):
                s3.delete_object(Bucket=bucket, Key="k")
                s3.delete_bucket(Bucket=bucket)


def test_get_template_of_a_change_set_name_without_stack_name(stacks):
    """LS test_templates.snapshot.json test_get_template_missing_resources_change_set: a change
    set name (not an ARN) without StackName."""
    assert error_of(lambda: stacks.cfn.get_template(ChangeSetName="name-not-arn")) == (
        "ValidationError", "StackName is a required parameter.", 400)


def test_change_set_tags_and_resource_detail_without_metadata(stacks):
    """DescribeChangeSet shows the Tags the change set was created with (API reference
    DescribeChangeSet, Tags); StackResourceDetail has no Metadata for a resource without
    template Metadata (LS test_stacks.py::test_no_echo_parameter, a member left out)."""
    template = {"Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}}}
    name, _ = stacks.create(template)
    tags = [{"Key": "team", "Value": "blue"}]
    changed = {"Resources": {**template["Resources"], "Other": {"Type": "AWS::S3::Bucket"}}}
    cs = stacks.cfn.create_change_set(StackName=name, ChangeSetName="tagged", Tags=tags, TemplateBody=body(changed))
    assert stacks.cfn.describe_change_set(ChangeSetName=cs["Id"]).get("Tags") == tags
    detail = stacks.cfn.describe_stack_resource(StackName=name, LogicalResourceId="Bucket")["StackResourceDetail"]
    assert "Metadata" not in detail, detail


def test_access_key_activated_in_place(server, stacks):
    """AWS::IAM::AccessKey updated from Inactive to Active keeps its AccessKeyId (Status is an
    update without interruption) and is Active (LS resources/test_iam.py::
    test_iam_user_access_key, snapshot "access_key_updated")."""
    def template(status):
        return {"Resources": {
            "User": {"Type": "AWS::IAM::User"},
            "Key": {"Type": "AWS::IAM::AccessKey", "Properties": {"UserName": {"Ref": "User"}, "Status": status}},
        }}
    name, _ = stacks.create(template("Inactive"), Capabilities=IAM)
    key_id = stacks.physical(name, "Key")
    assert stacks.update(name, template("Active"), Capabilities=IAM)["StackStatus"] == "UPDATE_COMPLETE"
    keys = server.client("iam").list_access_keys(UserName=stacks.physical(name, "User"))["AccessKeyMetadata"]
    assert [(k["AccessKeyId"], k["Status"]) for k in keys] == [(key_id, "Active")]


def test_stack_tags_reach_resources_and_buckets_get_system_tags(server, stacks):
    """Stack Tags propagate to the types whose schema is taggable (bucket, table, role, KMS
    key), a key the resource sets keeping its own value (UNCONFIRMED: which value wins on a
    shared key); a bucket also gets CloudFormation's
    `aws:cloudformation:stack-name|stack-id|logical-id` (schema `cloudFormationSystemTags`, the
    only one of these types); a Tags-only UpdateStack re-tags them in place (cfn-lint's copies of
    the registry schemas; cloudformation-coverage-roadmap#1360, #1782)."""
    trust = {"AssumeRolePolicyDocument": ASSUME_BY_LAMBDA}
    template = {"Resources": {
        "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"Tags": [{"Key": "own", "Value": "1"}]}},
        "Table": {"Type": "AWS::DynamoDB::Table", "Properties": table(Tags=[{"Key": "team", "Value": "own"}])},
        "Role": {"Type": "AWS::IAM::Role", "Properties": trust},
        "Key": {"Type": "AWS::KMS::Key"},
    }}
    name, stack_id = stacks.create(template, Capabilities=["CAPABILITY_IAM"], Tags=[{"Key": "team", "Value": "blue"}])
    assert stacks.describe(name)["StackStatus"] == "CREATE_COMPLETE"
    s3, ddb, iam, kms = (server.client(s) for s in ("s3", "dynamodb", "iam", "kms"))
    bucket, table_name, role, key = (stacks.physical(name, r) for r in ("Bucket", "Table", "Role", "Key"))

    def bucket_tags():
        return {t["Key"]: t["Value"] for t in s3.get_bucket_tagging(Bucket=bucket)["TagSet"]}

    system = {"aws:cloudformation:stack-name": name, "aws:cloudformation:stack-id": stack_id,
              "aws:cloudformation:logical-id": "Bucket"}
    assert bucket_tags() == {"own": "1", "team": "blue", **system}
    arn = ddb.describe_table(TableName=table_name)["Table"]["TableArn"]
    assert {t["Key"]: t["Value"] for t in ddb.list_tags_of_resource(ResourceArn=arn)["Tags"]} == {"team": "own"}
    assert {t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName=role)["Tags"]} == {"team": "blue"}
    assert {t["TagKey"]: t["TagValue"] for t in kms.list_resource_tags(KeyId=key)["Tags"]} == {"team": "blue"}

    # A change set of new stack tags lists the taggable resources with Scope Tags
    # (cloudtools/stacker#605; the Details' shape is UNCONFIRMED).
    cs = stacks.cfn.create_change_set(StackName=name, ChangeSetName="retag", UsePreviousTemplate=True,
                                      Capabilities=["CAPABILITY_IAM"], Tags=[{"Key": "team", "Value": "green"}])["Id"]
    found = {c["ResourceChange"]["LogicalResourceId"]: c["ResourceChange"]
             for c in stacks.cfn.describe_change_set(ChangeSetName=cs)["Changes"]}
    assert set(found) == {"Bucket", "Role", "Key"}, found  # the table's own team tag wins
    assert (found["Bucket"]["Scope"], found["Bucket"]["Replacement"]) == (["Tags"], "False")
    assert found["Bucket"]["Details"] == [{"Target": {"Attribute": "Tags", "RequiresRecreation": "Never"},
                                           "Evaluation": "Static", "ChangeSource": "DirectModification"}]
    stacks.cfn.delete_change_set(ChangeSetName=cs)
    stack = stacks.update(name, UsePreviousTemplate=True, Capabilities=["CAPABILITY_IAM"],
                          Tags=[{"Key": "team", "Value": "green"}])
    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    assert bucket_tags() == {"own": "1", "team": "green", **system}
    assert {t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName=role)["Tags"]} == {"team": "green"}
    assert statuses(stacks.events(name), "Bucket")[-1][0] == "UPDATE_COMPLETE"


def test_bucket_system_tags_stay_through_put_bucket_tagging(server, stacks):
    """A PutBucketTagging on a bucket CloudFormation made must send its `aws:` tags back
    unchanged (InvalidTag "System Tags cannot be removed by requester") and cannot add one
    ("Your TagKey cannot be prefixed with aws:"); terraform-provider-aws#7323,
    cloud-custodian#2834/#2861."""
    name, _ = stacks.create({"Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}}})
    bucket = stacks.physical(name, "Bucket")
    s3 = server.client("s3")
    system = s3.get_bucket_tagging(Bucket=bucket)["TagSet"]
    assert sorted(t["Key"] for t in system) == [
        "aws:cloudformation:logical-id", "aws:cloudformation:stack-id", "aws:cloudformation:stack-name"]
    for tag_set, message in (
        ([{"Key": "team", "Value": "a"}], "System Tags cannot be removed by requester"),
        (system + [{"Key": "aws:mine", "Value": "x"}], "Your TagKey cannot be prefixed with aws:"),
    ):
        error = client_error(lambda: s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": tag_set}))["Error"]
        assert (error["Code"], error["Message"]) == ("InvalidTag", message)
    s3.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": system + [{"Key": "team", "Value": "a"}]})
    assert {t["Key"] for t in s3.get_bucket_tagging(Bucket=bucket)["TagSet"]} == {t["Key"] for t in system} | {"team"}


def test_change_set_without_tags_keeps_the_stack_tags(stacks):
    """A change set whose request gives no Tags leaves the stack's tags alone: with the same
    template it has no changes (aws/aws-sdk-cpp#1616), and executing another one keeps them."""
    template = {"Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}}}
    name, _ = stacks.create(template, Tags=[{"Key": "team", "Value": "blue"}])
    cfn = stacks.cfn
    same = cfn.create_change_set(StackName=name, ChangeSetName="same", TemplateBody=body(template))["Id"]
    assert cfn.describe_change_set(ChangeSetName=same)["Status"] == "FAILED"
    grown = {"Resources": {**template["Resources"], "Other": {"Type": "AWS::S3::Bucket"}}}
    cs = cfn.create_change_set(StackName=name, ChangeSetName="grown", TemplateBody=body(grown))["Id"]
    assert set(c["ResourceChange"]["LogicalResourceId"] for c in cfn.describe_change_set(ChangeSetName=cs)["Changes"]) == {
        "Other"}
    cfn.execute_change_set(ChangeSetName=cs)
    assert stacks.settle(name)["Tags"] == [{"Key": "team", "Value": "blue"}]


def test_aws_prefixed_stack_tags_are_refused(stacks):
    """Stack tags under `aws:` are AWS's own: CreateStack, UpdateStack and CreateChangeSet
    refuse them with "aws: prefixed tag key names are not allowed for external use."
    (aws-quickstart/quickstart-amazon-eks#42)."""
    template = {"Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}}}
    refused = ("ValidationError", "aws: prefixed tag key names are not allowed for external use.", 400)
    assert error_of(lambda: stacks.cfn.create_stack(
        StackName=unique("stk"), TemplateBody=body(template), Tags=[{"Key": "aws:foo", "Value": "1"}])) == refused
    name, _ = stacks.create(template)
    assert error_of(lambda: stacks.cfn.update_stack(
        StackName=name, UsePreviousTemplate=True, Tags=[{"Key": "AWS:foo", "Value": "1"}])) == refused
    assert error_of(lambda: stacks.cfn.create_change_set(
        StackName=name, ChangeSetName="cs", UsePreviousTemplate=True, Tags=[{"Key": "aws:foo", "Value": "1"}])) == refused


def test_a_policy_only_change_lists_no_readers(stacks):
    """A change of a resource's DeletionPolicy alone leaves its attributes as they are: the
    resources reading them are not listed (ResourceChangeDetail: Dynamic only for what may
    change)."""
    def template(policy):
        return {"Resources": {
            "A": {"Type": "AWS::S3::Bucket", "DeletionPolicy": policy},
            "B": {"Type": "AWS::S3::Bucket", "Properties": {"Tags": [{"Key": "a", "Value": {"Fn::GetAtt": ["A", "Arn"]}}]}},
        }}
    name, _ = stacks.create(template("Delete"))
    cs = stacks.cfn.create_change_set(StackName=name, ChangeSetName="cs", TemplateBody=body(template("Retain")))["Id"]
    changes = stacks.cfn.describe_change_set(ChangeSetName=cs)["Changes"]
    assert [c["ResourceChange"]["LogicalResourceId"] for c in changes] == ["A"]
    assert changes[0]["ResourceChange"]["Scope"] == ["DeletionPolicy"]


def test_an_unknown_attribute_in_sub_fails_before_any_resource_is_made(stacks):
    """`${Resource.Attribute}` in Fn::Sub reads an attribute as Fn::GetAtt does: one the type
    lacks fails the create before anything is made (as test_invalid_getatt_fails records it for
    Fn::GetAtt)."""
    name, stack_id = stacks.create({
        "Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}},
        "Outputs": {"Out": {"Value": {"Fn::Sub": "x-${Bucket.Nope}"}}},
    })
    assert stacks.describe(stack_id)["StackStatus"] == "ROLLBACK_COMPLETE"
    events = stacks.events(stack_id)
    assert statuses(events, "Bucket") == []
    assert reasons(events, name, "ROLLBACK_IN_PROGRESS") == [
        "[Error] /Outputs/Out/Value/Fn::Sub: Resource type AWS::S3::Bucket does not support attribute {Nope}. "
        "Rollback requested by user."]


def test_client_request_token_marks_an_operations_events(stacks):
    """Every event of an operation carries the ClientRequestToken of the call that started it
    (DescribeStackEvents / StackEvent API reference: "All events triggered by a given stack
    operation are assigned the same client request token"); a CreateStack retried with its
    token is that call again, not a new stack (CreateStack API reference)."""
    cfn = stacks.cfn
    name = unique("stk")
    template = {"Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}}}
    stack_id = cfn.create_stack(StackName=name, TemplateBody=body(template), ClientRequestToken="create-1")["StackId"]
    stacks.track(stack_id)
    stacks.settle(stack_id)
    assert cfn.create_stack(StackName=name, TemplateBody=body(template), ClientRequestToken="create-1")["StackId"] == stack_id
    assert error_of(lambda: cfn.create_stack(
        StackName=name, TemplateBody=body(template), ClientRequestToken="create-2"))[0] == "AlreadyExistsException"
    grown = {"Resources": {**template["Resources"], "Other": {"Type": "AWS::S3::Bucket"}}}
    cfn.update_stack(StackName=name, TemplateBody=body(grown), ClientRequestToken="update-1")
    stacks.settle(stack_id)
    cfn.delete_stack(StackName=name, ClientRequestToken="delete-1")
    stacks.settle(stack_id)
    tokens = {}
    for event in stacks.events(stack_id):
        tokens.setdefault(event.get("ClientRequestToken"), set()).add((event["LogicalResourceId"], event["ResourceStatus"]))
    assert set(tokens) == {"create-1", "update-1", "delete-1"}, tokens
    assert (name, "CREATE_COMPLETE") in tokens["create-1"] and ("Bucket", "CREATE_COMPLETE") in tokens["create-1"]
    assert (name, "UPDATE_COMPLETE") in tokens["update-1"] and ("Other", "CREATE_COMPLETE") in tokens["update-1"]
    assert (name, "DELETE_COMPLETE") in tokens["delete-1"] and ("Bucket", "DELETE_COMPLETE") in tokens["delete-1"]
