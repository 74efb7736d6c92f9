"""DynamoDB items: Put/Get/Update/Delete with every attribute type, condition and update
expressions, return values, validation errors, consumed capacity and the legacy
(pre-expression) parameters."""

import json

import pytest

from aws_helpers import client_error, get, key, new_table, unique

NUMBER_38 = "12345678901234567890123456789012345678"


@pytest.fixture
def table(ddb):
    return new_table(ddb)


def normalized(item):
    """Sets come back in any order; compare them sorted."""
    if isinstance(item, dict):
        out = {}
        for k, v in item.items():
            if k in ("SS", "NS"):
                out[k] = sorted(v)
            elif k == "BS":
                out[k] = sorted(bytes(b) for b in v)
            else:
                out[k] = normalized(v)
        return out
    if isinstance(item, list):
        return [normalized(v) for v in item]
    return item


EVERY_TYPE = {
    "pk": {"S": "every-type"},
    "s": {"S": "héllo wörld ✓"},
    "n": {"N": NUMBER_38},
    "small": {"N": "-0.000001"},
    "b": {"B": b"\x00\x01\xfe\xff"},
    "t": {"BOOL": True},
    "f": {"BOOL": False},
    "null": {"NULL": True},
    "ss": {"SS": ["b", "a", "c"]},
    "ns": {"NS": ["3", "-1.5", NUMBER_38]},
    "bs": {"BS": [b"\x02", b"\x01"]},
    "l": {"L": [{"S": "x"}, {"N": "1"}, {"L": [{"BOOL": False}]}, {"M": {}}]},
    "m": {"M": {"inner": {"M": {"deep": {"SS": ["z"]}, "list": {"L": []}}}, "e": {"S": ""}}},
}


# --- every type -----------------------------------------------------------------------


def test_every_attribute_type_round_trips(ddb, table):
    ddb.put_item(TableName=table, Item=EVERY_TYPE)
    assert normalized(get(ddb, table, "every-type")) == normalized(EVERY_TYPE)


def test_every_attribute_type_round_trips_through_update_and_delete(ddb, table):
    values = {f":{k}": v for k, v in EVERY_TYPE.items() if k != "pk"}
    names = {f"#{k}": k for k in EVERY_TYPE if k != "pk"}  # "null" is a reserved word
    sets = ", ".join(f"#{k} = :{k}" for k in EVERY_TYPE if k != "pk")
    out = ddb.update_item(
        TableName=table,
        Key=key("every-type"),
        UpdateExpression="SET " + sets,
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
        ReturnValues="ALL_NEW",
    )
    assert normalized(out["Attributes"]) == normalized(EVERY_TYPE)
    old = ddb.delete_item(TableName=table, Key=key("every-type"), ReturnValues="ALL_OLD")["Attributes"]
    assert normalized(old) == normalized(EVERY_TYPE)
    assert get(ddb, table, "every-type") is None


@pytest.mark.parametrize(
    "sent,stored",
    [("1.50", "1.5"), ("0012", "12"), ("1e3", "1000"), ("-0.0", "0"), ("1E-2", "0.01"), (NUMBER_38, NUMBER_38)],
)
def test_numbers_are_stored_in_canonical_form(ddb, table, sent, stored):
    ddb.put_item(TableName=table, Item={"pk": {"S": "n"}, "v": {"N": sent}})
    assert get(ddb, table, "n")["v"] == {"N": stored}


@pytest.mark.parametrize(
    "number", ["123456789012345678901234567890123456789", "1e126", "1e-131", "abc", "", "1.2.3", "NaN", "Infinity"]
)
def test_invalid_numbers_are_refused(ddb, table, number):
    error = client_error(lambda: ddb.put_item(TableName=table, Item={"pk": {"S": "n"}, "v": {"N": number}}))
    assert error["Error"]["Code"] == "ValidationException"
    assert get(ddb, table, "n") is None


@pytest.mark.parametrize("number", ["9.9999999999999999999999999999999999999E+125", "1E-130", "-1E-130"])
def test_numbers_at_the_limits_of_the_range_are_kept(ddb, table, number):
    from decimal import Decimal

    ddb.put_item(TableName=table, Item={"pk": {"S": "n"}, "v": {"N": number}})
    assert Decimal(get(ddb, table, "n")["v"]["N"]) == Decimal(number)


def test_number_arithmetic_is_exact(ddb, table):
    ddb.put_item(TableName=table, Item={"pk": {"S": "n"}, "big": {"N": NUMBER_38}, "f": {"N": "0.1"}})
    out = ddb.update_item(
        TableName=table,
        Key=key("n"),
        UpdateExpression="SET big = big + :one, f = f + :f ADD neg :neg",
        ExpressionAttributeValues={":one": {"N": "1"}, ":f": {"N": "0.2"}, ":neg": {"N": "-7"}},
        ReturnValues="UPDATED_NEW",
    )["Attributes"]
    assert out == {
        "big": {"N": "12345678901234567890123456789012345679"},
        "f": {"N": "0.3"},
        "neg": {"N": "-7"},
    }


