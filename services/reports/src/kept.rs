//! Kept totals: each local (Asia/Almaty) day's totals — whole, per hour, and per single slice —
//! computed from the log once and read instead of it (R35: a half-year over millions of events
//! in seconds, a 30-day dashboard at a glance, while ingestion goes on).
//!
//! A day is **settled** once the definitions can no longer change it (its calls' answers within
//! a day, its resolutions' repeat-contact window): its totals are final. Today and the days not
//! yet settled are kept too, **provisionally**: a background keeper brings them up to date, and a
//! query takes them while they are younger than the refresh setting (ten times that for days
//! whose calls are all decided, which only a repeat contact can still change); a response says
//! `as_of` which instant its figures count the log to. With a zero refresh, figures of unsettled
//! days are always read from the log as it is.
//!
//! Settled means settled for events written as they happen (the product stamps each event with
//! the instant it is written). Importing events dated in the past needs `kpi_days` emptied: it
//! is a cache of the log, computed again on demand and by the keeper.
//!
//! Because a contribution does not depend on the period it is read for (see
//! [`crate::contributions`]), kept days and hours add up to what reading the period would give.

use std::collections::HashMap;

use baylanys_domain::kpi::KpiSettings;
use baylanys_store::{KeptDay, KeptParts, Store, StoreResult};
use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::contributions::contributions;
use crate::dashboard::{local_day, Breakdown, Day, Slice as Row};
use crate::kpi::{read, tail, CALL_TAIL_HOURS};
use crate::sums::{fold, Grouped, Slice, Sums};
use crate::{KpiQuery, Kpis, Trace};

/// The version of what kept totals hold; a change makes them computed again.
/// 5: a contact's figures belong to the queue that answered (or lost) it, not the one it first
/// entered.
const ENGINE: u32 = 5;

/// How long a write may be in flight between stamping its event and committing it.
const IN_FLIGHT_SECS: i64 = 2;

/// Consecutive days computed from one read of the log: what surrounds a day (the day before,
/// the repeat-contact week after) is read once for all of them; more would hold more of the
/// log in memory at once.
const CHUNK: usize = 4;

/// One local day and its bounds.
#[derive(Debug, Clone, Copy)]
struct LocalDay {
    date: NaiveDate,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

impl LocalDay {
    fn name(&self) -> String {
        self.date.format("%Y-%m-%d").to_string()
    }

    fn hour(&self, at: DateTime<Utc>) -> usize {
        usize::try_from((at - self.start).num_hours().clamp(0, 23)).unwrap_or(0)
    }

