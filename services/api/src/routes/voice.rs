//! The phone's configuration and work lists: the voice menus as data (admins write, supervisors
//! read; each save an event, editable without a restart: every call reads the menu it is in),
//! and the callbacks waiting callers asked for (R12.2, R13).

use axum::extract::State;
use axum::http::StatusCode;
use baylanys_domain::voice::{IvrMenu, MenuAction, MenuOption, Prompt, ServiceNotice};
use baylanys_domain::{Language, Role};
use baylanys_proto::{
    CallbackOutcome, CallbackView, IvrMenuView, MenuActionDto, MenuOptionDto, PlaceCall,
    ProblemDetails, PromptDto, SaveIvrMenu, ServiceNoticeDto,
};
use baylanys_store::{Callback, StoredMenu};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::error::ApiResult;
use crate::extract::{Caller, Json, Path, Query};
use crate::AppState;

const ADMIN: &[Role] = &[Role::Admin];
const READERS: &[Role] = &[Role::Admin, Role::Supervisor];

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_menus))
        .routes(routes!(save_menu, remove_menu))
        .routes(routes!(list_callbacks))
        .routes(routes!(callback_outcome))
        .routes(routes!(place_callback))
        .routes(routes!(call_client))
        .routes(routes!(get_notice, set_notice))
        .routes(routes!(hold))
        .routes(routes!(resume))
}

fn notice_view(n: ServiceNotice) -> ServiceNoticeDto {
    ServiceNoticeDto {
        active: n.active,
        kk: n.kk,
        ru: n.ru,
        en: n.en,
        kk_audio_url: n.kk_audio_url,
        ru_audio_url: n.ru_audio_url,
        en_audio_url: n.en_audio_url,
        resumes_at: n.resumes_at,
        since: n.since,
    }
}

/// The service interruption notice (R34): calls hear it first, and the web chat, Telegram and
/// e-mail answer with it, while it is active. Every member of staff may read it (the console
/// shows it to all).
#[utoipa::path(get, path = "/api/v1/ivr/notice", tag = "channels", security(("bearer" = [])),
    responses((status = 200, body = ServiceNoticeDto), (status = 403, body = ProblemDetails, content_type = "application/problem+json")))]
