//! The staff's verbs the visits share, each one call of the public API as the console makes
//! it: finding the client, replying, answering, ending a contact, redirecting to a ministry and
//! the ministry's answer, extending a term, deciding a complaint.

use std::time::Duration;

use baylanys_domain::{deadline, AppealStatus, Channel, InteractionState, Language};
use baylanys_proto::{
    AddMessage, AppealDetail, BodyView, ChangeStatus, ClientList, ClientView, CreateClient,
    DecideComplaint, ExtendDeadline, IdentityDto, RedirectAppeal, ReviewComplaint,
};
use rand::rngs::StdRng;
use rand::Rng;
use reqwest::StatusCode;
use serde::de::IgnoredAny;
use uuid::Uuid;

use super::api::{Empty, Refused, Result, Session};
use super::content::{self as say, Both};
use super::plan::Citizen;
use super::setup::Topic;
use super::stats::add;
use super::Stage;

pub async fn pause(rng: &mut StdRng, ms: std::ops::Range<u64>) {
    tokio::time::sleep(Duration::from_millis(rng.gen_range(ms))).await;
}

/// The client a staff member registers: found by IIN or e-mail, as staff look them up, else
/// created. A second run with the same seed finds the clients of the first.
pub async fn client_for(s: &Session, c: &Citizen) -> Result<Uuid> {
    for attempt in 0..2 {
        if let Some(iin) = &c.iin {
            let found: ClientList = s.get_query("/api/v1/clients", &[("iin", iin)]).await?;
            if let Some(x) = found.items.first() {
                return Ok(x.id);
            }
        }
        let found: ClientList = s
            .get_query(
                "/api/v1/clients",
                &[("channel", "email"), ("address", &c.email)],
            )
            .await?;
        if let Some(x) = found.items.first() {
            return Ok(x.id);
        }
        let created = s
            .post::<ClientView, _>(
                "/api/v1/clients",
                &CreateClient {
                    name: Some(c.name.clone()),
                    iin: c.iin.clone(),
                    language: Some(c.language),
                    identities: vec![IdentityDto {
                        channel: Channel::Email,
                        address: c.email.clone(),
                    }],
                    ..CreateClient::default()
                },
            )
            .await;
        match created {
            Ok(x) => return Ok(x.id),
            // Registered meanwhile by another visit of the same person: look again.
            Err(e) if e.is(StatusCode::CONFLICT) && attempt == 0 => {}
            Err(e) => return Err(e),
        }
    }
    Err(Refused::new("client registered twice at once"))
}

/// The contact the staff member holds on an appeal they registered.
pub async fn own_contact(s: &Session, appeal: Uuid) -> Result<Option<Uuid>> {
    let d: AppealDetail = s.get(&format!("/api/v1/appeals/{appeal}")).await?;
    Ok(d.interactions
        .iter()
        .find(|i| i.operator_id == Some(s.id()) && i.state == InteractionState::Answered)
        .map(|i| i.id))
}

/// A chat visitor who gave up: the supervisor records the waiting contact as abandoned.
pub async fn abandon_waiting(stage: &Stage, appeal: Uuid) -> Result<()> {
    let sup = &stage.cast.supervisor;
    let d: AppealDetail = sup.get(&format!("/api/v1/appeals/{appeal}")).await?;
    for i in d
        .interactions
        .iter()
        .filter(|i| i.state == InteractionState::Queued)
    {
        let path = format!("/api/v1/interactions/{}/abandon", i.id);
        sup.post::<IgnoredAny, _>(&path, &Empty {}).await?;
    }
    Ok(())
}

pub async fn message(op: &Session, appeal: Uuid, body: &str) -> Result<()> {
    op.post::<IgnoredAny, _>(
        &format!("/api/v1/appeals/{appeal}/messages"),
        &AddMessage {
            body: body.to_owned(),
            author: None,
            channel: None,
            external_id: None,
        },
    )
    .await?;
    Ok(())
}

/// Answered at the first contact: the client is told the answer on their channel.
pub async fn answer(op: &Session, appeal: Uuid, resolution: &str) -> Result<()> {
    op.post::<IgnoredAny, _>(
        &format!("/api/v1/appeals/{appeal}/status"),
        &ChangeStatus {
            status: AppealStatus::Answered,
            reason: None,
            resolution: Some(resolution.to_owned()),
            first_contact_resolved: Some(true),
        },
    )
    .await?;
    Ok(())
}

pub async fn end(op: &Session, interaction: Uuid) -> Result<()> {
    op.post::<IgnoredAny, _>(
        &format!("/api/v1/interactions/{interaction}/end"),
        &Empty {},
    )
    .await?;
    Ok(())
}

