//! Single-item operations — PutItem, GetItem, UpdateItem, DeleteItem — and the item
//! change they share with batches and transactions: read the newest version inside the
//! write closure, check the condition against it, compute the new item, write.

use strata_dynamodb_item::{Item, MAX_ITEM_SIZE, item_size};
use strata_expression::{Condition, Projection, Update, project};

use crate::DynamoDb;
use crate::capacity::{self, ConsumedCapacity};
use crate::catalog::Table;
use crate::error::{DynamoDbError, Result};
use crate::key::{check_index_keys, check_item_key, check_key, encode_key};
use crate::layout;
use crate::tables::Scope;
use crate::version::Version;
use crate::write_path::{self, WriteCost};

/// `ReturnValues`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ReturnValues {
    #[default]
    None,
    AllOld,
    UpdatedOld,
    AllNew,
    UpdatedNew,
}

impl ReturnValues {
    /// Every value, in the order DynamoDB lists them.
    pub const ALL: [ReturnValues; 5] = [
        ReturnValues::None,
        ReturnValues::AllOld,
        ReturnValues::UpdatedOld,
        ReturnValues::AllNew,
        ReturnValues::UpdatedNew,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ReturnValues::None => "NONE",
            ReturnValues::AllOld => "ALL_OLD",
            ReturnValues::UpdatedOld => "UPDATED_OLD",
            ReturnValues::AllNew => "ALL_NEW",
            ReturnValues::UpdatedNew => "UPDATED_NEW",
        }
    }
}

/// What a write does to its item.
#[derive(Debug)]
pub enum Action {
    Put(Item),
    /// UpdateItem: `None` without an UpdateExpression (creates the key-only item).
    Update(Option<Update>),
    Delete,
    /// TransactWriteItems' ConditionCheck: the condition only.
    Check,
}

/// One item write, checked against the table's schema and ready to run in a closure.
#[derive(Debug)]
pub struct ItemWrite {
    pub table: Table,
    /// The item's key attributes.
    pub key: Item,
    pub encoded_key: Vec<u8>,
    pub action: Action,
    pub condition: Option<Condition>,
}

/// Why one item write did not happen.
#[derive(Debug)]
pub enum WriteFailure {
    ConditionFailed,
    Invalid(DynamoDbError),
}

impl From<DynamoDbError> for WriteFailure {
    fn from(e: DynamoDbError) -> Self {
        WriteFailure::Invalid(e)
    }
}

const MSG_ITEM_TOO_LARGE: &str = "Item size has exceeded the maximum allowed size";
const MSG_UPDATE_TOO_LARGE: &str = "Item size to update has exceeded the maximum allowed size";

/// What a whole item written to `table` must satisfy: named attributes, the table's key,
/// well-typed index keys, at most 400 KB.
pub(crate) fn check_put(table: &Table, item: &Item) -> Result<()> {
    // UNCONFIRMED wording: DynamoDB requires names of at least one character.
    if item.contains_key("") {
        return Err(DynamoDbError::invalid("An attribute name cannot be empty"));
    }
    check_item_key(&table.def.key_schema, item)?;
    check_index_keys(&table.def.indexes, item)?;
    check_item_size(item)
}

/// A whole item written is at most 400 KB.
pub fn check_item_size(item: &Item) -> Result<()> {
    if item_size(item) > MAX_ITEM_SIZE {
        return Err(DynamoDbError::validation(MSG_ITEM_TOO_LARGE));
    }
    Ok(())
}

impl ItemWrite {
    /// A write of `action` to the item with `key` (for Put, the item's own key).
    pub fn new(
        table: Table,
        key: Item,
        action: Action,
        condition: Option<Condition>,
    ) -> Result<Self> {
        let schema = &table.def.key_schema;
        match &action {
            Action::Put(item) => check_put(&table, item)?,
            _ => check_key(schema, &key)?,
        }
        if let Action::Update(Some(update)) = &action {
            for name in update.top_level_attributes() {
                if schema.is_key_attribute(name) {
                    return Err(DynamoDbError::invalid(format!(
                        "Cannot update attribute {name}. This attribute is part of the key"
                    )));
                }
            }
        }
        let mut encoded_key = Vec::with_capacity(32);
        encode_key(schema, &key, &mut encoded_key);
        Ok(Self {
            table,
            key,
            encoded_key,
            action,
            condition,
        })
    }

    /// The item after this write, given the current one; `Ok(None)` deletes, and a
    /// ConditionCheck returns the current item unchanged.
    pub fn evaluate(&self, old: Option<&Item>) -> std::result::Result<Option<Item>, WriteFailure> {
        if let Some(condition) = &self.condition {
            let empty = Item::new();
            if !condition.evaluate(old.unwrap_or(&empty)) {
                return Err(WriteFailure::ConditionFailed);
            }
        }
        match &self.action {
            Action::Put(item) => Ok(Some(item.clone())),
            Action::Delete => Ok(None),
            Action::Check => Ok(old.cloned()),
            Action::Update(Some(update)) if old.is_none() && update.only_removes() => Ok(None),
            Action::Update(update) => {
                let mut item = old.cloned().unwrap_or_else(|| self.key.clone());
                if let Some(update) = update {
                    update.apply(&mut item).map_err(DynamoDbError::from)?;
                }
                if item_size(&item) > MAX_ITEM_SIZE {
                    return Err(DynamoDbError::validation(MSG_UPDATE_TOO_LARGE).into());
                }
                check_index_keys(&self.table.def.indexes, &item)?;
                Ok(Some(item))
            }
        }
    }

