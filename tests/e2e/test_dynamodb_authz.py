"""DynamoDB authorization through real IAM evaluation: identity policies on table and
index ARNs, the dynamodb:LeadingKeys and dynamodb:Attributes condition keys, explicit
denies, transactions authorized per action, and table resource policies granting
another account (or a user of the same account) access."""

import json

import pytest

import aws_helpers
from aws_helpers import client_error, policy, unique

SOURCE, DEST = "111111111111", "222222222222"


def table_arn(name, account=SOURCE):
    return f"arn:aws:dynamodb:us-east-1:{account}:table/{name}"


def allow(actions, resources, condition=None):
    statement = {"Effect": "Allow", "Action": actions, "Resource": resources}
    if condition:
        statement["Condition"] = condition
    return statement


def user_with_key(server, prefix, account="source"):
    iam = server.client("iam", account)
    name = unique(prefix)
    iam.create_user(UserName=name)
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return name, dict(aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])


def dynamodb_user(server, prefix, *statements, account="source"):
    """An IAM user with `statements` as its inline policy, and a DynamoDB client for it."""
    name, keys = user_with_key(server, prefix, account)
    if statements:
        server.client("iam", account).put_user_policy(UserName=name, PolicyName="ddb", PolicyDocument=policy(*statements))
    return name, server.client("dynamodb", account, **keys)


def new_table(ddb, with_index=False):
    name = unique("authz")
    extra = {}
    defs = [{"AttributeName": "pk", "AttributeType": "S"}]
    if with_index:
        defs.append({"AttributeName": "g", "AttributeType": "S"})
        extra["GlobalSecondaryIndexes"] = [
            {
                "IndexName": "by-g",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ]
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=defs,
        BillingMode="PAY_PER_REQUEST",
        **extra,
    )
    return name


def key(pk):
    return {"pk": {"S": pk}}


def denied(call):
    error = client_error(call)
    assert error["Error"]["Code"] == "AccessDeniedException", error["Error"]
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    return error["Error"]["Message"]


@pytest.fixture
def root(server):
    return server.client("dynamodb")


# --- identity policies ----------------------------------------------------------------


def test_user_without_a_policy_is_denied(server, root):
    table = new_table(root)
    name, ddb = dynamodb_user(server, "nopolicy")
    message = denied(lambda: ddb.put_item(TableName=table, Item=key("x")))
    assert (
        f"User: arn:aws:iam::{SOURCE}:user/{name} is not authorized to perform: dynamodb:PutItem "
        f"on resource: {table_arn(table)}"
    ) in message
    assert "Item" not in root.get_item(TableName=table, Key=key("x"))
    denied(lambda: ddb.get_item(TableName=table, Key=key("x")))
    denied(lambda: ddb.describe_table(TableName=table))
    denied(ddb.list_tables)


def test_denial_comes_before_not_found(server):
    _, ddb = dynamodb_user(server, "nf")
    denied(lambda: ddb.describe_table(TableName=unique("missing")))
    denied(lambda: ddb.get_item(TableName=unique("missing"), Key=key("x")))


def test_get_item_only_policy(server, root):
    table, other = new_table(root), new_table(root)
    root.put_item(TableName=table, Item={"pk": {"S": "x"}, "v": {"N": "1"}})
    root.put_item(TableName=other, Item={"pk": {"S": "x"}})
    _, ddb = dynamodb_user(server, "reader", allow("dynamodb:GetItem", table_arn(table)))
    assert ddb.get_item(TableName=table, Key=key("x"))["Item"] == {"pk": {"S": "x"}, "v": {"N": "1"}}
    # Not found is only reported once the caller may ask.
    assert "Item" not in ddb.get_item(TableName=table, Key=key("nope"))
    denied(lambda: ddb.put_item(TableName=table, Item=key("y")))
    denied(lambda: ddb.update_item(TableName=table, Key=key("x"), UpdateExpression="REMOVE v"))
    denied(lambda: ddb.delete_item(TableName=table, Key=key("x")))
    denied(lambda: ddb.scan(TableName=table))
    denied(lambda: ddb.query(TableName=table, KeyConditionExpression="pk = :p",
                             ExpressionAttributeValues={":p": {"S": "x"}}))
    denied(lambda: ddb.get_item(TableName=other, Key=key("x")))
    assert root.get_item(TableName=table, Key=key("x"))["Item"]["v"] == {"N": "1"}


