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

use std::collections::{HashMap, HashSet};
use std::io::BufRead;
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use uuid::Uuid;

use crate::{Args, TEXT};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;
type Sink = SplitSink<Ws, Message>;
type Stream = SplitStream<Ws>;

const PASSWORD: &str = "bench-admin-password";
const LIMIT: &str = "10000000";
/// How long any single awaited frame may take before it counts as lost.
const PATIENCE: Duration = Duration::from_secs(300);

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn pct(v: &[Duration], p: f64) -> f64 {
    let mut l = v.to_vec();
    l.sort();
    let i = ((l.len() as f64 - 1.0) * p).round() as usize;
    l.get(i).map(|d| ms(*d)).unwrap_or(0.0)
}

/// A child process (server or echo), killed when dropped.
struct Proc {
    child: Child,
    /// Kept open: a closed pipe would make the child's next `println!` fail.
    _stdout: Option<ChildStdout>,
    addr: String,
}

impl Proc {
    /// Starts `cmd` and waits for the stdout line that names its address (after `marker`).
    async fn start(mut cmd: Command, log: &Path, marker: &'static str) -> anyhow::Result<Proc> {
        let err = std::fs::File::create(log)?;
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(err))
            .spawn()
            .with_context(|| format!("starting {cmd:?}"))?;
        let Some(stdout) = child.stdout.take() else {
            let _ = child.kill();
            bail!("no stdout");
        };
        let found = tokio::task::spawn_blocking(move || {
            let mut reader = std::io::BufReader::new(stdout);
            let mut line = String::new();
            loop {
                line.clear();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    return (reader.into_inner(), None);
                }
                if let Some((_, rest)) = line.split_once(marker) {
                    let addr = rest
                        .split_whitespace()
                        .next()
                        .unwrap_or_default()
                        .to_owned();
                    return (reader.into_inner(), Some(addr));
                }
            }
        });
        match tokio::time::timeout(Duration::from_secs(120), found).await {
            Ok(Ok((stdout, Some(addr)))) => Ok(Proc {
                child,
                _stdout: Some(stdout),
                addr,
            }),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                bail!(
                    "{cmd:?} did not start; see {}: {}",
                    log.display(),
                    std::fs::read_to_string(log).unwrap_or_default()
                )
            }
        }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Resident memory of the process, KiB.
    fn rss_kib(&self) -> u64 {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What a citizen socket has received besides acks.
#[derive(Debug, Default)]
struct Seen {
    /// `seq` of every conversation entry, in arrival order.
    seqs: Vec<i64>,
    /// `error`, `resync` and unexpected `welcome` frames, verbatim.
    errors: Vec<String>,
}

#[derive(Debug)]
struct Citizen {
    token: String,
    appeal_id: Uuid,
    sink: Sink,
    acks: mpsc::UnboundedReceiver<(Uuid, i64)>,
    seen: Arc<Mutex<Seen>>,
    reader: JoinHandle<()>,
}

impl Citizen {
    fn drop_connection(self) {
        self.reader.abort();
        drop(self.sink);
    }

    fn max_seen(&self) -> i64 {
        lock(&self.seen).seqs.iter().copied().max().unwrap_or(0)
    }
}

/// Either target: the real chat socket or the echo ceiling.
#[derive(Debug, Clone)]
struct Target {
    echo: bool,
    ws: String,
}

/// Opens a citizen socket, says `hello` and waits for `welcome` (the echo of `hello` on the echo
/// server). Returns it with the welcome frame.
async fn open_citizen(t: &Target, hello: &Value) -> anyhow::Result<(Citizen, Value)> {
    let url = if t.echo {
        format!("{}/", t.ws)
    } else {
        format!("{}/ws/chat", t.ws)
    };
    let (ws, _) = tokio_tungstenite::connect_async(url)
        .await
        .context("connect")?;
    let (mut sink, mut stream) = ws.split();
    sink.send(Message::text(hello.to_string())).await?;
    let welcome = loop {
        let m = tokio::time::timeout(PATIENCE, stream.next())
            .await
            .context("no welcome")?;
        let Some(m) = m else {
            bail!("closed before welcome")
        };
        let t_ = match m? {
            Message::Text(t_) => t_,
            Message::Close(c) => bail!("closed before welcome: {c:?}"),
            _ => continue,
        };
        let v: Value = serde_json::from_str(&t_)?;
        match v["type"].as_str() {
            Some("welcome") => break v,
            Some("hello") if t.echo => break v,
            Some("error") => bail!("error before welcome: {v}"),
            _ => {}
        }
    };
    let (tx, acks) = mpsc::unbounded_channel();
    let seen = Arc::new(Mutex::new(Seen::default()));
    let reader = tokio::spawn(read_citizen(stream, seen.clone(), tx, t.echo));
    let c = Citizen {
        token: welcome["token"].as_str().unwrap_or_default().to_owned(),
        appeal_id: welcome["appeal_id"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .unwrap_or_default(),
        sink,
        acks,
        seen,
        reader,
    };
    Ok((c, welcome))
}

async fn read_citizen(
    mut stream: Stream,
    seen: Arc<Mutex<Seen>>,
    acks: mpsc::UnboundedSender<(Uuid, i64)>,
    echo: bool,
) {
    while let Some(Ok(m)) = stream.next().await {
        let text = match m {
            Message::Text(t) => t,
            Message::Close(c) => {
                lock(&seen).errors.push(format!("closed by server: {c:?}"));
                return;
            }
            _ => continue,
        };
        let Ok(v) = serde_json::from_str::<Value>(&text) else {
            lock(&seen).errors.push(format!("not JSON: {text}"));
            continue;
        };
        let id = || v["client_id"].as_str().and_then(|s| s.parse::<Uuid>().ok());
        match v["type"].as_str().unwrap_or_default() {
            "message" if echo => {
                if let Some(id) = id() {
                    let _ = acks.send((id, 0));
                }
            }
            "message" | "notice" | "assignment" | "transfer" | "close" => {
                if let Some(seq) = v["seq"].as_i64() {
                    lock(&seen).seqs.push(seq);
                }
            }
            "ack" => {
                if let (Some(id), Some(seq)) = (id(), v["seq"].as_i64()) {
                    let _ = acks.send((id, seq));
                }
            }
            "error" | "resync" | "welcome" => lock(&seen).errors.push(text.to_string()),
            _ => {}
        }
    }
}

/// What the staff sockets have received.
#[derive(Debug, Default)]
struct OpSeen {
    seqs: HashMap<Uuid, Vec<i64>>,
    /// Conversations whose `open` was answered (by the `read` frame that ends the replay).
    opened: HashSet<Uuid>,
    /// Benchmark messages delivered since the last reset, their latency from the citizen's send
    /// and the time of the last one (since the epoch).
    delivered: usize,
    latencies: Vec<Duration>,
    last: Duration,
    errors: Vec<String>,
}

#[derive(Debug)]
struct Operator {
    sink: Sink,
    acks: mpsc::UnboundedReceiver<(Uuid, i64)>,
    reader: JoinHandle<()>,
}

async fn open_operator(
    ws: &str,
    token: &str,
    seen: Arc<Mutex<OpSeen>>,
    epoch: Instant,
) -> anyhow::Result<Operator> {
    let (ws, _) = tokio_tungstenite::connect_async(format!("{ws}/ws/operator")).await?;
    let (mut sink, mut stream) = ws.split();
    let hello = json!({"type": "hello", "v": 1, "token": token});
    sink.send(Message::text(hello.to_string())).await?;
    loop {
        let m = tokio::time::timeout(PATIENCE, stream.next())
            .await
            .context("no operator welcome")?;
        let Some(Ok(Message::Text(t))) = m else {
            bail!("operator socket closed before welcome: {m:?}")
        };
        let v: Value = serde_json::from_str(&t)?;
        match v["type"].as_str() {
            Some("welcome") => break,
            Some("error") => bail!("operator: {v}"),
            _ => {}
        }
    }
    let (tx, acks) = mpsc::unbounded_channel();
    let reader = tokio::spawn(read_operator(stream, seen, tx, epoch));
    Ok(Operator { sink, acks, reader })
}

async fn read_operator(
    mut stream: Stream,
    seen: Arc<Mutex<OpSeen>>,
    acks: mpsc::UnboundedSender<(Uuid, i64)>,
    epoch: Instant,
) {
    while let Some(Ok(m)) = stream.next().await {
        let text = match m {
            Message::Text(t) => t,
            Message::Close(c) => {
                lock(&seen).errors.push(format!("operator closed: {c:?}"));
                return;
            }
            _ => continue,
        };
        let Ok(v) = serde_json::from_str::<Value>(&text) else {
            lock(&seen).errors.push(format!("not JSON: {text}"));
            continue;
        };
        let appeal = v["appeal_id"].as_str().and_then(|s| s.parse::<Uuid>().ok());
        match v["type"].as_str().unwrap_or_default() {
            "message" => {
                let (Some(appeal), Some(seq)) = (appeal, v["seq"].as_i64()) else {
                    continue;
                };
                // Benchmark bodies end with the send time in nanoseconds since the epoch.
                let sent = v["body"]
                    .as_str()
                    .filter(|b| b.starts_with("b "))
                    .and_then(|b| b.rsplit(' ').next())
                    .and_then(|n| n.parse::<u64>().ok());
                let now = epoch.elapsed();
                let mut g = lock(&seen);
                g.seqs.entry(appeal).or_default().push(seq);
                if let Some(sent) = sent {
                    g.delivered += 1;
                    g.latencies
                        .push(now.saturating_sub(Duration::from_nanos(sent)));
                    g.last = now;
                }
            }
            "read" => {
                if let Some(appeal) = appeal {
                    lock(&seen).opened.insert(appeal);
                }
            }
            "ack" => {
                if let (Some(appeal), Some(seq)) = (appeal, v["seq"].as_i64()) {
                    let _ = acks.send((appeal, seq));
                }
            }
            "error" | "resync" => lock(&seen).errors.push(text.to_string()),
            _ => {}
        }
    }
}

/// One run of messages.
#[derive(Debug, Default)]
struct Flow {
    acked: usize,
    persist_secs: f64,
    ack_lat: Vec<Duration>,
    delivered: usize,
    deliver_secs: f64,
    deliver_lat: Vec<Duration>,
    /// Acks that never came.
    no_ack: usize,
    /// Over both sides of every conversation: entries missing up to the last acknowledged
    /// `seq`, entries received twice, entries out of order.
    lost: usize,
    dup: usize,
    disorder: usize,
}

/// Missing (`1..=upto` not seen), duplicated and out-of-order entries of one conversation.
fn check(seqs: &[i64], from: i64, upto: i64) -> (usize, usize, usize) {
    let set: HashSet<i64> = seqs.iter().copied().collect();
    let lost = (from + 1..=upto).filter(|s| !set.contains(s)).count();
    let dup = seqs.len() - set.len() + seqs.iter().filter(|s| **s <= from).count();
    let disorder = seqs.windows(2).filter(|w| w[1] <= w[0]).count();
    (lost, dup, disorder)
}

/// Citizens send for `secs`, one message in flight each. `acked` collects, per conversation,
/// the highest stored `seq` over all flows so far.
async fn flow(
    citizens: &mut Vec<Citizen>,
    op_seen: Option<&Arc<Mutex<OpSeen>>>,
    secs: u64,
    epoch: Instant,
    acked: &mut HashMap<Uuid, i64>,
) -> anyhow::Result<Flow> {
    if let Some(s) = op_seen {
        let mut g = lock(s);
        g.delivered = 0;
        g.latencies.clear();
    }
    let start = Instant::now();
    let start_epoch = epoch.elapsed();
    let deadline = start + Duration::from_secs(secs);
    let mut tasks = Vec::new();
    for (idx, mut c) in citizens.drain(..).enumerate() {
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut top = 0i64;
            let mut no_ack = 0usize;
            let mut n = 0usize;
            while Instant::now() < deadline {
                let id = Uuid::now_v7();
                let body = format!("b {TEXT} {idx} {n} {}", epoch.elapsed().as_nanos());
                let frame = json!({"type": "message", "client_id": id, "body": body});
                let t = Instant::now();
                if c.sink.send(Message::text(frame.to_string())).await.is_err() {
                    no_ack += 1;
                    break;
                }
                n += 1;
                let got = tokio::time::timeout(PATIENCE, async {
                    while let Some((cid, seq)) = c.acks.recv().await {
                        if cid == id {
                            return Some(seq);
                        }
                    }
                    None
                })
                .await;
                match got {
                    Ok(Some(seq)) => {
                        lat.push(t.elapsed());
                        top = top.max(seq);
                    }
                    _ => {
                        no_ack += 1;
                        break;
                    }
                }
            }
            (c, lat, top, no_ack)
        }));
    }
    let mut out = Flow::default();
    for t in tasks {
        let (c, lat, top, no_ack) = t.await?;
        out.acked += lat.len();
        out.ack_lat.extend(lat);
        out.no_ack += no_ack;
        if top > 0 {
            let e = acked.entry(c.appeal_id).or_insert(0);
            *e = (*e).max(top);
        }
        citizens.push(c);
    }
    out.persist_secs = start.elapsed().as_secs_f64();
    let Some(op_seen) = op_seen else {
        // The echo: the echo is the delivery.
        out.delivered = out.acked;
        out.deliver_secs = out.persist_secs;
        out.deliver_lat = out.ack_lat.clone();
        return Ok(out);
    };
    // Wait for the operators to have every acknowledged message.
    let waited = Instant::now();
    while lock(op_seen).delivered < out.acked && waited.elapsed() < PATIENCE {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // And a moment for late duplicates to show.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let g = lock(op_seen);
    out.delivered = g.delivered;
    out.deliver_lat = g.latencies.clone();
    out.deliver_secs = g.last.saturating_sub(start_epoch).as_secs_f64();
    for c in citizens.iter() {
        let upto = acked.get(&c.appeal_id).copied().unwrap_or(0);
        let empty = Vec::new();
        let op = g.seqs.get(&c.appeal_id).unwrap_or(&empty);
        let own = lock(&c.seen);
        for seqs in [op, &own.seqs] {
            let (l, d, o) = check(seqs, 0, upto);
            out.lost += l;
            out.dup += d;
            out.disorder += o;
        }
    }
    Ok(out)
}

