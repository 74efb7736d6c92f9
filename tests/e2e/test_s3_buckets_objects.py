"""S3 buckets and objects end to end, through boto3 (path-style) and the AWS CLI: bucket
lifecycle and the global namespace, object round trips with their headers, digests and
checksums, ranged and conditional reads, copies, listings (V2 and V1), multipart uploads,
presigned URLs, request ids and the XML error format. Expectations follow AWS's documented
behaviour (spec iam-s3-authz §3.1, §4.2, §4.4)."""

import base64
import datetime
import hashlib
import json
import os
import re
import time
import urllib.parse
import uuid
import zlib
from xml.etree import ElementTree

import boto3.s3.transfer
import botocore.config
import pytest
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from aws_helpers import client_error, unique
from s3_helpers import status, headers, expect_error, s3_client
from conftest import ACCOUNTS, REGION
from sigv4_client import send

MiB = 1024 * 1024


# --- helpers --------------------------------------------------------------------------



def trailer_checksums(client):
    """Makes `client` send checksums as boto3 does over HTTPS: an aws-chunked body with the
    CRC32 in a trailer and the payload unsigned (STREAMING-UNSIGNED-PAYLOAD-TRAILER).
    botocore only does that on https endpoints; the test server is plain http."""

    def to_trailer(params, **_):
        algorithm = params.get("context", {}).get("checksum", {}).get("request_algorithm")
        if isinstance(algorithm, dict):
            algorithm["in"] = "trailer"

    for operation in ("PutObject", "UploadPart"):
        client.meta.events.register(f"before-call.s3.{operation}", to_trailer)
    return client


def new_bucket(client, prefix="objects", **kwargs):
    name = unique(prefix)
    client.create_bucket(Bucket=name, **kwargs)
    return name


def md5_etag(data):
    return '"' + hashlib.md5(data).hexdigest() + '"'


def multipart_etag(parts):
    """S3's ETag of a multipart object: MD5 of the parts' binary MD5s, dash, part count."""
    digest = hashlib.md5(b"".join(hashlib.md5(p).digest() for p in parts)).hexdigest()
    return f'"{digest}-{len(parts)}"'


def b64(raw):
    return base64.b64encode(raw).decode()


def crc32_b64(data):
    return b64(zlib.crc32(data).to_bytes(4, "big"))


def sha256_b64(data):
    return b64(hashlib.sha256(data).digest())





def keys_of(listing):
    return [o["Key"] for o in listing.get("Contents", [])]


def prefixes_of(listing):
    return [p["Prefix"] for p in listing.get("CommonPrefixes", [])]


def all_keys(client, bucket):
    return [k for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket) for k in keys_of(page)]


def signed(server, method, path, account="source", extra_headers=None, body=b""):
    """A SigV4-signed raw request, for checks on the bytes S3 sends back."""
    _, akid, secret = ACCOUNTS[account]
    request = AWSRequest(method=method, url=server.endpoint + path, data=body, headers=extra_headers or {})
    S3SigV4Auth(Credentials(akid, secret), "s3", REGION).add_auth(request)
    return send(request.url, method, dict(request.headers.items()), body or None)


def error_fields(body):
    root = ElementTree.fromstring(body)
    assert root.tag == "Error", body
    return {child.tag: child.text for child in root}


@pytest.fixture
def s3(server):
    return s3_client(server)


@pytest.fixture
def bucket(s3):
    return new_bucket(s3)


# --- buckets --------------------------------------------------------------------------


def test_create_bucket_in_us_east_1(s3):
    name = unique("create")
    out = s3.create_bucket(Bucket=name)
    assert status(out) == 200
    assert out["Location"] == f"/{name}"
    head = s3.head_bucket(Bucket=name)
    assert status(head) == 200
    assert headers(head)["x-amz-bucket-region"] == "us-east-1"
    # us-east-1 is reported as an empty LocationConstraint, which boto3 makes None.
    assert s3.get_bucket_location(Bucket=name)["LocationConstraint"] is None
    assert name in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_create_bucket_with_a_location_constraint(server, s3):
    name = unique("euwest")
    out = s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert status(out) == 200
    assert s3.get_bucket_location(Bucket=name)["LocationConstraint"] == "eu-west-1"
    eu = s3_client(server, region="eu-west-1")
    head = eu.head_bucket(Bucket=name)
    assert status(head) == 200
    assert headers(head)["x-amz-bucket-region"] == "eu-west-1"
    assert name in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    assert status(eu.delete_bucket(Bucket=name)) == 204


def test_create_bucket_from_a_regional_client(server):
    eu = s3_client(server, region="eu-west-1")
    name = unique("regional")
    eu.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert eu.get_bucket_location(Bucket=name)["LocationConstraint"] == "eu-west-1"
    # Outside us-east-1 the constraint must be given, and must name the endpoint's region.
    other = unique("regional")
    expect_error(lambda: eu.create_bucket(Bucket=other), "IllegalLocationConstraintException", 400)
    expect_error(
        lambda: eu.create_bucket(Bucket=other, CreateBucketConfiguration={"LocationConstraint": "ap-south-1"}),
        "IllegalLocationConstraintException",
        400,
    )
    expect_error(lambda: eu.head_bucket(Bucket=other), "404", 404)


def test_location_constraint_us_east_1_is_invalid(s3):
    name = unique("useast")
    expect_error(
        lambda: s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "us-east-1"}),
        "InvalidLocationConstraint",
        400,
        "The specified location-constraint is not valid",
    )
    expect_error(lambda: s3.head_bucket(Bucket=name), "404", 404)


def test_recreating_an_own_bucket_in_us_east_1_succeeds_and_keeps_it(s3, bucket):
    s3.put_object(Bucket=bucket, Key="kept", Body=b"still here")
    # Legacy us-east-1 behaviour: 200 instead of BucketAlreadyOwnedByYou.
    assert status(s3.create_bucket(Bucket=bucket)) == 200
    assert s3.get_object(Bucket=bucket, Key="kept")["Body"].read() == b"still here"


def test_recreating_an_own_bucket_outside_us_east_1_is_already_owned(server):
    eu = s3_client(server, region="eu-west-1")
    config = {"LocationConstraint": "eu-west-1"}
    name = new_bucket(eu, "owned", CreateBucketConfiguration=config)
    error = expect_error(
        lambda: eu.create_bucket(Bucket=name, CreateBucketConfiguration=config),
        "BucketAlreadyOwnedByYou",
        409,
        "Your previous request to create the named bucket succeeded and you already own it.",
    )
    assert error["Error"].get("BucketName") == name


def test_bucket_names_are_global_across_accounts(server, s3, bucket):
    dest = s3_client(server, "destination")
    message = (
        "The requested bucket name is not available. The bucket namespace is shared by all users of the "
        "system. Please select a different name and try again."
    )
    expect_error(lambda: dest.create_bucket(Bucket=bucket), "BucketAlreadyExists", 409, message)
    expect_error(
        lambda: dest.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}),
        "BucketAlreadyExists",
        409,
    )
    assert bucket not in [b["Name"] for b in dest.list_buckets()["Buckets"]]
    assert bucket in [b["Name"] for b in s3.list_buckets()["Buckets"]]


@pytest.mark.parametrize(
    "name",
    [
        "ab",
        "a" * 64,
        "Has-Upper-Case",
        "under_score",
        "-leading-dash",
        "trailing-dash-",
        "two..dots",
        "192.168.5.4",
        "xn--reserved-prefix",
        "reserved-suffix-s3alias",
    ],
)
def test_invalid_bucket_names(s3, name):
    expect_error(lambda: s3.create_bucket(Bucket=name), "InvalidBucketName", 400, "The specified bucket is not valid.")


def test_bucket_names_at_the_length_limits_are_valid(s3):
    shortest = uuid.uuid4().hex[:3]
    longest = ("len63." + uuid.uuid4().hex).ljust(63, "z")
    for name in (shortest, longest, "with.dots-and-dashes." + uuid.uuid4().hex[:8]):
        assert status(s3.create_bucket(Bucket=name)) == 200
        assert status(s3.head_bucket(Bucket=name)) == 200
        s3.delete_bucket(Bucket=name)


def test_head_bucket_of_a_missing_bucket(s3):
    error = expect_error(lambda: s3.head_bucket(Bucket=unique("missing")), "404", 404)
    assert error["Error"]["Message"] == "Not Found"  # HEAD errors carry no body