def test_wildcard_actions_and_resources(server, root):
    prefix = unique("wild")
    mine = f"{prefix}-a"
    for t in (mine, unique("elsewhere")):
        root.create_table(
            TableName=t,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
    _, ddb = dynamodb_user(
        server, "wild", allow(["dynamodb:*Item", "dynamodb:Describe*"], table_arn(f"{prefix}-*"))
    )
    ddb.put_item(TableName=mine, Item=key("x"))
    ddb.update_item(TableName=mine, Key=key("x"), UpdateExpression="SET v = :v",
                    ExpressionAttributeValues={":v": {"S": "1"}})
    assert ddb.get_item(TableName=mine, Key=key("x"))["Item"]["v"] == {"S": "1"}
    assert ddb.describe_table(TableName=mine)["Table"]["TableName"] == mine
    denied(lambda: ddb.scan(TableName=mine))
    denied(lambda: ddb.delete_table(TableName=mine))
    denied(lambda: ddb.describe_table(TableName=t))


def test_explicit_deny_wins(server, root):
    table = new_table(root)
    root.put_item(TableName=table, Item=key("keep"))
    _, ddb = dynamodb_user(
        server,
        "denied",
        allow("dynamodb:*", "*"),
        {"Effect": "Deny", "Action": "dynamodb:DeleteItem", "Resource": table_arn(table)},
    )
    ddb.put_item(TableName=table, Item=key("other"))
    message = denied(lambda: ddb.delete_item(TableName=table, Key=key("keep")))
    assert "with an explicit deny in an identity-based policy" in message
    assert "Item" in root.get_item(TableName=table, Key=key("keep"))


def test_index_reads_need_the_index_resource(server, root):
    table = new_table(root, with_index=True)
    root.put_item(TableName=table, Item={"pk": {"S": "x"}, "g": {"S": "green"}})
    query_index = dict(
        TableName=table, IndexName="by-g", KeyConditionExpression="g = :g", ExpressionAttributeValues={":g": {"S": "green"}}
    )
    query_table = dict(TableName=table, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "x"}})

    _, table_only = dynamodb_user(server, "tbl", allow(["dynamodb:Query", "dynamodb:Scan"], table_arn(table)))
    assert table_only.query(**query_table)["Count"] == 1
    message = denied(lambda: table_only.query(**query_index))
    assert f"on resource: {table_arn(table)}/index/by-g" in message
    denied(lambda: table_only.scan(TableName=table, IndexName="by-g"))

    _, index_too = dynamodb_user(
        server, "idx", allow(["dynamodb:Query", "dynamodb:Scan"], [table_arn(table), table_arn(table) + "/index/*"])
    )
    assert index_too.query(**query_index)["Items"] == [{"pk": {"S": "x"}, "g": {"S": "green"}}]
    assert index_too.scan(TableName=table, IndexName="by-g")["Count"] == 1

    _, index_only = dynamodb_user(server, "idxonly", allow("dynamodb:Query", table_arn(table) + "/index/by-g"))
    assert index_only.query(**query_index)["Count"] == 1
    denied(lambda: index_only.query(**query_table))


# --- condition keys -------------------------------------------------------------------

ITEM_ACTIONS = [
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:Query",
    "dynamodb:BatchGetItem",
    "dynamodb:BatchWriteItem",
]


def leading_keys_user(server, root):
    table = new_table(root)
    name, ddb = dynamodb_user(
        server,
        "lk",
        allow(
            ITEM_ACTIONS,
            table_arn(table),
            {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["${aws:username}"]}},
        ),
    )
    root.put_item(TableName=table, Item={"pk": {"S": "someone-else"}, "v": {"S": "theirs"}})
    return table, name, ddb


