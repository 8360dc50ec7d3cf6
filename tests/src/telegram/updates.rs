//! Builders of realistic Update objects (without `update_id`), as Telegram sends them for a
//! private chat with the bot.

use std::sync::atomic::{AtomicI64, Ordering};

use serde_json::{json, Value};

use super::{BotApi, BOT_ID};

/// Message ids of the users' messages and the bot's, increasing across all servers of the
/// process.
static MESSAGE_ID: AtomicI64 = AtomicI64::new(1);
static CALLBACK_ID: AtomicI64 = AtomicI64::new(1);

pub(super) fn next_message_id() -> i64 {
    MESSAGE_ID.fetch_add(1, Ordering::Relaxed)
}

pub(super) fn unix_now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// A stable `file_unique_id` for a `file_id`.
pub(super) fn unique_id(file_id: &str) -> String {
    // FNV-1a: the same id in every run.
    let hash = file_id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("AgAD{hash:016x}")
}

/// The bot as a User.
pub(super) fn bot_user(id: i64) -> Value {
    json!({"id": id, "is_bot": true, "first_name": "Baylanys", "username": "baylanys_test_bot"})
}

/// A Chat: private for a user's id, a group or supergroup for a negative one.
pub(super) fn chat_object(id: i64, first_name: Option<&str>) -> Value {
    match (id, first_name) {
        (i64::MIN..=-1_000_000_000_000, _) => {
            json!({"id": id, "title": "Group", "type": "supergroup"})
        }
        (i64::MIN..=-1, _) => json!({"id": id, "title": "Group", "type": "group"}),
        (_, Some(name)) => json!({"id": id, "first_name": name, "type": "private"}),
        (_, None) => json!({"id": id, "type": "private"}),
    }
}

/// The user of a private chat (its id is the chat's).
fn user(chat_id: i64, first_name: &str, language_code: &str) -> Value {
    let mut user = json!({"id": chat_id, "is_bot": false, "first_name": first_name});
    if !language_code.is_empty() {
        user["language_code"] = json!(language_code);
    }
    user
}

/// A new message from the user of `chat_id`, with `content` (e.g. `{"text": …}`) merged in.
fn message(chat_id: i64, first_name: &str, language_code: &str, content: Value) -> Value {
    let mut message = json!({
        "message_id": next_message_id(),
        "from": user(chat_id, first_name, language_code),
        "chat": chat_object(chat_id, Some(first_name)),
        "date": unix_now(),
    });
    if let (Some(m), Value::Object(c)) = (message.as_object_mut(), content) {
        m.extend(c);
    }
    message
}

/// The first name of the users that builders other than [`BotApi::text`] make.
const CLIENT: &str = "Client";

/// A file's `file_id`, `file_unique_id` and `file_size`, with `extra` fields.
fn file(file_id: &str, size: u64, extra: Value) -> Value {
    let mut f =
        json!({"file_id": file_id, "file_unique_id": unique_id(file_id), "file_size": size});
    if let (Some(m), Value::Object(e)) = (f.as_object_mut(), extra) {
        m.extend(e);
    }
    f
}

impl BotApi {
    /// A text message in a private chat: `message_id` (increasing), `from` {id, is_bot: false,
    /// first_name, language_code (left out when empty)}, `chat` {id, first_name, type:
    /// "private"}, `date` (now), `text`; a text starting with `/` gets a `bot_command` entity
    /// over its first word.
    pub fn text(chat_id: i64, first_name: &str, language_code: &str, text: &str) -> Value {
        let mut content = json!({"text": text});
        if text.starts_with('/') {
            let command = text.split_whitespace().next().unwrap_or(text);
            let length = command.encode_utf16().count();
            content["entities"] = json!([{"type": "bot_command", "offset": 0, "length": length}]);
        }
        json!({"message": message(chat_id, first_name, language_code, content)})
    }

    /// A press of an inline keyboard button with callback `data` under the bot's message
    /// `message_id` (whose text is `…`) in the private chat `chat_id`.
    pub fn callback(chat_id: i64, data: &str, message_id: i64) -> Value {
        let id = CALLBACK_ID.fetch_add(1, Ordering::Relaxed);
        let instance = (chat_id as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 1;
        json!({"callback_query": {
            "id": format!("{}", 4_000_000_000_000_000_000_i64 + id),
            "from": user(chat_id, CLIENT, ""),
            "message": {
                "message_id": message_id, "from": bot_user(BOT_ID),
                "chat": chat_object(chat_id, Some(CLIENT)), "date": unix_now() - 60, "text": "…",
            },
            "chat_instance": format!("-{instance}"),
            "data": data,
        }})
    }

    /// The user shares their own contact: `contact` {phone_number, first_name, user_id}.
    pub fn contact(chat_id: i64, phone: &str) -> Value {
        let contact = json!({"phone_number": phone, "first_name": CLIENT, "user_id": chat_id});
        json!({"message": message(chat_id, CLIENT, "", json!({"contact": contact}))})
    }

    /// A file sent as a document (no caption).
    pub fn document(chat_id: i64, file_id: &str, file_name: &str, mime: &str, size: u64) -> Value {
        let document = file(
            file_id,
            size,
            json!({"file_name": file_name, "mime_type": mime}),
        );
        json!({"message": message(chat_id, CLIENT, "", json!({"document": document}))})
    }

    /// A photo (no caption): two sizes, largest last; the largest is `file_id` of `size` bytes,
    /// the thumbnail `{file_id}-s`.
    pub fn photo(chat_id: i64, file_id: &str, size: u64) -> Value {
        let small = file(
            &format!("{file_id}-s"),
            (size / 20).max(1),
            json!({"width": 90, "height": 67}),
        );
        let large = file(file_id, size, json!({"width": 1280, "height": 960}));
        json!({"message": message(chat_id, CLIENT, "", json!({"photo": [small, large]}))})
    }

    /// A voice note of `duration` seconds (`audio/ogg`).
    pub fn voice(chat_id: i64, file_id: &str, duration: u32, size: u64) -> Value {
        let voice = file(
            file_id,
            size,
            json!({"duration": duration, "mime_type": "audio/ogg"}),
        );
        json!({"message": message(chat_id, CLIENT, "", json!({"voice": voice}))})
    }

    /// The user edited their message `message_id`: `edited_message` with `edit_date`.
    pub fn edited(chat_id: i64, message_id: i64, text: &str) -> Value {
        let mut m = message(chat_id, CLIENT, "", json!({"text": text}));
        m["message_id"] = json!(message_id);
        m["edit_date"] = m["date"].clone();
        m["date"] = json!(unix_now() - 60);
        json!({"edited_message": m})
    }

    /// An update of a kind the centre does not handle: a `poll_answer`.
    pub fn unknown() -> Value {
        json!({"poll_answer": {
            "poll_id": "5123456789012345678",
            "user": user(1, CLIENT, ""),
            "option_ids": [0],
        }})
    }
}
