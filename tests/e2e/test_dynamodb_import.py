"""DynamoDB ImportTable, DescribeImport and ListImports (spec dynamodb-export-import §6):
export → import round trips (DynamoDB JSON and Ion, gzip), importing an export root,
record-level error counting for DynamoDB JSON, CSV parsing and typing, compression,
raw key-prefix semantics, synchronous validation, S3 failures (missing bucket, access
denied), cross-account source buckets of "destination" (222222222222) read by "source"
(111111111111), the ImportTableDescription, ClientToken rules, DescribeImport,
ListImports paging and the AWS CLI.

Imports run in the background: tests poll DescribeImport until the import leaves
IN_PROGRESS."""

import base64
import gzip
import json
import re
import shutil
import subprocess
import time
import uuid

import botocore.config
import pytest

from aws_helpers import client_error, policy, unique, wait_import
from sigv4_client import credentials, signed

SOURCE, DEST = "111111111111", "222222222222"
REGION = "us-east-1"

S3_TAIL = (
    r" \(Service: Amazon S3; Status Code: {status}; Error Code: {code}; "
    r"Request ID: \S+; S3 Extended Request ID: \S+; Proxy: null\)$"
)
ITEM_VALIDATION_MESSAGE = (
    "Some of the items failed validation checks and were not imported. "
    "Please check CloudWatch error logs for more details."
)
LOG_GROUP = f"arn:aws:logs:{REGION}:{SOURCE}:log-group:/aws-dynamodb/imports:*"
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


# --- helpers --------------------------------------------------------------------------


def table_arn(name, account=SOURCE):
    return f"arn:aws:dynamodb:{REGION}:{account}:table/{name}"


def s3_client(srv, account="source"):
    config = botocore.config.Config(
        s3={"addressing_style": "path"},
        retries={"max_attempts": 1},
        request_checksum_calculation="when_required",
    )
    return srv.client("s3", account, config=config)


def new_bucket(srv, account="source", objects=None):
    s3 = s3_client(srv, account)
    name = unique("import-src")
    s3.create_bucket(Bucket=name)
    for key, body in (objects or {}).items():
        s3.put_object(Bucket=name, Key=key, Body=body)
    return name, s3


def creation_parameters(name=None, key="pk", key_type="S", **extra):
    params = {
        "TableName": name or unique("import"),
        "AttributeDefinitions": [{"AttributeName": key, "AttributeType": key_type}],
        "KeySchema": [{"AttributeName": key, "KeyType": "HASH"}],
        "BillingMode": "PAY_PER_REQUEST",
    }
    params.update(extra)
    return params


def start_import(ddb, bucket, prefix=None, fmt="DYNAMODB_JSON", params=None, owner=None, **kwargs):
    """Calls ImportTable; returns (description, table name)."""
    params = params or creation_parameters()
    source = {"S3Bucket": bucket}
    if prefix is not None:
        source["S3KeyPrefix"] = prefix
    if owner is not None:
        source["S3BucketOwner"] = owner
    out = ddb.import_table(S3BucketSource=source, InputFormat=fmt, TableCreationParameters=params, **kwargs)
    return out["ImportTableDescription"], params["TableName"]




def run_import(ddb, bucket, prefix=None, fmt="DYNAMODB_JSON", **kwargs):
    """Starts an import and waits for its end; returns (final description, table name)."""
    d, name = start_import(ddb, bucket, prefix, fmt, **kwargs)
    return wait_import(ddb, d["ImportArn"]), name


def counts(d):
    return (d["ProcessedItemCount"], d["ImportedItemCount"], d["ErrorCount"])


def assert_item_validation_failure(d):
    assert d["ImportStatus"] == "FAILED", d
    assert d["FailureCode"] == "ItemValidationError"
    assert d["FailureMessage"] == ITEM_VALIDATION_MESSAGE


def assert_completed(d):
    assert d["ImportStatus"] == "COMPLETED", d
    assert d["ErrorCount"] == 0
    assert "FailureCode" not in d and "FailureMessage" not in d


def error_of(call, code):
    error = client_error(call)
    assert error["Error"]["Code"] == code, error["Error"]
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    return error["Error"]["Message"]


def canonical(value):
    ((kind, v),) = value.items()
    if kind == "B":
        return {"B": base64.b64encode(v).decode()}
    if kind == "BS":
        return {"BS": sorted(base64.b64encode(b).decode() for b in v)}
    if kind in ("SS", "NS"):
        return {kind: sorted(v)}
    if kind == "L":
        return {"L": [canonical(x) for x in v]}
    if kind == "M":
        return {"M": {k: canonical(x) for k, x in v.items()}}
    return {kind: v}


def table_items(ddb, name):
    items = ddb.scan(TableName=name, ConsistentRead=True)["Items"]
    return sorted(({k: canonical(v) for k, v in i.items()} for i in items), key=lambda i: json.dumps(i, sort_keys=True))


def assert_no_table(ddb, name):
    error_of(lambda: ddb.describe_table(TableName=name), "ResourceNotFoundException")


def json_line(item):
    return json.dumps({"Item": item}) + "\n"


def json_items(n, prefix="item"):
    return [{"pk": {"S": f"{prefix}-{i}"}, "v": {"N": str(i)}} for i in range(n)]


def millis(dt):
    return round(dt.timestamp() * 1000)


EVERY_TYPE_ITEMS = [
    {
        "pk": {"S": "every-type"},
        "s": {"S": "text"},
        "n": {"N": "103"},
        "frac": {"N": "1.5"},
        "tiny": {"N": "0.000123"},
        "neg": {"N": "-7.25"},
        "b": {"B": b"bar"},
        "t": {"BOOL": True},
        "f": {"BOOL": False},
        "z": {"NULL": True},
        "ss": {"SS": ["a", "b"]},
        "ns": {"NS": ["1", "2.5"]},
        "bs": {"BS": [b"abc", b"def"]},
        "l": {"L": [{"N": "5"}, {"S": "x"}, {"NULL": True}, {"B": b"\x00\xff"}]},
        "m": {"M": {"k": {"S": "v"}, "inner": {"M": {"n": {"N": "2000"}, "ok": {"BOOL": True}}}}},
    },
    {"pk": {"S": "plain"}, "v": {"N": "42"}},
    {"pk": {"S": "binary-only"}, "b": {"B": b"\x01\x02\x03"}},
]


