"""rclone (Debian's 1.60.1, installed pinned by .ci/run) against strata's S3 with two accounts:
copy, sync, list, check, cat, server-side copy, delete and purge, and a copy into the other
account's bucket, refused until its bucket policy allows it. Every outcome rclone reports is
checked again with boto3.

The remotes are `type = s3`, `provider = Other`, `force_path_style = true`: with
`provider = AWS` rclone 1.60 ignores force_path_style and asks for `BUCKET.127.0.0.1`. rclone
sends `X-Amz-Acl: private` on every upload and copy, so a bucket policy letting another account
write must allow s3:PutObjectAcl too, as on AWS. rclone 1.60 cannot use AWS_CA_BUNDLE (it fails
with LoadCustomCABundleError), so the AWS_* environment is left out."""

import hashlib
import json
import os
import shutil
import subprocess

import pytest

from aws_helpers import unique
from client_helpers import BIG, body, keys, tree, unavailable  # noqa: F401 (tree is a fixture)
from conftest import ACCOUNTS, REGION

RCLONE = ["--retries", "1", "--low-level-retries", "1", "--contimeout", "5s", "--timeout", "30s"]


@pytest.fixture(scope="module")
def rclone(server, tmp_path_factory):
    """Runs rclone with remotes `src` (source, 111111111111) and `dst` (destination,
    222222222222) on this server; `rclone(*args, check=True)` returns the CompletedProcess."""
    if not shutil.which("rclone"):
        unavailable("rclone is not installed: apt-get install rclone=1.60.1+dfsg-2+b5 (see .ci/run)")
    home = tmp_path_factory.mktemp("rclone")
    config = home / "rclone.conf"
    config.write_text(
        "".join(
            f"[{remote}]\ntype = s3\nprovider = Other\naccess_key_id = {ACCOUNTS[account][1]}\n"
            f"secret_access_key = {ACCOUNTS[account][2]}\nregion = {REGION}\nendpoint = {server.endpoint}\n"
            "force_path_style = true\n\n"
            for remote, account in (("src", "source"), ("dst", "destination"))
        )
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "RCLONE_"))}
    env.update(RCLONE_CONFIG=str(config), HOME=str(home))

    def run(*args, check=True):
        out = subprocess.run(["rclone", *RCLONE, *args], env=env, capture_output=True, text=True, timeout=300)
        if check:
            assert out.returncode == 0, f"rclone {' '.join(args)}: exit {out.returncode}\n{out.stdout}\n{out.stderr}"
        return out

    return run


def test_rclone_copy_list_check_and_read_back(server, rclone, tree, tmp_path):
    bucket = unique("rclone")
    rclone("mkdir", f"src:{bucket}")
    assert bucket in rclone("lsd", "src:").stdout.split()
    rclone("copy", str(tree), f"src:{bucket}/tree", "--exclude", "big.bin")
    rclone("copy", str(tree / "sub" / "big.bin"), f"src:{bucket}/mp", "--s3-upload-cutoff", "5M", "--s3-chunk-size", "5M")
    assert keys(server, bucket) == sorted(
        ["tree/f1.txt", "tree/f2.txt", "tree/f3.txt", "tree/sub/spaced name ü+&=.txt", "mp/big.bin"]
    )
    # The multipart upload is one object, its ETag the multipart kind.
    head = server.client("s3").head_object(Bucket=bucket, Key="mp/big.bin")
    assert head["ContentLength"] == BIG and head["ETag"].endswith('-3"'), head

    listed = rclone("ls", f"src:{bucket}").stdout.splitlines()
    assert len(listed) == 5, listed
    entries = json.loads(rclone("lsjson", "-R", "--hash", "--files-only", f"src:{bucket}/tree").stdout)
    md5 = {e["Path"]: e["Hashes"]["md5"] for e in entries}
    assert md5["f1.txt"] == hashlib.md5(b"file 1\n").hexdigest(), entries

    rclone("check", str(tree), f"src:{bucket}/tree", "--exclude", "big.bin")
    rclone("check", "--download", str(tree), f"src:{bucket}/tree", "--exclude", "big.bin")
    assert rclone("cat", f"src:{bucket}/tree/sub/spaced name ü+&=.txt").stdout == "ünïcødé\n"
    rclone("copyto", f"src:{bucket}/mp/big.bin", str(tmp_path / "big.back"))
    assert (tmp_path / "big.back").read_bytes() == (tree / "sub" / "big.bin").read_bytes()

    # A server-side copy within the account (CopyObject).
    rclone("copyto", f"src:{bucket}/tree/f1.txt", f"src:{bucket}/copied/f1.txt")
    assert body(server, bucket, "copied/f1.txt") == b"file 1\n"


def test_rclone_sync_uploads_changes_and_deletes(server, rclone, tree, tmp_path):
    bucket = unique("rclone-sync")
    rclone("mkdir", f"src:{bucket}")
    rclone("sync", str(tree), f"src:{bucket}/sync")
    assert len(keys(server, bucket, prefix="sync/")) == 5
    (tree / "f1.txt").write_text("changed\n")
    (tree / "f3.txt").unlink()
    rclone("sync", str(tree), f"src:{bucket}/sync")
    assert "sync/f3.txt" not in keys(server, bucket, prefix="sync/")
    assert body(server, bucket, "sync/f1.txt") == b"changed\n"
    # And down again: the local copy equals the tree.
    rclone("sync", f"src:{bucket}/sync", str(tmp_path / "back"))
    rclone("check", str(tree), str(tmp_path / "back"))


