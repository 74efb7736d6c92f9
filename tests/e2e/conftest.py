"""The one fixture that starts strata for the end-to-end tests.

Tests talk HTTP to a real `strata serve` through boto3 and the AWS CLI. The server
binary is `$STRATA_BIN` if set, else `target/debug/strata` (built on first use).
Accounts come from a config file with fixed keys, so tests know them.
"""

import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import boto3
import botocore.config
import pytest

ROOT = Path(__file__).resolve().parents[2]
REGION = "us-east-1"

ACCOUNTS = {
    "source": ("111111111111", "AKIASOURCEROOT000001", "source-root-secret-key"),
    "destination": ("222222222222", "AKIADESTROOT00000001", "destination-root-secret-key"),
}

CONFIG = f'region = "{REGION}"\n' + "".join(
    f'[[account]]\nid = "{aid}"\nalias = "{alias}"\n'
    f'root_access_key_id = "{akid}"\nroot_secret_access_key = "{secret}"\n'
    for alias, (aid, akid, secret) in ACCOUNTS.items()
)


def strata_bin() -> str:
    if os.environ.get("STRATA_BIN"):
        return os.environ["STRATA_BIN"]
    path = ROOT / "target" / "debug" / "strata"
    if not path.exists():
        subprocess.run(["cargo", "build", "-p", "strata"], cwd=ROOT, check=True)
    return str(path)


@dataclass
class Server:
    """A running `strata serve` child process."""

    process: subprocess.Popen
    endpoint: str
    data_dir: Path
    banner: str

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def client(self, service: str, account: str = "source", **overrides):
        _, akid, secret = ACCOUNTS[account]
        kwargs = dict(
            aws_access_key_id=akid,
            aws_secret_access_key=secret,
            region_name=REGION,
            endpoint_url=self.endpoint,
            config=botocore.config.Config(retries={"max_attempts": 1}),
        )
        kwargs.update(overrides)
        return boto3.client(service, **kwargs)

    def aws(self, *args: str, account: str = "source", env: dict | None = None, check: bool = True):
        """Runs the AWS CLI against this server; returns the CompletedProcess."""
        _, akid, secret = ACCOUNTS[account]
        full_env = {
            k: v for k, v in os.environ.items() if not k.startswith("AWS_")
        }
        full_env.update(
            AWS_ACCESS_KEY_ID=akid,
            AWS_SECRET_ACCESS_KEY=secret,
            AWS_DEFAULT_REGION=REGION,
            AWS_CONFIG_FILE="/dev/null",
            AWS_SHARED_CREDENTIALS_FILE="/dev/null",
        )
        full_env.update(env or {})
        return subprocess.run(
            ["aws", "--endpoint-url", self.endpoint, "--output", "json", *args],
            env=full_env,
            capture_output=True,
            text=True,
            check=check,
        )

    def get(self, path: str) -> bytes:
        with urllib.request.urlopen(self.endpoint + path, timeout=10) as r:
            return r.read()

    def advance_clock(self, seconds: float) -> dict:
        """Moves this server's clock `seconds` forward (POST /_strata/clock, persisted in its
        data directory); returns the endpoint's answer (`now`, `offset_seconds`)."""
        request = urllib.request.Request(
            self.endpoint + "/_strata/clock", data=json.dumps({"advance_seconds": seconds}).encode(), method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as r:
                status, body = r.status, r.read()
        except urllib.error.HTTPError as e:
            status, body = e.code, e.read()
        assert status == 200, body
        return json.loads(body)


def start_server(data_dir: Path, *extra: str, config: str | None = CONFIG) -> Server:
    args = [strata_bin(), "serve", "--port", "0", "--data-dir", str(data_dir), *extra]
    if config is not None:
        config_path = data_dir.parent / f"{data_dir.name}.toml"
        config_path.write_text(config)
        args += ["--config", str(config_path)]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    first = proc.stdout.readline()
    match = re.match(r"strata listening on (http://\S+)", first)
    if not match:
        proc.kill()
        raise RuntimeError(f"strata did not start: {first!r}")
    banner = first
    # The account lines follow the first line; read them so the pipe never fills.
    while True:
        line = proc.stdout.readline()
        banner += line
        if not line or line.startswith("try:"):
            break
    server = Server(proc, match.group(1), data_dir, banner)
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


@pytest.fixture(scope="session")
def workdir():
    path = Path(tempfile.mkdtemp(prefix="strata-e2e-"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def server(workdir):
    """One server shared by the tests that do not restart it."""
    s = start_server(workdir / "shared")
    yield s
    s.stop()


@pytest.fixture(scope="session")
def ddb(server):
    """A DynamoDB client of the source account's root on the shared server."""
    return server.client("dynamodb")


@pytest.fixture
def fresh_data_dir(workdir, request):
    """A unique data directory for a test that starts its own servers."""
    path = workdir / re.sub(r"\W", "_", request.node.name)
    path.mkdir()
    return path
