//! The knowledge base on the wire (R5.5, R22, clause 3.15): articles for editors and operators,
//! search, versions and diffs, usage, import and export, and the public self-service view.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

pub use baylanys_domain::knowledge::diff::DiffLine;
pub use baylanys_domain::knowledge::search::Snippet;
pub use baylanys_domain::knowledge::{ArticleState, ArticleText, Source, UsageKind, UsagePlace};

use crate::Language;

/// An article as editors write it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaveArticle {
    /// Stable name shared with the article's import files: 2–64 of `a-z`, `0-9`, `-`.
    #[serde(default)]
    #[schema(min_length = 2, max_length = 64, pattern = "^[a-z0-9-]+$")]
    pub slug: Option<String>,
    /// The article in each language it exists in (Kazakh first); a missing one is shown as
    /// missing.
    #[schema(min_items = 1, max_items = 3)]
    pub texts: Vec<ArticleText>,
    #[serde(default)]
    #[schema(max_items = 5)]
    pub topics: Vec<Uuid>,
    /// Words operators and citizens may search by, each 1–60 characters.
    #[serde(default)]
    #[schema(max_items = 20)]
    pub tags: Vec<String>,
    /// The official sources of the facts; at least one before publishing (R22).
    #[serde(default)]
    #[schema(max_items = 20)]
    pub sources: Vec<Source>,
    /// After this day the article is flagged stale until reviewed.
    #[serde(default)]
    pub review_by: Option<NaiveDate>,
    /// The staff member responsible for keeping it current (the writer when absent).
    #[serde(default)]
    pub owner_id: Option<Uuid>,
    /// For an edit: the revision it started from. A different current revision is a 409.
    #[serde(default)]
    pub revision: Option<i64>,
}

/// A move of an article between draft, review, published and archived.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveArticle {
    pub to: ArticleState,
    /// The revision the move is meant for; a different current revision is a 409.
    pub revision: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ArticleView {
    pub id: Uuid,
    pub slug: Option<String>,
    pub state: ArticleState,
    pub revision: i64,
    /// The working copy (for editors) or the served version (for operators).
    pub texts: Vec<ArticleText>,
    /// The languages the article has no text in.
    pub missing_languages: Vec<Language>,
    pub topics: Vec<Uuid>,
    pub tags: Vec<String>,
    pub sources: Vec<Source>,
    /// Each source as one line, as inserted under an answer.
    pub source_lines: Vec<String>,
    pub review_by: Option<NaiveDate>,
    /// Past its review date (Asia/Almaty) and not yet reviewed.
    pub stale: bool,
    pub owner_id: Option<Uuid>,
    /// The version shown to operators and citizens, if any.
    pub published_version: Option<i64>,
    pub published_at: Option<DateTime<Utc>>,
    pub state_changed_at: DateTime<Utc>,
    pub state_changed_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ArticleVersionView {
    pub article_id: Uuid,
    pub version: i64,
    pub texts: Vec<ArticleText>,
    pub topics: Vec<Uuid>,
    pub tags: Vec<String>,
    pub sources: Vec<Source>,
    pub review_by: Option<NaiveDate>,
    pub published_at: DateTime<Utc>,
    pub published_by: Option<Uuid>,
}

/// What changed in one language between two versions.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LanguageDiff {
    pub language: Language,
    /// `None` where the language is missing on that side.
    pub title_from: Option<String>,
    pub title_to: Option<String>,
    pub lines: Vec<DiffLine>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ArticleDiff {
    pub article_id: Uuid,
    pub from: i64,
    /// The version compared with, or absent for the working copy.
    pub to: Option<i64>,
    pub languages: Vec<LanguageDiff>,
    pub sources_changed: bool,
}

/// One article found.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ArticleHitView {
    pub article_id: Uuid,
    pub slug: Option<String>,
    pub language: Language,
    pub title: String,
    /// The body around the matched words, which are marked by character offsets.
    pub snippet: Snippet,
    /// The short plain answer (voice menu, Telegram), where written.
    pub short: Option<String>,
    pub source_lines: Vec<String>,
    pub stale: bool,
}

/// A served article for citizens: the published version in one language, rendered safely.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicArticle {
    pub id: Uuid,
    pub slug: Option<String>,
    pub language: Language,
    /// The languages it can also be read in.
    pub languages: Vec<Language>,
    pub title: String,
    /// The body as HTML: raw HTML in the Markdown is shown as text, links go only to http(s),
    /// mailto, tel or this site.
    pub html: String,
    pub short: Option<String>,
    pub source_lines: Vec<String>,
    pub version: i64,
    pub published_at: DateTime<Utc>,
    /// Past its review date: still served, but the facts may have changed since.
    pub stale: bool,
}

/// Whether an article answered the citizen's question.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArticleFeedback {
    pub helped: bool,
    /// Where it was read: `help` (the public pages) or `widget` (offered in the web chat).
    pub place: UsagePlace,
}

/// An article's use by operators in a reply.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InsertArticle {
    pub language: Language,
    /// The appeal the reply is for.
    #[serde(default)]
    pub appeal_id: Option<Uuid>,
    /// Insert the short answer instead of the whole body.
    #[serde(default)]
    pub short: bool,
}

/// The text to insert into a reply: the answer and its source line.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ArticleInsert {
    pub text: String,
}

/// How one article was used in the period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ArticleUseView {
    pub article_id: Uuid,
    pub title: String,
    pub views: i64,
    pub inserts: i64,
    pub helped: i64,
    pub not_helped: i64,
}

/// A question nobody found an answer to: the next article to write.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KnowledgeGap {
    pub query: String,
    pub count: i64,
}

/// The supervisors' panel of the knowledge base.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KnowledgeUsageView {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub articles: Vec<ArticleUseView>,
    pub gaps: Vec<KnowledgeGap>,
    /// Served articles past their review date.
    pub stale: Vec<ArticleHeading>,
    pub served: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ArticleHeading {
    pub id: Uuid,
    pub slug: Option<String>,
    pub title: String,
    pub review_by: Option<NaiveDate>,
    pub owner_id: Option<Uuid>,
}

/// One Markdown file with YAML front matter (`<slug>.<language>.md`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArticleFileDto {
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    #[schema(min_length = 1, max_length = 40000)]
    pub content: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportArticles {
    #[schema(min_items = 1, max_items = 600)]
    pub files: Vec<ArticleFileDto>,
}

/// What an import did, by slug.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ImportReport {
    pub created: Vec<String>,
    pub updated: Vec<String>,
    pub unchanged: Vec<String>,
    pub published: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ExportedArticles {
    pub files: Vec<ArticleFileDto>,
}

/// A served article in a list of the public pages.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicHeading {
    pub id: Uuid,
    pub slug: Option<String>,
    pub language: Language,
    pub title: String,
    pub short: Option<String>,
    pub topics: Vec<Uuid>,
}