def test_rclone_two_accounts(server, rclone, tree):
    own, other = unique("rclone-own"), unique("rclone-other")
    rclone("mkdir", f"src:{own}")
    rclone("mkdir", f"dst:{other}")
    # Each account lists its own buckets only.
    mine, theirs = rclone("lsd", "src:").stdout, rclone("lsd", "dst:").stdout
    assert own in mine and other not in mine, mine
    assert other in theirs and own not in theirs, theirs
    rclone("copy", str(tree), f"src:{own}/tree", "--exclude", "big.bin")

    # The other account's bucket refuses the source account until its policy allows it.
    # (rclone first HEADs the object: a 403 with no body, "Forbidden", as S3 answers a HEAD.)
    refused = rclone("copy", str(tree / "f1.txt"), f"src:{other}/nope", check=False)
    assert refused.returncode != 0 and "status code: 403" in refused.stderr, refused.stderr
    refused = rclone("copy", str(tree), f"src:{other}/nope", "--exclude", "big.bin", check=False)
    assert refused.returncode != 0 and "AccessDenied" in refused.stderr, refused.stderr
    assert keys(server, other, "destination") == []

    def allow(*actions):
        statement = {
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{ACCOUNTS['source'][0]}:root"},
            "Action": list(actions),
            "Resource": [f"arn:aws:s3:::{other}", f"arn:aws:s3:::{other}/*"],
        }
        server.client("s3", "destination").put_bucket_policy(
            Bucket=other, Policy=json.dumps({"Version": "2012-10-17", "Statement": [statement]})
        )

    actions = ["s3:PutObject", "s3:GetObject", "s3:ListBucket", "s3:DeleteObject", "s3:AbortMultipartUpload"]
    # rclone's `X-Amz-Acl: private` makes each upload s3:PutObjectAcl as well, as on AWS.
    allow(*actions)
    refused = rclone("copy", str(tree / "f1.txt"), f"src:{other}/nope", check=False)
    assert refused.returncode != 0 and "AccessDenied" in refused.stderr, refused.stderr
    assert keys(server, other, "destination") == []
    allow(*actions, "s3:PutObjectAcl")
    rclone("copy", str(tree), f"src:{other}/from-src", "--s3-upload-cutoff", "5M", "--s3-chunk-size", "5M")
    rclone("copyto", f"src:{own}/tree/f2.txt", f"src:{other}/server-side/f2.txt")  # CopyObject across accounts
    rclone("copy", f"src:{own}/tree", f"dst:{other}/via-local")  # downloaded as source, uploaded as destination
    assert keys(server, other, "destination") == sorted(
        [f"from-src/{name}" for name in ("f1.txt", "f2.txt", "f3.txt", "sub/big.bin", "sub/spaced name ü+&=.txt")]
        + ["server-side/f2.txt"]
        + [f"via-local/{name}" for name in ("f1.txt", "f2.txt", "f3.txt", "sub/spaced name ü+&=.txt")]
    )
    # The bucket owner reads what the other account wrote (BucketOwnerEnforced by default).
    assert rclone("cat", f"dst:{other}/from-src/f1.txt").stdout == "file 1\n"
    assert body(server, other, "server-side/f2.txt", "destination") == b"file 2\n"
    big = server.client("s3", "destination").get_object(Bucket=other, Key="from-src/sub/big.bin")["Body"].read()
    assert big == (tree / "sub" / "big.bin").read_bytes()

    # The source account deletes there too, as the policy allows.
    rclone("delete", "--include", "*.txt", f"src:{other}/from-src")
    assert keys(server, other, "destination", "from-src/") == ["from-src/sub/big.bin"]
    rclone("purge", f"dst:{other}")
    rclone("purge", f"src:{own}")
    for account, bucket in (("source", own), ("destination", other)):
        names = [b["Name"] for b in server.client("s3", account).list_buckets()["Buckets"]]
        assert bucket not in names, names


def test_rclone_delete_and_purge(server, rclone, tree):
    bucket = unique("rclone-delete")
    rclone("mkdir", f"src:{bucket}")
    rclone("copy", str(tree), f"src:{bucket}/tree")
    rclone("delete", "--include", "*.txt", f"src:{bucket}/tree")
    assert keys(server, bucket) == ["tree/sub/big.bin"]
    rclone("deletefile", f"src:{bucket}/tree/sub/big.bin")
    assert keys(server, bucket) == []
    rclone("rmdirs", f"src:{bucket}")
    rclone("copy", str(tree / "f1.txt"), f"src:{bucket}")
    rclone("purge", f"src:{bucket}")
    assert bucket not in rclone("lsd", "src:").stdout
    assert bucket not in [b["Name"] for b in server.client("s3").list_buckets()["Buckets"]]