# --- put / get / delete ---------------------------------------------------------------


def test_get_missing_item_has_no_item_member(ddb, table):
    out = ddb.get_item(TableName=table, Key=key("nothing"))
    assert "Item" not in out
    assert out["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_put_overwrites_and_returns_all_old(ddb, table):
    first = ddb.put_item(TableName=table, Item={"pk": {"S": "p"}, "v": {"N": "1"}}, ReturnValues="ALL_OLD")
    assert "Attributes" not in first
    second = ddb.put_item(TableName=table, Item={"pk": {"S": "p"}, "w": {"S": "2"}}, ReturnValues="ALL_OLD")
    assert second["Attributes"] == {"pk": {"S": "p"}, "v": {"N": "1"}}
    # A put replaces the whole item.
    assert get(ddb, table, "p") == {"pk": {"S": "p"}, "w": {"S": "2"}}


def test_put_refuses_return_values_other_than_all_old(ddb, table):
    error = client_error(
        lambda: ddb.put_item(TableName=table, Item={"pk": {"S": "p"}}, ReturnValues="ALL_NEW")
    )
    assert error["Error"]["Code"] == "ValidationException"
    assert get(ddb, table, "p") is None


def test_get_with_projection_expression(ddb, table):
    ddb.put_item(TableName=table, Item=EVERY_TYPE)
    out = ddb.get_item(
        TableName=table,
        Key=key("every-type"),
        ProjectionExpression="s, #l[1], m.#inner.deep, #nul",
        ExpressionAttributeNames={"#l": "l", "#nul": "null", "#inner": "inner"},
    )["Item"]
    assert normalized(out) == {
        "s": {"S": "héllo wörld ✓"},
        "l": {"L": [{"N": "1"}]},
        "m": {"M": {"inner": {"M": {"deep": {"SS": ["z"]}}}}},
        "null": {"NULL": True},
    }


def test_delete_item_with_condition_and_return_values(ddb, table):
    ddb.put_item(TableName=table, Item={"pk": {"S": "d"}, "v": {"N": "5"}})
    error = client_error(
        lambda: ddb.delete_item(
            TableName=table,
            Key=key("d"),
            ConditionExpression="v > :min",
            ExpressionAttributeValues={":min": {"N": "10"}},
        )
    )
    assert error["Error"]["Code"] == "ConditionalCheckFailedException"
    assert get(ddb, table, "d") is not None
    out = ddb.delete_item(
        TableName=table,
        Key=key("d"),
        ConditionExpression="v > :min",
        ExpressionAttributeValues={":min": {"N": "1"}},
        ReturnValues="ALL_OLD",
    )
    assert out["Attributes"] == {"pk": {"S": "d"}, "v": {"N": "5"}}
    assert get(ddb, table, "d") is None
    # Deleting what is not there succeeds and returns nothing.
    assert "Attributes" not in ddb.delete_item(TableName=table, Key=key("d"), ReturnValues="ALL_OLD")


# --- conditions -----------------------------------------------------------------------


def test_condition_expression_passes_then_fails(ddb, table):
    item = {"pk": {"S": "c"}, "v": {"N": "1"}}
    ddb.put_item(TableName=table, Item=item, ConditionExpression="attribute_not_exists(pk)")
    error = client_error(
        lambda: ddb.put_item(
            TableName=table,
            Item={"pk": {"S": "c"}, "v": {"N": "2"}},
            ConditionExpression="attribute_not_exists(pk)",
        )
    )
    assert error["Error"]["Code"] == "ConditionalCheckFailedException"
    assert error["Error"]["Message"] == "The conditional request failed"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert "Item" not in error
    assert get(ddb, table, "c") == item


def test_failed_condition_returns_the_old_item_when_asked(ddb, table):
    item = {"pk": {"S": "c"}, "v": {"N": "1"}, "tags": {"SS": ["a"]}}
    ddb.put_item(TableName=table, Item=item)
    error = client_error(
        lambda: ddb.update_item(
            TableName=table,
            Key=key("c"),
            UpdateExpression="SET v = :two",
            ConditionExpression="v = :two",
            ExpressionAttributeValues={":two": {"N": "2"}},
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )
    )
    assert error["Error"]["Code"] == "ConditionalCheckFailedException"
    assert error["Item"] == item
    assert get(ddb, table, "c") == item


CONDITIONS = [
    ("attribute_exists(name1)", True),
    ("attribute_exists(nope)", False),
    ("attribute_not_exists(nope)", True),
    ("begins_with(name1, :pre)", True),
    ("contains(tags, :tag)", True),
    ("contains(name1, :sub)", True),
    ("size(tags) = :two", True),
    ("size(name1) > :ten", False),
    ("attribute_type(age, :num)", True),
    ("attribute_type(age, :str)", False),
    ("age BETWEEN :ten AND :hundred", True),
    ("age IN (:two, :ten, :fortytwo)", True),
    ("age <> :fortytwo", False),
    ("NOT age < :ten AND (name1 = :sub OR nested.deep[1] = :two)", True),
    ("nested.deep[0] >= :ten", False),
    ("name1 < :fortytwo", False),  # comparing S with N is never true
]


@pytest.mark.parametrize("condition,holds", CONDITIONS, ids=[c for c, _ in CONDITIONS])
def test_condition_functions_and_operators(ddb, table, condition, holds):
    item = {
        "pk": {"S": "cond"},
        "name1": {"S": "alice"},
        "age": {"N": "42"},
        "tags": {"SS": ["red", "blue"]},
        "nested": {"M": {"deep": {"L": [{"N": "1"}, {"N": "2"}]}}},
    }
    ddb.put_item(TableName=table, Item=item)
    values = {
        ":pre": {"S": "al"},
        ":tag": {"S": "red"},
        ":sub": {"S": "lic"},
        ":two": {"N": "2"},
        ":ten": {"N": "10"},
        ":hundred": {"N": "100"},
        ":fortytwo": {"N": "42"},
        ":num": {"S": "N"},
        ":str": {"S": "S"},
    }
    used = {k: v for k, v in values.items() if k in condition}

    def attempt():
        ddb.update_item(
            TableName=table,
            Key=key("cond"),
            UpdateExpression="SET hit = :true",
            ConditionExpression=condition,
            ExpressionAttributeValues={**used, ":true": {"BOOL": True}},
        )

    if holds:
        attempt()
        assert get(ddb, table, "cond")["hit"] == {"BOOL": True}
    else:
        assert client_error(attempt)["Error"]["Code"] == "ConditionalCheckFailedException"
        assert "hit" not in get(ddb, table, "cond")


# --- updates --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "return_values,expected",
    [
        ("NONE", None),
        ("ALL_OLD", {"pk": {"S": "u"}, "a": {"N": "1"}, "b": {"S": "x"}}),
        ("ALL_NEW", {"pk": {"S": "u"}, "a": {"N": "2"}, "b": {"S": "x"}, "c": {"S": "new"}}),
        ("UPDATED_OLD", {"a": {"N": "1"}}),
        ("UPDATED_NEW", {"a": {"N": "2"}, "c": {"S": "new"}}),
    ],
)
def test_update_return_values(ddb, table, return_values, expected):
    ddb.put_item(TableName=table, Item={"pk": {"S": "u"}, "a": {"N": "1"}, "b": {"S": "x"}})
    out = ddb.update_item(
        TableName=table,
        Key=key("u"),
        UpdateExpression="SET a = a + :one, c = :c",
        ExpressionAttributeValues={":one": {"N": "1"}, ":c": {"S": "new"}},
        ReturnValues=return_values,
    )
    assert out.get("Attributes") == expected


