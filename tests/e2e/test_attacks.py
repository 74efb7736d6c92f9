"""The attack suite: the ways one account, user or role could try to reach what it must not,
sent as an attacker would send them, each checked to be refused exactly as AWS refuses it
(error code and HTTP status), and to leave the victim's data as it was.

Themes, in order: 1. cross-account by name and by ARN; 2. copies; 3. presigned-URL tampering;
4. anonymous requests; 5. key and path tricks; 6. expired, deactivated and deleted credentials;
7. role chaining; 8. privilege escalation by a user or role without the permission.

Expectations come from AWS (its docs, error lists and AWS-recorded answers, cited where not
obvious), never from strata's output. Account "source" is 111111111111 (A), "destination"
222222222222 (B); every resource name carries a uuid suffix, as the shared server lives for
the whole session. Tests that move the clock start their own server.

Covered elsewhere (not repeated here):
- test_dynamodb_authz.py::test_cross_account_access_through_a_resource_policy (B's root reads A's
  table by ARN only with a resource policy; a plain name means B's own account),
  ::test_cross_account_user_needs_both_policies, ::test_other_account_cannot_manage_the_resource_policy
- test_s3_authz.py::test_another_accounts_root_is_denied_without_a_bucket_policy (Get/Put/List/
  Delete/HeadBucket), ::test_identity_policy_alone_does_not_reach_another_accounts_bucket,
  ::test_cross_account_copy_needs_read_on_the_source, ::test_anonymous_requests_are_denied
  (unsigned GET/PUT/LIST/DELETE/HEAD, ListBuckets, CreateBucket), ::test_expected_bucket_owner
- test_iam_users.py::test_accounts_do_not_see_each_others_users (GetUser of another account's
  user by name: NoSuchEntity), ::test_users_keys_authenticate_but_a_user_without_policies_is_denied
  (an Inactive key on STS: InvalidClientTokenId)
- test_kms.py::test_cross_account_use_of_a_default_key_is_denied (B's root on A's key by ARN),
  ::test_cross_account_management_operations_are_refused
- test_s3_buckets_objects.py::test_presigned_url_with_a_bad_signature (signature and key
  changed), ::test_expired_presigned_url (X-Amz-Expires=1, waited: AccessDenied "Request has
  expired"), ::test_presigned_url_expiry_beyond_a_week_or_negative_is_refused,
  ::test_invalid_bucket_names (uppercase, IP-like, `..`: InvalidBucketName),
  ::test_unknown_access_key, ::test_wrong_secret_key
- test_hostile_input.py::test_s3_dot_segment_keys_are_literal_keys (`../` keys stored as
  written, never on the file system), ::test_s3_key_over_1024_bytes_is_key_too_long,
  ::test_s3_key_with_invalid_utf8_percent_encoding_is_invalid_uri
- test_sts.py::test_unsigned_request_is_missing_authentication_token (STS),
  ::test_presigned_url_with_tampered_query_is_rejected (STS), ::test_tampered_body_is_rejected
- test_protocols.py::test_dynamodb_missing_authentication (unsigned DynamoDB)
- test_sessions.py::test_user_session_credentials_work_until_they_expire (GetSessionToken
  sessions expired on STS and DynamoDB, a missing or altered token on STS),
  ::test_a_deleted_users_session_stops_and_never_becomes_a_recreated_user
- test_roles.py::test_role_sessions_expire_on_the_server_clock (STS), ::test_trust_policy_must_name_the_caller,
  ::test_cross_account_user_needs_its_own_permission_too (a user without identity permission,
  cross-account), ::test_session_policy_narrows_the_role (one hop), ::test_duration_limits,
  ::test_roles_may_not_be_assumed_by_root_accounts, ::test_trust_policy_binds_role_arns_to_unique_ids
- test_iam_policies.py::test_inline_policy_grants_and_revokes (iam:CreateUser without permission)
"""

import datetime
import json
import re
import urllib.parse
from xml.etree import ElementTree

import botocore
import botocore.config
import botocore.exceptions
import pytest
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from aws_helpers import client_error, new_user, policy, role_assumer, unique
from conftest import ACCOUNTS, REGION, start_server
from s3_helpers import s3_client
from sigv4_client import FORM, send

SOURCE, DEST = "111111111111", "222222222222"
JSON_10 = "application/x-amz-json-1.0"
JSON_11 = "application/x-amz-json-1.1"


# --- helpers --------------------------------------------------------------------------


def allow(actions, resources="*"):
    return {"Effect": "Allow", "Action": actions, "Resource": resources}


def trust(principal):
    return policy({"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "sts:AssumeRole"})


def root_arn(account_id):
    return f"arn:aws:iam::{account_id}:root"


def table_arn(name, account=SOURCE):
    return f"arn:aws:dynamodb:{REGION}:{account}:table/{name}"


def status(response):
    return response["ResponseMetadata"]["HTTPStatusCode"]


def refused(call, code, http_status, message=None):
    """`call` fails with AWS error `code` and `http_status` (and `message`, if given)."""
    error = client_error(call)
    assert (error["Error"]["Code"], status(error)) == (code, http_status), error
    if message is not None:
        assert error["Error"]["Message"] == message, error["Error"]
    return error


def s3_denied(call):
    return refused(call, "AccessDenied", 403)


def ddb_denied(call):
    return refused(call, "AccessDeniedException", 400)


class Principal:
    """A user or role session: its ARN and the keys it signs with."""

    def __init__(self, arn, account, akid, secret, token=None, name=None):
        self.arn, self.account, self.name = arn, account, name
        self.keys = dict(aws_access_key_id=akid, aws_secret_access_key=secret)
        if token:
            self.keys["aws_session_token"] = token

    def client(self, server, service):
        if service == "s3":
            return s3_client(server, self.account, checksums="when_required", **self.keys)
        return server.client(service, self.account, **self.keys)


def new_attacker(server, account="source", *statements, prefix="attacker"):
    """An IAM user of `account` with `statements` as its inline policy and an access key."""
    name, arn, key = new_user(server, account, *statements, prefix=prefix)
    return Principal(arn, account, key["AccessKeyId"], key["SecretAccessKey"], name=name)


def new_role(server, account, trusted, *statements, prefix="role", **kwargs):
    iam = server.client("iam", account)
    name = unique(prefix)
    role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust(trusted), **kwargs)["Role"]
    if statements:
        iam.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument=policy(*statements))
    return role


def session_of(sts, role, session_name="session", **kwargs):
    """A Principal for a session of `role`, assumed through the STS client `sts`."""
    out = sts.assume_role(RoleArn=role["Arn"], RoleSessionName=session_name, **kwargs)
    c = out["Credentials"]
    role_account = role["Arn"].split(":")[4]
    alias = "source" if role_account == SOURCE else "destination"
    return Principal(out["AssumedRoleUser"]["Arn"], alias, c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])


