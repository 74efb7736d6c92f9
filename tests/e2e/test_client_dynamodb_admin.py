"""dynamodb-admin (npm, pinned in tests/clients/js/package-lock.json) browsing strata's DynamoDB.

Started with `--skip-default-credentials`, it signs with the account's keys from the
environment, as any SDK client does, and its pages show the account's tables and items. Without
the flag it sends the environment's keys with a made-up session token (`token`, when
AWS_SESSION_TOKEN is unset), which strata refuses as AWS does: UnrecognizedClientException, "The
security token included in the request is invalid.", shown by dynamodb-admin as a 500 with that
message. `AWS_SESSION_TOKEN=` (set, empty) works too: no token is sent."""

import json
import os
import re
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from aws_helpers import batch_write, new_table, wait_active
from browser_helpers import artifacts_dir, browser, expect  # noqa: F401 (browser is a fixture)
from conftest import ACCOUNTS, REGION
from test_client_javascript import install_js_clients

BROWSER_NEEDED_BY = "dynamodb-admin's browser test needs"
ADMIN = "node_modules/dynamodb-admin/dist/dynamodb-admin.js"


@pytest.fixture(scope="module")
def tables(server):
    """Two tables of the source account (the first with a sort key and 30 items) and one of the
    destination account, which dynamodb-admin run as the source account must not show."""
    ddb = server.client("dynamodb")
    first = new_table(ddb, "admin-orders", range_key=("sk", "N"))
    second = new_table(ddb, "admin-empty")
    other = new_table(server.client("dynamodb", "destination"), "admin-other")
    wait_active(ddb, first)
    items = [{"pk": {"S": f"order-{i % 3}"}, "sk": {"N": str(i)}, "note": {"S": f"note {i}"}} for i in range(30)]
    batch_write(ddb, first, puts=items)
    return first, second, other


