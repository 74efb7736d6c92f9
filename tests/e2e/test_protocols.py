"""Routing on one port: DynamoDB JSON, S3 REST, and the admin endpoints."""

import datetime
import json
import re
import zlib

import botocore.exceptions
import pytest
from botocore.credentials import Credentials

from sigv4_client import FORM, STS_BODY, credentials, send, signed, utc_now


def client_error(call):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call()
    return info.value.response


def test_dynamodb_unknown_operation_after_authentication(server):
    # Global tables are not served: DynamoDB's answer to an operation it does not know.
    error = client_error(server.client("dynamodb").list_global_tables)
    assert error["Error"]["Code"] == "UnknownOperationException"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    headers = error["ResponseMetadata"]["HTTPHeaders"]
    assert len(headers["x-amzn-requestid"]) == 52


def test_dynamodb_responses_carry_a_correct_crc32(server):
    target = {"X-Amz-Target": "DynamoDB_20120810.ListTables", "Content-Type": "application/x-amz-json-1.0"}
    status, headers, body = signed(server.endpoint, "dynamodb", "{}", target, credentials())
    assert status == 200
    assert "TableNames" in json.loads(body)
    assert int(headers["x-amz-crc32"]) == zlib.crc32(body)
    target["X-Amz-Target"] = "DynamoDB_20120810.DescribeTable"
    status, headers, body = signed(server.endpoint, "dynamodb", '{"TableName": "none-such"}', target, credentials())
    assert status == 400
    assert json.loads(body)["__type"] == "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException"
    assert int(headers["x-amz-crc32"]) == zlib.crc32(body)


def test_dynamodb_unknown_key(server):
    dynamodb = server.client("dynamodb", aws_access_key_id="AKIAUNKNOWNKEY000000")
    error = client_error(dynamodb.list_tables)
    assert error["Error"]["Code"] == "UnrecognizedClientException"
    assert error["Error"]["Message"] == "The security token included in the request is invalid."
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_dynamodb_bad_secret(server):
    dynamodb = server.client("dynamodb", aws_secret_access_key="wrong")
    error = client_error(dynamodb.list_tables)
    assert error["Error"]["Code"] == "InvalidSignatureException"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_dynamodb_missing_authentication(server):
    status, _, body = send(
        server.endpoint + "/",
        "POST",
        {"X-Amz-Target": "DynamoDB_20120810.ListTables", "Content-Type": "application/x-amz-json-1.0"},
        b"{}",
    )
    assert status == 400
    assert json.loads(body) == {
        "__type": "com.amazon.coral.service#MissingAuthenticationTokenException",
        "message": "Request is missing Authentication Token",
    }


# Authentication comes before the body's contents are judged. ScyllaDB's alternator suite, run
# against DynamoDB (test/alternator/test_authorization.py), posts DescribeEndpoints with no
# body and:
# no Authorization header -> MissingAuthenticationTokenException (test_no_authorization_header);
# X-Amz-Date 20170101T010101Z with `AWS4-HMAC-SHA256 Credential=alternator/2/3/4/aws4_request
# SignedHeaders=x-amz-date;host Signature=123` (unknown key, bad scope, no commas) ->
# InvalidSignatureException "Signature expired" (test_expired_signature); the same dated
# 30200101T010101Z -> "Signature not yet current" (test_signature_too_futuristic).
# Only a body that is not JSON at all comes first: dynalite's test/connection.js, run against
# DynamoDB, gets the bare SerializationException for an unsigned 'hi'
# (test_hostile_input.py::test_dynamodb_unsigned_garbage_is_a_serialization_error).
DDB_TARGET = {"X-Amz-Target": "DynamoDB_20120810.DescribeEndpoints", "Content-Type": "application/x-amz-json-1.0"}
GARBLED = "AWS4-HMAC-SHA256 Credential=alternator/2/3/4/aws4_request SignedHeaders=x-amz-date;host Signature=123"


@pytest.mark.parametrize("body", [b"", b'{"TableName": 5}'])
def test_dynamodb_missing_authentication_wins_over_a_bad_body(server, body):
    status, _, answer = send(server.endpoint + "/", "POST", {**DDB_TARGET, "X-Amz-Date": "20170101T010101Z"}, body)
    assert status == 400
    assert json.loads(answer) == {
        "__type": "com.amazon.coral.service#MissingAuthenticationTokenException",
        "message": "Request is missing Authentication Token",
    }


