"""Customer managed policies: versions, attachment to users and roles, enforcement."""

import json
import uuid

import botocore.exceptions
import pytest

from aws_helpers import role_assumer


def client_error(call):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call()
    return info.value.response


def allow(action):
    return json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]})


def test_managed_policy_attached_to_a_user_grants_and_versions_switch(server):
    iam = server.client("iam")
    suffix = uuid.uuid4().hex[:8]
    user = f"mp-user-{suffix}"
    iam.create_user(UserName=user)
    key = iam.create_access_key(UserName=user)["AccessKey"]
    as_user = server.client("iam", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])

    policy = iam.create_policy(PolicyName=f"readers-{suffix}", PolicyDocument=allow("iam:ListUsers"), Description="d")["Policy"]
    assert policy["Arn"] == f"arn:aws:iam::111111111111:policy/readers-{suffix}"
    assert policy["PolicyId"].startswith("ANPA") and policy["DefaultVersionId"] == "v1"
    error = client_error(lambda: iam.create_policy(PolicyName=f"READERS-{suffix}", PolicyDocument=allow("s3:*")))
    assert error["Error"]["Code"] == "EntityAlreadyExists"

    assert client_error(as_user.list_users)["Error"]["Code"] == "AccessDenied"
    iam.attach_user_policy(UserName=user, PolicyArn=policy["Arn"])
    as_user.list_users()
    assert iam.get_policy(PolicyArn=policy["Arn"])["Policy"]["AttachmentCount"] == 1
    attached = iam.list_attached_user_policies(UserName=user)["AttachedPolicies"]
    assert attached == [{"PolicyName": f"readers-{suffix}", "PolicyArn": policy["Arn"]}]

    # A new default version changes what the user may do at once.
    v2 = iam.create_policy_version(PolicyArn=policy["Arn"], PolicyDocument=allow("iam:ListRoles"), SetAsDefault=True)
    assert v2["PolicyVersion"]["VersionId"] == "v2" and v2["PolicyVersion"]["IsDefaultVersion"]
    assert client_error(as_user.list_users)["Error"]["Code"] == "AccessDenied"
    as_user.list_roles()
    doc = iam.get_policy_version(PolicyArn=policy["Arn"], VersionId="v1")["PolicyVersion"]
    assert doc["Document"] == json.loads(allow("iam:ListUsers")) and doc["IsDefaultVersion"] is False

    assert client_error(lambda: iam.delete_policy(PolicyArn=policy["Arn"]))["Error"]["Code"] == "DeleteConflict"
    assert client_error(lambda: iam.delete_user(UserName=user))["Error"]["Code"] == "DeleteConflict"
    iam.detach_user_policy(UserName=user, PolicyArn=policy["Arn"])
    assert client_error(as_user.list_roles)["Error"]["Code"] == "AccessDenied"
    assert client_error(lambda: iam.delete_policy(PolicyArn=policy["Arn"]))["Error"]["Code"] == "DeleteConflict"
    iam.delete_policy_version(PolicyArn=policy["Arn"], VersionId="v1")
    iam.delete_policy(PolicyArn=policy["Arn"])
    assert client_error(lambda: iam.get_policy(PolicyArn=policy["Arn"]))["Error"]["Code"] == "NoSuchEntity"


def test_managed_policy_on_a_role_session(server):
    suffix = uuid.uuid4().hex[:8]
    dest = server.client("iam", "destination")
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "111111111111"}, "Action": "sts:AssumeRole"}]})
    role = dest.create_role(RoleName=f"mp-role-{suffix}", AssumeRolePolicyDocument=trust)["Role"]
    policy = dest.create_policy(PolicyName=f"lister-{suffix}", PolicyDocument=allow("iam:ListRoles"))["Policy"]
    dest.attach_role_policy(RoleName=role["RoleName"], PolicyArn=policy["Arn"])
    _, sts = role_assumer(server)
    credentials = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="mp")["Credentials"]
    session = server.client(
        "iam",
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )
    session.list_roles()
    assert client_error(session.list_users)["Error"]["Code"] == "AccessDenied"
    error = client_error(lambda: server.client("iam").attach_user_policy(UserName="x", PolicyArn=policy["Arn"]))
    assert error["Error"]["Code"] == "NoSuchEntity"
    assert "does not exist or is not attachable" in error["Error"]["Message"]


def test_managed_policies_with_aws_cli(server):
    name = f"cli-mp-{uuid.uuid4().hex[:8]}"
    created = json.loads(server.aws("iam", "create-policy", "--policy-name", name, "--policy-document", allow("s3:GetObject")).stdout)["Policy"]
    listed = json.loads(server.aws("iam", "list-policies", "--scope", "Local").stdout)["Policies"]
    assert created["Arn"] in [p["Arn"] for p in listed]
    server.aws("iam", "delete-policy", "--policy-arn", created["Arn"])


