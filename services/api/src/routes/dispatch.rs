//! Contacts through the router: queue a contact, see and answer offers, end or abandon a
//! contact, and the supervisor's live view of queues and operators (R16, R18, R24.2).

use axum::extract::State;
use axum::http::StatusCode;
use baylanys_domain::router::Capacity;
use baylanys_domain::{Channel, Direction, InteractionState};
use baylanys_proto::{
    problem, ContactLive, EscalateContact, InteractionView, LiveView, OperatorLive, ProblemDetails,
    QueueContact, QueueLive, QueueStatusView, TransferContact,
};
use baylanys_store::{ContactStart, Transfer, TransferTarget};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::extract::{Caller, Json, Path, CENTRE_STAFF, OVERSIGHT};
use crate::{convert, AppState};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(queue_contact))
        .routes(routes!(my_offers))
        .routes(routes!(accept))
        .routes(routes!(decline))
        .routes(routes!(end))
        .routes(routes!(wrap_up))
        .routes(routes!(enqueue))
        .routes(routes!(abandon))
        .routes(routes!(live))
        .routes(routes!(transfer))
        .routes(routes!(escalate))
        .routes(routes!(queue_status))
}

/// Puts a new contact of an appeal in line (e.g. a callback the client asked for). Its queue is
/// the one given, else the routing table's choice.
#[utoipa::path(post, path = "/api/v1/appeals/{id}/interactions", tag = "routing", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = QueueContact,
    responses((status = 201, body = InteractionView), (status = 404, body = ProblemDetails, content_type = "application/problem+json")))]
async fn queue_contact(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(req): Json<QueueContact>,
) -> ApiResult<(StatusCode, axum::Json<InteractionView>)> {
    caller.require(CENTRE_STAFF)?;
    let appeal = state.store.get_appeal(id, caller.staff.scope()).await?;
    let started = state
        .centre
        .queue_contact(
            &appeal,
            req.channel,
            req.direction.unwrap_or(Direction::Inbound),
            req.queue_id,
            if req.in_menu {
                ContactStart::Menu
            } else {
                ContactStart::Queued
            },
            caller.actor(),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(convert::interaction(&started, state.config.wrap_up_limit)),
    ))
}

/// The contacts currently offered to the caller, oldest first.
#[utoipa::path(get, path = "/api/v1/routing/offers", tag = "routing", security(("bearer" = [])),
    responses((status = 200, body = Vec<InteractionView>)))]