def root_s3(server, account="source"):
    return s3_client(server, account, checksums="when_required")


def new_bucket(server, account, prefix="attack", objects=None):
    client = root_s3(server, account)
    name = unique(prefix)
    client.create_bucket(Bucket=name)
    for key, body in (objects or {}).items():
        client.put_object(Bucket=name, Key=key, Body=body)
    return name, client


def keys_of(client, bucket):
    return sorted(o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", []))


def new_table(ddb, items=()):
    name = unique("attack")
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    for item in items:
        ddb.put_item(TableName=name, Item=item)
    return name


def s3_raw(server, method, path, body=b"", signed_path=None):
    """`method path` signed by botocore's S3 signer as A's root, sent with the path as given.
    The signer signs `signed_path` (default `path`) exactly as written: S3 normalises neither
    dot segments nor slashes. A path whose key is percent-encoded beyond the canonical
    UriEncode (`%2E`, `%2F`) is signed in its canonical form, the key decoded and re-encoded
    with `/` kept (SigV4 for S3, "Canonical request": "Do not normalize URI paths", each key
    character UriEncoded except `/`)."""
    _, akid, secret = ACCOUNTS["source"]
    url = server.endpoint + (signed_path or path)
    request = AWSRequest(method=method, url=url, data=body)
    S3SigV4Auth(Credentials(akid, secret), "s3", REGION).add_auth(request)
    return send(server.endpoint + path, method, dict(request.headers.items()), body if method == "PUT" else None)


def xml_error(body):
    root = ElementTree.fromstring(body)
    assert root.tag == "Error", body
    return {child.tag: child.text for child in root}


def all_key_ids(kms):
    return {k["KeyId"] for page in kms.get_paginator("list_keys").paginate() for k in page["Keys"]}


def xml_error_query(body):
    """The Code of an IAM/STS (query protocol) XML error."""
    match = re.search(rb"<Code>([^<]+)</Code>", body)
    assert match, body
    return match.group(1).decode()


def raw_error(answer, code, http_status):
    """A raw (status, headers, body) answer is S3's XML error `code` with `http_status`."""
    got_status, _, body = answer
    fields = xml_error(body)
    assert (fields["Code"], got_status) == (code, http_status), (got_status, fields)
    return fields


# --- 1. cross-account, by name and by ARN ----------------------------------------------


def test_identity_policy_alone_does_not_open_another_accounts_table_by_arn(server):
    """B's user allowed dynamodb:* on * in its own account still reaches nothing of A's: a
    cross-account call needs A's resource policy too (DynamoDB developer guide, "Resource-based
    policy for cross-account access"); without one every data-plane and control-plane call
    given the table ARN is AccessDeniedException, 400."""
    owner = server.client("dynamodb", "source")
    table = new_table(owner, [{"pk": {"S": "secret"}, "v": {"S": "A's data"}}])
    arn = table_arn(table)
    user = new_attacker(server, "destination", allow("dynamodb:*"))
    ddb = user.client(server, "dynamodb")
    key = {"pk": {"S": "secret"}}
    calls = {
        "GetItem": lambda: ddb.get_item(TableName=arn, Key=key),
        "PutItem": lambda: ddb.put_item(TableName=arn, Item={"pk": {"S": "planted"}}),
        "DescribeTable": lambda: ddb.describe_table(TableName=arn),
        "UpdateItem": lambda: ddb.update_item(
            TableName=arn, Key=key, UpdateExpression="SET v = :v", ExpressionAttributeValues={":v": {"S": "B was here"}}
        ),
        "DeleteItem": lambda: ddb.delete_item(TableName=arn, Key=key),
        "Query": lambda: ddb.query(
            TableName=arn, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "secret"}}
        ),
        "Scan": lambda: ddb.scan(TableName=arn),
        "BatchGetItem": lambda: ddb.batch_get_item(RequestItems={arn: {"Keys": [key]}}),
        "BatchWriteItem": lambda: ddb.batch_write_item(
            RequestItems={arn: [{"PutRequest": {"Item": {"pk": {"S": "planted"}}}}]}
        ),
        "TransactWriteItems": lambda: ddb.transact_write_items(
            TransactItems=[{"Put": {"TableName": arn, "Item": {"pk": {"S": "planted"}}}}]
        ),
        "DeleteTable": lambda: ddb.delete_table(TableName=arn),
    }
    for action, call in calls.items():
        error = ddb_denied(call)
        message = error["Error"]["Message"]
        assert message.startswith(f"User: {user.arn} is not authorized to perform: dynamodb:"), (action, message)
        assert arn in message, (action, message)
    # By name, the table is looked up in B's own account.
    refused(lambda: ddb.get_item(TableName=table, Key=key), "ResourceNotFoundException", 400)
    assert owner.scan(TableName=table, ConsistentRead=True)["Items"] == [{"pk": {"S": "secret"}, "v": {"S": "A's data"}}]
    assert owner.describe_table(TableName=table)["Table"]["TableStatus"] == "ACTIVE"


def test_s3_star_user_cannot_open_another_accounts_bucket_by_side_doors(server):
    """The object and bucket sub-resources of a bucket of B, for A's user allowed s3:* on *:
    every one is AccessDenied 403 without B's bucket policy (S3 user guide, "Cross-account
    permissions": both accounts must allow). HEAD has no body, so only its status is seen."""
    bucket, owner = new_bucket(server, "destination", objects={"secret": b"B's data"})
    s3 = new_attacker(server, "source", allow("s3:*")).client(server, "s3")
    calls = [
        lambda: s3.get_object(Bucket=bucket, Key="secret"),
        lambda: s3.get_object(Bucket=bucket, Key="secret", Range="bytes=0-1"),
        lambda: s3.get_object_tagging(Bucket=bucket, Key="secret"),
        lambda: s3.put_object_tagging(Bucket=bucket, Key="secret", Tagging={"TagSet": [{"Key": "k", "Value": "v"}]}),
        lambda: s3.get_object_acl(Bucket=bucket, Key="secret"),
        lambda: s3.list_objects(Bucket=bucket),
        lambda: s3.list_object_versions(Bucket=bucket),
        lambda: s3.list_multipart_uploads(Bucket=bucket),
        lambda: s3.create_multipart_upload(Bucket=bucket, Key="planted"),
        lambda: s3.get_bucket_acl(Bucket=bucket),
        lambda: s3.delete_bucket(Bucket=bucket),
    ]
    for call in calls:
        s3_denied(call)
    error = client_error(lambda: s3.head_object(Bucket=bucket, Key="secret"))
    assert (error["Error"]["Code"], status(error)) == ("403", 403)
    assert keys_of(owner, bucket) == ["secret"]
    assert owner.get_object(Bucket=bucket, Key="secret")["Body"].read() == b"B's data"
    assert owner.get_object_tagging(Bucket=bucket, Key="secret")["TagSet"] == []
    assert owner.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


