//! Mailboxes the centre reads by IMAP (R5.3), for admins: add, change, remove, and see each
//! one's health and log; and the files that came with messages, for staff who may read the
//! appeal. The password is taken, never shown; every change is an event that names the fields,
//! never their values.

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::Response;
use baylanys_domain::{AppealScope, Language, Role};
use baylanys_proto::{
    CreateMailbox, MailLogView, MailboxHealth, MailboxView, ProblemDetails, UpdateMailbox,
};
use baylanys_store::{Mailbox, MailboxPatch, NewMailbox};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::{optional_text, text};
use crate::error::ApiResult;
use crate::extract::{Caller, Json, Path, CENTRE_STAFF};
use crate::AppState;

const ADMIN: &[Role] = &[Role::Admin];

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(update, remove))
        .routes(routes!(log))
        .routes(routes!(attachment))
}

/// What a poller's state says now.
pub fn health(m: &Mailbox, now: chrono::DateTime<chrono::Utc>) -> MailboxHealth {
    let since = m.state.last_sync_at.unwrap_or(m.created_at);
    MailboxHealth {
        name: m.name.clone(),
        enabled: m.enabled,
        connected: m.state.connected,
        uid_validity: m.state.uid_validity,
        last_uid: m.state.last_uid,
        last_sync_at: m.state.last_sync_at,
        lag_ms: u64::try_from((now - since).num_milliseconds()).unwrap_or(0),
        last_error_kind: m.state.last_error_kind.clone(),
        last_error: m.state.last_error.clone(),
        last_error_at: m.state.last_error_at,
    }
}

fn view(m: &Mailbox) -> MailboxView {
    MailboxView {
        id: m.id,
        name: m.name.clone(),
        host: m.host.clone(),
        port: m.port,
        security: m.security.clone(),
        login: m.login.clone(),
        folder: m.folder.clone(),
        queue_id: m.queue_id,
        topic_id: m.topic_id,
        language: m.language,
        address: m.address.clone(),
        enabled: m.enabled,
        health: health(m, chrono::Utc::now()),
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

/// The TLS mode as the IMAP client reads it, so the API accepts exactly what the poller can use.
fn security(value: &str) -> Result<String, baylanys_domain::DomainError> {
    baylanys_channels::mail::imap::Security::parse(value)
        .map(|s| s.as_str().to_owned())
        .map_err(|_| baylanys_domain::DomainError::InvalidField {
            field: "security",
            reason: "one of tls, starttls, plain".into(),
        })
}

/// A host name or address: letters, digits, dots, dashes, colons (IPv6); no scheme, no path.
fn host(value: &str) -> Result<String, baylanys_domain::DomainError> {
    let v = text("host", value, 253)?;
    if v.chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'))
    {
        Ok(v)
    } else {
        Err(baylanys_domain::DomainError::InvalidField {
            field: "host",
            reason: "a host name or address, without scheme or path".into(),
        })
    }
}

fn port(value: u16) -> Result<u16, baylanys_domain::DomainError> {
    if value == 0 {
        return Err(baylanys_domain::DomainError::InvalidField {
            field: "port",
            reason: "1–65535".into(),
        });
    }
    Ok(value)
}

fn address(value: Option<String>) -> Result<Option<String>, baylanys_domain::DomainError> {
    optional_text("address", value, 320)?
        .map(|a| baylanys_centre::channel_address(baylanys_domain::Channel::Email, &a))
        .transpose()
}

#[utoipa::path(get, path = "/api/v1/mailboxes", tag = "channels", security(("bearer" = [])),
    responses((status = 200, body = Vec<MailboxView>), (status = 403, body = ProblemDetails, content_type = "application/problem+json")))]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<axum::Json<Vec<MailboxView>>> {
    caller.require(&[Role::Admin, Role::Supervisor])?;
    let all = state.store.list_mailboxes().await?;
    Ok(axum::Json(all.iter().map(view).collect()))
}

