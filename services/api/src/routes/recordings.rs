//! Recordings of calls (issue "The phone", point 9): listed on their appeal and played by
//! supervisors and QA reviewers only (R33: given only to those whose work needs it); every
//! play is an event, so the log says who heard which call.

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use baylanys_domain::AppealScope;
use baylanys_proto::{ProblemDetails, RecordingView};
use baylanys_store::{Recording, RecordingState, Unsatisfiable, Wanted};
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

/// The one byte range a `Range` header asks for (`bytes=a-b`, `bytes=a-`, `bytes=-n`). Several
/// ranges, another unit or a malformed value: `None`, and the whole file is sent, as RFC 9110
/// (§14.2) lets a server do.
fn wanted(headers: &HeaderMap) -> Option<Wanted> {
    let spec = headers
        .get(header::RANGE)?
        .to_str()
        .ok()?
        .trim()
        .strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (a, b) = spec.split_once('-')?;
    let (a, b) = (a.trim(), b.trim());
    let num = |s: &str| {
        (!s.is_empty() && s.bytes().all(|c| c.is_ascii_digit()))
            .then(|| s.parse::<u64>().ok())
            .flatten()
    };
    match (a.is_empty(), b.is_empty()) {
        (true, false) => Some(Wanted::Last(num(b)?)),
        (false, true) => Some(Wanted::From {
            start: num(a)?,
            end: None,
        }),
        (false, false) => {
            let (start, end) = (num(a)?, num(b)?);
            (start <= end).then_some(Wanted::From {
                start,
                end: Some(end),
            })
        }
        (true, true) => None,
    }
}

/// A recording's audio (supervisors and administrators), streamed from the attachment store,
/// whole or the one byte range a `Range` header asks for (206), so a player can seek in an
/// hour-long call; the server never holds a recording whole. A play is logged as
/// `call.recording_played` when its first byte is asked for; a seek later in the same play is
/// not another. 409 while it is still on its way from the provider; 410 once its retention ran
/// out (or it never arrived); 416 for a range past its end.
#[utoipa::path(get, path = "/api/v1/recordings/{id}/audio", tag = "appeals", security(("bearer" = [])),
    params(("id" = Uuid, Path),
        ("Range" = Option<String>, Header, description = "One byte range, `bytes=0-` …")),
    responses((status = 200, description = "The audio (WAV)", content_type = "audio/wav"),
        (status = 206, description = "The asked range of the audio (WAV)", content_type = "audio/wav"),
        (status = 403, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 410, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 416, body = ProblemDetails, content_type = "application/problem+json")))]
async fn audio(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    headers: HeaderMap,
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
    let range = wanted(&headers);
    let opened = match state.files.open(&sha256, range).await? {
        Ok(o) => o,
        Err(Unsatisfiable { size }) => {
            let mut r = ApiError::new(
                baylanys_proto::problem::RANGE_NOT_SATISFIABLE,
                format!("the recording is {size} bytes long"),
            )
            .into_response();
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{size}")) {
                r.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            return Ok(r);
        }
    };
    if opened.range.start == 0 {
        state.store.recording_played(id, caller.actor()).await?;
    }
    let (status, content_range) = match range {
        Some(_) => (
            StatusCode::PARTIAL_CONTENT,
            Some(format!(
                "bytes {}-{}/{}",
                opened.range.start,
                opened.range.end - 1,
                opened.size
            )),
        ),
        None => (StatusCode::OK, None),
    };
    let mut r = Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "audio/wav")
        .header(
            header::CONTENT_LENGTH,
            opened.range.end - opened.range.start,
        )
        .header(header::ACCEPT_RANGES, "bytes")
        .header(header::CACHE_CONTROL, "private, no-store")
        .header("x-content-type-options", "nosniff")
        .header(
            header::CONTENT_SECURITY_POLICY,
            "sandbox; default-src 'none'",
        );
    if let Some(cr) = content_range {
        r = r.header(header::CONTENT_RANGE, cr);
    }
    r.body(Body::from_stream(opened.body))
        .map_err(|e| ApiError::Internal(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asked(v: &str) -> Option<Wanted> {
        let mut h = HeaderMap::new();
        h.insert(header::RANGE, HeaderValue::from_str(v).ok()?);
        wanted(&h)
    }

    #[test]
    fn one_byte_range_is_read_from_the_header() {
        let from = |start, end| Some(Wanted::From { start, end });
        assert_eq!(asked("bytes=0-"), from(0, None));
        assert_eq!(asked("bytes=100-199"), from(100, Some(199)));
        assert_eq!(asked("bytes=-500"), Some(Wanted::Last(500)));
        // Not one plain range: the whole file.
        for v in [
            "bytes=0-1,5-9",
            "items=0-1",
            "bytes=9-1",
            "bytes=-",
            "bytes=a-b",
            "bytes=+1-2",
        ] {
            assert_eq!(asked(v), None, "{v}");
        }
        assert_eq!(wanted(&HeaderMap::new()), None);
    }
}
