//! RustPBX's WebSocket call control (RWI, RustPBX 0.5), the way the centre places outbound
//! calls (R13): callbacks a waiting caller asked for and calls an operator starts. The
//! step-mode IVR (`rustpbx`) only answers calls the PBX brings; placing a call needs the PBX
//! to be told, which is what RWI is for.
//!
//! Wire format, as RustPBX 0.5.0's source has it (its `docs/rwi.md` describes a later one):
//! - the client sends `{"action", "action_id", "params"}`; `action_id` must be fresh and
//!   non-empty, or the frame is dropped without a reply;
//! - the PBX answers each command with `{"type": "command_completed" | "command_failed",
//!   "action_id", …, "error"?}` — "completed" means accepted, not done;
//! - events of the calls this connection placed come to it by themselves as flat objects with
//!   an `event_type`: `call_ringing`, `call_answered`, then `call_hangup`; a busy line or no
//!   answer ends with `call_busy` / `call_no_answer` alone (no hang-up follows).
//!
//! The two parties are joined inside one PBX session: the citizen's call is placed first (its
//! outcome is the callback attempt's outcome), and once answered the operator's phone is added
//! as its second leg (`call.leg_add`); RustPBX 0.5's `call.bridge` of two separate calls does
//! not join their audio. RustPBX 0.5 tells nothing of an added leg but its ringing: an
//! operator's phone that never answers (tried: a 408 after 32 s) leaves the client on a silent
//! line until they hang up. Operators' phones in a centre answer by themselves (headsets in
//! auto-answer), and the operator pressed "call" a moment before; a PBX that reports legs
//! would let the centre hang up instead.
//!
//! Nor can RWI 0.5 end one party of a call and keep the other: `call.leg_remove` only forgets
//! the leg (tried: the operator's phone got no BYE), and `call.hangup` ends the whole call. So
//! a caller is taken from an operator's phone (a transfer) by the operator hanging up, and held
//! with the phone's own hold key, which the PBX relays to the caller with its hold music.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot, Mutex};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::{ChannelError, ChannelResult};

/// One command to the PBX, as a text frame.
pub fn command(action: &str, action_id: &str, params: Value) -> String {
    json!({"action": action, "action_id": action_id, "params": params}).to_string()
}

/// Places a call to `destination` (a SIP URI), out through `trunk` when given (a number of
/// the public network goes through the PBX's trunk to its gateway), with our number as the
/// caller id; unanswered after `timeout_secs`, the PBX gives up (`call_no_answer`).
pub fn originate(
    action_id: &str,
    call_id: &str,
    destination: &str,
    caller_id: &str,
    trunk: Option<&str>,
    timeout_secs: u32,
) -> String {
    let mut params = json!({
        "call_id": call_id,
        "destination": destination,
        "caller_id": caller_id,
        "timeout_secs": timeout_secs,
    });
    if let Some(trunk) = trunk {
        params["trunk"] = json!(trunk);
    }
    command("call.originate", action_id, params)
}

/// Adds `target` (the operator's phone) to the call as its second party.
pub fn leg_add(action_id: &str, call_id: &str, target: &str) -> String {
    command(
        "call.leg_add",
        action_id,
        json!({"call_id": call_id, "target": target, "leg_id": "callee"}),
    )
}

/// Ends the call (both parties).
pub fn hangup(action_id: &str, call_id: &str) -> String {
    command(
        "call.hangup",
        action_id,
        json!({"call_id": call_id, "reason": "system"}),
    )
}

/// Takes back the events of a call placed over a connection that dropped.
pub fn attach(action_id: &str, call_id: &str) -> String {
    command(
        "session.attach_call",
        action_id,
        json!({"call_id": call_id}),
    )
}

/// What happened to a placed call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallEvent {
    Ringing,
    Answered,
    Busy,
    NoAnswer,
    /// The call ended: after an answer, or failing before one (`sip_status` then says why).
    Hangup {
        reason: Option<String>,
        sip_status: Option<u16>,
    },
}

/// One frame from the PBX.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incoming {
    /// The answer to the command sent with `action_id`: `Err` with the PBX's words.
    Reply {
        action_id: String,
        result: Result<(), String>,
    },
    Event {
        call_id: String,
        event: CallEvent,
    },
    /// Anything else (events of other kinds, media, records): not the centre's business.
    Other,
}

#[derive(Deserialize)]
struct Frame {
    #[serde(rename = "type")]
    kind: Option<String>,
    action_id: Option<String>,
    error: Option<String>,
    event_type: Option<String>,
    call_id: Option<String>,
    reason: Option<String>,
    sip_status: Option<u16>,
}

