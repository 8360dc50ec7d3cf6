//! The engine's one reading of the log: each event that counts towards a figure becomes a
//! [`Contribution`] — a call answered after so many seconds, a resolution at the first contact
//! or not — with the instant it counts at and the slices it belongs to. Every figure of any
//! period and slice is a fold of the contributions whose instant is in the period and whose tags
//! match; a contribution never depends on the period it is read for, so the totals of days and
//! hours kept once add up to what reading the whole period would give (R35).

use std::collections::{BTreeMap, HashMap, HashSet};

use baylanys_domain::events::{AppealCreated, ContactVia};
use baylanys_domain::kpi::KpiSettings;
use baylanys_domain::{AppealStatus, Author, Channel, Direction, InteractionState, Payload};
use baylanys_store::Event;
use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use crate::KpiQuery;

/// The slices a contribution belongs to. A figure sliced by operator counts only what an
/// operator did (answered, resolved, was rated for); appeals received, lost calls and
/// confirmed complaints belong to no operator.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tags {
    pub channel: Option<String>,
    pub queue: Option<Uuid>,
    pub topic: Option<Uuid>,
    pub operator: Option<Uuid>,
}

impl Tags {
    /// Whether the query's slice takes it (an unsliced query takes everything).
    pub fn matches(&self, q: &KpiQuery) -> bool {
        q.channel
            .is_none_or(|c| self.channel.as_deref() == Some(c.as_str()))
            && q.queue_id.is_none_or(|x| self.queue == Some(x))
            && q.topic_id.is_none_or(|t| self.topic == Some(t))
            && q.operator_id.is_none_or(|o| self.operator == Some(o))
    }
}

/// What one event adds to the figures.
#[derive(Debug, Clone, PartialEq)]
pub enum Fact {
    /// An appeal received (rows 13–14), by the channel it came on.
    Received { channel: String },
    /// A call answered after `wait` s — what "answered in this queue today" means wherever it
    /// is shown (the live view's `answered_today`, the KPIs per queue, `calls_answered`): an
    /// inbound voice call that entered a queue after the voice menu, counted on the local
    /// (Asia/Almaty) day it entered, and filed under the queue it was waiting in when an
    /// operator answered it — wherever it first entered (a transfer, escalation or overflow
    /// while it waited moves it). A call counts once: the second leg of a call transferred
    /// after it was answered is the same call, a callback is outbound, and a contact handled
    /// from its start (a visit, a call registered by the operator on it) never waited in a
    /// queue. Web chats, e-mails and Telegram dialogues are not calls: an operator's answer to
    /// one counts in handling time and first response, not here.
    Answered { wait: f64 },
    /// A call abandoned after `wait` s (not shorter than the short-abandon setting), filed
    /// under the queue it was waiting in when the caller hung up.
    Lost { wait: f64 },
    /// A contact answered: its handling time if it ended, its first reply if written.
    Handled {
        minutes: Option<f64>,
        first_response: Option<f64>,
    },
    /// A survey answer (row 16).
    Survey { score: f64 },
    /// A resolution, and whether it came at the first contact (row 17).
    Resolution { first: bool },
    /// A QA review, and whether it passed accuracy, completeness and procedure (KPI 2).
    Review { accurate: bool },
    /// A complaint decided as confirmed (row 20).
    Confirmed,
}

/// One event's share of the figures.
#[derive(Debug, Clone, PartialEq)]
pub struct Contribution {
    /// The event that is its evidence (for a handled contact: its end, else its answer).
    pub id: i64,
    /// When it counts: a call when it entered the queue, a contact when it was answered,
    /// everything else when it happened.
    pub at: DateTime<Utc>,
    pub tags: Tags,
    pub fact: Fact,
}

/// An event's typed payload. A kind the engine reads always has one; a row that does not fit
/// its type is left out (and logged) rather than read as zeros.
fn payload(e: &Event) -> Option<Payload> {
    match e.payload() {
        Ok(p) => p,
        Err(err) => {
            tracing::warn!(event = e.id, error = %err, "event payload unreadable; left out of the KPIs");
            None
        }
    }
}

/// The typed payloads of the events read, parsed once: the definitions look at an appeal's
/// history once per resolution, and a day of a busy centre is hundreds of thousands of events.
struct Typed(HashMap<i64, Payload>);

