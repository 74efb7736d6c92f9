"""Exports read by independent readers, as the export issue asks: DuckDB reads the gzip'd
DynamoDB JSON data files, Amazon's Ion library (`amazon-ion`) reads the Ion ones, and every
item of every attribute type equals what the table held at ExportTime. The `.md5` files and
each data file's `md5Checksum` are recomputed here too."""

import base64
import decimal
import gzip
import hashlib
import json
import time

import botocore.config
import duckdb
import pytest
from amazon.ion import simpleion

from aws_helpers import unique

SOURCE = "111111111111"

ITEMS = [
    {
        "pk": {"S": "all-types"},
        "s": {"S": "text ünïcødé \"quoted\""},
        "n": {"N": "600"},
        "f": {"N": "-12.75"},
        "tiny": {"N": "1E-130"},
        "b": {"B": b"\x00bytes\xff"},
        "t": {"BOOL": True},
        "z": {"NULL": True},
        "ss": {"SS": ["a", "b"]},
        "ns": {"NS": ["1", "2.5"]},
        "bs": {"BS": [b"x", b"y"]},
        "l": {"L": [{"N": "5"}, {"S": "x"}, {"M": {"deep": {"BOOL": False}}}]},
        "m": {"M": {"k": {"S": "v"}, "n": {"N": "103"}}},
        "odd name": {"S": "quoted field"},
    },
    {"pk": {"S": "plain"}, "n": {"N": "1"}},
]


def wait(ddb, arn):
    deadline = time.time() + 20
    while time.time() < deadline:
        d = ddb.describe_export(ExportArn=arn)["ExportDescription"]
        if d["ExportStatus"] != "IN_PROGRESS":
            return d
        time.sleep(0.1)
    raise AssertionError("export did not finish")


@pytest.fixture(scope="module")
def exported(server):
    """The table, and a completed export of it in each format: (format, data files)."""
    ddb = server.client("dynamodb")
    s3 = server.client(
        "s3", config=botocore.config.Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1})
    )
    table = unique("readers")
    ddb.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    ddb.update_continuous_backups(
        TableName=table, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )
    for item in ITEMS:
        ddb.put_item(TableName=table, Item=item)
    bucket = unique("readers-bucket")
    s3.create_bucket(Bucket=bucket)
    arn = f"arn:aws:dynamodb:us-east-1:{SOURCE}:table/{table}"
    out = {}
    for fmt in ["DYNAMODB_JSON", "ION"]:
        started = ddb.export_table_to_point_in_time(TableArn=arn, S3Bucket=bucket, ExportFormat=fmt)
        d = wait(ddb, started["ExportDescription"]["ExportArn"])
        assert d["ExportStatus"] == "COMPLETED", d
        summary_bytes = s3.get_object(Bucket=bucket, Key=d["ExportManifest"])["Body"].read()
        md5_key = d["ExportManifest"].replace(".json", ".md5")
        md5 = s3.get_object(Bucket=bucket, Key=md5_key)["Body"].read().decode()
        assert md5 == base64.b64encode(hashlib.md5(summary_bytes).digest()).decode()
        summary = json.loads(summary_bytes)
        files_bytes = s3.get_object(Bucket=bucket, Key=summary["manifestFilesS3Key"])["Body"].read()
        files_md5 = s3.get_object(
            Bucket=bucket, Key=summary["manifestFilesS3Key"].replace(".json", ".md5")
        )["Body"].read().decode()
        assert files_md5 == base64.b64encode(hashlib.md5(files_bytes).digest()).decode()
        data = []
        for line in files_bytes.decode().splitlines():
            entry = json.loads(line)
            body = s3.get_object(Bucket=bucket, Key=entry["dataFileS3Key"])["Body"].read()
            assert entry["md5Checksum"] == base64.b64encode(hashlib.md5(body).digest()).decode()
            data.append((entry, body))
        assert summary["itemCount"] == len(ITEMS)
        out[fmt] = data
    return out


