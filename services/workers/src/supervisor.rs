//! One lifecycle for every background worker of a node. The [`Supervisor`] starts named
//! workers, keeps a [`HealthBoard`] of them for `/readyz`, restarts a worker whose step failed
//! or panicked after a back-off, and stops them all with a cancellation token rather than
//! `abort()`: a worker works in *steps* (one routing pass, one outbox pass, one deadline sweep,
//! one KPI keep) and is only ever stopped between two, so shutdown never leaves a half-done
//! pass behind (a claimed delivery sent but not marked, say). Modelled on tokio's mini-redis
//! shutdown (a token plus a tracker) and conduwuit's services.

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use baylanys_proto::{WorkerHealth, WorkerState};
use chrono::{DateTime, Utc};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// Why a step failed; only its text is kept (see [`WorkerHealth::last_error`]).
pub type StepError = Box<dyn std::error::Error + Send + Sync>;

/// What a worker wants after a step that succeeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Wait for [`Worker::idle`]: a tick or a wake-up.
    Wait,
    /// Step again at once: the step left work behind (a full batch).
    Again,
}

/// A background worker: a step, and the wait between steps.
pub trait Worker: Send + Sync + 'static {
    /// One unit of work. It runs in a task of its own, so a panic is caught and reported, and
    /// the supervisor never cancels it midway: on shutdown it is awaited to its end.
    fn step(&self) -> impl Future<Output = Result<Next, StepError>> + Send;

    /// Resolves when the next step is due (a tick, a wake-up). Dropped unfinished when the
    /// worker is stopped, so it must be cancel-safe — waiting on a `Notify` or a timer is.
    fn idle(&self) -> impl Future<Output = ()> + Send;
}

/// How failed steps are retried.
#[derive(Debug, Clone, Copy)]
pub struct SupervisorSettings {
    /// The wait after the first failed step; it doubles with each failure in a row.
    pub backoff_base: Duration,
    /// The longest wait between two failed steps.
    pub backoff_max: Duration,
}

impl Default for SupervisorSettings {
    fn default() -> Self {
        SupervisorSettings {
            backoff_base: Duration::from_secs(1),
            backoff_max: Duration::from_secs(30),
        }
    }
}

impl SupervisorSettings {
    /// The wait before a retry after `failures` failed steps in a row (at least one). A worker
    /// that fails waits for this instead of its tick or wake-up, so a database that is down is
    /// not hammered by every kick.
    pub fn backoff(&self, failures: u32) -> Duration {
        let factor = 2u32.saturating_pow(failures.saturating_sub(1).min(16));
        self.backoff_base
            .saturating_mul(factor)
            .min(self.backoff_max)
    }
}

/// A worker of that name is already supervised: names are how health is reported and how one
/// worker is stopped, so they are unique.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a worker named {0} is already supervised")]
pub struct WorkerExists(pub String);

/// Starts, watches and stops the workers of one node. Dropping it cancels them (without
/// waiting); [`Supervisor::shutdown`] cancels and waits.
#[derive(Debug)]
pub struct Supervisor {
    token: CancellationToken,
    tracker: TaskTracker,
    board: HealthBoard,
    settings: SupervisorSettings,
}

impl Default for Supervisor {
    fn default() -> Self {
        Self::new(SupervisorSettings::default())
    }
}

impl Drop for Supervisor {
    fn drop(&mut self) {
        self.token.cancel();
    }
}

impl Supervisor {
    pub fn new(settings: SupervisorSettings) -> Self {
        Self::under(&CancellationToken::new(), settings)
    }

    /// A supervisor whose workers also stop when `parent` is cancelled: the server passes its
    /// shutdown token, so workers finish their steps while HTTP drains, not after.
    pub fn under(parent: &CancellationToken, settings: SupervisorSettings) -> Self {
        Supervisor {
            token: parent.child_token(),
            tracker: TaskTracker::new(),
            board: HealthBoard::default(),
            settings,
        }
    }

    /// The health of the workers, shared: `/readyz` reads it while the supervisor runs them.
    pub fn board(&self) -> HealthBoard {
        self.board.clone()
    }

