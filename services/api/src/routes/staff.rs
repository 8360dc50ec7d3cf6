//! Staff accounts, managed by admins.

use axum::extract::State;
use axum::http::StatusCode;
use baylanys_domain::{DomainError, Role};
use baylanys_proto::{CreateStaff, ProblemDetails, SkillDto, StaffView, UpdateStaff};
use baylanys_store::{Actor, NewStaff, Skill, Staff, StaffPatch, Store};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::{identifier, text};
use crate::error::ApiResult;
use crate::extract::{Caller, Json, Path};
use crate::password::{hash_password, HashCost};
use crate::{convert, AppState};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_staff, create_staff))
        .routes(routes!(get_staff, update_staff))
}

fn skills(input: &[SkillDto]) -> Result<Vec<Skill>, DomainError> {
    input
        .iter()
        .map(|s| {
            if (1..=5).contains(&s.level) {
                Ok(Skill {
                    topic_id: s.topic_id,
                    level: s.level,
                })
            } else {
                Err(DomainError::InvalidField {
                    field: "skills.level",
                    reason: "must be between 1 and 5".into(),
                })
            }
        })
        .collect()
}

fn password(value: &str) -> Result<String, DomainError> {
    let n = value.chars().count();
    if (10..=256).contains(&n) {
        Ok(value.to_owned())
    } else {
        Err(DomainError::InvalidField {
            field: "password",
            reason: "must be 10–256 characters".into(),
        })
    }
}

/// A body officer belongs to exactly one body; nobody else belongs to any.
fn check_body(role: Role, body_id: Option<Uuid>) -> Result<(), DomainError> {
    match (role, body_id) {
        (Role::BodyOfficer, None) => Err(DomainError::InvalidField {
            field: "body_id",
            reason: "is required for a body officer".into(),
        }),
        (Role::BodyOfficer, Some(_)) | (_, None) => Ok(()),
        (_, Some(_)) => Err(DomainError::InvalidField {
            field: "body_id",
            reason: "only body officers belong to a body".into(),
        }),
    }
}

#[utoipa::path(get, path = "/api/v1/staff", tag = "staff", security(("bearer" = [])),
    responses((status = 200, body = Vec<StaffView>), (status = 403, body = ProblemDetails, content_type = "application/problem+json")))]
async fn list_staff(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<axum::Json<Vec<StaffView>>> {
    caller.require(&[Role::Admin])?;
    let all = state.store.list_staff().await?;
    Ok(axum::Json(all.iter().map(convert::staff).collect()))
}

#[utoipa::path(post, path = "/api/v1/staff", tag = "staff", security(("bearer" = [])),
    request_body = CreateStaff,
    responses((status = 201, body = StaffView), (status = 409, description = "Login taken", body = ProblemDetails, content_type = "application/problem+json")))]
async fn create_staff(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<CreateStaff>,
) -> ApiResult<(StatusCode, axum::Json<StaffView>)> {
    caller.require(&[Role::Admin])?;
    let staff = create_account(
        state.store.as_ref(),
        state.config.hash_cost,
        req,
        caller.actor(),
    )
    .await?;
    Ok((StatusCode::CREATED, axum::Json(convert::staff(&staff))))
}

/// Validates and creates a staff account. Shared by the API, `baylanys user add` and the first
/// start's admin bootstrap, so every account meets the same rules.
pub async fn create_account(
    store: &dyn Store,
    cost: HashCost,
    req: CreateStaff,
    actor: Actor,
) -> ApiResult<Staff> {
    let login = identifier("login", &req.login, 2)?;
    let pw = password(&req.password)?;
    let display_name = text("display_name", &req.display_name, 200)?;
    check_body(req.role, req.body_id)?;
    let skills = skills(&req.skills)?;
    let password_hash = hash_password(pw, cost).await?;
    Ok(store
        .create_staff(
            NewStaff {
                login,
                display_name,
                role: req.role,
                password_hash,
                body_id: req.body_id,
                languages: req.languages,
                skills,
            },
            actor,
        )
        .await?)
}

/// Admins read anyone; other staff read only themselves.
#[utoipa::path(get, path = "/api/v1/staff/{id}", tag = "staff", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = StaffView), (status = 404, body = ProblemDetails, content_type = "application/problem+json")))]
async fn get_staff(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> ApiResult<axum::Json<StaffView>> {
    if caller.staff.id != id {
        caller.require(&[Role::Admin])?;
    }
    let staff = state.store.get_staff(id).await?;
    Ok(axum::Json(convert::staff(&staff)))
}

#[utoipa::path(patch, path = "/api/v1/staff/{id}", tag = "staff", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = UpdateStaff,
    responses((status = 200, body = StaffView), (status = 404, body = ProblemDetails, content_type = "application/problem+json")))]
async fn update_staff(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(req): Json<UpdateStaff>,
) -> ApiResult<axum::Json<StaffView>> {
    caller.require(&[Role::Admin])?;
    let current = state.store.get_staff(id).await?;
    let role = req.role.unwrap_or(current.role);
    let body_id = req.body_id.unwrap_or(current.body_id);
    check_body(role, body_id)?;
    if id == caller.staff.id && (req.active == Some(false) || role != Role::Admin) {
        return Err(DomainError::InvalidField {
            field: "role",
            reason: "admins cannot disable or demote themselves".into(),
        }
        .into());
    }
    let display_name = req
        .display_name
        .map(|v| text("display_name", &v, 200))
        .transpose()?;
    let skills = req.skills.map(|s| skills(&s)).transpose()?;
    if let Some(c) = &req.capacity {
        c.validate()?;
    }
    let password_hash = match req.password {
        Some(p) => Some(hash_password(password(&p)?, state.config.hash_cost).await?),
        None => None,
    };
    let extension = match req.extension {
        Some(Some(e)) => Some(Some(baylanys_domain::voice::call::extension(&e)?)),
        other => other,
    };
    let staff = state
        .store
        .update_staff(
            id,
            StaffPatch {
                display_name,
                role: req.role,
                body_id: req.body_id,
                languages: req.languages,
                skills,
                active: req.active,
                password_hash,
                capacity: req.capacity,
                extension,
            },
            caller.actor(),
        )
        .await?;
    Ok(axum::Json(convert::staff(&staff)))
}
