//! What the centre says on the phone in its own words, in the caller's language (Kazakh first,
//! Law on Languages art. 11): the operator hint of every menu, the place in the queue and the
//! expected wait on entering it, that waiting is free at intervals of at least a minute
//! (R12.1–2), the callback offer, the closed hours. The menus' own prompts are the centre's
//! data; these are the sentences every centre needs and no administrator should have to write.

use chrono::{DateTime, Utc};

use crate::Language;

/// Whole minutes, rounded up, at least one: "about 0 minutes" helps nobody.
fn minutes(secs: i64) -> i64 {
    ((secs.max(1) + 59) / 60).max(1)
}

/// Russian's three forms of a noun after a number.
fn ru_plural(n: i64, one: &'static str, few: &'static str, many: &'static str) -> &'static str {
    let (n10, n100) = (n % 10, n % 100);
    if n10 == 1 && n100 != 11 {
        one
    } else if (2..=4).contains(&n10) && !(12..=14).contains(&n100) {
        few
    } else {
        many
    }
}

/// The sentence every menu ends with: the operator is one key away (R12.3).
pub fn operator_hint(l: Language) -> &'static str {
    match l {
        Language::Kk => "Операторға қосылу үшін 0 басыңыз.",
        Language::Ru => "Чтобы соединиться с оператором, нажмите 0.",
        Language::En => "To speak to an operator, press 0.",
    }
}

pub fn greeting(l: Language) -> &'static str {
    match l {
        Language::Kk => "Сәлеметсіз бе! Байланыс орталығына қоңырау шалдыңыз.",
        Language::Ru => "Здравствуйте! Вы позвонили в контакт-центр.",
        Language::En => "Hello! You have reached the contact centre.",
    }
}

pub fn nothing_pressed(l: Language) -> &'static str {
    match l {
        Language::Kk => "Сіз ештеңе таңдамадыңыз.",
        Language::Ru => "Вы ничего не выбрали.",
        Language::En => "You did not choose anything.",
    }
}

pub fn not_understood(l: Language) -> &'static str {
    match l {
        Language::Kk => "Мұндай таңдау жоқ.",
        Language::Ru => "Такого варианта нет.",
        Language::En => "There is no such option.",
    }
}

pub fn connecting(l: Language) -> &'static str {
    match l {
        Language::Kk => "Операторға қосамыз.",
        Language::Ru => "Соединяем с оператором.",
        Language::En => "Connecting you to an operator.",
    }
}

/// Said when the operator passes the caller on (a transfer): they wait again for the next.
pub fn passed_on(l: Language) -> &'static str {
    match l {
        Language::Kk => "Сізді басқа маманға қосамыз, желіде күте тұрыңыз.",
        Language::Ru => "Переводим вас на другого специалиста, оставайтесь на линии.",
        Language::En => "We are passing you to another specialist; please stay on the line.",
    }
}

/// Said when the operator puts the caller on hold, and every minute while they wait there.
pub fn on_hold(l: Language) -> &'static str {
    match l {
        Language::Kk => "Оператор сізді күту режиміне қойды. Желіден шықпаңыз, ол жақында оралады.",
        Language::Ru => {
            "Оператор поставил вас на удержание. Оставайтесь на линии, он скоро вернётся."
        }
        Language::En => {
            "The operator has put you on hold. Please stay on the line; they will be back shortly."
        }
    }
}

/// Said on entering a queue that records its calls, before anyone answers (R33: the caller
/// knows before a word is recorded).
pub fn recorded(l: Language) -> &'static str {
    match l {
        Language::Kk => "Сапаны бақылау үшін сөйлесу жазылады.",
        Language::Ru => "В целях контроля качества разговор записывается.",
        Language::En => "This call is recorded for quality control.",
    }
}

fn expected(l: Language, estimate_secs: Option<i64>) -> String {
    match (l, estimate_secs) {
        (Language::Kk, Some(s)) => {
            format!("Күтудің болжамды уақыты — шамамен {} минут.", minutes(s))
        }
        (Language::Ru, Some(s)) => {
            let m = minutes(s);
            format!(
                "Ожидаемое время ожидания — около {m} {}.",
                ru_plural(m, "минуты", "минут", "минут")
            )
        }
        (Language::En, Some(s)) => {
            let m = minutes(s);
            format!(
                "The expected wait is about {m} minute{}.",
                if m == 1 { "" } else { "s" }
            )
        }
        (Language::Kk, None) => "Күту уақытын қазір болжау мүмкін емес.".into(),
        (Language::Ru, None) => "Время ожидания сейчас оценить нельзя.".into(),
        (Language::En, None) => "The wait cannot be estimated right now.".into(),
    }
}

