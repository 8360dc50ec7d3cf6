//! The citizens' self-service (issue 18; clause 3.15, R12.3) in real Chromium: `/help` searched,
//! read and "helped" in Kazakh, then in Russian; the web widget suggesting an article while the
//! citizen types and recording "helped", at `/chat` and embedded on another site. Then the
//! supervisors' usage panel shows each "helped" against its article, and the store where it
//! happened.

use std::collections::BTreeMap;

use baylanys_tests::{Backend, TestApp};
use reqwest::{Method, StatusCode};
use serde_json::json;
use sqlx::Connection;

use crate::browser::run_script;
use crate::knowledge::{import_fixtures, knowledge_cast};

/// The fixture topics' names in Kazakh, Russian and English: `knowledge_cast` names them by
/// their codes, which no citizen should read.
const TOPIC_NAMES: &[(&str, &str, &str, &str)] = &[
    ("documents", "Құжаттар", "Документы", "Documents"),
    ("family", "Отбасы", "Семья", "Family"),
    (
        "social",
        "Әлеуметтік көмек",
        "Социальная помощь",
        "Social support",
    ),
    ("pension", "Зейнетақы", "Пенсии", "Pensions"),
    ("health", "Денсаулық", "Здравоохранение", "Health"),
    ("education", "Білім", "Образование", "Education"),
    ("housing", "Тұрғын үй", "Жильё", "Housing"),
    ("land", "Жер", "Земля", "Land"),
    ("business", "Кәсіпкерлік", "Предпринимательство", "Business"),
    ("tax", "Салықтар", "Налоги", "Taxes"),
    ("transport", "Көлік", "Транспорт", "Transport"),
    ("security", "Қауіпсіздік", "Безопасность", "Security"),
    ("migration", "Көші-қон", "Миграция", "Migration"),
    (
        "egov",
        "Электрондық үкімет",
        "Электронное правительство",
        "E-government",
    ),
    ("complaints", "Шағымдар", "Жалобы", "Complaints"),
    (
        "general",
        "Жалпы сұрақтар",
        "Общие вопросы",
        "General questions",
    ),
];

/// The article read on /help, the one the widget suggests at /chat, and the one it suggests
/// embedded on another site; each is marked "helped" once where it was read.
const HELP_SLUG: &str = "id-card-replacement";
const WIDGET_SLUG: &str = "age-pension";
const CROSS_SLUG: &str = "no-criminal-record-certificate";
const HELPED: &[(&str, &str)] = &[
    (HELP_SLUG, "help"),
    (WIDGET_SLUG, "widget"),
    (CROSS_SLUG, "widget"),
];

/// Another site — another origin — with the widget on its page in Russian, as an akimat would
/// embed it; its address.
async fn embedding_site(centre: &str) -> anyhow::Result<String> {
    let page = format!(
        "<!doctype html><html lang=\"ru\"><head><meta charset=\"utf-8\"><title>Акимат</title></head>\
         <body><main><h1>Сайт акимата</h1></main>\
         <script src=\"{centre}/widget.js\" data-lang=\"ru\"></script></body></html>"
    );
    let site = axum::Router::new().route(
        "/",
        axum::routing::get(move || async move { axum::response::Html(page) }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        let _ = axum::serve(listener, site).await;
    });
    Ok(format!("http://{addr}/"))
}

/// Each article's (helped, not helped) on the usage panel.
async fn helped(app: &TestApp, sup: &str) -> anyhow::Result<BTreeMap<String, (i64, i64)>> {
    let r = app.get("/api/v1/knowledge/usage", sup).await?;
    anyhow::ensure!(r.status == StatusCode::OK, "usage: {}", r.text);
    Ok(r.body["articles"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| {
            (
                a["article_id"].as_str().unwrap_or_default().to_owned(),
                (
                    a["helped"].as_i64().unwrap_or(0),
                    a["not_helped"].as_i64().unwrap_or(0),
                ),
            )
        })
        .collect())
}

