//! Citizen-facing texts the router sends by itself, in the appeal's language (Law on Languages
//! art. 11; DESIGN principle 7). Out of hours the client is told the hours, when operators are
//! back and the other ways to reach the centre (R12.3).

use chrono::{DateTime, Utc};

use crate::{Language, WeeklyHours, TZ};

/// What the out-of-hours reply says about the other ways to reach the centre, per language
/// (e.g. the Telegram bot, the e-mail address, the eGov portal). Admins edit it.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OutOfHoursSettings {
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 1000))]
    pub other_channels_kk: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 1000))]
    pub other_channels_ru: Option<String>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_length = 1000))]
    pub other_channels_en: Option<String>,
}

impl OutOfHoursSettings {
    pub fn other_channels(&self, lang: Language) -> Option<&str> {
        match lang {
            Language::Kk => self.other_channels_kk.as_deref(),
            Language::Ru => self.other_channels_ru.as_deref(),
            Language::En => self.other_channels_en.as_deref(),
        }
    }

    /// Each text at most 1,000 characters.
    pub fn validate(&self) -> Result<(), crate::DomainError> {
        for t in [
            &self.other_channels_kk,
            &self.other_channels_ru,
            &self.other_channels_en,
        ]
        .into_iter()
        .flatten()
        {
            if t.chars().count() > 1000 {
                return Err(crate::DomainError::InvalidField {
                    field: "other_channels",
                    reason: "at most 1000 characters per language".into(),
                });
            }
        }
        Ok(())
    }
}

const DAYS: [[&str; 7]; 3] = [
    ["Дс", "Сс", "Ср", "Бс", "Жм", "Сб", "Жс"],
    ["Пн", "Вт", "Ср", "Чт", "Пт", "Сб", "Вс"],
    ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
];

fn lang_index(l: Language) -> usize {
    match l {
        Language::Kk => 0,
        Language::Ru => 1,
        Language::En => 2,
    }
}