    /// The workers' health now.
    pub fn health(&self) -> Vec<WorkerHealth> {
        self.board.snapshot()
    }

    /// Starts `worker` under `name`: a step at once, then a step whenever it is due, until the
    /// supervisor (or [`Supervisor::stop`] for this name) says stop. After shutdown a worker is
    /// recorded as stopped and not started.
    pub fn spawn<W: Worker>(
        &self,
        name: impl Into<String>,
        worker: Arc<W>,
    ) -> Result<(), WorkerExists> {
        self.spawner().spawn(name, worker)
    }

    /// A handle that starts and stops workers under this supervisor, for a worker that keeps a
    /// changing set of others (one poller per mailbox). It does not own them: dropping it
    /// stops nothing.
    pub fn spawner(&self) -> Spawner {
        Spawner {
            token: self.token.clone(),
            tracker: self.tracker.clone(),
            board: self.board.clone(),
            settings: self.settings,
        }
    }

    /// Tells one worker to stop after its current step; `false` when no worker has that name.
    /// Its health stays on the board as stopped.
    pub fn stop(&self, name: &str) -> bool {
        self.spawner().stop(name)
    }

    /// Tells every worker to stop and waits, at most `grace`, for each to finish its current
    /// step. `false` when some were still busy when the grace ran out (they are named in the
    /// log); the caller exits regardless.
    pub async fn shutdown(&self, grace: Duration) -> bool {
        self.board.stopping();
        self.token.cancel();
        self.tracker.close();
        if tokio::time::timeout(grace, self.tracker.wait())
            .await
            .is_ok()
        {
            tracing::debug!("workers stopped");
            return true;
        }
        let busy: Vec<String> = self
            .board
            .snapshot()
            .into_iter()
            .filter(|w| w.state != WorkerState::Stopped)
            .map(|w| w.name)
            .collect();
        tracing::warn!(workers = ?busy, "workers still busy when the grace period ran out");
        false
    }
}

/// Starts and stops workers under a [`Supervisor`]; see [`Supervisor::spawner`].
#[derive(Debug, Clone)]
pub struct Spawner {
    token: CancellationToken,
    tracker: TaskTracker,
    board: HealthBoard,
    settings: SupervisorSettings,
}

impl Spawner {
    /// As [`Supervisor::spawn`]; a stopped worker's name may be taken again.
    pub fn spawn<W: Worker>(
        &self,
        name: impl Into<String>,
        worker: Arc<W>,
    ) -> Result<(), WorkerExists> {
        let stop = self.token.child_token();
        let cell = self.board.add(name.into(), stop.clone())?;
        if stop.is_cancelled() {
            cell.update(|r| r.state = WorkerState::Stopped);
            return Ok(());
        }
        self.tracker.spawn(supervise(
            worker,
            cell,
            stop,
            self.tracker.clone(),
            self.settings,
        ));
        Ok(())
    }

    /// As [`Supervisor::stop`].
    pub fn stop(&self, name: &str) -> bool {
        match self.board.cell(name) {
            Some(cell) => {
                cell.stopping();
                true
            }
            None => false,
        }
    }

    /// Whether the supervisor is shutting down.
    pub fn stopping(&self) -> bool {
        self.token.is_cancelled()
    }

    /// Cancelled when the supervisor shuts down: a worker that waits on something outside
    /// (an IMAP IDLE) ends its wait on it, so stopping never waits for a remote server.
    pub fn token(&self) -> CancellationToken {
        self.token.clone()
    }
}

/// What comes between two steps.
enum Pause {
    None,
    Idle,
    Backoff(Duration),
}

