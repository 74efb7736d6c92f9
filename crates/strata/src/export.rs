//! `strata export`: ExportTableToPointInTime for a person. Starts an export (or follows
//! one by ARN), shows a spinner until it ends, then prints where the files are — or what
//! failed and why, with the policy trace when S3 refused the write (asked of the server's
//! `/_strata/simulate`, which sees the bucket policy the export was judged by, and the key
//! policy when KMS refused the files' data key).

use std::time::Duration;

use anyhow::Context;
use serde_json::{Value, json};

use crate::caller::Caller;
use crate::cli::ExportArgs;

pub fn run(args: ExportArgs) -> anyhow::Result<()> {
    let caller = Caller::resolve(args.endpoint.as_deref(), args.profile.as_deref())?;
    let call = |op: &str, body: Value| caller.dynamodb(op, body);

    let export_arn = match &args.follow {
        Some(arn) => arn.clone(),
        None => {
            let table = args
                .table
                .as_deref()
                .context("--table is required unless --follow")?;
            let bucket = args
                .bucket
                .as_deref()
                .context("--bucket is required unless --follow")?;
            let table_arn = if table.starts_with("arn:") {
                table.to_owned()
            } else {
                call("DescribeTable", json!({"TableName": table}))?["Table"]["TableArn"]
                    .as_str()
                    .context("DescribeTable answered no TableArn")?
                    .to_owned()
            };
            let mut request = json!({"TableArn": table_arn, "S3Bucket": bucket});
            for (member, value) in [
                ("S3BucketOwner", &args.bucket_owner),
                ("S3Prefix", &args.prefix),
                ("ExportFormat", &args.format),
                ("S3SseAlgorithm", &args.sse_algorithm),
                ("S3SseKmsKeyId", &args.sse_kms_key_id),
            ] {
                if let Some(v) = value {
                    request[member] = json!(v);
                }
            }
            if let Some(time) = &args.export_time {
                let ts: jiff::Timestamp = time
                    .parse()
                    .with_context(|| format!("--export-time {time:?} is not an RFC 3339 time"))?;
                request["ExportTime"] = json!(ts.as_millisecond() as f64 / 1000.0);
            }
            let started = call("ExportTableToPointInTime", request)?;
            started["ExportDescription"]["ExportArn"]
                .as_str()
                .context("no ExportArn in the answer")?
                .to_owned()
        }
    };

    let spinner = indicatif::ProgressBar::new_spinner();
    spinner.enable_steady_tick(Duration::from_millis(100));
    spinner.set_message(format!("exporting ({export_arn})"));
    let description = loop {
        let d =
            call("DescribeExport", json!({"ExportArn": export_arn}))?["ExportDescription"].clone();
        if d["ExportStatus"] != "IN_PROGRESS" {
            break d;
        }
        std::thread::sleep(Duration::from_millis(250));
    };
    spinner.finish_and_clear();

    let bucket = description["S3Bucket"].as_str().unwrap_or_default();
    if description["ExportStatus"] == "COMPLETED" {
        println!(
            "Export COMPLETED: {} items\n  manifest: s3://{bucket}/{}\n  export:   {export_arn}",
            description["ItemCount"],
            description["ExportManifest"].as_str().unwrap_or_default()
        );
        return Ok(());
    }
    let code = description["FailureCode"].as_str().unwrap_or("UNKNOWN");
    println!("Export FAILED: {code}");
    println!(
        "  {}",
        description["FailureMessage"].as_str().unwrap_or_default()
    );
    let message = description["FailureMessage"].as_str().unwrap_or_default();
    if code == "S3AccessDenied" && message.contains("kms:") {
        explain_key_denial(&caller, &description);
    } else if code == "S3AccessDenied" {
        explain_denial(&caller, &description);
    }
    std::process::exit(2);
}

