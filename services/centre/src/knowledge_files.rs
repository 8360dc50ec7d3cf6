//! Import and export of the knowledge base as Markdown files with YAML front matter, one file
//! per article and language (`<slug>.<language>.md`), so a centre starts from the documents it
//! has and can keep its articles in a repository of its own.
//!
//! An import is checked whole before anything is written: one bad file refuses the import with
//! the file's name and nothing changes. Articles are matched by slug, so importing the same
//! folder twice changes nothing the second time.

use std::collections::BTreeMap;

use baylanys_domain::knowledge::markdown::{self, ArticleFile, FrontMatter};
use baylanys_domain::knowledge::{ArticleContent, ArticleState, ArticleText};
use baylanys_domain::{Actor, DomainError};
use baylanys_store::{ArticleFilter, NewArticle};
use uuid::Uuid;

use crate::{Centre, CentreResult};

/// At most this many files in one import.
pub const MAX_FILES: usize = 600;

/// What an import did, by slug.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Imported {
    pub created: Vec<String>,
    pub updated: Vec<String>,
    pub unchanged: Vec<String>,
    pub published: Vec<String>,
}

/// One article of an import, checked.
struct Planned {
    slug: String,
    content: ArticleContent,
    owner_id: Option<Uuid>,
    state: ArticleState,
}

fn bad(name: &str, reason: impl std::fmt::Display) -> DomainError {
    DomainError::InvalidField {
        field: "files",
        reason: format!("{name}: {reason}"),
    }
}

fn check_slug(name: &str, slug: &str) -> Result<(), DomainError> {
    let ok = (2..=64).contains(&slug.len())
        && slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok {
        Ok(())
    } else {
        Err(bad(name, "the slug is 2–64 of a-z, 0-9 and '-'"))
    }
}

impl Centre {
    /// Imports articles from `(file name, content)` pairs. Front matter states `published`
    /// only with sources; topics are named by code and owners by login, and must exist.
    pub async fn import_articles(
        &self,
        files: Vec<(String, String)>,
        actor: Actor,
    ) -> CentreResult<Imported> {
        if files.is_empty() || files.len() > MAX_FILES {
            return Err(DomainError::InvalidField {
                field: "files",
                reason: format!("an import holds 1 to {MAX_FILES} files"),
            }
            .into());
        }
        let topics = self.store.list_topics().await?;
        let staff = self.store.list_staff().await?;
        let mut by_slug: BTreeMap<String, Vec<(String, ArticleFile)>> = BTreeMap::new();
        for (name, content) in files {
            if !name.ends_with(".md") {
                return Err(bad(&name, "only .md files are imported").into());
            }
            let file = markdown::parse_file(&name, &content)?;
            check_slug(&name, &file.front.slug)?;
            by_slug
                .entry(file.front.slug.clone())
                .or_default()
                .push((name, file));
        }
        let mut plan = Vec::with_capacity(by_slug.len());
        for (slug, mut files) in by_slug {
            files
                .sort_by_key(|(_, f)| baylanys_domain::knowledge::language_order(f.front.language));
            let first = &files[0];
            let mut texts = Vec::new();
            let mut tags: Vec<String> = Vec::new();
            let mut topic_ids: Vec<Uuid> = Vec::new();
            for (name, f) in &files {
                if texts
                    .iter()
                    .any(|t: &ArticleText| t.language == f.front.language)
                {
                    return Err(
                        bad(name, format!("{slug} has two {} files", f.front.language)).into(),
                    );
                }
                texts.push(ArticleText {
                    language: f.front.language,
                    title: f.front.title.clone(),
                    body: f.body.clone(),
                    short: f.front.short.clone(),
                    // Each file cites the sources in its own language.
                    sources: f.front.sources.clone(),
                });
                for t in &f.front.tags {
                    if !tags.contains(t) {
                        tags.push(t.clone());
                    }
                }
                for code in &f.front.topics {
                    let topic = topics
                        .iter()
                        .find(|t| &t.code == code)
                        .ok_or_else(|| bad(name, format!("no topic has the code {code}")))?;
                    if !topic_ids.contains(&topic.id) {
                        topic_ids.push(topic.id);
                    }
                }
            }
            let (name, front) = (&first.0, &first.1.front);
            let owner_id = match &front.owner {
                None => None,
                Some(login) => Some(
                    staff
                        .iter()
                        .find(|s| &s.login == login)
                        .map(|s| s.id)
                        .ok_or_else(|| {
                            bad(name, format!("no staff member has the login {login}"))
                        })?,
                ),
            };
            let content = ArticleContent {
                texts,
                topics: topic_ids,
                tags,
                sources: front.sources.clone(),
                review_by: front.review_by,
            }
            .validated()
            .map_err(|e| bad(name, e))?;
            let state = front.state.unwrap_or(ArticleState::Draft);
            if state == ArticleState::Published {
                content.check_publishable().map_err(|e| bad(name, e))?;
            }
            plan.push(Planned {
                slug,
                content,
                owner_id,
                state,
            });
        }
        let mut done = Imported::default();
        for p in plan {
            self.import_one(p, actor, &mut done).await?;
        }
        Ok(done)
    }

