//! `baylanys serve`: telemetry, store, first-start admin, HTTP, graceful shutdown.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use baylanys_domain::Role;
use baylanys_store::{Actor, Store, StoreError};
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

use crate::config::{Config, LogFormat};

fn init_tracing(config: &Config) -> anyhow::Result<()> {
    let filter = EnvFilter::try_new(&config.log).context("invalid log filter")?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let result = match config.log_format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
    result.map_err(|e| anyhow::anyhow!("tracing: {e}"))
}

/// Creates `admin` while no active admin account exists — on first start, even if operators
/// were added with `baylanys user add` before it. With several nodes starting at once on
/// PostgreSQL, the unique login makes the losers see a conflict, which is fine.
/// A fresh install gets one queue, open round the clock, as the routing table's default, so web
/// chat and the console work on the first start; admins then set the centre's real hours
/// (`PUT /api/v1/queues/{id}/hours`), queues and routing. Nothing happens once any queue exists.
async fn bootstrap_queue(store: &Arc<dyn Store>) -> anyhow::Result<()> {
    if !store.list_queues().await?.is_empty() {
        return Ok(());
    }
    let created = store
        .create_queue(
            baylanys_store::NewQueue {
                code: "main".into(),
                name: "Негізгі кезек / Основная очередь".into(),
            },
            Actor::SYSTEM,
        )
        .await;
    let queue = match created {
        Ok(q) => q,
        // Another node starting at the same moment made it.
        Err(StoreError::Conflict(_)) => return Ok(()),
        Err(e) => return Err(e.into()),
    };
    store
        .set_queue_hours(
            queue.id,
            Some(baylanys_domain::WeeklyHours::always()),
            Actor::SYSTEM,
        )
        .await?;
    let mut table = store.routing_table().await?;
    if table.default_queue_id.is_none() {
        table.default_queue_id = Some(queue.id);
        store.set_routing_table(table, Actor::SYSTEM).await?;
    }
    tracing::info!(queue = %queue.id, "created the default queue `main`, open round the clock");
    Ok(())
}

async fn bootstrap_admin(store: &Arc<dyn Store>, config: &Config) -> anyhow::Result<()> {
    let staff = store.list_staff().await?;
    if staff.iter().any(|s| s.role == Role::Admin && s.active) {
        return Ok(());
    }
    if staff.iter().any(|s| s.login == "admin") {
        tracing::warn!(
            "no active admin account, and the login admin is taken; \
             create one with `baylanys user add --role admin`"
        );
        return Ok(());
    }
    let (password, generated) = match &config.admin_password {
        Some(p) => (p.expose().to_owned(), false),
        None => (baylanys_api::generate_password(), true),
    };
    let created = baylanys_api::create_account(
        store.as_ref(),
        config.api().hash_cost,
        baylanys_proto::CreateStaff {
            login: "admin".into(),
            password: password.clone(),
            display_name: "Administrator".into(),
            role: Role::Admin,
            body_id: None,
            languages: Vec::new(),
            skills: Vec::new(),
        },
        Actor::SYSTEM,
    )
    .await;
    match created {
        Ok(_) if generated => {
            // Printed once, to the terminal only; only the argon2id hash is stored.
            println!("created user admin with password: {password}");
            println!("(shown once — set BAYLANYS_ADMIN_PASSWORD to choose it yourself)");
        }
        Ok(_) => tracing::info!("created user admin from BAYLANYS_ADMIN_PASSWORD"),
        Err(baylanys_api::error::ApiError::Store(StoreError::Conflict(_))) => {}
        Err(e) => anyhow::bail!("cannot create the admin account: {e}"),
    }
    Ok(())
}

pub async fn run(config: Config) -> anyhow::Result<()> {
    init_tracing(&config)?;
    tracing::debug!(?config, "configuration");
    let store = baylanys_store::connect(config.database_url.expose())
        .await
        .context("opening the database")?;
    store.migrate().await.context("migrating the database")?;
    bootstrap_admin(&store, &config).await?;
    bootstrap_queue(&store).await?;
    crate::directory::seed(&store).await?;
    let bus = match &config.redis_url {
        Some(url) => {
            let bus = baylanys_bus::Bus::redis(url.expose(), &config.redis_prefix)
                .await
                .context("connecting to Redis (BAYLANYS_REDIS_URL)")?;
            tracing::info!("live traffic fans out across nodes through Redis");
            bus
        }
        None => baylanys_bus::Bus::local(),
    };
    let state = baylanys_api::AppState::new(store.clone(), config.api())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .with_bus(bus)
        .with_delivery(config.delivery()?)
        .with_files(config.files()?);
    // Every node runs every worker: the routing engine's decisions and the outbox's claims are
    // guarded in the database, the deadline watch marks each appeal in one statement, and a
    // day's kept KPI totals are written whole. One supervisor starts them, shows their health
    // in /readyz and stops each between two steps on shutdown.
    let workers = baylanys_workers::Supervisor::under(&state.shutdown, Default::default());
    let board = workers.board();
    let state = state.with_workers(move || board.snapshot());
    spawn_workers(&workers, &state, &store, &config)?;
    let (shutdown, sockets) = (state.shutdown.clone(), state.sockets.clone());
    let app = baylanys_api::app(state);
    let listener = TcpListener::bind(&config.listen)
        .await
        .with_context(|| format!("binding {}", config.listen))?;
    let addr = listener.local_addr()?;
    println!(
        "baylanys listening on http://{addr} ({} backend)",
        store.backend()
    );
    tracing::info!(%addr, backend = store.backend(), "listening");

    let grace = Duration::from_secs(config.shutdown_grace_secs);
    // On the signal, open sockets are told to close (1001) while HTTP drains.
    let signal = {
        let shutdown = shutdown.clone();
        async move {
            shutdown_signal().await;
            shutdown.cancel();
        }
    };
    // The peer address feeds the web chat's per-address flood limits.
    let server = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(signal);
    // After the signal, in-flight requests get `grace` to finish; then we exit regardless.
    tokio::select! {
        res = server => res.context("server")?,
        _ = async { shutdown_signal().await; tokio::time::sleep(grace).await } => {
            tracing::warn!("grace period over; exiting with requests still open");
        }
    }
    // axum does not wait for upgraded sockets: give their close frames a moment to go out.
    // The workers were told at the signal too; each finishes the step under way (a delivery
    // sent is marked sent) in the same few seconds, so stopping stays within the unit's limit.
    sockets.close();
    let _ = tokio::join!(
        tokio::time::timeout(Duration::from_secs(5), sockets.wait()),
        workers.shutdown(Duration::from_secs(5)),
    );
    tracing::info!("stopped");
    Ok(())
}

