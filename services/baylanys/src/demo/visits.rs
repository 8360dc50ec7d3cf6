//! One visit, from arrival to its end, through the same doors real traffic uses:
//!
//! - **web chat**: the citizen's socket (hello, message, the operator's replies over
//!   `POST /appeals/{id}/messages`, the close, the survey answered with a `rate` frame);
//! - **voice**: the voice menu registers the call with its contact in the menu
//!   (`POST /appeals` with `contact: menu`) and puts it in the queue when the caller has chosen
//!   (`POST /interactions/{id}/enqueue`); an operator accepts the router's offer, talks, the
//!   caller hangs up and the operator wraps up and ends it; or the caller hangs up in the queue
//!   and the supervisor records the abandonment;
//! - **e-mail and in person**: registered by an operator, who answers, redirects, extends or
//!   registers a complaint, and ends the contact.
//!
//! What follows the desk happens here too: the ministry's officer accepts and answers a
//! redirected appeal, the supervisor reviews and decides a complaint (the verbs are in
//! [`super::steps`]).

use std::sync::Arc;
use std::time::{Duration, Instant};

use baylanys_domain::{AppealKind, Author, Channel, ComplaintCategory, Language};
use baylanys_proto::ws::{ChatClientFrame, ChatServerFrame, CHAT_PROTOCOL_VERSION};
use baylanys_proto::{
    AddMessage, AppealDetail, AppealView, CreateAppeal, FirstContact, InteractionView,
    RegisterComplaint,
};
use rand::rngs::StdRng;
use rand::Rng;
use serde::de::IgnoredAny;
use uuid::Uuid;

use super::api::{Empty, Refused, Result};
use super::chat::ChatSocket;
use super::content as say;
use super::desk;
use super::plan::{Citizen, Fate, Visit};
use super::setup::Topic;
use super::stats::add;
use super::steps::{
    abandon_waiting, answer, body_answers, client_for, decide, end, extend, finish, hang_up,
    message, own_contact, pause, redirect,
};
use super::Stage;

/// How long a chat visitor waits for an operator before leaving.
const CHAT_PATIENCE: Duration = Duration::from_secs(60);
/// How long a caller who means to be answered holds the line.
const CALL_PATIENCE: Duration = Duration::from_secs(45);

/// Plays visit `v` and prints one line with how it ended.
pub async fn play(stage: Arc<Stage>, v: Visit) {
    let Some(citizen) = stage.plan.citizens.get(v.citizen) else {
        return;
    };
    let Some(topic) = stage.cast.topics.get(v.topic) else {
        return;
    };
    stage.stats.contact(v.channel);
    if v.repeat_of.is_some() {
        add(&stage.stats.repeats);
    }
    let mut rng = v.rng();
    let result = match v.channel {
        Channel::WebChat => chat(&stage, &v, citizen, topic, &mut rng).await,
        Channel::Voice => call(&stage, &v, citizen, topic, &mut rng).await,
        _ => registered(&stage, &v, citizen, topic, &mut rng).await,
    };
    let outcome = match result {
        Ok(o) => o,
        Err(e) => {
            stage
                .stats
                .refused(&format!("visit {} ({}): {e}", v.n, v.channel.as_str()));
            "stopped: the server refused a step".to_owned()
        }
    };
    let t = stage.started.elapsed().as_secs();
    println!(
        "{:>3}:{:02}  {:<9} {:<20} {:<2} {:<22} {outcome}",
        t / 60,
        t % 60,
        label(v.channel),
        citizen.name,
        citizen.language.as_str(),
        topic.spec.name_en,
    );
}

fn label(c: Channel) -> &'static str {
    match c {
        Channel::WebChat => "web chat",
        Channel::Voice => "voice",
        Channel::Email => "e-mail",
        Channel::Telegram => "telegram",
        Channel::InPerson => "in person",
    }
}

fn first_name(c: &Citizen) -> &str {
    c.name.split_whitespace().next().unwrap_or(&c.name)
}

