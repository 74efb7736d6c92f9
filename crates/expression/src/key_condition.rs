//! Key conditions of a Query: from a KeyConditionExpression or the legacy KeyConditions,
//! first as a table-independent list of per-attribute conditions ([`KeyConditions`]), then
//! matched against the key schema of the table or index queried ([`KeyCondition`]).
//!
//! Like DynamoDB, an expression is first turned into the legacy form (which is where its
//! shape errors come from), then both forms are checked the same way.

use std::cmp::Ordering;

use strata_dynamodb_item::AttributeValue;

use crate::ast::{Comparator, Expr, Function, Operand};
use crate::comparison_operator::ComparisonOperator;
use crate::value::{begins_with, compare, values_equal};
use crate::{ExpressionError, Path, PathElement};

const INVALID_OPERATOR: &str = "Invalid operator used in KeyConditionExpression: ";
const NESTED_OPERATIONS: &str = "KeyConditionExpressions cannot contain nested operations";
const KEY_NOT_FIRST: &str = " operator must have the key attribute as its first operand";
const INVALID_CONDITION: &str = "Invalid condition in KeyConditionExpression: ";
const MULTIPLE_NAMES: &str = "Multiple attribute names used in one condition";
const NESTED_ATTRIBUTES: &str =
    "KeyConditionExpressions cannot have conditions on nested attributes";
const NO_KEY_ATTRIBUTE: &str = "No key attribute specified";
const ONE_PER_KEY: &str = "KeyConditionExpressions must only contain one condition per key";
const ONE_OR_TWO: &str = "Conditions can be of length 1 or 2 only";
const NOT_SUPPORTED: &str = "Query key condition not supported";
const MISSED_KEY: &str = "Query condition missed key schema element: ";
const NOT_INDEXABLE: &str = "Attempted conditional constraint is not an indexable operation";
const TYPE_MISMATCH: &str = "One or more parameter values were invalid: Condition parameter type does not match schema type";

/// The condition on the sort key of a Query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SortKeyCondition {
    Eq(AttributeValue),
    Lt(AttributeValue),
    Le(AttributeValue),
    Gt(AttributeValue),
    Ge(AttributeValue),
    Between(AttributeValue, AttributeValue),
    BeginsWith(AttributeValue),
}

impl SortKeyCondition {
    /// Whether a sort key value satisfies the condition.
    pub fn matches(&self, value: &AttributeValue) -> bool {
        let order = |bound: &AttributeValue| compare(value, bound);
        match self {
            SortKeyCondition::Eq(bound) => values_equal(value, bound),
            SortKeyCondition::Lt(bound) => order(bound) == Some(Ordering::Less),
            SortKeyCondition::Le(bound) => {
                matches!(order(bound), Some(Ordering::Less | Ordering::Equal))
            }
            SortKeyCondition::Gt(bound) => order(bound) == Some(Ordering::Greater),
            SortKeyCondition::Ge(bound) => {
                matches!(order(bound), Some(Ordering::Greater | Ordering::Equal))
            }
            SortKeyCondition::Between(low, high) => {
                matches!(order(low), Some(Ordering::Greater | Ordering::Equal))
                    && matches!(order(high), Some(Ordering::Less | Ordering::Equal))
            }
            SortKeyCondition::BeginsWith(prefix) => begins_with(value, prefix),
        }
    }
}

/// A Query's key condition matched to the key schema: a value for each partition attribute
/// and conditions on a leading run of the sort attributes, both in key-schema order. Every
/// sort condition but the last is an equality. (A table or local index has one partition
/// attribute and at most one sort attribute; a global index up to four of each.)
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyCondition {
    pub partition: Vec<(String, AttributeValue)>,
    pub sort: Vec<(String, SortKeyCondition)>,
}

/// One attribute's condition, in the legacy form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyConditionEntry {
    pub attribute: String,
    pub operator: ComparisonOperator,
    pub values: Vec<AttributeValue>,
}

/// The conditions of a KeyConditionExpression or KeyConditions before the key schema is
/// known: at least one, each on a distinct top-level attribute.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyConditions {
    pub(crate) entries: Vec<KeyConditionEntry>,
}

/// A key has at most four partition and four sort attributes.
const MAX_CONDITIONS: usize = 8;

impl KeyConditions {
    /// Check the entries' arguments and count, as DynamoDB does before it looks at the
    /// table.
    pub(crate) fn new(entries: Vec<KeyConditionEntry>) -> Result<KeyConditions, ExpressionError> {
        for entry in &entries {
            entry.operator.check_arguments(&entry.values)?;
        }
        if entries.is_empty() || entries.len() > MAX_CONDITIONS {
            return Err(ExpressionError::validation(ONE_OR_TWO));
        }
        Ok(KeyConditions { entries })
    }

    pub fn entries(&self) -> &[KeyConditionEntry] {
        &self.entries
    }

