//! What the run did, counted as it happens, for the closing summary. The server's own figures
//! (`/api/v1/kpis`) are computed from its event log; these are the demo's side of the story.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use baylanys_domain::Channel;

#[derive(Debug, Default)]
pub struct Stats {
    pub web_chat: AtomicU64,
    pub voice: AtomicU64,
    pub email: AtomicU64,
    pub in_person: AtomicU64,
    pub repeats: AtomicU64,
    pub calls_answered: AtomicU64,
    pub calls_lost: AtomicU64,
    /// Of the lost calls, those hung up within a second.
    pub calls_hung_up: AtomicU64,
    pub chats_answered: AtomicU64,
    pub surveys: AtomicU64,
    pub survey_points: AtomicU64,
    pub complaints: AtomicU64,
    pub complaints_decided: AtomicU64,
    pub complaints_confirmed: AtomicU64,
    pub redirections: AtomicU64,
    pub body_answers: AtomicU64,
    pub extensions: AtomicU64,
    refused: Mutex<Vec<String>>,
}

pub fn add(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

fn get(counter: &AtomicU64) -> u64 {
    counter.load(Ordering::Relaxed)
}

impl Stats {
    pub fn contact(&self, channel: Channel) {
        add(match channel {
            Channel::WebChat => &self.web_chat,
            Channel::Voice => &self.voice,
            Channel::Email => &self.email,
            _ => &self.in_person,
        });
    }

    pub fn survey(&self, score: u8) {
        add(&self.surveys);
        self.survey_points
            .fetch_add(u64::from(score), Ordering::Relaxed);
    }

    /// A step the server refused (or that never reached it): told at once, counted, and the
    /// run goes on.
    pub fn refused(&self, what: &str) {
        eprintln!("  ! {what}");
        self.refused
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(what.to_owned());
    }

    pub fn refusals(&self) -> usize {
        self.refused.lock().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn summary(&self) -> String {
        let total =
            get(&self.web_chat) + get(&self.voice) + get(&self.email) + get(&self.in_person);
        let surveys = get(&self.surveys);
        let mean = if surveys > 0 {
            format!(
                " (mean {:.1})",
                get(&self.survey_points) as f64 / surveys as f64
            )
        } else {
            String::new()
        };
        [
            format!(
                "  contacts   {total}: web chat {}, voice {}, e-mail {}, in person {} ({} repeat contacts)",
                get(&self.web_chat),
                get(&self.voice),
                get(&self.email),
                get(&self.in_person),
                get(&self.repeats),
            ),
            format!(
                "  calls      {} answered, {} lost ({} hung up within a second)",
                get(&self.calls_answered),
                get(&self.calls_lost),
                get(&self.calls_hung_up),
            ),
            format!(
                "  chats      {} answered, {surveys} surveys answered{mean}",
                get(&self.chats_answered),
            ),
            format!(
                "  appeals    {} redirected ({} answered by the ministry), {} extended",
                get(&self.redirections),
                get(&self.body_answers),
                get(&self.extensions),
            ),
            format!(
                "  complaints {} registered, {} decided ({} confirmed)",
                get(&self.complaints),
                get(&self.complaints_decided),
                get(&self.complaints_confirmed),
            ),
            format!("  refused    {} steps", self.refusals()),
        ]
        .join("\n")
    }
}
