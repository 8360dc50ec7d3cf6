//! QA reviews (R26–R28, KPI 2) on real answered contacts: a random sample per operator of a
//! period, reviews against the scorecard by two supervisors, calibration differences, KPI 2 from
//! the reviews (whole centre, one operator, one channel), the scorecard as a setting, and every
//! bad input refused with nothing changed.

use std::collections::BTreeSet;

use baylanys_tests::{both, TestApp};
use chrono::{Duration, SecondsFormat, Utc};
use serde_json::{json, Value};
use uuid::Uuid;

both!(qa_reviews_sample_calibration_and_kpi);

fn scores(a: i64, c: i64, p: i64, co: i64, d: i64) -> Value {
    json!({"accuracy": a, "completeness": c, "procedure": p, "courtesy": co, "data_protection": d})
}

/// The contact an appeal registered by staff came in with (answered by them at once).
async fn first_contact(app: &TestApp, token: &str, appeal: Uuid) -> anyhow::Result<Uuid> {
    let d = app.get(&format!("/api/v1/appeals/{appeal}"), token).await?;
    d.body["interactions"][0]["id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| anyhow::anyhow!("no interaction: {}", d.text))
}

/// Registers an appeal on `channel` as `token`'s staff member; returns it and its contact.
async fn contact(
    app: &TestApp,
    token: &str,
    client: Uuid,
    channel: &str,
) -> anyhow::Result<(Uuid, Uuid)> {
    let r = app
        .post(
            "/api/v1/appeals",
            token,
            json!({"client_id": client, "kind": "request", "channel": channel, "text": "Анықтама керек"}),
        )
        .await?;
    anyhow::ensure!(r.status == 201, "creating appeal: {}", r.text);
    Ok((r.id(), first_contact(app, token, r.id()).await?))
}

fn ids(v: &Value) -> BTreeSet<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|i| i["interaction_id"].as_str().map(str::to_owned))
        .collect()
}

