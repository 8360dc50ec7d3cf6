//! The voice menu (clause 3.15, R12.3): each question with the operator one key away, the
//! caller's choice, self-service answers, another language, and the way out to an operator —
//! or, when the queue is closed, the hours and a callback offer.

use baylanys_domain::events::CallMenu;
use baylanys_domain::voice::{phrases, CallPhase, Choice, IvrMenu, VoiceAction, MAIN_MENU};
use baylanys_domain::{AppealScope, Channel, Language};
use baylanys_store::{Actor, Call};
use uuid::Uuid;

use super::{prompt_actions, say, Turn, CLOSED};
use crate::{Centre, CentreResult};

impl Centre {
    /// The Gather that asks a menu's question: the prefix (what went wrong before), the
    /// menu's prompt, and the operator hint.
    pub(super) fn ask(
        call: &mut Call,
        menu: &IvrMenu,
        prefix: Vec<VoiceAction>,
    ) -> Vec<VoiceAction> {
        call.steps += 1;
        let mut prompts = prefix;
        prompts.extend(prompt_actions(&menu.prompt, call.language));
        prompts.push(say(phrases::operator_hint(call.language), call.language));
        vec![VoiceAction::Gather {
            prompts,
            max_digits: 1,
            timeout_secs: menu.timeout_secs,
            step: call.steps,
        }]
    }

    pub(super) async fn menu_choice(
        &self,
        mut call: Call,
        digits: Option<&str>,
    ) -> CentreResult<Turn> {
        let l = call.language;
        if call.menu == CLOSED {
            return self.closed_choice(call, digits).await;
        }
        let Some(menu) = self.store.ivr_menu(l, &call.menu).await? else {
            // The menu was removed while the caller was in it.
            return self.to_operator(call, None, None, Vec::new()).await;
        };
        let menu = menu.menu;
        let choice = menu.choose(digits);
        let (led_to, label) = match &choice {
            Choice::Nothing => ("nothing", None),
            Choice::Unknown => ("unknown", None),
            Choice::Menu { label, .. } => ("menu", Some(label.clone())),
            Choice::Operator { label, .. } => ("operator", label.clone()),
            Choice::Answer { label, .. } | Choice::Article { label, .. } => {
                ("answer", Some(label.clone()))
            }
            Choice::Language(lang) => ("language", Some(lang.as_str().to_owned())),
            Choice::Repeat => ("repeat", None),
            Choice::Hangup => ("hangup", None),
        };
        let step = CallMenu {
            menu: call.menu.clone(),
            digit: digits.map(|d| d.chars().take(8).collect()),
            led_to: led_to.into(),
            label: label.clone(),
        };
        if let Some(label) = &label {
            if call.path.len() < 20 {
                call.path.push(label.chars().take(80).collect());
            }
        }
        let mut turn = match choice {
            Choice::Nothing | Choice::Unknown => {
                call.tries += 1;
                if call.tries > menu.retries {
                    self.to_operator(call, None, None, Vec::new()).await?
                } else {
                    let why = if matches!(choice, Choice::Nothing) {
                        phrases::nothing_pressed(l)
                    } else {
                        phrases::not_understood(l)
                    };
                    let actions = Self::ask(&mut call, &menu, vec![say(why, l)]);
                    Turn::of(call, actions)
                }
            }
            Choice::Repeat => {
                let actions = Self::ask(&mut call, &menu, Vec::new());
                Turn::of(call, actions)
            }
            Choice::Menu { key, .. } => self.enter_menu(call, l, &key, Vec::new()).await?,
            Choice::Language(lang) => {
                call.language = lang;
                self.enter_menu(call, lang, MAIN_MENU, Vec::new()).await?
            }
            Choice::Answer { prompt, .. } => {
                // Self-service (R12.3): the answer, then the same menu again.
                call.tries = 0;
                let answer = prompt_actions(&prompt, l);
                let actions = Self::ask(&mut call, &menu, answer);
                Turn::of(call, actions)
            }
            Choice::Article { slug, .. } => match self.spoken_article(&slug, l).await? {
                // Self-service from the knowledge base: its short answer, then the menu again.
                Some(text) => {
                    call.tries = 0;
                    let actions = Self::ask(&mut call, &menu, vec![say(text, l)]);
                    Turn::of(call, actions)
                }
                // Withdrawn, or not written in this language: an operator answers instead.
                None => self.to_operator(call, None, None, Vec::new()).await?,
            },
            Choice::Operator {
                topic_id, queue_id, ..
            } => {
                self.to_operator(call, topic_id, queue_id, Vec::new())
                    .await?
            }
            Choice::Hangup => {
                self.call_gone(&call).await?;
                call.phase = CallPhase::Ended;
                Turn::of(call, vec![say(phrases::goodbye(l), l), VoiceAction::Hangup])
            }
        };
        turn.menu_steps.insert(0, step);
        Ok(turn)
    }

