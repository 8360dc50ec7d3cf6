//! `baylanys demo`: a stretch of a contact centre's day played against a running server, so a
//! newcomer sees a living supervisor dashboard, a filled БОҚБЕ report and a busy console within
//! a minute.
//!
//! Everything goes through the ingestion paths real traffic uses — the public HTTP API as staff
//! and the citizens' web-chat socket — never rows or figures written directly: the KPIs and the
//! report the server then shows are computed from the events those paths wrote, exactly as they
//! would be for real traffic. Telegram is left out (it needs a bot and Telegram's servers), and
//! so are surveys by e-mail link (they need SMTP).
//!
//! A run sets up its cast where missing (topics, operators, a supervisor, ministries' officers),
//! draws its script from the seed (see [`plan`]), puts the operators on shift (see [`desk`]),
//! plays each visit as it arrives (see [`visits`]), then takes the operators off shift and
//! prints what happened and where to look. A step the server refuses is reported and the run
//! goes on.

mod api;
mod chat;
mod content;
mod desk;
mod plan;
mod setup;
mod stats;
mod steps;
mod visits;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{bail, Context};
use baylanys_domain::router::Presence;
use baylanys_proto::SetPresence;
use chrono::{Datelike, TimeZone, Utc};
use serde::de::IgnoredAny;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use api::{Api, Session};
use desk::Desk;
use plan::Plan;
use setup::Cast;
use stats::Stats;

#[derive(Clone, clap::Args)]
pub struct Args {
    /// The running Baylanys server.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    server: String,
    /// Password of the user `admin`.
    #[arg(long, env = "BAYLANYS_ADMIN_PASSWORD", hide_env_values = true)]
    admin_password: String,
    /// Minutes of activity (fractions too: 0.5 is half a minute).
    #[arg(long, default_value_t = 1.0)]
    minutes: f64,
    /// Contacts arriving per minute, on average.
    #[arg(long, default_value_t = 60.0)]
    rate: f64,
    /// Seed of the script: the same seed brings the same citizens, channels and outcomes.
    /// Random when absent (and printed, to replay it).
    #[arg(long)]
    seed: Option<u64>,
    /// Operators on shift (1–5).
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u8).range(1..=5))]
    operators: u8,
    /// Password of the demo accounts, to sign in to the console as them (default: generated
    /// and printed; a later run resets it).
    #[arg(long, env = "BAYLANYS_DEMO_PASSWORD", hide_env_values = true)]
    staff_password: Option<String>,
}

impl std::fmt::Debug for Args {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Args")
            .field("server", &self.server)
            .field("minutes", &self.minutes)
            .field("rate", &self.rate)
            .field("seed", &self.seed)
            .field("operators", &self.operators)
            .finish_non_exhaustive()
    }
}

/// Everything the concurrent tasks of a run share.
#[derive(Debug)]
pub struct Stage {
    api: Api,
    cast: Cast,
    plan: Plan,
    desk: Desk,
    stats: Stats,
    seed: u64,
    started: tokio::time::Instant,
    /// Each visit's appeal and the operator who handled it, for repeat contacts and complaints.
    memory: Mutex<HashMap<usize, (Uuid, Option<Uuid>)>>,
}

impl Stage {
    fn operator(&self, index: usize) -> &Session {
        self.cast
            .operators
            .get(index)
            .unwrap_or(&self.cast.supervisor)
    }

    /// Who registers an e-mail or a visit: the operators in turn.
    fn clerk(&self, n: usize) -> &Session {
        self.operator(n % self.cast.operators.len().max(1))
    }

    fn remember(&self, visit: usize, appeal: Uuid, operator: Option<Uuid>) {
        self.memory
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(visit, (appeal, operator));
    }

    fn recall(&self, visit: usize) -> Option<(Uuid, Option<Uuid>)> {
        self.memory
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&visit)
            .copied()
    }
}

/// Every wait inside a visit is bounded; this bounds the whole tail after the last arrival.
const DRAIN: Duration = Duration::from_secs(180);

