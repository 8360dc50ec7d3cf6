//! A citizen in the web chat: the socket `/ws/chat` and protocol v1 the widget speaks
//! (proto/src/ws.rs) — hello, messages stored before their ack, the operator's replies, the
//! close and the survey.

use std::time::Duration;

use baylanys_proto::ws::{ChatClientFrame, ChatServerFrame};
use futures_util::stream::SplitSink;
use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use uuid::Uuid;

use super::api::{Refused, Result};

type Sink = SplitSink<WebSocketStream<MaybeTlsStream<TcpStream>>, Message>;

#[derive(Debug)]
pub struct ChatSocket {
    sink: Sink,
    frames: mpsc::UnboundedReceiver<ChatServerFrame>,
    reader: JoinHandle<()>,
}

impl Drop for ChatSocket {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

impl ChatSocket {
    /// Opens the socket as a visitor from `address`. The server believes `X-Forwarded-For`
    /// only from its trusted proxies (loopback by default), so on a local server each demo
    /// citizen has an address of their own and the per-address flood limits see many people,
    /// as they would in production; elsewhere the header is ignored.
    pub async fn connect(base: &str, address: &str) -> Result<ChatSocket> {
        let url = format!(
            "{}/ws/chat",
            base.replacen("https://", "wss://", 1)
                .replacen("http://", "ws://", 1)
        );
        let mut req = url
            .into_client_request()
            .map_err(|e| Refused::new(format!("/ws/chat: {e}")))?;
        if let Ok(v) = address.parse() {
            req.headers_mut().insert("x-forwarded-for", v);
        }
        let (socket, _) = tokio_tungstenite::connect_async(req)
            .await
            .map_err(|e| Refused::new(format!("/ws/chat: {e}")))?;
        let (sink, mut stream) = socket.split();
        let (tx, frames) = mpsc::unbounded_channel();
        let reader = tokio::spawn(async move {
            while let Some(Ok(msg)) = stream.next().await {
                if let Message::Text(t) = msg {
                    if let Ok(f) = serde_json::from_str::<ChatServerFrame>(&t) {
                        if tx.send(f).is_err() {
                            break;
                        }
                    }
                }
            }
        });
        Ok(ChatSocket {
            sink,
            frames,
            reader,
        })
    }

    pub async fn send(&mut self, frame: &ChatClientFrame) -> Result<()> {
        let text = serde_json::to_string(frame).map_err(|e| Refused::new(e.to_string()))?;
        self.sink
            .send(Message::Text(text.into()))
            .await
            .map_err(|e| Refused::new(format!("/ws/chat: {e}")))
    }

    /// The first frame `pick` accepts within `within`, skipping the others (queue status,
    /// typing, read receipts).
    pub async fn until<T>(
        &mut self,
        what: &str,
        within: Duration,
        mut pick: impl FnMut(ChatServerFrame) -> Option<T>,
    ) -> Result<T> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            match tokio::time::timeout_at(deadline, self.frames.recv()).await {
                Ok(Some(f)) => {
                    if let Some(t) = pick(f) {
                        return Ok(t);
                    }
                }
                Ok(None) => return Err(Refused::new(format!("/ws/chat closed before {what}"))),
                Err(_) => {
                    return Err(Refused::new(format!(
                        "/ws/chat: no {what} within {within:?}"
                    )))
                }
            }
        }
    }

    /// Sends a message and waits for its ack: stored by then (persist before acknowledge).
    pub async fn say(&mut self, body: &str) -> Result<i64> {
        let client_id = Uuid::now_v7();
        self.send(&ChatClientFrame::Message {
            client_id,
            body: body.to_owned(),
        })
        .await?;
        self.until("ack", Duration::from_secs(10), |f| match f {
            ChatServerFrame::Ack {
                client_id: c, seq, ..
            } if c == client_id => Some(Ok(seq)),
            ChatServerFrame::Error { code, message } => {
                Some(Err(Refused::new(format!("/ws/chat: {code}: {message}"))))
            }
            _ => None,
        })
        .await?
    }

    pub async fn close(mut self) {
        let _ = self.sink.send(Message::Close(None)).await;
    }
}
