//! Kept KPI totals (R35): figures read from the totals kept per day, per hour and per slice are
//! the figures reading the log gives, for periods aligned to local days, to UTC days, to hours,
//! to nothing, and for each single slice — on both backends, over the generated log of the
//! known-answers test. The log side is the evidence endpoint, which reads the period's events
//! every time. And today's totals, kept provisionally, are served while younger than the refresh
//! setting, with the instant they count the log to.

use baylanys_api::ApiConfig;
use baylanys_tests::{both, Backend, TestApp};
use chrono::{DateTime, TimeZone, Utc};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::kpis::generate;

both!(kept_totals_give_what_the_log_gives);

fn at(d: u32, h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, d, h, m, 0)
        .single()
        .unwrap_or_default()
}

fn span(from: DateTime<Utc>, to: DateTime<Utc>) -> String {
    format!("from={}&to={}", from.to_rfc3339(), to.to_rfc3339()).replace('+', "%2B")
}

/// Each figure's count in the KPIs, and the evidence figure listing the same events.
const COUNTS: [(&str, &str); 8] = [
    ("/appeals_received", "appeals_received"),
    ("/calls_answered", "calls_answered"),
    ("/calls_lost", "calls_lost"),
    ("/csat_mean/count", "surveys"),
    ("/fcr_pct/count", "resolutions"),
    ("/aht_minutes/count", "handled"),
    ("/complaints_confirmed", "complaints_confirmed"),
    ("/accuracy_pct/count", "reviews"),
];

async fn kept_totals_give_what_the_log_gives(app: TestApp) -> anyhow::Result<()> {
    let (log, op1, topic) = generate();
    log.write(&app).await?;
    let (_, sup) = app.staff("sup", "supervisor", None).await?;
    let periods = [
        ("local days", at(1, 19, 0), at(4, 19, 0)),
        ("UTC days", at(2, 0, 0), at(4, 0, 0)),
        ("hours", at(2, 9, 0), at(2, 14, 0)),
        (
            "from an hour to a local midnight",
            at(2, 9, 0),
            at(3, 19, 0),
        ),
        (
            "from a local midnight to an hour",
            at(1, 19, 0),
            at(3, 7, 0),
        ),
        ("minutes", at(2, 3, 17), at(3, 21, 5)),
        ("month", at(1, 0, 0), at(31, 0, 0)),
    ];
    let slices = [
        String::new(),
        format!("&operator_id={op1}"),
        "&channel=voice".to_owned(),
        "&channel=web_chat".to_owned(),
        format!("&topic_id={topic}"),
        format!("&queue_id={}", Uuid::now_v7()),
        // Two filters at once: read from the log a few days at a time.
        format!("&channel=voice&operator_id={op1}"),
    ];
    let mut nonzero = 0;
    for (name, from, to) in periods {
        for slice in &slices {
            let q = format!("{}{slice}", span(from, to));
            let kept = app.get(&format!("/api/v1/kpis?{q}"), &sup).await?;
            assert_eq!(kept.status, 200, "{name}{slice}: {}", kept.text);
            // A past period counts the log to its end.
            assert_eq!(
                kept.body["as_of"]
                    .as_str()
                    .and_then(|s| s.parse::<DateTime<Utc>>().ok()),
                Some(to),
                "{name}{slice}"
            );
            // Asked again, the kept totals answer the same.
            let again = app.get(&format!("/api/v1/kpis?{q}"), &sup).await?;
            assert_eq!(kept.body, again.body, "{name}{slice}");
            for (pointer, figure) in COUNTS {
                let ev = app
                    .get(&format!("/api/v1/kpis/evidence?{q}&figure={figure}"), &sup)
                    .await?;
                assert_eq!(ev.status, 200, "{}", ev.text);
                let count = kept.body.pointer(pointer).and_then(Value::as_u64);
                assert_eq!(count, ev.body["total"].as_u64(), "{name}{slice} {figure}");
                nonzero += usize::from(count.unwrap_or(0) > 0);
                if figure == "resolutions" {
                    let items = ev.body["items"].as_array().cloned().unwrap_or_default();
                    let first = items.iter().filter(|i| i["first_contact"] == true).count();
                    let expected = (!items.is_empty())
                        .then(|| (10000.0 * first as f64 / items.len() as f64).round() / 100.0);
                    assert_eq!(
                        kept.body["fcr_pct"]["value"].as_f64(),
                        expected,
                        "{name}{slice} FCR"
                    );
                }
            }
        }
    }
    assert!(nonzero > 40, "the comparisons rest on events: {nonzero}");

    // The per-day series adds up to the period, and a day of it is that day asked alone.
    let q = span(at(1, 19, 0), at(4, 19, 0));
    let days = app.get(&format!("/api/v1/kpis/series?{q}"), &sup).await?;
    let days = days.body.as_array().cloned().unwrap_or_default();
    assert_eq!(days.len(), 3);
    let whole = app.get(&format!("/api/v1/kpis?{q}"), &sup).await?;
    for field in ["appeals_received", "calls_entered", "calls_lost"] {
        let summed: u64 = days.iter().filter_map(|d| d["kpis"][field].as_u64()).sum();
        assert_eq!(Some(summed), whole.body[field].as_u64(), "{field}");
    }
    let one = app
        .get(
            &format!("/api/v1/kpis?{}", span(at(1, 19, 0), at(2, 19, 0))),
            &sup,
        )
        .await?;
    let mut first_day = days[0]["kpis"].clone();
    let mut alone = one.body.clone();
    for v in [&mut first_day, &mut alone] {
        if let Some(o) = v.as_object_mut() {
            o.remove("as_of");
        }
    }
    assert_eq!(first_day, alone);

    // The breakdown's operator is the operator's slice.
    let b = app
        .get(&format!("/api/v1/kpis/breakdown?{q}"), &sup)
        .await?;
    assert_eq!(b.status, 200, "{}", b.text);
    let mine = b.body["operators"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|o| o["id"] == json!(op1))
        .map(|o| o["kpis"].clone())
        .unwrap_or_default();
    let sliced = app
        .get(&format!("/api/v1/kpis?{q}&operator_id={op1}"), &sup)
        .await?;
    for field in ["calls_answered", "aht_minutes", "fcr_pct", "csat_mean"] {
        assert_eq!(mine[field], sliced.body[field], "{field}");
    }
    Ok(())
}

