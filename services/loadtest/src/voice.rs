//! The phone scenario (issue: the phone): TwiML webhooks. The centre's router runs in this
//! process on 127.0.0.1:0 exactly as `baylanys serve` builds it, with a Kazakh voice menu. `calls`
//! calls each go the way a provider drives them — arrival (the menu), a key (into the queue),
//! three wait ticks (the announcement, then silences), the end (lost in the queue) — posted by
//! `concurrency` clients, each request signed with `X-Twilio-Signature` as the provider signs it.
//! Measured per kind of request: requests/s and the time to the TwiML answer, p50/p99. Side by
//! side in the same run, the ceiling: a bare axum handler that checks the signature and answers
//! a fixed TwiML document. Checked: every call has its appeal and its contact ended as lost.

use std::sync::Arc;
use std::time::Duration;

use anyhow::bail;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use baylanys_domain::voice::{IvrMenu, MenuAction, MenuOption, Prompt};
use baylanys_domain::Language;
use baylanys_store::Actor;
use sqlx::Connection;

use crate::{drive, Args, Run};

const TOKEN: &str = "benchmark-twilio-auth-token";
const PUBLIC: &str = "https://centre.example";

async fn serve(app: axum::Router) -> anyhow::Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .await
    });
    Ok(base)
}

/// The ceiling: the signature checked, a fixed answer.
async fn bare(uri: axum::http::Uri, headers: HeaderMap, body: Bytes) -> (StatusCode, &'static str) {
    let params: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let url = format!(
        "{PUBLIC}{}",
        uri.path_and_query().map_or("", |p| p.as_str())
    );
    let given = headers
        .get("x-twilio-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if baylanys_channels::twiml::signature_matches(TOKEN, &url, &params, given) {
        (
            StatusCode::OK,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Pause length=\"3\"/></Response>",
        )
    } else {
        (StatusCode::UNAUTHORIZED, "")
    }
}

/// One provider request: the path under the public URL and its form parameters.
#[derive(Clone)]
struct Request {
    path: String,
    params: Vec<(String, String)>,
}

impl Request {
    fn new(path: &str, params: &[(&str, String)]) -> Self {
        Request {
            path: path.to_owned(),
            params: params
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
        }
    }
}

/// One signed request; its time to the answer.
async fn send(http: &reqwest::Client, base: &str, r: &Request) -> anyhow::Result<Duration> {
    let signature =
        baylanys_channels::twiml::signature(TOKEN, &format!("{PUBLIC}{}", r.path), &r.params);
    let body = {
        let mut b = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &r.params {
            b.append_pair(k, v);
        }
        b.finish()
    };
    let t = std::time::Instant::now();
    let res = http
        .post(format!("{base}{}", r.path))
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-twilio-signature", signature)
        .body(body)
        .send()
        .await?;
    if res.status() != 200 {
        bail!("{} answered {}", r.path, res.status());
    }
    res.bytes().await?;
    Ok(t.elapsed())
}

/// Sends every request: at `rate` a second on a fixed schedule (open loop: a slow answer does
/// not slow the next request, as with a provider's calls), or as fast as `concurrency` clients
/// get answers when `rate` is 0.
async fn post_all(
    http: &reqwest::Client,
    base: &str,
    requests: Arc<Vec<Request>>,
    concurrency: usize,
    rate: u32,
) -> anyhow::Result<Run> {
    if rate == 0 {
        let http = http.clone();
        let base = base.to_owned();
        return drive(requests.len(), concurrency, move |i| {
            let http = http.clone();
            let base = base.clone();
            let requests = requests.clone();
            async move { send(&http, &base, &requests[i]).await.map(|_| ()) }
        })
        .await;
    }
    let start = tokio::time::Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..requests.len() {
        tokio::time::sleep_until(start + Duration::from_secs_f64(i as f64 / f64::from(rate))).await;
        let (http, base, requests) = (http.clone(), base.to_owned(), requests.clone());
        tasks.spawn(async move { send(&http, &base, &requests[i]).await });
    }
    let mut latencies = Vec::with_capacity(requests.len());
    while let Some(r) = tasks.join_next().await {
        latencies.push(r??);
    }
    Ok(Run {
        count: requests.len(),
        elapsed: start.elapsed(),
        latencies,
    })
}

