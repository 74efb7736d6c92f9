"""DynamoDB point-in-time recovery and exports to S3 (spec dynamodb-export-import §1–5):
UpdateContinuousBackups / DescribeContinuousBackups and the restorable window;
ExportTableToPointInTime's synchronous validation, its description, the objects a full
export writes (layout, manifests, checksums, DynamoDB JSON and Ion lines), exports as of
a past time, incremental exports, cross-account exports into a bucket of "destination"
(222222222222) written as the calling principal of "source" (111111111111), ClientToken
idempotency, DescribeExport, ListExports and the AWS CLI.

Tests that move the server clock run on a server of their own (`clock_server`), so the
shared session server keeps real time for the other test files."""

import base64
import gzip
import hashlib
import json
import math
import re
import time
from datetime import datetime, timedelta, timezone

import botocore.config
import pytest

from aws_helpers import client_error, export_id, policy, role_assumer, unique, wait_export
from sigv4_client import credentials, signed

SOURCE, DEST = "111111111111", "222222222222"
REGION = "us-east-1"

EXPORT_ID = r"\d{14}-[0-9a-f]{8}"
DATA_FILE = r"[a-z2-7]{26}"
ISO_MS = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"
S3_TAIL = (
    r" \(Service: Amazon S3; Status Code: {status}; Error Code: {code}; "
    r"Request ID: [0-9A-Z]{{16}}; S3 Extended Request ID: \S+; Proxy: null\)$"
)
MANIFEST_NAMES = {"manifest-files.json", "manifest-files.md5", "manifest-summary.json", "manifest-summary.md5"}


# --- helpers --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def clock_server(workdir):
    """A server of this module's own, for the tests that move its clock."""
    from conftest import start_server

    s = start_server(workdir / "dynamodb-export-clock")
    yield s
    s.stop()


def server_now(srv):
    """The server clock as an aware datetime (microsecond precision)."""
    text = json.loads(srv.get("/_strata/clock"))["now"]
    match = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z", text)
    assert match, text
    fraction = (match.group(2) or "").ljust(6, "0")[:6]
    return datetime.fromisoformat(match.group(1) + "." + fraction + "+00:00")


def whole_seconds(dt):
    """`dt` truncated to a whole second: what botocore sends for a timestamp."""
    return datetime.fromtimestamp(math.floor(dt.timestamp()), timezone.utc)


def micros(dt):
    return round(dt.timestamp() * 1_000_000)


def millis(dt):
    return round(dt.timestamp() * 1000)


def iso_ms(dt):
    dt = dt.astimezone(timezone.utc)
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def iso_s(dt):
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def table_arn(name, account=SOURCE, region=REGION):
    return f"arn:aws:dynamodb:{region}:{account}:table/{name}"


def s3_client(srv, account="source", **overrides):
    config = botocore.config.Config(
        s3={"addressing_style": "path"},
        retries={"max_attempts": 1},
        request_checksum_calculation="when_required",
    )
    return srv.client("s3", account, config=config, **overrides)


def new_table(ddb, pitr=False, sort_key=None, items=()):
    name = unique("export")
    schema = [{"AttributeName": "pk", "KeyType": "HASH"}]
    defs = [{"AttributeName": "pk", "AttributeType": "S"}]
    if sort_key:
        schema.append({"AttributeName": sort_key, "KeyType": "RANGE"})
        defs.append({"AttributeName": sort_key, "AttributeType": "N"})
    ddb.create_table(TableName=name, KeySchema=schema, AttributeDefinitions=defs, BillingMode="PAY_PER_REQUEST")
    if pitr:
        enable_pitr(ddb, name)
    for item in items:
        ddb.put_item(TableName=name, Item=item)
    return name


def enable_pitr(ddb, name, **spec):
    out = ddb.update_continuous_backups(
        TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True, **spec}
    )
    return out["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]


def pitr_description(ddb, name):
    return ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"][
        "PointInTimeRecoveryDescription"
    ]


def new_bucket(srv, account="source"):
    s3 = s3_client(srv, account)
    name = unique("export-dest")
    s3.create_bucket(Bucket=name)
    return name, s3


def start_export(ddb, name, bucket, **kwargs):
    return ddb.export_table_to_point_in_time(TableArn=table_arn(name), S3Bucket=bucket, **kwargs)[
        "ExportDescription"
    ]






def error_of(call, code):
    error = client_error(call)
    assert error["Error"]["Code"] == code, error["Error"]
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    return error["Error"]["Message"]


def objects(s3, bucket, prefix=""):
    """Every object under `prefix`: key → bytes."""
    out = {}
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])
    for o in listed:
        out[o["Key"]] = s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read()
    return out


def b64md5(data):
    return base64.b64encode(hashlib.md5(data).digest()).decode()


def lines_of(gz):
    text = gzip.decompress(gz).decode()
    if text:
        assert text.endswith("\n"), text[-80:]
    return text.splitlines()


def canonical(value, binary_as_bytes=False):
    """An AttributeValue in wire JSON form (binary as base64 text), sets sorted."""
    ((kind, v),) = value.items()
    b64 = (lambda b: base64.b64encode(b).decode()) if binary_as_bytes else (lambda b: b)
    if kind == "B":
        return {"B": b64(v)}
    if kind == "BS":
        return {"BS": sorted(b64(b) for b in v)}
    if kind in ("SS", "NS"):
        return {kind: sorted(v)}
    if kind == "L":
        return {"L": [canonical(x, binary_as_bytes) for x in v]}
    if kind == "M":
        return {"M": {k: canonical(x, binary_as_bytes) for k, x in v.items()}}
    return {kind: v}


def canonical_item(item, binary_as_bytes=False):
    return {k: canonical(v, binary_as_bytes) for k, v in item.items()}


def table_items(ddb, name):
    items = ddb.scan(TableName=name, ConsistentRead=True)["Items"]
    return sorted((canonical_item(i, True) for i in items), key=lambda i: json.dumps(i, sort_keys=True))


def sorted_items(items):
    return sorted(items, key=lambda i: json.dumps(i, sort_keys=True))


EVERY_TYPE = {
    "pk": {"S": "every-type"},
    "s": {"S": "text"},
    "n": {"N": "103"},
    "big": {"N": "600"},
    "frac": {"N": "1.5"},
    "neg": {"N": "-7"},
    "b": {"B": b"bar"},
    "t": {"BOOL": True},
    "f": {"BOOL": False},
    "z": {"NULL": True},
    "ss": {"SS": ["a", "b"]},
    "ns": {"NS": ["1", "2.5"]},
    "bs": {"BS": [b"abc", b"def"]},
    "l": {"L": [{"N": "5"}, {"S": "x"}]},
    "m": {"M": {"k": {"S": "v"}, "inner": {"M": {"n": {"N": "2000"}}}}},
}

# EVERY_TYPE as an export writes it (DynamoDB JSON).
EVERY_TYPE_JSON = {
    "pk": {"S": "every-type"},
    "s": {"S": "text"},
    "n": {"N": "103"},
    "big": {"N": "600"},
    "frac": {"N": "1.5"},
    "neg": {"N": "-7"},
    "b": {"B": "YmFy"},
    "t": {"BOOL": True},
    "f": {"BOOL": False},
    "z": {"NULL": True},
    "ss": {"SS": ["a", "b"]},
    "ns": {"NS": ["1", "2.5"]},
    "bs": {"BS": ["YWJj", "ZGVm"]},
    "l": {"L": [{"N": "5"}, {"S": "x"}]},
    "m": {"M": {"k": {"S": "v"}, "inner": {"M": {"n": {"N": "2000"}}}}},
}


def plain_items(n, prefix="item"):
    return [{"pk": {"S": f"{prefix}-{i}"}, "v": {"N": str(i)}} for i in range(n)]


def read_manifests(s3, bucket, description):
    """(summary dict, summary bytes, manifest-files lines) of a completed export."""
    summary_key = description["ExportManifest"]
    summary_bytes = s3.get_object(Bucket=bucket, Key=summary_key)["Body"].read()
    summary = json.loads(summary_bytes)
    files_bytes = s3.get_object(Bucket=bucket, Key=summary["manifestFilesS3Key"])["Body"].read()
    return summary, summary_bytes, files_bytes


# --- PITR: UpdateContinuousBackups / DescribeContinuousBackups ------------------------


def test_describe_continuous_backups_of_a_new_table(ddb):
    name = new_table(ddb)
    out = ddb.describe_continuous_backups(TableName=name)
    assert out["ContinuousBackupsDescription"] == {
        "ContinuousBackupsStatus": "ENABLED",
        "PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "DISABLED"},
    }
    # A table ARN names the table too.
    by_arn = ddb.describe_continuous_backups(TableName=table_arn(name))
    assert by_arn["ContinuousBackupsDescription"] == out["ContinuousBackupsDescription"]


def test_enabling_pitr_defaults_to_35_days_from_the_enable_instant(server, ddb):
    name = new_table(ddb)
    before = server_now(server)
    out = ddb.update_continuous_backups(
        TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )
    after = server_now(server)
    description = out["ContinuousBackupsDescription"]
    assert description["ContinuousBackupsStatus"] == "ENABLED"
    pitr = description["PointInTimeRecoveryDescription"]
    assert set(pitr) == {
        "PointInTimeRecoveryStatus",
        "RecoveryPeriodInDays",
        "EarliestRestorableDateTime",
        "LatestRestorableDateTime",
    }
    assert pitr["PointInTimeRecoveryStatus"] == "ENABLED"
    assert pitr["RecoveryPeriodInDays"] == 35
    earliest = pitr["EarliestRestorableDateTime"]
    assert earliest == pitr["LatestRestorableDateTime"]
    # Whole seconds, as AWS reports it (spec §1.3), but the first whole second at or after
    # the enable: never before it, where the versions of keys overwritten while PITR was off
    # are gone (AWS truncates; it can answer that second, strata could not).
    assert earliest.microsecond == 0
    assert before <= earliest <= whole_seconds(after) + timedelta(seconds=1)
    # DescribeContinuousBackups reports the same window; enabling again changes nothing.
    assert pitr_description(ddb, name) == pitr
    assert enable_pitr(ddb, name)["EarliestRestorableDateTime"] == earliest


