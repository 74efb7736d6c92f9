"""The web console at /_strata/console/ (issue 23), driven in a real browser: Debian's
`chromium`, headless, through Playwright for Python (pointed at the system browser; Playwright's
own browser downloads are never used).

Each test does what a user does on the page (fills a form, clicks, switches the account) and
checks what the page then shows, and with boto3 what the server then holds. Screenshots of every
page go to `$STRATA_ARTIFACTS` if set, else `tests/e2e/artifacts/console/`.

The tests share a server of their own: they move its clock and read its list of denials.
Without Playwright or chromium they skip, except under CI (`CI` set), where they fail saying what
to install."""

import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime

import botocore.config
import pytest

from aws_helpers import batch_write, client_error, export_id, new_table, policy, unique, wait_active, wait_export
from browser_helpers import artifacts_dir, browser, expect  # noqa: F401 (browser is a fixture)
from conftest import ACCOUNTS, REGION, start_server
from s3_helpers import s3_client as s3v4_client

BROWSER_NEEDED_BY = "the console's browser tests need"
SOURCE, DEST = ACCOUNTS["source"][0], ACCOUNTS["destination"][0]
XSS = "<img src=x onerror=alert(1)>"
TIMEOUT_MS = 20_000


# ---- fixtures ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def console(workdir):
    """A server of this module's own (its clock is moved, its denials read)."""
    s = start_server(workdir / "console")
    yield s
    s.stop()


class Page:
    """A browser tab on the console, recording the dialogs and script errors it sees."""

    def __init__(self, page, server, name):
        self.page = page
        self.server = server
        self.name = name
        self.dialogs = []
        self.errors = []
        self.shots = 0
        page.on("dialog", self._dialog)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.set_default_timeout(TIMEOUT_MS)

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def open(self, hash="#/dynamodb", ok=True):
        """Loads the console at `hash` and waits for the view to render."""
        self.page.goto(f"{self.server.endpoint}/_strata/console/{hash}")
        self.ready(hash, ok)

    def go(self, hash, ok=True):
        """Moves to `hash` in the same page (no reload) and waits for the view."""
        self.page.evaluate("h => { location.hash = h; }", hash)
        self.ready(hash, ok)

    def ready(self, hash, ok=True):
        self.page.wait_for_function("h => document.body.dataset.ready === h", arg=hash)
        if ok:
            failure = self.page.locator("#main > p.error")
            assert failure.count() == 0, f"{hash} failed: {failure.all_inner_texts()}"

    def rerender(self, action, hash, ok=True):
        """Runs `action`, which re-renders the current view (`hash`), and waits for it."""
        self.page.evaluate("() => { delete document.body.dataset.ready; }")
        action()
        self.ready(hash, ok)

    def mark(self):
        """Marks the document: `marked()` is false once the page has been reloaded."""
        self.page.evaluate("() => { window.__strataTestMark = true; }")

    def marked(self):
        return self.page.evaluate("() => window.__strataTestMark === true")

    def snap(self, label):
        """Saves a screenshot of the whole page as `<test>-<n>-<label>.png` (the same names
        at every run)."""
        self.shots += 1
        path = artifacts_dir() / f"{self.name}-{self.shots:02d}-{label}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def row(self, table_selector, header):
        """The value cell of the row whose header cell reads `header` (a two-column table)."""
        heading = self.page.locator("th", has_text=re.compile(f"^{re.escape(header)}$"))
        return self.page.locator(table_selector).locator("tr").filter(has=heading).locator("td")


@pytest.fixture
def page(browser, console, request):
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    tab = Page(context.new_page(), console, re.sub(r"\W+", "-", request.node.name.removeprefix("test_")))
    yield tab
    context.close()
    assert tab.dialogs == [], f"the page opened dialogs: {tab.dialogs}"
    assert tab.errors == [], f"the page's scripts failed: {tab.errors}"


def s3_client(server, account="source", **overrides):
    config = botocore.config.Config(
        s3={"addressing_style": "path"}, retries={"max_attempts": 1}, request_checksum_calculation="when_required"
    )
    return server.client("s3", account, config=config, **overrides)


def table_arn(name, account=SOURCE):
    return f"arn:aws:dynamodb:{REGION}:{account}:table/{name}"


def export_bucket(server):
    """A bucket of the destination account whose policy lets the source account's root write
    exports into it (the seed's policy, templates/seed-destination.yaml)."""
    s3 = s3_client(server, "destination")
    bucket = unique("console-exports")
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_policy(
        Bucket=bucket,
        Policy=policy(
            {
                "Sid": "SourceAccountExports",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{SOURCE}:root"},
                "Action": ["s3:PutObject", "s3:PutObjectAcl", "s3:AbortMultipartUpload"],
                "Resource": f"arn:aws:s3:::{bucket}/*",
            }
        ),
    )
    return bucket, s3


