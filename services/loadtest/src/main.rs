//! Load tool for BENCHMARKS.md: creates appeals and appends messages through the HTTP API, then
//! inserts rows of the same size with raw sqlx into the same backend, in one run, and prints the
//! rates, latency percentiles and the API/raw ratio.
//!
//! The server runs in this process on 127.0.0.1:0 against a fresh database, exactly as
//! `baylanys serve` builds it; the client talks to it over real HTTP.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use baylanys_api::{ApiConfig, AppState};
use baylanys_store::Actor;
use clap::{Parser, ValueEnum};
use serde_json::{json, Value};
use sqlx::Connection;
use uuid::Uuid;

mod chat;
mod echo;
mod mail;
mod reports;
mod routing;
mod telegram;
mod voice;

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, Parser)]
#[command(about = "HTTP API vs raw sqlx insert, side by side")]
struct Args {
    #[arg(long, value_enum, default_value = "sqlite")]
    backend: Backend,
    /// Appeals to create (each also gets `messages` messages).
    #[arg(long, default_value_t = 2000)]
    appeals: usize,
    /// Messages per appeal.
    #[arg(long, default_value_t = 4)]
    messages: usize,
    /// Concurrent clients.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// `api` (appeals and messages through HTTP vs raw sqlx), `routing` (persisted routing
    /// passes with 1,000 operators and 10,000 waiting contacts) or `chat` (web-chat sockets of
    /// `baylanys serve` against a bare tokio-tungstenite echo server) or `reports` (the
    /// half-year report and a 30-day KPI query over seeded events, alone and while messages are
    /// ingested at 500/s), `mail` (a Dovecot mailbox synced by the mailbox poller against a
    /// bare IMAP fetch of the same mailbox), `telegram` (the bot webhook against a bare axum
    /// handler that only parses the update) or `voice` (calls through the TwiML webhooks against
    /// a bare handler that checks the signature).
    #[arg(long, default_value = "api")]
    scenario: String,
    /// reports: events to seed over the first half of 2026 (about 9 per appeal).
    #[arg(long, default_value_t = 1_000_000)]
    events: usize,
    /// chat: citizen sockets to hold at once.
    #[arg(long, default_value_t = 10_000)]
    sockets: usize,
    /// chat: conversations that exchange messages, followed by the staff sockets.
    #[arg(long, default_value_t = 200)]
    conversations: usize,
    /// chat: staff sockets following those conversations.
    #[arg(long, default_value_t = 4)]
    operator_sockets: usize,
    /// chat: seconds each message phase lasts.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// chat: socket handshakes in flight while opening `sockets`.
    #[arg(long, default_value_t = 64)]
    open_concurrency: usize,
    /// chat: the server binary (default: `baylanys` next to this one).
    #[arg(long)]
    server_bin: Option<std::path::PathBuf>,
    /// chat: read buffer of the echo ceiling's sockets, bytes (tungstenite's default, 128 KiB, is
    /// also what axum's sockets get unless the upgrade sets another).
    #[arg(long, default_value_t = 128 * 1024)]
    echo_read_buffer: usize,
    /// Internal: run the echo server of the chat scenario on this port.
    #[arg(long, hide = true)]
    echo_server: Option<u16>,
    /// telegram: citizens who go through the bot's menu first.
    #[arg(long, default_value_t = 500)]
    chats: usize,
    /// telegram: messages posted to the webhook after the menus (one in ten twice).
    #[arg(long, default_value_t = 20_000)]
    updates: usize,
    /// voice: calls driven through the TwiML webhooks (six requests each).
    #[arg(long, default_value_t = 2_000)]
    calls: usize,
    /// voice: requests a second, sent on a fixed schedule whatever the answers' pace (open
    /// loop); 0 sends as fast as `concurrency` clients get answers.
    #[arg(long, default_value_t = 0)]
    rate: u32,
    /// voice, with `rate`: the calls interleaved as a provider's traffic is — a new call every
    /// 6/`rate` s, each call's six requests `--call-gap-ms` apart (each after the last one's
    /// answer) — instead of phase by phase.
    #[arg(long)]
    mixed: bool,
    /// voice, mixed: milliseconds between one call's requests.
    #[arg(long, default_value_t = 1000)]
    call_gap_ms: u64,
    /// mail: messages in the Dovecot mailbox the poller syncs.
    #[arg(long, default_value_t = 10_000)]
    mails: usize,
    /// PostgreSQL server for the fresh benchmark database.
    #[arg(
        long,
        env = "BAYLANYS_TEST_PG",
        default_value = "postgres://postgres@127.0.0.1:5432/test"
    )]
    pg: String,
}