def test_recovery_period_in_days(server, ddb):
    name = new_table(ddb)
    pitr = enable_pitr(ddb, name, RecoveryPeriodInDays=7)
    assert pitr["RecoveryPeriodInDays"] == 7
    earliest = pitr["EarliestRestorableDateTime"]
    # Enabling again with another period changes it in place.
    again = enable_pitr(ddb, name, RecoveryPeriodInDays=10)
    assert again["RecoveryPeriodInDays"] == 10
    assert again["EarliestRestorableDateTime"] == earliest
    assert pitr_description(ddb, name)["RecoveryPeriodInDays"] == 10
    # Disabling and re-enabling without a period resets it to 35 and restarts the window.
    ddb.update_continuous_backups(
        TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False}
    )
    time.sleep(1.1)
    reset = enable_pitr(ddb, name)
    assert reset["RecoveryPeriodInDays"] == 35
    assert reset["EarliestRestorableDateTime"] > earliest


def test_recovery_period_over_35_days_is_refused(ddb):
    name = new_table(ddb)
    message = error_of(
        lambda: ddb.update_continuous_backups(
            TableName=name,
            PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True, "RecoveryPeriodInDays": 36},
        ),
        "ValidationException",
    )
    assert message == (
        "1 validation error detected: Value '36' at 'pointInTimeRecoverySpecification.recoveryPeriodInDays' "
        "failed to satisfy constraint: Member must have value less than or equal to 35"
    )
    assert pitr_description(ddb, name) == {"PointInTimeRecoveryStatus": "DISABLED"}


@pytest.mark.parametrize("days", [7, 35])
def test_recovery_period_cannot_be_given_when_disabling(ddb, days):
    name = new_table(ddb, pitr=True)
    message = error_of(
        lambda: ddb.update_continuous_backups(
            TableName=name,
            PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False, "RecoveryPeriodInDays": days},
        ),
        "ValidationException",
    )
    assert message == "Invalid Request: Cannot specify RecoveryPeriodInDays when disabling point-in-time recovery."
    assert pitr_description(ddb, name)["PointInTimeRecoveryStatus"] == "ENABLED"


def test_continuous_backups_of_a_missing_table(ddb):
    name = unique("export-missing")
    message = error_of(
        lambda: ddb.update_continuous_backups(
            TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
        ),
        "TableNotFoundException",
    )
    assert message == f"Table not found: {name}"
    message = error_of(lambda: ddb.describe_continuous_backups(TableName=name), "TableNotFoundException")
    assert message == f"Table not found: {name}"


def test_disabling_pitr(ddb):
    name = new_table(ddb, pitr=True)
    out = ddb.update_continuous_backups(
        TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False}
    )
    assert out["ContinuousBackupsDescription"] == {
        "ContinuousBackupsStatus": "ENABLED",
        "PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "DISABLED"},
    }
    assert pitr_description(ddb, name) == {"PointInTimeRecoveryStatus": "DISABLED"}
    # Disabling when disabled is accepted too.
    again = ddb.update_continuous_backups(
        TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False}
    )
    assert again["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"] == {
        "PointInTimeRecoveryStatus": "DISABLED"
    }


def test_latest_restorable_time_lags_now_by_five_minutes(clock_server):
    ddb = clock_server.client("dynamodb")
    name = new_table(ddb)
    earliest = enable_pitr(ddb, name)["EarliestRestorableDateTime"]
    clock_server.advance_clock(600)
    before = server_now(clock_server)
    pitr = pitr_description(ddb, name)
    after = server_now(clock_server)
    assert pitr["EarliestRestorableDateTime"] == earliest
    latest = pitr["LatestRestorableDateTime"].timestamp()
    assert before.timestamp() - 300 - 0.001 <= latest <= after.timestamp() - 300 + 0.001


# --- ExportTableToPointInTime: synchronous validation ---------------------------------


@pytest.fixture(scope="module")
def bucket(server):
    """A bucket of "source" for the same-account exports."""
    name, _ = new_bucket(server)
    return name


def test_export_needs_pitr(ddb, bucket):
    name = new_table(ddb)
    message = error_of(lambda: start_export(ddb, name, bucket), "PointInTimeRecoveryUnavailableException")
    assert message == f"Point in time recovery is not enabled for table '{name}'"
    # Enabled, then disabled again.
    enable_pitr(ddb, name)
    ddb.update_continuous_backups(
        TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False}
    )
    message = error_of(lambda: start_export(ddb, name, bucket), "PointInTimeRecoveryUnavailableException")
    assert message == f"Point in time recovery is not enabled for table '{name}'"


def test_export_table_arn_must_be_an_arn(ddb, bucket):
    name = new_table(ddb, pitr=True)
    message = error_of(
        lambda: ddb.export_table_to_point_in_time(TableArn=name, S3Bucket=bucket), "ValidationException"
    )
    assert message == "One or more parameter values were invalid: tableArn is not a valid ARN"
    message = error_of(
        lambda: ddb.export_table_to_point_in_time(TableArn=table_arn(name) + "/index/by-x", S3Bucket=bucket),
        "ValidationException",
    )
    assert message == "Invalid Request: Table ARN is invalid."


def test_export_of_another_accounts_table_is_denied(server, bucket):
    name = new_table(server.client("dynamodb", "destination"), pitr=True)
    ddb = server.client("dynamodb", "source")
    message = error_of(
        lambda: ddb.export_table_to_point_in_time(TableArn=table_arn(name, DEST), S3Bucket=bucket),
        "AccessDeniedException",
    )
    assert message == "Access is denied"


def test_export_of_a_missing_table(ddb, bucket):
    arn = table_arn(unique("export-missing"))
    message = error_of(lambda: ddb.export_table_to_point_in_time(TableArn=arn, S3Bucket=bucket), "TableNotFoundException")
    assert message == f"Table not found: {arn}"
    # The ARN's region is ignored: the name is looked up in the endpoint's region, and the
    # error echoes the ARN as sent.
    other_region = table_arn(unique("export-missing"), region="eu-west-1")
    message = error_of(
        lambda: ddb.export_table_to_point_in_time(TableArn=other_region, S3Bucket=bucket), "TableNotFoundException"
    )
    assert message == f"Table not found: {other_region}"
    name = new_table(ddb, pitr=True)
    accepted = ddb.export_table_to_point_in_time(TableArn=table_arn(name, region="eu-west-1"), S3Bucket=bucket)
    assert accepted["ExportDescription"]["TableArn"] == table_arn(name)


def test_export_bucket_owner_must_be_an_account_id(ddb, bucket):
    name = new_table(ddb, pitr=True)
    message = error_of(
        lambda: start_export(ddb, name, bucket, S3BucketOwner="not-an-account"), "ValidationException"
    )
    assert message == (
        "1 validation error detected: Value 'not-an-account' at 's3BucketOwner' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: [0-9]{12}"
    )


def test_export_format_must_be_ion_or_dynamodb_json(ddb, bucket):
    name = new_table(ddb, pitr=True)
    message = error_of(lambda: start_export(ddb, name, bucket, ExportFormat="CSV"), "ValidationException")
    assert message == (
        "1 validation error detected: Value 'CSV' at 'exportFormat' failed to satisfy constraint: "
        "Member must satisfy enum value set: [ION, DYNAMODB_JSON]"
    )


def test_export_shape_violations_are_reported_together(ddb, bucket):
    name = new_table(ddb, pitr=True)
    message = error_of(
        lambda: start_export(ddb, name, bucket, ExportFormat="CSV", S3BucketOwner="not-an-account"),
        "ValidationException",
    )
    assert message.startswith("2 validation errors detected: "), message
    parts = message[len("2 validation errors detected: "):].split("; ")
    assert sorted(parts) == sorted(
        [
            "Value 'CSV' at 'exportFormat' failed to satisfy constraint: "
            "Member must satisfy enum value set: [ION, DYNAMODB_JSON]",
            "Value 'not-an-account' at 's3BucketOwner' failed to satisfy constraint: "
            "Member must satisfy regular expression pattern: [0-9]{12}",
        ]
    )
    # Shape checks come before the table checks.
    message = error_of(
        lambda: ddb.export_table_to_point_in_time(
            TableArn=table_arn(unique("none")), S3Bucket=bucket, ExportFormat="CSV"
        ),
        "ValidationException",
    )
    assert message.startswith("1 validation error detected: Value 'CSV' at 'exportFormat'")


def test_export_bucket_must_be_a_bucket_name(ddb):
    name = new_table(ddb, pitr=True)
    message = error_of(lambda: start_export(ddb, name, "arn:aws:s3:::some-bucket"), "ValidationException")
    assert message == (
        "1 validation error detected: Value 'arn:aws:s3:::some-bucket' at 's3Bucket' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: ^[a-z0-9A-Z]+[\\.\\-\\w]*[a-z0-9A-Z]+$"
    )


def test_export_bucket_and_prefix_lengths(ddb, bucket):
    """The model's S3Bucket (max 255) and S3Prefix (max 1024), in Coral's words (spec §7.4);
    a name breaking both the pattern and the length gets both, pattern first (AWS's order for
    backupName '', ack-api-quirks DDB-TABLE-457). ScyllaDB's twin import tests (run against
    AWS) see 'x'*256 and a 1025-character prefix refused."""
    name = new_table(ddb, pitr=True)
    long_bucket = "x" * 256
    message = error_of(lambda: start_export(ddb, name, long_bucket), "ValidationException")
    assert message == (
        f"1 validation error detected: Value '{long_bucket}' at 's3Bucket' failed to satisfy constraint: "
        "Member must have length less than or equal to 255"
    )
    both = "-" + "y" * 300
    message = error_of(lambda: start_export(ddb, name, both), "ValidationException")
    assert message == (
        f"2 validation errors detected: Value '{both}' at 's3Bucket' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: ^[a-z0-9A-Z]+[\\.\\-\\w]*[a-z0-9A-Z]+$; "
        f"Value '{both}' at 's3Bucket' failed to satisfy constraint: Member must have length less than or equal to 255"
    )
    prefix = "p" * 1025
    message = error_of(lambda: start_export(ddb, name, bucket, S3Prefix=prefix), "ValidationException")
    assert message == (
        f"1 validation error detected: Value '{prefix}' at 's3Prefix' failed to satisfy constraint: "
        "Member must have length less than or equal to 1024"
    )
    assert start_export(ddb, name, bucket, S3Prefix="p" * 1024)["S3Prefix"] == "p" * 1024