def test_list_buckets_shows_only_the_callers_buckets(server, s3, bucket):
    dest = s3_client(server, "destination")
    theirs = new_bucket(dest, "theirs")
    mine = s3.list_buckets()
    mine_names = [b["Name"] for b in mine["Buckets"]]
    assert bucket in mine_names and theirs not in mine_names
    listed = dest.list_buckets()
    theirs_names = [b["Name"] for b in listed["Buckets"]]
    assert theirs in theirs_names and bucket not in theirs_names
    assert all("CreationDate" in b for b in mine["Buckets"])
    ids = mine["Owner"]["ID"], listed["Owner"]["ID"]
    assert ids[0] != ids[1]
    for canonical in ids:
        assert len(canonical) == 64 and all(c in "0123456789abcdef" for c in canonical)


def test_delete_bucket(server, s3, bucket):
    s3.put_object(Bucket=bucket, Key="left-behind", Body=b"x")
    expect_error(
        lambda: s3.delete_bucket(Bucket=bucket), "BucketNotEmpty", 409, "The bucket you tried to delete is not empty"
    )
    assert status(s3.head_bucket(Bucket=bucket)) == 200
    s3.delete_object(Bucket=bucket, Key="left-behind")
    assert status(s3.delete_bucket(Bucket=bucket)) == 204
    expect_error(lambda: s3.head_bucket(Bucket=bucket), "404", 404)
    error = expect_error(
        lambda: s3.delete_bucket(Bucket=bucket), "NoSuchBucket", 404, "The specified bucket does not exist"
    )
    assert error["Error"].get("BucketName") == bucket
    assert bucket not in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    # The name is free again, for any account.
    dest = s3_client(server, "destination")
    assert status(dest.create_bucket(Bucket=bucket)) == 200
    assert bucket in [b["Name"] for b in dest.list_buckets()["Buckets"]]


def test_object_calls_on_a_missing_bucket(s3):
    missing = unique("missing")
    message = "The specified bucket does not exist"
    expect_error(lambda: s3.put_object(Bucket=missing, Key="k", Body=b"x"), "NoSuchBucket", 404, message)
    expect_error(lambda: s3.get_object(Bucket=missing, Key="k"), "NoSuchBucket", 404, message)
    expect_error(lambda: s3.list_objects_v2(Bucket=missing), "NoSuchBucket", 404, message)
    expect_error(lambda: s3.head_object(Bucket=missing, Key="k"), "404", 404)


# --- objects: round trips -------------------------------------------------------------


def test_put_get_head_round_trip(s3, bucket):
    data = os.urandom(1000) + b"\x00\xff tail"
    put = s3.put_object(
        Bucket=bucket,
        Key="dir/file.bin",
        Body=data,
        ContentType="application/x-thing",
        ContentDisposition='attachment; filename="file.bin"',
        CacheControl="max-age=60",
        ContentLanguage="en",
        Metadata={"color": "blue", "Mixed-Case": "Keeps Value Case"},
    )
    assert status(put) == 200
    assert put["ETag"] == md5_etag(data)

    got = s3.get_object(Bucket=bucket, Key="dir/file.bin")
    assert got["Body"].read() == data
    head = s3.head_object(Bucket=bucket, Key="dir/file.bin")
    for out in (got, head):
        assert status(out) == 200
        assert out["ETag"] == md5_etag(data)
        assert out["ContentLength"] == len(data)
        assert out["ContentType"] == "application/x-thing"
        assert out["ContentDisposition"] == 'attachment; filename="file.bin"'
        assert out["CacheControl"] == "max-age=60"
        assert out["ContentLanguage"] == "en"
        # User metadata names come back lowercased, values unchanged.
        assert out["Metadata"] == {"color": "blue", "mixed-case": "Keeps Value Case"}
        assert headers(out)["x-amz-meta-color"] == "blue"
        assert out["AcceptRanges"] == "bytes"
        assert out["LastModified"].tzinfo is not None
    assert got["LastModified"] == head["LastModified"]


def test_empty_object_and_overwrite(s3, bucket):
    put = s3.put_object(Bucket=bucket, Key="empty", Body=b"")
    assert put["ETag"] == '"d41d8cd98f00b204e9800998ecf8427e"'
    got = s3.get_object(Bucket=bucket, Key="empty")
    assert got["ContentLength"] == 0 and got["Body"].read() == b""
    s3.put_object(Bucket=bucket, Key="empty", Body=b"now with content")
    got = s3.get_object(Bucket=bucket, Key="empty")
    assert got["Body"].read() == b"now with content"
    assert got["ETag"] == md5_etag(b"now with content")
    # Without a Content-Type the object is stored as binary/octet-stream.
    assert got["ContentType"] == "binary/octet-stream"


@pytest.mark.parametrize(
    "key",
    ["dir one/ünïcødé file.txt", "sym+bols&=?#%;,!'()*[]@$.txt", "a/b/c/d/deep/key", "trailing/", "日本語/キー"],
)
def test_keys_with_special_characters(s3, bucket, key):
    s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == key.encode()
    assert keys_of(s3.list_objects_v2(Bucket=bucket)) == [key]
    assert status(s3.delete_object(Bucket=bucket, Key=key)) == 204
    assert keys_of(s3.list_objects_v2(Bucket=bucket)) == []


def test_missing_key(s3, bucket):
    error = expect_error(
        lambda: s3.get_object(Bucket=bucket, Key="nope/missing.txt"),
        "NoSuchKey",
        404,
        "The specified key does not exist.",
    )
    assert error["Error"].get("Key") == "nope/missing.txt"
    expect_error(lambda: s3.head_object(Bucket=bucket, Key="nope/missing.txt"), "404", 404)


# --- objects: digests and checksums ---------------------------------------------------


def test_content_md5(s3, bucket):
    data = b"hello content-md5"
    ok = s3.put_object(Bucket=bucket, Key="good", Body=data, ContentMD5=b64(hashlib.md5(data).digest()))
    assert ok["ETag"] == md5_etag(data)
    wrong = b64(hashlib.md5(b"something else").digest())
    expect_error(
        lambda: s3.put_object(Bucket=bucket, Key="bad", Body=data, ContentMD5=wrong),
        "BadDigest",
        400,
        "The Content-MD5 you specified did not match what we received.",
    )
    # A failed overwrite leaves the old object alone.
    expect_error(lambda: s3.put_object(Bucket=bucket, Key="good", Body=b"replacement", ContentMD5=wrong), "BadDigest", 400)
    assert keys_of(s3.list_objects_v2(Bucket=bucket)) == ["good"]
    assert s3.get_object(Bucket=bucket, Key="good")["Body"].read() == data


def test_malformed_content_md5(s3, bucket):
    expect_error(
        lambda: s3.put_object(Bucket=bucket, Key="k", Body=b"data", ContentMD5="not-a-digest"),
        "InvalidDigest",
        400,
    )
    assert keys_of(s3.list_objects_v2(Bucket=bucket)) == []


@pytest.mark.parametrize(
    "member,algorithm,wrong",
    [
        ("ChecksumCRC32", "CRC32", crc32_b64(b"other bytes")),
        ("ChecksumSHA256", "SHA256", sha256_b64(b"other bytes")),
    ],
)
def test_wrong_flexible_checksum_is_refused(s3, bucket, member, algorithm, wrong):
    data = b"checksummed body"
    error = client_error(lambda: s3.put_object(Bucket=bucket, Key="k", Body=data, **{member: wrong}))
    assert status(error) == 400
    # AWS answers BadDigest for a wrong x-amz-checksum-* value.
    assert error["Error"]["Code"] in ("BadDigest", "XAmzContentChecksumMismatch"), error["Error"]
    if error["Error"]["Code"] == "BadDigest":
        assert error["Error"]["Message"] == f"The {algorithm} you specified did not match the calculated checksum."
    assert keys_of(s3.list_objects_v2(Bucket=bucket)) == []


def test_checksums_are_stored_and_returned(s3, bucket):
    data = os.urandom(4096)
    put = s3.put_object(Bucket=bucket, Key="sha", Body=data, ChecksumSHA256=sha256_b64(data))
    assert put["ChecksumSHA256"] == sha256_b64(data)
    head = s3.head_object(Bucket=bucket, Key="sha", ChecksumMode="ENABLED")
    assert head["ChecksumSHA256"] == sha256_b64(data)
    got = s3.get_object(Bucket=bucket, Key="sha", ChecksumMode="ENABLED")
    assert got["ChecksumSHA256"] == sha256_b64(data)
    assert got["Body"].read() == data  # boto3 also validates the body against it


def test_default_boto3_checksum_is_crc32(s3, bucket):
    data = os.urandom(3000)
    put = s3.put_object(Bucket=bucket, Key="crc", Body=data)
    assert put["ChecksumCRC32"] == crc32_b64(data)
    got = s3.get_object(Bucket=bucket, Key="crc", ChecksumMode="ENABLED")
    assert got["ChecksumCRC32"] == crc32_b64(data)
    assert got["Body"].read() == data