const TEXT: &str = "Сәлеметсіз бе! Мекенжай анықтамасын алу үшін қандай құжаттар керек? \
                    Здравствуйте, какие документы нужны для адресной справки?";

#[derive(Debug, Default)]
struct Run {
    count: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Run {
    fn rate(&self) -> f64 {
        self.count as f64 / self.elapsed.as_secs_f64()
    }

    fn pct(&self, p: f64) -> f64 {
        let mut l = self.latencies.clone();
        l.sort();
        let i = ((l.len() as f64 - 1.0) * p).round() as usize;
        l.get(i).map(|d| d.as_secs_f64() * 1000.0).unwrap_or(0.0)
    }
}

/// Runs `total` operations over `concurrency` tasks and times each.
async fn drive<F, Fut>(total: usize, concurrency: usize, op: F) -> anyhow::Result<Run>
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = anyhow::Result<()>> + Send,
{
    let op = Arc::new(op);
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let op = op.clone();
        let next = next.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    return anyhow::Ok(lat);
                }
                let t = Instant::now();
                op(i).await?;
                lat.push(t.elapsed());
            }
        }));
    }
    let mut latencies = Vec::with_capacity(total);
    for t in tasks {
        latencies.extend(t.await??);
    }
    Ok(Run {
        count: total,
        elapsed: start.elapsed(),
        latencies,
    })
}

