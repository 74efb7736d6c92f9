"""IAM users and access keys through the AWS CLI and boto3, and what a user's own
keys can and cannot do without policies."""

import json
import uuid

import botocore.exceptions
import pytest

from conftest import REGION


def client_error(call):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call()
    return info.value.response


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def test_user_lifecycle_with_aws_cli(server):
    name = unique("alice")
    created = json.loads(server.aws("iam", "create-user", "--user-name", name, "--path", "/ops/").stdout)["User"]
    assert created["UserName"] == name
    assert created["Path"] == "/ops/"
    assert created["UserId"].startswith("AIDA") and len(created["UserId"]) == 21
    assert created["Arn"] == f"arn:aws:iam::111111111111:user/ops/{name}"

    got = json.loads(server.aws("iam", "get-user", "--user-name", name).stdout)["User"]
    assert got == created
    listed = json.loads(server.aws("iam", "list-users", "--path-prefix", "/ops/").stdout)["Users"]
    assert created in listed

    key = json.loads(server.aws("iam", "create-access-key", "--user-name", name).stdout)["AccessKey"]
    assert key["AccessKeyId"].startswith("AKIA") and len(key["AccessKeyId"]) == 20
    assert key["Status"] == "Active" and len(key["SecretAccessKey"]) == 40

    conflict = server.aws("iam", "delete-user", "--user-name", name, check=False)
    assert conflict.returncode != 0 and "DeleteConflict" in conflict.stderr

    server.aws("iam", "delete-access-key", "--user-name", name, "--access-key-id", key["AccessKeyId"])
    server.aws("iam", "delete-user", "--user-name", name)
    gone = server.aws("iam", "get-user", "--user-name", name, check=False)
    assert gone.returncode != 0 and "NoSuchEntity" in gone.stderr
    assert f"The user with name {name} cannot be found." in gone.stderr


def test_user_names_are_unique_ignoring_case_and_keys_are_limited(server):
    iam = server.client("iam")
    name = unique("Bob")
    iam.create_user(UserName=name)
    error = client_error(lambda: iam.create_user(UserName=name.lower()))
    assert error["Error"]["Code"] == "EntityAlreadyExists"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 409
    iam.create_access_key(UserName=name)
    iam.create_access_key(UserName=name)
    error = client_error(lambda: iam.create_access_key(UserName=name))
    assert error["Error"]["Code"] == "LimitExceeded"
    assert error["Error"]["Message"] == "Cannot exceed quota for AccessKeysPerUser: 2"
    assert len(iam.list_access_keys(UserName=name)["AccessKeyMetadata"]) == 2


def test_invalid_user_name_is_a_validation_error(server):
    error = client_error(lambda: server.client("iam").create_user(UserName="has space"))
    assert error["Error"]["Code"] == "ValidationError"
    assert "regular expression pattern" in error["Error"]["Message"]


def test_users_keys_authenticate_but_a_user_without_policies_is_denied(server):
    iam = server.client("iam")
    name = unique("carol")
    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    as_user = dict(aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])

    identity = server.client("sts", **as_user).get_caller_identity()
    assert identity["Arn"] == f"arn:aws:iam::111111111111:user/{name}"
    assert identity["UserId"].startswith("AIDA")
    assert identity["Account"] == "111111111111"

    error = client_error(server.client("iam", **as_user).list_users)
    assert error["Error"]["Code"] == "AccessDenied"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert error["Error"]["Message"] == (
        f"User: arn:aws:iam::111111111111:user/{name} is not authorized to perform: iam:ListUsers "
        "on resource: * because no identity-based policy allows the iam:ListUsers action"
    )

    # Deactivated keys stop working at once; reactivated ones work again.
    iam.update_access_key(UserName=name, AccessKeyId=key["AccessKeyId"], Status="Inactive")
    error = client_error(server.client("sts", **as_user).get_caller_identity)
    assert error["Error"]["Code"] == "InvalidClientTokenId"
    iam.update_access_key(UserName=name, AccessKeyId=key["AccessKeyId"], Status="Active")
    assert server.client("sts", **as_user).get_caller_identity()["Arn"].endswith(name)


def test_accounts_do_not_see_each_others_users(server):
    name = unique("dave")
    server.client("iam").create_user(UserName=name)
    error = client_error(lambda: server.client("iam", "destination").get_user(UserName=name))
    assert error["Error"]["Code"] == "NoSuchEntity"
    names = [u["UserName"] for u in server.client("iam", "destination").list_users()["Users"]]
    assert name not in names


def test_root_must_name_the_user_for_access_keys(server):
    error = client_error(server.client("iam").list_access_keys)
    assert error["Error"]["Code"] == "ValidationError"
    assert error["Error"]["Message"] == "Must specify userName when calling with non-User credentials"
