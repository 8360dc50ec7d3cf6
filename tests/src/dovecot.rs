//! A real Dovecot per test, with its own configuration, users and Maildirs in a temporary
//! directory and IMAP on a free port of 127.0.0.1 (real IDLE, real UIDVALIDITY), and a TCP
//! proxy a test can cut to kill an IMAP connection mid-sync.
//!
//! Dovecot runs as the current user. Dovecot refuses to touch mail as root, and its login
//! process refuses to run as root, so when the tests run as root the mail belongs to `nobody`
//! and logins run as `dovenull` (created by the Debian package; `nobody` otherwise).

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, bail, Context};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

const DOVECOT: &str = "/usr/sbin/dovecot";
const DOVEADM: &str = "/usr/bin/doveadm";
const INSTALL_HINT: &str = "apt-get install dovecot-imapd, as .ci/run does";

/// APPENDs are sent in commands of at most this many messages (MULTIAPPEND)…
const APPEND_BATCH: usize = 500;
/// …and at most this many bytes.
const APPEND_BATCH_BYTES: usize = 8 << 20;

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

/// Who the Dovecot processes run as.
struct Identity {
    /// The user and group of Dovecot's own processes (the current ones).
    internal_user: String,
    internal_group: String,
    /// The user of the (untrusted) login processes: never root.
    login_user: String,
    /// The owner of the mail: never root.
    mail_uid: u32,
    mail_gid: u32,
}

impl Identity {
    /// Reads the current user from a directory this process just created.
    fn current(probe: &Path) -> anyhow::Result<Identity> {
        let meta = std::fs::metadata(probe)?;
        let internal_user = id(&["-un"])?;
        let internal_group = id(&["-gn"])?;
        if meta.uid() != 0 {
            return Ok(Identity {
                login_user: internal_user.clone(),
                internal_user,
                internal_group,
                mail_uid: meta.uid(),
                mail_gid: meta.gid(),
            });
        }
        let mail_uid = id(&["-u", "nobody"])?.parse()?;
        let mail_gid = id(&["-g", "nobody"])?.parse()?;
        let login_user = if id(&["-u", "dovenull"]).is_ok() {
            "dovenull".to_owned()
        } else {
            "nobody".to_owned()
        };
        Ok(Identity {
            internal_user,
            internal_group,
            login_user,
            mail_uid,
            mail_gid,
        })
    }
}

