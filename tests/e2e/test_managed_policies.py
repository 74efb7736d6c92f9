"""Customer managed policies: versions, attachment to users and roles, enforcement."""

import json
import uuid

import botocore.exceptions
import pytest


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
    credentials = server.client("sts").assume_role(RoleArn=role["Arn"], RoleSessionName="mp")["Credentials"]
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
