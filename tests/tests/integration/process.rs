//! The real `baylanys` binary as a user runs it: first start prints the generated admin password
//! once, SIGTERM shuts down cleanly, and every acknowledged write survives a SIGKILL.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use anyhow::{bail, Context};
use baylanys_tests::{fresh_database, Backend};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// The binary next to the test executable (`target/<profile>/baylanys`); `.ci/run` builds it.
pub fn binary() -> anyhow::Result<PathBuf> {
    if let Some(p) = std::env::var_os("BAYLANYS_BIN") {
        return Ok(PathBuf::from(p));
    }
    let exe = std::env::current_exe()?;
    let dir = exe
        .parent()
        .and_then(|d| d.parent())
        .context("test executable has no target dir")?;
    let bin = dir.join("baylanys");
    if !bin.exists() {
        bail!(
            "{} not found: run `cargo build -p baylanys` first (as .ci/run does)",
            bin.display()
        );
    }
    Ok(bin)
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

#[derive(Debug)]
pub struct Node {
    pub child: Child,
    pub base: String,
    pub stdout: Vec<String>,
}

async fn start(
    database_url: &str,
    admin_password: Option<&str>,
    workdir: &PathBuf,
) -> anyhow::Result<Node> {
    start_logging(database_url, admin_password, workdir, "warn", None).await
}

async fn start_logging(
    database_url: &str,
    admin_password: Option<&str>,
    workdir: &PathBuf,
    log: &str,
    stderr: Option<std::fs::File>,
) -> anyhow::Result<Node> {
    start_env(database_url, admin_password, workdir, log, stderr, &[]).await
}

/// Starts `baylanys serve` with extra environment (e.g. `BAYLANYS_REDIS_URL`).
pub async fn start_env(
    database_url: &str,
    admin_password: Option<&str>,
    workdir: &PathBuf,
    log: &str,
    stderr: Option<std::fs::File>,
    env: &[(&str, String)],
) -> anyhow::Result<Node> {
    let port = free_port()?;
    let mut cmd = Command::new(binary()?);
    cmd.arg("serve")
        .current_dir(workdir)
        .env("BAYLANYS_LISTEN", format!("127.0.0.1:{port}"))
        .env("BAYLANYS_DATABASE_URL", database_url)
        .env("BAYLANYS_ARGON2_MEMORY_KIB", "64")
        .env("BAYLANYS_ARGON2_ITERATIONS", "1")
        .env("BAYLANYS_LOG", log)
        .env_remove("BAYLANYS_CONFIG")
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .stdout(Stdio::piped())
        .stderr(stderr.map(Stdio::from).unwrap_or_else(Stdio::null))
        .kill_on_drop(true);
    match admin_password {
        Some(p) => cmd.env("BAYLANYS_ADMIN_PASSWORD", p),
        None => cmd.env_remove("BAYLANYS_ADMIN_PASSWORD"),
    };
    let mut child = cmd.spawn()?;
    let out = child.stdout.take().context("no stdout")?;
    let mut lines = BufReader::new(out).lines();
    let mut stdout = Vec::new();
    // The server prints where it listens once it is ready to accept.
    let ready = tokio::time::timeout(Duration::from_secs(60), async {
        while let Some(line) = lines.next_line().await? {
            let done = line.contains("listening on");
            stdout.push(line);
            if done {
                return anyhow::Ok(());
            }
        }
        bail!("server exited before listening: {stdout:?}")
    })
    .await;
    match ready {
        Ok(r) => r?,
        Err(_) => bail!("server did not start within 60 s"),
    }
    // Keep draining stdout so the child never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Ok(Node {
        child,
        base: format!("http://127.0.0.1:{port}"),
        stdout,
    })
}

pub async fn login(http: &reqwest::Client, base: &str, password: &str) -> anyhow::Result<String> {
    let r = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"login": "admin", "password": password}))
        .send()
        .await?;
    if r.status() != StatusCode::OK {
        bail!("login failed: {}", r.status());
    }
    let v: Value = r.json().await?;
    Ok(v["token"].as_str().unwrap_or_default().to_owned())
}

