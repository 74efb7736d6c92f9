"""IAM roles and STS AssumeRole across accounts: trust policies, the caller's own
permissions, session policies, durations and expiry."""

import json
import uuid

import botocore.config
import botocore.exceptions
import pytest

from aws_helpers import role_assumer
from conftest import start_server

SOURCE, DEST = "111111111111", "222222222222"


def client_error(call):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call()
    return info.value.response


def trust(principal):
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"}],
        }
    )


def allow(action, resource="*"):
    return json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}]}
    )


def as_session(server, service, credentials):
    return server.client(
        service,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )


def make_role(server, trusted, **kwargs):
    name = f"exporter-{uuid.uuid4().hex[:8]}"
    role = server.client("iam", "destination").create_role(
        RoleName=name, AssumeRolePolicyDocument=trust(trusted), **kwargs
    )["Role"]
    return name, role


def assume_role_denied(sts, caller_arn, role_arn):
    error = client_error(lambda: sts.assume_role(RoleArn=role_arn, RoleSessionName="denied"))
    assert error["Error"]["Code"] == "AccessDenied"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert error["Error"]["Message"] == (
        f"User: {caller_arn} is not authorized to perform: sts:AssumeRole on resource: {role_arn}"
    )


def test_role_lifecycle_with_aws_cli(server):
    name = f"cli-role-{uuid.uuid4().hex[:8]}"
    role = json.loads(
        server.aws(
            "iam", "create-role", "--role-name", name, "--path", "/svc/",
            "--assume-role-policy-document", trust(f"arn:aws:iam::{SOURCE}:root"),
            "--max-session-duration", "7200", account="destination",
        ).stdout
    )["Role"]
    assert role["RoleId"].startswith("AROA") and len(role["RoleId"]) == 21
    assert role["Arn"] == f"arn:aws:iam::{DEST}:role/svc/{name}"
    assert role["MaxSessionDuration"] == 7200
    assert role["AssumeRolePolicyDocument"] == json.loads(trust(f"arn:aws:iam::{SOURCE}:root"))
    got = json.loads(server.aws("iam", "get-role", "--role-name", name, account="destination").stdout)["Role"]
    assert got["RoleId"] == role["RoleId"]
    server.aws("iam", "put-role-policy", "--role-name", name, "--policy-name", "p",
               "--policy-document", allow("iam:ListRoles"), account="destination")
    assert json.loads(server.aws("iam", "list-role-policies", "--role-name", name, account="destination").stdout)["PolicyNames"] == ["p"]
    conflict = server.aws("iam", "delete-role", "--role-name", name, account="destination", check=False)
    assert "DeleteConflict" in conflict.stderr
    server.aws("iam", "delete-role-policy", "--role-name", name, "--policy-name", "p", account="destination")
    server.aws("iam", "delete-role", "--role-name", name, account="destination")
    gone = server.aws("iam", "get-role", "--role-name", name, account="destination", check=False)
    assert "NoSuchEntity" in gone.stderr


def test_update_role_changes_description_and_max_session_duration(server):
    """UpdateRole (AWS CLI `iam update-role`): Description and MaxSessionDuration change, each
    only when given; MaxSessionDuration stays within 3,600–43,200 s with the model's
    ValidationError; an unknown role is NoSuchEntity (IAM API reference, UpdateRole)."""
    name = f"upd-role-{uuid.uuid4().hex[:8]}"
    server.aws("iam", "create-role", "--role-name", name, "--description", "first",
               "--assume-role-policy-document", trust(f"arn:aws:iam::{SOURCE}:root"))
    server.aws("iam", "update-role", "--role-name", name, "--max-session-duration", "7200")
    got = json.loads(server.aws("iam", "get-role", "--role-name", name).stdout)["Role"]
    assert (got["Description"], got["MaxSessionDuration"]) == ("first", 7200)
    server.aws("iam", "update-role", "--role-name", name, "--description", "second")
    got = json.loads(server.aws("iam", "get-role", "--role-name", name).stdout)["Role"]
    assert (got["Description"], got["MaxSessionDuration"]) == ("second", 7200)
    # boto3 checks the minimum itself; the server's answer is what is tested.
    iam = server.client("iam", config=botocore.config.Config(parameter_validation=False, retries={"max_attempts": 1}))
    err = client_error(lambda: iam.update_role(RoleName=name, MaxSessionDuration=60))
    assert err["Error"]["Code"] == "ValidationError"
    assert "at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600" in err["Error"]["Message"]
    err = client_error(lambda: iam.update_role(RoleName=f"{name}-nope", Description="x"))
    assert err["Error"]["Code"] == "NoSuchEntity"
    server.aws("iam", "delete-role", "--role-name", name)


