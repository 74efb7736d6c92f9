"""STS GetCallerIdentity and SigV4 verification, through boto3, the AWS CLI and
botocore's own signer."""

import datetime
import json
import re

import botocore.exceptions
import pytest

from conftest import ACCOUNTS
from sigv4_client import FORM, STS_BODY, credentials, presigned_url, send, signed, utc_now


@pytest.mark.parametrize("account", ["source", "destination"])
def test_get_caller_identity_with_boto3(server, account):
    account_id = ACCOUNTS[account][0]
    identity = server.client("sts", account).get_caller_identity()
    assert identity["Account"] == account_id
    assert identity["Arn"] == f"arn:aws:iam::{account_id}:root"
    assert identity["UserId"] == account_id
    assert re.fullmatch(r"[0-9a-f-]{36}", identity["ResponseMetadata"]["RequestId"])


@pytest.mark.parametrize("account", ["source", "destination"])
def test_get_caller_identity_with_aws_cli(server, account):
    out = server.aws("sts", "get-caller-identity", account=account)
    identity = json.loads(out.stdout)
    assert identity["Account"] == ACCOUNTS[account][0]
    assert identity["Arn"] == f"arn:aws:iam::{ACCOUNTS[account][0]}:root"


def client_error(call):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call()
    return info.value.response


def test_bad_secret_is_signature_does_not_match(server):
    _, akid, _ = ACCOUNTS["source"]
    sts = server.client("sts", aws_secret_access_key="not-the-secret")
    error = client_error(sts.get_caller_identity)
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert error["Error"]["Code"] == "SignatureDoesNotMatch"
    assert error["Error"]["Type"] == "Sender"
    assert error["Error"]["Message"].startswith(
        "The request signature we calculated does not match the signature you provided."
    )
    # The hint AWS gives: what the server canonicalised.
    assert "The Canonical String for this request should have been" in error["Error"]["Message"]


def test_unknown_key_is_invalid_client_token_id(server):
    sts = server.client("sts", aws_access_key_id="AKIAUNKNOWNKEY000000")
    error = client_error(sts.get_caller_identity)
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert error["Error"]["Code"] == "InvalidClientTokenId"
    assert error["Error"]["Message"] == "The security token included in the request is invalid."


def test_unknown_key_with_aws_cli(server):
    out = server.aws(
        "sts", "get-caller-identity", env={"AWS_ACCESS_KEY_ID": "AKIAUNKNOWNKEY000000"}, check=False
    )
    assert out.returncode != 0
    assert "InvalidClientTokenId" in out.stderr


def test_session_token_with_long_term_key_is_rejected(server):
    sts = server.client("sts", aws_session_token="made-up-token")
    assert client_error(sts.get_caller_identity)["Error"]["Code"] == "InvalidClientTokenId"


@pytest.mark.parametrize("minutes,accepted", [(-14, True), (14, True), (-16, False), (16, False)])
def test_clock_skew_limit_is_fifteen_minutes(server, minutes, accepted):
    at = utc_now() + datetime.timedelta(minutes=minutes)
    status, _, body = signed(
        server.endpoint, "sts", STS_BODY, {"Content-Type": FORM}, credentials(), at=at
    )
    if accepted:
        assert status == 200, body
        assert b"<Account>111111111111</Account>" in body
    else:
        assert status == 403
        assert b"<Code>SignatureDoesNotMatch</Code>" in body
        word = b"Signature expired" if minutes < 0 else b"Signature not yet current"
        assert word in body


def test_skew_is_judged_against_real_time_not_the_moved_clock(workdir):
    from conftest import start_server

    s = start_server(workdir / "skew-clock")
    try:
        sts = s.client("sts")
        s.advance_clock(7200)
        assert sts.get_caller_identity()["Account"] == "111111111111"
    finally:
        s.stop()


def test_tampered_body_is_rejected(server):
    status, _, body = signed(
        server.endpoint,
        "sts",
        STS_BODY,
        {"Content-Type": FORM},
        credentials(),
        send_body=STS_BODY.replace("GetCallerIdentity", "GetSessionToken"),
    )
    assert status == 403
    assert b"<Code>SignatureDoesNotMatch</Code>" in body


def test_unsigned_request_is_missing_authentication_token(server):
    status, headers, body = send(
        server.endpoint + "/", "POST", {"Content-Type": FORM}, STS_BODY.encode()
    )
    assert status == 403
    assert b"<Code>MissingAuthenticationToken</Code>" in body
    assert headers.get("x-amzn-requestid")


def test_malformed_authorization_is_incomplete_signature(server):
    status, _, body = send(
        server.endpoint + "/",
        "POST",
        {
            "Content-Type": FORM,
            "Authorization": "AWS4-HMAC-SHA256 Credential=AKIASOURCEROOT000001/20261128/us-east-1/sts/aws4_request",
        },
        STS_BODY.encode(),
    )
    assert status == 400
    assert b"<Code>IncompleteSignature</Code>" in body
    assert b"requires &apos;Signature&apos; parameter" in body


def test_presigned_get_caller_identity(server):
    url = presigned_url(server.endpoint, "Action=GetCallerIdentity&Version=2011-06-15", credentials())
    status, _, body = send(url, "GET", {})
    assert status == 200, body
    assert b"<Arn>arn:aws:iam::111111111111:root</Arn>" in body


def test_presigned_url_expires(server):
    at = utc_now() - datetime.timedelta(seconds=120)
    url = presigned_url(
        server.endpoint, "Action=GetCallerIdentity&Version=2011-06-15", credentials(), expires=60, at=at
    )
    status, _, body = send(url, "GET", {})
    assert status == 400
    assert b"<Code>RequestExpired</Code>" in body


def test_presigned_url_with_tampered_query_is_rejected(server):
    url = presigned_url(server.endpoint, "Action=GetCallerIdentity&Version=2011-06-15", credentials())
    status, _, body = send(url.replace("2011-06-15", "2011-06-16"), "GET", {})
    assert status == 403
    assert b"<Code>SignatureDoesNotMatch</Code>" in body


def test_unknown_sts_action_is_invalid_action(server):
    status, _, body = signed(
        server.endpoint,
        "sts",
        "Action=DoSomething&Version=2011-06-15",
        {"Content-Type": FORM},
        credentials(),
    )
    assert status == 400
    assert b"<Code>InvalidAction</Code>" in body
    assert b"Could not find operation DoSomething for version 2011-06-15" in body


def test_iam_actions_not_served_yet_say_so(server):
    error = client_error(
        lambda: server.client("iam").create_group(GroupName="not-yet")
    )
    assert error["Error"]["Code"] == "InvalidAction"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