/// The life of one worker: step, pause, step… until `stop`. The step is awaited even when
/// `stop` fires meanwhile; only the pause between steps is cut short.
async fn supervise<W: Worker>(
    worker: Arc<W>,
    cell: Arc<Cell>,
    stop: CancellationToken,
    tracker: TaskTracker,
    settings: SupervisorSettings,
) {
    loop {
        cell.update(|r| r.busy_since = Some(Utc::now()));
        let mut step = {
            let worker = worker.clone();
            tracker.spawn(async move { worker.step().await })
        };
        let outcome = tokio::select! {
            r = &mut step => r,
            () = stop.cancelled() => {
                cell.stopping();
                step.await
            }
        };
        let pause = match outcome {
            Ok(Ok(next)) => {
                cell.succeeded();
                match next {
                    Next::Wait => Pause::Idle,
                    Next::Again => Pause::None,
                }
            }
            Ok(Err(e)) => {
                let text = clip(&e.to_string());
                tracing::warn!(worker = %cell.name, error = %text, "worker step failed");
                Pause::Backoff(settings.backoff(cell.failed(text)))
            }
            Err(e) if e.is_panic() => {
                let text = clip(&panic_text(e));
                tracing::error!(worker = %cell.name, error = %text, "worker step panicked");
                Pause::Backoff(settings.backoff(cell.failed(text)))
            }
            // The runtime is shutting down under us.
            Err(_) => break,
        };
        if stop.is_cancelled() {
            break;
        }
        match pause {
            Pause::None => {}
            Pause::Idle => tokio::select! {
                biased;
                () = stop.cancelled() => break,
                () = worker.idle() => {}
            },
            Pause::Backoff(wait) => tokio::select! {
                biased;
                () = stop.cancelled() => break,
                () = tokio::time::sleep(wait) => {}
            },
        }
    }
    cell.update(|r| {
        r.state = WorkerState::Stopped;
        r.busy_since = None;
    });
    tracing::debug!(worker = %cell.name, "worker stopped");
}

fn panic_text(e: tokio::task::JoinError) -> String {
    match e.try_into_panic() {
        Ok(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned());
            match message {
                Some(m) => format!("panicked: {m}"),
                None => "panicked".into(),
            }
        }
        Err(e) => e.to_string(),
    }
}

/// Errors are kept on one line and short: they are shown to people and must not carry a whole
/// payload (the store's errors name the failing statement, not the values bound to it).
const ERROR_CHARS: usize = 300;

fn clip(text: &str) -> String {
    let line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let line = line.trim();
    if line.chars().count() <= ERROR_CHARS {
        return line.to_owned();
    }
    let mut short: String = line.chars().take(ERROR_CHARS - 1).collect();
    short.push('…');
    short
}

/// The health of every worker one supervisor started: a fixed set, one entry per name.
/// Cheap to clone; each clone reads the same entries.
#[derive(Debug, Clone, Default)]
pub struct HealthBoard {
    cells: Arc<Mutex<Vec<Arc<Cell>>>>,
}

impl HealthBoard {
    /// Each worker's health now, in the order they were started.
    pub fn snapshot(&self) -> Vec<WorkerHealth> {
        let now = Utc::now();
        self.cells
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|c| c.health(now))
            .collect()
    }

    fn add(&self, name: String, stop: CancellationToken) -> Result<Arc<Cell>, WorkerExists> {
        let mut cells = self.cells.lock().unwrap_or_else(PoisonError::into_inner);
        // A worker that stopped for good (a mailbox removed) gives its name up to the next.
        cells.retain(|c| c.name != name || c.update(|r| r.state != WorkerState::Stopped));
        if cells.iter().any(|c| c.name == name) {
            return Err(WorkerExists(name));
        }
        let cell = Arc::new(Cell {
            name,
            stop,
            record: Mutex::new(Record::new(Utc::now())),
        });
        cells.push(cell.clone());
        Ok(cell)
    }

    /// Marks every worker that still runs as stopping, before their tokens are cancelled.
    fn stopping(&self) {
        for cell in self
            .cells
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
        {
            cell.stopping();
        }
    }

    fn cell(&self, name: &str) -> Option<Arc<Cell>> {
        self.cells
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .find(|c| c.name == name)
            .cloned()
    }
}

/// One worker's entry: written by its loop, read by `/readyz`. The lock is held for a few
/// field updates only, never across an await.
#[derive(Debug)]
struct Cell {
    name: String,
    /// Stops this worker alone; a child of the supervisor's token.
    stop: CancellationToken,
    record: Mutex<Record>,
}

#[derive(Debug)]
struct Record {
    state: WorkerState,
    started_at: DateTime<Utc>,
    steps: u64,
    last_step_at: Option<DateTime<Utc>>,
    busy_since: Option<DateTime<Utc>>,
    consecutive_failures: u32,
    last_error: Option<String>,
    last_error_at: Option<DateTime<Utc>>,
}