# --- export → import round trips -------------------------------------------------------


def exported_table(server, ddb, fmt, versioning=None):
    """A table of EVERY_TYPE_ITEMS exported to a fresh bucket (with `versioning` set, if
    given); (table, bucket, s3, export id)."""
    name = unique("import-origin")
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    ddb.update_continuous_backups(
        TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )
    for item in EVERY_TYPE_ITEMS:
        ddb.put_item(TableName=name, Item=item)
    bucket, s3 = new_bucket(server)
    if versioning:
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": versioning})
    arn = ddb.export_table_to_point_in_time(
        TableArn=table_arn(name), S3Bucket=bucket, S3Prefix="exp", ExportFormat=fmt
    )["ExportDescription"]["ExportArn"]
    deadline = time.time() + 20
    while True:
        d = ddb.describe_export(ExportArn=arn)["ExportDescription"]
        if d["ExportStatus"] != "IN_PROGRESS":
            break
        assert time.time() < deadline
        time.sleep(0.1)
    assert d["ExportStatus"] == "COMPLETED", d
    return name, bucket, s3, arn.rsplit("/export/", 1)[1]


@pytest.mark.parametrize("fmt", ["DYNAMODB_JSON", "ION"])
def test_export_then_import_round_trip(server, ddb, fmt):
    origin, bucket, _, export_id = exported_table(server, ddb, fmt)
    started, name = start_import(
        ddb, bucket, f"exp/AWSDynamoDB/{export_id}/data/", fmt, InputCompressionType="GZIP"
    )
    assert started["ImportStatus"] == "IN_PROGRESS"
    d = wait_import(ddb, started["ImportArn"])
    assert_completed(d)
    n = len(EVERY_TYPE_ITEMS)
    assert counts(d) == (n, n, 0)
    assert d["ProcessedSizeBytes"] > 0
    assert d["InputFormat"] == fmt
    assert d["InputCompressionType"] == "GZIP"
    assert table_items(ddb, name) == table_items(ddb, origin)
    table = ddb.describe_table(TableName=name)["Table"]
    assert table["TableStatus"] == "ACTIVE"
    assert table["TableId"] == started["TableId"] == d["TableId"]
    assert re.fullmatch(UUID, table["TableId"])
    assert table["TableArn"] == started["TableArn"] == table_arn(name)
    assert table["ItemCount"] in (0, n)
    pitr = ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
    assert pitr["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "DISABLED"


@pytest.mark.parametrize("versioning", ["Enabled", "Suspended"])
def test_export_into_and_import_from_a_versioned_bucket(server, ddb, versioning):
    origin, bucket, s3, export_id = exported_table(server, ddb, "DYNAMODB_JSON", versioning)
    root = f"exp/AWSDynamoDB/{export_id}/"
    listed = s3.list_object_versions(Bucket=bucket, Prefix=root)
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix=root)["Contents"]]
    assert sorted(v["Key"] for v in listed["Versions"]) == sorted(keys)
    assert all(v["IsLatest"] for v in listed["Versions"])
    # Every object the export wrote is a version of its own: a real id when enabled, the
    # null version when suspended.
    ids = {v["VersionId"] for v in listed["Versions"]}
    assert ids == {"null"} if versioning == "Suspended" else "null" not in ids
    d, name = run_import(ddb, bucket, root + "data/", InputCompressionType="GZIP")
    assert_completed(d)
    assert table_items(ddb, name) == table_items(ddb, origin)


def test_importing_the_export_root_counts_one_error_per_non_data_object(server, ddb):
    origin, bucket, s3, export_id = exported_table(server, ddb, "DYNAMODB_JSON")
    root = f"exp/AWSDynamoDB/{export_id}/"
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=root)["Contents"]
    non_data = [o for o in listed if not o["Key"].startswith(root + "data/")]
    assert any(o["Key"] == root + "_started" and o["Size"] == 0 for o in non_data)
    expected_errors = sum(1 for o in non_data if o["Size"] > 0)
    assert expected_errors == 4
    d, name = run_import(ddb, bucket, root, InputCompressionType="GZIP")
    assert_item_validation_failure(d)
    n = len(EVERY_TYPE_ITEMS)
    assert d["ErrorCount"] == expected_errors
    assert d["ImportedItemCount"] == n
    # Whether an object that fails to decompress counts as a processed record is not
    # documented; only the items read from the data files are certain.
    assert d["ProcessedItemCount"] >= n
    assert table_items(ddb, name) == table_items(ddb, origin)
    assert ddb.describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE"


# --- DynamoDB JSON written by the test (uncompressed) -----------------------------------


def test_json_item_without_the_key_is_one_error_and_reading_goes_on(server, ddb):
    items = json_items(10)
    items[3] = {"other": {"S": "no key"}}
    bucket, _ = new_bucket(server, objects={"in/a.json": "".join(json_line(i) for i in items)})
    d, name = run_import(ddb, bucket, "in/", InputCompressionType="NONE")
    assert_item_validation_failure(d)
    assert counts(d) == (10, 9, 1)
    keys = {i["pk"]["S"] for i in table_items(ddb, name)}
    assert keys == {f"item-{i}" for i in range(10) if i != 3}
    assert ddb.describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE"


def test_json_key_of_the_wrong_type_is_one_error(server, ddb):
    items = json_items(4)
    items[1] = {"pk": {"N": "5"}}
    bucket, _ = new_bucket(server, objects={"a.json": "".join(json_line(i) for i in items)})
    d, name = run_import(ddb, bucket)
    assert_item_validation_failure(d)
    assert counts(d) == (4, 3, 1)


def test_json_garbage_line_skips_the_rest_of_the_object(server, ddb):
    lines = [json_line(i) for i in json_items(10)]
    lines[5] = "this is not json\n"
    other = "".join(json_line(i) for i in json_items(2, "other"))
    bucket, _ = new_bucket(server, objects={"in/a.json": "".join(lines), "in/b.json": other})
    d, name = run_import(ddb, bucket, "in/a.json")
    assert_item_validation_failure(d)
    assert counts(d) == (6, 5, 1)
    assert {i["pk"]["S"] for i in table_items(ddb, name)} == {f"item-{i}" for i in range(5)}
    # With both objects, only the bad object's tail is lost.
    d, name = run_import(ddb, bucket, "in/")
    assert_item_validation_failure(d)
    assert counts(d) == (8, 7, 1)


