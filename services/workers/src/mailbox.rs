//! A mailbox's poller (R5.3): reads new mail by IMAP and hands each to the centre, one node at a
//! time (it runs under the mailbox's lease, see [`crate::Leased`]).
//!
//! The order of things is what makes it safe (DESIGN principles 1 and 2):
//! 1. each mail is committed — appeal, message, files, the citizen's receipt — by the centre;
//! 2. then the batch is marked `\Seen` on the server;
//! 3. then the mailbox's position `(UIDVALIDITY, last UID)` moves past it.
//!
//! A crash or a cut connection anywhere in between re-reads at most the mails after the
//! position, and those are recognised by their `Message-ID`: nothing is imported twice,
//! nothing skipped. When the server's UIDVALIDITY changes (a rebuilt or restored mailbox), the
//! old UIDs mean nothing: the poller reads the folder's unseen mails again, and again the
//! `Message-ID`s keep what was imported from coming in twice.
//!
//! Between batches the poller waits in IMAP IDLE (new mail wakes it at once), or polls where
//! the server has no IDLE. A mailbox that fails — a wrong password, a server that is down — is
//! recorded on the mailbox and retried with a growing pause; it never fails the worker, so one
//! broken mailbox neither stops the others nor takes the node out of the load balancer. Only
//! the database failing fails a step.

use std::sync::Arc;
use std::time::Duration;

use baylanys_centre::{Centre, CentreError, MailIn, MailLimits};
use baylanys_channels::mail::imap::{Fetched, Folder, Imap, ImapConfig, Security};
use baylanys_channels::ChannelError;
use baylanys_store::{Files, Mailbox, Store};
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use tokio::sync::Mutex;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::supervisor::{Next, StepError, Worker};

/// How a poller reads its mailbox.
#[derive(Debug, Clone)]
pub struct MailSettings {
    /// Mails fetched and committed per batch.
    pub batch: usize,
    /// Groups of unrelated mails of a batch taken side by side (see `groups`).
    pub parallel: usize,
    /// The longest IDLE before the poller looks again (and renews its lease). Well under the
    /// lease and under the 29 minutes RFC 2177 allows.
    pub idle: Duration,
    /// How often a server without IDLE is polled.
    pub poll: Duration,
    /// Connecting and each IMAP command.
    pub timeout: Duration,
    /// The longest pause after failures in a row (it doubles from a second).
    pub max_backoff: Duration,
    /// How long a node that stopped renewing keeps a mailbox from the others: the longest a
    /// mailbox waits when the node reading it dies.
    pub lease: Duration,
    pub limits: MailLimits,
}

impl Default for MailSettings {
    fn default() -> Self {
        MailSettings {
            batch: 100,
            parallel: 8,
            idle: Duration::from_secs(20),
            poll: Duration::from_secs(30),
            timeout: Duration::from_secs(30),
            max_backoff: Duration::from_secs(300),
            lease: Duration::from_secs(90),
            limits: MailLimits::default(),
        }
    }
}

/// The open IMAP session and the configuration it was opened with.
struct Session {
    imap: Imap,
    folder: Folder,
    opened_for: DateTime<Utc>,
}

/// One mailbox's poller; see the module documentation.
pub struct MailboxPoller {
    centre: Centre,
    files: Files,
    mailbox_id: Uuid,
    settings: MailSettings,
    /// Ends an IDLE at once on shutdown, so stopping never waits for the mail server.
    stop: CancellationToken,
    session: Mutex<Option<Session>>,
    /// Failures of the mailbox in a row, for the pause before the next try.
    failures: std::sync::atomic::AtomicU32,
}

impl std::fmt::Debug for MailboxPoller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MailboxPoller")
            .field("mailbox_id", &self.mailbox_id)
            .finish_non_exhaustive()
    }
}

impl MailboxPoller {
    pub fn new(
        centre: Centre,
        files: Files,
        mailbox_id: Uuid,
        settings: MailSettings,
        stop: CancellationToken,
    ) -> Self {
        MailboxPoller {
            centre,
            files,
            mailbox_id,
            settings,
            stop,
            session: Mutex::new(None),
            failures: std::sync::atomic::AtomicU32::new(0),
        }
    }

