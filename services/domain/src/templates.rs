//! The notifications the centre sends the citizen by itself (R6), as editable templates in
//! Kazakh, Russian and English (Law on Languages art. 11). A template is plain text with
//! placeholders such as `{number}` and optional sections in square brackets, shown only when
//! every placeholder inside has a value: `…жіберілді[ ({department}, жауапты: {position})].`
//! Admins override any of them; what they leave out keeps the default below.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{AppealKind, DomainError, Language};

/// Which notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Notice {
    /// The appeal is registered: its number, the expected date, that complaints are taken.
    Registered,
    /// Sent to the competent body: where, the department and position, the new date (R30).
    Redirected,
    /// The body took it for consideration (a status change).
    Accepted,
    /// The term was extended by a reasoned decision: the new date and why (АППК art. 76).
    Extended,
    /// More information is needed from the citizen.
    MoreInformation,
    /// The answer.
    Answered,
    /// The web-chat conversation ended (the contact, or the appeal with it).
    Ended,
    /// The appeal was closed (told by e-mail or SMS off the web chat).
    Closed,
    /// The satisfaction question (R5.7); `{link}` is the survey page for e-mail and SMS.
    Survey,
    /// A part of the appeal is considered separately under its own number (R30).
    Split,
    /// Staff reclassified the appeal (issue 14) and the new kind's term moved the date the
    /// answer is due: the kind in the citizen's words (see [`kind_word`]) and the new date
    /// (R6.1, R6.4).
    Reclassified,
}

impl Notice {
    pub const ALL: [Notice; 11] = [
        Notice::Registered,
        Notice::Redirected,
        Notice::Accepted,
        Notice::Extended,
        Notice::MoreInformation,
        Notice::Answered,
        Notice::Ended,
        Notice::Closed,
        Notice::Survey,
        Notice::Split,
        Notice::Reclassified,
    ];

