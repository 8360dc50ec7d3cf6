//! Competence and parts (clause 3.8, R30): bodies are set up with the topics they are competent
//! for, the console is offered the competent body for an appeal's topic, and an appeal split in
//! two goes to two bodies — each part with its own number, the appeal's due date, its own
//! redirection and officer, the citizen told the part's number. Bad input changes nothing.

use baylanys_tests::{both, TestApp};
use serde_json::{json, Value};
use uuid::Uuid;

both!(split_between_competent_bodies);

async fn topic(app: &TestApp, code: &str, kk: &str, ru: &str) -> anyhow::Result<Uuid> {
    let r = app
        .post(
            "/api/v1/topics",
            app.admin(),
            json!({"code": code, "name_kk": kk, "name_ru": ru}),
        )
        .await?;
    anyhow::ensure!(r.status == 201, "topic: {}", r.text);
    Ok(r.id())
}

fn ids(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|b| b["id"].as_str().map(str::to_owned))
        .collect()
}

async fn split_between_competent_bodies(app: TestApp) -> anyhow::Result<()> {
    let (_, op) = app.staff("op", "operator", None).await?;
    let pensions = topic(&app, "pensions", "Зейнетақы", "Пенсии").await?;
    let land = topic(&app, "land", "Жер", "Земля").await?;
    let labour = app.body("Еңбек министрлігі").await?;
    let agri = app.body("Ауыл шаруашылығы министрлігі").await?;
    let (_, officer_labour) = app.staff("labour", "body_officer", Some(labour)).await?;
    let (_, officer_agri) = app.staff("agri", "body_officer", Some(agri)).await?;

    // Competence: only admins set it, and only with known topics.
    let before = app.event_count().await?;
    let r = app
        .put(
            &format!("/api/v1/bodies/{labour}/topics"),
            &op,
            json!({"topic_ids": [pensions]}),
        )
        .await?;
    assert_eq!(r.status, 403);
    let r = app
        .put(
            &format!("/api/v1/bodies/{labour}/topics"),
            app.admin(),
            json!({"topic_ids": [pensions, Uuid::now_v7()]}),
        )
        .await?;
    assert_eq!(r.status, 404, "{}", r.text);
    let r = app
        .put(
            &format!("/api/v1/bodies/{}/topics", Uuid::now_v7()),
            app.admin(),
            json!({"topic_ids": []}),
        )
        .await?;
    assert_eq!(r.status, 404);
    assert_eq!(app.event_count().await?, before);
    for (body, t) in [(labour, pensions), (agri, land)] {
        let r = app
            .put(
                &format!("/api/v1/bodies/{body}/topics"),
                app.admin(),
                json!({"topic_ids": [t, t]}),
            )
            .await?;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["topic_ids"], json!([t]), "duplicates collapse");
    }
    let r = app
        .get(&format!("/api/v1/bodies/{agri}/topics"), &op)
        .await?;
    assert_eq!(r.body["topic_ids"], json!([land]));

    // A web-chat appeal about a pension and a land plot.
    let client = app
        .client(&op, json!({"name": "Сәуле", "language": "kk"}))
        .await?;
    let r = app
        .post(
            "/api/v1/appeals",
            &op,
            json!({"client_id": client, "kind": "request", "channel": "web_chat", "topic_id": pensions,
                   "text": "Зейнетақым неге азайды? Жер учаскесіне құжат қашан дайын болады?"}),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);
    let appeal = r.id();
    let due = r.body["due_at"].clone();
    let competent = app
        .get(&format!("/api/v1/appeals/{appeal}/competent-bodies"), &op)
        .await?;
    assert_eq!(ids(&competent.body), [labour.to_string()]);

    // Bad splits change nothing.
    let path = format!("/api/v1/appeals/{appeal}/split");
    let before = app.event_count().await?;
    for (req, status) in [
        (json!({"subject": " ", "text": "жер"}), 422),
        (json!({"subject": "Жер", "text": ""}), 422),
        (
            json!({"subject": "Жер", "text": "жер", "topic_id": Uuid::now_v7()}),
            404,
        ),
        (json!({"subject": "Жер", "text": "жер", "body": "x"}), 422),
    ] {
        let r = app.post(&path, &op, req.clone()).await?;
        assert_eq!(r.status, status, "{req}: {}", r.text);
    }
    let r = app
        .post(
            &format!("/api/v1/appeals/{}/split", Uuid::now_v7()),
            &op,
            json!({"subject": "a", "text": "b"}),
        )
        .await?;
    assert_eq!(r.status, 404);
    assert_eq!(app.event_count().await?, before);

    // The land part becomes its own appeal.
    let r = app
        .post(
            &path,
            &op,
            json!({"subject": "Жер учаскесіне құжат", "topic_id": land,
                   "text": "Жер учаскесіне құжат қашан дайын болады?"}),
        )
        .await?;
    assert_eq!(r.status, 201, "{}", r.text);
    let part = r.id();
    assert_eq!(r.body["parent_id"], appeal.to_string());
    assert_eq!(r.body["topic_id"], land.to_string());
    assert_eq!(r.body["due_at"], due, "the part keeps the appeal's term");
    let part_number = r.body["number"].as_str().unwrap_or_default().to_owned();
    let r = app
        .post(
            &format!("/api/v1/appeals/{part}/split"),
            &op,
            json!({"subject": "a", "text": "b"}),
        )
        .await?;
    assert_eq!(r.status, 409, "a part is not split again");
    let competent = app
        .get(&format!("/api/v1/appeals/{part}/competent-bodies"), &op)
        .await?;
    assert_eq!(ids(&competent.body), [agri.to_string()]);

    // The citizen is told the part's number; the appeal lists its part; both are on the log.
    let detail = app.get(&format!("/api/v1/appeals/{appeal}"), &op).await?;
    assert_eq!(ids(&detail.body["parts"]), [part.to_string()]);
    let told = detail.body["timeline"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["message"]["body"].as_str())
        .any(|t| t.contains(&part_number) && t.contains("жеке қаралады"));
    assert!(told, "{}", detail.body["timeline"]);
    let split = app
        .get("/api/v1/events?kind=appeal.split", app.admin())
        .await?;
    assert_eq!(
        split.body["items"][0]["data"]["part_number"],
        part_number.as_str()
    );

    // Each part to its body; each officer sees only theirs.
    for (id, body) in [(appeal, labour), (part, agri)] {
        let r = app
            .post(
                &format!("/api/v1/appeals/{id}/redirect"),
                &op,
                json!({"body_id": body, "reason": "құзыреті бойынша"}),
            )
            .await?;
        assert_eq!(r.status, 200, "{}", r.text);
    }
    for (token, mine, theirs) in [
        (&officer_labour, appeal, part),
        (&officer_agri, part, appeal),
    ] {
        assert_eq!(
            app.get(&format!("/api/v1/appeals/{mine}"), token)
                .await?
                .status,
            200
        );
        assert_eq!(
            app.get(&format!("/api/v1/appeals/{theirs}"), token)
                .await?
                .status,
            404
        );
        let r = app
            .post(
                &format!("/api/v1/appeals/{theirs}/redirection/accept"),
                token,
                json!({}),
            )
            .await?;
        assert_eq!(r.status, 404);
    }
    let r = app
        .post(
            &format!("/api/v1/appeals/{part}/redirection/accept"),
            &officer_agri,
            json!({}),
        )
        .await?;
    assert_eq!(r.body["status"], "in_progress", "{}", r.text);

    // The body sends its part on to the competent committee: the chain shows it forwarded, and
    // the officer no longer sees the appeal.
    let committee = app.body("Жер ресурстарын басқару комитеті").await?;
    let r = app
        .post(
            &format!("/api/v1/appeals/{part}/redirect"),
            &officer_agri,
            json!({"body_id": committee, "reason": "комитеттің құзыреті"}),
        )
        .await?;
    assert_eq!(r.status, 200, "{}", r.text);
    assert_eq!(r.body["body_id"], committee.to_string());
    assert_eq!(
        app.get(&format!("/api/v1/appeals/{part}"), &officer_agri)
            .await?
            .status,
        404
    );
    let chain: Vec<(String, String)> = app.get(&format!("/api/v1/appeals/{part}"), &op).await?.body
        ["timeline"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["kind"] == "appeal.redirected")
        .filter_map(|e| {
            let r = &e["redirection"];
            Some((
                r["body_id"].as_str()?.to_owned(),
                r["state"].as_str()?.to_owned(),
            ))
        })
        .collect();
    assert_eq!(
        chain,
        [
            (agri.to_string(), "forwarded".to_owned()),
            (committee.to_string(), "sent".to_owned())
        ]
    );
    crate::events_typed::every_event_reads_typed(&app).await?;
    Ok(())
}
