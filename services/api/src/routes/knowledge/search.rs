//! Search for operators, an article's text for a reply, and the supervisors' usage panel.

use axum::extract::State;
use baylanys_centre::{Found, Question};
use baylanys_domain::knowledge::{is_stale, UsagePlace};
use baylanys_domain::Language;
use baylanys_proto::problem;
use baylanys_proto::{
    ArticleHeading, ArticleHitView, ArticleInsert, ArticleUseView, InsertArticle, KnowledgeGap,
    KnowledgeUsageView, ProblemDetails,
};
use baylanys_store::ArticleFilter;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::{today, READERS};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Caller, Json, Path, Query, OVERSIGHT};
use crate::routes::page_limit;
use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(search))
        .routes(routes!(insert))
        .routes(routes!(usage))
}

/// A hit as the console and the public pages show it.
pub(super) fn hit_view(f: &Found) -> ArticleHitView {
    let content = &f.version.content;
    ArticleHitView {
        article_id: f.article_id,
        slug: f.slug.clone(),
        language: f.language,
        title: f.title.clone(),
        snippet: f.snippet.clone(),
        short: content.text(f.language).and_then(|t| t.short.clone()),
        source_lines: content
            .sources_in(f.language)
            .iter()
            .map(|s| s.line())
            .collect(),
        stale: is_stale(content.review_by, today()),
    }
}

/// The words of a search: trimmed, 1–300 characters, no control characters.
pub(super) fn question_text(q: &str) -> ApiResult<String> {
    baylanys_domain::BoundedText::new("q", q, baylanys_centre::knowledge::MAX_QUESTION)
        .map(baylanys_domain::BoundedText::into_inner)
        .map_err(|e| ApiError::new(problem::INVALID_QUERY, e.to_string()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct SearchQuery {
    /// The words: a question, a client's message, a word form in Kazakh or Russian (1–300
    /// characters).
    q: String,
    /// The language to answer in; other languages fill the page when it has too few.
    language: Option<Language>,
    /// The appeal's topic: its articles come first among those the words found.
    topic: Option<Uuid>,
    /// The appeal the search is for (a search that finds nothing is recorded against it).
    appeal_id: Option<Uuid>,
    /// 1–20, default 5.
    limit: Option<u32>,
}

/// Served articles matching the words, best first, with the matched words marked. Case and
/// Kazakh letters do not matter (`кужат` finds `құжат`), nor word forms (`куәлігімді` finds
/// `куәлік`). A search that finds nothing is recorded as a gap for the usage panel.
#[utoipa::path(get, path = "/api/v1/knowledge/search", tag = "knowledge", security(("bearer" = [])),
    params(SearchQuery),
    responses((status = 200, body = Vec<ArticleHitView>), (status = 400, body = ProblemDetails, content_type = "application/problem+json")))]
async fn search(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<SearchQuery>,
) -> ApiResult<axum::Json<Vec<ArticleHitView>>> {
    caller.require(READERS)?;
    let found = state
        .centre
        .search_knowledge(&Question {
            text: question_text(&q.q)?,
            language: q.language,
            topic: q.topic,
            limit: page_limit(q.limit, 5, 20)?,
            place: UsagePlace::Console,
            staff_id: Some(caller.staff.id),
            appeal_id: q.appeal_id,
            record_gap: true,
        })
        .await?;
    Ok(axum::Json(found.iter().map(hit_view).collect()))
}

/// The text to insert into a reply — the answer in the reply's language with its source line
/// under it (R22) — recorded as a use of the article.
#[utoipa::path(post, path = "/api/v1/knowledge/articles/{id}/insert", tag = "knowledge", security(("bearer" = [])),
    params(("id" = Uuid, Path)), request_body = InsertArticle,
    responses((status = 200, body = ArticleInsert), (status = 404, body = ProblemDetails, content_type = "application/problem+json")))]
async fn insert(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(req): Json<InsertArticle>,
) -> ApiResult<axum::Json<ArticleInsert>> {
    caller.require(READERS)?;
    if let Some(appeal_id) = req.appeal_id {
        // Only an appeal the caller may read is recorded against.
        state
            .store
            .get_appeal(appeal_id, caller.staff.scope())
            .await?;
    }
    let text = state
        .centre
        .article_reply_text(id, req.language, req.short, caller.staff.id, req.appeal_id)
        .await?
        .ok_or(baylanys_store::StoreError::NotFound(
            "article in that language",
        ))?;
    Ok(axum::Json(ArticleInsert { text }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct UsageQuery {
    /// Start of the period (default: 30 days ago).
    from: Option<DateTime<Utc>>,
    /// End of the period, exclusive (default: now).
    to: Option<DateTime<Utc>>,
}

/// The supervisors' panel: each article's views, insertions and "helped / did not help", the
/// searches that found nothing (the articles to write next) and the stale articles.
#[utoipa::path(get, path = "/api/v1/knowledge/usage", tag = "knowledge", security(("bearer" = [])),
    params(UsageQuery),
    responses((status = 200, body = KnowledgeUsageView), (status = 403, body = ProblemDetails, content_type = "application/problem+json")))]
async fn usage(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<UsageQuery>,
) -> ApiResult<axum::Json<KnowledgeUsageView>> {
    if caller.staff.role != baylanys_domain::Role::Editor {
        caller.require(OVERSIGHT)?;
    }
    let to = q.to.unwrap_or_else(Utc::now);
    let from = q.from.unwrap_or(to - chrono::Duration::days(30));
    if from >= to {
        return Err(ApiError::new(
            problem::INVALID_QUERY,
            "`from` must be before `to`",
        ));
    }
    let used = state.store.knowledge_usage(from, to).await?;
    let mut articles = Vec::with_capacity(used.articles.len());
    for u in used.articles {
        let title = match state.store.article(u.article_id).await? {
            Some(a) => title_of(&a),
            None => continue,
        };
        articles.push(ArticleUseView {
            article_id: u.article_id,
            title,
            views: u.views,
            inserts: u.inserts,
            helped: u.helped,
            not_helped: u.not_helped,
        });
    }
    articles.sort_by_key(|a| std::cmp::Reverse(a.views + a.inserts));
    let stale = state
        .store
        .articles(&ArticleFilter {
            stale_on: Some(today()),
            served: true,
            limit: 500,
            ..Default::default()
        })
        .await?
        .iter()
        .map(|a| ArticleHeading {
            id: a.id,
            slug: a.slug.clone(),
            title: title_of(a),
            review_by: a.content.review_by,
            owner_id: a.owner_id,
        })
        .collect();
    Ok(axum::Json(KnowledgeUsageView {
        from,
        to,
        articles,
        gaps: used
            .gaps
            .into_iter()
            .map(|(query, count)| KnowledgeGap { query, count })
            .collect(),
        stale,
        served: state.store.served_article_count(Utc::now()).await?,
    }))
}

/// The title to name an article by: Kazakh first.
fn title_of(a: &baylanys_store::Article) -> String {
    a.content
        .texts
        .first()
        .map(|t| t.title.clone())
        .unwrap_or_default()
}
