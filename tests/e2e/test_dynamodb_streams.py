"""DynamoDB Streams (the `DynamoDBStreams_20120810` JSON API on the DynamoDB endpoint):
ListStreams, DescribeStream, GetShardIterator and GetRecords, the StreamSpecification switch
on CreateTable/UpdateTable, the records each kind of write leaves, closed, disabled and
re-enabled streams, shard rollover, trimming, iterator expiry, TTL deletes, restarts,
authorization and the AWS CLI.

Expectations are AWS's, never strata's own output. Most tests are ports of ScyllaDB's
alternator `test/alternator/test_streams.py` (a suite run against real AWS with `--aws`;
each port keeps the alternator name and cites it in its docstring; alternator-only xfails
are ported with AWS's answer, since they xfail only on Scylla) and of `test_ttl.py::
test_ttl_expiration_streams`. The rest come from the wire reference
`/work/shared/spec/dynamodb-streams.md` (cited as "spec §n"), which quotes AWS-recorded
LocalStack snapshots ([LS]), live probes ([LAB]) and the botocore model. Where the spec marks a
fact UNCONFIRMED, only the confirmed part (an error code, a substring) is asserted.

strata specifics the tests rely on (everything else is AWS's): tables are ACTIVE and their
streams ENABLED at once; one open shard per stream, rolled over every 4 hours of server clock;
records trimmed after 24 hours and iterators expiring 15 minutes after issue, both by the server
clock. Tests that move the clock run on a server of their own (`clock_server`)."""

import datetime
import json
import re
import time

import botocore.config
import botocore.exceptions
import pytest
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from aws_helpers import client_error, unique, wait_active
from conftest import ACCOUNTS, REGION, start_server

SOURCE = ACCOUNTS["source"][0]
VIEW_TYPES = ["OLD_IMAGE", "NEW_IMAGE", "KEYS_ONLY", "NEW_AND_OLD_IMAGES"]
TTL_IDENTITY = {"Type": "Service", "PrincipalId": "dynamodb.amazonaws.com"}

LABEL = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}"
SHARD_ID = r"shardId-\d{20}-[0-9a-f]{8}"
SEQUENCE_NUMBER = r"\d{21,40}"
EVENT_ID = r"[0-9a-f]{32}"

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def wire(item):
    """A Python dict as DynamoDB JSON."""
    return {k: _serializer.serialize(v) for k, v in item.items()}


def plain(item):
    """DynamoDB JSON as a Python dict."""
    return {k: _deserializer.deserialize(v) for k, v in item.items()}


def stream_arn_pattern(table):
    return rf"arn:aws:dynamodb:{REGION}:{SOURCE}:table/{re.escape(table)}/stream/{LABEL}"


def error(call):
    """The (code, message) of the AWS error `call` raises; the HTTP status is 400."""
    response = client_error(call)
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 400, response
    return response["Error"]["Code"], response["Error"]["Message"]


# --- fixtures -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def streams(server):
    """A DynamoDB Streams client of the source account's root on the shared server."""
    return server.client("dynamodbstreams")


LAX = botocore.config.Config(parameter_validation=False, retries={"max_attempts": 1})


@pytest.fixture(scope="module")
def lax_streams(server):
    """A streams client that sends what botocore's own validation would refuse (Limit=0, a
    missing ShardFilter member), to see the server's answer, as alternator's fixtures do."""
    return server.client("dynamodbstreams", config=LAX)


@pytest.fixture(scope="module")
def lax_ddb(server):
    return server.client("dynamodb", config=LAX)


@pytest.fixture
def clock_server(workdir):
    """A server of this test's own, for a test that moves its clock."""
    s = start_server(workdir / unique("streams-clock"))
    yield s
    s.stop()


def server_epoch(srv):
    """The server clock, in epoch seconds (float)."""
    now = json.loads(srv.get("/_strata/clock"))["now"]
    return datetime.datetime.fromisoformat(now.replace("Z", "+00:00")).timestamp()


# --- tables with streams ------------------------------------------------------------------


