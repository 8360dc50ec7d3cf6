//! Callbacks placed through the PBX (R13): two workers around the call-control socket.
//! [`PbxSocket`] keeps the connection — it connects (again, after a back-off, when it drops),
//! sends the dialler's commands and reads the PBX's frames, one per step — and
//! [`PlacedCalls`] applies what it heard through the centre: the operator put through when the
//! client answers, the attempt's outcome, the after-call work when the call ends; after a
//! (re)connection it takes back the calls placed before. Two workers, so that handling an
//! event that sends a command never waits on the loop that must read the command's answer.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use baylanys_centre::Centre;
use baylanys_centre::HeardFrom as Via;
use baylanys_channels::rwi::{Heard, RwiSocket};
use tokio::sync::{mpsc, Mutex};

use crate::supervisor::{Next, StepError, Supervisor, Worker, WorkerExists};

/// Starts both workers of the PBX's call control under `workers`.
pub fn spawn_placed_calls(
    workers: &Supervisor,
    centre: Centre,
    socket: RwiSocket,
    heard: mpsc::Receiver<Heard>,
) -> Result<(), WorkerExists> {
    workers.spawn(PbxSocket::NAME, std::sync::Arc::new(PbxSocket::new(socket)))?;
    workers.spawn(
        PlacedCalls::NAME,
        std::sync::Arc::new(PlacedCalls::new(centre, heard)),
    )?;
    Ok(())
}

/// The longest a step waits for something to do, so shutdown is never kept waiting.
const TURN: Duration = Duration::from_secs(1);

#[derive(Debug)]
pub struct PbxSocket {
    socket: RwiSocket,
    /// Connection failures in a row: the pause before the next try grows with them.
    failures: AtomicU32,
}

impl PbxSocket {
    pub const NAME: &'static str = "pbx_socket";

    pub fn new(socket: RwiSocket) -> Self {
        PbxSocket {
            socket,
            failures: AtomicU32::new(0),
        }
    }
}

/// A step is one frame, one command, or a second of quiet. A PBX that cannot be reached is
/// not this node's failure — the web chat, mail and Telegram go on, and `/readyz` must not
/// take the node out of the balancer for it — so it is logged, placing a call says so, and
/// the next try comes after a pause that doubles up to half a minute (as a mailbox does).
impl Worker for PbxSocket {
    async fn step(&self) -> Result<Next, StepError> {
        match self.socket.turn(TURN).await {
            Ok(()) => {
                self.failures.store(0, Ordering::Relaxed);
                Ok(Next::Again)
            }
            Err(e) => {
                let n = self
                    .failures
                    .fetch_add(1, Ordering::Relaxed)
                    .saturating_add(1);
                tracing::warn!(error = %e, failures = n, "the PBX's call control is not reachable");
                Ok(Next::Wait)
            }
        }
    }

    async fn idle(&self) {
        let n = self.failures.load(Ordering::Relaxed).min(5);
        tokio::time::sleep(Duration::from_secs(1u64 << n).min(Duration::from_secs(30))).await;
    }
}

pub struct PlacedCalls {
    centre: Centre,
    heard: Mutex<mpsc::Receiver<Heard>>,
}

impl std::fmt::Debug for PlacedCalls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlacedCalls").finish()
    }
}

impl PlacedCalls {
    pub const NAME: &'static str = "placed_calls";

    pub fn new(centre: Centre, heard: mpsc::Receiver<Heard>) -> Self {
        PlacedCalls {
            centre,
            heard: Mutex::new(heard),
        }
    }
}

/// A step is one thing heard. One that cannot be applied is logged and left (the webhook
/// tells outcomes again; staff may record one by hand); the worker goes on.
impl Worker for PlacedCalls {
    async fn step(&self) -> Result<Next, StepError> {
        let next = {
            let mut heard = self.heard.lock().await;
            tokio::time::timeout(TURN, heard.recv()).await
        };
        match next {
            Ok(Some(Heard::Connected)) => {
                let taken = self.centre.take_back_placed_calls().await?;
                if taken > 0 {
                    tracing::info!(taken, "placed calls taken back after a reconnection");
                }
            }
            Ok(Some(Heard::Call { call_id, event })) => {
                if let Err(e) = self
                    .centre
                    .placed_call_event(&call_id, &event, Via::Socket)
                    .await
                {
                    tracing::warn!(%call_id, ?event, error = %e, "a placed call's event was not applied");
                }
            }
            Ok(None) => tokio::time::sleep(TURN).await,
            Err(_) => {}
        }
        Ok(Next::Again)
    }

    async fn idle(&self) {}
}