@pytest.mark.parametrize(
    "date,message",
    [
        ("20170101T010101Z", r"Signature expired: 20170101T010101Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)"),
        ("30200101T010101Z", r"Signature not yet current: 30200101T010101Z is still later than \d{8}T\d{6}Z \(\d{8}T\d{6}Z \+ 15 min\.\)"),
    ],
)
def test_dynamodb_request_time_is_judged_before_anything_else(server, date, message):
    headers = {**DDB_TARGET, "X-Amz-Date": date, "Authorization": GARBLED}
    for body in (b"", b'{"TableName": 5}'):
        status, _, answer = send(server.endpoint + "/", "POST", headers, body)
        assert status == 400
        error = json.loads(answer)
        assert error["__type"] == "com.amazon.coral.service#InvalidSignatureException"
        assert re.fullmatch(message, error["message"]), error["message"]


def test_dynamodb_only_an_aws4_authorization_is_a_signature(server):
    # dynalite's test/connection.js, run against DynamoDB: `Authorization: AWS4` is a missing
    # token; `AWS4-` an incomplete signature that lists every missing part.
    target = {"X-Amz-Target": "DynamoDB_20120810.ListTables", "Content-Type": "application/x-amz-json-1.0"}
    status, _, answer = send(server.endpoint + "/", "POST", {**target, "Authorization": "AWS4"}, b"")
    assert status == 400
    assert json.loads(answer)["__type"] == "com.amazon.coral.service#MissingAuthenticationTokenException"
    status, _, answer = send(server.endpoint + "/", "POST", {**target, "Authorization": "AWS4-"}, b"")
    assert status == 400
    assert json.loads(answer) == {
        "__type": "com.amazon.coral.service#IncompleteSignatureException",
        "message": "Authorization header requires 'Credential' parameter. "
        "Authorization header requires 'Signature' parameter. "
        "Authorization header requires 'SignedHeaders' parameter. "
        "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. "
        "Authorization=AWS4-",
    }


def test_dynamodb_stale_signature_wins_over_a_bad_body(server):
    # A real signature 16 minutes old, an unknown key, a wrong secret: each is judged before
    # a JSON body of the wrong shape; only a good signature reaches the operation's decoder.
    at = utc_now() - datetime.timedelta(minutes=16)
    target = {"X-Amz-Target": "DynamoDB_20120810.DescribeTable", "Content-Type": "application/x-amz-json-1.0"}
    cases = [
        (dict(creds=credentials(), at=at), "InvalidSignatureException"),
        (dict(creds=Credentials("AKIAUNKNOWNKEY000000", "x")), "UnrecognizedClientException"),
        (dict(creds=credentials(secret="wrong")), "InvalidSignatureException"),
        (dict(creds=credentials()), "SerializationException"),
    ]
    for kwargs, code in cases:
        status, _, answer = signed(server.endpoint, "dynamodb", '{"TableName": 5}', target, **kwargs)
        assert status == 400
        assert json.loads(answer)["__type"] == f"com.amazon.coral.service#{code}", answer


def test_query_protocol_judges_the_request_time_before_the_key(server):
    # The same garbled, stale header sent to STS: its time is judged first there too.
    headers = {"Content-Type": FORM, "X-Amz-Date": "20170101T010101Z", "Authorization": GARBLED}
    status, _, answer = send(server.endpoint + "/", "POST", headers, STS_BODY.encode())
    assert status == 403
    assert b"<Code>SignatureDoesNotMatch</Code>" in answer
    assert b"<Message>Signature expired: 20170101T010101Z is now earlier than " in answer


def test_dynamodb_signed_for_another_service(server):
    target = {"X-Amz-Target": "DynamoDB_20120810.ListTables", "Content-Type": "application/x-amz-json-1.0"}
    status, _, body = signed(server.endpoint, "sts", "{}", target, credentials())
    assert status == 400
    assert json.loads(body)["__type"] == "com.amazon.coral.service#InvalidSignatureException"
    assert "Credential should be scoped to correct service: 'dynamodb'" in json.loads(body)["message"]