def create_stream_table(ddb, view_type="KEYS_ONLY", ck=True, lsi_key=None, prefix="strm", **extra):
    """Creates an on-demand table keyed by the string `p` (and the string sort key `c` when
    `ck`), with a stream of `view_type` (None: created with {StreamEnabled: false}) and, with
    `lsi_key`, a local index on `lsi_key` (projection ALL). Returns (name, CreateTable's
    TableDescription)."""
    name = unique(prefix)
    schema = [{"AttributeName": "p", "KeyType": "HASH"}]
    defs = [{"AttributeName": "p", "AttributeType": "S"}]
    if ck:
        schema.append({"AttributeName": "c", "KeyType": "RANGE"})
        defs.append({"AttributeName": "c", "AttributeType": "S"})
    if lsi_key:
        defs.append({"AttributeName": lsi_key, "AttributeType": "S"})
        extra["LocalSecondaryIndexes"] = [
            {
                "IndexName": f"{lsi_key}_idx",
                "KeySchema": [{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": lsi_key, "KeyType": "RANGE"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ]
    spec = {"StreamEnabled": False}
    if view_type is not None:
        spec = {"StreamEnabled": True, "StreamViewType": view_type}
    created = ddb.create_table(
        TableName=name,
        KeySchema=schema,
        AttributeDefinitions=defs,
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification=spec,
        **extra,
    )["TableDescription"]
    wait_active(ddb, name)
    return name, created


def wait_for_active_stream(streams, table, timeout=30):
    """alternator's helper: polls ListStreams(TableName) until one of the table's streams is
    ENABLED; returns (arn, label)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        for stream in streams.list_streams(TableName=table)["Streams"]:
            desc = streams.describe_stream(StreamArn=stream["StreamArn"])["StreamDescription"]
            if desc.get("StreamStatus") == "ENABLED":
                return stream["StreamArn"], stream["StreamLabel"]
        time.sleep(0.2)
    pytest.fail(f"no ENABLED stream on {table}")


def stream_table(ddb, streams, view_type="KEYS_ONLY", **kwargs):
    """A new table with an ENABLED stream of `view_type`; returns (name, stream ARN)."""
    name, _ = create_stream_table(ddb, view_type, **kwargs)
    arn, _ = wait_for_active_stream(streams, name)
    return name, arn


def wait_stream_status(streams, arn, status, timeout=30):
    deadline = time.time() + timeout
    while True:
        desc = streams.describe_stream(StreamArn=arn)["StreamDescription"]
        if desc["StreamStatus"] == status:
            return desc
        if time.time() > deadline:
            pytest.fail(f"stream {arn} is {desc['StreamStatus']}, not {status}")
        time.sleep(0.2)


def disable_stream(ddb, streams, table):
    """alternator's disable_stream: UpdateTable {StreamEnabled: false}, then waits until every
    stream of the table is DISABLED and the table ACTIVE again."""
    ddb.update_table(TableName=table, StreamSpecification={"StreamEnabled": False})
    wait_active(ddb, table)
    for stream in streams.list_streams(TableName=table)["Streams"]:
        wait_stream_status(streams, stream["StreamArn"], "DISABLED")


def describe_all(streams, arn):
    """The StreamDescription of `arn` with the Shards of every DescribeStream page."""
    desc = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    shards = list(desc["Shards"])
    page = desc
    while "LastEvaluatedShardId" in page:
        page = streams.describe_stream(StreamArn=arn, ExclusiveStartShardId=page["LastEvaluatedShardId"])[
            "StreamDescription"
        ]
        shards.extend(page["Shards"])
    desc["Shards"] = shards
    desc.pop("LastEvaluatedShardId", None)
    return desc


def list_shards(streams, arn):
    """alternator's list_shards: the shard IDs of `arn`, paged 10 at a time, each page's
    LastEvaluatedShardId its last shard, lexical order, no duplicates, and nothing after the
    last shard."""
    limit = 10
    response = streams.describe_stream(StreamArn=arn, Limit=limit)["StreamDescription"]
    assert len(response["Shards"]) <= limit
    shards = [x["ShardId"] for x in response["Shards"]]
    while "LastEvaluatedShardId" in response:
        assert shards[-1] == response["LastEvaluatedShardId"]
        response = streams.describe_stream(
            StreamArn=arn, Limit=limit, ExclusiveStartShardId=response["LastEvaluatedShardId"]
        )["StreamDescription"]
        assert len(response["Shards"]) <= limit
        shards.extend([x["ShardId"] for x in response["Shards"]])
    assert len(set(shards)) == len(shards)
    assert shards == sorted(shards)
    response = streams.describe_stream(StreamArn=arn, ExclusiveStartShardId=shards[-1])["StreamDescription"]
    assert len(response["Shards"]) == 0
    return shards


def shards_and_latest_iterators(streams, arn):
    return [
        (shard_id, streams.get_shard_iterator(StreamArn=arn, ShardId=shard_id, ShardIteratorType="LATEST")["ShardIterator"])
        for shard_id in list_shards(streams, arn)
    ]


def latest_iterators(streams, arn):
    iterators = [i for _, i in shards_and_latest_iterators(streams, arn)]
    assert len(set(iterators)) == len(iterators)
    return iterators


def fetch_more(streams, iterators, output):
    """alternator's fetch_more: one GetRecords per iterator; returns the next iterators."""
    new_iterators = []
    for iterator in iterators:
        response = streams.get_records(ShardIterator=iterator)
        if "NextShardIterator" in response:
            new_iterators.append(response["NextShardIterator"])
        output.extend(response["Records"])
    assert len(set(new_iterators)) == len(new_iterators)
    return new_iterators


def freeze(value):
    if isinstance(value, dict):
        return frozenset((k, freeze(v)) for k, v in value.items())
    if isinstance(value, (list, set)):
        return tuple(freeze(v) for v in value)
    return value


def compare_events(expected_events, output, mode):
    """alternator's compare_events, with AWS's exact answers: each expected event is
    [type, keys, old_image, new_image] (type '*' or a list relaxes the check); order is
    compared per key only. Raises on a wrong event; returns False while some are missing."""
    expected_map = {}
    for event in expected_events:
        expected_map.setdefault(freeze(event[1]), []).append(event)
    for event in output:
        assert event["eventSource"] == "aws:dynamodb"
        assert event["awsRegion"] == REGION
        assert event["eventVersion"] in ["1.0", "1.1"]
        assert "eventID" in event
        op = event["eventName"]
        record = event["dynamodb"]
        key = plain(record["Keys"])
        pending = expected_map.get(freeze(key))
        assert pending, f"unexpected event {event}"
        expected_type, _, expected_old, expected_new = pending.pop(0)
        if isinstance(expected_type, list):
            assert op in expected_type
        elif expected_type != "*":
            assert op == expected_type, event
        assert record["StreamViewType"] == mode
        assert "ApproximateCreationDateTime" in record
        assert record["SequenceNumber"].isdecimal()
        assert "SizeBytes" in record
        if mode == "KEYS_ONLY":
            assert "NewImage" not in record and "OldImage" not in record
        if mode in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES"):
            if expected_new is None:
                assert "NewImage" not in record, event
            else:
                assert plain(record["NewImage"]) == expected_new, event
        else:
            assert "NewImage" not in record
        if mode in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES"):
            if expected_old is None:
                assert "OldImage" not in record, event
            else:
                assert plain(record["OldImage"]) == expected_old, event
        else:
            assert "OldImage" not in record
    return all(not entries for entries in expected_map.values())


def do_test(ddb, streams, table, arn, updatefunc, mode, p=None, c=None):
    """alternator's do_test: LATEST iterators, `updatefunc(ddb, table, p, c)` (which returns
    the expected events), then reads until every expected event has come."""
    p = p or unique("p")
    c = c or unique("c")
    iterators = latest_iterators(streams, arn)
    expected = updatefunc(ddb, table, p, c)
    output = []
    deadline = time.time() + 10
    while time.time() < deadline:
        iterators = fetch_more(streams, iterators, output)
        if compare_events(expected, output, mode):
            # Nothing more may follow: read once more.
            extra = []
            fetch_more(streams, iterators, extra)
            assert extra == [], f"unexpected extra events {extra}"
            return output
        time.sleep(0.2)
    pytest.fail(f"missing events in output: {output}")


def read_stream(streams, arn):
    """Every record of the stream `arn`: each shard (lexical order, parents first) read from
    TRIM_HORIZON; a closed shard until NextShardIterator is absent, an open one until a
    GetRecords returns nothing."""
    records = []
    for shard in describe_all(streams, arn)["Shards"]:
        closed = "EndingSequenceNumber" in shard["SequenceNumberRange"]
        iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON")[
            "ShardIterator"
        ]
        for _ in range(1000):
            response = streams.get_records(ShardIterator=iterator)
            records.extend(response["Records"])
            if "NextShardIterator" not in response:
                break
            if not closed and not response["Records"]:
                break
            iterator = response["NextShardIterator"]
        else:
            pytest.fail("a shard never ended")
    return records


def records_through_sentinel(ddb, streams, table, arn, key_names=("p",)):
    """Writes a sentinel item, then reads the whole stream until its INSERT shows; returns the
    records before it (the sentinel must be the last record)."""
    sentinel = {k: unique("sentinel") for k in key_names}
    ddb.put_item(TableName=table, Item=wire(sentinel))
    deadline = time.time() + 10
    while True:
        records = read_stream(streams, arn)
        if records and plain(records[-1]["dynamodb"]["Keys"]) == sentinel:
            assert [r for r in records[:-1] if plain(r["dynamodb"]["Keys"]) == sentinel] == []
            return records[:-1]
        if time.time() > deadline:
            pytest.fail(f"sentinel never came: {records}")
        time.sleep(0.2)


def summary(records):
    """(eventName, Keys, OldImage, NewImage) of each record, as Python values."""
    out = []
    for r in records:
        d = r["dynamodb"]
        out.append(
            (
                r["eventName"],
                plain(d["Keys"]),
                plain(d["OldImage"]) if "OldImage" in d else None,
                plain(d["NewImage"]) if "NewImage" in d else None,
            )
        )
    return out


def put(ddb, table, item, **kwargs):
    return ddb.put_item(TableName=table, Item=wire(item), **kwargs)


def update(ddb, table, key, expression=None, values=None, **kwargs):
    if expression:
        kwargs["UpdateExpression"] = expression
    if values:
        kwargs["ExpressionAttributeValues"] = wire(values)
    return ddb.update_item(TableName=table, Key=wire(key), **kwargs)


def delete(ddb, table, key, **kwargs):
    return ddb.delete_item(TableName=table, Key=wire(key), **kwargs)


def raw_body(client, operation, call):
    """Runs `call` and returns the JSON body the server sent for `operation`, before botocore
    parses timestamps."""
    captured = {}

    def hook(http_response, **_):
        captured["body"] = http_response.content

    event = f"after-call.{client.meta.service_model.service_id.hyphenize()}.{operation}"
    client.meta.events.register(event, hook)
    try:
        call()
    finally:
        client.meta.events.unregister(event, hook)
    return json.loads(captured["body"])


# --- ListStreams (alternator ports) -------------------------------------------------------


def test_list_streams_create(ddb, streams):
    """alternator test_list_streams_create: a table created with each StreamViewType gets an
    ENABLED stream, listed for it."""
    for view_type in VIEW_TYPES:
        name, _ = create_stream_table(ddb, view_type)
        arn, label = wait_for_active_stream(streams, name)
        assert re.fullmatch(stream_arn_pattern(name), arn)
        assert arn.endswith("/stream/" + label)
        assert streams.describe_stream(StreamArn=arn)["StreamDescription"]["StreamViewType"] == view_type


def test_list_streams_alter(ddb, streams):
    """alternator test_list_streams_alter: UpdateTable enables a stream of each type on a
    table created without one."""
    for view_type in VIEW_TYPES:
        name, _ = create_stream_table(ddb, None)
        ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": True, "StreamViewType": view_type})
        wait_active(ddb, name)
        arn, _ = wait_for_active_stream(streams, name)
        assert streams.describe_stream(StreamArn=arn)["StreamDescription"]["StreamViewType"] == view_type


def test_list_streams_paged(ddb, streams):
    """alternator test_list_streams_paged: Limit=1 pages, each with a LastEvaluatedStreamArn,
    reach both new tables' streams."""
    table1, _ = stream_table(ddb, streams, "OLD_IMAGE")
    table2, _ = stream_table(ddb, streams, "OLD_IMAGE")
    page = streams.list_streams(Limit=1)
    assert len(page["Streams"]) == 1
    assert page.get("LastEvaluatedStreamArn")
    tables = [table1, table2]
    for _ in range(10000):
        for s in page["Streams"]:
            if s["TableName"] in tables:
                tables.remove(s["TableName"])
        if not tables:
            return
        assert "LastEvaluatedStreamArn" in page, f"paging ended before {tables}"
        page = streams.list_streams(Limit=1, ExclusiveStartStreamArn=page["LastEvaluatedStreamArn"])
    pytest.fail("too many pages")


def all_stream_pages(streams, **kwargs):
    """Every stream of ListStreams from `kwargs` on, following LastEvaluatedStreamArn."""
    out = []
    page = streams.list_streams(**kwargs)
    out.extend(page["Streams"])
    while "LastEvaluatedStreamArn" in page:
        kwargs["ExclusiveStartStreamArn"] = page["LastEvaluatedStreamArn"]
        page = streams.list_streams(**kwargs)
        out.extend(page["Streams"])
    return out


def test_list_streams_paged_with_new_table(ddb, streams):
    """alternator test_list_streams_paged_with_new_table: streams that existed before the
    first page are each listed exactly once even when tables are created between pages."""
    n1_tables = [stream_table(ddb, streams, "KEYS_ONLY")[0] for _ in range(4)]
    page = streams.list_streams(Limit=2)
    assert len(page["Streams"]) == 2
    first = [s["TableName"] for s in page["Streams"]]
    for _ in range(30):
        stream_table(ddb, streams, "KEYS_ONLY")
    rest = all_stream_pages(streams, ExclusiveStartStreamArn=page["LastEvaluatedStreamArn"])
    tables = first + [s["TableName"] for s in rest]
    for t in n1_tables:
        assert tables.count(t) == 1


def test_list_streams_paged_resume_on_deleted_table(ddb, streams):
    """alternator test_list_streams_paged_resume_on_deleted_table (spec §4.1): paging resumes
    after the cookie's stream even when that stream's table was deleted in between; every
    stream that existed before the first page comes exactly once."""
    mine = [stream_table(ddb, streams, "KEYS_ONLY")[0] for _ in range(4)]

    def table_of(stream_arn):
        return stream_arn.split(":table/")[1].split("/stream/")[0]

    seen = []
    page = streams.list_streams(Limit=1)
    for _ in range(10000):
        seen.extend(page["Streams"])
        cookie = page["LastEvaluatedStreamArn"]
        if table_of(cookie) in mine:
            break
        page = streams.list_streams(Limit=1, ExclusiveStartStreamArn=cookie)
    else:
        pytest.fail("never paged to one of the new tables")
    ddb.delete_table(TableName=table_of(cookie))
    seen.extend(all_stream_pages(streams, ExclusiveStartStreamArn=cookie))
    tables = [s["TableName"] for s in seen]
    for t in mine:
        assert tables.count(t) == 1, t


def test_list_streams_paged_cookie(ddb, streams):
    """alternator test_list_streams_paged_cookie (spec §4.1): LastEvaluatedStreamArn is the
    ARN of the last stream of the page."""
    stream_table(ddb, streams)
    stream_table(ddb, streams)
    for limit in (1, 2):
        page = streams.list_streams(Limit=limit)
        assert len(page["Streams"]) == limit
        assert page["LastEvaluatedStreamArn"] == page["Streams"][-1]["StreamArn"]


def test_list_streams_pages_tables_whose_names_extend_each_other(ddb, streams):
    """spec §4.1: paging returns each stream exactly once, in ARN order, also for tables whose
    names extend one another with characters that sort before `/` (`t` and `t-v2`, `t.x`)."""
    base = unique("strmpfx")
    names = [base, f"{base}-v2", f"{base}.x", f"{base}_z"]
    arns = set()
    for name in names:
        ddb.create_table(
            TableName=name,
            KeySchema=[{"AttributeName": "p", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "p", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"},
        )
        arns.add(ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"])
    listed = [s["StreamArn"] for s in all_stream_pages(streams, Limit=1)]
    assert len(listed) == len(set(listed))
    assert arns <= set(listed)
    assert listed == sorted(listed)


def test_list_streams_unfull_last_page_no_cookie(ddb, streams):
    """alternator test_list_streams_unfull_last_page_no_cookie (spec §4.1): a last page that
    is not full has no LastEvaluatedStreamArn."""
    name, arn = stream_table(ddb, streams)
    page = streams.list_streams(TableName=name, Limit=2)
    assert [s["StreamArn"] for s in page["Streams"]] == [arn]
    assert "LastEvaluatedStreamArn" not in page


def test_list_streams_zero_limit(ddb, streams, lax_streams):
    """alternator test_list_streams_zero_limit: Limit=0 is a ValidationException."""
    stream_table(ddb, streams)
    code, _ = error(lambda: lax_streams.list_streams(Limit=0))
    assert code == "ValidationException"


def test_list_streams_too_high_limit(ddb, streams):
    """alternator test_list_streams_too_high_limit: ListStreams' Limit is at most 100; AWS
    refuses 101 (and the test's 100000) with a ValidationException."""
    stream_table(ddb, streams)
    assert len(streams.list_streams(Limit=100)["Streams"]) <= 100
    for limit in (101, 100000):
        code, _ = error(lambda: streams.list_streams(Limit=limit))
        assert code == "ValidationException"


def test_create_streams_wrong_type(ddb, lax_ddb):
    """alternator test_create_streams_wrong_type: UpdateTable with the view type 'Fisk' is a
    ValidationException and enables nothing."""
    name, _ = create_stream_table(ddb, None)
    code, _ = error(
        lambda: lax_ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": True, "StreamViewType": "Fisk"})
    )
    assert code == "ValidationException"
    assert "StreamSpecification" not in ddb.describe_table(TableName=name)["Table"]


def test_list_streams_empty(ddb, streams):
    """alternator test_list_streams_empty: a table without a stream lists `"Streams": []`."""
    name, _ = create_stream_table(ddb, None)
    page = streams.list_streams(TableName=name)
    assert page["Streams"] == []
    assert "LastEvaluatedStreamArn" not in page


def test_list_streams_with_nonexistent_last_stream(ddb, streams):
    """alternator test_list_streams_with_nonexistent_last_stream: a malformed
    ExclusiveStartStreamArn is a ValidationException."""
    name, _ = stream_table(ddb, streams)
    code, _ = error(
        lambda: streams.list_streams(TableName=name, ExclusiveStartStreamArn="kossaapaaasdafsdaasdasdasdasasdasfadfadfasdasdas")
    )
    assert code == "ValidationException"


# --- DescribeStream -----------------------------------------------------------------------


def test_describe_stream(ddb, streams):
    """alternator test_describe_stream: the description of a new stream: its ARN, a status
    other than DISABLED, the view type, the table, at least one shard whose
    StartingSequenceNumber is decimal. Plus the formats of spec §1 and the KeySchema of
    [LS:test_dynamodb_stream_stream_view_type]."""
    name, _ = create_stream_table(ddb, "KEYS_ONLY")
    listed = streams.list_streams(TableName=name)["Streams"]
    assert len(listed) == 1
    assert listed[0]["TableName"] == name
    arn = listed[0]["StreamArn"]
    desc = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert desc["StreamArn"] == arn
    assert desc["StreamLabel"] == listed[0]["StreamLabel"]
    assert desc["StreamStatus"] != "DISABLED"
    assert desc["StreamStatus"] in ("ENABLING", "ENABLED")
    assert desc["StreamViewType"] == "KEYS_ONLY"
    assert desc["TableName"] == name
    assert desc["KeySchema"] == [{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "c", "KeyType": "RANGE"}]
    assert desc["Shards"]
    shard = desc["Shards"][0]
    assert re.fullmatch(SHARD_ID, shard["ShardId"]), shard
    assert 28 <= len(shard["ShardId"]) <= 65
    assert "ParentShardId" not in shard
    start = shard["SequenceNumberRange"]["StartingSequenceNumber"]
    assert start.isdecimal()
    assert re.fullmatch(SEQUENCE_NUMBER, start)
    assert re.fullmatch(stream_arn_pattern(name), arn)


def test_describe_stream_create_time(ddb, streams):
    """alternator test_describe_stream_create_time: DescribeStream carries
    CreationRequestDateTime, a JSON number of epoch seconds (spec §1), close to the enable
    time the label records."""
    before = time.time()
    name, arn = stream_table(ddb, streams)
    after = time.time()
    desc = streams.describe_stream(StreamArn=arn)["StreamDescription"]
    assert "CreationRequestDateTime" in desc
    body = raw_body(streams, "DescribeStream", lambda: streams.describe_stream(StreamArn=arn))
    created = body["StreamDescription"]["CreationRequestDateTime"]
    assert isinstance(created, (int, float)) and not isinstance(created, bool)
    assert before - 2 <= created <= after + 2
    label = datetime.datetime.strptime(desc["StreamLabel"], "%Y-%m-%dT%H:%M:%S.%f").replace(tzinfo=datetime.timezone.utc)
    assert before - 2 <= label.timestamp() <= after + 2
    assert abs(label.timestamp() - created) < 2


def test_describe_nonexistent_stream(streams):
    """alternator test_describe_nonexistent_stream: a StreamArn that is not an ARN is a
    ValidationException."""
    code, _ = error(lambda: streams.describe_stream(StreamArn="sdfadfsdfnlfkajakfgjalksfgklasjklasdjfklasdfasdfgasf"))
    assert code == "ValidationException"


def test_describe_stream_nonexistent_table(streams):
    """alternator test_describe_stream_nonexistent_table: a well-formed stream ARN of a table
    that does not exist is ResourceNotFoundException; the message as
    [LS:test_non_existent_stream] recorded it."""
    arn = f"arn:aws:dynamodb:{REGION}:{SOURCE}:table/{unique('missing')}/stream/2026-10-08T23:07:31.275"
    code, message = error(lambda: streams.describe_stream(StreamArn=arn))
    assert code == "ResourceNotFoundException"
    assert message == f"Requested resource not found: Stream: {arn} not found"


def test_describe_stream_with_nonexistent_last_shard(ddb, streams):
    """alternator test_describe_stream_with_nonexistent_last_shard: an unknown
    ExclusiveStartShardId that sorts after every shard is no error, and gives no shards."""
    _, arn = stream_table(ddb, streams)
    desc = streams.describe_stream(StreamArn=arn, ExclusiveStartShardId="zzzzzzzzzzzzzzzzzzzzzzzzsfasdgagadfadfgagkjsdfsfsdjfjks")
    assert desc["StreamDescription"]["Shards"] == []


def test_describe_stream_paging(ddb, streams):
    """alternator's list_shards helper (spec §4.2): shards in lexical order, LastEvaluatedShardId
    = the last shard of a page, nothing after the last shard."""
    _, arn = stream_table(ddb, streams)
    shards = list_shards(streams, arn)
    page = streams.describe_stream(StreamArn=arn, Limit=1)["StreamDescription"]
    assert [s["ShardId"] for s in page["Shards"]] == shards[:1]


# --- ShardFilter (spec §4.2) --------------------------------------------------------------


def test_stream_shard_filtering_simple_no_children(ddb, streams):
    """alternator test_stream_shard_filtering_simple_no_children (spec §4.2): ShardFilter
    CHILD_SHARDS on a shard that has no children gives no shards, with the rest of the
    description."""
    name, arn = stream_table(ddb, streams)
    shard = list_shards(streams, arn)[-1]
    desc = streams.describe_stream(StreamArn=arn, ShardFilter={"Type": "CHILD_SHARDS", "ShardId": shard})[
        "StreamDescription"
    ]
    assert desc["Shards"] == []
    assert desc["StreamArn"] == arn
    assert desc["TableName"] == name
    assert desc["StreamViewType"] == "KEYS_ONLY"


def test_stream_shard_filtering_wrong_type(ddb, streams):
    """alternator test_stream_shard_filtering_wrong_type (spec §4.2)."""
    _, arn = stream_table(ddb, streams)
    shard = list_shards(streams, arn)[0]
    code, _ = error(lambda: streams.describe_stream(StreamArn=arn, ShardFilter={"Type": "PARENT_SHARDS", "ShardId": shard}))
    assert code == "ValidationException"


def test_stream_shard_filtering_missing_type(ddb, streams, lax_streams):
    """alternator test_stream_shard_filtering_missing_type (spec §4.2)."""
    _, arn = stream_table(ddb, streams)
    shard = list_shards(streams, arn)[0]
    code, _ = error(lambda: lax_streams.describe_stream(StreamArn=arn, ShardFilter={"ShardId": shard}))
    assert code == "ValidationException"


def test_stream_shard_filtering_missing_shard_id(ddb, streams, lax_streams):
    """alternator test_stream_shard_filtering_missing_shard_id (spec §4.2)."""
    _, arn = stream_table(ddb, streams)
    code, _ = error(lambda: lax_streams.describe_stream(StreamArn=arn, ShardFilter={"Type": "CHILD_SHARDS"}))
    assert code == "ValidationException"


def test_stream_shard_filtering_wrong_shard_id(ddb, streams, lax_streams):
    """alternator test_stream_shard_filtering_wrong_shard_id (spec §4.2): a malformed ShardId
    in the filter is a ValidationException whose message names ShardFilter.ShardId."""
    _, arn = stream_table(ddb, streams)
    code, message = error(lambda: lax_streams.describe_stream(StreamArn=arn, ShardFilter={"Type": "CHILD_SHARDS", "ShardId": "x"}))
    assert code == "ValidationException"
    assert "shardfilter.shardid" in message.lower()


# --- GetShardIterator -----------------------------------------------------------------------


def test_get_shard_iterator(ddb, streams, lax_streams):
    """alternator test_get_shard_iterator: each iterator type is accepted as it should be, and
    the misuses are ValidationException (an unknown shard: ResourceNotFoundException)."""
    _, arn = stream_table(ddb, streams)
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]
    shard_id = shard["ShardId"]
    seq = shard["SequenceNumberRange"]["StartingSequenceNumber"]
    assert len(shard_id) <= 65
    for kind in ["AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"]:
        assert streams.get_shard_iterator(StreamArn=arn, ShardId=shard_id, ShardIteratorType=kind, SequenceNumber=seq)[
            "ShardIterator"
        ]
    for kind in ["TRIM_HORIZON", "LATEST"]:
        assert streams.get_shard_iterator(StreamArn=arn, ShardId=shard_id, ShardIteratorType=kind)["ShardIterator"]
    for kind in ["AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"]:
        code, _ = error(lambda: streams.get_shard_iterator(StreamArn=arn, ShardId=shard_id, ShardIteratorType=kind))
        assert code == "ValidationException", kind
    for kind in ["TRIM_HORIZON", "LATEST"]:
        code, _ = error(
            lambda: streams.get_shard_iterator(StreamArn=arn, ShardId=shard_id, ShardIteratorType=kind, SequenceNumber=seq)
        )
        assert code == "ValidationException", kind
    # bad arn
    code, _ = error(
        lambda: lax_streams.get_shard_iterator(
            StreamArn="sdfadsfsdfsdgdfsgsfdabadfbabdadsfsdfsdfsdfsdfsdfsdfdfdssdffbdfdf",
            ShardId=shard_id,
            ShardIteratorType="LATEST",
        )
    )
    assert code == "ValidationException"
    # bad shard id
    code, _ = error(
        lambda: streams.get_shard_iterator(
            StreamArn=arn, ShardId="semprinidfaasdasfsdvacsdcfsdsvsdvsdvsdvsdvsdv", ShardIteratorType="LATEST"
        )
    )
    assert code == "ResourceNotFoundException"
    # bad iterator type
    code, _ = error(
        lambda: lax_streams.get_shard_iterator(StreamArn=arn, ShardId=shard_id, ShardIteratorType="bulle", SequenceNumber=seq)
    )
    assert code == "ValidationException"
    # bad sequence number
    code, _ = error(
        lambda: lax_streams.get_shard_iterator(
            StreamArn=arn,
            ShardId=shard_id,
            ShardIteratorType="LATEST",
            SequenceNumber="sdfsafglldfngjdafnasdflgnaldklkafdsgklnasdlv",
        )
    )
    assert code == "ValidationException"
    # a non-numeric sequence number with a type that takes one
    code, _ = error(
        lambda: lax_streams.get_shard_iterator(
            StreamArn=arn,
            ShardId=shard_id,
            ShardIteratorType="AT_SEQUENCE_NUMBER",
            SequenceNumber="sdfsafglldfngjdafnasdflgnaldklkafdsgkl",
        )
    )
    assert code == "ValidationException"


def test_get_shard_iterator_for_nonexistent_stream(ddb, streams):
    """alternator test_get_shard_iterator_for_nonexistent_stream: a StreamArn that is not an
    ARN is a ValidationException."""
    _, arn = stream_table(ddb, streams)
    shards = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    code, _ = error(
        lambda: streams.get_shard_iterator(
            StreamArn="sdfadfsddafgdafsgjnadflkgnalngalsdfnlkasnlkasdfasdfasf",
            ShardId=shards[0]["ShardId"],
            ShardIteratorType="LATEST",
        )
    )
    assert code == "ValidationException"


def test_get_shard_iterator_for_nonexistent_shard(ddb, streams):
    """alternator test_get_shard_iterator_for_nonexistent_shard: an unknown ShardId of a real
    stream is ResourceNotFoundException, "Requested resource not found: Shard does not exist"
    (the text logstash-input-dynamodb#4 and data-prepper#4401 quote)."""
    _, arn = stream_table(ddb, streams)
    code, _ = error(
        lambda: streams.get_shard_iterator(
            StreamArn=arn, ShardId="adfasdasdasdasdasdasdasdasdasasdasd", ShardIteratorType="LATEST"
        )
    )
    assert code == "ResourceNotFoundException"
    # A well-formed ID of no shard of this stream (the AWS CLI example's).
    code, message = error(
        lambda: streams.get_shard_iterator(
            StreamArn=arn, ShardId="shardId-00000001571767321804-697ce3d2", ShardIteratorType="TRIM_HORIZON"
        )
    )
    assert code == "ResourceNotFoundException"
    assert message == "Requested resource not found: Shard does not exist"


def test_shard_iterator_format(ddb, streams):
    """[LS:test_dynamodb_streams_shard_iterator_format] (spec §1): AWS's iterators read
    `<StreamArn>|<digit>|<opaque>`, at most 2048 characters."""
    _, arn = stream_table(ddb, streams)
    shard_id = list_shards(streams, arn)[0]
    for kind in ("TRIM_HORIZON", "LATEST"):
        iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard_id, ShardIteratorType=kind)["ShardIterator"]
        assert iterator.startswith(arn + "|")
        assert re.fullmatch(re.escape(arn) + r"\|[12]\|.+", iterator), iterator
        assert len(iterator) <= 2048


# --- GetRecords ---------------------------------------------------------------------------


def test_get_records(ddb, streams):
    """alternator test_get_records: a PutItem and an UpdateItem (AttributeUpdates) on a
    NEW_AND_OLD_IMAGES stream, read from every shard's StartingSequenceNumber: an INSERT with
    the new image, then a MODIFY with both images."""
    table, arn = stream_table(ddb, streams, "NEW_AND_OLD_IMAGES")
    p, c, val, val2 = "piglet", "ninja", "lucifers", "flowers"
    put(ddb, table, {"p": p, "c": c, "a1": val, "a2": val2})
    nval, nval2 = "semprini", "nudge"
    ddb.update_item(
        TableName=table,
        Key=wire({"p": p, "c": c}),
        AttributeUpdates={
            "a1": {"Value": {"S": nval}, "Action": "PUT"},
            "a2": {"Value": {"S": nval2}, "Action": "PUT"},
        },
    )
    iterators = []
    for shard in describe_all(streams, arn)["Shards"]:
        start = shard["SequenceNumberRange"]["StartingSequenceNumber"]
        iterators.append(
            streams.get_shard_iterator(
                StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="AT_SEQUENCE_NUMBER", SequenceNumber=start
            )["ShardIterator"]
        )
    records = []
    deadline = time.time() + 10
    while len(records) < 2 and time.time() < deadline:
        next_iterators = []
        for iterator in iterators:
            response = streams.get_records(ShardIterator=iterator, Limit=1000)
            if "NextShardIterator" in response:
                next_iterators.append(response["NextShardIterator"])
            records.extend(response["Records"])
        iterators = next_iterators
    assert summary(records) == [
        ("INSERT", {"p": p, "c": c}, None, {"p": p, "c": c, "a1": val, "a2": val2}),
        ("MODIFY", {"p": p, "c": c}, {"p": p, "c": c, "a1": val, "a2": val2}, {"p": p, "c": c, "a1": nval, "a2": nval2}),
    ]


def test_get_records_nonexistent_iterator(streams):
    """alternator test_get_records_nonexistent_iterator: a garbage iterator is a
    ValidationException."""
    code, _ = error(
        lambda: streams.get_records(ShardIterator="sdfsdfsgagaddafgagasgasgasdfasdfasdfasdfasdgasdasdgasdg", Limit=1000)
    )
    assert code == "ValidationException"


def test_get_records_too_high_limit(ddb, streams, lax_streams):
    """alternator test_get_records_too_high_limit: Limit=1000 is accepted; 1001, 0 and -1 are
    ValidationExceptions that mention the limit."""
    _, arn = stream_table(ddb, streams)
    shard_id = streams.describe_stream(StreamArn=arn, Limit=1)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard_id, ShardIteratorType="LATEST")["ShardIterator"]
    streams.get_records(ShardIterator=iterator, Limit=1000)
    for limit in (1001, 0, -1):
        code, message = error(lambda: lax_streams.get_records(ShardIterator=iterator, Limit=limit))
        assert code == "ValidationException", limit
        assert re.search("[Ll]imit", message), message


def test_streams_record_format(ddb, streams):
    """The record shape of spec §5.1 ([LS] 2025-10 snapshots, [EX], the botocore model):
    eventID 32 hex characters, eventVersion "1.1", eventSource "aws:dynamodb", the region,
    ApproximateCreationDateTime a whole number of epoch seconds, decimal sequence numbers that
    grow, SizeBytes, the view type, and no userIdentity on a user's write."""
    table, arn = stream_table(ddb, streams, "NEW_AND_OLD_IMAGES", ck=False)
    before = time.time()
    put(ddb, table, {"p": "a", "x": 1})
    put(ddb, table, {"p": "a", "x": 2})
    delete(ddb, table, {"p": "a"})
    after = time.time()
    shard_id = list_shards(streams, arn)[0]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    body = raw_body(streams, "GetRecords", lambda: streams.get_records(ShardIterator=iterator))
    records = body["Records"]
    assert [r["eventName"] for r in records] == ["INSERT", "MODIFY", "REMOVE"]
    for r in records:
        assert re.fullmatch(EVENT_ID, r["eventID"]), r
        assert r["eventVersion"] == "1.1"
        assert r["eventSource"] == "aws:dynamodb"
        assert r["awsRegion"] == REGION
        assert "userIdentity" not in r
        d = r["dynamodb"]
        stamp = d["ApproximateCreationDateTime"]
        assert isinstance(stamp, (int, float)) and not isinstance(stamp, bool)
        assert stamp == int(stamp)
        assert int(before) - 1 <= stamp <= after + 1
        assert d["Keys"] == {"p": {"S": "a"}}
        assert re.fullmatch(SEQUENCE_NUMBER, d["SequenceNumber"])
        assert isinstance(d["SizeBytes"], int) and d["SizeBytes"] > 0
        assert d["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert len({r["eventID"] for r in records}) == 3
    numbers = [int(r["dynamodb"]["SequenceNumber"]) for r in records]
    assert numbers == sorted(numbers) and len(set(numbers)) == 3
    # The same records through boto3's parser.
    parsed = streams.get_records(ShardIterator=iterator)["Records"]
    assert [r["eventID"] for r in parsed] == [r["eventID"] for r in records]
    assert all(r["dynamodb"]["ApproximateCreationDateTime"].microsecond == 0 for r in parsed)


def test_streams_size_bytes(ddb, streams):
    """SizeBytes as AWS recorded it (spec §5.4): KEYS_ONLY `Username="Fred"` is 12
    [LS:test_dynamodb_stream_stream_view_type]; NEW_AND_OLD_IMAGES INSERT `id="Fred"` 12, a
    MODIFY from {id:"NewKey"} to {id, attr1:"value1", attr2:"value2"} 46 and its REMOVE 38
    [LS:test_transact_write_items_streaming]."""
    name = unique("size")
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "Username", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "Username", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"},
    )
    wait_active(ddb, name)
    arn, _ = wait_for_active_stream(streams, name)
    ddb.put_item(TableName=name, Item={"Username": {"S": "Fred"}})
    records = read_stream(streams, arn)
    assert [r["dynamodb"]["SizeBytes"] for r in records] == [12]

    name = unique("size")
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    wait_active(ddb, name)
    arn, _ = wait_for_active_stream(streams, name)
    ddb.put_item(TableName=name, Item={"id": {"S": "Fred"}})
    ddb.put_item(TableName=name, Item={"id": {"S": "NewKey"}})
    ddb.put_item(TableName=name, Item={"id": {"S": "NewKey"}, "attr1": {"S": "value1"}, "attr2": {"S": "value2"}})
    ddb.delete_item(TableName=name, Key={"id": {"S": "NewKey"}})
    records = read_stream(streams, arn)
    assert [(r["eventName"], r["dynamodb"]["SizeBytes"]) for r in records] == [
        ("INSERT", 12),
        ("INSERT", 16),
        ("MODIFY", 46),
        ("REMOVE", 38),
    ]


# --- enabling and disabling -----------------------------------------------------------------


def test_streams_change_type(ddb, streams):
    """alternator test_streams_change_type: the view type of an enabled stream cannot be
    changed: "Table already has an enabled stream: TableName: <name>" ([LAB:DDB-TABLE-050])."""
    name, arn = stream_table(ddb, streams, "KEYS_ONLY")
    code, message = error(
        lambda: ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": True, "StreamViewType": "OLD_IMAGE"})
    )
    assert code == "ValidationException"
    assert message == f"Table already has an enabled stream: TableName: {name}"
    assert streams.describe_stream(StreamArn=arn)["StreamDescription"]["StreamViewType"] == "KEYS_ONLY"


def test_streams_enable_on_enabled(ddb, streams):
    """alternator test_streams_enable_on_enabled: enabling a stream of the same type again is
    refused too."""
    name, _ = stream_table(ddb, streams, "NEW_AND_OLD_IMAGES")
    code, message = error(
        lambda: ddb.update_table(
            TableName=name, StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
        )
    )
    assert code == "ValidationException"
    assert message == f"Table already has an enabled stream: TableName: {name}"
    assert len(streams.list_streams(TableName=name)["Streams"]) == 1


def test_streams_disable_on_disabled(ddb):
    """alternator test_streams_disable_on_disabled: "Table has no stream to disable: TableName:
    <name>" ([LAB:DDB-TABLE-050])."""
    name, _ = create_stream_table(ddb, None)
    code, message = error(lambda: ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": False}))
    assert code == "ValidationException"
    assert message == f"Table has no stream to disable: TableName: {name}"


INVALID = "One or more parameter values were invalid: "


def test_update_table_stream_specification_errors(ddb, lax_ddb, streams):
    """spec §2.2 ([LAB:DDB-TABLE-050]): UpdateTable's stream switch without a view type, or
    disabling with one."""
    name, _ = create_stream_table(ddb, None)
    code, message = error(lambda: ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": True}))
    assert (code, message) == ("ValidationException", INVALID + "If stream is being enabled then UpdateViewType is required")
    stream_name, _ = stream_table(ddb, streams)
    code, message = error(
        lambda: ddb.update_table(
            TableName=stream_name, StreamSpecification={"StreamEnabled": False, "StreamViewType": "KEYS_ONLY"}
        )
    )
    assert (code, message) == (
        "ValidationException",
        INVALID + "If stream is being disabled, then UpdateViewType must not be specified",
    )
    assert "StreamSpecification" not in ddb.describe_table(TableName=name)["Table"]
    assert ddb.describe_table(TableName=stream_name)["Table"]["StreamSpecification"]["StreamEnabled"] is True


def create_with_spec(client, name, spec):
    return client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "p", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "p", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification=spec,
    )


def test_create_table_stream_specification_errors(ddb, lax_ddb):
    """spec §2.2 ([LAB:DDB-TABLE-035], [T:test_create_streams_wrong_type]): CreateTable's
    StreamSpecification errors, word for word."""
    cases = [
        (
            {"StreamEnabled": False, "StreamViewType": "NEW_IMAGE"},
            INVALID + "Table is being created with a stream disabled, UpdateViewType should not be specified",
        ),
        ({"StreamEnabled": True}, INVALID + "Table is being created with a stream enabled, UpdateViewType is required"),
        (
            {},
            "1 validation error detected: Value null at 'streamSpecification.streamEnabled' failed to satisfy "
            "constraint: Member must not be null",
        ),
        (
            {"StreamViewType": "KEYS_ONLY"},
            "1 validation error detected: Value null at 'streamSpecification.streamEnabled' failed to satisfy "
            "constraint: Member must not be null",
        ),
    ]
    for bad in ("new_image", "Fisk"):
        cases.append(
            (
                {"StreamEnabled": True, "StreamViewType": bad},
                f"1 validation error detected: Value '{bad}' at 'streamSpecification.streamViewType' failed to "
                "satisfy constraint: Member must satisfy enum value set: [OLD_IMAGE, KEYS_ONLY, NEW_AND_OLD_IMAGES, "
                "NEW_IMAGE]",
            )
        )
    for spec, expected in cases:
        name = unique("spec")
        code, message = error(lambda: create_with_spec(lax_ddb, name, spec))
        assert (code, message) == ("ValidationException", expected), spec
        code, _ = error(lambda: ddb.describe_table(TableName=name))
        assert code == "ResourceNotFoundException"


def test_stream_switch_with_throughput_change_is_refused(ddb):
    """spec §2.2 ([LAB:DDB-TABLE-382/433]): a stream change together with ProvisionedThroughput
    is refused, "You cannot modify stream status while updating table IOPS"; together with
    BillingMode=PAY_PER_REQUEST it is accepted."""
    name = unique("iops")
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "p", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "p", "AttributeType": "S"}],
        ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
    )
    wait_active(ddb, name)
    code, message = error(
        lambda: ddb.update_table(
            TableName=name,
            ProvisionedThroughput={"ReadCapacityUnits": 2, "WriteCapacityUnits": 2},
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"},
        )
    )
    assert (code, message) == ("ValidationException", "You cannot modify stream status while updating table IOPS")
    assert "StreamSpecification" not in ddb.describe_table(TableName=name)["Table"]
    table = ddb.update_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"},
    )["TableDescription"]
    assert table["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}
    assert re.fullmatch(stream_arn_pattern(name), table["LatestStreamArn"])


def test_table_streams_off(ddb):
    """spec §2.1 ([LAB:DDB-TABLE-029], alternator test_describe_table_stream_specification /
    test_table_streams_off): a table never given a stream, or created with
    {StreamEnabled: false}, shows no StreamSpecification, LatestStreamArn or LatestStreamLabel."""
    name, created = create_stream_table(ddb, None)
    plain_name = unique("nostream")
    plain_created = ddb.create_table(
        TableName=plain_name,
        KeySchema=[{"AttributeName": "p", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "p", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )["TableDescription"]
    for t, desc in ((name, created), (plain_name, plain_created)):
        for d in (desc, ddb.describe_table(TableName=t)["Table"]):
            for field in ("StreamSpecification", "LatestStreamArn", "LatestStreamLabel"):
                assert field not in d, (t, field)


@pytest.fixture(scope="module")
def table_stream_with_result(ddb):
    """alternator's test_table_stream_with_result: a KEYS_ONLY stream table and its CreateTable
    answer."""
    name = unique("res")
    result = ddb.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"},
        KeySchema=[{"AttributeName": "p", "KeyType": "HASH"}, {"AttributeName": "c", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "p", "AttributeType": "S"}, {"AttributeName": "c", "AttributeType": "S"}],
    )
    wait_active(ddb, name)
    return result, name


def test_latest_stream_arn(table_stream_with_result, ddb, streams):
    """alternator test_latest_stream_arn: CreateTable, DescribeTable and an unrelated
    UpdateTable carry LatestStreamArn, the ARN ListStreams gives."""
    result, name = table_stream_with_result
    arn_in_create = result["TableDescription"]["LatestStreamArn"]
    arn_in_list, _ = wait_for_active_stream(streams, name)
    assert arn_in_create == arn_in_list
    assert ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"] == arn_in_create
    desc = ddb.update_table(TableName=name, BillingMode="PAY_PER_REQUEST")["TableDescription"]
    assert desc["LatestStreamArn"] == arn_in_create
    wait_active(ddb, name)


def test_latest_stream_label(table_stream_with_result, ddb, streams):
    """alternator test_latest_stream_label: the same for LatestStreamLabel."""
    result, name = table_stream_with_result
    label_in_create = result["TableDescription"]["LatestStreamLabel"]
    assert re.fullmatch(LABEL, label_in_create)
    _, label = wait_for_active_stream(streams, name)
    assert label_in_create == label
    assert ddb.describe_table(TableName=name)["Table"]["LatestStreamLabel"] == label_in_create
    desc = ddb.update_table(TableName=name, BillingMode="PAY_PER_REQUEST")["TableDescription"]
    assert desc["LatestStreamLabel"] == label_in_create
    wait_active(ddb, name)


def test_stream_specification(table_stream_with_result, ddb):
    """alternator test_stream_specification: the same for StreamSpecification."""
    spec = {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}
    result, name = table_stream_with_result
    assert result["TableDescription"]["StreamSpecification"] == spec
    assert ddb.describe_table(TableName=name)["Table"]["StreamSpecification"] == spec
    desc = ddb.update_table(TableName=name, BillingMode="PAY_PER_REQUEST")["TableDescription"]
    assert desc["StreamSpecification"] == spec
    wait_active(ddb, name)


def test_stream_arn_unchanging(ddb, streams):
    """alternator test_stream_arn_unchanging: tagging the table does not change its stream."""
    name, arn = stream_table(ddb, streams)
    table_arn = ddb.describe_table(TableName=name)["Table"]["TableArn"]
    ddb.tag_resource(ResourceArn=table_arn, Tags=[{"Key": "animal", "Value": "dog"}])
    listed = streams.list_streams(TableName=name)["Streams"]
    assert [s["StreamArn"] for s in listed] == [arn]


def test_stream_list_tables(ddb, streams):
    """alternator test_stream_list_tables: a stream adds no table to ListTables."""
    name, _ = stream_table(ddb, streams, ck=False)
    tables = []
    page = ddb.list_tables()
    tables.extend(page["TableNames"])
    while "LastEvaluatedTableName" in page:
        page = ddb.list_tables(ExclusiveStartTableName=page["LastEvaluatedTableName"])
        tables.extend(page["TableNames"])
    assert name in tables
    for listed in tables:
        if listed != name:
            assert name not in listed


@pytest.mark.parametrize("length", [192, 222])
def test_stream_table_name_length_create(ddb, streams, length):
    """alternator test_stream_table_name_length_192_create / _222_create: AWS creates a table
    of a long name with a stream (only Scylla might refuse 222)."""
    name = unique("long")
    name += "x" * (length - len(name))
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "p", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "p", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"},
    )
    wait_active(ddb, name)
    arn, _ = wait_for_active_stream(streams, name)
    assert re.fullmatch(stream_arn_pattern(name), arn)


@pytest.mark.parametrize("length", [192, 222])
def test_stream_table_name_length_update(ddb, streams, length):
    """alternator test_stream_table_name_length_192_update / _222_update."""
    name = unique("long")
    name += "x" * (length - len(name))
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "p", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "p", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    wait_active(ddb, name)
    ddb.update_table(TableName=name, StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
    wait_active(ddb, name)
    arn, _ = wait_for_active_stream(streams, name)
    assert re.fullmatch(stream_arn_pattern(name), arn)


# --- records of each kind of write (alternator ports) ---------------------------------------


def test_streams_putitem_keys_only(ddb, streams):
    """alternator test_streams_putitem_keys_only: one PutItem of a new item is one INSERT."""
    table, arn = stream_table(ddb, streams, "KEYS_ONLY")

    def updates(ddb, table, p, c):
        put(ddb, table, {"p": p, "c": c, "x": 2})
        return [["INSERT", {"p": p, "c": c}, None, {"p": p, "c": c, "x": 2}]]

    do_test(ddb, streams, table, arn, updates, "KEYS_ONLY")


def putitem_override_updates(ddb, table, p, c):
    key = {"p": p, "c": c} if c is not None else {"p": p}
    events = []
    put(ddb, table, {**key, "a": 1})
    events.append(["INSERT", key, None, {**key, "a": 1}])
    put(ddb, table, {**key, "b": 2})
    events.append(["MODIFY", key, {**key, "a": 1}, {**key, "b": 2}])
    put(ddb, table, {**key, "a": 3, "b": 4})
    events.append(["MODIFY", key, {**key, "b": 2}, {**key, "a": 3, "b": 4}])
    put(ddb, table, key)
    events.append(["MODIFY", key, {**key, "a": 3, "b": 4}, key])
    return events


def test_streams_putitem_new_items_override_old(ddb, streams):
    """alternator test_streams_putitem_new_items_override_old: replacing an item is one MODIFY
    (not REMOVE + INSERT) whose OldImage is the whole old item."""
    table, arn = stream_table(ddb, streams, "NEW_AND_OLD_IMAGES")
    do_test(ddb, streams, table, arn, putitem_override_updates, "NEW_AND_OLD_IMAGES")


def test_streams_putitem_new_item_overrides_old_lsi(ddb, streams):
    """alternator test_streams_putitem_new_item_overrides_old_lsi: the same when the replaced
    attribute is an LSI key."""
    table, arn = stream_table(ddb, streams, "NEW_AND_OLD_IMAGES", lsi_key="a")

    def updates(ddb, table, p, c):
        events = []
        put(ddb, table, {"p": p, "c": c, "a": "1"})
        events.append(["INSERT", {"p": p, "c": c}, None, {"p": p, "c": c, "a": "1"}])
        put(ddb, table, {"p": p, "c": c})
        events.append(["MODIFY", {"p": p, "c": c}, {"p": p, "c": c, "a": "1"}, {"p": p, "c": c}])
        assert ddb.scan(TableName=table, IndexName="a_idx")["Items"] == []
        return events

    do_test(ddb, streams, table, arn, updates, "NEW_AND_OLD_IMAGES")


def test_streams_putitem_no_ck_new_items_override_old(ddb, streams):
    """alternator test_streams_putitem_no_ck_new_items_override_old: the same on a table
    without a sort key."""
    table, arn = stream_table(ddb, streams, "NEW_AND_OLD_IMAGES", ck=False)
    do_test(ddb, streams, table, arn, lambda d, t, p, c: putitem_override_updates(d, t, p, None), "NEW_AND_OLD_IMAGES")


def test_streams_putitem_deleteitem_no_ck(ddb, streams):
    """alternator test_streams_putitem_deleteitem_no_ck (xfail on Scylla only): deleting an
    item of a table without a sort key is a REMOVE with the OldImage."""
    table, arn = stream_table(ddb, streams, "NEW_AND_OLD_IMAGES", ck=False)

    def updates(ddb, table, p, _):
        put(ddb, table, {"p": p, "x": 1})
        delete(ddb, table, {"p": p})
        return [["INSERT", {"p": p}, None, {"p": p, "x": 1}], ["REMOVE", {"p": p}, {"p": p, "x": 1}, None]]

    do_test(ddb, streams, table, arn, updates, "NEW_AND_OLD_IMAGES")


def test_streams_updateitem_keys_only(ddb, streams):
    """alternator test_streams_updateitem_keys_only (xfail on Scylla only) and _keys_only_2:
    an UpdateItem that creates an item is one INSERT."""
    table, arn = stream_table(ddb, streams, "KEYS_ONLY")

    def updates(ddb, table, p, c):
        update(ddb, table, {"p": p, "c": c}, "SET x = :val1", {":val1": 2})
        return [["INSERT", {"p": p, "c": c}, None, {"p": p, "c": c, "x": 2}]]

    do_test(ddb, streams, table, arn, updates, "KEYS_ONLY")


def test_streams_updateitem_old_image(ddb, streams):
    """alternator test_streams_updateitem_old_image: OLD_IMAGE holds the whole old item; an
    item that did not exist has no OldImage."""
    table, arn = stream_table(ddb, streams, "OLD_IMAGE")

    def updates(ddb, table, p, c):
        update(ddb, table, {"p": p, "c": c}, "SET x = :val1", {":val1": 2})
        update(ddb, table, {"p": p, "c": c}, "SET y = :val1", {":val1": 3})
        return [
            ["INSERT", {"p": p, "c": c}, None, {"p": p, "c": c, "x": 2}],
            ["MODIFY", {"p": p, "c": c}, {"p": p, "c": c, "x": 2}, {"p": p, "c": c, "x": 2, "y": 3}],
        ]

    do_test(ddb, streams, table, arn, updates, "OLD_IMAGE")


def test_streams_updateitem_old_image_empty_item(ddb, streams):
    """alternator test_streams_updateitem_old_image_empty_item: an item holding only its key
    is a real item: UpdateItem(Key) alone creates it, and the next MODIFY's OldImage is the
    key."""
    table, arn = stream_table(ddb, streams, "OLD_IMAGE")

    def updates(ddb, table, p, c):
        update(ddb, table, {"p": p, "c": c})
        update(ddb, table, {"p": p, "c": c}, "SET y = :val1", {":val1": 3})
        return [
            ["INSERT", {"p": p, "c": c}, None, {"p": p, "c": c}],
            ["MODIFY", {"p": p, "c": c}, {"p": p, "c": c}, {"p": p, "c": c, "y": 3}],
        ]

    do_test(ddb, streams, table, arn, updates, "OLD_IMAGE")


def test_streams_updateitem_old_image_lsi(ddb, streams):
    """alternator test_streams_updateitem_old_image_lsi: the OldImage keeps an LSI key."""
    table, arn = stream_table(ddb, streams, "OLD_IMAGE", lsi_key="k")

    def updates(ddb, table, p, c):
        update(ddb, table, {"p": p, "c": c}, "SET x = :x, k = :k", {":x": 2, ":k": "dog"})
        update(ddb, table, {"p": p, "c": c}, "SET y = :y", {":y": 3})
        return [
            ["INSERT", {"p": p, "c": c}, None, {"p": p, "c": c, "x": 2, "k": "dog"}],
            ["MODIFY", {"p": p, "c": c}, {"p": p, "c": c, "x": 2, "k": "dog"}, {"p": p, "c": c, "x": 2, "k": "dog", "y": 3}],
        ]

    do_test(ddb, streams, table, arn, updates, "OLD_IMAGE")


def test_streams_updateitem_old_image_lsi_missing_column(ddb, streams):
    """alternator test_streams_updateitem_old_image_lsi_missing_column: a never-set LSI key is
    simply missing from the OldImage."""
    table, arn = stream_table(ddb, streams, "OLD_IMAGE", lsi_key="k")

    def updates(ddb, table, p, c):
        update(ddb, table, {"p": p, "c": c}, "SET x = :x", {":x": 2})
        update(ddb, table, {"p": p, "c": c}, "SET y = :y", {":y": 3})
        return [
            ["INSERT", {"p": p, "c": c}, None, {"p": p, "c": c, "x": 2}],
            ["MODIFY", {"p": p, "c": c}, {"p": p, "c": c, "x": 2}, {"p": p, "c": c, "x": 2, "y": 3}],
        ]

    do_test(ddb, streams, table, arn, updates, "OLD_IMAGE")


def test_streams_new_image(ddb, streams):
    """alternator test_streams_new_image: NEW_IMAGE is the whole new item, keys included; a key
    alone is still an image; a delete has none."""
    table, arn = stream_table(ddb, streams, "NEW_IMAGE")

    def updates(ddb, table, p, c):
        k = {"p": p, "c": c}
        update(ddb, table, k, "SET x = :val1", {":val1": 2})
        update(ddb, table, k, "SET y = :val1", {":val1": 3})
        update(ddb, table, k, "REMOVE x, y")
        delete(ddb, table, k)
        return [
            ["INSERT", k, None, {**k, "x": 2}],
            ["MODIFY", k, {**k, "x": 2}, {**k, "x": 2, "y": 3}],
            ["MODIFY", k, {**k, "x": 2, "y": 3}, k],
            ["REMOVE", k, k, None],
        ]

    do_test(ddb, streams, table, arn, updates, "NEW_IMAGE")


def test_streams_new_and_old_images(ddb, streams):
    """alternator test_streams_new_and_old_images: both images in each corner case."""
    table, arn = stream_table(ddb, streams, "NEW_AND_OLD_IMAGES")

    def updates(ddb, table, p, c):
        k = {"p": p, "c": c}
        update(ddb, table, k, "SET x = :val1", {":val1": 2})
        update(ddb, table, k, "SET y = :val1", {":val1": 3})
        update(ddb, table, k, "REMOVE x, y")
        update(ddb, table, k, "SET z = :val1", {":val1": 4})
        delete(ddb, table, k)
        return [
            ["INSERT", k, None, {**k, "x": 2}],
            ["MODIFY", k, {**k, "x": 2}, {**k, "x": 2, "y": 3}],
            ["MODIFY", k, {**k, "x": 2, "y": 3}, k],
            ["MODIFY", k, k, {**k, "z": 4}],
            ["REMOVE", k, {**k, "z": 4}, None],
        ]

    do_test(ddb, streams, table, arn, updates, "NEW_AND_OLD_IMAGES")


def do_updates_1(ddb, table, p, c):
    """alternator's do_updates_1: PutItem, DeleteItem, UpdateItem and BatchWriteItem on one
    item; identical puts and deletes of a missing item leave nothing."""
    k = {"p": p, "c": c}
    events = []
    put(ddb, table, {**k, "x": 2})
    events.append(["INSERT", k, None, {**k, "x": 2}])
    put(ddb, table, {**k, "x": 2})
    put(ddb, table, {**k, "y": 3})
    events.append(["MODIFY", k, {**k, "x": 2}, {**k, "y": 3}])
    delete(ddb, table, k)
    events.append(["REMOVE", k, {**k, "y": 3}, None])
    delete(ddb, table, k)
    update(ddb, table, k, "SET b = :val1", {":val1": 4})
    events.append(["INSERT", k, None, {**k, "b": 4}])
    update(ddb, table, k, "SET x = :val1", {":val1": 5})
    events.append(["MODIFY", k, {**k, "b": 4}, {**k, "b": 4, "x": 5}])
    ddb.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": wire({**k, "x": 5})}}]})
    events.append(["MODIFY", k, {**k, "b": 4, "x": 5}, {**k, "x": 5}])
    return events


@pytest.mark.parametrize("mode", ["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"])
def test_streams_1(ddb, streams, mode):
    """alternator test_streams_1_keys_only / _new_image / _old_image / _new_and_old_images
    (xfail on Scylla only): every write of do_updates_1, in order, nothing for the no-ops."""
    table, arn = stream_table(ddb, streams, mode)
    do_test(ddb, streams, table, arn, do_updates_1, mode)


def test_streams_no_records(ddb, streams):
    """alternator test_streams_no_records: a LATEST iterator read at once gives `Records: []`
    and, on an open shard, a NextShardIterator."""
    _, arn = stream_table(ddb, streams)
    shard = streams.describe_stream(StreamArn=arn, Limit=1)["StreamDescription"]["Shards"][0]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="LATEST")[
        "ShardIterator"
    ]
    response = streams.get_records(ShardIterator=iterator)
    assert "EndingSequenceNumber" not in shard["SequenceNumberRange"]
    assert "NextShardIterator" in response
    assert response["Records"] == []


def first_records(streams, iterators, count, timeout=10):
    """Polls `iterators` (pairs of shard ID and iterator) until one returns `count` records;
    returns (shard ID, that response)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        for shard_id, iterator in iterators:
            response = streams.get_records(ShardIterator=iterator)
            if len(response["Records"]) >= count:
                return shard_id, response
        time.sleep(0.2)
    pytest.fail("timed out")


def test_streams_last_result(ddb, streams):
    """alternator test_streams_last_result: after the one new record, the next read gives
    nothing."""
    table, arn = stream_table(ddb, streams)
    iterators = shards_and_latest_iterators(streams, arn)
    update(ddb, table, {"p": unique("p"), "c": unique("c")}, "SET x = :val1", {":val1": 5})
    _, response = first_records(streams, iterators, 1)
    assert len(response["Records"]) == 1
    assert "NextShardIterator" in response
    response = streams.get_records(ShardIterator=response["NextShardIterator"])
    assert response["Records"] == []


def test_streams_another_result(ddb, streams):
    """alternator test_streams_another_result: a later write to the same key comes on the same
    shard, from the iterator where reading stopped."""
    table, arn = stream_table(ddb, streams)
    iterators = shards_and_latest_iterators(streams, arn)
    k = {"p": unique("p"), "c": unique("c")}
    update(ddb, table, k, "SET x = :val1", {":val1": 5})
    _, response = first_records(streams, iterators, 1)
    assert len(response["Records"]) == 1
    assert response["Records"][0]["dynamodb"]["Keys"] == wire(k)
    response = streams.get_records(ShardIterator=response["NextShardIterator"])
    assert response["Records"] == []
    assert "NextShardIterator" in response
    iterator = response["NextShardIterator"]
    update(ddb, table, k, "SET x = :val2", {":val2": 7})
    deadline = time.time() + 10
    while time.time() < deadline:
        response = streams.get_records(ShardIterator=iterator)
        if response["Records"]:
            assert len(response["Records"]) == 1
            assert response["Records"][0]["dynamodb"]["Keys"] == wire(k)
            assert "NextShardIterator" in response
            return
        time.sleep(0.2)
    pytest.fail("timed out")


def test_streams_at_sequence_number(ddb, streams):
    """alternator test_streams_at_sequence_number: AT_SEQUENCE_NUMBER re-reads that record."""
    table, arn = stream_table(ddb, streams)
    iterators = shards_and_latest_iterators(streams, arn)
    k = {"p": unique("p"), "c": unique("c")}
    update(ddb, table, k, "SET x = :val1", {":val1": 5})
    shard_id, response = first_records(streams, iterators, 1)
    assert len(response["Records"]) == 1
    assert response["Records"][0]["dynamodb"]["Keys"] == wire(k)
    sequence_number = response["Records"][0]["dynamodb"]["SequenceNumber"]
    response = streams.get_records(ShardIterator=response["NextShardIterator"])
    assert response["Records"] == []
    assert "NextShardIterator" in response
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard_id, ShardIteratorType="AT_SEQUENCE_NUMBER", SequenceNumber=sequence_number
    )["ShardIterator"]
    response = streams.get_records(ShardIterator=iterator)
    assert len(response["Records"]) == 1
    assert response["Records"][0]["dynamodb"]["Keys"] == wire(k)
    assert response["Records"][0]["dynamodb"]["SequenceNumber"] == sequence_number


def test_streams_after_sequence_number(ddb, streams):
    """alternator test_streams_after_sequence_number: sequence numbers grow as big integers, and
    AFTER_SEQUENCE_NUMBER of the first of two records reads the second only."""
    table, arn = stream_table(ddb, streams)
    iterators = shards_and_latest_iterators(streams, arn)
    k = {"p": unique("p"), "c": unique("c")}
    update(ddb, table, k, "SET x = :val1", {":val1": 3})
    update(ddb, table, k, "SET x = :val1", {":val1": 5})
    shard_id, response = first_records(streams, iterators, 2)
    assert len(response["Records"]) == 2
    assert [r["dynamodb"]["Keys"] for r in response["Records"]] == [wire(k), wire(k)]
    seq1 = response["Records"][0]["dynamodb"]["SequenceNumber"]
    seq2 = response["Records"][1]["dynamodb"]["SequenceNumber"]
    assert int(seq1) < int(seq2)
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard_id, ShardIteratorType="AFTER_SEQUENCE_NUMBER", SequenceNumber=seq1
    )["ShardIterator"]
    response = streams.get_records(ShardIterator=iterator)
    assert len(response["Records"]) == 1
    assert response["Records"][0]["dynamodb"]["Keys"] == wire(k)
    assert response["Records"][0]["dynamodb"]["SequenceNumber"] == seq2


def test_streams_trim_horizon(ddb, streams):
    """alternator test_streams_trim_horizon: TRIM_HORIZON re-reads both records, same order,
    same numbers."""
    table, arn = stream_table(ddb, streams)
    iterators = shards_and_latest_iterators(streams, arn)
    k = {"p": unique("p"), "c": unique("c")}
    update(ddb, table, k, "SET x = :val1", {":val1": 3})
    update(ddb, table, k, "SET x = :val1", {":val1": 5})
    shard_id, response = first_records(streams, iterators, 2)
    assert len(response["Records"]) == 2
    numbers = [r["dynamodb"]["SequenceNumber"] for r in response["Records"]]
    ids = [r["eventID"] for r in response["Records"]]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON")[
        "ShardIterator"
    ]
    response = streams.get_records(ShardIterator=iterator)
    assert [r["dynamodb"]["Keys"] for r in response["Records"]] == [wire(k), wire(k)]
    assert [r["dynamodb"]["SequenceNumber"] for r in response["Records"]] == numbers
    assert [r["eventID"] for r in response["Records"]] == ids


def test_streams_starting_sequence_number(ddb, streams):
    """alternator test_streams_starting_sequence_number: AT_SEQUENCE_NUMBER of a shard's
    StartingSequenceNumber reads all of it."""
    table, arn = stream_table(ddb, streams)
    k = {"p": unique("p"), "c": unique("c")}
    update(ddb, table, k, "SET x = :val1", {":val1": 3})
    update(ddb, table, k, "SET x = :val1", {":val1": 5})
    iterators = []
    for shard in describe_all(streams, arn)["Shards"]:
        start = shard["SequenceNumberRange"]["StartingSequenceNumber"]
        assert start.isdecimal()
        iterators.append(
            (
                shard["ShardId"],
                streams.get_shard_iterator(
                    StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="AT_SEQUENCE_NUMBER", SequenceNumber=start
                )["ShardIterator"],
            )
        )
    _, response = first_records(streams, iterators, 2)
    assert [r["dynamodb"]["Keys"] for r in response["Records"]] == [wire(k), wire(k)]


def test_streams_latest_skips_earlier_records(ddb, streams):
    """spec §4.3: LATEST starts just after the most recent record: records written before it
    was issued are not read, the next one is."""
    table, arn = stream_table(ddb, streams, ck=False)
    put(ddb, table, {"p": "before"})
    shard_id = list_shards(streams, arn)[0]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard_id, ShardIteratorType="LATEST")["ShardIterator"]
    put(ddb, table, {"p": "after"})
    response = streams.get_records(ShardIterator=iterator)
    assert summary(response["Records"]) == [("INSERT", {"p": "after"}, None, None)]


def test_get_records_limit_pages_through_the_shard(ddb, streams):
    """GetRecords returns at most Limit records and NextShardIterator continues after the last
    one returned: every record once, in order."""
    table, arn = stream_table(ddb, streams, ck=False)
    for i in range(5):
        put(ddb, table, {"p": f"k{i}"})
    shard_id = list_shards(streams, arn)[0]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    pages = []
    for _ in range(10):
        response = streams.get_records(ShardIterator=iterator, Limit=2)
        if not response["Records"]:
            break
        pages.append([plain(r["dynamodb"]["Keys"])["p"] for r in response["Records"]])
        iterator = response["NextShardIterator"]
    assert pages == [["k0", "k1"], ["k2", "k3"], ["k4"]]


def test_get_records_returns_at_most_1000_records(ddb, streams):
    """The botocore model (spec §4.4): one GetRecords returns at most 1000 records; the rest
    follow through NextShardIterator."""
    table, arn = stream_table(ddb, streams, ck=False)
    requests = [{"PutRequest": {"Item": wire({"p": f"k{i:04}"})}} for i in range(1010)]
    for start in range(0, len(requests), 25):
        pending = {table: requests[start : start + 25]}
        while pending:
            pending = ddb.batch_write_item(RequestItems=pending).get("UnprocessedItems") or None
    shard_id = list_shards(streams, arn)[0]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    records = []
    for _ in range(20):
        response = streams.get_records(ShardIterator=iterator)
        assert len(response["Records"]) <= 1000
        if not response["Records"]:
            break
        records.extend(response["Records"])
        iterator = response["NextShardIterator"]
    assert len(records) == 1010
    assert sorted(plain(r["dynamodb"]["Keys"])["p"] for r in records) == [f"k{i:04}" for i in range(1010)]
    assert len({r["eventID"] for r in records}) == 1010


def test_get_records_returns_at_most_1_mb(ddb, streams):
    """The botocore model (spec §4.4): "GetRecords can retrieve a maximum of 1 MB of data or
    1000 stream records, whichever comes first". Five records of about 390 KB each (1.95 MB)
    never come in one response; every response stops once it has reached 1 MB (the records
    before its last one stay under 1 MB), and all five come exactly once."""
    table, arn = stream_table(ddb, streams, "NEW_IMAGE", ck=False)
    for i in range(5):
        put(ddb, table, {"p": f"big{i}", "blob": "x" * 390_000})
    shard_id = list_shards(streams, arn)[0]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    keys = []
    for _ in range(10):
        response = streams.get_records(ShardIterator=iterator)
        records = response["Records"]
        if not records:
            break
        assert len(records) < 5
        assert sum(r["dynamodb"]["SizeBytes"] for r in records[:-1]) < 1024 * 1024
        keys.extend(plain(r["dynamodb"]["Keys"])["p"] for r in records)
        iterator = response["NextShardIterator"]
    assert keys == [f"big{i}" for i in range(5)]


# --- no-op writes, batches and transactions (spec §5.3) -------------------------------------


def test_streams_updateitem_identical(ddb, streams):
    """alternator test_streams_updateitem_identical (spec §5.3): an identical SET, an
    `ADD x :0` and an identical PutItem (of a key-only item too) change nothing and leave no
    record."""
    table, arn = stream_table(ddb, streams, "NEW_AND_OLD_IMAGES", ck=False)
    put(ddb, table, {"p": "a", "x": 1})
    put(ddb, table, {"p": "k"})
    update(ddb, table, {"p": "a"}, "SET x = :v", {":v": 1})
    update(ddb, table, {"p": "a"}, "ADD x :z", {":z": 0})
    put(ddb, table, {"p": "a", "x": 1})
    put(ddb, table, {"p": "k"})
    assert summary(records_through_sentinel(ddb, streams, table, arn)) == [
        ("INSERT", {"p": "a"}, None, {"p": "a", "x": 1}),
        ("INSERT", {"p": "k"}, None, {"p": "k"}),
    ]


def test_streams_updateitem_equal_but_not_identical(ddb, streams):
    """alternator test_streams_updateitem_equal_but_not_identical (xfail on Scylla only;
    spec §5.3): values are compared by meaning: a map set again with its keys in another
    order, or a number written another way, is no change."""
    table, arn = stream_table(ddb, streams, "NEW_AND_OLD_IMAGES", ck=False)
    ddb.put_item(TableName=table, Item={"p": {"S": "a"}, "m": {"M": {"a": {"N": "1"}, "b": {"N": "2"}}}, "n": {"N": "1.0"}})
    ddb.update_item(
        TableName=table,
        Key={"p": {"S": "a"}},
        UpdateExpression="SET m = :m",
        ExpressionAttributeValues={":m": {"M": {"b": {"N": "2"}, "a": {"N": "1"}}}},
    )
    ddb.update_item(
        TableName=table,
        Key={"p": {"S": "a"}},
        UpdateExpression="SET n = :n",
        ExpressionAttributeValues={":n": {"N": "1"}},
    )
    records = records_through_sentinel(ddb, streams, table, arn)
    assert [r["eventName"] for r in records] == ["INSERT"]


def test_streams_updateitem_delete_missing(ddb, streams):
    """alternator test_streams_updateitem_delete_missing (spec §5.3): REMOVE of an absent
    attribute, or DELETE of an element from an absent set, leaves no record."""
    table, arn = stream_table(ddb, streams, "NEW_AND_OLD_IMAGES", ck=False)
    put(ddb, table, {"p": "a", "x": 1})
    update(ddb, table, {"p": "a"}, "REMOVE y")
    ddb.update_item(
        TableName=table,
        Key={"p": {"S": "a"}},
        UpdateExpression="DELETE s :e",
        ExpressionAttributeValues={":e": {"SS": ["q"]}},
    )
    assert summary(records_through_sentinel(ddb, streams, table, arn)) == [
        ("INSERT", {"p": "a"}, None, {"p": "a", "x": 1})
    ]


def test_streams_noop_update_expr_on_missing_item(ddb, streams):
    """alternator test_streams_noop_update_expr_on_missing_item (spec §5.3): `REMOVE g` on a
    missing item creates nothing and leaves no record."""
    table, arn = stream_table(ddb, streams, "NEW_AND_OLD_IMAGES", ck=False)
    update(ddb, table, {"p": "gone"}, "REMOVE g")
    assert "Item" not in ddb.get_item(TableName=table, Key=wire({"p": "gone"}), ConsistentRead=True)
    assert records_through_sentinel(ddb, streams, table, arn) == []


def test_streams_deleteitem_old_image_no_ck(ddb, streams):
    """alternator test_streams_deleteitem_old_image_no_ck (spec §5.3): DeleteItem of an
    existing item is a REMOVE with its OldImage; of a missing one, nothing."""
    table, arn = stream_table(ddb, streams, "OLD_IMAGE", ck=False)
    put(ddb, table, {"p": "a", "x": 1})
    delete(ddb, table, {"p": "a"})
    delete(ddb, table, {"p": "a"})
    delete(ddb, table, {"p": "never"})
    assert summary(records_through_sentinel(ddb, streams, table, arn)) == [
        ("INSERT", {"p": "a"}, None, None),
        ("REMOVE", {"p": "a"}, {"p": "a", "x": 1}, None),
    ]


def test_streams_batch_overwrite_identical(ddb, streams):
    """alternator test_streams_batch_overwrite_identical (spec §5.3): a BatchWriteItem put of
    an identical item leaves no record."""
    table, arn = stream_table(ddb, streams, "NEW_AND_OLD_IMAGES", ck=False)
    put(ddb, table, {"p": "a", "x": 1})
    ddb.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": wire({"p": "a", "x": 1})}}]})
    assert [r["eventName"] for r in records_through_sentinel(ddb, streams, table, arn)] == ["INSERT"]


def test_streams_batch_overwrite_different(ddb, streams):
    """alternator test_streams_batch_overwrite_different (spec §5.3): a BatchWriteItem put over
    a different item is one MODIFY with both images."""
    table, arn = stream_table(ddb, streams, "NEW_AND_OLD_IMAGES", ck=False)
    put(ddb, table, {"p": "a", "x": 1})
    ddb.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": wire({"p": "a", "y": 2})}}]})
    assert summary(records_through_sentinel(ddb, streams, table, arn)) == [
        ("INSERT", {"p": "a"}, None, {"p": "a", "x": 1}),
        ("MODIFY", {"p": "a"}, {"p": "a", "x": 1}, {"p": "a", "y": 2}),
    ]


def test_streams_batch_delete_missing(ddb, streams):
    """alternator test_streams_batch_delete_missing (spec §5.3): a BatchWriteItem delete of a
    missing item leaves no record."""
    table, arn = stream_table(ddb, streams, "NEW_AND_OLD_IMAGES", ck=False)
    ddb.batch_write_item(RequestItems={table: [{"DeleteRequest": {"Key": wire({"p": "nothing"})}}]})
    assert records_through_sentinel(ddb, streams, table, arn) == []


def test_streams_batchwrite_into_the_same_partition(ddb, streams):
    """alternator test_streams_batchwrite_into_the_same_partition_* (spec §5.3, §10): several
    items of one partition in one BatchWriteItem are separate records, one each, with their
    own sequence numbers (Alternator #28439 merged them)."""
    table, arn = stream_table(ddb, streams, "NEW_AND_OLD_IMAGES")
    items = [{"p": "same", "c": f"c{i}", "v": i} for i in range(5)]
    ddb.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": wire(i)}} for i in items]})
    records = records_through_sentinel(ddb, streams, table, arn, key_names=("p", "c"))
    assert sorted((s[0], s[1]["c"], s[3]["v"]) for s in summary(records)) == [("INSERT", f"c{i}", i) for i in range(5)]
    assert len({r["dynamodb"]["SequenceNumber"] for r in records}) == 5
    assert len({r["eventID"] for r in records}) == 5


def test_transact_write_items_streaming(ddb, streams):
    """[LS:test_transact_write_items_streaming] (spec §5.3): a transaction leaves one record
    per item it changed, none for an identical Put; the order across items is UNCONFIRMED,
    so it is not checked."""
    table, arn = stream_table(ddb, streams, "NEW_AND_OLD_IMAGES", ck=False)
    put(ddb, table, {"p": "same", "v": 1})
    put(ddb, table, {"p": "old", "v": 1})
    ddb.transact_write_items(
        TransactItems=[
            {"Put": {"TableName": table, "Item": wire({"p": "new", "v": 2})}},
            {"Put": {"TableName": table, "Item": wire({"p": "same", "v": 1})}},
            {
                "Update": {
                    "TableName": table,
                    "Key": wire({"p": "old"}),
                    "UpdateExpression": "SET v = :v",
                    "ExpressionAttributeValues": wire({":v": 3}),
                }
            },
            {"Delete": {"TableName": table, "Key": wire({"p": "missing"})}},
        ]
    )
    records = summary(records_through_sentinel(ddb, streams, table, arn))
    assert records[:2] == [
        ("INSERT", {"p": "same"}, None, {"p": "same", "v": 1}),
        ("INSERT", {"p": "old"}, None, {"p": "old", "v": 1}),
    ]
    assert sorted(records[2:], key=lambda r: r[1]["p"]) == [
        ("INSERT", {"p": "new"}, None, {"p": "new", "v": 2}),
        ("MODIFY", {"p": "old"}, {"p": "old", "v": 1}, {"p": "old", "v": 3}),
    ]


def test_streams_rejected_writes_leave_no_record(ddb, streams):
    """spec §5.3: a write whose condition fails, or a cancelled transaction, changes nothing
    and leaves no record (one record per item whose stored value changed)."""
    table, arn = stream_table(ddb, streams, "NEW_AND_OLD_IMAGES", ck=False)
    put(ddb, table, {"p": "a", "v": 1})
    error(lambda: put(ddb, table, {"p": "a", "v": 2}, ConditionExpression="attribute_not_exists(p)"))
    error(
        lambda: ddb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": table, "Item": wire({"p": "b", "v": 1})}},
                {
                    "ConditionCheck": {
                        "TableName": table,
                        "Key": wire({"p": "a"}),
                        "ConditionExpression": "v = :two",
                        "ExpressionAttributeValues": wire({":two": 2}),
                    }
                },
            ]
        )
    )
    assert summary(records_through_sentinel(ddb, streams, table, arn)) == [
        ("INSERT", {"p": "a"}, None, {"p": "a", "v": 1})
    ]