    pub fn is_check(&self) -> bool {
        matches!(self.action, Action::Check)
    }
}

/// The result of a single-item write.
#[derive(Debug, Default)]
pub struct WriteOutput {
    pub attributes: Option<Item>,
    pub capacity: ConsumedCapacity,
}

/// The result of GetItem.
#[derive(Debug, Default)]
pub struct GetOutput {
    pub item: Option<Item>,
    pub capacity: ConsumedCapacity,
}

/// The attributes a write returns for `ReturnValues`.
pub fn returned_attributes(
    return_values: ReturnValues,
    action: &Action,
    old: Option<&Item>,
    new: Option<&Item>,
) -> Option<Item> {
    let updated = || match action {
        Action::Update(Some(update)) => update.updated_paths(),
        _ => Vec::new(),
    };
    let out = match return_values {
        ReturnValues::None => return None,
        ReturnValues::AllOld => old?.clone(),
        ReturnValues::AllNew => new?.clone(),
        ReturnValues::UpdatedOld => project(old?, &updated()),
        ReturnValues::UpdatedNew => project(new?, &updated()),
    };
    (!out.is_empty()).then_some(out)
}

impl DynamoDb {
    /// Runs one checked item write; the shared body of PutItem, UpdateItem, DeleteItem.
    pub async fn write_item(
        &self,
        write: ItemWrite,
        return_values: ReturnValues,
        return_old_on_condition_failure: bool,
    ) -> Result<WriteOutput> {
        let catalog = self.catalog.clone();
        let clock = self.clock.clone();
        let table_name = write.table.def.name.clone();
        let (attributes, cost) = self
            .store
            .write(move |txn| {
                let table = &write.table;
                if table
                    .state
                    .deleted
                    .load(std::sync::atomic::Ordering::Acquire)
                {
                    return Err(DynamoDbError::table_not_found());
                }
                let old = write_path::read_current(txn, table, &write.encoded_key)?;
                let old_item = old.as_ref().and_then(|v| v.item.as_ref());
                let new = match write.evaluate(old_item) {
                    Ok(new) => new,
                    Err(WriteFailure::ConditionFailed) => {
                        return Err(DynamoDbError::ConditionalCheckFailed {
                            item: old_item
                                .filter(|_| return_old_on_condition_failure)
                                .cloned(),
                        });
                    }
                    Err(WriteFailure::Invalid(e)) => return Err(e),
                };
                let attributes =
                    returned_attributes(return_values, &write.action, old_item, new.as_ref());
                let stamp = catalog.next_stamp(txn, clock.now().as_microsecond());
                let cost = write_path::apply(
                    txn,
                    table,
                    &write.encoded_key,
                    old.as_ref(),
                    new.as_ref(),
                    stamp,
                )?;
                Ok((attributes, cost))
            })
            .await?;
        Ok(WriteOutput {
            attributes,
            capacity: capacity::for_writes(&table_name, &[cost], false),
        })
    }

    /// GetItem: the newest version of one item, projected.
    pub fn get_item(
        &self,
        table: &Table,
        key: &Item,
        projection: Option<&Projection>,
        consistent_read: bool,
    ) -> Result<GetOutput> {
        check_key(&table.def.key_schema, key)?;
        let mut encoded = Vec::with_capacity(32);
        encode_key(&table.def.key_schema, key, &mut encoded);
        let item = match self
            .store
            .get(layout::ITEMS, &layout::item_key(table.def.id, &encoded))?
        {
            Some(bytes) => Some(Version::decode_item(&bytes)?),
            None => None,
        };
        let size = item.as_ref().map_or(0, item_size);
        Ok(GetOutput {
            item: match (item, projection) {
                (Some(item), Some(p)) => Some(p.apply(&item)),
                (item, _) => item,
            },
            capacity: capacity::for_read(&table.def.name, None, size, consistent_read),
        })
    }

    /// Looks a table up in the caller's scope.
    pub fn table(&self, scope: Scope<'_>, name: &str) -> Result<Table> {
        self.catalog.require(scope.account, scope.region, name)
    }

    /// The table `name` if it is still the one with storage id `id`: not deleted, nor
    /// recreated under the same name since a job recorded it.
    pub fn table_with_id(&self, scope: Scope<'_>, name: &str, id: u64) -> Option<Table> {
        self.catalog
            .get(scope.account, scope.region, name)
            .filter(|t| t.def.id == id)
    }
}

/// Write costs of a group of item writes, by table (for batch and transaction capacity).
pub fn costs_by_table(
    costs: Vec<(String, WriteCost)>,
    transactional: bool,
) -> Vec<ConsumedCapacity> {
    let mut grouped: Vec<(String, Vec<WriteCost>)> = Vec::new();
    for (table, cost) in costs {
        match grouped.iter_mut().find(|(t, _)| *t == table) {
            Some((_, list)) => list.push(cost),
            None => grouped.push((table, vec![cost])),
        }
    }
    grouped
        .iter()
        .map(|(t, c)| capacity::for_writes(t, c, transactional))
        .collect()
}