impl Typed {
    fn of<'a>(events: impl Iterator<Item = &'a Event>) -> Typed {
        Typed(events.filter_map(|e| Some((e.id, payload(e)?))).collect())
    }

    fn get(&self, e: &Event) -> Option<&Payload> {
        self.0.get(&e.id)
    }

    fn created(&self, e: &Event) -> Option<&AppealCreated> {
        match self.get(e) {
            Some(Payload::AppealCreated(p)) => Some(p),
            _ => None,
        }
    }

    fn status(&self, e: &Event) -> Option<&baylanys_domain::events::StatusChanged> {
        match self.get(e) {
            Some(Payload::StatusChanged(p)) => Some(p),
            _ => None,
        }
    }

    fn is_resolution(&self, e: &Event) -> bool {
        self.status(e).is_some_and(|p| match p.to {
            AppealStatus::Answered => true,
            // Closing an answered appeal is not a second resolution.
            AppealStatus::Closed => p.from != AppealStatus::Answered,
            _ => false,
        })
    }

    /// A new contact of the client on the appeal (a transfer's second leg is the same contact).
    fn is_new_contact(&self, e: &Event) -> bool {
        matches!(self.get(e), Some(Payload::ContactStarted(p)) if p.via != Some(ContactVia::Transfer))
    }

    /// Sent on: redirected to a body, or escalated to management.
    fn is_sent_on(&self, e: &Event) -> bool {
        matches!(
            self.get(e),
            Some(Payload::Redirected(_) | Payload::RoutingEscalated(_))
        )
    }

    /// Reopened: moved from answered or closed back to an open status.
    fn is_reopening(&self, e: &Event) -> bool {
        self.status(e).is_some_and(|p| {
            matches!(p.from, AppealStatus::Answered | AppealStatus::Closed)
                && !matches!(p.to, AppealStatus::Answered | AppealStatus::Closed)
        })
    }
}

fn secs(a: DateTime<Utc>, b: DateTime<Utc>) -> f64 {
    (b - a).num_milliseconds() as f64 / 1000.0
}

/// What an appeal was when it came in.
#[derive(Debug, Clone, Default)]
struct Opening {
    channel: Option<String>,
    topic_id: Option<Uuid>,
    queue_id: Option<Uuid>,
    client_id: Option<Uuid>,
    split: bool,
}

impl Opening {
    fn of(e: &Event, p: &AppealCreated) -> Opening {
        Opening {
            channel: Some(p.channel.as_str().to_owned()),
            topic_id: p.topic_id,
            queue_id: p.queue_id,
            client_id: e.client_id,
            split: p.split_from.is_some(),
        }
    }

    fn tags(&self, operator: Option<Uuid>) -> Tags {
        Tags {
            channel: self.channel.clone(),
            queue: self.queue_id,
            topic: self.topic_id,
            operator,
        }
    }
}

/// When a contact was answered, by whom, the event that says so, and when that was recorded.
type Answer = (DateTime<Utc>, Option<Uuid>, i64, DateTime<Utc>);

#[derive(Debug, Default)]
struct Contact {
    appeal_id: Option<Uuid>,
    started: Option<DateTime<Utc>>,
    channel: Option<String>,
    /// The queue it started in, or first entered.
    queue_id: Option<Uuid>,
    /// The queue it was in when it was answered, or else abandoned: a transfer, an escalation
    /// or an overflow while it waited moved it there. Its figures belong to this queue.
    decided_in: Option<Uuid>,
    inbound: bool,
    /// When it entered a queue for an operator (at its start, or on leaving the voice menu),
    /// and when that was recorded: a recorded contact counts when it was recorded (a past
    /// day's kept totals never change) with the waits it really had.
    entered_queue: Option<(DateTime<Utc>, DateTime<Utc>)>,
    transfer: bool,
    answered: Option<Answer>,
    /// The end of the after-contact work, and whether it ended with its appeal's close (its
    /// handling time is then not known).
    ended: Option<(DateTime<Utc>, i64, bool)>,
    abandoned: Option<(DateTime<Utc>, i64)>,
    first_staff_message: Option<DateTime<Utc>>,
}

