//! The append-only event log. Every verb that changes state calls `Store::event` inside its own
//! transaction, so a change and its record commit or vanish together (DESIGN principle 3).

use uuid::Uuid;

use crate::model::Actor;

/// An event about to be written.
pub(crate) struct Draft {
    pub kind: &'static str,
    pub actor: Actor,
    pub appeal_id: Option<Uuid>,
    pub client_id: Option<Uuid>,
    pub interaction_id: Option<Uuid>,
    pub data: serde_json::Value,
}

impl Draft {
    /// An event of its payload's kind: the payload is written by the same type every reader
    /// reads it back with, so there is no other way in (every kind has a type).
    pub fn typed(actor: Actor, payload: baylanys_domain::Payload) -> Self {
        Draft {
            kind: payload.kind(),
            actor,
            appeal_id: None,
            client_id: None,
            interaction_id: None,
            data: payload.to_json(),
        }
    }

    pub fn appeal(mut self, id: Uuid) -> Self {
        self.appeal_id = Some(id);
        self
    }

    pub fn client(mut self, id: Uuid) -> Self {
        self.client_id = Some(id);
        self
    }

    pub fn interaction(mut self, id: Uuid) -> Self {
        self.interaction_id = Some(id);
        self
    }
}

/// The transaction-scoped helpers every verb module uses, and the event feed.
macro_rules! impl_event_store {
    ($store:ty, $db:ty) => {
        impl $store {
            /// Writes one event in the caller's transaction.
            async fn event(
                tx: &mut sqlx::Transaction<'static, $db>,
                at: chrono::DateTime<chrono::Utc>,
                draft: $crate::events::Draft,
            ) -> $crate::StoreResult<()> {
                Self::events(tx, at, vec![draft]).await
            }

            /// Writes several events of one change in a single statement: a verb that records
            /// three events pays one round trip, not three.
            async fn events(
                tx: &mut sqlx::Transaction<'static, $db>,
                at: chrono::DateTime<chrono::Utc>,
                drafts: Vec<$crate::events::Draft>,
            ) -> $crate::StoreResult<()> {
                if drafts.is_empty() {
                    return Ok(());
                }
                let mut qb = sqlx::QueryBuilder::<$db>::new(
                    "INSERT INTO events (at, kind, actor_id, actor_kind, actor_ref, appeal_id, client_id, \
                     interaction_id, data) ",
                );
                qb.push_values(drafts, |mut b, d| {
                    b.push_bind(at)
                        .push_bind(d.kind)
                        .push_bind(d.actor.staff_id())
                        .push_bind(d.actor.kind())
                        .push_bind(d.actor.reference())
                        .push_bind(d.appeal_id)
                        .push_bind(d.client_id)
                        .push_bind(d.interaction_id)
                        .push_bind(sqlx::types::Json(d.data));
                });
                qb.build().execute(&mut **tx).await?;
                Ok(())
            }

            /// Fails with `NotFound(what)` unless a row with this id exists in `table`.
            async fn ensure_exists(
                tx: &mut sqlx::Transaction<'static, $db>,
                table: &'static str,
                what: &'static str,
                id: uuid::Uuid,
            ) -> $crate::StoreResult<()> {
                // `table` is one of our own constants, never input.
                let sql = format!("SELECT COUNT(*) FROM {table} WHERE id = $1");
                let (n,): (i64,) = sqlx::query_as(&sql).bind(id).fetch_one(&mut **tx).await?;
                if n == 0 {
                    return Err($crate::StoreError::NotFound(what));
                }
                Ok(())
            }
        }

        #[async_trait::async_trait]
        impl $crate::EventStore for $store {
            async fn list_events(
                &self,
                filter: $crate::EventFilter,
            ) -> $crate::StoreResult<Vec<$crate::Event>> {
                let mut qb = sqlx::QueryBuilder::<$db>::new("SELECT * FROM events WHERE 1=1");
                if let Some(after) = filter.after {
                    qb.push(" AND id > ").push_bind(after);
                }
                if let Some(kind) = filter.kind {
                    qb.push(" AND kind = ").push_bind(kind);
                }
                if let Some(appeal) = filter.appeal_id {
                    qb.push(" AND appeal_id = ").push_bind(appeal);
                }
                if let Some(from) = filter.from {
                    qb.push(" AND at >= ").push_bind(from);
                }
                if let Some(to) = filter.to {
                    qb.push(" AND at < ").push_bind(to);
                }
                qb.push(" ORDER BY id ASC LIMIT ")
                    .push_bind($crate::page_limit(filter.limit));
                let rows: Vec<$crate::rows::EventRow> =
                    qb.build_query_as().fetch_all(&self.reader).await?;
                Ok(rows.into_iter().map($crate::Event::from).collect())
            }

            async fn scan_events(
                &self,
                kinds: &[&str],
                from: chrono::DateTime<chrono::Utc>,
                to: chrono::DateTime<chrono::Utc>,
            ) -> $crate::StoreResult<Vec<$crate::Event>> {
                let mut out = Vec::new();
                for kind in kinds {
                    let rows: Vec<$crate::rows::EventRow> = sqlx::query_as(
                        "SELECT * FROM events WHERE kind = $1 AND at >= $2 AND at < $3 ORDER BY at, id",
                    )
                    .bind(kind)
                    .bind(from)
                    .bind(to)
                    .fetch_all(&self.reader)
                    .await?;
                    out.extend(rows.into_iter().map($crate::Event::from));
                }
                out.sort_by_key(|e| e.id);
                Ok(out)
            }

            async fn kpi_days(
                &self,
                first: &str,
                last: &str,
                parts: $crate::KeptParts,
            ) -> $crate::StoreResult<Vec<$crate::KeptDay>> {
                let mut qb = sqlx::QueryBuilder::<$db>::new(
                    "SELECT day, settings, settled, computed_at, total, ",
                );
                qb.push(if parts.hours { "hours" } else { "'' AS hours" })
                    .push(", ")
                    .push(if parts.slices { "slices" } else { "'' AS slices" })
                    .push(" FROM kpi_days WHERE day >= ")
                    .push_bind(first)
                    .push(" AND day <= ")
                    .push_bind(last)
                    .push(" ORDER BY day");
                let rows: Vec<(String, String, bool, chrono::DateTime<chrono::Utc>, String, String, String)> =
                    qb.build_query_as().fetch_all(&self.reader).await?;
                Ok(rows
                    .into_iter()
                    .map(|(day, settings, settled, computed_at, total, hours, slices)| {
                        $crate::KeptDay { day, settings, settled, computed_at, total, hours, slices }
                    })
                    .collect())
            }

            async fn save_kpi_day(&self, d: &$crate::KeptDay) -> $crate::StoreResult<()> {
                // A cache of figures derived from the log, not a state change: no event.
                sqlx::query(
                    "INSERT INTO kpi_days (day, settings, settled, computed_at, total, hours, slices) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (day) DO UPDATE SET \
                     settings = $2, settled = $3, computed_at = $4, total = $5, hours = $6, slices = $7",
                )
                .bind(&d.day)
                .bind(&d.settings)
                .bind(d.settled)
                .bind(d.computed_at)
                .bind(&d.total)
                .bind(&d.hours)
                .bind(&d.slices)
                .execute(&self.writer)
                .await?;
                Ok(())
            }

            async fn events_by_ids(&self, ids: &[i64]) -> $crate::StoreResult<Vec<$crate::Event>> {
                let mut out = Vec::new();
                for chunk in ids.chunks(500) {
                    let mut qb = sqlx::QueryBuilder::<$db>::new("SELECT * FROM events WHERE id IN (");
                    let mut list = qb.separated(", ");
                    for id in chunk {
                        list.push_bind(*id);
                    }
                    qb.push(")");
                    let rows: Vec<$crate::rows::EventRow> =
                        qb.build_query_as().fetch_all(&self.reader).await?;
                    out.extend(rows.into_iter().map($crate::Event::from));
                }
                out.sort_by_key(|e| e.id);
                Ok(out)
            }

            async fn kpi_settings(&self) -> $crate::StoreResult<baylanys_domain::kpi::KpiSettings> {
                self.setting("kpi.settings").await
            }

            async fn set_kpi_settings(
                &self,
                settings: baylanys_domain::kpi::KpiSettings,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<baylanys_domain::kpi::KpiSettings> {
                settings.validate()?;
                self.save_setting("kpi.settings", &settings, actor).await?;
                Ok(settings)
            }

            async fn centre_profile(
                &self,
            ) -> $crate::StoreResult<baylanys_domain::report::CentreProfile> {
                self.setting("report.profile").await
            }

            async fn set_centre_profile(
                &self,
                profile: baylanys_domain::report::CentreProfile,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<baylanys_domain::report::CentreProfile> {
                profile.validate()?;
                self.save_setting("report.profile", &profile, actor).await?;
                Ok(profile)
            }

            async fn report_state(
                &self,
                half: &str,
            ) -> $crate::StoreResult<baylanys_domain::report::ReportState> {
                self.setting(&format!("report.boqbe.{half}")).await
            }

            async fn save_report_state(
                &self,
                half: &str,
                state: baylanys_domain::report::ReportState,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<()> {
                self.save_setting(&format!("report.boqbe.{half}"), &state, actor).await
            }

            async fn events_of_appeals(
                &self,
                appeals: &[uuid::Uuid],
                kinds: &[&str],
            ) -> $crate::StoreResult<Vec<$crate::Event>> {
                let mut out = Vec::new();
                // On the `(appeal_id, id)` index: the kinds are compared as `kind || ''`, which
                // no index serves, so the planner never prefers scanning every event of the
                // kinds — and the rows of other kinds (messages, most of the log) are not sent.
                for chunk in appeals.chunks(400) {
                    let mut qb = sqlx::QueryBuilder::<$db>::new("SELECT * FROM events WHERE appeal_id IN (");
                    let mut list = qb.separated(", ");
                    for id in chunk {
                        list.push_bind(*id);
                    }
                    qb.push(") AND (kind || '') IN (");
                    let mut list = qb.separated(", ");
                    for kind in kinds {
                        list.push_bind(*kind);
                    }
                    qb.push(")");
                    let rows: Vec<$crate::rows::EventRow> =
                        qb.build_query_as().fetch_all(&self.reader).await?;
                    out.extend(rows.into_iter().map($crate::Event::from));
                }
                out.sort_by_key(|e| e.id);
                Ok(out)
            }
        }
    };
}
pub(crate) use impl_event_store;
