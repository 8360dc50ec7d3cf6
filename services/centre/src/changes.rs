//! Changes of an appeal the citizen is told of (R6): its status (the answer, a request for more
//! information, the close), its redirection to the competent body and the body's acceptance
//! (R30, АППК art. 65), an extension of its term (art. 76), a reclassification that re-dates it
//! (issue 14; R6.4). Each notice is written in the transaction of the change it reports — a
//! crash between the two can no longer lose it — and a body's webhook call is recorded there
//! too, so a call whose change failed is applied when the body retries it.

use baylanys_domain::templates::{date, kind_word, Notice};
use baylanys_domain::{
    deadline, event_kind, AppealScope, AppealStatus, Channel, Language, MessageKind,
};
use baylanys_store::{
    Actor, Also, Appeal, Body, BodyAnswer, Department, FieldChange, NewPart, Receipt, Reclassified,
    RedirectTo, StatusChange, Tell,
};
use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::notify::Teller;
use crate::{Centre, CentreResult};

/// Where staff send an appeal.
#[derive(Debug, Clone)]
pub struct Redirect {
    pub body_id: Uuid,
    pub department_id: Option<Uuid>,
    /// Why it is not the centre's competence.
    pub reason: String,
}

fn with(also: Also, receipt: Option<Receipt>) -> Also {
    match receipt {
        Some(r) => also.with_receipt(r),
        None => also,
    }
}

/// The notices a status change brings.
fn status_notices(
    teller: &Teller,
    a: &Appeal,
    reason: Option<&str>,
    close_said: bool,
) -> Vec<Tell> {
    let number = Some(a.number.as_str());
    let stamp = a.updated_at.timestamp_micros();
    let tell = match a.status {
        // In the web chat the close is the conversation's `close` entry, unless ending the
        // contact already said it.
        AppealStatus::Closed if a.channel == Channel::WebChat => {
            if close_said {
                None
            } else {
                teller
                    .notice(
                        a,
                        Notice::Ended,
                        &[("number", number)],
                        format!("closed:{}", a.id),
                    )
                    .map(|mut t| {
                        t.message.kind = MessageKind::Close;
                        t
                    })
            }
        }
        AppealStatus::Closed => teller.notice(
            a,
            Notice::Closed,
            &[("number", number)],
            format!("closed:{}", a.id),
        ),
        AppealStatus::Answered => teller.notice(
            a,
            Notice::Answered,
            &[("number", number), ("answer", a.resolution.as_deref())],
            format!("answered:{}:{stamp}", a.id),
        ),
        AppealStatus::AwaitingClient => teller.notice(
            a,
            Notice::MoreInformation,
            &[("number", number), ("question", reason)],
            format!("awaiting:{}:{stamp}", a.id),
        ),
        _ => None,
    };
    tell.into_iter().collect()
}

fn body_name(body: &Body, lang: Language) -> &str {
    match lang {
        Language::Ru => &body.name_ru,
        _ => &body.name_kk,
    }
}

impl Centre {
    /// Moves the appeal along its lifecycle; the citizen hears the answer (then is asked to
    /// rate it), a request for more information, or the close, on their own channel.
    pub async fn change_status(
        &self,
        id: Uuid,
        change: StatusChange,
        scope: AppealScope,
        actor: Actor,
        receipt: Option<Receipt>,
    ) -> CentreResult<Appeal> {
        let before = self.store.get_appeal(id, scope).await?;
        let teller = self.teller(&before).await;
        let close_said = before.channel == Channel::WebChat
            && self
                .store
                .messages_after(id, before.last_seq.saturating_sub(1), 1)
                .await?
                .first()
                .is_some_and(|m| m.kind == MessageKind::Close);
        let reason = change.reason.clone();
        let also =
            Also::telling(move |a| status_notices(&teller, a, reason.as_deref(), close_said));
        let appeal = self
            .store
            .change_status(id, change, scope, actor, with(also, receipt))
            .await?;
        self.told(&appeal);
        if appeal.status == AppealStatus::Closed {
            // Closing ended its contacts in progress: routing may offer more now.
            self.changed();
        }
        if matches!(appeal.status, AppealStatus::Answered | AppealStatus::Closed) {
            self.ask_survey(&appeal).await;
        }
        Ok(appeal)
    }

