"""Helpers the S3 end-to-end tests share: a path-style SigV4 client, and the parts of a
response or an AWS error they check."""

import botocore.config

from aws_helpers import client_error
from conftest import REGION


def s3_client(server, account="source", region=REGION, checksums="when_supported", **overrides):
    """A path-style S3 client, one attempt per call; `checksums="when_required"` stops boto3's
    default CRC32. SigV4 is named explicitly, else botocore presigns S3 URLs with SigV2."""
    config = botocore.config.Config(
        s3={"addressing_style": "path"},
        retries={"max_attempts": 1},
        request_checksum_calculation=checksums,
        signature_version="s3v4",
    )
    return server.client("s3", account, config=config, region_name=region, **overrides)


def status(response):
    return response["ResponseMetadata"]["HTTPStatusCode"]


def headers(response):
    return response["ResponseMetadata"]["HTTPHeaders"]


def expect_error(call, code, http_status, message=None):
    """Runs `call`, which must fail with `code` and `http_status` (and `message`, if given);
    returns botocore's parsed error response."""
    error = client_error(call)
    assert error["Error"]["Code"] == code, error["Error"]
    assert status(error) == http_status, error["ResponseMetadata"]
    if message is not None:
        assert error["Error"]["Message"] == message, error["Error"]
    return error
