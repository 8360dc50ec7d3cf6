//! Reclassifying an appeal from the console (issue 14): `PATCH /api/v1/appeals/{id}` sets its
//! kind, topic and priority, each change an event of its own with from, to and the reason. A new
//! kind re-dates an appeal whose due date was never extended, by the new kind's term on the
//! working-day calendar (АППК art. 63, 76), and the citizen is told the kind — in their words —
//! and the new date on their own channel, in their language, in the same transaction (R6.1,
//! R6.4; Law on Languages art. 11). A complaint keeps its kind (R8, R9); body officers may not
//! reclassify; answered and closed appeals do not change; every refusal changes nothing, on both
//! backends.

use baylanys_domain::deadline;
use baylanys_tests::{both, Backend, Reply, TestApp};
use chrono::{DateTime, Utc};
use reqwest::Method;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::verification::{body_text, wait_for_mail, SmtpSink};

both!(each_change_is_an_event, refusals_change_nothing);

fn due(v: &Value) -> Option<DateTime<Utc>> {
    v["due_at"].as_str().and_then(|s| s.parse().ok())
}

fn path(id: Uuid) -> String {
    format!("/api/v1/appeals/{id}")
}

/// The appeal's events of `kind`, oldest first, through the event API supervisors read.
async fn events(app: &TestApp, appeal: Uuid, kind: &str) -> anyhow::Result<Vec<Value>> {
    let r = app
        .get(
            &format!("/api/v1/events?appeal_id={appeal}&kind={kind}"),
            app.admin(),
        )
        .await?;
    anyhow::ensure!(r.status == 200, "{}", r.text);
    Ok(r.body["items"].as_array().cloned().unwrap_or_default())
}

/// The appeal as the single window shows it: the appeal, its timeline and deliveries.
async fn detail(app: &TestApp, appeal: Uuid) -> anyhow::Result<Value> {
    let r = app.get(&path(appeal), app.admin()).await?;
    anyhow::ensure!(r.status == 200, "{}", r.text);
    Ok(r.body)
}

async fn topic(app: &TestApp, code: &str, name: &str) -> anyhow::Result<Uuid> {
    let r = app
        .post(
            "/api/v1/topics",
            app.admin(),
            json!({"code": code, "name_kk": name, "name_ru": name}),
        )
        .await?;
    anyhow::ensure!(r.status == 201, "{}", r.text);
    Ok(r.id())
}