def test_aws_chunked_upload_with_a_crc32_trailer(server, bucket):
    s3 = trailer_checksums(s3_client(server))
    data = os.urandom(200_000)
    put = s3.put_object(Bucket=bucket, Key="chunked", Body=data, ContentType="application/x-chunked")
    assert put["ETag"] == md5_etag(data)
    assert put["ChecksumCRC32"] == crc32_b64(data)
    got = s3.get_object(Bucket=bucket, Key="chunked", ChecksumMode="ENABLED")
    assert got["Body"].read() == data
    assert got["ContentLength"] == len(data)
    assert got["ContentType"] == "application/x-chunked"
    assert got["ChecksumCRC32"] == crc32_b64(data)
    # The aws-chunked framing is not part of the object.
    assert "aws-chunked" not in got.get("ContentEncoding", "")


# --- objects: ranged, conditional and overridden reads --------------------------------


def test_range_reads(s3, bucket):
    data = b"0123456789abcdefghij"
    s3.put_object(Bucket=bucket, Key="r", Body=data)
    for requested, body, content_range in [
        ("bytes=0-4", data[:5], "bytes 0-4/20"),
        ("bytes=-3", data[-3:], "bytes 17-19/20"),
        ("bytes=5-", data[5:], "bytes 5-19/20"),
        ("bytes=15-100", data[15:], "bytes 15-19/20"),
        ("bytes=19-19", data[19:], "bytes 19-19/20"),
    ]:
        out = s3.get_object(Bucket=bucket, Key="r", Range=requested)
        assert status(out) == 206, requested
        assert out["ContentRange"] == content_range, requested
        assert out["ContentLength"] == len(body), requested
        assert out["Body"].read() == body, requested
        assert out["ETag"] == md5_etag(data)
    error = expect_error(
        lambda: s3.get_object(Bucket=bucket, Key="r", Range="bytes=20-30"),
        "InvalidRange",
        416,
        "The requested range is not satisfiable",
    )
    assert error["ResponseMetadata"]["HTTPHeaders"].get("x-amz-request-id")


def test_conditional_reads(s3, bucket):
    etag = s3.put_object(Bucket=bucket, Key="c", Body=b"conditional")["ETag"]
    modified = s3.head_object(Bucket=bucket, Key="c")["LastModified"]
    expect_error(lambda: s3.get_object(Bucket=bucket, Key="c", IfNoneMatch=etag), "304", 304)
    assert s3.get_object(Bucket=bucket, Key="c", IfNoneMatch='"0123456789abcdef0123456789abcdef"')["Body"].read() == (
        b"conditional"
    )
    expect_error(
        lambda: s3.get_object(Bucket=bucket, Key="c", IfMatch='"0123456789abcdef0123456789abcdef"'),
        "PreconditionFailed",
        412,
        "At least one of the pre-conditions you specified did not hold",
    )
    assert s3.get_object(Bucket=bucket, Key="c", IfMatch=etag)["Body"].read() == b"conditional"
    # HEAD answers the same statuses without a body.
    expect_error(lambda: s3.head_object(Bucket=bucket, Key="c", IfNoneMatch=etag), "304", 304)
    expect_error(lambda: s3.head_object(Bucket=bucket, Key="c", IfMatch='"00"'), "412", 412)
    # Dates: not modified since its own Last-Modified; modified since a day before.
    expect_error(lambda: s3.get_object(Bucket=bucket, Key="c", IfModifiedSince=modified), "304", 304)
    day = datetime.timedelta(days=1)
    assert status(s3.get_object(Bucket=bucket, Key="c", IfModifiedSince=modified - day)) == 200
    expect_error(
        lambda: s3.get_object(Bucket=bucket, Key="c", IfUnmodifiedSince=modified - day), "PreconditionFailed", 412
    )
    assert status(s3.get_object(Bucket=bucket, Key="c", IfUnmodifiedSince=modified + day)) == 200


def test_response_header_overrides(s3, bucket):
    s3.put_object(Bucket=bucket, Key="o", Body=b"{}", ContentType="text/plain")
    got = s3.get_object(
        Bucket=bucket,
        Key="o",
        ResponseContentType="application/json",
        ResponseContentDisposition='attachment; filename="o.json"',
        ResponseCacheControl="no-cache",
        ResponseContentLanguage="de",
    )
    assert got["ContentType"] == "application/json"
    assert got["ContentDisposition"] == 'attachment; filename="o.json"'
    assert got["CacheControl"] == "no-cache"
    assert got["ContentLanguage"] == "de"
    assert got["Body"].read() == b"{}"
    # The stored headers are unchanged.
    assert s3.head_object(Bucket=bucket, Key="o")["ContentType"] == "text/plain"


# --- deletes --------------------------------------------------------------------------


def test_delete_object(s3, bucket):
    s3.put_object(Bucket=bucket, Key="gone", Body=b"x")
    assert status(s3.delete_object(Bucket=bucket, Key="gone")) == 204
    expect_error(lambda: s3.get_object(Bucket=bucket, Key="gone"), "NoSuchKey", 404)
    # Deleting a key that does not exist is not an error.
    assert status(s3.delete_object(Bucket=bucket, Key="gone")) == 204
    assert status(s3.delete_object(Bucket=bucket, Key="never-existed")) == 204


def test_delete_objects(s3, bucket):
    for key in ("a", "b", "c", "d", "keep"):
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    out = s3.delete_objects(
        Bucket=bucket, Delete={"Objects": [{"Key": "a"}, {"Key": "b"}, {"Key": "never-existed"}]}
    )
    assert status(out) == 200
    assert sorted(d["Key"] for d in out["Deleted"]) == ["a", "b", "never-existed"]
    assert not out.get("Errors")
    quiet = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "c"}, {"Key": "d"}], "Quiet": True})
    assert status(quiet) == 200
    assert not quiet.get("Deleted")
    assert not quiet.get("Errors")
    assert keys_of(s3.list_objects_v2(Bucket=bucket)) == ["keep"]


# --- copies ---------------------------------------------------------------------------


def test_copy_object_within_a_bucket_copies_metadata(s3, bucket):
    data = os.urandom(2048)
    s3.put_object(Bucket=bucket, Key="src", Body=data, ContentType="image/png", Metadata={"origin": "camera"})
    out = s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "src"})
    assert status(out) == 200
    assert out["CopyObjectResult"]["ETag"] == md5_etag(data)
    assert out["CopyObjectResult"]["LastModified"].tzinfo is not None
    got = s3.get_object(Bucket=bucket, Key="dst")
    assert got["Body"].read() == data
    assert got["ContentType"] == "image/png"
    assert got["Metadata"] == {"origin": "camera"}
    assert got["ETag"] == md5_etag(data)
    # COPY ignores metadata sent with the request.
    s3.copy_object(
        Bucket=bucket,
        Key="dst2",
        CopySource=f"{bucket}/src",
        MetadataDirective="COPY",
        Metadata={"ignored": "yes"},
    )
    assert s3.head_object(Bucket=bucket, Key="dst2")["Metadata"] == {"origin": "camera"}


def test_copy_object_across_buckets_replacing_metadata(s3, bucket):
    other = new_bucket(s3, "copytarget")
    data = b"copy me over"
    s3.put_object(Bucket=bucket, Key="src", Body=data, ContentType="text/plain", Metadata={"old": "1"})
    out = s3.copy_object(
        Bucket=other,
        Key="nested/dst",
        CopySource={"Bucket": bucket, "Key": "src"},
        MetadataDirective="REPLACE",
        Metadata={"new": "2"},
        ContentType="text/csv",
    )
    assert out["CopyObjectResult"]["ETag"] == md5_etag(data)
    got = s3.get_object(Bucket=other, Key="nested/dst")
    assert got["Body"].read() == data
    assert got["Metadata"] == {"new": "2"}
    assert got["ContentType"] == "text/csv"
    source = s3.head_object(Bucket=bucket, Key="src")
    assert source["Metadata"] == {"old": "1"} and source["ContentType"] == "text/plain"


def test_copy_object_errors(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"x", Metadata={"a": "1"})
    expect_error(
        lambda: s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "missing"}),
        "NoSuchKey",
        404,
    )
    expect_error(
        lambda: s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": unique("missing"), "Key": "src"}),
        "NoSuchBucket",
        404,
    )
    expect_error(
        lambda: s3.copy_object(Bucket=bucket, Key="src", CopySource={"Bucket": bucket, "Key": "src"}),
        "InvalidRequest",
        400,
    )
    # Onto itself is fine when the metadata changes.
    s3.copy_object(
        Bucket=bucket, Key="src", CopySource={"Bucket": bucket, "Key": "src"},
        MetadataDirective="REPLACE", Metadata={"a": "2"},
    )
    got = s3.get_object(Bucket=bucket, Key="src")
    assert got["Metadata"] == {"a": "2"} and got["Body"].read() == b"x"
    assert keys_of(s3.list_objects_v2(Bucket=bucket)) == ["src"]