def active_pitr_table(ddb, prefix, **extra):
    """A new table (`new_table`'s arguments), active, with point-in-time recovery on; its name."""
    name = new_table(ddb, prefix, **extra)
    wait_active(ddb, name)
    ddb.update_continuous_backups(
        TableName=name, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )
    return name


def item(pk, **attrs):
    return {"pk": {"S": pk}, **{k: {"S": v} for k, v in attrs.items()}}


def clock(server):
    return json.loads(server.get("/_strata/clock"))


# ---- DynamoDB ----------------------------------------------------------------------------


def test_create_a_table_with_pitr_from_the_page(page, console):
    ddb = console.client("dynamodb")
    name = unique("console-made")
    page.open("#/dynamodb")
    form = page.page.locator("#create-table")
    form.locator("input[name=name]").fill(name)
    form.locator("input[name=pk]").fill("id")
    form.locator("input[name=sk]").fill("at")
    expect(form.locator("input[name=pitr]")).to_be_checked()
    page.snap("dynamodb")
    form.get_by_role("button", name="Create table").click()
    page.ready(f"#/dynamodb/{name}")
    main = page.page.locator("#main")
    expect(main.locator("h1")).to_have_text(f"Table {name}")
    expect(main.locator(".card").filter(has_text="Key")).to_contain_text("id (HASH), at (RANGE)")
    expect(page.page.locator("#pitr-status")).to_contain_text("ENABLED")
    expect(page.page.locator("#timeline")).to_be_visible()
    expect(page.page.locator("#export-form")).to_be_visible()
    page.snap("table")

    # The server holds what the page made.
    table = ddb.describe_table(TableName=name)["Table"]
    assert table["KeySchema"] == [
        {"AttributeName": "id", "KeyType": "HASH"},
        {"AttributeName": "at", "KeyType": "RANGE"},
    ]
    pitr = ddb.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"][
        "PointInTimeRecoveryDescription"
    ]
    assert pitr["PointInTimeRecoveryStatus"] == "ENABLED"

    # The timeline spans the restorable window: both ends are labelled, and a click on it
    # picks an export time inside the window.
    earliest, latest = pitr["EarliestRestorableDateTime"], pitr["LatestRestorableDateTime"]
    labels = page.page.locator(".timeline-labels span").all_inner_texts()
    assert labels[0] == earliest.strftime("%Y-%m-%dT%H:%M:%SZ"), labels
    box = page.page.locator("#timeline").bounding_box()
    page.page.mouse.click(box["x"] + box["width"] - 1, box["y"] + box["height"] / 2)
    chosen = page.page.locator("#export-time").input_value()
    picked = datetime.fromisoformat(chosen.replace("Z", "+00:00"))
    assert earliest.replace(microsecond=0) <= picked <= latest, (chosen, earliest, latest)

    # And the tables list shows it with its key once described.
    page.go("#/dynamodb")
    row = page.page.locator(f'tr[data-table="{name}"]')
    expect(row.locator("td").nth(1)).to_have_text("ACTIVE")
    expect(row.locator("td").nth(2)).to_have_text("id (HASH), at (RANGE)")


def test_put_edit_and_delete_an_item_from_the_page(page, console):
    ddb = console.client("dynamodb")
    name = new_table(ddb, "console-items")
    wait_active(ddb, name)
    ddb.put_item(TableName=name, Item=item("already", note="put by boto3"))
    page.open(f"#/dynamodb/{name}")
    items = page.page.locator("#items")
    expect(items.locator('[data-item=\'{"pk":"already"}\']')).to_contain_text("put by boto3")

    # Put a new item from the editor.
    big = "12345678901234567890123456789"  # more digits than a double keeps
    page.page.locator("#item-editor").fill(
        json.dumps({"pk": {"S": "from-page"}, "n": {"N": "7"}, "big": {"N": big}, "note": {"S": "first"}})
    )
    page.page.locator("#put-item").get_by_role("button", name="Put item").click()
    card = items.locator('[data-item=\'{"pk":"from-page"}\']')
    expect(card).to_contain_text('"note": "first"')
    expect(card).to_contain_text('"n": 7')
    expect(card).to_contain_text(big)
    expect(page.page.locator("#item-editor")).to_have_value("")
    assert ddb.get_item(TableName=name, Key={"pk": {"S": "from-page"}}, ConsistentRead=True)["Item"] == {
        "pk": {"S": "from-page"},
        "n": {"N": "7"},
        "big": {"N": big},
        "note": {"S": "first"},
    }
    page.snap("items")

    # Edit it: the editor gets the item as DynamoDB JSON; change it and put it back.
    card.get_by_role("button", name="Edit").click()
    edited = json.loads(page.page.locator("#item-editor").input_value())
    assert edited == {"pk": {"S": "from-page"}, "n": {"N": "7"}, "big": {"N": big}, "note": {"S": "first"}}
    edited["note"] = {"S": "edited on the page"}
    page.page.locator("#item-editor").fill(json.dumps(edited))
    page.page.locator("#put-item").get_by_role("button", name="Put item").click()
    expect(card).to_contain_text('"note": "edited on the page"')
    assert ddb.get_item(TableName=name, Key={"pk": {"S": "from-page"}}, ConsistentRead=True)["Item"]["note"] == {
        "S": "edited on the page"
    }

    # Query by key shows that item only.
    page.page.locator("#query-form input[name=value]").fill("from-page")
    page.page.locator("#query-form").get_by_role("button", name="Query").click()
    expect(items.locator("[data-item]")).to_have_count(1)
    expect(card).to_be_visible()

    # Delete it.
    card.get_by_role("button", name="Delete").click()
    expect(card).to_have_count(0)
    assert "Item" not in ddb.get_item(TableName=name, Key={"pk": {"S": "from-page"}}, ConsistentRead=True)
    # The other item is still there, on the page and on the server.
    page.page.locator("#query-form input[name=value]").fill("")
    page.page.locator("#query-form").get_by_role("button", name="Query").click()
    expect(items.locator('[data-item=\'{"pk":"already"}\']')).to_be_visible()
    assert ddb.get_item(TableName=name, Key={"pk": {"S": "already"}})["Item"]


