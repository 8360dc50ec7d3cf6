//! A real Dovecot per test, with its own configuration, users and Maildirs in a temporary
//! directory and IMAP on a free port of 127.0.0.1 (real IDLE, real UIDVALIDITY), and a TCP
//! proxy a test can cut to kill an IMAP connection mid-sync.
//!
//! Dovecot runs as the current user. Dovecot refuses to touch mail as root, and its login
//! process refuses to run as root, so when the tests run as root the mail belongs to `nobody`
//! and logins run as `dovenull` (created by the Debian package; `nobody` otherwise).

mod config;
mod cut_proxy;
mod imap_client;
mod maildir;

pub use cut_proxy::CutProxy;

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{anyhow, bail, Context};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::TcpStream;

use self::config::{free_port, Identity};

const DOVECOT: &str = "/usr/sbin/dovecot";
const DOVEADM: &str = "/usr/bin/doveadm";
const INSTALL_HINT: &str = "apt-get install dovecot-imapd, as .ci/run does";

/// A Dovecot serving IMAP (no TLS, plain LOGIN allowed) on `127.0.0.1:port`. Stopped and its
/// directory removed on drop.
pub struct Dovecot {
    /// The IMAP port on 127.0.0.1.
    pub port: u16,
    dir: PathBuf,
    conf: PathBuf,
    users: Vec<(String, String)>,
    child: tokio::process::Child,
    /// The master's pid, which is also its process group's id (kept: `child.id()` forgets it
    /// once the master is reaped, while its children may live on).
    pid: Option<u32>,
}

impl std::fmt::Debug for Dovecot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dovecot")
            .field("port", &self.port)
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

