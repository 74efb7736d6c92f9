"""CloudFormation resource types and options beyond the basics: AWS::IAM::ManagedPolicy
(versions, attachments, replacement, capabilities) with IAM's ListPolicyVersions,
AWS::S3::Bucket LifecycleConfiguration and CorsConfiguration, AWS::DynamoDB::Table
ImportSourceSpecification, CreateStack OnFailure=DELETE, UpdateStack Tags and RoleARN, computed
Fn::ImportValue names, AWS::IAM::Role and AWS::IAM::User Tags and the IAM properties strata's
IAM refuses, AWS::KMS::Key Tags and EnableKeyRotation, and calls made beside a running stack
operation.

Expected values come from AWS, not from the implementation: `/work/shared/spec/cloudformation.md`
("§" below), the resource types' documentation and registry schemas (the schema of
AWS::S3::Bucket as LocalStack and cfn-lint carry it), IAM's and S3's own API texts and the
botocore model ("[M]"). Where a text is UNCONFIRMED only what is certain is checked.
"""

import json
import re
import urllib.error
import urllib.request

import botocore.exceptions
import pytest

from aws_helpers import new_user, unique
from cfn_helpers import (  # noqa: F401 (stacks and taken_table are fixtures)
    ASSUME_BY_LAMBDA,
    REPLACING,
    failing_template,
    physical_from_events,
    taken_table,
    body,
    bucket_exists,
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


# --- helpers --------------------------------------------------------------------------------



def failure_reason(events, logical):
    """The reason of `logical`'s one CREATE_FAILED event."""
    failed = [r for s, r in statuses(events, logical) if s == "CREATE_FAILED"]
    assert len(failed) == 1, statuses(events, logical)
    return failed[0]


def doc(*actions):
    """A policy document (as a template object) allowing `actions` on everything."""
    return {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": "*"}]}


def as_object(document):
    """A policy document as boto3 returns it (decoded already, or URL-decoded JSON text)."""
    return json.loads(document) if isinstance(document, str) else document


# --- AWS::IAM::ManagedPolicy -----------------------------------------------------------------


def managed_policy_template(document, description="first", roles=True, users=False):
    policy = {"Description": description, "PolicyDocument": document}
    if roles:
        policy["Roles"] = [{"Ref": "Role"}]
    if users:
        policy["Users"] = [{"Ref": "User"}]
    return {
        "Resources": {
            "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": ASSUME_BY_LAMBDA}},
            "User": {"Type": "AWS::IAM::User"},
            "Policy": {"Type": "AWS::IAM::ManagedPolicy", "Properties": policy},
        },
        "Outputs": {
            "Ref": {"Value": {"Ref": "Policy"}},
            "Arn": {"Value": {"Fn::GetAtt": ["Policy", "PolicyArn"]}},
            "Id": {"Value": {"Fn::GetAtt": ["Policy", "PolicyId"]}},
            "Default": {"Value": {"Fn::GetAtt": ["Policy", "DefaultVersionId"]}},
            "RoleName": {"Value": {"Ref": "Role"}},
            "UserName": {"Value": {"Ref": "User"}},
        },
    }


def versions(iam, arn):
    """{VersionId: IsDefaultVersion} of ListPolicyVersions."""
    listed = iam.list_policy_versions(PolicyArn=arn)
    assert listed["IsTruncated"] is False
    return {v["VersionId"]: v["IsDefaultVersion"] for v in listed["Versions"]}


def attached_to_role(iam, role):
    return [p["PolicyArn"] for p in iam.list_attached_role_policies(RoleName=role)["AttachedPolicies"]]


def test_managed_policy_versions_attachments_replacement_and_delete(server, stacks):
    """AWS::IAM::ManagedPolicy (§5.1, §5.2): Ref and GetAtt PolicyArn are the ARN of a policy
    with a generated name (§5.3), attached to the role and user of its Roles/Users; a new
    PolicyDocument is a new default version v2 (ListPolicyVersions, through boto3 and the CLI),
    then v3; dropping Roles detaches it and keeps it; a new Description replaces it (a new
    generated name, the old policy, with its versions, deleted in the cleanup); DeleteStack
    removes it."""
    iam = server.client("iam")
    caps = {"Capabilities": ["CAPABILITY_IAM"]}
    name, stack_id = stacks.create(
        managed_policy_template(doc("s3:GetObject"), users=True), **caps
    )
    assert stacks.describe(name)["StackStatus"] == "CREATE_COMPLETE"
    out = stacks.outputs(name)
    arn = out["Ref"]
    assert out["Arn"] == arn == stacks.physical(name, "Policy")
    assert re.fullmatch(rf"arn:aws:iam::{SOURCE}:policy/{name}-Policy-[A-Za-z0-9]{{12,13}}", arn), arn
    role, user = out["RoleName"], out["UserName"]

    policy = iam.get_policy(PolicyArn=arn)["Policy"]
    assert policy["Arn"] == arn
    assert policy["PolicyName"] == arn.rsplit("/", 1)[1]
    assert policy["Path"] == "/"
    assert policy["DefaultVersionId"] == "v1" == out["Default"]
    assert policy["PolicyId"] == out["Id"] and out["Id"].startswith("ANPA")
    assert policy["AttachmentCount"] == 2
    assert policy["IsAttachable"] is True
    assert policy.get("Description") == "first"
    assert attached_to_role(iam, role) == [arn]
    assert [p["PolicyArn"] for p in iam.list_attached_user_policies(UserName=user)["AttachedPolicies"]] == [arn]
    v1 = iam.get_policy_version(PolicyArn=arn, VersionId="v1")["PolicyVersion"]
    assert as_object(v1["Document"])["Statement"][0]["Action"] == ["s3:GetObject"]
    assert versions(iam, arn) == {"v1": True}

    # A new document: a new default version, in place.
    stack = stacks.update(name, managed_policy_template(doc("s3:PutObject"), users=True), **caps)
    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    assert stacks.physical(name, "Policy") == arn
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v2"
    assert stacks.outputs(name)["Default"] == "v2"
    assert versions(iam, arn) == {"v1": False, "v2": True}
    v2 = iam.get_policy_version(PolicyArn=arn, VersionId="v2")["PolicyVersion"]
    assert v2["IsDefaultVersion"] is True
    assert as_object(v2["Document"])["Statement"][0]["Action"] == ["s3:PutObject"]
    cli = json.loads(server.aws("iam", "list-policy-versions", "--policy-arn", arn).stdout)
    assert {v["VersionId"]: v["IsDefaultVersion"] for v in cli["Versions"]} == {"v1": False, "v2": True}
    assert attached_to_role(iam, role) == [arn]

    # Roles and Users dropped: detached in place, the policy kept.
    stack = stacks.update(name, managed_policy_template(doc("s3:PutObject"), roles=False), **caps)
    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    assert stacks.physical(name, "Policy") == arn
    policy = iam.get_policy(PolicyArn=arn)["Policy"]
    assert (policy["AttachmentCount"], policy["DefaultVersionId"]) == (0, "v2")
    assert attached_to_role(iam, role) == []
    assert iam.list_attached_user_policies(UserName=user)["AttachedPolicies"] == []

    # A third version, so that the policy replaced next has several.
    stacks.update(name, managed_policy_template(doc("s3:DeleteObject"), roles=False), **caps)
    assert versions(iam, arn) == {"v1": False, "v2": False, "v3": True}

    # A new Description: replacement, attached to the role again.
    stack = stacks.update(name, managed_policy_template(doc("s3:DeleteObject"), description="second"), **caps)
    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    new_arn = stacks.physical(name, "Policy")
    assert new_arn != arn and stacks.outputs(name)["Ref"] == new_arn
    assert re.fullmatch(rf"arn:aws:iam::{SOURCE}:policy/{name}-Policy-[A-Za-z0-9]{{12,13}}", new_arn), new_arn
    new = iam.get_policy(PolicyArn=new_arn)["Policy"]
    assert (new.get("Description"), new["DefaultVersionId"], new["AttachmentCount"]) == ("second", "v1", 1)
    document = iam.get_policy_version(PolicyArn=new_arn, VersionId="v1")["PolicyVersion"]["Document"]
    assert as_object(document)["Statement"][0]["Action"] == ["s3:DeleteObject"]
    assert attached_to_role(iam, role) == [new_arn]
    assert error_of(lambda: iam.get_policy(PolicyArn=arn))[0] == "NoSuchEntity"
    events = [(e["ResourceStatus"], e.get("ResourceStatusReason"), e["PhysicalResourceId"])
              for e in reversed(stacks.events(name)) if e["LogicalResourceId"] == "Policy"]
    assert ("UPDATE_IN_PROGRESS", REPLACING, new_arn) in events, events
    assert events[-2:] == [("DELETE_IN_PROGRESS", None, arn), ("DELETE_COMPLETE", None, arn)], events

    # One more version on the new policy, then the stack's delete removes everything.
    stacks.update(name, managed_policy_template(doc("s3:ListBucket"), description="second"), **caps)
    assert versions(iam, new_arn) == {"v1": False, "v2": True}
    assert stacks.delete(name)["StackStatus"] == "DELETE_COMPLETE"
    assert error_of(lambda: iam.get_policy(PolicyArn=new_arn))[0] == "NoSuchEntity"
    assert error_of(lambda: iam.get_role(RoleName=role))[0] == "NoSuchEntity"
    assert error_of(lambda: iam.get_user(UserName=user))[0] == "NoSuchEntity"
    assert [s for s, _ in statuses(stacks.events(stack_id), "Policy")][-2:] == ["DELETE_IN_PROGRESS", "DELETE_COMPLETE"]