/// Sends one operator reply to each conversation, spread over the staff sockets, and returns
/// the stored `seq` of each (missing ones were not acknowledged).
async fn replies(
    ops: &mut Vec<Operator>,
    appeals: &[Uuid],
    round: usize,
) -> anyhow::Result<HashMap<Uuid, i64>> {
    let n = ops.len().max(1);
    let mut tasks = Vec::new();
    for (j, mut op) in ops.drain(..).enumerate() {
        let mine: Vec<Uuid> = appeals.iter().skip(j).step_by(n).copied().collect();
        tasks.push(tokio::spawn(async move {
            let mut got = HashMap::new();
            for a in &mine {
                let f = json!({"type": "message", "appeal_id": a, "client_id": Uuid::now_v7(),
                               "body": format!("r{round} Жауап / ответ")});
                if op.sink.send(Message::text(f.to_string())).await.is_err() {
                    break;
                }
            }
            while got.len() < mine.len() {
                match tokio::time::timeout(PATIENCE, op.acks.recv()).await {
                    Ok(Some((a, seq))) => {
                        got.insert(a, seq);
                    }
                    _ => break,
                }
            }
            (op, got)
        }));
    }
    let mut all = HashMap::new();
    for t in tasks {
        let (op, got) = t.await?;
        ops.push(op);
        all.extend(got);
    }
    Ok(all)
}