# --- closed, disabled and re-enabled streams; DeleteTable ------------------------------------


def test_streams_closed_read(ddb, streams):
    """alternator test_streams_closed_read (xfail on Scylla only): after a disable, iterators
    taken before it still read the record, and the closed shard's end is a response without
    NextShardIterator; a new TRIM_HORIZON iterator on the closed shard reads the record."""
    table, arn = stream_table(ddb, streams)
    iterators = shards_and_latest_iterators(streams, arn)
    update(ddb, table, {"p": unique("p"), "c": unique("c")}, "SET x = :val1", {":val1": 5})
    disable_stream(ddb, streams, table)
    shard_id, response = first_records(streams, iterators, 1)
    assert len(response["Records"]) == 1
    if "NextShardIterator" in response:
        response = streams.get_records(ShardIterator=response["NextShardIterator"])
        assert response["Records"] == []
        assert "NextShardIterator" not in response
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON")[
        "ShardIterator"
    ]
    response = streams.get_records(ShardIterator=iterator)
    assert len(response["Records"]) == 1
    # spec §4.4: on a closed shard the response that returns the last records already lacks
    # NextShardIterator (absent: not null, not "").
    assert "NextShardIterator" not in response


def test_streams_disabled_stream(ddb, streams):
    """alternator test_streams_disabled_stream (xfail on Scylla only): a disabled stream stays
    listed, DescribeStream says DISABLED and every shard has a decimal EndingSequenceNumber,
    and TRIM_HORIZON still reads its one record."""
    table, arn = stream_table(ddb, streams)
    iterators = shards_and_latest_iterators(streams, arn)
    update(ddb, table, {"p": unique("p"), "c": unique("c")}, "SET x = :x", {":x": 5})
    first_records(streams, iterators, 1)
    disable_stream(ddb, streams, table)
    assert arn in [s["StreamArn"] for s in streams.list_streams(TableName=table)["Streams"]]
    desc = describe_all(streams, arn)
    assert desc["StreamStatus"] == "DISABLED"
    assert desc["StreamViewType"] == "KEYS_ONLY"
    assert desc["TableName"] == table
    for shard in desc["Shards"]:
        assert shard["SequenceNumberRange"]["EndingSequenceNumber"].isdecimal()
    nrecords = 0
    for shard in desc["Shards"]:
        iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON")[
            "ShardIterator"
        ]
        response = streams.get_records(ShardIterator=iterator)
        nrecords += len(response["Records"])
        if "NextShardIterator" in response:
            response = streams.get_records(ShardIterator=response["NextShardIterator"])
            assert response["Records"] == []
            assert "NextShardIterator" not in response
    assert nrecords == 1


