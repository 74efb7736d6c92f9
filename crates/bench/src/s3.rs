//! `strata-bench s3`: PUT or GET of fixed-size objects against any S3 endpoint, from
//! `--concurrency` connections, reporting ops/s, MB/s, latency percentiles and, with
//! `--server-pid`, the server's CPU per request.
//!
//! Requests use SigV4 header auth with `UNSIGNED-PAYLOAD` (what SDKs send over TLS), so
//! the client does not hash bodies and both servers verify the same thing. The bucket is
//! created if missing; a GET run first writes `--objects` objects.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use bytes::Bytes;
use clap::{Parser, ValueEnum};

use crate::client::{BENCH_ACCESS_KEY, BENCH_SECRET_KEY, Connection, Endpoint, Signer};
use crate::report::{self, Histogram};

#[derive(Parser, Debug)]
pub struct Args {
    /// The S3 endpoint, `http://host:port` (path-style addressing).
    #[arg(long, default_value = "http://127.0.0.1:4566")]
    endpoint: String,
    #[arg(long, default_value = BENCH_ACCESS_KEY)]
    access_key: String,
    #[arg(long, default_value = BENCH_SECRET_KEY)]
    secret_key: String,
    #[arg(long, default_value = "us-east-1")]
    region: String,
    #[arg(long, default_value = "strata-bench")]
    bucket: String,
    #[arg(long, value_enum, default_value_t = Workload::Put)]
    workload: Workload,
    /// Object size in bytes.
    #[arg(long, default_value_t = 1024)]
    object_size: usize,
    /// Distinct keys written and read.
    #[arg(long, default_value_t = 100)]
    objects: u64,
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// The server's process id, to report its CPU time per request.
    #[arg(long)]
    server_pid: Option<u32>,
    /// A name for the report (default: the endpoint).
    #[arg(long)]
    label: Option<String>,
    /// Print a JSON summary as the last line.
    #[arg(long)]
    json: bool,
    /// Write objects with SSE-KMS (`x-amz-server-side-encryption: aws:kms`, the account's
    /// `aws/s3` key): each PUT asks KMS for a data key, each GET for its plaintext.
    #[arg(long)]
    sse_kms: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Workload {
    /// PutObject of `--object-size` bytes.
    Put,
    /// GetObject of objects written first.
    Get,
}

struct Client {
    endpoint: Endpoint,
    signer: Signer,
    bucket: String,
    body: Bytes,
    sse_kms: bool,
}

impl Client {
    fn request(
        &self,
        method: &str,
        key: Option<&str>,
        body: Bytes,
    ) -> http::Request<http_body_util::Full<Bytes>> {
        let path = match key {
            Some(key) => format!("/{}/{key}", self.bucket),
            None => format!("/{}", self.bucket),
        };
        let length = body.len().to_string();
        let mut headers = vec![("x-amz-content-sha256", "UNSIGNED-PAYLOAD")];
        if method == "PUT" {
            headers.push(("content-length", length.as_str()));
        }
        if method == "PUT" && key.is_some() && self.sse_kms {
            headers.push(("x-amz-server-side-encryption", "aws:kms"));
        }
        self.signer.request(
            &self.endpoint,
            method,
            &path,
            &headers,
            body,
            "UNSIGNED-PAYLOAD",
        )
    }
}

fn key(i: u64) -> String {
    format!("bench/object-{i:08}")
}

pub async fn main(args: Args) -> anyhow::Result<()> {
    anyhow::ensure!(args.concurrency > 0, "--concurrency must be at least 1");
    anyhow::ensure!(args.objects > 0, "--objects must be at least 1");
    let body: Bytes = (0..args.object_size)
        .map(|i| (i % 251) as u8)
        .collect::<Vec<_>>()
        .into();
    let client = Arc::new(Client {
        endpoint: Endpoint::parse(&args.endpoint).await?,
        signer: Signer::new(&args.access_key, &args.secret_key, &args.region, "s3"),
        bucket: args.bucket.clone(),
        body,
        sse_kms: args.sse_kms,
    });
    let label = args.label.clone().unwrap_or_else(|| args.endpoint.clone());
    let mut conn = Connection::open(&client.endpoint).await?;
    let (status, text) = conn
        .send(client.request("PUT", None, Bytes::new()))
        .await
        .context("CreateBucket")?;
    anyhow::ensure!(
        status.is_success() || status == http::StatusCode::CONFLICT,
        "CreateBucket answered {status}: {}",
        String::from_utf8_lossy(&text)
    );
    if args.workload == Workload::Get {
        for i in 0..args.objects {
            let (status, text) = conn
                .send(client.request("PUT", Some(&key(i)), client.body.clone()))
                .await?;
            anyhow::ensure!(
                status.is_success(),
                "PutObject answered {status}: {}",
                String::from_utf8_lossy(&text)
            );
        }
    }
    let mut connections = Vec::with_capacity(args.concurrency);
    for _ in 0..args.concurrency {
        connections.push(Connection::open(&client.endpoint).await?);
    }
    let server_pid = args.server_pid.map(|p| p.to_string());
    let server_before = server_pid.as_deref().map(report::process_cpu).transpose()?;
    let started = Instant::now();
    let deadline = started + Duration::from_secs(args.seconds);
    let mut tasks = Vec::new();
    for (n, mut conn) in connections.into_iter().enumerate() {
        let client = client.clone();
        let (workload, objects) = (args.workload, args.objects);
        tasks.push(tokio::spawn(async move {
            let mut rng = fastrand::Rng::with_seed(0x53_0000 + n as u64);
            let mut latency = report::histogram();
            let (mut errors, mut first_error, mut bytes) = (0u64, None, 0u64);
            while Instant::now() < deadline {
                let k = key(rng.u64(..objects));
                let t = Instant::now();
                let outcome = match workload {
                    Workload::Put => conn
                        .send(client.request("PUT", Some(&k), client.body.clone()))
                        .await
                        .map(|(s, b)| (s, client.body.len() as u64, b)),
                    Workload::Get => conn
                        .send_counting(client.request("GET", Some(&k), Bytes::new()))
                        .await
                        .map(|(s, n)| (s, n, Bytes::new())),
                };
                match outcome {
                    Ok((status, n, _)) if status.is_success() => {
                        latency.record(t.elapsed().as_micros() as u64).ok();
                        bytes += n;
                    }
                    Ok((status, _, body)) => {
                        errors += 1;
                        first_error.get_or_insert(format!(
                            "HTTP {status}: {}",
                            String::from_utf8_lossy(&body)
                        ));
                    }
                    Err(e) => {
                        errors += 1;
                        first_error.get_or_insert(format!("{e:#}"));
                        tokio::time::sleep(Duration::from_millis(10)).await;
                    }
                }
            }
            (latency, errors, first_error, bytes)
        }));
    }
    let mut latency: Histogram = report::histogram();
    let (mut errors, mut first_error, mut bytes) = (0, None, 0);
    for task in tasks {
        let (h, e, f, b) = task.await?;
        latency.add(&h).ok();
        errors += e;
        bytes += b;
        first_error = first_error.or(f);
    }
    let elapsed = started.elapsed().as_secs_f64();
    let server_cpu = match (&server_pid, server_before) {
        (Some(pid), Some(before)) => Some(report::process_cpu(pid)? - before),
        _ => None,
    };
    let ops = latency.len();
    let [p50, p99, _, max] = report::quantiles(&latency);
    let cpu_per_request = server_cpu.map(|c| c.as_secs_f64() * 1e6 / (ops + errors).max(1) as f64);
    let workload = match args.workload {
        Workload::Put => "put",
        Workload::Get => "get",
    };
    println!(
        "{label}: s3 {workload} of {} B objects, {} connections, {elapsed:.2} s",
        args.object_size, args.concurrency
    );
    println!(
        "  {:.0} ops/s, {:.1} MB/s, p50 {p50} µs, p99 {p99} µs, max {max} µs, {errors} errors{}",
        ops as f64 / elapsed,
        bytes as f64 / elapsed / 1e6,
        cpu_per_request.map_or(String::new(), |c| format!(", server CPU {c:.1} µs/request"))
    );
    if let Some(e) = &first_error {
        println!("  first error: {e}");
    }
    if args.json {
        println!(
            "{}",
            serde_json::json!({
                "bench": "s3", "label": label, "workload": workload,
                "object_size": args.object_size, "concurrency": args.concurrency,
                "seconds": elapsed, "ops": ops, "ops_per_sec": ops as f64 / elapsed,
                "mb_per_sec": bytes as f64 / elapsed / 1e6, "p50_us": p50, "p99_us": p99,
                "max_us": max, "errors": errors, "server_cpu_us_per_request": cpu_per_request,
                "first_error": first_error,
            })
        );
    }
    Ok(())
}