def test_update_set_remove_add_delete(ddb, table):
    ddb.put_item(
        TableName=table,
        Item={
            "pk": {"S": "u"},
            "gone": {"S": "bye"},
            "count": {"N": "10"},
            "colors": {"SS": ["red", "green", "blue"]},
            "nums": {"NS": ["1", "2"]},
        },
    )
    ddb.update_item(
        TableName=table,
        Key=key("u"),
        UpdateExpression=(
            "SET title = :t REMOVE gone ADD #count :five, nums :more, fresh :fresh DELETE colors :drop"
        ),
        ExpressionAttributeNames={"#count": "count"},
        ExpressionAttributeValues={
            ":t": {"S": "hello"},
            ":five": {"N": "5"},
            ":more": {"NS": ["2", "3"]},
            ":fresh": {"SS": ["x"]},
            ":drop": {"SS": ["red", "blue", "absent"]},
        },
    )
    assert normalized(get(ddb, table, "u")) == {
        "pk": {"S": "u"},
        "title": {"S": "hello"},
        "count": {"N": "15"},
        "colors": {"SS": ["green"]},
        "nums": {"NS": ["1", "2", "3"]},
        "fresh": {"SS": ["x"]},
    }
    # Deleting every element removes the attribute: sets are never empty.
    ddb.update_item(
        TableName=table,
        Key=key("u"),
        UpdateExpression="DELETE colors :all",
        ExpressionAttributeValues={":all": {"SS": ["green"]}},
    )
    assert "colors" not in get(ddb, table, "u")


def test_update_creates_missing_item(ddb, table):
    out = ddb.update_item(
        TableName=table,
        Key=key("new"),
        UpdateExpression="ADD hits :one",
        ExpressionAttributeValues={":one": {"N": "1"}},
        ReturnValues="ALL_NEW",
    )
    assert out["Attributes"] == {"pk": {"S": "new"}, "hits": {"N": "1"}}
    assert get(ddb, table, "new") == {"pk": {"S": "new"}, "hits": {"N": "1"}}


