//! Folding the quoted history away from a reply's text.
//!
//! Citizens answer our mails from every kind of client, and most write above the quote
//! (top-posting). The console shows what they wrote now and keeps the history collapsed. Only a
//! trailing quote is folded: when text follows a quote block (an interleaved answer), the answers
//! sit between the quotes and folding would hide them, so the text stays whole. A signature is
//! not a quote and stays.

/// Outlook's line above the quoted mail, between the dashes.
const ORIGINAL_MESSAGE: &[&str] = &["original message", "исходное сообщение"];

/// How Outlook's header block of the quoted mail begins, after a line of underscores (en, ru, kk).
const FROM_FIELD: &[&str] = &["from:", "от:", "от кого:", "кімнен:"];

/// How an attribution line ends ("On … wrote:", "… пишет:", "… написал(а):", "… жазды:").
const ATTRIBUTION_END: &[&str] = &[
    "wrote:",
    "пишет:",
    "написал:",
    "написала:",
    "написал(а):",
    "жазды:",
];

/// The text split into what was written now and the trailing quoted history, both trimmed. When
/// there is no trailing quote, or nothing would be left above it, the whole text comes back and
/// no history.
pub(super) fn fold(text: &str) -> (String, Option<String>) {
    let lines: Vec<&str> = text.split('\n').collect();
    if let Some(start) = quote_start(&lines) {
        let new = lines[..start].join("\n");
        let quoted = lines[start..].join("\n");
        let (new, quoted) = (new.trim(), quoted.trim());
        if !new.is_empty() && !quoted.is_empty() {
            return (new.to_string(), Some(quoted.to_string()));
        }
    }
    (text.trim().to_string(), None)
}

/// The first line of the trailing quote: an Outlook separator, or the attribution line (else the
/// first `>` line) of a quote block after which nothing but quote follows.
fn quote_start(lines: &[&str]) -> Option<usize> {
    for (i, line) in lines.iter().enumerate() {
        if is_outlook_separator(lines, i) {
            return Some(i);
        }
        if is_quote(line) {
            return only_quote_from(lines, i).then(|| attribution_start(lines, i));
        }
    }
    None
}

fn is_quote(line: &str) -> bool {
    line.trim_start_matches([' ', '\t']).starts_with('>')
}

/// Whether from `i` on there are only quote lines and blank lines (or an Outlook separator, after
/// which everything is the quoted mail).
fn only_quote_from(lines: &[&str], i: usize) -> bool {
    for j in i..lines.len() {
        if is_outlook_separator(lines, j) {
            return true;
        }
        if !is_quote(lines[j]) && !lines[j].trim().is_empty() {
            return false;
        }
    }
    true
}

/// "-----Original Message-----", or a line of underscores followed by a "From:" line.
fn is_outlook_separator(lines: &[&str], i: usize) -> bool {
    let line = lines[i].trim();
    if line.starts_with("--") && line.ends_with("--") {
        let inner = line.trim_matches('-').trim().to_lowercase();
        return ORIGINAL_MESSAGE.contains(&inner.as_str());
    }
    if line.len() >= 10 && line.chars().all(|c| c == '_') {
        let next = lines[i + 1..]
            .iter()
            .map(|l| l.trim())
            .find(|l| !l.is_empty());
        return next.is_some_and(|l| {
            let l = l.to_lowercase();
            FROM_FIELD.iter().any(|f| l.starts_with(f))
        });
    }
    false
}

/// The line where the quote block starting at `quote` begins: its attribution line (one or two
/// lines, blank lines allowed in between) when there is one.
fn attribution_start(lines: &[&str], quote: usize) -> usize {
    let mut k = quote;
    while k > 0 && lines[k - 1].trim().is_empty() {
        k -= 1;
    }
    let Some(at) = k.checked_sub(1) else {
        return quote;
    };
    let line = lines[at].trim();
    if !is_attribution(line) {
        return quote;
    }
    // A long attribution the sender's client wrapped: "On Mon, …, Name <a@b>" / "wrote:".
    if let Some(prev) = at.checked_sub(1).map(|p| lines[p].trim()) {
        let keyword_only = ATTRIBUTION_END.contains(&line.to_lowercase().as_str());
        let wrapped_on =
            prev.starts_with("On ") && !line.starts_with("On ") && !prev.ends_with(['.', '!', '?']);
        if !prev.is_empty() && !is_quote(prev) && (keyword_only || wrapped_on) {
            return at - 1;
        }
    }
    at
}

/// An attribution line names its keyword at the end; clients that write none (Gmail in Russian,
/// Yandex, Mail.ru: "1 дек. 2026 г., 10:00, Имя <a@b.kz>:") still end with a colon after an
/// address and a date.
fn is_attribution(line: &str) -> bool {
    let line = line.to_lowercase();
    ATTRIBUTION_END.iter().any(|end| line.ends_with(end))
        || (line.ends_with(':') && line.contains('@') && line.chars().any(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::fold;

    fn folded(text: &str) -> (String, Option<String>) {
        fold(text)
    }

    #[test]
    fn a_top_posted_reply_folds_its_quote_and_attribution() {
        let text = "Thanks, received.\n-- \nAidar\n\nOn Mon, 1 Dec 2026 at 10:00, Centre <c@b.kz> wrote:\n> Your appeal\n>\n> is registered.\n";
        assert_eq!(
            folded(text),
            (
                "Thanks, received.\n-- \nAidar".into(),
                Some("On Mon, 1 Dec 2026 at 10:00, Centre <c@b.kz> wrote:\n> Your appeal\n>\n> is registered.".into())
            )
        );
    }

    #[test]
    fn a_wrapped_attribution_folds_whole() {
        let text =
            "Yes.\n\nOn Mon, 1 Dec 2026 at 10:00, A Very Long Name <long@b.kz>\nwrote:\n\n> q";
        assert_eq!(folded(text).0, "Yes.");
    }

    #[test]
    fn an_attribution_without_keyword_folds() {
        let text = "Да.\n\nпн, 1 дек. 2026 г. в 10:00, Центр <c@b.kz>:\n> вопрос";
        assert_eq!(
            folded(text),
            (
                "Да.".into(),
                Some("пн, 1 дек. 2026 г. в 10:00, Центр <c@b.kz>:\n> вопрос".into())
            )
        );
    }

    #[test]
    fn outlook_blocks_fold_everything_after_them() {
        let text = "Ок.\n\n________________________________\nОт: Центр <c@b.kz>\nОтправлено: 1 декабря\nТема: Вопрос\n\nТекст";
        assert_eq!(folded(text).0, "Ок.");
        let text = "Fine.\n-----Original Message-----\nFrom: c@b.kz\n\nBody";
        assert_eq!(
            folded(text),
            (
                "Fine.".into(),
                Some("-----Original Message-----\nFrom: c@b.kz\n\nBody".into())
            )
        );
        // Underscores alone are a rule someone drew, not a quote.
        let text = "a\n__________\nb";
        assert_eq!(folded(text), (text.into(), None));
    }

    #[test]
    fn interleaved_and_fully_quoted_texts_stay_whole() {
        let text = "> q1\nanswer 1\n> q2\nanswer 2";
        assert_eq!(folded(text), (text.into(), None));
        let text = "On Mon, A wrote:\n> only a quote";
        assert_eq!(folded(text), (text.into(), None));
    }
}