def test_json_records_concatenated_without_newlines_are_accepted(server, ddb):
    items = json_items(10)
    body = "".join(json_line(i) for i in items[:5]) + "".join(json.dumps({"Item": i}) for i in items[5:])
    bucket, _ = new_bucket(server, objects={"a.json": body})
    d, name = run_import(ddb, bucket)
    assert_completed(d)
    assert counts(d) == (10, 10, 0)
    assert len(table_items(ddb, name)) == 10


def test_gzip_bytes_imported_as_none_are_one_error(server, ddb):
    body = gzip.compress("".join(json_line(i) for i in json_items(3)).encode())
    bucket, _ = new_bucket(server, objects={"a.json.gz": body})
    d, name = run_import(ddb, bucket, InputCompressionType="NONE")
    assert_item_validation_failure(d)
    assert d["ErrorCount"] == 1
    assert d["ImportedItemCount"] == 0
    assert table_items(ddb, name) == []


def test_plain_bytes_imported_as_gzip_are_one_error(server, ddb):
    bucket, _ = new_bucket(server, objects={"a.json": "".join(json_line(i) for i in json_items(3))})
    d, name = run_import(ddb, bucket, InputCompressionType="GZIP")
    assert_item_validation_failure(d)
    assert d["ErrorCount"] == 1
    assert d["ImportedItemCount"] == 0


def test_gzip_json_size_is_uncompressed(server, ddb):
    raw = "".join(json_line(i) for i in json_items(5)).encode()
    bucket, _ = new_bucket(server, objects={"a.json.gz": gzip.compress(raw)})
    d, name = run_import(ddb, bucket, InputCompressionType="GZIP")
    assert_completed(d)
    assert counts(d) == (5, 5, 0)
    assert d["ProcessedSizeBytes"] == len(raw)


def zstd_compress(data):
    """zstandard frames from the `zstandard` package, else from the `zstd` command; skips
    the test when neither is available."""
    try:
        import zstandard
    except ImportError:
        if not shutil.which("zstd"):
            pytest.importorskip("zstandard")
        return subprocess.run(["zstd", "-q", "-c"], input=data, capture_output=True, check=True).stdout
    return zstandard.ZstdCompressor().compress(data)


def test_zstd_input(server, ddb):
    raw = "".join(json_line(i) for i in json_items(4)).encode()
    bucket, _ = new_bucket(server, objects={"a.json.zst": zstd_compress(raw)})
    d, name = run_import(ddb, bucket, InputCompressionType="ZSTD")
    assert_completed(d)
    assert counts(d) == (4, 4, 0)
    assert len(table_items(ddb, name)) == 4


def test_zero_byte_objects_contribute_nothing(server, ddb):
    bucket, _ = new_bucket(
        server, objects={"empty": b"", "a.json": "".join(json_line(i) for i in json_items(2))}
    )
    d, name = run_import(ddb, bucket)
    assert_completed(d)
    assert counts(d) == (2, 2, 0)


def test_ion_written_by_hand(server, ddb):
    body = (
        '$ion_1_0 {Item:{pk:"a",n:6d2,f:1.5,i:103.,ss:$dynamodb_SS::["x","y"],'
        'ns:$dynamodb_NS::[1.,2d3],bs:$dynamodb_BS::[{{YWJj}}],b:{{YmFy}},t:true,z:null,'
        'l:[1.,"s"],m:{k:"v"},\'odd name\':"q"}}\n'
        '$ion_1_0 {Item:{pk:"b"}}\n'
        '$ion_1_0 {Item:{other:"no key"}}\n'
    )
    bucket, _ = new_bucket(server, objects={"a.ion": body})
    d, name = run_import(ddb, bucket, fmt="ION")
    assert_item_validation_failure(d)
    assert counts(d) == (3, 2, 1)
    assert table_items(ddb, name) == [
        {
            "pk": {"S": "a"},
            "n": {"N": "600"},
            "f": {"N": "1.5"},
            "i": {"N": "103"},
            "ss": {"SS": ["x", "y"]},
            "ns": {"NS": ["1", "2000"]},
            "bs": {"BS": ["YWJj"]},
            "b": {"B": "YmFy"},
            "t": {"BOOL": True},
            "z": {"NULL": True},
            "l": {"L": [{"N": "1"}, {"S": "s"}]},
            "m": {"M": {"k": {"S": "v"}}},
            "odd name": {"S": "q"},
        },
        {"pk": {"S": "b"}},
    ]


# --- CSV --------------------------------------------------------------------------------


def test_csv_with_header_types_the_key_and_keeps_the_rest_as_strings(server, ddb):
    body = (
        'pk,name,count,note\n'
        '1,alice,3,plain\n'
        '2,"Smith, ""J""",,\n'
        'abc,bad,1,x\n'
        '3.5,carol,007,"multi word"\n'
    ).encode()
    bucket, _ = new_bucket(server, objects={"data.csv": body})
    params = creation_parameters(key="pk", key_type="N")
    d, name = run_import(ddb, bucket, "data.csv", "CSV", params=params)
    assert_item_validation_failure(d)
    assert counts(d) == (4, 3, 1)
    assert d["ProcessedSizeBytes"] == len(body)
    assert "InputFormatOptions" not in d
    items = {i["pk"]["N"]: i for i in table_items(ddb, name)}
    assert items == {
        "1": {"pk": {"N": "1"}, "name": {"S": "alice"}, "count": {"S": "3"}, "note": {"S": "plain"}},
        "2": {"pk": {"N": "2"}, "name": {"S": 'Smith, "J"'}},
        "3.5": {"pk": {"N": "3.5"}, "name": {"S": "carol"}, "count": {"S": "007"}, "note": {"S": "multi word"}},
    }


def test_csv_header_list_and_semicolon_delimiter(server, ddb):
    body = b"k1;x;10\nk2;y;20\nk3;;30\n"
    bucket, _ = new_bucket(server, objects={"data.csv": body})
    options = {"Csv": {"Delimiter": ";", "HeaderList": ["pk", "letter", "num"]}}
    d, name = run_import(ddb, bucket, "data.csv", "CSV", InputFormatOptions=options)
    assert_completed(d)
    assert counts(d) == (3, 3, 0)
    assert d["InputFormatOptions"] == options
    assert d["ProcessedSizeBytes"] == len(body)
    assert table_items(ddb, name) == [
        {"pk": {"S": "k1"}, "letter": {"S": "x"}, "num": {"S": "10"}},
        {"pk": {"S": "k2"}, "letter": {"S": "y"}, "num": {"S": "20"}},
        {"pk": {"S": "k3"}, "num": {"S": "30"}},
    ]