impl Record {
    fn new(now: DateTime<Utc>) -> Self {
        Record {
            state: WorkerState::Starting,
            started_at: now,
            steps: 0,
            last_step_at: None,
            busy_since: None,
            consecutive_failures: 0,
            last_error: None,
            last_error_at: None,
        }
    }
}

impl Cell {
    fn update<R>(&self, f: impl FnOnce(&mut Record) -> R) -> R {
        f(&mut self.record.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// Cancels the worker's token; it shows as stopping (at once, not when its loop notices)
    /// until its step is over.
    fn stopping(&self) {
        self.update(|r| {
            if r.state != WorkerState::Stopped {
                r.state = WorkerState::Stopping;
            }
        });
        self.stop.cancel();
    }

    /// A step that succeeded: the worker runs, unless it was told to stop meanwhile.
    fn succeeded(&self) {
        self.update(|r| {
            let now = Utc::now();
            r.steps += 1;
            r.last_step_at = Some(now);
            r.busy_since = None;
            r.consecutive_failures = 0;
            if r.state != WorkerState::Stopping {
                r.state = WorkerState::Running;
            }
        });
    }

    /// A failed step; returns the failures in a row, for the back-off.
    fn failed(&self, error: String) -> u32 {
        self.update(|r| {
            r.busy_since = None;
            r.consecutive_failures = r.consecutive_failures.saturating_add(1);
            r.last_error = Some(error);
            r.last_error_at = Some(Utc::now());
            if r.state != WorkerState::Stopping {
                r.state = WorkerState::Failed;
            }
            r.consecutive_failures
        })
    }

    fn health(&self, now: DateTime<Utc>) -> WorkerHealth {
        self.update(|r| {
            let since = r.last_step_at.unwrap_or(r.started_at);
            WorkerHealth {
                name: self.name.clone(),
                state: r.state,
                started_at: r.started_at,
                steps: r.steps,
                last_step_at: r.last_step_at,
                busy_since: r.busy_since,
                lag_ms: u64::try_from((now - since).num_milliseconds()).unwrap_or(0),
                consecutive_failures: r.consecutive_failures,
                last_error_at: r.last_error_at,
                last_error: r.last_error.clone(),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};

    fn quick() -> SupervisorSettings {
        SupervisorSettings {
            backoff_base: Duration::from_millis(10),
            backoff_max: Duration::from_millis(40),
        }
    }

    async fn until(what: &str, mut ok: impl FnMut() -> bool) {
        for _ in 0..400 {
            if ok() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("timed out waiting for {what}");
    }

    fn state(sup: &Supervisor, name: &str) -> Option<WorkerState> {
        sup.health()
            .into_iter()
            .find(|w| w.name == name)
            .map(|w| w.state)
    }

    /// The first two steps fail, the third panics, the fourth waits for `release`; from the
    /// fourth on they fail while `failing` is set.
    #[derive(Default)]
    struct Flaky {
        failing: AtomicBool,
        steps: AtomicU32,
        release: tokio::sync::Notify,
    }

    impl Worker for Flaky {
        async fn step(&self) -> Result<Next, StepError> {
            let n = self.steps.fetch_add(1, Ordering::SeqCst);
            if n == 2 {
                panic!("step three always panics");
            }
            if n == 3 {
                self.release.notified().await;
            }
            if self.failing.load(Ordering::SeqCst) {
                return Err("the store is closed".into());
            }
            Ok(Next::Wait)
        }

        async fn idle(&self) {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    #[test]
    fn backoff_doubles_up_to_the_limit() {
        let s = SupervisorSettings::default();
        assert_eq!(s.backoff(1), Duration::from_secs(1));
        assert_eq!(s.backoff(2), Duration::from_secs(2));
        assert_eq!(s.backoff(4), Duration::from_secs(8));
        assert_eq!(s.backoff(6), Duration::from_secs(30));
        assert_eq!(s.backoff(u32::MAX), Duration::from_secs(30));
    }

    #[test]
    fn errors_are_clipped_to_one_short_line() {
        assert_eq!(clip("  pool\ntimed out \r"), "pool timed out");
        let long = "é".repeat(1000);
        let short = clip(&long);
        assert_eq!(short.chars().count(), ERROR_CHARS);
        assert!(short.ends_with('…'));
    }

    #[tokio::test]
    async fn failures_and_panics_are_reported_and_retried() {
        let sup = Supervisor::new(quick());
        let flaky = Arc::new(Flaky::default());
        flaky.failing.store(true, Ordering::SeqCst);
        assert_eq!(sup.spawn("flaky", flaky.clone()), Ok(()));
        assert_eq!(
            sup.spawn("flaky", flaky.clone()),
            Err(WorkerExists("flaky".into()))
        );
        // Restarted after the panic: the fourth step waits for the release.
        until("a step after the panic", || {
            flaky.steps.load(Ordering::SeqCst) == 4
        })
        .await;
        let h = &sup.health()[0];
        assert_eq!(h.state, WorkerState::Failed);
        assert_eq!(
            h.last_error.as_deref(),
            Some("panicked: step three always panics")
        );
        assert_eq!(h.consecutive_failures, 3, "{h:?}");
        assert_eq!(h.steps, 0);
        assert!(h.busy_since.is_some() && h.last_error_at.is_some());
        // Recovers once steps succeed.
        flaky.failing.store(false, Ordering::SeqCst);
        flaky.release.notify_one();
        until("running again", || {
            state(&sup, "flaky") == Some(WorkerState::Running)
        })
        .await;
        let h = &sup.health()[0];
        assert_eq!(h.consecutive_failures, 0);
        assert!(h.steps >= 1 && h.last_step_at.is_some(), "{h:?}");
        assert!(sup.shutdown(Duration::from_secs(5)).await);
        assert_eq!(state(&sup, "flaky"), Some(WorkerState::Stopped));
    }

    /// A step that takes a while and records its start and end; then again at once, or (not
    /// `again`) never again.
    #[derive(Default)]
    struct Slow {
        again: bool,
        started: AtomicU32,
        ended: AtomicU32,
    }

    impl Worker for Slow {
        async fn step(&self) -> Result<Next, StepError> {
            self.started.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(300)).await;
            self.ended.fetch_add(1, Ordering::SeqCst);
            Ok(if self.again { Next::Again } else { Next::Wait })
        }

        async fn idle(&self) {
            std::future::pending::<()>().await;
        }
    }

    #[tokio::test]
    async fn stopping_one_worker_lets_its_step_end() {
        let sup = Supervisor::new(quick());
        let slow = Arc::new(Slow::default());
        let other = Arc::new(Slow {
            again: true,
            ..Slow::default()
        });
        assert_eq!(sup.spawn("slow", slow.clone()), Ok(()));
        assert_eq!(sup.spawn("other", other.clone()), Ok(()));
        until("a step under way", || {
            slow.started.load(Ordering::SeqCst) == 1
        })
        .await;
        assert!(sup.stop("slow"));
        assert!(!sup.stop("nobody"));
        assert_eq!(state(&sup, "slow"), Some(WorkerState::Stopping));
        until("stopped", || {
            state(&sup, "slow") == Some(WorkerState::Stopped)
        })
        .await;
        assert_eq!(slow.started.load(Ordering::SeqCst), 1);
        assert_eq!(slow.ended.load(Ordering::SeqCst), 1);
        // The other one goes on.
        until("the other steps on", || {
            other.ended.load(Ordering::SeqCst) >= 2
        })
        .await;
        assert_eq!(state(&sup, "other"), Some(WorkerState::Running));
        assert!(sup.shutdown(Duration::from_secs(5)).await);
        assert_eq!(
            other.started.load(Ordering::SeqCst),
            other.ended.load(Ordering::SeqCst)
        );
        // Spawned after shutdown: recorded, never run.
        let late = Arc::new(Slow::default());
        assert_eq!(sup.spawn("late", late.clone()), Ok(()));
        assert_eq!(state(&sup, "late"), Some(WorkerState::Stopped));
        assert_eq!(late.started.load(Ordering::SeqCst), 0);
    }
}