def test_if_not_exists_and_list_append(ddb, table):
    update = dict(
        TableName=table,
        Key=key("l"),
        UpdateExpression=(
            "SET hits = if_not_exists(hits, :zero) + :one, "
            "created = if_not_exists(created, :now), "
            "events = list_append(if_not_exists(events, :empty), :ev)"
        ),
    )
    ddb.update_item(
        **update,
        ExpressionAttributeValues={
            ":zero": {"N": "0"}, ":one": {"N": "1"}, ":now": {"S": "first"}, ":empty": {"L": []},
            ":ev": {"L": [{"S": "e1"}]},
        },
    )
    ddb.update_item(
        **update,
        ExpressionAttributeValues={
            ":zero": {"N": "0"}, ":one": {"N": "1"}, ":now": {"S": "second"}, ":empty": {"L": []},
            ":ev": {"L": [{"S": "e2"}, {"S": "e3"}]},
        },
    )
    ddb.update_item(
        TableName=table,
        Key=key("l"),
        UpdateExpression="SET events = list_append(:front, events)",
        ExpressionAttributeValues={":front": {"L": [{"S": "e0"}]}},
    )
    assert get(ddb, table, "l") == {
        "pk": {"S": "l"},
        "hits": {"N": "2"},
        "created": {"S": "first"},
        "events": {"L": [{"S": "e0"}, {"S": "e1"}, {"S": "e2"}, {"S": "e3"}]},
    }


def test_arithmetic_and_nested_paths(ddb, table):
    ddb.put_item(
        TableName=table,
        Item={
            "pk": {"S": "n"},
            "price": {"N": "10"},
            "tax": {"N": "2.5"},
            "doc": {"M": {"a": {"M": {"b": {"N": "1"}}}, "list": {"L": [{"S": "x"}, {"S": "y"}, {"S": "z"}]}}},
        },
    )
    ddb.update_item(
        TableName=table,
        Key=key("n"),
        UpdateExpression=(
            "SET gross = price + tax, diff = price - :three, doc.a.b = doc.a.b + :three, "
            "doc.#new = :v, doc.#list[1] = :y2, doc.#list[10] = :end REMOVE doc.#list[0]"
        ),
        ExpressionAttributeNames={"#new": "new-key", "#list": "list"},
        ExpressionAttributeValues={
            ":three": {"N": "3"}, ":v": {"M": {"x": {"NULL": True}}}, ":y2": {"S": "Y"}, ":end": {"S": "END"},
        },
    )
    item = get(ddb, table, "n")
    assert item["gross"] == {"N": "12.5"}
    assert item["diff"] == {"N": "7"}
    assert item["doc"] == {
        "M": {
            "a": {"M": {"b": {"N": "4"}}},
            "new-key": {"M": {"x": {"NULL": True}}},
            # SET doc.list[1] and the append at index 10 happen, then REMOVE doc.list[0].
            "list": {"L": [{"S": "Y"}, {"S": "z"}, {"S": "END"}]},
        }
    }


def test_setting_a_path_under_a_missing_map_is_a_validation_error(ddb, table):
    ddb.put_item(TableName=table, Item={"pk": {"S": "p"}})
    error = client_error(
        lambda: ddb.update_item(
            TableName=table,
            Key=key("p"),
            UpdateExpression="SET absent.child = :v",
            ExpressionAttributeValues={":v": {"S": "x"}},
        )
    )
    assert error["Error"]["Code"] == "ValidationException"
    assert error["Error"]["Message"] == "The document path provided in the update expression is invalid for update"


def test_add_to_a_string_is_a_validation_error(ddb, table):
    ddb.put_item(TableName=table, Item={"pk": {"S": "p"}, "s": {"S": "text"}})
    error = client_error(
        lambda: ddb.update_item(
            TableName=table,
            Key=key("p"),
            UpdateExpression="ADD s :one",
            ExpressionAttributeValues={":one": {"N": "1"}},
        )
    )
    assert error["Error"]["Code"] == "ValidationException"
    assert error["Error"]["Message"] == "An operand in the update expression has an incorrect data type"
    assert get(ddb, table, "p")["s"] == {"S": "text"}


# --- validation -----------------------------------------------------------------------


def test_unused_expression_attribute_value_is_refused(ddb, table):
    error = client_error(
        lambda: ddb.update_item(
            TableName=table,
            Key=key("v"),
            UpdateExpression="SET a = :a",
            ExpressionAttributeValues={":a": {"S": "x"}, ":unused": {"S": "y"}},
        )
    )
    assert error["Error"]["Code"] == "ValidationException"
    assert error["Error"]["Message"] == "Value provided in ExpressionAttributeValues unused in expressions: keys: {:unused}"
    assert get(ddb, table, "v") is None


def test_unused_expression_attribute_name_is_refused(ddb, table):
    error = client_error(
        lambda: ddb.put_item(
            TableName=table,
            Item={"pk": {"S": "v"}},
            ConditionExpression="attribute_not_exists(#p)",
            ExpressionAttributeNames={"#p": "pk", "#unused": "x"},
        )
    )
    assert error["Error"]["Code"] == "ValidationException"
    assert error["Error"]["Message"] == "Value provided in ExpressionAttributeNames unused in expressions: keys: {#unused}"