def test_iam_names_resolve_in_the_callers_own_account(server):
    """IAM names have no account part: B's root naming A's user or role reads and writes B's
    own account, where they do not exist (NoSuchEntity, 404; texts from the IAM API reference
    errors and LocalStack's AWS-validated snapshots) — it can neither read A's role nor give
    A's user a key or a policy."""
    a_iam = server.client("iam", "source")
    user = new_attacker(server, "source", prefix="victim")
    role = new_role(server, "source", root_arn(SOURCE), prefix="victim-role")
    b_iam = server.client("iam", "destination")
    refused(
        lambda: b_iam.get_role(RoleName=role["RoleName"]),
        "NoSuchEntity",
        404,
        f"The role with name {role['RoleName']} cannot be found.",
    )
    missing_user = f"The user with name {user.name} cannot be found."
    refused(lambda: b_iam.create_access_key(UserName=user.name), "NoSuchEntity", 404, missing_user)
    refused(lambda: b_iam.list_access_keys(UserName=user.name), "NoSuchEntity", 404, missing_user)
    refused(
        lambda: b_iam.put_user_policy(UserName=user.name, PolicyName="x", PolicyDocument=policy(allow("*"))),
        "NoSuchEntity",
        404,
        missing_user,
    )
    refused(lambda: b_iam.delete_user(UserName=user.name), "NoSuchEntity", 404, missing_user)
    refused(
        lambda: b_iam.update_assume_role_policy(RoleName=role["RoleName"], PolicyDocument=trust(root_arn(DEST))),
        "NoSuchEntity",
        404,
    )
    # A's entities are untouched.
    assert len(a_iam.list_access_keys(UserName=user.name)["AccessKeyMetadata"]) == 1
    assert a_iam.list_user_policies(UserName=user.name)["PolicyNames"] == []
    shown = a_iam.get_role(RoleName=role["RoleName"])["Role"]["AssumeRolePolicyDocument"]
    assert shown["Statement"][0]["Principal"]["AWS"] == root_arn(SOURCE)


def test_identity_policy_alone_does_not_open_another_accounts_kms_key(server):
    """B's user allowed kms:* on * cannot use A's key by key ARN or alias ARN while the key
    policy does not name B (KMS developer guide, "Allowing users in other accounts to use a KMS
    key": the key policy must allow the external account). AccessDeniedException, 400."""
    a_kms = server.client("kms", "source")
    meta = a_kms.create_key()["KeyMetadata"]
    alias = f"alias/{unique('victim')}"
    a_kms.create_alias(AliasName=alias, TargetKeyId=meta["KeyId"])
    blob = a_kms.encrypt(KeyId=meta["KeyId"], Plaintext=b"A's secret")["CiphertextBlob"]
    user = new_attacker(server, "destination", allow("kms:*"))
    kms = user.client(server, "kms")
    alias_arn = f"arn:aws:kms:{REGION}:{SOURCE}:{alias}"
    for call in (
        lambda: kms.decrypt(CiphertextBlob=blob),
        lambda: kms.decrypt(CiphertextBlob=blob, KeyId=meta["Arn"]),
        lambda: kms.encrypt(KeyId=meta["Arn"], Plaintext=b"x"),
        lambda: kms.generate_data_key(KeyId=meta["Arn"], KeySpec="AES_256"),
        lambda: kms.describe_key(KeyId=meta["Arn"]),
        lambda: kms.encrypt(KeyId=alias_arn, Plaintext=b"x"),
    ):
        error = refused(call, "AccessDeniedException", 400)
        assert user.arn in error["Error"]["Message"], error
    # Re-encrypting A's ciphertext under B's own key needs kms:Decrypt on A's key.
    own = server.client("kms", "destination").create_key()["KeyMetadata"]
    refused(lambda: kms.re_encrypt(CiphertextBlob=blob, DestinationKeyId=own["Arn"]), "AccessDeniedException", 400)
    assert a_kms.decrypt(CiphertextBlob=blob)["Plaintext"] == b"A's secret"


# --- 2. copies ---------------------------------------------------------------------------


def test_copy_object_from_an_unreadable_bucket_into_your_own(server):
    """CopyObject needs s3:GetObject on the source (S3 API reference, CopyObject
    "Permissions"): A's root, owner of the destination, may not launder B's object through a
    copy — AccessDenied 403, nothing written."""
    victim, owner = new_bucket(server, "destination", objects={"secret": b"B's data"})
    mine, a_s3 = new_bucket(server, "source", prefix="mine")
    s3_denied(lambda: a_s3.copy_object(Bucket=mine, Key="loot", CopySource={"Bucket": victim, "Key": "secret"}))
    s3_denied(lambda: a_s3.copy_object(Bucket=mine, Key="loot", CopySource=f"{victim}/secret"))
    assert keys_of(a_s3, mine) == []


def test_upload_part_copy_from_an_unreadable_bucket(server):
    """UploadPartCopy reads its source like CopyObject (S3 API reference, UploadPartCopy:
    s3:GetObject on the source): AccessDenied 403, whole object or a range."""
    victim, _ = new_bucket(server, "destination", objects={"secret": b"B's data" * 100})
    mine, a_s3 = new_bucket(server, "source", prefix="mine")
    upload = a_s3.create_multipart_upload(Bucket=mine, Key="loot")["UploadId"]
    source = {"Bucket": victim, "Key": "secret"}
    s3_denied(lambda: a_s3.upload_part_copy(Bucket=mine, Key="loot", UploadId=upload, PartNumber=1, CopySource=source))
    s3_denied(
        lambda: a_s3.upload_part_copy(
            Bucket=mine, Key="loot", UploadId=upload, PartNumber=1, CopySource=source, CopySourceRange="bytes=0-9"
        )
    )
    assert a_s3.list_parts(Bucket=mine, Key="loot", UploadId=upload).get("Parts", []) == []
    a_s3.abort_multipart_upload(Bucket=mine, Key="loot", UploadId=upload)


def test_copy_into_another_accounts_bucket_without_a_grant(server):
    """Copying one's own object into B's bucket needs s3:PutObject there: AccessDenied 403."""
    mine, a_s3 = new_bucket(server, "source", prefix="mine", objects={"payload": b"A's data"})
    victim, owner = new_bucket(server, "destination", objects={"target": b"B's data"})
    s3_denied(lambda: a_s3.copy_object(Bucket=victim, Key="planted", CopySource={"Bucket": mine, "Key": "payload"}))
    s3_denied(lambda: a_s3.copy_object(Bucket=victim, Key="target", CopySource={"Bucket": mine, "Key": "payload"}))
    assert keys_of(owner, victim) == ["target"]
    assert owner.get_object(Bucket=victim, Key="target")["Body"].read() == b"B's data"


