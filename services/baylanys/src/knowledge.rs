//! `baylanys knowledge import|export`: a folder of Markdown articles (one file per article and
//! language, `<slug>.<language>.md`, with YAML front matter) into a running server's knowledge
//! base, or out of it — so a centre starts from the documents it has and can keep its articles
//! in a repository. A client of the HTTP API like the demo: it signs in as an editor, supervisor
//! or admin and goes through the same checks as any other import (one bad file refuses all).

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use serde_json::{json, Value};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Direction,
    /// The running Baylanys server.
    #[arg(long, default_value = "http://127.0.0.1:8080", global = true)]
    server: String,
    /// An editor's, supervisor's or admin's login.
    #[arg(long, default_value = "admin", env = "BAYLANYS_LOGIN", global = true)]
    login: String,
    /// Their password.
    #[arg(long, env = "BAYLANYS_PASSWORD", hide_env_values = true, global = true)]
    password: Option<String>,
}

#[derive(Debug, clap::Subcommand)]
enum Direction {
    /// Import every `*.md` file of a folder; articles are matched by slug, so importing the
    /// same folder again changes nothing.
    Import { folder: PathBuf },
    /// Write every article that is not archived into a folder, one file per language.
    Export { folder: PathBuf },
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let Some(password) = args.password.clone() else {
        bail!("give the password with --password or BAYLANYS_PASSWORD");
    };
    let http = reqwest::Client::new();
    let base = args.server.trim_end_matches('/');
    let login: Value = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"login": args.login, "password": password}))
        .send()
        .await
        .with_context(|| format!("cannot reach {base}"))?
        .json()
        .await?;
    let Some(token) = login["token"].as_str() else {
        bail!("signing in as {} failed: {}", args.login, problem(&login));
    };
    match args.command {
        Direction::Import { folder } => import(&http, base, token, &folder).await,
        Direction::Export { folder } => export(&http, base, token, &folder).await,
    }
}

fn problem(body: &Value) -> String {
    body["detail"]
        .as_str()
        .or(body["title"].as_str())
        .unwrap_or("no answer")
        .to_owned()
}

async fn import(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    folder: &Path,
) -> anyhow::Result<()> {
    let mut files = Vec::new();
    for entry in
        std::fs::read_dir(folder).with_context(|| format!("reading {}", folder.display()))?
    {
        let path = entry?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()).map(str::to_owned) else {
            continue;
        };
        if !name.ends_with(".md") || name.eq_ignore_ascii_case("readme.md") {
            continue;
        }
        let content = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {} (UTF-8 text is expected)", path.display()))?;
        files.push(json!({"name": name, "content": content}));
    }
    if files.is_empty() {
        bail!("{} holds no .md files", folder.display());
    }
    let n = files.len();
    let res = http
        .post(format!("{base}/api/v1/knowledge/import"))
        .bearer_auth(token)
        .json(&json!({"files": files}))
        .send()
        .await?;
    let status = res.status();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        bail!("the import was refused ({status}): {}", problem(&body));
    }
    let count = |k: &str| body[k].as_array().map_or(0, Vec::len);
    println!(
        "{n} files: {} articles created, {} updated, {} unchanged; {} published",
        count("created"),
        count("updated"),
        count("unchanged"),
        count("published")
    );
    Ok(())
}

async fn export(
    http: &reqwest::Client,
    base: &str,
    token: &str,
    folder: &Path,
) -> anyhow::Result<()> {
    let res = http
        .get(format!("{base}/api/v1/knowledge/export"))
        .bearer_auth(token)
        .send()
        .await?;
    let status = res.status();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        bail!("the export was refused ({status}): {}", problem(&body));
    }
    std::fs::create_dir_all(folder)?;
    let mut n = 0;
    for f in body["files"].as_array().into_iter().flatten() {
        let (Some(name), Some(content)) = (f["name"].as_str(), f["content"].as_str()) else {
            continue;
        };
        // The server names files `<slug>.<language>.md`; anything else is not written, so a
        // name can never reach outside the folder.
        let plain = name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.');
        if !plain || name.starts_with('.') || !name.ends_with(".md") {
            bail!("the server sent a file name that is not plain: {name:?}");
        }
        std::fs::write(folder.join(name), content)?;
        n += 1;
    }
    println!("{n} files written to {}", folder.display());
    Ok(())
}
