//! SQL over a DynamoDB export, as Athena runs it, on a laptop: the engine behind
//! `strata query` (the `strata-query` companion binary).
//!
//! - [`export_dir`] reads an export directory (manifests, data files; Ion turned into
//!   DynamoDB JSON lines);
//! - [`schema`] finds the full schema by reading every record, so an attribute first seen
//!   in the millionth item is still a column;
//! - [`table`] serves the files to DataFusion as a table (`items`, or `changes` for an
//!   incremental export) with Athena's paths: `Item.pk.S`, `Item.doc.M.tags.L`,
//!   `NewImage.total.N`;
//! - [`output`] prints the result as a table, CSV or JSON lines.
//!
//! DataFusion is heavy to build, so this crate is not a default workspace member: `cargo
//! run --release -- serve` never compiles it.

pub mod export_dir;
pub mod output;
pub mod schema;
pub mod table;

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::prelude::{SessionConfig, SessionContext};

use export_dir::{ExportDir, json_lines};
use schema::RecordShape;

/// The worker count: the machine's cores.
fn workers() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Reads every record of `export` once for its schema, the files shared among `workers`.
pub fn scan_schema(export: &ExportDir, workers: usize) -> anyhow::Result<RecordShape> {
    let shapes = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers.max(1))
            .map(|worker| {
                scope.spawn(move || -> anyhow::Result<RecordShape> {
                    let mut shape = RecordShape::default();
                    for path in export.files.iter().skip(worker).step_by(workers.max(1)) {
                        let mut reader = json_lines(path, export.listing.format)?;
                        let mut chunk = Vec::with_capacity(1 << 20);
                        // Whole lines at a time, a few MB per chunk.
                        loop {
                            chunk.clear();
                            while chunk.len() < (4 << 20) {
                                if std::io::BufRead::read_until(&mut reader, b'\n', &mut chunk)
                                    .with_context(|| format!("{} is not gzip'd", path.display()))?
                                    == 0
                                {
                                    break;
                                }
                            }
                            if chunk.is_empty() {
                                break;
                            }
                            shape
                                .scan(&chunk)
                                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
                        }
                    }
                    Ok(shape)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("schema workers do not panic"))
            .collect::<anyhow::Result<Vec<_>>>()
    })?;
    let mut shape = RecordShape::default();
    for part in shapes {
        shape.merge(part);
    }
    Ok(shape)
}

/// Runs `sql` over the export in `dir`.
pub async fn query(dir: &Path, sql: &str) -> anyhow::Result<Vec<RecordBatch>> {
    let export = ExportDir::open(dir)?;
    let workers = workers();
    let schema = Arc::new(scan_schema(&export, workers)?.schema());
    let config = SessionConfig::new()
        .with_target_partitions(workers)
        // `Item.pk.S` as written: attribute names are case-sensitive.
        .set_bool("datafusion.sql_parser.enable_ident_normalization", false);
    let ctx = SessionContext::new_with_config(config);
    ctx.register_table(
        export.table_name(),
        Arc::new(table::export_table(&export, schema, workers)?),
    )?;
    let frame = ctx.sql(sql).await?;
    let batches = frame.collect().await?;
    batches
        .into_iter()
        .map(|batch| {
            let schema = batch.schema();
            let fields: Vec<_> = schema
                .fields()
                .iter()
                .map(|f| {
                    f.as_ref()
                        .clone()
                        .with_name(display_name(f.name(), export.table_name()))
                })
                .collect();
            let schema = Arc::new(datafusion::arrow::datatypes::Schema::new(fields));
            Ok(RecordBatch::try_new(schema, batch.columns().to_vec())?)
        })
        .collect()
}

/// A column named after its expression reads as the path the user wrote:
/// `items.Item[pk][S]` → `Item.pk.S`.
fn display_name(name: &str, table: &str) -> String {
    name.replace(&format!("{table}."), "")
        .replace("][", ".")
        .replace('[', ".")
        .replace(']', "")
}