def test_s3_operations_strata_does_not_serve_answer_not_implemented_in_s3_xml(server):
    s3 = server.client("s3")
    name = "protocols-not-implemented"
    s3.create_bucket(Bucket=name)
    error = client_error(lambda: s3.get_bucket_website(Bucket=name))
    assert error["Error"]["Code"] == "NotImplemented"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 501
    assert error["ResponseMetadata"]["HTTPHeaders"]["x-amz-request-id"]
    s3.delete_bucket(Bucket=name)


def test_s3_with_aws_cli(server):
    out = server.aws("s3api", "get-bucket-website", "--bucket", "protocols-missing-bucket", check=False)
    assert out.returncode != 0
    assert "NoSuchBucket" in out.stderr or "NotImplemented" in out.stderr


def test_health(server):
    assert json.loads(server.get("/_strata/health")) == {"status": "ok"}


def test_clock_moves_forward_only(workdir):
    from conftest import start_server

    s = start_server(workdir / "clock")
    try:
        before = json.loads(s.get("/_strata/clock"))
        assert before["offset_seconds"] == 0
        status, _, body = send(s.endpoint + "/_strata/clock", "POST", {}, b'{"advance_seconds": 900}')
        assert status == 200
        assert json.loads(body)["offset_seconds"] == 900
        status, _, body = send(s.endpoint + "/_strata/clock", "POST", {}, b'{"advance_seconds": -1}')
        assert status == 400
        assert "only moves forward" in json.loads(body)["error"]
        status, _, _ = send(s.endpoint + "/_strata/clock", "POST", {}, b"not json")
        assert status == 400
        assert json.loads(s.get("/_strata/clock"))["offset_seconds"] == 900
    finally:
        s.stop()


def test_a_credential_scope_naming_no_region_is_refused_in_every_protocol(server):
    """Issue 21: a made-up region in the credential scope is refused as AWS refuses one it does
    not serve: DynamoDB and KMS `InvalidSignatureException`, STS `SignatureDoesNotMatch`, both
    "Credential should be scoped to a valid region. "; S3 AuthorizationHeaderMalformed naming
    the bucket's region (`<Region>`), the answer S3 clients redirect on."""
    import botocore.config
    import botocore.exceptions

    bogus = {"region_name": "bogus-region-9"}

    def refused(call):
        with pytest.raises(botocore.exceptions.ClientError) as info:
            call()
        return info.value.response

    error = refused(server.client("dynamodb", **bogus).list_tables)
    assert error["Error"]["Code"] == "InvalidSignatureException"
    assert error["Error"]["Message"] == "Credential should be scoped to a valid region. "
    error = refused(server.client("kms", **bogus).list_keys)
    assert error["Error"]["Code"] == "InvalidSignatureException"
    error = refused(server.client("sts", **bogus).get_caller_identity)
    assert error["Error"]["Code"] == "SignatureDoesNotMatch"
    assert error["Error"]["Message"] == "Credential should be scoped to a valid region. "

    s3 = server.client("s3", config=botocore.config.Config(s3={"addressing_style": "path"}))
    bucket = f"scope-{__import__('uuid').uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    # boto3 redirects on S3's answer: it signs again for the region named and succeeds.
    bogus_s3 = server.client("s3", config=botocore.config.Config(s3={"addressing_style": "path"}), **bogus)
    assert bogus_s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0
    # The answer itself, signed by hand.
    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from sigv4_client import credentials, send

    request = AWSRequest(method="GET", url=f"{server.endpoint}/{bucket}?list-type=2")
    S3SigV4Auth(credentials(), "s3", "bogus-region-9").add_auth(request)
    status, _, body = send(request.url, "GET", dict(request.headers.items()))
    assert status == 400, body
    from xml.etree import ElementTree

    fields = {child.tag: child.text for child in ElementTree.fromstring(body)}
    assert fields["Code"] == "AuthorizationHeaderMalformed"
    assert fields["Message"] == (
        "The authorization header is malformed; the region 'bogus-region-9' is wrong; expecting 'us-east-1'"
    )
    assert fields["Region"] == "us-east-1"
