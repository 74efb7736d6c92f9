//! DynamoDB's export file formats, exactly as AWS writes them (spec
//! dynamodb-export-import §4–5): one line per item (DynamoDB JSON or Ion text), the
//! incremental change records, `manifest-files.json` lines, `manifest-summary.json`, the
//! `.md5` companions, the data file names and the key layout under the prefix.
//!
//! Pure: strings and bytes in, strings and bytes out. The export job in the server
//! compresses, uploads and records; readers (import, `strata query`) parse with the same
//! crate's knowledge of the layout.

pub mod import;
pub mod ion;
pub mod layout;
pub mod lines;
pub mod manifest;

pub use layout::{ExportKeys, data_file_name};
pub use lines::{Change, ExportFormat, ViewType};
pub use manifest::{DataFileEntry, ExportListing, ManifestFile, ManifestSummary, md5_base64};