# ---- exports -----------------------------------------------------------------------------


def test_run_a_cross_account_export_from_the_page(page, console):
    ddb = console.client("dynamodb")
    name = active_pitr_table(ddb, "console-export")
    # Written a while after PITR was turned on, as a user does: an export as of now holds them
    # (the restorable window, which ends five minutes back, would not).
    time.sleep(1.1)
    batch_write(ddb, name, [item(f"k{i}", note=f"note {i}") for i in range(3)])
    bucket, dest_s3 = export_bucket(console)

    page.open(f"#/dynamodb/{name}")
    page.mark()
    form = page.page.locator("#export-form")
    form.locator("input[name=bucket]").fill(bucket)
    form.locator("input[name=owner]").fill(DEST)
    page.snap("export-form")
    form.get_by_role("button", name="Export").click()
    page.page.wait_for_function("() => (document.body.dataset.ready || '').startsWith('#/exports/')")
    hash = page.page.evaluate("() => location.hash")
    arn = urllib.parse.unquote(hash[len("#/exports/") :])
    assert arn.startswith(table_arn(name) + "/export/"), arn
    page.ready(hash)

    # It completes on the page by itself (no reload), with its item count.
    expect(page.row("#export", "Status")).to_have_text("COMPLETED", timeout=60_000)
    expect(page.row("#export", "Items")).to_have_text("3")
    expect(page.row("#export", "Bucket (owner)")).to_have_text(f"{bucket} ({DEST})")
    assert page.marked(), "the page was reloaded"
    described = ddb.describe_export(ExportArn=arn)["ExportDescription"]
    assert described["ExportStatus"] == "COMPLETED" and described["ItemCount"] == 3
    # The source account cannot list another account's bucket: the page says so, and links the folder.
    expect(page.page.locator("#main")).to_contain_text("another account's bucket")
    folder = f"AWSDynamoDB/{export_id(arn)}/"
    link = page.page.locator("#export-folder")
    expect(link).to_have_text(f"s3://{bucket}/{folder}")
    page.snap("export")

    # The exports list shows it too.
    page.go("#/exports")
    row = page.page.locator("#exports tr").filter(has_text=export_id(arn))
    expect(row).to_contain_text("COMPLETED")
    expect(row).to_contain_text(name)
    page.snap("exports")
    page.page.go_back()
    page.ready(hash)

    # Its folder link opens the bucket browser, where the source account may not list...
    folder_hash = f"#/s3/{bucket}/{urllib.parse.quote(folder, safe='')}"
    page.page.locator("#export-folder").click()
    page.ready(folder_hash, ok=False)
    expect(page.page.locator("#main > p.error")).to_contain_text("AccessDenied")
    # ...and the destination account, the bucket's owner, sees the export's files.
    page.rerender(lambda: page.page.select_option("#account", DEST), folder_hash)
    objects = page.page.locator("#objects")
    expect(objects).to_contain_text("manifest-summary.json")
    objects.get_by_role("link", name="data/").click()
    data_hash = f"#/s3/{bucket}/{urllib.parse.quote(folder + 'data/', safe='')}"
    page.ready(data_hash)
    listed = dest_s3.list_objects_v2(Bucket=bucket, Prefix=folder + "data/")["Contents"]
    assert listed
    for o in listed:
        assert o["Key"].endswith(".json.gz"), o["Key"]
        expect(objects).to_contain_text(o["Key"][len(folder + "data/") :])
    page.snap("export-files")
    assert page.marked(), "the page was reloaded"


