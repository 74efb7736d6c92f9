//! Members many DynamoDB operations share, named as in DynamoDB's API: the expression
//! attribute maps and DynamoDB's rules on mixing expressions with legacy parameters,
//! `ReturnValues`, and the `ConsumedCapacity` and `ItemCollectionMetrics` outputs.

use std::collections::BTreeMap;

use serde::Serialize;
use strata_dynamodb::Table;
use strata_dynamodb::capacity::{self, ReturnConsumedCapacity};
use strata_dynamodb::items::ReturnValues;
use strata_dynamodb::schema::IndexKind;
use strata_dynamodb_item::{AttributeValue, Item};
use strata_expression::ExpressionAttributes;

use super::error::{Error, Result};

/// `ExpressionAttributeNames` and `ExpressionAttributeValues` as sent.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct ExpressionAttributeMaps {
    #[serde(
        rename = "ExpressionAttributeNames",
        skip_serializing_if = "Option::is_none"
    )]
    pub names: Option<BTreeMap<String, String>>,
    #[serde(
        rename = "ExpressionAttributeValues",
        skip_serializing_if = "Option::is_none"
    )]
    pub values: Option<BTreeMap<String, AttributeValue>>,
}

impl ExpressionAttributeMaps {
    /// The maps for a request whose expression members are `expressions` and legacy members
    /// `legacy` (each with whether it was sent), with DynamoDB's rules and messages: not both
    /// kinds at once, and the maps only with an expression.
    pub fn for_expressions(
        &self,
        expressions: &[(&str, bool)],
        legacy: &[(&str, bool)],
    ) -> Result<ExpressionAttributes> {
        let sent = |members: &[(&str, bool)]| -> Vec<String> {
            members
                .iter()
                .filter(|(_, sent)| *sent)
                .map(|(name, _)| (*name).to_owned())
                .collect()
        };
        let (used_expressions, used_legacy) = (sent(expressions), sent(legacy));
        if !used_expressions.is_empty() && !used_legacy.is_empty() {
            return Err(Error::Validation(format!(
                "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {{{}}} Expression parameters: {{{}}}",
                used_legacy.join(", "),
                used_expressions.join(", ")
            )));
        }
        if used_expressions.is_empty() {
            if self.names.is_some() {
                return Err(Error::validation(
                    "ExpressionAttributeNames can only be specified when using expressions",
                ));
            }
            if self.values.is_some() {
                return Err(Error::validation(
                    "ExpressionAttributeValues can only be specified when using expressions",
                ));
            }
        }
        let attributes = ExpressionAttributes::new(self.names.clone(), self.values.clone());
        attributes.validate()?;
        Ok(attributes)
    }
}

/// DynamoDB's rule on `ConditionalOperator`: it joins the conditions of a legacy filter or of
/// `Expected`, so it needs two or more of them (ExtendDB's tests run against AWS, and
/// alternator's test_expected.py::test_update_expected_empty).
pub fn conditional_operator<T, C>(operator: Option<T>, conditions: Option<&[C]>) -> Result<()> {
    match (operator, conditions.map(<[C]>::len)) {
        (None, _) | (Some(_), Some(2..)) => Ok(()),
        (Some(_), None | Some(0)) => Err(Error::validation(
            "ConditionalOperator cannot be used without Filter or Expected",
        )),
        (Some(_), Some(_)) => Err(Error::validation(
            "ConditionalOperator can only be used when Filter or Expected has two or more elements",
        )),
    }
}

/// `ReturnValues` with the subset an operation accepts (DynamoDB's model allows all five
/// everywhere; the service refuses the others).
pub fn return_values(sent: Option<ReturnValues>, allowed: &[ReturnValues]) -> Result<ReturnValues> {
    match sent {
        None => Ok(ReturnValues::None),
        Some(v) if allowed.contains(&v) => Ok(v),
        Some(_) => Err(Error::validation("Return values set to invalid value")),
    }
}

/// Capacity units of a table or an index: `CapacityUnits` and the read or write part.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Capacity {
    pub capacity_units: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_capacity_units: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub write_capacity_units: Option<f64>,
}

/// `ConsumedCapacity`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConsumedCapacity {
    pub table_name: String,
    pub capacity_units: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_capacity_units: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub write_capacity_units: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub table: Option<Capacity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub global_secondary_indexes: Option<BTreeMap<String, Capacity>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local_secondary_indexes: Option<BTreeMap<String, Capacity>>,
}

impl ConsumedCapacity {
    /// What `ReturnConsumedCapacity` asked to report of `c`.
    pub fn reported(c: &capacity::ConsumedCapacity, mode: ReturnConsumedCapacity) -> Option<Self> {
        if mode == ReturnConsumedCapacity::None {
            return None;
        }
        let positive = |v: f64| (v > 0.0).then_some(v);
        let writes = c.write_units > 0.0;
        let part = |units: f64| Capacity {
            capacity_units: units,
            read_capacity_units: (!writes).then_some(units),
            write_capacity_units: writes.then_some(units),
        };
        let indexes = |list: &[(String, f64)]| {
            (!list.is_empty()).then(|| list.iter().map(|(n, u)| (n.clone(), part(*u))).collect())
        };
        let detailed = mode == ReturnConsumedCapacity::Indexes;
        Some(Self {
            table_name: c.table_name.clone(),
            capacity_units: c.total(),
            read_capacity_units: positive(c.read_units),
            write_capacity_units: positive(c.write_units),
            table: detailed.then(|| part(c.table_units)),
            global_secondary_indexes: indexes(&c.global_indexes).filter(|_| detailed),
            local_secondary_indexes: indexes(&c.local_indexes).filter(|_| detailed),
        })
    }

    /// A list of them (batches and transactions).
    pub fn reported_list(
        list: &[capacity::ConsumedCapacity],
        mode: ReturnConsumedCapacity,
    ) -> Option<Vec<Self>> {
        (mode != ReturnConsumedCapacity::None).then(|| {
            list.iter()
                .filter_map(|c| Self::reported(c, mode))
                .collect()
        })
    }
}

/// `ItemCollectionMetrics` of a write to a table with local secondary indexes.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ItemCollectionMetrics {
    pub item_collection_key: Item,
    #[serde(rename = "SizeEstimateRangeGB")]
    pub size_estimate_range_gb: [f64; 2],
}

impl ItemCollectionMetrics {
    /// The metrics of a write of `key` to `table`, if it has local secondary indexes.
    pub fn of(table: &Table, key: &Item) -> Option<Self> {
        let has_local = table.def.indexes.iter().any(|i| i.kind == IndexKind::Local);
        if !has_local {
            return None;
        }
        let mut collection_key = Item::new();
        if let Some(v) = key.get(&table.def.key_schema.partition.name) {
            collection_key.insert(table.def.key_schema.partition.name.clone(), v.clone());
        }
        // UNCONFIRMED: AWS estimates the collection size coarsely; strata reports the
        // smallest bracket it reports for small collections.
        Some(Self {
            item_collection_key: collection_key,
            size_estimate_range_gb: [0.0, 1.0],
        })
    }
}

/// Seconds since the epoch as DynamoDB's JSON timestamps (a number with a fraction).
pub fn epoch_seconds(micros: i64) -> f64 {
    micros as f64 / 1e6
}
