//! KPIs from the event log (R35, Appendix 1) against a generated log with known answers, on both
//! backends. The log holds the edge cases the definitions turn on: a call abandoned at 0 s, a
//! call that started before the period, one answered after it ended, a transfer's second leg, a
//! survey answered after the period, a part split from an appeal, an appeal reopened after its
//! resolution, a redirected one, and repeat contacts within and after 7 days.
//!
//! Each figure is checked twice: against the number worked out by hand below, and against an
//! independent computation from the raw events read through `GET /api/v1/events` — written
//! here, not with the engine's helpers.

use std::collections::{BTreeMap, HashMap};

use baylanys_tests::{both, TestApp};
use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::{json, Value};
use uuid::Uuid;

both!(kpis_match_known_answers_and_independent_computation);

fn at(d: u32, h: u32, m: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, d, h, m, s)
        .single()
        .unwrap_or_default()
}

/// One event: when, kind, actor, appeal, client, interaction, data.
type Row = (
    DateTime<Utc>,
    &'static str,
    Option<Uuid>,
    Option<Uuid>,
    Option<Uuid>,
    Option<Uuid>,
    Value,
);

pub(crate) struct Log {
    rows: Vec<Row>,
}

impl Log {
    fn push(&mut self, row: Row) {
        self.rows.push(row);
    }

    fn appeal(
        &mut self,
        when: DateTime<Utc>,
        id: Uuid,
        client: Uuid,
        channel: &str,
        topic: Uuid,
        extra: Value,
    ) {
        let mut data = json!({"kind": "request", "channel": channel, "language": "kk", "priority": 3,
                              "topic_id": topic, "queue_id": null});
        if let (Some(d), Some(x)) = (data.as_object_mut(), extra.as_object()) {
            d.extend(x.clone());
        }
        self.push((
            when,
            "appeal.created",
            None,
            Some(id),
            Some(client),
            None,
            data,
        ));
    }

    fn contact(&mut self, when: DateTime<Utc>, appeal: Uuid, id: Uuid, channel: &str, data: Value) {
        let mut d = json!({"channel": channel, "direction": "inbound", "state": "queued", "queue_id": null});
        if let (Some(o), Some(x)) = (d.as_object_mut(), data.as_object()) {
            o.extend(x.clone());
        }
        self.push((
            when,
            "interaction.started",
            None,
            Some(appeal),
            None,
            Some(id),
            d,
        ));
    }

    fn step(
        &mut self,
        when: DateTime<Utc>,
        appeal: Uuid,
        id: Uuid,
        channel: &str,
        state: &str,
        op: Option<Uuid>,
    ) {
        let from = if state == "ended" {
            "answered"
        } else {
            "queued"
        };
        self.push((
            when,
            "interaction.updated",
            op,
            Some(appeal),
            None,
            Some(id),
            json!({"from": from, "state": state, "operator_id": op, "channel": channel}),
        ));
    }

    fn status(
        &mut self,
        when: DateTime<Utc>,
        appeal: Uuid,
        client: Uuid,
        from: &str,
        to: &str,
        by: Option<Uuid>,
    ) {
        self.push((
            when,
            "appeal.status_changed",
            by,
            Some(appeal),
            Some(client),
            None,
            json!({"from": from, "to": to, "reason": null, "first_contact_resolved": null}),
        ));
    }

    fn survey(
        &mut self,
        when: DateTime<Utc>,
        appeal: Uuid,
        client: Uuid,
        score: u8,
        assignee: Option<Uuid>,
    ) {
        self.push((when, "survey.answered", None, Some(appeal), Some(client), None,
                  json!({"score": score, "channel": "web_chat", "assignee_id": assignee, "commented": false})));
    }

