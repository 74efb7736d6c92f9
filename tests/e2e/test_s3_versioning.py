"""S3 bucket versioning end to end, through boto3 (path-style) and the AWS CLI:
Get/PutBucketVersioning (Enabled, Suspended, malformed values); version ids on PutObject,
GetObject and HeadObject; delete markers (simple deletes, GET/HEAD on a marker, removing a
marker to restore the object); permanent deletes by version id; the "null" version of objects
written while unversioned or suspended; ListObjectVersions (order, IsLatest, Prefix, Delimiter,
MaxKeys with key/version-id markers, the paginator); invalid and missing version ids;
DeleteObjects, CopyObject, multipart uploads and object tagging with version ids; emptying and
deleting a versioned bucket (also `aws s3 rb --force`); IAM's s3:GetObjectVersion and
s3:ListBucketVersions, and a cross-account bucket-policy grant of s3:GetObjectVersion.

Expectations come from AWS, never from strata: the S3 API reference and user guide, ceph's
s3-tests (s3tests_boto3/functional/test_s3.py, run against AWS too) and LocalStack's
AWS-validated snapshot tests (tests/aws/services/s3/test_s3_api.py, test_s3_list_operations.py
and their .snapshot.json files). "LocalStack snapshot X" below names the recorded AWS answer."""

import hashlib
import json
import string

import pytest

from aws_helpers import policy, unique
from s3_helpers import status, headers, expect_error, s3_client

SOURCE = "111111111111"  # account "source" in conftest.ACCOUNTS

MALFORMED_XML = "The XML you provided was not well-formed or did not validate against our published schema"
NOT_ALLOWED = "The specified method is not allowed against this resource."
NO_SUCH_VERSION = "The specified version does not exist."
INVALID_VERSION_ID = "Invalid version id specified"


# --- helpers --------------------------------------------------------------------------






def md5_etag(data):
    return '"' + hashlib.md5(data).hexdigest() + '"'


def set_versioning(client, bucket, state):
    out = client.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": state})
    assert status(out) == 200
    return out


def new_bucket(client, prefix="versions", versioning=None):
    """A new bucket; `versioning` ("Enabled" or "Suspended") is set right after creation."""
    name = unique(prefix)
    client.create_bucket(Bucket=name)
    if versioning:
        set_versioning(client, name, versioning)
    return name


def put(client, bucket, key, body):
    """Writes `body` under `key`; returns the version id S3 answered (None if it sent none)."""
    return client.put_object(Bucket=bucket, Key=key, Body=body).get("VersionId")


def body_of(client, bucket, key, version_id=None):
    kwargs = {"VersionId": version_id} if version_id else {}
    return client.get_object(Bucket=bucket, Key=key, **kwargs)["Body"].read()


def version_rows(listing):
    """(Key, VersionId, IsLatest) of a ListObjectVersions page's object versions, in order."""
    return [(v["Key"], v["VersionId"], v["IsLatest"]) for v in listing.get("Versions", [])]


def marker_rows(listing):
    """(Key, VersionId, IsLatest) of a ListObjectVersions page's delete markers, in order."""
    return [(m["Key"], m["VersionId"], m["IsLatest"]) for m in listing.get("DeleteMarkers", [])]


def prefixes_of(listing):
    return [p["Prefix"] for p in listing.get("CommonPrefixes", [])]


def keys_of(client, bucket):
    return [o["Key"] for o in client.list_objects_v2(Bucket=bucket).get("Contents", [])]


def all_versions(client, bucket, **kwargs):
    """Every object version and delete marker, through boto3's paginator: two lists of
    (Key, VersionId, IsLatest)."""
    versions, markers = [], []
    for page in client.get_paginator("list_object_versions").paginate(Bucket=bucket, **kwargs):
        versions += version_rows(page)
        markers += marker_rows(page)
    return versions, markers


def empty_bucket(client, bucket):
    """Deletes every object version and delete marker (ListObjectVersions, then DeleteObjects by
    version id, 1000 a request), as boto3's `bucket.object_versions.delete()` does. Works on
    unversioned buckets too: there every object is the version "null"."""
    versions, markers = all_versions(client, bucket)
    entries = [{"Key": key, "VersionId": version_id} for key, version_id, _ in versions + markers]
    for start in range(0, len(entries), 1000):
        out = client.delete_objects(Bucket=bucket, Delete={"Objects": entries[start : start + 1000], "Quiet": True})
        assert status(out) == 200
        assert not out.get("Errors"), out["Errors"]
    return len(entries)


def allow(actions, resources):
    return {"Effect": "Allow", "Action": actions, "Resource": resources}


def grant(principal, actions, resources):
    """A bucket-policy statement for an `AWS` principal."""
    return {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": actions, "Resource": resources}


def bucket_arn(bucket):
    return f"arn:aws:s3:::{bucket}"


def objects_arn(bucket):
    return f"arn:aws:s3:::{bucket}/*"


def user_with_key(server, prefix, *statements, account="source"):
    """An IAM user with `statements` as its inline identity policy, and an S3 client signing
    with its new access key."""
    iam = server.client("iam", account)
    name = unique(prefix)
    iam.create_user(UserName=name)
    if statements:
        iam.put_user_policy(UserName=name, PolicyName="s3", PolicyDocument=policy(*statements))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return s3_client(server, account, aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])


def denied(call):
    return expect_error(call, "AccessDenied", 403)


@pytest.fixture
def s3(server):
    return s3_client(server)


@pytest.fixture
def bucket(s3):
    """An unversioned bucket."""
    return new_bucket(s3, "plain")


@pytest.fixture
def versioned(s3):
    """A bucket with versioning Enabled."""
    return new_bucket(s3, "versioned", versioning="Enabled")


# --- Get/PutBucketVersioning ----------------------------------------------------------


def test_new_bucket_has_no_bucket_versioning_status(s3, bucket):
    # LocalStack snapshot test_bucket_versioning_crud "get-versioning-before": an empty
    # VersioningConfiguration, neither Status nor MFADelete.
    out = s3.get_bucket_versioning(Bucket=bucket)
    assert status(out) == 200
    assert "Status" not in out
    assert "MFADelete" not in out


def test_bucket_versioning_status_enabled_then_suspended(s3, bucket):
    set_versioning(s3, bucket, "Enabled")
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    # Enabling twice is fine (ceph test_versioning_bucket_create_suspend).
    set_versioning(s3, bucket, "Enabled")
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    set_versioning(s3, bucket, "Suspended")
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Suspended"
    set_versioning(s3, bucket, "Enabled")
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"


def test_bucket_versioning_status_suspended_on_a_never_versioned_bucket(s3, bucket):
    # LocalStack snapshot "put-versioning-suspended-before" / "get-versioning-after-suspended".
    set_versioning(s3, bucket, "Suspended")
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Suspended"


