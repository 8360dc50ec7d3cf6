//! The knowledge base's use cases (R5.5, R22, clause 3.15, R12.3): finding served articles for
//! an operator, a citizen on `/help` or in the widget (and later the bot and the voice menu),
//! with the words that matched and the source of every answer; the text an operator inserts
//! into a reply; and what was used, so supervisors see the gaps to write next.

use baylanys_domain::knowledge::{search, ArticleContent, UsageKind, UsagePlace};
use baylanys_domain::{normalize_search, Language};
use baylanys_store::{Article, ArticleQuery, ArticleVersion, NewUsage};
use uuid::Uuid;

use crate::{Centre, CentreResult};

/// The longest question searched; the rest of a pasted letter is ignored.
pub const MAX_QUESTION: usize = 300;

/// A search for served articles.
#[derive(Debug, Clone)]
pub struct Question {
    pub text: String,
    pub language: Option<Language>,
    /// Articles of this topic are offered first (the appeal's topic, in the console).
    pub topic: Option<Uuid>,
    pub limit: u32,
    pub place: UsagePlace,
    pub staff_id: Option<Uuid>,
    pub appeal_id: Option<Uuid>,
    /// Whether a search that finds nothing is recorded as a gap (public searches only when
    /// the address is within its rate).
    pub record_gap: bool,
}

/// One served article found: the article's id and slug, the served version, and the matched
/// text.
#[derive(Debug, Clone)]
pub struct Found {
    pub article_id: Uuid,
    pub slug: Option<String>,
    pub version: ArticleVersion,
    pub language: Language,
    pub title: String,
    pub snippet: search::Snippet,
}

impl Centre {
    /// The served articles answering `q`, best first. The search runs in the asked language
    /// first; when that finds too little it looks in every language, so a Russian article
    /// answers a Kazakh question rather than nothing.
    pub async fn search_knowledge(&self, q: &Question) -> CentreResult<Vec<Found>> {
        let terms = search::query_terms(&q.text);
        // Words most articles hold are left out of the database's query: ranking every row
        // that has them is what makes a search of a large base slow, for almost no weight.
        let rows = self.store.term_rows(&terms).await?;
        let asked = search::affordable_terms(&terms, &rows, self.store.search_row_budget());
        // The database's order is refined below by the titles; fetch a few more than asked.
        let mut query = ArticleQuery {
            terms: asked,
            language: q.language,
            topic: None,
            limit: (q.limit * 4).max(20),
        };
        let mut hits = self.store.search_articles(&query).await?;
        let titles = search::TitleQuestion::new(&q.text);
        hits.sort_by_cached_key(|h| std::cmp::Reverse(titles.score(&h.title, h.language)));
        hits.truncate(q.limit as usize);
        if hits.len() < q.limit as usize && q.language.is_some() {
            query.language = None;
            let mut more = self.store.search_articles(&query).await?;
            more.retain(|m| !hits.iter().any(|h| h.article_id == m.article_id));
            more.sort_by_cached_key(|h| std::cmp::Reverse(titles.score(&h.title, h.language)));
            hits.extend(more.into_iter().take(q.limit as usize - hits.len()));
        }
        // The appeal's topic decides between articles the words found, never over them: a
        // topic's article with no matching word is not offered.
        if let Some(topic) = q.topic {
            query.topic = Some(topic);
            let of_topic = self.store.search_articles(&query).await?;
            hits.sort_by_key(|h| !of_topic.iter().any(|t| t.article_id == h.article_id));
        }
        let ids: Vec<Uuid> = hits.iter().map(|h| h.article_id).collect();
        let mut served = self.store.served_articles(&ids).await?;
        let mut found = Vec::with_capacity(hits.len());
        for hit in hits {
            // An article archived since the search is left out.
            let Some(i) = served.iter().position(|s| s.id == hit.article_id) else {
                continue;
            };
            let served = served.swap_remove(i);
            let snippet = search::snippet(&hit.plain, hit.language, &terms, 220);
            found.push(Found {
                article_id: served.id,
                slug: served.slug,
                version: served.version,
                language: hit.language,
                title: hit.title,
                snippet,
            });
        }
        if found.is_empty() && q.record_gap && !terms.is_empty() {
            let folded: String = without_personal_data(&normalize_search(&q.text))
                .chars()
                .take(MAX_QUESTION)
                .collect();
            self.store
                .record_usage(NewUsage {
                    article_id: None,
                    kind: UsageKind::NoResult,
                    place: q.place,
                    language: q.language,
                    query: Some(folded),
                    staff_id: q.staff_id,
                    appeal_id: q.appeal_id,
                })
                .await?;
        }
        Ok(found)
    }

    /// An article and the version operators and citizens are shown, if it is served.
    pub async fn served_article(
        &self,
        id: Uuid,
    ) -> CentreResult<Option<(Article, ArticleVersion)>> {
        let Some(article) = self.store.article(id).await? else {
            return Ok(None);
        };
        let Some(v) = article.published_version.filter(|_| article.is_served()) else {
            return Ok(None);
        };
        let version = self.store.article_version(id, v).await?;
        Ok(version.map(|version| (article, version)))
    }

    /// The text an operator inserts into a reply: the answer (the short one, or the body as
    /// plain text) and, under it, the sources in the reply's language (R22). Recorded as a use.
    pub async fn article_reply_text(
        &self,
        id: Uuid,
        language: Language,
        short: bool,
        staff_id: Uuid,
        appeal_id: Option<Uuid>,
    ) -> CentreResult<Option<String>> {
        let Some((_, version)) = self.served_article(id).await? else {
            return Ok(None);
        };
        let Some(text) = reply_text(&version.content, language, short) else {
            return Ok(None);
        };
        self.store
            .record_usage(NewUsage {
                article_id: Some(id),
                kind: UsageKind::Insert,
                place: UsagePlace::Console,
                language: Some(language),
                query: None,
                staff_id: Some(staff_id),
                appeal_id,
            })
            .await?;
        Ok(Some(text))
    }