def test_disabled_stream_table_fields(ddb, streams):
    """spec §2.1 ([LAB:DDB-TABLE-050]): after a disable, DescribeTable has no
    StreamSpecification but keeps LatestStreamArn and LatestStreamLabel."""
    table, arn = stream_table(ddb, streams)
    label = ddb.describe_table(TableName=table)["Table"]["LatestStreamLabel"]
    disable_stream(ddb, streams, table)
    desc = ddb.describe_table(TableName=table)["Table"]
    assert "StreamSpecification" not in desc
    assert desc["LatestStreamArn"] == arn
    assert desc["LatestStreamLabel"] == label


def test_streams_reenable(ddb, streams):
    """alternator test_streams_reenable (spec §2.1, [LAB:DDB-TABLE-050/362]): re-enabling after
    a disable mints a new stream (new label and ARN, shown by the UpdateTable answer already),
    empty and ENABLED; the old ARN stays listed, DISABLED, with every shard closed and its
    records readable; writes go to the new stream only."""
    table, old_arn = stream_table(ddb, streams, "NEW_IMAGE", ck=False)
    put(ddb, table, {"p": "before", "v": 1})
    disable_stream(ddb, streams, table)
    put(ddb, table, {"p": "between", "v": 2})
    response = ddb.update_table(TableName=table, StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})[
        "TableDescription"
    ]
    new_arn = response["LatestStreamArn"]
    assert new_arn != old_arn
    assert re.fullmatch(stream_arn_pattern(table), new_arn)
    assert response["LatestStreamLabel"] != old_arn.rsplit("/", 1)[1]
    assert new_arn.endswith("/stream/" + response["LatestStreamLabel"])
    assert response["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}
    wait_active(ddb, table)
    wait_stream_status(streams, new_arn, "ENABLED")
    put(ddb, table, {"p": "after", "v": 3})

    listed = streams.list_streams(TableName=table)["Streams"]
    assert sorted(s["StreamArn"] for s in listed) == sorted([old_arn, new_arn])
    assert all(s["TableName"] == table for s in listed)

    old = describe_all(streams, old_arn)
    assert old["StreamStatus"] == "DISABLED"
    assert old["StreamViewType"] == "NEW_IMAGE"
    assert old["Shards"] and all("EndingSequenceNumber" in s["SequenceNumberRange"] for s in old["Shards"])
    assert summary(read_stream(streams, old_arn)) == [("INSERT", {"p": "before"}, None, {"p": "before", "v": 1})]

    new = describe_all(streams, new_arn)
    assert new["StreamStatus"] == "ENABLED"
    assert new["StreamViewType"] == "KEYS_ONLY"
    assert summary(read_stream(streams, new_arn)) == [("INSERT", {"p": "after"}, None, None)]
    assert ddb.describe_table(TableName=table)["Table"]["LatestStreamArn"] == new_arn


def test_delete_table_disables_its_stream(ddb, streams):
    """spec §2.1 ([LAB:DDB-TABLE-378]): DeleteTable turns the stream DISABLING then DISABLED;
    DescribeStream still answers; ListStreams(TableName) still lists it, and, once a table of
    the same name is created again with a stream, lists both."""
    table, arn = stream_table(ddb, streams, ck=False)
    put(ddb, table, {"p": "a"})
    ddb.delete_table(TableName=table)
    assert streams.describe_stream(StreamArn=arn)["StreamDescription"]["StreamStatus"] in ("DISABLING", "DISABLED")
    desc = wait_stream_status(streams, arn, "DISABLED")
    assert all("EndingSequenceNumber" in s["SequenceNumberRange"] for s in desc["Shards"])
    assert arn in [s["StreamArn"] for s in streams.list_streams(TableName=table)["Streams"]]
    ddb.get_waiter("table_not_exists").wait(TableName=table, WaiterConfig={"Delay": 0.2, "MaxAttempts": 300})
    ddb.create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "p", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "p", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"},
    )
    wait_active(ddb, table)
    new_arn = ddb.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    assert new_arn != arn
    listed = [s["StreamArn"] for s in streams.list_streams(TableName=table)["Streams"]]
    assert sorted(listed) == sorted([arn, new_arn])
    assert streams.describe_stream(StreamArn=arn)["StreamDescription"]["StreamStatus"] == "DISABLED"


