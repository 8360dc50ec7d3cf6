//! Legal deadlines (АППК art. 63, 76; R6): every new appeal gets its due date on the working-day
//! calendar by kind; settings are checked; extensions need a reason and stay within two months of
//! the first date; the deadline watch records reminders and overdue escalations once each, and
//! supervisors list what is overdue.

use std::sync::Arc;

use baylanys_domain::{deadline, AppealScope};
use baylanys_store::Actor;
use baylanys_tests::{both, TestApp};
use baylanys_workers::DeadlineWatch;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde_json::json;
use uuid::Uuid;

both!(due_dates_and_extensions, the_watch_reminds_and_escalates);

fn due(v: &serde_json::Value) -> Option<DateTime<Utc>> {
    v["due_at"].as_str().and_then(|s| s.parse().ok())
}

async fn due_dates_and_extensions(app: TestApp) -> anyhow::Result<()> {
    let (_, op) = app.staff("op", "operator", None).await?;
    let s = app.get("/api/v1/settings/deadlines", &op).await?;
    assert_eq!(s.status, 200, "{}", s.text);
    assert_eq!(
        (
            s.body["request_days"].as_u64(),
            s.body["redirect_days"].as_u64()
        ),
        (Some(15), Some(3))
    );
    // Bad settings are refused and change nothing; operators may not write them.
    let before = app.event_count().await?;
    let bad = app
        .put(
            "/api/v1/settings/deadlines",
            app.admin(),
            json!({"complaint_days": 0}),
        )
        .await?;
    assert_eq!(bad.status, 422, "{}", bad.text);
    let bad = app
        .put(
            "/api/v1/settings/deadlines",
            app.admin(),
            json!({"reminder_days": 20}),
        )
        .await?;
    assert_eq!(bad.status, 422, "{}", bad.text);
    let bad = app
        .put(
            "/api/v1/settings/deadlines",
            &op,
            json!({"complaint_days": 10}),
        )
        .await?;
    assert_eq!(bad.status, 403, "{}", bad.text);
    assert_eq!(app.event_count().await?, before);
    let ok = app
        .put(
            "/api/v1/settings/deadlines",
            app.admin(),
            json!({"complaint_days": 10}),
        )
        .await?;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(
        ok.body["request_days"], 15,
        "unset fields keep their defaults"
    );

    // A request is due 15 working days after its registration date, a complaint 10.
    let client = app.client(&op, json!({"name": "Серік"})).await?;
    let calendar = app.store.calendar().await?;
    let registered = calendar.next_working_day(deadline::local_date(Utc::now()));
    let expect = |days| deadline::end_of_day(calendar.add_working_days(registered, days));
    let request = app
        .post(
            "/api/v1/appeals",
            &op,
            json!({"client_id": client, "kind": "request", "channel": "voice"}),
        )
        .await?;
    assert_eq!(due(&request.body), Some(expect(15)), "{}", request.text);
    let complaint = app
        .post(
            "/api/v1/appeals",
            &op,
            json!({"client_id": client, "kind": "complaint", "channel": "voice"}),
        )
        .await?;
    assert_eq!(due(&complaint.body), Some(expect(10)), "{}", complaint.text);

    // Extensions: later, reasoned, within two months of the first due date.
    let id = request.id();
    let first = expect(15);
    let first_date = deadline::local_date(first);
    let extend = |date: NaiveDate, reason: &str| {
        let (app, op, id) = (&app, op.clone(), id);
        let reason = reason.to_owned();
        async move {
            app.post(
                &format!("/api/v1/appeals/{id}/extend"),
                &op,
                json!({"due_date": date, "reason": reason}),
            )
            .await
        }
    };
    let before = app.event_count().await?;
    for (date, reason) in [
        (first_date - Duration::days(1), "ерте"),
        (first_date, "сол күн"),
        (first_date + Duration::days(70), "тым кеш"),
        (first_date + Duration::days(5), "   "),
    ] {
        let r = extend(date, reason).await?;
        assert_eq!(r.status, 422, "{date}: {}", r.text);
    }
    assert_eq!(
        app.event_count().await?,
        before,
        "refused extensions change nothing"
    );
    let r = extend(
        first_date + Duration::days(20),
        "Ведомстводан жауап күтілуде",
    )
    .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(
        due(&r.body),
        Some(deadline::end_of_day(first_date + Duration::days(20)))
    );
    // A second extension still counts the two months from the first date.
    let r = extend(first_date + Duration::days(58), "қосымша тексеру").await?;
    assert_eq!(r.status, 200, "{}", r.text);
    let r = extend(first_date + Duration::days(65), "тағы").await?;
    assert_eq!(r.status, 422, "{}", r.text);
    let events = app
        .get("/api/v1/events?kind=appeal.extended", app.admin())
        .await?;
    assert_eq!(events.body["items"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        events.body["items"][0]["data"]["reason"],
        "Ведомстводан жауап күтілуде"
    );
    // Answered appeals are not extended; unknown ones are 404.
    let done = app.appeal(&op, client, "жауап берілген").await?;
    app.post(
        &format!("/api/v1/appeals/{done}/status"),
        &op,
        json!({"status": "answered", "resolution": "жауап берілді"}),
    )
    .await?;
    let r = app
        .post(
            &format!("/api/v1/appeals/{done}/extend"),
            &op,
            json!({"due_date": first_date + Duration::days(3), "reason": "x"}),
        )
        .await?;
    assert_eq!(r.status, 409, "{}", r.text);
    let r = app
        .post(
            &format!("/api/v1/appeals/{}/extend", Uuid::now_v7()),
            &op,
            json!({"due_date": first_date + Duration::days(3), "reason": "x"}),
        )
        .await?;
    assert_eq!(r.status, 404, "{}", r.text);
    crate::events_typed::every_event_reads_typed(&app).await?;
    Ok(())
}

async fn the_watch_reminds_and_escalates(app: TestApp) -> anyhow::Result<()> {
    let (_, op) = app.staff("op", "operator", None).await?;
    let (_, sup) = app.staff("sup", "supervisor", None).await?;
    let client = app.client(&op, json!({})).await?;
    let late = app.appeal(&op, client, "кешіккен").await?;
    let soon = app.appeal(&op, client, "жақында").await?;
    let fine = app.appeal(&op, client, "уақыты бар").await?;
    let now = Utc::now();
    // Move two due dates directly in the store (the API refuses dates in the past).
    app.store
        .extend_deadline(
            late,
            now - Duration::hours(2),
            "тест",
            AppealScope::All,
            Actor::SYSTEM,
            baylanys_store::Also::nothing(),
        )
        .await?;
    app.store
        .extend_deadline(
            soon,
            now + Duration::hours(3),
            "тест",
            AppealScope::All,
            Actor::SYSTEM,
            baylanys_store::Also::nothing(),
        )
        .await?;
    let watch = Arc::new(DeadlineWatch::new(app.store.clone()));
    let swept = watch.pass(now).await?;
    assert_eq!(
        swept.overdue.iter().map(|a| a.id).collect::<Vec<_>>(),
        [late]
    );
    assert_eq!(swept.near.iter().map(|a| a.id).collect::<Vec<_>>(), [soon]);
    // Once each.
    let again = watch.pass(now + Duration::minutes(1)).await?;
    assert!(
        again.overdue.is_empty() && again.near.is_empty(),
        "{again:?}"
    );
    let overdue = app.get("/api/v1/events?kind=appeal.overdue", &sup).await?;
    assert_eq!(overdue.body["items"][0]["appeal_id"], late.to_string());
    // Supervisors list what is overdue; answering takes it off the list.
    let list = app.get("/api/v1/appeals?overdue=true", &sup).await?;
    let ids: Vec<&str> = list.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["id"].as_str())
        .collect();
    assert_eq!(ids, [late.to_string().as_str()]);
    app.post(
        &format!("/api/v1/appeals/{late}/status"),
        &op,
        json!({"status": "answered", "resolution": "жауап берілді"}),
    )
    .await?;
    let list = app.get("/api/v1/appeals?overdue=true", &sup).await?;
    assert_eq!(list.body["items"], json!([]));
    let _ = fine;
    crate::events_typed::every_event_reads_typed(&app).await?;
    Ok(())
}
