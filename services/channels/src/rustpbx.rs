//! RustPBX's step-mode IVR (RustPBX 0.5, MIT; `app = "ivr"`, `mode = "step"`), the on-premises
//! adapter of the phone: for every step of a call the PBX POSTs what happened (the call
//! started, a key, a silence ran out, a transfer's result) and runs the one action node the
//! answer names. This module reads those requests and writes the centre's voice actions as
//! action nodes; `routes::rustpbx` carries them over HTTP.
//!
//! The protocol is pull-only, so the centre's own queue is a chain of silences
//! (`dtmf_menu` with no greeting: a key comes back at once, the end of the silence as
//! `dtmf_menu_timeout`), each a chance to announce, to take a callback key, or to put the
//! caller through once an operator accepted. A caller's hang-up is not a step: RustPBX tells it
//! through its event webhook (`[rwi_webhook]`, event `call_hangup`).

use baylanys_domain::voice::VoiceAction;
use baylanys_domain::Language;
use serde::Deserialize;
use serde_json::{json, Value};

/// One step request (`ProviderContext`): the call (its SIP Call-ID), the step's number and the
/// event.
#[derive(Debug, Clone, Deserialize)]
pub struct Step {
    pub session_id: String,
    #[serde(default)]
    pub app_execution_id: Option<i64>,
    #[serde(default)]
    pub caller: Option<String>,
    #[serde(default)]
    pub callee: Option<String>,
    #[serde(default)]
    pub step_index: Option<i64>,
    #[serde(default)]
    pub event: Option<StepEvent>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct StepEvent {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub digit: Option<String>,
    #[serde(default)]
    pub outcome: Option<String>,
    #[serde(default)]
    pub reason: Option<String>,
}

/// One event of the PBX's event webhook (`[rwi_webhook]`).
#[derive(Debug, Clone, Deserialize)]
pub struct PbxEvent {
    pub call_id: String,
    pub event_type: String,
}

/// The user part of a SIP URI (`sip:+77011234567@pbx` → `+77011234567`): the number the call
/// came from as the PBX saw it.
pub fn user_of(uri: &str) -> Option<String> {
    let rest = uri
        .trim()
        .trim_start_matches('<')
        .strip_prefix("sip:")
        .or_else(|| uri.trim().strip_prefix("tel:"))?;
    let user = rest.split(['@', ';', '>']).next()?;
    (!user.is_empty()).then(|| user.to_owned())
}

/// How the adapter speaks: text through the PBX's speech synthesiser (its `tts` driver in the
/// route's `app_params`), or not at all (text prompts are only logged, recorded prompts play).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Voice {
    pub tts: bool,
}

/// The synthesiser's voice per language, as the PBX's `tts_voice` names it.
fn tts_voice(l: Language) -> &'static str {
    match l {
        Language::Kk => "kk",
        Language::Ru => "ru",
        Language::En => "en",
    }
}

fn file_of(url: &str) -> String {
    url.strip_prefix("file://").unwrap_or(url).to_owned()
}

/// The prompts to play, as nodes (text without a synthesiser is left out: logged by the caller).
fn prompt(a: &VoiceAction, voice: Voice) -> Option<Value> {
    match a {
        VoiceAction::Play { url } => {
            Some(json!({"type": "prompt", "file": file_of(url), "interruptible": true}))
        }
        VoiceAction::Say { text, language } if voice.tts => Some(json!({
            "type": "prompt", "tts_text": text, "tts_voice": tts_voice(*language), "interruptible": true
        })),
        _ => None,
    }
}

/// Chains prompts in front of a final node through `next`.
fn chain(prompts: Vec<Value>, last: Value) -> Value {
    prompts.into_iter().rev().fold(last, |next, mut p| {
        p["next"] = next;
        p
    })
}