def test_copy_source_with_dot_segments_stays_in_the_named_bucket(server):
    """x-amz-copy-source is `bucket/key`, split at the first slash; the key is a name and is
    never normalised (S3 user guide, "Naming objects": `..` is part of a key). So
    `mine/../victim/secret` names key `../victim/secret` of `mine`: NoSuchKey 404, not B's object."""
    victim, _ = new_bucket(server, "destination", objects={"secret": b"B's data"})
    mine, a_s3 = new_bucket(server, "source", prefix="mine")
    refused(lambda: a_s3.copy_object(Bucket=mine, Key="loot", CopySource=f"{mine}/../{victim}/secret"), "NoSuchKey", 404)
    assert keys_of(a_s3, mine) == []


# --- 3. presigned-URL tampering ------------------------------------------------------------


def _minute_earlier(amz_date):
    moment = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ") - datetime.timedelta(minutes=1)
    return moment.strftime("%Y%m%dT%H%M%SZ")


def _tamper(url, mine, victim):
    """The ways an attacker edits a presigned GetObject URL of `/mine/k`."""
    other_key = ACCOUNTS["destination"][1]
    return {
        "other-bucket": url.replace(f"/{mine}/k?", f"/{victim}/k?"),
        "added-query-parameter": url + "&response-content-type=text%2Fhtml",
        "longer-expiry": re.sub(r"X-Amz-Expires=\d+", "X-Amz-Expires=604800", url),
        "shorter-expiry": re.sub(r"X-Amz-Expires=\d+", "X-Amz-Expires=60", url),
        # A minute earlier: still within X-Amz-Expires, so only the signature can refuse it.
        "earlier-date": re.sub(r"X-Amz-Date=(\d{8}T\d{6}Z)", lambda m: "X-Amz-Date=" + _minute_earlier(m.group(1)), url),
        "other-accounts-key-id": url.replace(ACCOUNTS["source"][1], other_key),
    }


@pytest.mark.parametrize(
    "tampering",
    ["other-bucket", "added-query-parameter", "longer-expiry", "shorter-expiry", "earlier-date", "other-accounts-key-id"],
)
def test_tampered_presigned_get_is_signature_does_not_match(server, tampering):
    """Every query parameter of a presigned URL but X-Amz-Signature is signed (SigV4 "Create a
    signed request"/"Authenticating Requests: Using Query Parameters"), as are the path and the
    method: any edit is 403 SignatureDoesNotMatch, even towards a bucket holding the same key."""
    mine, a_s3 = new_bucket(server, "source", prefix="mine", objects={"k": b"A's object"})
    victim, _ = new_bucket(server, "destination", objects={"k": b"B's object"})
    url = a_s3.generate_presigned_url("get_object", Params={"Bucket": mine, "Key": "k"}, ExpiresIn=600)
    assert send(url, "GET", {})[2] == b"A's object"
    tampered = _tamper(url, mine, victim)[tampering]
    assert tampered != url
    fields = raw_error(send(tampered, "GET", {}), "SignatureDoesNotMatch", 403)
    assert "B's object" not in json.dumps(fields)


def test_presigned_get_used_with_another_method(server):
    """The method is the first line of the canonical request: a GET URL used to PUT or DELETE
    is 403 SignatureDoesNotMatch, and the object is unchanged (HEAD has no error body)."""
    mine, a_s3 = new_bucket(server, "source", prefix="mine", objects={"k": b"original"})
    url = a_s3.generate_presigned_url("get_object", Params={"Bucket": mine, "Key": "k"}, ExpiresIn=600)
    raw_error(send(url, "PUT", {}, b"overwritten"), "SignatureDoesNotMatch", 403)
    raw_error(send(url, "DELETE", {}), "SignatureDoesNotMatch", 403)
    assert send(url, "HEAD", {})[0] == 403
    assert a_s3.get_object(Bucket=mine, Key="k")["Body"].read() == b"original"


def test_presigned_url_stripped_of_every_auth_parameter_is_anonymous(server):
    """Stripped of its X-Amz-* parameters a presigned URL is an anonymous request to a private
    object: 403 AccessDenied."""
    mine, a_s3 = new_bucket(server, "source", prefix="mine", objects={"k": b"private"})
    url = a_s3.generate_presigned_url("get_object", Params={"Bucket": mine, "Key": "k"}, ExpiresIn=600)
    raw_error(send(url.split("?", 1)[0], "GET", {}), "AccessDenied", 403)


def test_presigned_url_without_its_signature_is_an_incomplete_query_signature(server):
    """With X-Amz-Algorithm/-Credential/-Date/... but no X-Amz-Signature the request is a
    query-string-signed one that lacks a part: 400 AuthorizationQueryParametersError, "Query-string
    authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature,
    X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters." (S3's answer to a presigned
    PUT, with its RequestId and HostId, recorded in the Ayvri API PHP client's uploadIgc() doc
    comment; minio, which copies S3's answers, gives the same when any of the six is missing:
    cmd/api-errors.go ErrInvalidQueryParams)."""
    mine, a_s3 = new_bucket(server, "source", prefix="mine", objects={"k": b"private"})
    url = a_s3.generate_presigned_url("get_object", Params={"Bucket": mine, "Key": "k"}, ExpiresIn=600)
    no_signature = re.sub(r"&X-Amz-Signature=[0-9a-f]+", "", url)
    assert no_signature != url
    fields = raw_error(send(no_signature, "GET", {}), "AuthorizationQueryParametersError", 400)
    assert fields["Message"] == (
        "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, "
        "X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters."
    )


def test_valid_presigned_url_for_another_accounts_bucket_is_access_denied(server):
    """A correctly signed URL carries only its signer's rights: A's root presigning B's object
    gets 403 AccessDenied, not the object."""
    victim, _ = new_bucket(server, "destination", objects={"secret": b"B's data"})
    url = root_s3(server, "source").generate_presigned_url(
        "get_object", Params={"Bucket": victim, "Key": "secret"}, ExpiresIn=600
    )
    raw_error(send(url, "GET", {}), "AccessDenied", 403)


def test_presigned_url_of_an_inactive_then_deleted_key(server):
    """A presigned URL is checked when used: once its key is Inactive or deleted it is 403
    InvalidAccessKeyId, "The AWS Access Key Id you provided does not exist in our records." (S3
    error list; spec iam-s3-authz §5.4)."""
    mine, _ = new_bucket(server, "source", prefix="mine", objects={"k": b"shared"})
    user = new_attacker(server, "source", allow("s3:GetObject", f"arn:aws:s3:::{mine}/*"))
    url = user.client(server, "s3").generate_presigned_url("get_object", Params={"Bucket": mine, "Key": "k"}, ExpiresIn=600)
    got, _, body = send(url, "GET", {})
    assert (got, body) == (200, b"shared")
    iam = server.client("iam", "source")
    akid = user.keys["aws_access_key_id"]
    iam.update_access_key(UserName=user.name, AccessKeyId=akid, Status="Inactive")
    fields = raw_error(send(url, "GET", {}), "InvalidAccessKeyId", 403)
    assert fields["Message"] == "The AWS Access Key Id you provided does not exist in our records."
    iam.delete_access_key(UserName=user.name, AccessKeyId=akid)
    fields = raw_error(send(url, "GET", {}), "InvalidAccessKeyId", 403)
    assert fields.get("AWSAccessKeyId") == akid


