"""DynamoDB's limits at AWS's numbers, with AWS's messages where they are known: attribute
name lengths, expression length and nesting, large requests and items, ClientRequestToken
and tags. Expectations come from alternator's test_limits.py / test_tag.py (run against AWS),
botocore's model, AWS's documentation ("Service, account, and table quotas", "Tagging
restrictions") and captures noted at each test; never from strata's own answers."""

import pytest

from aws_helpers import client_error, get, key, new_table, unique

VALIDATION = "ValidationException"


@pytest.fixture
def table(ddb):
    return new_table(ddb)


def refused(call):
    """The ValidationException `call` raises: its message."""
    error = client_error(call)
    assert error["Error"]["Code"] == VALIDATION, error["Error"]
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    return error["Error"]["Message"]


# --- attribute names: 65,535 bytes -------------------------------------------------------

LONGEST_NAME = "n" * 65535
TOO_LONG_NAME = "n" * 65536


def test_names_of_65535_bytes_work_everywhere(ddb, table):
    """alternator's test_limit_attribute_length_nonkey_good: a 65,535-byte name is usable in
    items, projections, AttributesToGet, AttributeUpdates and every expression."""
    ddb.put_item(TableName=table, Item={**key("long"), LONGEST_NAME: {"N": "1"}})
    names = {"#n": LONGEST_NAME}
    got = ddb.get_item(TableName=table, Key=key("long"), ProjectionExpression="#n", ExpressionAttributeNames=names)
    assert got["Item"] == {LONGEST_NAME: {"N": "1"}}
    got = ddb.get_item(TableName=table, Key=key("long"), AttributesToGet=[LONGEST_NAME])
    assert got["Item"] == {LONGEST_NAME: {"N": "1"}}
    ddb.update_item(TableName=table, Key=key("long"), AttributeUpdates={LONGEST_NAME: {"Value": {"N": "2"}}})
    ddb.update_item(
        TableName=table,
        Key=key("long"),
        UpdateExpression="SET #n = #n + :one",
        ConditionExpression="#n = :two",
        ExpressionAttributeNames=names,
        ExpressionAttributeValues={":one": {"N": "1"}, ":two": {"N": "2"}},
    )
    assert get(ddb, table, "long")[LONGEST_NAME] == {"N": "3"}


@pytest.mark.parametrize(
    "call",
    [
        lambda ddb, t: ddb.put_item(TableName=t, Item={**key("x"), TOO_LONG_NAME: {"N": "1"}}),
        lambda ddb, t: ddb.put_item(TableName=t, Item={**key("x"), "m": {"M": {TOO_LONG_NAME: {"N": "1"}}}}),
        lambda ddb, t: ddb.get_item(TableName=t, Key=key("x"), AttributesToGet=[TOO_LONG_NAME]),
        lambda ddb, t: ddb.update_item(
            TableName=t, Key=key("x"), AttributeUpdates={TOO_LONG_NAME: {"Value": {"N": "2"}}}
        ),
        lambda ddb, t: ddb.put_item(
            TableName=t, Item=key("x"), Expected={TOO_LONG_NAME: {"Exists": False}}
        ),
        lambda ddb, t: ddb.scan(
            TableName=t, ScanFilter={TOO_LONG_NAME: {"ComparisonOperator": "NOT_NULL"}}
        ),
    ],
    ids=["item", "nested-map", "AttributesToGet", "AttributeUpdates", "Expected", "ScanFilter"],
)
def test_names_of_65536_bytes_are_refused(ddb, table, call):
    """alternator's test_limit_attribute_length_nonkey_bad matches
    'ValidationException.*6553[56]'; the full text is DynamoDB Local's (UNCONFIRMED)."""
    message = refused(lambda: call(ddb, table))
    assert message == "Attribute name is too large, must be less than 65536 bytes"
    assert get(ddb, table, "x") is None


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(ProjectionExpression="#n"),
        dict(UpdateExpression="SET #n = :v", ExpressionAttributeValues={":v": {"N": "3"}}),
        dict(
            UpdateExpression="SET a = :v",
            ConditionExpression="attribute_not_exists(#n)",
            ExpressionAttributeValues={":v": {"N": "3"}},
        ),
    ],
    ids=["projection", "update", "condition"],
)
@pytest.mark.parametrize(
    "name, problem",
    [
        # DynamoDB Local's text, matching alternator's 'ValidationException.*6553[56]'.
        (TOO_LONG_NAME, "Attribute name is too large, must be less than 65536 bytes"),
        # AWS's words, as an application handling real DynamoDB answers quotes them:
        # "ExpressionAttributeNames contains invalid value: Empty attribute name for key #DE".
        ("", "Empty attribute name"),
    ],
    ids=["65536", "empty"],
)
def test_expression_attribute_names_of_65536_bytes_or_empty_are_refused(ddb, table, kwargs, name, problem):
    operation = ddb.get_item if "ProjectionExpression" in kwargs else ddb.update_item
    message = refused(
        lambda: operation(TableName=table, Key=key("x"), ExpressionAttributeNames={"#n": name}, **kwargs)
    )
    assert message == f"ExpressionAttributeNames contains invalid value: {problem} for key #n"
    assert get(ddb, table, "x") is None


