//! Appeals: registration, the list, the single-window detail with its whole timeline, messages,
//! status changes, reclassification (kind, topic, priority), assignment, internal notes and
//! redirection. Body officers reach only the appeals redirected to their body: the caller's
//! scope is passed to every store verb.

use axum::extract::State;
use axum::http::{Method, StatusCode};
use baylanys_centre::{Registration, Reply};
use baylanys_domain::{AppealKind, AppealStatus, Author, Channel, DomainError, Priority, Role};
use baylanys_proto::{
    AddMessage, AddNote, AppealDetail, AppealPage, AppealView, AssignAppeal, ChangeStatus,
    CreateAppeal, FirstContact, MessageView, NoteView, ProblemDetails, UpdateAppeal,
};
use baylanys_store::{
    AppealFilter, ContactStart, FieldChange, NewMessage, RecordedContact, StatusChange,
};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::clients::audit;
use super::{optional_text, text};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Caller, Json, Path, Query, CENTRE_STAFF};
use crate::{convert, AppState};

/// Longest message accepted, in characters.
const MAX_MESSAGE: usize = 20_000;
/// Longest reason for a reclassification, in characters.
const MAX_REASON: usize = 500;
const MAX_EXTERNAL_ID: usize = 200;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_appeals, create_appeal))
        .routes(routes!(get_appeal, update_appeal))
        .routes(routes!(add_message))
        .routes(routes!(change_status))
        .routes(routes!(assign))
        .routes(routes!(add_note))
}

fn external_id(value: Option<String>) -> Result<Option<String>, DomainError> {
    optional_text("external_id", value, MAX_EXTERNAL_ID)
}

/// Registers an appeal. With an `external_id` the call is idempotent: a replay answers 200
/// with the appeal already registered.
#[utoipa::path(post, path = "/api/v1/appeals", tag = "appeals", security(("bearer" = [])),
    request_body = CreateAppeal,
    responses(
        (status = 201, body = AppealView),
        (status = 200, description = "Replay of an already registered external id", body = AppealView),
        (status = 404, description = "Client, topic or queue not found", body = ProblemDetails, content_type = "application/problem+json")))]
async fn create_appeal(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<CreateAppeal>,
) -> ApiResult<(StatusCode, axum::Json<AppealView>)> {
    caller.require(CENTRE_STAFF)?;
    let priority = match req.priority {
        Some(p) => Priority::new(p)?,
        None => Priority::default(),
    };
    let subject = optional_text("subject", req.subject, 500)?;
    let first_message = optional_text("text", req.text, MAX_MESSAGE)?;
    let external_id = external_id(req.external_id)?;
    let contact = first_contact(req.contact, caller.staff.id);
    let ingested = state
        .centre
        .register(Registration {
            client_id: req.client_id,
            kind: req.kind,
            topic_id: req.topic_id,
            channel: req.channel,
            language: req.language,
            priority,
            queue_id: req.queue_id,
            subject,
            external_id,
            text: first_message,
            contact,
            actor: caller.actor(),
        })
        .await?;
    let status = if ingested.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, axum::Json(convert::appeal(&ingested.value))))
}

/// Where the registered appeal's contact starts, as the request says (default: answered by the
/// registering operator).
fn first_contact(spec: Option<FirstContact>, caller: Uuid) -> ContactStart {
    match spec.unwrap_or(FirstContact::Answered) {
        FirstContact::Answered => ContactStart::AnsweredBy(caller),
        FirstContact::Queued => ContactStart::Queued,
        FirstContact::Menu => ContactStart::Menu,
        FirstContact::Recorded {
            queued_at,
            answered_at,
            ended_at,
            operator_id,
        } => ContactStart::Recorded(RecordedContact {
            queued_at,
            operator_id: answered_at.map(|_| operator_id.unwrap_or(caller)),
            answered_at,
            ended_at,
        }),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct AppealQuery {
    status: Option<AppealStatus>,
    kind: Option<AppealKind>,
    channel: Option<Channel>,
    client_id: Option<Uuid>,
    assignee_id: Option<Uuid>,
    queue_id: Option<Uuid>,
    topic_id: Option<Uuid>,
    body_id: Option<Uuid>,
    /// Created at or after (RFC 3339).
    created_from: Option<DateTime<Utc>>,
    /// Created before (RFC 3339).
    created_to: Option<DateTime<Utc>>,
    /// `true`: only appeals past their due date and not yet answered or closed.
    #[serde(default)]
    overdue: bool,
    /// Cursor: `next_before` of the previous page.
    before: Option<Uuid>,
    /// 1–500, default 50.
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u32>,
}

/// Lists appeals newest first, with filters and cursor pagination.
#[utoipa::path(get, path = "/api/v1/appeals", tag = "appeals", security(("bearer" = [])),
    params(AppealQuery),
    responses((status = 200, body = AppealPage), (status = 400, body = ProblemDetails, content_type = "application/problem+json")))]
