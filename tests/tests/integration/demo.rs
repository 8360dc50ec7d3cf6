//! `baylanys demo` as a newcomer runs it, against the real binary serving a fresh database: a
//! short run through the public API and the citizens' web chat leaves traffic that the server's
//! own event log, KPIs and БОҚБЕ report show — web chat, calls answered and lost, contacts
//! registered by staff, a survey answer, complaints and redirections — and takes its operators
//! off shift at the end.

use std::time::Duration;

use anyhow::Context;
use baylanys_tests::{fresh_database, Backend};
use chrono::{Datelike, Utc};
use serde_json::Value;
use tokio::process::Command;

use crate::process::{binary, login, start_env};

async fn get(http: &reqwest::Client, base: &str, token: &str, path: &str) -> anyhow::Result<Value> {
    let r = http
        .get(format!("{base}{path}"))
        .bearer_auth(token)
        .send()
        .await?;
    anyhow::ensure!(r.status() == 200, "{path}: {}", r.status());
    Ok(r.json().await?)
}

#[tokio::test]
async fn demo_brings_the_dashboard_to_life() -> anyhow::Result<()> {
    let (url, tmp) = fresh_database(Backend::Sqlite).await?;
    let workdir = tmp.clone().context("no temp dir")?;
    let node = start_env(
        &url,
        Some("the-admin-password"),
        &workdir,
        "warn",
        None,
        // Today's kept KPI totals are brought up to date every second (half the refresh): the
        // report below waits for the server's keeper to count the demo's traffic.
        &[("BAYLANYS_KPI_REFRESH_SECS", "2".to_owned())],
    )
    .await?;
    let from = Utc::now() - chrono::Duration::seconds(1);
    let run = Command::new(binary()?)
        .args([
            "demo",
            "--server",
            &node.base,
            "--minutes",
            "0.3",
            "--seed",
            "7",
        ])
        .env("BAYLANYS_ADMIN_PASSWORD", "the-admin-password")
        .env_remove("BAYLANYS_DEMO_PASSWORD")
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(Duration::from_secs(120), run)
        .await
        .context("the demo did not finish within 2 minutes")??;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("refused    0 steps"),
        "a clean server refuses nothing:\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("/console"), "{stdout}");
    let to = Utc::now() + chrono::Duration::seconds(1);

    let http = reqwest::Client::new();
    let admin = login(&http, &node.base, "the-admin-password").await?;
    let base = node.base.as_str();

    // The server's own figures, computed from the events the demo's traffic wrote.
    let fmt = |t: chrono::DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let k = get(
        &http,
        base,
        &admin,
        &format!("/api/v1/kpis?from={}&to={}", fmt(from), fmt(to)),
    )
    .await?;
    let by_channel = &k["appeals_by_channel"];
    let n = |v: &Value| v.as_u64().unwrap_or(0);
    assert!(n(&by_channel["web_chat"]) > 0, "{k}");
    assert!(n(&by_channel["voice"]) > 0, "{k}");
    assert!(
        n(&by_channel["email"]) + n(&by_channel["in_person"]) > 0,
        "{k}"
    );
    assert!(n(&k["calls_entered"]) > 0, "{k}");
    assert!(n(&k["calls_answered"]) > 0, "answered calls: {k}");
    assert!(n(&k["calls_lost"]) > 0, "lost calls: {k}");
    assert!(n(&k["csat_mean"]["count"]) > 0, "survey answers: {k}");
    assert!(n(&k["complaints_confirmed"]) > 0, "{k}");
    assert!(k["aht_minutes"]["value"].is_number(), "{k}");

    // The event log tells the same story, step by step.
    for kind in [
        "routing.accepted",
        "survey.answered",
        "complaint.registered",
        "complaint.reviewed",
        "complaint.decided",
        "appeal.redirected",
        "redirection.accepted",
        "appeal.extended",
    ] {
        let page = get(&http, base, &admin, &format!("/api/v1/events?kind={kind}")).await?;
        let items = page["items"].as_array().cloned().unwrap_or_default();
        assert!(!items.is_empty(), "no {kind} event");
        if kind == "survey.answered" {
            assert_eq!(items[0]["data"]["channel"], "web_chat", "{page}");
        }
    }

    // The half-year report has the contacts in it.
    let today = baylanys_domain::deadline::local_date(Utc::now());
    let half = format!(
        "{}-H{}",
        today.year(),
        if today.month() <= 6 { 1 } else { 2 }
    );
    let mut report = Value::Null;
    for _ in 0..40 {
        report = get(
            &http,
            base,
            &admin,
            &format!("/api/v1/reports/boqbe/{half}?lang=kk"),
        )
        .await?;
        if report["rows"][12]["amount"].as_f64().unwrap_or(0.0) > 0.0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let received = report["rows"][12]["amount"].as_f64().unwrap_or(0.0);
    assert!(received > 0.0, "row 13: {}", report["rows"][12]);

    // Off shift at the end: no citizen's chat is offered to a desk nobody plays.
    let live = get(&http, base, &admin, "/api/v1/routing/live").await?;
    let demo_ops: Vec<&Value> = live["operators"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|o| {
            o["login"]
                .as_str()
                .is_some_and(|l| l.starts_with("demo-op-"))
        })
        .collect();
    assert_eq!(demo_ops.len(), 4, "{live}");
    assert!(
        demo_ops.iter().all(|o| o["presence"] == "offline"),
        "{live}"
    );
    let _ = std::fs::remove_dir_all(workdir);
    Ok(())
}
