//! The knowledge base over HTTP (R5.5, R22, clause 3.15, R12.3). Editors (and supervisors and
//! admins) write, review, publish and archive articles; operators read and search what is
//! served and insert it into replies; anyone reads what is served through the public routes
//! that `/help` and the web widget use.

mod articles;
mod files;
mod public;
mod search;

use baylanys_domain::knowledge::{is_stale, ArticleContent, ArticleState};
use baylanys_domain::{Language, Role};
use baylanys_proto::{ArticleVersionView, ArticleView};
use baylanys_store::{Article, ArticleVersion};
use utoipa_axum::router::OpenApiRouter;

use crate::AppState;

/// Who writes the knowledge base.
const WRITERS: &[Role] = &[Role::Admin, Role::Supervisor, Role::Editor];
/// Who reads it beyond what citizens see: writers see every state, operators what is served.
const READERS: &[Role] = &[Role::Admin, Role::Supervisor, Role::Editor, Role::Operator];

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(articles::router())
        .merge(search::router())
        .merge(files::router())
        .merge(public::router())
}

/// Today in Asia/Almaty: review dates are local dates.
fn today() -> chrono::NaiveDate {
    chrono::Utc::now()
        .with_timezone(&baylanys_domain::TZ)
        .date_naive()
}

fn missing(content: &ArticleContent) -> Vec<Language> {
    Language::ALL
        .iter()
        .copied()
        .filter(|l| content.text(*l).is_none())
        .collect()
}

/// An article with `content` shown: the working copy for writers, the served version for
/// operators.
fn view(a: &Article, content: &ArticleContent) -> ArticleView {
    ArticleView {
        id: a.id,
        slug: a.slug.clone(),
        state: a.state,
        revision: a.revision,
        texts: content.texts.clone(),
        missing_languages: missing(content),
        topics: content.topics.clone(),
        tags: content.tags.clone(),
        sources: content.sources.clone(),
        source_lines: content.sources.iter().map(|s| s.line()).collect(),
        review_by: content.review_by,
        stale: a.state != ArticleState::Archived && is_stale(content.review_by, today()),
        owner_id: a.owner_id,
        published_version: a.published_version.filter(|_| a.is_served()),
        published_at: a.published_at.filter(|_| a.is_served()),
        state_changed_at: a.state_changed_at,
        state_changed_by: a.state_changed_by,
        created_at: a.created_at,
        updated_at: a.updated_at,
    }
}

fn version_view(v: &ArticleVersion) -> ArticleVersionView {
    ArticleVersionView {
        article_id: v.article_id,
        version: v.version,
        texts: v.content.texts.clone(),
        topics: v.content.topics.clone(),
        tags: v.content.tags.clone(),
        sources: v.content.sources.clone(),
        review_by: v.content.review_by,
        published_at: v.published_at,
        published_by: v.published_by,
    }
}