def test_undefined_expression_attribute_value_is_refused(ddb, table):
    error = client_error(
        lambda: ddb.update_item(
            TableName=table,
            Key=key("v"),
            UpdateExpression="SET a = :missing",
            ExpressionAttributeValues={":other": {"S": "x"}},
        )
    )
    assert error["Error"]["Code"] == "ValidationException"
    assert "An expression attribute value used in expression is not defined; attribute value: :missing" in (
        error["Error"]["Message"]
    )


def test_reserved_word_needs_a_name_placeholder(ddb, table):
    error = client_error(
        lambda: ddb.update_item(
            TableName=table,
            Key=key("v"),
            UpdateExpression="SET status = :s",
            ExpressionAttributeValues={":s": {"S": "x"}},
        )
    )
    assert error["Error"]["Code"] == "ValidationException"
    assert error["Error"]["Message"] == (
        "Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: status"
    )


def test_syntax_error_in_update_expression(ddb, table):
    error = client_error(
        lambda: ddb.update_item(
            TableName=table, Key=key("v"), UpdateExpression="SET = :s", ExpressionAttributeValues={":s": {"S": "x"}}
        )
    )
    assert error["Error"]["Code"] == "ValidationException"
    assert error["Error"]["Message"].startswith("Invalid UpdateExpression: Syntax error; token:")


# Alternator's test_update_expression.py::test_update_expression_name_token and
# ::test_update_expression_unknown_function, run against AWS: a bare name or a function name
# starts with a letter; a leading underscore is a syntax error on the "_" token, while "#_"
# and ":_" are fine references.
@pytest.mark.parametrize(
    "expression, near",
    [("SET _123 = :v", "SET _123"), ("SET _abc = :v", "SET _abc"), ("SET a = _f(b, :v)", "= _f")],
)
def test_a_name_starting_with_an_underscore_is_a_syntax_error(ddb, table, expression, near):
    error = client_error(
        lambda: ddb.update_item(
            TableName=table, Key=key("u"), UpdateExpression=expression, ExpressionAttributeValues={":v": {"N": "1"}}
        )
    )
    assert error["Error"]["Code"] == "ValidationException"
    assert error["Error"]["Message"] == f'Invalid UpdateExpression: Syntax error; token: "_", near: "{near}"'
    ddb.update_item(
        TableName=table,
        Key=key("u"),
        UpdateExpression="SET #_ = :_, A_1 = :_",
        ExpressionAttributeNames={"#_": "_x"},
        ExpressionAttributeValues={":_": {"N": "2"}},
    )
    assert get(ddb, table, "u") == {"pk": {"S": "u"}, "_x": {"N": "2"}, "A_1": {"N": "2"}}


def test_updating_a_key_attribute_is_refused(ddb, table):
    ddb.put_item(TableName=table, Item={"pk": {"S": "k"}})
    error = client_error(
        lambda: ddb.update_item(
            TableName=table,
            Key=key("k"),
            UpdateExpression="SET pk = :other",
            ExpressionAttributeValues={":other": {"S": "other"}},
        )
    )
    assert error["Error"]["Code"] == "ValidationException"
    assert error["Error"]["Message"] == (
        "One or more parameter values were invalid: Cannot update attribute pk. This attribute is part of the key"
    )
    assert get(ddb, table, "other") is None


@pytest.mark.parametrize(
    "bad_key",
    [{}, {"other": {"S": "x"}}, {"pk": {"N": "1"}}, {"pk": {"S": "x"}, "extra": {"S": "y"}}],
    ids=["empty", "other-attribute", "wrong-type", "extra-attribute"],
)
def test_get_with_a_key_not_matching_the_schema(ddb, table, bad_key):
    error = client_error(lambda: ddb.get_item(TableName=table, Key=bad_key))
    assert error["Error"]["Code"] == "ValidationException"
    assert error["Error"]["Message"] == "The provided key element does not match the schema"


def test_put_without_the_key_attribute(ddb, table):
    error = client_error(lambda: ddb.put_item(TableName=table, Item={"other": {"S": "x"}}))
    assert error["Error"]["Code"] == "ValidationException"
    assert error["Error"]["Message"] == "One or more parameter values were invalid: Missing the key pk in the item"


def test_put_with_a_key_of_the_wrong_type(ddb, table):
    error = client_error(lambda: ddb.put_item(TableName=table, Item={"pk": {"N": "1"}}))
    assert error["Error"]["Code"] == "ValidationException"
    assert error["Error"]["Message"] == (
        "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N"
    )


def test_empty_string_key_is_refused(ddb, table):
    error = client_error(lambda: ddb.put_item(TableName=table, Item={"pk": {"S": ""}}))
    assert error["Error"]["Code"] == "ValidationException"
    assert error["Error"]["Message"] == (
        "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain "
        "an empty string value. Key: pk"
    )


@pytest.mark.parametrize("empty", [{"SS": []}, {"NS": []}, {"BS": []}])
def test_empty_set_is_refused(ddb, table, empty):
    error = client_error(lambda: ddb.put_item(TableName=table, Item={"pk": {"S": "e"}, "set": empty}))
    assert error["Error"]["Code"] == "ValidationException"
    assert "One or more parameter values were invalid" in error["Error"]["Message"] or (
        "should not be empty" in error["Error"]["Message"]
    )
    assert get(ddb, table, "e") is None


