"""`strata query SOURCE SQL`: SQL over a DynamoDB export, as Athena runs it, in the
`strata-query` companion (DataFusion). The source is a local copy of an export directory
or an `s3://BUCKET/[PREFIX/]AWSDynamoDB/EXPORT_ID/` URL read from the server (every MD5
checked). The table is `items` for a full export and `changes` for an incremental one;
paths are Athena's (`Item.pk.S`, `Item.doc.M.tags.L[3]['M']['x']['BOOL']`); the schema
comes from every record; DynamoDB JSON and Ion exports answer the same SQL identically.
Also `strata import` from an s3:// URL (another account's bucket, --profile) and its
refusal of an incremental export."""

import base64
import csv
import decimal
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import time
from datetime import datetime, timezone
from pathlib import Path

import botocore.config
import pytest

from aws_helpers import unique
from conftest import ACCOUNTS, REGION, ROOT, start_server, strata_bin

SOURCE, DEST = "111111111111", "222222222222"
FORMATS = ["DYNAMODB_JSON", "ION"]


# --- helpers --------------------------------------------------------------------------


def companion_bin():
    """The `strata-query` companion next to the strata binary (built like conftest builds
    strata, when missing and no STRATA_BIN is given)."""
    path = Path(strata_bin()).with_name("strata-query")
    if not path.exists() and not os.environ.get("STRATA_BIN"):
        subprocess.run(["cargo", "build", "-p", "strata-query"], cwd=ROOT, check=True)
    assert path.exists(), f"{path} is missing: run `cargo build -p strata-query`"
    return path


def clean_env(account=None, **extra):
    """The environment without any AWS_ variable; with `account`'s root keys if given."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    if account:
        _, akid, secret = ACCOUNTS[account]
        env.update(AWS_ACCESS_KEY_ID=akid, AWS_SECRET_ACCESS_KEY=secret, AWS_REGION=REGION)
    env.update(extra)
    return env


def strata(*args, env=None, exe=None, cwd=None):
    """Runs the strata CLI; returns the CompletedProcess."""
    return subprocess.run(
        [exe or strata_bin(), *args],
        env=clean_env() if env is None else env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
    )


def query(source, sql, *extra, env=None, exe=None):
    return strata("query", str(source), sql, *extra, env=env, exe=exe)


def ok(out):
    assert out.returncode == 0, f"exit {out.returncode}\nstdout:\n{out.stdout}\nstderr:\n{out.stderr}"
    return out.stdout


def json_rows(source, sql, *extra, env=None):
    text = ok(query(source, sql, "--output", "json", *extra, env=env))
    return [json.loads(line, parse_float=decimal.Decimal) for line in text.splitlines()]


def csv_rows(source, sql, *extra, env=None):
    return list(csv.reader(io.StringIO(ok(query(source, sql, "--output", "csv", *extra, env=env)))))


def failed(out, *needles):
    """`out` is a failure saying each of `needles` on stderr, with nothing on stdout."""
    assert out.returncode != 0, out.stdout
    assert out.stdout == "", out.stdout
    for needle in needles:
        assert needle in out.stderr, f"{needle!r} not in:\n{out.stderr}"
    return out.stderr


def s3_client(srv, account="source"):
    config = botocore.config.Config(
        s3={"addressing_style": "path"},
        retries={"max_attempts": 1},
        request_checksum_calculation="when_required",
    )
    return srv.client("s3", account, config=config)


def new_table(ddb, items, sort_key=False, pitr=True):
    name = unique("query")
    schema = [{"AttributeName": "pk", "KeyType": "HASH"}]
    defs = [{"AttributeName": "pk", "AttributeType": "S"}]
    if sort_key:
        schema.append({"AttributeName": "sk", "KeyType": "RANGE"})
        defs.append({"AttributeName": "sk", "AttributeType": "N"})
    ddb.create_table(TableName=name, KeySchema=schema, AttributeDefinitions=defs, BillingMode="PAY_PER_REQUEST")
    if pitr:
        ddb.update_continuous_backups(
            TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
        )
    items = list(items)
    for start in range(0, len(items), 25):
        ddb.batch_write_item(RequestItems={name: [{"PutRequest": {"Item": i}} for i in items[start : start + 25]]})
    return name


def table_arn(name, account=SOURCE):
    return f"arn:aws:dynamodb:{REGION}:{account}:table/{name}"


def export(ddb, table, bucket, **kwargs):
    """Runs an export to the end; returns its completed description."""
    arn = ddb.export_table_to_point_in_time(TableArn=table_arn(table), S3Bucket=bucket, **kwargs)[
        "ExportDescription"
    ]["ExportArn"]
    deadline = time.time() + 20
    while True:
        d = ddb.describe_export(ExportArn=arn)["ExportDescription"]
        if d["ExportStatus"] != "IN_PROGRESS":
            break
        assert time.time() < deadline, f"export still IN_PROGRESS: {arn}"
        time.sleep(0.1)
    assert d["ExportStatus"] == "COMPLETED", d
    return d


def export_url(bucket, description):
    """The export's s3:// URL, as a user gives it to strata query/import."""
    return f"s3://{bucket}/{description['ExportManifest'].rsplit('/', 1)[0]}/"


