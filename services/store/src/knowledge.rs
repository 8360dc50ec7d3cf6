//! The knowledge base's rows (R5.5, R22): articles with a revision checked on every write, every
//! published version kept, what is served (the latest published version of each article not
//! archived, one row per language, with its search terms) and how the articles are used.
//!
//! Search terms are computed in Rust ([`baylanys_domain::knowledge::search`]) and written
//! beside the text; SQLite indexes them with FTS5 (an external-content table fed by triggers),
//! PostgreSQL with a generated `tsvector` — so both backends match the same words and differ
//! only in ranking (`bm25` and `ts_rank`). The one query that differs is [`SEARCH_SQLITE`] /
//! [`SEARCH_POSTGRES`], chosen where the store is declared.

use async_trait::async_trait;
use baylanys_domain::knowledge::{ArticleContent, ArticleState, UsageKind, UsagePlace};
use baylanys_domain::Language;
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use crate::{Actor, StoreError, StoreResult};

/// An article as it stands: its working copy and where it is in its life.
#[derive(Debug, Clone, PartialEq)]
pub struct Article {
    pub id: Uuid,
    pub slug: Option<String>,
    pub state: ArticleState,
    pub revision: i64,
    pub content: ArticleContent,
    pub owner_id: Option<Uuid>,
    /// The version citizens and operators are shown, if one was ever published and the article
    /// is not archived.
    pub published_version: Option<i64>,
    pub published_at: Option<DateTime<Utc>>,
    pub state_changed_at: DateTime<Utc>,
    pub state_changed_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Article {
    /// Whether a version of it is served (searched, suggested, on `/help`).
    pub fn is_served(&self) -> bool {
        self.published_version.is_some() && self.state != ArticleState::Archived
    }
}

/// A search hit's article as it is served: what a hit shows, read in one query without the
/// working copy (which may be a large draft nobody is shown).
#[derive(Debug, Clone, PartialEq)]
pub struct ServedArticle {
    pub id: Uuid,
    pub slug: Option<String>,
    pub version: ArticleVersion,
}

/// One published version, as it was published.
#[derive(Debug, Clone, PartialEq)]
pub struct ArticleVersion {
    pub article_id: Uuid,
    pub version: i64,
    pub content: ArticleContent,
    pub published_at: DateTime<Utc>,
    pub published_by: Option<Uuid>,
}

#[derive(Debug, Clone)]
pub struct NewArticle {
    pub slug: Option<String>,
    pub content: ArticleContent,
    pub owner_id: Option<Uuid>,
}

#[derive(Debug, Clone, Default)]
pub struct ArticleFilter {
    pub state: Option<ArticleState>,
    pub topic: Option<Uuid>,
    /// Only articles whose review date is before this day (stale on it).
    pub stale_on: Option<NaiveDate>,
    /// Only articles with a served version.
    pub served: bool,
    pub limit: u32,
    pub offset: u32,
}

/// A search: terms from [`baylanys_domain::knowledge::search::query_terms`].
#[derive(Debug, Clone)]
pub struct ArticleQuery {
    pub terms: Vec<String>,
    pub language: Option<Language>,
    pub topic: Option<Uuid>,
    pub limit: u32,
}

/// One served article found, best first; the text is the served version's in `language`.
#[derive(Debug, Clone, PartialEq)]
pub struct ArticleHit {
    pub article_id: Uuid,
    pub language: Language,
    pub title: String,
    pub plain: String,
    /// Lower is better; comparable only within one search.
    pub rank: f64,
}

/// One use of the knowledge base.
#[derive(Debug, Clone)]
pub struct NewUsage {
    pub article_id: Option<Uuid>,
    pub kind: UsageKind,
    pub place: UsagePlace,
    pub language: Option<Language>,
    /// The words searched, for a search that found nothing.
    pub query: Option<String>,
    pub staff_id: Option<Uuid>,
    pub appeal_id: Option<Uuid>,
}

/// How one article was used in a period.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ArticleUse {
    pub article_id: Uuid,
    pub views: i64,
    pub inserts: i64,
    pub helped: i64,
    pub not_helped: i64,
}

/// The usage panel's figures for a period.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct KnowledgeUsage {
    pub articles: Vec<ArticleUse>,
    /// Searches that found nothing, by their words (folded), most frequent first.
    pub gaps: Vec<(String, i64)>,
}

