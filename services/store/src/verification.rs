//! One-time verification codes (R11): issued to the phone or e-mail on file, checked with a
//! bounded number of attempts, and on success the appeal is marked verified in the same
//! transaction as the code is used up.

macro_rules! impl_verification_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::VerificationStore for $store {
            async fn issue_code(
                &self,
                appeal_id: uuid::Uuid,
                code: $crate::NewCode,
                scope: baylanys_domain::AppealScope,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<uuid::Uuid> {
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                let appeal = Self::appeal_in_tx(&mut tx, appeal_id, scope).await?;
                // Only the newest code counts: earlier ones stop working.
                sqlx::query(
                    "UPDATE verification_codes SET closed_at = $2 WHERE appeal_id = $1 AND closed_at IS NULL",
                )
                .bind(appeal_id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                let id = uuid::Uuid::now_v7();
                sqlx::query(
                    "INSERT INTO verification_codes (id, appeal_id, via, code_hash, attempts, expires_at, \
                     created_by, created_at, client_id, claimed) VALUES ($1, $2, $3, $4, 0, $5, $6, $7, $8, $9)",
                )
                .bind(id)
                .bind(appeal_id)
                .bind(code.via.as_str())
                .bind(&code.code_hash)
                .bind(code.expires_at)
                .bind(actor.staff_id())
                .bind(now)
                .bind(code.client_id)
                .bind(&code.claimed)
                .execute(&mut *tx)
                .await?;
                Self::event(
                    &mut tx,
                    now,
                    $crate::events::Draft::typed(
                        actor,
                        baylanys_domain::Payload::CodeSent(baylanys_domain::events::CodeSent { via: code.via, code_id: id }),
                    )
                    .appeal(appeal_id)
                    .client(appeal.client_id),
                )
                .await?;
                tx.commit().await?;
                Ok(id)
            }

            async fn codes_issued_since(
                &self,
                appeal_id: uuid::Uuid,
                since: chrono::DateTime<chrono::Utc>,
            ) -> $crate::StoreResult<u32> {
                let (n,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM verification_codes WHERE appeal_id = $1 AND created_at >= $2",
                )
                .bind(appeal_id)
                .bind(since)
                .fetch_one(&self.reader)
                .await?;
                Ok(u32::try_from(n).unwrap_or(u32::MAX))
            }

            async fn verification_failures_since(
                &self,
                appeal_id: uuid::Uuid,
                since: chrono::DateTime<chrono::Utc>,
            ) -> $crate::StoreResult<u32> {
                let (n,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM events WHERE appeal_id = $1 AND kind = $2 AND at >= $3",
                )
                .bind(appeal_id)
                .bind(baylanys_domain::event_kind::CLIENT_VERIFICATION_FAILED)
                .bind(since)
                .fetch_one(&self.reader)
                .await?;
                Ok(u32::try_from(n).unwrap_or(u32::MAX))
            }

            async fn verification_failed(
                &self,
                appeal_id: uuid::Uuid,
                method: &str,
                scope: baylanys_domain::AppealScope,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<()> {
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                let appeal = Self::appeal_in_tx(&mut tx, appeal_id, scope).await?;
                Self::event(
                    &mut tx,
                    now,
                    $crate::events::Draft::typed(
                        actor,
                        baylanys_domain::Payload::VerificationFailed(
                            baylanys_domain::events::VerificationFailed { method: method.to_owned(), attempts: 1 },
                        ),
                    )
                    .appeal(appeal_id)
                    .client(appeal.client_id),
                )
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn check_code(
                &self,
                appeal_id: uuid::Uuid,
                code_hash: &str,
                max_attempts: u32,
                scope: baylanys_domain::AppealScope,
                actor: $crate::Actor,
            ) -> $crate::StoreResult<$crate::CodeCheck> {
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                let mut appeal = Self::appeal_in_tx(&mut tx, appeal_id, scope).await?;
                #[allow(clippy::type_complexity)]
                let open: Option<(uuid::Uuid, String, String, i64, chrono::DateTime<chrono::Utc>, Option<uuid::Uuid>, Option<String>)> =
                    sqlx::query_as(
                        "SELECT id, via, code_hash, attempts, expires_at, client_id, claimed FROM verification_codes \
                         WHERE appeal_id = $1 AND closed_at IS NULL ORDER BY created_at DESC LIMIT 1",
                    )
                    .bind(appeal_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                let Some((code_id, via, stored, attempts, expires_at, target, claimed)) = open else {
                    return Ok($crate::CodeCheck::NoCode);
                };
                if expires_at < now {
                    return Ok($crate::CodeCheck::Expired);
                }
                let attempts = attempts + 1;
                let matched = stored == code_hash;
                let exhausted = !matched && attempts >= i64::from(max_attempts);
                sqlx::query(
                    "UPDATE verification_codes SET attempts = $2, closed_at = $3 WHERE id = $1",
                )
                .bind(code_id)
                .bind(attempts)
                .bind((matched || exhausted).then_some(now))
                .execute(&mut *tx)
                .await?;
                let method = format!("otp_{via}");
                if !matched {
                    Self::event(
                        &mut tx,
                        now,
                        $crate::events::Draft::typed(
                            actor,
                            baylanys_domain::Payload::VerificationFailed(
                                baylanys_domain::events::VerificationFailed { method: method.clone(), attempts },
                            ),
                        )
                        .appeal(appeal_id)
                        .client(appeal.client_id),
                    )
                    .await?;
                    tx.commit().await?;
                    let left = i64::from(max_attempts).saturating_sub(attempts).max(0);
                    return Ok($crate::CodeCheck::Wrong {
                        attempts_left: u32::try_from(left).unwrap_or(0),
                    });
                }
                // The code went to a claimed address: it is the client's now. Someone else's
                // meanwhile (a race): it stays a claim.
                if let Some(address) = &claimed {
                    let channel = match via.as_str() {
                        "email" => baylanys_domain::Channel::Email,
                        _ => baylanys_domain::Channel::Voice,
                    };
                    match Self::insert_identity(&mut tx, appeal.client_id, channel, address, now).await {
                        Err($crate::StoreError::Conflict(_)) => {}
                        Err(e) => return Err(e),
                        Ok(()) => Self::event(
                            &mut tx,
                            now,
                            $crate::events::Draft::typed(
                                actor,
                                baylanys_domain::Payload::IdentityAdded(baylanys_domain::events::IdentityAdded {
                                    channel,
                                }),
                            )
                            .appeal(appeal_id)
                            .client(appeal.client_id),
                        )
                        .await?,
                    }
                }
                if let Some(target) = target {
                    Self::link_in_tx(&mut tx, &mut appeal, target, &method, actor).await?;
                }
                let verified = Self::verify_in_tx(&mut tx, &appeal, &method, actor).await?;
                tx.commit().await?;
                Ok($crate::CodeCheck::Verified(Box::new(verified)))
            }
        }
    };
}
pub(crate) use impl_verification_store;
