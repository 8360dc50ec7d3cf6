//! Satisfaction surveys (R5.7, KPI 3): asked once per appeal, answered once.

macro_rules! impl_survey_store {
    ($store:ty, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::SurveyStore for $store {
            async fn ask_survey(
                &self,
                appeal_id: uuid::Uuid,
                channel: baylanys_domain::Channel,
                token_hash: Option<String>,
                also: $crate::Also,
            ) -> $crate::StoreResult<Option<$crate::Appeal>> {
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                let mut appeal = Self::appeal_in_tx(&mut tx, appeal_id, baylanys_domain::AppealScope::All).await?;
                let inserted = sqlx::query(
                    "INSERT INTO surveys (appeal_id, channel, asked_at, token_hash) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (appeal_id) DO NOTHING",
                )
                .bind(appeal_id)
                .bind(channel.as_str())
                .bind(now)
                .bind(&token_hash)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                    == 1;
                if inserted {
                    Self::event(
                        &mut tx,
                        now,
                        $crate::events::Draft::typed(
                            $crate::Actor::SYSTEM,
                            baylanys_domain::Payload::SurveyAsked(baylanys_domain::events::SurveyAsked {
                                channel,
                                by_link: token_hash.is_some(),
                            }),
                        )
                        .appeal(appeal_id)
                        .client(appeal.client_id),
                    )
                    .await?;
                    Self::also_in_tx(&mut tx, &mut appeal, also, now).await?;
                }
                tx.commit().await?;
                Ok(inserted.then_some(appeal))
            }

            async fn survey_by_token(
                &self,
                token_hash: &str,
            ) -> $crate::StoreResult<Option<$crate::SurveyLink>> {
                let row: Option<(uuid::Uuid, String, String, Option<chrono::DateTime<chrono::Utc>>)> =
                    sqlx::query_as(
                        "SELECT a.id, a.number, a.language, s.answered_at FROM surveys s \
                         JOIN appeals a ON a.id = s.appeal_id WHERE s.token_hash = $1",
                    )
                    .bind(token_hash)
                    .fetch_optional(&self.reader)
                    .await?;
                row.map(|(appeal_id, number, language, answered_at)| {
                    Ok($crate::SurveyLink {
                        appeal_id,
                        number,
                        language: language
                            .parse()
                            .map_err(|_| $crate::StoreError::Corrupt(format!("language {language:?}")))?,
                        answered: answered_at.is_some(),
                    })
                })
                .transpose()
            }

            async fn answer_survey(
                &self,
                appeal_id: uuid::Uuid,
                score: u8,
                comment: Option<String>,
            ) -> $crate::StoreResult<()> {
                if !(1..=5).contains(&score) {
                    return Err(baylanys_domain::DomainError::InvalidField {
                        field: "score",
                        reason: "from 1 to 5".into(),
                    }
                    .into());
                }
                let now = $crate::now();
                let mut tx = self.writer.begin().await?;
                let appeal = Self::appeal_in_tx(&mut tx, appeal_id, baylanys_domain::AppealScope::All).await?;
                let answered: Option<(String,)> = sqlx::query_as(
                    "UPDATE surveys SET score = $2, comment = $3, answered_at = $4 \
                     WHERE appeal_id = $1 AND answered_at IS NULL RETURNING channel",
                )
                .bind(appeal_id)
                .bind(i64::from(score))
                .bind(&comment)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
                let Some((channel,)) = answered else {
                    let (asked,): (i64,) =
                        sqlx::query_as("SELECT COUNT(*) FROM surveys WHERE appeal_id = $1")
                            .bind(appeal_id)
                            .fetch_one(&mut *tx)
                            .await?;
                    return Err(if asked > 0 {
                        $crate::StoreError::Conflict("the survey was already answered".into())
                    } else {
                        $crate::StoreError::NotFound("survey")
                    });
                };
                let channel: Option<baylanys_domain::Channel> = channel.parse().ok();
                Self::event(
                    &mut tx,
                    now,
                    $crate::events::Draft::typed(
                        // The client answered, on the channel they were asked on.
                        match channel {
                            Some(channel) => $crate::Actor::Client { channel },
                            None => $crate::Actor::SYSTEM,
                        },
                        baylanys_domain::Payload::SurveyAnswered(baylanys_domain::events::SurveyAnswered {
                            score,
                            channel,
                            assignee_id: appeal.assignee_id,
                            commented: comment.is_some(),
                        }),
                    )
                    .appeal(appeal_id)
                    .client(appeal.client_id),
                )
                .await?;
                tx.commit().await?;
                Ok(())
            }
        }
    };
}
pub(crate) use impl_survey_store;