    /// Match to the key schema of the table or index queried: `(attribute name, type)` of
    /// its partition attributes and sort attributes in key-schema order, types as `"S"`,
    /// `"N"` or `"B"`.
    pub fn for_schema(
        &self,
        partition_key: &[(&str, &str)],
        sort_key: &[(&str, &str)],
    ) -> Result<KeyCondition, ExpressionError> {
        let fail = |message: String| Err(ExpressionError::validation(message));
        let find = |name: &str| self.entries.iter().find(|e| e.attribute == name);
        let composite = partition_key.len() > 1 || sort_key.len() > 1;
        if !composite && self.entries.len() > 2 {
            return fail(ONE_OR_TWO.to_owned());
        }
        if sort_key.is_empty() && self.entries.len() > partition_key.len() && !composite {
            return fail(NOT_SUPPORTED.to_owned());
        }
        let mut partition = Vec::with_capacity(partition_key.len());
        for (name, type_name) in partition_key {
            match find(name) {
                Some(entry) => partition.push((entry, *type_name)),
                None if composite => return fail(hash_needs_equality(name)),
                None => return fail(format!("{MISSED_KEY}{name}")),
            }
        }
        let sort = if composite {
            composite_sort(&self.entries, partition_key, sort_key)?
        } else {
            // The condition left, if any, is on the sort attribute.
            let on_sort = self.entries.len() - partition.len();
            match sort_key.first() {
                Some((name, type_name)) if on_sort == 1 => match find(name) {
                    Some(entry) => vec![(entry, *type_name)],
                    None => return fail(format!("{MISSED_KEY}{name}")),
                },
                _ => Vec::new(),
            }
        };
        if self.entries.iter().any(|e| {
            matches!(
                e.operator,
                ComparisonOperator::Null
                    | ComparisonOperator::NotNull
                    | ComparisonOperator::Ne
                    | ComparisonOperator::Contains
                    | ComparisonOperator::NotContains
                    | ComparisonOperator::In
            )
        }) {
            return fail(NOT_INDEXABLE.to_owned());
        }
        let typed = |(entry, type_name): &(&KeyConditionEntry, &str)| {
            entry.values.iter().all(|v| v.type_name() == *type_name)
        };
        if !partition.iter().chain(&sort).all(typed) {
            return fail(TYPE_MISMATCH.to_owned());
        }
        if let Some((entry, _)) = partition
            .iter()
            .find(|(entry, _)| entry.operator != ComparisonOperator::Eq)
        {
            return fail(if composite {
                hash_needs_equality(&entry.attribute)
            } else {
                NOT_SUPPORTED.to_owned()
            });
        }
        let first_value = |entry: &KeyConditionEntry| {
            entry
                .values
                .first()
                .cloned()
                .unwrap_or(AttributeValue::Null)
        };
        Ok(KeyCondition {
            partition: partition
                .iter()
                .map(|(entry, _)| (entry.attribute.clone(), first_value(entry)))
                .collect(),
            sort: sort
                .iter()
                .map(|(entry, _)| Ok((entry.attribute.clone(), sort_condition(entry)?)))
                .collect::<Result<_, ExpressionError>>()?,
        })
    }
}

/// A composite key's partition attribute without an equality (UNCONFIRMED wording: AWS's
/// text matches `HASH.*equality`, ScyllaDB's test_gsi_composite_keys.py run against AWS;
/// this is the RANGE text's form).
fn hash_needs_equality(name: &str) -> String {
    format!("HASH key attributes {name} must have equality conditions specified in the query")
}

/// The conditions on a composite key's sort attributes, in key-schema order: a leading run,
/// every one but the last an equality. AWS's text for a gap or an inequality before the last
/// names the first such attribute and the later one conditioned (paritysuite's
/// dynamodb-conformance multiAttributeGsiKey tests, recorded against AWS).
fn composite_sort<'a>(
    entries: &'a [KeyConditionEntry],
    partition_key: &[(&str, &str)],
    sort_key: &[(&'a str, &'a str)],
) -> Result<Vec<(&'a KeyConditionEntry, &'a str)>, ExpressionError> {
    let find = |name: &str| entries.iter().find(|e| e.attribute == name);
    let is_key = |name: &str| {
        partition_key.iter().any(|(n, _)| *n == name) || sort_key.iter().any(|(n, _)| *n == name)
    };
    if entries.iter().any(|e| !is_key(&e.attribute)) {
        // UNCONFIRMED: a condition on an attribute outside a composite key.
        let missing = sort_key.iter().find(|(n, _)| find(n).is_none());
        return Err(ExpressionError::validation(match missing {
            Some((name, _)) => format!("{MISSED_KEY}{name}"),
            None => NOT_SUPPORTED.to_owned(),
        }));
    }
    let conditioned: Vec<usize> = (0..sort_key.len())
        .filter(|&j| find(sort_key[j].0).is_some())
        .collect();
    for &later in &conditioned {
        for earlier in 0..later {
            if find(sort_key[earlier].0).is_none_or(|e| e.operator != ComparisonOperator::Eq) {
                return Err(ExpressionError::validation(format!(
                    "RANGE key attributes {} must have equality conditions specified in the query because a condition is present on key attribute {}",
                    sort_key[earlier].0, sort_key[later].0
                )));
            }
        }
    }
    Ok(conditioned
        .iter()
        .filter_map(|&j| find(sort_key[j].0).map(|e| (e, sort_key[j].1)))
        .collect())
}

