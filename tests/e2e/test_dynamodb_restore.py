"""RestoreTableToPointInTime (spec dynamodb-export-import §1.4): a new table with exactly the
source's items as of a second in its window, AWS's checks in AWS's order. Runs on a server of
its own because it moves the clock."""

import pytest

from aws_helpers import client_error, wait_active


@pytest.fixture(scope="module")
def srv(workdir):
    from conftest import start_server

    s = start_server(workdir / "restore")
    yield s
    s.stop()


def items(ddb, table):
    return sorted((i["pk"]["S"], i.get("v", {}).get("N")) for i in ddb.scan(TableName=table)["Items"])


def test_restore_to_a_past_second_and_to_the_latest(srv):
    ddb = srv.client("dynamodb")
    ddb.create_table(
        TableName="source-table",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "g", "AttributeType": "S"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-g",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    for i in range(5):
        ddb.put_item(TableName="source-table", Item={"pk": {"S": f"k{i}"}, "v": {"N": "1"}, "g": {"S": "x"}})
    ddb.update_continuous_backups(
        TableName="source-table", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )
    srv.advance_clock(600)
    window = ddb.describe_continuous_backups(TableName="source-table")["ContinuousBackupsDescription"]
    then = window["PointInTimeRecoveryDescription"]["LatestRestorableDateTime"]
    ddb.put_item(TableName="source-table", Item={"pk": {"S": "new"}, "g": {"S": "x"}})
    ddb.delete_item(TableName="source-table", Key={"pk": {"S": "k0"}})
    ddb.put_item(TableName="source-table", Item={"pk": {"S": "k1"}, "v": {"N": "2"}, "g": {"S": "x"}})
    srv.advance_clock(400)

    out = ddb.restore_table_to_point_in_time(
        SourceTableName="source-table", TargetTableName="restored-then", RestoreDateTime=then
    )["TableDescription"]
    assert out["TableStatus"] == "CREATING"
    assert out["RestoreSummary"]["RestoreInProgress"] is True
    assert out["RestoreSummary"]["SourceTableArn"].endswith(":table/source-table")
    wait_active(ddb, "restored-then")
    assert items(ddb, "restored-then") == [("k0", "1"), ("k1", "1"), ("k2", "1"), ("k3", "1"), ("k4", "1")]
    described = ddb.describe_table(TableName="restored-then")["Table"]
    assert described["TableStatus"] == "ACTIVE"
    assert "RestoreSummary" not in described
    assert [i["IndexName"] for i in described["GlobalSecondaryIndexes"]] == ["by-g"]
    by_g = ddb.query(
        TableName="restored-then",
        IndexName="by-g",
        KeyConditionExpression="g = :g",
        ExpressionAttributeValues={":g": {"S": "x"}},
    )
    assert by_g["Count"] == 5, "the index is rebuilt from the restored items"
    pitr = ddb.describe_continuous_backups(TableName="restored-then")["ContinuousBackupsDescription"]
    assert pitr["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "DISABLED"

    ddb.restore_table_to_point_in_time(
        SourceTableName="source-table",
        TargetTableName="restored-latest",
        UseLatestRestorableTime=True,
        GlobalSecondaryIndexOverride=[],
    )
    wait_active(ddb, "restored-latest")
    assert items(ddb, "restored-latest") == [("k1", "2"), ("k2", "1"), ("k3", "1"), ("k4", "1"), ("new", None)]
    assert "GlobalSecondaryIndexes" not in ddb.describe_table(TableName="restored-latest")["Table"]


def test_restore_errors(srv):
    ddb = srv.client("dynamodb")
    ddb.create_table(
        TableName="no-pitr",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )

    def error(**kwargs):
        e = client_error(lambda: ddb.restore_table_to_point_in_time(**kwargs))["Error"]
        return e["Code"], e["Message"]

    assert error(SourceTableName="no-pitr", TargetTableName="t-x", UseLatestRestorableTime=True) == (
        "PointInTimeRecoveryUnavailableException",
        "Point in time recovery is not enabled for table 'no-pitr'",
    )
    assert error(SourceTableName="missing", TargetTableName="t-y", UseLatestRestorableTime=True) == (
        "TableNotFoundException",
        "Table not found: missing",
    )
    code, message = error(SourceTableName="no-pitr", TargetTableName="t-z")
    assert code == "ValidationException"
    assert message.startswith("Invalid Request: Either one of RestoreDateTime or UseLatestRestorableTime")
    ddb.update_continuous_backups(
        TableName="no-pitr", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )
    code, message = error(SourceTableName="no-pitr", TargetTableName="t-w", RestoreDateTime=1)
    assert code == "InvalidRestoreTimeException"
    assert message.startswith("RestoreDateTime '1970-01-01T00:00:01Z' must be within EarliestRestorableDateTime '")
    assert error(SourceTableName="no-pitr", TargetTableName="no-pitr", UseLatestRestorableTime=True) == (
        "TableAlreadyExistsException",
        "Table already exists: no-pitr",
    )


def test_restore_to_the_earliest_time_sees_a_key_overwritten_just_before_the_enable(srv):
    """EarliestRestorableDateTime is whole seconds (spec §1.3) but never before the enable's
    commit: a key overwritten within that second while PITR was off has only its newest
    version left, so a window starting at the truncated second (AWS's display) would restore
    a state strata no longer has. Restoring to Earliest finds the version the enable found."""
    ddb = srv.client("dynamodb")
    ddb.create_table(
        TableName="overwritten-source",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    ddb.put_item(TableName="overwritten-source", Item={"pk": {"S": "k"}, "v": {"N": "1"}})
    srv.advance_clock(5)
    ddb.put_item(TableName="overwritten-source", Item={"pk": {"S": "k"}, "v": {"N": "2"}})
    enabled = ddb.update_continuous_backups(
        TableName="overwritten-source", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    )["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    earliest = enabled["EarliestRestorableDateTime"]
    assert earliest.microsecond == 0
    srv.advance_clock(2)
    ddb.put_item(TableName="overwritten-source", Item={"pk": {"S": "k"}, "v": {"N": "3"}})
    srv.advance_clock(600)
    ddb.restore_table_to_point_in_time(
        SourceTableName="overwritten-source", TargetTableName="overwritten-restored", RestoreDateTime=earliest
    )
    wait_active(ddb, "overwritten-restored")
    assert items(ddb, "overwritten-restored") == [("k", "2")]