# "enabled" (lowercase) and "Disabled" are both MalformedXML on AWS (LocalStack snapshot
# test_bucket_versioning_crud "put-versioning-enabled-lowercase", "put-versioning-disabled"):
# the schema allows only Enabled and Suspended, so a bucket can never go back to unversioned.
@pytest.mark.parametrize("value", ["enabled", "Disabled", "Bogus"])
def test_bucket_versioning_status_other_values_are_malformed_xml(s3, bucket, value):
    set_versioning(s3, bucket, "Enabled")
    expect_error(
        lambda: s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": value}),
        "MalformedXML",
        400,
        MALFORMED_XML,
    )
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"


def test_bucket_versioning_status_missing_is_illegal_configuration(s3, bucket):
    # LocalStack snapshot "put-versioning-empty".
    expect_error(
        lambda: s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={}),
        "IllegalVersioningConfigurationException",
        400,
        "The Versioning element must be specified",
    )
    assert "Status" not in s3.get_bucket_versioning(Bucket=bucket)


def test_bucket_versioning_status_of_a_missing_bucket(s3):
    missing = unique("missing")
    message = "The specified bucket does not exist"
    error = expect_error(lambda: s3.get_bucket_versioning(Bucket=missing), "NoSuchBucket", 404, message)
    assert error["Error"].get("BucketName") == missing
    expect_error(
        lambda: s3.put_bucket_versioning(Bucket=missing, VersioningConfiguration={"Status": "Enabled"}),
        "NoSuchBucket",
        404,
        message,
    )


# --- PutObject / GetObject / HeadObject with version ids ------------------------------


def test_put_on_an_unversioned_bucket_has_no_version_id(s3, bucket):
    # LocalStack snapshot test_delete_object "put-object": no VersionId on an unversioned bucket.
    out = s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert "VersionId" not in out
    assert "x-amz-version-id" not in headers(out)
    assert "VersionId" not in s3.get_object(Bucket=bucket, Key="k")


def test_each_put_on_a_versioned_bucket_returns_a_new_version_id(s3, versioned):
    ids = [put(s3, versioned, "k", f"body {i}".encode()) for i in range(4)]
    assert all(ids)
    assert len(set(ids)) == 4
    assert "null" not in ids
    # Another key gets its own ids.
    assert put(s3, versioned, "other", b"x") not in ids


def test_version_ids_look_like_aws_version_ids(s3, versioned):
    # LocalStack test_object_version_id_format (checked against over 100 AWS ids): 32 characters
    # of letters, digits, "." and "_", e.g. gS53zabD7XTvkrwbjMnXlBylVWetO8ym.
    allowed = set(string.ascii_letters + string.digits + "._")
    for i in range(3):
        version_id = put(s3, versioned, f"k{i}", b"x")
        assert len(version_id) == 32, version_id
        assert set(version_id) <= allowed, version_id


def test_get_and_head_by_version_id(s3, versioned):
    bodies = [b"first version", b"second, longer version", b"third"]
    ids = [put(s3, versioned, "doc", body) for body in bodies]
    for version_id, body in zip(ids, bodies):
        got = s3.get_object(Bucket=versioned, Key="doc", VersionId=version_id)
        assert got["Body"].read() == body
        assert got["VersionId"] == version_id
        assert headers(got)["x-amz-version-id"] == version_id
        assert got["ETag"] == md5_etag(body)
        assert got["ContentLength"] == len(body)
        head = s3.head_object(Bucket=versioned, Key="doc", VersionId=version_id)
        assert head["VersionId"] == version_id
        assert head["ETag"] == md5_etag(body)
        assert head["ContentLength"] == len(body)


def test_get_without_version_returns_the_latest(s3, versioned):
    put(s3, versioned, "doc", b"old")
    latest = put(s3, versioned, "doc", b"new")
    got = s3.get_object(Bucket=versioned, Key="doc")
    assert got["Body"].read() == b"new"
    # The current version's id comes back (ceph test_versioned_object_acl_no_version_specified
    # reads get_object()['VersionId']).
    assert got["VersionId"] == latest
    assert s3.head_object(Bucket=versioned, Key="doc")["VersionId"] == latest
    assert keys_of(s3, versioned) == ["doc"]


# --- delete markers -------------------------------------------------------------------


def test_delete_without_version_creates_a_delete_marker(s3, versioned):
    version_id = put(s3, versioned, "doc", b"kept")
    out = s3.delete_object(Bucket=versioned, Key="doc")
    # LocalStack snapshot test_delete_object_versioned "delete-object".
    assert status(out) == 204
    assert out["DeleteMarker"] is True
    marker_id = out["VersionId"]
    assert marker_id and marker_id not in (version_id, "null")
    assert keys_of(s3, versioned) == []
    # The version is still there, under its id.
    assert body_of(s3, versioned, "doc", version_id) == b"kept"


def test_get_under_a_delete_marker_is_no_such_key_with_the_marker_headers(s3, versioned):
    put(s3, versioned, "doc", b"x")
    marker_id = s3.delete_object(Bucket=versioned, Key="doc")["VersionId"]
    # LocalStack snapshot "get-deleted-object" and its header checks against AWS.
    error = expect_error(
        lambda: s3.get_object(Bucket=versioned, Key="doc"), "NoSuchKey", 404, "The specified key does not exist."
    )
    assert error["Error"].get("Key") == "doc"
    assert headers(error)["x-amz-delete-marker"] == "true"
    assert headers(error)["x-amz-version-id"] == marker_id


def test_head_under_a_delete_marker_is_404_with_the_marker_header(s3, versioned):
    put(s3, versioned, "doc", b"x")
    s3.delete_object(Bucket=versioned, Key="doc")
    # HeadObject reference, x-amz-delete-marker: "If the current version of the object is a
    # delete marker, Amazon S3 behaves as if the object was deleted and includes
    # x-amz-delete-marker: true in the response." HEAD errors have no body: botocore's code is "404".
    error = expect_error(lambda: s3.head_object(Bucket=versioned, Key="doc"), "404", 404)
    assert headers(error)["x-amz-delete-marker"] == "true"


def test_get_of_a_delete_marker_version_is_method_not_allowed(s3, versioned):
    put(s3, versioned, "doc", b"x")
    marker_id = s3.delete_object(Bucket=versioned, Key="doc")["VersionId"]
    # LocalStack snapshot "get-delete-marker": 405 MethodNotAllowed, Method GET, ResourceType
    # DeleteMarker, and the headers x-amz-delete-marker, x-amz-version-id and Allow: DELETE.
    error = expect_error(
        lambda: s3.get_object(Bucket=versioned, Key="doc", VersionId=marker_id), "MethodNotAllowed", 405, NOT_ALLOWED
    )
    assert error["Error"].get("Method") == "GET"
    assert error["Error"].get("ResourceType") == "DeleteMarker"
    assert headers(error)["x-amz-delete-marker"] == "true"
    assert headers(error)["x-amz-version-id"] == marker_id
    assert headers(error)["allow"] == "DELETE"