/// The action node for the centre's actions. `Leave` never reaches here (the route asks the
/// centre for the next actions at once: the PBX has no holding area to leave).
pub fn render(actions: &[VoiceAction], voice: Voice) -> Value {
    let mut prompts = Vec::new();
    for a in actions {
        let last = match a {
            VoiceAction::Say { .. } | VoiceAction::Play { .. } => {
                prompts.extend(prompt(a, voice));
                continue;
            }
            VoiceAction::Gather {
                prompts: inner,
                timeout_secs,
                ..
            } => {
                prompts.extend(inner.iter().filter_map(|p| prompt(p, voice)));
                json!({"type": "dtmf_menu", "timeout_ms": u64::from(*timeout_secs) * 1000})
            }
            // Into the centre's queue: its first tick at once.
            VoiceAction::Enqueue => json!({"type": "dtmf_menu", "timeout_ms": 1}),
            VoiceAction::Pause { secs } => {
                json!({"type": "dtmf_menu", "timeout_ms": u64::from(*secs) * 1000})
            }
            // A call whose caller was told it is recorded starts its recording here, as the
            // operator's phone is put through: the PBX's `[recording]` policy is enabled with
            // `auto_start = false`, so no other call is recorded at all.
            VoiceAction::Bridge { to, record } => {
                let transfer = json!({"type": "transfer", "target": to, "wait_for_result": true});
                if *record {
                    json!({"type": "record_start", "segment_type": "call", "next": transfer})
                } else {
                    transfer
                }
            }
            VoiceAction::Hangup | VoiceAction::Leave => json!({"type": "hangup"}),
        };
        return chain(std::mem::take(&mut prompts), last);
    }
    // Nothing to do now (a call already with its operator): a silence, then the next step.
    chain(prompts, json!({"type": "dtmf_menu", "timeout_ms": 5000}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_come_from_the_uri() {
        assert_eq!(
            user_of("sip:+77011234567@127.0.0.1:5061").as_deref(),
            Some("+77011234567")
        );
        assert_eq!(
            user_of("<sip:sipp@127.0.0.1;transport=UDP>").as_deref(),
            Some("sipp")
        );
        assert_eq!(user_of("anonymous"), None);
    }

    #[test]
    fn a_question_is_its_prompts_then_a_silence_that_listens() {
        let node = render(
            &[VoiceAction::Gather {
                prompts: vec![
                    VoiceAction::Play {
                        url: "file:///srv/menu.wav".into(),
                    },
                    VoiceAction::Say {
                        text: "0 басыңыз".into(),
                        language: Language::Kk,
                    },
                ],
                max_digits: 1,
                timeout_secs: 6,
                step: 1,
            }],
            Voice { tts: false },
        );
        assert_eq!(
            node,
            json!({"type": "prompt", "file": "/srv/menu.wav", "interruptible": true,
                   "next": {"type": "dtmf_menu", "timeout_ms": 6000}})
        );
        let spoken = render(
            &[
                VoiceAction::Say {
                    text: "Сау болыңыз".into(),
                    language: Language::Kk,
                },
                VoiceAction::Hangup,
            ],
            Voice { tts: true },
        );
        assert_eq!(spoken["tts_voice"], "kk");
        assert_eq!(spoken["next"], json!({"type": "hangup"}));
        let bridge = render(
            &[VoiceAction::Bridge {
                to: "sip:101@127.0.0.1:5070".into(),
                record: false,
            }],
            Voice::default(),
        );
        assert_eq!(
            bridge,
            json!({"type": "transfer", "target": "sip:101@127.0.0.1:5070", "wait_for_result": true})
        );
        let recorded = render(
            &[VoiceAction::Bridge {
                to: "sip:101@127.0.0.1:5070".into(),
                record: true,
            }],
            Voice::default(),
        );
        assert_eq!(
            recorded,
            json!({"type": "record_start", "segment_type": "call",
                   "next": {"type": "transfer", "target": "sip:101@127.0.0.1:5070", "wait_for_result": true}})
        );
    }
}