def test_duplicate_set_members_are_refused(ddb, table):
    error = client_error(
        lambda: ddb.put_item(TableName=table, Item={"pk": {"S": "e"}, "set": {"SS": ["a", "a"]}})
    )
    assert error["Error"]["Code"] == "ValidationException"
    assert "Input collection [a, a] contains duplicates." in error["Error"]["Message"]


def test_items_over_400_kb_are_refused(ddb, table):
    # Item size is the UTF-8 length of names plus values: 400 KB = 409600 bytes.
    fits = 409600 - len("pk") - len("big") - len("d")
    ddb.put_item(TableName=table, Item={"pk": {"S": "big"}, "d": {"S": "x" * fits}})
    assert len(get(ddb, table, "big")["d"]["S"]) == fits

    error = client_error(
        lambda: ddb.put_item(TableName=table, Item={"pk": {"S": "big"}, "d": {"S": "y" * (fits + 1)}})
    )
    assert error["Error"]["Code"] == "ValidationException"
    assert error["Error"]["Message"] == "Item size has exceeded the maximum allowed size"
    assert get(ddb, table, "big")["d"]["S"][0] == "x"

    error = client_error(
        lambda: ddb.update_item(
            TableName=table,
            Key=key("big"),
            UpdateExpression="SET more = :m",
            ExpressionAttributeValues={":m": {"S": "zz"}},
        )
    )
    assert error["Error"]["Code"] == "ValidationException"
    assert error["Error"]["Message"] == "Item size to update has exceeded the maximum allowed size"


def test_missing_table_is_resource_not_found(ddb):
    error = client_error(lambda: ddb.put_item(TableName=unique("none"), Item={"pk": {"S": "x"}}))
    assert error["Error"]["Code"] == "ResourceNotFoundException"
    assert error["Error"]["Message"] == "Requested resource not found"


# --- capacity -------------------------------------------------------------------------


def test_consumed_capacity(ddb, table):
    out = ddb.put_item(TableName=table, Item={"pk": {"S": "cap"}}, ReturnConsumedCapacity="TOTAL")
    assert out["ConsumedCapacity"]["TableName"] == table
    assert out["ConsumedCapacity"]["CapacityUnits"] == 1.0
    assert out["ConsumedCapacity"].get("WriteCapacityUnits", 1.0) == 1.0
    # Writes cost one unit per started KB.
    out = ddb.put_item(
        TableName=table, Item={"pk": {"S": "cap2"}, "d": {"S": "x" * 2500}}, ReturnConsumedCapacity="TOTAL"
    )
    assert out["ConsumedCapacity"]["CapacityUnits"] == 3.0
    # Reads cost one unit per started 4 KB when strongly consistent, half that otherwise.
    out = ddb.get_item(TableName=table, Key=key("cap"), ReturnConsumedCapacity="TOTAL")
    assert out["ConsumedCapacity"]["TableName"] == table
    assert out["ConsumedCapacity"]["CapacityUnits"] == 0.5
    assert out["ConsumedCapacity"].get("ReadCapacityUnits", 0.5) == 0.5
    out = ddb.get_item(TableName=table, Key=key("cap"), ConsistentRead=True, ReturnConsumedCapacity="TOTAL")
    assert out["ConsumedCapacity"]["CapacityUnits"] == 1.0
    assert "ConsumedCapacity" not in ddb.get_item(TableName=table, Key=key("cap"))


def test_consumed_capacity_by_index(ddb):
    table = new_table(
        ddb,
        more_definitions=[{"AttributeName": "g", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-g",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    out = ddb.put_item(
        TableName=table, Item={"pk": {"S": "i"}, "g": {"S": "x"}}, ReturnConsumedCapacity="INDEXES"
    )["ConsumedCapacity"]
    assert out["TableName"] == table
    assert out["CapacityUnits"] == 2.0
    assert out["Table"]["CapacityUnits"] == 1.0
    assert out["GlobalSecondaryIndexes"]["by-g"]["CapacityUnits"] == 1.0


# --- legacy parameters ----------------------------------------------------------------


def test_legacy_expected_attribute_updates_and_attributes_to_get(ddb, table):
    ddb.put_item(TableName=table, Item={"pk": {"S": "old"}, "v": {"N": "1"}}, Expected={"pk": {"Exists": False}})
    error = client_error(
        lambda: ddb.put_item(TableName=table, Item={"pk": {"S": "old"}}, Expected={"pk": {"Exists": False}})
    )
    assert error["Error"]["Code"] == "ConditionalCheckFailedException"

    ddb.update_item(
        TableName=table,
        Key=key("old"),
        AttributeUpdates={
            "v": {"Action": "ADD", "Value": {"N": "2"}},
            "s": {"Action": "PUT", "Value": {"SS": ["a", "b"]}},
            "w": {"Action": "PUT", "Value": {"S": "w"}},
        },
        Expected={"v": {"Value": {"N": "1"}}},
    )
    ddb.update_item(
        TableName=table,
        Key=key("old"),
        AttributeUpdates={"s": {"Action": "DELETE", "Value": {"SS": ["a"]}}, "w": {"Action": "DELETE"}},
        Expected={"v": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "2"}]}},
    )
    got = ddb.get_item(TableName=table, Key=key("old"), AttributesToGet=["v", "s", "w"])["Item"]
    assert got == {"v": {"N": "3"}, "s": {"SS": ["b"]}}

    error = client_error(
        lambda: ddb.delete_item(
            TableName=table, Key=key("old"), Expected={"v": {"ComparisonOperator": "LT", "AttributeValueList": [{"N": "3"}]}}
        )
    )
    assert error["Error"]["Code"] == "ConditionalCheckFailedException"


