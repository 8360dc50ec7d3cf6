//! TwiML voice webhooks (Twilio; SignalWire and Telnyx TeXML speak the same), the cloud adapter
//! of the phone. Each request is checked against `X-Twilio-Signature` — computed over this
//! centre's `BAYLANYS_PUBLIC_URL`, never the Host a caller sends — before anything is read from
//! or written to the database; then it becomes one call event for the centre, and the centre's
//! actions go back as TwiML.
//!
//! The hooks, one per kind of provider request (the number's Voice URL is `…/incoming`, its
//! status callback `…/status`; the rest are named in the TwiML the centre answers):
//! `incoming` a new call · `gather?step=N` the keys pressed (or none) · `wait` the holding
//! area's wait URL, re-requested while the caller waits · `left` the caller left the holding
//! area · `dial` the operator's leg ended · `status` the call ended · `recording` a recorded
//! call's recording is ready · `released?id=` the centre redirected the call away from the operator's
//! phone (a transfer, a hold) · `placed?call=` and `placed-status?call=` a call the centre
//! placed was answered, and ended.

use axum::body::Bytes;
use axum::extract::{OriginalUri, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use baylanys_centre::CallIn;
use baylanys_centre::{RecordingFile, RecordingIn};
use baylanys_channels::twiml;
use baylanys_domain::voice::{CallEvent, VoiceAction};
use baylanys_proto::ProblemDetails;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ApiResult};
use crate::extract::Path;
use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(hook))
}

fn invalid(detail: &str) -> ApiError {
    ApiError::new(baylanys_proto::problem::VALIDATION, detail)
}

/// The event a provider request means, and its id (unique per call for that event, the same
/// on the provider's retry).
fn event_of(
    hook: &str,
    step: Option<&str>,
    get: &dyn Fn(&str) -> Option<String>,
) -> Result<(String, CallEvent), ApiError> {
    Ok(match hook {
        "incoming" => (
            "arrived".into(),
            CallEvent::Arrived {
                from: get("From"),
                to: get("To"),
            },
        ),
        "gather" => {
            let step = step
                .filter(|s| !s.is_empty() && s.len() <= 18 && s.bytes().all(|b| b.is_ascii_digit()))
                .ok_or_else(|| invalid("gather needs ?step=<number>"))?;
            let digits = get("Digits").filter(|d| !d.is_empty());
            let event = match digits {
                Some(d)
                    if d.len() <= 32
                        && d.bytes()
                            .all(|b| b.is_ascii_digit() || b == b'*' || b == b'#') =>
                {
                    CallEvent::Digits(d)
                }
                Some(_) => return Err(invalid("Digits holds 0–9, * and # only")),
                None => CallEvent::NoInput,
            };
            (format!("gather:{step}"), event)
        }
        // The centre redirected the call away from the operator's phone (a transfer, a
        // hold): the operator's leg is over; `?id=` is that release's own id.
        "released" => {
            let id = step
                .and_then(|c| c.parse::<uuid::Uuid>().ok())
                .ok_or_else(|| invalid("released needs ?id=<uuid>"))?;
            (format!("released:{id}"), CallEvent::Released)
        }
        "wait" => {
            let at = get("QueueTime").unwrap_or_default();
            (
                format!("wait:{}", at.chars().take(12).collect::<String>()),
                CallEvent::WaitTick,
            )
        }
        "left" => match get("QueueResult").as_deref() {
            Some("hangup") => ("left:hangup".into(), CallEvent::HungUp),
            Some(r) => (
                format!(
                    "left:{}:{}",
                    r.chars().take(20).collect::<String>(),
                    get("QueueTime")
                        .unwrap_or_default()
                        .chars()
                        .take(12)
                        .collect::<String>()
                ),
                CallEvent::Dequeued,
            ),
            None => return Err(invalid("left needs QueueResult")),
        },
        "dial" => {
            let status =
                get("DialCallStatus").ok_or_else(|| invalid("dial needs DialCallStatus"))?;
            let answered = status == "completed" || status == "answered";
            (
                format!("dial:{}", status.chars().take(20).collect::<String>()),
                CallEvent::BridgeEnded { answered },
            )
        }
        "status" => {
            let status = get("CallStatus").ok_or_else(|| invalid("status needs CallStatus"))?;
            match status.as_str() {
                "completed" | "busy" | "failed" | "no-answer" | "canceled" => {
                    (format!("status:{status}"), CallEvent::HungUp)
                }
                // Ringing, in progress: nothing changes.
                _ => return Ok((String::new(), CallEvent::WaitTick)),
            }
        }
        _ => {
            return Err(ApiError::new(
                baylanys_proto::problem::NOT_FOUND,
                "no such voice hook",
            ))
        }
    })
}

