//! Articles: written and moved through review by editors, read by operators (R5.5, R22).

use axum::extract::State;
use axum::http::StatusCode;
use baylanys_domain::knowledge::{diff, ArticleContent, ArticleState};
use baylanys_proto::problem;
use baylanys_proto::{
    ArticleDiff, ArticleVersionView, ArticleView, LanguageDiff, MoveArticle, ProblemDetails,
    SaveArticle,
};
use baylanys_store::{ArticleFilter, NewArticle};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::{today, version_view, view, READERS, WRITERS};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Caller, Json, Path, Query};
use crate::routes::{identifier, page_limit};
use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(read, update))
        .routes(routes!(move_to))
        .routes(routes!(versions))
        .routes(routes!(version))
        .routes(routes!(compare))
}

fn is_writer(caller: &Caller) -> bool {
    WRITERS.contains(&caller.staff.role)
}

fn content(req: &SaveArticle) -> Result<ArticleContent, baylanys_domain::DomainError> {
    ArticleContent {
        texts: req.texts.clone(),
        topics: req.topics.clone(),
        tags: req.tags.clone(),
        sources: req.sources.clone(),
        review_by: req.review_by,
    }
    .validated()
}

fn slug(req: &SaveArticle) -> Result<Option<String>, baylanys_domain::DomainError> {
    match &req.slug {
        None => Ok(None),
        Some(s)
            if s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') =>
        {
            identifier("slug", s, 2).map(Some)
        }
        Some(_) => Err(baylanys_domain::DomainError::InvalidField {
            field: "slug",
            reason: "must be 2–64 of a-z, 0-9 and '-'".into(),
        }),
    }
}

async fn check_owner(state: &AppState, owner: Option<Uuid>) -> ApiResult<()> {
    if let Some(id) = owner {
        let staff = state.store.get_staff(id).await?;
        if !staff.active {
            return Err(ApiError::new(
                problem::VALIDATION,
                "an article's owner is an active staff member",
            ));
        }
    }
    Ok(())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    state: Option<ArticleState>,
    topic: Option<Uuid>,
    /// Only articles past their review date.
    #[serde(default)]
    stale: bool,
    /// 1–200, default 50.
    limit: Option<u32>,
    #[serde(default)]
    offset: u32,
}

/// Articles, newest change first. Operators see only what is served, as it is served.
#[utoipa::path(get, path = "/api/v1/knowledge/articles", tag = "knowledge", security(("bearer" = [])),
    params(ListQuery),
    responses((status = 200, body = Vec<ArticleView>), (status = 403, body = ProblemDetails, content_type = "application/problem+json")))]
async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> ApiResult<axum::Json<Vec<ArticleView>>> {
    caller.require(READERS)?;
    let writer = is_writer(&caller);
    let filter = ArticleFilter {
        state: q.state,
        topic: q.topic,
        stale_on: q.stale.then(today),
        served: !writer,
        limit: page_limit(q.limit, 50, 200)?,
        offset: q.offset,
    };
    let mut out = Vec::new();
    for a in state.store.articles(&filter).await? {
        if writer {
            out.push(view(&a, &a.content));
        } else if let Some((a, v)) = state.centre.served_article(a.id).await? {
            out.push(view(&a, &v.content));
        }
    }
    Ok(axum::Json(out))
}

