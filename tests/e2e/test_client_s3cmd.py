"""s3cmd (Debian's 2.3.0, installed pinned by .ci/run) against strata's S3 with two accounts,
signing with SigV4 and with SigV2 (`--signature-v2`; strata accepts both on every bucket): make
buckets, put (single and multipart), get, list, sync up and down with --delete-removed, cp, mv,
del, signurl, a bucket policy set by the other account, and rb. Every outcome s3cmd reports is
checked again with boto3.

The configuration is `host_base = host_bucket = 127.0.0.1:PORT` (no `%(bucket)s`, so
path-style requests) and `use_https = False`. s3cmd's cp and mv copy the source's ACL with a
PutObjectAcl afterwards, which a bucket with ACLs disabled (BucketOwnerEnforced, the default)
refuses with AccessControlListNotSupported, on AWS too (s3tools/s3cmd#1304): `--acl-private`
skips it."""

import json
import os
import shutil
import subprocess
import urllib.request
from urllib.parse import urlparse

import pytest

from aws_helpers import unique
from client_helpers import BIG, body, keys, tree, unavailable  # noqa: F401 (tree is a fixture)
from conftest import ACCOUNTS


@pytest.fixture(scope="module", params=["v4", "v2"])
def s3cmd(request, server, tmp_path_factory):
    """Runs s3cmd as `account` with this server's config: `s3cmd(*args, account=, check=True)`
    returns the CompletedProcess. Parametrized over SigV4 and SigV2."""
    if not shutil.which("s3cmd"):
        unavailable("s3cmd is not installed: apt-get install s3cmd=2.3.0-1 (see .ci/run)")
    home = tmp_path_factory.mktemp("s3cmd")
    host = urlparse(server.endpoint).netloc
    configs = {}
    for account, (_, akid, secret) in ACCOUNTS.items():
        configs[account] = home / f"{account}.cfg"
        configs[account].write_text(
            f"[default]\naccess_key = {akid}\nsecret_key = {secret}\nhost_base = {host}\n"
            f"host_bucket = {host}\nbucket_location = us-east-1\nuse_https = False\n"
        )
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["HOME"] = str(home)
    signature = ["--signature-v2"] if request.param == "v2" else []

    def run(*args, account="source", check=True):
        out = subprocess.run(
            ["s3cmd", "-c", str(configs[account]), *signature, *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if check:
            assert out.returncode == 0, f"s3cmd {' '.join(args)}: exit {out.returncode}\n{out.stdout}\n{out.stderr}"
        return out

    run.signature = request.param
    return run


def test_s3cmd_put_get_list_sync_and_delete(server, s3cmd, tree, tmp_path):
    bucket = unique(f"s3cmd-{s3cmd.signature}")
    s3cmd("mb", f"s3://{bucket}")
    assert f"s3://{bucket}" in s3cmd("ls").stdout
    s3cmd("put", str(tree / "f1.txt"), f"s3://{bucket}/one/f1.txt")
    s3cmd("put", "--multipart-chunk-size-mb=5", str(tree / "sub" / "big.bin"), f"s3://{bucket}/one/big.bin")
    head = server.client("s3").head_object(Bucket=bucket, Key="one/big.bin")
    assert head["ContentLength"] == BIG and head["ETag"].endswith('-3"'), head
    s3cmd("get", "--force", f"s3://{bucket}/one/big.bin", str(tmp_path / "big.back"))
    assert (tmp_path / "big.back").read_bytes() == (tree / "sub" / "big.bin").read_bytes()
    listed = s3cmd("ls", f"s3://{bucket}/one/").stdout.splitlines()
    assert len(listed) == 2 and all(line.split()[-1].startswith(f"s3://{bucket}/one/") for line in listed), listed
    assert "f1.txt" in s3cmd("info", f"s3://{bucket}/one/f1.txt").stdout

    # sync up, change and delete locally, sync again with --delete-removed, sync down.
    s3cmd("sync", f"{tree}/", f"s3://{bucket}/sync/")
    assert len(keys(server, bucket, prefix="sync/")) == 5
    (tree / "f1.txt").write_text("changed\n")
    (tree / "f3.txt").unlink()
    s3cmd("sync", "--delete-removed", f"{tree}/", f"s3://{bucket}/sync/")
    assert "sync/f3.txt" not in keys(server, bucket, prefix="sync/")
    assert body(server, bucket, "sync/f1.txt") == b"changed\n"
    assert body(server, bucket, "sync/sub/spaced name ü+&=.txt") == "ünïcødé\n".encode()
    back = tmp_path / "back"
    back.mkdir()
    s3cmd("sync", f"s3://{bucket}/sync/", f"{back}/")
    for path in tree.rglob("*"):
        if path.is_file():
            assert (back / path.relative_to(tree)).read_bytes() == path.read_bytes(), path

    # cp and mv: refused as on AWS without --acl-private (the ACL copy), done with it.
    refused = s3cmd("cp", f"s3://{bucket}/one/f1.txt", f"s3://{bucket}/copy/f0.txt", check=False)
    assert "AccessControlListNotSupported" in refused.stdout + refused.stderr, refused
    s3cmd("cp", "--acl-private", f"s3://{bucket}/one/f1.txt", f"s3://{bucket}/copy/f1.txt")
    s3cmd("mv", "--acl-private", f"s3://{bucket}/copy/f1.txt", f"s3://{bucket}/moved/f1.txt")
    assert "copy/f1.txt" not in keys(server, bucket)
    assert body(server, bucket, "moved/f1.txt") == b"file 1\n"
    assert s3cmd("setacl", "--acl-public", f"s3://{bucket}/one/f1.txt", check=False).returncode != 0

    # A presigned URL s3cmd makes works with no credentials.
    url = s3cmd("signurl", f"s3://{bucket}/one/f1.txt", "+300").stdout.strip()
    with urllib.request.urlopen(url, timeout=10) as r:
        assert r.read() == b"file 1\n"
    assert s3cmd("du", f"s3://{bucket}").stdout.split()[0].isdigit()

    s3cmd("del", f"s3://{bucket}/one/f1.txt")
    assert "one/f1.txt" not in keys(server, bucket)
    s3cmd("del", "--recursive", "--force", f"s3://{bucket}")
    assert keys(server, bucket) == []
    s3cmd("rb", f"s3://{bucket}")
    assert bucket not in [b["Name"] for b in server.client("s3").list_buckets()["Buckets"]]


def test_s3cmd_two_accounts(server, s3cmd, tree):
    own, other = unique(f"s3cmd-own-{s3cmd.signature}"), unique(f"s3cmd-other-{s3cmd.signature}")
    s3cmd("mb", f"s3://{own}")
    s3cmd("mb", f"s3://{other}", account="destination")
    mine, theirs = s3cmd("ls").stdout, s3cmd("ls", account="destination").stdout
    assert own in mine and other not in mine, mine
    assert other in theirs and own not in theirs, theirs
    s3cmd("put", str(tree / "f1.txt"), f"s3://{own}/f1.txt")

    refused = s3cmd("put", str(tree / "f1.txt"), f"s3://{other}/x.txt", check=False)
    assert refused.returncode != 0 and "AccessDenied" in refused.stderr, refused
    assert keys(server, other, "destination") == []

    policy = tree.parent / "policy.json"
    policy.write_text(
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"AWS": f"arn:aws:iam::{ACCOUNTS['source'][0]}:root"},
                        "Action": [
                            "s3:PutObject",
                            "s3:GetObject",
                            "s3:ListBucket",
                            "s3:DeleteObject",
                            "s3:AbortMultipartUpload",
                            "s3:ListMultipartUploadParts",
                        ],
                        "Resource": [f"arn:aws:s3:::{other}", f"arn:aws:s3:::{other}/*"],
                    }
                ],
            }
        )
    )
    s3cmd("setpolicy", str(policy), f"s3://{other}", account="destination")
    assert ACCOUNTS["source"][0] in s3cmd("info", f"s3://{other}", account="destination").stdout
    stored = server.client("s3", "destination").get_bucket_policy(Bucket=other)["Policy"]
    assert json.loads(stored)["Statement"][0]["Resource"][0] == f"arn:aws:s3:::{other}", stored

    s3cmd("put", str(tree / "f2.txt"), f"s3://{other}/from-src/f2.txt")
    s3cmd("put", "--multipart-chunk-size-mb=5", str(tree / "sub" / "big.bin"), f"s3://{other}/from-src/big.bin")
    s3cmd("sync", f"{tree}/", f"s3://{other}/sync/")
    s3cmd("cp", "--acl-private", f"s3://{own}/f1.txt", f"s3://{other}/cp/f1.txt")  # CopyObject across accounts
    assert len(keys(server, other, "destination", "sync/")) == 5
    # The bucket owner reads what the other account wrote (BucketOwnerEnforced by default).
    assert body(server, other, "from-src/f2.txt", "destination") == b"file 2\n"
    assert body(server, other, "cp/f1.txt", "destination") == b"file 1\n"
    assert body(server, other, "from-src/big.bin", "destination") == (tree / "sub" / "big.bin").read_bytes()

    s3cmd("multipart", f"s3://{other}", account="destination")
    s3cmd("rb", "--recursive", "--force", f"s3://{other}", account="destination")
    s3cmd("rb", "--recursive", "--force", f"s3://{own}")
    assert other not in s3cmd("ls", account="destination").stdout
    assert own not in s3cmd("ls").stdout
