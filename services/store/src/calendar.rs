//! The calendar's stored overrides. The rules (fixed holidays, weekend transfers) live in the
//! domain; these rows are what an admin adds on top: Kurban Ait's date, the yearly decree.

macro_rules! impl_calendar_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::CalendarStore for $store {
            async fn day_overrides(&self) -> $crate::StoreResult<Vec<$crate::DayOverrideRecord>> {
                let rows: Vec<$crate::rows::DayRow> =
                    sqlx::query_as("SELECT * FROM calendar_days ORDER BY date")
                        .fetch_all(&self.reader)
                        .await?;
                $crate::rows::convert(rows)
            }

            async fn set_day_override(
                &self,
                day: baylanys_domain::DayOverride,
                note: Option<String>,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<$crate::DayOverrideRecord> {
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                let row: $crate::rows::DayRow = sqlx::query_as(
                    "INSERT INTO calendar_days (date, kind, name_kk, name_ru, note, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6) \
                     ON CONFLICT (date) DO UPDATE SET kind = $2, name_kk = $3, name_ru = $4, \
                     note = $5, updated_at = $6 RETURNING *",
                )
                .bind(day.date)
                .bind(day.kind.as_str())
                .bind(&day.name_kk)
                .bind(&day.name_ru)
                .bind(&note)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
                Self::event(
                    &mut tx,
                    now,
                    $crate::events::Draft::typed(
                        actor,
                        baylanys_domain::Payload::CalendarDaySet(baylanys_domain::events::DaySet {
                            date: day.date,
                            kind: day.kind,
                        }),
                    ),
                )
                .await?;
                tx.commit().await?;
                row.try_into()
            }

            async fn remove_day_override(
                &self,
                date: chrono::NaiveDate,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<bool> {
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                let removed = sqlx::query("DELETE FROM calendar_days WHERE date = $1")
                    .bind(date)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected()
                    > 0;
                if removed {
                    Self::event(
                        &mut tx,
                        now,
                        $crate::events::Draft::typed(
                            actor,
                            baylanys_domain::Payload::CalendarDayRemoved(baylanys_domain::events::DayRemoved { date }),
                        ),
                    )
                    .await?;
                }
                tx.commit().await?;
                Ok(removed)
            }
        }
    };
}
pub(crate) use impl_calendar_store;
