//! The voice menu as data (clause 3.15, R12.3): menus per language, each a prompt (recorded
//! audio or text for the speech synthesiser) and the keys a caller may press — to another menu,
//! to an operator on a topic or queue, to a self-service answer (service descriptions, hours,
//! addresses), to another language. The operator is one key away in every menu: `0` is kept for
//! it and cannot be given another meaning. A caller who presses nothing is asked again a set
//! number of times, then put through to an operator rather than cut off.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{DomainError, Language};

/// The menu every call starts in, in the centre's first language.
pub const MAIN_MENU: &str = "main";
/// The key that reaches an operator from every menu.
pub const OPERATOR_DIGIT: char = '0';

/// What the caller hears: a recorded file, or text for the speech synthesiser (the text is also
/// what the call's log and the console show of the prompt).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Prompt {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audio_url: Option<String>,
}

/// Where a key leads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum MenuAction {
    /// Another menu of the same language.
    Menu { key: String },
    /// An operator: the queue the routing table picks for the topic, or the queue named.
    Operator {
        #[serde(default)]
        topic_id: Option<Uuid>,
        #[serde(default)]
        queue_id: Option<Uuid>,
    },
    /// Self-service (R12.3): the answer is said, then the same menu again.
    Answer { prompt: Prompt },
    /// Self-service from the knowledge base (issue 18): the short answer of the published
    /// article with this slug, in the caller's language, then the same menu again — so the
    /// menu says what the articles say and is current when they are.
    Article { slug: String },
    /// The same menu in another language (its `main`).
    Language { language: Language },
    /// The prompt again.
    Repeat,
    /// Goodbye.
    Hangup,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MenuOption {
    /// One of `1`–`9`, `*`, `#` (`0` is the operator's).
    pub digit: String,
    /// A name for the option, shown in the console's menu path.
    pub label: String,
    pub action: MenuAction,
}

/// One menu of one language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IvrMenu {
    /// `main` for the entry; otherwise any short name the options point at.
    pub key: String,
    pub language: Language,
    pub prompt: Prompt,
    pub options: Vec<MenuOption>,
    /// Seconds to wait for a key.
    pub timeout_secs: u32,
    /// How many times the prompt is repeated when nothing (or a wrong key) is pressed before the
    /// caller is put through to an operator.
    pub retries: u32,
}

fn invalid(field: &'static str, reason: &str) -> DomainError {
    DomainError::InvalidField {
        field,
        reason: reason.into(),
    }
}

/// A menu key: 1–40 of `a`–`z`, `0`–`9`, `_`, `-`.
pub fn valid_key(key: &str) -> bool {
    (1..=40).contains(&key.len())
        && key
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
}

impl Prompt {
    pub fn validate(&self, field: &'static str) -> Result<(), DomainError> {
        let text_ok = self
            .text
            .as_deref()
            .is_none_or(|t| !t.trim().is_empty() && t.chars().count() <= 2000);
        let audio_ok = self.audio_url.as_deref().is_none_or(|u| {
            (u.starts_with("https://") || u.starts_with("http://") || u.starts_with("file://"))
                && u.len() <= 500
                && !u.contains(char::is_whitespace)
        });
        if self.text.is_none() && self.audio_url.is_none() {
            return Err(invalid(field, "a text, an audio file's URL, or both"));
        }
        if !text_ok {
            return Err(invalid(field, "text of 1 to 2000 characters"));
        }
        if !audio_ok {
            return Err(invalid(field, "an http(s) or file URL without spaces"));
        }
        Ok(())
    }
}

