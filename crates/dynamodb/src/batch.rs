//! BatchGetItem and BatchWriteItem. Each item in a batch stands alone (no atomicity
//! across items), but strata commits a BatchWriteItem's items in one store batch, so it
//! never needs to return `UnprocessedItems`; BatchGetItem reads are point reads.

use strata_dynamodb_item::{Item, item_size};
use strata_expression::Projection;

use crate::DynamoDb;
use crate::capacity::{self, ConsumedCapacity};
use crate::catalog::Table;
use crate::error::{DynamoDbError, Result};
use crate::items::{Action, ItemWrite, costs_by_table};
use crate::write_path;

/// The keys BatchGetItem reads from one table.
#[derive(Debug)]
pub struct BatchGet {
    pub table: Table,
    pub keys: Vec<Item>,
    pub projection: Option<Projection>,
    pub consistent_read: bool,
}

/// Items found per table (table name, items), and capacity per table.
#[derive(Debug, Default)]
pub struct BatchGetOutput {
    pub responses: Vec<(String, Vec<Item>)>,
    /// Keys not read because the response reached [`MAX_BATCH_GET_BYTES`], per request
    /// (same order as the requests).
    pub unprocessed: Vec<Vec<Item>>,
    pub capacity: Vec<ConsumedCapacity>,
}

/// BatchGetItem returns at most this much item data; the rest is `UnprocessedKeys`.
pub const MAX_BATCH_GET_BYTES: usize = 16 * 1024 * 1024;

pub const MSG_DUPLICATE_KEYS: &str = "Provided list of item keys contains duplicates";

impl DynamoDb {
    pub fn batch_get_item(&self, requests: Vec<BatchGet>) -> Result<BatchGetOutput> {
        for request in &requests {
            for (i, key) in request.keys.iter().enumerate() {
                if request.keys[..i].contains(key) {
                    return Err(DynamoDbError::validation(MSG_DUPLICATE_KEYS));
                }
            }
        }
        let mut out = BatchGetOutput::default();
        let mut response_bytes = 0usize;
        for request in requests {
            let mut found = Vec::new();
            let mut unprocessed = Vec::new();
            // Each key is read as a GetItem is and rounded up on its own, a missing item
            // included (Developer Guide, "Read consumption": a 1.5 KB and a 6.5 KB item are
            // 12 KB; alternator's AWS-run test_multi_table_batch_get_items). Unprocessed keys
            // cost nothing.
            let mut units = 0.0;
            for key in &request.keys {
                if response_bytes >= MAX_BATCH_GET_BYTES {
                    unprocessed.push(key.clone());
                    continue;
                }
                let got = self.get_item(&request.table, key, None, request.consistent_read)?;
                let bytes = got.item.as_ref().map_or(0, item_size);
                units += capacity::read_units(bytes, request.consistent_read);
                if let Some(item) = got.item {
                    response_bytes += bytes;
                    found.push(match &request.projection {
                        Some(p) => p.apply(&item),
                        None => item,
                    });
                }
            }
            let name = request.table.def.name.clone();
            out.capacity.push(ConsumedCapacity {
                table_name: name.clone(),
                read_units: units,
                table_units: units,
                ..Default::default()
            });
            out.responses.push((name, found));
            out.unprocessed.push(unprocessed);
        }
        Ok(out)
    }

    /// BatchWriteItem: puts and deletes (no conditions), committed together.
    pub async fn batch_write_item(&self, writes: Vec<ItemWrite>) -> Result<Vec<ConsumedCapacity>> {
        for (i, w) in writes.iter().enumerate() {
            if writes[..i]
                .iter()
                .any(|o| o.table.def.id == w.table.def.id && o.encoded_key == w.encoded_key)
            {
                return Err(DynamoDbError::validation(MSG_DUPLICATE_KEYS));
            }
        }
        let catalog = self.catalog.clone();
        let clock = self.clock.clone();
        let costs = self
            .store
            .write(move |txn| {
                for w in &writes {
                    if w.table
                        .state
                        .deleted
                        .load(std::sync::atomic::Ordering::Acquire)
                    {
                        return Err(DynamoDbError::table_not_found());
                    }
                }
                let stamp = catalog.next_stamp(txn, clock.now().as_microsecond());
                let mut costs = Vec::with_capacity(writes.len());
                for w in &writes {
                    let old = write_path::read_current(txn, &w.table, &w.encoded_key)?;
                    let new = match &w.action {
                        Action::Put(item) => Some(item.clone()),
                        _ => None,
                    };
                    let cost = write_path::apply(
                        txn,
                        &w.table,
                        &w.encoded_key,
                        old.as_ref(),
                        new.as_ref(),
                        stamp,
                    )?;
                    costs.push((w.table.def.name.clone(), cost));
                }
                Ok(costs)
            })
            .await?;
        Ok(costs_by_table(costs, false))
    }
}
