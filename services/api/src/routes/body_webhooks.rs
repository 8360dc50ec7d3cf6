//! The signed webhook API of bodies' own systems (clause 3.8, R30): whatever a body officer does
//! in the portal — accept a redirected appeal, return it as not the body's competence, ask the
//! citizen for more, answer — a body's system does by a call signed with the body's secret
//! (Standard Webhooks: `webhook-id`, `webhook-timestamp`, `webhook-signature`). A call with a
//! bad or stale signature is 401, a replayed id 409, an appeal not with this body 404; none
//! changes anything. Every call received is an event, and so is the action it took.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use baylanys_channels::webhook;
use baylanys_domain::{AppealScope, AppealStatus, Role};
use baylanys_proto::{
    problem, AppealView, BodyAction, BodyWebhookCall, ProblemDetails, WebhookSecret,
};
use baylanys_store::{Actor, BodyAnswer, Receipt, StatusChange};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::text;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Caller, Path};
use crate::{convert, AppState};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(issue_secret))
        .routes(routes!(receive))
}

/// Issues a new webhook secret for the body, shown once; the previous one stops working at once.
/// The body's system signs its calls with it and checks the centre's calls with it.
#[utoipa::path(post, path = "/api/v1/bodies/{id}/webhook-secret", tag = "catalog", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = WebhookSecret), (status = 404, body = ProblemDetails, content_type = "application/problem+json")))]
async fn issue_secret(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> ApiResult<axum::Json<WebhookSecret>> {
    caller.require(&[Role::Admin])?;
    let secret = webhook::new_secret();
    state
        .store
        .set_webhook_secret(id, &secret, caller.actor())
        .await?;
    Ok(axum::Json(WebhookSecret {
        secret,
        endpoint: format!("{}/api/v1/webhooks/bodies/{id}", state.config.public_url),
    }))
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

fn refused(e: webhook::SignatureError) -> ApiError {
    ApiError::new(problem::INVALID_SIGNATURE, e.to_string())
}

/// A body's system acts on an appeal redirected to it. No bearer token: the signature with the
/// body's secret is the credential.
#[utoipa::path(post, path = "/api/v1/webhooks/bodies/{id}", tag = "appeals",
    params(("id" = Uuid, Path, description = "The body"),
        ("webhook-id" = String, Header, description = "Unique per call"),
        ("webhook-timestamp" = i64, Header, description = "Unix seconds"),
        ("webhook-signature" = String, Header, description = "v1,<base64 HMAC-SHA256 of id.timestamp.body>")),
    request_body = BodyWebhookCall,
    responses(
        (status = 200, body = AppealView),
        (status = 401, description = "Missing, stale or wrong signature", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, description = "Not an appeal of this body", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, description = "Replayed id, or the action does not fit the appeal's state", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Malformed call", body = ProblemDetails, content_type = "application/problem+json")))]
async fn receive(
    State(state): State<AppState>,
    Path(body_id): Path<Uuid>,
    headers: HeaderMap,
    raw: Bytes,
) -> ApiResult<axum::Json<AppealView>> {
    // An unknown body and a body without a secret look the same as a wrong signature.
    let secret = state
        .store
        .webhook_secret(body_id)
        .await?
        .ok_or_else(|| refused(webhook::SignatureError::Mismatch))?;
    let id = header(&headers, "webhook-id");
    webhook::verify(
        &secret,
        id,
        header(&headers, "webhook-timestamp"),
        header(&headers, "webhook-signature"),
        &raw,
        baylanys_store::now().timestamp(),
    )
    .map_err(refused)?;
    let call: BodyWebhookCall = serde_json::from_slice(&raw).map_err(|e| {
        ApiError::new(
            problem::INVALID_BODY,
            format!("not a body webhook call: {e}"),
        )
    })?;
    let scope = AppealScope::Body(body_id);
    // Out of scope is 404 before the call is counted, like a portal officer's request.
    state.store.get_appeal(call.appeal_id, scope).await?;
    let words = |what: &'static str| -> ApiResult<String> {
        let t = call.text.as_deref().unwrap_or_default();
        Ok(text(what, t, 10_000)?)
    };
    // Validate before recording the call, so a malformed one can be corrected and resent.
    let words = match call.action {
        BodyAction::Accept => None,
        BodyAction::Return => Some(words("text")?),
        BodyAction::Ask | BodyAction::Answer => Some(words("text")?),
    };
    // A call applied already is a replay, whatever its action would find now.
    if state.store.webhook_seen(body_id, id).await? {
        return Err(ApiError::new(
            problem::REPLAYED,
            "this webhook-id was received already",
        ));
    }
    // The call is recorded with the change it makes, in one transaction: a replay is refused,
    // and a call whose change failed leaves no trace, so the body's retry is applied.
    let receipt = || {
        Some(Receipt {
            body_id,
            webhook_id: id.to_owned(),
            action: action_name(call.action).to_owned(),
        })
    };
    let actor = Actor::Body { id: body_id };
    let centre = &state.centre;
    let done = match (call.action, words) {
        (BodyAction::Accept, _) => {
            centre
                .answer_redirection(call.appeal_id, BodyAnswer::Accept, scope, actor, receipt())
                .await
        }
        (BodyAction::Return, Some(reason)) => {
            let answer = BodyAnswer::Return { reason };
            centre
                .answer_redirection(call.appeal_id, answer, scope, actor, receipt())
                .await
        }
        (BodyAction::Ask, Some(question)) => {
            let change = StatusChange {
                to: AppealStatus::AwaitingClient,
                reason: Some(question),
                resolution: None,
                first_contact_resolved: None,
            };
            centre
                .change_status(call.appeal_id, change, scope, actor, receipt())
                .await
        }
        (BodyAction::Answer, Some(answer)) => {
            let change = StatusChange {
                to: AppealStatus::Answered,
                reason: None,
                resolution: Some(answer),
                first_contact_resolved: None,
            };
            centre
                .change_status(call.appeal_id, change, scope, actor, receipt())
                .await
        }
        (_, None) => {
            return Err(ApiError::new(problem::VALIDATION, "text is required"));
        }
    };
    let appeal = done?;
    Ok(axum::Json(convert::appeal(&appeal)))
}

fn action_name(a: BodyAction) -> &'static str {
    match a {
        BodyAction::Accept => "accept",
        BodyAction::Return => "return",
        BodyAction::Ask => "ask",
        BodyAction::Answer => "answer",
    }
}