def test_legacy_and_expression_parameters_cannot_be_mixed(ddb, table):
    error = client_error(
        lambda: ddb.get_item(TableName=table, Key=key("x"), AttributesToGet=["a"], ProjectionExpression="b")
    )
    assert error["Error"]["Code"] == "ValidationException"
    assert error["Error"]["Message"] == (
        "Can not use both expression and non-expression parameters in the same request: "
        "Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}"
    )


# --- hash + range tables and the CLI --------------------------------------------------


def test_hash_range_keys_address_distinct_items(ddb):
    table = new_table(ddb, range_key=("sk", "N"))
    for sk in ("1", "01.0", "2"):
        ddb.put_item(TableName=table, Item={"pk": {"S": "h"}, "sk": {"N": sk}, "v": {"S": sk}})
    # 1 and 01.0 are the same number: the second put replaced the first.
    assert ddb.scan(TableName=table, Select="COUNT")["Count"] == 2
    got = ddb.get_item(TableName=table, Key={"pk": {"S": "h"}, "sk": {"N": "1"}})["Item"]
    assert got == {"pk": {"S": "h"}, "sk": {"N": "1"}, "v": {"S": "01.0"}}
    error = client_error(lambda: ddb.get_item(TableName=table, Key={"pk": {"S": "h"}}))
    assert error["Error"]["Code"] == "ValidationException"
    assert error["Error"]["Message"] == "The provided key element does not match the schema"


def test_cli_put_update_get_delete(server):
    ddb = server.client("dynamodb")
    table = new_table(ddb)
    item = {"pk": {"S": "cli"}, "n": {"N": NUMBER_38}, "l": {"L": [{"BOOL": True}]}}
    server.aws("dynamodb", "put-item", "--table-name", table, "--item", json.dumps(item))
    out = json.loads(
        server.aws(
            "dynamodb", "update-item", "--table-name", table, "--key", json.dumps(key("cli")),
            "--update-expression", "SET l[1] = :s", "--expression-attribute-values", json.dumps({":s": {"S": "x"}}),
            "--return-values", "ALL_NEW",
        ).stdout
    )
    assert out["Attributes"] == {**item, "l": {"L": [{"BOOL": True}, {"S": "x"}]}}
    got = json.loads(server.aws("dynamodb", "get-item", "--table-name", table, "--key", json.dumps(key("cli"))).stdout)
    assert got["Item"]["n"] == {"N": NUMBER_38}
    failed = server.aws(
        "dynamodb", "delete-item", "--table-name", table, "--key", json.dumps(key("cli")),
        "--condition-expression", "attribute_not_exists(pk)", check=False,
    )
    assert failed.returncode != 0 and "ConditionalCheckFailedException" in failed.stderr
    server.aws("dynamodb", "delete-item", "--table-name", table, "--key", json.dumps(key("cli")))
    assert get(ddb, table, "cli") is None


# --- more update and read semantics ---------------------------------------------------


def test_updated_values_are_returned_for_nested_paths_only(ddb, table):
    ddb.put_item(
        TableName=table,
        Item={"pk": {"S": "u"}, "m": {"M": {"a": {"N": "1"}, "b": {"N": "2"}}}, "l": {"L": [{"S": "x"}, {"S": "y"}]}},
    )
    out = ddb.update_item(
        TableName=table,
        Key=key("u"),
        UpdateExpression="SET m.a = :v, l[1] = :w",
        ExpressionAttributeValues={":v": {"N": "10"}, ":w": {"S": "Y"}},
        ReturnValues="UPDATED_NEW",
    )
    assert out["Attributes"] == {"m": {"M": {"a": {"N": "10"}}}, "l": {"L": [{"S": "Y"}]}}
    out = ddb.update_item(
        TableName=table,
        Key=key("u"),
        UpdateExpression="SET m.a = :v",
        ExpressionAttributeValues={":v": {"N": "11"}},
        ReturnValues="UPDATED_OLD",
    )
    assert out["Attributes"] == {"m": {"M": {"a": {"N": "10"}}}}