/// The caller hung up: the operator finishes the after-contact work, then ends the contact
/// (handling time runs to that end, report row 19).
pub async fn hang_up(op: &Session, interaction: Uuid) -> Result<()> {
    op.post::<IgnoredAny, _>(
        &format!("/api/v1/interactions/{interaction}/wrap-up"),
        &Empty {},
    )
    .await?;
    end(op, interaction).await
}

/// Ends the staff member's contact, if they hold one.
pub async fn finish(op: &Session, mine: Option<Uuid>) -> Result<()> {
    match mine {
        Some(i) => end(op, i).await,
        None => Ok(()),
    }
}

/// Redirects to a competent ministry: the one the server proposes for the topic when the demo
/// has its officer, else the one the demo matched to the topic.
pub async fn redirect(
    stage: &Stage,
    op: &Session,
    appeal: Uuid,
    topic: &Topic,
    lang: Language,
) -> Result<Uuid> {
    let competent: Vec<BodyView> = op
        .get(&format!("/api/v1/appeals/{appeal}/competent-bodies"))
        .await
        .unwrap_or_default();
    let body = competent
        .iter()
        .map(|b| b.id)
        .find(|b| stage.cast.officers.contains_key(b))
        .or(topic.body)
        .or_else(|| competent.first().map(|b| b.id))
        .ok_or_else(|| Refused::new("no administrative body to redirect to"))?;
    op.post::<IgnoredAny, _>(
        &format!("/api/v1/appeals/{appeal}/redirect"),
        &RedirectAppeal {
            body_id: body,
            department_id: None,
            reason: say::REDIRECT_REASON.get(lang).to_owned(),
        },
    )
    .await?;
    add(&stage.stats.redirections);
    Ok(body)
}

/// The ministry's officer takes the redirected appeal into consideration and answers it.
pub async fn body_answers(
    stage: &Stage,
    appeal: Uuid,
    body: Uuid,
    topic: &Topic,
    lang: Language,
    rng: &mut StdRng,
) -> Result<bool> {
    let Some(officer) = stage.cast.officers.get(&body) else {
        return Ok(false);
    };
    pause(rng, 1500..3500).await;
    officer
        .post::<IgnoredAny, _>(
            &format!("/api/v1/appeals/{appeal}/redirection/accept"),
            &Empty {},
        )
        .await?;
    pause(rng, 1500..3500).await;
    officer
        .post::<IgnoredAny, _>(
            &format!("/api/v1/appeals/{appeal}/status"),
            &ChangeStatus {
                status: AppealStatus::Answered,
                reason: None,
                resolution: Some(topic.spec.body_answer.get(lang).to_owned()),
                first_contact_resolved: None,
            },
        )
        .await?;
    add(&stage.stats.body_answers);
    Ok(true)
}

/// Takes the appeal into work and extends its term by two weeks with a reason (АППК art. 76).
pub async fn extend(
    stage: &Stage,
    op: &Session,
    appeal: Uuid,
    lang: Language,
) -> Result<chrono::NaiveDate> {
    let d: AppealDetail = op.get(&format!("/api/v1/appeals/{appeal}")).await?;
    if d.appeal.status == AppealStatus::New {
        op.post::<IgnoredAny, _>(
            &format!("/api/v1/appeals/{appeal}/status"),
            &ChangeStatus {
                status: AppealStatus::InProgress,
                reason: None,
                resolution: None,
                first_contact_resolved: None,
            },
        )
        .await?;
    }
    let due = d.appeal.due_at.unwrap_or_else(chrono::Utc::now);
    let date = deadline::local_date(due) + chrono::Days::new(14);
    op.post::<IgnoredAny, _>(
        &format!("/api/v1/appeals/{appeal}/extend"),
        &ExtendDeadline {
            due_date: date,
            reason: say::EXTEND_REASON.get(lang).to_owned(),
        },
    )
    .await?;
    add(&stage.stats.extensions);
    Ok(date)
}

/// The supervisor reviews the complaint, then decides it; the decision answers the client (R9).
pub async fn decide(
    stage: &Stage,
    appeal: Uuid,
    lang: Language,
    confirmed: bool,
    rng: &mut StdRng,
) -> Result<()> {
    let sup = &stage.cast.supervisor;
    let path = format!("/api/v1/appeals/{appeal}/complaint");
    pause(rng, 1500..3500).await;
    sup.post::<IgnoredAny, _>(
        &format!("{path}/review"),
        &ReviewComplaint {
            note: Some(say::REVIEW_NOTE.get(lang).to_owned()),
        },
    )
    .await?;
    pause(rng, 1000..2500).await;
    let result: Both = say::decision(confirmed);
    sup.post::<IgnoredAny, _>(
        &format!("{path}/decide"),
        &DecideComplaint {
            confirmed,
            result: result.get(lang).to_owned(),
        },
    )
    .await?;
    add(&stage.stats.complaints_decided);
    if confirmed {
        add(&stage.stats.complaints_confirmed);
    }
    Ok(())
}