    /// The placeholders a template of this kind may use.
    pub fn placeholders(self) -> &'static [&'static str] {
        match self {
            Notice::Registered => &["number", "date"],
            Notice::Redirected => &["number", "body", "department", "position", "date"],
            Notice::Accepted => &["number", "body", "date"],
            Notice::Extended => &["number", "date", "reason"],
            Notice::MoreInformation => &["number", "question"],
            Notice::Answered => &["number", "answer"],
            Notice::Ended | Notice::Closed => &["number"],
            Notice::Survey => &["number", "link"],
            Notice::Split => &["number", "part_number", "subject"],
            Notice::Reclassified => &["number", "kind", "date"],
        }
    }

    fn key(self) -> &'static str {
        match self {
            Notice::Registered => "registered",
            Notice::Redirected => "redirected",
            Notice::Accepted => "accepted",
            Notice::Extended => "extended",
            Notice::MoreInformation => "more_information",
            Notice::Answered => "answered",
            Notice::Ended => "ended",
            Notice::Closed => "closed",
            Notice::Survey => "survey",
            Notice::Split => "split",
            Notice::Reclassified => "reclassified",
        }
    }

    /// The default text, as the centre says it unless an admin changed it.
    pub fn default_text(self, lang: Language) -> &'static str {
        use Language::{En, Kk, Ru};
        match (self, lang) {
            (Notice::Registered, Kk) => "Өтінішіңіз № {number} нөмірімен тіркелді. Жауап {date} дейін беріледі. Қызмет сапасына шағымды кез келген арна арқылы беруге болады.",
            (Notice::Registered, Ru) => "Ваше обращение зарегистрировано под № {number}. Ответ будет дан до {date}. Жалобу на качество обслуживания можно подать по любому каналу.",
            (Notice::Registered, En) => "Your appeal is registered as No. {number}. Expect the answer by {date}. You may complain about the service on any channel.",
            (Notice::Redirected, Kk) => "№ {number} өтінішіңіз құзыреті бойынша «{body}» органына жіберілді[ ({department}, жауапты: {position})]. Жауап {date} дейін беріледі.",
            (Notice::Redirected, Ru) => "Ваше обращение № {number} направлено по компетенции в «{body}»[ ({department}, ответственный: {position})]. Ответ будет дан до {date}.",
            (Notice::Redirected, En) => "Your appeal No. {number} has been forwarded to {body}, the competent body[ ({department}; responsible: {position})]. Expect the answer by {date}.",
            (Notice::Accepted, Kk) => "№ {number} өтінішіңізді «{body}» қарауға қабылдады. Жауап {date} дейін беріледі.",
            (Notice::Accepted, Ru) => "Ваше обращение № {number} принято к рассмотрению: «{body}». Ответ будет дан до {date}.",
            (Notice::Accepted, En) => "Your appeal No. {number} has been accepted for consideration by {body}. Expect the answer by {date}.",
            (Notice::Extended, Kk) => "№ {number} өтінішіңізді қарау мерзімі {date} дейін ұзартылды. Себебі: {reason}",
            (Notice::Extended, Ru) => "Срок рассмотрения вашего обращения № {number} продлён до {date}. Причина: {reason}",
            (Notice::Extended, En) => "The time to consider your appeal No. {number} has been extended to {date}. Reason: {reason}",
            (Notice::MoreInformation, Kk) => "№ {number} өтінішіңізді қарау үшін қосымша мәлімет қажет.[ {question}] Осы арна арқылы жауап беріңіз.",
            (Notice::MoreInformation, Ru) => "Для рассмотрения вашего обращения № {number} нужны дополнительные сведения.[ {question}] Ответьте, пожалуйста, по этому же каналу.",
            (Notice::MoreInformation, En) => "More information is needed to consider your appeal No. {number}.[ {question}] Please reply on this channel.",
            (Notice::Answered, Kk) => "№ {number} өтінішіңізге жауап берілді: {answer}",
            (Notice::Answered, Ru) => "На ваше обращение № {number} дан ответ: {answer}",
            (Notice::Answered, En) => "Your appeal No. {number} has been answered: {answer}",
            (Notice::Ended, Kk) => "Әңгіме аяқталды. Өтініш нөмірі: {number}. Рақмет!",
            (Notice::Ended, Ru) => "Разговор завершён. Номер обращения: {number}. Спасибо!",
            (Notice::Ended, En) => "The conversation has ended. Appeal number: {number}. Thank you!",
            (Notice::Closed, Kk) => "№ {number} өтініш бойынша жұмыс аяқталды, өтініш жабылды. Рақмет!",
            (Notice::Closed, Ru) => "Работа по обращению № {number} завершена, обращение закрыто. Спасибо!",
            (Notice::Closed, En) => "Work on your appeal No. {number} is complete and the appeal is closed. Thank you!",
            (Notice::Survey, Kk) => "№ {number} өтініш бойынша қызмет сапасын 1-ден 5-ке дейін бағалаңыз (5 — өте жақсы).[ {link}]",
            (Notice::Survey, Ru) => "Оцените, пожалуйста, качество обслуживания по обращению № {number} от 1 до 5 (5 — отлично).[ {link}]",
            (Notice::Survey, En) => "Please rate the service on appeal No. {number} from 1 to 5 (5 is excellent).[ {link}]",
            (Notice::Split, Kk) => "№ {number} өтінішіңіздің «{subject}» бөлігі жеке қаралады, оның нөмірі: № {part_number}.",
            (Notice::Split, Ru) => "Часть вашего обращения № {number} («{subject}») будет рассмотрена отдельно под № {part_number}.",
            (Notice::Split, En) => "The part “{subject}” of your appeal No. {number} will be considered separately as No. {part_number}.",
            (Notice::Reclassified, Kk) => "№ {number} өтінішіңіз {kind} ретінде тіркелді, жауап {date} дейін беріледі.",
            (Notice::Reclassified, Ru) => "Ваше обращение № {number} зарегистрировано как {kind}; ответ будет дан до {date}.",
            (Notice::Reclassified, En) => "Your appeal No. {number} is now registered as {kind}; expect the answer by {date}.",
        }
    }
}

/// One notification's text in the three languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Texts {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 2000))]
    pub kk: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 2000))]
    pub ru: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 2000))]
    pub en: String,
}

/// The admins' overrides, by notification; a kind not listed keeps its default.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct NotificationTemplates(pub BTreeMap<Notice, Texts>);

/// Values for a template's placeholders; `None` or empty leaves its optional section out.
pub type Vars<'a> = [(&'a str, Option<&'a str>)];

const MAX_CHARS: usize = 2000;

impl NotificationTemplates {
    fn template(&self, kind: Notice, lang: Language) -> &str {
        match self.0.get(&kind) {
            Some(t) => match lang {
                Language::Kk => &t.kk,
                Language::Ru => &t.ru,
                Language::En => &t.en,
            },
            None => kind.default_text(lang),
        }
    }

    /// The text of `kind` in `lang` with the values put in.
    pub fn render(&self, kind: Notice, lang: Language, vars: &Vars<'_>) -> String {
        render(self.template(kind, lang), vars)
    }

    /// Every kind, the overrides over the defaults: what the admin sees and edits.
    pub fn effective(&self) -> NotificationTemplates {
        NotificationTemplates(
            Notice::ALL
                .iter()
                .map(|&k| {
                    let t = |l| self.template(k, l).to_owned();
                    (
                        k,
                        Texts {
                            kk: t(Language::Kk),
                            ru: t(Language::Ru),
                            en: t(Language::En),
                        },
                    )
                })
                .collect(),
        )
    }

