//! Identity before confidential data (R11): the operator verifies the client on an appeal by a
//! one-time code sent to the phone or e-mail on file, or by the IIN with the phone or e-mail on
//! file for it — never by the date of birth, which is written in the IIN. Until then the single
//! window masks confidential fields; the verification is an event, and so is every code sent
//! and every wrong answer. A visitor's typed IIN, phone or e-mail is a claim: the code goes to
//! the address on file of the record the claim points at, and only a right answer joins the
//! conversation to that record (`client.linked`).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use baylanys_domain::{Channel, Language};
use baylanys_proto::{problem, AppealView, CodeSent, CodeVia, ProblemDetails, SendCode};
use baylanys_store::CodeCheck;
use chrono::Duration;
use rand::Rng;
use sha2::{Digest, Sha256};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::extract::{Caller, Json, CENTRE_STAFF};
use crate::{convert, AppState};

/// A code works this long.
const CODE_TTL_MINUTES: i64 = 10;
/// Wrong codes allowed before the code stops working.
const MAX_ATTEMPTS: u32 = 5;
/// Codes one appeal may send an hour, so a client's phone is not flooded.
const MAX_CODES_PER_HOUR: u32 = 5;
/// Wrong answers (codes or IIN with address) one appeal may give an hour, against guessing.
const MAX_FAILURES_PER_HOUR: u32 = 10;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(verify))
        .routes(routes!(send_code))
}

/// Keyed by the appeal, so the same six digits on two appeals never hash alike.
fn code_hash(appeal_id: Uuid, code: &str) -> String {
    let mut h = Sha256::new();
    h.update(appeal_id.as_bytes());
    h.update(code.as_bytes());
    hex::encode(h.finalize())
}

fn code_text(lang: Language, code: &str) -> (String, String) {
    match lang {
        Language::Kk => (
            "Растау коды".into(),
            format!(
                "Байланыс орталығы: растау кодыңыз {code}. Оны тек байланыс орталығының \
                 операторына айтыңыз. Код {CODE_TTL_MINUTES} минут жарамды."
            ),
        ),
        Language::Ru => (
            "Код подтверждения".into(),
            format!(
                "Контакт-центр: ваш код подтверждения {code}. Сообщите его только оператору \
                 контакт-центра. Код действует {CODE_TTL_MINUTES} минут."
            ),
        ),
        Language::En => (
            "Verification code".into(),
            format!(
                "Contact centre: your verification code is {code}. Tell it only to the \
                 contact centre's operator. It is valid for {CODE_TTL_MINUTES} minutes."
            ),
        ),
    }
}

/// `a***@example.kz`, `*********4567`: enough for the operator to say where it went.
fn masked(via: CodeVia, address: &str) -> String {
    match (via, address.split_once('@')) {
        (CodeVia::Email, Some((user, host))) => {
            let first: String = user.chars().take(1).collect();
            format!("{first}***@{host}")
        }
        _ => {
            let n = address.chars().count();
            address
                .chars()
                .enumerate()
                .map(|(i, c)| if i + 4 < n { '*' } else { c })
                .collect()
        }
    }
}

/// Sends a one-time code to the client's e-mail or phone on file (R11). The operator asks the
/// client to read it out and checks it with `POST /verify {"code": …}`.
#[utoipa::path(post, path = "/api/v1/appeals/{id}/verify/code", tag = "appeals", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = SendCode,
    responses(
        (status = 202, body = CodeSent),
        (status = 409, description = "No such address on file, or this server sends no e-mail / SMS", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 429, description = "Too many codes for this appeal in the last hour", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 503, description = "The code could not be delivered; try again", body = ProblemDetails, content_type = "application/problem+json")))]