def test_leading_keys_limit_a_user_to_its_own_items(server, root):
    table, name, ddb = leading_keys_user(server, root)
    ddb.put_item(TableName=table, Item={"pk": {"S": name}, "v": {"S": "mine"}})
    assert ddb.get_item(TableName=table, Key=key(name))["Item"]["v"] == {"S": "mine"}
    ddb.update_item(TableName=table, Key=key(name), UpdateExpression="SET v = :v",
                    ExpressionAttributeValues={":v": {"S": "still mine"}})
    out = ddb.query(TableName=table, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": name}})
    assert out["Items"] == [{"pk": {"S": name}, "v": {"S": "still mine"}}]

    denied(lambda: ddb.get_item(TableName=table, Key=key("someone-else")))
    denied(lambda: ddb.put_item(TableName=table, Item={"pk": {"S": "someone-else"}, "v": {"S": "stolen"}}))
    denied(lambda: ddb.delete_item(TableName=table, Key=key("someone-else")))
    denied(lambda: ddb.update_item(TableName=table, Key=key("someone-else"), UpdateExpression="REMOVE v"))
    denied(lambda: ddb.query(TableName=table, KeyConditionExpression="pk = :p",
                             ExpressionAttributeValues={":p": {"S": "someone-else"}}))
    assert root.get_item(TableName=table, Key=key("someone-else"))["Item"]["v"] == {"S": "theirs"}

    ddb.delete_item(TableName=table, Key=key(name))
    assert "Item" not in root.get_item(TableName=table, Key=key(name))


def test_a_querys_leading_keys_are_its_partition_key_values_only(server, root):
    """AWS: dynamodb:LeadingKeys "represents the first key attribute of a table — in other
    words, the partition key" (DynamoDB developer guide, "Using IAM policy conditions for
    fine-grained access control"): a sort key compared with `=` adds no value to it."""
    table = aws_helpers.new_table(root, "lk-sort", range_key=("sk", "S"))
    name, ddb = dynamodb_user(
        server,
        "lks",
        allow(
            ["dynamodb:Query"],
            table_arn(table),
            {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["${aws:username}"]}},
        ),
    )
    root.put_item(TableName=table, Item={"pk": {"S": name}, "sk": {"S": "a"}})
    out = ddb.query(
        TableName=table,
        KeyConditionExpression="#p = :p AND sk = :s",
        ExpressionAttributeNames={"#p": "pk"},
        ExpressionAttributeValues={":p": {"S": name}, ":s": {"S": "a"}},
    )
    assert out["Items"] == [{"pk": {"S": name}, "sk": {"S": "a"}}]
    denied(
        lambda: ddb.query(
            TableName=table,
            KeyConditionExpression="pk = :p AND sk = :s",
            ExpressionAttributeValues={":p": {"S": "someone-else"}, ":s": {"S": name}},
        )
    )


def test_leading_keys_apply_to_batch_get(server, root):
    table, name, ddb = leading_keys_user(server, root)
    root.put_item(TableName=table, Item=key(name))
    out = ddb.batch_get_item(RequestItems={table: {"Keys": [key(name)]}})
    assert out["Responses"][table] == [key(name)]
    denied(lambda: ddb.batch_get_item(RequestItems={table: {"Keys": [key(name), key("someone-else")]}}))


def test_leading_keys_apply_to_batch_write(server, root):
    table, name, ddb = leading_keys_user(server, root)
    ddb.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": key(name)}}]})
    assert "Item" in root.get_item(TableName=table, Key=key(name))
    denied(
        lambda: ddb.batch_write_item(
            RequestItems={table: [{"PutRequest": {"Item": {"pk": {"S": "someone-else"}, "v": {"S": "stolen"}}}}]}
        )
    )
    denied(lambda: ddb.batch_write_item(RequestItems={table: [{"DeleteRequest": {"Key": key("someone-else")}}]}))
    assert root.get_item(TableName=table, Key=key("someone-else"))["Item"]["v"] == {"S": "theirs"}