def test_malformed_trust_policy_is_refused(server):
    error = client_error(
        lambda: server.client("iam").create_role(
            RoleName="bad-trust", AssumeRolePolicyDocument=allow("sts:AssumeRole")
        )
    )
    assert error["Error"]["Code"] == "MalformedPolicyDocument"


def test_cross_account_assume_role(server):
    name, role = make_role(server, f"arn:aws:iam::{SOURCE}:root")
    server.client("iam", "destination").put_role_policy(
        RoleName=name, PolicyName="list-roles", PolicyDocument=allow("iam:ListRoles")
    )
    _, sts = role_assumer(server)
    result = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="export-job")
    assert result["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{DEST}:assumed-role/{name}/export-job"
    assert result["AssumedRoleUser"]["AssumedRoleId"] == f"{role['RoleId']}:export-job"
    credentials = result["Credentials"]
    identity = as_session(server, "sts", credentials).get_caller_identity()
    assert identity["Account"] == DEST
    assert identity["Arn"] == f"arn:aws:sts::{DEST}:assumed-role/{name}/export-job"
    assert identity["UserId"] == f"{role['RoleId']}:export-job"
    # The session has the role's permissions, and only those.
    iam = as_session(server, "iam", credentials)
    assert name in [r["RoleName"] for r in iam.list_roles()["Roles"]]
    error = client_error(iam.list_users)
    assert error["Error"]["Code"] == "AccessDenied"
    assert f"assumed-role/{name}/export-job is not authorized to perform: iam:ListUsers" in error["Error"]["Message"]


def test_trust_policy_must_name_the_caller(server):
    _, role = make_role(server, f"arn:aws:iam::{DEST}:root")
    user_arn, sts = role_assumer(server)
    assume_role_denied(sts, user_arn, role["Arn"])
    missing = f"arn:aws:iam::{DEST}:role/does-not-exist"
    assume_role_denied(sts, user_arn, missing)


# AWS refuses AssumeRole to an account's root user, whatever the trust policy: AccessDenied,
# 403, "Roles may not be assumed by root accounts." (AWS's answers quoted in
# kubeflow/testing#961 for `aws sts assume-role` as `arn:aws:iam::…:root` across accounts,
# and in double-break/spapi-php#45: {"Code":"AccessDenied","Message":"Roles may not be
# assumed by root accounts.","Type":"Sender"} with 403 Forbidden).
ROOT_REFUSED = "Roles may not be assumed by root accounts."


def test_roles_may_not_be_assumed_by_root_accounts(server):
    _, role = make_role(server, [f"arn:aws:iam::{SOURCE}:root", DEST])
    for account in ("source", "destination"):
        error = client_error(
            lambda: server.client("sts", account).assume_role(RoleArn=role["Arn"], RoleSessionName="root")
        )
        assert error["Error"]["Code"] == "AccessDenied"
        assert error["Error"]["Type"] == "Sender"
        assert error["ResponseMetadata"]["HTTPStatusCode"] == 403
        assert error["Error"]["Message"] == ROOT_REFUSED
    # A root's GetSessionToken session is still the root.
    credentials = server.client("sts").get_session_token()["Credentials"]
    error = client_error(lambda: as_session(server, "sts", credentials).assume_role(RoleArn=role["Arn"], RoleSessionName="rs"))
    assert (error["Error"]["Code"], error["Error"]["Message"]) == ("AccessDenied", ROOT_REFUSED)
    # The AWS CLI shows AWS's sentence.
    cli = server.aws("sts", "assume-role", "--role-arn", role["Arn"], "--role-session-name", "cli", check=False)
    assert cli.returncode != 0
    assert f"(AccessDenied) when calling the AssumeRole operation: {ROOT_REFUSED}" in cli.stderr


def test_cross_account_user_needs_its_own_permission_too(server):
    iam = server.client("iam")
    user = f"job-{uuid.uuid4().hex[:8]}"
    iam.create_user(UserName=user)
    key = iam.create_access_key(UserName=user)["AccessKey"]
    sts = server.client("sts", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    _, role = make_role(server, f"arn:aws:iam::{SOURCE}:root")
    assert client_error(lambda: sts.assume_role(RoleArn=role["Arn"], RoleSessionName="s2"))["Error"]["Code"] == "AccessDenied"
    iam.put_user_policy(UserName=user, PolicyName="assume", PolicyDocument=allow("sts:AssumeRole", role["Arn"]))
    result = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="s2")
    assert result["AssumedRoleUser"]["Arn"].endswith("/s2")


def test_session_policy_narrows_the_role(server):
    name, role = make_role(server, f"arn:aws:iam::{SOURCE}:root")
    server.client("iam", "destination").put_role_policy(
        RoleName=name, PolicyName="all-iam-reads", PolicyDocument=allow(["iam:ListRoles", "iam:ListUsers"])
    )
    _, sts = role_assumer(server)
    result = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="narrow", Policy=allow("iam:ListUsers"))
    assert "PackedPolicySize" in result
    iam = as_session(server, "iam", result["Credentials"])
    iam.list_users()
    assert client_error(iam.list_roles)["Error"]["Code"] == "AccessDenied"


