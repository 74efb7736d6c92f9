//! A table's definition as CreateTable/UpdateTable set it and DescribeTable reports it:
//! key schema, attribute definitions, secondary indexes and their projections, billing
//! and the settings DynamoDB stores and describes (SSE, streams, table class, TTL, tags).
//! Stored as JSON in the catalog; field names are AWS's.

use serde::{Deserialize, Serialize};
use strata_dynamodb_item::{AttributeValue, Item};

/// A key attribute's scalar type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ScalarType {
    S,
    N,
    B,
}

impl ScalarType {
    pub fn name(self) -> &'static str {
        match self {
            ScalarType::S => "S",
            ScalarType::N => "N",
            ScalarType::B => "B",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "S" => Some(ScalarType::S),
            "N" => Some(ScalarType::N),
            "B" => Some(ScalarType::B),
            _ => None,
        }
    }

    pub fn matches(self, value: &AttributeValue) -> bool {
        matches!(
            (self, value),
            (ScalarType::S, AttributeValue::S(_))
                | (ScalarType::N, AttributeValue::N(_))
                | (ScalarType::B, AttributeValue::B(_))
        )
    }
}

/// One element of a key schema: the attribute and its type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyAttribute {
    pub name: String,
    pub attribute_type: ScalarType,
}

/// The key of a table or index: its `HASH` attributes, then its `RANGE` attributes, in
/// key-schema order. A table and a local index have one of each at most; a global index may
/// have up to four of each (multi-attribute keys). Its storage key is the values in this
/// order, each encoded prefix-free, so items sort by the partition values, then by the sort
/// values one after another.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeySchema {
    /// The first `HASH` attribute: the only one of a table or local index.
    pub partition: KeyAttribute,
    /// The other `HASH` attributes of a multi-attribute global index key.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub more_partition: Vec<KeyAttribute>,
    /// The `RANGE` attributes: none or one for a table, up to four for a global index.
    /// (Stored as `null` or one object before multi-attribute keys.)
    #[serde(default, deserialize_with = "sort_attributes")]
    pub sort: Vec<KeyAttribute>,
    /// How the values are laid out in storage keys ([`KeyLayout::Ordered`] when stored
    /// before the layout was recorded).
    #[serde(default = "KeyLayout::ordered")]
    pub layout: KeyLayout,
}

/// How a key's values make its storage key (`crate::key::encode_key`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyLayout {
    /// A 4-byte hash of the encoded partition values, then the values: partitions spread
    /// evenly over the key space as DynamoDB's do over its partitions, so a parallel Scan's
    /// segment is one range of hashes, read alone. Every table and index created now.
    Hashed,
    /// The encoded values alone, partitions in value order: tables and indexes created
    /// before hashed keys. Their parallel Scan segments are hash classes read by filtering.
    Ordered,
}

impl KeyLayout {
    fn ordered() -> KeyLayout {
        KeyLayout::Ordered
    }
}

/// Up to four `HASH` and four `RANGE` attributes in a global index's key.
pub const MAX_KEY_ATTRIBUTES_PER_TYPE: usize = 4;

fn sort_attributes<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<KeyAttribute>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Stored {
        One(KeyAttribute),
        Many(Vec<KeyAttribute>),
    }
    Ok(match Option::<Stored>::deserialize(d)? {
        None => Vec::new(),
        Some(Stored::One(one)) => vec![one],
        Some(Stored::Many(many)) => many,
    })
}

impl KeySchema {
    /// A new table's (or local index's) key: one partition attribute and an optional sort one.
    pub fn simple(partition: KeyAttribute, sort: Option<KeyAttribute>) -> KeySchema {
        KeySchema {
            partition,
            more_partition: Vec::new(),
            sort: sort.into_iter().collect(),
            layout: KeyLayout::Hashed,
        }
    }

    /// The `HASH` attributes in order.
    pub fn partition_attributes(&self) -> impl Iterator<Item = &KeyAttribute> {
        std::iter::once(&self.partition).chain(&self.more_partition)
    }

    /// Every key attribute: the `HASH` ones, then the `RANGE` ones.
    pub fn attributes(&self) -> impl Iterator<Item = &KeyAttribute> {
        self.partition_attributes().chain(&self.sort)
    }

    /// The single sort attribute of a table or local index key.
    pub fn sort_key(&self) -> Option<&KeyAttribute> {
        self.sort.first()
    }

    pub fn is_key_attribute(&self, name: &str) -> bool {
        self.attributes().any(|k| k.name == name)
    }

