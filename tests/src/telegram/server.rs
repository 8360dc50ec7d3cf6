//! The HTTP side: routing, parameters, and the methods.

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, RawQuery, State as Shared};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use axum::{Json, Router};
use serde_json::{json, Map, Value};

use super::updates::{bot_user, chat_object, next_message_id, unique_id, unix_now};
use super::{Inner, Sent, State, Webhook};

const BLOCKED: &str = "Forbidden: bot was blocked by the user";
const WEBHOOK_ACTIVE: &str = "Conflict: can't use getUpdates method while webhook is active; \
     use deleteWebhook to delete the webhook first";
const SUPERSEDED: &str = "Conflict: terminated by other getUpdates request; make sure that \
     only one bot instance is running";
const NOT_MODIFIED: &str = "Bad Request: message is not modified: specified new message \
     content and reply markup are exactly the same as a current content and reply markup of \
     the message";
const INVALID_QUERY: &str =
    "Bad Request: query is too old and response timeout expired or query id is invalid";
const CHAT_ACTIONS: &[&str] = &[
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
];
/// The methods served, as the Bot API names them (calls match them case-insensitively).
const METHODS: &[&str] = &[
    "getMe",
    "getUpdates",
    "setWebhook",
    "deleteWebhook",
    "getWebhookInfo",
    "sendMessage",
    "editMessageText",
    "editMessageReplyMarkup",
    "answerCallbackQuery",
    "sendChatAction",
    "getFile",
];
/// getFile serves files up to 20 MB.
const MAX_DOWNLOAD: usize = 20 << 20;

type Reply = Result<Response, Failure>;

pub(super) fn router(state: Arc<State>) -> Router {
    Router::new()
        .route("/file/{bot}/{*path}", get(download))
        .route("/{bot}/{method}", any(method))
        .fallback(|| async { error(404, "Not Found").into_response() })
        .layer(DefaultBodyLimit::max(50 << 20))
        .with_state(state)
}

fn ok(result: Value) -> Response {
    Json(json!({"ok": true, "result": result})).into_response()
}

/// `setWebhook` and `deleteWebhook` say what they did, as Telegram does.
fn ok_described(description: &str) -> Response {
    Json(json!({"ok": true, "result": true, "description": description})).into_response()
}

/// A Bot API error: `error_code` (also the HTTP status), `description`, and `retry_after`
/// for a flood limit.
struct Failure {
    code: u16,
    description: String,
    retry_after: Option<u64>,
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.code).unwrap_or(StatusCode::BAD_REQUEST);
        let mut body =
            json!({"ok": false, "error_code": self.code, "description": self.description});
        if let Some(secs) = self.retry_after {
            body["parameters"] = json!({"retry_after": secs});
        }
        (status, Json(body)).into_response()
    }
}

fn error(code: u16, description: &str) -> Failure {
    Failure {
        code,
        description: description.to_owned(),
        retry_after: None,
    }
}

fn bad(description: &str) -> Failure {
    error(400, &format!("Bad Request: {description}"))
}

fn retry_after(secs: u64) -> Failure {
    Failure {
        code: 429,
        description: format!("Too Many Requests: retry after {secs}"),
        retry_after: Some(secs),
    }
}