    /// Redirects the appeal to the competent body (clause 3.8, R30). The body's term — the
    /// kind's working days (АППК art. 76) — starts today; a redirection later than the centre's
    /// own deadline for forwarding (3 working days after registration, art. 65; a part's from
    /// its appeal's) is marked late. The body gets the appeal by e-mail or signed webhook (or
    /// sees it in its portal); the citizen hears where it went, the department and position
    /// responsible, and by when (R6) — all in one transaction.
    pub async fn redirect(
        &self,
        id: Uuid,
        to: Redirect,
        scope: AppealScope,
        actor: Actor,
    ) -> CentreResult<Appeal> {
        let appeal = self.store.get_appeal(id, scope).await?;
        let now = baylanys_store::now();
        // The same cached calendar and settings every new appeal is dated by.
        let rules = self.deadline_rules().await?;
        let (calendar, settings) = rules.as_ref();
        let registered = match appeal.parent_id {
            Some(p) => self.store.get_appeal(p, AppealScope::All).await?.created_at,
            None => appeal.created_at,
        };
        let forward_by = deadline::due_at(calendar, registered, settings.redirect_days);
        let due_at = deadline::due_at(calendar, now, settings.days_for(appeal.kind));
        let body = self.store.get_body(to.body_id).await?;
        let delivery = self.to_body(&appeal, &body, &to.reason, due_at).await?;
        let to = RedirectTo {
            body_id: to.body_id,
            department_id: to.department_id,
            reason: to.reason,
            due_at,
            late: now > forward_by,
            delivery,
        };
        self.redirect_to(id, to, actor).await
    }

    async fn redirect_to(&self, id: Uuid, to: RedirectTo, actor: Actor) -> CentreResult<Appeal> {
        let before = self.store.get_appeal(id, AppealScope::All).await?;
        let teller = self.teller(&before).await;
        let body = self.store.get_body(to.body_id).await?;
        let department = match to.department_id {
            Some(d) => Some(self.store.get_department(d).await?),
            None => None,
        };
        let also = Also::telling(move |a| redirected(&teller, a, &body, department.as_ref()));
        let appeal = self.store.redirect(id, to, actor, also).await?;
        self.told(&appeal);
        Ok(appeal)
    }

    /// The body's answer to a redirection; on acceptance the citizen hears that the body took
    /// it and by when it answers (R6).
    pub async fn answer_redirection(
        &self,
        id: Uuid,
        answer: BodyAnswer,
        scope: AppealScope,
        actor: Actor,
        receipt: Option<Receipt>,
    ) -> CentreResult<Appeal> {
        let before = self.store.get_appeal(id, scope).await?;
        let also = match (&answer, before.body_id) {
            (BodyAnswer::Accept, Some(body_id)) => {
                let teller = self.teller(&before).await;
                let body = self.store.get_body(body_id).await?;
                Also::telling(move |a| accepted(&teller, a, &body))
            }
            _ => Also::nothing(),
        };
        let appeal = self
            .store
            .answer_redirection(id, answer, scope, actor, with(also, receipt))
            .await?;
        self.told(&appeal);
        Ok(appeal)
    }

    /// Makes a part of the appeal an appeal of its own, to be redirected on its own (R30); the
    /// citizen hears the part's number in the appeal's own conversation.
    pub async fn split(
        &self,
        id: Uuid,
        part: NewPart,
        scope: AppealScope,
        actor: Actor,
    ) -> CentreResult<Appeal> {
        let parent = self.store.get_appeal(id, scope).await?;
        let teller = self.teller(&parent).await;
        let subject = part.subject.clone();
        let also = Also::telling(move |child| {
            let vars = [
                ("number", Some(parent.number.as_str())),
                ("part_number", Some(child.number.as_str())),
                ("subject", Some(subject.as_str())),
            ];
            // Told on the appeal the part came from, in its language and on its channel.
            teller
                .notice(&parent, Notice::Split, &vars, format!("split:{}", child.id))
                .into_iter()
                .collect()
        });
        let child = self
            .store
            .split_appeal(id, part, scope, actor, also)
            .await?;
        let parent = self.store.get_appeal(id, AppealScope::All).await?;
        self.told(&parent);
        Ok(child)
    }

    /// Moves the due date by a reasoned decision (the caller checked the date); the citizen
    /// hears the new date and why at once, well within the three working days (АППК art. 76).
    pub async fn extend(
        &self,
        id: Uuid,
        due_at: DateTime<Utc>,
        reason: &str,
        scope: AppealScope,
        actor: Actor,
    ) -> CentreResult<Appeal> {
        let before = self.store.get_appeal(id, scope).await?;
        let teller = self.teller(&before).await;
        let why = reason.to_owned();
        let also = Also::telling(move |a| {
            let day = date(deadline::local_date(due_at));
            let vars = [
                ("number", Some(a.number.as_str())),
                ("date", Some(day.as_str())),
                ("reason", Some(why.as_str())),
            ];
            let key = format!("extended:{}:{}", a.id, due_at.timestamp());
            teller
                .notice(a, Notice::Extended, &vars, key)
                .into_iter()
                .collect()
        });
        let appeal = self
            .store
            .extend_deadline(id, due_at, reason, scope, actor, also)
            .await?;
        self.told(&appeal);
        Ok(appeal)
    }

