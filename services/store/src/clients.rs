//! Clients, their identities per channel, their whole history, and the audit trail of staff
//! reads of their personal data (R11, R32, R33).

macro_rules! impl_client_store {
    ($store:ty, $db:ty) => {
        impl $store {
            /// Loads clients with their identities, in the order of `rows`.
            async fn with_identities(
                &self,
                rows: Vec<$crate::rows::ClientRow>,
            ) -> $crate::StoreResult<Vec<$crate::Client>> {
                if rows.is_empty() {
                    return Ok(Vec::new());
                }
                let mut qb = sqlx::QueryBuilder::<$db>::new(
                    "SELECT client_id, channel, address, created_at FROM client_identities WHERE client_id IN (",
                );
                let mut ids = qb.separated(", ");
                for r in &rows {
                    ids.push_bind(r.id);
                }
                qb.push(") ORDER BY created_at, channel, address");
                let idents: Vec<$crate::rows::IdentityRow> =
                    qb.build_query_as().fetch_all(&self.reader).await?;
                let mut by_client: std::collections::HashMap<uuid::Uuid, Vec<$crate::Identity>> =
                    std::collections::HashMap::new();
                for row in idents {
                    let client_id = row.client_id;
                    by_client.entry(client_id).or_default().push(row.into_identity()?);
                }
                rows.into_iter()
                    .map(|row| {
                        let identities = by_client.remove(&row.id).unwrap_or_default();
                        row.into_client(identities)
                    })
                    .collect()
            }

            async fn insert_identity(
                tx: &mut sqlx::Transaction<'static, $db>,
                client_id: uuid::Uuid,
                channel: baylanys_domain::Channel,
                address: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> $crate::StoreResult<()> {
                let (taken,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM client_identities WHERE channel = $1 AND address = $2",
                )
                .bind(channel.as_str())
                .bind(address)
                .fetch_one(&mut **tx)
                .await?;
                if taken > 0 {
                    return Err($crate::StoreError::Conflict(format!(
                        "this {channel} address already belongs to a client"
                    )));
                }
                sqlx::query(
                    "INSERT INTO client_identities (id, client_id, channel, address, created_at) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(uuid::Uuid::now_v7())
                .bind(client_id)
                .bind(channel.as_str())
                .bind(address)
                .bind(now)
                .execute(&mut **tx)
                .await?;
                Ok(())
            }
        }

        #[async_trait::async_trait]
        impl $crate::ClientStore for $store {
            async fn create_client(
                &self,
                new: $crate::NewClient,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<$crate::Client> {
                let now = $crate::now();
                let id = uuid::Uuid::now_v7();
                let mut tx = self.writer.begin().await?;
                let iin = new.iin.as_ref().map(|i| i.as_str().to_owned());
                let bin = new.bin.as_ref().map(|b| b.as_str().to_owned());
                if let Some(iin) = &iin {
                    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM clients WHERE iin = $1")
                        .bind(iin)
                        .fetch_one(&mut *tx)
                        .await?;
                    if n > 0 {
                        return Err($crate::StoreError::Conflict(
                            "a client with this IIN already exists".into(),
                        ));
                    }
                }
                if let Some(bin) = &bin {
                    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM clients WHERE bin = $1")
                        .bind(bin)
                        .fetch_one(&mut *tx)
                        .await?;
                    if n > 0 {
                        return Err($crate::StoreError::Conflict(
                            "a client with this BIN already exists".into(),
                        ));
                    }
                }
                let name_search = new.name.as_deref().map(baylanys_domain::normalize_search);
                sqlx::query(
                    "INSERT INTO clients (id, name, name_search, iin, bin, language, vulnerable, \
                     do_not_contact, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
                )
                .bind(id)
                .bind(&new.name)
                .bind(&name_search)
                .bind(&iin)
                .bind(&bin)
                .bind(new.language.as_str())
                .bind(new.vulnerable)
                .bind(new.do_not_contact)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                for (channel, address) in &new.identities {
                    Self::insert_identity(&mut tx, id, *channel, address, now).await?;
                }
                // The event says what kind of data was collected, never the data itself (R33).
                Self::event(
                    &mut tx,
                    now,
                    $crate::events::Draft::typed(
                        actor,
                        baylanys_domain::Payload::ClientCreated(baylanys_domain::events::ClientCreated {
                            has_iin: iin.is_some(),
                            has_bin: bin.is_some(),
                            language: new.language,
                            channels: new.identities.iter().map(|(c, _)| *c).collect(),
                        }),
                    )
                    .client(id),
                )
                .await?;
                tx.commit().await?;
                self.get_client(id).await
            }

            async fn get_client(&self, id: uuid::Uuid) -> $crate::StoreResult<$crate::Client> {
                let row: Option<$crate::rows::ClientRow> =
                    sqlx::query_as("SELECT * FROM clients WHERE id = $1")
                        .bind(id)
                        .fetch_optional(&self.reader)
                        .await?;
                let row = row.ok_or($crate::StoreError::NotFound("client"))?;
                self.with_identities(vec![row])
                    .await?
                    .pop()
                    .ok_or($crate::StoreError::NotFound("client"))
            }

            async fn find_clients(
                &self,
                lookup: $crate::ClientLookup,
                limit: u32,
            ) -> $crate::StoreResult<Vec<$crate::Client>> {
                let limit = $crate::page_limit(limit);
                let rows: Vec<$crate::rows::ClientRow> = match lookup {
                    $crate::ClientLookup::Iin(iin) => {
                        sqlx::query_as("SELECT * FROM clients WHERE iin = $1")
                            .bind(iin.as_str())
                            .fetch_all(&self.reader)
                            .await?
                    }
                    $crate::ClientLookup::Bin(bin) => {
                        sqlx::query_as("SELECT * FROM clients WHERE bin = $1")
                            .bind(bin.as_str())
                            .fetch_all(&self.reader)
                            .await?
                    }
                    $crate::ClientLookup::Identity(channel, address) => {
                        sqlx::query_as(
                            "SELECT c.* FROM clients c JOIN client_identities i ON i.client_id = c.id \
                             WHERE i.channel = $1 AND i.address = $2",
                        )
                        .bind(channel.as_str())
                        .bind(address)
                        .fetch_all(&self.reader)
                        .await?
                    }
                    $crate::ClientLookup::Name(name) => {
                        let pattern = format!(
                            "{}%",
                            baylanys_domain::normalize_search(&name)
                                .replace('\\', "\\\\")
                                .replace('%', "\\%")
                                .replace('_', "\\_")
                        );
                        sqlx::query_as(
                            "SELECT * FROM clients WHERE name_search LIKE $1 ESCAPE '\\' \
                             ORDER BY name_search, id LIMIT $2",
                        )
                        .bind(pattern)
                        .bind(limit)
                        .fetch_all(&self.reader)
                        .await?
                    }
                };
                self.with_identities(rows).await
            }

            async fn add_identity(
                &self,
                client_id: uuid::Uuid,
                channel: baylanys_domain::Channel,
                address: &str,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<$crate::Client> {
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                Self::ensure_exists(&mut tx, "clients", "client", client_id).await?;
                Self::insert_identity(&mut tx, client_id, channel, address, now).await?;
                sqlx::query("UPDATE clients SET updated_at = $2 WHERE id = $1")
                    .bind(client_id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                Self::event(
                    &mut tx,
                    now,
                    $crate::events::Draft::typed(
                        actor,
                        baylanys_domain::Payload::IdentityAdded(baylanys_domain::events::IdentityAdded { channel }),
                    )
                    .client(client_id),
                )
                .await?;
                tx.commit().await?;
                self.get_client(client_id).await
            }

            async fn set_client_flags(
                &self,
                client_id: uuid::Uuid,
                vulnerable: Option<bool>,
                do_not_contact: Option<bool>,
                reason: &str,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<$crate::Client> {
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                let row: Option<(bool, bool)> = sqlx::query_as(
                    "SELECT vulnerable, do_not_contact FROM clients WHERE id = $1",
                )
                .bind(client_id)
                .fetch_optional(&mut *tx)
                .await?;
                let (was_vulnerable, was_dnc) = row.ok_or($crate::StoreError::NotFound("client"))?;
                let (v, d) = (vulnerable.unwrap_or(was_vulnerable), do_not_contact.unwrap_or(was_dnc));
                let mut changed = Vec::new();
                if v != was_vulnerable {
                    changed.push("vulnerable".to_owned());
                }
                if d != was_dnc {
                    changed.push("do_not_contact".to_owned());
                }
                if changed.is_empty() {
                    drop(tx);
                    return self.get_client(client_id).await;
                }
                sqlx::query(
                    "UPDATE clients SET vulnerable = $2, do_not_contact = $3, updated_at = $4 WHERE id = $1",
                )
                .bind(client_id)
                .bind(v)
                .bind(d)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                Self::event(
                    &mut tx,
                    now,
                    $crate::events::Draft::typed(
                        actor,
                        baylanys_domain::Payload::ClientFlagsChanged(
                            baylanys_domain::events::ClientFlagsChanged {
                                vulnerable: v,
                                do_not_contact: d,
                                changed,
                                reason: reason.to_owned(),
                            },
                        ),
                    )
                    .client(client_id),
                )
                .await?;
                tx.commit().await?;
                self.get_client(client_id).await
            }

            async fn client_history(
                &self,
                client_id: uuid::Uuid,
                scope: baylanys_domain::AppealScope,
            ) -> $crate::StoreResult<Vec<$crate::AppealHistory>> {
                let mut filter = $crate::AppealFilter::new(scope);
                filter.client_id = Some(client_id);
                filter.limit = 500;
                let appeals = $crate::AppealStore::list_appeals(self, filter).await?;
                let ids: Vec<uuid::Uuid> = appeals.iter().map(|a| a.id).collect();
                let (interactions, messages) = self.appeal_contents(&ids).await?;
                Ok(appeals
                    .into_iter()
                    .map(|appeal| $crate::AppealHistory {
                        interactions: interactions
                            .iter()
                            .filter(|i| i.appeal_id == appeal.id)
                            .cloned()
                            .collect(),
                        messages: messages
                            .iter()
                            .filter(|m| m.appeal_id == appeal.id)
                            .cloned()
                            .collect(),
                        appeal,
                    })
                    .collect())
            }

            async fn record_access(
                &self,
                staff_id: uuid::Uuid,
                client_ids: &[uuid::Uuid],
                endpoint: &str,
            ) -> $crate::StoreResult<()> {
                if client_ids.is_empty() {
                    return Ok(());
                }
                let now = $crate::now();
                let mut qb = sqlx::QueryBuilder::<$db>::new(
                    "INSERT INTO audit_log (at, staff_id, client_id, endpoint) ",
                );
                qb.push_values(client_ids, |mut b, client| {
                    b.push_bind(now)
                        .push_bind(staff_id)
                        .push_bind(*client)
                        .push_bind(endpoint.to_owned());
                });
                qb.build().execute(&self.writer).await?;
                Ok(())
            }

            async fn list_audit(
                &self,
                filter: $crate::AuditFilter,
            ) -> $crate::StoreResult<Vec<$crate::AuditRecord>> {
                let mut qb = sqlx::QueryBuilder::<$db>::new("SELECT * FROM audit_log WHERE 1=1");
                if let Some(s) = filter.staff_id {
                    qb.push(" AND staff_id = ").push_bind(s);
                }
                if let Some(c) = filter.client_id {
                    qb.push(" AND client_id = ").push_bind(c);
                }
                if let Some(b) = filter.before {
                    qb.push(" AND id < ").push_bind(b);
                }
                qb.push(" ORDER BY id DESC LIMIT ")
                    .push_bind($crate::page_limit(filter.limit));
                let rows: Vec<$crate::rows::AuditRow> =
                    qb.build_query_as().fetch_all(&self.reader).await?;
                Ok(rows.into_iter().map(Into::into).collect())
            }
        }
    };
}
pub(crate) use impl_client_store;