async fn chat(
    stage: &Stage,
    v: &Visit,
    c: &Citizen,
    topic: &Topic,
    rng: &mut StdRng,
) -> Result<String> {
    let lang = c.language;
    // One address per citizen (documentation range), as if each wrote from home.
    let address = format!("198.51.100.{}", 1 + v.citizen % 250);
    let mut s = ChatSocket::connect(stage.api.base(), &address).await?;
    s.send(&ChatClientFrame::Hello {
        v: CHAT_PROTOCOL_VERSION,
        token: None,
        last_seq: None,
        language: Some(lang),
        name: Some(c.name.clone()),
        phone: None,
        email: Some(c.email.clone()),
        iin: c.iin.clone(),
        topic_id: Some(topic.id),
    })
    .await?;
    s.until("welcome", Duration::from_secs(10), |f| match f {
        ChatServerFrame::Welcome { .. } => Some(Ok(())),
        ChatServerFrame::Error { code, message } => Some(Err(Refused::new(format!(
            "/ws/chat hello: {code}: {message}"
        )))),
        _ => None,
    })
    .await??;
    // The appeal begins with the first message; the welcome after its ack names it.
    s.say(topic.spec.question.get(lang)).await?;
    let (appeal, number) = s
        .until("welcome", Duration::from_secs(10), |f| match f {
            ChatServerFrame::Welcome {
                appeal_id: Some(appeal_id),
                number: Some(number),
                ..
            } => Some((appeal_id, number)),
            _ => None,
        })
        .await?;
    let rx = stage.desk.expect(appeal, true);
    let Some(taken) = desk::wait(&stage.desk, appeal, rx, CHAT_PATIENCE).await else {
        abandon_waiting(stage, appeal).await?;
        s.close().await;
        return Ok(format!("{number}: left unanswered after a minute"));
    };
    let op = stage.operator(taken.operator);
    stage.remember(v.n, appeal, Some(op.id()));
    let conversation = async {
        pause(rng, 600..1500).await;
        message(op, appeal, &say::greeting(lang, first_name(c), op.name())).await?;
        pause(rng, 800..2000).await;
        s.say(say::THANKS_WAITING.get(lang)).await?;
        pause(rng, 1500..3500).await;
        let outcome = match v.fate {
            Fate::Redirected => {
                message(op, appeal, say::REDIRECTING.get(lang)).await?;
                let body = redirect(stage, op, appeal, topic, lang).await?;
                end(op, taken.interaction).await?;
                let answered = body_answers(stage, appeal, body, topic, lang, rng).await?;
                format!(
                    "{number}: redirected by {}{}",
                    op.login(),
                    if answered {
                        ", answered by the ministry"
                    } else {
                        ""
                    }
                )
            }
            Fate::Extended => {
                message(op, appeal, say::EXTENDING.get(lang)).await?;
                let date = extend(stage, op, appeal, lang).await?;
                end(op, taken.interaction).await?;
                format!("{number}: extended by {} to {date}", op.login())
            }
            _ => {
                message(op, appeal, topic.spec.answer.get(lang)).await?;
                pause(rng, 500..1200).await;
                message(op, appeal, say::GOODBYE.get(lang)).await?;
                answer(op, appeal, topic.spec.answer.get(lang)).await?;
                end(op, taken.interaction).await?;
                add(&stage.stats.chats_answered);
                format!("{number}: answered by {}", op.login())
            }
        };
        let rated = match (v.fate, v.rating) {
            (Fate::Answered | Fate::Redirected, Some(score)) => {
                rate(stage, &mut s, score, lang).await?
            }
            _ => String::new(),
        };
        Ok::<_, Refused>(format!("{outcome}{rated}"))
    }
    .await;
    if conversation.is_err() {
        // Whatever was refused, the operator's line is freed.
        let _ = end(op, taken.interaction).await;
    }
    s.close().await;
    conversation
}

/// Answers the survey once it is asked (after the answer, R5.7).
async fn rate(stage: &Stage, s: &mut ChatSocket, score: u8, lang: Language) -> Result<String> {
    s.until("survey", Duration::from_secs(30), |f| {
        matches!(f, ChatServerFrame::Survey { .. }).then_some(())
    })
    .await?;
    s.send(&ChatClientFrame::Rate {
        score,
        comment: say::survey_comment(score).map(|b| b.get(lang).to_owned()),
    })
    .await?;
    s.until("rated", Duration::from_secs(10), |f| match f {
        ChatServerFrame::Rated { .. } => Some(Ok(())),
        ChatServerFrame::Error { code, message } => Some(Err(Refused::new(format!(
            "/ws/chat rate: {code}: {message}"
        )))),
        _ => None,
    })
    .await??;
    stage.stats.survey(score);
    Ok(format!(", rated {score}"))
}

