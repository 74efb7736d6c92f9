//! Reading DynamoDB's JSON 1.0 request bodies: typed member access with DynamoDB's
//! `SerializationException` for wrong JSON types, its "N validation errors detected"
//! constraint messages (collected in request order), and typed items and expression
//! attribute maps. The decoders of each operation build on it.

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use strata_app::dynamodb::Error;
use strata_app::dynamodb::model::ExpressionAttributeMaps;
use strata_dynamodb::capacity::ReturnConsumedCapacity;
use strata_dynamodb::items::ReturnValues;
use strata_dynamodb_item::{
    AttributeValue, Item, ValueError, attribute_value_from_json, item_from_json, json_token_name,
};

/// A request body: a JSON object.
pub struct Input {
    obj: Map<String, Value>,
    /// Constraint violations found so far, reported together.
    violations: Vec<String>,
}

pub fn serialization(message: impl Into<String>) -> Error {
    Error::Serialization(message.into())
}

/// DynamoDB's message when a member has the wrong JSON type.
pub fn wrong_type(v: &Value, expected: &str) -> Error {
    serialization(format!(
        "{} cannot be converted to {expected}",
        json_token_name(v)
    ))
}

/// `Value null at 'tableName' failed to satisfy constraint: Member must not be null`.
pub fn null_violation(member: &str) -> String {
    format!("Value null at '{member}' failed to satisfy constraint: Member must not be null")
}

/// `Value 'X' at 'member' failed to satisfy constraint: Member must satisfy enum value set:
/// [A, B]`.
pub fn enum_violation(value: &str, member: &str, allowed: &[&str]) -> String {
    format!(
        "Value '{value}' at '{member}' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
        allowed.join(", ")
    )
}

/// A request refused for one violation, as DynamoDB words it when it stops at the first.
pub fn one_validation_error(violation: &str) -> Error {
    Error::Validation(format!("1 validation error detected: {violation}"))
}

/// Capacity units of at least 1, or `None`.
pub fn capacity_units(v: Option<i64>) -> Option<u64> {
    v.and_then(|v| u64::try_from(v).ok()).filter(|v| *v >= 1)
}

