//! A worker's counters, and `/metrics` in Prometheus text format on a small listener.
//!
//! | metric | kind | meaning |
//! |---|---|---|
//! | `clearway_worker_filings_total{outcome}` | counter | `stored` (new decision), `duplicate` (the stored decision stands) |
//! | `clearway_worker_batches_total` | counter | committed batches |
//! | `clearway_worker_batch_seconds` | histogram | fetch-to-ack time of a batch |
//! | `clearway_worker_redeliveries_total` | counter | messages delivered more than once |
//! | `clearway_worker_dead_letters_total` | counter | messages moved to `CLEARWAY_DEAD` by this worker |
//! | `clearway_worker_store_retries_total` | counter | batches retried after a store or connection error |
//! | `clearway_worker_lag_messages` | gauge | messages on the stream not yet acknowledged (all partitions) |
//! | `clearway_worker_config_info{set,hash}` | gauge | 1 for the configuration this worker runs |

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const BUCKETS: [f64; 10] = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

#[derive(Default)]
pub struct Metrics {
    pub stored: AtomicU64,
    pub duplicates: AtomicU64,
    pub batches: AtomicU64,
    pub redeliveries: AtomicU64,
    pub dead_letters: AtomicU64,
    pub store_retries: AtomicU64,
    pub lag: AtomicU64,
    batch_buckets: [AtomicU64; BUCKETS.len()],
    batch_sum_micros: AtomicU64,
    /// (configuration set, pipeline hash).
    pub config: Mutex<(String, String)>,
}

impl Metrics {
    pub fn observe_batch(&self, secs: f64) {
        for (b, c) in BUCKETS.iter().zip(&self.batch_buckets) {
            if secs <= *b {
                c.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.batch_sum_micros
            .fetch_add((secs * 1e6) as u64, Ordering::Relaxed);
        self.batches.fetch_add(1, Ordering::Relaxed);
    }

    /// Prometheus text exposition.
    pub fn render(&self) -> String {
        use std::fmt::Write;
        let g = |a: &AtomicU64| a.load(Ordering::Relaxed);
        let mut s = String::new();
        let _ = writeln!(
            s,
            "# TYPE clearway_worker_filings_total counter\n\
             clearway_worker_filings_total{{outcome=\"stored\"}} {}\n\
             clearway_worker_filings_total{{outcome=\"duplicate\"}} {}",
            g(&self.stored),
            g(&self.duplicates)
        );
        let _ = writeln!(
            s,
            "# TYPE clearway_worker_batches_total counter\nclearway_worker_batches_total {}",
            g(&self.batches)
        );
        let _ = writeln!(s, "# TYPE clearway_worker_batch_seconds histogram");
        for (b, c) in BUCKETS.iter().zip(&self.batch_buckets) {
            let _ = writeln!(
                s,
                "clearway_worker_batch_seconds_bucket{{le=\"{b}\"}} {}",
                g(c)
            );
        }
        let _ = writeln!(
            s,
            "clearway_worker_batch_seconds_bucket{{le=\"+Inf\"}} {n}\n\
             clearway_worker_batch_seconds_sum {}\nclearway_worker_batch_seconds_count {n}",
            g(&self.batch_sum_micros) as f64 / 1e6,
            n = g(&self.batches)
        );
        for (name, kind, v) in [
            (
                "clearway_worker_redeliveries_total",
                "counter",
                &self.redeliveries,
            ),
            (
                "clearway_worker_dead_letters_total",
                "counter",
                &self.dead_letters,
            ),
            (
                "clearway_worker_store_retries_total",
                "counter",
                &self.store_retries,
            ),
            ("clearway_worker_lag_messages", "gauge", &self.lag),
        ] {
            let _ = writeln!(s, "# TYPE {name} {kind}\n{name} {}", g(v));
        }
        let (set, hash) = self
            .config
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        let _ = writeln!(
            s,
            "# TYPE clearway_worker_config_info gauge\n\
             clearway_worker_config_info{{set=\"{set}\",hash=\"{hash}\"}} 1"
        );
        s
    }
}

/// Serve `GET /metrics` (any path answers the same) until the task is dropped.
pub async fn serve(listener: tokio::net::TcpListener, metrics: std::sync::Arc<Metrics>) {
    loop {
        let Ok((mut sock, _)) = listener.accept().await else {
            continue;
        };
        let m = metrics.clone();
        tokio::spawn(async move {
            let mut buf = [0u8; 2048];
            // One request per connection; the request itself is not needed beyond its arrival.
            let _ =
                tokio::time::timeout(std::time::Duration::from_secs(2), sock.read(&mut buf)).await;
            let body = m.render();
            let resp = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = sock.write_all(resp.as_bytes()).await;
            let _ = sock.shutdown().await;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_histogram_and_counters() {
        let m = Metrics::default();
        m.observe_batch(0.03);
        m.observe_batch(3.0);
        m.dead_letters.fetch_add(2, Ordering::Relaxed);
        let t = m.render();
        assert!(
            t.contains("clearway_worker_batch_seconds_bucket{le=\"0.05\"} 1"),
            "{t}"
        );
        assert!(
            t.contains("clearway_worker_batch_seconds_bucket{le=\"+Inf\"} 2"),
            "{t}"
        );
        assert!(t.contains("clearway_worker_dead_letters_total 2"), "{t}");
    }
}