/// A new draft. Publishing asks for at least one official source (R22).
#[utoipa::path(post, path = "/api/v1/knowledge/articles", tag = "knowledge", security(("bearer" = [])),
    request_body = SaveArticle,
    responses((status = 201, body = ArticleView), (status = 409, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json")))]
async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<SaveArticle>,
) -> ApiResult<(StatusCode, axum::Json<ArticleView>)> {
    caller.require(WRITERS)?;
    let new = NewArticle {
        slug: slug(&req)?,
        content: content(&req)?,
        owner_id: req.owner_id.or(Some(caller.staff.id)),
    };
    check_owner(&state, new.owner_id).await?;
    let a = state.store.create_article(new, caller.actor()).await?;
    Ok((StatusCode::CREATED, axum::Json(view(&a, &a.content))))
}

/// One article: the working copy for writers, the served version for operators.
#[utoipa::path(get, path = "/api/v1/knowledge/articles/{id}", tag = "knowledge", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = ArticleView), (status = 404, body = ProblemDetails, content_type = "application/problem+json")))]
async fn read(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> ApiResult<axum::Json<ArticleView>> {
    caller.require(READERS)?;
    if is_writer(&caller) {
        let a = state
            .store
            .article(id)
            .await?
            .ok_or(baylanys_store::StoreError::NotFound("article"))?;
        return Ok(axum::Json(view(&a, &a.content)));
    }
    let (a, v) = state
        .centre
        .served_article(id)
        .await?
        .ok_or(baylanys_store::StoreError::NotFound("article"))?;
    Ok(axum::Json(view(&a, &v.content)))
}

/// Replaces the working copy; `revision` must be the current one (409 otherwise, naming it).
/// A published article becomes a draft again while its published version stays served.
#[utoipa::path(put, path = "/api/v1/knowledge/articles/{id}", tag = "knowledge", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = SaveArticle,
    responses((status = 200, body = ArticleView), (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json")))]
async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(req): Json<SaveArticle>,
) -> ApiResult<axum::Json<ArticleView>> {
    caller.require(WRITERS)?;
    let Some(revision) = req.revision else {
        return Err(ApiError::new(
            problem::VALIDATION,
            "an edit names the revision it started from (`revision`)",
        ));
    };
    if req.slug.is_some() {
        return Err(ApiError::new(
            problem::VALIDATION,
            "an article's slug is set when it is created",
        ));
    }
    let content = content(&req)?;
    check_owner(&state, req.owner_id).await?;
    let a = state
        .store
        .edit_article(id, revision, content, req.owner_id, caller.actor())
        .await?;
    Ok(axum::Json(view(&a, &a.content)))
}

/// Moves an article: to review, published (with a source, as a new version), archived, or
/// back to draft.
#[utoipa::path(post, path = "/api/v1/knowledge/articles/{id}/state", tag = "knowledge", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = MoveArticle,
    responses((status = 200, body = ArticleView), (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 409, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json")))]
async fn move_to(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(req): Json<MoveArticle>,
) -> ApiResult<axum::Json<ArticleView>> {
    caller.require(WRITERS)?;
    let a = state
        .store
        .move_article(id, req.revision, req.to, caller.actor())
        .await?;
    Ok(axum::Json(view(&a, &a.content)))
}

/// Every published version, oldest first.
#[utoipa::path(get, path = "/api/v1/knowledge/articles/{id}/versions", tag = "knowledge", security(("bearer" = [])),
    params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<ArticleVersionView>), (status = 404, body = ProblemDetails, content_type = "application/problem+json")))]
async fn versions(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> ApiResult<axum::Json<Vec<ArticleVersionView>>> {
    caller.require(WRITERS)?;
    state
        .store
        .article(id)
        .await?
        .ok_or(baylanys_store::StoreError::NotFound("article"))?;
    let all = state.store.article_versions(id).await?;
    Ok(axum::Json(all.iter().map(version_view).collect()))
}

/// One published version as it was published.
#[utoipa::path(get, path = "/api/v1/knowledge/articles/{id}/versions/{version}", tag = "knowledge", security(("bearer" = [])),
    params(("id" = Uuid, Path), ("version" = i64, Path)),
    responses((status = 200, body = ArticleVersionView), (status = 404, body = ProblemDetails, content_type = "application/problem+json")))]
async fn version(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, version)): Path<(Uuid, i64)>,
) -> ApiResult<axum::Json<ArticleVersionView>> {
    caller.require(WRITERS)?;
    let v = state
        .store
        .article_version(id, version)
        .await?
        .ok_or(baylanys_store::StoreError::NotFound("article version"))?;
    Ok(axum::Json(version_view(&v)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct DiffQuery {
    /// The older published version.
    from: i64,
    /// The newer published version; absent: the working copy.
    to: Option<i64>,
}

/// What changed between two published versions, or a version and the working copy: the
/// titles, and the bodies line by line, per language.
#[utoipa::path(get, path = "/api/v1/knowledge/articles/{id}/diff", tag = "knowledge", security(("bearer" = [])),
    params(("id" = Uuid, Path), DiffQuery),
    responses((status = 200, body = ArticleDiff), (status = 404, body = ProblemDetails, content_type = "application/problem+json")))]
async fn compare(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Query(q): Query<DiffQuery>,
) -> ApiResult<axum::Json<ArticleDiff>> {
    caller.require(WRITERS)?;
    let gone = || baylanys_store::StoreError::NotFound("article version");
    let old = state
        .store
        .article_version(id, q.from)
        .await?
        .ok_or_else(gone)?;
    let new = match q.to {
        Some(v) => {
            state
                .store
                .article_version(id, v)
                .await?
                .ok_or_else(gone)?
                .content
        }
        None => {
            state
                .store
                .article(id)
                .await?
                .ok_or(baylanys_store::StoreError::NotFound("article"))?
                .content
        }
    };
    let languages = baylanys_domain::Language::ALL
        .iter()
        .filter_map(|&l| {
            let (a, b) = (old.content.text(l), new.text(l));
            if a.is_none() && b.is_none() {
                return None;
            }
            Some(LanguageDiff {
                language: l,
                title_from: a.map(|t| t.title.clone()),
                title_to: b.map(|t| t.title.clone()),
                lines: diff::lines(
                    a.map_or("", |t| t.body.as_str()),
                    b.map_or("", |t| t.body.as_str()),
                ),
            })
        })
        .collect();
    Ok(axum::Json(ArticleDiff {
        article_id: id,
        from: q.from,
        to: q.to,
        languages,
        sources_changed: old.content.sources != new.sources,
    }))
}
