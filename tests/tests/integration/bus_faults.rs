//! The bus through a Redis outage (issue "Trustworthy in the field", points 2 and 5), against a
//! private Redis this test starts and stops: a node's own sockets hear its signals at once
//! whatever Redis does (they used to wait out the reconnect, about 13 s per 10 s outage); a
//! node never hears its own signal twice; two deployments on one Redis keep apart; and when
//! the subscription comes back after an outage every socket of the node is told to catch up.

use std::time::Duration;

use anyhow::{bail, Context};
use baylanys_bus::{Bus, Signal};
use uuid::Uuid;

pub(crate) struct Redis {
    port: u16,
    child: tokio::process::Child,
}

impl Redis {
    pub(crate) async fn start(port: u16) -> anyhow::Result<Redis> {
        let child = tokio::process::Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .context("redis-server (installed by .ci/run)")?;
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return Ok(Redis { port, child });
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        bail!("redis-server did not start on {port}")
    }

    pub(crate) async fn stop(mut self) -> anyhow::Result<u16> {
        self.child.kill().await?;
        self.child.wait().await?;
        Ok(self.port)
    }
}

fn message(appeal_id: Uuid, seq: i64) -> Signal {
    Signal::Message { appeal_id, seq }
}

async fn heard(w: &mut baylanys_bus::Watch, within: Duration) -> Option<Signal> {
    tokio::time::timeout(within, w.recv()).await.ok().flatten()
}

#[tokio::test]
async fn local_sockets_hear_through_an_outage_and_catch_up_after() -> anyhow::Result<()> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let redis = Redis::start(port).await?;
    let url = format!("redis://127.0.0.1:{port}");
    let node_a = Bus::redis(&url, "centre").await?;
    let node_b = Bus::redis(&url, "centre").await?;
    let elsewhere = Bus::redis(&url, "another-centre").await?;
    let appeal = Uuid::now_v7();
    let (mut on_a, mut on_b, mut on_other) = (node_a.watch(), node_b.watch(), elsewhere.watch());
    on_a.follow(appeal);
    on_b.follow(appeal);
    on_other.follow(appeal);

    node_a.publish(message(appeal, 1));
    assert_eq!(
        heard(&mut on_a, Duration::from_millis(100)).await,
        Some(message(appeal, 1))
    );
    assert_eq!(
        heard(&mut on_b, Duration::from_secs(3)).await,
        Some(message(appeal, 1))
    );
    assert_eq!(
        heard(&mut on_other, Duration::from_millis(500)).await,
        None,
        "another deployment's signal"
    );
    assert_eq!(
        heard(&mut on_a, Duration::from_millis(300)).await,
        None,
        "a node hears its own signal once"
    );

    // Redis goes away: this node's sockets still hear this node at once.
    let port = redis.stop().await?;
    node_a.publish(message(appeal, 2));
    assert_eq!(
        heard(&mut on_a, Duration::from_millis(100)).await,
        Some(message(appeal, 2))
    );
    assert!(!on_b.take_lagged());

    // Redis is back: node B missed signal 2, and its socket is woken to catch up from the store.
    let _redis = Redis::start(port).await?;
    let woke = heard(&mut on_b, Duration::from_secs(20)).await;
    assert!(
        woke.is_some(),
        "node B's socket was not woken after the outage"
    );
    assert!(on_b.take_lagged(), "the wake says: catch up from the store");
    Ok(())
}