async fn fresh_url(args: &Args) -> anyhow::Result<String> {
    let name = format!("bl_bench_{}", Uuid::now_v7().simple());
    match args.backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join(&name);
            std::fs::create_dir_all(&dir)?;
            Ok(format!("sqlite://{}", dir.join("bench.db").display()))
        }
        Backend::Postgres => {
            let mut conn = sqlx::PgConnection::connect(&args.pg).await?;
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await?;
            let base = args.pg.rsplit_once('/').map(|(b, _)| b).unwrap_or(&args.pg);
            Ok(format!("{base}/{name}"))
        }
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if let Some(port) = args.echo_server {
        return echo::serve(port, args.echo_read_buffer).await;
    }
    let url = fresh_url(&args).await?;
    if args.scenario == "chat" {
        return chat::run(&args, url).await;
    }
    if args.scenario == "telegram" {
        return telegram::run(&args, url).await;
    }
    if args.scenario == "voice" {
        return voice::run(&args, url).await;
    }
    if args.scenario == "mail" {
        return mail::run(&args, url).await;
    }
    if args.scenario == "reports" {
        return reports::run(&args, url, args.events).await;
    }
    let store = baylanys_store::connect(&url).await?;
    store.migrate().await?;
    if args.scenario == "routing" {
        return routing::run(store, &args).await;
    }
    let cost = baylanys_api::HashCost::default();
    baylanys_api::create_account(
        store.as_ref(),
        cost,
        baylanys_proto::CreateStaff {
            login: "bench".into(),
            password: "bench-password".into(),
            display_name: "Bench".into(),
            role: baylanys_domain::Role::Operator,
            body_id: None,
            languages: vec![],
            skills: vec![],
        },
        Actor::SYSTEM,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let state = AppState::new(store.clone(), ApiConfig::default())
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
        .pool_max_idle_per_host(args.concurrency)
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
    let client_id: Uuid = client["id"].as_str().context("no client")?.parse()?;

    // Floors of the HTTP path: no database at all, and only the bearer-token lookup.
    let floor = |path: &'static str| {
        let (http, base, token) = (http.clone(), base.clone(), token.clone());
        drive(args.appeals, args.concurrency, move |_| {
            let (http, base, token) = (http.clone(), base.clone(), token.clone());
            async move {
                let r = http
                    .get(format!("{base}{path}"))
                    .bearer_auth(token.as_str())
                    .send()
                    .await?;
                if !r.status().is_success() {
                    bail!("{path}: {}", r.status());
                }
                r.bytes().await?;
                Ok(())
            }
        })
    };
    let healthz = floor("/healthz").await?;
    let me = floor("/api/v1/auth/me").await?;

    // API: appeals.
    let ids = Arc::new(std::sync::Mutex::new(vec![Uuid::nil(); args.appeals]));
    let api_appeals = {
        let (http, base, token, ids) = (http.clone(), base.clone(), token.clone(), ids.clone());
        drive(args.appeals, args.concurrency, move |i| {
            let (http, base, token, ids) = (http.clone(), base.clone(), token.clone(), ids.clone());
            async move {
                let r = http
                    .post(format!("{base}/api/v1/appeals"))
                    .bearer_auth(token.as_str())
                    .json(
                        &json!({"client_id": client_id, "kind": "request", "channel": "web_chat",
                                  "subject": "Анықтама", "text": TEXT}),
                    )
                    .send()
                    .await?;
                if r.status() != reqwest::StatusCode::CREATED {
                    bail!("create appeal: {}", r.status());
                }
                let v: Value = r.json().await?;
                let id: Uuid = v["id"].as_str().context("id")?.parse()?;
                if let Ok(mut g) = ids.lock() {
                    g[i] = id;
                }
                Ok(())
            }
        })
        .await?
    };
    let ids: Arc<Vec<Uuid>> = Arc::new(ids.lock().map(|g| g.clone()).unwrap_or_default());

    // API: messages, spread over the appeals.
    let total_messages = args.appeals * args.messages;
    let api_messages = {
        let (http, base, token, ids) = (http.clone(), base.clone(), token.clone(), ids.clone());
        drive(total_messages, args.concurrency, move |i| {
            let (http, base, token, ids) = (http.clone(), base.clone(), token.clone(), ids.clone());
            async move {
                let id = ids[i % ids.len()];
                let r = http
                    .post(format!("{base}/api/v1/appeals/{id}/messages"))
                    .bearer_auth(token.as_str())
                    .json(&json!({"body": TEXT, "external_id": format!("m-{i}")}))
                    .send()
                    .await?;
                if r.status() != reqwest::StatusCode::CREATED {
                    bail!("add message: {}", r.status());
                }
                Ok(())
            }
        })
        .await?
    };

    // Raw sqlx: the same rows, one INSERT each, on a pool shaped like the store's writer.
    let ((raw_appeals, raw_messages), (tx_appeals, tx_messages)) = match args.backend {
        Backend::Sqlite => {
            let opts: sqlx::sqlite::SqliteConnectOptions = url.parse()?;
            let opts = opts
                .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sqlx::sqlite::SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10));
            let pool = sqlx::sqlite::SqlitePoolOptions::new()
                .max_connections(1)
                .connect_with(opts)
                .await?;
            let single =
                raw::<sqlx::Sqlite>(pool.clone(), &args, client_id, total_messages).await?;
            let tx = raw_tx::<sqlx::Sqlite>(pool, &args, client_id, total_messages).await?;
            (single, tx)
        }
        Backend::Postgres => {
            let pool = sqlx::postgres::PgPoolOptions::new()
                .max_connections(16)
                .connect(&url)
                .await?;
            let single =
                raw::<sqlx::Postgres>(pool.clone(), &args, client_id, total_messages).await?;
            let tx = raw_tx::<sqlx::Postgres>(pool, &args, client_id, total_messages).await?;
            (single, tx)
        }
    };
    let _ = store.ping().await;

    let backend = format!("{:?}", args.backend).to_lowercase();
    println!(
        "backend={backend} appeals={} messages={} concurrency={}",
        args.appeals, total_messages, args.concurrency
    );
    println!("| backend | operation | path | ops/s | p50 ms | p99 ms | API ÷ this |");
    println!("|---|---|---|---:|---:|---:|---:|");
    for (what, run) in [
        ("GET /healthz (no database)", &healthz),
        ("GET /api/v1/auth/me (token lookup)", &me),
    ] {
        println!(
            "| {backend} | {what} | HTTP floor | {:.0} | {:.2} | {:.2} | |",
            run.rate(),
            run.pct(0.5),
            run.pct(0.99)
        );
    }
    for (what, api, raw, tx) in [
        ("create appeal", &api_appeals, &raw_appeals, &tx_appeals),
        ("add message", &api_messages, &raw_messages, &tx_messages),
    ] {
        println!(
            "| {backend} | {what} | HTTP API | {:.0} | {:.2} | {:.2} | |",
            api.rate(),
            api.pct(0.5),
            api.pct(0.99)
        );
        println!(
            "| {backend} | {what} | raw sqlx INSERT, one row | {:.0} | {:.2} | {:.2} | {:.0} % |",
            raw.rate(),
            raw.pct(0.5),
            raw.pct(0.99),
            100.0 * api.rate() / raw.rate()
        );
        println!(
            "| {backend} | {what} | raw sqlx, the same rows in one transaction | {:.0} | {:.2} | {:.2} | {:.0} % |",
            tx.rate(),
            tx.pct(0.5),
            tx.pct(0.99),
            100.0 * api.rate() / tx.rate()
        );
    }
    Ok(())
}