def test_duration_limits(server):
    _, role = make_role(server, f"arn:aws:iam::{SOURCE}:root", MaxSessionDuration=3600)
    _, sts = role_assumer(server)
    error = client_error(lambda: sts.assume_role(RoleArn=role["Arn"], RoleSessionName="long", DurationSeconds=7200))
    assert error["Error"]["Code"] == "ValidationError"
    assert "MaxSessionDuration" in error["Error"]["Message"]


def test_role_sessions_expire_on_the_server_clock(workdir):
    s = start_server(workdir / f"roles-{uuid.uuid4().hex[:6]}")
    try:
        name, role = make_role(s, f"arn:aws:iam::{SOURCE}:root")
        _, sts = role_assumer(s)
        credentials = sts.assume_role(RoleArn=role["Arn"], RoleSessionName="brief", DurationSeconds=900)["Credentials"]
        assert as_session(s, "sts", credentials).get_caller_identity()["Account"] == DEST
        s.advance_clock(901)
        assert client_error(as_session(s, "sts", credentials).get_caller_identity)["Error"]["Code"] == "ExpiredToken"
    finally:
        s.stop()


def test_trust_policy_binds_role_arns_to_unique_ids(server):
    """The seed's pitfall: a policy naming a role ARN stops matching once the role is
    deleted and recreated, and shows the old AROA id (spec iam-s3-authz §2.5)."""
    suffix = uuid.uuid4().hex[:8]
    source_iam = server.client("iam")
    worker = f"worker-{suffix}"

    def create_worker():
        role = source_iam.create_role(RoleName=worker, AssumeRolePolicyDocument=trust(f"arn:aws:iam::{SOURCE}:root"))["Role"]
        source_iam.put_role_policy(RoleName=worker, PolicyName="hop", PolicyDocument=allow("sts:AssumeRole"))
        return role

    old_worker = create_worker()
    target_name, target = make_role(server, old_worker["Arn"])
    _, sts = role_assumer(server)

    def hop():
        credentials = sts.assume_role(RoleArn=old_worker["Arn"], RoleSessionName="wk")["Credentials"]
        return as_session(server, "sts", credentials).assume_role(RoleArn=target["Arn"], RoleSessionName="tg")

    assert hop()["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{DEST}:assumed-role/{target_name}/tg"
    shown = server.client("iam", "destination").get_role(RoleName=target_name)["Role"]["AssumeRolePolicyDocument"]
    assert shown["Statement"][0]["Principal"]["AWS"] == old_worker["Arn"]

    source_iam.delete_role_policy(RoleName=worker, PolicyName="hop")
    source_iam.delete_role(RoleName=worker)
    new_worker = create_worker()
    assert new_worker["RoleId"] != old_worker["RoleId"]
    assert client_error(hop)["Error"]["Code"] == "AccessDenied"
    shown = server.client("iam", "destination").get_role(RoleName=target_name)["Role"]["AssumeRolePolicyDocument"]
    assert shown["Statement"][0]["Principal"]["AWS"] == old_worker["RoleId"]


def test_trust_policy_naming_a_missing_role_is_refused(server):
    error = client_error(
        lambda: server.client("iam", "destination").create_role(
            RoleName=f"t-{uuid.uuid4().hex[:8]}", AssumeRolePolicyDocument=trust(f"arn:aws:iam::{SOURCE}:role/no-such-role")
        )
    )
    assert error["Error"]["Code"] == "MalformedPolicyDocument"
    assert "Invalid principal in policy" in error["Error"]["Message"]


def test_aws_userid_workaround_survives_role_recreation_semantics(server):
    """The documented workaround for the role-ARN pitfall: trust the account and
    narrow with `aws:userid` like `AROA…:*` (spec iam-s3-authz §2.9)."""
    suffix = uuid.uuid4().hex[:8]
    source_iam = server.client("iam")
    worker = source_iam.create_role(
        RoleName=f"uid-worker-{suffix}", AssumeRolePolicyDocument=trust(f"arn:aws:iam::{SOURCE}:root")
    )["Role"]
    source_iam.put_role_policy(RoleName=worker["RoleName"], PolicyName="hop", PolicyDocument=allow("sts:AssumeRole"))
    document = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": SOURCE},
                    "Action": "sts:AssumeRole",
                    "Condition": {"StringLike": {"aws:userid": f"{worker['RoleId']}:*"}},
                }
            ],
        }
    )
    target = server.client("iam", "destination").create_role(
        RoleName=f"uid-target-{suffix}", AssumeRolePolicyDocument=document
    )["Role"]
    # A user of the account does not match the aws:userid condition…
    user_arn, sts = role_assumer(server)
    assume_role_denied(sts, user_arn, target["Arn"])
    # …the worker role's sessions do.
    credentials = sts.assume_role(RoleArn=worker["Arn"], RoleSessionName="job-1")["Credentials"]
    hop = as_session(server, "sts", credentials).assume_role(RoleArn=target["Arn"], RoleSessionName="hop")
    assert hop["AssumedRoleUser"]["Arn"].endswith(f"uid-target-{suffix}/hop")


