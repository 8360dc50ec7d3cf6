//! The knowledge base (issue 18; R5.5, R22, clause 3.15): the life of an article through
//! draft, review, published and archived with every published version kept and diffed; who
//! reads and writes what; bad input refused and changing nothing; import and export of Markdown
//! files; usage and "helped" recorded. Search quality is in `knowledge_search`.

use baylanys_tests::{both, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

both!(
    an_article_lives_through_review_and_versions,
    bad_input_is_refused_and_changes_nothing,
    folders_import_and_export_the_same_articles,
    usage_is_recorded_where_it_happens
);

/// The codes of the fixture articles' topics.
pub const TOPICS: &[&str] = &[
    "documents",
    "family",
    "social",
    "pension",
    "health",
    "education",
    "housing",
    "land",
    "business",
    "tax",
    "transport",
    "security",
    "migration",
    "egov",
    "complaints",
    "general",
];

/// Creates the fixture topics and the `editor` the fixtures name as owner; returns the
/// editor's token.
pub async fn knowledge_cast(app: &TestApp) -> anyhow::Result<String> {
    for code in TOPICS {
        let r = app
            .post(
                "/api/v1/topics",
                app.admin(),
                json!({"code": code, "name_kk": code, "name_ru": code}),
            )
            .await?;
        anyhow::ensure!(r.status == StatusCode::CREATED, "topic {code}: {}", r.text);
    }
    Ok(app.staff("editor", "editor", None).await?.1)
}

/// The fixture folder as import files.
pub fn fixture_files() -> anyhow::Result<Vec<Value>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/knowledge/articles");
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&dir)? {
        let path = entry?.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        files.push(json!({"name": name, "content": std::fs::read_to_string(&path)?}));
    }
    files.sort_by_key(|f| f["name"].as_str().unwrap_or_default().to_owned());
    Ok(files)
}

/// Imports the fixture folder as `editor` (37 articles published, 3 drafts).
pub async fn import_fixtures(app: &TestApp, editor: &str) -> anyhow::Result<()> {
    let r = app
        .post(
            "/api/v1/knowledge/import",
            editor,
            json!({"files": fixture_files()?}),
        )
        .await?;
    anyhow::ensure!(r.status == StatusCode::OK, "import: {}", r.text);
    Ok(())
}

async fn public_get(app: &TestApp, path: &str) -> anyhow::Result<baylanys_tests::Reply> {
    app.call(reqwest::Method::GET, path, None, None).await
}

async fn public_post(
    app: &TestApp,
    path: &str,
    body: Value,
) -> anyhow::Result<baylanys_tests::Reply> {
    app.call(reqwest::Method::POST, path, None, Some(&body))
        .await
}

fn article(title_kk: &str, body_kk: &str, body_ru: &str) -> Value {
    json!({
        "slug": "id-card",
        "texts": [
            {"language": "kk", "title": title_kk, "body": body_kk, "short": "ХҚКО-ға барыңыз."},
            {"language": "ru", "title": "Замена удостоверения личности", "body": body_ru},
        ],
        "tags": ["жеке куәлік", "удостоверение"],
        "review_by": "2027-06-30",
    })
}

fn source() -> Value {
    json!([{"document": "«Жеке басты куәландыратын құжаттар туралы» Заң", "clause": "7-бап",
            "url": "https://adilet.zan.kz/kaz/docs/Z1300000073", "date": "2013-01-29"}])
}