def test_csv_without_the_key_column_is_an_error_per_row(server, ddb):
    body = b"id,v\na,1\nb,2\n"
    bucket, _ = new_bucket(server, objects={"data.csv": body})
    d, name = run_import(ddb, bucket, fmt="CSV")
    assert_item_validation_failure(d)
    assert counts(d) == (2, 0, 2)


def test_gzip_csv_size_is_the_uncompressed_size(server, ddb):
    body = b"pk,v\na,1\nb,2\nc,3\n"
    bucket, _ = new_bucket(server, objects={"data.csv.gz": gzip.compress(body)})
    d, name = run_import(ddb, bucket, fmt="CSV", InputCompressionType="GZIP")
    assert_completed(d)
    assert counts(d) == (3, 3, 0)
    assert d["ProcessedSizeBytes"] == len(body)


# --- prefix semantics ----------------------------------------------------------------


def test_key_prefix_is_a_raw_string_prefix(server, ddb):
    bucket, _ = new_bucket(
        server,
        objects={
            "data/a.json": json_line({"pk": {"S": "a"}}),
            "data2/x.json": json_line({"pk": {"S": "x"}}),
            "data.bak": json_line({"pk": {"S": "bak"}}),
            "other/y.json": json_line({"pk": {"S": "y"}}),
        },
    )
    d, name = run_import(ddb, bucket, "data")
    assert_completed(d)
    assert d["S3BucketSource"]["S3KeyPrefix"] == "data"
    assert {i["pk"]["S"] for i in table_items(ddb, name)} == {"a", "x", "bak"}
    # A full object key selects just that object.
    d, name = run_import(ddb, bucket, "data2/x.json")
    assert_completed(d)
    assert {i["pk"]["S"] for i in table_items(ddb, name)} == {"x"}
    # No prefix: the whole bucket.
    d, name = run_import(ddb, bucket)
    assert_completed(d)
    assert "S3KeyPrefix" not in d["S3BucketSource"]
    assert {i["pk"]["S"] for i in table_items(ddb, name)} == {"a", "x", "bak", "y"}


def test_prefix_matching_nothing_completes_with_an_empty_table(server, ddb):
    bucket, _ = new_bucket(server, objects={"data/a.json": json_line({"pk": {"S": "a"}})})
    d, name = run_import(ddb, bucket, "nothing/here/")
    assert_completed(d)
    assert counts(d) == (0, 0, 0)
    # Nothing read, so no ProcessedSizeBytes at all (ScyllaDB's test_import.py, run against
    # AWS, finding 10: it "is absent until it has read something", never a zero).
    assert "ProcessedSizeBytes" not in d
    assert ddb.describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE"
    assert table_items(ddb, name) == []


# --- synchronous errors ---------------------------------------------------------------


def test_provisioned_by_default_needs_throughput(server, ddb):
    bucket, _ = new_bucket(server)
    params = creation_parameters()
    del params["BillingMode"]
    message = error_of(lambda: start_import(ddb, bucket, params=params), "ValidationException")
    assert message == (
        "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits "
        "must both be specified when BillingMode is PROVISIONED"
    )
    assert_no_table(ddb, params["TableName"])
    # Explicit PROVISIONED without throughput too.
    params["BillingMode"] = "PROVISIONED"
    error_of(lambda: start_import(ddb, bucket, params=params), "ValidationException")


def test_the_new_tables_name_is_a_name_not_an_arn(server, ddb):
    """TableCreationParameters.TableName has the service model's TableName shape (3 to 255
    characters of [a-zA-Z0-9_.-]+), unlike CreateTable's, which is a TableArn (a name or an
    ARN): botocore's dynamodb service-2.json."""
    bucket, _ = new_bucket(server)
    name = unique("import")
    params = creation_parameters(table_arn(name))
    message = error_of(lambda: start_import(ddb, bucket, params=params), "ValidationException")
    assert "failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+" in message
    assert_no_table(ddb, name)


def test_input_format_options_with_dynamodb_json(server, ddb):
    bucket, _ = new_bucket(server)
    message = error_of(
        lambda: start_import(ddb, bucket, InputFormatOptions={"Csv": {"Delimiter": ";"}}),
        "ValidationException",
    )
    assert message == "Invalid Request: Unsupported InputFormatOptions for the given input format: DYNAMODB_JSON."


def test_bad_compression_type(server, ddb):
    bucket, _ = new_bucket(server)
    message = error_of(lambda: start_import(ddb, bucket, InputCompressionType="BZIP2"), "ValidationException")
    assert message == (
        "1 validation error detected: Value 'BZIP2' at 'inputCompressionType' failed to satisfy "
        "constraint: Member must satisfy enum value set: [ZSTD, NONE, GZIP]"
    )


def test_existing_table_name(server, ddb):
    bucket, _ = new_bucket(server)
    params = creation_parameters()
    ddb.create_table(
        TableName=params["TableName"],
        KeySchema=params["KeySchema"],
        AttributeDefinitions=params["AttributeDefinitions"],
        BillingMode="PAY_PER_REQUEST",
    )
    message = error_of(lambda: start_import(ddb, bucket, params=params), "ResourceInUseException")
    assert message == f"Table already exists: {params['TableName']}"


# --- S3 failures ------------------------------------------------------------------------


def test_missing_bucket_fails_and_creates_no_table(server, ddb):
    bucket = unique("no-such-bucket")
    started, name = start_import(ddb, bucket, "x/")
    assert started["ImportStatus"] == "IN_PROGRESS"
    d = wait_import(ddb, started["ImportArn"])
    assert d["ImportStatus"] == "FAILED", d
    assert d["FailureCode"] == "S3NoSuchBucket"
    message = d["FailureMessage"]
    assert message.startswith("The specified bucket does not exist"), message
    assert re.search(S3_TAIL.format(status=404, code="NoSuchBucket"), message), message
    assert d["TableArn"] == table_arn(name)
    assert d["TableId"] == started["TableId"]
    assert "EndTime" in d
    assert_no_table(ddb, name)


# --- cross-account source bucket ------------------------------------------------------