impl IvrMenu {
    /// The rules a menu must keep to be saved; the keys it points at may be saved after it (an
    /// option to a menu not there yet reaches an operator until it is).
    pub fn validate(&self) -> Result<(), DomainError> {
        if !valid_key(&self.key) {
            return Err(invalid("key", "1 to 40 of a–z, 0–9, _ and -"));
        }
        self.prompt.validate("prompt")?;
        if !(2..=30).contains(&self.timeout_secs) {
            return Err(invalid("timeout_secs", "between 2 and 30"));
        }
        if self.retries > 5 {
            return Err(invalid("retries", "at most 5"));
        }
        if self.options.len() > 11 {
            return Err(invalid("options", "at most 11 (1–9, * and #)"));
        }
        let mut seen = Vec::new();
        for o in &self.options {
            let d = o.digit.as_str();
            let ok = d.len() == 1 && matches!(d.as_bytes()[0], b'1'..=b'9' | b'*' | b'#');
            if !ok {
                return Err(invalid(
                    "options",
                    "each option's digit is one of 1–9, * or # (0 always reaches an operator)",
                ));
            }
            if seen.contains(&d) {
                return Err(invalid("options", "each digit once"));
            }
            seen.push(d);
            let label = o.label.trim();
            if label.is_empty() || label.chars().count() > 80 {
                return Err(invalid(
                    "options",
                    "each option has a label of 1 to 80 characters",
                ));
            }
            match &o.action {
                MenuAction::Menu { key } if !valid_key(key) => {
                    return Err(invalid("options", "a menu option names a menu key"));
                }
                MenuAction::Menu { key } if key == &self.key => {
                    return Err(invalid("options", "use repeat for the same menu"));
                }
                MenuAction::Answer { prompt } => prompt.validate("options")?,
                MenuAction::Article { slug }
                    if !(2..=64).contains(&slug.len())
                        || !slug
                            .bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') =>
                {
                    return Err(invalid(
                        "options",
                        "an article option names an article's slug",
                    ));
                }
                MenuAction::Language { language } if *language == self.language => {
                    return Err(invalid(
                        "options",
                        "a language option names another language",
                    ));
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// What the caller's keys mean here; `None` for nothing pressed.
    pub fn choose(&self, digits: Option<&str>) -> Choice {
        let Some(d) = digits.map(str::trim).filter(|d| !d.is_empty()) else {
            return Choice::Nothing;
        };
        // One key is a choice; a caller who typed more meant the first.
        let first = d.chars().next().map(String::from).unwrap_or_default();
        if first.starts_with(OPERATOR_DIGIT) {
            return Choice::Operator {
                label: None,
                topic_id: None,
                queue_id: None,
            };
        }
        match self.options.iter().find(|o| o.digit == first) {
            None => Choice::Unknown,
            Some(o) => match &o.action {
                MenuAction::Menu { key } => Choice::Menu {
                    key: key.clone(),
                    label: o.label.clone(),
                },
                MenuAction::Operator { topic_id, queue_id } => Choice::Operator {
                    label: Some(o.label.clone()),
                    topic_id: *topic_id,
                    queue_id: *queue_id,
                },
                MenuAction::Answer { prompt } => Choice::Answer {
                    prompt: prompt.clone(),
                    label: o.label.clone(),
                },
                MenuAction::Article { slug } => Choice::Article {
                    slug: slug.clone(),
                    label: o.label.clone(),
                },
                MenuAction::Language { language } => Choice::Language(*language),
                MenuAction::Repeat => Choice::Repeat,
                MenuAction::Hangup => Choice::Hangup,
            },
        }
    }
}

/// A caller's choice in one menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    Nothing,
    Unknown,
    Menu {
        key: String,
        label: String,
    },
    Operator {
        label: Option<String>,
        topic_id: Option<Uuid>,
        queue_id: Option<Uuid>,
    },
    Answer {
        prompt: Prompt,
        label: String,
    },
    Article {
        slug: String,
        label: String,
    },
    Language(Language),
    Repeat,
    Hangup,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn menu() -> IvrMenu {
        IvrMenu {
            key: MAIN_MENU.into(),
            language: Language::Kk,
            prompt: Prompt {
                text: Some("Сәлеметсіз бе".into()),
                audio_url: None,
            },
            options: vec![
                MenuOption {
                    digit: "1".into(),
                    label: "Жәрдемақы".into(),
                    action: MenuAction::Menu {
                        key: "benefits".into(),
                    },
                },
                MenuOption {
                    digit: "2".into(),
                    label: "Жұмыс уақыты".into(),
                    action: MenuAction::Answer {
                        prompt: Prompt {
                            text: Some("09:00–18:00".into()),
                            audio_url: None,
                        },
                    },
                },
                MenuOption {
                    digit: "9".into(),
                    label: "Русский".into(),
                    action: MenuAction::Language {
                        language: Language::Ru,
                    },
                },
            ],
            timeout_secs: 6,
            retries: 2,
        }
    }

    #[test]
    fn zero_reaches_an_operator_in_every_menu() {
        // R12.3: self-service never traps the caller; 0 is the operator's and no option may
        // take it.
        let m = menu();
        assert!(matches!(
            m.choose(Some("0")),
            Choice::Operator { topic_id: None, .. }
        ));
        let mut taken = menu();
        taken.options[0].digit = "0".into();
        assert!(taken.validate().is_err());
    }

    #[test]
    fn keys_lead_where_the_menu_says() {
        let m = menu();
        assert!(m.validate().is_ok());
        assert!(matches!(m.choose(Some("1")), Choice::Menu { ref key, .. } if key == "benefits"));
        assert!(matches!(m.choose(Some("2")), Choice::Answer { .. }));
        assert_eq!(m.choose(Some("9")), Choice::Language(Language::Ru));
        assert_eq!(m.choose(Some("7")), Choice::Unknown);
        assert_eq!(m.choose(None), Choice::Nothing);
        assert_eq!(m.choose(Some("")), Choice::Nothing);
    }

    #[test]
    fn bad_menus_are_refused() {
        let mut m = menu();
        m.key = "Main Menu".into();
        assert!(m.validate().is_err());
        let mut m = menu();
        m.prompt = Prompt::default();
        assert!(m.validate().is_err());
        let mut m = menu();
        m.options[1].digit = "1".into();
        assert!(m.validate().is_err());
        let mut m = menu();
        m.timeout_secs = 0;
        assert!(m.validate().is_err());
        let mut m = menu();
        m.options[2].action = MenuAction::Language {
            language: Language::Kk,
        };
        assert!(m.validate().is_err());
        let mut m = menu();
        m.prompt.audio_url = Some("javascript:alert(1)".into());
        assert!(m.validate().is_err());
    }
}
