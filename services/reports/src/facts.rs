//! What the configuration says for the БОҚБЕ report's rows 6–12, 21, 22 and 27 (R36): read from
//! the store as it is when the report is drawn, never typed in by hand.

use baylanys_domain::notice::describe_hours;
use baylanys_domain::{Channel, DeliveryMethod, Language, Role, WeeklyHours};
use baylanys_store::{Store, StoreResult};
use chrono::{DateTime, Utc};

use crate::boqbe::Facts;
use crate::Kpis;

/// The facts at the end of the period `to`, with the channels the period's appeals came by.
pub async fn facts(store: &dyn Store, kpis: &Kpis, to: DateTime<Utc>) -> StoreResult<Facts> {
    let queues: Vec<_> = store
        .list_queues()
        .await?
        .into_iter()
        .filter(|q| q.active)
        .collect();
    // The hours of the main (first active) queue stand for the centre's; the default queue is
    // created first on every install.
    let hours = queues
        .first()
        .map(|q| q.hours.clone().unwrap_or_default())
        .unwrap_or_default();
    let weekends = queues.iter().any(|q| {
        let h = q.hours.clone().unwrap_or_default();
        !h.days[5].is_empty() || !h.days[6].is_empty()
    });
    let topics = store
        .list_topics()
        .await?
        .into_iter()
        .filter(|t| t.active)
        .map(|t| (t.name_kk, t.name_ru))
        .collect();
    let staff = store.list_staff().await?;
    let centre: Vec<_> = staff
        .iter()
        .filter(|s| s.active && s.role != Role::BodyOfficer && s.created_at < to)
        .collect();
    let operators = centre.iter().filter(|s| s.role == Role::Operator).count();
    let second_line = store.router_settings().await?.escalation_queue_id.is_some()
        || centre.iter().any(|s| s.role == Role::Supervisor);
    let mut channels: Vec<Channel> = kpis
        .appeals_by_channel
        .keys()
        .filter_map(|c| c.parse().ok())
        .collect();
    // The web chat is always offered, whether or not it was used. A mailbox or a bot the
    // centre runs offers its channel; a Telegram bot is named only while one is active (appeals
    // staff recorded as Telegram's without a bot do not make one).
    if !channels.contains(&Channel::WebChat) {
        channels.insert(0, Channel::WebChat);
    }
    let bot_active = store.list_bots().await?.iter().any(|b| b.enabled);
    channels.retain(|c| *c != Channel::Telegram || bot_active);
    if bot_active && !channels.contains(&Channel::Telegram) {
        channels.push(Channel::Telegram);
    }
    if store.list_mailboxes().await?.iter().any(|m| m.enabled)
        && !channels.contains(&Channel::Email)
    {
        channels.push(Channel::Email);
    }
    let integrations = store
        .list_bodies()
        .await?
        .into_iter()
        .filter(|b| b.active && b.delivery_method == DeliveryMethod::Webhook)
        .map(|b| (b.name_kk, b.name_ru))
        .collect();
    let software = vec![(
        "Baylanys: омниарналы өтініштерді өңдеу, маршруттау, веб-чат, хабарламалар, есептер"
            .to_owned(),
        "Baylanys: омниканальная обработка обращений, маршрутизация, веб-чат, уведомления, отчёты"
            .to_owned(),
    )];
    Ok(Facts {
        hours_kk: hours_text(&hours, Language::Kk),
        hours_ru: hours_text(&hours, Language::Ru),
        weekends_and_holidays: weekends,
        topics,
        second_line,
        channels,
        staff: u32::try_from(centre.len()).unwrap_or(u32::MAX),
        operators: u32::try_from(operators).unwrap_or(u32::MAX),
        software,
        integrations,
        knowledge_articles: store.served_article_count(to).await?,
    })
}

fn hours_text(h: &WeeklyHours, lang: Language) -> String {
    let all_day = WeeklyHours::always();
    if *h == all_day {
        return "24/7".into();
    }
    describe_hours(h, lang)
}