fn sort_condition(entry: &KeyConditionEntry) -> Result<SortKeyCondition, ExpressionError> {
    let value = |index: usize| {
        entry
            .values
            .get(index)
            .cloned()
            .unwrap_or(AttributeValue::Null)
    };
    Ok(match entry.operator {
        ComparisonOperator::Eq => SortKeyCondition::Eq(value(0)),
        ComparisonOperator::Lt => SortKeyCondition::Lt(value(0)),
        ComparisonOperator::Le => SortKeyCondition::Le(value(0)),
        ComparisonOperator::Gt => SortKeyCondition::Gt(value(0)),
        ComparisonOperator::Ge => SortKeyCondition::Ge(value(0)),
        ComparisonOperator::Between => SortKeyCondition::Between(value(0), value(1)),
        ComparisonOperator::BeginsWith => SortKeyCondition::BeginsWith(value(0)),
        _ => return Err(ExpressionError::validation(NOT_INDEXABLE)),
    })
}

/// The legacy form of a checked KeyConditionExpression, with the shape errors DynamoDB
/// reports for it (these carry no "Invalid KeyConditionExpression: " prefix).
pub(crate) fn from_expression(expr: &Expr) -> Result<KeyConditions, ExpressionError> {
    let mut entries = Vec::new();
    walk(expr, &mut entries).map_err(ExpressionError::validation)?;
    KeyConditions::new(entries)
}

fn walk(expr: &Expr, entries: &mut Vec<KeyConditionEntry>) -> Result<(), String> {
    let invalid_operator = |name: &str| Err(format!("{INVALID_OPERATOR}{name}"));
    let (operator, operands): (Operator, Vec<&Operand>) = match expr {
        Expr::And(items) => {
            for item in items {
                walk(item, entries)?;
            }
            return Ok(());
        }
        Expr::Or(_) => return invalid_operator("OR"),
        Expr::Not(_) => return invalid_operator("NOT"),
        Expr::In(..) => return invalid_operator("IN"),
        Expr::Compare(Comparator::Ne, ..) => return invalid_operator("<>"),
        Expr::Compare(comparator, left, right) => {
            (Operator::Compare(*comparator), vec![left, right])
        }
        Expr::Between(value, low, high) => {
            if !matches!(value, Operand::Path(_)) {
                return Err(format!("{INVALID_CONDITION}BETWEEN{KEY_NOT_FIRST}"));
            }
            (Operator::Between, vec![value, low, high])
        }
        Expr::Function(Function::BeginsWith(value, prefix)) => {
            if !matches!(value, Operand::Path(_)) {
                return Err(format!("{INVALID_CONDITION}begins_with{KEY_NOT_FIRST}"));
            }
            (Operator::BeginsWith, vec![value, prefix])
        }
        Expr::Function(function) => return invalid_operator(function.name()),
    };
    let mut attribute: Option<(&str, usize)> = None;
    let mut values = Vec::new();
    for (index, operand) in operands.into_iter().enumerate() {
        match operand {
            Operand::Path(path) => {
                if attribute.is_some() {
                    return Err(format!("{INVALID_CONDITION}{MULTIPLE_NAMES}"));
                }
                let Some(name) = single_attribute(path) else {
                    return Err(NESTED_ATTRIBUTES.to_owned());
                };
                attribute = Some((name, index));
            }
            Operand::Size(_) => return Err(NESTED_OPERATIONS.to_owned()),
            Operand::Value(value) => values.push(value.clone()),
        }
    }
    let Some((name, index)) = attribute else {
        return Err(format!("{INVALID_CONDITION}{NO_KEY_ATTRIBUTE}"));
    };
    if entries.iter().any(|e| e.attribute == name) {
        return Err(ONE_PER_KEY.to_owned());
    }
    let operator = match operator {
        Operator::Compare(comparator) => {
            let comparator = if index == 0 {
                comparator
            } else {
                comparator.flipped()
            };
            match comparator {
                Comparator::Eq => ComparisonOperator::Eq,
                Comparator::Lt => ComparisonOperator::Lt,
                Comparator::Le => ComparisonOperator::Le,
                Comparator::Gt => ComparisonOperator::Gt,
                Comparator::Ge => ComparisonOperator::Ge,
                Comparator::Ne => ComparisonOperator::Ne,
            }
        }
        Operator::Between => ComparisonOperator::Between,
        Operator::BeginsWith => ComparisonOperator::BeginsWith,
    };
    entries.push(KeyConditionEntry {
        attribute: name.to_owned(),
        operator,
        values,
    });
    Ok(())
}

enum Operator {
    Compare(Comparator),
    Between,
    BeginsWith,
}

fn single_attribute(path: &Path) -> Option<&str> {
    match path.0.as_slice() {
        [PathElement::Attribute(name)] => Some(name),
        _ => None,
    }
}