# --- restart (strata: the stream is a view over stored history) ------------------------------


def test_stream_records_survive_a_restart(fresh_data_dir):
    """Records are durable positions: after a restart on the same data directory, the stream,
    its shard and TRIM_HORIZON's records (SequenceNumbers and eventIDs) are the same, and the
    reader resumes AFTER_SEQUENCE_NUMBER where it stopped (spec §4.3, §10)."""
    data_dir = fresh_data_dir / "data"
    s = start_server(data_dir)
    try:
        ddb, streams = s.client("dynamodb"), s.client("dynamodbstreams")
        table, arn = stream_table(ddb, streams, "NEW_AND_OLD_IMAGES", ck=False)
        put(ddb, table, {"p": "a", "v": 1})
        put(ddb, table, {"p": "b", "v": 1})
        update(ddb, table, {"p": "a"}, "SET v = :v", {":v": 2})
        delete(ddb, table, {"p": "b"})
        shards_before = describe_all(streams, arn)["Shards"]
        before = read_stream(streams, arn)
        assert [r["eventName"] for r in before] == ["INSERT", "INSERT", "MODIFY", "REMOVE"]
    finally:
        s.stop()

    s = start_server(data_dir)
    try:
        ddb, streams = s.client("dynamodb"), s.client("dynamodbstreams")
        assert [x["StreamArn"] for x in streams.list_streams(TableName=table)["Streams"]] == [arn]
        desc = describe_all(streams, arn)
        assert desc["StreamStatus"] == "ENABLED"
        assert [x["ShardId"] for x in desc["Shards"]] == [x["ShardId"] for x in shards_before]
        assert [x["SequenceNumberRange"]["StartingSequenceNumber"] for x in desc["Shards"]] == [
            x["SequenceNumberRange"]["StartingSequenceNumber"] for x in shards_before
        ]
        after = read_stream(streams, arn)
        assert after == before
        assert [r["dynamodb"]["SequenceNumber"] for r in after] == [r["dynamodb"]["SequenceNumber"] for r in before]
        assert [r["eventID"] for r in after] == [r["eventID"] for r in before]
        # A new write follows the old records, with a higher number.
        put(ddb, table, {"p": "c", "v": 1})
        shard_id = desc["Shards"][-1]["ShardId"]
        iterator = streams.get_shard_iterator(
            StreamArn=arn,
            ShardId=shard_id,
            ShardIteratorType="AFTER_SEQUENCE_NUMBER",
            SequenceNumber=before[-1]["dynamodb"]["SequenceNumber"],
        )["ShardIterator"]
        new = streams.get_records(ShardIterator=iterator)["Records"]
        assert summary(new) == [("INSERT", {"p": "c"}, None, {"p": "c", "v": 1})]
        assert int(new[0]["dynamodb"]["SequenceNumber"]) > int(before[-1]["dynamodb"]["SequenceNumber"])
        assert new[0]["eventID"] not in {r["eventID"] for r in before}
    finally:
        s.stop()