def test_duckdb_reads_the_dynamodb_json_export(exported, tmp_path):
    paths = []
    for i, (_, body) in enumerate(exported["DYNAMODB_JSON"]):
        path = tmp_path / f"part-{i}.json.gz"
        path.write_bytes(body)
        paths.append(str(path))
    con = duckdb.connect()
    rows = con.execute(
        "SELECT Item.pk.S AS pk, Item.n.N AS n, Item.m.M.k.S AS mk, Item.l.L[3].M.deep.BOOL AS deep "
        "FROM read_json(?, format='newline_delimited', compression='gzip', union_by_name=true) "
        "ORDER BY pk",
        [paths],
    ).fetchall()
    assert rows == [("all-types", "600", "v", False), ("plain", "1", None, None)]
    # And Python's json module agrees with the table, every type.
    items = [
        json.loads(line)["Item"]
        for _, body in exported["DYNAMODB_JSON"]
        for line in gzip.decompress(body).decode().splitlines()
    ]
    def wire(value):
        """The DynamoDB JSON of a boto3-typed value (binary as base64)."""
        if isinstance(value, bytes):
            return base64.b64encode(value).decode()
        if isinstance(value, dict):
            return {k: wire(v) for k, v in value.items()}
        if isinstance(value, list):
            return [wire(v) for v in value]
        return value

    normalize = lambda item: {k: json.dumps(wire(v), sort_keys=True) for k, v in item.items()}  # noqa: E731
    by_pk = {i["pk"]["S"]: i for i in items}
    for expected in ITEMS:
        got = by_pk[expected["pk"]["S"]]
        for name, value in expected.items():
            if "SS" in value or "NS" in value or "BS" in value:
                (kind, members), = value.items()
                assert sorted(got[name][kind]) == sorted(wire(members)), name
            elif name == "tiny":
                assert decimal.Decimal(got[name]["N"]) == decimal.Decimal(value["N"])
            else:
                assert normalize({name: got[name]}) == normalize({name: value}), name


def test_amazon_ion_reads_the_ion_export(exported):
    values = []
    for _, body in exported["ION"]:
        text = gzip.decompress(body).decode()
        if text:
            values.extend(simpleion.loads(text, single_value=False))
    by_pk = {v["Item"]["pk"]: v["Item"] for v in values}
    assert set(by_pk) == {"all-types", "plain"}
    item = by_pk["all-types"]
    assert item["s"] == 'text ünïcødé "quoted"'
    assert item["n"] == decimal.Decimal("600")
    assert item["f"] == decimal.Decimal("-12.75")
    assert item["tiny"] == decimal.Decimal("1E-130")
    assert bytes(item["b"]) == b"\x00bytes\xff"
    assert bool(item["t"]) is True
    assert item["z"] is None or item["z"].ion_type.name == "NULL"
    assert sorted(item["ss"]) == ["a", "b"] and item["ss"].ion_annotations[0].text == "$dynamodb_SS"
    assert sorted(item["ns"]) == [decimal.Decimal("1"), decimal.Decimal("2.5")]
    assert item["ns"].ion_annotations[0].text == "$dynamodb_NS"
    assert sorted(bytes(b) for b in item["bs"]) == [b"x", b"y"]
    assert item["bs"].ion_annotations[0].text == "$dynamodb_BS"
    assert item["l"][0] == 5 and item["l"][1] == "x" and bool(item["l"][2]["deep"]) is False
    assert item["m"]["k"] == "v" and item["m"]["n"] == decimal.Decimal("103")
    assert item["odd name"] == "quoted field"


def test_an_export_cut_short_by_a_crash_completes_after_the_restart(workdir):
    """SIGKILL right after the export is accepted; the restarted server resumes the job and
    the export completes with every file its manifest names, as of its ExportTime."""
    from conftest import start_server

    data = workdir / "export-crash"
    srv = start_server(data)
    try:
        ddb = srv.client("dynamodb")
        s3 = srv.client("s3", config=botocore.config.Config(s3={"addressing_style": "path"}))
        ddb.create_table(
            TableName="crashy",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        ddb.update_continuous_backups(
            TableName="crashy", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
        )
        for batch in range(80):
            ddb.batch_write_item(
                RequestItems={
                    "crashy": [
                        {"PutRequest": {"Item": {"pk": {"S": f"{batch}-{i}"}, "pad": {"S": "x" * 500}}}}
                        for i in range(25)
                    ]
                }
            )
        s3.create_bucket(Bucket="crash-bucket")
        arn = f"arn:aws:dynamodb:us-east-1:{SOURCE}:table/crashy"
        export = ddb.export_table_to_point_in_time(TableArn=arn, S3Bucket="crash-bucket")
        srv.process.kill()
        srv.process.wait()
    finally:
        srv.stop()
    srv = start_server(data)
    try:
        ddb = srv.client("dynamodb")
        s3 = srv.client("s3", config=botocore.config.Config(s3={"addressing_style": "path"}))
        d = wait(ddb, export["ExportDescription"]["ExportArn"])
        assert d["ExportStatus"] == "COMPLETED", d
        assert d["ItemCount"] == 2000
        summary = json.loads(s3.get_object(Bucket="crash-bucket", Key=d["ExportManifest"])["Body"].read())
        files = s3.get_object(Bucket="crash-bucket", Key=summary["manifestFilesS3Key"])["Body"].read()
        total = 0
        for line in files.decode().splitlines():
            entry = json.loads(line)
            body = s3.get_object(Bucket="crash-bucket", Key=entry["dataFileS3Key"])["Body"].read()
            assert entry["md5Checksum"] == base64.b64encode(hashlib.md5(body).digest()).decode()
            total += len(gzip.decompress(body).splitlines())
        assert total == 2000
    finally:
        srv.stop()
