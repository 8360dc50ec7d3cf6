//! The ceiling of the chat scenario: a bare tokio-tungstenite echo server, run as its own
//! process (this binary with `--echo-server <port>`), on the same runtime shape as the server.
//! Every text or binary frame comes straight back; nothing else happens.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;

pub async fn serve(port: u16, read_buffer: usize) -> anyhow::Result<()> {
    let config = WebSocketConfig::default().read_buffer_size(read_buffer);
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    println!("echo listening on {}", listener.local_addr()?);
    loop {
        let tcp = match listener.accept().await {
            Ok((tcp, _)) => tcp,
            Err(e) => {
                eprintln!("echo: accept: {e}");
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        tokio::spawn(async move {
            let Ok(mut ws) = tokio_tungstenite::accept_async_with_config(tcp, Some(config)).await
            else {
                return;
            };
            while let Some(Ok(m)) = ws.next().await {
                let echo = match m {
                    Message::Text(_) | Message::Binary(_) => m,
                    Message::Close(_) => return,
                    _ => continue,
                };
                if ws.send(echo).await.is_err() {
                    return;
                }
            }
        });
    }
}
