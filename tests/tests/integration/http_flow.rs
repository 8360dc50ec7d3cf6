//! The flow a new user follows from the README, and the single window's data (R32).

use baylanys_tests::{both, TestApp};
use reqwest::StatusCode;
use serde_json::json;

both!(
    readme_flow,
    client_lookup_and_history,
    appeal_list_filters_and_cursor,
    idempotent_ingestion_over_http,
    events_feed_and_audit_trail,
    system_endpoints,
    verification_unmasks_the_card,
);

async fn readme_flow(app: TestApp) -> anyhow::Result<()> {
    // Admin creates an operator, who logs in.
    let (op_id, op) = app.staff("aigerim", "operator", None).await?;
    // A client with an IIN (the second-pass check-digit case).
    let c = app
        .post(
            "/api/v1/clients",
            &op,
            json!({"name": "Әлия Қасымова", "iin": "061211600012", "language": "kk",
                   "identities": [{"channel": "email", "address": "Aliya@Example.kz"}]}),
        )
        .await?;
    assert_eq!(c.status, StatusCode::CREATED, "{}", c.text);
    assert_eq!(c.body["identities"][0]["address"], "aliya@example.kz");
    let client_id = c.id();
    // An appeal with the client's first words.
    let a = app
        .post(
            "/api/v1/appeals",
            &op,
            json!({"client_id": client_id, "kind": "request", "channel": "email",
                   "subject": "Кезек", "text": "Сәлеметсіз бе, анықтама керек"}),
        )
        .await?;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text);
    let year = chrono::Utc::now().format("%Y").to_string();
    assert_eq!(a.body["number"], format!("{year}-000001"));
    assert_eq!(
        a.body["language"], "kk",
        "defaults to the client's language"
    );
    assert_eq!(a.body["status"], "new");
    assert_eq!(a.body["last_seq"], 1);
    let id = a.id();
    // Messages get consecutive seq numbers.
    let m = app
        .post(
            &format!("/api/v1/appeals/{id}/messages"),
            &op,
            json!({"body": "Қайырлы күн! Тексеріп жатырмын."}),
        )
        .await?;
    assert_eq!(m.status, StatusCode::CREATED, "{}", m.text);
    assert_eq!(m.body["seq"], 2);
    assert_eq!(m.body["author"], "operator");
    assert_eq!(m.body["direction"], "outbound");
    assert_eq!(m.body["staff_id"], op_id.to_string());
    let m = app
        .post(
            &format!("/api/v1/appeals/{id}/messages"),
            &op,
            json!({"body": "Рақмет", "author": "client"}),
        )
        .await?;
    assert_eq!(m.body["seq"], 3);
    assert_eq!(m.body["direction"], "inbound");
    // Take it, work it, answer it, close it.
    let r = app
        .post(
            &format!("/api/v1/appeals/{id}/assign"),
            &op,
            json!({"staff_id": op_id}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["assignee_id"], op_id.to_string());
    for (status, extra) in [
        ("in_progress", json!({})),
        (
            "answered",
            json!({"resolution": "Анықтама берілді", "first_contact_resolved": true}),
        ),
        ("closed", json!({})),
    ] {
        let mut body = extra;
        body["status"] = json!(status);
        let r = app
            .post(&format!("/api/v1/appeals/{id}/status"), &op, body)
            .await?;
        assert_eq!(r.status, StatusCode::OK, "{status}: {}", r.text);
        assert_eq!(r.body["status"], status);
    }
    let note = app
        .post(
            &format!("/api/v1/appeals/{id}/notes"),
            &op,
            json!({"body": "Клиент риза"}),
        )
        .await?;
    assert_eq!(note.status, StatusCode::CREATED, "{}", note.text);
    // The timeline holds every step, in order, with the message and note attached.
    let d = app.get(&format!("/api/v1/appeals/{id}"), &op).await?;
    assert_eq!(d.status, StatusCode::OK, "{}", d.text);
    // Not verified on this appeal: the card shows only the IIN's last two digits (R11).
    assert_eq!(d.body["client"]["iin"], "**********12");
    assert_eq!(d.body["appeal"]["status"], "closed");
    assert_eq!(d.body["appeal"]["first_contact_resolved"], true);
    // Closing ended the contact that was in progress.
    assert_eq!(d.body["interactions"][0]["state"], "ended");
    assert!(d.body["appeal"]["closed_at"].is_string());
    let kinds: Vec<&str> = d.body["timeline"]
        .as_array()
        .map(|t| t.iter().filter_map(|e| e["kind"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        kinds,
        [
            "appeal.created",
            "interaction.started",
            "message.added",
            "message.added",
            "message.added",
            "appeal.assigned",
            "appeal.status_changed",
            "appeal.status_changed",
            "appeal.status_changed",
            "interaction.updated",
            "appeal.note_added",
        ]
    );
    let timeline = d.body["timeline"].as_array().cloned().unwrap_or_default();
    assert_eq!(
        timeline[2]["message"]["body"],
        "Сәлеметсіз бе, анықтама керек"
    );
    assert_eq!(timeline[10]["note"]["body"], "Клиент риза");
    assert_eq!(timeline[8]["data"]["from"], "answered");
    assert_eq!(timeline[8]["data"]["to"], "closed");
    // A closed appeal takes no more messages: a new contact opens a new appeal.
    let r = app
        .post(
            &format!("/api/v1/appeals/{id}/messages"),
            &op,
            json!({"body": "тағы"}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::CONFLICT);
    // Logout ends the session.
    let r = app
        .call(
            reqwest::Method::POST,
            "/api/v1/auth/logout",
            Some(&op),
            None,
        )
        .await?;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = app.get("/api/v1/auth/me", &op).await?;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    crate::events_typed::every_event_reads_typed(&app).await?;
    Ok(())
}

async fn client_lookup_and_history(app: TestApp) -> anyhow::Result<()> {
    let (_, op) = app.staff("operator1", "operator", None).await?;
    let id = app
        .client(
            &op,
            json!({"name": "Пётр Иванов", "iin": "900101300007", "language": "ru",
                   "identities": [{"channel": "telegram", "address": "555123"},
                                  {"channel": "voice", "address": "+7 (701) 000-11-22"}]}),
        )
        .await?;
    app.client(&op, json!({"name": "Петрова Анна", "language": "ru"}))
        .await?;
    for q in [
        "iin=900101300007".to_owned(),
        "channel=telegram&address=555123".to_owned(),
        "name=%D0%9F%D1%91%D1%82%D1%80%20%20%D0%B8%D0%B2".to_owned(), // "Пётр  ив": case, ё and spaces folded
    ] {
        let r = app.get(&format!("/api/v1/clients?{q}"), &op).await?;
        assert_eq!(r.status, StatusCode::OK, "{q}: {}", r.text);
        let items = r.body["items"].as_array().cloned().unwrap_or_default();
        assert_eq!(items.len(), 1, "{q}: {}", r.text);
        assert_eq!(items[0]["id"], id.to_string());
    }
    let r = app
        .get("/api/v1/clients?name=%D0%BF%D0%B5%D1%82%D1%80", &op)
        .await?;
    assert_eq!(
        r.body["items"].as_array().map(Vec::len),
        Some(2),
        "prefix петр matches both"
    );
    // Unknown identity: an empty list, not an error.
    let r = app
        .get("/api/v1/clients?channel=telegram&address=999", &op)
        .await?;
    assert_eq!(r.body["items"], json!([]));
    // History across channels: appeals from a call and from Telegram.
    let first = app.appeal(&op, id, "Қоңырау").await?;
    let r = app
        .post(
            "/api/v1/appeals",
            &op,
            json!({"client_id": id, "kind": "application", "channel": "telegram", "text": "Telegram арқылы"}),
        )
        .await?;
    let second = r.id();
    let h = app
        .get(&format!("/api/v1/clients/{id}/history"), &op)
        .await?;
    assert_eq!(h.status, StatusCode::OK, "{}", h.text);
    let appeals = h.body["appeals"].as_array().cloned().unwrap_or_default();
    assert_eq!(appeals.len(), 2);
    assert_eq!(
        appeals[0]["appeal"]["id"],
        second.to_string(),
        "newest first"
    );
    assert_eq!(appeals[0]["appeal"]["channel"], "telegram");
    assert_eq!(appeals[1]["appeal"]["id"], first.to_string());
    assert_eq!(appeals[1]["messages"][0]["body"], "Қоңырау");
    assert_eq!(appeals[1]["interactions"][0]["channel"], "voice");
    // Identities are unique per channel.
    let other = app.client(&op, json!({"name": "Басқа"})).await?;
    let r = app
        .post(
            &format!("/api/v1/clients/{other}/identities"),
            &op,
            json!({"channel": "telegram", "address": "555123"}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    let r = app
        .post(
            &format!("/api/v1/clients/{other}/identities"),
            &op,
            json!({"channel": "email", "address": "b@example.kz"}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["identities"][0]["channel"], "email");
    crate::events_typed::every_event_reads_typed(&app).await?;
    Ok(())
}

async fn appeal_list_filters_and_cursor(app: TestApp) -> anyhow::Result<()> {
    let (op_id, op) = app.staff("op", "operator", None).await?;
    let client = app.client(&op, json!({"name": "Тест"})).await?;
    let mut ids = Vec::new();
    for i in 0..7 {
        ids.push(app.appeal(&op, client, &format!("#{i}")).await?);
    }
    app.post(
        &format!("/api/v1/appeals/{}/assign", ids[2]),
        &op,
        json!({"staff_id": op_id}),
    )
    .await?;
    app.post(
        &format!("/api/v1/appeals/{}/status", ids[3]),
        &op,
        json!({"status": "in_progress"}),
    )
    .await?;
    // Walk all pages of 3, newest first, without duplicates or gaps.
    let mut seen = Vec::new();
    let mut before: Option<String> = None;
    loop {
        let q = match &before {
            Some(b) => format!("/api/v1/appeals?limit=3&before={b}"),
            None => "/api/v1/appeals?limit=3".to_owned(),
        };
        let r = app.get(&q, &op).await?;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        for a in r.body["items"].as_array().cloned().unwrap_or_default() {
            seen.push(a["id"].as_str().unwrap_or_default().to_owned());
        }
        match r.body["next_before"].as_str() {
            Some(b) => before = Some(b.to_owned()),
            None => break,
        }
    }
    let expected: Vec<String> = ids.iter().rev().map(|i| i.to_string()).collect();
    assert_eq!(seen, expected);
    let r = app
        .get(&format!("/api/v1/appeals?assignee_id={op_id}"), &op)
        .await?;
    assert_eq!(r.body["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(r.body["items"][0]["id"], ids[2].to_string());
    let r = app.get("/api/v1/appeals?status=in_progress", &op).await?;
    assert_eq!(r.body["items"].as_array().map(Vec::len), Some(1));
    let r = app
        .get("/api/v1/appeals?status=new&channel=voice&kind=request", &op)
        .await?;
    assert_eq!(r.body["items"].as_array().map(Vec::len), Some(6));
    let r = app.get("/api/v1/appeals?kind=complaint", &op).await?;
    assert_eq!(r.body["items"], json!([]));
    let future = "2999-01-01T00:00:00Z";
    let r = app
        .get(&format!("/api/v1/appeals?created_from={future}"), &op)
        .await?;
    assert_eq!(r.body["items"], json!([]));
    let r = app
        .get(
            &format!("/api/v1/appeals?created_to={future}&limit=500"),
            &op,
        )
        .await?;
    assert_eq!(r.body["items"].as_array().map(Vec::len), Some(7));
    Ok(())
}

async fn idempotent_ingestion_over_http(app: TestApp) -> anyhow::Result<()> {
    let (_, op) = app.staff("op", "operator", None).await?;
    let client = app.client(&op, json!({})).await?;
    let req = json!({"client_id": client, "kind": "request", "channel": "telegram",
                     "external_id": "update-42", "text": "сәлем"});
    let first = app.post("/api/v1/appeals", &op, req.clone()).await?;
    assert_eq!(first.status, StatusCode::CREATED);
    let events = app.event_count().await?;
    let again = app.post("/api/v1/appeals", &op, req).await?;
    assert_eq!(again.status, StatusCode::OK, "a replay is recognised");
    assert_eq!(again.body["id"], first.body["id"]);
    assert_eq!(app.event_count().await?, events, "a replay writes nothing");
    let id = first.id();
    let msg = json!({"body": "екінші", "author": "client", "channel": "telegram", "external_id": "update-43"});
    let m1 = app
        .post(&format!("/api/v1/appeals/{id}/messages"), &op, msg.clone())
        .await?;
    assert_eq!(m1.status, StatusCode::CREATED);
    let m2 = app
        .post(&format!("/api/v1/appeals/{id}/messages"), &op, msg)
        .await?;
    assert_eq!(m2.status, StatusCode::OK);
    assert_eq!(m1.body["id"], m2.body["id"]);
    assert_eq!(m2.body["seq"], 2);
    // The same external id on another channel is a different contact.
    let other = app
        .post(&format!("/api/v1/appeals/{id}/messages"), &op,
              json!({"body": "x", "channel": "email", "external_id": "update-43", "author": "client"}))
        .await?;
    assert_eq!(other.status, StatusCode::CREATED);
    assert_eq!(other.body["seq"], 3);
    Ok(())
}

async fn events_feed_and_audit_trail(app: TestApp) -> anyhow::Result<()> {
    let (op_id, op) = app.staff("op", "operator", None).await?;
    let (_, sup) = app.staff("sup", "supervisor", None).await?;
    let client = app
        .client(&op, json!({"name": "Аудит", "iin": "900101300007"}))
        .await?;
    let appeal = app.appeal(&op, client, "мәтін").await?;
    app.get(&format!("/api/v1/clients/{client}"), &op).await?;
    app.get(&format!("/api/v1/appeals/{appeal}"), &op).await?;
    app.get("/api/v1/clients?iin=900101300007", &op).await?;
    // Listing appeals shows no personal data and is not audited.
    app.get("/api/v1/appeals", &op).await?;
    let r = app
        .get(&format!("/api/v1/audit?client_id={client}"), &sup)
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let endpoints: Vec<&str> = r.body["items"]
        .as_array()
        .map(|a| a.iter().filter_map(|x| x["endpoint"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(
        endpoints,
        [
            "GET /api/v1/clients",
            "GET /api/v1/appeals/{id}",
            "GET /api/v1/clients/{id}"
        ],
        "newest first"
    );
    assert!(r.body["items"]
        .as_array()
        .is_some_and(|a| a.iter().all(|x| x["staff_id"] == op_id.to_string())));
    // The event log in order, paged by `after`, and it never carries the IIN or message text.
    let mut all = Vec::new();
    let mut after = 0;
    loop {
        let r = app
            .get(&format!("/api/v1/events?after={after}&limit=2"), &sup)
            .await?;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text);
        let items = r.body["items"].as_array().cloned().unwrap_or_default();
        if items.is_empty() {
            break;
        }
        after = r.body["next_after"].as_i64().unwrap_or_default();
        all.extend(items);
    }
    let ids: Vec<i64> = all.iter().filter_map(|e| e["id"].as_i64()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]));
    let text = serde_json::to_string(&all)?;
    assert!(!text.contains("900101300007"));
    assert!(!text.contains("мәтін"));
    let r = app
        .get(
            &format!("/api/v1/events?kind=appeal.created&appeal_id={appeal}"),
            &sup,
        )
        .await?;
    assert_eq!(r.body["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(r.body["items"][0]["actor_id"], op_id.to_string());
    crate::events_typed::every_event_reads_typed(&app).await?;
    Ok(())
}

async fn system_endpoints(app: TestApp) -> anyhow::Result<()> {
    let r = app
        .call(reqwest::Method::GET, "/healthz", None, None)
        .await?;
    assert_eq!(r.status, StatusCode::OK);
    let r = app
        .call(reqwest::Method::GET, "/readyz", None, None)
        .await?;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.body["backend"],
        match app.backend {
            baylanys_tests::Backend::Sqlite => "sqlite",
            baylanys_tests::Backend::Postgres => "postgres",
        }
    );
    let r = app
        .call(reqwest::Method::GET, "/metrics", None, None)
        .await?;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.content_type.starts_with("text/plain"));
    assert!(r.text.contains("baylanys_database_up 1"));
    assert!(r.text.contains("baylanys_http_requests_total{method=\"POST\",route=\"/api/v1/auth/login\",status=\"200\"} 1"));
    let r = app
        .call(reqwest::Method::GET, "/api/openapi.json", None, None)
        .await?;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body["paths"]["/api/v1/appeals/{id}/status"]["post"].is_object());
    let r = app
        .call(reqwest::Method::GET, "/problems/invalid-iin", None, None)
        .await?;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.text.contains("check digit"));
    Ok(())
}

/// R11 (issue "Trustworthy in the field", point 9): the operator checks the caller's IIN with
/// the phone or e-mail on file for it before anything confidential is shown — the date of birth
/// is written in the IIN and is refused as a factor; a mismatch changes nothing but the count
/// of wrong answers; success is an event.
async fn verification_unmasks_the_card(app: TestApp) -> anyhow::Result<()> {
    let (_, op) = app.staff("op", "operator", None).await?;
    let client = app
        .client(
            &op,
            json!({"name": "Дана", "iin": "061211600012",
                   "identities": [{"channel": "voice", "address": "+77015550101"}]}),
        )
        .await?;
    let appeal = app.appeal(&op, client, "қоңырау").await?;
    let path = format!("/api/v1/appeals/{appeal}/verify");
    let before = app.event_count().await?;
    for (body, status, kind) in [
        // What anyone holding the IIN can read off it.
        (
            json!({"iin": "061211600012", "birth_date": "2006-12-11"}),
            422,
            "validation",
        ),
        (
            json!({"iin": "061211600013", "on_file": "+77015550101"}),
            422,
            "invalid-iin",
        ),
        (
            json!({"iin": "061211600012", "birth_date": "11.12.2006"}),
            422,
            "invalid-body",
        ),
        (json!({"iin": "061211600012"}), 422, "validation"),
    ] {
        let r = app.post(&path, &op, body.clone()).await?;
        assert_eq!(
            (r.status.as_u16(), r.problem()),
            (status, format!("/problems/{kind}").as_str()),
            "{body}: {}",
            r.text
        );
    }
    assert_eq!(app.event_count().await?, before);
    // A wrong address on file is a wrong answer: counted, nothing else changes.
    let r = app
        .post(
            &path,
            &op,
            json!({"iin": "061211600012", "on_file": "+77015550199"}),
        )
        .await?;
    assert_eq!(r.problem(), "/problems/verification-failed", "{}", r.text);
    assert_eq!(app.event_count().await?, before + 1);
    let d = app.get(&format!("/api/v1/appeals/{appeal}"), &op).await?;
    assert_eq!(d.body["client"]["iin"], "**********12");
    assert_eq!(d.body["appeal"]["verified_at"], serde_json::Value::Null);
    // Spelt as people say it.
    let r = app
        .post(
            &path,
            &op,
            json!({"iin": "061211600012", "on_file": "+7 (701) 555-01-01"}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["verification_method"], "iin_on_file");
    let d = app.get(&format!("/api/v1/appeals/{appeal}"), &op).await?;
    assert_eq!(d.body["client"]["iin"], "061211600012");
    assert!(d.body.get("verification").is_none(), "{}", d.body);
    let r = app
        .get(
            &format!("/api/v1/events?kind=client.verified&appeal_id={appeal}"),
            app.admin(),
        )
        .await?;
    assert_eq!(r.body["items"][0]["data"]["method"], "iin_on_file");
    // An IIN no record has cannot be verified this way.
    let anonymous = app.client(&op, json!({"name": "Аноним"})).await?;
    let other = app.appeal(&op, anonymous, "x").await?;
    let r = app
        .post(
            &format!("/api/v1/appeals/{other}/verify"),
            &op,
            json!({"iin": "900101300007", "on_file": "+77015550101"}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    // Ten wrong answers in an hour and the appeal takes no more.
    for _ in 0..10 {
        let r = app
            .post(
                &format!("/api/v1/appeals/{other}/verify"),
                &op,
                json!({"iin": "061211600012", "on_file": "x@example.kz"}),
            )
            .await?;
        assert_eq!(r.status.as_u16(), 422, "{}", r.text);
    }
    // Even the right answer now.
    let r = app
        .post(
            &format!("/api/v1/appeals/{other}/verify"),
            &op,
            json!({"iin": "061211600012", "on_file": "+77015550101"}),
        )
        .await?;
    assert_eq!(r.status.as_u16(), 429, "{}", r.text);
    crate::events_typed::every_event_reads_typed(&app).await?;
    Ok(())
}