/// Reads one text frame; `None` when it is not JSON of the expected shape (logged by the
/// caller, never fatal: a newer PBX may send more).
pub fn parse(text: &str) -> Option<Incoming> {
    let f: Frame = serde_json::from_str(text).ok()?;
    match f.kind.as_deref() {
        Some("command_completed") => {
            return Some(Incoming::Reply {
                action_id: f.action_id?,
                result: Ok(()),
            })
        }
        Some("command_failed") => {
            return Some(Incoming::Reply {
                action_id: f.action_id?,
                result: Err(f.error.unwrap_or_else(|| "command failed".into())),
            })
        }
        _ => {}
    }
    let event = match f.event_type.as_deref() {
        Some("call_ringing") => CallEvent::Ringing,
        Some("call_answered") => CallEvent::Answered,
        Some("call_busy") => CallEvent::Busy,
        Some("call_no_answer") => CallEvent::NoAnswer,
        Some("call_hangup") => CallEvent::Hangup {
            reason: f.reason,
            sip_status: f.sip_status,
        },
        _ => return Some(Incoming::Other),
    };
    Some(Incoming::Event {
        call_id: f.call_id?,
        event,
    })
}

/// Where the PBX's call control is and how calls leave it.
#[derive(Clone)]
pub struct RwiSettings {
    /// `ws://host:port/rwi/v1` (RustPBX's `http_addr` and `rwi_path`). Plain WebSocket: the
    /// PBX sits beside the centre on its own network.
    pub url: String,
    /// One of the PBX's `[[rwi.tokens]]`.
    pub token: String,
    /// The SIP URI a client's number is dialled as, `{number}` standing for it
    /// (`sip:{number}@gateway.local`).
    pub dial: String,
    /// The PBX trunk the call leaves by, if any (its name in `[proxy.trunks]`).
    pub trunk: Option<String>,
    /// The number the client sees: the centre's.
    pub caller_id: String,
    /// How long the client's phone rings before the attempt counts as not answered.
    pub ring_secs: u32,
}

impl std::fmt::Debug for RwiSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RwiSettings")
            .field("url", &self.url)
            .field("token", &"[redacted]")
            .field("dial", &self.dial)
            .field("trunk", &self.trunk)
            .field("caller_id", &self.caller_id)
            .field("ring_secs", &self.ring_secs)
            .finish()
    }
}

/// What the socket hands on: an event of a placed call, or that the connection is (again) up,
/// so the calls in progress are taken back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Heard {
    Connected,
    Call { call_id: String, event: CallEvent },
}

/// Commands waiting for the PBX's answer at most this long.
const REPLY_WAIT: Duration = Duration::from_secs(10);
/// Commands in flight at most; more wait in line.
const IN_FLIGHT: usize = 256;
/// Events waiting to be handled at most; past it they are dropped (the PBX's event webhook
/// tells the same outcomes again).
const HEARD: usize = 1024;

struct Request {
    action_id: String,
    frame: String,
    reply: oneshot::Sender<Result<(), String>>,
}

/// Places calls through the PBX; cheap to clone. Commands go to the [`RwiSocket`], which
/// must be running (a worker turns it).
#[derive(Clone)]
pub struct Dialler {
    settings: Arc<RwiSettings>,
    requests: mpsc::Sender<Request>,
    connected: Arc<AtomicBool>,
}

impl std::fmt::Debug for Dialler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Dialler")
            .field("settings", &self.settings)
            .finish()
    }
}

impl Dialler {
    /// The dialler, the socket that carries its commands, and what the socket hears.
    pub fn new(
        settings: RwiSettings,
    ) -> ChannelResult<(Dialler, RwiSocket, mpsc::Receiver<Heard>)> {
        if !settings.url.starts_with("ws://") {
            return Err(ChannelError::Config(
                "the PBX's call control is reached at ws://host:port/rwi/v1".into(),
            ));
        }
        if !settings.dial.contains("{number}") || !settings.dial.starts_with("sip:") {
            return Err(ChannelError::Config(
                "the dial pattern is a SIP URI with {number}, like sip:{number}@gateway".into(),
            ));
        }
        let settings = Arc::new(settings);
        let (tx, rx) = mpsc::channel(IN_FLIGHT);
        let (heard_tx, heard_rx) = mpsc::channel(HEARD);
        let connected = Arc::new(AtomicBool::new(false));
        let socket = RwiSocket {
            settings: settings.clone(),
            requests: Mutex::new(rx),
            connected: connected.clone(),
            conn: Mutex::new(None),
            pending: Mutex::new(HashMap::new()),
            heard: heard_tx,
        };
        Ok((
            Dialler {
                settings,
                requests: tx,
                connected,
            },
            socket,
            heard_rx,
        ))
    }