def test_managed_policy_capabilities_and_custom_name(server, stacks):
    """A ManagedPolicy needs CAPABILITY_IAM, one with a ManagedPolicyName CAPABILITY_NAMED_IAM,
    refused synchronously with nothing made (§6 [M]); a named policy with a Path has the ARN
    `arn:aws:iam::<acct>:policy<path><name>`, its Ref."""
    cfn, iam = stacks.cfn, server.client("iam")
    policy_name = unique("cfn-mp")
    unnamed = {"Resources": {"P": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": doc("s3:GetObject")}}}}
    named = {
        "Resources": {
            "P": {
                "Type": "AWS::IAM::ManagedPolicy",
                "Properties": {"ManagedPolicyName": policy_name, "Path": "/cfn/", "PolicyDocument": doc("s3:GetObject")},
            }
        },
        "Outputs": {"Ref": {"Value": {"Ref": "P"}}},
    }
    stack_name = unique("mp-caps")
    assert error_of(lambda: cfn.create_stack(StackName=stack_name, TemplateBody=body(unnamed))) == (
        "InsufficientCapabilitiesException", "Requires capabilities : [CAPABILITY_IAM]", 400)
    assert error_of(lambda: cfn.create_stack(
        StackName=stack_name, TemplateBody=body(named), Capabilities=["CAPABILITY_IAM"])) == (
        "InsufficientCapabilitiesException", "Requires capabilities : [CAPABILITY_NAMED_IAM]", 400)
    assert error_of(lambda: cfn.describe_stacks(StackName=stack_name))[1] == f"Stack with id {stack_name} does not exist"
    arn = f"arn:aws:iam::{SOURCE}:policy/cfn/{policy_name}"
    assert error_of(lambda: iam.get_policy(PolicyArn=arn))[0] == "NoSuchEntity"

    name, _ = stacks.create(named, name=stack_name, Capabilities=["CAPABILITY_NAMED_IAM"])
    assert stacks.describe(name)["StackStatus"] == "CREATE_COMPLETE"
    assert stacks.outputs(name)["Ref"] == arn
    policy = iam.get_policy(PolicyArn=arn)["Policy"]
    assert (policy["PolicyName"], policy["Path"], policy["AttachmentCount"]) == (policy_name, "/cfn/", 0)
    assert stacks.delete(name)["StackStatus"] == "DELETE_COMPLETE"
    assert error_of(lambda: iam.get_policy(PolicyArn=arn))[0] == "NoSuchEntity"


# --- AWS::S3::Bucket LifecycleConfiguration ------------------------------------------------------


def bucket_template(**properties):
    return {"Resources": {"Bucket": {"Type": "AWS::S3::Bucket", "Properties": properties}}}


LIFECYCLE_RULES = [
    {"Id": "logs", "Status": "Enabled", "Prefix": "logs/", "ExpirationInDays": 30},
    {"Id": "old-versions", "Status": "Enabled", "NoncurrentVersionExpiration": {"NoncurrentDays": 7}},
    {"Id": "uploads", "Status": "Disabled", "Prefix": "up/", "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 3}},
    {
        "Id": "tagged",
        "Status": "Enabled",
        "Prefix": "t/",
        "TagFilters": [{"Key": "class", "Value": "temp"}],
        "ExpirationInDays": 1,
    },
]


def rule_prefix(rule):
    """The key prefix a lifecycle rule as S3 returns it applies to (Filter.Prefix, the prefix
    under Filter.And, or the old rule-level Prefix)."""
    f = rule.get("Filter", {})
    return f.get("Prefix", f.get("And", {}).get("Prefix", rule.get("Prefix")))


def test_bucket_lifecycle_configuration_create_update_and_removal(server, stacks):
    """LifecycleConfiguration's rules (Id, Status, Prefix, ExpirationInDays,
    NoncurrentVersionExpiration, AbortIncompleteMultipartUpload, TagFilters) read back through
    GetBucketLifecycleConfiguration; a changed rule updates in place (§5.2: every property but
    BucketName and ObjectLockEnabled); removing the property deletes the configuration
    (NoSuchLifecycleConfiguration)."""
    s3 = s3_client(server)
    name, _ = stacks.create(bucket_template(
        VersioningConfiguration={"Status": "Enabled"}, LifecycleConfiguration={"Rules": LIFECYCLE_RULES}))
    assert stacks.describe(name)["StackStatus"] == "CREATE_COMPLETE"
    bucket = stacks.physical(name, "Bucket")
    rules = {r["ID"]: r for r in s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]}
    assert set(rules) == {"logs", "old-versions", "uploads", "tagged"}
    logs = rules["logs"]
    assert (logs["Status"], logs["Expiration"], rule_prefix(logs)) == ("Enabled", {"Days": 30}, "logs/")
    assert "Filter" in logs
    assert rules["old-versions"]["NoncurrentVersionExpiration"]["NoncurrentDays"] == 7
    assert rules["old-versions"]["Status"] == "Enabled"
    uploads = rules["uploads"]
    assert (uploads["Status"], uploads["AbortIncompleteMultipartUpload"]) == ("Disabled", {"DaysAfterInitiation": 3})
    assert rule_prefix(uploads) == "up/"
    tagged = rules["tagged"]
    assert tagged["Filter"]["And"]["Tags"] == [{"Key": "class", "Value": "temp"}]
    assert tagged["Filter"]["And"]["Prefix"] == "t/"
    assert tagged["Expiration"] == {"Days": 1}

    # A rule changed, another dropped: in place.
    changed = [dict(LIFECYCLE_RULES[0], ExpirationInDays=60), LIFECYCLE_RULES[2]]
    stack = stacks.update(name, bucket_template(
        VersioningConfiguration={"Status": "Enabled"}, LifecycleConfiguration={"Rules": changed}))
    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    assert stacks.physical(name, "Bucket") == bucket
    rules = {r["ID"]: r for r in s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]}
    assert set(rules) == {"logs", "uploads"}
    assert rules["logs"]["Expiration"] == {"Days": 60}

    # The property removed: no configuration left.
    stack = stacks.update(name, bucket_template(VersioningConfiguration={"Status": "Enabled"}))
    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    assert stacks.physical(name, "Bucket") == bucket
    code, _, status = error_of(lambda: s3.get_bucket_lifecycle_configuration(Bucket=bucket))
    assert (code, status) == ("NoSuchLifecycleConfiguration", 404)


@pytest.mark.parametrize(
    "rule,message",
    [
        # S3's InvalidArgument for a zero day count; the registry schema gives ExpirationInDays
        # no minimum, so the configuration reaches S3.
        ({"Id": "zero", "Status": "Enabled", "ExpirationInDays": 0},
         "'Days' for Expiration action must be a positive integer"),
        # S3's InvalidRequest: a tag filter cannot select incomplete multipart uploads
        # (GH:terraform-aws-modules/terraform-aws-s3-bucket#109), whether the filter is one
        # Tag or an And of a prefix and tags.
        ({"Id": "tag", "Status": "Enabled", "TagFilters": [{"Key": "k", "Value": "v"}],
          "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}},
         "AbortIncompleteMultipartUpload cannot be specified with Tags."),
        ({"Id": "and", "Status": "Enabled", "Prefix": "p/", "TagFilters": [{"Key": "k", "Value": "v"}],
          "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}},
         "AbortIncompleteMultipartUpload cannot be specified with Tags."),
    ],
    ids=["zero-days", "abort-with-a-tag", "abort-with-prefix-and-tag"],
)
def test_bucket_lifecycle_refused_by_s3_fails_the_resource(server, stacks, rule, message):
    """A lifecycle rule S3 refuses fails the bucket with S3's text in the handler message
    (§2.5, §6); the stack rolls back and the bucket it made is gone."""
    name, _ = stacks.create(bucket_template(LifecycleConfiguration={"Rules": [rule]}))
    assert stacks.describe(name)["StackStatus"] == "ROLLBACK_COMPLETE"
    events = stacks.events(name)
    reason = failure_reason(events, "Bucket")
    assert reason.startswith("Resource handler returned message: "), reason
    assert message in reason, reason
    assert ("ROLLBACK_IN_PROGRESS",
            "The following resource(s) failed to create: [Bucket]. Rollback requested by user.") in statuses(events, name)
    bucket = physical_from_events(events, "Bucket")
    assert bucket is None or not bucket_exists(s3_client(server), bucket)


# --- AWS::S3::Bucket CorsConfiguration ------------------------------------------------------------


CORS_RULES = [
    {
        "Id": "web",
        "AllowedOrigins": ["https://app.example.com"],
        "AllowedMethods": ["GET", "PUT"],
        "AllowedHeaders": ["*"],
        "ExposedHeaders": ["ETag", "x-amz-request-id"],
        "MaxAge": 300,
    },
    {"AllowedOrigins": ["*"], "AllowedMethods": ["HEAD"]},
]


def preflight(server, bucket, origin, method):
    """An unsigned OPTIONS, as a browser sends it: (status, lowercased headers)."""
    request = urllib.request.Request(
        f"{server.endpoint}/{bucket}/some-key",
        method="OPTIONS",
        headers={"Origin": origin, "Access-Control-Request-Method": method},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}


def test_bucket_cors_configuration_create_update_and_removal(server, stacks):
    """CorsConfiguration's rules (Id, AllowedOrigins/Methods/Headers, ExposedHeaders, MaxAge)
    read back through GetBucketCors as S3 names them (ID, ExposeHeaders, MaxAgeSeconds) and
    answering a preflight; updated in place; removed → NoSuchCORSConfiguration."""
    s3 = s3_client(server)
    name, _ = stacks.create(bucket_template(CorsConfiguration={"CorsRules": CORS_RULES}))
    assert stacks.describe(name)["StackStatus"] == "CREATE_COMPLETE"
    bucket = stacks.physical(name, "Bucket")
    web, anyone = s3.get_bucket_cors(Bucket=bucket)["CORSRules"]
    assert web["ID"] == "web"
    assert web["AllowedOrigins"] == ["https://app.example.com"]
    assert web["AllowedMethods"] == ["GET", "PUT"]
    assert web["AllowedHeaders"] == ["*"]
    assert web["ExposeHeaders"] == ["ETag", "x-amz-request-id"]
    assert web["MaxAgeSeconds"] == 300
    assert (anyone["AllowedOrigins"], anyone["AllowedMethods"]) == (["*"], ["HEAD"])

    status, headers = preflight(server, bucket, "https://app.example.com", "PUT")
    assert status == 200, headers
    assert headers.get("access-control-allow-origin") == "https://app.example.com"
    assert headers.get("access-control-max-age") == "300"
    assert preflight(server, bucket, "https://other.example.com", "PUT")[0] == 403

    # In place: the first rule changed, the second dropped.
    changed = [dict(CORS_RULES[0], AllowedMethods=["GET"], MaxAge=60, ExposedHeaders=["ETag"])]
    stack = stacks.update(name, bucket_template(CorsConfiguration={"CorsRules": changed}))
    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    assert stacks.physical(name, "Bucket") == bucket
    (web,) = s3.get_bucket_cors(Bucket=bucket)["CORSRules"]
    assert (web["AllowedMethods"], web["MaxAgeSeconds"], web["ExposeHeaders"]) == (["GET"], 60, ["ETag"])

    stack = stacks.update(name, bucket_template(Tags=[{"Key": "k", "Value": "v"}]))
    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    code, _, status = error_of(lambda: s3.get_bucket_cors(Bucket=bucket))
    assert (code, status) == ("NoSuchCORSConfiguration", 404)


def test_bucket_cors_method_outside_the_schema_fails_the_resource(server, stacks):
    """AllowedMethods items are an enum of the type's registry schema (GET, PUT, HEAD, POST,
    DELETE; LocalStack's aws_s3_bucket.schema.json and cfn-lint carry it), so "PATCH" fails the
    resource in CloudFormation's properties validation, which names the property
    ("Properties validation failed for resource <id> with message: #/...", AWS knowledge
    center "Model Validation Failed"), before S3 is called; the stack rolls back and no
    bucket is left. The rest of the wording is not checked."""
    rules = [{"AllowedOrigins": ["*"], "AllowedMethods": ["GET", "PATCH"]}]
    name, _ = stacks.create(bucket_template(CorsConfiguration={"CorsRules": rules}))
    assert stacks.describe(name)["StackStatus"] == "ROLLBACK_COMPLETE"
    events = stacks.events(name)
    reason = failure_reason(events, "Bucket")
    assert reason.startswith("Properties validation failed for resource Bucket with message: "), reason
    assert "AllowedMethods" in reason, reason
    bucket = physical_from_events(events, "Bucket")
    assert bucket is None or not bucket_exists(s3_client(server), bucket)


# --- AWS::DynamoDB::Table ImportSourceSpecification ----------------------------------------------


def source_bucket(server, objects):
    """A bucket of the source account holding `objects` (key → bytes)."""
    s3 = s3_client(server)
    name = unique("cfn-import-src")
    s3.create_bucket(Bucket=name)
    for key, data in objects.items():
        s3.put_object(Bucket=name, Key=key, Body=data)
    return name


def json_lines(items):
    return "".join(json.dumps({"Item": item}) + "\n" for item in items).encode()


ITEMS = [{"pk": {"S": f"item-{i}"}, "n": {"N": str(i)}} for i in range(3)]


def imported_table(source, **properties):
    return {
        "Resources": {
            "Table": {
                "Type": "AWS::DynamoDB::Table",
                "Properties": table(ImportSourceSpecification=source, **properties),
            }
        },
        "Outputs": {"Arn": {"Value": {"Fn::GetAtt": ["Table", "Arn"]}}},
    }


def sorted_items(ddb, name):
    return sorted(ddb.scan(TableName=name, ConsistentRead=True)["Items"], key=lambda i: i["pk"]["S"])


def test_table_imported_from_dynamodb_json(server, stacks):
    """ImportSourceSpecification makes the table with ImportTable (§5.4): the stack completes
    with the items in the table, a COMPLETED import listed for it (ListImports, DescribeImport),
    and the other properties (PITR, Tags) applied. A new S3KeyPrefix replaces the table
    (ImportSourceSpecification is create-only, §5.2)."""
    ddb = server.client("dynamodb")
    bucket = source_bucket(server, {"in/a.json": json_lines(ITEMS[:2]), "in/b.json": json_lines(ITEMS[2:]),
                                    "other/c.json": json_lines([{"pk": {"S": "other"}}])})
    source = {"S3BucketSource": {"S3Bucket": bucket, "S3KeyPrefix": "in/"}, "InputFormat": "DYNAMODB_JSON"}
    extra = {"PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
             "Tags": [{"Key": "origin", "Value": "import"}]}
    name, _ = stacks.create(imported_table(source, **extra))
    assert stacks.describe(name)["StackStatus"] == "CREATE_COMPLETE"
    table_name = stacks.physical(name, "Table")
    arn = stacks.outputs(name)["Arn"]
    assert arn == f"arn:aws:dynamodb:{REGION}:{SOURCE}:table/{table_name}"
    assert ddb.describe_table(TableName=table_name)["Table"]["TableStatus"] == "ACTIVE"
    assert sorted_items(ddb, table_name) == ITEMS
    pitr = ddb.describe_continuous_backups(TableName=table_name)["ContinuousBackupsDescription"]
    assert pitr["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    assert {"Key": "origin", "Value": "import"} in ddb.list_tags_of_resource(ResourceArn=arn)["Tags"]

    (summary,) = ddb.list_imports(TableArn=arn)["ImportSummaryList"]
    assert summary["ImportStatus"] == "COMPLETED"
    assert summary["InputFormat"] == "DYNAMODB_JSON"
    assert summary["S3BucketSource"]["S3Bucket"] == bucket
    assert summary["S3BucketSource"].get("S3KeyPrefix") == "in/"
    described = ddb.describe_import(ImportArn=summary["ImportArn"])["ImportTableDescription"]
    assert (described["ImportStatus"], described["TableArn"]) == ("COMPLETED", arn)
    assert (described["ImportedItemCount"], described["ErrorCount"]) == (3, 0)

    # Another prefix: a new table from it, the old one deleted.
    moved = {**source, "S3BucketSource": {"S3Bucket": bucket, "S3KeyPrefix": "other/"}}
    stack = stacks.update(name, imported_table(moved, **extra))
    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    replaced = stacks.physical(name, "Table")
    assert replaced != table_name
    assert not table_exists(ddb, table_name)
    assert ddb.scan(TableName=replaced, ConsistentRead=True)["Items"] == [{"pk": {"S": "other"}}]
    assert stacks.delete(name)["StackStatus"] == "DELETE_COMPLETE"
    assert not table_exists(ddb, replaced)


def test_table_imported_from_csv_with_a_header_list(server, stacks):
    """InputFormat CSV with InputFormatOptions.Csv.HeaderList (and Delimiter): the rows become
    items, the non-key columns strings."""
    ddb = server.client("dynamodb")
    bucket = source_bucket(server, {"rows.csv": b"k1;x\nk2;y\n"})
    source = {
        "S3BucketSource": {"S3Bucket": bucket, "S3KeyPrefix": "rows.csv"},
        "InputFormat": "CSV",
        "InputFormatOptions": {"Csv": {"Delimiter": ";", "HeaderList": ["pk", "letter"]}},
    }
    name, _ = stacks.create(imported_table(source))
    assert stacks.describe(name)["StackStatus"] == "CREATE_COMPLETE"
    table_name = stacks.physical(name, "Table")
    assert sorted_items(ddb, table_name) == [
        {"pk": {"S": "k1"}, "letter": {"S": "x"}},
        {"pk": {"S": "k2"}, "letter": {"S": "y"}},
    ]
    (summary,) = ddb.list_imports(TableArn=stacks.outputs(name)["Arn"])["ImportSummaryList"]
    assert (summary["ImportStatus"], summary["InputFormat"]) == ("COMPLETED", "CSV")


def test_table_import_from_a_missing_bucket_fails_and_rolls_back(server, stacks):
    """An import that fails (its bucket does not exist: DynamoDB's import ends FAILED and
    makes no table) fails the resource; the stack rolls back and no table is left. The
    handler's wording is UNCONFIRMED and not checked."""
    ddb = server.client("dynamodb")
    source = {"S3BucketSource": {"S3Bucket": unique("no-such-bucket")}, "InputFormat": "DYNAMODB_JSON"}
    name, _ = stacks.create(imported_table(source))
    assert stacks.describe(name)["StackStatus"] == "ROLLBACK_COMPLETE"
    events = stacks.events(name)
    assert failure_reason(events, "Table")
    assert ("ROLLBACK_IN_PROGRESS",
            "The following resource(s) failed to create: [Table]. Rollback requested by user.") in statuses(events, name)
    # The generated name is in the events if the table was named before it failed; either way
    # no table of this stack is left.
    table_name = physical_from_events(events, "Table")
    assert table_name is None or not table_exists(ddb, table_name)
    prefix = f"{name}-Table-"
    listed = [t for page in ddb.get_paginator("list_tables").paginate() for t in page["TableNames"]]
    assert not [t for t in listed if t.startswith(prefix)]


# --- CreateStack OnFailure=DELETE ---------------------------------------------------------------


def test_on_failure_delete_deletes_the_failed_stack(server, stacks, taken_table):
    """OnFailure=DELETE (§2.5 [M]): a failed create deletes the stack instead of rolling it back:
    DELETE_IN_PROGRESS "The following resource(s) failed to create: [Table]. Delete requested
    by user.", no ROLLBACK_* status, the bucket made deleted, the stack DELETE_COMPLETE (by its
    id; by name it no longer exists, and the name is free again). The table that held the name
    is untouched."""
    name, stack_id = stacks.create(failing_template(taken_table), OnFailure="DELETE")
    stack = stacks.describe(stack_id)
    assert stack["StackStatus"] == "DELETE_COMPLETE", stack
    assert "DeletionTime" in stack
    events = stacks.events(stack_id)
    own = statuses(events, name)
    assert own[0] == ("CREATE_IN_PROGRESS", "User Initiated"), own
    assert own[-1][0] == "DELETE_COMPLETE", own
    assert not [s for s, _ in own if s.startswith("ROLLBACK")], own
    deleting = [r for s, r in own if s == "DELETE_IN_PROGRESS"]
    assert deleting == ["The following resource(s) failed to create: [Table]. Delete requested by user."], own
    assert failure_reason(events, "Table")
    assert [s for s, _ in statuses(events, "Bucket")] == [
        "CREATE_IN_PROGRESS", "CREATE_IN_PROGRESS", "CREATE_COMPLETE", "DELETE_IN_PROGRESS", "DELETE_COMPLETE"]
    assert not bucket_exists(s3_client(server), physical_from_events(events, "Bucket"))
    assert table_exists(server.client("dynamodb"), taken_table)

    assert error_of(lambda: stacks.cfn.describe_stacks(StackName=name)) == (
        "ValidationError", f"Stack with id {name} does not exist", 400)
    # The CLI's create waiter stops on DELETE_COMPLETE / the missing stack (§0.2).
    cli = server.aws("cloudformation", "wait", "stack-create-complete", "--stack-name", stack_id, check=False)
    assert cli.returncode == 255, cli
    again, again_id = stacks.create({"Resources": {"B": {"Type": "AWS::S3::Bucket"}}}, name=name)
    assert again_id != stack_id
    assert stacks.describe(again)["StackStatus"] == "CREATE_COMPLETE"


def test_on_failure_must_be_one_of_its_values(stacks):
    """OnFailure is an enum [M]: another value is the ValidationError of a constraint, and no
    stack is made."""
    name = unique("onfail")
    code, message, status = error_of(lambda: stacks.cfn.create_stack(
        StackName=name, TemplateBody=body({"Resources": {"B": {"Type": "AWS::S3::Bucket"}}}), OnFailure="BOGUS"))
    assert (code, status) == ("ValidationError", 400)
    assert "Member must satisfy enum value set: [DO_NOTHING, ROLLBACK, DELETE]" in message, message
    assert "'BOGUS'" in message and "onFailure" in message, message
    assert error_of(lambda: stacks.cfn.describe_stacks(StackName=name))[1] == f"Stack with id {name} does not exist"


def test_on_failure_delete_after_a_successful_create_deletes_normally(server, stacks):
    """OnFailure only concerns the create: a stack created with OnFailure=DELETE that succeeded
    is CREATE_COMPLETE and its DeleteStack is an ordinary one, which keeps a resource whose
    DeletionPolicy is RetainExceptOnCreate (DELETE_SKIPPED; §2.7: it is deleted only when the
    operation that created it is rolled back) and deletes the others."""
    s3 = s3_client(server)
    name, stack_id = stacks.create({
        "Resources": {
            "Kept": {"Type": "AWS::S3::Bucket", "DeletionPolicy": "RetainExceptOnCreate"},
            "Gone": {"Type": "AWS::S3::Bucket"},
        }
    }, OnFailure="DELETE")
    assert stacks.describe(name)["StackStatus"] == "CREATE_COMPLETE"
    kept, gone = stacks.physical(name, "Kept"), stacks.physical(name, "Gone")
    try:
        assert stacks.delete(name)["StackStatus"] == "DELETE_COMPLETE"
        events = stacks.events(stack_id)
        assert statuses(events, "Kept")[-1][0] == "DELETE_SKIPPED"
        assert statuses(events, "Gone")[-1][0] == "DELETE_COMPLETE"
        assert ("DELETE_IN_PROGRESS", "User Initiated") in statuses(events, name)
        assert bucket_exists(s3, kept)
        assert not bucket_exists(s3, gone)
    finally:
        if bucket_exists(s3, kept):
            s3.delete_bucket(Bucket=kept)


# --- UpdateStack Tags -----------------------------------------------------------------------------


def tagged_table_template():
    """A table whose own `label` tag follows the parameter Label (an in-place change)."""
    return {
        "Parameters": {"Label": {"Type": "String", "Default": "one"}},
        "Resources": {"Table": {"Type": "AWS::DynamoDB::Table",
                                "Properties": table(Tags=[{"Key": "label", "Value": {"Ref": "Label"}}])}},
    }


def stack_tags(stack):
    """A stack's Tags as {Key: Value} (the member is absent or empty without tags)."""
    return {t["Key"]: t["Value"] for t in stack.get("Tags", [])}


def tag_list(**tags):
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def label(value):
    return [{"ParameterKey": "Label", "ParameterValue": value}]


def test_update_stack_tags_change_keep_and_removal(server, stacks):
    """UpdateStack's Tags [M UpdateStackInput.Tags: "If you don't specify this parameter,
    CloudFormation doesn't modify the stack's tags. If you specify an empty value,
    CloudFormation removes all associated tags."]: a tag value changed (same count) is an
    update of its own (UsePreviousTemplate, nothing else changed); an update without Tags keeps
    them; `Tags=[]` removes them all; the same tags with the same template and parameters are
    "No updates are to be performed." (§2.2)."""
    cfn = stacks.cfn
    name, _ = stacks.create(tagged_table_template(), Tags=tag_list(team="a", env="dev"))
    assert stack_tags(stacks.describe(name)) == {"team": "a", "env": "dev"}

    stack = stacks.update(name, UsePreviousTemplate=True, Tags=tag_list(team="b", env="dev"))
    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    assert stack_tags(stack) == {"team": "b", "env": "dev"}

    # The same tags again, with nothing else changed: no update. (The same tags in another
    # order are not tried: whether AWS compares them as a set is UNCONFIRMED.)
    assert error_of(lambda: cfn.update_stack(
        StackName=name, UsePreviousTemplate=True, Tags=tag_list(team="b", env="dev"))) == (
        "ValidationError", "No updates are to be performed.", 400)
    assert error_of(lambda: cfn.update_stack(
        StackName=name, TemplateBody=body(tagged_table_template()), Tags=tag_list(team="b", env="dev"))) == (
        "ValidationError", "No updates are to be performed.", 400)

    # Without Tags: a parameter change goes through and the tags stay.
    stack = stacks.update(name, UsePreviousTemplate=True, Parameters=label("two"))
    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    assert stack_tags(stack) == {"team": "b", "env": "dev"}

    stack = stacks.update(name, UsePreviousTemplate=True, Parameters=label("two"), Tags=[])
    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    assert stack_tags(stack) == {}
    assert error_of(lambda: cfn.update_stack(
        StackName=name, UsePreviousTemplate=True, Parameters=label("two"), Tags=[])) == (
        "ValidationError", "No updates are to be performed.", 400)
    assert {p["ParameterKey"]: p["ParameterValue"] for p in stacks.describe(name)["Parameters"]} == {"Label": "two"}


def test_tags_of_a_failed_update_are_rolled_back(server, stacks, taken_table):
    """An update bringing new tags and a template whose table cannot be made (its new
    TableName is taken, so the replacement fails) rolls back to UPDATE_ROLLBACK_COMPLETE, and
    the stack's tags are the old ones again. (AWS documents that a rollback returns the stack
    to its previous working state; that the stack's own Tags are part of what is restored is
    inferred from that, not quoted.)"""
    name, _ = stacks.create(tagged_table_template(), Tags=tag_list(team="a"))
    table_name = stacks.physical(name, "Table")
    failing = tagged_table_template()
    failing["Resources"]["Table"]["Properties"]["TableName"] = taken_table
    stack = stacks.update(name, failing, Tags=tag_list(team="b", extra="x"))
    assert stack["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE", stack
    assert "UPDATE_FAILED" in [s for s, _ in statuses(stacks.events(name), "Table")]
    assert stack_tags(stacks.describe(name)) == {"team": "a"}
    assert stacks.physical(name, "Table") == table_name
    # The stack is usable again and the new tags can still be applied.
    stack = stacks.update(name, UsePreviousTemplate=True, Tags=tag_list(team="b"))
    assert (stack["StackStatus"], stack_tags(stack)) == ("UPDATE_COMPLETE", {"team": "b"})


# --- UpdateStack RoleARN --------------------------------------------------------------------------


def service_role(iam, service, *actions):
    """A role trusting `service`, allowed `actions` on everything; its ARN."""
    role = unique("cfn-svc")
    arn = iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    iam.put_role_policy(RoleName=role, PolicyName="p", PolicyDocument=json.dumps(doc(*actions)))
    return arn


def cfn_of_user(server, *statements):
    """A CloudFormation client signing as a new user whose policy is `statements`."""
    _, _, key = new_user(server, "source", *statements, prefix="cfn-role")
    return server.client("cloudformation", aws_access_key_id=key["AccessKeyId"],
                         aws_secret_access_key=key["SecretAccessKey"])


def test_update_stack_role_arn_is_kept_and_needs_pass_role_and_trust(server, stacks):
    """UpdateStack's RoleARN (§6; [M] UpdateStackInput.RoleARN: a stack without a role gets
    one; an update without RoleARN keeps the role previously associated): a caller without
    iam:PassRole on the role is AccessDenied (403, naming iam:PassRole) and a role that does not
    trust cloudformation.amazonaws.com is "invalid or cannot be assumed", both synchronously and
    leaving the stack as it was. A caller who may pass the role, but may not touch S3 itself,
    updates the stack: the new bucket is made in the role's session, DescribeStacks shows the
    RoleARN, and a later update without RoleARN still runs as the role."""
    iam, s3 = server.client("iam"), s3_client(server)
    trusted = service_role(iam, "cloudformation.amazonaws.com", "s3:*")
    untrusted = service_role(iam, "ec2.amazonaws.com", "s3:*")
    one = {"Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}}}
    two = {"Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}, "Second": {"Type": "AWS::S3::Bucket"}}}
    name, stack_id = stacks.create(one)
    assert "RoleARN" not in stacks.describe(name)

    no_pass = cfn_of_user(server, {"Effect": "Allow", "Action": ["cloudformation:*", "s3:*"], "Resource": "*"})
    code, message, status = error_of(lambda: no_pass.update_stack(StackName=name, TemplateBody=body(two), RoleARN=trusted))
    assert (code, status) == ("AccessDenied", 403), message
    assert "iam:PassRole" in message, message

    passer = cfn_of_user(server,
                         {"Effect": "Allow", "Action": "cloudformation:*", "Resource": "*"},
                         {"Effect": "Allow", "Action": "iam:PassRole", "Resource": f"arn:aws:iam::{SOURCE}:role/*"})
    assert error_of(lambda: passer.update_stack(StackName=name, TemplateBody=body(two), RoleARN=untrusted)) == (
        "ValidationError", f"Role {untrusted} is invalid or cannot be assumed", 400)
    stack = stacks.describe(name)
    assert (stack["StackStatus"], "RoleARN" in stack) == ("CREATE_COMPLETE", False), stack
    assert [s for s, _ in statuses(stacks.events(name), name)] == ["CREATE_IN_PROGRESS", "CREATE_COMPLETE"]

    passer.update_stack(StackName=name, TemplateBody=body(two), RoleARN=trusted)
    stack = stacks.settle(name)
    assert (stack["StackStatus"], stack.get("RoleARN")) == ("UPDATE_COMPLETE", trusted), stack
    second = stacks.physical(name, "Second")
    assert bucket_exists(s3, second)

    # Without RoleARN the role stays and does the work (the passer has no S3 permission).
    passer.update_stack(StackName=name, TemplateBody=body(one))
    stack = stacks.settle(name)
    assert (stack["StackStatus"], stack.get("RoleARN")) == ("UPDATE_COMPLETE", trusted), stack
    assert not bucket_exists(s3, second)
    assert stacks.delete(name)["StackStatus"] == "DELETE_COMPLETE"
    assert stacks.describe(stack_id).get("RoleARN") == trusted


# --- computed Fn::ImportValue ----------------------------------------------------------------------


def test_computed_import_names_count_as_imports(server, stacks):
    """Fn::ImportValue may take a computed name (Fn::Sub, Fn::Join over parameters;
    [UG:intrinsic-function-reference-importvalue] lists both as usable inside it). The stacks
    importing that way are listed by ListImports, block the exporter's delete (DeleteStack
    answers 200, the exporter keeps CREATE_COMPLETE with the reason naming them, §2.6) and an
    update of the exporter dropping the export rolls back with "cannot be deleted as it is in
    use" (§4.5), as for a literal name (test_cloudformation.py
    test_exports_and_imports_between_stacks). The order of two importers in the reason is
    not checked."""
    prefix, suffix = unique("cexp"), "blue"
    export = f"{prefix}-{suffix}"
    exporting = {
        "Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}},
        "Outputs": {"Name": {"Value": {"Ref": "Bucket"}, "Export": {"Name": export}}},
    }
    exporter, exporter_id = stacks.create(exporting)
    bucket = stacks.physical(exporter, "Bucket")
    by_sub = {"Fn::ImportValue": {"Fn::Sub": prefix + "-${Suffix}"}}
    by_join = {"Fn::ImportValue": {"Fn::Join": ["-", [prefix, {"Ref": "Suffix"}]]}}
    params = [{"ParameterKey": "Suffix", "ParameterValue": suffix}]

    def importing(value):
        return {
            "Parameters": {"Suffix": {"Type": "String"}},
            "Resources": {"Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"Tags": [{"Key": "from", "Value": value}]}}},
            "Outputs": {"Imported": {"Value": value}},
        }

    sub_importer, _ = stacks.create(importing(by_sub), Parameters=params)
    assert stacks.describe(sub_importer)["StackStatus"] == "CREATE_COMPLETE"
    assert stacks.outputs(sub_importer) == {"Imported": bucket}
    assert stacks.cfn.list_imports(ExportName=export)["Imports"] == [sub_importer]
    join_importer, _ = stacks.create(importing(by_join), Parameters=params)
    assert stacks.outputs(join_importer) == {"Imported": bucket}
    assert sorted(stacks.cfn.list_imports(ExportName=export)["Imports"]) == sorted([sub_importer, join_importer])

    assert stacks.cfn.delete_stack(StackName=exporter)["ResponseMetadata"]["HTTPStatusCode"] == 200
    stack = stacks.settle(exporter)
    reason = stack.get("StackStatusReason") or ""
    assert stack["StackStatus"] == "CREATE_COMPLETE", stack
    assert reason.startswith(f"Export {export} cannot be deleted as it is in use by "), reason
    assert sub_importer in reason and join_importer in reason, reason
    assert statuses(stacks.events(exporter), exporter)[-2:] == [
        ("DELETE_IN_PROGRESS", "User Initiated"), ("CREATE_COMPLETE", reason)]
    assert bucket_exists(s3_client(server), bucket)

    # Dropping the export by an update is refused likewise, and rolled back.
    stack = stacks.update(exporter, {"Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}}})
    assert stack["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE", stack
    reasons = [r or "" for _, r in statuses(stacks.events(exporter), exporter)]
    assert any(f"Export {export} cannot be deleted as it is in use by " in r for r in reasons), reasons
    exports = [e for page in stacks.cfn.get_paginator("list_exports").paginate() for e in page["Exports"]]
    assert [(e["ExportingStackId"], e["Value"]) for e in exports if e["Name"] == export] == [(exporter_id, bucket)]

    # Once neither importer is left the exporter goes.
    assert stacks.delete(sub_importer)["StackStatus"] == "DELETE_COMPLETE"
    assert stacks.cfn.list_imports(ExportName=export)["Imports"] == [join_importer]
    assert stacks.delete(join_importer)["StackStatus"] == "DELETE_COMPLETE"
    assert stacks.delete(exporter)["StackStatus"] == "DELETE_COMPLETE"


# --- IAM properties strata's IAM does not have, and IAM Tags -----------------------------------------


ROLE_REFUSED = [
    ("PermissionsBoundary", "arn:aws:iam::aws:policy/PowerUserAccess"),
]
USER_REFUSED = [
    ("Groups", ["some-group"]),
    ("LoginProfile", {"Password": "Str0ng-Passw0rd!", "PasswordResetRequired": False}),
    ("PermissionsBoundary", "arn:aws:iam::aws:policy/PowerUserAccess"),
]
NAMED_IAM = {"Capabilities": ["CAPABILITY_NAMED_IAM"]}


def role_resource(role_name, **extra):
    return {"Type": "AWS::IAM::Role",
            "Properties": {"AssumeRolePolicyDocument": ASSUME_BY_LAMBDA, "RoleName": role_name, **extra}}


@pytest.mark.parametrize("prop,value", ROLE_REFUSED, ids=[p for p, _ in ROLE_REFUSED])
def test_role_property_strata_iam_lacks_fails_the_resource(server, stacks, prop, value):
    """strata's own refusal, not AWS behaviour (AWS applies it): an AWS::IAM::Role with a
    PermissionsBoundary fails the resource rather than make a role without it; the reason says
    "<Property> is not supported by strata's IAM", the stack rolls back and no role is left."""
    iam = server.client("iam")
    role_name = unique("cfn-norole")
    name, _ = stacks.create({"Resources": {"Role": role_resource(role_name, **{prop: value})}}, **NAMED_IAM)
    assert stacks.describe(name)["StackStatus"] == "ROLLBACK_COMPLETE"
    reason = failure_reason(stacks.events(name), "Role")
    assert f"{prop} is not supported by strata's IAM" in reason, reason
    assert error_of(lambda: iam.get_role(RoleName=role_name))[0] == "NoSuchEntity"


@pytest.mark.parametrize("prop,value", USER_REFUSED, ids=[p for p, _ in USER_REFUSED])
def test_user_property_strata_iam_lacks_fails_the_resource(server, stacks, prop, value):
    """strata's own refusal, not AWS behaviour: an AWS::IAM::User with Groups, a LoginProfile
    or a PermissionsBoundary fails the resource ("<Property> is not supported by strata's
    IAM"); the stack rolls back and no user is left."""
    iam = server.client("iam")
    user_name = unique("cfn-nouser")
    name, _ = stacks.create({"Resources": {"User": {"Type": "AWS::IAM::User", "Properties": {
        "UserName": user_name, prop: value}}}}, **NAMED_IAM)
    assert stacks.describe(name)["StackStatus"] == "ROLLBACK_COMPLETE"
    reason = failure_reason(stacks.events(name), "User")
    assert f"{prop} is not supported by strata's IAM" in reason, reason
    assert error_of(lambda: iam.get_user(UserName=user_name))[0] == "NoSuchEntity"


def iam_tags_template(role_name, user_name, tags):
    """A role and a user, both tagged `tags` (a Tags list, or None for no Tags property)."""
    extra = {} if tags is None else {"Tags": tags}
    return {"Resources": {
        "Role": role_resource(role_name, **extra),
        "User": {"Type": "AWS::IAM::User", "Properties": {"UserName": user_name, **extra}},
    }}


def listed_tags(listed):
    assert listed["IsTruncated"] is False
    return {t["Key"]: t["Value"] for t in listed["Tags"]}


def test_iam_role_and_user_tags_create_and_update_in_place(server, stacks):
    """AWS::IAM::Role and AWS::IAM::User Tags (update requires: No interruption): made with the
    resource (GetRole/GetUser show them); an update changing a value, dropping a tag and adding
    one leaves exactly the new set on the same role and user (RoleId, UserId unchanged);
    an update without Tags clears them."""
    iam = server.client("iam")
    role_name, user_name = unique("cfn-tagrole"), unique("cfn-taguser")
    name, _ = stacks.create(
        iam_tags_template(role_name, user_name, tag_list(keep="1", change="old", drop="x")), **NAMED_IAM)
    assert stacks.describe(name)["StackStatus"] == "CREATE_COMPLETE"
    role = iam.get_role(RoleName=role_name)["Role"]
    user = iam.get_user(UserName=user_name)["User"]
    assert {t["Key"]: t["Value"] for t in role["Tags"]} == {"keep": "1", "change": "old", "drop": "x"}
    assert {t["Key"]: t["Value"] for t in user["Tags"]} == {"keep": "1", "change": "old", "drop": "x"}

    stack = stacks.update(
        name, iam_tags_template(role_name, user_name, tag_list(keep="1", change="new", added="y")), **NAMED_IAM)
    assert stack["StackStatus"] == "UPDATE_COMPLETE", stack
    assert listed_tags(iam.list_role_tags(RoleName=role_name)) == {"keep": "1", "change": "new", "added": "y"}
    assert listed_tags(iam.list_user_tags(UserName=user_name)) == {"keep": "1", "change": "new", "added": "y"}
    assert iam.get_role(RoleName=role_name)["Role"]["RoleId"] == role["RoleId"]
    assert iam.get_user(UserName=user_name)["User"]["UserId"] == user["UserId"]
    assert (stacks.physical(name, "Role"), stacks.physical(name, "User")) == (role_name, user_name)

    stack = stacks.update(name, iam_tags_template(role_name, user_name, None), **NAMED_IAM)
    assert stack["StackStatus"] == "UPDATE_COMPLETE", stack
    assert listed_tags(iam.list_role_tags(RoleName=role_name)) == {}
    assert listed_tags(iam.list_user_tags(UserName=user_name)) == {}
    assert "Tags" not in iam.get_role(RoleName=role_name)["Role"]
    assert "Tags" not in iam.get_user(UserName=user_name)["User"]
    assert iam.get_role(RoleName=role_name)["Role"]["RoleId"] == role["RoleId"]
    assert iam.get_user(UserName=user_name)["User"]["UserId"] == user["UserId"]


def test_empty_iam_tags_are_accepted(server, stacks):
    """`Tags: []` makes a role and a user without tags."""
    iam = server.client("iam")
    role_name, user_name = unique("cfn-tagrole"), unique("cfn-taguser")
    name, _ = stacks.create(iam_tags_template(role_name, user_name, []), **NAMED_IAM)
    assert stacks.describe(name)["StackStatus"] == "CREATE_COMPLETE"
    assert "Tags" not in iam.get_role(RoleName=role_name)["Role"]
    assert "Tags" not in iam.get_user(UserName=user_name)["User"]


# --- AWS::KMS::Key Tags and EnableKeyRotation ----------------------------------------------------------


def key_template(**properties):
    return {"Resources": {"Key": {"Type": "AWS::KMS::Key", "Properties": {"Description": "cfn key", **properties}}},
            "Outputs": {"Arn": {"Value": {"Fn::GetAtt": ["Key", "Arn"]}}}}


def kms_tags(kms, key_id):
    listed = kms.list_resource_tags(KeyId=key_id)
    return {t["TagKey"]: t["TagValue"] for t in listed["Tags"]}


def test_kms_key_tags_update_in_place(server, stacks):
    """AWS::KMS::Key Tags update in place (§5.2): a value changed, one tag removed, one added;
    ListResourceTags then shows exactly the new set on the same key (Ref, the key id,
    unchanged); removing Tags altogether untags the key."""
    kms = server.client("kms")
    name, _ = stacks.create(key_template(Tags=tag_list(keep="1", change="old", drop="x")))
    assert stacks.describe(name)["StackStatus"] == "CREATE_COMPLETE"
    key_id = stacks.physical(name, "Key")
    assert kms_tags(kms, key_id) == {"keep": "1", "change": "old", "drop": "x"}

    stack = stacks.update(name, key_template(Tags=tag_list(keep="1", change="new", added="y")))
    assert stack["StackStatus"] == "UPDATE_COMPLETE", stack
    assert stacks.physical(name, "Key") == key_id
    assert stacks.outputs(name)["Arn"] == f"arn:aws:kms:{REGION}:{SOURCE}:key/{key_id}"
    assert kms_tags(kms, key_id) == {"keep": "1", "change": "new", "added": "y"}
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Enabled"

    stack = stacks.update(name, key_template())
    assert stack["StackStatus"] == "UPDATE_COMPLETE", stack
    assert stacks.physical(name, "Key") == key_id
    assert kms_tags(kms, key_id) == {}


def test_kms_key_rotation_is_refused_unless_false(server, stacks):
    """strata's own refusal, not AWS behaviour (strata's KMS has no key rotation):
    `EnableKeyRotation: true` fails the resource with a reason naming EnableKeyRotation, the
    stack rolls back and no usable key is left; `EnableKeyRotation: false` is accepted; an
    update turning it on fails and rolls back, the key kept as it was."""
    kms = server.client("kms")
    name, _ = stacks.create(key_template(EnableKeyRotation=True))
    assert stacks.describe(name)["StackStatus"] == "ROLLBACK_COMPLETE"
    events = stacks.events(name)
    assert "EnableKeyRotation" in failure_reason(events, "Key")
    key_id = physical_from_events(events, "Key")
    assert key_id is None or kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "PendingDeletion"

    name, _ = stacks.create(key_template(EnableKeyRotation=False))
    assert stacks.describe(name)["StackStatus"] == "CREATE_COMPLETE"
    key_id = stacks.physical(name, "Key")
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Enabled"

    stack = stacks.update(name, key_template(EnableKeyRotation=True))
    assert stack["StackStatus"] == "UPDATE_ROLLBACK_COMPLETE", stack
    (reason,) = [r for s, r in statuses(stacks.events(name), "Key") if s == "UPDATE_FAILED"]
    assert "EnableKeyRotation" in reason, reason
    assert stacks.physical(name, "Key") == key_id
    assert kms.describe_key(KeyId=key_id)["KeyMetadata"]["KeyState"] == "Enabled"


# --- calls beside a running operation ---------------------------------------------------------------


IN_PROGRESS = re.compile(r"^Stack:\S+ is in \w+_IN_PROGRESS state and can not be updated\.$")


def beside(call):
    """Runs `call`, made right after a stack operation started; True when it succeeded. If the
    operation is still running AWS refuses a change set for the stack (§2.2: "Stack:<id> is in
    <STATUS> state and can not be updated.") or its deletion (InvalidChangeSetStatus [M]), so
    those answers are accepted and reported as False; any other error fails the test."""
    try:
        call()
        return True
    except botocore.exceptions.ClientError as e:
        code, message = e.response["Error"]["Code"], e.response["Error"]["Message"]
        assert code == "InvalidChangeSetStatus" or (code == "ValidationError" and IN_PROGRESS.match(message)), e.response
        return False


def test_calls_beside_create_and_update_are_kept(server, stacks):
    """UpdateTerminationProtection, CreateChangeSet and DeleteChangeSet made right after
    CreateStack / UpdateStack returned are not lost when the operation saves the stack: the
    protection is on once it settles, a change set made is listed, one deleted is not. Whether a
    call really overlaps the operation is up to timing (the operation may already be done);
    either way nothing may be lost. Then DescribeStackEvents' EventIds are unique and the
    events newest first (§2.5)."""
    cfn = stacks.cfn
    one = {"Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}}}
    two = {"Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}, "Second": {"Type": "AWS::S3::Bucket"}}}
    name, stack_id = stacks.create(one, wait=False)
    assert cfn.update_termination_protection(StackName=name, EnableTerminationProtection=True)["StackId"] == stack_id
    made = {cs for cs in ("first", "second") if beside(lambda cs=cs: cfn.create_change_set(
        StackName=name, ChangeSetName=cs, TemplateBody=body(two)))}
    stack = stacks.settle(name)
    assert (stack["StackStatus"], stack["EnableTerminationProtection"]) == ("CREATE_COMPLETE", True), stack
    assert {s["ChangeSetName"] for s in cfn.list_change_sets(StackName=name)["Summaries"]} == made
    if "second" not in made:  # made too early: made now, so the delete below has one
        cfn.create_change_set(StackName=name, ChangeSetName="second", TemplateBody=body(two))
        made.add("second")

    cfn.update_termination_protection(StackName=name, EnableTerminationProtection=False)
    assert stacks.describe(name)["EnableTerminationProtection"] is False
    cfn.update_stack(StackName=name, TemplateBody=body(two))
    cfn.update_termination_protection(StackName=name, EnableTerminationProtection=True)
    deleted = beside(lambda: cfn.delete_change_set(ChangeSetName="second", StackName=name))
    stack = stacks.settle(name)
    assert (stack["StackStatus"], stack["EnableTerminationProtection"]) == ("UPDATE_COMPLETE", True), stack
    listed = {s["ChangeSetName"] for s in cfn.list_change_sets(StackName=name)["Summaries"]}
    if deleted:
        assert "second" not in listed, listed
    else:
        cfn.delete_change_set(ChangeSetName="second", StackName=name)
    assert "second" not in {s["ChangeSetName"] for s in cfn.list_change_sets(StackName=name)["Summaries"]}
    # A change set made right after the update is listed as well.
    if beside(lambda: cfn.create_change_set(StackName=name, ChangeSetName="third", TemplateBody=body(one))):
        stacks.settle(name)
        assert "third" in {s["ChangeSetName"] for s in cfn.list_change_sets(StackName=name)["Summaries"]}

    code, message, _ = error_of(lambda: cfn.delete_stack(StackName=name))
    assert (code, message) == ("ValidationError", f"Stack [{name}] cannot be deleted while TerminationProtection is enabled")

    events = stacks.events(name)
    ids = [e["EventId"] for e in events]
    assert len(ids) == len(set(ids)), ids
    times = [e["Timestamp"] for e in events]
    assert times == sorted(times, reverse=True), times
    own = [s for s, _ in statuses(events, name)]
    assert own == ["CREATE_IN_PROGRESS", "CREATE_COMPLETE", "UPDATE_IN_PROGRESS",
                   "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", "UPDATE_COMPLETE"], own


def test_gsi_throughput_changes_in_place(server, stacks):
    """A kept GSI's ProvisionedThroughput is updated in place (UpdateTable's
    GlobalSecondaryIndexUpdates Update) [UG aws-resource-dynamodb-table: GlobalSecondaryIndexes
    "Update requires: No interruption"; spec §5.2]: the table and index stay, with the new
    capacity."""
    def template(read, write):
        return {"Resources": {"T": {"Type": "AWS::DynamoDB::Table", "Properties": {
            "AttributeDefinitions": [
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "g", "AttributeType": "S"},
            ],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
            "GlobalSecondaryIndexes": [{
                "IndexName": "by-g",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
                "ProvisionedThroughput": {"ReadCapacityUnits": read, "WriteCapacityUnits": write},
            }],
        }}}}

    name, _ = stacks.create(template(1, 1))
    (resource,) = stacks.cfn.list_stack_resources(StackName=name)["StackResourceSummaries"]
    table_name = resource["PhysicalResourceId"]
    ddb = server.client("dynamodb", stacks.account)
    before = ddb.describe_table(TableName=table_name)["Table"]
    stack = stacks.update(name, template(2, 3))
    assert stack["StackStatus"] == "UPDATE_COMPLETE"
    after = ddb.describe_table(TableName=table_name)["Table"]
    assert after["TableId"] == before["TableId"]
    (index,) = after["GlobalSecondaryIndexes"]
    assert index["IndexName"] == "by-g"
    assert index["ProvisionedThroughput"]["ReadCapacityUnits"] == 2
    assert index["ProvisionedThroughput"]["WriteCapacityUnits"] == 3


def test_change_set_on_stack_failure(server, stacks, taken_table):
    """CreateChangeSet's OnStackFailure [M CreateChangeSetInput.OnStackFailure: "DELETE - Deletes
    the change set if the stack creation fails. This is only valid when the ChangeSetType
    parameter is set to CREATE. … If this parameter is specified, the DisableRollback
    parameter to the ExecuteChangeSet API operation must not be specified."]: DescribeChangeSet
    echoes it; executed, a failed create with DELETE ends DELETE_COMPLETE instead of rolling
    back; DELETE on an UPDATE change set and an unknown value are refused, and so is
    ExecuteChangeSet's DisableRollback beside it (those texts are UNCONFIRMED: only the code is
    checked)."""
    cfn = stacks.cfn
    name = unique("csfail")
    cfn.create_change_set(
        StackName=name, ChangeSetName="c1", ChangeSetType="CREATE",
        TemplateBody=body(failing_template(taken_table)), OnStackFailure="DELETE")
    stacks.track(name)
    described = cfn.describe_change_set(StackName=name, ChangeSetName="c1")
    assert described["OnStackFailure"] == "DELETE"
    stack_id = described["StackId"]
    assert error_of(lambda: cfn.execute_change_set(
        StackName=name, ChangeSetName="c1", DisableRollback=True))[0] == "ValidationError"
    cfn.execute_change_set(StackName=name, ChangeSetName="c1")
    stack = stacks.settle(stack_id)
    assert stack["StackStatus"] == "DELETE_COMPLETE", stack
    own = statuses(stacks.events(stack_id), name)
    assert not [s for s, _ in own if s.startswith("ROLLBACK")], own

    kept, _ = stacks.create({"Resources": {"B": {"Type": "AWS::S3::Bucket"}}})
    assert error_of(lambda: cfn.create_change_set(
        StackName=kept, ChangeSetName="c2", UsePreviousTemplate=True,
        Parameters=[], OnStackFailure="DELETE"))[0] == "ValidationError"
    assert error_of(lambda: cfn.create_change_set(
        StackName=kept, ChangeSetName="c3", UsePreviousTemplate=True,
        OnStackFailure="BOGUS"))[0] == "ValidationError"
