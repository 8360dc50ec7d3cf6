//! A Telegram sandbox for trying the Telegram channel on one machine (README, "Try the Telegram
//! bot"): the test harness's Bot API server — the wire format of `api.telegram.org`, here on
//! 127.0.0.1 — and this terminal as the citizen's Telegram app. What the bot says is printed
//! with its buttons numbered; what you type is sent as the citizen's message. Runs until `/quit`
//! or Ctrl-C.
//!
//! ```sh
//! cargo run -p baylanys-tests --example telegram_sandbox
//! ```

use std::sync::{Arc, Mutex};
use std::time::Duration;

use baylanys_tests::telegram::BotApi;
use serde_json::Value;

const TOKEN: &str = "7000000001:SandboxTokenForTryingBaylanys";
/// The citizen's chat (and user id).
const CHAT: i64 = 5001;

/// The buttons under the bot's last message that had any: callback data, in order.
type Buttons = Arc<Mutex<Vec<String>>>;

/// Prints each message the bot sends to the citizen, as it arrives.
async fn show(api: BotApi, buttons: Buttons) {
    let mut seen = 0;
    loop {
        let sent = api.sent();
        for s in sent.iter().skip(seen).filter(|s| s.chat_id == CHAT) {
            println!("\n🤖 {}", s.text);
            let inline: Vec<(String, String)> = s.reply_markup["inline_keyboard"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|row| row.as_array().cloned().unwrap_or_default())
                .map(|b| {
                    let text = b["text"].as_str().unwrap_or_default().to_owned();
                    let data = b["callback_data"].as_str().unwrap_or_default().to_owned();
                    (text, data)
                })
                .collect();
            if !inline.is_empty() {
                let labels: Vec<String> = inline
                    .iter()
                    .enumerate()
                    .map(|(i, (text, _))| format!("[{}] {text}", i + 1))
                    .collect();
                println!("   {}", labels.join("  "));
                *buttons.lock().unwrap_or_else(|e| e.into_inner()) =
                    inline.into_iter().map(|(_, data)| data).collect();
            }
            if s.reply_markup["keyboard"][0][0]["request_contact"] == Value::Bool(true) {
                println!("   (/phone shares your phone number)");
            }
        }
        seen = sent.len();
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let api = BotApi::start(TOKEN).await?;
    println!(
        r#"Telegram sandbox: a Bot API server at {url} (Ctrl-C or /quit stops it).

1. Start Baylanys (BAYLANYS_ADMIN_PASSWORD=change-me-now cargo run --release), log in as admin
   ($ADMIN, see "Try it with curl") and add the bot, pointed at this server:
   curl -s http://127.0.0.1:8080/api/v1/telegram/bots -H "authorization: Bearer $ADMIN" \
     -H 'content-type: application/json' \
     -d '{{"name":"Кеңес боты","token":"{TOKEN}","mode":"polling","api_url":"{url}"}}'

2. Write here as the citizen (a Kazakh-speaking user, chat {CHAT}): a line is a message;
   a number presses that button under the bot's last message; /phone shares your phone
   number; /edit <text> changes your last message; /status <appeal number> asks its state.

3. Answer from the console (http://127.0.0.1:8080/console): the answer appears here, and when
   the appeal is answered or closed, the survey with its buttons 1–5.
"#,
        url = api.url
    );
    let buttons: Buttons = Arc::default();
    tokio::spawn(show(api.clone(), buttons.clone()));
    // The terminal is read on a thread of its own: a blocking read must not hold the runtime.
    let (tx, mut lines) = tokio::sync::mpsc::channel::<String>(16);
    std::thread::spawn(move || {
        for line in std::io::stdin().lines().map_while(Result::ok) {
            if tx.blocking_send(line).is_err() {
                break;
            }
        }
    });
    let mut last_message: Option<i64> = None;
    loop {
        let line = tokio::select! {
            l = lines.recv() => l,
            _ = tokio::signal::ctrl_c() => None,
        };
        let Some(line) = line else { break };
        let line = line.trim().to_owned();
        let line = line.as_str();
        if line.is_empty() {
            continue;
        }
        if line == "/quit" {
            break;
        }
        if line == "/phone" {
            api.push(BotApi::contact(CHAT, "+77015550101"));
            continue;
        }
        if let Some(text) = line.strip_prefix("/edit ") {
            match last_message {
                Some(id) => {
                    api.push(BotApi::edited(CHAT, id, text));
                }
                None => println!("(nothing to edit yet)"),
            }
            continue;
        }
        if let Ok(n) = line.parse::<usize>() {
            let data: Option<String> = buttons
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .get(n.wrapping_sub(1))
                .cloned();
            match data {
                Some(data) => {
                    api.push(BotApi::callback(CHAT, &data, 1));
                }
                None => println!("(no button {n})"),
            }
            continue;
        }
        let update = BotApi::text(CHAT, "Айгүл", "kk", line);
        last_message = update["message"]["message_id"].as_i64();
        api.push(update);
    }
    println!("stopping the sandbox");
    api.shutdown().await;
    Ok(())
}