def test_the_exports_list_updates_without_reloading(page, console):
    ddb = console.client("dynamodb")
    name = active_pitr_table(ddb, "console-live")
    bucket = unique("console-own")
    s3_client(console).create_bucket(Bucket=bucket)
    page.open("#/exports")
    page.mark()
    started = ddb.export_table_to_point_in_time(TableArn=table_arn(name), S3Bucket=bucket)["ExportDescription"]
    row = page.page.locator(f'#exports tr[data-export="{started["ExportArn"]}"]')
    expect(row).to_contain_text("COMPLETED", timeout=60_000)
    assert wait_export(ddb, started["ExportArn"])["ExportStatus"] == "COMPLETED"
    assert page.marked(), "the page was reloaded"
    # Its page lists the files it wrote (into the account's own bucket).
    arn = started["ExportArn"]
    row.get_by_role("link", name=export_id(arn), exact=True).click()
    page.ready(f"#/exports/{urllib.parse.quote(arn, safe='')}")
    folder = f"AWSDynamoDB/{export_id(arn)}/"
    written = [o["Key"] for o in s3_client(console).list_objects_v2(Bucket=bucket, Prefix=folder)["Contents"]]
    files = page.page.locator("#export-files li")
    expect(files).to_have_count(len(written))
    assert sorted(line.split(" ")[0] for line in files.all_inner_texts()) == sorted(written)
    # The list's files link opens the bucket browser on the export's folder.
    page.page.go_back()
    page.ready("#/exports")
    page.page.locator(f'#exports tr[data-export="{arn}"] a[href^="#/s3/"]').click()
    page.ready(f"#/s3/{bucket}/{urllib.parse.quote(folder, safe='')}")
    expect(page.page.locator("#objects")).to_contain_text("manifest-files.json")


def test_the_exports_list_shows_every_page(page, console):
    """ListExports answers ten exports a page: the list follows NextToken to show them all."""
    ddb = console.client("dynamodb")
    name = active_pitr_table(ddb, "console-many")
    ddb.put_item(TableName=name, Item=item("only"))
    bucket = unique("console-many")
    s3_client(console).create_bucket(Bucket=bucket)
    arns = [
        ddb.export_table_to_point_in_time(TableArn=table_arn(name), S3Bucket=bucket)["ExportDescription"]["ExportArn"]
        for _ in range(11)
    ]
    assert all(wait_export(ddb, arn, timeout=60)["ExportStatus"] == "COMPLETED" for arn in arns)
    first = ddb.list_exports()
    assert len(first["ExportSummaries"]) == 10 and first.get("NextToken"), first

    page.open("#/exports")
    for arn in arns:
        expect(page.page.locator(f'#exports tr[data-export="{arn}"]')).to_contain_text("COMPLETED")
    listed = page.page.locator("#exports tr[data-export]").evaluate_all("rows => rows.map(r => r.dataset.export)")
    everything, token = [], None
    while True:
        listed_page = ddb.list_exports(**({"NextToken": token} if token else {}))
        everything += [e["ExportArn"] for e in listed_page["ExportSummaries"]]
        if not (token := listed_page.get("NextToken")):
            break
    assert sorted(listed) == sorted(everything), (listed, everything)
    expect(page.page.locator("#refresh-error")).to_have_count(0)
    page.snap("exports")


# ---- why denied --------------------------------------------------------------------------