class TailingConsumer:
    """A stream consumer as the Kinesis adapter and Lambda's poller behave: it keeps one
    iterator per shard, follows NextShardIterator until a closed shard ends (no
    NextShardIterator), then goes on with that shard's children; it remembers the last
    SequenceNumber of each shard, so after losing its iterators (a restart) it resumes with
    AFTER_SEQUENCE_NUMBER (spec §4.3, §4.4, §6)."""

    def __init__(self, streams, arn):
        self.streams, self.arn = streams, arn
        self.records = []
        self.iterators = {}  # shard id -> iterator, for shards being read
        self.last = {}  # shard id -> last SequenceNumber read
        self.done = set()  # closed shards read to their end

    def reconnect(self, streams):
        """Drops the iterators (as a consumer process restarting would) and uses `streams`."""
        self.streams = streams
        self.iterators = {}

    def poll(self):
        """Reads every shard until nothing more comes now; returns the records read."""
        got = []
        while True:
            progressed = False
            for shard in describe_all(self.streams, self.arn)["Shards"]:
                shard_id = shard["ShardId"]
                parent = shard.get("ParentShardId")
                if shard_id in self.done or (parent and parent not in self.done and parent in self.seen_shards()):
                    continue
                if shard_id not in self.iterators:
                    self.iterators[shard_id] = self.resume(shard_id)
                try:
                    page = self.streams.get_records(ShardIterator=self.iterators[shard_id])
                except botocore.exceptions.ClientError as e:
                    # An iterator lives 15 minutes (the clock moved): take a new one where this
                    # shard was left, as the Kinesis adapter does.
                    assert e.response["Error"]["Code"] == "ExpiredIteratorException", e
                    self.iterators[shard_id] = self.resume(shard_id)
                    page = self.streams.get_records(ShardIterator=self.iterators[shard_id])
                for r in page["Records"]:
                    self.last[shard_id] = r["dynamodb"]["SequenceNumber"]
                got.extend(page["Records"])
                progressed |= bool(page["Records"])
                if "NextShardIterator" in page:
                    self.iterators[shard_id] = page["NextShardIterator"]
                else:
                    assert "EndingSequenceNumber" in shard["SequenceNumberRange"], shard
                    self.done.add(shard_id)
                    del self.iterators[shard_id]
                    progressed = True
            if not progressed:
                break
        self.records.extend(got)
        return got

    def resume(self, shard_id):
        """An iterator just after the last record read from the shard, or at its start."""
        if shard_id in self.last:
            kwargs = dict(ShardIteratorType="AFTER_SEQUENCE_NUMBER", SequenceNumber=self.last[shard_id])
        else:
            kwargs = dict(ShardIteratorType="TRIM_HORIZON")
        return self.streams.get_shard_iterator(StreamArn=self.arn, ShardId=shard_id, **kwargs)["ShardIterator"]

    def seen_shards(self):
        return set(self.last) | self.done | set(self.iterators)