    fn store(&self) -> &Arc<dyn Store> {
        self.centre.store()
    }

    fn config(&self, m: &Mailbox) -> ImapConfig {
        ImapConfig {
            host: m.host.clone(),
            port: m.port,
            security: Security::parse(&m.security).unwrap_or(Security::Tls),
            login: m.login.clone(),
            password: m.password.clone(),
            folder: m.folder.clone(),
            timeout: self.settings.timeout,
        }
    }

    /// One pass: connect if needed, import what is new, then wait for more in IDLE.
    async fn pass(&self, mailbox: &Mailbox) -> Result<Next, Failure> {
        let mut guard = self.session.lock().await;
        if guard
            .as_ref()
            .is_some_and(|s| s.opened_for != mailbox.updated_at)
        {
            // The admin changed the mailbox: log in again with what it says now.
            if let Some(old) = guard.take() {
                old.imap.logout().await;
            }
        }
        let session = match guard.as_mut() {
            Some(s) => s,
            None => {
                let (imap, folder) = Imap::connect(&self.config(mailbox))
                    .await
                    .map_err(Failure::Mail)?;
                guard.insert(Session {
                    imap,
                    folder,
                    opened_for: mailbox.updated_at,
                })
            }
        };
        let full = self.import(mailbox, session).await?;
        if full {
            return Ok(Next::Again);
        }
        // Nothing left: wait for the server to say there is more, or look again later.
        let wait = if session.imap.can_idle() {
            self.settings.idle
        } else {
            self.settings.poll
        };
        let stop = self.stop.clone();
        session
            .imap
            .idle(wait, async move { stop.cancelled().await })
            .await
            .map_err(Failure::Mail)?;
        Ok(Next::Again)
    }

    /// Imports one batch; `true` when the batch was full (more may wait).
    async fn import(&self, mailbox: &Mailbox, s: &mut Session) -> Result<bool, Failure> {
        let uid_validity = s.folder.uid_validity;
        let max = self.settings.limits.max_mail;
        let known = mailbox.state.uid_validity;
        let fetched: Vec<Fetched> = if known.is_some_and(|v| v != uid_validity) {
            // A rebuilt mailbox: its UIDs are new, so every unseen mail is read again; the
            // ones imported before are recognised by their Message-ID.
            tracing::warn!(mailbox = %mailbox.name, "UIDVALIDITY changed; reading unseen mail again");
            let unseen = s.imap.unseen().await.map_err(Failure::Mail)?;
            let first: Vec<u32> = unseen.into_iter().take(self.settings.batch).collect();
            s.imap
                .fetch_uids(&first, max)
                .await
                .map_err(Failure::Mail)?
        } else {
            let after = if known.is_some() {
                mailbox.state.last_uid
            } else {
                0
            };
            s.imap
                .fetch_after(after, self.settings.batch, max)
                .await
                .map_err(Failure::Mail)?
        };
        let full = fetched.len() >= self.settings.batch;
        let mut uids: Vec<u32> = fetched.iter().map(|f| f.uid).collect();
        uids.sort_unstable();
        // Mails that share nothing — sender, thread — are taken side by side; a group's mails
        // one after another in UID order, so a reply in the same batch finds the appeal its
        // original opened, and one sender's flood is counted mail by mail.
        let results: Vec<(Vec<u32>, Option<CentreError>)> =
            futures_util::stream::iter(groups(fetched))
                .map(|group| self.take_group(mailbox, uid_validity, group))
                .buffer_unordered(self.settings.parallel.max(1))
                .collect()
                .await;
        let mut done: Vec<u32> = Vec::with_capacity(uids.len());
        let mut failed = None;
        for (taken, error) in results {
            done.extend(taken);
            if error.is_some() && failed.is_none() {
                failed = error;
            }
        }
        done.sort_unstable();
        // The position moves past the mails taken without a gap: one the database refused is
        // read again on the next pass, with every mail after it (those are recognised).
        let contiguous = uids
            .iter()
            .take_while(|u| done.binary_search(u).is_ok())
            .last()
            .copied();
        if !done.is_empty() {
            s.imap.mark_seen(&done).await.map_err(Failure::Mail)?;
        }
        if let Some(last) = contiguous {
            // After a UIDVALIDITY change the position restarts from the unseen mails' UIDs.
            let position = if known == Some(uid_validity) {
                last.max(mailbox.state.last_uid)
            } else {
                last
            };
            self.store()
                .mailbox_synced(mailbox.id, uid_validity, position)
                .await
                .map_err(|e| Failure::Store(e.into()))?;
        } else if known != Some(uid_validity) && failed.is_none() && done.is_empty() {
            // Nothing new in a folder seen for the first time (or rebuilt): remember it.
            let position = if known.is_none() {
                0
            } else {
                s.folder.uid_next.unwrap_or(1).saturating_sub(1)
            };
            self.store()
                .mailbox_synced(mailbox.id, uid_validity, position)
                .await
                .map_err(|e| Failure::Store(e.into()))?;
        } else if failed.is_none() {
            self.store()
                .mailbox_health(mailbox.id, true, None)
                .await
                .map_err(|e| Failure::Store(e.into()))?;
        }
        match failed {
            Some(e) => Err(Failure::Store(e)),
            None => Ok(full),
        }
    }

