//! Import and export of articles as Markdown files with YAML front matter.

use axum::extract::{DefaultBodyLimit, State};
use baylanys_proto::{
    ArticleFileDto, ExportedArticles, ImportArticles, ImportReport, ProblemDetails,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::WRITERS;
use crate::error::{ApiError, ApiResult};
use crate::extract::{Caller, Json};
use crate::AppState;

/// A folder of articles is larger than any other request: up to 8 MiB, each file up to 64 KiB.
const IMPORT_LIMIT: usize = 8 * 1024 * 1024;
const FILE_LIMIT: usize = 64 * 1024;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(import))
        .layer(DefaultBodyLimit::max(IMPORT_LIMIT))
        .merge(OpenApiRouter::new().routes(routes!(export)))
}

/// Imports articles from Markdown files (`<slug>.<language>.md`, YAML front matter: slug,
/// language, title, short, topics by code, tags, owner by login, review_by, state, sources).
/// The whole import is checked first: one bad file refuses it, naming the file, and nothing
/// changes. Articles are matched by slug, so a second import of the same files changes nothing.
#[utoipa::path(post, path = "/api/v1/knowledge/import", tag = "knowledge", security(("bearer" = [])),
    request_body = ImportArticles,
    responses((status = 200, body = ImportReport), (status = 413, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 422, body = ProblemDetails, content_type = "application/problem+json")))]
async fn import(
    State(state): State<AppState>,
    caller: Caller,
    Json(req): Json<ImportArticles>,
) -> ApiResult<axum::Json<ImportReport>> {
    caller.require(WRITERS)?;
    let mut files = Vec::with_capacity(req.files.len());
    for f in req.files {
        if f.content.len() > FILE_LIMIT || f.name.chars().count() > 200 {
            return Err(ApiError::new(
                baylanys_proto::problem::VALIDATION,
                format!(
                    "{}: a file is at most {FILE_LIMIT} bytes, its name at most 200 characters",
                    f.name.chars().take(200).collect::<String>()
                ),
            ));
        }
        if f.content.chars().any(baylanys_domain::is_refused_control) {
            return Err(ApiError::new(
                baylanys_proto::problem::VALIDATION,
                format!("{}: control characters are not text", f.name),
            ));
        }
        files.push((f.name, f.content));
    }
    let done = state.centre.import_articles(files, caller.actor()).await?;
    Ok(axum::Json(ImportReport {
        created: done.created,
        updated: done.updated,
        unchanged: done.unchanged,
        published: done.published,
    }))
}

/// Every article not archived as import files: the working copy and its state.
#[utoipa::path(get, path = "/api/v1/knowledge/export", tag = "knowledge", security(("bearer" = [])),
    responses((status = 200, body = ExportedArticles), (status = 403, body = ProblemDetails, content_type = "application/problem+json")))]
async fn export(
    State(state): State<AppState>,
    caller: Caller,
) -> ApiResult<axum::Json<ExportedArticles>> {
    caller.require(WRITERS)?;
    let files = state.centre.export_articles().await?;
    Ok(axum::Json(ExportedArticles {
        files: files
            .into_iter()
            .map(|(name, content)| ArticleFileDto { name, content })
            .collect(),
    }))
}