/// "Пн–Пт 09:00–13:00, 14:00–18:00; Сб 10:00–14:00": consecutive days with the same ranges
/// are joined.
pub fn describe_hours(hours: &WeeklyHours, lang: Language) -> String {
    let names = DAYS[lang_index(lang)];
    let ranges = |i: usize| {
        hours.days[i]
            .iter()
            .map(|iv| {
                let end = if iv.end == chrono::NaiveTime::MIN {
                    "24:00".to_owned()
                } else {
                    iv.end.format("%H:%M").to_string()
                };
                format!("{}–{}", iv.start.format("%H:%M"), end)
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut parts = Vec::new();
    let mut i = 0;
    while i < 7 {
        let r = ranges(i);
        let mut j = i;
        while j + 1 < 7 && ranges(j + 1) == r {
            j += 1;
        }
        if !r.is_empty() {
            let days = if i == j {
                names[i].to_owned()
            } else {
                format!("{}–{}", names[i], names[j])
            };
            parts.push(format!("{days} {r}"));
        }
        i = j + 1;
    }
    parts.join("; ")
}

/// An instant as citizens read it: the local date and time (Astana), `06.12.2026 18:00`.
pub fn local_time(at: DateTime<Utc>) -> String {
    at.with_timezone(&TZ).format("%d.%m.%Y %H:%M").to_string()
}

/// Appends the administrators' words about the other ways to reach the centre, if any.
pub fn push_other_channels(text: &mut String, other_channels: Option<&str>) {
    if let Some(other) = other_channels.map(str::trim).filter(|o| !o.is_empty()) {
        text.push(' ');
        text.push_str(other);
    }
}

/// The automatic out-of-hours reply.
pub fn out_of_hours(
    lang: Language,
    hours: &WeeklyHours,
    next_opening: Option<DateTime<Utc>>,
    other_channels: Option<&str>,
) -> String {
    let schedule = describe_hours(hours, lang);
    let next = next_opening.map(local_time);
    let mut text = match lang {
        Language::Kk => format!(
            "Сәлеметсіз бе! Байланыс орталығы қазір жұмыс істемейді. Жұмыс уақыты: {schedule}."
        ),
        Language::Ru => {
            format!("Здравствуйте! Контакт-центр сейчас не работает. Часы работы: {schedule}.")
        }
        Language::En => {
            format!("Hello! The contact centre is closed now. Working hours: {schedule}.")
        }
    };
    if let Some(n) = next {
        text.push(' ');
        text.push_str(&match lang {
            Language::Kk => format!("Өтінішіңіз сақталды, оператор {n} бастап жауап береді."),
            Language::Ru => format!("Ваше обращение сохранено, оператор ответит с {n}."),
            Language::En => format!("Your message is saved; an operator will answer from {n}."),
        });
    }
    push_other_channels(&mut text, other_channels);
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Interval;
    use chrono::NaiveTime;

    fn t(h: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, 0, 0).unwrap_or_default()
    }

    #[test]
    fn hours_are_described_per_language() {
        let mut h = WeeklyHours::default();
        h.days[5] = vec![Interval {
            start: t(10),
            end: t(14),
        }];
        assert_eq!(
            describe_hours(&h, Language::Ru),
            "Пн–Пт 09:00–18:00; Сб 10:00–14:00"
        );
        assert_eq!(
            describe_hours(&h, Language::Kk),
            "Дс–Жм 09:00–18:00; Сб 10:00–14:00"
        );
        assert_eq!(
            describe_hours(&WeeklyHours::always(), Language::En),
            "Mon–Sun 00:00–24:00"
        );
    }

    #[test]
    fn reply_names_the_next_opening_and_other_channels() {
        let next = DateTime::parse_from_rfc3339("2026-06-08T04:00:00Z")
            .map(|x| x.with_timezone(&Utc))
            .ok();
        let text = out_of_hours(
            Language::Kk,
            &WeeklyHours::default(),
            next,
            Some("Телеграм: @gov_bot"),
        );
        assert!(text.starts_with("Сәлеметсіз бе!"), "{text}");
        assert!(text.contains("Дс–Жм 09:00–18:00"), "{text}");
        assert!(text.contains("08.06.2026 09:00"), "{text}");
        assert!(text.ends_with("Телеграм: @gov_bot"), "{text}");
        let ru = out_of_hours(Language::Ru, &WeeklyHours::default(), None, None);
        assert_eq!(
            ru,
            "Здравствуйте! Контакт-центр сейчас не работает. Часы работы: Пн–Пт 09:00–18:00."
        );
    }
}

/// The queue status a waiting client is told on entering the queue and at least every minute
/// after (R12.1: the wait; R12.2: that waiting is free).
pub fn queue_status(
    lang: Language,
    position: Option<u32>,
    estimated_wait_secs: Option<i64>,
) -> String {
    let minutes = estimated_wait_secs.map(|s| (s + 59) / 60).map(|m| m.max(1));
    let mut parts: Vec<String> = Vec::new();
    match (lang, position) {
        (Language::Kk, Some(p)) => parts.push(format!("Сіз кезекте {p}-орындасыз.")),
        (Language::Ru, Some(p)) => parts.push(format!("Вы {p}-й в очереди.")),
        (Language::En, Some(p)) => parts.push(format!("You are number {p} in the queue.")),
        (Language::Kk, None) => parts.push("Сіз кезектесіз.".into()),
        (Language::Ru, None) => parts.push("Вы в очереди.".into()),
        (Language::En, None) => parts.push("You are in the queue.".into()),
    }
    if let Some(m) = minutes {
        parts.push(match lang {
            Language::Kk => format!("Болжалды күту уақыты: {m} мин."),
            Language::Ru => format!("Ориентировочное ожидание: {m} мин."),
            Language::En => format!("Estimated wait: {m} min."),
        });
    }
    parts.push(
        match lang {
            Language::Kk => "Күту тегін.",
            Language::Ru => "Ожидание бесплатное.",
            Language::En => "Waiting is free of charge.",
        }
        .into(),
    );
    parts.join(" ")
}

#[cfg(test)]
mod queue_tests {
    use super::*;

    #[test]
    fn queue_status_in_three_languages() {
        assert_eq!(
            queue_status(Language::Kk, Some(3), Some(125)),
            "Сіз кезекте 3-орындасыз. Болжалды күту уақыты: 3 мин. Күту тегін."
        );
        assert_eq!(
            queue_status(Language::Ru, Some(1), None),
            "Вы 1-й в очереди. Ожидание бесплатное."
        );
        assert_eq!(
            queue_status(Language::En, None, Some(20)),
            "You are in the queue. Estimated wait: 1 min. Waiting is free of charge."
        );
    }
}

/// What the client is told when an operator takes the conversation. Only the operator's
/// display name is given, never a login or a full record.
pub fn assignment(lang: Language, operator: &str) -> String {
    match lang {
        Language::Kk => format!("Сізге оператор {operator} жауап береді."),
        Language::Ru => format!("Вам отвечает оператор {operator}."),
        Language::En => format!("Operator {operator} has joined the conversation."),
    }
}

/// What the client is told on a transfer (R18: the contact moves, the client is not dropped).
pub fn transfer(lang: Language, to_supervisor: bool) -> String {
    match (lang, to_supervisor) {
        (Language::Kk, false) => "Сіздің өтінішіңіз басқа маманға берілді. Күте тұрыңыз.".into(),
        (Language::Kk, true) => "Сіздің өтінішіңіз аға маманға берілді. Күте тұрыңыз.".into(),
        (Language::Ru, false) => {
            "Ваше обращение передано другому специалисту. Пожалуйста, подождите.".into()
        }
        (Language::Ru, true) => {
            "Ваше обращение передано старшему специалисту. Пожалуйста, подождите.".into()
        }
        (Language::En, false) => {
            "Your appeal has been passed to another specialist. Please wait.".into()
        }
        (Language::En, true) => {
            "Your appeal has been passed to a senior specialist. Please wait.".into()
        }
    }
}

/// The published "how to complain" procedure (R8), in Kazakh and Russian; admins edit it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ComplaintProcedure {
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 5000))]
    pub text_kk: String,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 5000))]
    pub text_ru: String,
}

