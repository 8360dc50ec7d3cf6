//! The measured server processes: started, their memory read from `/proc`, killed at the end.

use std::io::BufRead;
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::Duration;

use anyhow::{bail, Context};

/// A child process (server or echo), killed when dropped.
pub(super) struct Proc {
    pub(super) child: Child,
    /// Kept open: a closed pipe would make the child's next `println!` fail.
    pub(super) _stdout: Option<ChildStdout>,
    pub(super) addr: String,
}

impl Proc {
    /// Starts `cmd` and waits for the stdout line that names its address (after `marker`).
    pub(super) async fn start(
        mut cmd: Command,
        log: &Path,
        marker: &'static str,
    ) -> anyhow::Result<Proc> {
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

    pub(super) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Resident memory of the process, KiB.
    pub(super) fn rss_kib(&self) -> u64 {
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