def test_export_prefix_must_not_be_empty(ddb, bucket):
    name = new_table(ddb, pitr=True)
    message = error_of(lambda: start_export(ddb, name, bucket, S3Prefix=""), "ValidationException")
    assert "s3Prefix" in message


@pytest.mark.parametrize(
    "member, value, path",
    [
        ("S3SseAlgorithm", "aws:kms", "s3SseAlgorithm"),
        ("ExportType", "DELTA", "exportType"),
    ],
)
def test_export_enums(ddb, bucket, member, value, path):
    name = new_table(ddb, pitr=True)
    message = error_of(lambda: start_export(ddb, name, bucket, **{member: value}), "ValidationException")
    assert message.startswith(
        f"1 validation error detected: Value '{value}' at '{path}' failed to satisfy constraint: "
        "Member must satisfy enum value set: ["
    ), message


def test_incremental_view_type_is_new_image_not_new_images(server, ddb, bucket):
    name = new_table(ddb, pitr=True)
    message = error_of(
        lambda: start_export(
            ddb,
            name,
            bucket,
            ExportType="INCREMENTAL_EXPORT",
            IncrementalExportSpecification={
                "ExportFromTime": whole_seconds(server_now(server)),
                "ExportViewType": "NEW_IMAGES",
            },
        ),
        "ValidationException",
    )
    assert message.startswith(
        "1 validation error detected: Value 'NEW_IMAGES' at 'incrementalExportSpecification.exportViewType' "
        "failed to satisfy constraint: Member must satisfy enum value set: ["
    ), message


def test_export_time_outside_the_restorable_window(server, ddb, bucket):
    name = new_table(ddb)
    earliest = enable_pitr(ddb, name)["EarliestRestorableDateTime"]
    future = datetime.fromtimestamp(server_now(server).timestamp() + 3600, timezone.utc)
    message = error_of(lambda: start_export(ddb, name, bucket, ExportTime=future), "InvalidExportTimeException")
    assert message == "Export Time is invalid"
    before_enable = datetime.fromtimestamp(earliest.timestamp() - 3600, timezone.utc)
    message = error_of(lambda: start_export(ddb, name, bucket, ExportTime=before_enable), "InvalidExportTimeException")
    assert message == "Export Time is invalid"


@pytest.mark.parametrize("algorithm", [None, "AES256"])
def test_kms_key_id_needs_kms(ddb, bucket, algorithm):
    name = new_table(ddb, pitr=True)
    extra = {"S3SseAlgorithm": algorithm} if algorithm else {}
    message = error_of(
        lambda: start_export(ddb, name, bucket, S3SseKmsKeyId="alias/aws/s3", **extra), "ValidationException"
    )
    assert message == "Invalid Request: KMS Key Id is not supported for this encryption type"


def test_incremental_specification_and_export_type_go_together(server, ddb, bucket):
    name = new_table(ddb, pitr=True)
    from_time = whole_seconds(server_now(server))
    spec = {"ExportFromTime": from_time}
    message = error_of(
        lambda: start_export(ddb, name, bucket, IncrementalExportSpecification=spec), "ValidationException"
    )
    assert message == (
        "Invalid Request: Export Type expected to be Incremental Export when incremental export specification is provided"
    )
    message = error_of(
        lambda: start_export(ddb, name, bucket, ExportType="FULL_EXPORT", IncrementalExportSpecification=spec),
        "ValidationException",
    )
    assert message == (
        "Invalid Request: When Export Type is Full Export , Incremental Export Specification should not be provided"
    )
    message = error_of(lambda: start_export(ddb, name, bucket, ExportType="INCREMENTAL_EXPORT"), "ValidationException")
    assert message == (
        "Invalid Request: Incremental Export Specification expected when export type is set as Incremental Export"
    )
    for spec in ({}, {"ExportViewType": "NEW_IMAGE"}):
        message = error_of(
            lambda: start_export(
                ddb, name, bucket, ExportType="INCREMENTAL_EXPORT", IncrementalExportSpecification=spec
            ),
            "ValidationException",
        )
        assert message == "Invalid Request: ExportFromTime must be provided in IncrementalExportSpecification"


def test_incremental_window_rules(server, ddb, bucket):
    name = new_table(ddb)
    incremental = dict(ExportType="INCREMENTAL_EXPORT")
    # Without PITR, any from-time precedes "the table creation time".
    some_time = whole_seconds(server_now(server))
    message = error_of(
        lambda: start_export(ddb, name, bucket, IncrementalExportSpecification={"ExportFromTime": some_time}, **incremental),
        "InvalidExportTimeException",
    )
    assert message == (
        f"Incremental export period from time cannot be less than the table creation time : {iso_s(some_time)}"
    )
    enabled = enable_pitr(ddb, name)["EarliestRestorableDateTime"]
    # A window starting before PITR was enabled.
    early = datetime.fromtimestamp(enabled.timestamp() - 3600, timezone.utc)
    message = error_of(
        lambda: start_export(ddb, name, bucket, IncrementalExportSpecification={"ExportFromTime": early}, **incremental),
        "InvalidExportTimeException",
    )
    assert message == f"Incremental export period from time cannot be less than the table creation time : {iso_s(early)}"
    # A window shorter than 15 minutes: `to` defaults to now, moments after enabling.
    message = error_of(
        lambda: start_export(
            ddb, name, bucket, IncrementalExportSpecification={"ExportFromTime": enabled}, **incremental
        ),
        "InvalidExportTimeException",
    )
    assert message == "Difference between export period from time and export period to time is less than 15 minutes"
    # A window ending in the future.
    future = datetime.fromtimestamp(server_now(server).timestamp() + 3600, timezone.utc)
    message = error_of(
        lambda: start_export(
            ddb,
            name,
            bucket,
            IncrementalExportSpecification={"ExportFromTime": enabled, "ExportToTime": future},
            **incremental,
        ),
        "InvalidExportTimeException",
    )
    assert message == (
        f"Incremental export period to time cannot be greater than the current time : {iso_s(future)}"
    )


# --- the create response --------------------------------------------------------------


def test_create_response_of_a_minimal_request(ddb, bucket):
    name = new_table(ddb, pitr=True, items=plain_items(2))
    table_id = ddb.describe_table(TableName=name)["Table"]["TableId"]
    d = start_export(ddb, name, bucket)
    assert set(d) == {
        "ExportArn",
        "ExportStatus",
        "StartTime",
        "TableArn",
        "TableId",
        "ExportTime",
        "ClientToken",
        "S3Bucket",
        "S3SseAlgorithm",
        "ExportFormat",
    }
    assert d["ExportStatus"] == "IN_PROGRESS"
    match = re.fullmatch(re.escape(table_arn(name)) + r"/export/(\d{14})-([0-9a-f]{8})", d["ExportArn"])
    assert match, d["ExportArn"]
    assert int(match.group(1)) == millis(d["StartTime"])
    assert d["StartTime"].microsecond % 1000 == 0
    assert d["ExportTime"] == d["StartTime"]
    assert d["TableArn"] == table_arn(name)
    assert d["TableId"] == table_id
    assert d["S3Bucket"] == bucket
    assert d["S3SseAlgorithm"] == "AES256"
    assert d["ExportFormat"] == "DYNAMODB_JSON"
    # botocore fills in a UUID token; it is echoed.
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}", d["ClientToken"])


def test_create_response_echoes_what_was_sent(ddb, bucket):
    name = new_table(ddb, pitr=True)
    d = start_export(
        ddb,
        name,
        bucket,
        S3Prefix="some/prefix",
        S3BucketOwner=SOURCE,
        ExportType="FULL_EXPORT",
        ExportFormat="ION",
        ClientToken="my-token-" + unique("t"),
    )
    assert d["ExportStatus"] == "IN_PROGRESS"
    assert d["S3Prefix"] == "some/prefix"
    assert d["S3BucketOwner"] == SOURCE
    assert d["ExportType"] == "FULL_EXPORT"
    assert d["ExportFormat"] == "ION"
    assert d["ClientToken"].startswith("my-token-")
    assert "IncrementalExportSpecification" not in d
    done = wait_export(ddb, d["ExportArn"])
    assert done["ExportStatus"] == "COMPLETED", done
    assert done["ExportType"] == "FULL_EXPORT"


def test_export_with_sse_kms(server, ddb, bucket):
    s3 = s3_client(server)
    name = new_table(ddb, pitr=True, items=plain_items(2))
    started = start_export(ddb, name, bucket, S3SseAlgorithm="KMS", S3Prefix="kms")
    assert started["S3SseAlgorithm"] == "KMS"
    # Without a key id, S3 uses the aws/s3 key and the description has none.
    assert "S3SseKmsKeyId" not in started
    d = wait_export(ddb, started["ExportArn"])
    assert d["ExportStatus"] == "COMPLETED", d
    summary = json.loads(s3.get_object(Bucket=bucket, Key=d["ExportManifest"])["Body"].read())
    assert summary["s3SseAlgorithm"] == "KMS"
    assert summary["s3SseKmsKeyId"] is None
    root = f"kms/AWSDynamoDB/{export_id(d['ExportArn'])}/"
    for key in objects(s3, bucket, root):
        assert s3.head_object(Bucket=bucket, Key=key).get("ServerSideEncryption") == "aws:kms", key


