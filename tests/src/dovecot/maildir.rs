//! Reading a user's INBOX straight from its Maildir, in the order Dovecot numbers it.

use std::path::{Path, PathBuf};

use super::{read_lossy, Dovecot};

impl Dovecot {
    /// The INBOX's message files: by UID where dovecot-uidlist numbers them, then the rest by
    /// the delivery time in their names.
    pub(super) fn inbox_files(&self, user: &str) -> Vec<PathBuf> {
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