    /// Takes one group's mails in order; stops at the first the database refuses. Returns the
    /// UIDs taken and that error.
    async fn take_group(
        &self,
        mailbox: &Mailbox,
        uid_validity: u32,
        group: Vec<Fetched>,
    ) -> (Vec<u32>, Option<CentreError>) {
        let mut taken = Vec::with_capacity(group.len());
        for f in group {
            let uid = f.uid;
            let m = MailIn {
                uid_validity,
                uid,
                size: f.size,
                raw: f.raw,
                header: f.header,
            };
            match self
                .centre
                .receive_mail(mailbox, &self.files, &self.settings.limits, m)
                .await
            {
                Ok(_) => taken.push(uid),
                Err(e) => return (taken, Some(e)),
            }
        }
        (taken, None)
    }

    /// The pause after `n` failures of the mailbox in a row.
    fn backoff(&self, n: u32) -> Duration {
        let secs = 1u64 << n.saturating_sub(1).min(12);
        Duration::from_secs(secs).min(self.settings.max_backoff)
    }
}

/// Why a pass stopped.
enum Failure {
    /// The mail server: recorded on the mailbox, retried after a pause.
    Mail(ChannelError),
    /// The database: the step fails (the supervisor backs off and reports it).
    Store(CentreError),
}

impl Worker for MailboxPoller {
    async fn step(&self) -> Result<Next, StepError> {
        let mailbox = match self.store().get_mailbox(self.mailbox_id).await {
            Ok(m) => m,
            Err(baylanys_store::StoreError::NotFound(_)) => {
                self.close().await;
                return Ok(Next::Wait);
            }
            Err(e) => return Err(e.into()),
        };
        if !mailbox.enabled {
            self.close().await;
            return Ok(Next::Wait);
        }
        match self.pass(&mailbox).await {
            Ok(next) => {
                self.failures.store(0, std::sync::atomic::Ordering::Relaxed);
                Ok(next)
            }
            Err(Failure::Store(e)) => Err(e.into()),
            Err(Failure::Mail(e)) => {
                // The session is of no more use; the next pass connects afresh.
                *self.session.lock().await = None;
                let n = self
                    .failures
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
                    .saturating_add(1);
                tracing::warn!(mailbox = %mailbox.name, error = %e, failures = n, "mailbox failed");
                let kind = match &e {
                    ChannelError::Rejected(_) => "login_refused",
                    ChannelError::Config(_)
                    | ChannelError::Address(_)
                    | ChannelError::Blocked(_) => "configuration",
                    ChannelError::Transport(_) | ChannelError::RetryAfter(_) => "unreachable",
                };
                self.store()
                    .mailbox_health(mailbox.id, false, Some((kind, &e.to_string())))
                    .await?;
                Ok(Next::Wait)
            }
        }
    }