/// On entering the queue (R12.1): the caller's place and the expected wait.
pub fn place_in_queue(l: Language, position: Option<u32>, estimate_secs: Option<i64>) -> String {
    let place = match (l, position) {
        (Language::Kk, Some(p)) => format!("Сіз кезекте {p}-орындасыз."),
        (Language::Ru, Some(p)) => format!("Ваш номер в очереди — {p}."),
        (Language::En, Some(p)) => format!("You are number {p} in the queue."),
        (Language::Kk, None) => "Сіз кезектесіз.".into(),
        (Language::Ru, None) => "Вы в очереди.".into(),
        (Language::En, None) => "You are in the queue.".into(),
    };
    format!("{place} {}", expected(l, estimate_secs))
}

/// At every later announcement (R12.2): waiting is free, and the new estimate.
pub fn still_waiting(l: Language, position: Option<u32>, estimate_secs: Option<i64>) -> String {
    let free = match l {
        Language::Kk => "Желіде күту тегін.",
        Language::Ru => "Ожидание на линии бесплатное.",
        Language::En => "Waiting on the line is free of charge.",
    };
    format!("{free} {}", place_in_queue(l, position, estimate_secs))
}

/// The key that leaves a callback request instead of waiting.
pub const CALLBACK_DIGIT: &str = "1";

pub fn callback_offer(l: Language) -> &'static str {
    match l {
        Language::Kk => "Кері қоңырауға өтінім қалдыру үшін 1 басыңыз.",
        Language::Ru => "Чтобы заказать обратный звонок, нажмите 1.",
        Language::En => "To have us call you back instead, press 1.",
    }
}

pub fn callback_taken(l: Language) -> &'static str {
    match l {
        Language::Kk => {
            "Өтініміңіз қабылданды. Оператор сізге жұмыс уақытында қоңырау шалады. Сау болыңыз."
        }
        Language::Ru => "Заявка принята. Оператор перезвонит вам в рабочее время. До свидания.",
        Language::En => {
            "Your request is taken. An operator will call you back during working hours. Goodbye."
        }
    }
}

/// Out of hours or on a holiday: when operators answer again, and the callback offer.
pub fn closed(l: Language, next_opening: Option<DateTime<Utc>>) -> String {
    let when = next_opening.map(|t| {
        t.with_timezone(&crate::TZ)
            .format("%d.%m.%Y %H:%M")
            .to_string()
    });
    match (l, when) {
        (Language::Kk, Some(w)) => {
            format!("Қазір жұмыс уақыты емес. Операторлар {w} бастап жауап береді.")
        }
        (Language::Ru, Some(w)) => format!("Сейчас нерабочее время. Операторы ответят с {w}."),
        (Language::En, Some(w)) => format!("We are closed now. Operators answer again from {w}."),
        (Language::Kk, None) => "Қазір жұмыс уақыты емес.".into(),
        (Language::Ru, None) => "Сейчас нерабочее время.".into(),
        (Language::En, None) => "We are closed now.".into(),
    }
}

pub fn goodbye(l: Language) -> &'static str {
    match l {
        Language::Kk => "Қоңырауыңызға рахмет. Сау болыңыз.",
        Language::Ru => "Спасибо за звонок. До свидания.",
        Language::En => "Thank you for calling. Goodbye.",
    }
}

/// The operator's phone did not answer: back in line.
pub fn back_in_line(l: Language) -> &'static str {
    match l {
        Language::Kk => "Оператор жауап бермеді, сіз кезекке қайта оралдыңыз.",
        Language::Ru => "Оператор не ответил, вы снова в очереди.",
        Language::En => "The operator did not answer; you are back in the queue.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_is_said_in_whole_minutes_in_each_language() {
        assert_eq!(
            place_in_queue(Language::Kk, Some(3), Some(130)),
            "Сіз кезекте 3-орындасыз. Күтудің болжамды уақыты — шамамен 3 минут."
        );
        assert_eq!(
            place_in_queue(Language::Ru, Some(2), Some(59)),
            "Ваш номер в очереди — 2. Ожидаемое время ожидания — около 1 минуты."
        );
        assert!(place_in_queue(Language::Ru, Some(1), Some(300)).ends_with("около 5 минут."));
        assert!(still_waiting(Language::Kk, None, None).starts_with("Желіде күту тегін."));
        assert!(place_in_queue(Language::En, Some(1), Some(0)).contains("about 1 minute."));
    }
}