/// `id <args>`: the user database as the system sees it (NSS included).
fn id(args: &[&str]) -> anyhow::Result<String> {
    let out = std::process::Command::new("id")
        .args(args)
        .output()
        .context("running id")?;
    if !out.status.success() {
        bail!(
            "id {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8(out.stdout)?.trim().to_owned())
}

/// A port free right now on 127.0.0.1.
fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

impl Dovecot {
    /// Starts `/usr/sbin/dovecot -F -c <tmp>/dovecot.conf` with these users (login, password),
    /// each with an empty INBOX, and waits until the port answers `* OK`.
    pub async fn start(users: &[(&str, &str)]) -> anyhow::Result<Dovecot> {
        if !Path::new(DOVECOT).exists() {
            bail!("{DOVECOT} is missing: Dovecot is not installed ({INSTALL_HINT})");
        }
        // Short: Dovecot's unix sockets live below it, and their paths must stay under 108 bytes.
        let name = uuid::Uuid::new_v4().simple().to_string();
        let dir = std::env::temp_dir().join(format!("bl-dc-{}", &name[..12]));
        for sub in ["run", "state", "mail"] {
            std::fs::create_dir_all(dir.join(sub))
                .with_context(|| format!("creating {}", dir.display()))?;
        }
        let who = Identity::current(&dir)?;

        let mut passwd = String::new();
        for (user, password) in users {
            let bad = |s: &str| s.is_empty() || s.contains([':', '\n', '\r', '/']);
            if bad(user) || password.contains([':', '\n', '\r']) {
                bail!("test user {user:?}: no ':', '/' or line breaks in users and passwords");
            }
            // Empty uid/gid/home: the global mail_uid/mail_gid apply.
            passwd.push_str(&format!("{user}:{{PLAIN}}{password}::::::\n"));
            let maildir = dir.join("mail").join(user).join("Maildir");
            for sub in ["new", "cur", "tmp"] {
                std::fs::create_dir_all(maildir.join(sub))?;
            }
            // Owned by the mail user, so Dovecot can write its index and rename files that
            // another process (aiosmtpd, as root) dropped into new/.
            for path in [
                dir.join("mail").join(user),
                maildir.clone(),
                maildir.join("new"),
                maildir.join("cur"),
                maildir.join("tmp"),
            ] {
                std::os::unix::fs::chown(&path, Some(who.mail_uid), Some(who.mail_gid))
                    .with_context(|| format!("chown {}", path.display()))?;
            }
        }
        std::fs::write(dir.join("passwd"), passwd)?;

        let conf = dir.join("dovecot.conf");
        let mut last_error = None;
        for _ in 0..3 {
            let port = free_port()?;
            std::fs::write(&conf, config(&dir, port, &who))?;
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
        self.dir.join("mail").join(user).join("Maildir")
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
        tokio::time::timeout(Duration::from_secs(300), async {
            let mut imap = RawImap::login(self.port, user, &password).await?;
            let mut batch: Vec<&[u8]> = Vec::new();
            let mut bytes = 0;
            for raw in raws {
                if !batch.is_empty()
                    && (batch.len() >= APPEND_BATCH || bytes + raw.len() > APPEND_BATCH_BYTES)
                {
                    imap.append(&batch).await?;
                    batch.clear();
                    bytes = 0;
                }
                bytes += raw.len();
                batch.push(raw);
            }
            if !batch.is_empty() {
                imap.append(&batch).await?;
            }
            imap.logout().await;
            anyhow::Ok(())
        })
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

    /// The INBOX's message files: by UID where dovecot-uidlist numbers them, then the rest by
    /// the delivery time in their names.
    fn inbox_files(&self, user: &str) -> Vec<PathBuf> {
        let maildir = self.maildir(user);
        let uids = uidlist(&maildir.join("dovecot-uidlist"));
        let mut files: Vec<((u8, u64, u64), String, PathBuf)> = Vec::new();
        for sub in ["new", "cur"] {
            for entry in std::fs::read_dir(maildir.join(sub))
                .into_iter()
                .flatten()
                .flatten()
            {
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.starts_with('.') {
                    continue;
                }
                let base = name.split(':').next().unwrap_or(&name).to_owned();
                let key = match uids.get(&base) {
                    Some(uid) => (0, u64::from(*uid), 0),
                    None => {
                        let (secs, micros) = delivery_time(&base);
                        (1, secs, micros)
                    }
                };
                files.push((key, name, entry.path()));
            }
        }
        files.sort();
        files.into_iter().map(|(_, _, path)| path).collect()
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

/// The configuration: everything below `dir`, IMAP only, no TLS, plain LOGIN allowed.
fn config(dir: &Path, port: u16, who: &Identity) -> String {
    let d = dir.display();
    format!(
        r#"# Written by baylanys-tests for one test; see tests/src/dovecot.rs.
protocols = imap
listen = 127.0.0.1
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
ssl = no
# Dovecot 2.3's name (2.4 calls it auth_allow_cleartext).
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_internal_user = {iu}
default_internal_group = {ig}
default_login_user = {lu}
mail_uid = {mu}
mail_gid = {mg}
first_valid_uid = {mu}
last_valid_uid = {mu}
first_valid_gid = {mg}
last_valid_gid = {mg}
mail_location = maildir:{d}/mail/%u/Maildir
# A test's mail is thrown away: no fsync, and no limit on the connections a test opens.
mail_fsync = never
mail_max_userip_connections = 1000
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/passwd
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {d}/passwd
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
# No chroot anywhere, so it also runs as an ordinary user.
service anvil {{
  chroot =
}}
service ipc {{
  chroot =
}}
service old-stats {{
  chroot =
}}
"#,
        iu = who.internal_user,
        ig = who.internal_group,
        lu = who.login_user,
        mu = who.mail_uid,
        mg = who.mail_gid,
    )
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

/// dovecot-uidlist: `<uid> [<extension fields>] :<base file name>` per line after the header.
fn uidlist(path: &Path) -> std::collections::HashMap<String, u32> {
    let text = read_lossy(path);
    text.lines()
        .skip(1)
        .filter_map(|line| {
            let (head, name) = line.split_once(" :")?;
            let uid = head.split_whitespace().next()?.parse().ok()?;
            Some((name.to_owned(), uid))
        })
        .collect()
}

/// `<secs>.M<micros>P…` (Dovecot, Python's mailbox module): when the file was delivered.
fn delivery_time(base: &str) -> (u64, u64) {
    let (secs, rest) = base.split_once('.').unwrap_or((base, ""));
    let micros = rest
        .strip_prefix('M')
        .map(|r| {
            r.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
        })
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    (secs.parse().unwrap_or(u64::MAX), micros)
}

/// Just enough IMAP to log in and APPEND.
struct RawImap {
    reader: BufReader<tokio::net::tcp::OwnedReadHalf>,
    writer: tokio::net::tcp::OwnedWriteHalf,
    tag: u32,
}

impl RawImap {
    async fn login(port: u16, user: &str, password: &str) -> anyhow::Result<RawImap> {
        let stream = TcpStream::connect(("127.0.0.1", port)).await?;
        let (read, writer) = stream.into_split();
        let mut imap = RawImap {
            reader: BufReader::new(read),
            writer,
            tag: 0,
        };
        let mut greeting = String::new();
        imap.reader.read_line(&mut greeting).await?;
        if !greeting.starts_with("* OK") {
            bail!("greeting {greeting:?}");
        }
        let command = format!("LOGIN {} {}", quoted(user), quoted(password));
        imap.command(command.as_bytes()).await?;
        Ok(imap)
    }

    /// One APPEND of all these messages to INBOX.
    async fn append(&mut self, raws: &[&[u8]]) -> anyhow::Result<()> {
        let mut command = b"APPEND INBOX".to_vec();
        for raw in raws {
            command.extend_from_slice(format!(" {{{}+}}\r\n", raw.len()).as_bytes());
            command.extend_from_slice(raw);
        }
        self.command(&command).await
    }

    /// Sends a tagged command and reads up to its tagged reply, which must be OK.
    async fn command(&mut self, command: &[u8]) -> anyhow::Result<()> {
        self.tag += 1;
        let tag = format!("t{}", self.tag);
        let mut line = Vec::with_capacity(command.len() + 16);
        line.extend_from_slice(tag.as_bytes());
        line.push(b' ');
        line.extend_from_slice(command);
        line.extend_from_slice(b"\r\n");
        self.writer.write_all(&line).await?;
        let done = format!("{tag} ");
        loop {
            let mut reply = String::new();
            if self.reader.read_line(&mut reply).await? == 0 {
                bail!("connection closed");
            }
            if let Some(status) = reply.strip_prefix(&done) {
                if status.starts_with("OK") {
                    return Ok(());
                }
                bail!("{}", reply.trim_end());
            }
        }
    }

    async fn logout(mut self) {
        let _ = self.command(b"LOGOUT").await;
    }
}

/// An IMAP quoted string.
fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// A TCP proxy in front of a server that a test can cut: every open connection is dropped at
/// once (and new ones accepted again), to test a poller whose IMAP connection dies mid-sync.
#[derive(Debug)]
pub struct CutProxy {
    /// The proxy's port on 127.0.0.1.
    pub port: u16,
    /// Bumped by [`CutProxy::cut`]; every connection ends when it changes (or is dropped).
    cuts: Arc<tokio::sync::watch::Sender<u64>>,
    accepted: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl CutProxy {
    /// Listens on a free port of 127.0.0.1 and forwards each connection to
    /// `127.0.0.1:target_port`.
    pub async fn start(target_port: u16) -> anyhow::Result<CutProxy> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let cuts = Arc::new(tokio::sync::watch::channel(0u64).0);
        let accepted = Arc::new(AtomicUsize::new(0));
        let task = tokio::spawn({
            let cuts = Arc::downgrade(&cuts);
            let accepted = accepted.clone();
            async move {
                while let Ok((mut client, _)) = listener.accept().await {
                    let Some(cuts) = cuts.upgrade() else { return };
                    accepted.fetch_add(1, Ordering::SeqCst);
                    // Subscribed now, so only a later cut ends this connection.
                    let mut cut = cuts.subscribe();
                    drop(cuts);
                    tokio::spawn(async move {
                        let Ok(mut server) = TcpStream::connect(("127.0.0.1", target_port)).await
                        else {
                            return;
                        };
                        tokio::select! {
                            _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                            _ = cut.changed() => {}
                        }
                        // Both sockets close here.
                    });
                }
            }
        });
        Ok(CutProxy {
            port,
            cuts,
            accepted,
            task,
        })
    }

    /// Drops every live connection now; new ones are accepted again.
    pub fn cut(&self) {
        self.cuts.send_modify(|n| *n += 1);
    }

    /// How many connections were accepted in all.
    pub fn connections(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}

impl Drop for CutProxy {
    fn drop(&mut self) {
        self.cut();
        self.task.abort();
    }
}