# --- a completed full export: layout, manifests, data ---------------------------------


def test_full_export_objects_and_manifests(server, ddb, bucket):
    s3 = s3_client(server)
    name = new_table(ddb, pitr=True, items=[EVERY_TYPE, *plain_items(20)])
    started = start_export(ddb, name, bucket)
    d = wait_export(ddb, started["ExportArn"])
    assert d["ExportStatus"] == "COMPLETED", d
    eid = export_id(d["ExportArn"])
    root = f"AWSDynamoDB/{eid}/"

    # The description at COMPLETED.
    assert set(d) == set(started) | {"EndTime", "ExportManifest", "ItemCount", "BilledSizeBytes"}
    assert {k: d[k] for k in started if k != "ExportStatus"} == {k: v for k, v in started.items() if k != "ExportStatus"}
    assert d["ExportManifest"] == root + "manifest-summary.json"
    assert d["ItemCount"] == 21
    assert isinstance(d["BilledSizeBytes"], int) and d["BilledSizeBytes"] >= 0
    assert d["EndTime"] >= d["StartTime"]

    # Exactly the five fixed objects plus four data files.
    stored = objects(s3, bucket, root)
    data_keys = sorted(k for k in stored if k.startswith(root + "data/"))
    assert len(data_keys) == 4
    for key in data_keys:
        assert re.fullmatch(re.escape(root) + "data/" + DATA_FILE + r"\.json\.gz", key), key
    assert set(stored) == {root + "_started", *data_keys, *(root + n for n in MANIFEST_NAMES)}
    assert stored[root + "_started"] == b""
    for key in stored:
        head = s3.head_object(Bucket=bucket, Key=key)
        assert head.get("ServerSideEncryption") == "AES256", key

    # manifest-summary.json and its .md5.
    summary_bytes = stored[root + "manifest-summary.json"]
    summary = json.loads(summary_bytes)
    assert b"\n" not in summary_bytes.rstrip(b"\n")
    expected_order = [
        "version",
        "exportArn",
        "startTime",
        "endTime",
        "tableArn",
        "tableId",
        "exportTime",
        "s3Bucket",
        "s3Prefix",
        "s3SseAlgorithm",
        "s3SseKmsKeyId",
        "manifestFilesS3Key",
        "billedSizeBytes",
        "itemCount",
        "outputFormat",
    ]
    assert [k for k in summary if k != "s3Prefix"] == [k for k in expected_order if k != "s3Prefix"]
    assert summary["version"] == "2020-06-30"
    assert summary["exportArn"] == d["ExportArn"]
    assert summary["tableArn"] == table_arn(name)
    assert summary["tableId"] == d["TableId"]
    for member in ("startTime", "endTime", "exportTime"):
        assert re.fullmatch(ISO_MS, summary[member]), summary[member]
    assert summary["startTime"] == iso_ms(d["StartTime"])
    assert summary["exportTime"] == summary["startTime"]
    assert summary["endTime"] == iso_ms(d["EndTime"])
    assert summary["s3Bucket"] == bucket
    assert summary.get("s3Prefix") is None
    assert summary["s3SseAlgorithm"] == "AES256"
    assert "s3SseKmsKeyId" in summary and summary["s3SseKmsKeyId"] is None
    assert summary["manifestFilesS3Key"] == root + "manifest-files.json"
    assert summary["itemCount"] == 21
    assert summary["billedSizeBytes"] == d["BilledSizeBytes"]
    assert summary["outputFormat"] == "DYNAMODB_JSON"
    assert "exportType" not in summary
    assert stored[root + "manifest-summary.md5"].decode().strip() == b64md5(summary_bytes)

    # manifest-files.json: one line per data file, checksums of the stored gzip objects.
    files_bytes = stored[root + "manifest-files.json"]
    assert stored[root + "manifest-files.md5"].decode().strip() == b64md5(files_bytes)
    text = files_bytes.decode()
    assert text.endswith("\n")
    entries = [json.loads(line) for line in text.splitlines()]
    assert len(entries) == 4
    assert sorted(e["dataFileS3Key"] for e in entries) == data_keys
    exported = []
    for entry in entries:
        assert list(entry) == ["itemCount", "md5Checksum", "etag", "dataFileS3Key"]
        body = stored[entry["dataFileS3Key"]]
        assert entry["md5Checksum"] == b64md5(body)
        assert entry["etag"] == s3.head_object(Bucket=bucket, Key=entry["dataFileS3Key"])["ETag"].strip('"')
        # Every data file is a gzip stream, an empty one included.
        lines = lines_of(body)
        assert entry["itemCount"] == len(lines)
        for line in lines:
            record = json.loads(line)
            assert list(record) == ["Item"], line
            exported.append(record["Item"])
    assert sum(e["itemCount"] for e in entries) == 21

    # The lines are the table's items, every attribute type in DynamoDB JSON.
    every = [i for i in exported if i["pk"] == {"S": "every-type"}]
    assert len(every) == 1
    assert canonical_item(every[0]) == canonical_item(EVERY_TYPE_JSON)
    assert sorted_items(canonical_item(i) for i in exported) == table_items(ddb, name)

    # EndTime has millisecond precision, like StartTime (spec §7.5), and is the manifest's
    # endTime.
    assert d["EndTime"].microsecond % 1000 == 0, d["EndTime"]


@pytest.mark.parametrize("prefix", ["exports", "exports/"])
def test_full_export_under_a_prefix(server, ddb, bucket, prefix):
    s3 = s3_client(server)
    name = new_table(ddb, pitr=True, items=plain_items(3))
    d = wait_export(ddb, start_export(ddb, name, bucket, S3Prefix=prefix)["ExportArn"])
    assert d["ExportStatus"] == "COMPLETED", d
    assert d["S3Prefix"] == prefix
    root = f"exports/AWSDynamoDB/{export_id(d['ExportArn'])}/"
    assert d["ExportManifest"] == root + "manifest-summary.json"
    stored = objects(s3, bucket, root)
    assert root + "_started" in stored
    assert MANIFEST_NAMES <= {k[len(root):] for k in stored}
    assert len([k for k in stored if k.startswith(root + "data/")]) == 4
    summary = json.loads(stored[root + "manifest-summary.json"])
    assert summary["s3Prefix"] == prefix
    assert summary["manifestFilesS3Key"] == root + "manifest-files.json"
    for line in stored[root + "manifest-files.json"].decode().splitlines():
        assert json.loads(line)["dataFileS3Key"].startswith(root + "data/")


def test_ion_export(server, ddb, bucket):
    s3 = s3_client(server)
    name = new_table(ddb, pitr=True, items=[EVERY_TYPE, *plain_items(5)])
    d = wait_export(ddb, start_export(ddb, name, bucket, ExportFormat="ION")["ExportArn"])
    assert d["ExportStatus"] == "COMPLETED", d
    assert d["ExportFormat"] == "ION"
    assert d["ItemCount"] == 6
    root = f"AWSDynamoDB/{export_id(d['ExportArn'])}/"
    stored = objects(s3, bucket, root)
    data_keys = [k for k in stored if k.startswith(root + "data/")]
    assert len(data_keys) == 4
    for key in data_keys:
        assert re.fullmatch(re.escape(root) + "data/" + DATA_FILE + r"\.ion\.gz", key), key
    summary = json.loads(stored[root + "manifest-summary.json"])
    assert summary["outputFormat"] == "ION"
    lines = [line for key in data_keys for line in lines_of(stored[key])]
    assert len(lines) == 6
    for line in lines:
        assert line.startswith("$ion_1_0 {Item:{"), line
        assert line.endswith("}}"), line
    (every,) = [line for line in lines if '"every-type"' in line]
    assert "pk:\"every-type\"" in every
    assert "n:103." in every
    assert "big:6d2" in every
    assert "frac:1.5" in every
    assert "neg:-7." in every
    assert "b:{{YmFy}}" in every
    assert "t:true" in every and "f:false" in every
    assert "z:null" in every
    assert "s:\"text\"" in every
    assert re.search(r'ss:\$dynamodb_SS::\[("a","b"|"b","a")\]', every), every
    assert re.search(r"ns:\$dynamodb_NS::\[(1\.,2\.5|2\.5,1\.)\]", every), every
    assert re.search(r"bs:\$dynamodb_BS::\[(\{\{YWJj\}\},\{\{ZGVm\}\}|\{\{ZGVm\}\},\{\{YWJj\}\})\]", every), every
    assert 'l:[5.,"x"]' in every
    assert re.search(r'm:\{(k:"v",inner:\{n:2d3\}|inner:\{n:2d3\},k:"v")\}', every), every
    plain = [line for line in lines if "item-0" in line]
    assert plain and re.search(r"v:0\.", plain[0]), plain


# --- exports as of a past time (clock moved) ------------------------------------------


def test_export_as_of_a_past_time(clock_server):
    ddb = clock_server.client("dynamodb")
    s3 = s3_client(clock_server)
    bucket, _ = new_bucket(clock_server)
    name = new_table(ddb, pitr=True)
    for pk, value in (("deleted", "1"), ("updated", "old"), ("kept", "k")):
        ddb.put_item(TableName=name, Item={"pk": {"S": pk}, "v": {"S": value}})
    clock_server.advance_clock(600)
    as_of = whole_seconds(server_now(clock_server))
    ddb.put_item(TableName=name, Item={"pk": {"S": "created"}, "v": {"S": "new"}})
    ddb.delete_item(TableName=name, Key={"pk": {"S": "deleted"}})
    ddb.update_item(
        TableName=name,
        Key={"pk": {"S": "updated"}},
        UpdateExpression="SET v = :v",
        ExpressionAttributeValues={":v": {"S": "new"}},
    )
    clock_server.advance_clock(360)
    started = start_export(ddb, name, bucket, ExportTime=as_of)
    assert started["ExportTime"] == as_of
    assert started["ExportTime"] < started["StartTime"]
    d = wait_export(ddb, started["ExportArn"])
    assert d["ExportStatus"] == "COMPLETED", d
    assert d["ItemCount"] == 3
    summary, _, files_bytes = read_manifests(s3, bucket, d)
    assert summary["exportTime"] == iso_ms(as_of)
    assert summary["exportTime"] != summary["startTime"]
    items = {}
    for line in files_bytes.decode().splitlines():
        key = json.loads(line)["dataFileS3Key"]
        for item_line in lines_of(s3.get_object(Bucket=bucket, Key=key)["Body"].read()):
            item = json.loads(item_line)["Item"]
            items[item["pk"]["S"]] = item["v"]["S"]
    assert items == {"deleted": "1", "updated": "old", "kept": "k"}
    # The table itself has moved on.
    assert {i["pk"]["S"] for i in ddb.scan(TableName=name)["Items"]} == {"created", "updated", "kept"}