    /// Reclassifies the appeal from the console (issue 14): its kind, topic or priority, each
    /// change an event with the reason, in one transaction. A new kind re-dates an appeal whose
    /// due date was never extended: the new kind's term (the deadline settings, on the
    /// working-day calendar, АППК art. 76) counted from where its current term started — its
    /// registration (art. 63), its parent's for a part, its latest redirection for one sent to
    /// a body (art. 65). When the date moved the citizen is told the kind, in their words, and
    /// the new date on their own channel and in their language, in the same transaction (R6.1,
    /// R6.4). Consoles redraw the appeal; routing sees the new topic and priority of a contact
    /// still waiting.
    pub async fn reclassify(
        &self,
        id: Uuid,
        mut change: FieldChange,
        scope: AppealScope,
        actor: Actor,
    ) -> CentreResult<Reclassified> {
        let before = self.store.get_appeal(id, scope).await?;
        // Dated again only while the date was never extended (the store checks it again in
        // the change's transaction).
        let also = match change.kind.filter(|k| *k != before.kind) {
            Some(kind) if before.due_at == before.first_due_at => {
                let start = self.term_start(&before).await?;
                change.due_at = Some(self.due_for(kind, start).await?);
                let teller = self.teller(&before).await;
                Also::telling(move |a| reclassified(&teller, a))
            }
            _ => {
                change.due_at = None;
                Also::nothing()
            }
        };
        let done = self
            .store
            .change_fields(id, change, scope, actor, also)
            .await?;
        if !done.changed.is_empty() {
            self.told(&done.appeal);
            self.changed();
        }
        Ok(done)
    }

    /// When the appeal's current term started: its latest redirection (the body's term runs
    /// from it, as [`Centre::redirect`] dates it), else its registration — a part's is the
    /// appeal it was split from (it keeps that appeal's term).
    async fn term_start(&self, appeal: &Appeal) -> CentreResult<DateTime<Utc>> {
        let redirected = self
            .store
            .events_of_appeals(&[appeal.id], &[event_kind::APPEAL_REDIRECTED])
            .await?;
        if let Some(last) = redirected.iter().map(|e| e.at).max() {
            return Ok(last);
        }
        Ok(match appeal.parent_id {
            Some(p) => self.store.get_appeal(p, AppealScope::All).await?.created_at,
            None => appeal.created_at,
        })
    }
}

/// The citizen hears the appeal's kind in their own words and the new date (R6.1, R6.4).
fn reclassified(teller: &Teller, a: &Appeal) -> Vec<Tell> {
    let Some(due_at) = a.due_at else {
        return Vec::new();
    };
    let day = date(deadline::local_date(due_at));
    let vars = [
        ("number", Some(a.number.as_str())),
        ("kind", Some(kind_word(a.kind, a.language))),
        ("date", Some(day.as_str())),
    ];
    // Keyed by the change: a kind changed back and forth tells each time.
    let key = format!("reclassified:{}:{}", a.id, a.updated_at.timestamp_micros());
    teller
        .notice(a, Notice::Reclassified, &vars, key)
        .into_iter()
        .collect()
}

fn redirected(
    teller: &Teller,
    a: &Appeal,
    body: &Body,
    department: Option<&Department>,
) -> Vec<Tell> {
    let Some(due_at) = a.due_at else {
        return Vec::new();
    };
    let ru = a.language == Language::Ru;
    let (dept, position) = match department {
        Some(d) if ru => (Some(d.name_ru.as_str()), Some(d.position_ru.as_str())),
        Some(d) => (Some(d.name_kk.as_str()), Some(d.position_kk.as_str())),
        None => (None, None),
    };
    let day = date(deadline::local_date(due_at));
    let vars = [
        ("number", Some(a.number.as_str())),
        ("body", Some(body_name(body, a.language))),
        ("department", dept),
        ("position", position),
        ("date", Some(day.as_str())),
    ];
    let key = format!("redirected:{}:{}:{}", a.id, body.id, due_at.timestamp());
    teller
        .notice(a, Notice::Redirected, &vars, key)
        .into_iter()
        .collect()
}

fn accepted(teller: &Teller, a: &Appeal, body: &Body) -> Vec<Tell> {
    let Some(due_at) = a.due_at else {
        return Vec::new();
    };
    let day = date(deadline::local_date(due_at));
    let vars = [
        ("number", Some(a.number.as_str())),
        ("body", Some(body_name(body, a.language))),
        ("date", Some(day.as_str())),
    ];
    let key = format!("accepted:{}:{}:{}", a.id, body.id, due_at.timestamp());
    teller
        .notice(a, Notice::Accepted, &vars, key)
        .into_iter()
        .collect()
}
