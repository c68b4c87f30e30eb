//! Prometheus text exposition: requests and latencies per route, decisions per lane, queue depth.
//! Counters are atomics and a small map behind a mutex; the text is written by hand (no client library
//! is needed for four families).

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Instant;

use crate::AppState;

/// Latency bucket bounds, seconds.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

#[derive(Default)]
pub struct Metrics {
    /// (method, route, status) → count.
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    /// (method, route) → latency histogram.
    latency: Mutex<BTreeMap<(String, String), Histogram>>,
    /// lane → decisions acknowledged by this process.
    lanes: Mutex<BTreeMap<String, u64>>,
}

impl Metrics {
    pub fn observe(&self, method: &str, route: &str, status: u16, secs: f64) {
        *self
            .requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry((method.into(), route.into(), status))
            .or_default() += 1;
        let mut l = self.latency.lock().unwrap_or_else(|e| e.into_inner());
        let h = l.entry((method.into(), route.into())).or_default();
        for (i, b) in BUCKETS.iter().enumerate() {
            if secs <= *b {
                h.counts[i] += 1;
            }
        }
        h.sum += secs;
        h.count += 1;
    }

    pub fn decided(&self, lane: &str, n: u64) {
        *self
            .lanes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(lane.into())
            .or_default() += n;
    }

    /// The exposition text; `queue_depth` is read from the store by the caller.
    pub fn render(&self, queue_depth: Option<u64>) -> String {
        let mut out = String::new();
        out.push_str(
            "# HELP clearway_http_requests_total HTTP requests by method, route and status.\n",
        );
        out.push_str("# TYPE clearway_http_requests_total counter\n");
        for ((m, r, s), n) in self
            .requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
        {
            let _ = writeln!(
                out,
                "clearway_http_requests_total{{method=\"{m}\",route=\"{r}\",status=\"{s}\"}} {n}"
            );
        }
        out.push_str("# HELP clearway_http_request_duration_seconds HTTP request latency by method and route.\n");
        out.push_str("# TYPE clearway_http_request_duration_seconds histogram\n");
        for ((m, r), h) in self
            .latency
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
        {
            for (b, c) in BUCKETS.iter().zip(h.counts) {
                let _ = writeln!(
                    out,
                    "clearway_http_request_duration_seconds_bucket{{method=\"{m}\",route=\"{r}\",le=\"{b}\"}} {c}"
                );
            }
            let _ = writeln!(
                out,
                "clearway_http_request_duration_seconds_bucket{{method=\"{m}\",route=\"{r}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "clearway_http_request_duration_seconds_sum{{method=\"{m}\",route=\"{r}\"}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "clearway_http_request_duration_seconds_count{{method=\"{m}\",route=\"{r}\"}} {}",
                h.count
            );
        }
        out.push_str(
            "# HELP clearway_decisions_total Decisions acknowledged by this server, per lane.\n",
        );
        out.push_str("# TYPE clearway_decisions_total counter\n");
        for (lane, n) in self.lanes.lock().unwrap_or_else(|e| e.into_inner()).iter() {
            let _ = writeln!(out, "clearway_decisions_total{{lane=\"{lane}\"}} {n}");
        }
        if let Some(q) = queue_depth {
            out.push_str("# HELP clearway_queue_depth Filings awaiting action (red and yellow, not yet examined).\n");
            out.push_str("# TYPE clearway_queue_depth gauge\n");
            let _ = writeln!(out, "clearway_queue_depth {q}");
        }
        out
    }
}

/// The middleware that counts every request by its route (not its raw path: ids stay out of labels).
pub async fn track(State(app): State<AppState>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().as_str().to_owned();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".into());
    let resp = next.run(req).await;
    app.metrics.observe(
        &method,
        &route,
        resp.status().as_u16(),
        start.elapsed().as_secs_f64(),
    );
    resp
}