def test_leading_keys_apply_to_each_transaction_action(server, root):
    table, name, ddb = leading_keys_user(server, root)
    ddb.transact_write_items(TransactItems=[{"Put": {"TableName": table, "Item": key(name)}}])
    assert "Item" in root.get_item(TableName=table, Key=key(name))
    denied(
        lambda: ddb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": table, "Item": {"pk": {"S": name}, "v": {"S": "2"}}}},
                {"Delete": {"TableName": table, "Key": key("someone-else")}},
            ]
        )
    )
    assert "v" not in root.get_item(TableName=table, Key=key(name))["Item"]
    assert "Item" in root.get_item(TableName=table, Key=key("someone-else"))
    out = ddb.transact_get_items(TransactItems=[{"Get": {"TableName": table, "Key": key(name)}}])
    assert out["Responses"] == [{"Item": key(name)}]
    denied(lambda: ddb.transact_get_items(TransactItems=[{"Get": {"TableName": table, "Key": key("someone-else")}}]))


def test_transaction_actions_are_authorized_one_by_one(server, root):
    table = new_table(root)
    root.put_item(TableName=table, Item={"pk": {"S": "chk"}, "ok": {"BOOL": True}})
    _, ddb = dynamodb_user(server, "tx", allow("dynamodb:PutItem", table_arn(table)))
    ddb.transact_write_items(TransactItems=[{"Put": {"TableName": table, "Item": key("a")}}])
    assert "Item" in root.get_item(TableName=table, Key=key("a"))
    check = {
        "ConditionCheck": {
            "TableName": table,
            "Key": key("chk"),
            "ConditionExpression": "ok = :t",
            "ExpressionAttributeValues": {":t": {"BOOL": True}},
        }
    }
    message = denied(
        lambda: ddb.transact_write_items(TransactItems=[{"Put": {"TableName": table, "Item": key("b")}}, check])
    )
    assert "dynamodb:ConditionCheckItem" in message
    assert "Item" not in root.get_item(TableName=table, Key=key("b"))


def test_attributes_condition_limits_projections(server, root):
    table = new_table(root)
    root.put_item(TableName=table, Item={"pk": {"S": "x"}, "shown": {"S": "p"}, "secret": {"S": "s"}})
    _, ddb = dynamodb_user(
        server,
        "attrs",
        allow(
            ["dynamodb:GetItem", "dynamodb:Query"],
            table_arn(table),
            {
                "ForAllValues:StringEquals": {"dynamodb:Attributes": ["pk", "shown"]},
                "StringEqualsIfExists": {"dynamodb:Select": "SPECIFIC_ATTRIBUTES"},
            },
        ),
    )
    got = ddb.get_item(TableName=table, Key=key("x"), ProjectionExpression="pk, shown")["Item"]
    assert got == {"pk": {"S": "x"}, "shown": {"S": "p"}}
    denied(lambda: ddb.get_item(TableName=table, Key=key("x"), ProjectionExpression="pk, secret"))
    out = ddb.query(
        TableName=table, KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "x"}},
        ProjectionExpression="shown", Select="SPECIFIC_ATTRIBUTES",
    )
    assert out["Items"] == [{"shown": {"S": "p"}}]
    denied(lambda: ddb.query(TableName=table, KeyConditionExpression="pk = :p",
                             ExpressionAttributeValues={":p": {"S": "x"}}, Select="ALL_ATTRIBUTES"))


def test_customer_managed_policy_attached_to_a_user(server, root):
    table = new_table(root)
    iam = server.client("iam")
    arn = iam.create_policy(
        PolicyName=unique("ddb-write"), PolicyDocument=policy(allow(["dynamodb:PutItem", "dynamodb:GetItem"], table_arn(table)))
    )["Policy"]["Arn"]
    name, keys = user_with_key(server, "member")
    ddb = server.client("dynamodb", **keys)
    denied(lambda: ddb.put_item(TableName=table, Item=key("x")))
    iam.attach_user_policy(UserName=name, PolicyArn=arn)
    ddb.put_item(TableName=table, Item=key("x"))
    assert ddb.get_item(TableName=table, Key=key("x"))["Item"] == key("x")
    iam.detach_user_policy(UserName=name, PolicyArn=arn)
    denied(lambda: ddb.get_item(TableName=table, Key=key("x")))