def test_copy_object_conditions(s3, bucket):
    etag = s3.put_object(Bucket=bucket, Key="src", Body=b"v1")["ETag"]
    s3.copy_object(Bucket=bucket, Key="ok", CopySource={"Bucket": bucket, "Key": "src"}, CopySourceIfMatch=etag)
    expect_error(
        lambda: s3.copy_object(
            Bucket=bucket, Key="no", CopySource={"Bucket": bucket, "Key": "src"}, CopySourceIfMatch='"00"'
        ),
        "PreconditionFailed",
        412,
    )
    expect_error(
        lambda: s3.copy_object(
            Bucket=bucket, Key="no", CopySource={"Bucket": bucket, "Key": "src"}, CopySourceIfNoneMatch=etag
        ),
        "PreconditionFailed",
        412,
    )
    assert keys_of(s3.list_objects_v2(Bucket=bucket)) == ["ok", "src"]


def settled_source(s3, bucket, key, body):
    """Puts `body` under `key`; returns its ETag, its Last-Modified and `later`, a second after
    it, once `later` has passed: a condition on a time after Last-Modified must name a past
    time, for a date later than the server's clock is invalid and ignored (RFC 7232 §3.3)."""
    s3.put_object(Bucket=bucket, Key=key, Body=body)
    head = s3.head_object(Bucket=bucket, Key=key)
    later = head["LastModified"] + datetime.timedelta(seconds=1)
    time.sleep(max(0.0, later.timestamp() + 1 - time.time()))
    return head["ETag"], head["LastModified"], later


def test_copy_object_date_conditions(s3, bucket):
    # AWS CopyObject: x-amz-copy-source-if-modified-since "Copies the object if it has been
    # modified since the specified time"; x-amz-copy-source-if-unmodified-since "Copies the
    # object if it hasn't been modified since the specified time"; a copy whose condition
    # fails answers 412 Precondition Failed, as test_copy_object_conditions checks for ETags.
    body = b"dated source"
    etag, modified, later = settled_source(s3, bucket, "src", body)
    day = datetime.timedelta(days=1)
    source = {"Bucket": bucket, "Key": "src"}

    def copy(key, **conditions):
        return s3.copy_object(Bucket=bucket, Key=key, CopySource=source, **conditions)

    for conditions in (
        dict(CopySourceIfModifiedSince=later),
        dict(CopySourceIfUnmodifiedSince=modified - day),
        # "If both the x-amz-copy-source-if-none-match and x-amz-copy-source-if-modified-since
        # headers are present in the request and evaluate as follows, Amazon S3 returns the 412
        # Precondition Failed response code: x-amz-copy-source-if-none-match condition evaluates
        # to false; x-amz-copy-source-if-modified-since condition evaluates to true."
        dict(CopySourceIfNoneMatch=etag, CopySourceIfModifiedSince=modified - day),
    ):
        expect_error(lambda: copy("no", **conditions), "PreconditionFailed", 412)
    assert status(copy("modified", CopySourceIfModifiedSince=modified - day)) == 200
    assert status(copy("unmodified", CopySourceIfUnmodifiedSince=later)) == 200
    # The other documented pair (worded as for UploadPartCopy below): if-match true and
    # if-unmodified-since false, "Amazon S3 returns 200 OK and copies the data".
    assert status(copy("match-wins", CopySourceIfMatch=etag, CopySourceIfUnmodifiedSince=modified - day)) == 200
    assert keys_of(s3.list_objects_v2(Bucket=bucket)) == ["match-wins", "modified", "src", "unmodified"]
    for key in ("match-wins", "modified", "unmodified"):
        assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == body


def test_upload_part_copy_whole_object_and_range(s3, bucket):
    # AWS UploadPartCopy: "Uploads a part by copying data from an existing object as data
    # source"; x-amz-copy-source-range "bytes=first-last, where the first and last are the
    # zero-based byte offsets to copy. For example, bytes=0-9 indicates that you want to copy
    # the first ten bytes of the source." Every part but the last is at least 5 MiB.
    data = os.urandom(5 * MiB)
    s3.put_object(Bucket=bucket, Key="src", Body=data)
    source = {"Bucket": bucket, "Key": "src"}
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="dst")["UploadId"]

    whole = s3.upload_part_copy(Bucket=bucket, Key="dst", UploadId=upload_id, PartNumber=1, CopySource=source)
    assert status(whole) == 200
    assert whole["CopyPartResult"]["ETag"] == md5_etag(data)
    assert whole["CopyPartResult"]["LastModified"].tzinfo is not None
    ranged = s3.upload_part_copy(
        Bucket=bucket, Key="dst", UploadId=upload_id, PartNumber=2, CopySource=source, CopySourceRange="bytes=0-4"
    )
    assert status(ranged) == 200
    assert ranged["CopyPartResult"]["ETag"] == md5_etag(data[:5])
    listed = s3.list_parts(Bucket=bucket, Key="dst", UploadId=upload_id)["Parts"]
    assert [(p["PartNumber"], p["ETag"], p["Size"]) for p in listed] == [
        (1, md5_etag(data), 5 * MiB),
        (2, md5_etag(data[:5]), 5),
    ]

    done = s3.complete_multipart_upload(
        Bucket=bucket,
        Key="dst",
        UploadId=upload_id,
        MultipartUpload={
            "Parts": [
                {"PartNumber": 1, "ETag": whole["CopyPartResult"]["ETag"]},
                {"PartNumber": 2, "ETag": ranged["CopyPartResult"]["ETag"]},
            ]
        },
    )
    assert done["ETag"] == multipart_etag([data, data[:5]])
    got = s3.get_object(Bucket=bucket, Key="dst")
    assert got["Body"].read() == data + data[:5]
    assert got["ContentLength"] == 5 * MiB + 5
    assert got["ETag"] == multipart_etag([data, data[:5]])
    assert s3.get_object(Bucket=bucket, Key="src")["Body"].read() == data  # the source is unchanged


def test_upload_part_copy_conditions(s3, bucket):
    # AWS UploadPartCopy, on the source object: x-amz-copy-source-if-match "Copies the object
    # if its entity tag (ETag) matches the specified tag"; x-amz-copy-source-if-none-match
    # "Copies the object if its entity tag (ETag) is different than the specified ETag";
    # x-amz-copy-source-if-modified-since "Copies the object if it has been modified since the
    # specified time"; x-amz-copy-source-if-unmodified-since "Copies the object if it hasn't
    # been modified since the specified time". A copy whose condition fails answers 412
    # Precondition Failed, never GetObject's 304: the request is a PUT (RFC 7232 §3.2).
    body = b"part source"
    etag, modified, later = settled_source(s3, bucket, "src", body)
    day = datetime.timedelta(days=1)
    source = {"Bucket": bucket, "Key": "src"}

    def copy(upload_id, part, **conditions):
        return s3.upload_part_copy(
            Bucket=bucket, Key="dst", UploadId=upload_id, PartNumber=part, CopySource=source, **conditions
        )

    def parts(upload_id):
        listed = s3.list_parts(Bucket=bucket, Key="dst", UploadId=upload_id).get("Parts", [])
        return [(p["PartNumber"], p["ETag"], p["Size"]) for p in listed]

    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="dst")["UploadId"]
    for conditions in (
        dict(CopySourceIfMatch='"00000000000000000000000000000000"'),
        dict(CopySourceIfNoneMatch=etag),
        dict(CopySourceIfUnmodifiedSince=modified - day),
        dict(CopySourceIfModifiedSince=later),
        # "If both of the x-amz-copy-source-if-none-match and x-amz-copy-source-if-modified-since
        # headers are present in the request as follows: x-amz-copy-source-if-none-match
        # condition evaluates to false, and; x-amz-copy-source-if-modified-since condition
        # evaluates to true; Amazon S3 returns 412 Precondition Failed response code."
        dict(CopySourceIfNoneMatch=etag, CopySourceIfModifiedSince=modified - day),
    ):
        expect_error(lambda: copy(upload_id, 1, **conditions), "PreconditionFailed", 412)
        assert parts(upload_id) == [], f"{conditions} failed, yet left a part"

    # Each condition that holds copies.
    assert status(copy(upload_id, 1, CopySourceIfMatch=etag)) == 200
    assert status(copy(upload_id, 2, CopySourceIfNoneMatch='"00000000000000000000000000000000"')) == 200
    assert status(copy(upload_id, 3, CopySourceIfModifiedSince=modified - day)) == 200
    assert status(copy(upload_id, 4, CopySourceIfUnmodifiedSince=later)) == 200
    assert parts(upload_id) == [(n, md5_etag(body), len(body)) for n in (1, 2, 3, 4)]
    s3.abort_multipart_upload(Bucket=bucket, Key="dst", UploadId=upload_id)

    # "If both of the x-amz-copy-source-if-match and x-amz-copy-source-if-unmodified-since
    # headers are present in the request as follows: x-amz-copy-source-if-match condition
    # evaluates to true, and; x-amz-copy-source-if-unmodified-since condition evaluates to
    # false; Amazon S3 returns 200 OK and copies the data."
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="dst")["UploadId"]
    out = copy(upload_id, 1, CopySourceIfMatch=etag, CopySourceIfUnmodifiedSince=modified - day)
    assert status(out) == 200
    assert out["CopyPartResult"]["ETag"] == md5_etag(body)
    s3.complete_multipart_upload(
        Bucket=bucket,
        Key="dst",
        UploadId=upload_id,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": out["CopyPartResult"]["ETag"]}]},
    )
    assert s3.get_object(Bucket=bucket, Key="dst")["Body"].read() == body