    pub(crate) async fn write(self, app: &TestApp) -> anyhow::Result<()> {
        // The log is generated: written straight into the events table in time order, as the
        // product writes it, so the periods below are fixed dates.
        let mut rows = self.rows;
        rows.sort_by_key(|r| r.0);
        if app.database_url.starts_with("sqlite") {
            let pool = sqlx::SqlitePool::connect(&app.database_url).await?;
            for (when, kind, actor, appeal, client, interaction, data) in rows {
                sqlx::query("INSERT INTO events (at, kind, actor_id, appeal_id, client_id, interaction_id, data) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                    .bind(when).bind(kind).bind(actor).bind(appeal).bind(client).bind(interaction)
                    .bind(sqlx::types::Json(data)).execute(&pool).await?;
            }
        } else {
            let pool = sqlx::PgPool::connect(&app.database_url).await?;
            for (when, kind, actor, appeal, client, interaction, data) in rows {
                sqlx::query("INSERT INTO events (at, kind, actor_id, appeal_id, client_id, interaction_id, data) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                    .bind(when).bind(kind).bind(actor).bind(appeal).bind(client).bind(interaction)
                    .bind(sqlx::types::Json(data)).execute(&pool).await?;
            }
        }
        Ok(())
    }
}

fn ids<const N: usize>() -> [Uuid; N] {
    std::array::from_fn(|_| Uuid::now_v7())
}

/// The generated log of 2 March 2026 (UTC), with what surrounds it.
pub(crate) fn generate() -> (Log, Uuid, Uuid) {
    let mut log = Log { rows: Vec::new() };
    let [op1, op2] = ids();
    let [x, y, z, w, v, q] = ids(); // clients
    let [t, u] = ids(); // topics
    let [a1, a2, a3, a4, a5, a6, a7, a8, a9] = ids();
    let [c1, c2, c3, c4, c5, c6, c7, w1, e1, e2, s6, s7, s8] = ids();

    // Calls after the voice menu.
    log.appeal(at(2, 10, 0, 0), a1, x, "voice", t, json!({}));
    log.contact(at(2, 10, 0, 0), a1, c1, "voice", json!({}));
    log.step(at(2, 10, 0, 30), a1, c1, "voice", "answered", Some(op1)); // waited 30 s
    log.push((
        at(2, 10, 0, 31),
        "message.added",
        Some(op1),
        Some(a1),
        None,
        Some(c1),
        json!({"message_id": Uuid::now_v7(), "seq": 2, "author": "operator", "kind": "text",
               "channel": "voice", "direction": "outbound"}),
    ));
    log.step(at(2, 10, 5, 30), a1, c1, "voice", "ended", Some(op1)); // 5 min
    log.contact(
        at(2, 10, 5, 30),
        a1,
        c5,
        "voice",
        json!({"via": "transfer"}),
    ); // second leg
    log.step(at(2, 10, 5, 40), a1, c5, "voice", "answered", Some(op2));
    log.status(at(2, 10, 6, 0), a1, x, "in_progress", "answered", Some(op1));
    log.status(at(2, 10, 30, 0), a1, x, "answered", "closed", Some(op1)); // not a second resolution
    log.contact(at(2, 11, 0, 0), a7, c2, "voice", json!({}));
    log.appeal(at(2, 11, 0, 0), a7, v, "voice", u, json!({}));
    log.step(at(2, 11, 1, 30), a7, c2, "voice", "answered", Some(op2)); // 90 s
    log.step(at(2, 11, 3, 30), a7, c2, "voice", "ended", Some(op2)); // 2 min
    log.push((
        at(2, 11, 4, 0),
        "appeal.redirected",
        Some(op2),
        Some(a7),
        Some(v),
        None,
        json!({"redirection_id": Uuid::now_v7(), "to_body": Uuid::now_v7()}),
    ));
    log.status(at(2, 14, 0, 0), a7, v, "in_progress", "answered", Some(op2)); // redirected: not FCR
    log.contact(at(2, 12, 0, 0), a7, c3, "voice", json!({}));
    log.step(at(2, 12, 0, 0), a7, c3, "voice", "abandoned", None); // abandoned at 0 s: lost
    log.contact(at(2, 13, 0, 0), a7, c4, "voice", json!({}));
    log.step(at(2, 13, 0, 45), a7, c4, "voice", "abandoned", None); // lost
    log.contact(at(1, 23, 59, 0), a7, c6, "voice", json!({})); // entered before the period
    log.step(at(2, 0, 0, 10), a7, c6, "voice", "answered", Some(op1));
    log.contact(at(2, 23, 59, 50), a7, c7, "voice", json!({}));
    log.step(at(3, 0, 0, 20), a7, c7, "voice", "answered", Some(op2)); // answered after: 30 s

    // A web chat resolved at the first contact, with its first reply after 20 s.
    log.appeal(at(2, 9, 0, 0), a2, y, "web_chat", t, json!({}));
    log.contact(at(2, 9, 0, 0), a2, w1, "web_chat", json!({}));
    log.step(at(2, 9, 0, 5), a2, w1, "web_chat", "answered", Some(op1));
    log.push((
        at(2, 9, 0, 20),
        "message.added",
        Some(op1),
        Some(a2),
        None,
        Some(w1),
        json!({"message_id": Uuid::now_v7(), "seq": 2, "author": "operator", "kind": "text",
               "channel": "web_chat", "direction": "outbound"}),
    ));
    log.step(at(2, 9, 10, 5), a2, w1, "web_chat", "ended", Some(op1)); // 10 min
    log.status(at(2, 9, 15, 0), a2, y, "in_progress", "answered", Some(op1));

    // E-mail with two contacts before its answer, and a part split from it.
    log.appeal(at(2, 8, 0, 0), a4, z, "email", u, json!({}));
    log.contact(
        at(2, 8, 0, 0),
        a4,
        e1,
        "email",
        json!({"state": "answered"}),
    );
    log.contact(
        at(2, 12, 0, 0),
        a4,
        e2,
        "email",
        json!({"state": "answered"}),
    );
    log.appeal(
        at(2, 12, 30, 0),
        a5,
        z,
        "email",
        t,
        json!({"split_from": a4}),
    );
    log.status(at(2, 15, 0, 0), a4, z, "in_progress", "answered", Some(op2));

    // Registered before the period, answered in it, reopened after it.
    log.appeal(
        at(1, 9, 0, 0) - Duration::days(9),
        a6,
        w,
        "voice",
        u,
        json!({}),
    );
    log.contact(
        at(1, 9, 0, 0) - Duration::days(9),
        a6,
        s6,
        "voice",
        json!({"state": "answered"}),
    );
    log.status(at(2, 16, 0, 0), a6, w, "in_progress", "answered", Some(op1));
    log.status(at(4, 9, 0, 0), a6, w, "answered", "in_progress", Some(op1));

    // The client of a1 comes back on the same topic 3 days later: a1 was not resolved.
    log.appeal(at(5, 10, 0, 0), a3, x, "voice", t, json!({}));
    // The client of a8 comes back after 10 days: a8 stays resolved at the first contact.
    log.appeal(at(2, 16, 30, 0), a8, q, "web_chat", t, json!({}));
    log.contact(
        at(2, 16, 30, 0),
        a8,
        s8,
        "web_chat",
        json!({"state": "answered"}),
    );
    log.status(at(2, 17, 0, 0), a8, q, "in_progress", "answered", Some(op2));
    log.appeal(at(12, 17, 0, 0), a9, q, "web_chat", t, json!({}));
    log.contact(
        at(12, 17, 0, 0),
        a9,
        s7,
        "web_chat",
        json!({"state": "answered"}),
    );

    // Surveys: three in the period, one after it.
    log.survey(at(2, 9, 20, 0), a2, y, 5, Some(op1));
    log.survey(at(2, 10, 40, 0), a1, x, 4, Some(op1));
    log.survey(at(2, 15, 30, 0), a4, z, 2, Some(op2));
    log.survey(at(3, 8, 0, 0), a8, q, 1, Some(op2));

    // Complaints decided: one confirmed.
    log.push((
        at(2, 18, 0, 0),
        "complaint.decided",
        Some(op1),
        Some(a4),
        Some(z),
        None,
        json!({"confirmed": true, "category": "waiting"}),
    ));
    log.push((
        at(2, 18, 5, 0),
        "complaint.decided",
        Some(op1),
        Some(a2),
        Some(y),
        None,
        json!({"confirmed": false, "category": "other"}),
    ));
    (log, op1, t)
}

pub(crate) async fn all_events(app: &TestApp) -> anyhow::Result<Vec<Value>> {
    let mut out = Vec::new();
    let mut after = 0i64;
    loop {
        let r = app
            .get(
                &format!("/api/v1/events?after={after}&limit=500"),
                app.admin(),
            )
            .await?;
        let items = r.body["items"].as_array().cloned().unwrap_or_default();
        if items.is_empty() {
            return Ok(out);
        }
        after = items
            .last()
            .and_then(|e| e["id"].as_i64())
            .unwrap_or(i64::MAX);
        out.extend(items);
    }
}

fn when(e: &Value) -> DateTime<Utc> {
    e["at"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_default()
}

/// The KPIs of `[from, to)` worked out from raw events, as a spreadsheet would: by hand-rolled
/// passes over the list, sharing nothing with the engine.
pub(crate) fn independent(
    events: &[Value],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> BTreeMap<&'static str, Option<f64>> {
    let inside = |e: &Value| when(e) >= from && when(e) < to;
    let of = |kind: &'static str| events.iter().filter(move |e| e["kind"] == kind);
    let mut out = BTreeMap::new();
    let received: Vec<&Value> = of("appeal.created")
        .filter(|e| inside(e) && e["data"]["split_from"].is_null())
        .collect();
    out.insert("received", Some(received.len() as f64));
    // Calls: inbound voice contacts that entered a queue in the period (at their start, or on
    // leaving the voice menu) and are not a transfer's leg; an outbound call never waited.
    let inbound_voice = |e: &Value| {
        e["data"]["channel"] == "voice"
            && e["data"]["direction"] != "outbound"
            && e["data"]["via"].is_null()
    };
    let left_menu = |c: &Value| {
        of("interaction.updated").find(|u| {
            u["interaction_id"] == c["interaction_id"]
                && u["data"]["from"] == "menu"
                && u["data"]["state"] == "queued"
        })
    };
    // Each call with the event of its entering the queue.
    let calls: Vec<(&Value, &Value)> = of("interaction.started")
        .filter(|e| inbound_voice(e))
        .filter_map(|e| match e["data"]["state"].as_str() {
            Some("queued") => Some((e, e)),
            Some("menu") => left_menu(e).map(|m| (e, m)),
            _ => None,
        })
        .filter(|(_, entered)| inside(entered))
        .collect();
    let first_step = |contact: &Value, state: &str| {
        of("interaction.updated").find(|u| {
            u["interaction_id"] == contact["interaction_id"] && u["data"]["state"] == state
        })
    };
    let mut waits = Vec::new();
    let mut lost = 0.0;
    for (c, entered) in &calls {
        if let Some(a) = first_step(c, "answered") {
            waits.push((when(a) - when(entered)).num_seconds() as f64);
        } else if first_step(c, "abandoned").is_some() {
            lost += 1.0;
        }
    }
    let decided = waits.len() as f64 + lost;
    out.insert(
        "wait",
        (!waits.is_empty()).then(|| waits.iter().sum::<f64>() / waits.len() as f64),
    );
    out.insert("lost_pct", (decided > 0.0).then(|| 100.0 * lost / decided));
    // AHT: answered in the period (routed, or handled from the start at the desk) and ended by
    // whoever handled it — an end that came only with the appeal's close says nothing of the
    // handling time.
    let mut minutes = Vec::new();
    let answers = of("interaction.updated")
        .filter(|u| u["data"]["state"] == "answered")
        .chain(of("interaction.started").filter(|u| u["data"]["state"] == "answered"));
    for a in answers.filter(|u| inside(u)) {
        if let Some(end) = of("interaction.updated")
            .find(|u| u["interaction_id"] == a["interaction_id"] && u["data"]["state"] == "ended")
        {
            if end["data"]["via"] != "appeal closed" {
                minutes.push((when(end) - when(a)).num_seconds() as f64 / 60.0);
            }
        }
    }
    out.insert(
        "aht",
        (!minutes.is_empty()).then(|| minutes.iter().sum::<f64>() / minutes.len() as f64),
    );
    let scores: Vec<f64> = of("survey.answered")
        .filter(|e| inside(e))
        .filter_map(|e| e["data"]["score"].as_f64())
        .collect();
    out.insert(
        "csat",
        (!scores.is_empty()).then(|| scores.iter().sum::<f64>() / scores.len() as f64),
    );
    out.insert(
        "csat_share",
        (!scores.is_empty()).then(|| {
            100.0 * scores.iter().filter(|s| **s >= 4.0).count() as f64 / scores.len() as f64
        }),
    );
    // FCR.
    let mut resolved = 0.0;
    let mut first = 0.0;
    let mut counted: Vec<Value> = Vec::new();
    for r in of("appeal.status_changed").filter(|e| inside(e)) {
        let to_state = r["data"]["to"].as_str().unwrap_or("");
        let from_state = r["data"]["from"].as_str().unwrap_or("");
        if !(to_state == "answered" || (to_state == "closed" && from_state != "answered"))
            || counted.contains(&r["appeal_id"])
        {
            continue;
        }
        counted.push(r["appeal_id"].clone());
        resolved += 1.0;
        let appeal = &r["appeal_id"];
        let id = r["id"].as_i64().unwrap_or(0);
        let earlier = |k: &str| {
            events
                .iter()
                .filter(|e| {
                    e["kind"] == k
                        && e["appeal_id"] == *appeal
                        && e["id"].as_i64().unwrap_or(0) < id
                })
                .count()
        };
        let contacts = events
            .iter()
            .filter(|e| {
                e["kind"] == "interaction.started"
                    && e["appeal_id"] == *appeal
                    && e["data"]["via"].is_null()
                    && e["id"].as_i64().unwrap_or(0) < id
            })
            .count();
        let reopened = events.iter().any(|e| {
            e["kind"] == "appeal.status_changed"
                && e["appeal_id"] == *appeal
                && e["id"].as_i64().unwrap_or(0) > id
                && (e["data"]["from"] == "answered" || e["data"]["from"] == "closed")
                && e["data"]["to"] != "answered"
                && e["data"]["to"] != "closed"
        });
        let opened = of("appeal.created").find(|e| e["appeal_id"] == *appeal);
        // A repeat is a new appeal of the same client on the same topic: without a topic there
        // is no same topic.
        let repeat = opened.is_some_and(|o| {
            !o["data"]["topic_id"].is_null()
                && of("appeal.created").any(|n| {
                    n["appeal_id"] != *appeal
                        && n["client_id"] == o["client_id"]
                        && n["data"]["topic_id"] == o["data"]["topic_id"]
                        && when(n) > when(r)
                        && when(n) <= when(r) + Duration::days(7)
                })
        });
        // The operator (or a complaint's decision) said it was not resolved at the first contact.
        let said_not = r["data"]["first_contact_resolved"] == false;
        if contacts <= 1
            && earlier("appeal.redirected") == 0
            && earlier("routing.escalated") == 0
            && !reopened
            && !repeat
            && !said_not
        {
            first += 1.0;
        }
    }
    out.insert("fcr", (resolved > 0.0).then(|| 100.0 * first / resolved));
    out.insert(
        "complaints",
        Some(
            of("complaint.decided")
                .filter(|e| inside(e) && e["data"]["confirmed"] == true)
                .count() as f64,
        ),
    );
    out
}

pub(crate) fn round(v: Option<f64>) -> Option<f64> {
    v.map(|x| (x * 100.0).round() / 100.0)
}

async fn kpis_match_known_answers_and_independent_computation(app: TestApp) -> anyhow::Result<()> {
    let (log, op1, topic_t) = generate();
    log.write(&app).await?;
    let (from, to) = (at(2, 0, 0, 0), at(3, 0, 0, 0));
    let (_, sup) = app.staff("sup", "supervisor", None).await?;
    let q = format!(
        "/api/v1/kpis?from={}&to={}",
        from.to_rfc3339(),
        to.to_rfc3339()
    )
    .replace('+', "%2B");
    let r = app.get(&q, &sup).await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let k = &r.body;
    let v = |path: &str| k[path]["value"].as_f64();

    // Known answers, worked out by hand from the log above.
    assert_eq!(
        k["appeals_received"], 5,
        "a1 a2 a4 a7 a8; not the part a5, not a3 after the period"
    );
    assert_eq!(
        k["appeals_by_channel"],
        json!({"email": 1, "voice": 2, "web_chat": 2})
    );
    assert_eq!(
        (
            k["calls_entered"].as_u64(),
            k["calls_answered"].as_u64(),
            k["calls_lost"].as_u64()
        ),
        (Some(5), Some(3), Some(2))
    );
    assert_eq!(v("wait_after_ivr_secs"), Some(50.0), "(30 + 90 + 30) / 3");
    assert_eq!(k["wait_after_ivr_secs"]["status"], "within");
    assert_eq!(
        v("wait_with_abandoned_secs"),
        Some(39.0),
        "(30 + 90 + 30 + 0 + 45) / 5"
    );
    assert_eq!(
        k["wait_distribution"],
        json!([0, 0, 2, 0, 1, 0, 0]),
        "30 and 30 s in 20–40, 90 s in 60–120"
    );
    assert_eq!(v("lost_calls_pct"), Some(40.0));
    assert_eq!(k["lost_calls_pct"]["status"], "worse");
    assert_eq!(v("service_level_pct"), Some(0.0));
    assert_eq!(v("aht_minutes"), Some(5.67), "(5 + 2 + 10) / 3");
    assert_eq!(v("first_response_secs"), Some(20.0));
    assert_eq!(
        v("csat_mean"),
        Some(3.67),
        "(5 + 4 + 2) / 3; the 1 came after the period"
    );
    assert_eq!(v("csat_share_pct"), Some(66.67));
    assert_eq!(v("fcr_pct"), Some(33.33), "a2 and a8 of a1 a2 a4 a6 a7 a8");
    assert_eq!(k["fcr_pct"]["count"], 6);
    assert_eq!(k["complaints_confirmed"], 1);
    assert_eq!(k["accuracy_pct"]["value"], Value::Null, "no QA reviews yet");

    // The same from the raw events, computed independently.
    let events = all_events(&app).await?;
    let mine = independent(&events, from, to);
    let theirs: HashMap<&str, Option<f64>> = HashMap::from([
        ("received", k["appeals_received"].as_f64()),
        ("wait", v("wait_after_ivr_secs")),
        ("lost_pct", v("lost_calls_pct")),
        ("aht", v("aht_minutes")),
        ("csat", v("csat_mean")),
        ("csat_share", v("csat_share_pct")),
        ("fcr", v("fcr_pct")),
        ("complaints", k["complaints_confirmed"].as_f64()),
    ]);
    for (name, value) in &mine {
        assert_eq!(round(*value), theirs[name], "{name}");
    }

    // Every figure drills down to its events (R35): the lost calls behind row 18, the
    // resolutions behind FCR with their verdicts, the survey answers.
    let drill = |figure: &str| {
        format!(
            "/api/v1/kpis/evidence?from={}&to={}&figure={figure}",
            from.to_rfc3339(),
            to.to_rfc3339()
        )
        .replace('+', "%2B")
    };
    let lost = app.get(&drill("calls_lost"), &sup).await?;
    assert_eq!(lost.status, 200, "{}", lost.text);
    assert_eq!(lost.body["total"], 2);
    assert!(lost.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .all(|e| e["kind"] == "interaction.updated" && e["data"]["state"] == "abandoned"));
    let resolutions = app.get(&drill("resolutions"), &sup).await?;
    let verdicts: Vec<bool> = resolutions.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["first_contact"].as_bool())
        .collect();
    assert_eq!(verdicts.len(), 6);
    assert_eq!(verdicts.iter().filter(|v| **v).count(), 2);
    let surveys = app.get(&drill("surveys"), &sup).await?;
    assert_eq!(surveys.body["total"], 3);
    assert_eq!(app.get(&drill("everything"), &sup).await?.status, 422);

    // Slices: one operator; one channel; one topic.
    let r = app.get(&format!("{q}&operator_id={op1}"), &sup).await?;
    assert_eq!(r.body["calls_entered"], 1, "{}", r.text);
    assert_eq!(r.body["wait_after_ivr_secs"]["value"], 30.0);
    assert_eq!(
        r.body["aht_minutes"]["value"], 7.5,
        "c1 5 min and w1 10 min"
    );
    let r = app.get(&format!("{q}&channel=voice"), &sup).await?;
    assert_eq!(r.body["appeals_received"], 2);
    assert_eq!(r.body["appeals_by_channel"], json!({"voice": 2}));
    let r = app.get(&format!("{q}&topic_id={topic_t}"), &sup).await?;
    assert_eq!(r.body["appeals_received"], 3, "a1 a2 a8: {}", r.text);

    // Dashboards: per local day (Asia/Almaty) for the charts; per queue and operator; the
    // per-day table as CSV and XLSX; today's figures pushed to supervisors' sockets.
    let span = "from=2026-03-01T19:00:00Z&to=2026-03-04T19:00:00Z";
    let days = app
        .get(&format!("/api/v1/kpis/series?{span}"), &sup)
        .await?;
    assert_eq!(days.status, 200, "{}", days.text);
    let days = days.body.as_array().cloned().unwrap_or_default();
    assert_eq!(
        days.iter()
            .map(|d| d["date"].as_str().unwrap_or(""))
            .collect::<Vec<_>>(),
        ["2026-03-02", "2026-03-03", "2026-03-04"]
    );
    let whole = app.get(&format!("/api/v1/kpis?{span}"), &sup).await?;
    let summed: u64 = days
        .iter()
        .filter_map(|d| d["kpis"]["appeals_received"].as_u64())
        .sum();
    assert_eq!(
        Some(summed),
        whole.body["appeals_received"].as_u64(),
        "the days add up"
    );
    // Those past days now come from their cached totals: the same figures again, and the same
    // as the days computed one by one from the log.
    let again = app.get(&format!("/api/v1/kpis?{span}"), &sup).await?;
    assert_eq!(again.body, whole.body);
    for figure in ["fcr_pct", "csat_mean", "lost_calls_pct", "aht_minutes"] {
        let n: u64 = days
            .iter()
            .filter_map(|d| d["kpis"][figure]["count"].as_u64())
            .sum();
        assert_eq!(Some(n), whole.body[figure]["count"].as_u64(), "{figure}");
    }
    let b = app
        .get(&q.replace("/api/v1/kpis?", "/api/v1/kpis/breakdown?"), &sup)
        .await?;
    assert_eq!(b.status, 200, "{}", b.text);
    assert_eq!(b.body["total"]["appeals_received"], 5);
    let mine = b.body["operators"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|o| o["id"] == op1.to_string())
        .cloned()
        .unwrap_or_default();
    assert_eq!(mine["kpis"]["wait_after_ivr_secs"]["value"], 30.0, "{mine}");
    let csv = app
        .get(&format!("/api/v1/kpis/export?{span}&format=csv"), &sup)
        .await?;
    assert!(csv.content_type.starts_with("text/csv"));
    let mut reader = csv::Reader::from_reader(csv.text.trim_start_matches('\u{feff}').as_bytes());
    let records: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>()?;
    assert_eq!(records.len(), 3);
    assert_eq!(&records[0][0], "2026-03-02");
    let url = format!("{}/api/v1/kpis/export?{span}&format=xlsx", app.base);
    let bytes = reqwest::Client::new()
        .get(&url)
        .bearer_auth(&sup)
        .send()
        .await?
        .bytes()
        .await?;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec()))?;
    use calamine::Reader as _;
    assert_eq!(
        book.worksheet_range("KPI")?.rows().count(),
        4,
        "a heading and three days"
    );
    let r = app
        .get(&format!("/api/v1/kpis/export?{span}&format=pdf"), &sup)
        .await?;
    assert_eq!(r.status, 422);
    let mut socket = crate::ws_operator::connect(&app.base).await?;
    crate::ws_operator::send(&mut socket, json!({"type": "hello", "v": 1, "token": sup})).await?;
    let mut pushed = None;
    for _ in 0..10 {
        let f = crate::ws_operator::next(&mut socket).await?;
        if f["type"] == "kpis" {
            pushed = Some(f);
            break;
        }
    }
    let pushed = pushed.ok_or_else(|| anyhow::anyhow!("no kpis frame"))?;
    assert!(
        pushed["today"]["total"]["fcr_pct"]["band"].is_object(),
        "{pushed}"
    );

