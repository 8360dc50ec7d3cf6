//! A service interruption (R34): one switch, and while it is on every citizen who reaches the
//! centre is told first — on the phone before the menu, in the web chat, Telegram and e-mail as
//! the auto-reply to their first words — that the service is interrupted, in their language,
//! when it is expected back and which other channels work meanwhile.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::voice::Prompt;
use crate::{DomainError, Language};

/// The interruption notice as administrators write it. The texts say what is interrupted; the
/// expected return is a time (said in each language's words, and left out once it has passed,
/// so a late return is never announced as still to come); the other channels come from the
/// out-of-hours settings, the one place a centre lists them. A recorded file per language
/// plays instead of the text on a PBX without a speech synthesiser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ServiceNotice {
    pub active: bool,
    #[serde(default)]
    pub kk: Option<String>,
    #[serde(default)]
    pub ru: Option<String>,
    #[serde(default)]
    pub en: Option<String>,
    #[serde(default)]
    pub kk_audio_url: Option<String>,
    #[serde(default)]
    pub ru_audio_url: Option<String>,
    #[serde(default)]
    pub en_audio_url: Option<String>,
    /// When the service is expected back.
    #[serde(default)]
    pub resumes_at: Option<DateTime<Utc>>,
    /// When this interruption was switched on (kept while it stays on): each citizen is told
    /// once per interruption, and its `service.resumed` event says how long it lasted.
    #[serde(default)]
    pub since: Option<DateTime<Utc>>,
}

fn invalid(field: &'static str, reason: &str) -> DomainError {
    DomainError::InvalidField {
        field,
        reason: reason.into(),
    }
}

impl ServiceNotice {
    /// An active notice says something in both state languages (Law on Languages art. 11);
    /// each text 1 to 1000 characters, each recording an http(s) or file URL.
    pub fn validate(&self) -> Result<(), DomainError> {
        for (field, text) in [("kk", &self.kk), ("ru", &self.ru), ("en", &self.en)] {
            if text
                .as_deref()
                .is_some_and(|t| t.trim().is_empty() || t.chars().count() > 1000)
            {
                return Err(invalid(field, "1 to 1000 characters"));
            }
        }
        for (field, text, audio) in [
            ("kk_audio_url", &self.kk, &self.kk_audio_url),
            ("ru_audio_url", &self.ru, &self.ru_audio_url),
            ("en_audio_url", &self.en, &self.en_audio_url),
        ] {
            if audio.is_some() {
                Prompt {
                    text: text.clone(),
                    audio_url: audio.clone(),
                }
                .validate(field)?;
            }
        }
        if self.active && (self.kk.is_none() || self.ru.is_none()) {
            return Err(invalid(
                "active",
                "an active notice has its Kazakh and Russian texts",
            ));
        }
        Ok(())
    }

    fn text(&self, language: Language) -> Option<&str> {
        match language {
            Language::Kk => self.kk.as_deref(),
            Language::Ru => self.ru.as_deref(),
            // English falls back to Russian (the notice need not be written in English).
            Language::En => self.en.as_deref().or(self.ru.as_deref()),
        }
    }

    fn audio(&self, language: Language) -> Option<&str> {
        match language {
            Language::Kk => self.kk_audio_url.as_deref(),
            Language::Ru => self.ru_audio_url.as_deref(),
            Language::En if self.en.is_some() => self.en_audio_url.as_deref(),
            Language::En => self.ru_audio_url.as_deref(),
        }
    }

    /// What a citizen writing or calling in `language` is told now, if the service is
    /// interrupted: the administrators' words, the expected return while it is still ahead,
    /// then the other channels.
    pub fn words(
        &self,
        language: Language,
        other_channels: Option<&str>,
        now: DateTime<Utc>,
    ) -> Option<String> {
        if !self.active {
            return None;
        }
        let mut text = self.text(language)?.trim().to_owned();
        if let Some(at) = self.resumes_at.filter(|at| *at > now) {
            let at = crate::notice::local_time(at);
            text.push(' ');
            text.push_str(&match language {
                Language::Kk => format!("Қызмет шамамен {at} қалпына келеді."),
                Language::Ru => format!("Ожидаемое время возобновления: {at}."),
                Language::En => format!("Expected back at {at} (Astana time)."),
            });
        }
        crate::notice::push_other_channels(&mut text, other_channels);
        Some(text)
    }

    /// What a caller hears first: the recording in their language where there is one, else
    /// the words for the speech synthesiser.
    pub fn prompt(
        &self,
        language: Language,
        other_channels: Option<&str>,
        now: DateTime<Utc>,
    ) -> Option<Prompt> {
        let words = self.words(language, other_channels, now)?;
        Some(Prompt {
            text: Some(words),
            audio_url: self.audio(language).map(str::to_owned),
        })
    }

    /// The key that tells each appeal once per interruption.
    pub fn key(&self) -> Option<String> {
        self.since
            .filter(|_| self.active)
            .map(|s| format!("interruption:{}", s.timestamp_micros()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap_or_default()
    }

    fn on() -> ServiceNotice {
        ServiceNotice {
            active: true,
            kk: Some("Телефон желісі істемей тұр.".into()),
            ru: Some("Телефонная линия не работает.".into()),
            resumes_at: Some(at("2026-12-06T13:00:00Z")),
            since: Some(at("2026-12-06T10:00:00Z")),
            ..Default::default()
        }
    }

    #[test]
    fn words_name_the_return_in_local_time_until_it_passes() {
        let n = on();
        let now = at("2026-12-06T11:00:00Z");
        assert_eq!(
            n.words(Language::Kk, Some("Telegram: @gov_bot"), now)
                .as_deref(),
            Some("Телефон желісі істемей тұр. Қызмет шамамен 06.12.2026 18:00 қалпына келеді. Telegram: @gov_bot")
        );
        // English falls back to the Russian text.
        let en = n.words(Language::En, None, now).unwrap_or_default();
        assert!(en.starts_with("Телефонная линия"), "{en}");
        assert!(
            en.ends_with("Expected back at 06.12.2026 18:00 (Astana time)."),
            "{en}"
        );
        // Past the expected return the time is not said.
        assert_eq!(
            n.words(Language::Ru, None, at("2026-12-06T14:00:00Z"))
                .as_deref(),
            Some("Телефонная линия не работает.")
        );
        let off = ServiceNotice {
            active: false,
            ..on()
        };
        assert_eq!(off.words(Language::Kk, None, now), None);
        assert_eq!(off.key(), None);
        assert!(on().key().is_some_and(|k| k.starts_with("interruption:")));
    }

    #[test]
    fn an_active_notice_needs_both_state_languages_and_sound_recordings() {
        assert!(on().validate().is_ok());
        let mut n = on();
        n.ru = None;
        assert!(n.validate().is_err());
        let mut n = on();
        n.kk_audio_url = Some("javascript:alert(1)".into());
        assert!(n.validate().is_err());
        let mut n = on();
        n.kk_audio_url = Some("file:///var/lib/prompts/down-kk.wav".into());
        assert!(n.validate().is_ok());
        assert_eq!(
            n.prompt(Language::Kk, None, at("2026-12-06T11:00:00Z"))
                .and_then(|p| p.audio_url)
                .as_deref(),
            Some("file:///var/lib/prompts/down-kk.wav")
        );
        let mut n = on();
        n.kk = Some("  ".into());
        assert!(n.validate().is_err());
    }
}