# UpdateAssumeRolePolicy and GetRolePolicy, with expectations from AWS's IAM API reference
# (API_UpdateAssumeRolePolicy, API_GetRolePolicy: errors MalformedPolicyDocument 400 and
# NoSuchEntity 404; GetRolePolicy's document is URL-encoded, RFC 3986, and boto3 decodes it)
# and, for message texts, LocalStack's AWS-validated snapshots
# (tests/aws/services/iam/test_iam_roles.snapshot.json, recorded against AWS in 02-2026).


def test_update_assume_role_policy_replaces_who_may_assume_the_role(server):
    alice_arn, alice = role_assumer(server, prefix="alice")
    bob_arn, bob = role_assumer(server, prefix="bob")
    name, role = make_role(server, alice_arn)
    dest = server.client("iam", "destination")

    assert alice.assume_role(RoleArn=role["Arn"], RoleSessionName="a1")["AssumedRoleUser"]["Arn"] == (
        f"arn:aws:sts::{DEST}:assumed-role/{name}/a1"
    )
    assume_role_denied(bob, bob_arn, role["Arn"])

    answer = dest.update_assume_role_policy(RoleName=name, PolicyDocument=trust(bob_arn))
    assert answer["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert set(answer) == {"ResponseMetadata"}  # UpdateAssumeRolePolicy returns no elements

    got = dest.get_role(RoleName=name)["Role"]
    assert got["AssumeRolePolicyDocument"] == json.loads(trust(bob_arn))
    assert (got["RoleId"], got["Arn"]) == (role["RoleId"], role["Arn"])
    assert bob.assume_role(RoleArn=role["Arn"], RoleSessionName="b1")["AssumedRoleUser"]["Arn"] == (
        f"arn:aws:sts::{DEST}:assumed-role/{name}/b1"
    )
    assume_role_denied(alice, alice_arn, role["Arn"])


TRUST_SOURCE = {"AWS": f"arn:aws:iam::{SOURCE}:root"}


@pytest.mark.parametrize(
    "document, message",
    [
        # LocalStack snapshot test_update_assume_role_policy_errors: "invalid-json-error"; the
        # same text is in AWS's raw 400 answer to CreateRole quoted in brendanhay/amazonka#434.
        ("not valid json", "This policy contains invalid Json"),
        # "invalid-action-error".
        (
            json.dumps({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": TRUST_SOURCE, "Action": "sts:InvalidAction"}]}),
            "AssumeRole policy may only specify STS AssumeRole actions.",
        ),
        # "resource-field-error"; AWS's CreateRole answers alike, with no final period
        # (kubernetes-sigs/external-dns#3085, hashicorp/terraform#34231).
        (
            json.dumps({"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Principal": TRUST_SOURCE, "Action": "sts:AssumeRole",
                 "Resource": "arn:aws:s3:::example_bucket"}]}),
            "Has prohibited field Resource",
        ),
    ],
    ids=["invalid-json", "non-sts-action", "resource-field"],
)
def test_update_assume_role_policy_refuses_a_malformed_document(server, document, message):
    name, _ = make_role(server, f"arn:aws:iam::{SOURCE}:root")
    dest = server.client("iam", "destination")
    error = client_error(lambda: dest.update_assume_role_policy(RoleName=name, PolicyDocument=document))
    assert error["Error"]["Code"] == "MalformedPolicyDocument"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    # The refused update leaves the trust policy as it was.
    shown = dest.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"]
    assert shown == json.loads(trust(f"arn:aws:iam::{SOURCE}:root"))
    assert error["Error"]["Message"] == message


def test_update_assume_role_policy_of_a_missing_role(server):
    error = client_error(
        lambda: server.client("iam", "destination").update_assume_role_policy(
            RoleName=f"no-such-role-{uuid.uuid4().hex[:8]}", PolicyDocument=trust(f"arn:aws:iam::{SOURCE}:root")
        )
    )
    assert error["Error"]["Code"] == "NoSuchEntity"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_put_role_policy_then_get_role_policy(server):
    name, _ = make_role(server, f"arn:aws:iam::{SOURCE}:root")
    dest = server.client("iam", "destination")
    # Characters that URL-encoding must carry through: '+', '=', '&', '%', and a '%2F' that a
    # missing or doubled encoding would turn into '/' or '%252F'.
    document = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "ReadReports",
                    "Effect": "Allow",
                    "Action": ["s3:GetObject", "s3:ListBucket"],
                    "Resource": ["arn:aws:s3:::reports-bucket/a+b=c&d/100%/x%2Fy/*", "arn:aws:s3:::reports-bucket"],
                }
            ],
        },
        indent=2,
    )
    dest.put_role_policy(RoleName=name, PolicyName="read-reports", PolicyDocument=document)
    got = dest.get_role_policy(RoleName=name, PolicyName="read-reports")
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert got["RoleName"] == name
    assert got["PolicyName"] == "read-reports"
    assert got["PolicyDocument"] == json.loads(document)

    # LocalStack snapshot test_role_inline_policy_errors: "get-nonexistent-policy-error" and
    # "get-policy-nonexistent-role-error".
    error = client_error(lambda: dest.get_role_policy(RoleName=name, PolicyName="non-existent-policy"))
    assert error["Error"]["Code"] == "NoSuchEntity"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert error["Error"]["Message"] == "The role policy with name non-existent-policy cannot be found."
    missing = f"nonexistent-role-{uuid.uuid4().hex[:8]}"
    error = client_error(lambda: dest.get_role_policy(RoleName=missing, PolicyName="read-reports"))
    assert error["Error"]["Code"] == "NoSuchEntity"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 404
    assert error["Error"]["Message"] == f"The role with name {missing} cannot be found."

    # After DeleteRolePolicy the policy is gone for GetRolePolicy too ("get-deleted-policy-error").
    dest.delete_role_policy(RoleName=name, PolicyName="read-reports")
    error = client_error(lambda: dest.get_role_policy(RoleName=name, PolicyName="read-reports"))
    assert error["Error"]["Code"] == "NoSuchEntity"
    assert error["Error"]["Message"] == "The role policy with name read-reports cannot be found."