    /// Whether the PBX is connected now.
    pub fn is_connected(&self) -> bool {
        self.connected.load(Ordering::Relaxed)
    }

    async fn send(&self, action_id: String, frame: String) -> ChannelResult<()> {
        if !self.is_connected() {
            return Err(ChannelError::Transport("the PBX is not connected".into()));
        }
        let (reply, answer) = oneshot::channel();
        self.requests
            .send(Request {
                action_id,
                frame,
                reply,
            })
            .await
            .map_err(|_| ChannelError::Transport("the PBX connection stopped".into()))?;
        match tokio::time::timeout(REPLY_WAIT, answer).await {
            Ok(Ok(Ok(()))) => Ok(()),
            Ok(Ok(Err(why))) => Err(ChannelError::Rejected(why)),
            Ok(Err(_)) => Err(ChannelError::Transport(
                "the PBX connection dropped before it answered".into(),
            )),
            Err(_) => Err(ChannelError::Transport(
                "the PBX did not answer in time".into(),
            )),
        }
    }

    fn action_id() -> String {
        uuid::Uuid::now_v7().to_string()
    }

    /// A number as the PBX dials it: `+` and digits only, into the dial pattern.
    fn number_uri(&self, number: &str) -> ChannelResult<String> {
        let digits = number.strip_prefix('+').unwrap_or(number);
        if digits.is_empty() || digits.len() > 20 || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(ChannelError::Address(number.to_owned()));
        }
        Ok(self.settings.dial.replace("{number}", number))
    }

    /// Dials the client's `number` as call `call_id`.
    pub async fn dial(&self, call_id: &str, number: &str) -> ChannelResult<()> {
        let destination = self.number_uri(number)?;
        let s = &self.settings;
        let id = Self::action_id();
        let frame = originate(
            &id,
            call_id,
            &destination,
            &s.caller_id,
            s.trunk.as_deref(),
            s.ring_secs,
        );
        self.send(id, frame).await
    }

    /// Puts the operator's phone (a `sip:` URI, or a number dialled like a client's) through
    /// to the answered call `call_id`.
    pub async fn join(&self, call_id: &str, operator: &str) -> ChannelResult<()> {
        let target = if operator.starts_with("sip:") {
            operator.to_owned()
        } else {
            self.number_uri(operator)?
        };
        let id = Self::action_id();
        let frame = leg_add(&id, call_id, &target);
        self.send(id, frame).await
    }

    pub async fn hang_up(&self, call_id: &str) -> ChannelResult<()> {
        let id = Self::action_id();
        let frame = hangup(&id, call_id);
        self.send(id, frame).await
    }

    /// Takes back the events of a call placed over an earlier connection (this node's or
    /// another's); the PBX refuses when the call is over.
    pub async fn take_back(&self, call_id: &str) -> ChannelResult<()> {
        let id = Self::action_id();
        let frame = attach(&id, call_id);
        self.send(id, frame).await
    }
}

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// The connection to the PBX: turned by a worker, one frame or command per turn, so a turn
/// is short and shutdown never waits on a socket.
pub struct RwiSocket {
    settings: Arc<RwiSettings>,
    requests: Mutex<mpsc::Receiver<Request>>,
    connected: Arc<AtomicBool>,
    conn: Mutex<Option<Socket>>,
    pending: Mutex<HashMap<String, oneshot::Sender<Result<(), String>>>>,
    heard: mpsc::Sender<Heard>,
}

impl std::fmt::Debug for RwiSocket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RwiSocket")
            .field("url", &self.settings.url)
            .finish()
    }
}

impl RwiSocket {
    /// One turn: connects when not connected; otherwise sends one command or reads one frame,
    /// waiting at most `wait`. A dropped connection is an error; the next turn connects again.
    pub async fn turn(&self, wait: Duration) -> ChannelResult<()> {
        let mut conn = self.conn.lock().await;
        let Some(ws) = conn.as_mut() else {
            *conn = Some(self.connect().await?);
            self.connected.store(true, Ordering::Relaxed);
            self.hear(Heard::Connected);
            return Ok(());
        };
        let mut requests = self.requests.lock().await;
        let result = tokio::select! {
            r = requests.recv() => match r {
                Some(r) => self.send(ws, r).await,
                None => Ok(()),
            },
            frame = ws.next() => self.read(frame).await,
            () = tokio::time::sleep(wait) => Ok(()),
        };
        if result.is_err() {
            *conn = None;
            self.connected.store(false, Ordering::Relaxed);
            // Nobody answers the commands in flight now.
            self.pending.lock().await.clear();
        }
        result
    }

