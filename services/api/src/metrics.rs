//! Prometheus metrics without a metrics framework: request counts and latency histograms per
//! route template (never the raw path, which would explode cardinality).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;

const BUCKETS: [f64; 11] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

#[derive(Debug, Default)]
struct Series {
    count: u64,
    sum: f64,
    buckets: [u64; BUCKETS.len()],
}

#[derive(Debug, Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    latency: Mutex<BTreeMap<(String, String), Series>>,
}

impl Metrics {
    fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        if let Ok(mut m) = self.requests.lock() {
            *m.entry((method.to_owned(), route.to_owned(), status))
                .or_default() += 1;
        }
        if let Ok(mut m) = self.latency.lock() {
            let s = m.entry((method.to_owned(), route.to_owned())).or_default();
            s.count += 1;
            s.sum += seconds;
            for (i, le) in BUCKETS.iter().enumerate() {
                if seconds <= *le {
                    s.buckets[i] += 1;
                }
            }
        }
    }

    /// Renders the Prometheus text exposition format.
    pub fn render(&self, backend: &str, db_up: bool) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP baylanys_build_info Build and backend of this node."
        );
        let _ = writeln!(out, "# TYPE baylanys_build_info gauge");
        let _ = writeln!(
            out,
            "baylanys_build_info{{version=\"{}\",backend=\"{backend}\"}} 1",
            env!("CARGO_PKG_VERSION")
        );
        let _ = writeln!(
            out,
            "# HELP baylanys_database_up Whether the database answered a ping."
        );
        let _ = writeln!(out, "# TYPE baylanys_database_up gauge");
        let _ = writeln!(out, "baylanys_database_up {}", u8::from(db_up));
        let _ = writeln!(
            out,
            "# HELP baylanys_http_requests_total HTTP requests by route and status."
        );
        let _ = writeln!(out, "# TYPE baylanys_http_requests_total counter");
        if let Ok(m) = self.requests.lock() {
            for ((method, route, status), n) in m.iter() {
                let _ = writeln!(
                    out,
                    "baylanys_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {n}"
                );
            }
        }
        let _ = writeln!(
            out,
            "# HELP baylanys_http_request_duration_seconds HTTP request latency."
        );
        let _ = writeln!(
            out,
            "# TYPE baylanys_http_request_duration_seconds histogram"
        );
        if let Ok(m) = self.latency.lock() {
            for ((method, route), s) in m.iter() {
                let labels = format!("method=\"{method}\",route=\"{route}\"");
                for (le, n) in BUCKETS.iter().zip(s.buckets.iter()) {
                    let _ = writeln!(
                        out,
                        "baylanys_http_request_duration_seconds_bucket{{{labels},le=\"{le}\"}} {n}"
                    );
                }
                let _ = writeln!(
                    out,
                    "baylanys_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                    s.count
                );
                let _ = writeln!(
                    out,
                    "baylanys_http_request_duration_seconds_sum{{{labels}}} {}",
                    s.sum
                );
                let _ = writeln!(
                    out,
                    "baylanys_http_request_duration_seconds_count{{{labels}}} {}",
                    s.count
                );
            }
        }
        out
    }
}

/// The method as a label: the standard ones by name, anything else `other`, so made-up methods
/// cannot grow the metrics (every label value is bounded; the route is the matched template).
fn method_label(method: &axum::http::Method) -> &'static str {
    use axum::http::Method as M;
    match *method {
        M::GET => "GET",
        M::POST => "POST",
        M::PUT => "PUT",
        M::PATCH => "PATCH",
        M::DELETE => "DELETE",
        M::HEAD => "HEAD",
        M::OPTIONS => "OPTIONS",
        M::CONNECT => "CONNECT",
        M::TRACE => "TRACE",
        _ => "other",
    }
}

pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let method = method_label(req.method());
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let start = Instant::now();
    let res = next.run(req).await;
    state.metrics.observe(
        method,
        &route,
        res.status().as_u16(),
        start.elapsed().as_secs_f64(),
    );
    res
}