# --- 4. anonymous requests -------------------------------------------------------------------


def anonymous_s3(server):
    config = botocore.config.Config(
        s3={"addressing_style": "path"}, retries={"max_attempts": 1}, signature_version=botocore.UNSIGNED
    )
    return server.client("s3", config=config)


def test_anonymous_side_doors_to_a_private_bucket(server):
    """Unsigned sub-resource calls on a private bucket (Block Public Access on, no policy): each
    is 403 AccessDenied — an anonymous caller may not set a policy that opens the bucket, read
    its ACL, batch-delete, start uploads or copy its objects out."""
    bucket, owner = new_bucket(server, "destination", objects={"private": b"B's data"})
    anonymous = anonymous_s3(server)
    public = policy({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"})
    for call in (
        lambda: anonymous.put_bucket_policy(Bucket=bucket, Policy=public),
        lambda: anonymous.get_bucket_policy(Bucket=bucket),
        lambda: anonymous.delete_public_access_block(Bucket=bucket),
        lambda: anonymous.get_bucket_acl(Bucket=bucket),
        lambda: anonymous.get_object_acl(Bucket=bucket, Key="private"),
        lambda: anonymous.create_multipart_upload(Bucket=bucket, Key="planted"),
        lambda: anonymous.list_multipart_uploads(Bucket=bucket),
        lambda: anonymous.list_object_versions(Bucket=bucket),
        lambda: anonymous.copy_object(Bucket=bucket, Key="copy", CopySource={"Bucket": bucket, "Key": "private"}),
        lambda: anonymous.delete_bucket(Bucket=bucket),
    ):
        s3_denied(call)
    # DeleteObjects authorizes each key as a DeleteObject (S3 API reference, DeleteObjects: the
    # answer lists per-key Errors, Code AccessDenied); refused as a whole or key by key, the
    # object stays.
    try:
        out = anonymous.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "private"}]})
    except botocore.exceptions.ClientError as e:
        assert (e.response["Error"]["Code"], status(e.response)) == ("AccessDenied", 403)
    else:
        assert out.get("Deleted", []) == []
        assert [(e["Key"], e["Code"]) for e in out["Errors"]] == [("private", "AccessDenied")]
    refused(lambda: owner.get_bucket_policy(Bucket=bucket), "NoSuchBucketPolicy", 404)
    assert owner.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]["BlockPublicPolicy"]
    assert keys_of(owner, bucket) == ["private"]


def test_unsigned_iam_and_kms_requests_are_missing_authentication_token(server):
    """Unsigned POSTs. IAM (query protocol, like STS) answers 403 MissingAuthenticationToken
    "Request is missing Authentication Token" (AWS common errors; STS's identical answer in
    cert-manager/aws-privateca-issuer#40). KMS (JSON 1.1 on the coral stack, like DynamoDB)
    answers MissingAuthenticationTokenException (the code in awslabs/amazon-kinesis-scaling-utils#58)
    with 400, the status of KMS's client errors (spec kms-sse, "Errors"). Nothing is created."""
    name = unique("anon")
    iam_body = f"Action=CreateUser&Version=2010-05-08&UserName={name}"
    code, _, body = send(server.endpoint + "/", "POST", {"Content-Type": FORM}, iam_body.encode())
    assert code == 403, body
    assert xml_error_query(body) == "MissingAuthenticationToken"
    assert b"<Message>Request is missing Authentication Token</Message>" in body
    refused(lambda: server.client("iam", "source").get_user(UserName=name), "NoSuchEntity", 404)
    kms = server.client("kms", "source")
    before = all_key_ids(kms)
    headers = {"Content-Type": JSON_11, "X-Amz-Target": "TrentService.CreateKey"}
    code, _, body = send(server.endpoint + "/", "POST", headers, b"{}")
    assert code == 400, body
    assert json.loads(body)["__type"].rsplit("#", 1)[-1] == "MissingAuthenticationTokenException", body
    assert all_key_ids(kms) == before
    # A session token alone is no signature either.
    headers = {"Content-Type": JSON_10, "X-Amz-Target": "DynamoDB_20120810.ListTables", "X-Amz-Security-Token": "x" * 400}
    code, _, body = send(server.endpoint + "/", "POST", headers, b"{}")
    assert code == 400
    assert json.loads(body)["__type"] == "com.amazon.coral.service#MissingAuthenticationTokenException"



# --- 5. key and path tricks ------------------------------------------------------------------


def test_raw_paths_that_climb_out_of_the_bucket(server):
    """S3 does not resolve dot segments or collapse slashes: in path style the first segment is
    the bucket and the rest, decoded once, the key (S3 user guide, "Naming objects" shows
    `../` inside keys; "Methods for accessing a bucket"). A signed request for one's own bucket
    that climbs with `..`, `%2E%2E` or encoded slashes names a key of that bucket (NoSuchKey
    404, or a new key there on PUT) and never B's object."""
    victim, owner = new_bucket(server, "destination", objects={"secret": b"B's data"})
    mine, a_s3 = new_bucket(server, "source", prefix="mine")
    for path, key in [
        (f"/{mine}/../{victim}/secret", f"../{victim}/secret"),
        (f"/{mine}/%2E%2E/{victim}/secret", f"../{victim}/secret"),
        (f"/{mine}/..%2F{victim}%2Fsecret", f"../{victim}/secret"),
        (f"/{mine}/a%2F..%2F..%2F{victim}%2Fsecret", f"a/../../{victim}/secret"),
        (f"/{mine}//{victim}/secret", f"/{victim}/secret"),
    ]:
        answer = s3_raw(server, "GET", path, signed_path=f"/{mine}/{urllib.parse.quote(key, safe='/~')}")
        fields = raw_error(answer, "NoSuchKey", 404)
        assert fields.get("Key") == key, (path, fields)
    # Going the other way: a path naming B's bucket is B's bucket, whatever follows.
    raw_error(s3_raw(server, "GET", f"/{victim}/../{mine}/k"), "AccessDenied", 403)
    # A PUT that climbs writes a key of the caller's own bucket, literally named.
    got, _, body = s3_raw(server, "PUT", f"/{mine}/../{victim}/secret", body=b"A's overwrite")
    assert got == 200, body
    assert keys_of(a_s3, mine) == [f"../{victim}/secret"]
    assert owner.get_object(Bucket=victim, Key="secret")["Body"].read() == b"B's data"