@pytest.mark.parametrize(
    "call",
    [
        lambda iam, arn: iam.get_role(RoleName=arn),
        lambda iam, arn: iam.delete_role(RoleName=arn),
        lambda iam, arn: iam.get_user(UserName=arn),
        lambda iam, arn: iam.list_access_keys(UserName=arn),
    ],
)
def test_an_arn_given_as_a_name_is_a_validation_error(server, call):
    """Issue 21: IAM checks RoleName/UserName against their pattern ([\\w+=,.@-]+) before it
    looks anything up, so an ARN in their place is a ValidationError, not NoSuchEntity."""
    iam = server.client("iam")
    arn = "arn:aws:iam::111111111111:role/some-role"
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call(iam, arn)
    error = info.value.response["Error"]
    assert error["Code"] == "ValidationError", error
    assert error["Message"].startswith(f"1 validation error detected: Value '{arn}' at '"), error
    assert error["Message"].endswith(
        "failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+"
    ), error


def test_a_cross_account_role_with_an_external_id(server):
    """Issue 21: AssumeRole's ExternalId is the `sts:ExternalId` condition key of the trust
    policy, the standard third-party cross-account role (IAM User Guide,
    id_roles_common-scenarios_third-party): without it or with another value the role is
    refused; the model's constraints (2 to 1,224 of [\\w+=,.@:\\/-]) are ValidationErrors."""
    dest_iam = server.client("iam", "destination")
    name = f"third-party-{uuid.uuid4().hex[:6]}"
    arn = dest_iam.create_role(
        RoleName=name,
        AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": "Unique-ID:4711"}}}]}),
    )["Role"]["Arn"]
    user = f"vendor-{uuid.uuid4().hex[:6]}"
    iam = server.client("iam")
    iam.create_user(UserName=user)
    iam.put_user_policy(UserName=user, PolicyName="assume", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}))
    key = iam.create_access_key(UserName=user)["AccessKey"]
    # botocore checks ExternalId's length itself: off, so the server's answer is seen.
    sts = server.client(
        "sts", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"],
        config=botocore.config.Config(parameter_validation=False),
    )
    for extra in [{}, {"ExternalId": "Unique-ID:4712"}]:
        with pytest.raises(botocore.exceptions.ClientError) as info:
            sts.assume_role(RoleArn=arn, RoleSessionName="vendor", **extra)
        assert info.value.response["Error"]["Code"] == "AccessDenied"
    credentials = sts.assume_role(RoleArn=arn, RoleSessionName="vendor", ExternalId="Unique-ID:4711")["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA")
    for bad, constraint in [
        ("x", "Member must have length greater than or equal to 2"),
        ("has space", "Member must satisfy regular expression pattern: [\\w+=,.@:\\/-]*"),
    ]:
        with pytest.raises(botocore.exceptions.ClientError) as info:
            sts.assume_role(RoleArn=arn, RoleSessionName="vendor", ExternalId=bad)
        error = info.value.response["Error"]
        assert error["Code"] == "ValidationError", error
        assert error["Message"] == (
            f"1 validation error detected: Value '{bad}' at 'externalId' failed to satisfy constraint: {constraint}"
        )
