//! The Baylanys HTTP API (`/api/v1`), health and metrics endpoints, and the OpenAPI document.
//!
//! One router module per resource; handlers authenticate with [`extract::Caller`], check the
//! role, call one store verb and convert the result. Errors go through [`error::ApiError`] and
//! come out as RFC 9457 problem+json.

mod contract;
pub mod convert;
mod edge;
pub mod error;
pub mod extract;
pub mod limits;
mod lockout;
pub mod metrics;
pub mod password;
mod routes;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, Request};
use axum::Router;
use baylanys_store::Store;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

pub use password::{generate_password, HashCost};
pub use routes::staff::create_account;

/// Settings of the HTTP layer.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// How long a login token stays valid.
    pub token_ttl: Duration,
    /// Largest accepted request body, in bytes.
    pub body_limit: usize,
    pub hash_cost: HashCost,
    /// Failed logins allowed for one login within `lockout` before it is locked for `lockout`.
    pub max_failed_logins: u32,
    pub lockout: Duration,
    pub chat: limits::ChatConfig,
    /// Where citizens and bodies reach this centre from outside: links in e-mails and surveys,
    /// the endpoint bodies' systems call.
    pub public_url: String,
    /// How old the kept KPI totals of days that can still change (today, the last week) may be
    /// when a dashboard or report reads them; they are brought up to date in the background.
    /// Zero reads those days from the log on every request.
    pub kpi_refresh: Duration,
    /// The TwiML provider's auth token, which signs its webhooks; `None`: the TwiML voice
    /// webhook answers 404.
    pub twilio_auth_token: Option<Secret>,
    /// The TwiML provider's account id and REST address: with the auth token the centre takes
    /// a caller away from an operator's phone (transfer, hold) by redirecting the call.
    pub twilio_account_sid: String,
    pub twilio_api_url: String,
    /// The number clients see when the centre calls them through the TwiML provider; empty:
    /// it places no calls there.
    pub twilio_caller_id: String,
    /// The token RustPBX's step IVR and event webhook send in `X-Baylanys-Token`; `None`: the
    /// RustPBX webhooks answer 404.
    pub rustpbx_token: Option<Secret>,
    /// Text prompts go to RustPBX's speech synthesiser (a `tts` driver in the route's
    /// `app_params`); `false`: only recorded prompts play, texts are logged.
    pub rustpbx_tts: bool,
    /// The phone's first language and announcement interval.
    pub voice: baylanys_centre::VoiceSettings,
    /// How long after-contact work may last before the centre ends it (`None`: as long as the
    /// operator takes). The console counts it down; the `wrap_up_limit` worker enforces it.
    pub wrap_up_limit: Option<Duration>,
    /// RustPBX's call control: with it the centre places callbacks itself (R13).
    pub rwi: Option<baylanys_channels::rwi::RwiSettings>,
}

/// The PBX's call-control connection, to be turned by the workers.
#[derive(Debug)]
pub struct Pbx {
    pub socket: baylanys_channels::rwi::RwiSocket,
    pub heard: tokio::sync::mpsc::Receiver<baylanys_channels::rwi::Heard>,
}

/// A secret that never appears in `Debug` output or logs.
#[derive(Clone)]
pub struct Secret(pub String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            token_ttl: Duration::from_secs(12 * 3600),
            body_limit: 256 * 1024,
            hash_cost: HashCost::default(),
            max_failed_logins: 5,
            lockout: Duration::from_secs(15 * 60),
            chat: limits::ChatConfig::default(),
            public_url: "http://127.0.0.1:8080".into(),
            kpi_refresh: Duration::from_secs(60),
            twilio_auth_token: None,
            twilio_account_sid: String::new(),
            twilio_api_url: "https://api.twilio.com".into(),
            twilio_caller_id: String::new(),
            rustpbx_token: None,
            rustpbx_tts: false,
            voice: baylanys_centre::VoiceSettings::default(),
            wrap_up_limit: Some(Duration::from_secs(180)),
            rwi: None,
        }
    }
}