#[tokio::test]
async fn help_pages_and_widget_suggestions_in_chromium() -> anyhow::Result<()> {
    let app = TestApp::spawn(Backend::Sqlite).await?;
    app.default_queue().await?;
    let editor = knowledge_cast(&app).await?;
    let topics = app.get("/api/v1/topics", app.admin()).await?;
    for t in topics.body.as_array().into_iter().flatten() {
        let code = t["code"].as_str().unwrap_or_default();
        let Some((_, kk, ru, en)) = TOPIC_NAMES.iter().find(|n| n.0 == code) else {
            continue;
        };
        let r = app
            .patch(
                &format!("/api/v1/topics/{}", t["id"].as_str().unwrap_or_default()),
                app.admin(),
                json!({"name_kk": kk, "name_ru": ru, "name_en": en}),
            )
            .await?;
        anyhow::ensure!(r.status == StatusCode::OK, "topic {code}: {}", r.text);
    }
    import_fixtures(&app, &editor).await?;
    let (_, sup) = app.staff("sup", "supervisor", None).await?;
    let all = app
        .get("/api/v1/knowledge/articles?limit=200", &editor)
        .await?;
    let id_of = |slug: &str| -> anyhow::Result<String> {
        all.body
            .as_array()
            .into_iter()
            .flatten()
            .find(|a| a["slug"] == slug)
            .and_then(|a| a["id"].as_str())
            .map(str::to_owned)
            .ok_or_else(|| anyhow::anyhow!("no article {slug}"))
    };

    // Only the topics that have served articles are listed for citizens, with their names.
    let public = app
        .call(Method::GET, "/api/v1/public/knowledge/topics", None, None)
        .await?;
    assert_eq!(public.status, StatusCode::OK, "{}", public.text);
    let documents = public
        .body
        .as_array()
        .into_iter()
        .flatten()
        .find(|t| t["code"] == "documents");
    assert_eq!(
        documents.map(|t| t["name_ru"].clone()),
        Some(json!("Документы"))
    );

    // The widget lives on other sites: the public knowledge routes answer any origin and a
    // preflight for the JSON "helped"; the staff routes do not.
    let url = |p: &str| format!("{}{p}", app.base);
    let pre = app
        .http
        .request(
            Method::OPTIONS,
            url(&format!(
                "/api/v1/public/knowledge/articles/{}/feedback",
                id_of(HELP_SLUG)?
            )),
        )
        .header("origin", "https://akimat.example.kz")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .send()
        .await?;
    assert!(pre.status().is_success(), "preflight: {}", pre.status());
    let h = |r: &reqwest::Response, name: &str| {
        r.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert_eq!(h(&pre, "access-control-allow-origin"), "*");
    assert!(h(&pre, "access-control-allow-methods").contains("POST"));
    assert!(h(&pre, "access-control-allow-headers").contains("content-type"));
    let got = app
        .http
        .get(url("/api/v1/public/knowledge/search?q=%D0%96%D0%A1%D0%9D"))
        .header("origin", "https://akimat.example.kz")
        .send()
        .await?;
    assert_eq!(h(&got, "access-control-allow-origin"), "*");
    let staff = app
        .http
        .get(url("/api/v1/knowledge/usage"))
        .bearer_auth(&sup)
        .header("origin", "https://akimat.example.kz")
        .send()
        .await?;
    assert_eq!(h(&staff, "access-control-allow-origin"), "");

    // Past its review date, the article is still served to citizens.
    let stale = app
        .get("/api/v1/knowledge/articles?stale=true", &editor)
        .await?;
    let stale_slug = stale.body[0]["slug"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("no stale fixture article: {}", stale.text))?
        .to_owned();

    let before = helped(&app, &sup).await?;
    run_script(
        &app,
        "help.mjs",
        &[
            ("HELP_SLUG", HELP_SLUG.to_owned()),
            ("WIDGET_SLUG", WIDGET_SLUG.to_owned()),
            ("CROSS_SLUG", CROSS_SLUG.to_owned()),
            ("STALE_SLUG", stale_slug),
            ("EMBED_URL", embedding_site(&app.base).await?),
        ],
    )
    .await?;

    // Each "helped" counted against its article, nothing counted as not helped (the script's
    // one "no" was refused with 429 before it reached the server).
    let after = helped(&app, &sup).await?;
    let mut expected: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for (slug, _) in HELPED {
        let id = id_of(slug)?;
        let was = before.get(&id).copied().unwrap_or_default();
        let e = expected.entry(id).or_insert(was);
        e.0 += 1;
    }
    for (id, want) in &expected {
        assert_eq!(after.get(id), Some(want), "article {id}: {after:?}");
    }
    let others: Vec<_> = after
        .iter()
        .filter(|(id, c)| !expected.contains_key(*id) && **c != (0, 0))
        .collect();
    assert!(others.is_empty(), "feedback on other articles: {others:?}");

    // And where it happened: once on the help pages, twice in the widget.
    let mut want_places: BTreeMap<String, i64> = BTreeMap::new();
    for (_, place) in HELPED {
        *want_places.entry((*place).to_owned()).or_default() += 1;
    }
    let mut db = sqlx::SqliteConnection::connect(&app.database_url).await?;
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT place, COUNT(*) FROM kb_usage WHERE kind = 'helped' GROUP BY place ORDER BY place",
    )
    .fetch_all(&mut db)
    .await?;
    let places: BTreeMap<String, i64> = rows.into_iter().collect();
    assert_eq!(places, want_places);
    // Reading counts too: the widget's opened suggestion is a view in the widget.
    let views: Vec<(String, i64)> = sqlx::query_as(
        "SELECT place, COUNT(*) FROM kb_usage WHERE kind = 'view' GROUP BY place ORDER BY place",
    )
    .fetch_all(&mut db)
    .await?;
    let views: BTreeMap<String, i64> = views.into_iter().collect();
    assert!(views.get("widget").copied().unwrap_or(0) >= 2, "{views:?}");
    assert!(views.get("help").copied().unwrap_or(0) >= 2, "{views:?}");
    Ok(())
}