    fn on_the_hour(&self, at: DateTime<Utc>) -> bool {
        (at - self.start).num_seconds() % 3600 == 0
    }
}

/// The local days `[from, to)` touches (at most 367).
fn days(from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<LocalDay> {
    let mut out = Vec::new();
    let mut at = from;
    while at < to && out.len() < 367 {
        let (date, start, end) = local_day(at);
        out.push(LocalDay { date, start, end });
        at = end;
    }
    out
}

/// A kept day, read back.
#[derive(Debug, Clone)]
struct Totals {
    settled: bool,
    computed_at: DateTime<Utc>,
    total: Sums,
    hours: Vec<Sums>,
    slices: Grouped,
}

impl Totals {
    fn parse(k: &KeptDay, parts: KeptParts) -> Option<Totals> {
        Some(Totals {
            settled: k.settled,
            computed_at: k.computed_at,
            total: serde_json::from_str(&k.total).ok()?,
            hours: if parts.hours {
                serde_json::from_str(&k.hours).ok()?
            } else {
                Vec::new()
            },
            slices: if parts.slices {
                serde_json::from_str(&k.slices).ok()?
            } else {
                Grouped::default()
            },
        })
    }
}

/// What a query needs to decide between kept totals and the log.
struct Keeper<'a> {
    store: &'a dyn Store,
    settings: KpiSettings,
    /// Kept totals are taken only with the same settings and the same engine.
    key: String,
    now: DateTime<Utc>,
    refresh: Duration,
}

impl<'a> Keeper<'a> {
    async fn new(store: &'a dyn Store, refresh: Duration) -> StoreResult<Keeper<'a>> {
        let settings = store.kpi_settings().await?;
        // Only what shapes the totals: a change of a band is applied to kept totals as they are.
        let key = format!(
            "{ENGINE}:repeat={},short={},sl={}",
            settings.repeat_contact_days, settings.short_abandon_secs, settings.service_level_secs
        );
        Ok(Keeper {
            store,
            settings,
            key,
            now: baylanys_store::now(),
            refresh,
        })
    }

    /// Nothing the log can still receive changes the day.
    fn settled(&self, d: &LocalDay) -> bool {
        d.end + tail(&self.settings) + Duration::hours(1) <= self.now
    }

    /// How old a provisional day's totals may be: a day whose calls may still be answered moves
    /// with every contact; after that only a repeat contact changes it.
    fn max_age(&self, d: &LocalDay) -> Duration {
        if self.now < d.end + Duration::hours(CALL_TAIL_HOURS) {
            self.refresh
        } else {
            self.refresh * 10
        }
    }

    fn usable(&self, k: &KeptDay, d: &LocalDay) -> bool {
        k.settings == self.key
            && (k.settled
                || (self.refresh > Duration::zero() && self.now - k.computed_at <= self.max_age(d)))
    }

    /// Reads the events of consecutive days at once (what surrounds them is read once, not per
    /// day) and keeps each day's totals.
    async fn compute(&self, days: &[LocalDay]) -> StoreResult<Vec<(NaiveDate, Totals)>> {
        let (Some(first), Some(last)) = (days.first(), days.last()) else {
            return Ok(Vec::new());
        };
        // The totals count the log at least up to here: an event is stamped when written, before
        // its transaction commits, so one stamped just before the read may not be visible to it.
        let computed_at = baylanys_store::now() - Duration::seconds(IN_FLIGHT_SECS);
        let q = KpiQuery::period(first.start, last.end);
        let (_, window, history) = read(self.store, &q).await?;
        let cs = contributions(first.start, last.end, &self.settings, &window, &history);
        let mut out = Vec::with_capacity(days.len());
        for d in days {
            let mut hours = vec![Sums::default(); 24];
            let mut slices = Grouped::default();
            for c in cs.iter().filter(|c| c.at >= d.start && c.at < d.end) {
                if let Some(h) = hours.get_mut(d.hour(c.at)) {
                    h.record(c, &self.settings);
                }
                slices.record(c, &self.settings);
            }
            let totals = Totals {
                settled: self.settled(d),
                computed_at,
                total: slices.total.clone(),
                hours,
                slices,
            };
            self.store
                .save_kpi_day(&KeptDay {
                    day: d.name(),
                    settings: self.key.clone(),
                    settled: totals.settled,
                    computed_at,
                    total: json(&totals.total),
                    hours: json(&totals.hours),
                    slices: json(&totals.slices),
                })
                .await?;
            out.push((d.date, totals));
        }
        Ok(out)
    }

    /// Computes and keeps these days' totals, consecutive ones [`CHUNK`] at a time.
    async fn compute_all(&self, days: &[LocalDay]) -> StoreResult<Vec<(NaiveDate, Totals)>> {
        let mut out = Vec::with_capacity(days.len());
        let mut run: Vec<LocalDay> = Vec::new();
        for d in days {
            let follows = run.last().is_some_and(|p| p.end == d.start);
            if !follows || run.len() >= CHUNK {
                out.extend(self.compute(&run).await?);
                run.clear();
            }
            run.push(*d);
        }
        out.extend(self.compute(&run).await?);
        Ok(out)
    }

    /// The kept totals of these days, computing (and keeping) those missing or out of date.
    async fn totals(
        &self,
        days: &[LocalDay],
        parts: KeptParts,
    ) -> StoreResult<HashMap<NaiveDate, Totals>> {
        let (Some(first), Some(last)) = (days.first(), days.last()) else {
            return Ok(HashMap::new());
        };
        let kept: HashMap<String, KeptDay> = self
            .store
            .kpi_days(&first.name(), &last.name(), parts)
            .await?
            .into_iter()
            .map(|k| (k.day.clone(), k))
            .collect();
        let mut out = HashMap::new();
        let mut missing = Vec::new();
        for d in days {
            let found = kept
                .get(&d.name())
                .filter(|k| self.usable(k, d))
                .and_then(|k| Totals::parse(k, parts));
            match found {
                Some(t) => {
                    out.insert(d.date, t);
                }
                None => missing.push(*d),
            }
        }
        out.extend(self.compute_all(&missing).await?);
        Ok(out)
    }

    /// The totals of `[a, b)` within day `d`: the kept day's, its hours', or the log's; and,
    /// when provisional totals stand for the part up to now, the instant they count the log to.
    async fn part(
        &self,
        d: &LocalDay,
        t: &Totals,
        a: DateTime<Utc>,
        b: DateTime<Utc>,
        slices: bool,
    ) -> StoreResult<(Grouped, Option<DateTime<Utc>>)> {
        // Provisional totals know nothing after they were computed: a part reaching past that
        // instant is the rest of the day as far as they go.
        let to_the_end = b >= d.end || (!t.settled && b >= t.computed_at);
        let as_of = (to_the_end && !t.settled).then_some(t.computed_at);
        if a == d.start && to_the_end {
            let g = if slices {
                t.slices.clone()
            } else {
                Grouped {
                    total: t.total.clone(),
                    ..Grouped::default()
                }
            };
            return Ok((g, as_of));
        }
        if !slices && d.on_the_hour(a) && (to_the_end || d.on_the_hour(b)) {
            let to = if to_the_end { 24 } else { d.hour(b) };
            let mut total = Sums::default();
            for h in t.hours.iter().take(to).skip(d.hour(a)) {
                total.add(h);
            }
            return Ok((
                Grouped {
                    total,
                    ..Grouped::default()
                },
                as_of,
            ));
        }
        let q = KpiQuery::period(a, b);
        let (_, window, history) = read(self.store, &q).await?;
        let cs = contributions(a, b, &self.settings, &window, &history);
        Ok((Grouped::of(&cs, &self.settings), None))
    }

    /// Each day's part of the period, and the instant provisional totals count it to.
    async fn per_day(
        &self,
        q: &KpiQuery,
        slices: bool,
    ) -> StoreResult<Vec<(LocalDay, Grouped, Option<DateTime<Utc>>)>> {
        let days = days(q.from, q.to);
        // Hours only for a day the period takes part of.
        let parts = KeptParts {
            hours: !slices && days.iter().any(|d| q.from > d.start || q.to < d.end),
            slices,
        };
        let totals = self.totals(&days, parts).await?;
        let mut out = Vec::with_capacity(days.len());
        for d in days {
            let Some(t) = totals.get(&d.date) else {
                continue;
            };
            let (a, b) = (q.from.max(d.start), q.to.min(d.end));
            let (g, as_of) = self.part(&d, t, a, b, slices).await?;
            out.push((d, g, as_of));
        }
        Ok(out)
    }
}

/// The earlier of two instants where there are any.
fn earliest(a: Option<DateTime<Utc>>, b: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Kept totals as JSON (they always serialise: plain numbers and maps).
fn json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// The totals of the period and slice straight from the log, and the events behind them, read
/// four days at a time: a half-year's evidence never holds more than a few days of the log
/// in memory (contributions do not depend on where a read begins or ends).
pub async fn from_log(store: &dyn Store, q: &KpiQuery) -> StoreResult<(Sums, Trace)> {
    let settings = store.kpi_settings().await?;
    let (mut sums, mut trace) = (Sums::default(), Trace::default());
    let mut from = q.from;
    while from < q.to {
        let to = (from + Duration::days(CHUNK as i64)).min(q.to);
        let part = KpiQuery {
            from,
            to,
            ..q.clone()
        };
        let (_, window, history) = read(store, &part).await?;
        let (s, t) = fold(
            &part,
            &settings,
            &contributions(from, to, &settings, &window, &history),
        );
        sums.add(&s);
        trace.append(t);
        from = to;
    }
    Ok((sums, trace))
}

/// The figures of the period and slice. Several filters at once are read from the log.
pub async fn kpis(store: &dyn Store, q: &KpiQuery, refresh: Duration) -> StoreResult<Kpis> {
    let slice = Slice::of(q);
    let keeper = Keeper::new(store, refresh).await?;
    if slice == Slice::Several {
        let (sums, _) = from_log(store, q).await?;
        return Ok(sums.kpis(q.from, q.to, &keeper.settings));
    }
    let mut sums = Sums::default();
    let mut as_of: Option<DateTime<Utc>> = None;
    for (_, g, at) in keeper.per_day(q, slice != Slice::All).await? {
        sums.add(&g.pick(&slice));
        as_of = earliest(as_of, at);
    }
    let mut k = sums.kpis(q.from, q.to, &keeper.settings);
    k.as_of = as_of.unwrap_or(k.as_of);
    Ok(k)
}

/// The figures of each local day the period touches (at most 366).
pub async fn series(store: &dyn Store, q: &KpiQuery, refresh: Duration) -> StoreResult<Vec<Day>> {
    let slice = Slice::of(q);
    let keeper = Keeper::new(store, refresh).await?;
    if slice == Slice::Several {
        let mut out = Vec::new();
        for d in days(q.from, q.to).into_iter().take(366) {
            let part = KpiQuery {
                from: q.from.max(d.start),
                to: q.to.min(d.end),
                ..q.clone()
            };
            let (sums, _) = from_log(store, &part).await?;
            out.push(Day {
                date: d.date,
                kpis: sums.kpis(part.from, part.to, &keeper.settings),
            });
        }
        return Ok(out);
    }
    Ok(keeper
        .per_day(q, slice != Slice::All)
        .await?
        .into_iter()
        .take(366)
        .map(|(d, g, as_of)| {
            let mut kpis =
                g.pick(&slice)
                    .kpis(q.from.max(d.start), q.to.min(d.end), &keeper.settings);
            kpis.as_of = as_of.unwrap_or(kpis.as_of);
            Day { date: d.date, kpis }
        })
        .collect())
}

/// The period's figures, and the same for each queue and each operator that had any.
pub async fn breakdown(
    store: &dyn Store,
    q: &KpiQuery,
    refresh: Duration,
) -> StoreResult<Breakdown> {
    let keeper = Keeper::new(store, refresh).await?;
    let mut all = Grouped::default();
    let mut as_of: Option<DateTime<Utc>> = None;
    for (_, g, at) in keeper.per_day(q, true).await? {
        all.add(&g);
        as_of = earliest(as_of, at);
    }
    let kpis = |s: &Sums| {
        let mut k = s.kpis(q.from, q.to, &keeper.settings);
        k.as_of = as_of.unwrap_or(k.as_of);
        k
    };
    Ok(Breakdown {
        total: kpis(&all.total),
        queues: all
            .queues
            .iter()
            .map(|(id, s)| Row {
                id: *id,
                kpis: kpis(s),
            })
            .collect(),
        operators: all
            .operators
            .iter()
            .map(|(id, s)| Row {
                id: *id,
                kpis: kpis(s),
            })
            .collect(),
    })
}

/// Brings the kept totals of this and the previous half-year up to date: settled days not kept
/// yet, and (with a non-zero refresh) today and the unsettled days, newest first, before a
/// query would find them too old. Run in the background by the server; returns how many days it
/// computed and how long it took.
pub async fn keep(
    store: &dyn Store,
    refresh: Duration,
) -> StoreResult<(usize, std::time::Duration)> {
    let started = std::time::Instant::now();
    let keeper = Keeper::new(store, refresh).await?;
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
    let (_, _, to) = local_day(keeper.now);
    let all = days(from, to);
    let (Some(first), Some(last)) = (all.first(), all.last()) else {
        return Ok((0, started.elapsed()));
    };
    let kept: HashMap<String, KeptDay> = store
        .kpi_days(&first.name(), &last.name(), KeptParts::default())
        .await?
        .into_iter()
        .map(|k| (k.day.clone(), k))
        .collect();
    let due: Vec<LocalDay> = all
        .iter()
        .filter(|d| {
            let due = match kept.get(&d.name()) {
                None => true,
                Some(k) if k.settings != keeper.key => true,
                Some(k) if k.settled => false,
                // Before a query would find it too old, and when it has just settled.
                Some(k) => keeper.now - k.computed_at > keeper.max_age(d) / 3 || keeper.settled(d),
            };
            due && (keeper.settled(d) || refresh > Duration::zero())
        })
        .copied()
        .collect();
    // Newest first: today and the last days are what dashboards look at.
    for chunk in due.rchunks(CHUNK) {
        keeper.compute_all(chunk).await?;
    }
    Ok((due.len(), started.elapsed()))
}
