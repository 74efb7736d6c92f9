//! `strata import SOURCE`: loads a DynamoDB export (a local copy of
//! `AWSDynamoDB/<ExportId>/` or an `s3://` URL, from AWS or from strata) into a table of a
//! running strata server. Every manifest is
//! checked against its `.md5` and every data file against its `md5Checksum` before a single
//! item is written; items go in with BatchWriteItem under the caller's credentials, with a
//! progress bar counting them against the manifest's `itemCount`.

use std::io::Read as _;

use anyhow::{Context, bail};
use serde_json::{Value, json};
use strata_dynamodb_item::item_to_json;
use strata_export_format::ExportFormat;
use strata_export_format::import::{self as readers, RecordError};

use crate::caller::Caller;
use crate::cli::ImportArgs;
use crate::export_source;

/// Items per BatchWriteItem (DynamoDB's limit).
const BATCH: usize = 25;

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
    let resolve = || Caller::resolve(args.endpoint.as_deref(), args.profile.as_deref());
    let export = export_source::open(&args.source, resolve)?;
    if export.listing.incremental {
        bail!("this is an incremental export; only full exports can be loaded into a table");
    }
    let total = export.listing.item_count;
    let caller = Caller::resolve(args.endpoint.as_deref(), args.profile.as_deref())?;
    let call = |op: &str, body: Value| caller.dynamodb(op, body);
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
    for entry in &export.listing.files {
        let bytes = std::fs::read(export.dir.join("data").join(&entry.name))?;
        let mut text = String::new();
        flate2::read::MultiGzDecoder::new(bytes.as_slice())
            .read_to_string(&mut text)
            .context("a data file is not gzip'd UTF-8")?;
        let records = match export.listing.format {
            ExportFormat::Ion => readers::ion(&text),
            ExportFormat::DynamoDbJson => readers::dynamodb_json(&text),
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
