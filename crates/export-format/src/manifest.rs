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
}
