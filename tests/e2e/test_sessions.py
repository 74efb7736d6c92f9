"""STS GetSessionToken: temporary ASIA credentials with a session token, expiring
on the server clock."""

import datetime
import uuid

import botocore.exceptions
import pytest

from conftest import start_server
from sigv4_client import FORM, credentials, signed


def client_error(call):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call()
    return info.value.response


def session_client(server, service, credentials):
    return server.client(
        service,
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )


def test_user_session_credentials_work_until_they_expire(workdir):
    s = start_server(workdir / f"sessions-{uuid.uuid4().hex[:6]}")
    try:
        iam = s.client("iam")
        iam.create_user(UserName="erin")
        key = iam.create_access_key(UserName="erin")["AccessKey"]
        sts_as_user = s.client(
            "sts", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"]
        )
        credentials = sts_as_user.get_session_token(DurationSeconds=900)["Credentials"]
        assert credentials["AccessKeyId"].startswith("ASIA") and len(credentials["AccessKeyId"]) == 20
        assert len(credentials["SessionToken"]) > 300
        clock = s.get("/_strata/clock")
        lifetime = credentials["Expiration"] - datetime.datetime.fromisoformat(
            __import__("json").loads(clock)["now"].replace("Z", "+00:00")
        )
        assert 890 <= lifetime.total_seconds() <= 900

        identity = session_client(s, "sts", credentials).get_caller_identity()
        assert identity["Arn"] == "arn:aws:iam::111111111111:user/erin"

        # The token is required and must be the one issued.
        no_token = s.client(
            "sts",
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
        )
        assert client_error(no_token.get_caller_identity)["Error"]["Code"] == "InvalidClientTokenId"
        wrong = dict(credentials, SessionToken=credentials["SessionToken"][:-4] + "AAAA")
        assert client_error(session_client(s, "sts", wrong).get_caller_identity)["Error"]["Code"] == "InvalidClientTokenId"

        # Session credentials cannot mint more sessions.
        error = client_error(session_client(s, "sts", credentials).get_session_token)
        assert error["Error"]["Code"] == "AccessDenied"

        # Fifteen minutes later (on the server clock) they are expired, for every protocol.
        s.advance_clock(901)
        error = client_error(session_client(s, "sts", credentials).get_caller_identity)
        assert error["Error"]["Code"] == "ExpiredToken"
        assert error["ResponseMetadata"]["HTTPStatusCode"] == 403
        error = client_error(session_client(s, "dynamodb", credentials).list_tables)
        assert error["Error"]["Code"] == "ExpiredTokenException"
        # The long-term keys still work.
        assert sts_as_user.get_caller_identity()["Arn"].endswith("user/erin")
    finally:
        s.stop()


def test_session_token_duration_limits(server):
    # botocore refuses out-of-range values itself, so sign the raw request.
    for value in ("899", "129601", "soon"):
        status, _, body = signed(
            server.endpoint,
            "sts",
            f"Action=GetSessionToken&Version=2011-06-15&DurationSeconds={value}",
            {"Content-Type": FORM},
            credentials(),
        )
        assert status == 400, body
        assert b"<Code>ValidationError</Code>" in body
    sts = server.client("sts")
    # Root sessions are capped at one hour.
    session = sts.get_session_token(DurationSeconds=7200)["Credentials"]
    assert session_client(server, "sts", session).get_caller_identity()["Arn"] == "arn:aws:iam::111111111111:root"


def test_session_credentials_with_aws_cli(server):
    session = server.client("sts").get_session_token()["Credentials"]
    out = server.aws(
        "sts",
        "get-caller-identity",
        env={
            "AWS_ACCESS_KEY_ID": session["AccessKeyId"],
            "AWS_SECRET_ACCESS_KEY": session["SecretAccessKey"],
            "AWS_SESSION_TOKEN": session["SessionToken"],
        },
    )
    assert '"Account": "111111111111"' in out.stdout


def test_a_deleted_users_session_stops_and_never_becomes_a_recreated_user(server):
    """Issue 21: GetSessionToken credentials are bound to the user's unique id. Once the user is
    deleted they stop at once; a new user of the same name (a new AIDA… id, on AWS a different
    principal) never inherits them."""
    iam = server.client("iam")
    name = f"alice-{uuid.uuid4().hex[:6]}"
    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    sts_as_user = server.client(
        "sts", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"]
    )
    credentials = sts_as_user.get_session_token()["Credentials"]
    first = session_client(server, "sts", credentials).get_caller_identity()

    iam.delete_access_key(UserName=name, AccessKeyId=key["AccessKeyId"])
    iam.delete_user(UserName=name)
    error = client_error(session_client(server, "sts", credentials).get_caller_identity)
    assert error["Error"]["Code"] == "InvalidClientTokenId", error

    new_id = iam.create_user(UserName=name)["User"]["UserId"]
    assert new_id != first["UserId"]
    iam.put_user_policy(
        UserName=name,
        PolicyName="all",
        PolicyDocument='{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}',
    )
    for service, call in [("sts", "get_caller_identity"), ("iam", "list_users")]:
        error = client_error(getattr(session_client(server, service, credentials), call))
        assert error["Error"]["Code"] == "InvalidClientTokenId", error
    error = client_error(session_client(server, "dynamodb", credentials).list_tables)
    assert error["Error"]["Code"] == "UnrecognizedClientException", error
