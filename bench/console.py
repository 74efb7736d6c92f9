#!/usr/bin/env python3
"""The web console's weight and time to first render, for an account of N tables.

Starts a release strata (temporary data directory), creates N tables in the `source` account
with boto3, then opens /_strata/console/ in Debian's chromium (Playwright) ROUNDS times and
reports, per round:
- first render: from navigation to the tables list drawn (`body[data-ready]`, every table
  named on the page), as the browser's clock measures it;
- the console's own files (bytes over the wire) and the requests made before the list showed;
and how many DescribeTable calls the first screen cost (rows are described as they scroll
into view, so a 1,000-table account does not wait for 1,000 calls).

Usage: .venv/bin/python bench/console.py [--tables 1000] [--rounds 5] [--skip-build]
Needs chromium (/usr/bin/chromium) and playwright==1.65.3 (tests/e2e/requirements.txt).
"""

import argparse
import json
import os
import pathlib
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request

import boto3
from playwright.sync_api import sync_playwright

REPO = pathlib.Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tables", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--skip-build", action="store_true")
    args = parser.parse_args()
    if not args.skip_build:
        subprocess.run(["cargo", "build", "--release", "-p", "strata"], cwd=REPO, check=True)
    work = pathlib.Path(tempfile.mkdtemp(prefix="strata-console-bench."))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [str(REPO / "target/release/strata"), "serve", "--port", str(port), "--data-dir", str(work / "data")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, "RUST_LOG": "warn"})
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/_strata/health")
                break
            except OSError:
                time.sleep(0.1)
        source = next(a for a in json.load(urllib.request.urlopen(base + "/_strata/accounts"))["accounts"]
                      if a["alias"] == "source")
        ddb = boto3.client("dynamodb", endpoint_url=base, region_name="us-east-1",
                           aws_access_key_id=source["access_key_id"], aws_secret_access_key=source["secret_access_key"])
        started = time.time()
        for i in range(args.tables):
            ddb.create_table(TableName=f"table-{i:05d}", BillingMode="PAY_PER_REQUEST",
                             KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                             AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
        print(f"{args.tables} tables created in {time.time() - started:.1f}s")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            for round_ in range(args.rounds):
                # The console's CSP forbids eval, which Playwright's waits use.
                page = browser.new_page(bypass_csp=True)
                requests = []
                page.on("request", lambda r: requests.append(r))
                page.goto(base + "/_strata/console/#/dynamodb")
                page.wait_for_function(f"document.querySelectorAll('tr[data-table]').length === {args.tables}",
                                       timeout=30000)
                rendered = page.evaluate("performance.now()")
                page.wait_for_timeout(300)
                files = [r for r in requests if "/_strata/console/" in r.url]
                weight = sum(len(r.response().body()) for r in files if r.response())
                targets = [r.headers.get("x-amz-target", "") for r in requests]
                lists = sum(t.endswith("ListTables") for t in targets)
                describes = sum(t.endswith("DescribeTable") for t in targets)
                print(f"round {round_ + 1}: first render {rendered:.0f} ms; console files {len(files)} "
                      f"({weight / 1024:.1f} KiB); ListTables {lists}, DescribeTable {describes} "
                      f"(rows on the first screen)")
                page.close()
            browser.close()
    finally:
        server.kill()
        server.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