def test_a_denial_and_its_trace(page, console):
    dest_s3 = s3_client(console, "destination")
    bucket = unique("console-private")
    dest_s3.create_bucket(Bucket=bucket)
    key = unique("secret") + ".txt"
    dest_s3.put_object(Bucket=bucket, Key=key, Body=b"not for you")
    iam = console.client("iam")
    user = unique("console-nobody")
    user_arn = iam.create_user(UserName=user)["User"]["Arn"]
    access = iam.create_access_key(UserName=user)["AccessKey"]
    intruder = s3_client(
        console, aws_access_key_id=access["AccessKeyId"], aws_secret_access_key=access["SecretAccessKey"]
    )
    error = client_error(lambda: intruder.get_object(Bucket=bucket, Key=key))
    assert error["Error"]["Code"] == "AccessDenied"
    message = error["Error"]["Message"]

    page.open("#/denials")
    denial = page.page.locator("#denials details").filter(has_text=f"arn:aws:s3:::{bucket}/{key}").first
    summary = denial.locator("summary")
    expect(summary).to_contain_text("s3:GetObject")
    expect(summary).to_contain_text(user_arn)
    assert denial.get_attribute("data-action") == "s3:GetObject"
    expect(denial.locator("p.error")).to_be_hidden()
    summary.click()
    expect(denial.locator("p.error")).to_be_visible()
    expect(denial.locator("p.error")).to_have_text(message)
    # It stays open when the list is redrawn: a new denial appears by the live refresh (every
    # 3 s, no reload), above it and closed.
    page.mark()
    later = unique("later") + ".txt"
    dest_s3.put_object(Bucket=bucket, Key=later, Body=b"not for you either")
    assert client_error(lambda: intruder.get_object(Bucket=bucket, Key=later))["Error"]["Code"] == "AccessDenied"
    newer = page.page.locator("#denials details").filter(has_text=f"arn:aws:s3:::{bucket}/{later}")
    expect(newer).to_have_count(1, timeout=10_000)
    assert page.marked(), "the page was reloaded"
    expect(page.page.locator("#denials details").first).to_contain_text(later)
    expect(newer).not_to_have_attribute("open", re.compile(".*"))
    expect(newer.locator("p.error")).to_be_hidden()
    expect(denial).to_have_attribute("open", "")
    expect(denial.locator("p.error")).to_be_visible()
    trace = denial.locator("ul li")
    assert trace.count() >= 1
    expect(trace.first).to_be_visible()
    assert all(line.strip() for line in trace.all_inner_texts())
    page.snap("denials")

    # The simulator decides the same request, and one the bucket's owner may make.
    simulate = page.page.locator("#simulate")
    simulate.locator("input[name=principal]").fill(user_arn)
    simulate.locator("input[name=action]").fill("s3:GetObject")
    simulate.locator("input[name=resource]").fill(f"arn:aws:s3:::{bucket}/{key}")
    simulate.locator("input[name=account]").fill(DEST)
    simulate.get_by_role("button", name="Simulate").click()
    answer = page.page.locator("#simulation")
    expect(answer).to_contain_text('"decision"')
    result = json.loads(answer.inner_text())
    assert result["decision"] == "ImplicitDeny", result
    assert result["trace"], result
    simulate.locator("input[name=principal]").fill(f"arn:aws:iam::{DEST}:root")
    simulate.get_by_role("button", name="Simulate").click()
    expect(answer).to_contain_text('"decision": "Allow"')
    page.snap("simulation")


def test_a_failed_live_refresh_is_said_above_the_view(page, console):
    """The live refresh of a view (here the denials, every 3 s) that fails says so above the
    view, which stays; the line goes once a refresh succeeds again."""
    page.open("#/denials")
    page.mark()

    def failing(route):
        route.fulfill(status=500, content_type="application/json", body='{"error":"disk on fire"}')

    page.page.route("**/_strata/denials*", failing)
    problem = page.page.locator("#main > #refresh-error")
    expect(problem).to_have_text("Live refresh failed (retrying): 500: disk on fire", timeout=10_000)
    expect(page.page.locator("#main > p.error")).to_have_count(1)
    expect(page.page.locator("#denials")).to_be_visible()
    page.snap("refresh-failed")
    page.page.unroute("**/_strata/denials*", failing)
    expect(problem).to_have_count(0, timeout=10_000)
    expect(page.page.locator("#denials")).to_be_visible()
    assert page.marked(), "the page was reloaded"


# ---- S3 ----------------------------------------------------------------------------------


def test_create_a_bucket_upload_and_download_from_the_page(page, console, tmp_path):
    s3 = s3_client(console)
    bucket = unique("console-bucket")
    page.open("#/s3")
    form = page.page.locator("#create-bucket")
    form.locator("input[name=name]").fill(bucket)
    page.rerender(lambda: form.get_by_role("button", name="Create bucket").click(), "#/s3")
    link = page.page.locator("#buckets").get_by_role("link", name=bucket, exact=True)
    expect(link).to_be_visible()
    s3.head_bucket(Bucket=bucket)
    page.snap("buckets")

    # Its settings, made with boto3, show in words.
    s3.put_bucket_ownership_controls(
        Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    )
    s3.put_bucket_encryption(
        Bucket=bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    link.click()
    hash = f"#/s3/{bucket}/"
    page.ready(hash)
    expect(page.page.locator("#bucket-policy")).to_contain_text("NoSuchBucketPolicy")
    expect(page.page.locator(".card").filter(has_text="Ownership controls").locator("pre")).to_have_text(
        "BucketOwnerEnforced"
    )
    expect(page.page.locator(".card").filter(has_text="Default encryption").locator("pre")).to_have_text("AES256")
    data = bytes(range(256)) * 3 + "é\u2603\n".encode()
    page.page.locator("#upload input[type=file]").set_input_files(
        files=[{"name": "hello.bin", "mimeType": "application/octet-stream", "buffer": data}]
    )
    page.rerender(lambda: page.page.locator("#upload").get_by_role("button", name="Upload", exact=True).click(), hash)
    row = page.page.locator("#objects tr").filter(has_text="hello.bin")
    expect(row).to_have_count(1)
    expect(row.locator("td").nth(1)).to_have_text(f"{len(data)} B")
    assert s3.get_object(Bucket=bucket, Key="hello.bin")["Body"].read() == data
    page.snap("bucket")

    with page.page.expect_download() as info:
        row.get_by_role("button", name="Download").click()
    download = info.value
    assert download.suggested_filename == "hello.bin"
    target = tmp_path / "downloaded.bin"
    download.save_as(target)
    assert target.read_bytes() == data


def test_a_key_with_dot_segments_says_why_it_cannot_be_downloaded(page, console):
    """A browser resolves `.` and `..` in a URL's path before sending it, so the page cannot
    fetch such a key: the Download button says so (and downloads nothing) rather than failing
    with another object's error or silently."""
    s3 = s3_client(console)
    bucket = unique("console-dots")
    s3.create_bucket(Bucket=bucket)
    key = "up/../hidden.txt"
    s3.put_object(Bucket=bucket, Key=key, Body=b"dots")
    s3.put_object(Bucket=bucket, Key="plain.txt", Body=b"plain")
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="up/")["Contents"]] == [key]
    folder = "up/../"
    page.open(f"#/s3/{bucket}/{urllib.parse.quote(folder, safe='')}")
    row = page.page.locator("#objects tr").filter(has_text="hidden.txt")
    expect(row).to_have_count(1)
    downloads = []
    page.page.on("download", lambda d: downloads.append(d))
    row.get_by_role("button", name="Download").click()
    error = row.locator(".error")
    expect(error).to_contain_text(f"A page cannot fetch {key}")
    expect(error).to_contain_text("the browser rewrites '.' and '..' in a URL path")
    expect(error).to_contain_text("aws s3 cp")
    page.snap("dot-segments")
    assert downloads == []
    # A plain key beside it still downloads.
    page.go(f"#/s3/{bucket}/")
    with page.page.expect_download() as info:
        page.page.locator("#objects tr").filter(has_text="plain.txt").get_by_role("button", name="Download").click()
    assert info.value.suggested_filename == "plain.txt"


