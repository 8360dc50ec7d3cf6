//! HTML bodies to text, for mails that have no text/plain part.
//!
//! mail-parser's `html_to_text` decodes entities and collapses whitespace well, but it recognises
//! `<script>`, `<style>` and `<head>` only when the tag has no attributes (the code of
//! `<script type="text/javascript">` ends up in its text), breaks lines only at `<br>` and `</p>`,
//! and drops what `<blockquote>` meant. So a small pass over the tags runs first: it removes the
//! elements that never hold text, turns block elements into line breaks and marks blockquotes,
//! which come back as `> ` lines so that the quoted history folds as in a text/plain mail.

use mail_parser::decoders::html::html_to_text;

/// Private-use characters marking where a blockquote opens and closes, where a block element
/// breaks the line and where a paragraph leaves a blank line. They pass through `html_to_text` as
/// text and are removed from the input first, so only the markers this pass writes are seen.
const QUOTE_OPEN: char = '\u{E000}';
const QUOTE_CLOSE: char = '\u{E001}';
const LINE: char = '\u{E002}';
const PARAGRAPH: char = '\u{E003}';

/// A horizontal rule as Outlook's text/plain shows one.
const OUTLOOK_RULE: &str = "________________________________";

/// Elements whose content is never text to show (code, styling, metadata, embedded objects).
const HIDDEN: &[&str] = &[
    "script", "style", "head", "title", "template", "noscript", "svg", "object", "iframe", "xml",
];

/// Elements that begin or end a line.
const BLOCK: &[&str] = &[
    "div", "li", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "dl", "dt", "dd",
    "pre", "section", "article", "header", "footer", "address", "center",
];

/// The text of an HTML body: no markup, no script or style content, blockquotes as `> ` lines,
/// at most one blank line in a row.
pub(super) fn to_text(html: &str) -> String {
    let text = breaks(&html_to_text(&prepare(html)));
    let mut out: Vec<String> = Vec::new();
    for line in quote_lines(&text) {
        let blank = line.is_empty();
        if !(blank && out.last().is_none_or(|l| l.is_empty())) {
            out.push(line);
        }
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out.join("\n")
}

/// The line and paragraph markers as line breaks: a block boundary ends the line unless it has
/// just ended, a paragraph boundary leaves one blank line; the spaces around them go.
fn breaks(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut after_break = false;
    for c in text.chars() {
        match c {
            LINE | PARAGRAPH => {
                let kept = out.trim_end_matches(' ').len();
                out.truncate(kept);
                let wanted: usize = if c == LINE { 1 } else { 2 };
                // Quote markers at the end belong to the next line: not counted, not split off.
                let before = out.trim_end_matches([QUOTE_OPEN, QUOTE_CLOSE]);
                let have = before.len() - before.trim_end_matches('\n').len();
                if !out.is_empty() {
                    out.extend(std::iter::repeat_n('\n', wanted.saturating_sub(have)));
                }
                after_break = true;
            }
            ' ' if after_break => {}
            c => {
                after_break &= matches!(c, QUOTE_OPEN | QUOTE_CLOSE);
                out.push(c);
            }
        }
    }
    out
}

/// The HTML with only `<br>` tags left, without attributes (mail-parser sees no `<br class=x>`):
/// hidden elements, comments and inline tags removed, blocks, paragraphs, rules and blockquotes
/// marked, table cells apart, and a `<` that opens no tag escaped (mail-parser would take "a < b"
/// for a tag).
fn prepare(html: &str) -> String {
    let html: String = html
        .chars()
        .filter(|c| !matches!(*c, QUOTE_OPEN | QUOTE_CLOSE | LINE | PARAGRAPH))
        .collect();
    // ASCII lower-casing keeps every byte offset, so `lower` and `html` index alike.
    let lower = html.to_ascii_lowercase();
    let mut out = String::with_capacity(html.len());
    let mut pos = 0;
    // Once no </head> is found, later <head> tags are not searched again (each search would read
    // the rest of the document).
    let mut head_open = false;
    while let Some(rel) = html[pos..].find('<') {
        let start = pos + rel;
        out.push_str(&html[pos..start]);
        let rest = &lower[start..];
        if rest.starts_with("<!--") {
            pos = lower[start + 4..]
                .find("-->")
                .map_or(html.len(), |e| start + 4 + e + 3);
            continue;
        }
        let opens_tag = rest[1..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, '/' | '!' | '?'));
        if !opens_tag {
            out.push_str("&lt;");
            pos = start + 1;
            continue;
        }
        let Some(end) = tag_end(&html, start) else {
            // An unclosed tag at the end: nothing after it is text.
            pos = html.len();
            break;
        };
        let inner = &lower[start + 1..end - 1];
        let closing = inner.starts_with('/');
        let name_start = usize::from(closing);
        let name_len = inner[name_start..]
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(inner.len() - name_start);
        let name = &inner[name_start..name_start + name_len];
        pos = end;
        if HIDDEN.contains(&name) {
            let head_left_open = name == "head" && head_open;
            if !closing && !inner.ends_with('/') && !head_left_open {
                pos = match element_end(&lower, end, name) {
                    Some(after) => after,
                    // A <head> left open still has the body after it; anything else left open
                    // (a script, a style) runs to the end, as a browser reads it.
                    None if name == "head" => {
                        head_open = true;
                        end
                    }
                    None => html.len(),
                };
            }
            out.push(' ');
        } else if name == "blockquote" {
            out.push(LINE);
            out.push(if closing { QUOTE_CLOSE } else { QUOTE_OPEN });
            out.push(LINE);
        } else if name == "br" {
            out.push_str("<br>");
        } else if name == "hr" {
            // As Outlook writes it in its own text/plain: the line above a quoted mail's headers.
            out.push(LINE);
            out.push_str(OUTLOOK_RULE);
            out.push(LINE);
        } else if name == "p" {
            out.push(PARAGRAPH);
        } else if BLOCK.contains(&name) {
            out.push(LINE);
        } else if name == "td" || name == "th" {
            out.push(' ');
        }
        // Any other tag goes: mail-parser drops the space after a word that a tag ends
        // ("<b>Sent:</b> Monday" would read "Sent:Monday").
    }
    out.push_str(&html[pos..]);
    out
}