# AttachRolePolicy / ListAttachedRolePolicies / DetachRolePolicy and DetachUserPolicy, with
# expectations from AWS's IAM API reference (API_ListAttachedRolePolicies: AttachedPolicies of
# {PolicyName, PolicyArn}, an empty list when none is attached; API_DetachRolePolicy and
# API_DetachUserPolicy: NoSuchEntity, HTTP 404), AWS STS's "Controlling permissions for
# temporary security credentials" (a session's permissions are those of the role at each
# request, so editing the role's policies changes existing sessions) and, for message texts,
# LocalStack's AWS-validated snapshots (tests/aws/services/iam/test_iam_roles.snapshot.json,
# TestRoleManagedPolicies, recorded against AWS in 02-2026).


def test_attach_list_and_detach_role_policy(server):
    suffix = uuid.uuid4().hex[:8]
    dest = server.client("iam", "destination")
    source = server.client("iam")
    # An IAM user of the source account assumes the role (AWS refuses AssumeRole to root users).
    user = source.create_user(UserName=f"mp-assumer-{suffix}")["User"]
    source.put_user_policy(UserName=user["UserName"], PolicyName="assume", PolicyDocument=allow("sts:AssumeRole"))
    key = source.create_access_key(UserName=user["UserName"])["AccessKey"]
    trust = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": user["Arn"]}, "Action": "sts:AssumeRole"}]})
    role = dest.create_role(RoleName=f"mp-detach-{suffix}", AssumeRolePolicyDocument=trust)["Role"]
    name = role["RoleName"]
    policy = dest.create_policy(PolicyName=f"role-lister-{suffix}", PolicyDocument=allow("iam:ListRoles"))["Policy"]

    listed = dest.list_attached_role_policies(RoleName=name)
    assert listed["AttachedPolicies"] == [] and listed["IsTruncated"] is False

    # Detaching a policy that is not attached ("detach-not-attached-policy-error").
    error = client_error(lambda: dest.detach_role_policy(RoleName=name, PolicyArn=policy["Arn"]))
    assert error["Error"]["Code"] == "NoSuchEntity"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert error["Error"]["Message"] == f"Policy {policy['Arn']} was not found."

    dest.attach_role_policy(RoleName=name, PolicyArn=policy["Arn"])
    listed = dest.list_attached_role_policies(RoleName=name)
    assert listed["AttachedPolicies"] == [{"PolicyName": policy["PolicyName"], "PolicyArn": policy["Arn"]}]
    assert listed["IsTruncated"] is False
    assert dest.get_policy(PolicyArn=policy["Arn"])["Policy"]["AttachmentCount"] == 1

    sts = server.client("sts", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    credentials = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="detach")["Credentials"]
    session = server.client(
        "iam",
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )
    session.list_roles()

    answer = dest.detach_role_policy(RoleName=name, PolicyArn=policy["Arn"])
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    listed = dest.list_attached_role_policies(RoleName=name)
    assert listed["AttachedPolicies"] == [] and listed["IsTruncated"] is False
    assert dest.get_policy(PolicyArn=policy["Arn"])["Policy"]["AttachmentCount"] == 0
    # The session issued while the policy was attached loses what it granted.
    assert client_error(session.list_roles)["Error"]["Code"] == "AccessDenied"

    # Detaching it again: no longer attached.
    error = client_error(lambda: dest.detach_role_policy(RoleName=name, PolicyArn=policy["Arn"]))
    assert error["Error"]["Code"] == "NoSuchEntity"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert error["Error"]["Message"] == f"Policy {policy['Arn']} was not found."

    # Detached from everything, the policy and the role can be deleted.
    dest.delete_policy(PolicyArn=policy["Arn"])
    dest.delete_role(RoleName=name)


def test_list_attached_role_policies_of_a_missing_role(server):
    error = client_error(
        lambda: server.client("iam").list_attached_role_policies(RoleName=f"no-such-role-{uuid.uuid4().hex[:8]}")
    )
    assert error["Error"]["Code"] == "NoSuchEntity"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_detach_user_policy_that_is_not_attached(server):
    iam = server.client("iam")
    suffix = uuid.uuid4().hex[:8]
    user = f"mp-detach-user-{suffix}"
    iam.create_user(UserName=user)
    policy = iam.create_policy(PolicyName=f"unattached-{suffix}", PolicyDocument=allow("iam:ListUsers"))["Policy"]
    error = client_error(lambda: iam.detach_user_policy(UserName=user, PolicyArn=policy["Arn"]))
    assert error["Error"]["Code"] == "NoSuchEntity"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 404

    iam.attach_user_policy(UserName=user, PolicyArn=policy["Arn"])
    assert iam.list_attached_user_policies(UserName=user)["AttachedPolicies"] == [
        {"PolicyName": policy["PolicyName"], "PolicyArn": policy["Arn"]}
    ]
    iam.detach_user_policy(UserName=user, PolicyArn=policy["Arn"])
    assert iam.list_attached_user_policies(UserName=user)["AttachedPolicies"] == []
    error = client_error(lambda: iam.detach_user_policy(UserName=user, PolicyArn=policy["Arn"]))
    assert error["Error"]["Code"] == "NoSuchEntity"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 404

    # A user that does not exist.
    error = client_error(lambda: iam.detach_user_policy(UserName=f"no-such-user-{suffix}", PolicyArn=policy["Arn"]))
    assert error["Error"]["Code"] == "NoSuchEntity"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 404
