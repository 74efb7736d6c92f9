"""STS GetCallerIdentity and SigV4 verification, through boto3, the AWS CLI and
botocore's own signer."""

import datetime
import json
import re
import uuid

import botocore.exceptions
import pytest

from aws_helpers import role_assumer
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


GCI = "Action=GetCallerIdentity&Version=2011-06-15"


def test_presigned_url_lasts_fifteen_minutes_whatever_x_amz_expires_says(server):
    # Outside S3, AWS ignores X-Amz-Expires: a presigned URL lasts about 15 minutes from
    # X-Amz-Date (AWS in aws-sdk-go#2224: "All other AWS services will use a fixed request
    # signature expiration of about 15 minutes", answering aws-sdk-go#2167 about STS;
    # aws-iam-authenticator's token.go: "currently ignored by STS, and the token expires 15
    # minutes after the x-amz-date timestamp regardless").
    at = utc_now() - datetime.timedelta(minutes=14)
    url = presigned_url(server.endpoint, GCI, credentials(), expires=60, at=at)
    status, _, body = send(url, "GET", {})
    assert status == 200, body
    # UNCONFIRMED: the answer to a stale presigned URL; strata gives the skew answer.
    at = utc_now() - datetime.timedelta(minutes=16)
    url = presigned_url(server.endpoint, GCI, credentials(), expires=3600, at=at)
    status, _, body = send(url, "GET", {})
    assert status == 403
    assert b"<Code>SignatureDoesNotMatch</Code>" in body
    assert b"Signature expired: " in body


def as_user(server):
    """(ARN, credentials) of a new IAM user of the source account with an access key."""
    iam = server.client("iam")
    name = f"proof-{uuid.uuid4().hex[:8]}"
    user = iam.create_user(UserName=name)["User"]
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return user["Arn"], credentials_of(key["AccessKeyId"], key["SecretAccessKey"])


def credentials_of(akid, secret, token=None):
    from botocore.credentials import Credentials

    return Credentials(akid, secret, token)


def test_boto3_presigned_get_caller_identity_answers_the_caller(server):
    # boto3's generate_presigned_url signs the operation's HTTP method, POST for STS, unless
    # HttpMethod says otherwise (botocore signers.generate_presigned_url); the payload hash
    # it signs is the empty body's (botocore auth.SigV4QueryAuth moves the body into the
    # query; SigV4Auth.payload hashes what is left).
    user_arn, creds = as_user(server)
    sts = server.client("sts", aws_access_key_id=creds.access_key, aws_secret_access_key=creds.secret_key)
    url = sts.generate_presigned_url("get_caller_identity", HttpMethod="GET")
    assert "X-Amz-SignedHeaders=host" in url
    status, _, body = send(url, "GET", {})
    assert status == 200, body
    assert f"<Arn>{user_arn}</Arn>".encode() in body
    # The default URL is signed for POST: POSTed with no body it answers...
    url = sts.generate_presigned_url("get_caller_identity")
    status, _, body = send(url, "POST", {}, b"")
    assert status == 200, body
    assert f"<Arn>{user_arn}</Arn>".encode() in body
    # ...and fetched with GET it does not match, as on AWS (boto/boto3#756 shows AWS's
    # answer: SignatureDoesNotMatch, the canonical string it expected starting 'GET).
    status, _, body = send(url, "GET", {})
    assert status == 403
    assert b"<Code>SignatureDoesNotMatch</Code>" in body
    assert b"should have been\n&apos;GET\n/\nAction=GetCallerIdentity&amp;Version=2011-06-15&amp;X-Amz-Algorithm" in body


def test_presigned_get_caller_identity_of_a_role_session(server):
    # The session token travels in the query (X-Amz-Security-Token) and is signed.
    iam = server.client("iam")
    name = f"proof-role-{uuid.uuid4().hex[:8]}"
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111111111111:root"}, "Action": "sts:AssumeRole"}]}
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]
    _, assumer = role_assumer(server)
    c = assumer.assume_role(RoleArn=role["Arn"], RoleSessionName="proof")["Credentials"]
    creds = credentials_of(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])
    url = presigned_url(server.endpoint, GCI, creds)
    assert "X-Amz-Security-Token=" in url
    status, _, body = send(url, "GET", {})
    assert status == 200, body
    assert f"<Arn>arn:aws:sts::111111111111:assumed-role/{name}/proof</Arn>".encode() in body


