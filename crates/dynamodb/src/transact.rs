//! TransactWriteItems and TransactGetItems. A write transaction is one store write
//! closure: every condition is checked against the current items first, and only if all
//! pass are the writes applied, under one commit stamp. Reasons for a cancellation are
//! reported per item in request order, as DynamoDB does. `ClientRequestToken` makes a
//! write transaction idempotent for ten minutes.

use strata_dynamodb_item::{Item, item_size};
use strata_expression::Projection;

use crate::DynamoDb;
use crate::capacity::{self, ConsumedCapacity};
use crate::catalog::Table;
use crate::error::{CancellationReason, DynamoDbError, Result};
use crate::items::{ItemWrite, WriteFailure, costs_by_table};
use crate::layout;
use crate::write_path;

/// Items per transaction.
pub const MAX_TRANSACTION_ITEMS: usize = 100;
/// How long a ClientRequestToken is remembered.
const TOKEN_TTL_MICROS: i64 = 10 * 60 * 1_000_000;

/// One write of a transaction with its `ReturnValuesOnConditionCheckFailure`.
#[derive(Debug)]
pub struct TransactWrite {
    pub write: ItemWrite,
    pub return_old_on_condition_failure: bool,
}

/// A ClientRequestToken and a fingerprint of the request it came with.
#[derive(Debug, Clone)]
pub struct RequestToken {
    pub account: String,
    pub region: String,
    pub token: String,
    pub fingerprint: u64,
}

impl RequestToken {
    /// `request` is a canonical form of the transaction's items (same items, same bytes).
    pub fn new(account: &str, region: &str, token: String, request: &[u8]) -> Self {
        Self {
            account: account.to_owned(),
            region: region.to_owned(),
            token,
            fingerprint: crate::key::fnv1a(request),
        }
    }
}

/// One read of TransactGetItems.
#[derive(Debug)]
pub struct TransactGet {
    pub table: Table,
    pub key: Item,
    pub projection: Option<Projection>,
}

const MSG_SAME_ITEM: &str = "Transaction request cannot include multiple operations on one item";

impl DynamoDb {
    pub async fn transact_write_items(
        &self,
        writes: Vec<TransactWrite>,
        token: Option<RequestToken>,
    ) -> Result<Vec<ConsumedCapacity>> {
        for (i, w) in writes.iter().enumerate() {
            if writes[..i].iter().any(|o| {
                o.write.table.def.id == w.write.table.def.id
                    && o.write.encoded_key == w.write.encoded_key
            }) {
                return Err(DynamoDbError::validation(MSG_SAME_ITEM));
            }
        }
        let catalog = self.catalog.clone();
        let clock = self.clock.clone();
        let costs = self
            .store
            .write(move |txn| {
                let now = clock.now().as_microsecond();
                if let Some(token) = &token {
                    let key = layout::token_key(&token.account, &token.region, &token.token);
                    if let Some(seen) = txn.get(layout::TOKENS, &key)? {
                        let fingerprint = seen
                            .get(..8)
                            .map(|b| u64::from_be_bytes(b.try_into().expect("8 bytes")));
                        let at = seen
                            .get(8..16)
                            .map(|b| i64::from_be_bytes(b.try_into().expect("8 bytes")));
                        if at.is_some_and(|at| now - at < TOKEN_TTL_MICROS) {
                            if fingerprint != Some(token.fingerprint) {
                                return Err(DynamoDbError::IdempotentParameterMismatch(
                                    "Request token already used with different request parameters."
                                        .to_owned(),
                                ));
                            }
                            // Already applied: succeed again without writing.
                            return Ok(Vec::new());
                        }
                    }
                    let mut value = token.fingerprint.to_be_bytes().to_vec();
                    value.extend_from_slice(&now.to_be_bytes());
                    txn.put(layout::TOKENS, key, value);
                }
                let mut olds = Vec::with_capacity(writes.len());
                let mut news = Vec::with_capacity(writes.len());
                let mut reasons = Vec::with_capacity(writes.len());
                let mut cancelled = false;
                for w in &writes {
                    if w.write
                        .table
                        .state
                        .deleted
                        .load(std::sync::atomic::Ordering::Acquire)
                    {
                        return Err(DynamoDbError::table_not_found());
                    }
                    let old = write_path::read_current(txn, &w.write.table, &w.write.encoded_key)?;
                    let old_item = old.as_ref().and_then(|v| v.item.as_ref());
                    match w.write.evaluate(old_item) {
                        Ok(new) => {
                            reasons.push(CancellationReason {
                                code: "None",
                                message: None,
                                item: None,
                            });
                            news.push(new);
                        }
                        Err(WriteFailure::ConditionFailed) => {
                            cancelled = true;
                            reasons.push(CancellationReason {
                                code: "ConditionalCheckFailed",
                                message: Some("The conditional request failed".to_owned()),
                                item: old_item
                                    .filter(|_| w.return_old_on_condition_failure)
                                    .cloned(),
                            });
                            news.push(None);
                        }
                        Err(WriteFailure::Invalid(e)) => {
                            cancelled = true;
                            reasons.push(CancellationReason {
                                code: "ValidationError",
                                message: Some(e.to_string()),
                                item: None,
                            });
                            news.push(None);
                        }
                    }
                    olds.push(old);
                }
                if cancelled {
                    return Err(DynamoDbError::TransactionCanceled(reasons));
                }
                let stamp = catalog.next_stamp(txn, now);
                let mut costs = Vec::new();
                for ((w, old), new) in writes.iter().zip(&olds).zip(&news) {
                    if w.write.is_check() {
                        continue;
                    }
                    let cost = write_path::apply(
                        txn,
                        &w.write.table,
                        &w.write.encoded_key,
                        old.as_ref(),
                        new.as_ref(),
                        stamp,
                    )?;
                    costs.push((w.write.table.def.name.clone(), cost));
                }
                Ok(costs)
            })
            .await?;
        Ok(costs_by_table(costs, true))
    }

    /// TransactGetItems: every item from one consistent snapshot.
    pub fn transact_get_items(
        &self,
        gets: Vec<TransactGet>,
    ) -> Result<(Vec<Option<Item>>, Vec<ConsumedCapacity>)> {
        let snapshot = self.store.snapshot()?;
        let mut items = Vec::with_capacity(gets.len());
        let mut capacity: Vec<ConsumedCapacity> = Vec::new();
        for get in gets {
            crate::key::check_key(&get.table.def.key_schema, &get.key)?;
            let mut encoded = Vec::new();
            crate::key::encode_key(&get.table.def.key_schema, &get.key, &mut encoded);
            let item =
                match snapshot.get(layout::ITEMS, &layout::item_key(get.table.def.id, &encoded))? {
                    Some(bytes) => Some(crate::version::Version::decode_item(&bytes)?),
                    None => None,
                };
            let units = capacity::read_units(item.as_ref().map_or(0, item_size), true) * 2.0;
            match capacity
                .iter_mut()
                .find(|c| c.table_name == get.table.def.name)
            {
                Some(c) => {
                    c.read_units += units;
                    c.table_units += units;
                }
                None => capacity.push(ConsumedCapacity {
                    table_name: get.table.def.name.clone(),
                    read_units: units,
                    table_units: units,
                    ..Default::default()
                }),
            }
            items.push(item.map(|i| match &get.projection {
                Some(p) => p.apply(&i),
                None => i,
            }));
        }
        Ok((items, capacity))
    }
}
