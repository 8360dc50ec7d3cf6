//! The voice menus as data (clause 3.15, R12.3) and the service interruption notice every call
//! hears first while it is active (R34). A menu is saved with a version check, so two
//! administrators editing at once do not overwrite each other.

use async_trait::async_trait;
use baylanys_domain::voice::IvrMenu;
use baylanys_domain::Language;
use chrono::{DateTime, Utc};

use crate::{Actor, StoreResult};

/// A saved menu and its version (each save adds one).
#[derive(Debug, Clone, PartialEq)]
pub struct StoredMenu {
    pub menu: IvrMenu,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
}

#[async_trait]
pub trait IvrStore: Send + Sync {
    /// Every menu, by language and key.
    async fn ivr_menus(&self) -> StoreResult<Vec<StoredMenu>>;
    async fn ivr_menu(&self, language: Language, key: &str) -> StoreResult<Option<StoredMenu>>;
    /// Writes a menu. `expected`: `None` to add one that must not exist yet, `Some(v)` to
    /// replace version `v`; anything else is a conflict naming the current version.
    async fn save_ivr_menu(
        &self,
        menu: IvrMenu,
        expected: Option<i64>,
        actor: Actor,
    ) -> StoreResult<StoredMenu>;
    async fn remove_ivr_menu(&self, language: Language, key: &str, actor: Actor)
        -> StoreResult<()>;

    /// The service interruption notice every call hears first while it is active (R34).
    async fn service_notice(&self) -> StoreResult<baylanys_domain::voice::ServiceNotice>;
    async fn set_service_notice(
        &self,
        notice: baylanys_domain::voice::ServiceNotice,
        actor: Actor,
    ) -> StoreResult<baylanys_domain::voice::ServiceNotice>;
}

/// The settings key of the interruption notice.
pub(crate) const SERVICE_NOTICE: &str = "voice.service_notice";

pub(crate) fn stored_menu(
    json: &str,
    version: i64,
    updated_at: DateTime<Utc>,
) -> StoreResult<StoredMenu> {
    Ok(StoredMenu {
        menu: serde_json::from_str(json)
            .map_err(|_| crate::StoreError::Corrupt(format!("voice menu {json:?}")))?,
        version,
        updated_at,
    })
}