@contextmanager
def dynamodb_admin(server, *args, **env):
    """dynamodb-admin on a free port as the source account, with `args` and `env` added;
    yields (its base URL, a function returning its output so far)."""
    js = install_js_clients()
    _, akid, secret = ACCOUNTS["source"]
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    full_env.update(
        AWS_ACCESS_KEY_ID=akid,
        AWS_SECRET_ACCESS_KEY=secret,
        AWS_REGION=REGION,
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        DYNAMO_ENDPOINT=server.endpoint,
    )
    full_env.update(env)
    with tempfile.NamedTemporaryFile("w+", prefix="dynamodb-admin-", suffix=".log") as out:
        log = Path(out.name)
        proc = subprocess.Popen(
            ["node", ADMIN, "--host", "127.0.0.1", "--port", "0", *args],
            cwd=js,
            env=full_env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.time() + 30
            while not (match := re.search(r"dynamodb-admin listening on (http://\S+)", log.read_text())):
                assert proc.poll() is None, f"dynamodb-admin exited {proc.returncode}:\n{log.read_text()}"
                assert time.time() < deadline, f"dynamodb-admin did not start:\n{log.read_text()}"
                time.sleep(0.1)
            yield match.group(1), log.read_text
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def fetch(base, path):
    """GET `base + path`: (status, body text)."""
    try:
        with urllib.request.urlopen(base + path, timeout=30) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def test_dynamodb_admin_browses_the_accounts_tables(server, tables):
    first, second, other = tables
    with dynamodb_admin(server, "--skip-default-credentials") as (base, output):
        status, body = fetch(base, "/api/tables")
        assert status == 200, (body, output())
        names = [t["TableName"] for t in json.loads(body)]
        assert first in names and second in names, names
        assert other not in names, names  # the destination account's table

        status, page = fetch(base, "/")
        assert status == 200, (page, output())
        assert first in page and second in page, page

        status, page = fetch(base, f"/tables/{first}")
        assert status == 200, (page, output())
        assert first in page, page

        status, page = fetch(base, f"/tables/{first}/meta")
        assert status == 200, (page, output())
        assert first in page and "ACTIVE" in page, page

        # The items, as the table page fetches them: a scan page of 25, then the rest.
        status, body = fetch(base, f"/tables/{first}/items")
        assert status == 200, (body, output())
        page = json.loads(body)
        assert len(page["Items"]) == 25 and page["nextKey"], page
        status, body = fetch(base, f"/tables/{first}/items?pageNum=2&startKey={page['nextKey']}")
        assert status == 200, (body, output())
        rest = json.loads(body)
        items = page["Items"] + rest["Items"]
        assert sorted(i["sk"] for i in items) == list(range(30)), items
        assert {i["pk"] for i in items} == {"order-0", "order-1", "order-2"}, items
        assert all(i["note"] == f"note {i['sk']}" for i in items), items

        key = urllib.parse.quote("order-1,4")
        status, page = fetch(base, f"/tables/{first}/items/{key}")
        assert status == 200, (page, output())
        assert "note 4" in page, page

        status, body = fetch(base, f"/tables/{second}/items")
        assert status == 200, (body, output())
        assert json.loads(body)["Items"] == [], body


def test_dynamodb_admin_with_an_empty_session_token(server, tables):
    first, _, _ = tables
    with dynamodb_admin(server, AWS_SESSION_TOKEN="") as (base, output):
        status, body = fetch(base, "/api/tables")
        assert status == 200, (body, output())
        assert first in [t["TableName"] for t in json.loads(body)]


def test_dynamodb_admin_default_credentials_are_refused_as_on_aws(server, tables):
    """Its default session token `token` names no session: strata answers as DynamoDB does."""
    with dynamodb_admin(server) as (base, output):
        status, body = fetch(base, "/api/tables")
        assert status == 500, body
        assert json.loads(body)["message"] == "The security token included in the request is invalid.", body
        deadline = time.time() + 10
        while "UnrecognizedClientException" not in output():
            assert time.time() < deadline, output()
            time.sleep(0.1)


def test_dynamodb_admin_pages_render_the_tables_and_items_in_a_browser(server, tables, browser):
    """Its pages in a real browser: the tables list, then a table's page, whose own script
    fetches the items (a scan page of 25) and draws them; its next page draws the other 5."""
    first, second, other = tables
    with dynamodb_admin(server, "--skip-default-credentials") as (base, output):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(20_000)
        errors, dialogs = [], []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        try:
            page.goto(base + "/")
            for name in (first, second):
                expect(page.locator(f'li[data-table-name="{name}"] a').first).to_have_text(name)
            expect(page.locator(f'li[data-table-name="{other}"]')).to_have_count(0)
            page.screenshot(path=str(artifacts_dir() / "dynamodb-admin-01-tables.png"), full_page=True)

            page.locator(f'li[data-table-name="{first}"] a').first.click()
            page.wait_for_url(f"**/tables/{urllib.parse.quote(first)}")
            expect(page.locator(".breadcrumb")).to_contain_text(first)
            rows = page.locator("#items-container tr")
            expect(rows).to_have_count(25)
            expect(page.locator("#table-placeholder")).to_be_hidden()
            expect(page.locator("#error-wrapper .alert")).to_have_count(0)
            headings = page.locator("#actions-row th").all_inner_texts()
            assert [h.strip() for h in headings] == ["Actions", "pk", "sk", "note"], headings
            page.screenshot(path=str(artifacts_dir() / "dynamodb-admin-02-items.png"), full_page=True)
            seen = shown_items(rows)

            page.locator(".page-link-next").click()
            page.wait_for_url("**pageNum=2**")
            expect(rows).to_have_count(5)
            expect(page.locator("#error-wrapper .alert")).to_have_count(0)
            seen += shown_items(rows)
            assert sorted(sk for _, sk, _ in seen) == list(range(30)), seen
            for pk, sk, note in seen:
                assert pk == f"order-{sk % 3}" and note == f"note {sk}", (pk, sk, note)
            assert errors == [] and dialogs == [], (errors, dialogs, output())
        finally:
            context.close()


def shown_items(rows):
    """The (pk, sk, note) each row of the items table shows, as the page renders the values:
    JSON (strings quoted)."""
    items = []
    for cells in rows.evaluate_all("rows => rows.map(r => Array.from(r.cells, c => c.innerText.trim()))"):
        assert cells[0] == "View", cells
        items.append((json.loads(cells[1]), json.loads(cells[2]), json.loads(cells[3])))
    return items
