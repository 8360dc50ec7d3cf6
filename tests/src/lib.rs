//! Test harness: the real HTTP server on `127.0.0.1:0`, on either backend, with a fresh
//! database per test. PostgreSQL comes from `BAYLANYS_TEST_PG` (default
//! `postgres://postgres@127.0.0.1:5432/test`); each test creates its own database there.

pub mod dovecot;
pub mod pbx;
pub mod telegram;
pub mod twilio;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};
use baylanys_api::{ApiConfig, AppState, HashCost};
use baylanys_domain::Role;
use baylanys_store::{Actor, Store};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use sqlx::Connection;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Cheap hashing for tests; production defaults are exercised by the unit tests of the hasher.
pub const TEST_COST: HashCost = HashCost {
    memory_kib: 64,
    iterations: 1,
};

pub const ADMIN_PASSWORD: &str = "admin-password-1";

pub fn pg_admin_url() -> String {
    std::env::var("BAYLANYS_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

/// A fresh, empty database URL for one test.
pub async fn fresh_database(backend: Backend) -> anyhow::Result<(String, Option<PathBuf>)> {
    let name = format!("bl_t_{}", Uuid::now_v7().simple());
    match backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join(&name);
            std::fs::create_dir_all(&dir)?;
            let url = format!("sqlite://{}", dir.join("baylanys.db").display());
            Ok((url, Some(dir)))
        }
        Backend::Postgres => {
            let admin = pg_admin_url();
            let mut conn = sqlx::PgConnection::connect(&admin)
                .await
                .with_context(|| format!("connecting to {admin} (set BAYLANYS_TEST_PG)"))?;
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await?;
            let base = admin
                .rsplit_once('/')
                .map(|(b, _)| b.to_owned())
                .unwrap_or(admin.clone());
            Ok((format!("{base}/{name}"), None))
        }
    }
}

/// The server under test plus a client for it.
/// A test node's storage: the SQLite file's directory (removed with the app) and the
/// attachment store (the nodes of one test share it; a local one is removed by the node that
/// made it).
struct Dirs {
    tmp: Option<PathBuf>,
    files: baylanys_store::Files,
    owns_files: bool,
}

pub struct TestApp {
    pub backend: Backend,
    pub base: String,
    pub http: reqwest::Client,
    pub store: Arc<dyn Store>,
    pub database_url: String,
    admin_token: String,
    tmp: Option<PathBuf>,
    /// The attachment store, shared by the nodes of one test.
    pub files: baylanys_store::Files,
    /// This node's use cases, for tests that drive a worker by hand.
    pub centre: baylanys_centre::Centre,
    owns_files: bool,
    server: tokio::task::JoinHandle<()>,
    /// This node's routing engine and outbox, as `baylanys serve` runs them; `/readyz` shows
    /// their health. Dropped with the app, which cancels them (a drop cannot wait).
    workers: baylanys_workers::Supervisor,
}

impl std::fmt::Debug for TestApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestApp")
            .field("backend", &self.backend)
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
        if let Some(dir) = &self.tmp {
            let _ = std::fs::remove_dir_all(dir);
        }
        if let (true, Some(dir)) = (self.owns_files, self.files.dir()) {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// A response: status, headers and the JSON body (Null when empty or not JSON).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub content_type: String,
    pub body: Value,
    pub text: String,
}

impl Reply {
    /// The problem `type` of an error response.
    pub fn problem(&self) -> &str {
        self.body["type"].as_str().unwrap_or("")
    }