# ---- IAM ---------------------------------------------------------------------------------


def test_iam_roles_and_users(page, console):
    iam = console.client("iam")
    role = unique("console-role")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{DEST}:root"}, "Action": "sts:AssumeRole"}
        ],
    }
    role_arn = iam.create_role(RoleName=role, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    inline = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
    iam.put_role_policy(RoleName=role, PolicyName="reader", PolicyDocument=json.dumps(inline))
    user = unique("console-user")
    iam.create_user(UserName=user)
    key_id = iam.create_access_key(UserName=user)["AccessKey"]["AccessKeyId"]

    page.open("#/iam")
    roles = page.page.locator("#roles")
    expect(roles.locator("tr").filter(has_text=role)).to_contain_text(role_arn)
    expect(page.page.locator("#users")).to_contain_text(user)
    page.snap("iam")

    roles.get_by_role("link", name=role, exact=True).click()
    page.ready(f"#/iam/role/{role}")
    expect(page.page.locator("#main h1")).to_have_text(f"Role {role}")
    assert json.loads(page.page.locator("#trust-policy").inner_text()) == trust
    expect(page.page.locator("#main")).to_contain_text("reader")
    expect(page.page.locator("#main")).to_contain_text('"s3:GetObject"')
    page.snap("role")

    page.go("#/iam")
    page.page.locator("#users").get_by_role("link", name=user, exact=True).click()
    page.ready(f"#/iam/user/{user}")
    expect(page.page.locator("#main")).to_contain_text(f"{key_id} Active")
    page.snap("user")


# ---- the clock ---------------------------------------------------------------------------


def test_advance_the_clock_from_the_page(page, console):
    page.open("#/dynamodb")
    before = clock(console)["offset_seconds"]
    shown = page.page.locator("#clock")
    expect(shown).to_have_text(re.compile(r"^\d{4}-\d\d-\d\dT"))
    page.page.locator("#advance input[name=seconds]").fill("3600")
    page.page.locator("#advance").get_by_role("button", name="Advance").click()
    after = before + 3600
    expect(shown).to_contain_text(f"(+{after:g}s)")
    assert clock(console)["offset_seconds"] == after
    page.snap("clock")


# ---- off loopback: sign in with a key ------------------------------------------------------


def test_with_admin_auth_the_console_asks_for_a_key(browser, fresh_data_dir):
    guarded = start_server(fresh_data_dir / "data", "--admin-auth")
    context = None
    try:
        ddb = guarded.client("dynamodb")
        name = new_table(ddb, "console-guarded")
        # The console's files are served unsigned; the accounts' keys are not.
        with urllib.request.urlopen(guarded.endpoint + "/_strata/console/", timeout=10) as r:
            assert r.status == 200 and b"<title>strata console</title>" in r.read()
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(guarded.endpoint + "/_strata/accounts", timeout=10)
        assert refused.value.code == 403
        assert "secret" not in refused.value.read().decode()

        context = browser.new_context(viewport={"width": 1280, "height": 900})
        tab = Page(context.new_page(), guarded, "admin-auth")
        tab.page.goto(guarded.endpoint + "/_strata/console/")
        login = tab.page.locator("#login")
        expect(login).to_be_visible()
        expect(tab.page.locator("body")).not_to_have_attribute("data-ready", re.compile("."))
        tab.snap("login")
        _, akid, secret = ACCOUNTS["source"]
        # A wrong secret is refused, and asked for again.
        login.locator("input[name=accessKeyId]").fill(akid)
        login.locator("input[name=secretAccessKey]").fill("not-the-secret")
        login.get_by_role("button", name="Sign in").click()
        expect(login.locator(".error")).to_contain_text("refused")
        expect(login).to_be_visible()
        tab.snap("login-refused")
        login.locator("input[name=secretAccessKey]").fill(secret)
        login.get_by_role("button", name="Sign in").click()
        tab.ready("#/dynamodb")
        expect(login).to_be_hidden()
        expect(tab.page.locator(f'tr[data-table="{name}"]')).to_be_visible()
        expect(tab.page.locator("#account option:checked")).to_contain_text(SOURCE)
        # The clock is read signed with that key.
        expect(tab.page.locator("#clock")).to_have_text(re.compile(r"^\d{4}-\d\d-\d\dT"))
        tab.snap("signed-in")
        # The key is kept in the tab: a reload does not ask again.
        tab.page.reload()
        tab.ready("#/dynamodb")
        expect(login).to_be_hidden()
        assert tab.dialogs == [] and tab.errors == [], (tab.dialogs, tab.errors)
    finally:
        if context is not None:
            context.close()
        guarded.stop()


# ---- safety --------------------------------------------------------------------------------


def test_names_and_data_are_shown_as_text(page, console):
    s3 = s3_client(console)
    bucket = unique("console-xss")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key=XSS, Body=b"x")
    ddb = console.client("dynamodb")
    name = new_table(ddb, "console-xss")
    wait_active(ddb, name)
    ddb.put_item(TableName=name, Item={"pk": {"S": XSS}, XSS: {"S": XSS}})
    # A denial whose resource holds it.
    iam = console.client("iam")
    user = unique("console-xss")
    iam.create_user(UserName=user)
    access = iam.create_access_key(UserName=user)["AccessKey"]
    intruder = s3_client(
        console, aws_access_key_id=access["AccessKeyId"], aws_secret_access_key=access["SecretAccessKey"]
    )
    client_error(lambda: intruder.get_object(Bucket=bucket, Key=XSS))

    page.open(f"#/s3/{bucket}/")
    expect(page.page.locator("#objects")).to_contain_text(XSS)
    page.open(f"#/dynamodb/{name}")
    expect(page.page.locator("#items")).to_contain_text(XSS)
    page.open("#/denials")
    expect(page.page.locator("#denials")).to_contain_text(f"arn:aws:s3:::{bucket}/{XSS}")
    # A table name in the address is only ever text too (here: not a valid name).
    page.open(f"#/dynamodb/{urllib.parse.quote(XSS, safe='')}", ok=False)
    expect(page.page.locator("#main > p.error")).to_be_visible()
    page.snap("xss")
    assert page.page.locator("main img").count() == 0
    assert page.dialogs == []


