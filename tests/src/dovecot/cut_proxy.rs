//! A TCP proxy a test can cut, to kill an IMAP connection mid-sync.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::net::{TcpListener, TcpStream};

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
