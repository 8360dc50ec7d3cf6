//! Clients. Reading a client's personal data is restricted to centre staff and leaves an audit
//! record per client read (R11, R33). Body officers see clients only through their body's
//! appeals.

use axum::extract::State;
use axum::http::{Method, StatusCode};
use baylanys_domain::{Bin, Channel, DomainError, Iin, Language};
use baylanys_proto::{
    problem, AppealHistoryView, ClientFlags, ClientHistoryView, ClientList, ClientView,
    CreateClient, IdentityDto, ProblemDetails,
};
use baylanys_store::{ClientLookup, NewClient};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::{optional_text, text};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Caller, Json, Path, Query, CENTRE_STAFF};
use crate::{convert, AppState};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(find_clients, create_client))
        .routes(routes!(get_client, set_flags))
        .routes(routes!(add_identity))
        .routes(routes!(client_history))
}

/// Writes the audit record of a personal-data read.
pub async fn audit(
    state: &AppState,
    caller: &Caller,
    clients: &[Uuid],
    method: &Method,
    route: &str,
) -> ApiResult<()> {
    state
        .store
        .record_access(caller.staff.id, clients, &format!("{method} {route}"))
        .await?;
    Ok(())
}

fn identity(channel: Channel, address: &str) -> Result<(Channel, String), DomainError> {
    Ok((channel, baylanys_centre::channel_address(channel, address)?))
}

#[utoipa::path(post, path = "/api/v1/clients", tag = "clients", security(("bearer" = [])),
    request_body = CreateClient,
    responses(
        (status = 201, body = ClientView),
        (status = 409, description = "IIN, BIN or an identity already belongs to a client", body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, description = "Invalid IIN/BIN or field", body = ProblemDetails, content_type = "application/problem+json")))]
async fn create_client(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<CreateClient>,
) -> ApiResult<(StatusCode, axum::Json<ClientView>)> {
    caller.require(CENTRE_STAFF)?;
    let iin = req.iin.as_deref().map(Iin::parse).transpose()?;
    let bin = req.bin.as_deref().map(Bin::parse).transpose()?;
    let name = optional_text("name", req.name, 300)?;
    let identities = req
        .identities
        .iter()
        .map(|i| identity(i.channel, &i.address))
        .collect::<Result<Vec<_>, _>>()?;
    let client = state
        .centre
        .register_client(
            NewClient {
                name,
                iin,
                bin,
                language: req.language.unwrap_or(Language::Kk),
                vulnerable: req.vulnerable,
                do_not_contact: req.do_not_contact,
                identities,
            },
            caller.actor(),
        )
        .await?;
    Ok((StatusCode::CREATED, axum::Json(convert::client(&client))))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct ClientQuery {
    /// Exact IIN.
    iin: Option<String>,
    /// Exact BIN.
    bin: Option<String>,
    /// With `address`: an identity on a channel.
    channel: Option<Channel>,
    address: Option<String>,
    /// Name prefix, case- and Kazakh/Russian-letter-insensitive.
    name: Option<String>,
    /// 1–500, default 20.
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u32>,
}

/// Finds clients by exactly one of: IIN, BIN, channel + address, name prefix.
#[utoipa::path(get, path = "/api/v1/clients", tag = "clients", security(("bearer" = [])),
    params(ClientQuery),
    responses((status = 200, body = ClientList), (status = 400, body = ProblemDetails, content_type = "application/problem+json")))]
async fn find_clients(
    State(state): State<AppState>,
    caller: Caller,
    method: Method,
    Query(q): Query<ClientQuery>,
) -> ApiResult<axum::Json<ClientList>> {
    caller.require(CENTRE_STAFF)?;
    let lookup = match (q.iin, q.bin, q.channel, q.address, q.name) {
        (Some(iin), None, None, None, None) => ClientLookup::Iin(Iin::parse(&iin)?),
        (None, Some(bin), None, None, None) => ClientLookup::Bin(Bin::parse(&bin)?),
        (None, None, Some(channel), Some(address), None) => {
            let (c, a) = identity(channel, &address)?;
            ClientLookup::Identity(c, a)
        }
        (None, None, None, None, Some(name)) => ClientLookup::Name(text("name", &name, 300)?),
        _ => {
            return Err(ApiError::new(
                problem::INVALID_QUERY,
                "give exactly one of: iin, bin, channel with address, name",
            ))
        }
    };
    let found = state
        .store
        .find_clients(lookup, super::page_limit(q.limit, 20, 500)?)
        .await?;
    let ids: Vec<Uuid> = found.iter().map(|c| c.id).collect();
    audit(&state, &caller, &ids, &method, "/api/v1/clients").await?;
    let mut items: Vec<ClientView> = found.iter().map(convert::client).collect();
    for card in &mut items {
        masked_for(&state, &caller, card, None).await?;
    }
    Ok(axum::Json(ClientList { items }))
}

/// The appeal through which an operator reads a client.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct ClientRead {
    /// An appeal of this client on which the client is verified: with it, an operator sees the
    /// full IIN and BIN.
    appeal_id: Option<Uuid>,
}