    async fn enter_menu(
        &self,
        mut call: Call,
        language: Language,
        key: &str,
        prefix: Vec<VoiceAction>,
    ) -> CentreResult<Turn> {
        match self.store.ivr_menu(language, key).await? {
            Some(menu) => {
                call.menu = key.to_owned();
                call.tries = 0;
                let actions = Self::ask(&mut call, &menu.menu, prefix);
                Ok(Turn::of(call, actions))
            }
            // An option to a menu not written yet reaches an operator.
            None => self.to_operator(call, None, None, prefix).await,
        }
    }

    /// Out of the menu to an operator: into the queue the routing table (or the option) names,
    /// unless that queue is closed now by its hours and the calendar — then the caller hears
    /// when it opens and may leave a callback request.
    pub(super) async fn to_operator(
        &self,
        mut call: Call,
        topic_id: Option<Uuid>,
        queue_id: Option<Uuid>,
        mut prefix: Vec<VoiceAction>,
    ) -> CentreResult<Turn> {
        let l = call.language;
        let appeal = self
            .store
            .get_appeal(call.appeal_id, AppealScope::All)
            .await?;
        let topic_id = topic_id.or(appeal.topic_id);
        let queue_id = match queue_id {
            Some(q) => Some(q),
            None => {
                self.choose_queue(topic_id, l, appeal.kind, Channel::Voice)
                    .await?
            }
        };
        let mut records = false;
        if let Some(q) = queue_id {
            let queue = self.store.get_queue(q).await?;
            records = queue.records_calls;
            let hours = queue.hours.unwrap_or_default();
            let calendar = self.store.calendar().await?;
            let now = baylanys_store::now();
            if !hours.is_open(&calendar, now) {
                call.menu = CLOSED.into();
                call.tries = 0;
                call.steps += 1;
                prefix.push(say(
                    phrases::closed(l, hours.next_opening(&calendar, now)),
                    l,
                ));
                prefix.push(say(phrases::callback_offer(l), l));
                let step = call.steps;
                return Ok(Turn::of(
                    call,
                    vec![VoiceAction::Gather {
                        prompts: prefix,
                        max_digits: 1,
                        timeout_secs: 6,
                        step,
                    }],
                ));
            }
        }
        self.store
            .enqueue_call(
                call.interaction_id,
                queue_id,
                topic_id,
                Actor::Client {
                    channel: Channel::Voice,
                },
            )
            .await?;
        self.changed();
        call.phase = CallPhase::Queued;
        call.queued_at = Some(baylanys_store::now());
        // A queue that records says so before anyone answers; only then is the call recorded.
        if records {
            call.recorded = true;
            prefix.push(say(phrases::recorded(l), l));
        }
        prefix.push(VoiceAction::Enqueue);
        Ok(Turn::of(call, prefix))
    }

    /// Closed hours: `1` leaves a callback request, anything else says goodbye.
    async fn closed_choice(&self, mut call: Call, digits: Option<&str>) -> CentreResult<Turn> {
        let l = call.language;
        if digits.is_some_and(|d| d.starts_with(phrases::CALLBACK_DIGIT)) {
            return self.callback(call).await;
        }
        self.call_gone(&call).await?;
        call.phase = CallPhase::Ended;
        Ok(Turn::of(
            call,
            vec![say(phrases::goodbye(l), l), VoiceAction::Hangup],
        ))
    }
}
