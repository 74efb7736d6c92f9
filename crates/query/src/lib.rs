//! SQL over a DynamoDB export, as Athena runs it, on a laptop: the engine behind
//! `strata query` (the `strata-query` companion binary).
//!
//! - [`export_dir`] reads an export directory (manifests, data files; Ion turned into
//!   DynamoDB JSON lines);
//! - [`schema`] finds the full schema by reading every record, so an attribute first seen
//!   in the millionth item is still a column;
//! - [`table`] serves the records (decompressed once, by [`prepare`]) to DataFusion as a table (`items`, or `changes` for an
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

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::prelude::{SessionConfig, SessionContext};

use export_dir::{ExportDir, json_lines};
use schema::RecordShape;

/// The worker count: the machine's cores.
fn workers() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
}

/// The export read once: its schema, and its records as plain DynamoDB JSON lines in a
/// temporary directory (gunzip costs more than the scan itself, so the table reads these
/// instead of decompressing again).
pub struct Prepared {
    pub shape: RecordShape,
    pub files: Vec<PathBuf>,
    _dir: tempfile::TempDir,
}

/// Reads every record of `export` once, the files shared among `workers`.
pub fn prepare(export: &ExportDir, workers: usize) -> anyhow::Result<Prepared> {
    let workers = workers.max(1);
    let dir = tempfile::Builder::new().prefix("strata-query-").tempdir()?;
    let files: Vec<PathBuf> = (0..export.files.len())
        .map(|i| dir.path().join(format!("{i}.json")))
        .collect();
    let shapes = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|worker| {
                let files = &files;
                scope.spawn(move || -> anyhow::Result<RecordShape> {
                    let mut shape = RecordShape::default();
                    for i in (worker..export.files.len()).step_by(workers) {
                        let path = &export.files[i];
                        let mut reader = json_lines(path, export.listing.format)?;
                        let mut plain = std::io::BufWriter::with_capacity(
                            1 << 20,
                            std::fs::File::create(&files[i])?,
                        );
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
                            plain.write_all(&chunk)?;
                        }
                        plain.flush()?;
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
    Ok(Prepared {
        shape,
        files,
        _dir: dir,
    })
}

/// Runs `sql` over the export in `dir`.
pub async fn query(dir: &Path, sql: &str) -> anyhow::Result<Vec<RecordBatch>> {
    let export = ExportDir::open(dir)?;
    let workers = workers();
    let prepared = prepare(&export, workers)?;
    let schema = Arc::new(prepared.shape.schema());
    let config = SessionConfig::new()
        .with_target_partitions(workers)
        // `Item.pk.S` as written: attribute names are case-sensitive.
        .set_bool("datafusion.sql_parser.enable_ident_normalization", false);
    let ctx = SessionContext::new_with_config(config);
    ctx.register_table(
        export.table_name(),
        Arc::new(table::lines_table(&prepared.files, schema, workers)?),
    )?;
    let frame = ctx.sql(sql).await?;
    let schema = frame.schema().inner().clone();
    let mut batches = frame.collect().await?;
    if batches.is_empty() {
        // An empty answer still has its columns.
        batches.push(RecordBatch::new_empty(schema.clone()));
    }
    let names: Vec<String> = schema
        .fields()
        .iter()
        .map(|f| display_name(f.name(), export.table_name()))
        .collect();
    let distinct: std::collections::HashSet<&String> = names.iter().collect();
    if distinct.len() < names.len() {
        return Ok(batches); // two paths would read alike: keep DataFusion's names
    }
    let fields: Vec<_> = schema
        .fields()
        .iter()
        .zip(&names)
        .map(|(f, name)| f.as_ref().clone().with_name(name))
        .collect();
    let renamed = Arc::new(datafusion::arrow::datatypes::Schema::new(fields));
    batches
        .into_iter()
        .map(|batch| {
            Ok(RecordBatch::try_new(
                renamed.clone(),
                batch.columns().to_vec(),
            )?)
        })
        .collect()
}

/// A column reads as the user wrote it: each path in its name (`items.Item[pk][S]`, as
/// DataFusion names it) becomes `Item.pk.S`, a list index `[Int64(1)]` becomes `[1]`;
/// everything else (functions, literals) is left alone.
fn display_name(name: &str, table: &str) -> String {
    let prefix = format!("{table}.");
    let mut out = String::with_capacity(name.len());
    let mut rest = name;
    while !rest.is_empty() {
        let at_boundary = out
            .chars()
            .last()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_' || c == '"'));
        if at_boundary
            && let Some(after) = rest.strip_prefix(&prefix)
            && let Some((path, tail)) = path(after)
        {
            out.push_str(&path);
            rest = tail;
            continue;
        }
        let c = rest.chars().next().expect("not empty");
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// `Item[pk][S]…` at the start of `text`: the readable path and what follows it.
fn path(text: &str) -> Option<(String, &str)> {
    let head_end = text.find(|c: char| !(c.is_alphanumeric() || c == '_'))?;
    let (head, mut rest) = text.split_at(head_end);
    if head.is_empty() || !rest.starts_with('[') {
        return None;
    }
    let mut out = head.to_owned();
    while let Some(inner) = rest.strip_prefix('[') {
        let (segment, tail) = inner.split_once(']')?;
        match segment
            .strip_prefix("Int64(")
            .and_then(|n| n.strip_suffix(')'))
        {
            Some(index) => out.push_str(&format!("[{index}]")),
            None => {
                out.push('.');
                out.push_str(segment);
            }
        }
        rest = tail;
    }
    Some((out, rest))
}

#[cfg(test)]
mod tests {
    use super::display_name;

    #[test]
    fn paths_read_as_written() {
        let name = |n| display_name(n, "items");
        assert_eq!(name("items.Item[pk][S]"), "Item.pk.S");
        assert_eq!(name("items.Item[tags][L][Int64(1)][M]"), "Item.tags.L[1].M");
        assert_eq!(
            display_name("changes.NewImage[a][N]", "changes"),
            "NewImage.a.N"
        );
        assert_eq!(name("upper(items.Item[pk][S])"), "upper(Item.pk.S)");
        assert_eq!(
            name("items.Item[pk][S] || Utf8(\"[x]\")"),
            "Item.pk.S || Utf8(\"[x]\")"
        );
        assert_eq!(name("items.Item[items.count][N]"), "Item.items.count.N");
        assert_eq!(name("count(*)"), "count(*)");
        assert_eq!(name("myitems.Item[a]"), "myitems.Item[a]");
    }
}