def test_percent_sequences_in_keys_are_decoded_once(server):
    """A key that looks encoded (`%2e%2e%2f...`) is sent by boto3 as `%252e...` and stored
    literally: a server decoding twice would read `../` and climb. Round trip and listing show
    the literal name; B's object is untouched."""
    victim, owner = new_bucket(server, "destination", objects={"secret": b"B's data"})
    mine, a_s3 = new_bucket(server, "source", prefix="mine")
    keys = [f"%2e%2e/{victim}/secret", f"%2e%2e%2f%2e%2e%2f{victim}%2fsecret", f"..%5c{victim}%5csecret", "%00"]
    for key in keys:
        a_s3.put_object(Bucket=mine, Key=key, Body=key.encode())
    assert keys_of(a_s3, mine) == sorted(keys)
    for key in keys:
        assert a_s3.get_object(Bucket=mine, Key=key)["Body"].read() == key.encode()
    assert owner.get_object(Bucket=victim, Key="secret")["Body"].read() == b"B's data"
    assert keys_of(owner, victim) == ["secret"]


def test_double_slash_keys_are_distinct_keys(server):
    """`/bucket//k` addresses key `/k`, not `k` (slashes are not collapsed)."""
    mine, a_s3 = new_bucket(server, "source", prefix="mine", objects={"/lead": b"leading slash", "lead": b"plain"})
    got, _, body = s3_raw(server, "GET", f"/{mine}//lead")
    assert (got, body) == (200, b"leading slash")
    got, _, body = s3_raw(server, "GET", f"/{mine}/lead")
    assert (got, body) == (200, b"plain")
    raw_error(s3_raw(server, "GET", f"/{mine}///lead"), "NoSuchKey", 404)


@pytest.mark.parametrize("variant", ["upper", "trailing-dot", "leading-dot"])
def test_bucket_name_variants_do_not_alias_an_existing_bucket(server, variant):
    """Names that a lenient server might fold onto B's bucket are invalid names, not B's
    bucket and not a new one: 400 InvalidBucketName, "The specified bucket is not valid." (S3
    user guide, "General purpose bucket naming rules": lowercase, begin and end with a letter or
    digit)."""
    victim, owner = new_bucket(server, "destination", prefix="victim")
    name = {
        "upper": victim.upper(),
        "trailing-dot": victim + ".",
        "leading-dot": "." + victim,
    }[variant]
    a_s3 = root_s3(server, "source")
    refused(lambda: a_s3.create_bucket(Bucket=name), "InvalidBucketName", 400, "The specified bucket is not valid.")
    assert victim in [b["Name"] for b in owner.list_buckets()["Buckets"]]
    assert name not in [b["Name"] for b in a_s3.list_buckets()["Buckets"]]


# --- 6. expired, deactivated and deleted credentials -------------------------------------------


def test_deactivated_then_deleted_user_key_per_service(server):
    """A long-term key made Inactive, then deleted, is unknown to every service, each in its
    own words (spec iam-s3-authz §5.4, from the services' error lists): DynamoDB and KMS
    UnrecognizedClientException 400, S3 InvalidAccessKeyId 403, IAM InvalidClientTokenId 403.
    STS with an Inactive key: test_iam_users.py."""
    user = new_attacker(server, "source", allow("*"))
    clients = {service: user.client(server, service) for service in ("dynamodb", "s3", "iam", "kms", "sts")}
    calls = {
        "dynamodb": clients["dynamodb"].list_tables,
        "kms": clients["kms"].list_keys,
        "s3": clients["s3"].list_buckets,
        "iam": clients["iam"].list_users,
        "sts": clients["sts"].get_caller_identity,
    }
    for call in calls.values():
        call()
    expected = {
        "dynamodb": ("UnrecognizedClientException", 400),
        "kms": ("UnrecognizedClientException", 400),
        "s3": ("InvalidAccessKeyId", 403),
        "iam": ("InvalidClientTokenId", 403),
        "sts": ("InvalidClientTokenId", 403),
    }
    iam = server.client("iam", "source")
    akid = user.keys["aws_access_key_id"]
    for change in ("Inactive", "deleted"):
        if change == "Inactive":
            iam.update_access_key(UserName=user.name, AccessKeyId=akid, Status="Inactive")
        else:
            iam.delete_access_key(UserName=user.name, AccessKeyId=akid)
        for service, call in calls.items():
            error = refused(call, *expected[service])
            if service != "s3":
                assert error["Error"]["Message"] == "The security token included in the request is invalid.", (change, service)


@pytest.fixture
def own_server(fresh_data_dir):
    """A server of this test's own, for moving its clock."""
    s = start_server(fresh_data_dir)
    yield s
    s.stop()


def test_expired_role_session_per_service(own_server):
    """Role-session credentials past their expiry, per service (spec iam-s3-authz §4.2 and
    §5.4): S3 400 ExpiredToken "The provided token has expired."; DynamoDB and KMS 400
    ExpiredTokenException; IAM 403 ExpiredToken "The security token included in the request is
    expired". A presigned URL made with them expires with them, whatever X-Amz-Expires says
    (S3 user guide, "Sharing objects with presigned URLs": a URL made with temporary
    credentials expires when they do)."""
    s = own_server
    bucket, _ = new_bucket(s, "source", objects={"k": b"x"})
    role = new_role(s, "source", root_arn(SOURCE), allow("*"), prefix="broad")
    _, sts = role_assumer(s)
    session = session_of(sts, role, DurationSeconds=900)
    clients = {service: session.client(s, service) for service in ("dynamodb", "s3", "iam", "kms")}
    url = clients["s3"].generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"}, ExpiresIn=7200)
    assert send(url, "GET", {})[0] == 200
    clients["dynamodb"].list_tables()
    s.advance_clock(901)
    expired = "The security token included in the request is expired"
    refused(clients["s3"].list_buckets, "ExpiredToken", 400, "The provided token has expired.")
    refused(lambda: clients["s3"].get_object(Bucket=bucket, Key="k"), "ExpiredToken", 400)
    refused(clients["dynamodb"].list_tables, "ExpiredTokenException", 400, expired)
    refused(clients["kms"].list_keys, "ExpiredTokenException", 400, expired)
    refused(clients["iam"].list_users, "ExpiredToken", 403, expired)
    raw_error(send(url, "GET", {}), "ExpiredToken", 400)