#[async_trait]
pub trait KnowledgeStore: Send + Sync {
    /// A new draft (revision 1). Topics must exist; a slug must be free.
    async fn create_article(&self, new: NewArticle, actor: Actor) -> StoreResult<Article>;
    /// Replaces the working copy of revision `expected`; anything else is a conflict naming the
    /// current revision. An edit of a published or reviewed article makes it a draft again
    /// while its published version stays served until the next publish.
    async fn edit_article(
        &self,
        id: Uuid,
        expected: i64,
        content: ArticleContent,
        owner_id: Option<Uuid>,
        actor: Actor,
    ) -> StoreResult<Article>;
    /// Moves an article of revision `expected` to `to`. Publishing keeps the working copy as
    /// the next version and serves it; archiving stops serving it.
    async fn move_article(
        &self,
        id: Uuid,
        expected: i64,
        to: ArticleState,
        actor: Actor,
    ) -> StoreResult<Article>;
    async fn article(&self, id: Uuid) -> StoreResult<Option<Article>>;
    async fn article_by_slug(&self, slug: &str) -> StoreResult<Option<Article>>;
    async fn articles(&self, filter: &ArticleFilter) -> StoreResult<Vec<Article>>;
    /// Every published version, oldest first.
    async fn article_versions(&self, id: Uuid) -> StoreResult<Vec<ArticleVersion>>;
    async fn article_version(&self, id: Uuid, version: i64) -> StoreResult<Option<ArticleVersion>>;
    /// Of `ids`, the articles served now with the version served, in the order of `ids`: the
    /// hits of a search read at once.
    async fn served_articles(&self, ids: &[Uuid]) -> StoreResult<Vec<ServedArticle>>;
    /// The served articles matching any of the terms, best first, one hit per article.
    async fn search_articles(&self, query: &ArticleQuery) -> StoreResult<Vec<ArticleHit>>;
    /// How many served rows (an article in a language) hold each of `terms`; a term no row
    /// holds is left out. A search leaves out the terms too common to be worth ranking.
    async fn term_rows(&self, terms: &[String]) -> StoreResult<Vec<(String, i64)>>;
    /// How many (row, term) matches a search should ask this backend to rank, so that a
    /// search of a large base stays within milliseconds ([`SQLITE_ROW_BUDGET`],
    /// [`POSTGRES_ROW_BUDGET`]).
    fn search_row_budget(&self) -> i64;
    async fn record_usage(&self, usage: NewUsage) -> StoreResult<()>;
    async fn knowledge_usage(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<KnowledgeUsage>;
    /// How many articles are served now and were first published before `before` (report
    /// row 27 of a period ending then).
    async fn served_article_count(&self, before: DateTime<Utc>) -> StoreResult<i64>;
}

/// FTS5 ranks a matched row in about a microsecond (BENCHMARKS.md, "Knowledge search over
/// 10,000 articles"): 2,000 matches keep its part of a search near 2 ms, and a base of up to
/// a thousand articles is searched by every word.
pub const SQLITE_ROW_BUDGET: i64 = 2_000;

/// PostgreSQL's `ts_rank` reads each matched row's vector, about 8 µs a row here, and at most
/// 1,000 are ranked (see [`SEARCH_POSTGRES`]). The budget is still 2,000: measured at 1,000 the
/// search was 5 ms faster at p99 but found the question's article among the first three for
/// 0.77 of the benchmark's questions instead of 0.86 (BENCHMARKS.md).
pub const POSTGRES_ROW_BUDGET: i64 = 2_000;

/// The FTS5 search: terms OR-ed (`"a" OR "b"`), title terms weighing four times body terms.
/// Ranked on the row ids first and joined to the texts after the limit: SQLite's sorter keeps
/// whole result rows, and reading every matched row's text (overflow pages) cost more than
/// ranking it.
pub(crate) const SEARCH_SQLITE: &str = "SELECT s.article_id, s.language, s.title, s.plain, r.rank \
     FROM (SELECT kb_fts.rowid AS id, bm25(kb_fts, 4.0, 1.0) AS rank \
           FROM kb_fts JOIN kb_served m ON m.id = kb_fts.rowid \
           WHERE kb_fts MATCH $1 AND ($2 IS NULL OR m.language = $2) \
           AND ($3 IS NULL OR m.topics LIKE $3) ORDER BY rank, kb_fts.rowid LIMIT $4) r \
     JOIN kb_served s ON s.id = r.id ORDER BY r.rank, r.id";

/// The PostgreSQL search: terms OR-ed (`'a' | 'b'`), `ts_rank` with the title weighted A and
/// the body B, divided by the log of the length so long articles do not win by size alone.
/// At most 1,000 rows, the first the index finds, are ranked (the inner `LIMIT`): that keeps
/// its part of a search near 10 ms even when a question's rarest word is held by thousands of
/// rows, rather than waiting for all (the search leaves such words out whenever the question
/// has rarer ones, `search::affordable_terms`). Measured, it did not change which articles the
/// benchmark's questions found.
pub(crate) const SEARCH_POSTGRES: &str = "SELECT s.article_id, s.language, s.title, s.plain, \
     -(ts_rank(s.terms, q, 1)::float8) AS rank \
     FROM (SELECT m.id FROM kb_served m WHERE m.terms @@ to_tsquery('simple', $1) \
           AND ($2::text IS NULL OR m.language = $2) \
           AND ($3::text IS NULL OR m.topics LIKE $3) LIMIT 1000) c \
     JOIN kb_served s ON s.id = c.id, to_tsquery('simple', $1) q \
     ORDER BY rank, s.id LIMIT $4";

/// The match expression of each backend. Terms are letters and digits only (see
/// `query_terms`), quoted all the same.
pub(crate) fn sqlite_match(terms: &[String]) -> String {
    terms
        .iter()
        .map(|t| format!("\"{}\"", t.replace('"', "")))
        .collect::<Vec<_>>()
        .join(" OR ")
}

pub(crate) fn postgres_match(terms: &[String]) -> String {
    terms
        .iter()
        .map(|t| format!("'{}'", t.replace(['\'', '\\'], "")))
        .collect::<Vec<_>>()
        .join(" | ")
}

#[derive(sqlx::FromRow)]
pub(crate) struct ArticleRow {
    id: Uuid,
    slug: Option<String>,
    state: String,
    revision: i64,
    content: String,
    owner_id: Option<Uuid>,
    published_version: Option<i64>,
    published_at: Option<DateTime<Utc>>,
    state_changed_at: DateTime<Utc>,
    state_changed_by: Option<Uuid>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

/// A write that lost the race to another editor's.
pub(crate) fn changed_meanwhile() -> StoreError {
    StoreError::Conflict("the article was changed meanwhile: read it again".into())
}

pub(crate) fn content_of(json: &str) -> StoreResult<ArticleContent> {
    serde_json::from_str(json).map_err(|e| StoreError::Corrupt(format!("article content: {e}")))
}

pub(crate) fn json_of(content: &ArticleContent) -> StoreResult<String> {
    serde_json::to_string(content).map_err(|e| StoreError::Corrupt(e.to_string()))
}

impl TryFrom<ArticleRow> for Article {
    type Error = StoreError;