pub async fn run(args: &Args, url: String) -> anyhow::Result<()> {
    let store = baylanys_store::connect(&url).await?;
    store.migrate().await?;
    store
        .save_ivr_menu(
            IvrMenu {
                key: "main".into(),
                language: Language::Kk,
                prompt: Prompt {
                    text: Some("Сәлеметсіз бе! Жұмыс уақыты — 1, оператор — 2.".into()),
                    audio_url: None,
                },
                options: vec![
                    MenuOption {
                        digit: "1".into(),
                        label: "Жұмыс уақыты".into(),
                        action: MenuAction::Answer {
                            prompt: Prompt {
                                text: Some("09:00–18:00".into()),
                                audio_url: None,
                            },
                        },
                    },
                    MenuOption {
                        digit: "2".into(),
                        label: "Оператор".into(),
                        action: MenuAction::Operator {
                            topic_id: None,
                            queue_id: None,
                        },
                    },
                ],
                timeout_secs: 6,
                retries: 2,
            },
            None,
            Actor::SYSTEM,
        )
        .await?;
    let config = baylanys_api::ApiConfig {
        public_url: PUBLIC.into(),
        twilio_auth_token: Some(baylanys_api::Secret(TOKEN.into())),
        ..baylanys_api::ApiConfig::default()
    };
    let state = baylanys_api::AppState::new(store.clone(), config)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let base = serve(baylanys_api::app(state)).await?;
    let ceiling = serve(axum::Router::new().fallback(axum::routing::post(bare))).await?;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(args.concurrency)
        .timeout(Duration::from_secs(120))
        .build()?;

    let n = args.calls;
    let sid = |i: usize| format!("CA{i:032}");
    let hook = |h: &str| format!("/webhooks/voice/twilio/{h}");
    let phases: Vec<(&str, Vec<Request>)> = vec![
        (
            "arrival → the menu",
            (0..n)
                .map(|i| {
                    Request::new(
                        &hook("incoming"),
                        &[
                            ("CallSid", sid(i)),
                            ("From", format!("+7701{:07}", i)),
                            ("To", "+77172000000".into()),
                        ],
                    )
                })
                .collect(),
        ),
        (
            "key 2 → into the queue",
            (0..n)
                .map(|i| {
                    Request::new(
                        &format!("{}?step=1", hook("gather")),
                        &[("CallSid", sid(i)), ("Digits", "2".into())],
                    )
                })
                .collect(),
        ),
        (
            "wait ticks (announcement, silences)",
            (0..3 * n)
                .map(|j| {
                    Request::new(
                        &hook("wait"),
                        &[
                            ("CallSid", sid(j % n)),
                            ("QueueTime", format!("{}", 3 * (j / n))),
                        ],
                    )
                })
                .collect(),
        ),
        (
            "hang-up in the queue (lost)",
            (0..n)
                .map(|i| {
                    Request::new(
                        &hook("status"),
                        &[("CallSid", sid(i)), ("CallStatus", "completed".into())],
                    )
                })
                .collect(),
        ),
    ];
    if args.mixed && args.rate > 0 {
        interleaved(args, &http, &base, &ceiling, &phases).await?;
        return check(&url, n).await;
    }
    let pace = if args.rate == 0 {
        format!("{} clients as fast as answered", args.concurrency)
    } else {
        format!("{} requests/s on a fixed schedule", args.rate)
    };
    println!(
        "phone, TwiML webhooks: {n} calls, {} requests, {pace}, backend {:?}",
        6 * n,
        args.backend
    );
    println!(
        "| requests | ours req/s | ours p50 ms | ours p99 ms | ceiling req/s | ceiling p99 ms |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    let mut all_ours = Vec::new();
    let (mut ours_time, mut bare_time) = (Duration::ZERO, Duration::ZERO);
    for (name, requests) in phases {
        let requests = Arc::new(requests);
        let ours = post_all(&http, &base, requests.clone(), args.concurrency, args.rate).await?;
        let bare_run = post_all(&http, &ceiling, requests, args.concurrency, args.rate).await?;
        println!(
            "| {name} | {:.0} | {:.2} | {:.2} | {:.0} | {:.2} |",
            ours.rate(),
            ours.pct(0.5),
            ours.pct(0.99),
            bare_run.rate(),
            bare_run.pct(0.99)
        );
        ours_time += ours.elapsed;
        bare_time += bare_run.elapsed;
        all_ours.extend(ours.latencies);
    }
    let total = Run {
        count: all_ours.len(),
        elapsed: ours_time,
        latencies: all_ours,
    };
    println!(
        "| **all** | **{:.0}** | {:.2} | **{:.2}** | {:.0} | |",
        total.rate(),
        total.pct(0.5),
        total.pct(0.99),
        total.count as f64 / bare_time.as_secs_f64()
    );
    println!(
        "calls/s through the whole course: {:.0}",
        n as f64 / ours_time.as_secs_f64()
    );

    check(&url, n).await
}

/// One call's requests in order, each at its slot `gap` after the last (or after the last
/// answer, when that came later); each request's time and the index of its kind.
async fn one_call(
    http: reqwest::Client,
    base: String,
    requests: Vec<(usize, Request)>,
    start: tokio::time::Instant,
    gap: Duration,
) -> anyhow::Result<Vec<(usize, Duration)>> {
    let mut out = Vec::with_capacity(requests.len());
    for (k, (kind, r)) in requests.into_iter().enumerate() {
        tokio::time::sleep_until(start + gap * k as u32).await;
        out.push((kind, send(&http, &base, &r).await?));
    }
    Ok(out)
}

/// Interleaved traffic: call `i` starts at `i × 6 / rate` s, so requests of every kind arrive
/// together at `rate` a second in all, as a provider's calls in progress do.
async fn run_interleaved(
    args: &Args,
    http: &reqwest::Client,
    base: &str,
    calls: &[Vec<(usize, Request)>],
) -> anyhow::Result<(Duration, Vec<Vec<Duration>>)> {
    let every = Duration::from_secs_f64(6.0 / f64::from(args.rate));
    let gap = Duration::from_millis(args.call_gap_ms);
    let start = tokio::time::Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for (i, c) in calls.iter().enumerate() {
        let at = start + every * i as u32;
        tokio::time::sleep_until(at).await;
        tasks.spawn(one_call(http.clone(), base.to_owned(), c.clone(), at, gap));
    }
    let mut by_kind: Vec<Vec<Duration>> = vec![Vec::new(); 4];
    while let Some(r) = tasks.join_next().await {
        for (kind, d) in r?? {
            by_kind[kind].push(d);
        }
    }
    Ok((start.elapsed(), by_kind))
}

async fn interleaved(
    args: &Args,
    http: &reqwest::Client,
    base: &str,
    ceiling: &str,
    phases: &[(&str, Vec<Request>)],
) -> anyhow::Result<()> {
    let n = args.calls;
    // Call i's requests: its arrival, its key, its three ticks, its end.
    let calls: Vec<Vec<(usize, Request)>> = (0..n)
        .map(|i| {
            let mut c = vec![(0, phases[0].1[i].clone()), (1, phases[1].1[i].clone())];
            c.extend((0..3).map(|t| (2, phases[2].1[t * n + i].clone())));
            c.push((3, phases[3].1[i].clone()));
            c
        })
        .collect();
    println!(
        "phone, TwiML webhooks interleaved: {n} calls, {} requests, {} requests/s in all (a call every {:.1} ms, its requests {} ms apart), backend {:?}",
        6 * n,
        args.rate,
        6000.0 / f64::from(args.rate),
        args.call_gap_ms,
        args.backend
    );
    let (ours_time, ours) = run_interleaved(args, http, base, &calls).await?;
    let (_, bare) = run_interleaved(args, http, ceiling, &calls).await?;
    println!("| requests | ours p50 ms | ours p99 ms | ceiling p99 ms |");
    println!("|---|---:|---:|---:|");
    let run = |l: &Vec<Duration>| Run {
        count: l.len(),
        elapsed: ours_time,
        latencies: l.clone(),
    };
    for (k, (name, _)) in phases.iter().enumerate() {
        println!(
            "| {name} | {:.2} | {:.2} | {:.2} |",
            run(&ours[k]).pct(0.5),
            run(&ours[k]).pct(0.99),
            run(&bare[k]).pct(0.99)
        );
    }
    let all: Vec<Duration> = ours.concat();
    let all_bare: Vec<Duration> = bare.concat();
    println!(
        "| **all** | {:.2} | **{:.2}** | {:.2} |",
        run(&all).pct(0.5),
        run(&all).pct(0.99),
        run(&all_bare).pct(0.99)
    );
    println!(
        "{} requests answered in {:.1} s: {} a second in the steady middle, a ramp of {:.1} s at each end",
        all.len(),
        ours_time.as_secs_f64(),
        args.rate,
        5.0 * args.call_gap_ms as f64 / 1000.0
    );
    Ok(())
}

/// Every call once, each lost in the queue.
async fn check(url: &str, n: usize) -> anyhow::Result<()> {
    let sql = "SELECT COUNT(*), COUNT(*) FILTER (WHERE i.state = 'abandoned') FROM calls c \
               JOIN interactions i ON i.id = c.interaction_id";
    let sql_lite =
        "SELECT COUNT(*), SUM(CASE WHEN i.state = 'abandoned' THEN 1 ELSE 0 END) FROM calls c \
                    JOIN interactions i ON i.id = c.interaction_id";
    let (count, lost): (i64, i64) = if url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(url).await?;
        sqlx::query_as(sql_lite).fetch_one(&mut c).await?
    } else {
        let mut c = sqlx::PgConnection::connect(url).await?;
        sqlx::query_as(sql).fetch_one(&mut c).await?
    };
    println!("calls stored {count}, lost in the queue {lost}");
    if count != n as i64 || lost != n as i64 {
        bail!("{count} calls ({lost} lost) for {n}");
    }
    Ok(())
}