def test_head_of_a_delete_marker_version_is_405(s3, versioned):
    put(s3, versioned, "doc", b"x")
    marker_id = s3.delete_object(Bucket=versioned, Key="doc")["VersionId"]
    # HeadObject reference: "If the specified version in the request is a delete marker, the
    # response returns a 405 Method Not Allowed error and the Last-Modified: timestamp response
    # header." No body on HEAD, so botocore's code is "405".
    error = expect_error(lambda: s3.head_object(Bucket=versioned, Key="doc", VersionId=marker_id), "405", 405)
    assert headers(error)["x-amz-delete-marker"] == "true"
    assert headers(error).get("last-modified")


def test_deleting_the_delete_marker_restores_the_object(s3, versioned):
    version_id = put(s3, versioned, "doc", b"restored")
    marker_id = s3.delete_object(Bucket=versioned, Key="doc")["VersionId"]
    out = s3.delete_object(Bucket=versioned, Key="doc", VersionId=marker_id)
    # LocalStack snapshot "delete-delete-marker": DeleteMarker true and the marker's id.
    assert status(out) == 204
    assert out["DeleteMarker"] is True
    assert out["VersionId"] == marker_id
    got = s3.get_object(Bucket=versioned, Key="doc")
    assert got["Body"].read() == b"restored"
    assert got["VersionId"] == version_id
    assert keys_of(s3, versioned) == ["doc"]
    versions, markers = all_versions(s3, versioned)
    assert versions == [("doc", version_id, True)]
    assert markers == []


def test_delete_markers_stack_up(s3, versioned):
    version_id = put(s3, versioned, "doc", b"x")
    first = s3.delete_object(Bucket=versioned, Key="doc")["VersionId"]
    second = s3.delete_object(Bucket=versioned, Key="doc")["VersionId"]
    assert first != second
    # LocalStack snapshot "list-object-versions": both markers, the newest one latest.
    listing = s3.list_object_versions(Bucket=versioned, Prefix="doc")
    assert marker_rows(listing) == [("doc", second, True), ("doc", first, False)]
    assert version_rows(listing) == [("doc", version_id, False)]
    # Removing the older marker leaves the object hidden behind the newer one.
    s3.delete_object(Bucket=versioned, Key="doc", VersionId=first)
    expect_error(lambda: s3.get_object(Bucket=versioned, Key="doc"), "NoSuchKey", 404)


def test_delete_of_a_never_written_key_creates_a_delete_marker(s3, versioned):
    # LocalStack snapshot "delete-wrong-key" and ceph
    # test_versioning_multi_object_delete_with_marker_create.
    out = s3.delete_object(Bucket=versioned, Key="never-written")
    assert status(out) == 204
    assert out["DeleteMarker"] is True
    versions, markers = all_versions(s3, versioned)
    assert versions == []
    assert markers == [("never-written", out["VersionId"], True)]


# --- deleting versions permanently ----------------------------------------------------


def test_delete_by_version_id_removes_that_version(s3, versioned):
    first = put(s3, versioned, "doc", b"one")
    second = put(s3, versioned, "doc", b"two")
    out = s3.delete_object(Bucket=versioned, Key="doc", VersionId=first)
    # LocalStack snapshot "delete-object-version": the version id, and no DeleteMarker field.
    assert status(out) == 204
    assert out["VersionId"] == first
    assert "DeleteMarker" not in out
    versions, markers = all_versions(s3, versioned)
    assert versions == [("doc", second, True)]
    assert markers == []
    assert body_of(s3, versioned, "doc") == b"two"


def test_deleting_the_current_version_makes_the_previous_one_current(s3, versioned):
    # ceph test_versioning_obj_create_read_remove_head.
    ids = [put(s3, versioned, "doc", f"content-{i}".encode()) for i in range(3)]
    s3.delete_object(Bucket=versioned, Key="doc", VersionId=ids[2])
    got = s3.get_object(Bucket=versioned, Key="doc")
    assert got["Body"].read() == b"content-1"
    assert got["VersionId"] == ids[1]
    versions, _ = all_versions(s3, versioned)
    assert versions == [("doc", ids[1], True), ("doc", ids[0], False)]
    # Deleting the last versions leaves no key at all, and no delete marker.
    s3.delete_object(Bucket=versioned, Key="doc", VersionId=ids[1])
    s3.delete_object(Bucket=versioned, Key="doc", VersionId=ids[0])
    expect_error(lambda: s3.get_object(Bucket=versioned, Key="doc"), "NoSuchKey", 404)
    assert all_versions(s3, versioned) == ([], [])


def test_deleting_an_already_deleted_version_succeeds(s3, versioned):
    # ceph test_versioning_multi_object_delete: "now remove again, should all succeed due to
    # idempotency" (not marked fails_on_aws).
    first = put(s3, versioned, "doc", b"one")
    put(s3, versioned, "doc", b"two")
    s3.delete_object(Bucket=versioned, Key="doc", VersionId=first)
    assert status(s3.delete_object(Bucket=versioned, Key="doc", VersionId=first)) == 204
    assert len(all_versions(s3, versioned)[0]) == 1


# --- invalid and missing version ids --------------------------------------------------


def test_a_malformed_version_id_is_invalid_argument(s3, versioned):
    put(s3, versioned, "doc", b"x")
    # LocalStack snapshots "get-obj-with-version" and "delete-with-bad-version": 400
    # InvalidArgument "Invalid version id specified", ArgumentName versionId.
    for call in (
        lambda: s3.get_object(Bucket=versioned, Key="doc", VersionId="bogus"),
        lambda: s3.delete_object(Bucket=versioned, Key="doc", VersionId="bogus"),
    ):
        error = expect_error(call, "InvalidArgument", 400, INVALID_VERSION_ID)
        assert error["Error"].get("ArgumentName") == "versionId"
        assert error["Error"].get("ArgumentValue") == "bogus"
    # HEAD: 400 without a body (AWS output quoted in Seagate/cortx-s3server#1724 for
    # --version-id "dsf": "An error occurred (400) ... Bad Request").
    expect_error(lambda: s3.head_object(Bucket=versioned, Key="doc", VersionId="bogus"), "400", 400)
    assert body_of(s3, versioned, "doc") == b"x"


def test_a_deleted_version_is_no_such_version(s3, versioned):
    first = put(s3, versioned, "doc", b"one")
    put(s3, versioned, "doc", b"two")
    s3.delete_object(Bucket=versioned, Key="doc", VersionId=first)
    # LocalStack snapshot "get-deleted-object-with-version": 404 NoSuchVersion with Key and
    # VersionId, and neither x-amz-delete-marker nor x-amz-version-id.
    error = expect_error(
        lambda: s3.get_object(Bucket=versioned, Key="doc", VersionId=first), "NoSuchVersion", 404, NO_SUCH_VERSION
    )
    assert error["Error"].get("Key") == "doc"
    assert error["Error"].get("VersionId") == first
    assert "x-amz-delete-marker" not in headers(error)
    assert "x-amz-version-id" not in headers(error)
    expect_error(lambda: s3.head_object(Bucket=versioned, Key="doc", VersionId=first), "404", 404)


