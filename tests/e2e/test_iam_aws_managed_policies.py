"""AWS managed policies (`arn:aws:iam::aws:policy/…`): the same in every account, read-only,
attachable to users and roles, and granting exactly what their documents say.

Expected values come from AWS: the policy ids, versions and documents of AWS's managed policy
reference (docs.aws.amazon.com/aws-managed-policy/latest/reference/), the IAM API reference
(GetPolicy, ListPolicies' Scope, AttachmentCount per account) and IAM's NoSuchEntity texts.
"""

import json
import urllib.parse

from aws_helpers import client_error, new_user, unique
from cfn_helpers import body, stacks  # noqa: F401 (stacks is a fixture)

ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
S3_READ = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
LAMBDA_BASIC = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"


def test_get_and_list_aws_managed_policies(server):
    """GetPolicy gives AWS's id, path and default version; GetPolicyVersion its document;
    ListPolicies lists them under Scope AWS and All (the default), not under Local."""
    iam = server.client("iam")
    policy = iam.get_policy(PolicyArn=ADMIN)["Policy"]
    assert (policy["PolicyName"], policy["PolicyId"], policy["Path"], policy["DefaultVersionId"]) == (
        "AdministratorAccess", "ANPAIWMBCKSKIEE64ZLYK", "/", "v1")
    assert policy["IsAttachable"] is True
    version = iam.get_policy_version(PolicyArn=ADMIN, VersionId="v1")["PolicyVersion"]
    document = version["Document"]
    if isinstance(document, str):
        document = json.loads(urllib.parse.unquote(document))
    assert document == {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
    assert version["IsDefaultVersion"] is True

    lambda_basic = iam.get_policy(PolicyArn=LAMBDA_BASIC)["Policy"]
    assert (lambda_basic["Path"], lambda_basic["Arn"]) == ("/service-role/", LAMBDA_BASIC)

    def listed(**kwargs):
        pages = iam.get_paginator("list_policies").paginate(**kwargs)
        return {p["Arn"] for page in pages for p in page["Policies"]}

    own = iam.create_policy(PolicyName=unique("own"), PolicyDocument=json.dumps(document))["Policy"]["Arn"]
    try:
        assert {ADMIN, S3_READ, LAMBDA_BASIC} <= listed(Scope="AWS")
        assert own not in listed(Scope="AWS")
        assert {ADMIN, own} <= listed()
        local = listed(Scope="Local")
        assert own in local and ADMIN not in local
        assert LAMBDA_BASIC in listed(Scope="AWS", PathPrefix="/service-role/")
        assert ADMIN not in listed(Scope="AWS", PathPrefix="/service-role/")
    finally:
        iam.delete_policy(PolicyArn=own)


def test_attached_aws_managed_policy_grants_its_document(server):
    """A user with AmazonS3ReadOnlyAccess attached may list buckets but not create one; the
    attachment counts in the user's account only; detached, the grant is gone."""
    iam = server.client("iam")
    name, _, key = new_user(server)
    s3 = server.client("s3", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    assert client_error(s3.list_buckets)["Error"]["Code"] == "AccessDenied"

    iam.attach_user_policy(UserName=name, PolicyArn=S3_READ)
    try:
        attached = iam.list_attached_user_policies(UserName=name)["AttachedPolicies"]
        assert attached == [{"PolicyName": "AmazonS3ReadOnlyAccess", "PolicyArn": S3_READ}]
        s3.list_buckets()
        assert client_error(lambda: s3.create_bucket(Bucket=unique("nope")))["Error"]["Code"] == "AccessDenied"
        assert iam.get_policy(PolicyArn=S3_READ)["Policy"]["AttachmentCount"] >= 1
        assert server.client("iam", "destination").get_policy(PolicyArn=S3_READ)["Policy"]["AttachmentCount"] == 0
    finally:
        iam.detach_user_policy(UserName=name, PolicyArn=S3_READ)
    assert client_error(s3.list_buckets)["Error"]["Code"] == "AccessDenied"


def test_aws_managed_policies_are_read_only_and_unknown_ones_do_not_exist(server):
    """An AWS managed policy cannot be deleted or given versions by an account; one strata
    does not know is not attachable (IAM's NoSuchEntity text)."""
    iam = server.client("iam")
    assert client_error(lambda: iam.delete_policy(PolicyArn=ADMIN))["Error"]["Code"] == "NoSuchEntity"
    error = client_error(lambda: iam.create_policy_version(
        PolicyArn=ADMIN, PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []})))
    assert error["Error"]["Code"] in ("NoSuchEntity", "MalformedPolicyDocument")
    assert iam.get_policy(PolicyArn=ADMIN)["Policy"]["DefaultVersionId"] == "v1"

    name, _, _ = new_user(server)
    ghost = "arn:aws:iam::aws:policy/NoSuchManagedPolicyAtAll"
    error = client_error(lambda: iam.attach_user_policy(UserName=name, PolicyArn=ghost))["Error"]
    assert (error["Code"], error["Message"]) == ("NoSuchEntity", f"Policy {ghost} does not exist or is not attachable.")


