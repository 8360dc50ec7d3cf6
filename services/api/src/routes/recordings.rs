//! Recordings of calls (issue "The phone", point 9): listed on their appeal and played by
//! supervisors and QA reviewers only (R33: given only to those whose work needs it); every
//! play is an event, so the log says who heard which call.

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::Response;
use baylanys_domain::AppealScope;
use baylanys_proto::{ProblemDetails, RecordingView};
use baylanys_store::{Recording, RecordingState};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::extract::{Caller, Path, OVERSIGHT};
use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(appeal_recordings))
        .routes(routes!(audio))
}

fn view(r: &Recording) -> RecordingView {
    RecordingView {
        id: r.id,
        appeal_id: r.appeal_id,
        interaction_id: r.interaction_id,
        provider: r.provider.clone(),
        state: r.state.as_str().to_owned(),
        duration_secs: r.duration_secs,
        size: r.size,
        created_at: r.created_at,
        stored_at: r.stored_at,
        expires_at: r.expires_at,
    }
}

/// The recordings of an appeal's calls, oldest first (supervisors and administrators).
#[utoipa::path(get, path = "/api/v1/appeals/{id}/recordings", tag = "appeals", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<RecordingView>),
        (status = 403, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json")))]
async fn appeal_recordings(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> ApiResult<axum::Json<Vec<RecordingView>>> {
    caller.require(OVERSIGHT)?;
    let scope: AppealScope = caller.staff.scope();
    state.store.get_appeal(id, scope).await?;
    let all = state.store.appeal_recordings(id).await?;
    Ok(axum::Json(all.iter().map(view).collect()))
}

/// A recording's audio (supervisors and administrators); each play is logged as
/// `call.recording_played`. 409 while it is still on its way from the provider; 410 once its
/// retention ran out (or it never arrived).
#[utoipa::path(get, path = "/api/v1/recordings/{id}/audio", tag = "appeals", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, description = "The audio (WAV)", content_type = "audio/wav"),
        (status = 403, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 410, body = ProblemDetails, content_type = "application/problem+json")))]
async fn audio(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> ApiResult<Response> {
    caller.require(OVERSIGHT)?;
    let rec = state.store.get_recording(id).await?;
    let scope: AppealScope = caller.staff.scope();
    state.store.get_appeal(rec.appeal_id, scope).await?;
    let sha256 = match (rec.state, &rec.sha256) {
        (RecordingState::Stored, Some(sha)) => sha.clone(),
        (RecordingState::Fetching, _) => {
            return Err(ApiError::new(
                baylanys_proto::problem::CONFLICT,
                "this recording is still being fetched from the provider",
            ))
        }
        (RecordingState::Expired, _) => {
            return Err(ApiError::new(
                baylanys_proto::problem::GONE,
                "this recording's retention ran out; its audio was deleted",
            ))
        }
        _ => {
            return Err(ApiError::new(
                baylanys_proto::problem::GONE,
                "this recording could not be fetched from the provider",
            ))
        }
    };
    let bytes = state.files.get(&sha256).await?;
    state.store.recording_played(id, caller.actor()).await?;
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "audio/wav")
        .header(header::CACHE_CONTROL, "private, no-store")
        .header("x-content-type-options", "nosniff")
        .header(
            header::CONTENT_SECURITY_POLICY,
            "sandbox; default-src 'none'",
        )
        .body(Body::from(bytes))
        .map_err(|e| ApiError::Internal(e.to_string()))
}
