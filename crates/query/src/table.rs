//! The export as a DataFusion table: one partition per worker, each decoding its share of
//! the record files (arrow-json against the full schema) on a blocking thread.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::sync::Arc;

use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::json::ReaderBuilder;
use datafusion::catalog::streaming::StreamingTable;
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::physical_plan::stream::RecordBatchReceiverStream;
use datafusion::physical_plan::streaming::PartitionStream;

/// A table over `files` (DynamoDB JSON lines, uncompressed) with `schema`, read by
/// `workers` partitions.
pub fn lines_table(files: &[PathBuf], schema: SchemaRef, workers: usize) -> Result<StreamingTable> {
    let workers = workers.clamp(1, files.len().max(1));
    let partitions = (0..workers)
        .map(|worker| {
            Arc::new(FilesPartition {
                schema: schema.clone(),
                files: files
                    .iter()
                    .skip(worker)
                    .step_by(workers)
                    .cloned()
                    .collect(),
            }) as Arc<dyn PartitionStream>
        })
        .collect();
    StreamingTable::try_new(schema, partitions)
}

#[derive(Debug)]
struct FilesPartition {
    schema: SchemaRef,
    files: Vec<PathBuf>,
}

impl PartitionStream for FilesPartition {
    fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    fn execute(&self, ctx: Arc<TaskContext>) -> SendableRecordBatchStream {
        let mut builder = RecordBatchReceiverStream::builder(self.schema.clone(), 2);
        let tx = builder.tx();
        let schema = self.schema.clone();
        let paths = self.files.clone();
        let batch_size = ctx.session_config().batch_size();
        builder.spawn_blocking(move || {
            for path in paths {
                let mut reader = BufReader::with_capacity(1 << 18, File::open(&path)?);
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