/// Inserts appeal rows and message rows of the same shape and size as the API writes, one
/// autocommit INSERT per row, with the same concurrency.
async fn raw<DB>(
    pool: sqlx::Pool<DB>,
    args: &Args,
    client_id: Uuid,
    total_messages: usize,
) -> anyhow::Result<(Run, Run)>
where
    DB: sqlx::Database,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    for<'q> Uuid: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> chrono::DateTime<chrono::Utc>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    let ids: Arc<Vec<Uuid>> = Arc::new((0..args.appeals).map(|_| Uuid::now_v7()).collect());
    let appeals = {
        let (pool, ids) = (pool.clone(), ids.clone());
        drive(args.appeals, args.concurrency, move |i| {
            let (pool, ids) = (pool.clone(), ids.clone());
            async move {
                let now = baylanys_store::now();
                sqlx::query(
                    "INSERT INTO appeals (id, number, client_id, kind, channel, language, priority, \
                     status, subject, last_seq, created_at, updated_at) \
                     VALUES ($1, $2, $3, 'request', 'web_chat', 'kk', 3, 'new', $4, 1, $5, $5)",
                )
                .bind(ids[i])
                .bind(format!("raw-{i:06}"))
                .bind(client_id)
                .bind("Анықтама")
                .bind(now)
                .execute(&pool)
                .await?;
                Ok(())
            }
        })
        .await?
    };
    let n = args.appeals;
    let messages = {
        let (pool, ids) = (pool.clone(), ids.clone());
        drive(total_messages, args.concurrency, move |i| {
            let (pool, ids) = (pool.clone(), ids.clone());
            async move {
                let now = baylanys_store::now();
                sqlx::query(
                    "INSERT INTO messages (id, appeal_id, seq, author, staff_id, channel, direction, \
                     body, external_id, created_at) \
                     VALUES ($1, $2, $3, 'operator', NULL, 'web_chat', 'outbound', $4, $5, $6)",
                )
                .bind(Uuid::now_v7())
                .bind(ids[i % n])
                .bind((i / n + 2) as i64)
                .bind(TEXT)
                .bind(format!("raw-m-{i}"))
                .bind(now)
                .execute(&pool)
                .await?;
                Ok(())
            }
        })
        .await?
    };
    Ok((appeals, messages))
}

