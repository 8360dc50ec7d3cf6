//! The reports scenario (issue 6's benchmark): a log from 1 January 2026 up to the hour before
//! the run is seeded in bulk — the shapes the product writes: an appeal, its contact (a call
//! queued after the voice menu or a web chat) in one of 4 queues and 20 topics, the answer by one
//! of 40 operators or the abandonment, messages, the end, the resolution, some surveys. The server
//! keeps each day's KPI totals in the background as `baylanys serve` does. Timed through the HTTP
//! API, alone and while messages are ingested at a fixed rate: the half-year БОҚБЕ report
//! (2026-H1), a 30-day KPI query aligned to UTC days, and the console's 30-day dashboard up to
//! now (per-day series, the period's KPIs, per queue and operator) — today and the unsettled
//! week included. Seeding writes rows directly (it is the fixture, not the subject); everything
//! measured goes through the API.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use chrono::{DateTime, TimeZone, Utc};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::Args;

/// One event row as the store writes it.
type Row = (
    DateTime<Utc>,
    &'static str,
    Option<Uuid>,
    Option<Uuid>,
    Option<Uuid>,
    Value,
);

/// Who and what the seeded contacts are about: operators, queues, topics.
struct Cast {
    operators: Vec<Uuid>,
    queues: Vec<Uuid>,
    topics: Vec<Uuid>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
}

impl Cast {
    fn new(to: DateTime<Utc>) -> Cast {
        let ids = |n: usize| (0..n).map(|_| Uuid::now_v7()).collect();
        Cast {
            operators: ids(40),
            queues: ids(4),
            topics: ids(20),
            from: Utc
                .with_ymd_and_hms(2026, 1, 1, 4, 0, 0)
                .single()
                .unwrap_or_default(),
            to,
        }
    }
}

/// A deterministic stream of events for appeal `i` of `appeals` spread over the cast's span.
fn appeal_events(i: usize, appeals: usize, cast: &Cast) -> Vec<Row> {
    let span = (cast.to - cast.from).num_seconds().max(1);
    let at = cast.from + chrono::Duration::seconds((i as i64 * span) / appeals.max(1) as i64);
    let s = |secs: i64| at + chrono::Duration::seconds(secs);
    let (appeal, client, contact) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    let pick = |v: &[Uuid], k: usize| v.get(k % v.len().max(1)).copied();
    let op = pick(&cast.operators, i / 7);
    let queue = pick(&cast.queues, i / 3);
    let topic = pick(&cast.topics, i / 11);
    let voice = i % 5 < 3;
    let channel = if voice { "voice" } else { "web_chat" };
    let mut out: Vec<Row> = vec![
        (
            at,
            "appeal.created",
            Some(appeal),
            Some(client),
            None,
            json!({"kind": "request", "channel": channel, "language": if i.is_multiple_of(2) { "kk" } else { "ru" }, "priority": 3, "topic_id": topic, "queue_id": queue}),
        ),
        (
            at,
            "interaction.started",
            Some(appeal),
            None,
            Some(contact),
            json!({"channel": channel, "direction": "inbound", "state": "queued", "queue_id": queue}),
        ),
    ];
    if voice && i.is_multiple_of(10) {
        out.push((s(20 + (i % 60) as i64), "interaction.updated", Some(appeal), None, Some(contact),
                  json!({"from": "queued", "state": "abandoned", "operator_id": null, "channel": channel})));
        return out;
    }
    let wait = 10 + (i % 90) as i64;
    out.push((
        s(wait),
        "interaction.updated",
        Some(appeal),
        None,
        Some(contact),
        json!({"from": "queued", "state": "answered", "operator_id": op, "channel": channel}),
    ));
    for m in 0..3 {
        // As the store writes it (the typed `message.added` the KPI engine reads).
        let (author, direction) = if m % 2 == 0 {
            ("client", "inbound")
        } else {
            ("operator", "outbound")
        };
        out.push((
            s(wait + 30 * (m + 1)),
            "message.added",
            Some(appeal),
            None,
            Some(contact),
            json!({"message_id": Uuid::now_v7(), "seq": m + 1, "author": author, "kind": "text",
                         "channel": channel, "direction": direction}),
        ));
    }
    out.push((
        s(wait + 300),
        "interaction.updated",
        Some(appeal),
        None,
        Some(contact),
        json!({"from": "answered", "state": "ended", "operator_id": op, "channel": channel}),
    ));
    out.push((s(wait + 310), "appeal.status_changed", Some(appeal), Some(client), None,
              json!({"from": "in_progress", "to": "answered", "reason": null, "first_contact_resolved": null})));
    if i.is_multiple_of(3) {
        out.push((s(wait + 400), "survey.answered", Some(appeal), Some(client), None,
                  json!({"score": 3 + (i % 3), "channel": channel, "assignee_id": op, "commented": false})));
    }
    out
}