def dest_source_bucket(server, grant=False):
    body = "".join(json_line(i) for i in json_items(3, "cross"))
    bucket, owner = new_bucket(server, "destination", objects={"in/a.json": body})
    if grant:
        owner.put_bucket_policy(
            Bucket=bucket,
            Policy=policy(
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{SOURCE}:root"},
                    "Action": "s3:ListBucket",
                    "Resource": f"arn:aws:s3:::{bucket}",
                },
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{SOURCE}:root"},
                    "Action": "s3:GetObject",
                    "Resource": f"arn:aws:s3:::{bucket}/*",
                },
            ),
        )
    return bucket


def assert_access_denied(ddb, d, name):
    assert d["ImportStatus"] == "FAILED", d
    assert d["FailureCode"] == "S3AccessDenied"
    assert re.search(S3_TAIL.format(status=403, code="AccessDenied"), d["FailureMessage"]), d["FailureMessage"]
    assert_no_table(ddb, name)


def test_cross_account_import_without_a_bucket_policy_fails(server, ddb):
    bucket = dest_source_bucket(server)
    d, name = run_import(ddb, bucket, "in/", owner=DEST)
    assert_access_denied(ddb, d, name)


def test_cross_account_import_with_a_bucket_policy_completes(server, ddb):
    bucket = dest_source_bucket(server, grant=True)
    d, name = run_import(ddb, bucket, "in/", owner=DEST)
    assert_completed(d)
    assert counts(d) == (3, 3, 0)
    assert d["S3BucketSource"] == {"S3Bucket": bucket, "S3BucketOwner": DEST, "S3KeyPrefix": "in/"}
    # The import ARN and table are the caller's, never the bucket owner's.
    assert d["TableArn"] == table_arn(name)
    assert d["CloudWatchLogGroupArn"] == LOG_GROUP
    assert {i["pk"]["S"] for i in table_items(ddb, name)} == {f"cross-{i}" for i in range(3)}


def test_cross_account_import_with_a_wrong_bucket_owner_fails(server, ddb):
    bucket = dest_source_bucket(server, grant=True)
    d, name = run_import(ddb, bucket, "in/", owner="333333333333")
    assert_access_denied(ddb, d, name)
    d, name = run_import(ddb, bucket, "in/", owner=SOURCE)
    assert_access_denied(ddb, d, name)


def test_cross_account_import_with_the_owner_omitted_assumes_the_caller(server, ddb):
    bucket = dest_source_bucket(server, grant=True)
    started, name = start_import(ddb, bucket, "in/")
    assert started["S3BucketSource"]["S3BucketOwner"] == SOURCE
    d = wait_import(ddb, started["ImportArn"])
    assert d["S3BucketSource"]["S3BucketOwner"] == SOURCE
    # The bucket is destination's, so the expected-owner check fails.
    assert_access_denied(ddb, d, name)


# --- the description --------------------------------------------------------------------


def test_import_table_description(server, ddb):
    bucket, _ = new_bucket(server, objects={"p/a.csv": b"pk,v\na,1\n"})
    params = creation_parameters(
        key="pk",
        key_type="S",
        BillingMode="PROVISIONED",
        ProvisionedThroughput={"ReadCapacityUnits": 3, "WriteCapacityUnits": 4},
    )
    params["AttributeDefinitions"].append({"AttributeName": "g", "AttributeType": "N"})
    params["GlobalSecondaryIndexes"] = [
        {
            "IndexName": "by-g",
            "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"},
            "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
        }
    ]
    token = str(uuid.uuid4())
    started, name = start_import(ddb, bucket, "p/", "CSV", params=params, ClientToken=token)
    assert started["ImportStatus"] == "IN_PROGRESS"
    assert "EndTime" not in started
    assert "FailureCode" not in started
    arn = started["ImportArn"]
    match = re.fullmatch(re.escape(table_arn(name)) + r"/import/(\d{14})-[0-9a-f]{8}", arn)
    assert match, arn
    assert int(match.group(1)) == millis(started["StartTime"])
    assert started["TableArn"] == table_arn(name)
    assert re.fullmatch(UUID, started["TableId"])
    assert started["ClientToken"] == token
    assert started["S3BucketSource"] == {"S3Bucket": bucket, "S3BucketOwner": SOURCE, "S3KeyPrefix": "p/"}
    assert started["InputFormat"] == "CSV"
    assert started["InputCompressionType"] == "NONE"
    assert "InputFormatOptions" not in started
    assert started["TableCreationParameters"] == params
    assert started["CloudWatchLogGroupArn"] == LOG_GROUP
    d = wait_import(ddb, arn)
    assert_completed(d)
    assert d["ImportArn"] == arn
    assert d["StartTime"] == started["StartTime"]
    assert d["EndTime"] >= d["StartTime"]
    assert d["TableCreationParameters"] == params
    assert d["InputCompressionType"] == "NONE"
    assert counts(d) == (1, 1, 0)
    table = ddb.describe_table(TableName=name)["Table"]
    assert table["ProvisionedThroughput"]["ReadCapacityUnits"] == 3
    assert table["ProvisionedThroughput"]["WriteCapacityUnits"] == 4
    assert [g["IndexName"] for g in table["GlobalSecondaryIndexes"]] == ["by-g"]


# --- ClientToken ----------------------------------------------------------------------


def test_client_token_rules(server, ddb):
    bucket, _ = new_bucket(server, objects={"a.json": json_line({"pk": {"S": "a"}})})
    token = str(uuid.uuid4())
    params = creation_parameters()
    first, name = start_import(ddb, bucket, params=params, ClientToken=token)
    # Same token, another table name: a conflict, whatever the first import's state.
    other = dict(params, TableName=unique("import-other"))
    message = error_of(
        lambda: start_import(ddb, bucket, params=other, ClientToken=token), "ImportConflictException"
    )
    assert message == "Import conflict: Duplicate request detected with conflicting parameters"
    assert_no_table(ddb, other["TableName"])
    d = wait_import(ddb, first["ImportArn"])
    assert_completed(d)
    # Once the table exists, an identical replay is refused.
    message = error_of(lambda: start_import(ddb, bucket, params=params, ClientToken=token), "ResourceInUseException")
    assert message == f"Table already exists: {name}"
    # After the table is deleted, the replay returns the old import and creates nothing.
    ddb.delete_table(TableName=name)
    deadline = time.time() + 10
    while True:
        try:
            ddb.describe_table(TableName=name)
        except ddb.exceptions.ResourceNotFoundException:
            break
        assert time.time() < deadline
        time.sleep(0.1)
    replay, _ = start_import(ddb, bucket, params=params, ClientToken=token)
    assert replay["ImportArn"] == first["ImportArn"]
    assert replay["ImportStatus"] == "COMPLETED"
    time.sleep(0.5)
    assert_no_table(ddb, name)
    listed = ddb.list_imports(TableArn=table_arn(name))["ImportSummaryList"]
    assert [s["ImportArn"] for s in listed] == [first["ImportArn"]]


