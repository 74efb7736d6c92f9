//! Time to Live: a background sweep deletes items whose TTL attribute (a Number of epoch
//! seconds) is in the past on the server clock. Deletions go through the ordinary write
//! path (re-checking expiry inside the write closure), so they are versioned, recorded in
//! PITR history and keep indexes in step, like AWS's TTL deletes.

use strata_dynamodb_item::{AttributeValue, Item};
use strata_number::Number;

use crate::DynamoDb;
use crate::catalog::Table;
use crate::error::Result;
use crate::layout;
use crate::version::Version;
use crate::write_path;

/// Deletes per write batch of the sweep.
const SWEEP_BATCH: usize = 256;

/// Whether `item` has expired at `now_seconds` under TTL attribute `attribute`. Items
/// whose attribute is not a Number, or is more than five years in the past, are not
/// expired — AWS ignores such values.
pub fn is_expired(item: &Item, attribute: &str, now_seconds: i64) -> bool {
    let Some(AttributeValue::N(n)) = item.get(attribute) else {
        return false;
    };
    let Ok(now) = Number::parse(&now_seconds.to_string()) else {
        return false;
    };
    let five_years =
        Number::parse(&(now_seconds - 5 * 366 * 24 * 3600).to_string()).unwrap_or(Number::ZERO);
    *n < now && *n > five_years
}

impl DynamoDb {
    /// One pass over every table with TTL enabled; returns how many items were deleted.
    pub async fn sweep_expired(&self) -> Result<usize> {
        let mut deleted = 0;
        for table in self.catalog.all() {
            let Some(ttl) = table.def.ttl.clone().filter(|t| t.enabled) else {
                continue;
            };
            let now = self.clock.now().as_second();
            let mut expired = Vec::new();
            for row in self
                .store
                .prefix(layout::ITEMS, &layout::table_prefix(table.def.id))?
            {
                let (key, value) = row?;
                let item = Version::decode_item(&value)?;
                if is_expired(&item, &ttl.attribute_name, now) {
                    expired.push(key[8..].to_vec());
                }
                if expired.len() == SWEEP_BATCH {
                    deleted += self
                        .delete_expired(&table, std::mem::take(&mut expired), &ttl.attribute_name)
                        .await?;
                }
            }
            if !expired.is_empty() {
                deleted += self
                    .delete_expired(&table, expired, &ttl.attribute_name)
                    .await?;
            }
        }
        Ok(deleted)
    }

    async fn delete_expired(
        &self,
        table: &Table,
        keys: Vec<Vec<u8>>,
        attribute: &str,
    ) -> Result<usize> {
        let table = table.clone();
        let attribute = attribute.to_owned();
        let catalog = self.catalog.clone();
        let clock = self.clock.clone();
        self.store
            .write(move |txn| {
                if table
                    .state
                    .deleted
                    .load(std::sync::atomic::Ordering::Acquire)
                {
                    return Ok(0);
                }
                let now = clock.now();
                let mut count = 0;
                let mut stamp = None;
                for key in keys {
                    let Some(old) = write_path::read_current(txn, &table, &key)? else {
                        continue;
                    };
                    if !old
                        .item
                        .as_ref()
                        .is_some_and(|i| is_expired(i, &attribute, now.as_second()))
                    {
                        continue;
                    }
                    let s =
                        *stamp.get_or_insert_with(|| catalog.next_stamp(txn, now.as_microsecond()));
                    write_path::apply_expiry(txn, &table, &key, &old, s)?;
                    count += 1;
                }
                Ok(count)
            })
            .await
    }
}