#[derive(Debug, Default)]
struct Storm {
    dropped: usize,
    /// First replies (before the drop) that reached the citizen live, and those that did not.
    live_delivered: usize,
    live_lost: usize,
    /// Reconnect all at once: until every `welcome`, and until every missed entry arrived.
    back_secs: f64,
    replayed_secs: f64,
    reconnect_failed: usize,
    lost: usize,
    dup: usize,
    disorder: usize,
    wrong_conversation: usize,
}

/// Waits until `cond` holds or PATIENCE passes.
async fn until(mut cond: impl FnMut() -> bool) {
    let t = Instant::now();
    while !cond() && t.elapsed() < PATIENCE {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn storm(
    t: &Target,
    held: &mut Vec<Citizen>,
    ops: &mut Vec<Operator>,
) -> anyhow::Result<Storm> {
    let mut out = Storm::default();
    let s = held.len() / 10;
    let mut gone: Vec<Citizen> = held.drain(..s).collect();
    let appeals: Vec<Uuid> = gone.iter().map(|c| c.appeal_id).collect();
    if !t.echo {
        let first = replies(ops, &appeals, 1).await?;
        until(|| {
            gone.iter().all(|c| {
                first
                    .get(&c.appeal_id)
                    .is_none_or(|seq| lock(&c.seen).seqs.contains(seq))
            })
        })
        .await;
        for c in &gone {
            match first.get(&c.appeal_id) {
                Some(seq) if lock(&c.seen).seqs.contains(seq) => out.live_delivered += 1,
                _ => out.live_lost += 1,
            }
        }
    }
    // Drop them all at once, remembering what each had seen.
    let mut resume = Vec::new();
    for c in gone.drain(..) {
        resume.push((c.token.clone(), c.appeal_id, c.max_seen()));
        c.drop_connection();
    }
    out.dropped = resume.len();
    let missed = if t.echo {
        HashMap::new()
    } else {
        replies(ops, &appeals, 2).await?
    };
    // Reconnect all at once.
    let start = Instant::now();
    let mut tasks = Vec::new();
    for (token, appeal, last) in resume {
        let t = t.clone();
        tasks.push(tokio::spawn(async move {
            let hello = if t.echo {
                json!({"type": "hello", "v": 1, "language": "kk"})
            } else {
                json!({"type": "hello", "v": 1, "token": token, "last_seq": last})
            };
            let r = open_citizen(&t, &hello).await;
            (appeal, last, r, start.elapsed())
        }));
    }
    let mut back = Vec::new();
    for task in tasks {
        let (appeal, last, r, at) = task.await?;
        match r {
            Ok((c, welcome)) => {
                out.back_secs = out.back_secs.max(at.as_secs_f64());
                if !t.echo && welcome["appeal_id"].as_str() != Some(&appeal.to_string()) {
                    out.wrong_conversation += 1;
                }
                back.push((c, appeal, last));
            }
            Err(e) => {
                out.reconnect_failed += 1;
                if out.reconnect_failed <= 3 {
                    eprintln!("reconnect failed: {e:#}");
                }
            }
        }
    }
    if !t.echo {
        until(|| {
            back.iter()
                .all(|(c, a, _)| missed.get(a).is_none_or(|seq| c.max_seen() >= *seq))
        })
        .await;
        out.replayed_secs = start.elapsed().as_secs_f64();
        // A moment for late duplicates to show.
        tokio::time::sleep(Duration::from_millis(500)).await;
        for (c, a, last) in &back {
            let upto = missed.get(a).copied().unwrap_or(*last);
            let (l, d, o) = check(&lock(&c.seen).seqs, *last, upto);
            out.lost += l;
            out.dup += d;
            out.disorder += o;
        }
    } else {
        out.replayed_secs = out.back_secs;
    }
    held.extend(back.into_iter().map(|(c, _, _)| c));
    Ok(out)
}

/// Opens `n` citizen sockets, `concurrency` handshakes at a time.
async fn open_many(
    t: &Target,
    n: usize,
    concurrency: usize,
) -> anyhow::Result<(Vec<Citizen>, Duration, Vec<Duration>)> {
    let hello = json!({"type": "hello", "v": 1, "language": "kk"});
    let start = Instant::now();
    let results: Vec<_> = futures_util::stream::iter(0..n)
        .map(|_| {
            let (t, hello) = (t.clone(), hello.clone());
            async move {
                let s = Instant::now();
                open_citizen(&t, &hello)
                    .await
                    .map(|(c, _)| (c, s.elapsed()))
            }
        })
        .buffer_unordered(concurrency.max(1))
        .collect()
        .await;
    let elapsed = start.elapsed();
    let mut out = Vec::with_capacity(n);
    let mut lat = Vec::with_capacity(n);
    let mut failed = Vec::new();
    for r in results {
        match r {
            Ok((c, l)) => {
                out.push(c);
                lat.push(l);
            }
            Err(e) => failed.push(format!("{e:#}")),
        }
    }
    if !failed.is_empty() {
        eprintln!(
            "{} of {n} sockets failed to open; first: {}",
            failed.len(),
            failed[0]
        );
    }
    Ok((out, elapsed, lat))
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
        "hello → welcome p50 ms",
        pct(&s.open_lat, 0.5),
        pct(&e.open_lat, 0.5),
        2,
    );
    row(
        "hello → welcome p99 ms",
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
