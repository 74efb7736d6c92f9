"""The `strata` commands that talk to a running server as a client: `strata import DIR`
loads an export copied to a local directory (as one would copy a real AWS export) into a new
table, every MD5 checked first, and refuses a tampered file before writing anything;
`strata export` runs an export and explains a denied cross-account write."""

import json
import os
import subprocess
import time

import botocore.config
import pytest

from aws_helpers import pitr_table, unique
from conftest import ACCOUNTS, strata_bin


def download_export(server, tmp_path, fmt):
    """A table exported by strata, its export directory copied to `tmp_path`; returns the
    directory and the table's items."""
    ddb = server.client("dynamodb")
    s3 = server.client("s3", config=botocore.config.Config(s3={"addressing_style": "path"}))
    table, bucket = unique("cli-src"), unique("cli-bucket")
    ddb.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "N"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    ddb.update_continuous_backups(
        TableName=table, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )
    for i in range(60):
        ddb.put_item(
            TableName=table,
            Item={"pk": {"S": f"p{i % 7}"}, "sk": {"N": str(i)}, "tags": {"SS": ["a", f"t{i}"]}, "b": {"B": b"\x01"}},
        )
    s3.create_bucket(Bucket=bucket)
    arn = f"arn:aws:dynamodb:us-east-1:111111111111:table/{table}"
    export = ddb.export_table_to_point_in_time(TableArn=arn, S3Bucket=bucket, ExportFormat=fmt)
    while True:
        d = ddb.describe_export(ExportArn=export["ExportDescription"]["ExportArn"])["ExportDescription"]
        if d["ExportStatus"] != "IN_PROGRESS":
            break
        time.sleep(0.1)
    assert d["ExportStatus"] == "COMPLETED", d
    root = d["ExportManifest"].rsplit("/", 1)[0]
    out = tmp_path / "export"
    for o in s3.list_objects_v2(Bucket=bucket, Prefix=root + "/")["Contents"]:
        path = out / o["Key"][len(root) + 1 :]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read())
    return out, ddb.scan(TableName=table)["Items"]


def run_import(server, directory, table, *extra):
    _, akid, secret = ACCOUNTS["source"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID=akid, AWS_SECRET_ACCESS_KEY=secret, AWS_REGION="us-east-1")
    return subprocess.run(
        [strata_bin(), "import", str(directory), "--table", table, "--endpoint", server.endpoint, *extra],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("fmt", ["DYNAMODB_JSON", "ION"])
def test_an_export_directory_loads_into_a_new_table(server, tmp_path, fmt):
    directory, items = download_export(server, tmp_path, fmt)
    target = unique("cli-copy")
    out = run_import(server, directory, target, "--partition-key", "pk:S", "--sort-key", "sk:N")
    assert out.returncode == 0, out.stderr
    assert f"Loaded {len(items)} items into {target}" in out.stdout
    copied = server.client("dynamodb").scan(TableName=target)["Items"]
    canon = lambda rows: sorted(json.dumps(r, sort_keys=True, default=str) for r in rows)  # noqa: E731
    assert canon(copied) == canon(items)


def test_a_tampered_data_file_is_refused_before_anything_is_written(server, tmp_path):
    directory, _ = download_export(server, tmp_path, "DYNAMODB_JSON")
    data = sorted((directory / "data").iterdir())[0]
    data.write_bytes(data.read_bytes() + b"\x00")
    target = unique("cli-tampered")
    out = run_import(server, directory, target, "--partition-key", "pk:S", "--sort-key", "sk:N")
    assert out.returncode != 0
    assert "does not match its md5Checksum" in out.stderr
    tables = server.client("dynamodb").list_tables()["TableNames"]
    assert target not in tables, "nothing is created when a file does not verify"


def run_strata(server, *args, keys=None):
    """`strata ARGS --endpoint …` as the source account's root, or with `keys` (an access key
    id and secret)."""
    akid, secret = keys or ACCOUNTS["source"][1:]
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_ACCESS_KEY_ID=akid, AWS_SECRET_ACCESS_KEY=secret, AWS_REGION="us-east-1")
    return subprocess.run(
        [strata_bin(), *args, "--endpoint", server.endpoint], env=env, capture_output=True, text=True, timeout=60
    )