async fn seed(url: &str, events: usize, cast: &Cast) -> anyhow::Result<usize> {
    // As many appeals as make `events` at the shapes' average (about 8.7 events each).
    let sample = 1000;
    let per: usize = (0..sample)
        .map(|i| appeal_events(i, sample, cast).len())
        .sum();
    let appeals = (events * sample).div_ceil(per.max(1)).max(1);
    let mut written = 0;
    let mut batch: Vec<Row> = Vec::with_capacity(2000);
    let sqlite = url.starts_with("sqlite");
    let (lite, pg) = if sqlite {
        (Some(sqlx::SqlitePool::connect(url).await?), None)
    } else {
        (None, Some(sqlx::PgPool::connect(url).await?))
    };
    macro_rules! flush {
        ($pool:expr, $db:ty) => {{
            let mut qb = sqlx::QueryBuilder::<$db>::new(
                "INSERT INTO events (at, kind, appeal_id, client_id, interaction_id, data) ",
            );
            qb.push_values(batch.drain(..), |mut b, (at, kind, a, c, i, d)| {
                b.push_bind(at)
                    .push_bind(kind)
                    .push_bind(a)
                    .push_bind(c)
                    .push_bind(i)
                    .push_bind(sqlx::types::Json(d));
            });
            qb.build().execute($pool).await?;
        }};
    }
    for i in 0..appeals {
        let rows = appeal_events(i, appeals, cast);
        written += rows.len();
        batch.extend(rows);
        if batch.len() >= 1800 {
            if let Some(p) = &lite {
                flush!(p, sqlx::Sqlite)
            } else if let Some(p) = &pg {
                flush!(p, sqlx::Postgres)
            }
        }
    }
    if !batch.is_empty() {
        if let Some(p) = &lite {
            flush!(p, sqlx::Sqlite)
        } else if let Some(p) = &pg {
            flush!(p, sqlx::Postgres)
        }
    }
    if let Some(p) = &pg {
        sqlx::query("ANALYZE events").execute(p).await?;
    }
    Ok(written)
}

async fn timed(http: &reqwest::Client, url: &str, token: &str) -> anyhow::Result<Duration> {
    let t = Instant::now();
    let r = http.get(url).bearer_auth(token).send().await?;
    if !r.status().is_success() {
        bail!(
            "{url}: {} {}",
            r.status(),
            r.text().await.unwrap_or_default()
        );
    }
    r.bytes().await?;
    Ok(t.elapsed())
}

/// The dashboard's requests, one after another as the console makes them on opening.
async fn timed_all(
    http: &reqwest::Client,
    urls: &[String],
    token: &str,
) -> anyhow::Result<Duration> {
    let mut total = Duration::ZERO;
    for url in urls {
        total += timed(http, url, token).await?;
    }
    Ok(total)
}

fn median(mut v: Vec<Duration>) -> f64 {
    v.sort();
    v.get(v.len() / 2)
        .map(|d| d.as_secs_f64() * 1000.0)
        .unwrap_or(0.0)
}