# --- listings -------------------------------------------------------------------------


def test_list_objects_v2_pagination(s3, bucket):
    keys = [f"key-{i:02d}" for i in range(25)]
    for key in reversed(keys):
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())

    first = s3.list_objects_v2(Bucket=bucket, MaxKeys=10)
    assert keys_of(first) == keys[:10]
    assert first["KeyCount"] == 10 and first["MaxKeys"] == 10
    assert first["IsTruncated"] is True
    token = first["NextContinuationToken"]
    assert token

    second = s3.list_objects_v2(Bucket=bucket, MaxKeys=10, ContinuationToken=token)
    assert keys_of(second) == keys[10:20]
    assert second["ContinuationToken"] == token
    assert second["IsTruncated"] is True

    third = s3.list_objects_v2(Bucket=bucket, MaxKeys=10, ContinuationToken=second["NextContinuationToken"])
    assert keys_of(third) == keys[20:]
    assert third["KeyCount"] == 5
    assert third["IsTruncated"] is False
    assert "NextContinuationToken" not in third

    entry = first["Contents"][0]
    assert entry["Size"] == len(keys[0]) and entry["ETag"] == md5_etag(keys[0].encode())
    assert entry["StorageClass"] == "STANDARD" and entry["LastModified"].tzinfo is not None
    assert "Owner" not in entry  # only with FetchOwner=true
    owned = s3.list_objects_v2(Bucket=bucket, MaxKeys=1, FetchOwner=True)["Contents"][0]
    assert owned["Owner"]["ID"] == s3.list_buckets()["Owner"]["ID"]

    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, PaginationConfig={"PageSize": 7})
    assert [k for page in pages for k in keys_of(page)] == keys


def test_list_objects_v2_prefix_delimiter_and_start_after(s3, bucket):
    for key in ("a/1", "a/2", "a/b/3", "b/1", "c"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"")
    assert keys_of(s3.list_objects_v2(Bucket=bucket, Prefix="a/")) == ["a/1", "a/2", "a/b/3"]
    assert keys_of(s3.list_objects_v2(Bucket=bucket, StartAfter="a/2")) == ["a/b/3", "b/1", "c"]
    assert keys_of(s3.list_objects_v2(Bucket=bucket, Prefix="a/", StartAfter="a/1")) == ["a/2", "a/b/3"]

    top = s3.list_objects_v2(Bucket=bucket, Delimiter="/")
    assert keys_of(top) == ["c"]
    assert prefixes_of(top) == ["a/", "b/"]
    assert top["KeyCount"] == 3
    assert top["Delimiter"] == "/"

    inner = s3.list_objects_v2(Bucket=bucket, Prefix="a/", Delimiter="/")
    assert keys_of(inner) == ["a/1", "a/2"]
    assert prefixes_of(inner) == ["a/b/"]
    assert inner["Prefix"] == "a/"

    # Common prefixes count against MaxKeys.
    page = s3.list_objects_v2(Bucket=bucket, Delimiter="/", MaxKeys=2)
    assert prefixes_of(page) == ["a/", "b/"] and keys_of(page) == []
    assert page["IsTruncated"] is True and page["KeyCount"] == 2
    rest = s3.list_objects_v2(Bucket=bucket, Delimiter="/", MaxKeys=2, ContinuationToken=page["NextContinuationToken"])
    assert keys_of(rest) == ["c"] and prefixes_of(rest) == []
    assert rest["IsTruncated"] is False

    none = s3.list_objects_v2(Bucket=bucket, Prefix="zzz")
    assert none["KeyCount"] == 0 and "Contents" not in none and none["IsTruncated"] is False


def test_list_objects_v2_url_encoding(s3, bucket):
    key = "dir one/naïve résumé+plus&amp.txt"
    s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    # boto3 asks for encoding-type=url on its own and decodes the answer.
    assert keys_of(s3.list_objects_v2(Bucket=bucket)) == [key]
    assert prefixes_of(s3.list_objects_v2(Bucket=bucket, Delimiter="/")) == ["dir one/"]
    # Asked for explicitly, boto3 leaves the keys encoded.
    raw = s3.list_objects_v2(Bucket=bucket, EncodingType="url")
    assert raw["EncodingType"] == "url"
    encoded = raw["Contents"][0]["Key"]
    assert encoded != key and encoded.isascii()
    assert " " not in encoded and "ï" not in encoded
    assert urllib.parse.unquote_plus(encoded) == key
    raw_prefixes = s3.list_objects_v2(Bucket=bucket, EncodingType="url", Delimiter="/")["CommonPrefixes"]
    assert urllib.parse.unquote_plus(raw_prefixes[0]["Prefix"]) == "dir one/"


def test_list_objects_v1_markers(s3, bucket):
    keys = [f"k{i:02d}" for i in range(15)]
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=b"")
    first = s3.list_objects(Bucket=bucket, MaxKeys=10)
    assert keys_of(first) == keys[:10]
    assert first["IsTruncated"] is True
    # Without a delimiter S3 sends no NextMarker: the last key is the next marker.
    assert "NextMarker" not in first
    second = s3.list_objects(Bucket=bucket, MaxKeys=10, Marker=keys[9])
    assert keys_of(second) == keys[10:]
    assert second["Marker"] == keys[9]
    assert second["IsTruncated"] is False
    pages = s3.get_paginator("list_objects").paginate(Bucket=bucket, PaginationConfig={"PageSize": 4})
    assert [k for page in pages for k in keys_of(page)] == keys


def test_list_objects_v1_next_marker_with_a_delimiter(s3, bucket):
    for key in ("a/1", "a/2", "b/1", "c", "d", "e"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"")
    first = s3.list_objects(Bucket=bucket, Delimiter="/", MaxKeys=2)
    assert prefixes_of(first) == ["a/", "b/"] and keys_of(first) == []
    assert first["IsTruncated"] is True
    assert first["NextMarker"] == "b/"
    second = s3.list_objects(Bucket=bucket, Delimiter="/", MaxKeys=2, Marker=first["NextMarker"])
    assert keys_of(second) == ["c", "d"] and prefixes_of(second) == []
    assert second["NextMarker"] == "d"
    third = s3.list_objects(Bucket=bucket, Delimiter="/", MaxKeys=2, Marker=second["NextMarker"])
    assert keys_of(third) == ["e"]
    assert third["IsTruncated"] is False
    assert "NextMarker" not in third
    pages = list(s3.get_paginator("list_objects").paginate(Bucket=bucket, Delimiter="/", PaginationConfig={"PageSize": 2}))
    assert [p for page in pages for p in prefixes_of(page)] == ["a/", "b/"]
    assert [k for page in pages for k in keys_of(page)] == ["c", "d", "e"]


# --- multipart ------------------------------------------------------------------------