    async fn connect(&self) -> ChannelResult<Socket> {
        let mut request = self
            .settings
            .url
            .as_str()
            .into_client_request()
            .map_err(|e| ChannelError::Config(format!("the PBX's address: {e}")))?;
        let bearer = format!("Bearer {}", self.settings.token)
            .parse()
            .map_err(|_| ChannelError::Config("the PBX token is not a header value".into()))?;
        request.headers_mut().insert("authorization", bearer);
        let connect = tokio_tungstenite::connect_async(request);
        match tokio::time::timeout(REPLY_WAIT, connect).await {
            Ok(Ok((ws, _))) => {
                tracing::info!(url = %self.settings.url, "connected to the PBX's call control");
                Ok(ws)
            }
            Ok(Err(e)) => Err(ChannelError::Transport(format!(
                "the PBX's call control: {e}"
            ))),
            Err(_) => Err(ChannelError::Transport(
                "the PBX's call control did not answer in time".into(),
            )),
        }
    }

    async fn send(&self, ws: &mut Socket, r: Request) -> ChannelResult<()> {
        let mut pending = self.pending.lock().await;
        // Commands whose caller stopped waiting are forgotten.
        pending.retain(|_, tx| !tx.is_closed());
        if pending.len() >= IN_FLIGHT {
            let _ = r.reply.send(Err("too many commands in flight".into()));
            return Ok(());
        }
        pending.insert(r.action_id, r.reply);
        drop(pending);
        ws.send(Message::text(r.frame))
            .await
            .map_err(|e| ChannelError::Transport(format!("to the PBX: {e}")))
    }

    async fn read(
        &self,
        frame: Option<Result<Message, tokio_tungstenite::tungstenite::Error>>,
    ) -> ChannelResult<()> {
        let text = match frame {
            None => {
                return Err(ChannelError::Transport(
                    "the PBX closed the connection".into(),
                ))
            }
            Some(Err(e)) => return Err(ChannelError::Transport(format!("from the PBX: {e}"))),
            Some(Ok(Message::Text(t))) => t,
            Some(Ok(Message::Close(_))) => {
                return Err(ChannelError::Transport(
                    "the PBX closed the connection".into(),
                ))
            }
            Some(Ok(_)) => return Ok(()),
        };
        match parse(text.as_str()) {
            Some(Incoming::Reply { action_id, result }) => {
                if let Some(tx) = self.pending.lock().await.remove(&action_id) {
                    let _ = tx.send(result);
                }
            }
            Some(Incoming::Event { call_id, event }) => self.hear(Heard::Call { call_id, event }),
            Some(Incoming::Other) => {}
            None => tracing::warn!(
                len = text.len(),
                "a frame from the PBX that is not understood"
            ),
        }
        Ok(())
    }

    fn hear(&self, heard: Heard) {
        if self.heard.try_send(heard).is_err() {
            tracing::warn!("PBX events are not handled fast enough; one was dropped");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_as_rustpbx_0_5_sends_them() {
        assert_eq!(
            parse(
                r#"{"type":"command_completed","action_id":"a1","action":"call.originate","call_id":"c1","status":"success","data":{"call_id":"c1"}}"#
            ),
            Some(Incoming::Reply {
                action_id: "a1".into(),
                result: Ok(())
            })
        );
        assert_eq!(
            parse(
                r#"{"type":"command_failed","status":"error","action_id":"a2","action":"call.originate","call_id":"c1","error":"Command failed: invalid destination: x"}"#
            ),
            Some(Incoming::Reply {
                action_id: "a2".into(),
                result: Err("Command failed: invalid destination: x".into())
            })
        );
        assert_eq!(
            parse(
                r#"{"event_type":"call_answered","call_id":"c1","session_id":"c1","direction":"outbound"}"#
            ),
            Some(Incoming::Event {
                call_id: "c1".into(),
                event: CallEvent::Answered
            })
        );
        assert_eq!(
            parse(
                r#"{"event_type":"call_hangup","call_id":"c1","reason":"originate_failed","hangup_by":null,"sip_status":503}"#
            ),
            Some(Incoming::Event {
                call_id: "c1".into(),
                event: CallEvent::Hangup {
                    reason: Some("originate_failed".into()),
                    sip_status: Some(503)
                }
            })
        );
        assert_eq!(
            parse(r#"{"event_type":"call_bridged","leg_a":"a","leg_b":"b"}"#),
            Some(Incoming::Other)
        );
        assert_eq!(parse("not json"), None);
        let o: Value = serde_json::from_str(&originate(
            "a",
            "c",
            "sip:+7701@gw",
            "1414",
            Some("pstn"),
            30,
        ))
        .unwrap_or_default();
        assert_eq!(o["action"], "call.originate");
        assert_eq!(o["params"]["trunk"], "pstn");
        assert_eq!(o["params"]["timeout_secs"], 30);
    }
}
