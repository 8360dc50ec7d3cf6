//! Complaints (R8–R10): registered with a category (the appeal takes the complaint's term);
//! no answer before a supervisor's review and decision; escalation to a higher specialist; the
//! decision (confirmed or not, report row 20) answers the client; analytics by category,
//! operator and topic; bad input refused and nothing changed.

use baylanys_tests::{both, TestApp};
use chrono::{Duration, Utc};
use serde_json::json;
use uuid::Uuid;

both!(complaint_workflow_and_analytics);

async fn complaint_workflow_and_analytics(app: TestApp) -> anyhow::Result<()> {
    let (op_id, op) = app.staff("op", "operator", None).await?;
    let (_, sup) = app.staff("sup", "supervisor", None).await?;
    let (senior_id, _) = app.staff("senior", "supervisor", None).await?;
    app.put(
        "/api/v1/settings/deadlines",
        app.admin(),
        json!({"complaint_days": 10}),
    )
    .await?;
    let client = app.client(&op, json!({"name": "Ерлан"})).await?;
    let earlier = app.appeal(&op, client, "Бірінші өтініш").await?;
    let appeal = app.appeal(&op, client, "Оператор дөрекі сөйледі").await?;
    let path = format!("/api/v1/appeals/{appeal}/complaint");

    // Bad registrations change nothing.
    let before = app.event_count().await?;
    for (body, status) in [
        (json!({"category": "rudeness"}), 422),
        (
            json!({"category": "operator_conduct", "about_operator_id": Uuid::now_v7()}),
            404,
        ),
        (
            json!({"category": "operator_conduct", "about_appeal_id": Uuid::now_v7()}),
            404,
        ),
    ] {
        let r = app.post(&path, &op, body).await?;
        assert_eq!(r.status, status, "{}", r.text);
    }
    assert_eq!(app.event_count().await?, before);
    let r = app
        .post(
            &path,
            &op,
            json!({"category": "operator_conduct", "about_operator_id": op_id, "about_appeal_id": earlier}),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(
        app.post(&path, &op, json!({"category": "other"}))
            .await?
            .status,
        409
    );
    let d = app.get(&format!("/api/v1/appeals/{appeal}"), &op).await?;
    assert_eq!(d.body["appeal"]["kind"], "complaint");
    let calendar = app.store.calendar().await?;
    let created = d.body["appeal"]["created_at"]
        .as_str()
        .unwrap_or_default()
        .parse()?;
    let expect = baylanys_domain::deadline::due_at(&calendar, created, 10);
    assert_eq!(
        d.body["appeal"]["due_at"]
            .as_str()
            .and_then(|s| s.parse().ok()),
        Some(expect)
    );

    // No answer before the review and decision (R9).
    let r = app
        .post(
            &format!("/api/v1/appeals/{appeal}/status"),
            &op,
            json!({"status": "answered", "resolution": "кешірім сұраймыз"}),
        )
        .await?;
    assert_eq!(r.status, 409, "{}", r.text);
    let decide = format!("{path}/decide");
    let r = app
        .post(&decide, &sup, json!({"confirmed": true, "result": "x"}))
        .await?;
    assert_eq!(r.status, 409, "decided before the review: {}", r.text);
    // Operators neither review nor decide.
    assert_eq!(
        app.post(&format!("{path}/review"), &op, json!({}))
            .await?
            .status,
        403
    );
    let r = app
        .post(
            &format!("{path}/review"),
            &sup,
            json!({"note": "Жазбаны тыңдадым"}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert!(r.body["reviewed_at"].is_string());
    // Escalated to a higher specialist, who is assigned.
    let r = app
        .post(
            &format!("{path}/escalate"),
            &sup,
            json!({"to_staff_id": senior_id, "reason": "аға маман қарасын"}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let d = app.get(&format!("/api/v1/appeals/{appeal}"), &sup).await?;
    assert_eq!(d.body["appeal"]["assignee_id"], senior_id.to_string());
    // Decided: confirmed; the appeal is answered with the result.
    let r = app
        .post(
            &decide,
            &sup,
            json!({"confirmed": true, "result": "Шағым расталды, операторға ескерту жасалды."}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["status"], "answered");
    assert_eq!(
        app.post(&decide, &sup, json!({"confirmed": false, "result": "y"}))
            .await?
            .status,
        409
    );

    // A second, unconfirmed complaint about waiting.
    let other = app.appeal(&op, client, "Ұзақ күттім").await?;
    let opath = format!("/api/v1/appeals/{other}/complaint");
    app.post(&opath, &op, json!({"category": "waiting"}))
        .await?;
    app.post(&format!("{opath}/review"), &sup, json!({}))
        .await?;
    let r = app
        .post(
            &format!("{opath}/decide"),
            &sup,
            json!({"confirmed": false, "result": "Күту уақыты нормада болды."}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);

    // Analytics of the period.
    let from = (Utc::now() - Duration::hours(1)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let to = (Utc::now() + Duration::hours(1)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let s = app
        .get(
            &format!("/api/v1/complaints/stats?from={from}&to={to}"),
            &sup,
        )
        .await?;
    assert_eq!(s.status, 200, "{}", s.text);
    assert_eq!(
        (
            s.body["total"].as_u64(),
            s.body["decided"].as_u64(),
            s.body["confirmed"].as_u64()
        ),
        (Some(2), Some(2), Some(1))
    );
    let cats: Vec<(String, u64)> = s.body["by_category"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            (
                c["key"].as_str().unwrap_or("").to_owned(),
                c["confirmed"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        cats,
        [
            ("operator_conduct".to_owned(), 1),
            ("waiting".to_owned(), 0)
        ]
    );
    assert!(s.body["by_operator"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|o| o["key"] == op_id.to_string() && o["confirmed"] == 1 && o["name"].is_string()));
    let bad = app
        .get(
            &format!("/api/v1/complaints/stats?from={to}&to={from}"),
            &sup,
        )
        .await?;
    assert_eq!(bad.status, 422, "inverted period: {}", bad.text);
    assert_eq!(
        app.get(
            &format!("/api/v1/complaints/stats?from={from}&to={to}"),
            &op
        )
        .await?
        .status,
        403
    );
    let events = app
        .get("/api/v1/events?kind=complaint.decided", &sup)
        .await?;
    assert_eq!(events.body["items"].as_array().map(Vec::len), Some(2));
    crate::events_typed::every_event_reads_typed(&app).await?;
    Ok(())
}