/// The contributions counted in `[from, to)`, from the events of the window read around it and
/// the histories of the appeals in it (see `kpi::read`).
pub fn contributions(
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    s: &KpiSettings,
    window: &[Event],
    history: &[Event],
) -> Vec<Contribution> {
    let in_period = |at: DateTime<Utc>| at >= from && at < to;
    let typed = Typed::of(history.iter().chain(window));
    let openings: HashMap<Uuid, Opening> = history
        .iter()
        .chain(window)
        .filter_map(|e| Some((e.appeal_id?, Opening::of(e, typed.created(e)?))))
        .collect();
    let opening = |appeal: Option<Uuid>| {
        appeal
            .and_then(|a| openings.get(&a))
            .cloned()
            .unwrap_or_default()
    };
    let mut out = Vec::new();

    // Volumes (rows 13–14); a part split from an appeal is not a new appeal received.
    for (e, p) in window
        .iter()
        .filter(|e| in_period(e.at))
        .filter_map(|e| Some((e, typed.created(e)?)))
    {
        let o = Opening::of(e, p);
        if o.split {
            continue;
        }
        out.push(Contribution {
            id: e.id,
            at: e.at,
            tags: o.tags(None),
            fact: Fact::Received {
                channel: o.channel.clone().unwrap_or_else(|| "unknown".into()),
            },
        });
    }

    // Contacts, by interaction. A recorded contact's phases count at the instants it gives.
    let mut contacts: HashMap<Uuid, Contact> = HashMap::new();
    for e in window {
        let Some(id) = e.interaction_id else { continue };
        match typed.get(e) {
            Some(Payload::ContactStarted(p)) => {
                let at = p.at.unwrap_or(e.at);
                let c = contacts.entry(id).or_default();
                c.appeal_id = e.appeal_id;
                c.started = Some(at);
                c.channel = Some(p.channel.as_str().to_owned());
                c.queue_id = p.queue_id;
                c.inbound = p.direction == Direction::Inbound;
                c.transfer = p.via == Some(ContactVia::Transfer);
                if p.state == InteractionState::Queued {
                    c.entered_queue = Some((at, e.at));
                }
                // A contact handled from its start (a visit at the desk) is answered then.
                if p.state == InteractionState::Answered && c.answered.is_none() {
                    c.answered = Some((at, p.operator_id.or(e.actor_id), e.id, e.at));
                }
            }
            Some(Payload::ContactMoved(p)) => {
                let at = p.at.unwrap_or(e.at);
                let c = contacts.entry(id).or_default();
                if c.channel.is_none() {
                    c.channel = p.channel.map(|x| x.as_str().to_owned());
                }
                match p.state {
                    InteractionState::Queued if c.entered_queue.is_none() => {
                        c.entered_queue = Some((at, e.at));
                        c.queue_id = c.queue_id.or(p.queue_id);
                    }
                    InteractionState::Answered if c.answered.is_none() => {
                        c.answered = Some((at, p.operator_id, e.id, e.at));
                        c.decided_in = p.queue_id.or(c.decided_in);
                    }
                    // Ended by its appeal's close, or because the operator's phone never
                    // answered and a callback was taken instead: no handling time is known.
                    InteractionState::Ended if c.ended.is_none() => {
                        let unknown =
                            matches!(p.via, Some(ContactVia::AppealClosed | ContactVia::Callback));
                        c.ended = Some((at, e.id, unknown));
                    }
                    InteractionState::Abandoned if c.abandoned.is_none() => {
                        c.abandoned = Some((at, e.id));
                        if c.answered.is_none() {
                            c.decided_in = p.queue_id.or(c.decided_in);
                        }
                    }
                    _ => {}
                }
            }
            Some(Payload::MessageAdded(p)) if p.author == Author::Operator => {
                let c = contacts.entry(id).or_default();
                if c.first_staff_message.is_none() {
                    c.first_staff_message = Some(e.at);
                }
            }
            _ => {}
        }
    }

    for c in contacts.values() {
        let topic = opening(c.appeal_id).topic_id;
        // A contact's figures belong to the queue that answered it (or lost it), not to the
        // one it first waited in: "answered in this queue" is what the live view and the KPIs
        // per queue both say (see `Fact::Answered`).
        let tags = |operator| Tags {
            channel: c.channel.clone(),
            queue: c.decided_in.or(c.queue_id),
            topic,
            operator,
        };
        // Inbound calls after the voice menu (KPIs 1 and 5, service level), counted when they
        // entered the queue; a transfer's second leg is the same call, and an outbound call (a
        // callback) is not a call that waited.
        if let Some((started, counted)) = c.entered_queue.filter(|(_, at)| in_period(*at)) {
            let call =
                c.inbound && !c.transfer && c.channel.as_deref() == Some(Channel::Voice.as_str());
            match (call, c.answered, c.abandoned) {
                (false, _, _) => {}
                (true, Some((at, op, id, _)), _) => out.push(Contribution {
                    id,
                    at: counted,
                    tags: tags(op),
                    fact: Fact::Answered {
                        wait: secs(started, at),
                    },
                }),
                (true, None, Some((at, id))) => {
                    let wait = secs(started, at);
                    if s.counts_abandon(wait) {
                        out.push(Contribution {
                            id,
                            at: counted,
                            tags: tags(None),
                            fact: Fact::Lost { wait },
                        });
                    }
                }
                // Still waiting, or its end is beyond what was read: not decided yet.
                (true, None, None) => {}
            }
        }
        // Handling (answer to the end of the after-contact work; unknown when the contact only
        // ended with its appeal's close) and first response, counted when it was answered.
        if let Some((answered, op, answered_id, counted)) = c.answered.filter(|a| in_period(a.3)) {
            let written = c.channel.as_deref() != Some(Channel::Voice.as_str());
            out.push(Contribution {
                id: c.ended.map_or(answered_id, |(_, id, _)| id),
                at: counted,
                tags: tags(op),
                fact: Fact::Handled {
                    minutes: c
                        .ended
                        .filter(|(_, _, by_close)| !by_close)
                        .map(|(end, _, _)| secs(answered, end) / 60.0),
                    first_response: c
                        .started
                        .zip(c.first_staff_message)
                        .filter(|_| written)
                        .map(|(start, first)| secs(start, first)),
                },
            });
        }
    }

    for e in window.iter().filter(|e| in_period(e.at)) {
        match typed.get(e) {
            // Satisfaction (KPI 3), filed under the operator the appeal was with.
            Some(Payload::SurveyAnswered(p)) => out.push(Contribution {
                id: e.id,
                at: e.at,
                tags: opening(e.appeal_id).tags(p.assignee_id),
                fact: Fact::Survey {
                    score: f64::from(p.score),
                },
            }),
            // Accuracy (KPI 2; R26–R28): a review carries the contact's operator, channel and
            // queue; the topic is the appeal's.
            Some(Payload::QaReviewed(p)) => out.push(Contribution {
                id: e.id,
                at: e.at,
                tags: Tags {
                    channel: p.channel.map(|c| c.as_str().to_owned()),
                    queue: p.queue_id,
                    topic: opening(e.appeal_id).topic_id,
                    operator: p.operator_id,
                },
                fact: Fact::Review {
                    accurate: p.accurate,
                },
            }),
            Some(Payload::ComplaintDecided(p)) if p.confirmed => {
                out.push(Contribution {
                    id: e.id,
                    at: e.at,
                    tags: opening(e.appeal_id).tags(None),
                    fact: Fact::Confirmed,
                });
            }
            _ => {}
        }
    }

    // First contact resolution (KPI 4).
    for (e, first) in first_contact(from, to, s, window, history, &openings, &typed) {
        out.push(Contribution {
            id: e.id,
            at: e.at,
            tags: opening(e.appeal_id).tags(e.actor_id),
            fact: Fact::Resolution { first },
        });
    }
    out.sort_by_key(|c| (c.at, c.id));
    out
}

