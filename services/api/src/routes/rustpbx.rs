//! RustPBX's step-mode IVR and event webhook, the on-premises adapter of the phone (see
//! `baylanys_channels::rustpbx`). Every request carries the `X-Baylanys-Token` header the
//! route's `app_params.headers` (and `[rwi_webhook] headers`) give it; it is compared in constant
//! time with `BAYLANYS_RUSTPBX_TOKEN` before anything is read from or written to the database.
//!
//! - `POST …/step`: one step of a call → one action node;
//! - `POST …/step/start`, `/step/end`, `/step/dtmf-match`: notices the PBX sends besides (their
//!   answers are not read); `/step/fail`: a node could not run → the call ends;
//! - `POST …/events`: the PBX's event webhook: a hang-up, a transfer that connected;
//! - `POST …/recordings`: the PBX's recording upload (`[recording] type = "http"`).

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::HeaderMap;
use baylanys_centre::{CallIn, RecordingFile, RecordingIn, MAX_RECORDING_BYTES};
use baylanys_channels::rustpbx::{self, PbxEvent, Step};
use baylanys_channels::rwi;
use baylanys_domain::voice::{CallEvent, VoiceAction};
use baylanys_proto::ProblemDetails;
use futures_util::{StreamExt, TryStreamExt};
use serde_json::{json, Value};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ApiResult};
use crate::extract::Path;
use crate::AppState;

const PROVIDER: &str = "rustpbx";

pub fn router() -> OpenApiRouter<AppState> {
    // A recording is megabytes: its route takes a body as large as the longest kept.
    let uploads = OpenApiRouter::new()
        .routes(routes!(recording))
        .layer(DefaultBodyLimit::max(MAX_RECORDING_BYTES + 64 * 1024));
    OpenApiRouter::new()
        .routes(routes!(step))
        .routes(routes!(step_notice))
        .routes(routes!(events))
        .merge(uploads)
}

/// The token in constant time; 404 when the adapter is not configured at all.
fn check(state: &AppState, headers: &HeaderMap) -> ApiResult<()> {
    let Some(token) = state.config.rustpbx_token.as_ref() else {
        return Err(ApiError::new(
            baylanys_proto::problem::NOT_FOUND,
            "the RustPBX voice webhook is not configured",
        ));
    };
    let given = headers
        .get("x-baylanys-token")
        .map(|v| v.as_bytes())
        .unwrap_or_default();
    let want = token.expose().as_bytes();
    let same = given.len() == want.len()
        && given
            .iter()
            .zip(want)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    if same {
        Ok(())
    } else {
        Err(ApiError::unauthorized(
            "the X-Baylanys-Token does not match",
        ))
    }
}

fn malformed(e: serde_json::Error) -> ApiError {
    ApiError::new(
        baylanys_proto::problem::MALFORMED_JSON,
        format!("not a RustPBX request: {e}"),
    )
}

fn invalid(detail: &str) -> ApiError {
    ApiError::new(baylanys_proto::problem::VALIDATION, detail)
}

/// The event a step means, and its id (the PBX resends a failed request byte for byte: the
/// step's number keys it).
fn event_of(s: &Step) -> ApiResult<(String, CallEvent)> {
    let id = format!(
        "{}:{}",
        s.app_execution_id.unwrap_or(0),
        s.step_index.unwrap_or(0)
    );
    let Some(e) = &s.event else {
        return Err(invalid("a step names its event"));
    };
    Ok(match e.kind.as_str() {
        "session_start" => (
            "arrived".into(),
            CallEvent::Arrived {
                from: s.caller.as_deref().and_then(rustpbx::user_of),
                to: s.callee.as_deref().and_then(rustpbx::user_of),
            },
        ),
        "dtmf" => {
            let d = e.digit.clone().unwrap_or_default();
            let ok = (1..=8).contains(&d.len())
                && d.bytes()
                    .all(|b| b.is_ascii_digit() || b == b'*' || b == b'#');
            if !ok {
                return Err(invalid("a dtmf step names its digit: 0–9, * or #"));
            }
            (id, CallEvent::Digits(d))
        }
        "transfer_result" => {
            let answered = e.outcome.as_deref() == Some("target_ended");
            (id, CallEvent::BridgeEnded { answered })
        }
        "error" => {
            tracing::warn!(
                reason = e.reason.as_deref().unwrap_or(""),
                "the PBX could not run a prompt"
            );
            (id, CallEvent::NoInput)
        }
        // A silence ran out, a prompt finished: nothing was pressed.
        _ => (id, CallEvent::NoInput),
    })
}