STEALER = """<!doctype html>
<html><head><title>script did not run</title></head>
<body><p id="out">script did not run</p>
<script>
const say = (text) => { document.title = text; document.getElementById("out").textContent = text; };
say("script ran, fetching");
fetch("/_strata/accounts")
  .then(async (r) => say(`status ${r.status}: ${await r.text()}`))
  .catch((e) => say(`fetch failed: ${e}`));
</script></body></html>"""


def test_an_html_object_cannot_read_the_accounts_keys(browser, console):
    """An HTML object opened in a browser (a presigned URL, as a user follows a link) is served
    from strata's own origin (path-style), or from `BUCKET.localhost` (virtual-hosted), a name
    strata trusts as a local page too: either way its script could read `/_strata/accounts`, with
    every root's secret. S3's answers carry `Content-Security-Policy: sandbox`, which puts the
    page in an opaque origin with scripts off: it reads nothing. The same page served without
    that header (stripped in the browser) reads the keys, which is what the header stops."""
    bucket = unique("console-html")
    s3 = s3v4_client(console, checksums="when_required")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="page.html", Body=STEALER.encode(), ContentType="text/html")
    head = s3.head_object(Bucket=bucket, Key="page.html")["ResponseMetadata"]["HTTPHeaders"]
    assert head.get("content-security-policy") == "sandbox", head
    params = {"Bucket": bucket, "Key": "page.html"}
    path_style = s3.generate_presigned_url("get_object", Params=params, ExpiresIn=300)
    assert path_style.startswith(f"{console.endpoint}/{bucket}/page.html?"), (path_style, console.endpoint)
    port = console.endpoint.rsplit(":", 1)[1]
    virtual = console.client(
        "s3",
        endpoint_url=f"http://localhost:{port}",
        config=botocore.config.Config(s3={"addressing_style": "virtual"}, signature_version="s3v4"),
    ).generate_presigned_url("get_object", Params=params, ExpiresIn=300)
    assert virtual.startswith(f"http://{bucket}.localhost:{port}/page.html?"), virtual
    secrets = [secret for _, _, secret in ACCOUNTS.values()]

    def strip(route):
        """Answers the object's request as strata does, minus the header (fetched here, from
        strata's address: the test's resolver may not know `*.localhost`, chromium does)."""
        asked = urllib.parse.urlsplit(route.request.url)
        direct = f"{console.endpoint}{asked.path}?{asked.query}"
        with urllib.request.urlopen(urllib.request.Request(direct, headers={"Host": asked.netloc}), timeout=10) as r:
            headers = {k: v for k, v in r.headers.items() if k.lower() != "content-security-policy"}
            route.fulfill(status=r.status, headers=headers, body=r.read())

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        for label, url in [("path-style", path_style), ("virtual-hosted", virtual)]:
            tab = Page(context.new_page(), console, f"html-object-{label}")
            answers = []
            tab.page.on("response", lambda r, answers=answers: "/_strata/accounts" in r.url and answers.append(r))
            response = tab.page.goto(url)
            assert response.status == 200, label
            assert response.headers.get("content-type", "").startswith("text/html"), (label, response.headers)
            assert response.headers.get("content-security-policy") == "sandbox", (label, response.headers)
            tab.page.wait_for_load_state("networkidle")
            tab.page.wait_for_timeout(500)
            seen = tab.page.title() + "\n" + tab.page.locator("#out").inner_text()
            tab.snap("sandboxed")
            assert not any(secret in seen for secret in secrets), (label, seen)
            assert "secret_access_key" not in seen and "AKIA" not in seen, (label, seen)
            # Whatever reached the server was refused, not answered with keys.
            assert [a.status for a in answers if a.status != 403] == [], label
            assert seen == "script did not run\nscript did not run" or "fetch failed" in seen or "status 403" in seen

            # The control: the same object without the header reads them path-style (the
            # console's own origin). Virtual-hosted, even without it the keys stay refused:
            # a bucket's name is not a host strata trusts unsigned.
            exposed = context.new_page()
            exposed.route(lambda u: "/page.html" in u, strip)
            exposed.goto(url)
            if label == "path-style":
                expect(exposed.locator("#out")).to_contain_text("status 200", timeout=TIMEOUT_MS)
                assert ACCOUNTS["source"][2] in exposed.locator("#out").inner_text(), label
            else:
                expect(exposed.locator("#out")).to_contain_text("status 403", timeout=TIMEOUT_MS)
                assert ACCOUNTS["source"][2] not in exposed.locator("#out").inner_text(), label
            assert tab.errors == [] and tab.dialogs == [], (label, tab.errors, tab.dialogs)
    finally:
        context.close()


