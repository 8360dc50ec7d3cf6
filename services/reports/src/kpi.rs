//! The KPI engine (Appendix 1; DESIGN "KPI definitions"). `compute` reads the events of a period
//! — plus what the definitions need around it: a call's answer after the period ended, a repeat
//! contact within the days after a resolution — and folds them into figures:
//!
//! - **wait after the voice menu**: mean of (answered − entered the queue) over voice calls that
//!   entered a queue in the period and were answered; also with the abandoned calls' waits;
//! - **lost calls**: calls that entered the queue and were abandoned before an answer ÷ calls
//!   that entered (abandons shorter than the setting are left out of both);
//! - **service level**: calls answered within the setting's seconds ÷ calls that entered;
//! - **CSAT**: mean score and share of 4–5 among survey answers given in the period;
//! - **FCR**: appeals resolved in the period in their first contact, never redirected or
//!   escalated, not reopened, and with no new appeal of the client on the same topic within the
//!   setting's days ÷ appeals resolved in the period;
//! - **AHT**: mean of (ended − answered) over contacts answered in the period, minutes;
//! - **first response**: mean of (first staff message − contact started) over written contacts;
//! - volumes by channel (report rows 13–14) and confirmed complaints (row 20).
//!
//! A transferred contact's second leg is part of the same call: it is not a new entry into the
//! queue. A part split from an appeal is not a new appeal received.

use std::collections::{BTreeMap, HashMap, HashSet};

use baylanys_domain::event_kind as k;
use baylanys_domain::kpi::{Band, BandStatus, KpiSettings};
use baylanys_domain::Channel;
use baylanys_store::{Event, Store, StoreResult};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

/// The period and the slice to compute for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KpiQuery {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub channel: Option<Channel>,
    pub queue_id: Option<Uuid>,
    pub topic_id: Option<Uuid>,
    pub operator_id: Option<Uuid>,
}

/// One figure with the number of cases it rests on and, for a KPI, its band.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Figure {
    /// `None` when there is nothing to compute it from (no calls, no answers).
    pub value: Option<f64>,
    /// The cases behind it (calls, answers, appeals, contacts).
    pub count: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub band: Option<Band>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<BandStatus>,
}

impl Figure {
    fn of(value: Option<f64>, count: u64, band: Option<Band>) -> Figure {
        let value = value.map(|v| (v * 100.0).round() / 100.0);
        Figure {
            value,
            count,
            band,
            status: band.zip(value).map(|(b, v)| b.status(v)),
        }
    }
}

/// The KPIs of a period.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Kpis {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Appeals received (report row 13), and by channel (row 14).
    pub appeals_received: u64,
    pub appeals_by_channel: BTreeMap<String, u64>,
    /// Voice calls that entered a queue after the voice menu, were answered, were lost.
    pub calls_entered: u64,
    pub calls_answered: u64,
    pub calls_lost: u64,
    /// KPI 1 (row 15), seconds.
    pub wait_after_ivr_secs: Figure,
    /// The same mean with the abandoned calls' waits included.
    pub wait_with_abandoned_secs: Figure,
    /// KPI 5 (row 18), %.
    pub lost_calls_pct: Figure,
    pub service_level_pct: Figure,
    /// KPI 3 (row 16).
    pub csat_mean: Figure,
    pub csat_share_pct: Figure,
    /// KPI 4 (row 17), %.
    pub fcr_pct: Figure,
    /// KPI 2, %: QA reviews in the period passing accuracy, completeness and procedure ÷ QA
    /// reviews (R26–R28); none until reviews are recorded.
    pub accuracy_pct: Figure,
    /// Row 19, minutes.
    pub aht_minutes: Figure,
    pub first_response_secs: Figure,
    /// Row 20.
    pub complaints_confirmed: u64,
    /// How long answered calls waited after the voice menu: calls per bucket of
    /// [`WAIT_BUCKETS`] seconds (the last bucket is everything longer).
    pub wait_distribution: Vec<u64>,
}