    fn try_from(r: ArticleRow) -> StoreResult<Article> {
        Ok(Article {
            id: r.id,
            slug: r.slug,
            state: r
                .state
                .parse()
                .map_err(|e: baylanys_domain::DomainError| StoreError::Corrupt(e.to_string()))?,
            revision: r.revision,
            content: content_of(&r.content)?,
            owner_id: r.owner_id,
            published_version: r.published_version,
            published_at: r.published_at,
            state_changed_at: r.state_changed_at,
            state_changed_by: r.state_changed_by,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct VersionRow {
    article_id: Uuid,
    version: i64,
    content: String,
    published_at: DateTime<Utc>,
    published_by: Option<Uuid>,
}

impl TryFrom<VersionRow> for ArticleVersion {
    type Error = StoreError;

    fn try_from(r: VersionRow) -> StoreResult<ArticleVersion> {
        Ok(ArticleVersion {
            article_id: r.article_id,
            version: r.version,
            content: content_of(&r.content)?,
            published_at: r.published_at,
            published_by: r.published_by,
        })
    }
}

/// A served article's slug and version, as [`KnowledgeStore::served_articles`] reads them.
#[derive(sqlx::FromRow)]
pub(crate) struct ServedRowOut {
    slug: Option<String>,
    #[sqlx(flatten)]
    version: VersionRow,
}

impl TryFrom<ServedRowOut> for ServedArticle {
    type Error = StoreError;

    fn try_from(r: ServedRowOut) -> StoreResult<ServedArticle> {
        let version: ArticleVersion = r.version.try_into()?;
        Ok(ServedArticle {
            id: version.article_id,
            slug: r.slug,
            version,
        })
    }
}

/// The rows a served version is indexed as: per language, the title, the body as plain text,
/// the topics for `LIKE` and the search terms of title (with tags) and body (with the short
/// answer).
pub(crate) struct ServedRow {
    pub language: &'static str,
    pub title: String,
    pub plain: String,
    pub topics: String,
    pub terms_title: String,
    pub terms_body: String,
}

pub(crate) fn served_rows(content: &ArticleContent) -> Vec<ServedRow> {
    use baylanys_domain::knowledge::{markdown, search};
    let topics = format!(
        ",{},",
        content
            .topics
            .iter()
            .map(Uuid::to_string)
            .collect::<Vec<_>>()
            .join(",")
    );
    content
        .texts
        .iter()
        .map(|t| {
            let plain = markdown::plain_text(&t.body);
            let title_words = format!("{} {}", t.title, content.tags.join(" "));
            let body_words = format!("{} {}", t.short.as_deref().unwrap_or(""), plain);
            ServedRow {
                language: t.language.as_str(),
                title: t.title.clone(),
                plain,
                topics: topics.clone(),
                terms_title: search::index_terms(&title_words, t.language),
                terms_body: search::index_terms(&body_words, t.language),
            }
        })
        .collect()
}

/// How serving `new` instead of `old` (each row's title and body terms) changes the count of
/// rows holding each term: the changed terms only, sorted, so two transactions counting the
/// same terms lock them in the same order.
pub(crate) fn term_changes<'a>(
    old: impl IntoIterator<Item = (&'a str, &'a str)>,
    new: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Vec<(String, i64)> {
    use std::collections::{BTreeMap, BTreeSet};
    let mut changes: BTreeMap<&str, i64> = BTreeMap::new();
    for (rows, sign) in [
        (old.into_iter().collect::<Vec<_>>(), -1),
        (new.into_iter().collect(), 1),
    ] {
        for (title, body) in rows {
            let held: BTreeSet<&str> = title
                .split_whitespace()
                .chain(body.split_whitespace())
                .collect();
            for term in held {
                *changes.entry(term).or_default() += sign;
            }
        }
    }
    changes
        .into_iter()
        .filter(|(_, n)| *n != 0)
        .map(|(t, n)| (t.to_owned(), n))
        .collect()
}

/// Terms counted per statement: two parameters each, well under both databases' limits.
pub(crate) const TERMS_PER_STATEMENT: usize = 500;

macro_rules! impl_knowledge_store {
    ($store:ty, $db:ty, $search_sql:expr, $match_expr:path, $row_budget:expr) => {
        impl $store {
            async fn article_for_update(
                tx: &mut sqlx::Transaction<'static, $db>,
                id: uuid::Uuid,
                expected: i64,
            ) -> $crate::StoreResult<$crate::Article> {
                let row: Option<$crate::knowledge::ArticleRow> =
                    sqlx::query_as("SELECT * FROM kb_articles WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&mut **tx)
                        .await?;
                let article: $crate::Article = row
                    .ok_or($crate::StoreError::NotFound("article"))?
                    .try_into()?;
                if article.revision != expected {
                    return Err($crate::StoreError::Conflict(format!(
                        "the article was changed meanwhile: its revision is now {}",
                        article.revision
                    )));
                }
                Ok(article)
            }

            async fn check_topics(
                tx: &mut sqlx::Transaction<'static, $db>,
                topics: &[uuid::Uuid],
            ) -> $crate::StoreResult<()> {
                for topic in topics {
                    let found: Option<(uuid::Uuid,)> =
                        sqlx::query_as("SELECT id FROM topics WHERE id = $1")
                            .bind(topic)
                            .fetch_optional(&mut **tx)
                            .await?;
                    if found.is_none() {
                        return Err($crate::StoreError::NotFound("topic"));
                    }
                }
                Ok(())
            }

            /// Replaces what is served of an article: none (`content` None) or `content`.
            async fn serve(
                tx: &mut sqlx::Transaction<'static, $db>,
                id: uuid::Uuid,
                content: Option<&baylanys_domain::knowledge::ArticleContent>,
            ) -> $crate::StoreResult<()> {
                let was: Vec<(String, String)> = sqlx::query_as(
                    "SELECT terms_title, terms_body FROM kb_served WHERE article_id = $1",
                )
                .bind(id)
                .fetch_all(&mut **tx)
                .await?;
                sqlx::query("DELETE FROM kb_served WHERE article_id = $1")
                    .bind(id)
                    .execute(&mut **tx)
                    .await?;
                let rows = content.map(|c| $crate::knowledge::served_rows(c)).unwrap_or_default();
                let changes = $crate::knowledge::term_changes(
                    was.iter().map(|(t, b)| (t.as_str(), b.as_str())),
                    rows.iter().map(|r| (r.terms_title.as_str(), r.terms_body.as_str())),
                );
                Self::count_terms(tx, &changes).await?;
                for row in rows {
                    sqlx::query(
                        "INSERT INTO kb_served (article_id, language, title, plain, topics, \
                         terms_title, terms_body) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(id)
                    .bind(row.language)
                    .bind(&row.title)
                    .bind(&row.plain)
                    .bind(&row.topics)
                    .bind(&row.terms_title)
                    .bind(&row.terms_body)
                    .execute(&mut **tx)
                    .await?;
                }
                Ok(())
            }

            /// Applies [`term_changes`](crate::knowledge::term_changes) to `kb_terms`, dropping
            /// the terms no served row holds any more.
            async fn count_terms(
                tx: &mut sqlx::Transaction<'static, $db>,
                changes: &[(String, i64)],
            ) -> $crate::StoreResult<()> {
                for chunk in changes.chunks($crate::knowledge::TERMS_PER_STATEMENT) {
                    let mut qb =
                        sqlx::QueryBuilder::<$db>::new("INSERT INTO kb_terms (term, row_count) ");
                    qb.push_values(chunk, |mut b, (term, n)| {
                        b.push_bind(term.as_str()).push_bind(*n);
                    });
                    qb.push(
                        " ON CONFLICT (term) DO UPDATE \
                         SET row_count = kb_terms.row_count + excluded.row_count",
                    );
                    qb.build().execute(&mut **tx).await?;
                }
                let fewer: Vec<&str> = changes
                    .iter()
                    .filter(|(_, n)| *n < 0)
                    .map(|(t, _)| t.as_str())
                    .collect();
                for chunk in fewer.chunks($crate::knowledge::TERMS_PER_STATEMENT) {
                    let mut qb = sqlx::QueryBuilder::<$db>::new(
                        "DELETE FROM kb_terms WHERE row_count <= 0 AND term IN (",
                    );
                    let mut list = qb.separated(", ");
                    for term in chunk {
                        list.push_bind(*term);
                    }
                    qb.push(")");
                    qb.build().execute(&mut **tx).await?;
                }
                Ok(())
            }
        }

        #[async_trait::async_trait]
        impl $crate::KnowledgeStore for $store {
            async fn create_article(
                &self,
                new: $crate::NewArticle,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<$crate::Article> {
                let now = $crate::now();
                let id = uuid::Uuid::now_v7();
                let mut tx = self.writer.begin().await?;
                Self::check_topics(&mut tx, &new.content.topics).await?;
                if let Some(slug) = &new.slug {
                    let taken: Option<(uuid::Uuid,)> =
                        sqlx::query_as("SELECT id FROM kb_articles WHERE slug = $1")
                            .bind(slug)
                            .fetch_optional(&mut *tx)
                            .await?;
                    if taken.is_some() {
                        return Err($crate::StoreError::Conflict(format!(
                            "an article named {slug} exists"
                        )));
                    }
                }
                sqlx::query(
                    "INSERT INTO kb_articles (id, slug, state, revision, content, review_by, \
                     owner_id, state_changed_at, state_changed_by, created_at, updated_at) \
                     VALUES ($1, $2, 'draft', 1, $3, $4, $5, $6, $7, $6, $6)",
                )
                .bind(id)
                .bind(&new.slug)
                .bind($crate::knowledge::json_of(&new.content)?)
                .bind(new.content.review_by)
                .bind(new.owner_id)
                .bind(now)
                .bind(actor.staff_id())
                .execute(&mut *tx)
                .await?;
                Self::event(
                    &mut tx,
                    now,
                    $crate::events::Draft::typed(
                        actor,
                        baylanys_domain::Payload::ArticleSaved(
                            baylanys_domain::events::ArticleSaved {
                                article_id: id,
                                revision: 1,
                                created: true,
                            },
                        ),
                    ),
                )
                .await?;
                tx.commit().await?;
                self.article(id)
                    .await?
                    .ok_or($crate::StoreError::NotFound("article"))
            }

            async fn edit_article(
                &self,
                id: uuid::Uuid,
                expected: i64,
                content: baylanys_domain::knowledge::ArticleContent,
                owner_id: Option<uuid::Uuid>,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<$crate::Article> {
                use baylanys_domain::knowledge::ArticleState;
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                let before = Self::article_for_update(&mut tx, id, expected).await?;
                if before.state == ArticleState::Archived {
                    return Err($crate::StoreError::Conflict(
                        "an archived article is brought back as a draft before it is edited"
                            .into(),
                    ));
                }
                Self::check_topics(&mut tx, &content.topics).await?;
                let revision = before.revision + 1;
                // The revision is checked again by the write itself: on PostgreSQL a concurrent
                // edit that read the same revision waits here and then matches no row.
                let written = sqlx::query(
                    "UPDATE kb_articles SET content = $2, review_by = $3, owner_id = $4, \
                     revision = $5, state = 'draft', updated_at = $6 \
                     WHERE id = $1 AND revision = $7",
                )
                .bind(id)
                .bind($crate::knowledge::json_of(&content)?)
                .bind(content.review_by)
                .bind(owner_id.or(before.owner_id))
                .bind(revision)
                .bind(now)
                .bind(expected)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if written == 0 {
                    return Err($crate::knowledge::changed_meanwhile());
                }
                let mut events = vec![$crate::events::Draft::typed(
                    actor,
                    baylanys_domain::Payload::ArticleSaved(baylanys_domain::events::ArticleSaved {
                        article_id: id,
                        revision,
                        created: false,
                    }),
                )];
                if before.state != ArticleState::Draft {
                    sqlx::query(
                        "UPDATE kb_articles SET state_changed_at = $2, state_changed_by = $3 \
                         WHERE id = $1",
                    )
                    .bind(id)
                    .bind(now)
                    .bind(actor.staff_id())
                    .execute(&mut *tx)
                    .await?;
                    events.push($crate::events::Draft::typed(
                        actor,
                        baylanys_domain::Payload::ArticleStateChanged(
                            baylanys_domain::events::ArticleStateChanged {
                                article_id: id,
                                from: before.state,
                                to: ArticleState::Draft,
                                version: None,
                            },
                        ),
                    ));
                }
                Self::events(&mut tx, now, events).await?;
                tx.commit().await?;
                self.article(id)
                    .await?
                    .ok_or($crate::StoreError::NotFound("article"))
            }

            async fn move_article(
                &self,
                id: uuid::Uuid,
                expected: i64,
                to: baylanys_domain::knowledge::ArticleState,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<$crate::Article> {
                use baylanys_domain::knowledge::ArticleState;
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                let before = Self::article_for_update(&mut tx, id, expected).await?;
                if !before.state.may_move_to(to) {
                    return Err($crate::StoreError::Conflict(format!(
                        "an article in state {} cannot move to {}",
                        before.state, to
                    )));
                }
                let revision = before.revision + 1;
                let written = sqlx::query(
                    "UPDATE kb_articles SET state = $2, revision = $3, state_changed_at = $4, \
                     state_changed_by = $5, updated_at = $4 WHERE id = $1 AND revision = $6",
                )
                .bind(id)
                .bind(to.as_str())
                .bind(revision)
                .bind(now)
                .bind(actor.staff_id())
                .bind(expected)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if written == 0 {
                    return Err($crate::knowledge::changed_meanwhile());
                }
                let mut version = None;
                match to {
                    ArticleState::Published => {
                        before.content.check_publishable()?;
                        let v = before.published_version.unwrap_or(0) + 1;
                        sqlx::query(
                            "INSERT INTO kb_versions (article_id, version, content, \
                             published_at, published_by) VALUES ($1, $2, $3, $4, $5)",
                        )
                        .bind(id)
                        .bind(v)
                        .bind($crate::knowledge::json_of(&before.content)?)
                        .bind(now)
                        .bind(actor.staff_id())
                        .execute(&mut *tx)
                        .await?;
                        sqlx::query(
                            "UPDATE kb_articles SET published_version = $2, published_at = $3 \
                             WHERE id = $1",
                        )
                        .bind(id)
                        .bind(v)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                        Self::serve(&mut tx, id, Some(&before.content)).await?;
                        version = Some(v);
                    }
                    ArticleState::Archived => Self::serve(&mut tx, id, None).await?,
                    ArticleState::Draft | ArticleState::InReview => {}
                }
                // An archived article brought back as a draft is not served until published
                // again: forget its served version (its versions stay readable).
                if before.state == ArticleState::Archived {
                    sqlx::query("UPDATE kb_articles SET published_version = NULL WHERE id = $1")
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                }
                Self::event(
                    &mut tx,
                    now,
                    $crate::events::Draft::typed(
                        actor,
                        baylanys_domain::Payload::ArticleStateChanged(
                            baylanys_domain::events::ArticleStateChanged {
                                article_id: id,
                                from: before.state,
                                to,
                                version,
                            },
                        ),
                    ),
                )
                .await?;
                tx.commit().await?;
                self.article(id)
                    .await?
                    .ok_or($crate::StoreError::NotFound("article"))
            }

            async fn article(
                &self,
                id: uuid::Uuid,
            ) -> $crate::StoreResult<Option<$crate::Article>> {
                let row: Option<$crate::knowledge::ArticleRow> =
                    sqlx::query_as("SELECT * FROM kb_articles WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&self.writer)
                        .await?;
                row.map(TryInto::try_into).transpose()
            }

            async fn served_articles(
                &self,
                ids: &[uuid::Uuid],
            ) -> $crate::StoreResult<Vec<$crate::ServedArticle>> {
                if ids.is_empty() {
                    return Ok(Vec::new());
                }
                let mut qb = sqlx::QueryBuilder::<$db>::new(
                    "SELECT a.slug, v.article_id, v.version, v.content, v.published_at, \
                     v.published_by FROM kb_articles a JOIN kb_versions v \
                     ON v.article_id = a.id AND v.version = a.published_version \
                     WHERE a.state <> 'archived' AND a.id IN (",
                );
                let mut list = qb.separated(", ");
                for id in ids {
                    list.push_bind(*id);
                }
                qb.push(")");
                let rows: Vec<$crate::knowledge::ServedRowOut> =
                    qb.build_query_as().fetch_all(&self.reader).await?;
                let mut served = rows
                    .into_iter()
                    .map(TryInto::try_into)
                    .collect::<$crate::StoreResult<Vec<$crate::ServedArticle>>>()?;
                let mut out = Vec::with_capacity(served.len());
                for id in ids {
                    if let Some(i) = served.iter().position(|s| s.id == *id) {
                        out.push(served.swap_remove(i));
                    }
                }
                Ok(out)
            }

            async fn article_by_slug(
                &self,
                slug: &str,
            ) -> $crate::StoreResult<Option<$crate::Article>> {
                let row: Option<$crate::knowledge::ArticleRow> =
                    sqlx::query_as("SELECT * FROM kb_articles WHERE slug = $1")
                        .bind(slug)
                        .fetch_optional(&self.reader)
                        .await?;
                row.map(TryInto::try_into).transpose()
            }

            async fn articles(
                &self,
                filter: &$crate::ArticleFilter,
            ) -> $crate::StoreResult<Vec<$crate::Article>> {
                let topic = filter.topic.map(|t| format!("%{t}%"));
                let rows: Vec<$crate::knowledge::ArticleRow> = sqlx::query_as(
                    "SELECT * FROM kb_articles WHERE ($1 IS NULL OR state = $1) \
                     AND ($2 IS NULL OR content LIKE $2) \
                     AND ($3 IS NULL OR review_by < $3) \
                     AND ($4 = 0 OR (published_version IS NOT NULL AND state <> 'archived')) \
                     ORDER BY updated_at DESC, id LIMIT $5 OFFSET $6",
                )
                .bind(filter.state.map(|s| s.as_str()))
                .bind(topic)
                .bind(filter.stale_on)
                .bind(i64::from(filter.served))
                .bind($crate::page_limit(filter.limit))
                .bind(i64::from(filter.offset))
                .fetch_all(&self.reader)
                .await?;
                rows.into_iter().map(TryInto::try_into).collect()
            }

            async fn article_versions(
                &self,
                id: uuid::Uuid,
            ) -> $crate::StoreResult<Vec<$crate::ArticleVersion>> {
                let rows: Vec<$crate::knowledge::VersionRow> = sqlx::query_as(
                    "SELECT * FROM kb_versions WHERE article_id = $1 ORDER BY version LIMIT 1000",
                )
                .bind(id)
                .fetch_all(&self.reader)
                .await?;
                rows.into_iter().map(TryInto::try_into).collect()
            }

            async fn article_version(
                &self,
                id: uuid::Uuid,
                version: i64,
            ) -> $crate::StoreResult<Option<$crate::ArticleVersion>> {
                let row: Option<$crate::knowledge::VersionRow> = sqlx::query_as(
                    "SELECT * FROM kb_versions WHERE article_id = $1 AND version = $2",
                )
                .bind(id)
                .bind(version)
                .fetch_optional(&self.reader)
                .await?;
                row.map(TryInto::try_into).transpose()
            }

            async fn search_articles(
                &self,
                query: &$crate::ArticleQuery,
            ) -> $crate::StoreResult<Vec<$crate::ArticleHit>> {
                if query.terms.is_empty() {
                    return Ok(Vec::new());
                }
                let limit = $crate::page_limit(query.limit);
                // Without a language every language of an article may match: fetch enough
                // rows to fill the page with distinct articles. With one, a row is an article.
                let rows: Vec<(uuid::Uuid, String, String, String, f64)> =
                    sqlx::query_as($search_sql)
                        .bind($match_expr(&query.terms))
                        .bind(query.language.map(|l| l.as_str()))
                        .bind(query.topic.map(|t| format!("%,{t},%")))
                        .bind(if query.language.is_some() {
                            limit
                        } else {
                            limit * 3
                        })
                        .fetch_all(&self.reader)
                        .await?;
                let mut hits: Vec<$crate::ArticleHit> = Vec::new();
                for (article_id, language, title, plain, rank) in rows {
                    if hits.iter().any(|h| h.article_id == article_id) {
                        continue;
                    }
                    hits.push($crate::ArticleHit {
                        article_id,
                        language: language.parse().map_err(
                            |e: baylanys_domain::DomainError| {
                                $crate::StoreError::Corrupt(e.to_string())
                            },
                        )?,
                        title,
                        plain,
                        rank,
                    });
                    if hits.len() as i64 >= limit {
                        break;
                    }
                }
                Ok(hits)
            }

            async fn term_rows(
                &self,
                terms: &[String],
            ) -> $crate::StoreResult<Vec<(String, i64)>> {
                if terms.is_empty() {
                    return Ok(Vec::new());
                }
                let mut qb = sqlx::QueryBuilder::<$db>::new(
                    "SELECT term, row_count FROM kb_terms WHERE row_count > 0 AND term IN (",
                );
                let mut list = qb.separated(", ");
                for term in terms {
                    list.push_bind(term.as_str());
                }
                qb.push(")");
                Ok(qb.build_query_as().fetch_all(&self.reader).await?)
            }

            fn search_row_budget(&self) -> i64 {
                $row_budget
            }

            async fn record_usage(&self, usage: $crate::NewUsage) -> $crate::StoreResult<()> {
                sqlx::query(
                    "INSERT INTO kb_usage (article_id, kind, place, language, query, staff_id, \
                     appeal_id, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(usage.article_id)
                .bind(usage.kind.as_str())
                .bind(usage.place.as_str())
                .bind(usage.language.map(|l| l.as_str()))
                .bind(usage.query)
                .bind(usage.staff_id)
                .bind(usage.appeal_id)
                .bind($crate::now())
                .execute(&self.writer)
                .await?;
                Ok(())
            }

            async fn knowledge_usage(
                &self,
                from: chrono::DateTime<chrono::Utc>,
                to: chrono::DateTime<chrono::Utc>,
            ) -> $crate::StoreResult<$crate::KnowledgeUsage> {
                let rows: Vec<(uuid::Uuid, String, i64)> = sqlx::query_as(
                    "SELECT article_id, kind, COUNT(*) FROM kb_usage \
                     WHERE at >= $1 AND at < $2 AND article_id IS NOT NULL \
                     GROUP BY article_id, kind ORDER BY article_id LIMIT 50000",
                )
                .bind(from)
                .bind(to)
                .fetch_all(&self.reader)
                .await?;
                let mut articles: Vec<$crate::ArticleUse> = Vec::new();
                for (article_id, kind, n) in rows {
                    if articles.last().map(|a| a.article_id) != Some(article_id) {
                        articles.push($crate::ArticleUse {
                            article_id,
                            ..Default::default()
                        });
                    }
                    if let Some(a) = articles.last_mut() {
                        match kind.as_str() {
                            "view" => a.views += n,
                            "insert" => a.inserts += n,
                            "helped" => a.helped += n,
                            "not_helped" => a.not_helped += n,
                            _ => {}
                        }
                    }
                }
                let gaps: Vec<(String, i64)> = sqlx::query_as(
                    "SELECT query, COUNT(*) AS n FROM kb_usage \
                     WHERE at >= $1 AND at < $2 AND kind = 'no_result' AND query IS NOT NULL \
                     GROUP BY query ORDER BY n DESC, query LIMIT 50",
                )
                .bind(from)
                .bind(to)
                .fetch_all(&self.reader)
                .await?;
                Ok($crate::KnowledgeUsage { articles, gaps })
            }

            async fn served_article_count(
                &self,
                before: chrono::DateTime<chrono::Utc>,
            ) -> $crate::StoreResult<i64> {
                let (n,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM kb_articles a \
                     WHERE a.published_version IS NOT NULL AND a.state <> 'archived' \
                     AND EXISTS (SELECT 1 FROM kb_versions v \
                                 WHERE v.article_id = a.id AND v.published_at < $1)",
                )
                .bind(before)
                .fetch_one(&self.reader)
                .await?;
                Ok(n)
            }
        }
    };
}
pub(crate) use impl_knowledge_store;

#[cfg(test)]
mod tests {
    #[test]
    fn postgres_ranks_at_most_a_thousand_rows() {
        assert!(super::SEARCH_POSTGRES.contains("LIMIT 1000) c"));
    }

    #[test]
    fn match_expressions_quote_every_term() {
        let terms = vec!["куалик".to_owned(), "ауыстыр".to_owned()];
        assert_eq!(super::sqlite_match(&terms), "\"куалик\" OR \"ауыстыр\"");
        assert_eq!(super::postgres_match(&terms), "'куалик' | 'ауыстыр'");
    }
}