def test_a_version_id_of_another_key_is_no_such_version(s3, versioned):
    put(s3, versioned, "a", b"a")
    other = put(s3, versioned, "b", b"b")
    # UNCONFIRMED for an id taken from another key: AWS answers NoSuchVersion for a
    # well-formed version id the key does not have (aws/aws-sdk-java-v2#2235: "The specified
    # version does not exist." for a key without that version); only ids that do not parse are
    # InvalidArgument. No recorded AWS answer uses another key's id.
    error = expect_error(
        lambda: s3.get_object(Bucket=versioned, Key="a", VersionId=other), "NoSuchVersion", 404, NO_SUCH_VERSION
    )
    assert error["Error"].get("VersionId") == other
    expect_error(lambda: s3.head_object(Bucket=versioned, Key="a", VersionId=other), "404", 404)
    expect_error(
        lambda: s3.get_object(Bucket=versioned, Key="never-written", VersionId=other), "NoSuchVersion", 404
    )


def test_null_version_id_without_a_null_version_is_404(s3, versioned):
    # ceph test_versioning_obj_read_not_exist_null: on a bucket versioned from the start a
    # HEAD with versionId=null finds nothing.
    put(s3, versioned, "doc", b"x")
    expect_error(lambda: s3.head_object(Bucket=versioned, Key="doc", VersionId="null"), "404", 404)


# --- the null version -----------------------------------------------------------------


def test_objects_in_an_unversioned_bucket_are_the_null_version(s3, bucket):
    s3.put_object(Bucket=bucket, Key="doc", Body=b"first")
    s3.put_object(Bucket=bucket, Key="doc", Body=b"overwritten")
    # LocalStack snapshot "get-obj-with-null-version": VersionId=null reads the object on an
    # unversioned bucket, and the answer carries no version id.
    got = s3.get_object(Bucket=bucket, Key="doc", VersionId="null")
    assert got["Body"].read() == b"overwritten"
    assert "VersionId" not in got
    versions, markers = all_versions(s3, bucket)
    assert versions == [("doc", "null", True)]
    assert markers == []


def test_objects_written_before_versioning_keep_the_null_version(s3, bucket):
    s3.put_object(Bucket=bucket, Key="doc", Body=b"plain")
    set_versioning(s3, bucket, "Enabled")
    assert all_versions(s3, bucket)[0] == [("doc", "null", True)]
    new = put(s3, bucket, "doc", b"versioned")
    assert new and new != "null"
    versions, _ = all_versions(s3, bucket)
    assert versions == [("doc", new, True), ("doc", "null", False)]
    assert body_of(s3, bucket, "doc", "null") == b"plain"
    assert body_of(s3, bucket, "doc") == b"versioned"
    # ceph test_versioning_obj_plain_null_version_overwrite: deleting the new version makes the
    # null version current again; deleting VersionId=null then removes the object.
    s3.delete_object(Bucket=bucket, Key="doc", VersionId=new)
    assert body_of(s3, bucket, "doc") == b"plain"
    s3.delete_object(Bucket=bucket, Key="doc", VersionId="null")
    expect_error(lambda: s3.get_object(Bucket=bucket, Key="doc"), "NoSuchKey", 404)
    assert all_versions(s3, bucket) == ([], [])


def test_put_on_a_suspended_bucket_writes_the_null_version(s3, versioned):
    v1 = put(s3, versioned, "doc", b"v1")
    v2 = put(s3, versioned, "doc", b"v2")
    set_versioning(s3, versioned, "Suspended")
    # LocalStack snapshot test_put_object_on_suspended_bucket: the earlier versions stay;
    # "put-object-suspended" has no VersionId; the GET answers the null version's id.
    out = s3.put_object(Bucket=versioned, Key="doc", Body=b"suspended 1")
    assert "VersionId" not in out
    got = s3.get_object(Bucket=versioned, Key="doc")
    assert got["Body"].read() == b"suspended 1"
    assert got["VersionId"] == "null"
    versions, _ = all_versions(s3, versioned)
    assert versions == [("doc", "null", True), ("doc", v2, False), ("doc", v1, False)]
    # A second put replaces the null version instead of adding one ("list-suspended-after-overwrite").
    s3.put_object(Bucket=versioned, Key="doc", Body=b"suspended 2")
    versions, _ = all_versions(s3, versioned)
    assert versions == [("doc", "null", True), ("doc", v2, False), ("doc", v1, False)]
    assert body_of(s3, versioned, "doc", "null") == b"suspended 2"
    assert body_of(s3, versioned, "doc", v1) == b"v1"
    assert body_of(s3, versioned, "doc", v2) == b"v2"


def test_put_on_a_suspended_bucket_replaces_a_pre_versioning_null_version(s3, bucket):
    # ceph test_versioning_obj_plain_null_version_overwrite_suspended.
    s3.put_object(Bucket=bucket, Key="doc", Body=b"plain")
    set_versioning(s3, bucket, "Enabled")
    set_versioning(s3, bucket, "Suspended")
    s3.put_object(Bucket=bucket, Key="doc", Body=b"zzz")
    assert body_of(s3, bucket, "doc") == b"zzz"
    assert all_versions(s3, bucket)[0] == [("doc", "null", True)]
    s3.delete_object(Bucket=bucket, Key="doc", VersionId="null")
    expect_error(lambda: s3.get_object(Bucket=bucket, Key="doc"), "NoSuchKey", 404)
    assert all_versions(s3, bucket) == ([], [])


def test_delete_on_a_suspended_bucket_creates_a_null_delete_marker(s3, versioned):
    v1 = put(s3, versioned, "doc", b"v1")
    v2 = put(s3, versioned, "doc", b"v2")
    set_versioning(s3, versioned, "Suspended")
    # LocalStack snapshot test_delete_object_on_suspended_bucket: DeleteMarker true with the
    # "null" id; the real versions stay, no longer latest.
    out = s3.delete_object(Bucket=versioned, Key="doc")
    assert status(out) == 204
    assert out["DeleteMarker"] is True
    assert out["VersionId"] == "null"
    versions, markers = all_versions(s3, versioned)
    assert markers == [("doc", "null", True)]
    assert versions == [("doc", v2, False), ("doc", v1, False)]
    # A put replaces the null marker with a null version ("list-suspended-put")...
    s3.put_object(Bucket=versioned, Key="doc", Body=b"after")
    versions, markers = all_versions(s3, versioned)
    assert markers == []
    assert versions == [("doc", "null", True), ("doc", v2, False), ("doc", v1, False)]
    # ...and a delete replaces the null version with a null marker ("list-suspended-after-put").
    assert s3.delete_object(Bucket=versioned, Key="doc")["VersionId"] == "null"
    versions, markers = all_versions(s3, versioned)
    assert markers == [("doc", "null", True)]
    assert versions == [("doc", v2, False), ("doc", v1, False)]


# --- ListObjectVersions ---------------------------------------------------------------