# ---- every page, for the record ------------------------------------------------------------


def test_screenshots_of_every_page(page, console):
    ddb = console.client("dynamodb")
    name = active_pitr_table(
        ddb,
        "console-tour",
        more_definitions=[{"AttributeName": "g", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-g",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    batch_write(ddb, name, [item(f"k{i}", g=f"g{i % 2}") for i in range(5)])
    bucket, _ = export_bucket(console)
    arn = ddb.export_table_to_point_in_time(TableArn=table_arn(name), S3Bucket=bucket, S3BucketOwner=DEST)[
        "ExportDescription"
    ]["ExportArn"]
    assert wait_export(ddb, arn)["ExportStatus"] == "COMPLETED"
    iam = console.client("iam")
    role = unique("console-tour")
    trust = policy({"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{SOURCE}:root"}, "Action": "sts:AssumeRole"})
    iam.create_role(RoleName=role, AssumeRolePolicyDocument=trust)
    user = unique("console-tour")
    iam.create_user(UserName=user)
    own = unique("console-tour")
    s3_client(console).create_bucket(Bucket=own)

    views = {
        "tables": "#/dynamodb",
        "table": f"#/dynamodb/{name}",
        "exports": "#/exports",
        "export": f"#/exports/{urllib.parse.quote(arn, safe='')}",
        "buckets": "#/s3",
        "bucket": f"#/s3/{own}/",
        "iam": "#/iam",
        "role": f"#/iam/role/{role}",
        "user": f"#/iam/user/{user}",
        "denials": "#/denials",
    }
    page.open("#/dynamodb")
    shots = []
    for label, view in views.items():
        if view != "#/dynamodb":
            page.go(view)
        expect(page.page.locator("#main")).not_to_be_empty()
        shots.append(page.snap(label))
    page.rerender(lambda: page.page.select_option("#account", DEST), "#/denials")
    page.go(f"#/s3/{bucket}/")
    expect(page.page.locator("#bucket-policy")).to_contain_text("SourceAccountExports")
    shots.append(page.snap("destination-bucket"))
    for shot in shots:
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", shot