async fn send_code(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(req): Json<SendCode>,
) -> ApiResult<(StatusCode, axum::Json<CodeSent>)> {
    caller.require(CENTRE_STAFF)?;
    let scope = caller.staff.scope();
    let appeal = state.store.get_appeal(id, scope).await?;
    let target = state.centre.verification_target(&appeal).await?;
    let (channel, what) = match req.via {
        CodeVia::Email => (Channel::Email, "e-mail address"),
        CodeVia::Sms => (Channel::Voice, "phone number"),
    };
    let to = target.address(channel).ok_or_else(|| {
        ApiError::new(
            problem::CONFLICT,
            format!("the client has no {what} on file"),
        )
    })?;
    let address = to.address.clone();
    let configured = match req.via {
        CodeVia::Email => state.delivery.mailer.is_some(),
        CodeVia::Sms => state.delivery.sms.is_some(),
    };
    if !configured {
        return Err(ApiError::new(
            problem::CONFLICT,
            format!("this server is not configured to send codes by {what}"),
        ));
    }
    let now = baylanys_store::now();
    if state
        .store
        .codes_issued_since(id, now - Duration::hours(1))
        .await?
        >= MAX_CODES_PER_HOUR
    {
        return Err(ApiError::new(
            problem::RATE_LIMITED,
            "too many codes for this appeal in the last hour",
        ));
    }
    let code = format!("{:06}", rand::rngs::OsRng.gen_range(0..1_000_000u32));
    let via = match req.via {
        CodeVia::Email => baylanys_store::CodeVia::Email,
        CodeVia::Sms => baylanys_store::CodeVia::Sms,
    };
    let expires_at = now + Duration::minutes(CODE_TTL_MINUTES);
    state
        .store
        .issue_code(
            id,
            baylanys_store::NewCode {
                via,
                code_hash: code_hash(id, &code),
                expires_at,
                client_id: target.client.id,
                claimed: to.claimed.then(|| address.clone()),
            },
            scope,
            caller.actor(),
        )
        .await?;
    let (subject, text) = code_text(appeal.language, &code);
    let sent = match (&state.delivery.mailer, &state.delivery.sms, req.via) {
        (Some(m), _, CodeVia::Email) => m.send_text(&address, &subject, &text).await,
        (_, Some(s), CodeVia::Sms) => s.send(&address, &text).await.map(|_| ()),
        _ => Err(baylanys_channels::ChannelError::Config(
            "not configured".into(),
        )),
    };
    if let Err(e) = sent {
        tracing::warn!(error = %e, via = via.as_str(), "verification code not delivered");
        return Err(ApiError::new(
            problem::UNAVAILABLE,
            "the code could not be delivered; try again",
        ));
    }
    Ok((
        StatusCode::ACCEPTED,
        axum::Json(CodeSent {
            via: req.via,
            sent_to: masked(req.via, &address),
            expires_at,
        }),
    ))
}

/// Verifies the client on this appeal (R11), by the one-time code or by the IIN with the phone
/// or e-mail on file for it. A mismatch says only that it failed; wrong answers are counted,
/// the code stops working after five, and the appeal takes no more than ten wrong answers an
/// hour. When the client proves to be an existing record their claims pointed at, the
/// conversation's own record joins it (`client.linked`).
#[utoipa::path(post, path = "/api/v1/appeals/{id}/verify", tag = "appeals", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = baylanys_proto::VerifyClient,
    responses(
        (status = 200, body = AppealView),
        (status = 409, description = "No record with this IIN, no open code, or the appeal's client has another IIN on file", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "The answer or code does not match, the code expired, or a date of birth was given", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 429, description = "Too many wrong answers for this appeal in the last hour", body = ProblemDetails, content_type = "application/problem+json")))]