/// Today's totals are kept provisionally: within the refresh a dashboard reads them (and says
/// as of when); a node reading the log brings them up to date for every node.
#[tokio::test]
async fn todays_kept_totals_are_served_within_the_refresh() -> anyhow::Result<()> {
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        ApiConfig {
            kpi_refresh: std::time::Duration::from_secs(3600),
            ..baylanys_tests::test_config()
        },
    )
    .await?;
    let (_, sup) = app.staff("sup", "supervisor", None).await?;
    let client = app
        .post(
            "/api/v1/clients",
            app.admin(),
            json!({"name": "Айгүл", "language": "kk"}),
        )
        .await?;
    let body = json!({"client_id": client.body["id"], "kind": "request", "channel": "web_chat"});
    let r = app
        .post("/api/v1/appeals", app.admin(), body.clone())
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);
    let now = Utc::now();
    // Today in Asia/Almaty (UTC+5).
    let start = (now + chrono::Duration::hours(5))
        .date_naive()
        .and_time(chrono::NaiveTime::MIN)
        .and_utc()
        - chrono::Duration::hours(5);
    let end = start + chrono::Duration::days(1);
    let today = format!("/api/v1/kpis?{}", span(start, end));
    let first = app.get(&today, &sup).await?;
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(first.body["appeals_received"], 1);
    let as_of: DateTime<Utc> = first.body["as_of"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_default();
    assert!(as_of <= Utc::now() && as_of >= now - chrono::Duration::seconds(5));

    // A second appeal: the kept totals are younger than the refresh and are served as they
    // are, saying which instant they count the log to.
    let r = app.post("/api/v1/appeals", app.admin(), body).await?;
    assert_eq!(r.status, 201, "{}", r.text);
    let kept = app.get(&today, &sup).await?;
    assert_eq!(kept.body["appeals_received"], 1, "{}", kept.text);
    assert_eq!(kept.body["as_of"], first.body["as_of"]);
    let days = app
        .get(&format!("/api/v1/kpis/series?{}", span(start, end)), &sup)
        .await?;
    assert_eq!(days.body[0]["kpis"]["appeals_received"], 1);

    // A node that reads the log on every request (refresh 0) sees both, and keeps what it read:
    // the first node now serves the new totals.
    let exact = TestApp::spawn_node(&app, baylanys_bus::Bus::local()).await?;
    let (_, sup2) = exact.staff("sup2", "supervisor", None).await?;
    let fresh = exact.get(&today, &sup2).await?;
    assert_eq!(fresh.body["appeals_received"], 2, "{}", fresh.text);
    let kept = app.get(&today, &sup).await?;
    assert_eq!(kept.body["appeals_received"], 2, "{}", kept.text);
    Ok(())
}