# --- expressions: 4 KB, 300 operators, nesting ----------------------------------------------


# --- key and index attribute names: 255 characters --------------------------------------


@pytest.mark.parametrize("where", ["table", "index"])
def test_key_attribute_names_of_255_work_and_256_are_refused(ddb, where):
    """alternator's test_limit_attribute_length_key_good/_bad and ..._gsi_key_good/_bad (run
    against AWS: "ValidationException.*length"); botocore's KeySchemaAttributeName is 1 to 255
    characters, for AttributeDefinitions and every KeySchema."""

    def create(name):
        definitions = [{"AttributeName": "pk", "AttributeType": "S"}]
        extra = {}
        if where == "table":
            definitions = [{"AttributeName": name, "AttributeType": "S"}]
            schema = [{"AttributeName": name, "KeyType": "HASH"}]
        else:
            schema = [{"AttributeName": "pk", "KeyType": "HASH"}]
            definitions.append({"AttributeName": name, "AttributeType": "S"})
            extra["GlobalSecondaryIndexes"] = [
                {
                    "IndexName": "idx",
                    "KeySchema": [{"AttributeName": name, "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ]
        table = unique("keyname")
        ddb.create_table(
            TableName=table, KeySchema=schema, AttributeDefinitions=definitions, BillingMode="PAY_PER_REQUEST", **extra
        )
        return table

    table = create("k" * 255)
    item = {"k" * 255: {"S": "v"}} if where == "table" else {"pk": {"S": "p"}, "k" * 255: {"S": "v"}}
    ddb.put_item(TableName=table, Item=item)
    message = refused(lambda: create("k" * 256))
    assert "Member must have length less than or equal to 255" in message
    assert message.startswith("2 validation errors detected: ") == (where == "table")


def test_expressions_of_4096_bytes_are_accepted_and_4097_refused(ddb, table):
    """alternator's test_limit_expression_len, on all five expression parameters; the text
    "Invalid ConditionExpression: Expression size has exceeded the maximum allowed size;
    expression size: 200004" is AWS's (test_limit_expression_len_crash1)."""
    spaces = " " * 4085
    ddb.put_item(TableName=table, Item={**key("e"), "a": {"N": "1"}})

    def too_long(kind):
        return f"Invalid {kind}: Expression size has exceeded the maximum allowed size; expression size: 4097"

    ddb.get_item(TableName=table, Key=key("e"), ProjectionExpression="x" * 4096)
    assert refused(lambda: ddb.get_item(TableName=table, Key=key("e"), ProjectionExpression="x" * 4097)) == too_long(
        "ProjectionExpression"
    )
    one = {":val": {"N": "1"}}
    ddb.update_item(TableName=table, Key=key("e"), UpdateExpression=f"SET{spaces}a = :val", ExpressionAttributeValues=one)
    assert refused(
        lambda: ddb.update_item(
            TableName=table, Key=key("e"), UpdateExpression=f"SET {spaces}a = :val", ExpressionAttributeValues=one
        )
    ) == too_long("UpdateExpression")
    values = {":new": {"N": "2"}, ":oldval": {"N": "1"}}
    condition = f"a{spaces} = :oldval"
    assert len(condition) == 4096
    ddb.update_item(
        TableName=table,
        Key=key("e"),
        UpdateExpression="SET a = :new",
        ConditionExpression=condition,
        ExpressionAttributeValues=values,
    )
    assert refused(
        lambda: ddb.update_item(
            TableName=table,
            Key=key("e"),
            UpdateExpression="SET a = :new",
            ConditionExpression=f"a {spaces} = :oldval",
            ExpressionAttributeValues=values,
        )
    ) == too_long("ConditionExpression")
    two = {":theval": {"N": "2"}}
    got = ddb.scan(TableName=table, FilterExpression=f"a{spaces} = :theval", ExpressionAttributeValues=two)
    assert got["Items"] == [{**key("e"), "a": {"N": "2"}}]
    assert refused(
        lambda: ddb.scan(TableName=table, FilterExpression=f"a {spaces} = :theval", ExpressionAttributeValues=two)
    ) == too_long("FilterExpression")
    # KeyConditionExpression: the same documented 4 KB limit (its text is UNCONFIRMED).
    pk = {":theval": {"S": "e"}}
    condition = f"pk{spaces[1:]} = :theval"
    assert len(condition) == 4096
    assert len(ddb.query(TableName=table, KeyConditionExpression=condition, ExpressionAttributeValues=pk)["Items"]) == 1
    assert refused(
        lambda: ddb.query(TableName=table, KeyConditionExpression=f"pk {spaces[1:]} = :theval", ExpressionAttributeValues=pk)
    ) == too_long("KeyConditionExpression")


def condition_update(ddb, table, condition):
    return ddb.update_item(
        TableName=table,
        Key=key("deep"),
        UpdateExpression="SET z = :val",
        ConditionExpression=condition,
        ExpressionAttributeValues={":val": {"N": "1"}},
    )


@pytest.fixture
def deep_item(ddb, table):
    ddb.put_item(TableName=table, Item={**key("deep"), "a": {"N": "1"}, "b": {"N": "2"}})
    return table


def test_nested_conditions_within_300_operators_are_accepted(ddb, deep_item):
    """alternator's test_deeply_nested_expression_2: 149 nested levels, 299 operators."""
    condition_update(ddb, deep_item, "a<b " + "or (a<b " * 149 + ")" * 149)
    assert get(ddb, deep_item, "deep")["z"] == {"N": "1"}


@pytest.mark.parametrize(
    "condition, message",
    [
        # test_deeply_nested_expression_2: 909 operators under 4 KB; AWS's text, which counts
        # to 301 however many there are.
        (
            "a<b " + "or (a<b " * 454 + ")" * 454,
            "Invalid ConditionExpression: The expression contains too many operators; operator count: 301",
        ),
        # test_deeply_nested_expression_3: AWS's text.
        ("(" * 2046 + "a<b" + ")" * 2046, "Invalid ConditionExpression: The expression has redundant parentheses;"),
        # test_limit_expression_len_crash1: AWS's text.
        (
            "a<b " + "and (a<b " * 20000 + ")" * 20000,
            "Invalid ConditionExpression: Expression size has exceeded the maximum allowed size; "
            "expression size: 200004",
        ),
        # test_deeply_nested_expression_1, _4, _5: refused; alternator checks the prefix only.
        ("(" * 4096, None),
        ("not " * 1000 + "a<b", None),
        ("a < " + "f(" * 1355 + "b" + ")" * 1355, None),
        ("a < " + "size(" * 680 + "b" + ")" * 680, None),
    ],
    ids=["909-operators", "2046-parentheses", "200k-bytes", "4096-open", "1000-not", "1355-calls", "680-size"],
)
def test_deeply_nested_conditions_are_refused_promptly(ddb, deep_item, condition, message):
    got = refused(lambda: condition_update(ddb, deep_item, condition))
    if message is None:
        assert got.startswith("Invalid ConditionExpression: ")
    else:
        assert got == message
    assert "z" not in get(ddb, deep_item, "deep")


# --- large requests -------------------------------------------------------------------------


def test_a_100_action_transaction_of_nearly_4_mb_is_written(ddb, table):
    """TransactWriteItems takes up to 100 actions and 4 MB (DynamoDB quotas); a large valid
    request is never a bare SerializationException."""
    value = {"S": "x" * 39_000}
    items = [{"Put": {"TableName": table, "Item": {**key(f"t{i}"), "v": value}}} for i in range(100)]
    ddb.transact_write_items(TransactItems=items)
    assert get(ddb, table, "t99")["v"] == value


def test_a_transaction_over_4_mb_is_refused_and_writes_nothing(ddb, table):
    """DynamoDB's quotas: "The aggregate size of the items in the transaction cannot exceed
    4 MB"; AWS's ValidationException says "Transaction payload size cannot exceed 4MB"
    (alternator's test_transact.py::test_transact_write_items_put_5MB, run against AWS,
    matches "size cannot exceed"). UNCONFIRMED: the payload size AWS reports."""
    value = {"S": "x" * 390_000}
    items = [{"Put": {"TableName": table, "Item": {**key(f"big{i}"), "v": value}}} for i in range(11)]
    message = refused(lambda: ddb.transact_write_items(TransactItems=items))
    assert message.startswith("Transaction payload size cannot exceed 4MB. Payload Size: ")
    assert "Item" not in ddb.get_item(TableName=table, Key=key("big0"))


def test_a_101_action_transaction_is_refused(ddb, table):
    items = [{"Put": {"TableName": table, "Item": key(f"u{i}")}} for i in range(101)]
    message = refused(lambda: ddb.transact_write_items(TransactItems=items))
    assert message == (
        "1 validation error detected: Value '[...]' at 'transactItems' failed to satisfy constraint: "
        "Member must have length less than or equal to 100"
    )


def test_a_batch_of_25_items_of_nearly_400_kb_is_written(ddb, table):
    """BatchWriteItem writes up to 16 MB: 25 items of up to 400 KB (DynamoDB quotas)."""
    value = {"S": "x" * 399_000}
    requests = [{"PutRequest": {"Item": {**key(f"b{i}"), "v": value}}} for i in range(25)]
    assert ddb.batch_write_item(RequestItems={table: requests})["UnprocessedItems"] == {}
    assert get(ddb, table, "b24")["v"] == value


def test_items_of_thousands_of_attributes_are_written_and_updated(ddb, table):
    item = {**key("wide"), **{f"a{i}": {"N": str(i)} for i in range(10_000)}}
    ddb.put_item(TableName=table, Item=item)
    values = {f":v{i}": {"S": "y" * 3000} for i in range(100)}
    ddb.update_item(
        TableName=table,
        Key=key("wide"),
        UpdateExpression="SET " + ", ".join(f"b{i} = :v{i}" for i in range(100)),
        ExpressionAttributeValues=values,
    )
    stored = get(ddb, table, "wide")
    assert len(stored) == 1 + 10_000 + 100
    ddb.update_item(
        TableName=table,
        Key=key("list"),
        UpdateExpression="SET l = :l",
        ExpressionAttributeValues={":l": {"L": [{"N": str(i)} for i in range(5000)]}},
    )
    assert len(get(ddb, table, "list")["l"]["L"]) == 5000


# --- ClientRequestToken -----------------------------------------------------------------------


def test_client_request_tokens_of_36_characters_are_accepted_and_37_refused(ddb, table):
    """The model's ClientRequestToken is 1 to 36 characters. us-east-1 echoes the token and
    reports it before the other members' violations (a conformance suite's capture of
    2026-10-09; eu-west-2 was seen naming the member without the value)."""
    put = [{"Put": {"TableName": table, "Item": key("token")}}]
    ddb.transact_write_items(TransactItems=put, ClientRequestToken="x" * 36)
    assert get(ddb, table, "token") == key("token")
    token = "y" * 37
    message = refused(lambda: ddb.transact_write_items(TransactItems=put, ClientRequestToken=token))
    violation = (
        f"Value '{token}' at 'clientRequestToken' failed to satisfy constraint: "
        "Member must have length less than or equal to 36"
    )
    assert message == f"1 validation error detected: {violation}"


# --- tags -------------------------------------------------------------------------------------


def table_arn(ddb, table):
    return ddb.describe_table(TableName=table)["Table"]["TableArn"]


def tags_of(ddb, arn):
    return {t["Key"]: t["Value"] for t in ddb.list_tags_of_resource(ResourceArn=arn)["Tags"]}


def test_tags_at_their_limits_are_kept(ddb, table):
    """Keys of 128 and values of 256 characters; letters of any script, numbers, white
    space and + - = . _ : / @ (DynamoDB's "Tagging restrictions"; alternator's
    test_tag_resource_basic and, for other scripts, test_tag_resource_unicode)."""
    arn = table_arn(ddb, table)
    tags = {"k" * 128: "v" * 256, "законные буквы": "ѮѮ Ѯ", " ": "9", "a+-=._:/@": "", "7": " "}
    ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": k, "Value": v} for k, v in tags.items()])
    assert tags_of(ddb, arn) == tags


@pytest.mark.parametrize(
    "tag, violation",
    [
        (
            {"Key": "k" * 129, "Value": "v"},
            f"Value '{'k' * 129}' at 'tags.1.member.key' failed to satisfy constraint: "
            "Member must have length less than or equal to 128",
        ),
        (
            {"Key": "k", "Value": "v" * 257},
            f"Value '{'v' * 257}' at 'tags.1.member.value' failed to satisfy constraint: "
            "Member must have length less than or equal to 256",
        ),
        # alternator's test_tag_resource_incorrect refuses these as a ValidationException;
        # the pattern wording is AWS's shared tag pattern (UNCONFIRMED for DynamoDB).
        (
            {"Key": "ok", "Value": "#!%%^$$&"},
            "Value '#!%%^$$&' at 'tags.1.member.value' failed to satisfy constraint: "
            r"Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]*",
        ),
        (
            {"Key": "->>;-)])", "Value": "ok"},
            "Value '->>;-)])' at 'tags.1.member.key' failed to satisfy constraint: "
            r"Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]+",
        ),
    ],
    ids=["key-129", "value-257", "value-characters", "key-characters"],
)
def test_tags_beyond_their_limits_are_refused_on_tag_and_create(ddb, table, tag, violation):
    """The model's TagKeyString (1..128) and TagValueString (0..256), in the model's
    constraint wording; refused by TagResource and by CreateTable, which then creates nothing."""
    arn = table_arn(ddb, table)
    expected = f"1 validation error detected: {violation}"
    assert refused(lambda: ddb.tag_resource(ResourceArn=arn, Tags=[tag])) == expected
    assert tags_of(ddb, arn) == {}
    name = unique("tagged")
    assert refused(lambda: new_table_named(ddb, name, Tags=[tag])) == expected
    assert client_error(lambda: ddb.describe_table(TableName=name))["Error"]["Code"] == "ResourceNotFoundException"


def new_table_named(ddb, name, **extra):
    return ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        **extra,
    )


def test_more_than_50_tags_are_refused_on_tag_and_create(ddb, table):
    """50 tags per resource; more is a ValidationException on TagResource (30 + 20 new after
    20 overlap is fine, 20 more is not) and on CreateTable, which then creates nothing
    (alternator's test_tag_resource_incorrect and test_too_long_tags_from_creation, run
    against AWS). The message is UNCONFIRMED."""
    arn = table_arn(ddb, table)
    tag = lambda i: {"Key": str(i), "Value": str(i)}  # noqa: E731
    ddb.tag_resource(ResourceArn=arn, Tags=[tag(i) for i in range(30)])
    ddb.tag_resource(ResourceArn=arn, Tags=[tag(i) for i in range(20, 50)])
    assert len(tags_of(ddb, arn)) == 50
    refused(lambda: ddb.tag_resource(ResourceArn=arn, Tags=[tag(i) for i in range(50, 60)]))
    assert len(tags_of(ddb, arn)) == 50
    name = unique("tagged")
    refused(lambda: new_table_named(ddb, name, Tags=[tag(i) for i in range(100)]))
    assert client_error(lambda: ddb.describe_table(TableName=name))["Error"]["Code"] == "ResourceNotFoundException"
    created = unique("tagged")
    new_table_named(ddb, created, Tags=[tag(i) for i in range(50)])
    assert len(tags_of(ddb, table_arn(ddb, created))) == 50
