//! A staff socket following many conversations catches up in one query (issue "Trustworthy in
//! the field", point 3): at a million stored messages and a hundred conversations followed, the
//! query walks the `(appeal_id, seq)` index once per conversation on both backends — the plans
//! are read, not timed. The `OR` form it replaces made PostgreSQL scan the whole index past
//! thirty conversations (104 ms at 30, over a second under load).

use baylanys_tests::{both, Backend, TestApp};
use serde_json::json;
use sqlx::Connection;
use uuid::Uuid;

both!(catch_up_walks_the_index_at_a_million_messages);

const APPEALS: usize = 100;
const PER_APPEAL: i64 = 10_000;

async fn catch_up_walks_the_index_at_a_million_messages(app: TestApp) -> anyhow::Result<()> {
    let (_, op) = app.staff("op", "operator", None).await?;
    let client = app.client(&op, json!({"name": "Көп"})).await?;
    let mut appeals: Vec<Uuid> = Vec::new();
    for i in 0..APPEALS {
        appeals.push(app.appeal(&op, client, &format!("№ {i}")).await?);
    }
    // A million messages beside them, straight into the table: this test reads a query plan,
    // and the plan depends on the table's size, not on how its rows came.
    let fill_sqlite = format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {PER_APPEAL}) \
         INSERT INTO messages (id, appeal_id, seq, author, channel, direction, body, created_at, kind) \
         SELECT randomblob(16), a.id, a.last_seq + n.i, 'client', 'web_chat', 'inbound', 'x', \
         '2026-12-05T00:00:00Z', 'text' FROM appeals a, n"
    );
    let fill_pg = format!(
        "INSERT INTO messages (id, appeal_id, seq, author, channel, direction, body, created_at, kind) \
         SELECT gen_random_uuid(), a.id, a.last_seq + g, 'client', 'web_chat', 'inbound', 'x', now(), 'text' \
         FROM appeals a, generate_series(1, {PER_APPEAL}) g"
    );
    let keep_seq = format!("UPDATE appeals SET last_seq = last_seq + {PER_APPEAL}");
    match app.backend {
        Backend::Sqlite => {
            let mut c = sqlx::SqliteConnection::connect(&app.database_url).await?;
            sqlx::query(&fill_sqlite).execute(&mut c).await?;
            sqlx::query(&keep_seq).execute(&mut c).await?;
            sqlx::query("ANALYZE").execute(&mut c).await?;
        }
        Backend::Postgres => {
            let mut c = sqlx::PgConnection::connect(&app.database_url).await?;
            sqlx::query(&fill_pg).execute(&mut c).await?;
            sqlx::query(&keep_seq).execute(&mut c).await?;
            sqlx::query("ANALYZE messages").execute(&mut c).await?;
        }
    }
    let from: Vec<(Uuid, i64)> = appeals.iter().map(|a| (*a, PER_APPEAL - 2)).collect();
    let plan = app.store.messages_after_many_plan(&from).await?;
    match app.backend {
        Backend::Sqlite => {
            let on_messages: Vec<&str> = plan.lines().filter(|l| l.contains("messages")).collect();
            assert!(
                on_messages.iter().all(|l| l.contains("SEARCH")),
                "a scan of messages:\n{plan}"
            );
            assert_eq!(on_messages.len(), APPEALS, "{plan}");
        }
        Backend::Postgres => {
            // No scan filtered row by row, and a walk that stops at its own limit for each
            // conversation (the `OR` form had neither).
            assert!(!plan.contains("Seq Scan"), "{plan}");
            assert!(!plan.contains("Filter:"), "{plan}");
            let walks = plan.matches("Index Cond: ((appeal_id = ").count();
            assert_eq!(walks, APPEALS, "one index walk per conversation:\n{plan}");
            assert!(plan.matches("Limit").count() > APPEALS, "{plan}");
        }
    }
    // And it answers what it should: every entry after the mark in each conversation, whose
    // last `seq` the appeals row keeps.
    let last = app.store.last_seqs(&appeals).await?;
    assert_eq!(last.len(), APPEALS);
    let want: i64 = last.iter().map(|(_, s)| s - (PER_APPEAL - 2)).sum();
    let got = app.store.messages_after_many(&from, 500).await?;
    assert_eq!(got.len() as i64, want, "every entry after the mark");
    assert!(got
        .windows(2)
        .all(|w| (w[0].appeal_id, w[0].seq) < (w[1].appeal_id, w[1].seq)));
    Ok(())
}