/// One step of a call: the action node to run next. 401 for a wrong token (nothing read or
/// written); 400/422 for a body that is not a step.
#[utoipa::path(post, path = "/webhooks/voice/rustpbx/step", tag = "channels",
    request_body(content = Object, description = "RustPBX's step request (ProviderContext: session_id, caller, callee, step_index, event)", content_type = "application/json"),
    responses((status = 200, description = "An action node", body = Object),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json")))]
async fn step(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<axum::Json<Value>> {
    check(&state, &headers)?;
    let s: Step = serde_json::from_slice(&body).map_err(malformed)?;
    let (event_id, event) = event_of(&s)?;
    let call = |event_id: String, event: CallEvent| CallIn {
        provider: PROVIDER,
        call_id: s.session_id.clone(),
        event_id,
        event,
    };
    let mut actions = state
        .centre
        .call_event(call(event_id.clone(), event))
        .await?;
    // No holding area to leave on the PBX: straight on to what follows.
    if actions == [VoiceAction::Leave] {
        actions = state
            .centre
            .call_event(call(format!("{event_id}:dequeued"), CallEvent::Dequeued))
            .await?;
    }
    let voice = rustpbx::Voice {
        tts: state.config.rustpbx_tts,
    };
    if !voice.tts {
        for a in &actions {
            let said = match a {
                VoiceAction::Gather { prompts, .. } => prompts.iter().collect::<Vec<_>>(),
                other => vec![other],
            };
            for p in said {
                if let VoiceAction::Say { text, language } = p {
                    // The centre's own words and the menus' texts, never a caller's data.
                    tracing::info!(call = %s.session_id, %language, %text, "voice prompt (no synthesiser)");
                }
            }
        }
    }
    Ok(axum::Json(rustpbx::render(&actions, voice)))
}

/// The notices the PBX sends beside the steps (`start`, `end`, `dtmf-match`: their answers are
/// not read) and `fail` (a node could not run: the call ends).
#[utoipa::path(post, path = "/webhooks/voice/rustpbx/step/{notice}", tag = "channels",
    params(("notice" = String, Path, description = "start, end, fail or dtmf-match")),
    request_body(content = Object, content_type = "application/json"),
    responses((status = 200, body = Object),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json")))]
async fn step_notice(
    State(state): State<AppState>,
    Path(notice): Path<String>,
    headers: HeaderMap,
) -> ApiResult<axum::Json<Value>> {
    check(&state, &headers)?;
    match notice.as_str() {
        "fail" => Ok(axum::Json(json!({"type": "hangup"}))),
        "start" | "end" | "dtmf-match" => Ok(axum::Json(json!({}))),
        _ => Err(ApiError::new(
            baylanys_proto::problem::NOT_FOUND,
            "no such step notice",
        )),
    }
}

/// The PBX's event webhook: `call_hangup` ends the call (the caller or the operator hung up),
/// `call_transferred` says the operator's phone answered; other events change nothing. For a
/// callback the centre placed, `call_answered`, `call_busy`, `call_no_answer` and
/// `call_hangup` settle the attempt (the same events its call-control socket hears; each is
/// applied once).
#[utoipa::path(post, path = "/webhooks/voice/rustpbx/events", tag = "channels",
    request_body(content = Object, description = "An RWI event as RustPBX's [rwi_webhook] posts it", content_type = "application/json"),
    responses((status = 200, body = Object),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json")))]
async fn events(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<axum::Json<Value>> {
    check(&state, &headers)?;
    let e: PbxEvent = serde_json::from_slice(&body).map_err(malformed)?;
    let placed = match e.event_type.as_str() {
        "call_answered" => Some(rwi::CallEvent::Answered),
        "call_busy" => Some(rwi::CallEvent::Busy),
        "call_no_answer" => Some(rwi::CallEvent::NoAnswer),
        "call_hangup" => Some(rwi::CallEvent::Hangup {
            reason: None,
            sip_status: None,
        }),
        _ => None,
    };
    if let Some(placed) = placed {
        let ours = state
            .centre
            .placed_call_event(&e.call_id, &placed, baylanys_centre::HeardFrom::Webhook)
            .await?;
        if ours {
            return Ok(axum::Json(json!({})));
        }
    }
    let event = match e.event_type.as_str() {
        "call_hangup" => Some(("hangup", CallEvent::HungUp)),
        "call_transferred" => Some(("transferred", CallEvent::Bridged)),
        _ => None,
    };
    if let Some((id, event)) = event {
        state
            .centre
            .call_event(CallIn {
                provider: PROVIDER,
                call_id: e.call_id,
                event_id: id.into(),
                event,
            })
            .await?;
    }
    Ok(axum::Json(json!({})))
}

/// A call's recording as RustPBX uploads it when its `[recording]` policy has `type = "http"`
/// (multipart: `call_id`, `track_id`, and the WAV as `recording`). The PBX records what its
/// policy says; the centre keeps the recording only of a call whose queue records and whose
/// caller was told, and answers 200 for the others without keeping a byte (the PBX then
/// deletes its copy). 401 for a wrong token, 404 for an unknown call, 422 for a form that is
/// not the PBX's.
#[utoipa::path(post, path = "/webhooks/voice/rustpbx/recordings", tag = "channels",
    request_body(content = Object, description = "multipart/form-data: call_id, track_id, recording (audio/wav)", content_type = "multipart/form-data"),
    responses((status = 200, body = Object, description = "`{\"kept\": true|false}`"),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json")))]
async fn recording(
    State(state): State<AppState>,
    headers: HeaderMap,
    mut form: Multipart,
) -> ApiResult<axum::Json<Value>> {
    check(&state, &headers)?;
    let not_the_pbx = |e: axum::extract::multipart::MultipartError| {
        invalid(&format!(
            "not the PBX's recording upload: {}",
            e.body_text()
        ))
    };
    let (mut call_id, mut track, mut kept) = (None, None, None);
    while let Some(field) = form.next_field().await.map_err(not_the_pbx)? {
        match field.name() {
            Some("call_id") => call_id = Some(field.text().await.map_err(not_the_pbx)?),
            Some("track_id") => track = Some(field.text().await.map_err(not_the_pbx)?),
            // The PBX sends its call's id first (RustPBX 0.5's form: call_id, track_id,
            // recording), so the file streams into the store as it arrives once the call is
            // known to record; it is never held whole.
            Some("recording") if kept.is_none() => {
                let call_id = call_id
                    .clone()
                    .ok_or_else(|| invalid("the upload names its call_id before its recording"))?;
                // The PBX's names, made printable (a file name may hold anything).
                let source: String = format!(
                    "{call_id}/{}/{}",
                    track.as_deref().unwrap_or("mixed"),
                    field.file_name().unwrap_or("recording.wav")
                )
                .chars()
                .map(|c| if c.is_ascii_graphic() { c } else { '_' })
                .take(200)
                .collect();
                let chunks = field.map_err(|e| e.body_text()).boxed();
                let recording = RecordingIn {
                    provider: PROVIDER,
                    call_id,
                    source,
                    duration_secs: None,
                    body: RecordingFile::Upload {
                        chunks,
                        content_type: "audio/wav".into(),
                    },
                };
                kept = Some(
                    state
                        .centre
                        .recording_arrived(&state.files, recording)
                        .await?,
                );
            }
            // Fields a later PBX may add are not ours to refuse.
            _ => {}
        }
    }
    let kept = kept.ok_or_else(|| invalid("the upload carries its recording"))?;
    Ok(axum::Json(json!({
        "kept": matches!(kept, baylanys_store::Announced::Kept(_))
    })))
}
