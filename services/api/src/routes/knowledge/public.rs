//! What citizens read (clause 3.15, R12.3): served articles only, searched, listed by topic and
//! read in their language, and whether one helped. Open to anyone, so every write it causes
//! (a view, a search that found nothing, "helped") is bounded per address by the web chat's
//! message rate.

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use baylanys_centre::Question;
use baylanys_domain::knowledge::{UsageKind, UsagePlace};
use baylanys_domain::Language;
use baylanys_proto::problem;
use baylanys_proto::{
    ArticleFeedback, ArticleHitView, ProblemDetails, PublicArticle, PublicHeading,
};
use baylanys_store::ArticleFilter;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::search::{hit_view, question_text};
use crate::error::{ApiError, ApiResult};
use crate::extract::{Json, Path, Query};
use crate::limits::ClientIp;
use crate::routes::page_limit;
use crate::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(search))
        .routes(routes!(list))
        .routes(routes!(read))
        .routes(routes!(feedback))
        .routes(routes!(topics))
        .layer(axum::middleware::from_fn(open_to_any_site))
}

/// The web widget is embedded on the administrative bodies' own sites and calls these routes
/// from there (`widget.js` sends its requests to the centre's origin, not the page's): without
/// `Access-Control-Allow-Origin` the browser hides every answer from it, and the "helped" POST,
/// being JSON, is preceded by a preflight `OPTIONS` that must be answered. `*` is safe here: the
/// routes read no cookie or token and answer every site alike, and browsers send no credentials
/// to a `*` origin. The staff API stays same-origin only.
async fn open_to_any_site(req: Request, next: Next) -> Response {
    let any = HeaderValue::from_static("*");
    if req.method() == Method::OPTIONS {
        return (
            StatusCode::NO_CONTENT,
            [
                (header::ACCESS_CONTROL_ALLOW_ORIGIN, any),
                (
                    header::ACCESS_CONTROL_ALLOW_METHODS,
                    HeaderValue::from_static("GET, POST"),
                ),
                (
                    header::ACCESS_CONTROL_ALLOW_HEADERS,
                    HeaderValue::from_static("content-type"),
                ),
                (
                    header::ACCESS_CONTROL_MAX_AGE,
                    HeaderValue::from_static("600"),
                ),
            ],
        )
            .into_response();
    }
    let mut res = next.run(req).await;
    res.headers_mut()
        .insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, any);
    res
}

/// Citizens read on the public pages or in the web widget, nowhere else.
fn public_place(place: Option<UsagePlace>) -> ApiResult<UsagePlace> {
    match place.unwrap_or(UsagePlace::Help) {
        p @ (UsagePlace::Help | UsagePlace::Widget) => Ok(p),
        other => Err(ApiError::new(
            problem::INVALID_QUERY,
            format!("place is help or widget, not {other}"),
        )),
    }
}

fn admitted(state: &AppState, ip: std::net::IpAddr) -> bool {
    state
        .ip_limits
        .admit_message(ip, state.config.chat.ip_messages_per_minute)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct PublicSearch {
    /// The question (1–300 characters).
    q: String,
    language: Option<Language>,
    /// `help` (default) or `widget`.
    place: Option<UsagePlace>,
    /// 1–10, default 5.
    limit: Option<u32>,
}

/// Published articles answering a question, best first, with the matched words marked.
#[utoipa::path(get, path = "/api/v1/public/knowledge/search", tag = "knowledge",
    params(PublicSearch),
    responses((status = 200, body = Vec<ArticleHitView>), (status = 400, body = ProblemDetails, content_type = "application/problem+json")))]
async fn search(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Query(q): Query<PublicSearch>,
) -> ApiResult<axum::Json<Vec<ArticleHitView>>> {
    let place = public_place(q.place)?;
    let text = question_text(&q.q)?;
    let limit = page_limit(q.limit, 5, 10)?;
    let found = state
        .centre
        .search_knowledge(&Question {
            text,
            language: q.language,
            topic: None,
            limit,
            place,
            staff_id: None,
            appeal_id: None,
            record_gap: admitted(&state, ip),
        })
        .await?;
    Ok(axum::Json(found.iter().map(hit_view).collect()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct PublicList {
    language: Option<Language>,
    topic: Option<Uuid>,
}

/// The published articles, by topic: each in the asked language where it has one (Kazakh
/// first otherwise).
#[utoipa::path(get, path = "/api/v1/public/knowledge/articles", tag = "knowledge",
    params(PublicList),
    responses((status = 200, body = Vec<PublicHeading>)))]
async fn list(
    State(state): State<AppState>,
    Query(q): Query<PublicList>,
) -> ApiResult<axum::Json<Vec<PublicHeading>>> {
    let articles = state
        .store
        .articles(&ArticleFilter {
            topic: q.topic,
            served: true,
            limit: 500,
            ..Default::default()
        })
        .await?;
    let mut out = Vec::with_capacity(articles.len());
    for a in articles {
        let Some((a, v)) = state.centre.served_article(a.id).await? else {
            continue;
        };
        let c = &v.content;
        let Some(t) = q.language.and_then(|l| c.text(l)).or(c.texts.first()) else {
            continue;
        };
        out.push(PublicHeading {
            id: a.id,
            slug: a.slug.clone(),
            language: t.language,
            title: t.title.clone(),
            short: t.short.clone(),
            topics: c.topics.clone(),
        });
    }
    out.sort_by(|a, b| a.title.cmp(&b.title));
    Ok(axum::Json(out))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
struct PublicRead {
    language: Option<Language>,
    /// `help` (default) or `widget`.
    place: Option<UsagePlace>,
}

/// One published article, by id or slug, in the asked language where it has one. The body is
/// HTML made safe: raw HTML is shown as text and links go only to http(s), mailto or tel.
#[utoipa::path(get, path = "/api/v1/public/knowledge/articles/{key}", tag = "knowledge",
    params(("key" = String, Path, description = "The article's id or slug"), PublicRead),
    responses((status = 200, body = PublicArticle), (status = 404, body = ProblemDetails, content_type = "application/problem+json")))]