def test_export_as_of_the_enable_instant_has_the_items_written_before(clock_server):
    ddb = clock_server.client("dynamodb")
    s3 = s3_client(clock_server)
    bucket, _ = new_bucket(clock_server)
    name = new_table(ddb, items=plain_items(5, "pre"))
    time.sleep(1.1)
    earliest = enable_pitr(ddb, name)["EarliestRestorableDateTime"]
    # Past the window's first second (the enable's, rounded up) before writing again.
    clock_server.advance_clock(2)
    ddb.put_item(TableName=name, Item={"pk": {"S": "post"}, "v": {"N": "1"}})
    ddb.delete_item(TableName=name, Key={"pk": {"S": "pre-0"}})
    clock_server.advance_clock(600)
    d = wait_export(ddb, start_export(ddb, name, bucket, ExportTime=earliest)["ExportArn"])
    assert d["ExportStatus"] == "COMPLETED", d
    assert d["ExportTime"] == earliest
    _, _, files_bytes = read_manifests(s3, bucket, d)
    exported = set()
    for line in files_bytes.decode().splitlines():
        key = json.loads(line)["dataFileS3Key"]
        for item_line in lines_of(s3.get_object(Bucket=bucket, Key=key)["Body"].read()):
            exported.add(json.loads(item_line)["Item"]["pk"]["S"])
    assert exported == {f"pre-{i}" for i in range(5)}


def test_export_as_of_the_earliest_time_sees_a_key_overwritten_just_before_the_enable(clock_server):
    """A key overwritten while PITR was off keeps only its newest version. Were the window to
    start before the enable's commit (AWS's truncated second), an export as of its start would
    fall between that overwrite and the enable, where strata no longer knows the key's state,
    and would miss the key. Earliest is the enable rounded up to a whole second, so the
    export sees the version the enable found (spec §1.3)."""
    ddb = clock_server.client("dynamodb")
    s3 = s3_client(clock_server)
    bucket, _ = new_bucket(clock_server)
    name = new_table(ddb, items=[{"pk": {"S": "k"}, "v": {"N": "1"}}])
    clock_server.advance_clock(5)
    # Within the second of the enable, just before it.
    ddb.put_item(TableName=name, Item={"pk": {"S": "k"}, "v": {"N": "2"}})
    earliest = enable_pitr(ddb, name)["EarliestRestorableDateTime"]
    clock_server.advance_clock(2)
    # Written while PITR is on: history now holds version 2 and version 3.
    ddb.put_item(TableName=name, Item={"pk": {"S": "k"}, "v": {"N": "3"}})
    clock_server.advance_clock(600)
    d = wait_export(ddb, start_export(ddb, name, bucket, ExportTime=earliest)["ExportArn"])
    assert d["ExportStatus"] == "COMPLETED", d
    assert d["ItemCount"] == 1
    _, _, files_bytes = read_manifests(s3, bucket, d)
    exported = []
    for line in files_bytes.decode().splitlines():
        key = json.loads(line)["dataFileS3Key"]
        exported += [json.loads(i)["Item"] for i in lines_of(s3.get_object(Bucket=bucket, Key=key)["Body"].read())]
    assert exported == [{"pk": {"S": "k"}, "v": {"N": "2"}}]


def test_export_time_after_the_latest_restorable_time(clock_server):
    ddb = clock_server.client("dynamodb")
    bucket, _ = new_bucket(clock_server)
    name = new_table(ddb, pitr=True)
    clock_server.advance_clock(600)
    now = server_now(clock_server)
    recent = datetime.fromtimestamp(math.floor(now.timestamp()) - 60, timezone.utc)
    message = error_of(lambda: start_export(ddb, name, bucket, ExportTime=recent), "InvalidExportTimeException")
    assert message == "Point in Time Recovery is not available for specified export time"
    latest = pitr_description(ddb, name)["LatestRestorableDateTime"]
    token = unique("token")
    accepted = start_export(ddb, name, bucket, ExportTime=whole_seconds(latest), ClientToken=token)
    assert accepted["ExportStatus"] == "IN_PROGRESS"
    assert accepted["ExportTime"] == whole_seconds(latest)
    assert wait_export(ddb, accepted["ExportArn"])["ExportStatus"] == "COMPLETED"
    # A replay of the same request (same explicit ExportTime) answers the same export.
    replay = start_export(ddb, name, bucket, ExportTime=whole_seconds(latest), ClientToken=token)
    assert replay["ExportArn"] == accepted["ExportArn"]
    assert replay["ExportStatus"] == "COMPLETED"


# --- incremental exports (clock moved) ------------------------------------------------


def timed(srv, call):
    """Runs `call`; returns the server clock before and after it, in µs."""
    before = micros(server_now(srv))
    call()
    return before, micros(server_now(srv))


def change_records(s3, bucket, description):
    summary, summary_bytes, files_bytes = read_manifests(s3, bucket, description)
    records = {}
    for line in files_bytes.decode().splitlines():
        entry = json.loads(line)
        body = s3.get_object(Bucket=bucket, Key=entry["dataFileS3Key"])["Body"].read()
        lines = lines_of(body)
        assert entry["itemCount"] == len(lines)
        for record_line in lines:
            record = json.loads(record_line)
            records[record["Keys"]["pk"]["S"]] = record
    return summary, files_bytes, records


def test_incremental_export(clock_server):
    srv = clock_server
    ddb = srv.client("dynamodb")
    s3 = s3_client(srv)
    bucket, _ = new_bucket(srv)
    name = new_table(ddb, pitr=True, sort_key="sk")

    def key(pk):
        return {"pk": {"S": pk}, "sk": {"N": "1"}}

    def put(pk, value):
        return lambda: ddb.put_item(TableName=name, Item={**key(pk), "v": {"S": value}})

    def update(pk, value):
        return lambda: ddb.update_item(
            TableName=name,
            Key=key(pk),
            UpdateExpression="SET v = :v",
            ExpressionAttributeValues={":v": {"S": value}},
        )

    def delete(pk):
        return lambda: ddb.delete_item(TableName=name, Key=key(pk))

    for pk in ("kept", "updated", "deleted"):
        put(pk, "before")()
    srv.advance_clock(1200)
    from_time = whole_seconds(server_now(srv))
    time.sleep(0.01)
    stamps = {}
    stamps["created"] = timed(srv, put("created", "new"))
    timed(srv, update("updated", "middle"))
    stamps["updated"] = timed(srv, update("updated", "after"))
    stamps["deleted"] = timed(srv, delete("deleted"))
    timed(srv, put("transient", "x"))
    timed(srv, delete("transient"))
    srv.advance_clock(960)
    to_time = whole_seconds(server_now(srv))
    time.sleep(0.01)
    put("late", "after the window")()

    spec = {"ExportFromTime": from_time, "ExportToTime": to_time, "ExportViewType": "NEW_AND_OLD_IMAGES"}
    started = start_export(ddb, name, bucket, ExportType="INCREMENTAL_EXPORT", IncrementalExportSpecification=spec)
    assert started["ExportType"] == "INCREMENTAL_EXPORT"
    assert started["IncrementalExportSpecification"] == spec
    assert "ExportTime" not in started
    d = wait_export(ddb, started["ExportArn"])
    assert d["ExportStatus"] == "COMPLETED", d
    assert d["ExportType"] == "INCREMENTAL_EXPORT"
    assert d["IncrementalExportSpecification"] == spec
    assert "ExportTime" not in d
    assert d["ItemCount"] == 3
    assert d["BilledSizeBytes"] >= 10_000_000

    eid = export_id(d["ExportArn"])
    root = f"AWSDynamoDB/{eid}/"
    summary, files_bytes, records = change_records(s3, bucket, d)
    assert d["ExportManifest"] == root + "manifest-summary.json"
    assert summary["version"] == "2023-08-01"
    assert summary["exportType"] == "INCREMENTAL_EXPORT"
    assert summary["outputView"] == "NEW_AND_OLD_IMAGES"
    assert summary["outputFormat"] == "DYNAMODB_JSON"
    assert summary["exportFromTime"] == iso_ms(from_time)
    assert summary["exportToTime"] == iso_ms(to_time)
    assert "exportTime" not in summary
    assert summary["itemCount"] == 3
    # Data files live in the shared AWSDynamoDB/data/ folder, not under the export.
    entries = [json.loads(line) for line in files_bytes.decode().splitlines()]
    assert entries
    for entry in entries:
        assert re.fullmatch(r"AWSDynamoDB/data/" + DATA_FILE + r"\.json\.gz", entry["dataFileS3Key"]), entry
    under_export = {k[len(root):] for k in objects(s3, bucket, root)}
    assert MANIFEST_NAMES <= under_export <= MANIFEST_NAMES | {"_started"}

    # Created, updated (twice) and deleted items; created-then-deleted and out-of-window
    # writes have no record.
    assert set(records) == {"created", "updated", "deleted"}
    for pk, record in records.items():
        low, high = stamps[pk]
        stamp = record["Metadata"]["WriteTimestampMicros"]
        assert set(stamp) == {"N"}, record
        assert low <= int(stamp["N"]) <= high, (pk, stamp, low, high)
        assert record["Keys"] == key(pk)
    assert list(records["created"]) == ["Metadata", "Keys", "NewImage"]
    assert records["created"]["NewImage"] == {**key("created"), "v": {"S": "new"}}
    assert list(records["updated"]) == ["Metadata", "Keys", "OldImage", "NewImage"]
    assert records["updated"]["OldImage"] == {**key("updated"), "v": {"S": "before"}}
    assert records["updated"]["NewImage"] == {**key("updated"), "v": {"S": "after"}}
    assert list(records["deleted"]) == ["Metadata", "Keys", "OldImage"]
    assert records["deleted"]["OldImage"] == {**key("deleted"), "v": {"S": "before"}}

    # NEW_IMAGE, with ExportToTime defaulted to the request time: the late write counts now.
    time.sleep(1.1)
    started = start_export(
        ddb,
        name,
        bucket,
        ExportType="INCREMENTAL_EXPORT",
        IncrementalExportSpecification={"ExportFromTime": from_time, "ExportViewType": "NEW_IMAGE"},
    )
    echoed = started["IncrementalExportSpecification"]
    assert echoed["ExportFromTime"] == from_time
    assert echoed["ExportViewType"] == "NEW_IMAGE"
    assert echoed["ExportToTime"] > to_time and echoed["ExportToTime"].microsecond == 0
    d = wait_export(ddb, started["ExportArn"])
    assert d["ExportStatus"] == "COMPLETED", d
    summary, _, records = change_records(s3, bucket, d)
    assert summary["outputView"] == "NEW_IMAGE"
    assert set(records) == {"created", "updated", "deleted", "late"}
    assert list(records["created"]) == ["Metadata", "Keys", "NewImage"]
    assert list(records["updated"]) == ["Metadata", "Keys", "NewImage"]
    assert records["updated"]["NewImage"] == {**key("updated"), "v": {"S": "after"}}
    assert list(records["deleted"]) == ["Metadata", "Keys"]
    assert records["late"]["NewImage"]["v"] == {"S": "after the window"}

    # Ion: each record is wrapped in a Record struct.
    d = wait_export(
        ddb,
        start_export(
            ddb,
            name,
            bucket,
            ExportType="INCREMENTAL_EXPORT",
            ExportFormat="ION",
            IncrementalExportSpecification=spec,
        )["ExportArn"],
    )
    assert d["ExportStatus"] == "COMPLETED", d
    assert d["ItemCount"] == 3
    summary, _, files_bytes = read_manifests(s3, bucket, d)
    assert summary["outputFormat"] == "ION"
    ion_lines = []
    for line in files_bytes.decode().splitlines():
        data_key = json.loads(line)["dataFileS3Key"]
        assert re.fullmatch(r"AWSDynamoDB/data/" + DATA_FILE + r"\.ion\.gz", data_key), data_key
        ion_lines += lines_of(s3.get_object(Bucket=bucket, Key=data_key)["Body"].read())
    assert len(ion_lines) == 3
    for line in ion_lines:
        assert line.startswith("$ion_1_0 {Record:{"), line
        assert "Keys:{" in line and "Metadata:{WriteTimestampMicros:" in line, line
    (updated,) = [line for line in ion_lines if '"updated"' in line]
    assert "OldImage:{" in updated and "NewImage:{" in updated
    assert 'v:"before"' in updated and 'v:"after"' in updated

    # ListExports reports the incremental type.
    summaries = ddb.list_exports(TableArn=table_arn(name))["ExportSummaries"]
    assert {s["ExportType"] for s in summaries} == {"INCREMENTAL_EXPORT"}
    assert len(summaries) == 3


