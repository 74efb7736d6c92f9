"""Limits strata sets to protect itself, seen from outside as AWS-shaped errors.

- Multipart uploads in progress per account (`serve --max-open-uploads`): S3 has no such
  limit, so strata answers CreateMultipartUpload beyond it with S3's `400 InvalidRequest`,
  which the SDKs do not retry, saying which limit and how to clear it. The count is the
  initiating account's, kept durably with the uploads: completing or aborting frees a
  place, and a restart does not reset it.

The connection cap (`serve --max-connections`) is tested in test_tls.py with the transports.
"""

import uuid

import botocore.exceptions
import pytest

from conftest import start_server


def start_upload(s3, bucket, key):
    return s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]


def refused(call):
    with pytest.raises(botocore.exceptions.ClientError) as info:
        call()
    return info.value.response


def test_open_uploads_are_capped_per_account_and_freed_by_complete_and_abort(fresh_data_dir):
    server = start_server(fresh_data_dir, "--max-open-uploads", "3")
    try:
        s3 = server.client("s3")
        other = server.client("s3", account="destination")
        bucket, other_bucket = f"cap-{uuid.uuid4().hex[:12]}", f"cap-{uuid.uuid4().hex[:12]}"
        s3.create_bucket(Bucket=bucket)
        other.create_bucket(Bucket=other_bucket)
        uploads = [start_upload(s3, bucket, f"k{i}") for i in range(3)]

        answer = refused(lambda: start_upload(s3, bucket, "k3"))
        assert answer["Error"]["Code"] == "InvalidRequest"
        assert answer["ResponseMetadata"]["HTTPStatusCode"] == 400
        assert "3 multipart uploads in progress" in answer["Error"]["Message"]
        assert "--max-open-uploads" in answer["Error"]["Message"]
        # A refused request leaves nothing behind.
        assert len(s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])) == 3

        # The cap is the initiating account's: another account is not affected.
        start_upload(other, other_bucket, "elsewhere")

        # Aborting frees a place.
        s3.abort_multipart_upload(Bucket=bucket, Key="k0", UploadId=uploads[0])
        replacement = start_upload(s3, bucket, "k0-again")
        refused(lambda: start_upload(s3, bucket, "k4"))

        # So does completing.
        part = s3.upload_part(Bucket=bucket, Key="k1", UploadId=uploads[1], PartNumber=1, Body=b"x")
        s3.complete_multipart_upload(
            Bucket=bucket,
            Key="k1",
            UploadId=uploads[1],
            MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]},
        )
        start_upload(s3, bucket, "k5")
        refused(lambda: start_upload(s3, bucket, "k6"))
        assert replacement
    finally:
        server.stop()

    # The count is stored with the uploads: a restart does not reset it.
    server = start_server(fresh_data_dir, "--max-open-uploads", "3")
    try:
        s3 = server.client("s3")
        answer = refused(lambda: start_upload(s3, bucket, "after-restart"))
        assert answer["Error"]["Code"] == "InvalidRequest"
    finally:
        server.stop()