def test_tailing_consumer_through_writes_a_restart_and_a_rollover(fresh_data_dir):
    """Issue 18's consumer: a boto3 tailing consumer follows a table through writes, a SIGTERM
    restart of the server (resuming AFTER_SEQUENCE_NUMBER of the last record it read) and a
    shard rollover (the parent read to its end, then the child), and sees every change exactly
    once, in commit order; the AWS CLI reads the same records back from the stream."""
    data_dir = fresh_data_dir / "data"
    s = start_server(data_dir)
    expected = []  # (eventName, key, NewImage) of every change, in order
    try:
        ddb, streams = s.client("dynamodb"), s.client("dynamodbstreams")
        table, arn = stream_table(ddb, streams, "NEW_IMAGE", ck=False)
        consumer = TailingConsumer(streams, arn)
        for i in range(30):
            put(ddb, table, {"p": f"k{i % 7}", "v": i})
            expected.append(("INSERT" if i < 7 else "MODIFY", f"k{i % 7}", {"p": f"k{i % 7}", "v": i}))
            if i % 10 == 9:
                consumer.poll()
        delete(ddb, table, {"p": "k0"})
        expected.append(("REMOVE", "k0", None))
        consumer.poll()
        put(ddb, table, {"p": "k1", "v": 99})
        expected.append(("MODIFY", "k1", {"p": "k1", "v": 99}))
    finally:
        s.stop()

    s = start_server(data_dir)
    try:
        ddb, streams = s.client("dynamodb"), s.client("dynamodbstreams")
        consumer.reconnect(streams)
        consumer.poll()
        put(ddb, table, {"p": "k2", "v": 100})
        expected.append(("MODIFY", "k2", {"p": "k2", "v": 100}))
        s.advance_clock(4 * 3600 + 1)
        for i in range(5):
            put(ddb, table, {"p": f"n{i}", "v": i})
            expected.append(("INSERT", f"n{i}", {"p": f"n{i}", "v": i}))
        consumer.poll()
        shards = describe_all(streams, arn)["Shards"]
        assert len(shards) == 2 and shards[1]["ParentShardId"] == shards[0]["ShardId"]
        assert shards[0]["ShardId"] in consumer.done

        got = [
            (r["eventName"], plain(r["dynamodb"]["Keys"])["p"], plain(r["dynamodb"]["NewImage"]) if "NewImage" in r["dynamodb"] else None)
            for r in consumer.records
        ]
        assert got == expected
        numbers = [int(r["dynamodb"]["SequenceNumber"]) for r in consumer.records]
        assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)
        assert len({r["eventID"] for r in consumer.records}) == len(consumer.records)

        # The AWS CLI reads the child shard's records: the five written after the rollover.
        child = shards[1]["ShardId"]
        out = s.aws("dynamodbstreams", "get-shard-iterator", "--stream-arn", arn, "--shard-id", child,
                    "--shard-iterator-type", "TRIM_HORIZON")
        iterator = json.loads(out.stdout)["ShardIterator"]
        out = s.aws("dynamodbstreams", "get-records", "--shard-iterator", iterator)
        cli = json.loads(out.stdout)["Records"]
        assert [r["dynamodb"]["SequenceNumber"] for r in cli] == [
            r["dynamodb"]["SequenceNumber"] for r in consumer.records[-5:]
        ]
        assert [r["eventID"] for r in cli] == [r["eventID"] for r in consumer.records[-5:]]
    finally:
        s.stop()


# --- the server clock: rollover, trimming, iterator expiry, TTL ------------------------------


def test_shard_rollover_parent_and_child(clock_server):
    """spec §6: a shard closes (EndingSequenceNumber) and a child whose ParentShardId is the
    closed shard opens (strata: every 4 h of server clock). A tailing consumer reads the parent
    from TRIM_HORIZON until NextShardIterator is absent, then the child, and sees every record
    exactly once, in order. ShardFilter CHILD_SHARDS on the parent gives the child."""
    ddb, streams = clock_server.client("dynamodb"), clock_server.client("dynamodbstreams")
    table, arn = stream_table(ddb, streams, "NEW_IMAGE", ck=False)
    first = list_shards(streams, arn)
    assert len(first) == 1
    put(ddb, table, {"p": "k0", "v": 0})
    put(ddb, table, {"p": "k1", "v": 1})
    update(ddb, table, {"p": "k0"}, "SET v = :v", {":v": 10})
    t0 = server_epoch(clock_server)
    clock_server.advance_clock(4 * 3600 + 1)
    put(ddb, table, {"p": "k2", "v": 2})
    update(ddb, table, {"p": "k1"}, "SET v = :v", {":v": 11})
    delete(ddb, table, {"p": "k0"})
    put(ddb, table, {"p": "k3", "v": 3})

    desc = describe_all(streams, arn)
    assert desc["StreamStatus"] == "ENABLED"
    shards = desc["Shards"]
    assert [s["ShardId"] for s in shards] == list_shards(streams, arn)
    assert len(shards) == 2
    parent, child = shards
    assert parent["ShardId"] == first[0]
    assert "ParentShardId" not in parent
    assert parent["SequenceNumberRange"]["EndingSequenceNumber"].isdecimal()
    assert child["ParentShardId"] == parent["ShardId"]
    assert "EndingSequenceNumber" not in child["SequenceNumberRange"]
    assert re.fullmatch(SHARD_ID, child["ShardId"])
    assert child["ShardId"] > parent["ShardId"]
    assert int(child["SequenceNumberRange"]["StartingSequenceNumber"]) > int(
        parent["SequenceNumberRange"]["StartingSequenceNumber"]
    )

    filtered = streams.describe_stream(StreamArn=arn, ShardFilter={"Type": "CHILD_SHARDS", "ShardId": parent["ShardId"]})[
        "StreamDescription"
    ]["Shards"]
    assert filtered == [child]
    none = streams.describe_stream(StreamArn=arn, ShardFilter={"Type": "CHILD_SHARDS", "ShardId": child["ShardId"]})[
        "StreamDescription"
    ]["Shards"]
    assert none == []
    page = streams.describe_stream(StreamArn=arn, Limit=1)["StreamDescription"]
    assert page["Shards"] == [parent] and page["LastEvaluatedShardId"] == parent["ShardId"]
    page = streams.describe_stream(StreamArn=arn, ExclusiveStartShardId=parent["ShardId"])["StreamDescription"]
    assert page["Shards"] == [child]

    # The tailing consumer, one record per GetRecords to walk the iterator chain.
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=parent["ShardId"], ShardIteratorType="TRIM_HORIZON")[
        "ShardIterator"
    ]
    parent_records = []
    for _ in range(100):
        response = streams.get_records(ShardIterator=iterator, Limit=1)
        parent_records.extend(response["Records"])
        if "NextShardIterator" not in response:
            break
        iterator = response["NextShardIterator"]
    else:
        pytest.fail("the closed parent never ended")
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=child["ShardId"], ShardIteratorType="TRIM_HORIZON")[
        "ShardIterator"
    ]
    child_records = []
    for _ in range(100):
        response = streams.get_records(ShardIterator=iterator, Limit=1)
        assert "NextShardIterator" in response
        if not response["Records"]:
            break
        child_records.extend(response["Records"])
        iterator = response["NextShardIterator"]
    seen = summary(parent_records + child_records)
    assert seen == [
        ("INSERT", {"p": "k0"}, None, {"p": "k0", "v": 0}),
        ("INSERT", {"p": "k1"}, None, {"p": "k1", "v": 1}),
        ("MODIFY", {"p": "k0"}, None, {"p": "k0", "v": 10}),
        ("INSERT", {"p": "k2"}, None, {"p": "k2", "v": 2}),
        ("MODIFY", {"p": "k1"}, None, {"p": "k1", "v": 11}),
        ("REMOVE", {"p": "k0"}, None, None),
        ("INSERT", {"p": "k3"}, None, {"p": "k3", "v": 3}),
    ]
    records = parent_records + child_records
    assert len({r["eventID"] for r in records}) == 7
    start = int(parent["SequenceNumberRange"]["StartingSequenceNumber"])
    end = int(parent["SequenceNumberRange"]["EndingSequenceNumber"])
    assert all(start <= int(r["dynamodb"]["SequenceNumber"]) <= end for r in parent_records)
    numbers = [int(r["dynamodb"]["SequenceNumber"]) for r in child_records]
    assert numbers == sorted(numbers)
    assert all(int(child["SequenceNumberRange"]["StartingSequenceNumber"]) <= n for n in numbers)
    # Commit times follow the server clock.
    for r in parent_records:
        assert r["dynamodb"]["ApproximateCreationDateTime"].timestamp() <= t0 + 1
    for r in child_records:
        assert r["dynamodb"]["ApproximateCreationDateTime"].timestamp() >= int(t0) + 4 * 3600


def test_trimmed_records_after_24_hours(clock_server):
    """spec §4.3 and the botocore model: a shard iterator for a sequence number older than the
    trim point (24 h) is TrimmedDataAccessException."""
    ddb, streams = clock_server.client("dynamodb"), clock_server.client("dynamodbstreams")
    table, arn = stream_table(ddb, streams, ck=False)
    put(ddb, table, {"p": "old"})
    (record,) = read_stream(streams, arn)
    shard_id = list_shards(streams, arn)[0]
    seq = record["dynamodb"]["SequenceNumber"]
    clock_server.advance_clock(25 * 3600)
    code, message = error(
        lambda: streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard_id, ShardIteratorType="AT_SEQUENCE_NUMBER", SequenceNumber=seq
        )
    )
    assert code == "TrimmedDataAccessException"
    # The message GetRecords gives for trimmed data (node-dynamodb-stream#13); UNCONFIRMED
    # for GetShardIterator, so not asserted.
    # spec §4.3: AFTER_SEQUENCE_NUMBER of a number older than the trim point is refused the
    # same way (the model: "a shard iterator with a sequence number older than the trim point").
    try:
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard_id, ShardIteratorType="AFTER_SEQUENCE_NUMBER", SequenceNumber=seq
        )["ShardIterator"]
    except botocore.exceptions.ClientError as e:
        assert e.response["Error"]["Code"] == "TrimmedDataAccessException"
    else:
        pytest.fail(f"AFTER_SEQUENCE_NUMBER of a trimmed record gave an iterator: {iterator}")
    # The stream itself is still there and takes new records.
    put(ddb, table, {"p": "new"})
    assert summary(read_stream(streams, arn)) == [("INSERT", {"p": "new"}, None, None)]