async fn my_offers(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<axum::Json<Vec<InteractionView>>> {
    let offers = state.store.offers_for(caller.staff.id).await?;
    Ok(axum::Json(
        offers
            .iter()
            .map(|i| convert::interaction(i, state.config.wrap_up_limit))
            .collect(),
    ))
}

/// Takes an offered contact.
#[utoipa::path(post, path = "/api/v1/interactions/{id}/accept", tag = "routing", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = InteractionView), (status = 409, description = "No pending offer to you", body = ProblemDetails, content_type = "application/problem+json")))]
async fn accept(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> ApiResult<axum::Json<InteractionView>> {
    let taken = state.centre.accept(id, caller.staff.id).await?;
    Ok(axum::Json(convert::interaction(
        &taken,
        state.config.wrap_up_limit,
    )))
}

/// Declines an offered contact: it goes to the next operator and never comes back to you.
#[utoipa::path(post, path = "/api/v1/interactions/{id}/decline", tag = "routing", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = InteractionView), (status = 409, body = ProblemDetails, content_type = "application/problem+json")))]
async fn decline(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> ApiResult<axum::Json<InteractionView>> {
    let back = state
        .store
        .decline_offer(id, caller.staff.id, false)
        .await?;
    state.changed();
    Ok(axum::Json(convert::interaction(
        &back,
        state.config.wrap_up_limit,
    )))
}

/// Ends an answered contact, freeing the operator's capacity. The operator who has it, or a
/// supervisor or admin.
#[utoipa::path(post, path = "/api/v1/interactions/{id}/end", tag = "routing", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = InteractionView), (status = 409, body = ProblemDetails, content_type = "application/problem+json")))]
async fn end(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> ApiResult<axum::Json<InteractionView>> {
    own_contact_moves(&state, &caller, id, InteractionState::Ended).await
}

/// Moves a contact the caller handles (or, for oversight, anyone's) to its next phase.
async fn own_contact_moves(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    to: InteractionState,
) -> ApiResult<axum::Json<InteractionView>> {
    let current = state.store.get_interaction(id).await?;
    if current.operator_id != Some(caller.staff.id) {
        caller.require(OVERSIGHT)?;
    }
    let moved = state.centre.move_contact(id, to, caller.actor()).await?;
    Ok(axum::Json(convert::interaction(
        &moved,
        state.config.wrap_up_limit,
    )))
}

/// The client is gone (the call hung up) and the operator does the after-contact work; the
/// contact keeps its place in their capacity until they end it, and its handling time runs to
/// that end (report row 19).
#[utoipa::path(post, path = "/api/v1/interactions/{id}/wrap-up", tag = "routing", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = InteractionView), (status = 409, body = ProblemDetails, content_type = "application/problem+json")))]
async fn wrap_up(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> ApiResult<axum::Json<InteractionView>> {
    own_contact_moves(&state, &caller, id, InteractionState::WrapUp).await
}

/// The caller left the voice menu for an operator: the contact enters its queue now, and the
/// wait after the voice menu (KPI 1) runs from here.
#[utoipa::path(post, path = "/api/v1/interactions/{id}/enqueue", tag = "routing", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = InteractionView), (status = 409, description = "Not in the menu", body = ProblemDetails, content_type = "application/problem+json")))]
async fn enqueue(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> ApiResult<axum::Json<InteractionView>> {
    caller.require(CENTRE_STAFF)?;
    let queued = state
        .centre
        .move_contact(id, InteractionState::Queued, caller.actor())
        .await?;
    Ok(axum::Json(convert::interaction(
        &queued,
        state.config.wrap_up_limit,
    )))
}

/// Records that a queued contact left before anyone answered (a lost call, a closed chat).
#[utoipa::path(post, path = "/api/v1/interactions/{id}/abandon", tag = "routing", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = InteractionView), (status = 409, body = ProblemDetails, content_type = "application/problem+json")))]
async fn abandon(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> ApiResult<axum::Json<InteractionView>> {
    caller.require(OVERSIGHT)?;
    let gone = state
        .centre
        .move_contact(id, InteractionState::Abandoned, caller.actor())
        .await?;
    Ok(axum::Json(convert::interaction(
        &gone,
        state.config.wrap_up_limit,
    )))
}

fn capacity_of(load: [u8; 5]) -> Capacity {
    let at = |c: Channel| {
        Channel::ALL
            .iter()
            .position(|x| *x == c)
            .and_then(|i| load.get(i).copied())
            .unwrap_or(0)
    };
    Capacity {
        web_chat: at(Channel::WebChat),
        email: at(Channel::Email),
        telegram: at(Channel::Telegram),
        voice: at(Channel::Voice),
        in_person: at(Channel::InPerson),
    }
}

/// Per queue the waiting and offered contacts and the longest wait; per operator presence,
/// load and capacity.
#[utoipa::path(get, path = "/api/v1/routing/live", tag = "routing", security(("bearer" = [])),
    responses((status = 200, body = LiveView), (status = 403, body = ProblemDetails, content_type = "application/problem+json")))]
async fn live(State(state): State<AppState>, caller: Caller) -> ApiResult<axum::Json<LiveView>> {
    caller.require(OVERSIGHT)?;
    Ok(axum::Json(live_view(&state).await?))
}

/// The live view of queues and operators, for the HTTP endpoint and the staff socket.
pub async fn live_view(state: &AppState) -> ApiResult<LiveView> {
    // Every supervisor socket asks every couple of seconds; one drawing a second serves them all.
    let mut slot = state.live_view.lock().await;
    if let Some((drawn, view)) = slot.as_ref() {
        if drawn.elapsed() < std::time::Duration::from_secs(1) {
            return Ok(view.clone());
        }
    }
    let view = draw_live_view(state).await?;
    *slot = Some((std::time::Instant::now(), view.clone()));
    Ok(view)
}

async fn draw_live_view(state: &AppState) -> ApiResult<LiveView> {
    let now = baylanys_store::now();
    let snap = state.store.routing_snapshot().await?;
    let calendar = state.store.calendar().await?;
    // Today's calls per queue from the KPI engine: one definition of answered, lost and the
    // service level for the live view and the KPIs (report rows 15, 18).
    let today_kpis = super::kpis::today_breakdown(state).await?;
    let today = |q: Uuid| {
        today_kpis
            .queues
            .iter()
            .find(|s| s.id == q)
            .map_or((0, 0, None), |s| {
                (
                    u32::try_from(s.kpis.calls_answered).unwrap_or(u32::MAX),
                    u32::try_from(s.kpis.calls_lost).unwrap_or(u32::MAX),
                    s.kpis
                        .service_level_pct
                        .value
                        .map(|v| (v * 10.0).round() / 10.0),
                )
            })
    };
    let queues = snap
        .queues
        .iter()
        .map(|q| {
            let mine = snap.waiting.iter().filter(|w| w.queue_id == Some(q.id));
            let (mut waiting, mut offered, mut oldest) = (0u32, 0u32, None);
            for w in mine {
                if w.offered_to.is_some() {
                    offered += 1;
                } else {
                    waiting += 1;
                }
                oldest = Some(
                    oldest.map_or(w.queued_at, |o: chrono::DateTime<chrono::Utc>| {
                        o.min(w.queued_at)
                    }),
                );
            }
            let (answered_today, abandoned_today, service_level_today) = today(q.id);
            QueueLive {
                answered_today,
                abandoned_today,
                service_level_today,
                queue_id: q.id,
                code: q.code.clone(),
                name: q.name.clone(),
                waiting,
                offered,
                longest_wait_secs: oldest.map(|o| (now - o).num_seconds()),
                open: q.hours.clone().unwrap_or_default().is_open(&calendar, now),
            }
        })
        .collect();
    let unplaced = snap.waiting.iter().filter(|w| w.queue_id.is_none()).count();
    let operators = snap
        .operators
        .iter()
        .map(|o| OperatorLive {
            staff_id: o.staff.id,
            login: o.staff.login.clone(),
            display_name: o.staff.display_name.clone(),
            presence: o.staff.presence,
            load: capacity_of(o.load),
            capacity: o.staff.capacity,
        })
        .collect();
    let contacts = snap
        .waiting
        .iter()
        .take(200)
        .map(|w| ContactLive {
            interaction_id: w.interaction_id,
            appeal_id: w.appeal_id,
            queue_id: w.queue_id,
            channel: w.channel,
            language: w.language,
            waiting_secs: (now - w.queued_at).num_seconds(),
            offered_to: w.offered_to,
            escalated: w.escalated,
        })
        .collect();
    Ok(LiveView {
        at: now,
        queues,
        contacts,
        unplaced: u32::try_from(unplaced).unwrap_or(u32::MAX),
        operators,
    })
}

/// Only the operator handling (or offered) the contact, or a supervisor or admin, moves it.
pub(crate) async fn may_move(state: &AppState, caller: &Caller, id: Uuid) -> ApiResult<()> {
    let current = state.store.get_interaction(id).await?;
    if current.operator_id == Some(caller.staff.id) || current.offered_to == Some(caller.staff.id) {
        return Ok(());
    }
    caller.require(OVERSIGHT)
}

/// Transfers a contact to a queue or an operator (R18); the reason becomes an internal note.
#[utoipa::path(post, path = "/api/v1/interactions/{id}/transfer", tag = "routing", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = TransferContact,
    responses((status = 200, description = "The contact as it now waits", body = InteractionView),
              (status = 409, description = "Operator offline or full; contact finished", body = ProblemDetails, content_type = "application/problem+json")))]
async fn transfer(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(req): Json<TransferContact>,
) -> ApiResult<axum::Json<InteractionView>> {
    let reason = super::text("reason", &req.reason, 1000)?;
    may_move(&state, &caller, id).await?;
    let target = match (req.to_queue, req.to_operator) {
        (Some(q), None) => TransferTarget::Queue(q),
        (None, Some(op)) => {
            let settings = state.store.router_settings().await?;
            TransferTarget::Operator {
                id: op,
                expires_at: baylanys_store::now()
                    + chrono::Duration::seconds(i64::from(settings.offer_timeout_secs)),
            }
        }
        _ => {
            return Err(ApiError::new(
                problem::VALIDATION,
                "give exactly one of to_queue and to_operator",
            ))
        }
    };
    let moved = state
        .centre
        .transfer(
            id,
            Transfer {
                target,
                reason,
                escalation: false,
            },
            caller.actor(),
        )
        .await?;
    Ok(axum::Json(convert::interaction(
        &moved,
        state.config.wrap_up_limit,
    )))
}

/// Escalates a contact to the supervisors' queue named in the router settings (R24.2).
#[utoipa::path(post, path = "/api/v1/interactions/{id}/escalate", tag = "routing", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = EscalateContact,
    responses((status = 200, body = InteractionView),
              (status = 409, description = "No escalation queue configured", body = ProblemDetails, content_type = "application/problem+json")))]
async fn escalate(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(req): Json<EscalateContact>,
) -> ApiResult<axum::Json<InteractionView>> {
    let reason = super::text("reason", &req.reason, 1000)?;
    may_move(&state, &caller, id).await?;
    let queue = state
        .store
        .router_settings()
        .await?
        .escalation_queue_id
        .ok_or_else(|| ApiError::new(problem::CONFLICT, "no escalation queue is configured"))?;
    let moved = state
        .centre
        .transfer(
            id,
            Transfer {
                target: TransferTarget::Queue(queue),
                reason,
                escalation: true,
            },
            caller.actor(),
        )
        .await?;
    Ok(axum::Json(convert::interaction(
        &moved,
        state.config.wrap_up_limit,
    )))
}

/// A queued contact's place in line and estimated wait (R12.1).
#[utoipa::path(get, path = "/api/v1/interactions/{id}/queue", tag = "routing", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = QueueStatusView), (status = 404, body = ProblemDetails, content_type = "application/problem+json")))]
async fn queue_status(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> ApiResult<axum::Json<QueueStatusView>> {
    caller.require(CENTRE_STAFF)?;
    Ok(axum::Json(queue_position(&state, id).await?))
}

/// A queued contact's place in line and estimated wait, for staff and for the chat socket.
pub async fn queue_position(state: &AppState, id: Uuid) -> ApiResult<QueueStatusView> {
    Ok(view(id, state.centre.queue_position(id).await?))
}

/// The place in line of an appeal's waiting contact from the centre's shared board.
pub async fn board_status(state: &AppState, appeal_id: Uuid) -> ApiResult<Option<QueueStatusView>> {
    Ok(state
        .centre
        .queue_status(appeal_id)
        .await?
        .map(|s| view(s.interaction_id, s)))
}

fn view(interaction_id: Uuid, s: baylanys_centre::QueueStatus) -> QueueStatusView {
    QueueStatusView {
        interaction_id,
        queue_id: s.queue_id,
        position: s.position,
        waiting: s.waiting,
        estimated_wait_secs: s.estimated_wait_secs,
    }
}