    /// Each text 1–2,000 characters, brackets paired and not nested, and only the kind's own
    /// placeholders, each closed — a typo would otherwise reach citizens as `{numbr}`.
    pub fn validate(&self) -> Result<(), DomainError> {
        for (kind, texts) in &self.0 {
            for (lang, text) in [("kk", &texts.kk), ("ru", &texts.ru), ("en", &texts.en)] {
                check(*kind, text).map_err(|reason| DomainError::InvalidField {
                    field: "templates",
                    reason: format!("{}.{lang}: {reason}", kind.key()),
                })?;
            }
        }
        Ok(())
    }
}

fn check(kind: Notice, text: &str) -> Result<(), String> {
    let n = text.trim().chars().count();
    if n == 0 || n > MAX_CHARS {
        return Err(format!("1 to {MAX_CHARS} characters"));
    }
    let mut in_section = false;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        match c {
            '[' if in_section => return Err("sections in [ ] cannot be nested".into()),
            '[' => in_section = true,
            ']' if !in_section => return Err("a ] without its [".into()),
            ']' => in_section = false,
            '{' => {
                let end = rest
                    .find('}')
                    .ok_or_else(|| "a { without its }".to_owned())?;
                let name = &rest[1..end];
                if !kind.placeholders().contains(&name) {
                    return Err(format!(
                        "unknown placeholder {{{name}}}; this notification has {}",
                        kind.placeholders()
                            .iter()
                            .map(|p| format!("{{{p}}}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
                rest = &rest[end + 1..];
                continue;
            }
            '}' => return Err("a } without its {".into()),
            _ => {}
        }
        rest = &rest[c.len_utf8()..];
    }
    if in_section {
        return Err("a [ without its ]".into());
    }
    Ok(())
}

fn value<'a>(vars: &'a Vars<'_>, name: &str) -> Option<&'a str> {
    vars.iter()
        .find(|(n, _)| *n == name)
        .and_then(|(_, v)| *v)
        .filter(|v| !v.trim().is_empty())
}

/// Puts the values in; a section whose placeholders are not all given is left out. Text that
/// validation would refuse renders literally, so a stored template never fails to send.
pub fn render(template: &str, vars: &Vars<'_>) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut section: Option<(String, bool)> = None;
    let mut rest = template;
    while let Some(c) = rest.chars().next() {
        let sink = |section: &mut Option<(String, bool)>, out: &mut String, s: &str| match section {
            Some((buf, _)) => buf.push_str(s),
            None => out.push_str(s),
        };
        match c {
            '[' if section.is_none() => section = Some((String::new(), true)),
            ']' if section.is_some() => {
                if let Some((buf, complete)) = section.take() {
                    if complete {
                        out.push_str(&buf);
                    }
                }
            }
            '{' => {
                if let Some(end) = rest.find('}') {
                    let name = &rest[1..end];
                    match value(vars, name) {
                        Some(v) => sink(&mut section, &mut out, v),
                        None => {
                            if let Some((_, complete)) = &mut section {
                                *complete = false;
                            }
                        }
                    }
                    rest = &rest[end + 1..];
                    continue;
                }
                sink(&mut section, &mut out, "{");
            }
            _ => {
                let mut b = [0u8; 4];
                sink(&mut section, &mut out, c.encode_utf8(&mut b));
            }
        }
        rest = &rest[c.len_utf8()..];
    }
    if let Some((buf, _)) = section {
        out.push('[');
        out.push_str(&buf);
    }
    out
}

/// An appeal's kind as the citizen is told it, in their language (АППК terms: сұрау салу /
/// запрос, арыз / заявление, шағым / жалоба, ұсыныс / предложение), never the stored value.
/// The Russian word is in the nominative, as «зарегистрировано как {kind}» takes it; the
/// English one carries its article.
pub fn kind_word(kind: AppealKind, lang: Language) -> &'static str {
    use Language::{En, Kk, Ru};
    match (kind, lang) {
        (AppealKind::Request, Kk) => "сұрау салу",
        (AppealKind::Request, Ru) => "запрос",
        (AppealKind::Request, En) => "a request",
        (AppealKind::Application, Kk) => "арыз",
        (AppealKind::Application, Ru) => "заявление",
        (AppealKind::Application, En) => "an application",
        (AppealKind::Complaint, Kk) => "шағым",
        (AppealKind::Complaint, Ru) => "жалоба",
        (AppealKind::Complaint, En) => "a complaint",
        (AppealKind::Proposal, Kk) => "ұсыныс",
        (AppealKind::Proposal, Ru) => "предложение",
        (AppealKind::Proposal, En) => "a proposal",
    }
}

/// Dates in notifications: day.month.year, as Kazakh documents write them.
pub fn date(d: NaiveDate) -> String {
    d.format("%d.%m.%Y").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_render_with_and_without_optional_sections() {
        let t = NotificationTemplates::default();
        let full = t.render(
            Notice::Redirected,
            Language::Kk,
            &[
                ("number", Some("2026-000001")),
                ("body", Some("Әділет министрлігі")),
                ("department", Some("Тіркеу департаменті")),
                ("position", Some("Директор")),
                ("date", Some("22.12.2026")),
            ],
        );
        assert_eq!(
            full,
            "№ 2026-000001 өтінішіңіз құзыреті бойынша «Әділет министрлігі» органына жіберілді (Тіркеу департаменті, жауапты: Директор). Жауап 22.12.2026 дейін беріледі."
        );
        let bare = t.render(
            Notice::Redirected,
            Language::Ru,
            &[
                ("number", Some("1")),
                ("body", Some("Минюст")),
                ("department", None),
                ("position", Some("Директор")),
                ("date", Some("22.12.2026")),
            ],
        );
        assert_eq!(
            bare,
            "Ваше обращение № 1 направлено по компетенции в «Минюст». Ответ будет дан до 22.12.2026."
        );
        let ask = t.render(
            Notice::MoreInformation,
            Language::En,
            &[("number", Some("7")), ("question", Some("  "))],
        );
        assert_eq!(
            ask,
            "More information is needed to consider your appeal No. 7. Please reply on this channel."
        );
    }

    #[test]
    fn every_default_is_valid_and_overrides_win() {
        let all = NotificationTemplates::default().effective();
        assert_eq!(all.0.len(), Notice::ALL.len());
        assert_eq!(all.validate(), Ok(()));
        let mut mine = NotificationTemplates::default();
        mine.0.insert(
            Notice::Answered,
            Texts {
                kk: "Жауап: {answer} (№ {number})".into(),
                ru: "Ответ: {answer}".into(),
                en: "Answer: {answer}".into(),
            },
        );
        assert_eq!(mine.validate(), Ok(()));
        assert_eq!(
            mine.render(
                Notice::Answered,
                Language::Kk,
                &[("number", Some("5")), ("answer", Some("иә"))]
            ),
            "Жауап: иә (№ 5)"
        );
        // Other kinds keep their defaults.
        assert!(mine
            .render(Notice::Ended, Language::Ru, &[("number", Some("5"))])
            .starts_with("Разговор завершён"));
    }

    #[test]
    fn a_reclassification_names_the_kind_in_the_citizens_language() {
        let t = NotificationTemplates::default();
        let say = |lang, kind| {
            let word = kind_word(kind, lang);
            t.render(
                Notice::Reclassified,
                lang,
                &[
                    ("number", Some("2026-000042")),
                    ("kind", Some(word)),
                    ("date", Some("30.01.2026")),
                ],
            )
        };
        assert_eq!(
            say(Language::Kk, AppealKind::Application),
            "№ 2026-000042 өтінішіңіз арыз ретінде тіркелді, жауап 30.01.2026 дейін беріледі."
        );
        assert_eq!(
            say(Language::Ru, AppealKind::Proposal),
            "Ваше обращение № 2026-000042 зарегистрировано как предложение; ответ будет дан до 30.01.2026."
        );
        assert_eq!(
            say(Language::En, AppealKind::Application),
            "Your appeal No. 2026-000042 is now registered as an application; expect the answer by 30.01.2026."
        );
        // Every kind has a word in every language, and none is the stored value.
        for &kind in AppealKind::ALL {
            for lang in [Language::Kk, Language::Ru, Language::En] {
                let word = kind_word(kind, lang);
                assert!(!word.is_empty() && word != kind.as_str(), "{kind} {lang}");
            }
        }
    }

    #[test]
    fn bad_templates_are_refused_with_the_reason() {
        let bad = |text: &str| {
            let mut t = NotificationTemplates::default();
            t.0.insert(
                Notice::Extended,
                Texts {
                    kk: text.into(),
                    ru: "ok {number}".into(),
                    en: "ok".into(),
                },
            );
            match t.validate() {
                Err(DomainError::InvalidField { reason, .. }) => reason,
                other => format!("{other:?}"),
            }
        };
        assert!(bad("{numbr}").contains("unknown placeholder {numbr}"));
        assert!(
            bad("{answer}").contains("unknown placeholder"),
            "not this kind's"
        );
        assert!(bad("[a [b] c]").contains("nested"));
        assert!(bad("a ] b").contains("without its ["));
        assert!(bad("a [ b").contains("without its ]"));
        assert!(bad("a {date").contains("without its }"));
        assert!(bad("   ").contains("characters"));
        assert!(bad(&"я".repeat(2001)).contains("characters"));
        assert!(bad("{numbr}").starts_with("extended.kk: "), "names where");
    }
}