def test_client_token_with_other_members_returns_the_first_import(server, ddb):
    """Same token while the import runs: only another TableName conflicts; another prefix,
    bucket, format or compression silently returns the first import, its source unchanged
    (ack-api-quirks DDB-IMPORT-017 and ScyllaDB's test_client_token_reuse, both against
    AWS; the API reference's "IdempotentParameterMismatch" is not what AWS answers)."""
    n = 100_000
    body = gzip.compress("".join(json_line(i) for i in json_items(n)).encode())
    bucket, _ = new_bucket(server, objects={"slow/data.json.gz": body})
    token = str(uuid.uuid4())
    params = creation_parameters()
    first, name = start_import(ddb, bucket, "slow/", params=params, ClientToken=token, InputCompressionType="GZIP")
    for changed in (
        {"prefix": "other/prefix/"},
        {"fmt": "CSV"},
        {"InputCompressionType": "ZSTD"},
    ):
        kwargs = {"prefix": "slow/", "fmt": "DYNAMODB_JSON", "InputCompressionType": "GZIP", **changed}
        replay, _ = start_import(ddb, bucket, kwargs.pop("prefix"), kwargs.pop("fmt"), params=params, ClientToken=token, **kwargs)
        assert replay["ImportArn"] == first["ImportArn"], changed
        assert replay["S3BucketSource"] == first["S3BucketSource"]
        assert replay["InputFormat"] == "DYNAMODB_JSON"
        assert replay["InputCompressionType"] == "GZIP"
    other_bucket, _ = new_bucket(server)
    replay, _ = start_import(ddb, other_bucket, "slow/", params=params, ClientToken=token, InputCompressionType="GZIP")
    assert replay["ImportArn"] == first["ImportArn"]
    assert replay["S3BucketSource"]["S3Bucket"] == bucket
    assert_completed(wait_import(ddb, first["ImportArn"], timeout=120))
    assert len(ddb.list_imports(TableArn=table_arn(name))["ImportSummaryList"]) == 1


def raw_import(srv, body):
    """ImportTable as a raw request (botocore always fills in a ClientToken)."""
    headers = {"X-Amz-Target": "DynamoDB_20120810.ImportTable", "Content-Type": "application/x-amz-json-1.0"}
    status, _, out = signed(srv.endpoint, "dynamodb", json.dumps(body), headers, credentials())
    return status, json.loads(out)


def test_client_token_is_required(server):
    """The model marks ClientToken optional, AWS requires it: ScyllaDB's
    test_client_token_required (run against AWS) sees a ValidationException naming
    clientToken. The exact text is UNCONFIRMED; Coral's null violation is used."""
    name = unique("import-no-token")
    body = {
        "S3BucketSource": {"S3Bucket": unique("no-such-bucket")},
        "InputFormat": "DYNAMODB_JSON",
        "TableCreationParameters": creation_parameters(name),
    }
    status, out = raw_import(server, body)
    assert status == 400
    assert out["__type"].endswith("#ValidationException"), out
    assert out["message"] == (
        "1 validation error detected: Value null at 'clientToken' failed to satisfy constraint: "
        "Member must not be null"
    )
    status, out = raw_import(server, dict(body, ClientToken=str(uuid.uuid4())))
    assert status == 200, out
    assert out["ImportTableDescription"]["ImportStatus"] == "IN_PROGRESS"


@pytest.mark.parametrize("token", ["$", "has$dollar", "$leading", "trailing$", ""])
def test_client_token_pattern(ddb, token):
    """ClientToken's model pattern (no `$`, not empty; botocore 1.43.11 sets no length);
    ScyllaDB's test_client_token_invalid sees each of these refused by AWS."""
    message = error_of(
        lambda: start_import(ddb, unique("bucket"), ClientToken=token), "ValidationException"
    )
    assert message == (
        f"1 validation error detected: Value '{token}' at 'clientToken' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: ^[^\\$]+$"
    )


# --- S3 source validation ---------------------------------------------------------------


def test_source_bucket_and_prefix_lengths(ddb):
    """The model's S3Bucket (max 255, pattern) and S3Prefix (max 1024); ScyllaDB's
    test_import_table_validation (run against AWS) refuses 'x'*256, '-nope!' and a 1025-character
    prefix with a ValidationException naming the member. Texts in Coral's grammar (spec §7.4): a
    member's pattern violation before its length one, as AWS lists them for backupName ''."""
    pattern = "^[a-z0-9A-Z]+[\\.\\-\\w]*[a-z0-9A-Z]+$"
    long_bucket = "x" * 256
    message = error_of(lambda: start_import(ddb, long_bucket), "ValidationException")
    assert message == (
        f"1 validation error detected: Value '{long_bucket}' at 's3BucketSource.s3Bucket' failed to satisfy "
        "constraint: Member must have length less than or equal to 255"
    )
    message = error_of(lambda: start_import(ddb, "-nope!"), "ValidationException")
    assert message == (
        "1 validation error detected: Value '-nope!' at 's3BucketSource.s3Bucket' failed to satisfy "
        f"constraint: Member must satisfy regular expression pattern: {pattern}"
    )
    bad_and_long = "-" + "y" * 300
    message = error_of(lambda: start_import(ddb, bad_and_long), "ValidationException")
    assert message == (
        f"2 validation errors detected: Value '{bad_and_long}' at 's3BucketSource.s3Bucket' failed to satisfy "
        f"constraint: Member must satisfy regular expression pattern: {pattern}; Value '{bad_and_long}' at "
        "'s3BucketSource.s3Bucket' failed to satisfy constraint: Member must have length less than or equal to 255"
    )
    prefix = "p" * 1025
    message = error_of(lambda: start_import(ddb, unique("bucket"), prefix), "ValidationException")
    assert message == (
        f"1 validation error detected: Value '{prefix}' at 's3BucketSource.s3KeyPrefix' failed to satisfy "
        "constraint: Member must have length less than or equal to 1024"
    )
    # At the limits, the request is accepted (and fails later: there is no such bucket).
    d, _ = start_import(ddb, "b" * 255, "p" * 1024)
    assert d["ImportStatus"] == "IN_PROGRESS"