def test_assumed_role_session_gets_the_role_permissions(server, root):
    table = new_table(root)
    root.put_item(TableName=table, Item=key("x"))
    iam = server.client("iam")
    user, keys = user_with_key(server, "assumer")
    role = unique("ddb-role")
    role_arn = iam.create_role(
        RoleName=role,
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{SOURCE}:user/{user}"}, "Action": "sts:AssumeRole"}
                ],
            }
        ),
    )["Role"]["Arn"]
    iam.put_role_policy(RoleName=role, PolicyName="read", PolicyDocument=policy(allow("dynamodb:GetItem", table_arn(table))))
    iam.put_user_policy(UserName=user, PolicyName="assume", PolicyDocument=policy(allow("sts:AssumeRole", role_arn)))
    creds = server.client("sts", **keys).assume_role(RoleArn=role_arn, RoleSessionName="s1")["Credentials"]
    session = server.client(
        "dynamodb",
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )
    assert session.get_item(TableName=table, Key=key("x"))["Item"] == key("x")
    message = denied(lambda: session.put_item(TableName=table, Item=key("y")))
    assert f"assumed-role/{role}/s1" in message


# --- resource policies ----------------------------------------------------------------


def allow_principal(principal, actions, resource):
    return {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": actions, "Resource": resource}


def test_cross_account_access_through_a_resource_policy(server, root):
    table = new_table(root)
    arn = table_arn(table)
    root.put_item(TableName=table, Item={"pk": {"S": "shared"}, "v": {"N": "7"}})
    dest = server.client("dynamodb", "destination")

    message = denied(lambda: dest.get_item(TableName=arn, Key=key("shared")))
    assert f"is not authorized to perform: dynamodb:GetItem on resource: {arn}" in message

    document = policy(allow_principal(f"arn:aws:iam::{DEST}:root", "dynamodb:GetItem", arn))
    revision = root.put_resource_policy(ResourceArn=arn, Policy=document)["RevisionId"]
    assert revision
    got = root.get_resource_policy(ResourceArn=arn)
    assert json.loads(got["Policy"]) == json.loads(document)
    assert got["RevisionId"] == revision

    assert dest.get_item(TableName=arn, Key=key("shared"))["Item"] == {"pk": {"S": "shared"}, "v": {"N": "7"}}
    denied(lambda: dest.put_item(TableName=arn, Item=key("intruder")))
    assert "Item" not in root.get_item(TableName=table, Key=key("intruder"))
    # A plain name still means the caller's own account.
    assert client_error(lambda: dest.get_item(TableName=table, Key=key("shared")))["Error"]["Code"] == (
        "ResourceNotFoundException"
    )

    root.delete_resource_policy(ResourceArn=arn)
    denied(lambda: dest.get_item(TableName=arn, Key=key("shared")))
    error = client_error(lambda: root.get_resource_policy(ResourceArn=arn))
    assert error["Error"]["Code"] == "PolicyNotFoundException"


def test_cross_account_user_needs_both_policies(server, root):
    table = new_table(root)
    arn = table_arn(table)
    root.put_item(TableName=table, Item=key("shared"))
    name, ddb = dynamodb_user(server, "remote", account="destination")
    user_arn = f"arn:aws:iam::{DEST}:user/{name}"
    root.put_resource_policy(ResourceArn=arn, Policy=policy(allow_principal(user_arn, "dynamodb:GetItem", arn)))
    # The table allows the user, but the user's own account does not.
    denied(lambda: ddb.get_item(TableName=arn, Key=key("shared")))
    server.client("iam", "destination").put_user_policy(
        UserName=name, PolicyName="read-remote", PolicyDocument=policy(allow("dynamodb:GetItem", arn))
    )
    assert ddb.get_item(TableName=arn, Key=key("shared"))["Item"] == key("shared")


def test_resource_policy_grants_a_user_of_the_same_account(server, root):
    table = new_table(root)
    arn = table_arn(table)
    root.put_item(TableName=table, Item=key("x"))
    name, ddb = dynamodb_user(server, "local")
    denied(lambda: ddb.get_item(TableName=table, Key=key("x")))
    root.put_resource_policy(
        ResourceArn=arn,
        Policy=policy(allow_principal(f"arn:aws:iam::{SOURCE}:user/{name}", "dynamodb:GetItem", arn)),
    )
    assert ddb.get_item(TableName=table, Key=key("x"))["Item"] == key("x")
    denied(lambda: ddb.put_item(TableName=table, Item=key("y")))


def test_resource_policy_deny_overrides_identity_allow(server, root):
    table = new_table(root)
    arn = table_arn(table)
    name, ddb = dynamodb_user(server, "blocked", allow("dynamodb:*", "*"))
    ddb.put_item(TableName=table, Item=key("before"))
    root.put_resource_policy(
        ResourceArn=arn,
        Policy=policy(
            {
                "Effect": "Deny",
                "Principal": {"AWS": f"arn:aws:iam::{SOURCE}:user/{name}"},
                "Action": "dynamodb:PutItem",
                "Resource": arn,
            }
        ),
    )
    denied(lambda: ddb.put_item(TableName=table, Item=key("after")))
    assert ddb.get_item(TableName=table, Key=key("before"))["Item"] == key("before")


def test_resource_policy_revision_ids(server, root):
    table = new_table(root)
    arn = table_arn(table)
    first = root.put_resource_policy(
        ResourceArn=arn, Policy=policy(allow_principal(f"arn:aws:iam::{DEST}:root", "dynamodb:GetItem", arn))
    )["RevisionId"]
    error = client_error(
        lambda: root.put_resource_policy(
            ResourceArn=arn,
            Policy=policy(allow_principal(f"arn:aws:iam::{DEST}:root", "dynamodb:Query", arn)),
            ExpectedRevisionId="not-" + first,
        )
    )
    assert error["Error"]["Code"] == "PolicyNotFoundException"
    second = root.put_resource_policy(
        ResourceArn=arn,
        Policy=policy(allow_principal(f"arn:aws:iam::{DEST}:root", "dynamodb:Query", arn)),
        ExpectedRevisionId=first,
    )["RevisionId"]
    assert second != first
    assert "dynamodb:Query" in root.get_resource_policy(ResourceArn=arn)["Policy"]


def test_resource_policy_on_a_missing_table(server, root):
    arn = table_arn(unique("missing"))
    error = client_error(
        lambda: root.put_resource_policy(
            ResourceArn=arn, Policy=policy(allow_principal(f"arn:aws:iam::{DEST}:root", "dynamodb:GetItem", arn))
        )
    )
    assert error["Error"]["Code"] == "ResourceNotFoundException"


def test_other_account_cannot_manage_the_resource_policy(server, root):
    table = new_table(root)
    arn = table_arn(table)
    dest = server.client("dynamodb", "destination")
    denied(
        lambda: dest.put_resource_policy(
            ResourceArn=arn, Policy=policy(allow_principal(f"arn:aws:iam::{DEST}:root", "dynamodb:*", arn))
        )
    )
    denied(lambda: dest.get_item(TableName=arn, Key=key("x")))


@pytest.mark.parametrize(
    "document",
    [
        "not json",
        json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": "*"}]}),
    ],
    ids=["not-json", "no-principal"],
)
def test_malformed_resource_policies_are_refused(server, root, document):
    table = new_table(root)
    error = client_error(lambda: root.put_resource_policy(ResourceArn=table_arn(table), Policy=document))
    assert error["Error"]["Code"] == "ValidationException"
    assert client_error(lambda: root.get_resource_policy(ResourceArn=table_arn(table)))["Error"]["Code"] == (
        "PolicyNotFoundException"
    )