def test_list_object_versions_of_an_empty_bucket(s3, versioned):
    # LocalStack snapshot test_list_object_versions_order_unversioned "list-empty".
    out = s3.list_object_versions(Bucket=versioned)
    assert status(out) == 200
    assert out["Name"] == versioned
    assert out["IsTruncated"] is False
    assert out["MaxKeys"] == 1000
    assert out["Prefix"] == ""
    assert out["KeyMarker"] == ""
    assert out["VersionIdMarker"] == ""
    assert "Versions" not in out and "DeleteMarkers" not in out


def test_list_object_versions_on_an_unversioned_bucket(s3, bucket):
    # LocalStack snapshot test_list_object_versions_order_unversioned: key order, every entry
    # the latest, all with the same ("null") version id.
    for key in ("a-test-object-1", "c-test-object-3", "b-test-object-2"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"test-object")
    out = s3.list_object_versions(Bucket=bucket)
    assert version_rows(out) == [
        ("a-test-object-1", "null", True),
        ("b-test-object-2", "null", True),
        ("c-test-object-3", "null", True),
    ]
    assert "DeleteMarkers" not in out


def test_list_object_versions_order_and_is_latest(s3, versioned):
    b = [put(s3, versioned, "b", f"b{i}".encode()) for i in range(3)]
    a = put(s3, versioned, "a", b"a")
    marker = s3.delete_object(Bucket=versioned, Key="b")["VersionId"]
    c = [put(s3, versioned, "c", f"c{i}".encode()) for i in range(2)]
    out = s3.list_object_versions(Bucket=versioned)
    # Keys ascending, newest first within a key (LocalStack snapshot "list-objects-versions-all",
    # ceph test_versioning_obj_list_marker).
    assert version_rows(out) == [
        ("a", a, True),
        ("b", b[2], False),
        ("b", b[1], False),
        ("b", b[0], False),
        ("c", c[1], True),
        ("c", c[0], False),
    ]
    assert marker_rows(out) == [("b", marker, True)]
    assert out["IsTruncated"] is False
    assert "NextKeyMarker" not in out and "NextVersionIdMarker" not in out


def test_list_object_versions_entry_fields(s3, versioned):
    owner_id = s3.list_buckets()["Owner"]["ID"]
    put(s3, versioned, "doc", b"twelve bytes")
    s3.delete_object(Bucket=versioned, Key="doc")
    out = s3.list_object_versions(Bucket=versioned)
    # LocalStack snapshot "list-object-versions": versions carry ETag, Size, StorageClass and
    # Owner; delete markers carry Owner but no ETag or Size.
    (version,) = out["Versions"]
    assert version["ETag"] == md5_etag(b"twelve bytes")
    assert version["Size"] == 12
    assert version["StorageClass"] == "STANDARD"
    assert version["Owner"]["ID"] == owner_id
    assert version["LastModified"].tzinfo is not None
    (marker,) = out["DeleteMarkers"]
    assert marker["Owner"]["ID"] == owner_id
    assert marker["LastModified"] >= version["LastModified"]
    assert "ETag" not in marker and "Size" not in marker


def test_list_object_versions_prefix(s3, versioned):
    x = put(s3, versioned, "dir/x", b"x")
    y = put(s3, versioned, "dir/y", b"y")
    marker = s3.delete_object(Bucket=versioned, Key="dir/y")["VersionId"]
    put(s3, versioned, "other", b"o")
    s3.delete_object(Bucket=versioned, Key="other")
    out = s3.list_object_versions(Bucket=versioned, Prefix="dir/")
    assert out["Prefix"] == "dir/"
    assert version_rows(out) == [("dir/x", x, True), ("dir/y", y, False)]
    assert marker_rows(out) == [("dir/y", marker, True)]


def test_list_object_versions_delimiter_and_common_prefixes(s3, versioned):
    # LocalStack snapshot test_list_objects_versions_with_prefix "list-object-version-1".
    t1 = put(s3, versioned, "dir/test", b"content key1-v1")
    t2 = put(s3, versioned, "dir/test", b"content key-1v2")
    put(s3, versioned, "dir/subdir/test2", b"content key2-v1")
    put(s3, versioned, "dir/subdir/test2", b"content key2-v2")
    out = s3.list_object_versions(Bucket=versioned, Prefix="dir/", Delimiter="/")
    assert out["Delimiter"] == "/"
    assert prefixes_of(out) == ["dir/subdir/"]
    assert version_rows(out) == [("dir/test", t2, True), ("dir/test", t1, False)]
    top = s3.list_object_versions(Bucket=versioned, Delimiter="/")
    assert prefixes_of(top) == ["dir/"]
    assert "Versions" not in top


def test_list_object_versions_max_keys_and_markers(s3, versioned):
    # The scenario of LocalStack's test_list_objects_versions_markers, with its recorded answers.
    v0_1, v1_1, v2_1 = (put(s3, versioned, f"test_{i}", b"version 1") for i in range(3))
    v2_2 = put(s3, versioned, "test_2", b"version 2")
    dm0, dm1, dm2 = (s3.delete_object(Bucket=versioned, Key=f"test_{i}")["VersionId"] for i in range(3))
    v0_2, v1_2 = (put(s3, versioned, f"test_{i}", b"version 2") for i in range(2))

    # Versions and delete markers count together towards MaxKeys ("list-objects-versions-5").
    page = s3.list_object_versions(Bucket=versioned, MaxKeys=5)
    assert page["IsTruncated"] is True
    assert page["MaxKeys"] == 5
    assert version_rows(page) == [("test_0", v0_2, True), ("test_0", v0_1, False), ("test_1", v1_2, True)]
    assert marker_rows(page) == [("test_0", dm0, False), ("test_1", dm1, False)]
    assert (page["NextKeyMarker"], page["NextVersionIdMarker"]) == ("test_1", dm1)

    # A key marker alone starts after every version of that key ("list-objects-next-key-only").
    page = s3.list_object_versions(Bucket=versioned, MaxKeys=1, KeyMarker="test_1")
    assert page["KeyMarker"] == "test_1"
    assert version_rows(page) == []
    assert marker_rows(page) == [("test_2", dm2, True)]
    assert page["IsTruncated"] is True
    assert (page["NextKeyMarker"], page["NextVersionIdMarker"]) == ("test_2", dm2)

    # Past the last key: nothing, not truncated, no next markers ("list-objects-next-key-last").
    page = s3.list_object_versions(Bucket=versioned, MaxKeys=1, KeyMarker="test_2")
    assert page["IsTruncated"] is False
    assert "Versions" not in page and "DeleteMarkers" not in page
    assert "NextKeyMarker" not in page and "NextVersionIdMarker" not in page

    # Both markers: after that version of that key ("list-objects-both-markers").
    page = s3.list_object_versions(Bucket=versioned, MaxKeys=1, KeyMarker="test_1", VersionIdMarker=dm1)
    assert (page["KeyMarker"], page["VersionIdMarker"]) == ("test_1", dm1)
    assert version_rows(page) == [("test_1", v1_1, False)]
    assert page["IsTruncated"] is True
    assert (page["NextKeyMarker"], page["NextVersionIdMarker"]) == ("test_1", v1_1)

    # The last version of the last key ("list-objects-last-key-last-version").
    page = s3.list_object_versions(Bucket=versioned, MaxKeys=1, KeyMarker="test_2", VersionIdMarker=v2_2)
    assert version_rows(page) == [("test_2", v2_1, False)]
    assert page["IsTruncated"] is False