# --- while the import runs --------------------------------------------------------------


def test_description_while_in_progress(server, ddb):
    """While IN_PROGRESS AWS reports the three item counters as zeros and neither EndTime
    nor ProcessedSizeBytes (ScyllaDB's test_import_in_flight and test_import_table_description,
    run against AWS: "every poll of a ten-minute import reported zero", "EndTime is absent until
    the import ends, and ProcessedSizeBytes is absent until it has read something"); the table
    reads CREATING until the import ends (ack-api-quirks DDB-IMPORT-001)."""
    n = 150_000
    body = gzip.compress("".join(json_line(i) for i in json_items(n)).encode())
    bucket, _ = new_bucket(server, objects={"a.json.gz": body, "b.json.gz": body})
    d, name = start_import(ddb, bucket, InputCompressionType="GZIP")
    for member in ("ProcessedItemCount", "ImportedItemCount", "ErrorCount"):
        assert d[member] == 0, member
    for member in ("EndTime", "ProcessedSizeBytes", "FailureCode", "FailureMessage"):
        assert member not in d, member
    seen_creating = False
    while True:
        try:
            status = ddb.describe_table(TableName=name)["Table"]["TableStatus"]
        except ddb.exceptions.ResourceNotFoundException:
            status = None
        polled = ddb.describe_import(ImportArn=d["ImportArn"])["ImportTableDescription"]
        if polled["ImportStatus"] != "IN_PROGRESS":
            break
        # The table turns ACTIVE as the last items land, just before the import reads
        # COMPLETED (on AWS up to ~6 s before, ack-api-quirks DDB-IMPORT-006).
        assert status in (None, "CREATING", "ACTIVE"), status
        seen_creating |= status == "CREATING"
        assert counts(polled) == (0, 0, 0), polled
        assert "EndTime" not in polled and "ProcessedSizeBytes" not in polled, polled
        time.sleep(0.05)
    assert seen_creating, "the import ended before a poll saw its table CREATING"
    assert_completed(polled)
    assert counts(polled) == (2 * n, 2 * n, 0)
    assert polled["ProcessedSizeBytes"] == 2 * len(gzip.decompress(body))
    assert polled["EndTime"] >= polled["StartTime"]
    assert ddb.describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE"


# --- DescribeImport ---------------------------------------------------------------------


def test_describe_import_with_a_table_arn(ddb):
    name = unique("import-none")
    message = error_of(
        lambda: ddb.describe_import(ImportArn=table_arn(name) + "/export/01700000000000-0123abcd"),
        "ValidationException",
    )
    assert message == "Invalid Import ARN"
    message = error_of(lambda: ddb.describe_import(ImportArn=table_arn(name)), "ValidationException")
    assert message == "Invalid Import ARN"


def test_describe_import_unknown(ddb):
    arn = table_arn(unique("import-none")) + "/import/01700000000000-0123abcd"
    error_of(lambda: ddb.describe_import(ImportArn=arn), "ImportNotFoundException")
    # Any id is well formed, AWS's own ids or not ("tampered id suffix", ack-api-quirks
    # DDB-IMPORT-010): not found, not invalid.
    arn = table_arn(unique("import-none")) + "/import/0"
    error_of(lambda: ddb.describe_import(ImportArn=arn), "ImportNotFoundException")
    # Another region's ARN is not found either (DDB-IMPORT-010).
    other_region = arn.replace(f":{REGION}:", ":eu-west-1:")
    error_of(lambda: ddb.describe_import(ImportArn=other_region), "ImportNotFoundException")


def test_describe_import_malformed_arns(server, ddb):
    """ScyllaDB's test_describe_import_malformed_arn (run against AWS): an import ARN whose
    table name is below TableName's 3 characters is a ValidationException about the import
    ARN; ARNs of another account are denied whatever else is wrong with them."""
    arn = f"arn:aws:dynamodb:{REGION}:{SOURCE}:table/x/import/01658528578619-c4d4e311"
    assert error_of(lambda: ddb.describe_import(ImportArn=arn), "ValidationException") == "Invalid Import ARN"
    not_an_arn = f"qwerty:aws:dynamodb:{REGION}:{SOURCE}:table/t-1/import/01658528578619-c4d4e311"
    assert error_of(lambda: ddb.describe_import(ImportArn=not_an_arn), "ValidationException") == "Invalid Import ARN"
    foreign = f"arn:qwerty:dynamodb:{REGION}:000000000000:table/nonexistent_table_xyz"
    assert error_of(lambda: ddb.describe_import(ImportArn=foreign), "AccessDeniedException") == "Access is denied"
    # Shorter than the model's 37 characters: Coral's length message, for a raw request
    # (botocore refuses it before sending).
    headers = {"X-Amz-Target": "DynamoDB_20120810.DescribeImport", "Content-Type": "application/x-amz-json-1.0"}
    status, _, out = signed(server.endpoint, "dynamodb", json.dumps({"ImportArn": "foo"}), headers, credentials())
    assert status == 400
    assert json.loads(out)["message"] == (
        "1 validation error detected: Value 'foo' at 'importArn' failed to satisfy constraint: "
        "Member must have length greater than or equal to 37"
    )


def test_describe_import_of_another_account(server, ddb):
    bucket, _ = new_bucket(server)
    started, name = start_import(ddb, bucket, "nothing/")
    wait_import(ddb, started["ImportArn"])
    other = server.client("dynamodb", "destination")
    error_of(lambda: other.describe_import(ImportArn=started["ImportArn"]), "AccessDeniedException")
    listed = [s["ImportArn"] for s in all_imports(other, PageSize=25)]
    assert started["ImportArn"] not in listed


# --- ListImports -------------------------------------------------------------------------


def all_imports(ddb, **kwargs):
    out, token = [], None
    while True:
        page = ddb.list_imports(**kwargs, **({"NextToken": token} if token else {}))
        out += page["ImportSummaryList"]
        token = page.get("NextToken")
        if not token:
            return out