def test_cloudformation_role_with_an_aws_managed_policy(server, stacks):
    """A role whose ManagedPolicyArns names an AWS managed policy deploys (LocalStack's
    AWS-validated test_iam.py::test_policy_attachments uses AdministratorAccess)."""
    name, _ = stacks.create({"Resources": {"Role": {"Type": "AWS::IAM::Role", "Properties": {
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
        "ManagedPolicyArns": [{"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AdministratorAccess"}, LAMBDA_BASIC],
    }}}}, Capabilities=["CAPABILITY_IAM"])
    assert stacks.describe(name)["StackStatus"] == "CREATE_COMPLETE"
    role = stacks.physical(name, "Role")
    attached = server.client("iam").list_attached_role_policies(RoleName=role)["AttachedPolicies"]
    assert sorted(p["PolicyArn"] for p in attached) == sorted([ADMIN, LAMBDA_BASIC])
    assert stacks.delete(name)["StackStatus"] == "DELETE_COMPLETE"


def test_list_policies_leaves_description_out_and_checks_scope(server):
    """ListPolicies gives no Description (IAM API reference, Policy.Description: "not included
    in the response to the ListPolicies operation"), GetPolicy does; Scope is an enum."""
    iam = server.client("iam")
    assert iam.get_policy(PolicyArn=ADMIN)["Policy"]["Description"]
    listed = [p for page in iam.get_paginator("list_policies").paginate(Scope="AWS") for p in page["Policies"]]
    assert listed and all("Description" not in p for p in listed)
    error = client_error(lambda: iam.list_policies(Scope="Bogus"))["Error"]
    assert (error["Code"], error["Message"]) == (
        "ValidationError",
        "1 validation error detected: Value 'Bogus' at 'scope' failed to satisfy constraint: "
        "Member must satisfy enum value set: [All, AWS, Local]",
    )


def test_delete_policy_is_not_blocked_by_another_policy_under_its_name(server):
    """A policy `X` at `/` is not attached because a policy at path `/X/` is: DeletePolicy of
    `X` succeeds while `/X/Y` stays attached (the attachment count and the delete agree)."""
    iam = server.client("iam")
    document = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]})
    x = unique("x")
    lone = iam.create_policy(PolicyName=x, PolicyDocument=document)["Policy"]["Arn"]
    nested = iam.create_policy(PolicyName="Y", Path=f"/{x}/", PolicyDocument=document)["Policy"]["Arn"]
    name, _, _ = new_user(server)
    iam.attach_user_policy(UserName=name, PolicyArn=nested)
    try:
        assert iam.get_policy(PolicyArn=lone)["Policy"]["AttachmentCount"] == 0
        iam.delete_policy(PolicyArn=lone)
    finally:
        iam.detach_user_policy(UserName=name, PolicyArn=nested)
        iam.delete_policy(PolicyArn=nested)