def test_strata_export_explains_a_denied_cross_account_write_then_completes(server):
    """`strata export` into another account's bucket: without S3BucketOwner it fails and
    says why (the owner hint and the server's policy trace); with it, it completes."""
    ddb = server.client("dynamodb")
    dest = server.client("s3", "destination", config=botocore.config.Config(s3={"addressing_style": "path"}))
    table, bucket = unique("cli-export"), unique("cli-export-dest")
    pitr_table(ddb, table, [{"pk": {"S": "a"}}])
    dest.create_bucket(Bucket=bucket)

    out = run_strata(server, "export", "--table", table, "--bucket", bucket)
    assert out.returncode == 2, out.stderr
    assert "Export FAILED: S3AccessDenied" in out.stdout
    assert "pass --bucket-owner ACCOUNT" in out.stdout
    assert "s3:PutObject on arn:aws:s3:::" in out.stdout and "ImplicitDeny" in out.stdout
    assert "no resource-based policy allows the action" in out.stdout

    dest.put_bucket_policy(
        Bucket=bucket,
        Policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": "arn:aws:iam::111111111111:root"},
                        "Action": ["s3:PutObject", "s3:PutObjectAcl"],
                        "Resource": f"arn:aws:s3:::{bucket}/*",
                    }
                ],
            }
        ),
    )
    out = run_strata(
        server, "export", "--table", table, "--bucket", bucket, "--bucket-owner", "222222222222", "--prefix", "x"
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Export COMPLETED: 1 items" in out.stdout
    assert f"manifest: s3://{bucket}/x/AWSDynamoDB/" in out.stdout


def test_strata_demo_runs_the_seed_end_to_end():
    """`strata demo` starts its own server and exits 0 only if every step answered as AWS
    does; its narration names each stage of the seed."""
    out = subprocess.run(
        [strata_bin(), "demo"], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stdout + out.stderr
    text = out.stdout
    for expected in [
        "FAILED: S3AccessDenied",
        "No S3BucketOwner was given",
        "Allow by bucket dest-bucket policy",
        "COMPLETED: 8 items",
        "manifest-summary.json",
        "`orders-copy` in 222222222222 holds 8 items",
        "| paid    | 3      | 170.75 |",
        "every step answered as AWS does",
    ]:
        assert expected in text, f"{expected!r} missing from:\n{text}"


def test_strata_demo_kms_runs_the_kms_variant():
    """`strata demo --kms`: the export into the bucket account's key fails while the key
    policy leaves the exporter out, is explained, and completes once it names the exporter."""
    out = subprocess.run(
        [strata_bin(), "demo", "--kms"], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stdout + out.stderr
    text = out.stdout
    for expected in [
        "kms:GenerateDataKey on this resource because the resource does not exist in this Region",
        "The key policy of arn:aws:kms:us-east-1:222222222222:key/",
        '"Sid":"AllowExporter"',
        "COMPLETED: 8 items",
        "each file is SSE-KMS under arn:aws:kms:us-east-1:222222222222:key/",
        "`orders-copy` in 222222222222 holds 8 items",
        "every step answered as AWS does",
    ]:
        assert expected in text, f"{expected!r} missing from:\n{text}"


def test_strata_export_explains_which_side_of_a_kms_key_is_missing(server):
    """An export encrypted with the destination's key: `strata export` says whether the key
    policy or the exporter's own identity policy leaves it out (spec kms-sse §3.2, §5.3)."""
    ddb = server.client("dynamodb")
    iam = server.client("iam")
    dest = server.client("s3", "destination", config=botocore.config.Config(s3={"addressing_style": "path"}))
    dest_kms = server.client("kms", "destination")
    table, bucket, user = unique("cli-kms"), unique("cli-kms-dest"), unique("kms-exporter")
    pitr_table(ddb, table, [{"pk": {"S": "a"}}])
    table_arn = ddb.describe_table(TableName=table)["Table"]["TableArn"]
    dest.create_bucket(Bucket=bucket)
    user_arn = iam.create_user(UserName=user)["User"]["Arn"]
    dest.put_bucket_policy(
        Bucket=bucket,
        Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": user_arn},
            "Action": ["s3:PutObject", "s3:PutObjectAcl", "s3:AbortMultipartUpload"],
            "Resource": f"arn:aws:s3:::{bucket}/*"}]}),
    )
    key_arn = dest_kms.create_key()["KeyMetadata"]["Arn"]
    identity = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["dynamodb:ExportTableToPointInTime", "dynamodb:DescribeExport",
                                       "dynamodb:DescribeTable"],
         "Resource": [table_arn, f"{table_arn}/export/*"]},
        {"Effect": "Allow", "Action": ["s3:PutObject", "s3:PutObjectAcl", "s3:AbortMultipartUpload"],
         "Resource": f"arn:aws:s3:::{bucket}/*"}]}
    iam.put_user_policy(UserName=user, PolicyName="export", PolicyDocument=json.dumps(identity))
    creds = iam.create_access_key(UserName=user)["AccessKey"]

    def export():
        return run_strata(
            server, "export", "--table", table_arn, "--bucket", bucket, "--bucket-owner", "222222222222",
            "--sse-algorithm", "KMS", "--sse-kms-key-id", key_arn,
            keys=(creds["AccessKeyId"], creds["SecretAccessKey"]),
        )

    # The key policy names only the destination account: the key side is missing.
    out = export()
    assert out.returncode == 2, out.stdout + out.stderr
    assert "Export FAILED: S3AccessDenied" in out.stdout
    assert f"The key policy of {key_arn} does not let {user_arn} use the key" in out.stdout

    # The key policy lets the user in; its identity policy does not allow the key.
    policy = json.loads(dest_kms.get_key_policy(KeyId=key_arn, PolicyName="default")["Policy"])
    policy["Statement"].append({"Sid": "Exporter", "Effect": "Allow", "Principal": {"AWS": user_arn},
                                "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": "*"})
    dest_kms.put_key_policy(KeyId=key_arn, PolicyName="default", Policy=json.dumps(policy))
    out = export()
    assert out.returncode == 2, out.stdout + out.stderr
    assert "because no identity-based policy allows the kms:GenerateDataKey action" in out.stdout
    assert f"The key policy lets {user_arn} in; its own identity policy does not allow" in out.stdout

    # Both sides allow: the export completes, its files under the key.
    identity["Statement"].append({"Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
                                  "Resource": key_arn})
    iam.put_user_policy(UserName=user, PolicyName="export", PolicyDocument=json.dumps(identity))
    out = export()
    assert out.returncode == 0, out.stdout + out.stderr
    assert "Export COMPLETED: 1 items" in out.stdout