/// lowerCamelCase of an API member name, as constraint messages spell it.
pub fn camel(member: &str) -> String {
    let mut chars = member.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

impl Input {
    /// Parses a request body. A body that is not JSON (empty included) is the bare
    /// `SerializationException` DynamoDB answers, without a message (spec §7.1).
    pub fn parse(body: &[u8]) -> Result<Self, Error> {
        let value: Value = serde_json::from_slice(body).map_err(|_| serialization(""))?;
        match value {
            Value::Object(obj) => Ok(Self {
                obj,
                violations: Vec::new(),
            }),
            _ => Err(serialization(
                "Start of structure or map found where not expected.",
            )),
        }
    }

    pub fn from_map(obj: Map<String, Value>) -> Self {
        Self {
            obj,
            violations: Vec::new(),
        }
    }

    pub fn raw(&self, field: &str) -> Option<&Value> {
        self.obj.get(field).filter(|v| !v.is_null())
    }

    pub fn has(&self, field: &str) -> bool {
        self.raw(field).is_some()
    }

    pub fn str(&self, field: &str) -> Result<Option<&str>, Error> {
        match self.raw(field) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(v) => Err(wrong_type(v, "String")),
        }
    }

    pub fn bool(&self, field: &str) -> Result<Option<bool>, Error> {
        match self.raw(field) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(v) => Err(wrong_type(v, "Boolean")),
        }
    }

    pub fn int(&self, field: &str) -> Result<Option<i64>, Error> {
        match self.raw(field) {
            None => Ok(None),
            Some(Value::Number(n)) => n
                .as_i64()
                .or_else(|| n.as_f64().map(|f| f as i64))
                .map(Some)
                .ok_or_else(|| serialization("NUMBER_VALUE can not be converted to Integer")),
            Some(v) => Err(wrong_type(v, "Integer")),
        }
    }

    /// A timestamp member: epoch seconds (a JSON number, possibly with a fraction), as µs.
    pub fn timestamp(&self, field: &str) -> Result<Option<i64>, Error> {
        match self.raw(field) {
            None => Ok(None),
            Some(Value::Number(n)) => Ok(n.as_f64().map(|f| (f * 1e6).round() as i64)),
            Some(v) => Err(wrong_type(v, "Timestamp")),
        }
    }

    pub fn array(&self, field: &str) -> Result<Option<&Vec<Value>>, Error> {
        match self.raw(field) {
            None => Ok(None),
            Some(Value::Array(a)) => Ok(Some(a)),
            Some(v) => Err(wrong_type(v, "List")),
        }
    }

    pub fn object(&self, field: &str) -> Result<Option<&Map<String, Value>>, Error> {
        match self.raw(field) {
            None => Ok(None),
            Some(Value::Object(o)) => Ok(Some(o)),
            Some(v) => Err(wrong_type(v, "Structure")),
        }
    }

    /// An integer member within `min..=max`, or a violation naming it (Coral's
    /// "Member must have value greater/less than or equal to" message).
    pub fn int_within(&mut self, field: &str, min: i64, max: i64) -> Result<Option<i64>, Error> {
        let value = self.int(field)?;
        let bound = match value {
            Some(n) if n < min => format!("greater than or equal to {min}"),
            Some(n) if n > max => format!("less than or equal to {max}"),
            _ => return Ok(value),
        };
        let n = value.unwrap_or_default();
        self.violation(format!(
            "Value '{n}' at '{}' failed to satisfy constraint: Member must have value {bound}",
            camel(field)
        ));
        Ok(value)
    }

    /// A nested structure as its own input.
    pub fn child(&self, field: &str) -> Result<Option<Input>, Error> {
        Ok(self.object(field)?.map(|o| Input::from_map(o.clone())))
    }

    /// Records a constraint violation (reported by [`Input::finish`]).
    pub fn violation(&mut self, message: String) {
        self.violations.push(message);
    }

    /// A required string member: records `Member must not be null` when absent.
    pub fn required_str(&mut self, field: &str) -> Result<Option<String>, Error> {
        let value = self.str(field)?.map(str::to_owned);
        if value.is_none() {
            self.violation(null_violation(&camel(field)));
        }
        Ok(value)
    }

    /// A string member that must be one of `allowed`.
    pub fn enum_str(&mut self, field: &str, allowed: &[&str]) -> Result<Option<String>, Error> {
        let value = self.str(field)?.map(str::to_owned);
        if let Some(v) = &value
            && !allowed.contains(&v.as_str())
        {
            self.violation(enum_violation(v, &camel(field), allowed));
        }
        Ok(value)
    }

    /// A member of one of an enum's values (`all`, named by `name`), or a violation.
    pub fn enum_value<T: Copy>(
        &mut self,
        field: &str,
        all: &[T],
        name: fn(T) -> &'static str,
    ) -> Result<Option<T>, Error> {
        let names: Vec<&str> = all.iter().map(|v| name(*v)).collect();
        let value = self.enum_str(field, &names)?;
        Ok(value.and_then(|v| all.iter().copied().find(|t| name(*t) == v)))
    }

    /// Fails with every recorded violation, as DynamoDB reports them.
    pub fn finish(&mut self) -> Result<(), Error> {
        if self.violations.is_empty() {
            return Ok(());
        }
        let n = self.violations.len();
        let message = format!(
            "{n} validation error{} detected: {}",
            if n == 1 { "" } else { "s" },
            self.violations.join("; ")
        );
        self.violations.clear();
        Err(Error::Validation(message))
    }

    /// [`Input::finish`] for the members of a list element, whose paths DynamoDB reports
    /// under the element's (`globalSecondaryIndexes.1.member.indexName`, as AWS's answers
    /// quoted by moto's tests and ACK's live probes show).
    pub fn finish_under(&mut self, prefix: &str) -> Result<(), Error> {
        for violation in &mut self.violations {
            // The member path is the last ` at '…'` before the constraint.
            let end = violation
                .find("' failed to satisfy constraint")
                .unwrap_or(violation.len());
            if let Some(at) = violation[..end].rfind(" at '") {
                violation.insert_str(at + 5, &format!("{prefix}."));
            }
        }
        self.finish()
    }

    /// The model's length constraint of `min..=max` characters on `member`, with Coral's
    /// message.
    pub fn check_length(&mut self, member: &str, value: &str, min: usize, max: usize) {
        let len = value.chars().count();
        let bound = if len < min {
            format!("greater than or equal to {min}")
        } else if len > max {
            format!("less than or equal to {max}")
        } else {
            return;
        };
        self.violation(format!(
            "Value '{value}' at '{member}' failed to satisfy constraint: Member must have length {bound}"
        ));
    }

    /// Checks a table name member of the model's `TableArn` shape: a name, or a table ARN.
    pub fn table_name(&mut self, field: &str) -> Result<Option<String>, Error> {
        let Some(name) = self.required_str(field)? else {
            return Ok(None);
        };
        if name.starts_with("arn:") {
            self.check_length(&camel(field), &name, 0, 1024);
            return Ok(Some(name));
        }
        check_name(self, field, &name, 3);
        Ok(Some(name))
    }

    /// Checks a table name member of the model's `TableName` shape: a name, never an ARN.
    pub fn plain_table_name(&mut self, field: &str) -> Result<Option<String>, Error> {
        let name = self.required_str(field)?;
        if let Some(name) = &name {
            check_name(self, field, name, 3);
        }
        Ok(name)
    }
}