async fn get_notice(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<axum::Json<ServiceNoticeDto>> {
    caller.require(&[Role::Admin, Role::Supervisor, Role::Operator, Role::Editor])?;
    Ok(axum::Json(notice_view(state.store.service_notice().await?)))
}

/// Turns the interruption notice on (with its words) or off: `service.interrupted` and
/// `service.resumed` are written with the change.
#[utoipa::path(put, path = "/api/v1/ivr/notice", tag = "channels", security(("bearer" = [])),
    request_body = ServiceNoticeDto,
    responses((status = 200, body = ServiceNoticeDto), (status = 403, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json")))]
async fn set_notice(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<ServiceNoticeDto>,
) -> ApiResult<axum::Json<ServiceNoticeDto>> {
    caller.require(&[Role::Admin, Role::Supervisor])?;
    let trim = |t: Option<String>| t.map(|t| t.trim().to_owned());
    let notice = ServiceNotice {
        active: req.active,
        kk: trim(req.kk),
        ru: trim(req.ru),
        en: trim(req.en),
        kk_audio_url: trim(req.kk_audio_url),
        ru_audio_url: trim(req.ru_audio_url),
        en_audio_url: trim(req.en_audio_url),
        resumes_at: req.resumes_at,
        // The centre's own instant, kept while the interruption stays on.
        since: None,
    };
    let saved = state
        .store
        .set_service_notice(notice, caller.actor())
        .await?;
    Ok(axum::Json(notice_view(saved)))
}

fn prompt_view(p: &Prompt) -> PromptDto {
    PromptDto {
        text: p.text.clone(),
        audio_url: p.audio_url.clone(),
    }
}

fn prompt(p: PromptDto) -> Prompt {
    Prompt {
        text: p.text.map(|t| t.trim().to_owned()),
        audio_url: p.audio_url.map(|u| u.trim().to_owned()),
    }
}

fn view(m: &StoredMenu) -> IvrMenuView {
    IvrMenuView {
        key: m.menu.key.clone(),
        language: m.menu.language,
        prompt: prompt_view(&m.menu.prompt),
        options: m
            .menu
            .options
            .iter()
            .map(|o| MenuOptionDto {
                digit: o.digit.clone(),
                label: o.label.clone(),
                action: match &o.action {
                    MenuAction::Menu { key } => MenuActionDto::Menu { key: key.clone() },
                    MenuAction::Operator { topic_id, queue_id } => MenuActionDto::Operator {
                        topic_id: *topic_id,
                        queue_id: *queue_id,
                    },
                    MenuAction::Article { slug } => MenuActionDto::Article { slug: slug.clone() },
                    MenuAction::Answer { prompt } => MenuActionDto::Answer {
                        prompt: prompt_view(prompt),
                    },
                    MenuAction::Language { language } => MenuActionDto::Language {
                        language: *language,
                    },
                    MenuAction::Repeat => MenuActionDto::Repeat,
                    MenuAction::Hangup => MenuActionDto::Hangup,
                },
            })
            .collect(),
        timeout_secs: m.menu.timeout_secs,
        retries: m.menu.retries,
        version: m.version,
        updated_at: m.updated_at,
    }
}

fn callback_view(c: &Callback) -> CallbackView {
    CallbackView {
        id: c.id,
        appeal_id: c.appeal_id,
        number: c.number.clone(),
        language: c.language,
        state: c.state.clone(),
        attempts: c.attempts,
        requested_at: c.requested_at,
        reason: c.reason.clone(),
        requested_by: c.requested_by,
        placed_by: c.placed_by,
        placed_at: c.placed_at,
    }
}

/// Every voice menu, by language and key.
#[utoipa::path(get, path = "/api/v1/ivr", tag = "channels", security(("bearer" = [])),
    responses((status = 200, body = Vec<IvrMenuView>), (status = 403, body = ProblemDetails, content_type = "application/problem+json")))]
async fn list_menus(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<axum::Json<Vec<IvrMenuView>>> {
    caller.require(READERS)?;
    Ok(axum::Json(
        state.store.ivr_menus().await?.iter().map(view).collect(),
    ))
}

/// Adds (no `version`) or replaces (the `version` read) one menu. Every call starts in `main`
/// of the first language; `0` reaches an operator from every menu. A change made meanwhile by
/// someone else is a 409 naming the current version; nothing is overwritten.
#[utoipa::path(put, path = "/api/v1/ivr/{language}/{key}", tag = "channels", security(("bearer" = [])),
    params(("language" = Language, Path), ("key" = String, Path, description = "1–40 of a–z, 0–9, _ and -")),
    request_body = SaveIvrMenu,
    responses((status = 200, body = IvrMenuView), (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json")))]
async fn save_menu(
    State(state): State<AppState>,
    caller: Caller,
    Path((language, key)): Path<(Language, String)>,
    Json(req): Json<SaveIvrMenu>,
) -> ApiResult<axum::Json<IvrMenuView>> {
    caller.require(ADMIN)?;
    let menu = IvrMenu {
        key,
        language,
        prompt: prompt(req.prompt),
        options: req
            .options
            .into_iter()
            .map(|o| MenuOption {
                digit: o.digit.trim().to_owned(),
                label: o.label.trim().to_owned(),
                action: match o.action {
                    MenuActionDto::Menu { key } => MenuAction::Menu { key },
                    MenuActionDto::Operator { topic_id, queue_id } => {
                        MenuAction::Operator { topic_id, queue_id }
                    }
                    MenuActionDto::Answer { prompt: p } => MenuAction::Answer { prompt: prompt(p) },
                    MenuActionDto::Article { slug } => MenuAction::Article {
                        slug: slug.trim().to_owned(),
                    },
                    MenuActionDto::Language { language } => MenuAction::Language { language },
                    MenuActionDto::Repeat => MenuAction::Repeat,
                    MenuActionDto::Hangup => MenuAction::Hangup,
                },
            })
            .collect(),
        timeout_secs: req.timeout_secs.unwrap_or(6),
        retries: req.retries.unwrap_or(2),
    };
    menu.validate()?;
    // Options naming queues or topics that do not exist are refused now, not found out by a
    // caller.
    let (queues, topics) = (
        state.store.list_queues().await?,
        state.store.list_topics().await?,
    );
    for o in &menu.options {
        if let MenuAction::Operator { topic_id, queue_id } = &o.action {
            let queue_ok = queue_id.is_none_or(|q| queues.iter().any(|x| x.id == q));
            let topic_ok = topic_id.is_none_or(|t| topics.iter().any(|x| x.id == t));
            if !(queue_ok && topic_ok) {
                return Err(baylanys_domain::DomainError::InvalidField {
                    field: "options",
                    reason: format!("option {}: no such queue or topic", o.digit),
                }
                .into());
            }
        }
    }
    let saved = state
        .store
        .save_ivr_menu(menu, req.version, caller.actor())
        .await?;
    Ok(axum::Json(view(&saved)))
}

#[utoipa::path(delete, path = "/api/v1/ivr/{language}/{key}", tag = "channels", security(("bearer" = [])),
    params(("language" = Language, Path), ("key" = String, Path)),
    responses((status = 204), (status = 404, body = ProblemDetails, content_type = "application/problem+json")))]
async fn remove_menu(
    State(state): State<AppState>,
    caller: Caller,
    Path((language, key)): Path<(Language, String)>,
) -> ApiResult<StatusCode> {
    caller.require(ADMIN)?;
    state
        .store
        .remove_ivr_menu(language, &key, caller.actor())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub(crate) struct CallbackQuery {
    /// `pending`, `placed`, `done`, `failed` or `cancelled`.
    state: Option<String>,
    /// 1–500 (default 100).
    limit: Option<u32>,
}

/// Callbacks callers asked for, oldest first (R13: whoever waits longest is called first).
#[utoipa::path(get, path = "/api/v1/callbacks", tag = "channels", security(("bearer" = [])),
    params(CallbackQuery),
    responses((status = 200, body = Vec<CallbackView>), (status = 400, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 403, body = ProblemDetails, content_type = "application/problem+json")))]
async fn list_callbacks(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<CallbackQuery>,
) -> ApiResult<axum::Json<Vec<CallbackView>>> {
    caller.require(&[Role::Admin, Role::Supervisor, Role::Operator])?;
    if let Some(s) = q.state.as_deref() {
        if !matches!(s, "pending" | "placed" | "done" | "failed" | "cancelled") {
            return Err(baylanys_domain::DomainError::InvalidField {
                field: "state",
                reason: "pending, placed, done, failed or cancelled".into(),
            }
            .into());
        }
    }
    let limit = super::page_limit(q.limit, 100, 500)?;
    Ok(axum::Json(
        state
            .store
            .callbacks(q.state.as_deref(), limit)
            .await?
            .iter()
            .map(callback_view)
            .collect(),
    ))
}

/// Has the PBX call the client back for the calling operator, whose phone is put through when
/// the client answers; the outcome is recorded from the PBX's events (R13). Refused, with
/// nothing changed, outside the calling hours on working days (R13.5), for a client marked
/// do-not-contact (R13.4), for a callback not waiting (409), for an operator without a phone
/// (422), where no PBX places calls (409: call from your phone and record the outcome), and
/// while the PBX is not connected (503).
#[utoipa::path(post, path = "/api/v1/callbacks/{id}/place", tag = "channels", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 202, body = CallbackView), (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 503, body = ProblemDetails, content_type = "application/problem+json")))]
async fn place_callback(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> ApiResult<(StatusCode, axum::Json<CallbackView>)> {
    caller.require(&[Role::Operator, Role::Supervisor, Role::Admin])?;
    let placed = state
        .centre
        .place_callback(id, &caller.staff, caller.actor())
        .await?;
    Ok((StatusCode::ACCEPTED, axum::Json(callback_view(&placed))))
}

/// The calling operator calls the client of the appeal through the PBX, for the reason given
/// (their opening line, kept with the call; R13): the phone number on the client's record. The same refusals as placing a callback, and 422 for a client without a
/// number. Unanswered, the call waits among the callbacks for another attempt.
#[utoipa::path(post, path = "/api/v1/appeals/{id}/call", tag = "channels", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    request_body = PlaceCall,
    responses((status = 202, body = CallbackView), (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 503, body = ProblemDetails, content_type = "application/problem+json")))]