async fn verify(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(req): Json<baylanys_proto::VerifyClient>,
) -> ApiResult<axum::Json<AppealView>> {
    caller.require(CENTRE_STAFF)?;
    let scope = caller.staff.scope();
    if req.birth_date.is_some() {
        return Err(ApiError::new(
            problem::VALIDATION,
            "the date of birth is written in the IIN and proves nothing; send a one-time code, \
             or ask for the phone number or e-mail on file",
        ));
    }
    let now = baylanys_store::now();
    if state
        .store
        .verification_failures_since(id, now - Duration::hours(1))
        .await?
        >= MAX_FAILURES_PER_HOUR
    {
        return Err(ApiError::new(
            problem::RATE_LIMITED,
            "too many wrong answers for this appeal in the last hour",
        ));
    }
    match req {
        baylanys_proto::VerifyClient {
            code: Some(code),
            iin: None,
            on_file: None,
            ..
        } => by_code(&state, &caller, id, code.trim()).await,
        baylanys_proto::VerifyClient {
            code: None,
            iin: Some(iin),
            on_file: Some(on_file),
            ..
        } => {
            let given = baylanys_domain::Iin::parse(iin.trim())?;
            let Some(client) = state.centre.client_with_iin(given).await? else {
                return Err(ApiError::new(
                    problem::CONFLICT,
                    "no client on file has this IIN; verify by a one-time code instead",
                ));
            };
            let said = on_file.trim();
            let matches = client.identities.iter().any(|i| {
                matches!(i.channel, Channel::Voice | Channel::Email)
                    && baylanys_centre::channel_address(i.channel, said)
                        .ok()
                        .as_deref()
                        == Some(i.address.as_str())
            });
            if !matches {
                tracing::warn!(appeal_id = %id, "client verification failed");
                state
                    .store
                    .verification_failed(id, "iin_on_file", scope, caller.actor())
                    .await?;
                return Err(ApiError::new(
                    problem::VERIFICATION_FAILED,
                    "the IIN and the phone or e-mail do not match a record",
                ));
            }
            let verified = state
                .store
                .mark_verified(id, client.id, "iin_on_file", scope, caller.actor())
                .await?;
            Ok(axum::Json(convert::appeal(&verified)))
        }
        _ => Err(ApiError::new(
            problem::VALIDATION,
            "give either code, or iin and on_file",
        )),
    }
}

/// How the client on an unverified appeal can be verified now: a code only where this server
/// sends one and the record (or, for a conversation's own record, a claim) has the address.
pub async fn options(
    state: &AppState,
    client: baylanys_store::Client,
    claims: &[baylanys_store::Claim],
) -> ApiResult<baylanys_proto::VerificationOptions> {
    let target = state.centre.target_of(client, claims).await?;
    let mut codes = Vec::new();
    for (via, channel, configured) in [
        (CodeVia::Sms, Channel::Voice, state.delivery.sms.is_some()),
        (
            CodeVia::Email,
            Channel::Email,
            state.delivery.mailer.is_some(),
        ),
    ] {
        if let (true, Some(to)) = (configured, target.address(channel)) {
            codes.push(baylanys_proto::CodeOption {
                via,
                sent_to: masked(via, &to.address),
                claimed: to.claimed,
            });
        }
    }
    Ok(baylanys_proto::VerificationOptions {
        codes,
        joins_record: target.claimed_record,
    })
}

async fn by_code(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    code: &str,
) -> ApiResult<axum::Json<AppealView>> {
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return Err(ApiError::new(problem::VALIDATION, "the code is six digits"));
    }
    let checked = state
        .store
        .check_code(
            id,
            &code_hash(id, code),
            MAX_ATTEMPTS,
            caller.staff.scope(),
            caller.actor(),
        )
        .await?;
    match checked {
        CodeCheck::Verified(appeal) => Ok(axum::Json(convert::appeal(&appeal))),
        CodeCheck::Wrong { attempts_left: 0 } => Err(ApiError::new(
            problem::VERIFICATION_FAILED,
            "the code does not match and no attempts are left; send a new code",
        )),
        CodeCheck::Wrong { attempts_left } => Err(ApiError::new(
            problem::VERIFICATION_FAILED,
            format!("the code does not match; {attempts_left} attempts left"),
        )),
        CodeCheck::Expired => Err(ApiError::new(
            problem::VERIFICATION_FAILED,
            "the code has expired; send a new code",
        )),
        CodeCheck::NoCode => Err(ApiError::new(
            problem::CONFLICT,
            "no code is open for this appeal; send one first",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_masked() {
        assert_eq!(
            masked(CodeVia::Email, "aizhan@example.kz"),
            "a***@example.kz"
        );
        assert_eq!(masked(CodeVia::Sms, "+77011234567"), "********4567");
    }

    #[test]
    fn a_code_hashes_per_appeal() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        assert_ne!(code_hash(a, "123456"), code_hash(b, "123456"));
        assert_eq!(code_hash(a, "123456"), code_hash(a, "123456"));
    }
}