def test_incremental_old_image_of_an_item_written_before_pitr_was_enabled(clock_server):
    srv = clock_server
    ddb = srv.client("dynamodb")
    s3 = s3_client(srv)
    bucket, _ = new_bucket(srv)
    name = new_table(ddb, items=[{"pk": {"S": "old"}, "v": {"S": "before pitr"}}])
    enable_pitr(ddb, name)
    srv.advance_clock(60)
    from_time = whole_seconds(server_now(srv))
    time.sleep(0.01)
    ddb.put_item(TableName=name, Item={"pk": {"S": "old"}, "v": {"S": "rewritten"}})
    srv.advance_clock(960)
    d = wait_export(
        ddb,
        start_export(
            ddb,
            name,
            bucket,
            ExportType="INCREMENTAL_EXPORT",
            IncrementalExportSpecification={"ExportFromTime": from_time},
        )["ExportArn"],
    )
    assert d["ExportStatus"] == "COMPLETED", d
    assert d["IncrementalExportSpecification"]["ExportViewType"] == "NEW_AND_OLD_IMAGES"
    _, _, records = change_records(s3, bucket, d)
    assert set(records) == {"old"}
    assert records["old"]["OldImage"] == {"pk": {"S": "old"}, "v": {"S": "before pitr"}}
    assert records["old"]["NewImage"] == {"pk": {"S": "old"}, "v": {"S": "rewritten"}}


# --- cross-account exports: source's table into destination's bucket ------------------


EXPORT_S3_ACTIONS = ["s3:PutObject", "s3:PutObjectAcl", "s3:AbortMultipartUpload"]


def dest_bucket(srv, principal=None):
    """A bucket of "destination", with a policy granting `principal` the export's S3
    actions when given; (name, destination's S3 client)."""
    name, owner = new_bucket(srv, "destination")
    if principal:
        grant_export(owner, name, principal)
    return name, owner


def grant_export(owner, bucket, principal):
    owner.put_bucket_policy(
        Bucket=bucket,
        Policy=policy(
            {
                "Effect": "Allow",
                "Principal": {"AWS": principal},
                "Action": EXPORT_S3_ACTIONS,
                "Resource": f"arn:aws:s3:::{bucket}/*",
            }
        ),
    )


def assert_failed(description, code, message_start, status, s3_code):
    assert description["ExportStatus"] == "FAILED", description
    assert description["FailureCode"] == code
    message = description["FailureMessage"]
    assert message.startswith(message_start), message
    assert re.search(S3_TAIL.format(status=status, code=s3_code), message), message
    for member in ("ExportManifest", "ItemCount", "BilledSizeBytes"):
        assert member not in description
    return message


def source_root_arn():
    return f"arn:aws:iam::{SOURCE}:root"


def test_cross_account_export_without_a_bucket_policy_fails(server, ddb):
    bucket, owner = dest_bucket(server)
    name = new_table(ddb, pitr=True, items=plain_items(2))
    started = start_export(ddb, name, bucket, S3BucketOwner=DEST)
    assert started["ExportStatus"] == "IN_PROGRESS"
    d = wait_export(ddb, started["ExportArn"])
    assert_failed(d, "S3AccessDenied", "", 403, "AccessDenied")
    assert "Contents" not in owner.list_objects_v2(Bucket=bucket)


def test_cross_account_export_without_the_bucket_owner_fails(server, ddb):
    bucket, owner = dest_bucket(server, source_root_arn())
    name = new_table(ddb, pitr=True, items=plain_items(2))
    d = wait_export(ddb, start_export(ddb, name, bucket)["ExportArn"])
    assert_failed(d, "S3AccessDenied", "Access Denied (Service: Amazon S3;", 403, "AccessDenied")
    assert "Contents" not in owner.list_objects_v2(Bucket=bucket)


def test_cross_account_export_with_a_wrong_bucket_owner_fails(server, ddb):
    bucket, owner = dest_bucket(server, source_root_arn())
    name = new_table(ddb, pitr=True, items=plain_items(2))
    d = wait_export(ddb, start_export(ddb, name, bucket, S3BucketOwner="333333333333")["ExportArn"])
    assert d["S3BucketOwner"] == "333333333333"
    assert_failed(d, "S3AccessDenied", "Access Denied (Service: Amazon S3;", 403, "AccessDenied")
    assert "Contents" not in owner.list_objects_v2(Bucket=bucket)


def test_cross_account_export_with_the_bucket_owner_completes(server, ddb):
    bucket, owner = dest_bucket(server, source_root_arn())
    name = new_table(ddb, pitr=True, items=[EVERY_TYPE, *plain_items(4)])
    started = start_export(ddb, name, bucket, S3BucketOwner=DEST)
    assert started["S3BucketOwner"] == DEST
    # The export lives in the table's account and region.
    assert started["ExportArn"].startswith(table_arn(name) + "/export/")
    d = wait_export(ddb, started["ExportArn"])
    assert d["ExportStatus"] == "COMPLETED", d
    assert d["ItemCount"] == 5
    root = f"AWSDynamoDB/{export_id(d['ExportArn'])}/"
    # The bucket owner reads every object and owns it.
    dest_id = owner.list_buckets()["Owner"]["ID"]
    listed = owner.list_objects_v2(Bucket=bucket, FetchOwner=True)["Contents"]
    assert len(listed) == 9
    for o in listed:
        assert o["Key"].startswith(root)
        assert o["Owner"]["ID"] == dest_id, o
        owner.get_object(Bucket=bucket, Key=o["Key"])["Body"].read()
        assert owner.get_object_acl(Bucket=bucket, Key=o["Key"])["Owner"]["ID"] == dest_id
    summary = json.loads(owner.get_object(Bucket=bucket, Key=d["ExportManifest"])["Body"].read())
    assert summary["itemCount"] == 5
    assert summary["s3Bucket"] == bucket


