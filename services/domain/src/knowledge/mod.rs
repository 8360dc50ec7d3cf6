//! The knowledge base (R5.5, R22, clause 3.15, R12.3): articles that answer citizens' common
//! questions in Kazakh, Russian and English, each fact tied to its official source, each
//! article reviewed by a date after which it is flagged stale, and every published version
//! kept. Pure rules here; the store keeps the rows and the search index, the API the roles.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::enums::string_enum;
use crate::{BoundedText, DomainError, Language};

pub mod diff;
pub mod markdown;
pub mod search;

/// Bounds on what one article may hold: a consultation answer, not a whole statute. They keep
/// one request from filling the store or the search index.
pub const MAX_TITLE: usize = 300;
pub const MAX_BODY: usize = 20_000;
pub const MAX_SHORT: usize = 600;
pub const MAX_TAGS: usize = 20;
pub const MAX_TAG: usize = 60;
pub const MAX_SOURCES: usize = 20;
pub const MAX_TOPICS: usize = 5;

string_enum! {
    /// Where an article is in its life: written, checked, offered to operators and citizens,
    /// withdrawn. Only published articles are searched, suggested and shown on `/help`.
    ArticleState, "article state" {
        Draft = "draft",
        InReview = "in_review",
        Published = "published",
        Archived = "archived",
    }
}

impl ArticleState {
    /// The moves an editor may make. A published article is changed by editing it (the edit
    /// goes back to draft and the published version stays served until the next publish) or
    /// withdrawn by archiving; an archived one may be brought back as a draft.
    pub fn may_move_to(self, to: ArticleState) -> bool {
        use ArticleState::*;
        matches!(
            (self, to),
            (Draft, InReview)
                | (Draft, Published)
                | (InReview, Published)
                | (InReview, Draft)
                | (Published, Archived)
                | (Draft, Archived)
                | (InReview, Archived)
                | (Archived, Draft)
        )
    }
}

string_enum! {
    /// What was done with an article, for the usage panel: shown, inserted into a reply, marked
    /// by a citizen as having helped or not, and a search that found nothing (a gap to write).
    UsageKind, "knowledge usage" {
        View = "view",
        Insert = "insert",
        Helped = "helped",
        NotHelped = "not_helped",
        NoResult = "no_result",
    }
}

string_enum! {
    /// Where the use happened.
    UsagePlace, "knowledge place" {
        Console = "console",
        Help = "help",
        Widget = "widget",
        Telegram = "telegram",
        Voice = "voice",
    }
}

/// The official source of an article's facts (R22): the document, the article or clause in it,
/// where to read it, and the date of the version relied on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// The document: a law, code, order or rule, by its official name.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 500))]
    pub document: String,
    /// The article, clause or paragraph relied on.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub clause: Option<String>,
    /// Where the text can be read (e.g. adilet.zan.kz); http or https only.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 1000))]
    pub url: Option<String>,
    /// The date of the document's version relied on.
    #[serde(default)]
    pub date: Option<NaiveDate>,
}

impl Source {
    pub fn validated(self) -> Result<Source, DomainError> {
        let url = BoundedText::optional("sources.url", self.url, 1000)?;
        if let Some(u) = &url {
            if !(u.starts_with("https://") || u.starts_with("http://"))
                || u.contains(char::is_whitespace)
            {
                return Err(DomainError::InvalidField {
                    field: "sources.url",
                    reason: "must be an http or https address".into(),
                });
            }
        }
        Ok(Source {
            document: BoundedText::new("sources.document", &self.document, 500)?.into_inner(),
            clause: BoundedText::optional("sources.clause", self.clause, 200)?,
            url,
            date: self.date,
        })
    }

    /// One line naming the source, as inserted under an answer: «Document, clause (date)».
    pub fn line(&self) -> String {
        let mut s = self.document.clone();
        if let Some(c) = &self.clause {
            s.push_str(", ");
            s.push_str(c);
        }
        if let Some(d) = self.date {
            s.push_str(&format!(" ({})", d.format("%d.%m.%Y")));
        }
        if let Some(u) = &self.url {
            s.push_str(" — ");
            s.push_str(u);
        }
        s
    }
}

/// An article's text in one language. A language without one is shown as missing, never
/// filled from another language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ArticleText {
    pub language: Language,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 300))]
    pub title: String,
    /// Markdown. Raw HTML in it is shown as text, never run.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 20000))]
    pub body: String,
    /// A short plain-text answer for the voice menu and the Telegram bot (clause 3.15).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 600))]
    pub short: Option<String>,
    /// The sources as cited in this language (the document's name in Kazakh or Russian);
    /// empty: the article's sources.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "openapi", schema(max_items = 20))]
    pub sources: Vec<Source>,
}

/// What an editor writes: everything of an article but its state and history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleContent {
    pub texts: Vec<ArticleText>,
    pub topics: Vec<uuid::Uuid>,
    pub tags: Vec<String>,
    pub sources: Vec<Source>,
    pub review_by: Option<NaiveDate>,
}

