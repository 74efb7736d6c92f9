//! `strata import DIR`: loads a DynamoDB export (a local copy of `AWSDynamoDB/<ExportId>/`,
//! from AWS or from strata) into a table of a running strata server. Every manifest is
//! checked against its `.md5` and every data file against its `md5Checksum` before a single
//! item is written; items go in with BatchWriteItem under the caller's credentials, with a
//! progress bar counting them against the manifest's `itemCount`.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use base64::Engine as _;
use md5::{Digest, Md5};
use serde_json::{Value, json};
use strata_dynamodb_item::item_to_json;
use strata_export_format::import::{self as readers, RecordError};

use crate::cli::ImportArgs;
use crate::http::{Endpoint, environment_credentials};

/// Items per BatchWriteItem (DynamoDB's limit).
const BATCH: usize = 25;

fn md5_base64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(Md5::digest(bytes))
}

/// Reads `name` in `dir` and checks it against `name`'s `.md5` companion.
fn checked_manifest(dir: &Path, name: &str) -> anyhow::Result<Vec<u8>> {
    let path = dir.join(format!("{name}.json"));
    let bytes = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let md5_path = dir.join(format!("{name}.md5"));
    let expected = std::fs::read_to_string(&md5_path)
        .with_context(|| format!("cannot read {}", md5_path.display()))?;
    if expected.trim() != md5_base64(&bytes) {
        bail!("{} does not match {}", path.display(), md5_path.display());
    }
    Ok(bytes)
}

/// `pk:S` → the name and type.
fn key(spec: &str) -> anyhow::Result<(String, String)> {
    let (name, kind) = spec
        .rsplit_once(':')
        .with_context(|| format!("{spec:?}: expected NAME:TYPE, e.g. pk:S"))?;
    if !matches!(kind, "S" | "N" | "B") {
        bail!("{spec:?}: the type must be S, N or B");
    }
    Ok((name.to_owned(), kind.to_owned()))
}

pub fn run(args: ImportArgs) -> anyhow::Result<()> {
    let dir = PathBuf::from(&args.source);
    let summary: Value = serde_json::from_slice(&checked_manifest(&dir, "manifest-summary")?)
        .context("manifest-summary.json is not JSON")?;
    if summary["exportType"] == "INCREMENTAL_EXPORT" {
        bail!("this is an incremental export; only full exports can be loaded into a table");
    }
    let format = summary["outputFormat"]
        .as_str()
        .unwrap_or("DYNAMODB_JSON")
        .to_owned();
    let total = summary["itemCount"].as_u64().unwrap_or(0);
    let files = checked_manifest(&dir, "manifest-files")?;

    // Every data file verified before anything is written.
    let mut data = Vec::new();
    for line in String::from_utf8_lossy(&files)
        .lines()
        .filter(|l| !l.trim().is_empty())
    {
        let entry: Value =
            serde_json::from_str(line).context("a manifest-files line is not JSON")?;
        let key = entry["dataFileS3Key"]
            .as_str()
            .context("a manifest line has no dataFileS3Key")?;
        let name = key.rsplit('/').next().unwrap_or(key);
        let path = dir.join("data").join(name);
        let bytes =
            std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
        if entry["md5Checksum"].as_str() != Some(md5_base64(&bytes).as_str()) {
            bail!(
                "{} does not match its md5Checksum in manifest-files.json",
                path.display()
            );
        }
        data.push(bytes);
    }

    let endpoint_url = args
        .endpoint
        .clone()
        .or_else(|| std::env::var("AWS_ENDPOINT_URL").ok())
        .unwrap_or_else(|| "http://127.0.0.1:4566".to_owned());
    let endpoint = Endpoint::parse(&endpoint_url)?;
    let (credentials, region) = environment_credentials()?;
    let call = |op: &str, body: Value| -> anyhow::Result<Value> {
        let (status, answer) = endpoint.json_call(
            &credentials,
            &region,
            &format!("DynamoDB_20120810.{op}"),
            &body,
        )?;
        if status != 200 {
            bail!("{op}: {}", answer);
        }
        Ok(answer)
    };
    if let Some(partition) = &args.partition_key {
        let mut keys = vec![key(partition)?];
        if let Some(sort) = &args.sort_key {
            keys.push(key(sort)?);
        }
        let schema: Vec<Value> = keys
            .iter()
            .zip(["HASH", "RANGE"])
            .map(|((name, _), kind)| json!({"AttributeName": name, "KeyType": kind}))
            .collect();
        let definitions: Vec<Value> = keys
            .iter()
            .map(|(name, kind)| json!({"AttributeName": name, "AttributeType": kind}))
            .collect();
        call(
            "CreateTable",
            json!({"TableName": args.table, "KeySchema": schema, "AttributeDefinitions": definitions,
                   "BillingMode": "PAY_PER_REQUEST"}),
        )?;
    }

    let bar = indicatif::ProgressBar::new(total);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} items ({per_sec}, {eta} left)",
        )
        .expect("a valid template"),
    );
    let mut written = 0u64;
    let mut rejected = 0u64;
    for bytes in data {
        let mut text = String::new();
        flate2::read::MultiGzDecoder::new(bytes.as_slice())
            .read_to_string(&mut text)
            .context("a data file is not gzip'd UTF-8")?;
        let records = match format.as_str() {
            "ION" => readers::ion(&text),
            _ => readers::dynamodb_json(&text),
        };
        let mut batch = Vec::with_capacity(BATCH);
        for record in records {
            match record {
                Ok(item) => batch.push(json!({"PutRequest": {"Item": item_to_json(&item)}})),
                Err(RecordError::Invalid(_) | RecordError::Unparseable(_)) => rejected += 1,
            }
            if batch.len() == BATCH {
                written += write(&call, &args.table, std::mem::take(&mut batch))?;
                bar.set_position(written);
            }
        }
        written += write(&call, &args.table, batch)?;
        bar.set_position(written);
    }
    bar.finish_and_clear();
    println!(
        "Loaded {written} items into {} ({rejected} records rejected)",
        args.table
    );
    if written != total {
        bail!("the manifest promised {total} items");
    }
    Ok(())
}

/// Writes one batch, resending what DynamoDB leaves unprocessed.
fn write(
    call: &impl Fn(&str, Value) -> anyhow::Result<Value>,
    table: &str,
    mut requests: Vec<Value>,
) -> anyhow::Result<u64> {
    let count = requests.len() as u64;
    while !requests.is_empty() {
        let answer = call("BatchWriteItem", json!({"RequestItems": {table: requests}}))?;
        requests = answer["UnprocessedItems"][table]
            .as_array()
            .cloned()
            .unwrap_or_default();
    }
    Ok(count)
}
