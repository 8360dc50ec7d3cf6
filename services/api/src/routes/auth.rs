//! Login and logout. Tokens expire after `token_ttl` and can be revoked at once by logout,
//! a password change or disabling the account.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use baylanys_proto::{
    problem, LoginRequest, LoginResponse, ProblemDetails, SetPresence, StaffView,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ApiError, ApiResult};
use crate::extract::{Caller, Json};
use crate::limits::ClientIp;
use crate::password::{hash_token, new_token, verify_password};
use crate::{convert, AppState};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me))
        .routes(routes!(set_presence))
}

/// Exchanges a login and password for a bearer token.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, body = LoginResponse),
        (status = 401, description = "Wrong login or password", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 429, description = "Too many failed logins; see Retry-After", body = ProblemDetails, content_type = "application/problem+json"),
    ))]
async fn login(
    State(state): State<AppState>,
    ClientIp(address): ClientIp,
    Json(req): Json<LoginRequest>,
) -> ApiResult<axum::response::Response> {
    // Password guessing: after too many failures the login is refused outright for a while,
    // before any hashing, whatever the password (see `lockout`).
    if let Some(wait) = state.lockout.locked_for(&req.login, address) {
        return Ok(locked_response(wait));
    }
    let creds = if req.login.len() <= 64 && req.password.len() <= 1024 {
        state.store.credentials(&req.login).await?
    } else {
        None
    };
    // Verify against a dummy hash for unknown logins so both paths cost the same.
    let stored = creds
        .as_ref()
        .map(|c| c.password_hash.clone())
        .unwrap_or_else(|| state.dummy_hash.as_ref().clone());
    let ok = verify_password(req.password, stored).await?;
    let creds = match (ok, creds) {
        (true, Some(c)) => c,
        _ => {
            state.lockout.failed(&req.login, address);
            tracing::warn!("failed login");
            return Err(ApiError::new(
                problem::INVALID_CREDENTIALS,
                "wrong login or password",
            ));
        }
    };
    let token = new_token();
    let ttl = chrono::Duration::from_std(state.config.token_ttl)
        .map_err(|e| ApiError::Internal(format!("token ttl: {e}")))?;
    let expires_at = baylanys_store::now() + ttl;
    state
        .store
        .create_session(creds.staff.id, &hash_token(&token), expires_at)
        .await?;
    state.lockout.succeeded(&req.login, address);
    tracing::info!(staff_id = %creds.staff.id, "login");
    Ok(axum::Json(LoginResponse {
        token,
        expires_at,
        staff: convert::staff(&creds.staff),
    })
    .into_response())
}

fn locked_response(wait: std::time::Duration) -> axum::response::Response {
    let mut res = ApiError::new(
        problem::TOO_MANY_ATTEMPTS,
        format!("try again in {} s", wait.as_secs().max(1)),
    )
    .into_response();
    if let Ok(v) = axum::http::HeaderValue::from_str(&wait.as_secs().max(1).to_string()) {
        res.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
    }
    res
}

/// Revokes the token used for this request.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    security(("bearer" = [])),
    responses((status = 204), (status = 401, body = ProblemDetails, content_type = "application/problem+json")))]
async fn logout(State(state): State<AppState>, caller: Caller) -> ApiResult<StatusCode> {
    state
        .store
        .revoke_session(&caller.token_hash, caller.actor())
        .await?;
    // Signed out is offline: no offer waits for someone who left.
    state
        .store
        .set_presence(caller.staff.id, baylanys_domain::router::Presence::Offline)
        .await?;
    state.changed();
    Ok(StatusCode::NO_CONTENT)
}

/// The staff member behind the token.
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth",
    security(("bearer" = [])),
    responses((status = 200, body = StaffView), (status = 401, body = ProblemDetails, content_type = "application/problem+json")))]
async fn me(caller: Caller) -> axum::Json<StaffView> {
    axum::Json(convert::staff(&caller.staff))
}

/// Sets the caller's presence: only `online` operators get offers (R16, R18).
#[utoipa::path(put, path = "/api/v1/auth/me/presence", tag = "auth",
    security(("bearer" = [])), request_body = SetPresence,
    responses((status = 200, body = StaffView), (status = 422, body = ProblemDetails, content_type = "application/problem+json")))]
async fn set_presence(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<SetPresence>,
) -> ApiResult<axum::Json<StaffView>> {
    let staff = state
        .store
        .set_presence(caller.staff.id, req.presence)
        .await?;
    state.changed();
    Ok(axum::Json(convert::staff(&staff)))
}