async fn qa_reviews_sample_calibration_and_kpi(app: TestApp) -> anyhow::Result<()> {
    let (op1_id, op1) = app.staff("op1", "operator", None).await?;
    let (op2_id, op2) = app.staff("op2", "operator", None).await?;
    let (sup1_id, sup1) = app.staff("sup1", "supervisor", None).await?;
    let (sup2_id, sup2) = app.staff("sup2", "supervisor", None).await?;
    let client = app.client(&op1, json!({"name": "Айгүл"})).await?;

    // Real contacts: three of op1 by phone, two of op2 (phone and e-mail), one of sup1.
    let (a1, i1) = contact(&app, &op1, client, "voice").await?;
    let (_, i2) = contact(&app, &op1, client, "voice").await?;
    let (_, i3) = contact(&app, &op1, client, "voice").await?;
    let (_, i4) = contact(&app, &op2, client, "email").await?;
    let (_, i5) = contact(&app, &op2, client, "voice").await?;
    let (_, own) = contact(&app, &sup1, client, "voice").await?;
    // A further contact of the first appeal, still waiting in line: nobody has answered it.
    let r = app
        .post(
            &format!("/api/v1/appeals/{a1}/interactions"),
            &op1,
            json!({"channel": "web_chat"}),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);
    let queued = r.id();
    assert_eq!(r.body["state"], "queued");

    let from = (Utc::now() - Duration::hours(1)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let to = (Utc::now() + Duration::hours(1)).to_rfc3339_opts(SecondsFormat::Secs, true);

    // The scorecard: Appendix-style defaults until an admin sets one.
    let card = app.get("/api/v1/settings/qa-scorecard", &op1).await?;
    assert_eq!(card.status, 200, "{}", card.text);
    assert_eq!(
        card.body,
        json!({
            "weights": {"accuracy": 30, "completeness": 25, "procedure": 20, "courtesy": 15, "data_protection": 10},
            "pass_mark": 80,
            "sample_per_operator": 5,
        })
    );

    // The sample: every answered contact of the period, per operator, up to N each (R28).
    let s = app
        .get(&format!("/api/v1/qa/sample?from={from}&to={to}"), &sup1)
        .await?;
    assert_eq!(s.status, 200, "{}", s.text);
    assert_eq!(s.body["per_operator"], 5);
    let of = |body: &Value, op: Uuid| {
        body["operators"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|o| o["operator_id"] == op.to_string())
            .map(|o| (o["name"].clone(), ids(&o["interactions"])))
    };
    let set = |xs: &[Uuid]| xs.iter().map(Uuid::to_string).collect::<BTreeSet<_>>();
    assert_eq!(
        of(&s.body, op1_id),
        Some((json!("op1"), set(&[i1, i2, i3])))
    );
    assert_eq!(of(&s.body, op2_id).map(|o| o.1), Some(set(&[i4, i5])));
    assert_eq!(of(&s.body, sup1_id).map(|o| o.1), Some(set(&[own])));
    let all: BTreeSet<String> = s.body["operators"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|o| ids(&o["interactions"]))
        .collect();
    assert!(
        !all.contains(&queued.to_string()),
        "a waiting contact is not sampled"
    );
    // Up to N per operator, drawn at random: one of op1's three, not always the same one.
    let mut drawn = BTreeSet::new();
    for _ in 0..20 {
        let s = app
            .get(
                &format!("/api/v1/qa/sample?from={from}&to={to}&per_operator=1"),
                &sup1,
            )
            .await?;
        assert_eq!(s.status, 200, "{}", s.text);
        let mine = of(&s.body, op1_id).map(|o| o.1).unwrap_or_default();
        assert_eq!(mine.len(), 1, "{}", s.text);
        drawn.extend(mine);
    }
    assert!(drawn.len() > 1, "20 draws all gave {drawn:?}");

    // Two supervisors review i1 (calibration); sup1 also reviews i2 and i4.
    let review =
        |i: Uuid, sc: Value| json!({"interaction_id": i, "scores": sc, "comment": "Жақсы"});
    let r = app
        .post(
            "/api/v1/qa/reviews",
            &sup1,
            review(i1, scores(90, 90, 90, 90, 90)),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(
        (
            r.body["operator_id"].as_str(),
            r.body["reviewer_id"].as_str(),
            r.body["channel"].as_str(),
            r.body["total"].as_f64(),
            r.body["accurate"].as_bool()
        ),
        (
            Some(op1_id.to_string().as_str()),
            Some(sup1_id.to_string().as_str()),
            Some("voice"),
            Some(90.0),
            Some(true)
        )
    );
    let r = app
        .post(
            "/api/v1/qa/reviews",
            &sup2,
            review(i1, scores(70, 85, 90, 100, 80)),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);
    // 70·30 + 85·25 + 90·20 + 100·15 + 80·10 = 8325; accuracy below 80.
    assert_eq!(r.body["total"].as_f64(), Some(83.25));
    assert_eq!(r.body["accurate"], false);
    let r = app
        .post(
            "/api/v1/qa/reviews",
            &sup1,
            review(i2, scores(80, 80, 80, 0, 0)),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(
        (r.body["total"].as_f64(), r.body["accurate"].as_bool()),
        (Some(60.0), Some(true)),
        "courtesy and data protection weigh in the total, not in KPI 2"
    );
    let r = app
        .post(
            "/api/v1/qa/reviews",
            &sup1,
            review(i4, scores(100, 100, 50, 100, 100)),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["accurate"], false);

    // One event per review, carrying what KPI 2 slices by.
    let events = app
        .store
        .list_events(baylanys_store::EventFilter {
            kind: Some("qa.reviewed".into()),
            limit: 100,
            ..Default::default()
        })
        .await?;
    assert_eq!(events.len(), 4);
    let e = &events[0];
    assert_eq!(e.interaction_id, Some(i1));
    assert_eq!(e.actor_id, Some(sup1_id));
    assert!(e.appeal_id.is_some());
    assert_eq!(e.data["operator_id"], op1_id.to_string());
    assert_eq!(e.data["channel"], "voice");
    assert_eq!(e.data["total"], 90.0);
    assert_eq!(e.data["accurate"], true);
    assert!(e.data["review_id"].is_string());
    assert!(events.iter().any(|e| e.actor_id == Some(sup2_id)));

    // Reviewed contacts leave the sample.
    let s = app
        .get(&format!("/api/v1/qa/sample?from={from}&to={to}"), &sup2)
        .await?;
    assert_eq!(of(&s.body, op1_id).map(|o| o.1), Some(set(&[i3])));
    assert_eq!(of(&s.body, op2_id).map(|o| o.1), Some(set(&[i5])));

    // Calibration: both reviews of i1 and how far apart they are.
    let c = app
        .get(
            &format!("/api/v1/qa/calibration?interaction_id={i1}"),
            &sup2,
        )
        .await?;
    assert_eq!(c.status, 200, "{}", c.text);
    assert_eq!(c.body["reviews"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        c.body["differences"],
        json!({"accuracy": 20, "completeness": 5, "procedure": 0, "courtesy": 10, "data_protection": 10})
    );
    assert_eq!(c.body["total_difference"].as_f64(), Some(6.75));
    assert_eq!(c.body["accurate_agreed"], false);
    let c = app
        .get(
            &format!("/api/v1/qa/calibration?interaction_id={i5}"),
            &sup1,
        )
        .await?;
    assert_eq!(c.status, 200, "{}", c.text);
    assert_eq!(c.body["reviews"], json!([]));
    assert_eq!(c.body["total_difference"], Value::Null);

    // Listing by period, operator and contact; an operator sees only their own reviews.
    let list = |q: String, token: String| {
        let app = &app;
        async move { app.get(&format!("/api/v1/qa/reviews?{q}"), &token).await }
    };
    let r = list(format!("from={from}&to={to}"), sup1.clone()).await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body.as_array().map(Vec::len), Some(4));
    let r = list(format!("operator_id={op1_id}"), sup1.clone()).await?;
    assert_eq!(r.body.as_array().map(Vec::len), Some(3));
    let r = list(format!("interaction_id={i1}"), sup1.clone()).await?;
    assert_eq!(r.body.as_array().map(Vec::len), Some(2));
    let r = list(format!("from={from}&to={to}"), op2.clone()).await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body.as_array().map(Vec::len), Some(1), "{}", r.text);
    assert_eq!(r.body[0]["operator_id"], op2_id.to_string());
    let r = list(format!("operator_id={op2_id}"), op1.clone()).await?;
    assert_eq!(r.status, 403, "{}", r.text);

    // KPI 2: accurate reviews ÷ reviews — 2 of 4; op1 2 of 3; op2 0 of 1; e-mail 0 of 1.
    let kpi = |slice: &str| {
        let app = &app;
        let path = format!("/api/v1/kpis?from={from}&to={to}{slice}");
        let sup = sup1.clone();
        async move {
            let r = app.get(&path, &sup).await?;
            anyhow::ensure!(r.status == 200, "{}", r.text);
            Ok::<_, anyhow::Error>((
                r.body["accuracy_pct"]["value"].as_f64(),
                r.body["accuracy_pct"]["count"].as_u64(),
            ))
        }
    };
    assert_eq!(kpi("").await?, (Some(50.0), Some(4)));
    assert_eq!(
        kpi(&format!("&operator_id={op1_id}")).await?,
        (Some(66.67), Some(3))
    );
    assert_eq!(
        kpi(&format!("&operator_id={op2_id}")).await?,
        (Some(0.0), Some(1))
    );
    assert_eq!(kpi("&channel=email").await?, (Some(0.0), Some(1)));
    assert_eq!(kpi("&channel=voice").await?, (Some(66.67), Some(3)));
    let k = app
        .get(&format!("/api/v1/kpis?from={from}&to={to}"), &sup1)
        .await?;
    assert_eq!(
        k.body["accuracy_pct"]["status"], "worse",
        "50 % is below 80–85 %"
    );

    // Bad input is refused and changes nothing.
    let before = app.event_count().await?;
    let post = |token: String, body: Value| {
        let app = &app;
        async move { app.post("/api/v1/qa/reviews", &token, body).await }
    };
    for (token, body, status, why) in [
        (
            sup2.clone(),
            review(i2, scores(101, 80, 80, 80, 80)),
            422,
            "above 100",
        ),
        (
            sup2.clone(),
            review(i2, scores(80, -1, 80, 80, 80)),
            422,
            "below 0",
        ),
        (
            sup2.clone(),
            json!({"interaction_id": i2, "scores": {"accuracy": 80, "completeness": 80, "procedure": 80, "courtesy": 80, "data_protection": 80, "speed": 80}}),
            422,
            "unknown criterion",
        ),
        (
            sup2.clone(),
            json!({"interaction_id": i2, "scores": {"accuracy": 80, "completeness": 80, "procedure": 80, "courtesy": 80}}),
            422,
            "missing criterion",
        ),
        (
            sup2.clone(),
            json!({"interaction_id": i2, "scores": {"accuracy": "high"}}),
            422,
            "not a number",
        ),
        (
            sup2.clone(),
            json!({"interaction_id": i2}),
            422,
            "no scores",
        ),
        (
            sup2.clone(),
            review(Uuid::now_v7(), scores(80, 80, 80, 80, 80)),
            404,
            "unknown interaction",
        ),
        (
            sup2.clone(),
            review(queued, scores(80, 80, 80, 80, 80)),
            409,
            "not answered yet",
        ),
        (
            sup1.clone(),
            review(own, scores(100, 100, 100, 100, 100)),
            403,
            "own contact",
        ),
        (
            sup1.clone(),
            review(i1, scores(50, 50, 50, 50, 50)),
            409,
            "reviewed already",
        ),
        (
            op2.clone(),
            review(i1, scores(80, 80, 80, 80, 80)),
            403,
            "an operator",
        ),
        (
            sup2.clone(),
            json!({"interaction_id": i2, "scores": scores(80, 80, 80, 80, 80), "comment": "x".repeat(2001)}),
            422,
            "comment too long",
        ),
    ] {
        let r = post(token, body).await?;
        assert_eq!(r.status, status, "{why}: {}", r.text);
        assert!(
            r.content_type.starts_with("application/problem+json"),
            "{why}: {}",
            r.content_type
        );
    }
    for (path, token, status) in [
        (format!("/api/v1/qa/sample?from={to}&to={from}"), &sup1, 422),
        (format!("/api/v1/qa/sample?from={from}"), &sup1, 400),
        (
            format!("/api/v1/qa/sample?from={from}&to={to}&per_operator=0"),
            &sup1,
            422,
        ),
        (format!("/api/v1/qa/sample?from={from}&to={to}"), &op1, 403),
        (
            format!("/api/v1/qa/reviews?from={to}&to={from}"),
            &sup1,
            422,
        ),
        (
            format!("/api/v1/qa/calibration?interaction_id={}", Uuid::now_v7()),
            &sup1,
            404,
        ),
        (
            format!("/api/v1/qa/calibration?interaction_id={i1}"),
            &op1,
            403,
        ),
    ] {
        let r = app.get(&path, token).await?;
        assert_eq!(r.status, status, "{path}: {}", r.text);
    }
    let bad_weights = json!({
        "weights": {"accuracy": 40, "completeness": 25, "procedure": 20, "courtesy": 15, "data_protection": 10},
        "pass_mark": 80, "sample_per_operator": 5,
    });
    let r = app
        .put("/api/v1/settings/qa-scorecard", app.admin(), bad_weights)
        .await?;
    assert_eq!(r.status, 422, "weights summing to 110: {}", r.text);
    for body in [
        json!({"pass_mark": 101}),
        json!({"sample_per_operator": 0}),
        json!({"weights": {"accuracy": 100}}),
        json!({"colour": "red"}),
    ] {
        let r = app
            .put("/api/v1/settings/qa-scorecard", app.admin(), body.clone())
            .await?;
        assert_eq!(r.status, 422, "{body}: {}", r.text);
    }
    let r = app
        .put(
            "/api/v1/settings/qa-scorecard",
            &sup1,
            json!({"pass_mark": 90}),
        )
        .await?;
    assert_eq!(r.status, 403, "{}", r.text);
    assert_eq!(app.event_count().await?, before);
    assert_eq!(
        list(format!("from={from}&to={to}"), sup1.clone())
            .await?
            .body
            .as_array()
            .map(Vec::len),
        Some(4)
    );

    // A new scorecard applies to new reviews; recorded ones keep their verdict, so KPI 2 of
    // the past does not move.
    let r = app
        .put(
            "/api/v1/settings/qa-scorecard",
            app.admin(),
            json!({
                "weights": {"accuracy": 40, "completeness": 20, "procedure": 20, "courtesy": 10, "data_protection": 10},
                "pass_mark": 95,
                "sample_per_operator": 2,
            }),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(app.event_count().await?, before + 1);
    assert_eq!(
        app.get("/api/v1/settings/qa-scorecard", &sup2).await?.body["pass_mark"],
        95
    );
    assert_eq!(kpi("").await?, (Some(50.0), Some(4)));
    let r = app
        .post(
            "/api/v1/qa/reviews",
            &sup2,
            review(i3, scores(90, 90, 90, 90, 90)),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.body["accurate"], false, "90 is below the new pass mark");
    assert_eq!(kpi("").await?, (Some(40.0), Some(5)));
    let s = app
        .get(&format!("/api/v1/qa/sample?from={from}&to={to}"), &sup1)
        .await?;
    assert_eq!(s.body["per_operator"], 2);
    crate::events_typed::every_event_reads_typed(&app).await?;
    Ok(())
}
