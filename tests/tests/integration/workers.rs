//! Workers under one supervisor: stopped between steps, never in the middle of one; a failed
//! worker shows in `/readyz` (503, problem+json naming it) until a step succeeds again; the
//! node's real workers — routing engine, outbox, deadline watch, KPI keeper — are listed there,
//! and their errors are for admins and supervisors only.

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use baylanys_store::{Actor, NewQueue, Store};
use baylanys_tests::{both, eventually, fresh_database, Backend, Reply, TestApp};
use baylanys_workers::{DeadlineWatch, KpiKeeper, Next, StepError, Worker};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use tokio::process::Command;

both!(
    stopped_worker_finishes_its_step,
    failed_worker_shows_in_readyz,
    readyz_lists_the_real_workers
);

async fn readyz(app: &TestApp) -> anyhow::Result<Reply> {
    app.call(Method::GET, "/readyz", None, None).await
}

/// The entry of the worker `name` in a list of workers' health.
fn entry<'a>(workers: &'a Value, name: &str) -> Option<&'a Value> {
    workers.as_array()?.iter().find(|w| w["name"] == name)
}

/// Each step takes a while, then writes a queue `step-<n>` to the store: its end is in the
/// store for everyone to see.
struct SlowWriter {
    store: Arc<dyn Store>,
    started: AtomicU32,
    ended: AtomicU32,
}

impl Worker for SlowWriter {
    async fn step(&self) -> Result<Next, StepError> {
        let n = self.started.fetch_add(1, Ordering::SeqCst) + 1;
        tokio::time::sleep(Duration::from_millis(300)).await;
        self.store
            .create_queue(
                NewQueue {
                    code: format!("step-{n}"),
                    name: format!("Step {n}"),
                },
                Actor::SYSTEM,
            )
            .await?;
        self.ended.fetch_add(1, Ordering::SeqCst);
        Ok(Next::Again)
    }

    async fn idle(&self) {}
}

async fn stopped_worker_finishes_its_step(app: TestApp) -> anyhow::Result<()> {
    let writer = Arc::new(SlowWriter {
        store: app.store.clone(),
        started: AtomicU32::new(0),
        ended: AtomicU32::new(0),
    });
    app.workers().spawn("slow_writer", writer.clone())?;
    // The second step is under way: one is done, and steps follow each other at once, so the
    // stop comes in the middle of one.
    eventually("a second step", || {
        let n = writer.started.load(Ordering::SeqCst);
        async move { Ok((n >= 2).then_some(())) }
    })
    .await?;
    assert!(
        app.workers().shutdown(Duration::from_secs(20)).await,
        "the workers did not stop"
    );
    let (started, ended) = (
        writer.started.load(Ordering::SeqCst),
        writer.ended.load(Ordering::SeqCst),
    );
    // The step under way when the stop came ran to its end, and none began after it.
    assert_eq!(started, ended, "a step was cut short");
    let mut written: Vec<String> = app
        .store
        .list_queues()
        .await?
        .into_iter()
        .map(|q| q.code)
        .filter(|c| c.starts_with("step-"))
        .collect();
    written.sort_by_key(|c| c.trim_start_matches("step-").parse::<u32>().unwrap_or(0));
    assert_eq!(
        written,
        (1..=ended).map(|n| format!("step-{n}")).collect::<Vec<_>>()
    );
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(writer.started.load(Ordering::SeqCst), started);
    // Stopped on purpose is not a failure: the node is still ready, every worker stopped.
    let r = readyz(&app).await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    for name in ["routing", "outbox", "slow_writer"] {
        assert_eq!(
            entry(&r.body["workers"], name).map(|w| &w["state"]),
            Some(&Value::from("stopped")),
            "{name}: {}",
            r.text
        );
    }
    Ok(())
}

/// Fails while told to, as a worker does whose database is gone.
#[derive(Default)]
struct Switch {
    failing: AtomicBool,
}

impl Worker for Switch {
    async fn step(&self) -> Result<Next, StepError> {
        if self.failing.load(Ordering::SeqCst) {
            return Err("the mailbox server refused the login".into());
        }
        Ok(Next::Wait)
    }