def test_cross_account_export_by_a_user_granted_on_both_sides(server, ddb):
    iam = server.client("iam", "source")
    user = unique("exporter")
    user_arn = iam.create_user(UserName=user)["User"]["Arn"]
    bucket, owner = dest_bucket(server, user_arn)
    name = new_table(ddb, pitr=True, items=plain_items(3))
    iam.put_user_policy(
        UserName=user,
        PolicyName="export",
        PolicyDocument=policy(
            {"Effect": "Allow", "Action": "dynamodb:ExportTableToPointInTime", "Resource": table_arn(name)},
            {"Effect": "Allow", "Action": EXPORT_S3_ACTIONS, "Resource": f"arn:aws:s3:::{bucket}/*"},
        ),
    )
    key = iam.create_access_key(UserName=user)["AccessKey"]
    user_ddb = server.client(
        "dynamodb", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"]
    )
    started = user_ddb.export_table_to_point_in_time(TableArn=table_arn(name), S3Bucket=bucket, S3BucketOwner=DEST)
    d = wait_export(ddb, started["ExportDescription"]["ExportArn"])
    assert d["ExportStatus"] == "COMPLETED", d
    assert d["ItemCount"] == 3
    assert len(owner.list_objects_v2(Bucket=bucket)["Contents"]) == 9


def test_cross_account_export_by_a_user_without_s3_permissions_fails(server, ddb):
    iam = server.client("iam", "source")
    user = unique("exporter")
    user_arn = iam.create_user(UserName=user)["User"]["Arn"]
    bucket, owner = dest_bucket(server, user_arn)
    name = new_table(ddb, pitr=True, items=plain_items(3))
    iam.put_user_policy(
        UserName=user,
        PolicyName="export",
        PolicyDocument=policy(
            {"Effect": "Allow", "Action": "dynamodb:ExportTableToPointInTime", "Resource": table_arn(name)}
        ),
    )
    key = iam.create_access_key(UserName=user)["AccessKey"]
    user_ddb = server.client(
        "dynamodb", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"]
    )
    started = user_ddb.export_table_to_point_in_time(TableArn=table_arn(name), S3Bucket=bucket, S3BucketOwner=DEST)
    assert started["ExportDescription"]["ExportStatus"] == "IN_PROGRESS"
    arn = started["ExportDescription"]["ExportArn"]
    d = wait_export(ddb, arn)
    first_key = f"AWSDynamoDB/{export_id(arn)}/_started"
    assert_failed(
        d,
        "S3AccessDenied",
        f'User: {user_arn} is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::{bucket}/{first_key}"',
        403,
        "AccessDenied",
    )
    assert "Contents" not in owner.list_objects_v2(Bucket=bucket)