def test_upload_file_and_download_file_in_parts(s3, bucket, tmp_path):
    data = os.urandom(50 * MiB)
    source = tmp_path / "big.bin"
    source.write_bytes(data)
    config = boto3.s3.transfer.TransferConfig(multipart_threshold=8 * MiB, multipart_chunksize=8 * MiB)
    s3.upload_file(str(source), bucket, "big/object.bin", Config=config)

    parts = [data[i : i + 8 * MiB] for i in range(0, len(data), 8 * MiB)]
    assert len(parts) == 7
    head = s3.head_object(Bucket=bucket, Key="big/object.bin")
    assert head["ContentLength"] == len(data)
    assert head["ETag"] == multipart_etag(parts)
    assert keys_of(s3.list_objects_v2(Bucket=bucket))[0] == "big/object.bin"
    assert s3.list_objects_v2(Bucket=bucket)["Contents"][0]["Size"] == len(data)
    assert not s3.list_multipart_uploads(Bucket=bucket).get("Uploads")

    back = tmp_path / "back.bin"
    s3.download_file(bucket, "big/object.bin", str(back), Config=config)
    assert back.read_bytes() == data
    ranged = s3.get_object(Bucket=bucket, Key="big/object.bin", Range=f"bytes={8 * MiB - 5}-{8 * MiB + 4}")
    assert ranged["Body"].read() == data[8 * MiB - 5 : 8 * MiB + 5]


def test_upload_file_with_aws_chunked_parts(server, bucket, tmp_path):
    s3 = trailer_checksums(s3_client(server))
    data = os.urandom(12 * MiB + 123)
    source = tmp_path / "chunked.bin"
    source.write_bytes(data)
    config = boto3.s3.transfer.TransferConfig(multipart_threshold=5 * MiB, multipart_chunksize=5 * MiB)
    s3.upload_file(str(source), bucket, "chunked.bin", Config=config)
    parts = [data[i : i + 5 * MiB] for i in range(0, len(data), 5 * MiB)]
    assert s3.head_object(Bucket=bucket, Key="chunked.bin")["ETag"] == multipart_etag(parts)
    assert s3.get_object(Bucket=bucket, Key="chunked.bin")["Body"].read() == data


def test_multipart_upload_by_hand(server, bucket):
    s3 = s3_client(server, checksums="when_required")
    key = "hand/made.bin"
    created = s3.create_multipart_upload(
        Bucket=bucket, Key=key, ContentType="application/x-parts", Metadata={"made": "by-hand"}
    )
    assert created["Bucket"] == bucket and created["Key"] == key
    upload_id = created["UploadId"]

    first, second = os.urandom(5 * MiB), b"the short last part"
    # A part uploaded twice: the last one counts.
    s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=1, Body=os.urandom(5 * MiB))
    e1 = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=1, Body=first)["ETag"]
    e2 = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=2, Body=second)["ETag"]
    assert (e1, e2) == (md5_etag(first), md5_etag(second))

    listed = s3.list_parts(Bucket=bucket, Key=key, UploadId=upload_id)
    assert [(p["PartNumber"], p["ETag"], p["Size"]) for p in listed["Parts"]] == [
        (1, e1, len(first)),
        (2, e2, len(second)),
    ]
    assert listed["UploadId"] == upload_id and listed["IsTruncated"] is False
    uploads = s3.list_multipart_uploads(Bucket=bucket)["Uploads"]
    assert [(u["Key"], u["UploadId"]) for u in uploads] == [(key, upload_id)]
    assert uploads[0]["Initiated"].tzinfo is not None
    # Not an object until completed.
    assert keys_of(s3.list_objects_v2(Bucket=bucket)) == []
    expect_error(lambda: s3.get_object(Bucket=bucket, Key=key), "NoSuchKey", 404)

    done = s3.complete_multipart_upload(
        Bucket=bucket,
        Key=key,
        UploadId=upload_id,
        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]},
    )
    assert done["ETag"] == multipart_etag([first, second])
    assert done["Bucket"] == bucket and done["Key"] == key
    got = s3.get_object(Bucket=bucket, Key=key)
    assert got["Body"].read() == first + second
    assert got["ETag"] == multipart_etag([first, second])
    assert got["ContentType"] == "application/x-parts"
    assert got["Metadata"] == {"made": "by-hand"}
    assert got["ContentLength"] == len(first) + len(second)

    assert not s3.list_multipart_uploads(Bucket=bucket).get("Uploads")
    expect_error(
        lambda: s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=3, Body=b"late"),
        "NoSuchUpload",
        404,
    )


def test_single_small_part_is_a_valid_upload(server, bucket):
    s3 = s3_client(server, checksums="when_required")
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="one")["UploadId"]
    etag = s3.upload_part(Bucket=bucket, Key="one", UploadId=upload_id, PartNumber=1, Body=b"tiny")["ETag"]
    done = s3.complete_multipart_upload(
        Bucket=bucket, Key="one", UploadId=upload_id, MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]}
    )
    assert done["ETag"] == multipart_etag([b"tiny"])
    assert s3.get_object(Bucket=bucket, Key="one")["Body"].read() == b"tiny"


def test_multipart_with_crc32_parts_has_a_composite_checksum(s3, bucket):
    key = "composite"
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key, ChecksumAlgorithm="CRC32")["UploadId"]
    parts = [os.urandom(5 * MiB), b"end"]
    completed = []
    for number, body in enumerate(parts, start=1):
        out = s3.upload_part(
            Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=body, ChecksumAlgorithm="CRC32"
        )
        assert out["ChecksumCRC32"] == crc32_b64(body)
        completed.append({"PartNumber": number, "ETag": out["ETag"], "ChecksumCRC32": out["ChecksumCRC32"]})
    done = s3.complete_multipart_upload(
        Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": completed}
    )
    assert done["ETag"] == multipart_etag(parts)
    composite = crc32_b64(b"".join(zlib.crc32(p).to_bytes(4, "big") for p in parts)) + "-2"
    head = s3.head_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")
    assert head["ChecksumCRC32"] == composite
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"".join(parts)


def test_list_multipart_uploads_and_abort(server, bucket):
    s3 = s3_client(server, checksums="when_required")
    a = s3.create_multipart_upload(Bucket=bucket, Key="u/a")["UploadId"]
    b = s3.create_multipart_upload(Bucket=bucket, Key="u/b")["UploadId"]
    other = s3.create_multipart_upload(Bucket=bucket, Key="v/c")["UploadId"]
    listed = s3.list_multipart_uploads(Bucket=bucket)
    assert listed["Bucket"] == bucket
    assert sorted((u["Key"], u["UploadId"]) for u in listed["Uploads"]) == [("u/a", a), ("u/b", b), ("v/c", other)]
    assert [u["Key"] for u in s3.list_multipart_uploads(Bucket=bucket, Prefix="u/")["Uploads"]] == ["u/a", "u/b"]

    s3.upload_part(Bucket=bucket, Key="u/a", UploadId=a, PartNumber=1, Body=b"part")
    assert status(s3.abort_multipart_upload(Bucket=bucket, Key="u/a", UploadId=a)) == 204
    assert sorted(u["UploadId"] for u in s3.list_multipart_uploads(Bucket=bucket)["Uploads"]) == sorted([b, other])
    message = (
        "The specified multipart upload does not exist. The upload ID might be invalid, or the multipart upload "
        "might have been aborted or completed."
    )
    expect_error(
        lambda: s3.upload_part(Bucket=bucket, Key="u/a", UploadId=a, PartNumber=2, Body=b"x"),
        "NoSuchUpload",
        404,
        message,
    )
    expect_error(lambda: s3.list_parts(Bucket=bucket, Key="u/a", UploadId=a), "NoSuchUpload", 404)
    expect_error(
        lambda: s3.complete_multipart_upload(
            Bucket=bucket, Key="u/a", UploadId=a, MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": md5_etag(b"part")}]}
        ),
        "NoSuchUpload",
        404,
    )
    expect_error(lambda: s3.abort_multipart_upload(Bucket=bucket, Key="u/a", UploadId=a), "NoSuchUpload", 404)
    expect_error(
        lambda: s3.upload_part(Bucket=bucket, Key="u/a", UploadId="not-an-upload-id", PartNumber=1, Body=b"x"),
        "NoSuchUpload",
        404,
    )
    assert keys_of(s3.list_objects_v2(Bucket=bucket)) == []


