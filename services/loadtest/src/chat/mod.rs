//! Web-chat sockets, end to end, against a bare tokio-tungstenite echo server in the same run.
//!
//! Both servers run as separate processes so their memory can be read from `/proc`: the echo
//! server is this binary re-executed with `--echo-server 0`; the real one is
//! `target/release/baylanys serve` on a fresh database, flood limits raised. Each goes through
//! the same steps:
//!
//! 1. `conversations` citizen sockets say hello; on the real server `operator_sockets` staff
//!    sockets (`admin`) follow those conversations.
//! 2. Messages for `seconds`, one in flight per citizen: send → ack (stored) and, on the real
//!    server, send → the operator socket receiving it. Every conversation is then checked on
//!    both sides: every `seq` up to the last acknowledged one exactly once, in order.
//! 3. `sockets` more citizen sockets open (each a new client + appeal waiting in an open queue);
//!    the server's RSS before and after gives the memory each costs.
//! 4. Step 2 again with all of them held.
//! 5. Reconnect storm: an operator replies in the first 10 % of the held conversations; those
//!    sockets drop at once; the operator replies again while they are away; they reconnect at
//!    once with their token and last `seq`, and must get exactly the missed entries.

mod phases;
mod process;
mod sockets;

use std::collections::HashMap;
use std::process::Command;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::SinkExt;
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use uuid::Uuid;

use crate::Args;
use phases::*;
use process::*;
use sockets::*;

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;
type Sink = SplitSink<Ws, Message>;
type Stream = SplitStream<Ws>;

pub(super) const PASSWORD: &str = "bench-admin-password";
pub(super) const LIMIT: &str = "10000000";
/// How long any single awaited frame may take before it counts as lost.
pub(super) const PATIENCE: Duration = Duration::from_secs(300);

pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

pub(super) fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

pub(super) fn pct(v: &[Duration], p: f64) -> f64 {
    let mut l = v.to_vec();
    l.sort();
    let i = ((l.len() as f64 - 1.0) * p).round() as usize;
    l.get(i).map(|d| ms(*d)).unwrap_or(0.0)
}

/// Everything measured against one target.
#[derive(Debug, Default)]
struct Report {
    held: usize,
    open_secs: f64,
    open_lat: Vec<Duration>,
    rss_before: u64,
    rss_after: u64,
    small: Flow,
    full: Flow,
    storm: Storm,
    error_frames: Vec<String>,
    server_warnings: Vec<String>,
}

impl Report {
    fn per_socket_kib(&self) -> f64 {
        self.rss_after.saturating_sub(self.rss_before) as f64 / self.held.max(1) as f64
    }
}

fn progress(what: &str, t: &Target) {
    let who = if t.echo { "echo" } else { "baylanys" };
    eprintln!("[{}] {who}: {what}", chrono::Utc::now().format("%H:%M:%S"));
}

/// Admin token, and an open round-the-clock queue every chat waits in.
async fn setup(base: &str) -> anyhow::Result<String> {
    let http = reqwest::Client::new();
    let login: Value = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"login": "admin", "password": PASSWORD}))
        .send()
        .await?
        .json()
        .await?;
    let token = login["token"]
        .as_str()
        .with_context(|| format!("login: {login}"))?
        .to_owned();
    let q: Value = http
        .post(format!("{base}/api/v1/queues"))
        .bearer_auth(&token)
        .json(&json!({"code": "chat", "name": "Web chat"}))
        .send()
        .await?
        .json()
        .await?;
    let q = q["id"].as_str().with_context(|| format!("queue: {q}"))?;
    let all = json!([{"from": "00:00", "to": "24:00"}]);
    let hours = json!({"monday": all, "tuesday": all, "wednesday": all, "thursday": all,
                       "friday": all, "saturday": all, "sunday": all, "open_on_holidays": true});
    for (path, body) in [
        (format!("{base}/api/v1/queues/{q}/hours"), hours),
        (
            format!("{base}/api/v1/routing/table"),
            json!({"entries": [], "default_queue_id": q}),
        ),
    ] {
        let r = http
            .put(&path)
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await?;
        if !r.status().is_success() {
            bail!(
                "{path}: {} {}",
                r.status(),
                r.text().await.unwrap_or_default()
            );
        }
    }
    Ok(token)
}