    /// What the voice menu says for an article (clause 3.15, R12.3): its short answer in the
    /// caller's language, or its body as plain text cut at a sentence near
    /// [`MAX_SPOKEN`] characters; `None` when the article is not served or has no text in the
    /// language. Recorded as a view by the voice menu.
    pub async fn spoken_article(
        &self,
        slug: &str,
        language: Language,
    ) -> CentreResult<Option<String>> {
        let Some(article) = self.store.article_by_slug(slug).await? else {
            return Ok(None);
        };
        let Some((article, version)) = self.served_article(article.id).await? else {
            return Ok(None);
        };
        let Some(t) = version.content.text(language) else {
            return Ok(None);
        };
        let text = match &t.short {
            Some(s) => s.clone(),
            None => spoken(&baylanys_domain::knowledge::markdown::plain_text(&t.body)),
        };
        self.record_article_use(
            article.id,
            UsageKind::View,
            UsagePlace::Voice,
            Some(language),
            None,
        )
        .await?;
        Ok(Some(text))
    }

    /// Self-service in a text channel (the Telegram bot; clause 3.15, R12.3): up to `limit`
    /// served articles answering `question`, in `language`, each as its title, its short answer
    /// and a link to the full article on `/help`, under "this may answer your question".
    /// `None` when nothing matches. Each article offered is recorded as a view.
    pub async fn knowledge_digest(
        &self,
        question: &str,
        language: Language,
        place: UsagePlace,
        limit: u32,
    ) -> CentreResult<Option<String>> {
        let found = self
            .search_knowledge(&Question {
                text: question.chars().take(MAX_QUESTION).collect(),
                language: Some(language),
                topic: None,
                limit,
                place,
                staff_id: None,
                appeal_id: None,
                record_gap: false,
            })
            .await?;
        let found: Vec<&Found> = found.iter().filter(|f| f.language == language).collect();
        if found.is_empty() {
            return Ok(None);
        }
        let mut out = may_answer(language).to_owned();
        for f in found {
            let t = f.version.content.text(language);
            let answer = t
                .and_then(|t| t.short.clone())
                .unwrap_or_else(|| f.snippet.text.clone());
            let key = f.slug.clone().unwrap_or_else(|| f.article_id.to_string());
            out.push_str(&format!(
                "\n\n{}\n{}\n{}/help?article={}&lang={}",
                f.title,
                answer,
                self.settings.public_url.trim_end_matches('/'),
                key,
                language
            ));
            self.record_article_use(f.article_id, UsageKind::View, place, Some(language), None)
                .await?;
        }
        Ok(Some(out))
    }

    /// Records that an article was shown, or whether it helped.
    pub async fn record_article_use(
        &self,
        id: Uuid,
        kind: UsageKind,
        place: UsagePlace,
        language: Option<Language>,
        staff_id: Option<Uuid>,
    ) -> CentreResult<()> {
        self.store
            .record_usage(NewUsage {
                article_id: Some(id),
                kind,
                place,
                language,
                query: None,
                staff_id,
                appeal_id: None,
            })
            .await?;
        Ok(())
    }
}

/// A question as kept in the gaps list: the words, without what identifies a person — runs of
/// five or more digits (an IIN, a phone, a document number) and e-mail addresses become `…` —
/// since the list is read by supervisors and kept longer than any conversation.
pub fn without_personal_data(folded: &str) -> String {
    folded
        .split(' ')
        .map(|w| {
            let digits = w.chars().filter(char::is_ascii_digit).count();
            if digits >= 5 || w.contains('@') {
                "…"
            } else {
                w
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The longest answer the voice menu reads out of an article without a short answer.
pub const MAX_SPOKEN: usize = 600;

/// Plain text cut to a sentence end before [`MAX_SPOKEN`] characters (or at it).
fn spoken(plain: &str) -> String {
    let one_line = plain.split_whitespace().collect::<Vec<_>>().join(" ");
    let cut: String = one_line.chars().take(MAX_SPOKEN).collect();
    if cut.len() == one_line.len() {
        return cut;
    }
    match cut.rfind(['.', '!', '?']) {
        Some(i) if i > MAX_SPOKEN / 3 => cut[..=i].to_owned(),
        _ => cut,
    }
}

/// The heading of articles offered to a citizen, in their language.
pub fn may_answer(language: Language) -> &'static str {
    match language {
        Language::Kk => "Бұл сұрағыңызға жауап болуы мүмкін:",
        Language::Ru => "Возможно, это ответ на ваш вопрос:",
        Language::En => "This may answer your question:",
    }
}

/// «Source» in each language, for the line under an inserted answer.
fn source_word(language: Language) -> &'static str {
    match language {
        Language::Kk => "Дереккөз",
        Language::Ru => "Источник",
        Language::En => "Source",
    }
}

/// The answer in `language` with its sources, or `None` where the article has no text in it.
pub fn reply_text(content: &ArticleContent, language: Language, short: bool) -> Option<String> {
    let t = content.text(language)?;
    let mut out = match (&t.short, short) {
        (Some(s), true) => s.clone(),
        _ => baylanys_domain::knowledge::markdown::plain_text(&t.body),
    };
    for s in content.sources_in(language) {
        out.push_str(&format!("\n{}: {}", source_word(language), s.line()));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn gaps_keep_words_not_numbers_or_addresses() {
        assert_eq!(
            super::without_personal_data("жсн 900101300123 тел +77011234567 a@b.kz 2024 жыл"),
            "жсн … тел … … 2024 жыл"
        );
    }
}