def test_list_object_versions_version_id_marker_needs_a_key_marker(s3, versioned):
    version_id = put(s3, versioned, "doc", b"x")
    # LocalStack snapshot "list-objects-next-version-only".
    error = expect_error(
        lambda: s3.list_object_versions(Bucket=versioned, MaxKeys=1, VersionIdMarker=version_id),
        "InvalidArgument",
        400,
        "A version-id marker cannot be specified without a key marker.",
    )
    assert error["Error"].get("ArgumentName") == "version-id-marker"
    assert error["Error"].get("ArgumentValue") == version_id


def test_list_object_versions_common_prefixes_count_towards_max_keys(s3, versioned):
    # LocalStack snapshot test_list_object_versions_pagination_common_prefixes.
    ids = {}
    for key in ("folder/aSubfolder/subFile1", "folder/aSubfolder/subFile2", "folder/file1", "folder/file2"):
        ids[key] = put(s3, versioned, key, b"content 123")
    common = dict(Bucket=versioned, Prefix="folder/", Delimiter="/", MaxKeys=1)

    page = s3.list_object_versions(**common)
    assert prefixes_of(page) == ["folder/aSubfolder/"]
    assert "Versions" not in page
    assert page["IsTruncated"] is True
    # A page ending on a common prefix resumes after the prefix, with no version-id marker.
    assert page["NextKeyMarker"] == "folder/aSubfolder/"
    assert "NextVersionIdMarker" not in page

    page = s3.list_object_versions(**common, KeyMarker=page["NextKeyMarker"])
    assert version_rows(page) == [("folder/file1", ids["folder/file1"], True)]
    assert prefixes_of(page) == []
    assert (page["NextKeyMarker"], page["NextVersionIdMarker"]) == ("folder/file1", ids["folder/file1"])

    page = s3.list_object_versions(**common, KeyMarker=page["NextKeyMarker"])
    assert version_rows(page) == [("folder/file2", ids["folder/file2"], True)]
    assert page["IsTruncated"] is False

    # A key marker inside a common prefix skips the rest of it ("manual-first-file").
    page = s3.list_object_versions(**common, KeyMarker="folder/aSubfolder/subFile1")
    assert prefixes_of(page) == []
    assert version_rows(page) == [("folder/file1", ids["folder/file1"], True)]


def test_list_object_versions_paginator_collects_everything_once(s3, versioned):
    expected_versions, expected_markers = set(), set()
    for k in range(5):
        key = f"key-{k:02d}"
        for i in range(4):
            expected_versions.add((key, put(s3, versioned, key, f"{key} v{i}".encode())))
        if k % 2 == 0:
            expected_markers.add((key, s3.delete_object(Bucket=versioned, Key=key)["VersionId"]))
    pages = list(
        s3.get_paginator("list_object_versions").paginate(Bucket=versioned, PaginationConfig={"PageSize": 3})
    )
    assert len(pages) == 8  # 23 entries, 3 a page
    versions = [(v["Key"], v["VersionId"]) for p in pages for v in p.get("Versions", [])]
    markers = [(m["Key"], m["VersionId"]) for p in pages for m in p.get("DeleteMarkers", [])]
    assert len(versions) == len(set(versions)) == 20
    assert len(markers) == len(set(markers)) == 3
    assert set(versions) == expected_versions
    assert set(markers) == expected_markers
    assert all(p["IsTruncated"] for p in pages[:-1]) and pages[-1]["IsTruncated"] is False


# --- DeleteObjects --------------------------------------------------------------------


def test_delete_objects_with_version_ids(s3, versioned):
    v1 = put(s3, versioned, "doc", b"one")
    v2 = put(s3, versioned, "doc", b"two")
    marker = s3.delete_object(Bucket=versioned, Key="doc")["VersionId"]
    out = s3.delete_objects(
        Bucket=versioned,
        Delete={"Objects": [{"Key": "doc", "VersionId": v1}, {"Key": "doc", "VersionId": marker}]},
    )
    assert status(out) == 200
    assert not out.get("Errors")
    deleted = {d["VersionId"]: d for d in out["Deleted"]}
    # LocalStack snapshots "delete-objects-version-id" (a version: Key and VersionId only) and
    # "delete-objects-marker" (a marker: DeleteMarker true, DeleteMarkerVersionId its id).
    assert deleted[v1] == {"Key": "doc", "VersionId": v1}
    assert deleted[marker] == {"Key": "doc", "VersionId": marker, "DeleteMarker": True, "DeleteMarkerVersionId": marker}
    assert all_versions(s3, versioned) == ([("doc", v2, True)], [])
    assert body_of(s3, versioned, "doc") == b"two"


def test_delete_objects_without_version_ids_creates_delete_markers(s3, versioned):
    version_id = put(s3, versioned, "doc", b"x")
    out = s3.delete_objects(Bucket=versioned, Delete={"Objects": [{"Key": "doc"}, {"Key": "never-written"}]})
    assert status(out) == 200
    # LocalStack snapshot "delete-objects-no-version-id": DeleteMarker and DeleteMarkerVersionId,
    # for keys that never existed too; no VersionId member.
    deleted = {d["Key"]: d for d in out["Deleted"]}
    assert set(deleted) == {"doc", "never-written"}
    for entry in deleted.values():
        assert entry["DeleteMarker"] is True
        assert entry["DeleteMarkerVersionId"]
        assert "VersionId" not in entry
    versions, markers = all_versions(s3, versioned)
    assert versions == [("doc", version_id, False)]
    assert markers == [
        ("doc", deleted["doc"]["DeleteMarkerVersionId"], True),
        ("never-written", deleted["never-written"]["DeleteMarkerVersionId"], True),
    ]


@pytest.mark.parametrize("versioning", [None, "Enabled"])
def test_delete_objects_reports_an_unknown_version_as_no_such_version(s3, versioning):
    name = new_bucket(s3, versioning=versioning)
    s3.put_object(Bucket=name, Key="doc", Body=b"x")
    # LocalStack snapshots "delete-object-wrong-version-id" (unversioned bucket) and
    # "delete-objects-wrong-version-id" (versioned), recorded with this very id: a per-key
    # NoSuchVersion error, not a failed request.
    fake = "HPniJFCxqTsMuIH9KX8K8wEjNUgmABCD"
    out = s3.delete_objects(Bucket=name, Delete={"Objects": [{"Key": "doc", "VersionId": fake}]})
    assert status(out) == 200
    assert not out.get("Deleted")
    (error,) = out["Errors"]
    assert error == {"Key": "doc", "VersionId": fake, "Code": "NoSuchVersion", "Message": NO_SUCH_VERSION}
    assert body_of(s3, name, "doc") == b"x"