async fn measure(t: &Target, proc: &Proc, args: &Args) -> anyhow::Result<Report> {
    let epoch = Instant::now();
    let mut report = Report::default();
    let base = t.ws.replacen("ws://", "http://", 1);
    let op_seen = Arc::new(Mutex::new(OpSeen::default()));
    let mut ops = Vec::new();
    let (mut talkers, _, _) = open_many(t, args.conversations, 64).await?;
    if !t.echo {
        let token = setup(&base).await?;
        for _ in 0..args.operator_sockets.max(1) {
            ops.push(open_operator(&t.ws, &token, op_seen.clone(), epoch).await?);
        }
        let n = ops.len();
        for (i, c) in talkers.iter().enumerate() {
            let f = json!({"type": "open", "appeal_id": c.appeal_id, "last_seq": 0});
            if let Some(op) = ops.get_mut(i % n) {
                op.sink.send(Message::text(f.to_string())).await?;
            }
        }
        until(|| lock(&op_seen).opened.len() >= talkers.len()).await;
    }
    let mut acked = HashMap::new();
    progress("messages, few sockets", t);
    report.small = flow(
        &mut talkers,
        (!t.echo).then_some(&op_seen),
        args.seconds,
        epoch,
        &mut acked,
    )
    .await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    report.rss_before = proc.rss_kib();
    progress("opening sockets", t);
    let (mut held, elapsed, lat) = open_many(t, args.sockets, args.open_concurrency).await?;
    report.held = held.len();
    report.open_secs = elapsed.as_secs_f64();
    report.open_lat = lat;
    tokio::time::sleep(Duration::from_secs(2)).await;
    report.rss_after = proc.rss_kib();
    progress("messages, all sockets held", t);
    report.full = flow(
        &mut talkers,
        (!t.echo).then_some(&op_seen),
        args.seconds,
        epoch,
        &mut acked,
    )
    .await?;
    progress("reconnect storm", t);
    report.storm = storm(t, &mut held, &mut ops).await?;
    for c in held.iter().chain(talkers.iter()) {
        report
            .error_frames
            .extend(lock(&c.seen).errors.iter().cloned());
    }
    report
        .error_frames
        .extend(lock(&op_seen).errors.iter().cloned());
    for c in held.into_iter().chain(talkers) {
        c.drop_connection();
    }
    for op in ops {
        op.reader.abort();
    }
    Ok(report)
}

pub async fn run(args: &Args, url: String) -> anyhow::Result<()> {
    let backend = format!("{:?}", args.backend).to_lowercase();
    let dir = std::env::temp_dir().join(format!("bl_chat_{}", Uuid::now_v7().simple()));
    std::fs::create_dir_all(&dir)?;
    let exe = std::env::current_exe()?;

    // The ceiling first, alone on the machine.
    let mut cmd = Command::new(&exe);
    cmd.arg("--echo-server")
        .arg("0")
        .arg("--echo-read-buffer")
        .arg(args.echo_read_buffer.to_string())
        .current_dir(&dir);
    let echo_proc = Proc::start(cmd, &dir.join("echo.log"), "echo listening on ").await?;
    let echo_t = Target {
        echo: true,
        ws: format!("ws://{}", echo_proc.addr),
    };
    let echo = measure(&echo_t, &echo_proc, args).await?;
    drop(echo_proc);

    let bin = match &args.server_bin {
        Some(b) => b.clone(),
        None => exe
            .parent()
            .map(|p| p.join("baylanys"))
            .context("no directory")?,
    };
    let mut cmd = Command::new(&bin);
    cmd.arg("serve")
        .current_dir(&dir)
        .env("BAYLANYS_LISTEN", "127.0.0.1:0")
        .env("BAYLANYS_DATABASE_URL", &url)
        .env("BAYLANYS_ADMIN_PASSWORD", PASSWORD)
        .env("BAYLANYS_LOG", "warn")
        .env("BAYLANYS_CHAT_VISITOR_MESSAGES_PER_MINUTE", LIMIT)
        .env("BAYLANYS_CHAT_IP_SOCKETS", LIMIT)
        .env("BAYLANYS_CHAT_IP_MESSAGES_PER_MINUTE", LIMIT)
        .env("BAYLANYS_CHAT_IP_CONVERSATIONS_PER_HOUR", LIMIT);
    let log = dir.join("baylanys.log");
    let server_proc = Proc::start(cmd, &log, "listening on http://").await?;
    let server_t = Target {
        echo: false,
        ws: format!("ws://{}", server_proc.addr),
    };
    let result = measure(&server_t, &server_proc, args).await;
    drop(server_proc);
    let mut server = result?;
    server.server_warnings = std::fs::read_to_string(&log)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect();

    print(&backend, args, &server, &echo);
    Ok(())
}

