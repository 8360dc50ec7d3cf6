//! The measured phases: messages end to end, and the reconnect storm.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;
use uuid::Uuid;

use super::sockets::*;
use super::*;
use crate::TEXT;

/// One run of messages.
#[derive(Debug, Default)]
pub(super) struct Flow {
    pub(super) acked: usize,
    pub(super) persist_secs: f64,
    pub(super) ack_lat: Vec<Duration>,
    pub(super) delivered: usize,
    pub(super) deliver_secs: f64,
    pub(super) deliver_lat: Vec<Duration>,
    /// Acks that never came.
    pub(super) no_ack: usize,
    /// Over both sides of every conversation: entries missing up to the last acknowledged
    /// `seq`, entries received twice, entries out of order.
    pub(super) lost: usize,
    pub(super) dup: usize,
    pub(super) disorder: usize,
}

/// Missing (`1..=upto` not seen), duplicated and out-of-order entries of one conversation.
pub(super) fn check(seqs: &[i64], from: i64, upto: i64) -> (usize, usize, usize) {
    let set: HashSet<i64> = seqs.iter().copied().collect();
    let lost = (from + 1..=upto).filter(|s| !set.contains(s)).count();
    let dup = seqs.len() - set.len() + seqs.iter().filter(|s| **s <= from).count();
    let disorder = seqs.windows(2).filter(|w| w[1] <= w[0]).count();
    (lost, dup, disorder)
}

/// Citizens send for `secs`, one message in flight each. `acked` collects, per conversation,
/// the highest stored `seq` over all flows so far.
pub(super) async fn flow(
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
pub(super) async fn replies(
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
pub(super) struct Storm {
    pub(super) dropped: usize,
    /// First replies (before the drop) that reached the citizen live, and those that did not.
    pub(super) live_delivered: usize,
    pub(super) live_lost: usize,
    /// Reconnect all at once: until every `welcome`, and until every missed entry arrived.
    pub(super) back_secs: f64,
    pub(super) replayed_secs: f64,
    pub(super) reconnect_failed: usize,
    pub(super) lost: usize,
    pub(super) dup: usize,
    pub(super) disorder: usize,
    pub(super) wrong_conversation: usize,
}

/// Waits until `cond` holds or PATIENCE passes.
pub(super) async fn until(mut cond: impl FnMut() -> bool) {
    let t = Instant::now();
    while !cond() && t.elapsed() < PATIENCE {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

pub(super) async fn storm(
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
pub(super) async fn open_many(
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
