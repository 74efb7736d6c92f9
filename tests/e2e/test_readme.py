"""The README's "The seed, step by step with the AWS CLI" runs as written: its ```sh block is
taken from README.md and run with bash against a fresh `strata serve` (default accounts, data
in ./.strata of the working directory), with `strata` and the AWS CLI from PATH and a HOME of
its own, so `>> ~/.aws/config` touches nothing of the user's."""

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from conftest import ROOT, Server, strata_bin

HEADING = "## The seed, step by step with the AWS CLI"


def readme_block(heading: str = HEADING) -> str:
    """The first ```sh fence after `heading`."""
    text = (ROOT / "README.md").read_text()
    start = text.index(heading + "\n")
    match = re.compile(r"^```sh\n(.*?)^```$", re.S | re.M).search(text, start)
    assert match, f"no ```sh block after {heading!r}"
    return match.group(1)


def serve_in(cwd: Path) -> Server:
    """`strata serve --port 0` run in `cwd`, so its data directory is the default ./.strata
    and `strata credentials` run there finds it (and the port it listens on)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    proc = subprocess.Popen(
        [strata_bin(), "serve", "--port", "0"],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    first = proc.stdout.readline()
    match = re.match(r"strata listening on (http://\S+)", first)
    if not match:
        proc.kill()
        raise RuntimeError(f"strata did not start: {first!r}")
    banner = first
    while True:  # the account lines, read so the pipe never fills
        line = proc.stdout.readline()
        banner += line
        if not line or line.startswith("try:"):
            break
    server = Server(proc, match.group(1), cwd / ".strata", banner)
    deadline = time.time() + 10
    while True:
        try:
            server.get("/_strata/health")
            return server
        except OSError:
            if time.time() > deadline:
                server.stop()
                raise
            time.sleep(0.05)


def after(text: str, pattern: str, pos: int) -> re.Match:
    """The first match of `pattern` (a multi-line regex) at or after `pos`."""
    match = re.compile(pattern, re.M).search(text, pos)
    assert match, f"{pattern!r} not found after offset {pos} in:\n{text}"
    return match


def run_script(tmp_path, script: str):
    """Runs `script` with bash against a fresh server in `tmp_path/work`, with `strata` and the
    AWS CLI from PATH and a HOME of its own; the server (stopped) and bash's stdout."""
    work, home = tmp_path / "work", tmp_path / "home"
    work.mkdir(exist_ok=True)
    home.mkdir()
    path_to_script = tmp_path / "readme.sh"
    path_to_script.write_text(script)
    server = serve_in(work)
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        path = [str(Path(strata_bin()).resolve().parent), str(Path(sys.executable).parent)]
        env.update(
            PATH=os.pathsep.join(path + [os.environ.get("PATH", "")]),
            HOME=str(home),
            AWS_CONFIG_FILE=str(home / ".aws" / "config"),
            AWS_SHARED_CREDENTIALS_FILE=str(home / ".aws" / "credentials"),
        )
        out = subprocess.run(
            ["bash", "-euo", "pipefail", str(path_to_script)],
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        server.stop()
    assert out.returncode == 0, f"exit {out.returncode}\nstdout:\n{out.stdout}\nstderr:\n{out.stderr}"
    return server, out.stdout


def test_the_readme_seed_block_runs_as_written(tmp_path):
    server, text = run_script(tmp_path, readme_block())
    assert "111111111111 source" in server.banner
    assert "222222222222 destination" in server.banner
    home = tmp_path / "home"

    # The profile went into the temporary HOME, with the port this server listens on.
    config = (home / ".aws" / "config").read_text()
    assert "[profile destination]" in config
    assert f"endpoint_url = {server.endpoint}" in config

    # The first export (no S3BucketOwner) FAILED with S3AccessDenied; the second COMPLETED.
    failed = after(text, r"^FAILED\s+S3AccessDenied$", 0)
    completed = after(text, r"^COMPLETED$", failed.end())

    # Its files are in the other account's bucket, under one export id (the failed export
    # wrote nothing).
    listed = re.findall(r"^\S+ \S+\s+\d+ (AWSDynamoDB/(\S+?)/(\S+))$", text, re.M)
    assert listed, f"no files listed under AWSDynamoDB/ in:\n{text}"
    ids = {export_id for _, export_id, _ in listed}
    assert len(ids) == 1, ids
    names = {name for _, _, name in listed}
    assert {"manifest-summary.json", "manifest-files.json"} <= names, names
    assert any(n.startswith("data/") and n.endswith(".json.gz") for n in names), names

    # The import COMPLETED, then the scan of the new table shows the item.
    imported = after(text, r"^COMPLETED$", completed.end())
    scan_start = after(text, r"^\{$", imported.end())
    scan, _ = json.JSONDecoder().raw_decode(text, scan_start.start())
    assert scan["Items"] == [{"pk": {"S": "order-1"}, "total": {"N": "42"}}], scan
    assert scan["Count"] == 1

    # `strata query` over the export in the other account's bucket.
    query = after(text, r"^pk,total$", scan_start.end())
    assert text[query.end():].split()[0] == "order-1,42", text[query.start():]


KMS_HEADING = "### The same, into a bucket encrypted with the other account's KMS key"


def test_the_readme_kms_variant_runs_as_written(tmp_path):
    """The KMS block, run after the seed's block in the same shell: the export into the
    bucket account's key FAILS until the key policy names the exporter, then COMPLETES with
    its files SSE-KMS under that key."""
    script = readme_block() + "\necho '--- KMS ---'\n" + readme_block(KMS_HEADING)
    _, text = run_script(tmp_path, script)
    kms = text.split("--- KMS ---\n", 1)[1]
    failed = after(kms, r"^FAILED\s+S3AccessDenied$", 0)
    completed = after(kms, r"^COMPLETED\s+None$", failed.end())
    after(kms, r"^aws:kms\s+arn:aws:kms:us-east-1:222222222222:key/[0-9a-f-]{36}$", completed.end())


CFN_HEADING = "## The seed as CloudFormation"


def test_the_readme_cloudformation_seed_runs_as_written(tmp_path):
    """The seed's two stacks deployed from the repository's templates with `aws cloudformation
    deploy`, the export through them COMPLETED into the destination stack's bucket, and an
    update of the PITR window applied in place."""
    import shutil

    # The block runs in tmp_path/work, as a user runs it from the repository's directory.
    shutil.copytree(ROOT / "templates", tmp_path / "work" / "templates")
    _, text = run_script(tmp_path, readme_block(CFN_HEADING))
    assert text.count("Successfully created/updated stack - seed-source") == 2, text
    assert "Successfully created/updated stack - seed-destination" in text, text
    completed = after(text, r"^COMPLETED$", 0)
    listed = re.findall(r"^\S+ \S+\s+\d+ AWSDynamoDB/\S+/manifest-summary\.json$", text[completed.end():], re.M)
    assert listed, text
    assert text.rstrip().endswith("7"), text[-300:]
