"""Helpers of the tests that drive real clients (tests/e2e/test_client_*.py): `unavailable`,
which skips a test whose client is not installed (and fails it under CI), and for the S3
command-line clients a local `tree` to upload and boto3 readers of what landed (`keys`, `body`)."""

import os

import pytest

BIG = 12 * 1024 * 1024  # three 5 MiB parts with a 5 MiB part size (a multipart upload)


def unavailable(message):
    """A missing client fails the test in CI (`CI` set) and skips it elsewhere."""
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def tree(tmp_path):
    """A local directory: three small files, a unicode name with spaces and `+&=`, and a file
    of BIG bytes, large enough for a multipart upload."""
    root = tmp_path / "tree"
    (root / "sub").mkdir(parents=True)
    for i in (1, 2, 3):
        (root / f"f{i}.txt").write_text(f"file {i}\n")
    (root / "sub" / "spaced name ü+&=.txt").write_text("ünïcødé\n")
    (root / "sub" / "big.bin").write_bytes(os.urandom(BIG))
    return root


def keys(server, bucket, account="source", prefix=""):
    """The keys in `bucket` under `prefix`, listed with boto3."""
    pages = server.client("s3", account).get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    return sorted(o["Key"] for page in pages for o in page.get("Contents", []))


def body(server, bucket, key, account="source"):
    """The bytes of `key` in `bucket`, read with boto3."""
    return server.client("s3", account).get_object(Bucket=bucket, Key=key)["Body"].read()