pub async fn run(args: Args) -> anyhow::Result<()> {
    if !(args.minutes > 0.0 && args.minutes <= 24.0 * 60.0) {
        bail!("--minutes must be above 0 and at most a day");
    }
    if !(args.rate > 0.0 && args.rate <= 1000.0) {
        bail!("--rate must be above 0 and at most 1000 contacts a minute");
    }
    let password = args
        .staff_password
        .clone()
        .unwrap_or_else(baylanys_api::generate_password);
    if password.chars().count() < 10 {
        bail!("--staff-password must have at least 10 characters");
    }
    let seed = args.seed.unwrap_or_else(rand::random);
    let api = Api::new(&args.server)?;
    println!(
        "Baylanys demo at {}: {} min, about {} contacts a minute, seed {seed}",
        api.base(),
        args.minutes,
        args.rate
    );
    let cast = setup::stage(&api, &args.admin_password, password, args.operators.into())
        .await
        .context("setting up the demo's staff and topics")?;
    let on_shift: Vec<String> = cast
        .operators
        .iter()
        .map(|o| {
            let langs: Vec<&str> = o.staff.languages.iter().map(|l| l.as_str()).collect();
            format!("{} ({}, {})", o.login(), o.name(), langs.join("+"))
        })
        .collect();
    println!("On shift: {}", on_shift.join(", "));
    println!(
        "Supervisor {}; {} ministries' officers demo-body-1…; password of every demo account: {}",
        cast.supervisor.login(),
        cast.officers.len(),
        cast.password
    );
    let window = Duration::from_secs_f64(args.minutes * 60.0);
    let plan = plan::plan(seed, window, args.rate, cast.topics.len());
    println!("{} contacts on the way…\n", plan.visits.len());
    let stage = Arc::new(Stage {
        api,
        cast,
        plan,
        desk: Desk::default(),
        stats: Stats::default(),
        seed,
        started: tokio::time::Instant::now(),
        memory: Mutex::default(),
    });

    let stop = CancellationToken::new();
    let shifts: Vec<_> = (0..stage.cast.operators.len())
        .map(|i| tokio::spawn(desk::shift(stage.clone(), i, stop.clone())))
        .collect();
    let play = async {
        let mut arrivals = JoinSet::new();
        for v in stage.plan.visits.clone() {
            tokio::time::sleep_until(stage.started + v.at).await;
            arrivals.spawn(visits::play(stage.clone(), v));
        }
        let drained = tokio::time::timeout(DRAIN, async {
            while arrivals.join_next().await.is_some() {}
        })
        .await;
        if drained.is_err() {
            stage
                .stats
                .refused("some visits did not finish within 3 minutes of the last arrival");
        }
        // Dropping the set stops whatever still runs.
    };
    tokio::select! {
        _ = play => {}
        _ = tokio::signal::ctrl_c() => eprintln!("\ninterrupted: the operators go off shift"),
    }
    stop.cancel();
    for s in shifts {
        let _ = s.await;
    }
    // Off shift: a real citizen's chat must not be offered to an operator nobody plays.
    for op in &stage.cast.operators {
        let off = SetPresence {
            presence: Presence::Offline,
        };
        if let Err(e) = op
            .put::<IgnoredAny, _>("/api/v1/auth/me/presence", &off)
            .await
        {
            stage.stats.refused(&format!("{}: {e}", op.login()));
        }
    }
    let minutes = stage.started.elapsed().as_secs_f64() / 60.0;
    println!("\nDone in {minutes:.1} min (seed {seed}):");
    println!("{}", stage.stats.summary());
    where_to_look(&stage).await;
    Ok(())
}

/// The server's own figures for today, and the addresses to open.
async fn where_to_look(stage: &Stage) {
    let base = stage.api.base();
    let now = Utc::now();
    let today = baylanys_domain::deadline::local_date(now);
    // Today in Asia/Almaty, as the dashboard counts it.
    let from = baylanys_domain::TZ
        .from_local_datetime(&today.and_time(chrono::NaiveTime::MIN))
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or(now - chrono::Duration::hours(24));
    let to = from + chrono::Duration::days(1);
    let fmt = |t: chrono::DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let kpis = format!("/api/v1/kpis?from={}&to={}", fmt(from), fmt(to));
    // Today's figures are kept totals brought up to date in the background (kpi_refresh_secs):
    // wait, a minute and a half at most, until they count the log to the demo's last step.
    let mut answer = stage.cast.supervisor.get::<serde_json::Value>(&kpis).await;
    let waited = std::time::Instant::now();
    let counted = |k: &serde_json::Value| {
        k["as_of"]
            .as_str()
            .and_then(|s| s.parse::<chrono::DateTime<Utc>>().ok())
            .is_some_and(|at| at >= now)
    };
    if answer.as_ref().is_ok_and(|k| !counted(k)) {
        println!("
Waiting for the server's figures to count the demo (kept totals are brought up to date every minute)…");
    }
    while answer.as_ref().is_ok_and(|k| !counted(k)) && waited.elapsed().as_secs() < 90 {
        tokio::time::sleep(std::time::Duration::from_secs(2)).await;
        answer = stage.cast.supervisor.get::<serde_json::Value>(&kpis).await;
    }
    match answer {
        Ok(k) => {
            let fig = |name: &str, unit: &str| match k[name]["value"].as_f64() {
                Some(v) => format!("{v}{unit}"),
                None => "–".to_owned(),
            };
            println!(
                "\nThe server's KPIs for today (from its event log, as of {}): {} calls entered the queue, \
                 lost {}, wait after the voice menu {}, CSAT {} ({} answers), FCR {}",
                k["as_of"].as_str().unwrap_or("–"),
                k["calls_entered"],
                fig("lost_calls_pct", " %"),
                fig("wait_after_ivr_secs", " s"),
                fig("csat_mean", ""),
                k["csat_mean"]["count"],
                fig("fcr_pct", " %"),
            );
        }
        Err(e) => stage.stats.refused(&e.to_string()),
    }
    let half = format!(
        "{}-H{}",
        today.year(),
        if today.month() <= 6 { 1 } else { 2 }
    );
    println!("\nWhere to look:");
    println!(
        "  console        {base}/console  (demo-op-1…, {} — the password above)",
        stage.cast.supervisor.login()
    );
    println!("  live queues    {base}/api/v1/routing/live");
    println!("  KPIs today     {base}{kpis}");
    println!("  БОҚБЕ report   {base}/api/v1/reports/boqbe/{half}?lang=kk&format=xlsx");
    println!("  event log      {base}/api/v1/events?limit=50");
    println!("  (the API wants `Authorization: Bearer <token>` of a supervisor or admin: POST /api/v1/auth/login)");
}