/// How messages leave the centre outside a live conversation: e-mail and SMS. Either may be
/// absent (not configured); what needs it then says so.
#[derive(Debug, Clone, Default)]
pub struct Delivery {
    pub mailer: Option<Arc<baylanys_channels::Mailer>>,
    pub sms: Option<Arc<baylanys_channels::SmsGateway>>,
}

/// Today's KPIs per queue and operator, as last drawn.
type TodayKpis = Arc<baylanys_reports::dashboard::Breakdown>;

/// Reads the health of this node's background workers. The binary attaches its supervisor's
/// board ([`AppState::with_workers`]); the API does not depend on the workers crate, which sits
/// beside it, so it only sees this view.
pub type WorkerHealthSource = Arc<dyn Fn() -> Vec<baylanys_proto::WorkerHealth> + Send + Sync>;

/// Shared by every handler. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub config: Arc<ApiConfig>,
    pub metrics: Arc<metrics::Metrics>,
    /// Wakes the routing engine when something it decides on changed.
    pub kick: Arc<tokio::sync::Notify>,
    /// Bumped whenever offers or queues may have changed; staff sockets push on it.
    pub changes: Arc<tokio::sync::watch::Sender<u64>>,
    /// Wakes sockets when a conversation has news; they read it from the store.
    pub bus: baylanys_bus::Bus,
    /// The live view drawn last, shared by supervisors' sockets and requests for a second.
    pub(crate) live_view:
        Arc<tokio::sync::Mutex<Option<(std::time::Instant, baylanys_proto::LiveView)>>>,
    /// Cancelled on shutdown: open sockets close with 1001.
    pub shutdown: tokio_util::sync::CancellationToken,
    /// Every open socket, so shutdown can wait for their goodbyes.
    pub sockets: tokio_util::task::TaskTracker,
    /// Failed logins per login and address, against password guessing.
    pub(crate) lockout: Arc<lockout::Lockout>,
    pub delivery: Delivery,
    /// Today's KPIs as pushed to supervisors, drawn at most every few seconds for all sockets.
    pub(crate) kpi_today: Arc<tokio::sync::Mutex<Option<(std::time::Instant, TodayKpis)>>>,
    /// A redraw of today's KPIs is running in the background.
    pub(crate) kpi_today_redrawing: Arc<std::sync::atomic::AtomicBool>,
    /// Wakes the outbox worker when a delivery was written on this node.
    pub outbox: Arc<tokio::sync::Notify>,
    /// The centre's use cases: receive from any channel, reply and notify on the appeal's own
    /// channel, queue choice, due dates. Handlers parse, authorise and call it.
    pub centre: baylanys_centre::Centre,
    /// The attachment store every channel shares (a local directory by default).
    pub files: baylanys_store::Files,
    /// Wakes the mailbox keeper when an admin added, changed or removed a mailbox.
    pub mailboxes: Arc<tokio::sync::Notify>,
    /// The centre's Telegram bots: their Bot API connections and webhook secrets, kept by the
    /// bot keeper; also the outbox's sender for Telegram.
    pub telegram: baylanys_channels::TelegramSender,
    /// Wakes the bot keeper when an admin added, changed or removed a bot.
    pub bots: Arc<tokio::sync::Notify>,
    /// Web-chat flood counters per visitor address.
    pub(crate) ip_limits: limits::IpLimits,
    /// Bot records the webhook read lately, so an update costs no read of its bot (see
    /// `routes::telegram::bot_record`).
    pub(crate) bot_records: routes::telegram::BotRecords,
    /// The health of this node's workers; none attached (an API without workers, as in some
    /// tests) reads as no workers, and readiness then rests on the database alone.
    workers: Option<WorkerHealthSource>,
    /// The PBX's call-control socket and what it hears, until the workers that turn them
    /// are started ([`AppState::take_pbx`]).
    pbx: Arc<std::sync::Mutex<Option<Pbx>>>,
    /// Verified against when a login is unknown, so timing does not reveal which logins exist.
    dummy_hash: Arc<String>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("backend", &self.store.backend())
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl AppState {
    /// [`ApiConfig::kpi_refresh`], as the reports crate counts time.
    pub fn kpi_refresh(&self) -> chrono::Duration {
        chrono::Duration::from_std(self.config.kpi_refresh).unwrap_or(chrono::Duration::zero())
    }

    /// Uses `bus` for live fan-out (the Redis bus when several nodes run).
    pub fn with_bus(mut self, bus: baylanys_bus::Bus) -> Self {
        self.centre = self.centre.with_bus(bus.clone());
        self.bus = bus;
        self
    }

    pub fn with_delivery(mut self, delivery: Delivery) -> Self {
        let mail_domain = match &delivery.mailer {
            Some(m) => m.domain().to_owned(),
            None => baylanys_centre::CentreSettings::default().mail_domain,
        };
        self.centre = self
            .centre
            .with_reach(baylanys_centre::Reach {
                email: delivery.mailer.is_some(),
                sms: delivery.sms.is_some(),
                telegram: true,
            })
            .with_settings(baylanys_centre::CentreSettings {
                public_url: self.config.public_url.clone(),
                mail_domain,
                voice: self.config.voice,
            });
        self.delivery = delivery;
        self
    }

    /// Keeps attachments in `files`.
    pub fn with_files(mut self, files: baylanys_store::Files) -> Self {
        self.files = files;
        self
    }

    /// Shows the health of this node's workers in `/readyz` and `GET /api/v1/workers`.
    pub fn with_workers(
        mut self,
        health: impl Fn() -> Vec<baylanys_proto::WorkerHealth> + Send + Sync + 'static,
    ) -> Self {
        self.workers = Some(Arc::new(health));
        self
    }

    /// The PBX's call-control socket and what it hears, for the workers that turn them
    /// (`PbxSocket`, `PlacedCalls`); `None` without call control, or once taken.
    pub fn take_pbx(&self) -> Option<Pbx> {
        self.pbx
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
    }

    /// Each worker's health now; empty when no workers are attached.
    pub fn worker_health(&self) -> Vec<baylanys_proto::WorkerHealth> {
        self.workers.as_ref().map(|f| f()).unwrap_or_default()
    }

    /// Something routing cares about changed: wake the engine and the staff sockets.
    pub fn changed(&self) {
        self.kick.notify_one();
        self.changes.send_modify(|v| *v = v.wrapping_add(1));
    }

    pub async fn new(store: Arc<dyn Store>, config: ApiConfig) -> Result<Self, error::ApiError> {
        let dummy_hash = password::dummy_hash(config.hash_cost).await?;
        let lockout = Arc::new(lockout::Lockout::new(
            config.max_failed_logins,
            config.lockout,
        ));
        let wake = baylanys_centre::Wake::default();
        let bus = baylanys_bus::Bus::local();
        let mut centre = baylanys_centre::Centre::new(store.clone(), bus.clone(), wake.clone())
            .with_settings(baylanys_centre::CentreSettings {
                public_url: config.public_url.clone(),
                voice: config.voice,
                ..Default::default()
            });
        if let (Some(token), false) = (
            &config.twilio_auth_token,
            config.twilio_account_sid.is_empty(),
        ) {
            let calls = baylanys_channels::TwilioCalls::new(
                &config.twilio_api_url,
                &config.twilio_account_sid,
                token.expose(),
                &config.twilio_caller_id,
            )
            .map_err(|e| {
                error::ApiError::new(baylanys_proto::problem::UNAVAILABLE, e.to_string())
            })?;
            centre = centre.with_twilio_calls(calls);
        }
        let pbx = match config.rwi.clone() {
            Some(settings) => {
                let (dialler, socket, heard) = baylanys_channels::rwi::Dialler::new(settings)
                    .map_err(|e| {
                        error::ApiError::new(baylanys_proto::problem::UNAVAILABLE, e.to_string())
                    })?;
                centre = centre.with_dialler(dialler);
                Some(Pbx { socket, heard })
            }
            None => None,
        };
        Ok(AppState {
            store,
            config: Arc::new(config),
            metrics: Arc::new(metrics::Metrics::default()),
            kick: wake.routing,
            changes: wake.changes,
            centre,
            bus,
            live_view: Arc::default(),
            shutdown: tokio_util::sync::CancellationToken::new(),
            sockets: tokio_util::task::TaskTracker::new(),
            dummy_hash: Arc::new(dummy_hash),
            lockout,
            ip_limits: limits::IpLimits::default(),
            bot_records: Default::default(),
            delivery: Delivery::default(),
            outbox: wake.outbox,
            kpi_today: Arc::default(),
            kpi_today_redrawing: Arc::default(),
            workers: None,
            pbx: Arc::new(std::sync::Mutex::new(pbx)),
            files: baylanys_store::Files::new("data/attachments"),
            mailboxes: Arc::default(),
            telegram: baylanys_channels::TelegramSender::default(),
            bots: Arc::default(),
        })
    }
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Baylanys API",
        description = "Omnichannel contact-centre backend for the contact centres of Kazakhstan's \
                       administrative bodies (Order 443/НҚ). Errors are RFC 9457 problem+json \
                       with a stable `type`.",
        license(name = "Apache-2.0")
    ),
    modifiers(&BearerAuth),
    components(schemas(baylanys_proto::ProblemDetails)),
    tags(
        (name = "auth", description = "Login and sessions"),
        (name = "staff", description = "Staff accounts (admin)"),
        (name = "clients", description = "Clients and their history; reads are audited (R11, R33)"),
        (name = "appeals", description = "Appeals and their timeline"),
        (name = "catalog", description = "Queues, topics, administrative bodies"),
        (name = "channels", description = "Channels the centre reads: mailboxes, Telegram bots (admin); the Telegram webhook"),
        (name = "routing", description = "Routing configuration: overflow, routing table, router settings"),
        (name = "calendar", description = "Working-day calendar of Kazakhstan (Asia/Almaty)"),
        (name = "oversight", description = "Event log and audit trail (admin, supervisor)"),
        (name = "system", description = "Health, readiness, metrics")
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(routes::auth::router())
        .merge(routes::staff::router())
        .merge(routes::clients::router())
        .merge(routes::appeals::router())
        .merge(routes::verification::router())
        .merge(routes::deadlines::router())
        .merge(routes::redirections::router())
        .merge(routes::body_webhooks::router())
        .merge(routes::deliveries::router())
        .merge(routes::templates::router())
        .merge(routes::competence::router())
        .merge(routes::surveys::router())
        .merge(routes::kpis::router())
        .merge(routes::reports::router())
        .merge(routes::complaints::router())
        .merge(routes::qa::router())
        .merge(routes::catalog::router())
        .merge(routes::calendar::router())
        .merge(routes::routing::router())
        .merge(routes::dispatch::router())
        .merge(routes::ws::router())
        .merge(routes::chat::router())
        .merge(routes::canned::router())
        .merge(routes::knowledge::router())
        .merge(routes::mailboxes::router())
        .merge(routes::telegram::router())
        .merge(routes::voice::router())
        .merge(routes::recordings::router())
        .merge(routes::twilio::router())
        .merge(routes::rustpbx::router())
        .merge(routes::pages::router())
        .merge(routes::oversight::router())
        .merge(routes::system::router())
}

/// The OpenAPI document, generated from the routes and the proto types.
pub fn openapi() -> utoipa::openapi::OpenApi {
    contract::complete(api_router().split_for_parts().1)
}

/// The whole HTTP application.
pub fn app(state: AppState) -> Router {
    let (router, doc) = api_router().split_for_parts();
    let doc = Arc::new(contract::complete(doc));
    let request_id = HeaderName::from_static("x-request-id");
    router
        .route(
            "/api/openapi.json",
            axum::routing::get(move || {
                let doc = doc.clone();
                async move { axum::Json(doc.as_ref().clone()) }
            }),
        )
        .fallback(|| async { axum::http::StatusCode::NOT_FOUND })
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(axum::middleware::from_fn(edge::refuse_controls))
        .layer(axum::middleware::from_fn(error::problem_layer))
        .layer(DefaultBodyLimit::max(state.config.body_limit))
        // The span carries the path only: query strings may hold an IIN or a phone number.
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                let id = req
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!(
                    "http",
                    method = %req.method(),
                    path = %req.uri().path(),
                    request_id = %id,
                )
            }),
        )
        .layer(axum::middleware::from_fn(edge::security_headers))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
        .with_state(state)
}