async fn call_client(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(req): Json<PlaceCall>,
) -> ApiResult<(StatusCode, axum::Json<CallbackView>)> {
    caller.require(&[Role::Operator, Role::Supervisor, Role::Admin])?;
    let placed = state
        .centre
        .call_client(id, &req.reason, &caller.staff, caller.actor())
        .await?;
    Ok((StatusCode::ACCEPTED, axum::Json(callback_view(&placed))))
}

/// Records what came of calling a client back: `answered`, `no_answer`, `busy` — only inside the
/// calling hours on working days (R13.5) and never to a client marked do-not-contact (R13.4) —
/// or `cancelled`. After three attempts without an answer the callback is `failed`.
#[utoipa::path(post, path = "/api/v1/callbacks/{id}/outcome", tag = "channels", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    request_body = CallbackOutcome,
    responses((status = 200, body = CallbackView), (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json")))]
async fn callback_outcome(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(req): Json<CallbackOutcome>,
) -> ApiResult<axum::Json<CallbackView>> {
    caller.require(&[Role::Admin, Role::Supervisor, Role::Operator])?;
    let outcome = baylanys_domain::voice::outbound::Outcome::parse(&req.outcome)?;
    let done = state
        .centre
        .callback_outcome(id, outcome, caller.actor())
        .await?;
    Ok(axum::Json(callback_view(&done)))
}

/// Puts the caller on hold (issue "The phone", point 6): they wait in the holding area, told
/// so at least every minute, and the operator's phone is free. The operator who has the call,
/// or a supervisor. 409 for a contact that is not a call being answered or is on hold already,
/// or where the phone provider cannot be asked (the phone's own hold key works there); 503
/// when the provider fails (nothing changed).
#[utoipa::path(post, path = "/api/v1/interactions/{id}/hold", tag = "routing", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = baylanys_proto::InteractionView),
        (status = 403, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 503, body = ProblemDetails, content_type = "application/problem+json")))]
async fn hold(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> ApiResult<axum::Json<baylanys_proto::InteractionView>> {
    hold_or_resume(&state, &caller, id, true).await
}

/// Takes the caller back from hold: the operator's phone rings within a few seconds.
#[utoipa::path(post, path = "/api/v1/interactions/{id}/resume", tag = "routing", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = baylanys_proto::InteractionView),
        (status = 403, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, body = ProblemDetails, content_type = "application/problem+json")))]
async fn resume(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> ApiResult<axum::Json<baylanys_proto::InteractionView>> {
    hold_or_resume(&state, &caller, id, false).await
}

async fn hold_or_resume(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    on: bool,
) -> ApiResult<axum::Json<baylanys_proto::InteractionView>> {
    super::dispatch::may_move(state, caller, id).await?;
    let contact = state.centre.hold_call(id, on, caller.actor()).await?;
    Ok(axum::Json(crate::convert::interaction(
        &contact,
        state.config.wrap_up_limit,
    )))
}