/// Posts messages at `rate` per second for `secs`; returns (sent, elapsed).
async fn ingest(
    http: reqwest::Client,
    base: String,
    token: Arc<String>,
    appeals: Arc<Vec<Uuid>>,
    rate: u32,
    secs: u64,
) -> anyhow::Result<(usize, Duration)> {
    let start = Instant::now();
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / f64::from(rate.max(1))));
    let mut tasks = tokio::task::JoinSet::new();
    let mut n = 0usize;
    while start.elapsed() < Duration::from_secs(secs) {
        tick.tick().await;
        let (http, base, token, appeals) =
            (http.clone(), base.clone(), token.clone(), appeals.clone());
        let i = n;
        tasks.spawn(async move {
            let a = appeals[i % appeals.len()];
            let r = http
                .post(format!("{base}/api/v1/appeals/{a}/messages"))
                .bearer_auth(token.as_str())
                .json(&json!({"body": format!("хабар {i}"), "author": "client"}))
                .send()
                .await?;
            anyhow::ensure!(r.status().is_success(), "message: {}", r.status());
            Ok(())
        });
        n += 1;
    }
    while let Some(r) = tasks.join_next().await {
        r??;
    }
    Ok((n, start.elapsed()))
}

pub async fn run(args: &Args, url: String, events: usize) -> anyhow::Result<()> {
    let store = baylanys_store::connect(&url).await?;
    store.migrate().await?;
    baylanys_api::create_account(
        store.as_ref(),
        baylanys_api::HashCost::default(),
        baylanys_proto::CreateStaff {
            login: "bench".into(),
            password: "bench-password".into(),
            display_name: "Bench".into(),
            role: baylanys_domain::Role::Admin,
            body_id: None,
            languages: vec![],
            skills: vec![],
        },
        baylanys_store::Actor::SYSTEM,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let t = Instant::now();
    let cast = Cast::new(Utc::now() - chrono::Duration::hours(1));
    let written = seed(&url, events, &cast).await?;
    println!(
        "seeded {written} events in {:.1} s ({:?})",
        t.elapsed().as_secs_f64(),
        args.backend
    );

    let state = baylanys_api::AppState::new(store.clone(), baylanys_api::ApiConfig::default())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let app = baylanys_api::app(state);
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
    });
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(1800))
        .build()?;
    let login: Value = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"login": "bench", "password": "bench-password"}))
        .send()
        .await?
        .json()
        .await?;
    let token = Arc::new(login["token"].as_str().context("no token")?.to_owned());
    let client: Value = http
        .post(format!("{base}/api/v1/clients"))
        .bearer_auth(token.as_str())
        .json(&json!({"name": "Жүктеме", "language": "kk"}))
        .send()
        .await?
        .json()
        .await?;
    let mut appeals = Vec::new();
    for _ in 0..50 {
        let r: Value = http
            .post(format!("{base}/api/v1/appeals"))
            .bearer_auth(token.as_str())
            .json(&json!({"client_id": client["id"], "kind": "request", "channel": "web_chat"}))
            .send()
            .await?
            .json()
            .await?;
        appeals.push(r["id"].as_str().context("no appeal")?.parse::<Uuid>()?);
    }
    let appeals = Arc::new(appeals);
    let report = format!("{base}/api/v1/reports/boqbe/2026-H1?lang=kk");
    let utc30 = format!("{base}/api/v1/kpis?from=2026-06-01T00:00:00Z&to=2026-07-01T00:00:00Z");
    // The console's dashboard: the last 30 local days up to today, Almaty midnights.
    let tomorrow = (Utc::now() + chrono::Duration::hours(5)).date_naive() + chrono::Days::new(1);
    let to = tomorrow.and_time(chrono::NaiveTime::MIN).and_utc() - chrono::Duration::hours(5);
    let from = to - chrono::Duration::days(30);
    let period = format!(
        "from={}&to={}",
        from.format("%Y-%m-%dT%H:%M:%SZ"),
        to.format("%Y-%m-%dT%H:%M:%SZ")
    );
    let dashboard = Arc::new(vec![
        format!("{base}/api/v1/kpis/series?{period}"),
        format!("{base}/api/v1/kpis?{period}"),
        format!("{base}/api/v1/kpis/breakdown?{period}"),
    ]);

    // The first report computes each day's totals from the log and keeps them.
    let cold = timed(&http, &report, &token).await?;
    println!(
        "first half-year report (days computed and kept): {:.0} ms",
        cold.as_secs_f64() * 1000.0
    );
    // Then the keeper does the rest of the year as `baylanys serve` does on start, and goes on
    // refreshing today and the unsettled days while everything below is measured.
    let refresh = chrono::Duration::seconds(60);
    let t = Instant::now();
    let (days, _) = baylanys_reports::kept::keep(store.as_ref(), refresh)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    println!(
        "keeper's first pass: {days} more days computed and kept in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    let keeper = {
        let store = store.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(30));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                let t = Instant::now();
                if let Ok((days, _)) = baylanys_reports::kept::keep(store.as_ref(), refresh).await {
                    println!(
                        "  keeper pass: {days} days refreshed in {:.0} ms",
                        t.elapsed().as_secs_f64() * 1000.0
                    );
                }
            }
        })
    };
    // Alone.
    let (mut rep, mut utc, mut dash) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..5 {
        rep.push(timed(&http, &report, &token).await?);
        utc.push(timed(&http, &utc30, &token).await?);
        dash.push(timed_all(&http, &dashboard, &token).await?);
    }
    println!(
        "alone: half-year report median {:.0} ms, 30-day KPIs (UTC days) median {:.0} ms, \
         30-day dashboard up to now (series + KPIs + breakdown) median {:.0} ms",
        median(rep),
        median(utc),
        median(dash)
    );

    // Ingestion alone, then with the reports running in a loop.
    let rate = 500;
    let secs = args.seconds;
    let (n, e) = ingest(
        http.clone(),
        base.clone(),
        token.clone(),
        appeals.clone(),
        rate,
        secs,
    )
    .await?;
    let alone = n as f64 / e.as_secs_f64();
    println!("ingestion alone: {alone:.0} msg/s (target {rate})");
    let stop = Arc::new(AtomicBool::new(false));
    let loop_task = {
        let (http, token, stop, report, utc30, dashboard) = (
            http.clone(),
            token.clone(),
            stop.clone(),
            report.clone(),
            utc30.clone(),
            dashboard.clone(),
        );
        tokio::spawn(async move {
            let (mut rep, mut utc, mut dash) = (Vec::new(), Vec::new(), Vec::new());
            while !stop.load(Ordering::Relaxed) {
                rep.push(timed(&http, &report, &token).await?);
                utc.push(timed(&http, &utc30, &token).await?);
                dash.push(timed_all(&http, &dashboard, &token).await?);
            }
            anyhow::Ok((rep, utc, dash))
        })
    };
    let (n, e) = ingest(
        http.clone(),
        base.clone(),
        token.clone(),
        appeals.clone(),
        rate,
        secs,
    )
    .await?;
    stop.store(true, Ordering::Relaxed);
    let (rep, utc, dash) = loop_task.await??;
    keeper.abort();
    let busy = n as f64 / e.as_secs_f64();
    println!(
        "with reports: ingestion {busy:.0} msg/s ({:.0} % of alone); half-year report median \
         {:.0} ms over {} runs, 30-day KPIs (UTC days) median {:.0} ms, 30-day dashboard median \
         {:.0} ms",
        100.0 * busy / alone,
        median(rep.clone()),
        rep.len(),
        median(utc),
        median(dash)
    );
    Ok(())
}