/// Asks the server's simulator whether `principal` may do `action` on `resource`; prints the
/// decision and its trace, and returns the answer.
fn simulate(
    caller: &Caller,
    principal: &str,
    action: &str,
    resource: &str,
    context: Value,
) -> Option<Value> {
    let body =
        json!({"principal": principal, "action": action, "resource": resource, "context": context})
            .to_string();
    let Ok((200, answer)) = caller.endpoint.send(
        "POST",
        "/_strata/simulate",
        &[("Content-Type", "application/json".to_owned())],
        body.as_bytes(),
    ) else {
        return None;
    };
    let answer = serde_json::from_slice::<Value>(&answer).ok()?;
    println!(
        "  {action} on {resource} for {principal}: {}",
        answer["decision"].as_str().unwrap_or("?")
    );
    for step in answer["trace"].as_array().into_iter().flatten() {
        println!("    - {}", step.as_str().unwrap_or_default());
    }
    Some(answer)
}

/// Why KMS refused the export's data key (spec kms-sse §5.3): the key policy, in the key's
/// account, must let the exporter (or its account) in, and across accounts the exporter's
/// own identity policy must allow the key too. Says which side is missing, with the trace.
pub fn explain_key_denial(caller: &Caller, description: &Value) {
    let Ok(principal) = caller.arn() else {
        return;
    };
    let table_arn = description["TableArn"].as_str().unwrap_or_default();
    let mut arn_parts = table_arn.split(':');
    let (region, account) = (
        arn_parts.nth(3).unwrap_or_default(),
        arn_parts.next().unwrap_or_default(),
    );
    let message = description["FailureMessage"].as_str().unwrap_or_default();
    let action = message
        .split_whitespace()
        .find(|w| w.starts_with("kms:"))
        .unwrap_or("kms:GenerateDataKey");
    // A bare key id or alias is resolved in the exporter's account, as S3 does.
    let key = match description["S3SseKmsKeyId"].as_str() {
        Some(arn) if arn.starts_with("arn:") => arn.to_owned(),
        Some(alias) if alias.starts_with("alias/") => {
            format!("arn:aws:kms:{region}:{account}:{alias}")
        }
        Some(id) => format!("arn:aws:kms:{region}:{account}:key/{id}"),
        None => format!("arn:aws:kms:{region}:{account}:alias/aws/s3"),
    };
    // S3 calls KMS in the bucket's region, which a key ARN names (else take the table's).
    let key_region = key.split(':').nth(3).unwrap_or(region);
    let context = json!({"kms:ViaService": [format!("s3.{key_region}.amazonaws.com")]});
    let Some(answer) = simulate(caller, &principal, action, &key, context) else {
        return;
    };
    let text = answer["message"].as_str().unwrap_or_default();
    if text.contains("identity-based") {
        println!(
            "  The key policy lets {principal} in; its own identity policy does not allow {action} on {key}. \
             Add an identity-policy statement allowing {action} (and kms:Decrypt) on the key's ARN."
        );
    } else if text.contains("resource-based") || text.contains("this resource") {
        println!(
            "  The key policy of {key} does not let {principal} use the key. In the key's account, \
             add a key-policy statement naming {principal} (or its account) for {action} and kms:Decrypt."
        );
    }
}

/// Why S3 refused: the bucket owner check, then the policy trace for the first write.
pub fn explain_denial(caller: &Caller, description: &Value) {
    let bucket = description["S3Bucket"].as_str().unwrap_or_default();
    let table_arn = description["TableArn"].as_str().unwrap_or_default();
    let account = table_arn.split(':').nth(4).unwrap_or_default();
    if description.get("S3BucketOwner").is_none() {
        println!(
            "  No S3BucketOwner was given, so the export expected the bucket to belong to {account}; \
             for a bucket in another account pass --bucket-owner ACCOUNT (S3BucketOwner)."
        );
    }
    let Ok(principal) = caller.arn() else {
        return;
    };
    let prefix = match description["S3Prefix"].as_str() {
        Some(p) if p.ends_with('/') => p.to_owned(),
        Some(p) => format!("{p}/"),
        None => String::new(),
    };
    let export_id = description["ExportArn"]
        .as_str()
        .and_then(|a| a.rsplit('/').next())
        .unwrap_or_default();
    let resource = format!("arn:aws:s3:::{bucket}/{prefix}AWSDynamoDB/{export_id}/_started");
    let Some(answer) = simulate(caller, &principal, "s3:PutObject", &resource, json!({})) else {
        return;
    };
    if answer["decision"] == "Allow" {
        println!("  The policies allow the write, so the bucket-owner check is what refused it.");
    }
}