async fn call(
    stage: &Stage,
    v: &Visit,
    c: &Citizen,
    topic: &Topic,
    rng: &mut StdRng,
) -> Result<String> {
    let lang = c.language;
    let ivr = &stage.cast.admin;
    let client = client_for(ivr, c).await?;
    // The voice menu registers the call (the caller chose the topic and the language): its one
    // contact is in the menu…
    let appeal: AppealView = ivr
        .post(
            "/api/v1/appeals",
            &CreateAppeal {
                client_id: client,
                kind: AppealKind::Request,
                channel: Channel::Voice,
                language: Some(lang),
                topic_id: Some(topic.id),
                queue_id: None,
                priority: None,
                subject: None,
                text: None,
                // The telephony's call id: new for every call, whatever the seed.
                external_id: Some(format!("CA{}", Uuid::new_v4().simple())),
                contact: Some(FirstContact::Menu),
            },
        )
        .await?;
    stage.remember(v.n, appeal.id, None);
    let patience = match v.fate {
        Fate::Lost { patience } => Some(patience),
        _ => None,
    };
    let rx = stage.desk.expect(appeal.id, patience.is_none());
    // …and enters the queue the routing table chose when the caller leaves the menu.
    let enqueued = async {
        let d: AppealDetail = ivr.get(&format!("/api/v1/appeals/{}", appeal.id)).await?;
        let call = d
            .interactions
            .first()
            .map(|i| i.id)
            .ok_or_else(|| Refused::new("the registered call has no contact"))?;
        ivr.post::<InteractionView, _>(&format!("/api/v1/interactions/{call}/enqueue"), &Empty {})
            .await
    }
    .await;
    let contact = match enqueued {
        Ok(i) => i,
        Err(e) => {
            stage.desk.forget(appeal.id);
            return Err(e);
        }
    };
    let queued = Instant::now();
    let number = &appeal.number;
    let waited = desk::wait(
        &stage.desk,
        appeal.id,
        rx,
        patience.unwrap_or(CALL_PATIENCE),
    )
    .await;
    let Some(taken) = waited else {
        // The caller hung up; in production the telephony reports it, here the supervisor.
        let path = format!("/api/v1/interactions/{}/abandon", contact.id);
        stage
            .cast
            .supervisor
            .post::<InteractionView, _>(&path, &Empty {})
            .await?;
        let secs = queued.elapsed().as_secs_f64();
        add(&stage.stats.calls_lost);
        if secs < 1.0 {
            add(&stage.stats.calls_hung_up);
        }
        return Ok(format!("{number}: hung up after {secs:.1} s in the queue"));
    };
    add(&stage.stats.calls_answered);
    let waited = queued.elapsed().as_secs_f64();
    let op = stage.operator(taken.operator);
    stage.remember(v.n, appeal.id, Some(op.id()));
    let talk = async {
        // The operator notes what the caller asks, talks, and acts.
        op.post::<IgnoredAny, _>(
            &format!("/api/v1/appeals/{}/messages", appeal.id),
            &AddMessage {
                body: topic.spec.question.get(lang).to_owned(),
                author: Some(Author::Client),
                channel: Some(Channel::Voice),
                external_id: None,
            },
        )
        .await?;
        pause(rng, 2500..7000).await;
        if v.fate == Fate::Redirected {
            let body = redirect(stage, op, appeal.id, topic, lang).await?;
            hang_up(op, taken.interaction).await?;
            let answered = body_answers(stage, appeal.id, body, topic, lang, rng).await?;
            return Ok(format!(
                "{number}: taken by {} after {waited:.1} s, redirected{}",
                op.login(),
                if answered {
                    ", answered by the ministry"
                } else {
                    ""
                }
            ));
        }
        answer(op, appeal.id, topic.spec.answer.get(lang)).await?;
        hang_up(op, taken.interaction).await?;
        Ok::<_, Refused>(format!(
            "{number}: answered by {} after {waited:.1} s",
            op.login()
        ))
    }
    .await;
    if talk.is_err() {
        let _ = end(op, taken.interaction).await;
    }
    talk
}

