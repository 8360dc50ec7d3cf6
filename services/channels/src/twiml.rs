//! The TwiML voice dialect (Twilio; SignalWire and Telnyx TeXML speak the same): checking the
//! `X-Twilio-Signature` of a webhook, and writing the centre's voice actions as TwiML.
//!
//! The signature is base64(HMAC-SHA1(auth token, the exact URL the provider called + every
//! form parameter's name and value, sorted by name)). It is checked against the deployment's
//! public URL, never the Host header a caller chooses.

use std::fmt::Write as _;

use base64::Engine as _;
use baylanys_domain::voice::VoiceAction;
use baylanys_domain::Language;
use hmac::{Hmac, Mac};
use sha1::Sha1;

type HmacSha1 = Hmac<Sha1>;

/// The signature the provider puts on a request to `url` with these form parameters.
pub fn signature(token: &str, url: &str, params: &[(String, String)]) -> String {
    signed(token, url, params)
        .map(|mac| base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()))
        .unwrap_or_default()
}

/// HMAC takes keys of any length, so this is `None` only in theory.
fn signed(token: &str, url: &str, params: &[(String, String)]) -> Option<HmacSha1> {
    let mut mac = HmacSha1::new_from_slice(token.as_bytes()).ok()?;
    mac.update(url.as_bytes());
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    for (k, v) in sorted {
        mac.update(k.as_bytes());
        mac.update(v.as_bytes());
    }
    Some(mac)
}

/// Whether `given` is the signature of this request, compared in constant time.
pub fn signature_matches(token: &str, url: &str, params: &[(String, String)], given: &str) -> bool {
    let Ok(given) = base64::engine::general_purpose::STANDARD.decode(given.trim()) else {
        return false;
    };
    signed(token, url, params).is_some_and(|mac| mac.verify_slice(&given).is_ok())
}

/// Where the provider is sent next: the webhook paths of this centre, absolute.
#[derive(Debug, Clone)]
pub struct Urls {
    /// `…/webhooks/voice/twilio`, without a trailing slash.
    pub base: String,
}

impl Urls {
    fn gather(&self, step: i64) -> String {
        format!("{}/gather?step={step}", self.base)
    }
}

fn escape(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 has no place for other control characters.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape(s, &mut out);
    out
}

/// The speech synthesiser's language tag.
fn tag(l: Language) -> &'static str {
    match l {
        Language::Kk => "kk-KZ",
        Language::Ru => "ru-RU",
        Language::En => "en-US",
    }
}

fn verb(a: &VoiceAction, urls: &Urls, out: &mut String) {
    match a {
        VoiceAction::Say { text, language } => {
            let _ = write!(
                out,
                "<Say language=\"{}\">{}</Say>",
                tag(*language),
                esc(text)
            );
        }
        VoiceAction::Play { url } => {
            let _ = write!(out, "<Play>{}</Play>", esc(url));
        }
        VoiceAction::Gather {
            prompts,
            max_digits,
            timeout_secs,
            step,
        } => {
            // actionOnEmptyResult: a timeout comes to the same URL without digits, so "nothing
            // pressed" is an event the centre answers, not a fall-through.
            let _ = write!(
                out,
                "<Gather input=\"dtmf\" numDigits=\"{max_digits}\" timeout=\"{timeout_secs}\" \
                 actionOnEmptyResult=\"true\" method=\"POST\" action=\"{}\">",
                esc(&urls.gather(*step))
            );
            for p in prompts {
                verb(p, urls, out);
            }
            out.push_str("</Gather>");
        }
        VoiceAction::Enqueue => {
            let _ = write!(
                out,
                "<Enqueue waitUrl=\"{base}/wait\" waitUrlMethod=\"POST\" action=\"{base}/left\" \
                 method=\"POST\">baylanys</Enqueue>",
                base = esc(&urls.base)
            );
        }
        VoiceAction::Pause { secs } => {
            let _ = write!(out, "<Pause length=\"{secs}\"/>");
        }
        VoiceAction::Leave => out.push_str("<Leave/>"),
        VoiceAction::Bridge { to, record } => {
            let target = if to.starts_with("sip:") {
                format!("<Sip>{}</Sip>", esc(to))
            } else {
                format!("<Number>{}</Number>", esc(to))
            };
            // Recorded from the operator's answer, each party on its own channel; the provider
            // tells `…/recording` when the file is ready.
            let record = if *record {
                format!(
                    " record=\"record-from-answer-dual\" recordingStatusCallback=\"{}/recording\" \
                     recordingStatusCallbackMethod=\"POST\" recordingStatusCallbackEvent=\"completed\"",
                    esc(&urls.base)
                )
            } else {
                String::new()
            };
            let _ = write!(
                out,
                "<Dial timeout=\"25\" method=\"POST\" action=\"{}/dial\"{record}>{target}</Dial>",
                esc(&urls.base)
            );
        }
        VoiceAction::Hangup => out.push_str("<Hangup/>"),
    }
}