impl Dovecot {
    /// Starts `/usr/sbin/dovecot -F -c <tmp>/dovecot.conf` with these users (login, password),
    /// each with an empty INBOX, and waits until the port answers `* OK`.
    pub async fn start(users: &[(&str, &str)]) -> anyhow::Result<Dovecot> {
        if !Path::new(DOVECOT).exists() {
            bail!("{DOVECOT} is missing: Dovecot is not installed ({INSTALL_HINT})");
        }
        let dir = config::create_dir()?;
        let who = Identity::current(&dir)?;
        config::write_users(&dir, users, &who)?;

        let conf = dir.join("dovecot.conf");
        let mut last_error = None;
        for _ in 0..3 {
            let port = free_port()?;
            std::fs::write(&conf, config::dovecot_conf(&dir, port, &who))?;
            match Self::launch(&dir, &conf, port).await {
                Ok((child, pid)) => {
                    return Ok(Dovecot {
                        port,
                        pid,
                        dir,
                        conf,
                        users: users
                            .iter()
                            .map(|(u, p)| ((*u).to_owned(), (*p).to_owned()))
                            .collect(),
                        child,
                    })
                }
                // Another process may have taken the port between the probe and the bind.
                Err(e) if format!("{e:#}").contains("Address already in use") => {
                    last_error = Some(e)
                }
                Err(e) => {
                    let _ = std::fs::remove_dir_all(&dir);
                    return Err(e);
                }
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
        Err(last_error.unwrap_or_else(|| anyhow!("dovecot did not start")))
    }

    /// Runs the master process and waits for the IMAP greeting.
    async fn launch(
        dir: &Path,
        conf: &Path,
        port: u16,
    ) -> anyhow::Result<(tokio::process::Child, Option<u32>)> {
        let output = std::fs::File::create(dir.join("dovecot.out"))?;
        let mut child = tokio::process::Command::new(DOVECOT)
            .arg("-F")
            .arg("-c")
            .arg(conf)
            .stdin(std::process::Stdio::null())
            .stdout(output.try_clone()?)
            .stderr(output)
            // Its own process group, so drop can stop every Dovecot process with one signal.
            .process_group(0)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {DOVECOT} ({INSTALL_HINT})"))?;
        let pid = child.id();
        let started = tokio::time::Instant::now();
        loop {
            if let Some(status) = child.try_wait()? {
                kill_group(pid, &mut child);
                bail!(
                    "dovecot exited at start ({status}):\n{}\n{}",
                    read_lossy(&dir.join("dovecot.out")),
                    read_lossy(&dir.join("dovecot.log"))
                );
            }
            if let Ok(Ok(line)) = tokio::time::timeout(Duration::from_secs(2), greeting(port)).await
            {
                if line.starts_with("* OK") {
                    return Ok((child, pid));
                }
            }
            if started.elapsed() > Duration::from_secs(20) {
                kill_group(pid, &mut child);
                bail!(
                    "dovecot did not answer on 127.0.0.1:{port} within 20 s:\n{}",
                    read_lossy(&dir.join("dovecot.log"))
                );
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The user's Maildir (its INBOX): new/ is where an aiosmtpd `-c aiosmtpd.handlers.Mailbox
    /// <maildir>` delivers, and Dovecot serves it to the user at once.
    pub fn maildir(&self, user: &str) -> PathBuf {
        config::maildir(&self.dir, user)
    }

    /// Dovecot's log (errors, logins), for a test's failure message.
    pub fn log(&self) -> String {
        read_lossy(&self.dir.join("dovecot.log"))
    }

    /// Appends a raw message to the user's INBOX over IMAP (APPEND), so IDLE sessions see it
    /// at once.
    pub async fn append(&self, user: &str, raw: &[u8]) -> anyhow::Result<()> {
        self.append_many(user, &[raw.to_vec()]).await
    }

    /// Appends many messages over one connection, in MULTIAPPEND commands with non-synchronising
    /// literals (LITERAL+): 10,000 messages take seconds, not minutes.
    pub async fn append_many(&self, user: &str, raws: &[Vec<u8>]) -> anyhow::Result<()> {
        let password = self
            .users
            .iter()
            .find(|(u, _)| u == user)
            .map(|(_, p)| p.clone())
            .ok_or_else(|| anyhow!("no test user {user:?}"))?;
        tokio::time::timeout(
            Duration::from_secs(300),
            imap_client::append_all(self.port, user, &password, raws),
        )
        .await
        .context("appending timed out")?
        .with_context(|| format!("appending to {user}'s INBOX; dovecot log:\n{}", self.log()))
    }

    /// The raw messages in the user's INBOX, read from the Maildir's new/ and cur/, oldest first
    /// (in UID order where Dovecot has numbered them, then in delivery order).
    pub fn messages(&self, user: &str) -> Vec<Vec<u8>> {
        self.inbox_files(user)
            .into_iter()
            .filter_map(|path| std::fs::read(path).ok())
            .collect()
    }

    /// How many of the user's INBOX messages carry `\Seen` (Maildir: flag `S` after `:2,` in
    /// the file name).
    pub fn seen_count(&self, user: &str) -> usize {
        self.inbox_files(user)
            .iter()
            .filter(|path| {
                let name = path.file_name().unwrap_or_default().to_string_lossy();
                name.rsplit_once(":2,")
                    .is_some_and(|(_, flags)| flags.contains('S'))
            })
            .count()
    }

    /// Changes the INBOX's UIDVALIDITY, as a restored backup or a rebuilt mailbox does
    /// (`doveadm mailbox update --uid-validity`), checks that Dovecot reports the new value
    /// and returns it. Messages keep their flags.
    pub async fn change_uid_validity(&self, user: &str) -> anyhow::Result<u32> {
        let before = self.uid_validity(user).await?;
        let after = match before.wrapping_add(1) {
            0 => 1,
            n => n,
        };
        self.doveadm(&[
            "mailbox",
            "update",
            "-u",
            user,
            "--uid-validity",
            &after.to_string(),
            "INBOX",
        ])
        .await?;
        let now = self.uid_validity(user).await?;
        if now != after {
            bail!("UIDVALIDITY of {user}'s INBOX is {now} after setting {after}");
        }
        Ok(after)
    }

    /// The INBOX's UIDVALIDITY as doveadm reads it.
    async fn uid_validity(&self, user: &str) -> anyhow::Result<u32> {
        let out = self
            .doveadm(&["mailbox", "status", "-u", user, "uidvalidity", "INBOX"])
            .await?;
        out.split_whitespace()
            .find_map(|w| w.strip_prefix("uidvalidity="))
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| anyhow!("no uidvalidity in doveadm's answer {out:?}"))
    }

    async fn doveadm(&self, args: &[&str]) -> anyhow::Result<String> {
        let out = tokio::process::Command::new(DOVEADM)
            .arg("-c")
            .arg(&self.conf)
            .args(args)
            .output()
            .await
            .with_context(|| format!("running {DOVEADM} ({INSTALL_HINT})"))?;
        if !out.status.success() {
            bail!(
                "doveadm {}: {}{}",
                args.join(" "),
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        // The whole process group at once: the master alone takes seconds to stop while IMAP
        // sessions are open (SIGTERM), and its children outlive it when it is killed alone.
        kill_group(self.pid, &mut self.child);
        if std::fs::remove_dir_all(&self.dir).is_err() {
            // A child still writing its last log line: once more.
            std::thread::sleep(Duration::from_millis(100));
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// SIGKILL to the master's process group (it and every process it started), then to the master
/// alone should `kill` be missing.
fn kill_group(pid: Option<u32>, child: &mut tokio::process::Child) {
    if let Some(pid) = pid {
        let _ = std::process::Command::new("kill")
            .args(["-KILL", "--", &format!("-{pid}")])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status();
    }
    let _ = child.start_kill();
}

/// The first line the server sends.
async fn greeting(port: u16) -> anyhow::Result<String> {
    let stream = TcpStream::connect(("127.0.0.1", port)).await?;
    let mut line = String::new();
    BufReader::new(stream).read_line(&mut line).await?;
    Ok(line)
}

fn read_lossy(path: &Path) -> String {
    std::fs::read(path)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}
