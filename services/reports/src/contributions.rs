//! The engine's one reading of the log: each event that counts towards a figure becomes a
//! [`Contribution`] — a call answered after so many seconds, a resolution at the first contact
//! or not — with the instant it counts at and the slices it belongs to. Every figure of any
//! period and slice is a fold of the contributions whose instant is in the period and whose tags
//! match; a contribution never depends on the period it is read for, so the totals of days and
//! hours kept once add up to what reading the whole period would give (R35).

use std::collections::{BTreeMap, HashMap, HashSet};

use baylanys_domain::event_kind as k;
use baylanys_domain::kpi::KpiSettings;
use baylanys_domain::Channel;
use baylanys_store::Event;
use chrono::{DateTime, Duration, Utc};
use serde_json::Value;
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
    /// A call that entered the queue after the voice menu and was answered after `wait` s.
    Answered { wait: f64 },
    /// A call abandoned after `wait` s (not shorter than the short-abandon setting).
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

fn text<'a>(e: &'a Event, field: &str) -> Option<&'a str> {
    e.data.get(field).and_then(Value::as_str)
}

fn uuid(e: &Event, field: &str) -> Option<Uuid> {
    text(e, field).and_then(|s| s.parse().ok())
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
    fn of(e: &Event) -> Opening {
        Opening {
            channel: text(e, "channel").map(str::to_owned),
            topic_id: uuid(e, "topic_id"),
            queue_id: uuid(e, "queue_id"),
            client_id: e.client_id,
            split: e.data.get("split_from").is_some_and(|v| !v.is_null()),
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

#[derive(Debug, Default)]
struct Contact {
    appeal_id: Option<Uuid>,
    started: Option<DateTime<Utc>>,
    channel: Option<String>,
    queue_id: Option<Uuid>,
    /// Entered a queue when it started (a call after the voice menu, a waiting chat).
    queued: bool,
    transfer: bool,
    answered: Option<(DateTime<Utc>, Option<Uuid>, i64)>,
    ended: Option<(DateTime<Utc>, i64)>,
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
    let openings: HashMap<Uuid, Opening> = history
        .iter()
        .chain(window)
        .filter(|e| e.kind == k::APPEAL_CREATED)
        .filter_map(|e| Some((e.appeal_id?, Opening::of(e))))
        .collect();
    let opening = |appeal: Option<Uuid>| {
        appeal
            .and_then(|a| openings.get(&a))
            .cloned()
            .unwrap_or_default()
    };
    let mut out = Vec::new();

    // Volumes (rows 13–14); a part split from an appeal is not a new appeal received.
    for e in window
        .iter()
        .filter(|e| e.kind == k::APPEAL_CREATED && in_period(e.at))
    {
        let o = Opening::of(e);
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

    // Contacts, by interaction.
    let mut contacts: HashMap<Uuid, Contact> = HashMap::new();
    for e in window {
        let Some(id) = e.interaction_id else { continue };
        match e.kind.as_str() {
            k::INTERACTION_STARTED => {
                let c = contacts.entry(id).or_default();
                c.appeal_id = e.appeal_id;
                c.started = Some(e.at);
                c.channel = text(e, "channel").map(str::to_owned);
                c.queue_id = uuid(e, "queue_id");
                c.queued = text(e, "state") == Some("queued");
                c.transfer = text(e, "via") == Some("transfer");
                // A contact registered by staff is answered when it starts.
                if text(e, "state") == Some("answered") && c.answered.is_none() {
                    c.answered = Some((e.at, e.actor_id, e.id));
                }
            }
            k::INTERACTION_UPDATED => {
                let c = contacts.entry(id).or_default();
                if c.channel.is_none() {
                    c.channel = text(e, "channel").map(str::to_owned);
                }
                match text(e, "state") {
                    Some("answered") if c.answered.is_none() => {
                        c.answered = Some((e.at, uuid(e, "operator_id"), e.id));
                    }
                    Some("ended") if c.ended.is_none() => c.ended = Some((e.at, e.id)),
                    Some("abandoned") if c.abandoned.is_none() => {
                        c.abandoned = Some((e.at, e.id));
                    }
                    _ => {}
                }
            }
            k::MESSAGE_ADDED if text(e, "author") == Some("operator") => {
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
        let tags = |operator| Tags {
            channel: c.channel.clone(),
            queue: c.queue_id,
            topic,
            operator,
        };
        // Calls after the voice menu (KPIs 1 and 5, service level), counted when they entered
        // the queue; a transfer's second leg is the same call.
        if let Some(started) = c.started.filter(|at| in_period(*at)) {
            let call =
                c.queued && !c.transfer && c.channel.as_deref() == Some(Channel::Voice.as_str());
            match (call, c.answered, c.abandoned) {
                (false, _, _) => {}
                (true, Some((at, op, id)), _) => out.push(Contribution {
                    id,
                    at: started,
                    tags: tags(op),
                    fact: Fact::Answered {
                        wait: secs(started, at),
                    },
                }),
                (true, None, Some((at, id))) => {
                    let wait = secs(started, at);
                    if wait >= f64::from(s.short_abandon_secs) {
                        out.push(Contribution {
                            id,
                            at: started,
                            tags: tags(None),
                            fact: Fact::Lost { wait },
                        });
                    }
                }
                // Still waiting, or its end is beyond what was read: not decided yet.
                (true, None, None) => {}
            }
        }
        // Handling and first response, counted when the contact was answered.
        if let Some((answered, op, answered_id)) = c.answered.filter(|a| in_period(a.0)) {
            let written = c.channel.as_deref() != Some(Channel::Voice.as_str());
            out.push(Contribution {
                id: c.ended.map_or(answered_id, |(_, id)| id),
                at: answered,
                tags: tags(op),
                fact: Fact::Handled {
                    minutes: c.ended.map(|(end, _)| secs(answered, end) / 60.0),
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
        match e.kind.as_str() {
            // Satisfaction (KPI 3), filed under the operator the appeal was with.
            k::SURVEY_ANSWERED => {
                if let Some(score) = e.data.get("score").and_then(Value::as_f64) {
                    out.push(Contribution {
                        id: e.id,
                        at: e.at,
                        tags: opening(e.appeal_id).tags(uuid(e, "assignee_id")),
                        fact: Fact::Survey { score },
                    });
                }
            }
            // Accuracy (KPI 2; R26–R28): a review carries the contact's operator, channel and
            // queue; the topic is the appeal's.
            k::QA_REVIEWED => out.push(Contribution {
                id: e.id,
                at: e.at,
                tags: Tags {
                    channel: text(e, "channel").map(str::to_owned),
                    queue: uuid(e, "queue_id"),
                    topic: opening(e.appeal_id).topic_id,
                    operator: uuid(e, "operator_id"),
                },
                fact: Fact::Review {
                    accurate: e.data.get("accurate").and_then(Value::as_bool) == Some(true),
                },
            }),
            k::COMPLAINT_DECIDED
                if e.data.get("confirmed").and_then(Value::as_bool) == Some(true) =>
            {
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
    for (e, first) in first_contact(from, to, s, window, history, &openings) {
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
type ClientTopic = (Uuid, Option<Uuid>);

fn is_resolution(e: &Event) -> bool {
    e.kind == k::APPEAL_STATUS_CHANGED
        && match text(e, "to") {
            Some("answered") => true,
            // Closing an answered appeal is not a second resolution.
            Some("closed") => text(e, "from") != Some("answered"),
            _ => false,
        }
}

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
) -> Vec<(&'a Event, bool)> {
    let mut by_appeal: HashMap<Uuid, Vec<&Event>> = HashMap::new();
    for e in history {
        if let Some(a) = e.appeal_id {
            by_appeal.entry(a).or_default().push(e);
        }
    }
    // New appeals by client and topic, for repeat contacts.
    let mut later: HashMap<ClientTopic, Vec<(DateTime<Utc>, Uuid)>> = HashMap::new();
    for e in window.iter().filter(|e| e.kind == k::APPEAL_CREATED) {
        let o = Opening::of(e);
        if let (Some(client), Some(a), false) = (o.client_id, e.appeal_id, o.split) {
            later
                .entry((client, o.topic_id))
                .or_default()
                .push((e.at, a));
        }
    }
    let repeat = Duration::days(i64::from(s.repeat_contact_days));
    let day_of = |at: DateTime<Utc>| crate::dashboard::local_day(at).0;
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut resolutions: BTreeMap<i64, &Event> = BTreeMap::new();
    for e in window
        .iter()
        .filter(|e| is_resolution(e) && e.at >= from && e.at < to)
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
            .any(|x| is_resolution(x) && day_of(x.at) == day_of(e.at))
        {
            continue;
        }
        let contacts = events
            .iter()
            .filter(before)
            .filter(|x| x.kind == k::INTERACTION_STARTED && text(x, "via") != Some("transfer"))
            .count();
        let sent_on = events
            .iter()
            .filter(before)
            .any(|x| x.kind == k::APPEAL_REDIRECTED || x.kind == k::ROUTING_ESCALATED);
        // Reopened after this resolution, or before it (a second resolution of a reopened
        // appeal is not a first-contact one either).
        let reopened = events.iter().any(|x| {
            x.id != e.id
                && x.kind == k::APPEAL_STATUS_CHANGED
                && matches!(text(x, "from"), Some("answered" | "closed"))
                && !matches!(text(x, "to"), Some("answered" | "closed"))
        });
        let o = openings.get(&appeal).cloned().unwrap_or_default();
        let repeated = o.client_id.is_some_and(|client| {
            later.get(&(client, o.topic_id)).is_some_and(|list| {
                list.iter()
                    .any(|(at, other)| *other != appeal && *at > e.at && *at <= e.at + repeat)
            })
        });
        out.push((e, contacts <= 1 && !sent_on && !reopened && !repeated));
    }
    out
}
