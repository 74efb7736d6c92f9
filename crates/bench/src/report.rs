//! Measurements and how they are shown: latency histograms (µs), process CPU time
//! from `/proc`, and the DynamoDB run's [`Report`] as a text table and as one JSON line.

use std::time::Duration;

use anyhow::Context;
use serde_json::json;

/// Latencies in microseconds, 3 significant digits, growing as needed.
pub type Histogram = hdrhistogram::Histogram<u64>;

pub fn histogram() -> Histogram {
    Histogram::new(3).expect("3 significant digits is valid")
}

/// utime + stime of process `pid` (`"self"` for this one) so far.
pub fn process_cpu(pid: &str) -> anyhow::Result<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .with_context(|| format!("reading /proc/{pid}/stat"))?;
    let after_comm = stat.rsplit_once(')').context("bad stat")?.1;
    let fields: Vec<&str> = after_comm.split_whitespace().collect();
    let ticks: u64 = fields[11].parse::<u64>()? + fields[12].parse::<u64>()?;
    // Linux reports CPU time in USER_HZ, which is 100 on every Linux ABI.
    Ok(Duration::from_millis(ticks * 10))
}

/// The first failed request of a run, kept to be shown whole.
#[derive(Clone, Debug)]
pub struct FirstError {
    pub op: &'static str,
    /// `None` when the request failed below HTTP (connection refused, reset, …).
    pub status: Option<u16>,
    pub request: String,
    pub response: String,
}

/// One operation's share of a run.
pub struct OpStats {
    pub name: &'static str,
    /// Latencies of the successful (HTTP 200) requests.
    pub latency: Histogram,
    pub errors: u64,
}

/// The outcome of one `strata-bench dynamodb` run.
pub struct Report {
    pub label: String,
    pub workload: &'static str,
    pub endpoint: String,
    pub table: String,
    pub concurrency: usize,
    pub item_size: usize,
    pub items: u64,
    /// From the first request to the last response.
    pub elapsed: Duration,
    pub per_op: Vec<OpStats>,
    /// GetItem answers (HTTP 200) without an `Item`: the key was not found.
    pub get_misses: u64,
    pub reconnects: u64,
    pub client_cpu: Duration,
    pub server_cpu: Option<Duration>,
    pub first_error: Option<FirstError>,
}

pub fn quantiles(h: &Histogram) -> [u64; 4] {
    if h.is_empty() {
        return [0; 4];
    }
    [
        h.value_at_quantile(0.5),
        h.value_at_quantile(0.99),
        h.value_at_quantile(0.999),
        h.max(),
    ]
}

impl Report {
    pub fn total(&self) -> Histogram {
        let mut total = histogram();
        for op in &self.per_op {
            total.add(&op.latency).ok();
        }
        total
    }

    pub fn ops(&self) -> u64 {
        self.per_op.iter().map(|o| o.latency.len()).sum()
    }

    pub fn errors(&self) -> u64 {
        self.per_op.iter().map(|o| o.errors).sum()
    }

    fn per_second(&self, n: u64) -> f64 {
        n as f64 / self.elapsed.as_secs_f64()
    }

    /// CPU µs per request (successful or not), if any request was sent.
    fn cpu_per_request(&self, cpu: Duration) -> Option<f64> {
        let requests = self.ops() + self.errors();
        (requests > 0).then(|| cpu.as_secs_f64() * 1e6 / requests as f64)
    }

    pub fn print_text(&self) {
        println!(
            "{}: dynamodb {} on {} (table {}): {} connections, {:.2} s, {} B payload, {} items",
            self.label,
            self.workload,
            self.endpoint,
            self.table,
            self.concurrency,
            self.elapsed.as_secs_f64(),
            self.item_size,
            self.items
        );
        println!(
            "  {:<6} {:>10} {:>9} {:>9} {:>9} {:>9} {:>8}",
            "op", "ops/s", "p50 µs", "p99 µs", "p99.9 µs", "max µs", "errors"
        );
        let total = self.total();
        let mut rows = vec![("all", &total, self.errors())];
        if self.per_op.len() > 1 {
            rows.extend(self.per_op.iter().map(|o| (o.name, &o.latency, o.errors)));
        }
        for (name, h, errors) in rows {
            let [p50, p99, p999, max] = quantiles(h);
            println!(
                "  {:<6} {:>10.0} {:>9} {:>9} {:>9} {:>9} {:>8}",
                name,
                self.per_second(h.len()),
                p50,
                p99,
                p999,
                max,
                errors
            );
        }
        let mut cpu = format!(
            "  CPU per request: client {:.1} µs",
            self.cpu_per_request(self.client_cpu).unwrap_or(0.0)
        );
        if let Some(server) = self.server_cpu {
            cpu += &format!(
                ", server {:.1} µs",
                self.cpu_per_request(server).unwrap_or(0.0)
            );
        }
        if self.reconnects > 0 {
            cpu += &format!("; {} reconnects", self.reconnects);
        }
        println!("{cpu}");
        if self.get_misses > 0 {
            println!(
                "  note: {} GetItem answers had no Item (key not found)",
                self.get_misses
            );
        }
        if let Some(e) = &self.first_error {
            let status = e
                .status
                .map_or("no HTTP response".to_owned(), |s| format!("HTTP {s}"));
            println!("  first error ({}, {status}):", e.op);
            println!("    request:  {}", e.request);
            println!("    response: {}", e.response);
        }
    }

    pub fn json(&self) -> serde_json::Value {
        let total = self.total();
        let [p50, p99, p999, max] = quantiles(&total);
        let per_op: serde_json::Map<String, serde_json::Value> = self
            .per_op
            .iter()
            .map(|o| {
                let [p50, p99, p999, max] = quantiles(&o.latency);
                (
                    o.name.to_owned(),
                    json!({
                        "ops": o.latency.len(),
                        "ops_per_sec": self.per_second(o.latency.len()),
                        "p50_us": p50,
                        "p99_us": p99,
                        "p999_us": p999,
                        "max_us": max,
                        "errors": o.errors,
                    }),
                )
            })
            .collect();
        json!({
            "bench": "dynamodb",
            "label": self.label,
            "workload": self.workload,
            "endpoint": self.endpoint,
            "table": self.table,
            "concurrency": self.concurrency,
            "item_size": self.item_size,
            "items": self.items,
            "seconds": self.elapsed.as_secs_f64(),
            "ops": self.ops(),
            "ops_per_sec": self.per_second(self.ops()),
            "p50_us": p50,
            "p99_us": p99,
            "p999_us": p999,
            "max_us": max,
            "errors": self.errors(),
            "get_misses": self.get_misses,
            "reconnects": self.reconnects,
            "client_cpu_us_per_request": self.cpu_per_request(self.client_cpu),
            "server_cpu_us_per_request": self.server_cpu.and_then(|c| self.cpu_per_request(c)),
            "per_op": per_op,
            "first_error": self.first_error.as_ref().map(|e| json!({
                "op": e.op,
                "status": e.status,
                "request": e.request,
                "response": e.response,
            })),
        })
    }
}