    pub fn id(&self) -> Uuid {
        self.body["id"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .unwrap_or_default()
    }
}

/// Cheap password hashing, and KPIs of unsettled days read from the log on every request: a
/// test sees the figures move with each event it writes (one test covers the kept refresh).
pub fn test_config() -> ApiConfig {
    ApiConfig {
        hash_cost: TEST_COST,
        kpi_refresh: std::time::Duration::ZERO,
        ..ApiConfig::default()
    }
}

/// A failed worker is retried within a fraction of a second, so a test sees it recover soon.
/// Mailboxes read as the binary reads them, with short waits: an IDLE of two seconds, a poll
/// every second where the server has no IDLE, a pause of at most two seconds after a failure.
pub fn test_mail_settings() -> baylanys_workers::MailSettings {
    baylanys_workers::MailSettings {
        idle: Duration::from_secs(2),
        poll: Duration::from_secs(1),
        timeout: Duration::from_secs(10),
        max_backoff: Duration::from_secs(2),
        lease: Duration::from_secs(6),
        ..Default::default()
    }
}

pub fn test_supervisor() -> baylanys_workers::SupervisorSettings {
    baylanys_workers::SupervisorSettings {
        backoff_base: Duration::from_millis(50),
        backoff_max: Duration::from_millis(400),
    }
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> anyhow::Result<TestApp> {
        Self::spawn_with(backend, test_config()).await
    }

    pub async fn spawn_with(backend: Backend, config: ApiConfig) -> anyhow::Result<TestApp> {
        Self::spawn_full(backend, config, baylanys_api::Delivery::default()).await
    }

    /// With e-mail and SMS delivery configured (e.g. a local SMTP server and SMS gateway).
    pub async fn spawn_delivering(
        backend: Backend,
        delivery: baylanys_api::Delivery,
    ) -> anyhow::Result<TestApp> {
        let config = test_config();
        Self::spawn_full(backend, config, delivery).await
    }

    pub async fn spawn_full(
        backend: Backend,
        config: ApiConfig,
        delivery: baylanys_api::Delivery,
    ) -> anyhow::Result<TestApp> {
        let files = baylanys_store::Files::new(
            std::env::temp_dir().join(format!("bl-files-{}", Uuid::new_v4())),
        );
        Self::spawn_inner(backend, config, delivery, files).await
    }

    /// With delivery configured and the attachment store `files` (e.g. an S3 bucket).
    pub async fn spawn_storing(
        backend: Backend,
        delivery: baylanys_api::Delivery,
        files: baylanys_store::Files,
    ) -> anyhow::Result<TestApp> {
        Self::spawn_inner(backend, test_config(), delivery, files).await
    }

    /// With `config` and the attachment store `files` (e.g. an S3 bucket).
    pub async fn spawn_storing_with(
        backend: Backend,
        config: ApiConfig,
        files: baylanys_store::Files,
    ) -> anyhow::Result<TestApp> {
        Self::spawn_inner(backend, config, Default::default(), files).await
    }

    async fn spawn_inner(
        backend: Backend,
        config: ApiConfig,
        delivery: baylanys_api::Delivery,
        files: baylanys_store::Files,
    ) -> anyhow::Result<TestApp> {
        let (database_url, tmp) = fresh_database(backend).await?;
        let store = baylanys_store::connect(&database_url).await?;
        store.migrate().await?;
        Self::create_admin(&store).await?;
        Self::start(
            backend,
            database_url,
            Dirs {
                tmp,
                files,
                owns_files: true,
            },
            store,
            config,
            baylanys_bus::Bus::local(),
            delivery,
        )
        .await
    }

    /// Another node on the same database as `first`, with its own bus (e.g. Redis), as behind
    /// a load balancer.
    pub async fn spawn_node(first: &TestApp, bus: baylanys_bus::Bus) -> anyhow::Result<TestApp> {
        Self::spawn_node_with(first, bus, test_config()).await
    }

    /// Another node on the same database, with its own settings (a voice provider's token).
    pub async fn spawn_node_with(
        first: &TestApp,
        bus: baylanys_bus::Bus,
        config: ApiConfig,
    ) -> anyhow::Result<TestApp> {
        let store = baylanys_store::connect(&first.database_url).await?;
        Self::start(
            first.backend,
            first.database_url.clone(),
            Dirs {
                tmp: None,
                files: first.files.clone(),
                owns_files: false,
            },
            store,
            config,
            bus,
            baylanys_api::Delivery::default(),
        )
        .await
    }

    async fn create_admin(store: &Arc<dyn Store>) -> anyhow::Result<()> {
        baylanys_api::create_account(
            store.as_ref(),
            TEST_COST,
            baylanys_proto::CreateStaff {
                login: "admin".into(),
                password: ADMIN_PASSWORD.into(),
                display_name: "Admin".into(),
                role: Role::Admin,
                body_id: None,
                languages: vec![],
                skills: vec![],
            },
            Actor::SYSTEM,
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok(())
    }

    async fn start(
        backend: Backend,
        database_url: String,
        Dirs {
            tmp,
            files,
            owns_files,
        }: Dirs,
        store: Arc<dyn Store>,
        config: ApiConfig,
        bus: baylanys_bus::Bus,
        delivery: baylanys_api::Delivery,
    ) -> anyhow::Result<TestApp> {
        let state = AppState::new(store.clone(), config)
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?
            .with_bus(bus)
            .with_delivery(delivery)
            .with_files(files.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        let workers = baylanys_workers::Supervisor::new(test_supervisor());
        let board = workers.board();
        let state = state.with_workers(move || board.snapshot());
        let engine = baylanys_workers::RoutingEngine::new(store.clone(), state.kick.clone())
            .with_changes(state.changes.clone());
        workers.spawn(baylanys_workers::RoutingEngine::NAME, Arc::new(engine))?;
        // Retries come quickly here, so a test sees a failed attempt retried within a second.
        let outbox = baylanys_workers::OutboxWorker::new(
            store.clone(),
            state.delivery.mailer.clone(),
            state.delivery.sms.clone(),
            state.outbox.clone(),
            baylanys_workers::OutboxSettings {
                retry_base: Duration::from_millis(200),
                max_attempts: 3,
                poll: Duration::from_millis(250),
            },
        )
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .with_sender(Arc::new(state.telegram.clone()));
        workers.spawn(baylanys_workers::OutboxWorker::NAME, Arc::new(outbox))?;
        if let Some(pbx) = state.take_pbx() {
            baylanys_workers::spawn_placed_calls(
                &workers,
                state.centre.clone(),
                pbx.socket,
                pbx.heard,
            )?;
        }
        // Recordings, as serve runs them (a test that fetches from a provider drives its own
        // keeper with that provider's account).
        let fetcher = baylanys_channels::RecordingFetcher::new(None)?;
        workers.spawn(
            baylanys_workers::RecordingKeeper::NAME,
            Arc::new(baylanys_workers::RecordingKeeper::new(
                store.clone(),
                state.files.clone(),
                fetcher,
            )),
        )?;
        // Mailboxes are looked at often here, so a test sees a change within seconds.
        let keeper = baylanys_workers::MailboxKeeper::new(
            state.centre.clone(),
            state.files.clone(),
            workers.spawner(),
            test_mail_settings(),
            state.mailboxes.clone(),
        );
        workers.spawn(baylanys_workers::MailboxKeeper::NAME, Arc::new(keeper))?;
        let bots = baylanys_workers::BotKeeper::new(
            state.centre.clone(),
            state.files.clone(),
            state.telegram.clone(),
            workers.spawner(),
            baylanys_workers::BotSettings {
                poll_wait: Duration::from_secs(2),
                lease: Duration::from_secs(6),
                public_url: state.config.public_url.clone(),
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
            format!("node-{}", Uuid::new_v4()),
            Duration::from_secs(30),
        );
        workers.spawn(
            baylanys_workers::TelegramQueueStatus::NAME,
            Arc::new(queue_status),
        )?;
        let centre = state.centre.clone();
        let app = baylanys_api::app(state);
        let server = tokio::spawn(async move {
            let _ = axum::serve(
                listener,
                app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .await;
        });
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()?;
        let mut app = TestApp {
            backend,
            base,
            http,
            store,
            database_url,
            admin_token: String::new(),
            tmp,
            files,
            centre,
            owns_files,
            server,
            workers,
        };
        app.admin_token = app.login("admin", ADMIN_PASSWORD).await?;
        Ok(app)
    }

    /// Stops this node's outbox worker (after its current pass), for tests that drive the
    /// outbox through the store.
    pub fn pause_outbox(&self) {
        self.workers.stop(baylanys_workers::OutboxWorker::NAME);
    }

    /// Stops one of this node's workers and waits until its step under way has ended, for
    /// tests that drive that work themselves (e.g. routing engines of their own).
    pub async fn stop_worker(&self, name: &str) -> anyhow::Result<()> {
        if !self.workers.stop(name) {
            bail!("no worker named {name}");
        }
        eventually(&format!("the {name} worker to stop"), || async {
            Ok(self
                .workers
                .health()
                .iter()
                .any(|w| w.name == name && w.state == baylanys_proto::WorkerState::Stopped)
                .then_some(()))
        })
        .await
    }

    /// This node's workers: a test may start more on it (they show in `/readyz`) or stop them.
    pub fn workers(&self) -> &baylanys_workers::Supervisor {
        &self.workers
    }

    pub fn admin(&self) -> &str {
        &self.admin_token
    }

    /// The KPIs from `from` to a moment from now, as the dashboard reads them.
    pub async fn kpis_since(&self, from: chrono::DateTime<chrono::Utc>) -> anyhow::Result<Value> {
        let q = format!(
            "/api/v1/kpis?from={}&to={}",
            from.to_rfc3339(),
            (chrono::Utc::now() + chrono::Duration::seconds(2)).to_rfc3339()
        )
        .replace('+', "%2B");
        Ok(self.get(&q, self.admin()).await?.body)
    }

    /// Sends a request with an optional bearer token and JSON body.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> anyhow::Result<Reply> {
        let mut req = self.http.request(method, format!("{}{}", self.base, path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        Self::reply(req.send().await?).await
    }

    /// Sends raw bytes with a content type, for malformed-input tests.
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        content_type: &str,
        body: Vec<u8>,
    ) -> anyhow::Result<Reply> {
        let mut req = self
            .http
            .request(method, format!("{}{}", self.base, path))
            .header("content-type", content_type)
            .body(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        Self::reply(req.send().await?).await
    }

    async fn reply(res: reqwest::Response) -> anyhow::Result<Reply> {
        let status = res.status();
        let content_type = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let text = res.text().await?;
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Ok(Reply {
            status,
            content_type,
            body,
            text,
        })
    }

    pub async fn get(&self, path: &str, token: &str) -> anyhow::Result<Reply> {
        self.call(Method::GET, path, Some(token), None).await
    }

    pub async fn post(&self, path: &str, token: &str, body: Value) -> anyhow::Result<Reply> {
        self.call(Method::POST, path, Some(token), Some(&body))
            .await
    }

    pub async fn put(&self, path: &str, token: &str, body: Value) -> anyhow::Result<Reply> {
        self.call(Method::PUT, path, Some(token), Some(&body)).await
    }

    pub async fn patch(&self, path: &str, token: &str, body: Value) -> anyhow::Result<Reply> {
        self.call(Method::PATCH, path, Some(token), Some(&body))
            .await
    }

    pub async fn login(&self, login: &str, password: &str) -> anyhow::Result<String> {
        let r = self
            .call(
                Method::POST,
                "/api/v1/auth/login",
                None,
                Some(&serde_json::json!({"login": login, "password": password})),
            )
            .await?;
        if r.status != StatusCode::OK {
            bail!("login {login} failed: {} {}", r.status, r.text);
        }
        Ok(r.body["token"].as_str().unwrap_or_default().to_owned())
    }

    /// Creates a staff member through the API and returns (id, token).
    pub async fn staff(
        &self,
        login: &str,
        role: &str,
        body_id: Option<Uuid>,
    ) -> anyhow::Result<(Uuid, String)> {
        let password = format!("{login}-password");
        let r = self
            .post(
                "/api/v1/staff",
                self.admin(),
                serde_json::json!({
                    "login": login, "password": password, "display_name": login,
                    "role": role, "body_id": body_id, "languages": ["kk", "ru"],
                }),
            )
            .await?;
        if r.status != StatusCode::CREATED {
            bail!("creating {login}: {} {}", r.status, r.text);
        }
        Ok((r.id(), self.login(login, &password).await?))
    }

    pub async fn client(&self, token: &str, body: Value) -> anyhow::Result<Uuid> {
        let r = self.post("/api/v1/clients", token, body).await?;
        if r.status != StatusCode::CREATED {
            bail!("creating client: {} {}", r.status, r.text);
        }
        Ok(r.id())
    }

    pub async fn appeal(&self, token: &str, client_id: Uuid, text: &str) -> anyhow::Result<Uuid> {
        let r = self
            .post(
                "/api/v1/appeals",
                token,
                serde_json::json!({
                    "client_id": client_id, "kind": "request", "channel": "voice", "text": text,
                }),
            )
            .await?;
        if r.status != StatusCode::CREATED {
            bail!("creating appeal: {} {}", r.status, r.text);
        }
        Ok(r.id())
    }

    pub async fn body(&self, name: &str) -> anyhow::Result<Uuid> {
        let r = self
            .post(
                "/api/v1/bodies",
                self.admin(),
                serde_json::json!({
                    "name_kk": format!("{name} (kk)"), "name_ru": name, "delivery_method": "portal",
                }),
            )
            .await?;
        if r.status != StatusCode::CREATED {
            bail!("creating body: {} {}", r.status, r.text);
        }
        Ok(r.id())
    }

    /// A queue open round the clock, so routing tests do not depend on when they run.
    pub async fn open_queue(&self, code: &str, name: &str) -> anyhow::Result<Uuid> {
        let r = self
            .post(
                "/api/v1/queues",
                self.admin(),
                serde_json::json!({"code": code, "name": name}),
            )
            .await?;
        if r.status != StatusCode::CREATED {
            bail!("creating queue: {} {}", r.status, r.text);
        }
        let id = r.id();
        let all = serde_json::json!([{"from": "00:00", "to": "24:00"}]);
        let hours = serde_json::json!({
            "monday": all, "tuesday": all, "wednesday": all, "thursday": all, "friday": all,
            "saturday": all, "sunday": all, "open_on_holidays": true,
        });
        let r = self
            .put(&format!("/api/v1/queues/{id}/hours"), self.admin(), hours)
            .await?;
        if r.status != StatusCode::OK {
            bail!("setting hours: {} {}", r.status, r.text);
        }
        Ok(id)
    }

    /// The queue `main`, open round the clock, as the routing table's default: where chats wait.
    pub async fn default_queue(&self) -> anyhow::Result<Uuid> {
        let q = self.open_queue("main", "Main").await?;
        let r = self
            .put(
                "/api/v1/routing/table",
                self.admin(),
                serde_json::json!({"entries": [], "default_queue_id": q}),
            )
            .await?;
        if r.status != StatusCode::OK {
            bail!("setting the routing table: {} {}", r.status, r.text);
        }
        Ok(q)
    }

    /// Number of events in the log: a failed request must leave it unchanged.
    pub async fn event_count(&self) -> anyhow::Result<usize> {
        let mut after = None;
        let mut n = 0;
        loop {
            let page = self
                .store
                .list_events(baylanys_store::EventFilter {
                    after,
                    limit: 500,
                    ..Default::default()
                })
                .await?;
            if page.is_empty() {
                return Ok(n);
            }
            n += page.len();
            after = page.last().map(|e| e.id);
        }
    }
}

/// Polls `probe` every 50 ms until it returns `Some`, for up to 10 s: the routing engine works
/// asynchronously.
pub async fn eventually<T, F, Fut>(what: &str, mut probe: F) -> anyhow::Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<Option<T>>>,
{
    for _ in 0..200 {
        if let Some(v) = probe().await? {
            return Ok(v);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bail!("timed out waiting for {what}")
}

/// Runs one scenario on a backend; used by the `both!` macro of the suites.
pub async fn run<F, Fut>(backend: Backend, scenario: F) -> anyhow::Result<()>
where
    F: FnOnce(TestApp) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<()>>,
{
    let app = TestApp::spawn(backend).await?;
    scenario(app).await
}

/// Declares each scenario as two tests, `<name>::sqlite` and `<name>::postgres`.
#[macro_export]
macro_rules! both {
    ($($name:ident),+ $(,)?) => {
        $(
            mod $name {
                #[tokio::test]
                async fn sqlite() -> anyhow::Result<()> {
                    $crate::run($crate::Backend::Sqlite, super::$name).await
                }
                #[tokio::test]
                async fn postgres() -> anyhow::Result<()> {
                    $crate::run($crate::Backend::Postgres, super::$name).await
                }
            }
        )+
    };
}