# --- CopyObject, multipart uploads, tagging -------------------------------------------


def test_copy_object_from_a_version(s3, versioned):
    v1 = put(s3, versioned, "src", b"first content")
    v2 = put(s3, versioned, "src", b"second content")
    out = s3.copy_object(Bucket=versioned, Key="dst", CopySource={"Bucket": versioned, "Key": "src", "VersionId": v1})
    # CopyObject reference: x-amz-copy-source-version-id is the copied source version,
    # x-amz-version-id the new copy's version (ceph test_versioning_copy_obj_version).
    assert out["CopySourceVersionId"] == v1
    assert out["VersionId"] and out["VersionId"] not in (v1, v2)
    assert out["CopyObjectResult"]["ETag"] == md5_etag(b"first content")
    got = s3.get_object(Bucket=versioned, Key="dst")
    assert got["Body"].read() == b"first content"
    assert got["VersionId"] == out["VersionId"]
    # Without a version id the copy takes the current version.
    s3.copy_object(Bucket=versioned, Key="dst2", CopySource={"Bucket": versioned, "Key": "src"})
    assert body_of(s3, versioned, "dst2") == b"second content"


def test_copy_object_from_a_version_into_an_unversioned_bucket(s3, versioned, bucket):
    v1 = put(s3, versioned, "src", b"first content")
    put(s3, versioned, "src", b"second content")
    out = s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": versioned, "Key": "src", "VersionId": v1})
    assert out["CopySourceVersionId"] == v1
    assert "VersionId" not in out  # the destination is not versioned
    assert body_of(s3, bucket, "dst") == b"first content"


def test_multipart_upload_on_a_versioned_bucket_creates_a_version(server, s3, versioned):
    mp = s3_client(server, checksums="when_required")
    single = put(s3, versioned, "big", b"single put")
    upload_id = mp.create_multipart_upload(Bucket=versioned, Key="big")["UploadId"]
    etag = mp.upload_part(Bucket=versioned, Key="big", UploadId=upload_id, PartNumber=1, Body=b"one part")["ETag"]
    done = mp.complete_multipart_upload(
        Bucket=versioned, Key="big", UploadId=upload_id, MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]}
    )
    # CompleteMultipartUpload reference: x-amz-version-id "Version ID of the newly created object,
    # in case the bucket has versioning turned on" (ceph
    # test_versioning_bucket_multipart_upload_return_version_id).
    assert done["VersionId"] and done["VersionId"] != single
    versions, _ = all_versions(s3, versioned)
    assert versions == [("big", done["VersionId"], True), ("big", single, False)]
    assert body_of(s3, versioned, "big") == b"one part"
    assert body_of(s3, versioned, "big", single) == b"single put"


def test_tagging_per_version(s3, versioned):
    # LocalStack snapshot test_object_tagging_versioned.
    v1 = s3.put_object(Bucket=versioned, Key="doc", Body=b"test-0", Tagging="test_tag=tagv1")["VersionId"]
    v2 = put(s3, versioned, "doc", b"test-1")
    out = s3.put_object_tagging(Bucket=versioned, Key="doc", Tagging={"TagSet": [{"Key": "tag3", "Value": "tag3"}]})
    assert out["VersionId"] == v2  # without a version id: the current version
    current = s3.get_object_tagging(Bucket=versioned, Key="doc")
    assert (current["VersionId"], current["TagSet"]) == (v2, [{"Key": "tag3", "Value": "tag3"}])
    previous = s3.get_object_tagging(Bucket=versioned, Key="doc", VersionId=v1)
    assert (previous["VersionId"], previous["TagSet"]) == (v1, [{"Key": "test_tag", "Value": "tagv1"}])

    out = s3.put_object_tagging(
        Bucket=versioned, Key="doc", VersionId=v1, Tagging={"TagSet": [{"Key": "tag1", "Value": "tag1"}]}
    )
    assert out["VersionId"] == v1
    tags_of = {v: s3.get_object_tagging(Bucket=versioned, Key="doc", VersionId=v)["TagSet"] for v in (v1, v2)}
    assert tags_of == {v1: [{"Key": "tag1", "Value": "tag1"}], v2: [{"Key": "tag3", "Value": "tag3"}]}


def test_tagging_a_delete_marker_is_method_not_allowed(s3, versioned):
    put(s3, versioned, "doc", b"x")
    marker = s3.delete_object(Bucket=versioned, Key="doc")["VersionId"]
    tags = {"TagSet": [{"Key": "k", "Value": "v"}]}
    # LocalStack snapshot test_object_tagging_versioned "*-delete-marker-id" and
    # "*-delete-marker-latest": 405 MethodNotAllowed, by the marker's id or as the latest.
    for method, call in (
        ("PUT", lambda: s3.put_object_tagging(Bucket=versioned, Key="doc", VersionId=marker, Tagging=tags)),
        ("GET", lambda: s3.get_object_tagging(Bucket=versioned, Key="doc", VersionId=marker)),
        ("DELETE", lambda: s3.delete_object_tagging(Bucket=versioned, Key="doc", VersionId=marker)),
        ("PUT", lambda: s3.put_object_tagging(Bucket=versioned, Key="doc", Tagging=tags)),
        ("GET", lambda: s3.get_object_tagging(Bucket=versioned, Key="doc")),
        ("DELETE", lambda: s3.delete_object_tagging(Bucket=versioned, Key="doc")),
    ):
        error = expect_error(call, "MethodNotAllowed", 405, NOT_ALLOWED)
        assert error["Error"].get("Method") == method
        assert error["Error"].get("ResourceType") == "DeleteMarker"


# --- emptying and deleting a versioned bucket -----------------------------------------


def test_versioned_bucket_is_not_empty_until_every_version_and_marker_is_deleted(s3, versioned):
    # LocalStack snapshot test_delete_versioned_bucket_with_objects: on a versioned bucket the
    # message adds "You must delete all versions in the bucket."; a lone marker still counts.
    message = "The bucket you tried to delete is not empty. You must delete all versions in the bucket."
    version_id = put(s3, versioned, "doc", b"x")
    marker = s3.delete_object(Bucket=versioned, Key="doc")["VersionId"]
    assert keys_of(s3, versioned) == []
    error = expect_error(lambda: s3.delete_bucket(Bucket=versioned), "BucketNotEmpty", 409, message)
    assert error["Error"].get("BucketName") == versioned
    s3.delete_object(Bucket=versioned, Key="doc", VersionId=version_id)
    expect_error(lambda: s3.delete_bucket(Bucket=versioned), "BucketNotEmpty", 409, message)
    s3.delete_object(Bucket=versioned, Key="doc", VersionId=marker)
    assert status(s3.delete_bucket(Bucket=versioned)) == 204
    expect_error(lambda: s3.head_bucket(Bucket=versioned), "404", 404)