/// A client and the topic of their appeal: a new appeal on the same pair is a repeat contact.
type ClientTopic = (Uuid, Uuid);

/// Each resolution in `[from, to)`, and whether it came at the first contact. An appeal
/// resolved twice on one local day (reopened in between) counts once that day, at its first
/// resolution: wherever a period starts, the day's figures are the same.
fn first_contact<'a>(
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    s: &KpiSettings,
    window: &'a [Event],
    history: &'a [Event],
    openings: &HashMap<Uuid, Opening>,
    typed: &Typed,
) -> Vec<(&'a Event, bool)> {
    let mut by_appeal: HashMap<Uuid, Vec<&Event>> = HashMap::new();
    for e in history {
        if let Some(a) = e.appeal_id {
            by_appeal.entry(a).or_default().push(e);
        }
    }
    // New appeals by client and topic, for repeat contacts. Without a topic on both there is
    // no "same topic" to speak of: such an appeal is not a repeat of anything.
    let mut later: HashMap<ClientTopic, Vec<(DateTime<Utc>, Uuid)>> = HashMap::new();
    for (e, p) in window.iter().filter_map(|e| Some((e, typed.created(e)?))) {
        let o = Opening::of(e, p);
        if let (Some(client), Some(a), Some(topic), false) =
            (o.client_id, e.appeal_id, o.topic_id, o.split)
        {
            later.entry((client, topic)).or_default().push((e.at, a));
        }
    }
    let repeat = Duration::days(i64::from(s.repeat_contact_days));
    let day_of = |at: DateTime<Utc>| crate::dashboard::local_day(at).0;
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut resolutions: BTreeMap<i64, &Event> = BTreeMap::new();
    for e in window
        .iter()
        .filter(|e| typed.is_resolution(e) && e.at >= from && e.at < to)
    {
        resolutions.insert(e.id, e);
    }
    for e in resolutions.into_values() {
        let Some(appeal) = e.appeal_id else { continue };
        if !seen.insert((appeal, day_of(e.at))) {
            continue;
        }
        let events = by_appeal.get(&appeal).map(Vec::as_slice).unwrap_or(&[]);
        let before = |x: &&&Event| x.id < e.id;
        // Resolved earlier the same day (before the period began): counted there.
        if events
            .iter()
            .filter(before)
            .any(|x| typed.is_resolution(x) && day_of(x.at) == day_of(e.at))
        {
            continue;
        }
        let contacts = events
            .iter()
            .filter(before)
            .filter(|x| typed.is_new_contact(x))
            .count();
        let sent_on = events.iter().filter(before).any(|x| typed.is_sent_on(x));
        // Reopened after this resolution, or before it (a second resolution of a reopened
        // appeal is not a first-contact one either).
        let reopened = events.iter().any(|x| x.id != e.id && typed.is_reopening(x));
        let o = openings.get(&appeal).cloned().unwrap_or_default();
        let repeated = o.client_id.zip(o.topic_id).is_some_and(|key| {
            later.get(&key).is_some_and(|list| {
                list.iter()
                    .any(|(at, other)| *other != appeal && *at > e.at && *at <= e.at + repeat)
            })
        });
        // The operator (or a complaint's decision) said the first contact did not resolve it.
        let said_not = typed.status(e).and_then(|p| p.first_contact_resolved) == Some(false);
        out.push((
            e,
            contacts <= 1 && !sent_on && !reopened && !repeated && !said_not,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    //! Every kind the engine reads for a KPI has a reader here: removing that kind's events
    //! from a log changes the contributions. A kind the engine fetched but no arm read would
    //! leave them unchanged, and fails this test.

    use super::*;
    use crate::kpi::{HISTORY_KINDS, WINDOW_KINDS};
    use baylanys_domain::events::*;
    use baylanys_domain::{event_kind as k, Actor, AppealKind, ComplaintCategory, Language};
    use chrono::TimeZone;

    fn at(minute: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, 10, minute, 0)
            .single()
            .unwrap_or_default()
    }

    struct Log(Vec<Event>);

    impl Log {
        fn push(&mut self, minute: u32, appeal: Uuid, contact: Option<Uuid>, p: Payload) {
            let id = self.0.len() as i64 + 1;
            self.0.push(Event {
                id,
                at: at(minute),
                kind: p.kind().to_owned(),
                actor: Actor::System,
                actor_id: None,
                appeal_id: Some(appeal),
                client_id: Some(Uuid::from_u128(7)),
                interaction_id: contact,
                data: p.to_json(),
            });
        }
    }

    fn opened(topic: Option<Uuid>) -> Payload {
        Payload::AppealCreated(AppealCreated {
            kind: AppealKind::Request,
            channel: Channel::Voice,
            language: Language::Kk,
            priority: 3,
            topic_id: topic,
            queue_id: None,
            split_from: None,
        })
    }

    fn moved(from: InteractionState, state: InteractionState) -> Payload {
        Payload::ContactMoved(ContactMoved {
            from: Some(from),
            state,
            operator_id: Some(Uuid::from_u128(9)),
            channel: Some(Channel::Voice),
            queue_id: None,
            via: None,
            at: None,
        })
    }

    fn resolved(first: Option<bool>) -> Payload {
        Payload::StatusChanged(StatusChanged {
            from: AppealStatus::InProgress,
            to: AppealStatus::Answered,
            reason: None,
            first_contact_resolved: first,
        })
    }

    /// One appeal per thing a KPI looks at.
    fn log() -> Vec<Event> {
        let mut l = Log(Vec::new());
        let topic = Some(Uuid::from_u128(1));
        let (a, call) = (Uuid::from_u128(100), Uuid::from_u128(101));
        l.push(0, a, None, opened(topic));
        l.push(
            0,
            a,
            Some(call),
            Payload::ContactStarted(ContactStarted {
                channel: Channel::Voice,
                direction: Direction::Inbound,
                state: InteractionState::Queued,
                queue_id: None,
                via: None,
                at: None,
                operator_id: None,
            }),
        );
        l.push(
            1,
            a,
            Some(call),
            moved(InteractionState::Queued, InteractionState::Answered),
        );
        // A chat of another appeal, with the operator's first reply (first response).
        let (b, chat) = (Uuid::from_u128(400), Uuid::from_u128(104));
        l.push(2, b, None, opened(None));
        l.push(
            2,
            b,
            Some(chat),
            Payload::ContactStarted(ContactStarted {
                channel: Channel::WebChat,
                direction: Direction::Inbound,
                state: InteractionState::Answered,
                queue_id: None,
                via: None,
                at: None,
                operator_id: Some(Uuid::from_u128(9)),
            }),
        );
        l.push(
            3,
            b,
            Some(chat),
            Payload::MessageAdded(MessageAdded {
                message_id: Uuid::from_u128(102),
                seq: 1,
                author: Author::Operator,
                kind: baylanys_domain::MessageKind::Text,
                channel: Channel::WebChat,
                direction: Direction::Outbound,
            }),
        );
        l.push(
            4,
            a,
            Some(call),
            moved(InteractionState::Answered, InteractionState::Ended),
        );
        l.push(5, a, None, resolved(Some(true)));
        l.push(
            6,
            a,
            None,
            Payload::SurveyAnswered(SurveyAnswered {
                score: 5,
                channel: Some(Channel::Voice),
                assignee_id: None,
                commented: false,
            }),
        );
        l.push(
            7,
            a,
            Some(call),
            Payload::QaReviewed(QaReviewed {
                review_id: Uuid::from_u128(103),
                interaction_id: Some(call),
                operator_id: Some(Uuid::from_u128(9)),
                channel: Some(Channel::Voice),
                queue_id: None,
                total: Some(90.0),
                accurate: true,
            }),
        );
        l.push(
            8,
            a,
            None,
            Payload::ComplaintDecided(ComplaintDecided {
                confirmed: true,
                category: ComplaintCategory::Waiting,
                about_operator_id: None,
                topic_id: None,
            }),
        );
        // Sent on to a body, and escalated: each alone keeps its appeal out of FCR.
        let r = Uuid::from_u128(200);
        l.push(10, r, None, opened(None));
        l.push(
            11,
            r,
            None,
            Payload::Redirected(Redirected {
                redirection_id: Uuid::from_u128(201),
                from_status: None,
                from_body: None,
                to_body: Uuid::from_u128(202),
                department_id: None,
                due_at: None,
                late: false,
                reason: None,
            }),
        );
        l.push(12, r, None, resolved(None));
        let e = Uuid::from_u128(300);
        l.push(13, e, None, opened(None));
        l.push(
            14,
            e,
            None,
            Payload::RoutingEscalated(RoutingMoved {
                from_interaction: Uuid::from_u128(301),
                from_operator: None,
                to_queue: None,
                to_operator: None,
                reason: None,
                reason_note_id: None,
            }),
        );
        l.push(15, e, None, resolved(None));
        l.0
    }

    fn run(events: &[Event]) -> Vec<Contribution> {
        contributions(at(0), at(59), &KpiSettings::default(), events, events)
    }

    #[test]
    fn every_kind_a_kpi_reads_has_a_reader() {
        let all = log();
        let whole = run(&all);
        let mut kinds: Vec<&str> = WINDOW_KINDS.iter().chain(HISTORY_KINDS).copied().collect();
        kinds.sort_unstable();
        kinds.dedup();
        for kind in kinds {
            assert!(
                Payload::KINDS.contains(&kind),
                "{kind} has no typed payload"
            );
            let without: Vec<Event> = all.iter().filter(|e| e.kind != kind).cloned().collect();
            assert!(
                without.len() < all.len(),
                "the test log has no {kind} event"
            );
            assert_ne!(run(&without), whole, "nothing reads {kind}");
        }
        // And the operator's "not at the first contact" is read too.
        let mut said_not = all.clone();
        if let Some(e) = said_not
            .iter_mut()
            .find(|e| e.kind == k::APPEAL_STATUS_CHANGED)
        {
            e.data = resolved(Some(false)).to_json();
        }
        assert_ne!(run(&said_not), whole);
    }
}
