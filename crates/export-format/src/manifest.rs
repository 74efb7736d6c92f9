//! `manifest-summary.json`, `manifest-files.json` lines and the `.md5` companions (spec
//! §4.3–4.5, §5.2). Members are written in AWS's order; absent values are JSON `null`
//! where AWS writes `null`.

use base64::Engine as _;
use md5::{Digest, Md5};
use serde::Serialize;

/// One line of `manifest-files.json`.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ManifestFile {
    pub item_count: u64,
    /// Base64 MD5 of the stored (gzip) bytes.
    pub md5_checksum: String,
    /// The object's S3 ETag, without quotes.
    pub etag: String,
    pub data_file_s3_key: String,
}

impl ManifestFile {
    /// The line, newline included.
    pub fn line(&self) -> String {
        let mut line = serde_json::to_string(self).expect("manifest lines serialize");
        line.push('\n');
        line
    }
}

/// `manifest-summary.json`. Times are ISO-8601 UTC with exactly three fractional digits.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ManifestSummary {
    pub version: &'static str,
    pub export_arn: String,
    pub start_time: String,
    pub end_time: String,
    pub table_arn: String,
    pub table_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub export_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub export_from_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub export_to_time: Option<String>,
    pub s3_bucket: String,
    /// The prefix verbatim; `null` without one (UNCONFIRMED, spec §4.3).
    pub s3_prefix: Option<String>,
    pub s3_sse_algorithm: String,
    /// Always present: `null` without a key.
    pub s3_sse_kms_key_id: Option<String>,
    pub manifest_files_s3_key: String,
    pub billed_size_bytes: u64,
    pub item_count: u64,
    pub output_format: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_view: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub export_type: Option<&'static str>,
}

impl ManifestSummary {
    /// `version` of a full export's manifest.
    pub const FULL_VERSION: &'static str = "2020-06-30";
    /// `version` of an incremental export's manifest.
    pub const INCREMENTAL_VERSION: &'static str = "2023-08-01";

    /// The single-line document.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("manifests serialize")
    }
}

/// What a reader needs from an export's two manifests: the format, whether it is
/// incremental, the promised item count and the data files with their checksums.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExportListing {
    pub format: crate::ExportFormat,
    pub incremental: bool,
    pub item_count: u64,
    pub files: Vec<DataFileEntry>,
}

/// One data file named by `manifest-files.json`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataFileEntry {
    /// The full S3 key (`…/AWSDynamoDB/<id>/data/<name>.json.gz`).
    pub key: String,
    /// The file name, the key's last segment.
    pub name: String,
    /// Base64 MD5 of the stored bytes.
    pub md5: String,
    pub item_count: u64,
}

impl ExportListing {
    /// Reads `manifest-summary.json` and `manifest-files.json` (AWS's or strata's).
    pub fn parse(summary: &[u8], files: &[u8]) -> Result<Self, String> {
        let summary: serde_json::Value = serde_json::from_slice(summary)
            .map_err(|e| format!("manifest-summary.json is not JSON: {e}"))?;
        let format = match summary["outputFormat"].as_str() {
            None => crate::ExportFormat::DynamoDbJson,
            Some(name) => crate::ExportFormat::parse(name)
                .ok_or_else(|| format!("unknown outputFormat {name:?}"))?,
        };
        let mut entries = Vec::new();
        for line in String::from_utf8_lossy(files).lines() {
            if line.trim().is_empty() {
                continue;
            }
            let entry: serde_json::Value = serde_json::from_str(line)
                .map_err(|e| format!("a manifest-files.json line is not JSON: {e}"))?;
            let key = entry["dataFileS3Key"]
                .as_str()
                .ok_or("a manifest-files.json line has no dataFileS3Key")?;
            entries.push(DataFileEntry {
                key: key.to_owned(),
                name: key.rsplit('/').next().unwrap_or(key).to_owned(),
                md5: entry["md5Checksum"].as_str().unwrap_or_default().to_owned(),
                item_count: entry["itemCount"].as_u64().unwrap_or(0),
            });
        }
        Ok(Self {
            format,
            incremental: summary["exportType"] == "INCREMENTAL_EXPORT",
            item_count: summary["itemCount"].as_u64().unwrap_or(0),
            files: entries,
        })
    }
}

/// The base64 binary MD5 of `bytes`: a `.md5` companion's content and `md5Checksum`.
pub fn md5_base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(Md5::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_members_come_in_aws_order_with_explicit_nulls() {
        let summary = ManifestSummary {
            version: ManifestSummary::FULL_VERSION,
            export_arn: "arn".into(),
            start_time: "2023-08-31T07:40:21.041Z".into(),
            end_time: "2023-08-31T07:47:46.862Z".into(),
            table_arn: "t".into(),
            table_id: "id".into(),
            export_time: Some("2023-08-31T07:40:21.041Z".into()),
            export_from_time: None,
            export_to_time: None,
            s3_bucket: "b".into(),
            s3_prefix: None,
            s3_sse_algorithm: "AES256".into(),
            s3_sse_kms_key_id: None,
            manifest_files_s3_key: "AWSDynamoDB/x/manifest-files.json".into(),
            billed_size_bytes: 0,
            item_count: 3,
            output_format: "DYNAMODB_JSON",
            output_view: None,
            export_type: None,
        };
        assert_eq!(
            summary.to_json(),
            r#"{"version":"2020-06-30","exportArn":"arn","startTime":"2023-08-31T07:40:21.041Z","endTime":"2023-08-31T07:47:46.862Z","tableArn":"t","tableId":"id","exportTime":"2023-08-31T07:40:21.041Z","s3Bucket":"b","s3Prefix":null,"s3SseAlgorithm":"AES256","s3SseKmsKeyId":null,"manifestFilesS3Key":"AWSDynamoDB/x/manifest-files.json","billedSizeBytes":0,"itemCount":3,"outputFormat":"DYNAMODB_JSON"}"#
        );
        assert_eq!(md5_base64(b""), "1B2M2Y8AsgTpgAmY7PhCfg==");
    }

    #[test]
    fn listings_read_aws_manifests() {
        let summary = br#"{"version":"2023-08-01","itemCount":2,"outputFormat":"ION","exportType":"INCREMENTAL_EXPORT"}"#;
        let files = b"{\"itemCount\":2,\"md5Checksum\":\"abc=\",\"etag\":\"e-1\",\"dataFileS3Key\":\"p/AWSDynamoDB/x/data/f.ion.gz\"}\n\n";
        let listing = ExportListing::parse(summary, files).unwrap();
        assert_eq!(listing.format, crate::ExportFormat::Ion);
        assert!(listing.incremental);
        assert_eq!(listing.files[0].name, "f.ion.gz");
        assert_eq!(listing.files[0].md5, "abc=");
        assert!(ExportListing::parse(b"{", b"").is_err());
        assert!(ExportListing::parse(br#"{"outputFormat":"CSV"}"#, b"").is_err());
    }
}
