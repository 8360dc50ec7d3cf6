//! The KPI engine (Appendix 1; DESIGN "KPI definitions"). [`read`] takes the events of a period
//! — plus what the definitions need around it: a call's answer after the period ended, a repeat
//! contact within the days after a resolution — and [`crate::contributions`] turns them into
//! figures:
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
//! queue. A part split from an appeal is not a new appeal received. An appeal resolved, reopened
//! and resolved again on one local day is one resolution of that day.
//!
//! Slices: a channel, queue or topic takes what happened on it (a call's queue, an appeal's
//! topic and channel as it came in); an operator takes what that operator did — calls answered,
//! contacts handled, resolutions, surveys of appeals assigned to them, reviews of their contacts —
//! not the appeals received, lost calls or confirmed complaints, which belong to nobody.

use std::collections::BTreeMap;

use baylanys_domain::event_kind as k;
use baylanys_domain::kpi::{Band, BandStatus, KpiSettings};
use baylanys_domain::Channel;
use baylanys_store::{Event, Store, StoreResult};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

pub use crate::sums::WAIT_BUCKETS;

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

impl KpiQuery {
    /// The whole period, unsliced.
    pub fn period(from: DateTime<Utc>, to: DateTime<Utc>) -> KpiQuery {
        KpiQuery {
            from,
            to,
            channel: None,
            queue_id: None,
            topic_id: None,
            operator_id: None,
        }
    }
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
    pub(crate) fn of(value: Option<f64>, count: u64, band: Option<Band>) -> Figure {
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
    /// The log is counted up to this instant: the end of the period, or for a period reaching
    /// the present the moment its figures were last brought up to date (within the refresh).
    pub as_of: DateTime<Utc>,
    /// Appeals received (report row 13), and by channel (row 14).
    pub appeals_received: u64,
    pub appeals_by_channel: BTreeMap<String, u64>,
    /// Voice calls that entered a queue after the voice menu, were answered, were lost; per
    /// queue, filed under the queue that answered or lost them (see
    /// `contributions::Fact::Answered`: one definition of "answered in this queue", shared
    /// with the live view's `answered_today`).
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

impl Trace {
    /// Adds another period's events (periods that do not overlap).
    pub fn append(&mut self, mut o: Trace) {
        self.received.append(&mut o.received);
        self.calls_answered.append(&mut o.calls_answered);
        self.calls_lost.append(&mut o.calls_lost);
        self.surveys.append(&mut o.surveys);
        self.resolutions.append(&mut o.resolutions);
        self.handled.append(&mut o.handled);
        self.complaints.append(&mut o.complaints);
        self.reviews.append(&mut o.reviews);
    }
}

/// The event kinds the engine reads in its window.
pub(crate) const WINDOW_KINDS: &[&str] = &[
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
pub(crate) const HISTORY_KINDS: &[&str] = &[
    k::APPEAL_CREATED,
    k::INTERACTION_STARTED,
    k::APPEAL_REDIRECTED,
    k::ROUTING_ESCALATED,
    k::APPEAL_STATUS_CHANGED,
];

/// How long after the period a call's answer or abandonment is still looked for.
pub(crate) const CALL_TAIL_HOURS: i64 = 24;

/// How far after an instant the definitions still look: a call's answer (a day), a repeat
/// contact after a resolution (the setting's days).
pub(crate) fn tail(settings: &KpiSettings) -> Duration {
    Duration::days(i64::from(settings.repeat_contact_days)).max(Duration::hours(CALL_TAIL_HOURS))
}

/// The figures of the period and slice, from kept day totals where they hold it and from the
/// log where they do not (see [`crate::kept`]). `refresh` is how old the kept totals of days that
/// can still change may be.
pub async fn kpis(store: &dyn Store, q: &KpiQuery, refresh: Duration) -> StoreResult<Kpis> {
    crate::kept::kpis(store, q, refresh).await
}

/// The events behind each figure of the period and slice, read from the log a few days at a
/// time (see [`crate::kept::from_log`]).
pub async fn trace(store: &dyn Store, q: &KpiQuery) -> StoreResult<Trace> {
    Ok(crate::kept::from_log(store, q).await?.1)
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
    // What each appeal with events in the period was when it came in, and its history (the
    // appeals around the period count only through their own events: new appeals, answers).
    let mut appeals: Vec<Uuid> = window
        .iter()
        .filter(|e| e.at >= q.from && e.at < q.to)
        .filter_map(|e| e.appeal_id)
        .collect();
    appeals.sort();
    appeals.dedup();
    let history = store.events_of_appeals(&appeals, HISTORY_KINDS).await?;
    Ok((settings, window, history))
}