# The unversioned case is UNCONFIRMED: it deletes through DeleteObjects with VersionId "null"
# as boto3's bucket.object_versions.delete() does; AWS is recorded reading VersionId=null on an
# unversioned bucket (LocalStack snapshot "get-obj-with-null-version"), not deleting with it.
@pytest.mark.parametrize("versioning", [None, "Enabled", "Suspended"])
def test_empty_bucket_helper_then_delete_bucket(s3, versioning):
    name = new_bucket(s3, "emptied")
    for i in range(3):
        s3.put_object(Bucket=name, Key=f"plain/{i}", Body=b"before versioning")
    if versioning:
        set_versioning(s3, name, "Enabled")
        for i in range(3):
            put(s3, name, "doc", f"v{i}".encode())
        s3.delete_object(Bucket=name, Key="plain/0")
        s3.delete_object(Bucket=name, Key="doc")
        if versioning == "Suspended":
            set_versioning(s3, name, "Suspended")
            s3.put_object(Bucket=name, Key="doc", Body=b"null version")
            s3.delete_object(Bucket=name, Key="plain/1")
        expect_error(lambda: s3.delete_bucket(Bucket=name), "BucketNotEmpty", 409)
    assert empty_bucket(s3, name) > 0
    assert all_versions(s3, name) == ([], [])
    assert status(s3.delete_bucket(Bucket=name)) == 204
    expect_error(lambda: s3.head_bucket(Bucket=name), "404", 404)


def test_cli_rb_force_removes_an_unversioned_bucket(server, s3, bucket):
    for i in range(3):
        s3.put_object(Bucket=bucket, Key=f"dir/{i}", Body=b"x")
    server.aws("s3", "rb", f"s3://{bucket}", "--force")
    expect_error(lambda: s3.head_bucket(Bucket=bucket), "404", 404)


def test_cli_rb_force_leaves_a_versioned_bucket_with_its_versions(server, s3, versioned):
    ids = {key: put(s3, versioned, key, b"x") for key in ("a", "b/c")}
    # `aws s3 rb --force` deletes the current objects only: on a versioned bucket that lays
    # delete markers and DeleteBucket then fails (aws/aws-cli#1017: "remove_bucket failed: ...
    # BucketNotEmpty ... You must delete all versions in the bucket.").
    out = server.aws("s3", "rb", f"s3://{versioned}", "--force", check=False)
    assert out.returncode != 0
    assert "BucketNotEmpty" in out.stderr + out.stdout
    assert status(s3.head_bucket(Bucket=versioned)) == 200
    assert keys_of(s3, versioned) == []
    versions, markers = all_versions(s3, versioned)
    assert sorted((k, v) for k, v, _ in versions) == sorted(ids.items())
    assert sorted(k for k, _, latest in markers if latest) == ["a", "b/c"]
    empty_bucket(s3, versioned)
    assert status(s3.delete_bucket(Bucket=versioned)) == 204


# --- IAM: s3:GetObjectVersion and s3:ListBucketVersions -------------------------------


def test_get_object_with_a_version_id_needs_get_object_version(server, s3, versioned):
    v1 = put(s3, versioned, "doc", b"one")
    put(s3, versioned, "doc", b"two")
    reader = user_with_key(server, "getobject-only", allow("s3:GetObject", objects_arn(versioned)))
    # GetObject reference, versionId: "If you include a versionId in your request header, you
    # must have the s3:GetObjectVersion permission ... The s3:GetObject permission is not
    # required in this scenario." (HeadObject says the same.)
    assert reader.get_object(Bucket=versioned, Key="doc")["Body"].read() == b"two"
    denied(lambda: reader.get_object(Bucket=versioned, Key="doc", VersionId=v1))
    expect_error(lambda: reader.head_object(Bucket=versioned, Key="doc", VersionId=v1), "403", 403)

    version_reader = user_with_key(server, "getobjectversion", allow("s3:GetObjectVersion", objects_arn(versioned)))
    assert version_reader.get_object(Bucket=versioned, Key="doc", VersionId=v1)["Body"].read() == b"one"
    assert version_reader.head_object(Bucket=versioned, Key="doc", VersionId=v1)["VersionId"] == v1
    denied(lambda: version_reader.get_object(Bucket=versioned, Key="doc"))


def test_list_object_versions_needs_list_bucket_versions(server, s3, versioned):
    version_id = put(s3, versioned, "doc", b"x")
    # ListObjectVersions reference: "you must have permissions to perform the
    # s3:ListBucketVersions action. Be aware of the name difference."
    lister = user_with_key(server, "listbucket-only", allow("s3:ListBucket", bucket_arn(versioned)))
    assert keys_of(lister, versioned) == ["doc"]
    denied(lambda: lister.list_object_versions(Bucket=versioned))

    version_lister = user_with_key(server, "listversions", allow("s3:ListBucketVersions", bucket_arn(versioned)))
    assert version_rows(version_lister.list_object_versions(Bucket=versioned)) == [("doc", version_id, True)]
    denied(lambda: version_lister.list_objects_v2(Bucket=versioned))


def test_cross_account_bucket_policy_granting_get_object_version(server):
    owner = s3_client(server, "destination")
    name = new_bucket(owner, "xacct", versioning="Enabled")
    v1 = put(owner, name, "doc", b"B's first version")
    put(owner, name, "doc", b"B's second version")
    a_root = s3_client(server, "source")
    denied(lambda: a_root.get_object(Bucket=name, Key="doc", VersionId=v1))

    out = owner.put_bucket_policy(
        Bucket=name, Policy=policy(grant(f"arn:aws:iam::{SOURCE}:root", "s3:GetObjectVersion", objects_arn(name)))
    )
    assert status(out) == 204
    assert a_root.get_object(Bucket=name, Key="doc", VersionId=v1)["Body"].read() == b"B's first version"
    # Only the versioned read was granted: a plain GetObject needs s3:GetObject, and listing the
    # versions s3:ListBucketVersions.
    denied(lambda: a_root.get_object(Bucket=name, Key="doc"))
    denied(lambda: a_root.list_object_versions(Bucket=name))


def test_list_object_versions_xml_interleaves_versions_and_markers(server, s3, versioned):
    # ListObjectVersions reference (response syntax and example "Response: ... versions and
    # delete markers"): Version and DeleteMarker elements come in one sequence, by key and
    # newest first within a key, not grouped by kind.
    from test_s3_bucket_config import signed

    put(s3, versioned, "a", b"1")
    s3.delete_object(Bucket=versioned, Key="a")
    put(s3, versioned, "a", b"2")
    put(s3, versioned, "b", b"3")
    s3.delete_object(Bucket=versioned, Key="b")
    code, _, body = signed(server, "GET", f"/{versioned}?versions")
    assert code == 200, body
    text = body.decode()
    kinds = []
    at = 0
    while True:
        found = [(text.find(tag, at), tag) for tag in ("<Version>", "<DeleteMarker>")]
        found = [f for f in found if f[0] >= 0]
        if not found:
            break
        index, tag = min(found)
        kinds.append(tag)
        at = index + len(tag)
    assert kinds == ["<Version>", "<DeleteMarker>", "<Version>", "<DeleteMarker>", "<Version>"]