async fn list_appeals(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<AppealQuery>,
) -> ApiResult<axum::Json<AppealPage>> {
    let limit = super::page_limit(q.limit, 50, 500)?;
    let mut filter = AppealFilter::new(caller.staff.scope());
    filter.status = q.status;
    filter.kind = q.kind;
    filter.channel = q.channel;
    filter.client_id = q.client_id;
    filter.assignee_id = q.assignee_id;
    filter.queue_id = q.queue_id;
    filter.topic_id = q.topic_id;
    filter.body_id = q.body_id;
    filter.created_from = q.created_from;
    filter.created_to = q.created_to;
    filter.overdue = q.overdue;
    filter.before = q.before;
    filter.limit = limit;
    let items = state.store.list_appeals(filter).await?;
    let next_before = if items.len() == limit as usize {
        items.last().map(|a| a.id)
    } else {
        None
    };
    Ok(axum::Json(AppealPage {
        items: items.iter().map(convert::appeal).collect(),
        next_before,
    }))
}

/// The appeal in the single window: client card, contacts and the whole timeline (R32).
/// Shows the client's personal data, so the read is audited.
#[utoipa::path(get, path = "/api/v1/appeals/{id}", tag = "appeals", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = AppealDetail), (status = 404, body = ProblemDetails, content_type = "application/problem+json")))]
async fn get_appeal(
    State(state): State<AppState>,
    caller: Caller,
    method: Method,
    Path(id): Path<Uuid>,
) -> ApiResult<axum::Json<AppealDetail>> {
    let scope = caller.staff.scope();
    let appeal = state.store.get_appeal(id, scope).await?;
    let timeline = state.store.timeline(id, scope).await?;
    let deliveries = state.store.deliveries_of(id).await?;
    let parts = state.store.parts_of(id).await?;
    let client = state.store.get_client(appeal.client_id).await?;
    audit(
        &state,
        &caller,
        &[client.id],
        &method,
        "/api/v1/appeals/{id}",
    )
    .await?;
    // Until the client proves who they are on this appeal, the card keeps the IIN and BIN
    // masked, so nothing confidential is read out to the wrong person (R11).
    let mut card = convert::client(&client);
    if appeal.verified_at.is_none() {
        card.iin = card.iin.as_deref().map(convert::mask);
        card.bin = card.bin.as_deref().map(convert::mask);
    }
    // What the client claimed and nobody verified helps staff verify them, and says which
    // record a verification would prove; a body's officer sees only what the redirection letter
    // says.
    let mut verification = None;
    if caller.staff.role != Role::BodyOfficer {
        let claims = state.store.claims_of(client.id).await?;
        card.claims = claims.iter().map(convert::claim).collect();
        if appeal.verified_at.is_none() {
            verification = Some(super::verification::options(&state, client, &claims).await?);
        }
    }
    let mut entries = convert::timeline(&timeline);
    let extras = state.store.message_extras(id).await?;
    convert::add_extras(&mut entries, &extras);
    let detail = AppealDetail {
        appeal: convert::appeal(&appeal),
        client: card,
        interactions: timeline
            .interactions
            .iter()
            .map(|i| convert::interaction(i, state.config.wrap_up_limit))
            .collect(),
        timeline: entries,
        deliveries: deliveries.iter().map(convert::delivery).collect(),
        parts: parts.iter().map(convert::appeal).collect(),
        verification,
    };
    if caller.staff.role == Role::BodyOfficer {
        return Ok(axum::Json(as_letter(detail)));
    }
    Ok(axum::Json(detail))
}

