//! `strata-bench request-path`: the request path, measured side by side with a baseline.
//!
//! It starts `strata serve` (release build beside this binary) and a bare hyper
//! server (this binary with `request-path --baseline-server`) that answers every
//! request with the same bytes strata sends for `GetCallerIdentity`. Then the same
//! load — a signed `GetCallerIdentity` POST replayed over keep-alive connections — runs
//! against each, one after the other, and it prints requests/s, p50/p99 latency and the
//! server's CPU time per request (from `/proc/PID/stat`), with strata/baseline ratios.
//!
//! Both servers and the client share the machine, so compare the ratios, not the
//! absolute numbers.

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};

use crate::client::{self, BENCH_ACCESS_KEY, BENCH_SECRET_KEY, Endpoint, Signer};
use crate::report;

const BODY: &str = "Action=GetCallerIdentity&Version=2011-06-15";
const FORM: &str = "application/x-www-form-urlencoded; charset=utf-8";

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Seconds of load per server.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Concurrent keep-alive connections.
    #[arg(long, default_value_t = 16)]
    connections: usize,
    /// The strata binary (default: `strata` beside this binary).
    #[arg(long)]
    strata_bin: Option<std::path::PathBuf>,
    /// Internal: run as the baseline server answering with this file's bytes.
    #[arg(long, hide = true)]
    baseline_server: Option<std::path::PathBuf>,
}

struct Result {
    name: &'static str,
    requests: u64,
    elapsed: Duration,
    p50_us: u64,
    p99_us: u64,
    cpu: Duration,
}

pub async fn main(args: Args) -> anyhow::Result<()> {
    if let Some(body) = &args.baseline_server {
        return baseline_server(std::fs::read(body)?).await;
    }
    run(args).await
}

