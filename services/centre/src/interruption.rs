//! A service interruption as citizens meet it (R34): while the switch is on, a caller hears the
//! notice before the menu, and a citizen writing in the web chat, Telegram or e-mail gets it as
//! an auto-reply on their own channel, in their appeal's language — once per appeal and
//! interruption (the notice's key), with the new appeal's registration in the same transaction,
//! or after their message on an appeal already open. A machine's mail gets nothing, so two
//! robots never answer each other.

use baylanys_domain::notice::OutOfHoursSettings;
use baylanys_domain::voice::{Prompt, ServiceNotice};
use baylanys_domain::{Channel, Language};
use baylanys_store::{Appeal, Tell};

use crate::notify::Teller;
use crate::{Centre, CentreResult};

/// The notice in force, with the other channels it names.
#[derive(Debug, Clone)]
pub(crate) struct Interruption {
    notice: ServiceNotice,
    other: OutOfHoursSettings,
}

/// The channels whose citizens get the notice as an auto-reply; a call hears it in the menu.
pub(crate) fn auto_replied(channel: Channel) -> bool {
    matches!(
        channel,
        Channel::WebChat | Channel::Telegram | Channel::Email
    )
}

impl Interruption {
    pub(crate) fn words(&self, language: Language) -> Option<String> {
        self.notice.words(
            language,
            self.other.other_channels(language),
            baylanys_store::now(),
        )
    }

    pub(crate) fn prompt(&self, language: Language) -> Option<Prompt> {
        self.notice.prompt(
            language,
            self.other.other_channels(language),
            baylanys_store::now(),
        )
    }

    /// The auto-reply to `appeal`'s citizen where they wrote from: no fallback to another
    /// channel (an auto-reply is not worth an SMS).
    pub(crate) fn tell(&self, teller: &Teller, appeal: &Appeal) -> Option<Tell> {
        let key = format!("{}:{}", self.notice.key()?, appeal.id);
        let text = self.words(appeal.language)?;
        let mut tell = teller.text(appeal, text.clone(), text, key)?;
        if let Some(d) = tell.delivery.as_mut() {
            d.fallbacks.clear();
        }
        Some(tell)
    }
}

impl Centre {
    /// The interruption notice if it is on now.
    pub(crate) async fn interruption(&self) -> CentreResult<Option<Interruption>> {
        let notice = self.store.service_notice().await?;
        if !notice.active {
            return Ok(None);
        }
        let other = self.store.out_of_hours_settings().await?;
        Ok(Some(Interruption { notice, other }))
    }

    /// The words a citizen on `channel` in `language` sees before writing (the web chat's
    /// greeting), if the service is interrupted now.
    pub async fn interruption_words(&self, language: Language) -> CentreResult<Option<String>> {
        Ok(self.interruption().await?.and_then(|i| i.words(language)))
    }

    /// After a citizen's message on an appeal already open: the notice, unless this appeal was
    /// told during this interruption already. A failure is logged: the message is stored.
    pub(crate) async fn tell_interruption(&self, appeal_id: uuid::Uuid, channel: Channel) {
        if !auto_replied(channel) {
            return;
        }
        let told = async {
            let Some(i) = self.interruption().await? else {
                return Ok(None);
            };
            let appeal = self
                .store
                .get_appeal(appeal_id, baylanys_domain::AppealScope::All)
                .await?;
            let teller = self.teller(&appeal).await;
            CentreResult::Ok(i.tell(&teller, &appeal))
        };
        match told.await {
            Ok(Some(tell)) => self.write(appeal_id, tell).await,
            Ok(None) => {}
            Err(e) => tracing::warn!(error = %e, "interruption notice not told"),
        }
    }
}
