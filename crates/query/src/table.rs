//! The export as a DataFusion table: one partition per worker, each decoding its share of
//! the data files (gunzip, then arrow-json against the full schema) on a blocking thread.

use std::io::BufRead;
use std::sync::Arc;

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::json::ReaderBuilder;
use datafusion::catalog::streaming::StreamingTable;
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::physical_plan::stream::RecordBatchReceiverStream;
use datafusion::physical_plan::streaming::PartitionStream;

use crate::export_dir::{ExportDir, json_lines};

/// A table over `export` with `schema`, read by `workers` partitions.
pub fn export_table(
    export: &ExportDir,
    schema: SchemaRef,
    workers: usize,
) -> Result<StreamingTable> {
    let workers = workers.clamp(1, export.files.len().max(1));
    let partitions = (0..workers)
        .map(|worker| {
            Arc::new(FilesPartition {
                schema: schema.clone(),
                export: export.clone(),
                files: (worker..export.files.len()).step_by(workers).collect(),
            }) as Arc<dyn PartitionStream>
        })
        .collect();
    StreamingTable::try_new(schema, partitions)
}

#[derive(Debug)]
struct FilesPartition {
    schema: SchemaRef,
    export: ExportDir,
    /// Indexes into `export.files`.
    files: Vec<usize>,
}

impl PartitionStream for FilesPartition {
    fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    fn execute(&self, ctx: Arc<TaskContext>) -> SendableRecordBatchStream {
        let mut builder = RecordBatchReceiverStream::builder(self.schema.clone(), 2);
        let tx = builder.tx();
        let schema = self.schema.clone();
        let format = self.export.listing.format;
        let paths: Vec<_> = self
            .files
            .iter()
            .map(|i| self.export.files[*i].clone())
            .collect();
        let batch_size = ctx.session_config().batch_size();
        builder.spawn_blocking(move || {
            for path in paths {
                let mut reader =
                    json_lines(&path, format).map_err(|e| DataFusionError::External(e.into()))?;
                let mut decoder = ReaderBuilder::new(schema.clone())
                    .with_batch_size(batch_size)
                    .build_decoder()?;
                loop {
                    let buffer = reader.fill_buf()?;
                    if buffer.is_empty() {
                        break;
                    }
                    let available = buffer.len();
                    let decoded = decoder.decode(buffer).map_err(|e| {
                        DataFusionError::Execution(format!("{}: {e}", path.display()))
                    })?;
                    reader.consume(decoded);
                    // A full batch stops the decoder short of the buffer's end.
                    if decoded < available
                        && let Some(batch) = decoder.flush()?
                        && tx.blocking_send(Ok(batch)).is_err()
                    {
                        return Ok(()); // the query stopped reading
                    }
                }
                if let Some(batch) = decoder.flush()?
                    && tx.blocking_send(Ok(batch)).is_err()
                {
                    return Ok(());
                }
            }
            Ok(())
        });
        builder.build()
    }
}
