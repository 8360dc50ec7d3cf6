//! Telegram (report row 10): the bots, for admins — the token is taken, never shown; each
//! change is an event naming the fields, never their values — and the webhook Telegram calls
//! with each update, which checks `X-Telegram-Bot-Api-Secret-Token` in constant time against
//! the bot's secret held in memory before any database work, and answers 2xx only once the
//! update is handled (persist before acknowledge: Telegram retries anything else).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use baylanys_domain::Role;
use baylanys_proto::{BotView, CreateBot, ProblemDetails, UpdateBot};
use baylanys_store::{Bot, BotPatch, NewBot};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::text;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Caller, Json, Path};
use crate::AppState;

const ADMIN: &[Role] = &[Role::Admin];
const DEFAULT_API: &str = "https://api.telegram.org";

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(update, remove))
        .routes(routes!(webhook))
}

fn view(b: &Bot) -> BotView {
    BotView {
        id: b.id,
        name: b.name.clone(),
        mode: b.mode.clone(),
        queue_id: b.queue_id,
        topic_id: b.topic_id,
        api_url: b.api_url.clone(),
        enabled: b.enabled,
        webhook_path: format!("/webhooks/telegram/{}", b.id),
        last_update_at: b.last_update_at,
        last_lag_ms: b.last_lag_ms,
        last_error_kind: b.last_error_kind.clone(),
        last_error: b.last_error.clone(),
        last_error_at: b.last_error_at,
        created_at: b.created_at,
        updated_at: b.updated_at,
    }
}

fn invalid(field: &'static str, reason: &str) -> baylanys_domain::DomainError {
    baylanys_domain::DomainError::InvalidField {
        field,
        reason: reason.into(),
    }
}

fn mode(v: &str) -> Result<String, baylanys_domain::DomainError> {
    match v {
        "webhook" | "polling" => Ok(v.to_owned()),
        _ => Err(invalid("mode", "webhook or polling")),
    }
}

/// `<digits>:<35 letters, digits, - or _>`, as @BotFather issues them.
fn token(v: &str) -> Result<String, baylanys_domain::DomainError> {
    let ok = v.len() <= 160
        && v.split_once(':').is_some_and(|(id, rest)| {
            !id.is_empty()
                && id.bytes().all(|b| b.is_ascii_digit())
                && (20..=100).contains(&rest.len())
                && rest
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        });
    if ok {
        Ok(v.to_owned())
    } else {
        Err(invalid("token", "a bot token as @BotFather gives it"))
    }
}

fn api_url(v: &str) -> Result<String, baylanys_domain::DomainError> {
    let v = v.trim().trim_end_matches('/');
    let rest = v
        .strip_prefix("https://")
        .or_else(|| v.strip_prefix("http://"))
        .ok_or_else(|| invalid("api_url", "an http(s) URL"))?;
    let host = rest.split('/').next().unwrap_or_default();
    let ok = !host.is_empty() && v.len() <= 300 && v.chars().all(|c| c.is_ascii_graphic());
    if ok {
        Ok(v.to_owned())
    } else {
        Err(invalid("api_url", "an http(s) URL"))
    }
}

/// A fresh webhook secret: 32 random letters and digits (Telegram allows A–Z, a–z, 0–9, _ -).
fn secret() -> String {
    use rand::Rng;
    const SET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::thread_rng();
    (0..32)
        .map(|_| SET[rng.gen_range(0..SET.len())] as char)
        .collect()
}

#[utoipa::path(get, path = "/api/v1/telegram/bots", tag = "channels", security(("bearer" = [])),
    responses((status = 200, body = Vec<BotView>), (status = 403, body = ProblemDetails, content_type = "application/problem+json")))]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<axum::Json<Vec<BotView>>> {
    caller.require(&[Role::Admin, Role::Supervisor])?;
    Ok(axum::Json(
        state.store.list_bots().await?.iter().map(view).collect(),
    ))
}