    // A period with nothing in it: no figures, no division by zero.
    let empty = "/api/v1/kpis?from=2025-01-01T00:00:00Z&to=2025-01-02T00:00:00Z";
    let r = app.get(empty, &sup).await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["calls_entered"], 0);
    assert_eq!(r.body["wait_after_ivr_secs"]["value"], Value::Null);
    assert_eq!(r.body["lost_calls_pct"]["value"], Value::Null);
    assert_eq!(r.body["fcr_pct"]["value"], Value::Null);

    // Bad periods and filters: a clear error.
    for (bad, status) in [
        (
            "/api/v1/kpis?from=2026-03-03T00:00:00Z&to=2026-03-02T00:00:00Z",
            422,
        ),
        (
            "/api/v1/kpis?from=2024-01-01T00:00:00Z&to=2026-01-02T00:00:00Z",
            422,
        ),
        ("/api/v1/kpis?from=2026-03-02T00:00:00Z", 400),
        ("/api/v1/kpis?from=yesterday&to=2026-03-02T00:00:00Z", 400),
        (
            "/api/v1/kpis?from=2026-03-02T00:00:00Z&to=2026-03-03T00:00:00Z&channel=pigeon",
            422,
        ),
        (
            "/api/v1/kpis?from=2026-03-02T00:00:00Z&to=2026-03-03T00:00:00Z&colour=red",
            400,
        ),
    ] {
        let r = app.get(bad, &sup).await?;
        assert_eq!(r.status, status, "{bad}: {}", r.text);
    }
    let (_, op) = app.staff("op", "operator", None).await?;
    assert_eq!(app.get(&q, &op).await?.status, 403);

    // Targets are settings: moved, and the status follows.
    let mut s = app.get("/api/v1/settings/kpi", &sup).await?.body;
    s["lost_calls_pct"] = json!({"low": 30.0, "high": 50.0, "higher_is_better": false});
    let r = app
        .put("/api/v1/settings/kpi", app.admin(), s.clone())
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        app.get(&q, &sup).await?.body["lost_calls_pct"]["status"],
        "within"
    );
    s["fcr_pct"] = json!({"low": 90.0, "high": 10.0, "higher_is_better": true});
    assert_eq!(
        app.put("/api/v1/settings/kpi", app.admin(), s)
            .await?
            .status,
        422
    );
    Ok(())
}

