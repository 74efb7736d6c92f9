"""Inline user policies: saved validated, read back as sent, and enforced on the
user's own requests."""

import json
import uuid

import botocore.exceptions
import pytest


def client_error(call):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call()
    return info.value.response


def user_with_key(server, prefix):
    iam = server.client("iam")
    name = f"{prefix}-{uuid.uuid4().hex[:8]}"
    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return name, dict(aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])


ALLOW_LIST_USERS = {
    "Version": "2012-10-17",
    "Statement": [{"Sid": "ListThem", "Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}],
}


def test_inline_policy_grants_and_revokes(server):
    iam = server.client("iam")
    name, keys = user_with_key(server, "grace")
    as_user = server.client("iam", **keys)
    assert client_error(as_user.list_users)["Error"]["Code"] == "AccessDenied"

    iam.put_user_policy(UserName=name, PolicyName="list", PolicyDocument=json.dumps(ALLOW_LIST_USERS))
    assert name in [u["UserName"] for u in as_user.list_users()["Users"]]
    # Allowed actions do not leak to others.
    error = client_error(lambda: as_user.create_user(UserName=f"x{name}"))
    assert error["Error"]["Code"] == "AccessDenied"
    assert "no identity-based policy allows the iam:CreateUser action" in error["Error"]["Message"]

    iam.delete_user_policy(UserName=name, PolicyName="list")
    assert client_error(as_user.list_users)["Error"]["Code"] == "AccessDenied"


def test_explicit_deny_wins(server):
    iam = server.client("iam")
    name, keys = user_with_key(server, "heidi")
    iam.put_user_policy(UserName=name, PolicyName="allow", PolicyDocument=json.dumps(ALLOW_LIST_USERS))
    deny = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "iam:List*", "Resource": "*"}]}
    iam.put_user_policy(UserName=name, PolicyName="deny", PolicyDocument=json.dumps(deny))
    error = client_error(server.client("iam", **keys).list_users)
    assert error["Error"]["Code"] == "AccessDenied"
    assert "with an explicit deny in an identity-based policy" in error["Error"]["Message"]


def test_policy_documents_round_trip_with_aws_cli(server):
    name, _ = user_with_key(server, "ivan")
    document = json.dumps(ALLOW_LIST_USERS, indent=2)
    server.aws("iam", "put-user-policy", "--user-name", name, "--policy-name", "p1", "--policy-document", document)
    got = json.loads(server.aws("iam", "get-user-policy", "--user-name", name, "--policy-name", "p1").stdout)
    assert got["PolicyDocument"] == ALLOW_LIST_USERS
    assert got["UserName"] == name and got["PolicyName"] == "p1"
    names = json.loads(server.aws("iam", "list-user-policies", "--user-name", name).stdout)["PolicyNames"]
    assert names == ["p1"]
    conflict = server.aws("iam", "delete-user", "--user-name", name, check=False)
    assert "DeleteConflict" in conflict.stderr


@pytest.mark.parametrize(
    "document",
    [
        "not json",
        json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Maybe", "Action": "*", "Resource": "*"}]}),
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}],
            }
        ),
    ],
)
def test_malformed_policies_are_refused(server, document):
    name, _ = user_with_key(server, "judy")
    error = client_error(
        lambda: server.client("iam").put_user_policy(UserName=name, PolicyName="bad", PolicyDocument=document)
    )
    assert error["Error"]["Code"] == "MalformedPolicyDocument"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert server.client("iam").list_user_policies(UserName=name)["PolicyNames"] == []


def conditioned(condition):
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*", "Condition": condition}],
        }
    )


@pytest.mark.parametrize("cidr,allowed", [("127.0.0.0/8", True), ("10.0.0.0/8", False)])
def test_source_ip_condition(server, cidr, allowed):
    name, keys = user_with_key(server, "ipcheck")
    server.client("iam").put_user_policy(
        UserName=name, PolicyName="ip", PolicyDocument=conditioned({"IpAddress": {"aws:SourceIp": cidr}})
    )
    as_user = server.client("iam", **keys)
    if allowed:
        as_user.list_users()
    else:
        assert client_error(as_user.list_users)["Error"]["Code"] == "AccessDenied"


def test_current_time_condition_follows_the_server_clock(workdir):
    import datetime

    from conftest import start_server

    s = start_server(workdir / f"time-{uuid.uuid4().hex[:6]}")
    try:
        name, keys = user_with_key(s, "timed")
        now = json.loads(s.get("/_strata/clock"))["now"]
        until = (datetime.datetime.fromisoformat(now.replace("Z", "+00:00")) + datetime.timedelta(hours=1))
        s.client("iam").put_user_policy(
            UserName=name,
            PolicyName="until",
            PolicyDocument=conditioned({"DateLessThan": {"aws:CurrentTime": until.strftime("%Y-%m-%dT%H:%M:%SZ")}}),
        )
        as_user = s.client("iam", **keys)
        as_user.list_users()
        s.advance_clock(7200)
        assert client_error(as_user.list_users)["Error"]["Code"] == "AccessDenied"
    finally:
        s.stop()