    async fn import_one(&self, p: Planned, actor: Actor, done: &mut Imported) -> CentreResult<()> {
        let mut article = match self.store.article_by_slug(&p.slug).await? {
            None => {
                let a = self
                    .store
                    .create_article(
                        NewArticle {
                            slug: Some(p.slug.clone()),
                            content: p.content.clone(),
                            owner_id: p.owner_id.or(actor.staff_id()),
                        },
                        actor,
                    )
                    .await?;
                done.created.push(p.slug.clone());
                a
            }
            Some(a) if a.content == p.content && a.state == p.state => {
                done.unchanged.push(p.slug.clone());
                return Ok(());
            }
            Some(a) if a.content == p.content => a,
            Some(mut a) => {
                if a.state == ArticleState::Archived {
                    a = self
                        .store
                        .move_article(a.id, a.revision, ArticleState::Draft, actor)
                        .await?;
                }
                let a = self
                    .store
                    .edit_article(a.id, a.revision, p.content.clone(), p.owner_id, actor)
                    .await?;
                done.updated.push(p.slug.clone());
                a
            }
        };
        if article.state != p.state && article.state.may_move_to(p.state) {
            article = self
                .store
                .move_article(article.id, article.revision, p.state, actor)
                .await?;
            if article.state == ArticleState::Published {
                done.published.push(p.slug);
            }
        }
        Ok(())
    }

    /// Every article not archived, as import files: its working copy and state.
    pub async fn export_articles(&self) -> CentreResult<Vec<(String, String)>> {
        let topics = self.store.list_topics().await?;
        let staff = self.store.list_staff().await?;
        let mut files = Vec::new();
        let mut offset = 0;
        loop {
            let page = self
                .store
                .articles(&ArticleFilter {
                    limit: 200,
                    offset,
                    ..Default::default()
                })
                .await?;
            let n = page.len();
            for a in page
                .into_iter()
                .filter(|a| a.state != ArticleState::Archived)
            {
                let slug = a.slug.clone().unwrap_or_else(|| a.id.to_string());
                for t in &a.content.texts {
                    let front = FrontMatter {
                        slug: slug.clone(),
                        language: t.language,
                        title: t.title.clone(),
                        short: t.short.clone(),
                        topics: a
                            .content
                            .topics
                            .iter()
                            .filter_map(|id| topics.iter().find(|x| &x.id == id))
                            .map(|x| x.code.clone())
                            .collect(),
                        tags: a.content.tags.clone(),
                        owner: a
                            .owner_id
                            .and_then(|id| staff.iter().find(|s| s.id == id))
                            .map(|s| s.login.clone()),
                        review_by: a.content.review_by,
                        state: Some(a.state),
                        sources: a.content.sources_in(t.language).to_vec(),
                    };
                    let text = markdown::write_file(&ArticleFile {
                        front,
                        body: t.body.clone(),
                    })?;
                    files.push((format!("{slug}.{}.md", t.language), text));
                }
            }
            if n < 200 {
                break;
            }
            offset += 200;
        }
        files.sort();
        Ok(files)
    }
}