def test_complete_multipart_upload_errors(server, bucket):
    s3 = s3_client(server, checksums="when_required")
    key = "broken"
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    small1, large2 = b"a" * 1024, os.urandom(5 * MiB)
    e1 = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=1, Body=small1)["ETag"]
    e2 = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=2, Body=large2)["ETag"]

    def complete(parts):
        return lambda: s3.complete_multipart_upload(
            Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts}
        )

    # Every part but the last must be at least 5 MiB (part 1 is 1 KiB).
    expect_error(
        complete([{"PartNumber": 1, "ETag": e1}, {"PartNumber": 2, "ETag": e2}]),
        "EntityTooSmall",
        400,
        "Your proposed upload is smaller than the minimum allowed object size.",
    )
    expect_error(
        complete([{"PartNumber": 1, "ETag": '"0123456789abcdef0123456789abcdef"'}]),
        "InvalidPart",
        400,
    )
    expect_error(complete([{"PartNumber": 3, "ETag": e1}]), "InvalidPart", 400)
    # Out of order (listed this way round no part but the last is small).
    expect_error(
        complete([{"PartNumber": 2, "ETag": e2}, {"PartNumber": 1, "ETag": e1}]),
        "InvalidPartOrder",
        400,
    )
    # A failed completion leaves the upload in place, to be retried.
    assert [u["UploadId"] for u in s3.list_multipart_uploads(Bucket=bucket)["Uploads"]] == [upload_id]
    assert keys_of(s3.list_objects_v2(Bucket=bucket)) == []
    # Completing with the last part only is fine.
    done = s3.complete_multipart_upload(
        Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e1}]}
    )
    assert done["ETag"] == multipart_etag([small1])
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == small1


# --- presigned URLs -------------------------------------------------------------------


def test_presigned_get_and_put(s3, bucket):
    s3.put_object(Bucket=bucket, Key="shared.txt", Body=b"presigned body")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "shared.txt"}, ExpiresIn=300)
    assert "X-Amz-Signature=" in url and f"/{bucket}/shared.txt" in url
    code, response_headers, body = send(url, "GET", {})
    assert (code, body) == (200, b"presigned body")
    assert response_headers["etag"] == md5_etag(b"presigned body")
    assert response_headers.get("x-amz-request-id")

    put_url = s3.generate_presigned_url(
        "put_object", Params={"Bucket": bucket, "Key": "uploaded.txt", "ContentType": "text/plain"}, ExpiresIn=300
    )
    code, _, _ = send(put_url, "PUT", {"Content-Type": "text/plain"}, b"uploaded through a presigned URL")
    assert code == 200
    got = s3.get_object(Bucket=bucket, Key="uploaded.txt")
    assert got["Body"].read() == b"uploaded through a presigned URL"
    assert got["ContentType"] == "text/plain"