/// Reclassifies the appeal (issue 14): its kind, topic or priority, each change an event with
/// from, to and the reason (`appeal.kind_changed`, `appeal.topic_changed`,
/// `appeal.priority_changed`). A new kind re-dates an appeal whose due date was never extended
/// by the new kind's term (АППК art. 76), and the citizen is told the kind and the new date on
/// their own channel, in their language (R6.1, R6.4). Values equal to the current ones change
/// nothing. Centre staff only; a complaint keeps its kind (R8, R9).
#[utoipa::path(patch, path = "/api/v1/appeals/{id}", tag = "appeals", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = UpdateAppeal,
    responses(
        (status = 200, body = AppealView),
        (status = 403, description = "Not centre staff (a body's officer)", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "Answered or closed; the kind of a complaint", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Nothing to change; kind `complaint`; priority outside 1–5; a topic that is unknown or inactive; a reason empty or over 500 characters", body = ProblemDetails, content_type = "application/problem+json")))]
async fn update_appeal(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(req): Json<UpdateAppeal>,
) -> ApiResult<axum::Json<AppealView>> {
    caller.require(CENTRE_STAFF)?;
    let change = FieldChange {
        kind: req.kind,
        topic_id: req.topic_id,
        priority: req.priority.map(Priority::new).transpose()?,
        reason: optional_text("reason", req.reason, MAX_REASON)?,
        due_at: None,
    };
    if change.is_empty() {
        return Err(DomainError::InvalidField {
            field: "body",
            reason: "nothing to change: give kind, topic_id or priority".into(),
        }
        .into());
    }
    if change.kind == Some(AppealKind::Complaint) {
        return Err(DomainError::InvalidField {
            field: "kind",
            reason: "a complaint is registered with its category through \
                     POST /api/v1/appeals/{id}/complaint (R8, R9)"
                .into(),
        }
        .into());
    }
    let done = state
        .centre
        .reclassify(id, change, caller.staff.scope(), caller.actor())
        .await?;
    Ok(axum::Json(convert::appeal(&done.appeal)))
}

/// What a body's officer sees of an appeal redirected to them: what the redirection letter
/// says — the applicant's name, the appeal's text and the centre's messages, the redirection —
/// and their own deliveries, nothing more (R11, R33; issue "Trustworthy in the field", point
/// 10). Not the client's IIN, phone, e-mail, flags or claims; not the centre's internal notes,
/// the contacts (call and chat ids), the mail headers with addresses, or the notices to the
/// citizen with their addresses.
fn as_letter(mut d: AppealDetail) -> AppealDetail {
    d.client = baylanys_proto::ClientView {
        id: d.client.id,
        name: d.client.name,
        iin: None,
        bin: None,
        language: d.client.language,
        vulnerable: false,
        do_not_contact: false,
        identities: Vec::new(),
        claims: Vec::new(),
        created_at: d.client.created_at,
        updated_at: d.client.updated_at,
    };
    d.interactions.clear();
    d.timeline
        .retain(|e| e.message.is_some() || e.redirection.is_some());
    for e in &mut d.timeline {
        e.note = None;
        if let Some(m) = &mut e.message {
            m.mail = None;
            m.external_id = None;
        }
    }
    d.deliveries
        .retain(|x| x.recipient == baylanys_proto::Recipient::Body);
    d.verification = None;
    d
}

/// Appends a message. With an `external_id` a resend answers 200 with the stored message.
#[utoipa::path(post, path = "/api/v1/appeals/{id}/messages", tag = "appeals", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = AddMessage,
    responses(
        (status = 201, body = MessageView),
        (status = 200, description = "Replay of an already stored external id", body = MessageView),
        (status = 409, description = "The appeal is closed", body = ProblemDetails, content_type = "application/problem+json")))]