impl Default for ComplaintProcedure {
    fn default() -> Self {
        ComplaintProcedure {
            text_kk: "Байланыс орталығының немесе оның операторының жұмысына шағымды кез келген \
                      арна арқылы беруге болады: веб-чатта, электрондық поштамен, Telegram-да немесе \
                      телефонмен. Шағым санаты бойынша тіркеліп, нөмір беріледі. Оны супервизор \
                      міндетті түрде қарайды, қажет болса аға маманға жібереді. Шағым 10 жұмыс күні \
                      ішінде қаралып, нәтижесі сіз жүгінген арна арқылы хабарланады."
                .into(),
            text_ru: "Жалобу на работу контакт-центра или его оператора можно подать по любому \
                      каналу: в веб-чате, по электронной почте, в Telegram или по телефону. Жалоба \
                      регистрируется с категорией и получает номер. Её обязательно рассматривает \
                      супервизор, при необходимости передаёт старшему специалисту. Жалоба \
                      рассматривается в течение 10 рабочих дней, о результате сообщается по тому же \
                      каналу, по которому вы обратились."
                .into(),
        }
    }
}

impl ComplaintProcedure {
    /// Each text present and at most 5,000 characters.
    pub fn validate(&self) -> Result<(), crate::DomainError> {
        for (field, t) in [("text_kk", &self.text_kk), ("text_ru", &self.text_ru)] {
            let n = t.trim().chars().count();
            if n == 0 || n > 5000 {
                return Err(crate::DomainError::InvalidField {
                    field,
                    reason: "1 to 5000 characters".into(),
                });
            }
        }
        Ok(())
    }
}
