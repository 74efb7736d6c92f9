//! An export on disk: the directory holding `manifest-summary.json`, `manifest-files.json`
//! and `data/`, as AWS or strata wrote it (or as `strata query` downloaded it). Each data
//! file comes out as DynamoDB JSON lines: gzip'd DynamoDB JSON is streamed as it is, Ion is
//! turned into the same lines so both formats answer the same SQL.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use anyhow::Context;
use strata_dynamodb_item::item_to_json;
use strata_export_format::{ExportFormat, ExportListing};

/// An export directory and what its manifests say.
#[derive(Clone, Debug)]
pub struct ExportDir {
    pub listing: ExportListing,
    /// The data files, in manifest order.
    pub files: Vec<PathBuf>,
}

impl ExportDir {
    pub fn open(dir: &Path) -> anyhow::Result<Self> {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))
        };
        let listing = ExportListing::parse(
            &read("manifest-summary.json")?,
            &read("manifest-files.json")?,
        )
        .map_err(anyhow::Error::msg)?;
        let files = listing
            .files
            .iter()
            .map(|entry| dir.join("data").join(&entry.name))
            .collect();
        Ok(Self { listing, files })
    }

    /// The SQL table name: `items` for a full export, `changes` for an incremental one.
    pub fn table_name(&self) -> &'static str {
        if self.listing.incremental {
            "changes"
        } else {
            "items"
        }
    }
}

/// One data file's records as DynamoDB JSON lines.
pub fn json_lines(path: &Path, format: ExportFormat) -> anyhow::Result<Box<dyn BufRead + Send>> {
    let file = File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let gunzip = flate2::read::MultiGzDecoder::new(BufReader::with_capacity(1 << 16, file));
    match format {
        ExportFormat::DynamoDbJson => Ok(Box::new(BufReader::with_capacity(1 << 18, gunzip))),
        ExportFormat::Ion => {
            let mut text = String::new();
            BufReader::new(gunzip)
                .read_to_string(&mut text)
                .with_context(|| format!("{} is not gzip'd UTF-8", path.display()))?;
            let records = strata_export_format::import::ion_records(&text)
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            let mut lines = Vec::new();
            for record in records {
                let parts: serde_json::Map<_, _> = record
                    .iter()
                    .map(|(part, item)| (part.clone(), item_to_json(item)))
                    .collect();
                serde_json::to_writer(&mut lines, &parts)?;
                lines.push(b'\n');
            }
            Ok(Box::new(std::io::Cursor::new(lines)))
        }
    }
}