def test_list_imports_pages_one_table_newest_first_after_deletion(server, ddb):
    bucket, _ = new_bucket(server, objects={"a.json": json_line({"pk": {"S": "a"}})})
    name = unique("import-list")
    arns = []
    for _ in range(3):
        d, _ = run_import(ddb, bucket, params=creation_parameters(name))
        assert_completed(d)
        arns.append(d["ImportArn"])
        ddb.delete_table(TableName=name)
        deadline = time.time() + 10
        while True:
            try:
                ddb.describe_table(TableName=name)
            except ddb.exceptions.ResourceNotFoundException:
                break
            assert time.time() < deadline
            time.sleep(0.1)
        time.sleep(0.01)
    first = ddb.list_imports(TableArn=table_arn(name), PageSize=2)
    assert [s["ImportArn"] for s in first["ImportSummaryList"]] == arns[::-1][:2]
    token = first["NextToken"]
    assert re.fullmatch(r"[0-9a-f]+", token), token
    assert len(token) >= 112 and len(token) % 16 == 0
    second = ddb.list_imports(TableArn=table_arn(name), PageSize=2, NextToken=token)
    assert [s["ImportArn"] for s in second["ImportSummaryList"]] == arns[:1]
    assert "NextToken" not in second
    summary = second["ImportSummaryList"][0]
    assert summary["ImportStatus"] == "COMPLETED"
    assert summary["TableArn"] == table_arn(name)
    assert summary["S3BucketSource"] == {"S3Bucket": bucket, "S3BucketOwner": SOURCE}
    assert summary["CloudWatchLogGroupArn"] == LOG_GROUP
    assert summary["InputFormat"] == "DYNAMODB_JSON"
    assert "EndTime" in summary and "StartTime" in summary


def test_list_imports_newest_first_across_tables(server, ddb):
    bucket, _ = new_bucket(server, objects={"a.json": json_line({"pk": {"S": "a"}})})
    # The older import's table sorts after the newer one's by name.
    older, _ = start_import(ddb, bucket, params=creation_parameters("zz-" + unique("import")))
    time.sleep(0.05)
    newer, _ = start_import(ddb, bucket, params=creation_parameters("aa-" + unique("import")))
    wait_import(ddb, older["ImportArn"])
    wait_import(ddb, newer["ImportArn"])
    listed = all_imports(ddb, PageSize=25)
    arns = [s["ImportArn"] for s in listed]
    assert arns.index(newer["ImportArn"]) < arns.index(older["ImportArn"]), "ListImports must list newest first"
    starts = [s["StartTime"] for s in listed]
    assert starts == sorted(starts, reverse=True)
    # Paging with a small page gives the same sequence.
    assert [s["ImportArn"] for s in all_imports(ddb, PageSize=3)] == arns


def test_list_imports_default_page_size_is_10(server, ddb):
    bucket, _ = new_bucket(server)
    for _ in range(11):
        start_import(ddb, bucket, "nothing/")
    page = ddb.list_imports()
    assert len(page["ImportSummaryList"]) == 10
    assert "NextToken" in page


def test_list_imports_garbage_token(ddb):
    token = "0123456789abcdef" * 8
    message = error_of(lambda: ddb.list_imports(NextToken=token), "ValidationException")
    assert message == f"Invalid Request: Provided nextToken is invalid: {token}"


# --- AWS CLI ------------------------------------------------------------------------------


def test_cli_import_table(server, ddb):
    bucket, _ = new_bucket(server, objects={"cli/a.csv": b"pk,v\nx,1\ny,2\n"})
    name = unique("import-cli")
    params = creation_parameters(name)
    out = server.aws(
        "dynamodb",
        "import-table",
        "--s3-bucket-source",
        f"S3Bucket={bucket},S3KeyPrefix=cli/",
        "--input-format",
        "CSV",
        "--table-creation-parameters",
        json.dumps(params),
    )
    d = json.loads(out.stdout)["ImportTableDescription"]
    assert d["ImportStatus"] == "IN_PROGRESS"
    assert d["TableArn"] == table_arn(name)
    assert d["S3BucketSource"] == {"S3Bucket": bucket, "S3BucketOwner": SOURCE, "S3KeyPrefix": "cli/"}
    assert d["InputCompressionType"] == "NONE"
    assert d["ClientToken"]
    assert isinstance(d["StartTime"], float)
    final = wait_import(ddb, d["ImportArn"])
    assert_completed(final)
    assert counts(final) == (2, 2, 0)
    out = server.aws("dynamodb", "describe-import", "--import-arn", d["ImportArn"])
    assert json.loads(out.stdout)["ImportTableDescription"]["ImportStatus"] == "COMPLETED"


def test_the_table_is_creating_until_the_import_ends(server, ddb):
    """While the import fills it (spec §6.4) the table is CREATING: DescribeTable sees it, item
    operations do not find it and DeleteTable is refused; it turns ACTIVE, with every item, as
    the import ends. 150,000 items keep the import running ~2 s after these checks (debug build)."""
    n = 150_000
    body = gzip.compress("".join(json_line(i) for i in json_items(n)).encode())
    bucket, _ = new_bucket(server, objects={"data.json.gz": body})
    d, name = start_import(ddb, bucket, InputCompressionType="GZIP")
    deadline = time.time() + 30
    while True:
        try:
            table = ddb.describe_table(TableName=name)["Table"]
            break
        except ddb.exceptions.ResourceNotFoundException:
            assert time.time() < deadline, "the import never created its table"
            time.sleep(0.005)
    assert table["TableStatus"] == "CREATING", table
    assert "RestoreSummary" not in table
    message = error_of(
        lambda: ddb.put_item(TableName=name, Item={"pk": {"S": "early"}}), "ResourceNotFoundException"
    )
    assert message == "Requested resource not found"
    error_of(lambda: ddb.delete_table(TableName=name), "ResourceInUseException")
    assert ddb.describe_import(ImportArn=d["ImportArn"])["ImportTableDescription"]["ImportStatus"] == "IN_PROGRESS"

    assert_completed(wait_import(ddb, d["ImportArn"], timeout=120))
    assert ddb.describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE"
    total, kwargs = 0, {"TableName": name, "Select": "COUNT", "ConsistentRead": True}
    while True:
        page = ddb.scan(**kwargs)
        total += page["Count"]
        if "LastEvaluatedKey" not in page:
            break
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    assert total == n
    ddb.put_item(TableName=name, Item={"pk": {"S": "after"}})
