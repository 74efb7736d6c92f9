//! RestoreTableToPointInTime's engine side: a new table from a source table's definition
//! (with the caller's overrides) holding exactly the source's items as of a time, written
//! through the normal write path so its indexes and counters are built as for any write.
//!
//! Invariant: the target is marked [`Creating::Restore`] from the write that creates it (which
//! also records the restore's job) until the write that follows the last copied item. The
//! job resumes after a crash; a restore that fails leaves no table behind, never a partial one.

use strata_dynamodb_item::Item;

use crate::items::{Action, ItemWrite};
use crate::schema::{Creating, KeyLayout, KeySchema};
use crate::tables::{CreateTable, NewIndex, RecordJob, Scope};
use crate::{DynamoDb, DynamoDbError, Result, Table};

/// Items written per batch while restoring.
const BATCH: usize = 256;

/// A restore is a new table: its keys are laid out as every new table's, whatever its
/// source's (its items are written afresh).
fn hashed(schema: &KeySchema) -> KeySchema {
    KeySchema {
        layout: KeyLayout::Hashed,
        ..schema.clone()
    }
}

impl DynamoDb {
    /// The CreateTable input that copies `source`'s schema, indexes, billing and encryption
    /// (not its tags, TTL, streams, PITR, deletion protection or policies, as on AWS).
    pub fn restore_definition(source: &Table, target_name: &str) -> CreateTable {
        let def = &source.def;
        CreateTable {
            name: target_name.to_owned(),
            key_schema: hashed(&def.key_schema),
            attribute_definitions: def.attribute_definitions.clone(),
            indexes: def
                .indexes
                .iter()
                .map(|i| NewIndex {
                    name: i.name.clone(),
                    kind: i.kind,
                    key_schema: hashed(&i.key_schema),
                    projection: i.projection.clone(),
                    provisioned_throughput: i.provisioned_throughput,
                })
                .collect(),
            billing_mode: def.billing_mode,
            provisioned_throughput: def.provisioned_throughput,
            sse: def.sse.clone(),
            stream: None,
            table_class: None,
            tags: Vec::new(),
            deletion_protection: false,
            table_id: None,
        }
    }

    /// Creates the restore's target, marked [`Creating::Restore`], and records the job that
    /// fills it (`record_job`) in the same write.
    pub async fn create_restore_target(
        &self,
        scope: Scope<'_>,
        source: &Table,
        target: CreateTable,
        as_of_micros: u64,
        record_job: RecordJob,
    ) -> Result<Table> {
        let creating = Creating::Restore {
            source_table_arn: source.def.arn(),
            restore_micros: i64::try_from(as_of_micros).unwrap_or(i64::MAX),
        };
        self.create_with_job(scope, target, Some(creating), Some(record_job))
            .await
    }

    /// The restore job: copies `source`'s items as of `as_of_micros` into `target` and turns
    /// it ACTIVE; returns how many items it copied. Run again after a crash it copies them
    /// again (the same items, so the same table). A restore that cannot complete removes its
    /// target ([`DynamoDb::abandon_restore`]).
    pub async fn fill_restore_target(
        &self,
        source: &Table,
        as_of_micros: u64,
        target: &Table,
    ) -> Result<u64> {
        let copied = self.copy_as_of(source, as_of_micros, target).await?;
        self.finish_creating(target).await?;
        Ok(copied)
    }

    /// Removes the target of a restore that cannot complete: never a partial table.
    pub async fn abandon_restore(&self, target: &Table) -> Result<()> {
        match self.remove_table(target).await {
            Err(DynamoDbError::ResourceNotFound(_)) | Ok(()) => Ok(()),
            Err(err) => Err(err),
        }
    }

    async fn copy_as_of(&self, source: &Table, as_of_micros: u64, target: &Table) -> Result<u64> {
        let (items, mut received) = tokio::sync::mpsc::channel::<Item>(BATCH * 4);
        let engine = self.clone();
        let source = source.clone();
        let scan = tokio::task::spawn_blocking(move || {
            engine.scan_as_of(&source, as_of_micros, |item| {
                items
                    .blocking_send(item)
                    .map_err(|_| DynamoDbError::Corrupt("the restore stopped".into()))
            })
        });
        let mut batch = Vec::with_capacity(BATCH);
        let mut copied = 0;
        while let Some(item) = received.recv().await {
            let key = target.def.key_schema.key_of(&item);
            batch.push(ItemWrite::new(
                target.clone(),
                key,
                Action::Put(item),
                None,
            )?);
            if batch.len() == BATCH {
                copied += batch.len() as u64;
                self.batch_write_item(std::mem::take(&mut batch)).await?;
            }
        }
        if !batch.is_empty() {
            copied += batch.len() as u64;
            self.batch_write_item(batch).await?;
        }
        scan.await
            .map_err(|e| DynamoDbError::Corrupt(e.to_string()))??;
        Ok(copied)
    }
}