def test_altered_or_missing_session_token_per_service(server):
    """A session token with one character changed, or none with the session's ASIA key, is not
    a credential: S3 400 InvalidToken "The provided token is malformed or otherwise invalid."
    (S3 error list; AWS's answer in s3tools/s3cmd#297); DynamoDB and KMS 400
    UnrecognizedClientException; IAM 403 InvalidClientTokenId. (STS: test_sessions.py; S3
    without a token: the next test.)"""
    role = new_role(server, "source", root_arn(SOURCE), allow("*"), prefix="broad")
    _, sts = role_assumer(server)
    session = session_of(sts, role)
    token = session.keys["aws_session_token"]
    middle = len(token) // 2
    altered_token = token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1 :]
    altered = Principal(session.arn, "source", session.keys["aws_access_key_id"], session.keys["aws_secret_access_key"], altered_token)
    no_token = Principal(session.arn, "source", session.keys["aws_access_key_id"], session.keys["aws_secret_access_key"])
    session.client(server, "s3").list_buckets()
    invalid = "The security token included in the request is invalid."
    refused(altered.client(server, "s3").list_buckets, "InvalidToken", 400, "The provided token is malformed or otherwise invalid.")
    refused(altered.client(server, "dynamodb").list_tables, "UnrecognizedClientException", 400, invalid)
    refused(altered.client(server, "kms").list_keys, "UnrecognizedClientException", 400, invalid)
    refused(altered.client(server, "iam").list_users, "InvalidClientTokenId", 403, invalid)
    refused(no_token.client(server, "dynamodb").list_tables, "UnrecognizedClientException", 400, invalid)
    refused(no_token.client(server, "kms").list_keys, "UnrecognizedClientException", 400, invalid)
    refused(no_token.client(server, "iam").list_users, "InvalidClientTokenId", 403, invalid)


# --- 7. role chaining ---------------------------------------------------------------------------


def chain(server):
    """Role A of account A (trusting its account; may assume any role), assumed by a user: the
    first hop. Returns (role A, a Principal for its session)."""
    role_a = new_role(server, "source", root_arn(SOURCE), allow("sts:AssumeRole"), prefix="hop-a")
    _, sts = role_assumer(server)
    return role_a, session_of(sts, role_a, "hop1")


def test_a_role_session_chains_only_into_roles_that_trust_it(server):
    """Role B trusts role A's ARN; role C trusts another role. A's session may assume B, not C:
    403 AccessDenied "User: <session ARN> is not authorized to perform: sts:AssumeRole on
    resource: <role ARN>" (IAM user guide, "Role chaining"; the text of test_roles.py)."""
    role_a, session = chain(server)
    other = new_role(server, "source", root_arn(SOURCE), prefix="other")
    role_b = new_role(server, "destination", role_a["Arn"], prefix="hop-b")
    role_c = new_role(server, "destination", other["Arn"], prefix="hop-c")
    sts = session.client(server, "sts")
    out = sts.assume_role(RoleArn=role_b["Arn"], RoleSessionName="hop2")
    assert out["AssumedRoleUser"]["Arn"] == f"arn:aws:sts::{DEST}:assumed-role/{role_b['RoleName']}/hop2"
    refused(
        lambda: sts.assume_role(RoleArn=role_c["Arn"], RoleSessionName="hop2"),
        "AccessDenied",
        403,
        f"User: {session.arn} is not authorized to perform: sts:AssumeRole on resource: {role_c['Arn']}",
    )
    # B's session cannot hop on into C either: it has no permission of its own.
    b_sts = Principal(
        out["AssumedRoleUser"]["Arn"], "destination", out["Credentials"]["AccessKeyId"],
        out["Credentials"]["SecretAccessKey"], out["Credentials"]["SessionToken"],
    ).client(server, "sts")
    refused(lambda: b_sts.assume_role(RoleArn=role_c["Arn"], RoleSessionName="hop3"), "AccessDenied", 403)


def test_a_chained_session_is_limited_to_one_hour(server):
    """Role chaining caps a session at one hour whatever the role's MaxSessionDuration (IAM user
    guide, "Role chaining"; STS AssumeRole, DurationSeconds): above 3600 is 400 ValidationError
    with AWS's sentence. A user assuming the same role may ask for more."""
    role_a, session = chain(server)
    role_b = new_role(
        server, "destination", [role_a["Arn"], root_arn(SOURCE)], prefix="hop-b", MaxSessionDuration=43200
    )
    sts = session.client(server, "sts")
    refused(
        lambda: sts.assume_role(RoleArn=role_b["Arn"], RoleSessionName="long", DurationSeconds=3601),
        "ValidationError",
        400,
        "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.",
    )
    assert sts.assume_role(RoleArn=role_b["Arn"], RoleSessionName="hour", DurationSeconds=3600)["Credentials"]
    _, user_sts = role_assumer(server)
    assert user_sts.assume_role(RoleArn=role_b["Arn"], RoleSessionName="user", DurationSeconds=7200)["Credentials"]


def test_a_session_policy_on_a_chained_session_narrows_and_never_widens(server):
    """A session policy makes the session's permissions the intersection of the role's and its
    own (IAM user guide, "Session policies"): on the second hop, an action the role allows but
    the session policy does not is AccessDeniedException; one the session policy allows but
    the role does not is denied as well."""
    owner = server.client("dynamodb", "source")
    table = new_table(owner, [{"pk": {"S": "k"}}])
    role_a, session = chain(server)
    role_b = new_role(
        server, "source", role_a["Arn"], allow(["dynamodb:GetItem", "dynamodb:PutItem"], table_arn(table)), prefix="hop-b"
    )
    narrowing = policy(allow("dynamodb:GetItem", table_arn(table)), allow(["s3:*", "iam:*", "dynamodb:DeleteItem"]))
    hop2 = session_of(session.client(server, "sts"), role_b, "hop2", Policy=narrowing)
    ddb = hop2.client(server, "dynamodb")
    assert ddb.get_item(TableName=table, Key={"pk": {"S": "k"}})["Item"] == {"pk": {"S": "k"}}
    ddb_denied(lambda: ddb.put_item(TableName=table, Item={"pk": {"S": "planted"}}))
    ddb_denied(lambda: ddb.delete_item(TableName=table, Key={"pk": {"S": "k"}}))
    s3_denied(hop2.client(server, "s3").list_buckets)
    refused(hop2.client(server, "iam").list_users, "AccessDenied", 403)
    assert len(owner.scan(TableName=table, ConsistentRead=True)["Items"]) == 1


# --- 8. privilege escalation -----------------------------------------------------------------------