    /// The key attributes of `item` (which must have them).
    pub fn key_of(&self, item: &Item) -> Item {
        self.attributes()
            .filter_map(|k| item.get(&k.name).map(|v| (k.name.clone(), v.clone())))
            .collect()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ProjectionType {
    #[serde(rename = "ALL")]
    All,
    #[serde(rename = "KEYS_ONLY")]
    KeysOnly,
    #[serde(rename = "INCLUDE")]
    Include,
}

impl ProjectionType {
    pub fn name(self) -> &'static str {
        match self {
            ProjectionType::All => "ALL",
            ProjectionType::KeysOnly => "KEYS_ONLY",
            ProjectionType::Include => "INCLUDE",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Projection {
    pub projection_type: ProjectionType,
    pub non_key_attributes: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProvisionedThroughput {
    pub read_capacity_units: u64,
    pub write_capacity_units: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum IndexKind {
    Global,
    Local,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum IndexStatus {
    #[serde(rename = "CREATING")]
    Creating,
    #[serde(rename = "ACTIVE")]
    Active,
}

/// A global or local secondary index.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexDefinition {
    /// Storage id, unique within the table and never reused.
    pub id: u32,
    pub name: String,
    pub kind: IndexKind,
    pub key_schema: KeySchema,
    pub projection: Projection,
    pub provisioned_throughput: Option<ProvisionedThroughput>,
    pub status: IndexStatus,
}

impl IndexDefinition {
    /// The part of `item` this index stores: its own keys, the table's keys and the
    /// projected attributes. `None` when the item lacks an index key attribute (sparse) or
    /// holds one that cannot be an index key ([`crate::key::fits_index`]).
    pub fn project(&self, table_keys: &KeySchema, item: &Item) -> Option<Item> {
        if !crate::key::fits_index(self, item) {
            return None;
        }
        self.projection_of(table_keys, item)
    }

    /// [`IndexDefinition::project`] checking only that every key attribute is there with
    /// its type (what strata checked before key lengths counted).
    pub(crate) fn projection_of(&self, table_keys: &KeySchema, item: &Item) -> Option<Item> {
        if !self.key_schema.attributes().all(|k| {
            item.get(&k.name)
                .is_some_and(|v| k.attribute_type.matches(v))
        }) {
            return None;
        }
        Some(match self.projection.projection_type {
            ProjectionType::All => item.clone(),
            ProjectionType::KeysOnly | ProjectionType::Include => item
                .iter()
                .filter(|(name, _)| {
                    self.key_schema.is_key_attribute(name)
                        || table_keys.is_key_attribute(name)
                        || self
                            .projection
                            .non_key_attributes
                            .iter()
                            .any(|n| n == *name)
                })
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BillingMode {
    #[serde(rename = "PROVISIONED")]
    Provisioned,
    #[serde(rename = "PAY_PER_REQUEST")]
    PayPerRequest,
}

impl BillingMode {
    /// Every value, in the order DynamoDB lists them.
    pub const ALL: [BillingMode; 2] = [BillingMode::Provisioned, BillingMode::PayPerRequest];

    pub fn name(self) -> &'static str {
        match self {
            BillingMode::Provisioned => "PROVISIONED",
            BillingMode::PayPerRequest => "PAY_PER_REQUEST",
        }
    }
}

/// `SSESpecification` as sent (DynamoDB always encrypts; the settings are described back).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SseSpecification {
    pub enabled: bool,
    pub sse_type: Option<String>,
    pub kms_master_key_id: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamSpecification {
    pub stream_enabled: bool,
    pub stream_view_type: Option<String>,
}

/// `TimeToLiveSpecification`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeToLive {
    pub attribute_name: String,
    pub enabled: bool,
}

/// Everything stored about a table.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TableDefinition {
    /// Storage id: the prefix of every key of this table; never reused.
    pub id: u64,
    /// `TableId`, a UUID.
    pub table_id: String,
    pub name: String,
    pub account: String,
    pub region: String,
    pub key_schema: KeySchema,
    /// `AttributeDefinitions` in the order they were sent.
    pub attribute_definitions: Vec<KeyAttribute>,
    pub indexes: Vec<IndexDefinition>,
    pub next_index_id: u32,
    pub billing_mode: BillingMode,
    pub provisioned_throughput: Option<ProvisionedThroughput>,
    /// When billing mode last changed to PAY_PER_REQUEST (`LastUpdateToPayPerRequestDateTime`).
    pub last_update_to_pay_per_request_micros: Option<i64>,
    pub creation_micros: i64,
    pub deletion_protection: bool,
    pub sse: Option<SseSpecification>,
    pub stream: Option<StreamSpecification>,
    /// Stream ARN label (a timestamp) when streams are enabled.
    pub stream_label: Option<String>,
    pub table_class: Option<String>,
    pub ttl: Option<TimeToLive>,
    pub tags: Vec<(String, String)>,
    /// Point-in-time recovery: when it was last enabled (versions written since are kept as
    /// history) and its window. `None` while disabled.
    pub pitr: Option<PointInTimeRecovery>,
    /// The table's resource-based policy (PutResourcePolicy).
    #[serde(default)]
    pub resource_policy: Option<ResourcePolicy>,
    /// Set by the write that disables PITR, until its purge is done: history stamped before
    /// this (µs) belongs to the ended PITR period and is being dropped
    /// ([`crate::maintenance::Maintenance::PurgeHistory`], which clears it). Enabling PITR
    /// while it is set first completes the purge, so no version of the old period can answer
    /// an "as of" read of the new one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history_purge_before: Option<u64>,
    /// Set while a restore or an import fills the table: it reads `CREATING`, and its items
    /// are not served (spec dynamodb-export-import §1.4, §6.4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub creating: Option<Creating>,
}

/// What is filling a `CREATING` table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Creating {
    /// RestoreTableToPointInTime: its job copies the source's items as of `restore_micros`
    /// and resumes after a crash.
    Restore {
        source_table_arn: String,
        /// `RestoreDateTime`, in microseconds.
        restore_micros: i64,
    },
    /// An ImportTable job, which resumes after a crash and turns the table ACTIVE when it ends.
    Import,
}

/// A resource-based policy document and its revision id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourcePolicy {
    pub document: String,
    pub revision_id: String,
    /// Principal ARNs bound to the unique ids they had when the policy was saved: a
    /// role deleted and recreated no longer matches (as on AWS).
    #[serde(default)]
    pub bindings: Vec<(String, String)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointInTimeRecovery {
    pub enabled_at_micros: i64,
    pub recovery_period_in_days: u32,
}

impl TableDefinition {
    /// `arn:aws:dynamodb:REGION:ACCOUNT:table/NAME`.
    pub fn arn(&self) -> String {
        table_arn(&self.region, &self.account, &self.name)
    }

    pub fn index(&self, name: &str) -> Option<&IndexDefinition> {
        self.indexes.iter().find(|i| i.name == name)
    }
}

pub fn table_arn(region: &str, account: &str, name: &str) -> String {
    format!("arn:aws:dynamodb:{region}:{account}:table/{name}")
}

/// A stream's ARN: its table's, `/stream/`, its label.
pub fn stream_arn(region: &str, account: &str, table_name: &str, label: &str) -> String {
    format!("{}/stream/{label}", table_arn(region, account, table_name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attr(name: &str, attribute_type: ScalarType) -> KeyAttribute {
        KeyAttribute {
            name: name.to_owned(),
            attribute_type,
        }
    }

    /// Catalogs written before multi-attribute keys stored `sort` as `null` or one object;
    /// they read as the same keys, and a multi-attribute key round-trips.
    #[test]
    fn stored_key_schemas_of_every_age_read_back() {
        let pk = attr("pk", ScalarType::S);
        let sk = attr("sk", ScalarType::N);
        let old: KeySchema =
            serde_json::from_value(serde_json::json!({"partition": pk, "sort": sk})).unwrap();
        let ordered = |schema| KeySchema {
            layout: KeyLayout::Ordered,
            ..schema
        };
        assert_eq!(
            old,
            ordered(KeySchema::simple(pk.clone(), Some(sk.clone())))
        );
        let old: KeySchema =
            serde_json::from_value(serde_json::json!({"partition": pk, "sort": null})).unwrap();
        assert_eq!(old, ordered(KeySchema::simple(pk.clone(), None)));
        let composite = KeySchema {
            partition: pk,
            more_partition: vec![attr("h2", ScalarType::B)],
            sort: vec![sk, attr("r2", ScalarType::S)],
            layout: KeyLayout::Hashed,
        };
        let text = serde_json::to_string(&composite).unwrap();
        assert_eq!(serde_json::from_str::<KeySchema>(&text).unwrap(), composite);
        assert_eq!(
            composite
                .attributes()
                .map(|k| k.name.as_str())
                .collect::<Vec<_>>(),
            ["pk", "h2", "sk", "r2"]
        );
    }
}