/// The events behind each figure, by event id (R35: auditable down to the event).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Trace {
    /// `appeal.created` of the appeals received (rows 13–14).
    pub received: Vec<i64>,
    /// The answer (`interaction.updated` to answered) of each call that entered the queue.
    pub calls_answered: Vec<i64>,
    /// The abandonment of each lost call (row 18).
    pub calls_lost: Vec<i64>,
    /// `survey.answered` (row 16).
    pub surveys: Vec<i64>,
    /// Each resolution (`appeal.status_changed`) and whether it was at the first contact (row 17).
    pub resolutions: Vec<(i64, bool)>,
    /// The end of each handled contact (row 19).
    pub handled: Vec<i64>,
    /// `complaint.decided`, confirmed (row 20).
    pub complaints: Vec<i64>,
    /// `qa.reviewed` (KPI 2).
    pub reviews: Vec<i64>,
}

/// The version of what a day's kept totals hold; a change makes them computed again.
const ENGINE: u32 = 2;

/// Upper bounds, in seconds, of the buckets of the wait distribution; one more bucket holds the
/// longer waits.
pub const WAIT_BUCKETS: [f64; 6] = [10.0, 20.0, 40.0, 60.0, 120.0, 300.0];

fn bucket(wait: f64) -> usize {
    WAIT_BUCKETS
        .iter()
        .position(|b| wait <= *b)
        .unwrap_or(WAIT_BUCKETS.len())
}

/// The event kinds the engine reads in its window.
const WINDOW_KINDS: &[&str] = &[
    k::APPEAL_CREATED,
    k::INTERACTION_STARTED,
    k::INTERACTION_UPDATED,
    k::MESSAGE_ADDED,
    k::APPEAL_STATUS_CHANGED,
    k::SURVEY_ANSWERED,
    k::COMPLAINT_DECIDED,
    k::QA_REVIEWED,
];

/// Per appeal, before its resolution: contacts, redirections, escalations, reopenings.
const HISTORY_KINDS: &[&str] = &[
    k::APPEAL_CREATED,
    k::INTERACTION_STARTED,
    k::APPEAL_REDIRECTED,
    k::ROUTING_ESCALATED,
    k::APPEAL_STATUS_CHANGED,
];

/// How long after the period a call's answer or abandonment is still looked for.
const CALL_TAIL_HOURS: i64 = 24;

/// How far after an instant the definitions still look: a call's answer (a day), a repeat
/// contact after a resolution (the setting's days).
fn tail(settings: &KpiSettings) -> Duration {
    Duration::days(i64::from(settings.repeat_contact_days)).max(Duration::hours(CALL_TAIL_HOURS))
}

/// The figures of the period. An unsliced period's past local days are summed from their
/// totals, each computed from the log once the definitions can no longer change it and kept in
/// `kpi_days` (R35: a half-year over millions of events in seconds, while ingestion goes on);
/// the rest of the period, and any slice, is computed from the log as it is.
pub async fn kpis(store: &dyn Store, q: &KpiQuery) -> StoreResult<Kpis> {
    let sliced = q.channel.is_some()
        || q.queue_id.is_some()
        || q.topic_id.is_some()
        || q.operator_id.is_some();
    if sliced {
        return Ok(kpis_traced(store, q).await?.0);
    }
    let settings = store.kpi_settings().await?;
    // Kept totals are reused only with the same settings and the same engine.
    let key = format!(
        "{ENGINE}:{}",
        serde_json::to_string(&settings).unwrap_or_default()
    );
    // Days ending before this are final.
    let settled = baylanys_store::now() - tail(&settings) - Duration::hours(1);
    let mut total = Sums::default();
    let mut live: Vec<(DateTime<Utc>, DateTime<Utc>)> = Vec::new();
    let mut cursor = q.from;
    let (mut day, mut start, mut end) = crate::dashboard::local_day(q.from);
    if start < q.from {
        (day, start, end) = crate::dashboard::local_day(end);
    }
    while end <= q.to && end <= settled {
        if cursor < start {
            live.push((cursor, start));
        }
        let name = day.format("%Y-%m-%d").to_string();
        let cached = store.kpi_day(&name).await?.and_then(|(k, sums)| {
            (k == key)
                .then(|| serde_json::from_str::<Sums>(&sums).ok())
                .flatten()
        });
        let sums = match cached {
            Some(s) => s,
            None => {
                let one = KpiQuery {
                    from: start,
                    to: end,
                    ..q.clone()
                };
                let (_, window, history) = read(store, &one).await?;
                let (s, _) = compute_sums(&one, &settings, &window, &history);
                if let Ok(json) = serde_json::to_string(&s) {
                    store.save_kpi_day(&name, &key, &json).await?;
                }
                s
            }
        };
        total.add(&sums);
        cursor = end;
        (day, start, end) = crate::dashboard::local_day(end);
    }
    if cursor < q.to {
        live.push((cursor, q.to));
    }
    for (from, to) in live {
        let part = KpiQuery {
            from,
            to,
            ..q.clone()
        };
        let (_, window, history) = read(store, &part).await?;
        total.add(&compute_sums(&part, &settings, &window, &history).0);
    }
    Ok(total.kpis(q.from, q.to, &settings))
}

