//! Benchmark, not a timed test (issue "The phone": "200 concurrent SIPp calls in queue on one
//! node with announcements on time"): `BAYLANYS_BENCH_CALLS` callers (200 by default) dial
//! RustPBX at ten a second, press 2 for an operator and wait about 75 s with no operator free.
//! The PBX asks the centre's step webhook what to do at every step, through a timing proxy in
//! this test, so the time the PBX waits for each answer is measured where the PBX sees it. The
//! announcements come from the event log (`call.announced`): how late the first is after
//! entering the queue, and how far the second is past the minute. Run with
//! `cargo test --release -p baylanys-tests --test integration -- --ignored --nocapture
//! voice_load_benchmark` (SQLite; `BAYLANYS_BENCH_BACKEND=postgres` for PostgreSQL); figures go
//! to `target/bench/voice-pbx.json` and BENCHMARKS.md.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use baylanys_api::Secret;
use baylanys_tests::pbx::{kk_menu, Pbx};
use baylanys_tests::{Backend, TestApp};
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

const TOKEN: &str = "pbx-token-for-tests";

#[derive(Clone)]
struct Proxy {
    to: String,
    http: reqwest::Client,
    /// (path, milliseconds) of each answer.
    times: Arc<Mutex<Vec<(String, f64)>>>,
}

async fn forward(
    State(p): State<Proxy>,
    Path(path): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, Bytes) {
    let t = Instant::now();
    let mut req = p.http.post(format!("{}/{path}", p.to)).body(body);
    for name in ["content-type", "x-baylanys-token"] {
        if let Some(v) = headers.get(name) {
            req = req.header(name, v.clone());
        }
    }
    let answer = match req.send().await {
        Ok(r) => {
            let status =
                StatusCode::from_u16(r.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
            (status, r.bytes().await.unwrap_or_default())
        }
        Err(_) => (StatusCode::BAD_GATEWAY, Bytes::new()),
    };
    let ms = t.elapsed().as_secs_f64() * 1000.0;
    if let Ok(mut times) = p.times.lock() {
        times.push((path, ms));
    }
    answer
}

fn at(v: &Value) -> Option<DateTime<Utc>> {
    v.as_str().and_then(|s| s.parse().ok())
}

fn stats(mut v: Vec<f64>) -> Value {
    if v.is_empty() {
        return json!({"n": 0});
    }
    v.sort_by(f64::total_cmp);
    let q = |p: f64| v[((v.len() as f64 - 1.0) * p).round() as usize];
    json!({"n": v.len(), "p50": q(0.5), "p99": q(0.99), "max": v[v.len() - 1]})
}

#[tokio::test]
#[ignore = "a benchmark: run it on a quiet machine, see the module documentation"]
async fn voice_load_benchmark() -> anyhow::Result<()> {
    let calls: usize = std::env::var("BAYLANYS_BENCH_CALLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let mut config = baylanys_tests::test_config();
    config.rustpbx_token = Some(Secret(TOKEN.into()));
    // `BAYLANYS_BENCH_BACKEND=postgres` runs the same calls on PostgreSQL.
    let backend = match std::env::var("BAYLANYS_BENCH_BACKEND").as_deref() {
        Ok("postgres") => Backend::Postgres,
        _ => Backend::Sqlite,
    };
    let app = TestApp::spawn_with(backend, config).await?;
    app.default_queue().await?;
    let proxy = Proxy {
        to: format!("{}/webhooks/voice/rustpbx", app.base),
        http: reqwest::Client::builder()
            .pool_max_idle_per_host(256)
            .build()?,
        times: Arc::default(),
    };
    let router = axum::Router::new()
        .route("/hook/{*path}", axum::routing::post(forward))
        .with_state(proxy.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let hook = format!("http://{}/hook", listener.local_addr()?);
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    let pbx = Pbx::start(&hook, TOKEN).await?;
    kk_menu(&app, &pbx, None).await?;

    let started = Instant::now();
    let mut callers = Vec::with_capacity(calls);
    for i in 0..calls {
        callers.push(pbx.call(&format!("7701500{i:04}"), '2', 2000, 75_000)?);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut failed = 0;
    for mut c in callers {
        match tokio::time::timeout(Duration::from_secs(180), c.wait()).await {
            Ok(Ok(s)) if s.success() => {}
            _ => failed += 1,
        }
    }
    let took = started.elapsed().as_secs_f64();

    // What the calls heard, from the log.
    let told: Vec<Value> = app
        .get("/api/v1/events?kind=call.announced&limit=500", app.admin())
        .await?
        .body["items"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let appeals = app
        .get("/api/v1/appeals?channel=voice&limit=500", app.admin())
        .await?
        .body["items"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let (mut first_late, mut gap_late, mut queued, mut lost, mut twice) =
        (Vec::new(), Vec::new(), 0, 0, 0);
    let mut last_entered: Option<DateTime<Utc>> = None;
    let mut first_left: Option<DateTime<Utc>> = None;
    for a in &appeals {
        let id = a["id"].as_str().unwrap_or_default();
        let d = app
            .get(&format!("/api/v1/appeals/{id}"), app.admin())
            .await?
            .body;
        let c = &d["interactions"][0];
        let Some(entered) = at(&c["queued_at"]) else {
            continue;
        };
        queued += 1;
        lost += usize::from(c["state"] == "abandoned");
        last_entered = last_entered.max(Some(entered));
        if let Some(left) = at(&c["abandoned_at"]) {
            first_left = Some(first_left.map_or(left, |f: DateTime<Utc>| f.min(left)));
        }
        let mut mine: Vec<DateTime<Utc>> = told
            .iter()
            .filter(|e| e["interaction_id"] == c["id"])
            .filter_map(|e| at(&e["at"]))
            .collect();
        mine.sort();
        if let Some(first) = mine.first() {
            first_late.push((*first - entered).num_milliseconds() as f64);
        }
        if let [a, b, ..] = mine[..] {
            twice += 1;
            gap_late.push(((b - a).num_milliseconds() - 60_000) as f64);
        }
    }
    let times = proxy.times.lock().map(|t| t.clone()).unwrap_or_default();
    let step: Vec<f64> = times
        .iter()
        .filter(|(p, _)| p == "step")
        .map(|(_, ms)| *ms)
        .collect();
    let events: Vec<f64> = times
        .iter()
        .filter(|(p, _)| p == "events")
        .map(|(_, ms)| *ms)
        .collect();
    let all_waiting_at_once = matches!((last_entered, first_left), (Some(l), Some(f)) if l < f);
    let report = json!({
        "backend": format!("{backend:?}"),
        "calls": calls,
        "sipp_failed": failed,
        "seconds": took,
        "queued": queued,
        "lost": lost,
        "all_waiting_at_once": all_waiting_at_once,
        "announced_twice": twice,
        "first_announcement_after_entering_ms": stats(first_late),
        "second_announcement_past_the_minute_ms": stats(gap_late),
        "step_webhook_ms": stats(step),
        "event_webhook_ms": stats(events),
        "steps_per_second": times.len() as f64 / took,
    });
    println!("{}", serde_json::to_string_pretty(&report)?);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench");
    std::fs::create_dir_all(&dir)?;
    std::fs::write(
        dir.join("voice-pbx.json"),
        serde_json::to_string_pretty(&report)?,
    )?;
    Ok(())
}