/// Adds a mailbox; its poller starts within seconds on one node.
#[utoipa::path(post, path = "/api/v1/mailboxes", tag = "channels", security(("bearer" = [])),
    request_body = CreateMailbox,
    responses((status = 201, body = MailboxView), (status = 409, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json")))]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<CreateMailbox>,
) -> ApiResult<(StatusCode, axum::Json<MailboxView>)> {
    caller.require(ADMIN)?;
    let security = security(req.security.as_deref().unwrap_or("tls"))?;
    let default_port = if security == "tls" { 993 } else { 143 };
    let new = NewMailbox {
        name: text("name", &req.name, 100)?,
        host: host(&req.host)?,
        port: port(req.port.unwrap_or(default_port))?,
        security,
        login: text("login", &req.login, 320)?,
        password: text("password", &req.password, 1000)?,
        folder: text("folder", req.folder.as_deref().unwrap_or("INBOX"), 200)?,
        queue_id: req.queue_id,
        topic_id: req.topic_id,
        language: req.language.unwrap_or(Language::Kk),
        address: address(req.address)?,
        enabled: req.enabled.unwrap_or(true),
    };
    let m = state.store.create_mailbox(new, caller.actor()).await?;
    state.mailboxes.notify_one();
    Ok((StatusCode::CREATED, axum::Json(view(&m))))
}

#[utoipa::path(patch, path = "/api/v1/mailboxes/{id}", tag = "channels", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = UpdateMailbox,
    responses((status = 200, body = MailboxView), (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "Another mailbox has this name", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json")))]
async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(req): Json<UpdateMailbox>,
) -> ApiResult<axum::Json<MailboxView>> {
    caller.require(ADMIN)?;
    let patch = MailboxPatch {
        name: req.name.map(|v| text("name", &v, 100)).transpose()?,
        host: req.host.map(|v| host(&v)).transpose()?,
        port: req.port.map(port).transpose()?,
        security: req.security.map(|v| security(&v)).transpose()?,
        login: req.login.map(|v| text("login", &v, 320)).transpose()?,
        password: req
            .password
            .map(|v| text("password", &v, 1000))
            .transpose()?,
        folder: req.folder.map(|v| text("folder", &v, 200)).transpose()?,
        queue_id: req.queue_id,
        topic_id: req.topic_id,
        language: req.language,
        address: req.address.map(address).transpose()?,
        enabled: req.enabled,
    };
    let m = state
        .store
        .update_mailbox(id, patch, caller.actor())
        .await?;
    state.mailboxes.notify_one();
    Ok(axum::Json(view(&m)))
}

/// Removes a mailbox and its log; the appeals its mails opened stay.
#[utoipa::path(delete, path = "/api/v1/mailboxes/{id}", tag = "channels", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = ProblemDetails, content_type = "application/problem+json")))]
async fn remove(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> ApiResult<StatusCode> {
    caller.require(ADMIN)?;
    state.store.delete_mailbox(id, caller.actor()).await?;
    state.mailboxes.notify_one();
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct LogQuery {
    /// 1–1000, default 100.
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u32>,
}

/// What the poller did with each mail it read, newest first.
#[utoipa::path(get, path = "/api/v1/mailboxes/{id}/log", tag = "channels", security(("bearer" = [])),
    params(("id" = Uuid, Path), LogQuery),
    responses((status = 200, body = Vec<MailLogView>), (status = 404, body = ProblemDetails, content_type = "application/problem+json")))]
async fn log(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Query(q): Query<LogQuery>,
) -> ApiResult<axum::Json<Vec<MailLogView>>> {
    caller.require(&[Role::Admin, Role::Supervisor])?;
    state.store.get_mailbox(id).await?;
    let limit = super::page_limit(q.limit, 100, 1000)?;
    let rows = state.store.mail_log(id, limit).await?;
    Ok(axum::Json(
        rows.into_iter()
            .map(|r| MailLogView {
                uid_validity: r.uid_validity,
                uid: r.uid,
                mail_id: r.mail_id,
                sender: r.sender,
                outcome: r.outcome,
                detail: r.detail,
                appeal_id: r.appeal_id,
                size: r.size,
                created_at: r.created_at,
            })
            .collect(),
    ))
}

/// A file that came with a message, for staff who may read its appeal. Always a download
/// (`Content-Disposition: attachment`), never rendered in the console's origin: a sender's
/// HTML or SVG must not run as the operator.
#[utoipa::path(get, path = "/api/v1/attachments/{id}", tag = "appeals", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, description = "The file's bytes", content_type = "application/octet-stream"),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 410, body = ProblemDetails, content_type = "application/problem+json")))]
async fn attachment(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> ApiResult<Response> {
    caller.require(CENTRE_STAFF)?;
    let file = state.store.get_attachment(id).await?;
    // The appeal's scope decides, as for the appeal itself.
    let scope: AppealScope = caller.staff.scope();
    state.store.get_appeal(file.appeal_id, scope).await?;
    if let Some(why) = &file.refused {
        return Err(crate::error::ApiError::new(
            baylanys_proto::problem::GONE,
            format!("this file was not kept: {why}"),
        ));
    }
    let bytes = state.files.get(&file.sha256).await?;
    let name = file
        .name
        .clone()
        .unwrap_or_else(|| "attachment".into())
        .replace(['"', '\\', '\r', '\n'], "_");
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .header(
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"),
        )
        .header("x-content-type-options", "nosniff")
        .header(
            header::CONTENT_SECURITY_POLICY,
            "sandbox; default-src 'none'",
        )
        .body(Body::from(bytes))
        .map_err(|e| crate::error::ApiError::Internal(e.to_string()))
}