/// The routing engine, the outbox, the deadline watch, the KPI keeper, the after-contact work
/// limit, the mailbox keeper and the Telegram workers, under `workers`.
fn spawn_workers(
    workers: &baylanys_workers::Supervisor,
    state: &baylanys_api::AppState,
    store: &Arc<dyn Store>,
    config: &Config,
) -> anyhow::Result<()> {
    use baylanys_workers::{DeadlineWatch, KpiKeeper, OutboxWorker, RoutingEngine};
    let engine =
        RoutingEngine::new(store.clone(), state.kick.clone()).with_changes(state.changes.clone());
    workers.spawn(RoutingEngine::NAME, Arc::new(engine))?;
    let outbox = OutboxWorker::new(
        store.clone(),
        state.delivery.mailer.clone(),
        state.delivery.sms.clone(),
        state.outbox.clone(),
        config.outbox(),
    )
    .map_err(|e| anyhow::anyhow!("outbox: {e}"))?
    .with_sender(Arc::new(state.telegram.clone()));
    workers.spawn(OutboxWorker::NAME, Arc::new(outbox))?;
    workers.spawn(
        DeadlineWatch::NAME,
        Arc::new(DeadlineWatch::new(store.clone())),
    )?;
    workers.spawn(
        KpiKeeper::NAME,
        Arc::new(KpiKeeper::new(store.clone(), state.config.kpi_refresh)),
    )?;
    if let Some(pbx) = state.take_pbx() {
        tracing::info!("callbacks are placed through the PBX's call control");
        baylanys_workers::spawn_placed_calls(workers, state.centre.clone(), pbx.socket, pbx.heard)?;
    }
    // Recordings of recorded calls: fetched from a cloud provider, deleted after retention.
    let account = config
        .twilio_auth_token
        .as_ref()
        .map(|t| (config.twilio_account_sid.clone(), t.expose().to_owned()));
    let fetcher = baylanys_channels::RecordingFetcher::new(account)
        .map_err(|e| anyhow::anyhow!("recordings: {e}"))?;
    workers.spawn(
        baylanys_workers::RecordingKeeper::NAME,
        Arc::new(baylanys_workers::RecordingKeeper::new(
            store.clone(),
            state.files.clone(),
            fetcher,
        )),
    )?;
    if let Some(limit) = state.config.wrap_up_limit {
        workers.spawn(
            baylanys_workers::WrapUpLimit::NAME,
            Arc::new(baylanys_workers::WrapUpLimit::new(
                state.centre.clone(),
                limit,
            )),
        )?;
    }
    // One IMAP poller per mailbox, each under its mailbox's lease.
    let keeper = baylanys_workers::MailboxKeeper::new(
        state.centre.clone(),
        state.files.clone(),
        workers.spawner(),
        config.mail(),
        state.mailboxes.clone(),
    );
    workers.spawn(baylanys_workers::MailboxKeeper::NAME, Arc::new(keeper))?;
    // Each Telegram bot: its connection in memory, its webhook registered or its long poll run.
    let bots = baylanys_workers::BotKeeper::new(
        state.centre.clone(),
        state.files.clone(),
        state.telegram.clone(),
        workers.spawner(),
        baylanys_workers::BotSettings {
            public_url: config.public_url.clone(),
            ..Default::default()
        },
        state.bots.clone(),
    );
    workers.spawn(baylanys_workers::BotKeeper::NAME, Arc::new(bots))?;
    // Citizens waiting in a Telegram chat are told their place at least every minute (R12).
    let queue_status = baylanys_workers::Leased::new(
        baylanys_workers::TelegramQueueStatus::new(
            state.centre.clone(),
            state.telegram.clone(),
            state.config.chat.queue_status_every,
        ),
        state.store.clone(),
        "telegram-queue-status",
        format!("node-{}", uuid::Uuid::new_v4()),
        Duration::from_secs(30),
    );
    workers.spawn(
        baylanys_workers::TelegramQueueStatus::NAME,
        Arc::new(queue_status),
    )?;
    Ok(())
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM (systemd, Docker).
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutdown signal received; finishing in-flight requests");
}
