//! The additive totals behind every figure (counts and sums whose ratios are the KPIs), and
//! their fold from contributions, whole or per slice. Totals add up: a half-year's figures are
//! the ratios of its days' summed totals (R35, R36).

use std::collections::BTreeMap;

use baylanys_domain::kpi::KpiSettings;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::contributions::{Contribution, Fact};
use crate::kpi::{Figure, Kpis, Trace};
use crate::KpiQuery;

/// Upper bounds, in seconds, of the buckets of the wait distribution; one more bucket holds the
/// longer waits.
pub const WAIT_BUCKETS: [f64; 6] = [10.0, 20.0, 40.0, 60.0, 120.0, 300.0];

fn bucket(wait: f64) -> usize {
    WAIT_BUCKETS
        .iter()
        .position(|b| wait <= *b)
        .unwrap_or(WAIT_BUCKETS.len())
}

fn pct(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| 100.0 * part as f64 / whole as f64)
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
            as_of: to.min(baylanys_store::now()),
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
                KpiSettings::service_level_pct(self.calls_within_sl, self.calls_entered),
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

impl Sums {
    /// Adds one contribution (the settings say which waits are within the service level).
    pub fn record(&mut self, c: &Contribution, s: &KpiSettings) {
        match &c.fact {
            Fact::Received { channel } => {
                self.appeals_received += 1;
                *self.appeals_by_channel.entry(channel.clone()).or_insert(0) += 1;
            }
            Fact::Answered { wait } => {
                self.calls_entered += 1;
                self.calls_answered += 1;
                self.calls_within_sl += u64::from(s.within_service_level(*wait));
                self.wait_sum += wait;
                self.wait_all_sum += wait;
                self.wait_all_n += 1;
                self.wait_distribution.resize(WAIT_BUCKETS.len() + 1, 0);
                if let Some(n) = self.wait_distribution.get_mut(bucket(*wait)) {
                    *n += 1;
                }
            }
            Fact::Lost { wait } => {
                self.calls_entered += 1;
                self.calls_lost += 1;
                self.wait_all_sum += wait;
                self.wait_all_n += 1;
            }
            Fact::Handled {
                minutes,
                first_response,
            } => {
                if let Some(m) = minutes {
                    self.aht_sum += m;
                    self.aht_n += 1;
                }
                if let Some(f) = first_response {
                    self.first_response_sum += f;
                    self.first_response_n += 1;
                }
            }
            Fact::Survey { score } => {
                self.csat_sum += score;
                self.csat_n += 1;
                self.csat_satisfied += u64::from(*score >= 4.0);
            }
            Fact::Resolution { first } => {
                self.resolved += 1;
                self.fcr += u64::from(*first);
            }
            Fact::Review { accurate } => {
                self.reviews += 1;
                self.accurate += u64::from(*accurate);
            }
            Fact::Confirmed => self.complaints_confirmed += 1,
        }
    }
}

/// The totals of the contributions a query's slice takes, and the events behind each figure.
pub fn fold(q: &KpiQuery, s: &KpiSettings, contributions: &[Contribution]) -> (Sums, Trace) {
    let mut sums = Sums::default();
    let mut trace = Trace::default();
    for c in contributions.iter().filter(|c| c.tags.matches(q)) {
        sums.record(c, s);
        match &c.fact {
            Fact::Received { .. } => trace.received.push(c.id),
            Fact::Answered { .. } => trace.calls_answered.push(c.id),
            Fact::Lost { .. } => trace.calls_lost.push(c.id),
            Fact::Handled { minutes, .. } => {
                if minutes.is_some() {
                    trace.handled.push(c.id);
                }
            }
            Fact::Survey { .. } => trace.surveys.push(c.id),
            Fact::Resolution { first } => trace.resolutions.push((c.id, *first)),
            Fact::Review { .. } => trace.reviews.push(c.id),
            Fact::Confirmed => trace.complaints.push(c.id),
        }
    }
    (sums, trace)
}

/// Totals, whole and for each single slice: what the dashboards ask of a day without reading
/// its events again (per queue and operator for the live view, any one slice for a figure).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Grouped {
    pub total: Sums,
    pub channels: BTreeMap<String, Sums>,
    pub queues: BTreeMap<Uuid, Sums>,
    pub topics: BTreeMap<Uuid, Sums>,
    pub operators: BTreeMap<Uuid, Sums>,
}

/// Which kept totals a query reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Slice {
    All,
    Channel(String),
    Queue(Uuid),
    Topic(Uuid),
    Operator(Uuid),
    /// More than one filter: read from the log.
    Several,
}

impl Slice {
    pub fn of(q: &KpiQuery) -> Slice {
        match (q.channel, q.queue_id, q.topic_id, q.operator_id) {
            (None, None, None, None) => Slice::All,
            (Some(c), None, None, None) => Slice::Channel(c.as_str().to_owned()),
            (None, Some(x), None, None) => Slice::Queue(x),
            (None, None, Some(t), None) => Slice::Topic(t),
            (None, None, None, Some(o)) => Slice::Operator(o),
            _ => Slice::Several,
        }
    }
}

impl Grouped {
    pub fn record(&mut self, c: &Contribution, s: &KpiSettings) {
        self.total.record(c, s);
        if let Some(ch) = &c.tags.channel {
            self.channels.entry(ch.clone()).or_default().record(c, s);
        }
        if let Some(x) = c.tags.queue {
            self.queues.entry(x).or_default().record(c, s);
        }
        if let Some(t) = c.tags.topic {
            self.topics.entry(t).or_default().record(c, s);
        }
        if let Some(o) = c.tags.operator {
            self.operators.entry(o).or_default().record(c, s);
        }
    }

    pub fn of(contributions: &[Contribution], s: &KpiSettings) -> Grouped {
        let mut g = Grouped::default();
        for c in contributions {
            g.record(c, s);
        }
        g
    }

    pub fn add(&mut self, o: &Grouped) {
        fn merge<K: Ord + Clone>(a: &mut BTreeMap<K, Sums>, b: &BTreeMap<K, Sums>) {
            for (k, v) in b {
                a.entry(k.clone()).or_default().add(v);
            }
        }
        self.total.add(&o.total);
        merge(&mut self.channels, &o.channels);
        merge(&mut self.queues, &o.queues);
        merge(&mut self.topics, &o.topics);
        merge(&mut self.operators, &o.operators);
    }

    /// The totals of one slice (empty when nothing fell in it).
    pub fn pick(&self, slice: &Slice) -> Sums {
        let found = match slice {
            Slice::All | Slice::Several => Some(&self.total),
            Slice::Channel(c) => self.channels.get(c),
            Slice::Queue(x) => self.queues.get(x),
            Slice::Topic(t) => self.topics.get(t),
            Slice::Operator(o) => self.operators.get(o),
        };
        found.cloned().unwrap_or_default()
    }
}