/// The TwiML document for these actions.
pub fn render(actions: &[VoiceAction], urls: &Urls) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response>");
    for a in actions {
        verb(a, urls, &mut out);
    }
    out.push_str("</Response>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> Vec<(String, String)> {
        [
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+14158675309"),
            ("Digits", "1234"),
            ("From", "+14158675309"),
            ("To", "+18005551212"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }

    #[test]
    fn the_published_signature_vector() {
        // Twilio's documented example (DESIGN.md, technology notes).
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        assert_eq!(
            signature("12345", url, &params()),
            "RSOYDt4T1cUTdK1PDd93/VVr8B8="
        );
        assert!(signature_matches(
            "12345",
            url,
            &params(),
            "RSOYDt4T1cUTdK1PDd93/VVr8B8="
        ));
    }

    #[test]
    fn a_tampered_parameter_or_another_url_fails() {
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        let mut tampered = params();
        tampered[2].1 = "1235".into();
        assert!(!signature_matches(
            "12345",
            url,
            &tampered,
            "RSOYDt4T1cUTdK1PDd93/VVr8B8="
        ));
        assert!(!signature_matches(
            "12345",
            "https://other.example/myapp.php?foo=1&bar=2",
            &params(),
            "RSOYDt4T1cUTdK1PDd93/VVr8B8="
        ));
        assert!(!signature_matches("12345", url, &params(), "not base64!"));
    }

    #[test]
    fn actions_become_twiml_with_text_escaped() {
        let urls = Urls {
            base: "https://c.example/webhooks/voice/twilio".into(),
        };
        let xml = render(
            &[
                VoiceAction::Gather {
                    prompts: vec![VoiceAction::Say {
                        text: "A & B <c>".into(),
                        language: Language::Kk,
                    }],
                    max_digits: 1,
                    timeout_secs: 6,
                    step: 3,
                },
                VoiceAction::Bridge {
                    to: "sip:101@pbx".into(),
                    record: false,
                },
            ],
            &urls,
        );
        assert!(
            xml.contains("<Say language=\"kk-KZ\">A &amp; B &lt;c&gt;</Say>"),
            "{xml}"
        );
        assert!(xml.contains("action=\"https://c.example/webhooks/voice/twilio/gather?step=3\""));
        assert!(xml.contains("<Dial timeout=\"25\" method=\"POST\" action=\"https://c.example/webhooks/voice/twilio/dial\"><Sip>sip:101@pbx</Sip></Dial>"));
        let recorded = render(
            &[VoiceAction::Bridge {
                to: "+77011234567".into(),
                record: true,
            }],
            &urls,
        );
        assert!(recorded.contains("record=\"record-from-answer-dual\" recordingStatusCallback=\"https://c.example/webhooks/voice/twilio/recording\""), "{recorded}");
        assert!(recorded.contains("<Number>+77011234567</Number>"));
    }
}