async fn read(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(key): Path<String>,
    Query(q): Query<PublicRead>,
) -> ApiResult<axum::Json<PublicArticle>> {
    let place = public_place(q.place)?;
    let gone = || baylanys_store::StoreError::NotFound("article");
    let id = match key.parse::<Uuid>() {
        Ok(id) => id,
        Err(_) if key.len() <= 64 => {
            state
                .store
                .article_by_slug(&key)
                .await?
                .ok_or_else(gone)?
                .id
        }
        Err(_) => return Err(gone().into()),
    };
    let (a, v) = state.centre.served_article(id).await?.ok_or_else(gone)?;
    let c = &v.content;
    let t = q
        .language
        .and_then(|l| c.text(l))
        .or(c.texts.first())
        .ok_or_else(gone)?;
    if admitted(&state, ip) {
        state
            .centre
            .record_article_use(a.id, UsageKind::View, place, Some(t.language), None)
            .await?;
    }
    Ok(axum::Json(PublicArticle {
        id: a.id,
        slug: a.slug.clone(),
        language: t.language,
        languages: c.texts.iter().map(|t| t.language).collect(),
        title: t.title.clone(),
        html: baylanys_domain::knowledge::markdown::render_html(&t.body),
        short: t.short.clone(),
        source_lines: c.sources_in(t.language).iter().map(|s| s.line()).collect(),
        version: v.version,
        published_at: v.published_at,
        stale: baylanys_domain::knowledge::is_stale(c.review_by, super::today()),
    }))
}

/// Whether the article answered the citizen's question; bounded per address.
#[utoipa::path(post, path = "/api/v1/public/knowledge/articles/{id}/feedback", tag = "knowledge",
    params(("id" = Uuid, Path)), request_body = ArticleFeedback,
    responses((status = 204), (status = 404, body = ProblemDetails, content_type = "application/problem+json"),
        (status = 429, body = ProblemDetails, content_type = "application/problem+json")))]
async fn feedback(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Path(id): Path<Uuid>,
    Json(req): Json<ArticleFeedback>,
) -> ApiResult<StatusCode> {
    let place = public_place(Some(req.place))?;
    state
        .centre
        .served_article(id)
        .await?
        .ok_or(baylanys_store::StoreError::NotFound("article"))?;
    if !admitted(&state, ip) {
        return Err(ApiError::new(
            problem::RATE_LIMITED,
            "too many requests from your address; try again in a minute",
        ));
    }
    let kind = if req.helped {
        UsageKind::Helped
    } else {
        UsageKind::NotHelped
    };
    state
        .centre
        .record_article_use(id, kind, place, None, None)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A topic the help pages group articles under, named in each language.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicTopic {
    pub id: Uuid,
    pub code: String,
    pub name_kk: String,
    pub name_ru: String,
    /// Absent where no English name was given.
    pub name_en: Option<String>,
}

/// The active topics that have served articles, for the help pages' table of contents.
#[utoipa::path(get, path = "/api/v1/public/knowledge/topics", tag = "knowledge",
    responses((status = 200, body = Vec<PublicTopic>)))]
async fn topics(State(state): State<AppState>) -> ApiResult<axum::Json<Vec<PublicTopic>>> {
    let articles = state
        .store
        .articles(&ArticleFilter {
            served: true,
            limit: 500,
            ..Default::default()
        })
        .await?;
    let mut used = HashSet::new();
    for a in articles {
        if let Some((_, v)) = state.centre.served_article(a.id).await? {
            used.extend(v.content.topics.iter().copied());
        }
    }
    let out = state
        .store
        .list_topics()
        .await?
        .into_iter()
        .filter(|t| t.active && used.contains(&t.id))
        .map(|t| PublicTopic {
            id: t.id,
            code: t.code,
            name_kk: t.name_kk,
            name_ru: t.name_ru,
            name_en: t.name_en,
        })
        .collect();
    Ok(axum::Json(out))
}
