//! Today's KPIs are drawn off the supervisors' sockets (issue "Trustworthy in the field",
//! point 4): they used to be re-read inside the socket's task every ten seconds, so a slow read
//! of the day (1–2.3 s at 220,000 events) stalled that socket. Here the read is made as slow
//! as it gets — the tables it reads are locked by another transaction — once the drawing is
//! due again: the supervisor's socket still answers at once, with the last drawing, and the
//! redraw comes when the tables are free.

use std::time::{Duration, Instant};

use baylanys_tests::{Backend, TestApp};
use serde_json::json;
use sqlx::Connection;

use crate::ws_operator::{connect, next, send};

#[tokio::test]
async fn a_slow_day_does_not_stall_the_supervisors_socket() -> anyhow::Result<()> {
    let app = TestApp::spawn(Backend::Postgres).await?;
    let (_, sup) = app.staff("sup", "supervisor", None).await?;
    let mut s = connect(&app.base).await?;
    send(&mut s, json!({"type": "hello", "v": 1, "token": sup})).await?;
    // The first drawing.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        anyhow::ensure!(Instant::now() < deadline, "no kpis frame");
        if next(&mut s).await?["type"] == "kpis" {
            break;
        }
    }
    // Another transaction takes the day's tables and holds them past the ten seconds after
    // which the drawing is due again.
    let mut blocker = sqlx::PgConnection::connect(&app.database_url).await?;
    sqlx::query("BEGIN").execute(&mut blocker).await?;
    sqlx::query("LOCK TABLE events, kpi_days IN ACCESS EXCLUSIVE MODE")
        .execute(&mut blocker)
        .await?;
    tokio::time::sleep(Duration::from_secs(12)).await;
    // The socket answers at once all the same.
    let asked = Instant::now();
    send(&mut s, json!({"type": "ping"})).await?;
    loop {
        let f = tokio::time::timeout(Duration::from_secs(2), next(&mut s))
            .await
            .map_err(|_| anyhow::anyhow!("the socket stalled behind today's KPIs"))??;
        if f["type"] == "pong" {
            break;
        }
    }
    assert!(asked.elapsed() < Duration::from_secs(2));
    sqlx::query("ROLLBACK").execute(&mut blocker).await?;
    Ok(())
}