/// Adds a bot; within seconds it polls, or (webhook mode) is pointed at this centre's
/// `BAYLANYS_PUBLIC_URL`.
#[utoipa::path(post, path = "/api/v1/telegram/bots", tag = "channels", security(("bearer" = [])),
    request_body = CreateBot,
    responses((status = 201, body = BotView), (status = 409, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json")))]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<CreateBot>,
) -> ApiResult<(StatusCode, axum::Json<BotView>)> {
    caller.require(ADMIN)?;
    let new = NewBot {
        name: text("name", &req.name, 100)?,
        token: token(req.token.trim())?,
        webhook_secret: secret(),
        mode: mode(req.mode.as_deref().unwrap_or("webhook"))?,
        queue_id: req.queue_id,
        topic_id: req.topic_id,
        api_url: api_url(req.api_url.as_deref().unwrap_or(DEFAULT_API))?,
        enabled: req.enabled.unwrap_or(true),
    };
    let bot = state.store.create_bot(new, caller.actor()).await?;
    state.bots.notify_one();
    Ok((StatusCode::CREATED, axum::Json(view(&bot))))
}

#[utoipa::path(patch, path = "/api/v1/telegram/bots/{id}", tag = "channels", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = UpdateBot,
    responses((status = 200, body = BotView), (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json")))]
async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(req): Json<UpdateBot>,
) -> ApiResult<axum::Json<BotView>> {
    caller.require(ADMIN)?;
    let patch = BotPatch {
        name: req.name.map(|v| text("name", &v, 100)).transpose()?,
        token: req.token.map(|v| token(v.trim())).transpose()?,
        mode: req.mode.map(|v| mode(&v)).transpose()?,
        queue_id: req.queue_id,
        topic_id: req.topic_id,
        api_url: req.api_url.map(|v| api_url(&v)).transpose()?,
        enabled: req.enabled,
    };
    let bot = state.store.update_bot(id, patch, caller.actor()).await?;
    state.bots.notify_one();
    Ok(axum::Json(view(&bot)))
}

#[utoipa::path(delete, path = "/api/v1/telegram/bots/{id}", tag = "channels", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = ProblemDetails, content_type = "application/problem+json")))]
async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    caller.require(ADMIN)?;
    state.store.delete_bot(id, caller.actor()).await?;
    state.telegram.remove_bot(id);
    state.bots.notify_one();
    Ok(StatusCode::NO_CONTENT)
}

/// An update from Telegram. 200 once it is handled (or was before); 401 for a wrong secret,
/// before anything is read from or written to the database; 400 for a body that is not an
/// update; 503 when the database cannot take it (Telegram delivers it again).
#[utoipa::path(post, path = "/webhooks/telegram/{bot}", tag = "channels",
    params(("bot" = Uuid, Path)),
    request_body(content = Object, description = "A Telegram Update object, as the Bot API sends it", content_type = "application/json"),
    responses((status = 200), (status = 400, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json")))]
async fn webhook(
    State(state): State<AppState>,
    Path(bot_id): Path<Uuid>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<StatusCode> {
    let given = headers
        .get("x-telegram-bot-api-secret-token")
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    if !state.telegram.webhook_secret_matches(bot_id, given) {
        return Err(ApiError::unauthorized("the webhook secret does not match"));
    }
    let update: baylanys_channels::telegram::TelegramUpdate = serde_json::from_slice(&body)
        .map_err(|e| {
            ApiError::new(
                baylanys_proto::problem::MALFORMED_JSON,
                format!("not a Telegram update: {e}"),
            )
        })?;
    let bot = bot_record(&state, bot_id).await?;
    let incoming = baylanys_channels::telegram::Incoming::from_update(&update);
    let api = state.telegram.bot(bot_id);
    state
        .centre
        .handle_telegram(
            &bot,
            api.as_ref(),
            &state.files,
            i64::from(update.id.0),
            incoming,
            baylanys_channels::telegram::sent_at(&update),
        )
        .await?;
    Ok(StatusCode::OK)
}

/// How long the webhook trusts a bot record it read: an admin's change (a bot switched off, a new
/// queue) takes effect within this.
const BOT_RECORD_TTL: std::time::Duration = std::time::Duration::from_secs(2);

/// Bot records by id with when each was read. Only a bot whose webhook secret matched gets here,
/// so it holds at most one entry per configured bot.
pub(crate) type BotRecords =
    std::sync::Arc<std::sync::Mutex<std::collections::HashMap<Uuid, (std::time::Instant, Bot)>>>;

/// The bot's record, read at most every [`BOT_RECORD_TTL`]: at thousands of updates a second a
/// read per update is a round trip the webhook need not pay.
async fn bot_record(state: &AppState, id: Uuid) -> ApiResult<Bot> {
    let fresh = {
        let cache = state
            .bot_records
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        cache
            .get(&id)
            .filter(|(at, _)| at.elapsed() < BOT_RECORD_TTL)
            .map(|(_, b)| b.clone())
    };
    if let Some(bot) = fresh {
        return Ok(bot);
    }
    let bot = state.store.get_bot(id).await?;
    let mut cache = state
        .bot_records
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    // Bounded by the configured bots; a removed bot's entry is dropped here.
    cache.retain(|_, (at, _)| at.elapsed() < BOT_RECORD_TTL);
    cache.insert(id, (std::time::Instant::now(), bot.clone()));
    Ok(bot)
}
