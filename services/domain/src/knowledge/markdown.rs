//! Article bodies are Markdown. Rendering makes them safe to put into a page: raw HTML in a body
//! (a pasted `<script>`, an `<img onerror>`) becomes visible text, and a link or image goes
//! only to http(s), mailto, tel or a relative address — so an article can never run code in a
//! citizen's or an operator's browser, whatever was typed or imported.
//!
//! Import and export use one Markdown file per article and language with YAML front matter,
//! the form most documentation tools write (see `tests/fixtures/knowledge/README.md`).

use chrono::NaiveDate;
use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};
use serde::{Deserialize, Serialize};

use super::{ArticleState, Source};
use crate::{DomainError, Language};

fn safe_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    match lower.split_once(':') {
        // A colon before any slash, '?' or '#' is a scheme.
        Some((scheme, _)) if !scheme.contains(['/', '?', '#']) => {
            matches!(scheme, "http" | "https" | "mailto" | "tel")
        }
        _ => true,
    }
}

/// The body as HTML that is safe to insert into a page.
pub fn render_html(markdown: &str) -> String {
    let parser = Parser::new_ext(
        markdown,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH,
    )
    .map(|event| match event {
        Event::Html(h) | Event::InlineHtml(h) => Event::Text(h),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) if !safe_url(&dest_url) => Event::Start(Tag::Link {
            link_type,
            dest_url: CowStr::Borrowed("#"),
            title,
            id,
        }),
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) if !safe_url(&dest_url) => Event::Start(Tag::Image {
            link_type,
            dest_url: CowStr::Borrowed("#"),
            title,
            id,
        }),
        other => other,
    });
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, parser);
    html
}

/// The body as plain text (for the search index, a spoken answer or a chat reply): the words
/// without Markdown's marks, paragraphs and list items on lines of their own.
pub fn plain_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES) {
        match event {
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => {
                out.push_str(&t)
            }
            Event::SoftBreak => out.push(' '),
            Event::End(TagEnd::TableCell) => out.push(' '),
            Event::HardBreak => out.push('\n'),
            Event::Start(Tag::Item) => out.push_str("• "),
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::CodeBlock
                | TagEnd::TableRow
                | TagEnd::TableHead
                | TagEnd::BlockQuote(_),
            ) if !out.ends_with('\n') && !out.ends_with(' ') && !out.is_empty() => out.push('\n'),
            _ => {}
        }
    }
    out.trim().to_owned()
}

/// The front matter of one article file in one language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    /// Stable name of the article; the files of its languages share it.
    pub slug: String,
    pub language: Language,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short: Option<String>,
    /// Topic codes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topics: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// The owner's login.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_by: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<ArticleState>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<Source>,
}

/// One parsed file: its front matter and Markdown body.
#[derive(Debug, Clone, PartialEq)]
pub struct ArticleFile {
    pub front: FrontMatter,
    pub body: String,
}

/// Reads a file of the form `---\n<yaml>\n---\n<markdown>`.
pub fn parse_file(name: &str, content: &str) -> Result<ArticleFile, DomainError> {
    let bad = |reason: String| DomainError::InvalidField {
        field: "files",
        reason: format!("{name}: {reason}"),
    };
    let content = content.strip_prefix('\u{feff}').unwrap_or(content);
    let rest = content
        .strip_prefix("---\n")
        .or_else(|| content.strip_prefix("---\r\n"))
        .ok_or_else(|| bad("must start with a front matter block between --- lines".into()))?;
    let end = rest
        .find("\n---\n")
        .or_else(|| rest.find("\n---\r\n"))
        .map(|i| (i, rest[i..].find("---").map_or(i, |j| i + j + 3)))
        .or_else(|| rest.strip_suffix("\n---").map(|r| (r.len(), rest.len())))
        .ok_or_else(|| bad("the front matter is not closed by a --- line".into()))?;
    let front: FrontMatter =
        serde_yaml::from_str(&rest[..end.0]).map_err(|e| bad(format!("front matter: {e}")))?;
    let body = rest[end.1..]
        .trim_start_matches(['\r', '\n'])
        .trim_end()
        .to_owned();
    Ok(ArticleFile { front, body })
}

/// Writes a file [`parse_file`] reads back to the same front matter and body.
pub fn write_file(file: &ArticleFile) -> Result<String, DomainError> {
    let yaml = serde_yaml::to_string(&file.front).map_err(|e| DomainError::InvalidField {
        field: "files",
        reason: e.to_string(),
    })?;
    Ok(format!("---\n{yaml}---\n{}\n", file.body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_and_script_links_are_shown_not_run() {
        let html = render_html(
            "Hi <script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n[a](javascript:alert(3)) [b](https://egov.kz) [c](/help)",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(html.contains("href=\"https://egov.kz\""), "{html}");
        assert!(html.contains("href=\"/help\""), "{html}");
    }

    #[test]
    fn a_file_round_trips() -> Result<(), DomainError> {
        let text = "---\nslug: id-card\nlanguage: kk\ntitle: \"Жеке куәлік\"\ntopics: [documents]\nreview_by: 2027-06-30\nstate: published\nsources:\n  - document: \"Заң\"\n    clause: \"10-бап\"\n    date: 2013-01-29\n---\nМәтін **маңызды**.\n\n- бір\n- екі\n";
        let f = parse_file("id-card.kk.md", text)?;
        assert_eq!(f.front.slug, "id-card");
        assert_eq!(f.front.sources[0].clause.as_deref(), Some("10-бап"));
        assert_eq!(f.body, "Мәтін **маңызды**.\n\n- бір\n- екі");
        let again = parse_file("x", &write_file(&f)?)?;
        assert_eq!(again, f);
        assert_eq!(plain_text(&f.body), "Мәтін маңызды.\n• бір\n• екі");
        Ok(())
    }

    #[test]
    fn files_without_front_matter_are_refused_by_name() {
        let e = parse_file("a.md", "# Title\n").err().map(|e| e.to_string());
        assert!(e.is_some_and(|e| e.contains("a.md")));
        assert!(parse_file("b.md", "---\nslug: [\n---\nx").is_err());
    }
}
