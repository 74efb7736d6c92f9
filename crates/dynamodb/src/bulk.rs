//! Bulk load: how ImportTable writes. Items go into the store thousands per atomic batch
//! (one group commit, one fsync), without what a request needs and a load does not:
//! conditions, return values, consumed capacity, the per-request duplicate-key check.
//! Each item still changes through [`write_path::apply`], so indexes, counters and PITR
//! history stay exactly as a PutItem would leave them; a key loaded twice keeps the later
//! item (the closure reads its own pending writes).

use strata_dynamodb_item::Item;

use crate::DynamoDb;
use crate::catalog::Table;
use crate::error::{DynamoDbError, Result};
use crate::items::check_put;
use crate::key::encode_key;
use crate::write_path;

/// A validated item ready to load.
#[derive(Debug)]
pub struct LoadItem {
    encoded_key: Vec<u8>,
    item: Item,
}

impl LoadItem {
    /// Checks `item` as PutItem would (key, index keys, size) and encodes its key.
    pub fn new(table: &Table, item: Item) -> Result<Self> {
        check_put(table, &item)?;
        let mut encoded_key = Vec::with_capacity(32);
        encode_key(&table.def.key_schema, &item, &mut encoded_key);
        Ok(Self { encoded_key, item })
    }

    /// Bytes this item adds to a load batch, to size batches.
    pub fn size(&self) -> usize {
        strata_dynamodb_item::item_size(&self.item)
    }
}

impl DynamoDb {
    /// Writes `items` into `table` as one atomic batch, in order.
    pub async fn bulk_load(&self, table: &Table, items: Vec<LoadItem>) -> Result<()> {
        if items.is_empty() {
            return Ok(());
        }
        let table = table.clone();
        let catalog = self.catalog.clone();
        let clock = self.clock.clone();
        self.store
            .write(move |txn| {
                if table
                    .state
                    .deleted
                    .load(std::sync::atomic::Ordering::Acquire)
                {
                    return Err(DynamoDbError::table_not_found());
                }
                let stamp = catalog.next_stamp(txn, clock.now().as_microsecond());
                for load in &items {
                    let old = write_path::read_current(txn, &table, &load.encoded_key)?;
                    write_path::apply(
                        txn,
                        &table,
                        &load.encoded_key,
                        old.as_ref(),
                        Some(&load.item),
                        stamp,
                    )?;
                }
                Ok(())
            })
            .await
    }
}