/// Table and index names: 3 (index: 3) to 255 characters of `[a-zA-Z0-9_.-]`.
pub fn check_name(input: &mut Input, field: &str, name: &str, min: usize) {
    let member = camel(field);
    input.check_length(&member, name, min, 255);
    if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
    {
        input.violation(format!(
            "Value '{name}' at '{member}' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
        ));
    }
}

fn value_error(e: ValueError) -> Error {
    match e {
        ValueError::Validation(m) => Error::Validation(m),
        ValueError::Serialization(m) => Error::Serialization(m),
    }
}

/// One attribute value member (legacy `Value`, `AttributeValueList` entries).
pub fn attribute_value(value: &Value) -> Result<AttributeValue, Error> {
    attribute_value_from_json(value).map_err(value_error)
}

/// An item member (`Item`, `Key`, `ExclusiveStartKey`).
pub fn item(value: &Value) -> Result<Item, Error> {
    item_from_json(value).map_err(value_error)
}

pub fn item_field(input: &Input, field: &str) -> Result<Option<Item>, Error> {
    input.raw(field).map(item).transpose()
}

/// `ExpressionAttributeNames` and `ExpressionAttributeValues` as sent (their own rules —
/// not empty, key syntax, only with expressions — are the application's).
pub fn expression_attribute_maps(input: &Input) -> Result<ExpressionAttributeMaps, Error> {
    let names = match input.object("ExpressionAttributeNames")? {
        None => None,
        Some(map) => {
            let mut names = BTreeMap::new();
            for (k, v) in map {
                let Value::String(s) = v else {
                    return Err(wrong_type(v, "String"));
                };
                names.insert(k.clone(), s.clone());
            }
            Some(names)
        }
    };
    let values = match input.object("ExpressionAttributeValues")? {
        None => None,
        Some(map) => {
            let mut values = BTreeMap::new();
            for (k, v) in map {
                let value = attribute_value_from_json(v).map_err(|e| match e {
                    ValueError::Validation(m) => Error::Validation(format!(
                        "ExpressionAttributeValues contains invalid value: {m} for key {k}"
                    )),
                    ValueError::Serialization(m) => Error::Serialization(m),
                })?;
                values.insert(k.clone(), value);
            }
            Some(values)
        }
    };
    Ok(ExpressionAttributeMaps { names, values })
}

/// A required member once [`Input::finish`] passed: present (its absence was a violation),
/// or a bug reported as an internal error, never a panic.
pub fn required<T>(value: Option<T>) -> Result<T, Error> {
    value.ok_or_else(|| Error::Internal("a required member is missing after its check".into()))
}

/// `ReturnConsumedCapacity`.
pub fn return_consumed_capacity(input: &mut Input) -> Result<ReturnConsumedCapacity, Error> {
    Ok(
        match input
            .enum_str("ReturnConsumedCapacity", &["INDEXES", "TOTAL", "NONE"])?
            .as_deref()
        {
            Some("INDEXES") => ReturnConsumedCapacity::Indexes,
            Some("TOTAL") => ReturnConsumedCapacity::Total,
            _ => ReturnConsumedCapacity::None,
        },
    )
}

/// `ReturnItemCollectionMetrics: SIZE`.
pub fn return_item_collection_metrics(input: &mut Input) -> Result<bool, Error> {
    Ok(input
        .enum_str("ReturnItemCollectionMetrics", &["SIZE", "NONE"])?
        .as_deref()
        == Some("SIZE"))
}

/// `ReturnValuesOnConditionCheckFailure: ALL_OLD`.
pub fn return_old_on_failure(input: &mut Input) -> Result<bool, Error> {
    Ok(input
        .enum_str("ReturnValuesOnConditionCheckFailure", &["ALL_OLD", "NONE"])?
        .as_deref()
        == Some("ALL_OLD"))
}

/// `ReturnValues`: any of its five values (the operation's own subset is the application's
/// rule).
pub fn return_values(input: &mut Input) -> Result<Option<ReturnValues>, Error> {
    input.enum_value("ReturnValues", &ReturnValues::ALL, ReturnValues::name)
}

/// An optional string member.
pub fn string(input: &Input, field: &str) -> Result<Option<String>, Error> {
    Ok(input.str(field)?.map(str::to_owned))
}

/// A list of strings member.
pub fn strings(input: &Input, field: &str) -> Result<Option<Vec<String>>, Error> {
    input
        .array(field)?
        .map(|list| {
            list.iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s.clone()),
                    other => Err(wrong_type(other, "String")),
                })
                .collect()
        })
        .transpose()
}