/// An operator sees a client's IIN and BIN masked unless reading through an appeal of that
/// client on which the client proved who they are (R11); supervisors and admins keep the
/// records and see them whole.
async fn masked_for(
    state: &AppState,
    caller: &Caller,
    card: &mut ClientView,
    through: Option<Uuid>,
) -> ApiResult<()> {
    if caller.staff.role != baylanys_domain::Role::Operator {
        return Ok(());
    }
    if let Some(appeal_id) = through {
        let appeal = state
            .store
            .get_appeal(appeal_id, caller.staff.scope())
            .await?;
        if appeal.client_id == card.id && appeal.verified_at.is_some() {
            return Ok(());
        }
    }
    card.iin = card.iin.as_deref().map(convert::mask);
    card.bin = card.bin.as_deref().map(convert::mask);
    Ok(())
}

#[utoipa::path(get, path = "/api/v1/clients/{id}", tag = "clients", security(("bearer" = [])),
    params(("id" = Uuid, Path), ClientRead),
    responses((status = 200, body = ClientView), (status = 404, body = ProblemDetails, content_type = "application/problem+json")))]
async fn get_client(
    State(state): State<AppState>,
    caller: Caller,
    method: Method,
    Path(id): Path<Uuid>,
    Query(read): Query<ClientRead>,
) -> ApiResult<axum::Json<ClientView>> {
    caller.require(CENTRE_STAFF)?;
    let client = state.store.get_client(id).await?;
    audit(&state, &caller, &[id], &method, "/api/v1/clients/{id}").await?;
    let mut card = convert::client(&client);
    masked_for(&state, &caller, &mut card, read.appeal_id).await?;
    card.claims = state
        .store
        .claims_of(id)
        .await?
        .iter()
        .map(convert::claim)
        .collect();
    Ok(axum::Json(card))
}

/// Changes the vulnerable or do-not-contact flag (R5.6, R13.4), with the reason; an event
/// records who, when, what and why.
#[utoipa::path(patch, path = "/api/v1/clients/{id}", tag = "clients", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = ClientFlags,
    responses((status = 200, body = ClientView), (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json")))]
async fn set_flags(
    State(state): State<AppState>,
    caller: Caller,
    method: Method,
    Path(id): Path<Uuid>,
    Json(req): Json<ClientFlags>,
) -> ApiResult<axum::Json<ClientView>> {
    caller.require(CENTRE_STAFF)?;
    let reason = text("reason", &req.reason, 500)?;
    let client = state
        .store
        .set_client_flags(
            id,
            req.vulnerable,
            req.do_not_contact,
            &reason,
            caller.actor(),
        )
        .await?;
    // The answer is the whole client card: a read of personal data too.
    audit(&state, &caller, &[id], &method, "/api/v1/clients/{id}").await?;
    Ok(axum::Json(convert::client(&client)))
}

#[utoipa::path(post, path = "/api/v1/clients/{id}/identities", tag = "clients", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = IdentityDto,
    responses((status = 200, body = ClientView), (status = 409, body = ProblemDetails, content_type = "application/problem+json")))]
async fn add_identity(
    State(state): State<AppState>,
    caller: Caller,
    method: Method,
    Path(id): Path<Uuid>,
    Json(req): Json<IdentityDto>,
) -> ApiResult<axum::Json<ClientView>> {
    caller.require(CENTRE_STAFF)?;
    let (channel, address) = identity(req.channel, &req.address)?;
    let client = state
        .store
        .add_identity(id, channel, &address, caller.actor())
        .await?;
    // The answer is the whole client card, so it is a read of personal data too.
    audit(
        &state,
        &caller,
        &[id],
        &method,
        "/api/v1/clients/{id}/identities",
    )
    .await?;
    Ok(axum::Json(convert::client(&client)))
}

/// The client's whole history across every channel (R32).
#[utoipa::path(get, path = "/api/v1/clients/{id}/history", tag = "clients", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = ClientHistoryView), (status = 404, body = ProblemDetails, content_type = "application/problem+json")))]
async fn client_history(
    State(state): State<AppState>,
    caller: Caller,
    method: Method,
    Path(id): Path<Uuid>,
) -> ApiResult<axum::Json<ClientHistoryView>> {
    caller.require(CENTRE_STAFF)?;
    let client = state.store.get_client(id).await?;
    let history = state.store.client_history(id, caller.staff.scope()).await?;
    audit(
        &state,
        &caller,
        &[id],
        &method,
        "/api/v1/clients/{id}/history",
    )
    .await?;
    Ok(axum::Json(ClientHistoryView {
        client: convert::client(&client),
        appeals: history
            .iter()
            .map(|h| AppealHistoryView {
                appeal: convert::appeal(&h.appeal),
                interactions: h
                    .interactions
                    .iter()
                    .map(|i| convert::interaction(i, state.config.wrap_up_limit))
                    .collect(),
                messages: h.messages.iter().map(convert::message).collect(),
            })
            .collect(),
    }))
}