impl ArticleContent {
    /// Checks bounds and shapes: at least one language, each at most once, trimmed texts,
    /// tags and topics without repeats.
    pub fn validated(self) -> Result<ArticleContent, DomainError> {
        if self.texts.is_empty() {
            return Err(DomainError::InvalidField {
                field: "texts",
                reason: "must hold the article in at least one language".into(),
            });
        }
        let mut texts = Vec::with_capacity(self.texts.len());
        for t in self.texts {
            if texts.iter().any(|x: &ArticleText| x.language == t.language) {
                return Err(DomainError::InvalidField {
                    field: "texts",
                    reason: format!("{} is given twice", t.language),
                });
            }
            if t.sources.len() > MAX_SOURCES {
                return Err(DomainError::InvalidField {
                    field: "texts.sources",
                    reason: format!("at most {MAX_SOURCES}"),
                });
            }
            texts.push(ArticleText {
                language: t.language,
                title: BoundedText::new("texts.title", &t.title, MAX_TITLE)?.into_inner(),
                body: BoundedText::new("texts.body", &t.body, MAX_BODY)?.into_inner(),
                short: BoundedText::optional("texts.short", t.short, MAX_SHORT)?,
                sources: t
                    .sources
                    .into_iter()
                    .map(Source::validated)
                    .collect::<Result<Vec<_>, _>>()?,
            });
        }
        texts.sort_by_key(|t| language_order(t.language));
        if self.tags.len() > MAX_TAGS {
            return Err(DomainError::InvalidField {
                field: "tags",
                reason: format!("at most {MAX_TAGS}"),
            });
        }
        let mut tags: Vec<String> = Vec::new();
        for t in self.tags {
            let t = BoundedText::new("tags", &t, MAX_TAG)?.into_inner();
            if !tags.iter().any(|x| x.to_lowercase() == t.to_lowercase()) {
                tags.push(t);
            }
        }
        let mut topics = self.topics;
        topics.dedup();
        if topics.len() > MAX_TOPICS {
            return Err(DomainError::InvalidField {
                field: "topics",
                reason: format!("at most {MAX_TOPICS}"),
            });
        }
        if self.sources.len() > MAX_SOURCES {
            return Err(DomainError::InvalidField {
                field: "sources",
                reason: format!("at most {MAX_SOURCES}"),
            });
        }
        let sources = self
            .sources
            .into_iter()
            .map(Source::validated)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(ArticleContent {
            texts,
            topics,
            tags,
            sources,
            review_by: self.review_by,
        })
    }

    /// What publishing asks beyond a valid draft (R22): every answer names its official source.
    pub fn check_publishable(&self) -> Result<(), DomainError> {
        if self
            .texts
            .iter()
            .any(|t| self.sources_in(t.language).is_empty())
        {
            return Err(DomainError::InvalidField {
                field: "sources",
                reason: "an article is published only with the official source of its facts".into(),
            });
        }
        Ok(())
    }

    pub fn text(&self, language: Language) -> Option<&ArticleText> {
        self.texts.iter().find(|t| t.language == language)
    }

    /// The sources as cited in `language`: that text's own, else the article's.
    pub fn sources_in(&self, language: Language) -> &[Source] {
        match self.text(language) {
            Some(t) if !t.sources.is_empty() => &t.sources,
            _ => &self.sources,
        }
    }
}

/// Kazakh first (the state language), then Russian, then English.
pub fn language_order(l: Language) -> u8 {
    match l {
        Language::Kk => 0,
        Language::Ru => 1,
        Language::En => 2,
    }
}

/// Whether an article is past its review date on `today` (local date): it stays served, but
/// operators and the supervisors' panel see it flagged until someone reviews it.
pub fn is_stale(review_by: Option<NaiveDate>, today: NaiveDate) -> bool {
    review_by.is_some_and(|d| d < today)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn content() -> ArticleContent {
        ArticleContent {
            texts: vec![ArticleText {
                language: Language::Ru,
                title: " Замена удостоверения ".into(),
                body: "Текст".into(),
                short: None,
                sources: vec![],
            }],
            topics: vec![],
            tags: vec!["ЦОН".into(), "цон".into()],
            sources: vec![],
            review_by: None,
        }
    }

    #[test]
    fn a_draft_needs_no_source_but_publishing_does() -> Result<(), DomainError> {
        let c = content().validated()?;
        assert_eq!(c.texts[0].title, "Замена удостоверения");
        assert_eq!(c.tags, vec!["ЦОН".to_string()]);
        assert!(c.check_publishable().is_err());
        Ok(())
    }

    #[test]
    fn sources_are_checked() {
        let mut c = content();
        c.sources = vec![Source {
            document: "Закон".into(),
            clause: None,
            url: Some("javascript:alert(1)".into()),
            date: None,
        }];
        assert!(c.validated().is_err());
    }

    #[test]
    fn states_move_only_forward_or_back_to_draft() {
        use ArticleState::*;
        assert!(Draft.may_move_to(InReview));
        assert!(InReview.may_move_to(Published));
        assert!(!Archived.may_move_to(Published));
        assert!(!Published.may_move_to(InReview));
    }
}