/// As [`kpis`], with the events behind each figure.
pub async fn kpis_traced(store: &dyn Store, q: &KpiQuery) -> StoreResult<(Kpis, Trace)> {
    let (settings, window, history) = read(store, q).await?;
    Ok(compute_traced(q, &settings, &window, &history))
}

/// What a period's figures are computed from, read once: several slices of the same period
/// (per day, per queue, per operator) are then computed from it without reading again.
pub async fn read(
    store: &dyn Store,
    q: &KpiQuery,
) -> StoreResult<(KpiSettings, Vec<Event>, Vec<Event>)> {
    let settings = store.kpi_settings().await?;
    let tail = tail(&settings);
    let calls = Duration::hours(CALL_TAIL_HOURS);
    // The period itself, and around it only what the definitions look at: contacts that started
    // the day before, the answers, ends and first replies of the day after, and the new appeals
    // of the repeat-contact window. Messages, the bulk of the log, are read for one day at most.
    let mut window = store.scan_events(WINDOW_KINDS, q.from, q.to).await?;
    window.extend(
        store
            .scan_events(
                &[k::INTERACTION_STARTED, k::INTERACTION_UPDATED],
                q.from - calls,
                q.from,
            )
            .await?,
    );
    window.extend(
        store
            .scan_events(
                &[k::INTERACTION_UPDATED, k::MESSAGE_ADDED],
                q.to,
                q.to + calls,
            )
            .await?,
    );
    window.extend(
        store
            .scan_events(&[k::APPEAL_CREATED], q.to, q.to + tail)
            .await?,
    );
    window.sort_by_key(|e| e.id);
    // What each appeal touched in the period was when it came in, and its history.
    let mut appeals: Vec<Uuid> = window.iter().filter_map(|e| e.appeal_id).collect();
    appeals.sort();
    appeals.dedup();
    let history = store.events_of_appeals(&appeals, HISTORY_KINDS).await?;
    Ok((settings, window, history))
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

fn pct(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| 100.0 * part as f64 / whole as f64)
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
    answered: Option<(DateTime<Utc>, Option<Uuid>)>,
    ended: Option<DateTime<Utc>>,
    abandoned: Option<DateTime<Utc>>,
    /// The events of the answer, the end and the abandonment.
    answered_id: Option<i64>,
    ended_id: Option<i64>,
    abandoned_id: Option<i64>,
    first_staff_message: Option<DateTime<Utc>>,
}

/// The figures, from the events of the window and the histories of the appeals in it.
pub fn compute(q: &KpiQuery, s: &KpiSettings, window: &[Event], history: &[Event]) -> Kpis {
    compute_traced(q, s, window, history).0
}

/// As [`compute`], with the events behind each figure.
pub fn compute_traced(
    q: &KpiQuery,
    s: &KpiSettings,
    window: &[Event],
    history: &[Event],
) -> (Kpis, Trace) {
    let (sums, trace) = compute_sums(q, s, window, history);
    (sums.kpis(q.from, q.to, s), trace)
}