def test_a_user_without_policies_cannot_escalate(server):
    """A user with no policy may not give itself or another user keys or policies: every IAM
    write is 403 AccessDenied "User: <arn> is not authorized to perform: iam:<Action> ..."
    (IAM user guide, "Permissions required to access IAM resources"), and nothing changes."""
    iam = server.client("iam", "source")
    attacker = new_attacker(server, "source")
    victim = new_attacker(server, "source", prefix="victim")
    admin = iam.create_policy(PolicyName=unique("admin"), PolicyDocument=policy(allow("*")))["Policy"]["Arn"]
    as_attacker = attacker.client(server, "iam")
    admin_doc = policy(allow("*"))
    attempts = {
        "CreateAccessKey": lambda: as_attacker.create_access_key(UserName=victim.name),
        "UpdateAccessKey": lambda: as_attacker.update_access_key(
            UserName=victim.name, AccessKeyId=victim.keys["aws_access_key_id"], Status="Inactive"
        ),
        "AttachUserPolicy": lambda: as_attacker.attach_user_policy(UserName=attacker.name, PolicyArn=admin),
        "PutUserPolicy": lambda: as_attacker.put_user_policy(UserName=attacker.name, PolicyName="own", PolicyDocument=admin_doc),
        "CreatePolicyVersion": lambda: as_attacker.create_policy_version(PolicyArn=admin, PolicyDocument=admin_doc, SetAsDefault=True),
    }
    for action, call in attempts.items():
        error = refused(call, "AccessDenied", 403)
        assert error["Error"]["Message"].startswith(
            f"User: {attacker.arn} is not authorized to perform: iam:{action} on resource: "
        ), error["Error"]
    # Its own key is no exception: CreateAccessKey without a UserName is on itself.
    refused(as_attacker.create_access_key, "AccessDenied", 403)
    assert len(iam.list_access_keys(UserName=victim.name)["AccessKeyMetadata"]) == 1
    assert iam.list_access_keys(UserName=victim.name)["AccessKeyMetadata"][0]["Status"] == "Active"
    assert len(iam.list_access_keys(UserName=attacker.name)["AccessKeyMetadata"]) == 1
    assert iam.list_user_policies(UserName=attacker.name)["PolicyNames"] == []
    assert iam.list_attached_user_policies(UserName=attacker.name)["AttachedPolicies"] == []


def test_a_role_trusting_the_account_root_needs_an_identity_allow(server):
    """A trust policy naming the account root delegates to the account's IAM policies (IAM user
    guide, "How IAM roles differ from resource-based policies"; sts:AssumeRole): a user of the
    same account without an identity allow is 403 AccessDenied. (Cross-account: test_roles.py.)"""
    role = new_role(server, "source", root_arn(SOURCE), allow("*"), prefix="admin-role")
    attacker = new_attacker(server, "source")
    refused(
        lambda: attacker.client(server, "sts").assume_role(RoleArn=role["Arn"], RoleSessionName="escalate"),
        "AccessDenied",
        403,
        f"User: {attacker.arn} is not authorized to perform: sts:AssumeRole on resource: {role['Arn']}",
    )


def test_key_rights_scoped_to_oneself_do_not_reach_another_user(server):
    """A user allowed to manage only its own keys (the IAM user guide's "allows IAM users to
    rotate their own credentials" policy, with the user's ARN as the resource) cannot create or
    list keys of another user: 403 AccessDenied."""
    attacker_name = unique("self-service")
    iam = server.client("iam", "source")
    arn = iam.create_user(UserName=attacker_name)["User"]["Arn"]
    iam.put_user_policy(
        UserName=attacker_name,
        PolicyName="own-keys",
        PolicyDocument=policy(allow(["iam:CreateAccessKey", "iam:ListAccessKeys", "iam:DeleteAccessKey"], arn)),
    )
    key = iam.create_access_key(UserName=attacker_name)["AccessKey"]
    as_attacker = server.client(
        "iam", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"]
    )
    victim = new_attacker(server, "source", prefix="victim")
    assert len(as_attacker.list_access_keys(UserName=attacker_name)["AccessKeyMetadata"]) == 1
    refused(lambda: as_attacker.create_access_key(UserName=victim.name), "AccessDenied", 403)
    refused(lambda: as_attacker.list_access_keys(UserName=victim.name), "AccessDenied", 403)
    refused(
        lambda: as_attacker.delete_access_key(UserName=victim.name, AccessKeyId=victim.keys["aws_access_key_id"]),
        "AccessDenied",
        403,
    )
    assert len(iam.list_access_keys(UserName=victim.name)["AccessKeyMetadata"]) == 1


def test_a_role_session_cannot_rewrite_its_own_role(server):
    """A session of a role that may only read itself cannot widen its trust or permissions:
    iam:UpdateAssumeRolePolicy, iam:PutRolePolicy and iam:AttachRolePolicy on its own role are
    403 AccessDenied."""
    iam = server.client("iam", "source")
    role = new_role(server, "source", root_arn(SOURCE), prefix="reader")
    iam.put_role_policy(RoleName=role["RoleName"], PolicyName="p", PolicyDocument=policy(allow("iam:GetRole", role["Arn"])))
    admin = iam.create_policy(PolicyName=unique("admin"), PolicyDocument=policy(allow("*")))["Policy"]["Arn"]
    _, sts = role_assumer(server)
    as_session = session_of(sts, role, "self").client(server, "iam")
    assert as_session.get_role(RoleName=role["RoleName"])["Role"]["Arn"] == role["Arn"]
    for call in (
        lambda: as_session.update_assume_role_policy(RoleName=role["RoleName"], PolicyDocument=trust(root_arn(DEST))),
        lambda: as_session.put_role_policy(RoleName=role["RoleName"], PolicyName="more", PolicyDocument=policy(allow("*"))),
        lambda: as_session.attach_role_policy(RoleName=role["RoleName"], PolicyArn=admin),
    ):
        refused(call, "AccessDenied", 403)
    assert iam.list_role_policies(RoleName=role["RoleName"])["PolicyNames"] == ["p"]
    assert iam.list_attached_role_policies(RoleName=role["RoleName"])["AttachedPolicies"] == []
    shown = iam.get_role(RoleName=role["RoleName"])["Role"]["AssumeRolePolicyDocument"]
    assert shown["Statement"][0]["Principal"]["AWS"] == root_arn(SOURCE)


def test_session_key_without_its_token_on_s3_is_invalid_access_key_id(server):
    """An ASIA key id sent to S3 without X-Amz-Security-Token is a key S3 does not know: 403
    InvalidAccessKeyId "The AWS Access Key Id you provided does not exist in our records." (AWS's
    answer to exactly that, quoted in MathieuLoutre/grunt-aws-s3#38; spec iam-s3-authz §5.4:
    ASIA keys need their token). InvalidToken is S3's answer to a token that is present but
    malformed."""
    role = new_role(server, "source", root_arn(SOURCE), allow("*"), prefix="broad")
    _, sts = role_assumer(server)
    session = session_of(sts, role)
    no_token = Principal(session.arn, "source", session.keys["aws_access_key_id"], session.keys["aws_secret_access_key"])
    refused(
        no_token.client(server, "s3").list_buckets,
        "InvalidAccessKeyId",
        403,
        "The AWS Access Key Id you provided does not exist in our records.",
    )
