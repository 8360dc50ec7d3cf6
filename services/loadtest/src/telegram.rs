//! The Telegram scenario (issue: the Telegram channel): webhook ingest. The centre's router runs
//! in this process on 127.0.0.1:0 exactly as `baylanys serve` builds it, with one webhook-mode
//! bot whose Bot API is the tests' local server. `chats` citizens first go through the menu
//! (language, topic) so each has an appeal; then `updates` messages are posted to the webhook
//! by `concurrency` clients, as Telegram does — each update carrying the secret header — and
//! one in ten is delivered a second time. Measured: updates/s and the latency of each call to
//! its 200 (the update committed). Side by side in the same run, the ceiling: a bare axum
//! handler that only checks the secret and parses the update. Checked: every message stored
//! exactly once.

use std::sync::Arc;
use std::time::Duration;

use anyhow::bail;
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use baylanys_store::{Actor, NewBot};
use baylanys_tests::telegram::BotApi;
use serde_json::{json, Value};
use sqlx::Connection;

use crate::{drive, Args, Run};

const TOKEN: &str = "7000000001:AAbenchmarkTokenForTheWebhookScenario_01";
const SECRET: &str = "benchSecretTokenForTheWebhook0123";

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

/// The ceiling: the secret checked and the update parsed, nothing stored.
async fn bare(headers: HeaderMap, body: Bytes) -> StatusCode {
    if headers
        .get("x-telegram-bot-api-secret-token")
        .map(|v| v.as_bytes())
        != Some(SECRET.as_bytes())
    {
        return StatusCode::UNAUTHORIZED;
    }
    match serde_json::from_slice::<baylanys_channels::telegram::TelegramUpdate>(&body) {
        Ok(_) => StatusCode::OK,
        Err(_) => StatusCode::BAD_REQUEST,
    }
}

fn body(update_id: i64, u: &Value) -> Vec<u8> {
    let mut u = u.clone();
    u["update_id"] = json!(update_id);
    serde_json::to_vec(&u).unwrap_or_default()
}

async fn post_all(
    http: &reqwest::Client,
    url: &str,
    bodies: Arc<Vec<Vec<u8>>>,
    concurrency: usize,
) -> anyhow::Result<Run> {
    let http = http.clone();
    let url = url.to_owned();
    drive(bodies.len(), concurrency, move |i| {
        let http = http.clone();
        let url = url.clone();
        let b = bodies[i].clone();
        async move {
            let r = http
                .post(&url)
                .header("content-type", "application/json")
                .header("x-telegram-bot-api-secret-token", SECRET)
                .body(b)
                .send()
                .await?;
            if r.status() != 200 {
                bail!("webhook answered {}", r.status());
            }
            Ok(())
        }
    })
    .await
}

pub async fn run(args: &Args, url: String) -> anyhow::Result<()> {
    let api = BotApi::start(TOKEN).await?;
    let store = baylanys_store::connect(&url).await?;
    store.migrate().await?;
    let bot = store
        .create_bot(
            NewBot {
                name: "bench".into(),
                token: TOKEN.into(),
                webhook_secret: SECRET.into(),
                mode: "webhook".into(),
                queue_id: None,
                topic_id: None,
                api_url: api.url.clone(),
                enabled: true,
            },
            Actor::SYSTEM,
        )
        .await?;
    let state = baylanys_api::AppState::new(store.clone(), baylanys_api::ApiConfig::default())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    state.telegram.set_bot(
        bot.id,
        baylanys_channels::TelegramApi::new(TOKEN, &api.url)?,
        SECRET,
    );
    let base = serve(baylanys_api::app(state)).await?;
    let ceiling = serve(axum::Router::new().route("/hook", axum::routing::post(bare))).await?;
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(args.concurrency)
        .timeout(Duration::from_secs(120))
        .build()?;
    let hook = format!("{base}/webhooks/telegram/{}", bot.id);

    // Every citizen through the menu, so each has an appeal.
    let chats = args.chats as i64;
    let mut next_id = 1i64;
    let mut menu: Vec<Vec<u8>> = Vec::new();
    for step in 0..3 {
        let mut bodies = Vec::new();
        for c in 0..chats {
            let chat = 1_000_000 + c;
            let u = match step {
                0 => BotApi::text(chat, "Азамат", "kk", "Сәлеметсіз бе"),
                1 => BotApi::callback(chat, "lang:kk", 1),
                _ => BotApi::callback(chat, "topic:none", 2),
            };
            bodies.push(body(next_id, &u));
            next_id += 1;
        }
        post_all(&http, &hook, Arc::new(bodies.clone()), args.concurrency).await?;
        menu.extend(bodies);
    }

    // The measured load: messages from every chat in turn, one in ten delivered twice.
    let n = args.updates;
    let mut bodies = Vec::with_capacity(n + n / 10);
    for i in 0..n as i64 {
        let chat = 1_000_000 + i % chats;
        let b = body(
            next_id,
            &BotApi::text(
                chat,
                "Азамат",
                "kk",
                &format!("Хабарлама {i}: құжаттарымды қашан аламын?"),
            ),
        );
        next_id += 1;
        if i % 10 == 0 {
            bodies.push(b.clone());
        }
        bodies.push(b);
    }
    let bodies = Arc::new(bodies);
    let ours = post_all(&http, &hook, bodies.clone(), args.concurrency).await?;
    let bare_run = post_all(&http, &format!("{ceiling}/hook"), bodies, args.concurrency).await?;

    // Every message once.
    // Each chat's first words are its appeal's first message (the appeal carries that
    // update's id); every later message carries its own.
    let sql =
        "SELECT COUNT(*), COUNT(DISTINCT external_id) FROM messages WHERE channel = 'telegram' \
               AND direction = 'inbound' AND external_id IS NOT NULL";
    let (count, distinct): (i64, i64) = if url.starts_with("sqlite:") {
        let mut c = sqlx::SqliteConnection::connect(&url).await?;
        sqlx::query_as(sql).fetch_one(&mut c).await?
    } else {
        let mut c = sqlx::PgConnection::connect(&url).await?;
        sqlx::query_as(sql).fetch_one(&mut c).await?
    };
    println!(
        "telegram webhook: {chats} chats, {n} messages (+{} delivered twice), {} clients, backend {:?}",
        n / 10,
        args.concurrency,
        args.backend
    );
    println!("| path | updates/s | p50 ms | p99 ms |");
    println!("|---|---:|---:|---:|");
    println!(
        "| bare axum handler: secret + parse (ceiling) | {:.0} | {:.2} | {:.2} |",
        bare_run.rate(),
        bare_run.pct(0.5),
        bare_run.pct(0.99)
    );
    println!(
        "| **webhook → committed** | **{:.0}** | {:.2} | {:.2} |",
        ours.rate(),
        ours.pct(0.5),
        ours.pct(0.99)
    );
    println!(
        "webhook ÷ ceiling: {:.0} %; messages stored {count} ({distinct} distinct) for {n} updates",
        100.0 * ours.rate() / bare_run.rate()
    );
    if count != n as i64 || distinct != n as i64 {
        bail!("{count} messages ({distinct} distinct) for {n} updates");
    }
    drop(menu);
    Ok(())
}