macro_rules! impl_ivr_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::IvrStore for $store {
            async fn ivr_menus(&self) -> $crate::StoreResult<Vec<$crate::StoredMenu>> {
                let rows: Vec<(String, i64, chrono::DateTime<chrono::Utc>)> = sqlx::query_as(
                    "SELECT menu, version, updated_at FROM ivr_menus ORDER BY language, key LIMIT 500",
                )
                .fetch_all(&self.reader)
                .await?;
                rows.iter()
                    .map(|(m, v, at)| $crate::ivr::stored_menu(m, *v, *at))
                    .collect()
            }

            async fn ivr_menu(
                &self,
                language: baylanys_domain::Language,
                key: &str,
            ) -> $crate::StoreResult<Option<$crate::StoredMenu>> {
                let row: Option<(String, i64, chrono::DateTime<chrono::Utc>)> = sqlx::query_as(
                    "SELECT menu, version, updated_at FROM ivr_menus WHERE language = $1 AND key = $2",
                )
                .bind(language.as_str())
                .bind(key)
                .fetch_optional(&self.reader)
                .await?;
                row.map(|(m, v, at)| $crate::ivr::stored_menu(&m, v, at))
                    .transpose()
            }

            async fn save_ivr_menu(
                &self,
                menu: baylanys_domain::voice::IvrMenu,
                expected: Option<i64>,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<$crate::StoredMenu> {
                let now = $crate::now();
                let json = serde_json::to_string(&menu)
                    .map_err(|e| $crate::StoreError::Corrupt(e.to_string()))?;
                let mut tx = self.writer.begin().await?;
                let current: Option<(i64,)> = sqlx::query_as(
                    "SELECT version FROM ivr_menus WHERE language = $1 AND key = $2",
                )
                .bind(menu.language.as_str())
                .bind(&menu.key)
                .fetch_optional(&mut *tx)
                .await?;
                let version = match (current.map(|c| c.0), expected) {
                    (None, None) => {
                        sqlx::query(
                            "INSERT INTO ivr_menus (language, key, menu, version, updated_at) \
                             VALUES ($1, $2, $3, 1, $4)",
                        )
                        .bind(menu.language.as_str())
                        .bind(&menu.key)
                        .bind(&json)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                        1
                    }
                    (Some(v), Some(e)) if v == e => {
                        sqlx::query(
                            "UPDATE ivr_menus SET menu = $3, version = $4, updated_at = $5 \
                             WHERE language = $1 AND key = $2",
                        )
                        .bind(menu.language.as_str())
                        .bind(&menu.key)
                        .bind(&json)
                        .bind(v + 1)
                        .bind(now)
                        .execute(&mut *tx)
                        .await?;
                        v + 1
                    }
                    (Some(v), _) => {
                        return Err($crate::StoreError::Conflict(format!(
                            "the menu was changed meanwhile: its version is now {v}"
                        )))
                    }
                    (None, Some(_)) => return Err($crate::StoreError::NotFound("voice menu")),
                };
                Self::event(
                    &mut tx,
                    now,
                    $crate::events::Draft::typed(
                        actor,
                        baylanys_domain::Payload::IvrSaved(baylanys_domain::events::IvrSaved {
                            key: menu.key.clone(),
                            language: menu.language,
                            version,
                        }),
                    ),
                )
                .await?;
                tx.commit().await?;
                Ok($crate::StoredMenu {
                    menu,
                    version,
                    updated_at: now,
                })
            }

            async fn remove_ivr_menu(
                &self,
                language: baylanys_domain::Language,
                key: &str,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<()> {
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                let gone = sqlx::query("DELETE FROM ivr_menus WHERE language = $1 AND key = $2")
                    .bind(language.as_str())
                    .bind(key)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if gone == 0 {
                    return Err($crate::StoreError::NotFound("voice menu"));
                }
                Self::event(
                    &mut tx,
                    now,
                    $crate::events::Draft::typed(
                        actor,
                        baylanys_domain::Payload::IvrRemoved(baylanys_domain::events::IvrRemoved {
                            key: key.to_owned(),
                            language,
                        }),
                    ),
                )
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn service_notice(
                &self,
            ) -> $crate::StoreResult<baylanys_domain::voice::ServiceNotice> {
                self.setting($crate::ivr::SERVICE_NOTICE).await
            }

            async fn set_service_notice(
                &self,
                mut notice: baylanys_domain::voice::ServiceNotice,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<baylanys_domain::voice::ServiceNotice> {
                use baylanys_domain::events::ServiceInterruption;
                use baylanys_domain::Payload;
                notice.validate()?;
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                let row: Option<(sqlx::types::Json<serde_json::Value>,)> =
                    sqlx::query_as("SELECT value FROM settings WHERE key = $1")
                        .bind($crate::ivr::SERVICE_NOTICE)
                        .fetch_optional(&mut *tx)
                        .await?;
                let before: baylanys_domain::voice::ServiceNotice = match row {
                    Some((v,)) => serde_json::from_value(v.0).map_err(|e| {
                        $crate::StoreError::Corrupt(format!("service notice: {e}"))
                    })?,
                    None => Default::default(),
                };
                // The switch's instants are the centre's, not the caller's: an interruption
                // keeps the time it began while its words change.
                notice.since = match (before.active, notice.active) {
                    (true, true) => before.since.or(Some(now)),
                    (_, true) => Some(now),
                    (_, false) => None,
                };
                let value = serde_json::to_value(&notice)
                    .map_err(|e| $crate::StoreError::Corrupt(e.to_string()))?;
                Self::put_setting(&mut tx, $crate::ivr::SERVICE_NOTICE, value, actor, now).await?;
                let switched = match (before.active, notice.active) {
                    (false, true) => Some(Payload::ServiceInterrupted(ServiceInterruption {
                        resumes_at: notice.resumes_at,
                        lasted_secs: None,
                    })),
                    (true, false) => Some(Payload::ServiceResumed(ServiceInterruption {
                        resumes_at: None,
                        lasted_secs: before.since.map(|s| (now - s).num_seconds().max(0)),
                    })),
                    _ => None,
                };
                if let Some(payload) = switched {
                    Self::event(&mut tx, now, $crate::events::Draft::typed(actor, payload)).await?;
                }
                tx.commit().await?;
                Ok(notice)
            }
        }
    };
}
pub(crate) use impl_ivr_store;