def test_trim_horizon_moves_past_trimmed_records(clock_server):
    """spec §4.3/§6: in a shard whose oldest record is over 24 h old and a newer one is not,
    AT_SEQUENCE_NUMBER of the old one is TrimmedDataAccessException, TRIM_HORIZON starts at the
    newer record, and AT_SEQUENCE_NUMBER of the newer one reads it."""
    ddb, streams = clock_server.client("dynamodb"), clock_server.client("dynamodbstreams")
    table, arn = stream_table(ddb, streams, ck=False)
    put(ddb, table, {"p": "a"})
    clock_server.advance_clock(3600)
    put(ddb, table, {"p": "b"})
    records = read_stream(streams, arn)
    assert [plain(r["dynamodb"]["Keys"])["p"] for r in records] == ["a", "b"]
    shard_id = list_shards(streams, arn)[0]
    clock_server.advance_clock(23 * 3600 + 1800)  # a: 24.5 h old; b: 23.5 h old
    code, _ = error(
        lambda: streams.get_shard_iterator(
            StreamArn=arn,
            ShardId=shard_id,
            ShardIteratorType="AT_SEQUENCE_NUMBER",
            SequenceNumber=records[0]["dynamodb"]["SequenceNumber"],
        )
    )
    assert code == "TrimmedDataAccessException"
    assert shard_id in list_shards(streams, arn)
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    got = streams.get_records(ShardIterator=iterator)["Records"]
    assert [r["eventID"] for r in got] == [records[1]["eventID"]]
    iterator = streams.get_shard_iterator(
        StreamArn=arn,
        ShardId=shard_id,
        ShardIteratorType="AT_SEQUENCE_NUMBER",
        SequenceNumber=records[1]["dynamodb"]["SequenceNumber"],
    )["ShardIterator"]
    got = streams.get_records(ShardIterator=iterator)["Records"]
    assert [r["eventID"] for r in got] == [records[1]["eventID"]]


def test_iterator_expires_after_15_minutes(clock_server):
    """The botocore model (spec §4.3): a shard iterator expires 15 minutes after it is issued:
    ExpiredIteratorException, "Shard iterator has expired" (spring-integration-aws#59). Until
    then it works, and each NextShardIterator has its own 15 minutes."""
    ddb, streams = clock_server.client("dynamodb"), clock_server.client("dynamodbstreams")
    table, arn = stream_table(ddb, streams, ck=False)
    put(ddb, table, {"p": "a"})
    shard_id = list_shards(streams, arn)[0]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    clock_server.advance_clock(14 * 60)
    response = streams.get_records(ShardIterator=iterator)
    assert len(response["Records"]) == 1
    next_iterator = response["NextShardIterator"]
    clock_server.advance_clock(2 * 60)  # 16 minutes after the first iterator was issued
    code, message = error(lambda: streams.get_records(ShardIterator=iterator))
    assert code == "ExpiredIteratorException"
    assert message == "Shard iterator has expired"
    put(ddb, table, {"p": "b"})
    response = streams.get_records(ShardIterator=next_iterator)
    assert summary(response["Records"]) == [("INSERT", {"p": "b"}, None, None)]


def test_ttl_expiration_streams(clock_server):
    """alternator test_ttl.py::test_ttl_expiration_streams: an item TTL deletes is a REMOVE with
    the whole OldImage and userIdentity {"Type": "Service", "PrincipalId":
    "dynamodb.amazonaws.com"}; a user's own delete and the inserts carry no userIdentity. (TTL
    expiry in strata follows the server clock, as in test_dynamodb_tables.py.)"""
    ddb, streams = clock_server.client("dynamodb"), clock_server.client("dynamodbstreams")
    table, arn = stream_table(ddb, streams, "NEW_AND_OLD_IMAGES")
    ddb.update_time_to_live(TableName=table, TimeToLiveSpecification={"AttributeName": "expiration", "Enabled": True})
    wait_stream_status(streams, ddb.describe_table(TableName=table)["Table"]["LatestStreamArn"], "ENABLED")
    expiration = int(server_epoch(clock_server)) + 600
    put(ddb, table, {"p": "p1", "c": "c1", "animal": "dog", "expiration": expiration})
    put(ddb, table, {"p": "p2", "c": "c2", "animal": "cat"})
    delete(ddb, table, {"p": "p2", "c": "c2"})
    clock_server.advance_clock(3600)
    deadline = time.time() + 15
    while "Item" in ddb.get_item(TableName=table, Key=wire({"p": "p1", "c": "c1"}), ConsistentRead=True):
        if time.time() > deadline:
            pytest.fail("the expired item was never deleted")
        time.sleep(0.2)
    deadline = time.time() + 10
    while True:
        records = read_stream(streams, arn)
        ttl = [r for r in records if r.get("userIdentity") == TTL_IDENTITY]
        if ttl or time.time() > deadline:
            break
        time.sleep(0.2)
    assert len(ttl) == 1
    assert ttl[0]["eventName"] == "REMOVE"
    assert ttl[0]["dynamodb"]["Keys"] == {"p": {"S": "p1"}, "c": {"S": "c1"}}
    assert ttl[0]["dynamodb"]["OldImage"] == {
        "p": {"S": "p1"},
        "c": {"S": "c1"},
        "animal": {"S": "dog"},
        "expiration": {"N": str(expiration)},
    }
    assert "NewImage" not in ttl[0]["dynamodb"]
    assert [(r["eventName"], "userIdentity" in r) for r in records] == [
        ("INSERT", False),
        ("INSERT", False),
        ("REMOVE", False),
        ("REMOVE", True),
    ]


# --- authorization (spec §7) ---------------------------------------------------------------


def stream_user(server, prefix, *statements):
    """An IAM user of the source account with `statements` as its inline policy; returns (its
    name, a streams client and a DynamoDB client signing as it)."""
    iam = server.client("iam")
    name = unique(prefix)
    iam.create_user(UserName=name)
    if statements:
        iam.put_user_policy(
            UserName=name,
            PolicyName="streams",
            PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": list(statements)}),
        )
    key = iam.create_access_key(UserName=name)["AccessKey"]
    creds = dict(aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
    return name, server.client("dynamodbstreams", **creds), server.client("dynamodb", **creds)


def denied(call):
    code, message = error(call)
    assert code == "AccessDeniedException", message
    return message


READ_ACTIONS = ["dynamodb:DescribeStream", "dynamodb:GetShardIterator", "dynamodb:GetRecords"]


def test_stream_read_permissions(server, ddb, streams):
    """spec §7: DescribeStream, GetShardIterator and GetRecords are authorized on the stream
    ARN; a policy on `arn:aws:dynamodb:*:*:table/<T>/stream/*` lets a user read T's stream but
    neither its table nor another table's stream, nor ListStreams; a user without it is
    AccessDeniedException naming the action and the stream ARN."""
    table, arn = stream_table(ddb, streams, "NEW_IMAGE", ck=False)
    other, other_arn = stream_table(ddb, streams, ck=False)
    put(ddb, table, {"p": "a", "v": 1})
    _, reader, reader_ddb = stream_user(
        server, "sreader", {"Effect": "Allow", "Action": READ_ACTIONS, "Resource": f"arn:aws:dynamodb:*:*:table/{table}/stream/*"}
    )
    desc = reader.describe_stream(StreamArn=arn)["StreamDescription"]
    shard_id = desc["Shards"][0]["ShardId"]
    iterator = reader.get_shard_iterator(StreamArn=arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    records = reader.get_records(ShardIterator=iterator)["Records"]
    assert summary(records) == [("INSERT", {"p": "a"}, None, {"p": "a", "v": 1})]
    denied(lambda: reader.list_streams())
    denied(lambda: reader.list_streams(TableName=table))
    denied(lambda: reader_ddb.get_item(TableName=table, Key=wire({"p": "a"})))
    message = denied(lambda: reader.describe_stream(StreamArn=other_arn))
    assert f"is not authorized to perform: dynamodb:DescribeStream on resource: {other_arn}" in message

    nobody_name, nobody, _ = stream_user(server, "snobody")
    message = denied(lambda: nobody.describe_stream(StreamArn=arn))
    assert f"User: arn:aws:iam::{SOURCE}:user/{nobody_name} is not authorized to perform: dynamodb:DescribeStream" in message
    assert f"on resource: {arn}" in message
    message = denied(lambda: nobody.get_shard_iterator(StreamArn=arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"))
    assert f"dynamodb:GetShardIterator on resource: {arn}" in message
    message = denied(lambda: nobody.get_records(ShardIterator=iterator))
    assert f"dynamodb:GetRecords on resource: {arn}" in message
    denied(lambda: nobody.list_streams())


def test_list_streams_permission(server, ddb, streams):
    """spec §7: ListStreams is `dynamodb:ListStreams` on `*` only: a grant on `table/<T>/stream/*`
    does not allow it; a grant on `*` does."""
    table, arn = stream_table(ddb, streams, ck=False)
    _, scoped, _ = stream_user(
        server,
        "slistscoped",
        {"Effect": "Allow", "Action": "dynamodb:ListStreams", "Resource": f"arn:aws:dynamodb:*:*:table/{table}/stream/*"},
    )
    denied(lambda: scoped.list_streams(TableName=table))
    _, lister, _ = stream_user(server, "slister", {"Effect": "Allow", "Action": "dynamodb:ListStreams", "Resource": "*"})
    listed = lister.list_streams(TableName=table)["Streams"]
    assert [s["StreamArn"] for s in listed] == [arn]
    # ListStreams alone does not let it read the stream.
    denied(lambda: lister.describe_stream(StreamArn=arn))


def test_list_streams_lists_the_callers_own_streams(server, ddb, streams):
    """spec §7: ListStreams lists only the caller's own streams."""
    table, arn = stream_table(ddb, streams, ck=False)
    other = server.client("dynamodbstreams", "destination")
    assert other.list_streams(TableName=table)["Streams"] == []
    assert arn not in [s["StreamArn"] for s in all_stream_pages(other)]


def test_stream_resource_policy_grants_another_account(server, ddb, streams):
    """spec §7 (AWS's rbac-attach-resource-policy-streams page): a stream resource policy, put
    on the stream ARN through the DynamoDB endpoint, lets another account read the stream by
    its ARN; without it that account is denied. A stream policy may not name ListStreams."""
    dest = ACCOUNTS["destination"][0]
    table, arn = stream_table(ddb, streams, "NEW_IMAGE", ck=False)
    put(ddb, table, {"p": "shared", "v": 1})
    remote = server.client("dynamodbstreams", "destination")
    denied(lambda: remote.describe_stream(StreamArn=arn))
    document = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{dest}:root"},
                    "Action": READ_ACTIONS,
                    "Resource": arn,
                }
            ],
        }
    )
    # ListStreams has no resource: a stream policy naming it is refused, as AWS answered
    # aws-controllers-k8s/dynamodb-controller#176's e2e run.
    with_list = json.loads(document)
    with_list["Statement"][0]["Action"] = ["dynamodb:ListStreams"]
    code, message = error(lambda: ddb.put_resource_policy(ResourceArn=arn, Policy=json.dumps(with_list)))
    assert (code, message) == (
        "ValidationException",
        'One or more parameter values were invalid: Invalid policy document: The following action names are '
        'invalid: "dynamodb:ListStreams"',
    )
    ddb.put_resource_policy(ResourceArn=arn, Policy=document)
    assert json.loads(ddb.get_resource_policy(ResourceArn=arn)["Policy"]) == json.loads(document)
    deadline = time.time() + 20  # AWS's resource policies are eventually consistent
    while True:
        try:
            desc = remote.describe_stream(StreamArn=arn)["StreamDescription"]
            break
        except botocore.exceptions.ClientError as e:
            assert e.response["Error"]["Code"] == "AccessDeniedException"
            if time.time() > deadline:
                raise
            time.sleep(0.5)
    shard_id = desc["Shards"][0]["ShardId"]
    iterator = remote.get_shard_iterator(StreamArn=arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    assert summary(remote.get_records(ShardIterator=iterator)["Records"]) == [
        ("INSERT", {"p": "shared"}, None, {"p": "shared", "v": 1})
    ]
    # The stream policy grants nothing on the table.
    table_arn = ddb.describe_table(TableName=table)["Table"]["TableArn"]
    code, _ = error(lambda: server.client("dynamodb", "destination").get_item(TableName=table_arn, Key=wire({"p": "shared"})))
    assert code == "AccessDeniedException"


def test_table_policy_refuses_stream_actions(ddb, streams):
    """spec §7 (aws-cdk#36194, #32230 quote AWS): stream actions in a *table* resource policy
    are refused as invalid action names."""
    table, arn = stream_table(ddb, streams, ck=False)
    table_arn = ddb.describe_table(TableName=table)["Table"]["TableArn"]
    document = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNTS['destination'][0]}:root"},
                    "Action": [
                        "dynamodb:GetRecords",
                        "dynamodb:GetShardIterator",
                        "dynamodb:DescribeStream",
                        "dynamodb:ListStreams",
                    ],
                    "Resource": table_arn,
                }
            ],
        }
    )
    code, message = error(lambda: ddb.put_resource_policy(ResourceArn=table_arn, Policy=document))
    assert code == "ValidationException"
    assert message.startswith(
        "One or more parameter values were invalid: Invalid policy document: The following action names are invalid: "
    ), message
    for action in ("GetRecords", "GetShardIterator", "DescribeStream", "ListStreams"):
        assert f'"dynamodb:{action}"' in message


# --- the AWS CLI ----------------------------------------------------------------------------


def test_cli_dynamodbstreams(server, ddb, streams):
    """`aws dynamodbstreams list-streams / describe-stream / get-shard-iterator / get-records`,
    as the AWS CLI's describe-stream and get-records examples use them."""
    table, arn = stream_table(ddb, streams, "NEW_AND_OLD_IMAGES", ck=False)
    put(ddb, table, {"p": "cli", "v": 1})
    listed = json.loads(server.aws("dynamodbstreams", "list-streams", "--table-name", table).stdout)["Streams"]
    assert len(listed) == 1
    assert listed[0]["StreamArn"] == arn and listed[0]["TableName"] == table
    assert re.fullmatch(LABEL, listed[0]["StreamLabel"])
    desc = json.loads(server.aws("dynamodbstreams", "describe-stream", "--stream-arn", arn).stdout)["StreamDescription"]
    assert desc["StreamArn"] == arn
    assert desc["StreamStatus"] == "ENABLED"
    assert desc["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert desc["TableName"] == table
    assert desc["KeySchema"] == [{"AttributeName": "p", "KeyType": "HASH"}]
    shard_id = desc["Shards"][0]["ShardId"]
    iterator = json.loads(
        server.aws(
            "dynamodbstreams",
            "get-shard-iterator",
            "--stream-arn",
            arn,
            "--shard-id",
            shard_id,
            "--shard-iterator-type",
            "TRIM_HORIZON",
        ).stdout
    )["ShardIterator"]
    got = json.loads(server.aws("dynamodbstreams", "get-records", "--shard-iterator", iterator).stdout)
    assert len(got["Records"]) == 1
    record = got["Records"][0]
    assert record["eventName"] == "INSERT"
    assert record["eventSource"] == "aws:dynamodb"
    assert record["dynamodb"]["Keys"] == {"p": {"S": "cli"}}
    assert record["dynamodb"]["NewImage"] == {"p": {"S": "cli"}, "v": {"N": "1"}}
    assert "NextShardIterator" in got
    missing = f"arn:aws:dynamodb:{REGION}:{SOURCE}:table/{unique('missing')}/stream/2026-10-08T23:07:31.275"
    failed = server.aws("dynamodbstreams", "describe-stream", "--stream-arn", missing, check=False)
    assert failed.returncode != 0
    assert "ResourceNotFoundException" in failed.stderr