/// The totals of the period, and the events behind them.
pub fn compute_sums(
    q: &KpiQuery,
    s: &KpiSettings,
    window: &[Event],
    history: &[Event],
) -> (Sums, Trace) {
    let mut trace = Trace::default();
    let in_period = |at: DateTime<Utc>| at >= q.from && at < q.to;
    let channel = q.channel.map(|c| c.as_str());
    let openings: HashMap<Uuid, Opening> = history
        .iter()
        .chain(window)
        .filter(|e| e.kind == k::APPEAL_CREATED)
        .filter_map(|e| Some((e.appeal_id?, Opening::of(e))))
        .collect();
    let appeal_matches = |appeal: Option<Uuid>| {
        let o = appeal.and_then(|a| openings.get(&a));
        let o = o.cloned().unwrap_or_default();
        channel.is_none_or(|c| o.channel.as_deref() == Some(c))
            && q.topic_id.is_none_or(|t| o.topic_id == Some(t))
            && q.queue_id.is_none_or(|x| o.queue_id == Some(x))
    };

    // Volumes (rows 13–14).
    let mut appeals_by_channel = BTreeMap::new();
    let mut appeals_received = 0;
    for e in window
        .iter()
        .filter(|e| e.kind == k::APPEAL_CREATED && in_period(e.at))
    {
        let o = Opening::of(e);
        if o.split || !appeal_matches(e.appeal_id) {
            continue;
        }
        appeals_received += 1;
        trace.received.push(e.id);
        *appeals_by_channel
            .entry(o.channel.unwrap_or_else(|| "unknown".into()))
            .or_insert(0) += 1;
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
            }
            k::INTERACTION_UPDATED => {
                let c = contacts.entry(id).or_default();
                if c.channel.is_none() {
                    c.channel = text(e, "channel").map(str::to_owned);
                }
                match text(e, "state") {
                    Some("answered") if c.answered.is_none() => {
                        c.answered = Some((e.at, uuid(e, "operator_id")));
                        c.answered_id = Some(e.id);
                    }
                    Some("ended") if c.ended.is_none() => {
                        c.ended = Some(e.at);
                        c.ended_id = Some(e.id);
                    }
                    Some("abandoned") if c.abandoned.is_none() => {
                        c.abandoned = Some(e.at);
                        c.abandoned_id = Some(e.id);
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
    // A contact registered by staff is answered when it starts.
    for e in window.iter().filter(|e| e.kind == k::INTERACTION_STARTED) {
        if let (Some(id), Some("answered")) = (e.interaction_id, text(e, "state")) {
            if let Some(c) = contacts.get_mut(&id) {
                if c.answered.is_none() {
                    c.answered = Some((e.at, e.actor_id));
                    c.answered_id = Some(e.id);
                }
            }
        }
    }

    // Calls after the voice menu (KPIs 1 and 5, service level).
    let (mut entered, mut answered_n, mut lost, mut within_sl) = (0u64, 0u64, 0u64, 0u64);
    let (mut waits, mut waits_all) = (Vec::new(), Vec::new());
    let mut distribution = vec![0u64; WAIT_BUCKETS.len() + 1];
    for c in contacts.values() {
        let Some(started) = c.started else { continue };
        let call = c.queued
            && !c.transfer
            && c.channel.as_deref() == Some(Channel::Voice.as_str())
            && in_period(started);
        if !call
            || q.queue_id.is_some_and(|x| c.queue_id != Some(x))
            || q.topic_id.is_some() && !appeal_matches(c.appeal_id)
        {
            continue;
        }
        match (c.answered, c.abandoned) {
            (Some((at, op)), _) => {
                if q.operator_id.is_some_and(|o| op != Some(o)) {
                    continue;
                }
                entered += 1;
                answered_n += 1;
                trace.calls_answered.extend(c.answered_id);
                let w = secs(started, at);
                within_sl += u64::from(w <= f64::from(s.service_level_secs));
                waits.push(w);
                if let Some(n) = distribution.get_mut(bucket(w)) {
                    *n += 1;
                }
                waits_all.push(w);
            }
            (None, Some(at)) => {
                if q.operator_id.is_some() {
                    continue;
                }
                let w = secs(started, at);
                if w < f64::from(s.short_abandon_secs) {
                    continue;
                }
                entered += 1;
                lost += 1;
                trace.calls_lost.extend(c.abandoned_id);
                waits_all.push(w);
            }
            // Still waiting, or its end is beyond what was read: not decided yet.
            (None, None) => {}
        }
    }

    // AHT and first response, over contacts answered in the period.
    let (mut handling, mut first_response) = (Vec::new(), Vec::new());
    for c in contacts.values() {
        let Some((answered_at, op)) = c.answered else {
            continue;
        };
        if !in_period(answered_at)
            || channel.is_some_and(|ch| c.channel.as_deref() != Some(ch))
            || q.operator_id.is_some_and(|o| op != Some(o))
            || q.queue_id.is_some_and(|x| c.queue_id != Some(x))
            || q.topic_id.is_some() && !appeal_matches(c.appeal_id)
        {
            continue;
        }
        if let Some(end) = c.ended {
            handling.push(secs(answered_at, end) / 60.0);
            trace.handled.extend(c.ended_id);
        }
        if c.channel.as_deref() != Some(Channel::Voice.as_str()) {
            if let (Some(start), Some(first)) = (c.started, c.first_staff_message) {
                first_response.push(secs(start, first));
            }
        }
    }

    // Satisfaction (KPI 3).
    let rated: Vec<(i64, f64)> = window
        .iter()
        .filter(|e| e.kind == k::SURVEY_ANSWERED && in_period(e.at))
        .filter(|e| appeal_matches(e.appeal_id))
        .filter(|e| {
            q.operator_id
                .is_none_or(|o| uuid(e, "assignee_id") == Some(o))
        })
        .filter_map(|e| Some((e.id, e.data.get("score").and_then(Value::as_f64)?)))
        .collect();
    trace.surveys = rated.iter().map(|(id, _)| *id).collect();
    let scores: Vec<f64> = rated.iter().map(|(_, s)| *s).collect();
    let satisfied = scores.iter().filter(|s| **s >= 4.0).count() as u64;

    // First contact resolution (KPI 4).
    trace.resolutions = first_contact(q, s, window, history, &openings, &appeal_matches);
    let resolved = trace.resolutions.len() as u64;
    let fcr = trace.resolutions.iter().filter(|(_, first)| *first).count() as u64;

    // Accuracy (KPI 2; R26–R28): reviews recorded in the period, accurate ÷ all. A review
    // carries the contact's operator, channel and queue; the topic is the appeal's.
    let reviewed: Vec<(i64, bool)> = window
        .iter()
        .filter(|e| e.kind == k::QA_REVIEWED && in_period(e.at))
        .filter(|e| channel.is_none_or(|c| text(e, "channel") == Some(c)))
        .filter(|e| {
            q.operator_id
                .is_none_or(|o| uuid(e, "operator_id") == Some(o))
        })
        .filter(|e| q.queue_id.is_none_or(|x| uuid(e, "queue_id") == Some(x)))
        .filter(|e| {
            q.topic_id.is_none_or(|t| {
                let o = e.appeal_id.and_then(|a| openings.get(&a));
                o.and_then(|o| o.topic_id) == Some(t)
            })
        })
        .map(|e| {
            (
                e.id,
                e.data.get("accurate").and_then(Value::as_bool) == Some(true),
            )
        })
        .collect();
    trace.reviews = reviewed.iter().map(|(id, _)| *id).collect();
    let reviews: Vec<bool> = reviewed.iter().map(|(_, a)| *a).collect();
    let accurate = reviews.iter().filter(|a| **a).count() as u64;

    trace.complaints = window
        .iter()
        .filter(|e| e.kind == k::COMPLAINT_DECIDED && in_period(e.at))
        .filter(|e| e.data.get("confirmed").and_then(Value::as_bool) == Some(true))
        .filter(|e| appeal_matches(e.appeal_id))
        .map(|e| e.id)
        .collect();
    let complaints_confirmed = trace.complaints.len() as u64;

    let sums = Sums {
        appeals_received,
        appeals_by_channel,
        calls_entered: entered,
        calls_answered: answered_n,
        calls_lost: lost,
        calls_within_sl: within_sl,
        wait_sum: waits.iter().sum(),
        wait_all_sum: waits_all.iter().sum(),
        wait_all_n: waits_all.len() as u64,
        csat_sum: scores.iter().sum(),
        csat_n: scores.len() as u64,
        csat_satisfied: satisfied,
        resolved,
        fcr,
        reviews: reviews.len() as u64,
        accurate,
        aht_sum: handling.iter().sum(),
        aht_n: handling.len() as u64,
        first_response_sum: first_response.iter().sum(),
        first_response_n: first_response.len() as u64,
        complaints_confirmed,
        wait_distribution: distribution,
    };
    (sums, trace)
}

/// The additive totals every figure is a ratio of: the figures of several periods (e.g. the
/// days of a half-year) are their summed totals' ratios.
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct Sums {
    pub appeals_received: u64,
    pub appeals_by_channel: BTreeMap<String, u64>,
    pub calls_entered: u64,
    pub calls_answered: u64,
    pub calls_lost: u64,
    pub calls_within_sl: u64,
    pub wait_sum: f64,
    pub wait_all_sum: f64,
    pub wait_all_n: u64,
    pub csat_sum: f64,
    pub csat_n: u64,
    pub csat_satisfied: u64,
    pub resolved: u64,
    pub fcr: u64,
    pub reviews: u64,
    pub accurate: u64,
    pub aht_sum: f64,
    pub aht_n: u64,
    pub first_response_sum: f64,
    pub first_response_n: u64,
    pub complaints_confirmed: u64,
    /// Answered calls per wait bucket (kept totals from before it was counted read as empty).
    #[serde(default)]
    pub wait_distribution: Vec<u64>,
}

fn ratio(sum: f64, n: u64) -> Option<f64> {
    (n > 0).then(|| sum / n as f64)
}

impl Sums {
    pub fn add(&mut self, o: &Sums) {
        self.appeals_received += o.appeals_received;
        for (c, n) in &o.appeals_by_channel {
            *self.appeals_by_channel.entry(c.clone()).or_insert(0) += n;
        }
        self.calls_entered += o.calls_entered;
        self.calls_answered += o.calls_answered;
        self.calls_lost += o.calls_lost;
        self.calls_within_sl += o.calls_within_sl;
        self.wait_sum += o.wait_sum;
        self.wait_all_sum += o.wait_all_sum;
        self.wait_all_n += o.wait_all_n;
        self.csat_sum += o.csat_sum;
        self.csat_n += o.csat_n;
        self.csat_satisfied += o.csat_satisfied;
        self.resolved += o.resolved;
        self.fcr += o.fcr;
        self.reviews += o.reviews;
        self.accurate += o.accurate;
        self.aht_sum += o.aht_sum;
        self.aht_n += o.aht_n;
        self.first_response_sum += o.first_response_sum;
        self.first_response_n += o.first_response_n;
        self.complaints_confirmed += o.complaints_confirmed;
        if self.wait_distribution.len() < o.wait_distribution.len() {
            self.wait_distribution.resize(o.wait_distribution.len(), 0);
        }
        for (a, b) in self.wait_distribution.iter_mut().zip(&o.wait_distribution) {
            *a += b;
        }
    }

    /// The figures of `[from, to)` from its totals, against the settings' bands.
    pub fn kpis(&self, from: DateTime<Utc>, to: DateTime<Utc>, s: &KpiSettings) -> Kpis {
        Kpis {
            from,
            to,
            appeals_received: self.appeals_received,
            appeals_by_channel: self.appeals_by_channel.clone(),
            calls_entered: self.calls_entered,
            calls_answered: self.calls_answered,
            calls_lost: self.calls_lost,
            wait_after_ivr_secs: Figure::of(
                ratio(self.wait_sum, self.calls_answered),
                self.calls_answered,
                Some(s.wait_after_ivr_secs),
            ),
            wait_with_abandoned_secs: Figure::of(
                ratio(self.wait_all_sum, self.wait_all_n),
                self.wait_all_n,
                None,
            ),
            lost_calls_pct: Figure::of(
                pct(self.calls_lost, self.calls_entered),
                self.calls_entered,
                Some(s.lost_calls_pct),
            ),
            service_level_pct: Figure::of(
                pct(self.calls_within_sl, self.calls_entered),
                self.calls_entered,
                None,
            ),
            csat_mean: Figure::of(
                ratio(self.csat_sum, self.csat_n),
                self.csat_n,
                Some(s.csat_mean),
            ),
            csat_share_pct: Figure::of(
                pct(self.csat_satisfied, self.csat_n),
                self.csat_n,
                Some(s.csat_share_pct),
            ),
            fcr_pct: Figure::of(pct(self.fcr, self.resolved), self.resolved, Some(s.fcr_pct)),
            accuracy_pct: Figure::of(
                pct(self.accurate, self.reviews),
                self.reviews,
                Some(s.accuracy_pct),
            ),
            aht_minutes: Figure::of(ratio(self.aht_sum, self.aht_n), self.aht_n, None),
            first_response_secs: Figure::of(
                ratio(self.first_response_sum, self.first_response_n),
                self.first_response_n,
                None,
            ),
            complaints_confirmed: self.complaints_confirmed,
            wait_distribution: {
                let mut d = self.wait_distribution.clone();
                d.resize(WAIT_BUCKETS.len() + 1, 0);
                d
            },
        }
    }
}

/// A client and the topic of their appeal: a new appeal on the same pair is a repeat contact.
type ClientTopic = (Uuid, Option<Uuid>);

/// Each resolution in the period, and whether it came at the first contact.
fn first_contact(
    q: &KpiQuery,
    s: &KpiSettings,
    window: &[Event],
    history: &[Event],
    openings: &HashMap<Uuid, Opening>,
    appeal_matches: &dyn Fn(Option<Uuid>) -> bool,
) -> Vec<(i64, bool)> {
    let is_resolution = |e: &Event| {
        e.kind == k::APPEAL_STATUS_CHANGED
            && match text(e, "to") {
                Some("answered") => true,
                // Closing an answered appeal is not a second resolution.
                Some("closed") => text(e, "from") != Some("answered"),
                _ => false,
            }
    };
    // Each appeal's first resolution in the period.
    let mut resolutions: BTreeMap<Uuid, &Event> = BTreeMap::new();
    for e in window
        .iter()
        .filter(|e| is_resolution(e) && e.at >= q.from && e.at < q.to)
    {
        if let Some(a) = e.appeal_id {
            resolutions.entry(a).or_insert(e);
        }
    }
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
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for (appeal, e) in resolutions {
        if !appeal_matches(Some(appeal)) || q.operator_id.is_some_and(|o| e.actor_id != Some(o)) {
            continue;
        }
        if !seen.insert(appeal) {
            continue;
        }
        let events = by_appeal.get(&appeal).map(Vec::as_slice).unwrap_or(&[]);
        let before = |x: &&&Event| x.id < e.id;
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
        out.push((e.id, contacts <= 1 && !sent_on && !reopened && !repeated));
    }
    out
}

/// Computes and keeps the totals of every settled day of this and the previous half-year that
/// is not kept yet, so the first report of a half-year does not pay for them (run in the
/// background by the server). Returns how long it took.
pub async fn warm(store: &dyn Store) -> StoreResult<std::time::Duration> {
    let started = std::time::Instant::now();
    let today = crate::boqbe::today();
    let current = crate::boqbe::current(today);
    let previous = if current.half == 1 {
        crate::boqbe::HalfYear {
            year: current.year - 1,
            half: 2,
        }
    } else {
        crate::boqbe::HalfYear {
            year: current.year,
            half: 1,
        }
    };
    let (from, _) = previous.bounds();
    // Up to the last settled midnight: nothing is computed that would not be kept.
    let settings = store.kpi_settings().await?;
    let settled = baylanys_store::now() - tail(&settings) - Duration::hours(1);
    let (_, to, _) = crate::dashboard::local_day(settled);
    if to <= from {
        return Ok(started.elapsed());
    }
    let q = KpiQuery {
        from,
        to,
        channel: None,
        queue_id: None,
        topic_id: None,
        operator_id: None,
    };
    kpis(store, &q).await?;
    Ok(started.elapsed())
}
