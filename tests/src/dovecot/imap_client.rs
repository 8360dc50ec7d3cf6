//! Just enough of an IMAP client to put mail into a test user's INBOX quickly: LOGIN, then
//! MULTIAPPEND with non-synchronising literals (LITERAL+).

use anyhow::bail;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// APPENDs are sent in commands of at most this many messages (MULTIAPPEND)…
const APPEND_BATCH: usize = 500;
/// …and at most this many bytes.
const APPEND_BATCH_BYTES: usize = 8 << 20;

/// Logs in to `127.0.0.1:port` and appends these raw messages to the user's INBOX, in
/// batches of at most [`APPEND_BATCH`] messages and [`APPEND_BATCH_BYTES`] bytes.
pub(super) async fn append_all(
    port: u16,
    user: &str,
    password: &str,
    raws: &[Vec<u8>],
) -> anyhow::Result<()> {
    let mut imap = RawImap::login(port, user, password).await?;
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
    Ok(())
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