fn print(backend: &str, args: &Args, s: &Report, e: &Report) {
    println!(
        "backend={backend} sockets={} conversations={} operator_sockets={} seconds={} \
         echo_read_buffer={}",
        args.sockets,
        args.conversations,
        args.operator_sockets,
        args.seconds,
        args.echo_read_buffer
    );
    println!("| backend | measure | baylanys | echo ceiling | baylanys ÷ echo |");
    println!("|---|---|---:|---:|---:|");
    let row = |what: &str, a: f64, b: f64, digits: usize| {
        println!(
            "| {backend} | {what} | {a:.digits$} | {b:.digits$} | {:.0} % |",
            if b > 0.0 { 100.0 * a / b } else { 0.0 }
        );
    };
    row("citizen sockets held", s.held as f64, e.held as f64, 0);
    row("time to open them, s", s.open_secs, e.open_secs, 1);
    row(
        "opens/s",
        s.held as f64 / s.open_secs.max(1e-9),
        e.held as f64 / e.open_secs.max(1e-9),
        0,
    );
    row(
        "hello + first message → appeal p50 ms",
        pct(&s.open_lat, 0.5),
        pct(&e.open_lat, 0.5),
        2,
    );
    row(
        "hello + first message → appeal p99 ms",
        pct(&s.open_lat, 0.99),
        pct(&e.open_lat, 0.99),
        2,
    );
    row(
        "RSS before, MiB",
        s.rss_before as f64 / 1024.0,
        e.rss_before as f64 / 1024.0,
        1,
    );
    row(
        "RSS with them open, MiB",
        s.rss_after as f64 / 1024.0,
        e.rss_after as f64 / 1024.0,
        1,
    );
    row(
        "RSS per socket, KiB",
        s.per_socket_kib(),
        e.per_socket_kib(),
        1,
    );
    for (label, fs, fe) in [
        (
            format!("{} sockets", args.conversations),
            &s.small,
            &e.small,
        ),
        (format!("{} sockets held", s.held), &s.full, &e.full),
    ] {
        row(
            &format!("messages/s persisted (ack), {label}"),
            fs.acked as f64 / fs.persist_secs.max(1e-9),
            fe.acked as f64 / fe.persist_secs.max(1e-9),
            0,
        );
        row(
            &format!("send → ack p50 ms, {label}"),
            pct(&fs.ack_lat, 0.5),
            pct(&fe.ack_lat, 0.5),
            2,
        );
        row(
            &format!("send → ack p99 ms, {label}"),
            pct(&fs.ack_lat, 0.99),
            pct(&fe.ack_lat, 0.99),
            2,
        );
        row(
            &format!("messages/s delivered to operators, {label}"),
            fs.delivered as f64 / fs.deliver_secs.max(1e-9),
            fe.delivered as f64 / fe.deliver_secs.max(1e-9),
            0,
        );
        row(
            &format!("send → operator p50 ms, {label}"),
            pct(&fs.deliver_lat, 0.5),
            pct(&fe.deliver_lat, 0.5),
            2,
        );
        row(
            &format!("send → operator p99 ms, {label}"),
            pct(&fs.deliver_lat, 0.99),
            pct(&fe.deliver_lat, 0.99),
            2,
        );
        println!(
            "| {backend} | messages, {label}: acked / delivered / no ack / lost / duplicated / out of order | {} / {} / {} / {} / {} / {} | {} / {} / {} | |",
            fs.acked, fs.delivered, fs.no_ack, fs.lost, fs.dup, fs.disorder,
            fe.acked, fe.delivered, fe.no_ack
        );
    }
    row(
        "reconnect storm: sockets dropped at once",
        s.storm.dropped as f64,
        e.storm.dropped as f64,
        0,
    );
    row(
        "reconnect storm: all welcomed again, s",
        s.storm.back_secs,
        e.storm.back_secs,
        2,
    );
    row(
        "reconnect storm: all missed entries replayed, s",
        s.storm.replayed_secs,
        e.storm.replayed_secs,
        2,
    );
    println!(
        "| {backend} | reconnect storm: live replies delivered / lost; resumed failed / lost / duplicated / out of order / wrong conversation | {} / {}; {} / {} / {} / {} / {} | {} failed | |",
        s.storm.live_delivered,
        s.storm.live_lost,
        s.storm.reconnect_failed,
        s.storm.lost,
        s.storm.dup,
        s.storm.disorder,
        s.storm.wrong_conversation,
        e.storm.reconnect_failed
    );
    println!(
        "| {backend} | error frames / server log lines (warn and above) | {} / {} | {} | |",
        s.error_frames.len(),
        s.server_warnings.len(),
        e.error_frames.len()
    );
    for f in s.error_frames.iter().take(5) {
        println!("error frame: {f}");
    }
    // Server log lines by kind: ANSI colours and the timestamp stripped, the text cut before
    // the first field.
    let mut kinds: Vec<(String, usize)> = Vec::new();
    for l in &s.server_warnings {
        let mut plain = String::new();
        let mut esc = false;
        for ch in l.chars() {
            match (esc, ch) {
                (false, '\u{1b}') => esc = true,
                (true, 'm') => esc = false,
                (true, _) => {}
                (false, c) => plain.push(c),
            }
        }
        let text = plain.split_once(' ').map(|(_, r)| r).unwrap_or(&plain);
        let kind: String = text
            .split_whitespace()
            .take_while(|w| !w.contains('='))
            .collect::<Vec<_>>()
            .join(" ");
        match kinds.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, n)) => *n += 1,
            None => kinds.push((kind, 1)),
        }
    }
    for (kind, n) in kinds.iter().take(10) {
        println!("server log: {n} × {kind}");
    }
}