/// One TwiML provider request (form-encoded, signed). 200 with TwiML; 401 for a signature that
/// does not match, before any database work; 404 when no auth token is configured
/// (`BAYLANYS_TWILIO_AUTH_TOKEN`) or for an unknown hook; 422 for parameters that are not the
/// provider's.
#[utoipa::path(post, path = "/webhooks/voice/twilio/{hook}", tag = "channels",
    params(("hook" = String, Path, description = "incoming, gather, wait, left, dial, status, recording, released, placed or placed-status")),
    request_body(content = String, description = "The provider's form parameters (CallSid, From, To, Digits, QueueResult, DialCallStatus, CallStatus, RecordingSid, RecordingUrl, RecordingStatus …)", content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, description = "TwiML", content_type = "text/xml"),
        (status = 401, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json")))]
async fn hook(
    State(state): State<AppState>,
    Path(hook): Path<String>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let Some(token) = state.config.twilio_auth_token.as_ref().map(|s| s.expose()) else {
        return Err(ApiError::new(
            baylanys_proto::problem::NOT_FOUND,
            "the TwiML voice webhook is not configured",
        ));
    };
    let params: Vec<(String, String)> = form_urlencoded::parse(&body).into_owned().collect();
    let path = uri.path_and_query().map_or(uri.path(), |p| p.as_str());
    let url = format!("{}{path}", state.config.public_url);
    let given = headers
        .get("x-twilio-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !twiml::signature_matches(token, &url, &params, given) {
        return Err(ApiError::unauthorized(
            "the X-Twilio-Signature does not match this request at this centre's public URL",
        ));
    }
    let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let query = |name: &str| {
        uri.query()
            .and_then(|q| form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == name))
            .map(|(_, v)| v.into_owned())
    };
    let step = match hook.as_str() {
        "released" => query("id"),
        "placed" | "placed-status" => None,
        _ => query("step"),
    };
    let call_id = get("CallSid").ok_or_else(|| invalid("CallSid is required"))?;
    let urls = twiml::Urls {
        base: format!("{}/webhooks/voice/twilio", state.config.public_url),
    };
    let twiml_of = |actions: &[VoiceAction]| {
        (
            [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
            twiml::render(actions, &urls),
        )
            .into_response()
    };
    if hook == "recording" {
        recording(&state, call_id, &params).await?;
        return Ok(twiml_of(&[]));
    }
    if hook == "placed" || hook == "placed-status" {
        let ours = query("call").ok_or_else(|| invalid("a placed call's hook needs ?call="))?;
        return Ok(twiml_of(&placed(&state, &hook, &ours, &params).await?));
    }
    let (event_id, event) = event_of(&hook, step.as_deref(), &get)?;
    let actions = if event_id.is_empty() {
        Vec::new()
    } else {
        state
            .centre
            .call_event(CallIn {
                provider: "twilio",
                call_id,
                event_id,
                event,
            })
            .await?
    };
    Ok(twiml_of(&actions))
}

/// A call the centre placed (R13): `placed?call=` when the client answered — the operator's
/// phone is put through — and `placed-status?call=` when the call ended, with how.
async fn placed(
    state: &AppState,
    hook: &str,
    call: &str,
    params: &[(String, String)],
) -> ApiResult<Vec<VoiceAction>> {
    use baylanys_channels::rwi::CallEvent as Placed;
    let heard = baylanys_centre::HeardFrom::Webhook;
    if hook == "placed" {
        let phone = state.centre.placed_call_phone(call).await?;
        let ours = state
            .centre
            .placed_call_event(call, &Placed::Answered, heard)
            .await?;
        return Ok(match (ours, phone) {
            (true, Some(to)) => vec![VoiceAction::Bridge { to, record: false }],
            _ => vec![VoiceAction::Hangup],
        });
    }
    let status = params
        .iter()
        .find(|(k, _)| k == "CallStatus")
        .map(|(_, v)| v.as_str())
        .ok_or_else(|| invalid("placed-status needs CallStatus"))?;
    let event = match status {
        "busy" => Placed::Busy,
        "no-answer" => Placed::NoAnswer,
        "completed" | "failed" | "canceled" => Placed::Hangup {
            reason: None,
            sip_status: None,
        },
        // Queued, ringing, in progress: nothing to settle yet.
        _ => return Ok(Vec::new()),
    };
    state.centre.placed_call_event(call, &event, heard).await?;
    Ok(Vec::new())
}

/// The provider's recording status callback (`recordingStatusCallback` of a recorded
/// `<Dial>`): a finished recording is taken, to be fetched by the recordings worker from
/// `RecordingUrl` as WAV; an `absent` or `failed` one leaves nothing to take.
async fn recording(
    state: &AppState,
    call_id: String,
    params: &[(String, String)],
) -> ApiResult<()> {
    let get = |k: &str| params.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let sid = get("RecordingSid").ok_or_else(|| invalid("recording needs RecordingSid"))?;
    let status =
        get("RecordingStatus").ok_or_else(|| invalid("recording needs RecordingStatus"))?;
    if status != "completed" {
        tracing::info!(%call_id, %status, "the provider's recording did not complete");
        return Ok(());
    }
    let url = get("RecordingUrl").ok_or_else(|| invalid("recording needs RecordingUrl"))?;
    let duration_secs = match get("RecordingDuration") {
        Some(d) => Some(
            d.parse::<i32>()
                .map_err(|_| invalid("RecordingDuration is whole seconds"))?,
        ),
        None => None,
    };
    state
        .centre
        .recording_arrived(
            &state.files,
            RecordingIn {
                provider: "twilio",
                call_id,
                source: sid,
                duration_secs,
                body: RecordingFile::At {
                    url: format!("{}.wav", url.trim_end_matches(".wav")),
                },
            },
        )
        .await?;
    Ok(())
}