def test_remove_several_list_elements_by_original_index(ddb, table):
    ddb.put_item(
        TableName=table, Item={"pk": {"S": "l"}, "l": {"L": [{"N": str(i)} for i in range(5)]}}
    )
    ddb.update_item(TableName=table, Key=key("l"), UpdateExpression="REMOVE l[0], l[2], l[9]")
    assert get(ddb, table, "l")["l"] == {"L": [{"N": "1"}, {"N": "3"}, {"N": "4"}]}


def test_referring_to_a_missing_attribute_in_set_is_a_validation_error(ddb, table):
    ddb.put_item(TableName=table, Item={"pk": {"S": "m"}})
    error = client_error(
        lambda: ddb.update_item(
            TableName=table,
            Key=key("m"),
            UpdateExpression="SET a = absent + :one",
            ExpressionAttributeValues={":one": {"N": "1"}},
        )
    )
    assert error["Error"]["Code"] == "ValidationException"
    assert error["Error"]["Message"] == "The provided expression refers to an attribute that does not exist in the item"
    assert get(ddb, table, "m") == {"pk": {"S": "m"}}


def test_overlapping_paths_are_refused(ddb, table):
    error = client_error(lambda: ddb.get_item(TableName=table, Key=key("x"), ProjectionExpression="a, a.b"))
    assert error["Error"]["Code"] == "ValidationException"
    assert error["Error"]["Message"] == (
        "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of "
        "these paths; path one: [a], path two: [a, b]"
    )
    error = client_error(
        lambda: ddb.update_item(
            TableName=table, Key=key("x"), UpdateExpression="SET a = :v REMOVE a", ExpressionAttributeValues={":v": {"S": "v"}}
        )
    )
    assert error["Error"]["Code"] == "ValidationException"
    assert "Two document paths overlap with each other" in error["Error"]["Message"]


def test_add_and_delete_need_matching_set_types(ddb, table):
    ddb.put_item(TableName=table, Item={"pk": {"S": "s"}, "ss": {"SS": ["a"]}})
    for expression in ("ADD ss :ns", "DELETE ss :ns"):
        error = client_error(
            lambda: ddb.update_item(
                TableName=table, Key=key("s"), UpdateExpression=expression, ExpressionAttributeValues={":ns": {"NS": ["1"]}}
            )
        )
        assert error["Error"]["Code"] == "ValidationException", expression
    assert get(ddb, table, "s")["ss"] == {"SS": ["a"]}


def test_number_and_binary_partition_keys_compare_by_value(ddb):
    name = unique("numkey")
    ddb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}, {"AttributeName": "b", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "N"}, {"AttributeName": "b", "AttributeType": "B"}],
        BillingMode="PAY_PER_REQUEST",
    )
    ddb.put_item(TableName=name, Item={"id": {"N": "1.0"}, "b": {"B": b"\x00\xff"}, "v": {"S": "first"}})
    got = ddb.get_item(TableName=name, Key={"id": {"N": "1"}, "b": {"B": b"\x00\xff"}})["Item"]
    assert got == {"id": {"N": "1"}, "b": {"B": b"\x00\xff"}, "v": {"S": "first"}}
    ddb.put_item(TableName=name, Item={"id": {"N": "0001"}, "b": {"B": b"\x00\xff"}, "v": {"S": "second"}})
    assert ddb.scan(TableName=name)["Items"] == [{"id": {"N": "1"}, "b": {"B": b"\x00\xff"}, "v": {"S": "second"}}]
    assert "Item" not in ddb.get_item(TableName=name, Key={"id": {"N": "1"}, "b": {"B": b"\x00"}})


def test_secondary_index_key_types_are_enforced(ddb):
    table = new_table(
        ddb,
        more_definitions=[{"AttributeName": "g", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-g",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
    )
    error = client_error(lambda: ddb.put_item(TableName=table, Item={"pk": {"S": "x"}, "g": {"N": "1"}}))
    assert error["Error"]["Code"] == "ValidationException"
    assert "Type mismatch for Index Key g Expected: S Actual: N IndexName: by-g" in error["Error"]["Message"]
    error = client_error(lambda: ddb.put_item(TableName=table, Item={"pk": {"S": "x"}, "g": {"S": ""}}))
    assert error["Error"]["Code"] == "ValidationException"
    ddb.put_item(TableName=table, Item={"pk": {"S": "x"}, "g": {"S": "ok"}})
    error = client_error(
        lambda: ddb.update_item(
            TableName=table, Key=key("x"), UpdateExpression="SET g = :n", ExpressionAttributeValues={":n": {"N": "2"}}
        )
    )
    assert error["Error"]["Code"] == "ValidationException"
    assert get(ddb, table, "x")["g"] == {"S": "ok"}


def test_empty_attribute_name_is_refused(ddb, table):
    # "Attribute names must be at least one character long" (DynamoDB naming rules).
    error = client_error(lambda: ddb.put_item(TableName=table, Item={"pk": {"S": "e"}, "": {"S": "v"}}))
    assert error["Error"]["Code"] == "ValidationException"
    assert get(ddb, table, "e") is None