/// Each field changed is its own event, with from, to and the reason, read back through the
/// event API and on the appeal's timeline; values equal to the current ones write nothing.
/// Operators, supervisors and admins may reclassify.
async fn each_change_is_an_event(app: TestApp) -> anyhow::Result<()> {
    let (op_id, op) = app.staff("op", "operator", None).await?;
    let (_, sup) = app.staff("sup", "supervisor", None).await?;
    let land = topic(&app, "land", "Жер").await?;
    let housing = topic(&app, "housing", "Тұрғын үй").await?;
    let client = app.client(&op, json!({"name": "Серік"})).await?;
    let id = app.appeal(&op, client, "Жер учаскесі туралы").await?;
    let registered = detail(&app, id).await?["appeal"].clone();
    assert_eq!(
        (registered["kind"].as_str(), registered["priority"].as_i64()),
        (Some("request"), Some(3))
    );

    // Priority, by the operator, with the reason.
    let r = app
        .patch(
            &path(id),
            &op,
            json!({"priority": 5, "reason": "Мүгедектігі бар өтініш беруші"}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["priority"], 5);
    let e = events(&app, id, "appeal.priority_changed").await?;
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(
        e[0]["data"],
        json!({"from": 3, "to": 5, "reason": "Мүгедектігі бар өтініш беруші"})
    );
    assert_eq!(e[0]["actor_id"], op_id.to_string());

    // Topic set, changed and cleared, by a supervisor; no reason is fine.
    for (to, from) in [
        (json!(land), Value::Null),
        (json!(housing), json!(land)),
        (Value::Null, json!(housing)),
    ] {
        let r = app.patch(&path(id), &sup, json!({"topic_id": to})).await?;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["topic_id"], to);
        let e = events(&app, id, "appeal.topic_changed").await?;
        let last = e.last().cloned().unwrap_or_default();
        assert_eq!(
            last["data"],
            json!({"from": from, "to": to, "reason": null})
        );
    }
    assert_eq!(events(&app, id, "appeal.topic_changed").await?.len(), 3);

    // Two fields at once: two events, one transaction; the kind's names the dates it moved.
    let r = app
        .patch(
            &path(id),
            app.admin(),
            json!({"kind": "proposal", "topic_id": land, "reason": "ұсыныс"}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        (r.body["kind"].as_str(), r.body["topic_id"].as_str()),
        (Some("proposal"), Some(land.to_string().as_str()))
    );
    let kind = events(&app, id, "appeal.kind_changed").await?;
    assert_eq!(kind.len(), 1);
    assert_eq!(
        (&kind[0]["data"]["from"], &kind[0]["data"]["to"]),
        (&json!("request"), &json!("proposal"))
    );
    assert_eq!(kind[0]["data"]["reason"], "ұсыныс");
    let topics = events(&app, id, "appeal.topic_changed").await?;
    assert_eq!(topics.len(), 4);
    assert_eq!(topics[3]["at"], kind[0]["at"], "written by the same change");

    // The same values again: 200 with the appeal, nothing written.
    let before = app.event_count().await?;
    let r = app
        .patch(
            &path(id),
            &op,
            json!({"kind": "proposal", "topic_id": land, "priority": 5, "reason": "қайта"}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        r.body["updated_at"],
        detail(&app, id).await?["appeal"]["updated_at"]
    );
    assert_eq!(app.event_count().await?, before, "no change, no event");

    // The timeline of the single window shows each change.
    let d = detail(&app, id).await?;
    let kinds: Vec<&str> = d["timeline"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["kind"].as_str())
        .filter(|k| k.ends_with("_changed") && !k.contains("status"))
        .collect();
    assert_eq!(
        kinds,
        [
            "appeal.priority_changed",
            "appeal.topic_changed",
            "appeal.topic_changed",
            "appeal.topic_changed",
            "appeal.kind_changed",
            "appeal.topic_changed",
        ]
    );
    crate::events_typed::every_event_reads_typed(&app).await?;
    Ok(())
}

/// Every refusal answers a problem and changes nothing: not the appeal, not the log.
async fn refusals_change_nothing(app: TestApp) -> anyhow::Result<()> {
    let (_, op) = app.staff("op", "operator", None).await?;
    let body = app.body("Әділет министрлігі").await?;
    let (_, officer) = app.staff("officer", "body_officer", Some(body)).await?;
    let retired = topic(&app, "retired", "Ескі").await?;
    let r = app
        .patch(
            &format!("/api/v1/topics/{retired}"),
            app.admin(),
            json!({"active": false}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let client = app.client(&op, json!({"name": "Әлия"})).await?;
    let id = app.appeal(&op, client, "Анықтама").await?;
    // Redirected to the officer's body, so the officer can see it and is still refused.
    let r = app
        .post(
            &format!("{}/redirect", path(id)),
            &op,
            json!({"body_id": body, "reason": "құзыреті бойынша"}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(app.get(&path(id), &officer).await?.status, 200);
    let complaint = app.appeal(&op, client, "Оператор дөрекі сөйледі").await?;
    let r = app
        .post(
            &format!("{}/complaint", path(complaint)),
            &op,
            json!({"category": "operator_conduct"}),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);
    let answered = app.appeal(&op, client, "Жауап берілді").await?;
    let r = app
        .post(
            &format!("{}/status", path(answered)),
            &op,
            json!({"status": "answered", "resolution": "Жауап"}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let closed = app.appeal(&op, client, "Жабылды").await?;
    let r = app
        .post(
            &format!("{}/status", path(closed)),
            &op,
            json!({"status": "closed", "resolution": "Жабылды"}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);

    let ids = [id, complaint, answered, closed];
    let before = snapshot(&app, &ids).await?;
    let long = "ж".repeat(501);
    let (officer, op) = (officer.as_str(), op.as_str());
    let cases: Vec<(&str, Uuid, &str, Value, u16, &str)> = vec![
        // Who: a body's officer is not centre staff.
        (
            "officer",
            id,
            officer,
            json!({"priority": 4}),
            403,
            "forbidden",
        ),
        // What state: answered or closed; a complaint's kind (R8, R9).
        (
            "answered",
            answered,
            op,
            json!({"priority": 4}),
            409,
            "conflict",
        ),
        (
            "closed",
            closed,
            op,
            json!({"kind": "application"}),
            409,
            "conflict",
        ),
        (
            "complaint kind",
            complaint,
            op,
            json!({"kind": "request"}),
            409,
            "conflict",
        ),
        // What values.
        (
            "kind complaint",
            id,
            op,
            json!({"kind": "complaint"}),
            422,
            "validation",
        ),
        (
            "kind unknown",
            id,
            op,
            json!({"kind": "petition"}),
            422,
            "unknown-value",
        ),
        (
            "priority 0",
            id,
            op,
            json!({"priority": 0}),
            422,
            "validation",
        ),
        (
            "priority 6",
            id,
            op,
            json!({"priority": 6}),
            422,
            "validation",
        ),
        (
            "priority text",
            id,
            op,
            json!({"priority": "high"}),
            422,
            "invalid-body",
        ),
        (
            "topic unknown",
            id,
            op,
            json!({"topic_id": Uuid::now_v7()}),
            422,
            "validation",
        ),
        (
            "topic inactive",
            id,
            op,
            json!({"topic_id": retired}),
            422,
            "validation",
        ),
        (
            "topic not a uuid",
            id,
            op,
            json!({"topic_id": "land"}),
            422,
            "invalid-body",
        ),
        ("nothing", id, op, json!({}), 422, "validation"),
        (
            "a reason alone",
            id,
            op,
            json!({"reason": "себебі"}),
            422,
            "validation",
        ),
        (
            "reason empty",
            id,
            op,
            json!({"priority": 4, "reason": "  "}),
            422,
            "validation",
        ),
        (
            "reason too long",
            id,
            op,
            json!({"priority": 4, "reason": long}),
            422,
            "validation",
        ),
        (
            "reason with NUL",
            id,
            op,
            json!({"priority": 4, "reason": "a\u{0}b"}),
            422,
            "invalid-text",
        ),
        (
            "unknown field",
            id,
            op,
            json!({"priority": 4, "status": "closed"}),
            422,
            "invalid-body",
        ),
        (
            "no such appeal",
            Uuid::now_v7(),
            op,
            json!({"priority": 4}),
            404,
            "not-found",
        ),
    ];
    for (what, appeal, token, body, status, problem) in cases {
        let r = app.patch(&path(appeal), token, body).await?;
        assert_eq!(r.status, status, "{what}: {}", r.text);
        assert_problem(&r, problem, what);
    }
    // Malformed requests: the path, the JSON, the media type.
    let r = app
        .patch("/api/v1/appeals/not-a-uuid", op, json!({"priority": 4}))
        .await?;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_problem(&r, "invalid-path", "bad id");
    let r = app
        .raw(
            Method::PATCH,
            &path(id),
            Some(op),
            "application/json",
            b"{\"priority\": ".to_vec(),
        )
        .await?;
    assert_eq!(r.status, 400, "{}", r.text);
    assert_problem(&r, "malformed-json", "truncated JSON");
    let r = app
        .raw(
            Method::PATCH,
            &path(id),
            Some(op),
            "text/plain",
            b"priority=4".to_vec(),
        )
        .await?;
    assert_eq!(r.status, 415, "{}", r.text);
    let r = app
        .raw(
            Method::PATCH,
            &path(id),
            Some(op),
            "application/json",
            b"[4]".to_vec(),
        )
        .await?;
    assert_eq!(r.status, 422, "{}", r.text);
    let r = app
        .call(
            Method::PATCH,
            &path(id),
            None,
            Some(&json!({"priority": 4})),
        )
        .await?;
    assert_eq!(r.status, 401, "{}", r.text);
    assert_eq!(
        snapshot(&app, &ids).await?,
        before,
        "every refusal changed nothing"
    );

    // What a complaint may still change: its priority and topic, not its kind.
    let r = app
        .patch(
            &path(complaint),
            op,
            json!({"priority": 4, "reason": "R9.3"}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        (r.body["kind"].as_str(), r.body["priority"].as_i64()),
        (Some("complaint"), Some(4))
    );
    crate::events_typed::every_event_reads_typed(&app).await?;
    Ok(())
}

/// The appeals as they are, and the size of the log.
async fn snapshot(app: &TestApp, ids: &[Uuid]) -> anyhow::Result<(Vec<Value>, usize)> {
    let mut all = Vec::new();
    for a in ids {
        all.push(detail(app, *a).await?["appeal"].clone());
    }
    Ok((all, app.event_count().await?))
}

fn assert_problem(r: &Reply, slug: &str, what: &str) {
    assert!(
        r.content_type.starts_with("application/problem+json"),
        "{what}: {} {}",
        r.content_type,
        r.text
    );
    assert_eq!(
        r.problem(),
        format!("/problems/{slug}"),
        "{what}: {}",
        r.text
    );
}

/// The working-day due date of an appeal registered at `at` under a term of `days`.
async fn term(app: &TestApp, at: DateTime<Utc>, days: u32) -> anyhow::Result<DateTime<Utc>> {
    let calendar = app.store.calendar().await?;
    let registered = deadline::registration_date(&calendar, at);
    Ok(deadline::end_of_day(
        calendar.add_working_days(registered, days),
    ))
}

/// The notices the citizen was sent: (text on the timeline, delivery method), oldest first.
fn notices(d: &Value) -> Vec<(String, String)> {
    let deliveries = d["deliveries"].as_array().cloned().unwrap_or_default();
    d["timeline"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["kind"] == "message.added")
        .filter_map(|e| e.get("message").filter(|m| m["kind"] == "notice"))
        .map(|m| {
            let method = deliveries
                .iter()
                .find(|x| x["message_id"] == m["id"])
                .and_then(|x| x["method"].as_str())
                .unwrap_or("none");
            (
                m["body"].as_str().unwrap_or_default().to_owned(),
                method.to_owned(),
            )
        })
        .collect()
}

/// R6.1, R6.4: a new kind's term re-dates the appeal from its registration, and the citizen is
/// told — by e-mail, the channel they can be reached on, in Kazakh or Russian as the appeal
/// is — the kind in their words and the new date, with its number. An extended due date stays;
/// a new kind then changes the kind only, and nobody is told.
async fn a_new_kind_redates_the_appeal(backend: Backend) -> anyhow::Result<()> {
    let sink = SmtpSink::start().await?;
    let app = TestApp::spawn_delivering(backend, sink.delivery()?).await?;
    let (_, op) = app.staff("op", "operator", None).await?;
    // Terms that differ by kind, so a new kind moves the date.
    let r = app
        .put(
            "/api/v1/settings/deadlines",
            app.admin(),
            json!({"request_days": 15, "application_days": 5, "proposal_days": 10}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let kk = app
        .client(
            &op,
            json!({"name": "Ерлан", "language": "kk",
                   "identities": [{"channel": "email", "address": "erlan@example.kz"}]}),
        )
        .await?;
    let id = app.appeal(&op, kk, "Жер учаскесін беру туралы").await?;
    let a = detail(&app, id).await?["appeal"].clone();
    let number = a["number"].as_str().unwrap_or_default().to_owned();
    let created: DateTime<Utc> = a["created_at"].as_str().unwrap_or_default().parse()?;
    assert_eq!(due(&a), Some(term(&app, created, 15).await?));
    wait_for_mail(&sink, 1).await?;

    // request → application: due 5 working days after registration, told in Kazakh.
    let r = app
        .patch(
            &path(id),
            &op,
            json!({"kind": "application", "reason": "Шешім сұрайды"}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let five = term(&app, created, 5).await?;
    assert_eq!(due(&r.body), Some(five));
    let e = events(&app, id, "appeal.kind_changed").await?;
    assert_eq!(e.len(), 1);
    assert_eq!(
        e[0]["data"]["due_from"],
        json!(term(&app, created, 15).await?)
    );
    assert_eq!(e[0]["data"]["due_to"], json!(five));
    let day = deadline::local_date(five).format("%d.%m.%Y").to_string();
    let told = notices(&detail(&app, id).await?);
    assert_eq!(told.len(), 2, "registered, then reclassified: {told:?}");
    assert_eq!(
        told[1],
        (
            format!("№ {number} өтінішіңіз арыз ретінде тіркелді, жауап {day} дейін беріледі."),
            "email".to_owned()
        )
    );
    let mail = body_text(&wait_for_mail(&sink, 2).await?);
    assert!(mail.contains(&told[1].0), "{mail}");
    assert!(
        !mail.contains("application"),
        "never the stored value: {mail}"
    );

    // A Russian appeal hears the kind in Russian.
    let ru = app
        .client(
            &op,
            json!({"name": "Ольга", "language": "ru",
                   "identities": [{"channel": "email", "address": "olga@example.kz"}]}),
        )
        .await?;
    let id_ru = app.appeal(&op, ru, "Предлагаю поставить скамейки").await?;
    let a = detail(&app, id_ru).await?["appeal"].clone();
    let created_ru: DateTime<Utc> = a["created_at"].as_str().unwrap_or_default().parse()?;
    let r = app
        .patch(&path(id_ru), &op, json!({"kind": "proposal"}))
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let ten = term(&app, created_ru, 10).await?;
    assert_eq!(due(&r.body), Some(ten));
    let told = notices(&detail(&app, id_ru).await?);
    let day = deadline::local_date(ten).format("%d.%m.%Y").to_string();
    assert_eq!(
        told.last().map(|(t, _)| t.as_str()),
        Some(
            format!(
                "Ваше обращение № {} зарегистрировано как предложение; ответ будет дан до {day}.",
                a["number"].as_str().unwrap_or_default()
            )
            .as_str()
        )
    );

    // Back to a request: the first term again, told again (each change is its own notice).
    let r = app
        .patch(&path(id), &op, json!({"kind": "request"}))
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(due(&r.body), Some(term(&app, created, 15).await?));
    assert_eq!(notices(&detail(&app, id).await?).len(), 3);

    // Extended by a reasoned decision (art. 76): a new kind keeps the extended date, says
    // nothing to the citizen, and its event names no dates.
    let extended_to = deadline::local_date(term(&app, created, 20).await?);
    let r = app
        .post(
            &format!("{}/extend", path(id)),
            &op,
            json!({"due_date": extended_to, "reason": "Басқа органнан жауап күтілуде"}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let extended = due(&r.body);
    let told_before = notices(&detail(&app, id).await?).len();
    let r = app
        .patch(&path(id), &op, json!({"kind": "application"}))
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["kind"], "application");
    assert_eq!(due(&r.body), extended, "an extended date stays");
    assert_eq!(notices(&detail(&app, id).await?).len(), told_before);
    let e = events(&app, id, "appeal.kind_changed").await?;
    let last = e.last().cloned().unwrap_or_default();
    assert_eq!(
        last["data"],
        json!({"from": "request", "to": "application", "reason": null})
    );
    // A topic or priority alone never re-dates or tells.
    let r = app.patch(&path(id_ru), &op, json!({"priority": 1})).await?;
    assert_eq!(due(&r.body), Some(ten));
    assert_eq!(notices(&detail(&app, id_ru).await?).len(), 2);
    crate::events_typed::every_event_reads_typed(&app).await?;
    Ok(())
}

#[tokio::test]
async fn a_new_kind_redates_the_appeal_sqlite() -> anyhow::Result<()> {
    a_new_kind_redates_the_appeal(Backend::Sqlite).await
}

#[tokio::test]
async fn a_new_kind_redates_the_appeal_postgres() -> anyhow::Result<()> {
    a_new_kind_redates_the_appeal(Backend::Postgres).await
}