def test_eks_style_token_with_a_signed_x_k8s_aws_id_header(server):
    # aws-iam-authenticator (pkg/token/token.go) adds `x-k8s-aws-id: <cluster>` to a
    # GetCallerIdentity request, presigns it for 60 s (aws-sdk-go's Presign: GET, the empty
    # body's hash) and the verifier GETs the URL sending the same header.
    user_arn, creds = as_user(server)
    url = presigned_url(server.endpoint, GCI, creds, headers={"x-k8s-aws-id": "my-cluster"})
    assert "X-Amz-SignedHeaders=host%3Bx-k8s-aws-id" in url
    status, _, body = send(url, "GET", {"x-k8s-aws-id": "my-cluster"})
    assert status == 200, body
    assert f"<Arn>{user_arn}</Arn>".encode() in body
    # Another cluster's name, or none, does not match the signature.
    for headers in ({"x-k8s-aws-id": "other-cluster"}, {}):
        status, _, body = send(url, "GET", headers)
        assert status == 403
        assert b"<Code>SignatureDoesNotMatch</Code>" in body


def test_eks_verifier_asks_for_json(server):
    # aws-iam-authenticator's verifier (pkg/token/token.go) GETs the presigned URL with
    # `Accept: application/json` and reads GetCallerIdentityResponse.GetCallerIdentityResult
    # {Account, Arn, UserId} and ResponseMetadata.RequestId (its getCallerIdentityWrapper, the
    # shape STS answers in JSON).
    user_arn, creds = as_user(server)
    url = presigned_url(server.endpoint, GCI, creds, headers={"x-k8s-aws-id": "my-cluster"})
    status, headers, body = send(url, "GET", {"x-k8s-aws-id": "my-cluster", "Accept": "application/json"})
    assert status == 200, body
    assert headers["content-type"] == "application/json"
    answer = json.loads(body)
    result = answer["GetCallerIdentityResponse"]["GetCallerIdentityResult"]
    assert result["Arn"] == user_arn
    assert result["Account"] == user_arn.split(":")[4]
    assert result["UserId"].startswith("AIDA")
    assert answer["GetCallerIdentityResponse"]["ResponseMetadata"]["RequestId"]
    # Refused, the answer is JSON too (UNCONFIRMED: the JSON error's shape).
    status, headers, body = send(url, "GET", {"x-k8s-aws-id": "other", "Accept": "application/json"})
    assert status == 403
    assert json.loads(body)["Error"]["Code"] == "SignatureDoesNotMatch"


def test_presigned_url_signing_unsigned_payload_verifies(server):
    # smithy-kotlin's presigner (aws-sdk-kotlin) signs UNSIGNED-PAYLOAD as the payload hash by
    # default. UNCONFIRMED that STS accepts it; strata does, as it does the empty body's hash.
    user_arn, creds = as_user(server)
    url = presigned_url(server.endpoint, GCI, creds, unsigned_payload=True)
    status, _, body = send(url, "GET", {})
    assert status == 200, body
    assert f"<Arn>{user_arn}</Arn>".encode() in body


def test_vault_style_signed_post_with_a_server_id_header(server):
    # Vault's AWS IAM login: the client signs a POST GetCallerIdentity with the header
    # X-Vault-AWS-IAM-Server-ID and hands over method, URL, body and headers; Vault replays
    # them to STS unchanged.
    user_arn, creds = as_user(server)
    headers = {"Content-Type": FORM, "X-Vault-AWS-IAM-Server-ID": "vault.example.com"}
    status, _, body = signed(server.endpoint, "sts", STS_BODY, headers, creds)
    assert status == 200, body
    assert f"<Arn>{user_arn}</Arn>".encode() in body


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
