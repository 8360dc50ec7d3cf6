//! The working-day calendar and queue hours over HTTP, on real dates (routing issue, point 5).

use baylanys_tests::{both, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::json;

both!(calendar_days_and_overrides, queue_business_hours);

async fn calendar_days_and_overrides(app: TestApp) -> anyhow::Result<()> {
    let (_, op) = app.staff("op", "operator", None).await?;
    // Nauryz 2026 falls on Sat–Sun–Mon: days off 21–25 March.
    let r = app
        .get("/api/v1/calendar/days?from=2026-03-20&to=2026-03-26", &op)
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let days = r.body.as_array().cloned().unwrap_or_default();
    let summary: Vec<(bool, &str)> = days
        .iter()
        .map(|d| {
            (
                d["working"].as_bool().unwrap_or(true),
                d["reason"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (true, "weekday"),
            (false, "holiday"),
            (false, "holiday"),
            (false, "holiday"),
            (false, "transferred"),
            (false, "transferred"),
            (true, "weekday"),
        ]
    );
    assert_eq!(days[4]["transferred_from"], "2026-03-21");
    assert_eq!(days[1]["name_kk"], "Наурыз мейрамы");
    // Republic Day 2025 on a Saturday: Monday the 27th is off.
    let r = app
        .get("/api/v1/calendar/days?from=2025-10-27&to=2025-10-27", &op)
        .await?;
    assert_eq!(r.body[0]["working"], false);
    // Kurban Ait comes from the seeded data.
    let r = app
        .get("/api/v1/calendar/days?from=2026-05-27&to=2026-05-27", &op)
        .await?;
    assert_eq!(r.body[0]["reason"], "override");
    assert_eq!(r.body[0]["name_ru"], "Курбан айт");
    let r = app.get("/api/v1/calendar/overrides", &op).await?;
    assert!(r
        .body
        .as_array()
        .is_some_and(|a| a.iter().any(|o| o["date"] == "2026-05-27")));
    // 15 working days across Nauryz.
    let r = app
        .get(
            "/api/v1/calendar/add-working-days?from=2026-03-16&days=15",
            &op,
        )
        .await?;
    assert_eq!(r.body["date"], "2026-04-09", "{}", r.text);
    // A decree's working Saturday, entered by an admin, counts.
    let before = app.event_count().await?;
    let r = app
        .call(Method::PUT, "/api/v1/calendar/overrides/2026-01-03", Some(app.admin()),
              Some(&json!({"kind": "working_day", "name_kk": "Жұмыс күні", "name_ru": "Рабочий день", "note": "Постановление №…"})))
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(app.event_count().await?, before + 1);
    let r = app
        .get(
            "/api/v1/calendar/add-working-days?from=2026-01-02&days=1",
            &op,
        )
        .await?;
    assert_eq!(r.body["date"], "2026-01-03");
    // Bad input changes nothing.
    let before = app.event_count().await?;
    for (method, path, token, body, status, kind) in [
        (
            Method::PUT,
            "/api/v1/calendar/overrides/2026-01-05",
            op.as_str(),
            Some(json!({"kind": "day_off", "name_kk": "x", "name_ru": "x"})),
            StatusCode::FORBIDDEN,
            "forbidden",
        ),
        (
            Method::PUT,
            "/api/v1/calendar/overrides/2026-13-05",
            app.admin(),
            Some(json!({"kind": "day_off", "name_kk": "x", "name_ru": "x"})),
            StatusCode::BAD_REQUEST,
            "invalid-path",
        ),
        (
            Method::PUT,
            "/api/v1/calendar/overrides/2026-01-05",
            app.admin(),
            Some(json!({"kind": "holiday", "name_kk": "x", "name_ru": "x"})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown-value",
        ),
        (
            Method::PUT,
            "/api/v1/calendar/overrides/2026-01-05",
            app.admin(),
            Some(json!({"kind": "day_off", "name_kk": " ", "name_ru": "x"})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
        ),
        (
            Method::GET,
            "/api/v1/calendar/days?from=2026-03-20&to=2026-03-19",
            op.as_str(),
            None,
            StatusCode::BAD_REQUEST,
            "invalid-query",
        ),
        (
            Method::GET,
            "/api/v1/calendar/days?from=2026-01-01&to=2028-01-01",
            op.as_str(),
            None,
            StatusCode::BAD_REQUEST,
            "invalid-query",
        ),
        (
            Method::GET,
            "/api/v1/calendar/add-working-days?from=2026-01-01&days=-1",
            op.as_str(),
            None,
            StatusCode::BAD_REQUEST,
            "invalid-query",
        ),
        (
            Method::DELETE,
            "/api/v1/calendar/overrides/2026-02-02",
            app.admin(),
            None,
            StatusCode::NOT_FOUND,
            "not-found",
        ),
    ] {
        let r = app
            .call(method.clone(), path, Some(token), body.as_ref())
            .await?;
        assert_eq!(r.status, status, "{method} {path}: {}", r.text);
        assert_eq!(r.problem(), format!("/problems/{kind}"));
    }
    assert_eq!(app.event_count().await?, before);
    let r = app
        .call(
            Method::DELETE,
            "/api/v1/calendar/overrides/2026-01-03",
            Some(app.admin()),
            None,
        )
        .await?;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = app
        .get(
            "/api/v1/calendar/add-working-days?from=2026-01-02&days=1",
            &op,
        )
        .await?;
    assert_eq!(r.body["date"], "2026-01-05");
    crate::events_typed::every_event_reads_typed(&app).await?;
    Ok(())
}

async fn queue_business_hours(app: TestApp) -> anyhow::Result<()> {
    let (_, op) = app.staff("op", "operator", None).await?;
    let q = app
        .post(
            "/api/v1/queues",
            app.admin(),
            json!({"code": "kk", "name": "Қазақша"}),
        )
        .await?;
    let id = q.id();
    assert_eq!(q.body["hours"], serde_json::Value::Null);
    let weekday = json!([{"from": "09:00", "to": "13:00"}, {"from": "14:00", "to": "18:00"}]);
    let hours = json!({"monday": weekday, "tuesday": weekday, "wednesday": weekday,
                       "thursday": weekday, "friday": weekday, "saturday": [{"from": "10:00", "to": "14:00"}]});
    let r = app
        .call(
            Method::PUT,
            &format!("/api/v1/queues/{id}/hours"),
            Some(app.admin()),
            Some(&hours),
        )
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["hours"]["monday"][1]["from"], "14:00");
    // Tuesday 2 June 2026: 10:00 local (05:00 UTC) open, 13:30 lunch closed; Saturday open
    // 10–14; Nauryz transfer day closed.
    for (at, open) in [
        ("2026-06-02T05:00:00Z", true),
        ("2026-06-02T08:30:00Z", false),
        ("2026-06-06T06:00:00Z", true),
        ("2026-03-24T05:00:00Z", false),
    ] {
        let r = app
            .get(&format!("/api/v1/queues/{id}/open?at={at}"), &op)
            .await?;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        assert_eq!(r.body["open"], open, "{at}");
    }
    let r = app
        .get(
            &format!("/api/v1/queues/{id}/open?at=2026-03-24T05:00:00Z"),
            &op,
        )
        .await?;
    assert_eq!(r.body["next_opening"], "2026-03-26T04:00:00Z");
    // Invalid hours are refused and leave the hours as they were.
    let before = app.event_count().await?;
    for bad in [
        json!({"monday": [{"from": "09:00", "to": "13:00"}, {"from": "12:00", "to": "18:00"}]}),
        json!({"monday": [{"from": "18:00", "to": "09:00"}]}),
        json!({"monday": [{"from": "25:00", "to": "26:00"}]}),
        json!({"monday": [{"from": "9", "to": "18:00"}]}),
    ] {
        let r = app
            .call(
                Method::PUT,
                &format!("/api/v1/queues/{id}/hours"),
                Some(app.admin()),
                Some(&bad),
            )
            .await?;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{bad}: {}",
            r.text
        );
        assert_eq!(r.problem(), "/problems/validation");
    }
    let r = app
        .call(
            Method::PUT,
            &format!("/api/v1/queues/{id}/hours"),
            Some(app.admin()),
            Some(&json!({"monday": [], "funday": []})),
        )
        .await?;
    assert_eq!(r.problem(), "/problems/invalid-body");
    let r = app
        .call(
            Method::PUT,
            &format!("/api/v1/queues/{}/hours", uuid::Uuid::now_v7()),
            Some(app.admin()),
            Some(&hours),
        )
        .await?;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(app.event_count().await?, before);
    let list = app.get("/api/v1/queues", &op).await?;
    assert_eq!(list.body[0]["hours"]["monday"][0]["to"], "13:00");
    // Round the clock, then back to the default.
    let all_day = json!([{"from": "00:00", "to": "24:00"}]);
    let r = app
        .call(Method::PUT, &format!("/api/v1/queues/{id}/hours"), Some(app.admin()),
              Some(&json!({"monday": all_day, "tuesday": all_day, "wednesday": all_day, "thursday": all_day,
                           "friday": all_day, "saturday": all_day, "sunday": all_day, "open_on_holidays": true})))
        .await?;
    assert_eq!(r.body["hours"]["sunday"][0]["to"], "24:00", "{}", r.text);
    let r = app
        .get(
            &format!("/api/v1/queues/{id}/open?at=2026-03-22T22:00:00Z"),
            &op,
        )
        .await?;
    assert_eq!(r.body["open"], true);
    let r = app
        .call(
            Method::DELETE,
            &format!("/api/v1/queues/{id}/hours"),
            Some(app.admin()),
            None,
        )
        .await?;
    assert_eq!(r.body["hours"], serde_json::Value::Null);
    let r = app
        .get(
            &format!("/api/v1/queues/{id}/open?at=2026-06-06T06:00:00Z"),
            &op,
        )
        .await?;
    assert_eq!(r.body["open"], false, "default hours: closed on Saturday");
    crate::events_typed::every_event_reads_typed(&app).await?;
    Ok(())
}