/// An e-mail or a visit, registered by an operator.
async fn registered(
    stage: &Stage,
    v: &Visit,
    c: &Citizen,
    topic: &Topic,
    rng: &mut StdRng,
) -> Result<String> {
    let lang = c.language;
    let op = stage.clerk(v.n);
    let client = client_for(op, c).await?;
    let email = v.channel == Channel::Email;
    let text = match v.fate {
        Fate::Complaint { category, .. } => say::complaint_text(category),
        _ => topic.spec.question,
    };
    let appeal: AppealView = op
        .post(
            "/api/v1/appeals",
            &CreateAppeal {
                client_id: client,
                kind: if email && rng.gen_bool(0.3) {
                    AppealKind::Application
                } else {
                    AppealKind::Request
                },
                channel: v.channel,
                language: Some(lang),
                topic_id: Some(topic.id),
                queue_id: None,
                priority: None,
                subject: email.then(|| {
                    format!(
                        "{}: {}",
                        say::EMAIL_SUBJECT.get(lang),
                        topic.spec.name.get(lang)
                    )
                }),
                text: Some(text.get(lang).to_owned()),
                // The letter's Message-ID (a resent letter is recognised, not registered twice):
                // new for every letter, whatever the seed.
                external_id: email.then(|| format!("<{}@mail.example.com>", Uuid::new_v4())),
                // The operator registering the letter or the visitor handles it from now.
                contact: Some(FirstContact::Answered),
            },
        )
        .await?;
    stage.remember(v.n, appeal.id, Some(op.id()));
    let number = &appeal.number;
    let mine = own_contact(op, appeal.id).await?;
    pause(rng, 1500..4000).await;
    // At the desk: the operator acts, then ends the contact.
    let work = async {
        let outcome = match v.fate {
            Fate::Redirected => {
                let body = redirect(stage, op, appeal.id, topic, lang).await?;
                finish(op, mine).await?;
                let answered = body_answers(stage, appeal.id, body, topic, lang, rng).await?;
                format!(
                    "{number}: redirected by {}{}",
                    op.login(),
                    if answered {
                        ", answered by the ministry"
                    } else {
                        ""
                    }
                )
            }
            Fate::Extended => {
                let date = extend(stage, op, appeal.id, lang).await?;
                finish(op, mine).await?;
                format!("{number}: extended by {} to {date}", op.login())
            }
            Fate::Complaint {
                category,
                confirmed,
            } => {
                let earlier = v.repeat_of.and_then(|r| stage.recall(r));
                let about_operator = earlier
                    .and_then(|(_, o)| o)
                    .filter(|_| category == ComplaintCategory::OperatorConduct);
                op.post::<IgnoredAny, _>(
                    &format!("/api/v1/appeals/{}/complaint", appeal.id),
                    &RegisterComplaint {
                        category,
                        about_operator_id: about_operator,
                        about_appeal_id: earlier.map(|(a, _)| a),
                    },
                )
                .await?;
                add(&stage.stats.complaints);
                finish(op, mine).await?;
                decide(stage, appeal.id, lang, confirmed, rng).await?;
                format!(
                    "{number}: complaint ({}) registered by {}, {} by the supervisor",
                    category.as_str(),
                    op.login(),
                    if confirmed {
                        "confirmed"
                    } else {
                        "not confirmed"
                    }
                )
            }
            _ => {
                if email {
                    message(op, appeal.id, topic.spec.answer.get(lang)).await?;
                }
                answer(op, appeal.id, topic.spec.answer.get(lang)).await?;
                finish(op, mine).await?;
                format!("{number}: answered by {}", op.login())
            }
        };
        Ok::<_, Refused>(outcome)
    }
    .await;
    let mut outcome = match work {
        Ok(o) => o,
        Err(e) => {
            let _ = finish(op, mine).await;
            return Err(e);
        }
    };
    if v.repeat_of.is_some() {
        outcome += " (repeat contact)";
    }
    Ok(outcome)
}