    /// After a failure, the growing pause; otherwise (a disabled mailbox) a short look again.
    async fn idle(&self) {
        let n = self.failures.load(std::sync::atomic::Ordering::Relaxed);
        let wait = if n == 0 {
            Duration::from_secs(5)
        } else {
            self.backoff(n)
        };
        tokio::time::sleep(wait).await;
    }
}

impl MailboxPoller {
    /// Logs out, if a session is open.
    pub async fn close(&self) {
        if let Some(s) = self.session.lock().await.take() {
            s.imap.logout().await;
        }
    }
}

/// Splits a batch into groups that must be taken in order: mails that share a sender or a
/// thread (one names the other's `Message-ID`, or both answer the same mail) fall in one
/// group, kept in UID order; groups come in the order of their first mail. Only the headers are
/// read for this. A mail whose headers cannot be read is a group of its own.
fn groups(fetched: Vec<Fetched>) -> Vec<Vec<Fetched>> {
    let n = fetched.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut owner: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (i, f) in fetched.iter().enumerate() {
        let Ok(head) = baylanys_channels::mail::parse::parse(&f.header) else {
            continue;
        };
        let keys = head
            .from
            .iter()
            .map(|a| format!("from:{}", a.email))
            .chain(head.message_id.iter().map(|id| format!("id:{id}")))
            .chain(head.answered_ids().into_iter().map(|id| format!("id:{id}")));
        for key in keys {
            match owner.get(&key) {
                Some(&j) => {
                    let (a, b) = (root(&mut parent, i), root(&mut parent, j));
                    if a != b {
                        // The earlier mail's group absorbs the later one.
                        let (keep, join) = if a < b { (a, b) } else { (b, a) };
                        parent[join] = keep;
                    }
                }
                None => {
                    owner.insert(key, i);
                }
            }
        }
    }
    let mut out: Vec<Vec<Fetched>> = Vec::new();
    let mut slot: std::collections::HashMap<usize, usize> = std::collections::HashMap::new();
    for (i, f) in fetched.into_iter().enumerate() {
        let r = root(&mut parent, i);
        let at = *slot.entry(r).or_insert_with(|| {
            out.push(Vec::new());
            out.len() - 1
        });
        out[at].push(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fetched(uid: u32, from: &str, id: &str, answers: Option<&str>) -> Fetched {
        let reply = answers
            .map(|a| format!("In-Reply-To: {a}\r\n"))
            .unwrap_or_default();
        let header = format!("From: {from}\r\nMessage-ID: {id}\r\nSubject: x\r\n{reply}\r\n");
        Fetched {
            uid,
            size: header.len() as u32,
            raw: Some(header.clone().into_bytes()),
            header: header.into_bytes(),
        }
    }

    #[test]
    fn a_sender_and_a_thread_stay_in_order_and_strangers_go_side_by_side() {
        let batch = vec![
            fetched(1, "a@x.kz", "<1@x.kz>", None),
            fetched(2, "b@x.kz", "<2@x.kz>", None),
            fetched(3, "a@x.kz", "<3@x.kz>", None),
            // c answers b's mail: b's group.
            fetched(4, "c@x.kz", "<4@x.kz>", Some("<2@x.kz>")),
            fetched(5, "d@x.kz", "<5@x.kz>", None),
            // Answers a's first mail and shares a sender with d: joins both groups into one.
            fetched(6, "d@x.kz", "<6@x.kz>", Some("<1@x.kz>")),
        ];
        let got: Vec<Vec<u32>> = groups(batch)
            .into_iter()
            .map(|g| g.iter().map(|f| f.uid).collect())
            .collect();
        assert_eq!(got, vec![vec![1, 3, 5, 6], vec![2, 4]]);
    }
}