def test_presigned_url_with_a_bad_signature(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"}, ExpiresIn=300)
    signature = url.split("X-Amz-Signature=")[1][:64]
    tampered = url.replace(signature, ("0" if signature[0] != "0" else "1") + signature[1:])
    code, _, body = send(tampered, "GET", {})
    assert code == 403
    assert error_fields(body)["Code"] == "SignatureDoesNotMatch"
    # A URL for one key does not open another.
    code, _, body = send(url.replace(f"/{bucket}/k?", f"/{bucket}/other?"), "GET", {})
    assert code == 403 and error_fields(body)["Code"] == "SignatureDoesNotMatch"


def test_expired_presigned_url(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"}, ExpiresIn=1)
    time.sleep(2)
    code, response_headers, body = send(url, "GET", {})
    assert code == 403
    fields = error_fields(body)
    assert fields["Code"] == "AccessDenied"
    assert fields["Message"] == "Request has expired"
    assert response_headers.get("x-amz-request-id")


# --- request ids, error format, authentication ----------------------------------------


def test_every_response_carries_request_ids(s3, bucket):
    responses = [
        s3.put_object(Bucket=bucket, Key="k", Body=b"x"),
        s3.get_object(Bucket=bucket, Key="k"),
        s3.head_object(Bucket=bucket, Key="k"),
        s3.list_objects_v2(Bucket=bucket),
        s3.head_bucket(Bucket=bucket),
        s3.list_buckets(),
        s3.delete_object(Bucket=bucket, Key="k"),
        client_error(lambda: s3.get_object(Bucket=bucket, Key="missing")),
        client_error(lambda: s3.head_object(Bucket=bucket, Key="missing")),
        client_error(lambda: s3.head_bucket(Bucket=unique("missing"))),
        client_error(lambda: s3.create_bucket(Bucket="Not_Valid")),
    ]
    seen = set()
    for response in responses:
        meta = response["ResponseMetadata"]
        h = meta["HTTPHeaders"]
        assert h.get("x-amz-request-id"), meta
        assert h.get("x-amz-id-2"), meta
        assert meta["RequestId"] == h["x-amz-request-id"]
        assert meta["HostId"] == h["x-amz-id-2"]
        seen.add(h["x-amz-request-id"])
    assert len(seen) == len(responses)


def test_error_bodies_are_s3_error_xml(server, bucket):
    code, h, body = signed(server, "GET", f"/{bucket}/missing-key")
    assert code == 404
    assert h["content-type"].startswith("application/xml")
    fields = error_fields(body)
    assert fields["Code"] == "NoSuchKey"
    assert fields["Message"] == "The specified key does not exist."
    assert fields["Key"] == "missing-key"
    assert fields["RequestId"] == h["x-amz-request-id"]
    assert fields["HostId"] == h["x-amz-id-2"]

    missing = unique("missing")
    code, h, body = signed(server, "GET", f"/{missing}?list-type=2")
    assert code == 404
    fields = error_fields(body)
    assert fields["Code"] == "NoSuchBucket"
    assert fields["Message"] == "The specified bucket does not exist"
    assert fields["BucketName"] == missing
    assert fields["RequestId"] == h["x-amz-request-id"]

    # HEAD errors have a status and no body.
    code, h, body = signed(server, "HEAD", f"/{bucket}/missing-key")
    assert (code, body) == (404, b"")
    assert h.get("x-amz-request-id") and h.get("x-amz-id-2")


def test_unknown_access_key(server, bucket):
    s3 = s3_client(server, aws_access_key_id="AKIAUNKNOWNKEY000000", aws_secret_access_key="whatever")
    error = expect_error(
        s3.list_buckets, "InvalidAccessKeyId", 403, "The AWS Access Key Id you provided does not exist in our records."
    )
    assert error["Error"].get("AWSAccessKeyId") == "AKIAUNKNOWNKEY000000"
    expect_error(lambda: s3.put_object(Bucket=bucket, Key="k", Body=b"x"), "InvalidAccessKeyId", 403)
    assert keys_of(s3_client(server).list_objects_v2(Bucket=bucket)) == []


def test_wrong_secret_key(server, bucket):
    s3 = s3_client(server, aws_secret_access_key="not-the-right-secret")
    error = expect_error(s3.list_buckets, "SignatureDoesNotMatch", 403)
    assert error["Error"]["Message"].startswith(
        "The request signature we calculated does not match the signature you provided."
    )
    expect_error(lambda: s3.put_object(Bucket=bucket, Key="k", Body=b"x"), "SignatureDoesNotMatch", 403)
    expect_error(lambda: s3.get_object(Bucket=bucket, Key="k"), "SignatureDoesNotMatch", 403)
    assert keys_of(s3_client(server).list_objects_v2(Bucket=bucket)) == []


# --- AWS CLI --------------------------------------------------------------------------


def cli_listing(output):
    """`aws s3 ls` lines as {key-or-prefix: size-or-"PRE"}."""
    entries = {}
    for line in output.splitlines():
        if not line.strip():
            continue
        if line.strip().startswith("PRE "):
            entries[line.strip()[4:]] = "PRE"
        else:
            _date, _time, size, name = line.split(maxsplit=3)
            entries[name] = int(size)
    return entries


def test_cli_cp_ls_and_s3api(server, s3, bucket, tmp_path):
    local = tmp_path / "hello.txt"
    local.write_bytes(b"hello from the cli\n")
    server.aws("s3", "cp", str(local), f"s3://{bucket}/docs/hello.txt")
    assert s3.get_object(Bucket=bucket, Key="docs/hello.txt")["Body"].read() == b"hello from the cli\n"

    assert cli_listing(server.aws("s3", "ls", f"s3://{bucket}/").stdout) == {"docs/": "PRE"}
    assert cli_listing(server.aws("s3", "ls", f"s3://{bucket}/docs/").stdout) == {"hello.txt": 19}
    assert bucket in server.aws("s3", "ls").stdout.split()
    assert bucket not in server.aws("s3", "ls", account="destination").stdout.split()

    back = tmp_path / "back.txt"
    server.aws("s3", "cp", f"s3://{bucket}/docs/hello.txt", str(back))
    assert back.read_bytes() == b"hello from the cli\n"

    head = json.loads(server.aws("s3api", "head-object", "--bucket", bucket, "--key", "docs/hello.txt").stdout)
    assert head["ContentLength"] == 19
    assert head["ETag"] == md5_etag(b"hello from the cli\n")

    put = json.loads(
        server.aws(
            "s3api", "put-object", "--bucket", bucket, "--key", "api/object.txt", "--body", str(local),
            "--content-type", "text/plain", "--metadata", "origin=cli",
        ).stdout
    )
    assert put["ETag"] == md5_etag(b"hello from the cli\n")
    out = tmp_path / "api.txt"
    got = json.loads(
        server.aws("s3api", "get-object", "--bucket", bucket, "--key", "api/object.txt", str(out)).stdout
    )
    assert got["ContentType"] == "text/plain" and got["Metadata"] == {"origin": "cli"}
    assert out.read_bytes() == b"hello from the cli\n"

    listed = json.loads(server.aws("s3api", "list-objects-v2", "--bucket", bucket).stdout)
    assert [o["Key"] for o in listed["Contents"]] == ["api/object.txt", "docs/hello.txt"]

    missing = server.aws("s3api", "head-object", "--bucket", bucket, "--key", "nope", check=False)
    assert missing.returncode != 0 and "404" in missing.stderr
    missing = server.aws("s3", "cp", f"s3://{bucket}/nope", str(tmp_path / "nope"), check=False)
    assert missing.returncode != 0


def test_cli_multipart_copy(server, s3, bucket, tmp_path):
    data = os.urandom(20 * MiB + 7)
    local = tmp_path / "large.bin"
    local.write_bytes(data)
    server.aws("s3", "cp", str(local), f"s3://{bucket}/large.bin")
    head = s3.head_object(Bucket=bucket, Key="large.bin")
    assert head["ContentLength"] == len(data)
    assert head["ETag"].endswith('-3"')  # the CLI's 8 MiB parts
    back = tmp_path / "large.back"
    server.aws("s3", "cp", f"s3://{bucket}/large.bin", str(back))
    assert back.read_bytes() == data


def test_cli_sync_up_and_down(server, s3, bucket, tmp_path):
    files = {
        "a.txt": b"alpha\n",
        "space name.txt": b"spaces in the name",
        "nested/b.bin": os.urandom(2048),
        "nested/deeper/c.json": b'{"c": 1}',
        "nested/deeper/empty": b"",
    }
    up = tmp_path / "up"
    an_hour_ago = time.time() - 3600
    for name, data in files.items():
        (up / name).parent.mkdir(parents=True, exist_ok=True)
        (up / name).write_bytes(data)
        # Older than the upload, so a second sync has nothing to do (S3 times are whole seconds).
        os.utime(up / name, (an_hour_ago, an_hour_ago))

    server.aws("s3", "sync", str(up), f"s3://{bucket}/tree/")
    listed = cli_listing(server.aws("s3", "ls", "--recursive", f"s3://{bucket}/tree/").stdout)
    assert listed == {f"tree/{name}": len(data) for name, data in files.items()}
    assert cli_listing(server.aws("s3", "ls", f"s3://{bucket}/tree/").stdout) == {
        "nested/": "PRE",
        "a.txt": len(files["a.txt"]),
        "space name.txt": len(files["space name.txt"]),
    }

    down = tmp_path / "down"
    server.aws("s3", "sync", f"s3://{bucket}/tree/", str(down))
    got = {str(p.relative_to(down)): p.read_bytes() for p in down.rglob("*") if p.is_file()}
    assert got == files

    # Nothing changed: nothing to upload.
    again = server.aws("s3", "sync", str(up), f"s3://{bucket}/tree/")
    assert "upload:" not in again.stdout

    (up / "a.txt").unlink()
    server.aws("s3", "sync", str(up), f"s3://{bucket}/tree/", "--delete")
    assert "tree/a.txt" not in all_keys(s3, bucket)
    assert len(all_keys(s3, bucket)) == len(files) - 1

    server.aws("s3", "rb", f"s3://{bucket}", "--force")
    expect_error(lambda: s3.head_bucket(Bucket=bucket), "404", 404)


# --- virtual-hosted-style addressing -------------------------------------------------------


def test_virtual_hosted_style_addressing(server, monkeypatch):
    """`BUCKET.localhost` and `BUCKET.s3.localhost` name the bucket in the Host header.
    Resolvers need not know `*.localhost`, so the test points such names at the server."""
    import socket
    from urllib.parse import urlparse

    real = socket.getaddrinfo
    port = urlparse(server.endpoint).port

    def resolve(host, *args, **kwargs):
        return real("127.0.0.1" if str(host).endswith("localhost") else host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    config = botocore.config.Config(s3={"addressing_style": "virtual"}, retries={"max_attempts": 1})
    name = unique("vhost")
    for host in ["localhost", "s3.localhost"]:
        s3 = server.client("s3", endpoint_url=f"http://{host}:{port}", config=config)
        bucket = f"{name}-{host.split('.')[0]}"
        s3.create_bucket(Bucket=bucket)
        s3.put_object(Bucket=bucket, Key="a/b.txt", Body=b"virtual")
        assert s3.get_object(Bucket=bucket, Key="a/b.txt")["Body"].read() == b"virtual"
        assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["a/b.txt"]


@pytest.mark.parametrize(
    "expires, message",
    [
        (604801, "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds"),
        (4294967295, "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds"),
        (-7, "X-Amz-Expires must be non-negative"),
    ],
)
def test_presigned_url_expiry_beyond_a_week_or_negative_is_refused(s3, bucket, expires, message):
    """Issue 21: a SigV4 presigned URL lives at most 604,800 s. S3 answers 403
    AuthorizationQueryParametersError (text: bryanjos/aws_auth#31, aws-cli#5464; status: ceph
    s3-tests test_object_raw_get_x_amz_expires_out_max_range). botocore refuses to presign
    beyond a week, so the URL's X-Amz-Expires is rewritten (the check comes before the
    signature's)."""
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "k"}, ExpiresIn=3600)
    url = re.sub(r"X-Amz-Expires=\d+", f"X-Amz-Expires={expires}", url)
    code, _, body = send(url, "GET", {})
    assert code == 403, body
    fields = error_fields(body)
    assert fields["Code"] == "AuthorizationQueryParametersError", fields
    assert fields["Message"] == message


def test_a_credential_scope_for_another_service_is_refused(server, bucket):
    """Issue 21: S3 refuses a signature scoped to another service before verifying it:
    AuthorizationHeaderMalformed for a header, AuthorizationQueryParametersError for a
    presigned URL (texts as OpenStack Swift's s3api tests and minio record them)."""
    sts_signed = server.client("s3", config=botocore.config.Config(s3={"addressing_style": "path"}))

    def resign_as_sts(request, **_):
        request.context["signing"] = {**request.context.get("signing", {}), "signing_name": "sts"}

    sts_signed.meta.events.register_first("before-sign.s3.ListObjectsV2", resign_as_sts)
    with pytest.raises(botocore.exceptions.ClientError) as info:
        sts_signed.list_objects_v2(Bucket=bucket)
    error = info.value.response["Error"]
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert error["Code"] == "AuthorizationHeaderMalformed", error
    assert error["Message"] == 'The authorization header is malformed; incorrect service "sts". This endpoint belongs to "s3".'
    url = server.client(
        "s3", config=botocore.config.Config(s3={"addressing_style": "path"}, signature_version="s3v4")
    ).generate_presigned_url("list_objects_v2", Params={"Bucket": bucket}, ExpiresIn=60)
    assert "%2Fs3%2Faws4_request" in url
    code, _, body = send(url.replace("%2Fs3%2Faws4_request", "%2Fsts%2Faws4_request"), "GET", {})
    assert code == 400, body
    fields = error_fields(body)
    assert fields["Code"] == "AuthorizationQueryParametersError", fields
    assert fields["Message"] == (
        'Error parsing the X-Amz-Credential parameter; incorrect service "sts". This endpoint belongs to "s3".'
    )


@pytest.mark.parametrize(
    "operation, params",
    [
        ("list_objects", {}),
        ("list_objects", {"Prefix": "a/"}),
        ("list_objects_v2", {}),
        ("get_object", {"Key": "a/b c"}),
    ],
)
def test_sigv2_presigned_urls_verify(server, bucket, operation, params):
    """Issue 21 named SigV2 presigned ListObjects failing to verify: botocore's `s3` signer
    presigns the bucket as `/bucket` (no slash) for listings; each of these answers 200."""
    s3_client_v4 = server.client("s3", config=botocore.config.Config(s3={"addressing_style": "path"}))
    s3_client_v4.put_object(Bucket=bucket, Key="a/b c", Body=b"x")
    v2 = server.client(
        "s3", config=botocore.config.Config(signature_version="s3", s3={"addressing_style": "path"})
    )
    url = v2.generate_presigned_url(operation, Params={"Bucket": bucket, **params}, ExpiresIn=60)
    assert "Signature=" in url and "X-Amz-Signature" not in url
    code, _, body = send(url, "GET", {})
    assert code == 200, body
