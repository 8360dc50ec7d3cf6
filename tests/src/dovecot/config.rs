//! Everything Dovecot reads, below one temporary directory: the directory itself, the users
//! (passwd file and Maildirs, owned by the mail user), the identities the processes run as and
//! `dovecot.conf`.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

/// A new directory for one Dovecot, with `run/`, `state/` and `mail/` below it.
pub(super) fn create_dir() -> anyhow::Result<PathBuf> {
    // Short: Dovecot's unix sockets live below it, and their paths must stay under 108 bytes.
    let name = uuid::Uuid::new_v4().simple().to_string();
    let dir = std::env::temp_dir().join(format!("bl-dc-{}", &name[..12]));
    for sub in ["run", "state", "mail"] {
        std::fs::create_dir_all(dir.join(sub))
            .with_context(|| format!("creating {}", dir.display()))?;
    }
    Ok(dir)
}

/// The user's Maildir below `dir`.
pub(super) fn maildir(dir: &Path, user: &str) -> PathBuf {
    dir.join("mail").join(user).join("Maildir")
}

/// Writes the passwd file for these users (login, password) and gives each an empty Maildir
/// owned by the mail user.
pub(super) fn write_users(
    dir: &Path,
    users: &[(&str, &str)],
    who: &Identity,
) -> anyhow::Result<()> {
    let mut passwd = String::new();
    for (user, password) in users {
        let bad = |s: &str| s.is_empty() || s.contains([':', '\n', '\r', '/']);
        if bad(user) || password.contains([':', '\n', '\r']) {
            bail!("test user {user:?}: no ':', '/' or line breaks in users and passwords");
        }
        // Empty uid/gid/home: the global mail_uid/mail_gid apply.
        passwd.push_str(&format!("{user}:{{PLAIN}}{password}::::::\n"));
        let maildir = maildir(dir, user);
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
    Ok(())
}

/// Who the Dovecot processes run as.
pub(super) struct Identity {
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
    pub(super) fn current(probe: &Path) -> anyhow::Result<Identity> {
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
pub(super) fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// The configuration: everything below `dir`, IMAP only, no TLS, plain LOGIN allowed.
pub(super) fn dovecot_conf(dir: &Path, port: u16, who: &Identity) -> String {
    let d = dir.display();
    format!(
        r#"# Written by baylanys-tests for one test; see tests/src/dovecot/config.rs.
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
