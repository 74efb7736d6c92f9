"""The AWS SDK for JavaScript v3 (pinned in tests/clients/js/package-lock.json) runs the seed
against strata: `node tests/clients/js/seed.mjs` with the source account in the environment as
`strata credentials source` prints it and the destination account's keys beside it. Its exit
code and its `ok` lines are checked, then what it made is checked again with boto3: the export's
files in the destination bucket, and the table imported from them.

`npm ci` runs once in tests/clients/js when node_modules does not match the lockfile (the
dynamodb-admin test shares it)."""

import functools
import json
import os
import re
import shutil
import subprocess

import pytest

from aws_helpers import scan_all, unique
from client_helpers import unavailable
from conftest import ACCOUNTS, REGION, ROOT

JS = ROOT / "tests" / "clients" / "js"


def installed_matches_lockfile():
    """node_modules was installed from this package-lock.json (npm keeps a copy of what it
    installed in node_modules/.package-lock.json)."""
    try:
        lock = json.loads((JS / "package-lock.json").read_text())["packages"]
        installed = json.loads((JS / "node_modules" / ".package-lock.json").read_text())["packages"]
    except (OSError, ValueError, KeyError):
        return False
    return {k: v for k, v in lock.items() if k} == installed


@functools.cache
def install_js_clients():
    """`npm ci` in tests/clients/js unless node_modules already matches the lockfile; the
    directory. Once per session."""
    if not shutil.which("node") or not shutil.which("npm"):
        unavailable("node (20 or later) and npm are not installed: apt-get install nodejs npm")
    if not installed_matches_lockfile():
        out = subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"], cwd=JS, capture_output=True, text=True, timeout=600
        )
        assert out.returncode == 0, f"npm ci in {JS} failed:\n{out.stdout}\n{out.stderr}"
    return JS


@pytest.fixture(scope="session")
def js_clients():
    return install_js_clients()


def node_env(server, **extra):
    """The environment `strata credentials source` gives a shell (AWS_* of the caller's removed),
    with the destination account's keys as DESTINATION_AWS_*."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    _, akid, secret = ACCOUNTS["source"]
    _, dst_akid, dst_secret = ACCOUNTS["destination"]
    env.update(
        AWS_ENDPOINT_URL=server.endpoint,
        AWS_ACCESS_KEY_ID=akid,
        AWS_SECRET_ACCESS_KEY=secret,
        AWS_REGION=REGION,
        AWS_DEFAULT_REGION=REGION,
        DESTINATION_AWS_ACCESS_KEY_ID=dst_akid,
        DESTINATION_AWS_SECRET_ACCESS_KEY=dst_secret,
        **extra,
    )
    return env


def test_the_seed_with_the_javascript_sdk(server, js_clients):
    suffix = unique("js").removeprefix("js-")
    out = subprocess.run(
        ["node", "seed.mjs"],
        cwd=js_clients,
        env=node_env(server, SEED_SUFFIX=suffix),
        capture_output=True,
        text=True,
        timeout=300,
    )
    text = out.stdout
    assert out.returncode == 0, f"exit {out.returncode}\nstdout:\n{text}\nstderr:\n{out.stderr}"
    assert not re.search(r"^FAIL ", text, re.M), text
    passed = re.search(r"^(\d+) passed, 0 failed$", text, re.M)
    assert passed and int(passed.group(1)) >= 25, text
    for line in [
        "ok   GetCallerIdentity (source): arn:aws:iam::111111111111:root",
        "ok   GetCallerIdentity (destination): arn:aws:iam::222222222222:root",
        "ok   Scan COUNT: 26",
        "ok   Export without S3BucketOwner: FAILED S3AccessDenied: FAILED S3AccessDenied",
        "ok   GetObject manifests and data files: every item there: {\"itemCount\":26,",
        f"ok   ImportTable orders-copy-{suffix} (destination): COMPLETED: "
        '{"ImportStatus":"COMPLETED","ImportedItemCount":26}',
        f"ok   AssumeRole across accounts, GetCallerIdentity as the role: "
        f"arn:aws:sts::222222222222:assumed-role/reader-{suffix}/js",
        "ok   AssumeRole as the source root: refused, as on AWS: AccessDenied",
    ]:
        assert line in text, f"{line!r} not in:\n{text}"
    completed = re.search(r'^ok   Export with S3BucketOwner: COMPLETED: (\{.*\})$', text, re.M)
    assert completed, text
    completed = json.loads(completed.group(1))
    assert completed["ItemCount"] == 26, completed
    manifest = completed["ExportManifest"]

    # What the SDK made, seen by boto3: the export's files in the destination account's bucket,
    # written by the source account's exporter, and the table imported from them.
    s3 = server.client("s3", "destination")
    bucket = f"js-seed-{suffix}"
    summary = json.loads(s3.get_object(Bucket=bucket, Key=manifest)["Body"].read())
    assert summary["itemCount"] == 26, summary
    assert summary["s3Bucket"] == bucket, summary
    listed = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="seed/")["Contents"]]
    assert any(k.endswith(".json.gz") for k in listed), listed
    # Nothing from the export that FAILED.
    assert "Contents" not in s3.list_objects_v2(Bucket=bucket, Prefix="without-owner/"), bucket

    items = scan_all(server.client("dynamodb", "destination"), f"orders-copy-{suffix}")
    assert len(items) == 26
    order = next(i for i in items if i["pk"] == {"S": "order-1"})
    assert order["total"] == {"N": "43"}
    assert sorted(order["tags"]["SS"]) == ["a", "b", "c"], order
    assert order["blob"] == {"B": b"\x01\x02\x03"}
    assert order["lines"] == {"L": [{"M": {"sku": {"S": "x"}, "qty": {"N": "2"}}}]}