def download(s3, bucket, description, into):
    """A local copy of the export directory: manifests, .md5 files and data/ (for an
    incremental export, the data files the manifest names, from AWSDynamoDB/data/)."""
    root = description["ExportManifest"].rsplit("/", 1)[0]
    (into / "data").mkdir(parents=True)
    for name in ["manifest-summary.json", "manifest-summary.md5", "manifest-files.json", "manifest-files.md5"]:
        (into / name).write_bytes(s3.get_object(Bucket=bucket, Key=f"{root}/{name}")["Body"].read())
    for line in (into / "manifest-files.json").read_text().splitlines():
        key = json.loads(line)["dataFileS3Key"]
        (into / "data" / key.rsplit("/", 1)[1]).write_bytes(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    return into


def b64md5(data):
    return base64.b64encode(hashlib.md5(data).digest()).decode()


def wire(value):
    """A boto3 AttributeValue as DynamoDB JSON (binaries base64), sets sorted."""
    ((kind, v),) = value.items()
    if kind == "B":
        return {"B": base64.b64encode(v).decode()}
    if kind == "BS":
        return {"BS": sorted(base64.b64encode(b).decode() for b in v)}
    if kind in ("SS", "NS"):
        return {kind: sorted(v)}
    if kind == "L":
        return {"L": [wire(x) for x in v]}
    if kind == "M":
        return {"M": {k: wire(x) for k, x in v.items()}}
    return {kind: v}


def sort_sets(value):
    """A DynamoDB JSON value from the query's JSON output with its sets sorted."""
    ((kind, v),) = value.items()
    if kind in ("SS", "NS", "BS"):
        return {kind: sorted(v)}
    if kind == "L":
        return {"L": [sort_sets(x) for x in v]}
    if kind == "M":
        return {"M": {k: sort_sets(x) for k, x in v.items()}}
    return {kind: v}


def write_synthetic_export(directory, files, incremental=False):
    """An export directory shaped as AWS writes it (manifests with .md5 files, gzip'd
    DynamoDB JSON data files named by manifest-files.json), from lists of records."""
    export_id = "01700000000000-0123abcd"
    (directory / "data").mkdir(parents=True)
    lines = []
    for i, records in enumerate(files):
        body = gzip.compress("".join(json.dumps(r) + "\n" for r in records).encode())
        name = f"{'abcdefghijklmnopqrstuvwxy'[i]}{'2' * 25}.json.gz"
        (directory / "data" / name).write_bytes(body)
        lines.append(
            json.dumps(
                {
                    "itemCount": len(records),
                    "md5Checksum": b64md5(body),
                    "etag": hashlib.md5(body).hexdigest(),
                    "dataFileS3Key": f"AWSDynamoDB/{export_id}/data/{name}",
                }
            )
            + "\n"
        )
    manifest_files = "".join(lines).encode()
    (directory / "manifest-files.json").write_bytes(manifest_files)
    (directory / "manifest-files.md5").write_text(b64md5(manifest_files))
    summary = {
        "version": "2023-08-01" if incremental else "2020-06-30",
        "exportArn": f"arn:aws:dynamodb:{REGION}:{SOURCE}:table/t/export/{export_id}",
        "startTime": "2023-11-14T22:13:20.000Z",
        "endTime": "2023-11-14T22:15:00.000Z",
        "tableArn": f"arn:aws:dynamodb:{REGION}:{SOURCE}:table/t",
        "tableId": "00000000-0000-0000-0000-000000000000",
        "exportTime": "2023-11-14T22:13:20.000Z",
        "s3Bucket": "b",
        "s3Prefix": None,
        "s3SseAlgorithm": "AES256",
        "s3SseKmsKeyId": None,
        "manifestFilesS3Key": f"AWSDynamoDB/{export_id}/manifest-files.json",
        "billedSizeBytes": 0,
        "itemCount": sum(len(f) for f in files),
        "outputFormat": "DYNAMODB_JSON",
    }
    if incremental:
        summary["exportType"] = "INCREMENTAL_EXPORT"
    summary_bytes = json.dumps(summary).encode()
    (directory / "manifest-summary.json").write_bytes(summary_bytes)
    (directory / "manifest-summary.md5").write_text(b64md5(summary_bytes))
    return directory


# --- a full export in both formats ------------------------------------------------------

ORDERS = [
    {
        "pk": {"S": "o1"},
        "status": {"S": "paid"},
        "total": {"N": "10.50"},
        "doc": {
            "M": {
                "name": {"S": "first"},
                "tags": {"L": [{"S": "a"}, {"N": "2"}, {"M": {"x": {"BOOL": True}}}]},
                "inner": {"M": {"n": {"N": "2000"}}},
            }
        },
        "nul": {"NULL": True},
        "b": {"B": b"\x00bin\xff"},
        "ss": {"SS": ["red", "blue"]},
        "ns": {"NS": ["1", "2.5"]},
        "bs": {"BS": [b"x", b"y"]},
        "Name": {"S": "upper"},
        "name": {"S": "lower"},
        "odd name": {"S": "with a space"},
        "text": {"S": 'ünïcødé, "quoted"\nand a new line'},
        "empty_m": {"M": {}},
        "empty_l": {"L": []},
    },
    {"pk": {"S": "o2"}, "status": {"S": "paid"}, "total": {"N": "20.25"}, "doc": {"M": {"tags": {"L": []}}}},
    {"pk": {"S": "o3"}, "status": {"S": "open"}, "total": {"N": "5"}, "tiny": {"N": "1E-130"}},
    {"pk": {"S": "o4"}, "status": {"S": "refunded"}, "total": {"N": "-3"}, "big": {"N": "1E+125"}},
    {
        "pk": {"S": "o5"},
        "status": {"S": "open"},
        "total": {"N": "100"},
        # The same attribute with another type, and a list of mixed elements.
        "Name": {"N": "7"},
        "doc": {"M": {"tags": {"L": [{"NULL": True}, {"B": b"xy"}, {"L": [{"N": "1"}]}]}}},
    },
]


@pytest.fixture(scope="module")
def orders(server, tmp_path_factory):
    """The ORDERS table exported in each format under a prefix with a space and a plus:
    {format: (s3 URL, local copy)}, and the table's items as scanned."""
    ddb = server.client("dynamodb")
    s3 = s3_client(server)
    table = new_table(ddb, ORDERS)
    bucket = unique("query-bucket")
    s3.create_bucket(Bucket=bucket)
    out = {}
    for fmt in FORMATS:
        d = export(ddb, table, bucket, ExportFormat=fmt, S3Prefix="query exports/a+b")
        local = download(s3, bucket, d, tmp_path_factory.mktemp(f"orders-{fmt}") / "export")
        out[fmt] = (export_url(bucket, d), local)
    scanned = ddb.scan(TableName=table, ConsistentRead=True)["Items"]
    return out, scanned


@pytest.fixture(params=FORMATS)
def orders_dir(request, orders):
    return orders[0][request.param][1]


@pytest.fixture
def json_dir(orders):
    """The DYNAMODB_JSON copy only, for tests about the command rather than the data."""
    return orders[0]["DYNAMODB_JSON"][1]


def test_athena_paths_answer_from_a_local_export(orders_dir):
    rows = json_rows(
        orders_dir,
        "SELECT Item.pk.S, Item.status.S AS status, CAST(Item.total.N AS DECIMAL(10, 2)) AS total, "
        "Item.doc.M.name.S AS name, Item.doc.M.tags.L AS tags, "
        "Item.doc.M.tags.L[3]['M']['x']['BOOL'] AS x, Item.doc.M.tags.L[1]['S'] AS first_tag, "
        "Item.doc.M.inner.M.n.N AS inner_n, Item.nul.\"NULL\" AS nul, Item.b.B AS b, Item.ss.SS AS ss, "
        "Item.\"Name\".S AS upper_name, Item.\"Name\".N AS name_n, Item.name.S AS lower_name, "
        "Item.\"odd name\".S AS odd, Item.text.S AS text, Item.tiny.N AS tiny "
        "FROM items WHERE Item.pk.S IN ('o1', 'o5') ORDER BY Item.pk.S",
    )
    o1, o5 = rows
    assert o1["Item.pk.S"] == "o1", "a column reads as the path written"
    assert o1["status"] == "paid"
    assert o1["total"] == decimal.Decimal("10.50")
    assert o1["name"] == "first"
    assert o1["tags"] == [{"S": "a"}, {"N": "2"}, {"M": {"x": {"BOOL": True}}}]
    assert o1["x"] is True
    assert o1["first_tag"] == "a"
    assert o1["inner_n"] == "2000"
    assert o1["nul"] is True
    assert base64.b64decode(o1["b"]) == b"\x00bin\xff"
    assert sorted(o1["ss"]) == ["blue", "red"]
    assert (o1["upper_name"], o1["lower_name"]) == ("upper", "lower"), "attribute names are case-sensitive"
    assert "name_n" not in o1
    assert o1["odd"] == "with a space"
    assert o1["text"] == 'ünïcødé, "quoted"\nand a new line'
    # o5: Name is a number there; its tags list holds a NULL, a binary and a list.
    assert o5["Item.pk.S"] == "o5"
    assert o5["name_n"] == "7" and "upper_name" not in o5
    assert o5["tags"] == [{"NULL": True}, {"B": base64.b64encode(b"xy").decode()}, {"L": [{"N": "1"}]}]
    assert "x" not in o5 and "first_tag" not in o5


def test_numbers_are_strings_as_in_the_file_and_cast_for_arithmetic(orders_dir):
    rows = csv_rows(
        orders_dir,
        "SELECT Item.status.S AS status, COUNT(*) AS n, SUM(CAST(Item.total.N AS DECIMAL(10, 2))) AS total, "
        "MAX(CAST(Item.total.N AS DOUBLE)) AS top FROM items GROUP BY Item.status.S ORDER BY status",
    )
    assert rows == [
        ["status", "n", "total", "top"],
        ["open", "2", "105.00", "100.0"],
        ["paid", "2", "30.75", "20.25"],
        ["refunded", "1", "-3.00", "-3.0"],
    ]
    # As strings, '5' sorts after '20.25': the file's text, not a number.
    (row,) = json_rows(orders_dir, "SELECT MAX(Item.total.N) AS m, COUNT(Item.tiny.N) AS tiny FROM items")
    assert row == {"m": "5", "tiny": 1}
    (row,) = json_rows(orders_dir, "SELECT CAST(Item.big.N AS DOUBLE) AS big FROM items WHERE Item.big.N IS NOT NULL")
    assert row["big"] == decimal.Decimal("1E+125")


def test_sets_and_lists_work_with_array_functions(orders_dir):
    rows = csv_rows(
        orders_dir,
        "SELECT Item.pk.S AS pk, unnest(Item.ss.SS) AS colour FROM items ORDER BY colour",
    )
    assert rows == [["pk", "colour"], ["o1", "blue"], ["o1", "red"]]
    rows = csv_rows(
        orders_dir,
        "SELECT Item.pk.S AS pk, array_length(Item.doc.M.tags.L) AS tags, cardinality(Item.ns.NS) AS ns "
        "FROM items WHERE Item.doc IS NOT NULL ORDER BY pk",
    )
    assert rows == [["pk", "tags", "ns"], ["o1", "3", "2"], ["o2", "0", ""], ["o5", "3", ""]]


def test_select_star_gives_back_every_item_in_both_formats(orders):
    """`SELECT *` as JSON lines is the table's items in DynamoDB JSON, whatever the
    export's format: every type, empty maps and lists, binaries as base64."""
    exports, scanned = orders
    outputs = {}
    for fmt in FORMATS:
        text = ok(query(exports[fmt][1], "SELECT * FROM items ORDER BY Item.pk.S", "--output", "json"))
        outputs[fmt] = text
    assert outputs["DYNAMODB_JSON"] == outputs["ION"], "both formats answer identically"
    got = [json.loads(line) for line in outputs["DYNAMODB_JSON"].splitlines()]
    assert all(list(row) == ["Item"] for row in got)
    expected = sorted(({k: wire(v) for k, v in item.items()} for item in scanned), key=lambda i: i["pk"]["S"])
    assert [{k: sort_sets(v) for k, v in row["Item"].items()} for row in got] == expected


SAME_ANSWERS = [
    "SELECT Item.pk.S, Item.total.N, Item.b.B, Item.tiny.N, Item.big.N FROM items ORDER BY Item.pk.S",
    "SELECT Item.status.S, COUNT(*) AS n FROM items GROUP BY Item.status.S ORDER BY n DESC, Item.status.S",
    "SELECT Item.pk.S FROM items WHERE array_has(Item.ss.SS, 'red') OR Item.nul.\"NULL\"",
    "SELECT Item.pk.S, Item.text.S FROM items WHERE Item.text.S LIKE '%quoted%'",
]
NESTED = "SELECT Item.pk.S, Item.doc.M.tags.L[2] AS second, Item.bs.BS AS bs FROM items ORDER BY Item.pk.S"


@pytest.mark.parametrize(
    "sql, output",
    [(sql, output) for sql in SAME_ANSWERS for output in ["table", "csv", "json"]]
    + [(NESTED, "table"), (NESTED, "json")],
)
def test_dynamodb_json_and_ion_exports_answer_the_same(orders, sql, output):
    exports, _ = orders
    answers = {fmt: ok(query(exports[fmt][1], sql, "--output", output)) for fmt in FORMATS}
    assert answers["DYNAMODB_JSON"] == answers["ION"]
    assert answers["ION"].strip()


def test_table_output_is_aligned(orders_dir):
    text = ok(query(orders_dir, "SELECT Item.pk.S, Item.status.S AS status FROM items ORDER BY Item.pk.S"))
    lines = text.strip("\n").splitlines()
    assert len({len(line) for line in lines}) == 1, text
    cells = [[c.strip() for c in line.strip("|").split("|")] for line in lines if line.startswith("|")]
    assert cells == [
        ["Item.pk.S", "status"],
        ["o1", "paid"],
        ["o2", "paid"],
        ["o3", "open"],
        ["o4", "refunded"],
        ["o5", "open"],
    ]


def test_csv_output_quotes_what_needs_quoting(orders_dir):
    rows = csv_rows(orders_dir, "SELECT Item.pk.S, Item.text.S, Item.nul.\"NULL\" AS nul FROM items ORDER BY 1")
    assert rows[0] == ["Item.pk.S", "Item.text.S", "nul"]
    assert rows[1] == ["o1", 'ünïcødé, "quoted"\nand a new line', "true"]
    assert rows[2] == ["o2", "", ""]
    assert len(rows) == 6


def test_an_empty_result_still_has_its_header(json_dir):
    sql = "SELECT Item.pk.S AS pk, Item.total.N AS total FROM items WHERE Item.pk.S = 'none'"
    assert ok(query(json_dir, sql, "--output", "csv")) == "pk,total\n"
    assert "| pk | total |" in ok(query(json_dir, sql))


def test_csv_refuses_a_nested_column_and_points_to_json(orders_dir):
    out = query(orders_dir, "SELECT Item.pk.S, Item.doc FROM items", "--output", "csv")
    failed(out, "Item.doc", "--output json")
    out = query(orders_dir, "SELECT Item.ss.SS AS colours FROM items", "--output", "csv")
    failed(out, "colours", "--output json")


@pytest.mark.parametrize(
    "sql, needle",
    [
        ("SELECT Item.nosuch.S FROM items", "nosuch"),
        ("SELECT Item.pk.X FROM items", "X"),
        ("SELECT nosuch FROM items", "nosuch"),
        ("SELEC Item.pk.S FROM items", "SELEC"),
        ("SELECT Item.pk.S FROM", "strata query"),
        ("SELECT * FROM changes", "changes"),
        ("SELECT Item.pk.S FROM items; SELECT 1", "single SQL statement"),
    ],
)
def test_unknown_columns_and_bad_sql_fail_on_stderr(orders_dir, sql, needle):
    failed(query(orders_dir, sql), needle)


def test_bad_arguments_and_sources(tmp_path, json_dir):
    out = query(json_dir, "SELECT 1", "--output", "xml")
    assert out.returncode == 2 and "xml" in out.stderr
    failed(query(tmp_path / "nowhere", "SELECT 1"), "manifest-summary.json")
    # A local copy is MD5-checked too.
    damaged = tmp_path / "damaged"
    shutil.copytree(json_dir, damaged)
    data = sorted((damaged / "data").iterdir())[-1]
    data.write_bytes(data.read_bytes() + b"\0")
    failed(query(damaged, "SELECT COUNT(*) FROM items"), f"data/{data.name}", "md5Checksum")
    missing = tmp_path / "missing"
    shutil.copytree(json_dir, missing)
    data = sorted((missing / "data").iterdir())[0]
    data.unlink()
    failed(query(missing, "SELECT COUNT(*) FROM items"), data.name)


def test_an_empty_table_exports_to_an_empty_items_table(server, tmp_path):
    ddb = server.client("dynamodb")
    s3 = s3_client(server)
    table = new_table(ddb, [])
    bucket = unique("query-empty")
    s3.create_bucket(Bucket=bucket)
    for fmt in FORMATS:
        d = export(ddb, table, bucket, ExportFormat=fmt)
        local = download(s3, bucket, d, tmp_path / fmt)
        assert csv_rows(local, "SELECT COUNT(*) AS n FROM items") == [["n"], ["0"]]


# --- the schema comes from every record -----------------------------------------------


@pytest.fixture(scope="module")
def many(server, tmp_path_factory):
    """3000 plain items and one more with attributes no other item has, exported in each
    format: {format: local copy}."""
    ddb = server.client("dynamodb")
    s3 = s3_client(server)
    items = [{"pk": {"S": f"k{i:04d}"}, "n": {"N": str(i)}} for i in range(3000)]
    table = new_table(ddb, items)
    ddb.put_item(
        TableName=table,
        Item={
            "pk": {"S": "zz-late"},
            "n": {"N": "1"},
            "late": {"M": {"deep": {"L": [{"S": "x"}, {"M": {"flag": {"BOOL": True}}}]}}},
            "rare": {"SS": ["only", "here"]},
        },
    )
    bucket = unique("query-many")
    s3.create_bucket(Bucket=bucket)
    out = {}
    for fmt in FORMATS:
        d = export(ddb, table, bucket, ExportFormat=fmt)
        assert d["ItemCount"] == 3001
        out[fmt] = download(s3, bucket, d, tmp_path_factory.mktemp(f"many-{fmt}") / "export")
    return out


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_attribute_of_one_item_in_3001_is_a_column(many, fmt):
    rows = json_rows(
        many[fmt],
        "SELECT Item.pk.S AS pk, Item.late.M.deep.L[2]['M']['flag']['BOOL'] AS flag, "
        "Item.late.M.deep.L[1]['S'] AS first, Item.rare.SS AS rare FROM items WHERE Item.late IS NOT NULL",
    )
    assert len(rows) == 1
    assert rows[0]["pk"] == "zz-late" and rows[0]["flag"] is True and rows[0]["first"] == "x"
    assert sorted(rows[0]["rare"]) == ["here", "only"]
    assert csv_rows(
        many[fmt], "SELECT COUNT(*) AS n, SUM(CAST(Item.n.N AS BIGINT)) AS s, COUNT(Item.rare) AS r FROM items"
    ) == [["n", "s", "r"], ["3001", str(sum(range(3000)) + 1), "1"]]


def test_the_schema_reads_to_the_last_record_of_the_last_file(tmp_path):
    """An export shaped as AWS writes it (an empty data file, then 3000 and 17000 records):
    attributes and a type first seen in the very last record are columns, and the rows
    span several batches."""
    plain = lambda lo, hi: [{"Item": {"pk": {"S": f"k{i}"}, "v": {"N": str(i)}}} for i in range(lo, hi)]  # noqa: E731
    last = {
        "Item": {
            "pk": {"S": "last"},
            "v": {"S": "now a string"},
            "late": {"M": {"tags": {"L": [{"N": "1"}, {"M": {"x": {"BOOL": False}}}]}}},
        }
    }
    directory = write_synthetic_export(tmp_path / "export", [[], plain(0, 3000), plain(3000, 20000) + [last]])
    rows = json_rows(
        directory,
        "SELECT Item.pk.S AS pk, Item.v.S AS v, Item.late.M.tags.L[2]['M']['x']['BOOL'] AS x, "
        "Item.late.M.tags.L[1]['N'] AS n FROM items WHERE Item.late IS NOT NULL OR Item.v.S IS NOT NULL",
    )
    assert rows == [{"pk": "last", "v": "now a string", "x": False, "n": "1"}]
    assert csv_rows(
        directory, "SELECT COUNT(*) AS n, COUNT(Item.v.N) AS nums, SUM(CAST(Item.v.N AS BIGINT)) AS s FROM items"
    ) == [["n", "nums", "s"], ["20001", "20000", str(sum(range(20000)))]]
    assert csv_rows(directory, "SELECT Item.pk.S AS pk FROM items WHERE Item.pk.S LIKE 'k1999_' ORDER BY pk LIMIT 3") == [
        ["pk"],
        ["k19990"],
        ["k19991"],
        ["k19992"],
    ]


def test_a_record_that_is_not_dynamodb_json_is_named(tmp_path):
    directory = write_synthetic_export(
        tmp_path / "export", [[{"Item": {"pk": {"S": "a"}}}, {"Item": {"pk": {"X": "b"}}}]]
    )
    failed(query(directory, "SELECT COUNT(*) FROM items"), "line 2", '"X"')


# --- s3:// sources --------------------------------------------------------------------


def test_an_s3_url_answers_as_the_local_copy(server, orders, tmp_path):
    """Endpoint from AWS_ENDPOINT_URL or --endpoint; the download goes to a temporary
    directory that is removed afterwards."""
    exports, _ = orders
    sql = "SELECT Item.pk.S, Item.total.N, Item.doc.M.tags.L[3]['M']['x']['BOOL'] AS x FROM items ORDER BY 1"
    for fmt in FORMATS:
        url, local = exports[fmt]
        assert " " in url and "+" in url
        expected = ok(query(local, sql, "--output", "json"))
        tmp = tmp_path / fmt
        tmp.mkdir()
        env = clean_env("source", AWS_ENDPOINT_URL=server.endpoint, TMPDIR=str(tmp))
        assert ok(query(url, sql, "--output", "json", env=env)) == expected
        env = clean_env("source", TMPDIR=str(tmp))
        assert ok(query(url.rstrip("/"), sql, "--output", "json", "--endpoint", server.endpoint, env=env)) == expected
        assert list(tmp.iterdir()) == [], "the download is removed"


def test_s3_url_errors(server, orders):
    exports, _ = orders
    url = exports["DYNAMODB_JSON"][0]
    env = clean_env("source", AWS_ENDPOINT_URL=server.endpoint)
    failed(query("s3://just-a-bucket", "SELECT 1", env=env), "expected s3://BUCKET/[PREFIX/]AWSDynamoDB/EXPORT_ID/")
    missing = re.sub(r"AWSDynamoDB/[^/]+/", "AWSDynamoDB/01700000000000-0badbeef/", url)
    failed(query(missing, "SELECT 1", env=env), "manifest-summary.json", "NoSuchKey")
    failed(query(url, "SELECT 1", env=clean_env("destination", AWS_ENDPOINT_URL=server.endpoint)), "AccessDenied")
    failed(query(url, "SELECT 1", env=clean_env(AWS_ENDPOINT_URL=server.endpoint, HOME="/nonexistent")), "no credentials")
    env = clean_env("source", AWS_ENDPOINT_URL=server.endpoint, HOME="/nonexistent")
    failed(query(url, "SELECT 1", "--profile", "nobody", env=env), "nobody")


def test_a_tampered_object_in_the_bucket_fails_the_md5_check(server, tmp_path):
    ddb = server.client("dynamodb")
    s3 = s3_client(server)
    table = new_table(ddb, ORDERS)
    bucket = unique("query-tamper")
    s3.create_bucket(Bucket=bucket)
    d = export(ddb, table, bucket)
    url = export_url(bucket, d)
    env = clean_env("source", AWS_ENDPOINT_URL=server.endpoint, TMPDIR=str(tmp_path))
    assert csv_rows(url, "SELECT COUNT(*) AS n FROM items", env=env) == [["n"], ["5"]]

    files_key = d["ExportManifest"].replace("manifest-summary.json", "manifest-files.json")
    entries = [json.loads(line) for line in s3.get_object(Bucket=bucket, Key=files_key)["Body"].read().splitlines()]
    victim = next(e for e in entries if e["itemCount"] > 0)["dataFileS3Key"]
    body = gzip.decompress(s3.get_object(Bucket=bucket, Key=victim)["Body"].read())
    s3.put_object(Bucket=bucket, Key=victim, Body=gzip.compress(body.replace(b'"o', b'"X')))
    err = failed(query(url, "SELECT COUNT(*) FROM items", env=env), victim, "md5Checksum")
    assert "does not match" in err
    assert list(tmp_path.iterdir()) == [], "a refused download is removed"

    s3.put_object(Bucket=bucket, Key=files_key, Body=b"{}\n")
    failed(query(url, "SELECT COUNT(*) FROM items", env=env), "manifest-files.json", ".md5")
    assert list(tmp_path.iterdir()) == []


def test_a_failed_query_over_an_s3_url_leaves_no_download_behind(server, orders, tmp_path):
    url = orders[0]["DYNAMODB_JSON"][0]
    env = clean_env("source", AWS_ENDPOINT_URL=server.endpoint, TMPDIR=str(tmp_path))
    failed(query(url, "SELECT Item.nosuch.S FROM items", env=env), "nosuch")
    assert list(tmp_path.iterdir()) == [], "the download is removed"


# --- the companion --------------------------------------------------------------------


def test_without_the_companion_strata_query_says_how_to_build_it(tmp_path, json_dir):
    alone = tmp_path / "bin" / "strata"
    alone.parent.mkdir()
    try:
        os.link(strata_bin(), alone)
    except OSError:
        shutil.copy2(strata_bin(), alone)
    env = clean_env(PATH="/usr/bin:/bin")
    assert shutil.which("strata-query", path=env["PATH"]) is None
    out = query(json_dir, "SELECT COUNT(*) FROM items", exe=str(alone), env=env)
    failed(out, "cargo build --release -p strata-query")
    # On PATH instead of beside strata, it is found.
    on_path = tmp_path / "path"
    on_path.mkdir()
    (on_path / "strata-query").symlink_to(companion_bin())
    env = clean_env(PATH=f"{on_path}:/usr/bin:/bin")
    out = query(json_dir, "SELECT COUNT(*) AS n FROM items", "--output", "csv", exe=str(alone), env=env)
    assert ok(out) == "n\n5\n"


def test_the_companion_runs_alone_on_a_directory(json_dir):
    out = subprocess.run(
        [str(companion_bin()), str(json_dir), "SELECT COUNT(*) AS n FROM items", "--output", "csv"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ok(out) == "n\n5\n"


def test_sql_starting_with_a_comment(json_dir):
    out = strata("query", "--output", "csv", "--", str(json_dir), "-- how many?\nSELECT COUNT(*) AS n FROM items")
    assert ok(out) == "n\n5\n"


# --- column names ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def odd_names(tmp_path_factory):
    directory = tmp_path_factory.mktemp("names") / "export"
    return write_synthetic_export(
        directory,
        [
            [
                {
                    "Item": {
                        "pk": {"S": "a"},
                        "items": {"L": [{"M": {"sku": {"S": "s1"}}}]},
                        "items.count": {"N": "1"},
                        "count": {"N": "2"},
                    }
                }
            ]
        ],
    )


def test_column_names_read_as_written(odd_names):
    (row,) = json_rows(odd_names, "SELECT Item.pk.S, Item.items.L, Item.count.N, upper(Item.pk.S) FROM items")
    assert row == {
        "Item.pk.S": "a",
        "Item.items.L": [{"M": {"sku": {"S": "s1"}}}],
        "Item.count.N": "2",
        "upper(Item.pk.S)": "A",
    }


def test_an_indexed_path_is_named_without_the_literal_type(odd_names):
    text = ok(query(odd_names, "SELECT Item.items.L[1]['M']['sku']['S'] FROM items", "--output", "json"))
    (name,) = json.loads(text)
    assert "Int64" not in name
    assert name in {
        "Item.items.L[1].M.sku.S",
        "Item.items.L[1]['M']['sku']['S']",
        "Item.items.L.1.M.sku.S",
    }, name


def test_an_attribute_named_like_the_table_keeps_its_name(odd_names):
    text = ok(query(odd_names, 'SELECT Item."items.count".N, Item.count.N FROM items', "--output", "json"))
    pairs = json.loads(text, object_pairs_hook=lambda p: p)
    names = [name for name, _ in pairs]
    assert len(set(names)) == 2, names
    assert dict(pairs)["Item.count.N"] == "2"


# --- incremental exports: the `changes` table -----------------------------------------


@pytest.fixture(scope="module")
def clock_server(workdir):
    """A server of this module's own: incremental exports need its clock moved."""
    s = start_server(workdir / "strata-query-clock")
    yield s
    s.stop()


def server_now(srv):
    """The server clock, truncated to a whole second."""
    text = json.loads(srv.get("/_strata/clock"))["now"]
    return datetime.fromisoformat(text[:19] + "+00:00").astimezone(timezone.utc)


@pytest.fixture(scope="module")
def incremental(clock_server, tmp_path_factory):
    """Changes to a table (created, updated with a new attribute, deleted) exported
    incrementally in each format: {format: (s3 URL, local copy)}."""
    srv = clock_server
    ddb = srv.client("dynamodb")
    s3 = s3_client(srv)
    table = new_table(ddb, [{"pk": {"S": k}, "v": {"N": "1"}} for k in ("kept", "updated", "deleted")])
    srv.advance_clock(1200)
    from_time = server_now(srv)
    time.sleep(1.05)
    ddb.put_item(TableName=table, Item={"pk": {"S": "created"}, "v": {"N": "5"}})
    ddb.put_item(TableName=table, Item={"pk": {"S": "updated"}, "v": {"N": "2"}, "extra": {"M": {"a": {"S": "x"}}}})
    ddb.delete_item(TableName=table, Key={"pk": {"S": "deleted"}})
    srv.advance_clock(960)
    to_time = server_now(srv)
    bucket = unique("query-changes")
    s3.create_bucket(Bucket=bucket)
    out = {}
    for fmt in FORMATS:
        d = export(
            ddb,
            table,
            bucket,
            ExportFormat=fmt,
            S3Prefix="inc",
            ExportType="INCREMENTAL_EXPORT",
            IncrementalExportSpecification={
                "ExportFromTime": from_time,
                "ExportToTime": to_time,
                "ExportViewType": "NEW_AND_OLD_IMAGES",
            },
        )
        assert d["ItemCount"] == 3
        local = download(s3, bucket, d, tmp_path_factory.mktemp(f"changes-{fmt}") / "export")
        out[fmt] = (export_url(bucket, d), local)
    return out


CHANGES_SQL = (
    "SELECT Keys.pk.S AS pk, OldImage.v.N AS old, NewImage.v.N AS new, NewImage.extra.M.a.S AS extra, "
    "OldImage IS NULL AS created, NewImage IS NULL AS deleted, "
    "CAST(Metadata.WriteTimestampMicros.N AS BIGINT) > 0 AS stamped FROM changes ORDER BY pk"
)


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_incremental_export_is_the_changes_table(clock_server, incremental, fmt):
    url, local = incremental[fmt]
    expected = [
        {"pk": "created", "new": "5", "created": True, "deleted": False, "stamped": True},
        {"pk": "deleted", "old": "1", "created": False, "deleted": True, "stamped": True},
        {"pk": "updated", "old": "1", "new": "2", "extra": "x", "created": False, "deleted": False, "stamped": True},
    ]
    assert json_rows(local, CHANGES_SQL) == expected
    env = clean_env("source", AWS_ENDPOINT_URL=clock_server.endpoint)
    assert json_rows(url, CHANGES_SQL, env=env) == expected
    rows = json_rows(local, "SELECT * FROM changes ORDER BY Keys.pk.S")
    assert [list(r) for r in rows] == [
        ["Metadata", "Keys", "NewImage"],
        ["Metadata", "Keys", "OldImage"],
        ["Metadata", "Keys", "OldImage", "NewImage"],
    ]
    assert rows[2]["NewImage"] == {"extra": {"M": {"a": {"S": "x"}}}, "pk": {"S": "updated"}, "v": {"N": "2"}}
    failed(query(local, "SELECT COUNT(*) FROM items"), "items")


def test_incremental_formats_answer_the_same(incremental):
    answers = {fmt: ok(query(incremental[fmt][1], CHANGES_SQL)) for fmt in FORMATS}
    assert answers["DYNAMODB_JSON"] == answers["ION"]


def test_import_refuses_an_incremental_export_url(clock_server, incremental):
    target = unique("query-inc-copy")
    env = clean_env("source", AWS_ENDPOINT_URL=clock_server.endpoint)
    out = strata("import", incremental["DYNAMODB_JSON"][0], "--table", target, "--partition-key", "pk:S", env=env)
    failed(out, "incremental export")
    assert target not in clock_server.client("dynamodb").list_tables()["TableNames"]


# --- strata import from s3:// ---------------------------------------------------------


def test_import_round_trip_from_another_accounts_bucket(server, tmp_path):
    """A table of `source` exported into a bucket of `destination` (222222222222); the
    s3:// URL loads it into a new table of `destination` with --profile (endpoint from the
    profile, as `strata credentials --format aws-config` writes it), and into one of
    `source` once the bucket policy lets it read the objects."""
    ddb = server.client("dynamodb")
    dest_s3 = s3_client(server, "destination")
    items = [
        {"pk": {"S": f"p{i % 4}"}, "sk": {"N": str(i)}, "tags": {"SS": ["a", f"t{i}"]}, "b": {"B": bytes([i])}}
        for i in range(40)
    ] + [{"pk": {"S": "every"}, "sk": {"N": "-1.5"}, **{k: v for k, v in ORDERS[0].items() if k != "pk"}}]
    table = new_table(ddb, items, sort_key=True)
    bucket = unique("query-dest")
    dest_s3.create_bucket(Bucket=bucket)
    write_policy = {
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{SOURCE}:root"},
        "Action": ["s3:PutObject", "s3:PutObjectAcl"],
        "Resource": f"arn:aws:s3:::{bucket}/*",
    }
    dest_s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [write_policy]}))
    d = export(ddb, table, bucket, S3BucketOwner=DEST, S3Prefix="from-source", ExportFormat="ION")
    url = export_url(bucket, d)
    canon = lambda rows: sorted(json.dumps({k: wire(v) for k, v in r.items()}, sort_keys=True) for r in rows)  # noqa: E731
    expected = canon(ddb.scan(TableName=table, ConsistentRead=True)["Items"])
    assert len(expected) == 41

    # As destination, by profile.
    profile = strata("credentials", "destination", "--format", "aws-config", "--data-dir", str(server.data_dir))
    config = tmp_path / "config"
    config.write_text(ok(profile))
    assert f"endpoint_url = {server.endpoint}" in config.read_text()
    env = clean_env(AWS_CONFIG_FILE=str(config), AWS_SHARED_CREDENTIALS_FILE="/dev/null", HOME=str(tmp_path))
    target = unique("query-copy")
    out = strata(
        "import", url, "--table", target, "--partition-key", "pk:S", "--sort-key", "sk:N", "--profile", "destination",
        env=env,
    )
    assert "Loaded 41 items into" in ok(out)
    dest_ddb = server.client("dynamodb", "destination")
    assert canon(dest_ddb.scan(TableName=target, ConsistentRead=True)["Items"]) == expected
    assert target not in ddb.list_tables()["TableNames"], "the table is the profile's account's"
    rows = csv_rows(url, "SELECT COUNT(*) AS n FROM items", "--profile", "destination", env=env)
    assert rows == [["n"], ["41"]]

    # As source: refused until the bucket policy lets it read; nothing is created meanwhile.
    env = clean_env("source", AWS_ENDPOINT_URL=server.endpoint)
    target = unique("query-copy")
    out = strata("import", url, "--table", target, "--partition-key", "pk:S", "--sort-key", "sk:N", env=env)
    failed(out, "AccessDenied")
    assert target not in ddb.list_tables()["TableNames"]
    read_policy = {**write_policy, "Action": "s3:GetObject"}
    dest_s3.put_bucket_policy(
        Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [write_policy, read_policy]})
    )
    out = strata("import", url, "--table", target, "--partition-key", "pk:S", "--sort-key", "sk:N", env=env)
    assert "Loaded 41 items into" in ok(out)
    assert canon(ddb.scan(TableName=target, ConsistentRead=True)["Items"]) == expected