/// The offset just after the `>` closing the tag that starts at `start`; a quoted attribute value
/// may hold a `>`.
fn tag_end(html: &str, start: usize) -> Option<usize> {
    let bytes = html.as_bytes();
    let mut i = start + 1;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'>' => return Some(i + 1),
            b'=' => {
                let mut j = i + 1;
                while bytes.get(j).is_some_and(|c| c.is_ascii_whitespace()) {
                    j += 1;
                }
                // An unbalanced quote is read as no quote at all.
                if let Some(&q @ (b'"' | b'\'')) = bytes.get(j) {
                    if let Some(close) = html[j + 1..].find(q as char) {
                        i = j + 1 + close;
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The offset after the end tag of `name`, searching from `from` in the lower-cased HTML.
fn element_end(lower: &str, from: usize, name: &str) -> Option<usize> {
    let pattern = format!("</{name}");
    let mut at = from;
    loop {
        let found = at + lower.get(at..)?.find(&pattern)?;
        let after = found + pattern.len();
        if !lower[after..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric())
        {
            return Some(
                lower[after..]
                    .find('>')
                    .map_or(lower.len(), |e| after + e + 1),
            );
        }
        at = after;
    }
}

/// The converted text's lines with the blockquote markers turned into `> ` prefixes, one `>` per
/// level of nesting, and trailing spaces removed.
fn quote_lines(text: &str) -> Vec<String> {
    let mut depth = 0usize;
    let mut lines = Vec::new();
    for line in text.split('\n') {
        let mut content = String::with_capacity(line.len());
        let mut line_depth = None;
        for c in line.chars() {
            match c {
                QUOTE_OPEN => depth += 1,
                QUOTE_CLOSE => depth = depth.saturating_sub(1),
                c => {
                    if line_depth.is_none() && !c.is_whitespace() {
                        line_depth = Some(depth);
                    }
                    content.push(c);
                }
            }
        }
        let content = content.trim();
        match line_depth {
            Some(d) if d > 0 => lines.push(format!("{} {content}", ">".repeat(d))),
            _ => lines.push(content.to_string()),
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::to_text;

    #[test]
    fn hidden_elements_go_and_blocks_break_lines() {
        let html = "<html><head lang=x><title>T</title></head><body>\
            <style type=\"text/css\">p{color:red}</style>\
            <script type=\"text/javascript\">alert(1)</script><SCRIPT>x()</SCRIPT>\
            <!-- a comment --><div>one</div><div class=\"a>b\">two</div>three<br class=x>four \
            a &lt; b and 1 < 2 &amp; <b>bold</b></body></html>";
        assert_eq!(
            to_text(html),
            "one\ntwo\nthree\nfour a < b and 1 < 2 & bold"
        );
        assert_eq!(
            to_text("<p>First.</p>\n<p>Second<br>line.</p><div><div>Nested</div></div>"),
            "First.\n\nSecond\nline.\n\nNested"
        );
    }

    #[test]
    fn an_unclosed_script_hides_the_rest() {
        assert_eq!(to_text("hello<script>alert(1)"), "hello");
        assert_eq!(to_text("hi<script src=x.js/>there"), "hi there");
    }

    #[test]
    fn broken_html_reads_as_far_as_it_goes() {
        assert_eq!(to_text("<head>Hello<head>world"), "Hello world");
        let broken = [
            "<",
            "<a",
            "a <",
            "<a href='x",
            "<a href=\"é>b",
            "<!--",
            "</",
            "</>",
            "<script",
            "<p",
            "&",
            "&#0;",
            "<\u{E000}>x\u{E001}",
            "ä<ö>ü",
            "<blockquote>",
            "</blockquote>x",
        ];
        for html in broken {
            let text = to_text(html);
            assert!(
                !text.contains(['\u{E000}', '\u{E001}', '\u{E002}', '\u{E003}']),
                "{html:?}"
            );
        }
        assert_eq!(to_text("a < b"), "a < b");
    }

    #[test]
    fn blockquotes_become_quote_lines() {
        let html = "<div>Thanks!</div><div>On Mon, A wrote:<br></div>\
            <blockquote><div>q1</div><blockquote>q2</blockquote>q3</blockquote>";
        assert_eq!(
            to_text(html),
            "Thanks!\nOn Mon, A wrote:\n> q1\n>> q2\n> q3"
        );
    }
}