async fn add_message(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(req): Json<AddMessage>,
) -> ApiResult<(StatusCode, axum::Json<MessageView>)> {
    let author = req.author.unwrap_or(Author::Operator);
    let staff_id = match author {
        Author::Operator => Some(caller.staff.id),
        // Staff record what the client said on a call or at a desk.
        Author::Client if caller.staff.role != Role::BodyOfficer => None,
        _ => {
            return Err(DomainError::InvalidField {
                field: "author",
                reason: "staff post as operator, or record the client's words".into(),
            }
            .into())
        }
    };
    let body = text("body", &req.body, MAX_MESSAGE)?;
    let external_id = external_id(req.external_id)?;
    let scope = caller.staff.scope();
    let (message, created) = match staff_id {
        // A reply goes out on the appeal's own channel.
        Some(staff_id) => {
            let replied = state
                .centre
                .reply(Reply {
                    appeal_id: id,
                    staff_id,
                    body,
                    channel: req.channel,
                    external_id,
                    scope,
                    actor: caller.actor(),
                })
                .await?;
            (replied.message, replied.created)
        }
        None => {
            let stored = state
                .store
                .add_message(
                    id,
                    NewMessage {
                        author,
                        kind: baylanys_domain::MessageKind::Text,
                        staff_id: None,
                        channel: req.channel,
                        body,
                        interaction_id: None,
                        external_id,
                        extras: Default::default(),
                    },
                    scope,
                    caller.actor(),
                )
                .await?;
            if stored.created {
                state.bus.publish(baylanys_bus::Signal::Message {
                    appeal_id: id,
                    seq: stored.value.seq,
                });
            }
            (stored.value, stored.created)
        }
    };
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, axum::Json(convert::message(&message))))
}

/// Moves the appeal along its lifecycle; an illegal move is 409 `illegal-transition`.
#[utoipa::path(post, path = "/api/v1/appeals/{id}/status", tag = "appeals", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = ChangeStatus,
    responses(
        (status = 200, body = AppealView),
        (status = 409, description = "Illegal transition or concurrent change", body = ProblemDetails, content_type = "application/problem+json")))]
async fn change_status(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(req): Json<ChangeStatus>,
) -> ApiResult<axum::Json<AppealView>> {
    let reason = optional_text("reason", req.reason, 2000)?;
    let change = StatusChange {
        to: req.status,
        reason: reason.clone(),
        resolution: optional_text("resolution", req.resolution, MAX_MESSAGE)?,
        first_contact_resolved: req.first_contact_resolved,
    };
    let appeal = state
        .centre
        .change_status(id, change, caller.staff.scope(), caller.actor(), None)
        .await?;
    Ok(axum::Json(convert::appeal(&appeal)))
}

/// Assigns the appeal. Supervisors and admins assign freely; an operator may take an unassigned
/// appeal or hand on one assigned to them.
#[utoipa::path(post, path = "/api/v1/appeals/{id}/assign", tag = "appeals", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = AssignAppeal,
    responses((status = 200, body = AppealView), (status = 403, body = ProblemDetails, content_type = "application/problem+json")))]
async fn assign(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(req): Json<AssignAppeal>,
) -> ApiResult<axum::Json<AppealView>> {
    caller.require(CENTRE_STAFF)?;
    let scope = caller.staff.scope();
    if caller.staff.role == Role::Operator {
        let current = state.store.get_appeal(id, scope).await?;
        if current.assignee_id.is_some_and(|a| a != caller.staff.id) {
            return Err(ApiError::forbidden(
                "the appeal is assigned to someone else; ask a supervisor",
            ));
        }
    }
    let appeal = state
        .store
        .assign(id, req.staff_id, scope, caller.actor())
        .await?;
    Ok(axum::Json(convert::appeal(&appeal)))
}

/// Adds an internal note: staff only, never sent to the client.
#[utoipa::path(post, path = "/api/v1/appeals/{id}/notes", tag = "appeals", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = AddNote,
    responses((status = 201, body = NoteView), (status = 404, body = ProblemDetails, content_type = "application/problem+json")))]
async fn add_note(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(req): Json<AddNote>,
) -> ApiResult<(StatusCode, axum::Json<NoteView>)> {
    let body = text("body", &req.body, MAX_MESSAGE)?;
    let note = state
        .store
        .add_note(id, &body, caller.staff.scope(), caller.actor())
        .await?;
    Ok((StatusCode::CREATED, axum::Json(convert::note(&note))))
}