async fn run(args: Args) -> anyhow::Result<()> {
    let me = std::env::current_exe()?;
    let strata_bin = args
        .strata_bin
        .clone()
        .unwrap_or_else(|| me.with_file_name("strata"));
    let dir = std::env::temp_dir().join(format!("strata-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let config = dir.join("config.toml");
    std::fs::write(&config, client::bench_config())?;

    let mut strata = ServerProcess::spawn(
        Command::new(&strata_bin)
            .args(["serve", "--port", "0", "--in-memory", "--config"])
            .arg(&config),
    )
    .with_context(|| format!("starting {}", strata_bin.display()))?;
    // The baseline answers with exactly what strata answers.
    let (status, sample) = one_request(strata.addr).await?;
    if status != 200 {
        bail!(
            "strata answered {status}: {}",
            String::from_utf8_lossy(&sample)
        );
    }
    let body_file = dir.join("response.xml");
    std::fs::write(&body_file, &sample)?;
    let mut baseline = ServerProcess::spawn(
        Command::new(&me)
            .args(["request-path", "--baseline-server"])
            .arg(&body_file),
    )?;

    println!(
        "signed GetCallerIdentity, {} connections, {} s per server, {} cores",
        args.connections,
        args.seconds,
        std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
    );
    let base = load("bare hyper", &baseline, &args).await?;
    let ours = load("strata", &strata, &args).await?;
    baseline.stop();
    strata.stop();
    let _ = std::fs::remove_dir_all(&dir);

    println!(
        "{:<12} {:>10} {:>9} {:>9} {:>14}",
        "server", "req/s", "p50 µs", "p99 µs", "CPU µs/req"
    );
    for r in [&base, &ours] {
        println!(
            "{:<12} {:>10.0} {:>9} {:>9} {:>14.2}",
            r.name,
            rps(r),
            r.p50_us,
            r.p99_us,
            cpu_per_request(r)
        );
    }
    println!(
        "strata/baseline: throughput {:.2}×, CPU per request {:.2}× (+{:.2} µs for routing, SigV4, key lookup, XML)",
        rps(&ours) / rps(&base),
        cpu_per_request(&ours) / cpu_per_request(&base),
        cpu_per_request(&ours) - cpu_per_request(&base)
    );
    Ok(())
}

fn rps(r: &Result) -> f64 {
    r.requests as f64 / r.elapsed.as_secs_f64()
}

fn cpu_per_request(r: &Result) -> f64 {
    r.cpu.as_secs_f64() * 1e6 / r.requests as f64
}

/// A child server whose first stdout line is `… listening on http://ADDR …`.
struct ServerProcess {
    child: Child,
    addr: SocketAddr,
}

impl ServerProcess {
    fn spawn(command: &mut Command) -> anyhow::Result<Self> {
        use std::io::BufRead;
        let mut child = command
            .env(
                "RUST_LOG",
                std::env::var("RUST_LOG").unwrap_or_else(|_| "info".into()),
            )
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()?;
        let stdout = child.stdout.take().context("no stdout")?;
        let mut lines = std::io::BufReader::new(stdout).lines();
        let first = lines.next().context("server exited before listening")??;
        let addr = first
            .split_whitespace()
            .find_map(|w| w.strip_prefix("http://"))
            .context("no address in the first line")?
            .parse()?;
        // Keep draining stdout so the child never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Ok(Self { child, addr })
    }

    /// utime + stime of the child so far.
    fn cpu(&self) -> anyhow::Result<Duration> {
        report::process_cpu(&self.child.id().to_string())
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn signed_request(addr: SocketAddr) -> http::Request<Full<Bytes>> {
    Signer::new(BENCH_ACCESS_KEY, BENCH_SECRET_KEY, "us-east-1", "sts").post(
        &Endpoint::from_addr(addr),
        FORM,
        &[],
        Bytes::from_static(BODY.as_bytes()),
    )
}

async fn one_request(addr: SocketAddr) -> anyhow::Result<(u16, Bytes)> {
    let mut sender = client::connect(&Endpoint::from_addr(addr)).await?;
    let response = sender.send_request(signed_request(addr)).await?;
    let status = response.status().as_u16();
    Ok((status, response.into_body().collect().await?.to_bytes()))
}

async fn load(name: &'static str, server: &ServerProcess, args: &Args) -> anyhow::Result<Result> {
    // A signed request stays valid for the 15-minute skew window, so one signature is
    // replayed: the client spends its CPU on HTTP only.
    let template = Arc::new(signed_request(server.addr));
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let cpu_before = server.cpu()?;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..args.connections {
        let template = template.clone();
        let addr = server.addr;
        tasks.push(tokio::spawn(async move {
            let mut histogram = report::histogram();
            let mut sender = client::connect(&Endpoint::from_addr(addr)).await?;
            let mut errors = 0u64;
            while Instant::now() < deadline {
                let mut req = http::Request::new(template.body().clone());
                *req.method_mut() = template.method().clone();
                *req.uri_mut() = template.uri().clone();
                *req.headers_mut() = template.headers().clone();
                let t = Instant::now();
                let response = sender.send_request(req).await?;
                if response.status() != 200 {
                    errors += 1;
                }
                response.into_body().collect().await?;
                histogram.record(t.elapsed().as_micros() as u64).ok();
            }
            anyhow::ensure!(errors == 0, "{errors} requests failed");
            Ok::<_, anyhow::Error>(histogram)
        }));
    }
    let mut total = report::histogram();
    for task in tasks {
        total.add(task.await??).ok();
    }
    let elapsed = started.elapsed();
    let cpu = server.cpu()? - cpu_before;
    Ok(Result {
        name,
        requests: total.len(),
        elapsed,
        p50_us: total.value_at_quantile(0.5),
        p99_us: total.value_at_quantile(0.99),
        cpu,
    })
}

/// The baseline: hyper on the same runtime settings, answering fixed bytes with the
/// headers strata sends, and nothing else.
async fn baseline_server(body: Vec<u8>) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    println!("baseline listening on http://{}", listener.local_addr()?);
    let body = Bytes::from(body);
    loop {
        let (stream, _) = listener.accept().await?;
        stream.set_nodelay(true)?;
        let body = body.clone();
        tokio::spawn(async move {
            let service =
                hyper::service::service_fn(move |req: http::Request<hyper::body::Incoming>| {
                    let body = body.clone();
                    async move {
                        req.into_body().collect().await?;
                        Ok::<_, hyper::Error>(
                            http::Response::builder()
                                .header("content-type", "text/xml")
                                .header("x-amzn-RequestId", "00000000-0000-0000-0000-000000000000")
                                .body(Full::new(body))
                                .expect("valid response"),
                        )
                    }
                });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                .await;
        });
    }
}