/// The engine reads the events the product writes: a call queued after the voice menu, offered
/// by routing, answered and ended; another abandoned in the queue; a contact registered by
/// staff (not a call that waited).
#[tokio::test]
async fn kpis_follow_real_traffic() -> anyhow::Result<()> {
    let app = TestApp::spawn(baylanys_tests::Backend::Sqlite).await?;
    let main = app.default_queue().await?;
    let from = Utc::now() - Duration::seconds(1);
    let (op_id, op) = app.staff("op", "operator", None).await?;
    let r = app
        .patch(
            &format!("/api/v1/staff/{op_id}"),
            app.admin(),
            json!({"languages": ["kk"], "capacity": {"web_chat": 1, "voice": 1}}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app
        .put(
            "/api/v1/auth/me/presence",
            &op,
            json!({"presence": "online"}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let client = app
        .client(&op, json!({"name": "Арман", "language": "kk"}))
        .await?;
    // Registered by the admin: the admin holds that contact, the operator is free for calls.
    let appeal = app.appeal(app.admin(), client, "Қоңырау").await?;
    let answered = queue_call(&app, appeal, main).await?;
    baylanys_tests::eventually("the call offered", || async {
        let o = app.get("/api/v1/routing/offers", &op).await?;
        Ok(o.body
            .as_array()
            .is_some_and(|a| a.iter().any(|x| x["id"] == answered.to_string()))
            .then_some(()))
    })
    .await?;
    let r = app
        .post(
            &format!("/api/v1/interactions/{answered}/accept"),
            &op,
            json!({}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = app
        .post(
            &format!("/api/v1/interactions/{answered}/end"),
            &op,
            json!({}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    // The operator is away now; the next call waits and is abandoned.
    let r = app
        .put("/api/v1/auth/me/presence", &op, json!({"presence": "away"}))
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let lost = queue_call(&app, appeal, main).await?;
    let r = app
        .post(
            &format!("/api/v1/interactions/{lost}/abandon"),
            app.admin(),
            json!({}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);

    let to = Utc::now() + Duration::seconds(1);
    let q = format!(
        "/api/v1/kpis?from={}&to={}",
        from.to_rfc3339(),
        to.to_rfc3339()
    )
    .replace('+', "%2B");
    let k = app.get(&q, app.admin()).await?.body;
    assert_eq!(
        (
            k["calls_entered"].as_u64(),
            k["calls_answered"].as_u64(),
            k["calls_lost"].as_u64()
        ),
        (Some(2), Some(1), Some(1)),
        "{k}"
    );
    assert_eq!(k["lost_calls_pct"]["value"], 50.0);
    assert!(
        k["wait_after_ivr_secs"]["value"]
            .as_f64()
            .is_some_and(|w| (0.0..10.0).contains(&w)),
        "{k}"
    );
    assert_eq!(k["appeals_received"], 1);
    // Only the call ended: the contact registered by staff is still open.
    assert_eq!(k["aht_minutes"]["count"], 1, "{k}");
    let events = all_events(&app).await?;
    let mine = independent(&events, from, to);
    assert_eq!(
        round(mine["lost_pct"]),
        k["lost_calls_pct"]["value"].as_f64()
    );
    assert_eq!(mine["received"], k["appeals_received"].as_f64());
    Ok(())
}

async fn queue_call(app: &TestApp, appeal: Uuid, queue: Uuid) -> anyhow::Result<Uuid> {
    let r = app
        .post(
            &format!("/api/v1/appeals/{appeal}/interactions"),
            app.admin(),
            json!({"channel": "voice", "queue_id": queue}),
        )
        .await?;
    anyhow::ensure!(r.status == 201 && r.body["state"] == "queued", "{}", r.text);
    Ok(r.id())
}
