"""DuckDB reads a DynamoDB export straight from strata's S3 over its httpfs extension, as the
bucket's account: a table of the source account exported into a bucket of the destination
account, then globbed, counted and summed by DuckDB across the export's data files and compared
with the table and the manifests; and DuckDB writes Parquet back into the bucket (a multipart
upload through httpfs) and reads it.

httpfs is the PyPI package `duckdb-extension-httpfs` pinned beside duckdb in
tests/e2e/requirements.txt and LOADed from its file: `INSTALL httpfs` would download it from
extensions.duckdb.org. The secret is `TYPE s3` with the account's keys, `ENDPOINT
'127.0.0.1:PORT'`, `URL_STYLE 'path'` and `USE_SSL false`."""

import json
from pathlib import Path
from urllib.parse import urlparse

import pytest

from aws_helpers import batch_write, export_id, pitr_table, unique, wait_export
from client_helpers import unavailable
from conftest import ACCOUNTS

ITEMS = 300


def httpfs_connection(server, account):
    """A DuckDB connection with httpfs loaded from the PyPI package and an S3 secret for
    `account` on this server."""
    try:
        import duckdb
        import duckdb_extension_httpfs
    except ImportError as e:
        unavailable(f"{e.name} is not installed: pip install -r tests/e2e/requirements.txt (duckdb-extension-httpfs)")
    extension = (
        Path(duckdb_extension_httpfs.__file__).parent / "extensions" / f"v{duckdb.__version__}" / "httpfs.duckdb_extension"
    )
    assert extension.exists(), f"{extension}: duckdb-extension-httpfs does not match duckdb {duckdb.__version__}"
    con = duckdb.connect(config={"autoinstall_known_extensions": "false", "autoload_known_extensions": "false"})
    con.execute(f"LOAD '{extension}'")
    _, akid, secret = ACCOUNTS[account]
    endpoint = urlparse(server.endpoint)
    con.execute(
        f"""CREATE SECRET strata (TYPE s3, KEY_ID '{akid}', SECRET '{secret}', REGION 'us-east-1',
        ENDPOINT '{endpoint.netloc}', URL_STYLE 'path', USE_SSL {str(endpoint.scheme == "https").lower()})"""
    )
    return con


@pytest.fixture(scope="module")
def export(server):
    """A completed export of a table of the source account (ITEMS items) into a bucket of the
    destination account: (bucket, the export's directory, the items as written)."""
    ddb = server.client("dynamodb")
    table = pitr_table(ddb, unique("duckdb"))
    items = [
        {"pk": {"S": f"item-{i:04d}"}, "n": {"N": str(i)}, "m": {"M": {"even": {"BOOL": i % 2 == 0}}}}
        for i in range(ITEMS)
    ]
    batch_write(ddb, table, puts=items)
    bucket = unique("duckdb-exports")
    s3 = server.client("s3", "destination")
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_policy(
        Bucket=bucket,
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNTS['source'][0]}:root"},
                        "Action": ["s3:PutObject", "s3:PutObjectAcl", "s3:AbortMultipartUpload"],
                        "Resource": f"arn:aws:s3:::{bucket}/*",
                    }
                ],
            }
        ),
    )
    table_arn = ddb.describe_table(TableName=table)["Table"]["TableArn"]
    arn = ddb.export_table_to_point_in_time(
        TableArn=table_arn, S3Bucket=bucket, S3Prefix="exports", S3BucketOwner=ACCOUNTS["destination"][0]
    )["ExportDescription"]["ExportArn"]
    description = wait_export(ddb, arn, timeout=120)
    assert description["ExportStatus"] == "COMPLETED", description
    assert description["ItemCount"] == ITEMS, description
    return bucket, f"s3://{bucket}/exports/AWSDynamoDB/{export_id(arn)}", items


def test_duckdb_reads_an_export_from_strata_s3(server, export):
    bucket, base, items = export
    con = httpfs_connection(server, "destination")
    data = f"{base}/data/*.json.gz"

    files = [row[0] for row in con.execute(f"SELECT file FROM glob('{data}')").fetchall()]
    assert files, f"no data files under {base}"
    manifest = con.execute(
        f"SELECT sum(itemCount), count(*) FROM read_json('{base}/manifest-files.json', format='newline_delimited')"
    ).fetchone()
    assert manifest == (ITEMS, len(files)), (manifest, files)
    summary = con.execute(f"SELECT itemCount, outputFormat FROM read_json('{base}/manifest-summary.json')").fetchone()
    assert summary == (ITEMS, "DYNAMODB_JSON"), summary

    count, total, evens = con.execute(
        f"""SELECT count(*), sum(CAST(Item.n.N AS BIGINT)), count(*) FILTER (WHERE Item.m.M.even.BOOL)
        FROM read_json('{data}')"""
    ).fetchone()
    assert count == ITEMS, count
    assert total == sum(int(i["n"]["N"]) for i in items), total
    assert evens == ITEMS // 2, evens
    keys = [row[0] for row in con.execute(f"SELECT Item.pk.S FROM read_json('{data}') ORDER BY 1").fetchall()]
    assert keys == sorted(i["pk"]["S"] for i in items)

    # The other way: DuckDB writes Parquet into the bucket and reads it back; boto3 sees it.
    con.execute(
        f"COPY (SELECT Item.pk.S AS pk, CAST(Item.n.N AS BIGINT) AS n FROM read_json('{data}')) "
        f"TO 's3://{bucket}/duckdb/items.parquet' (FORMAT parquet)"
    )
    assert con.execute(f"SELECT count(*), sum(n) FROM 's3://{bucket}/duckdb/items.parquet'").fetchone() == (
        ITEMS,
        total,
    )
    head = server.client("s3", "destination").head_object(Bucket=bucket, Key="duckdb/items.parquet")
    assert head["ContentLength"] > 0, head


def test_duckdb_is_refused_the_bucket_by_another_account(server, export):
    """The source account's keys do not read the destination account's bucket: strata refuses
    DuckDB's requests as S3 would, and DuckDB reports it."""
    import duckdb

    _, base, _ = export
    con = httpfs_connection(server, "source")
    with pytest.raises(duckdb.Error) as info:
        con.execute(f"SELECT count(*) FROM read_json('{base}/manifest-summary.json')").fetchall()
    assert "403" in str(info.value), info.value