/// The rows one API call writes — the appeal, its interaction, the first message, the events and
/// the number counter; or the seq reservation, the message and its event — written with raw
/// sqlx in one transaction each, without HTTP, authentication or validation.
async fn raw_tx<DB>(
    pool: sqlx::Pool<DB>,
    args: &Args,
    client_id: Uuid,
    total_messages: usize,
) -> anyhow::Result<(Run, Run)>
where
    DB: sqlx::Database,
    for<'c> &'c mut DB::Connection: sqlx::Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: sqlx::IntoArguments<'q, DB>,
    for<'q> Uuid: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'q> chrono::DateTime<chrono::Utc>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    for<'r> i64: sqlx::Decode<'r, DB>,
    for<'q> sqlx::types::Json<Value>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    usize: sqlx::ColumnIndex<DB::Row>,
{
    let ids: Arc<Vec<Uuid>> = Arc::new((0..args.appeals).map(|_| Uuid::now_v7()).collect());
    let appeals = {
        let (pool, ids) = (pool.clone(), ids.clone());
        drive(args.appeals, args.concurrency, move |i| {
            let (pool, ids) = (pool.clone(), ids.clone());
            async move {
                let now = baylanys_store::now();
                let id = ids[i];
                let interaction = Uuid::now_v7();
                let mut tx = pool.begin().await?;
                let row = sqlx::query(
                    "INSERT INTO counters (name, value) VALUES ('rawtx', 1) \
                     ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value",
                )
                .fetch_one(&mut *tx)
                .await?;
                let n: i64 = sqlx::Row::try_get(&row, 0usize)?;
                sqlx::query(
                    "INSERT INTO appeals (id, number, client_id, kind, channel, language, priority, \
                     status, subject, last_seq, created_at, updated_at) \
                     VALUES ($1, $2, $3, 'request', 'web_chat', 'kk', 3, 'new', $4, 1, $5, $5)",
                )
                .bind(id)
                .bind(format!("rawtx-{n:06}"))
                .bind(client_id)
                .bind("Анықтама")
                .bind(now)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO interactions (id, appeal_id, channel, direction, state, operator_id, \
                     queued_at, answered_at) VALUES ($1, $2, 'web_chat', 'inbound', 'answered', NULL, $3, $3)",
                )
                .bind(interaction)
                .bind(id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO messages (id, appeal_id, interaction_id, seq, author, channel, \
                     direction, body, created_at) VALUES ($1, $2, $3, 1, 'client', 'web_chat', 'inbound', $4, $5)",
                )
                .bind(Uuid::now_v7())
                .bind(id)
                .bind(interaction)
                .bind(TEXT)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                let data = sqlx::types::Json(json!({"kind": "request", "channel": "web_chat", "language": "kk", "priority": 3}));
                sqlx::query(
                    "INSERT INTO events (at, kind, appeal_id, client_id, interaction_id, data) VALUES \
                     ($1, 'appeal.created', $2, $3, NULL, $5), ($1, 'interaction.started', $2, $3, $4, $5), \
                     ($1, 'message.added', $2, NULL, $4, $5)",
                )
                .bind(now)
                .bind(id)
                .bind(client_id)
                .bind(interaction)
                .bind(data)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }
        })
        .await?
    };
    let n = args.appeals;
    let messages = {
        let (pool, ids) = (pool.clone(), ids.clone());
        drive(total_messages, args.concurrency, move |i| {
            let (pool, ids) = (pool.clone(), ids.clone());
            async move {
                let now = baylanys_store::now();
                let id = ids[i % n];
                let mut tx = pool.begin().await?;
                let row = sqlx::query(
                    "UPDATE appeals SET last_seq = last_seq + 1, updated_at = $2 WHERE id = $1 RETURNING last_seq",
                )
                .bind(id)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                let seq: i64 = sqlx::Row::try_get(&row, 0usize)?;
                let mid = Uuid::now_v7();
                sqlx::query(
                    "INSERT INTO messages (id, appeal_id, seq, author, channel, direction, body, \
                     external_id, created_at) VALUES ($1, $2, $3, 'operator', 'web_chat', 'outbound', $4, $5, $6)",
                )
                .bind(mid)
                .bind(id)
                .bind(seq)
                .bind(TEXT)
                .bind(format!("rawtx-m-{i}"))
                .bind(now)
                .execute(&mut *tx)
                .await?;
                sqlx::query("INSERT INTO events (at, kind, appeal_id, data) VALUES ($1, 'message.added', $2, $3)")
                    .bind(now)
                    .bind(id)
                    .bind(sqlx::types::Json(json!({"message_id": mid, "seq": seq})))
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(())
            }
        })
        .await?
    };
    Ok((appeals, messages))
}