async fn an_article_lives_through_review_and_versions(app: TestApp) -> anyhow::Result<()> {
    let editor = knowledge_cast(&app).await?;
    let (_, op) = app.staff("op", "operator", None).await?;
    let r = app
        .post(
            "/api/v1/knowledge/articles",
            &editor,
            article(
                "Жеке куәлікті ауыстыру",
                "Бірінші жол.\nЕкінші жол.",
                "Первая строка.",
            ),
        )
        .await?;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let id = r.id();
    assert_eq!(
        (r.body["state"].clone(), r.body["revision"].clone()),
        (json!("draft"), json!(1))
    );
    assert_eq!(r.body["missing_languages"], json!(["en"]));
    let a = format!("/api/v1/knowledge/articles/{id}");

    // Operators see only what is served; a draft is not.
    assert_eq!(app.get(&a, &op).await?.status, StatusCode::NOT_FOUND);
    let list = app.get("/api/v1/knowledge/articles", &op).await?;
    assert_eq!(list.body, json!([]));

    // R22: no publishing without the official source — refused, nothing changed.
    let before = app.event_count().await?;
    let r = app
        .post(
            &format!("{a}/state"),
            &editor,
            json!({"to": "published", "revision": 1}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(r.text.contains("source"), "{}", r.text);
    assert_eq!(app.event_count().await?, before);

    let mut body = article(
        "Жеке куәлікті ауыстыру",
        "Бірінші жол.\nЕкінші жол.",
        "Первая строка.",
    );
    body["sources"] = source();
    body["revision"] = json!(1);
    body.as_object_mut().map(|o| o.remove("slug"));
    let r = app.put(&a, &editor, body.clone()).await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["revision"], 2);
    let r = app
        .post(
            &format!("{a}/state"),
            &editor,
            json!({"to": "in_review", "revision": 2}),
        )
        .await?;
    assert_eq!(r.body["state"], "in_review", "{}", r.text);
    let r = app
        .post(
            &format!("{a}/state"),
            &editor,
            json!({"to": "published", "revision": 3}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        (r.body["state"].clone(), r.body["published_version"].clone()),
        (json!("published"), json!(1))
    );
    assert!(r.body["source_lines"][0]
        .as_str()
        .is_some_and(|l| l.contains("7-бап (29.01.2013)")));

    // Served now: operators read it, citizens read it by slug.
    let r = app.get(&a, &op).await?;
    assert_eq!(r.body["texts"][0]["body"], "Бірінші жол.\nЕкінші жол.");
    let p = public_get(
        &app,
        "/api/v1/public/knowledge/articles/id-card?language=ru",
    )
    .await?;
    assert_eq!(p.status, StatusCode::OK, "{}", p.text);
    assert_eq!(p.body["title"], "Замена удостоверения личности");
    assert_eq!(p.body["languages"], json!(["kk", "ru"]));

    // Two editors from revision 4: the second is told the article moved on (409), nothing lost.
    body["revision"] = json!(4);
    body["texts"][0]["body"] = json!("Бірінші жол.\nЖаңа екінші жол.");
    let r = app.put(&a, &editor, body.clone()).await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(
        (r.body["state"].clone(), r.body["published_version"].clone()),
        (json!("draft"), json!(1)),
        "an edit is a draft while version 1 stays served"
    );
    body["texts"][0]["body"] = json!("Басқа редактордың мәтіні.");
    let r = app.put(&a, app.admin(), body.clone()).await?;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    assert!(r.text.contains("revision is now 5"), "{}", r.text);
    let r = app.get(&a, &op).await?;
    assert_eq!(
        r.body["texts"][0]["body"], "Бірінші жол.\nЕкінші жол.",
        "operators keep reading the published version"
    );
    let r = app.get(&a, &editor).await?;
    assert_eq!(r.body["texts"][0]["body"], "Бірінші жол.\nЖаңа екінші жол.");

    let r = app
        .post(
            &format!("{a}/state"),
            &editor,
            json!({"to": "published", "revision": 5}),
        )
        .await?;
    assert_eq!(r.body["published_version"], 2, "{}", r.text);
    let versions = app.get(&format!("{a}/versions"), &editor).await?;
    assert_eq!(versions.body.as_array().map(Vec::len), Some(2));
    assert_eq!(
        versions.body[0]["texts"][0]["body"], "Бірінші жол.\nЕкінші жол.",
        "version 1 is kept as it was published"
    );
    let d = app.get(&format!("{a}/diff?from=1&to=2"), &editor).await?;
    assert_eq!(d.status, StatusCode::OK, "{}", d.text);
    let kk: Vec<(String, String)> = d.body["languages"][0]["lines"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|l| {
            (
                l["op"].as_str().unwrap_or_default().to_owned(),
                l["text"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        kk,
        vec![
            ("same".into(), "Бірінші жол.".into()),
            ("removed".into(), "Екінші жол.".into()),
            ("added".into(), "Жаңа екінші жол.".into()),
        ]
    );
    assert_eq!(d.body["languages"][1]["lines"][0]["op"], "same");
    assert_eq!(
        app.get(&format!("{a}/versions"), &op).await?.status,
        StatusCode::FORBIDDEN
    );

    // Archived: nobody is offered it any more; its versions stay readable.
    let r = app
        .post(
            &format!("{a}/state"),
            &editor,
            json!({"to": "archived", "revision": 6}),
        )
        .await?;
    assert_eq!(r.body["state"], "archived", "{}", r.text);
    assert_eq!(app.get(&a, &op).await?.status, StatusCode::NOT_FOUND);
    assert_eq!(
        public_get(&app, "/api/v1/public/knowledge/articles/id-card")
            .await?
            .status,
        StatusCode::NOT_FOUND
    );
    let s = app.get("/api/v1/knowledge/search?q=куәлік", &op).await?;
    assert_eq!(s.body, json!([]));
    assert_eq!(
        app.get(&format!("{a}/versions"), &editor)
            .await?
            .body
            .as_array()
            .map(Vec::len),
        Some(2)
    );

    // The trail: who wrote and moved it.
    let moves = app
        .get(
            "/api/v1/events?kind=knowledge.article_state_changed&limit=100",
            app.admin(),
        )
        .await?;
    let tos: Vec<&str> = moves.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["data"]["to"].as_str())
        .collect();
    assert_eq!(
        tos,
        vec!["in_review", "published", "draft", "published", "archived"],
        "{}",
        moves.text
    );
    crate::events_typed::every_event_reads_typed(&app).await?;
    Ok(())
}

async fn bad_input_is_refused_and_changes_nothing(app: TestApp) -> anyhow::Result<()> {
    let editor = knowledge_cast(&app).await?;
    let (_, op) = app.staff("op", "operator", None).await?;
    let (_, sup) = app.staff("sup", "supervisor", None).await?;
    let body_id = app.body("Әділет министрлігі").await?;
    let (_, officer) = app.staff("officer", "body_officer", Some(body_id)).await?;

    // Script in a body is kept as typed and shown as text, never run.
    let mut a = article(
        "Скрипт <script>",
        "Мәтін <script>alert(1)</script> <img src=x onerror=alert(2)> [сілтеме](javascript:alert(3))",
        "Текст",
    );
    a["sources"] = source();
    let r = app.post("/api/v1/knowledge/articles", &editor, a).await?;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
    let id = r.id();
    let r = app
        .post(
            &format!("/api/v1/knowledge/articles/{id}/state"),
            &sup,
            json!({"to": "published", "revision": 1}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let p = public_get(
        &app,
        &format!("/api/v1/public/knowledge/articles/{id}?language=kk"),
    )
    .await?;
    let html = p.body["html"].as_str().unwrap_or_default();
    assert!(
        html.contains("&lt;script&gt;") && !html.contains("<script"),
        "{html}"
    );
    assert!(
        !html.contains("<img") && !html.contains("javascript:"),
        "{html}"
    );

    let appeal = app
        .appeal(
            &sup,
            app.client(&sup, json!({"name": "Асқар"})).await?,
            "Сұрақ",
        )
        .await?;
    let before = app.event_count().await?;
    let good = article("Тақырып", "Мәтін", "Текст");
    let big = "ә".repeat(20_001);
    let mut cases: Vec<(Value, StatusCode, &str)> = Vec::new();
    let mut v = good.clone();
    v["texts"][0]["body"] = json!(big);
    cases.push((v, StatusCode::UNPROCESSABLE_ENTITY, "20000"));
    let mut v = good.clone();
    v["texts"][1]["language"] = json!("kk");
    cases.push((v, StatusCode::UNPROCESSABLE_ENTITY, "twice"));
    let mut v = good.clone();
    v["texts"][0]["title"] = json!("нөл\u{0}байт");
    cases.push((v, StatusCode::UNPROCESSABLE_ENTITY, "control"));
    let mut v = good.clone();
    v["sources"] = json!([{"document": "Заң", "url": "javascript:alert(1)"}]);
    cases.push((v, StatusCode::UNPROCESSABLE_ENTITY, "http"));
    let mut v = good.clone();
    v["slug"] = json!("Id Card");
    cases.push((v, StatusCode::UNPROCESSABLE_ENTITY, "slug"));
    let mut v = good.clone();
    v["topics"] = json!([uuid::Uuid::now_v7()]);
    cases.push((v, StatusCode::NOT_FOUND, "topic"));
    let mut v = good.clone();
    v["texts"] = json!([]);
    cases.push((v, StatusCode::UNPROCESSABLE_ENTITY, "at least one"));
    cases.push((good.clone(), StatusCode::CONFLICT, "id-card"));
    let mut v = good.clone();
    v["texts"][0]["language"] = json!("de");
    cases.push((v, StatusCode::UNPROCESSABLE_ENTITY, ""));
    for (body, status, says) in cases {
        let r = app
            .post("/api/v1/knowledge/articles", &editor, body.clone())
            .await?;
        assert_eq!(
            r.status,
            status,
            "{}: {}",
            r.text,
            body.to_string().chars().take(200).collect::<String>()
        );
        assert!(r.text.contains(says), "{} should say {says}", r.text);
    }
    // Over the request size limit: 413, not a reset connection.
    let mut v = good.clone();
    v["texts"][0]["body"] = json!("ә".repeat(200_000));
    let r = app.post("/api/v1/knowledge/articles", &editor, v).await?;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.text);

    // Roles: operators and officers do not write; officers and editors do not read appeals'
    // side of things they have no business with.
    let mut v = good.clone();
    v["slug"] = json!("other");
    for token in [&op, &officer] {
        let r = app
            .post("/api/v1/knowledge/articles", token, v.clone())
            .await?;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text);
    }
    assert_eq!(
        app.get("/api/v1/knowledge/articles", &officer)
            .await?
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get("/api/v1/knowledge/search?q=x", &officer)
            .await?
            .status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.get(&format!("/api/v1/appeals/{appeal}"), &editor)
            .await?
            .status,
        StatusCode::NOT_FOUND,
        "an editor sees no appeal"
    );
    assert_eq!(
        app.get("/api/v1/knowledge/usage", &op).await?.status,
        StatusCode::FORBIDDEN
    );
    // Moves that make no sense, and stale revisions.
    let a = format!("/api/v1/knowledge/articles/{id}");
    for (body, status) in [
        (
            json!({"to": "in_review", "revision": 2}),
            StatusCode::CONFLICT,
        ),
        (
            json!({"to": "published", "revision": 1}),
            StatusCode::CONFLICT,
        ),
        (
            json!({"to": "gone", "revision": 2}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        let r = app
            .post(&format!("{a}/state"), &editor, body.clone())
            .await?;
        assert_eq!(r.status, status, "{body}: {}", r.text);
    }
    let mut edit = good.clone();
    edit.as_object_mut().map(|o| o.remove("slug"));
    let r = app.put(&a, &editor, edit.clone()).await?;
    assert_eq!(
        r.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no revision: {}",
        r.text
    );
    edit["revision"] = json!(1);
    let r = app.put(&a, &editor, edit).await?;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.text);
    // Searches: empty, too long, or a place citizens are not in.
    for q in [
        "/api/v1/knowledge/search?q=%20",
        &format!("/api/v1/knowledge/search?q={}", "а".repeat(301)),
        "/api/v1/knowledge/search?q=a&limit=0",
    ] {
        assert_eq!(
            app.get(q, &op).await?.status,
            StatusCode::BAD_REQUEST,
            "{q}"
        );
    }
    let r = public_get(&app, "/api/v1/public/knowledge/search?q=a&place=console").await?;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text);
    let r = public_post(
        &app,
        &format!(
            "/api/v1/public/knowledge/articles/{}/feedback",
            uuid::Uuid::now_v7()
        ),
        json!({"helped": true, "place": "help"}),
    )
    .await?;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(app.event_count().await?, before);
    Ok(())
}

async fn folders_import_and_export_the_same_articles(app: TestApp) -> anyhow::Result<()> {
    let editor = knowledge_cast(&app).await?;
    let files = fixture_files()?;
    assert_eq!(files.len(), 80);

    // One bad file refuses the whole import, naming the file; nothing is written.
    let before = app.event_count().await?;
    let mut broken = files.clone();
    broken.push(json!({"name": "broken.kk.md", "content": "---\nslug: broken\nlanguage: kk\ntitle: Сынық\nstate: published\n---\nДереккөзсіз мәтін."}));
    let r = app
        .post(
            "/api/v1/knowledge/import",
            &editor,
            json!({"files": broken}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(
        r.text.contains("broken.kk.md") && r.text.contains("source"),
        "{}",
        r.text
    );
    let mut unknown = files.clone();
    unknown[0]["content"] = json!(unknown[0]["content"].as_str().unwrap_or_default().replacen(
        "topics: [",
        "topics: [nosuchtopic, ",
        1
    ));
    let r = app
        .post(
            "/api/v1/knowledge/import",
            &editor,
            json!({"files": unknown}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text);
    assert!(r.text.contains("nosuchtopic"), "{}", r.text);
    assert_eq!(app.event_count().await?, before);

    let r = app
        .post("/api/v1/knowledge/import", &editor, json!({"files": files}))
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["created"].as_array().map(Vec::len), Some(40));
    assert_eq!(r.body["published"].as_array().map(Vec::len), Some(37));
    let r = app
        .post("/api/v1/knowledge/import", &editor, json!({"files": files}))
        .await?;
    assert_eq!(
        r.body["unchanged"].as_array().map(Vec::len),
        Some(40),
        "{}",
        r.text
    );

    // Stale by their review date; drafts not served.
    let stale = app
        .get("/api/v1/knowledge/articles?stale=true", &editor)
        .await?;
    let mut slugs: Vec<&str> = stale
        .body
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|a| a["slug"].as_str())
        .collect();
    slugs.sort();
    assert_eq!(slugs, vec!["child-birth-allowance", "service-centre-hours"]);
    assert!(stale.body[0]["stale"].as_bool().unwrap_or(false));
    let drafts = app
        .get("/api/v1/knowledge/articles?state=draft", &editor)
        .await?;
    assert_eq!(drafts.body.as_array().map(Vec::len), Some(3));

    // Export, then import the export into a fresh centre: the same articles.
    let out = app.get("/api/v1/knowledge/export", &editor).await?;
    assert_eq!(out.status, StatusCode::OK, "{}", out.text);
    let exported = out.body["files"].clone();
    assert_eq!(exported.as_array().map(Vec::len), Some(80));
    let other = TestApp::spawn(app.backend).await?;
    let editor2 = knowledge_cast(&other).await?;
    let r = other
        .post(
            "/api/v1/knowledge/import",
            &editor2,
            json!({"files": exported}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    assert_eq!(r.body["published"].as_array().map(Vec::len), Some(37));
    let content = |v: &Value| {
        let mut all: Vec<Value> = v
            .as_array()
            .into_iter()
            .flatten()
            .map(|a| {
                json!([
                    a["slug"],
                    a["state"],
                    a["texts"],
                    a["tags"],
                    a["sources"],
                    a["review_by"]
                ])
            })
            .collect();
        all.sort_by_key(|a| a[0].as_str().unwrap_or_default().to_owned());
        all
    };
    let mine = app
        .get("/api/v1/knowledge/articles?limit=200", &editor)
        .await?;
    let theirs = other
        .get("/api/v1/knowledge/articles?limit=200", &editor2)
        .await?;
    assert_eq!(content(&mine.body).len(), 40);
    assert_eq!(content(&mine.body), content(&theirs.body));
    Ok(())
}

async fn usage_is_recorded_where_it_happens(app: TestApp) -> anyhow::Result<()> {
    let editor = knowledge_cast(&app).await?;
    let (_, op) = app.staff("op", "operator", None).await?;
    let (_, sup) = app.staff("sup", "supervisor", None).await?;
    import_fixtures(&app, &editor).await?;

    // A citizen finds an article, reads it, and says it helped; another says it did not.
    let s = public_get(
        &app,
        "/api/v1/public/knowledge/search?q=справка%20о%20несудимости&language=ru&place=widget",
    )
    .await?;
    assert_eq!(s.status, StatusCode::OK, "{}", s.text);
    assert_eq!(
        s.body[0]["slug"], "no-criminal-record-certificate",
        "{}",
        s.text
    );
    let id = s.body[0]["article_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let r = public_get(
        &app,
        &format!("/api/v1/public/knowledge/articles/{id}?language=ru&place=widget"),
    )
    .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    for helped in [true, true, false] {
        let r = public_post(
            &app,
            &format!("/api/v1/public/knowledge/articles/{id}/feedback"),
            json!({"helped": helped, "place": "widget"}),
        )
        .await?;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text);
    }
    // An operator inserts it into a reply: the answer with its source line, in the language.
    let r = app
        .post(
            &format!("/api/v1/knowledge/articles/{id}/insert"),
            &op,
            json!({"language": "kk", "short": true}),
        )
        .await?;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text);
    let text = r.body["text"].as_str().unwrap_or_default();
    assert!(text.contains("\nДереккөз: "), "{text}");
    assert!(text.contains("adilet.zan.kz"), "{text}");
    // Searches that find nothing are the gaps to write next.
    for _ in 0..2 {
        let r = app
            .get("/api/v1/knowledge/search?q=Байқоңыр%20ғарыш%20айлағы", &op)
            .await?;
        assert_eq!(r.body, json!([]), "{}", r.text);
    }
    let u = app.get("/api/v1/knowledge/usage", &sup).await?;
    assert_eq!(u.status, StatusCode::OK, "{}", u.text);
    let row = u.body["articles"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|a| a["article_id"] == id)
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        (
            row["views"].clone(),
            row["inserts"].clone(),
            row["helped"].clone(),
            row["not_helped"].clone()
        ),
        (json!(1), json!(1), json!(2), json!(1)),
        "{}",
        u.text
    );
    assert_eq!(
        u.body["gaps"][0],
        json!({"query": "байконыр гарыш айлагы", "count": 2})
    );
    assert_eq!(u.body["served"], 37);
    assert_eq!(u.body["stale"].as_array().map(Vec::len), Some(2));
    Ok(())
}
