//! Printing a result: an aligned table (the default), CSV with a header, or JSON lines.

use std::io::Write;

use datafusion::arrow::record_batch::RecordBatch;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Output {
    Table,
    Csv,
    Json,
}

pub fn write(batches: &[RecordBatch], output: Output, out: &mut dyn Write) -> anyhow::Result<()> {
    use datafusion::arrow::{csv, json, util::pretty};
    match output {
        Output::Table => writeln!(out, "{}", pretty::pretty_format_batches(batches)?)?,
        Output::Csv => {
            if let Some(nested) = batches.first().and_then(|b| {
                b.schema()
                    .fields()
                    .iter()
                    .find(|f| f.data_type().is_nested())
                    .map(|f| f.name().clone())
            }) {
                anyhow::bail!(
                    "column {nested} is nested and CSV holds flat columns only: select scalar paths such as Item.pk.S, or use --output json"
                );
            }
            let mut writer = csv::WriterBuilder::new().with_header(true).build(out);
            for batch in batches {
                writer.write(batch)?;
            }
        }
        Output::Json => {
            let mut writer = json::LineDelimitedWriter::new(out);
            for batch in batches {
                writer.write(batch)?;
            }
            writer.finish()?;
        }
    }
    Ok(())
}
