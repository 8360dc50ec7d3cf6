//! The knowledge base in the operators' console, in Chromium (issue 18): suggestions from the
//! client's message, insertion with the source line, search, the usage panel.

use baylanys_tests::{Backend, TestApp};

use crate::browser::run_script;
use crate::knowledge::{import_fixtures, knowledge_cast};

#[tokio::test]
async fn knowledge_in_the_console_in_chromium() -> anyhow::Result<()> {
    let app = TestApp::spawn(Backend::Sqlite).await?;
    app.default_queue().await?;
    let editor = knowledge_cast(&app).await?;
    import_fixtures(&app, &editor).await?;
    app.staff("op", "operator", None).await?;
    app.staff("sup", "supervisor", None).await?;
    run_script(&app, "knowledge.mjs", &[]).await?;

    // What the citizen received is the answer with its source, as stored.
    let appeals = app
        .get("/api/v1/appeals?channel=web_chat&limit=1", app.admin())
        .await?;
    let id = appeals.body["items"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let detail = app
        .get(&format!("/api/v1/appeals/{id}"), app.admin())
        .await?;
    let sent: Vec<String> = detail.body["timeline"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["message"]["author"] == "operator")
        .filter_map(|e| e["message"]["body"].as_str().map(str::to_owned))
        .collect();
    anyhow::ensure!(
        sent.len() == 1
            && sent[0].starts_with("Сәлеметсіз бе!")
            && sent[0].contains("\nДереккөз: "),
        "{sent:?}"
    );
    Ok(())
}

/// `baylanys knowledge import|export`, as a centre starts from its own documents: the README's
/// sample folder of ten articles in Kazakh and Russian into a fresh server, found by a Kazakh
/// word form; then exported and the files read back the same.
#[tokio::test]
async fn the_cli_imports_and_exports_a_folder() -> anyhow::Result<()> {
    let app = TestApp::spawn(Backend::Sqlite).await?;
    app.staff("editor", "editor", None).await?;
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../deploy/knowledge");
    let run = |args: Vec<String>| {
        let mut cmd = tokio::process::Command::new(crate::process::binary()?);
        cmd.arg("knowledge")
            .args(args)
            .args(["--server", &app.base, "--login", "editor"])
            .env("BAYLANYS_PASSWORD", "editor-password");
        anyhow::Ok(cmd)
    };
    let out = run(vec!["import".into(), folder.display().to_string()])?
        .output()
        .await?;
    let said = String::from_utf8_lossy(&out.stdout);
    anyhow::ensure!(
        out.status.success()
            && said.contains("20 files: 10 articles created, 0 updated, 0 unchanged; 10 published"),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let hits = crate::knowledge_search::ask(
        &app,
        app.admin(),
        "шетелге шығатын паспортты қалай аламын",
        "kk",
    )
    .await?;
    anyhow::ensure!(
        hits.first().map(String::as_str) == Some("passport-for-travel-abroad"),
        "{hits:?}"
    );

    // A wrong password is a clear refusal, not a crash.
    let out = run(vec!["import".into(), folder.display().to_string()])?
        .env("BAYLANYS_PASSWORD", "wrong")
        .output()
        .await?;
    anyhow::ensure!(!out.status.success(), "a wrong password was accepted");

    let dir = std::env::temp_dir().join(format!("baylanys-export-{}", uuid::Uuid::now_v7()));
    let out = run(vec!["export".into(), dir.display().to_string()])?
        .output()
        .await?;
    anyhow::ensure!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut names: Vec<String> = std::fs::read_dir(&dir)?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    names.sort();
    let mut sample: Vec<String> = std::fs::read_dir(&folder)?
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .collect();
    sample.sort();
    anyhow::ensure!(names == sample, "{names:?} vs {sample:?}");
    // The exported body is the imported one.
    let a = std::fs::read_to_string(folder.join("age-pension.kk.md"))?;
    let b = std::fs::read_to_string(dir.join("age-pension.kk.md"))?;
    let body = |s: &str| s.splitn(3, "---\n").nth(2).map(|b| b.trim().to_owned());
    anyhow::ensure!(body(&a) == body(&b), "{b}");
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}

/// The editors' articles view in Chromium: write, publish, edit, compare versions, a
/// concurrent save told without losing what was typed, Russian.
#[tokio::test]
async fn articles_are_edited_in_chromium() -> anyhow::Result<()> {
    let app = TestApp::spawn(Backend::Sqlite).await?;
    let editor = knowledge_cast(&app).await?;
    import_fixtures(&app, &editor).await?;
    run_script(&app, "articles.mjs", &[]).await?;
    let moves = app
        .get(
            "/api/v1/events?kind=knowledge.article_state_changed&limit=500",
            app.admin(),
        )
        .await?;
    let published = moves.body["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["data"]["to"] == "published" && e["data"]["version"] == 2)
        .count();
    anyhow::ensure!(published == 1, "{}", moves.text);
    Ok(())
}