async fn acknowledged_writes_survive_kill(backend: Backend) -> anyhow::Result<()> {
    let (url, tmp) = fresh_database(backend).await?;
    let workdir = tmp.clone().unwrap_or_else(std::env::temp_dir);
    let http = reqwest::Client::new();
    let mut node = start(&url, Some("the-admin-password"), &workdir).await?;
    let token = login(&http, &node.base, "the-admin-password").await?;
    let client: Value = http
        .post(format!("{}/api/v1/clients", node.base))
        .bearer_auth(&token)
        .json(&json!({"name": "Crash", "iin": "900101300007"}))
        .send()
        .await?
        .json()
        .await?;
    let r = http
        .post(format!("{}/api/v1/appeals", node.base))
        .bearer_auth(&token)
        .json(&json!({"client_id": client["id"], "kind": "request", "channel": "telegram", "text": "0"}))
        .send()
        .await?;
    assert_eq!(r.status(), StatusCode::CREATED);
    let appeal: Value = r.json().await?;
    let id = appeal["id"].as_str().unwrap_or_default().to_owned();
    for i in 1..=20 {
        let r = http
            .post(format!("{}/api/v1/appeals/{id}/messages", node.base))
            .bearer_auth(&token)
            .json(&json!({"body": format!("{i}"), "author": "client"}))
            .send()
            .await?;
        assert_eq!(r.status(), StatusCode::CREATED);
    }
    // SIGKILL: no shutdown hook runs.
    node.child.kill().await?;
    let node = start(&url, Some("the-admin-password"), &workdir).await?;
    let token = login(&http, &node.base, "the-admin-password").await?;
    let detail: Value = http
        .get(format!("{}/api/v1/appeals/{id}", node.base))
        .bearer_auth(&token)
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(detail["appeal"]["last_seq"], 21);
    let bodies: Vec<String> = detail["timeline"]
        .as_array()
        .map(|t| {
            t.iter()
                .filter_map(|e| e["message"]["body"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(bodies, (0..=20).map(|i| i.to_string()).collect::<Vec<_>>());
    if let Some(dir) = tmp {
        let _ = std::fs::remove_dir_all(dir);
    }
    Ok(())
}

#[tokio::test]
async fn acknowledged_writes_survive_kill_sqlite() -> anyhow::Result<()> {
    acknowledged_writes_survive_kill(Backend::Sqlite).await
}

#[tokio::test]
async fn acknowledged_writes_survive_kill_postgres() -> anyhow::Result<()> {
    acknowledged_writes_survive_kill(Backend::Postgres).await
}

/// First start without BAYLANYS_ADMIN_PASSWORD generates one and prints it once; the default
/// database path is created under the working directory; SIGTERM exits cleanly.
#[tokio::test]
async fn first_start_and_graceful_shutdown() -> anyhow::Result<()> {
    let (_, tmp) = fresh_database(Backend::Sqlite).await?;
    let workdir = tmp.clone().context("no temp dir")?;
    let url = "sqlite://./data/baylanys.db";
    // An operator added from the shell before the first start does not stop the admin bootstrap.
    let added = Command::new(binary()?)
        .args(["user", "add", "--login", "aigerim", "--role", "operator"])
        .current_dir(&workdir)
        .env("BAYLANYS_DATABASE_URL", url)
        .env("BAYLANYS_USER_PASSWORD", "operator-pass-1")
        .env("BAYLANYS_ARGON2_MEMORY_KIB", "64")
        .env("BAYLANYS_ARGON2_ITERATIONS", "1")
        .env_remove("BAYLANYS_CONFIG")
        .output()
        .await?;
    assert!(added.status.success(), "{added:?}");
    assert!(String::from_utf8_lossy(&added.stdout).contains("created operator aigerim"));
    let node = start(url, None, &workdir).await?;
    assert!(workdir.join("data/baylanys.db").exists());
    let line = node
        .stdout
        .iter()
        .find(|l| l.contains("created user admin with password: "))
        .cloned()
        .context("no password line")?;
    let password = line
        .rsplit(": ")
        .next()
        .unwrap_or_default()
        .trim()
        .to_owned();
    assert!(password.len() >= 20, "{password}");
    let http = reqwest::Client::new();
    let admin = login(&http, &node.base, &password).await?;
    // One queue, open round the clock, routes everything until the admin sets the centre up.
    let queues: Value = http
        .get(format!("{}/api/v1/queues", node.base))
        .bearer_auth(&admin)
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(queues[0]["code"], "main", "{queues}");
    let table: Value = http
        .get(format!("{}/api/v1/routing/table", node.base))
        .bearer_auth(&admin)
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(table["default_queue_id"], queues[0]["id"], "{table}");
    // And a sample directory of administrative bodies with a department each (issue 5).
    let bodies: Value = http
        .get(format!("{}/api/v1/bodies", node.base))
        .bearer_auth(&admin)
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(bodies.as_array().map(Vec::len), Some(10), "{bodies}");
    let first = bodies[0]["id"].as_str().unwrap_or_default();
    let departments: Value = http
        .get(format!("{}/api/v1/bodies/{first}/departments", node.base))
        .bearer_auth(&admin)
        .send()
        .await?
        .json()
        .await?;
    assert_eq!(
        departments.as_array().map(Vec::len),
        Some(1),
        "{departments}"
    );
    let r = http
        .post(format!("{}/api/v1/auth/login", node.base))
        .json(&json!({"login": "aigerim", "password": "operator-pass-1"}))
        .send()
        .await?;
    assert_eq!(r.status(), StatusCode::OK);
    // A staff socket is open when the signal comes: it is closed with 1001 (going away).
    let token = login(&http, &node.base, &password).await?;
    let mut socket = crate::ws_operator::connect(&node.base).await?;
    crate::ws_operator::send(
        &mut socket,
        json!({"type": "hello", "v": 1, "token": token}),
    )
    .await?;
    assert_eq!(
        crate::ws_operator::next(&mut socket).await?["type"],
        "welcome"
    );
    let pid = node.child.id().context("no pid")?;
    let status = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .await?;
    assert!(status.success());
    let mut goodbye = json!(null);
    for _ in 0..10 {
        let f = crate::ws_operator::next(&mut socket).await?;
        if f["type"] == "close" {
            goodbye = f;
            break;
        }
    }
    assert_eq!(goodbye["code"], 1001, "{goodbye}");
    let mut child = node.child;
    let exit = tokio::time::timeout(Duration::from_secs(15), child.wait()).await??;
    assert!(exit.success(), "exit status {exit:?}");
    // The second start neither recreates nor prints the password.
    let node = start(url, None, &workdir).await?;
    assert!(
        !node.stdout.iter().any(|l| l.contains("password")),
        "{:?}",
        node.stdout
    );
    login(&http, &node.base, &password).await?;
    let _ = std::fs::remove_dir_all(workdir);
    Ok(())
}

/// At info level the logs carry request ids, paths and staff ids, but never an IIN, a phone
/// number, an e-mail address or message text (DESIGN principle 9), not even from a failed
/// request or a query string.
#[tokio::test]
async fn personal_data_never_reaches_info_logs() -> anyhow::Result<()> {
    let (url, tmp) = fresh_database(Backend::Sqlite).await?;
    let workdir = tmp.clone().context("no temp dir")?;
    let log_path = workdir.join("stderr.log");
    let node = start_logging(
        &url,
        Some("the-admin-password"),
        &workdir,
        "info",
        Some(std::fs::File::create(&log_path)?),
    )
    .await?;
    let http = reqwest::Client::new();
    let token = login(&http, &node.base, "the-admin-password").await?;
    let secrets = [
        "061211600012",
        "+77017654321",
        "secret.person@example.kz",
        "Құпия хабарлама мәтіні",
    ];
    let client: Value = http
        .post(format!("{}/api/v1/clients", node.base))
        .bearer_auth(&token)
        .json(&json!({"name": "Private", "iin": secrets[0],
                      "identities": [{"channel": "voice", "address": secrets[1]}, {"channel": "email", "address": secrets[2]}]}))
        .send()
        .await?
        .json()
        .await?;
    let appeal: Value = http
        .post(format!("{}/api/v1/appeals", node.base))
        .bearer_auth(&token)
        .json(&json!({"client_id": client["id"], "kind": "complaint", "channel": "email", "text": secrets[3]}))
        .send()
        .await?
        .json()
        .await?;
    let id = appeal["id"].as_str().unwrap_or_default();
    for path in [
        format!("/api/v1/clients?iin={}", secrets[0]),
        format!("/api/v1/clients?channel=email&address={}", secrets[2]),
        format!("/api/v1/appeals/{id}"),
    ] {
        http.get(format!("{}{path}", node.base))
            .bearer_auth(&token)
            .send()
            .await?;
    }
    // Failures too: a conflict on the same IIN, a malformed body quoting the text.
    http.post(format!("{}/api/v1/clients", node.base))
        .bearer_auth(&token)
        .json(&json!({"iin": secrets[0]}))
        .send()
        .await?;
    http.post(format!("{}/api/v1/appeals/{id}/messages", node.base))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body(format!("{{\"body\": \"{}\"", secrets[3]))
        .send()
        .await?;
    http.post(format!("{}/api/v1/auth/login", node.base))
        .json(&json!({"login": secrets[2], "password": "wrong"}))
        .send()
        .await?;
    let pid = node.child.id().context("no pid")?;
    Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .await?;
    let mut child = node.child;
    tokio::time::timeout(Duration::from_secs(15), child.wait()).await??;
    let logs = std::fs::read_to_string(&log_path)?;
    assert!(logs.contains("listening"), "{logs}");
    assert!(logs.contains("failed login"), "{logs}");
    for s in secrets {
        assert!(!logs.contains(s), "{s} leaked into the logs:\n{logs}");
    }
    let _ = std::fs::remove_dir_all(workdir);
    Ok(())
}