    async fn idle(&self) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn failed_worker_shows_in_readyz(app: TestApp) -> anyhow::Result<()> {
    let r = readyz(&app).await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let switch = Arc::new(Switch::default());
    switch.failing.store(true, Ordering::SeqCst);
    app.workers().spawn("switch", switch.clone())?;
    let r = eventually("readyz to fail", || async {
        let r = readyz(&app).await?;
        Ok((r.status == StatusCode::SERVICE_UNAVAILABLE).then_some(r))
    })
    .await?;
    assert!(
        r.content_type.starts_with("application/problem+json"),
        "{}",
        r.content_type
    );
    assert_eq!(r.problem(), "/problems/unavailable");
    let detail = r.body["detail"].as_str().unwrap_or_default();
    assert!(detail.contains("switch"), "{detail}");
    assert!(!detail.contains("routing"), "{detail}");
    let w = entry(&r.body["workers"], "switch").context("switch not listed")?;
    assert_eq!(w["state"], "failed", "{w}");
    assert!(w["consecutive_failures"].as_u64() >= Some(1), "{w}");
    assert!(w["last_error_at"].is_string(), "{w}");
    // The public endpoint leaves the error's text out; admins and supervisors read it.
    assert!(w.get("last_error").is_none(), "{w}");
    assert!(!r.text.contains("refused the login"), "{}", r.text);
    let (_, sup) = app.staff("sup", "supervisor", None).await?;
    let r = app.get("/api/v1/workers", &sup).await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let w = entry(&r.body, "switch").context("switch not listed")?;
    assert_eq!(w["last_error"], "the mailbox server refused the login");
    // The worker was never stopped: it retries after a back-off and is ready again once a step
    // succeeds.
    switch.failing.store(false, Ordering::SeqCst);
    let r = eventually("readyz to recover", || async {
        let r = readyz(&app).await?;
        Ok((r.status == StatusCode::OK).then_some(r))
    })
    .await?;
    let w = entry(&r.body["workers"], "switch").context("switch not listed")?;
    assert_eq!(w["state"], "running", "{w}");
    assert_eq!(w["consecutive_failures"], 0, "{w}");
    assert!(w["steps"].as_u64() >= Some(1), "{w}");
    Ok(())
}

const REAL: [&str; 9] = [
    "deadlines",
    "kpi_keeper",
    "mailboxes",
    "outbox",
    "recordings",
    "routing",
    "telegram",
    "telegram_queue_status",
    "wrap_up_limit",
];

/// Every one of the real workers is listed and has run a step.
fn all_running(workers: &Value) -> bool {
    REAL.iter().all(|name| {
        entry(workers, name)
            .is_some_and(|w| w["state"] == "running" && w["steps"].as_u64() >= Some(1))
    })
}

async fn readyz_lists_the_real_workers(app: TestApp) -> anyhow::Result<()> {
    // The harness runs the routing engine and the outbox; `serve` runs these two as well.
    app.workers().spawn(
        DeadlineWatch::NAME,
        Arc::new(DeadlineWatch::new(app.store.clone())),
    )?;
    app.workers().spawn(
        KpiKeeper::NAME,
        Arc::new(KpiKeeper::new(app.store.clone(), Duration::ZERO)),
    )?;
    app.workers().spawn(
        baylanys_workers::WrapUpLimit::NAME,
        Arc::new(baylanys_workers::WrapUpLimit::new(
            app.centre.clone(),
            Duration::from_secs(180),
        )),
    )?;
    let r = eventually("every worker running", || async {
        let r = readyz(&app).await?;
        Ok((r.status == StatusCode::OK && all_running(&r.body["workers"])).then_some(r))
    })
    .await?;
    let mut names: Vec<&str> = r.body["workers"]
        .as_array()
        .map(|a| a.iter().filter_map(|w| w["name"].as_str()).collect())
        .unwrap_or_default();
    names.sort_unstable();
    assert_eq!(names, REAL, "{}", r.text);
    for w in r.body["workers"].as_array().into_iter().flatten() {
        assert!(w["lag_ms"].is_u64() && w["started_at"].is_string(), "{w}");
    }
    // The supervisor view is for oversight.
    let (_, op) = app.staff("op", "operator", None).await?;
    let r = app.get("/api/v1/workers", &op).await?;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    assert_eq!(r.problem(), "/problems/forbidden");
    let r = app.call(Method::GET, "/api/v1/workers", None, None).await?;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = app.get("/api/v1/workers", app.admin()).await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert!(all_running(&r.body), "{}", r.text);
    Ok(())
}

/// `baylanys serve` starts its nine workers through the supervisor, shows them in `/readyz`,
/// and on SIGTERM stops them and exits cleanly.
async fn serve_supervises_its_workers(backend: Backend) -> anyhow::Result<()> {
    let (url, tmp) = fresh_database(backend).await?;
    let workdir = tmp.clone().unwrap_or_else(std::env::temp_dir);
    let node = crate::process::start_env(
        &url,
        Some("the-admin-password"),
        &workdir,
        "warn",
        None,
        &[],
    )
    .await?;
    let http = reqwest::Client::new();
    let ready = eventually("every worker running", || async {
        let r = http.get(format!("{}/readyz", node.base)).send().await?;
        let ok = r.status() == StatusCode::OK;
        let body: Value = r.json().await?;
        Ok((ok && all_running(&body["workers"])).then_some(body))
    })
    .await?;
    assert_eq!(
        ready["workers"].as_array().map(Vec::len),
        Some(REAL.len()),
        "{ready}"
    );
    let token = crate::process::login(&http, &node.base, "the-admin-password").await?;
    let r = http
        .get(format!("{}/api/v1/workers", node.base))
        .bearer_auth(&token)
        .send()
        .await?;
    assert_eq!(r.status(), StatusCode::OK);
    let pid = node.child.id().context("no pid")?;
    let status = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .await?;
    assert!(status.success());
    let mut child = node.child;
    let exit = tokio::time::timeout(Duration::from_secs(30), child.wait()).await??;
    assert!(exit.success(), "exit status {exit:?}");
    if let Some(dir) = tmp {
        let _ = std::fs::remove_dir_all(dir);
    }
    Ok(())
}

#[tokio::test]
async fn serve_supervises_its_workers_sqlite() -> anyhow::Result<()> {
    serve_supervises_its_workers(Backend::Sqlite).await
}

#[tokio::test]
async fn serve_supervises_its_workers_postgres() -> anyhow::Result<()> {
    serve_supervises_its_workers(Backend::Postgres).await
}