def role_session_dynamodb(srv, role_name, *statements, session="exporter"):
    """A role of "source" that its principals may assume, with `statements` as its inline
    policy; (role ARN, session ARN, DynamoDB client of a session assumed by a user of
    "source": AWS refuses AssumeRole to an account's root)."""
    iam = srv.client("iam", "source")
    trust = policy({"Effect": "Allow", "Principal": {"AWS": source_root_arn()}, "Action": "sts:AssumeRole"})
    role_arn = iam.create_role(RoleName=role_name, AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    iam.put_role_policy(RoleName=role_name, PolicyName="export", PolicyDocument=policy(*statements))
    _, sts = role_assumer(srv, "source")
    credentials = sts.assume_role(RoleArn=role_arn, RoleSessionName=session)["Credentials"]
    client = srv.client(
        "dynamodb",
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )
    return role_arn, f"arn:aws:sts::{SOURCE}:assumed-role/{role_name}/{session}", client


def test_cross_account_export_by_a_role_session(server, ddb):
    role = unique("export-role")
    name = new_table(ddb, pitr=True, items=plain_items(3))
    bucket, owner = dest_bucket(server)
    role_arn, _, session_ddb = role_session_dynamodb(
        server,
        role,
        {"Effect": "Allow", "Action": "dynamodb:ExportTableToPointInTime", "Resource": table_arn(name)},
        {"Effect": "Allow", "Action": EXPORT_S3_ACTIONS, "Resource": f"arn:aws:s3:::{bucket}/*"},
    )
    grant_export(owner, bucket, role_arn)
    started = session_ddb.export_table_to_point_in_time(
        TableArn=table_arn(name), S3Bucket=bucket, S3BucketOwner=DEST
    )["ExportDescription"]
    d = wait_export(ddb, started["ExportArn"])
    assert d["ExportStatus"] == "COMPLETED", d
    assert len(owner.list_objects_v2(Bucket=bucket)["Contents"]) == 9


def test_cross_account_export_by_a_role_session_the_bucket_does_not_grant(server, ddb):
    role = unique("export-role")
    name = new_table(ddb, pitr=True, items=plain_items(3))
    bucket, owner = dest_bucket(server)
    _, session_arn, session_ddb = role_session_dynamodb(
        server,
        role,
        {"Effect": "Allow", "Action": "dynamodb:ExportTableToPointInTime", "Resource": table_arn(name)},
        {"Effect": "Allow", "Action": EXPORT_S3_ACTIONS, "Resource": f"arn:aws:s3:::{bucket}/*"},
    )
    arn = session_ddb.export_table_to_point_in_time(
        TableArn=table_arn(name), S3Bucket=bucket, S3BucketOwner=DEST
    )["ExportDescription"]["ExportArn"]
    d = wait_export(ddb, arn)
    assert_failed(
        d,
        "S3AccessDenied",
        f"User: {session_arn} is not authorized to perform: s3:PutObject on resource: "
        f'"arn:aws:s3:::{bucket}/AWSDynamoDB/{export_id(arn)}/_started"',
        403,
        "AccessDenied",
    )
    assert "Contents" not in owner.list_objects_v2(Bucket=bucket)


@pytest.mark.parametrize("owner", [None, DEST])
def test_export_to_a_missing_bucket_fails(ddb, owner):
    name = new_table(ddb, pitr=True, items=plain_items(1))
    extra = {"S3BucketOwner": owner} if owner else {}
    started = start_export(ddb, name, unique("export-none-such"), **extra)
    assert started["ExportStatus"] == "IN_PROGRESS"
    d = wait_export(ddb, started["ExportArn"])
    assert_failed(d, "S3NoSuchBucket", "The specified bucket does not exist (Service: Amazon S3;", 404, "NoSuchBucket")


# --- ClientToken ----------------------------------------------------------------------


def test_client_token_replays_and_conflicts(ddb, bucket):
    name = new_table(ddb, pitr=True, items=plain_items(2))
    token = unique("token")
    first = start_export(ddb, name, bucket, ClientToken=token, S3Prefix="tokens")
    for conflicting in ({"S3Prefix": "other"}, {"S3Prefix": "tokens", "ExportFormat": "ION"}):
        message = error_of(
            lambda: start_export(ddb, name, bucket, ClientToken=token, **conflicting), "ExportConflictException"
        )
        assert message == "Export conflict: Duplicate request detected with conflicting parameters"
    # The same token with the same parameters answers the same export, while in progress
    # and after completion (with the current description).
    again = start_export(ddb, name, bucket, ClientToken=token, S3Prefix="tokens")
    assert again["ExportArn"] == first["ExportArn"]
    assert again["ClientToken"] == token
    done = wait_export(ddb, first["ExportArn"])
    assert done["ExportStatus"] == "COMPLETED"
    after = start_export(ddb, name, bucket, ClientToken=token, S3Prefix="tokens")
    assert after["ExportArn"] == first["ExportArn"]
    assert after["ExportStatus"] == "COMPLETED"
    assert [s["ExportArn"] for s in ddb.list_exports(TableArn=table_arn(name))["ExportSummaries"]] == [
        first["ExportArn"]
    ]


def test_a_request_failing_validation_does_not_consume_its_token(ddb, bucket):
    name = new_table(ddb)
    token = unique("token")
    error_of(lambda: start_export(ddb, name, bucket, ClientToken=token, ExportFormat="CSV"), "ValidationException")
    error_of(lambda: start_export(ddb, name, bucket, ClientToken=token), "PointInTimeRecoveryUnavailableException")
    enable_pitr(ddb, name)
    first = start_export(ddb, name, bucket, ClientToken=token, S3Prefix="after-failures")
    assert first["ExportStatus"] == "IN_PROGRESS"
    # The token now belongs to that export.
    message = error_of(
        lambda: start_export(ddb, name, bucket, ClientToken=token, S3Prefix="another"), "ExportConflictException"
    )
    assert message == "Export conflict: Duplicate request detected with conflicting parameters"
    assert [s["ExportArn"] for s in ddb.list_exports(TableArn=table_arn(name))["ExportSummaries"]] == [
        first["ExportArn"]
    ]


# --- DescribeExport and ListExports ---------------------------------------------------


def test_describe_export_errors(server, ddb):
    name = new_table(ddb, pitr=True)
    message = error_of(lambda: ddb.describe_export(ExportArn=table_arn(name) + "/extra-chars"), "ValidationException")
    assert message == "Invalid Export ARN"
    message = error_of(lambda: ddb.describe_export(ExportArn=table_arn(name)), "ValidationException")
    assert message == "Invalid Export ARN"
    unknown = table_arn(name) + "/export/01700000000000-0123abcd"
    message = error_of(lambda: ddb.describe_export(ExportArn=unknown), "ExportNotFoundException")
    assert message == f"Export not found: Export not found: {unknown}"
    other_region = table_arn(name, region="eu-west-1") + "/export/01700000000000-0123abcd"
    message = error_of(lambda: ddb.describe_export(ExportArn=other_region), "ExportNotFoundException")
    assert message == "Export not found: Invalid export arn"
    foreign = table_arn(name, DEST) + "/export/01700000000000-0123abcd"
    message = error_of(lambda: ddb.describe_export(ExportArn=foreign), "AccessDeniedException")
    assert message == "Access is denied"
    # An id AWS never issued is still well formed: not found (ack-api-quirks DDB-EXPORT-006,
    # `.../export/0` and a tampered suffix).
    for made_up in (table_arn(name) + "/export/0", table_arn(name) + "/export/01700000000000-zzzz"):
        message = error_of(lambda: ddb.describe_export(ExportArn=made_up), "ExportNotFoundException")
        assert message == f"Export not found: Export not found: {made_up}"


# ScyllaDB's test_describe_export_incorrect_arns, run against AWS: not an ARN is invalid; a
# bogus partition, service, region or account is AccessDeniedException. Its ARNs are all in
# account 000000000000, another account, which AWS judges first: "Access is denied", its
# message for another account's export ARN (ack-api-quirks DDB-EXPORT-006).
@pytest.mark.parametrize(
    "arn, code",
    [
        ("qwerty:aws:dynamodb:us-east-1:000000000000:table/nonexistent_table_xyz", "ValidationException"),
        ("arn:qwerty:dynamodb:us-east-1:000000000000:table/nonexistent_table_xyz", "AccessDeniedException"),
        ("arn:aws:qwerty:us-east-1:000000000000:table/nonexistent_table_xyz", "AccessDeniedException"),
        ("arn:aws:dynamodb:qwerty:000000000000:table/nonexistent_table_xyz", "AccessDeniedException"),
        ("arn:aws:dynamodb:us-east-1:qwerty:table/nonexistent_table_xyz", "AccessDeniedException"),
        (f"arn:aws:dynamodb:us-east-1:{SOURCE}:table/nonexistent_table_xyz", "ValidationException"),
        # A table name below TableName's 3 characters (the import twin is AWS-tested).
        (f"arn:aws:dynamodb:us-east-1:{SOURCE}:table/x/export/01700000000000-0123abcd", "ValidationException"),
    ],
)
def test_describe_export_malformed_arns(ddb, arn, code):
    message = error_of(lambda: ddb.describe_export(ExportArn=arn), code)
    assert message == ("Invalid Export ARN" if code == "ValidationException" else "Access is denied")


def test_list_exports(ddb, bucket):
    name = new_table(ddb, pitr=True)
    other = new_table(ddb, pitr=True)
    other_arn = start_export(ddb, other, bucket)["ExportArn"]
    arns = []
    for extra in ({}, {"ExportType": "FULL_EXPORT"}, {"ExportFormat": "ION"}):
        arns.append(start_export(ddb, name, bucket, **extra)["ExportArn"])
        time.sleep(0.01)
    newest_first = list(reversed(arns))
    assert newest_first == sorted(arns, reverse=True)

    listed = ddb.list_exports(TableArn=table_arn(name))
    assert "NextToken" not in listed
    summaries = listed["ExportSummaries"]
    assert [s["ExportArn"] for s in summaries] == newest_first
    for s in summaries:
        assert set(s) == {"ExportArn", "ExportStatus", "ExportType"}
        assert s["ExportType"] == "FULL_EXPORT"
        assert s["ExportStatus"] in ("IN_PROGRESS", "COMPLETED")

    page = ddb.list_exports(TableArn=table_arn(name), MaxResults=2)
    assert [s["ExportArn"] for s in page["ExportSummaries"]] == newest_first[:2]
    assert page["NextToken"]
    rest = ddb.list_exports(TableArn=table_arn(name), MaxResults=2, NextToken=page["NextToken"])
    assert [s["ExportArn"] for s in rest["ExportSummaries"]] == newest_first[2:]
    assert "NextToken" not in rest

    other_listed = ddb.list_exports(TableArn=table_arn(other))["ExportSummaries"]
    assert [s["ExportArn"] for s in other_listed] == [other_arn]

    message = error_of(
        lambda: ddb.list_exports(TableArn=table_arn(name), NextToken="garbage"), "ValidationException"
    )
    assert message == "Invalid Request: Provided nextToken is invalid: garbage"

    message = error_of(lambda: ddb.list_exports(MaxResults=26), "ValidationException")
    assert message == (
        "1 validation error detected: Value '26' at 'maxResults' failed to satisfy constraint: "
        "Member must have value less than or equal to 25"
    )


def test_list_exports_pages_by_ten_by_default(ddb, bucket):
    name = new_table(ddb, pitr=True)
    arns = [start_export(ddb, name, bucket)["ExportArn"] for _ in range(11)]
    first = ddb.list_exports(TableArn=table_arn(name))
    assert len(first["ExportSummaries"]) == 10
    assert first["NextToken"]
    second = ddb.list_exports(TableArn=table_arn(name), NextToken=first["NextToken"])
    assert len(second["ExportSummaries"]) == 1
    assert "NextToken" not in second
    listed = [s["ExportArn"] for s in first["ExportSummaries"] + second["ExportSummaries"]]
    assert listed == sorted(arns, reverse=True)


def test_exports_of_a_deleted_table(ddb, bucket):
    name = new_table(ddb, pitr=True, items=plain_items(1))
    d = wait_export(ddb, start_export(ddb, name, bucket)["ExportArn"])
    assert d["ExportStatus"] == "COMPLETED"
    ddb.delete_table(TableName=name)
    # DescribeExport still answers; ListExports for the table lists nothing.
    assert ddb.describe_export(ExportArn=d["ExportArn"])["ExportDescription"] == d
    assert ddb.list_exports(TableArn=table_arn(name))["ExportSummaries"] == []
    # Nor for a new table of the same name.
    new_table_name = name
    ddb.create_table(
        TableName=new_table_name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    assert ddb.list_exports(TableArn=table_arn(name))["ExportSummaries"] == []
    assert ddb.describe_export(ExportArn=d["ExportArn"])["ExportDescription"]["ExportStatus"] == "COMPLETED"


# --- the wire --------------------------------------------------------------------------


def raw_call(srv, operation, body):
    headers = {"X-Amz-Target": f"DynamoDB_20120810.{operation}", "Content-Type": "application/x-amz-json-1.0"}
    status, _, out = signed(srv.endpoint, "dynamodb", json.dumps(body), headers, credentials())
    return status, out.decode(), json.loads(out)


def test_export_wire_bodies(server, ddb, bucket):
    name = new_table(ddb, pitr=True)
    # Success: only present members, timestamps as numbers with a fraction or exponent.
    status, text, body = raw_call(server, "ExportTableToPointInTime", {"TableArn": table_arn(name), "S3Bucket": bucket})
    assert status == 200
    assert "null" not in text
    assert "ClientToken" in body["ExportDescription"]  # generated when a raw request has none
    assert re.search(r'"StartTime":\d+(\.\d+|(\.\d+)?E\d+)[,}]', text), text
    status, text, body = raw_call(server, "DescribeContinuousBackups", {"TableName": name})
    assert status == 200
    assert re.search(r'"EarliestRestorableDateTime":\d+(\.\d+|(\.\d+)?E\d+)[,}]', text), text
    # Errors: Coral validation and DynamoDB exceptions carry `message`...
    status, _, body = raw_call(server, "ExportTableToPointInTime", {"TableArn": name, "S3Bucket": bucket})
    assert (status, body) == (
        400,
        {
            "__type": "com.amazon.coral.validate#ValidationException",
            "message": "One or more parameter values were invalid: tableArn is not a valid ARN",
        },
    )
    missing = table_arn(unique("none"))
    status, _, body = raw_call(server, "ExportTableToPointInTime", {"TableArn": missing, "S3Bucket": bucket})
    assert (status, body) == (
        400,
        {
            "__type": "com.amazonaws.dynamodb.v20120810#TableNotFoundException",
            "message": f"Table not found: {missing}",
        },
    )
    # ...while AccessDeniedException carries `Message` (spec §7.3).
    status, _, body = raw_call(
        server, "ExportTableToPointInTime", {"TableArn": table_arn(name, DEST), "S3Bucket": bucket}
    )
    assert (status, body) == (
        400,
        {"__type": "com.amazon.coral.service#AccessDeniedException", "Message": "Access is denied"},
    )


# --- the AWS CLI ----------------------------------------------------------------------


def test_cli_cross_account_export(server, ddb):
    bucket, owner = dest_bucket(server, source_root_arn())
    name = new_table(ddb, pitr=True, items=plain_items(2))
    out = server.aws(
        "dynamodb",
        "export-table-to-point-in-time",
        "--table-arn",
        table_arn(name),
        "--s3-bucket",
        bucket,
        "--s3-bucket-owner",
        DEST,
        account="source",
    )
    description = json.loads(out.stdout)["ExportDescription"]
    assert description["ExportStatus"] == "IN_PROGRESS"
    assert description["S3BucketOwner"] == DEST
    assert description["S3Bucket"] == bucket
    assert description["ClientToken"]
    assert "ExportType" not in description
    # Timestamps print as on the wire: numbers with a fractional part.
    assert isinstance(description["StartTime"], float)
    assert description["ExportTime"] == description["StartTime"]
    d = wait_export(ddb, description["ExportArn"])
    assert d["ExportStatus"] == "COMPLETED", d
    assert len(owner.list_objects_v2(Bucket=bucket)["Contents"]) == 9


def test_cli_continuous_backups(server, ddb):
    name = new_table(ddb)
    out = server.aws("dynamodb", "describe-continuous-backups", "--table-name", name)
    assert json.loads(out.stdout) == {
        "ContinuousBackupsDescription": {
            "ContinuousBackupsStatus": "ENABLED",
            "PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "DISABLED"},
        }
    }
    server.aws(
        "dynamodb",
        "update-continuous-backups",
        "--table-name",
        name,
        "--point-in-time-recovery-specification",
        "PointInTimeRecoveryEnabled=true,RecoveryPeriodInDays=7",
    )
    out = server.aws("dynamodb", "describe-continuous-backups", "--table-name", name)
    pitr = json.loads(out.stdout)["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    assert pitr["PointInTimeRecoveryStatus"] == "ENABLED"
    assert pitr["RecoveryPeriodInDays"] == 7
    earliest = pitr["EarliestRestorableDateTime"]
    # Whole seconds, printed as on the wire with a fractional part (e.g. 1576622404.0).
    assert isinstance(earliest, float) and earliest == int(earliest)
    assert pitr["LatestRestorableDateTime"] == earliest
    failed = server.aws("dynamodb", "describe-continuous-backups", "--table-name", unique("none"), check=False)
    assert failed.returncode != 0
    assert "TableNotFoundException" in failed.stderr