async fn method(
    Shared(state): Shared<Arc<State>>,
    Path((bot, name)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let params = parameters(query.as_deref(), &headers, &body);
    let known = METHODS.iter().find(|m| m.eq_ignore_ascii_case(&name));
    let recorded = known.map_or(name.clone(), |m| (*m).to_owned());
    state
        .lock()
        .calls
        .push((recorded, params.clone().unwrap_or(Value::Null)));
    let Some(token) = bot.strip_prefix("bot") else {
        return error(404, "Not Found").into_response();
    };
    if token != state.token {
        return error(401, "Unauthorized").into_response();
    }
    let Some(p) = params else {
        return bad("can't parse JSON object").into_response();
    };
    let reply = match known.copied().unwrap_or("") {
        "getMe" => Ok(ok(me(&state))),
        "getUpdates" => get_updates(&state, &p).await,
        "setWebhook" => set_webhook(&state, &p),
        "deleteWebhook" => Ok(delete_webhook(&state, &p)),
        "getWebhookInfo" => Ok(webhook_info(&state)),
        "sendMessage" => send_message(&state, &p),
        "editMessageText" => edit(&state, &p, true),
        "editMessageReplyMarkup" => edit(&state, &p, false),
        "answerCallbackQuery" => string(&p, "callback_query_id")
            .map(|_| ok(Value::Bool(true)))
            .ok_or_else(|| error(400, INVALID_QUERY)),
        "sendChatAction" => send_chat_action(&state, &p),
        "getFile" => get_file(&state, &p),
        _ => Err(error(404, "Not Found")),
    };
    reply.unwrap_or_else(Failure::into_response)
}

/// The parameters as a JSON object: query parameters, then the body's (JSON, multipart or
/// form). `None` when a JSON body is not an object.
fn parameters(query: Option<&str>, headers: &HeaderMap, body: &[u8]) -> Option<Value> {
    let mut map = Map::new();
    let pairs = |s: &[u8], map: &mut Map<String, Value>| {
        for (k, v) in form_urlencoded::parse(s) {
            map.insert(k.into_owned(), form_value(&v));
        }
    };
    pairs(query.unwrap_or("").as_bytes(), &mut map);
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let media_type = content_type.to_ascii_lowercase();
    if body.is_empty() {
    } else if media_type.starts_with("application/json") {
        match serde_json::from_slice(body) {
            Ok(Value::Object(fields)) => map.extend(fields),
            _ => return None,
        }
    } else if media_type.starts_with("multipart/form-data") {
        multipart(content_type, body, &mut map);
    } else {
        pairs(body, &mut map);
    }
    Some(Value::Object(map))
}

/// A form value as JSON: an integer or boolean as such, a JSON-serialized object or array
/// parsed, anything else a string.
fn form_value(s: &str) -> Value {
    if s.starts_with('{') || s.starts_with('[') {
        if let Ok(v) = serde_json::from_str(s) {
            return v;
        }
    }
    match s {
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        _ => match s.parse::<i64>() {
            Ok(n) if n.to_string() == s => Value::from(n),
            _ => Value::from(s),
        },
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Reads `multipart/form-data` fields; a file part becomes `{"file_name", "size"}`.
fn multipart(content_type: &str, body: &[u8], map: &mut Map<String, Value>) {
    let boundary = content_type
        .split(';')
        .find_map(|p| {
            let p = p.trim();
            p.get(..9)
                .filter(|k| k.eq_ignore_ascii_case("boundary="))
                .map(|_| &p[9..])
        })
        .map(|b| format!("--{}", b.trim_matches('"')));
    let Some(boundary) = boundary else { return };
    let mut rest = body;
    while let Some(at) = find(rest, boundary.as_bytes()) {
        let part = &rest[..at];
        rest = &rest[at + boundary.len()..];
        let part = part.strip_suffix(b"\r\n").unwrap_or(part);
        let part = part.strip_prefix(b"\r\n").unwrap_or(part);
        let Some(split) = find(part, b"\r\n\r\n") else {
            continue;
        };
        let head = String::from_utf8_lossy(&part[..split]);
        let content = &part[split + 4..];
        let attribute = |key: &str| {
            head.lines()
                .find(|l| l.to_ascii_lowercase().starts_with("content-disposition"))?
                .split(';')
                .find_map(|p| p.trim().strip_prefix(key)?.strip_prefix('='))
                .map(|v| v.trim_matches('"').to_owned())
        };
        let Some(name) = attribute("name") else {
            continue;
        };
        let value = match attribute("filename") {
            Some(file_name) => json!({"file_name": file_name, "size": content.len()}),
            None => form_value(&String::from_utf8_lossy(content)),
        };
        map.insert(name, value);
    }
}

fn int(p: &Value, key: &str) -> Option<i64> {
    let v = p.get(key)?;
    v.as_i64().or_else(|| v.as_str()?.trim().parse().ok())
}

fn string(p: &Value, key: &str) -> Option<String> {
    match p.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    }
}

fn me(state: &State) -> Value {
    let mut me = bot_user(state.bot_id);
    for (k, v) in [
        ("can_join_groups", true),
        ("can_read_all_group_messages", false),
        ("supports_inline_queries", false),
        ("can_connect_to_business", false),
        ("has_main_web_app", false),
    ] {
        me[k] = Value::Bool(v);
    }
    me
}

/// Drops the updates an offset confirms: those below a positive offset, all but the last
/// `-offset` for a negative one.
fn confirm(inner: &mut Inner, offset: Option<i64>) {
    match offset {
        Some(o) if o > 0 => inner
            .queue
            .retain(|u| u["update_id"].as_i64().unwrap_or(0) >= o),
        Some(o) if o < 0 => {
            let keep = usize::try_from(o.unsigned_abs()).unwrap_or(usize::MAX);
            while inner.queue.len() > keep {
                inner.queue.pop_front();
            }
        }
        _ => {}
    }
}

async fn get_updates(state: &Arc<State>, p: &Value) -> Reply {
    let limit = int(p, "limit").unwrap_or(100).clamp(1, 100) as usize;
    let timeout = int(p, "timeout").unwrap_or(0).clamp(0, 50) as u64;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(timeout);
    let generation = {
        let mut inner = state.lock();
        if inner.webhook.is_some() {
            return Err(error(409, WEBHOOK_ACTIVE));
        }
        confirm(&mut inner, int(p, "offset"));
        inner.poll_generation += 1;
        inner.poll_generation
    };
    // A long poll under way is superseded by this one.
    state.updates.notify_waiters();
    let mut stop = state.stop.clone();
    loop {
        let notified = state.updates.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        {
            let inner = state.lock();
            if inner.poll_generation != generation {
                return Err(error(409, SUPERSEDED));
            }
            if !inner.queue.is_empty() {
                return Ok(ok(inner.queue.iter().take(limit).cloned().collect()));
            }
        }
        tokio::select! {
            _ = notified => {}
            _ = tokio::time::sleep_until(deadline) => return Ok(ok(json!([]))),
            _ = stop.wait_for(|s| *s) => return Ok(ok(json!([]))),
        }
    }
}

fn set_webhook(state: &State, p: &Value) -> Reply {
    let url = string(p, "url").unwrap_or_default();
    if !url.is_empty() && reqwest::Url::parse(&url).is_err() {
        return Err(bad("bad webhook: invalid webhook URL specified"));
    }
    let mut inner = state.lock();
    if p["drop_pending_updates"].as_bool() == Some(true) {
        inner.queue.clear();
    }
    if url.is_empty() {
        return Ok(deleted(inner.webhook.take().is_some()));
    }
    let same = inner.webhook.as_ref().is_some_and(|h| h.url == url);
    inner.webhook = Some(Webhook {
        url,
        secret: string(p, "secret_token"),
        allowed_updates: p.get("allowed_updates").cloned().unwrap_or(Value::Null),
        max_connections: int(p, "max_connections").unwrap_or(40),
    });
    Ok(ok_described(if same {
        "Webhook is already set"
    } else {
        "Webhook was set"
    }))
}

fn deleted(was_set: bool) -> Response {
    ok_described(if was_set {
        "Webhook was deleted"
    } else {
        "Webhook is already deleted"
    })
}

fn delete_webhook(state: &State, p: &Value) -> Response {
    let mut inner = state.lock();
    if p["drop_pending_updates"].as_bool() == Some(true) {
        inner.queue.clear();
    }
    deleted(inner.webhook.take().is_some())
}

fn webhook_info(state: &State) -> Response {
    let inner = state.lock();
    let mut info = json!({
        "url": inner.webhook.as_ref().map_or("", |h| h.url.as_str()),
        "has_custom_certificate": false,
        "pending_update_count": inner.queue.len(),
    });
    if let Some(h) = &inner.webhook {
        info["ip_address"] = json!("127.0.0.1");
        info["max_connections"] = json!(h.max_connections);
        if !h.allowed_updates.is_null() {
            info["allowed_updates"] = h.allowed_updates.clone();
        }
    }
    ok(info)
}

fn chat_id(p: &Value) -> Result<i64, Failure> {
    match p.get("chat_id") {
        None | Some(Value::Null) => Err(bad("chat_id is empty")),
        Some(_) => int(p, "chat_id").ok_or_else(|| bad("chat not found")),
    }
}

fn check_text(text: Option<String>) -> Result<String, Failure> {
    let text = text.unwrap_or_default();
    if text.trim().is_empty() {
        return Err(bad("message text is empty"));
    }
    // Telegram counts UTF-16 code units.
    if text.encode_utf16().count() > 4096 {
        return Err(bad("message is too long"));
    }
    Ok(text)
}

/// `parse_mode` must be one Telegram knows; `reply_markup` may come JSON-serialized.
fn markup(p: &Value) -> Result<Value, Failure> {
    if let Some(mode) = string(p, "parse_mode") {
        let known = ["html", "markdown", "markdownv2"];
        if !mode.is_empty() && !known.contains(&mode.to_ascii_lowercase().as_str()) {
            return Err(bad("unsupported parse_mode"));
        }
    }
    match p.get("reply_markup") {
        None | Some(Value::Null) => Ok(Value::Null),
        Some(Value::String(s)) => serde_json::from_str(s)
            .map_err(|_| bad("can't parse reply keyboard markup JSON object")),
        Some(other) => Ok(other.clone()),
    }
}

/// A message of the bot's, as Telegram returns it; only an inline keyboard is echoed.
fn bot_message(
    state: &State,
    inner: &Inner,
    (chat_id, message_id): (i64, i64),
    text: &str,
    markup: &Value,
    date: i64,
    edited: bool,
) -> Value {
    let chat = inner
        .chats
        .get(&chat_id)
        .cloned()
        .unwrap_or_else(|| chat_object(chat_id, None));
    let mut m = json!({
        "message_id": message_id, "from": bot_user(state.bot_id), "chat": chat,
        "date": date, "text": text,
    });
    if edited {
        m["edit_date"] = json!(unix_now());
    }
    if markup.get("inline_keyboard").is_some() {
        m["reply_markup"] = markup.clone();
    }
    m
}

fn send_message(state: &State, p: &Value) -> Reply {
    let at = Instant::now();
    let mut inner = state.lock();
    if inner.throttle.0 > 0 {
        inner.throttle.0 -= 1;
        return Err(retry_after(inner.throttle.1));
    }
    let chat_id = chat_id(p)?;
    let text = check_text(string(p, "text"))?;
    let reply_markup = markup(p)?;
    if inner.blocked.contains(&chat_id) {
        return Err(error(403, BLOCKED));
    }
    if inner.strict && !inner.take_flood_token(chat_id, at) {
        return Err(retry_after(1));
    }
    let key = (chat_id, next_message_id());
    let date = unix_now();
    let message = bot_message(state, &inner, key, &text, &reply_markup, date, false);
    inner
        .messages
        .insert(key, (text.clone(), reply_markup.clone(), date));
    inner.sent.push(Sent {
        chat_id,
        text,
        reply_markup,
        at,
    });
    Ok(ok(message))
}

/// `editMessageText` (`text`) or `editMessageReplyMarkup`: an inline message answers `true`,
/// a chat message the edited Message. Without `reply_markup` the inline keyboard goes.
fn edit(state: &State, p: &Value, text: bool) -> Reply {
    let new_text = if text {
        Some(check_text(string(p, "text"))?)
    } else {
        None
    };
    let new_markup = markup(p)?;
    if string(p, "inline_message_id").is_some() {
        return Ok(ok(Value::Bool(true)));
    }
    let chat_id = chat_id(p)?;
    let message_id =
        int(p, "message_id").ok_or_else(|| bad("message identifier is not specified"))?;
    let mut inner = state.lock();
    let key = (chat_id, message_id);
    let old = inner.messages.get(&key).cloned();
    let new_text = new_text
        .or_else(|| old.as_ref().map(|o| o.0.clone()))
        .unwrap_or_else(|| "…".to_owned());
    if let Some((old_text, old_markup, _)) = &old {
        if *old_text == new_text && *old_markup == new_markup {
            return Err(error(400, NOT_MODIFIED));
        }
    }
    let date = old.map_or(unix_now() - 1, |o| o.2);
    inner
        .messages
        .insert(key, (new_text.clone(), new_markup.clone(), date));
    Ok(ok(bot_message(
        state,
        &inner,
        key,
        &new_text,
        &new_markup,
        date,
        true,
    )))
}

fn send_chat_action(state: &State, p: &Value) -> Reply {
    let chat_id = chat_id(p)?;
    let action = string(p, "action").unwrap_or_default();
    if !CHAT_ACTIONS.contains(&action.as_str()) {
        return Err(bad("wrong parameter action in request"));
    }
    if state.lock().blocked.contains(&chat_id) {
        return Err(error(403, BLOCKED));
    }
    Ok(ok(Value::Bool(true)))
}

fn get_file(state: &State, p: &Value) -> Reply {
    let file_id = string(p, "file_id").unwrap_or_default();
    let inner = state.lock();
    let file = inner
        .files
        .get(&file_id)
        .ok_or_else(|| bad("invalid file_id"))?;
    if file.bytes.len() > MAX_DOWNLOAD {
        return Err(bad("file is too big"));
    }
    Ok(ok(json!({
        "file_id": file_id, "file_unique_id": unique_id(&file_id),
        "file_size": file.bytes.len(), "file_path": file.path,
    })))
}

/// `GET /file/bot{token}/{file_path}`: the bytes of a file `getFile` described.
async fn download(
    Shared(state): Shared<Arc<State>>,
    Path((bot, path)): Path<(String, String)>,
) -> Response {
    if bot.strip_prefix("bot") != Some(state.token.as_str()) {
        return error(404, "Not Found").into_response();
    }
    let inner = state.lock();
    match inner.files.values().find(|f| f.path == path) {
        Some(file) => (
            [(header::CONTENT_TYPE, "application/octet-stream")],
            file.bytes.clone(),
        )
            .into_response(),
        None => error(404, "Not Found").into_response(),
    }
}
